"""Commands on external tasks (Camunda 7's external task API): fetch and lock, complete,
report a failure, throw a BPMN error, extend a lock, unlock, set retries.

Each checks the caller's rights and the task's lock inside its own transaction. Only the
worker that holds an unexpired lock (same ``worker_id``, same token user) may complete,
fail, throw or extend; anyone else gets 409. Completing and throwing run the instance on
through ``UnitOfWork.step``, versioned like every other step.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from ..auth.permissions import (
    require_external_worker,
    require_tenant_admin,
    require_worker_or_admin,
)
from ..auth.principal import Principal
from ..errors import Conflict, FieldError, Invalid, NotFound
from ..external import repository as repo
from ..external import waiting
from ..external.repository import ExternalTaskRow
from ..external.service import locked_view
from ..instances import repository as instance_repo
from ..metrics import INCIDENTS
from .unit_of_work import UnitOfWork


@dataclass(frozen=True)
class TopicRequest:
    name: str
    lock_duration_ms: int
    variables: tuple[str, ...] | None  # None: every variable


@dataclass(frozen=True)
class FetchAndLock:
    """Lock up to ``max_tasks`` fetchable tasks of the topics, in the order given, for
    ``worker_id``; the locked tasks with the variables asked for. A task another worker
    is claiming at the same moment is skipped, never handed out twice."""

    principal: Principal
    tenant_id: str
    worker_id: str
    max_tasks: int
    topics: tuple[TopicRequest, ...]

    async def run(self, uow: UnitOfWork) -> list[dict[str, Any]]:
        require_external_worker(self.principal, self.tenant_id)
        now = uow.ctx.clock.now()
        skip_locked = uow.ctx.engine.dialect.name != "sqlite"
        locked: list[dict[str, Any]] = []
        for topic in self.topics:
            left = self.max_tasks - len(locked)
            if left <= 0:
                break
            rows = await repo.claim(uow.session, self.tenant_id, topic.name, now, left,
                                    skip_locked)
            if not rows:
                continue
            until = now + timedelta(milliseconds=topic.lock_duration_ms)
            await repo.lock(uow.session, [r.id for r in rows], self.worker_id,
                            self.principal.user, until)
            for row in rows:
                variables = await instance_repo.load_variables(uow.session, row.instance_id)
                if topic.variables is not None:
                    variables = {k: v for k, v in variables.items() if k in topic.variables}
                locked.append(locked_view(row, self.worker_id, until, variables))
        return locked


async def _held(uow: UnitOfWork, principal: Principal, tenant_id: str, task_id: str,
                worker_id: str) -> ExternalTaskRow:
    """The task, locked by this worker (and this token's user) until later than now."""
    require_external_worker(principal, tenant_id)
    row = await _task(uow, tenant_id, task_id)
    if not row.locked_at(uow.ctx.clock.now()) or row.worker_id != worker_id \
            or row.locked_by != principal.user:
        raise Conflict(f"external task {task_id} is not locked by worker '{worker_id}': its "
                       "lock expired or another worker holds it; fetch it again",
                       code="external.not_locked_by_worker",
                       params={"task_id": task_id, "worker_id": worker_id})
    return row


async def _task(uow: UnitOfWork, tenant_id: str, task_id: str) -> ExternalTaskRow:
    # On PostgreSQL the row stays locked until commit: a concurrent fetch skips it.
    row = await repo.get(uow.session, task_id,
                         for_update=uow.ctx.engine.dialect.name != "sqlite")
    if row is None or row.tenant_id != tenant_id:
        raise NotFound(f"external task {task_id} does not exist", code="external.not_found",
                       params={"task_id": task_id})
    return row


def _check_outputs(row: ExternalTaskRow, variables: dict[str, Any]) -> None:
    """Only the variables the element declares (its ``outputs`` property)."""
    extra = sorted(k for k in variables if k not in row.outputs)
    if extra:
        allowed = ", ".join(row.outputs) if row.outputs else "none (it declares no outputs)"
        raise Invalid(f"element '{row.element_id}' does not take the variables "
                      f"{', '.join(extra)}; it takes {allowed}",
                      [FieldError(f"body.variables.{k}", "not declared in the element's "
                                  "camunda property 'outputs'") for k in extra[:20]],
                      code="external.variables_undeclared",
                      params={"element": row.element_id, "keys": "、".join(extra[:20]),
                              "accepted": allowed})


@dataclass(frozen=True)
class CompleteExternalTask:
    """The worker's result: the variables go into the instance, which runs on."""

    principal: Principal
    tenant_id: str
    task_id: str
    worker_id: str
    variables: dict[str, Any]

    async def run(self, uow: UnitOfWork) -> str:
        row = await _held(uow, self.principal, self.tenant_id, self.task_id, self.worker_id)
        _check_outputs(row, self.variables)
        task_id, variables, worker = self.task_id, self.variables, self.worker_id
        await uow.step(row.instance_id,
                       lambda e: e.complete_external(task_id, variables, worker),
                       self.principal.user)
        return row.instance_id


@dataclass(frozen=True)
class ThrowBpmnError:
    """A business error at the task (say, funds refused): the error boundary event that
    catches ``error_code`` takes over; none catching it is a 422 and changes nothing."""

    principal: Principal
    tenant_id: str
    task_id: str
    worker_id: str
    error_code: str
    error_message: str | None
    variables: dict[str, Any]

    async def run(self, uow: UnitOfWork) -> str:
        row = await _held(uow, self.principal, self.tenant_id, self.task_id, self.worker_id)
        _check_outputs(row, self.variables)
        task_id, code, message = self.task_id, self.error_code, self.error_message
        variables, worker = self.variables, self.worker_id
        await uow.step(row.instance_id,
                       lambda e: e.throw_external_error(task_id, code, message, variables,
                                                        worker),
                       self.principal.user)
        return row.instance_id


@dataclass(frozen=True)
class ReportFailure:
    """The worker could not do it. With retries left the task is fetchable again after
    ``retry_timeout_ms``; with none, the instance gets an incident (state ``error``) and
    the task waits for an administrator to set its retries."""

    principal: Principal
    tenant_id: str
    task_id: str
    worker_id: str
    error_message: str
    error_details: str | None
    retries: int
    retry_timeout_ms: int

    async def run(self, uow: UnitOfWork) -> None:
        row = await _held(uow, self.principal, self.tenant_id, self.task_id, self.worker_id)
        if row.instance_state != "running":  # as completing it would be
            raise Conflict(f"process instance {row.instance_id} is {row.instance_state}",
                           code="instance.not_running",
                           params={"instance_id": row.instance_id, "state": row.instance_state})
        now = uow.ctx.clock.now()
        again = now + timedelta(milliseconds=self.retry_timeout_ms) \
            if self.retries > 0 and self.retry_timeout_ms > 0 else None
        await repo.update(uow.session, row.id, retries=self.retries,
                          error_message=self.error_message, error_details=self.error_details,
                          worker_id=None, locked_by=None, lock_expires_at=again)
        data = {"external_task_id": row.id, "topic": row.topic, "worker_id": self.worker_id,
                "error_message": self.error_message, "retries": self.retries}
        await uow.record(row, self.principal.user, "external_task_failed",
                         task_id=row.id, element_id=row.element_id,
                         element_name=row.element_name, data=data)
        if self.retries == 0:
            error = (f"external task '{row.element_id}' (topic '{row.topic}') failed with no "
                     f"retries left: {self.error_message}")
            if not await uow.record_incident(row.instance_id, row.instance_version,
                                             self.principal.user, error, row.element_id, data):
                raise Conflict(f"process instance {row.instance_id} was changed concurrently",
                               code="instance.version_conflict",
                               params={"instance_id": row.instance_id})
            uow.after_commit(INCIDENTS.inc)


@dataclass(frozen=True)
class ExtendLock:
    """The worker needs longer: its lock now ends ``lock_duration_ms`` from now."""

    principal: Principal
    tenant_id: str
    task_id: str
    worker_id: str
    lock_duration_ms: int

    async def run(self, uow: UnitOfWork) -> datetime:
        row = await _held(uow, self.principal, self.tenant_id, self.task_id, self.worker_id)
        until = uow.ctx.clock.now() + timedelta(milliseconds=self.lock_duration_ms)
        await repo.update(uow.session, row.id, lock_expires_at=until)
        return until


@dataclass(frozen=True)
class Unlock:
    """Give the task back at once: the worker holding it (``worker_id``), or an admin."""

    principal: Principal
    tenant_id: str
    task_id: str
    worker_id: str | None

    async def run(self, uow: UnitOfWork) -> None:
        require_worker_or_admin(self.principal, self.tenant_id)
        if not self.principal.administers(self.tenant_id):
            await _held(uow, self.principal, self.tenant_id, self.task_id,
                        self.worker_id or "")
        row = await _task(uow, self.tenant_id, self.task_id)
        await repo.update(uow.session, row.id, worker_id=None, locked_by=None,
                          lock_expires_at=None)
        uow.after_commit(partial(waiting.wake, self.tenant_id))


@dataclass(frozen=True)
class SetRetries:
    """An administrator's answer to a failed task: ``retries`` more attempts, fetchable at
    once. A task whose retries had run out also resolves its instance's incident."""

    principal: Principal
    tenant_id: str
    task_id: str
    retries: int

    async def run(self, uow: UnitOfWork) -> None:
        require_tenant_admin(self.principal, self.tenant_id)
        row = await _task(uow, self.tenant_id, self.task_id)
        await repo.update(uow.session, row.id, retries=self.retries, worker_id=None,
                          locked_by=None, lock_expires_at=None)
        data = {"external_task_id": row.id, "topic": row.topic, "retries": self.retries}
        uow.after_commit(partial(waiting.wake, self.tenant_id))
        if row.retries == 0 and self.retries > 0 and row.instance_state == "error":
            await uow.set_state(row.instance_id, "running", self.principal.user,
                                "incident_resolved", data, expected=("error",))
        else:
            await uow.record(row, self.principal.user, "external_task_retries_set",
                             task_id=row.id, element_id=row.element_id,
                             element_name=row.element_name, data=data)
