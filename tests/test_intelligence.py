"""Order intelligence (F11): monthly summary, deadlines, rewards, plan vs actual activities."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

pytest.importorskip("crm_xl.currency", reason="crm_xl.currency (analytics) is not merged yet")
pytest.importorskip("crm_xl.kpi", reason="crm_xl.kpi (analytics) is not merged yet")

from crm_xl.intelligence import (activity_plan_vs_actual, intelligence_findings, intelligence_followups,
                                 intelligence_monthly, report_deadline)
from crm_xl.register import Register
from crm_xl.settings import FxRate, Settings

AS_OF = dt.date(2026, 11, 20)
FX = Settings(fx_rates=(FxRate(currency="CNY", rate=1), FxRate(currency="USD", rate=7.0)))
STAFF = [{"staff_id": "S01", "name": "张伟", "team": "欧美组", "role": "销售主管", "period": "2026-10", "activity_target": 20},
         {"staff_id": "S02", "name": "李娜", "team": "欧美组", "role": "业务员", "period": "2026年10月", "activity_target": 30},
         {"staff_id": "S03", "name": "赵敏", "team": "亚非组", "role": "业务员", "period": "2026-10", "activity_target": 10},
         {"staff_id": "S03", "name": "赵敏", "team": "亚非组", "role": "业务员", "period": "2026-11", "activity_target": 99}]


def _intel(iid, date, reporter, evaluation, **kw):
    base = {"intel_id": iid, "date": date, "reporter": reporter, "content": "客户计划扩建仓库", "evaluation": evaluation,
            "prospect_name": "某某公司"}
    base.update(kw)
    return base


INTEL = [
    _intel("I1", "2026-10-03", "李娜", "valuable", region="欧洲", estimated_value=10000, currency="USD", reward_amount=500,
           reward_paid_date="2026-11-03"),
    _intel("I2", "2026-10-10", "李娜", "valuable", region="欧洲", estimated_value=70000, currency="CNY", reward_amount=300),
    _intel("I3", "2026-10-12", "李娜", "not_valuable", region="欧洲", estimated_value=5000, currency="USD"),
    _intel("I4", "2026-10-20", "赵敏", "pending", region="非洲", estimated_value=1000, currency="USD"),
    _intel("I5", "2026-10-28", "赵敏", "valuable", region="非洲"),
    _intel("I6", "2026-11-02", "李娜", "pending", region="欧洲", estimated_value=2000, currency="USD"),
]


def _register(intel=INTEL, settings=FX, activities=()):
    return Register.from_records({"intelligence": intel, "staff": STAFF, "activities": list(activities)},
                                 settings=settings)


def test_monthly_summary_per_reporter_and_region():
    m = intelligence_monthly(_register()).set_index(["month", "reporter", "region"])
    li = m.loc[("2026-10", "李娜", "欧洲")]
    assert (li["reports"], li["valuable"], li["not_valuable"], li["pending"]) == (3, 2, 1, 0)
    assert li["estimated_value"] == pytest.approx(70000 + 70000 + 35000)  # USD at 7.0
    assert li["valuable_value"] == pytest.approx(140000)
    assert (li["reward_paid"], li["reward_pending"], li["undecided"]) == (500, 300, 0)
    zm = m.loc[("2026-10", "赵敏", "非洲")]
    assert (zm["reports"], zm["pending"], zm["undecided"], zm["estimated_value"]) == (2, 1, 1, 7000)
    assert m.loc[("2026-11", "李娜", "欧洲"), "pending"] == 1
    only_oct = intelligence_monthly(_register(), start=dt.date(2026, 10, 1), end=dt.date(2026, 10, 31), by=("region",))
    assert list(only_oct["region"]) == ["欧洲", "非洲"] and only_oct["reports"].sum() == 5


def test_deadline_is_the_report_day_of_the_next_month():
    dates = pd.Series(pd.to_datetime(["2026-10-03", "2026-12-31", "2026-01-15"]))
    assert list(report_deadline(dates, 5)) == list(pd.to_datetime(["2026-11-05", "2027-01-05", "2026-02-05"]))
    assert report_deadline(pd.Series(pd.to_datetime(["2026-01-15"])), 31)[0] == pd.Timestamp("2026-02-28")


def test_findings_pending_and_undecided_after_the_deadline_and_reward_rules():
    extra = [_intel("I7", "2026-09-01", "李娜", "not_valuable", reward_amount=200),
             _intel("I8", "2026-09-10", "李娜", "valuable", reward_amount=100, reward_paid_date="2026-09-01"),
             _intel("I9", "2026-09-11", "李娜", "valuable", reward_paid_date="2026-10-01", prospect_name=None)]
    found = {(f.record_id, f.code) for f in intelligence_findings(_register(INTEL + extra), AS_OF)}
    assert found == {("I4", "F1101"), ("I5", "F1102"), ("I7", "F1103"), ("I8", "F1104"), ("I9", "F1102"),
                     ("I9", "F1105"), ("I9", "F1106")}
    # before the 5th of November nothing from October is late yet
    early = {(f.record_id, f.code) for f in intelligence_findings(_register(), dt.date(2026, 11, 4))}
    assert early == set()
    later_day = {(f.record_id, f.code) for f in intelligence_findings(_register(settings=FX.model_copy(
        update={"intel_report_day": 25})), AS_OF)}
    assert later_day == set()


def test_followups_go_to_the_team_manager():
    items = intelligence_followups(_register(), AS_OF, "en").set_index("subject")
    assert set(items.index) == {"I4", "I5"}
    assert items.loc["I4", "kind"] == "intel_evaluation" and items.loc["I5", "kind"] == "intel_reward"
    assert items.loc["I4", "owner"] == "赵敏"  # 亚非组 has no manager
    assert items.loc["I4", "priority"] == 1 and items.loc["I4", "due"] == pd.Timestamp("2026-11-05")
    ahead = intelligence_followups(_register(), AS_OF, "zh-CN", horizon_days=20).set_index("subject")
    assert ahead.loc["I6", "owner"] == "张伟" and ahead.loc["I6", "priority"] == 2


def test_planned_vs_actual_activities_per_person_and_team():
    acts = [{"activity_id": f"A{k}", "date": d, "customer_id": "C1", "method": "phone", "summary": "跟进", "owner": o}
            for k, (d, o) in enumerate([("2026-10-02", "张伟")] * 25 + [("2026-10-05", "李娜")] * 15
                                       + [("2026-11-02", "李娜")] * 9 + [("2026-10-30", "赵敏")] * 10)]
    plan = activity_plan_vs_actual(_register(activities=acts), "2026-10")
    people = plan[plan["level"] == "staff"].set_index("name")
    assert people.loc["张伟", "planned"] == 20 and people.loc["张伟", "actual"] == 25
    assert people.loc["李娜", "achievement"] == pytest.approx(0.5)   # 2026年10月 is the same period
    assert people.loc["赵敏", "planned"] == 10                        # the 2026-11 row is another period
    teams = plan[plan["level"] == "team"].set_index("name")
    assert teams.loc["欧美组", "planned"] == 50 and teams.loc["欧美组", "actual"] == 40
    assert teams.loc["亚非组", "achievement"] == 1.0
