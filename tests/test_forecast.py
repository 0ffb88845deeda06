"""Pipeline buckets worked out by hand, property tests, and the trend forecast with its back-test."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from analytics_records import AS_OF, customer, opportunity
from crm_xl.forecast import HORIZON_MONTHS, pipeline_forecast, pipeline_rows, trend_forecast
from crm_xl.register import Register
from crm_xl.schema import STAGE_ORDER
from crm_xl.settings import Settings, StageRule

# As of 2026-11-23 the month buckets are 2026-11 … 2027-10. USD = 7.10 CNY (default FX table).
OPPS = [
    opportunity("O1", "lead", 1000, "2026-12-10", quantity=10),                      # p = stage default 0.10
    opportunity("O2", "negotiation", 2000, "2026-12-31", "USD", probability=0.5, quantity=4, owner="李四"),
    opportunity("O3", "contract", 500, "2026-11-30", product="pump", region="EU"),   # p = 1.0 → commit
    opportunity("O4", "qualified", 1000, "2026-11-22"),                              # before as_of → past due
    opportunity("O5", "execution", 300, "2027-11-01"),                               # after the horizon → later
    opportunity("O6", "lead", 200, None),                                            # no close date → undated
    opportunity("O7", "negotiation", 9999, "2026-12-01", status="won"),              # closed: not pipeline
    opportunity("O8", "negotiation", 9999, "2026-12-01", status="lost", lost_reason="price"),
    opportunity("O9", "negotiation", 1000, "2026-12-05", "XYZ", quantity=3),         # no FX rate: no money
]


def forecast(opps=OPPS, settings: Settings | None = None):
    reg = Register.from_records({"customers": [customer("C1")], "opportunities": opps}, settings=settings or Settings())
    rows = pipeline_rows(reg.frames["opportunities"], pd.Timestamp(AS_OF), reg.settings)
    return rows, pipeline_forecast(rows, pd.Timestamp(AS_OF))


def test_month_buckets_by_hand():
    rows, p = forecast()
    m = p.by_month.set_index("month")
    assert list(m.index) == [f"2026-{x}" for x in ("11", "12")] + [f"2027-{x:02d}" for x in range(1, 11)]
    # 2026-11: O3 500 → pipeline 500, weighted 500 × 1.0, commit 500, best case 500
    assert m.loc["2026-11", ["pipeline", "weighted", "commit", "best_case"]].tolist() == [500, 500, 500, 500]
    # 2026-12: O1 1000 (w 100) + O2 2000 USD = 14,200 (w 0.5 × 14,200 = 7,100); O9 has no rate → no money
    #          pipeline 15,200, weighted 7,200, commit 0, best case 14,200 (O2 negotiation), qty 10 + 4 + 3 = 17
    assert m.loc["2026-12", "pipeline"] == pytest.approx(15_200)
    assert m.loc["2026-12", "weighted"] == pytest.approx(7_200)
    assert m.loc["2026-12", ["commit", "best_case", "quantity"]].tolist() == pytest.approx([0, 14_200, 17])
    assert m.loc["2027-01":, "pipeline"].sum() == 0
    # past due: O4 1000 × 0.40; later: O5 300; undated: O6 200 × 0.10
    assert (p.buckets["past_due"]["pipeline"], p.buckets["past_due"]["weighted"]) == pytest.approx((1000, 400))
    assert (p.buckets["later"]["pipeline"], p.buckets["later"]["commit"]) == (300, 300)
    assert p.buckets["undated"]["weighted"] == pytest.approx(20)
    assert p.total["pipeline"] == pytest.approx(500 + 15_200 + 1000 + 300 + 200)
    assert set(rows["opportunity_id"]) == {"O1", "O2", "O3", "O4", "O5", "O6", "O9"}


def test_breakdowns_add_up_to_the_total():
    _, p = forecast()
    owners = p.breakdowns["by_owner"]
    assert owners.loc["李四", "weighted"] == pytest.approx(7_100)
    assert owners["pipeline"].sum() == pytest.approx(p.total["pipeline"])
    products = p.breakdowns["by_product"]
    assert products.loc["pump", "commit"] == 500 and products.loc["", "pipeline"] == pytest.approx(16_700)


def test_stage_probability_setting_is_read():
    stages = dict(Settings().stages)
    stages["lead"] = StageRule(probability=0.3, min_probability=0, max_probability=0.5)
    _, p = forecast(settings=Settings(stages=stages))
    assert p.by_month.set_index("month").loc["2026-12", "weighted"] == pytest.approx(300 + 7_100)


def test_fx_setting_is_read():
    from crm_xl.settings import FxRate

    _, p = forecast(settings=Settings(fx_rates=(FxRate(currency="USD", rate=7.0),)))
    assert p.by_month.set_index("month").loc["2026-12", "pipeline"] == pytest.approx(1000 + 14_000)


opp_strategy = st.fixed_dictionaries({
    "stage": st.sampled_from(STAGE_ORDER), "owner": st.sampled_from(["张三", "李四", "王五"]),
    "amount": st.one_of(st.none(), st.floats(0, 1e9, allow_nan=False)),
    "probability": st.one_of(st.none(), st.floats(0, 1)),
    "currency": st.sampled_from(["CNY", "USD", "EUR", "XYZ"]),
    "close": st.one_of(st.none(), st.integers(-400, 500)), "quantity": st.floats(0, 1e6),
})


@hsettings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(opp_strategy, min_size=1, max_size=25))
def test_property_weighted_at_most_pipeline_and_months_equal_owners(specs):
    opps = [opportunity(f"O{i}", s["stage"], s["amount"],
                        None if s["close"] is None else (pd.Timestamp(AS_OF) + pd.Timedelta(days=s["close"])).date().isoformat(),
                        s["currency"], owner=s["owner"], probability=s["probability"], quantity=s["quantity"])
            for i, s in enumerate(specs)]
    _, p = forecast(opps)
    tol = lambda x: 1e-9 * max(1.0, abs(x))  # noqa: E731
    for _, r in p.by_month.iterrows():
        assert r["weighted"] <= r["pipeline"] + tol(r["pipeline"])
        assert r["commit"] <= r["best_case"] <= r["pipeline"] + tol(r["pipeline"])
    for b in p.buckets.values():
        assert b["weighted"] <= b["pipeline"] + tol(b["pipeline"])
    for measure in ("pipeline", "weighted", "commit", "best_case", "quantity"):
        months = math.fsum(p.by_month[measure]) + math.fsum(b[measure] for b in p.buckets.values())
        owners = math.fsum(p.breakdowns["by_owner"][measure])
        assert months == pytest.approx(owners, rel=1e-9, abs=1e-6)
        assert owners == pytest.approx(p.total[measure], rel=1e-9, abs=1e-6)


# ------------------------------------------------------------------------------------------ trend
def intake_orders(values: list[float], last_month: str = "2026-10") -> pd.DataFrame:
    months = pd.period_range(end=last_month, periods=len(values), freq="M")
    return pd.DataFrame({"order_date": [m.to_timestamp() + pd.Timedelta(days=9) for m in months],
                         "amount_base": values, "customer_id": "C1"})


def test_trend_seasonal_with_interval_and_backtest():
    t = np.arange(36)
    values = list(100_000 + 2_000 * t + 15_000 * np.sin(2 * np.pi * t / 12))
    orders = pd.concat([intake_orders(values), pd.DataFrame({  # an order in the as-of month is not history
        "order_date": [pd.Timestamp("2026-11-02")], "amount_base": [5e9], "customer_id": "C1"})])
    tr = trend_forecast(orders, pd.Timestamp(AS_OF))
    assert tr.method == "ets_trend_seasonal" and "24" in tr.reason("en")
    assert len(tr.history) == 36 and tr.history.index[-1] == pd.Timestamp("2026-10-01")
    assert list(tr.forecast["month"])[:2] == ["2026-11", "2026-12"] and len(tr.forecast) == HORIZON_MONTHS
    assert (tr.forecast["lower"] <= tr.forecast["forecast"]).all() and (tr.forecast["forecast"] <= tr.forecast["upper"]).all()
    bt = tr.backtest
    assert list(bt["month"]) == ["2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10"]
    assert bt["actual"].tolist() == pytest.approx(values[-6:])
    expected_acc = np.maximum(0, 1 - np.abs(bt["actual"] - bt["forecast"]) / bt["actual"])
    assert bt["accuracy"].tolist() == pytest.approx(expected_acc.tolist())
    assert tr.mape == pytest.approx(float(np.mean(np.abs(bt["actual"] - bt["forecast"]) / bt["actual"])))
    assert tr.mape < 0.05  # a clean trend + season is forecast within a few percent


@pytest.mark.parametrize("months,method", [(12, "ets_trend"), (5, "ets_level"), (3, "mean"), (0, "none")])
def test_trend_falls_back_with_a_reason(months, method):
    tr = trend_forecast(intake_orders([1000.0 + 10 * i for i in range(months)]) if months else
                        pd.DataFrame({"order_date": pd.Series([], dtype="datetime64[ns]"),
                                      "amount_base": pd.Series([], dtype="float64"), "customer_id": []}),
                        pd.Timestamp(AS_OF))
    assert tr.method == method
    assert tr.reason("en") and tr.reason("zh-CN")
    if months < 7:
        assert tr.backtest.empty and tr.mape is None and "back-test" in tr.backtest_reason("en")
    if method == "mean":
        # the mean of 1000, 1010, 1020 is 1010; sd = 10; 80% interval = ± 1.2816 × 10
        assert tr.forecast["forecast"].tolist() == pytest.approx([1010.0] * 12)
        assert tr.forecast["upper"].iloc[0] == pytest.approx(1010 + 12.815515655446004)


def test_trend_months_without_orders_count_as_zero():
    orders = pd.DataFrame({"order_date": pd.to_datetime(["2026-01-15", "2026-03-15"]), "amount_base": [10.0, 30.0],
                           "customer_id": "C1"})
    tr = trend_forecast(orders, pd.Timestamp("2026-04-10"))
    assert tr.history.tolist() == [10.0, 0.0, 30.0] and tr.method == "mean"


_FIT_WORKER_SCRIPT = r"""
import os, signal, sys
import numpy as np, pandas as pd
from crm_xl import forecast
from crm_xl.cli.app import fits_in, start_fitter

t = np.arange(36)
y = pd.Series(100_000 + 2_000 * t + 15_000 * np.sin(2 * np.pi * t / 12),
              index=pd.date_range("2023-11-01", periods=36, freq="MS"))
worker = start_fitter()
assert worker is not None, "no fitting child on Linux with one thread"
with fits_in(worker):
    cases = [("ets_trend_seasonal", y, 12), ("ets_trend", y.iloc[:-6], 6), ("ets_level", y.iloc[:5], 12)]
    there = [forecast._fit(series, method, steps) for method, series, steps in cases]
    assert "statsmodels" not in sys.modules  # the child imported it, this process never did
    for (method, series, steps), frame in zip(cases, there):
        here = forecast.fit_ets(series, method, steps)
        assert frame.columns.tolist() == here.columns.tolist()
        assert frame.to_numpy().tobytes() == here.to_numpy().tobytes(), method  # the same bits
    try:  # a fit that fails in the child (non-finite forecast) raises here, as it would in this process
        forecast._fit(pd.Series([np.nan] * 12, index=y.index[:12]), "ets_trend", 6)
        raise AssertionError("no error from a failed fit")
    except ValueError as exc:
        assert "non-finite" in str(exc), exc
    os.kill(worker.pid, signal.SIGKILL)  # a child that died: the fit runs in this process
    os.waitpid(worker.pid, 0)
    assert forecast._fit(y, "ets_trend", 6).to_numpy().tobytes() == forecast.fit_ets(y, "ets_trend", 6).to_numpy().tobytes()
assert forecast.fitter is None
os.environ["CRM_XL_FIT_WORKER"] = "0"
assert start_fitter() is None  # its switch
print("ok")
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the fitting child is forked on Linux only")
def test_fit_worker_gives_the_same_bits_and_falls_back():
    """The ETS fits in the forked child (``crm-xl analyze``, ``crm-xl report``) are bit for bit the
    fits of this process, which never imports statsmodels; a fit that fails there raises here; a
    dead child leaves the fit to this process; CRM_XL_FIT_WORKER=0 keeps the fits here."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
    env.pop("CRM_XL_FIT_WORKER", None)
    env.pop("CRM_XL_PDF_WORKER", None)
    done = subprocess.run([sys.executable, "-c", _FIT_WORKER_SCRIPT], env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr
