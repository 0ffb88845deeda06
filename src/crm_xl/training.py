"""Training (SPEC F13; policy 000 六(一)3, 004 六(一)): new-staff deadline and completion.

Pure core over ``staff`` (``hire_date``), ``training_sessions`` and ``training_attendance``.

* A new staff member must attend a training session within ``new_staff_training_days`` days of
  the hire date (000 六(一)3 "新入职员工应在入职后的[培训时间]内安排专门的CRM系统培训课程").
  Not trained once that deadline has passed → finding ``F1301`` and a follow-up item for the
  team's manager (staff role ``manager`` of the same team, else the staff member themselves).
* Training completion of a staff member over a period = sessions attended ÷ sessions held in the
  period since the hire date. It is a metric of the process-management KPI category.

The staff sheet may hold one row per assessment period; a person is identified by ``staff_id``
and takes the first hire date given on any of their rows.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from crm_xl import agenda
from crm_xl.findings import Finding
from crm_xl.i18n import Text, pick
from crm_xl.messages import CATALOGUE, define
from crm_xl.register import ROW, Register

__all__ = ["staff_people", "training_status", "training_findings", "training_followups", "training_completion"]

NOT_TRAINED = define(
    "F1301", "warning", "新员工 {name}（{staff_id}）{hired} 入职，应在 {days} 天内（{deadline} 前）参加培训，至今未培训",
    "New staff member {name} ({staff_id}) joined on {hired} and should have been trained within {days} days "
    "(by {deadline}); no training attended yet",
    "000 六(一)3, 004 六(一)", "新员工未按时培训", "New staff not trained in time")
ATTENDED_BEFORE_HIRE = define(
    "F1302", "warning", "{name}（{staff_id}）的培训签到日期 {date} 早于入职日期 {hired}",
    "{name} ({staff_id}) attended session {session_id} on {date}, before joining on {hired}",
    "000 六(一)", "培训早于入职", "Training before hire")


def staff_people(register: Register) -> pd.DataFrame:
    """One row per staff_id: staff_id, name, team, role, hire_date, row (Excel row of the row that
    gave the hire date, else the first row)."""
    s = register.frames["staff"].dropna(subset=["staff_id"])
    if s.empty:
        return pd.DataFrame({"staff_id": pd.Series(dtype="string"), "name": pd.Series(dtype="string"),
                             "team": pd.Series(dtype="string"), "role": pd.Series(dtype="string"),
                             "hire_date": pd.Series(dtype="datetime64[ns]"), "row": pd.Series(dtype="int64")})
    first = s.drop_duplicates("staff_id").set_index("staff_id")
    hired = s.dropna(subset=["hire_date"]).drop_duplicates("staff_id").set_index("staff_id")
    out = pd.DataFrame({"name": first["name"], "team": first["team"], "role": first["role"],
                        "hire_date": hired["hire_date"].reindex(first.index),
                        "row": hired[ROW].reindex(first.index).fillna(first[ROW]).astype("int64")})
    return out.rename_axis("staff_id").reset_index()


def _attended(register: Register) -> pd.DataFrame:
    """Attendance rows marked attended, with the session date: staff_id, session_id, date, row."""
    a = register.frames["training_attendance"]
    a = a[(a["attended"] == "yes").fillna(False)]
    sessions = register.frames["training_sessions"].dropna(subset=["session_id"]).drop_duplicates("session_id")
    # reindex, not map: mapping through an empty datetime Series fails (pandas casts it to float)
    date = pd.Series(sessions.set_index("session_id")["date"].reindex(a["session_id"].to_numpy()).to_numpy(),
                     index=a.index, dtype="datetime64[ns]")
    return pd.DataFrame({"staff_id": a["staff_id"], "session_id": a["session_id"], "date": date, "row": a[ROW]})


def training_status(register: Register, as_of: dt.date | pd.Timestamp) -> pd.DataFrame:
    """Per staff member with a hire date: staff_id, name, team, hire_date, deadline
    (hire + new_staff_training_days), first_training (first attended session on/after hiring),
    trained_in_time, overdue (deadline passed and not trained by it), row."""
    return _training_status(register, as_of, staff_people(register).dropna(subset=["hire_date"]), _attended(register))


def _training_status(register: Register, as_of: dt.date | pd.Timestamp, people: pd.DataFrame,
                     att: pd.DataFrame) -> pd.DataFrame:
    """:func:`training_status` from the staff with a hire date and the attendance (not changed)."""
    today = pd.Timestamp(as_of).normalize()
    joined = att.merge(people[["staff_id", "hire_date"]], on="staff_id")
    first = joined[joined["date"] >= joined["hire_date"]].groupby("staff_id")["date"].min()
    people = people.assign(deadline=people["hire_date"] + pd.Timedelta(days=register.settings.new_staff_training_days),
                           first_training=pd.Series(first.reindex(people["staff_id"].to_numpy()).to_numpy(),
                                                    index=people.index, dtype="datetime64[ns]"))
    people["trained_in_time"] = (people["first_training"] <= people["deadline"]).fillna(False)
    people["overdue"] = ~people["trained_in_time"] & (people["deadline"] < today) & people["first_training"].isna()
    return people[["staff_id", "name", "team", "hire_date", "deadline", "first_training", "trained_in_time", "overdue",
                   "row"]].reset_index(drop=True)


def training_findings(register: Register, as_of: dt.date | pd.Timestamp) -> list[Finding]:
    """F1301 (new staff untrained past the deadline), F1302 (attendance before the hire date)."""
    s = register.settings
    out: list[Finding] = []

    def add(sheet, row, column, code, params, rid):
        severity = s.severity_of(code, CATALOGUE[code].severity)
        if severity != "off":
            out.append(Finding(sheet, int(row), column, code, severity, params, None,
                               register.cell(sheet, int(row), column), rid))

    people = staff_people(register).dropna(subset=["hire_date"])  # once for both rules
    attended = _attended(register)
    st = _training_status(register, as_of, people, attended)
    for r in st[st["overdue"]].itertuples(index=False):
        add("staff", r.row, "hire_date", NOT_TRAINED,
            {"name": r.name, "staff_id": r.staff_id, "hired": r.hire_date.date(), "days": s.new_staff_training_days,
             "deadline": r.deadline.date()}, r.staff_id)
    att = attended.merge(people, on="staff_id", suffixes=("", "_staff"))
    for r in att[(att["date"] < att["hire_date"]).fillna(False)].itertuples(index=False):
        add("training_attendance", r.row, "session_id", ATTENDED_BEFORE_HIRE,
            {"name": r.name, "staff_id": r.staff_id, "session_id": r.session_id, "date": r.date.date(),
             "hired": r.hire_date.date()}, r.session_id)
    return out


REASON = Text("新员工培训", "New staff training")


def training_followups(register: Register, as_of: dt.date | pd.Timestamp, lang: str = "zh-CN",
                       horizon_days: int = 0, since: dt.date | None = None) -> pd.DataFrame:
    """Untrained new staff whose deadline is ≤ as_of + horizon_days (hired on/after ``since`` when
    given), as follow-up items for the team's manager: kind ``staff_training``, due = deadline,
    priority 1 when the deadline has passed, else 2; ``subject`` = staff_id."""
    today = pd.Timestamp(as_of).normalize()
    t = lambda zh, en: pick(zh, en, lang)  # noqa: E731
    st = training_status(register, today)
    todo = st[st["first_training"].isna() & (st["deadline"] <= today + pd.Timedelta(days=horizon_days))]
    if since is not None:
        todo = todo[todo["hire_date"] >= pd.Timestamp(since)]
    if todo.empty:
        return agenda.empty()
    people = staff_people(register)
    managers = people[(people["role"] == "manager").fillna(False)].dropna(subset=["team"]).drop_duplicates("team")
    manager = todo["team"].map(managers.set_index("team")["name"])
    owner = agenda.fill_owner(manager.astype("string"), todo["name"])
    days = register.settings.new_staff_training_days
    why = (agenda.text(todo["name"]) + "（" + agenda.text(todo["staff_id"]) + t("）", ") ") + t("入职于 ", "joined on ")
           + agenda.ymd(todo["hire_date"]) + t(f"，须在 {days} 天内完成CRM培训（", f"; CRM training due within {days} days (by ")
           + agenda.ymd(todo["deadline"]) + t("前）", ")"))
    if lang == "en":
        why = why.str.replace("（", " (", regex=False)
    return agenda.items("staff_training", REASON, lang, np.where(todo["deadline"] < today, 1, 2), owner=owner,
                        due=todo["deadline"], why=why, subject=todo["staff_id"])


def training_completion(register: Register, period_start: dt.date | pd.Timestamp,
                        period_end: dt.date | pd.Timestamp) -> pd.Series:
    """Training completion per staff member (index: staff name) for the process-management KPI:
    sessions attended ÷ sessions held in [period_start, period_end] on or after the hire date.
    NaN for someone with no session held in that time (no denominator)."""
    start, end = pd.Timestamp(period_start).normalize(), pd.Timestamp(period_end).normalize()
    people = staff_people(register).dropna(subset=["name"]).drop_duplicates("name")
    sessions = register.frames["training_sessions"].dropna(subset=["session_id", "date"]).drop_duplicates("session_id")
    sessions = sessions[(sessions["date"] >= start) & (sessions["date"] <= end)]
    hired = people["hire_date"].fillna(pd.Timestamp.min).to_numpy(dtype="datetime64[ns]")
    held = (sessions["date"].to_numpy(dtype="datetime64[ns]")[None, :] >= hired[:, None]).sum(axis=1)
    att = _attended(register)
    att = att[att["session_id"].isin(sessions["session_id"]).fillna(False)].drop_duplicates(["staff_id", "session_id"])
    att = att.merge(people[["staff_id", "hire_date"]], on="staff_id")
    att = att[~(att["date"] < att["hire_date"]).fillna(False)]
    done = people["staff_id"].map(att.groupby("staff_id").size()).fillna(0).to_numpy(dtype="float64")
    rate = np.where(held > 0, done / np.where(held > 0, held, 1), np.nan)
    return pd.Series(rate, index=pd.Index(people["name"].to_numpy(dtype=object), name="owner"),
                     name="training_completion", dtype="float64")
