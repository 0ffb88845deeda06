"""``crm-xl import``'s reading side (crm_xl.ports.sources): sheets parsed on two threads, the
tables handed back in the workbook's order with every cell as one sheet after the other gives."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from crm_xl.ports import sources
from crm_xl.ports.errors import UnreadableWorkbook


def _book(path):
    """Sheets of very different sizes (the loader takes the largest first), a vertical merge,
    dates, numbers, blanks and Chinese text."""
    wb = xlsxwriter.Workbook(str(path))
    sizes = {"说明": 3, "客户表": 4000, "订单": 9000, "小表": 12, "跟进": 6000}
    for name, n in sizes.items():
        ws = wb.add_worksheet(name)
        ws.write_row(0, 0, ["客户名称", "金额", "日期", "备注"])
        for r in range(1, n):
            row = [f"{name}公司{r % 97}", r * 1.25, None, "" if r % 5 else "样品"]
            if name == "小表" and r <= 4:  # column A under the merged range below is left empty
                ws.write_row(r, 1, row[1:])
            else:
                ws.write_row(r, 0, row)
            ws.write_datetime(r, 2, dt.datetime(2026, 1, 1) + dt.timedelta(days=r % 300),
                              wb.add_format({"num_format": "yyyy-mm-dd"}) if r == 1 else None)
    wb.get_worksheet_by_name("小表").merge_range("A2:A5", "合并的客户")
    wb.close()
    return list(sizes)


def test_tables_in_the_workbooks_order_with_every_cell(tmp_path, monkeypatch):
    path = tmp_path / "own.xlsx"
    names = _book(path)
    threads = set()
    real = CalamineWorkbook.get_sheet_by_name

    def spy(self, name):
        threads.add(threading.current_thread().name)
        return real(self, name)

    monkeypatch.setattr(CalamineWorkbook, "get_sheet_by_name", spy, raising=False)
    tables = sources.read_workbook(path)
    assert [t.name for t in tables] == names
    assert any(t.startswith("crm-xl-load") for t in threads)  # parsed on the loader threads
    monkeypatch.undo()
    wb = CalamineWorkbook.from_path(str(path))
    for t in tables:  # the same cells as a sheet-by-sheet read of the same file
        want = [[None if v == "" else sources._plain(v) if not isinstance(v, str) else v for v in r]
                for r in wb.get_sheet_by_name(t.name).to_python(skip_empty_area=False)]
        if t.name == "小表":
            for r in range(2, 5):
                want[r][0] = "合并的客户"  # the merged range's value in every row it covers
        assert t.rows == want, t.name
        assert t.source == str(path)


def test_a_broken_sheet_is_an_unreadable_workbook(tmp_path):
    import zipfile

    good = tmp_path / "good.xlsx"
    _book(good)
    bad = tmp_path / "bad.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet3.xml":
                data = data[: len(data) // 2]  # cut off mid-sheet
            dst.writestr(info, data)
    with pytest.raises(UnreadableWorkbook) as err:
        sources.read_workbook(bad)
    assert err.value.reason in ("corrupt_file", "corrupt_zip", "malformed_xml")


def test_import_lets_go_of_each_table_once_its_records_are_made():
    """``import_tables(consumed(tables))``: a table's cells are freed before the next table's records
    are made (a team's workbook of 100k customers is about 2 GB as Python values), and the result is
    the one the list itself gives."""
    import gc
    import weakref

    from crm_xl.intake.importer import SourceTable, consumed, import_tables

    def tables():
        return [SourceTable("own.xlsx", "客户", [["客户名称", "国家"], ["Hamburg Trading GmbH", "德国"],
                                                 ["Acme Inc", "美国"]]),
                SourceTable("own.xlsx", "商机", [["客户名称", "金额", "阶段"], ["Acme Inc", "USD 12,000", "报价"]]),
                SourceTable("own.xlsx", "订单", [["客户名称", "订单金额"], ["Acme Inc", "5万元"]])]

    first: list[weakref.ref] = []
    alive_when_last_began: list[bool] = []

    class Rows(list):  # the last table's rows: report, when read, whether the first table is still held
        def __iter__(self):
            gc.collect()
            alive_when_last_began.append(first[0]() is not None)
            return super().__iter__()

    given = tables()
    given[-1] = SourceTable(given[-1].source, given[-1].name, Rows(given[-1].rows))
    first.append(weakref.ref(given[0]))
    streamed = import_tables(consumed(given))
    assert given == [] and alive_when_last_began[:1] == [False]
    whole = import_tables(tables())
    assert streamed.sources == whole.sources == ["own.xlsx"] * 3
    assert {k: len(v) for k, v in streamed.records.items()} == {k: len(v) for k, v in whole.records.items()}
    for key in whole.records:
        assert streamed.records[key].equals(whole.records[key]), key
