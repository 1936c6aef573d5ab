"""Request and response bodies of the external task API; every field bounded."""

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..fields import NO_CONTROL, Name, Text
from ..jsonbounds import Variables

MAX_TASKS = 100
MAX_TOPICS = 20
MAX_LOCK_MS = 24 * 3600 * 1000  # a day: a longer job extends its lock as it goes
MAX_RETRY_TIMEOUT_MS = 7 * 24 * 3600 * 1000
MAX_RETRIES = 1000
MAX_DETAILS = 100_000
MAX_LONG_POLL_MS = 60_000

LockMs = Annotated[int, Field(ge=1, le=MAX_LOCK_MS, description="milliseconds, at most a day")]
# A stack trace has newlines and tabs; NUL and the other controls are refused.
Details = Annotated[str, Field(max_length=MAX_DETAILS, pattern=r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TopicIn(_Strict):
    topic_name: Name
    lock_duration: LockMs
    variables: list[Name] | None = Field(
        None, max_length=200, description="variables to return; omitted: all of them")


class FetchIn(_Strict):
    worker_id: Name
    max_tasks: int = Field(ge=1, le=MAX_TASKS)
    topics: list[TopicIn] = Field(min_length=1, max_length=MAX_TOPICS)
    async_response_timeout: int = Field(
        0, ge=0, le=MAX_LONG_POLL_MS,
        description="ms to wait for a task when none is fetchable now (long polling)")

    @field_validator("topics")
    @classmethod
    def _distinct(cls, topics: list[TopicIn]) -> list[TopicIn]:
        names = [t.topic_name for t in topics]
        if len(set(names)) != len(names):
            raise ValueError("each topic may be listed once")
        return topics


class CompleteIn(_Strict):
    worker_id: Name
    variables: Variables


class FailureIn(_Strict):
    worker_id: Name
    error_message: Text
    error_details: Details | None = None
    retries: int = Field(ge=0, le=MAX_RETRIES, description="retries left; 0: an incident")
    retry_timeout: int = Field(0, ge=0, le=MAX_RETRY_TIMEOUT_MS,
                               description="milliseconds before it may be fetched again")


class BpmnErrorIn(_Strict):
    worker_id: Name
    error_code: Name
    error_message: Annotated[str, Field(max_length=2000, pattern=NO_CONTROL)] | None = None
    variables: Variables


class ExtendLockIn(_Strict):
    worker_id: Name
    new_duration: LockMs


class UnlockIn(_Strict):
    worker_id: Name | None = Field(None, description="the worker holding it; admins omit it")


class RetriesIn(_Strict):
    retries: int = Field(ge=1, le=MAX_RETRIES)


class LockedTask(BaseModel):
    id: str
    tenant: str
    topic: str
    process_instance_id: str
    business_key: str | None
    process_id: str
    element_id: str
    element_name: str | None
    priority: int
    outputs: list[str] = Field(description="the variables complete and bpmn-error take")
    worker_id: str
    lock_expires_at: datetime
    retries: int | None = Field(description="null until a failure is reported")
    error_message: str | None
    variables: dict[str, Any]


class ExternalTask(BaseModel):
    id: str
    tenant: str
    topic: str
    process_instance_id: str
    business_key: str | None
    process_id: str
    element_id: str
    element_name: str | None
    priority: int
    outputs: list[str]
    locked: bool
    worker_id: str | None
    lock_expires_at: datetime | None
    retries: int | None
    error_message: str | None
    error_details: str | None
    created_at: datetime
    instance_state: str


class LockOut(BaseModel):
    lock_expires_at: datetime
