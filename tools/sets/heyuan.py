"""河源市 (tenant ``heyuan``): 《河源市市级政务信息化项目管理办法》, 河府办〔2021〕30号.

``python -m tools.sets.heyuan`` writes bpmn/heyuan/heyuan_project.bpmn and
dmn/heyuan/{route,change_admissible}.dmn.

The yearly project list is an entry gate (第六条), not a batch wait: a project that was not
on last year's list ends ``not_in_plan``. A budget of 50万元 or less (以下 includes 50) takes
the filing route (备案制, 第十二条): a lighter 立项 that still needs the scheme argument and
the crypto review, then goes on to procurement and a self-organised acceptance without the
conformity review (第二十四条). Everything else goes through the initial review and the fund
review side by side, then the 立项批复 (第十一条(四)—(六)).

Every deadline of the text is 原则上 (in principle): crypto review 5 working days (第十一条(二)),
initial review 10 (第十一条(四)), fund review 12 (第十一条(五)), 立项批复 5 (第十一条(六)),
conformity review 10 (第二十四条). Each is the task's ``due`` (counted from the moment the
task becomes ready, i.e. the submission to that reviewer) and a NON-interrupting boundary
timer with the same notation: when it passes, the 市政务服务数据管理局 gets an escalation task
(超期督办) and the review itself goes on; nothing ends. The bureau escalates its own reviews and,
as the authority that runs the project's 立项 (第四条(一)), those of the 市密码管理局 and the
市财政局. The text has no waiting period and no window: the yearly list (每年第三季度前, 第六条)
is an entry gate (``in_yearly_list``), not a timer.
"""

from tools import sets
from tools.bpmn_builder import Field, ProcessBuilder
from tools.dmn_builder import DecisionTable, Input, Output, dmn_document
from tools.sets import review_form, write_set

TENANT = "heyuan"
C = "河源 "  # clause prefix

LANES = [
    ("unit", "项目建设单位"),
    ("crypto", "市密码管理局"),
    ("hub", "市政务服务数据管理局"),
    ("finance", "市财政局"),
    ("experts", "第三方咨询机构"),
]

START_FORM = [
    Field("project_name", "string", label="项目名称", required=True, minlength=1),
    Field("applicant_unit", "string", label="项目建设单位", required=True, minlength=1),
    Field("total_investment", "number", label="项目预算（万元）", required=True, min=0,
          description="第十二条的“预算”：50万元以下（含50万元）备案制"),
    Field("plan_year", "long", label="建设年度", required=True),
    Field("secret", "boolean", label="涉密项目", required=True,
          description="第五条：涉密项目按有关规定执行，不适用本流程"),
    Field("crypto_relevant", "boolean", label="涉及密码应用", required=True,
          description="第十一条(一)：面向社会服务的政务信息系统、关键信息基础设施、"
                      "网络安全等级保护第三级及以上信息系统等"),
    Field("project_class", "enum", label="项目类别", required=True,
          values={"public": "公共类（市政务服务数据管理局组织）",
                  "professional": "专业类（项目建设单位组织）"},
          description="第四条：公共类 / 专业类"),
    Field("in_yearly_list", "boolean", label="已列入上一年度项目建设清单", required=True,
          description="第六条：上一年度第三季度前报市政务服务数据管理局备案的项目清单"),
]

# 第九条: a system with any of these is in principle not approved (原则上不予立项).
BARS = (
    ("bar_catalog", "已纳入政务信息系统目录（第九条(一)）"),
    ("bar_data_sharing", "按要求共享数据资源、未重复采集数据（第九条(二)）"),
    ("bar_security", "符合密码应用、网络安全和安全可靠应用政策要求，无重大安全隐患（第九条(三)）"),
    ("bar_digital_government", "符合数字政府改革建设要求（第九条(四)）"),
    ("bar_secure_products", "采用安全可靠软硬件产品并作说明（第九条(五)）"),
)
# 第十一条(四): what the initial review examines.
INITIAL_REVIEW = (
    ("compliance", "合规性"),
    ("necessity", "必要性"),
    ("requirements_analysis", "现状及需求分析"),
    ("design", "方案设计"),
    ("system_integration", "系统整合"),
    ("data_sharing", "数据共享"),
    ("business_collaboration", "业务协同"),
    ("network_security", "网络安全要求"),
    ("digital_government", "符合数字政府改革建设有关要求"),
)
FUND_REVIEW = (
    ("fund_source", "资金来源明确（第十一条(五)）"),
    ("fund_arrangement", "资金安排合理（第十一条(五)）"),
    ("budget_reviewed", "项目预算审核通过（第十一条(五)）"),
    ("within_budget_capacity", "与单位年度预算可支配财力相适应，不挤占挪用已定用途资金（第十三条）"),
)
# 第二十六条: the bureau's overall supervision, the clause every escalation cites after the
# deadline's own clause.
SUPERVISION = "第二十六条"


def escalation_form(reviewer: str) -> list[Field]:
    """The escalation's form. ``reviewer`` is the lane label of the late review: the bureau
    itself, or the 市密码管理局 / 市财政局, whose late reviews it escalates as the authority
    that organises the project's 立项 (第四条(一)), without power over them."""
    if reviewer == dict(LANES)["hub"]:
        who = "本局审查超期（原则上的期限）：督办，不终止审查"
    else:
        who = (f"{reviewer}的审核超期（原则上的期限）：市政务服务数据管理局作为组织立项的主管部门"
               "（第四条(一)）督办，不终止审核")
    return [
        Field("measure", "enum", label="督办措施", required=True,
              values={"urge": "督促", "rectify": "限期整改", "note": "记录"}, description=who),
        Field("opinion", "string", label="督办意见", required=True, minlength=1),
    ]


# The tasks with a deadline (their ``due``), each escalated when it passes.
DEADLINE_TASKS = ("crypto_review", "initial_review", "fund_review", "approval",
                  "conformity_review")
FILING_REVIEW = (
    ("scheme_argued", "已执行方案编制论证（第十二条）"),
    ("crypto_reviewed", "涉及密码应用的已通过密码应用审核（第十二条）"),
    ("cost_reviewed_by_unit", "造价审核已由部门自行实施（第十二条）"),
)


def escalate(b: ProcessBuilder, task: str) -> None:
    """A 原则上 deadline: the bureau is asked to act, the task stays open; the timer and the
    escalation cite the deadline's clause, then the supervision clause."""
    host = b.nodes[task]
    cited = f"{host.clause}、{SUPERVISION}"
    sets.escalate(b, task, timer_clause=cited, escalation_clause=cited,
                  form=escalation_form(dict(LANES)[host.lane]))


def project_process() -> bytes:
    b = ProcessBuilder(f"{TENANT}_project", name="河源市市级政务信息化项目", lanes=LANES,
                       main=True, properties={"tenant_name": "河源市"})

    # -- entry: scope and the yearly list ------------------------------------
    b.start("start", "项目立项", lane="unit", form=START_FORM)
    b.exclusive_gateway("gw_secret", "涉密项目?", lane="unit", clause=C + "第五条",
                        default="Flow_gw_secret_gw_listed")
    b.end("end_out_of_scope", "按涉密规定办理", lane="unit", clause=C + "第五条",
          outcome="out_of_scope")
    b.exclusive_gateway("gw_listed", "列入上年度项目清单?", lane="unit",
                        clause=C + "第六条、第十一条(一)",
                        default="Flow_gw_listed_declare")
    b.end("end_not_in_plan", "未列入清单", lane="unit", clause=C + "第六条", outcome="not_in_plan")

    # -- 立项: scheme, crypto review, application ------------------------------
    b.user_task("declare", "方案编制论证及立项申报", lane="unit", candidate_groups=["unit"],
                clause=C + "第十一条(一)(三)", form=[
                    Field("scheme", "boolean", label="项目方案", required=True,
                          description="依据上一年度项目清单和市级财政资金项目库清单编制"),
                    Field("argument_opinion", "boolean", label="内部论证意见", required=True),
                    Field("crypto_scheme", "boolean", label="商用密码应用建设方案",
                          description="涉及密码应用的项目同步编制（第十一条(一)）"),
                    Field("crypto_assessment_report", "boolean",
                          label="商用密码应用方案评估报告",
                          description="涉及密码应用的项目随建设方案报市密码管理局（第十一条(二)）"),
                    Field("application_form", "boolean", label="项目立项申请表（附表1）",
                          required=True),
                    Field("data_resource_checklist", "boolean",
                          label="项目数据资源管理核查表（附表2）", required=True),
                    Field("necessity_documents", "boolean", label="项目建设必要性文件",
                          required=True),
                    Field("budget_unit", "string", label="报送的一级预算单位", required=True,
                          minlength=1, description="立项申报以一级预算单位名义报送（第十一条(三)）"),
                ])
    b.exclusive_gateway("gw_crypto", "涉及密码应用?", lane="unit", clause=C + "第十一条(二)",
                        default="Flow_gw_crypto_decide_route")
    b.user_task("crypto_review", "密码应用审核", lane="crypto", candidate_groups=["crypto"],
                clause=C + "第十一条(二)", due="5WD", form=review_form(
                    ("crypto_compliant", "商用密码应用建设方案符合要求"),
                    ("copied_to_hub", "审核意见已抄送市政务服务数据管理局")))
    b.exclusive_gateway("gw_crypto_ok", "密码审核通过?", lane="crypto",
                        clause=C + "第十一条(二)", default="Flow_gw_crypto_ok_decide_route")
    b.business_rule_task("decide_route", "确定立项方式", lane="hub", decision="route",
                         clause=C + "第十二条")
    b.exclusive_gateway("gw_route", "预算≤50万?", lane="hub", clause=C + "第十二条",
                        default="Flow_gw_route_split_review")

    # filing route (备案制)
    b.user_task("filing_review", "备案审核", lane="hub", candidate_groups=["hub"],
                clause=C + "第十二条", form=review_form(*FILING_REVIEW, *BARS))
    b.exclusive_gateway("gw_filing_ok", "备案审核通过?", lane="hub", clause=C + "第十二条",
                        default="Flow_gw_filing_ok_gw_class")
    b.end("end_filing_rejected", "备案未通过", lane="hub", clause=C + "第十二条",
          outcome="rejected")

    # full route: initial review and fund review side by side, then 立项批复
    b.parallel_gateway("split_review", lane="hub", clause=C + "第十一条(四)(五)")
    b.user_task("initial_review", "初步审核", lane="hub", candidate_groups=["hub"],
                clause=C + "第十一条(四)", due="10WD",
                form=review_form(*INITIAL_REVIEW, *BARS))
    b.user_task("fund_review", "资金审核", lane="finance", candidate_groups=["finance"],
                clause=C + "第十一条(五)", due="12WD", form=review_form(*FUND_REVIEW))
    # both reviews write approved/opinion; keep each under its own name past the join,
    # so the 立项批复 sees the two opinions it combines
    b.script_task("keep_initial_opinion", "留存初审意见", lane="hub", clause=C + "第十一条(四)",
                  script="initial_review_approved = approved\ninitial_review_opinion = opinion")
    b.script_task("keep_fund_opinion", "留存资金审核意见", lane="finance",
                  clause=C + "第十一条(五)",
                  script="fund_review_approved = approved\nfund_review_opinion = opinion")
    b.parallel_gateway("join_review", lane="hub", clause=C + "第十一条(六)")
    b.user_task("approval", "立项批复", lane="hub", candidate_groups=["hub"],
                clause=C + "第十一条(六)", due="5WD", form=review_form(
                    ("initial_review_considered", "已综合初步审核意见"),
                    ("fund_review_considered", "已综合资金审核意见")))
    b.exclusive_gateway("gw_approved", "批复立项?", lane="hub", clause=C + "第十一条(六)",
                        default="Flow_gw_approved_gw_class")
    b.end("end_rejected", "不予立项", lane="hub", clause=C + "第十一条(六)", outcome="rejected")

    # -- procurement -------------------------------------------------------
    b.exclusive_gateway("gw_class", "公共类项目?", lane="hub", clause=C + "第十五、十六条",
                        default="Flow_gw_class_procurement")
    b.user_task("public_procurement", "公共类项目采购", lane="hub", candidate_groups=["hub"],
                clause=C + "第十五条", form=[
                    Field("procurement_result", "string", label="采购结果", required=True,
                          minlength=1),
                    Field("contracts_signed", "boolean", label="已分别签订合同", required=True,
                          description="采购结果确定后由各单位分别签订合同"),
                ])
    b.user_task("procurement", "专业类项目采购", lane="unit", candidate_groups=["unit"],
                clause=C + "第十六条", form=[
                    Field("procurement_result", "string", label="采购结果", required=True,
                          minlength=1),
                    Field("contracts_signed", "boolean", label="已签订合同", required=True),
                ])
    b.script_task("init_changes", "变更次数置零", lane="unit", clause=C + "第二十一条(三)",
                  script="previous_changes = 0")

    # -- implementation, with changes and public infrastructure requests ------
    b.exclusive_gateway("gw_implement", lane="unit", clause=C + "第十七条")
    b.user_task("implementation", "项目实施", lane="unit", candidate_groups=["unit"],
                clause=C + "第十七条", form=[
                    Field("progress", "string", label="实施情况"),
                    Field("next_step", "enum", label="下一步", required=True, values={
                        "completed": "项目完工，组织初步验收",
                        "request_change": "申请变更（第二十一条）",
                        "request_cloud_resources": "申请公共基础设施服务（第十九条）",
                    }),
                ])
    b.exclusive_gateway("gw_next", "下一步?", lane="unit", clause=C + "第十七、十九、二十一条",
                        default="Flow_gw_next_initial_acceptance")
    # declared before the change and resource steps: the main line takes the top row
    b.user_task("initial_acceptance", "初步验收", lane="unit", candidate_groups=["unit"],
                clause=C + "第二十四条", form=review_form())
    b.user_task("cloud_resource_request", "申请公共基础设施服务", lane="unit",
                candidate_groups=["unit"], clause=C + "第十九条", form=[
                    Field("resources", "string", label="申请的公共基础设施服务（政务云、政务网等）",
                          required=True, minlength=1),
                ])
    b.user_task("cloud_resource_review", "审核分配公共基础设施", lane="hub",
                candidate_groups=["hub"], clause=C + "第十九条", form=[
                    *review_form(),
                    Field("allocated", "string", label="分配的资源"),
                ])

    b.user_task("change_request", "变更申请", lane="unit", candidate_groups=["unit"],
                clause=C + "第二十一条", form=[
                    Field("contract_amount", "number", label="合同金额（万元）", required=True,
                          min=0),
                    Field("change_amount", "number", label="变更部分金额（万元）", required=True,
                          min=0),
                    Field("total_after_change", "number", label="变更后项目总金额（万元）",
                          required=True, min=0),
                    Field("change_basis", "string", label="变更依据", required=True, minlength=1),
                    Field("change_content", "string", label="变更内容", required=True,
                          minlength=1),
                    Field("supervisor_opinion", "string", label="监理单位意见",
                          description="项目变更单（附表3）"),
                ])
    b.business_rule_task("check_change", "变更情形核对", lane="hub",
                         decision="change_admissible", clause=C + "第二十一条")
    b.user_task("change_review", "变更审核", lane="hub", candidate_groups=["hub"],
                clause=C + "第二十一条", form=[
                    *review_form(),
                    Field("legal_basis", "string", label="适用的法律法规及国家和省有关规定",
                          description="不符合第二十一条(一)至(三)情形的变更，按相关法律法规、"
                                      "国家和省有关规定办理"),
                ])
    b.exclusive_gateway("gw_change_ok", "同意变更?", lane="hub", clause=C + "第二十一条",
                        default="Flow_gw_change_ok_gw_implement")
    b.user_task("change_fund_review", "变更预算审核", lane="finance",
                candidate_groups=["finance"], clause=C + "第二十一条", form=review_form())
    b.exclusive_gateway("gw_change_fund_ok", "变更预算审核通过?", lane="finance",
                        clause=C + "第二十一条", default="Flow_gw_change_fund_ok_gw_implement")
    b.script_task("count_change", "记录已批准变更", lane="finance",
                  clause=C + "第二十一条(三)", script="previous_changes = previous_changes + 1")
    # -- acceptance ----------------------------------------------------------
    b.exclusive_gateway("gw_initial_ok", "初步验收通过?", lane="unit", clause=C + "第二十四条",
                        default="Flow_gw_initial_ok_archive_acceptance")
    b.user_task("archive_acceptance", "档案验收", lane="unit", candidate_groups=["unit"],
                clause=C + "第二十二条", form=review_form(
                    ("archive_complete", "项目档案完整、符合档案管理规定")))
    b.exclusive_gateway("gw_archive_ok", "档案验收合格?", lane="unit", clause=C + "第二十二条",
                        default="Flow_gw_archive_ok_gw_resubmit")
    b.exclusive_gateway("gw_resubmit", lane="unit", clause=C + "第二十五条")
    b.exclusive_gateway("gw_conformity", "备案制项目?", lane="unit", clause=C + "第二十四条",
                        default="Flow_gw_conformity_conformity_review")
    b.user_task("conformity_review", "验收前符合性审查", lane="hub", candidate_groups=["hub"],
                clause=C + "第二十四条", due="10WD", form=review_form())
    b.exclusive_gateway("gw_conformity_ok", "符合性审查通过?", lane="hub",
                        clause=C + "第二十四、二十五条",
                        default="Flow_gw_conformity_ok_final_acceptance")
    b.user_task("rectification", "整改", lane="unit", candidate_groups=["unit"],
                clause=C + "第二十五条", form=[
                    Field("rectification_report", "string", label="整改情况", required=True,
                          minlength=1),
                ])
    b.user_task("final_acceptance", "项目验收", lane="unit", candidate_groups=["unit"],
                clause=C + "第二十四、二十五条", form=[
                    *review_form(),
                    Field("acceptance_report", "string", label="验收报告", required=True,
                          minlength=1),
                    Field("finance_participated", "boolean", label="市财政局参加验收",
                          description="经符合性审查的项目：组织市财政局、承建及监理单位验收"),
                    Field("contractor_participated", "boolean", label="承建单位参加验收"),
                    Field("supervisor_participated", "boolean", label="监理单位参加验收"),
                    Field("hub_supervised", "boolean", label="市政务服务数据管理局派员监督",
                          description="协助组织专家并派员对验收流程进行监督"),
                ])
    b.exclusive_gateway("gw_final_ok", "验收通过?", lane="unit", clause=C + "第二十五条",
                        default="Flow_gw_final_ok_split_report")
    b.inclusive_gateway("split_report", "验收报告报送哪里?", lane="unit", clause=C + "第二十五条")
    b.user_task("acceptance_filing", "验收报告备案", lane="hub", candidate_groups=["hub"],
                clause=C + "第二十五、二十六条", form=[
                    Field("report_received", "boolean", label="已收到验收报告", required=True),
                    Field("post_evaluation", "boolean", label="委托第三方咨询机构开展后评价",
                          required=True, description="第二十六条：可委托（可选）"),
                    Field("opinion", "string", label="意见"),
                ])
    b.user_task("crypto_acceptance_filing", "验收报告抄送", lane="crypto",
                candidate_groups=["crypto"], clause=C + "第二十五条", form=[
                    Field("report_received", "boolean", label="已收到验收报告", required=True),
                    Field("crypto_opinion", "string", label="意见"),
                ])
    b.inclusive_gateway("join_report", lane="hub", clause=C + "第二十五条")
    b.exclusive_gateway("gw_post_evaluation", "开展后评价?", lane="hub", clause=C + "第二十六条",
                        default="Flow_gw_post_evaluation_end_accepted")
    b.user_task("performance_evaluation", "后评价", lane="experts",
                candidate_groups=["experts"], clause=C + "第二十六条", form=[
                    Field("efficiency", "string", label="运行效率", required=True, minlength=1),
                    Field("security", "string", label="信息安全", required=True, minlength=1),
                    Field("effect", "string", label="应用效果", required=True, minlength=1),
                    Field("conclusion", "string", label="评价结论", required=True, minlength=1,
                          description="作为项目建设单位后续建设项目的重要立项依据"),
                ])
    b.end("end_accepted", "完成验收", lane="hub", clause=C + "第二十五条", outcome="accepted")

    # -- flows ----------------------------------------------------------------
    b.flow("start", "gw_secret")
    b.flow("gw_secret", "end_out_of_scope", condition="secret", name="涉密",
           clause=C + "第五条")
    b.flow("gw_secret", "gw_listed", name="非涉密")
    b.flow("gw_listed", "end_not_in_plan", condition="not in_yearly_list", name="未列入",
           clause=C + "第六条")
    b.flow("gw_listed", "declare", name="已列入")
    b.flow("declare", "gw_crypto")
    b.flow("gw_crypto", "crypto_review", condition="crypto_relevant", name="是",
           clause=C + "第十一条(二)")
    b.flow("gw_crypto", "decide_route", name="否")
    b.flow("crypto_review", "gw_crypto_ok")
    b.flow("gw_crypto_ok", "declare", condition="not approved", name="不通过，修改方案",
           clause=C + "第九条(三)、第十一条(二)")
    b.flow("gw_crypto_ok", "decide_route", name="通过")
    b.flow("decide_route", "gw_route")
    b.flow("gw_route", "filing_review", condition='route == "filing_mode"', name="备案制",
           clause=C + "第十二条")
    b.flow("gw_route", "split_review", name="审批制")
    b.flow("filing_review", "gw_filing_ok")
    b.flow("gw_filing_ok", "end_filing_rejected", condition="not approved", name="不通过",
           clause=C + "第十二条")
    b.flow("gw_filing_ok", "gw_class")  # 通过: 完成立项 (unnamed: the label would sit on a task)
    b.flow("split_review", "initial_review")
    b.flow("split_review", "fund_review")
    b.flow("initial_review", "keep_initial_opinion")
    b.flow("keep_initial_opinion", "join_review")
    b.flow("fund_review", "keep_fund_opinion")
    b.flow("keep_fund_opinion", "join_review")
    b.flow("join_review", "approval")
    b.flow("approval", "gw_approved")
    b.flow("gw_approved", "end_rejected", condition="not approved", name="不予立项",
           clause=C + "第十一条(六)")
    b.flow("gw_approved", "gw_class", name="完成立项")
    b.flow("gw_class", "public_procurement", condition='project_class == "public"',
           name="公共类", clause=C + "第十五条")
    b.flow("gw_class", "procurement", name="专业类")
    b.flow("public_procurement", "init_changes")
    b.flow("procurement", "init_changes")
    b.flow("init_changes", "gw_implement")
    b.flow("gw_implement", "implementation")
    b.flow("implementation", "gw_next")
    b.flow("gw_next", "initial_acceptance", name="完工")
    b.flow("gw_next", "change_request", condition='next_step == "request_change"',
           name="变更", clause=C + "第二十一条")
    b.flow("gw_next", "cloud_resource_request", condition='next_step == "request_cloud_resources"',
           name="申请资源", clause=C + "第十九条")
    b.flow("change_request", "check_change")
    b.flow("check_change", "change_review")
    b.flow("change_review", "gw_change_ok")
    b.flow("gw_change_ok", "change_fund_review", condition="approved", name="同意",
           clause=C + "第二十一条")
    b.flow("gw_change_ok", "gw_implement", name="不同意")
    b.flow("change_fund_review", "gw_change_fund_ok")
    b.flow("gw_change_fund_ok", "count_change", condition="approved", name="通过",
           clause=C + "第二十一条")
    b.flow("gw_change_fund_ok", "gw_implement", name="不通过")
    b.flow("count_change", "gw_implement")
    b.flow("cloud_resource_request", "cloud_resource_review")
    b.flow("cloud_resource_review", "gw_implement")
    b.flow("initial_acceptance", "gw_initial_ok")
    b.flow("gw_initial_ok", "gw_implement", condition="not approved", name="未通过，继续实施",
           clause=C + "第二十四条")
    b.flow("gw_initial_ok", "archive_acceptance", name="通过")
    b.flow("archive_acceptance", "gw_archive_ok")
    b.flow("gw_archive_ok", "archive_acceptance", id="Flow_gw_archive_ok_archive_acceptance",
           condition="not approved", name="不合格，整改后重验", clause=C + "第二十二条")
    b.flow("gw_archive_ok", "gw_resubmit", name="合格")
    b.flow("gw_resubmit", "gw_conformity")
    # declared main line first: the layout takes the rectification flows as the loops
    b.flow("gw_conformity", "conformity_review", name="否")
    b.flow("gw_conformity", "final_acceptance", condition='route == "filing_mode"',
           name="是，自行组织验收", clause=C + "第二十四条")
    b.flow("conformity_review", "gw_conformity_ok")
    b.flow("gw_conformity_ok", "final_acceptance", name="通过")
    b.flow("gw_conformity_ok", "rectification", condition="not approved", name="未通过",
           clause=C + "第二十五条")
    b.flow("final_acceptance", "gw_final_ok")
    b.flow("gw_final_ok", "split_report", name="通过")
    b.flow("gw_final_ok", "rectification", condition="not approved", name="未通过",
           clause=C + "第二十五条")
    b.flow("rectification", "gw_resubmit", name="再次报审", clause=C + "第二十五条")
    b.flow("split_report", "acceptance_filing", condition="True", name="报数据管理局",
           clause=C + "第二十五条")
    b.flow("split_report", "crypto_acceptance_filing", condition="crypto_relevant",
           name="涉及密码应用：抄送", clause=C + "第二十五条")
    b.flow("acceptance_filing", "join_report")
    b.flow("crypto_acceptance_filing", "join_report")
    b.flow("join_report", "gw_post_evaluation")
    b.flow("gw_post_evaluation", "performance_evaluation", condition="post_evaluation",
           name="委托后评价", clause=C + "第二十六条")
    b.flow("gw_post_evaluation", "end_accepted", name="不开展")
    b.flow("performance_evaluation", "end_accepted")

    # -- 原则上 deadlines: escalation, never an end of the project ------------------
    for task in DEADLINE_TASKS:
        escalate(b, task)
    return b.to_xml()


def route_dmn() -> bytes:
    table = DecisionTable("route", "立项方式", [
        Input("项目预算（万元）", "total_investment", "number")],
        [Output("route", "立项方式")])
    table.rule(["<= 50"], ['"filing_mode"'],
               "河源 第十二条: 预算50万元以下（“以下”含本数，50万元为备案制）→ 备案制")
    table.rule(["> 50"], ['"full_review"'],
               "河源 第十一条(四)—(六): 预算超过50万元 → 初步审核、资金审核、立项批复")
    return dmn_document("route_definitions", "河源市立项方式", [table])


def change_admissible_dmn() -> bytes:
    tenth = "round(contract_amount * 0.1, 6)"
    table = DecisionTable("change_admissible", "变更情形核对", [
        Input("合同金额（万元）", "contract_amount", "number"),
        Input("变更后项目总金额（万元）", "total_after_change", "number"),
        Input("变更部分金额（万元）", "change_amount", "number"),
        Input("此前已批准的变更次数", "previous_changes", "integer"),
    ], [Output("change_admissible", "符合第二十一条情形", "boolean"),
        Output("change_issue", "不符合的情形")])
    table.rule(["-", "<= contract_amount", f"round(?, 6) <= {tenth}", "== 0"],
               ["True", '""'],
               "河源 第二十一条(一)—(三): 变更后总金额不超出合同金额（等于可），变更部分不超过"
               "合同金额的10%（10%含本数），此前无变更 → 符合")
    table.rule(["-", "> contract_amount", "-", "-"],
               ["False", '"第二十一条(一): 变更后项目总金额超出合同金额"'],
               "河源 第二十一条(一): 变更后项目总金额超出合同金额 → 不符合，按相关法律法规、"
               "国家和省有关规定审核")
    table.rule(["-", "<= contract_amount", f"round(?, 6) > {tenth}", "-"],
               ["False", '"第二十一条(二): 变更部分金额超过合同金额的10%"'],
               "河源 第二十一条(二): 变更部分金额超过合同金额的10%（恰为10%不算超过）→ 不符合，"
               "按相关法律法规、国家和省有关规定审核")
    table.rule(["-", "<= contract_amount", f"round(?, 6) <= {tenth}", ">= 1"],
               ["False", '"第二十一条(三): 同一项目的变更申请多于1次"'],
               "河源 第二十一条(三): 此前已有变更，同一项目变更申请原则上不得多于1次 → 不符合，"
               "按相关法律法规、国家和省有关规定审核")
    return dmn_document("change_admissible_definitions", "河源市项目变更情形", [table])


def diagram_set() -> tuple[dict[str, bytes], dict[str, bytes]]:
    return ({f"{TENANT}_project.bpmn": project_process()},
            {"route.dmn": route_dmn(), "change_admissible.dmn": change_admissible_dmn()})


if __name__ == "__main__":
    for path in write_set(TENANT, *diagram_set()):
        print(path)  # noqa: T201
