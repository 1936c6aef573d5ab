"""The checklists the 高青 (gaoqing) diagrams' forms must offer, as (field id, label) pairs, written
out from the city's text. The diagrams in bpmn/gaoqing/ are edited by hand; these lists are what
the tests expect the forms to ask, independently of the files."""

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

ONSITE_STEPS = (
    ("step_unit_presented", "现场评审(1)：项目申报单位介绍项目建设方案"),
    ("step_experts_discussed", "现场评审(2)：评审专家提出意见建议并进行讨论"),
    ("step_finance_discussed", "现场评审(3)：县财政部门提出意见并进行讨论"),
    ("step_hub_discussed", "现场评审(4)：县电子政务主管部门提出意见并进行讨论"),
    ("step_opinion_formed", "现场评审(5)：形成现场评审意见"),
)

# The 县大数据局's part of the countersigned opinion (joint_review, 三(二)2): besides its
# technical conclusion (`approved`) it checks the bars of 三(一) and 三(二)1.
JOINT_CRITERIA = (
    ("category_allowed", "不属于三(一)(1)—(8)不再批准单位单独建设的项目，或确有特殊情况"),
    ("migration_completed", ("已按时按要求完成电子政务基础设施和应用系统迁移整合，"
                            "未违反政务信息资源共享管理规定（三(二)1）")),
    ("sharing_supported", ("支持政务信息资源共享交换平台、按规定向平台提供信息、"
                          "明确部门间信息共享需求（三(二)1）")),
)

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
