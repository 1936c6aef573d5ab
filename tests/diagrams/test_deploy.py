"""Deploying diagram sets: validation naming file, line and element; duplicates; swaps."""

import io
import zipfile

import pytest

from tests.conftest import deploy
from tests.support.api import ADMIN, API, complete, ready, start, token
from tests.support.sample import sample_set
from tools.bpmn_builder import ProcessBuilder

UNIT = token("ua", "swap", ("unit",))


def single_task(process_id: str = "p", script: str | None = None,
                condition: str | None = None, due: str | None = None) -> bytes:
    b = ProcessBuilder(process_id, lanes=[("unit", "单位")])
    b.start("s")
    b.user_task("declare", "申报", candidate_groups=["unit"], due=due)
    last = "declare"
    if script is not None:
        b.script_task("calc", "计算", script=script)
        b.flow("declare", "calc")
        last = "calc"
    b.end("e")
    if condition is not None:
        b.exclusive_gateway("gw", default="Flow_gw_e")
        b.end("e_cond")
        b.flow(last, "gw")
        b.flow("gw", "e_cond", id="Flow_cond", condition=condition)
        b.flow("gw", "e")
        last = None
    b.flow("s", "declare")
    if last:
        b.flow(last, "e")
    return b.to_xml()


async def sets_of(client, tenant: str) -> list[dict]:
    return (await client.get(f"{API}/tenants/{tenant}/diagram-sets", headers=ADMIN)).json()[
        "items"]


async def test_deploy_stores_a_version_and_activates_the_first(client):
    response = await deploy(client, "alpha", sample_set())
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["version"], body["active"], body["main_process_id"]) == (1, True, "project")
    assert {p["id"] for p in body["processes"]} == {"project", "acceptance_process",
                                                    "annual_plan"}
    assert body["decisions"] == ["review_mode"]
    tenants = (await client.get(f"{API}/tenants", headers=ADMIN)).json()["items"]
    alpha = next(t for t in tenants if t["id"] == "alpha")
    assert alpha["active_diagram_set"]["id"] == body["id"]


async def test_identical_upload_returns_the_existing_version(client):
    first = (await deploy(client, "dup", sample_set())).json()
    again = await deploy(client, "dup", dict(reversed(list(sample_set().items()))))
    assert again.status_code == 200
    assert again.json()["id"] == first["id"]
    assert len(await sets_of(client, "dup")) == 1


async def test_zip_upload_is_one_set(client):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in sample_set().items():
            archive.writestr(f"set/{name}", content)
    response = await deploy(client, "zipped", {"set.zip": buffer.getvalue()})
    assert response.status_code == 201, response.text
    assert response.json()["main_process_id"] == "project"


@pytest.mark.parametrize(("files", "file", "element", "words"), [
    ({"p.bpmn": single_task().replace(b'targetRef="e"', b'targetRef="nowhere"')},
     "p.bpmn", None, "nowhere"),
    ({"p.bpmn": single_task(script="import os\nos.system('id')")}, "p.bpmn", "calc", "import"),
    ({"p.bpmn": single_task(script="x = ().__class__.__bases__")}, "p.bpmn", "calc",
     "__class__"),
    ({"p.bpmn": single_task(script="y = '{0.__class__}'.format(1)")}, "p.bpmn", "calc",
     "format"),
    ({"p.bpmn": single_task(condition="open('/etc/passwd')")}, "p.bpmn", "Flow_cond", "open"),
    ({"p.bpmn": single_task(due="10 days")}, "p.bpmn", "declare", "10 days"),
    ({"p.bpmn": b"<definitions><unclosed></definitions>"}, "p.bpmn", None, "well-formed"),
    ({"p.bpmn": single_task(), "notes.txt": b"hello"}, "notes.txt", None, ".bpmn"),
])
async def test_invalid_set_names_file_and_element_and_stores_nothing(client, files, file,
                                                                     element, words):
    response = await deploy(client, "bad", files)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert response.headers["content-type"] == "application/problem+json"
    error = problem["errors"][0]
    assert error["loc"] == file
    if element:
        assert error["element"] == element
        assert isinstance(error["line"], int)
    assert words in error["msg"] or words in problem["detail"]
    assert await sets_of(client, "bad") == []


async def test_dtd_and_entities_are_refused(client):
    evil = (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            + single_task().split(b"?>", 1)[1])
    response = await deploy(client, "dtd", {"p.bpmn": evil})
    assert response.status_code == 422
    assert "DTD" in response.json()["errors"][0]["msg"]


async def test_only_admins_deploy_and_swap(client):
    await deploy(client, "guarded", sample_set())
    response = await client.post(
        f"{API}/tenants/guarded/diagram-sets", headers=token("u", "guarded", ("unit",)),
        files=[("files", ("p.bpmn", single_task(), "application/xml"))])
    assert response.status_code == 403
    swap = await client.put(f"{API}/tenants/guarded/active-set", json={"diagram_set_id": 1},
                            headers=token("u", "guarded", ("unit",)))
    assert swap.status_code == 403


async def test_swap_keeps_running_instances_on_their_version(client):
    v1 = (await deploy(client, "swap", {"p.bpmn": single_task()})).json()
    old = await start(client, "swap", UNIT, business_key="OLD")
    changed = single_task().replace('name="申报"'.encode(), 'name="项目申报（新版）"'.encode())
    v2 = (await deploy(client, "swap", {"p.bpmn": changed}, activate=False)).json()
    assert (v2["version"], v2["active"]) == (2, False)
    assert (await start(client, "swap", UNIT))["diagram_set_id"] == v1["id"]
    swapped = await client.put(f"{API}/tenants/swap/active-set",
                               json={"diagram_set_id": v2["id"]}, headers=ADMIN)
    assert swapped.json()["active_diagram_set"]["version"] == 2
    new = await start(client, "swap", UNIT, business_key="NEW")
    assert new["diagram_set_id"] == v2["id"]
    assert ready(new, "declare")["name"] == "项目申报（新版）"
    assert ready(old, "declare")["name"] == "申报"
    done = await complete(client, old, "declare", {}, UNIT)
    assert (done["state"], done["diagram_set_id"]) == ("completed", v1["id"])
    versions = [s["version"] for s in await sets_of(client, "swap")]
    assert versions == [2, 1]
    wrong = await client.put(f"{API}/tenants/swap/active-set", json={"diagram_set_id": 99999},
                             headers=ADMIN)
    assert wrong.status_code == 422


async def test_process_metadata_xml_and_svg(client):
    body = (await deploy(client, "meta", sample_set())).json()
    meta = (await client.get(f"{API}/diagram-sets/{body['id']}/processes/project",
                             headers=ADMIN)).json()
    declare = next(t for t in meta["tasks"] if t["key"] == "declare")
    assert declare["lane"] == "项目建设单位"
    assert declare["clause"] == "示例 第一条"
    assert meta["called_processes"] == ["acceptance_process"]
    xml = await client.get(f"{API}/diagram-sets/{body['id']}/processes/project/bpmn",
                           headers=ADMIN)
    assert xml.headers["content-type"].startswith("application/xml")
    assert b'id="declare"' in xml.content
    svg = await client.get(f"{API}/diagram-sets/{body['id']}/processes/project/svg",
                           headers=ADMIN)
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert 'data-element-id="declare"' in svg.text
    missing = await client.get(f"{API}/diagram-sets/{body['id']}/processes/nope",
                               headers=ADMIN)
    assert missing.status_code == 404


async def test_a_script_failing_at_run_time_fails_the_step_and_writes_nothing(client):
    await deploy(client, "runtime", {"p.bpmn": single_task(script="x = missing_variable + 1")})
    headers = token("ua", "runtime", ("unit",))
    instance = await start(client, "runtime", headers)
    task = ready(instance, "declare")
    response = await client.post(f"{API}/tasks/{task['id']}/complete", json={"variables": {}},
                                 headers=headers)
    assert response.status_code == 422
    assert "calc" in response.json()["detail"]
    after = (await client.get(f"{API}/process-instances/{instance['id']}", headers=headers)).json()
    assert after["version"] == instance["version"]
    assert [t["key"] for t in after["ready_tasks"]] == ["declare"]


async def test_decision_evaluation_reports_matched_rules_with_annotations(client):
    await deploy(client, "dmn", sample_set())
    url = f"{API}/tenants/dmn/decisions/review_mode/evaluate"
    at = (await client.post(url, json={"inputs": {"total_investment": 100}},
                            headers=ADMIN)).json()
    assert at["outputs"] == [{"review_mode": "onsite"}]
    assert "100万元（含）以上" in at["matched_rules"][0]["annotation"]
    below = (await client.post(url, json={"inputs": {"total_investment": 99.99}},
                               headers=ADMIN)).json()
    assert below["outputs"] == [{"review_mode": "written"}]
    missing = await client.post(url, json={"inputs": {}}, headers=ADMIN)
    assert missing.status_code == 422
    assert "total_investment" in missing.json()["detail"]
    unknown = await client.post(f"{API}/tenants/dmn/decisions/nope/evaluate", json={},
                                headers=ADMIN)
    assert unknown.status_code == 404


async def test_a_form_field_named_like_an_element_is_refused(client):
    from tools.bpmn_builder import Field

    b = ProcessBuilder("p", lanes=[("unit", "单位")])
    b.start("s")
    b.user_task("declare", "申报", candidate_groups=["unit"],
                form=[Field("e", "string", label="与结束事件同名")])
    b.end("e")
    b.flow("s", "declare")
    b.flow("declare", "e")
    response = await deploy(client, "clash", {"p.bpmn": b.to_xml()})
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert (error["element"], "'e'" in error["msg"]) == ("declare", True)
