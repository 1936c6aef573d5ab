"""A non-interrupting escalation boundary event on a call activity catches every escalation
the called process reports, not only the first (engine/escalations.py), and what it opened
stays open after the call ends."""

import pytest

from tests.conftest import deploy
from tests.support.api import complete, start, token
from tools.bpmn_builder import ProcessBuilder

UNIT = token("eu", "esc", ("unit",))
HUB = token("eh", "esc", ("hub",))
LANES = [("unit", "单位"), ("hub", "数据局")]


def _escalations(xml: bytes) -> bytes:
    """The builder draws errors: make them escalations, the boundary non-interrupting."""
    text = xml.decode()
    text = text.replace("errorEventDefinition", "escalationEventDefinition")
    text = text.replace('errorRef="Error_LATE"', 'escalationRef="Escalation_LATE"')
    text = text.replace('<bpmn:error id="Error_LATE" name="LATE" errorCode="LATE"/>',
                        '<bpmn:escalation id="Escalation_LATE" name="LATE" '
                        'escalationCode="LATE"/>')
    text = text.replace('<bpmn:boundaryEvent id="late_caught" name="超期"',
                        '<bpmn:boundaryEvent id="late_caught" name="超期" '
                        'cancelActivity="false"')
    assert "Error_LATE" not in text
    return text.encode()


def main() -> bytes:
    b = ProcessBuilder("esc", lanes=LANES, main=True)
    b.start("s", lane="unit")
    b.call_activity("stage", "阶段", called="esc_stage", lane="unit")
    b.boundary_error("late_caught", "超期", attached_to="stage", error="LATE")
    b.user_task("escalation", "督办", lane="hub", candidate_groups=["hub"])
    b.end("escalated", lane="hub")
    b.end("done", lane="unit", outcome="done")
    for source, target in (("s", "stage"), ("stage", "done"), ("late_caught", "escalation"),
                           ("escalation", "escalated")):
        b.flow(source, target)
    return _escalations(b.to_xml())


def stage() -> bytes:
    """Two reports in a row, each reported late to the calling process."""
    b = ProcessBuilder("esc_stage", lanes=LANES)
    b.start("stage_start", lane="unit")
    for n in (1, 2):
        b.user_task(f"report{n}", f"报告{n}", lane="unit", candidate_groups=["unit"])
        b.parallel_gateway(f"split{n}", lane="unit")
        b.end(f"late{n}", "报告超期", lane="unit", error="LATE")
        b.flow(f"report{n}", f"split{n}")
        b.flow(f"split{n}", f"late{n}")
    b.end("stage_done", lane="unit")
    for source, target in (("stage_start", "report1"), ("split1", "report2"),
                           ("split2", "stage_done")):
        b.flow(source, target)
    return _escalations(b.to_xml())


@pytest.fixture(autouse=True)
async def deployed(client):
    response = await deploy(client, "esc", {"main.bpmn": main(), "stage.bpmn": stage()})
    assert response.status_code == 201, response.text


def keys(instance: dict) -> list[str]:
    return sorted(t["key"] for t in instance["ready_tasks"])


@pytest.mark.parametrize("rebuilt", [False, True])
async def test_every_escalation_of_one_call_is_caught_and_outlives_the_call(client, ctx,
                                                                            rebuilt):
    instance = await start(client, "esc", UNIT)
    instance = await complete(client, instance, "report1", {}, UNIT)
    assert keys(instance) == ["escalation", "report2"]
    if rebuilt:  # from its rows: the re-armed catch waits again
        ctx.instances.discard(instance["id"])
    instance = await complete(client, instance, "report2", {}, UNIT)
    # the second report was caught too; the call has ended, both escalations stay open
    assert (instance["state"], keys(instance)) == ("running", ["escalation", "escalation"])
    for _ in range(2):
        instance = await complete(client, instance, "escalation", {}, HUB)
    assert (instance["state"], instance["outcome"]) == ("completed", "done")
