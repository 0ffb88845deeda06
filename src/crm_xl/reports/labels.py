"""The reports' label catalogue (zh-CN and English; zh-TW derived by :func:`crm_xl.i18n.pick`)
and number formatting for display."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from crm_xl.i18n import pick

LABELS: dict[str, tuple[str, str]] = {
    # report titles and header
    "title.sales": ("销售业绩报告", "Sales performance report"),
    "title.customers": ("客户信息报告", "Customer information report"),
    "title.service": ("客户服务报告", "Customer service report"),
    "title.monthly": ("月度经营管理报告", "Monthly management report"),
    "subtitle.sales": ("销售额、数量、增长、毛利，按产品/国家地区/负责人；销售机会加权预测与趋势预测（制度 003 三、四）",
                       "Sales, quantity, growth, margin by product, country and owner; weighted pipeline and trend forecast"),
    "subtitle.customers": ("客户数量与分类、来源渠道、国家与行业、新增/活跃/流失、信息完整度与疑似重复（制度 002 二、000 二）",
                           "Customer counts and classes, sources, countries and industries, new/active/churned, "
                           "completeness and suspected duplicates"),
    "subtitle.service": ("咨询、反馈与投诉：按时解决率、解决时间、重开率、满意度与 NPS、超时清单（制度 000 四、004 四）",
                         "Inquiries, feedback and complaints: on-time rate, resolution time, reopen rate, "
                         "satisfaction and NPS, overdue list"),
    "subtitle.monthly": ("销售、客户、服务三方面要点与业务员 KPI 考核（制度 003 五、000 六）",
                         "Headlines of sales, customers and service, with the salespeople's KPI ranking and grades"),
    "workbook": ("台账文件", "Workbook"),
    "as_of": ("数据截至", "As of"),
    "period": ("数据期间", "Data period"),
    "base_currency": ("本位币", "Base currency"),
    "status": ("状态", "Status"),
    "status.draft": ("草稿", "Draft"),
    "status.approved": ("已审批", "Approved"),
    "approved_by": ("审批人", "Approved by"),
    "approved_at": ("审批时间", "Approved at"),
    "language": ("语言", "Language"),
    "generated_at": ("生成时间", "Generated at"),
    "draft_notice": ("草稿 — 未经审批，仅供内部参考", "DRAFT — not approved, for internal reference only"),
    "notes": ("说明", "Notes"),
    "total": ("合计", "Total"),
    "none": ("（空）", "(blank)"),
    "no_data": ("本期无数据", "No data for this period"),
    "vs_prev": ("环比", "MoM"),
    "vs_year": ("同比", "YoY"),
    "month": ("月份", "Month"),
    "amount": ("金额", "Amount"),
    "count": ("数量", "Count"),
    "share": ("占比", "Share"),
    "dashboard": ("仪表板", "Dashboard"),
    "chart_data": ("图表数据", "Chart data"),
    "report_info": ("报告信息", "Report information"),
    "page": ("页", "page"),
    # sales
    "sec.sales_overview": ("销售概况", "Sales overview"),
    "sec.sales_trend": ("销售趋势与预测", "Trend and forecast"),
    "sec.sales_compare": ("对比分析", "Comparisons"),
    "sec.pipeline": ("销售机会与加权预测", "Pipeline and weighted forecast"),
    "sec.correlation": ("相关性：跟进与赢单", "Correlation: follow-ups and won business"),
    "sales": ("销售额", "Sales"),
    "quantity": ("销售数量", "Quantity"),
    "orders": ("订单数", "Orders"),
    "gross_margin": ("毛利率", "Gross margin"),
    "gross_profit": ("毛利", "Gross profit"),
    "mom": ("环比增长", "Growth MoM"),
    "yoy": ("同比增长", "Growth YoY"),
    "product": ("产品", "Product"),
    "region": ("国家/地区", "Country/region"),
    "owner": ("负责人", "Owner"),
    "this_period": ("本期", "This period"),
    "prev_period": ("上期", "Previous period"),
    "last_year": ("去年同期", "Same period last year"),
    "actual": ("实际", "Actual"),
    "forecast": ("预测", "Forecast"),
    "interval": ("预测区间", "Forecast interval"),
    "lower": ("下限", "Lower"),
    "upper": ("上限", "Upper"),
    "pipeline": ("机会金额", "Pipeline"),
    "weighted": ("加权金额", "Weighted"),
    "commit": ("承诺（合同签订起）", "Commit (contract+)"),
    "best_case": ("最佳情况（商务谈判起）", "Best case (negotiation+)"),
    "open_opps": ("在跟机会数", "Open opportunities"),
    "stage": ("销售阶段", "Stage"),
    "expected_close": ("预计成交月份", "Expected close month"),
    "activities": ("跟进次数", "Activities"),
    "won_amount": ("赢单金额", "Won amount"),
    "trend_method": ("预测方法", "Forecast method"),
    "backtest_mape": ("回测平均误差(MAPE)", "Back-test error (MAPE)"),
    "past_due": ("已过预计成交日", "Past expected close"),
    "later": ("12 个月以后", "Beyond 12 months"),
    "undated": ("无预计成交日", "No close date"),
    # customers
    "sec.customer_overview": ("客户概况", "Customer overview"),
    "sec.classification": ("客户分类", "Classification"),
    "sec.sources": ("来源、国家与行业", "Sources, countries and industries"),
    "sec.data_quality": ("信息完整度与重复", "Completeness and duplicates"),
    "customers": ("客户数", "Customers"),
    "new_customers": ("新客户", "New customers"),
    "active_customers": ("活跃客户", "Active customers"),
    "churned_customers": ("流失客户", "Churned customers"),
    "completeness": ("平均信息完整度", "Mean completeness"),
    "duplicates": ("疑似重复", "Suspected duplicates"),
    "scale": ("规模分类", "Scale"),
    "abc": ("ABC 分类", "ABC class"),
    "level": ("客户等级", "Level"),
    "risk": ("风险等级", "Risk"),
    "country": ("国家/地区", "Country/region"),
    "industry": ("行业", "Industry"),
    "source_channel": ("来源渠道", "Source channel"),
    "customer": ("客户", "Customer"),
    "customer_id": ("客户编号", "Customer ID"),
    "company_name": ("公司名称", "Company name"),
    "finding": ("问题", "Finding"),
    "cell": ("单元格", "Cell"),
    "completeness_band": ("完整度区间", "Completeness band"),
    "lowest_completeness": ("信息最不完整的客户", "Least complete customers"),
    # service
    "sec.service_overview": ("服务概况", "Service overview"),
    "sec.tickets": ("工单分布", "Tickets"),
    "sec.complaints": ("投诉分析", "Complaint analysis"),
    "sec.satisfaction": ("满意度与 NPS", "Satisfaction and NPS"),
    "sec.overdue": ("超时与升级清单", "Overdue and escalation list"),
    "tickets": ("工单数", "Tickets"),
    "complaints": ("投诉数", "Complaints"),
    "open_tickets": ("未关闭工单", "Open tickets"),
    "overdue": ("超时工单", "Overdue tickets"),
    "on_time_rate": ("按时解决率", "On-time rate"),
    "resolution_days": ("平均解决时间（工作日）", "Mean resolution (working days)"),
    "reopen_rate": ("重开率", "Reopen rate"),
    "satisfaction": ("关闭后满意度", "Satisfaction after closing"),
    "nps": ("净推荐值 NPS", "NPS"),
    "csat": ("满意率 CSAT", "CSAT"),
    "mean_score": ("平均分", "Mean score"),
    "answers": ("答卷数", "Answers"),
    "type": ("类型", "Type"),
    "category": ("问题类别", "Category"),
    "root_cause": ("原因分析", "Root cause"),
    "ticket_id": ("工单编号", "Ticket ID"),
    "urgency": ("紧急程度", "Urgency"),
    "assignee": ("处理人", "Assignee"),
    "due": ("时限", "Deadline"),
    "late_hours": ("超时（小时）", "Late (hours)"),
    "escalate_to": ("升级至", "Escalate to"),
    "deadline_kind": ("时限类型", "Deadline"),
    "dimension": ("评价维度", "Dimension"),
    "promoters": ("推荐者", "Promoters"),
    "detractors": ("贬损者", "Detractors"),
    "passives": ("被动者", "Passives"),
    # monthly / KPI
    "sec.headlines": ("本月要点", "Headlines"),
    "sec.kpi": ("业务员 KPI 考核排名", "KPI ranking of salespeople"),
    "rank": ("排名", "Rank"),
    "score": ("总分", "Score"),
    "grade": ("等级", "Grade"),
    "cat.sales": ("销售业绩", "Sales performance"),
    "cat.customers": ("客户开发与维护", "Customer development"),
    "cat.process": ("销售过程管理", "Process management"),
    "cat.teamwork": ("团队协作", "Teamwork"),
    "receivables_overdue": ("逾期应收款", "Overdue receivables"),
    "followups_due": ("待跟进事项", "Follow-ups due"),
}


def label(key: str, lang: str) -> str:
    zh, en = LABELS[key]
    return pick(zh, en, lang)


def t(zh: str, en: str, lang: str) -> str:
    """An ad-hoc text (one with parameters) in the report's language."""
    return pick(zh, en, lang)


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(value != value) or (isinstance(value, float) and math.isinf(value))  # NaN, NA
    except (TypeError, ValueError):
        return False


def format_value(value: Any, fmt: str) -> str:
    """A figure as shown in a report: thousands separators, %, one decimal where it matters."""
    if _missing(value):
        return "—"
    if fmt == "text":
        return str(value)
    if fmt == "date":
        return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else str(value)
    v = float(value)
    if fmt == "money":
        return f"{v:,.0f}"
    if fmt == "int":
        return f"{v:,.0f}"
    if fmt == "pct":
        return f"{v * 100:,.1f}%"
    if fmt in ("score", "days", "hours"):
        return f"{v:,.1f}"
    return f"{v:,.0f}" if abs(v) >= 100 or v == int(v) else f"{v:,.2f}"


def format_delta(delta: float | None) -> str:
    """A relative change as ``+12.3%`` / ``−4.0%``; ``—`` when there is no base."""
    if _missing(delta):
        return "—"
    sign = "+" if delta >= 0 else "−"
    return f"{sign}{abs(delta) * 100:,.1f}%"
