"""Report sections for the car dealer profile (F10), cooperation projects (F12), training (F13)
and order intelligence (F11), built from the pure-core report data of :mod:`crm_xl.vehicles`,
:mod:`crm_xl.projects`, :mod:`crm_xl.training` and :mod:`crm_xl.intelligence` in the report
model of :mod:`crm_xl.reports.model`, for the lead to add to a report kind.
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd

from crm_xl.i18n import pick
from crm_xl.register import Register
from crm_xl.reports.model import Chart, Column, Kpi, Section, Series, Table
from crm_xl.schema import ENUMS

__all__ = ["auto_sections", "project_section", "training_section", "intelligence_section"]


def _num(v) -> float | None:
    return None if v is None or (isinstance(v, float) and math.isnan(v)) or pd.isna(v) else float(v)


def _rows(frame: pd.DataFrame) -> list[dict]:
    return [{k: (None if not isinstance(v, str) and pd.isna(v) else v.date() if isinstance(v, pd.Timestamp)
                 else v.item() if hasattr(v, "item") else v) for k, v in r.items()} for r in frame.to_dict("records")]


def auto_sections(register: Register, as_of: dt.date, start: dt.date | None, end: dt.date | None,
                  lang: str) -> list[Section]:
    """Sales by model, service revenue by month, retention and event conversion (004 五(一))."""
    from crm_xl.vehicles import auto_report

    t = lambda zh, en: pick(zh, en, lang)  # noqa: E731
    data = auto_report(register, as_of, start, end)
    sales, service, events = data["sales_by_model"], data["service_revenue"], data["event_conversion"]
    ret = data["retention"]
    sales_sec = Section(
        key="auto_sales", title=t("车型销售", "Sales by model"),
        kpis=[Kpi(key="vehicles", label=t("销售台数", "Vehicles sold"), value=float(sales["vehicles"].sum()), fmt="int"),
              Kpi(key="revenue", label=t("销售额", "Revenue"), value=_num(sales["revenue"].sum()), fmt="money")],
        charts=[Chart(key="auto_sales_chart", title=t("各车型销售台数", "Vehicles sold per model"), kind="barh",
                      categories=list(sales["model"]), fmt="int",
                      series=[Series(name=t("台数", "Vehicles"), values=[float(v) for v in sales["vehicles"]])])],
        tables=[Table(key="auto_sales_table", title=t("车型销售明细", "Sales by model"), columns=[
            Column(key="model", label=t("车型", "Model")), Column(key="vehicles", label=t("台数", "Vehicles"), fmt="int"),
            Column(key="revenue", label=t("销售额", "Revenue"), fmt="money"),
            Column(key="average_price", label=t("平均售价", "Average price"), fmt="money"),
            Column(key="share", label=t("占比", "Share"), fmt="pct")], rows=_rows(sales))])
    service_sec = Section(
        key="auto_service", title=t("售后维修保养", "After-sales service"),
        kpis=[Kpi(key="service_revenue", label=t("维修保养收入", "Service revenue"), value=_num(service["revenue"].sum()),
                  fmt="money"),
              Kpi(key="retention", label=t(f"保有客户回厂率（{ret['months']} 个月）", f"Retention ({ret['months']} months)"),
                  value=_num(ret["rate"]), fmt="pct",
                  note=t(f"{ret['returned']} / {ret['owners']} 位车主", f"{ret['returned']} of {ret['owners']} owners"))],
        charts=[Chart(key="auto_service_chart", title=t("每月维修保养收入", "Service revenue by month"), kind="bar",
                      categories=list(service["month"]), fmt="money",
                      series=[Series(name=t("收入", "Revenue"), values=[_num(v) for v in service["revenue"]])])],
        tables=[Table(key="auto_service_table", title=t("每月维修保养", "Service by month"), columns=[
            Column(key="month", label=t("月份", "Month")), Column(key="visits", label=t("进厂台次", "Visits"), fmt="int"),
            Column(key="revenue", label=t("收入", "Revenue"), fmt="money"),
            Column(key="average_ticket", label=t("单车产值", "Average ticket"), fmt="money"),
            Column(key="satisfaction", label=t("满意度", "Satisfaction"), fmt="score")], rows=_rows(service))])
    labels = {c: ENUMS["event_type"].label(c, lang) for c in ENUMS["event_type"].codes}
    events = events.assign(type=events["type"].map(labels).fillna(events["type"]))
    event_sec = Section(
        key="auto_events", title=t("市场活动转化", "Event conversion"),
        charts=[Chart(key="auto_events_chart", title=t("各类活动转化率", "Conversion by event type"), kind="bar",
                      categories=list(events["type"]), fmt="pct",
                      series=[Series(name=t("转化率", "Conversion"), values=[_num(v) for v in events["conversion"]])])],
        tables=[Table(key="auto_events_table", title=t("活动效果", "Event results"), columns=[
            Column(key="type", label=t("活动类型", "Type")), Column(key="events", label=t("场次", "Events"), fmt="int"),
            Column(key="attendees", label=t("参与客户", "Attendees"), fmt="int"),
            Column(key="ordered", label=t("下订", "Ordered"), fmt="int"),
            Column(key="interested", label=t("有意向", "Interested"), fmt="int"),
            Column(key="conversion", label=t("转化率", "Conversion"), fmt="pct")], rows=_rows(events))],
        notes=[t(f"活动后 {register.settings.event_conversion_days} 天内购车计为转化",
                 f"A purchase within {register.settings.event_conversion_days} days after an event counts as converted")])
    return [sales_sec, service_sec, event_sec]


def project_section(register: Register, as_of: dt.date, lang: str) -> Section:
    """Projects on time / late, average deviation, acceptance ratings (002 六.4)."""
    from crm_xl.projects import project_report

    t = lambda zh, en: pick(zh, en, lang)  # noqa: E731
    r = project_report(register, as_of)
    s = r["summary"]
    s = s.assign(status=s["status"].map({c: ENUMS["project_status"].label(c, lang) for c in ENUMS["project_status"].codes}),
                 acceptance_result=s["acceptance_result"].map(
                     {c: ENUMS["acceptance_result"].label(c, lang) for c in ENUMS["acceptance_result"].codes}),
                 late=s["late"].map({True: t("延误", "late"), False: ""}))
    return Section(
        key="projects", title=t("合作项目", "Cooperation projects"),
        kpis=[Kpi(key="projects", label=t("项目数", "Projects"), value=float(r["projects"]), fmt="int"),
              Kpi(key="on_time_rate", label=t("按期完成率", "On-time rate"), value=_num(r["on_time_rate"]), fmt="pct"),
              Kpi(key="late", label=t("延误项目", "Late projects"), value=float(r["late"]), fmt="int"),
              Kpi(key="average_deviation", label=t("平均偏差", "Average deviation"), value=_num(r["average_deviation"]),
                  fmt="days"),
              Kpi(key="average_rating", label=t("客户验收评分", "Acceptance rating"), value=_num(r["average_rating"]),
                  fmt="score")],
        tables=[Table(key="projects_table", title=t("项目一览", "Projects"), columns=[
            Column(key="project_id", label=t("项目编号", "Project")), Column(key="title", label=t("项目名称", "Title")),
            Column(key="owner", label=t("负责人", "Owner")), Column(key="status", label=t("状态", "Status")),
            Column(key="progress", label=t("进度", "Progress"), fmt="pct"),
            Column(key="max_deviation", label=t("最大偏差(天)", "Max deviation"), fmt="days"),
            Column(key="late", label=t("延误", "Late")),
            Column(key="acceptance_result", label=t("验收结果", "Acceptance")),
            Column(key="customer_rating", label=t("客户评分", "Rating"), fmt="score")],
            rows=_rows(s[["project_id", "title", "owner", "status", "progress", "max_deviation", "late",
                          "acceptance_result", "customer_rating"]]))],
        notes=[t(f"偏差超过 {register.settings.milestone_deviation_days} 天报警；已审批变更的工期影响顺延计划完成日期",
                 f"Deviations beyond {register.settings.milestone_deviation_days} days are alerts; approved changes move "
                 "the planned end")])


def training_section(register: Register, period_start: dt.date, period_end: dt.date, lang: str) -> Section:
    """Training completion per staff member (000 六, 004 六)."""
    from crm_xl.training import training_completion

    t = lambda zh, en: pick(zh, en, lang)  # noqa: E731
    rate = training_completion(register, period_start, period_end)
    return Section(
        key="training", title=t("培训完成率", "Training completion"),
        charts=[Chart(key="training_chart", title=t("各员工培训完成率", "Training completion per person"), kind="barh",
                      categories=[str(n) for n in rate.index], fmt="pct",
                      series=[Series(name=t("完成率", "Completion"), values=[_num(v) for v in rate])])],
        notes=[t("参加场次 ÷ 入职后期间内举办的场次", "Sessions attended ÷ sessions held since hiring in the period")])


def intelligence_section(register: Register, start: dt.date, end: dt.date, lang: str) -> Section:
    """Monthly order-intelligence summary per reporter and region (001 二)."""
    from crm_xl.intelligence import intelligence_monthly

    t = lambda zh, en: pick(zh, en, lang)  # noqa: E731
    m = intelligence_monthly(register, start, end)
    return Section(
        key="intelligence", title=t("订单情报", "Order intelligence"),
        kpis=[Kpi(key="reports", label=t("情报数", "Reports"), value=float(m["reports"].sum()), fmt="int"),
              Kpi(key="valuable", label=t("有价值", "Valuable"), value=float(m["valuable"].sum()), fmt="int"),
              Kpi(key="reward_paid", label=t("已发奖励", "Rewards paid"), value=_num(m["reward_paid"].sum()), fmt="money")],
        tables=[Table(key="intelligence_table", title=t("情报月报", "Monthly intelligence report"), columns=[
            Column(key="month", label=t("月份", "Month")), Column(key="reporter", label=t("报告人", "Reporter")),
            Column(key="region", label=t("区域", "Region")), Column(key="reports", label=t("情报数", "Reports"), fmt="int"),
            Column(key="valuable", label=t("有价值", "Valuable"), fmt="int"),
            Column(key="not_valuable", label=t("无价值", "Not valuable"), fmt="int"),
            Column(key="pending", label=t("待评估", "Pending"), fmt="int"),
            Column(key="estimated_value", label=t("预计金额", "Estimated value"), fmt="money"),
            Column(key="reward_paid", label=t("已发奖励", "Rewards paid"), fmt="money"),
            Column(key="reward_pending", label=t("待发奖励", "Rewards pending"), fmt="money"),
            Column(key="undecided", label=t("奖励未定", "Reward undecided"), fmt="int")],
            rows=_rows(m.drop(columns="valuable_value")))])
