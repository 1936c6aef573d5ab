from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from ..fields import BusinessKey, Name, Text
from ..jsonbounds import Variables
from ..tasks.schemas import Task

State = Literal["running", "suspended", "completed", "terminated", "error"]


class StartIn(BaseModel):
    process_id: Name | None = Field(None, description="default: the set's main process")
    business_key: BusinessKey | None = None
    variables: Variables


class Instance(BaseModel):
    id: str
    tenant: str
    process_id: str
    business_key: str | None
    state: State
    outcome: str | None = Field(description="the end event reached")
    error: str | None
    diagram_set_id: int
    version: int
    started_by: str
    created_at: datetime
    updated_at: datetime
    ended_at: datetime | None
    label: str | None = Field(None, description="the value of the variable the process's "
                              "label_variable property names (e.g. the project's name)")
    process_name: str | None = Field(None, description="the name of its process")
    tenant_name: str | None = Field(None, description="the name of its tenant")


class InstanceDetail(Instance):
    variables: dict[str, Any]
    ready_tasks: list[Task]


class MessageIn(BaseModel):
    name: Name
    payload: Variables


class CorrelateIn(MessageIn):
    correlation: Variables = Field(
        default_factory=dict, description="variables a waiting instance must have, equal")


class Correlated(BaseModel):
    delivered_to: list[str]


class SignalIn(MessageIn):
    pass


class Broadcast(BaseModel):
    triggered: int = Field(description="catches reached plus instances started")
    delivered_to: list[str] = Field(description="running instances whose catch it reached")
    started: list[str] = Field(description="instances its signal start events began")


class TerminateIn(BaseModel):
    reason: Text


class HistoryEvent(BaseModel):
    id: int
    at: datetime
    actor: str | None
    event: str
    element_id: str | None
    element_name: str | None
    task_id: str | None
    data: dict[str, Any] | None
