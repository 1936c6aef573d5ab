"""Migration reads and the per-instance check commands share: where each waiting element
of an instance goes under a plan, and what refuses the move. Nothing here writes."""

import asyncio
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ..auth.permissions import require_tenant_admin
from ..auth.principal import Principal
from ..context import AppContext
from ..diagrams import repository as set_repo
from ..engine import migration as engine_migration
from ..engine.runtime import EngineInstance
from ..engine.specs import DiagramSpecs
from ..errors import Conflict, FieldError, Invalid, NotFound
from ..instances import repository as instance_repo
from ..store.engine_rows import load_rows
from ..store.jsontext import loads, utc
from ..tenants.service import require as require_tenant
from . import repository as repo
from .plan import MigrationPlan, plan_from_json


@dataclass
class Inspection:
    """One instance under a plan: the report the API shows, and the loaded engine."""

    report: dict[str, Any]
    engine: EngineInstance | None = None
    refused: bool = False
    variables: dict[str, Any] = field(default_factory=dict)


def require_admin(principal: Principal, tenant_id: str) -> None:
    """Migrations are a tenant administrator's: 404 for a stranger, 403 for a user."""
    require_tenant_admin(principal, tenant_id)


async def require_set(session: AsyncSession, tenant_id: str, set_id: int, where: str) -> None:
    """422 unless ``set_id`` is a set of this tenant."""
    row = await set_repo.get(session, set_id)
    if row is None or row.tenant_id != tenant_id:
        raise Invalid(f"diagram set {set_id} is not a set of tenant '{tenant_id}'",
                      [FieldError(where, "unknown for this tenant")],
                      code="diagram_set.not_in_tenant", params={"set_id": set_id, "tenant": tenant_id})


async def check_plan(ctx: AppContext, session: AsyncSession, tenant_id: str,
                     plan: MigrationPlan) -> MigrationPlan:
    """The plan with its source resolved (0: the tenant's active set); 422 for a set not
    of this tenant or a map naming unknown elements; 409 for a plan from a set to itself."""
    if plan.source_set_id == 0:
        tenant = await require_tenant(session, tenant_id)
        if tenant.active_set_id is None:
            raise Conflict(f"tenant '{tenant_id}' has no active diagram set",
                           code="tenant.no_active_set", params={"tenant": tenant_id})
        plan = replace(plan, source_set_id=tenant.active_set_id)
    await require_set(session, tenant_id, plan.source_set_id, "body.source_set_id")
    await require_set(session, tenant_id, plan.target_set_id, "body.target_set_id")
    if plan.source_set_id == plan.target_set_id:
        raise Conflict("the source and target sets are the same set",
                       code="migration.same_set")
    await check_maps(ctx, session, plan)
    return plan


async def dry_run(ctx: AppContext, session: AsyncSession, principal: Principal, tenant_id: str,
                  plan: MigrationPlan, limit: int) -> dict[str, Any]:
    """What a batch would do to the first ``limit`` instances; totals over those checked,
    beside how many instances the batch would take. Nothing is written."""
    require_tenant_admin(principal, tenant_id)
    await require_tenant(session, tenant_id)
    plan = await check_plan(ctx, session, tenant_id, plan)
    total = await repo.count_movable(session, tenant_id, plan.source_set_id)
    reports = []
    for instance_id in await repo.movable_ids(session, tenant_id, plan.source_set_id, limit):
        row = await instance_repo.get(session, instance_id)
        reports.append((await inspect(ctx, session, row, plan)).report)
    refused = sum(1 for r in reports if r["refusals"])
    return {"dry_run": True, "plan": plan.as_dict(),
            "totals": {"instances": total, "checked": len(reports),
                       "movable": len(reports) - refused, "refused": refused,
                       "warned": sum(1 for r in reports if r["warnings"])},
            "items": reports}


async def check_maps(ctx: AppContext, session: AsyncSession, plan: MigrationPlan) -> None:
    """422 for an element map naming a process or element neither set knows."""
    source = await ctx.specs.get(session, plan.source_set_id)
    target = await ctx.specs.get(session, plan.target_set_id)
    problems = []
    for process_id, mapping in plan.element_map.items():
        known = _process_spec_names(source, process_id)
        if known is None:
            problems.append(FieldError(f"body.element_map.{process_id}",
                                       "no such process in the source set"))
            continue
        targets = _process_spec_names(target, process_id) or set()
        problems += [FieldError(f"body.element_map.{process_id}.{old}",
                                f"'{old}' is no element of the source set")
                     for old in mapping if old not in known]
        problems += [FieldError(f"body.element_map.{process_id}.{old}",
                                f"'{new}' is no element of the target set")
                     for old, new in mapping.items() if new not in targets]
    if problems:
        raise Invalid("the element map names elements the sets do not have", problems,
                      code="migration.element_map_invalid")


def _process_spec_names(specs: DiagramSpecs, process_id: str) -> set[str] | None:
    for info in specs.processes.values():
        if info.id == process_id:
            return set(info._spec.task_specs)
        sub = info._subprocess_specs.get(process_id)
        if sub is not None:
            return set(sub.task_specs)
    return None


async def inspect(ctx: AppContext, session: AsyncSession, row: Any, plan: MigrationPlan
                  ) -> Inspection:
    """Load the instance (from its committed rows) and check it against the plan."""
    report: dict[str, Any] = {"instance_id": row.id, "business_key": row.business_key,
                              "instance_state": row.state, "current": [], "moves": [], "warnings": [],
                              "refusals": []}
    if row.state not in repo.MOVABLE:
        return _refuse(report, f"the instance is {row.state}")
    if row.diagram_set_id != plan.source_set_id:
        return _refuse(report, f"the instance runs on set {row.diagram_set_id}, not the plan's "
                               f"source set {plan.source_set_id}")
    source = await ctx.specs.get(session, row.diagram_set_id)
    target = await ctx.specs.get(session, plan.target_set_id)
    rows = await load_rows(session, row.id)
    engine = await asyncio.to_thread(EngineInstance.load, source, row.process_id, rows,
                                     row.serializer_version)
    found = engine_migration.check(engine, target, plan.element_map)
    report["current"] = [m.element_id for m in found.moves]
    report["moves"] = [{"process_id": m.process_id, "element_id": m.element_id,
                        "target_id": m.target_id, "kind": m.kind, "task_id": m.task_id}
                       for m in found.moves]
    report["refusals"] = [{"process_id": r.process_id, "element_id": r.element_id,
                           "reason": r.reason} for r in found.refusals]
    variables = _renamed(engine.variables(), plan.variable_map)
    _check_data(report, source, target, row.process_id, found.moves, variables, plan)
    return Inspection(report, engine, bool(report["refusals"]), variables)


def _refuse(report: dict[str, Any], reason: str) -> Inspection:
    report["refusals"].append({"process_id": None, "element_id": None, "reason": reason})
    return Inspection(report, None, True)


def _renamed(variables: dict[str, Any], variable_map: Any) -> dict[str, Any]:
    return {variable_map.get(k, k): v for k, v in variables.items()}


def _check_data(report: dict[str, Any], source: DiagramSpecs, target: DiagramSpecs,
                process_id: str, moves: list[Any], variables: dict[str, Any],
                plan: MigrationPlan) -> None:
    """The target's start form is the data its scripts and conditions count on: a required
    variable the instance lacks refuses it. A waiting task whose form asks for more only
    warns: its assignee fills the new fields."""
    info = target.processes.get(process_id)
    if info is None:
        return
    missing = [k for k in info.start_form.get("required", []) if k not in variables]
    if missing:
        report["refusals"].append({"process_id": process_id, "element_id": None, "reason":
                                   "the target's start form requires variables the instance "
                                   f"does not have: {', '.join(missing)}"})
    for move in moves:
        if move.kind != "user_task":
            continue
        old = source.human_task(process_id, move.element_id)
        new = target.human_task(process_id, move.target_id)
        if old is None or new is None:
            continue
        added = sorted(set(new.form.get("required", [])) - set(old.form.get("required", [])))
        if added:
            report["warnings"].append(f"task '{move.target_id}' now requires "
                                      f"{', '.join(added)}: its assignee fills them")
        if new.due != old.due:
            report["warnings"].append(
                f"task '{move.target_id}' has deadline {new.due!r} (was {old.due!r}): "
                + ("recomputed" if plan.due_dates == "recompute" else "its due date is kept"))
    for old_name, new_name in plan.variable_map.items():
        if old_name not in variables and new_name not in variables:
            report["warnings"].append(f"variable '{old_name}' is not set: nothing to rename")


async def batch_view(session: AsyncSession, principal: Principal, tenant_id: str,
                     batch_id: str, after: int = -1, limit: int = 100,
                     state: str | None = None) -> dict[str, Any]:
    """A batch's plan, progress and a page of its per-instance results."""
    require_tenant_admin(principal, tenant_id)
    batch = await repo.get_batch(session, batch_id)
    if batch is None or batch.tenant_id != tenant_id:
        raise NotFound(f"migration batch {batch_id} does not exist",
                       code="migration.batch_not_found", params={"batch_id": batch_id})
    counts = await repo.counts(session, batch_id)
    items = await repo.items(session, batch_id, after, limit, state)
    plan = plan_from_json(batch.source_set_id, batch.target_set_id, batch.plan)
    return {
        "id": batch.id, "tenant": batch.tenant_id, "state": batch.state,
        "plan": plan.as_dict(), "rollback_of": batch.rollback_of,
        "rolled_back_by": batch.rolled_back_by, "created_by": batch.created_by,
        "created_at": utc(batch.created_at), "finished_at": utc(batch.finished_at),
        "totals": {"total": sum(counts.values()), "done": counts["migrated"],
                   "refused": counts["refused"], "failed": counts["failed"],
                   "remaining": counts["pending"]},
        "items": [{**(loads(i.detail) or {}), "instance_id": i.instance_id,
                   "business_key": i.business_key, "state": i.state, "seq": i.seq,
                   "updated_at": utc(i.updated_at)} for i in items],
        "next_after": items[-1].seq if items and len(items) == limit else None,
    }

