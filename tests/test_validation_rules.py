"""One failing and one passing example per validation rule, on hand-built registers."""

from __future__ import annotations

import copy
import datetime as dt

import pytest
import pandas as pd

from crm_xl.messages import CATALOGUE
from crm_xl.register import Register
from crm_xl.settings import Settings
from crm_xl.validation import CODES, validate

AS_OF = dt.date(2026, 11, 23)

BASE = {
    "customers": [
        {"customer_id": "C1", "company_name": "Acme Pumps GmbH", "country": "DE", "source_channel": "trade_fair",
         "owner": "Li", "first_contact_date": "2026-03-02", "entered_date": "2026-03-03", "status": "active",
         "currency": "EUR", "important": "yes", "reviewed_by": "Wang", "reviewed_date": "2026-03-04",
         "last_info_update": "2026-10-01", "annual_purchase_amount": 100000},
        {"customer_id": "C2", "company_name": "Pacific Valves Inc.", "country": "US", "source_channel": "referral",
         "referrer": "Acme", "owner": "Li", "first_contact_date": "2026-04-01", "entered_date": "2026-04-02",
         "status": "prospect", "last_info_update": "2026-11-01"},
    ],
    "contacts": [
        {"contact_id": "P1", "customer_id": "C1", "name": "Anna", "phone": "030 1234567", "email": "anna@acme-pumps.de",
         "birthday": "1980-05-06"},
        {"contact_id": "P2", "customer_id": "C2", "name": "Bob", "phone": "+1 201-555-0123", "email": "bob@gmail.com"},
    ],
    "opportunities": [
        {"opportunity_id": "O1", "customer_id": "C1", "contact_id": "P1", "title": "Pumps 2027", "stage": "negotiation",
         "probability": 0.7, "amount": 50000, "currency": "EUR", "created_date": "2026-09-01",
         "expected_close_date": "2026-12-15", "competitors": "Grundfos", "owner": "Li", "status": "open"},
        {"opportunity_id": "O2", "customer_id": "C2", "title": "Valves", "stage": "contract", "amount": 8000,
         "currency": "USD", "created_date": "2026-05-01", "expected_close_date": "2026-07-01", "owner": "Li",
         "status": "won", "won_date": "2026-06-20", "order_id": "SO1"},
        {"opportunity_id": "O3", "customer_id": "C1", "title": "Motors", "stage": "lead", "created_date": "2026-05-01",
         "owner": "Li", "status": "lost", "lost_reason": "price"},
    ],
    "activities": [
        {"activity_id": "A1", "date": "2026-10-05", "customer_id": "C1", "opportunity_id": "O1", "contact_id": "P1",
         "method": "visit", "summary": "Met at plant", "next_date": "2026-11-30", "owner": "Li"},
    ],
    "orders": [
        {"order_id": "SO1", "customer_id": "C2", "opportunity_id": "O2", "order_date": "2026-06-20", "product": "Valve",
         "quantity": 100, "unit_price": 80, "currency": "USD", "amount": 8000, "promised_delivery_date": "2026-07-20",
         "ship_date": "2026-07-15", "arrival_date": "2026-08-10", "status": "delivered", "invoiced_amount": 8000,
         "received_amount": 5000, "owner": "Li"},
    ],
    "tickets": [
        {"ticket_id": "T1", "type": "complaint", "received_at": "2026-08-12 10:00", "customer_id": "C2", "order_id": "SO1",
         "description": "Leaking valve", "urgency": "high", "first_response_at": "2026-08-12 15:00", "status": "closed",
         "status_history": "已受理>已分配>调查中>方案待确认>处理中>待客户反馈>已关闭", "closed_at": "2026-08-14 17:00",
         "satisfaction": 4},
        {"ticket_id": "T2", "type": "inquiry", "received_at": "2026-09-01 09:00", "customer_id": "C1",
         "description": "Catalogue?", "urgency": "low", "status": "closed", "status_history": "received → closed",
         "closed_at": "2026-09-01 11:00"},
    ],
    "surveys": [{"survey_id": "S1", "customer_id": "C2", "date": "2026-08-20", "overall_score": 4, "nps": 9}],
    "staff": [{"staff_id": "E1", "name": "Li", "period": "2026", "sales_target": 1000000, "teamwork_score": 80}],
    "changelog": [{"at": "2026-03-05 10:00", "user": "Li", "sheet": "customers", "record_id": "C1", "column": "country",
                   "old_value": "D", "new_value": "DE", "reason": "typo"}],
}


def run(changes: dict | None = None, settings: Settings | None = None, extra: dict | None = None):
    records = copy.deepcopy(BASE)
    for (sheet, i), values in (changes or {}).items():
        records[sheet][i].update(values)
    for sheet, rows in (extra or {}).items():
        records[sheet].extend(rows)
    return validate(Register.from_records(records, settings=settings), AS_OF)


def test_base_register_is_clean():
    result = run()
    assert result.findings == [], [(f.code, f.cell, f.message("en")) for f in result.findings]
    assert result.errors == 0 and result.rows_checked == 14


# (code, changes, extra rows, expected cell)
CASES = [
    ("V101", {("customers", 0): {"company_name": None}}, None, "B2"),
    ("V101", {("orders", 0): {"product": " "}}, None, "E2"),
    ("V102", {("orders", 0): {"cost": -5}}, None, "K2"),
    ("V102", {("tickets", 0): {"satisfaction": 6}}, None, "W2"),
    ("V102", {("surveys", 0): {"nps": 11}}, None, "J2"),
    ("V102", {("opportunities", 0): {"probability": 150}}, None, "I2"),
    ("V103", {("tickets", 0): {"reopened_count": 1.5}}, None, "X2"),
    ("V104", {("customers", 0): {"country": "XY"}}, None, "C2"),  # UK is read as GB (a usual short form)
    ("V105", {("customers", 0): {"currency": "EURO"}}, None, "O2"),
    ("V106", {("contacts", 0): {"email": "anna@acme"}}, None, "G2"),
    ("V106", {("contacts", 0): {"email": "anna..x@acme.de"}}, None, "G2"),
    ("V107", {("contacts", 0): {"phone": "call me"}}, None, "F2"),
    ("V108", {("contacts", 1): {"phone": "+1 201-055-0123"}}, None, "F3"),
    ("V109", {("contacts", 0): {"birthday": "2027-01-01"}}, None, "J2"),
    ("V109", {("surveys", 0): {"date": "2026-11-24"}}, None, "C2"),
    ("V201", {("contacts", 1): {"contact_id": "P1"}}, None, "A3"),
    ("V202", {("orders", 0): {"opportunity_id": "O9"}}, None, "C2"),
    ("V202", {("activities", 0): {"customer_id": "C7"}}, None, "C2"),
    ("V203", {("activities", 0): {"opportunity_id": "O2"}}, None, "D2"),
    ("V203", {("tickets", 0): {"customer_id": "C1"}}, None, "H2"),
    ("V204", None, {"customers": [{"customer_id": "C3", "company_name": "ACME PUMPS Co., Ltd.", "country": "CN",
                                   "source_channel": "inbound", "owner": "Li", "first_contact_date": "2026-11-02",
                                   "entered_date": "2026-11-02", "status": "prospect"}]}, "B4"),
    ("V205", None, {"customers": [{"customer_id": "C3", "company_name": "Other Name AG", "country": "DE",
                                   "source_channel": "inbound", "owner": "Li", "first_contact_date": "2026-11-02",
                                   "entered_date": "2026-11-02", "status": "prospect"}],
                    "contacts": [{"contact_id": "P3", "customer_id": "C3", "name": "Carl", "email": "carl@Acme-Pumps.de"}]},
     "G4"),
    ("V206", None, {"customers": [{"customer_id": "C3", "company_name": "Third Co", "country": "DE",
                                   "source_channel": "inbound", "owner": "Li", "first_contact_date": "2026-11-02",
                                   "entered_date": "2026-11-02", "status": "prospect"}],
                    "contacts": [{"contact_id": "P3", "customer_id": "C3", "name": "Carl", "phone": "+49 30 1234567"}]},
     "F4"),
    ("V301", {("orders", 0): {"arrival_date": "2026-07-01"}}, None, "N2"),
    ("V301", {("opportunities", 0): {"expected_close_date": "2026-08-01"}}, None, "N2"),
    ("V301", {("tickets", 0): {"closed_at": "2026-08-11 09:00"}}, None, "V2"),
    ("V302", {("orders", 0): {"received_amount": 9000}}, None, "R2"),
    ("V303", {("orders", 0): {"amount": 8200}}, None, "J2"),
    ("V304", {("orders", 0): {"currency": "CHF"}}, None, "I2"),
    ("V401", {("customers", 0): {"entered_date": "2026-03-06"}}, None, "L2"),
    ("V402", {("customers", 0): {"reviewed_date": None}}, None, "Z2"),
    ("V403", {("customers", 0): {"last_info_update": "2026-08-01"}}, None, "AA2"),
    ("V404", {("customers", 1): {"referrer": None}}, None, "I3"),
    ("V501", {("opportunities", 0): {"amount": None}}, None, "J2"),
    ("V501", {("opportunities", 0): {"competitors": None}}, None, "O2"),
    ("V501", {("opportunities", 1): {"order_id": None, "won_date": None}}, None, "X3"),
    ("V502", {("opportunities", 0): {"probability": 0.3}}, None, "I2"),
    ("V503", {("opportunities", 2): {"lost_reason": None}}, None, "V4"),
    ("V504", {("opportunities", 1): {"stage": "negotiation", "competitors": "X"}}, None, "H3"),
    ("V505", {("opportunities", 0): {"expected_close_date": "2026-11-01"}}, None, "N2"),
    ("V601", {("tickets", 0): {"closed_at": None}}, None, "V2"),
    ("V602", {("tickets", 0): {"status_history": "已受理>调查中>已关闭"}}, None, "R2"),
    ("V603", {("tickets", 0): {"status_history": "assigned>investigating>proposed>implementing>closed"}}, None, "R2"),
    ("V604", {("tickets", 0): {"status_history": "received>assigned>done"}}, None, "R2"),
    ("V605", {("tickets", 0): {"status_history": "received>assigned>investigating"}}, None, "Q2"),
    ("V606", {("tickets", 0): {"status": "implementing", "status_history": None}}, None, "V2"),
]


@pytest.mark.parametrize("code,changes,extra,cell", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_rule_reports_the_cell(code, changes, extra, cell):
    result = run(changes, extra=extra)
    hits = [f for f in result.findings if f.code == code]
    assert [f.cell for f in hits] == [cell], [(f.code, f.cell, f.message("en")) for f in result.findings]
    f = hits[0]
    assert f.severity == CATALOGUE[code].severity
    assert f.record_id is not None
    for lang in ("zh-CN", "zh-TW", "en"):
        text = f.message(lang)
        assert "{" not in text and text.strip(), text


def test_every_validation_code_has_a_failing_case():
    assert {c[0] for c in CASES} == set(CODES)


def test_messages_in_three_languages():
    for code in CODES:
        d = CATALOGUE[code]
        assert d.zh and d.en and d.clause and d.title_zh and d.title_en, code
        assert d.title("zh-TW") and d.title("zh-TW") != "", code
        assert d.zh != d.en
        from crm_xl.messages import render

        assert render(code, {}, "zh-TW")


def test_severity_override_and_off_from_settings():
    changes = {("customers", 0): {"entered_date": "2026-03-06"}}
    result = run(changes, settings=Settings(severity={"V401": "error"}))
    [f] = [f for f in result.findings if f.code == "V401"]
    assert f.severity == "error"
    assert result.error_rows() == {"customers": {f.row}}
    assert run(changes, settings=Settings(severity={"V401": "off"})).findings == []


def test_entry_deadline_reads_settings_and_holidays():
    # 2026-03-02 Mon → 2026-03-05 Thu is 3 working days: late with 2, fine with 3
    changes = {("customers", 0): {"entered_date": "2026-03-05"}}
    assert [f.code for f in run(changes).findings] == ["V401"]
    assert run(changes, settings=Settings(entry_deadline_workdays=3)).findings == []
    # with an extra company day off on 2026-03-04 it is only 2 working days
    assert run(changes, settings=Settings(extra_holidays=(dt.date(2026, 3, 4),))).findings == []
    # across the National Day holiday: 2026-09-30 → 2026-10-09 is few working days in China
    changes = {("customers", 1): {"first_contact_date": "2026-09-30", "entered_date": "2026-10-09"}}
    assert "V401" not in {f.code for f in run(changes).findings}


def test_amount_tolerance_from_settings():
    changes = {("orders", 0): {"amount": 8050}}  # 0.625 % off
    assert "V303" not in {f.code for f in run(changes).findings}
    assert "V303" in {f.code for f in run(changes, settings=Settings(amount_tolerance=0.005)).findings}


def test_review_cycle_from_settings():
    changes = {("customers", 0): {"last_info_update": "2026-08-01"}}
    assert run(changes, settings=Settings(info_review_days=120)).findings == []


def test_important_review_can_be_switched_off():
    changes = {("customers", 0): {"reviewed_date": None, "reviewed_by": None}}
    [f] = run(changes).findings
    assert f.code == "V402" and "Reviewed by, Reviewed date" in f.message("en")
    assert run(changes, settings=Settings(important_needs_review=False)).findings == []


def test_findings_mark_values_never_records():
    # an amount 2.5 % off quantity × price (V303) and an unreadable country (R-code → V104): every record
    # stays; only the single-cell finding makes its value unusable, the inconsistent amount is kept
    result = run({("orders", 0): {"amount": 8200}, ("customers", 0): {"country": "XX"}})
    assert {"V303", "V104"} <= {f.code for f in result.findings}
    frames = result.usable_frames()
    assert len(frames["orders"]) == len(result.register["orders"]) and frames["orders"]["amount"].iloc[0] == 8200
    assert len(frames["customers"]) == len(result.register["customers"])
    assert pd.isna(frames["customers"]["country"].iloc[0]) and result.register["customers"]["country"].iloc[0] == "XX"
    assert result.unusable["customers"] == {"country": {int(result.register["customers"]["_row"].iloc[0])}}


def test_inquiry_shortcut_allowed_but_not_for_complaints():
    changes = {("tickets", 1): {"type": "complaint"}}
    assert [f.code for f in run(changes).findings] == ["V602"]


def test_phone_uses_customer_country_as_region():
    # "030 1234567" is a Berlin number for a German customer …
    assert run().findings == []
    # … but not a valid US number when the customer is in the US
    result = run({("contacts", 0): {"customer_id": "C2"}})
    assert "V107" in {f.code for f in result.findings} or "V108" in {f.code for f in result.findings}


def test_unreadable_cells_are_reported_once():
    result = run({("customers", 0): {"entered_date": "2026-13-45"}})
    codes = [(f.code, f.cell) for f in result.findings]
    assert ("R001", "L2") in codes
    assert ("V101", "L2") not in codes  # the value is there, just unreadable


def test_probability_written_in_per_cent_is_not_rescaled_twice():
    result = run({("opportunities", 0): {"probability": "150%"}})
    assert [(f.code, f.cell) for f in result.findings] == [("V102", "I2"), ("V502", "I2")]
    assert run({("opportunities", 0): {"probability": "70%"}}).findings == []
