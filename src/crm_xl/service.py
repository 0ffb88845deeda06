"""Customer service: SLA deadlines, escalation, complaint analysis and surveys (SPEC F5, F6.4).

Deadlines (all from Settings, on the company's working calendar):

* first response — inquiries and feedback: ``inquiry_response_hours`` working hours after
  ``received_at`` (000 四(一)); complaints: contact the customer by the end of the
  ``complaint_contact_workdays``-th working day after the day received (002 四.3).
* resolution — every ticket: by the end of the ``resolution_days(urgency)``-th working day after
  the day received (000 四(二), 004 四.2).

A deadline is ``met`` or ``breached`` once done (first_response_at, or closed_at when a ticket was
closed without a recorded response; closed_at for resolution), ``overdue`` when not done and past
the deadline at the as-of moment, else ``open``. A plain as-of *date* means the end of that day.

Escalation ladder for overdue deadlines: the assignee while less than ``escalate_dept_workdays``
working days late, then the responsible department's head, from ``escalate_manager_workdays``
the manager (staff with role ``manager``); a missing level passes to the next one.

A closed ticket whose satisfaction is below ``reopen_satisfaction_below`` should be reopened
(004 四(二)5). Complaint analysis groups complaints by category, product, root cause and month
of receipt. Surveys: CSAT per dimension is the share of 4–5 answers (and the mean);
NPS = % promoters (9–10) − % detractors (0–6).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

from crm_xl.calendar import WorkCalendar, calendar_for
from crm_xl.i18n import pick
from crm_xl.register import Register
from crm_xl.workflow import check_history, parse_steps

__all__ = ["ANALYSIS_KEYS", "SURVEY_DIMENSIONS", "ServiceReport", "as_of_moment", "build_service",
           "complaint_analysis", "escalations", "survey_scores", "ticket_sla"]

ANALYSIS_KEYS = ("category", "product", "root_cause", "month")
SURVEY_DIMENSIONS = ("product_score", "service_score", "communication_score", "delivery_score", "overall_score")


def as_of_moment(as_of: date | datetime) -> pd.Timestamp:
    """The moment deadlines are judged at: a datetime as given, a date at the end of that day."""
    if isinstance(as_of, datetime):
        return pd.Timestamp(as_of)
    return pd.Timestamp(as_of) + pd.Timedelta(days=1)


def _day_end(days: pd.Series, cal: WorkCalendar) -> pd.Series:
    end = cal.day_end
    return days.dt.normalize() + pd.Timedelta(hours=end.hour, minutes=end.minute, seconds=end.second)


def _status(done_at: pd.Series, due: pd.Series, now: pd.Timestamp) -> pd.Series:
    out = np.select(
        [due.isna().to_numpy(), done_at.notna().to_numpy() & (done_at <= due).fillna(False).to_numpy(),
         done_at.notna().to_numpy(), (due < now).fillna(False).to_numpy()],
        [None, "met", "breached", "overdue"], default="open")
    return pd.Series(out, index=due.index, dtype="string")


def ticket_sla(register: Register, as_of: date | datetime, calendar: WorkCalendar | None = None) -> pd.DataFrame:
    """One row per ticket: deadlines, their status, resolution time, reopen flags.

    Columns: ticket_id, type, customer_id, urgency, status, category, product, root_cause, month,
    assignee, responsible_dept, received_at, response_due, response_at, response_status,
    resolution_due, closed_at, resolution_status, resolution_hours, resolution_workdays,
    satisfaction, reopened, reopen_suggested, history_problem.
    """
    s = register.settings
    cal = calendar or calendar_for(s)
    now = as_of_moment(as_of)
    k = register.frames["tickets"]
    received = k["received_at"]
    complaint = (k["type"] == "complaint").fillna(False)
    contact_due = _day_end(cal.add_workdays_series(received.dt.normalize(), s.complaint_contact_workdays), cal)
    answer_due = cal.add_work_hours_series(received, s.inquiry_response_hours)
    response_due = contact_due.where(complaint, answer_due)
    days = k["urgency"].map({u: s.resolution_days(u) for u in ("high", "medium", "low")}).astype("float64")
    days = days.fillna(s.resolution_days("medium"))
    resolution_due = _day_end(cal.add_workdays_series(received.dt.normalize(), days), cal)
    closed = (k["status"] == "closed").fillna(False)
    closed_at = k["closed_at"].where(closed)
    response_at = k["first_response_at"].fillna(k["closed_at"])
    hours = cal.work_hours_between_series(received, closed_at).astype("float64")
    history = k["status_history"].map(lambda v: [] if pd.isna(v) else [st.status for st in parse_steps(v)])
    problem = pd.Series([_history_problem(codes, kind) for codes, kind in zip(history, k["type"])],
                        index=k.index, dtype=object)
    reopened = ((k["reopened_count"].fillna(0) > 0) | (k["status"] == "reopened").fillna(False)
                | history.map(lambda codes: "reopened" in codes).astype(bool))
    out = pd.DataFrame({
        "ticket_id": k["ticket_id"], "type": k["type"], "customer_id": k["customer_id"], "urgency": k["urgency"],
        "status": k["status"], "category": k["category"], "product": k["product"], "root_cause": k["root_cause"],
        "month": received.dt.strftime("%Y-%m").astype("string"),
        "assignee": k["assignee"], "responsible_dept": k["responsible_dept"], "received_at": received,
        "response_due": response_due, "response_at": response_at,
        "response_status": _status(response_at, response_due, now),
        "resolution_due": resolution_due, "closed_at": closed_at,
        "resolution_status": _status(closed_at, resolution_due, now),
        "resolution_hours": hours, "resolution_workdays": hours / cal.hours_per_day,
        "satisfaction": k["satisfaction"],
        "reopened": reopened.astype(bool),
        "reopen_suggested": (closed & (k["satisfaction"] < s.reopen_satisfaction_below).fillna(False)).astype(bool),
        "history_problem": problem.astype("string"),
    })
    return out


def _history_problem(codes: list[str | None], ticket_type: object = None) -> str | None:
    """'unreadable' when a step is not a status, 'from>to' for a disallowed step, else None."""
    if None in codes:
        return "unreadable"
    bad = check_history(codes, ticket_type if isinstance(ticket_type, str) else None)
    return None if bad is None else f"{bad[0] or ''}>{bad[1]}"


def escalations(sla: pd.DataFrame, register: Register, as_of: date | datetime, lang: str,
                calendar: WorkCalendar | None = None) -> pd.DataFrame:
    """Overdue deadlines, one row per ticket and deadline, latest first.

    Columns: ticket_id, customer_id, type, urgency, sla ('response' | 'resolution'), sla_label,
    due, late_hours (working hours), late_workdays, level ('assignee' | 'department' | 'manager'),
    escalate_to, assignee, responsible_dept.
    """
    s = register.settings
    cal = calendar or calendar_for(s)
    now = as_of_moment(as_of)
    t = lambda zh, en: pick(zh, en, lang)  # noqa: E731
    staff = register.frames["staff"]
    managers = list(dict.fromkeys(staff.loc[(staff["role"] == "manager").fillna(False), "name"].dropna()))
    manager = "、".join(managers) if managers else t("销售经理/客服主管", "Sales / service manager")
    parts = []
    for kind, label in (("response", t("首次响应", "First response")), ("resolution", t("解决", "Resolution"))):
        rows = sla[(sla[f"{kind}_status"] == "overdue").fillna(False)]
        if rows.empty:
            continue
        due = rows[f"{kind}_due"]
        parts.append(pd.DataFrame({
            "ticket_id": rows["ticket_id"], "customer_id": rows["customer_id"], "type": rows["type"],
            "urgency": rows["urgency"], "sla": kind, "sla_label": label, "due": due,
            "late_hours": cal.work_hours_between_series(due, pd.Series(now, index=rows.index)).astype("float64"),
            "late_workdays": cal.workdays_between_series(due.dt.normalize(), now - pd.Timedelta(microseconds=1))
            .astype("float64"),
            "assignee": rows["assignee"], "responsible_dept": rows["responsible_dept"],
        }))
    cols = ["ticket_id", "customer_id", "type", "urgency", "sla", "sla_label", "due", "late_hours", "late_workdays",
            "level", "escalate_to", "assignee", "responsible_dept"]
    if not parts:
        return pd.DataFrame(columns=cols)
    e = pd.concat(parts, ignore_index=True)
    level = np.where(e["late_workdays"] >= s.escalate_manager_workdays, 2,
                     np.where(e["late_workdays"] >= s.escalate_dept_workdays, 1, 0))
    level = np.where((level == 0) & e["assignee"].isna(), 1, level)
    level = np.where((level == 1) & e["responsible_dept"].isna(), 2, level)
    e["level"] = np.array(["assignee", "department", "manager"])[level]
    dept_head = _obj(e["responsible_dept"]) + t("负责人", " head")
    e["escalate_to"] = np.where(level == 0, _obj(e["assignee"]), np.where(level == 1, dept_head, manager))
    return e.sort_values(["late_hours", "ticket_id"], ascending=[False, True]).reset_index(drop=True)[cols]


def _obj(s: pd.Series) -> pd.Series:
    return s.astype("string").fillna("").astype(object)


def complaint_analysis(sla: pd.DataFrame, types: tuple[str, ...] = ("complaint",)) -> dict[str, pd.DataFrame]:
    """Complaints by category, product, root cause and month.

    Per group: count, closed, on_time_rate (met ÷ closed), mean_resolution_workdays and
    mean_resolution_hours (closed ones), reopen_rate (share reopened), satisfaction (mean after
    closure), overdue (open and past the resolution deadline). A blank key is its own group (None).
    """
    c = sla[sla["type"].isin(types).fillna(False)].copy()
    c["_closed"] = c["resolution_status"].isin(["met", "breached"]).fillna(False)
    c["_met"] = (c["resolution_status"] == "met").fillna(False)
    c["_overdue"] = (c["resolution_status"] == "overdue").fillna(False)
    c["_sat"] = c["satisfaction"].where(c["_closed"])
    c["_hours"] = c["resolution_hours"].where(c["_closed"])
    c["_days"] = c["resolution_workdays"].where(c["_closed"])
    out = {}
    for key in ANALYSIS_KEYS:
        g = c.groupby(c[key].astype(object).where(c[key].notna(), None), dropna=False, sort=True)
        closed = g["_closed"].sum()
        frame = pd.DataFrame({
            "count": g.size(), "closed": closed,
            "on_time_rate": (g["_met"].sum() / closed.where(closed > 0)),
            "mean_resolution_workdays": g["_days"].mean(), "mean_resolution_hours": g["_hours"].mean(),
            "reopen_rate": g["reopened"].mean(), "satisfaction": g["_sat"].mean(), "overdue": g["_overdue"].sum(),
        })
        frame.index.name = key
        out[key] = frame.reset_index()
    return out


def survey_scores(register: Register, as_of: date, since: date | None = None) -> dict[str, Any]:
    """CSAT per dimension and NPS from surveys dated ``since`` ≤ date ≤ ``as_of``."""
    sv = register.frames["surveys"]
    keep = (sv["date"] <= pd.Timestamp(as_of)).fillna(False)
    if since is not None:
        keep &= (sv["date"] >= pd.Timestamp(since)).fillna(False)
    sv = sv[keep]
    csat = {}
    for dim in SURVEY_DIMENSIONS:
        v = sv[dim].dropna()
        csat[dim.removesuffix("_score")] = {
            "answers": int(len(v)), "csat": _num(((v >= 4).mean() * 100) if len(v) else None),
            "mean": _num(v.mean() if len(v) else None)}
    n = sv["nps"].dropna()
    promoters = (n >= 9).mean() * 100 if len(n) else None
    detractors = (n <= 6).mean() * 100 if len(n) else None
    nps = {"answers": int(len(n)), "promoters": _num(promoters), "detractors": _num(detractors),
           "passives": _num(None if promoters is None else 100 - promoters - detractors),
           "nps": _num(None if promoters is None else promoters - detractors)}
    return {"surveys": int(len(sv)), "csat": csat, "nps": nps}


def _num(v: Any, digits: int = 2) -> float | None:
    return None if v is None or pd.isna(v) else round(float(v), digits)


@dataclass
class ServiceReport:
    """Everything the service block of ``crm-xl analyze`` and the reports need."""

    as_of: date | datetime
    tickets: pd.DataFrame
    escalations: pd.DataFrame
    analysis: dict[str, pd.DataFrame]
    surveys: dict[str, Any]
    summary: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """JSON-ready dict: summary, tickets, escalations, analysis, surveys."""
        return {
            "as_of": self.as_of.isoformat(),
            "summary": self.summary,
            "tickets": _records(self.tickets.drop(columns=["history_problem"])),
            "escalations": _records(self.escalations),
            "analysis": {f"by_{k}": _records(v) for k, v in self.analysis.items()},
            "surveys": self.surveys,
        }


def _clean(v: Any) -> Any:
    """One value of a service table in the JSON: None when missing, a timestamp as date or
    ``date hh:mm``, numpy scalars as Python ones, a float to 4 decimals."""
    if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and np.isnan(v)):
        return None
    if isinstance(v, pd.Timestamp):
        return v.isoformat(sep=" ", timespec="minutes") if v != v.normalize() else v.date().isoformat()
    if isinstance(v, (np.bool_, bool)):
        return bool(v)
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return round(float(v), 4)
    return v


def _column(s: pd.Series) -> list[Any]:
    """``[_clean(v) for v in s]`` with the values ``to_dict("records")`` gives, a column at a time
    (per-value Python only where the dtype leaves no faster way; the same values either way)."""
    dtype = s.dtype
    if dtype == "float64":
        return [None if v != v else round(v, 4) for v in s.tolist()]
    if dtype in ("int64", "bool"):
        return s.tolist()
    if isinstance(dtype, pd.StringDtype):
        return [None if v is pd.NA or v != v else v for v in s.astype(object).tolist()]
    if isinstance(dtype, np.dtype) and dtype.kind == "M":  # naive timestamps, any unit
        a = s.to_numpy()
        missing = np.isnat(a)
        day = np.datetime_as_string(a, unit="D")
        minute = np.char.replace(np.datetime_as_string(a, unit="m"), "T", " ")
        timed = a != a.astype("datetime64[D]")
        return [None if m else (t if x else d) for m, x, d, t in
                zip(missing.tolist(), timed.tolist(), day.tolist(), minute.tolist())]
    return [_clean(rec[0]) for rec in s.to_frame(0).to_dict("records")]


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    if not frame.columns.is_unique:
        return [{k: _clean(v) for k, v in rec.items()} for rec in frame.to_dict("records")]
    cols = list(frame.columns)
    if not len(frame):
        return []
    values = [_column(frame[c]) for c in cols]
    return [dict(zip(cols, row)) for row in zip(*values)]


def build_service(register: Register, as_of: date | datetime, lang: str,
                  calendar: WorkCalendar | None = None) -> ServiceReport:
    """SLA per ticket, escalation list, complaint analysis and survey scores as of a date."""
    cal = calendar or calendar_for(register.settings)
    sla = ticket_sla(register, as_of, cal)
    esc = escalations(sla, register, as_of, lang, cal)
    analysis = complaint_analysis(sla)
    day = as_of.date() if isinstance(as_of, datetime) else as_of
    complaints = sla[(sla["type"] == "complaint").fillna(False)]
    done = complaints["resolution_status"].isin(["met", "breached"])
    summary = {
        "tickets": int(len(sla)), "complaints": int(len(complaints)),
        "open": int((~sla["status"].isin(["closed"]).fillna(False)).sum()),
        "overdue": int(sla["ticket_id"].isin(esc["ticket_id"]).sum()),
        "complaint_on_time_rate": _num(((complaints["resolution_status"] == "met").sum() / done.sum()) if done.sum()
                                       else None, 4),
        "complaint_satisfaction": _num(complaints.loc[done, "satisfaction"].mean()),
        "reopen_suggested": sla.loc[sla["reopen_suggested"], "ticket_id"].tolist(),
        "history_problems": {r.ticket_id: r.history_problem for r in sla.dropna(subset=["history_problem"])
                             .itertuples()},
    }
    return ServiceReport(as_of=as_of, tickets=sla, escalations=esc, analysis=analysis,
                         surveys=survey_scores(register, day), summary=summary)
