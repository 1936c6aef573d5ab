"""The annual plan inside commands: plan_compilation completes only with a plan the server
checked (plans/rules.py), and a project that reaches its plan wait after its year's plan was
issued is carried over to the next year's plan at once, in the same transaction, instead of
waiting for a message that was sent already (docs/contract.md "Annual plans")."""

from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from ..instances import repository as instance_repo
from ..instances.messages import Delivery
from ..plans import repository as plan_repo
from ..plans import service as plans

# A project carried from year to year whose every next plan is issued already stops here
# (an instance no plan year will ever take is a data error, not a loop).
MAX_CARRY_OVERS = 20


class Sender(Protocol):
    """What carrying over needs of the unit of work (unit_of_work.py imports this module)."""

    session: AsyncSession

    async def send(self, row: Any, delivery: Delivery, actor: str) -> Any: ...

    def waiting_for(self, instance_ids: list[str], message: str) -> list[str]: ...


async def plan_variables(session: AsyncSession, row: Any, variables: dict[str, Any]
                         ) -> dict[str, Any]:
    """The variables a task completes with: plan_compilation's checked and completed by
    the server (422 naming the item); plan_approval's refused if another plan of the year
    was issued; any other task's as submitted."""
    if row.process_id != plan_repo.PLAN_PROCESS:
        return variables
    if row.key == plans.APPROVE_TASK:
        await plans.check_approval(session, row.tenant_id, row.instance_id, variables)
    if row.key != plans.COMPILE_TASK:
        return variables
    return await plans.check_compilation(session, row.tenant_id, row.instance_id, variables)


async def carry_over_late(uow: Sender, instance_ids: list[str], rounds: int) -> bool:
    """Deliver ``annual_plan_closed`` (thrown by the issued plan) to each of these instances
    that now waits for a plan already issued; whether any was."""
    if rounds >= MAX_CARRY_OVERS:
        return False
    # Only a wait that can be carried over (its diagram catches annual_plan_closed); the
    # unit of work knows what each instance it stepped subscribes to, so a step that
    # reached no such wait (nearly every one) asks the database nothing.
    waiting = await plan_repo.waiting_among(
        uow.session, uow.waiting_for(instance_ids, plan_repo.CLOSED_MESSAGE),
        plan_repo.CLOSED_MESSAGE)
    years = await plan_repo.values_of(uow.session, [r.id for r in waiting],
                                      (plan_repo.PLAN_YEAR,))
    delivered = False
    for row in waiting:
        year = years[row.id].get(plan_repo.PLAN_YEAR)
        if not isinstance(year, int):
            continue
        plan_id = await plan_repo.issued_plan(uow.session, row.tenant_id, year)
        if plan_id is None:
            continue
        instance = await instance_repo.get(uow.session, row.id)
        await uow.send(instance, Delivery(plan_repo.CLOSED_MESSAGE, {}, None, plan_id),
                       "engine")
        delivered = True
    return delivered
