"""Workbook encryption: Excel-compatible round trip, password handling, hostile content."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
import xlsxwriter
from msoffcrypto.format.ooxml import OOXMLFile
from python_calamine import CalamineWorkbook

from crm_xl.ports.crypto import (
    PASSWORD_ENV,
    decrypt_to_bytes,
    decrypt_workbook,
    encrypt_workbook,
    is_encrypted,
    password_from_env,
    resolve_password,
)
from crm_xl.ports.safety import UnreadableWorkbook, check_input
from hostile_files import BILLION_LAUGHS, replace_part

CORPUS = Path("/work/shared/corpus")


@pytest.fixture(autouse=True)
def no_env_password(monkeypatch):
    monkeypatch.delenv(PASSWORD_ENV, raising=False)


@pytest.fixture
def register(tmp_path: Path) -> Path:
    path = tmp_path / "register.xlsx"
    workbook = xlsxwriter.Workbook(path)
    date_fmt = workbook.add_format({"num_format": "yyyy-mm-dd"})
    customers = workbook.add_worksheet("客户")
    customers.write_row(0, 0, ["customer_id", "company_name", "phone", "amount", "since"])
    rows = [("C001", "深圳市华强电子有限公司", "13812345678", 1_250_000.5, dt.date(2021, 3, 5)),
            ("C002", "ACME GmbH", "+49 30 1234567", 80_000, dt.date(2024, 11, 30))]
    for r, (cid, name, phone, amount, since) in enumerate(rows, start=1):
        customers.write_row(r, 0, [cid, name, phone, amount])
        customers.write_datetime(r, 4, dt.datetime.combine(since, dt.time()), date_fmt)
    workbook.add_worksheet("跟进记录").write_row(0, 0, ["activity_id", "summary"])
    workbook.close()
    return path


def read_all(source) -> dict[str, list[list]]:
    book = (CalamineWorkbook.from_filelike(source) if isinstance(source, io.BytesIO)
            else CalamineWorkbook.from_path(str(source)))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


def fails(reason: str, fn, *args, **kwargs) -> UnreadableWorkbook:
    with pytest.raises(UnreadableWorkbook) as caught:
        fn(*args, **kwargs)
    assert caught.value.reason == reason, caught.value.message("en")
    return caught.value


def test_round_trip_reads_equal(register: Path, tmp_path: Path):
    original = register.read_bytes()
    locked = encrypt_workbook(register, tmp_path / "locked.xlsx", "正确的密码 pw!")
    assert register.read_bytes() == original  # the input is never written
    assert is_encrypted(locked) and not is_encrypted(register)
    raw = locked.read_bytes()
    assert raw.startswith(b"\xd0\xcf\x11\xe0") and "华强".encode() not in raw
    fails("password_required", check_input, locked)

    opened = decrypt_workbook(locked, tmp_path / "opened.xlsx", "正确的密码 pw!")
    assert check_input(opened).kind == "xlsx"
    expected = read_all(register)
    assert read_all(opened) == expected
    assert read_all(decrypt_to_bytes(locked, "正确的密码 pw!")) == expected
    assert expected["客户"][1][1] == "深圳市华强电子有限公司"


def test_encrypted_file_is_standard_agile_encryption(register: Path, tmp_path: Path):
    """Another implementation (msoffcrypto's own reader) opens it with the password."""
    locked = encrypt_workbook(register, tmp_path / "locked.xlsx", "pw")
    with open(locked, "rb") as fh:
        office = OOXMLFile(fh)
        assert office.type == "agile"
        office.load_key(password="pw", verify_password=True)
        out = io.BytesIO()
        office.decrypt(out, verify_integrity=True)
    assert read_all(io.BytesIO(out.getvalue())) == read_all(register)


def test_wrong_and_missing_password(register: Path, tmp_path: Path):
    locked = encrypt_workbook(register, tmp_path / "locked.xlsx", "right")
    error = fails("wrong_password", decrypt_to_bytes, locked, "wrong")
    assert "密码错误" in error.message("zh-CN") and "密碼錯誤" in error.message("zh-TW")
    fails("wrong_password", decrypt_workbook, locked, tmp_path / "out.xlsx", "wrong")
    assert not (tmp_path / "out.xlsx").exists()
    fails("password_required", decrypt_to_bytes, locked, None)
    fails("password_required", decrypt_workbook, locked, tmp_path / "out.xlsx", "")


def test_password_from_environment(register: Path, tmp_path: Path, monkeypatch):
    assert password_from_env({}) is None and password_from_env({PASSWORD_ENV: ""}) is None
    assert password_from_env({PASSWORD_ENV: "x"}) == "x"
    assert resolve_password("arg", {PASSWORD_ENV: "env"}) == "arg"
    assert resolve_password(None, {PASSWORD_ENV: "env"}) == "env"
    monkeypatch.setenv(PASSWORD_ENV, "from-env")
    locked = encrypt_workbook(register, tmp_path / "locked.xlsx", None)
    assert read_all(decrypt_to_bytes(locked, None)) == read_all(register)
    monkeypatch.setenv(PASSWORD_ENV, "not-it")
    fails("wrong_password", decrypt_to_bytes, locked, None)


def test_refusals(register: Path, tmp_path: Path):
    fails("password_required", encrypt_workbook, register, tmp_path / "x.xlsx", None)
    locked = encrypt_workbook(register, tmp_path / "locked.xlsx", "pw")
    fails("already_encrypted", encrypt_workbook, locked, tmp_path / "twice.xlsx", "pw")
    fails("not_encrypted", decrypt_workbook, register, tmp_path / "x.xlsx", "pw")
    fails("file_missing", decrypt_to_bytes, tmp_path / "missing.xlsx", "pw")
    old = tmp_path / "old.xls"
    old.write_bytes(b"\x09\x04\x06\x00" + b"\0" * 60)  # a raw BIFF4 workbook
    fails("unsupported_encryption", encrypt_workbook, old, tmp_path / "x.xls", "pw")
    with pytest.raises(ValueError):
        encrypt_workbook(register, register, "pw")
    assert not is_encrypted(register) and check_input(register).kind == "xlsx"


def test_existing_output_is_backed_up(register: Path, tmp_path: Path):
    target = tmp_path / "locked.xlsx"
    target.write_bytes(b"previous version")
    encrypt_workbook(register, target, "pw", backups=3)
    backups = list(tmp_path.glob("locked.*.bak.xlsx"))
    assert len(backups) == 1 and backups[0].read_bytes() == b"previous version"
    assert is_encrypted(target)


def test_bomb_inside_an_encrypted_package_is_refused(register: Path, tmp_path: Path):
    bomb = replace_part(register, tmp_path / "laughs.xlsx", "xl/sharedStrings.xml", BILLION_LAUGHS)
    fails("xml_entities", encrypt_workbook, bomb, tmp_path / "x.xlsx", "pw")
    locked = tmp_path / "locked-bomb.xlsx"
    with open(bomb, "rb") as fh, open(locked, "wb") as out:
        OOXMLFile(fh).encrypt("pw", out)  # encrypted by someone else
    fails("xml_entities", decrypt_to_bytes, locked, "pw")


@pytest.mark.skipif(not CORPUS.exists(), reason="spreadsheet corpus not present")
def test_corpus_encrypted_files(tmp_path: Path):
    # Encrypted by Excel with its built-in default password: opens without asking.
    protect = CORPUS / "apache__poi/test-data/poifs/protect.xlsx"
    fails("password_required", check_input, protect)
    assert is_encrypted(protect)
    assert check_input_bytes(decrypt_to_bytes(protect, None))
    # A .xls with XOR obfuscation, password "abc".
    xor = CORPUS / "apache__poi/test-data/spreadsheet/xor-encryption-abc.xls"
    assert is_encrypted(xor)
    fails("wrong_password", decrypt_to_bytes, xor, "abd")
    plain = decrypt_workbook(xor, tmp_path / "xor.xls", "abc")
    assert check_input(plain).kind == "xls" and not is_encrypted(plain)


def check_input_bytes(data: io.BytesIO) -> bool:
    from crm_xl.ports.safety import check_package

    return check_package(data, "decrypted.xlsx").kind == "xlsx"
