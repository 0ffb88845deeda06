"""The worksheet formulas' core: one pure function per Excel UDF (no I/O, no xlwings).

Each function takes plain values as a worksheet cell holds them (numbers, text, dates or blanks)
plus the workbook's :class:`~crm_xl.settings.Settings`, and returns a plain value; every threshold
comes from the Settings. Enumerated arguments accept the canonical code or a label in any
workbook language (``"negotiation"``, ``"商务谈判"``, ``"商務談判"``, ``"Negotiation"``).
`crm_xl.excel.udfs` wraps each one for Excel. A value that cannot be used raises :class:`FormulaError`
(its message is shown in the cell); a blank required argument gives a blank result.

The per-row rules are the same as the batch modules' (documented here where they are applied):
scale and revisit cycle from SPEC F2.1/F6.1, ABC from SPEC F2.2, conversion through the FX table
as in the base-currency rule, SLA deadlines as in SPEC F5.1.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from typing import Any

from crm_xl.calendar import WorkCalendar, calendar_for
from crm_xl.i18n import Text, fold
from crm_xl.parsing import parse_datetime_text
from crm_xl.schema import ENUMS
from crm_xl.settings import Settings

__all__ = [
    "FormulaError", "abc_class", "company_calendar", "convert_currency", "enum_code", "next_revisit_date",
    "scale_class", "sla_due", "stage_probability", "weighted_amount", "workdays_between",
]


class FormulaError(ValueError):
    """An argument a formula cannot use; ``text(lang)`` is the message for the cell."""

    def __init__(self, text: Text) -> None:
        super().__init__(text.en)
        self.text = text


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or (
        isinstance(value, float) and math.isnan(value))


def enum_code(name: str, value: Any) -> str | None:
    """The canonical code of `value` in enumeration `name` (code or label in any language); None if blank."""
    if _blank(value):
        return None
    code = ENUMS[name].lookup().get(fold(str(value)))
    if code is None:
        options = "/".join(ENUMS[name].codes)
        raise FormulaError(Text(f"“{value}”不是有效的选项（{options}）", f"“{value}” is not one of {options}"))
    return code


def _number(value: Any, what: Text) -> float | None:
    if _blank(value):
        return None
    if isinstance(value, bool):
        raise FormulaError(Text(f"{what.zh}应为数字", f"{what.en} must be a number"))
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(str(value).replace(",", "").strip())
    except ValueError:
        raise FormulaError(Text(f"{what.zh}应为数字：“{value}”", f"{what.en} must be a number: “{value}”")) from None


def _moment(value: Any, what: Text) -> dt.datetime | None:
    if _blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, (int, float)) and not isinstance(value, bool):  # an Excel serial date
        return dt.datetime(1899, 12, 30) + dt.timedelta(days=float(value))
    parsed = parse_datetime_text(str(value).strip())
    if parsed is None:
        raise FormulaError(Text(f"{what.zh}应为日期：“{value}”", f"{what.en} must be a date: “{value}”"))
    return parsed


def _date(value: Any, what: Text) -> dt.date | None:
    moment = _moment(value, what)
    return None if moment is None else moment.date()


def company_calendar(settings: Settings) -> WorkCalendar:
    """The company's working calendar: Chinese working days plus the Settings holiday table and hours."""
    return calendar_for(settings)


def stage_probability(stage: Any, settings: Settings) -> float | None:
    """Default win probability of a sales stage, from the Settings stage table (SPEC F3.2)."""
    code = enum_code("stage", stage)
    return None if code is None else settings.stage_probability(code)


def weighted_amount(amount: Any, stage: Any, settings: Settings) -> float | None:
    """Amount × the stage's default probability, in the amount's own currency (SPEC F4.1)."""
    value = _number(amount, Text("金额", "amount"))
    probability = stage_probability(stage, settings)
    if value is None or probability is None:
        return None
    return value * probability


def scale_class(amount: Any, settings: Settings) -> str | None:
    """Customer scale from a base-currency yearly purchase amount (SPEC F2.1, 002 §2.1).

    ``large`` when amount ≥ ``scale_large_min``, ``medium`` when ≥ ``scale_medium_min``, else ``small``.
    """
    value = _number(amount, Text("采购额", "purchase amount"))
    if value is None:
        return None
    if value >= settings.scale_large_min:
        return "large"
    return "medium" if value >= settings.scale_medium_min else "small"


def abc_class(amounts: Iterable[Any], amount: Any, settings: Settings) -> str | None:
    """ABC class of `amount` among all customers' `amounts` (SPEC F2.2, 001).

    Same rule as the batch grading: with the customers sorted by sales descending, a customer is
    ``A`` while the sales of the customers before it are below ``abc_a_share`` × total, ``B`` while
    below ``abc_b_share`` × total, else ``C``; no sales is always ``C``. "Before it" counts every
    larger amount (equal amounts get the same class). Blank and text cells in the range are ignored.
    """
    value = _number(amount, Text("销售额", "sales amount"))
    if value is None:
        return None
    numbers = [float(v) for v in _flatten(amounts) if isinstance(v, (int, float)) and not isinstance(v, bool)
               and math.isfinite(float(v))]
    if value <= 0:
        return "C"
    total = math.fsum(v for v in numbers if v > 0)
    before = math.fsum(v for v in numbers if v > value)
    if total <= 0:
        return "C"
    if before < settings.abc_a_share * total:
        return "A"
    return "B" if before < settings.abc_b_share * total else "C"


def _flatten(values: Any) -> list[Any]:
    if isinstance(values, (list, tuple)):
        return [v for item in values for v in _flatten(item)]
    return [values]


def next_revisit_date(last_date: Any, scale: Any, settings: Settings) -> dt.date | None:
    """Next revisit: last contact + the scale's revisit cycle in days, rolled forward to a working day (SPEC F6.1)."""
    day = _date(last_date, Text("上次联系日期", "last contact date"))
    code = enum_code("scale", scale)
    if day is None or code is None:
        return None
    due = day + dt.timedelta(days=settings.revisit_days(code))
    return company_calendar(settings).roll_forward(due)


def workdays_between(start: Any, end: Any, settings: Settings) -> int | None:
    """Working days d with start < d ≤ end on the company calendar (negative when end is earlier)."""
    first = _date(start, Text("开始日期", "start date"))
    last = _date(end, Text("结束日期", "end date"))
    if first is None or last is None:
        return None
    return company_calendar(settings).workdays_between(first, last)


def convert_currency(amount: Any, currency: Any, settings: Settings, on: Any = None) -> float | None:
    """`amount` in `currency` converted into the base currency through the Settings FX table.

    The rate is the one with the latest ``valid_from`` on or before `on`; without a dated rate
    there, the undated rate; without `on`, the latest rate. The base currency converts 1:1; a
    currency without any applicable rate is an error (never counted 1:1).
    """
    value = _number(amount, Text("金额", "amount"))
    if value is None:
        return None
    code = settings.base_currency if _blank(currency) else str(currency).strip().upper()
    if code == settings.base_currency:
        return value
    day = _date(on, Text("日期", "date"))
    undated: float | None = None
    dated: list[tuple[dt.date, float]] = []
    for rate in settings.fx_rates:
        if rate.currency.strip().upper() != code:
            continue
        if rate.valid_from is None:
            undated = rate.rate  # the last undated row wins
        else:
            dated.append((rate.valid_from, rate.rate))
    dated.sort(key=lambda item: item[0])
    if day is None:
        chosen = dated[-1][1] if dated else undated
    else:
        applicable = [r for d, r in dated if d <= day]
        chosen = applicable[-1] if applicable else undated
    if chosen is None:
        when = day.isoformat() if day else "—"
        raise FormulaError(Text(f"汇率表中没有 {code} 在 {when} 适用的汇率", f"No FX rate for {code} on {when}"))
    return value * chosen


def sla_due(received_at: Any, ticket_type: Any, urgency: Any, settings: Settings) -> dt.datetime | None:
    """Deadline of a ticket (SPEC F5.1; 000 §4, 002 §4.3).

    A complaint must be resolved by the end of the working day that is ``resolution_days(urgency)``
    working days after the day it was received (blank urgency counts as medium); an inquiry or
    feedback must be answered within ``inquiry_response_hours`` working hours of its receipt.
    """
    received = _moment(received_at, Text("受理时间", "received at"))
    kind = enum_code("ticket_type", ticket_type)
    if received is None or kind is None:
        return None
    calendar = company_calendar(settings)
    if kind != "complaint":
        return calendar.add_work_hours(received, settings.inquiry_response_hours)
    level = enum_code("urgency", urgency) or "medium"
    day = calendar.add_workdays(received.date(), settings.resolution_days(level))
    return dt.datetime.combine(day, calendar.day_end)
