"""The report model: the numbers a report shows, independent of HTML, PDF or Excel.

A :class:`Report` is a header (workbook, as-of date, data period, base currency, draft/approved
status, language) and sections; a section holds KPI tiles, charts and tables. Every renderer
(``html``, ``pdf``, ``xlsx``) works from this model only, so the figures are the same in every
format. Labels in the model are already in the report's language.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Literal

from crm_xl.i18n import UsageError
from pydantic import BaseModel, ConfigDict, Field, model_validator

ReportKind = Literal["sales", "customers", "service", "monthly"]
KINDS: tuple[str, ...] = ("sales", "customers", "service", "monthly")
Fmt = Literal["money", "int", "num", "pct", "score", "days", "hours", "text", "date"]
ChartKind = Literal["line", "bar", "stacked_bar", "barh", "scatter"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Period(_Model):
    """The data period a report covers: ``start`` ≤ day ≤ ``end`` (end never after the as-of date)."""

    label: str
    start: dt.date
    end: dt.date
    grain: Literal["month", "quarter", "year", "range"] = "month"

    def previous(self) -> "Period":
        """The period just before (month before, quarter before, …) — the MoM comparison base."""
        if self.grain == "range":
            days = (self.end - self.start).days + 1
            end = self.start - dt.timedelta(days=1)
            return Period(label="prev", start=end - dt.timedelta(days=days - 1), end=end, grain="range")
        months = {"month": 1, "quarter": 3, "year": 12}[self.grain]
        return self.shifted(months)

    def year_before(self) -> "Period":
        """The same period one year earlier — the YoY comparison base."""
        return self.shifted(12)

    def shifted(self, months: int) -> "Period":
        if self.grain == "range":  # the same days, ``months`` earlier
            start, end = _same_day(self.start, -months), _same_day(self.end, -months)
            return Period(label=f"{start}..{end}", start=start, end=end, grain="range")
        start = _add_months(self.start, -months)
        full_end = _month_end(_add_months(_period_full_end(self).replace(day=1), -months))
        # a partial period (cut at the as-of date) is compared with the same number of days
        end = full_end if self.end == _period_full_end(self) else min(full_end, start + (self.end - self.start))
        label = _label_for(start, self.grain) if self.grain != "range" else f"{start}..{end}"
        return Period(label=label, start=start, end=end, grain=self.grain)


class Header(_Model):
    kind: ReportKind
    title: str
    workbook: str
    as_of: dt.date
    period: Period
    base_currency: str
    status: Literal["draft", "approved"] = "draft"
    approved_by: str | None = None
    approved_at: dt.datetime | None = None
    lang: Literal["zh-CN", "zh-TW", "en"] = "zh-CN"
    generated_at: dt.datetime
    left_out: str | None = None  # the one line naming the records a measure left out (crm_xl.coverage)

    @model_validator(mode="after")
    def _approval(self) -> "Header":
        if self.status == "approved" and not (self.approved_by and self.approved_at):
            raise ValueError("an approved report needs approved_by and approved_at")
        if self.status == "draft" and (self.approved_by or self.approved_at):
            raise ValueError("a draft report has no approver")
        return self


class Kpi(_Model):
    """One headline figure (a tile): value, format and an optional change against a base."""

    key: str
    label: str
    value: float | None
    fmt: Fmt = "num"
    delta: float | None = None  # relative change (0.12 = +12 %) against ``delta_label``'s base
    delta_label: str | None = None
    note: str | None = None


class Column(_Model):
    key: str
    label: str
    fmt: Fmt = "text"


class Table(_Model):
    key: str
    title: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    note: str | None = None
    total: dict[str, Any] | None = None  # a totals row, same keys as ``rows``

    @model_validator(mode="after")
    def _keys(self) -> "Table":
        keys = {c.key for c in self.columns}
        for row in self.rows + ([self.total] if self.total else []):
            unknown = set(row) - keys
            if unknown:
                raise ValueError(f"table {self.key}: row has unknown columns {sorted(unknown)}")
        return self


class Series(_Model):
    name: str
    values: list[float | None]
    lower: list[float | None] | None = None  # interval band (line charts)
    upper: list[float | None] | None = None
    x: list[float | None] | None = None  # scatter: x value of each point
    point_labels: list[str] | None = None  # scatter: a label per point
    dashed: bool = False  # e.g. a forecast continuing an actual line


class Chart(_Model):
    key: str
    title: str
    kind: ChartKind
    categories: list[str] = Field(default_factory=list)  # x categories (not for scatter)
    series: list[Series]
    x_label: str = ""
    y_label: str = ""
    fmt: Fmt = "num"  # format of the value axis
    x_fmt: Fmt = "num"  # scatter only
    note: str | None = None

    @model_validator(mode="after")
    def _lengths(self) -> "Chart":
        for s in self.series:
            if self.kind == "scatter":
                if s.x is None or len(s.x) != len(s.values):
                    raise ValueError(f"chart {self.key}: scatter series {s.name!r} needs x of the same length")
            elif len(s.values) != len(self.categories):
                raise ValueError(f"chart {self.key}: series {s.name!r} has {len(s.values)} values "
                                 f"for {len(self.categories)} categories")
            for band in (s.lower, s.upper):
                if band is not None and len(band) != len(s.values):
                    raise ValueError(f"chart {self.key}: band of {s.name!r} has the wrong length")
        return self

    @property
    def empty(self) -> bool:
        return not any(v is not None and v != 0 for s in self.series for v in s.values)


class Section(_Model):
    key: str
    title: str
    intro: str | None = None
    kpis: list[Kpi] = Field(default_factory=list)
    charts: list[Chart] = Field(default_factory=list)
    tables: list[Table] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)


class Report(_Model):
    header: Header
    sections: list[Section]
    notes: list[str] = Field(default_factory=list)  # definitions and sources, shown at the end

    def section(self, key: str) -> Section:
        for s in self.sections:
            if s.key == key:
                return s
        raise KeyError(key)

    def kpi(self, key: str) -> Kpi:
        for s in self.sections:
            for k in s.kpis:
                if k.key == key:
                    return k
        raise KeyError(key)

    def charts(self) -> list[Chart]:
        return [c for s in self.sections for c in s.charts]

    def tables(self) -> list[Table]:
        return [t for s in self.sections for t in s.tables]


# ----------------------------------------------------------------------------------------- periods
def _add_months(day: dt.date, months: int) -> dt.date:
    """The first day of the month ``months`` after ``day``'s month."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    return dt.date(year, month + 1, 1)


def _same_day(day: dt.date, months: int) -> dt.date:
    """``day`` ``months`` later (earlier when negative), kept within the month (03-31 → 02-28)."""
    first = _add_months(day, months)
    return min(first.replace(day=1) + dt.timedelta(days=day.day - 1), _month_end(first))


def _month_end(day: dt.date) -> dt.date:
    first_next = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return first_next - dt.timedelta(days=1)


def _period_full_end(p: Period) -> dt.date:
    months = {"month": 1, "quarter": 3, "year": 12}[p.grain]
    return _month_end(_add_months(p.start, months - 1))


def _label_for(start: dt.date, grain: str) -> str:
    if grain == "month":
        return f"{start.year:04d}-{start.month:02d}"
    if grain == "quarter":
        return f"{start.year:04d}-Q{(start.month - 1) // 3 + 1}"
    return f"{start.year:04d}"


_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})-?[Qq]([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\s*(?:\.\.|/|~|至)\s*(\d{4}-\d{2}-\d{2})$")


def resolve_period(text: str | None, as_of: dt.date) -> Period:
    """Parse ``--period``: ``2026-10`` (month), ``2026-Q3``, ``2026`` or ``2026-01-01..2026-03-31``.

    Without a period the report covers the month of the as-of date up to the as-of date
    (month to date). A period ending after the as-of date is cut at the as-of date; one starting
    after it is an error.
    """
    if not text:
        start, grain = as_of.replace(day=1), "month"
        end = _month_end(start)
    elif m := _MONTH.match(text.strip()):
        start, grain = dt.date(int(m[1]), int(m[2]), 1), "month"
        end = _month_end(start)
    elif m := _QUARTER.match(text.strip()):
        start, grain = dt.date(int(m[1]), 3 * int(m[2]) - 2, 1), "quarter"
        end = _month_end(_add_months(start, 2))
    elif m := _YEAR.match(text.strip()):
        start, grain = dt.date(int(m[1]), 1, 1), "year"
        end = dt.date(int(m[1]), 12, 31)
    elif m := _RANGE.match(text.strip()):
        start, end, grain = dt.date.fromisoformat(m[1]), dt.date.fromisoformat(m[2]), "range"
        if end < start:
            raise UsageError(f"期间“{text}”的结束日早于开始日", f"period {text!r} ends before it starts")
    else:
        raise UsageError(f"无法识别的期间“{text}”，请写成 2026-10、2026-Q3、2026 或 2026-01-01..2026-03-31",
                         f"unknown period {text!r}; use e.g. 2026-10, 2026-Q3, 2026 or 2026-01-01..2026-03-31")
    if start > as_of:
        raise UsageError(f"期间“{text}”开始于检查日 {as_of} 之后", f"period {text!r} starts after the as-of date {as_of}")
    label = _label_for(start, grain) if grain != "range" else f"{start}..{end}"
    return Period(label=label, start=start, end=min(end, as_of), grain=grain)
