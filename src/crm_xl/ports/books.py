"""Salespeople's books on disk: the export record each one carries, the base copy kept beside the
export, and writing a merged master (a normal register plus the 合并冲突 sheet).

An ``export --owner`` workbook carries a custom document property ``crm-xl-export`` (JSON: export
id, owner, source, time) and a read-only copy of itself is kept as
``.crm-xl-bases/<id>.xlsx`` beside it: that copy is the base of a later three-way merge, so
``crm-xl merge`` finds it from the book alone. The book itself is only ever read.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import stat
import uuid
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd

from crm_xl.i18n import pick
from crm_xl.merge import CONFLICT_SHEET, MergeResult, conflict_rows
from crm_xl.register import ROW, Register
from crm_xl.schema import SHEETS

EXPORT_PROPERTY = "crm-xl-export"
BASES_DIR = ".crm-xl-bases"


def new_export_record(owner: str | None, source: str) -> dict[str, Any]:
    return {"id": uuid.uuid4().hex, "owner": owner, "source": Path(str(source)).name,
            "at": dt.datetime.now().replace(microsecond=0).isoformat()}


def metadata_writer(record: dict[str, Any]):
    """An ``after_sheets`` hook for the template writer that stores the export record."""

    def write(wb, _fmts) -> None:
        wb.set_custom_property(EXPORT_PROPERTY, json.dumps(record, ensure_ascii=False))

    return write


def keep_base(export: Path, record: dict[str, Any]) -> Path:
    """Keep a read-only copy of the export as the base of a later merge."""
    folder = export.parent / BASES_DIR
    folder.mkdir(exist_ok=True)
    target = folder / f"{record['id']}{export.suffix}"
    shutil.copyfile(export, target)
    os.chmod(target, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    return target


def read_export_record(path: Path) -> dict[str, Any] | None:
    """The export record of a workbook (docProps/custom.xml), or None."""
    from defusedxml import ElementTree

    try:
        with zipfile.ZipFile(path) as zf:
            if "docProps/custom.xml" not in zf.namelist():
                return None
            info = zf.getinfo("docProps/custom.xml")
            if info.file_size > 1 << 20:
                return None
            root = ElementTree.fromstring(zf.read(info))
    except (zipfile.BadZipFile, OSError, ValueError, ElementTree.ParseError):
        return None
    for prop in root:
        if prop.get("name") == EXPORT_PROPERTY:
            text = "".join(prop.itertext())
            try:
                record = json.loads(text)
            except ValueError:
                return None
            return record if isinstance(record, dict) and isinstance(record.get("id"), str) else None
    return None


def find_base(book: Path, master: Path, record: dict[str, Any] | None) -> Path | None:
    if not record:
        return None
    name = record["id"]
    if not all(ch.isalnum() for ch in name):
        return None
    for folder in (book.parent, master.parent, Path.cwd()):
        for suffix in (".xlsx", ".xlsm", book.suffix):
            candidate = folder / BASES_DIR / f"{name}{suffix}"
            if candidate.exists():
                return candidate
    return None


def book_owner(register: Register, record: dict[str, Any] | None, name: str) -> str:
    if record and record.get("owner"):
        return str(record["owner"])
    owners = set(register["customers"]["owner"].dropna().astype(str).str.strip()) - {""}
    return owners.pop() if len(owners) == 1 else name


def _with_original_text(register: Register, frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Cells of the master that could not be read keep their text in the merged workbook."""
    u = register.unreadable
    if u is None or u.empty:
        return frames
    out = dict(frames)
    for (sheet, column), part in u.groupby(["sheet", "column"]):
        frame = out.get(sheet)
        if frame is None or column not in frame.columns:
            continue
        frame = frame.copy()
        values = frame[column].astype(object)
        where = dict(zip(part["row"].astype(int), part["value"]))
        mask = frame[ROW].isin(where.keys())
        values[mask] = frame.loc[mask, ROW].map(where)
        frame[column] = values
        out[sheet] = frame
    return out


def write_merged(path: Path, master: Register, result: MergeResult, lang: str) -> None:
    """The merged master as a normal register (template writer), plus 合并冲突 when there are conflicts."""
    from crm_xl.ports.template import write_register

    frames = _with_original_text(master, result.frames)
    merged = Register(frames={k: frames.get(k, v) for k, v in master.frames.items()}, settings=master.settings,
                      lang=lang, extras=master.extras)

    def conflicts_sheet(wb, fmts) -> None:
        if not result.conflicts:
            return
        rows = conflict_rows(result, lang)
        ws = wb.add_worksheet(pick(CONFLICT_SHEET[0], CONFLICT_SHEET[1], lang)[:31])
        header = wb.add_format({"bold": True, "bg_color": "#F4CCCC", "text_wrap": True, "valign": "top"})
        for c, text in enumerate(rows[0]):
            ws.write_string(0, c, text, header)
        for r, row in enumerate(rows[1:], start=1):
            for c, text in enumerate(row):
                ws.write_string(r, c, text)
        for c, width in enumerate((12, 12, 14, 18, 18, 18, 16, 10, 40)):
            ws.set_column(c, c, width)
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, len(rows) - 1, len(rows[0]) - 1)
        ws.activate()

    write_register(path, merged, lang=lang, settings=master.settings, after_sheets=conflicts_sheet)


__all__ = ["EXPORT_PROPERTY", "BASES_DIR", "new_export_record", "metadata_writer", "keep_base",
           "read_export_record", "find_base", "book_owner", "write_merged", "SHEETS"]
