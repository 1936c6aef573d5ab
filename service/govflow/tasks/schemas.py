from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from ..documents.schemas import Document
from ..jsonbounds import Variables
from ..plans.schemas import Plan


class Task(BaseModel):
    id: str
    key: str = Field(description="the BPMN id of the user or manual task: stable across sets")
    name: str | None
    lane: str | None
    candidate_groups: list[str]
    assignee: str | None
    state: Literal["ready", "completed", "cancelled"]
    clause: str | None = Field(description="the regulation clause the task enforces")
    process_instance_id: str
    process_id: str
    tenant: str
    diagram_set_id: int
    created_at: datetime
    due_at: datetime | None
    due_estimated: bool = Field(
        description="the due date falls in a year whose holiday arrangement is not official yet")
    completed_at: datetime | None
    completed_by: str | None
    candidate_users: list[str] = Field(
        default_factory=list, description="users who may work on it besides the candidate "
        "groups' members (camunda:candidateUsers, resolved when it became ready)")
    slot: int | None = Field(
        default=None, description="its index (from 0) among the instances of a "
        "multi-instance task; null for any other task")
    business_key: str | None = Field(None, description="its process instance's business key")
    label: str | None = Field(None, description="its instance's label: the value of the "
                              "variable the process's label_variable property names")
    process_name: str | None = Field(None, description="the name of the task's process")
    tenant_name: str | None = Field(None, description="the name of the task's tenant")
    owner: str | None = Field(None, description="who delegated it (委派) and gets it back "
                              "when the delegate resolves it; null unless delegated")
    delegation_state: Literal["pending", "resolved"] | None = Field(
        None, description="pending: the delegate (its assignee) has it and cannot complete "
        "it; resolved: given back to its owner; null: never delegated")
    urged_count: int = Field(0, description="how many times it was urged (催办)")
    last_urged_at: datetime | None = Field(None, description="when it was last urged")


class Gate(BaseModel):
    clause: str = Field(description="the clause and what it requires, as the diagram states it")
    expression: str = Field(description="the condition over the task's data, as written")


class TaskDetail(Task):
    form: dict[str, Any] = Field(description="JSON Schema of the variables completing it takes")
    ui_schema: dict[str, Any] = Field(
        default_factory=dict, description="react-jsonschema-form uiSchema: ui:order, widgets")
    data: dict[str, Any] = Field(
        description="what it submitted once completed; while ready, its prefill (this task "
        "key's earlier submission in the instance, and its camunda:inputParameters)")
    gates: list[Gate] = Field(
        default_factory=list, description="conditions its completion must meet (the "
        "regulation's 方可/不得/须): a completion failing one is refused with 422 "
        "task.gate_failed naming the clause")
    annual_plan: Plan | None = Field(
        None, description="on plan_compilation, plan_countersign and plan_approval of an "
        "annual_plan process: "
        "the plan (items, server-computed total, left-out candidates) and, while "
        "plan_compilation is ready, the candidates its projects field offers")
    documents: list[Document] = Field(
        default_factory=list, description="documents uploaded to it and those its "
        "completion named, oldest first (the first 100; all: GET /tasks/{id}/documents)")


class CompleteIn(BaseModel):
    variables: Variables


class Count(BaseModel):
    count: int = Field(description="how many tasks the same filters list, across all pages")
