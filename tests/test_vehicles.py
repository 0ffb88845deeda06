"""Automotive profile (F10): VIN check digits, mileage rules, maintenance due, follow-ups, reports."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given, settings as hsettings, strategies as st

from crm_xl.register import Register
from crm_xl.settings import Settings
from crm_xl.vehicles import (check_vin, event_conversion, maintenance_due, mileage_projection, mileage_readings,
                             project_mileage, retention, sales_by_model, service_revenue_by_month, vehicle_findings,
                             vehicle_followups, vin_check_digit, vin_checks, with_check_digit)

AS_OF = dt.date(2026, 11, 20)
AUTO = Settings(profile="auto")


def _customer(cid, **kw):
    base = {"customer_id": cid, "company_name": f"客户{cid}", "country": "CN", "source_channel": "showroom",
            "owner": "王芳", "first_contact_date": "2026-01-05", "entered_date": "2026-01-05", "status": "active"}
    base.update(kw)
    return base


def _register(vehicles=(), visits=(), customers=None, events=(), activities=(), settings=AUTO):
    customers = customers if customers is not None else [_customer("C1"), _customer("C2", owner="李强")]
    return Register.from_records({"customers": customers, "vehicles": list(vehicles), "service_visits": list(visits),
                                  "events": list(events), "activities": list(activities)}, settings=settings)


# ------------------------------------------------------------------------------------------ VIN
@pytest.mark.parametrize("vin,digit", [
    ("1M8GDM9AXKP042788", "X"),   # the check-digit example of 49 CFR 565 / Wikipedia (remainder 10 → X)
    ("11111111111111111", "1"),   # all ones: 89 mod 11 = 1
    ("1HGCM82633A004352", "3"),   # a 2003 Honda Accord
    ("5YJSA1E14FF087599", "4"),   # a 2015 Tesla Model S (position 9 = 4)
])
def test_real_vins_have_valid_check_digits(vin, digit):
    result = check_vin(vin)
    assert result.format_ok and result.check_ok
    assert vin_check_digit(vin) == digit == vin[8]


def test_one_wrong_character_breaks_the_check_digit():
    bad = check_vin("1HGCM82633A004353")  # last digit mistyped
    assert bad.format_ok and not bad.check_ok and bad.expected == "5"  # 3 + weight 2
    assert check_vin("1M8GDM9A1KP042788").expected == "X"


@pytest.mark.parametrize("vin,why", [
    ("1HGCM82633A00435", "16 characters"),
    ("1HGCM82633A0043521", "18 characters"),
    ("1HGCM8263OA004352", "I, O and Q"),
    ("1HGCM8263QA004352", "I, O and Q"),
    ("1HGCM8263-A004352", "contains -"),
])
def test_malformed_vins(vin, why):
    result = check_vin(vin)
    assert not result.format_ok and why in result.reason
    assert vin_check_digit(vin) is None


def test_with_check_digit_makes_valid_vins_and_lowercase_spaces_are_normalized():
    vin = with_check_digit("LSVAU2180N2183294")
    assert vin == "LSVAU218XN2183294" and check_vin(vin).check_ok
    assert check_vin(" 1hgcm82633a004352 ").check_ok


def test_vectorized_checks_agree_with_single_checks():
    vins = pd.Series(["1M8GDM9AXKP042788", "1HGCM82633A004353", "WVWZZZ1JZXW000001", "LSVAU2180N2183294", "bad",
                      None])
    table = vin_checks(vins)
    for i, vin in enumerate(vins):
        if vin is None:
            assert not table.loc[i, "format_ok"]
            continue
        single = check_vin(vin)
        assert table.loc[i, "format_ok"] == single.format_ok
        assert bool(table.loc[i, "check_ok"]) == single.check_ok
        if single.format_ok:
            assert table.loc[i, "expected"] == single.expected
    assert list(table["mandatory"][:4]) == [True, True, False, True]


def _vehicle(vin, cid="C1", **kw):
    base = {"vin": vin, "customer_id": cid, "model": "Model A", "purchase_date": "2025-06-01",
            "purchase_price": 150000}
    base.update(kw)
    return base


def test_check_digit_is_an_error_in_north_america_and_china_and_a_warning_in_europe():
    reg = _register(vehicles=[_vehicle("1HGCM82633A004353"), _vehicle("LSVAU2180N2183294"),
                              _vehicle("WVWZZZ1JZXW000001"), _vehicle("1HGCM82633A004352"),
                              _vehicle("1HGCM8263OA004352")])
    found = {(f.row, f.code, f.severity) for f in vehicle_findings(reg)}
    assert found == {(2, "F1002", "error"), (3, "F1002", "error"), (4, "F1003", "warning"), (6, "F1001", "error")}
    f = next(f for f in vehicle_findings(reg) if f.row == 2)
    assert f.cell == "A2" and "1" in f.message("en") and "校验位" in f.message("zh-CN")


def test_settings_severity_makes_european_check_digit_an_error_or_silences_it():
    for level, expected in (("error", {"error"}), ("off", set())):
        reg = _register(vehicles=[_vehicle("WVWZZZ1JZXW000001")],
                        settings=Settings(profile="auto", severity={"F1003": level}))
        assert {f.severity for f in vehicle_findings(reg) if f.code == "F1003"} == expected


# ------------------------------------------------------------------------------------------ mileage rules
VIN = "1HGCM82633A004352"


def _visit(vid, date, km, vin=VIN, cid="C1", **kw):
    base = {"visit_id": vid, "date": date, "vin": vin, "customer_id": cid, "mileage": km, "items": "保养",
            "cost": 800, "satisfaction": 5}
    base.update(kw)
    return base


def test_mileage_going_down_is_reported_on_the_lower_reading_whatever_the_row_order():
    reg = _register(vehicles=[_vehicle(VIN, mileage=9000, mileage_date="2026-09-01")],
                    visits=[_visit("W3", "2026-08-01", 12000), _visit("W1", "2026-01-10", 4000),
                            _visit("W2", "2026-05-01", 3500)])
    low = [f for f in vehicle_findings(reg) if f.code == "F1004"]
    assert {(f.sheet, f.record_id) for f in low} == {("service_visits", "W2"), ("vehicles", VIN)}
    w2 = next(f for f in low if f.record_id == "W2")
    assert w2.params["previous"] == 4000 and w2.params["previous_date"] == dt.date(2026, 1, 10)
    veh = next(f for f in low if f.sheet == "vehicles")
    assert veh.params["previous"] == 12000 and veh.column == "mileage" and "9000 km" in veh.message("en")
    assert "12000 km" in veh.message("zh-CN")


def test_increasing_mileage_and_same_day_readings_are_fine():
    reg = _register(vehicles=[_vehicle(VIN, mileage=12000, mileage_date="2026-08-01")],
                    visits=[_visit("W1", "2026-01-10", 4000), _visit("W2", "2026-08-01", 11990)])
    assert not [f for f in vehicle_findings(reg) if f.code == "F1004"]


def test_service_before_purchase_and_other_customer():
    reg = _register(vehicles=[_vehicle(VIN, purchase_date="2026-03-01", mileage_date="2026-02-01", mileage=10)],
                    visits=[_visit("W1", "2026-02-15", 100), _visit("W2", "2026-04-01", 900, cid="C2")])
    codes = {(f.code, f.record_id) for f in vehicle_findings(reg)}
    assert ("F1005", "W1") in codes and ("F1006", "W2") in codes and ("F1007", VIN) in codes
    assert ("F1005", "W2") not in codes


# ------------------------------------------------------------------------------------------ maintenance
def test_maintenance_due_by_time_when_the_car_is_driven_little():
    # last service 2026-06-01 at 10,000 km; 2,000 km driven in 5 months → 5,000 km takes far longer than 6 months
    reg = _register(vehicles=[_vehicle(VIN, purchase_date="2025-01-10")],
                    visits=[_visit("W1", "2026-01-01", 8000), _visit("W2", "2026-06-01", 10000)])
    row = maintenance_due(reg, AS_OF).iloc[0]
    assert row["due_by"] == "time" and row["due"] == pd.Timestamp("2026-12-01")
    assert row["time_due"] == pd.Timestamp("2026-12-01") and row["km_due"] == 15000
    assert row["km_due_date"] > row["time_due"]
    items = vehicle_followups(reg, AS_OF, "en")
    item = items[items["kind"] == "maintenance_due"].iloc[0]
    assert item["due"] == pd.Timestamp("2026-12-01") and item["priority"] == 2  # within the 14 reminder days
    assert item["subject"] == VIN and item["owner"] == "王芳" and "6 months" in item["why"]


def test_maintenance_due_by_mileage_for_a_high_mileage_driver():
    # 100 km/day since the last service on 2026-10-01 at 20,000 km → 25,000 km on 2026-11-20
    reg = _register(vehicles=[_vehicle(VIN, purchase_date="2025-01-10", mileage=23000, mileage_date="2026-10-31")],
                    visits=[_visit("W1", "2026-10-01", 20000)])
    row = maintenance_due(reg, AS_OF).iloc[0]
    assert row["due_by"] == "mileage" and row["km_per_day"] == pytest.approx(100)
    assert row["km_due_date"] == pd.Timestamp("2026-11-20") and row["due"] == pd.Timestamp("2026-11-20")
    assert row["projected_km"] == pytest.approx(25000)
    item = vehicle_followups(reg, AS_OF, "zh-CN").query("kind == 'maintenance_due'").iloc[0]
    assert "25000 km" in item["why"] and item["reason"] == "保养提醒"


def test_maintenance_settings_change_the_due_date_and_the_reminder_window():
    visits = [_visit("W1", "2026-06-01", 10000)]
    vehicles = [_vehicle(VIN, purchase_date="2025-01-10")]
    reg = _register(vehicles=vehicles, visits=visits,
                    settings=Settings(profile="auto", maintenance_interval_months=3))
    assert maintenance_due(reg, AS_OF).iloc[0]["due"] == pd.Timestamp("2026-09-01")
    assert vehicle_followups(reg, AS_OF).query("kind == 'maintenance_due'").iloc[0]["priority"] == 1  # overdue
    far = _register(vehicles=vehicles, visits=visits, settings=Settings(profile="auto", maintenance_remind_days=5))
    assert far.settings.maintenance_remind_days == 5
    assert vehicle_followups(far, AS_OF).query("kind == 'maintenance_due'").empty  # 2026-12-01 is 11 days away


def test_a_new_car_without_visits_counts_from_its_purchase():
    reg = _register(vehicles=[_vehicle(VIN, purchase_date="2026-06-10")])
    row = maintenance_due(reg, AS_OF).iloc[0]
    assert row["base"] == "purchase" and row["due"] == pd.Timestamp("2026-12-10")


# ------------------------------------------------------------------------------------------ projection
def test_rate_comes_from_the_last_two_readings_or_from_the_purchase():
    reg = _register(vehicles=[_vehicle(VIN, purchase_date="2026-01-01"),
                              _vehicle("11111111111111111", purchase_date="2026-01-01")],
                    visits=[_visit("W1", "2026-03-02", 6000), _visit("W2", "2026-04-01", 6600),
                            _visit("W3", "2026-05-01", 3000, vin="11111111111111111")])
    proj = mileage_projection(mileage_readings(reg))
    assert proj.loc[VIN, "km_per_day"] == pytest.approx(20)                     # 600 km in 30 days
    assert proj.loc["11111111111111111", "km_per_day"] == pytest.approx(3000 / 120)  # since purchase
    at = project_mileage(proj, pd.Timestamp("2026-05-01"))
    assert at[VIN] == pytest.approx(6600 + 20 * 30)


readings = st.lists(st.tuples(st.integers(0, 2000), st.floats(0, 300_000, allow_nan=False)), min_size=1, max_size=8)


@given(readings, st.integers(-400, 4000))
@hsettings(max_examples=80, deadline=None)
def test_projection_never_predicts_less_than_the_last_reading(points, offset):
    start = pd.Timestamp("2020-01-01")
    frame = pd.DataFrame({"vin": VIN, "date": [start + pd.Timedelta(days=d) for d, _ in points],
                          "mileage": [km for _, km in points], "sheet": "service_visits", "row": 2, "record_id": "W"})
    frame = frame.sort_values(["vin", "date", "mileage"]).reset_index(drop=True)
    proj = mileage_projection(frame)
    last_day = frame["date"].max()
    last_reading = frame.loc[frame["date"] == last_day, "mileage"].max()
    when = last_day + pd.Timedelta(days=offset)
    assert project_mileage(proj, when)[VIN] >= last_reading - 1e-6
    assert proj.loc[VIN, "km_per_day"] >= 0 or pd.isna(proj.loc[VIN, "km_per_day"])


# ------------------------------------------------------------------------------------------ follow-ups
def test_service_call_for_the_latest_unrated_visit():
    reg = _register(vehicles=[_vehicle(VIN)],
                    visits=[_visit("W1", "2026-05-01", 5000, satisfaction=None),
                            _visit("W2", "2026-11-18", 9000, satisfaction=None, advisor="赵敏")])
    calls = vehicle_followups(reg, AS_OF, "en", horizon_days=1).query("kind == 'service_call'")
    assert list(calls["subject"]) == [VIN] and calls.iloc[0]["owner"] == "赵敏"
    assert calls.iloc[0]["due"] == pd.Timestamp("2026-11-21") and "W2" in calls.iloc[0]["why"]
    assert vehicle_followups(reg, AS_OF, "en").query("kind == 'service_call'").empty  # due after as_of
    later = _register(vehicles=[_vehicle(VIN)], settings=Settings(profile="auto", service_call_days=1),
                      visits=[_visit("W2", "2026-11-18", 9000, satisfaction=None)])
    assert len(vehicle_followups(later, AS_OF).query("kind == 'service_call'")) == 1


def test_purchase_followup_by_intent_level_and_expected_date():
    customers = [
        _customer("H1", purchase_intent="H", status="prospect"),
        _customer("B1", purchase_intent="B", status="prospect", expected_purchase_date="2026-11-22"),
        _customer("C1", purchase_intent="C", status="prospect"),
        _customer("P1", purchase_intent="A", status="prospect", expected_purchase_date="2026-11-01"),
        _customer("L1", purchase_intent="H", status="lost"),
    ]
    acts = [{"activity_id": f"A{i}", "date": d, "customer_id": c, "method": "phone", "summary": "跟进", "owner": "王芳"}
            for i, (c, d) in enumerate([("H1", "2026-11-17"), ("B1", "2026-11-18"), ("C1", "2026-11-10"),
                                        ("P1", "2026-10-28"), ("L1", "2026-11-01")])]
    reg = _register(customers=customers, activities=acts)
    items = vehicle_followups(reg, AS_OF, "zh-CN", horizon_days=3).set_index("customer_id")
    assert items.loc["H1", "due"] == pd.Timestamp("2026-11-19") and items.loc["H1", "priority"] == 1
    assert items.loc["B1", "due"] == pd.Timestamp("2026-11-22") and items.loc["B1", "priority"] == 2  # expected date
    assert "C1" not in items.index  # due 2026-11-24, beyond the horizon
    assert items.loc["P1", "kind"] == "purchase_date_passed" and items.loc["P1", "due"] == pd.Timestamp("2026-11-01")
    assert "L1" not in items.index
    fast = _register(customers=customers, activities=acts, settings=Settings(profile="auto", intent_followup_days_c=5))
    assert "C1" in set(vehicle_followups(fast, AS_OF, horizon_days=0)["customer_id"])


def test_event_followup_for_interested_attendees_not_contacted_since():
    events = [{"event_id": "E1", "date": "2026-11-01", "type": "test_drive", "title": "周末试驾", "customer_id": "C1",
               "result": "interested"},
              {"event_id": "E1", "date": "2026-11-01", "type": "test_drive", "title": "周末试驾", "customer_id": "C2",
               "result": "interested"}]
    acts = [{"activity_id": "A1", "date": "2026-11-03", "customer_id": "C2", "method": "phone", "summary": "回访",
             "owner": "李强"}]
    items = vehicle_followups(_register(events=events, activities=acts), AS_OF, "en")
    ev = items[items["kind"] == "event_followup"]
    assert list(ev["customer_id"]) == ["C1"] and ev.iloc[0]["due"] == pd.Timestamp("2026-11-15")


# ------------------------------------------------------------------------------------------ reports
def test_reports_sales_service_retention_and_event_conversion():
    vins = [with_check_digit(f"LSVAU2180N21832{i:02d}") for i in range(4)]
    vehicles = [_vehicle(vins[0], "C1", model="轩逸", purchase_date="2024-05-01", purchase_price=120000),
                _vehicle(vins[1], "C2", model="轩逸", purchase_date="2024-08-01", purchase_price=130000),
                _vehicle(vins[2], "C3", model="天籁", purchase_date="2026-11-05", purchase_price=200000),
                _vehicle(vins[3], "C4", model="天籁", purchase_date="2025-02-01", purchase_price=None)]
    customers = [_customer(c) for c in ("C1", "C2", "C3", "C4")]
    visits = [_visit("W1", "2026-03-10", 20000, vin=vins[0], cost=600, satisfaction=4),
              _visit("W2", "2026-03-25", 15000, vin=vins[1], cid="C2", cost=900, satisfaction=5),
              _visit("W3", "2025-04-01", 5000, vin=vins[3], cid="C4", cost=300)]
    events = [{"event_id": "E1", "date": "2026-11-01", "type": "test_drive", "customer_id": "C3", "result": "interested"},
              {"event_id": "E1", "date": "2026-11-01", "type": "test_drive", "customer_id": "C4", "result": "none"},
              {"event_id": "E2", "date": "2026-09-01", "type": "auto_show", "customer_id": "C1", "result": "ordered"}]
    reg = _register(vehicles=vehicles, visits=visits, customers=customers, events=events)
    sales = sales_by_model(reg).set_index("model")
    assert sales.loc["轩逸", "vehicles"] == 2 and sales.loc["轩逸", "revenue"] == 250000
    assert sales.loc["天籁", "average_price"] == 200000  # the unpriced car is left out of the average
    assert sales_by_model(reg, start=dt.date(2026, 1, 1)).set_index("model")["vehicles"].to_dict() == {"天籁": 1}
    service = service_revenue_by_month(reg).set_index("month")
    assert service.loc["2026-03", "visits"] == 2 and service.loc["2026-03", "revenue"] == 1500
    assert service.loc["2026-03", "satisfaction"] == pytest.approx(4.5)
    r = retention(reg, AS_OF)
    assert (r["owners"], r["returned"], r["rate"]) == (3, 2, pytest.approx(2 / 3))  # C3 bought this month
    conv = event_conversion(reg).set_index("type")
    assert conv.loc["test_drive", "attendees"] == 2 and conv.loc["test_drive", "ordered"] == 1  # C3 bought 4 days later
    assert conv.loc["auto_show", "conversion"] == 1.0
    short = _register(vehicles=vehicles, visits=visits, customers=customers, events=events,
                      settings=Settings(profile="auto", event_conversion_days=2, retention_months=24))
    assert event_conversion(short).set_index("type").loc["test_drive", "ordered"] == 0
    assert retention(short, AS_OF)["owners"] == 2
