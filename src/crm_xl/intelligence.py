"""Order intelligence (SPEC F11; policy 001 二 订单情报处理制度).

Staff report leads and market intelligence (``intelligence`` sheet); the marketing-planning
department evaluates each report (pending / valuable / not valuable) and pays a reward for the
valuable ones (001 二 管理(二): "如果承认其适宜且有效的时候，应支付费用"). Sales units plan their
activities (staff.activity_target) and report the results (activities); the department compares
plan and actual every month (001 二 管理(一)).

Deadline
    The reports of a month are evaluated — and valuable ones get a reward decision — by day
    ``intel_report_day`` of the following month (clipped to the month's last day). After that a
    pending report is ``F1101`` and a valuable one without a reward amount is ``F1102``.

Money
    ``estimated_value`` is in the row's currency and converted to the base currency with the
    Settings FX table (:mod:`crm_xl.currency`, the rate valid on the report date);
    ``reward_amount`` is in the base currency already.
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

__all__ = ["report_deadline", "intelligence_table", "intelligence_monthly", "intelligence_findings",
           "intelligence_followups", "activity_plan_vs_actual"]

PENDING_LATE = define(
    "F1101", "warning", "情报 {intel_id}（{date} {reporter}）应在 {deadline} 前完成评估，仍为待评估",
    "Intelligence {intel_id} ({date}, {reporter}) should have been evaluated by {deadline}; it is still pending",
    "001 二 联络(一) 评估报告价值", "情报逾期未评估", "Intelligence not evaluated")
REWARD_UNDECIDED = define(
    "F1102", "warning", "有价值的情报 {intel_id}（{reporter}）应在 {deadline} 前确定奖励金额，仍未填写",
    "Valuable intelligence {intel_id} ({reporter}) should have had its reward decided by {deadline}",
    "001 二 管理(二) 情报奖励", "奖励未确定", "Reward not decided")
REWARD_NOT_VALUABLE = define(
    "F1103", "error", "情报 {intel_id} 评估为“{evaluation}”，却有奖励 {reward}；只有经审查有价值的情报才支付费用",
    "Intelligence {intel_id} is “{evaluation}” yet has a reward of {reward}; only valuable intelligence is rewarded",
    "001 二 管理(二) 情报奖励", "无价值情报发放奖励", "Reward for intelligence not valuable")
REWARD_PAID_EARLY = define(
    "F1104", "error", "情报 {intel_id} 的奖励发放日期 {paid} 早于报告日期 {date}",
    "Intelligence {intel_id}: reward paid on {paid}, before it was reported on {date}",
    "001 二 管理(二) 情报奖励", "奖励早于报告", "Reward paid before report")
PAID_WITHOUT_AMOUNT = define(
    "F1105", "warning", "情报 {intel_id} 有奖励发放日期但没有奖励金额",
    "Intelligence {intel_id} has a reward paid date but no reward amount",
    "001 二 管理(二) 情报奖励", "缺少奖励金额", "Reward amount missing")
NO_SUBJECT = define(
    "F1106", "warning", "情报 {intel_id} 既没有客户编号也没有潜在客户名称，无法追溯",
    "Intelligence {intel_id} names neither a customer ID nor a prospect",
    "001 二 调查的整理(一) 记录重要事项", "情报无客户", "Intelligence without customer")


def report_deadline(dates: pd.Series, day: int) -> pd.Series:
    """Day ``day`` of the month after each date (clipped to that month's last day)."""
    first = dates.dt.to_period("M").dt.to_timestamp() + pd.DateOffset(months=1)
    last_day = (first + pd.offsets.MonthEnd(0)).dt.day
    return first + pd.to_timedelta(np.minimum(day, last_day) - 1, unit="D")


def intelligence_table(register: Register) -> pd.DataFrame:
    """The intelligence sheet plus month (YYYY-MM), value_base (estimated value in the base
    currency; NaN without an FX rate) and deadline (evaluation/reward decision due)."""
    from crm_xl.currency import to_base

    s = register.settings
    i = register.frames["intelligence"].copy()
    i["month"] = i["date"].dt.strftime("%Y-%m").astype("string")
    i["value_base"] = to_base(i["estimated_value"], i["currency"], i["date"], s)
    i["deadline"] = report_deadline(i["date"], s.intel_report_day)
    return i


def intelligence_monthly(register: Register, start: dt.date | None = None, end: dt.date | None = None,
                         by: tuple[str, ...] = ("reporter", "region")) -> pd.DataFrame:
    """Monthly summary (001 二 报告的整理及帐目记录) per month and ``by`` columns, reports dated in
    [start, end]: reports, valuable, not_valuable, pending, estimated_value (base currency, all
    reports), valuable_value, reward_paid (rewards with a paid date), reward_pending (rewards
    decided, not paid), undecided (valuable without a reward amount). Blank regions show as ''."""
    i = intelligence_table(register)
    i = i[i["date"].notna()]
    if start is not None:
        i = i[i["date"] >= pd.Timestamp(start)]
    if end is not None:
        i = i[i["date"] <= pd.Timestamp(end)]
    keys = ["month", *by]
    cols = [*keys, "reports", "valuable", "not_valuable", "pending", "estimated_value", "valuable_value",
            "reward_paid", "reward_pending", "undecided"]
    if i.empty:
        return pd.DataFrame({c: pd.Series(dtype="string" if c in keys else "float64") for c in cols})
    for k in by:
        i[k] = i[k].astype("string").fillna("")
    ev = i["evaluation"].astype("string")
    reward = i["reward_amount"].fillna(0.0)
    paid = i["reward_paid_date"].notna()
    i = i.assign(reports=1, valuable=(ev == "valuable").fillna(False), not_valuable=(ev == "not_valuable").fillna(False),
                 pending=(ev == "pending").fillna(False), estimated_value=i["value_base"],
                 valuable_value=i["value_base"].where(ev == "valuable", 0.0),
                 reward_paid=reward.where(paid, 0.0), reward_pending=reward.where(~paid, 0.0),
                 undecided=(ev == "valuable").fillna(False) & i["reward_amount"].isna())
    agg = i.groupby(keys, sort=True)[cols[len(keys):]].sum(min_count=0)
    for c in ("reports", "valuable", "not_valuable", "pending", "undecided"):
        agg[c] = agg[c].astype("int64")
    return agg.reset_index()[cols]


def intelligence_findings(register: Register, as_of: dt.date | pd.Timestamp) -> list[Finding]:
    """F1101–F1106 on the intelligence sheet (module docstring)."""
    s = register.settings
    today = pd.Timestamp(as_of).normalize()
    i = register.frames["intelligence"]
    deadline = report_deadline(i["date"], s.intel_report_day)
    out: list[Finding] = []

    def add(mask, column, code, params):
        severity = s.severity_of(code, CATALOGUE[code].severity)
        if severity == "off":
            return
        for idx in np.flatnonzero(np.asarray(mask.fillna(False), dtype=bool)):
            r = i.iloc[idx]
            out.append(Finding("intelligence", int(r[ROW]), column, code, severity, params(r, deadline.iloc[idx]),
                               None, register.cell("intelligence", int(r[ROW]), column),
                               None if pd.isna(r["intel_id"]) else str(r["intel_id"])))

    day = lambda v: v.date() if not pd.isna(v) else "—"  # noqa: E731
    late = deadline < today
    add((i["evaluation"] == "pending") & late, "evaluation", PENDING_LATE,
        lambda r, d: {"intel_id": r["intel_id"], "date": day(r["date"]), "reporter": r["reporter"], "deadline": day(d)})
    add((i["evaluation"] == "valuable") & i["reward_amount"].isna() & late, "reward_amount", REWARD_UNDECIDED,
        lambda r, d: {"intel_id": r["intel_id"], "reporter": r["reporter"], "deadline": day(d)})
    from crm_xl.schema import ENUMS

    opts = {o.code: Text(o.zh, o.en) for o in ENUMS["intel_evaluation"].options}
    add((i["evaluation"] != "valuable") & (i["reward_amount"] > 0), "reward_amount", REWARD_NOT_VALUABLE,
        lambda r, d: {"intel_id": r["intel_id"], "evaluation": opts.get(r["evaluation"], r["evaluation"]),
                      "reward": float(r["reward_amount"])})
    add(i["reward_paid_date"] < i["date"], "reward_paid_date", REWARD_PAID_EARLY,
        lambda r, d: {"intel_id": r["intel_id"], "paid": day(r["reward_paid_date"]), "date": day(r["date"])})
    add(i["reward_paid_date"].notna() & i["reward_amount"].isna(), "reward_amount", PAID_WITHOUT_AMOUNT,
        lambda r, d: {"intel_id": r["intel_id"]})
    add(i["customer_id"].isna() & i["prospect_name"].isna(), "prospect_name", NO_SUBJECT,
        lambda r, d: {"intel_id": r["intel_id"]})
    return out


REASONS = {
    "intel_evaluation": Text("订单情报待评估", "Intelligence to evaluate"),
    "intel_reward": Text("情报奖励待确定", "Intelligence reward to decide"),
}


def _managers(register: Register) -> pd.Series:
    """Reporter name → the name of their team's manager (staff role manager)."""
    st = register.frames["staff"].dropna(subset=["name"])
    managers = st[(st["role"] == "manager").fillna(False)].dropna(subset=["team"]).drop_duplicates("team")
    team = st.drop_duplicates("name").set_index("name")["team"]
    return team.map(managers.set_index("team")["name"]).dropna()


def intelligence_followups(register: Register, as_of: dt.date | pd.Timestamp, lang: str = "zh-CN",
                           horizon_days: int = 0) -> pd.DataFrame:
    """Items for the evaluator (the reporter's team manager, else the reporter): ``intel_evaluation``
    (pending) and ``intel_reward`` (valuable, no reward amount), due on the deadline, listed when
    the deadline is ≤ as_of + horizon_days; priority 1 past the deadline, else 2."""
    today = pd.Timestamp(as_of).normalize()
    t = lambda zh, en: pick(zh, en, lang)  # noqa: E731
    i = register.frames["intelligence"]
    deadline = report_deadline(i["date"], register.settings.intel_report_day)
    owner = agenda.fill_owner(i["reporter"].map(_managers(register)).astype("string"), i["reporter"])
    near = (deadline <= today + pd.Timedelta(days=horizon_days)).fillna(False)
    subject = agenda.text(i["customer_id"]).where(i["customer_id"].notna(), agenda.text(i["prospect_name"]))
    why = (t("情报 ", "intelligence ") + agenda.text(i["intel_id"]) + " " + agenda.ymd(i["date"]) + " "
           + agenda.text(i["reporter"]) + t("：", ": ") + subject + " " + agenda.text(i["content"]).str.slice(0, 40))
    parts = []
    for kind, mask in (("intel_evaluation", (i["evaluation"] == "pending").fillna(False)),
                       ("intel_reward", ((i["evaluation"] == "valuable") & i["reward_amount"].isna()).fillna(False))):
        m = mask & near
        parts.append(agenda.items(kind, REASONS[kind], lang, np.where(deadline[m] < today, 1, 2), owner=owner[m],
                                  due=deadline[m], why=why[m] + t("（评估期限 ", " (due ") + agenda.ymd(deadline[m])
                                  + t("）", ")"), customer_id=i.loc[m, "customer_id"], subject=i.loc[m, "intel_id"]))
    return agenda.combine(parts)


def activity_plan_vs_actual(register: Register, period: str) -> pd.DataFrame:
    """Planned vs actual activities per sales unit for an assessment period (``2026-10``,
    ``2026-Q3``, ``2026``; 001 二 管理(一) 预定日程和实际业绩): one row per staff member with an
    activity target for exactly that period (level ``staff``) and one per team (level ``team``):
    level, name, team, planned, actual (activities owned in the period), achievement
    (actual ÷ planned; NaN without a plan)."""
    from crm_xl.kpi import parse_period

    p = parse_period(period)
    st = register.frames["staff"]
    def same(text) -> bool:
        try:
            return parse_period(text) == p
        except ValueError:  # validation reports the bad period; it plans nothing
            return False

    st = st[st["name"].notna() & st["period"].map(same, na_action="ignore").fillna(False).astype(bool)]
    plan = st.groupby("name").agg(team=("team", "first"), planned=("activity_target", lambda v: v.sum(min_count=1)))
    acts = register.frames["activities"]
    acts = acts[((acts["date"] >= p.start) & (acts["date"] <= p.end)).fillna(False)]
    plan["actual"] = acts.groupby("owner").size().reindex(plan.index).fillna(0).astype("int64")
    plan["achievement"] = plan["actual"] / plan["planned"].where(plan["planned"] > 0)
    people = plan.reset_index().assign(level="staff")
    teams = (people.dropna(subset=["team"]).groupby("team")
             .agg(planned=("planned", lambda v: v.sum(min_count=1)), actual=("actual", "sum")).reset_index())
    teams = teams.assign(level="team", name=teams["team"],
                         achievement=teams["actual"] / teams["planned"].where(teams["planned"] > 0))
    cols = ["level", "name", "team", "planned", "actual", "achievement"]
    return pd.concat([people[cols], teams[cols]], ignore_index=True)
