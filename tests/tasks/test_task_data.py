"""A task's submitted values belong to the task: kept on its row (task detail, history),
reaching the process only as its ``camunda:outputParameter``\\s say (else merged as before);
a form is prefilled only from the same task key's earlier round in the instance or from its
``camunda:inputParameter``\\s, never from another task's variable of the same name."""

from tests.conftest import deploy
from tests.support.api import ADMIN, API, complete, history, ready, start, token
from tests.support.loops import io_mapping
from tools.bpmn_builder import Field, ProcessBuilder

REVIEW = [Field("approved", "boolean", label="同意", required=True),
          Field("opinion", "string", label="意见", required=True)]
UNIT = token("ua", "td", ("unit",))
OFFICE = token("fg", "td", ("office",))
NETSEC = token("wx", "td", ("netsec",))


def parallel_reviews(mapped: bool) -> bytes:
    """立项审批 (office) and 网络安全审查 (netsec) in parallel, then 汇总 (unit)."""
    b = ProcessBuilder("joint", name="并联审查", main=True,
                       lanes=[("unit", "建设单位"), ("office", "发改委"), ("netsec", "网信办")])
    b.start("start", "申报", lane="unit")
    b.parallel_gateway("split", lane="unit")
    b.user_task("office_review", "立项审批", lane="office", candidate_groups=["office"],
                form=REVIEW)
    b.user_task("netsec_review", "网络安全审查", lane="netsec", candidate_groups=["netsec"],
                form=REVIEW)
    b.parallel_gateway("join", lane="unit")
    b.user_task("summary", "汇总", lane="unit", candidate_groups=["unit"])
    b.end("end", "办结", lane="unit", outcome="done")
    for source, target in (("start", "split"), ("split", "office_review"),
                           ("split", "netsec_review"), ("office_review", "join"),
                           ("netsec_review", "join"), ("join", "summary"),
                           ("summary", "end")):
        b.flow(source, target)
    xml = b.to_xml()
    if mapped:
        xml = io_mapping(xml, "office_review", outputs={
            "office_approved": "${approved}", "office_opinion": "${opinion}"})
        xml = io_mapping(xml, "netsec_review", outputs={
            "netsec_approved": "${approved}", "netsec_opinion": "${opinion}",
            "netsec_reviewed": "yes"})
    return xml


async def test_parallel_reviews_do_not_overwrite_each_other(client):
    assert (await deploy(client, "td", {"p.bpmn": parallel_reviews(True)})).status_code == 201
    instance = await start(client, "td", UNIT)
    instance = await complete(client, instance, "office_review",
                              {"approved": True, "opinion": "同意立项"}, OFFICE)
    instance = await complete(client, instance, "netsec_review",
                              {"approved": False, "opinion": "等保测评未完成"}, NETSEC)
    assert instance["variables"] == {
        "office_approved": True, "office_opinion": "同意立项",
        "netsec_approved": False, "netsec_opinion": "等保测评未完成",
        "netsec_reviewed": "yes"}
    # Each task keeps what it submitted.
    tasks = (await client.get(f"{API}/tasks", params={"process_instance_id": instance["id"],
                                                       "state": "completed"},
                              headers=ADMIN)).json()["items"]
    details = {t["key"]: (await client.get(f"{API}/tasks/{t['id']}", headers=ADMIN)).json()
               for t in tasks}
    assert details["office_review"]["data"] == {"approved": True, "opinion": "同意立项"}
    assert details["netsec_review"]["data"] == {"approved": False,
                                                "opinion": "等保测评未完成"}
    completed = [e for e in await history(client, instance["id"])
                 if e["event"] == "task_completed"]
    assert [e["data"]["opinion"] for e in completed] == ["同意立项", "等保测评未完成"]


async def test_unmapped_reviews_merge_as_before(client):
    await deploy(client, "td", {"p.bpmn": parallel_reviews(False)})
    instance = await start(client, "td", UNIT)
    instance = await complete(client, instance, "office_review",
                              {"approved": True, "opinion": "同意立项"}, OFFICE)
    instance = await complete(client, instance, "netsec_review",
                              {"approved": False, "opinion": "不同意"}, NETSEC)
    assert instance["variables"]["opinion"] in ("同意立项", "不同意")


async def test_a_form_is_not_prefilled_from_another_tasks_variable(client):
    await deploy(client, "td", {"p.bpmn": parallel_reviews(False)})
    instance = await start(client, "td", UNIT)
    instance = await complete(client, instance, "office_review",
                              {"approved": True, "opinion": "同意立项"}, OFFICE)
    assert instance["variables"]["opinion"] == "同意立项"
    netsec = ready(instance, "netsec_review")
    detail = (await client.get(f"{API}/tasks/{netsec['id']}", headers=NETSEC)).json()
    assert detail["data"] == {}


def rework() -> bytes:
    """填报 -> 审核; 退回 goes back to 填报, whose form shows its own earlier round."""
    b = ProcessBuilder("rework", name="退回修改", main=True,
                       lanes=[("unit", "建设单位"), ("office", "发改委")])
    b.start("start", "开始", lane="unit")
    b.user_task("fill", "填报", lane="unit", candidate_groups=["unit"], form=[
        Field("project_name", "string", required=True),
        Field("opinion", "string", label="单位说明")])
    b.user_task("check", "审核", lane="office", candidate_groups=["office"], form=REVIEW)
    b.exclusive_gateway("gw", "通过?", lane="office", default="Flow_back")
    b.end("end", "通过", lane="office", outcome="passed")
    b.flow("start", "fill")
    b.flow("fill", "check")
    b.flow("check", "gw")
    b.flow("gw", "end", condition="approved", name="通过")
    b.flow("gw", "fill", id="Flow_back", name="退回")
    return io_mapping(b.to_xml(), "check", inputs={
        "opinion": "${'请核对' + project_name}", "approved": "${False}", "hint": "核对材料"})


async def test_rework_prefills_the_same_tasks_earlier_round_and_input_parameters(client):
    await deploy(client, "td", {"p.bpmn": rework()})
    instance = await start(client, "td", UNIT)
    fill = ready(instance, "fill")
    assert (await client.get(f"{API}/tasks/{fill['id']}", headers=UNIT)).json()["data"] == {}
    instance = await complete(client, instance, "fill",
                              {"project_name": "政务云", "opinion": "首次申报"}, UNIT)
    check = ready(instance, "check")
    detail = (await client.get(f"{API}/tasks/{check['id']}", headers=OFFICE)).json()
    # Its input parameters, not the unit's "opinion" variable.
    assert detail["data"] == {"opinion": "请核对政务云", "approved": False}
    instance = await complete(client, instance, "check",
                              {"approved": False, "opinion": "材料不全"}, OFFICE)
    fill = ready(instance, "fill")
    detail = (await client.get(f"{API}/tasks/{fill['id']}", headers=UNIT)).json()
    assert detail["data"] == {"project_name": "政务云", "opinion": "首次申报"}
    # Input parameters stay the task's own: they never become process variables.
    assert "hint" not in instance["variables"]
    assert instance["variables"]["opinion"] == "材料不全"
