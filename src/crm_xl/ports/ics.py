"""The follow-up plan as an iCalendar file (RFC 5545, the ``icalendar`` package) for Outlook,
Google Calendar or a phone.

One all-day event per follow-up item (its due day; summary = priority, customer and reason, the
description = why, the greeting and the record IDs), plus one timed event per open ticket SLA
deadline (first response and resolution, at the deadline's hour) with the ticket's assignee — or
the customer's owner — as its owner. Milestones are follow-up items already (the projects agenda).
UIDs are stable (owner, kind, record, day), so importing the file again updates the events
instead of doubling them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

import pandas as pd

from crm_xl.i18n import pick

PRODID = "-//crm-xl//follow-ups//EN"


def _uid(*parts: Any) -> str:
    return hashlib.sha1("|".join(map(str, parts)).encode("utf-8")).hexdigest()[:24] + "@crm-xl"


def _s(v: Any) -> str:
    return "" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v)


def calendar_events(plan: pd.DataFrame, tickets: pd.DataFrame | None, customers: pd.DataFrame,
                    lang: str) -> list[dict[str, Any]]:
    """Events as plain dicts: owner, uid, summary, description, start (date or datetime), all_day."""
    t = lambda zh, en: pick(zh, en, lang)  # noqa: E731
    events = []
    for rec in plan.to_dict("records"):
        due = pd.Timestamp(rec["due"]).date()
        name = _s(rec.get("customer_name")) or _s(rec.get("customer_id"))
        ids = [f"{label}: {_s(rec.get(k))}" for k, label in (("customer_id", t("客户", "customer")),
                                                              ("contact_id", t("联系人", "contact")),
                                                              ("opportunity_id", t("机会", "opportunity")),
                                                              ("ticket_id", t("工单", "ticket"))) if _s(rec.get(k))]
        description = "\n".join(x for x in (_s(rec.get("reason")), _s(rec.get("why")), _s(rec.get("greeting")),
                                            " · ".join(ids)) if x)
        events.append({"owner": _s(rec["owner"]), "all_day": True, "start": due,
                       "uid": _uid("followup", rec["owner"], rec.get("customer_id"), rec.get("code"), due),
                       "summary": f"[P{_s(rec.get('priority'))}] {name} — {_s(rec.get('reason'))}",
                       "description": description, "category": t("跟进", "Follow-up")})
    if tickets is not None and len(tickets):
        owners = customers.drop_duplicates("customer_id").set_index("customer_id")["owner"]
        for rec in tickets.to_dict("records"):
            if _s(rec.get("status")) == "closed":
                continue
            owner = _s(rec.get("assignee")) or _s(owners.get(rec.get("customer_id"))) or t("（未指定）", "(unassigned)")
            for key, done_key, label in (("response_due", "response_at", t("首次响应时限", "first-response deadline")),
                                         ("resolution_due", "closed_at", t("解决时限", "resolution deadline"))):
                due = rec.get(key)
                if due is None or pd.isna(due) or not pd.isna(rec.get(done_key)):
                    continue
                start = pd.Timestamp(due).to_pydatetime().replace(tzinfo=None)
                events.append({"owner": owner, "all_day": False, "start": start,
                               "uid": _uid("sla", rec.get("ticket_id"), key, start),
                               "summary": f"{t('SLA', 'SLA')} {_s(rec.get('ticket_id'))} — {label}",
                               "description": t(f"工单 {_s(rec.get('ticket_id'))}（客户 {_s(rec.get('customer_id'))}）的{label}：{start:%Y-%m-%d %H:%M}",
                                                f"{label} of ticket {_s(rec.get('ticket_id'))} (customer "
                                                f"{_s(rec.get('customer_id'))}): {start:%Y-%m-%d %H:%M}"),
                               "category": "SLA"})
    return events


def write_ics(events: list[dict[str, Any]], path: str | Path, name: str, stamp: dt.datetime) -> int:
    """Write ``events`` as one VCALENDAR; returns the number of events."""
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    for e in events:
        ev = Event()
        ev.add("uid", e["uid"])
        ev.add("dtstamp", stamp)
        ev.add("summary", e["summary"])
        ev.add("description", e["description"])
        ev.add("categories", [e["category"]])
        if e["all_day"]:
            ev.add("dtstart", e["start"])
            ev.add("dtend", e["start"] + dt.timedelta(days=1))
            ev.add("transp", "TRANSPARENT")
        else:
            ev.add("dtstart", e["start"])
            ev.add("dtend", e["start"] + dt.timedelta(minutes=30))
        cal.add_component(ev)
    Path(path).write_bytes(cal.to_ical())
    return len(events)
