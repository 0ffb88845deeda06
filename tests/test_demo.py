"""The demo register: deterministic, realistic, internally consistent except for the planted mistakes."""

from __future__ import annotations

import datetime as dt
import re
import time

import holidays
import numpy as np
import pandas as pd
import phonenumbers
import pycountry
import pytest
from email_validator import EmailNotValidError, validate_email

from crm_xl.demo import DECISION_ROLES, MISTAKE_KINDS, SHEET_COLUMNS, DemoData, generate_demo

AS_OF = dt.date(2026, 11, 23)
STAGES = {"lead", "interested", "qualified", "negotiation", "contract", "execution"}
TICKET_STATUSES = {"received", "assigned", "investigating", "proposed", "implementing", "awaiting_feedback",
                   "closed", "reopened"}
LEGAL_FORMS = ["gmbh & co. kg", "s.a. de c.v.", "s. de r.l. de c.v.", "sp. z o.o.", "co., ltd.", "company limited",
               "public co., ltd.", "pty ltd", "(pty) ltd", "pvt. ltd.", "nigeria ltd", "ltd. şti.", "trading est.",
               "ltd.", "ltd", "limited", "llc", "l.l.c.", "inc.", "corp.", "gmbh", "ag", "kg", "sas", "sarl", "s.a.",
               "s.r.l.", "s.p.a.", "s.n.c.", "s.l.", "b.v.", "n.v.", "ooo", "jsc", "a.ş.", "fze", "fzco", "co.", "plc",
               "llp", "k.k.", "ltda.", "eireli", "股份有限公司", "有限公司", "有限责任公司"]
PUBLIC_DOMAINS = {"gmail.com", "outlook.com", "yahoo.com", "qq.com", "163.com", "126.com"}


@pytest.fixture(scope="module")
def demo() -> DemoData:
    return generate_demo()


@pytest.fixture(scope="module")
def big() -> DemoData:
    started = time.process_time()
    data = generate_demo(seed=7, n_customers=2000)
    assert time.process_time() - started < 10, "2,000 customers should take a second or two of CPU"
    return data


def planted(data: DemoData, kind: str) -> set[str]:
    return {m.record_id for m in data.mistakes if m.kind == kind}


def normalized_name(name: str) -> str:
    """Company name without legal form, case, punctuation and spaces (like a duplicate checker would)."""
    text = name.lower().strip()
    for form in sorted(LEGAL_FORMS, key=len, reverse=True):
        if text.endswith(form):
            text = text[: -len(form)]
            break
    return re.sub(r"[\W_]+", "", text)


def days_to_birthday(born: dt.date) -> int:
    """Days from AS_OF to the next birthday (29 February counts as 28 February in other years)."""
    for year in (AS_OF.year, AS_OF.year + 1):
        try:
            day = born.replace(year=year)
        except ValueError:
            day = dt.date(year, 2, 28)
        if day >= AS_OF:
            return (day - AS_OF).days
    raise AssertionError("unreachable")


# ---------------------------------------------------------------------------------------------
def test_same_seed_same_register_other_seed_other_register():
    a, b = generate_demo(seed=11, n_customers=300), generate_demo(seed=11, n_customers=300)
    for key in SHEET_COLUMNS:
        pd.testing.assert_frame_equal(a.frames[key], b.frames[key])
    assert a.mistakes == b.mistakes
    c = generate_demo(seed=12, n_customers=300)
    assert not a.frames["customers"]["company_name"].equals(c.frames["customers"]["company_name"])


def test_frames_have_the_canonical_columns_and_types(demo):
    assert set(demo.frames) == set(SHEET_COLUMNS)
    for key, frame in demo.frames.items():
        assert tuple(frame.columns) == SHEET_COLUMNS[key], key
        for col in frame.columns:
            if frame[col].dtype == object:
                values = frame[col].dropna()
                assert not any(isinstance(v, float) for v in values), f"{key}.{col} holds a float NaN"
                assert frame[col].map(lambda v: v is None or not pd.isna(v)).all()
    for key, col in [("customers", "entered_date"), ("orders", "order_date"), ("contacts", "birthday")]:
        values = demo.frames[key][col].dropna()
        assert len(values) and all(type(v) is dt.date for v in values)
    assert all(type(v) is dt.datetime for v in demo.frames["tickets"]["received_at"])
    amounts = demo.frames["orders"]["amount"]
    assert amounts.dtype == float and (amounts.round(2) == amounts).all()


def test_unknown_profile_is_refused():
    with pytest.raises(ValueError, match="retail"):
        generate_demo(profile="retail")


def test_counts_and_coverage(demo, big):
    for data, n in ((demo, 200), (big, 2000)):
        f = data.frames
        assert len(f["customers"]) == n and f["customers"]["customer_id"].is_unique
        countries = {c for c in f["customers"]["country"] if pycountry.countries.get(alpha_2=c)}
        assert len(countries) >= 15
        assert STAGES <= set(f["opportunities"]["stage"])
        assert set(f["opportunities"]["status"]) == {"open", "won", "lost"}
        assert set(f["tickets"]["status"]) == TICKET_STATUSES
        assert set(f["tickets"]["type"]) == {"inquiry", "feedback", "complaint"}
        assert set(f["activities"]["method"]) == {"phone", "email", "visit", "video", "im", "trade_fair", "other"}
        assert {"CNY", "USD", "EUR"} <= set(f["orders"]["currency"])
        assert set(f["contacts"]["decision_role"]) == set(DECISION_ROLES)
        per_customer = f["contacts"].groupby("customer_id").size()
        assert per_customer.between(1, 3).all() and len(per_customer) == n
        assert 1.5 <= len(f["opportunities"]) / n <= 2.5
        assert 2.0 <= len(f["orders"]) / n <= 3.0
        for key, frame in f.items():
            assert frame[SHEET_COLUMNS[key][0]].notna().all()
            if key not in ("staff", "fx_rates", "changelog", "training_attendance"):
                assert frame[SHEET_COLUMNS[key][0]].is_unique, key
    assert "CN" in set(demo.frames["customers"]["country"])
    assert demo.frames["customers"]["company_name"].str.endswith("有限公司").any()


def test_references_resolve_except_the_planted_missing_customer(big):
    f = big.frames
    customers = set(f["customers"]["customer_id"])
    missing = planted(big, "missing_reference")
    assert len(missing) == 1
    for key in ("contacts", "opportunities", "activities", "orders", "tickets", "surveys"):
        ids = f[key].loc[~f[key]["customer_id"].isin(customers), SHEET_COLUMNS[key][0]]
        assert set(ids) == (missing if key == "activities" else set()), key
    contacts = f["contacts"].set_index("contact_id")["customer_id"]
    for key in ("opportunities", "activities"):
        frame = f[key].dropna(subset=["contact_id"])
        assert (frame["contact_id"].map(contacts) == frame["customer_id"]).all(), key
    opps = f["opportunities"].set_index("opportunity_id")
    acts = f["activities"].dropna(subset=["opportunity_id"])
    assert (acts["opportunity_id"].map(opps["customer_id"]) == acts["customer_id"]).all()
    orders = f["orders"].set_index("order_id")
    won = f["opportunities"][f["opportunities"]["status"] == "won"]
    assert won["order_id"].notna().all() and won["order_id"].is_unique
    assert (won["order_id"].map(orders["customer_id"]) == won["customer_id"]).all()
    assert (won["order_id"].map(orders["opportunity_id"]) == won["opportunity_id"]).all()
    assert (won["amount"] == won["order_id"].map(orders["amount"])).all()
    linked = f["orders"].dropna(subset=["opportunity_id"])
    assert (linked["opportunity_id"].map(opps["order_id"]) == linked["order_id"]).all()
    tickets = f["tickets"].dropna(subset=["order_id"])
    assert (tickets["order_id"].map(orders["customer_id"]) == tickets["customer_id"]).all()


def test_amount_is_quantity_times_unit_price_except_the_planted_one(big):
    orders = big.frames["orders"]
    wrong = orders.loc[((orders["quantity"] * orders["unit_price"]) - orders["amount"]).abs() > 0.011, "order_id"]
    assert set(wrong) == planted(big, "amount_mismatch") and len(wrong) == 1
    margin = 1 - orders["cost"] / orders["amount"]
    assert margin.between(0.149, 0.351).all()


def test_phones_are_valid_for_the_customers_country_except_the_planted_one(big):
    f = big.frames
    country = f["contacts"]["customer_id"].map(f["customers"].set_index("customer_id")["country"]).replace("UK", "GB")
    bad = set()
    for cid, phone, whatsapp, region in zip(f["contacts"]["contact_id"], f["contacts"]["phone"],
                                            f["contacts"]["whatsapp"], country):
        number = phonenumbers.parse(phone)
        if not phonenumbers.is_valid_number(number) or phonenumbers.region_code_for_number(number) != region:
            bad.add(cid)
        if whatsapp is not None and whatsapp != phone:
            assert cid in planted(big, "invalid_phone")
    assert bad == planted(big, "invalid_phone") and len(bad) == 1
    assert f["contacts"]["phone"].is_unique
    cn = country == "CN"
    assert f["contacts"].loc[cn, "wechat"].notna().all() and f["contacts"].loc[cn, "whatsapp"].isna().all()
    assert f["contacts"].loc[~cn, "whatsapp"].notna().mean() > 0.5


def test_emails_are_valid_and_on_the_company_domain_except_the_planted_one(big):
    f = big.frames
    bad = set()
    for cid, email in zip(f["contacts"]["contact_id"], f["contacts"]["email"]):
        try:
            validate_email(email, check_deliverability=False)
        except EmailNotValidError:
            bad.add(cid)
    assert bad == planted(big, "invalid_email") and len(bad) == 1
    assert f["contacts"]["email"].is_unique
    contacts = f["contacts"].assign(domain=f["contacts"]["email"].str.split("@").str[1])
    company = contacts[~contacts["domain"].isin(PUBLIC_DOMAINS) & ~contacts["contact_id"].isin(bad)]
    assert company.groupby("domain")["customer_id"].nunique().max() == 1   # one company per domain
    assert len(company) / len(contacts) > 0.8


def test_duplicate_company_is_only_the_planted_one(big):
    customers = big.frames["customers"]
    key = customers["company_name"].map(normalized_name)
    dup_ids = set(customers.loc[key.duplicated(keep="first"), "customer_id"])
    assert dup_ids == planted(big, "duplicate_customer") and len(dup_ids) == 1
    first = customers.loc[key == key[customers["customer_id"] == next(iter(dup_ids))].iloc[0], "company_name"]
    assert len(set(first)) == 2   # same company, two spellings of the legal form


CHINA = holidays.China(years=range(2008, 2028))


def _workdays_between(start: dt.date, end: dt.date, days_off: set[dt.date]) -> int:
    """Working days after `start` up to and including `end` (China, with make-up days and days off)."""
    count, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        count += CHINA.is_working_day(day) and day not in days_off
    return count


def test_customer_policy_fields_hold_except_planted(big):
    f = big.frames
    customers = f["customers"]
    days_off = set(f["holidays"].loc[f["holidays"]["kind"] == "holiday", "date"])
    late = {cid for cid, first, entered in zip(customers["customer_id"], customers["first_contact_date"],
                                               customers["entered_date"])
            if _workdays_between(first, entered, days_off) > 2}
    assert late == planted(big, "late_entry") and len(late) == 1
    assert (customers["entered_date"] >= customers["first_contact_date"]).all()
    assert (customers["first_contact_date"] <= big.as_of).all() and (customers["entered_date"] <= big.as_of).all()
    important = customers[customers["important"]]
    unreviewed = set(important.loc[important["reviewed_by"].isna() | important["reviewed_date"].isna(), "customer_id"])
    assert unreviewed == planted(big, "important_not_reviewed") and len(unreviewed) == 1
    assert len(important) >= 0.05 * len(customers)
    stale = set(customers.loc[customers["last_info_update"] < big.as_of - dt.timedelta(days=90), "customer_id"])
    assert stale == planted(big, "info_review_overdue") and len(stale) >= 3
    unknown = {cid for cid, c in zip(customers["customer_id"], customers["country"])
               if pycountry.countries.get(alpha_2=c) is None}
    assert unknown == planted(big, "unknown_country") and len(unknown) == 1
    referral = customers[customers["source_channel"] == "referral"]
    assert len(referral) and referral["referrer"].notna().all()
    assert set(referral["referrer"]) <= set(customers["company_name"]) | {None}
    assert customers.loc[customers["source_channel"] != "referral", "referrer"].isna().all()
    assert set(customers["payment_terms"]) <= {"TT", "LC", "DP", "DA", "OA", "prepaid"}
    assert set(customers["credit_rating"].dropna()) == {"A", "B", "C", "D"}
    assert set(customers["owner"]) == set(f["staff"]["name"])


def test_opportunity_rules_hold_except_planted(big):
    opps = big.frames["opportunities"]
    late = opps["stage"].isin(["qualified", "negotiation"])
    no_amount = set(opps.loc[late & opps["amount"].isna(), "opportunity_id"])
    assert no_amount == planted(big, "stage_missing_amount") and len(no_amount) == 1
    assert opps.loc[late, "expected_close_date"].notna().all()
    nego = opps[opps["stage"] == "negotiation"]
    assert (nego["competitors"].notna() | nego["next_step"].notna()).all()
    signed = opps[opps["stage"].isin(["contract", "execution"])]
    assert (signed["order_id"].notna() | signed["won_date"].notna()).all()
    lost = opps[opps["status"] == "lost"]
    assert set(lost.loc[lost["lost_reason"].isna(), "opportunity_id"]) == planted(big, "lost_without_reason")
    assert opps.loc[opps["status"] != "lost", "lost_reason"].isna().all()
    dated = opps.dropna(subset=["expected_close_date"])
    assert (dated["expected_close_date"] >= dated["created_date"]).all()
    default = opps["stage"].map({"lead": .1, "interested": .2, "qualified": .4, "negotiation": .7})
    explicit = opps.dropna(subset=["probability"])
    far = set(explicit.loc[(explicit["probability"] - default[explicit.index]).abs() > 0.1, "opportunity_id"])
    assert far == planted(big, "probability_out_of_band")
    assert 0.03 < len(explicit) / (opps["status"] == "open").sum() < 0.3   # mostly the stage default
    open_ = opps[opps["status"] == "open"]
    assert open_["next_followup_date"].notna().all()
    closes = open_["expected_close_date"].dropna()
    assert (closes < big.as_of).any() and (closes > big.as_of + dt.timedelta(days=270)).any()
    assert set(opps["currency"]) >= {"USD", "EUR", "CNY"}


def test_order_to_cash_holds_except_planted(big):
    orders = big.frames["orders"]
    over = set(orders.loc[orders["received_amount"] > orders["invoiced_amount"] + 0.001, "order_id"])
    assert over == planted(big, "received_exceeds_invoiced") and len(over) == 1
    shipped = orders.dropna(subset=["ship_date"])
    early = set(shipped.loc[shipped["ship_date"] < shipped["order_date"], "order_id"])
    assert early == planted(big, "ship_before_order") and len(early) == 1
    arrived = orders.dropna(subset=["arrival_date"])
    assert (arrived["arrival_date"] >= arrived["ship_date"]).all() and (arrived["arrival_date"] <= big.as_of).all()
    assert (orders["order_date"] < big.as_of).all()
    assert (orders["order_date"] >= big.as_of - dt.timedelta(days=731)).all()
    assert orders.loc[orders["status"].isin(["shipped", "delivered", "closed"]), "ship_date"].notna().all()
    assert orders.loc[orders["status"].isin(["confirmed", "in_production", "cancelled"]), "ship_date"].isna().all()
    closed = orders[orders["status"] == "closed"]
    assert (closed["received_amount"] >= closed["invoiced_amount"]).all()
    paid = orders.dropna(subset=["paid_date"])
    assert (paid["paid_date"] <= big.as_of).all()
    overdue = orders[(orders["payment_due_date"] < big.as_of) & (orders["received_amount"] < orders["invoiced_amount"])]
    assert len(overdue) > 0.02 * len(orders)
    assert orders["invoice_no"].dropna().is_unique


def test_tickets_follow_the_workflow_except_planted(big):
    tickets = big.frames["tickets"]
    closed = tickets[tickets["status"] == "closed"]
    assert set(closed.loc[closed["closed_at"].isna(), "ticket_id"]) == planted(big, "closed_without_closed_at")
    assert tickets.loc[tickets["status"] != "closed", "closed_at"].isna().all()
    done = closed.dropna(subset=["closed_at"])
    assert (done["closed_at"] >= done["received_at"]).all()
    answered = tickets.dropna(subset=["first_response_at"])
    assert (answered["first_response_at"] >= answered["received_at"]).all()
    assert tickets.loc[tickets["status"] == "received", "first_response_at"].isna().all()
    assert closed["satisfaction"].between(1, 5).all() and closed["root_cause"].notna().all()
    assert tickets.loc[tickets["status"] != "closed", "satisfaction"].isna().all()
    assert (tickets.loc[tickets["status"] == "reopened", "reopened_count"] >= 1).all()
    complaints = tickets[tickets["type"] == "complaint"]
    assert complaints["order_id"].notna().all()
    if len(complaints) >= 14:
        assert set(complaints["category"]) == {"quality", "delivery", "packaging", "documents", "price", "service",
                                               "other"}
    assert (tickets["received_at"] <= dt.datetime.combine(big.as_of, dt.time(23, 59))).all()


def test_realistic_touches(big, demo):
    f = big.frames
    birthdays = f["contacts"]["birthday"].dropna()
    assert sum(1 <= days_to_birthday(b) <= 7 for b in birthdays) >= 3 and all(b < AS_OF for b in birthdays)
    assert sum(1 <= days_to_birthday(b) <= 7 for b in demo.frames["contacts"]["birthday"].dropna()) >= 3
    staff = f["staff"]
    assert staff["name"].nunique() == 7 and set(staff["team"]) == {"欧美组", "亚非组"}
    assert sorted(staff["period"].unique()) == [f"{y}-{m:02d}" for y, m in
                                                [(2025, 11), (2025, 12)] + [(2026, i) for i in range(1, 12)]]
    assert (staff["sales_target"] > 0).all() and staff["teamwork_score"].between(0, 100).all()
    fx = f["fx_rates"].sort_values("valid_from").groupby("currency")["rate"].last()
    assert 6.5 < fx["USD"] < 7.6 and 7.2 < fx["EUR"] < 9.0 and fx["EUR"] > fx["USD"] and fx["JPY"] < 0.1
    scores = f["surveys"][["product_score", "service_score", "communication_score", "delivery_score",
                           "overall_score"]]
    assert scores.stack().between(1, 5).all() and f["surveys"]["nps"].between(0, 10).all()
    log = demo.frames["changelog"]
    assert len(log) >= 3 and log["reason"].notna().all()
    for _, row in log.iterrows():   # a correction's new value is what the register now holds
        frame = demo.frames[row["sheet"]]
        current = frame.loc[frame[SHEET_COLUMNS[row["sheet"]][0]] == row["record_id"], row["column"]].iloc[0]
        current = f"{current:.2f}" if isinstance(current, float) else str(current)
        assert current == row["new_value"]


def test_follow_up_work_is_waiting(demo):
    """The 200-customer demo has stale opportunities, overdue tickets and overdue follow-ups to show."""
    f = demo.frames
    opps = f["opportunities"][f["opportunities"]["status"] == "open"]
    last_touch = f["activities"].dropna(subset=["opportunity_id"]).groupby("opportunity_id")["date"].max()
    idle = opps["opportunity_id"].map(last_touch).map(lambda d: (AS_OF - d).days)
    assert idle.notna().all()
    assert (idle > 30).sum() >= 5 and (idle <= 14).mean() > 0.6
    assert (opps["next_followup_date"] < AS_OF).sum() >= 3
    tickets = f["tickets"]
    open_tickets = tickets[tickets["status"] != "closed"]
    age = open_tickets["received_at"].map(lambda t: (dt.datetime.combine(AS_OF, dt.time(18)) - t).days)
    limit = open_tickets["urgency"].map({"high": 3, "medium": 7, "low": 15})
    assert (age > limit).sum() >= 1 and (age <= limit).sum() >= 1


def test_bigger_customers_order_more_often_and_intake_is_seasonal(big):
    orders = big.frames["orders"]
    fx = big.frames["fx_rates"].sort_values("valid_from").groupby("currency")["rate"].last().to_dict() | {"CNY": 1.0}
    orders = orders.assign(cny=orders["amount"] * orders["currency"].map(fx))
    per = orders.groupby("customer_id").agg(n=("order_id", "size"), avg=("cny", "mean"))
    assert per["n"].corr(per["avg"], method="spearman") > 0.2
    last_year = orders[orders["order_date"] >= AS_OF - dt.timedelta(days=365)]
    t12 = last_year.groupby("customer_id")["cny"].sum()
    assert (t12 >= 5_000_000).sum() >= 5 and (t12.between(1_000_000, 5_000_000)).sum() >= 50
    month = pd.to_datetime(orders["order_date"]).dt.month
    by_month = orders.groupby(month)["cny"].sum()
    assert by_month[2] < 0.7 * by_month[[8, 9]].mean()   # Chinese New Year lull, pre-Christmas peak


def test_mistakes_are_listed_and_are_the_only_difference_from_a_clean_demo(big):
    clean = generate_demo(seed=7, n_customers=2000, with_mistakes=False)
    assert clean.mistakes == []
    kinds = {m.kind for m in big.mistakes}
    assert kinds == set(MISTAKE_KINDS)
    planted_records = {(m.sheet, m.record_id) for m in big.mistakes}
    assert len(planted_records) == len(big.mistakes)   # one mistake per record
    changed = set()
    for key in SHEET_COLUMNS:
        a, b = clean.frames[key], big.frames[key]
        assert a.shape == b.shape
        if key in ("staff", "fx_rates", "holidays", "changelog"):
            pd.testing.assert_frame_equal(a, b)
            continue
        id_col = SHEET_COLUMNS[key][0]
        diff = ~((a == b) | (a.isna() & b.isna()))
        for i in np.flatnonzero(diff.any(axis=1).to_numpy()):
            changed.add((key, b.at[i, id_col]))
    assert changed == planted_records
    for m in big.mistakes:
        frame = big.frames[m.sheet]
        assert m.column in frame.columns and m.description


INVARIANTS = [test_references_resolve_except_the_planted_missing_customer,
              test_amount_is_quantity_times_unit_price_except_the_planted_one,
              test_phones_are_valid_for_the_customers_country_except_the_planted_one,
              test_emails_are_valid_and_on_the_company_domain_except_the_planted_one,
              test_duplicate_company_is_only_the_planted_one, test_customer_policy_fields_hold_except_planted,
              test_opportunity_rules_hold_except_planted, test_order_to_cash_holds_except_planted,
              test_tickets_follow_the_workflow_except_planted]


@pytest.mark.parametrize("seed, n, as_of", [(1, 300, dt.date(2026, 11, 23)), (2, 500, dt.date(2025, 3, 3)),
                                            (3, 1000, dt.date(2027, 1, 29)), (4, 60, dt.date(2026, 10, 1))])
def test_invariants_hold_for_other_seeds_sizes_and_dates(seed, n, as_of):
    data = generate_demo(seed=seed, n_customers=n, as_of=as_of)
    assert {m.kind for m in data.mistakes} == set(MISTAKE_KINDS)
    for check in INVARIANTS:
        check(data)


@pytest.mark.slow
def test_hundred_thousand_customers_in_well_under_a_minute():
    # CPU time of this process: other jobs on a shared machine must not make the test flaky
    started, wall = time.process_time(), time.perf_counter()
    data = generate_demo(seed=3, n_customers=100_000)
    elapsed, wall = time.process_time() - started, time.perf_counter() - wall
    f = data.frames
    assert elapsed < 60, f"{elapsed:.1f} s CPU ({wall:.1f} s wall)"
    assert len(f["customers"]) == 100_000 and f["customers"]["customer_id"].is_unique
    assert f["contacts"]["customer_id"].nunique() == 100_000
    assert 1.8 <= len(f["opportunities"]) / 100_000 <= 2.3
    assert 2.0 <= len(f["orders"]) / 100_000 <= 3.0
    assert f["contacts"]["phone"].is_unique and f["contacts"]["email"].is_unique
    names = f["customers"]["company_name"].map(normalized_name)
    assert names.duplicated().sum() == 1
