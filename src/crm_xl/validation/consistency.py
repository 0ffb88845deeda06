"""V3xx: dates in the right order and money that adds up (F3.5)."""

from __future__ import annotations

import numpy as np

from crm_xl.schema import SHEETS
from crm_xl.validation import codes as C
from crm_xl.validation.context import Context, col_label, show_values

# (sheet, earlier column, later column): the later one may not lie before the earlier one.
DATE_ORDER_PAIRS: tuple[tuple[str, str, str], ...] = (
    ("customers", "first_contact_date", "entered_date"),
    ("customers", "first_contact_date", "coop_start_date"),
    ("opportunities", "created_date", "expected_close_date"),
    ("opportunities", "created_date", "won_date"),
    ("activities", "date", "next_date"),
    ("orders", "order_date", "promised_delivery_date"),
    ("orders", "order_date", "ship_date"),
    ("orders", "ship_date", "arrival_date"),
    ("tickets", "received_at", "first_response_at"),
    ("tickets", "received_at", "closed_at"),
)
MONEY_SHEETS = ("customers", "opportunities", "orders")


def check_date_order(ctx: Context) -> None:
    for sheet, earlier, later in DATE_ORDER_PAIRS:
        frame = ctx.frame(sheet)
        if not len(frame) or not (ctx.present(sheet, earlier) and ctx.present(sheet, later)):
            continue
        a, b = frame[earlier], frame[later]
        if SHEETS[sheet].column(later).kind != SHEETS[sheet].column(earlier).kind:
            a, b = a.dt.normalize(), b.dt.normalize()
        bad = (b < a).fillna(False).to_numpy()
        ctx.add(sheet, later, C.DATE_ORDER, bad, {"column": col_label(sheet, later), "earlier": col_label(sheet, earlier)},
                {"earlier_value": lambda idx, s=frame[earlier], k=SHEETS[sheet].column(earlier).kind: show_values(s.iloc[idx], k)})


def check_money(ctx: Context) -> None:
    orders = ctx.frame("orders")
    if len(orders):
        inv, rec = orders["invoiced_amount"].to_numpy(dtype="float64", na_value=np.nan), \
            orders["received_amount"].to_numpy(dtype="float64", na_value=np.nan)
        over = rec > inv + 0.005
        ctx.add("orders", "received_amount", C.RECEIVED_OVER_INVOICED, over,
                row_params={"invoiced": lambda idx: show_values(orders["invoiced_amount"].iloc[idx], "money")})
        q, p, amount = (orders[c].to_numpy(dtype="float64", na_value=np.nan) for c in ("quantity", "unit_price", "amount"))
        expected = q * p
        tol = ctx.settings.amount_tolerance
        off = np.abs(amount - expected) > np.maximum(tol * np.abs(expected), 0.005)
        bad = off & ~np.isnan(expected) & ~np.isnan(amount)
        if bad.any():
            shown = np.full(len(expected), None, dtype=object)
            shown[bad] = [f"{v:,.2f}" for v in expected[bad]]
            ctx.add("orders", "amount", C.AMOUNT_MISMATCH, bad, {"tolerance": f"{tol:.2%}"}, {"expected": shown})
    if ctx.active(C.NO_FX_RATE):
        from crm_xl.validation.fields import currency_codes

        known = {r.currency for r in ctx.settings.fx_rates} | {ctx.settings.base_currency}
        for sheet in MONEY_SHEETS:
            frame = ctx.frame(sheet)
            if len(frame) and ctx.present(sheet, "currency"):
                cur = frame["currency"]
                missing = cur.notna() & cur.isin(currency_codes()) & ~cur.isin(known)
                ctx.add(sheet, "currency", C.NO_FX_RATE, missing.to_numpy(), {"base": ctx.settings.base_currency})
