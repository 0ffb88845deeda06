"""File port, writing side of ``crm-xl import``: the register through the same template as
``crm-xl new``, plus the 导入说明 (import notes) sheet: the mapping used and every value kept aside."""

from __future__ import annotations

from pathlib import Path

from crm_xl.i18n import pick
from crm_xl.intake.importer import ImportResult
from crm_xl.schema import SHEETS

NOTES_TITLE = ("导入说明", "Import notes")


def write_imported(path: Path, register, result: ImportResult, lang: str, macros: bool = False) -> None:
    def notes_sheet(wb, fmts) -> None:
        ws = wb.add_worksheet(pick(*NOTES_TITLE, lang))
        head = [pick(*t, lang) for t in (("类型", "Kind"), ("来源文件", "Source file"), ("来源工作表", "Source sheet"),
                                          ("行", "Row"), ("列", "Column"), ("原值", "Value as typed"),
                                          ("台账表", "Register sheet"), ("台账列", "Register column"),
                                          ("说明", "Note"))]
        widths = (10, 24, 16, 6, 18, 28, 14, 18, 48)
        for c, (h, w) in enumerate(zip(head, widths)):
            ws.write_string(0, c, h, fmts.header)
            ws.set_column(c, c, w)
        r = 1
        for s in result.intake.sheets.values():
            sheet = SHEETS[s.key]
            for m in s.matches:
                how = {"exact": ("名称一致", "same name"), "synonym": ("常用名称", "usual name"),
                       "fuzzy": (f"按相似度 {m.score:.0f}%", f"similar {m.score:.0f}%"), "map": ("映射文件", "map file"),
                       "contains": ("列名包含已知名称", "header contains a known name"),
                       "values": (f"按内容（{m.score:.0f}% 的值）", f"by its values ({m.score:.0f}%)"),
                       "ignored": ("映射文件要求忽略（值见下方）", "left out by the map file (values below)"),
                       "split": ("拆分到其他表", "split to another sheet"),
                       "none": ("未识别（值见下方）", "not recognised (values below)")}[m.how]
                target = sheet.column(m.key).label(lang) if m.key else ""
                if m.how == "split" and m.suggestion:
                    other, col = m.suggestion.split(".", 1)
                    target = f"{SHEETS[other].label(lang)}.{SHEETS[other].column(col).label(lang)}"
                values = [pick("映射", "Mapping", lang), Path(s.source).name if s.source else "", s.name, s.header_row, m.header, "",
                          sheet.label(lang), target, pick(*how, lang)]
                for c, v in enumerate(values):
                    ws.write(r, c, v)
                r += 1
        for n in result.notes:
            values = [pick("保留", "Kept", lang), Path(n.source).name if n.source else "", n.sheet,
                      n.row if n.row is not None else "", n.header or "", "" if n.value is None else str(n.value),
                      "", "", n.reason(lang)]
            for c, v in enumerate(values):
                if isinstance(v, str):
                    ws.write_string(r, c, v)
                else:
                    ws.write(r, c, v)
            r += 1
        ws.freeze_panes(1, 0)
        ws.set_landscape()
        ws.set_paper(9)
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(0)
        ws.autofilter(0, 0, max(r - 1, 1), len(head) - 1)

    from crm_xl.ports.template import write_register

    if not macros:
        write_register(path, register, lang=lang, settings=register.settings, after_sheets=notes_sheet)
        return
    import tempfile

    from crm_xl.excel.xlsm import macro_hooks

    with tempfile.TemporaryDirectory(prefix="crm-xl-vba-") as workdir:
        hooks = macro_hooks(lang, workdir, True, None)
        vba_after = hooks["after_sheets"]

        def after(wb, fmts) -> None:
            notes_sheet(wb, fmts)  # before the VBA project: it needs every sheet's code name
            vba_after(wb, fmts)

        write_register(path, register, lang=lang, settings=register.settings, macros=True,
                       before_sheets=hooks["before_sheets"], after_sheets=after)
