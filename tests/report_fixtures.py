"""A small fixed register for the report tests: every figure in the tests is worked out by hand.

As of 2026-11-23; default report period 2026-10 (previous 2026-09, last year 2025-10).
Orders (all CNY except one USD order at 7.10):
  2025-10  C1 LED-A 10 × 1,000 = 10,000            (last year)
  2026-09  C1 LED-A 20 × 1,000 = 20,000            (previous period)
  2026-10  C1 LED-A 30 × 1,000 = 30,000 cost 21,000
  2026-10  C2 Panel  5 × USD 1,000 = USD 5,000 → 35,500 CNY, cost USD 4,000 → 28,400
  2026-10  C3 LED-A 15 × 1,000 = 15,000 (cancelled: left out)
So October: sales 65,500, quantity 35, 2 orders, margin (65,500 − 49,400) / 65,500 = 24.58 %,
MoM (65,500 − 20,000) / 20,000 = +227.5 %, YoY (65,500 − 10,000) / 10,000 = +555.0 %.
"""

from __future__ import annotations

import datetime as dt

from crm_xl.register import Register

AS_OF = dt.date(2026, 11, 23)
SCRIPT_NAME = "<script>alert(1)</script> Trading Ltd"


def fixture_records() -> dict[str, list[dict]]:
    customers = [
        dict(customer_id="C1", company_name="Alpha Lighting GmbH", country="DE", industry="Retail",
             source_channel="trade_fair", owner="张三", first_contact_date="2024-01-05", entered_date="2024-01-06",
             coop_start_date="2024-02-01", currency="CNY", status="active", important="yes", reviewed_by="李经理",
             reviewed_date="2024-01-08", payment_terms="TT", credit_rating="A", last_info_update="2026-10-01"),
        dict(customer_id="C2", company_name="Bravo Imports LLC", country="US", industry="Wholesale",
             source_channel="referral", referrer="Alpha", owner="李四", first_contact_date="2026-09-01",
             entered_date="2026-09-02", currency="USD", status="active", payment_terms="LC", credit_rating="B"),
        dict(customer_id="C3", company_name=SCRIPT_NAME, country="US", industry="Retail",
             source_channel="online_platform", owner="张三", first_contact_date="2025-03-01",
             entered_date="2025-03-02", currency="CNY", status="prospect"),
        dict(customer_id="C4", company_name="Alpha Lighting Co., Ltd.", country="DE", industry="Retail",
             source_channel="inbound", owner="王五", first_contact_date="2026-10-10", entered_date="2026-10-11",
             currency="EUR", status="prospect"),
    ]
    orders = [
        dict(order_id="SO1", customer_id="C1", order_date="2025-10-15", product="LED-A", quantity=10, unit_price=1000,
             currency="CNY", amount=10000, status="closed", owner="张三"),
        dict(order_id="SO2", customer_id="C1", order_date="2026-09-10", product="LED-A", quantity=20, unit_price=1000,
             currency="CNY", amount=20000, status="closed", owner="张三"),
        dict(order_id="SO3", customer_id="C1", order_date="2026-10-05", product="LED-A", quantity=30, unit_price=1000,
             currency="CNY", amount=30000, cost=21000, status="shipped", owner="张三"),
        dict(order_id="SO4", customer_id="C2", order_date="2026-10-20", product="Panel", quantity=5, unit_price=1000,
             currency="USD", amount=5000, cost=4000, status="confirmed", owner="李四"),
        dict(order_id="SO5", customer_id="C3", order_date="2026-10-21", product="LED-A", quantity=15, unit_price=1000,
             currency="CNY", amount=15000, status="cancelled", owner="张三"),
    ]
    opportunities = [
        dict(opportunity_id="O1", customer_id="C3", title="Shop lights", product="LED-A", region="US", stage="negotiation",
             amount=100000, currency="CNY", quantity=100, created_date="2026-10-01", expected_close_date="2026-12-15",
             owner="张三", status="open", competitors="X", next_step="quote"),
        dict(opportunity_id="O2", customer_id="C4", title="Panels", product="Panel", region="DE", stage="lead",
             amount=50000, currency="CNY", quantity=50, created_date="2026-10-12", owner="王五", status="open"),
    ]
    activities = [
        dict(activity_id=f"A{i}", date=d, customer_id=c, method="email", summary="follow-up", owner=o)
        for i, (d, c, o) in enumerate([("2026-10-02", "C1", "张三"), ("2026-10-06", "C3", "张三"),
                                       ("2026-10-08", "C3", "张三"), ("2026-10-21", "C2", "李四"),
                                       ("2026-10-12", "C4", "王五")], start=1)
    ]
    tickets = [
        dict(ticket_id="T1", type="complaint", received_at="2026-10-05 10:00", customer_id="C1", product="LED-A",
             category="quality", description="flicker", urgency="high", assignee="赵六", first_response_at="2026-10-05 11:00",
             status="closed", closed_at="2026-10-06 15:00", satisfaction=5, reopened_count=0, root_cause="driver"),
        dict(ticket_id="T2", type="complaint", received_at="2026-10-12 10:00", customer_id="C2", product="Panel",
             category="delivery", description="late", urgency="high", assignee="赵六", first_response_at="2026-10-12 12:00",
             status="closed", closed_at="2026-10-30 15:00", satisfaction=3, reopened_count=1, root_cause="shipping"),
        dict(ticket_id="T3", type="inquiry", received_at="2026-10-20 09:00", customer_id="C3", description="price?",
             urgency="low", first_response_at="2026-10-20 10:00", status="closed", closed_at="2026-10-21 10:00"),
        dict(ticket_id="T4", type="complaint", received_at="2026-11-02 09:00", customer_id="C1", product="LED-A",
             category="packaging", description="broken box", urgency="medium", assignee="赵六", status="investigating"),
    ]
    surveys = [
        dict(survey_id="S1", customer_id="C1", date="2026-10-10", overall_score=5, product_score=5, service_score=4,
             communication_score=4, delivery_score=3, nps=10),
        dict(survey_id="S2", customer_id="C2", date="2026-10-25", overall_score=3, product_score=4, service_score=3,
             communication_score=4, delivery_score=2, nps=6),
        dict(survey_id="S3", customer_id="C3", date="2026-10-28", overall_score=4, product_score=4, service_score=4,
             communication_score=5, delivery_score=4, nps=8),
    ]
    staff = [
        dict(staff_id="E1", name="张三", role="sales", period="2026-10", sales_target=50000, quantity_target=30,
             new_customer_target=1, expense=5000, teamwork_score=90),
        dict(staff_id="E2", name="李四", role="sales", period="2026-10", sales_target=40000, quantity_target=10,
             new_customer_target=1, expense=3000, teamwork_score=80),
        dict(staff_id="E3", name="王五", role="sales", period="2026-10", sales_target=30000, quantity_target=10,
             new_customer_target=1, expense=2000, teamwork_score=70),
    ]
    return dict(customers=customers, orders=orders, opportunities=opportunities, activities=activities,
                tickets=tickets, surveys=surveys, staff=staff)


def fixture_register(lang: str = "zh-CN") -> Register:
    reg = Register.from_records(fixture_records(), lang=lang, source="/data/客户台账.xlsx")
    return reg
