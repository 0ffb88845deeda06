"""Writes small Outlook .msg files for the tests ([MS-OXMSG]: a compound file of property streams),
with ms-cfb (the compound-file writer crm-xl's VBA build already depends on)."""

from __future__ import annotations

import contextlib
import struct
import tempfile
from pathlib import Path

PT_LONG, PT_UNICODE, PT_BINARY = 0x0003, 0x001F, 0x0102


def _props(header: bytes, fixed: dict[int, int], strings: dict[int, int]) -> bytes:
    """A property stream: header, then 16-byte entries (tag, flags, value or size)."""
    out = bytearray(header)
    for prop, value in fixed.items():
        out += struct.pack("<IIQ", (prop << 16) | PT_LONG, 6, value)
    for tag, size in strings.items():
        out += struct.pack("<IIII", tag, 6, size, 0)
    return bytes(out)


def write_msg(path: Path, *, sender: str, sender_name: str, to: list[tuple[str, str]], subject: str, date: str,
              message_id: str, attachments: list[tuple[str, bytes]] = ()) -> Path:
    from ms_cfb.Models.Directories.storage_directory import StorageDirectory
    from ms_cfb.Models.Directories.stream_directory import StreamDirectory
    from ms_cfb.ole_file import OleFile

    work = Path(tempfile.mkdtemp(prefix="msg-"))
    counter = iter(range(10_000))

    def stream(name: str, data: bytes) -> StreamDirectory:
        f = work / f"s{next(counter)}"
        f.write_bytes(data)
        return StreamDirectory(name, str(f))

    def text(prop: int, value: str) -> tuple[str, bytes, int]:
        data = value.encode("utf-16-le")  # the stream holds no terminator; the size in the table counts it
        return f"__substg1.0_{prop:04X}{PT_UNICODE:04X}", data, (prop << 16) | PT_UNICODE

    ole = OleFile()
    root = ole.root_directory
    headers = (f"From: {sender_name} <{sender}>\r\nTo: " + ", ".join(f"{n} <{a}>" for n, a in to) +
               f"\r\nSubject: {subject}\r\nDate: {date}\r\nMessage-ID: {message_id}\r\n\r\n")
    strings: dict[int, int] = {}
    for prop, value in ((0x001A, "IPM.Note"), (0x0037, subject), (0x0C1A, sender_name), (0x0C1F, sender),
                        (0x007D, headers), (0x1035, message_id), (0x1000, "Please see the attachment.")):
        name, data, tag = text(prop, value)
        root.add_directory(stream(name, data))
        strings[tag] = len(data)
    nameid = StorageDirectory("__nameid_version1.0")  # one numeric named property in PS_MAPI (guid index 1)
    for suffix, data in (("00020102", b"\0" * 16), ("00030102", struct.pack("<IHH", 0x8501, 1 << 1, 0)),
                         ("00040102", b"\0" * 8)):
        nameid.add_directory(stream(f"__substg1.0_{suffix}", data))
    root.add_directory(nameid)
    for i, (name, address) in enumerate(to):
        recip = StorageDirectory(f"__recip_version1.0_#{i:08X}")
        rs: dict[int, int] = {}
        for prop, value in ((0x3001, name), (0x3003, address), (0x39FE, address), (0x3002, "SMTP")):
            sname, data, tag = text(prop, value)
            recip.add_directory(stream(sname, data))
            rs[tag] = len(data)
        recip.add_directory(stream("__properties_version1.0", _props(b"\0" * 8, {0x0C15: 1, 0x3000: i}, rs)))
        root.add_directory(recip)
    for i, (filename, payload) in enumerate(attachments):
        att = StorageDirectory(f"__attach_version1.0_#{i:08X}")
        at: dict[int, int] = {}
        for prop, value in ((0x3707, filename), (0x3704, filename[:8]), (0x3703, Path(filename).suffix)):
            sname, data, tag = text(prop, value)
            att.add_directory(stream(sname, data))
            at[tag] = len(data)
        att.add_directory(stream(f"__substg1.0_3701{PT_BINARY:04X}", payload))
        at[(0x3701 << 16) | PT_BINARY] = len(payload)
        att.add_directory(stream("__properties_version1.0", _props(b"\0" * 8, {0x3705: 1, 0x0E21: i, 0x370B: 0xFFFFFFFF}, at)))
        root.add_directory(att)
    header = struct.pack("<8sIIII8s", b"\0" * 8, len(to), len(attachments), len(to), len(attachments), b"\0" * 8)
    root.add_directory(stream("__properties_version1.0", _props(header, {}, strings)))
    path.unlink(missing_ok=True)  # ms-cfb appends to an existing file
    with contextlib.chdir(work):  # ms-cfb writes a scratch ./fatChain.bin into the working directory
        ole.create_file(str(path.resolve()))
    return path
