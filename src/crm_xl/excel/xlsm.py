"""The macro-enabled register (.xlsm): the Control sheet (控制台) and the workbook's VBA project.

`macro_hooks(lang)` gives the ``before_sheets``/``after_sheets`` hooks for
:func:`crm_xl.ports.template.write_register`: the first adds the Control sheet in front of every
other sheet (the crm-xl and xlwings versions the macros were built with, instructions, one form
button per entry point, captions in the workbook language); the second, once every sheet exists,
adds the hidden ``crm-xl marks`` sheet with the conditional formats Validate colours cells with
(:mod:`crm_xl.excel.marks`), the ``xlwings.conf`` sheet of the xlwings add-in convention, and
builds the VBA project — macros/*.bas, xlwings' standalone layout (``xlwings.bas`` and its
``Dictionary`` class) and the UDF wrapper module generated from :data:`crm_xl.excel.udfs.UDFS` —
with a document module per sheet code name, and attaches it.

Opening the workbook writes nothing: ``Workbook_Open`` only registers the function descriptions
and restores ``ThisWorkbook.Saved``, so Excel does not ask to save an unchanged register.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from crm_xl.excel import vba
from crm_xl.i18n import pick

CONTROL_CODENAME = "shControl"
CONTROL_TITLE = ("控制台", "Control")
REGISTER_UDFS_SUB = "CrmRegisterUdfs"
THIS_WORKBOOK_CODE = (
    "Private Sub Workbook_Open()\n"
    "    ' Registers the CRM_* descriptions for the function wizard; writes no cell, and keeps the\n"
    "    ' workbook's saved state, so Excel does not ask to save an unchanged register on close.\n"
    "    Dim wasSaved As Boolean\n"
    "    On Error Resume Next\n"
    "    wasSaved = ThisWorkbook.Saved\n"
    f"    {REGISTER_UDFS_SUB}\n"
    "    ThisWorkbook.Saved = wasSaved\n"
    "End Sub"
)
VERSION_CELLS = ("B2", "B3")
"""Control-sheet cells holding the crm-xl and the xlwings version the VBA project was built for."""
XLWINGS_LABEL = "xlwings"
CONF_SHEET = "xlwings.conf"
UDF_MODULE_PATH = "crm_xl.excel.udfs"
# (key, value, zh-CN note, English note). xlwings reads column A/B from A1 down to the first blank
# cell; keys with a leading "#" are read but asked for by nobody, so they are inert until the user
# removes the "#". An empty value under a real key would override the xlwings ribbon's setting.
CONF_ROWS: tuple[tuple[str, str, str, str], ...] = (
    ("UDF Modules", UDF_MODULE_PATH, "crm-xl 的工作表函数所在的 Python 模块（xlwings 加载项“Import Functions”用）。",
     "Python module of crm-xl's worksheet functions (for the xlwings add-in's Import Functions)."),
    ("#Interpreter_Win", "", "Windows：装有 crm-xl 的 pythonw.exe 完整路径；填好后删去开头的 #。",
     "Windows: full path of the pythonw.exe that has crm-xl; delete the leading # once filled in."),
    ("#Interpreter_Mac", "", "macOS：装有 crm-xl 的 python 完整路径；填好后删去开头的 #。",
     "macOS: full path of the python that has crm-xl; delete the leading # once filled in."),
    ("#Conda Path", "", "用 conda 时：Anaconda/Miniconda 的安装目录（与 Conda Env 一起用）。",
     "With conda: the Anaconda/Miniconda folder (used together with Conda Env)."),
    ("#Conda Env", "", "用 conda 时：环境名（如 base）。", "With conda: the environment name (e.g. base)."),
    ("#ONEDRIVE_CONSUMER_WIN", "", "OneDrive 个人版的本地文件夹（xlwings 找不到时填）；Mac 用 ONEDRIVE_CONSUMER_MAC。",
     "Local OneDrive (personal) folder, when xlwings cannot find it; on a Mac ONEDRIVE_CONSUMER_MAC."),
    ("#ONEDRIVE_COMMERCIAL_WIN", "", "OneDrive 企业版的本地文件夹；Mac 用 ONEDRIVE_COMMERCIAL_MAC。",
     "Local OneDrive for Business folder; on a Mac ONEDRIVE_COMMERCIAL_MAC."),
    ("#SHAREPOINT_WIN", "", "同步的 SharePoint 库所在的本地文件夹；Mac 用 SHAREPOINT_MAC。",
     "Local folder of synced SharePoint libraries; on a Mac SHAREPOINT_MAC."),
)


def version_texts() -> tuple[str, str]:
    """(crm-xl version, xlwings version) the VBA project is built for, as the Control sheet shows them."""
    from crm_xl import __version__

    return __version__, vba.xlwings_version()

# (zh-CN caption, English caption, macro, zh-CN description, English description)
BUTTONS: tuple[tuple[str, str, str, str, str], ...] = (
    ("校验", "Validate", "CrmValidate",
     "检查所有工作表，把问题列在“校验结果”表，并在出错的单元格上标色、加批注。",
     "Check every sheet: list the issues on the Issues sheet, colour and annotate the bad cells."),
    ("刷新报表", "Refresh report", "CrmRefresh",
     "计算灰色列（规模、ABC、等级、风险、加权金额、下次回访），更新预测、KPI、跟进计划和仪表板。",
     "Compute the grey columns (scale, ABC, level, risk, weighted amount, next revisit) and update "
     "the Forecast, KPI, Follow-ups and Dashboard sheets."),
    ("生成跟进计划", "Follow-ups", "CrmFollowups",
     "生成“跟进计划”表：今天起该联系谁、为什么。",
     "Write the Follow-ups sheet: whom to contact from today, and why."),
    ("生成投诉单", "Complaint form", "CrmComplaintForm",
     "为当前选中行的投诉生成投诉处理单（在“服务与投诉”表中先选中该行）。",
     "Write the complaint-handling form for the selected ticket (select its row on the Tickets sheet first)."),
    ("生成单据", "Trade document", "CrmTradeDocument",
     "为选中的订单行生成形式发票 PDF、为选中的销售机会行生成报价单 PDF（保存在工作簿旁），编号记入“变更日志”。",
     "Make the PI of the selected order row, or the quotation of the selected opportunity row, as a PDF beside the "
     "workbook; the number is recorded in the Change log."),
)

MACROS_ENV = "CRM_XL_MACROS"


def macros_dir() -> Path:
    """The folder of the VBA sources: $CRM_XL_MACROS, the repository's macros/, or the package's data/macros."""
    from crm_xl.resources import resource_dirs

    candidates = [Path(os.environ[MACROS_ENV])] if os.environ.get(MACROS_ENV) else []
    candidates += resource_dirs("macros")
    for path in candidates:
        if path.is_dir() and any(path.glob("*.bas")):
            return path
    raise FileNotFoundError("VBA sources (macros/*.bas) not found; set CRM_XL_MACROS to the macros folder")


def vba_modules(with_xlwings: bool = True) -> dict[str, str]:
    """Every standard module of the workbook: macros/*.bas, xlwings.bas, the generated UDF module."""
    from crm_xl.excel.udfs import UDFS

    modules = vba.load_macros(macros_dir())
    if with_xlwings:
        name, code = vba.xlwings_module()
        modules[name] = code
    modules[vba.UDF_MODULE] = vba.udf_module_source(UDFS, register_sub=REGISTER_UDFS_SUB)
    return modules


def button_specs(lang: str) -> list[tuple[str, str]]:
    """(caption in `lang`, macro) of each Control-sheet button."""
    return [(pick(zh, en, lang), macro) for zh, en, macro, _, _ in BUTTONS]


def control_sheet(workbook: Any, formats: Any, lang: str) -> Any:
    """Add the Control sheet: title, versions in B2 (crm-xl) and B3 (xlwings), help, buttons."""
    ws = workbook.add_worksheet(pick(*CONTROL_TITLE, lang))
    ws.hide_gridlines(2)
    ws.set_column(0, 0, 28)
    ws.set_column(1, 1, 16)
    ws.set_column(2, 2, 90)
    ws.write_string(0, 0, pick("crm-xl 客户关系管理台账 — 控制台", "crm-xl customer register — Control", lang), formats.title)
    ws.set_row(0, 26)
    ws.write_string(1, 0, pick("版本", "Version", lang), formats.head)
    # Written as ="x.y.z" formulas with the value cached, so `crm-xl upgrade-macros` can restamp them.
    for row, text in zip((1, 2), version_texts()):
        ws.write_formula(row, 1, f'="{text}"', None, text)
    ws.write_string(2, 0, XLWINGS_LABEL, formats.head)
    ws.write_string(3, 0, pick(
        "点击按钮运行 crm-xl（需要在本机安装 Python 和 crm-xl，见 docs/excel.md）。没有 Python 时台账照常可用：录入、下拉选项、格式都不受影响。",
        "Click a button to run crm-xl (needs Python and crm-xl on this computer, see docs/excel.md). "
        "Without Python the register still works: data entry, dropdowns and formats are unaffected.", lang), formats.wrap)
    ws.set_row(3, 36)
    first_row = 5
    cells = vba.add_control_buttons(ws, button_specs(lang), first_row=first_row, col=0, width=190, height=34)
    for (row, _), (_, _, _, zh, en) in zip(cells, BUTTONS):
        ws.write_string(row, 2, pick(zh, en, lang), formats.wrap)
    return ws


def conf_sheet(workbook: Any, formats: Any, lang: str) -> Any:
    """The ``xlwings.conf`` sheet of the xlwings add-in convention (keys in A, values in B, notes in C)."""
    ws = workbook.add_worksheet(CONF_SHEET)
    ws.set_column(0, 0, 28)
    ws.set_column(1, 1, 40)
    ws.set_column(2, 2, 90)
    for row, (key, value, zh, en) in enumerate(CONF_ROWS):
        ws.write_string(row, 0, key)
        if value:
            ws.write_string(row, 1, value)
        ws.write_string(row, 2, pick(zh, en, lang), formats.wrap)
    ws.write_string(len(CONF_ROWS) + 1, 0, pick(
        "xlwings 从 A1 往下读到第一个空行为止；以 # 开头的键不起作用。加载项的“Run main”会运行“刷新报表”，"
        "需要在工作簿旁放一个同名的 .py 文件（见 docs/excel.md）。",
        "xlwings reads from A1 down to the first blank row; keys starting with # have no effect. The add-in's "
        "Run main runs Refresh and needs a .py file named like the workbook next to it (see docs/excel.md).",
        lang), formats.wrap)
    return ws


def macro_hooks(lang: str, workdir: str | Path, with_xlwings: bool = True,
                protect: str | None = None) -> dict[str, Callable[[Any, Any], None]]:
    """``before_sheets``/``after_sheets`` for `write_register` that make the workbook an .xlsm with buttons.

    The VBA project is built into `workdir`, which must exist until the workbook is closed.
    """
    control_name = pick(*CONTROL_TITLE, lang)

    def before(workbook: Any, formats: Any) -> None:
        sheet = control_sheet(workbook, formats, lang)
        if protect:
            sheet.protect(protect)  # the buttons still work on a protected sheet

    def after(workbook: Any, formats: Any) -> None:
        from crm_xl.excel.marks import add_mark_rules, marks_sheet
        from crm_xl.i18n import fold
        from crm_xl.schema import SHEETS, sheet_lookup

        lookup = sheet_lookup()
        for ws in workbook.worksheets():
            key = lookup.get(fold(ws.name))
            if key in SHEETS:
                add_mark_rules(workbook, ws, key, len(SHEETS[key].columns) + 10)
        marks_sheet(workbook)
        conf_sheet(workbook, formats, lang)
        names = [ws.name for ws in workbook.worksheets()]
        codenames = vba.sheet_codenames(names, {control_name: CONTROL_CODENAME})
        classes = vba.xlwings_class_modules() if with_xlwings else {}
        bin_path = vba.build_vba_project(vba_modules(with_xlwings), Path(workdir) / "vbaProject.bin",
                                         codenames.values(), this_workbook_code=THIS_WORKBOOK_CODE,
                                         class_modules=classes)
        vba.attach_vba(workbook, bin_path, codenames)

    return {"before_sheets": before, "after_sheets": after}


def write_macro_register(path: str | Path, register: Any = None, *, lang: str = "zh-CN", settings: Any = None,
                         created: Any = None, with_xlwings: bool = True, protect: str | None = None) -> Path:
    """Write the register as an .xlsm with the Control sheet and the VBA project."""
    from crm_xl.ports.template import write_register

    # xlsxwriter reads the project file when the workbook is closed: keep it until then.
    with tempfile.TemporaryDirectory(prefix="crm-xl-vba-") as workdir:
        return write_register(path, register, lang=lang, settings=settings, created=created, macros=True,
                              protect=protect, **macro_hooks(lang, workdir, with_xlwings, protect))
