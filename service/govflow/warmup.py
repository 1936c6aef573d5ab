"""What a process does before it says it is ready, so no first request pays for it:
parse the diagram sets in use, compile their forms' validators, run the hot queries once
(statement compilation, the driver's type introspection), open the connection pool's
connections, and load the
most recently active running instances into the instance cache (``warm_instances``, at
most the cache's size), so the first step on each after a restart is a warm one. The
statements a completion writes are rehearsed too, in a transaction that is rolled back
(``_rehearse_writes``): compiled once, prepared on every pooled connection.

The app's lifespan runs this before uvicorn accepts a request, so ``/readyz`` (and every
other path) answers only once it is done; ``serve --workers N`` warms each worker."""

import asyncio
import logging
import time
import uuid
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa

from .context import AppContext
from .documents import listing as document_listing
from .engine.errors import DiagramError
from .engine.rows import SERIALIZER_VERSION
from .feed import repository as feed_repo
from .instances import repository as instance_repo
from .instances.loading import load_stored, rebuild
from .store.engine_rows import drop_rows, write_changes
from .store.tables import diagram_sets, process_instances, tenants
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
        scratch = (await session.execute(  # where the write rehearsal runs: a set in use
            sa.select(diagram_sets.c.id, diagram_sets.c.tenant_id,
                      diagram_sets.c.main_process_id)
            .where(diagram_sets.c.id == set_ids[0]))).first() if set_ids else None
        forms = 0
        for set_id in set_ids:
            try:
                specs = await ctx.specs.get(session, set_id)
            except DiagramError as error:
                # Not a reason to stay down: its own requests fail as they would have.
                log.warning("diagram set %s does not parse; not warmed: %s", set_id, error)
                continue
            except Exception:
                log.exception("diagram set %s does not load; not warmed", set_id)
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
    held = await _open_pool(ctx)
    try:
        rehearsed = await _rehearse_writes(ctx, scratch, held)
    finally:
        for connection in held:
            await connection.close()  # back to the pool: open, its statements prepared
    pooled = len(held)
    done = {"diagram_sets": len(set_ids), "forms": forms, "instances": instances,
            "writes": rehearsed, "connections": pooled,
            "ms": round((time.perf_counter() - started) * 1000)}
    log.info("warmed up", extra=done)
    return done


async def _open_pool(ctx: AppContext) -> list[Any]:
    """Open the pool's connections now (PostgreSQL), all at once, and hold them: under load,
    each request that found the pool short waited for a new connection -- a PostgreSQL
    backend started, authenticated, its types introspected -- and those waits were the
    slowest answers of a run (bench/throughput.py's p99 at 32 clients). The caller gives
    them back; none on SQLite."""
    if ctx.engine.dialect.name != "postgresql":
        return []
    connections = [ctx.engine.connect() for _ in range(ctx.settings.db_pool_size)]
    results = await asyncio.gather(*(c.start() for c in connections), return_exceptions=True)
    opened = [c for c, result in zip(connections, results, strict=True)
              if not isinstance(result, BaseException)]
    if len(opened) < len(connections):  # fewer now; the pool opens more when they are needed
        log.warning("opened %d of the pool's %d connections", len(opened), len(connections))
    return opened


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


async def _rehearse_writes(ctx: AppContext, scratch: Any, held: list[Any]) -> int:
    """Run the statements a task's GET and completion run -- the task and instance reads,
    the version bump, engine rows, variables, task rows, history, the outbox's webhook
    lookup, the answer's reads -- on a scratch instance of the set ``scratch`` (its id,
    tenant and main process), then roll it all back: nothing is left in the database, and the
    first completion after a start no longer pays for compiling them (a first completion cost
    about twice a warm one before).

    On every ``held`` connection of the pool at once (PostgreSQL; SQLite: one connection):
    statements are prepared per connection, and a request handed one that had never run them
    paid a parse-and-describe round trip for each (the first completion after a restart took
    1.4-1.7 times a warm one). How many statements one rehearsal ran; 0 when no set is in
    use (a new database has nothing to warm)."""
    if scratch is None:
        return 0
    if held:
        counts = await asyncio.gather(*(_rehearse_on(ctx, c, scratch) for c in held))
        return max(counts)
    async with ctx.engine.connect() as connection:
        return await _rehearse_on(ctx, connection, scratch)


async def _rehearse_on(ctx: AppContext, connection: Any, scratch: Any) -> int:
    async with ctx.sessions(bind=connection) as session:
        try:
            return await _writes(ctx, session, scratch.id, scratch.tenant_id,
                                 scratch.main_process_id)
        except Exception:
            log.warning("rehearsing the write statements failed", exc_info=True)
            return 0
        finally:
            await session.rollback()


class _Counting:
    """The session, counting the statements sent through it."""

    def __init__(self, session: Any) -> None:
        self.session, self.sent = session, 0

    async def execute(self, *args: Any, **kwargs: Any) -> Any:
        self.sent += 1
        return await self.session.execute(*args, **kwargs)


async def _writes(ctx: AppContext, real: Any, set_id: int, tenant_id: str,
                  process_id: str) -> int:
    counted = _Counting(real)
    session: Any = counted  # what the repositories call it with: a session's execute
    now, scratch, task_id = ctx.clock.now(), str(uuid.uuid4()), str(uuid.uuid4())
    row = instance_repo.instance_row(scratch, tenant_id, set_id, process_id, None, "warmup",
                                     now, SERIALIZER_VERSION)
    await instance_repo.insert(session, row)
    definition = SimpleNamespace(key="warmup", name="warmup", lane=None, clause=None)
    task = SimpleNamespace(id=task_id, process_id=process_id, definition=definition,
                           candidate_groups=("warmup",), candidate_users=(), slot=None,
                           assignee=None, inputs=None)
    await task_repo.insert_tasks(session, [task_repo.task_row(task, row, now, None, False)])
    # GET /tasks/{id}: the task, an earlier round's submission, its documents.
    await task_repo.get(session, task_id)
    await task_repo.get_with_earlier(session, task_id)
    await document_listing.on_task(session, task_id)
    # The completion: its reads, then what a step writes (one row and several rows: a
    # list of several is an executemany, compiled apart).
    await task_repo.get_with_instance(session, task_id)
    await instance_repo.get(session, scratch)
    await instance_repo.update_versioned(session, scratch, 0, updated_at=now)
    one = ("warmup", 0, "h", "{}")
    await write_changes(session, scratch, SimpleNamespace(inserted=[one], updated=[],
                                                           deleted=[]))
    await write_changes(session, scratch, SimpleNamespace(inserted=[], updated=[one],
                                                           deleted=["none"]))
    await write_changes(session, scratch, SimpleNamespace(inserted=[], updated=[one, one],
                                                           deleted=[]))
    await instance_repo.write_variables(session, scratch, {}, {"a": 1})
    await instance_repo.write_variables(session, scratch, {"a": 1}, {"a": 2})
    finished = {"b_id": task_id, "b_state": "completed", "b_at": now, "b_by": "warmup",
                "b_data": "{}"}
    await task_repo.finish_tasks(session, [finished])
    await task_repo.finish_tasks(session, [finished, {**finished, "b_id": "none"}])
    events = [instance_repo.history_row(scratch, tenant_id, now, "warmup", event, "warmup",
                                        "warmup", task_id, None)
              for event in ("task_completed", "task_created")]
    await instance_repo.append_history(session, events[:1])
    await instance_repo.append_history(session, events)
    await feed_repo.enqueue(session, events, now)
    # The answer: the instance with its ready tasks and variables.
    await instance_repo.get_listed_with_variables(session, scratch)
    await task_repo.ready_of_instance(session, scratch)
    await instance_repo.update_versioned(session, scratch, 1, updated_at=now,
                                         state="completed", ended_at=now, outcome=None)
    await drop_rows(session, scratch)
    return counted.sent


def _compile(form: dict[str, Any]) -> int:
    compile_form(form)
    return 1
