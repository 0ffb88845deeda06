"""The Excel entry points against the recording port: same results as the CLI's library path, a
bounded number of port calls, and no user-entered cell ever changed."""

from __future__ import annotations

import pandas as pd

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from crm_xl.excel import entry as excel
from crm_xl.excel.port import RecordingPort, read_register as read_from_port
from crm_xl.ports.reader import read_register
from crm_xl.register import Register
from crm_xl.schema import SHEETS
from crm_xl.workbook import build_workbook

AS_OF = dt.date(2026, 11, 23)
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.xlsx"
    build_workbook(path, demo=True, as_of=AS_OF)
    return path


def _input_cells(port: RecordingPort) -> dict[tuple[str, int, int], object]:
    """Every cell of every register sheet outside the derived columns."""
    register, layouts = read_from_port(port)
    cells = {}
    for key, layout in layouts.items():
        derived = {i for c, i in layout.positions.items() if SHEETS[key].column(c).derived}
        for r, row in enumerate(port.sheets[layout.name]):
            for c, value in enumerate(row):
                if c not in derived and value is not None:
                    cells[(layout.name, r + 1, c)] = value
    return cells


def _cli(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return subprocess.run([sys.executable, "-m", "crm_xl", *args], capture_output=True, text=True, timeout=300, env=env)


def test_port_register_equals_the_file_reader(demo_file: Path) -> None:
    from_file = read_register(demo_file)
    from_port, _ = read_from_port(RecordingPort.from_file(demo_file))
    assert from_port.settings == from_file.settings
    assert from_port.lang == from_file.lang
    for key in SHEETS:
        a, b = from_file.frames[key], from_port.frames[key]
        assert list(a.columns) == list(b.columns), key
        assert a.astype(object).where(a.notna(), None).equals(b.astype(object).where(b.notna(), None)), key
        assert from_port.positions.get(key) == from_file.positions.get(key)


def test_validate_matches_the_cli_and_marks_cells(demo_file: Path) -> None:
    port = RecordingPort.from_file(demo_file)
    port.write_block("客户", "K3", [["not a date"]])  # an unreadable first-contact date
    before = _input_cells(port)
    outcome = excel.validate(port, as_of=AS_OF)
    assert outcome.ok, outcome.message
    before_run = RecordingPort.from_file(demo_file)
    before_run.write_block("客户", "K3", [["not a date"]])
    edited = before_run.save_values(demo_file.parent / "edited.xlsx")  # the same cells, for the CLI
    result = _cli("validate", str(edited), "--format", "json", "--as-of", AS_OF.isoformat())
    expected = {(f["sheet"], f["cell"], f["code"]) for f in json.loads(result.stdout)["findings"]}
    labels = {SHEETS[k].label("zh-CN"): k for k in SHEETS}
    rows = port.sheets["校验结果"][1:]
    got = {(labels.get(r[0], r[0]), r[1], r[4]) for r in rows}
    assert got == expected
    assert ("customers", "K3", "R001") in got
    marks = {(r[0], r[1]): r[2] for r in port.sheets[excel.MARKS_SHEET][1:]}
    assert marks[("customers", "K3")] == "error"
    assert "crm-xl marks" in port.hidden
    assert not port.fills and not port.notes  # colours come from conditional formats, not from cell fills
    assert port.links[("校验结果", "B2")][0].endswith("!" + rows[0][1])
    after = _input_cells(port)
    assert after == before

    # Fix the cell: the next run no longer marks it.
    port.write_block("客户", "K3", [[dt.datetime(2026, 1, 5)]])
    excel.validate(port, as_of=AS_OF)
    assert ("customers", "K3") not in {(r[0], r[1]) for r in port.sheets[excel.MARKS_SHEET][1:]}


def test_user_notes_and_fills_survive_two_validations(demo_file: Path) -> None:
    port = RecordingPort.from_file(demo_file)
    port.write_block("客户", "K3", [["not a date"]])
    port.fills[("客户", "K3")] = "#00B050"  # the user's own green fill on the cell that gets a finding
    port.notes[("客户", "K3")] = "客户说下周补资料"  # and the user's own note
    port.fills[("客户", "B4")] = "#FFFF00"
    for _ in range(2):
        assert excel.validate(port, as_of=AS_OF).ok
        assert ("customers", "K3", "error") in {tuple(r[:3]) for r in port.sheets[excel.MARKS_SHEET][1:]}
    assert port.fills == {("客户", "K3"): "#00B050", ("客户", "B4"): "#FFFF00"}
    assert port.notes == {("客户", "K3"): "客户说下周补资料"}
    assert port.count("set_fill") == port.count("set_notes") == 0


def test_marks_of_an_older_crm_xl_are_cleared_once(demo_file: Path) -> None:
    """crm-xl 0.1 filled flagged cells and recorded (sheet, cell, fill to restore): undone on the next run."""
    port = RecordingPort.from_file(demo_file)
    port.ensure_sheet(excel.MARKS_SHEET, hidden=True)
    port.write_block(excel.MARKS_SHEET, "A1", [["sheet", "cell", "restore_fill"], ["客户", "C5", None]])
    port.fills[("客户", "C5")], port.notes[("客户", "C5")] = "#FFC7CE", "crm-xl:\n[V001] …"
    excel.validate(port, as_of=AS_OF)
    assert ("客户", "C5") not in port.fills and ("客户", "C5") not in port.notes
    assert port.sheets[excel.MARKS_SHEET][0] == ["sheet", "cell", "severity", "key"]


def test_followups_match_the_cli_library_path(demo_file: Path) -> None:
    from crm_xl.review import review

    port = RecordingPort.from_file(demo_file)
    before = _input_cells(port)
    outcome = excel.followups(port, as_of=AS_OF)
    assert outcome.ok, outcome.message
    register = read_register(demo_file)
    plan = review(register, AS_OF, lang=register.lang).plan  # exactly what `crm-xl followups` writes
    rows = port.sheets["跟进计划"]
    header = rows[0]
    got = [(r[header.index("客户编号")], r[header.index("到期日")].date(), r[header.index("原因")]) for r in rows[1:]]
    expected = [(rec.customer_id if isinstance(rec.customer_id, str) else None, rec.due.date(), rec.reason)
                for rec in plan.itertuples()]
    assert got == expected and len(got) > 0
    assert _input_cells(port) == before


def test_complaint_forms_for_open_complaints(demo_file: Path) -> None:
    from crm_xl.forms import open_complaints

    port = RecordingPort.from_file(demo_file)
    before = _input_cells(port)
    outcome = excel.complaint_form(port, as_of=AS_OF)
    ids = open_complaints(read_register(demo_file))
    assert outcome.ok and outcome.counts["forms"] == len(ids) > 0
    grid = port.sheets["投诉处理单"]
    shown = [row[1] for row in grid if row and row[0] == "工单编号"]
    assert shown == ids
    assert _input_cells(port) == before


def test_refresh_writes_only_derived_columns(demo_file: Path) -> None:
    port = RecordingPort.from_file(demo_file)
    before = _input_cells(port)
    outcome = excel.refresh(port, as_of=AS_OF)
    assert _input_cells(port) == before
    assert outcome.ok, outcome.message
    result = _cli("analyze", str(demo_file), "--as-of", AS_OF.isoformat(), "--format", "json")
    customers = {c["customer_id"]: c for c in json.loads(result.stdout)["customers"]}
    register, layouts = read_from_port(port)
    frame = register.frames["customers"]
    graded = 0
    for rec in frame.itertuples():
        want = customers.get(rec.customer_id)
        if want is None:  # a customer row with errors is not graded: its derived cells stay blank
            assert pd.isna(rec.scale) and pd.isna(rec.abc)
            continue
        graded += 1
        assert rec.scale == want["scale"] and rec.abc == want["abc"] and rec.risk == want["risk"]
    assert graded > len(frame) * 0.9


def _synthetic(n: int) -> Register:
    customers = [{"customer_id": f"C{i:05d}", "company_name": f"Company {i}", "country": "DE", "owner": "张伟",
                  "first_contact_date": "2026-01-05" if i % 10 else "bad date", "entered_date": "2026-01-06",
                  "status": "合作中", "annual_purchase_amount": 1000.0 * i}
                 for i in range(n)]
    tickets = [{"ticket_id": f"T{i:05d}", "type": "complaint", "received_at": "2026-11-02 10:00",
                "customer_id": f"C{i:05d}", "urgency": "high", "status": "investigating", "description": "broken"}
               for i in range(0, n, 50)]
    return Register.from_records({"customers": customers, "tickets": tickets})


@pytest.mark.slow
def test_port_calls_do_not_grow_with_rows(tmp_path: Path) -> None:
    counts = {}
    for n in (100, 10_000):
        port = RecordingPort.from_register(_synthetic(n), tmp_path, name=f"n{n}.xlsx")
        # unreadable dates become findings in both sizes (the port reads the text as written)
        port.write_block("客户", "K2", [["bad date"]])
        calls = {}
        for entry in (excel.validate, excel.followups, excel.complaint_form, excel.refresh):
            port.calls.clear()
            outcome = entry(port, as_of=AS_OF)
            calls[entry.__name__] = (dict(port.call_counts()), outcome.ok)
        counts[n] = calls
        assert port.count() > 0
    assert counts[100] == counts[10_000]
    assert "set_fill" not in counts[10_000]["validate"][0] and "set_notes" not in counts[10_000]["validate"][0]
