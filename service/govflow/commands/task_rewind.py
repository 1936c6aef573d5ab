"""Commands that move an instance back or widen a step: return (退回) and withdraw (撤回)
reset the branch from an earlier task (engine/rewind.py); add signers (加签) adds slots to a
running parallel multi-instance task (engine/signers.py). Rights and the task rows are
checked first, then the plan is made on the instance's engine without changing it, then
one engine step does it."""

from collections.abc import Callable
from dataclasses import dataclass

from ..auth.principal import Principal
from ..engine.rewind import Rewind, RewindRefused
from ..engine.runtime import EngineInstance, StepEvent
from ..engine.signers import SignersRefused
from ..errors import Conflict, Forbidden, Invalid
from ..taskops import repository as repo
from ..tasks import repository as task_repo
from ..tasks.service import visible
from .gates import check_duties
from .task_operations import acting_on, refuse_pending
from .unit_of_work import UnitOfWork


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
        row = await acting_on(uow, p, self.task_id, "return")
        refuse_pending(row, "returned")
        await check_duties(uow, row, p.user, "returned")  # 退回 is this body's decision
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
        row = await acting_on(uow, p, self.task_id, "add signers to")
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
