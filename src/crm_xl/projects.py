"""Cooperation projects (SPEC F12; policy 002 六, 000 项目执行, 001 四 加工订单).

Pure core over the ``projects``, ``milestones`` and ``project_changes`` sheets.

Deviation of a milestone (days, positive = late)
    done (or with an actual date): actual_date − planned_date; open and past its planned date:
    as_of − planned_date; open and not yet due: none. A deviation above
    ``milestone_deviation_days`` is an alert (``F1202``); an open milestone past its date within
    that threshold is "overdue" (``F1201``).

Project end
    The plan's end moves by the days of approved changes (002 六.3: a change is evaluated and the
    plan adjusted): ``adjusted_end = planned_end_date + Σ approved impact_days``. A project is
    *late* when its end (actual, or as_of for an open project past its adjusted end) exceeds the
    adjusted end by more than the threshold, or when any milestone deviates beyond it.

Acceptance (002 六.4)
    Once every milestone of a project is done, acceptance is expected; it is reported missing
    (``F1206``) when the last milestone was finished more than ``milestone_deviation_days`` ago
    and the project has no acceptance date.

Processing orders (001 四)
    Rows with a BOM reference or production dates follow material arrival → IQC → production:
    production may not start before the material arrived (``F1209``) nor without a passed IQC
    (``F1210``), and cannot end before it started (``F1211``).
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

__all__ = ["milestone_status", "project_findings", "project_followups", "project_summary", "project_report"]

_C = "002 六"
MILESTONE_OVERDUE = define(
    "F1201", "warning", "项目 {project_id} 的里程碑“{name}”计划 {planned} 完成，已逾期 {days} 天",
    "Project {project_id}: milestone “{name}” was planned for {planned} and is {days} days overdue",
    "002 六.2 项目执行", "里程碑逾期", "Milestone overdue")
MILESTONE_DEVIATION = define(
    "F1202", "error", "项目 {project_id} 的里程碑“{name}”偏差 {days} 天，超过 {limit} 天的报警线，请采取纠正措施",
    "Project {project_id}: milestone “{name}” deviates {days} days, more than the {limit}-day alert line; take "
    "corrective action",
    "002 六.3 项目监控", "里程碑偏差报警", "Milestone deviation alert")
MILESTONE_STATUS_DATE = define(
    "F1203", "warning", "里程碑“{name}”{problem}", "Milestone “{name}”: {problem}",
    "002 六.1 时间节点", "里程碑状态与日期不符", "Milestone status and date disagree")
CHANGE_PENDING = define(
    "F1204", "warning", "项目 {project_id} 的变更 {change_id}（{date}）尚未审批，须评估对项目的影响并经审批",
    "Project {project_id}: change {change_id} ({date}) is not approved yet; evaluate its impact and approve it",
    "002 六.3 变更管理", "变更未审批", "Change not approved")
CHANGE_NO_APPROVER = define(
    "F1205", "warning", "变更 {change_id} 已标记审批但未填写审批人", "Change {change_id} is approved but has no approver",
    "002 六.3 变更管理", "缺少审批人", "No approver")
ACCEPTANCE_MISSING = define(
    "F1206", "warning", "项目 {project_id} 的最后一个里程碑已于 {done} 完成，尚未组织客户验收",
    "Project {project_id}: the last milestone was done on {done} but the customer has not accepted the project",
    "002 六.4 项目验收", "缺少验收", "Acceptance missing")
ACCEPTED_NO_DATE = define(
    "F1207", "error", "项目 {project_id} 状态为{status}，但没有验收日期和验收结果",
    "Project {project_id} is {status} but has no acceptance date and result",
    "002 六.4 项目验收", "已验收但无验收记录", "Accepted without acceptance record")
PLAN_DATES = define(
    "F1208", "error", "项目 {project_id} 的{label} {end} 早于开始日期 {start}",
    "Project {project_id}: {label} {end} is before the start date {start}",
    "002 六.1 项目计划", "项目日期颠倒", "Project dates reversed")
PRODUCTION_BEFORE_MATERIAL = define(
    "F1209", "error", "加工项目 {project_id} 的投产日期 {start} 早于物料到货日期 {arrival}",
    "Processing project {project_id}: production started {start}, before the material arrived on {arrival}",
    "001 四.5–6 物料检验后投产", "投产早于到料", "Production before material")
PRODUCTION_WITHOUT_IQC = define(
    "F1210", "error", "加工项目 {project_id} 已投产，但来料检验为“{iqc}”（须检验合格后投产）",
    "Processing project {project_id} started production although IQC is “{iqc}” (produce only after IQC passes)",
    "001 四.5 来料检验(IQC)", "未经检验投产", "Production without IQC")
PRODUCTION_END_BEFORE_START = define(
    "F1211", "error", "加工项目 {project_id} 的完工日期 {end} 早于投产日期 {start}",
    "Processing project {project_id}: production ended {end}, before it started {start}",
    "001 四.6 生产加工", "完工早于投产", "Production end before start")
PROCESSING_NO_BOM = define(
    "F1212", "warning", "加工项目 {project_id} 填写了到料/生产日期，但缺少 BOM 编号",
    "Processing project {project_id} has material/production dates but no BOM reference",
    "001 四.1 BOM清单", "缺少BOM", "BOM missing")

_CLOSED_MILESTONE = ("done", "cancelled")
_INACTIVE_PROJECT = ("cancelled",)


def milestone_status(register: Register, as_of: dt.date | pd.Timestamp) -> pd.DataFrame:
    """Every milestone with: project_id, milestone_id, name, planned_date, actual_date, status,
    owner (milestone's, else the project's), customer_id, open (not done/cancelled, no actual date),
    overdue (open and planned < as_of), deviation (days, see module docstring; NaN when not yet due
    or cancelled), alert (deviation > milestone_deviation_days), row (Excel row). Milestones of
    cancelled projects are left out."""
    today = pd.Timestamp(as_of).normalize()
    limit = register.settings.milestone_deviation_days
    m = register.frames["milestones"]
    p = register.frames["projects"].dropna(subset=["project_id"]).drop_duplicates("project_id").set_index("project_id")
    m = m[~m["project_id"].isin(p.index[p["status"].isin(_INACTIVE_PROJECT).fillna(False).to_numpy()])]
    cancelled = (m["status"] == "cancelled").fillna(False)
    finished = m["actual_date"].notna() | (m["status"] == "done").fillna(False)
    is_open = ~finished & ~cancelled
    overdue = is_open & (m["planned_date"] < today).fillna(False)
    dev = (m["actual_date"] - m["planned_date"]).dt.days.astype("float64")
    dev = dev.where(m["actual_date"].notna(), np.where(overdue, (today - m["planned_date"]).dt.days, np.nan))
    dev = dev.where(~cancelled)
    return pd.DataFrame({
        "project_id": m["project_id"], "milestone_id": m["milestone_id"], "name": m["name"],
        "planned_date": m["planned_date"], "actual_date": m["actual_date"], "status": m["status"],
        "owner": agenda.fill_owner(m["owner"], m["project_id"].map(p["owner"])),
        "customer_id": m["project_id"].map(p["customer_id"]).astype("string"),
        "open": is_open, "overdue": overdue, "deviation": dev, "alert": (dev > limit).fillna(False), "row": m[ROW],
    }).reset_index(drop=True)


def _adjusted_end(register: Register) -> pd.Series:
    """planned_end_date + Σ approved impact_days, by project_id."""
    p = register.frames["projects"].dropna(subset=["project_id"]).drop_duplicates("project_id").set_index("project_id")
    ch = register.frames["project_changes"]
    shift = ch[(ch["approved"] == "yes").fillna(False)].groupby("project_id")["impact_days"].sum()
    return p["planned_end_date"] + pd.to_timedelta(shift.reindex(p.index).fillna(0), unit="D")


def _last_done(ms: pd.DataFrame) -> pd.DataFrame:
    """Per project: all (non-cancelled) milestones done? and the last actual date."""
    live = ms[(ms["status"] != "cancelled").fillna(True)]  # an unusable status: the milestone still counts
    g = live.groupby("project_id")
    return pd.DataFrame({"all_done": g["open"].sum() == 0, "count": g.size(), "last_done": g["actual_date"].max()})


def project_findings(register: Register, as_of: dt.date | pd.Timestamp) -> list[Finding]:
    """F1201–F1212 on the projects, milestones and project_changes sheets (module docstring)."""
    s = register.settings
    today = pd.Timestamp(as_of).normalize()
    out: list[Finding | None] = []

    def add(sheet, row, column, code, params, value=None, rid=None):
        severity = s.severity_of(code, CATALOGUE[code].severity)
        if severity != "off":
            out.append(Finding(sheet, int(row), column, code, severity, params, value,
                               register.cell(sheet, int(row), column), None if rid is None or pd.isna(rid) else str(rid)))

    ms = milestone_status(register, today)
    for r in ms[ms["alert"] | ms["overdue"]].itertuples(index=False):
        params = {"project_id": r.project_id, "name": r.name, "planned": agenda.day(r.planned_date), "days": int(r.deviation),
                  "limit": s.milestone_deviation_days}
        column = "actual_date" if r.actual_date is not pd.NaT and not pd.isna(r.actual_date) else "planned_date"
        add("milestones", r.row, column, MILESTONE_DEVIATION if r.alert else MILESTONE_OVERDUE, params,
            agenda.day(r.planned_date), r.milestone_id)
    m = register.frames["milestones"]
    done_no_date = m[(m["status"] == "done").fillna(False) & m["actual_date"].isna()]
    for row, name, mid in done_no_date[[ROW, "name", "milestone_id"]].itertuples(index=False):
        add("milestones", row, "actual_date", MILESTONE_STATUS_DATE,
            {"name": name, "problem": Text("状态为已完成但没有实际日期", "is done but has no actual date")}, None, mid)
    dated_open = m[m["actual_date"].notna() & m["status"].isin(["planned", "in_progress"]).fillna(False)]
    for row, name, mid in dated_open[[ROW, "name", "milestone_id"]].itertuples(index=False):
        add("milestones", row, "status", MILESTONE_STATUS_DATE,
            {"name": name, "problem": Text("已有实际完成日期，状态应为已完成", "has an actual date, so its status should be done")},
            None, mid)
    ch = register.frames["project_changes"]
    for row, cid, pid, date in ch[ch["approved"].isna()][[ROW, "change_id", "project_id", "date"]].itertuples(index=False):
        add("project_changes", row, "approved", CHANGE_PENDING, {"project_id": pid, "change_id": cid, "date": agenda.day(date)},
            None, cid)
    no_by = ch[(ch["approved"] == "yes").fillna(False) & ch["approved_by"].isna()]
    for row, cid in no_by[[ROW, "change_id"]].itertuples(index=False):
        add("project_changes", row, "approved_by", CHANGE_NO_APPROVER, {"change_id": cid}, None, cid)

    p = register.frames["projects"]
    live = p[~p["status"].isin(_INACTIVE_PROJECT).fillna(False)]
    done = _last_done(ms)
    lp = live.join(done, on="project_id")
    missing = lp[lp["all_done"].fillna(False).astype(bool) & lp["acceptance_date"].isna()
                 & ~lp["status"].isin(["accepted", "closed"]).fillna(False)
                 & ((today - lp["last_done"]).dt.days > s.milestone_deviation_days).fillna(False)]
    for row, pid, last in missing[[ROW, "project_id", "last_done"]].itertuples(index=False):
        add("projects", row, "acceptance_date", ACCEPTANCE_MISSING, {"project_id": pid, "done": agenda.day(last)}, None, pid)
    from crm_xl.schema import ENUMS

    acc = live[live["status"].isin(["accepted", "closed"]).fillna(False) & live["acceptance_date"].isna()]
    for row, pid, st in acc[[ROW, "project_id", "status"]].itertuples(index=False):
        label = ENUMS["project_status"].options[ENUMS["project_status"].codes.index(st)]
        add("projects", row, "acceptance_date", ACCEPTED_NO_DATE,
            {"project_id": pid, "status": Text(label.zh, label.en.lower())}, None, pid)
    for col, zh, en in (("planned_end_date", "计划完成日期", "planned end"), ("actual_end_date", "实际完成日期", "actual end")):
        bad = p[(p[col] < p["start_date"]).fillna(False)]
        for row, pid, end, start in bad[[ROW, "project_id", col, "start_date"]].itertuples(index=False):
            add("projects", row, col, PLAN_DATES, {"project_id": pid, "label": Text(zh, en), "end": agenda.day(end),
                                                  "start": agenda.day(start)}, agenda.day(end), pid)
    # processing orders (001 四)
    early = p[(p["production_start"] < p["material_arrival_date"]).fillna(False)]
    for row, pid, start, arr in early[[ROW, "project_id", "production_start", "material_arrival_date"]].itertuples(index=False):
        add("projects", row, "production_start", PRODUCTION_BEFORE_MATERIAL,
            {"project_id": pid, "start": agenda.day(start), "arrival": agenda.day(arr)}, agenda.day(start), pid)
    no_iqc = p[p["production_start"].notna() & (p["production_start"] <= today).fillna(False)
               & (p["iqc_result"] != "pass").fillna(True) & (p["material_arrival_date"].notna() | p["bom_ref"].notna())]
    for row, pid, iqc in no_iqc[[ROW, "project_id", "iqc_result"]].itertuples(index=False):
        shown = Text("未检验", "not inspected") if pd.isna(iqc) else Text(
            *(lambda o: (o.zh, o.en))(ENUMS["iqc_result"].options[ENUMS["iqc_result"].codes.index(iqc)]))
        add("projects", row, "iqc_result", PRODUCTION_WITHOUT_IQC, {"project_id": pid, "iqc": shown}, None, pid)
    rev = p[(p["production_end"] < p["production_start"]).fillna(False)]
    for row, pid, end, start in rev[[ROW, "project_id", "production_end", "production_start"]].itertuples(index=False):
        add("projects", row, "production_end", PRODUCTION_END_BEFORE_START,
            {"project_id": pid, "end": agenda.day(end), "start": agenda.day(start)}, agenda.day(end), pid)
    nobom = p[p["bom_ref"].isna() & (p["material_arrival_date"].notna() | p["production_start"].notna()
                                     | p["production_end"].notna())]
    for row, pid in nobom[[ROW, "project_id"]].itertuples(index=False):
        add("projects", row, "bom_ref", PROCESSING_NO_BOM, {"project_id": pid}, None, pid)
    return [f for f in out if f is not None]


REASONS: dict[str, Text] = {
    "milestone_due": Text("项目里程碑到期", "Project milestone due"),
    "milestone_overdue": Text("项目里程碑逾期", "Project milestone overdue"),
    "change_approval": Text("项目变更待审批", "Project change awaiting approval"),
    "acceptance_due": Text("项目待验收", "Project acceptance due"),
    "iqc_failed": Text("来料检验不合格", "Incoming material failed IQC"),
}


def project_followups(register: Register, as_of: dt.date | pd.Timestamp, lang: str = "zh-CN",
                      horizon_days: int = 0) -> pd.DataFrame:
    """Follow-up items of projects (:mod:`crm_xl.agenda` shape).

    ``milestone_overdue`` (open, past its date; priority 1 beyond the deviation threshold, else 2),
    ``milestone_due`` (open, due within ``horizon_days``; priority 3), ``change_approval``
    (unapproved change; priority 2, due on its date), ``acceptance_due`` (every milestone done, no
    acceptance; due on the last milestone's date + milestone_deviation_days; priority 2),
    ``iqc_failed`` (IQC failed and production not started; priority 1, due today).
    """
    s = register.settings
    today = pd.Timestamp(as_of).normalize()
    t = lambda zh, en: pick(zh, en, lang)  # noqa: E731
    horizon = today + pd.Timedelta(days=horizon_days)
    p = register.frames["projects"].dropna(subset=["project_id"]).drop_duplicates("project_id")
    p = p[~p["status"].isin(_INACTIVE_PROJECT).fillna(False)].set_index("project_id", drop=False)
    ms = milestone_status(register, today)
    ms = ms[ms["project_id"].isin(p.index).fillna(False)]
    title = lambda ids: agenda.text(ids.map(p["title"]))  # noqa: E731
    parts = []
    od = ms[ms["overdue"]]
    why = (t("项目 ", "project ") + agenda.text(od["project_id"]) + " " + title(od["project_id"]) + t("：里程碑“", ": milestone “")
           + agenda.text(od["name"]) + t("”计划 ", "” planned ") + agenda.ymd(od["planned_date"]) + t("，已逾期 ", ", ")
           + od["deviation"].astype("Int64").astype(str) + t(" 天", " days overdue"))
    parts.append(agenda.items("milestone_overdue", REASONS["milestone_overdue"], lang, np.where(od["alert"], 1, 2),
                              owner=od["owner"], due=od["planned_date"], why=why, customer_id=od["customer_id"],
                              subject=od["milestone_id"]))
    up = ms[ms["open"] & ~ms["overdue"] & (ms["planned_date"] <= horizon).fillna(False)]
    why = (t("项目 ", "project ") + agenda.text(up["project_id"]) + " " + title(up["project_id"]) + t("：里程碑“", ": milestone “")
           + agenda.text(up["name"]) + t("”计划 ", "” planned ") + agenda.ymd(up["planned_date"]))
    parts.append(agenda.items("milestone_due", REASONS["milestone_due"], lang, 3, owner=up["owner"],
                              due=up["planned_date"], why=why, customer_id=up["customer_id"], subject=up["milestone_id"]))
    ch = register.frames["project_changes"]
    ch = ch[ch["approved"].isna() & ch["project_id"].isin(p.index).fillna(False)]
    impact = (t("，工期影响 ", ", impact ") + ch["impact_days"].astype("Int64").astype("string").fillna("?").astype(object)
              + t(" 天", " days"))
    why = (t("项目 ", "project ") + agenda.text(ch["project_id"]) + t("：变更 ", ": change ") + agenda.text(ch["change_id"])
           + " " + agenda.text(ch["description"]) + impact)
    parts.append(agenda.items("change_approval", REASONS["change_approval"], lang, 2,
                              owner=ch["project_id"].map(p["owner"]), due=ch["date"], why=why,
                              customer_id=ch["project_id"].map(p["customer_id"]), subject=ch["change_id"]))
    done = _last_done(ms)
    lp = p.join(done)
    acc = lp[lp["all_done"].fillna(False).astype(bool) & lp["acceptance_date"].isna()
             & ~lp["status"].isin(["accepted", "closed"]).fillna(False)]
    due = acc["last_done"] + pd.Timedelta(days=s.milestone_deviation_days)
    acc, due = acc[(due <= horizon).fillna(False)], due[(due <= horizon).fillna(False)]
    why = (t("项目 ", "project ") + agenda.text(acc["project_id"]) + " " + agenda.text(acc["title"])
           + t("：全部里程碑已于 ", ": all milestones done by ") + agenda.ymd(acc["last_done"])
           + t(" 完成，请组织客户验收并记录评分", "; arrange the customer's acceptance and record the rating"))
    parts.append(agenda.items("acceptance_due", REASONS["acceptance_due"], lang, 2, owner=acc["owner"], due=due,
                              why=why, customer_id=acc["customer_id"], subject=acc["project_id"],
                              opportunity_id=acc["opportunity_id"]))
    iqc = p[(p["iqc_result"] == "fail").fillna(False) & p["production_start"].isna()]
    why = (t("加工项目 ", "processing project ") + agenda.text(iqc["project_id"]) + t(" 物料 ", ": material of ")
           + agenda.ymd(iqc["material_arrival_date"]) + t(" 检验不合格，请与客户沟通补料或退换",
                                                          " failed IQC; agree replacement with the customer"))
    parts.append(agenda.items("iqc_failed", REASONS["iqc_failed"], lang, 1, owner=iqc["owner"], due=today, why=why,
                              customer_id=iqc["customer_id"], subject=iqc["project_id"]))
    return agenda.combine(parts)


def project_summary(register: Register, as_of: dt.date | pd.Timestamp) -> pd.DataFrame:
    """One row per project (cancelled ones included, flagged): project_id, title, customer_id,
    owner, status, milestones, done, overdue, alerts, average_deviation, max_deviation, progress
    (done ÷ milestones, else the sheet's progress), adjusted_end, end_deviation, finished
    (actual end date or accepted/closed), late, on_time
    (finished and not late), pending_changes, change_days, change_amount, acceptance_date,
    acceptance_result, customer_rating."""
    s = register.settings
    today = pd.Timestamp(as_of).normalize()
    p = register.frames["projects"].dropna(subset=["project_id"]).drop_duplicates("project_id").set_index("project_id")
    ms = milestone_status(register, today)
    live = ms[(ms["status"] != "cancelled").fillna(True)]  # an unusable status: the milestone still counts
    g = live.groupby("project_id")
    agg = pd.DataFrame({
        "milestones": g.size(), "done": g["open"].apply(lambda v: int((~v).sum())),
        "overdue": g["overdue"].sum(), "alerts": g["alert"].sum(),
        "average_deviation": g["deviation"].mean(), "max_deviation": g["deviation"].max(),
    }).reindex(p.index)
    ch = register.frames["project_changes"]
    approved = ch[(ch["approved"] == "yes").fillna(False)].groupby("project_id")
    adjusted = _adjusted_end(register).reindex(p.index)
    finished = p["actual_end_date"].notna() | p["status"].isin(["accepted", "closed"]).fillna(False)
    end = p["actual_end_date"].where(p["actual_end_date"].notna(), pd.Series(today, index=p.index).where(~finished))
    end_dev = (end - adjusted).dt.days.astype("float64")
    end_dev = end_dev.where(finished | (end_dev > 0))
    # sums of boolean (Arrow) columns over no rows stay boolean: count as numbers before filling
    counts = agg[["milestones", "done", "overdue", "alerts"]].astype("float64").fillna(0).astype("int64")
    late = (end_dev > s.milestone_deviation_days).fillna(False) | (counts["alerts"] > 0)
    progress = (counts["done"] / counts["milestones"].where(counts["milestones"] > 0)).fillna(p["progress"])
    out = pd.DataFrame({
        "title": p["title"], "customer_id": p["customer_id"], "owner": p["owner"], "status": p["status"],
        **{c: counts[c] for c in counts}, "average_deviation": agg["average_deviation"],
        "max_deviation": agg["max_deviation"], "progress": progress, "adjusted_end": adjusted, "end_deviation": end_dev,
        "finished": finished, "late": late, "on_time": finished & ~late,
        "pending_changes": ch[ch["approved"].isna()].groupby("project_id").size().reindex(p.index).fillna(0).astype("int64"),
        "change_days": approved["impact_days"].sum().reindex(p.index).fillna(0.0),
        "change_amount": approved["impact_amount"].sum().reindex(p.index).fillna(0.0),
        "acceptance_date": p["acceptance_date"], "acceptance_result": p["acceptance_result"],
        "customer_rating": p["customer_rating"],
    })
    return out.rename_axis("project_id").reset_index()


def project_report(register: Register, as_of: dt.date | pd.Timestamp) -> dict[str, object]:
    """Report data (002 六.4 项目总结): projects (active, not cancelled), finished, on_time, late,
    on_time_rate (of finished), average_deviation (days, over dated milestones), alerts,
    acceptance (count per result), average_rating, and the ``summary`` frame."""
    summary = project_summary(register, as_of)
    live = summary[summary["status"] != "cancelled"]
    ms = milestone_status(register, as_of)
    finished = int(live["finished"].sum())
    on_time = int(live["on_time"].sum())
    return {
        "projects": int(len(live)), "finished": finished, "on_time": on_time, "late": int(live["late"].sum()),
        "on_time_rate": on_time / finished if finished else float("nan"),
        "average_deviation": float(ms["deviation"].mean()) if ms["deviation"].notna().any() else float("nan"),
        "alerts": int(ms["alert"].sum()),
        "acceptance": {str(k): int(v) for k, v in live["acceptance_result"].value_counts().items()},
        "average_rating": float(live["customer_rating"].mean()) if live["customer_rating"].notna().any() else float("nan"),
        "summary": summary,
    }
