"""Follow-up plan: each reason appears for a row built to trigger it and not for one built not to."""

from __future__ import annotations

from datetime import date, time

import pandas as pd
import pytest

from crm_xl.calendar import WorkCalendar, calendar_for
from crm_xl.followups import FOLLOWUP_COLUMNS, build_followups, followups_json, next_revisit
from crm_xl.register import Register
from crm_xl.settings import Settings

AS_OF = date(2026, 12, 14)  # a Monday


def _customer(cid: str, owner: str, **kw) -> dict:
    base = {"customer_id": cid, "company_name": f"{cid} Co., Ltd.", "country": "CN", "owner": owner,
            "status": "active", "first_contact_date": "2026-06-01", "entered_date": "2026-06-02",
            "last_info_update": "2026-12-01", "important": "否"}
    return base | kw


def _register(settings: Settings | None = None, **sheets) -> Register:
    return Register.from_records(sheets, settings=settings or Settings())


def _plan(reg: Register, scale: dict | None = None, overdue=None, lang="zh-CN", as_of=AS_OF) -> pd.DataFrame:
    ids = reg.frames["customers"]["customer_id"]
    s = pd.Series(scale or {}, dtype="string").reindex(ids.tolist())
    return build_followups(reg, as_of, lang, scale=s, overdue=overdue)


def _codes(plan: pd.DataFrame, cid: str) -> set[str]:
    return {c for codes in plan.loc[plan["customer_id"] == cid, "code"] for c in codes.split(",")}


def test_revisit_due_by_scale_cycle_and_not_before() -> None:
    reg = _register(
        customers=[_customer("DUE", "甲"), _customer("NOTDUE", "甲"), _customer("LOST", "甲", status="lost")],
        activities=[{"activity_id": "A1", "date": "2026-11-10", "customer_id": "DUE", "method": "phone", "summary": "s",
                     "owner": "甲"},
                    {"activity_id": "A2", "date": "2026-11-10", "customer_id": "NOTDUE", "method": "phone",
                     "summary": "s", "owner": "甲"},
                    {"activity_id": "A3", "date": "2026-01-10", "customer_id": "LOST", "method": "phone",
                     "summary": "s", "owner": "甲"}])
    plan = _plan(reg, {"DUE": "large", "NOTDUE": "medium", "LOST": "large"})
    row = plan[plan["customer_id"] == "DUE"].iloc[0]
    assert "revisit_due" in row["code"]
    assert row["due"] == pd.Timestamp("2026-12-10")  # 2026-11-10 + 30 days, a Thursday
    assert row["why"] == "上次联系 2026-11-10，大型客户每 30 天回访"
    assert "revisit_due" not in _codes(plan, "NOTDUE")  # medium: due 2027-02-08
    assert "revisit_due" not in _codes(plan, "LOST")


def test_revisit_reads_the_cycle_from_settings() -> None:
    reg = _register(Settings(revisit_days_medium=20), customers=[_customer("C", "甲")],
                    activities=[{"activity_id": "A", "date": "2026-11-10", "customer_id": "C", "method": "phone",
                                 "summary": "s", "owner": "甲"}])
    assert "revisit_due" in _codes(_plan(reg, {"C": "medium"}), "C")


def test_revisit_due_across_national_day_lands_on_the_right_working_day() -> None:
    # last contact 2025-09-02 + 30 days = 2025-10-02, inside the National Day holiday (10-01..10-08)
    reg = _register(customers=[_customer("C", "甲", last_info_update="2025-09-01")],
                    activities=[{"activity_id": "A", "date": "2025-09-02", "customer_id": "C", "method": "phone",
                                 "summary": "s", "owner": "甲"}])
    nr = next_revisit(reg, pd.Series({"C": "large"}))
    assert nr.loc[0, "due"] == pd.Timestamp("2025-10-09")
    # a hand-made calendar: the company also closes 2025-10-09 and works Saturday 2025-10-11
    cal = WorkCalendar(extra_holidays=frozenset({date(2025, 10, 9), date(2025, 10, 10)}),
                       extra_workdays=frozenset())
    assert next_revisit(reg, pd.Series({"C": "large"}), cal).loc[0, "due"] == pd.Timestamp("2025-10-11")
    plan = build_followups(reg, date(2025, 10, 9), "zh-CN", scale=pd.Series({"C": "large"}), calendar=cal)
    assert plan.loc[plan["code"].str.contains("revisit_due"), "due"].tolist() == [pd.Timestamp("2025-10-11")]


def test_opportunity_followup_due_or_past_and_not_later() -> None:
    opp = {"customer_id": "C", "title": "阀门", "stage": "qualified", "created_date": "2026-12-10",
           "status": "open", "owner": "乙", "amount": 1000, "expected_close_date": "2027-01-31"}
    reg = _register(customers=[_customer("C", "甲")], opportunities=[
        opp | {"opportunity_id": "O1", "next_followup_date": "2026-12-11", "followup_goal": "确认报价"},
        opp | {"opportunity_id": "O2", "next_followup_date": "2027-01-20"},
        opp | {"opportunity_id": "O3", "next_followup_date": "2026-12-12", "status": "lost", "lost_reason": "价格"},
    ])
    plan = _plan(reg)
    hit = plan[plan["code"].str.contains("opportunity_followup")]
    assert hit["opportunity_id"].tolist() == ["O1"]
    assert hit["owner"].tolist() == ["乙"]  # the opportunity's owner, not the customer's
    assert "确认报价" in hit["why"].iloc[0]


def test_stale_opportunity_by_stage_limit() -> None:
    opp = {"customer_id": "C", "title": "t", "stage": "negotiation", "created_date": "2026-10-01",
           "status": "open", "owner": "甲", "amount": 1, "expected_close_date": "2027-01-31", "next_step": "x"}
    reg = _register(customers=[_customer("C", "甲"), _customer("D", "甲")], opportunities=[
        opp | {"opportunity_id": "STALE"},
        opp | {"opportunity_id": "FRESH", "customer_id": "D"},
    ], activities=[
        {"activity_id": "A1", "date": "2026-11-20", "customer_id": "C", "opportunity_id": "STALE", "method": "email",
         "summary": "s", "owner": "甲"},  # 24 days > 14
        {"activity_id": "A2", "date": "2026-12-05", "customer_id": "D", "opportunity_id": "FRESH", "method": "email",
         "summary": "s", "owner": "甲"},  # 9 days
    ])
    plan = _plan(reg)
    stale = plan[plan["code"].str.contains("stale_opportunity")]
    assert stale["opportunity_id"].tolist() == ["STALE"]
    assert stale["due"].tolist() == [pd.Timestamp("2026-12-04")]
    assert "24 天无跟进" in stale["why"].iloc[0]


def test_birthdays_in_window_year_wrap_and_feb_29() -> None:
    contacts = [
        {"contact_id": "P1", "customer_id": "C", "name": "Anna", "birthday": "1980-12-18"},   # in 4 days
        {"contact_id": "P2", "customer_id": "C", "name": "Bob", "birthday": "1980-12-25"},    # 11 days: outside
        {"contact_id": "P3", "customer_id": "D", "name": "Cleo", "birthday": "1992-01-02"},   # across new year
        {"contact_id": "P4", "customer_id": "E", "name": "Dan", "birthday": "1996-02-29"},    # leap day
    ]
    reg = _register(customers=[_customer(c, "甲") for c in "CDE"], contacts=contacts)
    plan = _plan(reg, as_of=date(2026, 12, 28))
    b = plan[plan["code"].str.contains("birthday")]
    assert set(b["contact_id"]) == {"P3"}
    assert b["due"].tolist() == [pd.Timestamp("2027-01-02")]
    plan = _plan(reg)
    assert set(plan.loc[plan["code"].str.contains("birthday"), "contact_id"]) == {"P1"}
    leap = _plan(reg, as_of=date(2027, 2, 25))  # 2027 is not a leap year → 2027-02-28
    row = leap[leap["code"].str.contains("birthday")]
    assert row["contact_id"].tolist() == ["P4"] and row["due"].tolist() == [pd.Timestamp("2027-02-28")]


def test_holidays_of_the_customers_country_and_chinese_festivals() -> None:
    reg = _register(customers=[_customer("DE1", "甲", country="DE"), _customer("CN1", "甲")])
    plan = _plan(reg, lang="en", as_of=date(2026, 12, 21))
    de = plan[(plan["customer_id"] == "DE1") & plan["code"].str.contains("holiday")]
    assert any("Christmas" in w for w in de["why"])
    assert any("Merry Christmas and Happy New Year" in g for g in de["greeting"].dropna())
    # Second Day of Christmas merges into one Christmas greeting
    assert sum("Christmas" in w for w in de["why"]) == 1
    cn = plan[(plan["customer_id"] == "CN1") & plan["code"].str.contains("holiday")]
    assert not any("Christmas" in w for w in cn["why"])
    # before the Spring Festival, in Chinese; bridging days off are skipped
    plan = _plan(reg, as_of=date(2026, 2, 9))
    cn = plan[(plan["customer_id"] == "CN1") & plan["code"].str.contains("holiday")]
    assert any("新春问候" in g for g in cn["greeting"].dropna())
    assert not plan["why"].str.contains("调休").any()
    de = plan[(plan["customer_id"] == "DE1") & plan["code"].str.contains("holiday")]
    assert any("放假安排" in g for g in de["greeting"].dropna())  # foreign customer: our holiday schedule
    # greeting due on the last working day before the festival (春节 2026-02-17; 02-14 is a make-up Saturday)
    assert pd.Timestamp("2026-02-14") in set(cn["due"])


def test_info_review_and_important_customer_check() -> None:
    reg = _register(customers=[
        _customer("OLD", "甲", last_info_update="2026-08-01"),
        _customer("NEW", "甲", last_info_update="2026-11-01"),
        _customer("VIP", "甲", important="是"),
        _customer("VIPOK", "甲", important="是", reviewed_by="丙", reviewed_date="2026-06-03"),
    ])
    plan = _plan(reg)
    assert "info_review" in _codes(plan, "OLD")
    assert "info_review" not in _codes(plan, "NEW")
    assert "important_review" in _codes(plan, "VIP")
    assert "important_review" not in _codes(plan, "VIPOK")
    off = _plan(_register(Settings(important_needs_review=False), customers=[_customer("VIP", "甲", important="是")]))
    assert "important_review" not in _codes(off, "VIP")


def test_overdue_receivables_from_the_input_frame() -> None:
    reg = _register(customers=[_customer("C", "甲"), _customer("D", "甲")])
    overdue = pd.DataFrame({"order_id": ["SO1"], "customer_id": ["C"], "owner": ["乙"], "days_overdue": [35],
                            "amount_base": [123456.7]})
    plan = _plan(reg, overdue=overdue)
    row = plan[plan["code"].str.contains("receivable_overdue")]
    assert row["customer_id"].tolist() == ["C"] and row["owner"].tolist() == ["乙"]
    assert row["priority"].tolist() == [1]
    assert "SO1" in row["why"].iloc[0] and "123,456.70" in row["why"].iloc[0]
    assert "receivable_overdue" not in _codes(plan, "D")


def test_satisfaction_call_after_closed_complaint() -> None:
    t = {"type": "complaint", "received_at": "2026-12-01 10:00", "description": "d", "urgency": "high",
         "status": "closed", "closed_at": "2026-12-10 16:00", "assignee": "客服小王"}
    reg = _register(customers=[_customer(c, "甲") for c in ("A", "B", "C")], tickets=[
        t | {"ticket_id": "T1", "customer_id": "A"},
        t | {"ticket_id": "T2", "customer_id": "B", "satisfaction": 4},
        t | {"ticket_id": "T3", "customer_id": "C", "status": "investigating", "closed_at": None},
    ])
    plan = _plan(reg)
    row = plan[plan["code"].str.contains("satisfaction_call")]
    assert row["ticket_id"].tolist() == ["T1"]
    assert row["due"].tolist() == [pd.Timestamp("2026-12-15")]  # Thu 10th + 3 working days
    assert row["owner"].tolist() == ["客服小王"]


def test_merge_per_customer_and_day_sort_and_contract_shape() -> None:
    opp = {"customer_id": "C", "title": "t", "stage": "lead", "created_date": "2026-12-01", "status": "open",
           "owner": "乙"}
    reg = _register(customers=[_customer("C", "乙", important="是"), _customer("A", "甲", important="是")],
                    opportunities=[opp | {"opportunity_id": "O1", "next_followup_date": "2026-12-14"}])
    plan = _plan(reg)
    assert list(plan.columns) == FOLLOWUP_COLUMNS
    c = plan[plan["customer_id"] == "C"]
    assert len(c) == 1  # the follow-up and the double check on the same day are one item
    assert c["priority"].iloc[0] == 1 and c["code"].iloc[0] == "opportunity_followup,important_review"
    assert c["reason"].iloc[0] == "机会跟进到期；重要客户待二次核对"
    assert plan["owner"].tolist() == sorted(plan["owner"])
    items = followups_json(plan)
    assert set(items[0]) == {"owner", "due", "priority", "reason", "customer_id", "contact_id", "opportunity_id",
                             "ticket_id"}
    mine = [i for i in items if i["customer_id"] == "C"]
    assert mine == [{"owner": "乙", "due": "2026-12-14", "priority": 1, "reason": "机会跟进到期；重要客户待二次核对",
                     "customer_id": "C", "contact_id": None, "opportunity_id": "O1", "ticket_id": None}]


def test_reasons_in_english_and_traditional_chinese() -> None:
    reg = _register(customers=[_customer("C", "甲", last_info_update="2026-01-01")])
    assert _plan(reg, lang="en")["reason"].tolist() == ["Customer information review due"]
    assert _plan(reg, lang="zh-TW")["reason"].tolist() == ["客戶資訊待核實"]


def test_empty_register_gives_an_empty_plan() -> None:
    plan = _plan(_register())
    assert plan.empty and list(plan.columns) == FOLLOWUP_COLUMNS
    assert followups_json(plan) == []


def test_calendar_for_reads_settings() -> None:
    s = Settings(extra_holidays=(date(2026, 12, 15),), workday_start=time(8, 30), workday_end=time(17, 30))
    cal = calendar_for(s)
    assert not cal.is_workday(date(2026, 12, 15)) and cal.hours_per_day == pytest.approx(9.0)
    assert cal.day_start == time(8, 30)


def test_calendar_for_survives_contradictory_settings() -> None:
    """A date listed as both a day off and a working day is a day off; impossible hours give way to the defaults."""
    clash = date(2026, 12, 15)
    s = Settings(extra_holidays=(clash,), extra_workdays=(clash,), workday_start=time(18), workday_end=time(9))
    cal = calendar_for(s)
    assert not cal.is_workday(clash)
    assert (cal.day_start, cal.day_end) == (time(9), time(18))
    assert calendar_for(s) is cal  # equal Settings share one calendar and its day tables
