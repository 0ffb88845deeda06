"""002 七.3 suggested action per risk grade and F2.6 domestic/international, in JSON, plan and report."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from crm_xl.grading import RISK_ACTIONS
from crm_xl.ports.reader import read_register
from crm_xl.review import review
from desk_books import write_desk_book

DAY = dt.date(2026, 11, 23)


def test_risk_action_and_market_in_json_and_followup_reasons(tmp_path: Path):
    reg = read_register(write_desk_book(tmp_path / "台账.xlsx"))
    cust = reg.frames["customers"]
    cust.loc[cust["customer_id"] == "C002", "credit_rating"] = "C"  # → high risk (002 七)
    done = review(reg, DAY, lang="zh-CN")
    rows = {c["customer_id"]: c for c in done.analysis.to_json("zh-CN")["customers"]}
    assert rows["C002"]["risk"] == "high" and rows["C002"]["risk_action"] == RISK_ACTIONS["high"]("zh-CN")
    assert rows["C001"]["risk_action"] == RISK_ACTIONS[rows["C001"]["risk"]]("zh-CN")
    assert {k: v["market"] for k, v in rows.items()} == {"C001": "international", "C002": "international",
                                                         "C003": "domestic", "C004": "international"}
    why = done.plan.loc[done.plan["customer_id"] == "C002", "why"].dropna()
    assert len(why) and all("风险等级 高：密切关注客户动态" in w for w in why)
    others = done.plan.loc[done.plan["customer_id"] != "C002", "why"].dropna()
    assert not any("风险等级 高" in w for w in others)


def test_home_country_setting_decides_domestic(tmp_path: Path):
    reg = read_register(write_desk_book(tmp_path / "台账.xlsx", settings_extra=[["home_country", "US", ""]]))
    assert reg.settings.home_country == "US"
    rows = {c["customer_id"]: c["market"] for c in review(reg, DAY, lang="en").analysis.to_json("en")["customers"]}
    assert rows == {"C001": "international", "C002": "domestic", "C003": "international", "C004": "international"}


def test_customer_report_has_risk_actions_and_market_split(tmp_path: Path):
    from crm_xl.reports.build import build_report, prepare

    reg = read_register(write_desk_book(tmp_path / "台账.xlsx"))
    report = build_report("customers", prepare(reg, DAY, lang="en"))
    tables = {t.key: t for s in report.sections for t in s.tables}
    actions = {r["risk"]: r["action"] for r in tables["risk_actions"].rows}
    assert actions["High"] == RISK_ACTIONS["high"]("en") and actions["Low"] == RISK_ACTIONS["low"]("en")
    market = {r["dim"]: r["count"] for r in tables["by_market"].rows}
    assert market == {"Domestic": 1, "International": 3}
