"""A process parses the diagram sets in use and compiles their forms before it serves its
first request: nothing is left for the first caller to wait on."""

import pytest
from govflow.main import create_app
from govflow.tasks import forms

from tests.conftest import deploy
from tests.support.api import complete, start, token
from tests.support.sample import linear, sample_set


async def test_start_up_parses_the_sets_in_use_and_compiles_their_forms(client, ctx):
    assert (await deploy(client, "warm", sample_set())).status_code == 201
    old_set = ctx.specs._specs.copy()
    await start(client, "warm", token("ua", "warm", ("unit",)),
                variables={"project_name": "电子证照", "total_investment": 80,
                           "plan_year": 2026, "crypto_relevant": False})
    # A new active set: the instance above still runs on the old one.
    assert (await deploy(client, "warm", {"linear.bpmn": linear(3)},
                         activate=True)).status_code == 201
    in_use = set(ctx.specs._specs) | set(old_set)
    ctx.specs._specs.clear()  # as a new process finds them
    forms._validator.cache_clear()

    app = create_app(ctx, run_worker=False)
    async with app.router.lifespan_context(app):
        assert in_use <= set(ctx.specs._specs)
        assert forms._validator.cache_info().currsize > 0


async def test_a_set_that_no_longer_parses_does_not_keep_the_process_down(client, ctx, caplog):
    import logging

    import sqlalchemy as sa

    from tests.conftest import ADMIN

    await client.put("/api/v1/tenants/broken", json={"name": "broken"}, headers=ADMIN)
    async with ctx.engine.begin() as conn:
        set_id = (await conn.execute(sa.text(
            "INSERT INTO diagram_sets (tenant_id, version, content_hash, main_process_id, "
            "processes, decisions, created_by, created_at) VALUES ('broken', 1, 'h', 'p', '[]', "
            "'[]', 'root', '2026-03-02 09:00:00+00') RETURNING id"))).scalar_one()
        await conn.execute(sa.text("UPDATE tenants SET active_set_id = :s WHERE id = 'broken'"),
                           {"s": set_id})
    ctx.specs._specs.clear()
    app = create_app(ctx, run_worker=False)
    with caplog.at_level(logging.WARNING, logger="govflow.warmup"):
        async with app.router.lifespan_context(app):
            assert set_id not in ctx.specs._specs
            ready = await client.get("/readyz")
            assert ready.status_code == 200
    # One line naming the set and why, not a traceback.
    said = [r for r in caplog.records if r.name == "govflow.warmup" and "not warmed" in
            r.getMessage()]
    assert len(said) == 1
    assert said[0].exc_info is None
    assert f"diagram set {set_id}" in said[0].getMessage()
    assert said[0].getMessage().endswith(
        "not warmed: a diagram set needs at least one .bpmn file")


async def _three_instances(client, ctx) -> list[dict]:
    """Three running instances; the first's task completed last, so the first and the third
    are the two most recently active."""
    from datetime import timedelta

    assert (await deploy(client, "recent", {"linear.bpmn": linear(3)})).status_code == 201
    headers = token("ur", "recent", ("unit",))
    started = []
    for _ in range(3):
        ctx.clock.set(ctx.clock.now() + timedelta(minutes=1))
        started.append(await start(client, "recent", headers))
    ctx.clock.set(ctx.clock.now() + timedelta(minutes=1))
    first = await complete(client, started[0], "t0", {}, headers)
    return [first, started[1], started[2]]


async def test_start_up_loads_the_most_recently_active_instances(client, ctx):
    first, second, third = await _three_instances(client, ctx)
    ctx.instances._entries.clear()  # as a new process finds it
    ctx.settings.warm_instances = 2
    app = create_app(ctx, run_worker=False)
    async with app.router.lifespan_context(app):
        assert set(ctx.instances._entries) == {first["id"], third["id"]}
        hits, misses = ctx.instances.hits, ctx.instances.misses
        done = await complete(client, first, "t1", {}, token("ur", "recent", ("unit",)))
        # The step (and any check before it) found the instance in memory, at its
        # version, and went on as ever.
        assert ctx.instances.misses == misses
        assert ctx.instances.hits > hits
        assert [t["key"] for t in done["ready_tasks"]] == ["t2"]
        assert second["id"] not in ctx.instances._entries


async def test_warming_no_instances_leaves_the_first_step_to_load_its_rows(client, ctx):
    first, _, _ = await _three_instances(client, ctx)
    ctx.instances._entries.clear()
    ctx.settings.warm_instances = 0
    app = create_app(ctx, run_worker=False)
    async with app.router.lifespan_context(app):
        assert not ctx.instances._entries
        misses = ctx.instances.misses
        done = await complete(client, first, "t1", {}, token("ur", "recent", ("unit",)))
        assert ctx.instances.misses == misses + 1
        assert [t["key"] for t in done["ready_tasks"]] == ["t2"]


async def test_start_up_rehearses_the_write_statements_and_leaves_no_trace(client, ctx):
    """A completion's write statements run once before the first request (compiled,
    prepared), in a transaction that is rolled back: no row anywhere changes."""
    import sqlalchemy as sa
    from govflow.store.tables import metadata
    from govflow.warmup import warm

    first, _, _ = await _three_instances(client, ctx)

    async def snapshot() -> dict[str, list]:
        async with ctx.engine.connect() as conn:
            return {t.name: sorted(map(repr, (await conn.execute(sa.select(t))).all()))
                    for t in metadata.sorted_tables}

    before = await snapshot()
    statements: list[str] = []
    listener = lambda *args: statements.append(args[2])
    sa.event.listen(ctx.engine.sync_engine, "before_cursor_execute", listener)
    try:
        done = await warm(ctx)
    finally:
        sa.event.remove(ctx.engine.sync_engine, "before_cursor_execute", listener)
    assert done["writes"] > 0
    for written in ("UPDATE process_instances", "INSERT INTO tasks", "INSERT INTO history",
                    "UPDATE engine_rows", "UPDATE tasks"):
        assert any(s.startswith(written) for s in statements), written
    assert await snapshot() == before
    # The first completion after it goes on as ever.
    done_step = await complete(client, first, "t1", {}, token("ur", "recent", ("unit",)))
    assert [t["key"] for t in done_step["ready_tasks"]] == ["t2"]


async def test_warm_up_opens_the_connection_pool_on_postgresql(client, ctx):
    from govflow.warmup import warm

    await warm(ctx)
    pool = ctx.engine.pool
    if ctx.engine.dialect.name == "postgresql":
        assert pool.checkedin() >= ctx.settings.db_pool_size  # open, waiting in the pool
    assert pool.checkedout() == 0  # every one given back


def test_settling_freezes_what_is_alive_and_sets_the_thresholds():
    import gc

    from govflow.gc_tuning import settle

    before, frozen = gc.get_threshold(), gc.get_freeze_count()
    try:
        settle((10_000, 20, 100))
        assert gc.get_threshold() == (10_000, 20, 100)
        assert gc.get_freeze_count() > frozen
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)


def test_gc_thresholds_are_checked():
    import pytest
    from govflow.settings import Settings
    from pydantic import ValidationError

    assert Settings(gc_thresholds=(700, 10, 10)).gc_thresholds == (700, 10, 10)
    for bad in ((-1, 10, 10), (700, 10), (10**9, 1, 1)):
        with pytest.raises(ValidationError):
            Settings(gc_thresholds=bad)


async def test_every_pooled_connection_has_the_hot_statements_prepared(client, ctx):
    """The first requests after a start, whichever connection the pool hands them, find the
    completion's statements prepared (no parse round trip on a connection that never ran
    them)."""
    import sqlalchemy as sa
    from govflow.warmup import warm

    if ctx.engine.dialect.name != "postgresql":
        pytest.skip("prepared statements per connection are PostgreSQL's")
    await _three_instances(client, ctx)
    await ctx.engine.dispose()  # a restart: no connection has prepared anything
    done = await warm(ctx)
    assert done["connections"] >= ctx.settings.db_pool_size
    held = [await ctx.engine.connect() for _ in range(ctx.settings.db_pool_size)]
    try:
        for connection in held:
            prepared = (await connection.execute(sa.text(
                "SELECT statement FROM pg_prepared_statements"))).scalars().all()
            for written in ("UPDATE process_instances", "INSERT INTO tasks",
                            "INSERT INTO history", "UPDATE tasks"):
                assert any(s.lstrip().startswith(written) for s in prepared), written
    finally:
        for connection in held:
            await connection.close()


async def test_every_route_is_built_before_the_first_request(client, ctx, monkeypatch):
    """FastAPI builds a route's dependencies and models at its first match; the app builds
    them all during start-up, so the first completion does not pay for it."""
    import fastapi.routing
    import httpx

    lazy = getattr(fastapi.routing, "_EffectiveRouteContext", None)
    if lazy is None:
        pytest.skip("this FastAPI builds routes when they are added")
    instance = (await _three_instances(client, ctx))[0]
    app = create_app(ctx, run_worker=False)
    async with app.router.lifespan_context(app):
        built: list[str] = []
        original = lazy.from_api_route.__func__

        def counting(cls, **kwargs):
            built.append(kwargs["original_route"].path)
            return original(cls, **kwargs)

        monkeypatch.setattr(lazy, "from_api_route", classmethod(counting))
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://test") as fresh:
            headers = token("ur", "recent", ("unit",))
            task_id = instance["ready_tasks"][0]["id"]
            assert (await fresh.get(f"/api/v1/tasks/{task_id}", headers=headers)
                    ).status_code == 200
            done = await fresh.post(f"/api/v1/tasks/{task_id}/complete",
                                    json={"variables": {}}, headers=headers)
            assert done.status_code == 200, done.text
            assert (await fresh.get("/api/v1/tasks", headers=headers)).status_code == 200
    assert built == []
