"""History pages: ``offset`` skips that many events (it once was an event id, so ?offset=3
returned page one again), ``cursor`` continues after the last event seen."""

from tests.conftest import deploy
from tests.support.api import ADMIN, API, UNIT, complete, history, start
from tests.support.sample import sample_set


async def walked(client):
    assert (await deploy(client, "demo", sample_set())).status_code == 201
    instance = await start(client, "demo", UNIT, business_key="2027-009", variables={})
    await complete(client, instance, "declare", {"project_name": "x", "total_investment": 10,
                                                 "plan_year": 2027, "crypto_relevant": False},
                   UNIT)
    return instance["id"]


async def page(client, instance_id, **params):
    response = await client.get(f"{API}/process-instances/{instance_id}/history",
                                params=params, headers=ADMIN)
    assert response.status_code == 200, response.text
    return response.json()


async def test_offset_skips_events(client):
    instance_id = await walked(client)
    every = await history(client, instance_id)
    assert len(every) > 4
    assert (await page(client, instance_id, offset=3))["items"] == every[3:]
    first = await page(client, instance_id, limit=2)
    assert first["items"] == every[:2]
    assert first["next"] == 2
    second = await page(client, instance_id, limit=2, offset=first["next"])
    assert second["items"] == every[2:4]
    assert (await page(client, instance_id, offset=len(every)))["items"] == []


async def test_cursor_walks_every_event_once(client):
    instance_id = await walked(client)
    every = await history(client, instance_id)
    seen, cursor = [], None
    while True:
        body = await page(client, instance_id, limit=2, **({"cursor": cursor} if cursor else {}))
        seen += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == every


async def test_bad_cursors_and_both_at_once_are_refused(client):
    instance_id = await walked(client)
    cursor = (await page(client, instance_id, limit=1))["next_cursor"]
    both = await client.get(f"{API}/process-instances/{instance_id}/history",
                            params={"cursor": cursor, "offset": 1}, headers=ADMIN)
    assert both.status_code == 422
    tasks_cursor = (await client.get(f"{API}/tasks", params={"limit": 1},
                                     headers=ADMIN)).json()["next_cursor"]
    for bad in ("bm90LWEtY3Vyc29y", tasks_cursor):
        response = await client.get(f"{API}/process-instances/{instance_id}/history",
                                    params={"cursor": bad}, headers=ADMIN)
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["loc"] == "query.cursor"
