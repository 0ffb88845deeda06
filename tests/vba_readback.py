"""Reading a built workbook's VBA back with olevba (oletools), independent of the builder."""

from __future__ import annotations

from pathlib import Path

from oletools.olevba import VBA_Parser


def read_back(path: Path) -> dict[str, str]:
    """Module name → source text of every VBA module in the file."""
    parser = VBA_Parser(str(path))
    try:
        return {Path(filename).stem: code for _, _, filename, code in parser.extract_macros()}
    finally:
        parser.close()


def source_lines(code: str) -> list[str]:
    """Source lines as the VBA editor shows them: no Attribute lines, no trailing blank lines."""
    lines = [line for line in code.replace("\r\n", "\n").split("\n") if not line.startswith("Attribute VB_")]
    while lines and not lines[-1].strip():
        lines.pop()
    return lines
