"""Hostile input is bounded (issue 14): a far cell, dates beyond pandas' range, duration cells,
hostile Settings and a full disk each end with a result or one clear line — never an abort."""

from __future__ import annotations

import datetime as dt
import errno
import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from crm_xl.cli import app
from crm_xl.ports.template import write_register
from crm_xl.register import Register
from crm_xl.settings import SettingsRows, load_settings

from hostile_registers import hostile_records


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("hostile-input") / "base.xlsx"
    write_register(path, Register.from_records(hostile_records()))
    return path


def edited(base: Path, out: Path, edit) -> Path:
    wb = openpyxl.load_workbook(base)
    edit(wb["客户"])
    wb.save(out)
    return out


def test_a_far_cell_is_one_clear_line_and_exit_2_not_an_abort(base, tmp_path):
    far = edited(base, tmp_path / "far.xlsx", lambda ws: ws.cell(1048576, 16384, "far"))
    for command in (["validate", str(far)], ["analyze", str(far), "--as-of", "2026-11-23"]):
        r = subprocess.run([sys.executable, "-m", "crm_xl", *command], capture_output=True, text=True, timeout=120)
        assert r.returncode == 2, r.stderr
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and "XFD" in lines[0] and "--max-cells" in lines[0]


def test_dates_beyond_2262_and_duration_cells_are_findings_at_their_cell(base, tmp_path):
    def edit(ws):
        ws["K2"] = dt.datetime(2300, 1, 1)
        ws["K2"].number_format = "yyyy-mm-dd"
        ws["M3"] = dt.timedelta(hours=30)
        ws["M3"].number_format = "[h]:mm:ss"
    book = edited(base, tmp_path / "dates.xlsx", edit)
    out = tmp_path / "v.json"
    r = CliRunner().invoke(app, ["validate", str(book), "--format", "json", "--out", str(out), "--lang", "en"])
    assert r.exit_code == 1, r.output
    found = {(f["cell"], f["code"]): f for f in json.loads(out.read_text())["findings"] if f["sheet"] == "customers"}
    assert found[("K2", "R001")]["value"].startswith("2300-01-01")
    assert found[("M3", "R001")]["value"] == "30:00:00"
    # the record still counts: analysis runs and the other customers are graded
    r = CliRunner().invoke(app, ["analyze", str(book), "--as-of", "2026-11-23", "--format", "json"])
    assert r.exit_code == 0, r.output


@pytest.mark.parametrize("key,value,default", [
    ("kpi_weight_sales", -1, 0.5), ("kpi_weight_sales", "nan", 0.5), ("abc_a_share", 5, 0.8),
    ("abc_a_share", 0, 0.8), ("revisit_days_large", 1e308, 30), ("revisit_days_small", 0, 180),
    ("inquiry_response_hours", "inf", 24), ("intel_report_day", 31, 5)])
def test_out_of_range_settings_are_s001_and_keep_the_default(key, value, default):
    settings, findings = load_settings(SettingsRows(values=[(7, key, value)]))
    assert getattr(settings, key) == default
    assert [(f.code, f.row, f.params["key"]) for f in findings] == [("S001", 7, key)]


def test_settings_relations_weights_with_a_positive_sum_and_ordered_shares():
    zero = [(i + 2, k, 0) for i, k in enumerate(("kpi_weight_sales", "kpi_weight_customers", "kpi_weight_process",
                                                 "kpi_weight_teamwork"))]
    settings, findings = load_settings(SettingsRows(values=zero))
    assert sum(settings.kpi_weights.values()) == pytest.approx(1.0) and len(findings) == 4
    settings, findings = load_settings(SettingsRows(values=[(2, "abc_a_share", 0.97)]))
    assert settings.abc_a_share == 0.8 and findings[0].code == "S001"
    # an in-range value is read (the test can fail)
    settings, findings = load_settings(SettingsRows(values=[(2, "abc_a_share", 0.6), (3, "revisit_days_large", 45)]))
    assert (settings.abc_a_share, settings.revisit_days_large, findings) == (0.6, 45, [])


def test_hostile_settings_in_a_workbook_do_not_crash_the_kpi(tmp_path):
    recs = hostile_records()
    recs["settings"] = [{"key": "kpi_weight_sales", "value": "-5"}, {"key": "abc_a_share", "value": "5"},
                        {"key": "revisit_days_large", "value": "1e308"}]
    book = tmp_path / "settings.xlsx"
    write_register(book, Register.from_records(recs))
    out = tmp_path / "a.json"
    r = CliRunner().invoke(app, ["analyze", str(book), "--as-of", "2026-11-23", "--format", "json", "--out", str(out)])
    assert r.exit_code == 0, r.output
    data = json.loads(out.read_text())
    assert all(k["score"] is None or 0 <= k["score"] <= 100 for k in data["kpi"])


def test_a_full_disk_is_one_line_and_leaves_no_partial_output(base, tmp_path, monkeypatch):
    from crm_xl.ports import atomic

    def full(path):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic, "_fsync", full)
    out = tmp_path / "out"
    out.mkdir()
    r = CliRunner().invoke(app, ["export", str(base), "--owner", "张伟", "--out", str(out / "z.xlsx"), "--lang", "en"])
    assert r.exit_code == 2
    assert "disk is full" in r.output and "Traceback" not in r.output
    assert list(out.iterdir()) == []
    r = CliRunner().invoke(app, ["export", str(base), "--owner", "张伟", "--format", "csv", "--out", str(out / "c"),
                                 "--lang", "en"])
    assert r.exit_code == 2 and [p for p in (out / "c").iterdir()] == []


@pytest.mark.parametrize("command", [
    ["followups", "{book}", "--as-of", "2026-11-23", "--out", "{tmp}/plan.xlsx"],
    ["report", "{book}", "--kind", "sales", "--as-of", "2026-11-23", "--out", "{tmp}/r.xlsx"],
    ["export", "{book}", "--mask", "--approval", "A", "--out", "{tmp}/m.xlsx"],
    ["diff", "{book}", "{book}"],
])
def test_every_command_ends_with_a_result_or_one_clear_line(base, tmp_path, command):
    def edit(ws):
        ws.cell(1048576, 16384, "far")
    far = edited(base, tmp_path / "far.xlsx", edit)

    def dates(ws):
        ws["K2"] = dt.datetime(2300, 1, 1)
        ws["M3"] = dt.timedelta(hours=30)
    odd = edited(base, tmp_path / "odd.xlsx", dates)
    for book, expected in ((far, {2}), (odd, {0, 1})):
        args = [a.format(book=book, tmp=tmp_path) for a in command]
        r = CliRunner().invoke(app, args)
        assert r.exit_code in expected, (args, r.output)
        assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
        if r.exit_code == 2:
            assert len(r.output.strip().splitlines()) == 1, r.output
