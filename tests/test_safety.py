"""Input safety: check_input refuses hostile and damaged files quickly, accepts real ones."""

from __future__ import annotations

from conftest import corpus_dir, deadline

import hashlib
import pickle
import struct
import time
import tracemalloc
import zipfile
from pathlib import Path

import pandas as pd
import pytest
import xlsxwriter

from crm_xl.ports.safety import (
    REASON_CODES,
    InputLimits,
    UnreadableWorkbook,
    check_cells,
    check_frame,
    check_input,
    check_package,
    reason_message,
)
from hostile_files import (
    BILLION_LAUGHS,
    CONTENT_TYPES,
    XXE,
    RawMember,
    deflated_zeros,
    member,
    replace_part,
    write_zip,
)

CORPUS = corpus_dir() or Path("shared/corpus")  # a missing corpus skips the corpus tests




def refused(path, limits: InputLimits = InputLimits()) -> UnreadableWorkbook:
    with pytest.raises(UnreadableWorkbook) as caught:
        check_input(path, limits)
    return caught.value


@pytest.fixture
def register(tmp_path: Path) -> Path:
    """A small genuine workbook: 2 sheets, 3 columns × 4 rows + header each."""
    path = tmp_path / "register.xlsx"
    workbook = xlsxwriter.Workbook(path)
    for name in ("客户", "联系人"):
        sheet = workbook.add_worksheet(name)
        sheet.write_row(0, 0, ["customer_id", "company_name", "amount"])
        for row in range(1, 5):
            sheet.write_row(row, 0, [f"C{row:03d}", f"公司{row}", row * 1000.5])
    workbook.close()
    return path


# ---------------------------------------------------------------------------------- accepted


def test_genuine_workbook_is_accepted_with_its_cell_count(register: Path):
    info = check_input(register)
    assert info.kind == "xlsx"
    assert info.cells == 2 * 5 * 3
    assert info.members >= 5 and info.uncompressed_bytes > info.size


def test_a_chunk_ending_inside_a_cell_reference_does_not_widen_the_bound(tmp_path: Path, monkeypatch):
    """The cheap extent bound must stay a bound of the cells, not of bytes past a chunk's end: a
    chunk ending in ``r="A12`` once read as row 1,222,222, which sent every large sheet through the
    slow exact scan (2.1 of the 10k demo's 2.5 s of input check)."""
    from crm_xl.ports import safety

    assert safety._ref_bound(b'<row r="12"><c r="A12') == (12, 1)
    assert safety._ref_bound(b'<c r="AB3" s="1"><c r="A') == (3, 28)
    path = tmp_path / "rows.xlsx"
    workbook = xlsxwriter.Workbook(path)
    sheet = workbook.add_worksheet("客户")
    for row in range(3000):
        sheet.write_row(row, 0, [row, row * 2, row * 3])
    workbook.close()

    def exact_scan(self, data):
        raise AssertionError("the exact extent scan ran on a sheet far below the cell limit")

    monkeypatch.setattr(safety._Extent, "feed", exact_scan)
    limits = InputLimits(max_cells=12_000, chunk_bytes=4096)  # many chunk ends, each inside some cell
    assert check_input(path, limits).cells == 9000


def test_an_early_check_is_taken_once_and_only_for_the_same_unchanged_file(register: Path, monkeypatch):
    """start_check runs the check on a thread (the CLI starts it before importing pandas); the
    reader's check_input then takes its outcome instead of checking again, but checks itself when
    the limits differ or the file changed meanwhile, and a refusal arrives as the same error."""
    from crm_xl.ports import safety

    calls = []
    real = safety._check_input
    monkeypatch.setattr(safety, "_check_input", lambda p, lim: calls.append(lim) or real(p, lim))
    safety.start_check(register)
    info = check_input(register)
    assert info.cells == 2 * 5 * 3 and len(calls) == 1  # the early check's answer, not a second scan
    check_input(register)
    assert len(calls) == 2  # taken once: a later check runs again

    safety.start_check(register)  # with the default limits, which allow its 30 cells
    assert refused(register, InputLimits(max_cells=29)).reason == "too_many_cells"  # checked with these
    assert len(calls) == 4 and calls[-1].max_cells == 29

    safety.start_check(register)
    safety._EARLY[-1][3].wait()
    genuine = register.read_bytes()
    register.write_bytes(b"not a workbook at all, just text")  # after the early check, before the read
    assert refused(register).reason == "not_a_spreadsheet"  # checked again, not the early "accepted"
    assert len(calls) == 6

    safety.start_check(register)
    assert refused(register).reason == "not_a_spreadsheet" and len(calls) == 7  # a refusal, as raised
    register.write_bytes(genuine)
    safety.start_check(register.parent / "missing.xlsx")  # nothing starts for a missing file
    assert refused(register.parent / "missing.xlsx").reason == "file_missing"


def test_text_that_looks_like_markup_is_not_a_false_alarm(tmp_path: Path):
    path = tmp_path / "markup.xlsx"
    workbook = xlsxwriter.Workbook(path)
    workbook.add_worksheet().write_string(0, 0, '<!DOCTYPE html><!ENTITY x "y">')
    workbook.close()
    assert check_input(path).kind == "xlsx"


def test_xlsm_ods_and_flat_ods_are_recognised(tmp_path: Path):
    xlsm = tmp_path / "macro.xlsm"
    workbook = xlsxwriter.Workbook(xlsm)
    workbook.add_worksheet().write(0, 0, 1)
    workbook.close()
    # xlsxwriter writes the xlsx content type unless a VBA project is added: patch it
    data = zipfile.ZipFile(xlsm).read("[Content_Types].xml").replace(
        b"spreadsheetml.sheet.main+xml", b"x").replace(
        b'ContentType="application/vnd.openxmlformats-officedocument.x"',
        b'ContentType="application/vnd.ms-excel.sheet.macroEnabled.main+xml"')
    patched = replace_part(xlsm, tmp_path / "patched.xlsm", "[Content_Types].xml", data)
    assert check_input(patched).kind == "xlsm"

    ods = tmp_path / "sheet.ods"
    with zipfile.ZipFile(ods, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", '<?xml version="1.0"?><office:document-content '
                   'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>')
    assert check_input(ods).kind == "ods"

    fods = tmp_path / "flat.fods"
    fods.write_text('<?xml version="1.0" encoding="UTF-8"?>\n<office:document '
                    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
                    'office:mimetype="application/vnd.oasis.opendocument.spreadsheet"/>')
    assert check_input(fods).kind == "fods"


def test_raw_biff_from_old_excel_is_xls(tmp_path: Path):
    path = tmp_path / "old.xls"
    path.write_bytes(struct.pack("<HHHH", 0x0409, 6, 0, 0x0010) + b"\0" * 60)
    assert check_input(path).kind == "xls"


# ---------------------------------------------------------------------------------- refused


def test_missing_directory_empty_and_tiny_files(tmp_path: Path):
    assert refused(tmp_path / "nope.xlsx").reason == "file_missing"
    assert refused(tmp_path).reason == "not_a_file"
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    assert refused(empty).reason == "empty_file"
    tiny = tmp_path / "tiny.xlsx"
    tiny.write_bytes(b"PK\x03")
    assert refused(tiny).reason == "empty_file"
    empty_zip = tmp_path / "empty_zip.xlsx"
    zipfile.ZipFile(empty_zip, "w").close()
    assert refused(empty_zip).reason == "empty_file"


@pytest.mark.parametrize("content", [
    b"customer_id,company_name\nC001,ACME\n",
    b"<html><body><table><tr><td>1</td></tr></table></body></html>",
    b'<?xml version="1.0"?><note><to>x</to></note>',
    b"%PDF-1.7\n" + b"\0" * 100,
])
def test_other_formats_are_not_spreadsheets(tmp_path: Path, content: bytes):
    path = tmp_path / "fake.xlsx"
    path.write_bytes(content)
    assert refused(path).reason == "not_a_spreadsheet"


def test_zip_without_workbook_and_other_opendocument(tmp_path: Path):
    docx = tmp_path / "letter.xlsx"
    with zipfile.ZipFile(docx, "w") as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES.replace(b"/xl/workbook.xml", b"/word/document.xml")
                   .replace(b"spreadsheetml.sheet.main+xml", b"wordprocessingml.document.main+xml"))
        z.writestr("word/document.xml", "<w:document/>")
    assert refused(docx).reason == "not_a_spreadsheet"
    odt = tmp_path / "letter.ods"
    with zipfile.ZipFile(odt, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        z.writestr("content.xml", "<x/>")
    assert refused(odt).reason == "not_a_spreadsheet"


def test_file_size_limit(register: Path):
    error = refused(register, InputLimits(max_file_bytes=100))
    assert error.reason == "file_too_large"


def test_zip_bomb_is_refused_within_seconds_and_bounded_memory(tmp_path: Path):
    """A 3 MB-ish file whose sheet inflates to 640 MB (> the default 500 MB limit)."""
    data, crc = deflated_zeros(640 << 20)
    bomb = write_zip(tmp_path / "bomb.xlsx", [
        member("[Content_Types].xml", CONTENT_TYPES),
        member("xl/workbook.xml", b"<workbook/>"),
        RawMember("xl/worksheets/sheet1.xml", data, crc, 640 << 20),
    ])
    assert bomb.stat().st_size < 5 << 20
    tracemalloc.start()
    started = time.perf_counter()
    with deadline(10):
        error = refused(bomb)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert error.reason == "uncompressed_too_large"
    assert elapsed < 3
    assert peak < 20 << 20


def test_high_compression_ratio_is_refused(tmp_path: Path):
    data, crc = deflated_zeros(8 << 20)
    bomb = write_zip(tmp_path / "ratio.xlsx", [
        member("[Content_Types].xml", CONTENT_TYPES),
        RawMember("xl/worksheets/sheet1.xml", data, crc, 8 << 20),
    ])
    error = refused(bomb)
    assert error.reason == "compression_ratio" and "sheet1.xml" in error.detail
    # the same file is accepted when the caller raises the limit (8 MB is not too large)
    assert check_input(bomb, InputLimits(max_ratio=1e9)).uncompressed_bytes > 8 << 20


def test_member_lying_about_its_size_is_refused(tmp_path: Path):
    """Declared 1 KB, inflates to 64 MB: the headers lie to get past the size limit."""
    data, crc = deflated_zeros(64 << 20)
    bomb = write_zip(tmp_path / "liar.xlsx", [
        member("[Content_Types].xml", CONTENT_TYPES),
        RawMember("xl/worksheets/sheet1.xml", data, crc, 1024),
    ])
    with deadline(10):
        assert refused(bomb).reason in ("zip_bomb", "corrupt_zip")


def test_overlapping_members_are_refused(tmp_path: Path):
    payload = b"<worksheet>" + b"<row/>" * 1000 + b"</worksheet>"
    bomb = write_zip(tmp_path / "overlap.xlsx", [
        member("[Content_Types].xml", CONTENT_TYPES),
        member("xl/worksheets/sheet1.xml", payload),
    ], duplicate_directory=50)
    assert refused(bomb).reason == "zip_bomb"


def test_adjacent_members_with_non_utf8_names_are_not_overlap(tmp_path: Path):
    """Part names stored without the UTF-8 flag (old tools, WPS) must not look like a bomb."""
    path = write_zip(tmp_path / "names.xlsx", [
        member("[Content_Types].xml", CONTENT_TYPES),
        member("xl/media/图片一.png", b"png" * 10),
        member("xl/media/图片二.png", b"png" * 10),
    ])
    assert check_input(path).members == 3


def test_too_many_members_is_refused_before_reading_the_directory(tmp_path: Path):
    path = tmp_path / "many.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        for i in range(60):
            z.writestr(f"xl/media/{i}.bin", b"x")
    error = refused(path, InputLimits(max_members=50))
    assert error.reason == "too_many_members" and "61" in error.detail
    assert check_input(path, InputLimits(max_members=61)).members == 61


def test_billion_laughs_in_xlsx_is_refused(register: Path, tmp_path: Path):
    bomb = replace_part(register, tmp_path / "laughs.xlsx", "xl/sharedStrings.xml", BILLION_LAUGHS)
    started = time.perf_counter()
    with deadline(10):
        error = refused(bomb)
    assert error.reason == "xml_entities" and "sharedStrings" in error.detail
    assert time.perf_counter() - started < 2


def test_xxe_is_refused(register: Path, tmp_path: Path):
    bomb = replace_part(register, tmp_path / "xxe.xlsx", "xl/worksheets/sheet1.xml", XXE)
    assert refused(bomb).reason == "xml_entities"


def test_doctype_in_utf16_part_is_refused(register: Path, tmp_path: Path):
    bomb = replace_part(register, tmp_path / "xxe16.xlsx", "xl/styles.xml",
                        XXE.replace(b'encoding="UTF-8"', b'encoding="UTF-16"').decode()
                        .encode("utf-16"))
    assert refused(bomb).reason == "xml_entities"


def test_doctype_behind_an_unknown_encoding_is_refused(register: Path, tmp_path: Path):
    """Expat cannot read the prolog; the byte scan still finds the declaration."""
    bomb = replace_part(register, tmp_path / "enc.xlsx", "xl/workbook.xml",
                        XXE.replace(b'encoding="UTF-8"', b'encoding="x-klingon"'))
    assert refused(bomb).reason == "xml_entities"


def test_doctype_in_flat_ods_and_content_types_is_refused(register: Path, tmp_path: Path):
    fods = tmp_path / "bomb.fods"
    fods.write_bytes(BILLION_LAUGHS)
    assert refused(fods).reason == "xml_entities"
    bomb = replace_part(register, tmp_path / "ct.xlsx", "[Content_Types].xml", XXE)
    assert refused(bomb).reason == "xml_entities"


def test_corrupt_archives(register: Path, tmp_path: Path):
    data = bytearray(register.read_bytes())
    truncated = tmp_path / "truncated.xlsx"
    truncated.write_bytes(bytes(data[: len(data) // 2]))
    assert refused(truncated).reason == "corrupt_zip"

    with zipfile.ZipFile(register) as z:
        info = z.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename) + 5
    data[start] ^= 0xFF  # damage the compressed data: inflate error or bad CRC
    damaged = tmp_path / "damaged.xlsx"
    damaged.write_bytes(bytes(data))
    error = refused(damaged)
    assert error.reason == "corrupt_zip" and "sheet1.xml" in error.detail


def test_cell_and_string_limits(register: Path, tmp_path: Path):
    assert refused(register, InputLimits(max_cells=20)).reason == "too_many_cells"
    assert check_input(register, InputLimits(max_cells=30)).cells == 30

    long_text = tmp_path / "long.xlsx"
    workbook = xlsxwriter.Workbook(long_text)
    workbook.add_worksheet().write_string(0, 0, "长" * 2000)
    workbook.close()
    assert refused(long_text, InputLimits(max_string_length=100)).reason == "string_too_long"
    assert check_input(long_text, InputLimits(max_string_length=2000)).kind == "xlsx"


def test_encrypted_workbook_needs_a_password(tmp_path: Path, register: Path):
    from crm_xl.ports.crypto import encrypt_workbook

    encrypted = encrypt_workbook(register, tmp_path / "locked.xlsx", "pw")
    error = refused(encrypted)
    assert error.reason == "password_required"
    assert "CRM_XL_PASSWORD" in error.message("en") and "密码" in error.message("zh-CN")


def test_check_package_checks_bytes_in_memory(register: Path, tmp_path: Path):
    assert check_package(register.read_bytes(), "mem.xlsx").kind == "xlsx"
    bomb = replace_part(register, tmp_path / "laughs.xlsx", "xl/sharedStrings.xml", BILLION_LAUGHS)
    with pytest.raises(UnreadableWorkbook) as caught:
        check_package(bomb.read_bytes(), "mem.xlsx")
    assert caught.value.reason == "xml_entities"


def test_check_frame_and_cells():
    frame = pd.DataFrame({"name": ["a", "b" * 50, None], "amount": [1.0, 2.0, 3.0],
                          "mixed": pd.Series([1, "xyz", None], dtype=object)})
    check_frame("wb.xlsx", frame, InputLimits(max_cells=9, max_string_length=50))
    with pytest.raises(UnreadableWorkbook) as caught:
        check_frame("wb.xlsx", frame, InputLimits(max_string_length=49), sheet="customers")
    assert caught.value.reason == "string_too_long" and "customers.name" in caught.value.detail
    with pytest.raises(UnreadableWorkbook):
        check_frame("wb.xlsx", frame, InputLimits(max_cells=8))
    with pytest.raises(UnreadableWorkbook):
        check_cells("wb.xlsx", 11, InputLimits(max_cells=10))


# ---------------------------------------------------------------------------------- messages


def test_every_reason_has_three_distinct_languages():
    for code in REASON_CODES:
        texts = [reason_message(code, lang) for lang in ("zh-CN", "zh-TW", "en")]
        assert all(texts) and len(set(texts)) == 3, code
    assert reason_message("wrong_password", "zh_tw") == reason_message("wrong_password", "zh-TW")
    with pytest.raises(ValueError):
        reason_message("wrong_password", "fr")
    with pytest.raises(ValueError):
        reason_message("no_such_code", "en")


def test_error_is_one_line_and_picklable(tmp_path: Path):
    error = UnreadableWorkbook(tmp_path / "a.xlsx", "zip_bomb", "members overlap")
    line = error.message("zh-CN")
    assert "\n" not in line and "a.xlsx" in line and "members overlap" in line
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.path, copy.reason, copy.detail) == (error.path, error.reason, error.detail)


# ---------------------------------------------------------------------------------- corpus


def _manifest() -> list[tuple[str, str]]:
    manifest = CORPUS / "MANIFEST.tsv"
    if not manifest.exists():
        return []
    rows = manifest.read_text(encoding="utf-8").splitlines()[1:]
    return [(row.split("\t")[0], row.split("\t")[4]) for row in rows if row.strip()]


CORPUS_FILES = _manifest()


@pytest.mark.skipif(not CORPUS_FILES, reason="spreadsheet corpus not present")
@pytest.mark.parametrize("relative,sha256", CORPUS_FILES, ids=[r for r, _ in CORPUS_FILES])
def test_corpus_file_ends_cleanly_and_is_unchanged(relative: str, sha256: str):
    """Each real-world file: a result or UnreadableWorkbook, within seconds, file untouched.

    (Readers are a separate concern: python-calamine may raise pyo3_runtime.PanicException,
    a BaseException, on some of these files; the reader port must catch it by name.)
    """
    path = CORPUS / relative
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    assert before == sha256
    started = time.perf_counter()
    with deadline(10):
        try:
            info = check_input(path)
        except UnreadableWorkbook as error:
            assert error.reason in REASON_CODES
            assert "\n" not in error.message("en")
        else:
            assert info.kind in {"xlsx", "xlsm", "xlsb", "xltx", "xltm", "ods", "xls", "fods"}
    assert time.perf_counter() - started < 5
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


@pytest.mark.skipif(not CORPUS_FILES, reason="spreadsheet corpus not present")
@pytest.mark.parametrize("relative,reason", [
    ("apache__poi/test-data/spreadsheet/poc-xmlbomb.xlsx", "xml_entities"),
    ("apache__poi/test-data/spreadsheet/poc-xmlbomb-empty.xlsx", "xml_entities"),
    ("apache__poi/test-data/spreadsheet/poc-shared-strings.xlsx", "string_too_long"),
    ("dimastbk__python-calamine/tests/data/password.xlsx", "password_required"),
    ("dimastbk__python-calamine/tests/data/password.xls", "password_required"),
    ("SheetJS__test_files/password_2002_40_xor.xls", "password_required"),
    ("tafia__calamine/tests/issue252.xlsx", "corrupt_zip"),
    ("dimastbk__python-calamine/tests/data/empty_file.xlsx", "empty_file"),
    ("apache__poi/test-data/openxml4j/invalid.xlsx", "empty_file"),
])
def test_known_hostile_corpus_files_get_the_right_reason(relative: str, reason: str):
    assert refused(CORPUS / relative).reason == reason


@pytest.mark.skipif(not CORPUS_FILES, reason="spreadsheet corpus not present")
@pytest.mark.parametrize("relative,kind", [
    ("tafia__calamine/tests/issue_174.xlsx", "xlsx"),  # A1:XFD1048576 dimension: fine for us
    ("SheetJS__test_files/large_strings.xlsx", "xlsx"),
    ("SheetJS__test_files/sheet_visibility_strict.xlsx", "xlsx"),
    ("apache__poi/test-data/spreadsheet/xxe_in_schema.xlsx", "xlsx"),  # schema URL, no DOCTYPE
    ("SheetJS__test_files/crlf/CRLFX5_2.XLS", "xls"),
])
def test_unusual_but_genuine_corpus_files_are_accepted(relative: str, kind: str):
    assert check_input(CORPUS / relative).kind == kind


# ---------------------------------------------------------------------------------- fuzz

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_FUZZ_BASE: dict[str, bytes] = {}


def _fuzz_base(tmp_dir: Path) -> bytes:
    if "xlsx" not in _FUZZ_BASE:
        path = tmp_dir / "base.xlsx"
        workbook = xlsxwriter.Workbook(path)
        sheet = workbook.add_worksheet("客户")
        sheet.write_row(0, 0, ["customer_id", "company_name", "phone"])
        sheet.write_row(1, 0, ["C001", "ACME 有限公司", "13812345678"])
        workbook.close()
        _FUZZ_BASE["xlsx"] = path.read_bytes()
    return _FUZZ_BASE["xlsx"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)),
                min_size=1, max_size=8))
def test_fuzzed_bytes_end_cleanly(tmp_path: Path, edits):
    data = bytearray(_fuzz_base(tmp_path))
    for where, value in edits:
        data[int(where * len(data))] = value
    path = tmp_path / "fuzz.xlsx"
    path.write_bytes(bytes(data))
    with deadline(10):
        try:
            check_input(path)
        except UnreadableWorkbook as error:
            assert error.reason in REASON_CODES
    assert path.read_bytes() == bytes(data)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(["xl/worksheets/sheet1.xml", "xl/sharedStrings.xml", "xl/workbook.xml",
                        "[Content_Types].xml"]),
       st.binary(max_size=300) | st.text(max_size=300).map(str.encode),
       st.integers(0, 400))
def test_fuzzed_xml_parts_end_cleanly(tmp_path: Path, part: str, junk: bytes, at: int):
    base = tmp_path / "base.xlsx"
    base.write_bytes(_fuzz_base(tmp_path))
    with zipfile.ZipFile(base) as z:
        original = z.read(part)
    mutated = original[:at] + junk + original[at:]
    path = replace_part(base, tmp_path / "fuzz.xlsx", part, mutated)
    with deadline(10):
        try:
            check_input(path)
        except UnreadableWorkbook as error:
            assert error.reason in REASON_CODES
