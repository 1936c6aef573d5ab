"""The four bundled sets: loaded by serve on a fresh database, and swapped safely."""

import pytest
from govflow.bootstrap import load_bundled

from tests.support.api import ADMIN, API, complete, ready, start, token
from tests.support.bundled import ROOT, bundled

CITIES = {"zhaoyuan": "招远市", "gaoqing": "高青县", "shizuishan": "石嘴山市", "heyuan": "河源市"}


@pytest.fixture(autouse=True)
async def loaded(ctx):
    return await load_bundled(ctx, ROOT)


async def test_serve_loads_every_city_with_its_name_and_an_active_set(client, loaded):
    assert sorted(line.split(":")[0] for line in loaded) == sorted(CITIES)
    tenants = (await client.get(f"{API}/tenants", headers=ADMIN)).json()["items"]
    assert {t["id"]: t["name"] for t in tenants} == CITIES
    for tenant in tenants:
        assert tenant["active_diagram_set"]["main_process_id"] == f"{tenant['id']}_project"


async def test_loading_again_changes_nothing(ctx, client):
    again = await load_bundled(ctx, ROOT)
    assert all(line.endswith("(unchanged)") for line in again)


async def test_a_changed_copy_of_a_city_set_swaps_without_touching_running_instances(client):
    unit = token("u", "heyuan", ("unit",))
    variables = {"project_name": "数字档案", "applicant_unit": "市档案馆",
                 "total_investment": 30, "plan_year": 2027, "secret": False,
                 "crypto_relevant": False, "project_class": "professional",
                 "in_yearly_list": True}
    old = await start(client, "heyuan", unit, business_key="OLD", variables=variables)
    files = bundled("heyuan")
    main = "declaration.bpmn"  # the stage of 河源's set that holds 立项申报
    renamed = 'id="declare" name="方案编制论证及立项申报（2027版）"'
    files[main] = files[main].replace('id="declare" name="方案编制论证及立项申报"'.encode(),
                                      renamed.encode())
    assert files[main] != bundled("heyuan")[main], "the test's edit did not apply"
    upload = await client.post(
        f"{API}/tenants/heyuan/diagram-sets", headers=ADMIN, data={"activate": "true"},
        files=[("files", (n, c, "application/xml")) for n, c in files.items()])
    assert upload.status_code == 201, upload.text
    new = await start(client, "heyuan", unit, business_key="NEW", variables=variables)
    assert new["diagram_set_id"] == upload.json()["id"] != old["diagram_set_id"]
    assert ready(new, "declare")["name"] == "方案编制论证及立项申报（2027版）"
    assert ready(old, "declare")["name"] == "方案编制论证及立项申报"
    moved = await complete(client, old, "declare", await declaration(client, old, unit), unit)
    assert moved["diagram_set_id"] == old["diagram_set_id"]
    assert moved["version"] == old["version"] + 1


async def declaration(client, instance: dict, user: dict) -> dict:
    """Values for every required field of the instance's declare form (``user`` uploads the
    documents its file fields ask for)."""
    task = ready(instance, "declare")
    form = (await client.get(f"{API}/tasks/{task['id']}", headers=ADMIN)).json()["form"]
    values = {"boolean": True, "string": "已提供", "number": 1, "integer": 1, "array": []}
    answers = {}
    for name, prop in form["properties"].items():
        if name not in form.get("required", []):
            continue
        if "x-govflow-document" in prop:  # a required material: upload a document for it
            response = await client.post(
                f"{API}/tasks/{task['id']}/documents", headers=user,
                files={"file": (f"{name}.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")})
            assert response.status_code == 201, response.text
            answers[name] = response.json()["id"]
        else:
            answers[name] = prop["enum"][0] if "enum" in prop else values[prop.get("type", "string")]
    return answers
