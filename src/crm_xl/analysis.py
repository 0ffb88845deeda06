"""The analytics entry point: grades, forecast, KPI and order-to-cash for one register and date.

``analyze(register, as_of)`` runs every analysis on all of the register's records and returns an
:class:`Analysis`; ``Analysis.to_json()`` is the ``crm-xl analyze --format json`` contract (SPEC
"JSON contracts"); :func:`derived_columns` gives the derived cells for the Excel refresh.

Errors never erase data: the values validation made unusable (``unusable``, see
:meth:`crm_xl.validation.ValidationResult.usable_frames`) are treated as missing and every record
still counts wherever it has what a measure needs; ``Analysis.coverage`` says, per measure, how
many records it used and which it left out and why (:mod:`crm_xl.coverage`). Money is summed in float64 with compensated summation
(pandas' groupby sums use Kahan summation, totals use ``math.fsum``) and rounded to 2 decimals
only when written out.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field, replace
from typing import Any, Mapping

import numpy as np
import pandas as pd

from crm_xl import forecast as fc
from crm_xl import receivables as rc
from crm_xl.currency import missing_rate_findings, to_base
from crm_xl.findings import Finding
from crm_xl.forecast_accuracy import forecast_vs_actual
from crm_xl.calendar import calendar_for
from crm_xl.coverage import NO_RATE, Coverage, Need
from crm_xl.grading import grade_customers
from crm_xl.kpi import METRICS, KpiResult, Period, default_period, kpi, parse_period
from crm_xl.register import Register

JSON_VERSION = 1


@dataclass
class Analysis:
    """Everything ``crm-xl analyze`` computes for one register and as-of date."""

    as_of: dt.date
    base_currency: str
    lang: str
    grades: pd.DataFrame
    pipeline: fc.Pipeline | None  # None (like trend and kpi) in an ``analyze(scope="plan")``
    trend: fc.Trend | None
    kpi: KpiResult | None
    orders: pd.DataFrame  # order-to-cash per order
    receivables: pd.DataFrame  # per customer
    opportunity_weighted: pd.Series  # weighted amount (base) per opportunity ID
    findings: list[Finding] = field(default_factory=list)
    followups: list[dict[str, Any]] = field(default_factory=list)  # filled by the follow-ups module
    service: dict[str, Any] = field(default_factory=dict)  # filled by the service module
    coverage: Coverage = field(default_factory=Coverage)  # per measure: records used and left out
    forecast_accuracy: dict[str, Any] = field(default_factory=dict)  # F4.4, from a database's snapshots
    # JSON members made only when written, in place of ``followups`` / ``service`` (review(lazy_json=True))
    deferred: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def to_json(self, lang: str | None = None) -> dict[str, Any]:
        """The JSON contract (canonical codes, ISO dates, base-currency money with 2 decimals)."""
        from crm_xl.jsontext import strict_fast as strict  # = contract.strict, fast on plain values

        return strict({key: make() for key, make in self.json_members(lang)})

    def json_members(self, lang: str | None = None) -> list[tuple[str, Any]]:
        """The members of :meth:`to_json`, in order, each as (key, a function that makes its value
        — not yet strict). ``contract.write_object`` writes them one at a time, so the analysis
        JSON of a large register never exists whole (``crm-xl analyze --format json``)."""
        lang = lang or self.lang
        return [
            ("version", lambda: JSON_VERSION),
            ("as_of", lambda: self.as_of.isoformat()),
            ("base_currency", lambda: self.base_currency),
            ("period", lambda: self.kpi.period.label),
            ("customers", lambda: _customers_json(self.grades, lang)),
            ("forecast", lambda: _forecast_json(self.pipeline, self.trend, lang)),
            ("kpi", lambda: _kpi_json(self.kpi)),
            ("followups", self.deferred.get("followups") or (lambda: list(self.followups))),
            ("service", self.deferred.get("service") or (lambda: dict(self.service))),
            ("receivables", lambda: _receivables_json(self.orders, self.receivables)),
            ("findings", lambda: [f.to_json(lang) for f in self.findings]),
            ("forecast_accuracy", lambda: self.forecast_accuracy),
            ("coverage", lambda: {"measures": self.coverage.json()}),
        ]


def analyze(register: Register, as_of: dt.date | str | pd.Timestamp, period: Period | str | None = None,
            unusable: Mapping[str, Mapping[str, set[int]]] | None = None,
            error_rows: Mapping[str, set[int]] | None = None, scope: str = "all") -> Analysis:
    """Run every analysis on every record.

    Args:
        register: the register (its Settings give every threshold).
        as_of: the date the analysis is made on.
        period: KPI period (``Period`` or text ``2026-10`` / ``2026-Q3`` / ``2026``); default the
            last complete month before ``as_of``.
        unusable: sheet → column → Excel rows whose value a validation finding made unusable
            (:attr:`crm_xl.validation.ValidationResult.unusable`); those values are treated as
            missing, their records still count.
        error_rows: sheet → Excel rows with validation errors, for the data-accuracy KPI
            (default: none known, accuracy 100%).
        scope: ``"all"`` (every measure), or ``"plan"``: only what the follow-up plan needs — the
            grades and order-to-cash (``grades``, ``orders``, ``receivables``); the pipeline,
            trend, KPI, coverage and findings are then left empty (``None`` / empty), and the
            trend's model library is never imported. The grades and orders are the same as
            with ``"all"``.
    """
    from crm_xl.validation import usable_frames

    as_of_ts = pd.Timestamp(as_of).normalize()
    settings = register.settings
    unusable = {k: {c: set(r) for c, r in v.items()} for k, v in (unusable or {}).items()}
    frames = usable_frames(register, unusable)
    period = parse_period(period) if isinstance(period, str) else (period or default_period(as_of_ts))
    calendar = calendar_for(settings)
    findings: list[Finding] = []

    orders = rc.base_orders(frames["orders"], settings)
    findings += missing_rate_findings(orders, "orders", ["amount", "cost", "invoiced_amount", "received_amount"],
                                      orders["fx_rate"], "order_date", "order_id")
    cust = frames["customers"]
    terms = cust.dropna(subset=["customer_id"]).drop_duplicates("customer_id").set_index("customer_id")["incoterms"]
    o2c = rc.order_to_cash(orders, as_of_ts, settings, terms)
    per_customer = rc.customer_receivables(o2c)

    customers = frames["customers"]
    if scope == "plan":
        grades = grade_customers(customers, orders, frames["activities"], frames["contacts"], per_customer,
                                 as_of_ts, settings, calendar)
        return Analysis(as_of_ts.date(), settings.base_currency, register.lang, grades, None, None, None,
                        o2c, per_customer, pd.Series(dtype="float64"))
    if scope != "all":
        raise ValueError(f"unknown analysis scope {scope!r}")
    annual = to_base(customers["annual_purchase_amount"], customers["currency"], as_of_ts, settings)
    findings += missing_rate_findings(customers.assign(_as_of=as_of_ts), "customers", ["annual_purchase_amount"],
                                      annual, "_as_of", "customer_id")
    grades = grade_customers(customers, orders, frames["activities"], frames["contacts"], per_customer,
                             as_of_ts, settings, calendar)

    rows = fc.pipeline_rows(frames["opportunities"], as_of_ts, settings, grades)
    opp = frames["opportunities"]
    open_rows = opp[opp["status"] == "open"]
    findings += missing_rate_findings(open_rows, "opportunities", ["amount"],
                                      rows.set_index(open_rows.index)["amount_base"] if len(rows) else
                                      pd.Series(dtype="float64"), "expected_close_date", "opportunity_id")
    pipeline = fc.pipeline_forecast(rows, as_of_ts)
    trend = fc.trend_forecast(orders, as_of_ts)
    result = kpi(frames, orders, period, as_of_ts, settings, calendar,
                 {k: set(v) for k, v in error_rows.items()} if error_rows is not None else None)
    findings = [replace(f, cell=register.cell(f.sheet, f.row, f.column)) for f in findings]
    accuracy = forecast_vs_actual(register.snapshots, orders, as_of_ts, register.lang)
    coverage = measure_coverage(frames, unusable, orders, o2c, grades, rows, period, as_of_ts)
    return Analysis(as_of_ts.date(), settings.base_currency, register.lang, grades, pipeline, trend, result,
                    o2c, per_customer, _weighted_amounts(opp, as_of_ts, settings, rows), findings,
                    coverage=coverage, forecast_accuracy=accuracy)


def measure_coverage(frames: Mapping[str, pd.DataFrame], unusable: Mapping[str, Mapping[str, set[int]]],
                     orders: pd.DataFrame, o2c: pd.DataFrame, grades: pd.DataFrame, rows: pd.DataFrame,
                     period: Period, as_of: pd.Timestamp) -> Coverage:
    """What each measure needs of a record (the rules stated in docs/analyze.md "Coverage")."""
    from crm_xl.kpi import OWNER_SHEETS

    cov = Coverage()
    # pipeline measures: open opportunities (``rows`` is aligned with them, in order)
    opp = frames["opportunities"]
    live = opp[opp["status"] == "open"].reset_index(drop=True)
    money = [Need("amount"), Need("currency", required=False, present=rows["amount_base"].notna().to_numpy()
                                  | live["amount"].isna().to_numpy(), reason=NO_RATE)]
    for name, extra in (("pipeline", []), ("weighted", [Need("probability", present=rows["probability"].notna()
                                                             .to_numpy(), reason="probability missing")]),
                        ("commit", [Need("stage")]), ("best_case", [Need("stage")]),
                        ("by_month", [Need("expected_close_date")]), ("by_product", [Need("product")]),
                        ("by_region", [Need("region")]), ("by_owner", [Need("owner")]),
                        ("by_scale", [Need("customer_id"), Need("scale", present=rows["scale"].notna().to_numpy(),
                                                                reason="customer scale unknown")])):
        cov.add(name, live, "opportunities", "opportunity_id", money + extra, unusable)
    # grades: every customer record; its grade attaches to its ID
    cust = frames["customers"].reset_index(drop=True)
    cov.add("grades", cust, "customers", "customer_id", [Need("customer_id")], unusable)
    cov.add("scale", cust, "customers", "customer_id",
            [Need("customer_id"), Need("annual_purchase_amount", required=False),
             Need("currency", required=False, present=grades["scale"].notna().to_numpy(), reason=NO_RATE)],
            unusable)
    # orders (not cancelled): intake trend, KPI sales, order-to-cash and receivables
    o = orders.reset_index(drop=True)
    rate = [Need("currency", required=False, present=o["amount_base"].notna().to_numpy() | o["amount"].isna().to_numpy(),
                 reason=NO_RATE)]
    cov.add("trend", o, "orders", "order_id", [Need("order_date"), Need("amount")] + rate, unusable)
    cov.add("kpi.sales_amount", o, "orders", "order_id", [Need("order_date"), Need("owner"), Need("amount")] + rate,
            unusable)
    cov.add("order_to_cash", o, "orders", "order_id",
            [Need(c, required=False) for c in ("promised_delivery_date", "ship_date", "arrival_date")], unusable)
    owed = (o2c["outstanding"].fillna(0) > 0).to_numpy() if len(o2c) == len(o) else np.zeros(len(o), bool)
    cov.add("receivables", o, "orders", "order_id",
            [Need(c, required=False) for c in ("invoiced_amount", "received_amount", "payment_due_date", "paid_date")]
            + [Need("currency", required=False, present=~owed | o["fx_rate"].notna().to_numpy(), reason=NO_RATE)],
            unusable)
    # KPI metrics from the other sheets
    closed = opp[opp["status"].isin(["won", "lost"]).fillna(False)].reset_index(drop=True)
    when = closed["won_date"].where(closed["status"] == "won").fillna(closed["expected_close_date"]).fillna(
        closed["created_date"])
    cov.add("kpi.conversion_rate", closed, "opportunities", "opportunity_id",
            [Need("owner"), Need("expected_close_date", present=when.notna().to_numpy(), reason="close date missing")],
            unusable)
    act = frames["activities"].reset_index(drop=True)
    cov.add("kpi.followup_timeliness", act, "activities", "activity_id",
            [Need("date"), Need("customer_id"), Need("owner")], unusable, scope=act["next_date"].notna().to_numpy())
    sv = frames["surveys"].reset_index(drop=True)
    scores = sv[["overall_score", "product_score", "service_score", "communication_score", "delivery_score"]]
    cov.add("kpi.customer_satisfaction", sv, "surveys", "survey_id",
            [Need("date"), Need("customer_id"),
             Need("overall_score", present=scores.notna().any(axis=1).to_numpy(), reason="scores missing")], unusable)
    tk = frames["tickets"].reset_index(drop=True)
    complaint = (tk["type"] == "complaint").fillna(False).to_numpy()
    cov.add("kpi.complaint_ontime_rate", tk, "tickets", "ticket_id",
            [Need("received_at"), Need("customer_id"), Need("closed_at", required=False)], unusable,
            scope=complaint & ((tk["status"] == "closed").fillna(False).to_numpy() | tk["closed_at"].notna().to_numpy()))
    for sheet in OWNER_SHEETS:
        f = frames[sheet].reset_index(drop=True)
        from crm_xl.schema import SHEETS

        cov.add(f"kpi.data_accuracy.{sheet}", f, sheet, SHEETS[sheet].id_column, [Need("owner")], unusable)
    return cov


def _weighted_amounts(opp: pd.DataFrame, as_of: pd.Timestamp, settings, rows: pd.DataFrame) -> pd.Series:
    """Weighted amount per opportunity for the derived column: open = amount × probability,
    won = the amount, lost = 0 (all in the base currency; blank when there is no rate)."""
    when = opp["expected_close_date"].fillna(opp["created_date"])
    amount = to_base(opp["amount"], opp["currency"], when, settings)
    default = opp["stage"].map({k: r.probability for k, r in settings.stages.items()}).astype("float64")
    prob = opp["probability"].fillna(default)
    status = opp["status"].fillna("")
    weighted = np.where(status == "won", amount, np.where(status == "lost", 0.0, amount * prob))
    weighted = np.where(amount.isna(), np.nan, weighted)
    return pd.Series(weighted, index=opp["opportunity_id"].to_numpy(), dtype="float64")


def derived_columns(analysis: Analysis) -> dict[str, pd.DataFrame]:
    """Derived cells for the Excel refresh, keyed by record ID (first row wins on duplicate IDs)."""
    g = analysis.grades
    customers = g[["customer_id", "scale", "abc", "level", "coop", "risk", "completeness", "next_revisit_date"]]
    customers = customers[customers["customer_id"].notna()].drop_duplicates("customer_id").set_index("customer_id")
    w = analysis.opportunity_weighted
    w = w[w.index.notna() & ~w.index.duplicated()]
    return {"customers": customers,
            "opportunities": pd.DataFrame({"weighted_amount": w.to_numpy()}, index=pd.Index(w.index, name="opportunity_id"))}


# ------------------------------------------------------------------------------------------- JSON
def money(x: Any) -> float | None:
    """A base-currency amount for output: 2 decimals, None when unknown."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)) or pd.isna(x):
        return None
    return round(float(x) + 0.0, 2) + 0.0


def _num(x: Any, digits: int = 4) -> float | None:
    if x is None or pd.isna(x) or not math.isfinite(float(x)):
        return None
    return round(float(x), digits) + 0.0


def _date(x: Any) -> str | None:
    return None if x is None or pd.isna(x) else pd.Timestamp(x).date().isoformat()


def _text(x: Any) -> str | None:
    return None if x is None or pd.isna(x) else str(x)


def _customers_json(g: pd.DataFrame, lang: str = "zh-CN") -> list[dict[str, Any]]:
    from crm_xl.grading import risk_action

    return _rows({
        "customer_id": g["customer_id"].astype(object).where(g["customer_id"].notna(), None),
        "scale": g["scale"].astype(object).where(g["scale"].notna(), None),
        "abc": g["abc"].astype(object), "level": g["level"].astype(object), "coop": g["coop"].astype(object),
        "risk": g["risk"].astype(object),
        "risk_action": [risk_action(r, lang) for r in g["risk"].astype(object)],
        "market": (g["market"].astype(object).where(g["market"].notna(), None) if "market" in g.columns
                   else [None] * len(g)),
        "completeness": g["completeness"].round(4).astype(object),
        "next_revisit_date": g["next_revisit_date"].dt.strftime("%Y-%m-%d").astype(object).where(
            g["next_revisit_date"].notna(), None),
    })


def _rows(columns: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Records from equally long columns (Series of one frame, or lists), in column order; the
    values as they are (``to_json`` makes them strict JSON values)."""
    keys = list(columns)
    values = [c.tolist() if isinstance(c, pd.Series) else list(c) for c in columns.values()]
    return [dict(zip(keys, row)) for row in zip(*values)]


_MONTH_KEYS = ["pipeline", "weighted", "commit", "best_case", "quantity"]


def _measures(rec: Mapping[str, Any]) -> dict[str, Any]:
    out = {k: money(rec[k]) for k in ("pipeline", "weighted", "commit", "best_case")}
    out["quantity"] = _num(rec["quantity"])
    out["weighted_quantity"] = _num(rec.get("weighted_quantity"))
    out["count"] = int(rec.get("count", 0))
    return out


def _forecast_json(p: fc.Pipeline, t: fc.Trend, lang: str) -> dict[str, Any]:
    by_month = [{"month": r["month"], **{k: (money(r[k]) if k != "quantity" else _num(r[k])) for k in _MONTH_KEYS}}
                for r in p.by_month.to_dict("records")]
    out: dict[str, Any] = {"by_month": by_month}
    for name, col in fc.DIMENSIONS.items():
        frame = p.breakdowns[name]
        out[name] = [{col: (k or None), **_measures(r)} for k, r in zip(frame.index, frame.to_dict("records"))]
    for b in fc.EXTRA_BUCKETS:
        out[b] = _measures(p.buckets[b])
    out["total"] = _measures(p.total)
    out["trend"] = {
        "method": t.method, "reason": t.reason(lang), "interval": fc.INTERVAL,
        "history": [{"month": fc.month_label(k), "actual": money(v)} for k, v in t.history.items()],
        "forecast": [{"month": r["month"], "forecast": money(r["forecast"]), "lower": money(r["lower"]),
                      "upper": money(r["upper"])} for r in t.forecast.to_dict("records")],
        "backtest": [{"month": r["month"], "actual": money(r["actual"]), "forecast": money(r["forecast"]),
                      "accuracy": _num(r["accuracy"])} for r in t.backtest.to_dict("records")],
        "mape": _num(t.mape),
        "backtest_note": t.backtest_reason(lang) if t.backtest_reason else None,
    }
    return out


_MONEY_METRICS = {"sales_amount"}


def _kpi_json(k: KpiResult) -> list[dict[str, Any]]:
    out = []
    order = k.table.assign(_r=k.table["rank"].astype("float64")).sort_values(["_r"], na_position="last").index
    for owner in order:
        metrics = {}
        for name in METRICS:
            value = k.values.at[owner, name]
            target = k.metric_targets.at[owner, name] if name in k.metric_targets.columns else None
            score = k.scores.at[owner, name] if name in k.scores.columns else None
            metrics[name] = {"value": money(value) if name in _MONEY_METRICS else _num(value),
                             "target": money(target) if name in _MONEY_METRICS else _num(target),
                             "score": _num(score, 2)}
        row = k.table.loc[owner]
        out.append({"owner": owner, "metrics": metrics,
                    "category_scores": {c: _num(k.categories.at[owner, c], 2) for c in k.categories.columns},
                    "score": _num(row["score"], 2), "grade": row["grade"],
                    "rank": None if pd.isna(row["rank"]) else int(row["rank"])})
    return out


def _receivables_json(o2c: pd.DataFrame, per_customer: pd.DataFrame) -> dict[str, Any]:
    """Summary, customers with money outstanding, and the orders that need attention (late or
    overdue delivery, or an outstanding receivable)."""
    cust = per_customer[per_customer["outstanding_base"].fillna(0) > 0]
    customers = [{"customer_id": cid, "outstanding": money(r["outstanding_base"]), "overdue": money(r["overdue_base"]),
                  "max_days_overdue": int(r["max_days_overdue"]), "overdue_orders": int(r["overdue_orders"])}
                 for cid, r in zip(cust.index, cust.to_dict("records"))]
    attention = o2c[o2c["delivery"].isin(("late", "overdue")) | (o2c["outstanding"] > 0)]
    orders = _rows({
        "order_id": attention["order_id"].astype(object), "customer_id": attention["customer_id"].astype(object),
        "owner": attention["owner"].astype(object).where(attention["owner"].notna(), None),
        "delivery": attention["delivery"].astype(object),
        "delivery_delay_days": attention["delivery_delay_days"].astype(object),
        "currency": attention["currency"].astype(object).where(attention["currency"].notna(), None),
        "invoiced": attention["invoiced"].round(2).astype(object),
        "received": attention["received"].round(2).astype(object),
        "outstanding": attention["outstanding"].round(2).astype(object),
        "outstanding_base": attention["outstanding_base"].round(2).astype(object).where(
            attention["outstanding_base"].notna(), None),
        "payment_due_date": attention["payment_due_date"].dt.strftime("%Y-%m-%d").astype(object).where(
            attention["payment_due_date"].notna(), None),
        "days_overdue": attention["days_overdue"].astype(object),
    })
    summary = {k: (money(v) if isinstance(v, float) and k in ("invoiced", "received", "outstanding", "overdue") else
                   (_num(v) if isinstance(v, float) else v)) for k, v in rc.summary(o2c).items()}
    return {"summary": summary, "customers": customers, "orders": orders}
