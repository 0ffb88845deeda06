"""Training (F13): the new-staff deadline, findings, follow-ups and the completion metric."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from crm_xl.register import Register
from crm_xl.settings import Settings
from crm_xl.training import training_completion, training_findings, training_followups, training_status

AS_OF = dt.date(2026, 11, 20)
STAFF = [
    {"staff_id": "S01", "name": "张伟", "team": "一组", "role": "销售主管", "period": "2026-10", "hire_date": "2020-03-01"},
    {"staff_id": "S01", "name": "张伟", "team": "一组", "role": "销售主管", "period": "2026-11"},
    {"staff_id": "S02", "name": "李娜", "team": "一组", "role": "业务员", "period": "2026-11", "hire_date": "2026-09-01"},
    {"staff_id": "S03", "name": "刘洋", "team": "一组", "role": "业务员", "period": "2026-11", "hire_date": "2026-10-01"},
    {"staff_id": "S04", "name": "陈静", "team": "二组", "role": "业务员", "period": "2026-11", "hire_date": "2026-11-01"},
    {"staff_id": "S05", "name": "王强", "team": "二组", "role": "业务员", "period": "2026-11", "hire_date": "2026-06-01"},
]
SESSIONS = [{"session_id": s, "date": d, "topic": t, "hours": 2} for s, d, t in (
    ("TR1", "2026-05-10", "CRM系统操作"), ("TR2", "2026-09-20", "客户信息录入"), ("TR3", "2026-10-15", "投诉处理"),
    ("TR4", "2026-11-10", "销售机会跟进"))]
ATTENDANCE = [{"session_id": s, "staff_id": p, "attended": a} for s, p, a in (
    ("TR1", "S01", "是"), ("TR1", "S05", "是"),   # S05 attended before joining
    ("TR2", "S01", "是"), ("TR2", "S02", "是"),
    ("TR3", "S01", "否"), ("TR3", "S02", "是"), ("TR3", "S03", "否"),
    ("TR4", "S01", "是"), ("TR4", "S02", "是"), ("TR4", "S03", "是"))]


def _register(settings=None, attendance=ATTENDANCE):
    return Register.from_records({"staff": STAFF, "training_sessions": SESSIONS, "training_attendance": attendance},
                                 settings=settings or Settings())


def test_deadline_status_per_new_staff_member():
    st = training_status(_register(), AS_OF).set_index("staff_id")
    assert st.loc["S02", "trained_in_time"] and st.loc["S02", "first_training"] == pd.Timestamp("2026-09-20")
    # S03 joined 2026-10-01, deadline 2026-10-31, first attended 2026-11-10: late but trained
    assert not st.loc["S03", "trained_in_time"] and not st.loc["S03", "overdue"]
    assert not st.loc["S04", "overdue"]                    # deadline 2026-12-01 not reached yet
    assert st.loc["S05", "overdue"] and pd.isna(st.loc["S05", "first_training"])   # TR1 was before hiring
    assert st.loc["S01", "hire_date"] == pd.Timestamp("2020-03-01")


def test_findings_for_untrained_staff_and_attendance_before_hire():
    found = training_findings(_register(), AS_OF)
    assert {(f.code, f.record_id) for f in found} == {("F1301", "S05"), ("F1302", "TR1")}
    f = next(f for f in found if f.code == "F1301")
    assert f.sheet == "staff" and f.row == 7 and f.column == "hire_date"
    assert "2026-07-01" in f.message("en") and "30" in f.message("zh-CN")


def test_the_deadline_comes_from_settings():
    found = training_findings(_register(Settings(new_staff_training_days=200)), AS_OF)
    assert not [f for f in found if f.code == "F1301"]
    st = training_status(_register(Settings(new_staff_training_days=10)), AS_OF).set_index("staff_id")
    assert not st.loc["S02", "trained_in_time"]    # trained on day 19


def test_followups_go_to_the_team_manager():
    items = training_followups(_register(), AS_OF, "en", horizon_days=14).set_index("subject")
    assert set(items.index) == {"S04", "S05"}
    assert items.loc["S05", "priority"] == 1 and items.loc["S05", "due"] == pd.Timestamp("2026-07-01")
    assert items.loc["S04", "priority"] == 2 and items.loc["S04", "due"] == pd.Timestamp("2026-12-01")
    assert items.loc["S05", "owner"] == "王强"           # team 二组 has no manager: the person themselves
    assert items.loc["S05", "kind"] == "staff_training" and "joined on 2026-06-01" in items.loc["S05", "why"]
    manager = training_followups(_register(attendance=ATTENDANCE[:2]), AS_OF, "zh-CN").set_index("subject")
    assert manager.loc["S02", "owner"] == "张伟"          # 一组's 销售主管
    assert set(training_followups(_register(), AS_OF, since=dt.date(2026, 7, 1))["subject"]) == set()


def test_completion_metric_counts_sessions_since_hiring():
    q4 = training_completion(_register(), dt.date(2026, 9, 1), dt.date(2026, 11, 30))
    assert q4["张伟"] == pytest.approx(2 / 3)        # TR2, TR4 of TR2–TR4
    assert q4["李娜"] == 1.0
    assert q4["刘洋"] == pytest.approx(1 / 2)        # joined 10-01: TR3 (absent), TR4
    assert q4["陈静"] == 0.0                         # joined 11-01: TR4 held, not attended
    assert q4["王强"] == 0.0
    year = training_completion(_register(), dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert year["张伟"] == pytest.approx(3 / 4) and year["王强"] == 0.0  # TR1 before hiring does not count
    assert training_completion(_register(), dt.date(2026, 1, 1), dt.date(2026, 3, 31)).isna().all()
