"""followups --ics: read back with vobject (an independent iCalendar reader), one event per item."""

from __future__ import annotations

from pathlib import Path

import vobject
from typer.testing import CliRunner

from crm_xl.cli import app
from crm_xl.ports.reader import read_register
from crm_xl.review import review
from desk_books import write_desk_book

runner = CliRunner()


def events(path: Path) -> list:
    cal = vobject.readOne(path.read_text(encoding="utf-8"))
    return list(getattr(cal, "vevent_list", []))


def test_ics_has_one_event_per_followup_item_and_splits_by_owner(tmp_path: Path):
    book = write_desk_book(tmp_path / "台账.xlsx")
    plan = review(read_register(book), __import__("datetime").date(2026, 11, 23), lang="en").plan
    assert len(plan) >= 4  # revisits, birthdays/holidays … of the four customers
    ics, split = tmp_path / "plan.ics", tmp_path / "owners"
    res = runner.invoke(app, ["followups", str(book), "--as-of", "2026-11-23", "--out", str(tmp_path / "p.xlsx"),
                              "--ics", str(ics), "--split-by-owner", str(split), "--lang", "en"])
    assert res.exit_code == 0, res.output
    got = events(ics)
    assert len(got) == len(plan)  # the desk book has no tickets: no SLA events
    by_day = sorted((e.dtstart.value.isoformat(), e.summary.value) for e in got)
    expected = sorted((d.date().isoformat(), f"[P{p}] {n} — {r}") for d, p, n, r in
                      zip(plan["due"], plan["priority"], plan["customer_name"].fillna(plan["customer_id"]), plan["reason"]))
    assert by_day == expected
    assert len({e.uid.value for e in got}) == len(got)
    per_owner = {p.stem: len(events(p)) for p in split.glob("*.ics")}
    assert sum(per_owner.values()) == len(got)
    assert {k.split("_")[-1] for k in per_owner} == set(plan["owner"])
    for owner, rows in plan.groupby("owner"):
        assert per_owner[next(k for k in per_owner if k.endswith(owner))] == len(rows)
    assert all(e.description.value.strip() for e in got)
    # the index lists the calendars beside the books, so next month's run may write the same folder again
    again = runner.invoke(app, ["followups", str(book), "--as-of", "2026-11-24", "--out", str(tmp_path / "p2.xlsx"),
                                "--ics", str(ics), "--split-by-owner", str(split), "--lang", "en"])
    assert again.exit_code == 0, again.output
    assert {p.stem for p in split.glob("*.ics")} == set(per_owner)


def test_sla_deadlines_of_open_tickets_are_timed_events(tmp_path: Path):
    import datetime as dt

    from crm_xl.ports.ics import calendar_events
    import pandas as pd

    tickets = pd.DataFrame({"ticket_id": ["T1", "T2"], "status": ["investigating", "closed"], "assignee": ["王芳", "李强"],
                            "customer_id": ["C001", "C002"],
                            "response_due": [pd.Timestamp("2026-11-24 18:00"), pd.Timestamp("2026-11-20 18:00")],
                            "response_at": [pd.NaT, pd.Timestamp("2026-11-20 10:00")],
                            "resolution_due": [pd.Timestamp("2026-12-01 18:00"), pd.Timestamp("2026-11-27 18:00")],
                            "closed_at": [pd.NaT, pd.Timestamp("2026-11-21 10:00")]})
    customers = pd.DataFrame({"customer_id": ["C001", "C002"], "owner": ["王芳", "李强"]})
    plan = pd.DataFrame(columns=["owner", "due", "priority", "code", "reason", "why", "greeting", "customer_id",
                                 "customer_name", "contact_id", "opportunity_id", "ticket_id"])
    got = calendar_events(plan, tickets, customers, "en")
    assert [(e["owner"], e["start"]) for e in got] == [("王芳", dt.datetime(2026, 11, 24, 18)),
                                                       ("王芳", dt.datetime(2026, 12, 1, 18))]
    assert "first-response deadline" in got[0]["summary"] and "resolution deadline" in got[1]["summary"]
