"""Rebuild a filled register's VBA project for the installed xlwings, leaving its data as it is.

The xlwings VBA module embedded in a workbook names its DLL and AppleScript by version
(``xlwings64-0.37.8.dll``, ``xlwings-0.37.8.applescript``), so a register built with one xlwings
stops calculating its ``CRM_*`` functions on a PC with another. `upgrade_macros` copies every
part of the .xlsm byte for byte except two: ``xl/vbaProject.bin``, rebuilt from ``macros/``, the
installed ``xlwings.bas`` (+ ``Dictionary.cls``) and the UDF registry for the sheets' existing
code names, and the two version cells of the Control sheet. It refuses (and says why) when the old
project holds VBA that crm-xl did not write, since that code would be lost.
"""

from __future__ import annotations

import io
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from crm_xl.i18n import pick

__all__ = ["UpgradeRefused", "UpgradeReport", "embedded_xlwings_version", "project_modules", "upgrade_macros",
           "workbook_xlwings_version"]

VBA_PART = "xl/vbaProject.bin"
SIGNATURE_PARTS = ("xl/vbaProjectSignature.bin", "xl/vbaProjectSignatureAgile.bin", "xl/vbaProjectSignatureV3.bin")


class UpgradeRefused(Exception):
    """The register cannot be upgraded without losing something; `message(lang)` says what."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh, self.en = zh, en

    def message(self, lang: str) -> str:
        return pick(self.zh, self.en, lang)


@dataclass
class UpgradeReport:
    """What `upgrade_macros` did."""

    out: Path
    old_xlwings: str | None
    new_xlwings: str
    codenames: list[str] = field(default_factory=list)


def project_modules(vba_bin: bytes) -> dict[str, tuple[str, str]]:
    """{module name: (kind, source text)} of a vbaProject.bin (kind: Module, Document or Class)."""
    import struct

    import olefile

    from crm_xl.excel.ovba import decompress

    ole = olefile.OleFileIO(io.BytesIO(vba_bin))
    try:
        kinds: dict[str, str] = {}
        for line in ole.openstream("PROJECT").read().decode("cp1252", "replace").split("\r\n"):
            key, _, value = line.partition("=")
            if key in ("Module", "Document", "Class", "BaseClass"):
                kinds[value.split("/")[0]] = key
            if line.startswith("["):
                break
        records = decompress(ole.openstream("VBA/dir").read())
        offsets: dict[str, int] = {}
        streams: dict[str, str] = {}
        i, name = 0, None
        while i + 6 <= len(records):
            rid, size = struct.unpack_from("<HI", records, i)
            i += 6
            if rid == 0x0009:
                size = 6
            payload = records[i:i + size]
            i += size
            if rid == 0x0019:
                name = payload.decode("cp1252")
            elif rid == 0x001A and name:
                streams[name] = payload.decode("cp1252")
            elif rid == 0x0031 and name:
                offsets[name] = struct.unpack("<I", payload)[0]
        out: dict[str, tuple[str, str]] = {}
        for module, stream in streams.items():
            data = ole.openstream(f"VBA/{stream}").read()
            text = decompress(data[offsets.get(module, 0):]).decode("cp1252", "replace")
            out[module] = (kinds.get(module, "Module"), text)
        return out
    finally:
        ole.close()


def _code_lines(text: str) -> list[str]:
    """The lines a person wrote: no Attribute lines, no blank lines, no Option lines."""
    return [line.strip() for line in text.replace("\r\n", "\n").split("\n")
            if line.strip() and not line.strip().startswith(("Attribute VB_", "Option "))]


_XLWINGS_CONST = re.compile(r'XLWINGS_VERSION\s+As\s+String\s*=\s*"([^"]+)"', re.IGNORECASE)


def embedded_xlwings_version(vba_bin: bytes) -> str | None:
    """The ``XLWINGS_VERSION`` of the xlwings module inside a vbaProject.bin (None when absent)."""
    modules = project_modules(vba_bin)
    text = modules.get("xlwings", ("", ""))[1]
    match = _XLWINGS_CONST.search(text)
    return match.group(1) if match else None


def workbook_xlwings_version(path: str | Path) -> str | None:
    """The xlwings version embedded in an .xlsm's VBA project (None when it has none)."""
    with zipfile.ZipFile(path) as package:
        if VBA_PART not in package.namelist():
            return None
        return embedded_xlwings_version(package.read(VBA_PART))


def _codenames(package: zipfile.ZipFile) -> tuple[str | None, list[str], dict[str, str]]:
    """(workbook code name, sheet code names in sheet order, sheet part → code name)."""
    workbook = package.read("xl/workbook.xml").decode("utf-8")
    book = re.search(r'<workbookPr[^>]*\bcodeName="([^"]+)"', workbook)
    rels = package.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    targets = {m.group(1): m.group(2) for m in re.finditer(r'<Relationship[^>]*Id="([^"]+)"[^>]*Target="([^"]+)"', rels)}
    targets.update({m.group(2): m.group(1) for m in re.finditer(r'<Relationship[^>]*Target="([^"]+)"[^>]*Id="([^"]+)"', rels)})
    names, parts = [], {}
    for sheet in re.finditer(r"<sheet\b[^>]*>", workbook):
        rid = re.search(r'r:id="([^"]+)"', sheet.group(0))
        target = targets.get(rid.group(1)) if rid else None
        if not target:
            continue
        part = target.lstrip("/") if target.startswith("/") else "xl/" + target
        if part not in package.namelist():
            continue
        xml = package.read(part).decode("utf-8")
        code = re.search(r'<sheetPr[^>]*\bcodeName="([^"]+)"', xml)
        if code:
            names.append(code.group(1))
            parts[part] = code.group(1)
    return (book.group(1) if book else None), names, parts


def _stamp(xml: str, cell: str, text: str) -> str:
    """Replace the cached value and formula of a ``="text"`` cell (the build writes versions so)."""
    pattern = re.compile(rf'(<c r="{cell}"[^>]*>)(.*?)(</c>)', re.S)

    def replace(match: re.Match[str]) -> str:
        body = match.group(2)
        if "<f>" not in body:
            return match.group(0)
        return match.group(1) + f'<f>"{text}"</f><v>{text}</v>' + match.group(3)

    return pattern.sub(replace, xml, count=1)


def upgrade_macros(register: str | Path, out: str | Path, lang: str = "zh-CN") -> UpgradeReport:
    """Write `out`: `register` with its VBA project rebuilt for the installed xlwings; data untouched."""
    from crm_xl.excel import vba
    from crm_xl.excel.xlsm import CONTROL_CODENAME, THIS_WORKBOOK_CODE, VERSION_CELLS, vba_modules, version_texts
    from crm_xl.ports.atomic import atomic_path

    src, dst = Path(register), Path(out)
    if dst.resolve() == src.resolve():
        raise UpgradeRefused("--out 不能与输入文件相同：crm-xl 从不改写输入文件。",
                             "--out must differ from the register: crm-xl never writes into its input.")
    try:
        package = zipfile.ZipFile(src)
    except (zipfile.BadZipFile, OSError) as exc:
        raise UpgradeRefused(f"{src.name} 不是 .xlsm 工作簿：{exc}", f"{src.name} is not an .xlsm workbook: {exc}") from exc
    with package:
        names = package.namelist()
        if VBA_PART not in names:
            raise UpgradeRefused(f"{src.name} 没有宏（VBA 工程），无需升级；用 crm-xl new 生成 .xlsm。",
                                 f"{src.name} has no VBA project to upgrade; make an .xlsm with crm-xl new.")
        signed = [n for n in names if n in SIGNATURE_PARTS]
        if signed:
            raise UpgradeRefused(f"{src.name} 的宏已数字签名；升级会使签名失效，请在 Excel 中重新签名后再用。",
                                 f"{src.name} has a digitally signed VBA project; an upgrade would void the "
                                 "signature. Upgrade an unsigned copy and sign it again in Excel.")
        old = project_modules(package.read(VBA_PART))
        book_code, codenames, parts = _codenames(package)
        if book_code not in (None, vba.THIS_WORKBOOK):
            raise UpgradeRefused(f"工作簿代码名为 {book_code}，crm-xl 只能升级代码名为 ThisWorkbook 的工作簿。",
                                 f"The workbook's code name is {book_code}; crm-xl upgrades only ThisWorkbook.")
        ours = vba_modules(with_xlwings=True)
        classes = vba.xlwings_class_modules()
        foreign = []
        for name, (kind, text) in old.items():
            if kind == "Document":
                expected = THIS_WORKBOOK_CODE if name == vba.THIS_WORKBOOK else ""
                if _code_lines(text) != _code_lines(expected) and not (
                        name == vba.THIS_WORKBOOK and _is_older_this_workbook(text)):
                    foreign.append(name)
            elif name not in ours and name not in classes:
                foreign.append(name)
        if foreign:
            listed = ", ".join(sorted(foreign))
            raise UpgradeRefused(
                f"{src.name} 的宏工程里有 crm-xl 没有写过的代码（{listed}）；升级会丢掉它。请先在 VBA 编辑器中"
                "导出这些模块（文件 → 导出文件），升级后再导入。",
                f"The VBA project of {src.name} holds code crm-xl did not write ({listed}); an upgrade would "
                "lose it. Export those modules first (VBA editor → File → Export File) and import them again "
                "after the upgrade.")
        old_version = embedded_xlwings_version(package.read(VBA_PART))
        with tempfile.TemporaryDirectory(prefix="crm-xl-upgrade-") as tmp:
            bin_path = vba.build_vba_project(ours, Path(tmp) / "vbaProject.bin", codenames,
                                             this_workbook_code=THIS_WORKBOOK_CODE, class_modules=classes)
            new_bin = bin_path.read_bytes()
        control = next((p for p, c in parts.items() if c == CONTROL_CODENAME), None)
        texts = version_texts()
        with atomic_path(dst) as tmp_out, zipfile.ZipFile(tmp_out, "w") as target:
            for info in package.infolist():
                data = package.read(info.filename)
                if info.filename == VBA_PART:
                    data = new_bin
                elif info.filename == control:
                    xml = data.decode("utf-8")
                    for cell, text in zip(VERSION_CELLS, texts):
                        xml = _stamp(xml, cell, text)
                    data = xml.encode("utf-8")
                target.writestr(info, data)
    return UpgradeReport(dst, old_version, vba.xlwings_version(), codenames)


def _is_older_this_workbook(text: str) -> bool:
    """ThisWorkbook as earlier crm-xl builds wrote it (Workbook_Open also stamped the version)."""
    return _code_lines(text) == ["Private Sub Workbook_Open()", "On Error Resume Next", "CrmRegisterUdfs",
                                 "CrmStampVersion", "End Sub"]
