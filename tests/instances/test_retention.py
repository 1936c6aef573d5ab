"""History retention: `govflow history cleanup` deletes instances that ended longer ago than
the TTL, whole, and never touches running, suspended or failed ones, however old."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from govflow.cli import main as cli
from govflow.commands import retention
from govflow.store.tables import metadata

from tests.conftest import deploy
from tests.support.api import ADMIN, API, token
from tests.support.sample import linear

UNIT = token("ur", "keep", ("unit",))


async def start(client) -> dict:  # type: ignore[no-untyped-def]
    response = await client.post(f"{API}/tenants/keep/process-instances", json={}, headers=UNIT)
    assert response.status_code == 201, response.text
    return response.json()


async def finish(client, instance: dict) -> None:  # type: ignore[no-untyped-def]
    task = instance["ready_tasks"][0]
    done = await client.post(f"{API}/tasks/{task['id']}/complete", json={"variables": {}},
                             headers=UNIT)
    assert done.json()["state"] == "completed"


async def rows_of(ctx, instance_id: str) -> dict[str, int]:  # type: ignore[no-untyped-def]
    counts = {}
    async with ctx.engine.connect() as conn:
        for table in metadata.sorted_tables:
            column = table.c.get("instance_id") if table.name != "process_instances" \
                else table.c.id
            if column is not None:
                counts[table.name] = await conn.scalar(
                    sa.select(sa.func.count()).select_from(table).where(column == instance_id))
    return {name: n for name, n in counts.items() if n}


async def test_cleanup_deletes_only_instances_ended_before_the_ttl(client, ctx):
    assert (await deploy(client, "keep", {"l.bpmn": linear(1)})).status_code == 201
    old_done = await start(client)
    await finish(client, old_done)
    old_terminated = await start(client)
    assert (await client.post(f"{API}/process-instances/{old_terminated['id']}/terminate",
                              json={"reason": "撤销"}, headers=ADMIN)).status_code == 200
    old_running = await start(client)
    old_suspended = await start(client)
    assert (await client.post(f"{API}/process-instances/{old_suspended['id']}/suspend",
                              headers=ADMIN)).status_code == 200
    ctx.clock.set(ctx.clock.now() + timedelta(days=40))
    recent_done = await start(client)
    await finish(client, recent_done)
    ctx.clock.set(ctx.clock.now() + timedelta(days=5))

    assert await retention.cleanup(ctx, timedelta(days=30), batch=1) == 2

    for gone in (old_done, old_terminated):
        response = await client.get(f"{API}/process-instances/{gone['id']}", headers=UNIT)
        assert response.status_code == 404
        assert await rows_of(ctx, gone["id"]) == {}
    for kept in (old_running, old_suspended, recent_done):
        response = await client.get(f"{API}/process-instances/{kept['id']}/history",
                                    headers=UNIT)
        assert response.status_code == 200
        assert response.json()["items"]
    # The old running instance still works.
    await finish(client, old_running)
    assert await retention.cleanup(ctx, timedelta(days=30)) == 0


def test_cleanup_without_a_ttl_is_refused(tmp_path, monkeypatch, capsys):
    from govflow.settings import get_settings

    monkeypatch.setenv("GOVFLOW_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'r.db'}")
    monkeypatch.delenv("GOVFLOW_HISTORY_TTL_DAYS", raising=False)
    get_settings.cache_clear()
    try:
        with pytest.raises(SystemExit) as exited:
            cli(["history", "cleanup"])
        assert exited.value.code == 2
    finally:
        get_settings.cache_clear()
    assert "GOVFLOW_HISTORY_TTL_DAYS" in capsys.readouterr().err
