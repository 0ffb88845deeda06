"""End to end: workbooks written to disk, read back, validated; the CLI's formats and exit codes."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from crm_xl.schema import SHEETS
from typer.testing import CliRunner

from crm_xl.cli import app
from crm_xl.messages import CATALOGUE
from crm_xl.ports.reader import read_register
from crm_xl.ports.template import write_register
from crm_xl.register import Register
from crm_xl.settings import Settings
from crm_xl.validation import validate

from test_validation_rules import AS_OF, BASE

runner = CliRunner()


def serial(day: dt.date) -> int:
    return (day - dt.date(1899, 12, 30)).days


def write(path: Path, records: dict, lang: str = "zh-CN") -> Path:
    """Write raw records (any cell values) as a register workbook."""
    import pandas as pd

    frames = {k: pd.DataFrame(v) for k, v in records.items()}
    write_register(path, Register(frames=frames, settings=Settings()), lang=lang)
    return path


def unusual(records: dict) -> dict:
    """Valid values in unusual spellings: text and serial dates, lower-case codes, full-width digits."""
    r = copy.deepcopy(records)
    r["customers"][0].update({"first_contact_date": "2026/3/2", "entered_date": "2026年3月3日", "country": "de",
                              "annual_purchase_amount": "１００，０００", "reviewed_date": serial(dt.date(2026, 3, 4))})
    r["customers"][1].update({"country": "us", "first_contact_date": serial(dt.date(2026, 4, 1)),
                              "entered_date": "２０２６－０４－０２", "last_info_update": "2026.11.1"})
    r["contacts"][0].update({"phone": "０３０ １２３４５６７", "email": "Anna@ACME-pumps.de"})
    r["opportunities"][0].update({"probability": "70%", "currency": "eur", "stage": "商务谈判"})
    r["orders"][0].update({"currency": "usd", "order_date": "20/06/2026", "amount": "8,000.00"})
    r["tickets"][0].update({"received_at": "2026/8/12 10:00", "status_history": "已受理 → 已分配 → 调查中 → 方案待确认 → "
                                                                               "处理中 → 待客户反馈 → 已关闭"})
    r["tickets"][1].update({"status_history": "Received; Closed", "status": "已關閉"})
    return r


PLANTED = [  # (sheet, index, changes, [(code, cell), …])
    ("customers", 0, {"country": "XX"}, [("V104", "C2")]),  # … so P1's national number has no region:
    ("contacts", 0, {}, [("V107", "F2")]),
    ("customers", 0, {"entered_date": "2026-13-45"}, [("R001", "L2")]),
    ("customers", 0, {"currency": "EURO"}, [("V105", "O2")]),
    ("customers", 0, {"annual_purchase_amount": "-100"}, [("V102", "N2")]),
    ("customers", 0, {"credit_rating": "Z"}, [("R002", "V2")]),
    ("customers", 1, {"company_name": None}, [("V101", "B3")]),
    ("customers", 1, {"referrer": None}, [("V404", "I3")]),
    ("customers", 1, {"last_info_update": "2026-01-01"}, [("V403", "AA3")]),
    ("contacts", 0, {"email": "anna@@acme.de"}, [("V106", "G2")]),
    ("contacts", 0, {"birthday": "2030-01-01"}, [("V109", "J2")]),
    ("contacts", 1, {"phone": "call me"}, [("V107", "F3")]),
    ("opportunities", 0, {"probability": 0.3}, [("V502", "I2")]),
    ("opportunities", 0, {"amount": None}, [("V501", "J2")]),
    ("opportunities", 1, {"stage": "bogus"}, [("R002", "H3")]),
    ("opportunities", 2, {"lost_reason": None}, [("V503", "V4")]),
    ("activities", 0, {"method": "fax"}, [("R002", "F2")]),
    ("activities", 0, {"next_date": "2026-10-01"}, [("V301", "J2")]),
    ("orders", 0, {"amount": 9000, "invoiced_amount": 9000}, [("V303", "J2")]),
    ("orders", 0, {"received_amount": 9500}, [("V302", "R2")]),
    ("orders", 0, {"ship_date": "2026-06-01"}, [("V301", "M2")]),
    ("tickets", 0, {"status_history": "已受理>调查中>已关闭"}, [("V602", "R2")]),
    ("tickets", 0, {"satisfaction": 9}, [("V102", "W2")]),
    ("tickets", 1, {"ticket_id": "T1"}, [("V201", "A3")]),
    ("surveys", 0, {"nps": "eleven"}, [("R001", "J2")]),
    ("staff", 0, {"teamwork_score": 150}, [("V102", "J2")]),
    ("changelog", 0, {"reason": None}, [("V101", "H2")]),
]
EXTRA_CUSTOMER = {"customer_id": "C3", "company_name": "ACME PUMPS Co., Ltd.", "country": "DE", "source_channel": "inbound",
                  "owner": "Li", "first_contact_date": "2099-01-01", "entered_date": "2026-11-02", "status": "prospect"}
EXTRA_EXPECTED = [("customers", "V204", "B4"), ("customers", "V109", "K4"), ("customers", "V301", "L4"),
                  ("contacts", "V202", "B4")]
EXTRA_CONTACT = {"contact_id": "P3", "customer_id": "C9", "name": "Zed"}


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_unusual_but_valid_values_give_no_findings(tmp_path, lang):
    path = write(tmp_path / "ok.xlsx", unusual(BASE), lang)
    result = validate(read_register(path), AS_OF)
    assert result.findings == [], [(f.sheet, f.code, f.cell, f.value, f.message("en")) for f in result.findings]
    assert result.rows_checked == 14


def test_hostile_workbook_every_defect_at_its_cell(tmp_path):
    records = copy.deepcopy(BASE)
    expected = set()
    for sheet, i, changes, hits in PLANTED:
        records[sheet][i].update(changes)
        expected |= {(sheet, code, cell) for code, cell in hits}
    records["customers"].append(EXTRA_CUSTOMER)
    records["contacts"].append(EXTRA_CONTACT)
    expected |= set(EXTRA_EXPECTED)
    path = write(tmp_path / "hostile.xlsx", records)
    register = read_register(path)
    result = validate(register, AS_OF)
    found = {(f.sheet, f.code, f.cell) for f in result.findings}
    assert found == expected, {"missing": expected - found, "unexpected": found - expected}
    assert len(expected) >= 30
    for f in result.findings:  # the cell address is the user's: sheet label + A1
        assert f.row == int("".join(ch for ch in f.cell if ch.isdigit()))
        assert f.message(register.lang) and "{" not in f.message("zh-TW")
    # errors never erase data: every record stays; only single-cell findings make their value missing
    frames = result.usable_frames()
    assert {k: len(v) for k, v in frames.items()} == {k: len(v) for k, v in register.frames.items()}
    from crm_xl.validation.codes import UNUSABLE_VALUE

    marked = {(f.sheet, f.row, f.column) for f in result.findings
              if f.severity == "error" and f.code in UNUSABLE_VALUE and f.column}
    assert {(s, r, c) for s, cols in result.unusable.items() for c, rows in cols.items() for r in rows} == marked
    for sheet, column, row in [(s, c, r) for s, cols in result.unusable.items() for c, rows in cols.items()
                               for r in rows if SHEETS[s].column(c).kind != "currency"]:
        assert frames[sheet].loc[frames[sheet]["_row"] == row, column].isna().all()
    assert len(result.error_rows()["customers"]) == 3  # C1, C2 (required), C3 (future) all have errors


def test_validate_values_marks_the_same_unusable_cells(tmp_path):
    """``crm-xl followups`` runs only the value rules (validate_values): on the hostile workbook (every
    planted defect, settings overriding nothing) they make exactly validate's cells unusable."""
    from crm_xl.validation import validate_values
    from crm_xl.validation.codes import UNUSABLE_VALUE

    records = copy.deepcopy(BASE)
    for sheet, i, changes, _hits in PLANTED:
        records[sheet][i].update(changes)
    records["customers"].append(EXTRA_CUSTOMER)
    records["contacts"].append(EXTRA_CONTACT)
    register = read_register(write(tmp_path / "hostile.xlsx", records))
    full, values = validate(register, AS_OF), validate_values(register, AS_OF)
    assert values.unusable == full.unusable and len(full.unusable) >= 1
    assert [f for f in full.findings if f.code in UNUSABLE_VALUE] == [f for f in values.findings
                                                                      if f.code in UNUSABLE_VALUE]


@pytest.fixture()
def hostile(tmp_path) -> Path:
    records = copy.deepcopy(BASE)
    records["orders"][0]["amount"] = 9000
    return write(tmp_path / "in.xlsx", records)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_cli_json_contract_and_input_untouched(hostile, tmp_path):
    before, mtime = _sha(hostile), hostile.stat().st_mtime_ns
    out = tmp_path / "report.json"
    res = runner.invoke(app, ["validate", str(hostile), "--as-of", "2026-11-23", "--format", "json", "--out", str(out),
                              "--lang", "en"])
    assert res.exit_code == 1, res.output
    assert _sha(hostile) == before and hostile.stat().st_mtime_ns == mtime
    data = json.loads(out.read_text(encoding="utf-8"))
    assert set(data) == {"version", "workbook", "summary", "findings"}
    assert data["summary"] == {"errors": 1, "warnings": 0, "rows_checked": 14}
    [f] = data["findings"]
    assert f == {"sheet": "orders", "row": 2, "column": "amount", "cell": "J2", "code": "V303", "severity": "error",
                 "message": f["message"], "value": "9,000.00"}
    assert "quantity × unit price" in f["message"]
    assert not list(tmp_path.glob(".report.*"))  # no temp file left behind


def test_cli_exit_codes(tmp_path, hostile):
    clean = write(tmp_path / "clean.xlsx", BASE)
    assert runner.invoke(app, ["validate", str(clean), "--as-of", "2026-11-23"]).exit_code == 0
    records = copy.deepcopy(BASE)
    records["customers"][1]["referrer"] = None  # a warning only
    warn = write(tmp_path / "warn.xlsx", records)
    assert runner.invoke(app, ["validate", str(warn), "--as-of", "2026-11-23"]).exit_code == 0
    assert runner.invoke(app, ["validate", str(warn), "--as-of", "2026-11-23", "--fail-on", "warning"]).exit_code == 1
    assert runner.invoke(app, ["validate", str(hostile), "--as-of", "2026-11-23"]).exit_code == 1
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"this is not a workbook")
    res = runner.invoke(app, ["validate", str(junk)])
    assert res.exit_code == 2
    assert runner.invoke(app, ["validate", str(tmp_path / "missing.xlsx")]).exit_code == 2


def test_cli_text_is_in_the_workbook_language(hostile):
    wide = {"COLUMNS": "250"}
    res = runner.invoke(app, ["validate", str(hostile), "--as-of", "2026-11-23"], env=wide)
    assert "订单" in res.output and "金额" in res.output and "数量×单价" in res.output
    res = runner.invoke(app, ["validate", str(hostile), "--as-of", "2026-11-23", "--lang", "en"], env=wide)
    assert "Orders – 订单" in res.output and "quantity × unit price" in res.output
    res = runner.invoke(app, ["validate", str(hostile), "--as-of", "2026-11-23", "--lang", "zh-TW"], env=wide)
    assert "訂單" in res.output


def test_cli_junit(hostile, tmp_path):
    out = tmp_path / "junit.xml"
    res = runner.invoke(app, ["validate", str(hostile), "--as-of", "2026-11-23", "-f", "junit", "-o", str(out)])
    assert res.exit_code == 1
    root = ET.parse(out).getroot()
    cases = root.findall(".//testcase")
    assert {c.get("name").split()[0] for c in cases} == set(CATALOGUE)
    failing = [c for c in cases if c.find("failure") is not None]
    assert [c.get("name").split()[0] for c in failing] == ["V303"]
    assert failing[0].find("failure").get("type") == "error"
    assert "J2" in failing[0].find("failure").get("message")
    assert root.find("testsuite").get("failures") == "1"
