"""石嘴山市政务信息化项目管理办法（送审稿） as GovFlow's ``shizuishan`` diagram set.

Run ``python -m tools.sets.shizuishan`` to (re)write ``bpmn/shizuishan/shizuishan_project.bpmn``
and the four decision tables in ``dmn/shizuishan/``. Clauses are cited as ``石嘴山 第N条``.

Reading of the text (details in docs/cities/shizuishan.md):

- 第四条: 工程费+设备费+预备费 "超过60万元（含）" → 60 and above run the whole process;
  "低于60万元" → filing and guidance only (``filing_review``, outcome ``filed_only``); 涉密 →
  ``out_of_scope``. ``total_investment`` is that sum; the same amount is read as 总投资
  (第十五条) and 投资概算 (第十六条).
- 第十三条 (the seven bars, "原则上不受理申请"; bar (一) also 第九条) is the checklist of the
  hub's intake review ``intake_review`` (受理审查), before the technical review; a project that
  is not accepted ends ``rejected``. Small projects are filed "参照本办法", so the filing review
  checks the same bars.
- 第十四条: a declaration that breaks the category rules is returned to the unit to correct
  (the clause says how to declare, not that the project is refused); so is one without the
  documents 第十五条 asks for.
- 第十六条: county projects are checked by the county data bureau before they reach 市数据局;
  投资概算 500万以上 also go to 自治区政府办公厅.
- 第十七条: 市审批服务管理局 gives 立项 to city-level projects; a county project's 立项 is not in
  this text, so county projects skip ``approval``. There is no annual plan.
- 第二十一条 / 附件2: the 网络安全和密码保护审查表 has two results, 符合/不符合; both must be 符合
  before procurement, else the unit reworks its protection plan (第二十四条 限期整改) and the
  table is reviewed again.
- 第十八条: tender filing within one month of the tender (``P1M@tender_completed_on``, counted
  from the tender's completion date, a required field of ``procurement``); O&M fund filing
  within one month after the budget year (``--12-31@plan_year+P1M``: the budget year is the
  start variable ``plan_year``; a month ending in a holiday moves to the next working day,
  2024 → 2025-02-05).
- 第二十四条: inspection → rectification → inspection again. 限期整改: a failed inspection sets
  the deadline ``rectification_due`` (a date field of the inspection, required only then: the
  engine refuses to start a rectification without it), and ``rectification`` is due ``@rectification_due``.
  The date belongs to one round: it is cleared when the rectification is reported, so a
  later failed inspection must set a new one. 市数据局 supervises the filings (不按规定履行…
  备案等相关程序 → 限期整改) and the rectifications: each deadline has a non-interrupting
  boundary timer that opens an escalation task ``<task>_escalation`` in the 市数据局 lane; the
  overdue task itself stays open and the main path goes on.
- No intermediate timers: the text has no waiting period (trial operation has no minimum
  length; 三年 free O&M and the service period are category rules, 第十四条) and no yearly
  window (no declaration deadline, no annual plan).
- 第二十五条: initial acceptance, trial operation (a criterion of the final acceptance), final
  acceptance by 市发改委 with 市数据局 (and 市工信局); not accepted → may not go live, the
  project returns to construction.
- Not encoded: the pilot route (第十二条), any change request (the text has none: approved
  content must be kept, 第二十条), the update of filed data within a month of a change
  (第十八条(一): no step of the process raises it, and a change may come in any phase, also
  after the process has ended), the yearly repetition of the O&M filing and the city's
  reporting to the region.
"""

import sys

from tools import sets
from tools.bpmn_builder import Field, ProcessBuilder
from tools.dmn_builder import DecisionTable, Input, Output, dmn_document
from tools.sets import review_form, write_set

TENANT = "shizuishan"
C = "石嘴山 "  # clause prefix

LANES = [
    ("unit", "项目建设单位"),
    ("county_hub", "县区数据局"),
    ("hub", "市数据局"),
    ("ndrc", "市发改委"),
    ("industry", "自治区行业主管部门"),
    ("regional", "自治区政府办公厅"),
    ("approval", "市审批服务管理局"),
    ("crypto", "网信和密码管理部门"),
]

# 第二十四条: 市数据局 orders 限期整改 when a procedure (here: a filing) is not followed in time.
SUPERVISION = C + "第二十四条"
MEASURES = {"urge": "督促", "rectify": "限期整改", "note": "记录"}
ESCALATION_FORM = [
    Field("measure", "enum", label="督办措施", required=True, values=MEASURES),
    Field("opinion", "string", label="督办意见", required=True, minlength=1),
]

CATEGORIES = {"engineering": "工程类", "goods": "货物类", "services": "服务类（含运维类）"}
RESULTS = {"compliant": "符合", "non_compliant": "不符合"}

# 第十三条 (一)–(七): what is "原则上不受理". Each checkbox is the bar NOT being hit.
BARS = (
    ("bar_no_infrastructure",
     "（一）不含机房、网络、云平台、服务器、基础软件等基础设施和办公电子设备（另见第九条）"),
    ("bar_higher_approval", "（二）已获上级主管部门准许"),
    ("bar_resource_catalog", "（三）符合政务信息资源共享要求，已提供数据资源目录"),
    ("bar_not_duplicate", "（四）不属于重复设计、开发"),
    ("bar_no_unfinished_similar", "（五）无未完成竣工验收的同类型在建项目"),
    ("bar_integrated", "（六）新建系统与现有系统已充分整合"),
    ("bar_security_crypto", "（七）已明确系统安全防护和商用密码防护"),
)

START_FORM = [
    Field("project_name", "string", label="项目名称", required=True, minlength=1),
    Field("applicant_unit", "string", label="项目建设单位", required=True, minlength=1),
    Field("total_investment", "number", label="总投资（工程费+设备费+预备费，万元）",
          required=True, min=0,
          description="第四条的合计总投资；第十五条（总投资）、第十六条（投资概算）按同一金额判断"),
    Field("plan_year", "long", label="计划年度", required=True),
    Field("secret", "boolean", label="涉密项目", required=True),
    Field("category", "enum", label="项目类别", required=True, values=CATEGORIES),
    Field("free_om_years", "number", label="免费运维期（年）", required=True, min=0,
          description="工程类项目至少三年；其他类别填 0"),
    Field("service_years", "number", label="服务期（年）", required=True, min=0,
          description="服务类项目不超过三年；其他类别填 0"),
    Field("level", "enum", label="项目层级", required=True,
          values={"city": "市本级", "county": "县区"}),
    Field("industry_project", "boolean", label="属于行业项目", required=True),
]

DECLARE_FORM = [
    Field("application_form", "boolean", label="石嘴山市政务信息化项目申报表（附件1）",
          required=True),
    Field("construction_content", "string", label="项目建设内容", required=True, minlength=1),
    Field("includes_construction", "boolean", label="包含建设内容", required=True,
          description="服务类项目不得包括建设内容（第十四条）"),
    Field("om_fund_source", "string", label="免费运维期后运维资金来源", required=True,
          minlength=1),
    Field("fund_source", "string", label="计划资金来源（国家/自治区/市级/社会资金）",
          required=True, minlength=1),
    Field("proposal_provided", "boolean", label="项目建议书", required=True),
    Field("feasibility_provided", "boolean", label="可行性研究报告（咨询机构编制）",
          required=True),
    Field("preliminary_design_provided", "boolean", label="初步设计", required=True),
    Field("resource_catalog_provided", "boolean", label="信息资源目录（第十条）", required=True),
    Field("category", "enum", label="项目类别（更正时填写）", values=CATEGORIES),
    Field("free_om_years", "number", label="免费运维期（年，更正时填写）", min=0),
    Field("service_years", "number", label="服务期（年，更正时填写）", min=0),
]


# 第十八条(一): one month after the tender (the date ``procurement`` records) and one month
# after the budget year ``plan_year``.
TENDER_FILING_DUE = "P1M@tender_completed_on"
OM_FILING_DUE = "--12-31@plan_year+P1M"
# 第二十四条 限期整改: the date the failed inspection set.
RECTIFICATION_DUE = "@rectification_due"


def escalate(b: ProcessBuilder, task: str, name: str, due: str, source: str) -> None:
    """A deadline passing: 市数据局 is asked to act (第二十四条), the task stays open.

    ``source``: the clause that sets the deadline, cited after the supervision clause.
    """
    sets.escalate(b, task, timer_clause=SUPERVISION,
                  escalation_clause=SUPERVISION + (f"、{source}" if source else ""),
                  form=ESCALATION_FORM, due=due, name=name, end_name="已督办")


def project_process() -> bytes:
    b = ProcessBuilder(f"{TENANT}_project", name="石嘴山市政务信息化项目", main=True,
                       properties={"tenant_name": "石嘴山市"},
                       lanes=LANES)

    # -- scope (第四条) --------------------------------------------------------
    b.start("start", "项目申报", lane="unit", form=START_FORM)
    b.business_rule_task("decide_route", "适用范围", lane="hub", decision="route",
                         clause=C + "第四条")
    b.exclusive_gateway("gw_route", "总投资≥60万?", lane="hub", clause=C + "第四条")
    # Node order sets the rows: the main line is declared before the branches beside it.
    b.business_rule_task("decide_documents", "确定申报材料", lane="hub",
                         decision="required_documents", clause=C + "第十五条")
    b.user_task("filing_review", "备案及建设指导", lane="hub", candidate_groups=["hub"],
                clause=C + "第四条、第十八条", form=review_form(*BARS))
    b.exclusive_gateway("gw_filed", "准予备案?", lane="hub", clause=C + "第四条",
                        default="Flow_gw_filed_end_filed")

    # -- declaration (第十四、十五条) ---------------------------------------------
    b.user_task("declare", "项目申报", lane="unit", candidate_groups=["unit"],
                clause=C + "第十四条、第十五条", form=DECLARE_FORM)
    b.business_rule_task("check_category", "分类申报规则", lane="hub",
                         decision="category_rules", clause=C + "第十四条")
    b.exclusive_gateway("gw_category", "分类合规?", lane="hub", clause=C + "第十四条",
                        default="Flow_gw_category_gw_documents")
    b.exclusive_gateway("gw_documents", "材料齐全?", lane="hub", clause=C + "第十五条",
                        default="Flow_gw_documents_gw_level")

    # -- county data bureau first (第十六条) --------------------------------------
    b.exclusive_gateway("gw_level", "县区项目?", lane="hub", clause=C + "第十六条",
                        default="Flow_gw_level_intake_review")
    b.user_task("county_review", "县区数据局审核", lane="county_hub",
                candidate_groups=["county_hub"], clause=C + "第十六条、第十八条",
                form=review_form())
    b.exclusive_gateway("gw_county", "审核通过?", lane="county_hub", clause=C + "第十六条",
                        default="Flow_gw_county_intake_review")

    # -- intake (第十三条) and technical review (第五、十五条) ------------------------
    b.user_task("intake_review", "受理审查", lane="hub", candidate_groups=["hub"],
                clause=C + "第十三条", form=review_form(*BARS))
    b.exclusive_gateway("gw_intake", "予以受理?", lane="hub", clause=C + "第十三条",
                        default="Flow_gw_intake_gw_industry")
    b.exclusive_gateway("gw_industry", "行业项目?", lane="hub", clause=C + "第十五条",
                        default="Flow_gw_industry_technical_review")
    b.user_task("industry_opinion", "行业主管部门意见书", lane="industry",
                candidate_groups=["industry"], clause=C + "第十五条", form=review_form())
    b.exclusive_gateway("gw_industry_opinion", "同意?", lane="industry", clause=C + "第十五条",
                        default="Flow_gw_industry_opinion_technical_review")
    b.user_task("technical_review", "技术审查", lane="hub", candidate_groups=["hub"],
                clause=C + "第五条、第十五条", form=review_form(
                    ("necessity", "建设必要性"),
                    ("feasibility", "可行性"),
                    ("intensiveness", "集约性（依托政务云，复用已建资源）"),
                    ("data_sharing", "数据资源共享开放（信息资源目录）")))
    b.exclusive_gateway("gw_technical", "审查通过?", lane="hub", clause=C + "第十五条",
                        default="Flow_gw_technical_decide_regional")

    # -- regional review (第十六条) ----------------------------------------------
    b.business_rule_task("decide_regional", "是否报自治区审查", lane="hub",
                         decision="regional_review_required", clause=C + "第十六条")
    b.exclusive_gateway("gw_regional", "投资概算≥500万?", lane="hub", clause=C + "第十六条",
                        default="Flow_gw_regional_gw_city")
    b.user_task("regional_review", "必要性与技术审查", lane="regional",
                candidate_groups=["regional"], clause=C + "第十六条", form=review_form(
                    ("demand_analysis_report", "项目需求分析报告（附件3）"),
                    ("application_form", "建设申报表（附件1）"),
                    ("necessity", "建设必要性"),
                    ("technical", "技术方案")))
    b.exclusive_gateway("gw_regional_passed", "审查通过?", lane="regional",
                        clause=C + "第十六条", default="Flow_gw_regional_passed_gw_city")

    # -- approval (第十七条) -----------------------------------------------------
    b.exclusive_gateway("gw_city", "市级项目?", lane="hub", clause=C + "第十七条",
                        default="Flow_gw_city_security_crypto_review")
    b.user_task("approval", "立项审批", lane="approval", candidate_groups=["approval"],
                clause=C + "第十七条", form=review_form())
    b.exclusive_gateway("gw_approval", "予以立项?", lane="approval", clause=C + "第十七条",
                        default="Flow_gw_approval_security_crypto_review")

    # -- security and crypto review (第二十一条, 附件2) -------------------------------
    b.user_task("security_crypto_review", "网络安全和密码保护审查", lane="crypto",
                candidate_groups=["crypto"], clause=C + "第二十一条、附件2", form=[
                    *review_form(),
                    Field("network_security_result", "enum", label="网络安全审查结果",
                          required=True, values=RESULTS),
                    Field("network_security_reviewer", "string", label="网络安全审查单位",
                          required=True, minlength=1),
                    Field("crypto_result", "enum", label="密码保护审查结果", required=True,
                          values=RESULTS),
                    Field("crypto_reviewer", "string", label="密码保护审查单位", required=True,
                          minlength=1)])
    b.exclusive_gateway("gw_security", "两项均符合?", lane="crypto",
                        clause=C + "第二十一条、附件2",
                        default="Flow_gw_security_security_crypto_rectification")
    b.user_task("security_crypto_rectification", "安全和密码防护整改", lane="unit",
                candidate_groups=["unit"], clause=C + "第二十一条、第二十四条", form=[
                    Field("rectification_report", "string", label="整改情况", required=True,
                          minlength=1)])

    # -- procurement and filing (第十七、十八、二十二条) ---------------------------------
    b.user_task("procurement", "招标采购", lane="unit", candidate_groups=["unit"],
                clause=C + "第十七条、第二十二条", form=[
                    Field("procurement_method", "enum", label="采购方式", required=True,
                          values={"tender": "招标", "government_procurement": "政府采购"}),
                    Field("tender_completed_on", "date", label="招标完成日期", required=True),
                    Field("winning_bidder", "string", label="中标单位", required=True,
                          minlength=1),
                    Field("contract_amount", "number", label="中标金额（万元）", required=True,
                          min=0),
                    Field("secure_products", "boolean", label="优先采购自主可控产品",
                          required=True)])
    b.user_task("tender_filing", "招标后备案", lane="unit", candidate_groups=["unit"],
                clause=C + "第十八条(一)", due=TENDER_FILING_DUE, form=[
                    Field("main_functions", "string", label="主要功能/服务内容", required=True,
                          minlength=1),
                    Field("settlement_amount", "number", label="结算金额（万元）", required=True,
                          min=0),
                    Field("approval_authority", "string", label="审批部门", required=True,
                          minlength=1),
                    Field("resource_catalog", "boolean", label="信息资源目录", required=True),
                    Field("sharing_status", "string", label="信息共享开放情况", required=True,
                          minlength=1),
                    Field("mlps_filing", "string", label="网络安全等级保护备案情况",
                          required=True, minlength=1),
                    Field("crypto_application", "string", label="密码应用、安全性评估情况",
                          required=True, minlength=1),
                    Field("service_period", "string", label="服务期限（购买服务类）"),
                    Field("prior_evaluation_report", "boolean",
                          label="前期项目第三方评价报告（改建、扩建类）")])

    # -- implementation, supervision, acceptance (第二十三至二十五条) ----------------------
    # A user task, not a manual one: the builder's manual_task takes no candidate groups, and a
    # task without groups may be completed by any user of the tenant.
    b.user_task("implementation", "项目实施", lane="unit", candidate_groups=["unit"],
                clause=C + "第六条、第二十三条", form=[
                    Field("construction_report", "string", label="建设实施情况", required=True,
                          minlength=1)])
    b.user_task("inspection", "监督检查", lane="hub", candidate_groups=["hub", "ndrc"],
                clause=C + "第二十四条", form=[
                    *review_form(
                        ("sharing_compliant", "符合政务信息共享要求"),
                        ("procurement_compliant", "招标采购合规"),
                        ("funds_compliant", "资金使用合规"),
                        ("crypto_compliant", "密码应用合规"),
                        ("security_compliant", "网络安全合规"),
                        ("procedures_followed", "已履行审查、审批、备案程序")),
                    Field("rectification_due", "date", label="整改期限",
                          description="不合格、责令限期整改时必填（第二十四条）；"
                                      "整改期限届满当日24时止")])
    b.exclusive_gateway("gw_inspection", "检查合格?", lane="hub", clause=C + "第二十四条",
                        default="Flow_gw_inspection_initial_acceptance")
    b.user_task("rectification", "限期整改", lane="unit", candidate_groups=["unit"],
                clause=C + "第二十四条", due=RECTIFICATION_DUE, form=[
                    Field("rectification_report", "string", label="整改情况", required=True,
                          minlength=1)])
    # The deadline belongs to this round: a later failed inspection must set a new one, and
    # without it the next rectification cannot start instead of reusing a past date.
    b.script_task("rectification_due_spent", "本轮整改期限结束", lane="unit",
                  script="rectification_due = None", clause=C + "第二十四条")
    b.user_task("initial_acceptance", "初步验收", lane="unit", candidate_groups=["unit"],
                clause=C + "第二十五条", form=review_form())
    b.exclusive_gateway("gw_initial", "初验通过?", lane="unit", clause=C + "第二十五条",
                        default="Flow_gw_initial_final_acceptance")
    b.user_task("final_acceptance", "竣工验收", lane="ndrc", candidate_groups=["ndrc", "hub"],
                clause=C + "第二十五条", form=review_form(
                    ("trial_run_ok", "试运行满足要求"),
                    ("data_platform_connected", "数据全量接入市级大数据平台（第十条）"),
                    ("joint_acceptance", "会同市数据局、市发改委、市工信局验收")))
    b.exclusive_gateway("gw_final", "验收合格?", lane="ndrc", clause=C + "第二十五条",
                        default="Flow_gw_final_om_filing")
    b.user_task("om_filing", "运维资金使用备案", lane="unit", candidate_groups=["unit"],
                clause=C + "第十八条(一)", due=OM_FILING_DUE, form=[
                    Field("om_service_content", "string", label="运维服务内容", required=True,
                          minlength=1),
                    Field("om_provider", "string", label="中标单位", required=True, minlength=1),
                    Field("om_settlement_amount", "number", label="结算金额（万元）",
                          required=True, min=0),
                    Field("om_fund_usage", "string", label="资金使用情况", required=True,
                          minlength=1)])

    # -- escalation of the deadlines (第十八条(一), 第二十四条) ---------------------------------
    escalate(b, "tender_filing", "招标后备案", TENDER_FILING_DUE, "第十八条(一)")
    escalate(b, "om_filing", "运维资金使用备案", OM_FILING_DUE, "第十八条(一)")
    escalate(b, "rectification", "限期整改", RECTIFICATION_DUE, "")

    # -- ends (declared last: side branches take the lower rows) ----------------------
    b.end("end_out_of_scope", "涉密，不适用", lane="hub", outcome="out_of_scope",
          clause=C + "第四条")
    b.end("end_filed", "仅备案", lane="hub", outcome="filed_only", clause=C + "第四条")
    b.end("end_filing_refused", "不予备案", lane="hub", outcome="rejected",
          clause=C + "第四条、第十三条")
    b.end("end_county_rejected", "县区审核不通过", lane="county_hub", outcome="rejected",
          clause=C + "第十六条")
    b.end("end_not_accepted", "不予受理", lane="hub", outcome="rejected", clause=C + "第十三条")
    b.end("end_industry_rejected", "行业意见不同意", lane="industry", outcome="rejected",
          clause=C + "第十五条")
    b.end("end_technical_rejected", "技术审查不通过", lane="hub", outcome="rejected",
          clause=C + "第十五条")
    b.end("end_regional_rejected", "自治区审查不通过", lane="regional", outcome="rejected",
          clause=C + "第十六条")
    b.end("end_approval_rejected", "不予立项", lane="approval", outcome="rejected",
          clause=C + "第十七条")
    b.end("end_accepted", "投入使用", lane="unit", outcome="accepted", clause=C + "第二十五条")

    # -- flows -------------------------------------------------------------------
    b.flow("start", "decide_route")
    b.flow("decide_route", "gw_route")
    b.flow("gw_route", "decide_documents", condition='route == "full_review"', name="≥60万",
           clause=C + "第四条: 60万元（含）以上适用本办法")
    b.flow("gw_route", "filing_review", condition='route == "filed_only"', name="<60万",
           clause=C + "第四条: 低于60万元参照备案")
    b.flow("gw_route", "end_out_of_scope", condition='route == "out_of_scope"',
           clause=C + "第四条")
    b.flow("filing_review", "gw_filed")
    b.flow("gw_filed", "end_filed", name="准予备案")
    b.flow("gw_filed", "end_filing_refused", condition="not approved", name="不予备案",
           clause=C + "第十三条")
    b.flow("decide_documents", "declare")
    b.flow("declare", "check_category")
    b.flow("check_category", "gw_category")
    b.flow("gw_category", "declare", condition='category_rules != "compliant"',
           name="分类不合规，退回", clause=C + "第十四条")
    b.flow("gw_category", "gw_documents", name="合规")
    b.flow("gw_documents", "declare",
           condition="not (preliminary_design_provided"
                     " and (feasibility_provided or not feasibility_required)"
                     " and (proposal_provided or not proposal_required))",
           name="材料不全，退回", clause=C + "第十五条")
    b.flow("gw_documents", "gw_level", name="齐全")
    b.flow("gw_level", "county_review", condition='level == "county"', name="县区",
           clause=C + "第十六条")
    b.flow("gw_level", "intake_review", name="市本级")
    b.flow("county_review", "gw_county")
    b.flow("gw_county", "end_county_rejected", condition="not approved", name="不通过",
           clause=C + "第十六条")
    b.flow("gw_county", "intake_review", name="报市数据局")
    b.flow("intake_review", "gw_intake")
    b.flow("gw_intake", "end_not_accepted", condition="not approved", name="不予受理",
           clause=C + "第十三条")
    b.flow("gw_intake", "gw_industry", name="受理")
    b.flow("gw_industry", "industry_opinion", condition="industry_project", name="行业项目",
           clause=C + "第十五条")
    b.flow("gw_industry", "technical_review", name="否")
    b.flow("industry_opinion", "gw_industry_opinion")
    b.flow("gw_industry_opinion", "end_industry_rejected", condition="not approved",
           name="不同意", clause=C + "第十五条")
    b.flow("gw_industry_opinion", "technical_review", name="同意")
    b.flow("technical_review", "gw_technical")
    b.flow("gw_technical", "end_technical_rejected", condition="not approved", name="不通过",
           clause=C + "第十五条")
    b.flow("gw_technical", "decide_regional", name="通过")
    b.flow("decide_regional", "gw_regional")
    b.flow("gw_regional", "regional_review", condition="regional_review_required",
           name="≥500万", clause=C + "第十六条: 500万元以上")
    b.flow("gw_regional", "gw_city", name="<500万")
    b.flow("regional_review", "gw_regional_passed")
    b.flow("gw_regional_passed", "end_regional_rejected", condition="not approved",
           name="不通过", clause=C + "第十六条")
    b.flow("gw_regional_passed", "gw_city", name="通过")
    b.flow("gw_city", "approval", condition='level == "city"', name="市级",
           clause=C + "第十七条")
    b.flow("gw_city", "security_crypto_review", name="县区")
    b.flow("approval", "gw_approval")
    b.flow("gw_approval", "end_approval_rejected", condition="not approved", name="不予立项",
           clause=C + "第十七条")
    b.flow("gw_approval", "security_crypto_review", name="立项")
    b.flow("security_crypto_review", "gw_security")
    b.flow("gw_security", "procurement",
           condition='approved and network_security_result == "compliant"'
                     ' and crypto_result == "compliant"',
           name="符合", clause=C + "第二十一条、附件2")
    b.flow("gw_security", "security_crypto_rectification", name="不符合")
    b.flow("security_crypto_rectification", "security_crypto_review")
    b.flow("procurement", "tender_filing")
    b.flow("tender_filing", "implementation")
    b.flow("implementation", "inspection")
    b.flow("inspection", "gw_inspection")
    b.flow("gw_inspection", "rectification", condition="not approved", name="限期整改",
           clause=C + "第二十四条")
    b.flow("gw_inspection", "initial_acceptance", name="合格")
    b.flow("rectification", "rectification_due_spent")
    b.flow("rectification_due_spent", "inspection")
    b.flow("initial_acceptance", "gw_initial")
    b.flow("gw_initial", "implementation", condition="not approved", name="未通过",
           clause=C + "第二十五条")
    b.flow("gw_initial", "final_acceptance", name="通过")
    b.flow("final_acceptance", "gw_final")
    b.flow("gw_final", "implementation", condition="not approved",
           name="不合格，不得投入使用", clause=C + "第二十五条")
    b.flow("gw_final", "om_filing", name="合格")
    b.flow("om_filing", "end_accepted")
    return b.to_xml()


# -- decision tables -----------------------------------------------------------

def route_dmn() -> bytes:
    t = DecisionTable("route", "适用范围", [
        Input("涉密", "secret", "boolean"),
        Input("总投资（工程费+设备费+预备费，万元）", "total_investment", "number"),
    ], [Output("route", "适用方式")])
    t.rule(["True", "-"], ['"out_of_scope"'], C + "第四条: 适用于非涉密项目，涉密项目不适用本办法")
    t.rule(["False", ">= 60"], ['"full_review"'],
           C + "第四条: 超过60万元（含）适用本办法——（含）优先，60万元适用")
    t.rule(["False", "< 60"], ['"filed_only"'],
           C + "第四条: 低于60万元（不含60万元）参照本办法开展项目备案和建设指导")
    return dmn_document("route_definitions", "适用范围", [t])


def required_documents_dmn() -> bytes:
    t = DecisionTable("required_documents", "申报材料", [
        Input("总投资（万元）", "total_investment", "number"),
    ], [Output("required_documents", "应提供的材料"),
        Output("proposal_required", "项目建议书", "boolean"),
        Output("feasibility_required", "可行性研究报告", "boolean")])
    t.rule(["< 1500"], ['"初步设计"', "False", "False"],
           C + "第十五条: 1500万元以下（不含1500万元）提供初步设计（含必要性和可行性论证）")
    t.rule(["1500 <= ? < 5000"], ['"可行性研究报告+初步设计"', "False", "True"],
           C + "第十五条: 5000万元至1500万元（含）提供可行性研究报告（代项目建议书）、初步设计；"
               "1500万元在此档")
    t.rule([">= 5000"], ['"项目建议书+可行性研究报告+初步设计"', "True", "True"],
           C + "第十五条: 5000万元以上提供项目建议书、可行性研究报告和初步设计；5000万元两档"
               "都可读，取材料更全的上一档")
    return dmn_document("required_documents_definitions", "申报材料", [t])


def category_rules_dmn() -> bytes:
    t = DecisionTable("category_rules", "分类申报规则", [
        Input("项目类别", "category", "string"),
        Input("免费运维期（年）", "free_om_years", "number"),
        Input("服务期（年）", "service_years", "number"),
        Input("包含建设内容", "includes_construction", "boolean"),
    ], [Output("category_rules", "分类审查结果")])
    t.rule(['"engineering"', ">= 3", "-", "-"], ['"compliant"'],
           C + "第十四条: 工程类项目至少三年以上免费运维期——三年（含）合规")
    t.rule(['"engineering"', "< 3", "-", "-"], ['"free_om_too_short"'],
           C + "第十四条: 工程类项目免费运维期不足三年，退回补正")
    t.rule(['"goods"', "-", "-", "-"], ['"compliant"'], C + "第十四条: 货物类项目")
    t.rule(['"services"', "-", "<= 3", "False"], ['"compliant"'],
           C + "第十四条: 服务类项目服务期不超过三年——三年（含）合规，且不包括建设内容")
    t.rule(['"services"', "-", "> 3", "-"], ['"service_too_long"'],
           C + "第十四条: 服务类项目服务期超过三年，退回补正")
    t.rule(['"services"', "-", "<= 3", "True"], ['"service_has_construction"'],
           C + "第十四条: 服务类项目不得包括建设内容，退回补正")
    return dmn_document("category_rules_definitions", "分类申报规则", [t])


def regional_review_required_dmn() -> bytes:
    t = DecisionTable("regional_review_required", "是否报自治区审查", [
        Input("投资概算（万元）", "total_investment", "number"),
    ], [Output("regional_review_required", "报自治区政府办公厅审查", "boolean")])
    t.rule(["< 500"], ["False"], C + "第十六条: 投资概算不足500万元，不报自治区审查")
    t.rule([">= 500"], ["True"],
           C + "第十六条: 投资概算在500万元以上（含500万元）报自治区政府办公厅审查")
    return dmn_document("regional_review_required_definitions", "是否报自治区审查", [t])


def diagram_set() -> tuple[dict[str, bytes], dict[str, bytes]]:
    bpmn = {"shizuishan_project.bpmn": project_process()}
    dmn = {"route.dmn": route_dmn(), "required_documents.dmn": required_documents_dmn(),
           "category_rules.dmn": category_rules_dmn(),
           "regional_review_required.dmn": regional_review_required_dmn()}
    return bpmn, dmn


def main() -> None:
    for path in write_set(TENANT, *diagram_set()):
        sys.stdout.write(f"{path}\n")


if __name__ == "__main__":
    main()
