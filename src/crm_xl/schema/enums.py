"""Canonical enumerations (SPEC "Canonical enumerations"): code → labels in zh-CN / zh-TW / en."""

from __future__ import annotations

from crm_xl.schema.model import Enum, Option as O


def _e(name: str, *options: O, aliases: tuple[tuple[str, str], ...] = ()) -> Enum:
    return Enum(name, tuple(options), aliases)


STAGE = _e(
    "stage",
    O("lead", "潜在客户", "Lead"),
    O("interested", "意向客户", "Interested"),
    O("qualified", "需求明确", "Qualified"),
    O("negotiation", "商务谈判", "Negotiation"),
    O("contract", "合同签订", "Contract signed"),
    O("execution", "项目执行", "Execution"),
    aliases=(("潜在客户阶段", "lead"), ("意向客户阶段", "interested"), ("需求明确阶段", "qualified"),
             ("商务谈判阶段", "negotiation"), ("合同签订阶段", "contract"), ("项目执行阶段", "execution"),
             ("prospect", "lead"), ("contract", "contract"), ("won", "contract"),
             # what trade teams write in their own sheets
             ("初步接触", "lead"), ("线索", "lead"), ("新询盘", "lead"), ("询盘", "lead"), ("有意向", "interested"),
             ("意向", "interested"), ("已报价", "qualified"), ("报价", "qualified"), ("报价中", "qualified"),
             ("需求确认", "qualified"), ("打样", "qualified"), ("样品", "qualified"), ("谈判中", "negotiation"),
             ("谈判", "negotiation"), ("议价", "negotiation"), ("价格谈判", "negotiation"), ("已签约", "contract"),
             ("签约", "contract"), ("已签合同", "contract"), ("签单", "contract"), ("执行中", "execution"),
             ("生产中", "execution"), ("new lead", "lead"), ("contacted", "interested"), ("quoted", "qualified"),
             ("proposal", "qualified"), ("quotation", "qualified"), ("negotiating", "negotiation"),
             ("closed won", "contract"), ("signed", "contract")),
)
OPPORTUNITY_STATUS = _e(
    "opportunity_status",
    O("open", "进行中", "Open"), O("won", "赢单", "Won"), O("lost", "丢单", "Lost"),
    aliases=(("跟进中", "open"), ("在谈", "open"), ("未成交", "open"), ("已成交", "won"), ("成交", "won"),
             ("签单", "won"), ("输单", "lost"), ("失败", "lost"), ("已丢单", "lost"), ("放弃", "lost"),
             ("active", "open"), ("closed won", "won"), ("closed lost", "lost")),
)
SOURCE_CHANNEL = _e(
    "source_channel",
    O("trade_fair", "展会", "Trade fair"),
    O("referral", "客户推荐", "Referral"),
    O("online_platform", "网络平台", "Online platform"),
    O("sales_outreach", "销售开发", "Sales outreach"),
    O("marketing_event", "市场活动", "Marketing event"),
    O("inbound", "客户来询", "Inbound inquiry"),
    O("showroom", "展厅到店", "Showroom visit"),
    O("test_drive", "试驾", "Test drive"),
    O("auto_show", "车展", "Auto show"),
    aliases=(("广交会", "trade_fair"), ("exhibition", "trade_fair"), ("到店", "showroom"), ("阿里巴巴", "online_platform"),
             ("alibaba", "online_platform"), ("推荐", "referral"), ("来询", "inbound"),
             ("阿里国际站", "online_platform"), ("阿里巴巴国际站", "online_platform"), ("中国制造网", "online_platform"),
             ("环球资源", "online_platform"), ("亚马逊", "online_platform"), ("独立站", "inbound"), ("官网", "inbound"),
             ("官网询盘", "inbound"), ("谷歌推广", "marketing_event"), ("谷歌", "marketing_event"),
             ("google ads", "marketing_event"), ("google", "marketing_event"), ("linkedin", "sales_outreach"),
             ("领英", "sales_outreach"), ("开发信", "sales_outreach"), ("陌拜", "sales_outreach"),
             ("老客户介绍", "referral"), ("客户介绍", "referral"), ("朋友介绍", "referral"), ("转介绍", "referral"),
             ("展会客户", "trade_fair"), ("canton fair", "trade_fair"), ("website", "inbound")),
)
METHOD = _e(
    "method",
    O("phone", "电话", "Phone"), O("email", "邮件", "E-mail"), O("visit", "拜访", "Visit"),
    O("video", "视频会议", "Video call"), O("im", "即时通讯", "Instant messaging"),
    O("trade_fair", "展会", "Trade fair"), O("other", "其他", "Other"),
    aliases=(("e-mail", "email"), ("电子邮件", "email"), ("微信", "im"), ("wechat", "im"),
             ("whatsapp", "im"), ("上门拜访", "visit"), ("视频", "video"), ("zoom", "video")),
)
DIRECTION = _e(
    "direction", O("in", "收到", "Received"), O("out", "发出", "Sent"),
    aliases=(("incoming", "in"), ("inbound", "in"), ("来信", "in"), ("outgoing", "out"), ("outbound", "out"), ("去信", "out")),
)
MARKET = _e("market", O("domestic", "国内", "Domestic"), O("international", "国际", "International"))
TICKET_TYPE = _e(
    "ticket_type",
    O("inquiry", "咨询", "Inquiry"), O("feedback", "反馈", "Feedback"), O("complaint", "投诉", "Complaint"),
)
URGENCY = _e(
    "urgency",
    O("high", "紧急", "High"), O("medium", "一般", "Medium"), O("low", "较低", "Low"),
    aliases=(("高", "high"), ("中", "medium"), ("低", "low"), ("urgent", "high"), ("normal", "medium")),
)
TICKET_STATUS = _e(
    "ticket_status",
    O("received", "已受理", "Received"),
    O("assigned", "已分配", "Assigned"),
    O("investigating", "调查中", "Investigating"),
    O("proposed", "方案待确认", "Solution proposed"),
    O("implementing", "处理中", "Implementing"),
    O("awaiting_feedback", "待客户反馈", "Awaiting feedback"),
    O("closed", "已关闭", "Closed"),
    O("reopened", "重新处理", "Reopened"),
)
TICKET_CATEGORY = _e(
    "ticket_category",
    O("quality", "质量", "Quality"), O("delivery", "交期", "Delivery"), O("packaging", "包装", "Packaging"),
    O("documents", "单证", "Documents"), O("price", "价格", "Price"), O("service", "服务", "Service"),
    O("other", "其他", "Other"),
)
ORDER_STATUS = _e(
    "order_status",
    O("confirmed", "已确认", "Confirmed"), O("in_production", "生产中", "In production"),
    O("shipped", "已发货", "Shipped"), O("delivered", "已到货", "Delivered"),
    O("closed", "已结清", "Closed"), O("cancelled", "已取消", "Cancelled"),
    aliases=(("待生产", "confirmed"), ("已下单", "confirmed"), ("已出货", "shipped"), ("已发运", "shipped"),
             ("运输中", "shipped"), ("已签收", "delivered"), ("已完成", "closed"), ("完成", "closed"),
             ("已收款", "closed"), ("取消", "cancelled"), ("in transit", "shipped"), ("completed", "closed"),
             ("paid", "closed")),
)
CUSTOMER_STATUS = _e(
    "customer_status",
    O("prospect", "潜在", "Prospect"), O("active", "合作中", "Active"),
    O("dormant", "休眠", "Dormant"), O("lost", "流失", "Lost"),
    aliases=(("潜在客户", "prospect"), ("意向客户", "prospect"), ("新客户", "prospect"), ("合作", "active"),
             ("正常", "active"), ("活跃", "active"), ("成交客户", "active"), ("老客户", "active"),
             ("沉睡", "dormant"), ("不活跃", "dormant"), ("已流失", "lost"), ("inactive", "dormant"),
             ("customer", "active"), ("lead", "prospect")),
)
PAYMENT_TERMS = _e(
    "payment_terms",
    O("TT", "T/T 电汇", "T/T"), O("LC", "L/C 信用证", "L/C"), O("DP", "D/P 付款交单", "D/P"),
    O("DA", "D/A 承兑交单", "D/A"), O("OA", "O/A 赊销", "O/A"), O("prepaid", "预付款", "Prepaid"),
    aliases=(("电汇", "TT"), ("信用证", "LC"), ("付款交单", "DP"), ("承兑交单", "DA"), ("赊销", "OA"),
             ("t/t", "TT"), ("l/c", "LC"), ("d/p", "DP"), ("d/a", "DA"), ("o/a", "OA"), ("预付", "prepaid")),
)
INCOTERMS = _e(
    "incoterms",
    *(O(c, c, c) for c in ("EXW", "FCA", "CPT", "CIP", "DAP", "DPU", "DDP", "FAS", "FOB", "CFR", "CIF")),
    aliases=(("C&F", "CFR"), ("CNF", "CFR")),
)
CREDIT_RATING = _e("credit_rating", *(O(c, c, c) for c in "ABCD"))
DECISION_ROLE = _e(
    "decision_role",
    O("decision_maker", "决策人", "Decision maker"), O("influencer", "影响者", "Influencer"),
    O("purchaser", "采购执行", "Purchaser"), O("user", "使用者", "User"), O("other", "其他", "Other"),
)
BOOL = _e(
    "bool",
    O("yes", "是", "Yes"), O("no", "否", "No"),
    aliases=(("true", "yes"), ("false", "no"), ("y", "yes"), ("n", "no"), ("1", "yes"), ("0", "no"),
             ("√", "yes"), ("✓", "yes"), ("×", "no"), ("x", "no"), ("对", "yes"), ("重要", "yes")),
)
PURCHASE_FREQUENCY = _e(
    "purchase_frequency",
    O("monthly", "每月", "Monthly"), O("quarterly", "每季度", "Quarterly"),
    O("half_yearly", "每半年", "Half-yearly"), O("yearly", "每年", "Yearly"),
    O("irregular", "不定期", "Irregular"),
)
STAFF_ROLE = _e(
    "staff_role",
    O("sales", "业务员", "Salesperson"), O("manager", "销售经理", "Sales manager"),
    O("service", "客服", "Customer service"), O("other", "其他", "Other"),
    aliases=(("销售主管", "manager"), ("主管", "manager"), ("经理", "manager"), ("sales rep", "sales"),
             ("销售顾问", "sales"), ("服务顾问", "service")),
)
HOLIDAY_KIND = _e(
    "holiday_kind",
    O("holiday", "休息日", "Day off"), O("workday", "调休上班", "Working day"),
)
# Automotive dealer profile (004), order intelligence (001 二), projects (002 六), training
GENDER = _e("gender", O("male", "男", "Male"), O("female", "女", "Female"), aliases=(("m", "male"), ("f", "female")))
AGE_BAND = _e("age_band", *(O(c, c, c) for c in ("18-25", "26-35", "36-45", "46-55", "56+")))
PURCHASE_INTENT = _e(
    "purchase_intent",
    O("H", "H级（7天内购车）", "H (buys within 7 days)"), O("A", "A级（15天内）", "A (within 15 days)"),
    O("B", "B级（30天内）", "B (within 30 days)"), O("C", "C级（3个月内）", "C (within 3 months)"),
    O("N", "暂无意向", "No intent yet"),
    aliases=(("h级", "H"), ("a级", "A"), ("b级", "B"), ("c级", "C")),
)
EVENT_TYPE = _e(
    "event_type",
    O("auto_show", "车展", "Auto show"), O("test_drive", "试驾", "Test drive"),
    O("owner_club", "车主俱乐部活动", "Owner-club activity"), O("launch", "新车发布会", "Launch event"),
    O("other", "其他", "Other"),
)
EVENT_RESULT = _e(
    "event_result",
    O("ordered", "已下订", "Ordered"), O("interested", "有意向", "Interested"), O("none", "无意向", "No interest"),
)
INTEL_EVALUATION = _e(
    "intel_evaluation",
    O("pending", "待评估", "Pending"), O("valuable", "有价值", "Valuable"), O("not_valuable", "无价值", "Not valuable"),
)
PROJECT_STATUS = _e(
    "project_status",
    O("planning", "计划中", "Planning"), O("executing", "执行中", "Executing"), O("accepted", "已验收", "Accepted"),
    O("closed", "已结项", "Closed"), O("cancelled", "已取消", "Cancelled"),
)
MILESTONE_STATUS = _e(
    "milestone_status",
    O("planned", "未开始", "Planned"), O("in_progress", "进行中", "In progress"), O("done", "已完成", "Done"),
    O("cancelled", "已取消", "Cancelled"),
)
ACCEPTANCE_RESULT = _e(
    "acceptance_result",
    O("passed", "通过", "Passed"), O("conditional", "有条件通过", "Passed with conditions"), O("failed", "未通过", "Failed"),
)
IQC_RESULT = _e("iqc_result", O("pass", "合格", "Pass"), O("fail", "不合格", "Fail"), O("pending", "待检", "Pending"))
# Derived (written by crm-xl, never typed)
SCALE = _e("scale", O("large", "大型", "Large"), O("medium", "中型", "Medium"), O("small", "小型", "Small"))
COOP = _e("coop", O("long", "长期", "Long-term"), O("mid", "中期", "Mid-term"), O("short", "短期", "Short-term"))
ABC = _e("abc", *(O(c, c, c) for c in "ABC"))
LEVEL = _e("level", O("level_1", "一级", "Level 1"), O("level_2", "二级", "Level 2"), O("level_3", "三级", "Level 3"))
RISK = _e("risk", O("high", "高", "High"), O("medium", "中", "Medium"), O("low", "低", "Low"))
KPI_GRADE = _e(
    "kpi_grade",
    O("excellent", "优秀", "Excellent"), O("good", "良好", "Good"), O("pass", "合格", "Pass"),
    O("fail", "不合格", "Fail"),
)
SEVERITY = _e(
    "severity", O("error", "错误", "Error"), O("warning", "警告", "Warning"), O("info", "提示", "Info"),
)

ENUMS: dict[str, Enum] = {
    e.name: e
    for e in (
        STAGE, OPPORTUNITY_STATUS, SOURCE_CHANNEL, METHOD, DIRECTION, MARKET, TICKET_TYPE, URGENCY, TICKET_STATUS,
        TICKET_CATEGORY, ORDER_STATUS, CUSTOMER_STATUS, PAYMENT_TERMS, INCOTERMS, CREDIT_RATING,
        DECISION_ROLE, BOOL, PURCHASE_FREQUENCY, STAFF_ROLE, HOLIDAY_KIND, SCALE, COOP, ABC, LEVEL,
        RISK, KPI_GRADE, SEVERITY, GENDER, AGE_BAND, PURCHASE_INTENT, EVENT_TYPE, EVENT_RESULT,
        INTEL_EVALUATION, PROJECT_STATUS, MILESTONE_STATUS, ACCEPTANCE_RESULT, IQC_RESULT,
    )
}

STAGE_ORDER: tuple[str, ...] = STAGE.codes
