"""The workbook's VBA project: macros/*.bas, xlwings' standalone module and generated UDF wrappers.

`build_vba_project` compiles VBA module texts into a ``vbaProject.bin`` with the ``ms-ovba``
package, shaped like an Excel-saved project by :mod:`crm_xl.excel.ovba`; `attach_vba` puts it into an xlsxwriter workbook and gives every sheet the code name the
project has a document module for; `add_control_buttons` draws the Control sheet's form buttons.

Module texts are handled without their ``Attribute VB_Name`` line: the builder writes that line
from the module's name, `load_macros` strips it (and takes the name from it). Everything stored in
the project uses CRLF line endings and the project's code page (Windows-1252), so VBA sources must
be ASCII/Windows-1252; Chinese texts belong in the workbook cells or in Python, not in VBA.

xlwings is imported only by `xlwings_bas_path`, lazily, to locate the shipped ``xlwings.bas``.
"""

from __future__ import annotations

import contextlib
import inspect
import re
import shutil
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover - typing only
    import xlsxwriter
    from xlsxwriter.worksheet import Worksheet

__all__ = [
    "BUTTONS_MODULE",
    "PROJECT_CODEPAGE",
    "THIS_WORKBOOK",
    "UDF_MODULE",
    "VERSION_PLACEHOLDER",
    "UdfSpec",
    "add_control_buttons",
    "attach_vba",
    "build_vba_project",
    "load_macros",
    "procedure_names",
    "sheet_codenames",
    "strip_vb_name",
    "udf_module_source",
    "xlwings_bas_path",
    "pinned_xlwings",
    "xlwings_class_modules",
    "xlwings_lock_problems",
    "xlwings_module",
    "xlwings_version",
]

PROJECT_CODEPAGE = "cp1252"
"""Code page of the built project (ms-ovba writes code page 1252 into the dir stream)."""
THIS_WORKBOOK = "ThisWorkbook"
"""Code name of the workbook's document module (xlsxwriter's default)."""
BUTTONS_MODULE = "CrmButtons"
UDF_MODULE = "CrmUdfs"
"""Name of the generated UDF wrapper module."""
VERSION_PLACEHOLDER = "@CRM_XL_VERSION@"
"""Text in macros/*.bas that `load_macros` replaces with the package version."""

# A fixed project id keeps builds byte-for-byte reproducible.
_PROJECT_ID = "{6F1D5A3E-3C2B-4E8A-9B1F-C2A7D0E4B519}"
_WORKSHEET_GUID = uuid.UUID("00020820-0000-0000-C000-000000000046")
_WORKBOOK_GUID = uuid.UUID("00020819-0000-0000-C000-000000000046")
_IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,30}$")
_VB_NAME = re.compile(r'^\s*Attribute\s+VB_Name\s*=\s*"([^"]+)"\s*$', re.IGNORECASE)
_PROCEDURE = re.compile(
    r"^\s*(?:(?:Public|Private|Friend)\s+)?(?:Static\s+)?(Sub|Function)\s+([A-Za-z][A-Za-z0-9_]*)",
    re.IGNORECASE | re.MULTILINE,
)
# ms-ovba writes its intermediate files into the current directory: one build at a time.
_BUILD_LOCK = threading.Lock()

# The attribute lines Excel stores at the top of a document module (ms-ovba's DocModule.normalize_file
# writes the same lines, but appends the last two after any code).
_DOC_MODULE_ATTRIBUTES = (
    'Attribute VB_Name = "{name}"\n'
    'Attribute VB_Base = "0{{{guid}}}"\n'
    "Attribute VB_GlobalNameSpace = False\n"
    "Attribute VB_Creatable = False\n"
    "Attribute VB_PredeclaredId = True\n"
    "Attribute VB_Exposed = True\n"
    "Attribute VB_TemplateDerived = False\n"
    "Attribute VB_Customizable = True\n"
)


# --------------------------------------------------------------------------------------------
# text helpers


def _crlf(text: str) -> str:
    """Return `text` with CRLF line endings and exactly one trailing line break."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").rstrip("\n").split("\n")
    return "\r\n".join(lines) + "\r\n"


def _check_identifier(name: str, what: str) -> None:
    if not _IDENTIFIER.match(name):
        raise ValueError(f"{what} {name!r} is not a valid VBA identifier (letter, then letters/digits/_; max 31)")


def _encode(text: str, module: str, header_lines: int = 0) -> bytes:
    """Encode module text in the project code page, naming the first line that cannot be.

    Line numbers in the error count from the caller's code, after `header_lines` generated lines.
    """
    try:
        return text.encode(PROJECT_CODEPAGE)
    except UnicodeEncodeError:
        for number, line in enumerate(text.splitlines(), start=1 - header_lines):
            try:
                line.encode(PROJECT_CODEPAGE)
            except UnicodeEncodeError as exc:
                raise ValueError(
                    f"VBA module {module!r} line {number} has characters outside {PROJECT_CODEPAGE}: "
                    f"{line.strip()!r}; keep VBA sources ASCII and put localized text in the workbook"
                ) from exc
        raise  # pragma: no cover - unreachable: some line must fail


def strip_vb_name(code: str) -> tuple[str | None, str]:
    """Split a leading ``Attribute VB_Name = "X"`` line off `code`; return (X or None, rest)."""
    text = code.lstrip("\ufeff")
    first, _, rest = text.replace("\r\n", "\n").partition("\n")
    match = _VB_NAME.match(first)
    if match is None:
        return None, text
    return match.group(1), rest


def procedure_names(code: str) -> dict[str, str]:
    """Map each procedure declared in VBA `code` to its kind (``"Sub"`` or ``"Function"``)."""
    return {m.group(2): m.group(1).capitalize() for m in _PROCEDURE.finditer(code)}


# --------------------------------------------------------------------------------------------
# modules from disk


def xlwings_bas_path() -> Path:
    """Locate ``xlwings.bas`` inside the installed xlwings package (the standalone VBA module)."""
    import importlib.util

    spec = importlib.util.find_spec("xlwings")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("xlwings is not installed; it ships the standalone xlwings.bas")
    for location in spec.submodule_search_locations:
        package_dir = Path(location)
        direct = package_dir / "xlwings.bas"
        if direct.is_file():
            return direct
        found = sorted(package_dir.rglob("xlwings.bas"))
        if found:
            return found[0]
    raise FileNotFoundError("xlwings.bas not found in the installed xlwings package")


def xlwings_version(code: str | None = None) -> str:
    """The ``XLWINGS_VERSION`` constant of xlwings' VBA module (the installed one when `code` is None)."""
    text = code if code is not None else xlwings_module()[1]
    match = re.search(r'^\s*Public\s+Const\s+XLWINGS_VERSION\s+As\s+String\s*=\s*"([^"]+)"', text,
                      re.IGNORECASE | re.MULTILINE)
    if match is None:
        raise ValueError("xlwings' VBA module has no XLWINGS_VERSION constant")
    return match.group(1)


def pinned_xlwings() -> str | None:
    """The xlwings version crm-xl pins (``xlwings==X.Y.Z`` in its package metadata); None when unpinned."""
    from importlib.metadata import PackageNotFoundError, requires

    try:
        requirements = requires("crm-xl") or []
    except PackageNotFoundError:
        return None
    for requirement in requirements:
        match = re.match(r"^\s*xlwings\s*==\s*([0-9][0-9A-Za-z.]*)\s*(?:;.*)?$", requirement)
        if match:
            return match.group(1)
    return None


def xlwings_lock_problems(workbook_xlwings: Mapping[str, str | None] | None = None) -> list[tuple[str, str]]:
    """What breaks the version lock, as (zh-CN, en) sentences that say what to do ([] when locked).

    The lock: the xlwings crm-xl pins = the installed xlwings package = the ``XLWINGS_VERSION`` of
    the ``xlwings.bas`` it ships = the version embedded in each of `workbook_xlwings` ({file: version}).
    """
    from importlib.metadata import PackageNotFoundError, version

    problems: list[tuple[str, str]] = []
    try:
        installed = version("xlwings")
    except PackageNotFoundError:
        return [("没有安装 xlwings：pip install -e .", "xlwings is not installed: pip install -e .")]
    pinned = pinned_xlwings()
    if pinned is None:
        problems.append(("crm-xl 没有把 xlwings 固定到一个版本（pyproject.toml 里应为 xlwings==X.Y.Z）。",
                         "crm-xl does not pin xlwings to one version (pyproject.toml needs xlwings==X.Y.Z)."))
    elif pinned != installed:
        problems.append((f"crm-xl 固定 xlwings=={pinned}，但装的是 {installed}：pip install xlwings=={pinned}",
                         f"crm-xl pins xlwings=={pinned} but {installed} is installed: pip install xlwings=={pinned}"))
    shipped = xlwings_version()
    if shipped != installed:
        problems.append((f"xlwings {installed} 自带的 xlwings.bas 版本是 {shipped}：重新安装 xlwings。",
                         f"xlwings {installed} ships an xlwings.bas of version {shipped}: reinstall xlwings."))
    for name, embedded in (workbook_xlwings or {}).items():
        if embedded != installed:
            problems.append((f"{name} 内嵌的是 xlwings {embedded}，装的是 {installed}：运行 crm-xl build 重建。",
                             f"{name} embeds xlwings {embedded}, {installed} is installed: run crm-xl build."))
    return problems


def xlwings_class_modules() -> dict[str, str]:
    """The class modules xlwings' standalone layout adds next to ``xlwings.bas``: {name: code}.

    ``xlwings quickstart --standalone`` (its ``quickstart_standalone.xlsm``) and ``xlwings release``
    embed ``addin/Dictionary.cls`` with ``xlwings.bas``: on macOS ``GetConfigFromSheet`` uses that
    ``Dictionary`` class (``Scripting.Dictionary`` is Windows-only), so without it no macro compiles.
    """
    from crm_xl.excel.ovba import class_module_source

    path = xlwings_bas_path().parent / "addin" / "Dictionary.cls"
    if not path.is_file():
        raise FileNotFoundError(f"xlwings' Dictionary.cls not found at {path}")
    name, code = strip_vb_name(class_module_source(path.read_text(encoding=PROJECT_CODEPAGE)))
    return {name or "Dictionary": code}


def xlwings_module() -> tuple[str, str]:
    """Return (module name, code without its VB_Name line) of the installed ``xlwings.bas``."""
    path = xlwings_bas_path()
    name, code = strip_vb_name(path.read_text(encoding=PROJECT_CODEPAGE))
    return name or path.stem, code


def load_macros(macros_dir: str | Path, version: str | None = None) -> dict[str, str]:
    """Read ``macros_dir/*.bas`` into {module name: code}, ready for `build_vba_project`.

    The module name comes from the file's ``Attribute VB_Name`` line (stripped from the code), or
    from the file name when there is none. `VERSION_PLACEHOLDER` is replaced by `version`
    (default: ``crm_xl.__version__``). Line endings are normalized to CRLF.
    """
    if version is None:
        from crm_xl import __version__ as version
    modules: dict[str, str] = {}
    for path in sorted(Path(macros_dir).glob("*.bas")):
        name, code = strip_vb_name(path.read_text(encoding="utf-8"))
        name = name or path.stem
        if name in modules:
            raise ValueError(f"two files in {macros_dir} define VBA module {name!r}")
        modules[name] = _crlf(code.replace(VERSION_PLACEHOLDER, version))
    return modules


# --------------------------------------------------------------------------------------------
# UDF wrappers


@dataclass(frozen=True)
class UdfSpec:
    """One Python UDF as Excel sees it.

    `python_module` is the importable module xlwings calls (``XLPy.CallUDF(module, name, ...)``);
    an argument named ``caller`` is not shown in Excel and receives the calling range, as in
    xlwings. `optional` lists arguments that may be omitted in Excel.
    """

    name: str
    args: tuple[str, ...] = ()
    description: str = ""
    python_module: str = "crm_xl.excel.udfs"
    arg_descriptions: Mapping[str, str] = field(default_factory=dict)
    optional: tuple[str, ...] = ()
    volatile: bool = False
    call_in_wizard: bool = True
    category: str = "crm-xl"

    def __post_init__(self) -> None:
        _check_identifier(self.name, "UDF name")
        for arg in self.args:
            _check_identifier(arg, f"argument of {self.name}")
        unknown = set(self.optional) - set(self.args)
        if unknown:
            raise ValueError(f"{self.name}: optional arguments not in args: {sorted(unknown)}")

    @classmethod
    def from_function(
        cls, func: Callable[..., object], *, name: str | None = None, python_module: str | None = None, **options: object
    ) -> UdfSpec:
        """Describe `func`: arguments from its signature, description from its docstring's first paragraph."""
        args: list[str] = []
        optional: list[str] = []
        for parameter in inspect.signature(func).parameters.values():
            if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
                raise ValueError(f"{func.__name__}: *args/**kwargs are not supported as UDF arguments")
            args.append(parameter.name)
            if parameter.default is not parameter.empty:
                optional.append(parameter.name)
        doc = inspect.getdoc(func) or ""
        description = " ".join(doc.split("\n\n", 1)[0].split())
        return cls(
            name=name or func.__name__,
            args=tuple(args),
            description=description,
            python_module=python_module or func.__module__,
            optional=tuple(optional),
            **options,  # type: ignore[arg-type]
        )


def _vba_string(text: str) -> str:
    """A VBA string literal (quotes doubled, single line)."""
    return '"' + " ".join(text.split()).replace('"', '""') + '"'


class _VbaWriter:
    """Indented VBA lines, as xlwings' VBAWriter writes them (4 spaces per level)."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.indent = 0

    def line(self, text: str = "") -> None:
        self.lines.append(("    " * self.indent + text) if text else "")

    def label(self, text: str) -> None:
        self.indent -= 1
        self.line(text + ":")
        self.indent += 1

    @contextlib.contextmanager
    def block(self, opening: str):  # noqa: ANN202 - context manager
        self.line(opening)
        self.indent += 1
        try:
            yield
        finally:
            self.indent -= 1


def udf_module_source(udfs: Sequence[UdfSpec], register_sub: str = "CrmRegisterUdfs") -> str:
    """VBA text (without VB_Name line) of the UDF wrapper module for `udfs`.

    Each wrapper is what ``xlwings.udfs.generate_vba_wrapper`` writes for a standalone workbook
    (``XLPy.CallUDF(module, name, Array(args), ThisWorkbook, Application.Caller)``), plus a
    ``VB_Description`` attribute so Excel's function wizard shows the description. The public
    sub `register_sub` registers descriptions, argument descriptions and category through
    ``Application.MacroOptions`` (call it from ``Workbook_Open``).
    """
    names = [u.name for u in udfs]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"duplicate UDF names: {duplicates}")
    vba = _VbaWriter()
    vba.line("'Autogenerated by crm-xl from the Python UDF registry - do not edit; rebuilt by crm-xl build")
    vba.line("#Const App = \"Microsoft Excel\" 'Adjust when using outside of Excel")
    vba.line()
    for udf in udfs:
        shown = [a for a in udf.args if a != "caller"]
        signature = ", ".join(("Optional " if a in udf.optional else "") + a for a in shown)
        call_args = "Array(" + ", ".join("Nothing" if a == "caller" else a for a in udf.args) + ")"
        head = f'XLPy.CallUDF("{udf.python_module}", "{udf.name}", {call_args}'
        with vba.block(f"Function {udf.name}({signature})"):
            if udf.description:
                vba.lines.append(f"Attribute {udf.name}.VB_Description = {_vba_string(udf.description[:255])}")
            if not udf.call_in_wizard:
                vba.line('If (Not Application.CommandBars("Standard").Controls(1).Enabled) Then Exit Function')
            if udf.volatile:
                vba.line("Application.Volatile")
            with vba.block('#If App = "Microsoft Excel" Then'):
                vba.line("If TypeOf Application.Caller Is Range Then On Error GoTo failed")
                vba.line(f"{udf.name} = {head}, ThisWorkbook, Application.Caller)")
                vba.line("Exit Function")
            with vba.block("#Else"):
                vba.line(f"{udf.name} = {head})")
                vba.line("Exit Function")
            vba.line("#End If")
            vba.label("failed")
            vba.line(f"{udf.name} = Err.Description")
        vba.line("End Function")
        vba.line()
    vba.line("' Registers descriptions and argument help for Excel's function wizard.")
    with vba.block(f"Public Sub {register_sub}()"):
        vba.line('#If App = "Microsoft Excel" Then')
        vba.line("On Error Resume Next")
        for udf in udfs:
            shown = [a for a in udf.args if a != "caller"]
            options = [f"Description:={_vba_string(udf.description[:255])}", f"Category:={_vba_string(udf.category)}"]
            if shown:
                docs = ", ".join(_vba_string(udf.arg_descriptions.get(a, a)[:255]) for a in shown)
                options.append(f"ArgumentDescriptions:=Array({docs})")
            vba.line(f'Application.MacroOptions Macro:="{udf.name}", ' + ", ".join(options))
        vba.line("On Error GoTo 0")
        vba.line("#End If")
    vba.line("End Sub")
    return _crlf("\n".join(vba.lines))


# --------------------------------------------------------------------------------------------
# the project


def build_vba_project(
    modules: Mapping[str, str],
    out_path: str | Path,
    sheet_codenames: Iterable[str] = (),
    this_workbook_code: str = "",
    class_modules: Mapping[str, str] | None = None,
) -> Path:
    """Compile standard modules into a ``vbaProject.bin`` at `out_path` with ms-ovba.

    `modules` maps module name to VBA code without the ``Attribute VB_Name`` line (`load_macros`,
    `xlwings_module`, `udf_module_source` give that form). The project also gets the document
    modules xlsxwriter's workbook expects: ``ThisWorkbook`` (with `this_workbook_code`, e.g. a
    ``Workbook_Open`` handler) and one per worksheet code name in `sheet_codenames` — pass every
    code name `attach_vba` will set. `class_modules` maps class module name to code without the
    ``Attribute VB_Name`` line (e.g. `xlwings_class_modules`). The project is shaped like an
    Excel-saved one (:func:`crm_xl.excel.ovba.excel_shaped`). The build is deterministic: same
    input, same bytes.
    """
    from crm_xl.excel.ovba import class_module, class_module_source, excel_shaped, module_description, ms_ovba_fixes

    from ms_ovba.Models.Entities.doc_module import DocModule
    from ms_ovba.Models.Entities.reference import Reference
    from ms_ovba.Models.Entities.reference_registered import ReferenceRegistered
    from ms_ovba.Models.Entities.std_module import StdModule
    from ms_ovba.Models.Fields.libid_reference import LibidReference
    from ms_ovba.Views.project_ole_file import ProjectOleFile
    from ms_ovba.vbaProject import VbaProject

    codenames = list(dict.fromkeys(sheet_codenames))
    classes = dict(class_modules or {})
    names = [THIS_WORKBOOK, *codenames, *modules, *classes]
    for name in names:
        _check_identifier(name, "module name")
    lowered = [n.lower() for n in names]
    clashes = sorted({n for n in names if lowered.count(n.lower()) > 1})
    if clashes:
        raise ValueError(f"VBA module names must be unique (case-insensitive): {clashes}")

    out = Path(out_path).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    with _BUILD_LOCK, tempfile.TemporaryDirectory(prefix="crm-xl-vba-") as tmp:
        work = Path(tmp)
        project = VbaProject()
        project.project_id = _PROJECT_ID

        def document(name: str, guid: uuid.UUID, code: str) -> DocModule:
            source = work / f"{name}.cls"
            text = _crlf(_DOC_MODULE_ATTRIBUTES.format(name=name, guid=str(guid).upper()) + code)
            attributes = _DOC_MODULE_ATTRIBUTES.count("\n")
            Path(f"{source}.new").write_bytes(_encode(text, name, attributes))  # the file ms-ovba compresses
            module = DocModule(name)
            module.add_file(str(source))
            module.add_guid(guid)
            return module

        project.add_module(document(THIS_WORKBOOK, _WORKBOOK_GUID, this_workbook_code))
        for codename in codenames:
            project.add_module(document(codename, _WORKSHEET_GUID, ""))
        for name, code in modules.items():
            source = work / f"{name}.bas"
            text = _crlf(f'Attribute VB_Name = "{name}"\n' + code)
            # What StdModule.normalize_file would write, but in the project's code page.
            Path(f"{source}.new").write_bytes(_encode(text, name, header_lines=1))
            module = StdModule(name)
            module.add_file(str(source))
            project.add_module(module)
        for name, code in classes.items():
            source = work / f"{name}.cls"
            text = _crlf(class_module_source(f'Attribute VB_Name = "{name}"\n' + code))
            attributes = len(class_module_source(f'Attribute VB_Name = "{name}"').split("\n")) - 1
            Path(f"{source}.new").write_bytes(_encode(text, name, header_lines=attributes))
            module = class_module(name, module_description(text))
            module.add_file(str(source))
            project.add_module(module)

        for libid, version, path, description, ref_name in (
            ("00020430-0000-0000-C000-000000000046", "2.0", "C:\\Windows\\System32\\stdole2.tlb",
             "OLE Automation", "stdole"),
            ("2DF8D04C-5BFA-101B-BDE5-00AA0044DE52", "2.0",
             r"C:\Program Files\Common Files\Microsoft Shared\OFFICE16\MSO.DLL",
             "Microsoft Office 16.0 Object Library", "Office"),
        ):
            reference = ReferenceRegistered(LibidReference(uuid.UUID(libid), version, "0", path, description))
            project.add_reference(Reference(reference, ref_name))

        excel_shaped(project)
        with contextlib.chdir(work), ms_ovba_fixes():
            ProjectOleFile.write_file(project)
        shutil.move(work / "vbaProject.bin", out)
    return out


# --------------------------------------------------------------------------------------------
# xlsxwriter


def sheet_codenames(sheet_names: Sequence[str], named: Mapping[str, str] | None = None) -> dict[str, str]:
    """Give every sheet a code name: the one in `named` (sheet name -> code name) or ``SheetN``.

    ``SheetN`` uses the sheet's 1-based position, as xlsxwriter does by default; a generated name
    that would clash with a chosen one gets a suffix. The result feeds both `build_vba_project`
    (its values) and `attach_vba`.
    """
    named = dict(named or {})
    unknown = set(named) - set(sheet_names)
    if unknown:
        raise ValueError(f"code names given for sheets that do not exist: {sorted(unknown)}")
    taken = {c.lower() for c in named.values()} | {THIS_WORKBOOK.lower()}
    result: dict[str, str] = {}
    for index, sheet in enumerate(sheet_names, start=1):
        if sheet in named:
            result[sheet] = named[sheet]
            continue
        candidate, suffix = f"Sheet{index}", 0
        while candidate.lower() in taken:
            suffix += 1
            candidate = f"Sheet{index}_{suffix}"
        taken.add(candidate.lower())
        result[sheet] = candidate
    return result


def attach_vba(workbook: xlsxwriter.Workbook, vba_bin_path: str | Path, sheet_codenames: Mapping[str, str]) -> None:
    """Add the project to `workbook` (an .xlsm) and set the workbook's and every sheet's code name.

    Call after all worksheets are added. `sheet_codenames` maps each worksheet name to the code
    name of its document module in the project (see `sheet_codenames`); a worksheet without one
    is an error, since Excel needs a document module for every sheet's code name.
    """
    path = Path(vba_bin_path)
    if not path.is_file():
        raise FileNotFoundError(path)
    missing = [ws.name for ws in workbook.worksheets() if ws.name not in sheet_codenames]
    if missing:
        raise ValueError(f"no VBA code name for sheets: {missing}")
    if workbook.add_vba_project(str(path)) == -1:
        raise ValueError(f"xlsxwriter refused the VBA project {path}")
    workbook.set_vba_name(THIS_WORKBOOK)
    for worksheet in workbook.worksheets():
        codename = sheet_codenames[worksheet.name]
        _check_identifier(codename, "sheet code name")
        worksheet.set_vba_name(codename)


def add_control_buttons(
    worksheet: Worksheet,
    buttons: Sequence[tuple[str, str]],
    first_row: int,
    col: int,
    *,
    width: int = 180,
    height: int = 32,
    row_step: int = 3,
) -> list[tuple[int, int]]:
    """Insert one form button per (caption, macro name), stacked down from (`first_row`, `col`).

    Rows and columns are zero-based like xlsxwriter's; each button starts `row_step` rows below the
    previous one. Returns the (row, col) cell of each button.
    """
    cells: list[tuple[int, int]] = []
    for index, (caption, macro) in enumerate(buttons):
        row = first_row + index * row_step
        worksheet.insert_button(row, col, {"caption": caption, "macro": macro, "width": width, "height": height})
        cells.append((row, col))
    return cells
