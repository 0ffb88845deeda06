"""Data protection tried as an adversary would (issue 14): masked exports leak nothing, an owner's
export holds only theirs, text stays text. Commands run through the CLI runner; outputs are read
back with python-calamine and scanned with an independent regex scanner (tests/hostile_registers.py).
"""

from __future__ import annotations

import csv
import os
from pathlib import Path
from urllib.parse import unquote

import pytest
from python_calamine import CalamineWorkbook
from typer.testing import CliRunner

from crm_xl.cli import app
from crm_xl.personal_data import PersonalDataDetector
from crm_xl.ports.template import write_register
from crm_xl.register import Register

from hostile_registers import (CHART_OWNERS, COLLIDING_OWNERS, EMAILS, HANDLES, PHONES, formula_refs,
                               hostile_records, leaks_in_text, pii_text, scan_file, scan_zip)


def run(*args: str):
    result = CliRunner().invoke(app, list(args))
    return result


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("hostile") / "register.xlsx"
    write_register(path, Register.from_records(hostile_records()))
    return path


def rows(path: Path, sheet: str) -> list[list]:
    data = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()
    return [r for r in data[1:] if any(v not in ("", None) for v in r)]


# ---- the detector on its own ---------------------------------------------------------------------

@pytest.mark.parametrize("text", [pii_text(i) for i in range(12)])
def test_detector_masks_every_planted_value(text):
    masked = PersonalDataDetector(["DE", "US", "GB", "JP"]).mask(text)
    assert leaks_in_text(masked) == [], masked
    assert masked.startswith("客户说 call ") and masked.endswith("下周回访")  # the words around stay


def test_detector_leaves_dates_amounts_and_references_alone():
    d = PersonalDataDetector(["DE"])
    text = "2026-03-05 14:30 交货 1,250,000.00 EUR, order SO20260001, 合同 HT-2026-0001, line 3"
    assert d.mask(text) == text


def test_months_and_quarters_are_not_phone_numbers():
    # A period (考核期 2025-11, 2026-Q3) or a delivery month in a note was masked as a phone
    # ("****2511") in a masked export with --include staff: the text the user typed was lost.
    d = PersonalDataDetector(["DE", "US", "MX", "GB", "FR", "BR", "IN", "AE", "JP", "VN", "NG", "CL"])
    for text in ["2025-11", "2026-Q3", "2026H1", "交期 2025-11 前", "2025年11月交货", "2025/11, 2026/1"]:
        assert d.mask(text) == text, text
    # ... while phones that merely contain such digits are still masked
    for text in ["+49 2025-11 345", "电话 2025-1134", "0049 2025 11"]:
        assert d.mask(text) != text, text


def test_masked_staff_export_keeps_periods(tmp_path):
    import datetime as dt

    from crm_xl.workbook import demo_register

    register, _ = demo_register(as_of=dt.date(2026, 11, 23), n_customers=30)
    book = tmp_path / "demo.xlsx"
    write_register(book, register)
    out = tmp_path / "share" / "masked.xlsx"
    r = run("export", str(book), "--mask", "--approval", "A-1", "--include", "staff", "--out", str(out))
    assert r.exit_code == 0, r.output
    read = lambda path: CalamineWorkbook.from_path(str(path)).get_sheet_by_name("人员与目标").to_python()
    before, after = read(book), read(out)
    col = before[0].index("考核期")
    assert [row[col] for row in after[1:]] == [row[col] for row in before[1:]]
    assert any("-" in str(row[col]) for row in after[1:])
    # the summary names what was left out on one line (it was hard-wrapped at 80 columns)
    assert any(line.startswith("未导出（可用 --include 加入）：") and line.endswith("联系人·生日")
               for line in r.output.splitlines()), r.output


def test_ticket_contact_info_is_masked_whole():
    d = PersonalDataDetector()
    assert d.mask("john.smith@example.com / 13812345678") == "j***@example.com / 138****5678"
    assert d.mask("WeChat zhangsan_88") == "WeChat z***"


# ---- masked export ------------------------------------------------------------------------------

def test_masked_export_leaks_no_phone_email_or_handle(hostile, tmp_path):
    out = tmp_path / "share" / "masked.xlsx"
    r = run("export", str(hostile), "--mask", "--approval", "A-1", "--out", str(out))
    assert r.exit_code == 0, r.output
    assert scan_zip(out) == []
    # the change log is masked the same way, and the record still says what changed
    log = rows(out, "变更日志")
    assert len(log) == len(hostile_records()["changelog"]) and all("*" in str(r[5]) for r in log)
    # left out for an outside party: staff targets, order costs, birthdays, the company's Settings
    assert rows(out, "人员与目标") == []
    header = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("订单").to_python()[0]
    assert all(r[header.index("成本")] in ("", None) for r in rows(out, "订单"))
    c_header = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("联系人").to_python()[0]
    assert all(r[c_header.index("生日")] in ("", None) for r in rows(out, "联系人"))
    assert "人员与目标" in r.output or "staff" in r.output
    # the unmasked register did hold them (the test can fail)
    assert scan_zip(hostile)


def test_include_flag_brings_back_what_it_names(hostile, tmp_path):
    out = tmp_path / "with-costs.xlsx"
    r = run("export", str(hostile), "--mask", "--approval", "A-1", "--include", "costs", "--out", str(out))
    assert r.exit_code == 0, r.output
    header = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("订单").to_python()[0]
    assert {r[header.index("成本")] for r in rows(out, "订单")} == {700.0}
    assert rows(out, "人员与目标") == []
    assert run("export", str(hostile), "--mask", "--approval", "A", "--include", "salaries",
               "--out", str(tmp_path / "x.xlsx")).exit_code == 2


def test_masked_csv_export_leaks_nothing(hostile, tmp_path):
    out = tmp_path / "csv"
    r = run("export", str(hostile), "--mask", "--approval", "A-1", "--format", "csv", "--out", str(out))
    assert r.exit_code == 0, r.output
    files = sorted(out.glob("*.csv"))
    assert {p.stem for p in files} >= {"customers", "contacts", "tickets", "changelog"}
    for f in files:
        assert scan_file(f) == [], f


def test_auto_profile_masks_private_persons_names_and_plates(tmp_path):
    from crm_xl.settings import Settings

    recs = {"customers": [{"customer_id": "K1", "company_name": "王小明", "owner": "张伟", "country": "CN",
                           "source_channel": "referral", "first_contact_date": "2026-03-02",
                           "entered_date": "2026-03-03", "status": "active", "wechat": "wxid_wang88"}],
            "contacts": [{"contact_id": "P1", "customer_id": "K1", "name": "王小明", "phone": "13812345678",
                          "birthday": "1990-03-07"}],
            "vehicles": [{"vin": "LSVAU2180N2183294", "customer_id": "K1", "plate": "粤B12345"}]}
    book = tmp_path / "auto.xlsx"
    write_register(book, Register.from_records(recs, settings=Settings(profile="auto")))
    out = tmp_path / "auto-masked.xlsx"
    r = run("export", str(book), "--mask", "--approval", "A", "--out", str(out))
    assert r.exit_code == 0, r.output
    text = str(rows(out, "客户")) + str(rows(out, "联系人")) + str(rows(out, "车辆档案"))
    assert "王小明" not in text and "王***" in text
    assert "粤B12345" not in text and "粤B***" in text
    assert "1990" not in text and "wxid_wang88" not in text


def test_overlong_value_is_a_stated_finding(tmp_path):
    recs = hostile_records()
    recs["customers"][0]["notes"] = "长" * 40_000
    book = tmp_path / "long.xlsx"
    write_register(book, Register.from_records(recs))  # the register itself cuts at Excel's limit
    from crm_xl.exports import cut_overlong

    reg = Register.from_records(recs)
    frames, found = cut_overlong(dict(reg.frames))
    assert [(f.sheet, f.row, f.column, f.length) for f in found] == [("customers", 2, "notes", 40_000)]
    assert len(frames["customers"].iloc[0]["notes"]) == 32_767


def test_ids_and_text_lengths_match_their_value_by_value_definitions():
    """The owner scope's IDs (computed once per distinct value) and the lengths cut_overlong
    checks (in Arrow) are what id_text and len() give value by value."""
    import pandas as pd

    from crm_xl.exports import _ids, _text_lengths, id_text

    texts = pd.Series([" C1 ", "C1", "", "   ", None, "\x1fC2\x1f", "ｃ３", "C1", "長" * 5, "\u3000C4"], dtype="string")
    got = _ids(texts).tolist()
    assert got == [id_text(v) for v in texts.astype(object).tolist()]
    assert got[0] == got[1] == "C1" and got[4] is None
    mixed = pd.Series([7, 7.0, "7", None, float("nan"), True], dtype=object)
    assert [None if pd.isna(v) else v for v in _ids(mixed)] == ["7", "7", "7", None, None, "True"]
    assert _text_lengths(texts).tolist() == [len(v) if isinstance(v, str) else 0 for v in texts.astype(object)]
    assert _text_lengths(mixed).tolist() == [0, 0, 1, 0, 0, 0]


# ---- owner exports --------------------------------------------------------------------------------

def test_owner_export_holds_only_rows_reachable_from_their_customers(hostile, tmp_path):
    recs = hostile_records()
    mine = {c["customer_id"] for c in recs["customers"] if c["owner"] == "张伟"}
    out = tmp_path / "zhang.xlsx"
    r = run("export", str(hostile), "--owner", "张伟", "--out", str(out))
    assert r.exit_code == 0, r.output
    assert {int(r[0]) for r in rows(out, "客户")} == mine
    for sheet, ref in (("联系人", 1), ("销售机会", 1), ("订单", 1), ("跟进记录", 2)):
        assert {int(r[ref]) for r in rows(out, sheet)} <= mine, sheet
    # the change log names contacts by their own numeric IDs: contact n belongs to customer n here
    log = rows(out, "变更日志")
    assert {int(r[3]) for r in log} == {c["contact_id"] for c in recs["contacts"] if c["customer_id"] in mine}
    assert rows(out, "人员与目标") == []


@pytest.mark.parametrize("owner", ["", "   ", "Nobody"])
def test_blank_or_unknown_owner_is_an_error(hostile, tmp_path, owner):
    out = tmp_path / "x.xlsx"
    r = run("export", str(hostile), "--owner", owner, "--out", str(out))
    assert r.exit_code == 2 and not out.exists()
    assert "--owner" in r.output or "负责人" in r.output


def test_csv_folder_must_be_empty_or_the_same_owners_export(hostile, tmp_path):
    folder = tmp_path / "share"
    assert run("export", str(hostile), "--owner", "张伟", "--format", "csv", "--out", str(folder)).exit_code == 0
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    r = run("export", str(hostile), "--owner", "李娜", "--format", "csv", "--out", str(folder))
    assert r.exit_code == 2
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    assert run("export", str(hostile), "--owner", "张伟", "--format", "csv", "--out", str(folder)).exit_code == 0
    assert not [p for p in folder.iterdir() if ".bak" in p.name]
    (folder / "stray.txt").write_text("x")
    assert run("export", str(hostile), "--owner", "张伟", "--format", "csv", "--out", str(folder)).exit_code == 2


def test_split_by_owner_file_names_are_unique_and_reversible(hostile, tmp_path):
    folder = tmp_path / "owners"
    r = run("followups", str(hostile), "--as-of", "2026-11-23", "--out", str(tmp_path / "plan.xlsx"),
            "--split-by-owner", str(folder))
    assert r.exit_code == 0, r.output
    with open(folder / "index.csv", encoding="utf-8-sig") as fh:
        index = list(csv.DictReader(fh))
    files = [p.name for p in folder.iterdir() if p.suffix == ".xlsx"]
    assert len(files) == len(index) == len({f.casefold() for f in files})
    by_owner = {row["owner"].lstrip("'"): row["file"] for row in index}
    for owner in COLLIDING_OWNERS:
        if owner in by_owner:
            name = by_owner[owner]
            assert "/" not in name and ":" not in name and "?" not in name
            stem = name.split("_", 1)[1].rsplit(".", 1)[0].split("~")[0]
            assert unquote(stem) == owner or "~" in name
            plan_owners = {r[0] for r in rows(folder / name, "跟进计划")}
            assert plan_owners == {owner}
    # a second run into the same folder replaces its own files, and refuses a foreign one
    assert run("followups", str(hostile), "--as-of", "2026-11-23", "--out", str(tmp_path / "plan.xlsx"),
               "--split-by-owner", str(folder)).exit_code == 0
    (folder / "foreign.xlsx").write_bytes(b"x")
    assert run("followups", str(hostile), "--as-of", "2026-11-23", "--out", str(tmp_path / "plan.xlsx"),
               "--split-by-owner", str(folder)).exit_code == 2


def test_long_and_case_colliding_names_get_a_hash():
    from crm_xl.ports.sanitize import unique_file_names

    names = unique_file_names(["A" * 300, "A" * 301, "Bob", "bob", "Team/A"], "p_", ".xlsx")
    assert len(set(names.values())) == 5
    assert all(len(n.encode()) < 200 for n in names.values())
    assert names["Team/A"] == "p_Team%2FA.xlsx"
    assert names["Bob"].casefold() != names["bob"].casefold()


# ---- text stays text ---------------------------------------------------------------------------

def test_report_chart_names_are_literal_never_references(hostile, tmp_path):
    out = tmp_path / "report.xlsx"
    r = run("report", str(hostile), "--kind", "sales", "--as-of", "2026-11-23", "--out", str(out))
    assert r.exit_code == 0, r.output
    refs = formula_refs(out)
    assert refs, "the report has charts with data ranges"
    for part, ref in refs:
        for owner in CHART_OWNERS:
            assert owner not in ref and "[1]" not in ref and "calc" not in ref, (part, ref)


def test_audit_log_quotes_formula_like_fields_and_refuses_a_planted_symlink(hostile, tmp_path):
    work = tmp_path / "w"
    work.mkdir()
    book = work / "register.xlsx"
    book.write_bytes(hostile.read_bytes())
    r = run("export", str(book), "--mask", "--approval", "=HYPERLINK(\"http://x\")", "--out", str(tmp_path / "m.xlsx"))
    assert r.exit_code == 0, r.output
    with open(work / "crm-xl-exports.csv", encoding="utf-8-sig") as fh:
        log = list(csv.reader(fh))
    assert log[1][4] == "'=HYPERLINK(\"http://x\")"
    target = tmp_path / "elsewhere.txt"
    target.write_text("keep")
    os.unlink(work / "crm-xl-exports.csv")
    os.symlink(target, work / "crm-xl-exports.csv")
    r = run("export", str(book), "--mask", "--approval", "A", "--out", str(tmp_path / "m2.xlsx"))
    assert r.exit_code == 2 and target.read_text() == "keep"


def test_control_characters_never_reach_the_terminal_or_junit(tmp_path):
    from xml.etree import ElementTree as ET

    recs = hostile_records()
    recs["customers"][0]["country"] = "\x1b[31mXX\x1b]0;pwned\x07"
    book = tmp_path / "esc.xlsx"
    write_register(book, Register.from_records(recs))
    r = run("validate", str(book), "--as-of", "2026-11-23")
    assert "\x1b" not in r.output and "\x07" not in r.output
    assert "\\x1b" in r.output
    junit = tmp_path / "j.xml"
    run("validate", str(book), "--format", "junit", "--out", str(junit))
    ET.parse(junit)  # valid XML


@pytest.mark.parametrize("profile", ["trade", "auto"])
def test_masked_export_of_the_demo_company_leaks_nothing(tmp_path, profile):
    import datetime as dt

    from crm_xl.workbook import demo_register

    register, _ = demo_register(profile=profile, as_of=dt.date(2026, 11, 23), n_customers=60)
    book = tmp_path / "demo.xlsx"
    write_register(book, register)
    assert scan_zip(book), "the demo register itself holds personal data"
    out = tmp_path / "share" / "masked.xlsx"
    r = run("export", str(book), "--mask", "--approval", "A-1", "--out", str(out))
    assert r.exit_code == 0, r.output
    assert scan_zip(out) == []
