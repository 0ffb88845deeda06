"""Writing exports: a register subset as xlsx (a register crm-xl reads back) or CSV, masked for
outside parties, with a log of who exported what, when and under which approval.

Where an export goes is checked first: an output folder must be empty or hold crm-xl's own earlier
export for the same owner (a marker file says so), an existing output file must be such an export
too, and exports never leave backups (a backup of one owner's export is a copy of their data in the
folder being shared). The log is appended without following a symlink planted in its place.
"""

from __future__ import annotations

import csv
import datetime as dt
import getpass
import json
import os
import zipfile
from pathlib import Path

import pandas as pd

from crm_xl.exports import ExportError
from crm_xl.register import ROW, Register
from crm_xl.schema import ENUMS, SHEETS
from crm_xl.ports.sanitize import csv_safe_frame, log_field

LOG_COLUMNS = ["at", "user", "source", "output", "approval", "owner", "masked", "records", "left_out", "cut"]
MARKER = "crm-xl-export.json"
EXPORT_PROPERTY = "crm-xl export"


def export_identity(owner: str | None, masked: bool) -> dict:
    return {"tool": "crm-xl", "owner": owner or "", "masked": bool(masked)}


# --------------------------------------------------------------------------------------------
# Where an export may be written
# --------------------------------------------------------------------------------------------


def check_csv_folder(folder: Path, owner: str | None, masked: bool) -> list[Path]:
    """Refuse a folder that holds anything but crm-xl's earlier export for the same owner; returns
    that earlier export's files (to be replaced)."""
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        raise ExportError("out_not_folder", f"{folder} 不是文件夹", f"{folder} is not a folder")
    if not folder.exists():
        return []
    entries = sorted(p.name for p in folder.iterdir())
    if not entries:
        return []
    marker = folder / MARKER
    earlier = _read_marker(marker)
    if earlier is None or {k: earlier.get(k) for k in ("tool", "owner", "masked")} != export_identity(owner, masked):
        raise ExportError(
            "out_not_empty",
            f"输出文件夹 {folder} 不是空的，也不是同一负责人此前由 crm-xl 导出的文件夹：请换一个空文件夹",
            f"the output folder {folder} is not empty and not crm-xl's earlier export for the same owner: "
            "use an empty folder")
    files = set(earlier.get("files", []))
    foreign = [n for n in entries if n != MARKER and n not in files]
    if foreign:
        raise ExportError(
            "out_not_empty",
            f"输出文件夹 {folder} 里有不属于此前导出的文件（{', '.join(foreign[:5])}）：请换一个空文件夹",
            f"the output folder {folder} holds files that are not part of the earlier export "
            f"({', '.join(foreign[:5])}): use an empty folder")
    return [folder / n for n in sorted(files) if (folder / n).exists()]


def _read_marker(marker: Path) -> dict | None:
    if not marker.is_file() or marker.is_symlink():
        return None
    try:
        data = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def check_xlsx_target(path: Path, owner: str | None, masked: bool) -> None:
    """An existing output file may be replaced only when it is crm-xl's export for the same owner
    (and the same masking)."""
    if not path.exists() and not path.is_symlink():
        return
    if path.is_symlink() or not path.is_file() or xlsx_identity(path) != export_identity(owner, masked):
        raise ExportError(
            "out_exists",
            f"{path} 已存在，且不是 crm-xl 为同一负责人导出的文件：请换一个文件名",
            f"{path} exists and is not crm-xl's export for the same owner: choose another name")


def xlsx_identity(path: Path) -> dict | None:
    """The export identity stored in an xlsx's custom document properties, if crm-xl wrote one."""
    import defusedxml.ElementTree as SafeET

    try:
        with zipfile.ZipFile(path) as archive:
            data = archive.read("docProps/custom.xml")
        root = SafeET.fromstring(data)
    except Exception:  # not a zip, no custom properties, bad XML: not our export
        return None
    for prop in root:
        if prop.get("name") == EXPORT_PROPERTY:
            try:
                value = json.loads("".join(prop.itertext()))
            except ValueError:
                return None
            return value if isinstance(value, dict) else None
    return None


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------


def write_xlsx(path: Path, register: Register, frames: dict[str, pd.DataFrame], lang: str,
               identity: dict | None = None, settings=None, record: dict | None = None) -> None:
    """``identity``: what export this is (owner, masking), so a later export may replace only its
    own file; ``record``: the export record a later ``crm-xl merge`` finds the book's base by;
    ``settings``: the Settings written (an outside party gets the defaults)."""
    from crm_xl.ports.template import write_register

    kept = _kept_text(register, identity)
    subset = Register(frames={k: frames.get(k, v.iloc[0:0]) for k, v in register.frames.items()},
                      settings=register.settings, lang=lang, unreadable=kept, positions=register.positions)

    def mark(wb, formats) -> None:
        if identity is not None:
            wb.set_custom_property(EXPORT_PROPERTY, json.dumps(identity, ensure_ascii=False))
        if record is not None:
            from crm_xl.ports.books import metadata_writer

            metadata_writer(record)(wb, formats)

    write_register(path, subset, lang=lang, settings=settings or register.settings, after_sheets=mark)


def _kept_text(register: Register, identity: dict | None) -> pd.DataFrame:
    """The cells the reader could not use, with what the user typed: written back by every export
    (never by a masked one, whose free text has to pass the personal-data detector)."""
    return register.unreadable if not (identity or {}).get("masked") else register.unreadable.iloc[0:0]


def write_csv_folder(folder: Path, register: Register, frames: dict[str, pd.DataFrame], lang: str,
                     identity: dict | None = None, earlier: list[Path] = ()) -> list[Path]:
    """One UTF-8-with-BOM CSV per non-empty sheet (labels as headers, formula-like text quoted),
    and the marker naming them; files of the earlier export that this one does not write again
    are removed."""
    from crm_xl.ports.atomic import atomic_path

    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    try:
        _write_csv_files(folder, register, frames, lang, written, typed=_kept_text(register, identity))
    except BaseException:  # a half-written export is no export: remove what this run wrote
        for path in written:
            path.unlink(missing_ok=True)
        (folder / MARKER).unlink(missing_ok=True)
        raise
    for old in earlier:
        if old not in written:
            old.unlink(missing_ok=True)
    if identity is not None:
        with atomic_path(folder / MARKER, backups=0) as tmp:
            tmp.write_text(json.dumps({**identity, "files": sorted(p.name for p in written)}, ensure_ascii=False,
                                      indent=1), encoding="utf-8")
    return written


def _write_csv_files(folder: Path, register: Register, frames: dict[str, pd.DataFrame], lang: str,
                     written: list[Path], typed: pd.DataFrame) -> None:
    from crm_xl.ports.atomic import atomic_path

    for key, frame in frames.items():
        sheet = SHEETS[key]
        if frame.empty or sheet.settings_table:
            continue
        columns = sheet.columns_for(register.settings.profile)
        # Excel row → position in this frame, for the cells whose typed text is written back
        here = typed[typed["sheet"] == key] if len(typed) and ROW in frame.columns else typed.iloc[0:0]
        at = pd.Series(range(len(frame)), index=frame[ROW].to_numpy()) if len(here) else None
        data = {}
        for c in columns:
            col = frame[c.key] if c.key in frame.columns else pd.Series([None] * len(frame))
            if c.enum:
                enum = ENUMS[c.enum]
                col = col.map(lambda v, e=enum: v if pd.isna(v) else e.label(v, lang))
            elif pd.api.types.is_datetime64_any_dtype(col.dtype):
                fmt = "%Y-%m-%d %H:%M" if c.kind == "datetime" else "%Y-%m-%d"
                col = col.dt.strftime(fmt)
            values = col.astype(object).where(col.notna(), None).tolist()
            if at is not None:
                for row, value in here.loc[here["column"] == c.key, ["row", "value"]].itertuples(index=False):
                    if row in at.index and value is not None and not (isinstance(value, float) and pd.isna(value)):
                        values[int(at[row])] = str(value)  # the user's own text, not a blank
            data[c.label(lang)] = values
        table = csv_safe_frame(pd.DataFrame(data))
        path = folder / f"{key}.csv"
        with atomic_path(path, backups=0) as tmp:
            table.to_csv(tmp, index=False, encoding="utf-8-sig", quoting=csv.QUOTE_MINIMAL)
        written.append(path)


def append_log(log: Path, *, source: Path, output: Path, approval: str | None, owner: str | None, masked: bool,
               frames: dict[str, pd.DataFrame], user: str | None = None, left_out: list[str] = (),
               cut: int = 0, follow_symlink: bool = False) -> None:
    """Append one line to the export log (CSV, UTF-8 with BOM), creating it with a header.

    Every field is written as text that cannot become a formula and shows control characters.
    ``follow_symlink``: only when the user named the log themselves may it be a symlink.
    """
    log.parent.mkdir(parents=True, exist_ok=True)
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | (0 if follow_symlink else getattr(os, "O_NOFOLLOW", 0))
    try:
        fd = os.open(log, flags, 0o666)
    except OSError as exc:
        if log.is_symlink() and not follow_symlink:
            raise ExportError("log_symlink", f"导出日志 {log} 是一个符号链接，已拒绝写入（可用 --log 指定日志）",
                              f"the export log {log} is a symbolic link; not written through (name a log with --log)"
                              ) from None
        raise exc
    records = {k: len(v) for k, v in frames.items() if len(v) and not SHEETS[k].settings_table}
    row = [dt.datetime.now().isoformat(timespec="seconds"), user or getpass.getuser(), str(source),
           str(output), approval or "", owner or "", "yes" if masked else "no",
           json.dumps(records, ensure_ascii=False), ", ".join(left_out), str(cut)]
    with os.fdopen(fd, "a", encoding="utf-8", newline="") as fh:
        new = fh.tell() == 0
        writer = csv.writer(fh)
        if new:
            fh.write("\ufeff")
            writer.writerow(LOG_COLUMNS)
        writer.writerow([log_field(v) for v in row])


def drop_row_numbers(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    return {k: v.drop(columns=[ROW], errors="ignore") for k, v in frames.items()}


# --------------------------------------------------------------------------------------------
# One file per owner, with an index
# --------------------------------------------------------------------------------------------

INDEX = "index.csv"


def check_split_folder(folder: Path) -> list[Path]:
    """A folder for one file per owner: empty, or crm-xl's earlier split (its index lists every
    file). Returns the earlier files."""
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        raise ExportError("out_not_folder", f"{folder} 不是文件夹", f"{folder} is not a folder")
    if not folder.exists() or not any(folder.iterdir()):
        return []
    index = folder / INDEX
    listed: set[str] = set()
    if index.is_file() and not index.is_symlink():
        with open(index, encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))
        if rows and rows[0][:2] == ["owner", "file"]:
            listed = {r[1] for r in rows[1:] if len(r) > 1}
    foreign = [p.name for p in folder.iterdir() if p.name != INDEX and p.name not in listed]
    if not listed or foreign:
        raise ExportError(
            "out_not_empty",
            f"文件夹 {folder} 不是空的，也不是 crm-xl 此前按负责人拆分写入的文件夹：请换一个空文件夹",
            f"the folder {folder} is not empty and not an earlier per-owner split by crm-xl: use an empty folder")
    return [folder / n for n in sorted(listed) if (folder / n).exists()]


def write_index(folder: Path, rows: list[tuple[str, str, int]], earlier: list[Path] = ()) -> Path:
    """``index.csv``: owner, file, items — the way back from a file name to its owner. Earlier files
    not written again are removed."""
    from crm_xl.ports.atomic import atomic_path

    names = {file for _, file, _ in rows}
    for old in earlier:
        if old.name not in names:
            old.unlink(missing_ok=True)
    path = folder / INDEX
    with atomic_path(path, backups=0) as tmp:
        with open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["owner", "file", "items"])
            for owner, file, items in rows:
                writer.writerow([log_field(owner), file, items])
    return path
