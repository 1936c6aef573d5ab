"""高青县 (tenant ``gaoqing``): 《高青县电子政务建设项目管理实施细则》, 高政办发〔2021〕1号.

``python -m tools.sets.gaoqing`` writes bpmn/gaoqing/{gaoqing_project,annual_plan}.bpmn and
dmn/gaoqing/{consultancy_required,review_mode,supervisor_required}.dmn.

The project process: secret projects leave for the 县保密局 and projects arranged and funded
by the province or city are only filed (三(一)); a planned investment of 100万元（含）or a
technically complex design needs a consultancy-compiled construction plan before the
declaration (三(一)); the declaration is due by September 30 of the year before the plan year;
a project in the county's major investment plan goes to the 县发改部门 for 立项 (三(一)); the
third-party review is written below 100万元 and on-site from 100万元（含）(三(二)1); the
大数据局 and the 财政局 countersign the 审核意见 (三(二)2); then the project waits for the
annual plan that the 县政府 approves (三(二)3, the batch process ``annual_plan``). Listed
projects go on to the procurement review, procurement, the supervisor filing where required
(三(三)), implementation with plan changes, cloud resources and inspections (三(二)4, 三(三)),
initial and final acceptance (三(四), 附件7), the settlement review and the performance
evaluation (四).

Deadlines and timers: every task with a due date (declaration by September 30, the review and
the countersigned opinion by November 30, the annual plan by December 31, initial acceptance
within half a year of the completion date ``P6M@completed_on``, or by the extended date
``@extended_until`` once the hub grants an extension, final acceptance within 20 working days,
rectification by the date the hub set ``@rectification_due``) carries a non-interrupting
boundary timer with the same notation; when it passes, the 县大数据局 (with the 县财政局) gets an
escalation task ``<task>_escalation`` (二、三(三)4), that branch ends without an outcome and the
task stays open. ``implementation`` records the completion date ``completed_on`` (required); a
project with newly developed application software waits at the intermediate timer
``trial_run`` (``P3M@completed_on``, 三(四)1) before the initial acceptance, and the half year of
附件7 一 counts from the same date, trial run or not. Every rectification (三(三)4, 三(四)2, 四)
is ordered by the hub in ``rectification_order``, which sets ``rectification_due``.

Amounts (万元): ``planned_investment`` is the 计划投资 of 三(一) (consultancy), ``total_investment``
the 总投资 of 三(二)1 (review mode) and of 三(三)3 (supervisor, for a project that contains an
信息化工程项目: ``it_engineering`` in the declaration), ``largest_software_system_value`` the
单个软件系统价值 of 附件7 五(十一)1 (outline design document, a field of the acceptance
application).
"""

from tools import sets
from tools.bpmn_builder import Field, ProcessBuilder
from tools.dmn_builder import DecisionTable, Input, Output, dmn_document
from tools.sets import FROM_THE_PLAN, message_senders, review_form, write_set

TENANT = "gaoqing"
C = "高青 "  # clause prefix
INSPECTORS = ("发送方：县大数据局（hub）、县财政局（finance）、县审计局（audit）——三(三)4"
              "“县电子政务主管部门应当会同县财政、审计部门……对在建的电子政务项目进行监督检查”")

LANES = [
    ("unit", "项目申报（建设）单位"),
    ("hub", "县大数据局"),
    ("experts", "第三方评审服务机构"),
    ("finance", "县财政局"),
    ("approval", "县发改部门"),
    ("government", "县政府"),
    ("secrecy", "县保密局"),
]

START_FORM = [
    Field("project_name", "string", label="项目名称", required=True, minlength=1),
    Field("applicant_unit", "string", label="项目申报单位", required=True, minlength=1),
    Field("total_investment", "number", label="总投资（万元）", required=True, min=0,
          description="三(二)1 的“总投资”：100万元以下书面评审，100万元（含）以上现场评审；"
                      "三(三)3：投资200万元（含）以上项目中的信息化工程项目实行监理"),
    Field("planned_investment", "number", label="计划投资（万元）", required=True, min=0,
          description="三(一) 的“计划投资”：100万元（含）以上须提前委托工程咨询单位编制"
                      "项目建设方案（申报前的计划数，通常与总投资相同）"),
    Field("plan_year", "long", label="建设年度（申报下一年度）", required=True,
          description="三(一)：每年9月底前申报下一年度项目；三(二)3：列入该年度建设计划"),
    Field("secret", "boolean", label="涉密项目", required=True,
          description="三(一)：涉密项目由县保密行政管理部门审查确认，不适用本流程"),
    Field("higher_level_funded", "boolean", label="省、市统筹安排并拨付建设资金",
          required=True,
          description="三(一)：按上级申报要求填报，同时抄送县电子政务主管部门备案"),
    Field("major_investment_plan", "boolean", label="列入县重大项目投资计划", required=True,
          description="三(一)：需报县发改部门立项审批"),
    Field("technically_complex", "boolean", label="技术设计较为复杂", required=True,
          description="三(一)：技术设计较为复杂的项目须提前委托工程咨询单位编制项目建设方案"),
]

# 三(二)1: what the project review examines, (1)–(9).
REVIEW_CRITERIA = (
    ("plan_conformity", "(1) 符合国家、省、市电子政务和新型智慧城市发展总体规划"),
    ("policy_conformity", "(2) 符合有关政策规定及标准规范"),
    ("infrastructure_reuse", "(3) 充分利用已有的基础软硬件设施"),
    ("design_sound", "(4) 技术设计和建设方案合理、可行、符合技术发展趋势"),
    ("resource_catalog", "(5) 编制的项目政务信息资源目录合理"),
    ("data_sharing", "(6) 考虑政务信息资源数据充分共享和综合利用"),
    ("cloud_resources", "(7) 项目所需云资源需求合理"),
    ("security_solution", "(8) 有全面、可行的信息安全解决方案"),
    ("budget_schedule", "(9) 项目财政投资测算和进度安排合理"),
)
# 三(二)1: the five steps of an on-site review.
ONSITE_STEPS = (
    ("step_unit_presented", "现场评审(1)：项目申报单位介绍项目建设方案"),
    ("step_experts_discussed", "现场评审(2)：评审专家提出意见建议并进行讨论"),
    ("step_finance_discussed", "现场评审(3)：县财政部门提出意见并进行讨论"),
    ("step_hub_discussed", "现场评审(4)：县电子政务主管部门提出意见并进行讨论"),
    ("step_opinion_formed", "现场评审(5)：形成现场评审意见"),
)
# 三(二)2 (the countersigned 审核意见) and the outright bars of 三(一) and 三(二)1.
JOINT_CRITERIA = (
    ("technical_conclusion_approved", "评审报告技术性评审结论审核通过（县大数据局，三(二)2）"),
    ("fund_conclusion_approved", "评审报告财政资金评审结论审核通过（县财政局，三(二)2）"),
    ("category_allowed", "不属于三(一)(1)—(8)不再批准单位单独建设的项目，或确有特殊情况"),
    ("migration_completed", ("已按时按要求完成电子政务基础设施和应用系统迁移整合，"
                            "未违反政务信息资源共享管理规定（三(二)1）")),
    ("sharing_supported", ("支持政务信息资源共享交换平台、按规定向平台提供信息、"
                          "明确部门间信息共享需求（三(二)1）")),
)
JOINT_PASS = " and ".join(["approved", *(c for c, _ in JOINT_CRITERIA)])

# 附件7 四 (acceptance conditions) and 三(四)2 (what fails an acceptance).
ACCEPTANCE_CRITERIA = (
    ("built_as_designed", "附件7 四(一)：网络、应用、安全等主体工程和辅助设施已按设计建成"),
    ("tested_and_trial_run", "附件7 四(二)：软硬件系统经测试和试运行合格"),
    ("ready_for_operation", "附件7 四(三)：投入使用的各项准备工作已经完成"),
    ("budget_report_and_accounts", "附件7 四(四)：完成预算执行情况报告和初步的财务决算"),
    ("security_assessment_done", "附件7 四(五)：完成项目信息安全风险评估"),
    ("archives_complete", "附件7 四(六)：档案文件整理齐全"),
    ("parameters_match_plan", "主要技术参数指标与项目审核意见确定的建设方案一致（三(四)2）"),
    ("catalog_in_sharing_platform", ("项目信息资源目录已纳入政务信息资源共享交换平台目录"
                                    "管理系统（三(四)2）")),
)
ACCEPTANCE_PASS = " and ".join(["approved", *(c for c, _ in ACCEPTANCE_CRITERIA)])

# 附件7 五: the acceptance application's materials (always required).
APPLICATION_MATERIALS = (
    ("application_form", "(一) 项目验收申请表"),
    ("contract_and_tender_documents", "(二) 项目合同、招标文件、投标文件复印件"),
    ("initial_acceptance_report", "(三) 项目初验报告"),
    ("completion_summary", "(四) 项目完成情况总结"),
    ("technical_summary", "(五) 项目技术工作总结"),
    ("benefit_report", "(六) 项目完成后的经济效益和社会效益"),
    ("equipment_software_list", "(七) 购置设备、软件清单"),
    ("user_report", "(九) 项目用户使用报告"),
    ("sharing_report", "(十) 项目信息资源共享情况报告"),
    ("process_documents", "(十一) 项目过程文档"),
)
MATERIALS_INCOMPLETE = (
    "not (" + " and ".join(m for m, _ in APPLICATION_MATERIALS) + ")"
    " or (supervisor_required and not supervisor_opinion)"
    " or (largest_software_system_value >= 100 and not outline_design_document)"
)

# Supervision of deadlines: 二 makes the 县大数据局 the 主管部门 for 审核、实施监督、组织验收
# (and the 县财政局 its partner for the joint review and the annual plan); 三(三)4 has it supervise
# projects with the finance and audit departments. Every escalation cites both, then the
# deadline's own clause.
SUPERVISION = C + "二、三(三)4"
ESCALATION_FORM = [
    Field("measure", "enum", label="督办措施", required=True,
          values={"urge": "督促", "rectify": "限期整改", "note": "记录"},
          description="期限已过：县大数据局会同县财政局督办（二、三(三)4）；任务本身继续办理"),
    Field("opinion", "string", label="督办意见", required=True, minlength=1),
]


def escalate(b: ProcessBuilder, task: str) -> None:
    """A deadline passing: the 县大数据局 (with finance) is asked to act; ``task`` stays open."""
    cited = SUPERVISION.removeprefix(C).split("、")
    cited += [c for c in b.nodes[task].clause.removeprefix(C).split("、") if c not in cited]
    sets.escalate(b, task, timer_clause=SUPERVISION, escalation_clause=C + "、".join(cited),
                  form=ESCALATION_FORM, groups=("hub", "finance"))


# The project's tasks with a deadline (their ``due``), each escalated when it passes.
DEADLINE_TASKS = ("declare", "written_review", "onsite_review", "joint_review",
                  "initial_acceptance", "initial_acceptance_extended", "final_acceptance",
                  "rectification")

# 三(四)1: the initial acceptance, on time or after a granted extension (附件7 一).
INITIAL_ACCEPTANCE_FORM = [
    Field("initial_result", "enum", label="初步验收结果", required=True, values={
        "passed": "通过初步验收",
        "failed": "未通过，继续实施",
        "extension": "因特殊原因不能按时提交竣工验收申请，申请延期",
    }),
    Field("software_tested", "boolean",
          label="新开发的应用软件已由有资质的评测评估机构测试", required=True),
    Field("security_risk_assessment", "boolean", label="完成信息安全风险评估",
          required=True),
    Field("opinion", "string", label="初步验收意见", required=True, minlength=1),
]
RECTIFICATION_CLAUSE = C + "三(三)4、三(四)2、四"
PLAN_DEADLINE_TASKS = ("plan_compilation", "plan_approval")

BARRED_CATEGORIES = "三(一)：新建机房及通用硬件、业务专网和跨部门网络、跨部门数据共享交换、" \
                    "协同办公、政府门户网站、视频会议、行政权力运行系统、其他可共享复用项目，" \
                    "无特殊情况不再批准各单位单独建设"


def project_process() -> bytes:
    b = ProcessBuilder(f"{TENANT}_project", name="高青县电子政务建设项目", lanes=LANES,
                       main=True, properties={"tenant_name": "高青县"})

    # -- scope: secret and higher-level projects ------------------------------
    b.start("start", "项目申报", lane="unit", form=START_FORM)
    b.exclusive_gateway("gw_secret", "涉密项目?", lane="unit", clause=C + "三(一)",
                        default="Flow_gw_secret_gw_higher")
    b.end("end_out_of_scope", "由县保密局审查确认", lane="secrecy", clause=C + "三(一)",
          outcome="out_of_scope")
    b.exclusive_gateway("gw_higher", "省、市统筹安排并拨付建设资金?", lane="unit",
                        clause=C + "三(一)", default="Flow_gw_higher_decide_consultancy")
    b.user_task("filing_review", "上级项目抄送备案", lane="hub", candidate_groups=["hub"],
                clause=C + "三(一)", form=[
                    Field("declared_upward", "boolean", label="已按上级申报要求填报有关资料",
                          required=True),
                    Field("filed", "boolean", label="抄送材料已备案", required=True),
                    Field("opinion", "string", label="备案意见"),
                ])
    b.end("end_filed_only", "备案", lane="hub", clause=C + "三(一)", outcome="filed_only")

    # -- consultancy before the declaration ----------------------------------
    b.business_rule_task("decide_consultancy", "是否委托工程咨询", lane="unit",
                         decision="consultancy_required", clause=C + "三(一)")
    b.exclusive_gateway("gw_consultancy", "须委托工程咨询单位编制方案?", lane="unit",
                        clause=C + "三(一)", default="Flow_gw_consultancy_gw_declare")
    b.user_task("consultancy_plan", "委托工程咨询编制方案", lane="unit",
                candidate_groups=["unit"], clause=C + "三(一)", form=[
                    Field("consultancy_scope", "string", label="委托编制项目建设方案的内容",
                          required=True, minlength=1),
                    Field("consultancy_procurement_documents", "boolean",
                          label="工程咨询服务采购需求已报审", required=True,
                          description="报县电子政务主管部门审核后，按程序进行政府采购确定"
                                      "项目工程咨询单位"),
                ])
    b.user_task("consultancy_review", "审核咨询委托", lane="hub", candidate_groups=["hub"],
                clause=C + "三(一)", form=review_form(
                    ("consultancy_needed_confirmed", ("属计划投资100万元（含）以上或技术设计"
                                                     "较为复杂的项目")),
                    ("qualification_required", "要求工程咨询单位具有相关资质")))
    b.exclusive_gateway("gw_consultancy_ok", "审核通过?", lane="hub", clause=C + "三(一)",
                        default="Flow_gw_consultancy_ok_gw_declare")
    b.exclusive_gateway("gw_declare", lane="unit", clause=C + "三(一)")

    # -- declaration, 立项 for major investment projects -----------------------
    b.user_task("declare", "项目申报", lane="unit", candidate_groups=["unit"],
                clause=C + "三(一)", due="--09-30@plan_year-1", form=[
                    Field("application_letter", "boolean", label="项目申请文件（附件1）",
                          required=True),
                    Field("application_form", "boolean", label="项目申请表（附件2）",
                          required=True),
                    Field("construction_plan", "boolean", label="项目建设方案（附件3）",
                          required=True,
                          description="按高青县电子政务项目建设方案编写提纲编制"),
                    Field("project_type", "enum", label="项目类型（附件2）", required=True,
                          values={"website": "网站建设类", "hardware": "硬件建设类",
                                  "application": "业务应用系统建设类", "other": "其他"}),
                    Field("network", "enum", label="基于网络（附件2）", required=True,
                          values={"internet": "互联网", "extranet": "政务外网",
                                  "private_gov": "政务专网", "private_business": "业务专网",
                                  "other": "其他"}),
                    Field("fund_source", "string", label="资金来源", required=True,
                          minlength=1),
                    Field("construction_months", "long", label="建设周期（月）", required=True,
                          min=1),
                    Field("it_engineering", "boolean", label="含信息化工程项目", required=True,
                          description="一、适用范围：信息基础设施、信息网络建设、业务应用软件"
                                      "开发、信息资源开发利用等新建、改建、升级（区别于信息化"
                                      "服务项目）；三(三)3 监理制据此判断"),
                    Field("new_software", "boolean", label="含新开发的应用软件", required=True,
                          description="三(四)1：新开发的应用软件试运行期原则上不少于3个月，"
                                      "项目建成后先试运行3个月再初步验收"),
                    Field("uses_existing_infrastructure", "boolean",
                          label="充分利用已有电子政务基础设施开发、部署和运行", required=True,
                          description="三(一)：已建基础设施逐步迁移至政务云"),
                    Field("consultancy_unit", "string", label="编制建设方案的工程咨询单位",
                          description="计划投资100万元（含）以上或技术设计较为复杂的项目填写"),
                ])
    b.exclusive_gateway("gw_major", "列入县重大项目投资计划?", lane="unit", clause=C + "三(一)",
                        default="Flow_gw_major_decide_review_mode")
    b.user_task("approval", "立项审批", lane="approval", candidate_groups=["approval"],
                clause=C + "三(一)", form=[
                    *review_form(("in_major_investment_plan", "已列入县重大项目投资计划")),
                    Field("approval_document", "string", label="立项批复文号"),
                ])
    b.exclusive_gateway("gw_approval_ok", "准予立项?", lane="approval", clause=C + "三(一)",
                        default="Flow_gw_approval_ok_end_not_approved")
    b.end("end_not_approved", "不予立项", lane="approval", clause=C + "三(一)",
          outcome="rejected")

    # -- review: written or on-site, then the countersigned opinion ----------
    b.business_rule_task("decide_review_mode", "确定评审方式", lane="hub",
                         decision="review_mode", clause=C + "三(二)1")
    b.exclusive_gateway("gw_review_mode", "总投资≥100万?", lane="hub", clause=C + "三(二)1",
                        default="Flow_gw_review_mode_written_review")
    b.user_task("written_review", "书面评审", lane="experts", candidate_groups=["experts"],
                clause=C + "三(二)1", due="--11-30@plan_year-1", form=[
                    *review_form(*REVIEW_CRITERIA),
                    Field("review_report", "string", label="项目评审报告", required=True,
                          minlength=1, description="三(二)2：根据书面评审意见形成"),
                ])
    b.user_task("onsite_review", "现场评审", lane="experts", candidate_groups=["experts"],
                clause=C + "三(二)1", due="--11-30@plan_year-1", form=[
                    *review_form(*ONSITE_STEPS, *REVIEW_CRITERIA),
                    Field("review_report", "string", label="项目评审报告", required=True,
                          minlength=1, description="三(二)2：根据现场评审意见形成"),
                ])
    b.exclusive_gateway("gw_reviewed", lane="experts", clause=C + "三(二)2")
    b.user_task("joint_review", "审核会签", lane="hub", candidate_groups=["hub", "finance"],
                clause=C + "三(二)2", due="--11-30@plan_year-1", form=[
                    *review_form(*JOINT_CRITERIA),
                    Field("approved_budget", "number", label="审核确定的预算资金（万元）", min=0,
                          description="评审结论作为确定预算资金、政府采购的依据（三(二)1）"),
                ])
    b.exclusive_gateway("gw_joint_ok", "审核通过?", lane="hub", clause=C + "三(二)1、2",
                        default="Flow_gw_joint_ok_end_rejected")
    b.end("end_rejected", "不予审批", lane="hub", clause=C + "三(二)1、2", outcome="rejected")

    # -- the annual plan (batch, process annual_plan) ---------------------------
    b.event_gateway("gw_plan", "列入年度建设计划?", lane="hub", clause=C + "三(二)3")
    # The plan's result comes from the annual-plan process (annual_plan.bpmn), never from a
    # user: no senders declared, so over the API only an administrator may send it.
    b.message_catch("in_plan", "列入年度计划", lane="hub", message="annual_plan_approved",
                    clause=C + "三(二)3\n" + FROM_THE_PLAN)
    b.message_catch("left_out", "未列入年度计划", lane="hub", message="not_in_plan",
                    clause=C + "三(二)3\n" + FROM_THE_PLAN)
    b.end("end_not_in_plan", "不予安排资金", lane="hub", clause=C + "三(二)3",
          outcome="not_in_plan")

    # -- procurement and supervisor --------------------------------------------
    b.exclusive_gateway("gw_documents", lane="unit", clause=C + "三(三)1")
    b.user_task("procurement_documents", "报送采购文件", lane="unit", candidate_groups=["unit"],
                clause=C + "三(三)1", form=[
                    Field("procurement_files", "string", label="项目采购文件", required=True,
                          minlength=1),
                    Field("procurement_method", "string", label="采购方式"),
                ])
    b.user_task("procurement_review", "采购文件审核", lane="hub", candidate_groups=["hub"],
                clause=C + "三(三)1", form=review_form(
                    ("consistent_with_plan", "采购内容与审核确定的建设方案一致"),
                    ("in_annual_plan", "已列入县电子政务年度建设计划")))
    b.exclusive_gateway("gw_procurement_ok", "审核通过?", lane="hub", clause=C + "三(三)1",
                        default="Flow_gw_procurement_ok_procurement")
    b.user_task("procurement", "政府采购确定承建单位", lane="unit", candidate_groups=["unit"],
                clause=C + "三(三)1", form=[
                    Field("contractor", "string", label="项目承建单位", required=True,
                          minlength=1),
                    Field("contract_amount", "number", label="合同金额（万元）", required=True,
                          min=0),
                    Field("traded_by_center", "boolean",
                          label="由市公共资源交易中心高青分中心组织交易", required=True),
                ])
    b.business_rule_task("decide_supervisor", "是否实行监理", lane="unit",
                         decision="supervisor_required", clause=C + "三(三)3")
    b.exclusive_gateway("gw_supervisor", "须实行项目监理?", lane="unit", clause=C + "三(三)3",
                        default="Flow_gw_supervisor_phase_construction")
    b.user_task("supervisor_filing", "确定监理单位并备案", lane="unit",
                candidate_groups=["unit"], clause=C + "三(三)3", form=[
                    Field("supervisor", "string", label="工程监理单位", required=True,
                          minlength=1),
                    Field("supervisor_qualification", "boolean", label="监理单位资质材料",
                          required=True),
                    Field("chief_supervisor_licence", "boolean",
                          label="项目监理负责人执业资格证书", required=True),
                    Field("filed_with_hub", "boolean", label="已提交县电子政务主管部门备案",
                          required=True, description="开工建设前确定并备案"),
                ])
    b.script_task("phase_construction", "进入建设阶段", lane="unit",
                  script='phase = "construction"')

    # -- implementation: changes, cloud resources, inspections -----------------
    b.exclusive_gateway("gw_implement", lane="unit", clause=C + "三(三)2")
    b.user_task("implementation", "项目实施", lane="unit", candidate_groups=["unit"],
                clause=C + "三(三)2", form=[
                    Field("progress", "string", label="建设进度、质量和资金情况"),
                    Field("next_step", "enum", label="下一步", required=True, values={
                        "completed": "项目建成，开始试运行",
                        "change": "申请变更项目（三(二)4）",
                        "cloud_resources": "申请或变更政务云资源（三(三)2）",
                    }),
                    Field("completed_on", "date", label="项目完工日期", required=True,
                          description="项目建成的：建成之日。新开发的应用软件自此试运行3个月"
                                      "（三(四)1），初步验收和提交竣工验收申请的半年期限自此"
                                      "计算（附件7 一）。尚未建成的：预计完工日期（不计期限）"),
                ])
    # 三(三)4: the authority inspects together with finance and audit (the inspection task's
    # candidate groups); nobody else opens an inspection.
    b.boundary_message("inspection_started", "监督检查", attached_to="implementation",
                       message="inspection_started", clause=C + "三(三)4\n" + INSPECTORS,
                       properties=message_senders("hub", "finance", "audit"))
    b.exclusive_gateway("gw_next", "下一步?", lane="unit", clause=C + "三(二)4、三(三)2",
                        default="Flow_gw_next_phase_acceptance")
    b.user_task("change_request", "项目变更申请", lane="unit", candidate_groups=["unit"],
                clause=C + "三(二)4", form=[
                    Field("change_reason", "string", label="特殊或紧急情况说明", required=True,
                          minlength=1),
                    Field("change_content", "string", label="变更内容", required=True,
                          minlength=1),
                    Field("total_after_change", "number", label="变更后总投资（万元）", min=0,
                          description="三(三)2：擅自变更导致投资超预算的，不再批准追加投资"),
                ])
    b.user_task("change_review", "变更审批", lane="hub", candidate_groups=["hub", "finance"],
                clause=C + "三(二)4", form=review_form(
                    ("special_or_urgent", "确属特殊或紧急情况")))
    b.user_task("cloud_resource_request", "政务云资源申请", lane="unit",
                candidate_groups=["unit"], clause=C + "三(三)2", form=[
                    Field("request_type", "enum", label="审批表", required=True, values={
                        "new": "政务云资源需求审批表（新建系统，附件4）",
                        "migration": "政务云资源需求审批表（迁移系统，附件5）",
                        "change": "政务云资源变更审批表（附件6）",
                    }),
                    Field("resources", "string", label="申请资源（计算、存储、网络等）",
                          required=True, minlength=1),
                ])
    b.user_task("cloud_resource_review", "政务云资源审批", lane="hub",
                candidate_groups=["hub"], clause=C + "三(三)2", form=[
                    *review_form(),
                    Field("allocated", "string", label="分配的资源"),
                ])
    b.user_task("inspection", "监督检查", lane="hub", candidate_groups=["hub", "finance", "audit"],
                clause=C + "三(三)4", form=[
                    Field("policy_and_design", "string", label="执行政策法规和设计方案情况",
                          required=True, minlength=1),
                    Field("procurement_quality_progress_funds", "string",
                          label="招标采购、建设质量、进度、资金使用情况", required=True,
                          minlength=1),
                    Field("findings", "enum", label="检查结论", required=True, values={
                        "none": "未发现问题",
                        "problems": "发现问题，项目建设单位及时整改",
                        "major": "有重大问题，报县政府批准处理",
                    }),
                    Field("opinion", "string", label="检查意见", required=True, minlength=1),
                ])
    b.exclusive_gateway("gw_findings", "检查发现问题?", lane="hub", clause=C + "三(三)4",
                        default="Flow_gw_findings_gw_implement")
    b.user_task("supervision_measure", "重大问题处理审批", lane="government",
                candidate_groups=["government"], clause=C + "三(三)4", form=[
                    *review_form(),
                    Field("criticism", "boolean", label="通报批评", required=True),
                    Field("withhold_funds", "boolean", label="暂缓拨付建设资金", required=True),
                    Field("suspend_construction", "boolean", label="暂停项目建设",
                          required=True),
                    Field("terminate_project", "boolean", label="终止项目", required=True),
                ])
    b.exclusive_gateway("gw_terminate", "终止项目?", lane="government", clause=C + "三(三)4",
                        default="Flow_gw_terminate_rectification_order")
    b.end("end_terminated", "项目终止", lane="government", clause=C + "三(三)4",
          outcome="terminated")
    b.user_task("rectification_order", "下达限期整改通知", lane="hub", candidate_groups=["hub"],
                clause=RECTIFICATION_CLAUSE, form=[
                    Field("rectification_requirements", "string", label="整改要求",
                          required=True, minlength=1,
                          description="监督检查发现的问题（三(三)4）、竣工验收未通过的原因"
                                      "（三(四)2）或绩效低下的情况（四）"),
                    Field("rectification_due", "date", label="整改期限", required=True,
                          description="三(三)4 及时整改、三(四)2 限期整改、四 限期整改：期限由"
                                      "县大数据局确定，逾期未完成的由县大数据局会同县财政局督办"),
                ])
    b.user_task("rectification", "整改", lane="unit", candidate_groups=["unit"],
                clause=RECTIFICATION_CLAUSE, due="@rectification_due", form=[
                    Field("rectification_plan", "string", label="整改方案", required=True,
                          minlength=1),
                    Field("rectification_report", "string", label="整改完成情况", required=True,
                          minlength=1),
                ])
    b.exclusive_gateway("gw_rectified", "整改所处阶段?", lane="unit",
                        clause=RECTIFICATION_CLAUSE, default="Flow_gw_rectified_gw_implement")

    # -- acceptance ----------------------------------------------------------
    b.script_task("phase_acceptance", "进入验收阶段", lane="unit", script='phase = "acceptance"')
    b.exclusive_gateway("gw_trial", "含新开发的应用软件?", lane="unit", clause=C + "三(四)1",
                        default="Flow_gw_trial_gw_initial")
    b.timer_catch("trial_run", "试运行", lane="unit", duration="P3M@completed_on",
                  clause=C + "三(四)1")
    b.exclusive_gateway("gw_initial", lane="unit", clause=C + "三(四)1")
    b.user_task("initial_acceptance", "初步验收", lane="unit", candidate_groups=["unit"],
                clause=C + "三(四)1", due="P6M@completed_on", form=INITIAL_ACCEPTANCE_FORM)
    b.exclusive_gateway("gw_initial_result", "初步验收结果?", lane="unit",
                        clause=C + "三(四)1、附件7 一",
                        default="Flow_gw_initial_result_gw_application")
    # A new request asks for a new date: the one granted before must not be taken for it.
    b.script_task("extension_requested", "申请延期验收", lane="unit", clause=C + "附件7 一",
                  script="extended_until = None")
    b.user_task("acceptance_extension", "延期验收审批", lane="hub", candidate_groups=["hub"],
                clause=C + "附件7 一", form=[
                    *review_form(("special_reason", "确有特殊原因")),
                    Field("extended_until", "date", label="延期至",
                          description="批准延期的必填：初步验收和竣工验收申请的新期限。"
                                      "不批准的不填，原期限（完工后半年）不变"),
                ])
    b.exclusive_gateway("gw_extension_ok", "批准延期?", lane="hub", clause=C + "附件7 一",
                        default="Flow_gw_extension_ok_gw_initial")
    b.user_task("initial_acceptance_extended", "初步验收（延期）", lane="unit",
                candidate_groups=["unit"], clause=C + "三(四)1、附件7 一",
                due="@extended_until", form=INITIAL_ACCEPTANCE_FORM)
    b.exclusive_gateway("gw_application", lane="unit", clause=C + "三(四)2")
    b.user_task("acceptance_application", "竣工验收申请", lane="unit",
                candidate_groups=["unit"], clause=C + "三(四)2、附件7 五", form=[
                    *(Field(m, "boolean", label=label, required=True)
                      for m, label in APPLICATION_MATERIALS),
                    Field("supervisor_opinion", "boolean", label="(八) 监理方审查意见",
                          required=True, description="实行项目监理的项目须提供"),
                    Field("largest_software_system_value", "number",
                          label="单个软件系统价值最高者（万元）", required=True, min=0,
                          description="附件7 五(十一)1：单个软件系统价值在100万元以上的项目"
                                      "须提供概要设计说明书；无软件开发的填0"),
                    Field("outline_design_document", "boolean", label="概要设计说明书",
                          required=True),
                ])
    b.exclusive_gateway("gw_materials", "材料齐全?", lane="unit", clause=C + "附件7 五",
                        default="Flow_gw_materials_final_acceptance")
    b.user_task("final_acceptance", "竣工验收", lane="hub", candidate_groups=["hub"],
                clause=C + "三(四)2、附件7 四", due="20WD", form=[
                    *review_form(*ACCEPTANCE_CRITERIA),
                    Field("acceptance_report", "string", label="电子政务建设项目竣工验收报告",
                          required=True, minlength=1),
                ])
    b.exclusive_gateway("gw_final_ok", "验收通过?", lane="hub", clause=C + "三(四)2",
                        default="Flow_gw_final_ok_rectification_order")
    b.user_task("settlement_review", "结算评审", lane="finance", candidate_groups=["finance"],
                clause=C + "三(四)2", form=[
                    Field("settlement_amount", "number", label="结算评审金额（万元）",
                          required=True, min=0),
                    Field("reviewing_agency", "string", label="第三方中介机构", required=True,
                          minlength=1),
                    Field("opinion", "string", label="结算评审意见（后续拨款依据）",
                          required=True, minlength=1),
                ])

    # -- performance evaluation ------------------------------------------------
    b.script_task("phase_evaluation", "进入绩效评估", lane="hub", script='phase = "evaluation"')
    b.exclusive_gateway("gw_evaluate", lane="hub", clause=C + "四")
    b.user_task("performance_evaluation", "绩效评估", lane="hub", candidate_groups=["hub"],
                clause=C + "四", form=[
                    Field("progress", "string", label="项目建设进度", required=True, minlength=1),
                    Field("fund_use", "string", label="资金使用", required=True, minlength=1),
                    Field("operation", "string", label="运行情况", required=True, minlength=1),
                    Field("effect", "string", label="应用效果", required=True, minlength=1),
                    Field("vendor_assessment", "string",
                          label="承建、监理、评估咨询、运维单位评估考核"),
                    Field("performance", "enum", label="绩效结论", required=True, values={
                        "adequate": "达到应有绩效",
                        "poor": "运行管理不善、应用组织不力，应用绩效低下",
                    }),
                    Field("next_year_reduced", "boolean",
                          label="整改后仍达不到应有绩效：压缩或不予安排下一年度项目",
                          required=True),
                ])
    b.exclusive_gateway("gw_performance", "绩效低下须整改?", lane="hub", clause=C + "四",
                        default="Flow_gw_performance_end_accepted")
    b.end("end_accepted", "项目完成", lane="hub", clause=C + "三(四)2、四", outcome="accepted")

    # -- escalation of every deadline (二、三(三)4) ---------------------------------
    for task in DEADLINE_TASKS:
        escalate(b, task)

    # -- flows ----------------------------------------------------------------
    b.flow("start", "gw_secret")
    b.flow("gw_secret", "end_out_of_scope", condition="secret", name="涉密",
           clause=C + "三(一)")
    b.flow("gw_secret", "gw_higher", name="非涉密")
    b.flow("gw_higher", "filing_review", condition="higher_level_funded", name="是，抄送备案",
           clause=C + "三(一)")
    b.flow("gw_higher", "decide_consultancy", name="否")
    b.flow("filing_review", "end_filed_only")
    b.flow("decide_consultancy", "gw_consultancy")
    b.flow("gw_consultancy", "consultancy_plan", condition="consultancy_required",
           name="是", clause=C + "三(一)")
    b.flow("gw_consultancy", "gw_declare", name="否")
    b.flow("consultancy_plan", "consultancy_review")
    b.flow("consultancy_review", "gw_consultancy_ok")
    b.flow("gw_consultancy_ok", "consultancy_plan", condition="not approved",
           name="不通过，重新报审", clause=C + "三(一)")
    b.flow("gw_consultancy_ok", "gw_declare", name="通过")
    b.flow("gw_declare", "declare")
    b.flow("declare", "gw_major")
    b.flow("gw_major", "approval", condition="major_investment_plan", name="是",
           clause=C + "三(一)")
    b.flow("gw_major", "decide_review_mode", name="否")
    b.flow("approval", "gw_approval_ok")
    b.flow("gw_approval_ok", "decide_review_mode", condition="approved", name="准予立项",
           clause=C + "三(一)")
    b.flow("gw_approval_ok", "end_not_approved", name="不予立项")
    b.flow("decide_review_mode", "gw_review_mode")
    b.flow("gw_review_mode", "onsite_review", condition='review_mode == "onsite"',
           name="≥100万：现场评审", clause=C + "三(二)1")
    b.flow("gw_review_mode", "written_review", name="<100万：书面评审")
    b.flow("written_review", "gw_reviewed")
    b.flow("onsite_review", "gw_reviewed")
    b.flow("gw_reviewed", "joint_review")
    b.flow("joint_review", "gw_joint_ok")
    b.flow("gw_joint_ok", "gw_plan", condition=JOINT_PASS, name="通过",
           clause=C + "三(二)2")
    b.flow("gw_joint_ok", "end_rejected", name="不予审批")
    b.flow("gw_plan", "in_plan")
    b.flow("gw_plan", "left_out")
    b.flow("left_out", "end_not_in_plan")
    b.flow("in_plan", "gw_documents")
    b.flow("gw_documents", "procurement_documents")
    b.flow("procurement_documents", "procurement_review")
    b.flow("procurement_review", "gw_procurement_ok")
    b.flow("gw_procurement_ok", "gw_documents", condition="not approved",
           name="不通过，修改采购文件", clause=C + "三(三)1")
    b.flow("gw_procurement_ok", "procurement", name="通过")
    b.flow("procurement", "decide_supervisor")
    b.flow("decide_supervisor", "gw_supervisor")
    b.flow("gw_supervisor", "supervisor_filing", condition="supervisor_required",
           name="是", clause=C + "三(三)3")
    b.flow("gw_supervisor", "phase_construction", name="否")
    b.flow("supervisor_filing", "phase_construction")
    b.flow("phase_construction", "gw_implement")
    b.flow("gw_implement", "implementation")
    b.flow("implementation", "gw_next")
    b.flow("gw_next", "change_request", condition='next_step == "change"',
           name="变更", clause=C + "三(二)4")
    b.flow("gw_next", "cloud_resource_request", condition='next_step == "cloud_resources"',
           name="政务云资源", clause=C + "三(三)2")
    b.flow("gw_next", "phase_acceptance", name="建成")
    b.flow("change_request", "change_review")
    b.flow("change_review", "gw_implement")
    b.flow("cloud_resource_request", "cloud_resource_review")
    b.flow("cloud_resource_review", "gw_implement")
    b.flow("inspection_started", "inspection")
    b.flow("inspection", "gw_findings")
    b.flow("gw_findings", "rectification_order", condition='findings == "problems"',
           name="一般问题", clause=C + "三(三)4")
    b.flow("gw_findings", "supervision_measure", condition='findings == "major"',
           name="重大问题", clause=C + "三(三)4")
    b.flow("gw_findings", "gw_implement", name="无问题")
    b.flow("supervision_measure", "gw_terminate")
    b.flow("gw_terminate", "end_terminated", condition="approved and terminate_project",
           name="终止", clause=C + "三(三)4")
    b.flow("gw_terminate", "rectification_order", name="整改")
    b.flow("rectification_order", "rectification")
    b.flow("rectification", "gw_rectified")
    b.flow("gw_rectified", "gw_implement", name="建设阶段")
    b.flow("gw_rectified", "gw_application", condition='phase == "acceptance"',
           name="验收阶段：重新申请", clause=C + "三(四)2")
    b.flow("gw_rectified", "gw_evaluate", condition='phase == "evaluation"',
           name="绩效评估阶段", clause=C + "四")
    b.flow("phase_acceptance", "gw_trial")
    b.flow("gw_trial", "trial_run", condition="new_software", name="是：试运行不少于3个月",
           clause=C + "三(四)1")
    b.flow("gw_trial", "gw_initial", name="否")
    b.flow("trial_run", "gw_initial")
    b.flow("gw_initial", "initial_acceptance")
    b.flow("initial_acceptance", "gw_initial_result")
    b.flow("gw_initial_result", "extension_requested",
           condition='initial_result == "extension"', name="申请延期", clause=C + "附件7 一")
    b.flow("extension_requested", "acceptance_extension")
    b.flow("gw_initial_result", "phase_construction", condition='initial_result == "failed"',
           name="未通过", clause=C + "三(四)1")
    b.flow("gw_initial_result", "gw_application", name="通过")
    b.flow("acceptance_extension", "gw_extension_ok")
    b.flow("gw_extension_ok", "initial_acceptance_extended", condition="approved",
           name="批准：新期限", clause=C + "附件7 一")
    b.flow("gw_extension_ok", "gw_initial", name="不批准：原期限")
    b.flow("initial_acceptance_extended", "gw_initial_result")
    b.flow("gw_application", "acceptance_application")
    b.flow("acceptance_application", "gw_materials")
    b.flow("gw_materials", "gw_application", condition=MATERIALS_INCOMPLETE,
           name="材料不全，补正", clause=C + "附件7 五")
    b.flow("gw_materials", "final_acceptance", name="材料齐全")
    b.flow("final_acceptance", "gw_final_ok")
    b.flow("gw_final_ok", "settlement_review", condition=ACCEPTANCE_PASS, name="通过",
           clause=C + "三(四)2")
    b.flow("gw_final_ok", "rectification_order", name="不通过")
    b.flow("settlement_review", "phase_evaluation")
    b.flow("phase_evaluation", "gw_evaluate")
    b.flow("gw_evaluate", "performance_evaluation")
    b.flow("performance_evaluation", "gw_performance")
    b.flow("gw_performance", "rectification_order",
           condition='performance == "poor" and not next_year_reduced', name="限期整改",
           clause=C + "四")
    b.flow("gw_performance", "end_accepted", name="结束")
    return b.to_xml()


def annual_plan_process() -> bytes:
    b = ProcessBuilder("annual_plan", name="高青县电子政务项目年度建设计划", lanes=[
        ("hub", "县大数据局"), ("finance", "县财政局"), ("government", "县政府")])
    b.start("plan_start", "启动年度计划", lane="hub", form=[
        Field("plan_year", "long", label="计划年度", required=True,
              description="三(二)3：每年12月底前编制下一年度的建设计划")])
    b.exclusive_gateway("gw_compile", lane="hub", clause=C + "三(二)3")
    b.user_task("plan_compilation", "编制年度建设计划", lane="hub",
                candidate_groups=["hub", "finance"], clause=C + "三(二)3",
                due="--12-31@plan_year-1", form=[
                    Field("projects", "array", label="列入计划的项目（业务编号）", required=True,
                          description="根据项目审核意见，按统筹安排、分步实施的原则"),
                    Field("plan_summary", "string", label="计划说明"),
                ])
    b.user_task("plan_approval", "审定年度建设计划", lane="government",
                candidate_groups=["government"], clause=C + "三(二)3",
                due="--12-31@plan_year-1", form=review_form())
    b.exclusive_gateway("gw_plan_ok", "审定通过?", lane="government", clause=C + "三(二)3",
                        default="Flow_gw_plan_ok_notify_in_plan")
    b.message_throw("notify_in_plan", "反馈列入计划的项目", lane="hub",
                    message="annual_plan_approved", clause=C + "三(二)3",
                    expression='{"correlation": {"plan_year": plan_year}, '
                               '"business_keys": projects}')
    b.message_throw("notify_not_in_plan", "通知未列入计划的项目", lane="hub",
                    message="not_in_plan", clause=C + "三(二)3",
                    expression='{"correlation": {"plan_year": plan_year}, '
                               '"except_business_keys": projects}')
    b.user_task("budget_inclusion", "列入下一年度财政预算", lane="finance",
                candidate_groups=["finance"], clause=C + "三(二)3", form=[
                    Field("budget_included", "boolean", label="所需财政性资金已列入下一年度预算",
                          required=True),
                    Field("opinion", "string", label="说明"),
                ])
    b.end("plan_end", "计划下达", lane="finance", outcome="approved")
    for task in PLAN_DEADLINE_TASKS:
        escalate(b, task)
    b.flow("plan_start", "gw_compile")
    b.flow("gw_compile", "plan_compilation")
    b.flow("plan_compilation", "plan_approval")
    b.flow("plan_approval", "gw_plan_ok")
    b.flow("gw_plan_ok", "gw_compile", condition="not approved", name="退回修改",
           clause=C + "三(二)3")
    b.flow("gw_plan_ok", "notify_in_plan", name="审定")
    b.flow("notify_in_plan", "notify_not_in_plan")
    b.flow("notify_not_in_plan", "budget_inclusion")
    b.flow("budget_inclusion", "plan_end")
    return b.to_xml()


def consultancy_required_dmn() -> bytes:
    table = DecisionTable("consultancy_required", "是否须委托工程咨询单位编制建设方案", [
        Input("计划投资（万元）", "planned_investment", "number"),
        Input("技术设计较为复杂", "technically_complex", "boolean"),
    ], [Output("consultancy_required", "须委托工程咨询", "boolean")])
    table.rule([">= 100", "-"], ["True"],
               "高青 三(一): 计划投资100万元（含）以上 → 提前委托具有相关资质的工程咨询单位"
               "编制项目建设方案（100万元在本档）")
    table.rule(["< 100", "True"], ["True"],
               "高青 三(一): 计划投资不足100万元但技术设计较为复杂 → 提前委托工程咨询单位"
               "编制项目建设方案")
    table.rule(["< 100", "False"], ["False"],
               "高青 三(一): 计划投资不足100万元且技术设计不复杂 → 项目申报单位按编写提纲"
               "自行编制建设方案")
    return dmn_document("consultancy_required_definitions", "高青县工程咨询委托", [table])


def review_mode_dmn() -> bytes:
    table = DecisionTable("review_mode", "评审方式", [
        Input("总投资（万元）", "total_investment", "number")],
        [Output("review_mode", "评审方式")])
    table.rule(["< 100"], ['"written"'],
               "高青 三(二)1: 总投资100万元以下可进行书面评审（100万元（含）以上须现场评审，"
               "故100万元不在本档）")
    table.rule([">= 100"], ['"onsite"'],
               "高青 三(二)1: 总投资100万元（含）以上须组织现场评审")
    return dmn_document("review_mode_definitions", "高青县评审方式", [table])


def supervisor_required_dmn() -> bytes:
    table = DecisionTable("supervisor_required", "是否实行项目监理", [
        Input("总投资（万元）", "total_investment", "number"),
        Input("含信息化工程项目", "it_engineering", "boolean"),
    ], [Output("supervisor_required", "实行项目监理", "boolean")])
    table.rule([">= 200", "True"], ["True"],
               "高青 三(三)3: 投资200万元（含）以上的项目中的信息化工程项目原则上实行项目"
               "监理制（200万元在本档）")
    table.rule([">= 200", "False"], ["False"],
               "高青 三(三)3: 投资200万元（含）以上但仅含信息化服务项目（一、适用范围）→ "
               "不要求监理")
    table.rule(["< 200", "-"], ["False"],
               "高青 三(三)3: 投资不足200万元 → 不要求监理")
    return dmn_document("supervisor_required_definitions", "高青县项目监理", [table])


def diagram_set() -> tuple[dict[str, bytes], dict[str, bytes]]:
    return ({f"{TENANT}_project.bpmn": project_process(),
             "annual_plan.bpmn": annual_plan_process()},
            {"consultancy_required.dmn": consultancy_required_dmn(),
             "review_mode.dmn": review_mode_dmn(),
             "supervisor_required.dmn": supervisor_required_dmn()})


if __name__ == "__main__":
    for path in write_set(TENANT, *diagram_set()):
        print(path)  # noqa: T201
