"""Small canonical records for the analytics tests (only what a rule needs, plus required columns)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

AS_OF = dt.date(2026, 11, 23)  # a Monday


def customer(cid: str, owner: str = "张三", **kw: Any) -> dict[str, Any]:
    rec = {"customer_id": cid, "company_name": f"{cid} Co., Ltd.", "country": "US", "source_channel": "trade_fair",
           "owner": owner, "first_contact_date": "2020-01-01", "entered_date": "2020-01-02", "status": "active"}
    rec.update(kw)
    return rec


def order(oid: str, cid: str, date: str, amount: float, currency: str = "CNY", owner: str = "张三",
          **kw: Any) -> dict[str, Any]:
    rec = {"order_id": oid, "customer_id": cid, "order_date": date, "product": kw.pop("product", "valve"),
           "quantity": kw.pop("quantity", 1), "currency": currency, "amount": amount,
           "status": kw.pop("status", "confirmed"), "owner": owner}
    rec.update(kw)
    return rec


def opportunity(oid: str, stage: str, amount: float | None, close: str | None, currency: str = "CNY",
                owner: str = "张三", **kw: Any) -> dict[str, Any]:
    rec = {"opportunity_id": oid, "customer_id": kw.pop("customer_id", "C1"), "title": oid, "stage": stage,
           "amount": amount, "currency": currency, "created_date": "2026-01-05", "expected_close_date": close,
           "owner": owner, "status": kw.pop("status", "open")}
    rec.update(kw)
    return rec


def activity(aid: str, cid: str, date: str, owner: str = "张三", **kw: Any) -> dict[str, Any]:
    rec = {"activity_id": aid, "date": date, "customer_id": cid, "method": "phone", "summary": "call", "owner": owner}
    rec.update(kw)
    return rec


def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text)
