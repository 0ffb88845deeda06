"""What intake mapped, guessed and left out — as findings and as the data-coverage line.

The reader fills one :class:`SheetIntake` per register sheet it read and keeps them on
``Register.intake``; every door shows them the same way: validate lists the findings, analyze /
report / followups print one coverage line per sheet ("销售机会：391 行，已识别 17/19 列；未识别：
金额、下次跟进"), and ``analyze --format json`` carries them as ``coverage.sheets``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from crm_xl.findings import Finding
from crm_xl.i18n import Text, pick
from crm_xl.intake import units
from crm_xl.intake.matching import GUESSES, HeaderMatch, match_key
from crm_xl.messages import define
from crm_xl.schema import SHEETS

CLAUSE = "000 一(三)2 数据准确性"
UNMAPPED_HEADER = define(
    "R004", "info", "列“{header}”未识别，是否为“{suggestion}”？其内容已保留，但不参与计算",
    "Column “{header}” is not recognised — is it “{suggestion}”? Its values are kept but not used",
    CLAUSE, "未识别的列", "Unrecognised column")
UNMAPPED_HEADER_NO_HINT = define(
    "R005", "info", "列“{header}”未识别，其内容已保留，但不参与计算",
    "Column “{header}” is not recognised; its values are kept but not used", CLAUSE, "未识别的列（无建议）",
    "Unrecognised column (no suggestion)")
GUESSED_HEADER = define(
    "R006", "info", "列“{header}”按相似度识别为“{label}”（相似度 {score}%），如不对请在映射文件中更正",
    "Column “{header}” was taken as “{label}” ({score}% similar); correct it in a map file if wrong",
    CLAUSE, "按相似度识别的列", "Column matched by similarity")
GUESSED_BY_VALUES = define(
    "R012", "info", "列“{header}”按其内容识别为“{label}”（{score}% 的值是该列的选项），如不对请在映射文件中更正",
    "Column “{header}” was taken as “{label}” by its values ({score}% are its options); correct it in a map file if wrong",
    CLAUSE, "按内容识别的列", "Column matched by its values")
GUESSED_SHEET = define(
    "R007", "info", "工作表“{name}”识别为“{label}”（{how}）", "Sheet “{name}” was read as “{label}” ({how})",
    CLAUSE, "识别的工作表", "Sheet recognised")
UNKNOWN_SHEET = define(
    "R008", "info", "工作表“{name}”未识别为任何台账表，未读取", "Sheet “{name}” matches no register sheet and was not read",
    CLAUSE, "未识别的工作表", "Unrecognised sheet")
CURRENCY_CONFLICT = define(
    "R009", "error", "金额“{value}”写明的币种 {named} 与本行币种 {currency} 矛盾，该金额不参与计算",
    "Amount “{value}” names {named} but the row's currency is {currency}; the amount is not used",
    CLAUSE, "金额币种矛盾", "Amount contradicts the currency")
DATE_NO_YEAR = define(
    "R010", "warning", "日期“{value}”没有年份，已按本列其他日期取 {year} 年，请核对",
    "Date “{value}” has no year; {year} was taken from the column's other dates — please check",
    CLAUSE, "日期缺少年份", "Date without a year")
KEY_FIGURE_MISSING = define(
    "R011", "warning", "{sheet}缺少“{label}”列，{figure}无法计算（不是 0）",
    "{sheet} has no “{label}” column, so {figure} cannot be computed (it is not 0)",
    CLAUSE, "关键数字无法计算", "Key figure cannot be computed")
HEADER_UNIT_APPLIED = define(
    "R013", "info", "列“{header}”的单位是“{unit}”：{how}",
    "Column “{header}” is in “{unit}”: {how}",
    CLAUSE, "按表头单位换算", "Values scaled by the header's unit")
HEADER_UNIT_NOT_MONEY = define(
    "R014", "warning", "列“{header}”写有单位“{unit}”，但“{label}”不是金额列，单位未换算，数值按原样读取，请核对",
    "Column “{header}” names the unit “{unit}” but “{label}” is not an amount: the unit is not applied and "
    "the values are read as written — please check",
    CLAUSE, "非金额列的单位", "Unit on a column that is no amount")
HEADER_UNIT_UNKNOWN = define(
    "R015", "warning", "列“{header}”括号中的“{unit}”不是已知的金额单位，数值按原样读取，请核对",
    "Column “{header}”: “{unit}” in brackets is no known unit of money, so the values are read as written "
    "— please check",
    CLAUSE, "未知的表头单位", "Unknown unit in a header")

BLANK_HEADER = define(
    "R016", "warning", "{column} 列没有表头，其中 {count} 个值未读取，请补上表头",
    "Column {column} has no header, so its {count} values are not read — give it a header",
    CLAUSE, "没有表头的列", "Column without a header")


def unit_how(unit: "units.HeaderUnit") -> Text:
    """What a header's unit did to its values: "数值已乘以 10,000（1 读作 10,000）；…"."""
    zh, en = [], []
    if unit.factor != 1:
        factor = units.show_factor(unit.factor)
        zh.append(f"数值已乘以 {factor}（1 读作 {factor}）")
        en.append(f"the numbers were multiplied by {factor} (1 reads as {factor})")
    if unit.currency:
        zh.append(f"未填币种的行按 {unit.currency}，币种不是 {unit.currency} 的行该金额不参与计算")
        en.append(f"rows without a currency are taken as {unit.currency}; in rows of another currency the "
                  "amount is not used")
    return Text("；".join(zh), "; ".join(en))


def unit_findings(sheet_key: str, matches: Iterable[HeaderMatch], header_row: int) -> list[Finding]:
    """What every header's unit meant for its column (see :func:`crm_xl.intake.units.effect`)."""
    sheet = SHEETS[sheet_key]
    out = []
    for m in matches:
        if not m.key or not sheet.has(m.key):
            continue
        column = sheet.column(m.key)
        what = units.effect(column.kind, m.unit)
        if what is None:
            continue
        code, params, severity = {
            units.SCALE: (HEADER_UNIT_APPLIED, {"how": unit_how(m.unit)}, "info"),
            units.NOT_MONEY: (HEADER_UNIT_NOT_MONEY, {"label": Text(column.label("zh-CN"), column.label("en"))},
                              "warning"),
            units.UNKNOWN: (HEADER_UNIT_UNKNOWN, {}, "warning"),
        }[what]
        out.append(Finding(sheet_key, header_row, m.key, code, severity,
                           {"header": m.header, "unit": m.unit.text, **params}, m.header,
                           cell=_cell(m.index, header_row)))
    return out


def unit_scales(sheet_key: str, matches: Iterable[HeaderMatch]) -> dict[int, tuple[Any, str | None]]:
    """Source column index → (factor, currency) for the columns whose values a header unit scales."""
    sheet = SHEETS[sheet_key]
    return {m.index: (m.unit.factor, m.unit.currency) for m in matches
            if m.key and sheet.has(m.key) and units.effect(sheet.column(m.key).kind, m.unit) == units.SCALE}


HOW_TEXT = {"exact": ("名称一致", "same name"), "synonym": ("常用名称", "a usual name"),
            "fuzzy": ("名称相似", "similar name"), "map": ("映射文件", "the map file"),
            "headers": ("按列标题", "by its headers")}


@dataclass
class SheetIntake:
    """How one source sheet was read into one register sheet."""

    key: str
    name: str  # the sheet's name in the source
    how: str = "exact"  # exact | synonym | fuzzy | map | headers
    header_row: int = 1  # Excel row of the header
    rows: int = 0  # records read
    matches: list[HeaderMatch] = field(default_factory=list)
    source: str | None = None  # the file it came from (import of several files)
    blank_columns: dict[int, int] = field(default_factory=dict)  # 0-based column → values under a blank header

    @property
    def mapped(self) -> list[HeaderMatch]:
        return [m for m in self.matches if m.key or m.how == "split"]

    @property
    def unmapped(self) -> list[HeaderMatch]:
        return [m for m in self.matches if not m.key and m.how not in ("ignored", "split")]

    @property
    def guessed(self) -> list[HeaderMatch]:
        return [m for m in self.matches if m.how in GUESSES]

    def to_json(self) -> dict[str, Any]:
        out = {
            "sheet": self.key, "source_sheet": self.name, "matched_by": self.how, "header_row": self.header_row,
            "rows_read": self.rows, "columns_mapped": len(self.mapped), "columns_total": len(self.matches),
            "mapped": {m.header: m.key or m.suggestion for m in self.mapped},
            "unmapped_headers": [m.header for m in self.unmapped],
            "suggestions": {m.header: m.suggestion for m in self.unmapped if m.suggestion},
            "guessed_mappings": [{"header": m.header, "column": m.key, "score": round(m.score, 1)} for m in self.guessed],
        }
        sheet = SHEETS[self.key]
        header_units = {}
        for m in self.matches:
            what = units.effect(sheet.column(m.key).kind, m.unit) if m.key and sheet.has(m.key) else None
            if what is not None:
                factor = m.unit.factor
                header_units[m.header] = {"column": m.key, "unit": m.unit.text, "applied": what == units.SCALE,
                                          "factor": int(factor) if factor == factor.to_integral() else float(factor),
                                          "currency": m.unit.currency}
        if header_units:  # only where a header has a unit (the key is absent otherwise)
            out["header_units"] = header_units
        if self.blank_columns:  # only where a column has values under a blank header
            out["columns_without_header"] = {_letter(i): n for i, n in self.blank_columns.items()}
        return out

    def line(self, lang: str, label: str | None = None) -> str:
        """The data-coverage line: "销售机会：391 行，已识别 17/19 列；未识别：金额、下次跟进"."""
        own = SHEETS[self.key].label(lang)
        label = label or own
        if match_key(label) != match_key(own):
            label = pick(f"{label}（{own}）", f"{label} ({own})", lang)
        sep = ", " if lang == "en" else "、"
        text = pick(f"{label}：{self.rows} 行，已识别 {len(self.mapped)}/{len(self.matches)} 列",
                    f"{label}: {self.rows} rows, {len(self.mapped)}/{len(self.matches)} columns recognised", lang)
        if self.unmapped:
            names = sep.join(m.header for m in self.unmapped)
            text += pick(f"；未识别：{names}", f"; not recognised: {names}", lang)
        split = [m for m in self.matches if m.how == "split" and m.suggestion]
        if split:
            names = sep.join(f"{m.header}→{_split_label(m.suggestion, lang)}" for m in split)
            text += pick(f"；拆分到其他表：{names}", f"; split to other sheets: {names}", lang)
        if self.guessed:
            names = sep.join(f"{m.header}→{SHEETS[self.key].column(m.key).label(lang)}" for m in self.guessed)
            text += pick(f"；按相似度识别：{names}", f"; guessed: {names}", lang)
        if self.blank_columns:
            names = sep.join(f"{_letter(i)} ({n})" if lang == "en" else f"{_letter(i)}（{n} 个值）"
                             for i, n in self.blank_columns.items())
            text += pick(f"；没有表头的列（未读取）：{names}", f"; columns without a header (not read): {names}", lang)
        if self.how in ("fuzzy", "headers"):
            how = HOW_TEXT[self.how]
            text += pick(f"；工作表是猜测的（{how[0]}），如不对请在映射文件中更正",
                         f"; the sheet's kind is a guess ({how[1]}) — correct it in a map file if wrong", lang)
        scaled, kept = [], []
        for f in unit_findings(self.key, self.matches, self.header_row):
            if f.code == HEADER_UNIT_APPLIED:
                m = next(m for m in self.matches if m.header == f.value)
                scaled.append(f"{m.header} ×{units.show_factor(m.unit.factor)}" if m.unit.factor != 1
                              else f"{m.header} {m.unit.currency}")
            else:
                kept.append(str(f.value))
        if scaled:
            text += pick(f"；按表头单位换算：{sep.join(scaled)}", f"; scaled by the header's unit: {sep.join(scaled)}", lang)
        if kept:
            text += pick(f"；表头单位未换算：{sep.join(kept)}", f"; header unit not applied: {sep.join(kept)}", lang)
        return text

    def findings(self, lang: str) -> list[Finding]:
        out = []
        sheet = SHEETS[self.key]
        if self.how not in ("exact",):
            how = HOW_TEXT.get(self.how, (self.how, self.how))
            out.append(Finding(self.key, None, None, GUESSED_SHEET, "info",
                               {"name": self.name, "label": sheet.label(lang), "how": pick(how[0], how[1], lang)}))
        for m in self.matches:
            if m.how in GUESSES and m.key:
                out.append(Finding(self.key, self.header_row, m.key,
                                   GUESSED_BY_VALUES if m.how == "values" else GUESSED_HEADER, "info",
                                   {"header": m.header, "label": sheet.column(m.key).label(lang),
                                    "score": f"{m.score:.0f}"}, m.header))
            elif not m.key and m.how not in ("ignored", "split"):
                params = {"header": m.header}
                code = UNMAPPED_HEADER_NO_HINT
                if m.suggestion and sheet.has(m.suggestion):
                    params["suggestion"] = sheet.column(m.suggestion).label(lang)
                    code = UNMAPPED_HEADER
                out.append(Finding(self.key, self.header_row, None, code, "info", params, m.header,
                                   cell=_cell(m.index, self.header_row)))
        for index, count in self.blank_columns.items():
            out.append(Finding(self.key, self.header_row, None, BLANK_HEADER, "warning",
                               {"column": _letter(index), "count": count}, None, cell=_cell(index, self.header_row)))
        out += unit_findings(self.key, self.matches, self.header_row)
        return out


def _split_label(target: str, lang: str) -> str:
    sheet, column = target.split(".", 1)
    return f"{SHEETS[sheet].label(lang)}.{SHEETS[sheet].column(column).label(lang)}"


def _letter(index: int) -> str:
    from crm_xl.findings import column_letter

    return column_letter(index)


def _cell(index: int, row: int) -> str:
    from crm_xl.findings import column_letter

    return f"{column_letter(index)}{row}"


@dataclass
class IntakeReport:
    """Every sheet a reader read, and the source sheets it could not place."""

    sheets: dict[str, SheetIntake] = field(default_factory=dict)
    unknown_sheets: list[str] = field(default_factory=list)

    def findings(self, lang: str) -> list[Finding]:
        out: list[Finding] = []
        for s in self.sheets.values():
            out += s.findings(lang)
        for name in self.unknown_sheets:
            out.append(Finding("customers", None, None, UNKNOWN_SHEET, "info", {"name": name}, name))
        return out

    def unit_currency(self, sheet: str, column: str) -> str | None:
        """The currency the header unit of a register column names (``金额(千美元)`` → USD), else None."""
        s = self.sheets.get(sheet)
        for m in (s.matches if s is not None else ()):
            if m.key == column and m.unit is not None:
                return m.unit.currency
        return None

    def coverage(self) -> dict[str, Any]:
        """``coverage.sheets`` of ``analyze --format json``."""
        return {key: s.to_json() for key, s in self.sheets.items()}

    def lines(self, lang: str, keys: Iterable[str] | None = None, labels: dict[str, str] | None = None) -> list[str]:
        labels = labels or {}
        return [s.line(lang, s.name) for s in self.sheets.values() if keys is None or s.key in keys]


# The figure each sheet exists for, and the column it cannot be computed without.
KEY_FIGURES: dict[str, tuple[str, tuple[str, str]]] = {
    "opportunities": ("amount", ("加权销售预测", "the weighted pipeline")),
}


def key_figure_findings(report: IntakeReport, lang: str) -> list[Finding]:
    """A sheet that was read but lacks the column its key figure needs says so (instead of 0)."""
    out = []
    for key, (column, figure) in KEY_FIGURES.items():
        s = report.sheets.get(key)
        if s is None or any(m.key == column for m in s.matches):
            continue
        sheet = SHEETS[key]
        out.append(Finding(key, s.header_row, column, KEY_FIGURE_MISSING, "warning",
                           {"sheet": s.name, "label": sheet.column(column).label(lang),
                            "figure": pick(figure[0], figure[1], lang)}))
    return out


def coverage_lines(register: Any, lang: str) -> list[str]:
    """One line per sheet read, plus one per key figure that cannot be computed (every door prints
    these before its results). Registers built in memory (no ``intake``) have none."""
    report: IntakeReport | None = getattr(register, "intake", None)
    if report is None:
        return []
    data = [s.key for s in report.sheets.values() if not SHEETS[s.key].settings_table]
    lines = report.lines(lang, data, labels=dict(getattr(register, "sheet_names", {}) or {}))
    for f in key_figure_findings(report, lang):
        lines.append(f.message(lang))
    return lines


def coverage_json(register: Any) -> dict[str, Any]:
    """``coverage.sheets``: per sheet rows read, columns mapped, unmapped headers, guesses; and
    ``key_figures``: the figures a missing column makes impossible."""
    report: IntakeReport | None = getattr(register, "intake", None)
    if report is None:
        return {}
    out = report.coverage()
    for key, (column, _) in KEY_FIGURES.items():
        if key in out:
            out[key]["key_figure_computable"] = column in out[key]["mapped"].values()
    # several source sheets may feed one register sheet (one per salesperson): keyed "<key>#<name>"
    return out
