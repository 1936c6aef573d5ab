"""What a process does before it says it is ready, so no first request pays for it:
parse the diagram sets in use, compile their forms' validators, run the hot queries once
(statement compilation, the driver's type introspection, pooled connections), and load the
most recently active running instances into the instance cache (``warm_instances``, at
most the cache's size), so the first step on each after a restart is a warm one.

The app's lifespan runs this before uvicorn accepts a request, so ``/readyz`` (and every
other path) answers only once it is done; ``serve --workers N`` warms each worker."""

import logging
import time
from typing import Any

import sqlalchemy as sa

from .context import AppContext
from .instances import repository as instance_repo
from .instances.loading import load_stored, rebuild
from .store.tables import process_instances, tenants
from .tasks import repository as task_repo
from .tasks.forms import compile_form

log = logging.getLogger("govflow.warmup")


async def warm(ctx: AppContext) -> dict[str, int]:
    """Returns what was warmed (for the log line)."""
    started = time.perf_counter()
    async with ctx.sessions() as session:
        active = (await session.execute(
            sa.select(tenants.c.active_set_id).where(tenants.c.active_set_id.is_not(None))
        )).scalars().all()
        # Sets older instances still run on, most used first, as many as the registry keeps.
        running = (await session.execute(
            sa.select(process_instances.c.diagram_set_id)
            .where(process_instances.c.state == "running")
            .group_by(process_instances.c.diagram_set_id)
            .order_by(sa.func.count().desc()).limit(ctx.specs.capacity))).scalars().all()
        set_ids = list(dict.fromkeys([*active, *running]))[:ctx.specs.capacity]
        forms = 0
        for set_id in set_ids:
            try:
                specs = await ctx.specs.get(session, set_id)
            except Exception:
                # Not a reason to stay down: its own requests fail as they would have.
                log.exception("diagram set %s does not parse; not warmed", set_id)
                continue
            for info in specs.processes.values():
                forms += _compile(info.start_form)
                for human in info.human_tasks:
                    forms += _compile(human.form)
        # The listings and the instance read, once each: compiled, prepared, introspected.
        now = ctx.clock.now()
        await task_repo.search(session, {"now": now}, [], "created_at", 0, 1)
        await task_repo.count(session, {"now": now, "state": "ready"}, [])
        await instance_repo.search(session, {}, [], 0, 1)
        await instance_repo.get(session, "")
        await instance_repo.load_variables(session, "")
        instances = await _warm_instances(ctx, session)
    done = {"diagram_sets": len(set_ids), "forms": forms, "instances": instances,
            "ms": round((time.perf_counter() - started) * 1000)}
    log.info("warmed up", extra=done)
    return done


CHUNK = 100  # instances read per query


async def _warm_instances(ctx: AppContext, session: Any) -> int:
    """Load the most recently active running instances into the cache, oldest of them
    first so the most recent end up the last evicted; how many were loaded. An instance
    (or its set) that does not load is skipped: its own requests fail as they would have."""
    limit = min(ctx.settings.warm_instances, ctx.instances.capacity)
    if limit <= 0:
        return 0
    rows = (await session.execute(
        sa.select(process_instances).where(process_instances.c.state == "running")
        .order_by(process_instances.c.updated_at.desc()).limit(limit))).all()
    rows.reverse()
    loaded, broken = 0, set()
    for at in range(0, len(rows), CHUNK):
        chunk = [r for r in rows[at:at + CHUNK] if r.diagram_set_id not in broken]
        stored = await load_stored(session, [r.id for r in chunk])
        for row in chunk:
            try:
                specs = await ctx.specs.get(session, row.diagram_set_id)
            except Exception:  # noqa: BLE001 - logged above, with the sets in use
                broken.add(row.diagram_set_id)
                continue
            try:
                entry = await rebuild(specs, row, stored[row.id])
            except Exception:
                log.warning("instance %s does not load; not warmed", row.id, exc_info=True)
                continue
            ctx.instances.checkin(row.id, entry)
            loaded += 1
    return loaded


def _compile(form: dict[str, Any]) -> int:
    compile_form(form)
    return 1
