"""Customer classification (F2): scale, ABC, cooperation class, level, risk, completeness, revisit date.

Pure core: takes frames and Settings, returns one row per customer. Every threshold comes from
Settings; the rules are written out in ``docs/grading.md`` and restated where they are applied.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_xl.calendar import WorkCalendar, calendar_for
from crm_xl.currency import to_base
from crm_xl.i18n import Text
from crm_xl.keys import isin
from crm_xl.register import lookup
from crm_xl.settings import Settings

# Risk rules that are categories, not numbers (SPEC "risk rules", 002 §七).
HIGH_RISK_RATINGS = ("C", "D")
MEDIUM_RISK_RATINGS = ("B",)
OPEN_ACCOUNT_TERMS = ("OA", "DA")  # the customer pays after receiving goods/documents

# Suggested action per risk grade (002 §七.3 风险应对).
RISK_ACTIONS: dict[str, Text] = {
    "high": Text("密切关注客户动态，加强沟通与监控，必要时调整合作策略或终止合作",
                 "Watch the customer closely, strengthen communication and monitoring; "
                 "adjust the cooperation strategy or end cooperation if necessary"),
    "medium": Text("采取适当的风险控制措施，如增加担保、缩短付款期限等，降低风险影响",
                   "Take risk-control measures such as additional guarantees or shorter payment terms"),
    "low": Text("保持正常的合作关系，定期进行风险评估", "Keep the normal cooperation and reassess the risk regularly"),
}

# What a complete customer record holds: 000 二(一)2 信息内容 — basic information (name, address,
# contact details, legal representative, business scope), business information (product needs,
# purchase frequency, budget) and decision information (decision process, key decision maker and
# how to reach them). Customer-sheet columns, then facts taken from the contacts sheet.
COMPLETENESS_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("company_name", "基本信息：公司名称", "basic: company name"),
    ("address", "基本信息：地址", "basic: address"),
    ("legal_rep", "基本信息：法定代表人", "basic: legal representative"),
    ("business_scope", "基本信息：经营范围", "basic: business scope"),
    ("products_of_interest", "业务信息：产品需求", "business: product needs"),
    ("purchase_frequency", "业务信息：采购频率", "business: purchase frequency"),
    ("budget", "业务信息：采购预算", "business: budget"),
    ("decision_process", "决策信息：内部决策流程", "decision: decision process"),
)
COMPLETENESS_CONTACT_ITEMS: tuple[tuple[str, str, str], ...] = (
    ("contact_details", "基本信息：联系方式（联系人的电话或邮箱）", "basic: contact details (a contact's phone or e-mail)"),
    ("decision_maker", "决策信息：关键决策人及其联系方式", "decision: key decision maker with phone or e-mail"),
)

GRADE_COLUMNS = ["customer_id", "scale", "abc", "level", "coop", "risk", "completeness", "next_revisit_date"]


def years_ago(as_of: pd.Timestamp, years: float) -> pd.Timestamp:
    """The date ``years`` calendar years before ``as_of`` (fractions in whole months: 1.5 → 18 months)."""
    return pd.Timestamp(as_of) - pd.DateOffset(months=int(round(years * 12)))


def _filled(s: pd.Series) -> np.ndarray:
    if pd.api.types.is_string_dtype(s.dtype) or s.dtype == object:
        return (s.notna() & s.astype("string").str.strip().ne("").fillna(False)).to_numpy(dtype=bool)
    return s.notna().to_numpy(dtype=bool)


def completeness(customers: pd.DataFrame, contacts: pd.DataFrame) -> pd.Series:
    """Share of the policy-required items (COMPLETENESS_FIELDS + contact items) that are filled."""
    filled = np.zeros(len(customers))
    for key, _, _ in COMPLETENESS_FIELDS:
        filled += _filled(customers[key])
    reach = contacts[_filled(contacts["phone"]) | _filled(contacts["email"])]
    with_contact = reach["customer_id"].dropna()
    with_dm = reach.loc[reach["decision_role"] == "decision_maker", "customer_id"].dropna()
    ids = customers["customer_id"]
    filled += isin(ids, with_contact)
    filled += isin(ids, with_dm)
    total = len(COMPLETENESS_FIELDS) + len(COMPLETENESS_CONTACT_ITEMS)
    return pd.Series(filled / total, index=customers.index)


def abc_classes(sales: pd.Series, ids: pd.Series, settings: Settings) -> np.ndarray:
    """ABC class per customer from trailing-12-month sales.

    Customers are sorted by sales descending (ties by customer ID). A customer is **A** when the
    cumulative sales of the customers *before* it are < ``abc_a_share`` × total, **B** when they
    are < ``abc_b_share`` × total, otherwise **C**; customers without sales are always C. So the
    customer whose sales cross the A share is still A, and a customer that starts exactly at the
    share is B.
    """
    s = sales.fillna(0.0).to_numpy(dtype="float64")
    order = np.lexsort((ids.astype("string").fillna("").to_numpy(dtype=object).astype(str), -s))
    sorted_s = s[order]
    total = float(np.sum(sorted_s))
    before = np.concatenate(([0.0], np.cumsum(sorted_s)[:-1])) if len(s) else np.zeros(0)
    cls = np.where(before < settings.abc_a_share * total, "A", np.where(before < settings.abc_b_share * total, "B", "C"))
    cls = np.where(sorted_s > 0, cls, "C")
    out = np.empty(len(s), dtype=object)
    out[order] = cls
    return out


def _active_quarters(orders: pd.DataFrame, as_of: pd.Timestamp) -> pd.Series:
    """Per customer: how many of the last four 3-month windows ending at ``as_of`` have an order."""
    bounds = np.array([as_of - pd.DateOffset(months=3 * k) for k in (4, 3, 2, 1, 0)], dtype="datetime64[ns]")
    o = orders[(orders["order_date"] > bounds[0]) & (orders["order_date"] <= bounds[-1])]
    q = np.searchsorted(bounds, o["order_date"].to_numpy(dtype="datetime64[ns]"), side="left")
    return pd.DataFrame({"customer_id": o["customer_id"].to_numpy(), "q": q}).groupby("customer_id")["q"].nunique()


def grade_customers(customers: pd.DataFrame, orders: pd.DataFrame, activities: pd.DataFrame,
                    contacts: pd.DataFrame, receivables: pd.DataFrame, as_of: pd.Timestamp,
                    settings: Settings, calendar: WorkCalendar | None = None) -> pd.DataFrame:
    """One row per customer with its grades and the figures behind them.

    ``orders`` are non-cancelled orders with ``amount_base`` (see :mod:`crm_xl.receivables`);
    ``receivables`` is indexed by customer ID with ``max_days_overdue``.
    """
    as_of = pd.Timestamp(as_of).normalize()
    s = settings
    c = customers.reset_index(drop=True)
    ids = c["customer_id"]
    start = as_of - pd.DateOffset(months=12)
    window = orders[(orders["order_date"] > start) & (orders["order_date"] <= as_of)]
    by_cust = window.groupby("customer_id")
    t12_sales = by_cust["amount_base"].sum(min_count=1)  # NaN only when every order lacks a rate
    has_orders = isin(ids, window["customer_id"].dropna())
    annual = to_base(c["annual_purchase_amount"], c["currency"], as_of, s)
    sales = lookup(ids, t12_sales).astype("float64").to_numpy()
    # basis: trailing-12-month orders; else annual_purchase_amount; neither → 0 (nothing bought).
    # NaN (an amount whose currency has no FX rate) leaves the scale unknown rather than guessing.
    blank_annual = c["annual_purchase_amount"].isna().to_numpy()
    basis = np.where(has_orders, sales, np.where(blank_annual, 0.0, annual.to_numpy()))
    scale = np.where(basis >= s.scale_large_min, "large", np.where(basis >= s.scale_medium_min, "medium", "small"))
    scale = np.where(np.isnan(basis), None, scale)

    abc = abc_classes(pd.Series(np.where(has_orders, np.nan_to_num(sales), 0.0)), ids, s)

    first_order = orders.groupby("customer_id")["order_date"].min()
    coop_start = c["coop_start_date"].fillna(lookup(ids, first_order).astype("datetime64[ns]"))
    coop_years = ((as_of - coop_start).dt.days / 365.25).to_numpy()
    coop = np.where(coop_start < years_ago(as_of, s.coop_long_years), "long",
                    np.where(coop_start <= years_ago(as_of, s.coop_mid_years), "mid", "short"))

    quarters = lookup(ids, _active_quarters(orders, as_of)).fillna(0).astype("int64").to_numpy()

    def level_rule(classes: str, min_q: int, min_years: float) -> np.ndarray:
        allowed = [x.strip().upper() for x in classes.split(",") if x.strip()]
        years_ok = (coop_start <= years_ago(as_of, min_years)).to_numpy() if min_years > 0 else np.ones(len(c), bool)
        return np.isin(abc, allowed) & (quarters >= min_q) & years_ok

    level = np.where(level_rule(s.level1_abc, s.level1_min_active_quarters, s.level1_min_years), "level_1",
                     np.where(level_rule(s.level2_abc, s.level2_min_active_quarters, s.level2_min_years),
                              "level_2", "level_3"))

    overdue = lookup(ids, receivables["max_days_overdue"]).fillna(0).astype("int64").to_numpy() \
        if len(receivables) else np.zeros(len(c), dtype="int64")
    rating = c["credit_rating"].fillna("").to_numpy(dtype=object)
    terms = c["payment_terms"].fillna("").to_numpy(dtype=object)
    new_coop = ~(coop_start <= years_ago(as_of, s.risk_new_coop_years)).to_numpy()
    reasons = {
        "credit_rating_low": np.isin(rating, HIGH_RISK_RATINGS),
        "overdue_long": overdue > s.risk_overdue_high_days,
        "overdue": (overdue >= 1) & (overdue <= s.risk_overdue_high_days),
        "credit_rating_b": np.isin(rating, MEDIUM_RISK_RATINGS),
        "open_terms_new_customer": np.isin(terms, OPEN_ACCOUNT_TERMS) & new_coop,
    }
    high = reasons["credit_rating_low"] | reasons["overdue_long"]
    medium = reasons["overdue"] | reasons["credit_rating_b"] | reasons["open_terms_new_customer"]
    risk = np.where(high, "high", np.where(medium, "medium", "low"))
    reason_text = pd.Series([""] * len(c), dtype="str")
    for name, mask in reasons.items():
        reason_text = reason_text.where(~mask, reason_text + np.where(reason_text == "", "", ",") + name)

    last_activity = activities.groupby("customer_id")["date"].max()
    last_contact = lookup(ids, last_activity).astype("datetime64[ns]").fillna(c["entered_date"])
    cycle = pd.Series(scale, dtype=object).map(lambda x: s.revisit_days(x)).astype("int64")
    due = last_contact + pd.to_timedelta(cycle.to_numpy(), unit="D")
    cal = calendar or calendar_for(s)
    next_revisit = cal.roll_forward_series(due.reset_index(drop=True)).astype("datetime64[ns]")

    country = c["country"].astype("string").str.strip().str.upper()
    market = np.where(country.isna().to_numpy(), None,
                      np.where((country == s.home_country.strip().upper()).fillna(False).to_numpy(), "domestic",
                               "international"))
    return pd.DataFrame({
        "customer_id": ids, "scale": pd.Series(scale, dtype="string"), "market": pd.Series(market, dtype="string"), "abc": pd.Series(abc, dtype="string"),
        "level": pd.Series(level, dtype="string"), "coop": pd.Series(coop, dtype="string"),
        "risk": pd.Series(risk, dtype="string"), "completeness": completeness(c, contacts),
        "next_revisit_date": next_revisit.to_numpy(),
        "t12_sales": np.where(has_orders, sales, np.nan), "scale_basis": basis, "coop_start": coop_start,
        "coop_years": coop_years, "active_quarters": quarters, "max_days_overdue": overdue,
        "risk_reason": reason_text.to_numpy(), "last_contact_date": last_contact.to_numpy(),
        "owner": c["owner"], "_row": c["_row"],
    })


def risk_action(risk: str | None, lang: str) -> str | None:
    """The suggested action for a risk grade (002 §七.3) in ``lang``; None for an unknown grade."""
    return RISK_ACTIONS[risk](lang) if isinstance(risk, str) and risk in RISK_ACTIONS else None
