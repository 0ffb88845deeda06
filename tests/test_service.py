"""Service: SLA deadlines on hand-made calendars, escalation, workflow, analysis, surveys."""

from __future__ import annotations

from datetime import date, datetime, time

import pandas as pd
import pytest

from crm_xl.calendar import WorkCalendar
from crm_xl.register import Register
from crm_xl.service import as_of_moment, build_service, complaint_analysis, escalations, survey_scores, ticket_sla
from crm_xl.settings import Settings
from crm_xl.workflow import ALLOWED_TRANSITIONS, STATUSES, check_history, next_statuses, parse_steps

# A hand-made calendar: no country holidays, Sat/Sun off, 09:00–18:00, plus company rules.
PLAIN = WorkCalendar(country=None)


def _ticket(tid: str, **kw) -> dict:
    return {"ticket_id": tid, "type": "complaint", "received_at": "2026-11-02 10:00", "customer_id": "C",
            "description": "d", "urgency": "medium", "status": "received"} | kw


def _reg(tickets, settings: Settings | None = None, **more) -> Register:
    return Register.from_records({"customers": [{"customer_id": "C", "company_name": "C", "country": "DE",
                                                 "owner": "甲", "status": "active"}], "tickets": tickets, **more},
                                 settings=settings or Settings())


def test_inquiry_received_friday_evening_is_due_at_the_right_hour() -> None:
    # Friday 2026-11-20 19:30, after hours → counts from Monday 09:00: Mon 9 h + Tue 9 h + Wed 6 h = 15:00 Wed
    reg = _reg([_ticket("T", type="inquiry", received_at="2026-11-20 19:30")])
    sla = ticket_sla(reg, date(2026, 11, 20), PLAIN)
    assert sla.loc[0, "response_due"] == pd.Timestamp("2026-11-25 15:00")
    # the company closes Tuesday 24th: one more working day
    cal = WorkCalendar(country=None, extra_holidays=frozenset({date(2026, 11, 24)}))
    assert ticket_sla(reg, date(2026, 11, 20), cal).loc[0, "response_due"] == pd.Timestamp("2026-11-26 15:00")
    # shorter working hours from Settings: 08:00–12:00 → 4 h a day → 6 working days → Mon 30th 12:00
    short = WorkCalendar(country=None, day_start=time(8), day_end=time(12))
    assert ticket_sla(reg, date(2026, 11, 20), short).loc[0, "response_due"] == pd.Timestamp("2026-11-30 12:00")


def test_complaint_contact_and_resolution_deadlines_by_urgency() -> None:
    reg = _reg([_ticket("H", urgency="high", received_at="2026-11-20 19:30"),
                _ticket("L", urgency="low", received_at="2026-11-20 19:30")])
    sla = ticket_sla(reg, date(2026, 11, 20), PLAIN).set_index("ticket_id")
    assert sla.loc["H", "response_due"] == pd.Timestamp("2026-11-23 18:00")  # 1 working day: Monday's close
    assert sla.loc["H", "resolution_due"] == pd.Timestamp("2026-11-25 18:00")  # 3 working days
    assert sla.loc["L", "resolution_due"] == pd.Timestamp("2026-12-11 18:00")  # 15 working days
    faster = Settings(resolution_days_high=1, complaint_contact_workdays=0)
    sla = ticket_sla(_reg([_ticket("H", urgency="high", received_at="2026-11-20 19:30")], faster),
                     date(2026, 11, 20), PLAIN)
    assert sla.loc[0, "resolution_due"] == pd.Timestamp("2026-11-23 18:00")
    assert sla.loc[0, "response_due"] == pd.Timestamp("2026-11-20 18:00")  # same working day


def test_sla_with_the_real_chinese_calendar_skips_national_day() -> None:
    reg = _reg([_ticket("T", urgency="high", received_at="2025-09-30 11:00")])
    sla = ticket_sla(reg, date(2025, 10, 20))
    assert sla.loc[0, "response_due"] == pd.Timestamp("2025-10-09 18:00")
    assert sla.loc[0, "resolution_due"] == pd.Timestamp("2025-10-11 18:00")  # make-up Saturday counts


def test_met_breached_overdue_open() -> None:
    reg = _reg([
        _ticket("MET", status="closed", first_response_at="2026-11-02 15:00", closed_at="2026-11-05 12:00"),
        _ticket("LATE", status="closed", first_response_at="2026-11-04 09:00", closed_at="2026-11-20 12:00"),
        _ticket("OVER", status="investigating"),
        _ticket("OPEN", status="assigned", received_at="2026-11-12 10:00"),
    ])
    sla = ticket_sla(reg, datetime(2026, 11, 13, 12), PLAIN).set_index("ticket_id")
    assert sla["response_status"].to_dict() == {"MET": "met", "LATE": "breached", "OVER": "overdue", "OPEN": "open"}
    assert sla["resolution_status"].to_dict() == {"MET": "met", "LATE": "breached", "OVER": "overdue",
                                                  "OPEN": "open"}
    # MET: Mon 10:00 → Thu 12:00 = 8 + 9 + 9 + 3 = 29 working hours
    assert sla.loc["MET", "resolution_hours"] == pytest.approx(29)
    assert sla.loc["MET", "resolution_workdays"] == pytest.approx(29 / 9)
    assert as_of_moment(date(2026, 11, 13)) == pd.Timestamp("2026-11-14 00:00")
    assert as_of_moment(datetime(2026, 11, 13, 9)) == pd.Timestamp("2026-11-13 09:00")


def test_escalation_ladder_assignee_department_manager() -> None:
    reg = _reg([
        _ticket("A", type="inquiry", received_at="2026-11-11 10:00", assignee="小王", responsible_dept="客服部"),
        _ticket("B", received_at="2026-11-09 10:00", assignee="小李", responsible_dept="质量部"),
        _ticket("C", received_at="2026-11-02 10:00", assignee="小张", responsible_dept="物流部"),
        _ticket("D", type="inquiry", received_at="2026-11-11 10:00", responsible_dept="单证部"),
        _ticket("OK", received_at="2026-11-13 10:00", assignee="小赵"),
    ], staff=[{"staff_id": "S1", "name": "赵经理", "role": "manager", "period": "2026"}])
    as_of = datetime(2026, 11, 13, 17)
    esc = escalations(ticket_sla(reg, as_of, PLAIN), reg, as_of, "zh-CN", PLAIN)
    first = esc.drop_duplicates("ticket_id").set_index("ticket_id")
    assert "OK" not in first.index
    assert first.loc["A", "level"] == "assignee" and first.loc["A", "escalate_to"] == "小王"
    assert first.loc["A", "late_hours"] == pytest.approx(1)  # Wed 10:00 + 24 h = Fri 16:00, now 17:00
    assert first.loc["D", "escalate_to"] == "单证部负责人"  # no assignee: straight to the department
    b = esc[(esc["ticket_id"] == "B") & (esc["sla"] == "response")].iloc[0]
    assert b["late_workdays"] == 3 and b["escalate_to"] == "赵经理"  # due Tue 10th 18:00
    c = esc[esc["ticket_id"] == "C"].set_index("sla")
    assert c.loc["response", "level"] == "manager"  # due Tue 3rd: 8 working days late
    assert c.loc["resolution", "level"] == "department"  # due Wed 11th 18:00: 2 working days late
    assert c.loc["resolution", "escalate_to"] == "物流部负责人"
    assert esc["late_hours"].is_monotonic_decreasing
    lenient = Settings(escalate_dept_workdays=5, escalate_manager_workdays=10)
    esc = escalations(ticket_sla(reg, as_of, PLAIN), _reg(reg.frames["tickets"].drop(columns="_row"), lenient),
                      as_of, "en", PLAIN)
    assert esc.loc[(esc["ticket_id"] == "B") & (esc["sla"] == "response"), "level"].tolist() == ["assignee"]


def test_reopen_suggested_below_the_settings_threshold() -> None:
    t = [_ticket("LOW", status="closed", closed_at="2026-11-03 10:00", satisfaction=2),
         _ticket("FINE", status="closed", closed_at="2026-11-03 10:00", satisfaction=3)]
    sla = ticket_sla(_reg(t), date(2026, 11, 5), PLAIN).set_index("ticket_id")
    assert sla["reopen_suggested"].to_dict() == {"LOW": True, "FINE": False}
    sla = ticket_sla(_reg(t, Settings(reopen_satisfaction_below=4)), date(2026, 11, 5), PLAIN).set_index("ticket_id")
    assert sla["reopen_suggested"].to_dict() == {"LOW": True, "FINE": True}


def test_workflow_transitions_and_history() -> None:
    assert set(ALLOWED_TRANSITIONS) == set(STATUSES)
    assert all(v <= set(STATUSES) for v in ALLOWED_TRANSITIONS.values())
    assert "reopened" in next_statuses("closed") and next_statuses("nonsense") == set()
    ok = ["received", "assigned", "investigating", "proposed", "implementing", "awaiting_feedback", "closed",
          "reopened", "investigating", "proposed", "implementing", "awaiting_feedback", "closed"]
    assert check_history(ok) is None
    assert check_history(["received", "closed", "investigating"]) == ("received", "closed")  # complaints investigate
    assert check_history(["received", "closed"], "inquiry") is None  # an inquiry may be answered at once
    assert check_history(["received", "received", "assigned"]) is None
    steps = parse_steps("已受理 2026-11-02 09:10 > assigned 2026/11/3 > 調查中 > 瞎写")
    assert [s.status for s in steps] == ["received", "assigned", "investigating", None]
    assert steps[0].at == datetime(2026, 11, 2, 9, 10) and steps[1].at == datetime(2026, 11, 3)
    sla = ticket_sla(_reg([_ticket("X", status_history="已受理>已分配>调查中>处理中>已关闭>调查中"), _ticket("Y", status_history="已受理>乱"),
                           _ticket("Z", status_history="已受理>已分配")]), date(2026, 11, 5), PLAIN)
    assert sla["history_problem"].tolist() == ["closed>investigating", "unreadable", pd.NA] or \
        sla["history_problem"].fillna("-").tolist() == ["closed>investigating", "unreadable", "-"]


def test_complaint_analysis_by_category_and_month() -> None:
    reg = _reg([
        _ticket("Q1", category="quality", status="closed", closed_at="2026-11-03 10:00", satisfaction=4),  # met
        _ticket("Q2", category="quality", status="closed", closed_at="2026-11-30 10:00", satisfaction=2,
                reopened_count=1),  # breached
        _ticket("D1", category="delivery", received_at="2026-10-05 10:00", status="investigating"),  # overdue
        _ticket("I1", type="inquiry", category="quality", status="closed", closed_at="2026-11-03 10:00"),
    ])
    a = complaint_analysis(ticket_sla(reg, date(2026, 12, 1), PLAIN))
    q = a["category"].set_index("category").loc["quality"]
    assert q["count"] == 2 and q["closed"] == 2  # the inquiry is not a complaint
    assert q["on_time_rate"] == pytest.approx(0.5)
    assert q["reopen_rate"] == pytest.approx(0.5)
    assert q["satisfaction"] == pytest.approx(3)
    # Q1 Mon 10:00 → Tue 10:00 = 8 + 1 h; Q2 → Mon 30th 10:00 = 8 + 19 days × 9 + 1 h
    assert q["mean_resolution_hours"] == pytest.approx((9 + 180) / 2)
    d = a["category"].set_index("category").loc["delivery"]
    assert d["overdue"] == 1 and pd.isna(d["on_time_rate"])
    assert a["month"].set_index("month")["count"].to_dict() == {"2026-10": 1, "2026-11": 2}


def test_survey_csat_and_nps() -> None:
    sv = [{"survey_id": f"S{i}", "customer_id": "C", "date": "2026-11-01", "product_score": p, "service_score": 3,
           "nps": n} for i, (p, n) in enumerate([(5, 10), (4, 9), (3, 8), (2, 6), (5, 0)])]
    sv.append({"survey_id": "LATE", "customer_id": "C", "date": "2026-12-20", "product_score": 1, "nps": 0})
    reg = _reg([], surveys=sv)
    s = survey_scores(reg, date(2026, 11, 30))
    assert s["surveys"] == 5
    assert s["csat"]["product"] == {"answers": 5, "csat": 60.0, "mean": 3.8}
    assert s["csat"]["service"]["csat"] == 0.0
    assert s["csat"]["delivery"] == {"answers": 0, "csat": None, "mean": None}
    assert s["nps"] == {"answers": 5, "promoters": 40.0, "detractors": 40.0, "passives": 20.0, "nps": 0.0}


def test_build_service_json_block() -> None:
    reg = _reg([_ticket("T", status="closed", closed_at="2026-11-03 10:00", satisfaction=1),
                _ticket("U", status="investigating")])
    report = build_service(reg, date(2026, 12, 1), "zh-CN", PLAIN)
    js = report.to_json()
    assert js["as_of"] == "2026-12-01"
    assert js["summary"]["reopen_suggested"] == ["T"] and js["summary"]["overdue"] == 1
    assert {e["ticket_id"] for e in js["escalations"]} == {"U"}
    assert set(js["analysis"]) == {"by_category", "by_product", "by_root_cause", "by_month"}
    assert js["tickets"][0]["resolution_due"] == "2026-11-11 18:00"
    import json

    json.dumps(js)  # serializable
