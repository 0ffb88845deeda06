"""Big registers (written as xlsxwriter's constant-memory mode wrote them) and the block writer behind every register sheet."""

from __future__ import annotations

from crm_xl.ports import template
from crm_xl.ports.reader import read_register
from crm_xl.register import Register


def test_streamed_workbook_keeps_headers_and_reads_back(tmp_path, monkeypatch):
    monkeypatch.setattr(template, "BIG", 3)  # 4 customers + settings rows ≥ 3 → constant_memory mode
    reg = Register.from_records({"customers": [
        {"customer_id": f"C{i}", "company_name": f"Co {i}", "country": "US", "source_channel": "trade_fair",
         "owner": "张三", "first_contact_date": "2026-01-01", "entered_date": "2026-01-02", "status": "active"}
        for i in range(4)]})
    path = tmp_path / "big.xlsx"
    template.write_register(path, reg, lang="en")
    back = read_register(path)
    assert back.frames["customers"]["customer_id"].tolist() == ["C0", "C1", "C2", "C3"]
    assert back.frames["customers"]["_row"].tolist() == [2, 3, 4, 5]


def test_streamed_workbook_keeps_every_dropdown_list(tmp_path, monkeypatch):
    """constant_memory mode needs cells row by row; the Lists sheet is written a column at a time,
    so a big register used to keep only its first list (every dropdown but one empty)."""
    from python_calamine import CalamineWorkbook

    monkeypatch.setattr(template, "BIG", 3)
    reg = Register.from_records({"customers": [{"customer_id": f"C{i}", "company_name": f"Co {i}"} for i in range(4)]})
    big, small = tmp_path / "big.xlsx", tmp_path / "small.xlsx"
    template.write_register(big, reg, lang="en")
    monkeypatch.setattr(template, "BIG", 50_000)
    template.write_register(small, reg, lang="en")
    lists = [CalamineWorkbook.from_path(str(p)).get_sheet_by_name(template.LISTS_SHEET).to_python() for p in (big, small)]
    assert lists[0] == lists[1]
    assert len(lists[0][0]) > 10 and all(lists[0][0])


def _block_values():
    import datetime as dt
    from decimal import Decimal

    import numpy as np
    import pandas as pd

    return [
        ["text", "", "=HYPERLINK(\"x\")", " padded ", "a & <b>", "ctrl\x01_x0041_", None, "x" * 40_000],
        [1, 2.5, -0.0, 10 ** 20, 1e-300, float("nan"), True, False],
        [pd.Timestamp("2026-11-23 10:30"), dt.date(1900, 1, 1), dt.datetime(1900, 2, 28), pd.NaT, pd.NA,
         dt.date(2026, 3, 5), pd.Timestamp("1899-12-31"), None],
        [Decimal("1.5"), np.int64(3), np.float64(4.5), dt.time(8, 0), None, "z", 0, "z"],
    ]


def test_rows_block_is_byte_for_byte_the_per_cell_file(tmp_path):
    """RowsWorksheet.write_rows gives the same file as xlsxwriter's write_* calls cell by cell
    (shared strings and styles numbered in the same order, the same spans)."""
    import datetime as dt
    import zipfile

    import pandas as pd
    import xlsxwriter

    from crm_xl.ports.sheet_rows import RowsWorksheet

    columns = _block_values()
    n = len(columns[0])

    def build(path, fast):
        wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                             "strings_to_numbers": False})
        wb.set_properties({"created": dt.datetime(2026, 1, 1)})
        ws = wb.add_worksheet("S", worksheet_class=RowsWorksheet)
        head = wb.add_format({"bold": True})
        red = wb.add_format({"bg_color": "#FF0000"})
        date = wb.add_format({"num_format": "yyyy-mm-dd"})
        col_fmt = wb.add_format({"italic": True})
        ws.set_column(3, 3, 12, col_fmt)
        for c in range(4):
            ws.write_string(0, c, f"H{c}", head)
        formats = [None, [red if i % 2 else None for i in range(n)], date, None]
        if fast:
            ws.write_rows(1, [(c, values, formats[c]) for c, values in enumerate(columns)], n)
        else:
            for r in range(n):
                for c, values in enumerate(columns):
                    v, fmt = values[r], formats[c][r] if isinstance(formats[c], list) else formats[c]
                    if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and v != v):
                        ws.write_blank(r + 1, c, None, fmt)
                    elif isinstance(v, str):
                        ws.write_string(r + 1, c, v, fmt)
                    elif isinstance(v, (pd.Timestamp, dt.datetime, dt.date)):
                        v = v.to_pydatetime() if isinstance(v, pd.Timestamp) else v
                        ws.write_datetime(r + 1, c, v if isinstance(v, dt.datetime) else dt.datetime(v.year, v.month, v.day), fmt)
                    elif isinstance(v, bool):
                        ws.write_boolean(r + 1, c, v, fmt)
                    elif isinstance(v, (int, float)):
                        ws.write_number(r + 1, c, v, fmt)
                    else:
                        ws.write_string(r + 1, c, str(v), fmt)
        ws.write_comment(3, 1, "a note")
        ws.write_string(n + 2, 0, "below", head)
        wb.close()

    slow, fast = tmp_path / "slow.xlsx", tmp_path / "fast.xlsx"
    build(slow, False)
    build(fast, True)
    with zipfile.ZipFile(slow) as a, zipfile.ZipFile(fast) as b:
        assert a.namelist() == b.namelist()
        for name in a.namelist():
            assert a.read(name) == b.read(name), name


def test_rows_block_in_line_reads_back_like_the_shared_strings_one(tmp_path):
    import xlsxwriter
    from python_calamine import CalamineWorkbook

    from crm_xl.ports.sheet_rows import RowsWorksheet

    columns = _block_values()
    out = []
    for inline in (False, True):
        path = tmp_path / f"{inline}.xlsx"
        wb = xlsxwriter.Workbook(str(path))
        ws = wb.add_worksheet("S", worksheet_class=RowsWorksheet)
        date = wb.add_format({"num_format": "yyyy-mm-dd"})
        ws.write_rows(0, [(c, values, date if c == 2 else None) for c, values in enumerate(columns)],
                      len(columns[0]), inline=inline, chunk_rows=3)
        wb.close()
        out.append(CalamineWorkbook.from_path(str(path)).get_sheet_by_name("S").to_python())
    assert out[0] == out[1]
    assert out[0][0][0] == "text" and out[0][5][0] == "ctrl\x01_x0041_" and len(out[0][7][0]) == 32_767


def test_rows_worksheet_table_still_refuses_overlaps(tmp_path):
    """RowsWorksheet.add_table records its first table as a rectangle, not a cell at a time: a later
    table or merge over it is refused as xlsxwriter refuses it, one beside it is not."""
    import pytest
    import xlsxwriter
    from xlsxwriter.exceptions import OverlappingRange

    from crm_xl.ports.sheet_rows import RowsWorksheet

    wb = xlsxwriter.Workbook(str(tmp_path / "t.xlsx"))
    ws = wb.add_worksheet("T", worksheet_class=RowsWorksheet)
    assert ws.add_table(0, 0, 200, 5, {"name": "T_one"}) == 0
    with pytest.raises(OverlappingRange, match="A1:F201"):
        ws.add_table(200, 5, 210, 8, {"name": "T_two"})
    with pytest.raises(OverlappingRange, match="A1:F201"):
        ws.merge_range(150, 4, 150, 7, "")
    with pytest.raises(OverlappingRange, match="A1:F201"):
        ws.add_table("B2:C3", {"name": "T_three"})
    assert ws.add_table(0, 7, 10, 9, {"name": "T_four"}) == 0  # beside it
    with pytest.raises(OverlappingRange, match="H1:J11"):
        ws.merge_range(5, 9, 5, 11, "")
    wb.close()
