"""Gates (issue 11) under attack through the REST API: a submitter who tries to supply the
value a gate reads, a gate that cannot be evaluated. Each test is an attack that must be
refused, and says how."""


from lxml import etree

from tests.conftest import deploy
from tests.support.api import API, snapshot, start, token
from tests.support.loops import io_mapping
from tools.bpmn_builder import Field, ProcessBuilder

CLAUSE = "招远 第十八条 通过安全风险评估后方可验收"
UNIT = token("ru", "rt", ("unit",))
ASSESSOR = token("ra", "rt", ("assessor",))
REVIEWER = token("rr", "rt", ("reviewer",))


async def _complete(client, task_id: str, headers: dict, variables: dict | None = None):
    return await client.post(f"{API}/tasks/{task_id}/complete", headers=headers,
                             json={"variables": variables or {}})


# -- gates: the value a gate reads is not the submitter's to choose ------------------------

def assessed(gate_task_has_form: bool) -> bytes:
    """评估 (assessor: passed or not) -> 验收 (reviewer; gated on the assessment), the gated
    task with or without a form of its own."""
    b = ProcessBuilder("rt", name="验收", main=True, lanes=[("unit", "建设单位")])
    b.start("start", "开始")
    b.user_task("assess", "安全风险评估", candidate_groups=["assessor"],
                form=[Field("security_assessment_passed", "boolean", label="评估通过",
                            required=True)])
    b.user_task("accept", "验收", candidate_groups=["reviewer"],
                form=[Field("opinion", "string", label="意见")] if gate_task_has_form else (),
                properties={f"gate: {CLAUSE}": "${security_assessment_passed}",
                            "gate: 金额须在批复范围内": "amount <= 500"})
    b.end("end", "结束", outcome="accepted")
    b.flow("start", "assess")
    b.flow("assess", "accept")
    b.flow("accept", "end")
    return b.to_xml()


async def _failed_assessment(client, gate_task_has_form: bool) -> dict:
    assert (await deploy(client, "rt", {"p.bpmn": assessed(gate_task_has_form)})
            ).status_code == 201
    instance = await start(client, "rt", UNIT, variables={"amount": 100})
    done = await _complete(client, instance["ready_tasks"][0]["id"], ASSESSOR,
                           {"security_assessment_passed": False})
    assert done.status_code == 200, done.text
    return done.json()


async def test_a_gated_task_without_a_form_cannot_submit_the_value_its_gate_reads(client):
    instance = await _failed_assessment(client, gate_task_has_form=False)
    (accept,) = instance["ready_tasks"]
    before = await snapshot(client, instance["id"])
    forged = await _complete(client, accept["id"], REVIEWER,
                             {"security_assessment_passed": True, "amount": 1})
    assert forged.status_code == 422, forged.text
    assert forged.json()["code"] == "form.invalid"
    errors = forged.json()["errors"]
    assert errors
    assert all(e["code"] == "unknown_field" for e in errors)
    assert {e["field"] for e in errors} <= {"security_assessment_passed", "amount"}
    assert await snapshot(client, instance["id"]) == before
    # Without the forged value the gate reads the assessor's answer and refuses.
    honest = await _complete(client, accept["id"], REVIEWER)
    assert (honest.status_code, honest.json()["code"]) == (422, "task.gate_failed")


async def test_a_gated_task_with_a_form_refuses_a_field_it_does_not_declare(client):
    instance = await _failed_assessment(client, gate_task_has_form=True)
    forged = await _complete(client, instance["ready_tasks"][0]["id"], REVIEWER,
                             {"security_assessment_passed": True, "opinion": "同意"})
    assert (forged.status_code, forged.json()["code"]) == (422, "form.invalid")
    assert forged.json()["errors"][0]["code"] == "unknown_field"


def erring(expression: str) -> bytes:
    b = ProcessBuilder("rt", name="验收", main=True, lanes=[("unit", "建设单位")])
    b.start("start", "开始")
    b.user_task("accept", "验收", candidate_groups=["reviewer"],
                form=[Field("note", "string", label="说明")],
                properties={"gate: 须写明说明": expression})
    b.end("end", "结束")
    b.flow("start", "accept")
    b.flow("accept", "end")
    return b.to_xml()


async def test_a_gate_that_cannot_be_evaluated_is_a_422_naming_the_clause_never_a_500(client):
    for expression, variables in (
            ("${len(note) > 3}", {}),  # the optional field left out: a missing value
            ("note + 1 > 0", {"note": "x"}),  # a type error
            ("${missing_everywhere}", {"note": "x"}),
            ("int(note) > 0", {"note": "not a number"})):
        assert (await deploy(client, "rt", {"p.bpmn": erring(expression)}, activate=True)
                ).status_code == 201
        instance = await start(client, "rt", UNIT)
        detail = (await client.get(f"{API}/tasks/{instance['ready_tasks'][0]['id']}",
                                   headers=REVIEWER)).json()
        assert [g["expression"] for g in detail["gates"]] == [expression]
        refused = await _complete(client, instance["ready_tasks"][0]["id"], REVIEWER,
                                  variables)
        assert refused.status_code == 422, (expression, refused.text)
        assert refused.json()["code"] == "task.gate_failed"
        assert [e["clause"] for e in refused.json()["errors"]] == ["须写明说明"]




def shown_read_only() -> bytes:
    """评估 (assessor) -> 验收 (reviewer): the assessment shown read-only (an input
    parameter), the gate requiring it."""
    b = ProcessBuilder("rt", name="验收", main=True, lanes=[("unit", "建设单位")])
    b.start("start", "开始")
    b.user_task("assess", "安全风险评估", candidate_groups=["assessor"],
                form=[Field("security_assessment_passed", "boolean", label="评估通过",
                            required=True)])
    b.user_task("accept", "验收", candidate_groups=["reviewer"],
                form=[Field("assessment", "boolean", label="评估结论（只读）"),
                      Field("opinion", "string", label="意见")],
                properties={f"gate: {CLAUSE}": "${assessment}"})
    b.end("end", "结束")
    b.flow("start", "assess")
    b.flow("assess", "accept")
    b.flow("accept", "end")
    xml = io_mapping(b.to_xml(), "accept",
                     inputs={"assessment": "${security_assessment_passed}"})
    return _read_only(xml, "assessment")


async def test_a_read_only_field_keeps_the_value_the_task_was_given(client):
    assert (await deploy(client, "rt", {"p.bpmn": shown_read_only()})).status_code == 201
    instance = await start(client, "rt", UNIT)
    done = await _complete(client, instance["ready_tasks"][0]["id"], ASSESSOR,
                           {"security_assessment_passed": False})
    (accept,) = done.json()["ready_tasks"]
    view = (await client.get(f"{API}/tasks/{accept['id']}", headers=REVIEWER)).json()
    assert view["data"]["assessment"] is False  # shown, read-only
    forged = await _complete(client, accept["id"], REVIEWER,
                             {"assessment": True, "opinion": "同意"})
    assert (forged.status_code, forged.json()["code"]) == (422, "form.invalid"), forged.text
    assert [(e["field"], e["code"]) for e in forged.json()["errors"]] == [
        ("assessment", "read_only")]
    # Sent back as shown (react-jsonschema-form submits read-only fields), the gate reads it.
    honest = await _complete(client, accept["id"], REVIEWER,
                             {"assessment": False, "opinion": "同意"})
    assert (honest.status_code, honest.json()["code"]) == (422, "task.gate_failed")


def _read_only(xml: bytes, field: str) -> bytes:
    """Mark a form field read-only as the modeler writes it (a validation constraint)."""
    root = etree.fromstring(xml)
    ns = {"camunda": "http://camunda.org/schema/1.0/bpmn"}
    (node,) = root.xpath(f"//camunda:formField[@id='{field}']", namespaces=ns)
    validation = etree.SubElement(node, "{http://camunda.org/schema/1.0/bpmn}validation")
    etree.SubElement(validation, "{http://camunda.org/schema/1.0/bpmn}constraint",
                     {"name": "readonly"})
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
