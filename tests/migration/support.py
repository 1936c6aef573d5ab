"""What the city migration tests share: deploying the set and its edited version, reading an
instance and its timers, and the walk of a plan that refuses one project and moves another."""

from datetime import UTC, datetime

import sqlalchemy as sa
from govflow.migration.worker import MigrationWorker
from govflow.store.tables import timers

from tests.conftest import deploy
from tests.support.api import ADMIN, API, snapshot


async def two_versions(client, tenant: str, old: dict[str, bytes], new: dict[str, bytes],
                       **first: str) -> tuple[int, int]:
    """Deploy ``old`` then ``new`` as two versions of the tenant's set (``first``: what the
    first deploy passes, e.g. the tenant's name); their ids."""
    ids = []
    for files, extra in ((old, first), (new, {})):
        response = await deploy(client, tenant, files, **extra)
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    return ids[0], ids[1]


async def fetch(client, instance: dict) -> dict:
    response = await client.get(f"{API}/process-instances/{instance['id']}", headers=ADMIN)
    assert response.status_code == 200, response.text
    return response.json()


async def timer_due(ctx, instance_id: str) -> list[datetime]:
    async with ctx.sessions() as session:
        rows = await session.execute(sa.select(timers.c.due_at)
                                     .where(timers.c.instance_id == instance_id))
        return sorted(d if d.tzinfo else d.replace(tzinfo=UTC) for d in rows.scalars())


async def refuses_one_and_moves_the_other(client, ctx, tenant: str, admin: dict, plan: dict,
                                          refused_id: str, element_id: str,
                                          moved: dict) -> None:
    """The dry run names ``refused_id`` as refused at ``element_id`` (no mapping); the batch
    then moves ``moved`` to the plan's target set and leaves the refused one as it was."""
    untouched = await snapshot(client, refused_id)
    dry = await client.post(f"{API}/tenants/{tenant}/migrations", headers=admin,
                            json=plan | {"dry_run": True})
    assert dry.status_code == 200, dry.text
    assert dry.json()["totals"]["refused"] == 1
    refused = next(i for i in dry.json()["items"] if i["instance_id"] == refused_id)
    assert refused["refusals"][0]["element_id"] == element_id
    assert "no mapping" in refused["refusals"][0]["reason"]

    response = await client.post(f"{API}/tenants/{tenant}/migrations", headers=admin,
                                 json=plan)
    assert response.status_code == 202, response.text
    await MigrationWorker(ctx).drain()
    done = (await client.get(f"{API}/tenants/{tenant}/migrations/{response.json()['id']}",
                             headers=admin)).json()
    assert done["totals"] == {"total": 2, "done": 1, "refused": 1, "failed": 0, "remaining": 0}
    assert await snapshot(client, refused_id) == untouched
    assert (await fetch(client, moved))["diagram_set_id"] == plan["target_set_id"]
