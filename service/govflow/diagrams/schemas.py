from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

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
    ui_schema: dict[str, Any] = Field(
        default_factory=dict, description="react-jsonschema-form uiSchema: ui:order, widgets")


class MessageCatch(BaseModel):
    element_id: str
    name: str | None
    messages: list[str]
    senders: list[str] = Field(description="groups whose users may send it over the API; "
                                           "empty: administrators and the process only")
    payload: list[str] = Field(description="the payload keys it takes")


class ExternalTaskDeclaration(BaseModel):
    element_id: str
    name: str | None
    topic: str = Field(description="what workers fetch it by (docs/external-tasks.md)")
    priority: int
    outputs: list[str] = Field(description="the variables a worker may set")


class ProcessMetadata(BaseModel):
    id: str
    name: str | None
    file: str
    diagram_set_id: int
    tenant: str
    main: bool
    called_processes: list[str]
    tasks: list[TaskDefinition]
    message_catches: list[MessageCatch] = []
    external_tasks: list[ExternalTaskDeclaration] = []
    decisions: list[dict[str, Any]]
    start_form: dict[str, Any] = Field(
        default_factory=dict, description="JSON Schema of the start variables (the start "
        "event's camunda:formData); variables it does not list are allowed")
    start_ui_schema: dict[str, Any] = Field(
        default_factory=dict, description="react-jsonschema-form uiSchema of the start form")
    startable: bool = Field(default=True, description="false: only a call activity starts it "
                            "(camunda:isStartableInTasklist)")
    starter_groups: list[str] = Field(default_factory=list, description="camunda:"
                                      "candidateStarterGroups; with starter_users empty too: "
                                      "any user of the tenant may start it")
    starter_users: list[str] = Field(default_factory=list,
                                     description="camunda:candidateStarterUsers")


class StartForm(BaseModel):
    """The form an instance of a process starts with, before any instance exists."""

    tenant: str
    diagram_set_id: int = Field(description="the tenant's active diagram set")
    process_id: str
    process_name: str | None
    form: dict[str, Any] = Field(description="JSON Schema of the start variables; variables "
                                 "it does not list are allowed (one front end for every county)")
    ui_schema: dict[str, Any] = Field(description="react-jsonschema-form uiSchema")


# The upload's multipart body, for OpenAPI: the endpoint reads it itself, after the rights.
UPLOAD_FORM: dict[str, Any] = {
    "required": True,
    "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["files"],
        "properties": {
            "files": {"type": "array", "items": {"type": "string", "format": "binary"},
                      "description": ".bpmn and .dmn files, or one .zip"},
            "main_process": {"type": "string"},
            "activate": {"type": "boolean", "description": "default: only if none is active"},
        },
    }}},
}
