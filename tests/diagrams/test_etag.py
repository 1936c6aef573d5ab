"""Diagram files and drawings carry an ETag: a browser that holds them asks with
If-None-Match and gets 304 without the body. Rights come first: a 304 is never an answer
to a caller who may not see the diagram."""

from tests.conftest import deploy
from tests.support.api import ADMIN, API, UNIT, complete, start, token
from tests.support.sample import sample_set


async def deployed(client) -> str:
    response = await deploy(client, "demo", sample_set())
    assert response.status_code == 201, response.text
    return f"{API}/diagram-sets/{response.json()['id']}/processes/project"


async def test_bpmn_and_svg_answer_304_to_the_etag_they_gave(client):
    base = await deployed(client)
    for suffix, lifetime in (("/bpmn", "immutable"), ("/svg", "max-age=86400")):
        first = await client.get(base + suffix, headers=UNIT)
        assert first.status_code == 200
        tag = first.headers["etag"]
        assert tag.startswith('"')
        assert lifetime in first.headers["cache-control"]
        assert first.headers["cache-control"].startswith("private")
        again = await client.get(base + suffix, headers={**UNIT, "If-None-Match": tag})
        assert again.status_code == 304
        assert again.content == b""
        assert again.headers["etag"] == tag
        weak = await client.get(base + suffix, headers={**UNIT, "If-None-Match": f"W/{tag}"})
        assert weak.status_code == 304
        other = await client.get(base + suffix, headers={**UNIT, "If-None-Match": '"nope"'})
        assert other.status_code == 200
        assert other.content == first.content


async def test_no_304_without_the_right_to_see(client):
    base = await deployed(client)
    tag = (await client.get(base + "/bpmn", headers=UNIT)).headers["etag"]
    assert (await client.get(base + "/bpmn", headers={"If-None-Match": tag})).status_code == 401
    stranger = {**token("x", "elsewhere"), "If-None-Match": tag}
    assert (await client.get(base + "/bpmn", headers=stranger)).status_code == 404


async def test_an_instance_drawing_is_revalidated_and_changes_with_it(client):
    await deployed(client)
    instance = await start(client, "demo", UNIT, variables={})
    url = f"{API}/process-instances/{instance['id']}/svg"
    first = await client.get(url, headers=ADMIN)
    assert first.headers["cache-control"] == "private, no-cache"
    tag = first.headers["etag"]
    assert (await client.get(url, headers={**ADMIN, "If-None-Match": tag})).status_code == 304
    await complete(client, instance, "declare", {"project_name": "x", "total_investment": 10,
                                                 "plan_year": 2027, "crypto_relevant": False},
                   UNIT)
    moved = await client.get(url, headers={**ADMIN, "If-None-Match": tag})
    assert moved.status_code == 200
    assert moved.headers["etag"] != tag
