"""Typed Settings: every policy number, with the defaults of SPEC "Settings and their defaults".

The workbook's Settings sheets (参数设置 key/value rows, 阶段概率, 汇率, 节假日) override the
defaults; what is missing keeps its default, and a value of the wrong type is a finding (S001),
never a crash. Code never hard-codes a policy number: it reads it from here.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from crm_xl.findings import Finding
from crm_xl.i18n import Text, fold
from crm_xl.messages import SETTING_INVALID, SETTING_UNKNOWN
from crm_xl.schema.enums import STAGE_ORDER


def _f(default: Any, zh: str, en: str, clause: str = "") -> Any:
    return Field(default, description=en, json_schema_extra={"zh": zh, "clause": clause})


class StageRule(BaseModel):
    model_config = ConfigDict(frozen=True)
    probability: float = Field(ge=0, le=1)
    min_probability: float = Field(ge=0, le=1)
    max_probability: float = Field(ge=0, le=1)
    stale_days: int | None = Field(default=None, ge=0)


class FxRate(BaseModel):
    model_config = ConfigDict(frozen=True)
    currency: str
    rate: float = Field(gt=0, allow_inf_nan=False)
    valid_from: dt.date | None = None


# Default stage table (SPEC: 000 §3.2 probabilities; bands are the ranges an override may take
# without a warning; stale days blank = stale_days_early / stale_days_late).
DEFAULT_STAGES: dict[str, StageRule] = {
    "lead": StageRule(probability=0.10, min_probability=0.0, max_probability=0.20),
    "interested": StageRule(probability=0.20, min_probability=0.10, max_probability=0.40),
    "qualified": StageRule(probability=0.40, min_probability=0.25, max_probability=0.60),
    "negotiation": StageRule(probability=0.70, min_probability=0.50, max_probability=0.90),
    "contract": StageRule(probability=1.0, min_probability=0.90, max_probability=1.0),
    "execution": StageRule(probability=1.0, min_probability=0.90, max_probability=1.0),
}

# Reference rates pre-filled in a new workbook's FX sheet (units of CNY per unit); the manager
# updates them. Only used when a workbook has no FX sheet at all.
DEFAULT_FX: tuple[FxRate, ...] = (
    FxRate(currency="CNY", rate=1.0),
    FxRate(currency="USD", rate=7.10),
    FxRate(currency="EUR", rate=7.75),
    FxRate(currency="GBP", rate=9.05),
    FxRate(currency="JPY", rate=0.047),
    FxRate(currency="HKD", rate=0.91),
    FxRate(currency="AUD", rate=4.65),
)


class Settings(BaseModel):
    """All policy parameters. Field descriptions are the notes shown in the Settings sheet."""

    model_config = ConfigDict(validate_assignment=True, extra="forbid")

    # -- general
    profile: Literal["trade", "auto"] = _f("trade", "业务类型：trade 外贸 / auto 汽车经销", "Profile: trade or auto")
    language: Literal["zh-CN", "zh-TW", "en"] = _f("zh-CN", "工作簿语言", "Workbook language")
    base_currency: str = _f("CNY", "本位币；外币按汇率表折算", "Base currency; others convert via the FX table", "外贸惯例")
    home_country: str = _f("CN", "本公司所在国家（ISO 代码）：同国客户为国内客户，其余为国际客户", "Our country (ISO code): customers there are domestic, the others international", "002 二 F2.6")
    date_day_first: bool = _f(True, "05/03/2026 这类日期按 日/月/年 理解", "Read 05/03/2026 as day/month/year")
    # -- classification (F2)
    scale_large_min: float = _f(5_000_000, "大型客户：近 12 个月采购额（本位币）不低于此值", "Large: trailing-12-month purchases ≥ this (base)", "002 二.1")
    scale_medium_min: float = _f(1_000_000, "中型客户：不低于此值；低于为小型", "Medium: ≥ this; below is small", "002 二.1")
    abc_a_share: float = _f(0.80, "A 类：累计销售额占比不超过此值", "A: cumulative share of sales up to this", "001 ABC 分类")
    abc_b_share: float = _f(0.95, "B 类：累计占比不超过此值；其余为 C 类", "B: cumulative share up to this; rest C", "001 ABC 分类")
    coop_long_years: float = _f(5, "长期合作：合作年限超过此值（年）", "Long-term: more than this many years", "002 二.3")
    coop_mid_years: float = _f(2, "中期合作：合作年限不少于此值（年）", "Mid-term: at least this many years", "002 二.3")
    level1_abc: str = _f("A", "一级客户的 ABC 类别", "ABC classes of level-1 customers", "002 二 分级")
    level1_min_active_quarters: int = _f(3, "一级客户：近四个季度中有订单的季度数不少于此值", "Level 1: quarters with orders (of last 4) ≥ this", "002 二 分级")
    level1_min_years: float = _f(2, "一级客户：合作年限不少于此值", "Level 1: cooperation years ≥ this", "002 二 分级")
    level2_abc: str = _f("A,B", "二级客户的 ABC 类别（逗号分隔）", "ABC classes of level-2 customers", "002 二 分级")
    level2_min_active_quarters: int = _f(2, "二级客户：有订单的季度数不少于此值", "Level 2: quarters with orders ≥ this", "002 二 分级")
    level2_min_years: float = _f(0, "二级客户：合作年限不少于此值", "Level 2: cooperation years ≥ this", "002 二 分级")
    risk_overdue_high_days: int = _f(60, "高风险：应收款逾期超过此天数（或信用等级 C/D）", "High risk: receivable overdue more than this many days", "002 七")
    risk_new_coop_years: float = _f(1, "中风险：OA/DA 付款且合作不足此年限", "Medium risk: OA/DA terms with less cooperation than this", "002 七")
    churn_days: int = _f(365, "流失：超过此天数无订单的老客户", "Churned: no order for more than this many days", "003 五 客户维护")
    # -- customer information (F1)
    entry_deadline_workdays: int = _f(2, "首次接触后须在此工作日内录入", "Enter a customer within this many working days of first contact", "000 二(二)1, 003")
    info_review_days: int = _f(90, "客户信息至少每此天数全面核实一次", "Review a customer's information at least every this many days", "004 信息更新(每季度)")
    important_needs_review: bool = _f(True, "重要客户须有核对人和核对日期", "Important customers need reviewer and review date", "000 二(二)2, 003")
    amount_tolerance: float = _f(0.01, "金额与 数量×单价 的允许相对误差", "Allowed relative difference of amount vs quantity × unit price", "001 三 订单")
    # -- sales process (F3)
    stale_days_early: int = _f(30, "潜在/意向阶段超过此天数无跟进即为停滞", "Lead/interested: stale after this many days without activity", "003 三.3")
    stale_days_late: int = _f(14, "需求明确/商务谈判阶段超过此天数无跟进即为停滞", "Qualified/negotiation: stale after this many days", "003 三.3")
    # -- care and follow-ups (F6)
    revisit_days_large: int = _f(30, "大型客户回访周期（天）：每月", "Revisit cycle for large customers (days)", "002 四.1")
    revisit_days_medium: int = _f(90, "中型客户回访周期（天）：每季度", "Revisit cycle for medium customers (days)", "002 四.1")
    revisit_days_small: int = _f(180, "小型客户回访周期（天）：每半年", "Revisit cycle for small customers (days)", "002 四.1")
    birthday_window_days: int = _f(7, "提前此天数提醒客户生日", "Remind of birthdays this many days ahead", "000 四(三)")
    holiday_window_days: int = _f(14, "提前此天数提醒节日问候", "Remind of holidays this many days ahead", "000 四(三), 004 三.3")
    satisfaction_call_days: int = _f(3, "投诉关闭后此工作日内回访满意度", "Satisfaction call within this many working days of closing", "000 四(二)")
    followup_horizon_days: int = _f(7, "跟进计划列出今后此天数内到期的回访与跟进", "The follow-up plan lists revisits and follow-ups due within this many days", "003 三.3 跟进计划")
    # -- service (F5)
    workday_start: dt.time = _f(dt.time(9, 0), "工作时间开始（计算响应时限）", "Working day starts (for SLAs)", "000 四")
    workday_end: dt.time = _f(dt.time(18, 0), "工作时间结束", "Working day ends", "000 四")
    inquiry_response_hours: float = _f(24, "咨询/反馈须在此工作小时内回复", "Answer inquiries/feedback within this many working hours", "000 四(一)")
    complaint_contact_workdays: int = _f(1, "接到投诉后此工作日内与客户联系", "Contact a complaining customer within this many working days", "002 四.3")
    resolution_days_high: int = _f(3, "紧急投诉解决时限（工作日）", "Resolve high-urgency complaints within (working days)", "000 四(二), 004 四.2")
    resolution_days_medium: int = _f(7, "一般投诉解决时限（工作日）", "Resolve medium-urgency complaints within (working days)", "000 四(二), 004 四.2")
    resolution_days_low: int = _f(15, "较低紧急程度投诉解决时限（工作日）", "Resolve low-urgency complaints within (working days)", "000 四(二), 004 四.2")
    escalate_dept_workdays: int = _f(1, "超时达此工作日数升级至责任部门负责人", "Escalate to the responsible department's head when this many working days late", "004 四(三)1")
    escalate_manager_workdays: int = _f(3, "超时达此工作日数升级至经理", "Escalate to the manager when this many working days late", "004 四(三)1")
    reopen_satisfaction_below: float = _f(3, "关闭后满意度低于此分须重新处理", "Reopen when satisfaction after closing is below this", "000 四(二)")
    # -- KPI (F7)
    kpi_weight_sales: float = _f(0.50, "销售业绩权重", "Weight: sales performance", "003 五.3")
    kpi_weight_customers: float = _f(0.25, "客户开发与维护权重", "Weight: customer development & maintenance", "003 五.3")
    kpi_weight_process: float = _f(0.15, "销售过程管理权重", "Weight: process management", "003 五.3")
    kpi_weight_teamwork: float = _f(0.10, "团队协作权重", "Weight: teamwork", "003 五.3")
    kpi_excellent_min: float = _f(90, "优秀：总分不低于此值", "Excellent: score ≥ this", "000 六(二)")
    kpi_good_min: float = _f(75, "良好：总分不低于此值", "Good: score ≥ this", "000 六(二)")
    kpi_pass_min: float = _f(60, "合格：总分不低于此值；低于为不合格", "Pass: score ≥ this; below fails", "000 六(二)")
    kpi_target_growth: float = _f(0.10, "销售增长率目标（环比、同比）", "Target sales growth (vs previous period and last year)", "003 五(二)1")
    kpi_target_gross_margin: float = _f(0.20, "销售毛利率目标", "Target gross margin", "003 五(二)1")
    kpi_target_expense_ratio: float = _f(0.05, "销售费用率目标（越低越好）", "Target expense ratio (lower is better)", "003 五(二)1")
    kpi_target_conversion: float = _f(0.30, "客户转化率目标（赢单÷已关闭机会）", "Target conversion rate (won ÷ closed)", "003 五(三)2")
    kpi_target_followup_rate: float = _f(0.90, "销售机会跟进及时率目标", "Target follow-up timeliness", "000 六(二)1, 003 五(三)2")
    kpi_target_complaint_ontime: float = _f(0.95, "投诉处理及时率目标", "Target complaint on-time rate", "002 五.3")
    kpi_target_satisfaction: float = _f(4.5, "满意度目标（1–5 分）", "Target satisfaction (1–5)", "000 六(二)1")
    kpi_target_training: float = _f(1.0, "培训完成率目标（参加场次÷应参加场次）", "Target training completion (sessions attended ÷ held)", "000 六, 004 六")
    kpi_target_data_accuracy: float = _f(0.98, "客户信息准确性目标（无错误行占比）", "Target data accuracy (share of rows without errors)", "000 六(二)1")
    # -- training (F13) and projects (F12), auto profile (F10)
    new_staff_training_days: int = _f(30, "新员工须在入职此天数内完成培训", "New staff trained within this many days", "000 六, 004 六")
    milestone_deviation_days: int = _f(7, "里程碑偏差超过此天数报警", "Alert when a milestone deviates more than this many days", "002 六.3")
    maintenance_interval_months: int = _f(6, "保养提醒：距上次保养月数", "Maintenance every this many months", "004 三")
    maintenance_interval_km: float = _f(5000, "保养提醒：距上次保养里程（公里）", "Maintenance every this many km", "004 三")
    maintenance_remind_days: int = _f(14, "保养到期前此天数提醒", "Remind of maintenance this many days ahead", "004 三")
    service_call_days: int = _f(3, "维修保养后此天数内回访满意度", "Satisfaction call within this many days of a service visit", "004 三")
    intent_followup_days_h: int = _f(2, "H级意向客户跟进间隔（天）", "Follow up H-intent prospects every this many days", "004 二")
    intent_followup_days_a: int = _f(4, "A级意向客户跟进间隔（天）", "Follow up A-intent prospects every this many days", "004 二")
    intent_followup_days_b: int = _f(7, "B级意向客户跟进间隔（天）", "Follow up B-intent prospects every this many days", "004 二")
    intent_followup_days_c: int = _f(14, "C级意向客户跟进间隔（天）", "Follow up C-intent prospects every this many days", "004 二")
    intel_report_day: int = _f(5, "每月此日前汇总上月订单情报", "Summarise last month's intelligence by this day of the month", "001 二")
    retention_months: int = _f(12, "保有客户回厂率：购车满此月数的客户中，近此月数内回厂维修保养的比例", "Retention: share of customers with a vehicle bought at least this many months ago who came back for service within the last this many months", "004 三(三)3")
    event_conversion_days: int = _f(30, "活动转化：活动后此天数内购车计为活动成交", "Event conversion: a vehicle bought within this many days after an event counts as converted", "004 二(一)3")
    # -- trade documents (quotation, proforma invoice, commercial invoice, packing list)
    company_name_zh: str = _f("", "单据抬头：公司中文名称", "Document header: company name in Chinese", "外贸单据")
    company_name_en: str = _f("", "单据抬头：公司英文名称", "Document header: company name in English", "外贸单据")
    company_address: str = _f("", "单据抬头：公司地址（英文）", "Document header: company address (English)", "外贸单据")
    company_contact: str = _f("", "单据抬头：电话、邮箱、网址", "Document header: phone, e-mail, website", "外贸单据")
    bank_beneficiary: str = _f("", "收款人（Beneficiary），留空用公司英文名称", "Bank: beneficiary (blank = company English name)", "外贸单据")
    bank_name: str = _f("", "开户银行（Beneficiary's bank）", "Bank: beneficiary's bank", "外贸单据")
    bank_address: str = _f("", "开户银行地址", "Bank: bank address", "外贸单据")
    bank_swift: str = _f("", "银行 SWIFT 代码", "Bank: SWIFT code", "外贸单据")
    bank_account: str = _f("", "收款账号", "Bank: account number", "外贸单据")
    quotation_validity_days: int = _f(30, "报价单有效期（天）", "Quotation valid for this many days", "外贸单据")
    pi_validity_days: int = _f(15, "形式发票有效期（天）", "Proforma invoice valid for this many days", "外贸单据")
    doc_payment_terms: str = _f("30% T/T in advance, 70% T/T against copy of B/L",
                                "单据上的 T/T 付款条款（客户付款方式为 TT 或未填时打印；LC、DP、OA 等只印付款方式）",
                                "T/T payment terms printed on documents (customers paying TT or blank; L/C, D/P, O/A … print the method alone)", "外贸单据")
    doc_document_terms: str = _f("Commercial invoice, packing list, full set of B/L, certificate of origin",
                                 "单据条款：随货单证", "Documents provided with the goods", "外贸单据")
    doc_remarks: str = _f("Quantity and amount may vary within ±5%. Bank charges outside China for the buyer's account.",
                          "单据备注", "Remarks printed on documents", "外贸单据")
    number_quotation: str = _f("QT-{yyyy}{seq:04d}", "报价单编号格式：{yyyy}年 {mm}月 {seq:04d}当年序号",
                               "Quotation number pattern ({yyyy}, {mm}, {seq:04d} = sequence in the year)", "外贸单据")
    number_pi: str = _f("PI-{yyyy}{seq:04d}", "形式发票编号格式", "Proforma invoice number pattern", "外贸单据")
    number_invoice: str = _f("CI-{yyyy}{seq:04d}", "商业发票编号格式（订单已填发票号时用发票号）",
                             "Commercial invoice number pattern (the order's invoice no. when filled)", "外贸单据")
    number_packing_list: str = _f("PL-{yyyy}{seq:04d}", "装箱单编号格式", "Packing list number pattern", "外贸单据")
    # -- tables (their own sheets)
    stages: dict[str, StageRule] = Field(default_factory=lambda: dict(DEFAULT_STAGES))
    fx_rates: tuple[FxRate, ...] = Field(default=DEFAULT_FX)
    extra_holidays: tuple[dt.date, ...] = ()
    extra_workdays: tuple[dt.date, ...] = ()
    severity: dict[str, Literal["error", "warning", "info", "off"]] = Field(default_factory=dict)

    @field_validator("base_currency")
    @classmethod
    def _upper(cls, v: str) -> str:
        return v.strip().upper()

    @field_validator("*")
    @classmethod
    def _in_range(cls, v: Any, info) -> Any:
        """Every number within its range (:data:`RANGES`); NaN and infinities never."""
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            return v
        if not math.isfinite(v):
            raise ValueError("not a finite number")
        limits = RANGES.get(info.field_name)
        if limits is not None:
            low, high, open_low = limits
            if (low is not None and (v <= low if open_low else v < low)) or (high is not None and v > high):
                raise ValueError(f"outside {range_text(info.field_name)}")
        return v

    @field_validator("number_quotation", "number_pi", "number_invoice", "number_packing_list")
    @classmethod
    def _number_pattern(cls, v: str) -> str:
        """A document-number pattern must format with {yyyy}, {yy}, {mm} and {seq} and use {seq}."""
        if "{seq" not in v:
            raise ValueError("the pattern needs {seq}, e.g. PI-{yyyy}{seq:04d}")
        try:
            v.format(yyyy="2026", yy="26", mm="01", seq=1)
        except (KeyError, ValueError, IndexError) as exc:
            raise ValueError(f"cannot format the pattern: {exc}") from None
        return v.strip()

    def number_pattern(self, kind: str) -> str:
        """The Settings pattern that numbers documents of ``kind`` (quotation, pi, invoice, packing_list)."""
        return getattr(self, f"number_{kind}")

    # ---- convenience accessors used by the core
    def stage_probability(self, stage: str) -> float | None:
        rule = self.stages.get(stage)
        return rule.probability if rule else None

    def stale_days(self, stage: str) -> int | None:
        rule = self.stages.get(stage)
        if rule and rule.stale_days is not None:
            return rule.stale_days
        if stage in ("lead", "interested"):
            return self.stale_days_early
        if stage in ("qualified", "negotiation"):
            return self.stale_days_late
        return None

    def revisit_days(self, scale: str) -> int:
        return {"large": self.revisit_days_large, "medium": self.revisit_days_medium}.get(scale, self.revisit_days_small)

    def resolution_days(self, urgency: str) -> int:
        return {"high": self.resolution_days_high, "low": self.resolution_days_low}.get(urgency, self.resolution_days_medium)

    @property
    def kpi_weights(self) -> dict[str, float]:
        return {"sales": self.kpi_weight_sales, "customers": self.kpi_weight_customers,
                "process": self.kpi_weight_process, "teamwork": self.kpi_weight_teamwork}

    def severity_of(self, code: str, default: str) -> str:
        return self.severity.get(code, default)


# The range of every numeric setting: (lowest, highest, lowest excluded). A value outside is S001
# and the default is kept (a negative weight or a share of 5 would give scores like −4.11).
_DAYS = (1, 3650, False)  # cycles and deadlines in days: a day to ten years
_WINDOW = (0, 366, False)
_SHARE = (0, 1, True)  # shares and rates in (0, 1]
RANGES: dict[str, tuple[float | None, float | None, bool]] = {
    "scale_large_min": (0, 1e15, False), "scale_medium_min": (0, 1e15, False),
    "abc_a_share": _SHARE, "abc_b_share": _SHARE,
    "coop_long_years": (0, 100, False), "coop_mid_years": (0, 100, False),
    "level1_min_active_quarters": (0, 4, False), "level2_min_active_quarters": (0, 4, False),
    "level1_min_years": (0, 100, False), "level2_min_years": (0, 100, False),
    "risk_overdue_high_days": (0, 3650, False), "risk_new_coop_years": (0, 100, False), "churn_days": _DAYS,
    "entry_deadline_workdays": (0, 365, False), "info_review_days": _DAYS, "amount_tolerance": (0, 1, False),
    "stale_days_early": _DAYS, "stale_days_late": _DAYS,
    "revisit_days_large": _DAYS, "revisit_days_medium": _DAYS, "revisit_days_small": _DAYS,
    "birthday_window_days": _WINDOW, "holiday_window_days": _WINDOW, "satisfaction_call_days": (0, 365, False),
    "followup_horizon_days": _WINDOW,
    "inquiry_response_hours": (0, 8760, True), "complaint_contact_workdays": (0, 365, False),
    "resolution_days_high": (1, 365, False), "resolution_days_medium": (1, 365, False),
    "resolution_days_low": (1, 365, False), "escalate_dept_workdays": (0, 365, False),
    "escalate_manager_workdays": (0, 365, False), "reopen_satisfaction_below": (0, 5, False),
    "kpi_weight_sales": (0, 100, False), "kpi_weight_customers": (0, 100, False),
    "kpi_weight_process": (0, 100, False), "kpi_weight_teamwork": (0, 100, False),
    "kpi_excellent_min": (0, 100, False), "kpi_good_min": (0, 100, False), "kpi_pass_min": (0, 100, False),
    "kpi_target_growth": (-1, 100, False), "kpi_target_gross_margin": (-1, 1, False),
    "kpi_target_expense_ratio": _SHARE, "kpi_target_conversion": _SHARE, "kpi_target_followup_rate": _SHARE,
    "kpi_target_complaint_ontime": _SHARE, "kpi_target_satisfaction": (0, 5, True),
    "kpi_target_training": _SHARE, "kpi_target_data_accuracy": _SHARE,
    "new_staff_training_days": _DAYS, "milestone_deviation_days": (0, 3650, False),
    "maintenance_interval_months": (1, 120, False), "maintenance_interval_km": (0, 1e6, True),
    "maintenance_remind_days": _WINDOW, "service_call_days": (0, 365, False),
    "intent_followup_days_h": (1, 365, False), "intent_followup_days_a": (1, 365, False),
    "intent_followup_days_b": (1, 365, False), "intent_followup_days_c": (1, 365, False),
    "intel_report_day": (1, 28, False), "retention_months": (1, 240, False), "event_conversion_days": _DAYS,
}

# Settings that must agree with each other: (keys, test on the merged values, zh, en). When one
# fails, the keys the workbook set among them fall back to their defaults (S001).
RELATIONS: tuple[tuple[tuple[str, ...], Any, str, str], ...] = (
    (("kpi_weight_sales", "kpi_weight_customers", "kpi_weight_process", "kpi_weight_teamwork"),
     lambda v: sum(v) > 0, "KPI 权重之和须大于 0", "the KPI weights must have a positive sum"),
    (("abc_a_share", "abc_b_share"), lambda v: v[0] <= v[1], "A 类占比不能大于 B 类", "the A share cannot exceed the B share"),
    (("scale_medium_min", "scale_large_min"), lambda v: v[0] <= v[1], "中型下限不能高于大型下限",
     "the medium threshold cannot exceed the large one"),
    (("coop_mid_years", "coop_long_years"), lambda v: v[0] <= v[1], "中期年限不能长于长期", "mid-term cannot exceed long-term"),
    (("kpi_pass_min", "kpi_good_min", "kpi_excellent_min"), lambda v: v[0] <= v[1] <= v[2],
     "等级分数线须 合格 ≤ 良好 ≤ 优秀", "grade cut-offs must be pass ≤ good ≤ excellent"),
)


def range_text(key: str, lang: str = "en") -> str:
    low, high, open_low = RANGES[key]
    if lang == "en":
        return f"{'(' if open_low else '['}{low:g}, {high:g}]"
    return f"{'大于' if open_low else '不小于'} {low:g} 且不大于 {high:g}"


SCALAR_KEYS: tuple[str, ...] = tuple(
    k for k in Settings.model_fields if k not in ("stages", "fx_rates", "extra_holidays", "extra_workdays", "severity")
)


def setting_note(key: str, lang: str) -> str:
    from crm_xl.i18n import pick

    f = Settings.model_fields[key]
    extra = f.json_schema_extra or {}
    clause = extra.get("clause", "")
    text = pick(extra.get("zh", ""), f.description or "", lang)
    return f"{text}（{clause}）" if clause and lang != "en" else (f"{text} ({clause})" if clause else text)


def format_value(value: Any) -> Any:
    """A setting's value as written into the Settings sheet."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    return value


_TRUE = {"true", "yes", "y", "1", "是", "对", "√", "✓", "on"}
_FALSE = {"false", "no", "n", "0", "否", "不", "×", "off"}


def _coerce(key: str, raw: Any) -> Any:
    annotation = Settings.model_fields[key].annotation
    if annotation is dt.time and isinstance(raw, str) and len(raw.strip()) > 8:
        from crm_xl.parsing import parse_datetime_text

        parsed = parse_datetime_text(raw.strip())
        if parsed is not None:
            return parsed.time()
    if isinstance(raw, str):
        text = raw.strip()
        if annotation is bool:
            low = fold(text)
            if low in _TRUE:
                return True
            if low in _FALSE:
                return False
            return text
        if annotation in (float, int) and text.endswith("%"):
            try:
                return float(text[:-1].replace(",", "")) / 100
            except ValueError:
                return text
        if annotation in (float, int):
            return text.replace(",", "")
        return text
    if annotation is dt.time and isinstance(raw, float) and 0 <= raw < 1:  # Excel time fraction
        minutes = round(raw * 24 * 60)
        return dt.time(minutes // 60, minutes % 60)
    if annotation is int and isinstance(raw, float) and raw.is_integer():
        return int(raw)
    if annotation is str and isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return str(int(raw)) if float(raw).is_integer() else str(raw)  # an account number typed as a number
    return raw


@dataclass
class SettingsRows:
    """The Settings sheets as read: key/value rows and the tables (already typed by the reader)."""

    values: list[tuple[int, str, Any]]  # (excel row, key, raw value)
    stages: list[tuple[int, dict[str, Any]]] | None = None
    fx_rates: list[tuple[int, dict[str, Any]]] | None = None
    holidays: list[tuple[int, dict[str, Any]]] | None = None


def _blank(raw: Any) -> bool:
    """An empty cell: None, blank text, NaN or pandas' NA (a blank value read back from a database)."""
    if raw is None:
        return True
    if isinstance(raw, str):
        return not raw.strip()
    try:
        return bool(raw != raw)  # NaN
    except TypeError:  # pd.NA: its truth value is ambiguous
        return True


def load_settings(rows: SettingsRows) -> tuple[Settings, list[Finding]]:
    """Build Settings from the sheets; wrong values become findings and keep their default."""
    findings: list[Finding] = []
    data: dict[str, Any] = {}
    severity: dict[str, str] = {}
    known = {fold(k): k for k in SCALAR_KEYS}
    rows_of: dict[str, tuple[int, Any]] = {}
    for row, key, raw in rows.values:
        if _blank(raw):
            continue
        folded = fold(key)
        if folded.startswith("severity"):
            code = key.split(".", 1)[-1].strip().upper() if "." in key else ""
            level = fold(str(raw))
            if code and level in ("error", "warning", "info", "off"):
                severity[code] = level
            else:
                findings.append(_invalid(row, key, raw, "error|warning|info|off", "—"))
            continue
        if folded not in known:
            findings.append(Finding("settings", row, "key", SETTING_UNKNOWN, "warning", {"key": key}, key))
            continue
        name = known[folded]
        try:
            Settings.model_validate({name: _coerce(name, raw)})
        except ValidationError:
            findings.append(_invalid(row, name, raw, _expected(name), format_value(Settings.model_fields[name].default)))
            continue
        data[name] = _coerce(name, raw)
        rows_of[name] = (row, raw)
    for keys, holds, zh, en in RELATIONS:
        merged = [Settings.model_validate({k: data[k]}).__getattribute__(k) if k in data
                  else Settings.model_fields[k].default for k in keys]
        if not holds(merged):
            for k in keys:
                if k in data:
                    row, raw = rows_of[k]
                    findings.append(_invalid(row, k, raw, Text(zh, en), format_value(Settings.model_fields[k].default)))
                    del data[k]
    if severity:
        data["severity"] = severity
    if rows.stages:
        stages = dict(DEFAULT_STAGES)
        for row, rec in rows.stages:
            stage = rec.get("stage")
            if stage not in STAGE_ORDER:
                continue
            base = stages[stage].model_dump()
            base.update({k: v for k, v in rec.items() if k != "stage" and v is not None})
            try:
                stages[stage] = StageRule.model_validate(base)
            except ValidationError as exc:
                findings.append(_invalid(row, f"stages.{stage}", rec.get("probability"), _range_text(exc),
                                         DEFAULT_STAGES[stage].probability, sheet="stages", column="probability"))
        data["stages"] = stages
    if rows.fx_rates is not None:
        rates = []
        for row, rec in rows.fx_rates:
            if not rec.get("currency"):
                continue
            try:
                rates.append(FxRate.model_validate({k: rec.get(k) for k in ("currency", "rate", "valid_from")}))
            except ValidationError as exc:
                findings.append(_invalid(row, f"fx.{rec.get('currency')}", rec.get("rate"), _range_text(exc),
                                         "—", sheet="fx_rates", column="rate"))
        data["fx_rates"] = tuple(rates)
    if rows.holidays:
        data["extra_holidays"] = tuple(r["date"] for _, r in rows.holidays if r.get("date") and r.get("kind") == "holiday")
        data["extra_workdays"] = tuple(r["date"] for _, r in rows.holidays if r.get("date") and r.get("kind") == "workday")
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:  # cross-field problems: fall back field by field
        settings = Settings()
        for err in exc.errors():
            findings.append(_invalid(None, str(err["loc"][0]), err.get("input"), err["msg"], "—"))
    return settings, findings


def _range_text(exc: ValidationError) -> Text:
    err = exc.errors()[0]
    field = ".".join(map(str, err["loc"]))
    return Text(f"{field} 超出允许范围或格式不对", f"{field}: {err['msg']}")


def _expected(name: str) -> Text:
    annotation = Settings.model_fields[name].annotation
    if annotation is bool:
        return Text("应为 是/否（true/false）", "expected yes/no (true/false)")
    if annotation in (int, float) and name in RANGES:
        kind = Text("整数", "a whole number") if annotation is int else Text("数字", "a number")
        return Text(f"应为{kind('zh-CN')}，{range_text(name, 'zh-CN')}", f"expected {kind('en')} in {range_text(name)}")
    if annotation is int:
        return Text("应为整数", "expected a whole number")
    if annotation is float:
        return Text("应为数字", "expected a number")
    if annotation is dt.time:
        return Text("应为时间，如 09:00", "expected a time such as 09:00")
    options = getattr(annotation, "__args__", ())
    if options:
        return Text("可选：" + "、".join(map(str, options)), "one of: " + ", ".join(map(str, options)))
    return Text("格式不正确", "wrong format")


def _invalid(row, key, raw, reason, default, sheet="settings", column="value") -> Finding:
    return Finding(sheet, row, column, SETTING_INVALID, "error",
                   {"key": key, "value": raw, "reason": reason, "default": default}, raw)
