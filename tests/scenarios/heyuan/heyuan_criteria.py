"""The checklists the 河源 (heyuan) diagrams' forms must offer, as (field id, label) pairs, written
out from the city's text. The diagrams in bpmn/heyuan/ are edited by hand; these lists are what
the tests expect the forms to ask, independently of the files."""

BARS = (
    ("bar_catalog", "已纳入政务信息系统目录（第九条(一)）"),
    ("bar_data_sharing", "按要求共享数据资源、未重复采集数据（第九条(二)）"),
    ("bar_security", "符合密码应用、网络安全和安全可靠应用政策要求，无重大安全隐患（第九条(三)）"),
    ("bar_digital_government", "符合数字政府改革建设要求（第九条(四)）"),
    ("bar_secure_products", "采用安全可靠软硬件产品并作说明（第九条(五)）"),
)

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

FILING_REVIEW = (
    ("scheme_argued", "已执行方案编制论证（第十二条）"),
    ("crypto_reviewed", "涉及密码应用的已通过密码应用审核（第十二条）"),
    ("cost_reviewed_by_unit", "造价审核已由部门自行实施（第十二条）"),
)
