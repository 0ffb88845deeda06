"""The built VBA project has the shape of an Excel-saved one, stream by stream and record by record.

References: the Excel-saved .xlsm files of XlsxWriter's comparison tests in the shared corpus
(saved by Excel 2007-2016 on Windows) and xlwings' own ``quickstart_standalone.xlsm`` (saved by a
64-bit Excel, with xlwings' standalone layout: the ``xlwings`` module and the ``Dictionary``
class). IDs, names, module source, versions and cache streams are masked (see
``tests/vba_structure.py``); every other stream, line and record must be there, in Excel's order,
with Excel's fixed values. A failure names the first difference.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from conftest import corpus_dir
from vba_structure import first_difference, module_kinds, reference_names, shape

from crm_xl.excel import vba
from crm_xl.excel.xlsm import write_macro_register

CORPUS = corpus_dir()
XLSXWRITER = sorted((CORPUS / "jmcnamara__XlsxWriter").rglob("*.xlsm")) if CORPUS else []
XLWINGS_STANDALONE = vba.xlwings_bas_path().parent / "quickstart_standalone.xlsm"
REFERENCES = XLSXWRITER + [XLWINGS_STANDALONE]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("shape") / "register.xlsm"
    write_macro_register(path, lang="en")
    return path


def _compare(ours: Path | bytes, excel: Path) -> str | None:
    kinds = module_kinds(ours) & module_kinds(excel)
    refs = reference_names(ours) & reference_names(excel)
    return first_difference(shape(ours, kinds, refs), shape(excel, kinds, refs))


def test_the_corpus_has_excel_saved_projects() -> None:
    if CORPUS is None:
        pytest.skip("shared corpus not present")
    assert len(XLSXWRITER) >= 5, XLSXWRITER
    assert XLWINGS_STANDALONE.is_file()


@pytest.mark.parametrize("excel", REFERENCES, ids=lambda p: p.name)
def test_built_project_has_the_shape_of_an_excel_saved_one(built: Path, excel: Path) -> None:
    assert _compare(built, excel) is None


def test_the_standalone_layout_is_xlwings_own(built: Path) -> None:
    """Same module kinds as xlwings' standalone workbook: standard modules, documents, the Dictionary class."""
    assert module_kinds(XLWINGS_STANDALONE) <= module_kinds(built)
    from vba_readback import read_back, source_lines

    back = read_back(built)
    original = vba.xlwings_bas_path().parent / "addin" / "Dictionary.cls"
    expected = [line for line in source_lines(original.read_text(encoding="cp1252"))
                if not line.startswith(("VERSION ", "BEGIN", "  MultiUse", "END"))]
    assert source_lines(back["Dictionary"]) == expected
    assert "Class=Dictionary" in _project_text(built)


def _project_text(path: Path) -> str:
    import io

    import olefile

    with zipfile.ZipFile(path) as package:
        ole = olefile.OleFileIO(io.BytesIO(package.read("xl/vbaProject.bin")))
    try:
        return ole.openstream("PROJECT").read().decode("cp1252")
    finally:
        ole.close()


def test_the_comparison_names_what_plain_ms_ovba_lacks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the shaping layer, ms-ovba's project differs from Excel's, and the test says where."""
    from crm_xl.excel import ovba

    monkeypatch.setattr(ovba, "excel_shaped", lambda project: project)
    plain = vba.build_vba_project({"Module1": "Sub A()\r\nEnd Sub\r\n"}, tmp_path / "plain.bin", ["Sheet1"])
    difference = _compare(plain.read_bytes(), XLSXWRITER[0] if XLSXWRITER else XLWINGS_STANDALONE)
    assert difference is not None and "PROJECTwm" in difference


def test_project_stream_lines_as_excel_writes_them(built: Path) -> None:
    lines = _project_text(built).split("\r\n")
    at = lines.index('Name="VBAProject"')
    assert lines[at:at + 3] == ['Name="VBAProject"', 'HelpContextID="0"', 'VersionCompatible32="393222000"']
    workspace = lines[lines.index("[Workspace]") + 1:]
    modules = [line.split("=")[1].split("/")[0] for line in lines[1:at]]
    assert [w.split("=")[0] for w in workspace if w] == modules


def test_project_compat_version_is_the_one_microsoft_365_writes(built: Path) -> None:
    import io
    import struct

    import olefile
    from oletools.olevba import decompress_stream

    with zipfile.ZipFile(built) as package:
        ole = olefile.OleFileIO(io.BytesIO(package.read("xl/vbaProject.bin")))
    data = bytes(decompress_stream(bytearray(ole.openstream("VBA/dir").read())))
    ole.close()
    assert struct.unpack_from("<HI", data, 0) == (0x0001, 4)  # PROJECTSYSKIND first
    assert struct.unpack_from("<HII", data, 10) == (0x004A, 4, 3)  # then PROJECTCOMPATVERSION = 3
