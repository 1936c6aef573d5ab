"""Tasks as the API shows them: inbox queries, one task with its form. Claim, unclaim and
complete are commands (commands/tasks.py); the checks they share are here."""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from .. import cursor as pagination
from ..auth.permissions import require_visible
from ..auth.principal import Principal
from ..context import AppContext
from ..documents import fields as document_fields
from ..documents import listing as document_listing
from ..errors import Conflict, Forbidden
from ..plans import service as plans
from ..store.jsontext import loads
from . import repository as repo
from .views import task_summary


async def search(ctx: AppContext, session: AsyncSession, principal: Principal,
                 filters: dict[str, Any], sort: str, offset: int, limit: int,
                 cursor: str | None = None) -> tuple[list[dict[str, Any]], str | None]:
    """Tasks of the caller's tenants matching the inbox filters, and the cursor of the page
    after them."""
    _resolve(ctx, principal, filters)
    after = pagination.decode(sort, cursor) if cursor is not None else None
    rows = await repo.search(session, filters, principal.visible_tenants(), sort, offset, limit,
                             after)
    following = pagination.encode(sort, repo.order(sort).cursor_of(rows[-1], _SORT_ATTR[
        sort.lstrip("-")])) if rows else None
    return [task_summary(r) for r in rows], following


async def count(ctx: AppContext, session: AsyncSession, principal: Principal,
                filters: dict[str, Any]) -> int:
    """How many of the caller's tasks match the inbox filters."""
    _resolve(ctx, principal, filters)
    return await repo.count(session, filters, principal.visible_tenants())


_SORT_ATTR = {"created_at": "created_at", "due_at": "due_at"}


def _resolve(ctx: AppContext, principal: Principal, filters: dict[str, Any]) -> None:
    if filters.get("assignee") == "me":
        filters["assignee"] = principal.user
    if filters.get("candidate_user") == "me":
        filters["candidate_user"] = principal.user
    if filters.get("cc") == "me":
        filters["cc"] = principal.user
    filters["mine"] = principal if filters.get("mine") else None
    filters["now"] = ctx.clock.now()


async def get(ctx: AppContext, session: AsyncSession, principal: Principal, task_id: str
              ) -> dict[str, Any]:
    """A task with its form (JSON Schema) and data: what it submitted once completed; while
    ready, its prefill: the form's fields from this task key's latest submission in this
    instance (a rework loop's earlier round; not for multi-instance slots, whose rounds
    belong to different people) overlaid with its camunda:inputParameters and what a delegate resolved it with
    (its draft). Never another
    task's values, nor process variables that merely share a field's name."""
    row = await visible(session, principal, task_id, with_earlier=True)
    definition = await _definition(ctx, session, row)
    form, ui_schema = _form_and_ui_of(definition)
    gates = [{"clause": g.clause, "expression": g.expression}
             for g in (definition.gates if definition else ())]
    if row.state == "ready":  # file fields: the instance's documents to choose from
        form, ui_schema = await document_fields.offer(session, row.instance_id, form, ui_schema)
    if row.state == "completed":
        data = loads(row.data) or {}
    elif row.state == "ready":
        earlier = None if row.slot is not None else row.earlier_data
        inputs = loads(row.data) if row.data else {}
        draft = loads(row.draft) if row.draft else {}  # what a delegate resolved it with
        fields = form.get("properties", {})
        data = {k: v for k, v in {**(loads(earlier) if earlier else {}), **inputs,
                                  **draft}.items() if k in fields}
    else:
        data = {}
    plan = await plans.task_plan(session, row)  # a plan task: candidates, or what it lists
    form, ui_schema = plans.compile_form(form, ui_schema, plan)
    return {**task_summary(row), "form": form, "ui_schema": ui_schema, "data": data,
            "gates": gates, "annual_plan": plan,
            "documents": await document_listing.on_task(session, row.id)
            if row.has_documents else []}


async def summary(session: AsyncSession, principal: Principal, task_id: str
                  ) -> dict[str, Any]:
    """A task as the inbox shows it."""
    return task_summary(await visible(session, principal, task_id))


async def form_of(ctx: AppContext, session: AsyncSession, row: Any) -> dict[str, Any]:
    return _form_and_ui_of(await _definition(ctx, session, row))[0]


async def _definition(ctx: AppContext, session: AsyncSession, row: Any) -> Any:
    """The task's definition in its diagram set (None if the set no longer has it)."""
    specs = await ctx.specs.get(session, row.diagram_set_id)
    return specs.human_task(row.process_id, row.key)


def _form_and_ui_of(definition: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    if definition is None:
        return {"type": "object"}, {}
    return definition.form, definition.ui_schema


async def visible(session: AsyncSession, principal: Principal, task_id: str,
                  with_earlier: bool = False) -> Any:
    """The task, if the caller may see it (``with_earlier``: with its key's earlier
    submission in the instance as ``earlier_data``, in the same query)."""
    row = await (repo.get_with_earlier if with_earlier else repo.get)(session, task_id)
    require_visible(principal, row.tenant_id if row is not None else None,
                    f"task {task_id} does not exist", "task.not_found", task_id=task_id)
    return row


async def workable(session: AsyncSession, principal: Principal, task_id: str) -> Any:
    return require_workable(principal, task_id, await visible(session, principal, task_id))


async def workable_with_instance(session: AsyncSession, principal: Principal, task_id: str
                                 ) -> tuple[Any, Any]:
    """``workable``, and the task's instance row read in the same query."""
    row, instance = await repo.get_with_instance(session, task_id)
    require_visible(principal, row.tenant_id if row is not None else None,
                    f"task {task_id} does not exist", "task.not_found", task_id=task_id)
    return require_workable(principal, task_id, row), instance


def require_workable(principal: Principal, task_id: str, row: Any) -> Any:
    """The visible task ``row``, if the caller may work on it and it is ready."""
    groups = loads(row.candidate_groups)
    users = loads(row.candidate_users) if row.candidate_users else []
    if not may_work_on(principal, row.assignee, groups, users):
        named = [f"groups {', '.join(groups)}"] if groups else []
        named += [f"users {', '.join(users)}"] if users else []
        raise Forbidden(f"task {task_id} is for {' and '.join(named)}; "
                        f"user '{principal.user}' is none of them",
                        code="task.not_candidate", params={
                            "task_id": task_id, "groups": "、".join(groups + users),
                            "user": principal.user})
    require_ready(row)
    return row


def may_work_on(principal: Principal, assignee: str | None, groups: list[str],
                users: list[str]) -> bool:
    """Its assignee; else, when it names candidates, a candidate user or a member of a
    candidate group; a task that names none is open to the tenant's users."""
    if assignee is not None and assignee == principal.user:
        return True
    if not groups and not users:
        return True
    return principal.user in users or (bool(groups) and principal.may_work_on(groups))


def require_ready(row: Any) -> None:
    if row.state != "ready":
        raise Conflict(f"task {row.id} is {row.state}", code="task.not_ready",
                       params={"task_id": row.id, "state": row.state})
