"""Fuzzing the read → validate → report path with mutated copies of a genuine register.

A demo register is written once per session; hypothesis then damages copies of it — bytes
flipped or cut in the zip, XML parts edited (a tag torn out, a DOCTYPE/ENTITY injected, a huge
attribute, a numeric cell typed ``t="n"`` holding text), cell values replaced by hostile strings
(formula-like, 40k characters, control characters, full-width digits, NaN/inf text …). Whatever
the damage, the library path the CLI runs must end with a validation result (rendered as the JSON
and text reports) or ``UnreadableWorkbook`` — never another exception — within a time bound, and
must leave the mutated file byte-identical.
"""

from __future__ import annotations

from conftest import deadline

import datetime as dt
import hashlib
import io
import json
import os
import re
import time
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from crm_xl.ports.errors import UnreadableWorkbook

SECONDS = 20
EXAMPLES = int(os.environ.get("CRM_XL_FUZZ_EXAMPLES", "40"))  # raise it for a longer hunt
AS_OF = dt.date(2026, 11, 23)
HOSTILE = [
    "=cmd|' /C calc'!A0", "=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3", "@SUM(A1:A9)", "\t=1+1",
    "x" * 40_000, "长" * 32_000, "9" * 5_000, "\x01\x02\x07\x1b[31m\x7f", "\u202eevil\u202c", "\ufeff",
    "１２３４５", "１２．５", "٣٤", "NaN", "nan", "inf", "-Infinity", "1e309", "-0", "0x1F", "1_000",
    "2026-02-30", "0000-00-00", "31/12/99999", "99999999999999999999", "#N/A", "#DIV/0!", "TRUE",
    "😀" * 300, "\ud800".encode("utf-8", "surrogatepass").decode("utf-8", "replace"), "<b>&amp;</b>", "",
    " ", "\n\n", "None", "null",
]




@pytest.fixture(scope="session")
def register_parts(tmp_path_factory) -> tuple[bytes, dict[str, bytes]]:
    """A genuine demo register: the file's bytes and its zip parts."""
    from crm_xl.workbook import build_workbook

    book = tmp_path_factory.mktemp("fuzz") / "register.xlsx"
    build_workbook(book, demo=True, n_customers=20)
    with zipfile.ZipFile(book) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    return book.read_bytes(), parts


def _rezip(parts: dict[str, bytes], part: str, payload: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, payload if name == part else data)
    return out.getvalue()


def _nth(matches: list[re.Match], index: int) -> re.Match | None:
    return matches[index % len(matches)] if matches else None


def _edit(text: str, how: str, index: int, value: str) -> str:
    """One edit of an XML part; ``index`` picks the place, ``value`` the hostile text."""
    if how == "delete_tag":
        m = _nth(list(re.finditer(r"<[A-Za-z][^>]*>", text)), index)
        return text[:m.start()] + text[m.end():] if m else text
    if how == "doctype":
        decl = re.match(r"<\?xml[^>]*\?>", text)
        at = decl.end() if decl else 0
        dtd = ['<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>',
               '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>', "<!DOCTYPE x>"][index % 3]
        return text[:at] + dtd + text[at:]
    if how == "huge_attribute":
        m = _nth(list(re.finditer(r"<[A-Za-z][\w:]*", text)), index)
        return text[:m.end()] + f' x="{"A" * (100_000 + index * 1_000)}"' + text[m.end():] if m else text
    if how == "text_in_number":  # a numeric cell typed t="n" that holds text
        m = _nth(list(re.finditer(r'<c r="([A-Z]+\d+)"([^>]*?)>(?:<f>[^<]*</f>)?<v>[^<]*</v></c>', text)), index)
        if not m:
            return text
        attrs = re.sub(r'\st="[^"]*"', "", m.group(2))
        return text[:m.start()] + f'<c r="{m.group(1)}"{attrs} t="n"><v>{escape(value)}</v></c>' + text[m.end():]
    if how == "inline_string":  # any cell (number, date, shared string) replaced by hostile text
        m = _nth(list(re.finditer(r'<c r="([A-Z]+\d+)"([^>]*?)>.*?</c>', text)), index)
        if not m:
            return text
        attrs = re.sub(r'\st="[^"]*"', "", m.group(2))
        return (text[:m.start()] + f'<c r="{m.group(1)}"{attrs} t="inlineStr"><is><t xml:space="preserve">'
                f"{escape(value)}</t></is></c>" + text[m.end():])
    if how == "shared_string":
        m = _nth(list(re.finditer(r"<si>.*?</si>", text, re.S)), index)
        return text[:m.start()] + f'<si><t xml:space="preserve">{escape(value)}</t></si>' + text[m.end():] if m else text
    raise AssertionError(how)


SHEET_PARTS = [f"xl/worksheets/sheet{i}.xml" for i in range(1, 22)]
XML_PARTS = SHEET_PARTS + ["xl/sharedStrings.xml", "xl/workbook.xml", "[Content_Types].xml", "xl/styles.xml",
                           "xl/_rels/workbook.xml.rels"]
VALUES = st.sampled_from(HOSTILE) | st.text(max_size=60)

# A mutation is a small tuple (shown by hypothesis when a case fails), applied by ``mutate``.
MUTATIONS = st.one_of(
    st.tuples(st.just("flip"), st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)),
                                        min_size=1, max_size=8)),
    st.tuples(st.just("truncate"), st.floats(0, 1, exclude_max=True)),
    st.tuples(st.just("xml"), st.sampled_from(XML_PARTS),
              st.sampled_from(["delete_tag", "doctype", "huge_attribute", "text_in_number"]),
              st.integers(0, 10_000), VALUES),
    st.tuples(st.just("cell"), st.sampled_from(SHEET_PARTS), st.sampled_from(["inline_string", "text_in_number"]),
              st.integers(0, 10_000), VALUES),
    st.tuples(st.just("cell"), st.just("xl/sharedStrings.xml"), st.just("shared_string"), st.integers(0, 10_000),
              VALUES),
)


def mutate(register_parts: tuple[bytes, dict[str, bytes]], mutation: tuple) -> bytes:
    raw, parts = register_parts
    if mutation[0] == "flip":
        data = bytearray(raw)
        for where, value in mutation[1]:
            data[int(where * len(data))] = value
        return bytes(data)
    if mutation[0] == "truncate":
        return raw[:int(mutation[1] * len(raw))]
    _, part, how, index, value = mutation
    if part not in parts:
        return raw
    edited = _edit(parts[part].decode("utf-8"), how, index, value)
    return _rezip(parts, part, edited.encode("utf-8", "surrogatepass"))


def validate_like_the_cli(path: Path) -> str:
    """What ``crm-xl validate`` does in-process: read, validate, render JSON and text reports."""
    from crm_xl.cli.validate import print_text, report_json
    from crm_xl.ports.reader import read_register
    from crm_xl.validation import validate

    try:
        register = read_register(path)
    except UnreadableWorkbook as error:
        assert error.message("en") and error.message("zh-CN")
        return "unreadable"
    result = validate(register, AS_OF)
    json.dumps(report_json(result, str(path), register.lang), ensure_ascii=False)
    print_text(result, register.lang, file=io.StringIO())
    return "validated"


def test_the_unmutated_register_validates(register_parts, tmp_path: Path):
    path = tmp_path / "register.xlsx"
    path.write_bytes(register_parts[0])
    assert validate_like_the_cli(path) == "validated"


@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(mutation=MUTATIONS)
def test_mutated_registers_end_cleanly(register_parts, tmp_path: Path, mutation: tuple):
    blob = mutate(register_parts, mutation)
    path = tmp_path / "mutated.xlsx"
    path.write_bytes(blob)
    before = hashlib.sha256(blob).hexdigest()
    started = time.perf_counter()
    with deadline(SECONDS):
        outcome = validate_like_the_cli(path)  # any other exception fails the test
    event(outcome)
    assert outcome in ("validated", "unreadable")
    assert time.perf_counter() - started < SECONDS
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


@pytest.mark.parametrize("sheet,column", [
    ("training_sessions", None),  # staff with hire dates, no training held yet
    ("projects", None),  # milestones whose projects sheet is missing
    ("customers", "country"),  # a customers sheet without countries
])
def test_a_register_with_an_empty_sheet_or_column_validates(register_parts, tmp_path: Path, sheet, column):
    """Found by the fuzzer: each of these raised inside validate (pandas cannot map through an empty
    datetime Series; an all-blank column joined with text)."""
    import pandas as pd

    from crm_xl.ports.reader import read_register
    from crm_xl.register import empty_frame
    from crm_xl.schema import SHEETS
    from crm_xl.validation import validate

    path = tmp_path / "register.xlsx"
    path.write_bytes(register_parts[0])
    register = read_register(path)
    if column is None:
        register.frames[sheet] = empty_frame(SHEETS[sheet])
    else:
        frame = register.frames[sheet].copy()
        frame[column] = pd.Series(pd.NA, index=frame.index, dtype="string")
        register.frames[sheet] = frame
    result = validate(register, AS_OF)
    assert result.summary()["rows_checked"] > 0
