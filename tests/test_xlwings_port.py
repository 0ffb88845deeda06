"""The real `XlwingsPort` (not a stand-in) driven through a fake of xlwings' object model with COM
value semantics (tests/xlwings_fake.py): the entry points give the same results as through the
recording port and the CLI; text stays text; the user's fills and notes stay theirs."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from xlwings_fake import FakeBook, excel_typed

from crm_xl.excel import entry as excel
from crm_xl.excel.port import CloudPathUnmapped, RecordingPort, XlwingsPort
from crm_xl.schema import SHEETS
from crm_xl.workbook import build_workbook

AS_OF = dt.date(2026, 11, 23)
ROOT = Path(__file__).resolve().parents[1]
ENTRIES = ("validate", "refresh", "followups", "complaint_form", "main")
WRITTEN = {"validate": ["校验结果", "crm-xl marks"], "refresh": ["预测", "KPI", "跟进计划", "仪表板"],
           "followups": ["跟进计划"], "complaint_form": ["投诉处理单"], "main": ["预测", "KPI", "跟进计划", "仪表板"]}


@pytest.fixture(scope="module")
def demo_xlsm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("fake") / "demo.xlsm"
    build_workbook(path, demo=True, as_of=AS_OF, macros=True)
    return path


def _normal(grid: list[list[object]]) -> list[list[object]]:
    """Values as COM gives them back (numbers float, dates datetime), trailing blanks dropped."""
    out = []
    for row in grid:
        cells = [excel_typed(v)[0] if not isinstance(v, str) else v for v in row]
        while cells and cells[-1] is None:
            cells.pop()
        out.append(cells)
    while out and not out[-1]:
        out.pop()
    return out


@pytest.mark.parametrize("name", ENTRIES)
def test_real_port_gives_the_recording_ports_results(demo_xlsm: Path, name: str) -> None:
    book = FakeBook.from_file(demo_xlsm, formatted_rows=40)  # blank formatted rows below the data
    real = getattr(excel, name)(XlwingsPort(book), as_of=AS_OF)
    recording = RecordingPort.from_file(demo_xlsm)
    expected = getattr(excel, name)(recording, as_of=AS_OF)
    assert real.ok, real.message
    assert (real.message, real.counts) == (expected.message, expected.counts)
    assert book.app.alerts == [("crm-xl", real.message)]
    assert book.app.statuses[-1] is False  # the status bar is given back to Excel
    for sheet in WRITTEN[name]:
        got = _normal(book.sheet(sheet).grid())
        assert len(got) > 1 and got == _normal(recording.sheets[sheet]), sheet
    if name == "validate":
        assert book.sheet("crm-xl marks").visible is False


def test_real_port_validation_equals_the_cli(demo_xlsm: Path, tmp_path: Path) -> None:
    book = FakeBook.from_file(demo_xlsm)
    book.sheet("客户").put(3, 11, "'not a date")  # K3, typed as text by the user
    XlwingsPort(book).write_block("客户", "K4", [["2026-13-45"]])  # text that is no date stays text
    outcome = excel.validate(XlwingsPort(book), as_of=AS_OF)
    assert outcome.ok
    edited = RecordingPort.from_file(demo_xlsm)
    edited.write_block("客户", "K3", [["not a date"]])
    edited.write_block("客户", "K4", [["2026-13-45"]])
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    result = subprocess.run([sys.executable, "-m", "crm_xl", "validate", str(edited.save_values(tmp_path / "e.xlsx")),
                             "--format", "json", "--as-of", AS_OF.isoformat()],
                            capture_output=True, text=True, timeout=300, env=env)
    expected = {(f["sheet"], f["cell"], f["code"]) for f in json.loads(result.stdout)["findings"]}
    labels = {SHEETS[k].label("zh-CN"): k for k in SHEETS}
    got = {(labels.get(r[0], r[0]), r[1], r[4]) for r in book.sheet("校验结果").grid()[1:]}
    assert got == expected and ("customers", "K3", "R001") in got and ("customers", "K4", "R001") in got


def test_text_is_written_as_text() -> None:
    book = FakeBook()
    book.sheets.add("Sheet1")
    texts = ["2026-03-05", "30,128.00", "=SUM(A1:A3)", "TRUE", "0086-21-5555", "'quoted"]
    XlwingsPort(book).write_block("Sheet1", "A1", [texts, [None, 1, 2.5, dt.date(2026, 3, 5), "", "x"]])
    assert book.sheet("Sheet1").grid()[0] == texts
    assert book.sheet("Sheet1").grid()[1] == [None, 1.0, 2.5, dt.datetime(2026, 3, 5), None, "x"]
    assert not book.sheet("Sheet1").formulas
    # What Excel does with the same strings written plainly (why the port writes them so).
    assert [excel_typed(t)[0] for t in texts[:2]] == [dt.datetime(2026, 3, 5), 30128.0]


def test_sheet_names_ignore_case_as_in_excel() -> None:
    book = FakeBook()
    book.sheets.add("issues")
    port = XlwingsPort(book)
    port.ensure_sheet("Issues", clear=True)  # Excel would refuse to add "Issues" next to "issues"
    port.write_block("Issues", "A1", [["x"]])
    assert [s.name for s in book.sheets] == ["issues"] and book.sheet("issues").grid() == [["x"]]
    recording = RecordingPort(sheets={"issues": []})
    recording.ensure_sheet("Issues")
    recording.write_block("ISSUES", "A1", [["y"]])
    assert list(recording.sheets) == ["issues"] and recording.sheets["issues"] == [["y"]]


def test_users_fills_and_notes_survive_two_validations(demo_xlsm: Path) -> None:
    book = FakeBook.from_file(demo_xlsm)
    customers = book.sheet("客户")
    customers.put(3, 11, "'not a date")  # K3 gets a finding
    customers.colors[(3, 11)] = (0, 176, 80)
    customers.notes[(3, 11)] = "客户说下周补资料"
    customers.colors[(4, 2)] = (255, 255, 0)
    for _ in range(2):
        assert excel.validate(XlwingsPort(book), as_of=AS_OF).ok
    assert customers.colors == {(3, 11): (0, 176, 80), (4, 2): (255, 255, 0)}
    assert customers.notes == {(3, 11): "客户说下周补资料"}
    assert ["customers", "K3", "error", "customers!K3!error"] in book.sheet("crm-xl marks").grid()
    assert not {"range.color=", "range.add_note", "note.delete"} & set(book.calls)


def test_onedrive_path_that_xlwings_cannot_map_gives_the_settings_to_set(demo_xlsm: Path) -> None:
    book = FakeBook.from_file(demo_xlsm)
    book._url = "https://d.docs.live.net/1234abcd/Documents/demo.xlsm"
    with pytest.raises(CloudPathUnmapped):
        XlwingsPort(book).book_path()
    outcome = excel.followups(XlwingsPort(book), as_of=AS_OF)
    assert outcome.ok and outcome.counts["followups"] > 0 and outcome.counts["cloud_path_unmapped"] == 1
    for key in ("ONEDRIVE_CONSUMER_WIN", "ONEDRIVE_COMMERCIAL_WIN", "SHAREPOINT_WIN", "ONEDRIVE_CONSUMER_MAC",
                "xlwings.conf"):
        assert key in outcome.message
    assert book.app.alerts[-1][1] == outcome.message
