"""Write the follow-up plan (跟进计划) workbook with xlsxwriter (SPEC F6.5, F6.6).

One sheet in the workbook's language: a header row with an autofilter and frozen panes, one row
per follow-up item, rows due on the as-of date filled yellow and overdue rows red. Text is always
written as text (a name such as ``=HYPERLINK(...)`` stays text, F9.6); the item rows go in as one
block of columns (:mod:`crm_xl.ports.sheet_rows`) with their text in the cells (``inline``, as
xlsxwriter's constant-memory mode writes it) rather than a shared-string table: the same cells for
Excel, WPS and every reader, about a quarter less time writing a plan of 10k items.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from crm_xl.i18n import pick
from crm_xl.ports.packaging import Workbook
from crm_xl.ports.sheet_rows import RowsWorksheet, date_serials

__all__ = ["COLUMNS", "owner_file_name", "owner_file_names", "sheet_name", "write_followup_book", "write_owner_books"]

# (frame column, zh label, en label, width)
COLUMNS: tuple[tuple[str, str, str, float], ...] = (
    ("owner", "负责人", "Owner", 10),
    ("due", "到期日", "Due", 11),
    ("priority", "优先级", "Priority", 8),
    ("customer_id", "客户编号", "Customer ID", 11),
    ("customer_name", "客户名称", "Customer", 26),
    ("reason", "事由", "Reason", 22),
    ("why", "说明", "Details", 60),
    ("greeting", "问候建议", "Greeting", 24),
    ("contact_id", "联系人编号", "Contact ID", 11),
    ("opportunity_id", "机会编号", "Opportunity ID", 12),
    ("ticket_id", "工单编号", "Ticket ID", 10),
    ("result", "跟进结果", "Result", 24),
)
_PRIORITY = {1: ("1 高", "1 high"), 2: ("2 中", "2 medium"), 3: ("3 低", "3 low")}


def sheet_name(lang: str) -> str:
    return pick("跟进计划", "Follow-up plan", lang)


def owner_file_names(owners: list[str], lang: str) -> dict[str, str]:
    """A file name per owner, e.g. ``跟进计划_张三.xlsx``: unique and reversible (``Team/A`` →
    ``跟进计划_Team%2FA.xlsx``; long names shortened with a hash), see
    :func:`crm_xl.ports.sanitize.unique_file_names`."""
    from crm_xl.ports.sanitize import unique_file_names

    return unique_file_names([str(o) for o in owners], f"{sheet_name(lang).replace(' ', '-')}_", ".xlsx")


def owner_file_name(owner: str, lang: str) -> str:
    """The file name of one owner's workbook (as :func:`owner_file_names` gives it among others)."""
    return owner_file_names([owner], lang)[str(owner)]


def write_owner_books(plan: pd.DataFrame, folder: Path, lang: str, as_of: date) -> list[tuple[str, Path, int]]:
    """One plan workbook per owner in ``folder`` plus ``index.csv`` (owner → file). The folder must
    be empty or crm-xl's earlier split; no backups are left in it. Returns (owner, path, items)."""
    from crm_xl.ports.atomic import atomic_path
    from crm_xl.ports.export import check_split_folder, write_index

    earlier = check_split_folder(folder)
    folder.mkdir(parents=True, exist_ok=True)
    groups = [(str(owner), rows) for owner, rows in plan.groupby("owner", sort=True)]
    names = owner_file_names([o for o, _ in groups], lang)
    written = []
    for owner, rows in groups:
        target = folder / names[owner]
        with atomic_path(target, backups=0) as tmp:
            n = write_followup_book(rows, tmp, lang, as_of)
        written.append((owner, target, n))
    write_index(folder, [(o, p.name, n) for o, p, n in written], earlier)
    return written


def _values(rows: pd.DataFrame, key: str) -> list:
    """The column's values as ``to_dict("records")`` gives them (None for a column not in the plan)."""
    if key not in rows.columns:
        return [None] * len(rows)
    if isinstance(rows[key].dtype, pd.StringDtype):  # str or a missing value, fast
        return rows[key].astype(object).tolist()
    return [rec[0] for rec in rows[[key]].set_axis([0], axis=1).to_dict("records")]


def _text(value) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def write_followup_book(frame: pd.DataFrame, path: str | Path, lang: str, as_of: date) -> int:
    """Write the plan to ``path`` (a new file); returns the number of item rows written."""
    today = pd.Timestamp(as_of).normalize()
    wb = Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    wb.set_properties({"title": f"{sheet_name(lang)} {today.date().isoformat()}", "author": "crm-xl"})
    ws = wb.add_worksheet(sheet_name(lang), worksheet_class=RowsWorksheet)
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"})
    fills = {"normal": {}, "today": {"bg_color": "#FFF2CC"}, "overdue": {"bg_color": "#F8CBAD", "font_color": "#9C0006"}}
    fmt = {(kind, typ): wb.add_format({**props, "border": 1, "valign": "top", "text_wrap": typ == "wrap",
                                       **({"num_format": "yyyy-mm-dd"} if typ == "date" else {})})
           for kind, props in fills.items() for typ in ("text", "wrap", "date")}
    for col, (key, zh, en, width) in enumerate(COLUMNS):
        ws.write_string(0, col, pick(zh, en, lang), head)
        ws.set_column(col, col, width)
    ws.set_row(0, 20)
    rows = frame.reset_index(drop=True)
    # each row's fill from its due date; then the cells a column at a time, in one block
    dues = _values(rows, "due")
    kinds = ["overdue" if due < today else "today" if due == today else "normal" for due in dues]
    columns = []
    for col, (key, *_rest) in enumerate(COLUMNS):
        if key not in ("due", "priority") and key in rows.columns and isinstance(rows[key].dtype, pd.StringDtype):
            typ = "wrap" if key in ("why", "greeting", "reason") else "text"
            columns.append((col, rows[key].fillna("").tolist(), [fmt[(kind, typ)] for kind in kinds]))
            continue  # a text column: "" for a missing value, as _text gives, without a call per cell
        if key == "due":
            serials = date_serials(rows["due"]) if "due" in rows.columns else None
            columns.append((col, dues if serials is None else serials, [fmt[(kind, "date")] for kind in kinds]))
            continue
        values = _values(rows, key)
        if key == "priority":
            values = [pick(*_PRIORITY.get(int(v), (str(v), str(v))), lang) for v in values]
        typ = "wrap" if key in ("why", "greeting", "reason") else "text"
        columns.append((col, [_text(v) for v in values], [fmt[(kind, typ)] for kind in kinds]))
    ws.write_rows(1, columns, len(rows), inline=True)
    ws.autofilter(0, 0, max(len(rows), 1), len(COLUMNS) - 1)
    ws.freeze_panes(1, 0)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)
    ws.set_header(f"&L{sheet_name(lang)}&R{today.date().isoformat()}")
    ws.set_footer("&C&P / &N")
    wb.close()
    return len(rows)
