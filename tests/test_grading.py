"""Customer grades: each boundary worked out by hand (as of Monday 2026-11-23, default Settings)."""

from __future__ import annotations

import pandas as pd
import pytest

from analytics_records import AS_OF, activity, customer, order
from crm_xl.analysis import analyze
from crm_xl.grading import COMPLETENESS_CONTACT_ITEMS, COMPLETENESS_FIELDS, RISK_ACTIONS, risk_action
from crm_xl.register import Register
from crm_xl.settings import Settings


def grades(records: dict, settings: Settings | None = None, as_of=AS_OF) -> pd.DataFrame:
    reg = Register.from_records(records, settings=settings or Settings())
    return analyze(reg, as_of).grades.set_index("customer_id")


# ------------------------------------------------------------------------------------------ scale
SCALE_RECORDS = {
    "customers": [customer(c) for c in ("L", "M1", "M2", "S", "OUT", "AN", "ORD")],
    "orders": [
        order("1", "L", "2026-06-01", 5_000_000),        # = scale_large_min → large
        order("2", "M1", "2026-06-01", 4_999_999.99),    # just below → medium
        order("3", "M2", "2025-11-24", 1_000_000),        # first day inside the window, = medium_min → medium
        order("4", "S", "2026-06-01", 999_999.99),        # just below → small
        order("5", "OUT", "2025-11-23", 9_000_000),       # as_of − 12 months is outside the window → no orders
        order("6", "ORD", "2026-06-01", 100),             # orders win over annual_purchase_amount
        order("7", "L", "2026-11-24", 1),                 # after as_of: not counted
    ],
}
SCALE_RECORDS["customers"][5]["annual_purchase_amount"] = 800_000  # USD 800,000 × 7.10 = 5,680,000 → large
SCALE_RECORDS["customers"][5]["currency"] = "USD"
SCALE_RECORDS["customers"][6]["annual_purchase_amount"] = 9_000_000


def test_scale_boundaries():
    g = grades(SCALE_RECORDS)
    assert g["scale"].to_dict() == {"L": "large", "M1": "medium", "M2": "medium", "S": "small", "OUT": "small",
                                   "AN": "large", "ORD": "small"}
    assert g.at["L", "t12_sales"] == 5_000_000 and g.at["AN", "scale_basis"] == pytest.approx(5_680_000)


@pytest.mark.parametrize("field,value,customer_id,expected", [
    ("scale_large_min", 5_000_000.01, "L", "medium"),
    ("scale_medium_min", 999_999.99, "S", "medium"),
])
def test_scale_settings_are_read(field, value, customer_id, expected):
    assert grades(SCALE_RECORDS, Settings(**{field: value})).at[customer_id, "scale"] == expected


# ------------------------------------------------------------------------------------------ ABC
def abc_records(amounts: dict[str, float]) -> dict:
    return {"customers": [customer(c) for c in [*amounts, "Z"]],
            "orders": [order(f"o{c}", c, "2026-06-01", a) for c, a in amounts.items()]}


ABC = abc_records({"a": 50_000, "b": 30_000, "c": 10_000, "d": 5_000, "e": 5_000})


def test_abc_boundaries():
    # total 100,000; sorted descending; cumulative share BEFORE each customer:
    # a 0 → A; b 0.50 → A (b brings it to exactly 0.80 but starts below); c 0.80 → not < 0.80 → B;
    # d 0.90 → B; e 0.95 → not < 0.95 → C; Z has no sales → C.
    g = grades(ABC)
    assert g["abc"].to_dict() == {"a": "A", "b": "A", "c": "B", "d": "B", "e": "C", "Z": "C"}


def test_abc_other_side_of_each_boundary():
    g = grades(ABC, Settings(abc_a_share=0.8000001, abc_b_share=0.9500001))
    assert g["abc"].to_dict() == {"a": "A", "b": "A", "c": "A", "d": "B", "e": "B", "Z": "C"}
    g = grades(ABC, Settings(abc_a_share=0.5, abc_b_share=0.9))
    assert g["abc"].to_dict() == {"a": "A", "b": "B", "c": "B", "d": "C", "e": "C", "Z": "C"}


def test_abc_ties_break_by_customer_id():
    g = grades(abc_records({"y": 10, "x": 10}), Settings(abc_a_share=0.5, abc_b_share=0.6))
    assert g["abc"].to_dict() == {"x": "A", "y": "B", "Z": "C"}  # x first: before 0 → A; y: before 0.5 → B


# ------------------------------------------------------------------------------------------ cooperation
COOP = {"customers": [
    customer("long", coop_start_date="2021-11-22"),   # more than 5 years → long
    customer("five", coop_start_date="2021-11-23"),   # exactly 5 years: not more than 5 → mid
    customer("two", coop_start_date="2024-11-23"),    # exactly 2 years: at least 2 → mid
    customer("short", coop_start_date="2024-11-24"),  # a day short of 2 years → short
    customer("first", coop_start_date=None),          # no start: the first order (2021-01-05) → long
    customer("none"),                                 # neither → short
], "orders": [order("f", "first", "2021-01-05", 10)]}


def test_coop_boundaries():
    g = grades(COOP)
    assert g["coop"].to_dict() == {"long": "long", "five": "mid", "two": "mid", "short": "short",
                                   "first": "long", "none": "short"}


@pytest.mark.parametrize("field,value,customer_id,expected", [
    ("coop_long_years", 4.5, "five", "long"), ("coop_mid_years", 1.5, "short", "mid")])
def test_coop_settings_are_read(field, value, customer_id, expected):
    assert grades(COOP, Settings(**{field: value})).at[customer_id, "coop"] == expected


# ------------------------------------------------------------------------------------------ level
# Four quarter windows ending at as_of: (2026-08-23, 2026-11-23], (2026-05-23, 2026-08-23],
# (2026-02-23, 2026-05-23], (2025-11-23, 2026-02-23].
def level_records() -> dict:
    cust = [customer("L1", coop_start_date="2024-01-01"), customer("L2q", coop_start_date="2024-01-01"),
            customer("L2y", coop_start_date="2025-06-01"), customer("L3", coop_start_date="2020-01-01")]
    orders = [
        # L1: A, orders in 3 windows, ≥ 2 years → level_1
        order("a1", "L1", "2026-11-23", 400_000), order("a2", "L1", "2026-08-23", 300_000),
        order("a3", "L1", "2026-02-24", 300_000),
        # L2q: A, 2 windows (2026-08-24 and 2026-09-30 share one) → level_2
        order("b1", "L2q", "2026-08-24", 300_000), order("b2", "L2q", "2026-09-30", 300_000),
        order("b3", "L2q", "2026-05-23", 300_000),
        # L2y: A, 4 windows but under 2 years (1 year 5 months) → level_2
        *[order(f"c{i}", "L2y", d, 250_000) for i, d in enumerate(("2026-11-01", "2026-07-01", "2026-04-01",
                                                                       "2026-01-01"))],
        # L3: C, 1 window → level_3
        order("d1", "L3", "2026-10-01", 1),
    ]
    return {"customers": cust, "orders": orders}


def test_level_rules():
    g = grades(level_records())
    assert g["active_quarters"].to_dict() == {"L1": 3, "L2q": 2, "L2y": 4, "L3": 1}
    assert g["level"].to_dict() == {"L1": "level_1", "L2q": "level_2", "L2y": "level_2", "L3": "level_3"}


@pytest.mark.parametrize("field,value,customer_id,expected", [
    ("level1_min_active_quarters", 2, "L2q", "level_1"),
    ("level1_min_years", 1.4, "L2y", "level_1"),
    ("level1_abc", "B", "L1", "level_2"),
    ("level2_abc", "A,B,C", "L3", "level_3"),  # still only 1 quarter
    ("level2_min_active_quarters", 1, "L3", "level_3"),  # still class C
    ("level2_min_years", 3, "L2q", "level_3"),
])
def test_level_settings_are_read(field, value, customer_id, expected):
    base = grades(level_records())
    changed = grades(level_records(), Settings(**{field: value}))
    assert changed.at[customer_id, "level"] == expected
    if expected == base.at[customer_id, "level"]:  # the change needs a second one to show
        both = {"level2_abc": {"level2_min_active_quarters": 1}, "level2_min_active_quarters": {"level2_abc": "A,B,C"}}
        changed = grades(level_records(), Settings(**{field: value, **both[field]}))
        assert changed.at[customer_id, "level"] == "level_2"


# ------------------------------------------------------------------------------------------ risk
def risk_records() -> dict:
    overdue = lambda oid, cid, days: order(oid, cid, "2026-06-01", 1000, invoiced_amount=1000, received_amount=0,  # noqa: E731
                                           payment_due_date=(pd.Timestamp(AS_OF) - pd.Timedelta(days=days)).date().isoformat())
    return {"customers": [
        customer("credC", credit_rating="C", coop_start_date="2015-01-01"),
        customer("credD", credit_rating="D", coop_start_date="2015-01-01"),
        customer("od61", credit_rating="A", coop_start_date="2015-01-01"),  # 61 days overdue > 60 → high
        customer("od60", credit_rating="A", coop_start_date="2015-01-01"),  # 60 days → medium
        customer("od1", credit_rating="A", coop_start_date="2015-01-01"),   # 1 day → medium
        customer("credB", credit_rating="B", coop_start_date="2015-01-01"),
        customer("oaNew", payment_terms="OA", coop_start_date="2025-11-24"),  # < 1 year of cooperation
        customer("oaOld", payment_terms="DA", coop_start_date="2025-11-23"),  # exactly 1 year → low
        customer("ok", credit_rating="A", payment_terms="TT", coop_start_date="2015-01-01"),
    ], "orders": [overdue("x1", "od61", 61), overdue("x2", "od60", 60), overdue("x3", "od1", 1),
                  order("paid", "ok", "2026-06-01", 1000, invoiced_amount=1000, received_amount=1000,
                        payment_due_date="2026-07-01")]}


def test_risk_rules():
    g = grades(risk_records())
    assert g["risk"].to_dict() == {"credC": "high", "credD": "high", "od61": "high", "od60": "medium", "od1": "medium",
                                  "credB": "medium", "oaNew": "medium", "oaOld": "low", "ok": "low"}
    assert g.at["od61", "max_days_overdue"] == 61 and g.at["od61", "risk_reason"] == "overdue_long"
    assert g.at["oaNew", "risk_reason"] == "open_terms_new_customer"


@pytest.mark.parametrize("field,value,customer_id,expected", [
    ("risk_overdue_high_days", 59, "od60", "high"), ("risk_new_coop_years", 1.5, "oaOld", "medium")])
def test_risk_settings_are_read(field, value, customer_id, expected):
    assert grades(risk_records(), Settings(**{field: value})).at[customer_id, "risk"] == expected


def test_risk_actions_follow_002_7_3():
    assert set(RISK_ACTIONS) == {"high", "medium", "low"}
    assert "终止合作" in risk_action("high", "zh-CN") and "增加担保" in risk_action("medium", "zh-CN")
    assert "guarantees" in risk_action("medium", "en") and "終止合作" in risk_action("high", "zh-TW")


# ------------------------------------------------------------------------------------------ completeness
def test_completeness_share_of_policy_items():
    full = {k: "x" for k, _, _ in COMPLETENESS_FIELDS} | {"budget": 1000, "purchase_frequency": "monthly"}
    recs = {"customers": [customer("full", **full), customer("bare")],
            "contacts": [{"contact_id": "P1", "customer_id": "full", "name": "Li", "email": "li@example.com",
                          "decision_role": "decision_maker"},
                         {"contact_id": "P2", "customer_id": "bare", "name": "Wu", "decision_role": "decision_maker"}]}
    g = grades(recs)
    n = len(COMPLETENESS_FIELDS) + len(COMPLETENESS_CONTACT_ITEMS)
    assert n == 10
    assert g.at["full", "completeness"] == 1.0
    # bare: only company_name filled; its decision maker has no phone/e-mail, so neither contact item counts
    assert g.at["bare", "completeness"] == pytest.approx(1 / 10)


# ------------------------------------------------------------------------------------------ revisit
def revisit_records() -> dict:
    return {"customers": [customer("big"), customer("mid"), customer("small", entered_date="2026-04-04"),
                          customer("holiday", entered_date="2026-04-04")],
            "orders": [order("1", "big", "2026-06-01", 6_000_000), order("2", "mid", "2026-06-01", 2_000_000)],
            "activities": [activity("A1", "big", "2026-11-01"), activity("A0", "big", "2026-10-01"),
                           activity("A2", "mid", "2026-09-01")]}


def test_next_revisit_date():
    g = grades(revisit_records())
    # big: last activity 2026-11-01 + 30 days = 2026-12-01 (Tuesday, a working day)
    # mid: 2026-09-01 + 90 = 2026-11-30 (Monday)
    # small/holiday: no activity → entered 2026-04-04 + 180 = 2026-10-01, National Day → first working day 2026-10-08
    assert g["next_revisit_date"].dt.strftime("%Y-%m-%d").to_dict() == {
        "big": "2026-12-01", "mid": "2026-11-30", "small": "2026-10-08", "holiday": "2026-10-08"}


@pytest.mark.parametrize("field,value,customer_id,expected", [
    ("revisit_days_large", 31, "big", "2026-12-02"),
    ("revisit_days_medium", 89, "mid", "2026-11-30"),  # 11-29 is a Sunday → rolls to Monday 11-30
    ("revisit_days_medium", 87, "mid", "2026-11-27"),
    ("revisit_days_small", 170, "small", "2026-09-21"),
])
def test_revisit_settings_are_read(field, value, customer_id, expected):
    g = grades(revisit_records(), Settings(**{field: value}))
    assert g.at[customer_id, "next_revisit_date"].strftime("%Y-%m-%d") == expected


def test_company_holidays_from_settings_move_the_revisit_date():
    import datetime as dt

    g = grades(revisit_records(), Settings(extra_holidays=(dt.date(2026, 12, 1),)))
    assert g.at["big", "next_revisit_date"].strftime("%Y-%m-%d") == "2026-12-02"
