"""河源's decision tables evaluated on their own: the 50万 filing boundary (第十二条) and the
three change conditions (第二十一条), each at its boundary and just beside it."""

import pytest

from tests.conftest import deploy
from tests.scenarios.heyuan.heyuan_support import HUB, TENANT
from tests.support.api import API
from tests.support.bundled import bundled


@pytest.fixture(autouse=True)
async def deployed(client):
    response = await deploy(client, TENANT, bundled(TENANT))
    assert response.status_code == 201, response.text


async def evaluate(client, decision: str, **inputs) -> tuple[dict, str]:
    response = await client.post(f"{API}/tenants/{TENANT}/decisions/{decision}/evaluate",
                                 json={"inputs": inputs}, headers=HUB)
    assert response.status_code == 200, response.text
    body = response.json()
    assert len(body["matched_rules"]) == 1, body
    return body["outputs"][0], body["matched_rules"][0]["annotation"]


@pytest.mark.parametrize(("amount", "route", "clause"), [
    (50, "filing_mode", "河源 第十二条"),
    (49.99, "filing_mode", "河源 第十二条"),
    (0, "filing_mode", "河源 第十二条"),
    (50.01, "full_review", "河源 第十一条(四)"),
    (51, "full_review", "河源 第十一条(四)"),
    (10000, "full_review", "河源 第十一条(四)"),
])
async def test_route_puts_50_in_filing_mode(client, amount, route, clause):
    outputs, annotation = await evaluate(client, "route", total_investment=amount)
    assert outputs == {"route": route}
    assert annotation.startswith(clause)
    if amount == 50:
        assert "含" in annotation


BASE = {"contract_amount": 100, "change_amount": 5, "total_after_change": 100,
        "previous_changes": 0}


@pytest.mark.parametrize(("inputs", "admissible", "clause"), [
    ({}, True, "河源 第二十一条(一)—(三)"),
    # (一) the total after the change may equal the contract amount, not exceed it
    ({"total_after_change": 100}, True, "河源 第二十一条(一)—(三)"),
    ({"total_after_change": 99.99}, True, "河源 第二十一条(一)—(三)"),
    ({"total_after_change": 100.01}, False, "河源 第二十一条(一)"),
    # (二) the changed part may be 10 % of the contract amount, not more
    ({"change_amount": 10}, True, "河源 第二十一条(一)—(三)"),
    ({"change_amount": 9.99}, True, "河源 第二十一条(一)—(三)"),
    ({"change_amount": 10.01}, False, "河源 第二十一条(二)"),
    ({"contract_amount": 7, "total_after_change": 7, "change_amount": 0.7}, True,
     "河源 第二十一条(一)—(三)"),
    ({"contract_amount": 333.33, "total_after_change": 333.33, "change_amount": 33.333}, True,
     "河源 第二十一条(一)—(三)"),
    ({"contract_amount": 333.33, "total_after_change": 333.33, "change_amount": 33.3331},
     False, "河源 第二十一条(二)"),
    # (三) no more than one change request: an earlier approved change makes it inadmissible
    ({"previous_changes": 1}, False, "河源 第二十一条(三)"),
    ({"previous_changes": 2}, False, "河源 第二十一条(三)"),
    # several conditions broken at once: the first one is named
    ({"total_after_change": 120, "change_amount": 20, "previous_changes": 1}, False,
     "河源 第二十一条(一)"),
    ({"change_amount": 20, "previous_changes": 1}, False, "河源 第二十一条(二)"),
])
async def test_change_admissible_at_each_boundary(client, inputs, admissible, clause):
    outputs, annotation = await evaluate(client, "change_admissible", **(BASE | inputs))
    assert outputs["change_admissible"] is admissible
    assert annotation.startswith(clause)
    if admissible:
        assert outputs["change_issue"] == ""
    else:
        assert outputs["change_issue"].startswith(clause.removeprefix("河源 ") + ":")
        assert "按相关法律法规" in annotation  # not an end: handled per law by the review


async def test_change_admissible_needs_all_its_inputs(client):
    response = await client.post(f"{API}/tenants/{TENANT}/decisions/change_admissible/evaluate",
                                 json={"inputs": {"change_amount": 1}}, headers=HUB)
    assert response.status_code == 422
