"""Follow-up items of the profile modules (vehicles, projects, training, intelligence).

Every domain module that puts something on the follow-up plan (跟进计划, SPEC F6.5) returns a frame
with :data:`ITEM_COLUMNS`, the shape :func:`crm_xl.followups.build_followups` uses:

``owner, due, priority (1 high … 3 low), kind, reason, why, customer_id, contact_id,
opportunity_id, ticket_id, subject``

``kind`` is a stable code (``maintenance_due``, ``milestone_overdue`` …; it corresponds to the
``code`` column of the follow-up plan), ``reason`` its short text and ``why`` the detail, both in
the requested language; ``subject`` names the record that is not a customer (a VIN, a project or
milestone ID, a staff ID).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from crm_xl.i18n import Text

ITEM_COLUMNS: list[str] = ["owner", "due", "priority", "kind", "reason", "why", "customer_id", "contact_id",
                           "opportunity_id", "ticket_id", "subject"]
_TEXT_COLUMNS = [c for c in ITEM_COLUMNS if c not in ("due", "priority")]


def text(s: pd.Series) -> pd.Series:
    """A Series as object text with '' for missing (for building sentences column-wise)."""
    return s.astype("string").fillna("").astype(object)


def day(value: Any) -> Any:
    """A cell's date for a message parameter: the date, or "—" when there is none."""
    return value.date() if isinstance(value, pd.Timestamp) and not pd.isna(value) else "—"


def ymd(s: pd.Series) -> pd.Series:
    """Dates as ``YYYY-MM-DD`` text ('' for missing)."""
    return pd.to_datetime(s).dt.strftime("%Y-%m-%d").fillna("").astype(object)


def items(kind: str, reason: Text, lang: str, priority: Any, **cols: Any) -> pd.DataFrame:
    """One kind's items: ``cols`` are Series (or scalars) for the other item columns."""
    index = next((v.index for v in cols.values() if isinstance(v, pd.Series)), None)
    frame = pd.DataFrame(index=index if index is not None else pd.RangeIndex(0))
    for c in ITEM_COLUMNS:
        value = {"kind": kind, "reason": reason(lang), "priority": priority}.get(c, cols.get(c, pd.NA))
        frame[c] = value.to_numpy() if isinstance(value, pd.Series) else value
    return normalize(frame)


def normalize(frame: pd.DataFrame) -> pd.DataFrame:
    """Typed item columns, sorted by owner, due date and priority."""
    if frame.empty:
        return empty()
    out = frame[ITEM_COLUMNS].copy()
    out["due"] = pd.to_datetime(out["due"]).astype("datetime64[ns]").dt.normalize()
    out["priority"] = pd.array(out["priority"].to_numpy(dtype="float64"), dtype="Int64")
    for c in _TEXT_COLUMNS:
        out[c] = out[c].astype("string").replace("", pd.NA)
    return out.sort_values(["owner", "due", "priority"], kind="stable", na_position="last").reset_index(drop=True)


def empty() -> pd.DataFrame:
    """An item frame without rows."""
    return pd.DataFrame({c: pd.Series(dtype="datetime64[ns]" if c == "due" else "Int64" if c == "priority"
                                      else "string") for c in ITEM_COLUMNS})


def combine(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate item frames (empty ones skipped) and sort them."""
    parts = [p for p in parts if len(p)]
    return normalize(pd.concat(parts, ignore_index=True)) if parts else empty()


def fill_owner(owner: pd.Series, fallback: pd.Series) -> pd.Series:
    """``owner`` with blanks filled from ``fallback`` (aligned by position)."""
    o = owner.astype("string").to_numpy(dtype=object, na_value=None)
    f = fallback.astype("string").to_numpy(dtype=object, na_value=None)
    return pd.Series(np.where(pd.isna(o), f, o), index=owner.index, dtype="string")


def as_followup_plan(items: pd.DataFrame, customers: pd.DataFrame) -> pd.DataFrame:
    """Items in the columns of :data:`crm_xl.followups.FOLLOWUP_COLUMNS` (``code`` = kind, no
    greeting, customer_name from ``customers``) plus ``subject``, ready to concatenate with the
    follow-up plan; the owner falls back to the customer's owner, then stays blank."""
    cust = customers.dropna(subset=["customer_id"]).drop_duplicates("customer_id").set_index("customer_id")
    out = pd.DataFrame({
        "owner": fill_owner(items["owner"], items["customer_id"].map(cust["owner"])),
        "due": items["due"], "priority": items["priority"], "code": items["kind"], "reason": items["reason"],
        "why": items["why"], "greeting": pd.Series(pd.NA, index=items.index, dtype="string"),
        "customer_id": items["customer_id"],
        "customer_name": items["customer_id"].map(cust["company_name"]).astype("string"),
        "contact_id": items["contact_id"], "opportunity_id": items["opportunity_id"], "ticket_id": items["ticket_id"],
        "subject": items["subject"],
    })
    return out.reset_index(drop=True)
