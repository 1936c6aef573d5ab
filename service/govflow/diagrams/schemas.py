from datetime import datetime
from typing import Any

from pydantic import BaseModel

from ..fields import DbId


class ProcessRef(BaseModel):
    id: str
    name: str | None
    file: str


class DiagramSet(BaseModel):
    id: int
    tenant: str
    version: int
    content_hash: str
    main_process_id: str
    processes: list[ProcessRef]
    decisions: list[str]
    active: bool
    created_by: str
    created_at: datetime


class ActiveSetIn(BaseModel):
    diagram_set_id: DbId


class TaskDefinition(BaseModel):
    key: str
    name: str | None
    lane: str | None
    candidate_groups: list[str]
    due: str | None
    clause: str | None
    form: dict[str, Any]


class ProcessMetadata(BaseModel):
    id: str
    name: str | None
    file: str
    diagram_set_id: int
    tenant: str
    main: bool
    called_processes: list[str]
    tasks: list[TaskDefinition]
    decisions: list[dict[str, Any]]
