"""Commands on human tasks: complete (Camunda 7's ``CompleteTaskCmd``), claim, unclaim.
Each reads the task inside its own transaction and checks it there; each writes history."""

from dataclasses import dataclass
from typing import Any

from ..auth.principal import Principal
from ..errors import Conflict, Forbidden
from ..store.jsontext import loads
from ..tasks import repository as repo
from ..tasks.forms import refuse_read_only, validate_variables
from ..tasks.service import form_of, require_ready, visible, workable, workable_with_instance
from .documents import use_documents
from .gates import check_duties, check_gates, gated_form
from .plan_arrivals import plan_variables
from .task_operations import refuse_pending
from .unit_of_work import UnitOfWork


@dataclass(frozen=True)
class CompleteTask:
    """Validate the variables against the task's form, complete it, run the instance on;
    the instance's id."""

    principal: Principal
    task_id: str
    variables: dict[str, Any]

    async def run(self, uow: UnitOfWork) -> str:
        row, instance = await workable_with_instance(uow.session, self.principal, self.task_id)
        uow.preloaded(instance)  # the step below reads no instance row again
        if row.assignee is not None and row.assignee != self.principal.user:
            raise Forbidden(f"task {self.task_id} is claimed by '{row.assignee}'",
                            code="task.claimed_by_other",
                            params={"task_id": self.task_id, "assignee": row.assignee})
        refuse_pending(row, "completed")
        await check_duties(uow, row, self.principal.user, "completed")
        form = await form_of(uow.ctx, uow.session, row)
        validate_variables(await gated_form(uow, row, form), self.variables)
        refuse_read_only(form, self.variables, loads(row.data) if row.data else {})
        variables = await plan_variables(uow.session, row, self.variables)
        await use_documents(uow, row, form, self.variables, self.principal.user)
        task_id, user = self.task_id, self.principal.user
        await check_gates(uow, row, variables)
        await uow.step(row.instance_id, lambda e: e.complete_task(task_id, variables, user),
                       user)
        return str(row.instance_id)


@dataclass(frozen=True)
class ClaimTask:
    """Make the caller the task's assignee (a ``task_claimed`` event)."""

    principal: Principal
    task_id: str

    async def run(self, uow: UnitOfWork) -> None:
        row = await workable(uow.session, self.principal, self.task_id)
        if row.assignee == self.principal.user:
            return
        await check_duties(uow, row, self.principal.user, "claimed")
        if row.assignee is not None or not await repo.set_assignee(
                uow.session, self.task_id, None, self.principal.user):
            raise Conflict(f"task {self.task_id} is already claimed by '{row.assignee}'",
                           code="task.already_claimed",
                           params={"task_id": self.task_id, "assignee": row.assignee})
        await uow.record(row, self.principal.user, "task_claimed", task_id=row.id,
                         element_id=row.key, element_name=row.name,
                         data={"assignee": self.principal.user})


@dataclass(frozen=True)
class UnclaimTask:
    """Give the task back to its candidate groups (the assignee or an admin; a
    ``task_unclaimed`` event)."""

    principal: Principal
    task_id: str

    async def run(self, uow: UnitOfWork) -> None:
        row = await visible(uow.session, self.principal, self.task_id)
        require_ready(row)
        if row.assignee is None:
            return
        refuse_pending(row, "unclaimed")
        if row.assignee != self.principal.user and not self.principal.administers(row.tenant_id):
            raise Forbidden(f"task {self.task_id} is claimed by '{row.assignee}'",
                            code="task.claimed_by_other",
                            params={"task_id": self.task_id, "assignee": row.assignee})
        if not await repo.set_assignee(uow.session, self.task_id, row.assignee, None):
            raise Conflict(f"task {self.task_id} changed concurrently",
                           code="task.version_conflict", params={"task_id": self.task_id})
        await uow.record(row, self.principal.user, "task_unclaimed", task_id=row.id,
                         element_id=row.key, element_name=row.name,
                         data={"previous_assignee": row.assignee})
