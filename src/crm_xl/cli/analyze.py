"""``crm-xl analyze``: grades, forecast, KPI and order-to-cash of a register, as JSON or tables."""

from __future__ import annotations

import datetime as dt
import io
import os
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from crm_xl.cli.app import (as_of_date, app, atomic_output, console, fits_in, handle_errors, lang_option, preload,
                            resolve_lang, review_modules, source_argument, start_fitter)
from crm_xl.i18n import UsageError, pick


def write_object(*args, **kwargs) -> None:
    """``crm_xl.contract.write_object``, imported when the command writes JSON (it loads pandas)."""
    from crm_xl.contract import write_object as write

    write(*args, **kwargs)


@app.command("analyze", help="Grade customers, forecast sales, score KPIs and check order-to-cash.\n\n"
                             "Example: crm-xl analyze 客户台账.xlsx --as-of 2026-11-23 --period 2026-Q3 "
                             "--format json --out analysis.json")
@handle_errors()
def analyze_command(
    path: Path = source_argument(),
    as_of: str = typer.Option(None, "--as-of", help="Analysis date YYYY-MM-DD (default today)."),
    period: str = typer.Option(None, "--period", help="KPI period: 2026-10, 2026-Q3 or 2026 "
                                                      "(default: the last complete month)."),
    fmt: str = typer.Option("text", "--format", help="json or text."),
    out: Path = typer.Option(None, "--out", help="Write the output to this file instead of the screen."),
    lang: str = lang_option(),
    password: str = typer.Option(None, "--password", help="Password of an encrypted workbook."),
) -> None:
    from crm_xl.intake.report import coverage_json, coverage_lines
    from crm_xl.kpi import parse_period
    from crm_xl.ports.reader import read_register

    if fmt not in ("json", "text"):
        raise UsageError("--format 只能是 json 或 text", "--format must be json or text")
    day = as_of_date(as_of)
    kpi_period = parse_period(period) if period else None
    fitter = start_fitter()  # before any thread: the ETS fits' child imports statsmodels meanwhile
    with fits_in(fitter):
        preload(review_modules(fitter))
        register = read_register(path, password=password) if password else read_register(path)
        from crm_xl.review import review

        lang = resolve_lang(lang, register.lang)
        result = review(register, day, period=kpi_period, lang=lang, lazy_json=fmt == "json").analysis
    if fmt == "json":
        # written member by member: the JSON of 100k customers never exists whole (contract.write_object)
        members = [(key, make) if key != "coverage" else
                   (key, lambda make=make: {**make(), "sheets": coverage_json(register)})
                   for key, make in result.json_members(lang)]
        if out:
            with atomic_output(out) as tmp, tmp.open("wb") as fh:
                write_object(_TextLines(fh), members, indent=2)
                _TextLines(fh).write(b"\n")
        else:
            buffer = io.BytesIO()
            write_object(buffer, members, indent=2)
            typer.echo(buffer.getvalue().decode("utf-8"))
        return
    data = result.to_json(lang)
    coverage = data.setdefault("coverage", {})
    coverage["sheets"] = coverage_json(register)
    coverage.setdefault("measures", {})
    lines = coverage_lines(register, lang)
    if out:
        from rich.console import Console

        with atomic_output(out) as tmp, tmp.open("w", encoding="utf-8") as fh:
            render_text(data, lang, Console(file=fh, width=120, highlight=False, color_system=None), lines)
    else:
        render_text(data, lang, console, lines)


class _TextLines:
    """A binary file written as a text file would be: each line break as this system's (``\\r\\n``
    on Windows, as ``Path.write_text`` wrote the JSON before). JSON text has line breaks only
    between its tokens, never inside a string, so this changes no value."""

    def __init__(self, fh) -> None:
        self.fh = fh

    def write(self, data: bytes) -> None:
        self.fh.write(data if _NEWLINE == b"\n" else data.replace(b"\n", _NEWLINE))


_NEWLINE = os.linesep.encode("ascii")


def _label(enum: str, code: Any, lang: str) -> str:
    from crm_xl.schema import ENUMS

    return "—" if code is None else ENUMS[enum].label(code, lang)


def _fmt(x: Any, pct: bool = False) -> str:
    if x is None:
        return "—"
    return f"{x:.1%}" if pct else (f"{x:,.2f}" if isinstance(x, float) else str(x))


def visible_text(value: Any) -> str:
    from crm_xl.ports.sanitize import visible_text as shown

    return shown(value)


def _escape(value: Any) -> str:
    """Text from the workbook in a rich table: no markup, no control characters."""
    from crm_xl.cli.validate import _escape as escape

    return escape("" if value is None else str(value))


def render_text(data: dict[str, Any], lang: str, out, coverage: list[str] | None = None) -> None:
    """Readable tables of an analysis (the ``--format text`` output), after the data-coverage lines."""
    from crm_xl.schema import ENUMS

    t = lambda zh, en: pick(zh, en, lang)  # noqa: E731
    cur = data["base_currency"]
    out.print(t(f"截至 {data['as_of']} 的分析（本位币 {cur}，考核期 {data['period']}）",
                f"Analysis as of {data['as_of']} (base currency {cur}, KPI period {data['period']})"), markup=False)
    for line in coverage or []:
        out.print(t("数据覆盖：", "Data coverage: ") + line, markup=False)

    grades = Table(title=t("客户分级（客户数）", "Customer grades (number of customers)"))
    grades.add_column(t("维度", "Dimension"))
    grades.add_column(t("分级", "Grade"))
    grades.add_column(t("客户数", "Customers"), justify="right")
    for key, enum, title in (("scale", "scale", t("规模", "Scale")), ("abc", "abc", "ABC"),
                             ("level", "level", t("等级", "Level")), ("coop", "coop", t("合作年限", "Cooperation")),
                             ("risk", "risk", t("风险", "Risk"))):
        counts: dict[Any, int] = {}
        for c in data["customers"]:
            counts[c[key]] = counts.get(c[key], 0) + 1
        for code in [*ENUMS[enum].codes, None]:
            if code in counts:
                grades.add_row(title, _label(enum, code, lang), str(counts[code]))
    out.print(grades)

    f = data["forecast"]
    table = Table(title=t(f"销售预测（{cur}）", f"Sales forecast ({cur})"))
    for name in (t("月份", "Month"), t("管道金额", "Pipeline"), t("加权金额", "Weighted"), t("承诺", "Commit"),
                 t("最佳情况", "Best case"), t("数量", "Quantity")):
        table.add_column(name, justify="right")
    buckets = [(r["month"], r) for r in f["by_month"]] + [(t("已逾期", "past due"), f["past_due"]),
                                                          (t("12个月后", "later"), f["later"]),
                                                          (t("无日期", "undated"), f["undated"]),
                                                          (t("合计", "total"), f["total"])]
    for name, r in buckets:
        table.add_row(name, *(_fmt(r[k]) for k in ("pipeline", "weighted", "commit", "best_case", "quantity")))
    out.print(table)
    trend = f["trend"]
    out.print(visible_text(t(f"趋势预测：{trend['reason']}；回测 MAPE {_fmt(trend['mape'], True)}",
                f"Trend forecast: {trend['reason']}; back-test MAPE {_fmt(trend['mape'], True)}")), markup=False)

    k = Table(title=t(f"KPI 考核（{data['period']}）", f"KPI ({data['period']})"))
    for name in (t("排名", "Rank"), t("负责人", "Owner"), t("销售额", "Sales"), t("销售业绩", "Sales"),
                 t("客户开发与维护", "Customers"), t("过程管理", "Process"), t("团队协作", "Teamwork"),
                 t("总分", "Score"), t("等级", "Grade")):
        k.add_column(name)
    for r in data["kpi"]:
        cs = r["category_scores"]
        k.add_row(_fmt(r["rank"]), _escape(r["owner"]), _fmt(r["metrics"]["sales_amount"]["value"]),
                  *(_fmt(cs[c]) for c in ("sales", "customers", "process", "teamwork")),
                  _fmt(r["score"]), _label("kpi_grade", r["grade"], lang))
    out.print(k)

    fa = data.get("forecast_accuracy") or {}
    if fa.get("months"):
        acc = Table(title=t("预测与实际（F4.4，管道快照）", "Forecast vs actual (F4.4, pipeline snapshots)"))
        for name in (t("月份", "Month"), t("快照", "Snapshot"), t("负责人", "Owner"), t("预测", "Forecast"),
                     t("实际", "Actual"), t("准确率", "Accuracy")):
            acc.add_column(name)
        for m in fa["months"]:
            acc.add_row(m["month"], m["snapshot_date"], t("（全部）", "(all)"), _fmt(m["forecast"]), _fmt(m["actual"]),
                        _fmt(m["accuracy"], True))
            for r in m["by_owner"]:
                acc.add_row("", "", r["owner"] or "—", _fmt(r["forecast"]), _fmt(r["actual"]), _fmt(r["accuracy"], True))
        out.print(acc)
    elif fa.get("reason"):
        out.print(t(f"预测与实际（F4.4）：{fa['reason']}", f"Forecast vs actual (F4.4): {fa['reason']}"), markup=False)

    s = data["receivables"]["summary"]
    out.print(t(f"订单执行：按时交付率 {_fmt(s['on_time_rate'], True)}（逾期交付 {s['overdue_delivery']} 单）；"
                f"应收未收 {_fmt(s['outstanding'])}，其中逾期 {_fmt(s['overdue'])}（{s['overdue_orders']} 单）",
                f"Order-to-cash: on-time delivery {_fmt(s['on_time_rate'], True)} "
                f"({s['overdue_delivery']} deliveries overdue); outstanding {_fmt(s['outstanding'])}, "
                f"overdue {_fmt(s['overdue'])} ({s['overdue_orders']} orders)"), markup=False)
    line = coverage_line(data, lang)
    if line:
        out.print(line, markup=False, soft_wrap=True)
    if data["findings"]:
        out.print(t(f"注意：{len(data['findings'])} 条提示（如缺少汇率），见 JSON 输出的 findings",
                    f"Note: {len(data['findings'])} findings (e.g. missing FX rates); see findings in the JSON output"),
                  markup=False)
        for item in data["findings"][:10]:
            out.print(visible_text(f"  {item['sheet']}!{item['cell'] or item['row']}: {item['message']}"), markup=False)


def coverage_line(data: dict[str, Any], lang: str) -> str | None:
    """The one line naming what the measures left out (None when nothing was)."""
    from crm_xl.coverage import summary_line

    return summary_line(data.get("coverage", {}).get("measures", {}), lang)

