"""KPI and assessment (F7): metrics per owner and period, scores, category scores, grade, rank.

Definitions of every metric, the target of each and the scoring rules are in ``docs/kpi.md``;
the code below follows them line by line. Pure core: frames in, frames out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from crm_xl.calendar import WorkCalendar
from crm_xl.register import lookup
from crm_xl.settings import Settings

# metric → (category, how it is scored). Scoring: "staff:<column>" = higher is better against the
# staff sheet's target; "setting:<field>" = higher is better against a Settings target;
# "lower:<field>" = lower is better; "growth:<field>" = growth against a Settings target;
# "value" = the value itself (0–100); None = reported, not scored.
METRICS: dict[str, tuple[str, str | None]] = {
    "sales_amount": ("sales", "staff:sales_target"),
    "sales_quantity": ("sales", "staff:quantity_target"),
    "growth_prev": ("sales", "growth:kpi_target_growth"),
    "growth_yoy": ("sales", "growth:kpi_target_growth"),
    "gross_margin": ("sales", "setting:kpi_target_gross_margin"),
    "expense_ratio": ("sales", "lower:kpi_target_expense_ratio"),
    "new_customers": ("customers", "staff:new_customer_target"),
    "active_customers": ("customers", None),
    "churned_customers": ("customers", None),
    "conversion_rate": ("customers", "setting:kpi_target_conversion"),
    "customer_satisfaction": ("customers", "setting:kpi_target_satisfaction"),
    "complaint_satisfaction": ("customers", "setting:kpi_target_satisfaction"),
    "followup_timeliness": ("process", "setting:kpi_target_followup_rate"),
    "complaint_ontime_rate": ("process", "setting:kpi_target_complaint_ontime"),
    "data_accuracy": ("process", "setting:kpi_target_data_accuracy"),
    "training_completion": ("process", "setting:kpi_target_training"),
    "teamwork_score": ("teamwork", "value"),
}
CATEGORIES = ("sales", "customers", "process", "teamwork")
OWNER_SHEETS = ("customers", "opportunities", "activities", "orders")  # sheets whose rows have an owner
TARGET_COLUMNS = ("sales_target", "quantity_target", "new_customer_target", "expense")


# ------------------------------------------------------------------------------------------ periods
@dataclass(frozen=True)
class Period:
    """An assessment period: a month (2026-10), a quarter (2026-Q3) or a year (2026)."""

    kind: Literal["month", "quarter", "year"]
    year: int
    number: int = 1  # month 1–12 or quarter 1–4; 1 for a year

    @property
    def label(self) -> str:
        return {"month": f"{self.year:04d}-{self.number:02d}", "quarter": f"{self.year:04d}-Q{self.number}",
                "year": f"{self.year:04d}"}[self.kind]

    @property
    def months(self) -> int:
        return {"month": 1, "quarter": 3, "year": 12}[self.kind]

    @property
    def start(self) -> pd.Timestamp:
        first = {"month": self.number, "quarter": 3 * self.number - 2, "year": 1}[self.kind]
        return pd.Timestamp(self.year, first, 1)

    @property
    def end(self) -> pd.Timestamp:
        """The last day of the period (inclusive)."""
        return self.start + pd.DateOffset(months=self.months) - pd.Timedelta(days=1)

    def shift(self, periods: int) -> "Period":
        """The period ``periods`` lengths later (negative: earlier)."""
        start = self.start + pd.DateOffset(months=self.months * periods)
        number = {"month": start.month, "quarter": (start.month - 1) // 3 + 1, "year": 1}[self.kind]
        return Period(self.kind, start.year, number)

    def previous(self) -> "Period":
        return self.shift(-1)

    def last_year(self) -> "Period":
        return Period(self.kind, self.year - 1, self.number)

    def contains(self, other: "Period") -> bool:
        return self.start <= other.start and other.end <= self.end

    def __str__(self) -> str:
        return self.label


_QUARTER = re.compile(r"^(\d{4})\s*(?:[-/.]|年)?\s*(?:第)?\s*[qQ]?\s*([1-4])\s*(?:季度|季)?$")
_QUARTER_TAGGED = re.compile(r"[qQ]|季")
_MONTH = re.compile(r"^(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:月|(?:[-/.]\s*\d{1,2}(?:日)?)?(?:\s+00:00(?::00)?)?)?$")
_YEAR = re.compile(r"^(\d{4})\s*(?:年|年度)?$")


def parse_period(text: str) -> Period:
    """``2026-10`` / ``2026年10月`` → month; ``2026-Q3`` / ``2026年第3季度`` → quarter; ``2026`` → year.

    A date (``2026-10-01``; Excel turns a typed 2026-10 into one) means its month.
    """
    t = str(text).strip()
    m = _YEAR.match(t)
    if m:
        return Period("year", int(m.group(1)))
    if _QUARTER_TAGGED.search(t):
        m = _QUARTER.match(t)
        if m:
            return Period("quarter", int(m.group(1)), int(m.group(2)))
    m = _MONTH.match(t)
    if m and 1 <= int(m.group(2)) <= 12:
        return Period("month", int(m.group(1)), int(m.group(2)))
    from crm_xl.i18n import UsageError

    raise UsageError(f"“{text}”不是考核期，请写成 2026-10（月）、2026-Q3（季度）或 2026（年）",
                     f"not a period: {text!r} (use 2026-10, 2026-Q3 or 2026)")


def default_period(as_of: pd.Timestamp) -> Period:
    """The last complete month before ``as_of``."""
    prev = pd.Timestamp(as_of).to_period("M") - 1
    return Period("month", prev.year, prev.month)


# ------------------------------------------------------------------------------------------ targets
def targets(staff: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Targets per owner (``name``) for ``period`` from the staff sheet.

    Rows for exactly the period win; else the quarters inside it (for a year), else the months
    inside it — summed; else the enclosing quarter (else year) prorated by months (a month gets
    1/3 of its quarter's target, 1/12 of its year's). ``expense`` follows the same rule; the
    teamwork score is the mean of the chosen rows.
    """
    cols = ["sales_target", "quantity_target", "new_customer_target", "expense", "teamwork_score"]
    s = staff[staff["name"].notna() & staff["period"].notna()]
    recs = []
    for name, text, *vals in s[["name", "period", *cols]].itertuples(index=False, name=None):
        try:
            p = parse_period(text)
        except ValueError:
            continue  # validation reports the bad period; it sets no target
        if p == period:
            tier, factor = 0, 1.0
        elif period.contains(p):
            tier, factor = (1 if p.kind == "quarter" else 2), 1.0
        elif p.contains(period):  # the smallest enclosing period wins: a quarter before the year
            tier, factor = (3 if p.kind == "quarter" else 4), period.months / p.months
        else:
            continue
        recs.append((str(name).strip(), tier, factor, *vals))
    frame = pd.DataFrame(recs, columns=["owner", "tier", "factor", *cols])
    if frame.empty:
        return pd.DataFrame(columns=cols, index=pd.Index([], name="owner"), dtype="float64")
    frame = frame[frame["tier"] == frame.groupby("owner")["tier"].transform("min")]
    for c in TARGET_COLUMNS:
        frame[c] = frame[c].astype("float64") * frame["factor"]
    agg = frame.groupby("owner").agg(**{c: (c, lambda x: x.sum(min_count=1)) for c in TARGET_COLUMNS},
                                     teamwork_score=("teamwork_score", "mean"))
    return agg.astype("float64")


# ------------------------------------------------------------------------------------------ metrics
def _in(s: pd.Series, p: Period) -> pd.Series:
    return (s >= p.start) & (s < p.end + pd.Timedelta(days=1))


def _ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    return (num / den.where(den > 0)).astype("float64")


def kpi_metrics(frames: dict[str, pd.DataFrame], orders: pd.DataFrame, period: Period, as_of: pd.Timestamp,
                settings: Settings, calendar: WorkCalendar,
                error_rows: dict[str, set[int]] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(metric values per owner, targets per owner). ``orders`` = non-cancelled orders with
    ``amount_base`` and ``cost_base``."""
    as_of = pd.Timestamp(as_of).normalize()
    cust = frames["customers"]
    cust_owner = cust.drop_duplicates("customer_id").set_index("customer_id")["owner"]
    tgt = targets(frames["staff"], period)

    o = orders.assign(cust_owner=lookup(orders["customer_id"], cust_owner).fillna(orders["owner"]))
    cur = o[_in(o["order_date"], period)]
    g = cur.groupby("owner")
    m = pd.DataFrame({"sales_amount": g["amount_base"].sum(), "sales_quantity": g["quantity"].sum()})
    prev = o[_in(o["order_date"], period.previous())].groupby("owner")["amount_base"].sum()
    yoy = o[_in(o["order_date"], period.last_year())].groupby("owner")["amount_base"].sum()
    with_cost = cur[cur["cost_base"].notna() & cur["amount_base"].notna()].groupby("owner")
    margin_sales, margin_cost = with_cost["amount_base"].sum(), with_cost["cost_base"].sum()

    first = o.groupby("customer_id").agg(first=("order_date", "min"), owner=("cust_owner", "first"))
    new = first[_in(first["first"], period)].groupby("owner").size()
    active = cur.groupby("cust_owner")["customer_id"].nunique()
    upto = o[o["order_date"] <= period.end].groupby("customer_id").agg(last=("order_date", "max"),
                                                                        owner=("cust_owner", "first"))
    churn_day = upto["last"] + pd.Timedelta(days=settings.churn_days + 1)
    churned = upto[_in(churn_day, period)].groupby("owner").size()

    opp = frames["opportunities"]
    won = opp["status"] == "won"
    lost = opp["status"] == "lost"
    closed_on = opp["won_date"].where(won).fillna(opp["expected_close_date"]).fillna(opp["created_date"])
    closed = opp[(won | lost) & _in(closed_on, period)]
    conv = closed.groupby("owner")["status"].agg(won=lambda x: (x == "won").sum(), closed="size")

    act = frames["activities"]
    planned = act[act["next_date"].notna() & _in(act["next_date"], period) & (act["next_date"] <= as_of)
                  & act["customer_id"].notna() & act["date"].notna()]
    timely = _followups_on_time(planned, act)

    complaints = _complaints(frames["tickets"], period, calendar, settings, cust_owner)
    surveys = frames["surveys"]
    sv = surveys[_in(surveys["date"], period)]
    score = sv["overall_score"].fillna(sv[["product_score", "service_score", "communication_score",
                                            "delivery_score"]].mean(axis=1))
    csat = score.groupby(lookup(sv["customer_id"], cust_owner)).mean()

    owners = sorted(set(tgt.index) | set(cur["owner"].dropna()) | set(closed["owner"].dropna())
                    | set(frames["staff"]["name"].dropna().astype(str).str.strip()))
    owners = [x for x in owners if x]
    idx = pd.Index(owners, name="owner")
    m = m.reindex(idx)
    sales = m["sales_amount"].fillna(0.0)
    out = pd.DataFrame(index=idx)
    out["sales_amount"] = sales
    out["sales_quantity"] = m["sales_quantity"].fillna(0.0)
    out["growth_prev"] = _ratio(sales - prev.reindex(idx).fillna(0.0), prev.reindex(idx).fillna(0.0))
    out["growth_yoy"] = _ratio(sales - yoy.reindex(idx).fillna(0.0), yoy.reindex(idx).fillna(0.0))
    ms = margin_sales.reindex(idx)
    out["gross_margin"] = _ratio(ms - margin_cost.reindex(idx), ms)
    out["expense_ratio"] = _ratio(tgt["expense"].reindex(idx), sales)
    out["new_customers"] = new.reindex(idx).fillna(0).astype("float64")
    out["active_customers"] = active.reindex(idx).fillna(0).astype("float64")
    out["churned_customers"] = churned.reindex(idx).fillna(0).astype("float64")
    out["conversion_rate"] = _ratio(conv["won"].reindex(idx).astype("float64"), conv["closed"].reindex(idx).astype("float64"))
    out["customer_satisfaction"] = csat.reindex(idx).astype("float64")
    out["complaint_satisfaction"] = complaints["satisfaction"].reindex(idx).astype("float64")
    out["followup_timeliness"] = timely.reindex(idx).astype("float64")
    out["complaint_ontime_rate"] = complaints["on_time"].reindex(idx).astype("float64")
    out["data_accuracy"] = _data_accuracy(frames, idx, error_rows)
    out["training_completion"] = _training(frames, settings, period).reindex(idx).astype("float64")
    out["teamwork_score"] = tgt["teamwork_score"].reindex(idx).astype("float64")
    return out, tgt.reindex(idx)


def _training(frames: dict[str, pd.DataFrame], settings: Settings, period: "Period") -> pd.Series:
    """Training completion per staff name in the period (000 六, 004 六); NaN where none was held."""
    if "training_sessions" not in frames or frames["training_sessions"].empty:
        return pd.Series(dtype="float64")
    from crm_xl.register import Register
    from crm_xl.training import training_completion

    rate = training_completion(Register(frames=dict(frames), settings=settings), period.start, period.end)
    return rate[~rate.index.duplicated()]


def _followups_on_time(planned: pd.DataFrame, activities: pd.DataFrame) -> pd.Series:
    """Per owner: share of planned follow-ups (``next_date``) done by then — the customer's next
    activity after the planning activity is dated on or before the planned date."""
    if planned.empty:
        return pd.Series(dtype="float64")
    left = planned[["customer_id", "date", "next_date", "owner"]].assign(
        customer_id=planned["customer_id"].astype("str")).sort_values("date")
    right = activities.loc[activities["customer_id"].notna() & activities["date"].notna(), ["customer_id", "date"]]
    right = right.assign(customer_id=right["customer_id"].astype("str"), done=right["date"]).sort_values("date")
    merged = pd.merge_asof(left, right[["customer_id", "date", "done"]], on="date", by="customer_id",
                           direction="forward", allow_exact_matches=False)
    ok = merged["done"].notna() & (merged["done"] <= merged["next_date"])
    return ok.groupby(merged["owner"]).mean()


def _complaints(tickets: pd.DataFrame, period: Period, calendar: WorkCalendar, settings: Settings,
                cust_owner: pd.Series) -> pd.DataFrame:
    """Per owner of the complaining customer: on-time rate and mean satisfaction of the complaints
    closed in the period (on time = closed on or before received date + resolution days by urgency,
    in working days)."""
    t = tickets[(tickets["type"] == "complaint") & tickets["closed_at"].notna() & tickets["received_at"].notna()]
    t = t[_in(t["closed_at"].dt.normalize(), period)]
    if t.empty:
        return pd.DataFrame(columns=["on_time", "satisfaction"], dtype="float64")
    days = t["urgency"].map(lambda u: settings.resolution_days(u if isinstance(u, str) else "medium")).astype("float64")
    deadline = calendar.add_workdays_series(t["received_at"].dt.normalize(), days)
    on_time = (t["closed_at"].dt.normalize() <= deadline.astype("datetime64[ns]")).astype("float64")
    owner = lookup(t["customer_id"], cust_owner)
    return pd.DataFrame({"on_time": on_time.groupby(owner).mean(),
                         "satisfaction": t["satisfaction"].groupby(owner).mean()})


def _data_accuracy(frames: dict[str, pd.DataFrame], owners: pd.Index,
                   error_rows: dict[str, set[int]] | None) -> pd.Series:
    """Share of the owner's rows (customers, opportunities, activities, orders) without a
    validation error; 1.0 for everyone when no validation result is given."""
    if error_rows is None:
        return pd.Series(1.0, index=owners)
    total = pd.Series(0.0, index=owners)
    bad = pd.Series(0.0, index=owners)
    for sheet in OWNER_SHEETS:
        f = frames[sheet]
        total = total.add(f.groupby("owner").size().reindex(owners).fillna(0), fill_value=0)
        err = f["_row"].isin(error_rows.get(sheet, set()))
        bad = bad.add(err.groupby(f["owner"]).sum().reindex(owners).fillna(0), fill_value=0)
    return _ratio(total - bad, total)


# ------------------------------------------------------------------------------------------ scores
def metric_scores(values: pd.DataFrame, tgt: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """0–100 score per metric (NaN = not scored). See docs/kpi.md "Scores"."""
    scores = pd.DataFrame(index=values.index)
    for name, (_, rule) in METRICS.items():
        v = values[name]
        if rule is None:
            continue
        kind, _, ref = rule.partition(":")
        if kind == "staff":
            target = tgt[ref]
            sc = 100 * v / target.where(target > 0)
        elif kind == "setting":
            sc = 100 * v / getattr(settings, ref) if getattr(settings, ref) > 0 else v * np.nan
        elif kind == "growth":
            sc = 100 * (1 + v) / (1 + getattr(settings, ref))
        elif kind == "lower":
            t = getattr(settings, ref)
            sc = pd.Series(np.where(v <= 0, 100.0, 100 * t / v.where(v > 0)), index=v.index).where(v.notna())
        else:  # "value"
            sc = v
        scores[name] = sc.astype("float64").clip(lower=0, upper=100)
    return scores


def grade(score: float | None, settings: Settings) -> str | None:
    if score is None or not np.isfinite(score):
        return None
    if score >= settings.kpi_excellent_min:
        return "excellent"
    if score >= settings.kpi_good_min:
        return "good"
    return "pass" if score >= settings.kpi_pass_min else "fail"


@dataclass
class KpiResult:
    period: Period
    values: pd.DataFrame  # owner × metric
    targets: pd.DataFrame  # owner × target column
    scores: pd.DataFrame  # owner × scored metric
    categories: pd.DataFrame  # owner × category
    table: pd.DataFrame  # owner, score, grade, rank
    metric_targets: pd.DataFrame  # owner × scored metric: the target its score is measured against


def assess(values: pd.DataFrame, tgt: pd.DataFrame, settings: Settings, period: Period) -> KpiResult:
    """Scores, category scores (mean of the category's scored metrics), the weighted total over the
    categories that have a score (weights renormalized), grade and rank (1 = best; ties share)."""
    scores = metric_scores(values, tgt, settings)
    cats = pd.DataFrame(index=values.index)
    for cat in CATEGORIES:
        cols = [m for m, (c, rule) in METRICS.items() if c == cat and rule is not None]
        cats[cat] = scores[cols].mean(axis=1, skipna=True)
    weights = pd.Series(settings.kpi_weights)[list(CATEGORIES)]
    present = cats.notna()
    wsum = present.mul(weights, axis=1).sum(axis=1)
    total = cats.fillna(0).mul(weights, axis=1).sum(axis=1) / wsum.where(wsum > 0)
    table = pd.DataFrame({"score": total}, index=values.index)
    table["grade"] = [grade(x, settings) for x in total]
    table["rank"] = total.rank(ascending=False, method="min").astype("Int64")
    return KpiResult(period, values, tgt, scores, cats, table, metric_targets(values.index, tgt, settings))


def metric_targets(owners: pd.Index, tgt: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """The target of each scored metric per owner (staff sheet or Settings; 100 for "value")."""
    out = pd.DataFrame(index=owners)
    for name, (_, rule) in METRICS.items():
        if rule is None:
            continue
        kind, _, ref = rule.partition(":")
        out[name] = tgt[ref].reindex(owners) if kind == "staff" else (100.0 if kind == "value" else getattr(settings, ref))
    return out.astype("float64")


def kpi(frames: dict[str, pd.DataFrame], orders: pd.DataFrame, period: Period, as_of: pd.Timestamp,
        settings: Settings, calendar: WorkCalendar, error_rows: dict[str, set[int]] | None = None) -> KpiResult:
    """Metrics, scores, grade and rank per owner for ``period``."""
    values, tgt = kpi_metrics(frames, orders, period, as_of, settings, calendar, error_rows)
    return assess(values, tgt, settings, period)
