"""Demo data for the sheets both profiles share beyond the sales register: order intelligence
(001 二), cooperation projects with milestones and change requests (002 六, 001 四) and training
(000 六, 004 六).

:func:`operations_frames` builds them from the demo's customers, orders and staff so every
reference resolves. The data carries the everyday states the engine should surface — a pending
report past its deadline, a valuable report without a reward decision, a milestone late beyond
the alert line, a change awaiting approval, a project waiting for acceptance, a processing order
whose material failed IQC — but no data-entry mistakes (those are listed in ``DemoData.mistakes``).
The timing assumptions here describe how the demo company works; they are not policy.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd

OPERATION_COLUMNS: dict[str, tuple[str, ...]] = {
    "intelligence": ("intel_id", "date", "reporter", "source", "customer_id", "prospect_name", "region", "content",
                     "estimated_value", "currency", "evaluation", "reward_amount", "reward_paid_date"),
    "projects": ("project_id", "customer_id", "opportunity_id", "order_id", "title", "owner", "team", "start_date",
                 "planned_end_date", "actual_end_date", "status", "progress", "acceptance_date", "acceptance_result",
                 "customer_rating", "summary", "bom_ref", "material_arrival_date", "iqc_result", "production_start",
                 "production_end"),
    "milestones": ("milestone_id", "project_id", "name", "planned_date", "actual_date", "status", "owner"),
    "project_changes": ("change_id", "project_id", "date", "description", "impact_days", "impact_amount", "approved",
                        "approved_by"),
    "training_sessions": ("session_id", "date", "topic", "trainer", "hours"),
    "training_attendance": ("session_id", "staff_id", "attended", "score"),
}
_NUMERIC = {"estimated_value", "reward_amount", "progress", "customer_rating", "impact_days", "impact_amount", "hours",
            "score"}


@dataclass(frozen=True)
class Vocabulary:
    """Profile-specific words for the generated operations."""

    regions: tuple[str, ...]
    currency: tuple[str, ...]            # currencies of estimated values
    value_range: tuple[float, float]     # estimated value range in that currency
    sources: tuple[str, ...]
    contents: tuple[str, ...]
    prospects: tuple[str, ...]
    projects: tuple[tuple[str, bool], ...]   # (title pattern with {name}, processing order?)
    milestones: tuple[str, ...]
    processing_milestones: tuple[str, ...]
    changes: tuple[tuple[str, int, float], ...]  # description, impact days, impact amount
    topics: tuple[str, ...]


TRADE = Vocabulary(
    regions=("欧洲", "北美", "东南亚", "中东", "非洲", "南美"),
    currency=("USD", "EUR"), value_range=(20_000, 400_000),
    sources=("展会打听", "客户透露", "行业网站", "同行交流", "实地调查", "代理商"),
    contents=("客户计划明年更换全部仓库照明，预算已批", "竞争对手交期延误，客户考虑更换供应商", "当地政府招标道路照明改造项目",
              "客户新开三家门店，需要成套照明方案", "分销商准备引进太阳能路灯产品线", "客户的OEM品牌要推出新系列，寻找代工厂",
              "港口扩建项目需要大功率投光灯", "客户采购经理更换，新经理偏好长期合作"),
    prospects=("Nordlicht Handels GmbH", "Sunrise Electrical Pty Ltd", "Al Noor Trading LLC", "Brightway Distribution Inc.",
               "Lumina Projects S.L.", "Kigali Solar Works Ltd"),
    projects=(("{name} 道路照明改造项目", False), ("{name} OEM 灯具加工订单", True), ("{name} 仓储照明整体方案", False),
              ("{name} 太阳能路灯项目", False), ("{name} 定制面板灯加工订单", True)),
    milestones=("方案确认", "样品确认", "首批生产", "出运", "安装调试"),
    processing_milestones=("合同评审", "物料到货及IQC", "生产加工", "出货"),
    changes=(("客户追加 20% 数量", 10, 18_000.0), ("灯具色温由 4000K 改为 3000K", 5, 0.0), ("交货地点变更为新仓库", 3, 2_500.0),
             ("增加防水等级至 IP66", 8, 9_600.0)),
    topics=("CRM系统功能介绍", "客户信息录入与维护", "销售机会跟进技巧", "客户投诉处理流程", "外贸单证与收款风险", "数据分析与报表"),
)

AUTO = Vocabulary(
    regions=("姑苏区", "工业园区", "吴中区", "相城区", "昆山", "常熟"),
    currency=("CNY",), value_range=(150_000, 2_500_000),
    sources=("老客户介绍", "车展现场", "企业走访", "网络平台", "同行交流"),
    contents=("某科技公司计划采购 8 台商务用车", "老车主的公司要为销售团队换车", "驾校准备更新教练车",
              "物流公司有意签订车队保养合同", "新楼盘开业活动需要试驾车合作", "网约车公司询问新能源车团购价格"),
    prospects=("苏州恒远科技有限公司", "昆山顺达物流有限公司", "吴中安行驾校", "园区智联网络科技公司", "常熟新城置业"),
    projects=(("{name} 企业团购交车项目", False), ("{name} 车队保养合同", False), ("{name} 新能源试驾合作", False)),
    milestones=("合同签订", "车辆到店", "上牌交付", "交车回访"),
    processing_milestones=("合同签订", "车辆到店", "上牌交付", "交车回访"),
    changes=(("客户增加 2 台车", 10, 300_000.0), ("更换车身颜色", 7, 0.0), ("交车地点改为客户公司", 2, 800.0)),
    topics=("CRM系统功能介绍", "客户信息录入规范", "意向客户跟进技巧", "售后回访与保养提醒", "客户投诉处理流程", "信息安全与保密"),
)


def _d(x: np.datetime64 | dt.date | None) -> dt.date | None:
    if x is None:
        return None
    if isinstance(x, dt.date):
        return x
    return None if np.isnat(x) else x.astype("datetime64[D]").astype(object)


def records_frame(rows: list[dict], columns: Sequence[str], numeric: set[str]) -> pd.DataFrame:
    """Demo records → a frame in canonical column order: numeric columns float64 (NaN for none),
    the others object with None for a missing value."""
    data = {}
    for c in columns:
        values = [r.get(c) for r in rows]
        if c in numeric:
            data[c] = pd.Series([np.nan if v is None else float(v) for v in values], dtype="float64")
        else:
            data[c] = pd.Series([None if isinstance(v, float) and np.isnan(v) else v for v in values], dtype=object)
    return pd.DataFrame(data)


def _frame(sheet: str, rows: list[dict]) -> pd.DataFrame:
    return records_frame(rows, OPERATION_COLUMNS[sheet], _NUMERIC)


def _deadline(day: dt.date, report_day: int) -> dt.date:
    first = (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    return first.replace(day=min(report_day, 28))


def activity_targets(rng: np.random.Generator, staff: pd.DataFrame, activities: pd.DataFrame,
                     as_of: dt.date) -> np.ndarray:
    """Planned contacts per staff row (001 二 订单活动计划): a little above the person's monthly
    run rate over the last year (NaN for people who log no customer contacts)."""
    recent = activities[[d is not None and (as_of - d).days <= 365 for d in activities["date"]]]
    rate = recent.groupby("owner").size() / 12
    base = staff["name"].map(rate).to_numpy(dtype=float)
    return np.where(base > 0, np.maximum(np.round(base * rng.uniform(1.0, 1.3, len(staff))), 3), np.nan)


def operations_frames(rng: np.random.Generator, as_of: dt.date, customers: pd.DataFrame, orders: pd.DataFrame,
                      staff: Sequence[tuple[str, str, str, str, dt.date]], vocab: Vocabulary,
                      report_day: int = 5) -> dict[str, pd.DataFrame]:
    """Intelligence, projects, milestones, project_changes, training_sessions, training_attendance.

    ``staff`` rows are (staff_id, name, team, role code, hire_date); ``customers`` and ``orders``
    are the demo's frames (canonical keys, dates as ``datetime.date``). ``report_day`` is the
    day of the month by which the demo company evaluates last month's reports (the default
    Settings value, so the demo's timing matches a new workbook).
    """
    today = as_of
    sales = [s for s in staff if s[3] in ("sales", "manager")]
    managers = {s[2]: s[1] for s in staff if s[3] == "manager"}
    any_manager = next(iter(managers.values()), sales[0][1])
    cust = customers[customers["status"].isin(["active", "prospect", "dormant"])].reset_index(drop=True)
    frames: dict[str, pd.DataFrame] = {}

    # -- intelligence: ~6 reports a month over the last four months
    rows = []
    n_intel = 24
    days_back = np.sort(rng.integers(0, 120, n_intel))[::-1]
    for k, back in enumerate(days_back):
        day = today - dt.timedelta(days=int(back))
        eligible = [s for s in sales if s[4] is None or s[4] <= day] or sales
        reporter = eligible[int(rng.integers(0, len(eligible)))]
        deadline = _deadline(day, report_day)
        known = rng.random() < 0.5 and len(cust)
        c = cust.iloc[int(rng.integers(0, len(cust)))] if known else None
        value = round(float(rng.uniform(*vocab.value_range)), -3)
        if deadline < today:   # past its evaluation deadline: nearly all evaluated
            evaluation = str(rng.choice(["valuable", "not_valuable", "pending"], p=[0.55, 0.4, 0.05]))
        else:
            evaluation = str(rng.choice(["valuable", "not_valuable", "pending"], p=[0.2, 0.15, 0.65]))
        reward = paid = None
        if evaluation == "valuable":
            if deadline < today and rng.random() < 0.85:
                reward = float(round(min(value * 0.002, 5000), -1) or 100)
                paid_day = deadline + dt.timedelta(days=int(rng.integers(0, 20)))
                paid = paid_day if paid_day <= today and rng.random() < 0.8 else None
            elif deadline >= today and rng.random() < 0.5:
                reward = float(round(min(value * 0.002, 5000), -1) or 100)
        rows.append({"intel_id": f"I{k + 1:04d}", "date": day, "reporter": reporter[1],
                     "source": str(rng.choice(vocab.sources)), "customer_id": None if c is None else c["customer_id"],
                     "prospect_name": None if c is not None else str(rng.choice(vocab.prospects)),
                     "region": str(rng.choice(vocab.regions)), "content": str(rng.choice(vocab.contents)),
                     "estimated_value": value, "currency": str(rng.choice(vocab.currency)), "evaluation": evaluation,
                     "reward_amount": reward, "reward_paid_date": paid})
    # the states the monthly routine must catch: one late pending report, one valuable undecided
    past = [r for r in rows if _deadline(r["date"], report_day) < today]
    if len(past) >= 2:
        past[0].update(evaluation="pending", reward_amount=None, reward_paid_date=None)
        past[1].update(evaluation="valuable", reward_amount=None, reward_paid_date=None)
    frames["intelligence"] = _frame("intelligence", rows)

    # -- projects: one per big recent order (contract signed → project team)
    o = orders[orders["customer_id"].isin(set(cust["customer_id"]))].copy()
    o = o[[d is not None and (today - d).days <= 300 for d in o["order_date"]]]
    o = o.sort_values("amount", ascending=False).drop_duplicates("customer_id").head(len(vocab.projects))
    names = customers.set_index("customer_id")["company_name"]
    p_rows, m_rows, c_rows = [], [], []
    scenarios = ["accepted", "awaiting_acceptance", "late", "on_track", "iqc_fail"]
    for k, (_, order) in enumerate(o.iterrows()):
        title, processing = vocab.projects[k % len(vocab.projects)]
        scenario = scenarios[k % len(scenarios)]
        if scenario == "iqc_fail" and not processing:
            scenario = "on_track"
        pid = f"PJ{k + 1:03d}"
        owner = order["owner"]
        team_of = {s[1]: s[2] for s in staff}
        mates = [s[1] for s in staff if team_of.get(owner) == s[2] and s[1] != owner][:2]
        start = order["order_date"] + dt.timedelta(days=3)
        steps = vocab.processing_milestones if processing else vocab.milestones
        gap = int(rng.integers(18, 30))
        planned = [start + dt.timedelta(days=gap * (j + 1)) for j in range(len(steps))]
        if scenario in ("on_track", "iqc_fail", "late"):   # the plan runs across today
            shift = (today - planned[len(steps) // 2]).days + int(rng.integers(-5, 5))
            start += dt.timedelta(days=shift)
            planned = [d + dt.timedelta(days=shift) for d in planned]
        if scenario in ("accepted", "awaiting_acceptance"):  # finished before today
            shift = min(0, (today - planned[-1]).days - (25 if scenario == "accepted" else 15))
            start += dt.timedelta(days=shift)
            planned = [d + dt.timedelta(days=shift) for d in planned]
        actual: list[dt.date | None] = []
        for j, d in enumerate(planned):
            slip = int(rng.integers(-2, 5))
            if scenario == "late" and j == len(steps) // 2 - 1:
                slip = 12   # beyond the alert line
            done = d + dt.timedelta(days=slip)
            actual.append(done if done <= today and not (scenario in ("on_track", "late", "iqc_fail") and d >= today)
                          else None)
        if scenario == "late":   # the current milestone has not been reached and is overdue
            j = next((j for j, d in enumerate(planned) if d < today and actual[j] is None), None)
            if j is None:
                j = max(0, next(j for j, d in enumerate(planned) if d >= today) - 1)
                planned[j] = today - dt.timedelta(days=10)
                actual[j] = None
        for j, (name, d, a) in enumerate(zip(steps, planned, actual)):
            status = "done" if a else ("in_progress" if (j == 0 or actual[j - 1]) and d >= today - dt.timedelta(days=30)
                                        else "planned")
            m_rows.append({"milestone_id": f"{pid}-M{j + 1}", "project_id": pid, "name": name, "planned_date": d,
                           "actual_date": a, "status": status, "owner": mates[j % len(mates)] if mates and j % 2 else owner})
        finished = all(actual)
        row = {"project_id": pid, "customer_id": order["customer_id"], "opportunity_id": order.get("opportunity_id"),
               "order_id": order["order_id"], "title": title.format(name=names.get(order["customer_id"], "")),
               "owner": owner, "team": "、".join([owner, *mates]), "start_date": start, "planned_end_date": planned[-1],
               "actual_end_date": actual[-1] if finished else None, "status": "executing",
               "progress": round(sum(a is not None for a in actual) / len(actual), 2)}
        if scenario == "accepted" and finished:
            acc = actual[-1] + dt.timedelta(days=int(rng.integers(2, 6)))
            row.update(status="accepted", acceptance_date=acc, acceptance_result=str(rng.choice(["passed", "conditional"],
                                                                                                  p=[0.8, 0.2])),
                       customer_rating=float(rng.integers(4, 6)), summary="按期交付，客户对质量满意；下次提前锁定物料")
        if processing:
            arrival = start + dt.timedelta(days=gap // 2 + 3)
            row.update(bom_ref=f"BOM-{pid}", material_arrival_date=arrival if arrival <= today else None,
                       iqc_result=("fail" if scenario == "iqc_fail" else "pass") if arrival <= today else None)
            if scenario != "iqc_fail" and arrival <= today:
                prod_start = arrival + dt.timedelta(days=2)
                row.update(production_start=prod_start if prod_start <= today else None)
                prod_end = planned[-2] if len(planned) > 1 else None
                row.update(production_end=prod_end if prod_end and prod_end <= today and prod_start <= today else None)
        p_rows.append(row)
        if scenario in ("late", "on_track", "accepted"):
            desc, days, amount = vocab.changes[k % len(vocab.changes)]
            when = start + dt.timedelta(days=gap // 2)
            approved = scenario != "on_track"
            c_rows.append({"change_id": f"CR{len(c_rows) + 1:03d}", "project_id": pid, "date": min(when, today),
                           "description": desc, "impact_days": days, "impact_amount": amount,
                           "approved": "yes" if approved else None,
                           "approved_by": managers.get(team_of.get(owner), any_manager) if approved else None})
    frames["projects"] = _frame("projects", p_rows)
    frames["milestones"] = _frame("milestones", m_rows)
    frames["project_changes"] = _frame("project_changes", c_rows)

    # -- training: sessions every two months; everyone on staff at the time is invited
    s_rows, a_rows = [], []
    for k, topic in enumerate(vocab.topics):
        day = today - dt.timedelta(days=int(60 * (len(vocab.topics) - k) - 20 + rng.integers(-5, 5)))
        while day.weekday() >= 5:
            day -= dt.timedelta(days=1)
        sid = f"TR{k + 1:02d}"
        s_rows.append({"session_id": sid, "date": day, "topic": topic, "trainer": any_manager if k % 2 else "外部讲师",
                       "hours": float(rng.choice([2, 3, 4]))})
        for s in staff:
            if s[4] is not None and s[4] > day:
                continue
            attended = rng.random() < 0.85
            a_rows.append({"session_id": sid, "staff_id": s[0], "attended": "yes" if attended else "no",
                           "score": float(rng.integers(70, 100)) if attended else None})
    frames["training_sessions"] = _frame("training_sessions", s_rows)
    frames["training_attendance"] = _frame("training_attendance", a_rows)
    return frames
