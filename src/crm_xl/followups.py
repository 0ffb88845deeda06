"""The follow-up plan (跟进计划): whom to contact, when and why (SPEC F6, F3.3; pure core).

Each item has an owner, a due date, a priority, a reason code with its text in the user's
language, a ``why`` detail and the customer/contact/opportunity/ticket it concerns.

Kinds (reason code — priority — due date — when listed):

==================== == ================================================ =====================
code                 p  due                                              listed when
==================== == ================================================ =====================
receivable_overdue   1  as-of date                                       in the ``overdue`` input
opportunity_followup 1  the opportunity's next_followup_date             due ≤ horizon end
satisfaction_call    1  closed_at + satisfaction_call_days working days  closed complaint without
                                                                         satisfaction, due ≤ horizon end
stale_opportunity    2  last activity + stale_days(stage), rolled         no activity for more than
                        forward to a working day                         stale_days(stage)
revisit_due          2  last activity (else first contact) +             due ≤ horizon end
                        revisit_days(scale), rolled to a working day
important_review     2  as-of date                                       important, reviewer/date missing
birthday             2  the birthday itself (greetings go on the day)     within birthday_window_days
holiday              3  last working day before the holiday, not         within holiday_window_days
                        before the as-of date
info_review          3  last_info_update (else entered_date) +            due ≤ horizon end
                        info_review_days, rolled to a working day
==================== == ================================================ =====================

Priority 1 is the highest, 3 the lowest. The horizon end is ``as_of + followup_horizon_days``.
Customers with status ``lost`` get no item except overdue receivables and satisfaction calls;
revisits are for active and dormant customers (prospects are followed through their
opportunities). Holidays are the customer's country's (``holidays`` package, ISO code) and
China's festivals (bridging days off "休息日（由…调休）" and "(observed)" days skipped; days
of one festival merged); a Chinese festival for a foreign customer adds "tell them our holiday
schedule" to the greeting.

Items of one customer on one day are merged into one (the highest priority's owner and ids,
all reasons and details joined), then sorted by owner, due date and priority.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from crm_xl import agenda
from crm_xl.calendar import WorkCalendar, calendar_for, holidays_in_window
from crm_xl.i18n import Text, pick
from crm_xl.keys import isin
from crm_xl.register import Register, lookup
from crm_xl.schema import ENUMS

__all__ = ["FOLLOWUP_COLUMNS", "REASONS", "build_followups", "followups_json", "next_revisit"]

# code → (priority, reason text); the order is the order reasons are listed when merged.
REASONS: dict[str, tuple[int, Text]] = {
    "receivable_overdue": (1, Text("应收款逾期", "Overdue receivable")),
    "opportunity_followup": (1, Text("机会跟进到期", "Opportunity follow-up due")),
    "satisfaction_call": (1, Text("投诉关闭后满意度回访", "Satisfaction call after a complaint")),
    "stale_opportunity": (2, Text("机会停滞无跟进", "Stale opportunity")),
    "revisit_due": (2, Text("定期回访到期", "Revisit due")),
    "important_review": (2, Text("重要客户待二次核对", "Important customer not double-checked")),
    "birthday": (2, Text("联系人生日", "Contact's birthday")),
    "holiday": (3, Text("节日问候", "Holiday greeting")),
    "info_review": (3, Text("客户信息待核实", "Customer information review due")),
}

FOLLOWUP_COLUMNS = ["owner", "due", "priority", "code", "reason", "why", "greeting", "customer_id",
                    "customer_name", "contact_id", "opportunity_id", "ticket_id"]
_PARTS = ["customer_id", "due", "code", "why", "owner", "contact_id", "opportunity_id", "ticket_id", "greeting"]

# Festival kinds: (pattern on the English name, greeting zh, greeting en). None = no greeting.
_FESTIVALS: tuple[tuple[str, str, str | None, str | None], ...] = (
    ("skip", r"day off|substituted|observed|tomb-sweeping|good friday|memorial|remembrance|ashura|"
             r"mourning|arafah|all souls", None, None),
    ("spring", r"chinese new year|spring festival|lunar new year|tet\b", "新春问候", "Happy Chinese New Year"),
    ("mid_autumn", r"mid-autumn", "中秋问候", "Happy Mid-Autumn Festival"),
    ("dragon_boat", r"dragon boat", "端午问候", "Happy Dragon Boat Festival"),
    ("christmas", r"christmas|boxing day|st\.? stephen", "圣诞问候", "Merry Christmas and Happy New Year"),
    ("new_year", r"new year", "新年问候", "Happy New Year"),
    ("national_day", r"national day|independence day|republic day|unity day|constitution day",
     "国庆问候", "National Day greetings"),
    ("labor", r"labou?r day|may day|workers", "劳动节问候", "Happy Labour Day"),
    ("thanksgiving", r"thanksgiving", "感恩节问候", "Happy Thanksgiving"),
    ("easter", r"easter", "复活节问候", "Happy Easter"),
    ("eid", r"eid\b|eid al|id al|hari raya|ramadan|bayram", "节日问候（开斋节/宰牲节）", "Eid Mubarak"),
    ("diwali", r"diwali|deepavali", "排灯节问候", "Happy Diwali"),
)
_LANG_FOR_HOLIDAYS = {"zh-CN": "zh_CN", "zh-TW": "zh_TW", "en": "en_US"}


def _festival(name_en: str) -> tuple[str, str | None, str | None]:
    """(kind, greeting zh, greeting en) of a holiday from its English name."""
    low = name_en.lower()
    for kind, pattern, zh, en in _FESTIVALS:
        if re.search(pattern, low):
            return kind, zh, en
    return "generic", "节日问候", "Holiday greetings"


def _ymd(s: pd.Series) -> pd.Series:
    return s.dt.strftime("%Y-%m-%d").fillna("").astype(object)


def _frame(**cols: Any) -> pd.DataFrame:
    """A kind's items with every part column (missing parts are NA)."""
    df = pd.DataFrame(cols)
    for c in _PARTS:
        if c not in df:
            df[c] = pd.NA
    return df[_PARTS]


def next_revisit(register: Register, scale: pd.Series, calendar: WorkCalendar | None = None) -> pd.DataFrame:
    """Next revisit per customer: last activity (else first contact) + revisit_days(scale), rolled
    forward to a working day. Returns customer_id, scale, base ('activity' | 'first_contact'),
    last, cycle, due (NaT where the scale or both dates are unknown)."""
    s = register.settings
    cal = calendar or calendar_for(s)
    c = register.frames["customers"]
    acts = register.frames["activities"]
    last_act = acts.dropna(subset=["customer_id", "date"]).groupby("customer_id")["date"].max()
    act = lookup(c["customer_id"], last_act)
    last = act.fillna(c["first_contact_date"])
    sc = c["customer_id"].map(scale).astype("string")
    cycle = sc.map({k: s.revisit_days(k) for k in ENUMS["scale"].codes}).astype("float64")
    due = cal.roll_forward_series(last + pd.to_timedelta(cycle, unit="D"))
    return pd.DataFrame({
        "customer_id": c["customer_id"], "scale": sc,
        "base": np.where(act.notna(), "activity", "first_contact"),
        "last": last, "cycle": cycle, "due": due.to_numpy(),
    })


def build_followups(register: Register, as_of: date, lang: str, scale: pd.Series,
                    overdue: pd.DataFrame | None = None, calendar: WorkCalendar | None = None) -> pd.DataFrame:
    """The follow-up plan as of a date (see the module docstring for the kinds).

    Args:
        register: the register.
        as_of: the plan's date ("today").
        lang: language of reason/why/greeting texts (zh-CN, zh-TW, en).
        scale: customer scale (large/medium/small) indexed by customer_id, from grading.
        overdue: overdue receivables (order_id, customer_id, owner, days_overdue, amount_base);
            None when not computed (no receivable items then).
        calendar: working calendar (default: from the register's Settings).

    Returns:
        A DataFrame with FOLLOWUP_COLUMNS, one row per customer and due day.
    """
    s = register.settings
    cal = calendar or calendar_for(s)
    t = lambda zh, en: pick(zh, en, lang)  # noqa: E731
    today = pd.Timestamp(as_of).normalize()
    horizon = today + pd.Timedelta(days=s.followup_horizon_days)
    c = register.frames["customers"]
    live = c[c["status"].fillna("") != "lost"]
    parts = [
        _revisits(register, scale, cal, horizon, t, lang),
        _opportunities(register, today, horizon, t, lang),
        _stale(register, today, cal, t, lang),
        _birthdays(register, live, today, t),
        _holidays(live, today, s.holiday_window_days, cal, t, lang),
        _info_review(live, s, cal, horizon, t),
        _important(live, s, today, t),
        _receivables(overdue, today, s.base_currency, t),
        _satisfaction(register, s, cal, horizon, t),
    ]
    items = pd.concat([p for p in parts if len(p)], ignore_index=True) if any(len(p) for p in parts) else _frame()
    return _finish(items, c, lang, t)


# --------------------------------------------------------------------------- kinds
def _revisits(register, scale, cal, horizon, t, lang) -> pd.DataFrame:
    c = register.frames["customers"]
    nr = next_revisit(register, scale, cal)
    keep = c["status"].isin(["active", "dormant"]).fillna(False).to_numpy() & nr["due"].notna().to_numpy()
    nr = nr[keep & (nr["due"] <= horizon).fillna(False).to_numpy()]
    if nr.empty:
        return _frame()
    label = nr["scale"].map({k: ENUMS["scale"].label(k, lang).lower() for k in ENUMS["scale"].codes})
    base = np.where(nr["base"] == "activity", t("上次联系 ", "last contact "), t("首次接触 ", "first contact "))
    cycle = nr["cycle"].astype(int).astype(str)
    why = base + _ymd(nr["last"]) + t("，", ", ") + label.astype(object) + t("客户每 ", " customers: every ") \
        + cycle + t(" 天回访", " days")
    return _frame(customer_id=nr["customer_id"], due=nr["due"], code="revisit_due", why=why)


def _opportunities(register, today, horizon, t, lang) -> pd.DataFrame:
    o = register.frames["opportunities"]
    o = o[(o["status"] == "open").fillna(False) & o["next_followup_date"].notna()
          & (o["next_followup_date"] <= horizon).fillna(False)]
    if o.empty:
        return _frame()
    stage = o["stage"].map({k: ENUMS["stage"].label(k, lang) for k in ENUMS["stage"].codes}).astype("string")
    goal = agenda.text(o["followup_goal"])
    method = o["followup_method"].map({k: ENUMS["method"].label(k, lang) for k in ENUMS["method"].codes})
    method = agenda.text(method.astype("string"))
    why = (t("机会 ", "opportunity ") + agenda.text(o["opportunity_id"]) + " " + agenda.text(o["title"])
           + t("（", " (") + agenda.text(stage) + t("）计划跟进 ", ") planned follow-up ") + _ymd(o["next_followup_date"])
           + np.where(method != "", t("，方式：", ", by ") + method, "")
           + np.where(goal != "", t("，目标：", ", goal: ") + goal, ""))
    return _frame(customer_id=o["customer_id"], due=o["next_followup_date"], code="opportunity_followup", why=why,
                  owner=o["owner"], contact_id=o["contact_id"], opportunity_id=o["opportunity_id"])


def _stale(register, today, cal, t, lang) -> pd.DataFrame:
    s = register.settings
    o = register.frames["opportunities"]
    o = o[(o["status"] == "open").fillna(False)]
    limit = o["stage"].map({k: s.stale_days(k) for k in ENUMS["stage"].codes}).astype("float64")
    acts = register.frames["activities"]
    last_act = acts.dropna(subset=["opportunity_id", "date"]).groupby("opportunity_id")["date"].max()
    act = lookup(o["opportunity_id"], last_act)
    last = act.fillna(o["created_date"])
    idle = (today - last).dt.days
    hit = (idle > limit).fillna(False)
    o, last, limit, idle, act = o[hit], last[hit], limit[hit], idle[hit], act[hit]
    if o.empty:
        return _frame()
    due = cal.roll_forward_series(last + pd.to_timedelta(limit, unit="D"))
    stage = o["stage"].map({k: ENUMS["stage"].label(k, lang) for k in ENUMS["stage"].codes}).astype("string")
    base = np.where(act.notna(), t("上次跟进 ", "last activity "), t("创建于 ", "created "))
    why = (t("机会 ", "opportunity ") + agenda.text(o["opportunity_id"]) + " " + agenda.text(o["title"]) + t("：", ": ") + base
           + _ymd(last) + t("，已 ", ", ") + idle.astype(int).astype(str) + t(" 天无跟进（", " days without activity (")
           + agenda.text(stage) + t("阶段上限 ", " stage limit ") + limit.astype(int).astype(str) + t(" 天）", " days)"))
    return _frame(customer_id=o["customer_id"], due=due, code="stale_opportunity", why=why, owner=o["owner"],
                  contact_id=o["contact_id"], opportunity_id=o["opportunity_id"])


def _birthday_in(born: pd.Series, year: pd.Series) -> pd.Series:
    """The birthday in ``year`` (29 February → 28 February in common years)."""
    month, day = born.dt.month, born.dt.day
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    day = day.where(~((month == 2) & (day == 29) & ~leap), 28)
    return pd.to_datetime(pd.DataFrame({"year": year, "month": month, "day": day}), errors="coerce")


def _birthdays(register, live, today, t) -> pd.DataFrame:
    window = register.settings.birthday_window_days
    p = register.frames["contacts"]
    p = p[p["birthday"].notna().to_numpy() & isin(p["customer_id"], live["customer_id"])]
    if p.empty:
        return _frame()
    this = _birthday_in(p["birthday"], pd.Series(today.year, index=p.index))
    nxt = _birthday_in(p["birthday"], pd.Series(today.year + 1, index=p.index))
    when = this.where(this >= today, nxt)
    hit = (when <= today + pd.Timedelta(days=window)).fillna(False)
    p, when = p[hit], when[hit]
    if p.empty:
        return _frame()
    why = (t("联系人 ", "contact ") + agenda.text(p["name"]) + np.where(agenda.text(p["title"]) != "", t("（", " (")
           + agenda.text(p["title"]) + t("）", ")"), "") + t(" 生日 ", " birthday ") + when.dt.strftime("%m-%d").astype(object))
    return _frame(customer_id=p["customer_id"], due=when, code="birthday", why=why, contact_id=p["contact_id"],
                  greeting=t("生日祝福", "Birthday greetings"))


def _holiday_table(countries: list[str], start: date, end: date, lang: str, t) -> pd.DataFrame:
    """Greeting-worthy holidays per country in the window: country, date, name, key, greeting."""
    rows = []
    for country in countries:
        named = dict(holidays_in_window(country, start, end, _LANG_FOR_HOLIDAYS.get(lang, "zh_CN")))
        for d, name_en in holidays_in_window(country, start, end, "en_US"):
            kind, zh, en = _festival(name_en)
            if kind == "skip":
                continue
            base = re.sub(r"\s*\((observed|estimated)\)|\s*\*$", "", name_en).strip()
            rows.append({"country": country, "date": pd.Timestamp(d), "name": named.get(d, name_en),
                         "key": kind if kind != "generic" else base,
                         "greeting": t(zh, en) if kind != "generic" else t(f"{zh}（{named.get(d, name_en)}）",
                                                                            f"{en} ({name_en})")})
    table = pd.DataFrame(rows, columns=["country", "date", "name", "key", "greeting"])
    return table.sort_values("date").drop_duplicates(["country", "key"], keep="first")


def _holidays(live, today, window, cal, t, lang) -> pd.DataFrame:
    end = today + pd.Timedelta(days=window)
    countries = sorted(set(live["country"].dropna().str.upper()) | {"CN"})
    table = _holiday_table(countries, today.date(), end.date(), lang, t)
    if table.empty or live.empty:
        return _frame()
    cust = live[["customer_id", "country"]].assign(country=live["country"].str.upper().fillna(""))
    own = cust.merge(table, on="country")
    cn = cust[cust["country"] != "CN"].merge(table[table["country"] == "CN"].drop(columns="country"), how="cross")
    cn["greeting"] = cn["greeting"] + t("，并告知我方放假安排", "; tell them our holiday schedule")
    cn["country"] = "CN"
    both = pd.concat([own, cn], ignore_index=True)
    if both.empty:
        return _frame()
    before = cal.add_workdays_series(both["date"], -1)
    due = before.where(before >= today, today)
    why = _ymd(both["date"]) + " " + both["name"].astype(object) + t("（", " (") + both["country"].astype(object) \
        + t("）", ")")
    return _frame(customer_id=both["customer_id"], due=due, code="holiday", why=why, greeting=both["greeting"])


def _info_review(live, s, cal, horizon, t) -> pd.DataFrame:
    base = live["last_info_update"].fillna(live["entered_date"])
    due = cal.roll_forward_series(base + pd.Timedelta(days=s.info_review_days))
    hit = (due <= horizon).fillna(False)
    c, base, due = live[hit], base[hit], due[hit]
    if c.empty:
        return _frame()
    why = (np.where(c["last_info_update"].notna(), t("信息上次核实 ", "information last reviewed "),
                    t("录入于 ", "entered ")) + _ymd(base)
           + t(f"，每 {s.info_review_days} 天须全面核实", f", review every {s.info_review_days} days"))
    return _frame(customer_id=c["customer_id"], due=due, code="info_review", why=why)


def _important(live, s, today, t) -> pd.DataFrame:
    if not s.important_needs_review:
        return _frame()
    no_by, no_date = live["reviewed_by"].isna(), live["reviewed_date"].isna()
    c = live[(live["important"] == "yes").fillna(False) & (no_by | no_date)]
    if c.empty:
        return _frame()
    missing = np.where(no_by[c.index] & no_date[c.index], t("核对人和核对日期", "reviewer and review date"),
                       np.where(no_by[c.index], t("核对人", "reviewer"), t("核对日期", "review date")))
    why = t("重要客户缺少", "important customer without ") + pd.Series(missing, index=c.index).astype(object)
    return _frame(customer_id=c["customer_id"], due=today, code="important_review", why=why)


def _receivables(overdue, today, currency, t) -> pd.DataFrame:
    if overdue is None or len(overdue) == 0:
        return _frame()
    o = overdue
    amount = o["amount_base"].astype("float64").map(lambda v: "" if pd.isna(v) else f"{v:,.2f}")
    why = (t("订单 ", "order ") + agenda.text(o["order_id"]) + t(" 逾期 ", " overdue ")
           + o["days_overdue"].astype("float64").fillna(0).astype(int).astype(str) + t(" 天，未收 ", " days, open ")
           + f"{currency} " + amount.astype(object))
    return _frame(customer_id=o["customer_id"].astype("string"), due=today, code="receivable_overdue", why=why,
                  owner=o["owner"].astype("string") if "owner" in o else pd.NA)


def _satisfaction(register, s, cal, horizon, t) -> pd.DataFrame:
    k = register.frames["tickets"]
    k = k[(k["type"] == "complaint").fillna(False) & (k["status"] == "closed").fillna(False)
          & k["closed_at"].notna() & k["satisfaction"].isna()]
    if k.empty:
        return _frame()
    due = cal.add_workdays_series(k["closed_at"].dt.normalize(), s.satisfaction_call_days)
    hit = (due <= horizon).fillna(False)
    k, due = k[hit], due[hit]
    if k.empty:
        return _frame()
    why = (t("投诉 ", "complaint ") + agenda.text(k["ticket_id"]) + t(" 于 ", " closed ") + _ymd(k["closed_at"])
           + t(f" 关闭，须在 {s.satisfaction_call_days} 个工作日内回访满意度",
               f"; call for satisfaction within {s.satisfaction_call_days} working days"))
    return _frame(customer_id=k["customer_id"], due=due, code="satisfaction_call", why=why, owner=k["assignee"],
                  ticket_id=k["ticket_id"])


# --------------------------------------------------------------------------- merge
def _finish(items: pd.DataFrame, customers: pd.DataFrame, lang: str, t) -> pd.DataFrame:
    if items.empty:
        return pd.DataFrame({c: pd.Series(dtype="datetime64[ns]" if c == "due" else "Int64" if c == "priority"
                                          else "string") for c in FOLLOWUP_COLUMNS})
    items = items.copy()
    items["due"] = pd.to_datetime(items["due"]).astype("datetime64[ns]").dt.normalize()
    for col in ("customer_id", "owner", "contact_id", "opportunity_id", "ticket_id", "greeting", "why"):
        items[col] = items[col].astype("string")
    order = {code: i for i, code in enumerate(REASONS)}
    items["priority"] = items["code"].map({k: p for k, (p, _) in REASONS.items()})
    items["reason"] = items["code"].map({k: txt(lang) for k, (_, txt) in REASONS.items()})
    items["_order"] = items["code"].map(order)
    cust = customers.drop_duplicates("customer_id").set_index("customer_id")
    items["owner"] = items["owner"].fillna(lookup(items["customer_id"], cust["owner"]))
    items["owner"] = items["owner"].fillna(t("（未指定）", "(unassigned)"))
    items["customer_name"] = lookup(items["customer_id"], cust["company_name"]).astype("string")
    items = items.sort_values(["priority", "_order", "due"], kind="stable")
    sep = "; " if lang == "en" else "；"
    groups = items.groupby(["customer_id", "due"], dropna=False, sort=False)
    merged = groups.agg(
        owner=("owner", "first"), priority=("priority", "min"),
        customer_name=("customer_name", "first"), contact_id=("contact_id", "first"),
        opportunity_id=("opportunity_id", "first"), ticket_id=("ticket_id", "first"),
    ).reset_index()
    # The text columns join each group's distinct values in one pass over the rows (a lambda per
    # group built a Series for each of tens of thousands of groups).
    number = groups.ngroup().to_numpy()
    merged["code"] = _join_distinct(number, items["code"], ",", len(merged))
    for col in ("reason", "why", "greeting"):
        merged[col] = _join_distinct(number, items[col], sep, len(merged))
    merged = merged.sort_values(["owner", "due", "priority", "customer_id"], kind="stable").reset_index(drop=True)
    out = merged[FOLLOWUP_COLUMNS].copy()
    out["priority"] = out["priority"].astype("Int64")
    for col in ("owner", "code", "reason", "why", "greeting", "customer_id", "customer_name", "contact_id",
                "opportunity_id", "ticket_id"):
        out[col] = out[col].astype("string").replace("", pd.NA)
    return out


def _join_distinct(group: np.ndarray, values: pd.Series, sep: str, n_groups: int) -> list[str]:
    """Per group (numbered 0…n-1 in ``group``), its distinct non-empty texts joined in row order."""
    seen: list[dict[str, None]] = [{} for _ in range(n_groups)]
    for g, v in zip(group.tolist(), values.tolist()):
        if isinstance(v, str) and v:
            seen[g][v] = None
    return [sep.join(d) for d in seen]


def followups_json(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Follow-up items in the analyze contract's shape:
    ``{owner, due, priority, reason, customer_id, contact_id, opportunity_id, ticket_id}``."""
    if not len(frame):
        return []
    due = frame["due"]
    if isinstance(due.dtype, np.dtype) and due.dtype.kind == "M" and due.notna().all():
        days = np.datetime_as_string(due.to_numpy(), unit="D").tolist()
    else:  # the value-by-value way (it is what raises on a missing due date)
        days = [d.date().isoformat() for d in due]
    keys = ["owner", "due", "priority", "reason", "customer_id", "contact_id", "opportunity_id", "ticket_id"]
    columns = [[None if v is pd.NA else v for v in frame["owner"].astype(object).tolist()], days,
               [int(v) for v in frame["priority"].astype(object).tolist()],
               [None if v is pd.NA else v for v in frame["reason"].astype(object).tolist()]]
    for k in keys[4:]:
        columns.append([None if pd.isna(v) else str(v) for v in frame[k].astype(object).tolist()])
    return [dict(zip(keys, row)) for row in zip(*columns)]


def with_risk_actions(plan: pd.DataFrame, grades: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The plan with the suggested action of each medium- or high-risk customer's grade (002 七.3)
    added to its items' why, e.g. "风险等级 高：密切关注客户动态…"."""
    from crm_xl.grading import risk_action

    if plan.empty or "risk" not in grades.columns:
        return plan
    risk = grades.dropna(subset=["customer_id"]).drop_duplicates("customer_id").set_index("customer_id")["risk"]
    grade = lookup(plan["customer_id"], risk).astype("string").to_numpy(dtype=object, na_value=None)
    texts: dict[str, str | None] = {}  # one note per risk grade, not one per item
    for r in set(grade) - {None}:
        texts[r] = None if r == "low" else pick(f"风险等级 {ENUMS['risk'].label(r, lang)}：{risk_action(r, lang)}",
                                                f"risk {ENUMS['risk'].label(r, lang)}: {risk_action(r, lang)}", lang)
    note = [None if r is None else texts[r] for r in grade.tolist()]
    out = plan.copy()
    sep = "; " if lang == "en" else "；"
    has = np.array([n is not None for n in note], dtype=bool)
    out.loc[has, "why"] = [f"{w}{sep}{n}" if isinstance(w, str) and w else n
                           for w, n in zip(out.loc[has, "why"].astype(object), (n for n in note if n is not None))]
    out["why"] = out["why"].astype("string")
    return out
