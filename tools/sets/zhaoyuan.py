"""招远市 (tenant ``zhaoyuan``): 《招远市政务信息系统项目管理实施细则》, 招政办字〔2021〕33号.

``python -m tools.sets.zhaoyuan`` writes

- bpmn/zhaoyuan/zhaoyuan_project.bpmn: the project (main process ``zhaoyuan_project``);
- bpmn/zhaoyuan/annual_plan.bpmn: next year's project budget (``annual_plan``, 第十条), one
  instance per ``plan_year``, which tells every waiting project whether it is in the plan;
- bpmn/zhaoyuan/change_request.bpmn: an adjustment request and, for a major change, the new
  review (``change_process``, 第十三条), called from the project;
- bpmn/zhaoyuan/inspection.bpmn: supervision and incidents, rectification by a deadline the
  hub sets, measures up to termination (``inspection_process``, 第二十二、二十四条), called
  from the project;
- dmn/zhaoyuan/route.dmn: which route a project takes (第六、二十六条).

Readings of the text (docs/cities/zhaoyuan.md says why):

- A project approved directly by the principal city leader, or arranged by the state or the
  province and funded by them for both construction and O&M, is only filed with the hub
  (第六条第二款). Every other project, higher-level ones included, is declared and reviewed.
- The expert panel's preliminary review (初审, 第八条) filters: a project it does not pass
  ends ``rejected``; the joint review (第九条) decides on the panel's opinion.
- Without the city government's consent a reviewed project gets, in principle, no
  construction or O&M funds (第六条): it ends ``not_in_plan``, like a project the annual
  budget leaves out, not ``rejected``.
- Deadlines (第九、十、十一、二十一、二十四条) do not end anything: each task with a due date
  has a non-interrupting boundary timer with the same notation that opens an escalation task
  for the hub, which supervises (第二十四条). The one exception is the declaration window
  (第七条): a project waits for July 1, and one not declared by August 31 is not declared
  for that year (``not_in_plan``).
- The contract filing's 5 working days count from the signing date ``procurement`` records
  (``5WD@contract_signed_on``, 第二十一条), not from when the filing task opens.
- 限期整改 (第二十四条): every order to rectify, the first and each one after a failed review,
  goes through ``rectification_order``, whose required date ``rectification_due`` is the
  deadline of the ``rectification`` that follows (``@rectification_due``). A missed
  rectification deadline escalates to the hub and ends nothing: the text's measures
  (暂缓拨付、暂停建设、终止) follow 拒不整改 or 整改后仍不符合要求, not lateness, and are the
  hub's choice (可); it records a refusal with the message ``rectification_refused``.
"""

from tools import sets
from tools.bpmn_builder import Field, ProcessBuilder
from tools.dmn_builder import DecisionTable, Input, Output, dmn_document
from tools.sets import FROM_THE_PLAN, message_senders, review_form, write_set

TENANT = "zhaoyuan"
C = "招远 "  # clause prefix

HUB = ("hub", "市大数据服务中心")
SUPERVISION = C + "第二十四条"  # the hub supervises; a passed deadline escalates to it
# 第二十四条: 市大数据服务中心 inspects, orders rectification and judges a refusal: its
# messages (inspection_started, rectification_refused) are the hub's alone.
INSPECTOR = "发送方：市大数据服务中心（hub）——第二十四条“市大数据服务中心加强对政务信息系统项目进行监督检查”"
REFUSAL = "发送方：市大数据服务中心（hub）——第二十四条：责令限期整改的市大数据服务中心认定“拒不整改”"
UNIT = ("unit", "项目建设单位")
EXPERTS = ("experts", "评审专家组")

START_FORM = [
    Field("project_name", "string", label="项目名称", required=True, minlength=1),
    Field("applicant_unit", "string", label="项目建设单位", required=True, minlength=1),
    Field("total_investment", "number", label="项目总投资（万元）", required=True, min=0,
          description="财政投资测算（第八条(九)）；本细则不按金额分档"),
    Field("plan_year", "long", label="建设年度", required=True,
          description="项目列入的年度：每年7至8月申报下一年度项目（第七条）"),
    Field("secret", "boolean", label="涉及国家秘密", required=True,
          description="第二十六条：涉及国家秘密和国家有专门规定的项目按有关规定办理，不适用本流程"),
    Field("leader_directed", "boolean", label="经市政府主要领导批示同意建设", required=True,
          description="第六条第二款：直接经市政府主要领导批示同意建设的项目向市大数据服务中心备案"),
    Field("higher_level_funded", "boolean", label="国家、省统筹安排并拨付建设、运维资金",
          required=True,
          description="第六条第二款：须由国家或省统筹安排，且建设和运维资金均由其拨付；"
                      "烟台市统筹、或上级只拨付部分资金的，填“否”（按第六条第一款申报）"),
    Field("gov_investment", "boolean", label="涉及政府投资", required=True,
          description="第四条：涉及政府投资的项目由市发改局立项审查、市行政审批服务局办理批准手续"),
]

# 第七条: the non-secret declaration materials; 第十六条: the catalog is a required document.
MATERIALS = (
    ("application_document", "项目申请文件（含申请表和建设方案）（第七条(一)）"),
    ("data_resource_catalog", "政务信息系统数据资源目录表（第七条(二)、第十六条）"),
    ("cloud_resource_demand", "云平台服务资源需求表（第七条(三)）"),
    ("cloud_resource_audit", "云平台服务资源审核表（第七条(四)）"),
)
MATERIALS_COMPLETE = " and ".join(field_id for field_id, _ in MATERIALS)

# Deadlines in the notation of govflow.calendar.due. A yearly date is due at the end of that
# day (24:00 Asia/Shanghai), so the window opening on July 1 is the end of June 30.
DECLARATION_OPENS = "--06-30@plan_year-1"   # 第七条: 每年7至8月份 (from July 1, 00:00)
DECLARATION_CLOSES = "--08-31@plan_year-1"  # 第七条: ... to the end of August 31
JOINT_REVIEW_DUE = "--09-30@plan_year-1"    # 第九条: 每年9月底前
BUDGET_DUE = "--10-31@plan_year-1"          # 第十条: 每年10月底前
PROGRESS_REPORT_DUE = "--12-31"             # 第十一条: 每年12月底前 (the next December 31)
CONTRACT_FILING_DUE = "5WD@contract_signed_on"  # 第二十一条: 签订合同5个工作日内
RECTIFICATION_DUE = "@rectification_due"    # 第二十四条: 限期整改, the date the hub sets

ESCALATION_FORM = [
    Field("measure", "enum", label="督办措施", required=True, values={
        "urge": "督促办理", "rectify": "责令限期整改（第二十四条）", "note": "记录在案"}),
    Field("opinion", "string", label="督办意见", required=True, minlength=1),
]
# 第二十四条: a missed rectification deadline is not by itself 拒不整改; the hub urges or notes
# it, and records a refusal separately (message rectification_refused → supervision_measure).
RECTIFICATION_ESCALATION_FORM = [
    Field("measure", "enum", label="督办措施", required=True, values={
        "urge": "督促完成整改", "note": "记录在案"},
        description="认定拒不整改的，另行记录“拒不整改”，由市大数据服务中心决定暂缓拨付建设资金、"
                    "暂停项目建设直至终止项目（第二十四条）"),
    Field("opinion", "string", label="督办意见", required=True, minlength=1),
]

# 第八条 (一)—(九): what the expert panel's preliminary review examines.
EXPERT_CRITERIA = (
    ("c1_overall_plan", "(一) 符合国家、省、市电子政务和大数据发展总体规划"),
    ("c2_policies_standards", "(二) 符合有关政策规定及标准规范"),
    ("c3_cloud_reuse", "(三) 充分利用云平台已有的基础软硬件设施"),
    ("c4_technical_design", "(四) 技术设计和建设方案合理、可行，符合技术发展趋势"),
    ("c5_resource_catalog", "(五) 编制的政务信息资源目录合理"),
    ("c6_data_sharing", "(六) 考虑政务信息资源数据充分共享和综合利用"),
    ("c7_cloud_demand", "(七) 所需云资源需求合理"),
    ("c8_security_plan", "(八) 有全面、可行的信息安全解决方案"),
    ("c9_budget_schedule", "(九) 财政投资测算和进度安排合理"),
)

# 第九条: the eight kinds of project no department builds on its own without special reasons.
CATEGORIES = {
    "none": "不属于第九条(一)至(八)所列项目",
    "machine_room_hardware": "(一) 新建机房以及服务器、存储设备等通用硬件",
    "private_network": "(二) 各部门业务专网、跨部门网络",
    "data_exchange": "(三) 跨部门业务数据共享交换系统",
    "collaborative_office": "(四) 协同办公系统",
    "government_website": "(五) 政府网站",
    "video_conference": "(六) 视频会议系统",
    "administrative_power": "(七) 各部门涉及行政权力运行的业务应用系统",
    "shared_reusable": "(八) 其他跨部门、跨行业或可共享、可复用的政务信息系统",
}
JOINT_FORM = [
    *review_form(
        ("expert_opinion_considered", "已依据专家组初审意见（第九条）"),
        ("migration_completed", ("已按时、按要求完成电子政务基础设施和应用系统迁移整合，"
                                "或法律法规另有明确规定（第九条）")),
        ("sharing_rules_complied", "未违反政务信息资源共享管理规定（第九条）"),
        ("feeds_sharing_platform", "支持市政务信息资源共享交换平台建设，按规定向平台提供信息（第九条）"),
        ("on_government_cloud", ("依托政务云平台和共享交换平台开发、部署和运行，"
                                "或法律法规、规章及国家文件另有明确规定（第七条）")),
    ),
    Field("single_department_category", "enum", label="第九条(一)至(八)所列项目", required=True,
          values=CATEGORIES,
          description="所列项目无特殊情况不再批准各政务部门单独建设"),
    Field("special_circumstances", "boolean", label="有特殊情况", required=True,
          description="属第九条(一)至(八)所列项目而仍由本部门单独建设的特殊情况"),
]
# 第九条: "一概不予审批" for the two unit-level bars, "不再批准" for the eight kinds.
JOINT_PASSES = ("approved and migration_completed and sharing_rules_complied"
                " and feeds_sharing_platform and on_government_cloud"
                ' and (single_department_category == "none" or special_circumstances)')


def escalate(b: ProcessBuilder, task: str, clause: str | None = None,
             form: list[Field] = ESCALATION_FORM) -> None:
    """A deadline passing: the hub is asked to act (第二十四条), ``task`` stays open. The
    escalation cites the supervision clause and the deadline's (``task``'s clause unless
    ``clause``, the whole citation, is given)."""
    clause = clause or f"{SUPERVISION}、{b.nodes[task].clause.removeprefix(C)}"
    sets.escalate(b, task, timer_clause=SUPERVISION, escalation_clause=clause, form=form)


def project_process() -> bytes:
    b = ProcessBuilder(f"{TENANT}_project", name="招远市政务信息系统项目", main=True,
                       properties={"tenant_name": "招远市"}, lanes=[
        UNIT, HUB, EXPERTS, ("finance", "市财政局"), ("government", "市政府"),
        ("approval", "市发改局、市行政审批服务局")])

    # -- route (第六、二十六条) -------------------------------------------------
    b.start("start", "项目申请", lane="unit", form=START_FORM)
    b.business_rule_task("decide_route", "确定办理方式", lane="hub", decision="route",
                         clause=C + "第六、二十六条")
    b.exclusive_gateway("gw_route", "办理方式?", lane="hub", clause=C + "第六、二十六条",
                        default="Flow_gw_route_declaration_window")

    # -- declaration and review (第七—九条) -------------------------------------
    b.timer_catch("declaration_window", "7月1日起申报", lane="unit", duration=DECLARATION_OPENS,
                  clause=C + "第七条")
    b.user_task("declare", "项目申报", lane="unit", candidate_groups=["unit"],
                clause=C + "第七条", due=DECLARATION_CLOSES, form=[
                    *(Field(field_id, "boolean", label=label, required=True)
                      for field_id, label in MATERIALS),
                    Field("deploy_on_government_cloud", "boolean", label="依托政务云平台部署运行",
                          required=True,
                          description="第七条：除法律法规、政府规章及国家文件明确规定外，"
                                      "不得使用非政务云平台"),
                    Field("non_cloud_basis", "string", label="不上政务云的依据",
                          description="不依托政务云平台部署时，填明确规定的法律法规或文件"),
                ])
    b.boundary_timer("declaration_closed", "8月31日申报截止", attached_to="declare",
                     duration=DECLARATION_CLOSES, clause=C + "第七条")
    b.end("end_declaration_missed", "未在申报期内申报", lane="unit", clause=C + "第七条",
          outcome="not_in_plan")
    b.exclusive_gateway("gw_materials", "材料齐全?", lane="unit", clause=C + "第七、十六条",
                        default="Flow_gw_materials_expert_review")
    b.user_task("expert_review", "专家初审", lane="experts", candidate_groups=["experts"],
                clause=C + "第八条", form=review_form(*EXPERT_CRITERIA))
    b.exclusive_gateway("gw_expert_ok", "初审通过?", lane="experts", clause=C + "第八、九条",
                        default="Flow_gw_expert_ok_joint_review")
    b.user_task("joint_review", "联合评审", lane="hub", candidate_groups=["hub", "finance"],
                clause=C + "第九条", due=JOINT_REVIEW_DUE, form=JOINT_FORM)
    escalate(b, "joint_review")
    b.exclusive_gateway("gw_joint_ok", "联合评审通过?", lane="hub", clause=C + "第九条",
                        default="Flow_gw_joint_ok_end_joint_rejected")
    b.user_task("fund_review", "预算评审", lane="finance", candidate_groups=["finance"],
                clause=C + "第四、十二条", form=[
                    *review_form(("budget_reasonable", "财政投资测算合理（第八条(九)）")),
                    Field("approved_budget", "number", label="评审核定预算（万元）", required=True,
                          min=0),
                    Field("hardware_cloud_funds", "number", label="硬件建设及政务云服务经费（万元）",
                          required=True, min=0,
                          description="第十二条：由市大数据服务中心统一向市财政局申请核拨，"
                                      "不列入部门预算"),
                    Field("software_om_funds", "number", label="软件开发及运行维护经费（万元）",
                          required=True, min=0,
                          description="第十二条：由市财政局拨付建设单位，列入部门预算"),
                ])
    b.exclusive_gateway("gw_fund_ok", "预算评审通过?", lane="finance", clause=C + "第四条",
                        default="Flow_gw_fund_ok_wait_plan")

    # -- annual budget, city government, government investment (第四、六、十条) -----
    b.event_gateway("wait_plan", "列入年度预算?", lane="hub", clause=C + "第十条")
    # The budget's result comes from the annual-plan process (annual_plan.bpmn), never from a
    # user: no senders declared, so over the API only an administrator may send it.
    b.message_catch("in_plan", "专项小组研究通过", lane="hub", message="annual_plan_approved",
                    clause=C + "第十条\n" + FROM_THE_PLAN)
    b.message_catch("left_out", "未列入", lane="hub", message="not_in_plan",
                    clause=C + "第十条\n" + FROM_THE_PLAN)
    b.user_task("government_consent", "报市政府同意", lane="government",
                candidate_groups=["government"], clause=C + "第六条",
                form=review_form())
    b.exclusive_gateway("gw_consent", "市政府同意?", lane="government", clause=C + "第六条",
                        default="Flow_gw_consent_gw_gov_investment")
    b.exclusive_gateway("gw_gov_investment", "涉及政府投资?", lane="government",
                        clause=C + "第四条", default="Flow_gw_gov_investment_procurement")
    b.user_task("approval", "立项审查", lane="approval", candidate_groups=["approval"],
                clause=C + "第四条", form=[
                    *review_form(),
                    Field("approved_investment", "number", label="批准或核定投资（万元）", min=0),
                ])
    b.exclusive_gateway("gw_approval_ok", "批准?", lane="approval", clause=C + "第四条",
                        default="Flow_gw_approval_ok_approval_permit")
    b.user_task("approval_permit", "办理批准手续", lane="approval",
                candidate_groups=["approval"], clause=C + "第四条", form=[
                    Field("approval_document_no", "string", label="批准文件文号", required=True,
                          minlength=1,
                          description="市行政审批服务局根据市发改局审查（批准或核定）意见办理"),
                ])

    # -- procurement and implementation (第十一、十三、十四、十九、二十一、二十二条) -----
    b.user_task("procurement", "采购签约", lane="unit", candidate_groups=["unit"],
                clause=C + "第十九、二十一条", form=[
                    Field("content_as_approved", "boolean", label="按审核批准的采购内容组织采购",
                          required=True),
                    Field("secure_controllable_preferred", "boolean",
                          label="优先采购自主可控的关键产品", required=True,
                          description="第十九条：信息安全设备、核心网络设备、基础软件、"
                                      "系统软件和业务应用软件等"),
                    Field("supplier", "string", label="承建（服务）单位", required=True,
                          minlength=1),
                    Field("contract_amount", "number", label="合同金额（万元）", required=True,
                          min=0),
                    Field("contract_signed_on", "date", label="正式采购合同签订日期",
                          required=True,
                          description="第二十一条：合同备案的5个工作日自签订之日起算"),
                ])
    b.user_task("contract_filing", "合同备案", lane="unit", candidate_groups=["unit"],
                clause=C + "第二十一条", due=CONTRACT_FILING_DUE, form=[
                    Field("contract_text_filed", "boolean", label="合同文本已报市大数据服务中心备案",
                          required=True),
                    Field("filed_on", "date", label="报备日期", required=True),
                ])
    escalate(b, "contract_filing")
    b.exclusive_gateway("gw_implement", lane="unit",
                        clause=C + "第十一、十三、十四、二十二条")
    b.user_task("implementation", "项目建设", lane="unit", candidate_groups=["unit"],
                clause=C + "第十一、十三、十四、二十二条", form=[
                    Field("next_step", "enum", label="下一步", required=True, values={
                        "completed": "建设完成，申请验收",
                        "report_progress": "报告建设进度和预算执行情况（第十一条）",
                        "change_request": "提交调整申请（第十三条）",
                        "request_cloud_change": "政务云服务变更或撤销（第十四条）",
                        "incident_report": "报告严重逾期、重大损失等情形（第二十二条）",
                    }),
                    Field("progress", "string", label="建设情况"),
                    Field("incident_description", "string", label="严重逾期、重大损失等情形",
                          description="报告第二十二条情形时填写"),
                ])
    b.boundary_message("inspection_started", "监督检查", attached_to="implementation",
                       message="inspection_started", clause=C + "第二十四条\n" + INSPECTOR,
                       properties=message_senders("hub"))
    b.exclusive_gateway("gw_next", "下一步?", lane="unit",
                        clause=C + "第十一、十三、十四、二十二条",
                        default="Flow_gw_next_security_crypto_review")
    b.user_task("security_crypto_review", "安全风险评估", lane="unit",
                candidate_groups=["unit"], clause=C + "第十八条", form=review_form(
                    ("security_test_report", "已出具安全测评报告书"),
                    ("platform_security_letter", "系统部署上云已签订技术平台安全责任书"),
                    ("graded_protection", "落实等级保护和分级保护要求")))
    b.exclusive_gateway("gw_security_ok", "通过安全风险评估?", lane="unit",
                        clause=C + "第十八条", default="Flow_gw_security_ok_final_acceptance")
    b.user_task("progress_report", "进度报告", lane="unit",
                candidate_groups=["unit"], clause=C + "第十一条", due=PROGRESS_REPORT_DUE, form=[
                    Field("construction_progress", "string", label="项目建设进度", required=True,
                          minlength=1),
                    Field("budget_execution", "string", label="预算执行情况", required=True,
                          minlength=1,
                          description="报市大数据服务中心、市财政局，作为后续建设资金拨付的重要依据"),
                ])
    escalate(b, "progress_report")
    b.user_task("cloud_resource_request", "政务云服务变更", lane="unit",
                candidate_groups=["unit"], clause=C + "第十四条", form=[
                    Field("request_type", "enum", label="申报事项", required=True,
                          values={"modify": "服务需求变更", "cancel": "撤销服务"}),
                    Field("cloud_resource_demand", "boolean", label="云平台服务资源需求表",
                          required=True),
                    Field("cloud_resource_audit", "boolean", label="云平台服务资源审核表",
                          required=True),
                    Field("reported_to_provider", "boolean", label="已同时向云平台服务商申报",
                          required=True),
                ])
    b.call_activity("change", "项目调整", lane="hub", called="change_process",
                    clause=C + "第十三条")
    b.call_activity("supervision", "监督检查与整改", lane="hub", called="inspection_process",
                    clause=C + "第二十二、二十四条")
    b.boundary_error("terminated", "终止项目", attached_to="supervision", error="TERMINATED",
                     clause=C + "第二十四条")

    # -- acceptance and O&M filing (第三、十二、十七—二十条) ------------------------
    b.user_task("final_acceptance", "项目验收", lane="hub", candidate_groups=["hub"],
                clause=C + "第十七—十九条", form=[
                    *review_form(
                        ("security_assessment_passed", "已通过安全风险评估（第十八条）"),
                        ("secure_controllable", "软硬件产品安全可控（第十九条）"),
                        ("catalog_in_sharing_platform", "数据资源目录已纳入共享平台目录管理系统（第十七条）"),
                        ("data_connected", ("可共享、开放数据已接入烟台市政务信息共享交换平台和"
                                           "数据开放平台（第十七条）")),
                        ("archive_complete", "全程备案文档齐全（第二十条）")),
                    Field("sharing_assessment", "string", label="信息数据资源共享范围和程度",
                          required=True, minlength=1,
                          description="第十七条：竣工验收和运维经费拨付的重要依据"),
                    Field("savings", "number", label="节余资金（万元）", min=0,
                          description="第十三条：节余资金按原渠道退回；超支原则上不补"),
                ])
    b.exclusive_gateway("gw_final_ok", "验收通过?", lane="hub", clause=C + "第十七—十九条",
                        default="Flow_gw_final_ok_om_filing")
    b.user_task("om_filing", "运维备案", lane="unit", candidate_groups=["unit"],
                clause=C + "第三、十二、二十条", form=[
                    Field("acceptance_report_filed", "boolean", label="项目验收报告已报备",
                          required=True),
                    Field("om_unit", "string", label="运维单位", required=True, minlength=1),
                    Field("warranty_end", "date", label="维保期满日期", required=True,
                          description="第十二条：超出维保期需列支运维经费的，按程序申报"),
                ])

    # -- ends ------------------------------------------------------------------
    b.end("end_out_of_scope", "按涉密规定办理", lane="hub", clause=C + "第二十六条",
          outcome="out_of_scope")
    b.user_task("filing_review", "项目备案", lane="hub", candidate_groups=["hub"],
                clause=C + "第六条", form=review_form(
                    ("filing_basis_verified", ("备案依据属实：市政府主要领导批示同意建设，"
                                              "或国家、省统筹安排并拨付建设、运维资金"))))
    b.exclusive_gateway("gw_filing_ok", "予以备案?", lane="hub", clause=C + "第六条",
                        default="Flow_gw_filing_ok_end_filed_only")
    b.end("end_filed_only", "已备案", lane="hub", clause=C + "第六条", outcome="filed_only")
    b.end("end_expert_rejected", "初审未通过", lane="experts", clause=C + "第八条",
          outcome="rejected")
    b.end("end_joint_rejected", "不予审批", lane="hub", clause=C + "第九条", outcome="rejected")
    b.end("end_fund_rejected", "预算评审未通过", lane="finance", clause=C + "第四条",
          outcome="rejected")
    b.end("end_not_in_plan", "未列入年度预算", lane="hub", clause=C + "第十条",
          outcome="not_in_plan")
    b.end("end_no_consent", "未经市政府同意，不安排经费", lane="government", clause=C + "第六条",
          outcome="not_in_plan")
    b.end("end_approval_rejected", "立项未批准", lane="approval", clause=C + "第四条",
          outcome="rejected")
    b.end("end_terminated", "项目终止", lane="hub", clause=C + "第二十四条", outcome="terminated")
    b.end("end_accepted", "验收并备案", lane="unit", clause=C + "第三、二十条", outcome="accepted")

    # -- flows (main line first at each gateway) ------------------------------------
    b.flow("start", "decide_route")
    b.flow("decide_route", "gw_route")
    b.flow("gw_route", "declaration_window", name="申报审核")
    b.flow("gw_route", "filing_review", condition='route == "filed_only"', name="备案",
           clause=C + "第六条第二款")
    b.flow("gw_route", "end_out_of_scope", condition='route == "out_of_scope"', name="涉密",
           clause=C + "第二十六条")
    b.flow("filing_review", "gw_filing_ok")
    b.flow("gw_filing_ok", "end_filed_only", name="是")
    b.flow("gw_filing_ok", "declaration_window", condition="not approved", name="否，按程序申报",
           clause=C + "第六条第一款")
    b.flow("declaration_window", "declare")
    b.flow("declaration_closed", "end_declaration_missed")
    b.flow("declare", "gw_materials")
    b.flow("gw_materials", "expert_review", name="是")
    b.flow("gw_materials", "declare", id="Flow_gw_materials_declare",
           condition=f"not ({MATERIALS_COMPLETE})", name="否，补齐材料",
           clause=C + "第七、十六条")
    b.flow("expert_review", "gw_expert_ok")
    b.flow("gw_expert_ok", "joint_review", name="是")
    b.flow("gw_expert_ok", "end_expert_rejected", condition="not approved", name="否",
           clause=C + "第八条")
    b.flow("joint_review", "gw_joint_ok")
    b.flow("gw_joint_ok", "fund_review", condition=JOINT_PASSES, name="是", clause=C + "第九条")
    b.flow("gw_joint_ok", "end_joint_rejected", name="否")
    b.flow("fund_review", "gw_fund_ok")
    b.flow("gw_fund_ok", "wait_plan", name="是")
    b.flow("gw_fund_ok", "end_fund_rejected", condition="not approved", name="否",
           clause=C + "第四条")
    b.flow("wait_plan", "in_plan")
    b.flow("wait_plan", "left_out")
    b.flow("in_plan", "government_consent")
    b.flow("left_out", "end_not_in_plan")
    b.flow("government_consent", "gw_consent")
    b.flow("gw_consent", "gw_gov_investment", name="同意")
    b.flow("gw_consent", "end_no_consent", condition="not approved", name="不同意",
           clause=C + "第六条")
    b.flow("gw_gov_investment", "approval", condition="gov_investment", name="是",
           clause=C + "第四条")
    b.flow("gw_gov_investment", "procurement", name="否")
    b.flow("approval", "gw_approval_ok")
    b.flow("gw_approval_ok", "approval_permit", name="是")
    b.flow("gw_approval_ok", "end_approval_rejected", condition="not approved", name="否",
           clause=C + "第四条")
    b.flow("approval_permit", "procurement")
    b.flow("procurement", "contract_filing")
    b.flow("contract_filing", "gw_implement")
    b.flow("gw_implement", "implementation")
    b.flow("implementation", "gw_next")
    b.flow("gw_next", "security_crypto_review", name="建设完成")
    b.flow("gw_next", "progress_report", condition='next_step == "report_progress"',
           clause=C + "第十一条")
    b.flow("gw_next", "cloud_resource_request", condition='next_step == "request_cloud_change"',
           clause=C + "第十四条")
    b.flow("gw_next", "change", condition='next_step == "change_request"',
           clause=C + "第十三条")
    b.flow("gw_next", "supervision", condition='next_step == "incident_report"',
           clause=C + "第二十二条")
    b.flow("inspection_started", "supervision")
    b.flow("progress_report", "gw_implement")
    b.flow("cloud_resource_request", "gw_implement")
    b.flow("change", "gw_implement")
    b.flow("supervision", "gw_implement")
    b.flow("terminated", "end_terminated")
    b.flow("security_crypto_review", "gw_security_ok")
    b.flow("gw_security_ok", "final_acceptance", name="是")
    b.flow("gw_security_ok", "gw_implement", condition="not approved", name="否，整改",
           clause=C + "第十八条")
    b.flow("final_acceptance", "gw_final_ok")
    b.flow("gw_final_ok", "om_filing", name="是")
    b.flow("gw_final_ok", "gw_implement", condition="not approved", name="否，整改",
           clause=C + "第十七—十九条")
    b.flow("om_filing", "end_accepted")
    return b.to_xml()


def annual_plan_process() -> bytes:
    b = ProcessBuilder("annual_plan", name="招远市政务信息系统项目年度预算", lanes=[
        HUB, ("government", "市数字招远建设专项小组")])
    b.start("plan_start", "汇总下一年度预算", lane="hub", form=[
        Field("plan_year", "long", label="预算年度", required=True,
              description="下一年度：每年10月底前汇总并报专项小组研究通过（第十条）")])
    b.user_task("plan_compilation", "汇总项目预算", lane="hub", candidate_groups=["hub", "finance"],
                clause=C + "第十条", due=BUDGET_DUE, form=[
                    Field("projects", "array", label="拟列入预算的项目（业务编号）", required=True,
                          description="根据项目审批情况，由市大数据服务中心会同市财政局汇总"),
                    Field("total_budget", "number", label="项目预算合计（万元）", required=True,
                          min=0),
                ])
    escalate(b, "plan_compilation")
    b.user_task("plan_approval", "研究通过年度预算", lane="government",
                candidate_groups=["government"], clause=C + "第十条",
                due=BUDGET_DUE, form=[
                    *review_form(),
                    Field("projects", "array", label="研究通过的项目（业务编号）", required=True),
                ])
    escalate(b, "plan_approval")
    b.exclusive_gateway("gw_plan_ok", "研究通过?", lane="government", clause=C + "第十条",
                        default="Flow_gw_plan_ok_notify_in_plan")
    b.message_throw("notify_in_plan", "通知列入项目", lane="government",
                    message="annual_plan_approved",
                    expression='{"correlation": {"plan_year": plan_year}, '
                               '"business_keys": projects}', clause=C + "第十条")
    b.message_throw("notify_left_out", "通知未列入项目", lane="government", message="not_in_plan",
                    expression='{"correlation": {"plan_year": plan_year}, '
                               '"except_business_keys": projects}', clause=C + "第六、十条")
    b.end("plan_end", "年度预算通过", lane="government", outcome="approved")
    b.flow("plan_start", "plan_compilation")
    b.flow("plan_compilation", "plan_approval")
    b.flow("plan_approval", "gw_plan_ok")
    b.flow("gw_plan_ok", "notify_in_plan", name="是")
    b.flow("gw_plan_ok", "plan_compilation", id="Flow_gw_plan_ok_plan_compilation",
           condition="not approved", name="否", clause=C + "第十条")
    b.flow("notify_in_plan", "notify_left_out")
    b.flow("notify_left_out", "plan_end")
    return b.to_xml()


def change_process() -> bytes:
    b = ProcessBuilder("change_process", name="招远市项目调整", lanes=[UNIT, HUB, EXPERTS])
    b.start("change_start", "调整申请", lane="unit")
    b.user_task("change_request", "提交调整申请", lane="unit", candidate_groups=["unit"],
                clause=C + "第十三条", form=[
                    Field("goal_changed", "boolean", label="建设目标较大变化", required=True),
                    Field("site_changed", "boolean", label="建设地点较大变化", required=True),
                    Field("budget_changed", "boolean", label="项目预算较大变化", required=True),
                    Field("content_changed", "boolean", label="主要建设内容较大变化",
                          required=True),
                    Field("schedule_changed", "boolean", label="建设进度较大变化", required=True),
                    Field("change_description", "string", label="调整内容和理由", required=True,
                          minlength=1),
                    Field("contract_amount", "number", label="合同金额（万元）", required=True,
                          min=0),
                    Field("change_amount", "number", label="调整金额（万元）", required=True,
                          min=0),
                    Field("total_after_change", "number", label="调整后总投资（万元）",
                          required=True, min=0,
                          description="第十三条：严格按投资预算实施，原则上超支不补"),
                ])
    b.user_task("change_review", "审核调整申请", lane="hub", candidate_groups=["hub"],
                clause=C + "第十三条", form=review_form(
                    ("major_change", ("建设目标、地点、预算、主要内容或进度发生较大变化，"
                                     "须重新履行审核手续")),
                    ("no_overrun_top_up", "未以调整追加超支投资（原则上超支不补）")))
    b.exclusive_gateway("gw_change", "重新审核?", lane="hub", clause=C + "第十三条",
                        default="Flow_gw_change_change_accepted")
    b.user_task("expert_review", "专家初审（重审）", lane="experts",
                candidate_groups=["experts"], clause=C + "第十三条、第八条",
                form=review_form(*EXPERT_CRITERIA))
    b.exclusive_gateway("gw_change_expert_ok", "初审通过?", lane="experts",
                        clause=C + "第十三条、第八条",
                        default="Flow_gw_change_expert_ok_joint_review")
    b.user_task("joint_review", "联合评审（重审）", lane="hub",
                candidate_groups=["hub", "finance"], clause=C + "第十三条、第九条",
                form=JOINT_FORM)
    b.exclusive_gateway("gw_change_joint_ok", "联合评审通过?", lane="hub",
                        clause=C + "第十三条、第九条",
                        default="Flow_gw_change_joint_ok_change_refused")
    b.end("change_accepted", "同意调整", lane="hub", clause=C + "第十三条")
    b.end("change_refused", "不同意调整，按原批复实施", lane="hub", clause=C + "第十三条")
    b.flow("change_start", "change_request")
    b.flow("change_request", "change_review")
    b.flow("change_review", "gw_change")
    b.flow("gw_change", "expert_review", condition="approved and major_change",
           name="较大变化", clause=C + "第十三条")
    b.flow("gw_change", "change_accepted", name="同意")
    b.flow("gw_change", "change_refused", condition="not approved", name="不同意",
           clause=C + "第十三条")
    b.flow("expert_review", "gw_change_expert_ok")
    b.flow("gw_change_expert_ok", "joint_review", name="是")
    b.flow("gw_change_expert_ok", "change_refused", condition="not approved", name="否",
           clause=C + "第八条")
    b.flow("joint_review", "gw_change_joint_ok")
    b.flow("gw_change_joint_ok", "change_accepted", condition=JOINT_PASSES, name="是",
           clause=C + "第九条")
    b.flow("gw_change_joint_ok", "change_refused", name="否")
    return b.to_xml()


def inspection_process() -> bytes:
    b = ProcessBuilder("inspection_process", name="招远市项目监督检查", lanes=[HUB, UNIT])
    b.start("inspection_start", "检查或报告", lane="hub")
    b.user_task("inspection", "监督检查", lane="hub", candidate_groups=["hub"],
                clause=C + "第二十二、二十四条", form=[
                    Field("finding", "enum", label="检查结论", required=True, values={
                        "compliant": "符合有关规定",
                        "rectify": "责令限期整改（第二十二、二十四条）",
                        "suspend": "暂停建设并整改（第二十二条：严重逾期、重大损失等）",
                    }),
                    Field("opinion", "string", label="检查意见", required=True, minlength=1),
                ])
    b.exclusive_gateway("gw_finding", "符合规定?", lane="hub", clause=C + "第二十二、二十四条",
                        default="Flow_gw_finding_inspection_passed")
    # Every order to rectify sets its own deadline: a form field cannot be required for one
    # finding only, and a deadline of an earlier round must not be reused.
    b.user_task("rectification_order", "责令限期整改", lane="hub", candidate_groups=["hub"],
                clause=C + "第二十二、二十四条", form=[
                    Field("rectification_due", "date", label="限期整改期限", required=True,
                          description="整改期限届满当日24时止；逾期未完成的，"
                                      "由市大数据服务中心督办（第二十四条）"),
                    Field("rectification_requirements", "string", label="整改要求"),
                ])
    b.user_task("rectification", "限期整改", lane="unit", candidate_groups=["unit"],
                clause=C + "第二十二、二十四条", due=RECTIFICATION_DUE, form=[
                    Field("rectification_report", "string", label="整改情况", required=True,
                          minlength=1),
                ])
    b.boundary_message("rectification_refused", "拒不整改", attached_to="rectification",
                       message="rectification_refused", clause=C + "第二十四条\n" + REFUSAL,
                       properties=message_senders("hub"))
    escalate(b, "rectification", clause=SUPERVISION, form=RECTIFICATION_ESCALATION_FORM)
    b.user_task("rectification_review", "整改复查", lane="hub", candidate_groups=["hub"],
                clause=C + "第二十四条", form=review_form())
    b.exclusive_gateway("gw_rectified", "整改后符合要求?", lane="hub", clause=C + "第二十四条",
                        default="Flow_gw_rectified_inspection_passed")
    b.user_task("supervision_measure", "处理措施", lane="hub", candidate_groups=["hub"],
                clause=C + "第二十四条", form=[
                    Field("measure", "enum", label="措施", required=True, values={
                        "rectify_again": "继续限期整改",
                        "defer_funds": "暂缓拨付建设资金，继续整改",
                        "suspend": "暂停项目建设，继续整改",
                        "terminate": "终止项目",
                    }),
                    Field("opinion", "string", label="意见", required=True, minlength=1),
                ])
    b.exclusive_gateway("gw_measure", "终止项目?", lane="hub", clause=C + "第二十四条",
                        default="Flow_gw_measure_rectification_order")
    b.end("inspection_passed", "符合规定，继续建设", lane="hub", clause=C + "第二十四条")
    b.end("inspection_terminated", "终止项目", lane="hub", clause=C + "第二十四条",
          error="TERMINATED")
    b.flow("inspection_start", "inspection")
    b.flow("inspection", "gw_finding")
    b.flow("gw_finding", "inspection_passed", name="是")
    b.flow("gw_finding", "rectification_order", condition='finding != "compliant"',
           name="否：整改或暂停建设", clause=C + "第二十二、二十四条")
    b.flow("rectification_order", "rectification")
    b.flow("rectification", "rectification_review")
    b.flow("rectification_review", "gw_rectified")
    b.flow("gw_rectified", "inspection_passed", name="是")
    b.flow("gw_rectified", "supervision_measure", condition="not approved", name="否",
           clause=C + "第二十四条")
    b.flow("rectification_refused", "supervision_measure")
    b.flow("supervision_measure", "gw_measure")
    b.flow("gw_measure", "rectification_order", id="Flow_gw_measure_rectification_order",
           name="否，继续限期整改")
    b.flow("gw_measure", "inspection_terminated", condition='measure == "terminate"',
           name="是", clause=C + "第二十四条")
    return b.to_xml()


def route_dmn() -> bytes:
    table = DecisionTable("route", "办理方式", [
        Input("涉及国家秘密", "secret", "boolean"),
        Input("市政府主要领导批示同意建设", "leader_directed", "boolean"),
        Input("国家、省统筹安排并拨付建设、运维资金", "higher_level_funded", "boolean"),
    ], [Output("route", "办理方式")])
    table.rule(["True", "-", "-"], ['"out_of_scope"'],
               "招远 第二十六条: 涉及国家秘密的项目按有关规定办理，不适用本流程")
    table.rule(["False", "True", "-"], ['"filed_only"'],
               "招远 第六条第二款: 直接经市政府主要领导批示同意建设 → 向市大数据服务中心备案")
    table.rule(["False", "False", "True"], ['"filed_only"'],
               "招远 第六条第二款: 属国家、省统筹安排并拨付建设、运维资金 → 向市大数据服务中心备案")
    table.rule(["False", "False", "False"], ['"full_review"'],
               "招远 第六条第一款: 部门新建项目（含上级统筹建设而未由国家、省拨付建设和运维资金的）"
               "→ 申报、审核并报市政府同意")
    return dmn_document("route_definitions", "招远市项目办理方式", [table])


def diagram_set() -> tuple[dict[str, bytes], dict[str, bytes]]:
    return ({f"{TENANT}_project.bpmn": project_process(),
             "annual_plan.bpmn": annual_plan_process(),
             "change_request.bpmn": change_process(),
             "inspection.bpmn": inspection_process()},
            {"route.dmn": route_dmn()})


if __name__ == "__main__":
    for path in write_set(TENANT, *diagram_set()):
        print(path)  # noqa: T201
