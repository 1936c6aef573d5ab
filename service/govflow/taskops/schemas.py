from datetime import datetime

from pydantic import BaseModel, Field

from ..fields import Name, Text
from ..jsonbounds import Variables

MAX_USERS = 50  # users one copy request names


class HandOver(BaseModel):
    to: Name = Field(description="the user who gets the task")
    reason: Text | None = Field(None, description="shown in the history")


class ReturnIn(BaseModel):
    to_key: Name = Field(description="the key (BPMN id) of an earlier user task on this "
                         "task's path")
    reason: Text | None = Field(None, description="shown in the history")


class ResolveIn(BaseModel):
    variables: Variables = Field(
        default_factory=dict, description="the values the delegate filled in: kept as the "
        "task's draft, its prefill when the owner opens it")


class UrgeIn(BaseModel):
    message: Text | None = Field(None, description="the reminder's words, kept in history")


class SignersIn(BaseModel):
    users: list[Name] = Field(min_length=1, max_length=MAX_USERS,
                              description="users to add as signers: one new slot each")


class CopyIn(BaseModel):
    users: list[Name] = Field(min_length=1, max_length=MAX_USERS,
                              description="users to copy it to; those who have a copy "
                              "already are skipped")


class Copy(BaseModel):
    user: str
    copied_by: str
    copied_at: datetime
    read_at: datetime | None = Field(description="when the user marked it read")


class Copies(BaseModel):
    items: list[Copy]
    added: list[str] = Field(default_factory=list,
                             description="the users this request copied it to")


class CommentIn(BaseModel):
    text: Text = Field(description=f"at most {2000} characters")


class Comment(BaseModel):
    id: int
    process_instance_id: str
    task_id: str | None = Field(description="the task it is about; null: the instance")
    author: str
    text: str
    created_at: datetime


class Comments(BaseModel):
    items: list[Comment]
    next: int | None = Field(description="the offset of the next page; null on the last")
