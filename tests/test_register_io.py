"""Round trip: `crm-xl new` writes what the schema says, and any such workbook reads back."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from crm_xl.i18n import LANGS
from crm_xl.ports.errors import UnreadableWorkbook
from crm_xl.ports.reader import read_register
from crm_xl.ports.template import LISTS_SHEET, sheets_for, write_register
from crm_xl.register import Register
from crm_xl.schema import ENUMS, SHEETS
from crm_xl.settings import SCALAR_KEYS, Settings

from conftest import calamine_rows, sha256


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "crm_xl", *args], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("lang", LANGS)
def test_new_workbook_as_the_schema_says(tmp_path, lang):
    path = tmp_path / f"new-{lang}.xlsx"
    result = run_cli("new", str(path), "--lang", lang)
    assert result.returncode == 0, result.stderr
    wb = CalamineWorkbook.from_path(str(path))
    names = wb.sheet_names
    for key in sheets_for("trade"):
        sheet = SHEETS[key]
        assert sheet.label(lang) in names
        header = calamine_rows(path, sheet.label(lang))[0]
        assert header == [c.label(lang) for c in sheet.columns_for("trade")], key
    assert SHEETS["vehicles"].label(lang) not in names  # an auto-profile sheet
    # dropdowns: the Lists sheet holds each enumeration's labels, and list validations point at them
    lists = calamine_rows(path, LISTS_SHEET)
    columns = {lists[0][i]: [row[i] for row in lists[1:] if row[i] != ""] for i in range(len(lists[0]))}
    for name, enum in ENUMS.items():
        assert columns[name] == enum.labels(lang)
    book = openpyxl.load_workbook(path)
    assert book[LISTS_SHEET].sheet_state == "hidden"
    ws = book[SHEETS["opportunities"].label(lang)]
    stage_col = SHEETS["opportunities"].keys.index("stage")
    letter = openpyxl.utils.get_column_letter(stage_col + 1)
    dv = [d for d in ws.data_validations.dataValidation if f"{letter}2" in d.sqref]
    assert dv and dv[0].type == "list" and dv[0].formula1 == "list_stage"
    assert dv[0].prompt == SHEETS["opportunities"].column("stage").help(lang)
    assert ws.freeze_panes == "B2"
    assert "T_opportunities" in ws.tables
    # the Settings sheet is pre-filled with every default and a note citing the clause
    settings_rows = calamine_rows(path, SHEETS["settings"].label(lang))[1:]
    assert [r[0] for r in settings_rows] == list(SCALAR_KEYS)
    by_key = {r[0]: r for r in settings_rows}
    assert by_key["revisit_days_large"][1] == 30 and "002" in by_key["revisit_days_large"][2]
    # and reads back as the defaults, with no findings
    reg = read_register(path)
    assert reg.lang == lang
    assert reg.findings == [] and reg.unreadable.empty
    assert reg.settings.model_dump(exclude={"language"}) == Settings().model_dump(exclude={"language"})


def _records() -> dict[str, list[dict]]:
    return {
        "customers": [
            {"customer_id": "C1", "company_name": "Müller GmbH", "country": "DE", "source_channel": "trade_fair",
             "owner": "张伟", "first_contact_date": dt.date(2026, 3, 2), "entered_date": dt.date(2026, 3, 3),
             "status": "active", "important": "yes", "annual_purchase_amount": 1200000.5, "currency": "EUR"},
            {"customer_id": "C2", "company_name": "=HYPERLINK(\"http://x\")", "country": "US",
             "source_channel": "referral", "referrer": "C1", "owner": "李娜",
             "first_contact_date": dt.date(2026, 4, 1), "entered_date": dt.date(2026, 4, 1), "status": "prospect"},
        ],
        "opportunities": [
            {"opportunity_id": "O1", "customer_id": "C1", "title": "LED 灯具", "stage": "negotiation", "probability": 0.65,
             "amount": 50000, "currency": "EUR", "created_date": dt.date(2026, 5, 1), "owner": "张伟", "status": "open"},
        ],
    }


@pytest.mark.parametrize("lang", LANGS)
def test_records_round_trip(tmp_path, lang):
    reg = Register.from_records(_records(), lang=lang)
    path = tmp_path / "r.xlsx"
    write_register(path, reg, lang=lang)
    back = read_register(path)
    assert back.counts()["customers"] == 2 and back.counts()["opportunities"] == 1
    c = back["customers"]
    assert c["company_name"].tolist() == ["Müller GmbH", "=HYPERLINK(\"http://x\")"]
    assert c["first_contact_date"].tolist() == [pd.Timestamp("2026-03-02"), pd.Timestamp("2026-04-01")]
    assert c["source_channel"].tolist() == ["trade_fair", "referral"]
    assert c["important"].tolist()[0] == "yes"
    assert c["annual_purchase_amount"].tolist()[0] == 1200000.5
    assert back["opportunities"]["probability"].tolist() == [0.65]
    assert c["_row"].tolist() == [2, 3]
    assert back.cell("customers", 3, "company_name") == "B3"
    # text starting with "=" was written as text, not as a formula
    with zipfile.ZipFile(path) as z:
        sheet_xml = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        assert not any("<f>" in z.read(n).decode() and "HYPERLINK" in z.read(n).decode() for n in sheet_xml)


def _write_plain(path: Path, sheets: dict[str, list[list]]) -> None:
    wb = xlsxwriter.Workbook(str(path))
    for name, rows in sheets.items():
        ws = wb.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                if isinstance(v, dt.datetime):
                    ws.write_datetime(r, c, v, wb.add_format({"num_format": "yyyy-mm-dd"}))
                elif v is not None:
                    ws.write(r, c, v)
    wb.close()


def test_headers_in_any_language_keys_and_widths(tmp_path):
    """Users' own sheets: keys, English, traditional labels, full-width, odd spacing, extra columns."""
    path = tmp_path / "own.xlsx"
    _write_plain(path, {
        "CUSTOMERS": [
            ["", "", "", "", ""],
            ["customer_id", " Company Name ", "國家/地區", "ＯＷＮＥＲ", "My own column", "首次接触日期", "status"],
            ["C1", "Acme Ltd.", "de", "王强", "keep me", "2026/3/5", "合作中"],
            ["C2", "Beta Co., Ltd.", "Japan", "王强", 42, "2026年3月5日", "Active"],
            [None, None, None, None, None, None, None],
            ["C3", "Gamma S.A.", "ES", "王强", None, 46086, "dormant"],
        ],
    })
    reg = read_register(path)
    c = reg["customers"]
    assert c["customer_id"].tolist() == ["C1", "C2", "C3"]
    assert c["_row"].tolist() == [3, 4, 6]  # header in row 2, an empty row skipped
    assert c["country"].tolist() == ["DE", "JP", "ES"]
    assert c["status"].tolist() == ["active", "active", "dormant"]
    assert c["first_contact_date"].dt.date.tolist() == [dt.date(2026, 3, 5)] * 3
    assert "My own column" in c.columns and reg.extras["customers"] == ["My own column"]
    assert reg.cell("customers", 3, "first_contact_date") == "F3"
    assert reg.lang == "en"
    assert reg.unreadable.empty


def test_unreadable_values_become_findings_not_crashes(tmp_path):
    path = tmp_path / "bad.xlsx"
    _write_plain(path, {"客户": [
        ["客户编号", "公司名称", "首次接触日期", "客户状态", "年度采购额"],
        ["C1", "甲公司", "下周三", "合作中", "很多"],
        ["C2", "乙公司", dt.datetime(2026, 1, 5), "不知道", 1000],
    ], "参数设置": [["参数", "取值"], ["entry_deadline_workdays", "两天"], ["scale_large_min", "6,000,000"]]})
    reg = read_register(path)
    codes = {(f.code, f.cell) for f in reg.reader_findings()}
    assert ("R001", "C2") in codes and ("R001", "E2") in codes and ("R002", "D3") in codes
    assert ("S001", None) not in codes
    settings_finding = [f for f in reg.reader_findings() if f.code == "S001"][0]
    assert settings_finding.row == 2 and "两天" in settings_finding.message("zh-CN")
    assert reg.settings.entry_deadline_workdays == 2 and reg.settings.scale_large_min == 6_000_000
    assert "无法识别的日期" in [f for f in reg.reader_findings() if f.cell == "C2"][0].message("zh-CN")
    assert "Cannot read" in [f for f in reg.reader_findings() if f.cell == "C2"][0].message("en")


def test_settings_override_defaults(tmp_path):
    s = Settings(revisit_days_large=21, base_currency="USD", extra_holidays=(dt.date(2026, 12, 24),))
    path = tmp_path / "s.xlsx"
    write_register(path, Register.from_records({"customers": []}, settings=s), settings=s)
    back = read_register(path).settings
    assert back.revisit_days_large == 21 and back.base_currency == "USD"
    assert back.extra_holidays == (dt.date(2026, 12, 24),)


@pytest.mark.parametrize("content,reason", [
    (None, "file_missing"), (b"", "empty_file"), (b"hello, this is not a workbook", "not_a_spreadsheet"),
])
def test_bad_input_exit_2_one_line(tmp_path, content, reason):
    path = tmp_path / "in.xlsx"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(UnreadableWorkbook) as exc:
        read_register(path)
    assert exc.value.reason == reason


def test_encrypted_register_needs_its_password(tmp_path, monkeypatch):
    from crm_xl.ports.crypto import encrypt_workbook

    monkeypatch.delenv("CRM_XL_PASSWORD", raising=False)
    plain, locked = tmp_path / "p.xlsx", tmp_path / "locked.xlsx"
    write_register(plain, Register.from_records(_records()))
    encrypt_workbook(plain, locked, "s3cret")
    with pytest.raises(UnreadableWorkbook) as exc:
        read_register(locked)
    assert exc.value.reason == "password_required"
    with pytest.raises(UnreadableWorkbook) as exc:
        read_register(locked, password="nope")
    assert exc.value.reason == "wrong_password"
    assert read_register(locked, password="s3cret").counts()["customers"] == 2
    monkeypatch.setenv("CRM_XL_PASSWORD", "s3cret")
    assert read_register(locked).counts()["customers"] == 2


def test_workbook_without_register_sheets(tmp_path):
    path = tmp_path / "other.xlsx"
    _write_plain(path, {"Sheet1": [["a", "b"], [1, 2]]})
    with pytest.raises(UnreadableWorkbook) as exc:
        read_register(path)
    assert exc.value.reason == "no_register_sheets"
    assert "找不到任何台账工作表" in exc.value.message("zh-CN")


def test_new_refuses_to_overwrite(tmp_path):
    path = tmp_path / "x.xlsx"
    assert run_cli("new", str(path)).returncode == 0
    before = sha256(path)
    result = run_cli("new", str(path))
    assert result.returncode != 0 and sha256(path) == before


def test_committed_template_is_current():
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": str(root / "src")}  # this checkout's crm_xl, not an installed one
    result = subprocess.run([sys.executable, "-m", "crm_xl", "build", "--check", "--dir", str(root / "workbook")],
                            capture_output=True, text=True, timeout=180, env=env)
    assert {"crm.xlsx", "crm.xlsm"} <= {p.name for p in (root / "workbook").iterdir()}
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.libreoffice
@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_libreoffice_accepts_the_demo_register(tmp_path, lang):
    """A real office suite opens the register and prints it: pages with the sheets' content."""
    import shutil

    from lo import convert, require_soffice

    require_soffice()
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    from crm_xl.workbook import build_workbook

    book = tmp_path / "demo.xlsx"
    build_workbook(book, lang=lang, demo=True, n_customers=15, as_of=dt.date(2026, 11, 23))
    pdf = convert(book, "pdf", tmp_path)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, timeout=60).stdout
    first_customer = read_register(book)["customers"]["company_name"].iloc[0]
    assert SHEETS["customers"].column("company_name").label(lang) in text
    assert first_customer.split()[0] in text
    assert ("使用说明" if lang == "zh-CN" else "How to use") in text or "crm-xl" in text


def test_settings_sheets_apply_over_the_given_settings():
    base = Settings(profile="auto", scale_large_min=9_000_000)
    reg = Register.from_records({"settings": [{"key": "revisit_days_large", "value": "21"}], "customers": []},
                                settings=base)
    assert (reg.settings.profile, reg.settings.scale_large_min, reg.settings.revisit_days_large) == ("auto", 9_000_000, 21)
    reg = Register.from_records({"fx_rates": [{"currency": "USD", "rate": 7}]}, settings=base)
    assert reg.settings.profile == "auto" and [r.currency for r in reg.settings.fx_rates] == ["USD"]
