"""Order-to-cash, the analyze JSON contract, derived columns, base-currency invariance and the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from analytics_records import AS_OF, activity, customer, opportunity, order
from crm_xl.analysis import analyze, derived_columns
from crm_xl.register import Register
from crm_xl.settings import FxRate, Settings

ROOT = Path(__file__).resolve().parents[1]


# ------------------------------------------------------------------------------------------ order-to-cash
O2C = {"customers": [customer("C1", incoterms="DAP"), customer("C2", incoterms="FOB")], "orders": [
    order("late", "C1", "2026-09-01", 1000, "USD", promised_delivery_date="2026-10-20", ship_date="2026-10-18",
          arrival_date="2026-10-25", invoiced_amount=1000, received_amount=400, payment_due_date="2026-11-13"),
    order("ontime", "C1", "2026-09-01", 500, promised_delivery_date="2026-10-20", ship_date="2026-10-20",
          invoiced_amount=500, paid_date="2026-10-30", payment_due_date="2026-10-25"),
    order("odue", "C2", "2026-09-01", 800, promised_delivery_date="2026-11-20", payment_due_date="2026-11-01"),
    order("pend", "C2", "2026-09-01", 100, promised_delivery_date="2026-12-01"),
    order("nopr", "C2", "2026-09-01", 100),
    order("fob", "C2", "2026-09-01", 100, promised_delivery_date="2026-10-20", ship_date="2026-10-20",
          arrival_date="2026-11-20"),
    order("cxl", "C2", "2026-09-01", 100, status="cancelled", invoiced_amount=100, payment_due_date="2026-01-01"),
]}


def test_order_to_cash_by_hand():
    a = analyze(Register.from_records(O2C), AS_OF)
    o = a.orders.set_index("order_id")
    assert "cxl" not in o.index
    # C1 buys DAP: delivery at arrival (10-25), not shipment (10-18) → 5 days late
    # C2 buys FOB: delivery at shipment (10-20, on the promise) although it arrived 11-20
    assert (o.at["late", "delivery"], o.at["late", "delivery_delay_days"]) == ("late", 5)
    assert o.at["ontime", "delivery"] == "on_time" and o.at["fob", "delivery"] == "on_time"
    assert (o.at["odue", "delivery"], o.at["odue", "delivery_delay_days"]) == ("overdue", 3)  # 11-20 → 11-23
    assert (o.at["pend", "delivery"], o.at["nopr", "delivery"]) == ("pending", "no_promise")
    # late: 1000 invoiced − 400 received = 600 USD outstanding = 4,260 CNY, due 11-13 → 10 days overdue
    assert (o.at["late", "outstanding"], o.at["late", "days_overdue"]) == (600, 10)
    assert o.at["late", "outstanding_base"] == pytest.approx(4260)
    # ontime: paid_date without received_amount = paid in full
    assert (o.at["ontime", "received"], o.at["ontime", "outstanding"], o.at["ontime", "days_overdue"]) == (500, 0, 0)
    # odue: not invoiced but due 11-01 → owes its amount 800, 22 days overdue
    assert (o.at["odue", "invoiced"], o.at["odue", "days_overdue"]) == (800, 22)
    assert o.at["nopr", "outstanding"] == 0
    r = a.receivables
    assert r.at["C1", "overdue_base"] == pytest.approx(4260) and r.at["C2", "max_days_overdue"] == 22
    g = a.grades.set_index("customer_id")
    assert g.at["C2", "risk"] == "medium" and g.at["C2", "max_days_overdue"] == 22  # feeds the risk grade
    summary = a.to_json()["receivables"]["summary"]
    assert summary["on_time_rate"] == pytest.approx(2 / 3, abs=1e-4) and summary["overdue"] == pytest.approx(5060.0)  # 4,260 + 800


# ------------------------------------------------------------------------------------------ JSON contract
def contract_records() -> dict:
    return {
        "customers": [customer("C1", coop_start_date="2020-01-01", credit_rating="A"), customer("C2")],
        "orders": [order("SO1", "C1", "2026-10-05", 600_000, cost=400_000),
                   order("SO2", "C2", "2026-10-06", 10, "XYZ")],
        "opportunities": [opportunity("O1", "negotiation", 1000.005, "2026-12-10", product="pump", region="EU"),
                          opportunity("O2", "lead", 10, "2026-01-01")],
        "activities": [activity("A1", "C1", "2026-11-01")],
        "staff": [{"staff_id": "1", "name": "张三", "period": "2026-10", "sales_target": 600_000}],
    }


def test_json_contract():
    data = analyze(Register.from_records(contract_records()), AS_OF).to_json("en")
    json.dumps(data)  # serializable as is
    assert {"as_of", "base_currency", "customers", "forecast", "kpi", "followups", "service"} <= set(data)
    assert (data["as_of"], data["base_currency"], data["period"]) == ("2026-11-23", "CNY", "2026-10")
    assert data["followups"] == [] and data["service"] == {}
    c1 = data["customers"][0]
    assert list(c1) == ["customer_id", "scale", "abc", "level", "coop", "risk", "risk_action", "market",
                        "completeness", "next_revisit_date"]
    assert c1 == {"customer_id": "C1", "scale": "small", "abc": "A", "level": "level_3", "coop": "long",
                  "risk": "low", "risk_action": "Keep the normal cooperation and reassess the risk regularly",
                  "market": c1["market"], "completeness": 0.1, "next_revisit_date": "2027-04-30"}  # 11-01 + 180 days
    f = data["forecast"]
    assert {"by_month", "by_product", "by_region", "by_owner", "by_scale", "by_abc", "past_due", "trend"} <= set(f)
    dec = next(m for m in f["by_month"] if m["month"] == "2026-12")
    assert list(dec) == ["month", "pipeline", "weighted", "commit", "best_case", "quantity"]
    assert dec["pipeline"] == 1000.0 and dec["weighted"] == 700.0  # 1000.005 rounds to 2 decimals at output only
    assert f["past_due"]["pipeline"] == 10.0 and f["by_product"][-1]["product"] == "pump"
    assert f["trend"]["method"] == "mean" and f["trend"]["interval"] == 0.8
    k = data["kpi"][0]
    assert set(k) == {"owner", "metrics", "category_scores", "score", "grade", "rank"}
    assert k["metrics"]["sales_amount"] == {"value": 600000.0, "target": 600000.0, "score": 100.0}
    assert k["metrics"]["gross_margin"]["value"] == pytest.approx(0.3333)
    assert data["findings"][0]["code"] == "A101" and data["findings"][0]["cell"].endswith("3")


def test_an_unusable_value_is_missing_but_its_record_counts():
    # O1's close date (Excel row 2) made unusable by a finding: O1 leaves the months, not the pipeline
    reg = Register.from_records(contract_records())
    data = analyze(reg, AS_OF, unusable={"opportunities": {"expected_close_date": {2}}}).to_json("en")
    f = data["forecast"]
    assert all(m["pipeline"] == 0.0 for m in f["by_month"])
    assert f["undated"]["pipeline"] == 1000.0 and f["total"]["pipeline"] == 1010.0
    assert f["by_product"][-1]["product"] == "pump" and f["by_product"][-1]["pipeline"] == 1000.0
    m = data["coverage"]["measures"]
    assert m["by_month"] == {"used": 1, "left_out": 1, "reasons": [
        {"reason": "expected_close_date unusable", "column": "expected_close_date", "ids": ["O1"], "rows": [2]}]}
    assert m["pipeline"] == {"used": 2, "left_out": 0, "reasons": []}
    # SO2 is in a currency without a rate: left out of sales, named with its ID
    assert m["kpi.sales_amount"]["reasons"] == [{"reason": "no FX rate", "column": "currency", "ids": ["SO2"],
                                                 "rows": [3]}]
    json.dumps(data, allow_nan=False)


def test_derived_columns_keyed_by_record_id():
    recs = contract_records()
    recs["opportunities"] += [opportunity("W", "contract", 50, "2026-10-01", status="won"),
                              opportunity("L", "negotiation", 50, "2026-10-01", status="lost", lost_reason="x")]
    d = derived_columns(analyze(Register.from_records(recs), AS_OF))
    assert list(d["customers"].columns) == ["scale", "abc", "level", "coop", "risk", "completeness", "next_revisit_date"]
    assert d["customers"].at["C1", "coop"] == "long"
    w = d["opportunities"]["weighted_amount"]
    assert w["O1"] == pytest.approx(700.0035) and w["W"] == 50 and w["L"] == 0 and w["O2"] == pytest.approx(1)


# ------------------------------------------------------------------------------------------ currency invariance
cust_strategy = st.fixed_dictionaries({
    "orders": st.lists(st.tuples(st.integers(0, 500), st.integers(1, 10**7), st.sampled_from(["CNY", "USD", "EUR"])),
                       max_size=4),
    "annual": st.one_of(st.none(), st.integers(0, 10**7)), "currency": st.sampled_from(["CNY", "USD", "EUR"]),
    "rating": st.sampled_from([None, "A", "B", "C"]), "terms": st.sampled_from([None, "TT", "OA"]),
    "start": st.integers(0, 4000),
})


@hsettings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(cust_strategy, min_size=1, max_size=8))
def test_property_changing_the_base_currency_changes_no_grade(specs):
    # Rates are powers of two so that converting to USD and back is exact in binary floating point:
    # the property is about the rules, not about rounding at a boundary hit to the last bit.
    cny = Settings(fx_rates=(FxRate(currency="USD", rate=8.0), FxRate(currency="EUR", rate=16.0)))
    usd = Settings(base_currency="USD", fx_rates=(FxRate(currency="CNY", rate=0.125), FxRate(currency="EUR", rate=2.0)),
                   scale_large_min=cny.scale_large_min / 8, scale_medium_min=cny.scale_medium_min / 8)
    customers, orders = [], []
    for i, s in enumerate(specs):
        start = (pd.Timestamp(AS_OF) - pd.Timedelta(days=s["start"])).date().isoformat()
        customers.append(customer(f"C{i}", annual_purchase_amount=s["annual"], currency=s["currency"],
                                  credit_rating=s["rating"], payment_terms=s["terms"], coop_start_date=start))
        for j, (days, amount, cur) in enumerate(s["orders"]):
            day = (pd.Timestamp(AS_OF) - pd.Timedelta(days=days)).date().isoformat()
            orders.append(order(f"O{i}-{j}", f"C{i}", day, amount, cur, invoiced_amount=amount, received_amount=0,
                                payment_due_date=day))
    records = {"customers": customers, "orders": orders}
    cols = ["customer_id", "scale", "abc", "level", "coop", "risk"]
    a = analyze(Register.from_records(records, settings=cny), AS_OF).grades[cols]
    b = analyze(Register.from_records(records, settings=usd), AS_OF).grades[cols]
    pd.testing.assert_frame_equal(a, b)


# ------------------------------------------------------------------------------------------ CLI
def run_cli(*args: str) -> subprocess.CompletedProcess:
    env = {"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin", "HOME": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "crm_xl", *args], capture_output=True, text=True, timeout=300, env=env)


def test_cli_analyze_on_a_written_workbook(tmp_path):
    from crm_xl.ports.template import write_register

    book = tmp_path / "台账.xlsx"
    write_register(book, Register.from_records(contract_records()), lang="en")
    before = book.read_bytes()
    out = tmp_path / "analysis.json"
    res = run_cli("analyze", str(book), "--as-of", "2026-11-23", "--format", "json", "--out", str(out))
    assert res.returncode == 0, res.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    from crm_xl.review import review

    # the command line analyses the validated rows and adds follow-ups and service: the one review path
    expected = review(Register.from_records(contract_records(), lang="en"), AS_OF, lang="en").analysis.to_json("en")
    assert data == expected | {"findings": data["findings"], "coverage": data["coverage"]}
    assert data["coverage"]["sheets"]["customers"]["rows_read"] == len(contract_records()["customers"])
    assert data["customers"][0]["completeness"] == 0.1  # blank cells read back as blank
    assert book.read_bytes() == before  # the input workbook is never written
    text = run_cli("analyze", str(book), "--as-of", "2026-11-23", "--period", "2026-Q4", "--lang", "zh-CN")
    assert text.returncode == 0, text.stderr
    assert "销售预测" in text.stdout and "2026-Q4" in text.stdout and "张三" in text.stdout
    bad = run_cli("analyze", str(tmp_path / "missing.xlsx"))
    assert bad.returncode == 2
    help_text = run_cli("analyze", "--help")
    assert "Example:" in help_text.stdout


def test_lazy_json_review_writes_the_same_json_and_makes_members_when_written():
    """``review(lazy_json=True)`` (the analyze command's JSON) defers the follow-ups' and service's JSON
    until written, member by member; the text equals the whole dict's, byte for byte."""
    import io

    from crm_xl.contract import dumps, write_object
    from crm_xl.review import review

    register = Register.from_records(contract_records(), lang="en")
    eager = review(register, AS_OF, lang="en").analysis
    lazy = review(register, AS_OF, lang="en", lazy_json=True).analysis
    assert lazy.followups == [] and lazy.service == {} and set(lazy.deferred) == {"followups", "service"}
    assert eager.followups and eager.service
    assert lazy.to_json("en") == eager.to_json("en")
    members = lazy.json_members("en")
    assert [k for k, _ in members] == list(eager.to_json("en"))
    fh = io.BytesIO()
    write_object(fh, members, indent=2)
    assert fh.getvalue() == dumps(eager.to_json("en"), indent=2).encode("utf-8")
