"""Each test has a database and a clock of its own (tests/conftest.py, docs/testing.md): both
runs below find a fresh database, migrated to head with its constraints and sequences, and the
clock at its start, whichever runs first and whatever ran before."""

import pytest
import sqlalchemy as sa
from govflow.store.migrate import head_revision

from tests.conftest import START, deploy
from tests.support.api import ADMIN, API, start, token
from tests.support.sample import sample_set


@pytest.mark.parametrize("run", ["one", "two"])
async def test_every_test_starts_from_a_fresh_database_and_clock(client, ctx, run):
    assert ctx.clock.now() == START
    assert (await client.get(f"{API}/tenants", headers=ADMIN)).json()["items"] == []
    async with ctx.engine.connect() as conn:
        revision = await conn.execute(sa.text("SELECT version_num FROM alembic_version"))
        assert revision.scalar() == head_revision()
    deployed = await deploy(client, "iso", sample_set())
    assert (deployed.status_code, deployed.json()["id"]) == (201, 1)  # sequences start afresh
    instance = await start(client, "iso", token("u", "iso", ("unit",)), business_key=run)
    history = await client.get(f"{API}/process-instances/{instance['id']}/history",
                               headers=ADMIN)
    assert history.json()["items"][0]["id"] == 1
    async with ctx.engine.connect() as conn:
        with pytest.raises(sa.exc.IntegrityError):  # foreign keys hold in the copy
            await conn.execute(sa.text(
                "INSERT INTO diagram_sets (tenant_id, version, content_hash, main_process_id, "
                "processes, decisions, created_by, created_at) VALUES "
                "('nosuch', 1, 'h', 'p', '[]', '[]', 'me', :at)"), {"at": START})
    ctx.clock.advance(days=30)  # the other run must not see this
