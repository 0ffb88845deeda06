"""Sales forecast (F4): weighted pipeline, commit/best case, trend forecast with a back-test.

Pipeline (F4.1, F4.2) — open opportunities only (status ``open``):

* ``amount_base`` = amount converted at the rate valid on the expected close date (else the
  created date); a currency without a rate leaves the row out of money totals (``A101``).
* ``probability`` = the row's probability, else the stage default from Settings.
* ``pipeline`` = amount, ``weighted`` = amount × probability, ``commit`` = amount of rows at
  stage ``contract`` or later, ``best_case`` = amount of rows at ``negotiation`` or later;
  ``quantity`` and ``weighted_quantity`` likewise in units.
* bucket: ``past_due`` when the expected close date is before the as-of date; else the close
  month when it is one of the 12 months starting with the as-of month; ``later`` after that;
  ``undated`` without a close date. The month rows plus the three extra buckets add up to the
  total, and so does every breakdown (product, region, owner, scale, ABC).

Trend (F4.3, F4.4) — monthly order intake (non-cancelled orders, base currency) from the first
order month to the last complete month before the as-of date, months without orders counted as
0. Model: statsmodels ETS (additive errors) — damped additive trend + additive yearly seasonality
with at least ``SEASONAL_MIN_MONTHS`` of history, damped trend only with at least
``TREND_MIN_MONTHS``, level only with at least ``LEVEL_MIN_MONTHS``, else the mean of the history
with a normal interval; the reason for the model chosen is stated. 80% prediction interval;
forecasts and bounds are clipped at 0 (intake cannot be negative). Back-test: the same model
choice fitted without the last ``BACKTEST_MONTHS`` months forecasts them; MAPE is the mean of
|actual − forecast| / actual over those months with actual > 0, and each month's accuracy is
max(0, 1 − |actual − forecast| / actual).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from crm_xl.currency import to_base
from crm_xl.i18n import Text
from crm_xl.register import lookup
from crm_xl.schema import STAGE_ORDER
from crm_xl.settings import Settings

HORIZON_MONTHS = 12
INTERVAL = 0.80
BACKTEST_MONTHS = 6
# Modelling minimums (statistics, not policy): how much history each ETS form needs to be fitted.
SEASONAL_MIN_MONTHS = 24
TREND_MIN_MONTHS = 10
LEVEL_MIN_MONTHS = 4

COMMIT_FROM = "contract"
BEST_CASE_FROM = "negotiation"
MEASURES = ["pipeline", "weighted", "commit", "best_case", "quantity", "weighted_quantity", "count"]
DIMENSIONS = {"by_product": "product", "by_region": "region", "by_owner": "owner", "by_scale": "scale",
              "by_abc": "abc"}
EXTRA_BUCKETS = ("past_due", "later", "undated")


def month_label(ts: pd.Timestamp) -> str:
    return f"{ts.year:04d}-{ts.month:02d}"


def horizon_months(as_of: pd.Timestamp) -> list[str]:
    first = pd.Timestamp(as_of).to_period("M")
    return [str(first + i) for i in range(HORIZON_MONTHS)]


def pipeline_rows(opportunities: pd.DataFrame, as_of: pd.Timestamp, settings: Settings,
                  grades: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per open opportunity with its base amount, probability, measures and bucket."""
    as_of = pd.Timestamp(as_of).normalize()
    o = opportunities[opportunities["status"] == "open"]
    when = o["expected_close_date"].fillna(o["created_date"])
    amount = to_base(o["amount"], o["currency"], when, settings)
    default = o["stage"].map({k: r.probability for k, r in settings.stages.items()}).astype("float64")
    prob = o["probability"].fillna(default)
    rank = o["stage"].map({st: i for i, st in enumerate(STAGE_ORDER)}).astype("float64")
    commit = rank >= STAGE_ORDER.index(COMMIT_FROM)
    best = rank >= STAGE_ORDER.index(BEST_CASE_FROM)
    close = o["expected_close_date"]
    months = horizon_months(as_of)
    label = close.dt.strftime("%Y-%m")
    bucket = np.select([close.isna(), close < as_of, label.isin(months)],
                       ["undated", "past_due", label.fillna("")], "later")
    rows = pd.DataFrame({
        "opportunity_id": o["opportunity_id"], "customer_id": o["customer_id"], "stage": o["stage"],
        "product": o["product"], "region": o["region"], "owner": o["owner"],
        "probability": prob, "amount_base": amount,
        "pipeline": amount, "weighted": amount * prob,
        "commit": amount.where(commit, 0.0).where(amount.notna()),
        "best_case": amount.where(best, 0.0).where(amount.notna()),
        "quantity": o["quantity"].fillna(0.0), "weighted_quantity": o["quantity"].fillna(0.0) * prob.fillna(0.0),
        "count": 1, "bucket": pd.Series(bucket, index=o.index, dtype="str"), "_row": o["_row"],
    })
    if grades is not None and len(grades):
        g = grades.set_index("customer_id")
        g = g[~g.index.duplicated()]
        rows["scale"] = lookup(rows["customer_id"], g["scale"])
        rows["abc"] = lookup(rows["customer_id"], g["abc"])
    else:
        rows["scale"] = pd.Series(pd.NA, index=rows.index, dtype="string")
        rows["abc"] = pd.Series(pd.NA, index=rows.index, dtype="string")
    return rows.reset_index(drop=True)


def _sum(rows: pd.DataFrame, key: str) -> pd.DataFrame:
    """Group sums (pandas' groupby sum is Kahan-compensated; NaN amounts are left out)."""
    keyed = rows.assign(**{key: rows[key].astype("string").fillna("")})
    out = keyed.groupby(key, sort=True)[MEASURES].sum()
    out["count"] = out["count"].astype("int64")
    return out


@dataclass
class Pipeline:
    """The pipeline forecast: month buckets, the extra buckets and every breakdown."""

    rows: pd.DataFrame
    by_month: pd.DataFrame
    buckets: dict[str, dict[str, float]]
    breakdowns: dict[str, pd.DataFrame]
    total: dict[str, float]


def pipeline_forecast(rows: pd.DataFrame, as_of: pd.Timestamp) -> Pipeline:
    """Aggregate :func:`pipeline_rows` by month bucket and by each dimension."""
    by_bucket = _sum(rows, "bucket")
    months = horizon_months(as_of)
    by_month = by_bucket.reindex(months, fill_value=0)
    by_month.index.name = "month"
    zero = {m: 0.0 for m in MEASURES}
    buckets = {b: (by_bucket.loc[b].to_dict() if b in by_bucket.index else dict(zero)) for b in EXTRA_BUCKETS}
    breakdowns = {name: _sum(rows, col) for name, col in DIMENSIONS.items()}
    total = {m: math.fsum(rows[m].dropna()) for m in MEASURES}
    return Pipeline(rows, by_month.reset_index(), buckets, breakdowns, total)


# ------------------------------------------------------------------------------------------- trend
@dataclass
class Trend:
    """Trend forecast of monthly order intake (base currency)."""

    method: str
    reason: Text
    history: pd.Series  # month-start Timestamp → intake
    forecast: pd.DataFrame  # month, forecast, lower, upper
    backtest: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["month", "actual", "forecast", "accuracy"]))
    mape: float | None = None
    backtest_reason: Text | None = None


def monthly_intake(orders: pd.DataFrame, as_of: pd.Timestamp) -> pd.Series:
    """Order intake per month up to the last complete month before ``as_of`` (zeros filled)."""
    end = pd.Timestamp(as_of).to_period("M") - 1
    o = orders[orders["amount_base"].notna() & orders["order_date"].notna()]
    o = o[o["order_date"].dt.to_period("M") <= end]
    if o.empty:
        return pd.Series([], dtype="float64", index=pd.DatetimeIndex([], freq="MS"))
    sums = o.groupby(o["order_date"].dt.to_period("M"))["amount_base"].sum()
    idx = pd.period_range(sums.index.min(), end, freq="M")
    series = sums.reindex(idx, fill_value=0.0)
    series.index = series.index.to_timestamp(how="start")
    return series.asfreq("MS")


def _choose(n: int) -> tuple[str, Text]:
    if n >= SEASONAL_MIN_MONTHS:
        return "ets_trend_seasonal", Text(f"历史 {n} 个月（≥{SEASONAL_MIN_MONTHS}）：ETS 阻尼趋势 + 年度季节性",
                                          f"{n} months of history (≥{SEASONAL_MIN_MONTHS}): ETS damped trend + yearly seasonality")
    if n >= TREND_MIN_MONTHS:
        return "ets_trend", Text(f"历史 {n} 个月，不足 {SEASONAL_MIN_MONTHS} 个月，无法估计季节性：ETS 阻尼趋势",
                                 f"{n} months of history, fewer than {SEASONAL_MIN_MONTHS} for seasonality: ETS damped trend")
    if n >= LEVEL_MIN_MONTHS:
        return "ets_level", Text(f"历史 {n} 个月，不足 {TREND_MIN_MONTHS} 个月，无法估计趋势：ETS 水平（简单指数平滑）",
                                 f"{n} months of history, fewer than {TREND_MIN_MONTHS} for a trend: ETS level only (simple exponential smoothing)")
    if n >= 1:
        return "mean", Text(f"历史仅 {n} 个月，不足 {LEVEL_MIN_MONTHS} 个月：用历史月均值，区间按正态近似",
                            f"only {n} months of history, fewer than {LEVEL_MIN_MONTHS}: the monthly mean with a normal interval")
    return "none", Text("没有订单历史，无法做趋势预测", "no order history: no trend forecast")


_FALLBACK = ("ets_trend_seasonal", "ets_trend", "ets_level", "mean")


# Where the ETS fits run: None here, or a callable ``fitter(fit_ets, y, method, steps)`` that runs
# :func:`fit_ets` elsewhere and returns its frame or raises what it raised (``crm_xl.cli.app.
# fits_in``: a worker child that imported statsmodels while this process read the workbook, and
# that does the fit here when it is gone). Set by the CLI; the results are the same bits either way.
fitter = None


def _fit(y: pd.Series, method: str, steps: int) -> pd.DataFrame:
    """Forecast ``steps`` months after ``y`` with ``method``: mean, lower, upper (80%)."""
    if method == "mean":  # no model: statsmodels is not needed (nor imported)
        z = 1.2815515655446004  # standard normal quantile for an 80% two-sided interval
        mean = float(y.mean())
        sd = float(y.std(ddof=1)) if len(y) > 1 else 0.0
        return pd.DataFrame({"mean": [mean] * steps, "lower": [mean - z * sd] * steps, "upper": [mean + z * sd] * steps})
    if fitter is not None:
        return fitter(fit_ets, y, method, steps)
    return fit_ets(y, method, steps)


def fit_ets(y: pd.Series, method: str, steps: int) -> pd.DataFrame:
    """:func:`_fit` of an ETS ``method`` (``ets_level``, ``ets_trend``, ``ets_trend_seasonal``) in this process."""
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    # statsmodels' heuristic initial states (needs 10 points, two seasons when seasonal) fit far
    # better than jointly estimated ones on short monthly series; the level-only model estimates them.
    kw = {"error": "add", "initialization_method": "heuristic" if len(y) >= TREND_MIN_MONTHS else "estimated"}
    if method in ("ets_trend", "ets_trend_seasonal"):
        kw.update(trend="add", damped_trend=True)
    if method == "ets_trend_seasonal":
        kw.update(seasonal="add", seasonal_periods=12)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = ETSModel(y.astype("float64"), **kw).fit(disp=False)
        frame = res.get_prediction(start=len(y), end=len(y) + steps - 1).summary_frame(alpha=1 - INTERVAL)
    if not np.isfinite(frame[["mean", "pi_lower", "pi_upper"]].to_numpy()).all():
        raise ValueError("non-finite forecast")
    return pd.DataFrame({"mean": frame["mean"].to_numpy(), "lower": frame["pi_lower"].to_numpy(),
                         "upper": frame["pi_upper"].to_numpy()})


def _fit_with_fallback(y: pd.Series, steps: int) -> tuple[str, Text, pd.DataFrame]:
    method, reason = _choose(len(y))
    if method == "none":
        return method, reason, pd.DataFrame(columns=["mean", "lower", "upper"])
    for m in _FALLBACK[_FALLBACK.index(method):]:
        try:
            return m, reason if m == method else Text(
                f"{reason.zh}；该模型拟合失败，改用 {m}", f"{reason.en}; that model failed to fit, used {m}"), _fit(y, m, steps)
        except Exception:  # statsmodels raises many types on degenerate series
            continue
    raise RuntimeError("no trend model could be fitted")  # the mean model cannot fail


def trend_forecast(orders: pd.DataFrame, as_of: pd.Timestamp) -> Trend:
    """Trend forecast of monthly intake for the next HORIZON_MONTHS months, with a back-test."""
    y = monthly_intake(orders, as_of)
    first = pd.Timestamp(as_of).to_period("M").to_timestamp()
    method, reason, fc = _fit_with_fallback(y, HORIZON_MONTHS)
    months = [month_label(first + pd.DateOffset(months=i)) for i in range(len(fc))]
    forecast = pd.DataFrame({"month": months, "forecast": fc["mean"].clip(lower=0).to_numpy(dtype=float),
                             "lower": fc["lower"].clip(lower=0).to_numpy(dtype=float),
                             "upper": fc["upper"].clip(lower=0).to_numpy(dtype=float)})
    trend = Trend(method, reason, y, forecast)
    train = y.iloc[:-BACKTEST_MONTHS]
    if len(y) < BACKTEST_MONTHS + 1 or _choose(len(train))[0] == "none":
        trend.backtest_reason = Text(f"历史不足 {BACKTEST_MONTHS + 1} 个月，无法回测",
                                     f"fewer than {BACKTEST_MONTHS + 1} months of history: no back-test")
        return trend
    bt_method, _, bt = _fit_with_fallback(train, BACKTEST_MONTHS)
    actual = y.iloc[-BACKTEST_MONTHS:].to_numpy(dtype=float)
    pred = bt["mean"].clip(lower=0).to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        ape = np.where(actual > 0, np.abs(actual - pred) / actual, np.nan)
    trend.backtest = pd.DataFrame({"month": [month_label(t) for t in y.index[-BACKTEST_MONTHS:]],
                                   "actual": actual, "forecast": pred,
                                   "accuracy": np.where(actual > 0, np.maximum(0.0, 1 - ape), np.nan)})
    trend.mape = float(np.nanmean(ape)) if np.isfinite(ape).any() else None
    trend.backtest_reason = Text(f"用 {bt_method} 拟合前 {len(train)} 个月，预测最后 {BACKTEST_MONTHS} 个月",
                                 f"{bt_method} fitted on the first {len(train)} months forecasts the last {BACKTEST_MONTHS}")
    return trend
