"""Never silent, errors never erase data — four gaps in reading a user's own spreadsheet.

Each workbook is written with openpyxl as a person (or crm-xl itself) leaves it; what crm-xl writes
is read back with python-calamine, independently of crm-xl's own reader."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from conftest import calamine_rows
from crm_xl.cli import app
from crm_xl.ports.template import write_register
from crm_xl.register import Register
from crm_xl.settings import Settings

runner = CliRunner()
WIDE = {"COLUMNS": "250"}
NOTES = {"zh-CN": "导入说明", "en": "Import notes", "zh-TW": "導入說明"}


def run(*args):
    return runner.invoke(app, [str(a) for a in args], env=WIDE)


def findings(path: Path, *extra: str) -> list[dict]:
    r = run("validate", path, "--format", "json", *extra)
    assert r.exit_code in (0, 1), r.output
    return json.loads(r.output)["findings"]


def customer_book(path: Path, rows: list[list], header=("客户编号", "公司名称", "国家", "首次联系日期", "负责人"),
                  merge: str | None = None, date_column: int = 4, unformatted: tuple[int, ...] = ()) -> Path:
    """A 客户信息 sheet; the cells of ``date_column`` are date-formatted except in rows ``unformatted``
    (0-based among ``rows``: a number typed into a date column as a plain number)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "客户信息"
    ws.append(list(header))
    for i, row in enumerate(rows):
        ws.append(row)
        if i not in unformatted:
            ws.cell(ws.max_row, date_column).number_format = "yyyy-mm-dd"
    if merge:
        ws.merge_cells(merge)
    wb.save(path)
    return path


def notes(path: Path, lang: str = "zh-CN") -> list[list]:
    return calamine_rows(path, NOTES[lang])[1:]


# 1. a column whose header cell is blank ----------------------------------------------------------

@pytest.mark.parametrize("lang", ["zh-CN", "en", "zh-TW"])
def test_values_under_a_blank_header_are_kept_and_counted(tmp_path, lang):
    # 联系方式 merged across D:E (phone | WeChat below), as people head two columns with one title:
    # the E values used to vanish from the import without a word.
    src = customer_book(tmp_path / "客户.xlsx", [
        ["C0001", "Acme Inc.", "美国", "+1 555 0100", "wechat: acme", "张三"],
        ["C0002", "Beta GmbH", "德国", "+49 30 1234", None, "李四"],
        ["C0003", "Gamma Ltd", "英国", None, "wechat: gamma", "李四"],
    ], header=("客户编号", "公司名称", "国家", "联系方式", None, "负责人"), merge="D1:E1", date_column=7)
    out = tmp_path / "台账.xlsx"
    r = run("import", src, "--out", out, "--lang", lang)
    assert r.exit_code == 0, r.output
    kept = notes(out, lang)
    summary = [n for n in kept if n[4] == "E" and n[3] == 1]
    assert len(summary) == 1 and "2" in summary[0][8]
    assert {(n[3], n[5]) for n in kept if n[4] == "E" and n[3] != 1} == {(2, "wechat: acme"), (4, "wechat: gamma")}
    line = {"zh-CN": "没有表头的列（未读取）：E（2 个值）", "en": "columns without a header (not read): E (2)",
            "zh-TW": "沒有表頭的列（未讀取）：E（2 個值）"}[lang]
    assert line in r.output
    # validate of the source: a warning at E1 with the count, in the workbook's language
    [f] = [f for f in findings(src, "--lang", lang) if f["code"] == "R016"]
    assert (f["sheet"], f["row"], f["cell"]) == ("customers", 1, "E1")
    assert {"zh-CN": "E 列没有表头，其中 2 个值未读取", "en": "Column E has no header, so its 2 values are not read",
            "zh-TW": "E 列沒有表頭，其中 2 個值未讀取"}[lang] in f["message"]


def test_a_blank_header_over_an_empty_column_says_nothing(tmp_path):
    src = customer_book(tmp_path / "客户.xlsx", [["C0001", "Acme Inc.", "美国", None, None, "张三"]],
                        header=("客户编号", "公司名称", "国家", "联系方式", None, "负责人"), date_column=7)
    assert not [f for f in findings(src) if f["code"] == "R016"]


# 2. crm-xl's own register imported again -------------------------------------------------------

@pytest.mark.parametrize("lang", ["zh-CN", "en", "zh-TW"])
def test_importing_a_crm_xl_register_takes_no_records_from_its_lists_sheet(tmp_path, lang):
    reg = Register.from_records({"customers": [
        {"customer_id": "C0001", "company_name": "Acme Inc.", "country": "US", "owner": "张三"},
        {"customer_id": "C0002", "company_name": "Beta GmbH", "country": "DE", "owner": "李四"}]},
        settings=Settings(), lang=lang)
    src = tmp_path / "台账.xlsx"
    write_register(src, reg, lang=lang, settings=Settings())
    assert "Lists" in openpyxl.load_workbook(src, read_only=True).sheetnames
    out = tmp_path / "again.xlsx"
    r = run("import", src, "--out", out, "--lang", lang)
    assert r.exit_code == 0, r.output
    assert "Lists" not in r.output  # no coverage line for it: it gave no records
    label = {"zh-CN": "客户", "en": "Customers", "zh-TW": "客戶"}[lang]
    rows = calamine_rows(out, label)[1:]
    assert sorted(r[1] for r in rows if r[0]) == ["Acme Inc.", "Beta GmbH"]
    said = [n for n in notes(out, lang) if n[2] == "Lists"]
    assert len(said) == 1 and {"zh-CN": "crm-xl 自己生成的工作表", "en": "A sheet crm-xl writes itself",
                               "zh-TW": "crm-xl 自己生成的工作表"}[lang] in said[0][8]


def test_a_sheet_guessed_from_its_headers_is_said_to_be_a_guess(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(["公司名称", "国家", "业务员"])
    ws.append(["Acme Inc.", "美国", "张三"])
    wb.save(src := tmp_path / "名单.xlsx")
    out = tmp_path / "台账.xlsx"
    r = run("import", src, "--out", out)
    assert r.exit_code == 0, r.output
    assert "工作表是猜测的（按列标题）" in r.output
    [n] = [n for n in notes(out) if "按猜测" in n[8]]
    assert n[2] == "Sheet1" and "“客户”" in n[8] and "3 个列标题" in n[8]
    r = run("import", src, "--out", tmp_path / "en.xlsx", "--lang", "en")
    assert "the sheet's kind is a guess (by its headers)" in r.output


# 3. a date cell holding 0 or a negative number ---------------------------------------------------

def test_a_date_cell_holding_zero_or_a_negative_number_is_an_unusable_date(tmp_path):
    # Excel shows 1900-01-00 and ##### for these; fastexcel read them as 1899-12-31 and 1899-12-30,
    # which went into every measure as real dates without a finding.
    src = customer_book(tmp_path / "客户.xlsx", [
        ["C0001", "Acme Inc.", "美国", 0, "张三"],
        ["C0002", "Beta GmbH", "德国", -1, "张三"],
        ["C0003", "Gamma Ltd", "英国", -5, "李四"],
        ["C0004", "Delta SA", "法国", dt.datetime(2026, 3, 5), "李四"],
    ])
    got = {f["cell"]: (f["row"], f["value"], f["message"]) for f in findings(src)
           if f["code"] == "R001" and f["column"] == "first_contact_date"}
    assert got == {"D2": (2, 0, "无法识别的日期：“0”"), "D3": (3, -1, "无法识别的日期：“-1”"),
                   "D4": (4, -5, "无法识别的日期：“-5”")}
    en = {f["cell"]: f["message"] for f in findings(src, "--lang", "en") if f["code"] == "R001"}
    assert en["D3"] == "Cannot read “-1” as a date"

    # mixed with text and a time alone: the same, the time shown as Excel shows it
    src = customer_book(tmp_path / "混合.xlsx", [
        ["C0001", "Acme Inc.", "美国", "2026/3/7", "张三"],
        ["C0002", "Beta GmbH", "德国", -1, "张三"],
        ["C0003", "Gamma Ltd", "英国", 0.5, "李四"],
        ["C0004", "Delta SA", "法国", dt.datetime(2026, 3, 5), "李四"],
    ])
    got = {f["cell"]: f["value"] for f in findings(src) if f["code"] == "R001"}
    assert got == {"D3": -1, "D4": "12:00"}


def test_import_of_a_zero_date_keeps_the_record_and_notes_the_cell(tmp_path):
    # python-calamine reads such a cell as a time of day (00:00): the import crashed on it
    src = customer_book(tmp_path / "客户.xlsx", [
        ["C0001", "Acme Inc.", "美国", 0, "张三"],
        ["C0002", "Beta GmbH", "德国", dt.datetime(2026, 3, 5), "李四"],
    ])
    out = tmp_path / "台账.xlsx"
    r = run("import", src, "--out", out)
    assert r.exit_code == 0, r.output
    rows = calamine_rows(out, "客户")
    assert [r[1] for r in rows[1:3]] == ["Acme Inc.", "Beta GmbH"]
    [n] = [n for n in notes(out) if n[4] == "first_contact_date"]
    assert n[3] == 2 and "不是日期" in n[8]
    [f] = [f for f in findings(out) if f["code"] == "R001"]
    assert f["row"] == 2 and f["column"] == "first_contact_date"


# 4. 1e300 in a column mixing dates and numbers ----------------------------------------------------

def test_a_huge_number_in_a_mixed_date_column_gives_a_short_message(tmp_path):
    src = customer_book(tmp_path / "客户.xlsx", [
        ["C0001", "Acme Inc.", "美国", dt.datetime(2026, 3, 5), "张三"],
        ["C0002", "Beta GmbH", "德国", 46000, "张三"],
        ["C0003", "Gamma Ltd", "英国", 1e300, "李四"],
    ], unformatted=(1, 2))  # a date cell, then numbers: the column mixes types and arrives as text
    [f] = [f for f in findings(src) if f["code"] == "R001"]
    assert (f["cell"], f["value"], f["message"]) == ("D4", 1e300, "无法识别的日期：“1e+300”")
    text = run("validate", src, "--lang", "en").output
    assert "Cannot read “1e+300” as a date" in text and "000000000000" not in text


def test_a_long_text_in_a_date_cell_is_cut_in_the_message_but_kept_whole(tmp_path):
    long = "下周再联系，客户说要等老板出差回来再定，大概是月底或者下个月初吧，到时候再确认具体时间"
    src = customer_book(tmp_path / "客户.xlsx", [["C0001", "Acme Inc.", "美国", long, "张三"]])
    [f] = [f for f in findings(src) if f["code"] == "R001"]
    assert f["value"] == long and len(f["message"]) < 60 and f["message"].endswith("…”")
