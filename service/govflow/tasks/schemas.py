from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from ..jsonbounds import Variables


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
    business_key: str | None = Field(None, description="its process instance's business key")
    label: str | None = Field(None, description="its instance's label: the value of the "
                              "variable the process's label_variable property names")
    process_name: str | None = Field(None, description="the name of the task's process")
    tenant_name: str | None = Field(None, description="the name of the task's tenant")


class TaskDetail(Task):
    form: dict[str, Any] = Field(description="JSON Schema of the variables completing it takes")
    data: dict[str, Any] = Field(description="submitted values, or current ones while ready")


class CompleteIn(BaseModel):
    variables: Variables


class Count(BaseModel):
    count: int = Field(description="how many tasks the same filters list, across all pages")
