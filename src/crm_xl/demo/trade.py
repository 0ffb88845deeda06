"""Seeded demo register of a Chinese LED-lighting exporter (profile ``trade``).

`generate_trade` returns one pandas DataFrame per register sheet with canonical column keys and
canonical enum codes (SPEC.md, "The register" and "Canonical enumerations"). The same seed gives
identical frames; generation is vectorized with numpy so 100,000 customers take seconds.

Value types in the frames:
- dates: ``datetime.date``; timestamps (``received_at``, ``first_response_at``, ``closed_at``,
  changelog ``at``): naive ``datetime.datetime`` in the company's local time;
- text, codes and dates: object columns with ``None`` for an empty cell;
- money, probability, quantities of opportunities, scores, NPS and satisfaction: ``float64``
  (money rounded to 2 decimals; ``NaN`` when empty);
  always-filled counts (``orders.quantity``, ``reopened_count``): ``int64``; ``important``: ``bool``.

Codes used where SPEC leaves the vocabulary open:
- ``contacts.decision_role``: ``decision_maker`` · ``influencer`` · ``user`` · ``purchaser``;
- ``contacts.preferred_language``: ISO 639-1 (``en``, ``de``, ``zh`` …);
- ``tickets.channel`` and ``surveys.channel``: activity-method codes (``email``, ``phone``, ``im``,
  ``visit``, ``video``);
- ``opportunities.source``: source_channel codes; ``probability``: a fraction 0–1;
- ``customers.purchase_frequency``: Chinese text (每月 / 每季度 / 每半年 / 每年 / 不定期);
- ``tickets.compensation``: an amount in the customer's currency; ``staff.role``: 销售主管 / 业务员.

With ``with_mistakes=True`` a handful of realistic mistakes are planted and every one is listed in
``DemoData.mistakes``; with ``False`` the register is clean (the planted cells hold correct values).
The demo's own timing assumptions (lead times, response hours) describe how the demo company works;
they are not policy and the engine never reads them.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

import holidays
import numpy as np
import pandas as pd
import phonenumbers

from crm_xl.demo.catalog import (ACTIVITY_OUTCOMES, ACTIVITY_TEXT, COMPETITORS, CONTACT_PREFERENCES,
                                 CUSTOMER_NOTES, DECISION_PROCESSES, DEPARTMENTS, EXECUTION_STEPS,
                                 EXPECTED_RESOLUTION, GENERIC_PURPOSES, INDUSTRIES, LOST_REASONS,
                                 MONTH_SEASONALITY, NEXT_ACTIONS, NEXT_STEPS, PRODUCTS, PURPOSES_BY_PRODUCT,
                                 REGION_PRODUCT_MIX, REGION_TRANSIT_DAYS, ROOT_CAUSES, SOLUTIONS, STAFF,
                                 SURVEY_COMMENTS, TEAM_MEMBERS, TICKET_CATEGORY_MIX, TICKET_TEXT)
from crm_xl.demo.data import DemoData, Mistake
from crm_xl.demo.operations import OPERATION_COLUMNS, TRADE, activity_targets, operations_frames
from crm_xl.demo.locales import (CN_CITY_ASCII, LOCALES, PUBLIC_MAIL_DOMAINS, SUFFIX_VARIANTS, ascii_fold,
                                 mobile_prefixes)

__all__ = ["DECISION_ROLES", "MISTAKE_KINDS", "SHEET_COLUMNS", "generate_trade"]

DECISION_ROLES = ("decision_maker", "influencer", "user", "purchaser")

SHEET_COLUMNS: dict[str, tuple[str, ...]] = {
    "customers": ("customer_id", "company_name", "country", "address", "industry", "business_scope", "legal_rep",
                  "source_channel", "referrer", "owner", "first_contact_date", "entered_date", "coop_start_date",
                  "annual_purchase_amount", "currency", "purchase_frequency", "budget", "products_of_interest",
                  "decision_process", "payment_terms", "incoterms", "credit_rating", "credit_limit", "important",
                  "reviewed_by", "reviewed_date", "last_info_update", "status", "notes"),
    "contacts": ("contact_id", "customer_id", "name", "title", "decision_role", "phone", "email", "wechat", "whatsapp",
                 "birthday", "preferred_language", "preferences"),
    "opportunities": ("opportunity_id", "customer_id", "contact_id", "title", "source", "product", "region", "stage",
                      "probability", "amount", "currency", "quantity", "created_date", "expected_close_date",
                      "competitors", "next_step", "next_followup_date", "owner", "status", "lost_reason", "won_date",
                      "order_id"),
    "activities": ("activity_id", "date", "customer_id", "opportunity_id", "contact_id", "method", "summary", "outcome",
                   "next_action", "next_date", "owner"),
    "orders": ("order_id", "customer_id", "opportunity_id", "order_date", "product", "spec", "quantity", "unit_price",
               "currency", "amount", "cost", "promised_delivery_date", "ship_date", "arrival_date", "status",
               "invoice_no", "invoiced_amount", "received_amount", "payment_due_date", "paid_date", "owner"),
    "tickets": ("ticket_id", "type", "received_at", "channel", "customer_id", "complainant", "contact_info", "order_id",
                "product", "category", "description", "expected_resolution", "urgency", "responsible_dept", "assignee",
                "first_response_at", "status", "root_cause", "solution", "compensation", "closed_at", "satisfaction",
                "reopened_count"),
    "surveys": ("survey_id", "customer_id", "date", "channel", "product_score", "service_score", "communication_score",
                "delivery_score", "overall_score", "nps", "comments"),
    "staff": ("staff_id", "name", "team", "role", "period", "sales_target", "quantity_target", "new_customer_target",
              "expense", "teamwork_score", "activity_target", "hire_date"),
    "changelog": ("at", "user", "sheet", "record_id", "column", "old_value", "new_value", "reason"),
    "fx_rates": ("currency", "rate", "valid_from"),
    "holidays": ("date", "name", "kind"),
    **OPERATION_COLUMNS,
}

MISTAKE_KINDS: dict[str, str] = {
    "invalid_email": "e-mail address that is not valid",
    "invalid_phone": "phone number that is not a valid number",
    "unknown_country": "country that is not an ISO 3166 alpha-2 code",
    "late_entry": "customer entered 6 working days after first contact",
    "important_not_reviewed": "important customer without reviewer and review date",
    "info_review_overdue": "customer information not updated for more than 90 days",
    "duplicate_customer": "same company entered twice with another spelling of its legal form",
    "stage_missing_amount": "qualified opportunity without amount",
    "probability_out_of_band": "explicit probability far from the stage's default",
    "lost_without_reason": "lost opportunity without lost_reason",
    "closed_without_closed_at": "closed ticket without closed_at",
    "received_exceeds_invoiced": "order with received amount above the invoiced amount",
    "amount_mismatch": "order amount that is not quantity × unit price",
    "ship_before_order": "order shipped before it was ordered",
    "missing_reference": "record pointing to a customer_id that does not exist",
}

_RATES_NOW = {"USD": 7.10, "EUR": 8.20, "GBP": 9.45, "JPY": 0.0470}   # CNY per unit, the demo's "today"
_SOURCES = ("trade_fair", "online_platform", "referral", "sales_outreach", "marketing_event", "inbound")
_SOURCE_P = (0.30, 0.22, 0.13, 0.15, 0.07, 0.13)
_STAGES = ("lead", "interested", "qualified", "negotiation", "contract", "execution")
_STAGE_DEFAULT = (0.10, 0.20, 0.40, 0.70, 1.0, 1.0)
_METHODS = ("email", "im", "phone", "video", "visit", "trade_fair", "other")
_METHOD_P = (0.35, 0.20, 0.15, 0.12, 0.06, 0.05, 0.07)
_TICKET_FLOW = ("received", "assigned", "investigating", "proposed", "implementing", "awaiting_feedback",
                "closed", "reopened")
_TYPICAL_RESOLUTION_DAYS = {"high": 3, "medium": 7, "low": 15}   # how fast the demo company usually closes
_DAY = np.timedelta64(1, "D")


# ----------------------------------------------------------------------------------------------
# small vectorized helpers
# ----------------------------------------------------------------------------------------------

def _days(x) -> np.ndarray:
    """Integer day counts as timedelta64[D]."""
    return np.asarray(np.rint(x), dtype=np.int64).astype("timedelta64[D]")


def _uniform_days(rng: np.random.Generator, lo, hi) -> np.ndarray:
    """Random integer day counts in [lo, hi] (arrays or scalars)."""
    lo = np.asarray(lo, dtype=np.int64)
    hi = np.asarray(hi, dtype=np.int64)
    return lo + np.floor(rng.random(np.broadcast(lo, hi).shape) * (hi - lo + 1)).astype(np.int64)


def _pick(rng: np.random.Generator, items, size: int, p=None) -> np.ndarray:
    """Random choice of `items` as an object array."""
    arr = np.empty(len(items), dtype=object)
    arr[:] = list(items)
    if p is not None:
        p = np.asarray(p, dtype=float)
        p = p / p.sum()
    return arr[rng.choice(len(items), size=size, p=p)] if size else arr[:0]


def _blank(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Object copy of `values` with None where `mask` is True."""
    out = np.asarray(values, dtype=object).copy()
    out[mask] = None
    return out


def _numbered(prefix, numbers, width: int) -> np.ndarray:
    """`prefix` (a string or an array of strings) followed by zero-padded numbers, as objects."""
    digits = pd.Series(np.asarray(numbers, dtype=np.int64), dtype="int64").astype(str).str.zfill(width)
    return (prefix + digits).to_numpy(dtype=object)


def _ids(prefix: str, count: int, width: int) -> np.ndarray:
    return _numbered(prefix, np.arange(1, count + 1), max(width, len(str(count))))


def _rank_within(groups: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """0-based rank of each row inside its group, ordered by `keys`."""
    order = np.lexsort((keys, groups))
    g = groups[order]
    start = np.r_[0, np.flatnonzero(g[1:] != g[:-1]) + 1]
    run = np.diff(np.r_[start, len(g)])
    ranks_sorted = np.arange(len(g)) - np.repeat(start, run)
    out = np.empty(len(g), dtype=np.int64)
    out[order] = ranks_sorted
    return out


def _group_offsets(counts: np.ndarray) -> np.ndarray:
    return np.r_[0, np.cumsum(counts)[:-1]].astype(np.int64)


def _round_money(x: np.ndarray, currency: np.ndarray | None = None) -> np.ndarray:
    out = np.round(np.asarray(x, dtype=float), 2)
    if currency is not None:
        jpy = currency == "JPY"
        out[jpy] = np.round(out[jpy])
    return out


def _to_dates(arr: np.ndarray) -> np.ndarray:
    """datetime64[D] (NaT = empty) → object array of datetime.date / None."""
    arr = np.asarray(arr, dtype="datetime64[D]")
    out = np.full(len(arr), None, dtype=object)
    ok = ~np.isnat(arr)
    out[ok] = arr[ok].astype(object)
    return out


def _to_datetimes(arr: np.ndarray) -> np.ndarray:
    arr = np.asarray(arr, dtype="datetime64[s]")
    out = np.full(len(arr), None, dtype=object)
    ok = ~np.isnat(arr)
    out[ok] = arr[ok].astype(object)
    return out


def _frame(sheet: str, cols: dict[str, tuple[str, np.ndarray]]) -> pd.DataFrame:
    """Build a frame in SHEET_COLUMNS order; kinds: text, date, datetime, float, int, bool."""
    data = {}
    for key in SHEET_COLUMNS[sheet]:
        kind, values = cols[key]
        if kind == "date":
            data[key] = pd.Series(_to_dates(values), dtype=object)
        elif kind == "datetime":
            data[key] = pd.Series(_to_datetimes(values), dtype=object)
        elif kind == "float":
            data[key] = pd.Series(np.asarray(values, dtype=float), dtype="float64")
        elif kind == "int":
            data[key] = pd.Series(np.asarray(values, dtype=np.int64), dtype="int64")
        elif kind == "bool":
            data[key] = pd.Series(np.asarray(values, dtype=bool), dtype=bool)
        else:   # text arrays are built with None for empty cells, never NaN
            data[key] = pd.Series(np.asarray(values, dtype=object), dtype=object)
    return pd.DataFrame(data)


class _Calendar:
    """Chinese working days (weekends, public holidays, make-up days) plus company days off."""

    def __init__(self, first: np.datetime64, last: np.datetime64, days_off: list[dt.date]):
        self.start = first.astype(np.int64)
        years = range(first.astype(object).year, last.astype(object).year + 1)
        cn = holidays.China(years=years)
        days = np.arange(first, last + _DAY, dtype="datetime64[D]")
        flags = np.array([cn.is_working_day(d) for d in days.astype(object)])
        for off in days_off:
            i = (np.datetime64(off, "D") - first).astype(np.int64)
            if 0 <= i < len(flags):
                flags[i] = False
        self.workdays = np.flatnonzero(flags).astype(np.int64) + self.start

    def _index(self, d: np.ndarray, side: str) -> np.ndarray:
        return np.searchsorted(self.workdays, np.asarray(d, dtype="datetime64[D]").astype(np.int64), side=side)

    def next_workday(self, d: np.ndarray) -> np.ndarray:
        i = np.clip(self._index(d, "left"), 0, len(self.workdays) - 1)
        return self.workdays[i].astype("datetime64[D]")

    def prev_workday(self, d: np.ndarray) -> np.ndarray:
        i = np.clip(self._index(d, "right") - 1, 0, len(self.workdays) - 1)
        return self.workdays[i].astype("datetime64[D]")

    def add_workdays(self, d: np.ndarray, k: np.ndarray) -> np.ndarray:
        """The k-th working day after working day `d` (k may be negative)."""
        i = np.clip(self._index(d, "left") + np.asarray(k, dtype=np.int64), 0, len(self.workdays) - 1)
        return self.workdays[i].astype("datetime64[D]")


def _company_day_off(as_of: dt.date) -> dt.date:
    """The company's annual-party day off: the second Friday of January on or before `as_of`."""
    for year in (as_of.year, as_of.year - 1):
        jan1 = dt.date(year, 1, 1)
        day = jan1 + dt.timedelta(days=(4 - jan1.weekday()) % 7 + 7)
        if day <= as_of:
            return day
    raise AssertionError("unreachable")


# ----------------------------------------------------------------------------------------------
# the generator
# ----------------------------------------------------------------------------------------------

def generate_trade(seed: int, as_of: dt.date, n_customers: int, with_mistakes: bool) -> DemoData:
    """The trade profile's register (see the module docstring); :func:`crm_xl.demo.generate_demo` checks the arguments."""
    return _TradeDemo(seed, as_of, n_customers, with_mistakes).build()


class _TradeDemo:
    """Builds the trade profile sheet by sheet; arrays are indexed by customer position."""

    def __init__(self, seed: int, as_of: dt.date, n: int, with_mistakes: bool):
        self.seed, self.as_of, self.n, self.with_mistakes = seed, as_of, n, with_mistakes
        self.rng = np.random.default_rng([seed, 1])
        self.today = np.datetime64(as_of, "D")
        self.now = self.today.astype("datetime64[s]") + np.timedelta64(18 * 3600, "s")
        self.window_start = self.today - 730 * _DAY
        self.day_off = _company_day_off(as_of)
        self.cal = _Calendar(self.today - 16 * 366 * _DAY, self.today + 400 * _DAY, [self.day_off])
        self.codes = list(LOCALES)
        self.locales = [LOCALES[c] for c in self.codes]
        self.products = np.array([p.name for p in PRODUCTS], dtype=object)
        self.staff_names = np.array([s[1] for s in STAFF], dtype=object)
        # everyone joined before the two years of history the demo holds
        hire_rng = np.random.default_rng([seed, 6])
        self.hire_dates = [as_of - dt.timedelta(days=int(d)) for d in hire_rng.integers(800, 3650, len(STAFF))]

    # -- orchestration -----------------------------------------------------------------------
    def build(self) -> DemoData:
        self._fx()
        self._customers()
        self._contacts()
        self._orders()
        self._opportunities()
        self._activities()
        self._tickets()
        self._surveys()
        frames = {
            "customers": self._customers_frame(),
            "contacts": self._contacts_frame(),
            "opportunities": self._opportunities_frame(),
            "activities": self._activities_frame(),
            "orders": self._orders_frame(),
            "tickets": self._tickets_frame(),
            "surveys": self._surveys_frame(),
            "staff": self._staff_frame(),
            "fx_rates": self._fx_frame(),
            "holidays": pd.DataFrame({"date": pd.Series([self.day_off], dtype=object),
                                      "name": pd.Series(["公司年会（全员休假）"], dtype=object),
                                      "kind": pd.Series(["holiday"], dtype=object)}),
        }
        frames["staff"]["activity_target"] = activity_targets(np.random.default_rng([self.seed, 5]), frames["staff"],
                                                              frames["activities"], self.as_of)
        staff = [(sid, name, team, "manager" if role == "销售主管" else "sales", hired)
                 for (sid, name, team, role), hired in zip(STAFF, self.hire_dates)]
        frames.update(operations_frames(np.random.default_rng([self.seed, 4]), self.as_of, frames["customers"],
                                        frames["orders"], staff, TRADE))
        # the same records are picked either way, so a clean demo differs only in the planted cells
        target = frames if self.with_mistakes else {k: v.copy() for k, v in frames.items()}
        mistakes = _plant_mistakes(target, self, np.random.default_rng([self.seed, 2]))
        frames["changelog"] = _changelog(frames, self, np.random.default_rng([self.seed, 3]),
                                         {(m.sheet, m.record_id) for m in mistakes})
        if not self.with_mistakes:
            mistakes = []
        return DemoData(frames={k: frames[k] for k in SHEET_COLUMNS}, mistakes=mistakes, seed=self.seed,
                        as_of=self.as_of, profile="trade")

    # -- exchange rates ------------------------------------------------------------------------
    def _fx(self) -> None:
        """Quarterly CNY rates back to two years before as_of (a gentle random walk)."""
        q_first = self.window_start.astype("datetime64[M]")
        q_first = q_first - (q_first.astype(np.int64) % 3)
        q_last = self.today.astype("datetime64[M]")
        q_last = q_last - (q_last.astype(np.int64) % 3)
        starts = np.arange(q_first, q_last + 1, 3).astype("datetime64[D]")
        self.fx_starts = starts
        self.fx = {}
        for cur, now in _RATES_NOW.items():
            steps = self.rng.normal(0, 0.012, len(starts))
            steps[-1] = 0.0
            walk = now * np.exp(-np.cumsum(steps[::-1])[::-1] + steps)
            self.fx[cur] = np.round(walk, 4 if cur != "JPY" else 5)
        self.fx["CNY"] = np.ones(len(starts))

    def _rate(self, currency: np.ndarray, day: np.ndarray) -> np.ndarray:
        q = np.clip(np.searchsorted(self.fx_starts, day, side="right") - 1, 0, len(self.fx_starts) - 1)
        out = np.ones(len(currency))
        for cur, rates in self.fx.items():
            m = currency == cur
            out[m] = rates[q[m]]
        return out

    # -- customers -----------------------------------------------------------------------------
    def _customers(self) -> None:
        rng, n = self.rng, self.n
        weights = np.array([loc.weight for loc in self.locales], dtype=float)
        k = len(self.codes)
        if n >= k:
            ci = np.r_[rng.permutation(k), rng.choice(k, n - k, p=weights / weights.sum())]
            ci = rng.permutation(ci)
        else:
            ci = rng.choice(k, n, replace=False, p=weights / weights.sum())
        size = np.exp(rng.normal(0, 1.1, n))
        status = _pick(rng, ("active", "prospect", "dormant", "lost"), n, (0.62, 0.18, 0.12, 0.08))
        team = np.array([self.locales[i].team for i in ci])
        owner = np.empty(n, dtype=np.int64)
        for t, members in enumerate(TEAM_MEMBERS):
            m = team == t
            p = np.array([0.7] + [1.0] * (len(members) - 1))
            owner[m] = np.array(members)[rng.choice(len(members), m.sum(), p=p / p.sum())]

        # dates: cooperation start, first contact, entry (within 0-2 working days)
        has_coop = status != "prospect"
        hi = np.full(n, self.today, dtype="datetime64[D]")
        hi[status == "dormant"] = self.today - 200 * _DAY
        hi[status == "lost"] = self.today - 400 * _DAY
        new_in_window = has_coop & (rng.random(n) < 0.35)
        coop = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
        span = ((hi - 30 * _DAY) - self.window_start).astype(np.int64)
        coop[new_in_window] = self.window_start + _days(rng.random(n) * span)[new_in_window]
        old = has_coop & ~new_in_window
        coop[old] = (self.window_start - _days(rng.uniform(1, 365 * 10, n)))[old]
        coop = np.where(new_in_window, self.cal.next_workday(coop), np.where(old, self.cal.prev_workday(coop), coop))
        first_contact = coop - _days(rng.uniform(15, 240, n))
        prospect_age = np.clip(rng.exponential(150, n), 3, 700)
        first_contact[~has_coop] = (self.today - _days(prospect_age))[~has_coop]
        first_contact = self.cal.prev_workday(first_contact)
        lag = rng.choice(3, n, p=(0.55, 0.30, 0.15))
        entered = self.cal.add_workdays(first_contact, lag)
        # same-day entry where the lag would run past today or across the company's day off
        day_off = np.datetime64(self.day_off, "D")
        late = (entered > self.today) | ((first_contact < day_off) & (entered >= day_off))
        entered[late] = first_contact[late]

        # customers are numbered in the order they were entered
        order = np.lexsort((rng.random(n), entered))
        ci, size, status, owner, coop, first_contact, entered, new_in_window, hi = (
            a[order] for a in (ci, size, status, owner, coop, first_contact, entered, new_in_window, hi))
        self.ci, self.size, self.status, self.owner = ci, size, status, owner
        self.coop, self.first_contact, self.entered, self.new_in_window, self.order_hi = (
            coop, first_contact, entered, new_in_window, hi)
        self.has_coop = status != "prospect"
        self.customer_ids = _ids("C", n, 5)
        self.region = np.array([self.locales[i].region for i in ci], dtype=object)
        self.country = np.array([self.codes[i] for i in ci], dtype=object)

        # names, domains, addresses, currencies and people per country
        name = np.empty(n, dtype=object)
        slug = np.empty(n, dtype=object)
        suffix = np.empty(n, dtype=object)
        address = np.empty(n, dtype=object)
        city = np.empty(n, dtype=object)
        currency = np.empty(n, dtype=object)
        legal_rep = np.empty(n, dtype=object)
        for k_, loc in enumerate(self.locales):
            idx = np.flatnonzero(ci == k_)
            m = len(idx)
            if not m:
                continue
            combos = len(loc.stems) * len(loc.words)
            pick = rng.choice(combos, m, replace=False) if m <= combos else rng.integers(0, combos, m)
            stems = [loc.stems[i // len(loc.words)] for i in pick]
            words = [loc.words[i % len(loc.words)] for i in pick]
            c_i = rng.integers(0, len(loc.cities), m)
            suffix[idx] = _pick(rng, [s for s, _ in loc.suffixes], m, [p for _, p in loc.suffixes])
            city[idx] = [loc.cities[i][0] for i in c_i]
            if loc.code == "CN":
                name[idx] = [loc.name_format.format(city=loc.cities[c][0], stem=s.split("=")[0], word=w.split("=")[0])
                             for c, s, w in zip(c_i, stems, words)]
                slug[idx] = [f"{CN_CITY_ASCII[loc.cities[c][0]]}{s.split('=')[1]}-{w.split('=')[1]}"
                             for c, s, w in zip(c_i, stems, words)]
            else:
                name[idx] = [loc.name_format.format(stem=s, word=w) for s, w in zip(stems, words)]
                slug[idx] = [_slug(v) for v in name[idx]]
            streets = rng.integers(0, len(loc.streets), m)
            nos = rng.integers(1, 240, m)
            nos2 = rng.integers(1, 30, m)
            address[idx] = [loc.address_format.format(street=loc.streets[s], no=a, no2=b, city=loc.cities[c][0],
                                                      postcode=loc.cities[c][1])
                            for s, a, b, c in zip(streets, nos, nos2, c_i)]
            currency[idx] = _pick(rng, [c for c, _ in loc.currencies], m, [p for _, p in loc.currencies])
            fi = rng.integers(0, len(loc.first_names), m)
            la = rng.integers(0, len(loc.last_names), m)
            legal_rep[idx] = [_person(loc.code, loc.first_names[f][0], loc.last_names[g][0]) for f, g in zip(fi, la)]
        # a company name (without legal form) must be unique across the register: a second
        # company of the same name gets its city, a third one a number as well
        dup = pd.Series(slug).duplicated().to_numpy() & (self.country != "CN")
        name[dup] = [f"{a} {c}" for a, c in zip(name[dup], city[dup])]
        slug[dup] = [f"{a}-{_slug(c)}" for a, c in zip(slug[dup], city[dup])]
        rank = pd.Series(slug).groupby(pd.Series(slug)).cumcount().to_numpy()
        again = rank > 0
        name[again] = [f"{a} {r + 1}" for a, r in zip(name[again], rank[again])]
        slug[again] = [f"{a}-{r + 1}" for a, r in zip(slug[again], rank[again])]
        sep = np.where(self.country == "CN", "", " ")
        self.base_name = name
        self.suffix = suffix
        self.company_name = np.array([f"{a}{s}{b}" for a, s, b in zip(name, sep, suffix)], dtype=object)
        tld = np.array([self.locales[i].tld for i in ci], dtype=object)
        self.domain = np.array([f"{s}.{t}" for s, t in zip(slug, tld)], dtype=object)
        public = rng.random(n) < np.where(self.country == "CN", 0.25, 0.05)
        self.public_mail = public & (status != "active") | public & (size < 0.6)
        self.address, self.currency, self.legal_rep, self.city = address, currency, legal_rep, city

        # products of interest: three distinct products weighted by region (Gumbel top-k)
        mix = np.array([REGION_PRODUCT_MIX[r] for r in self.region], dtype=float)
        keys = np.log(mix) + rng.gumbel(size=mix.shape)
        self.picks = np.argsort(-keys, axis=1)[:, :3]

        # commercial terms
        rating = _pick(rng, "ABCD", n, (0.30, 0.45, 0.18, 0.07))
        years = (self.today - np.where(self.has_coop, coop, self.today)).astype(np.int64) / 365.25
        rating[(years > 5) & (rating == "D")] = "B"
        self.rating = np.where(self.has_coop, rating, None)
        terms = np.empty(n, dtype=object)
        table = {"A": (("OA", .35), ("TT", .30), ("LC", .20), ("DA", .10), ("DP", .05)),
                 "B": (("TT", .50), ("LC", .30), ("DP", .15), ("OA", .05)),
                 "C": (("TT", .50), ("LC", .30), ("prepaid", .20)),
                 "D": (("prepaid", .60), ("TT", .30), ("LC", .10))}
        for r, opts in table.items():
            m = rating == r
            terms[m] = _pick(rng, [o for o, _ in opts], m.sum(), [p for _, p in opts])
        cn = self.country == "CN"
        terms[cn] = np.where(np.isin(rating[cn], ["A", "B"]), _pick(rng, ("OA", "TT"), cn.sum(), (.6, .4)), "prepaid")
        terms[~self.has_coop & ~cn] = "TT"
        self.terms = terms
        inc = _pick(rng, ("FOB", "CIF", "CFR", "EXW", "DDP", "DAP", "FCA"), n, (.42, .22, .08, .08, .07, .08, .05))
        inc[cn] = _pick(rng, ("EXW", "DAP"), cn.sum(), (.4, .6))
        self.incoterms = inc
        ind = rng.integers(0, len(INDUSTRIES), n)
        self.industry = np.array([INDUSTRIES[i][0] for i in ind], dtype=object)
        self.scope = np.array([INDUSTRIES[i][1] for i in ind], dtype=object)
        self.source = _pick(rng, _SOURCES, n, _SOURCE_P)
        self._referrers()

        # review and maintenance
        active_rank = pd.Series(np.where(status == "active", size, -1.0)).rank(ascending=False, method="first")
        n_active = int((status == "active").sum())
        important = (status == "active") & (active_rank.to_numpy() <= max(1, round(n_active * 0.12)))
        important |= (status == "prospect") & (rng.random(n) < 0.03)
        self.important = important
        leads = np.array([TEAM_MEMBERS[0][0], TEAM_MEMBERS[1][0]])
        own_team = np.array([0 if o in TEAM_MEMBERS[0] else 1 for o in owner])
        reviewer = np.where(np.isin(owner, leads), leads[1 - own_team], leads[own_team])
        self.reviewed_by = np.where(important, self.staff_names[reviewer], None)
        reviewed = np.maximum(entered, self.today - _days(rng.uniform(5, 300, n)))
        self.reviewed_date = np.where(important, reviewed, np.datetime64("NaT"))
        update = np.maximum(entered, self.today - _days(rng.uniform(0, 80, n)))
        eligible = np.isin(status, ["dormant", "lost"]) & (entered < self.today - 120 * _DAY)
        self.stale = eligible & (rng.random(n) < 0.15)
        stale_day = np.maximum(entered, self.today - _days(rng.uniform(95, 330, n)))
        if self.with_mistakes:
            update = np.where(self.stale, stale_day, update)
        self.last_update = update
        self.notes = _blank(_pick(rng, CUSTOMER_NOTES, n), rng.random(n) > 0.15)
        self.decision = _blank(_pick(rng, DECISION_PROCESSES, n), rng.random(n) > 0.7)

    def _referrers(self) -> None:
        """A referral names an earlier customer that already buys from us."""
        rng = self.rng
        ref_pos = np.flatnonzero(self.source == "referral")
        eligible = np.flatnonzero(self.has_coop)
        before = np.searchsorted(eligible, ref_pos)
        choice = np.floor(rng.random(len(ref_pos)) * np.maximum(before, 1)).astype(np.int64)
        self.referrer = np.full(self.n, None, dtype=object)
        ok = before > 0
        self.referrer[ref_pos[ok]] = self.company_name[eligible[choice[ok]]]
        self.source[ref_pos[~ok]] = "inbound"

    # -- contacts ------------------------------------------------------------------------------
    def _contacts(self) -> None:
        rng, n = self.rng, self.n
        counts = rng.choice([1, 2, 3], n, p=(0.35, 0.45, 0.20))
        counts = np.minimum(3, counts + (self.size > 3))
        cust = np.repeat(np.arange(n), counts)
        seq = np.arange(len(cust)) - np.repeat(_group_offsets(counts), counts)
        m = len(cust)
        self.contact_counts, self.contact_start, self.contact_cust = counts, _group_offsets(counts), cust
        name = np.empty(m, dtype=object)
        first_a = np.empty(m, dtype=object)
        last_a = np.empty(m, dtype=object)
        title = np.empty(m, dtype=object)
        phone = np.empty(m, dtype=object)
        lang = np.empty(m, dtype=object)
        wa_share = np.zeros(m)
        ci = self.ci[cust]
        for k_, loc in enumerate(self.locales):
            idx = np.flatnonzero(ci == k_)
            if not len(idx):
                continue
            fi = rng.integers(0, len(loc.first_names), len(idx))
            la = rng.integers(0, len(loc.last_names), len(idx))
            name[idx] = [_person(loc.code, loc.first_names[f][0], loc.last_names[g][0]) for f, g in zip(fi, la)]
            first_a[idx] = [loc.first_names[f][1] for f in fi]
            last_a[idx] = [loc.last_names[g][1] for g in la]
            head = np.where(seq[idx] == 0, rng.integers(0, 4, len(idx)), rng.integers(0, len(loc.titles), len(idx)))
            title[idx] = [loc.titles[t] for t in head]
            phone[idx] = _mobiles(rng, loc, len(idx))
            lang[idx] = _pick(rng, [c for c, _ in loc.languages], len(idx), [p for _, p in loc.languages])
            wa_share[idx] = loc.whatsapp_share
        # phone numbers are unique across the register (a shared number would look like a duplicate)
        for _ in range(20):
            dup = pd.Series(phone).duplicated().to_numpy()
            if not dup.any():
                break
            for i in np.flatnonzero(dup):
                phone[i] = _mobiles(rng, self.locales[ci[i]], 1)[0]
        role = np.where(seq == 0, _pick(rng, ("decision_maker", "purchaser"), m),
                        _pick(rng, DECISION_ROLES, m, (0.15, 0.35, 0.30, 0.20)))
        cn = self.country[cust] == "CN"
        # e-mail: company domain, a few small customers on public mail
        style = rng.choice(4, m, p=(0.55, 0.2, 0.15, 0.10))
        local = np.array([
            (f"{f}.{l}" if s == 0 else f"{f[:1]}.{l}" if s == 1 else f if s == 2 else f"{l}.{f}")
            for f, l, s in zip(first_a, last_a, style)], dtype=object)
        local[cn] = [f"{f}.{l}" if s < 2 else f"{l}{f}" for f, l, s in zip(first_a[cn], last_a[cn], style[cn])]
        role_box = (seq == 0) & (rng.random(m) < 0.06) & ~cn
        local[role_box] = _pick(rng, ("purchasing", "info", "sales", "import"), int(role_box.sum()))
        domain = self.domain[cust].copy()
        public = self.public_mail[cust]
        pub_cn = public & cn
        pub_other = public & ~cn
        domain[pub_cn] = _pick(rng, PUBLIC_MAIL_DOMAINS["CN"], int(pub_cn.sum()))
        domain[pub_other] = _pick(rng, PUBLIC_MAIL_DOMAINS["default"], int(pub_other.sum()))
        qq = pub_cn & (domain == "qq.com")
        local[qq] = [str(v) for v in rng.integers(10**8, 4 * 10**9, int(qq.sum()))]
        digits = rng.integers(10, 99, m)
        local[pub_other] = [f"{v}{d}" for v, d in zip(local[pub_other], digits[pub_other])]
        email = np.array([f"{a}@{b}" for a, b in zip(local, domain)], dtype=object)
        for _ in range(5):
            dup = pd.Series(email).duplicated().to_numpy()
            if not dup.any():
                break
            email[dup] = [e.replace("@", f"{i % 97 + 2}@", 1) for i, e in zip(np.flatnonzero(dup), email[dup])]
        wechat = np.full(m, None, dtype=object)
        wechat[cn] = [f"{l}_{f[:2]}{d}" if d % 3 else p[3:] for f, l, d, p in
                      zip(first_a[cn], last_a[cn], digits[cn], phone[cn])]
        whatsapp = np.where(~cn & (rng.random(m) < wa_share), phone, None)
        # birthdays: most known; a few fall in the week after as_of so greetings show up
        born = np.datetime64("1962-01-01") + _days(rng.uniform(0, 35 * 365, m))
        birthday = np.where(rng.random(m) < 0.65, born, np.datetime64("NaT"))
        soon = np.flatnonzero(rng.random(m) < 0.02)
        if m >= 3 and len(soon) < 3:
            soon = rng.choice(m, 3, replace=False)
        ahead = rng.integers(1, 8, len(soon))
        for i, a in zip(soon, ahead):
            target = self.as_of + dt.timedelta(days=int(a))
            year = int(born[i].astype(object).year)
            day = min(target.day, 28) if (target.month, target.day) == (2, 29) else target.day
            birthday[i] = np.datetime64(dt.date(year, target.month, day))
        self.c_name, self.c_title, self.c_role, self.c_phone, self.c_email = name, title, role, phone, email
        self.c_wechat, self.c_whatsapp, self.c_birthday, self.c_lang = wechat, whatsapp, birthday, lang
        self.c_pref = _blank(_pick(rng, CONTACT_PREFERENCES, m), rng.random(m) > 0.3)
        self.contact_ids = _ids("P", m, 5)

    def _random_contact(self, cust: np.ndarray) -> np.ndarray:
        offset = np.floor(self.rng.random(len(cust)) * self.contact_counts[cust]).astype(np.int64)
        return self.contact_start[cust] + offset

    # -- orders ---------------------------------------------------------------------------------
    def _orders(self) -> None:
        rng, n, today = self.rng, self.n, self.today
        s09 = self.size ** 0.9 / np.exp(0.5 * (0.9 * 1.1) ** 2)   # mean 1 over the size distribution
        lam = np.select([self.status == "active", self.status == "dormant", self.status == "lost"],
                        [3.3 * s09, 0.6 * self.size ** 0.5, 0.3], 0.0)
        lo = np.where(self.new_in_window, self.coop, self.window_start)
        span_share = np.clip((self.order_hi - lo).astype(np.int64) / 730, 0.05, 1)
        counts = np.where(self.has_coop, 1 + rng.poisson(lam * span_share), 0)
        counts = np.where(self.new_in_window & (self.status == "active"), np.maximum(counts, 2), counts)
        cust = np.repeat(np.arange(n), counts)
        pos = np.arange(len(cust)) - np.repeat(_group_offsets(counts), counts)
        last = pos == counts[cust] - 1
        m = len(cust)

        # order dates follow the season and a growth trend; working days only
        days = np.arange(self.window_start, today, dtype="datetime64[D]")
        month = days.astype("datetime64[M]").astype(np.int64) % 12
        w = np.array(MONTH_SEASONALITY)[month] * 1.12 ** (np.arange(len(days)) / 365)
        wd = np.isin(days.astype(np.int64), self.cal.workdays)
        w = w * np.where(wd, 1.0, 0.03)
        cw = np.r_[0, np.cumsum(w)]
        a = np.maximum((lo[cust] - self.window_start).astype(np.int64), 0)
        b = (self.order_hi[cust] - self.window_start).astype(np.int64)
        anchor = last & (self.status[cust] == "active")
        a = np.where(anchor, np.maximum(a, len(days) - 300), a)
        u = cw[a] + rng.random(m) * (cw[b] - cw[a])
        idx = np.clip(np.searchsorted(cw, u, side="right") - 1, a, np.maximum(a, b - 1))
        odate = self.window_start + _days(idx)
        first_new = (pos == 0) & self.new_in_window[cust]
        odate[first_new] = self.coop[cust][first_new]

        # products, prices and quantities
        prod = self.picks[cust, rng.choice(3, m, p=(0.55, 0.30, 0.15))]
        base = np.array([p.usd for p in PRODUCTS])[prod]
        step = np.array([p.step for p in PRODUCTS])[prod]
        minq = np.array([p.min_qty for p in PRODUCTS])[prod]
        price_factor = np.clip(1.08 - 0.04 * np.log(self.size), 0.9, 1.15)[cust]
        years_in = (odate - self.window_start).astype(np.int64) / 365
        usd_price = base * price_factor * (1 + rng.normal(0, 0.02, m)) * (1 - 0.03 * years_in)
        cur = self.currency[cust]
        usd_rate = self._rate(np.full(m, "USD", dtype=object), odate)
        conv = usd_rate / self._rate(cur, odate)
        conv[cur == "CNY"] = usd_rate[cur == "CNY"] * 0.97
        unit = _round_money(usd_price * conv, cur)
        target = np.clip(20000 * self.size[cust] ** 0.75 * np.exp(rng.normal(0, 0.35, m)), 2500, 800000)
        target[self.country[cust] == "CN"] *= 0.6
        qty = np.maximum(minq, np.round(target / usd_price / step) * step).astype(np.int64)
        amount = _round_money(qty * unit)
        cost = _round_money(amount * (1 - rng.uniform(0.15, 0.35, m)))
        spec_i = rng.integers(0, 3, m)
        spec = np.array([PRODUCTS[p].specs[s] for p, s in zip(prod, spec_i)], dtype=object)

        # delivery
        promised = self.cal.prev_workday(odate + _days(rng.uniform(25, 50, m)))
        r = rng.random(m)
        delay = np.where(r < 0.70, rng.uniform(-4, 2, m),
                         np.where(r < 0.92, rng.uniform(3, 10, m), rng.uniform(11, 25, m)))
        ship = np.maximum(promised + _days(delay), odate + 15 * _DAY)
        t_lo = np.array([REGION_TRANSIT_DAYS[x][0] for x in self.region])[cust]
        t_hi = np.array([REGION_TRANSIT_DAYS[x][1] for x in self.region])[cust]
        arrival = ship + _days(_uniform_days(rng, t_lo, t_hi))
        cancelled = (rng.random(m) < 0.02) & (odate < today - 60 * _DAY)
        shipped = (ship <= today) & ~cancelled
        arrived = (arrival <= today) & shipped

        # invoicing and payment by the customer's terms and credit
        terms = self.terms[cust]
        due = np.full(m, np.datetime64("NaT"), dtype="datetime64[D]")
        due = np.where(terms == "prepaid", odate + 7 * _DAY, due)
        due = np.where(terms == "TT", ship + 7 * _DAY, due)
        due = np.where(terms == "LC", ship + 21 * _DAY, due)
        due = np.where(terms == "DP", arrival, due)
        due = np.where(terms == "DA", arrival + 60 * _DAY, due)
        due = np.where(terms == "OA", ship + np.where(self.country[cust] == "CN", 30, 60) * _DAY, due)
        due = np.where(shipped | (terms == "prepaid"), due, np.datetime64("NaT"))
        due[cancelled] = np.datetime64("NaT")
        rating = np.array([x if x is not None else "B" for x in self.rating[cust]], dtype=object)
        late_p = np.select([rating == "A", rating == "B", rating == "C"], [0.08, 0.15, 0.25], 0.30)
        bad_p = np.select([rating == "A", rating == "B", rating == "C"], [0.02, 0.04, 0.10], 0.15)
        r = rng.random(m)
        paid = due + _days(np.where(r < bad_p, 10**5, np.where(r < bad_p + late_p, rng.uniform(10, 75, m),
                                                                  rng.uniform(-5, 3, m))))
        paid = np.where(paid <= today, np.maximum(paid, odate), np.datetime64("NaT"))
        invoiced = shipped | np.isin(terms, ["TT", "prepaid"]) & ~cancelled
        deposit_share = np.select([terms == "TT", terms == "prepaid"], [0.30, 1.0], 0.0)
        deposit_in = odate + 5 * _DAY <= today
        received = np.where(~np.isnat(paid), amount, np.where(deposit_in, _round_money(amount * deposit_share), 0.0))
        received = np.where(terms == "prepaid", np.where(~np.isnat(paid), amount, 0.0), received)
        received = np.where(invoiced, received, np.nan)
        paid = np.where(invoiced, paid, np.datetime64("NaT"))
        status = np.where(cancelled, "cancelled",
                          np.where(~shipped, np.where(odate >= today - 7 * _DAY, "confirmed", "in_production"),
                                   np.where(~arrived, "shipped", np.where(received >= amount, "closed", "delivered"))))

        # ids and invoice numbers follow the order date
        ordr = np.lexsort((cust, odate))
        fields = [cust, odate, prod, spec, qty, unit, cur, amount, cost, promised, ship, arrival, status, invoiced,
                  received, due, paid, shipped]
        (cust, odate, prod, spec, qty, unit, cur, amount, cost, promised, ship, arrival, status, invoiced, received,
         due, paid, shipped) = (f[ordr] for f in fields)
        self.o_cust, self.o_date, self.o_prod, self.o_spec, self.o_qty, self.o_unit = cust, odate, prod, spec, qty, unit
        self.o_cur, self.o_amount, self.o_cost, self.o_promised = cur, amount, cost, promised
        self.o_ship = np.where(shipped, ship, np.datetime64("NaT"))
        self.o_arrival = np.where(shipped & (arrival <= today), arrival, np.datetime64("NaT"))
        self.o_status, self.o_received, self.o_due, self.o_paid = status, received, due, paid
        self.o_invoiced = np.where(invoiced, amount, np.nan)
        self.order_ids = _ids("SO", m, 6)
        inv_day = np.where(shipped, self.o_ship, odate)
        months = inv_day.astype("datetime64[M]").astype(np.int64)
        yymm = (months // 12 + 1970) % 100 * 100 + months % 12 + 1
        kind = pd.Series(np.where(shipped, "CI", "PI"), dtype="str")
        seq = np.empty(m, dtype=np.int64)
        seq[np.lexsort((np.arange(m), inv_day))] = np.arange(1, m + 1)   # numbered in issue order
        number = _numbered(kind + pd.Series(yymm).astype(str).str.zfill(4) + "-", seq, max(5, len(str(m))))
        self.o_invoice = np.where(invoiced, number, None)
        self.o_opp = np.full(m, None, dtype=object)
        self.order_counts = np.bincount(cust, minlength=n)
        self.o_cny = amount * self._rate(cur, odate)

    # -- opportunities --------------------------------------------------------------------------
    def _opportunities(self) -> None:
        rng, n, today = self.rng, self.n, self.today
        n_opps = np.where(self.has_coop, 1 + rng.poisson(1.0, n), 1 + rng.poisson(0.6, n))
        n_opps = np.minimum(n_opps, 6)
        want_won = rng.binomial(n_opps, 0.5)
        won_n = np.minimum(want_won, self.order_counts)
        rest = n_opps - won_n
        # won: one per selected order, picked at random among the customer's non-cancelled orders
        key = rng.random(len(self.o_cust)) + (self.o_status == "cancelled") * 2
        rank = _rank_within(self.o_cust, key)
        chosen = np.flatnonzero((rank < won_n[self.o_cust]) & (self.o_status != "cancelled"))
        w_cust = self.o_cust[chosen]
        won_date = np.maximum(self.o_date[chosen] - _days(rng.integers(0, 5, len(chosen))),
                              self.first_contact[w_cust] + _DAY)
        w_created = np.maximum(won_date - _days(rng.uniform(15, 120, len(chosen))), self.first_contact[w_cust])
        w_stage = np.where(np.isin(self.o_status[chosen], ["confirmed", "in_production"]), "contract", "execution")

        # open and lost opportunities
        o_cust = np.repeat(np.arange(n), rest)
        k = len(o_cust)
        st = self.status[o_cust]
        is_open = rng.random(k) < np.where(np.isin(st, ["active", "prospect"]), 0.6, 0.2)
        stage_open = _pick(rng, _STAGES[:4], k, (0.25, 0.25, 0.22, 0.28))
        stage_lost = _pick(rng, _STAGES[:4], k, (0.15, 0.25, 0.30, 0.30))
        stage = np.where(is_open, stage_open, stage_lost)
        fc = self.first_contact[o_cust]
        age_open = (today - fc).astype(np.int64)
        created_open = today - _days(np.minimum(rng.uniform(3, 240, k), age_open * rng.random(k)))
        created_lost = np.maximum(fc, today - _days(rng.uniform(40, 720, k)))
        created = np.where(is_open, created_open, created_lost)
        r = rng.random(k)
        close_open = today + _days(np.where(r < 0.12, -rng.uniform(1, 45, k), rng.uniform(5, 365, k)))
        close_open = np.maximum(close_open, created + 7 * _DAY)
        close_lost = np.minimum(created + _days(rng.uniform(20, 150, k)), today - _DAY)
        close_lost = np.maximum(close_lost, created)
        close = np.where(is_open, close_open, close_lost)
        late_stage = np.isin(stage, ["qualified", "negotiation"])
        close[~late_stage & is_open & (rng.random(k) < 0.3)] = np.datetime64("NaT")
        has_amount = late_stage | (rng.random(k) < np.where(stage == "lead", 0.5, 0.7))
        prod = self.picks[o_cust, rng.choice(3, k, p=(0.5, 0.3, 0.2))]
        usd_amount = np.clip(25000 * self.size[o_cust] ** 0.5 * np.exp(rng.normal(0, 0.5, k)), 3000, 900000)
        cur = self.currency[o_cust]
        conv = self.fx["USD"][-1] / np.array([self.fx[c][-1] for c in cur])
        amount = np.round(usd_amount * conv, -2)
        price = np.array([p.usd for p in PRODUCTS])[prod]
        step = np.array([p.step for p in PRODUCTS])[prod]
        qty = np.maximum(step, np.round(usd_amount / price / step) * step)
        amount = np.where(has_amount, amount, np.nan)
        qty = np.where(has_amount, qty, np.nan)
        default_p = np.array([_STAGE_DEFAULT[_STAGES.index(s)] for s in stage])
        explicit = is_open & (rng.random(k) < 0.12)
        prob = np.where(explicit, np.round(default_p + rng.choice([-0.05, 0.05], k), 2), np.nan)
        followup = np.where(is_open, today + _days(rng.uniform(-12, 30, k)), np.datetime64("NaT"))
        c1, c2 = rng.integers(0, len(COMPETITORS), k), rng.integers(0, len(COMPETITORS), k)
        comp = np.array([COMPETITORS[a] if a == b or x < 0.6 else f"{COMPETITORS[a]}、{COMPETITORS[b]}"
                         for a, b, x in zip(c1, c2, rng.random(k))], dtype=object)
        has_comp = np.where(stage == "negotiation", rng.random(k) < 0.85, rng.random(k) < 0.35)
        has_comp |= ~is_open & ((rng.random(k) < 0.5) | (stage == "negotiation"))
        comp = np.where(has_comp, comp, None)
        nxt = _pick(rng, NEXT_STEPS, k)
        nxt = np.where(is_open & ((rng.random(k) < 0.9) | (stage == "negotiation") & ~has_comp), nxt, None)
        reason = np.where(is_open, None, _pick(rng, LOST_REASONS, k))

        # both groups together, numbered by creation date
        kw = len(chosen)
        cust = np.r_[w_cust, o_cust]
        self.p_cust = cust
        self.p_stage = np.r_[w_stage, stage].astype(object)
        self.p_status = np.r_[np.full(kw, "won", dtype=object), np.where(is_open, "open", "lost")].astype(object)
        self.p_created = np.r_[w_created, created]
        self.p_close = np.r_[won_date, close]
        self.p_prob = np.r_[np.full(kw, np.nan), prob]
        self.p_amount = np.r_[self.o_amount[chosen], amount]
        self.p_cur = np.r_[self.o_cur[chosen], cur].astype(object)
        self.p_qty = np.r_[self.o_qty[chosen].astype(float), qty]
        self.p_prod = np.r_[self.o_prod[chosen], prod]
        self.p_followup = np.r_[np.full(kw, np.datetime64("NaT"), dtype="datetime64[D]"), followup]
        w_comp = np.where(rng.random(kw) < 0.4, _pick(rng, COMPETITORS, kw), None)
        self.p_comp = np.r_[w_comp, comp].astype(object)
        w_next = np.where(w_stage == "execution", _pick(rng, EXECUTION_STEPS, kw), None)
        self.p_next = np.r_[w_next, nxt].astype(object)
        self.p_reason = np.r_[np.full(kw, None, dtype=object), reason].astype(object)
        self.p_won = np.r_[won_date, np.full(k, np.datetime64("NaT"), dtype="datetime64[D]")]
        self.p_order = np.r_[chosen, np.full(k, -1)]
        total = kw + k
        self.p_contact = self._random_contact(cust) if total else np.zeros(0, dtype=np.int64)
        same = rng.random(total) < 0.6
        self.p_source = np.where(same, self.source[cust], _pick(rng, _SOURCES, total, _SOURCE_P)).astype(object)
        titles = np.array([[f"{t} - {p.name}" for t in PURPOSES_BY_PRODUCT[i] + GENERIC_PURPOSES]
                           for i, p in enumerate(PRODUCTS)], dtype=object)
        self.p_title = titles[self.p_prod, rng.integers(0, titles.shape[1], total)]
        order = np.lexsort((cust, self.p_created))
        for attr in ("p_cust", "p_stage", "p_status", "p_created", "p_close", "p_prob", "p_amount", "p_cur", "p_qty",
                     "p_prod", "p_followup", "p_comp", "p_next", "p_reason", "p_won", "p_order", "p_contact",
                     "p_source", "p_title"):
            setattr(self, attr, getattr(self, attr)[order])
        self.opp_ids = _ids("OP", total, 5)
        linked = self.p_order >= 0
        self.o_opp[self.p_order[linked]] = self.opp_ids[linked]

    # -- activities ----------------------------------------------------------------------------
    def _activities(self) -> None:
        rng, today = self.rng, self.today
        kp = len(self.p_cust)
        open_ = self.p_status == "open"
        won = self.p_status == "won"
        per_opp = np.where(open_, rng.integers(1, 4, kp), np.where(won, rng.integers(1, 4, kp), rng.integers(1, 3, kp)))
        # the last touch of an open opportunity: recent, or stale for about one in five
        stale = open_ & (rng.random(kp) < 0.2)
        last_open = today - _days(np.where(stale, rng.uniform(35, 150, kp), rng.uniform(0, 10, kp)))
        end = np.where(open_, last_open, np.where(won, self.p_won, np.minimum(self.p_close, today)))
        end = np.maximum(end, self.p_created)
        opp = np.repeat(np.arange(kp), per_opp)
        pos = np.arange(len(opp)) - np.repeat(_group_offsets(per_opp), per_opp)
        is_last = pos == per_opp[opp] - 1
        start = self.p_created[opp]
        span = (end[opp] - start).astype(np.int64)
        a_date = np.where(is_last, end[opp], start + _days(rng.random(len(opp)) * span))
        a_cust = self.p_cust[opp]
        a_contact = np.where(rng.random(len(opp)) < 0.7, self.p_contact[opp], self._random_contact(a_cust))
        a_prod = self.p_prod[opp]
        # customer care contacts outside any opportunity
        care_n = np.where(self.has_coop, rng.poisson(0.8 + 1.5 * self.size ** 0.5), 0)
        c_cust = np.repeat(np.arange(self.n), care_n)
        c_lo = np.maximum(self.first_contact[c_cust], self.window_start)
        c_hi = np.minimum(self.order_hi[c_cust] + 60 * _DAY, today)
        c_hi = np.maximum(c_hi, c_lo)
        c_date = c_lo + _days(rng.random(len(c_cust)) * (c_hi - c_lo).astype(np.int64))
        cust = np.r_[a_cust, c_cust]
        date = np.minimum(self.cal.next_workday(np.r_[a_date, c_date]), today)
        date = np.maximum(date, np.minimum(self.first_contact[cust], today))
        opp_idx = np.r_[opp, np.full(len(c_cust), -1)]
        contact = np.r_[a_contact, self._random_contact(c_cust)]
        prod = np.r_[a_prod, self.picks[c_cust, 0]]
        total = len(cust)
        method = _pick(rng, _METHODS, total, _METHOD_P)
        cn = self.country[cust] == "CN"
        method[cn & (method == "email") & (rng.random(total) < 0.5)] = "im"
        text_i = rng.integers(0, 4, total)
        table = np.array([[[ACTIVITY_TEXT[mth][t % len(ACTIVITY_TEXT[mth])].format(p=p.name) for p in PRODUCTS]
                           for t in range(4)] for mth in _METHODS], dtype=object)
        method_i = pd.Series(method).map({mth: i for i, mth in enumerate(_METHODS)}).to_numpy(dtype=np.int64)
        summary = table[method_i, text_i, prod]
        outcome = _pick(rng, ACTIVITY_OUTCOMES, total)
        next_action = _pick(rng, NEXT_ACTIONS, total)
        next_date = date + _days(rng.uniform(3, 21, total))
        planned = rng.random(total) < 0.75
        # the latest touch of an open opportunity plans its next follow-up
        last_open_row = np.r_[is_last & open_[opp], np.zeros(len(c_cust), dtype=bool)]
        next_date[last_open_row] = np.maximum(self.p_followup[opp_idx[last_open_row]], date[last_open_row])
        planned |= last_open_row
        self.a_next_action = np.where(planned, next_action, None)
        self.a_next_date = np.where(planned, next_date, np.datetime64("NaT"))
        order = np.lexsort((cust, date))
        self.a_cust, self.a_date, self.a_opp, self.a_contact = cust[order], date[order], opp_idx[order], contact[order]
        self.a_method, self.a_summary, self.a_outcome = method[order], summary[order], outcome[order]
        self.a_next_action, self.a_next_date = self.a_next_action[order], self.a_next_date[order]
        self.activity_ids = _ids("AC", total, 6)

    # -- tickets -------------------------------------------------------------------------------
    def _tickets(self) -> None:
        rng, n, today = self.rng, self.n, self.today
        coop = np.flatnonzero(self.has_coop)
        k = int(round(0.3 * n)) if len(coop) else 0
        w = self.order_counts[coop] + 0.3
        cust = coop[rng.choice(len(coop), k, p=w / w.sum())] if k else np.zeros(0, dtype=np.int64)
        ttype = _pick(rng, ("inquiry", "feedback", "complaint"), k, (0.35, 0.20, 0.45))
        # a complaint is about one shipped order of that customer
        ship_ok = np.flatnonzero(~np.isnat(self.o_ship) & (self.o_ship <= today - 5 * _DAY))
        by_cust = pd.Series(ship_ok).groupby(self.o_cust[ship_ok])
        starts = np.full(n, -1, dtype=np.int64)
        counts = np.zeros(n, dtype=np.int64)
        sizes = by_cust.size()
        counts[sizes.index.to_numpy()] = sizes.to_numpy()
        sorted_ship = ship_ok[np.argsort(self.o_cust[ship_ok], kind="stable")]
        starts[sizes.index.to_numpy()] = _group_offsets(sizes.to_numpy())
        has_order = counts[cust] > 0
        ttype[(ttype == "complaint") & ~has_order] = "inquiry"
        pick = starts[cust] + np.floor(rng.random(k) * np.maximum(counts[cust], 1)).astype(np.int64)
        order = np.where(has_order, sorted_ship[np.clip(pick, 0, max(len(sorted_ship) - 1, 0))] if len(sorted_ship)
                         else -1, -1)
        linked = (ttype == "complaint") | ((ttype == "inquiry") & has_order & (rng.random(k) < 0.3))
        order = np.where(linked, order, -1)
        base_day = np.where(order >= 0, self.o_ship[np.maximum(order, 0)] + 20 * _DAY,
                            np.maximum(self.first_contact[cust], today - 540 * _DAY))
        base_day = np.minimum(base_day, today)
        span = (today - base_day).astype(np.int64)
        recv_day = base_day + _days(rng.random(k) ** 1.5 * np.minimum(span, 120 + span * (order < 0)))
        recv = recv_day.astype("datetime64[s]") + (rng.integers(8 * 60, 21 * 60, k) * 60).astype("timedelta64[s]")
        recv = np.minimum(recv, self.now - np.timedelta64(3600, "s"))
        # category and urgency by ticket type
        category = np.empty(k, dtype=object)
        for t, mix in TICKET_CATEGORY_MIX.items():
            m = ttype == t
            category[m] = _pick(rng, list(mix), int(m.sum()), list(mix.values()))
        urg_p = {"complaint": (.25, .5, .25), "inquiry": (.05, .45, .5), "feedback": (0, .4, .6)}
        urgency = np.empty(k, dtype=object)
        for t, p in urg_p.items():
            m = ttype == t
            urgency[m] = _pick(rng, ("high", "medium", "low"), int(m.sum()), p)
        # status along the workflow by age; every status appears at least once
        age = (self.now - recv).astype(np.int64) / 86400
        status = np.where(age > 25, _pick(rng, ("closed", "awaiting_feedback", "reopened"), k, (.93, .03, .04)),
                          np.where(age < 1, _pick(rng, ("received", "assigned", "closed"), k, (.4, .3, .3)),
                                   _pick(rng, _TICKET_FLOW[1:], k, (.1, .15, .15, .15, .12, .25, .08))))
        _ensure_each(status, _TICKET_FLOW, np.argsort(age, kind="stable"))
        complaints = np.flatnonzero(ttype == "complaint")
        _ensure_each(category, tuple(TICKET_CATEGORY_MIX["complaint"]), complaints[rng.permutation(len(complaints))])
        # response and resolution times
        fr_hours = np.where(rng.random(k) < 0.85, rng.uniform(0.3, 20, k), rng.uniform(26, 60, k))
        first_resp = recv + (fr_hours * 3600).astype("timedelta64[s]")
        first_resp = np.minimum(first_resp, self.now)
        first_resp = np.where(status == "received", np.datetime64("NaT"), first_resp)
        typical = np.array([_TYPICAL_RESOLUTION_DAYS[u] for u in urgency], dtype=float)
        res_days = np.where(rng.random(k) < 0.8, rng.uniform(0.2, 0.9, k) * typical, rng.uniform(1.1, 2.5, k) * typical)
        closed_at = recv + (res_days * 86400).astype("timedelta64[s]")
        closed_at = np.maximum(closed_at, first_resp + np.timedelta64(1800, "s"))
        closed_at = np.minimum(closed_at, self.now)
        closed = status == "closed"
        closed_at = np.where(closed, closed_at, np.datetime64("NaT"))
        reopened = np.where(status == "reopened", rng.integers(1, 3, k),
                            np.where(closed & (rng.random(k) < 0.08), 1, 0))
        sat = rng.choice([1, 2, 3, 4, 5], k, p=(.03, .07, .15, .40, .35)).astype(float)
        sat = np.where(reopened > 0, np.minimum(sat, 3), sat)
        self.t_sat = np.where(closed, sat, np.nan)
        known_cause = np.isin(status, ["proposed", "implementing", "awaiting_feedback", "closed", "reopened"])
        self.t_cause = np.where(known_cause, [ROOT_CAUSES[c][i % len(ROOT_CAUSES[c])] for c, i in
                                              zip(category, rng.integers(0, 3, k))], None)
        self.t_solution = np.where(known_cause, [SOLUTIONS[c][i % len(SOLUTIONS[c])] for c, i in
                                                 zip(category, rng.integers(0, 3, k))], None)
        comp_amount = _round_money(self.o_amount[np.maximum(order, 0)] * rng.uniform(0.01, 0.05, k)) if len(
            self.o_amount) else np.zeros(k)
        compensated = closed & (ttype == "complaint") & (order >= 0) & (rng.random(k) < 0.4)
        self.t_comp = np.where(compensated, comp_amount, np.nan)
        prod = np.where(order >= 0, self.o_prod[np.maximum(order, 0)] if len(self.o_prod) else 0, self.picks[cust, 0])
        text_i = rng.integers(0, 3, k)
        self.t_desc = np.array([TICKET_TEXT[t][c][i % len(TICKET_TEXT[t][c])].format(p=self.products[p])
                                for t, c, i, p in zip(ttype, category, text_i, prod)], dtype=object)
        self.t_expected = np.where(ttype == "complaint", [EXPECTED_RESOLUTION[c] for c in category],
                                   np.where(ttype == "inquiry", "尽快回复", None))
        contact = self._random_contact(cust)
        self.t_complainant = self.c_name[contact]
        self.t_contact_info = np.where(rng.random(k) < 0.7, self.c_email[contact], self.c_phone[contact])
        self.t_dept = np.array([DEPARTMENTS[c] for c in category], dtype=object)
        self.t_assignee = np.where(status == "received", None, self.staff_names[self.owner[cust]])
        self.t_channel = _pick(rng, ("email", "im", "phone", "visit", "video"), k, (.55, .2, .15, .05, .05))
        order_sort = np.lexsort((cust, recv))
        self.t_cust, self.t_type, self.t_recv, self.t_order = cust, ttype, recv, order
        self.t_category, self.t_urgency, self.t_status, self.t_first = category, urgency, status, first_resp
        self.t_closed, self.t_reopened, self.t_prod = closed_at, reopened, prod
        for attr in ("t_cust", "t_type", "t_recv", "t_order", "t_category", "t_urgency", "t_status", "t_first",
                     "t_closed", "t_reopened", "t_prod", "t_sat", "t_cause", "t_solution", "t_comp", "t_desc",
                     "t_expected", "t_complainant", "t_contact_info", "t_dept", "t_assignee", "t_channel"):
            setattr(self, attr, getattr(self, attr)[order_sort])
        self.ticket_ids = _ids("TK", k, 5)

    # -- surveys -------------------------------------------------------------------------------
    def _surveys(self) -> None:
        rng, n, today = self.rng, self.n, self.today
        counts = np.where(self.has_coop, (rng.random(n) < 0.45).astype(int) * (1 + (rng.random(n) < 0.3)), 0)
        cust = np.repeat(np.arange(n), counts)
        k = len(cust)
        lo = np.maximum(self.first_contact[cust], today - 540 * _DAY)
        hi = np.maximum(np.minimum(self.order_hi[cust] + 90 * _DAY, today - 5 * _DAY), lo)
        date = lo + _days(rng.random(k) * (hi - lo).astype(np.int64))
        mood = np.clip(rng.normal(4.1, 0.6, n), 1.5, 5)[cust]
        def score(shift: float) -> np.ndarray:
            return np.clip(np.round(mood + shift + rng.normal(0, 0.6, k)), 1, 5)
        self.s_scores = {c: score(s) for c, s in (("product_score", 0.1), ("service_score", 0.0),
                                                  ("communication_score", 0.1), ("delivery_score", -0.3))}
        self.s_scores["overall_score"] = np.clip(np.round(np.mean(list(self.s_scores.values()), axis=0)), 1, 5)
        self.s_nps = np.clip(np.round((mood - 1) / 4 * 10 + rng.normal(0, 1.3, k)), 0, 10)
        order = np.lexsort((cust, date))
        self.s_cust, self.s_date = cust[order], date[order]
        self.s_scores = {c: v[order] for c, v in self.s_scores.items()}
        self.s_nps = self.s_nps[order]
        self.s_channel = _pick(rng, ("email", "phone", "visit", "im"), k, (.5, .2, .1, .2))
        self.s_comments = _blank(_pick(rng, SURVEY_COMMENTS, k), rng.random(k) > 0.5)
        self.survey_ids = _ids("SV", k, 5)

    # -- frames --------------------------------------------------------------------------------
    def _customers_frame(self) -> pd.DataFrame:
        rng, n = self.rng, self.n
        last12 = self.o_date >= self.today - 365 * _DAY
        t12 = np.bincount(self.o_cust[last12], weights=self.o_amount[last12], minlength=n)
        conv = self.fx["USD"][-1] / np.array([self.fx[c][-1] for c in self.currency])
        typical_order = 20000 * self.size ** 0.75 * conv
        annual = np.round(np.maximum(t12, 4 * typical_order) * rng.uniform(2, 5, n), -4)
        prospect_annual = np.round(80000 * self.size * rng.uniform(0.5, 2, n) * conv, -4)
        annual = np.where(t12 > 0, annual, prospect_annual)
        annual = np.where((t12 == 0) & (rng.random(n) < 0.15), np.nan, annual)
        orders_of_credit = {"A": 3.0, "B": 2.0, "C": 1.0, "D": 0.0}   # limit ≈ this many typical orders
        share = np.array([orders_of_credit[r] if r is not None else np.nan for r in self.rating])
        credit_limit = np.round(np.maximum(t12 / 6, typical_order) * share, -4)
        freq = np.select([self.order_counts >= 10, self.order_counts >= 5, self.order_counts >= 3,
                          self.order_counts >= 1], ["每月", "每季度", "每半年", "每年"], "不定期")
        freq = np.where(self.has_coop | (rng.random(n) < 0.3), freq, None)
        budget = np.where(~self.has_coop & (rng.random(n) < 0.4),
                          np.round(rng.uniform(20000, 200000, n) * conv, -3), np.nan)
        shown = 1 + (self.size > 0.8) + (self.size > 2)
        names = [pd.Series(self.products[self.picks[:, j]], dtype="str") for j in range(3)]
        interest = (names[0] + np.where(shown > 1, ", " + names[1], "") + np.where(shown > 2, ", " + names[2], "")
                    ).to_numpy(dtype=object)
        return _frame("customers", {
            "customer_id": ("text", self.customer_ids), "company_name": ("text", self.company_name),
            "country": ("text", self.country), "address": ("text", self.address),
            "industry": ("text", self.industry), "business_scope": ("text", self.scope),
            "legal_rep": ("text", self.legal_rep), "source_channel": ("text", self.source),
            "referrer": ("text", self.referrer), "owner": ("text", self.staff_names[self.owner]),
            "first_contact_date": ("date", self.first_contact), "entered_date": ("date", self.entered),
            "coop_start_date": ("date", self.coop), "annual_purchase_amount": ("float", annual),
            "currency": ("text", self.currency), "purchase_frequency": ("text", freq), "budget": ("float", budget),
            "products_of_interest": ("text", interest), "decision_process": ("text", self.decision),
            "payment_terms": ("text", self.terms), "incoterms": ("text", self.incoterms),
            "credit_rating": ("text", self.rating), "credit_limit": ("float", credit_limit),
            "important": ("bool", self.important), "reviewed_by": ("text", self.reviewed_by),
            "reviewed_date": ("date", self.reviewed_date), "last_info_update": ("date", self.last_update),
            "status": ("text", self.status), "notes": ("text", self.notes)})

    def _contacts_frame(self) -> pd.DataFrame:
        return _frame("contacts", {
            "contact_id": ("text", self.contact_ids), "customer_id": ("text", self.customer_ids[self.contact_cust]),
            "name": ("text", self.c_name), "title": ("text", self.c_title), "decision_role": ("text", self.c_role),
            "phone": ("text", self.c_phone), "email": ("text", self.c_email), "wechat": ("text", self.c_wechat),
            "whatsapp": ("text", self.c_whatsapp), "birthday": ("date", self.c_birthday),
            "preferred_language": ("text", self.c_lang), "preferences": ("text", self.c_pref)})

    def _opportunities_frame(self) -> pd.DataFrame:
        order_id = np.where(self.p_order >= 0, self.order_ids[np.maximum(self.p_order, 0)] if len(self.order_ids)
                            else None, None)
        return _frame("opportunities", {
            "opportunity_id": ("text", self.opp_ids), "customer_id": ("text", self.customer_ids[self.p_cust]),
            "contact_id": ("text", self.contact_ids[self.p_contact]), "title": ("text", self.p_title),
            "source": ("text", self.p_source), "product": ("text", self.products[self.p_prod]),
            "region": ("text", self.region[self.p_cust]), "stage": ("text", self.p_stage),
            "probability": ("float", self.p_prob), "amount": ("float", self.p_amount),
            "currency": ("text", self.p_cur), "quantity": ("float", self.p_qty),
            "created_date": ("date", self.p_created), "expected_close_date": ("date", self.p_close),
            "competitors": ("text", self.p_comp), "next_step": ("text", self.p_next),
            "next_followup_date": ("date", self.p_followup),
            "owner": ("text", self.staff_names[self.owner[self.p_cust]]),
            "status": ("text", self.p_status), "lost_reason": ("text", self.p_reason),
            "won_date": ("date", self.p_won), "order_id": ("text", order_id)})

    def _activities_frame(self) -> pd.DataFrame:
        opp = np.where(self.a_opp >= 0, self.opp_ids[np.maximum(self.a_opp, 0)] if len(self.opp_ids) else None, None)
        return _frame("activities", {
            "activity_id": ("text", self.activity_ids), "date": ("date", self.a_date),
            "customer_id": ("text", self.customer_ids[self.a_cust]), "opportunity_id": ("text", opp),
            "contact_id": ("text", self.contact_ids[self.a_contact]), "method": ("text", self.a_method),
            "summary": ("text", self.a_summary), "outcome": ("text", self.a_outcome),
            "next_action": ("text", self.a_next_action), "next_date": ("date", self.a_next_date),
            "owner": ("text", self.staff_names[self.owner[self.a_cust]])})

    def _orders_frame(self) -> pd.DataFrame:
        return _frame("orders", {
            "order_id": ("text", self.order_ids), "customer_id": ("text", self.customer_ids[self.o_cust]),
            "opportunity_id": ("text", self.o_opp), "order_date": ("date", self.o_date),
            "product": ("text", self.products[self.o_prod]), "spec": ("text", self.o_spec),
            "quantity": ("int", self.o_qty), "unit_price": ("float", self.o_unit), "currency": ("text", self.o_cur),
            "amount": ("float", self.o_amount), "cost": ("float", self.o_cost),
            "promised_delivery_date": ("date", self.o_promised), "ship_date": ("date", self.o_ship),
            "arrival_date": ("date", self.o_arrival), "status": ("text", self.o_status),
            "invoice_no": ("text", self.o_invoice), "invoiced_amount": ("float", self.o_invoiced),
            "received_amount": ("float", self.o_received), "payment_due_date": ("date", self.o_due),
            "paid_date": ("date", self.o_paid), "owner": ("text", self.staff_names[self.owner[self.o_cust]])})

    def _tickets_frame(self) -> pd.DataFrame:
        order_id = np.where(self.t_order >= 0, self.order_ids[np.maximum(self.t_order, 0)] if len(self.order_ids)
                            else None, None)
        return _frame("tickets", {
            "ticket_id": ("text", self.ticket_ids), "type": ("text", self.t_type),
            "received_at": ("datetime", self.t_recv), "channel": ("text", self.t_channel),
            "customer_id": ("text", self.customer_ids[self.t_cust]), "complainant": ("text", self.t_complainant),
            "contact_info": ("text", self.t_contact_info), "order_id": ("text", order_id),
            "product": ("text", self.products[self.t_prod]), "category": ("text", self.t_category),
            "description": ("text", self.t_desc), "expected_resolution": ("text", self.t_expected),
            "urgency": ("text", self.t_urgency), "responsible_dept": ("text", self.t_dept),
            "assignee": ("text", self.t_assignee), "first_response_at": ("datetime", self.t_first),
            "status": ("text", self.t_status), "root_cause": ("text", self.t_cause),
            "solution": ("text", self.t_solution), "compensation": ("float", self.t_comp),
            "closed_at": ("datetime", self.t_closed), "satisfaction": ("float", self.t_sat),
            "reopened_count": ("int", self.t_reopened)})

    def _surveys_frame(self) -> pd.DataFrame:
        cols = {"survey_id": ("text", self.survey_ids), "customer_id": ("text", self.customer_ids[self.s_cust]),
                "date": ("date", self.s_date), "channel": ("text", self.s_channel), "nps": ("float", self.s_nps),
                "comments": ("text", self.s_comments)}
        cols.update({c: ("float", v) for c, v in self.s_scores.items()})
        return _frame("surveys", cols)

    def _staff_frame(self) -> pd.DataFrame:
        """Monthly targets for the last 13 months, set a little above each person's run rate."""
        rng = self.rng
        this_month = self.today.astype("datetime64[M]")
        months = np.arange(this_month - 12, this_month + 1)
        owner = self.owner[self.o_cust]
        year_ago = self.o_date >= self.today - 365 * _DAY
        rows = []
        new_rate = np.bincount(self.owner[self.entered >= self.today - 365 * _DAY], minlength=len(STAFF)) / 12
        for s, (sid, name, team, role) in enumerate(STAFF):
            mine = (owner == s) & year_ago
            sales = self.o_cny[mine].sum() / 12 or 300000.0
            qty = self.o_qty[mine].sum() / 12 or 20000.0
            for mth in months:
                season = MONTH_SEASONALITY[int(mth.astype(np.int64) % 12)]
                lift = rng.uniform(1.0, 1.2)
                fair = int(mth.astype(np.int64) % 12) in (3, 9)    # Canton Fair in April and October
                rows.append((sid, name, team, role, str(mth), round(sales * season * lift, -4),
                             float(round(qty * season * lift, -2)), float(max(1, round(new_rate[s] * 1.2))),
                             round(rng.uniform(4000, 12000) + (18000 if fair else 0), 2),
                             float(np.clip(round(rng.normal(82, 7)), 55, 99))))
        df = pd.DataFrame(rows, columns=SHEET_COLUMNS["staff"][:-2])
        for c in ("staff_id", "name", "team", "role", "period"):
            df[c] = df[c].astype(object)
        # planned follow-ups per month (001 二 订单活动计划) and hire dates (training deadline), drawn
        # from their own stream so the columns above stay as they were
        df["activity_target"] = np.nan   # set in build() from the activities' run rate
        hired = {s[0]: d for s, d in zip(STAFF, self.hire_dates)}
        df["hire_date"] = pd.Series([hired[sid] for sid in df["staff_id"]], dtype=object)
        return df

    def _fx_frame(self) -> pd.DataFrame:
        rows = [(cur, float(rate), d) for cur in _RATES_NOW for d, rate in zip(_to_dates(self.fx_starts), self.fx[cur])]
        df = pd.DataFrame(rows, columns=SHEET_COLUMNS["fx_rates"])
        df["currency"] = df["currency"].astype(object)
        df["valid_from"] = pd.Series([r[2] for r in rows], dtype=object)
        return df


def _ensure_each(values: np.ndarray, required: tuple[str, ...], candidates: np.ndarray) -> None:
    """Make every required value appear among `candidates` rows (in place), taking rows whose
    value occurs more than once there, in the order given."""
    for wanted in required:
        present = values[candidates]
        if wanted in set(present):
            continue
        counts = pd.Series(present).value_counts()
        spare = [j for j, v in zip(candidates, present) if counts[v] > 1]
        if spare:
            values[spare[0]] = wanted


@lru_cache(maxsize=None)
def _slug(text: str) -> str:
    """Lower-case ASCII with hyphens, usable as a domain label (`Müller Elektro` → `mueller-elektro`)."""
    return re.sub(r"[^a-z0-9]+", "-", ascii_fold(text).lower()).strip("-")


def _person(country: str, first: str, last: str) -> str:
    """A person's display name the way the country writes it in a CRM."""
    return f"{last}{first}" if country == "CN" else f"{first} {last}"


def _mobiles(rng: np.random.Generator, locale, count: int) -> np.ndarray:
    """E.164 mobile numbers valid for the locale's country."""
    prefixes = mobile_prefixes(locale)
    which = rng.integers(0, len(prefixes), count)
    digits = rng.random(count)
    heads = np.array([f"+{locale.dial}{h}" for h, _ in prefixes], dtype=object)[which]
    free = np.array([f for _, f in prefixes])[which]
    out = np.empty(count, dtype=object)
    for width in np.unique(free):
        m = free == width
        out[m] = _numbered(heads[m], np.floor(digits[m] * 10 ** int(width)), int(width))
    return out


# ----------------------------------------------------------------------------------------------
# planted mistakes and the changelog
# ----------------------------------------------------------------------------------------------

def _plant_mistakes(frames: dict[str, pd.DataFrame], demo: _TradeDemo, rng: np.random.Generator) -> list[Mistake]:
    """Plant one mistake of each kind on distinct records of `frames` and list them all.

    Naturally stale customers (dormant or lost, info not updated for months) are already in the
    data when with_mistakes is set; they are listed here too.
    """
    mistakes: list[Mistake] = []
    cust, contacts, opps = frames["customers"], frames["contacts"], frames["opportunities"]
    orders, tickets, acts = frames["orders"], frames["tickets"], frames["activities"]
    used: dict[str, set] = {k: set() for k in frames}

    def choose(sheet: str, mask) -> int | None:
        idx = np.flatnonzero(np.asarray(mask, dtype=bool))
        idx = idx[~np.isin(idx, np.fromiter(used[sheet], dtype=np.int64, count=len(used[sheet])))]
        if not len(idx):
            return None
        i = int(idx[int(rng.integers(0, len(idx)))])
        used[sheet].add(i)
        return i

    def note(sheet: str, i: int, column: str, kind: str, description: str) -> None:
        id_col = SHEET_COLUMNS[sheet][0]
        mistakes.append(Mistake(sheet, str(frames[sheet].at[i, id_col]), column, kind, description))

    for i in np.flatnonzero(demo.stale):
        used["customers"].add(int(i))
        note("customers", int(i), "last_info_update", "info_review_overdue",
             f"last updated {cust.at[i, 'last_info_update']}, more than 90 days before {demo.as_of}")
    plain = ~cust["important"].to_numpy()
    # duplicate: a second record of an existing company, legal form spelled differently
    # prefer "Ltd." → "Limited", the spelling pair every normalizer knows
    variants = pd.Series(demo.suffix).where(pd.Series(demo.suffix).isin(list(SUFFIX_VARIANTS)) & (demo.country != "CN"))
    has_variant = variants.notna().to_numpy()
    ltd = (variants == "Ltd.").to_numpy()
    pool = ltd if ltd.any() else has_variant
    by_country = pd.Series(cust["country"][pool]).value_counts()
    if len(by_country):
        country = by_country.index[0]
        has_variant = pool
        a = choose("customers", has_variant & (cust["country"] == country).to_numpy())
        b = choose("customers", (cust["country"] == country).to_numpy() & plain & (np.arange(len(cust)) > (a or 0)))
        if a is not None and b is not None:
            form = variants[a]
            cust.at[b, "company_name"] = f"{demo.base_name[a]} {SUFFIX_VARIANTS[form]}"
            note("customers", b, "company_name", "duplicate_customer",
                 f"same company as {cust.at[a, 'customer_id']} ({cust.at[a, 'company_name']}), entered again as "
                 f"{cust.at[b, 'company_name']}")
    i = choose("customers", (cust["country"] == "GB").to_numpy() & plain)
    if i is not None:
        cust.at[i, "country"] = "UK"
        note("customers", i, "country", "unknown_country", "country entered as UK instead of the ISO code GB")
    i = choose("customers", (cust["status"] == "prospect").to_numpy() & plain)
    if i is not None:
        entered = np.datetime64(cust.at[i, "entered_date"], "D")
        first = demo.cal.add_workdays(np.array([entered]), np.array([-6]))[0]
        cust.at[i, "first_contact_date"] = first.astype(object)
        note("customers", i, "entered_date", "late_entry",
             f"first contact {cust.at[i, 'first_contact_date']}, entered {cust.at[i, 'entered_date']}: "
             "6 working days later")
    i = choose("customers", cust["important"].to_numpy())
    if i is not None:
        cust.at[i, "reviewed_by"] = None
        cust.at[i, "reviewed_date"] = None
        note("customers", i, "reviewed_by", "important_not_reviewed", "important customer never double-checked")

    touched = set(cust["customer_id"].to_numpy()[list(used["customers"])])
    valid_contact = ~contacts["customer_id"].isin(touched).to_numpy()
    i = choose("contacts", valid_contact & contacts["email"].str.contains(r"\.com$", regex=True).to_numpy())
    if i is not None:
        bad = contacts.at[i, "email"][:-4] + ",com"
        contacts.at[i, "email"] = bad
        note("contacts", i, "email", "invalid_email", f"comma instead of a dot: {bad}")
    i = choose("contacts", valid_contact)
    if i is not None:
        full = contacts.at[i, "phone"]
        cut = next(c for c in (3, 4, 5, 6) if not phonenumbers.is_valid_number(phonenumbers.parse(full[:-c])))
        contacts.at[i, "phone"] = full[:-cut]
        note("contacts", i, "phone", "invalid_phone", f"{cut} digits missing: {contacts.at[i, 'phone']}")

    is_open = (opps["status"] == "open").to_numpy()
    i = choose("opportunities", is_open & (opps["stage"] == "qualified").to_numpy())
    if i is not None:
        opps.at[i, "amount"] = np.nan
        note("opportunities", i, "amount", "stage_missing_amount", "qualified opportunity without amount")
    i = choose("opportunities", is_open & (opps["stage"] == "qualified").to_numpy())
    if i is not None:
        opps.at[i, "probability"] = 0.9
        note("opportunities", i, "probability", "probability_out_of_band",
             "probability 90% on a qualified opportunity (stage default 40%)")
    i = choose("opportunities", (opps["status"] == "lost").to_numpy())
    if i is not None:
        opps.at[i, "lost_reason"] = None
        note("opportunities", i, "lost_reason", "lost_without_reason", "lost opportunity without a reason")

    i = choose("tickets", (tickets["status"] == "closed").to_numpy())
    if i is not None:
        tickets.at[i, "closed_at"] = None
        note("tickets", i, "closed_at", "closed_without_closed_at", "ticket closed without closing time")

    linked = set(tickets["order_id"].dropna()) | set(opps["order_id"].dropna())
    free = ~orders["order_id"].isin(linked).to_numpy()
    i = choose("orders", free & (orders["status"] == "closed").to_numpy())
    if i is not None:
        orders.at[i, "received_amount"] = round(float(orders.at[i, "invoiced_amount"]) + 1280.0, 2)
        note("orders", i, "received_amount", "received_exceeds_invoiced",
             f"received {orders.at[i, 'received_amount']:.2f} but invoiced {orders.at[i, 'invoiced_amount']:.2f}")
    i = choose("orders", free & (orders["status"] == "closed").to_numpy())
    if i is not None:
        step = next(p.step for p in PRODUCTS if p.name == orders.at[i, "product"])
        orders.at[i, "quantity"] = int(orders.at[i, "quantity"]) + 10 * step
        note("orders", i, "amount", "amount_mismatch",
             f"quantity changed to {orders.at[i, 'quantity']} but amount left at {orders.at[i, 'amount']:.2f}")
    i = choose("orders", free & (orders["status"] == "closed").to_numpy())
    if i is not None:
        orders.at[i, "ship_date"] = orders.at[i, "order_date"] - dt.timedelta(days=3)
        note("orders", i, "ship_date", "ship_before_order",
             f"ship date {orders.at[i, 'ship_date']} before order date {orders.at[i, 'order_date']}")

    i = choose("activities", acts["opportunity_id"].isna().to_numpy())
    if i is not None:
        width = len(str(cust.at[0, "customer_id"])) - 1
        missing = f"C{len(cust) + 17:0{width}d}"
        acts.at[i, "customer_id"] = missing
        acts.at[i, "contact_id"] = None
        note("activities", i, "customer_id", "missing_reference", f"customer {missing} does not exist")
    return mistakes


def _changelog(frames: dict[str, pd.DataFrame], demo: _TradeDemo, rng: np.random.Generator,
               avoid: set[tuple[str, str]]) -> pd.DataFrame:
    """A few recorded corrections whose new values are the values now in the register."""
    rows = []
    cust, contacts, orders, opps = frames["customers"], frames["contacts"], frames["orders"], frames["opportunities"]

    def pick(sheet: str, mask) -> int | None:
        df = frames[sheet]
        ids = df[SHEET_COLUMNS[sheet][0]]
        ok = np.asarray(mask, dtype=bool) & ~ids.isin({rid for s, rid in avoid if s == sheet}).to_numpy()
        idx = np.flatnonzero(ok)
        return int(idx[int(rng.integers(0, len(idx)))]) if len(idx) else None

    def at(day: dt.date | None) -> dt.datetime:
        day = min(day or demo.as_of, demo.as_of)
        return dt.datetime.combine(day, dt.time(int(rng.integers(9, 18)), int(rng.integers(0, 60))))

    i = pick("customers", (cust["credit_rating"] == "A").to_numpy() & cust["reviewed_date"].notna().to_numpy())
    if i is not None:
        rows.append((at(cust.at[i, "reviewed_date"]), cust.at[i, "reviewed_by"], "customers", cust.at[i, "customer_id"],
                     "credit_rating", "B", "A", "年度信用评审：连续两年按时付款，上调评级"))
    i = pick("contacts", contacts["email"].notna().to_numpy())
    if i is not None:
        new = contacts.at[i, "email"]
        old = new.replace("@", "@mail.", 1)
        owner = cust.set_index("customer_id").at[contacts.at[i, "customer_id"], "owner"]
        rows.append((at(demo.as_of - dt.timedelta(days=int(rng.integers(10, 200)))), owner, "contacts",
                     contacts.at[i, "contact_id"], "email", old, new, "邮件退信，客户确认新邮箱"))
    i = pick("orders", orders["ship_date"].notna().to_numpy() & (orders["status"] == "closed").to_numpy())
    if i is not None:
        new = orders.at[i, "ship_date"]
        rows.append((at(new + dt.timedelta(days=2)), orders.at[i, "owner"], "orders", orders.at[i, "order_id"],
                     "ship_date", (new - dt.timedelta(days=4)).isoformat(), new.isoformat(),
                     "货代通知船期推迟，更正实际出运日"))
    i = pick("opportunities", (opps["status"] == "open").to_numpy() & opps["amount"].notna().to_numpy())
    if i is not None:
        new = float(opps.at[i, "amount"])
        rows.append((at(demo.as_of - dt.timedelta(days=int(rng.integers(1, 20)))), opps.at[i, "owner"],
                     "opportunities", opps.at[i, "opportunity_id"], "amount", f"{round(new * 0.8, -2):.2f}",
                     f"{new:.2f}", "客户追加数量，更新预计金额"))
    i = pick("customers", (cust["payment_terms"] == "LC").to_numpy() & cust["reviewed_by"].notna().to_numpy())
    if i is not None:
        rows.append((at(cust.at[i, "reviewed_date"]), cust.at[i, "reviewed_by"], "customers",
                     cust.at[i, "customer_id"], "payment_terms", "TT", "LC", "客户要求改为信用证付款，经理批准"))
    rows.sort(key=lambda r: r[0])
    df = pd.DataFrame(rows, columns=SHEET_COLUMNS["changelog"])
    return df.astype(object)
