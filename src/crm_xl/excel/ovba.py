"""What ms-ovba 0.0.1 lacks for a VBA project shaped like the ones Excel saves, as a small layer.

ms-ovba (``VbaProject`` → ``ProjectOleFile.write_file``) writes a project that Excel opens, but by
default without parts every Excel-saved project has. Compared stream by stream and record by record
with the Excel-saved projects in the corpus (``tests/test_vba_shape.py``), this layer adds:

- the ``PROJECTwm`` stream (module names in MBCS and UTF-16; MS-OVBA 2.3.3) — ms-ovba can write
  it (`VbaProject.include_projectwm`) but does not by default;
- ``VersionCompatible32="393222000"`` in the ``PROJECT`` stream (MS-OVBA 2.3.1.1, always written
  by Excel; ms-ovba's own validator requires the line, its writer never writes it);
- the ``PROJECTCOMPATVERSION`` record (MS-OVBA 2.3.4.2.1.2, value 3) that Microsoft 365 writes
  after ``PROJECTSYSKIND`` (older Excel, as in the corpus files, omits it; readers skip it);
- a ``[Workspace]`` line per module (``0, 0, 0, 0, C``: window closed), as Excel writes;
- class modules (``Class=Name`` in ``PROJECT``, ``MODULETYPE`` 0x0022 in ``dir``), which ms-ovba
  does not model: xlwings' standalone layout needs its ``Dictionary`` class on macOS;
- two fixes to ms-ovba-compression 1.0.1 (copy-token length, quadratic matcher) and a fixed seed
  for ms-ovba-crypto's CMG/DPB/GC, so builds are correct and byte-reproducible; and `decompress`,
  since that package's decompressor fails on any container longer than one chunk.

Everything here touches ms-ovba's public classes only; `excel_shaped` is the one call the builder
makes on a project before writing it.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import Any

__all__ = [
    "CLASS_MODULE_BASE",
    "COMPAT_VERSION",
    "VERSION_COMPATIBLE_32",
    "class_module",
    "class_module_source",
    "decompress",
    "excel_shaped",
    "module_description",
    "ms_ovba_fixes",
]

VERSION_COMPATIBLE_32 = "393222000"
"""The value of the ``VersionCompatible32`` line in every Excel-saved ``PROJECT`` stream."""
COMPAT_VERSION = 3
"""``PROJECTCOMPATVERSION.CompatVersion`` as Microsoft 365 writes it (and ms-ovba's `include_compat`)."""
CLASS_MODULE_BASE = "0{FCFB3D2A-A0FA-1068-A738-08002B3371B5}"
"""``VB_Base`` of a class module as Excel stores it (seen in xlwings' Excel-saved standalone workbook)."""

# The attribute block Excel stores at the top of a class module, in Excel's order; the values are the
# defaults of an exported .cls ("MultiUse", not predeclared) with the two Excel adds on import.
_CLASS_ATTRIBUTES = ("VB_Name", "VB_Base", "VB_GlobalNameSpace", "VB_Creatable", "VB_PredeclaredId",
                     "VB_Exposed", "VB_TemplateDerived", "VB_Customizable")
_CLASS_DEFAULTS = {"VB_Base": f'"{CLASS_MODULE_BASE}"', "VB_GlobalNameSpace": "False", "VB_Creatable": "False",
                   "VB_PredeclaredId": "False", "VB_Exposed": "False", "VB_TemplateDerived": "False",
                   "VB_Customizable": "False"}
_ATTRIBUTE = re.compile(r"^Attribute\s+(VB_\w+)\s*=\s*(.*)$")


def class_module_source(text: str, name: str | None = None) -> str:
    """A class module's text as Excel stores it in the project, from an exported ``.cls`` file.

    The ``VERSION 1.0 CLASS`` / ``BEGIN`` … ``END`` header of the export is dropped; the module-level
    attributes come first in Excel's order (``VB_Name``, ``VB_Base``, …, ``VB_Customizable``) with
    Excel's defaults where the file has none; other attributes (``VB_Description``) and the code
    follow unchanged. Line endings are LF here; the builder writes CRLF.
    """
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[0].strip().upper().startswith("VERSION"):
        end = next((i for i, line in enumerate(lines) if line.strip().upper() == "END"), None)
        if end is None:
            raise ValueError("class module export has VERSION/BEGIN but no END line")
        lines = lines[end + 1:]
    found: dict[str, str] = {}
    extra: list[str] = []
    index = 0
    while index < len(lines):
        match = _ATTRIBUTE.match(lines[index].strip())
        if match is None:
            break
        key, value = match.group(1), match.group(2).strip()
        if key in _CLASS_ATTRIBUTES:
            found[key] = value
        else:
            extra.append(lines[index].strip())
        index += 1
    if name is not None:
        found["VB_Name"] = f'"{name}"'
    if "VB_Name" not in found:
        raise ValueError("class module has no Attribute VB_Name line and no name was given")
    header = [f"Attribute {key} = {found.get(key, _CLASS_DEFAULTS.get(key))}" for key in _CLASS_ATTRIBUTES]
    return "\n".join(header + extra + lines[index:])


def module_description(text: str) -> str:
    """The module's ``VB_Description`` as Excel stores it in the dir stream's MODULEDOCSTRING ("" if none).

    The attribute's value is a quoted VBA string in which ``\\r\\n`` stands for a line break (so
    xlwings' ``Dictionary.cls`` writes it; Excel's project holds the CR LF bytes).
    """
    for line in text.replace("\r\n", "\n").split("\n"):
        match = _ATTRIBUTE.match(line.strip())
        if match is None:
            if line.strip():
                break
            continue
        if match.group(1) == "VB_Description":
            value = match.group(2).strip()
            value = value[1:-1] if len(value) >= 2 and value[0] == value[-1] == '"' else value
            return value.replace('""', '"').replace("\\r", "\r").replace("\\n", "\n")
    return ""


def class_module(name: str, description: str = "") -> Any:
    """An ms-ovba module record for a class module (ms-ovba models only standard and document modules).

    `description` becomes the module's MODULEDOCSTRING, as Excel records a class's ``VB_Description``.
    """
    from ms_ovba.Models.Entities.module_base import ModuleBase
    from ms_ovba.Models.Fields.doubleEncodedString import DoubleEncodedString

    class ClassModule(ModuleBase):
        """``Class=Name`` in PROJECT; in dir, MODULETYPE 0x0022 (class, document and designer modules)."""

        def __init__(self, module_name: str) -> None:
            super().__init__(module_name)
            self.type = "Class"

        def pack(self, endien: str, cp_name: str) -> bytes:
            # ModuleBase.pack writes MODULETYPE 0x0022 only when type == "Document".
            self.type = "Document"
            try:
                return super().pack(endien, cp_name)
            finally:
                self.type = "Class"

    module = ClassModule(name)
    if description:
        module.docString = DoubleEncodedString([0x001C, 0x0048], description)
    return module


def excel_shaped(project: Any) -> Any:
    """Give an ms-ovba ``VbaProject`` the streams and records an Excel-saved project has; return it.

    Call after every module is added (the workspace lines and PROJECTwm cover every module).
    """
    project.include_projectwm()
    project.include_compat()
    project.add_attribute("VersionCompatible32", VERSION_COMPATIBLE_32)
    for module in project.modules:
        if module.workspace is None:
            module.add_workspace(0, 0, 0, 0, "C")
    return project


# ------------------------------------------------------------------------------------ ms-ovba fixes
def _copytoken_help(difference: int) -> dict:
    """MS-OVBA 2.4.1.3.19.1 CopyToken Help, with the maximum length ms-ovba-compression gets wrong."""
    bit_count = max(4, (difference - 1).bit_length())
    length_mask = 0xFFFF >> bit_count
    return {
        "lengthMask": length_mask,
        "offsetMask": ~length_mask & 0xFFFF,
        "bitCount": bit_count,
        "maxLength": length_mask + 3,
    }


def _indexed_matching(self) -> tuple[int, int]:  # noqa: ANN001 - patched onto MsOvba
    """Same (offset, length) as ``MsOvba._matching`` (longest match, nearest on ties), via an index.

    The original compares every earlier position of the chunk for every token (quadratic, ~6 s for
    xlwings.bas); this keeps a map from 3-byte prefixes to positions.
    """
    chunk: bytes = self._activeChunk
    pos = len(chunk) - len(self._uncompressedData)
    if getattr(self, "_crm_chunk", None) is not chunk:
        self._crm_chunk, self._crm_index, self._crm_upto = chunk, {}, 0
    index: dict[bytes, list[int]] = self._crm_index
    for earlier in range(self._crm_upto, pos):
        index.setdefault(chunk[earlier : earlier + 3], []).append(earlier)
    self._crm_upto = pos
    best_length = best_candidate = 0
    size = len(chunk)
    for candidate in reversed(index.get(chunk[pos : pos + 3], ())):
        length = 0
        while pos + length < size and chunk[candidate + length] == chunk[pos + length]:
            length += 1
        if length > best_length:
            best_length, best_candidate = length, candidate
    if best_length < 3:
        return 0, 0
    return pos - best_candidate, min(_copytoken_help(pos)["maxLength"], best_length)


@contextlib.contextmanager
def ms_ovba_fixes() -> Iterator[None]:
    """Patch ms-ovba's helpers for the duration of one build (callers serialize builds).

    - ms-ovba-compression 1.0.1 computes the maximum copy-token length as ``0xFFFF << bit_count + 3``
      instead of ``(0xFFFF >> bit_count) + 3`` (MS-OVBA 2.4.1.3.19.1): a long repeated run overflows
      into the offset bits and the module text decompresses to garbage (xlwings.bas lost ~6,000
      characters). Its matcher is also quadratic; `_indexed_matching` gives the same tokens faster.
    - ms-ovba-crypto seeds the PROJECT stream's CMG/DPB/GC fields from the global `random`; a fixed
      seed makes builds reproducible (the global random state is restored afterwards).
    """
    import random

    from ms_ovba_compression.ms_ovba import MsOvba

    originals = {name: MsOvba.__dict__[name] for name in ("copytoken_help", "_matching")}
    state = random.getstate()
    MsOvba.copytoken_help = staticmethod(_copytoken_help)
    MsOvba._matching = _indexed_matching
    random.seed(0x0C12A)
    try:
        yield
    finally:
        for name, value in originals.items():
            setattr(MsOvba, name, value)
        random.setstate(state)


# ------------------------------------------------------------------------------------ decompression
def decompress(container: bytes) -> bytes:
    """MS-OVBA 2.4.1.3.1: decompress a CompressedContainer (a module's source, the dir stream).

    ms-ovba-compression 1.0.1's ``MsOvba.decompress`` skips two bytes too many after every chunk
    (``chunks[length + 2:]`` where `length` already counts the header), so any container longer
    than one chunk fails ("If uncompressed, chunk must be 4096 bytes"); this follows the spec.
    """
    if not container or container[0] != 0x01:
        raise ValueError("not an MS-OVBA compressed container (signature byte must be 0x01)")
    out = bytearray()
    pos = 1
    while pos + 2 <= len(container):
        header = int.from_bytes(container[pos:pos + 2], "little")
        size = (header & 0x0FFF) + 3  # the whole chunk, header included
        if (header >> 12) & 0b111 != 0b011:
            raise ValueError(f"chunk at byte {pos}: signature must be 0b011")
        end = min(pos + size, len(container))
        start = len(out)
        data = pos + 2
        if not header & 0x8000:  # a raw chunk: 4096 bytes stored as they are
            out += container[data:data + 4096]
            pos += 4098
            continue
        while data < end:
            flags = container[data]
            data += 1
            for bit in range(8):
                if data >= end:
                    break
                if not flags >> bit & 1:
                    out.append(container[data])
                    data += 1
                    continue
                token = int.from_bytes(container[data:data + 2], "little")
                data += 2
                bit_count = max(4, (len(out) - start - 1).bit_length())
                length_mask = 0xFFFF >> bit_count
                offset = (token >> (16 - bit_count)) + 1
                length = (token & length_mask) + 3
                for _ in range(length):  # byte by byte: a copy may overlap what it produces
                    out.append(out[-offset])
        pos = end
    return bytes(out)
