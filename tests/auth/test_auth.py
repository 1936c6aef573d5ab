"""Bearer tokens on every endpoint but health and OpenAPI; tenants fence users in."""

from datetime import UTC, datetime, timedelta

import pytest
from govflow.auth.principal import Principal
from govflow.auth.tokens import mint

from tests.conftest import SECRET, deploy
from tests.support.api import ADMIN, API, start, token
from tests.support.sample import sample_set


@pytest.fixture(autouse=True)
async def deployed(client):
    await deploy(client, "demo", sample_set())
    await deploy(client, "far", sample_set())


@pytest.mark.parametrize("path", ["/api/v1/tenants", "/api/v1/tasks", "/api/v1/process-instances"])
async def test_no_token_is_401_problem(client, path):
    response = await client.get(path)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"] == "Bearer"


async def test_forged_and_expired_tokens_are_401(client):
    forged = mint("another-secret-entirely-different-0123456789",
                  Principal("eve", ("*",), (), True), datetime.now(UTC), timedelta(hours=1))
    response = await client.get(f"{API}/tenants", headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401
    expired = mint(SECRET, Principal("old", ("*",), (), True),
                   datetime.now(UTC) - timedelta(days=2), timedelta(hours=1))
    response = await client.get(f"{API}/tenants", headers={"Authorization": f"Bearer {expired}"})
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


async def test_health_and_openapi_need_no_token(client):
    assert (await client.get("/healthz")).status_code == 200
    assert (await client.get("/readyz")).json()["status"] == "ready"
    spec = (await client.get("/openapi.json")).json()
    assert "/api/v1/tasks/{task_id}/complete" in spec["paths"]


async def test_users_see_only_their_tenants(client):
    local = token("u", "demo", ("unit",))
    tenants = (await client.get(f"{API}/tenants", headers=local)).json()["items"]
    assert [t["id"] for t in tenants] == ["demo"]
    instance = await start(client, "far", token("f", "far", ("unit",)))
    assert (await client.get(f"{API}/process-instances/{instance['id']}",
                             headers=local)).status_code == 404
    listed = (await client.get(f"{API}/process-instances", headers=local)).json()["items"]
    assert instance["id"] not in [i["id"] for i in listed]
    started = await client.post(f"{API}/tenants/far/process-instances", json={}, headers=local)
    assert started.status_code == 404


async def test_only_admins_create_tenants(client):
    response = await client.put(f"{API}/tenants/newcity", json={"name": "新城"},
                                headers=token("u", "*", ("unit",)))
    assert response.status_code == 403
    created = await client.put(f"{API}/tenants/newcity", json={"name": "新城"}, headers=ADMIN)
    assert created.status_code == 201
    renamed = await client.put(f"{API}/tenants/newcity", json={"name": "新城区"}, headers=ADMIN)
    assert (renamed.status_code, renamed.json()["name"]) == (200, "新城区")
    bad = await client.put(f"{API}/tenants/New%20City", json={"name": "x"}, headers=ADMIN)
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["loc"] == "path.tenant"


async def test_metrics_count_requests(client):
    await client.get("/healthz")
    text = (await client.get("/metrics")).text
    assert 'govflow_http_requests_total{method="GET",route="/healthz",status="200"}' in text
