"""Writing exports: a register subset as xlsx (a register crm-xl reads back) or CSV, masked for
outside parties, with a sidecar log of who exported what, when and under which approval."""

from __future__ import annotations

import csv
import datetime as dt
import getpass
import json
from pathlib import Path

import pandas as pd

from crm_xl.exports import MASKED_COLUMNS
from crm_xl.register import ROW, Register
from crm_xl.schema import ENUMS, SHEETS
from crm_xl.ports.sanitize import (csv_safe_frame, mask_email, mask_email_series, mask_im_series,
                                   mask_phone, mask_phone_series, mask_text_series)

LOG_COLUMNS = ["at", "user", "source", "output", "approval", "owner", "masked", "records"]


def _mask_contact(series: pd.Series) -> pd.Series:
    return series.map(lambda v: v if pd.isna(v) else (mask_email(v) if "@" in str(v) else mask_phone(v)))


MASKERS = {
    "phone": mask_phone_series, "email": mask_email_series, "im": mask_im_series,
    "address": lambda s: mask_text_series(s, keep=6), "name": lambda s: mask_text_series(s, keep=1),
    "contact": _mask_contact,
}


def mask_frames(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    out = dict(frames)
    for key, columns in MASKED_COLUMNS.items():
        if key not in out:
            continue
        frame = out[key].copy()
        for column, kind in columns.items():
            if column in frame.columns:
                frame[column] = MASKERS[kind](frame[column]).astype("string")
        out[key] = frame
    return out


def write_xlsx(path: Path, register: Register, frames: dict[str, pd.DataFrame], lang: str,
               record: dict | None = None) -> None:
    """``record``: the export record a later ``crm-xl merge`` finds the book's base by."""
    from crm_xl.ports.template import write_register

    subset = Register(frames={k: frames.get(k, v.iloc[0:0]) for k, v in register.frames.items()},
                      settings=register.settings, lang=lang)
    after = None
    if record is not None:
        from crm_xl.ports.books import metadata_writer

        after = metadata_writer(record)
    write_register(path, subset, lang=lang, settings=register.settings, after_sheets=after)


def write_csv_folder(folder: Path, register: Register, frames: dict[str, pd.DataFrame], lang: str) -> list[Path]:
    """One UTF-8-with-BOM CSV per non-empty sheet (labels as headers, formula-like text quoted)."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for key, frame in frames.items():
        sheet = SHEETS[key]
        if frame.empty or sheet.settings_table:
            continue
        columns = sheet.columns_for(register.settings.profile)
        data = {}
        for c in columns:
            col = frame[c.key] if c.key in frame.columns else pd.Series([None] * len(frame))
            if c.enum:
                enum = ENUMS[c.enum]
                col = col.map(lambda v, e=enum: v if pd.isna(v) else e.label(v, lang))
            elif pd.api.types.is_datetime64_any_dtype(col.dtype):
                fmt = "%Y-%m-%d %H:%M" if c.kind == "datetime" else "%Y-%m-%d"
                col = col.dt.strftime(fmt)
            data[c.label(lang)] = col.astype(object).where(col.notna(), None).tolist()
        table = csv_safe_frame(pd.DataFrame(data))
        path = folder / f"{key}.csv"
        from crm_xl.cli.app import atomic_output

        with atomic_output(path) as tmp:
            table.to_csv(tmp, index=False, encoding="utf-8-sig", quoting=csv.QUOTE_MINIMAL)
        written.append(path)
    return written


def append_log(log: Path, *, source: Path, output: Path, approval: str | None, owner: str | None, masked: bool,
               frames: dict[str, pd.DataFrame], user: str | None = None) -> None:
    """Append one line to the export log (CSV, UTF-8 with BOM), creating it with a header."""
    log.parent.mkdir(parents=True, exist_ok=True)
    new = not log.exists()
    records = {k: len(v) for k, v in frames.items() if len(v) and not SHEETS[k].settings_table}
    with open(log, "a", encoding="utf-8-sig" if new else "utf-8", newline="") as fh:
        writer = csv.writer(fh)
        if new:
            writer.writerow(LOG_COLUMNS)
        writer.writerow([dt.datetime.now().isoformat(timespec="seconds"), user or getpass.getuser(), str(source),
                         str(output), approval or "", owner or "", "yes" if masked else "no",
                         json.dumps(records, ensure_ascii=False)])


def drop_row_numbers(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    return {k: v.drop(columns=[ROW], errors="ignore") for k, v in frames.items()}
