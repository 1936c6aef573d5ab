"""The annual plan as the API shows and checks it: the candidates of a plan year (projects
that passed review), the plan compiled from them, and the check plan_compilation's
completion must pass (rules.py). Reads only; commands/tasks.py runs the check inside the
completing transaction, commands/plan_arrivals.py carries late projects over."""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ..auth.permissions import require_visible_tenant, tenant_not_found
from ..auth.principal import Principal
from ..context import AppContext
from ..errors import Conflict, FieldError, Forbidden, Invalid
from ..instances import repository as instance_repo
from ..tenants import repository as tenant_repo
from . import repository as repo
from .rules import Candidate, Elsewhere, problems, refuse, total

COMPILE_TASK, APPROVE_TASK = "plan_compilation", "plan_approval"
# A second body's signature on the compiled plan before its approval, where the text has the
# plan compiled jointly (招远 第十条 中心会同财政局汇总): it shows the plan as compiled.
COUNTERSIGN_TASK = "plan_countersign"
PLAN_TASKS = (COMPILE_TASK, COUNTERSIGN_TASK, APPROVE_TASK)
# Variables the server writes on plan_compilation's completion (never typed).
SERVER_VARIABLES = ("plan_items", "plan_total", "plan_left_out", "plan_candidates")


async def candidates(session: AsyncSession, tenant_id: str, year: int) -> list[Candidate]:
    """Projects that passed review and wait for ``year``'s plan, by business key."""
    rows = [r for r in await repo.waiting_for_plan(session, tenant_id, year)
            if r.business_key is not None]
    values = await repo.values_of(session, [r.id for r in rows],
                                  (*repo.AMOUNT_VARIABLES, repo.NAME_VARIABLE))
    return [Candidate(r.business_key, r.id, _text(values[r.id].get(repo.NAME_VARIABLE)),
                      _amount(values[r.id])) for r in rows]


async def check_compilation(session: AsyncSession, tenant_id: str, plan_instance_id: str,
                            submitted: dict[str, Any]) -> dict[str, Any]:
    """The variables plan_compilation completes with: what was submitted, checked against
    the candidates of the plan's year (422 naming the item), plus the items, total and
    left-out projects the server computed."""
    year = (await instance_repo.load_variables(session, plan_instance_id)).get(repo.PLAN_YEAR)
    if not isinstance(year, int) or isinstance(year, bool):
        raise Invalid(f"the plan process has no plan year (plan_year is {year!r})",
                      code="plan.year_missing", params={"value": repr(year)})
    if await repo.issued_plan(session, tenant_id, year, other_than=plan_instance_id):
        raise Conflict(f"the annual plan for {year} was issued already; a project that "
                       "finishes review now goes to the next year's plan",
                       code="plan.already_issued", params={"year": year})
    listed = list(submitted.get("projects") or [])
    amounts = submitted.get("amounts") or {}
    found = {c.business_key: c for c in await candidates(session, tenant_id, year)}
    others = [k for k in listed if k not in found]
    elsewhere = await _elsewhere(session, tenant_id, others)
    errors = problems(year, listed, found, elsewhere, amounts, submitted.get("plan_total"))
    if errors:
        raise refuse(errors)
    items = [found[k].as_item() for k in listed]
    return {**submitted, "plan_items": items,
            "plan_total": total([i["amount"] for i in items]),
            "plan_left_out": [k for k in found if k not in listed],
            "plan_candidates": len(found)}


def refuse_server_variables(process_id: str, variables: dict[str, Any]) -> None:
    """An annual plan is not started with what only its own completions write: the server's
    figures and ``approved`` (which, true, makes the plan issued). 422
    ``plan.server_variable`` naming each."""
    if process_id != repo.PLAN_PROCESS:
        return
    forged = [n for n in (*SERVER_VARIABLES, repo.ISSUED) if n in variables]
    if forged:
        raise Invalid(f"an annual plan is not started with {', '.join(forged)}: the server "
                      "writes them when the plan is compiled and approved", [
                          FieldError(f"variables.{n}", "written by the server, not at the start",
                                     {"field": n}, code="plan.server_variable")
                          for n in forged],
                      code="plan.server_variable", params={"names": "、".join(forged)})


async def check_approval(session: AsyncSession, tenant_id: str, plan_instance_id: str,
                         submitted: dict[str, Any]) -> None:
    """plan_approval issues the plan only if no other plan of its year was issued (409
    ``plan.already_issued``), also when two are approved at once: a rival plan compiled
    before the first was issued stays unissued; sending it back (``approved`` false) is
    still allowed."""
    if submitted.get(repo.ISSUED) is not True:
        return
    year = (await instance_repo.load_variables(session, plan_instance_id)).get(repo.PLAN_YEAR)
    if not isinstance(year, int):
        return
    await repo.lock_plans_of_year(session, tenant_id, year)  # a rival approval waits here
    if await repo.issued_plan(session, tenant_id, year, other_than=plan_instance_id):
        raise Conflict(f"the annual plan for {year} was issued already by another plan; "
                       "this one cannot be issued too", code="plan.already_issued",
                       params={"year": year})


async def annual_plan(ctx: AppContext, session: AsyncSession, principal: Principal,
                      tenant_id: str, year: int) -> dict[str, Any]:
    """A plan year as the hub, finance and government see it: the candidates, and each
    plan process of the year with what it lists."""
    await _require_plan_reader(ctx, session, principal, tenant_id)
    plans = []
    for row in await repo.plans_of_year(session, tenant_id, year):
        plans.append(_plan(row.id, row.state,
                           await instance_repo.load_variables(session, row.id)))
    return {"tenant": tenant_id, "year": year,
            "candidates": [c.as_item() for c in await candidates(session, tenant_id, year)],
            "plans": plans}


async def task_plan(session: AsyncSession, row: Any) -> dict[str, Any] | None:
    """What a plan task shows beside its form: the candidates to choose from
    (plan_compilation) and the plan as compiled (plan_countersign, plan_approval, and any
    of them once done)."""
    if row.key not in PLAN_TASKS or row.process_id != repo.PLAN_PROCESS:
        return None
    variables = await instance_repo.load_variables(session, row.instance_id)
    year = variables.get(repo.PLAN_YEAR)
    view = _plan(row.instance_id, None, variables)
    if row.key == COMPILE_TASK and row.state == "ready" and isinstance(year, int):
        view["candidates"] = [c.as_item() for c in await candidates(session, row.tenant_id,
                                                                     year)]
    return view


def compile_form(form: dict[str, Any], ui_schema: dict[str, Any],
                 plan: dict[str, Any] | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """plan_compilation's form with its candidates as the options of ``projects`` (a list
    of checkboxes, each labelled with the project's name and amount)."""
    options = (plan or {}).get("candidates")
    projects = form.get("properties", {}).get("projects")
    if options is None or not isinstance(projects, dict):
        return form, ui_schema
    keys = [c["business_key"] for c in options]
    labels = [f"{c['business_key']} {c['project_name'] or ''}（{c['amount']}万元）"
              for c in options]
    form = {**form, "properties": {**form["properties"], "projects": {
        **projects, "uniqueItems": True, "items": {"type": "string", "enum": keys}}}}
    ui = dict(ui_schema)
    ui["projects"] = {**ui.get("projects", {}), "ui:widget": "checkboxes",
                      "ui:enumNames": labels}
    return form, ui


def _plan(instance_id: str, state: str | None, variables: dict[str, Any]) -> dict[str, Any]:
    issued = variables.get(repo.ISSUED) is True and "plan_items" in variables
    plan = {"instance_id": instance_id, "year": variables.get(repo.PLAN_YEAR),
            "compiled": "plan_items" in variables, "issued": issued,
            "items": variables.get("plan_items") or [],
            "total": variables.get("plan_total"),
            "left_out": variables.get("plan_left_out") or []}
    if state is not None:
        plan["state"] = state
    return plan


async def _elsewhere(session: AsyncSession, tenant_id: str, keys: list[str]
                     ) -> dict[str, Elsewhere | None]:
    rows = await repo.by_business_key(session, tenant_id, set(keys))
    ids = [r.id for group in rows.values() for r in group]
    years = await repo.values_of(session, ids, (repo.PLAN_YEAR,))
    waiting = {r.id for r in await repo.waiting_among(session, ids)}
    found: dict[str, Elsewhere | None] = {}
    for key in keys:
        group = rows.get(key)
        if not group:
            found[key] = None
            continue
        row = next((r for r in group if r.id in waiting), group[-1])
        found[key] = Elsewhere(row.state, years[row.id].get(repo.PLAN_YEAR), row.id in waiting)
    return found


async def _require_plan_reader(ctx: AppContext, session: AsyncSession, principal: Principal,
                               tenant_id: str) -> None:
    """A plan is read by the bodies that compile and approve it (the candidate groups of
    the active set's plan tasks) and the tenant's administrators; 404 for another tenant."""
    require_visible_tenant(principal, tenant_id)
    tenant = await tenant_repo.get(session, tenant_id)
    if tenant is None:
        raise tenant_not_found(tenant_id)
    if principal.administers(tenant_id):
        return
    groups: set[str] = set()
    if tenant.active_set_id is not None:
        specs = await ctx.specs.get(session, tenant.active_set_id)
        for key in PLAN_TASKS:
            task = specs.human_task(repo.PLAN_PROCESS, key)
            groups.update(task.candidate_groups if task is not None else ())
    if not groups or not principal.may_work_on(sorted(groups)):
        raise Forbidden(f"the annual plan of tenant '{tenant_id}' is for groups "
                        f"{', '.join(sorted(groups)) or '(none)'}; user '{principal.user}' "
                        "is in none of them", code="plan.not_reader",
                        params={"tenant": tenant_id, "groups": "、".join(sorted(groups)),
                                "user": principal.user})


def _amount(values: dict[str, Any]) -> float | None:
    for name in repo.AMOUNT_VARIABLES:
        value = values.get(name)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
    return None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None
