"""Input safety: decide whether a file may be handed to a spreadsheet reader at all.

``check_input`` runs before any reader (python-calamine, openpyxl, fastexcel) touches a file. It
sniffs the format from magic bytes, refuses encrypted packages, zip bombs, XML entity tricks
(billion laughs, XXE) and corrupt archives, and returns an :class:`InputInfo` for everything else.
It opens the file read-only and never writes to it.

Cost is bounded on hostile input: the zip directory size is read from the end record before the
directory is parsed; every member is decompressed in fixed-size chunks (never whole into memory)
and only after its declared sizes passed the limits; ``zipfile`` stops each member at its declared
size, and a member that inflates differently fails its CRC check.

Every refusal is an :class:`UnreadableWorkbook`, the single error type the CLI turns into exit 2
with one clear line (``exc.message(lang)``). Readers raise it too, for example after catching
python-calamine's ``pyo3_runtime.PanicException`` — a ``BaseException`` that ``except Exception``
does not catch, so the reader port must name it explicitly.
"""

from __future__ import annotations

import os
import re
import struct
from operator import itemgetter
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Iterable, Mapping
from xml.parsers import expat

import defusedxml.ElementTree as SafeET

from crm_xl.i18n import normalize_lang

MIB = 1024 * 1024

# --------------------------------------------------------------------------------------------
# Errors and their messages
# --------------------------------------------------------------------------------------------

_MESSAGES: dict[str, tuple[str, str, str]] = {
    # code: (zh-CN, zh-TW, en)
    "file_missing": ("文件不存在。", "檔案不存在。", "The file does not exist."),
    "not_a_file": ("这不是一个文件(可能是文件夹)。", "這不是一個檔案(可能是資料夾)。",
                   "This is not a file (it may be a folder)."),
    "permission_denied": ("没有读取该文件的权限。", "沒有讀取該檔案的權限。",
                          "You do not have permission to read this file."),
    "empty_file": ("文件为空或过小,不是工作簿。", "檔案為空或過小,不是活頁簿。",
                   "The file is empty or too small to be a workbook."),
    "file_too_large": ("文件超过允许的大小上限（可用 --max-file-mb 提高上限）。", "檔案超過允許的大小上限（可用 --max-file-mb 提高上限）。",
                    "The file is larger than the allowed limit (raise the limit with --max-file-mb)."),
    "not_a_spreadsheet": ("这不是电子表格文件(支持 xlsx、xlsm、xlsb、xls、ods)。",
                          "這不是試算表檔案(支援 xlsx、xlsm、xlsb、xls、ods)。",
                          "This is not a spreadsheet (xlsx, xlsm, xlsb, xls and ods are supported)."),
    "password_required": ("工作簿已加密,需要密码:请使用 --password 或设置环境变量 CRM_XL_PASSWORD。",
                          "活頁簿已加密,需要密碼:請使用 --password 或設定環境變數 CRM_XL_PASSWORD。",
                          "The workbook is encrypted and needs a password: use --password or set "
                          "the environment variable CRM_XL_PASSWORD."),
    "wrong_password": ("密码错误,无法解密工作簿。", "密碼錯誤,無法解密活頁簿。",
                       "The password is wrong; the workbook cannot be decrypted."),
    "not_encrypted": ("工作簿未加密,无需解密。", "活頁簿未加密,無需解密。",
                      "The workbook is not encrypted; there is nothing to decrypt."),
    "already_encrypted": ("工作簿已经加密。", "活頁簿已經加密。", "The workbook is already encrypted."),
    "unsupported_encryption": ("不支持该工作簿的加密方式。", "不支援該活頁簿的加密方式。",
                               "This workbook's encryption method is not supported."),
    "corrupt_zip": ("文件已损坏(压缩包结构或校验和错误),请在 Excel 中打开并另存后重试。",
                    "檔案已損毀(壓縮檔結構或檢查碼錯誤),請在 Excel 中開啟並另存後重試。",
                    "The file is damaged (broken archive or checksum); open it in Excel, save it "
                    "again and retry."),
    "corrupt_file": ("文件已损坏,无法读取。", "檔案已損毀,無法讀取。",
                     "The file is damaged and cannot be read."),
    "zip_bomb": ("文件结构异常(压缩炸弹特征),已拒绝读取。", "檔案結構異常(壓縮炸彈特徵),已拒絕讀取。",
                 "The archive is built like a zip bomb; it was refused."),
    "too_many_members": ("压缩包内部件数量超过上限,已拒绝读取。", "壓縮檔內部件數量超過上限,已拒絕讀取。",
                         "The archive has more parts than allowed; it was refused."),
    "uncompressed_too_large": ("解压后大小超过上限,已拒绝读取（可用 --max-uncompressed-mb 提高上限）。", "解壓縮後大小超過上限,已拒絕讀取（可用 --max-uncompressed-mb 提高上限）。",
                    "The file would expand beyond the allowed size; it was refused (raise the limit with --max-uncompressed-mb)."),
    "compression_ratio": ("压缩比异常偏高(疑似压缩炸弹),已拒绝读取。",
                          "壓縮比異常偏高(疑似壓縮炸彈),已拒絕讀取。",
                          "The compression ratio is suspiciously high (a likely zip bomb); it was "
                          "refused."),
    "xml_entities": ("文件内含 XML 实体声明(DOCTYPE/ENTITY),可能是 XML 炸弹或外部实体攻击,已拒绝读取。",
                     "檔案內含 XML 實體宣告(DOCTYPE/ENTITY),可能是 XML 炸彈或外部實體攻擊,已拒絕讀取。",
                     "The file declares XML entities (DOCTYPE/ENTITY), as XML bombs and external "
                     "entity attacks do; it was refused."),
    "too_many_cells": ("单元格数量超过上限,已拒绝读取（可用 --max-cells 提高上限）。", "儲存格數量超過上限,已拒絕讀取（可用 --max-cells 提高上限）。",
                    "The workbook has more cells than allowed; it was refused (raise the limit with --max-cells)."),
    "sheet_too_large": ("工作表的使用范围过大（远处有单元格），读取需要的内存超过上限，已拒绝读取：请删除该单元格或多余的行列后重试（可用 --max-cells 提高上限）。",
                        "工作表的使用範圍過大（遠處有儲存格），讀取需要的記憶體超過上限，已拒絕讀取：請刪除該儲存格或多餘的列欄後重試（可用 --max-cells 提高上限）。",
                        "A sheet's used range is too large (a cell far away): reading it would need more memory "
                        "than allowed, so it was refused. Delete that cell or the extra rows and columns and "
                        "retry (raise the limit with --max-cells)."),
    "string_too_long": ("单元格文本长度超过上限,已拒绝读取。", "儲存格文字長度超過上限,已拒絕讀取。",
                        "A cell's text is longer than allowed; it was refused."),
    "no_register_sheets": ("找不到任何台账工作表(客户、联系人、销售机会……)。",
                           "找不到任何台帳工作表(客戶、聯絡人、銷售機會……)。",
                           "No register sheet found (Customers, Contacts, Opportunities …)."),
    "no_such_record": ("找不到该记录。", "找不到該記錄。", "No such record."),
}

REASON_CODES: tuple[str, ...] = tuple(_MESSAGES)
_LANG_INDEX = {"zh-CN": 0, "zh-TW": 1, "en": 2}


def _lang_index(lang: str | None) -> int:
    return _LANG_INDEX[normalize_lang(lang)]


def reason_message(reason_code: str, lang: str = "zh-CN") -> str:
    """The user-facing sentence for a reason code in zh-CN, zh-TW or en."""
    try:
        texts = _MESSAGES[reason_code]
    except KeyError:
        raise ValueError(f"unknown reason code {reason_code!r}") from None
    return texts[_lang_index(lang)]


class UnreadableWorkbook(Exception):
    """A workbook that must not (or cannot) be read; the CLI prints ``message(lang)``, exit 2.

    ``reason`` is a stable code from :data:`REASON_CODES`; ``detail`` is a short technical
    explanation in English (numbers, part names) shown after the translated sentence.
    """

    def __init__(self, path: str | os.PathLike[str], reason_code: str, detail: str = "") -> None:
        if reason_code not in _MESSAGES:
            raise ValueError(f"unknown reason code {reason_code!r}")
        self.path = Path(path)
        self.reason = reason_code
        self.detail = detail
        super().__init__(self.message("en"))

    def message(self, lang: str = "zh-CN") -> str:
        """One line: file name, translated reason, technical detail."""
        text = f"{self.path}: {reason_message(self.reason, lang)}"
        return f"{text} ({self.detail})" if self.detail else text

    def __reduce__(self):  # keep it picklable across process pools
        return (type(self), (str(self.path), self.reason, self.detail))


# --------------------------------------------------------------------------------------------
# Limits and result
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InputLimits:
    """Hard limits on an input file, independent of the workbook's Settings.

    They protect the process (time, memory), not a policy; callers override them from CLI flags.
    ``max_ratio`` applies to members larger than ``ratio_min_bytes`` (tiny parts compress
    arbitrarily well). ``max_string_length`` is in characters (Excel's own cell limit by default).
    """

    max_file_bytes: int = 200 * MIB
    max_uncompressed_bytes: int = 500 * MIB
    max_members: int = 10_000
    max_ratio: float = 200.0
    ratio_min_bytes: int = 1 * MIB
    max_cells: int = 10_000_000
    max_string_length: int = 32_767
    chunk_bytes: int = 1 * MIB


@dataclass(frozen=True)
class InputInfo:
    """What ``check_input`` learnt about an acceptable file.

    ``kind`` is one of xlsx, xlsm, xlsb, xltx, xltm, ods, xls, fods, xml2003. ``cells`` counts the
    cell elements in worksheet XML (xlsx family only; None where not counted); ``sheet_cells`` the
    same per sheet name (sheets the workbook part names; empty where not counted), which the reader
    uses to plan how many sheets it parses at once.
    """

    path: Path
    kind: str
    size: int
    members: int = 0
    uncompressed_bytes: int = 0
    cells: int | None = None
    sheet_cells: Mapping[str, int] = field(default_factory=dict)


# --------------------------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------------------------


def check_input(path: str | os.PathLike[str], limits: InputLimits = InputLimits()) -> InputInfo:
    """Check that ``path`` is a spreadsheet a reader may safely open; raise UnreadableWorkbook.

    Never raises any other exception for any file content, and never modifies the file. When
    :func:`start_check` already checks the same file with the same limits, its outcome is taken
    (waiting for it) if the file has not changed since; otherwise the file is checked here.
    """
    early = _take_early(path, limits)
    if early is not None:
        if isinstance(early, UnreadableWorkbook):
            raise early
        return early
    return _check_input(path, limits)


# An early check (start_check) per file: (path, limits, file identity, done event, outcome box).
_EARLY: list[tuple[str, InputLimits, tuple, object, dict]] = []


def _identity(path: str | os.PathLike[str]) -> tuple | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def start_check(path: str | os.PathLike[str], limits: InputLimits = InputLimits()) -> None:
    """Begin :func:`check_input` of ``path`` on a background thread, so the check (decompressing
    every part; zlib and numpy release the GIL) overlaps the command's own start-up (pandas and
    the core are imported meanwhile). The reader's own ``check_input`` then waits for it; the
    file is still checked before any reader opens it. Nothing starts for a path that is not a
    regular file (the reader's check reports it)."""
    import threading

    ident = _identity(path)
    if ident is None or not Path(path).is_file():
        return
    import numpy  # noqa: F401 - the check's vector passes need it; imported here, not on two threads at once

    done, box = threading.Event(), {}

    def run() -> None:
        try:
            box["outcome"] = _check_input(path, limits)
        except UnreadableWorkbook as exc:
            box["outcome"] = exc
        except BaseException:  # noqa: BLE001 - anything else: the reader's own check runs again
            pass
        finally:
            done.set()

    _EARLY.append((str(path), limits, ident, done, box))
    threading.Thread(target=run, name="crm-xl-check", daemon=True).start()


def _take_early(path: str | os.PathLike[str], limits: InputLimits) -> InputInfo | UnreadableWorkbook | None:
    for i, (p, lim, ident, done, box) in enumerate(_EARLY):
        if p == str(path):
            del _EARLY[i]
            if lim != limits:  # checked against other limits: not this check's answer
                return None
            done.wait()
            if "outcome" in box and _identity(path) == ident:
                return box["outcome"]
            return None
    return None


def _check_input(path: str | os.PathLike[str], limits: InputLimits) -> InputInfo:
    p = Path(path)
    try:
        if not p.exists():
            raise UnreadableWorkbook(p, "file_missing")
        if not p.is_file():
            raise UnreadableWorkbook(p, "not_a_file")
        size = p.stat().st_size
        if size > limits.max_file_bytes:
            raise UnreadableWorkbook(p, "file_too_large",
                                     f"{_fmt_bytes(size)} > limit {_fmt_bytes(limits.max_file_bytes)}")
        with open(p, "rb") as fh:
            return _check_stream(fh, p, size, limits)
    except UnreadableWorkbook:
        raise
    except PermissionError as exc:
        raise UnreadableWorkbook(p, "permission_denied", exc.strerror or "") from None
    except OSError as exc:
        raise UnreadableWorkbook(p, "corrupt_file", f"{type(exc).__name__}: {exc}") from None


def check_package(data: bytes | BinaryIO, name: str | os.PathLike[str],
                  limits: InputLimits = InputLimits()) -> InputInfo:
    """``check_input`` for a package already in memory (e.g. a decrypted workbook).

    ``name`` is used in messages only.
    """
    import io

    fh = io.BytesIO(data) if isinstance(data, (bytes, bytearray)) else data
    fh.seek(0, os.SEEK_END)
    size = fh.tell()
    fh.seek(0)
    if size > limits.max_file_bytes:
        raise UnreadableWorkbook(name, "file_too_large",
                                 f"{_fmt_bytes(size)} > limit {_fmt_bytes(limits.max_file_bytes)}")
    try:
        return _check_stream(fh, Path(name), size, limits)
    finally:
        fh.seek(0)


def check_cells(path: str | os.PathLike[str], cells: int, limits: InputLimits = InputLimits(),
                where: str = "") -> None:
    """Raise ``too_many_cells`` when a reader found more cells than ``limits.max_cells``."""
    if cells > limits.max_cells:
        raise UnreadableWorkbook(path, "too_many_cells",
                                 f"{where + ': ' if where else ''}{cells:,} cells > limit "
                                 f"{limits.max_cells:,}")


def check_frame(path: str | os.PathLike[str], frame, limits: InputLimits = InputLimits(),
                sheet: str = "") -> None:
    """Check a DataFrame a reader produced against the cell and string-length limits.

    Vectorized: one ``str.len()`` per text column.
    """
    check_cells(path, int(frame.shape[0]) * int(frame.shape[1]), limits, sheet)
    for column in frame.columns:
        series = frame[column]
        if series.dtype.kind in "biufcmM":
            continue
        try:
            longest = series.str.len().max()
        except (AttributeError, TypeError):  # no text in this column
            continue
        if longest == longest and longest is not None and int(longest) > limits.max_string_length:
            raise UnreadableWorkbook(path, "string_too_long",
                                     f"{sheet + '.' if sheet else ''}{column}: {int(longest):,} "
                                     f"characters > limit {limits.max_string_length:,}")


# --------------------------------------------------------------------------------------------
# Format sniffing
# --------------------------------------------------------------------------------------------

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_BIFF_BOF_IDS = {0x0009, 0x0209, 0x0409, 0x0809}
_MIN_SNIFF = 8


def _check_stream(fh: BinaryIO, path: Path, size: int, limits: InputLimits) -> InputInfo:
    if size < _MIN_SNIFF:
        raise UnreadableWorkbook(path, "empty_file", f"{size} bytes")
    head = fh.read(512)
    fh.seek(0)
    if head.startswith(_ZIP_MAGIC):
        return _check_zip(fh, path, size, limits)
    if head.startswith(_OLE_MAGIC):
        return _check_ole(fh, path, size)
    if _is_raw_biff(head):
        return InputInfo(path, "xls", size)
    if _looks_like_xml(head):
        return _check_flat_xml(fh, path, size, limits)
    raise UnreadableWorkbook(path, "not_a_spreadsheet", f"starts with {head[:8]!r}")


def _is_raw_biff(head: bytes) -> bool:
    """A BIFF2–BIFF5 worksheet/workbook stream stored without an OLE container (old Excel)."""
    if len(head) < 8:
        return False
    record, length = struct.unpack_from("<HH", head)
    return record in _BIFF_BOF_IDS and 4 <= length <= 20


def _looks_like_xml(head: bytes) -> bool:
    stripped = head.lstrip(b"\xef\xbb\xbf").lstrip()
    return stripped.startswith(b"<") or head.startswith((b"\xff\xfe<", b"\xfe\xff\x00<"))


# --------------------------------------------------------------------------------------------
# OLE2 compound files: xls, encrypted OOXML
# --------------------------------------------------------------------------------------------

_FILEPASS = 0x002F
_BIFF_EOF = 0x000A


def _check_ole(fh: BinaryIO, path: Path, size: int) -> InputInfo:
    import olefile

    try:
        ole = olefile.OleFileIO(fh)
    except Exception as exc:  # olefile raises many types (OSError, ValueError, struct.error …)
        raise UnreadableWorkbook(path, "corrupt_file", f"OLE container: {exc}") from None
    try:
        streams = {"/".join(entry).lower(): entry for entry in ole.listdir()}
        if "encryptioninfo" in streams and "encryptedpackage" in streams:
            raise UnreadableWorkbook(path, "password_required", "encrypted OOXML package")
        book = streams.get("workbook") or streams.get("book")
        if book is None:
            raise UnreadableWorkbook(path, "not_a_spreadsheet",
                                     "OLE file without a Workbook stream")
        if _biff_has_filepass(ole.openstream(book).read(64 * 1024)):
            raise UnreadableWorkbook(path, "password_required", "encrypted xls (FILEPASS)")
        return InputInfo(path, "xls", size)
    except UnreadableWorkbook:
        raise
    except Exception as exc:
        raise UnreadableWorkbook(path, "corrupt_file", f"OLE container: {exc}") from None
    finally:
        ole.close()


def _biff_has_filepass(data: bytes) -> bool:
    """True when the workbook globals (before their EOF record) contain a FILEPASS record."""
    offset = 0
    while offset + 4 <= len(data):
        record, length = struct.unpack_from("<HH", data, offset)
        if record == _FILEPASS:
            return True
        if record == _BIFF_EOF:
            return False
        offset += 4 + length
    return False


# --------------------------------------------------------------------------------------------
# Zip packages: OOXML and ODS
# --------------------------------------------------------------------------------------------

_SHEET_CONTENT_TYPES = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": "xlsx",
    "application/vnd.ms-excel.sheet.macroenabled.main+xml": "xlsm",
    "application/vnd.ms-excel.sheet.binary.macroenabled.main": "xlsb",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml": "xltx",
    "application/vnd.ms-excel.template.macroenabled.main+xml": "xltm",
}
_ODS_MIMETYPES = ("application/vnd.oasis.opendocument.spreadsheet",
                  "application/vnd.oasis.opendocument.spreadsheet-template")
_WORKSHEET_PART = re.compile(r"(^|/)(worksheets|dialogsheets|macrosheets)/[^/]+\.xml$", re.I)
_TEXT_PART = re.compile(r"(^|/)(sharedStrings\.xml|content\.xml)$", re.I)
# An element named c (any namespace prefix) is a cell in SpreadsheetML.
_CELL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?c[\s/>]")
_CELL_TAG_OVERLAP = 64
# A character written as an XML character reference takes at most 10 bytes (&#x10FFFF;), so a
# text run longer than 10 bytes per allowed character cannot hold an allowed string.
_MAX_BYTES_PER_CHAR = 10


def _read_eocd(fh: BinaryIO, path: Path, size: int) -> tuple[int, int]:
    """(entry count, central directory size) from the end-of-central-directory record(s)."""
    tail_len = min(size, 22 + 65535 + 20)
    fh.seek(size - tail_len)
    tail = fh.read(tail_len)
    pos = _find_eocd(tail)
    if pos < 0:
        raise UnreadableWorkbook(path, "corrupt_zip", "no end-of-central-directory record")
    _, _, _, _, entries, cd_size, _, _ = struct.unpack_from("<4s4H2LH", tail, pos)
    if (entries == 0xFFFF or cd_size == 0xFFFFFFFF) and pos >= 20 \
            and tail[pos - 20:pos - 16] == b"PK\x06\x07":
        (zip64_offset,) = struct.unpack_from("<Q", tail, pos - 20 + 8)
        if zip64_offset + 56 > size:
            raise UnreadableWorkbook(path, "corrupt_zip", "bad zip64 end record")
        fh.seek(zip64_offset)
        record = fh.read(56)
        if record[:4] != b"PK\x06\x06":
            raise UnreadableWorkbook(path, "corrupt_zip", "bad zip64 end record")
        entries, cd_size = struct.unpack_from("<QQ", record, 32)
    fh.seek(0)
    return entries, cd_size


def _find_eocd(tail: bytes) -> int:
    """Offset of the end record whose comment length reaches the end of the file exactly
    (a comment may itself contain the signature); else the last complete candidate."""
    fallback = -1
    pos = tail.rfind(b"PK\x05\x06")
    while pos >= 0:
        if pos + 22 <= len(tail):
            (comment_len,) = struct.unpack_from("<H", tail, pos + 20)
            if pos + 22 + comment_len == len(tail):
                return pos
            fallback = max(fallback, pos)
        pos = tail.rfind(b"PK\x05\x06", 0, pos)
    return fallback


def _check_zip(fh: BinaryIO, path: Path, size: int, limits: InputLimits) -> InputInfo:
    entries, cd_size = _read_eocd(fh, path, size)
    if entries > limits.max_members:
        raise UnreadableWorkbook(path, "too_many_members",
                                 f"{entries:,} members > limit {limits.max_members:,}")
    if cd_size > size:
        raise UnreadableWorkbook(path, "corrupt_zip", "central directory larger than the file")
    if entries == 0:
        raise UnreadableWorkbook(path, "empty_file", "zip archive with no members")
    try:
        archive = zipfile.ZipFile(fh)
    except Exception as exc:  # BadZipFile, ValueError, struct.error, NotImplementedError …
        raise UnreadableWorkbook(path, "corrupt_zip", f"{type(exc).__name__}: {exc}") from None
    with archive:
        infos = archive.infolist()
        if len(infos) > limits.max_members:
            raise UnreadableWorkbook(path, "too_many_members",
                                     f"{len(infos):,} members > limit {limits.max_members:,}")
        _check_declared_sizes(infos, path, limits)
        kind = _zip_kind(archive, infos, path)
        names = _sheet_names(archive, infos, path) if kind != "ods" else {}
        cells = 0
        sheet_cells: dict[str, int] = {}
        members = [info for info in infos if not (info.is_dir() or info.file_size == 0)]
        for info, found in _scan_members(archive, members, path, limits, kind, names):
            cells += found
            if names.get(info.filename):
                sheet_cells[names[info.filename]] = found
            if cells > limits.max_cells:
                raise UnreadableWorkbook(path, "too_many_cells",
                                         f"more than {limits.max_cells:,} cells")
        total = sum(i.file_size for i in infos)
        counted = cells if kind in ("xlsx", "xlsm", "xltx", "xltm") else None
        return InputInfo(path, kind, size, len(infos), total, counted,
                         sheet_cells if counted is not None else {})


def _check_declared_sizes(infos: list[zipfile.ZipInfo], path: Path, limits: InputLimits) -> None:
    total = 0
    for info in infos:
        total += info.file_size
        if total > limits.max_uncompressed_bytes:
            raise UnreadableWorkbook(path, "uncompressed_too_large",
                                     f"more than {_fmt_bytes(limits.max_uncompressed_bytes)} "
                                     "uncompressed")
        if info.file_size > limits.ratio_min_bytes:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > limits.max_ratio:
                raise UnreadableWorkbook(path, "compression_ratio",
                                         f"{info.filename}: ratio {ratio:,.0f} > limit "
                                         f"{limits.max_ratio:,.0f}")
        # Deflate never grows data by more than a few bytes per 16 KB block, so a member
        # storing far more compressed bytes than its declared size lies about that size.
        if info.compress_size > info.file_size * 1.01 + 1024:
            raise UnreadableWorkbook(path, "zip_bomb",
                                     f"{info.filename}: declares {info.file_size:,} bytes but "
                                     f"stores {info.compress_size:,} compressed bytes")
    ordered = sorted(infos, key=lambda i: i.header_offset)
    for first, second in zip(ordered, ordered[1:]):
        encoding = "utf-8" if first.flag_bits & 0x800 else "cp437"  # as zipfile decoded it
        end = first.header_offset + 30 + len(first.orig_filename.encode(encoding, "replace")) \
            + first.compress_size
        if second.header_offset < end:
            raise UnreadableWorkbook(path, "zip_bomb",
                                     f"members {first.filename!r} and {second.filename!r} overlap")


def _zip_kind(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], path: Path) -> str:
    names = {i.filename: i for i in infos}
    mimetype = names.get("mimetype")
    if mimetype is not None and mimetype.file_size < 200:
        value = _read_member_bounded(archive, mimetype, path, 200).decode("ascii", "replace")
        if value.strip() in _ODS_MIMETYPES:
            return "ods"
        raise UnreadableWorkbook(path, "not_a_spreadsheet", f"OpenDocument type {value.strip()!r}")
    lower = {n.lower(): i for n, i in names.items()}
    types = lower.get("[content_types].xml")
    if types is not None and types.file_size <= 4 * MIB:
        data = _read_member_bounded(archive, types, path, 4 * MIB)
        scanner = _PrologScanner(path, types.filename)
        scanner.feed(data)
        scanner.close()
        kind = _kind_from_content_types(data)
        if kind:
            return kind
    for name, kind in (("xl/workbook.xml", "xlsx"), ("xl/workbook.bin", "xlsb")):
        if name in lower:
            return kind
    raise UnreadableWorkbook(path, "not_a_spreadsheet", "zip archive without a workbook part")


def _kind_from_content_types(data: bytes) -> str | None:
    try:
        root = SafeET.fromstring(data)
    except Exception:  # malformed or forbidden XML: fall back to part names
        return None
    for element in root.iter():
        content_type = (element.get("ContentType") or "").strip().lower()
        if content_type in _SHEET_CONTENT_TYPES:
            return _SHEET_CONTENT_TYPES[content_type]
    return None


def _read_member_bounded(archive: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path,
                         cap: int) -> bytes:
    try:
        with archive.open(info) as member:
            return member.read(cap)
    except Exception as exc:
        raise UnreadableWorkbook(path, "corrupt_zip",
                                 f"{info.filename}: {type(exc).__name__}: {exc}") from None


def _iter_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path,
                 chunk: int) -> Iterable[bytes]:
    """Yield a member's bytes in chunks; reading to the end verifies its CRC."""
    try:
        with archive.open(info) as member:
            while True:
                data = member.read(chunk)
                if not data:
                    return
                yield data
    except UnreadableWorkbook:
        raise
    except Exception as exc:  # BadZipFile (CRC, header), NotImplementedError, RuntimeError, zlib.error
        raise UnreadableWorkbook(path, "corrupt_zip",
                                 f"{info.filename}: {type(exc).__name__}: {exc}") from None


def _sheet_names(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], path: Path) -> dict[str, str]:
    """Worksheet part → the sheet's name (from workbook.xml and its relationships), for messages."""
    lower = {i.filename.lower(): i for i in infos}
    book, rels = lower.get("xl/workbook.xml"), lower.get("xl/_rels/workbook.xml.rels")
    if book is None or rels is None or book.file_size > 4 * MIB or rels.file_size > 4 * MIB:
        return {}
    try:
        targets = {r.get("Id"): r.get("Target", "") for r in
                   SafeET.fromstring(_read_member_bounded(archive, rels, path, 4 * MIB)).iter() if r.get("Id")}
        out = {}
        for sheet in SafeET.fromstring(_read_member_bounded(archive, book, path, 4 * MIB)).iter():
            rid = next((v for k, v in sheet.attrib.items() if k.endswith("}id")), None)
            if sheet.tag.endswith("sheet") and rid in targets:
                target = targets[rid].lstrip("/")
                out[target if target.startswith("xl/") else f"xl/{target}"] = sheet.get("name", "")
        return out
    except UnreadableWorkbook:
        raise
    except Exception:  # names are only for messages; the reader reports a broken workbook itself
        return {}


# Members scanned at once when the parts are large: zlib and numpy release the GIL, so the scan of
# a 100k register (1.3 GB of XML) takes about half the time on two cores.
_SCAN_THREADS = 2
_PARALLEL_SCAN_BYTES = 16 * MIB


def _scan_members(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], path: Path, limits: InputLimits,
                  kind: str, names: dict[str, str]) -> Iterable[tuple[zipfile.ZipInfo, int]]:
    """(member, cells) for each member, in order, as :func:`_scan_member` finds them; an error is
    the one the first failing member raises, as in a scan of one member after the other. Large
    packages are scanned ``_SCAN_THREADS`` members at a time (``ZipFile`` reads its members from
    several threads: each read of the shared file is locked, decompression is not)."""
    if _SCAN_THREADS < 2 or len(members) < 2 or sum(i.file_size for i in members) < _PARALLEL_SCAN_BYTES:
        for info in members:
            yield info, _scan_member(archive, info, path, limits, kind, names.get(info.filename, ""))
        return
    from concurrent.futures import ThreadPoolExecutor

    import numpy  # noqa: F401 - the vector passes need it; imported here, not on two threads at once

    with ThreadPoolExecutor(_SCAN_THREADS, thread_name_prefix="crm-xl-scan") as pool:
        futures = [pool.submit(_scan_member, archive, info, path, limits, kind, names.get(info.filename, ""))
                   for info in members]
        try:
            for info, future in zip(members, futures):
                yield info, future.result()
        finally:  # refused (or abandoned): members not begun are not scanned
            for future in futures:
                future.cancel()


def _scan_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path,
                 limits: InputLimits, kind: str, sheet_name: str = "") -> int:
    """Stream one member: XML prolog check, long-text check, cell count. Returns cells found.

    A worksheet's extent is first bounded by one vectorized pass over every ``r="A1"`` token
    (:func:`_ref_bound`, a superset of the cells :class:`_Extent` counts); only when that bound
    is over the cell limit is the member streamed again for the exact extent and its message."""
    is_sheet = bool(_WORKSHEET_PART.search(info.filename))
    is_text = is_sheet or bool(_TEXT_PART.search(info.filename))
    max_run = limits.max_string_length * _MAX_BYTES_PER_CHAR
    chunks = _iter_member(archive, info, path, limits.chunk_bytes)
    first = next(iter(chunks), b"")
    prolog = _PrologScanner(path, info.filename) if _looks_like_xml(first[:512]) else None
    cells = 0
    run = 0
    tail = b""
    max_row = max_col = 0
    for data in _chain(first, chunks):
        if prolog is not None and not prolog.done:
            prolog.feed(data)
        if is_text and prolog is not None:
            run = _longest_text_run(data, run, max_run, path, info.filename)
        if is_sheet and prolog is not None:
            window = tail + data if tail else data
            cells += _count_cells(window) - _count_cells(tail)
            row, col = _ref_bound(window)
            max_row, max_col = max(max_row, row), max(max_col, col)
            tail = window[-_CELL_TAG_OVERLAP:]
    if prolog is not None:
        prolog.close()
    if is_sheet and kind != "ods" and max_row * max_col > limits.max_cells:
        extent = _Extent()
        tail = b""
        for data in _iter_member(archive, info, path, limits.chunk_bytes):
            window = tail + data
            extent.feed(window)
            tail = window[-_CELL_TAG_OVERLAP:]
        extent.check(path, f"{sheet_name} ({info.filename})" if sheet_name else info.filename, limits)
    return cells if kind != "ods" else 0


def _ref_bound(data: bytes) -> tuple[int, int]:
    """(largest row, largest column) named by any ``r="<1-3 letters><1-7 digits>"`` token in
    ``data``: every cell :class:`_Extent` measures has such a token, so this bounds its extent
    from above (row elements and empty cells only make it larger). Vectorized: a few passes over
    the bytes, then a few over the tokens."""
    import numpy as np  # imported here: the CLI loads this module for its error type at start-up

    buf = np.frombuffer(data, dtype=np.uint8)
    if buf.size < 6:
        return 0, 0
    eq = np.flatnonzero(buf[1:] == 0x3D) + 1  # '='
    # indices past the end repeat the last byte: a token cut there never ends in its quote
    eq = eq[(buf[eq - 1] == 0x72) & (buf.take(eq + 1, mode="clip") == 0x22)]  # r="
    if not eq.size:
        return 0, 0
    # a byte past the end of ``data`` reads as 0 (neither a letter nor a digit): "clip" alone would
    # repeat the last byte, so a chunk ending inside ``r="A12`` read as row 1222222 and sent
    # every large sheet through the exact (regex) extent scan
    c = [_byte_at(buf, eq + 2 + j) for j in range(10)]
    letter = [(c[j] - 65) < 26 for j in range(4)]  # uint8 arithmetic wraps below 'A'
    two = letter[0] & letter[1]
    three = two & letter[2]
    ok = letter[0] & ~(three & letter[3])  # 1 to 3 letters
    if not ok.any():
        return 0, 0
    # the digits after the letters (up to 7); the closing quote is not checked, which only
    # widens the bound (a token cut off or longer than a cell reference counts too)
    run = ok.copy()
    value = np.zeros(eq.size, dtype=np.int32)
    for j in range(7):
        d = np.where(three, c[3 + j], np.where(two, c[2 + j], c[1 + j])) - 48
        run &= d < 10
        value = np.where(run, value * 10 + d, value)
    a, b, c3 = (c[j].astype(np.int32) - 64 for j in range(3))
    col = np.where(three, a * 676 + b * 26 + c3, np.where(two, a * 26 + b, a))
    return int(value[ok].max()), int(col[ok].max())


def _byte_at(buf, at):
    """``buf[at]`` for an array of positions, 0 where a position is past the end."""
    out = buf.take(at, mode="clip")
    out[at >= buf.size] = 0
    return out


# A cell that holds something (not self-closing: python-calamine skips empty styled cells such as
# Gnumeric's <c r="AAA1048574" s="0"/>), with its column letters and row number.
_CELL_REF = re.compile(rb'<(?:[A-Za-z_][\w.\-]*:)?c\s[^>]*?\br="([A-Z]{1,3})(\d{1,7})"[^>]*(?<!/)>')


class _Extent:
    """The largest row and column a worksheet's cells name. python-calamine allocates the whole
    rectangle from A1 to the furthest cell (one cell at XFD1048576 asks for 512 GiB and aborts the
    process), so the rectangle is checked against the cell limit before any reader runs."""

    def __init__(self) -> None:
        self.max_row, self.max_col, self.far, self.far_row = 0, 0, "", 0

    def feed(self, data: bytes) -> None:
        cells = _CELL_REF.findall(data)
        if not cells:
            return
        # distinct column names and row numbers first (C-level sets): few per chunk
        widest = max(set(map(itemgetter(0), cells)), key=lambda c: (len(c), c))
        col = _column_number(widest)
        if col > self.max_col:
            self.max_col, self.far = col, widest.decode()
        top = max(map(int, set(map(itemgetter(1), cells))))
        if top > self.max_row:
            self.max_row, self.far_row = top, top

    def check(self, path: Path, part: str, limits: InputLimits) -> None:
        size = self.max_row * self.max_col
        if size > limits.max_cells:
            raise UnreadableWorkbook(path, "sheet_too_large",
                                     f"{part}: cells up to column {self.far or '?'} and row {self.far_row:,} span "
                                     f"{self.max_row:,} rows × {self.max_col:,} columns = {size:,} cells "
                                     f"> limit {limits.max_cells:,}")


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _count_cells(data: bytes) -> int:
    """Cell elements in a piece of worksheet XML: plain ``<c`` tags by fast substring counts,
    the regular expression only when a prefixed or oddly spaced tag is present."""
    if len(data) >= 4096:
        return _count_cells_vectorized(data)
    if b":c" in data or b"<c\n" in data or b"<c\t" in data or b"<c\r" in data:
        return len(_CELL_TAG.findall(data))
    return data.count(b"<c ") + data.count(b"<c>") + data.count(b"<c/>")


def _count_cells_vectorized(data: bytes) -> int:
    """:func:`_count_cells` by one pass over the bytes: every ``c`` with the bytes around it."""
    import numpy as np

    buf = np.frombuffer(data, dtype=np.uint8)
    at = np.flatnonzero(buf == 0x63)  # 'c'
    at = at[at > 0]
    before = buf[at - 1]
    # indices past the end repeat the last byte, which then stands for nothing (set to 0)
    after, after2 = buf.take(at + 1, mode="clip"), buf.take(at + 2, mode="clip")
    after[at + 1 >= buf.size] = 0
    after2[at + 2 >= buf.size] = 0
    tag = before == 0x3C  # "<c"
    if (before == 0x3A).any() or (tag & ((after == 0x0A) | (after == 0x09) | (after == 0x0D))).any():
        return len(_CELL_TAG.findall(data))  # b":c", "<c\n", "<c\t" or "<c\r" somewhere
    plain = (after == 0x20) | (after == 0x3E) | ((after == 0x2F) & (after2 == 0x3E))
    return int(np.count_nonzero(tag & plain))


def _chain(first: bytes, rest: Iterable[bytes]) -> Iterable[bytes]:
    if first:
        yield first
        yield from rest


def _longest_text_run(data: bytes, carried: int, max_run: int, path: Path, part: str) -> int:
    """Track the longest run of bytes between markup; return the run still open at the end.

    A run longer than ``max_run`` contains a whole aligned block of ``(max_run + 2) // 2`` bytes, so
    when every block holds a mark (found within its first bytes: ``find`` stops there) no run is
    too long; otherwise the gaps are measured exactly with numpy.
    """
    first = _first_mark(data, 0, len(data))
    if first < 0:
        carried += len(data)
        if carried > max_run:
            _refuse_long_text(path, part, max_run)
        return carried
    if carried + first > max_run:
        _refuse_long_text(path, part, max_run)
    last = max(data.rfind(b"<"), data.rfind(b">"))
    block = max((max_run + 2) // 2, 1)
    if all(_first_mark(data, start, start + block) >= 0 for start in range(first, last, block)):
        return len(data) - 1 - last
    import numpy as np  # imported here: the CLI loads this module for its error type at start-up

    buf = np.frombuffer(data, dtype=np.uint8)
    marks = np.flatnonzero((buf == 0x3C) | (buf == 0x3E))
    if marks.size == 0:
        carried += len(data)
        if carried > max_run:
            _refuse_long_text(path, part, max_run)
        return carried
    longest = int(np.diff(marks).max()) - 1 if marks.size > 1 else 0
    if carried + int(marks[0]) > max_run or longest > max_run:
        _refuse_long_text(path, part, max_run)
    return len(data) - 1 - int(marks[-1])


def _first_mark(data: bytes, start: int, end: int) -> int:
    """Position of the first ``<`` or ``>`` in ``data[start:end]``, or -1."""
    lt, gt = data.find(b"<", start, end), data.find(b">", start, end)
    return gt if lt < 0 else lt if gt < 0 else min(lt, gt)


def _refuse_long_text(path: Path, part: str, max_run: int) -> None:
    raise UnreadableWorkbook(path, "string_too_long",
                             f"{part}: a text run longer than {max_run:,} bytes")


# --------------------------------------------------------------------------------------------
# XML: refuse DOCTYPE / ENTITY declarations
# --------------------------------------------------------------------------------------------

_DECL_PATTERNS = tuple(
    re.compile(pattern, re.I)
    for pattern in (rb"<!\s*(DOCTYPE|ENTITY)",
                    rb"<\x00!\x00(D\x00O\x00C\x00|E\x00N\x00T\x00)",
                    rb"\x00<\x00!\x00(D\x00O\x00C|E\x00N\x00T)")
)


class _PrologScanner:
    """Feed an XML document chunk by chunk until its root element starts.

    A DOCTYPE (and so any ENTITY) can only appear in the prolog, so once the root element
    starts the document is clean. Expat reads UTF-8/UTF-16 and stops at the first declaration.
    If expat cannot read the prolog (unknown encoding, garbage), the raw bytes are searched for
    a declaration in UTF-8 and UTF-16 instead, for the rest of the part.
    """

    def __init__(self, path: Path, part: str) -> None:
        self.path, self.part = path, part
        self.done = False
        self.fallback = False
        self.root: tuple[str, dict[str, str]] | None = None
        self._tail = b""
        self._parser = expat.ParserCreate()
        self._parser.StartDoctypeDeclHandler = self._refuse
        self._parser.EntityDeclHandler = self._refuse
        self._parser.StartElementHandler = self._root_started

    def _refuse(self, *args) -> None:
        raise UnreadableWorkbook(self.path, "xml_entities",
                                 f"{self.part}: DOCTYPE or ENTITY declaration")

    def _root_started(self, name: str, attrs: dict[str, str]) -> None:
        self.root = (name, attrs)
        raise _RootStarted

    def feed(self, data: bytes) -> None:
        if self.fallback:
            window = self._tail + data
            if any(p.search(window) for p in _DECL_PATTERNS):
                self._refuse()
            self._tail = window[-32:]
            return
        try:
            self._parser.Parse(data, False)
        except _RootStarted:
            self.done = True
        except UnreadableWorkbook:
            raise
        except Exception:  # ExpatError, LookupError (unknown encoding), UnicodeError …
            self.fallback = True
            self.feed(data)

    def close(self) -> None:
        if not self.done and not self.fallback:
            try:
                self._parser.Parse(b"", True)
            except UnreadableWorkbook:
                raise
            except Exception:  # _RootStarted or a malformed ending: nothing more to check
                pass
        self.done = True


class _RootStarted(Exception):
    """Raised inside expat when the root element starts: the prolog is over."""


def _check_flat_xml(fh: BinaryIO, path: Path, size: int, limits: InputLimits) -> InputInfo:
    """Flat OpenDocument (.fods) and Excel 2003 XML spreadsheets; refuse any other XML/HTML."""
    scanner = _PrologScanner(path, path.name)
    while not scanner.done:
        data = fh.read(limits.chunk_bytes)
        if not data:
            break
        scanner.feed(data)
        if scanner.fallback:
            # Unreadable prolog: finish the declaration scan, then it is not a spreadsheet.
            for data in iter(lambda: fh.read(limits.chunk_bytes), b""):
                scanner.feed(data)
            raise UnreadableWorkbook(path, "not_a_spreadsheet", "XML that cannot be parsed")
    scanner.close()
    if scanner.root is None:
        raise UnreadableWorkbook(path, "not_a_spreadsheet", "XML without a root element")
    name, attrs = scanner.root
    local = name.rsplit(":", 1)[-1]
    mimetype = next((v for k, v in attrs.items() if k.rsplit(":", 1)[-1] == "mimetype"), "")
    if local == "document" and mimetype.strip() in _ODS_MIMETYPES:
        return InputInfo(path, "fods", size)
    if local == "Workbook" and "urn:schemas-microsoft-com:office:spreadsheet" in attrs.values():
        return InputInfo(path, "xml2003", size)
    raise UnreadableWorkbook(path, "not_a_spreadsheet", f"XML document <{name}>")


def _fmt_bytes(n: int) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:,} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1024
    return f"{n} GiB"
