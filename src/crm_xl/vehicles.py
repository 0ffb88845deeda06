"""Automotive dealer profile (SPEC F10, policy 004): VINs, mileage, maintenance, follow-ups, reports.

Pure core: takes a :class:`~crm_xl.register.Register` (sheets ``vehicles``, ``service_visits``,
``events``, the auto columns of ``customers``) and an as-of date; returns findings, follow-up
items (:mod:`crm_xl.agenda` shape) and report frames. Every policy number comes from Settings.

VIN check digit (ISO 3779 / 49 CFR 565, adopted by China's GB 16735)
    A VIN has 17 characters from ``0-9 A-Z`` without ``I``, ``O`` and ``Q``. Each character is
    transliterated (digits as themselves; ``A-H`` → 1-8, ``J-R`` → 1-9 skipping ``O``/``Q`` so
    ``P`` → 7 and ``R`` → 9, ``S-Z`` → 2-9), multiplied by the weights
    ``8 7 6 5 4 3 2 10 0 9 8 7 6 5 4 3 2``, summed, and the remainder of the sum divided by 11 is
    the check digit in position 9 (``X`` for 10).

    North America (WMI 1–5) and China (WMI ``L``, GB 16735) make the check digit mandatory:
    a wrong one is ``F1002`` (error). Europe and most other regions do not require it (many
    European VINs carry a plant code or ``Z`` there), so a mismatch there is only ``F1003``
    (warning). A dealer who only sells vehicles with check digits makes ``F1003`` an error with
    the Settings row ``severity.F1003 = error``; one who wants no warnings sets it to ``off``.

Mileage
    Readings per VIN are the service visits (date, mileage) and the vehicle row's current
    mileage with its ``mileage_date``. Sorted by date, a reading lower than any earlier reading of
    the same VIN is ``F1004``. For projections the purchase counts as a reading of 0 km on the
    purchase date, so a car with a single reading gets its rate "from purchase". The rate is
    km/day between the last two readings, never negative; the projection starts from the highest
    reading so far and never predicts less than the last reading.

Maintenance due
    From the last service visit (else the purchase at 0 km): due by time after
    ``maintenance_interval_months`` months, by mileage when the projection reaches the base
    mileage + ``maintenance_interval_km``; whichever comes first. Listed
    ``maintenance_remind_days`` before it is due.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

import numpy as np
import pandas as pd

from crm_xl import agenda
from crm_xl.findings import Finding
from crm_xl.i18n import Text, pick
from crm_xl.keys import isin
from crm_xl.messages import define
from crm_xl.register import ROW, Register

__all__ = [
    "VIN_WEIGHTS", "VinCheck", "check_vin", "vin_check_digit", "with_check_digit", "vin_checks",
    "vehicle_findings", "mileage_readings", "mileage_projection", "project_mileage", "maintenance_due",
    "vehicle_followups", "sales_by_model", "service_revenue_by_month", "retention", "event_conversion",
    "auto_report",
]

# ------------------------------------------------------------------------------------------ codes
VIN_FORMAT = define(
    "F1001", "error", "车架号“{value}”格式不对：{reason}",
    "VIN “{value}” is malformed: {reason}",
    "004 二(一)2 车辆信息（ISO 3779 / GB 16735）", "车架号格式错误", "Malformed VIN")
VIN_CHECK_MANDATORY = define(
    "F1002", "error", "车架号“{value}”第 9 位校验位应为 {expected}，实为 {actual}（{region}车架号必须有校验位），请核对是否抄错",
    "VIN “{value}”: check digit (position 9) should be {expected}, not {actual} ({region} VINs must carry one); "
    "check for a typo",
    "004 二(一)2 车辆信息（GB 16735 / 49 CFR 565）", "车架号校验位错误", "Wrong VIN check digit")
VIN_CHECK_OTHER = define(
    "F1003", "warning", "车架号“{value}”第 9 位不是有效校验位（应为 {expected}，实为 {actual}）；{region}车架号不强制校验位，请核对",
    "VIN “{value}”: position 9 is not a valid check digit ({expected} expected, {actual} found); "
    "{region} VINs need not carry one — please verify",
    "004 二(一)2 车辆信息（ISO 3779）", "车架号校验位不符", "VIN check digit mismatch")
MILEAGE_DECREASED = define(
    "F1004", "error", "车辆 {vin} 的里程 {mileage} km（{date}）低于此前 {previous_date} 记录的 {previous} km，里程不应减少",
    "Vehicle {vin}: mileage {mileage} km on {date} is below the {previous} km recorded on {previous_date}; "
    "mileage never decreases",
    "004 二(一)2 行驶里程", "里程减少", "Mileage decreased")
SERVICE_BEFORE_PURCHASE = define(
    "F1005", "error", "车辆 {vin} 的进厂日期 {date} 早于购车日期 {purchase_date}",
    "Vehicle {vin}: service date {date} is before its purchase date {purchase_date}",
    "004 二(一)2 维修保养历史", "维修早于购车", "Service before purchase")
VISIT_OTHER_CUSTOMER = define(
    "F1006", "warning", "工单 {visit_id} 的客户 {customer_id} 与车辆 {vin} 的车主 {vehicle_customer} 不一致（如已过户请更新车辆档案）",
    "Visit {visit_id}: customer {customer_id} is not the owner {vehicle_customer} of vehicle {vin} "
    "(update Vehicles if the car changed hands)",
    "004 二(三)2 车辆信息变更", "车主不一致", "Customer differs from vehicle owner")
MILEAGE_DATE_BEFORE_PURCHASE = define(
    "F1007", "error", "车辆 {vin} 的里程记录日期 {date} 早于购车日期 {purchase_date}",
    "Vehicle {vin}: mileage date {date} is before its purchase date {purchase_date}",
    "004 二(一)2 行驶里程", "里程日期早于购车", "Mileage date before purchase")

# ------------------------------------------------------------------------------------------ VIN
VIN_WEIGHTS: tuple[int, ...] = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
_TRANSLIT: dict[str, int] = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9))), **dict(zip("JKLMN", range(1, 6))), "P": 7, "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10))),
}
_REGIONS: tuple[tuple[str, str, str, bool], ...] = (
    # (first WMI characters, zh, en, check digit mandatory)
    ("12345", "北美", "North American", True),
    ("L", "中国", "Chinese", True),
    ("ABCDEFGH", "非洲", "African", False),
    ("JKMNPR", "亚洲", "Asian", False),
    ("STUVWXYZ", "欧洲", "European", False),
    ("67", "大洋洲", "Oceanian", False),
    ("890", "南美", "South American", False),
)


class VinCheck(NamedTuple):
    """The result of checking one VIN."""

    vin: str            # normalized (upper case, no spaces)
    format_ok: bool     # 17 characters from the VIN alphabet
    reason: str | None  # why the format is wrong (English), None when it is fine
    expected: str | None  # the check digit the other 16 characters give
    check_ok: bool      # position 9 equals ``expected``
    region: str         # WMI region (English adjective)
    mandatory: bool     # the region requires the check digit


def _normalize(vin: object) -> str:
    return "".join(str(vin).split()).upper()


def _region(first: str) -> tuple[str, str, bool]:
    for chars, zh, en, mandatory in _REGIONS:
        if first and first in chars:
            return zh, en, mandatory
    return "未知地区", "unknown-region", False


def vin_check_digit(vin: str) -> str | None:
    """The check digit (``0``–``9`` or ``X``) the VIN's characters give; None when malformed.

    Position 9 itself has weight 0, so any character may stand there.
    """
    v = _normalize(vin)
    if len(v) != 17 or any(ch not in _TRANSLIT for ch in v[:8] + v[9:]):
        return None
    rem = sum(_TRANSLIT[ch] * w for ch, w in zip(v, VIN_WEIGHTS) if w) % 11
    return "X" if rem == 10 else str(rem)


def with_check_digit(vin: str) -> str:
    """The VIN with position 9 set to its correct check digit (for generating valid VINs)."""
    v = _normalize(vin)
    digit = vin_check_digit(v[:8] + "0" + v[9:]) if len(v) == 17 else None
    if digit is None:
        raise ValueError(f"not a 17-character VIN: {vin!r}")
    return v[:8] + digit + v[9:]


def check_vin(vin: object) -> VinCheck:
    """Check one VIN: format (length 17, no I/O/Q) and the position-9 check digit."""
    v = _normalize(vin)
    _, en, mandatory = _region(v[:1])
    reason = None
    if len(v) != 17:
        reason = f"{len(v)} characters instead of 17"
    else:
        bad = sorted({ch for ch in v if ch not in _TRANSLIT})
        if bad:
            reason = "contains " + ", ".join(bad) + (" (I, O and Q are not used)" if set(bad) & set("IOQ") else "")
    expected = vin_check_digit(v) if reason is None else None
    return VinCheck(v, reason is None, reason, expected, expected is not None and v[8] == expected, en, mandatory)


def vin_checks(vins: pd.Series) -> pd.DataFrame:
    """Vectorized :func:`check_vin` for a column: vin, format_ok, length, bad_chars, expected,
    actual, check_ok, region_zh, region_en, mandatory (index of ``vins``; blanks are format_ok
    False with length 0)."""
    v = vins.astype("string").str.replace(r"\s+", "", regex=True).str.upper().fillna("")
    length = v.str.len().astype("int64")
    bad = v.str.replace(r"[0-9A-HJ-NPR-Z]", "", regex=True)
    ok = (length == 17) & (bad == "")
    total = pd.Series(0, index=v.index, dtype="int64")
    padded = v.where(ok, "0" * 17)
    for i, w in enumerate(VIN_WEIGHTS):
        if w:
            total += padded.str[i].map(_TRANSLIT).astype("int64") * w
    rem = total % 11
    expected = rem.astype(str).where(rem != 10, "X").where(ok, pd.NA).astype("string")
    actual = v.str[8].where(ok, pd.NA).astype("string")
    first = v.str[:1]
    reg = {c: _region(c) for c in set(first)}
    return pd.DataFrame({
        "vin": v, "format_ok": ok, "length": length, "bad_chars": bad,
        "expected": expected, "actual": actual, "check_ok": (expected == actual).fillna(False).astype(bool),
        "region_zh": first.map(lambda c: reg[c][0]), "region_en": first.map(lambda c: reg[c][1]),
        "mandatory": first.map(lambda c: reg[c][2]).astype(bool),
    }, index=vins.index)


# ------------------------------------------------------------------------------------------ findings
def _finding(register: Register, sheet: str, row, column: str, code: str, params: dict, value, record_id=None
             ) -> Finding | None:
    from crm_xl.messages import CATALOGUE

    severity = register.settings.severity_of(code, CATALOGUE[code].severity)
    if severity == "off":
        return None
    return Finding(sheet, int(row), column, code, severity, params, value, register.cell(sheet, int(row), column),
                   None if record_id is None or pd.isna(record_id) else str(record_id))


def vehicle_findings(register: Register) -> list[Finding]:
    """F1001–F1007 on the vehicles and service_visits sheets (see the module docstring)."""
    out: list[Finding | None] = []
    veh = register.frames["vehicles"]
    visits = register.frames["service_visits"]
    # VIN format and check digit
    given = veh[veh["vin"].notna()]
    checks = vin_checks(given["vin"])
    for (row, raw), c in zip(given[[ROW, "vin"]].itertuples(index=False), checks.itertuples(index=False)):
        if not c.format_ok:
            reason = _format_reason(c.length, c.bad_chars)
            out.append(_finding(register, "vehicles", row, "vin", VIN_FORMAT, {"value": raw, "reason": reason}, raw, raw))
        elif not c.check_ok:
            code = VIN_CHECK_MANDATORY if c.mandatory else VIN_CHECK_OTHER
            params = {"value": raw, "expected": c.expected, "actual": c.actual,
                      "region": Text(c.region_zh, c.region_en)}
            out.append(_finding(register, "vehicles", row, "vin", code, params, raw, raw))
    # mileage never decreasing
    readings = mileage_readings(register, include_purchase=False)
    low = _decreasing(readings)
    for r in low.itertuples(index=False):
        out.append(_finding(register, r.sheet, r.row, "mileage", MILEAGE_DECREASED,
                            {"vin": r.vin, "mileage": round(r.mileage), "date": agenda.day(r.date), "previous": round(r.previous),
                             "previous_date": agenda.day(r.previous_date)}, r.mileage, r.record_id))
    # dates before the purchase
    bought = veh.dropna(subset=["vin", "purchase_date"]).drop_duplicates("vin").set_index("vin")
    v = visits[visits["vin"].notna() & visits["date"].notna()]
    # reindex, not map: mapping through an empty datetime Series fails (pandas casts it to float)
    purchase = pd.Series(bought["purchase_date"].reindex(v["vin"].to_numpy()).to_numpy(), index=v.index,
                         dtype="datetime64[ns]")
    early = v[(v["date"] < purchase).fillna(False)]
    for row, vin, date, vid in early[[ROW, "vin", "date", "visit_id"]].itertuples(index=False):
        out.append(_finding(register, "service_visits", row, "date", SERVICE_BEFORE_PURCHASE,
                            {"vin": vin, "date": agenda.day(date), "purchase_date": agenda.day(bought.at[vin, "purchase_date"])},
                            agenda.day(date), vid))
    m = veh[(veh["mileage_date"] < veh["purchase_date"]).fillna(False)]
    for row, vin, date, bought_on in m[[ROW, "vin", "mileage_date", "purchase_date"]].itertuples(index=False):
        out.append(_finding(register, "vehicles", row, "mileage_date", MILEAGE_DATE_BEFORE_PURCHASE,
                            {"vin": vin, "date": agenda.day(date), "purchase_date": agenda.day(bought_on)}, agenda.day(date), vin))
    # visit's customer vs the vehicle's owner
    owner_of = veh.dropna(subset=["vin"]).drop_duplicates("vin").set_index("vin")["customer_id"]
    vc = visits["vin"].map(owner_of)
    other = visits[(visits["customer_id"].notna() & vc.notna() & (visits["customer_id"] != vc)).fillna(False)]
    for row, vid, cid, vin in other[[ROW, "visit_id", "customer_id", "vin"]].itertuples(index=False):
        out.append(_finding(register, "service_visits", row, "customer_id", VISIT_OTHER_CUSTOMER,
                            {"visit_id": vid, "customer_id": cid, "vin": vin, "vehicle_customer": owner_of[vin]},
                            cid, vid))
    return [f for f in out if f is not None]


def _format_reason(length: int, bad: str) -> Text:
    if length != 17:
        return Text(f"应为 17 位，实为 {length} 位", f"{length} characters instead of 17")
    chars = "、".join(sorted(set(bad)))
    iqo = set(bad) & set("IOQ")
    return Text(f"含有不允许的字符 {chars}" + ("（车架号不使用 I、O、Q）" if iqo else ""),
                f"contains {', '.join(sorted(set(bad)))}" + (" (I, O and Q are not used in VINs)" if iqo else ""))


# ------------------------------------------------------------------------------------------ mileage
READING_COLUMNS = ["vin", "date", "mileage", "sheet", "row", "record_id"]


def mileage_readings(register: Register, include_purchase: bool = True) -> pd.DataFrame:
    """Every dated odometer reading per VIN: service visits, the vehicle's current mileage with its
    mileage_date and (``include_purchase``) the purchase as 0 km. Columns: vin, date, mileage,
    sheet, row, record_id; sorted by vin and date."""
    veh = register.frames["vehicles"]
    vis = register.frames["service_visits"]
    parts = [
        pd.DataFrame({"vin": vis["vin"], "date": vis["date"], "mileage": vis["mileage"], "sheet": "service_visits",
                      "row": vis[ROW], "record_id": vis["visit_id"]}),
        pd.DataFrame({"vin": veh["vin"], "date": veh["mileage_date"], "mileage": veh["mileage"], "sheet": "vehicles",
                      "row": veh[ROW], "record_id": veh["vin"]}),
    ]
    if include_purchase:
        parts.append(pd.DataFrame({"vin": veh["vin"], "date": veh["purchase_date"], "mileage": 0.0,
                                   "sheet": "purchase", "row": veh[ROW], "record_id": veh["vin"]}))
    r = pd.concat(parts, ignore_index=True)
    r["vin"] = r["vin"].astype("string").str.replace(r"\s+", "", regex=True).str.upper()
    r = r.dropna(subset=["vin", "date", "mileage"])
    r = r.astype({"mileage": "float64", "row": "int64"})
    r["date"] = pd.to_datetime(r["date"]).astype("datetime64[ns]")
    return r.sort_values(["vin", "date", "mileage"], kind="stable").reset_index(drop=True)[READING_COLUMNS]


def _decreasing(readings: pd.DataFrame) -> pd.DataFrame:
    """Readings below the highest reading of an earlier day of the same VIN, with that reading."""
    if readings.empty:
        return readings.assign(previous=pd.Series(dtype="float64"), previous_date=pd.Series(dtype="datetime64[ns]"))
    daily = readings.groupby(["vin", "date"], as_index=False)["mileage"].max()
    daily["runmax"] = daily.groupby("vin")["mileage"].cummax()
    daily["runmax_date"] = daily["date"].where(daily["mileage"] == daily["runmax"])
    daily["runmax_date"] = daily.groupby("vin")["runmax_date"].ffill()
    daily["previous"] = daily.groupby("vin")["runmax"].shift(1)
    daily["previous_date"] = daily.groupby("vin")["runmax_date"].shift(1)
    r = readings.merge(daily[["vin", "date", "previous", "previous_date"]], on=["vin", "date"], how="left")
    return r[(r["mileage"] < r["previous"]).fillna(False)].reset_index(drop=True)


def mileage_projection(readings: pd.DataFrame) -> pd.DataFrame:
    """Per VIN: last_date, last_km (the highest reading so far), km_per_day (≥ 0, from the last two
    reading days; NaN with fewer than two), indexed by vin."""
    if readings.empty:
        return pd.DataFrame({"last_date": pd.Series(dtype="datetime64[ns]"), "last_km": pd.Series(dtype="float64"),
                             "km_per_day": pd.Series(dtype="float64")}, index=pd.Index([], name="vin", dtype="string"))
    daily = readings.groupby(["vin", "date"], as_index=False)["mileage"].max()
    g = daily.groupby("vin")
    last = g.tail(1).set_index("vin")
    prev = g.nth(-2).set_index("vin") if len(daily) > 1 else daily.iloc[0:0].set_index("vin")
    days = (last["date"] - prev["date"].reindex(last.index)).dt.days.astype("float64")
    rate = (last["mileage"] - prev["mileage"].reindex(last.index)) / days.where(days > 0)
    top = g["mileage"].max()
    return pd.DataFrame({"last_date": last["date"], "last_km": top.reindex(last.index),
                         "km_per_day": rate.clip(lower=0)})


def project_mileage(projection: pd.DataFrame, at: pd.Timestamp | dt.date | pd.Series) -> pd.Series:
    """Projected odometer per VIN on ``at`` (a date, or a Series of dates indexed by vin): the
    highest reading plus km_per_day × days since the last reading (never less than that reading;
    no change when the rate is unknown)."""
    when = at.reindex(projection.index) if isinstance(at, pd.Series) else pd.Timestamp(at)
    days = ((when - projection["last_date"]) / pd.Timedelta(days=1)).clip(lower=0)
    return projection["last_km"] + (projection["km_per_day"].fillna(0) * days).fillna(0)


def maintenance_due(register: Register, as_of: dt.date | pd.Timestamp) -> pd.DataFrame:
    """Next maintenance per vehicle (see the module docstring).

    Columns: vin, customer_id, owner, model, base ('service' | 'purchase'), base_date, base_km,
    time_due, km_due, km_due_date (NaT when the rate is unknown), due, due_by ('time' | 'mileage'),
    projected_km (on as_of), km_per_day.
    """
    s = register.settings
    today = pd.Timestamp(as_of).normalize()
    veh = register.frames["vehicles"].dropna(subset=["vin"]).drop_duplicates("vin").copy()
    veh["vin"] = veh["vin"].str.replace(r"\s+", "", regex=True).str.upper()
    vis = register.frames["service_visits"].dropna(subset=["vin", "date"]).copy()
    vis["vin"] = vis["vin"].str.replace(r"\s+", "", regex=True).str.upper()
    last_visit = vis.sort_values(["date", "mileage"], kind="stable").groupby("vin").tail(1).set_index("vin")
    lv = last_visit.reindex(veh["vin"])
    base_is_service = lv["date"].notna().to_numpy()
    base_date = pd.Series(np.where(base_is_service, lv["date"], veh["purchase_date"]), index=veh.index,
                          dtype="datetime64[ns]")
    base_km = pd.Series(np.where(base_is_service, lv["mileage"].fillna(0), 0.0), index=veh.index, dtype="float64")
    proj = mileage_projection(mileage_readings(register)).reindex(veh["vin"])
    proj.index = veh.index
    time_due = base_date + pd.DateOffset(months=s.maintenance_interval_months)
    km_due = base_km + s.maintenance_interval_km
    rate = proj["km_per_day"]
    to_go = km_due - proj["last_km"]
    days = np.ceil(to_go.clip(lower=0) / rate.where(rate > 0))
    km_date = proj["last_date"] + pd.to_timedelta(days, unit="D")
    due = pd.concat([time_due, km_date], axis=1).min(axis=1)
    by_km = (km_date < time_due).fillna(False)
    return pd.DataFrame({
        "vin": veh["vin"], "customer_id": veh["customer_id"], "owner": veh["owner"], "model": veh["model"],
        "base": np.where(base_is_service, "service", "purchase"), "base_date": base_date, "base_km": base_km,
        "time_due": time_due, "km_due": km_due, "km_due_date": km_date, "due": due,
        "due_by": np.where(by_km, "mileage", "time"),
        "projected_km": project_mileage(proj.set_index(veh["vin"]), today).to_numpy(),
        "km_per_day": rate,
    }).reset_index(drop=True)


# ------------------------------------------------------------------------------------------ follow-ups
REASONS: dict[str, Text] = {
    "maintenance_due": Text("保养提醒", "Maintenance due"),
    "service_call": Text("维修保养后满意度回访", "Satisfaction call after service"),
    "purchase_followup": Text("意向客户跟进", "Prospect follow-up"),
    "purchase_date_passed": Text("预计购车时间已过", "Expected purchase date passed"),
    "event_followup": Text("活动后跟进", "Follow-up after an event"),
}
_INTENT_PRIORITY = {"H": 1, "A": 1, "B": 2, "C": 3}


def intent_days(settings) -> dict[str, int]:
    """Follow-up interval in days per purchase intent level (H/A/B/C) from Settings."""
    return {"H": settings.intent_followup_days_h, "A": settings.intent_followup_days_a,
            "B": settings.intent_followup_days_b, "C": settings.intent_followup_days_c}


def vehicle_followups(register: Register, as_of: dt.date | pd.Timestamp, lang: str = "zh-CN",
                      horizon_days: int = 0) -> pd.DataFrame:
    """Follow-up items of the auto profile (004 三(一)) as of a date, in :mod:`crm_xl.agenda` shape.

    Kinds: ``maintenance_due`` (listed maintenance_remind_days ahead; priority 1 when overdue,
    else 2), ``service_call`` (latest visit of a VIN without a satisfaction score: call within
    service_call_days; priority 1), ``purchase_followup`` (H/A/B/C prospects: last contact +
    intent_followup_days_*, or the expected purchase date when sooner; priority H/A 1, B 2, C 3),
    ``purchase_date_passed`` (expected purchase date passed with no contact since; priority 1),
    ``event_followup`` (event attendee "interested" without a contact since the event; due
    event date + the interval of the customer's intent level, C when none; priority 2).
    Items other than maintenance are listed when due ≤ as_of + ``horizon_days``. Customers with
    status ``lost`` get none.
    """
    today = pd.Timestamp(as_of).normalize()
    t = lambda zh, en: pick(zh, en, lang)  # noqa: E731
    horizon = today + pd.Timedelta(days=horizon_days)
    cust = register.frames["customers"]
    live_ids = cust.loc[(cust["status"] != "lost").fillna(True), "customer_id"].dropna()
    owner_of = cust.dropna(subset=["customer_id"]).drop_duplicates("customer_id").set_index("customer_id")["owner"]
    parts = [
        _maintenance_items(register, today, t, lang, owner_of),
        _service_call_items(register, today, horizon, t, lang, owner_of),
        *_purchase_items(register, today, horizon, t, lang),
        _event_items(register, today, horizon, t, lang, owner_of),
    ]
    out = agenda.combine(parts)
    return out[isin(out["customer_id"], live_ids)].reset_index(drop=True)


def _maintenance_items(register, today, t, lang, owner_of) -> pd.DataFrame:
    s = register.settings
    m = maintenance_due(register, today)
    m = m[(m["due"] <= today + pd.Timedelta(days=s.maintenance_remind_days)).fillna(False)]
    if m.empty:
        return agenda.empty()
    km = lambda v: v.round().astype("Int64").astype("string").fillna("?").astype(object)  # noqa: E731
    by_km = m["due_by"] == "mileage"
    base = np.where(m["base"] == "service", t("上次保养 ", "last service "), t("购车 ", "purchased "))
    why = (agenda.text(m["model"]) + " " + agenda.text(m["vin"]) + t("：", ": ") + base + agenda.ymd(m["base_date"])
           + " " + km(m["base_km"]) + " km" + t("；", "; ")
           + np.where(by_km, t("预计 ", "projected to reach ") + km(m["km_due"]) + t(" km 于 ", " km on ")
                      + agenda.ymd(m["km_due_date"]) + t(f"（每 {s.maintenance_interval_km:,.0f} km）",
                                                          f" (every {s.maintenance_interval_km:,.0f} km)"),
                      t(f"满 {s.maintenance_interval_months} 个月于 ", f"{s.maintenance_interval_months} months on ")
                      + agenda.ymd(m["time_due"]))
           + t("；今日估算里程 ", "; estimated today ") + km(m["projected_km"]) + " km")
    priority = np.where(m["due"] < today, 1, 2)
    owner = agenda.fill_owner(m["owner"], m["customer_id"].map(owner_of))
    return agenda.items("maintenance_due", REASONS["maintenance_due"], lang, priority, owner=owner, due=m["due"],
                        why=why, customer_id=m["customer_id"], subject=m["vin"])


def _service_call_items(register, today, horizon, t, lang, owner_of) -> pd.DataFrame:
    s = register.settings
    vis = register.frames["service_visits"].dropna(subset=["vin", "date"])
    latest = vis.sort_values("date", kind="stable").groupby("vin").tail(1)
    v = latest[latest["satisfaction"].isna() & (latest["date"] <= today)]
    due = v["date"] + pd.Timedelta(days=s.service_call_days)
    v, due = v[due <= horizon], due[due <= horizon]
    if v.empty:
        return agenda.empty()
    veh = register.frames["vehicles"].dropna(subset=["vin"]).drop_duplicates("vin").set_index("vin")
    cid = v["customer_id"].fillna(v["vin"].map(veh["customer_id"]))
    owner = agenda.fill_owner(v["advisor"], agenda.fill_owner(v["vin"].map(veh["owner"]), cid.map(owner_of)))
    why = (t("工单 ", "visit ") + agenda.text(v["visit_id"]) + " " + agenda.text(v["vin"]) + t(" 于 ", " on ")
           + agenda.ymd(v["date"]) + "（" + agenda.text(v["items"]) + t(f"），须在 {s.service_call_days} 天内回访满意度",
                                                                    f"): call for satisfaction within {s.service_call_days} days"))
    if lang == "en":
        why = why.str.replace("（", " (", regex=False)
    return agenda.items("service_call", REASONS["service_call"], lang, 1, owner=owner, due=due, why=why,
                        customer_id=cid, subject=v["vin"])


def _last_contact(register) -> pd.Series:
    acts = register.frames["activities"].dropna(subset=["customer_id", "date"])
    return acts.groupby("customer_id")["date"].max()


def _purchase_items(register, today, horizon, t, lang) -> list[pd.DataFrame]:
    s = register.settings
    days = intent_days(s)
    c = register.frames["customers"]
    c = c[c["purchase_intent"].isin(list(days)).fillna(False) & c["customer_id"].notna()]
    if c.empty:
        return []
    last_act = c["customer_id"].map(_last_contact(register))
    last = last_act.fillna(c["first_contact_date"]).fillna(c["entered_date"])
    interval = c["purchase_intent"].map(days).astype("float64")
    due = last + pd.to_timedelta(interval, unit="D")
    expected = c["expected_purchase_date"]
    passed = (expected < today).fillna(False) & ~(last > expected).fillna(False)
    sooner = (expected < due).fillna(False) & (expected >= last).fillna(False) & ~passed
    due = due.where(~sooner, expected)
    intent_label = c["purchase_intent"].astype(object)
    base = np.where(last_act.notna(), t("上次跟进 ", "last contact "), t("首次接触 ", "first contact "))
    why = (agenda.text(c["company_name"]) + t("（", " (") + intent_label + t("级，预算 ", ", budget ")
           + agenda.text(c["budget_range"]) + t("，意向车型 ", ", model ") + agenda.text(c["model_preference"])
           + t("）：", "): ") + base + agenda.ymd(last) + t("，每 ", ", every ") + interval.astype("Int64").astype(str)
           + t(" 天跟进", " days")
           + np.where(expected.notna(), t("；预计购车 ", "; expected purchase ") + agenda.ymd(expected), ""))
    keep = ~passed & (due <= horizon).fillna(False)
    normal = agenda.items("purchase_followup", REASONS["purchase_followup"], lang,
                          c.loc[keep, "purchase_intent"].map(_INTENT_PRIORITY), owner=c.loc[keep, "owner"],
                          due=due[keep], why=why[keep], customer_id=c.loc[keep, "customer_id"])
    why_passed = why[passed] + t("；预计购车时间已过且之后未跟进，请确认购车情况并更新意向等级",
                                 "; the expected purchase date has passed without contact: confirm and update the intent")
    late = agenda.items("purchase_date_passed", REASONS["purchase_date_passed"], lang, 1, owner=c.loc[passed, "owner"],
                        due=expected[passed], why=why_passed, customer_id=c.loc[passed, "customer_id"])
    return [normal, late]


def _event_items(register, today, horizon, t, lang, owner_of) -> pd.DataFrame:
    s = register.settings
    ev = register.frames["events"]
    ev = ev[(ev["result"] == "interested").fillna(False) & ev["customer_id"].notna() & (ev["date"] <= today).fillna(False)]
    if ev.empty:
        return agenda.empty()
    ev = ev.sort_values("date").drop_duplicates("customer_id", keep="last")
    last = ev["customer_id"].map(_last_contact(register))
    ev = ev[~(last > ev["date"]).fillna(False)]
    cust = register.frames["customers"].dropna(subset=["customer_id"]).drop_duplicates("customer_id").set_index("customer_id")
    intent = ev["customer_id"].map(cust["purchase_intent"]).astype("string").fillna("C")
    interval = intent.map(intent_days(s)).fillna(s.intent_followup_days_c).astype("float64")
    due = ev["date"] + pd.to_timedelta(interval, unit="D")
    keep = (due <= horizon).fillna(False)
    ev, due = ev[keep], due[keep]
    if ev.empty:
        return agenda.empty()
    from crm_xl.schema import ENUMS

    kind = ev["type"].map({k: ENUMS["event_type"].label(k, lang) for k in ENUMS["event_type"].codes})
    why = (agenda.text(kind.astype("string")) + " " + agenda.text(ev["title"]) + t(" 于 ", " on ") + agenda.ymd(ev["date"])
           + t("：客户有意向，活动后尚未跟进", ": the customer showed interest and has not been contacted since"))
    owner = agenda.fill_owner(ev["owner"], ev["customer_id"].map(owner_of))
    return agenda.items("event_followup", REASONS["event_followup"], lang, 2, owner=owner, due=due, why=why,
                        customer_id=ev["customer_id"], subject=ev["event_id"])


# ------------------------------------------------------------------------------------------ reports
def _between(s: pd.Series, start, end) -> pd.Series:
    ok = s.notna()
    if start is not None:
        ok &= s >= pd.Timestamp(start)
    if end is not None:
        ok &= s <= pd.Timestamp(end)
    return ok.fillna(False)


def sales_by_model(register: Register, start: dt.date | None = None, end: dt.date | None = None) -> pd.DataFrame:
    """Vehicles sold per model with purchase_date in [start, end]: model, vehicles, revenue (base
    currency), average_price, share (of vehicles); sorted by vehicles sold."""
    v = register.frames["vehicles"]
    v = v[_between(v["purchase_date"], start, end) & v["model"].notna()]
    g = v.groupby("model").agg(vehicles=("vin", "size"), revenue=("purchase_price", "sum"),
                               priced=("purchase_price", "count"))
    g["average_price"] = g["revenue"] / g["priced"].where(g["priced"] > 0)
    g["share"] = g["vehicles"] / g["vehicles"].sum() if len(g) else 0.0
    g = g.drop(columns="priced").sort_values(["vehicles", "revenue"], ascending=False).reset_index()
    return g.astype({"vehicles": "int64", "revenue": "float64"})


def service_revenue_by_month(register: Register, start: dt.date | None = None,
                             end: dt.date | None = None) -> pd.DataFrame:
    """Service visits per calendar month: month (YYYY-MM), visits, revenue (sum of cost, base
    currency), average_ticket, satisfaction (mean score of rated visits)."""
    v = register.frames["service_visits"]
    v = v[_between(v["date"], start, end)]
    if v.empty:
        return pd.DataFrame({"month": pd.Series(dtype="string"), "visits": pd.Series(dtype="int64"),
                             "revenue": pd.Series(dtype="float64"), "average_ticket": pd.Series(dtype="float64"),
                             "satisfaction": pd.Series(dtype="float64")})
    month = v["date"].dt.strftime("%Y-%m")
    g = v.groupby(month).agg(visits=("visit_id", "size"), revenue=("cost", "sum"), satisfaction=("satisfaction", "mean"))
    g["average_ticket"] = g["revenue"] / g["visits"]
    g.index.name = "month"
    return g.reset_index()[["month", "visits", "revenue", "average_ticket", "satisfaction"]]


def retention(register: Register, as_of: dt.date | pd.Timestamp) -> dict[str, float | int]:
    """Service retention (004 三(三)3 定期回访、提醒保养): of the customers with a vehicle bought at
    least ``retention_months`` months before as_of, the share with a service visit in the last
    ``retention_months`` months. Returns months, owners, returned, rate (NaN without owners)."""
    n = register.settings.retention_months
    today = pd.Timestamp(as_of).normalize()
    since = today - pd.DateOffset(months=n)
    v = register.frames["vehicles"]
    owners = set(v.loc[(v["purchase_date"] <= since).fillna(False), "customer_id"].dropna())
    vis = register.frames["service_visits"]
    recent = vis[((vis["date"] > since) & (vis["date"] <= today)).fillna(False)]
    vin_owner = v.dropna(subset=["vin"]).drop_duplicates("vin").set_index("vin")["customer_id"]
    came = set(recent["customer_id"].fillna(recent["vin"].map(vin_owner)).dropna())
    returned = len(owners & came)
    return {"months": n, "owners": len(owners), "returned": returned,
            "rate": returned / len(owners) if owners else float("nan")}


def event_conversion(register: Register, start: dt.date | None = None, end: dt.date | None = None) -> pd.DataFrame:
    """Per event type (events dated in [start, end]): events, attendees (event × customer),
    ordered (result 'ordered', or the customer bought a vehicle within event_conversion_days after
    the event), interested, conversion (ordered / attendees)."""
    days = register.settings.event_conversion_days
    e = register.frames["events"]
    e = e[_between(e["date"], start, end) & e["customer_id"].notna()].drop_duplicates(["event_id", "customer_id"])
    cols = ["type", "events", "attendees", "ordered", "interested", "conversion"]
    if e.empty:
        return pd.DataFrame({c: pd.Series(dtype="string" if c == "type" else "float64") for c in cols})
    v = register.frames["vehicles"].dropna(subset=["customer_id", "purchase_date"])[["customer_id", "purchase_date"]]
    pairs = e[["event_id", "customer_id", "date"]].merge(v, on="customer_id")
    bought = pairs[(pairs["purchase_date"] >= pairs["date"])
                   & (pairs["purchase_date"] <= pairs["date"] + pd.Timedelta(days=days))]
    bought_keys = set(zip(bought["event_id"], bought["customer_id"]))
    e = e.assign(ordered=[(r == "ordered") or ((ev, c) in bought_keys)
                          for r, ev, c in zip(e["result"].fillna(""), e["event_id"], e["customer_id"])],
                 interested=(e["result"] == "interested").fillna(False))
    g = e.groupby("type").agg(events=("event_id", "nunique"), attendees=("customer_id", "size"),
                              ordered=("ordered", "sum"), interested=("interested", "sum"))
    g["conversion"] = g["ordered"] / g["attendees"]
    return g.reset_index()[cols].sort_values("attendees", ascending=False, kind="stable").reset_index(drop=True)


def auto_report(register: Register, as_of: dt.date | pd.Timestamp, start: dt.date | None = None,
                end: dt.date | None = None) -> dict[str, object]:
    """The auto profile's report data: sales_by_model, service_revenue (by month), retention,
    event_conversion, maintenance (vehicles due within the reminder window, with due dates)."""
    today = pd.Timestamp(as_of).normalize()
    due = maintenance_due(register, today)
    window = today + pd.Timedelta(days=register.settings.maintenance_remind_days)
    return {
        "sales_by_model": sales_by_model(register, start, end),
        "service_revenue": service_revenue_by_month(register, start, end),
        "retention": retention(register, today),
        "event_conversion": event_conversion(register, start, end),
        "maintenance": due[(due["due"] <= window).fillna(False)].sort_values("due").reset_index(drop=True),
    }
