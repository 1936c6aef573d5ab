"""What a process does before it says it is ready, so no first request pays for it:
parse the diagram sets in use, compile their forms' validators, and run the hot queries
once (statement compilation, the driver's type introspection, pooled connections).

The app's lifespan runs this before uvicorn accepts a request, so ``/readyz`` (and every
other path) answers only once it is done; ``serve --workers N`` warms each worker."""

import logging
import time
from typing import Any

import sqlalchemy as sa

from .context import AppContext
from .instances import repository as instance_repo
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
    done = {"diagram_sets": len(set_ids), "forms": forms,
            "ms": round((time.perf_counter() - started) * 1000)}
    log.info("warmed up", extra=done)
    return done


def _compile(form: dict[str, Any]) -> int:
    compile_form(form)
    return 1
