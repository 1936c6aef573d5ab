"""Migrating running instances to another diagram set of their tenant (docs/migration.md).

``StartMigration`` records a batch: the plan and one pending item per instance on the
source set. ``MigrateNext`` (the worker's step) moves one item, in its own transaction: the
item's outcome and the instance's change commit together, so a crash leaves the item
pending and the next worker moves it. ``MigrateInstance`` moves (or checks) one instance at
once. ``RollbackBatch`` records the inverse batch over the instances a batch moved.
Every move is versioned like any step (``UPDATE ... WHERE version = :seen``) and writes a
``migrated`` history event naming the batch and both sets.
"""

import asyncio
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ..auth.permissions import require_tenant_admin
from ..auth.principal import Principal
from ..calendar.due import compute_due
from ..engine import migration as engine_migration
from ..errors import Conflict, NotFound
from ..external import repository as external_repo
from ..instances import repository as instance_repo
from ..instances.service import visible
from ..migration import repository as repo
from ..migration import service
from ..migration.plan import DueDates, MigrationPlan, plan_from_json
from ..store.engine_rows import drop_rows, write_changes
from ..store.jsontext import dumps
from ..tasks import repository as task_repo
from ..tenants.service import require as require_tenant
from ..timers import repository as timer_repo
from .unit_of_work import UnitOfWork


@dataclass(frozen=True)
class StartMigration:
    """A new batch over every running or suspended instance of the tenant on the plan's
    source set (the dry run is a read: ``migration.service.dry_run``)."""

    principal: Principal
    tenant_id: str
    plan: MigrationPlan

    async def run(self, uow: UnitOfWork) -> dict[str, Any]:
        require_tenant_admin(self.principal, self.tenant_id)
        await require_tenant(uow.session, self.tenant_id)
        plan = await service.check_plan(uow.ctx, uow.session, self.tenant_id, self.plan)
        s = uow.session
        batch_id = str(uuid.uuid4())
        await repo.insert_batch(s, _batch_row(batch_id, self.tenant_id, plan,
                                              self.principal.user, uow.ctx.clock.now()))
        ids = await repo.movable_ids(s, self.tenant_id, plan.source_set_id)
        await repo.insert_items(s, batch_id, ids)
        if not ids:
            await repo.set_batch(s, batch_id, state="done", finished_at=uow.ctx.clock.now())
        return {"id": batch_id, "instances": len(ids)}


@dataclass(frozen=True)
class RollbackBatch:
    """A batch that moves the instances ``batch_id`` migrated back, by the inverse plan."""

    principal: Principal
    tenant_id: str
    batch_id: str

    async def run(self, uow: UnitOfWork) -> dict[str, Any]:
        require_tenant_admin(self.principal, self.tenant_id)
        s = uow.session
        batch = await repo.get_batch(s, self.batch_id, lock=True)
        if batch is None or batch.tenant_id != self.tenant_id:
            raise NotFound(f"migration batch {self.batch_id} does not exist",
                           code="migration.batch_not_found", params={"batch_id": self.batch_id})
        if batch.state != "done":
            raise Conflict(f"migration batch {batch.id} is still running: roll it back once "
                           "it is done",
                           code="migration.batch_running", params={"batch_id": batch.id})
        if batch.rolled_back_by is not None:
            raise Conflict(f"migration batch {batch.id} was rolled back by batch "
                           f"{batch.rolled_back_by}",
                           code="migration.batch_rolled_back",
                           params={"batch_id": batch.id, "by": batch.rolled_back_by})
        plan = plan_from_json(batch.source_set_id, batch.target_set_id, batch.plan).inverse()
        new_id = str(uuid.uuid4())
        await repo.insert_batch(s, {**_batch_row(new_id, self.tenant_id, plan,
                                                 self.principal.user, uow.ctx.clock.now()),
                                    "rollback_of": batch.id})
        ids = await repo.migrated_ids(s, batch.id)
        await repo.insert_items(s, new_id, ids)
        await repo.set_batch(s, batch.id, rolled_back_by=new_id)
        if not ids:
            await repo.set_batch(s, new_id, state="done", finished_at=uow.ctx.clock.now())
        return {"id": new_id, "instances": len(ids)}


@dataclass
class MigrateNext:
    """The worker's step: move the next pending item of the oldest running batch (or of
    ``batch_id``); None when there is none. ``claimed`` says which item was taken."""

    actor: str
    skip_locked: bool
    batch_id: str | None = None
    claimed: tuple[str, str] | None = field(default=None, init=False)

    async def run(self, uow: UnitOfWork) -> str | None:
        s = uow.session
        self.claimed = await repo.claim_pending(s, self.skip_locked, self.batch_id)
        if self.claimed is None:
            return None
        batch_id, instance_id = self.claimed
        batch = await repo.get_batch(s, batch_id)
        assert batch is not None  # the item's foreign key
        plan = plan_from_json(batch.source_set_id, batch.target_set_id, batch.plan)
        row = await instance_repo.get(s, instance_id)
        assert row is not None  # the item's foreign key
        report = await migrate_one(uow, row, plan, self.actor, batch_id)
        state = "refused" if report["refusals"] else "migrated"
        await repo.finish_item(s, batch_id, instance_id, state, report, uow.ctx.clock.now())
        await _close_if_done(uow, batch_id)
        return state


@dataclass(frozen=True)
class FailItem:
    """An item whose move raised: ``failed`` with the error; the instance is untouched (its
    move was rolled back)."""

    batch_id: str
    instance_id: str
    error: str

    async def run(self, uow: UnitOfWork) -> bool:
        done = await repo.finish_item(uow.session, self.batch_id, self.instance_id, "failed",
                                      {"error": self.error}, uow.ctx.clock.now())
        await _close_if_done(uow, self.batch_id)
        return done


@dataclass(frozen=True)
class MigrateInstance:
    """One instance to another set of its tenant, at once (``dry_run``: the report only)."""

    principal: Principal
    instance_id: str
    target_set_id: int
    element_map: dict[str, dict[str, str]]
    variable_map: dict[str, str]
    due_dates: DueDates
    dry_run: bool

    async def run(self, uow: UnitOfWork) -> dict[str, Any]:
        row = await visible(uow.session, self.principal, self.instance_id)
        require_tenant_admin(self.principal, row.tenant_id)
        plan = MigrationPlan(row.diagram_set_id, self.target_set_id, self.element_map,
                             self.variable_map, self.due_dates)
        await service.check_plan(uow.ctx, uow.session, row.tenant_id, plan)
        if self.dry_run:
            return (await service.inspect(uow.ctx, uow.session, row, plan)).report
        report = await migrate_one(uow, row, plan, self.principal.user, None)
        if report["refusals"]:
            raise Conflict(f"process instance {row.id} cannot migrate: " + "; ".join(
                r["reason"] for r in report["refusals"]),
                           code="migration.instance_refused", params={"instance_id": row.id})
        return report


def _batch_row(batch_id: str, tenant_id: str, plan: MigrationPlan, actor: str,
               now: datetime) -> dict[str, Any]:
    return {"id": batch_id, "tenant_id": tenant_id, "source_set_id": plan.source_set_id,
            "target_set_id": plan.target_set_id, "plan": plan.to_json(), "state": "running",
            "rollback_of": None, "rolled_back_by": None, "created_by": actor,
            "created_at": now, "finished_at": None}


async def _close_if_done(uow: UnitOfWork, batch_id: str) -> None:
    if not await repo.has_pending(uow.session, batch_id):
        await repo.set_batch(uow.session, batch_id, state="done",
                             finished_at=uow.ctx.clock.now())


async def migrate_one(uow: UnitOfWork, row: Any, plan: MigrationPlan, actor: str,
                      batch_id: str | None) -> dict[str, Any]:
    """Check and, when nothing refuses it, move one instance; its report either way. A
    refused instance is left exactly as it was."""
    ctx, s = uow.ctx, uow.session
    found = await service.inspect(ctx, s, row, plan)
    if found.refused or found.engine is None:
        return found.report
    target = await ctx.specs.get(s, plan.target_set_id)
    ready = {t.id: t for t in await task_repo.ready_of_instance(s, row.id)}
    now = ctx.clock.now()

    def retime(_task_id: str, attached: str | None, deadline: str,
               data: dict[str, Any]) -> str | None:
        if plan.due_dates != "recompute":
            return None
        start = ready[attached].created_at if attached in ready else now
        return compute_due(deadline, _aware(start), data, ctx.calendar).at.astimezone(
            UTC).isoformat()

    try:
        moved = await asyncio.to_thread(engine_migration.migrate, found.engine, target,
                                        plan.element_map, plan.variable_map, retime)
    except engine_migration.MigrationFailed as exc:
        raise Conflict(f"process instance {row.id} cannot migrate: {exc}",
                       code="migration.instance_refused", params={"instance_id": row.id}) from exc
    ctx.instances.discard(row.id)
    uow.after_commit(lambda: ctx.instances.discard(row.id))
    if not await instance_repo.update_versioned(s, row.id, row.version, updated_at=now,
                                                diagram_set_id=plan.target_set_id):
        raise Conflict(f"process instance {row.id} was changed concurrently",
                       code="instance.version_conflict", params={"instance_id": row.id})
    engine = moved.engine
    await drop_rows(s, row.id)
    await write_changes(s, row.id, moved.changes)
    await instance_repo.write_variables(s, row.id, await instance_repo.load_variables(s, row.id),
                                        engine.variables())
    await instance_repo.write_subscriptions(
        s, row.id, row.tenant_id, await instance_repo.load_subscriptions(s, row.id),
        engine.waiting_messages())
    await timer_repo.write(s, row.id, row.tenant_id, await timer_repo.load(s, row.id), {})
    await timer_repo.write(s, row.id, row.tenant_id, {}, engine.waiting_timers(),
                           engine.timer_elements())
    await _rebind_tasks(uow, row, plan, engine, ready)
    for task in engine_migration.external_tasks(engine):  # same id; the new element's topic
        d = task.definition
        await external_repo.update(s, task.id, process_id=task.process_id,
                                   element_id=d.element_id, element_name=d.element_name,
                                   topic=d.topic, priority=d.priority,
                                   outputs=dumps(list(d.outputs)))
    found.report["warnings"] += moved.warnings
    data = {"batch_id": batch_id, "source_set_id": plan.source_set_id,
            "target_set_id": plan.target_set_id, "moves": found.report["moves"],
            "variables_renamed": dict(plan.variable_map), "due_dates": plan.due_dates,
            "warnings": found.report["warnings"]}
    await instance_repo.append_history(s, [instance_repo.history_row(
        row.id, row.tenant_id, now, actor, "migrated", data=data)])
    return found.report


async def _rebind_tasks(uow: UnitOfWork, row: Any, plan: MigrationPlan, engine: Any,
                        ready: dict[str, Any]) -> None:
    """Ready task rows keep id, assignee, creation and data; they take the new element's
    key, name, lane, groups and clause, and (``recompute``) its deadline."""
    ctx, variables = uow.ctx, engine.variables()
    for task in engine.ready_human_tasks():
        old = ready.get(task.id)
        if old is None:
            continue
        d = task.definition
        values: dict[str, Any] = {
            "key": d.key, "name": d.name, "lane": d.lane, "clause": d.clause,
            "candidate_groups": dumps(list(d.candidate_groups)),
            "process_id": task.process_id, "diagram_set_id": plan.target_set_id}
        if plan.due_dates == "recompute":
            if d.due:
                try:
                    due = compute_due(d.due, _aware(old.created_at), variables, ctx.calendar)
                except ValueError as exc:  # counted from a variable the instance lacks
                    raise Conflict(f"process instance {row.id} cannot migrate: task "
                                   f"'{d.key}': {exc}",
                                   code="migration.instance_refused",
                                   params={"instance_id": row.id}) from exc
                values.update(due_at=due.at, due_estimated=due.estimated)
            else:
                values.update(due_at=None, due_estimated=False)
        await repo.rebind_task(uow.session, task.id, values, d.candidate_groups)


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)
