"""The operations a Chinese approval UI offers on a task besides claim and complete:
transfer (转办), delegate and resolve (委派, Camunda's DelegationState), return (退回),
withdraw (撤回), add signers (加签), urge (催办), copy (抄送) and comments. Each checks the caller's rights first, inside its own transaction,
compares and sets the task row, and writes a history event."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

from ..auth.principal import Principal
from ..engine.rewind import Rewind, RewindRefused
from ..engine.runtime import EngineInstance, StepEvent
from ..engine.signers import SignersRefused
from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..instances import repository as instance_repo
from ..instances import service as instances
from ..store.jsontext import dumps, loads
from ..taskops import repository as repo
from ..tasks import repository as task_repo
from ..tasks.service import may_work_on, require_ready, visible, workable
from .unit_of_work import UnitOfWork

PENDING, RESOLVED = "pending", "resolved"
URGE_INTERVAL = timedelta(hours=1)  # a task is urged at most once an hour


def _changed(task_id: str) -> Conflict:
    return Conflict(f"task {task_id} changed concurrently", code="task.version_conflict",
                    params={"task_id": task_id})


def _refuse_pending(row: Any, action: str) -> None:
    if row.delegation_state == PENDING:
        raise Conflict(f"task {row.id} is delegated to '{row.assignee}': it must be resolved "
                       f"back to '{row.owner}' before it can be {action}",
                       code="task.delegation_pending",
                       params={"task_id": row.id, "assignee": row.assignee,
                               "owner": row.owner, "action": _ACTIONS_ZH.get(action, action)})


_ACTIONS_ZH = {"transferred": "转办", "delegated": "委派", "completed": "办理",
               "unclaimed": "退回认领", "transfer": "转办", "delegate": "委派",
               "returned": "退回", "return": "退回"}


def refuse_pending(row: Any, action: str) -> None:
    """Complete and unclaim refuse a task its delegate holds (commands/tasks.py)."""
    _refuse_pending(row, action)


def _not_assignee(row: Any, principal: Principal, action: str) -> Forbidden:
    return Forbidden(f"task {row.id} is assigned to '{row.assignee}'; user "
                     f"'{principal.user}' cannot {action} it", code="task.not_assignee",
                     params={"task_id": row.id, "assignee": row.assignee,
                             "user": principal.user, "action": _ACTIONS_ZH.get(action, action)})


def _same_user(task_id: str, user: str) -> Invalid:
    return Invalid(f"task {task_id} cannot be handed to '{user}', who has it already",
                   code="task.same_user", params={"task_id": task_id, "user": user})


@dataclass(frozen=True)
class TransferTask:
    """转办: the assignee (or, while unassigned, a candidate; or a tenant admin) makes
    another user the assignee (a ``task_transferred`` event)."""

    principal: Principal
    task_id: str
    to: str
    reason: str | None

    async def run(self, uow: UnitOfWork) -> None:
        p = self.principal
        row = await visible(uow.session, p, self.task_id)
        require_ready(row)
        if not p.administers(row.tenant_id):
            if row.assignee is None:
                row = await workable(uow.session, p, self.task_id)
            elif row.assignee != p.user:
                raise _not_assignee(row, p, "transfer")
        _refuse_pending(row, "transferred")
        if self.to == (row.assignee or p.user):
            raise _same_user(self.task_id, self.to)
        if not await repo.update_ready(uow.session, self.task_id, row.assignee,
                                       row.delegation_state, assignee=self.to, owner=None,
                                       delegation_state=None):
            raise _changed(self.task_id)
        await uow.record(row, p.user, "task_transferred", task_id=row.id, element_id=row.key,
                         element_name=row.name, data={"from": row.assignee, "to": self.to,
                                                      "reason": self.reason})


@dataclass(frozen=True)
class DelegateTask:
    """委派: the assignee hands the task to a delegate and stays its owner; the delegate
    cannot complete it, only resolve it back (a ``task_delegated`` event)."""

    principal: Principal
    task_id: str
    to: str
    reason: str | None

    async def run(self, uow: UnitOfWork) -> None:
        p = self.principal
        row = await visible(uow.session, p, self.task_id)
        require_ready(row)
        _refuse_pending(row, "delegated")
        if row.assignee is None:
            raise Conflict(f"task {row.id} is not claimed: claim it before delegating it",
                           code="task.not_claimed", params={"task_id": row.id})
        if row.assignee != p.user:
            raise _not_assignee(row, p, "delegate")
        if self.to == p.user:
            raise _same_user(self.task_id, self.to)
        if not await repo.update_ready(uow.session, self.task_id, row.assignee,
                                       row.delegation_state, assignee=self.to, owner=p.user,
                                       delegation_state=PENDING):
            raise _changed(self.task_id)
        await uow.record(row, p.user, "task_delegated", task_id=row.id, element_id=row.key,
                         element_name=row.name, data={"owner": p.user, "delegate": self.to,
                                                      "reason": self.reason})


@dataclass(frozen=True)
class ResolveTask:
    """The delegate gives the task back to its owner with the values it filled in, kept as
    the task's draft (its prefill) until the owner completes it (a ``task_resolved``
    event)."""

    principal: Principal
    task_id: str
    variables: dict[str, Any]

    async def run(self, uow: UnitOfWork) -> None:
        p = self.principal
        row = await visible(uow.session, p, self.task_id)
        require_ready(row)
        if row.delegation_state != PENDING:
            raise Conflict(f"task {row.id} is not delegated", code="task.not_delegated",
                           params={"task_id": row.id})
        if row.assignee != p.user:
            raise Forbidden(f"task {row.id} is delegated to '{row.assignee}'; user "
                            f"'{p.user}' cannot resolve it", code="task.not_delegate",
                            params={"task_id": row.id, "assignee": row.assignee,
                                    "user": p.user})
        draft = {**(loads(row.draft) if row.draft else {}), **self.variables}
        if not await repo.update_ready(uow.session, self.task_id, row.assignee, PENDING,
                                       assignee=row.owner, delegation_state=RESOLVED,
                                       draft=dumps(draft) if draft else None):
            raise _changed(self.task_id)
        await uow.record(row, p.user, "task_resolved", task_id=row.id, element_id=row.key,
                         element_name=row.name, data={"owner": row.owner, "delegate": p.user,
                                                      "fields": sorted(self.variables)})


@dataclass(frozen=True)
class UrgeTask:
    """催办: the instance's starter or a tenant admin reminds whoever holds a ready task; at
    most once per ``URGE_INTERVAL`` per task (a ``task_urged`` event)."""

    principal: Principal
    task_id: str
    message: str | None

    async def run(self, uow: UnitOfWork) -> None:
        p = self.principal
        row = await visible(uow.session, p, self.task_id)
        require_ready(row)
        instance = await instance_repo.get(uow.session, row.instance_id)
        starter = instance.started_by if instance is not None else None
        if p.user != starter and not p.administers(row.tenant_id):
            raise Forbidden(f"only the instance's starter '{starter}' or an administrator "
                            f"may urge task {row.id}", code="task.urge_not_allowed",
                            params={"task_id": row.id, "starter": starter})
        now = uow.ctx.clock.now()
        if not await repo.urge(uow.session, self.task_id, now, now - URGE_INTERVAL):
            last = row.last_urged_at
            raise Conflict(f"task {row.id} was urged at {last.isoformat() if last else '?'}; "
                           f"a task is urged at most once every "
                           f"{int(URGE_INTERVAL.total_seconds() // 60)} minutes",
                           code="task.urge_too_soon",
                           params={"task_id": row.id, "last_urged_at": str(last),
                                   "minutes": int(URGE_INTERVAL.total_seconds() // 60)})
        await uow.record(row, p.user, "task_urged", task_id=row.id, element_id=row.key,
                         element_name=row.name, data={
                             "message": self.message, "assignee": row.assignee,
                             "candidate_groups": loads(row.candidate_groups)})


@dataclass(frozen=True)
class CopyTask:
    """抄送: read-only copies of a task for other users, by whoever has or had it in hand
    (assignee, owner, completer, a candidate of an unclaimed task), the instance's starter
    or a tenant admin (a ``task_copied`` event naming the users newly copied)."""

    principal: Principal
    task_id: str
    users: list[str]

    async def run(self, uow: UnitOfWork) -> list[str]:
        p = self.principal
        row = await visible(uow.session, p, self.task_id)
        instance = await instance_repo.get(uow.session, row.instance_id)
        if not _may_copy(p, row, instance.started_by if instance is not None else None):
            raise Forbidden(f"user '{p.user}' may not copy task {row.id}: its assignee, a "
                            f"candidate, the instance's starter or an administrator may",
                            code="task.cc_not_allowed",
                            params={"task_id": row.id, "user": p.user})
        already = await repo.copied_to(uow.session, self.task_id)
        new = [u for u in dict.fromkeys(self.users) if u not in already]
        now = uow.ctx.clock.now()
        await repo.insert_copies(uow.session, [
            {"task_id": row.id, "user_name": u, "instance_id": row.instance_id,
             "tenant_id": row.tenant_id, "copied_by": p.user, "copied_at": now,
             "read_at": None} for u in new])
        if new:
            await uow.record(row, p.user, "task_copied", task_id=row.id, element_id=row.key,
                             element_name=row.name, data={"users": new})
        return new


def _may_copy(p: Principal, row: Any, starter: str | None) -> bool:
    if p.administers(row.tenant_id) or p.user == starter:
        return True
    if p.user in (row.assignee, row.owner, row.completed_by):
        return True
    groups = loads(row.candidate_groups)
    users = loads(row.candidate_users) if row.candidate_users else []
    return row.state == "ready" and row.assignee is None and may_work_on(p, None, groups,
                                                                          users)


@dataclass(frozen=True)
class ReadCopy:
    """Mark the caller's copy of a task read (no history event: reading changes nothing)."""

    principal: Principal
    task_id: str

    async def run(self, uow: UnitOfWork) -> None:
        p = self.principal
        await visible(uow.session, p, self.task_id)
        if not await repo.mark_read(uow.session, self.task_id, p.user, uow.ctx.clock.now()):
            raise NotFound(f"task {self.task_id} was not copied to '{p.user}'",
                           code="task.not_copied",
                           params={"task_id": self.task_id, "user": p.user})


@dataclass(frozen=True)
class AddComment:
    """A comment on an instance, or on one of its tasks (``task_id``), by anyone who sees
    the instance (a ``comment_added`` event); the new comment's id."""

    principal: Principal
    text: str
    instance_id: str | None = None
    task_id: str | None = None

    async def run(self, uow: UnitOfWork) -> int:
        p, s = self.principal, uow.session
        if self.task_id is not None:
            task = await visible(s, p, self.task_id)
            target = SimpleNamespace(instance_id=task.instance_id, tenant_id=task.tenant_id)
            key, name = task.key, task.name
        else:
            instance = await instances.visible(s, p, str(self.instance_id))
            target = SimpleNamespace(instance_id=instance.id, tenant_id=instance.tenant_id)
            key = name = None
        comment_id = await repo.insert_comment(s, {
            "instance_id": target.instance_id, "tenant_id": target.tenant_id,
            "task_id": self.task_id, "author": p.user, "text": self.text,
            "created_at": uow.ctx.clock.now()})
        await uow.record(target, p.user, "comment_added", task_id=self.task_id,
                         element_id=key, element_name=name,
                         data={"comment_id": comment_id})
        return comment_id


async def _plan(uow: UnitOfWork, instance_id: str, plan: Callable[[EngineInstance], Rewind],
                refuse: Callable[[RewindRefused], Exception]) -> Rewind:
    """Plan a rewind on the instance's engine without changing it."""
    found: list[Rewind | RewindRefused] = []

    def check(engine: EngineInstance) -> None:
        try:
            found.append(plan(engine))
        except RewindRefused as exc:
            found.append(exc)

    await uow.check(instance_id, check)
    if isinstance(found[0], RewindRefused):
        raise refuse(found[0])
    return found[0]


@dataclass(frozen=True)
class ReturnTask:
    """退回: send a ready task back to an earlier user task of its path; the ready tasks on
    that path are cancelled and the earlier task is ready again, prefilled with what it
    submitted (a ``task_returned`` event). The assignee, a candidate of an unclaimed task,
    or a tenant admin may."""

    principal: Principal
    task_id: str
    to_key: str
    reason: str | None

    async def run(self, uow: UnitOfWork) -> str:
        p = self.principal
        row = await visible(uow.session, p, self.task_id)
        require_ready(row)
        if not p.administers(row.tenant_id):
            if row.assignee is None:
                row = await workable(uow.session, p, self.task_id)
            elif row.assignee != p.user:
                raise _not_assignee(row, p, "return")
        _refuse_pending(row, "returned")
        task_id, to_key = self.task_id, self.to_key
        plan = await _plan(uow, row.instance_id, lambda e: e.plan_return(task_id, to_key),
                           lambda exc: Invalid(
                               f"task {task_id} cannot be returned to '{to_key}': {exc}",
                               code="task.return_refused",
                               params={"task_id": task_id, "to_key": to_key,
                                       "reason": str(exc)}))
        event = StepEvent("task_returned", row.key, row.name, row.id,
                          {"to_key": to_key, "to_task_id": plan.target,
                           "reason": self.reason, "cancelled": list(plan.cancels)})
        await uow.step(row.instance_id, lambda e: e.rewind(plan, event), p.user)
        return str(row.instance_id)


@dataclass(frozen=True)
class WithdrawTask:
    """撤回: the user who completed a task takes it back while every task after it is
    untouched (ready, never claimed, transferred or delegated, no draft); the tasks after
    it are cancelled and it is ready again (a ``task_withdrawn`` event)."""

    principal: Principal
    task_id: str

    async def run(self, uow: UnitOfWork) -> str:
        p, s = self.principal, uow.session
        row = await visible(s, p, self.task_id)
        task_id = self.task_id
        if row.state != "completed":
            raise _withdraw_refused(task_id, f"it is {row.state}, not completed")
        if row.completed_by != p.user:
            raise Forbidden(f"task {task_id} was completed by '{row.completed_by}'; only they "
                            "may withdraw it", code="task.not_completer",
                            params={"task_id": task_id, "completed_by": row.completed_by})
        plan = await _plan(uow, row.instance_id, lambda e: e.plan_withdraw(task_id),
                           lambda exc: _withdraw_refused(task_id, str(exc)))
        later = await repo.tasks_by_id(s, list(plan.cancels))
        for t in later:
            if t.assignee is not None or t.draft is not None or t.delegation_state:
                raise _withdraw_refused(task_id, f"the next task '{t.key}' was taken up "
                                        f"(assignee '{t.assignee}')")
        for t_id, ev in await repo.handled(s, row.instance_id, list(plan.cancels)):
            raise _withdraw_refused(task_id, f"the next task {t_id} was acted on ({ev})")
        event = StepEvent("task_withdrawn", row.key, row.name, row.id,
                          {"cancelled": list(plan.cancels)})
        await uow.step(row.instance_id, lambda e: e.rewind(plan, event), p.user)
        return str(row.instance_id)


def _withdraw_refused(task_id: str, reason: str) -> Conflict:
    return Conflict(f"task {task_id} cannot be withdrawn: {reason}",
                    code="task.withdraw_refused", params={"task_id": task_id, "reason": reason})


@dataclass(frozen=True)
class AddSigners:
    """加签: new slots of a running parallel multi-instance task, one per user, each
    assigned to its user (a ``signers_added`` event). The slot's assignee, a candidate of
    an unclaimed slot, or a tenant admin may."""

    principal: Principal
    task_id: str
    users: list[str]

    async def run(self, uow: UnitOfWork) -> str:
        p = self.principal
        row = await visible(uow.session, p, self.task_id)
        require_ready(row)
        if not p.administers(row.tenant_id):
            if row.assignee is None:
                row = await workable(uow.session, p, self.task_id)
            elif row.assignee != p.user:
                raise _not_assignee(row, p, "add signers to")
        task_id, users = self.task_id, list(dict.fromkeys(self.users))
        holding = sorted({t.assignee for t in await task_repo.ready_of_instance(
            uow.session, row.instance_id) if t.key == row.key and t.assignee in users})
        if holding:
            raise _signers_refused(task_id, f"{', '.join(holding)} already hold a slot of "
                                   f"'{row.key}'")
        found: list[SignersRefused] = []

        def check(engine: EngineInstance) -> None:
            try:
                engine.check_signers(task_id, users)
            except SignersRefused as exc:
                found.append(exc)

        await uow.check(row.instance_id, check)
        if found:
            raise _signers_refused(task_id, str(found[0]))
        event = StepEvent("signers_added", row.key, row.name, row.id, {"users": users})
        await uow.step(row.instance_id, lambda e: e.add_signers(task_id, users, event), p.user)
        return str(row.instance_id)


def _signers_refused(task_id: str, reason: str) -> Invalid:
    return Invalid(f"no signer can be added to task {task_id}: {reason}",
                   code="task.signers_refused", params={"task_id": task_id, "reason": reason})
