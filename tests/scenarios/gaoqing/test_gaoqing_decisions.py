"""高青's decision tables on their own, each threshold at its boundary and just below it:
consultancy (计划投资 100万元（含）, 三(一)), review mode (总投资 100万元（含）, 三(二)1) and
supervisor (投资 200万元（含）, 信息化工程项目, 三(三)3)."""

import pytest

from tests.conftest import deploy
from tests.scenarios.gaoqing.gaoqing_support import HUB, TENANT
from tests.support.api import API
from tests.support.bundled import bundled


@pytest.fixture(autouse=True)
async def deployed(client):
    response = await deploy(client, TENANT, bundled(TENANT))
    assert response.status_code == 201, response.text
    return response.json()


async def evaluate(client, decision: str, **inputs) -> tuple[dict, str]:
    response = await client.post(f"{API}/tenants/{TENANT}/decisions/{decision}/evaluate",
                                 json={"inputs": inputs}, headers=HUB)
    assert response.status_code == 200, response.text
    body = response.json()
    assert len(body["matched_rules"]) == 1, body
    return body["outputs"][0], body["matched_rules"][0]["annotation"]


@pytest.mark.parametrize(("planned", "complex_", "required", "boundary"), [
    (100, False, True, "100万元在本档"),
    (99.99, False, False, None),
    (99.99, True, True, None),
    (0, True, True, None),
    (100, True, True, "100万元在本档"),
    (5000, False, True, None),
])
async def test_consultancy_required_puts_100_in_the_consultancy_band(client, planned, complex_,
                                                                     required, boundary):
    outputs, annotation = await evaluate(client, "consultancy_required",
                                         planned_investment=planned,
                                         technically_complex=complex_)
    assert outputs == {"consultancy_required": required}
    assert annotation.startswith("高青 三(一)")
    if boundary:
        assert "（含）" in annotation
        assert boundary in annotation


@pytest.mark.parametrize(("amount", "mode"), [
    (100, "onsite"), (99.99, "written"), (0, "written"), (100.01, "onsite"), (3000, "onsite"),
])
async def test_review_mode_puts_100_on_site(client, amount, mode):
    outputs, annotation = await evaluate(client, "review_mode", total_investment=amount)
    assert outputs == {"review_mode": mode}
    assert annotation.startswith("高青 三(二)1")
    assert "100万元（含）以上" in annotation


@pytest.mark.parametrize(("amount", "engineering", "required"), [
    (200, True, True), (199.99, True, False), (200, False, False), (1000, True, True),
    (0, True, False),
])
async def test_supervisor_required_from_200_for_it_engineering(client, amount, engineering,
                                                               required):
    outputs, annotation = await evaluate(client, "supervisor_required", total_investment=amount,
                                         it_engineering=engineering)
    assert outputs == {"supervisor_required": required}
    assert annotation.startswith("高青 三(三)3")
    if amount == 200 and engineering:
        assert "200万元（含）" in annotation
        assert "200万元在本档" in annotation


async def test_a_missing_input_is_refused(client):
    response = await client.post(f"{API}/tenants/{TENANT}/decisions/supervisor_required/evaluate",
                                 json={"inputs": {"total_investment": 300}}, headers=HUB)
    assert response.status_code == 422


async def test_the_set_has_the_contract_processes_and_decisions(client, deployed):
    set_id = deployed["id"]
    for process_id, pool in (("gaoqing_project", "高青县电子政务建设项目"),
                             ("annual_plan", "高青县电子政务项目年度建设计划")):
        response = await client.get(f"{API}/diagram-sets/{set_id}/processes/{process_id}",
                                    headers=HUB)
        assert response.status_code == 200, response.text
        assert response.json()["name"] == pool
        svg = await client.get(f"{API}/diagram-sets/{set_id}/processes/{process_id}/svg",
                               headers=HUB)
        assert svg.status_code == 200
        assert "<svg" in svg.text
    files = bundled(TENANT)
    # the project: a main process calling one process per stage of the text
    assert sorted(files) == ["acceptance.bpmn", "annual_plan.bpmn", "construction.bpmn",
                             "consultancy_required.dmn", "declaration.bpmn",
                             "gaoqing_project.bpmn", "procurement.bpmn", "rectification.bpmn",
                             "review.bpmn", "review_mode.dmn", "supervisor_required.dmn"]
