"""V4xx: the customer-information policy (F1): entry deadline, double check, review cycle, referrer."""

from __future__ import annotations

import pandas as pd

from crm_xl.calendar import calendar_for
from crm_xl.validation import codes as C
from crm_xl.validation.context import Context, col_label, show_values


def check_customer_policy(ctx: Context) -> None:
    c = ctx.frame("customers")
    if not len(c):
        return
    s = ctx.settings
    if ctx.active(C.ENTRY_LATE) and ctx.present("customers", "entered_date"):
        both = c["first_contact_date"].notna() & c["entered_date"].notna()
        if both.any():
            days = pd.Series(0, index=c.index, dtype="Int64")
            days[both] = calendar_for(ctx.settings).workdays_between_series(c.loc[both, "first_contact_date"],
                                                                    c.loc[both, "entered_date"]).to_numpy()
            late = (days > s.entry_deadline_workdays).fillna(False).to_numpy()
            ctx.add("customers", "entered_date", C.ENTRY_LATE, late, {"limit": s.entry_deadline_workdays},
                    {"days": days.astype(object).to_numpy(),
                     "first_contact": lambda idx: show_values(c["first_contact_date"].iloc[idx], "date")})
    if ctx.active(C.IMPORTANT_UNREVIEWED) and s.important_needs_review:
        important = c["important"].eq("yes").fillna(False)
        no_by, no_date = c["reviewed_by"].isna(), c["reviewed_date"].isna()
        for mask, column, missing in (
                (important & no_by & no_date, "reviewed_by", [col_label("customers", "reviewed_by"),
                                                              col_label("customers", "reviewed_date")]),
                (important & no_by & ~no_date, "reviewed_by", [col_label("customers", "reviewed_by")]),
                (important & ~no_by & no_date, "reviewed_date", [col_label("customers", "reviewed_date")])):
            ctx.add("customers", column, C.IMPORTANT_UNREVIEWED, mask.to_numpy(), {"missing": missing})
    if ctx.active(C.REVIEW_OVERDUE):
        last = c["last_info_update"].fillna(c["reviewed_date"]).fillna(c["entered_date"])
        days = (ctx.as_of_ts - last).dt.days
        overdue = ((days > s.info_review_days) & c["status"].ne("lost").fillna(True)).fillna(False).to_numpy()
        ctx.add("customers", "last_info_update", C.REVIEW_OVERDUE, overdue, {"limit": s.info_review_days},
                {"days": days.astype(object).to_numpy(), "last": lambda idx: show_values(last.iloc[idx], "date")})
    if ctx.active(C.REFERRER_MISSING):
        ctx.add("customers", "referrer", C.REFERRER_MISSING,
                (c["source_channel"].eq("referral") & c["referrer"].isna()).fillna(False).to_numpy())
