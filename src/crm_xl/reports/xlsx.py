"""Render a report model as an Excel workbook with native Excel charts (xlsxwriter).

Sheets: a **Dashboard** (report header block, KPI tiles and every chart, as native Excel charts),
**Chart data** (one block per chart: the categories and series each chart's ``<c:f>`` ranges
point at) and one sheet per report section holding its tables. All text goes through
``write_string`` (:func:`crm_xl.ports.sanitize.write_cell`), so a value such as ``=HYPERLINK(…)``
stays text and never becomes a formula.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from crm_xl.ports.packaging import Workbook
from crm_xl.ports.sanitize import write_cell
from crm_xl.reports.labels import format_delta, label
from crm_xl.reports.model import Chart, Report

NUM_FORMATS = {"money": "#,##0", "int": "#,##0", "num": "#,##0.##", "pct": "0.0%", "score": "0.0",
               "days": "0.0", "hours": "0.0", "date": "yyyy-mm-dd", "text": "@"}
PATTERNS = ("percent_90", "wide_upward_diagonal", "small_grid", "dark_vertical", "wide_downward_diagonal",
            "dashed_horizontal", "small_confetti", "shingle")
COLOURS = ("#1F3F77", "#E3872D", "#6AA84F", "#8E5BA8", "#B5B5B5", "#C0392B", "#2A9D8F", "#5C4033")
DASHES = ("solid", "dash", "round_dot", "dash_dot", "long_dash", "square_dot", "long_dash_dot", "sys_dash")
MARKERS = ("circle", "square", "triangle", "diamond", "x", "star", "plus", "circle")
CHART_W, CHART_H = 620, 320  # pixels
CHART_ROWS = 17  # rows a chart occupies on the Dashboard (at the default 20 px row height)


@dataclass(frozen=True)
class SeriesRange:
    """Where a chart series' data was written: sheet name, 0-based first/last row, column."""

    sheet: str
    first_row: int
    last_row: int
    column: int


def sheet_name(text: str, used: set[str]) -> str:
    """An Excel-valid, unique sheet name (≤ 31 characters, none of ``[]:*?/\\``)."""
    base = re.sub(r"[\[\]:*?/\\']", " ", text).strip()[:31] or "Sheet"
    name, n = base, 2
    while name.lower() in {u.lower() for u in used}:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(name)
    return name


def write_xlsx(report: Report, path: str | Path) -> dict[str, list[SeriesRange]]:
    """Write the report workbook; returns, per chart key, the ranges its value series reference."""
    lang = report.header.lang
    wb = Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                         "nan_inf_to_errors": False})
    wb.set_properties({"title": report.header.title, "subject": report.header.period.label,
                       "author": report.header.approved_by or "crm-xl", "comments": "crm-xl report",
                       "created": report.header.generated_at})
    f = _formats(wb)
    used: set[str] = set()
    dash = wb.add_worksheet(sheet_name(label("dashboard", lang), used))
    data = wb.add_worksheet(sheet_name(label("chart_data", lang), used))
    ranges = {}
    row = _header_block(dash, report, f)
    row = _kpi_block(dash, report, f, row)
    data_row = 0
    for i, chart in enumerate(report.charts()):
        data_row, series_ranges, cat_range = _chart_data(data, chart, data_row, f, lang)
        ranges[chart.key] = series_ranges
        xl_chart = _native_chart(wb, chart, series_ranges, cat_range, lang)
        col = 0 if i % 2 == 0 else 9
        if i % 2 == 0 and i:
            row += CHART_ROWS
        dash.insert_chart(row, col, xl_chart, {"x_scale": 1, "y_scale": 1, "object_position": 1})
    data.set_column(0, 0, 22)
    data.set_column(1, 12, 14)
    for section in report.sections:
        if section.tables:
            _tables_sheet(wb.add_worksheet(sheet_name(section.title, used)), section.tables, f)
    dash.set_column(0, 0, 18)
    dash.set_column(1, 1, 18)
    dash.set_column(2, 16, 12)
    dash.set_landscape()
    dash.set_paper(9)  # A4
    dash.fit_to_pages(1, 0)
    dash.activate()
    wb.close()
    return ranges


def _formats(wb) -> dict:
    f = {"title": wb.add_format({"bold": True, "font_size": 16, "font_color": "#1F3F77"}),
         "meta_label": wb.add_format({"font_color": "#555555"}),
         "meta": wb.add_format({"bold": True}),
         "meta_date": wb.add_format({"bold": True, "num_format": "yyyy-mm-dd", "align": "left"}),
         "meta_time": wb.add_format({"bold": True, "num_format": "yyyy-mm-dd hh:mm", "align": "left"}),
         "draft": wb.add_format({"bold": True, "font_color": "#AA3333"}),
         "approved": wb.add_format({"bold": True, "font_color": "#1B6E2D"}),
         "section": wb.add_format({"bold": True, "font_size": 12, "font_color": "#1F3F77", "bottom": 2}),
         "kpi_label": wb.add_format({"font_color": "#444444", "text_wrap": True, "valign": "top", "left": 5,
                                     "left_color": "#1F3F77", "top": 1, "top_color": "#9AA8C0"}),
         "kpi_delta": wb.add_format({"font_size": 9, "font_color": "#333333", "left": 5, "left_color": "#1F3F77",
                                     "bottom": 1, "bottom_color": "#9AA8C0"}),
         "head": wb.add_format({"bold": True, "bg_color": "#E8EDF5", "bottom": 2, "bottom_color": "#1F3F77",
                                "text_wrap": True, "valign": "top"}),
         "table_title": wb.add_format({"bold": True, "font_size": 11}),
         "note": wb.add_format({"italic": True, "font_color": "#555555"}),
         "text": wb.add_format({})}
    for key, num in NUM_FORMATS.items():
        f[f"num.{key}"] = wb.add_format({"num_format": num})
        f[f"total.{key}"] = wb.add_format({"num_format": num, "bold": True, "top": 2, "top_color": "#1F3F77"})
        f[f"kpi.{key}"] = wb.add_format({"num_format": num, "bold": True, "font_size": 14, "left": 5,
                                         "left_color": "#1F3F77", "align": "left"})
    f["num.text"] = f["text"]
    return f


def _header_block(ws, report: Report, f) -> int:
    h, lang = report.header, report.header.lang
    write_cell(ws, 0, 0, h.title, f["title"])
    rows = [("workbook", h.workbook), ("as_of", h.as_of), ("period", f"{h.period.label} ({h.period.start} – {h.period.end})"),
            ("base_currency", h.base_currency), ("status", label(f"status.{h.status}", lang)), ("language", h.lang)]
    if h.status == "approved":
        rows += [("approved_by", h.approved_by), ("approved_at", h.approved_at.replace(microsecond=0))]
    rows.append(("generated_at", h.generated_at.replace(microsecond=0)))
    for i, (key, value) in enumerate(rows, start=2):
        write_cell(ws, i, 0, label(key, lang), f["meta_label"])
        fmt = f[h.status] if key == "status" else f["meta"]
        if key == "as_of":
            fmt = f["meta_date"]
        elif key in ("approved_at", "generated_at"):
            fmt = f["meta_time"]
        write_cell(ws, i, 1, value, fmt)
    row = 2 + len(rows)
    if h.status == "draft":
        write_cell(ws, row, 0, label("draft_notice", lang), f["draft"])
        row += 1
    if h.left_out:  # what the measures left out, in one line
        write_cell(ws, row, 0, h.left_out, f["meta"])
        row += 1
    return row + 1


def _kpi_block(ws, report: Report, f, row: int) -> int:
    """KPI tiles, four per line: label above, value below, change underneath."""
    for section in report.sections:
        if not section.kpis:
            continue
        write_cell(ws, row, 0, section.title, f["section"])
        row += 1
        for start in range(0, len(section.kpis), 4):
            for j, k in enumerate(section.kpis[start:start + 4]):
                col = j * 4
                ws.merge_range(row, col, row, col + 2, "", f["kpi_label"])
                write_cell(ws, row, col, k.label, f["kpi_label"])
                ws.merge_range(row + 1, col, row + 1, col + 2, "", f[f"kpi.{k.fmt}"])
                value = k.value if k.fmt != "text" else (str(k.value) if k.value is not None else None)
                write_cell(ws, row + 1, col, value, f[f"kpi.{k.fmt}"])
                ws.merge_range(row + 2, col, row + 2, col + 2, "", f["kpi_delta"])
                delta = f"{k.delta_label} {format_delta(k.delta)}" if k.delta_label else (k.note or "")
                write_cell(ws, row + 2, col, delta, f["kpi_delta"])
            ws.set_row(row + 1, 24)
            row += 4
    return row + 1


def _chart_data(ws, chart: Chart, row: int, f, lang: str) -> tuple[int, list[SeriesRange], SeriesRange | None]:
    """Write one chart's data block; returns the next free row, series ranges and category range."""
    write_cell(ws, row, 0, chart.title, f["table_title"])
    head = row + 1
    first, n = head + 1, (len(chart.series[0].values) if chart.series else 0)
    last = first + max(n, 1) - 1
    ranges: list[SeriesRange] = []
    num = f[f"num.{chart.fmt}"]
    if chart.kind == "scatter":
        col = 0
        for s in chart.series:
            write_cell(ws, head, col, chart.x_label or "x", f["head"])
            write_cell(ws, head, col + 1, s.name, f["head"])
            for i, (xv, yv) in enumerate(zip(s.x or [], s.values)):
                write_cell(ws, first + i, col, xv, f[f"num.{chart.x_fmt}"])
                write_cell(ws, first + i, col + 1, yv, num)
                if s.point_labels:
                    write_cell(ws, first + i, col + 2, s.point_labels[i], f["text"])
            ranges.append(SeriesRange(ws.name, first, first + len(s.values) - 1, col + 1))
            col += 3
        return last + 2, ranges, SeriesRange(ws.name, first, last, 0)
    write_cell(ws, head, 0, chart.x_label, f["head"])
    for i, cat in enumerate(chart.categories):
        write_cell(ws, first + i, 0, cat, f["text"])
    col = 1
    for s in chart.series:
        write_cell(ws, head, col, s.name, f["head"])
        for i, v in enumerate(s.values):
            write_cell(ws, first + i, col, v, num)
        ranges.append(SeriesRange(ws.name, first, last, col))
        col += 1
        for band, key in ((s.lower, "lower"), (s.upper, "upper")):
            if band is not None:
                write_cell(ws, head, col, f"{s.name} {label(key, lang)}", f["head"])
                for i, v in enumerate(band):
                    write_cell(ws, first + i, col, v, num)
                ranges.append(SeriesRange(ws.name, first, last, col))
                col += 1
    return last + 2, ranges, SeriesRange(ws.name, first, last, 0)


def _literal_chart(xl):
    """Make every name and title given to this chart a literal string.

    XlsxWriter reads a name that looks like ``Sheet!A1`` (``cmd|' /C calc'!A0``, ``[1]Sheet1!A1``)
    as a cell reference and writes it into the chart as a formula (``Chart._process_names``). The
    report's names come from the data (owners, products), so on this chart names are never
    references: series data are the ranges this module wrote, given as [sheet, row, col …] lists.
    """
    xl._process_names = lambda name, name_formula: (name, name_formula)
    return xl


def _literal_labels(xl) -> None:
    """Custom data labels of the last series: XlsxWriter turns a label value that looks like a
    reference into a formula (``Chart._get_labels_properties``); keep it the literal text."""
    labels = (xl.series[-1].get("labels") or {}) if xl.series else {}
    for label in labels.get("custom") or ():
        if label and label.get("value") is not None and label.get("formula"):
            formula = label.pop("formula")
            label["data_id"] = None
            key = formula.lstrip("=")
            if key in xl.formula_ids and key not in {s.get("values") for s in xl.series}:
                del xl.formula_ids[key]


def _native_chart(wb, chart: Chart, ranges: list[SeriesRange], cats: SeriesRange | None, lang: str):
    kind = {"line": {"type": "line"}, "bar": {"type": "column"},
            "stacked_bar": {"type": "column", "subtype": "stacked"}, "barh": {"type": "bar"},
            "scatter": {"type": "scatter"}}[chart.kind]
    xl = _literal_chart(wb.add_chart(kind))
    num_format = NUM_FORMATS[chart.fmt] if chart.fmt != "text" else "General"
    it = iter(ranges)
    for i, s in enumerate(chart.series):
        r = next(it)
        values = [r.sheet, r.first_row, r.column, r.last_row, r.column]
        spec = {"name": s.name, "values": values}
        if chart.kind == "scatter":
            spec["categories"] = [r.sheet, r.first_row, r.column - 1, r.last_row, r.column - 1]
            spec["marker"] = {"type": MARKERS[i % len(MARKERS)], "size": 7,
                              "fill": {"color": COLOURS[i % len(COLOURS)]}, "border": {"color": "#333333"}}
            if s.point_labels:
                spec["data_labels"] = {"value": False, "custom": [{"value": str(t)} for t in s.point_labels],
                                       "position": "right"}
        else:
            spec["categories"] = [cats.sheet, cats.first_row, cats.column, cats.last_row, cats.column]
        if chart.kind == "line":
            spec["line"] = {"color": COLOURS[i % len(COLOURS)], "width": 2,
                            "dash_type": "dash" if s.dashed else DASHES[i % len(DASHES)]}
            spec["marker"] = {"type": MARKERS[i % len(MARKERS)], "size": 5,
                              "fill": {"color": COLOURS[i % len(COLOURS)]}, "border": {"color": COLOURS[i % len(COLOURS)]}}
        elif chart.kind != "scatter":
            spec["pattern"] = {"pattern": PATTERNS[i % len(PATTERNS)], "fg_color": COLOURS[i % len(COLOURS)],
                               "bg_color": "#FFFFFF"}
            spec["border"] = {"color": "#333333", "width": 0.5}
        xl.add_series(spec)
        _literal_labels(xl)
        for band, key in ((s.lower, "lower"), (s.upper, "upper")):
            if band is None:
                continue
            r = next(it)
            xl.add_series({"name": f"{s.name} {label(key, lang)}",
                           "categories": [cats.sheet, cats.first_row, cats.column, cats.last_row, cats.column],
                           "values": [r.sheet, r.first_row, r.column, r.last_row, r.column],
                           "line": {"color": COLOURS[i % len(COLOURS)], "width": 1, "dash_type": "round_dot"},
                           "marker": {"type": "none"}})
    xl.set_title({"name": chart.title, "name_font": {"size": 11, "bold": True}})
    value_axis = {"name": chart.y_label, "num_format": num_format, "major_gridlines": {"visible": True,
                  "line": {"color": "#D9D9D9"}}}
    cat_axis = {"name": chart.x_label}
    if chart.kind == "barh":
        xl.set_x_axis(value_axis)
        xl.set_y_axis({**cat_axis, "reverse": True})
    elif chart.kind == "scatter":
        xl.set_x_axis({**cat_axis, "num_format": NUM_FORMATS.get(chart.x_fmt, "General")})
        xl.set_y_axis(value_axis)
    else:
        if len(chart.categories) > 6:
            cat_axis["num_font"] = {"rotation": -45}
        xl.set_x_axis(cat_axis)
        xl.set_y_axis({**value_axis, "min": 0} if chart.kind == "line" else value_axis)
    xl.set_legend({"position": "bottom"} if len(chart.series) > 1 or chart.kind == "line" else {"none": True})
    xl.set_size({"width": CHART_W, "height": CHART_H})
    return xl


def _tables_sheet(ws, tables, f) -> None:
    row, widths = 0, {}
    for t in tables:
        write_cell(ws, row, 0, t.title, f["table_title"])
        row += 1
        for j, c in enumerate(t.columns):
            write_cell(ws, row, j, c.label, f["head"])
            widths[j] = max(widths.get(j, 10), min(40, len(c.label) * 2 + 2))
        row += 1
        for rec in t.rows:
            for j, c in enumerate(t.columns):
                value = rec.get(c.key)
                write_cell(ws, row, j, value if c.fmt != "text" or value is None else str(value), f[f"num.{c.fmt}"])
                if c.fmt == "text" and value is not None:
                    widths[j] = max(widths[j], min(40, len(str(value)) + 2))
            row += 1
        if t.total:
            for j, c in enumerate(t.columns):
                value = t.total.get(c.key)
                write_cell(ws, row, j, value if c.fmt != "text" or value is None else str(value), f[f"total.{c.fmt}"])
            row += 1
        if t.note:
            write_cell(ws, row, 0, t.note, f["note"])
            row += 1
        row += 1
    for j, w in widths.items():
        ws.set_column(j, j, w)
    ws.freeze_panes(0, 1)
