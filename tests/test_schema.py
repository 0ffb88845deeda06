"""The schema is the single source: complete, unambiguous, in three languages."""

from __future__ import annotations

import re

import pytest

from crm_xl.i18n import LANGS, fold
from crm_xl.schema import DATA_SHEETS, ENUMS, SHEETS, sheet_lookup
from crm_xl.settings import SCALAR_KEYS, Settings

SPEC_COLUMNS = {
    "customers": "customer_id, company_name, country, address, industry, business_scope, legal_rep, source_channel, referrer, owner, first_contact_date, entered_date, coop_start_date, annual_purchase_amount, currency, purchase_frequency, budget, products_of_interest, decision_process, payment_terms, incoterms, credit_rating, credit_limit, important, reviewed_by, reviewed_date, last_info_update, status, notes",
    "contacts": "contact_id, customer_id, name, title, decision_role, phone, email, wechat, whatsapp, birthday, preferred_language, preferences",
    "opportunities": "opportunity_id, customer_id, contact_id, title, source, product, region, stage, probability, amount, currency, quantity, created_date, expected_close_date, competitors, next_step, next_followup_date, owner, status, lost_reason, won_date, order_id",
    "activities": "activity_id, date, customer_id, opportunity_id, contact_id, method, summary, outcome, next_action, next_date, owner",
    "orders": "order_id, customer_id, opportunity_id, order_date, product, spec, quantity, unit_price, currency, amount, cost, promised_delivery_date, ship_date, arrival_date, status, invoice_no, invoiced_amount, received_amount, payment_due_date, paid_date, owner",
    "tickets": "ticket_id, type, received_at, channel, customer_id, complainant, contact_info, order_id, product, category, description, expected_resolution, urgency, responsible_dept, assignee, first_response_at, status, root_cause, solution, compensation, closed_at, satisfaction, reopened_count",
    "surveys": "survey_id, customer_id, date, channel, product_score, service_score, communication_score, delivery_score, overall_score, nps, comments",
    "staff": "staff_id, name, team, role, period, sales_target, quantity_target, new_customer_target, expense, teamwork_score",
    "changelog": "at, user, sheet, record_id, column, old_value, new_value, reason",
}


@pytest.mark.parametrize("sheet", list(SPEC_COLUMNS))
def test_every_spec_column_is_declared(sheet):
    declared = SHEETS[sheet].keys
    for key in SPEC_COLUMNS[sheet].split(", "):
        assert key in declared, f"{sheet}.{key} missing from the schema"


def test_spec_enumerations():
    assert ENUMS["stage"].codes == ("lead", "interested", "qualified", "negotiation", "contract", "execution")
    assert [ENUMS["stage"].label(c, "zh-CN") for c in ENUMS["stage"].codes] == [
        "潜在客户", "意向客户", "需求明确", "商务谈判", "合同签订", "项目执行"]
    assert ENUMS["ticket_status"].label("awaiting_feedback", "zh-CN") == "待客户反馈"
    assert len(ENUMS["incoterms"].codes) == 11
    assert ENUMS["kpi_grade"].label("fail", "zh-CN") == "不合格"


@pytest.mark.parametrize("sheet", list(SHEETS.values()), ids=lambda s: s.key)
def test_labels_unambiguous_within_a_sheet(sheet):
    seen: dict[str, str] = {}
    for column in sheet.columns:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", column.key)
        for lang in LANGS:
            label = column.label(lang)
            assert label, f"{sheet.key}.{column.key} has no {lang} label"
            folded = fold(label)
            assert seen.get(folded, column.key) == column.key, f"label {label} used twice in {sheet.key}"
            seen[folded] = column.key
        if column.kind == "enum":
            assert column.enum in ENUMS
        if column.ref:
            target_sheet, target_col = column.ref.split(".")
            assert SHEETS[target_sheet].has(target_col)


def test_sheet_labels_unambiguous_and_short():
    lookup = sheet_lookup()
    for sheet in SHEETS.values():
        for lang in LANGS:
            assert lookup[fold(sheet.label(lang))] == sheet.key
            assert len(sheet.label(lang)) <= 31  # Excel's sheet-name limit
    assert set(DATA_SHEETS) >= set(SPEC_COLUMNS)


def test_enum_labels_unambiguous():
    for enum in ENUMS.values():
        lookup = enum.lookup()
        for code in enum.codes:
            for lang in LANGS:
                assert lookup[fold(enum.label(code, lang))] == code


def test_traditional_labels_are_traditional():
    assert SHEETS["customers"].label("zh-TW") == "客戶"
    assert SHEETS["opportunities"].column("expected_close_date").label("zh-TW") == "預計成交日期"


def test_settings_defaults_match_spec():
    s = Settings()
    assert (s.base_currency, s.scale_large_min, s.scale_medium_min) == ("CNY", 5_000_000, 1_000_000)
    assert (s.abc_a_share, s.abc_b_share, s.coop_long_years, s.coop_mid_years) == (0.80, 0.95, 5, 2)
    assert (s.revisit_days_large, s.revisit_days_medium, s.revisit_days_small) == (30, 90, 180)
    assert (s.entry_deadline_workdays, s.info_review_days, s.important_needs_review) == (2, 90, True)
    assert {k: r.probability for k, r in s.stages.items()} == {
        "lead": .10, "interested": .20, "qualified": .40, "negotiation": .70, "contract": 1.0, "execution": 1.0}
    assert (s.stale_days("lead"), s.stale_days("interested"), s.stale_days("qualified"), s.stale_days("negotiation")) == (30, 30, 14, 14)
    assert (s.inquiry_response_hours, s.complaint_contact_workdays) == (24, 1)
    assert (s.resolution_days("high"), s.resolution_days("medium"), s.resolution_days("low")) == (3, 7, 15)
    assert s.kpi_weights == {"sales": .50, "customers": .25, "process": .15, "teamwork": .10}
    assert (s.kpi_excellent_min, s.kpi_good_min, s.kpi_pass_min) == (90, 75, 60)
    assert (s.risk_overdue_high_days, s.birthday_window_days, s.holiday_window_days) == (60, 7, 14)
    for key in SCALAR_KEYS:
        assert Settings.model_fields[key].description, key
