"""石嘴山: the four decision tables at their boundaries, through the evaluation endpoint, and the
bundled diagram's layout."""

import pytest
from lxml import etree

from tests.conftest import deploy
from tests.support.api import API, token
from tests.support.bundled import bundled
from tools.bpmn_builder import validate_layout

TENANT = "shizuishan"
HUB = token("sz_hub", TENANT, ("hub",))


@pytest.fixture(autouse=True)
async def deployed(client):
    response = await deploy(client, TENANT, bundled(TENANT), name="石嘴山市")
    assert response.status_code == 201, response.text


async def evaluate(client, decision: str, **inputs) -> tuple[dict, str]:
    response = await client.post(f"{API}/tenants/{TENANT}/decisions/{decision}/evaluate",
                                 json={"inputs": inputs}, headers=HUB)
    assert response.status_code == 200, response.text
    body = response.json()
    assert len(body["matched_rules"]) == 1, body
    return body["outputs"][0], body["matched_rules"][0]["annotation"]


def test_every_bundled_bpmn_file_has_a_clean_layout():
    files = bundled(TENANT)
    assert sorted(files) == ["approval.bpmn", "category_rules.dmn", "construction.bpmn",
                             "declaration.bpmn", "filing.bpmn",
                             "om.bpmn", "regional_review_required.dmn",
                             "required_documents.dmn", "review.bpmn", "route.dmn",
                             "shizuishan_project.bpmn"]
    for name, content in files.items():
        if name.endswith(".bpmn"):
            assert validate_layout(content) == [], name


async def test_the_pool_names_the_city_and_the_main_process_is_shizuishan_project(client):
    sets = (await client.get(f"{API}/tenants/{TENANT}/diagram-sets", headers=HUB)).json()
    set_id = sets["items"][0]["id"]
    meta = await client.get(f"{API}/diagram-sets/{set_id}/processes/shizuishan_project",
                            headers=HUB)
    assert meta.status_code == 200, meta.text
    assert meta.json()["name"].startswith("石嘴山市")
    svg = await client.get(f"{API}/diagram-sets/{set_id}/processes/shizuishan_project/svg",
                           headers=HUB)
    assert svg.status_code == 200
    assert "技术审查" in svg.text


@pytest.mark.parametrize(("secret", "amount", "route", "cites"), [
    (False, 60, "full_review", "（含）"),
    (False, 59.99, "filed_only", "低于60万元"),
    (False, 0, "filed_only", "低于60万元"),
    (False, 100000, "full_review", "（含）"),
    (True, 60, "out_of_scope", "涉密"),
    (True, 10, "out_of_scope", "涉密"),
])
async def test_route_puts_60_in_the_full_process(client, secret, amount, route, cites):
    outputs, annotation = await evaluate(client, "route", secret=secret, total_investment=amount)
    assert outputs == {"route": route}
    assert annotation.startswith("石嘴山 第四条")
    assert cites in annotation


@pytest.mark.parametrize(("amount", "documents", "proposal", "feasibility"), [
    (1499.99, "初步设计", False, False),
    (1500, "可行性研究报告+初步设计", False, True),
    (4999.99, "可行性研究报告+初步设计", False, True),
    (5000, "项目建议书+可行性研究报告+初步设计", True, True),
    (60, "初步设计", False, False),
])
async def test_required_documents_give_1500_to_the_middle_and_5000_to_the_top_band(
        client, amount, documents, proposal, feasibility):
    outputs, annotation = await evaluate(client, "required_documents", total_investment=amount)
    assert outputs == {"required_documents": documents, "proposal_required": proposal,
                       "feasibility_required": feasibility}
    assert annotation.startswith("石嘴山 第十五条")


async def test_required_documents_annotations_explain_the_boundaries(client):
    _, middle = await evaluate(client, "required_documents", total_investment=1500)
    _, top = await evaluate(client, "required_documents", total_investment=5000)
    assert "1500万元（含）" in middle
    assert "5000万元两档都可读" in top


@pytest.mark.parametrize(("regional", "amount"), [(False, 499.99), (True, 500), (True, 5000),
                                                  (False, 60)])
async def test_regional_review_is_required_from_500(client, regional, amount):
    outputs, annotation = await evaluate(client, "regional_review_required",
                                         total_investment=amount)
    assert outputs == {"regional_review_required": regional}
    assert annotation.startswith("石嘴山 第十六条")
    assert "500万元" in annotation


@pytest.mark.parametrize(("category", "free_om", "service", "construction", "result"), [
    ("engineering", 3, 0, True, "compliant"),
    ("engineering", 2.99, 0, True, "free_om_too_short"),
    ("engineering", 5, 0, False, "compliant"),
    ("goods", 0, 0, False, "compliant"),
    ("goods", 0, 5, True, "compliant"),
    ("services", 0, 3, False, "compliant"),
    ("services", 0, 3.01, False, "service_too_long"),
    ("services", 0, 4, True, "service_too_long"),
    ("services", 0, 1, True, "service_has_construction"),
])
async def test_category_rules_of_article_14(client, category, free_om, service, construction,
                                            result):
    outputs, annotation = await evaluate(client, "category_rules", category=category,
                                         free_om_years=free_om, service_years=service,
                                         includes_construction=construction)
    assert outputs == {"category_rules": result}
    assert annotation.startswith("石嘴山 第十四条")


async def test_a_missing_input_is_a_422_naming_it(client):
    response = await client.post(f"{API}/tenants/{TENANT}/decisions/category_rules/evaluate",
                                 json={"inputs": {"category": "services"}}, headers=HUB)
    assert response.status_code == 422


def test_every_step_gateway_and_conditional_flow_cites_its_clause():
    ns = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
          "camunda": "http://camunda.org/schema/1.0/bpmn"}
    cited = ("userTask", "manualTask", "scriptTask", "businessRuleTask", "callActivity",
             "exclusiveGateway", "endEvent")
    roots = {name: etree.fromstring(content) for name, content in bundled(TENANT).items()
             if name.endswith(".bpmn")}
    for root in roots.values():
        for kind in cited:
            for el in root.iterfind(f".//bpmn:{kind}", ns):
                doc = el.findtext("bpmn:documentation", namespaces=ns) or ""
                assert doc.startswith("石嘴山 第"), el.get("id")
        for flow in root.iterfind(".//bpmn:sequenceFlow", ns):
            if flow.find("bpmn:conditionExpression", ns) is not None:
                doc = flow.findtext("bpmn:documentation", namespaces=ns) or ""
                assert doc.startswith("石嘴山 第"), flow.get("id")
    # The main process says how a project ended; every one of its ends names the outcome.
    main = roots.pop("shizuishan_project.bpmn")
    outcomes = {end.get("id"): end.find(".//camunda:property[@name='outcome']", ns)
                for end in main.iterfind(".//bpmn:endEvent", ns)}
    assert None not in outcomes.values(), outcomes
    assert {o.get("value") for o in outcomes.values()} == {"out_of_scope", "filed_only",
                                                           "rejected", "accepted"}
    # A stage's rejection throws REJECTED, which its call activity in the main process
    # catches and ends rejected; an escalation branch and a stage's own end name no outcome.
    caught = {b.get("attachedToRef") for b in main.iterfind(".//bpmn:boundaryEvent", ns)
              if b.find("bpmn:errorEventDefinition", ns) is not None}
    called = {c.get("calledElement"): c.get("id") for c in main.iterfind(".//bpmn:callActivity", ns)}
    escalated = []
    for root in roots.values():
        process = root.find("bpmn:process", ns)
        assert called.get(process.get("id")), process.get("id")
        for end in root.iterfind(".//bpmn:endEvent", ns):
            assert end.find(".//camunda:property[@name='outcome']", ns) is None, end.get("id")
            if end.get("id").endswith("_escalated"):
                escalated.append(end.get("id"))
            if end.find("bpmn:errorEventDefinition", ns) is not None:
                assert called[process.get("id")] in caught, end.get("id")
    assert sorted(escalated) == ["om_filing_escalated", "rectification_escalated",
                                 "tender_filing_escalated"]
