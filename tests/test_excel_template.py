"""The macro-enabled register (`crm-xl new x.xlsm`, workbook/crm.xlsm), read back with independent tools:
olevba for the VBA project, the zip's VML for the buttons, python-calamine for cells, LibreOffice
headless as a real client."""

from __future__ import annotations

from vba_readback import read_back, source_lines

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import calamine_rows
from lo import require_uno, run_macro

import crm_xl
from crm_xl.excel import vba
from crm_xl.excel.xlsm import BUTTONS, CONTROL_CODENAME, macros_dir, write_macro_register
from crm_xl.excel.udfs import UDFS
from crm_xl.workbook import TEMPLATE_CREATED, build_workbook

ROOT = Path(__file__).resolve().parents[1]


_read_back, _lines = read_back, source_lines


@pytest.fixture(scope="module")
def xlsm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("xlsm") / "crm.xlsm"
    build_workbook(path, lang="zh-CN", macros=True)
    return path


def test_modules_read_back_equal_macros_and_registry(xlsm: Path) -> None:
    back = _read_back(xlsm)
    sources = vba.load_macros(macros_dir())
    assert sources, "no macros/*.bas"
    for name, code in sources.items():
        assert _lines(back[name]) == _lines(code), f"module {name} differs from macros/"
    assert _lines(back[vba.UDF_MODULE]) == _lines(vba.udf_module_source(UDFS, register_sub="CrmRegisterUdfs"))
    for spec in UDFS:
        assert f"Function {spec.name}(" in back[vba.UDF_MODULE]
    assert "Function CRM_FX(amount, currency_code, Optional on_date)" in back[vba.UDF_MODULE]
    # Argument names become VBA parameter names: a VBA keyword there stops the whole module compiling.
    keywords = {"date", "type", "end", "currency", "string", "integer", "long", "double", "object", "variant",
                "boolean", "byte", "single", "error", "name", "open", "close", "get", "put", "input", "print",
                "len", "mid", "left", "right", "val", "str", "time", "now", "year", "month", "day", "select",
                "case", "next", "step", "to", "let", "set", "with", "property", "function", "sub", "call", "dim"}
    for spec in UDFS:
        assert not {a.lower() for a in spec.args} & keywords, spec
    assert "caller" not in re.findall(r"Function CRM_SCALE\(([^)]*)\)", back[vba.UDF_MODULE])[0]
    xlwings_text = vba.xlwings_bas_path().read_text(encoding="cp1252").replace("\r\n", "\n").rstrip("\n")
    assert back["xlwings"].replace("\r\n", "\n").rstrip("\n") == xlwings_text
    assert f'"{crm_xl.__version__}"' in back["CrmButtons"]
    # Opening writes no cell (Excel would ask to save on every close) and keeps the saved state.
    assert "CrmRegisterUdfs" in back["ThisWorkbook"] and "CrmStampVersion" not in back["ThisWorkbook"]
    assert ".Value" not in back["ThisWorkbook"] and "ThisWorkbook.Saved = wasSaved" in back["ThisWorkbook"]


def test_every_sheet_has_a_code_name_and_control_is_first(xlsm: Path) -> None:
    back = _read_back(xlsm)
    with zipfile.ZipFile(xlsm) as package:
        names = package.namelist()
        sheets = sorted(n for n in names if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n))
        codenames = [re.search(r'codeName="([^"]+)"', package.read(n).decode()).group(1) for n in sheets]
    assert codenames[0] == CONTROL_CODENAME
    assert len(set(codenames)) == len(codenames)
    assert all(c in back for c in codenames), "a sheet code name without a document module"
    rows = calamine_rows(xlsm, "控制台")
    assert rows[1][0] == "版本"
    assert "Python" in rows[3][0]


def test_buttons_call_subs_of_the_project_with_captions_in_the_language(tmp_path: Path) -> None:
    for lang, captions in (("zh-CN", [b[0] for b in BUTTONS]), ("en", [b[1] for b in BUTTONS])):
        path = tmp_path / f"{lang}.xlsm"
        build_workbook(path, lang=lang, macros=True)
        with zipfile.ZipFile(path) as package:
            vml = "".join(package.read(n).decode() for n in package.namelist() if n.endswith(".vml"))
        macros = re.findall(r"<x:FmlaMacro>\[0\]!([^<]+)</x:FmlaMacro>", vml)
        assert macros == ["CrmValidate", "CrmRefresh", "CrmFollowups", "CrmComplaintForm", "CrmTradeDocument"]
        for caption in captions:
            assert caption in vml
        subs = {n for code in _read_back(path).values() for n, k in vba.procedure_names(code).items() if k == "Sub"}
        assert set(macros) <= subs
        buttons = (ROOT / "macros" / "Buttons.bas").read_text()
        entries = dict(re.findall(r"Sub (Crm\w+)\(\)\s+RunPython \"import crm_xl.excel as x; x\.(\w+)\(\)\"", buttons))
        import crm_xl.excel as entry_points

        assert all(callable(getattr(entry_points, entries[m])) for m in macros)


def test_xlsx_stays_macro_free(tmp_path: Path) -> None:
    path = tmp_path / "plain.xlsx"
    build_workbook(path, macros=False)
    with zipfile.ZipFile(path) as package:
        assert not [n for n in package.namelist() if "vba" in n.lower() or n.endswith(".vml")]
    assert "控制台" not in [r for r in calamine_rows(path, "使用说明")[0]]


def test_macro_build_is_reproducible(tmp_path: Path) -> None:
    a, b = tmp_path / "a.xlsm", tmp_path / "b.xlsm"
    write_macro_register(a, created=TEMPLATE_CREATED)
    write_macro_register(b, created=TEMPLATE_CREATED)
    assert a.read_bytes() == b.read_bytes()


def test_committed_xlsm_matches_a_fresh_build(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}  # this checkout's crm_xl, not an installed one
    result = subprocess.run([sys.executable, "-m", "crm_xl", "build", "--dir", str(tmp_path)],
                            capture_output=True, text=True, timeout=180, env=env)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "crm.xlsm").read_bytes() == (ROOT / "workbook" / "crm.xlsm").read_bytes()


@pytest.mark.libreoffice
def test_libreoffice_lists_the_modules_of_the_template(xlsm: Path) -> None:
    require_uno()
    report = run_macro(xlsm, cells=["B2"])
    assert report["vba_mode"] is True
    assert {"CrmButtons", "CrmUdfs", "xlwings", "ThisWorkbook", CONTROL_CODENAME} <= set(report["modules"])
    assert report["codenames"]["控制台"] == CONTROL_CODENAME


@pytest.mark.libreoffice
def test_libreoffice_stamps_the_version_without_xlwings_bas(tmp_path: Path) -> None:
    """The same template minus xlwings.bas (LibreOffice Basic cannot compile it; see test_vba_build)."""
    require_uno()
    path = tmp_path / "no-xlwings.xlsm"
    write_macro_register(path, with_xlwings=False)
    control = calamine_rows(path, "控制台")
    assert control[1][1] == crm_xl.__version__  # B2: written by the build, not by a macro on open
    assert control[1][2:3] in ([], [""], [None])  # C2 is blank until the macro runs
    report = run_macro(path, macro="CrmButtons.CrmStampVersion", cells=["A2", "B2", "C2"], sheet="控制台")
    assert report["macro_error"] is None
    assert report["cells"]["C2"]["string"] == f"macros run (VBA project {crm_xl.__version__})"
    assert report["cells"]["B2"]["string"] == crm_xl.__version__
    assert report["cells"]["A2"]["string"] == "版本"
