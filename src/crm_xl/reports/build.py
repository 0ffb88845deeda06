"""Build each report kind's model from the Register and the core's results.

The figures come from the core: :func:`crm_xl.analysis.analyze` (grades, pipeline and trend
forecast, KPI, order-to-cash), :func:`crm_xl.service.build_service` (SLA per ticket, escalations,
complaint analysis, surveys) and validation's duplicate findings. This module only groups and
counts their results (sales per product, tickets per month …) and lays them out as KPI tiles,
charts and tables. Base-currency order amounts come from :func:`crm_xl.receivables.base_orders`.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd

from crm_xl.findings import Finding
from crm_xl.register import Register
from crm_xl.reports.labels import label, t
from crm_xl.reports.model import (Chart, Column, Header, Kpi, Period, Report, Section, Series, Table,
                                  resolve_period)
from crm_xl.schema import ENUMS

TOP_N = 10  # categories shown in a chart before the rest is summed as "other" (layout, not policy)
HISTORY_MONTHS = 24  # months of actual sales shown before the forecast
DUPLICATE_CODES = ("V204", "V205", "V206")  # validation: possible duplicate customer (name, domain, phone)


@dataclass
class ReportInputs:
    """Everything a report is built from; :func:`prepare` computes it from a register."""

    register: Register
    as_of: dt.date
    period: Period
    lang: str
    workbook: str
    analysis: Any  # crm_xl.analysis.Analysis
    service: Any  # crm_xl.service.ServiceReport
    findings: list[Finding] = field(default_factory=list)  # validation findings (duplicates etc.)
    approved_by: str | None = None
    approved_at: dt.datetime | None = None
    generated_at: dt.datetime = field(default_factory=lambda: dt.datetime.now().replace(microsecond=0))

    @property
    def settings(self):
        return self.register.settings


def default_period_text(as_of: dt.date) -> str:
    """The period a report covers when none is given: the last complete month before the as-of
    date (the same default as the KPI assessment)."""
    first = as_of.replace(day=1) - dt.timedelta(days=1)
    return f"{first.year:04d}-{first.month:02d}"


def prepare(register: Register, as_of: dt.date, period: str | None = None, lang: str | None = None,
            workbook: str | None = None, approved_by: str | None = None,
            approved_at: dt.datetime | None = None, findings: list[Finding] | None = None,
            reviewed=None) -> ReportInputs:
    """Run validation, analytics and service on ``register`` (the review every door shares, without
    the follow-up plan no report shows); ``reviewed`` reuses a :class:`crm_xl.review.Review` of the
    same register and KPI period."""
    lang = lang or register.lang
    text = period or default_period_text(as_of)
    p = resolve_period(text, as_of)
    kpi_period = text if p.grain != "range" else default_period_text(as_of)
    if reviewed is not None:
        validation, analysis, service = reviewed.validation, reviewed.analysis, reviewed.service
    else:
        validation, analysis, service = _review(register, as_of, kpi_period, lang)
    if findings is None:
        findings = list(validation.findings)
    return ReportInputs(register=register, as_of=as_of, period=p, lang=lang,
                        workbook=workbook or Path(register.source or "—").name, analysis=analysis,
                        service=service, findings=findings, approved_by=approved_by,
                        approved_at=approved_at if approved_by else None)


def _review(register: Register, as_of: dt.date, kpi_period: str, lang: str):
    """:func:`crm_xl.review.review`'s validation, analysis and service, without the follow-up plan
    and the plan's and service's JSON, which no report reads (the plan was 0.4 s CPU of the 1k
    register's monthly report and 0.9 s of the 10k one)."""
    from crm_xl.review import review

    reviewed = review(register, as_of, kpi_period, lang, with_plan=False)
    return reviewed.validation, reviewed.analysis, reviewed.service


def build_report(kind: str, inputs: ReportInputs) -> Report:
    """The report model of ``kind`` (sales, customers, service, monthly)."""
    builders: dict[str, Callable[[ReportInputs], tuple[list[Section], list[str]]]] = {
        "sales": sales_sections, "customers": customer_sections, "service": service_sections,
        "monthly": monthly_sections}
    if kind not in builders:
        raise ValueError(f"unknown report kind {kind!r}; use one of {', '.join(builders)}")
    sections, notes = builders[kind](inputs)
    sections = sections + _operations_sections(kind, inputs)
    return Report(header=_header(kind, inputs), sections=sections, notes=notes)


def _operations_sections(kind: str, inputs: ReportInputs) -> list[Section]:
    """The sheets beyond the trade pipeline: the dealer's sales/service (004), projects (002 六),
    training (000 六) and order intelligence (001 二) — in the sales and monthly reports."""
    from crm_xl.reports.profile_sections import (auto_sections, intelligence_section, project_section,
                                                 training_section)

    reg, p, lang = inputs.register, inputs.period, inputs.lang
    out: list[Section] = []
    if kind in ("sales", "monthly") and reg.settings.profile == "auto" and not reg["vehicles"].empty:
        out += auto_sections(reg, inputs.as_of, p.start, p.end, lang)
    if kind != "monthly":
        return out
    if not reg["projects"].empty:
        out.append(project_section(reg, inputs.as_of, lang))
    if not reg["training_sessions"].empty:
        out.append(training_section(reg, p.start, p.end, lang))
    if not reg["intelligence"].empty:
        out.append(intelligence_section(reg, p.start, p.end, lang))
    return out


def _header(kind: str, x: ReportInputs) -> Header:
    from crm_xl.coverage import summary_line

    approved = bool(x.approved_by)
    return Header(kind=kind, title=label(f"title.{kind}", x.lang), workbook=x.workbook, as_of=x.as_of,
                  period=x.period, base_currency=x.settings.base_currency,
                  status="approved" if approved else "draft", approved_by=x.approved_by if approved else None,
                  approved_at=(x.approved_at or x.generated_at) if approved else None, lang=x.lang,
                  generated_at=x.generated_at,
                  left_out=summary_line(x.analysis.coverage.json(), x.lang))  # every output says what it left out


# ------------------------------------------------------------------------------------------ helpers
def _ts(day: dt.date) -> pd.Timestamp:
    return pd.Timestamp(day)


def _in(s: pd.Series, p: Period) -> pd.Series:
    return ((s >= _ts(p.start)) & (s < _ts(p.end) + pd.Timedelta(days=1))).fillna(False)


def _f(x: Any) -> float | None:
    """A plain float for the model (None for NA/NaN/inf)."""
    if x is None or x is pd.NA or x is pd.NaT:
        return None
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def _ratio(num: float | None, den: float | None) -> float | None:
    if num is None or den is None or den == 0:
        return None
    return num / den


def _growth(now: float | None, base: float | None) -> float | None:
    if now is None or base is None or base == 0:
        return None
    return (now - base) / abs(base)


def _text(v: Any, lang: str) -> str:
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) or str(v).strip() == "":
        return label("none", lang)
    return str(v)


def _enum(name: str, code: Any, lang: str) -> str:
    if code is None or code is pd.NA or (isinstance(code, float) and math.isnan(code)) or code == "":
        return label("none", lang)
    return ENUMS[name].label(str(code), lang)


def _month_range(end: dt.date, n: int) -> list[str]:
    last = pd.Timestamp(end).to_period("M")
    return [str(last - i) for i in range(n - 1, -1, -1)]


def _top(values: pd.Series, n: int, other: str) -> pd.Series:
    """The ``n`` largest entries, the rest summed under ``other``."""
    values = values.sort_values(ascending=False)
    if len(values) <= n:
        return values
    head = values.iloc[:n]
    return pd.concat([head, pd.Series({other: values.iloc[n:].sum()})])


def _counts_table(key: str, title: str, dim_label: str, counts: pd.Series, lang: str, note: str | None = None) -> Table:
    total = float(counts.sum())
    rows = [{"dim": str(k), "count": _f(v), "share": _ratio(_f(v), total)} for k, v in counts.items()]
    return Table(key=key, title=title, note=note,
                 columns=[Column(key="dim", label=dim_label), Column(key="count", label=label("count", lang), fmt="int"),
                          Column(key="share", label=label("share", lang), fmt="pct")],
                 rows=rows, total={"dim": label("total", lang), "count": total, "share": 1.0 if total else None})


def base_orders(x: ReportInputs) -> pd.DataFrame:
    """Non-cancelled orders with ``amount_base``/``cost_base`` (the core's conversion) and the
    customer's country."""
    from crm_xl.receivables import base_orders as convert

    o = convert(x.register.frames["orders"], x.settings)
    o = o[o["order_date"].notna() & (o["order_date"] <= _ts(x.as_of))]
    cust = x.register.frames["customers"].drop_duplicates("customer_id").set_index("customer_id")
    return o.assign(country=o["customer_id"].map(cust["country"]).astype("string"))


# -------------------------------------------------------------------------------------------- sales
@dataclass
class SalesFigures:
    sales: float
    quantity: float
    orders: int
    margin: float | None
    profit: float | None
    prev: float
    year: float


def sales_figures(o: pd.DataFrame, p: Period) -> SalesFigures:
    cur = o[_in(o["order_date"], p)]
    with_cost = cur[cur["cost_base"].notna() & cur["amount_base"].notna()]
    sales_c, cost_c = math.fsum(with_cost["amount_base"]), math.fsum(with_cost["cost_base"])
    return SalesFigures(
        sales=math.fsum(cur["amount_base"].dropna()), quantity=math.fsum(cur["quantity"].dropna()),
        orders=int(len(cur)), margin=_ratio(sales_c - cost_c, sales_c) if len(with_cost) else None,
        profit=(sales_c - cost_c) if len(with_cost) else None,
        prev=math.fsum(o.loc[_in(o["order_date"], p.previous()), "amount_base"].dropna()),
        year=math.fsum(o.loc[_in(o["order_date"], p.year_before()), "amount_base"].dropna()))


def _comparison(o: pd.DataFrame, p: Period, dim: str, lang: str) -> pd.DataFrame:
    """Sales this period, previous period and same period last year per ``dim`` value."""
    key = o[dim].astype("string").fillna(label("none", lang))
    frame = pd.DataFrame({
        "now": o["amount_base"].where(_in(o["order_date"], p), 0.0),
        "prev": o["amount_base"].where(_in(o["order_date"], p.previous()), 0.0),
        "year": o["amount_base"].where(_in(o["order_date"], p.year_before()), 0.0),
        "qty": o["quantity"].where(_in(o["order_date"], p), 0.0),
        "cost": o["cost_base"].where(_in(o["order_date"], p) & o["cost_base"].notna(), np.nan),
        "costed": o["amount_base"].where(_in(o["order_date"], p) & o["cost_base"].notna(), np.nan),
    }).groupby(key, sort=True).sum(min_count=1)
    frame = frame[(frame[["now", "prev", "year"]].fillna(0) != 0).any(axis=1)]
    return frame.sort_values("now", ascending=False)


def _comparison_table(key: str, title: str, dim_label: str, frame: pd.DataFrame, lang: str) -> Table:
    total_now = float(frame["now"].sum())
    rows = []
    for name, r in frame.iterrows():
        costed, cost = _f(r["costed"]), _f(r["cost"])
        rows.append({"dim": str(name), "now": _f(r["now"]), "qty": _f(r["qty"]),
                     "share": _ratio(_f(r["now"]), total_now),
                     "margin": _ratio(costed - cost, costed) if costed and cost is not None else None,
                     "prev": _f(r["prev"]), "mom": _growth(_f(r["now"]), _f(r["prev"])),
                     "year": _f(r["year"]), "yoy": _growth(_f(r["now"]), _f(r["year"]))})
    sums = frame[["now", "prev", "year", "qty"]].sum()
    costed, cost = frame["costed"].sum(min_count=1), frame["cost"].sum(min_count=1)
    total = {"dim": label("total", lang), "now": _f(sums["now"]), "qty": _f(sums["qty"]), "share": 1.0 if total_now else None,
             "margin": _ratio(_f(costed) - _f(cost), _f(costed)) if _f(costed) and _f(cost) is not None else None,
             "prev": _f(sums["prev"]), "mom": _growth(_f(sums["now"]), _f(sums["prev"])),
             "year": _f(sums["year"]), "yoy": _growth(_f(sums["now"]), _f(sums["year"]))}
    L = lambda k: label(k, lang)  # noqa: E731
    return Table(key=key, title=title, rows=rows, total=total, columns=[
        Column(key="dim", label=dim_label), Column(key="now", label=L("this_period"), fmt="money"),
        Column(key="qty", label=L("quantity"), fmt="num"), Column(key="share", label=L("share"), fmt="pct"),
        Column(key="margin", label=L("gross_margin"), fmt="pct"),
        Column(key="prev", label=L("prev_period"), fmt="money"), Column(key="mom", label=L("mom"), fmt="pct"),
        Column(key="year", label=L("last_year"), fmt="money"), Column(key="yoy", label=L("yoy"), fmt="pct")])


def _comparison_chart(key: str, title: str, frame: pd.DataFrame, lang: str, currency: str, kind: str = "barh") -> Chart:
    other = t("其他", "Other", lang)
    top = frame.head(TOP_N)
    if len(frame) > TOP_N:
        top = pd.concat([top, frame.iloc[TOP_N:].sum().to_frame(other).T])
    cats = [str(i) for i in top.index]
    return Chart(key=key, title=title, kind=kind, categories=cats, fmt="money",
                 x_label=f"{label('amount', lang)} ({currency})" if kind == "barh" else "",
                 y_label=f"{label('amount', lang)} ({currency})" if kind != "barh" else "",
                 series=[Series(name=label("this_period", lang), values=[_f(v) for v in top["now"]]),
                         Series(name=label("prev_period", lang), values=[_f(v) for v in top["prev"]]),
                         Series(name=label("last_year", lang), values=[_f(v) for v in top["year"]])])


def monthly_sales(o: pd.DataFrame, months: list[str]) -> pd.Series:
    month = o["order_date"].dt.strftime("%Y-%m")
    return o["amount_base"].groupby(month).sum().reindex(months, fill_value=0.0)


def trend_chart(x: ReportInputs, o: pd.DataFrame, key: str = "sales_trend") -> Chart:
    """Actual monthly sales (base currency) up to the period end, then the core's trend forecast
    with its interval."""
    lang, cur = x.lang, x.settings.base_currency
    trend = x.analysis.trend
    hist_months = _month_range(x.period.end, HISTORY_MONTHS)
    actual = monthly_sales(o, hist_months)
    fc = trend.forecast
    fc_months = [m for m in fc["month"].tolist() if m > hist_months[-1]] if len(fc) else []
    fc = fc[fc["month"].isin(fc_months)] if len(fc) else fc
    months = hist_months + fc_months
    n_hist = len(hist_months)
    series = [Series(name=label("actual", lang), values=[_f(v) for v in actual] + [None] * len(fc_months))]
    if fc_months:
        pad = [None] * n_hist
        series.append(Series(name=label("forecast", lang), dashed=True,
                             values=pad + [_f(v) for v in fc["forecast"]],
                             lower=pad + [_f(v) for v in fc["lower"]], upper=pad + [_f(v) for v in fc["upper"]]))
    note = t(f"预测方法：{trend.method}（{trend.reason(lang)}）；区间为 80% 预测区间",
             f"Forecast method: {trend.method} ({trend.reason(lang)}); band = 80% prediction interval", lang)
    if trend.mape is not None:
        note += t(f"；回测平均误差 MAPE {trend.mape * 100:.1f}%", f"; back-test MAPE {trend.mape * 100:.1f}%", lang)
    return Chart(key=key, title=t("月度销售额与趋势预测", "Monthly sales and trend forecast", lang), kind="line",
                 categories=months, series=series, x_label=label("month", lang),
                 y_label=f"{label('amount', lang)} ({cur})", fmt="money", note=note)


def sales_sections(x: ReportInputs) -> tuple[list[Section], list[str]]:
    lang, cur, p = x.lang, x.settings.base_currency, x.period
    L = lambda k: label(k, lang)  # noqa: E731
    o = base_orders(x)
    fig = sales_figures(o, p)
    pipe = x.analysis.pipeline
    overview = Section(key="sales_overview", title=L("sec.sales_overview"), kpis=[
        Kpi(key="sales", label=f"{L('sales')} ({cur})", value=fig.sales, fmt="money",
            delta=_growth(fig.sales, fig.prev), delta_label=L("vs_prev")),
        Kpi(key="sales_yoy", label=L("yoy"), value=_growth(fig.sales, fig.year), fmt="pct",
            note=f"{L('last_year')}: {fig.year:,.0f}"),
        Kpi(key="quantity", label=L("quantity"), value=fig.quantity, fmt="num"),
        Kpi(key="orders", label=L("orders"), value=fig.orders, fmt="int"),
        Kpi(key="gross_margin", label=L("gross_margin"), value=fig.margin, fmt="pct"),
        Kpi(key="gross_profit", label=f"{L('gross_profit')} ({cur})", value=fig.profit, fmt="money"),
        Kpi(key="weighted", label=f"{L('weighted')} ({cur})", value=_f(pipe.total["weighted"]), fmt="money"),
        Kpi(key="open_opps", label=L("open_opps"), value=_f(pipe.total["count"]), fmt="int"),
    ])
    trend = Section(key="sales_trend", title=L("sec.sales_trend"), charts=[trend_chart(x, o)],
                    tables=[_trend_table(x)])
    by_product = _comparison(o, p, "product", lang)
    by_region = _comparison(o, p, "country", lang)
    by_owner = _comparison(o, p, "owner", lang)
    compare = Section(key="sales_compare", title=L("sec.sales_compare"), charts=[
        _comparison_chart("by_product", t("按产品：本期、上期与去年同期", "By product: this period, previous, last year", lang),
                          by_product, lang, cur),
        _comparison_chart("by_region", t("按国家/地区", "By country/region", lang), by_region, lang, cur),
        _owner_chart(x, by_owner),
    ], tables=[
        _comparison_table("by_product", t("按产品", "By product", lang), L("product"), by_product, lang),
        _comparison_table("by_region", t("按国家/地区", "By country/region", lang), L("region"), by_region, lang),
        _comparison_table("by_owner", t("按负责人", "By owner", lang), L("owner"), by_owner, lang),
    ])
    pipeline = Section(key="pipeline", title=L("sec.pipeline"), charts=[_pipeline_chart(x), _stage_chart(x)],
                       tables=[_pipeline_table(x), forecast_accuracy_table(x)])
    corr = correlation_section(x, o)
    notes = [
        t(f"金额均按汇率表折算为本位币 {cur}；已取消订单不计；缺少汇率的订单不计入合计（见 analyze 的 A101 提示）。",
          f"Amounts are converted to the base currency {cur} with the FX table; cancelled orders are left out, and so "
          "are orders whose currency has no rate (see analyze finding A101).", lang),
        t(f"本期 {p.start}–{p.end}；上期 {p.previous().start}–{p.previous().end}；去年同期 "
          f"{p.year_before().start}–{p.year_before().end}。毛利率 =（销售额 − 成本）÷ 销售额，只计有成本的订单。",
          f"This period {p.start}–{p.end}; previous {p.previous().start}–{p.previous().end}; last year "
          f"{p.year_before().start}–{p.year_before().end}. Gross margin = (sales − cost) ÷ sales over orders with a cost.",
          lang),
        t("加权金额 = 机会金额 × 成交概率（留空按阶段默认概率，见“阶段概率”表）。",
          "Weighted = amount × probability (blank = the stage default from the stage table).", lang),
    ]
    return [overview, trend, compare, pipeline, corr], notes


def forecast_accuracy_table(x: ReportInputs) -> Table:
    """F4.4: what the pipeline said at the start of each month against the orders that came, per
    month and owner (from the database's snapshots; a workbook has none and the note says so)."""
    lang, fa = x.lang, x.analysis.forecast_accuracy or {}
    everyone = t("（全部）", "(all)", lang)
    rows = []
    for m in fa.get("months", []):
        rows.append({"month": m["month"], "snapshot": m["snapshot_date"], "owner": everyone, "forecast": m["forecast"],
                     "actual": m["actual"], "accuracy": m["accuracy"]})
        rows += [{"month": m["month"], "snapshot": m["snapshot_date"], "owner": r["owner"] or "—",
                  "forecast": r["forecast"], "actual": r["actual"], "accuracy": r["accuracy"]} for r in m["by_owner"]]
    note = t("预测 = 月初最近一次同步时管道中预计当月成交机会的加权金额；实际 = 当月订单金额（本位币）；"
             "准确率 = max(0, 1 − |实际 − 预测| ÷ 实际)，当月无订单时不计算。",
             "Forecast = the weighted amount of the deals expected to close in the month, in the last sync's pipeline "
             "snapshot at the month's start; actual = that month's orders (base currency); accuracy = "
             "max(0, 1 − |actual − forecast| ÷ actual), none for a month without orders.", lang)
    if not rows:
        note = f"{fa.get('reason') or ''} {note}".strip()
    return Table(key="forecast_accuracy", title=t("预测与实际（按月、按负责人）", "Forecast vs actual by month and owner", lang),
                 columns=[Column(key="month", label=label("month", lang)),
                          Column(key="snapshot", label=t("快照日期", "Snapshot", lang)),
                          Column(key="owner", label=label("owner", lang)),
                          Column(key="forecast", label=label("forecast", lang), fmt="money"),
                          Column(key="actual", label=t("实际", "Actual", lang), fmt="money"),
                          Column(key="accuracy", label=t("准确率", "Accuracy", lang), fmt="pct")],
                 rows=rows, note=note)


def _trend_table(x: ReportInputs) -> Table:
    lang, trend = x.lang, x.analysis.trend
    rows = [{"month": r["month"], "forecast": _f(r["forecast"]), "lower": _f(r["lower"]), "upper": _f(r["upper"])}
            for r in trend.forecast.to_dict("records")]
    return Table(key="trend_forecast", title=t("趋势预测（未来 12 个月）", "Trend forecast (next 12 months)", lang),
                 columns=[Column(key="month", label=label("month", lang)),
                          Column(key="forecast", label=label("forecast", lang), fmt="money"),
                          Column(key="lower", label=label("lower", lang), fmt="money"),
                          Column(key="upper", label=label("upper", lang), fmt="money")],
                 rows=rows, note=trend.backtest_reason(lang) if trend.backtest_reason else None)


def _owner_chart(x: ReportInputs, by_owner: pd.DataFrame) -> Chart:
    lang, cur = x.lang, x.settings.base_currency
    targets = x.analysis.kpi.targets
    owners = [str(i) for i in by_owner.index]
    target = [(_f(targets.at[o, "sales_target"]) if o in targets.index and "sales_target" in targets.columns else None)
              for o in owners]
    return Chart(key="by_owner", title=t("按负责人：本期销售额与目标", "By owner: sales vs target", lang), kind="bar",
                 categories=owners, fmt="money", y_label=f"{label('amount', lang)} ({cur})",
                 series=[Series(name=label("this_period", lang), values=[_f(v) for v in by_owner["now"]]),
                         Series(name=t("目标", "Target", lang), values=target)])


def _pipeline_chart(x: ReportInputs) -> Chart:
    lang, cur = x.lang, x.settings.base_currency
    bm = x.analysis.pipeline.by_month
    return Chart(key="pipeline_by_month", title=t("未来 12 个月销售机会（按预计成交月份）",
                                                 "Pipeline of the next 12 months by expected close", lang),
                 kind="bar", categories=[str(m) for m in bm["month"]], fmt="money",
                 x_label=label("expected_close", lang), y_label=f"{label('amount', lang)} ({cur})",
                 series=[Series(name=label(k, lang), values=[_f(v) for v in bm[k]])
                         for k in ("pipeline", "weighted", "commit")])


def _stage_chart(x: ReportInputs) -> Chart:
    lang, cur = x.lang, x.settings.base_currency
    rows = x.analysis.pipeline.rows
    by_stage = rows.groupby("stage")[["pipeline", "weighted"]].sum().reindex(list(ENUMS["stage"].codes), fill_value=0.0)
    return Chart(key="pipeline_by_stage", title=t("在跟机会按销售阶段", "Open pipeline by stage", lang), kind="bar",
                 categories=[ENUMS["stage"].label(s, lang) for s in by_stage.index], fmt="money",
                 y_label=f"{label('amount', lang)} ({cur})",
                 series=[Series(name=label("pipeline", lang), values=[_f(v) for v in by_stage["pipeline"]]),
                         Series(name=label("weighted", lang), values=[_f(v) for v in by_stage["weighted"]])])


def _pipeline_table(x: ReportInputs) -> Table:
    lang, pipe = x.lang, x.analysis.pipeline
    keys = ("pipeline", "weighted", "commit", "best_case")
    rows = [{"month": str(r["month"]), **{k: _f(r[k]) for k in keys}, "quantity": _f(r["quantity"])}
            for r in pipe.by_month.to_dict("records")]
    for b in ("past_due", "later", "undated"):
        rec = pipe.buckets[b]
        if rec.get("count", 0):
            rows.append({"month": label(b, lang), **{k: _f(rec[k]) for k in keys}, "quantity": _f(rec["quantity"])})
    total = {"month": label("total", lang), **{k: _f(pipe.total[k]) for k in keys}, "quantity": _f(pipe.total["quantity"])}
    return Table(key="pipeline", title=t("加权预测（按预计成交月份）", "Weighted forecast by expected close month", lang),
                 columns=[Column(key="month", label=label("expected_close", lang))]
                 + [Column(key=k, label=label(k, lang), fmt="money") for k in keys]
                 + [Column(key="quantity", label=label("quantity", lang), fmt="num")],
                 rows=rows, total=total)


def correlation_section(x: ReportInputs, o: pd.DataFrame) -> Section:
    """Activities vs sales per owner over the 12 months ending with the period, with Pearson's r."""
    lang, cur = x.lang, x.settings.base_currency
    end = _ts(x.period.end) + pd.Timedelta(days=1)
    start = end - pd.DateOffset(months=12)
    act = x.register.frames["activities"]
    a = act[(act["date"] >= start) & (act["date"] < end)].groupby(act["owner"].astype("string"))["activity_id"].size()
    won = o[(o["order_date"] >= start) & (o["order_date"] < end)].groupby(o["owner"].astype("string"))["amount_base"].sum()
    owners = sorted(set(a.index.dropna()) | set(won.index.dropna()))
    xs = [float(a.get(k, 0)) for k in owners]
    ys = [float(won.get(k, 0.0)) for k in owners]
    r = float(np.corrcoef(xs, ys)[0, 1]) if len(owners) >= 3 and np.std(xs) > 0 and np.std(ys) > 0 else None
    window = f"{start.date()}–{(end - pd.Timedelta(days=1)).date()}"
    note = t(f"统计区间 {window}；相关系数 r = {r:.2f}" if r is not None else f"统计区间 {window}；负责人不足 3 人或数据无差异，不计算相关系数",
             f"Window {window}; Pearson r = {r:.2f}" if r is not None else f"Window {window}; fewer than 3 owners or no spread: no r",
             lang)
    chart = Chart(key="activities_vs_sales", title=t("跟进次数与成交金额（每位负责人）", "Activities vs sales per owner", lang),
                  kind="scatter", x_label=label("activities", lang), y_label=f"{label('won_amount', lang)} ({cur})",
                  fmt="money", x_fmt="int", note=note,
                  series=[Series(name=label("owner", lang), x=xs, values=ys, point_labels=owners)])
    table = Table(key="activities_vs_sales", title=chart.title, note=note,
                  columns=[Column(key="owner", label=label("owner", lang)),
                           Column(key="activities", label=label("activities", lang), fmt="int"),
                           Column(key="won", label=f"{label('won_amount', lang)} ({cur})", fmt="money")],
                  rows=[{"owner": k, "activities": xv, "won": yv} for k, xv, yv in zip(owners, xs, ys)])
    return Section(key="correlation", title=label("sec.correlation", lang), charts=[chart], tables=[table])


# ---------------------------------------------------------------------------------------- customers
@dataclass
class CustomerFlow:
    total: int
    new: int
    active: int
    churned: int


def customer_flow(o: pd.DataFrame, customers: pd.DataFrame, p: Period, churn_days: int) -> CustomerFlow:
    """New (first order in the period), active (ordered in the period) and churned customers (the
    last order up to the period end is ``churn_days`` old during the period) — the KPI's
    definitions, counted for the whole company."""
    first = o.groupby("customer_id")["order_date"].min()
    upto = o[o["order_date"] <= _ts(p.end)].groupby("customer_id")["order_date"].max()
    churn_day = upto + pd.Timedelta(days=churn_days + 1)
    return CustomerFlow(total=int(customers["customer_id"].nunique()), new=int(_in(first, p).sum()),
                        active=int(o.loc[_in(o["order_date"], p), "customer_id"].nunique()),
                        churned=int(_in(churn_day, p).sum()))


def _flow_by_month(o: pd.DataFrame, months: list[str], churn_days: int) -> pd.DataFrame:
    month = o["order_date"].dt.strftime("%Y-%m")
    first = o.groupby("customer_id")["order_date"].min().dt.strftime("%Y-%m")
    active = o.groupby(month)["customer_id"].nunique()
    # churned in month m: the last order before the churn date lies churn_days + 1 days back
    rows = []
    for m in months:
        start = pd.Timestamp(m + "-01")
        end = start + pd.offsets.MonthEnd(0)
        last = o[o["order_date"] <= end].groupby("customer_id")["order_date"].max() + pd.Timedelta(days=churn_days + 1)
        rows.append({"month": m, "new": int((first == m).sum()), "active": int(active.get(m, 0)),
                     "churned": int(((last >= start) & (last <= end)).sum())})
    return pd.DataFrame(rows)


def duplicate_findings(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.code in DUPLICATE_CODES]


def customer_sections(x: ReportInputs) -> tuple[list[Section], list[str]]:
    lang, p, s = x.lang, x.period, x.settings
    L = lambda k: label(k, lang)  # noqa: E731
    cust = x.register.frames["customers"]
    g = x.analysis.grades
    o = base_orders(x)
    flow = customer_flow(o, cust, p, s.churn_days)
    dups = duplicate_findings(x.findings)
    dup_customers = {f.record_id or f.row for f in dups}
    completeness = g["completeness"].astype("float64")
    overview = Section(key="customer_overview", title=L("sec.customer_overview"), kpis=[
        Kpi(key="customers", label=L("customers"), value=flow.total, fmt="int"),
        Kpi(key="new_customers", label=L("new_customers"), value=flow.new, fmt="int"),
        Kpi(key="active_customers", label=L("active_customers"), value=flow.active, fmt="int"),
        Kpi(key="churned_customers", label=L("churned_customers"), value=flow.churned, fmt="int"),
        Kpi(key="completeness", label=L("completeness"), value=_f(completeness.mean()), fmt="pct"),
        Kpi(key="duplicates", label=L("duplicates"), value=len(dup_customers), fmt="int",
            note=t(f"{len(dups)} 条提示", f"{len(dups)} findings", lang)),
        Kpi(key="high_risk", label=t("高风险客户", "High-risk customers", lang), value=int((g["risk"] == "high").sum()),
            fmt="int"),
        Kpi(key="important", label=t("重要客户", "Important customers", lang), value=int((cust["important"] == "yes").sum()),
            fmt="int"),
    ])
    months = _month_range(p.end, 12)
    fl = _flow_by_month(o, months, s.churn_days)
    overview.charts.append(Chart(
        key="customer_flow", title=t("每月新客户、活跃客户与流失客户", "New, active and churned customers per month", lang),
        kind="bar", categories=months, fmt="int", x_label=L("month"), y_label=L("customers"),
        series=[Series(name=L(f"{k}_customers"), values=[float(v) for v in fl[k]]) for k in ("new", "active", "churned")]))

    def cross(row_dim: str, col_dim: str) -> tuple[list[str], list[Series]]:
        codes_r, codes_c = ENUMS[row_dim].codes, ENUMS[col_dim].codes
        tab = pd.crosstab(g[row_dim].astype("string").fillna(""), g[col_dim].astype("string").fillna(""))
        tab = tab.reindex(index=list(codes_r) + ([""] if "" in tab.index else []),
                          columns=list(codes_c) + ([""] if "" in tab.columns else []), fill_value=0)
        return ([_enum(row_dim, c, lang) for c in tab.index],
                [Series(name=_enum(col_dim, c, lang), values=[float(v) for v in tab[c]]) for c in tab.columns])

    cats1, ser1 = cross("abc", "scale")
    cats2, ser2 = cross("level", "risk")
    classes = Section(key="classification", title=L("sec.classification"), charts=[
        Chart(key="abc_scale", title=t("ABC 分类 × 规模", "ABC class × scale", lang), kind="stacked_bar",
              categories=cats1, series=ser1, fmt="int", x_label=L("abc"), y_label=L("customers")),
        Chart(key="level_risk", title=t("客户等级 × 风险等级", "Level × risk", lang), kind="stacked_bar",
              categories=cats2, series=ser2, fmt="int", x_label=L("level"), y_label=L("customers")),
    ], tables=[
        _counts_table(f"by_{dim}", L(dim), L(dim), _enum_counts(g[dim], dim, lang), lang)
        for dim in ("scale", "abc", "level", "risk")] + [_risk_action_table(g, lang)])
    if "market" in g.columns:  # F2.6: domestic vs international
        by_market = _enum_counts(g["market"], "market", lang)
        by_market.index = [i or t("国家未填", "Country blank", lang) for i in by_market.index]
        classes.tables.append(_counts_table("by_market", t("国内/国际", "Domestic / international", lang),
                                            t("市场", "Market", lang), by_market, lang))
        classes.charts.append(_count_chart("by_market", t("国内与国际客户", "Domestic and international customers", lang),
                                           by_market, lang))
    by_country = cust["country"].astype("string").fillna(label("none", lang)).value_counts()
    by_industry = cust["industry"].astype("string").fillna(label("none", lang)).value_counts()
    by_source = _enum_counts(cust["source_channel"], "source_channel", lang)
    other = t("其他", "Other", lang)
    sources = Section(key="sources", title=L("sec.sources"), charts=[
        _count_chart("by_source", t("按来源渠道", "By source channel", lang), by_source, lang),
        _count_chart("by_country", t("按国家/地区", "By country/region", lang), _top(by_country, TOP_N, other), lang),
        _count_chart("by_industry", t("按行业", "By industry", lang), _top(by_industry, TOP_N, other), lang),
    ], tables=[
        _counts_table("by_source", L("source_channel"), L("source_channel"), by_source, lang,
                      note=_referral_note(cust, lang)),
        _counts_table("by_country", L("country"), L("country"), by_country, lang),
        _counts_table("by_industry", L("industry"), L("industry"), by_industry, lang),
    ])
    bands = pd.cut(completeness, [-0.001, 0.5, 0.7, 0.9, 1.0], labels=["< 50%", "50–70%", "70–90%", "≥ 90%"])
    band_counts = bands.value_counts().reindex(["< 50%", "50–70%", "70–90%", "≥ 90%"], fill_value=0)
    names = cust.drop_duplicates("customer_id").set_index("customer_id")["company_name"]
    low = g[["customer_id", "completeness", "owner"] if "owner" in g.columns else ["customer_id", "completeness"]]
    low = low.sort_values("completeness").head(TOP_N)
    quality = Section(key="data_quality", title=L("sec.data_quality"), charts=[
        Chart(key="completeness_bands", title=t("信息完整度分布", "Completeness distribution", lang), kind="bar",
              categories=list(band_counts.index.astype(str)), fmt="int", x_label=L("completeness_band"),
              y_label=L("customers"), series=[Series(name=L("customers"), values=[float(v) for v in band_counts])]),
    ], tables=[
        Table(key="lowest_completeness", title=L("lowest_completeness"),
              columns=[Column(key="customer_id", label=L("customer_id")), Column(key="name", label=L("company_name")),
                       Column(key="completeness", label=t("信息完整度", "Completeness", lang), fmt="pct")],
              rows=[{"customer_id": str(r["customer_id"]), "name": _text(names.get(r["customer_id"]), lang),
                     "completeness": _f(r["completeness"])} for r in low.to_dict("records")]),
        Table(key="duplicates", title=L("duplicates"),
              columns=[Column(key="cell", label=L("cell")), Column(key="customer_id", label=L("customer_id")),
                       Column(key="message", label=L("finding"))],
              rows=[{"cell": f"{x.register.sheet_label(f.sheet)}!{f.cell or f.row}", "customer_id": f.record_id or "",
                     "message": f.message(lang)} for f in dups],
              note=None if x.findings else t("未运行校验：没有重复检查结果", "Validation not run: no duplicate check", lang)),
    ])
    notes = [
        t(f"新客户：本期首次下单；活跃客户：本期有订单；流失客户：最后一笔订单距今超过 {s.churn_days} 天且在本期达到该天数"
          "（与 KPI 考核口径一致）。",
          f"New: first order in the period; active: ordered in the period; churned: the last order became more than "
          f"{s.churn_days} days old during the period (the KPI's definitions).", lang),
        t("规模、ABC、等级与风险由 crm-xl 按参数设置计算；信息完整度为制度要求字段的填写比例。",
          "Scale, ABC, level and risk are computed by crm-xl from the Settings; completeness is the share of the "
          "policy-required fields filled.", lang),
    ]
    return [overview, classes, sources, quality], notes


def _enum_counts(values: pd.Series, enum: str, lang: str) -> pd.Series:
    counts = values.astype("string").fillna("").value_counts()
    order = [c for c in ENUMS[enum].codes if c in counts.index] + ([""] if "" in counts.index else [])
    counts = counts.reindex(order)
    counts.index = [_enum(enum, c, lang) for c in counts.index]
    return counts


def _count_chart(key: str, title: str, counts: pd.Series, lang: str) -> Chart:
    return Chart(key=key, title=title, kind="barh", categories=[str(i) for i in counts.index], fmt="int",
                 x_label=label("customers", lang), series=[Series(name=label("customers", lang),
                                                                  values=[float(v) for v in counts])])


def _referral_note(cust: pd.DataFrame, lang: str) -> str:
    ref = cust[cust["source_channel"] == "referral"]
    with_referrer = int(ref["referrer"].notna().sum())
    return t(f"客户推荐 {len(ref)} 家，其中 {with_referrer} 家记录了推荐人。",
             f"{len(ref)} referred customers, {with_referrer} with the referrer recorded.", lang)


# ----------------------------------------------------------------------------------------- service
@dataclass
class ServiceFigures:
    tickets: int
    complaints: int
    on_time_rate: float | None
    resolution_days: float | None
    reopen_rate: float | None
    satisfaction: float | None


def service_figures(sla: pd.DataFrame, p: Period) -> ServiceFigures:
    """Tickets received in the period; on-time rate, resolution time and satisfaction of those
    closed (the core's per-ticket SLA status); reopen rate of those received."""
    cur = sla[_in(sla["received_at"], p)]
    done = cur["resolution_status"].isin(["met", "breached"]).fillna(False)
    closed = cur[done]
    return ServiceFigures(
        tickets=int(len(cur)), complaints=int((cur["type"] == "complaint").fillna(False).sum()),
        on_time_rate=_ratio(float((closed["resolution_status"] == "met").sum()), float(len(closed))),
        resolution_days=_f(closed["resolution_workdays"].mean()) if len(closed) else None,
        reopen_rate=_f(cur["reopened"].astype("float64").mean()) if len(cur) else None,
        satisfaction=_f(closed["satisfaction"].mean()) if closed["satisfaction"].notna().any() else None)


def service_sections(x: ReportInputs) -> tuple[list[Section], list[str]]:
    lang, p = x.lang, x.period
    L = lambda k: label(k, lang)  # noqa: E731
    sv = x.service
    sla = sv.tickets
    fig = service_figures(sla, p)
    prev = service_figures(sla, p.previous())
    surveys = _survey_scores(x)
    open_now = int((sla["status"].fillna("") != "closed").sum())
    overview = Section(key="service_overview", title=L("sec.service_overview"), kpis=[
        Kpi(key="tickets", label=L("tickets"), value=fig.tickets, fmt="int",
            delta=_growth(fig.tickets, prev.tickets), delta_label=L("vs_prev")),
        Kpi(key="complaints", label=L("complaints"), value=fig.complaints, fmt="int",
            delta=_growth(fig.complaints, prev.complaints), delta_label=L("vs_prev")),
        Kpi(key="on_time_rate", label=L("on_time_rate"), value=fig.on_time_rate, fmt="pct"),
        Kpi(key="resolution_days", label=L("resolution_days"), value=fig.resolution_days, fmt="days"),
        Kpi(key="reopen_rate", label=L("reopen_rate"), value=fig.reopen_rate, fmt="pct"),
        Kpi(key="satisfaction", label=L("satisfaction"), value=fig.satisfaction, fmt="score", note="1–5"),
        Kpi(key="nps", label=L("nps"), value=surveys["nps"]["nps"], fmt="num",
            note=t(f"{surveys['nps']['answers']} 份答卷", f"{surveys['nps']['answers']} answers", lang)),
        Kpi(key="overdue", label=L("overdue"), value=int(sv.escalations["ticket_id"].nunique()), fmt="int",
            note=t(f"未关闭 {open_now} 张", f"{open_now} open", lang)),
    ])
    months = _month_range(p.end, 12)
    month = sla["received_at"].dt.strftime("%Y-%m")
    by_type = pd.crosstab(month, sla["type"].astype("string").fillna("")).reindex(index=months, fill_value=0)
    type_codes = [c for c in ENUMS["ticket_type"].codes if c in by_type.columns]
    closed = sla[sla["resolution_status"].isin(["met", "breached"]).fillna(False)]
    closed_month = closed["closed_at"].dt.strftime("%Y-%m")
    on_time = (closed["resolution_status"] == "met").groupby(closed_month).mean().reindex(months)
    tickets = Section(key="tickets", title=L("sec.tickets"), charts=[
        Chart(key="tickets_by_month", title=t("每月受理工单（按类型）", "Tickets received per month by type", lang),
              kind="stacked_bar", categories=months, fmt="int", x_label=L("month"), y_label=L("tickets"),
              series=[Series(name=_enum("ticket_type", c, lang), values=[float(v) for v in by_type[c]])
                      for c in type_codes] or [Series(name=L("tickets"), values=[0.0] * len(months))]),
        Chart(key="on_time_by_month", title=t("每月按时解决率（按关闭月份）", "On-time rate per month (by closing month)", lang),
              kind="line", categories=months, fmt="pct", x_label=L("month"), y_label=L("on_time_rate"),
              series=[Series(name=L("on_time_rate"), values=[_f(v) for v in on_time])]),
    ], tables=[_ticket_type_table(sla, p, lang)])
    analysis = sv.analysis
    cat = analysis["category"].sort_values("count", ascending=False, kind="stable")
    cat_labels = [_enum("ticket_category", c, lang) for c in cat["category"]]
    complaints = Section(key="complaints", title=L("sec.complaints"), charts=[
        Chart(key="complaints_by_category", title=t("投诉按问题类别", "Complaints by category", lang), kind="barh",
              categories=cat_labels, fmt="int", x_label=L("complaints"),
              series=[Series(name=L("complaints"), values=[float(v) for v in cat["count"]])]),
    ], tables=[_analysis_table("category", cat, cat_labels, L("category"), lang),
               _analysis_table("root_cause", analysis["root_cause"],
                               [_text(v, lang) for v in analysis["root_cause"]["root_cause"]], L("root_cause"), lang)],
        notes=[t("投诉分析含全部投诉（截至数据日期）。", "Complaint analysis covers all complaints up to the as-of date.", lang)])
    dims = [d for d in ("product", "service", "communication", "delivery", "overall") if d in surveys["csat"]]
    dim_names = {"product": t("产品", "Product", lang), "service": t("服务", "Service", lang),
                 "communication": t("沟通", "Communication", lang), "delivery": t("交付", "Delivery", lang),
                 "overall": t("总体", "Overall", lang)}
    nps = surveys["nps"]
    satisfaction = Section(key="satisfaction", title=L("sec.satisfaction"), charts=[
        Chart(key="csat", title=t("各维度满意率（4–5 分占比）", "CSAT per dimension (share of 4–5)", lang), kind="bar",
              categories=[dim_names[d] for d in dims], fmt="pct", y_label=L("csat"),
              series=[Series(name=L("csat"), values=[_pct(surveys["csat"][d]["csat"]) for d in dims])]),
        Chart(key="nps_mix", title=t("推荐者、被动者与贬损者", "Promoters, passives and detractors", lang),
              kind="stacked_bar", categories=[L("nps")], fmt="pct", y_label=L("share"),
              series=[Series(name=L(k), values=[_pct(nps[k])]) for k in ("promoters", "passives", "detractors")]),
    ], tables=[Table(key="csat", title=L("csat"), columns=[
        Column(key="dim", label=L("dimension")), Column(key="answers", label=L("answers"), fmt="int"),
        Column(key="csat", label=L("csat"), fmt="pct"), Column(key="mean", label=L("mean_score"), fmt="score")],
        rows=[{"dim": dim_names[d], "answers": _f(surveys["csat"][d]["answers"]), "csat": _pct(surveys["csat"][d]["csat"]),
               "mean": _f(surveys["csat"][d]["mean"])} for d in dims],
        note=t(f"期间 {p.start}–{p.end} 的满意度调查；NPS = 推荐者% − 贬损者%。",
               f"Surveys dated {p.start}–{p.end}; NPS = % promoters − % detractors.", lang))])
    overdue = Section(key="overdue", title=L("sec.overdue"), tables=[_escalation_table(sv.escalations, lang)])
    notes = [t("按时：在紧急程度对应的解决时限（工作日，见参数设置）内关闭；重开率：本期受理工单中曾重新处理的比例。",
               "On time: closed within the resolution deadline of its urgency (working days, see Settings); reopen "
               "rate: share of the period's tickets that were reopened.", lang)]
    return [overview, tickets, complaints, satisfaction, overdue], notes


def _pct(v: float | None) -> float | None:
    """The service module gives shares in percent (0–100); the model uses fractions."""
    return None if v is None else v / 100


def _survey_scores(x: ReportInputs) -> dict[str, Any]:
    from crm_xl.service import survey_scores

    return survey_scores(x.register, x.period.end, since=x.period.start)


def _ticket_type_table(sla: pd.DataFrame, p: Period, lang: str) -> Table:
    rows = []
    for code in ENUMS["ticket_type"].codes:
        f = service_figures(sla[(sla["type"] == code).fillna(False)], p)
        rows.append({"type": _enum("ticket_type", code, lang), "tickets": f.tickets, "on_time": f.on_time_rate,
                     "days": f.resolution_days, "reopen": f.reopen_rate, "sat": f.satisfaction})
    f = service_figures(sla, p)
    L = lambda k: label(k, lang)  # noqa: E731
    return Table(key="by_type", title=t("本期工单按类型", "Tickets of the period by type", lang), rows=rows,
                 total={"type": L("total"), "tickets": f.tickets, "on_time": f.on_time_rate, "days": f.resolution_days,
                        "reopen": f.reopen_rate, "sat": f.satisfaction},
                 columns=[Column(key="type", label=L("type")), Column(key="tickets", label=L("tickets"), fmt="int"),
                          Column(key="on_time", label=L("on_time_rate"), fmt="pct"),
                          Column(key="days", label=L("resolution_days"), fmt="days"),
                          Column(key="reopen", label=L("reopen_rate"), fmt="pct"),
                          Column(key="sat", label=L("satisfaction"), fmt="score")])


def _analysis_table(key: str, frame: pd.DataFrame, names: list[str], dim_label: str, lang: str) -> Table:
    L = lambda k: label(k, lang)  # noqa: E731
    rows = [{"dim": n, "count": _f(r["count"]), "on_time": _f(r["on_time_rate"]),
             "days": _f(r["mean_resolution_workdays"]), "reopen": _f(r["reopen_rate"]), "sat": _f(r["satisfaction"]),
             "overdue": _f(r["overdue"])} for n, r in zip(names, frame.to_dict("records"))]
    return Table(key=f"complaints_by_{key}", title=t(f"投诉按{dim_label}", f"Complaints by {dim_label.lower()}", lang),
                 rows=rows, columns=[
                     Column(key="dim", label=dim_label), Column(key="count", label=L("complaints"), fmt="int"),
                     Column(key="on_time", label=L("on_time_rate"), fmt="pct"),
                     Column(key="days", label=L("resolution_days"), fmt="days"),
                     Column(key="reopen", label=L("reopen_rate"), fmt="pct"),
                     Column(key="sat", label=L("satisfaction"), fmt="score"),
                     Column(key="overdue", label=L("overdue"), fmt="int")])


def _escalation_table(esc: pd.DataFrame, lang: str) -> Table:
    L = lambda k: label(k, lang)  # noqa: E731
    rows = []
    for r in esc.to_dict("records"):
        due = r.get("due")
        rows.append({"ticket_id": _text(r.get("ticket_id"), lang), "customer_id": _text(r.get("customer_id"), lang),
                     "type": _enum("ticket_type", r.get("type"), lang), "urgency": _enum("urgency", r.get("urgency"), lang),
                     "deadline": _text(r.get("sla_label"), lang),
                     "due": pd.Timestamp(due).strftime("%Y-%m-%d %H:%M") if due is not None and not pd.isna(due) else "—",
                     "late_hours": _f(r.get("late_hours")), "assignee": _text(r.get("assignee"), lang),
                     "escalate_to": _text(r.get("escalate_to"), lang)})
    return Table(key="overdue", title=L("sec.overdue"), rows=rows, columns=[
        Column(key="ticket_id", label=L("ticket_id")), Column(key="customer_id", label=L("customer_id")),
        Column(key="type", label=L("type")), Column(key="urgency", label=L("urgency")),
        Column(key="deadline", label=L("deadline_kind")), Column(key="due", label=L("due")),
        Column(key="late_hours", label=L("late_hours"), fmt="hours"), Column(key="assignee", label=L("assignee")),
        Column(key="escalate_to", label=L("escalate_to"))])


# ----------------------------------------------------------------------------------------- monthly
def monthly_sections(x: ReportInputs) -> tuple[list[Section], list[str]]:
    lang, cur, p, s = x.lang, x.settings.base_currency, x.period, x.settings
    L = lambda k: label(k, lang)  # noqa: E731
    o = base_orders(x)
    sales = sales_figures(o, p)
    flow = customer_flow(o, x.register.frames["customers"], p, s.churn_days)
    svc = service_figures(x.service.tickets, p)
    surveys = _survey_scores(x)
    rec = x.analysis.orders
    overdue_recv = math.fsum(rec.loc[(rec["days_overdue"] > 0) & rec["outstanding_base"].notna(), "outstanding_base"])
    headlines = Section(key="headlines", title=L("sec.headlines"), kpis=[
        Kpi(key="sales", label=f"{L('sales')} ({cur})", value=sales.sales, fmt="money",
            delta=_growth(sales.sales, sales.prev), delta_label=L("vs_prev")),
        Kpi(key="sales_yoy", label=L("yoy"), value=_growth(sales.sales, sales.year), fmt="pct"),
        Kpi(key="gross_margin", label=L("gross_margin"), value=sales.margin, fmt="pct"),
        Kpi(key="weighted", label=f"{L('weighted')} ({cur})", value=_f(x.analysis.pipeline.total["weighted"]), fmt="money"),
        Kpi(key="new_customers", label=L("new_customers"), value=flow.new, fmt="int"),
        Kpi(key="active_customers", label=L("active_customers"), value=flow.active, fmt="int"),
        Kpi(key="churned_customers", label=L("churned_customers"), value=flow.churned, fmt="int"),
        Kpi(key="receivables_overdue", label=f"{L('receivables_overdue')} ({cur})", value=overdue_recv, fmt="money"),
        Kpi(key="tickets", label=L("tickets"), value=svc.tickets, fmt="int"),
        Kpi(key="on_time_rate", label=L("on_time_rate"), value=svc.on_time_rate, fmt="pct"),
        Kpi(key="satisfaction", label=L("satisfaction"), value=svc.satisfaction, fmt="score"),
        Kpi(key="nps", label=L("nps"), value=surveys["nps"]["nps"], fmt="num"),
    ], charts=[trend_chart(x, o)])
    k = x.analysis.kpi
    table = k.table.assign(_r=k.table["rank"].astype("float64")).sort_values("_r", na_position="last")
    weights = s.kpi_weights
    cats = [c for c in ("sales", "customers", "process", "teamwork") if c in k.categories.columns]
    owners = [str(o_) for o_ in table.index]
    rows = []
    for owner in table.index:
        r = table.loc[owner]
        rows.append({"rank": _f(r["rank"]), "owner": str(owner), **{c: _f(k.categories.at[owner, c]) for c in cats},
                     "score": _f(r["score"]), "grade": _enum("kpi_grade", r["grade"], lang)})
    kpi_chart = Chart(
        key="kpi_scores", title=t("KPI 总分构成（类别得分 × 权重）", "KPI score by category (score × weight)", lang),
        kind="stacked_bar", categories=owners, fmt="num", y_label=L("score"),
        series=[Series(name=f"{L('cat.' + c)} {weights[c]:.0%}",
                       values=[(_f(k.categories.at[o_, c]) or 0.0) * weights[c] for o_ in table.index]) for c in cats])
    grades = table["grade"].astype("string").fillna("").value_counts()
    kpi_section = Section(key="kpi", title=L("sec.kpi"), kpis=[
        Kpi(key=f"grade_{g_}", label=_enum("kpi_grade", g_, lang), value=int(grades.get(g_, 0)), fmt="int")
        for g_ in ENUMS["kpi_grade"].codes], charts=[kpi_chart], tables=[Table(
        key="kpi_ranking", title=t(f"考核期 {k.period.label}", f"Assessment period {k.period.label}", lang), rows=rows,
        columns=[Column(key="rank", label=L("rank"), fmt="int"), Column(key="owner", label=L("owner"))]
        + [Column(key=c, label=L("cat." + c), fmt="score") for c in cats]
        + [Column(key="score", label=L("score"), fmt="score"), Column(key="grade", label=L("grade"))],
        note=t(f"等级：优秀 ≥ {s.kpi_excellent_min:g}，良好 ≥ {s.kpi_good_min:g}，合格 ≥ {s.kpi_pass_min:g}，否则不合格。",
               f"Grades: excellent ≥ {s.kpi_excellent_min:g}, good ≥ {s.kpi_good_min:g}, pass ≥ {s.kpi_pass_min:g}, "
               "else fail.", lang))])
    by_product = _comparison(o, p, "product", lang)
    compare = Section(key="sales_compare", title=L("sec.sales_compare"), charts=[
        _comparison_chart("by_product", t("按产品：本期、上期与去年同期", "By product: this period, previous, last year", lang),
                          by_product, lang, cur)])
    accuracy = Section(key="forecast_accuracy", title=t("预测与实际（F4.4）", "Forecast vs actual (F4.4)", lang),
                       tables=[forecast_accuracy_table(x)])
    sections = [headlines, kpi_section, compare, accuracy, correlation_section(x, o)]
    notes = [t("各项口径与销售、客户、服务三份专项报告相同；KPI 由 crm-xl 按参数设置中的权重与等级线计算（制度 003 五.3、000 六）。",
               "Figures follow the sales, customer and service reports; KPI scores use the weights and grade cut-offs "
               "of the Settings (policy 003 §5.3, 000 §6).", lang)]
    return sections, notes


def _risk_action_table(g: pd.DataFrame, lang: str) -> Table:
    """Customers per risk grade with the grade's suggested action (002 七.3 风险应对)."""
    from crm_xl.grading import risk_action

    counts = g["risk"].astype("string").value_counts()
    return Table(key="risk_actions", title=t("风险等级与应对措施", "Risk grades and suggested actions", lang),
                 columns=[Column(key="risk", label=label("risk", lang)),
                          Column(key="customers", label=label("customers", lang), fmt="int"),
                          Column(key="action", label=t("建议措施", "Suggested action", lang))],
                 rows=[{"risk": _enum("risk", code, lang), "customers": int(counts.get(code, 0)),
                        "action": risk_action(code, lang)} for code in ENUMS["risk"].codes])
