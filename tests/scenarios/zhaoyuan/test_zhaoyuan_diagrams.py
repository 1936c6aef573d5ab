"""招远's diagram set as files: layout, clauses, outcomes, and what the API serves of it."""

from pathlib import Path

import pytest
from lxml import etree

from tests.scenarios.zhaoyuan.zhaoyuan_walk import HUB, TENANT, deploy_zhaoyuan
from tests.support.api import API
from tests.support.bundled import bundled
from tools.bpmn_builder import NS, validate_layout
from tools.sets.zhaoyuan import diagram_set

ROOT = Path(__file__).resolve().parents[3]
FILES = sorted(bundled(TENANT))
BPMN = [name for name in FILES if name.endswith(".bpmn")]
OUTCOMES = {"rejected", "filed_only", "not_in_plan", "accepted", "terminated", "out_of_scope"}
CITED = ("userTask", "manualTask", "businessRuleTask", "exclusiveGateway", "eventBasedGateway",
         "callActivity")


def _tree(name: str):
    return etree.fromstring(bundled(TENANT)[name])


def test_the_bundled_files_are_what_the_drafting_script_writes():
    bpmn, dmn = diagram_set()
    assert set(FILES) == set(bpmn) | set(dmn)
    for name, content in {**bpmn, **dmn}.items():
        kind = "bpmn" if name.endswith(".bpmn") else "dmn"
        assert (ROOT / kind / TENANT / name).read_bytes() == content, name


@pytest.mark.parametrize("name", BPMN)
def test_layout_is_valid(name):
    assert validate_layout(bundled(TENANT)[name]) == []


@pytest.mark.parametrize("name", BPMN)
def test_every_step_cites_its_clause(name):
    root = _tree(name)
    for kind in CITED:
        for el in root.iter(f"{{{NS['bpmn']}}}{kind}"):
            doc = el.findtext(f"{{{NS['bpmn']}}}documentation") or ""
            assert doc.startswith("招远 第"), (el.get("id"), doc)
    for flow in root.iter(f"{{{NS['bpmn']}}}sequenceFlow"):
        if flow.find(f"{{{NS['bpmn']}}}conditionExpression") is not None:
            doc = flow.findtext(f"{{{NS['bpmn']}}}documentation") or ""
            assert doc.startswith("招远 第"), (flow.get("id"), doc)


def test_every_end_of_the_main_process_has_an_outcome():
    root = _tree("zhaoyuan_project.bpmn")
    process = root.find(f"{{{NS['bpmn']}}}process")
    assert process.get("id") == "zhaoyuan_project"
    assert process.get("name").startswith("招远市")
    ends = process.findall(f"{{{NS['bpmn']}}}endEvent")
    outcomes = {e.get("id"): e.find(".//camunda:property[@name='outcome']", NS).get("value")
                for e in ends}
    assert set(outcomes.values()) == OUTCOMES


@pytest.fixture(scope="module")
async def set_id(client):
    diagram_set = await deploy_zhaoyuan(client)
    assert diagram_set["main_process_id"] == f"{TENANT}_project"
    assert sorted(diagram_set["decisions"]) == ["route"]
    return diagram_set["id"]


async def test_the_main_diagram_is_served_as_svg(client, set_id):
    response = await client.get(
        f"{API}/diagram-sets/{set_id}/processes/{TENANT}_project/svg", headers=HUB)
    assert response.status_code == 200, response.text
    assert "项目申报" in response.text
    meta = (await client.get(f"{API}/diagram-sets/{set_id}/processes/{TENANT}_project",
                             headers=HUB)).json()
    assert set(meta["called_processes"]) == {"change_process", "inspection_process"}
