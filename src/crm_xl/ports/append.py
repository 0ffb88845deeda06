"""A copy of a register with rows appended to some of its sheets, everything else kept as it was.

Used by ``log-mail`` (new 跟进记录 rows) and ``document --record`` (a 变更日志 row per issued number).
The register is a zip of XML parts; this copies every part byte for byte except the worksheets
that get rows (and their tables), where the new ``<row>`` elements are spliced into the sheet XML
as text, so buttons, VBA, formats, formulas, comments and every value the user typed survive —
openpyxl would drop form buttons and shapes when re-saving. New cells take the style of the cell
above them (or the column's style), text is written as inline strings (never a formula), dates as
date serials, enum codes as their labels in the workbook's language; the sheet's dimension and an
Excel Table that ended at the last data row are extended over the new rows.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import zipfile
from pathlib import Path
from typing import Any, Iterable, Mapping
from xml.sax.saxutils import escape

import pandas as pd

from crm_xl.findings import column_letter
from crm_xl.register import ROW, Register
from crm_xl.schema import ENUMS, SHEETS

__all__ = ["append_rows"]

_ROW_RE = re.compile(r"<row\b[^>]*?(?:/>|>.*?</row>)", re.S)
_ROW_NUM = re.compile(r'\br="(\d+)"')
_CELL_RE = re.compile(r'<c\b[^>]*?\br="([A-Z]+)(\d+)"[^>]*?(?:/>|>.*?</c>)', re.S)
_STYLE = re.compile(r'\bs="(\d+)"')
_HAS_VALUE = re.compile(r"<(?:v|is|f)\b")
_EPOCH = dt.datetime(1899, 12, 30)


def _rel_target(base: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(base), target))


def _sheet_parts(z: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → worksheet part path."""
    wb = z.read("xl/workbook.xml").decode("utf-8")
    rels = z.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    targets = {m.group(1): m.group(2) for m in
               re.finditer(r'<Relationship\b[^>]*?\bId="([^"]+)"[^>]*?\bTarget="([^"]+)"', rels)}
    targets.update({m.group(2): m.group(1) for m in
                    re.finditer(r'<Relationship\b[^>]*?\bTarget="([^"]+)"[^>]*?\bId="([^"]+)"', rels)})
    out = {}
    for m in re.finditer(r"<sheet\b[^>]*/>", wb):
        tag = m.group(0)
        name = re.search(r'\bname="([^"]*)"', tag)
        rid = re.search(r'\br:id="([^"]+)"', tag) or re.search(r'\b\w+:id="([^"]+)"', tag)
        if name and rid and rid.group(1) in targets:
            from html import unescape

            out[unescape(name.group(1))] = _rel_target("xl/workbook.xml", targets[rid.group(1)])
    return out


def _col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def _serial(value: dt.datetime) -> float:
    return (value - _EPOCH).total_seconds() / 86400


def _cell_xml(ref: str, value: Any, style: str | None) -> str:
    s = f' s="{style}"' if style is not None else ""
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        v = _serial(pd.Timestamp(value).to_pydatetime().replace(tzinfo=None))
        return f'<c r="{ref}"{s}><v>{round(v, 8)!r}</v></c>'
    if isinstance(value, dt.date):
        return f'<c r="{ref}"{s}><v>{_serial(dt.datetime(value.year, value.month, value.day)):g}</v></c>'
    if isinstance(value, bool):
        return f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"{s}><v>{value!r}</v></c>'
    text = escape(str(value))
    text = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", text)
    return f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def _display(sheet: str, key: str, value: Any, lang: str) -> Any:
    if value is None or (not isinstance(value, (str, dt.date)) and pd.isna(value)):
        return None
    column = SHEETS[sheet].column(key) if SHEETS[sheet].has(key) else None
    if column is not None and column.enum and isinstance(value, str) and value in ENUMS[column.enum].codes:
        return ENUMS[column.enum].label(value, lang)
    return value


def _splice(xml: str, register: Register, sheet: str, records: list[Mapping[str, Any]]) -> tuple[str, int, int]:
    """The sheet XML with ``records`` appended; returns (xml, first new row, last new row)."""
    rows = list(_ROW_RE.finditer(xml))
    numbered = [(int(_ROW_NUM.search(m.group(0)).group(1)), m) for m in rows if _ROW_NUM.search(m.group(0))]
    frame = register.frames[sheet]
    last_data = int(frame[ROW].max()) if len(frame) else 1
    last_filled = max((n for n, m in numbered if _HAS_VALUE.search(m.group(0))), default=1)
    start = max(last_data, last_filled) + 1
    above = {n: m.group(0) for n, m in numbered}
    styles: dict[int, str] = {}
    for n in sorted(above):  # style of the last data cell in each column
        if n >= start:
            break
        for c in _CELL_RE.finditer(above[n]):
            st = _STYLE.search(c.group(0).split(">", 1)[0])
            if st and n > 1:
                styles[_col_index(c.group(1))] = st.group(1)
    for m in re.finditer(r"<col\b[^>]*/>", xml):
        lo, hi = re.search(r'\bmin="(\d+)"', m.group(0)), re.search(r'\bmax="(\d+)"', m.group(0))
        st = _STYLE.search(m.group(0)) or re.search(r'\bstyle="(\d+)"', m.group(0))
        if lo and hi and st:
            for i in range(int(lo.group(1)) - 1, min(int(hi.group(1)), 16384)):
                styles.setdefault(i, st.group(1))
    positions = {key: register.column_index(sheet, key) for key in SHEETS[sheet].keys}
    new_rows: dict[int, str] = {}
    for i, rec in enumerate(records):
        r = start + i
        cells = []
        for key, idx in sorted(((k, p) for k, p in positions.items() if p is not None), key=lambda kv: kv[1]):
            value = _display(sheet, key, rec.get(key), register.lang)
            if value is None or value == "":
                continue
            cells.append(_cell_xml(f"{column_letter(idx)}{r}", value, styles.get(idx)))
        new_rows[r] = f'<row r="{r}">{"".join(cells)}</row>'
    end = start + len(records) - 1
    # Replace empty styled rows that already stand where the new rows go; insert the others in order.
    out, pos = [], 0
    pending = sorted(new_rows)
    for n, m in numbered:
        while pending and pending[0] < n:
            out.append(xml[pos:m.start()])
            pos = m.start()
            out.append(new_rows[pending.pop(0)])
        if pending and pending[0] == n:
            out.append(xml[pos:m.start()])
            out.append(new_rows[pending.pop(0)])
            pos = m.end()
    rest = "".join(new_rows[r] for r in pending)
    tail = xml[pos:]
    if rest:
        if "<sheetData/>" in tail:
            tail = tail.replace("<sheetData/>", f"<sheetData>{rest}</sheetData>", 1)
        else:
            k = tail.index("</sheetData>")
            tail = tail[:k] + rest + tail[k:]
    xml = "".join(out) + tail
    dim = re.search(r'<dimension\s+ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"\s*/>', xml)
    if dim:
        last_col = dim.group(3) or dim.group(1)
        last_row = max(int(dim.group(4) or dim.group(2)), end)
        xml = xml[:dim.start()] + f'<dimension ref="{dim.group(1)}{dim.group(2)}:{last_col}{last_row}"/>' + xml[dim.end():]
    return xml, start, end


def _extend_tables(z: zipfile.ZipFile, part: str, first_new: int, last_new: int) -> dict[str, bytes]:
    """Tables of the worksheet ``part`` that ended just above the new rows, extended over them."""
    rels_name = posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")
    if rels_name not in z.namelist():
        return {}
    rels = z.read(rels_name).decode("utf-8")
    out = {}
    for m in re.finditer(r"<Relationship\b[^>]*/>", rels):
        tag = m.group(0)
        if "/table" not in tag:
            continue
        target = re.search(r'\bTarget="([^"]+)"', tag)
        if not target:
            continue
        name = _rel_target(part, target.group(1))
        xml = z.read(name).decode("utf-8")
        ref = re.search(r'(<table\b[^>]*?\bref=")([A-Z]+\d+):([A-Z]+)(\d+)(")', xml)
        if not ref or int(ref.group(4)) >= last_new or int(ref.group(4)) < first_new - 1:
            continue
        new_ref = f"{ref.group(2)}:{ref.group(3)}{last_new}"
        xml = xml[:ref.start()] + ref.group(1) + new_ref + ref.group(5) + xml[ref.end():]
        xml = re.sub(r'(<autoFilter\b[^>]*?\bref=")[A-Z]+\d+:[A-Z]+\d+(")', rf"\g<1>{new_ref}\g<2>", xml, count=1)
        out[name] = xml.encode("utf-8")
    return out


def append_rows(register: Register, src: str | Path, dst: str | Path,
                rows: Mapping[str, Iterable[Mapping[str, Any]]]) -> dict[str, tuple[int, int]]:
    """Write ``dst``: the workbook ``src`` with ``rows[sheet]`` (canonical keys → values) appended.

    ``register`` is ``src`` as read (it knows each sheet's name, columns and last row). Returns the
    Excel rows written per sheet. Raises ValueError when a sheet is not in the workbook or the
    workbook is not an xlsx/xlsm package.
    """
    src, dst = Path(src), Path(dst)
    if not zipfile.is_zipfile(src):
        raise ValueError(f"{src.name} is not an .xlsx/.xlsm package (decrypt it first)")
    written: dict[str, tuple[int, int]] = {}
    replaced: dict[str, bytes] = {}
    with zipfile.ZipFile(src) as z:
        parts = _sheet_parts(z)
        for sheet, records in rows.items():
            records = list(records)
            if not records:
                continue
            name = register.sheet_names.get(sheet)
            if name is None or name not in parts:
                label = SHEETS[sheet].label(register.lang)
                raise ValueError(f"the workbook has no sheet {label} ({sheet}) to append to")
            part = parts[name]
            xml, first, last = _splice(z.read(part).decode("utf-8"), register, sheet, records)
            replaced[part] = xml.encode("utf-8")
            replaced.update(_extend_tables(z, part, first, last))
            written[sheet] = (first, last)
        with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as out:
            for info in z.infolist():
                data = replaced.get(info.filename)
                if data is None:
                    out.writestr(info, z.read(info.filename))
                else:
                    out.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    return written
