"""Build the CJK fonts that ship inside the package (``src/crm_xl/fonts/``).

Noto Sans CJK (SIL Open Font License 1.1) is a 19 MB collection; the package carries one
Regular face each for Simplified (SC) and Traditional (TC) Chinese, cut down to what a Chinese
sales register prints: every character of GB 2312, their Traditional forms (OpenCC s2tw), Big5
level 1, every character in crm-xl's own labels, messages and templates, Latin, Greek, Cyrillic,
kana, punctuation and full-width forms. About 2.4 MB each. A character outside the set falls back
to an installed font (fontconfig for PDFs, matplotlib's fallback list for charts).

The faces are renamed ("crm-xl Noto Sans SC"/"TC"): the OFL asks a modified font not to pass
for the original, and a distinct name keeps an installed full Noto Sans CJK from being confused
with the subset.

Run in a source checkout (it reads the repository's src/, templates/ and macros/), with Debian's
fonts-noto-cjk installed (or pass --source):

    .venv/bin/python -m crm_xl.fonts.subset
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]  # the repository: src/crm_xl/fonts/subset.py
OUT = Path(__file__).resolve().parent
SOURCE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
FACES = {"SC": 2, "TC": 3}   # face index in NotoSansCJK-Regular.ttc (JP, KR, SC, TC, HK, Mono …)
RANGES = [(0x20, 0x7E), (0xA0, 0x17F), (0x370, 0x3FF), (0x400, 0x4FF), (0x2000, 0x206F), (0x2100, 0x22FF),
          (0x2460, 0x24FF), (0x2500, 0x25FF), (0x3000, 0x303F), (0x3040, 0x30FF), (0xFF00, 0xFFEF)]
FEATURES = "kern,vert,vrt2,palt,halt,vpal,vhal,vkrn,fwid,hwid"   # no locl: one face per script instead


def _double_byte(codec: str, lead: range, trail: range) -> set[str]:
    out = set()
    for a in lead:
        for b in trail:
            try:
                out.add(bytes([a, b]).decode(codec))
            except UnicodeDecodeError:
                pass
    return out


def characters() -> str:
    import opencc

    s2tw = opencc.OpenCC("s2tw")
    gb2312 = _double_byte("gb2312", range(0xA1, 0xF8), range(0xA1, 0xFF))
    big5_level1 = _double_byte("big5", range(0xA4, 0xC7), range(0x40, 0xFF))
    own = set()
    for folder in ("src", "templates", "macros"):
        for path in (ROOT / folder).rglob("*"):
            if path.is_file() and path.suffix in (".py", ".j2", ".bas", ".md", ".txt"):
                own |= set(path.read_text(encoding="utf-8"))
    chars = gb2312 | big5_level1 | own
    chars |= set(s2tw.convert("".join(sorted(chars))))
    for lo, hi in RANGES:
        chars |= {chr(c) for c in range(lo, hi + 1)}
    return "".join(sorted(c for c in chars if c.isprintable() or c == " "))


def rename(path: Path, script: str) -> None:
    from fontTools.ttLib import TTFont

    font = TTFont(path)
    family = f"crm-xl Noto Sans {script}"
    ps = f"crm-xl-NotoSans{script}-Regular"
    for rec in list(font["name"].names):
        # typographic family/subfamily (one family, one weight here) and the localised names
        if rec.nameID in (16, 17, 21, 22) or (rec.nameID in (1, 3, 4, 6) and rec.langID not in (0, 0x409)):
            font["name"].removeNames(nameID=rec.nameID, platformID=rec.platformID, langID=rec.langID)
    for name_id, text in {1: family, 2: "Regular", 3: f"{ps};subset", 4: f"{family} Regular", 6: ps}.items():
        font["name"].setName(text, name_id, 3, 1, 0x409)
        font["name"].setName(text, name_id, 1, 0, 0)
    if "CFF " in font:
        cff = font["CFF "].cff
        cff.fontNames = [ps]
        top = cff.topDictIndex[0]
        top.FullName, top.FamilyName = f"{family} Regular", family
    font.save(path)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--source", type=Path, default=SOURCE, help="NotoSansCJK-Regular.ttc")
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    text = OUT / "characters.txt"
    text.write_text(characters(), encoding="utf-8")
    for script, index in FACES.items():
        dst = OUT / f"crm-xl-NotoSans{script}-Regular.otf"
        subprocess.run([sys.executable, "-m", "fontTools.subset", str(args.source), f"--font-number={index}",
                        f"--text-file={text}", f"--output-file={dst}", "--no-hinting", f"--layout-features={FEATURES}",
                        "--name-IDs=*", "--name-languages=*"], check=True)
        rename(dst, script)
        print(f"{dst.relative_to(ROOT)}: {dst.stat().st_size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
