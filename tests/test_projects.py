"""Cooperation projects (F12): milestone overdue and deviation, changes, acceptance, processing orders."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from crm_xl.projects import milestone_status, project_findings, project_followups, project_report, project_summary
from crm_xl.register import Register
from crm_xl.settings import Settings

AS_OF = dt.date(2026, 11, 20)
CUSTOMERS = [{"customer_id": "C1", "company_name": "Acme GmbH", "country": "DE", "source_channel": "trade_fair",
              "owner": "王芳", "first_contact_date": "2025-01-05", "entered_date": "2025-01-06", "status": "active"}]


def _project(pid, **kw):
    base = {"project_id": pid, "customer_id": "C1", "title": f"项目{pid}", "owner": "王芳", "start_date": "2026-08-01",
            "planned_end_date": "2026-12-31", "status": "executing"}
    base.update(kw)
    return base


def _ms(mid, pid, planned, actual=None, status=None, **kw):
    base = {"milestone_id": mid, "project_id": pid, "name": f"节点{mid}", "planned_date": planned, "actual_date": actual,
            "status": status or ("done" if actual else "planned")}
    base.update(kw)
    return base


def _register(projects, milestones=(), changes=(), settings=None):
    return Register.from_records({"customers": CUSTOMERS, "projects": projects, "milestones": list(milestones),
                                  "project_changes": list(changes)}, settings=settings or Settings())


def test_deviation_and_overdue_per_milestone():
    reg = _register([_project("P1")], [
        _ms("M1", "P1", "2026-09-01", "2026-09-04"),               # done 3 days late: fine
        _ms("M2", "P1", "2026-10-01", "2026-10-15"),               # done 14 days late: alert
        _ms("M3", "P1", "2026-11-15", status="in_progress"),       # open, 5 days overdue
        _ms("M4", "P1", "2026-11-01"),                             # open, 19 days overdue: alert
        _ms("M5", "P1", "2026-12-10"),                             # not yet due
        _ms("M6", "P1", "2026-08-10", status="cancelled"),
    ])
    ms = milestone_status(reg, AS_OF).set_index("milestone_id")
    assert list(ms.loc[["M1", "M2", "M3", "M4"], "deviation"]) == [3, 14, 5, 19]
    assert ms.loc[["M5", "M6"], "deviation"].isna().all()
    assert list(ms.index[ms["overdue"]]) == ["M3", "M4"] and list(ms.index[ms["alert"]]) == ["M2", "M4"]
    found = {(f.record_id, f.code, f.severity) for f in project_findings(reg, AS_OF)}
    assert {("M2", "F1202", "error"), ("M4", "F1202", "error"), ("M3", "F1201", "warning")} <= found
    assert not {r for r, *_ in found} & {"M1", "M5", "M6"}
    m4 = next(f for f in project_findings(reg, AS_OF) if f.record_id == "M4")
    assert "19" in m4.message("en") and "7" in m4.message("en") and m4.column == "planned_date"


def test_the_threshold_comes_from_settings():
    reg = _register([_project("P1")], [_ms("M1", "P1", "2026-09-01", "2026-09-04")],
                    settings=Settings(milestone_deviation_days=2))
    assert [f.code for f in project_findings(reg, AS_OF) if f.sheet == "milestones"] == ["F1202"]


def test_followups_for_overdue_and_upcoming_milestones():
    reg = _register([_project("P1")], [_ms("M3", "P1", "2026-11-15", owner="李强"), _ms("M4", "P1", "2026-11-01"),
                                       _ms("M5", "P1", "2026-11-25")])
    items = project_followups(reg, AS_OF, "en", horizon_days=7).set_index("subject")
    assert items.loc["M4", "priority"] == 1 and items.loc["M3", "priority"] == 2 and items.loc["M5", "priority"] == 3
    assert items.loc["M3", "owner"] == "李强" and items.loc["M4", "owner"] == "王芳"
    assert items.loc["M4", "kind"] == "milestone_overdue" and "19 days overdue" in items.loc["M4", "why"]
    assert items.loc["M4", "customer_id"] == "C1"
    assert "M5" not in set(project_followups(reg, AS_OF, "en")["subject"])


def test_unapproved_changes_and_missing_approver():
    reg = _register([_project("P1")], changes=[
        {"change_id": "CR1", "project_id": "P1", "date": "2026-10-01", "description": "加一台设备", "impact_days": 10},
        {"change_id": "CR2", "project_id": "P1", "date": "2026-10-05", "description": "改颜色", "approved": "是"},
        {"change_id": "CR3", "project_id": "P1", "date": "2026-10-06", "description": "改包装", "approved": "否",
         "approved_by": "经理"}])
    found = {(f.record_id, f.code) for f in project_findings(reg, AS_OF)}
    assert found == {("CR1", "F1204"), ("CR2", "F1205")}
    item = project_followups(reg, AS_OF, "zh-CN").query("kind == 'change_approval'")
    assert list(item["subject"]) == ["CR1"] and "10 天" in item.iloc[0]["why"]


def test_acceptance_missing_after_the_last_milestone():
    projects = [_project("P1"), _project("P2", acceptance_date="2026-11-10", acceptance_result="passed",
                                          status="accepted", customer_rating=4),
                _project("P3"), _project("P4", status="closed")]
    milestones = [_ms("A", "P1", "2026-10-01", "2026-10-01"), _ms("B", "P1", "2026-11-01", "2026-11-02"),
                  _ms("C", "P2", "2026-11-01", "2026-11-01"),
                  _ms("D", "P3", "2026-11-01", "2026-11-18")]  # done 2 days ago: within the grace
    reg = _register(projects, milestones)
    found = {(f.record_id, f.code) for f in project_findings(reg, AS_OF)}
    assert ("P1", "F1206") in found and ("P4", "F1207") in found
    assert not {("P2", "F1206"), ("P3", "F1206")} & found
    acc = project_followups(reg, AS_OF, "en").query("kind == 'acceptance_due'")
    assert list(acc["subject"]) == ["P1"] and acc.iloc[0]["due"] == pd.Timestamp("2026-11-09")


def test_processing_order_sequence():
    reg = _register([
        _project("P1", bom_ref="BOM-7", material_arrival_date="2026-09-10", iqc_result="pass",
                 production_start="2026-09-05", production_end="2026-09-01"),
        _project("P2", bom_ref="BOM-8", material_arrival_date="2026-09-10", iqc_result="fail"),
        _project("P3", bom_ref="BOM-9", material_arrival_date="2026-09-10", production_start="2026-09-12"),
        _project("P4", production_start="2026-09-12", iqc_result="pass", material_arrival_date="2026-09-01"),
        _project("P5", planned_end_date="2026-07-01"),
    ])
    found = {(f.record_id, f.code) for f in project_findings(reg, AS_OF)}
    assert found == {("P1", "F1209"), ("P1", "F1211"), ("P3", "F1210"), ("P4", "F1212"), ("P5", "F1208")}
    iqc = project_followups(reg, AS_OF, "en").query("kind == 'iqc_failed'")
    assert list(iqc["subject"]) == ["P2"] and iqc.iloc[0]["priority"] == 1


def test_report_on_time_late_deviation_and_ratings():
    projects = [
        _project("P1", planned_end_date="2026-10-31", actual_end_date="2026-11-03", status="accepted",
                 acceptance_date="2026-11-05", acceptance_result="passed", customer_rating=5),
        # late by 20 days, but an approved change added 15 days → 5 days: on time
        _project("P2", planned_end_date="2026-10-01", actual_end_date="2026-10-21", status="closed",
                 acceptance_date="2026-10-25", acceptance_result="conditional", customer_rating=3),
        _project("P3", planned_end_date="2026-10-01", status="executing"),  # open, 50 days past its end
        _project("P4", status="cancelled"),
    ]
    milestones = [_ms("A", "P1", "2026-10-01", "2026-10-03"), _ms("B", "P2", "2026-09-01", "2026-09-01"),
                  _ms("C", "P3", "2026-09-15", "2026-09-20")]
    changes = [{"change_id": "CR1", "project_id": "P2", "date": "2026-09-10", "description": "扩容", "impact_days": 15,
                "impact_amount": 20000, "approved": "yes", "approved_by": "总经理"}]
    reg = _register(projects, milestones, changes)
    summary = project_summary(reg, AS_OF).set_index("project_id")
    assert summary.loc["P2", "adjusted_end"] == pd.Timestamp("2026-10-16") and summary.loc["P2", "end_deviation"] == 5
    assert summary.loc["P2", "on_time"] and not summary.loc["P2", "late"] and summary.loc["P2", "change_amount"] == 20000
    assert summary.loc["P3", "late"] and summary.loc["P3", "end_deviation"] == 50 and not summary.loc["P3", "on_time"]
    report = project_report(reg, AS_OF)
    assert (report["projects"], report["finished"], report["on_time"], report["late"]) == (3, 2, 2, 1)
    assert report["average_deviation"] == pytest.approx((2 + 0 + 5) / 3)
    assert report["acceptance"] == {"passed": 1, "conditional": 1} and report["average_rating"] == 4


def test_milestones_whose_status_is_unusable_still_count_and_nothing_crashes():
    """Regression (property test, issue 12): a milestone status column of unreadable text made the
    project summary crash (boolean sums over no live rows); such milestones now count as live."""
    import datetime as _dt

    from crm_xl.demo import generate_demo
    from crm_xl.projects import project_summary
    from crm_xl.register import Register

    day = _dt.date(2026, 11, 23)
    frames = {k: v.copy() for k, v in generate_demo(seed=7, as_of=day, n_customers=10).frames.items()}
    whole = project_summary(Register.from_records(frames), day)
    frames["milestones"]["status"] = "无法识别的内容"
    damaged = project_summary(Register.from_records(frames), day)
    assert len(damaged) == len(whole) > 0
    assert int(damaged["milestones"].sum()) >= int(whole["milestones"].sum())
