"""Builders of hostile and damaged spreadsheet files for the safety tests.

Zip bombs are written by hand (raw deflate blocks repeated, then a zip directory) so that a
640 MB member costs a fraction of a second to build and a few hundred KB on disk.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

BILLION_LAUGHS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<!DOCTYPE sst [\n<!ENTITY lol "lol">\n'
    + b"".join(
        b'<!ENTITY lol%d "%s">\n' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
        for i in range(1, 10)
    )
    + b']>\n<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
    b'uniqueCount="1"><si><t>&lol9;</t></si></sst>'
)

XXE = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
    b'uniqueCount="1"><si><t>&xxe;</t></si></sst>'
)


@dataclass
class RawMember:
    """One zip member with already-compressed data and freely chosen header values."""

    name: str
    data: bytes  # compressed bytes as stored
    crc: int
    size: int  # the size written into the headers (may lie)
    method: int = zipfile.ZIP_DEFLATED


def deflate(payload: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(payload) + compressor.flush()


def deflated_zeros(total: int, block: int = 4 << 20) -> tuple[bytes, int]:
    """Raw deflate data inflating to ``total`` zero bytes, and its CRC-32, built quickly."""
    assert total % block == 0
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    piece = compressor.compress(b"\0" * block) + compressor.flush(zlib.Z_FULL_FLUSH)
    count = total // block
    crc = 0
    zero_block = b"\0" * block
    for _ in range(count):
        crc = zlib.crc32(zero_block, crc)
    return piece * count + b"\x03\x00", crc  # final empty fixed-Huffman block


def member(name: str, payload: bytes, declared_size: int | None = None) -> RawMember:
    return RawMember(name, deflate(payload), zlib.crc32(payload),
                     len(payload) if declared_size is None else declared_size)


def write_zip(path: Path, members: list[RawMember], duplicate_directory: int = 1) -> Path:
    """Write a zip by hand; ``duplicate_directory`` > 1 repeats each directory entry under new
    names pointing at the same data (overlapping members)."""
    out = bytearray()
    directory = bytearray()
    count = 0
    for m in members:
        offset = len(out)
        name = m.name.encode()
        out += struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, m.method, 0, 0,
                           m.crc, len(m.data), m.size, len(name), 0) + name + m.data
        for copy in range(duplicate_directory):
            entry_name = name if copy == 0 else name + b".%d" % copy
            directory += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, m.method, 0, 0,
                                     m.crc, len(m.data), m.size, len(entry_name), 0, 0, 0, 0,
                                     0, offset) + entry_name
            count += 1
    cd_offset = len(out)
    out += directory
    out += struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, len(directory),
                       cd_offset, 0)
    path.write_bytes(bytes(out))
    return path


def replace_part(src: Path, dst: Path, part: str, payload: bytes) -> Path:
    """Copy an xlsx/ods with one part's content replaced (or added)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        names = zin.namelist()
        for name in names:
            zout.writestr(name, payload if name == part else zin.read(name))
        if part not in names:
            zout.writestr(part, payload)
    return dst


CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    b'package/2006/content-types"><Override PartName="/xl/workbook.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>'
)
