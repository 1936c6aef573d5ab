"""A global administrator (admin of '*') is a distinct right from a tenant administrator.

The calendar and new tenants belong to every tenant at once: only a global admin changes
them. A tenant admin deploys, activates, suspends, resumes and terminates in its own
tenants, and renames them.
"""

import pytest

from tests.conftest import deploy
from tests.support.api import ADMIN, API, start, token
from tests.support.sample import sample_set

# Admin of demo, and of newtown, which does not exist yet.
TENANT_ADMIN = token("ta", ("demo", "newtown"), (), admin=True)
FAR_UNIT = token("fu", "far", ("unit",))
DEMO_UNIT = token("du", "demo", ("unit",))
ARRANGEMENT = {"days_off": ["2031-01-01", *(f"2031-10-0{d}" for d in range(1, 8))],
               "make_up_workdays": ["2031-09-28", "2031-10-11"],
               "source": "国办发明电〔2030〕9号"}


@pytest.fixture(autouse=True)
async def deployed(client):
    await deploy(client, "demo", sample_set())
    await deploy(client, "far", sample_set(), name="远方")


async def test_tenant_admin_may_not_load_or_drop_a_calendar_year(client):
    url = f"{API}/calendar/years/2031"
    refused = await client.put(url, json=ARRANGEMENT, headers=TENANT_ADMIN)
    assert refused.status_code == 403
    assert "global administrator" in refused.json()["detail"]
    assert (await client.get(url, headers=TENANT_ADMIN)).json()["official"] is False
    assert (await client.put(url, json=ARRANGEMENT, headers=ADMIN)).status_code == 201
    assert (await client.delete(url, headers=TENANT_ADMIN)).status_code == 403
    assert (await client.get(url, headers=ADMIN)).json()["official"] is True
    assert (await client.delete(url, headers=ADMIN)).status_code == 200


async def test_only_a_global_admin_creates_tenants(client):
    named = await client.put(f"{API}/tenants/newtown", json={"name": "新镇"},
                             headers=TENANT_ADMIN)
    assert named.status_code == 403  # named in its token, but creating is global
    assert "global administrator" in named.json()["detail"]
    assert (await client.get(f"{API}/tenants/newtown", headers=ADMIN)).status_code == 404
    created = await client.put(f"{API}/tenants/newtown", json={"name": "新镇"}, headers=ADMIN)
    assert created.status_code == 201
    renamed = await client.put(f"{API}/tenants/newtown", json={"name": "新镇区"},
                               headers=TENANT_ADMIN)
    assert (renamed.status_code, renamed.json()["name"]) == (200, "新镇区")
    # Another tenant's existing id answers exactly like an id nobody has used.
    other = await client.put(f"{API}/tenants/far", json={"name": "改名"}, headers=TENANT_ADMIN)
    missing = await client.put(f"{API}/tenants/nowhere", json={"name": "改名"},
                               headers=TENANT_ADMIN)
    assert other.status_code == missing.status_code == 403
    assert other.json()["detail"].replace("far", "<id>") == \
        missing.json()["detail"].replace("nowhere", "<id>")
    assert "tenant 'far'" in other.json()["detail"]
    assert (await client.get(f"{API}/tenants/far", headers=ADMIN)).json()["name"] == "远方"


async def test_tenant_admin_runs_its_own_tenant_only(client):
    upload = await client.post(
        f"{API}/tenants/demo/diagram-sets", headers=TENANT_ADMIN, data={"activate": "true"},
        files=[("files", (n, c + b"\n", "application/xml")) for n, c in sample_set().items()])
    assert upload.status_code == 201, upload.text
    mine = await start(client, "demo", DEMO_UNIT)
    for action in ("suspend", "resume"):
        done = await client.post(f"{API}/process-instances/{mine['id']}/{action}",
                                 headers=TENANT_ADMIN)
        assert done.status_code == 200, done.text
    theirs = await start(client, "far", FAR_UNIT)
    refused = await client.post(f"{API}/process-instances/{theirs['id']}/suspend",
                                headers=TENANT_ADMIN)
    assert refused.status_code == 404
    ended = await client.post(f"{API}/process-instances/{mine['id']}/terminate",
                              json={"reason": "测试"}, headers=TENANT_ADMIN)
    assert ended.json()["state"] == "terminated"
    far = (await client.get(f"{API}/process-instances/{theirs['id']}", headers=ADMIN)).json()
    assert far["state"] == "running"
