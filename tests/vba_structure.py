"""The shape of a VBA project (vbaProject.bin), stream by stream and record by record, to compare.

Read with olefile and oletools' MS-OVBA decompressor, independent of the builder. `shape(data)`
gives a list of tokens, in file order, with what differs between any two projects masked: IDs
(project ID, cookies, CMG/DPB/GC), names, module source and offsets, version numbers, paths of
referenced libraries, window positions. Two projects of the same shape give equal lists, and
`first_difference` names the first token where they part, the way XlsxWriter's comparison tests
show the first differing XML element.

Modules of one kind (standard, document, class) are compared by their record sequence, once per
kind, so a project with 26 modules can be compared with one with 3. What Excel stores that is a
*cache*, not part of the project (the compiled ``__SRP_n`` streams, the p-code performance cache in
``_VBA_PROJECT`` and in front of each module's source), is listed in `EXCEL_CACHE` and masked with
its reason.
"""

from __future__ import annotations

import io
import re
import struct
from pathlib import Path

import olefile
from oletools.olevba import decompress_stream

RECORDS = {
    0x0001: "PROJECTSYSKIND", 0x004A: "PROJECTCOMPATVERSION", 0x0002: "PROJECTLCID", 0x0014: "PROJECTLCIDINVOKE",
    0x0003: "PROJECTCODEPAGE", 0x0004: "PROJECTNAME", 0x0005: "PROJECTDOCSTRING", 0x0040: "PROJECTDOCSTRING/Unicode",
    0x0006: "PROJECTHELPFILEPATH", 0x003D: "PROJECTHELPFILEPATH/2", 0x0007: "PROJECTHELPCONTEXT",
    0x0008: "PROJECTLIBFLAGS", 0x0009: "PROJECTVERSION", 0x000C: "PROJECTCONSTANTS", 0x003C: "PROJECTCONSTANTS/Unicode",
    0x0016: "REFERENCENAME", 0x003E: "REFERENCENAME/Unicode", 0x000D: "REFERENCEREGISTERED",
    0x000E: "REFERENCEPROJECT", 0x002F: "REFERENCECONTROL", 0x0030: "REFERENCECONTROL/Extended",
    0x0033: "REFERENCEORIGINAL", 0x000F: "PROJECTMODULES", 0x0013: "PROJECTCOOKIE", 0x0019: "MODULENAME",
    0x0047: "MODULENAMEUNICODE", 0x001A: "MODULESTREAMNAME", 0x0032: "MODULESTREAMNAME/Unicode",
    0x001C: "MODULEDOCSTRING", 0x0048: "MODULEDOCSTRING/Unicode", 0x0031: "MODULEOFFSET",
    0x001E: "MODULEHELPCONTEXT", 0x002C: "MODULECOOKIE", 0x0021: "MODULETYPE/procedural",
    0x0022: "MODULETYPE/document-or-class", 0x0025: "MODULEREADONLY", 0x0028: "MODULEPRIVATE",
    0x002B: "MODULE/Terminator", 0x0010: "dir/Terminator",
}
# Records whose payload is compared (others: only their presence, order and, where fixed, size).
COMPARED_VALUES = {0x0002, 0x0014, 0x0003, 0x0004, 0x0005, 0x0040, 0x0006, 0x003D, 0x0007, 0x0008, 0x000C, 0x003C,
                   0x001C, 0x0048, 0x001E}
EXCEL_CACHE = {
    "__SRP_": "compiled p-code cache streams (VBA/__SRP_n): Excel rebuilds them when it compiles the source",
    "_VBA_PROJECT": "the _VBA_PROJECT stream's performance cache: MS-OVBA 2.3.4.1 says MUST NOT be present on "
                    "write, Version MUST be 0xFFFF on write (Excel then compiles from source)",
}
OPTIONAL_RECORDS = {
    0x004A: "PROJECTCOMPATVERSION (MS-OVBA 2.3.4.2.1.2): written by Microsoft 365 since 2021, absent from "
            "projects saved by older Excel; readers that predate it fail on it, those that know it skip it",
}


def _records(data: bytes) -> list[tuple[int, bytes]]:
    out, i = [], 0
    while i + 6 <= len(data):
        rid, size = struct.unpack_from("<HI", data, i)
        i += 6
        if rid == 0x0009:  # PROJECTVERSION: Reserved (=4), then MajorVersion (4) and MinorVersion (2)
            size = 6
        out.append((rid, data[i:i + size]))
        i += size
    return out


def _token(rid: int, payload: bytes) -> str:
    name = RECORDS.get(rid, "UNKNOWN")
    if rid in COMPARED_VALUES:
        return f"{rid:#06x} {name} = {payload.hex()}"
    if rid == 0x0001:  # 1 = Win32, 3 = Win64: the platform that saved it, both Windows
        return f"{rid:#06x} {name} = windows" if payload in (b"\x01\x00\x00\x00", b"\x03\x00\x00\x00") else \
            f"{rid:#06x} {name} = {payload.hex()}"
    if rid == 0x004A:
        return f"{rid:#06x} {name} = {payload.hex()}"
    return f"{rid:#06x} {name} size={len(payload) if rid not in _VARIABLE else 'n'}"


_VARIABLE = {0x0004, 0x0016, 0x003E, 0x000D, 0x000E, 0x002F, 0x0030, 0x0033, 0x0019, 0x0047, 0x001A, 0x0032}


def _libid(payload: bytes) -> str:
    """REFERENCEREGISTERED's LibId with the machine's path masked: GUID#version#lcid#<path>#description."""
    size = struct.unpack_from("<I", payload, 4)[0]
    libid = payload[8:8 + size].decode("cp1252")
    parts = libid.split("#")
    if len(parts) >= 5:
        parts[3] = "<path>"  # where the library is on the saving machine
        parts[4] = re.sub(r"\b\d+\.\d+ Object Library", "<version> Object Library", parts[4])  # its Office
    return "#".join(parts)


def dir_sections(data: bytes) -> dict[str, object]:
    """The dir stream split into information records, references, and modules (each a record list)."""
    records = _records(bytes(decompress_stream(bytearray(data))))
    first_ref = next(i for i, (rid, _) in enumerate(records) if rid in (0x0016, 0x000D, 0x000E, 0x002F, 0x0033, 0x000F))
    modules_at = next(i for i, (rid, _) in enumerate(records) if rid == 0x000F)
    information, references, rest = records[:first_ref], records[first_ref:modules_at], records[modules_at:]
    refs: list[list[tuple[int, bytes]]] = []
    for rid, payload in references:
        if rid == 0x0016 or not refs:
            refs.append([])
        refs[-1].append((rid, payload))
    modules: list[list[tuple[int, bytes]]] = []
    for rid, payload in rest[2:]:
        if rid == 0x0010:
            break
        if rid == 0x0019:
            modules.append([])
        if modules:
            modules[-1].append((rid, payload))
    return {"information": information, "references": refs, "header": rest[:2], "modules": modules,
            "end": [r for r in rest if r[0] == 0x0010]}


def _module_kind(module: list[tuple[int, bytes]], project_lines: dict[str, str]) -> str:
    name = next(p for r, p in module if r == 0x0019).decode("cp1252")
    return project_lines.get(name, "?")


def _project_lines(text: str) -> tuple[list[str], dict[str, str]]:
    """PROJECT stream lines with values masked, and module name → kind (Module/Document/Class)."""
    tokens: list[str] = []
    kinds: dict[str, str] = {}
    section = ""
    for line in text.split("\r\n"):
        if line.startswith("["):
            section = line
            tokens.append(line)
            continue
        key, _, value = line.partition("=")
        if section == "" and key in ("Module", "Document", "Class", "BaseClass", "Package"):
            name = value.split("/")[0]
            kinds[name] = key
            token = f"PROJECT {key}=<name>" + ("/&H00000000" if key == "Document" and value.endswith("/&H00000000")
                                              else "")
            if not tokens or tokens[-1] != token:  # one token per run of module lines of a kind
                tokens.append(token)
        elif section == "" and key in ("ID", "CMG", "DPB", "GC"):
            tokens.append(f"PROJECT {key}=<{'guid' if key == 'ID' else 'encrypted'}>")
        elif section == "[Workspace]" and not line:
            continue  # the blank lines that end the stream
        elif section == "[Workspace]":
            kind = kinds.get(key, "?")
            token = f"Workspace {kind}=<window>"
            if not tokens or tokens[-1] != token:
                tokens.append(token)
        else:
            tokens.append(f"PROJECT {line}" if section == "" else f"{section} {line}")
    # Excel orders module lines by creation; the kinds present are what must match.
    head = [t for t in tokens if t.startswith("PROJECT ") and "=<name>" in t]
    ordered = [t for t in tokens if t not in head]
    at = next((i for i, t in enumerate(ordered) if t.startswith("PROJECT Name=")), len(ordered))
    ordered[at:at] = sorted(set(head))
    work = [t for t in ordered if t.startswith("Workspace ")]
    ordered = [t for t in ordered if not t.startswith("Workspace ")] + sorted(set(work))
    return ordered, kinds


def shape(source: bytes | str | Path, kinds_to_compare: set[str] | None = None,
          references: set[str] | None = None) -> list[str]:
    """The masked token list of a vbaProject.bin (bytes, path) or of the one inside an .xlsm.

    `kinds_to_compare` (Module, Document, Class) and `references` (reference names) limit the
    tokens to those kinds of module and those references, to compare two projects on what both have.
    """
    data = _project_bytes(source)
    ole = olefile.OleFileIO(io.BytesIO(data))
    try:
        streams = ["/".join(e) for e in ole.listdir()]
        text = ole.openstream("PROJECT").read().decode("cp1252")
        project_tokens, kinds = _project_lines(text)
        if kinds_to_compare is not None:
            project_tokens = [t for t in project_tokens if not re.match(r"(PROJECT|Workspace) (\w+)=<", t)
                              or re.match(r"(PROJECT|Workspace) (\w+)=<", t).group(2) in kinds_to_compare
                              or t.startswith(("PROJECT ID=", "PROJECT CMG=", "PROJECT DPB=", "PROJECT GC="))]
        sections = dir_sections(ole.openstream("VBA/dir").read())
        tokens: list[str] = []
        named = {"PROJECT", "PROJECTwm", "PROJECTlk", "VBA/dir", "VBA/_VBA_PROJECT"}
        module_streams = {f"VBA/{next(p for r, p in m if r == 0x001A).decode('cp1252')}" for m in sections["modules"]}
        for stream in sorted(streams):
            if stream in named:
                tokens.append(f"stream {stream}")
            elif stream.startswith("VBA/__SRP_"):
                continue  # EXCEL_CACHE["__SRP_"]
            elif stream in module_streams:
                continue  # one per module, checked with the dir stream below
            else:
                tokens.append(f"stream {stream} (not a module)")
        tokens.append("stream VBA/<one per module>")
        head = ole.openstream("VBA/_VBA_PROJECT").read()[:7]
        tokens.append(f"_VBA_PROJECT Reserved1={head[:2].hex()} Reserved2={head[4:5].hex()}")
        tokens += project_tokens
        for rid, payload in sections["information"]:
            if rid in OPTIONAL_RECORDS:
                continue
            tokens.append("dir information " + _token(rid, payload))
        for ref in sorted(sections["references"], key=lambda r: r[0][1]):
            ref_name = ref[0][1].decode("cp1252") if ref[0][0] == 0x0016 else "?"
            if references is not None and ref_name not in references:
                continue
            for rid, payload in ref:
                token = _token(rid, payload)
                if rid == 0x000D:
                    token += f" libid={_libid(payload)}"
                tokens.append(f"dir reference {ref_name}: {token}")
        tokens += ["dir modules " + _token(rid, p) for rid, p in sections["header"]]
        seen: dict[str, list[str]] = {}
        for module in sections["modules"]:
            kind = _module_kind(module, kinds)
            if kinds_to_compare is not None and kind not in kinds_to_compare:
                continue
            sequence = [f"dir module {kind}: " + _token(rid, p) for rid, p in module]
            if kind in seen:
                if sequence != seen[kind]:
                    tokens.append(f"dir module {kind}: modules of one kind have different records")
                continue
            seen[kind] = sequence
        for kind in sorted(seen):
            tokens += seen[kind]
        tokens += ["dir end " + _token(rid, p) for rid, p in sections["end"]]
        if ole.exists("PROJECTwm"):
            listed = _projectwm_names(ole)
            tokens.append("PROJECTwm lists every module of the dir stream" if listed == _dir_names(sections)
                          else f"PROJECTwm lists {listed}, not the dir stream's modules")
        return tokens
    finally:
        ole.close()


def _dir_names(sections: dict[str, object]) -> list[str]:
    return [next(p for r, p in m if r == 0x0019).decode("cp1252") for m in sections["modules"]]  # type: ignore[union-attr]


def _projectwm_names(ole: olefile.OleFileIO) -> list[str]:
    data = ole.openstream("PROJECTwm").read()
    names, i = [], 0
    while i < len(data) and data[i:i + 2] != b"\x00\x00":
        end = data.index(b"\x00", i)
        mbcs = data[i:end].decode("cp1252")
        i = end + 1
        uend = i
        while data[uend:uend + 2] != b"\x00\x00":
            uend += 2
        if data[i:uend].decode("utf-16-le") != mbcs:
            names.append(f"{mbcs}≠{data[i:uend].decode('utf-16-le')}")
        else:
            names.append(mbcs)
        i = uend + 2
    return names


def _project_bytes(source: bytes | str | Path) -> bytes:
    if isinstance(source, bytes):
        return source
    path = Path(source)
    if path.suffix.lower() in (".xlsm", ".xlam", ".xltm"):
        import zipfile

        with zipfile.ZipFile(path) as package:
            return package.read("xl/vbaProject.bin")
    return path.read_bytes()


def module_kinds(source: bytes | str | Path) -> set[str]:
    """The module kinds (Module, Document, Class) a project has."""
    ole = olefile.OleFileIO(io.BytesIO(_project_bytes(source)))
    try:
        return set(_project_lines(ole.openstream("PROJECT").read().decode("cp1252"))[1].values())
    finally:
        ole.close()


def reference_names(source: bytes | str | Path) -> set[str]:
    """Names of the project's references (stdole, Office, MSForms …)."""
    ole = olefile.OleFileIO(io.BytesIO(_project_bytes(source)))
    try:
        refs = dir_sections(ole.openstream("VBA/dir").read())["references"]
        return {r[0][1].decode("cp1252") for r in refs if r[0][0] == 0x0016}  # type: ignore[union-attr]
    finally:
        ole.close()


def first_difference(ours: list[str], excel: list[str]) -> str | None:
    """The first token where two shapes differ, said in words; None when they are equal."""
    for index, (a, b) in enumerate(zip(ours, excel)):
        if a != b:
            return f"token {index}: ours {a!r}, Excel's {b!r}"
    if len(ours) != len(excel):
        longer, who = (ours, "ours") if len(ours) > len(excel) else (excel, "Excel's")
        return f"token {min(len(ours), len(excel))}: only {who} has {longer[min(len(ours), len(excel))]!r}"
    return None
