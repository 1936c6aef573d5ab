"""A small diagram set of our own, exercising what the engine must run: lanes and
candidate groups, forms, a DMN-driven branch, parallel and inclusive gateways, a script,
a manual task, a message catch, a call activity with an error end event, a terminate end,
and an annual-plan process that throws a message to the projects it lists."""

from tools.bpmn_builder import Field, ProcessBuilder
from tools.dmn_builder import DecisionTable, Input, Output, dmn_document

REVIEW = [Field("approved", "boolean", label="同意", required=True),
          Field("opinion", "string", label="意见", required=True, minlength=1)]


def project_process() -> bytes:
    b = ProcessBuilder("project", name="示例项目", main=True, lanes=[
        ("unit", "项目建设单位"), ("hub", "大数据局"), ("experts", "评审专家"),
        ("finance", "财政局")])
    b.start("start", "申报开始", lane="unit")
    b.user_task("declare", "项目申报", lane="unit", candidate_groups=["unit"],
                clause="示例 第一条", form=[
                    Field("project_name", "string", label="项目名称", required=True),
                    Field("total_investment", "number", label="总投资（万元）", required=True,
                          min=0),
                    Field("plan_year", "long", label="计划年度", required=True),
                    Field("crypto_relevant", "boolean", label="涉及密码应用", required=True)])
    b.business_rule_task("decide_mode", "确定评审方式", lane="hub", decision="review_mode",
                         clause="示例 第二条")
    b.exclusive_gateway("gw_mode", "评审方式?", lane="hub", clause="示例 第二条",
                        default="Flow_gw_mode_written_review")
    b.user_task("written_review", "书面评审", lane="experts", candidate_groups=["experts"],
                clause="示例 第二条(一)", form=REVIEW)
    b.user_task("onsite_review", "现场评审", lane="experts", candidate_groups=["experts"],
                clause="示例 第二条(二)", form=REVIEW)
    b.exclusive_gateway("gw_review_done", lane="experts")
    b.exclusive_gateway("gw_passed", "评审通过?", lane="experts",
                        default="Flow_gw_passed_split")
    b.end("end_rejected", "驳回", lane="experts", outcome="rejected")
    b.parallel_gateway("split", lane="hub")
    b.user_task("fund_review", "资金审核", lane="finance", candidate_groups=["finance"],
                clause="示例 第三条", form=REVIEW)
    b.user_task("technical_review", "技术审查", lane="hub", candidate_groups=["hub"],
                clause="示例 第三条", form=REVIEW)
    b.parallel_gateway("join", lane="hub")
    # The hub may report the plan's result by hand (the sets' own diagrams leave it to the
    # plan process); it sends in_plan and nothing else.
    b.message_catch("wait_plan", "等待年度计划", lane="hub", message="annual_plan_approved",
                    clause="示例 第四条", properties={"senders": "hub", "payload": "in_plan"})
    b.inclusive_gateway("gw_extra", "附加审查", lane="hub")
    b.user_task("crypto_review", "密码审查", lane="hub", candidate_groups=["hub"],
                clause="示例 第五条", form=REVIEW)
    b.user_task("cloud_resource_request", "云资源申请", lane="unit",
                candidate_groups=["unit"], clause="示例 第五条")
    b.inclusive_gateway("gw_extra_done", lane="hub")
    b.script_task("score", "计算规模", lane="hub", script="scale = total_investment * 2")
    b.manual_task("implementation", "项目实施", lane="unit", clause="示例 第六条")
    b.call_activity("acceptance", "验收", lane="hub", called="acceptance_process")
    b.boundary_error("acceptance_failed", "验收不通过", attached_to="acceptance",
                     error="ACCEPTANCE_FAILED")
    b.end("end_accepted", "通过验收", lane="hub", outcome="accepted")
    b.end("end_failed", "终止", lane="hub", outcome="rejected", terminate=True)
    b.flow("start", "declare")
    b.flow("declare", "decide_mode")
    b.flow("decide_mode", "gw_mode")
    b.flow("gw_mode", "onsite_review", condition='review_mode == "onsite"', name="现场")
    b.flow("gw_mode", "written_review", name="书面")
    b.flow("written_review", "gw_review_done")
    b.flow("onsite_review", "gw_review_done")
    b.flow("gw_review_done", "gw_passed")
    b.flow("gw_passed", "end_rejected", condition="not approved", name="不通过")
    b.flow("gw_passed", "split", name="通过")
    b.flow("split", "fund_review")
    b.flow("split", "technical_review")
    b.flow("fund_review", "join")
    b.flow("technical_review", "join")
    b.flow("join", "wait_plan")
    b.flow("wait_plan", "gw_extra")
    b.flow("gw_extra", "crypto_review", condition="crypto_relevant")
    b.flow("gw_extra", "cloud_resource_request", condition="True")
    b.flow("crypto_review", "gw_extra_done")
    b.flow("cloud_resource_request", "gw_extra_done")
    b.flow("gw_extra_done", "score")
    b.flow("score", "implementation")
    b.flow("implementation", "acceptance")
    b.flow("acceptance", "end_accepted")
    b.flow("acceptance_failed", "end_failed")
    return b.to_xml()


def acceptance_process() -> bytes:
    b = ProcessBuilder("acceptance_process", name="验收", lanes=[("hub", "大数据局")])
    b.start("acc_start", "开始验收")
    b.user_task("final_acceptance", "竣工验收", candidate_groups=["hub"], clause="示例 第七条",
                form=REVIEW)
    b.exclusive_gateway("acc_passed", "验收通过?", default="Flow_acc_passed_acc_end")
    b.end("acc_end", "验收通过")
    b.end("acc_error", "验收不通过", error="ACCEPTANCE_FAILED")
    b.flow("acc_start", "final_acceptance")
    b.flow("final_acceptance", "acc_passed")
    b.flow("acc_passed", "acc_error", condition="not approved", name="不通过")
    b.flow("acc_passed", "acc_end", name="通过")
    return b.to_xml()


def plan_process() -> bytes:
    b = ProcessBuilder("annual_plan", name="年度计划", lanes=[("hub", "大数据局")])
    b.start("plan_start", "编制计划")
    b.user_task("plan_approval", "审定年度计划", candidate_groups=["hub"], clause="示例 第四条",
                form=[Field("plan_year", "long", required=True),
                      Field("projects", "array", label="列入计划的项目", required=True)])
    b.message_throw("notify", "通知列入计划的项目", message="annual_plan_approved",
                    expression='{"correlation": {"plan_year": plan_year}, '
                               '"business_keys": projects, "payload": {"in_plan": True}}')
    b.end("plan_end", "计划下达", outcome="approved")
    b.flow("plan_start", "plan_approval")
    b.flow("plan_approval", "notify")
    b.flow("notify", "plan_end")
    return b.to_xml()


def review_mode_dmn() -> bytes:
    table = DecisionTable("review_mode", "评审方式", [Input("总投资（万元）", "total_investment",
                                                           "number")],
                          [Output("review_mode", "评审方式")])
    table.rule(["< 100"], ['"written"'], "示例 第二条(一): 100万元以下书面评审")
    table.rule([">= 100"], ['"onsite"'], "示例 第二条(二): 100万元（含）以上现场评审")
    return dmn_document("review_mode_definitions", "评审方式", [table])


def sample_set() -> dict[str, bytes]:
    return {"project.bpmn": project_process(), "acceptance.bpmn": acceptance_process(),
            "plan.bpmn": plan_process(), "review_mode.dmn": review_mode_dmn()}


def linear(n: int) -> bytes:
    """A process of n user tasks in a row (the benchmarks' and row tests' workload)."""
    b = ProcessBuilder("linear", lanes=[("unit", "单位")])
    b.start("s")
    previous = "s"
    for i in range(n):
        b.user_task(f"t{i}", f"第{i}步", candidate_groups=["unit"])
        b.flow(previous, f"t{i}")
        previous = f"t{i}"
    b.end("e")
    b.flow(previous, "e")
    return b.to_xml()


def waits_a_day() -> bytes:
    """A timer of one day, then a task: the worker tests' and timer bench's workload."""
    b = ProcessBuilder("wait", lanes=[("unit", "单位")], main=True)
    b.start("s")
    b.timer_catch("one_day", "等一天", duration="P1D")
    b.user_task("after", "之后", candidate_groups=["unit"])
    b.end("e")
    for source, target in (("s", "one_day"), ("one_day", "after"), ("after", "e")):
        b.flow(source, target)
    return b.to_xml()


def waits_then_stores_bytes() -> bytes:
    """A one-day timer, then a script whose result no store can hold (bytes are not JSON):
    a timer that fails with an error the engine does not expect."""
    b = ProcessBuilder("stores_bytes", lanes=[("unit", "单位")], main=True)
    b.start("s")
    b.timer_catch("wait", "等一天", duration="P1D")
    b.script_task("calc", "计算", script="x = b'raw'")
    b.user_task("after", "之后", candidate_groups=["unit"])
    b.end("e")
    for source, target in (("s", "wait"), ("wait", "calc"), ("calc", "after"), ("after", "e")):
        b.flow(source, target)
    return b.to_xml()
