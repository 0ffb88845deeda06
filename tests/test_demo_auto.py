"""The auto dealer demo (F10) and the operations sheets of both demos: consistent, seeded, with
exactly the planted mistakes."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import phonenumbers
import pytest

from crm_xl import agenda
from crm_xl.demo import SHEET_COLUMNS, generate_demo
from crm_xl.demo.auto import AUTO_MISTAKE_KINDS, AUTO_SHEET_COLUMNS
from crm_xl.projects import project_findings, project_followups
from crm_xl.register import Register
from crm_xl.settings import Settings
from crm_xl.training import training_followups
from crm_xl.vehicles import check_vin, vehicle_findings, vehicle_followups, vin_checks

AS_OF = dt.date(2026, 11, 23)


@pytest.fixture(scope="module")
def auto():
    return generate_demo(profile="auto", as_of=AS_OF)


@pytest.fixture(scope="module")
def auto_register(auto):
    return Register.from_records(auto.frames, settings=Settings(profile="auto"))


def test_auto_demo_shape_and_determinism(auto):
    assert set(auto.frames) == set(AUTO_SHEET_COLUMNS) and auto.profile == "auto"
    f = auto.frames
    assert len(f["customers"]) == 150 and f["customers"]["customer_id"].is_unique
    for key, frame in f.items():
        assert tuple(frame.columns) == AUTO_SHEET_COLUMNS[key], key
    again = generate_demo(profile="auto", as_of=AS_OF)
    for key in f:
        pd.testing.assert_frame_equal(f[key], again.frames[key])
    other = generate_demo(profile="auto", as_of=AS_OF, seed=5)
    assert not f["vehicles"]["vin"].equals(other.frames["vehicles"]["vin"])
    c = f["customers"]
    assert {"H", "A", "B", "C"} <= set(c["purchase_intent"].dropna()) and set(c["gender"]) == {"male", "female"}
    assert c["company_name"].str.fullmatch(r"[\u4e00-\u9fff]{2,3}").all()   # Chinese personal names
    assert {"test_drive", "auto_show", "owner_club", "launch"} <= set(f["events"]["type"])
    assert {"ordered", "interested", "none"} <= set(f["events"]["result"])
    assert all(phonenumbers.is_valid_number(phonenumbers.parse(p)) for p in f["contacts"]["phone"])


def test_every_vin_is_valid_except_the_planted_one(auto):
    planted = {m.record_id for m in auto.mistakes if m.kind == "vin_check_digit"}
    checks = vin_checks(auto.frames["vehicles"]["vin"])
    assert checks["format_ok"].all()
    assert set(auto.frames["vehicles"]["vin"][~checks["check_ok"]]) == planted and len(planted) == 1
    clean = generate_demo(profile="auto", as_of=AS_OF, with_mistakes=False)
    assert all(check_vin(v).check_ok for v in clean.frames["vehicles"]["vin"]) and clean.mistakes == []


def test_the_rules_find_exactly_the_planted_mistakes(auto, auto_register):
    assert {m.kind for m in auto.mistakes} == set(AUTO_MISTAKE_KINDS)
    code = {"vin_check_digit": "F1002", "mileage_decreased": "F1004", "service_before_purchase": "F1005"}
    expected = {(code[m.kind], m.record_id) for m in auto.mistakes}
    assert {(f.code, f.record_id) for f in vehicle_findings(auto_register)} == expected
    assert auto_register.reader_findings() == []
    clean = generate_demo(profile="auto", as_of=AS_OF, with_mistakes=False)
    assert vehicle_findings(Register.from_records(clean.frames, settings=Settings(profile="auto"))) == []


def test_references_resolve_and_service_history_is_consistent(auto):
    f = auto.frames
    customers = set(f["customers"]["customer_id"])
    for key in ("contacts", "opportunities", "activities", "orders", "vehicles", "events", "tickets", "surveys",
                "projects"):
        assert set(f[key]["customer_id"].dropna()) <= customers, key
    assert set(f["service_visits"]["vin"]) <= set(f["vehicles"]["vin"])
    assert set(f["vehicles"]["owner"]) | set(f["customers"]["owner"]) <= set(f["staff"]["name"])
    assert len(f["orders"]) == len(f["vehicles"])   # every car sold is an order (KPI sales)
    # the event's "ordered" attendees bought a car within 25 days
    bought = f["vehicles"].groupby("customer_id")["purchase_date"].apply(list)
    ordered = f["events"][f["events"]["result"] == "ordered"]
    assert len(ordered) and all(any(0 <= (d - e).days <= 25 for d in bought[c])
                                for c, e in zip(ordered["customer_id"], ordered["date"]))


def test_follow_ups_of_the_auto_demo(auto_register):
    items = vehicle_followups(auto_register, AS_OF, "zh-CN", horizon_days=7)
    kinds = set(items["kind"])
    assert {"maintenance_due", "service_call", "purchase_followup"} <= kinds
    assert items["owner"].notna().all() and items["why"].notna().all()
    plan = agenda.as_followup_plan(items, auto_register.frames["customers"])
    assert plan["customer_name"].notna().all() and (plan["code"] == items["kind"]).all()
    new_staff = training_followups(auto_register, AS_OF, "zh-CN")
    assert list(new_staff["subject"]) == ["A05"] and list(new_staff["owner"]) == ["刘建国"]


@pytest.mark.parametrize("profile", ["trade", "auto"])
def test_operations_sheets_in_both_profiles(profile):
    data = generate_demo(profile=profile, as_of=AS_OF, n_customers=150)
    f = data.frames
    for key in ("intelligence", "projects", "milestones", "project_changes", "training_sessions",
                "training_attendance"):
        assert len(f[key]), key
    assert set(f["projects"]["order_id"]) <= set(f["orders"]["order_id"])
    assert set(f["milestones"]["project_id"]) <= set(f["projects"]["project_id"])
    assert set(f["training_attendance"]["staff_id"]) <= set(f["staff"]["staff_id"])
    assert f["staff"]["hire_date"].notna().all() and (f["staff"]["activity_target"].dropna() > 0).all()
    sellers = f["staff"][f["staff"]["name"].isin(set(f["activities"]["owner"]))]
    assert sellers["activity_target"].notna().all()
    reg = Register.from_records(f, settings=Settings(profile=profile))
    assert reg.reader_findings() == []
    codes = {x.code for x in project_findings(reg, AS_OF)}
    assert "F1202" in codes and "F1206" in codes   # a late milestone, a project waiting for acceptance
    assert {"milestone_overdue", "acceptance_due"} <= set(project_followups(reg, AS_OF)["kind"])
    if profile == "trade":
        assert set(SHEET_COLUMNS) == set(f)
