"""KPI: every metric, score, category, total, grade and rank worked out by hand (period 2026-10)."""

from __future__ import annotations

import pandas as pd
import pytest

from analytics_records import AS_OF, activity, customer, opportunity, order
from crm_xl.analysis import analyze
from crm_xl.kpi import Period, default_period, parse_period, targets
from crm_xl.register import Register
from crm_xl.settings import Settings


def scenario() -> dict:
    return {
        "customers": [customer("C1", coop_start_date="2025-10-15"), customer("C2"), customer("C3"),
                      customer("C9", owner="李四")],
        "orders": [
            order("SO1", "C1", "2026-10-05", 600_000, quantity=60, cost=510_000),
            order("SO2", "C2", "2026-10-20", 400_000, quantity=40),                 # no cost: not in the margin
            order("SO3", "C1", "2026-09-10", 800_000),                               # previous period
            order("SO4", "C1", "2025-10-15", 500_000),                               # same period last year
            order("SO5", "C1", "2026-10-25", 999_999, status="cancelled"),           # never counted
            order("SO6", "C3", "2025-09-30", 10),                                    # C3's last order
            order("SO9", "C9", "2026-10-10", 100_000, owner="李四"),
        ],
        "opportunities": [
            opportunity("W1", "contract", 1, "2026-10-30", status="won", won_date="2026-10-10"),
            opportunity("L1", "negotiation", 1, "2026-10-15", status="lost", lost_reason="price"),
            opportunity("L2", "qualified", 1, "2026-10-20", status="lost", lost_reason="price"),
            opportunity("L3", "qualified", 1, "2026-10-21", status="lost", lost_reason="price"),
            opportunity("W0", "contract", 1, "2026-09-01", status="won", won_date="2026-09-01"),  # other period
        ],
        "activities": [
            activity("A1", "C1", "2026-10-01", next_date="2026-10-08"),
            activity("A2", "C1", "2026-10-08", next_date="2026-10-20"),  # done 10-08 = planned → on time
            activity("A3", "C1", "2026-10-25", next_date="2026-12-01"),  # A2's follow-up came 10-25 → late
            activity("A4", "C2", "2026-09-25", next_date="2026-10-05"),
            activity("A5", "C2", "2026-10-03"),                          # A4's follow-up 10-03 ≤ 10-05 → on time
        ],
        "tickets": [
            {"ticket_id": "T1", "type": "complaint", "received_at": "2026-10-19 10:00", "customer_id": "C1",
             "description": "x", "urgency": "high", "status": "closed", "closed_at": "2026-10-22 18:00",
             "satisfaction": 5},  # deadline 3 working days → 10-22: on time
            {"ticket_id": "T2", "type": "complaint", "received_at": "2026-10-12 09:00", "customer_id": "C2",
             "description": "x", "urgency": "medium", "status": "closed", "closed_at": "2026-10-22 09:00",
             "satisfaction": 3},  # deadline 7 working days → 10-21: late
            {"ticket_id": "T3", "type": "inquiry", "received_at": "2026-10-12 09:00", "customer_id": "C2",
             "description": "x", "urgency": "low", "status": "closed", "closed_at": "2026-10-30 09:00"},
        ],
        "surveys": [
            {"survey_id": "S1", "customer_id": "C1", "date": "2026-10-12", "overall_score": 4},
            {"survey_id": "S2", "customer_id": "C2", "date": "2026-10-18", "product_score": 5, "service_score": 4,
             "communication_score": 4, "delivery_score": 3},  # no overall: the mean of the four = 4.0
        ],
        "staff": [
            {"staff_id": "1", "name": "张三", "period": "2026-10", "sales_target": 1_250_000, "quantity_target": 100,
             "new_customer_target": 2, "expense": 30_000, "teamwork_score": 85},
            {"staff_id": "2", "name": "李四", "period": "2026-10", "sales_target": 1_000_000,
             "new_customer_target": 4, "teamwork_score": 60},
        ],
    }


def run(settings: Settings | None = None, error_rows=None, records=None, period=None):
    reg = Register.from_records(records or scenario(), settings=settings or Settings())
    return analyze(reg, AS_OF, period=period, error_rows=error_rows)


def test_every_metric_by_hand():
    k = run(error_rows={"orders": {3}}).kpi  # SO2 (Excel row 3) has a validation error
    v = k.values.loc["张三"]
    assert v["sales_amount"] == 1_000_000          # SO1 + SO2; SO5 cancelled
    assert v["sales_quantity"] == 100
    assert v["growth_prev"] == pytest.approx(0.25)   # (1,000,000 − 800,000) / 800,000
    assert v["growth_yoy"] == pytest.approx(1.0)     # (1,000,000 − 500,000) / 500,000
    assert v["gross_margin"] == pytest.approx(0.15)  # (600,000 − 510,000) / 600,000, SO2 has no cost
    assert v["expense_ratio"] == pytest.approx(0.03)  # 30,000 / 1,000,000
    assert v["new_customers"] == 1                 # C2's first order is in October; C1's was 2025-10-15
    assert v["active_customers"] == 2              # C1, C2
    assert v["churned_customers"] == 1             # C3: 2025-09-30 + 366 days = 2026-10-01 (> 365 days)
    assert v["conversion_rate"] == pytest.approx(0.25)  # W1 won of W1, L1, L2, L3 closed in October
    assert v["customer_satisfaction"] == pytest.approx(4.0)  # (4 + 4.0) / 2
    assert v["complaint_satisfaction"] == pytest.approx(4.0)  # (5 + 3) / 2; the inquiry T3 is not a complaint
    assert v["complaint_ontime_rate"] == pytest.approx(0.5)
    assert v["followup_timeliness"] == pytest.approx(2 / 3)  # A1, A4 on time; A2 late; A3 planned after as_of
    # 张三's rows: 4 … customers C1, C2, C3 (3) + opportunities 5 + activities 5 + orders SO1–SO6 (6) = 19; 1 error
    assert v["data_accuracy"] == pytest.approx(18 / 19)
    assert v["teamwork_score"] == 85


def test_scores_categories_total_grade_rank_by_hand():
    k = run(error_rows={"orders": {3}}).kpi
    s = k.scores.loc["张三"]
    assert s["sales_amount"] == pytest.approx(80)            # 1,000,000 / 1,250,000
    assert s["sales_quantity"] == 100
    assert s["growth_prev"] == 100                           # 100 × 1.25 / 1.10 = 113.6 → capped
    assert s["gross_margin"] == pytest.approx(75)            # 0.15 / 0.20
    assert s["expense_ratio"] == 100                         # lower is better: 0.05 / 0.03 → capped
    assert s["new_customers"] == pytest.approx(50)           # 1 / 2
    assert s["conversion_rate"] == pytest.approx(250 / 3)    # 0.25 / 0.30
    assert s["customer_satisfaction"] == pytest.approx(800 / 9)  # 4.0 / 4.5
    assert s["complaint_ontime_rate"] == pytest.approx(50 / 0.95)
    assert s["followup_timeliness"] == pytest.approx(200 / 2.7)  # (2/3) / 0.90
    assert s["data_accuracy"] == pytest.approx(100 * (18 / 19) / 0.98)
    assert "active_customers" not in k.scores.columns        # reported, not scored
    c = k.categories.loc["张三"]
    sales = (80 + 100 + 100 + 100 + 75 + 100) / 6
    customers = (50 + 250 / 3 + 800 / 9 + 800 / 9) / 4
    process = (200 / 2.7 + 50 / 0.95 + 100 * (18 / 19) / 0.98) / 3
    assert (c["sales"], c["customers"], c["process"], c["teamwork"]) == pytest.approx((sales, customers, process, 85))
    total = 0.5 * sales + 0.25 * customers + 0.15 * process + 0.1 * 85
    assert k.table.at["张三", "score"] == pytest.approx(total)   # 46.25 + 19.44 + 11.17 + 8.5 ≈ 85.36 → good
    assert total == pytest.approx(85.36, abs=0.01)
    assert k.table.at["张三", "grade"] == "good" and k.table.at["张三", "rank"] == 1
    # 李四: sales 100,000 / 1,000,000 → 10; new customers 1 / 4 → 25; accuracy 100%; teamwork 60
    # total = 0.5 × 10 + 0.25 × 25 + 0.15 × 100 + 0.1 × 60 = 32.25 → fail, rank 2
    assert k.table.at["李四", "score"] == pytest.approx(32.25)
    assert (k.table.at["李四", "grade"], k.table.at["李四", "rank"]) == ("fail", 2)


def test_data_accuracy_is_full_without_validation():
    assert run().kpi.values.at["张三", "data_accuracy"] == 1.0


@pytest.mark.parametrize("field,value,check", [
    ("kpi_weight_sales", 0.9, lambda k: k.table.at["张三", "score"] != pytest.approx(85.36, abs=0.01)),
    ("kpi_weight_customers", 0.9, lambda k: k.table.at["李四", "score"] != pytest.approx(32.25)),
    ("kpi_weight_process", 0.9, lambda k: k.table.at["李四", "score"] != pytest.approx(32.25)),
    ("kpi_weight_teamwork", 0.9, lambda k: k.table.at["李四", "score"] != pytest.approx(32.25)),
    ("kpi_excellent_min", 80, lambda k: k.table.at["张三", "grade"] == "excellent"),
    ("kpi_good_min", 86, lambda k: k.table.at["张三", "grade"] == "pass"),
    ("kpi_pass_min", 30, lambda k: k.table.at["李四", "grade"] == "pass"),
    ("kpi_target_growth", 0.5, lambda k: k.scores.at["张三", "growth_prev"] == pytest.approx(125 / 1.5)),
    ("kpi_target_gross_margin", 0.3, lambda k: k.scores.at["张三", "gross_margin"] == pytest.approx(50)),
    ("kpi_target_expense_ratio", 0.015, lambda k: k.scores.at["张三", "expense_ratio"] == pytest.approx(50)),
    ("kpi_target_conversion", 0.5, lambda k: k.scores.at["张三", "conversion_rate"] == pytest.approx(50)),
    ("kpi_target_followup_rate", 1.0, lambda k: k.scores.at["张三", "followup_timeliness"] == pytest.approx(200 / 3)),
    ("kpi_target_complaint_ontime", 1.0, lambda k: k.scores.at["张三", "complaint_ontime_rate"] == pytest.approx(50)),
    ("kpi_target_satisfaction", 5.0, lambda k: k.scores.at["张三", "customer_satisfaction"] == pytest.approx(80)),
    ("kpi_target_data_accuracy", 1.0, lambda k: k.scores.at["张三", "data_accuracy"] == pytest.approx(1800 / 19)),
    ("churn_days", 400, lambda k: k.values.at["张三", "churned_customers"] == 0),
    ("resolution_days_medium", 8, lambda k: k.values.at["张三", "complaint_ontime_rate"] == 1.0),
    ("resolution_days_high", 2, lambda k: k.values.at["张三", "complaint_ontime_rate"] == 0.0),
])
def test_kpi_settings_are_read(field, value, check):
    assert check(run(Settings(**{field: value}), error_rows={"orders": {3}}).kpi)


def test_resolution_days_low_is_read():
    recs = scenario()
    recs["tickets"][1]["urgency"] = "low"  # 15 working days from 10-12 → 11-02: on time
    assert run(records=recs).kpi.values.at["张三", "complaint_ontime_rate"] == 1.0
    assert run(Settings(resolution_days_low=7), records=recs).kpi.values.at["张三", "complaint_ontime_rate"] == 0.5


# ------------------------------------------------------------------------------------------ periods
@pytest.mark.parametrize("text,label", [
    ("2026-10", "2026-10"), ("2026/3", "2026-03"), ("2026年10月", "2026-10"), ("2026-10-01", "2026-10"),
    ("2026-10-01 00:00:00", "2026-10"), ("2026-Q3", "2026-Q3"), ("2026Q3", "2026-Q3"), ("2026年第3季度", "2026-Q3"),
    ("2026", "2026"), ("2026年", "2026"),
])
def test_parse_period(text, label):
    assert parse_period(text).label == label


def test_period_arithmetic_and_default():
    q = parse_period("2026-Q1")
    assert (q.start, q.end) == (pd.Timestamp("2026-01-01"), pd.Timestamp("2026-03-31"))
    assert q.previous().label == "2025-Q4" and q.last_year().label == "2025-Q1"
    assert default_period(pd.Timestamp("2026-11-23")).label == "2026-10"
    assert default_period(pd.Timestamp("2026-01-01")).label == "2025-12"
    with pytest.raises(ValueError):
        parse_period("2026-13")


def test_targets_sum_months_or_prorate_the_enclosing_period():
    staff = Register.from_records({"staff": [
        {"staff_id": "1", "name": "A", "period": m, "sales_target": 100, "teamwork_score": s}
        for m, s in (("2026-07", 80), ("2026-08", 90), ("2026-09", 100))] + [
        {"staff_id": "2", "name": "B", "period": "2026-Q3", "sales_target": 300},
        {"staff_id": "2", "name": "B", "period": "2026", "sales_target": 9999}]}).frames["staff"]
    q3 = targets(staff, Period("quarter", 2026, 3))
    assert q3.at["A", "sales_target"] == 300 and q3.at["A", "teamwork_score"] == 90   # 3 months summed; mean score
    assert q3.at["B", "sales_target"] == 300                                        # the exact period wins
    aug = targets(staff, Period("month", 2026, 8))
    assert aug.at["A", "sales_target"] == 100 and aug.at["B", "sales_target"] == pytest.approx(100)  # 300 / 3
    year = targets(staff, Period("year", 2026))
    assert year.at["A", "sales_target"] == 300 and year.at["B", "sales_target"] == 9999


def test_quarter_period_in_analyze():
    k = run(period="2026-Q4").kpi
    assert k.period.label == "2026-Q4"
    assert k.values.at["张三", "sales_amount"] == 1_000_000  # October is the only month with orders
    assert k.targets.at["张三", "sales_target"] == 1_250_000  # the one monthly row inside Q4
