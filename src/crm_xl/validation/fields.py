"""V1xx: rules on single cells, derived from the schema (required, ranges, codes, contact points)."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from crm_xl.i18n import Text
from crm_xl.schema import SHEETS
from crm_xl.validation import codes as C
from crm_xl.validation.contact_points import PHONE_BAD, PHONE_NOT_IN_USE, check_phones, invalid_emails, split_values
from crm_xl.validation.context import Context, col_label, text_lookup

ROW_SHEETS = tuple(k for k, s in SHEETS.items() if not s.settings_table)
NUMERIC_KINDS = ("number", "integer", "money", "probability", "score")

# Recorded facts that cannot lie after the as-of date (planned dates such as expected close,
# promised delivery, payment due or next follow-up may).
PAST_ONLY: dict[str, tuple[str, ...]] = {
    "customers": ("first_contact_date", "entered_date", "coop_start_date", "reviewed_date", "last_info_update"),
    "contacts": ("birthday",),
    "opportunities": ("created_date", "won_date"),
    "activities": ("date",),
    "orders": ("ship_date", "arrival_date", "paid_date"),
    "tickets": ("received_at", "first_response_at", "closed_at"),
    "surveys": ("date",),
    "changelog": ("at",),
}


@lru_cache(maxsize=1)
def country_codes() -> frozenset[str]:
    import pycountry

    return frozenset(c.alpha_2 for c in pycountry.countries)


@lru_cache(maxsize=1)
def currency_codes() -> frozenset[str]:
    import pycountry

    return frozenset(c.alpha_3 for c in pycountry.currencies)


def _range_text(kind: str, minimum: float | None, maximum: float | None) -> Text:
    def show(v: float) -> str:
        return f"{v:.0%}" if kind == "probability" else (f"{v:g}")

    if minimum is not None and maximum is not None:
        return Text(f"{show(minimum)}–{show(maximum)}", f"{show(minimum)}–{show(maximum)}")
    if minimum is not None:
        return Text(f"不小于 {show(minimum)}", f"≥ {show(minimum)}")
    return Text(f"不大于 {show(maximum)}", f"≤ {show(maximum)}")


def check_cells(ctx: Context) -> None:
    """Required values, numeric ranges, whole numbers, country and currency codes, future dates."""
    for key in ROW_SHEETS:
        sheet, frame = SHEETS[key], ctx.frame(key)
        if not len(frame):
            continue
        for column in sheet.input_columns:
            if not ctx.present(key, column.key):
                continue
            s = frame[column.key]
            label = {"column": col_label(key, column.key)}
            if column.required:
                ctx.add(key, column.key, C.REQUIRED, s.isna().to_numpy() & ~ctx.unreadable_mask(key, column.key), label)
            if column.kind in NUMERIC_KINDS and (column.minimum is not None or column.maximum is not None):
                v = s.to_numpy(dtype="float64", na_value=np.nan)
                out = np.zeros(len(v), dtype=bool)
                if column.minimum is not None:
                    out |= v < column.minimum
                if column.maximum is not None:
                    out |= v > column.maximum
                ctx.add(key, column.key, C.OUT_OF_RANGE, out,
                        {**label, "range": _range_text(column.kind, column.minimum, column.maximum)})
            if column.kind == "integer":
                v = s.to_numpy(dtype="float64", na_value=np.nan)
                ctx.add(key, column.key, C.NOT_INTEGER, ~np.isnan(v) & (v != np.round(v)), label)
            if column.kind == "country":
                ctx.add(key, column.key, C.BAD_COUNTRY, (s.notna() & ~s.isin(country_codes())).to_numpy())
            if column.kind == "currency":
                ctx.add(key, column.key, C.BAD_CURRENCY, (s.notna() & ~s.isin(currency_codes())).to_numpy())
        for name in PAST_ONLY.get(key, ()):
            if not ctx.present(key, name):
                continue
            kind = sheet.column(name).kind
            limit = ctx.as_of_ts + (pd.Timedelta(days=1) if kind == "datetime" else pd.Timedelta(0))
            s = frame[name]
            future = (s > limit) if kind == "date" else (s >= limit)
            ctx.add(key, name, C.FUTURE_DATE, future.fillna(False).to_numpy(),
                    {"column": col_label(key, name), "as_of": ctx.as_of.isoformat()})


def check_contact_points(ctx: Context) -> None:
    """E-mail addresses (V106) and phone numbers (V107/V108) of contacts, each distinct value once."""
    contacts = ctx.frame("contacts")
    if not len(contacts):
        return
    if ctx.active(C.BAD_EMAIL) and ctx.present("contacts", "email"):
        emails = contact_values(ctx, "email")
        if len(emails):
            bad = invalid_emails(emails)
            bad_rows = np.unique(bad.index[bad.to_numpy()].to_numpy())
            ctx.add("contacts", "email", C.BAD_EMAIL, bad_rows)
    if ctx.active(C.BAD_PHONE, C.PHONE_NOT_IN_USE) and ctx.present("contacts", "phone"):
        phones, status, _ = phone_results(ctx)
        if len(phones):
            region = contact_regions(ctx)
            for code, flag in ((C.BAD_PHONE, PHONE_BAD), (C.PHONE_NOT_IN_USE, PHONE_NOT_IN_USE)):
                rows = np.unique(status.index[status.to_numpy() == flag].to_numpy())
                if len(rows):
                    shown = region.iloc[rows].astype(object).to_numpy()
                    shown = np.array([r if isinstance(r, str) else Text("任何国家/地区", "any country")
                                      for r in shown], dtype=object)
                    ctx.add("contacts", "phone", code, rows, row_params={"region": shown})


def contact_values(ctx: Context, column: str) -> pd.Series:
    """``split_values`` of a contacts column (e-mail, phone), computed once per validation run."""
    cache = ctx.__dict__.setdefault("_contact_values", {})
    if column not in cache:
        cache[column] = split_values(ctx.frame("contacts")[column])
    return cache[column]


def contact_regions(ctx: Context) -> pd.Series:
    """Each contact's customer's country (the default region for its phone numbers), by position."""
    cache = getattr(ctx, "_regions", None)
    if cache is None:
        contacts, customers = ctx.frame("contacts"), ctx.frame("customers")
        mapped = pd.Series(text_lookup(contacts["customer_id"], customers["customer_id"],
                                       customers["country"].astype(object)), dtype=object)
        cache = mapped.where(mapped.isin(country_codes()))
        ctx._regions = cache  # type: ignore[attr-defined]
    return cache


def phone_results(ctx: Context) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(phone values, status, E.164) per contact phone entry, indexed by contact position; cached."""
    cache = getattr(ctx, "_phones", None)
    if cache is None:
        phones = contact_values(ctx, "phone") if ctx.present("contacts", "phone") else pd.Series([], dtype=object)
        if len(phones):
            status, e164 = check_phones(phones, contact_regions(ctx).reindex(phones.index))
        else:
            status, e164 = pd.Series([], dtype="int64"), pd.Series([], dtype=object)
        cache = ctx._phones = (phones, status, e164)  # type: ignore[attr-defined]
    return cache
