"""Order-to-cash (F3.5, 001 §三): delivery against the promise, invoiced vs received, overdue receivables.

Per order (cancelled orders are left out):

* ``delivered_date``: where the seller's delivery happens under the customer's Incoterms 2020 —
  at shipment (``ship_date``) for E/F/C terms (EXW, FCA, FAS, FOB, CFR, CIF, CPT, CIP and a blank
  term: 交期 in export trade is the shipment date), at destination (``arrival_date``) for the D
  terms (DAP, DPU, DDP); the other date when that one is blank.
* ``delivery``: ``on_time`` (delivered on or before ``promised_delivery_date``), ``late``
  (delivered after it), ``overdue`` (not delivered and the promise is before the as-of date),
  ``pending`` (not delivered, promise not yet due), ``no_promise`` (no promised date).
  ``delivery_delay_days`` = delivered (or as-of, when overdue) − promised, in calendar days.
* ``owed`` = ``invoiced_amount``; an order without an invoiced amount but with a
  ``payment_due_date`` owes its order ``amount``; otherwise nothing is receivable yet.
  ``received`` = ``received_amount`` (blank = 0; blank with a ``paid_date`` = paid in full).
  ``outstanding`` = max(0, owed − received).
* ``days_overdue`` = as-of − ``payment_due_date`` in calendar days when something is outstanding
  and the due date has passed, else 0.

Per customer: ``outstanding_base`` and ``overdue_base`` (outstanding on overdue orders) in the
base currency, ``max_days_overdue`` (feeds the risk grade, F2.5) and order counts.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_xl.currency import to_base
from crm_xl.settings import Settings

DELIVERY_STATES = ("on_time", "late", "overdue", "pending", "no_promise")
ARRIVAL_TERMS = ("DAP", "DPU", "DDP")  # Incoterms 2020 under which delivery happens at destination


def live_orders(orders: pd.DataFrame) -> pd.DataFrame:
    """Orders that count (not cancelled)."""
    return orders[orders["status"].fillna("") != "cancelled"]


def base_orders(orders: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """Non-cancelled orders with ``fx_rate`` (at the order date), ``amount_base`` and ``cost_base``."""
    o = live_orders(orders)
    rate = to_base(pd.Series(1.0, index=o.index), o["currency"], o["order_date"], settings)
    return o.assign(fx_rate=rate, amount_base=o["amount"] * rate, cost_base=o["cost"] * rate)


def order_to_cash(orders: pd.DataFrame, as_of: pd.Timestamp, settings: Settings,
                  incoterms: pd.Series | None = None) -> pd.DataFrame:
    """One row per non-cancelled order with delivery and payment status (see the module doc).

    ``orders`` may be the sheet or :func:`base_orders` of it (then its rates are reused);
    ``incoterms`` maps customer ID → Incoterms code."""
    o = orders if "fx_rate" in orders.columns else base_orders(orders, settings)
    as_of = pd.Timestamp(as_of)
    promised = o["promised_delivery_date"]
    terms = o["customer_id"].map(incoterms) if incoterms is not None and len(incoterms) else None
    at_arrival = terms.isin(ARRIVAL_TERMS).to_numpy(dtype=bool) if terms is not None else np.zeros(len(o), bool)
    delivered = o["ship_date"].fillna(o["arrival_date"]).where(~at_arrival, o["arrival_date"].fillna(o["ship_date"]))
    has_promise, is_delivered = promised.notna(), delivered.notna()
    delivery = np.select(
        [~has_promise, is_delivered & (delivered <= promised), is_delivered, promised < as_of],
        ["no_promise", "on_time", "late", "overdue"], "pending")
    delay = np.where(is_delivered, (delivered - promised).dt.days, (as_of - promised).dt.days)
    delay = np.where(np.isin(delivery, ("late", "overdue")), delay, 0)

    owed = o["invoiced_amount"].where(o["invoiced_amount"].notna(),
                                      o["amount"].where(o["payment_due_date"].notna(), 0.0)).fillna(0.0)
    received = o["received_amount"].where(o["received_amount"].notna(),
                                          owed.where(o["paid_date"].notna(), 0.0))
    outstanding = (owed - received).clip(lower=0)
    due = o["payment_due_date"]
    days_overdue = np.where((outstanding > 0) & due.notna() & (due < as_of), (as_of - due).dt.days, 0)
    rate = o["fx_rate"]  # one rate per order (its order date) for every money column
    return pd.DataFrame({
        "order_id": o["order_id"], "customer_id": o["customer_id"], "owner": o["owner"],
        "currency": o["currency"], "order_date": o["order_date"],
        "promised_delivery_date": promised, "delivered_date": delivered,
        "delivery": pd.Series(delivery, index=o.index, dtype="str"),
        "delivery_delay_days": pd.Series(delay, index=o.index).fillna(0).astype("int64"),
        "amount_base": o["amount"] * rate, "invoiced": owed, "received": received,
        "outstanding": outstanding, "invoiced_base": owed * rate, "received_base": received * rate,
        "outstanding_base": outstanding * rate,
        "payment_due_date": due, "days_overdue": pd.Series(days_overdue, index=o.index).astype("int64"),
        "_row": o["_row"],
    }).reset_index(drop=True)


def customer_receivables(o2c: pd.DataFrame) -> pd.DataFrame:
    """Per customer: outstanding and overdue receivables (base currency) and the worst days overdue."""
    overdue = o2c["days_overdue"] > 0
    frame = pd.DataFrame({
        "customer_id": o2c["customer_id"],
        "outstanding_base": o2c["outstanding_base"],
        "overdue_base": o2c["outstanding_base"].where(overdue, 0.0),
        "max_days_overdue": o2c["days_overdue"],
        "overdue_orders": overdue.astype("int64"),
        "late_deliveries": o2c["delivery"].isin(("late", "overdue")).astype("int64"),
    })
    grouped = frame.groupby("customer_id", sort=True, dropna=True)
    return grouped.agg(outstanding_base=("outstanding_base", "sum"), overdue_base=("overdue_base", "sum"),
                       max_days_overdue=("max_days_overdue", "max"), overdue_orders=("overdue_orders", "sum"),
                       late_deliveries=("late_deliveries", "sum"))


def summary(o2c: pd.DataFrame) -> dict[str, float | int | None]:
    """Headline figures: on-time delivery rate (of delivered orders with a promise) and money totals."""
    import math

    delivered = o2c["delivery"].isin(("on_time", "late"))
    n_delivered = int(delivered.sum())
    conv = o2c["outstanding_base"].notna()
    return {
        "orders": int(len(o2c)),
        "delivered_with_promise": n_delivered,
        "on_time": int((o2c["delivery"] == "on_time").sum()),
        "late": int((o2c["delivery"] == "late").sum()),
        "overdue_delivery": int((o2c["delivery"] == "overdue").sum()),
        "on_time_rate": (float((o2c["delivery"] == "on_time").sum()) / n_delivered) if n_delivered else None,
        "invoiced": math.fsum(o2c.loc[conv, "invoiced_base"]),
        "received": math.fsum(o2c.loc[conv, "received_base"]),
        "outstanding": math.fsum(o2c.loc[conv, "outstanding_base"]),
        "overdue": math.fsum(o2c.loc[conv & (o2c["days_overdue"] > 0), "outstanding_base"]),
        "overdue_orders": int((o2c["days_overdue"] > 0).sum()),
    }
