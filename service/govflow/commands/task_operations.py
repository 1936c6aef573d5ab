"""The operations a Chinese approval UI offers on a task besides claim and complete:
transfer (转办), delegate and resolve (委派, Camunda's DelegationState), urge (催办), copy
(抄送) and comments (return, withdraw and add signers: task_rewind.py). Each checks the caller's rights first, inside its own transaction,
compares and sets the task row, and writes a history event."""

from dataclasses import dataclass
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

from ..auth.principal import Principal
from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..instances import repository as instance_repo
from ..instances import service as instances
from ..store.jsontext import dumps, loads
from ..taskops import repository as repo
from ..tasks.service import may_work_on, require_ready, visible, workable
from .gates import check_duties
from .unit_of_work import UnitOfWork

PENDING, RESOLVED = "pending", "resolved"
URGE_INTERVAL = timedelta(hours=1)  # a task is urged at most once an hour


def _changed(task_id: str) -> Conflict:
    return Conflict(f"task {task_id} changed concurrently", code="task.version_conflict",
                    params={"task_id": task_id})

async def _hand_over(uow: UnitOfWork, row: Any, actor: str, event: str,
                     data: dict[str, Any], **values: Any) -> None:
    """Change who holds a ready task (versioned on its assignee and delegation state) and
    record the event."""
    if not await repo.update_ready(uow.session, row.id, row.assignee, row.delegation_state,
                                   **values):
        raise _changed(row.id)
    await uow.record(row, actor, event, task_id=row.id, element_id=row.key,
                     element_name=row.name, data=data)


def refuse_pending(row: Any, action: str) -> None:
    """A task its delegate holds is refused every change but resolve (complete and unclaim
    too: commands/tasks.py)."""
    if row.delegation_state == PENDING:
        raise Conflict(f"task {row.id} is delegated to '{row.assignee}': it must be resolved "
                       f"back to '{row.owner}' before it can be {action}",
                       code="task.delegation_pending",
                       params={"task_id": row.id, "assignee": row.assignee,
                               "owner": row.owner, "action": _ACTIONS_ZH.get(action, action)})


_ACTIONS_ZH = {"transferred": "转办", "delegated": "委派", "completed": "办理",
               "unclaimed": "退回认领", "transfer": "转办", "delegate": "委派",
               "returned": "退回", "return": "退回", "add signers to": "加签"}


def not_assignee(row: Any, principal: Principal, action: str) -> Forbidden:
    return Forbidden(f"task {row.id} is assigned to '{row.assignee}'; user "
                     f"'{principal.user}' cannot {action} it", code="task.not_assignee",
                     params={"task_id": row.id, "assignee": row.assignee,
                             "user": principal.user, "action": _ACTIONS_ZH.get(action, action)})

async def acting_on(uow: UnitOfWork, p: Principal, task_id: str, action: str) -> Any:
    """The ready task ``p`` may act on: as its assignee, as a candidate while it is
    unclaimed, or as an administrator of its tenant; refused otherwise."""
    row = await visible(uow.session, p, task_id)
    require_ready(row)
    if not p.administers(row.tenant_id):
        if row.assignee is None:
            row = await workable(uow.session, p, task_id)
        elif row.assignee != p.user:
            raise not_assignee(row, p, action)
    return row


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
        row = await acting_on(uow, p, self.task_id, "transfer")
        refuse_pending(row, "transferred")
        if self.to == (row.assignee or p.user):
            raise _same_user(self.task_id, self.to)
        await check_duties(uow, row, self.to, "taken over by transfer")
        await _hand_over(uow, row, p.user, "task_transferred",
                         {"from": row.assignee, "to": self.to, "reason": self.reason},
                         assignee=self.to, owner=None, delegation_state=None)


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
        refuse_pending(row, "delegated")
        if row.assignee is None:
            raise Conflict(f"task {row.id} is not claimed: claim it before delegating it",
                           code="task.not_claimed", params={"task_id": row.id})
        if row.assignee != p.user:
            raise not_assignee(row, p, "delegate")
        if self.to == p.user:
            raise _same_user(self.task_id, self.to)
        await check_duties(uow, row, self.to, "taken over by delegation")
        await _hand_over(uow, row, p.user, "task_delegated",
                         {"owner": p.user, "delegate": self.to, "reason": self.reason},
                         assignee=self.to, owner=p.user, delegation_state=PENDING)


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
        # The delegate may have decided another body's task since the delegation.
        await check_duties(uow, row, p.user, "resolved")
        draft = {**(loads(row.draft) if row.draft else {}), **self.variables}
        await _hand_over(uow, row, p.user, "task_resolved",
                         {"owner": row.owner, "delegate": p.user,
                          "fields": sorted(self.variables)},
                         assignee=row.owner, delegation_state=RESOLVED,
                         draft=dumps(draft) if draft else None)


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



@dataclass(frozen=True)
class CopyInstance:
    """抄送 a whole instance: read-only copies for other users, by its starter, a tenant
    admin, or whoever holds, owns or completed one of its tasks (an ``instance_copied``
    event naming the users newly copied)."""

    principal: Principal
    instance_id: str
    users: list[str]

    async def run(self, uow: UnitOfWork) -> list[str]:
        p, s = self.principal, uow.session
        instance = await instances.visible(s, p, self.instance_id)
        if not (p.administers(instance.tenant_id) or p.user == instance.started_by
                or await repo.handled_instance(s, instance.id, p.user)):
            raise Forbidden(f"user '{p.user}' may not copy process instance {instance.id}: "
                            "its starter, whoever handled one of its tasks or an "
                            "administrator may", code="instance.cc_not_allowed",
                            params={"instance_id": instance.id, "user": p.user})
        already = await repo.instance_copied_to(s, instance.id)
        new = [u for u in dict.fromkeys(self.users) if u not in already]
        now = uow.ctx.clock.now()
        await repo.insert_instance_copies(s, [
            {"instance_id": instance.id, "user_name": u, "tenant_id": instance.tenant_id,
             "copied_by": p.user, "copied_at": now, "read_at": None} for u in new])
        if new:
            await uow.record(SimpleNamespace(instance_id=instance.id,
                                             tenant_id=instance.tenant_id),
                             p.user, "instance_copied", data={"users": new})
        return new


@dataclass(frozen=True)
class ReadInstanceCopy:
    """Mark the caller's copy of an instance read."""

    principal: Principal
    instance_id: str

    async def run(self, uow: UnitOfWork) -> None:
        p = self.principal
        await instances.visible(uow.session, p, self.instance_id)
        if not await repo.mark_instance_read(uow.session, self.instance_id, p.user,
                                             uow.ctx.clock.now()):
            raise NotFound(f"process instance {self.instance_id} was not copied to "
                           f"'{p.user}'", code="instance.not_copied",
                           params={"instance_id": self.instance_id, "user": p.user})
