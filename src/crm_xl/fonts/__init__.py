"""The CJK fonts that travel with the package, for charts (matplotlib) and PDFs (WeasyPrint).

A fresh machine has no Chinese font, and a server that prints the monthly report on a schedule
is exactly that machine. So the package carries one Regular face each for Simplified and
Traditional Chinese (subsets of Noto Sans CJK, SIL OFL 1.1, ``OFL.txt``; built by
``python -m crm_xl.fonts.subset``; ``characters.txt`` lists what they cover): matplotlib registers them
with ``font_manager.addfont`` and the PDF engine loads them with ``@font-face`` from the files here.
An installed font is only the fallback for a character outside the subset.

If a face is missing (someone deleted it), one line says so, once per process; characters that no
font has are reported in one line, not one warning per glyph.
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import warnings
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

__all__ = ["FONT_DIR", "FONTS", "css_family", "face", "font_face_css", "matplotlib_families", "missing_glyphs_reported"]

FONT_DIR = Path(__file__).resolve().parent
# lang → (family name inside the file, file name)
_FACES = {"SC": ("crm-xl Noto Sans SC", "crm-xl-NotoSansSC-Regular.otf"),
          "TC": ("crm-xl Noto Sans TC", "crm-xl-NotoSansTC-Regular.otf")}
_SCRIPT = {"zh-CN": "SC", "zh-TW": "TC", "en": "SC"}

log = logging.getLogger("crm_xl.fonts")

# CSS font stacks: the packaged face first (for PDFs; a browser opening the HTML skips the unknown
# name), then installed Noto CJK, then what Windows and macOS readers have.
_SC_STACK = ('"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", '
             '"Hiragino Sans GB", sans-serif')
FONTS = {
    "zh-TW": f'"{_FACES["TC"][0]}", "Noto Sans CJK TC", "Noto Sans TC", "Source Han Sans TC", "PingFang TC", '
             f'"Microsoft JhengHei", "{_FACES["SC"][0]}", ' + _SC_STACK,
    "zh-CN": f'"{_FACES["SC"][0]}", ' + _SC_STACK,
}
FONTS["en"] = f'"Noto Sans", "DejaVu Sans", "Segoe UI", Arial, "{_FACES["SC"][0]}", ' + _SC_STACK


def _script(lang: str) -> str:
    return _SCRIPT.get(lang, "SC")


def css_family(lang: str) -> str:
    """The CSS ``font-family`` value for ``lang``."""
    return FONTS.get(lang, FONTS["zh-CN"])


def face(lang: str) -> tuple[str, Path]:
    """The packaged face for ``lang``: (family name, file path); the file may be missing."""
    family, name = _FACES[_script(lang)]
    return family, FONT_DIR / name


def _installed_cjk() -> str | None:
    """An installed CJK font family according to fontconfig, or None (only asked when ours is missing)."""
    if not shutil.which("fc-list"):
        return None
    try:
        out = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    families = sorted({line.split(",")[0].strip() for line in out.splitlines() if line.strip()})
    return families[0] if families else None


@lru_cache(maxsize=None)
def _missing_notice(path: Path) -> None:
    """Say once per process that a packaged face is missing, and what Chinese will look like."""
    installed = _installed_cjk()
    fallback = (f"the installed font {installed} is used instead" if installed else
                "no other Chinese font is installed, so Chinese text will show as boxes")
    log.warning("crm-xl: its Chinese font %s is missing (%s); reinstall crm-xl or install fonts-noto-cjk.",
                path, fallback)


def available(lang: str) -> Path | None:
    """The packaged face file for ``lang`` when it is there; otherwise None, after the one-line notice."""
    _, path = face(lang)
    if path.is_file():
        return path
    _missing_notice(path)
    return None


def font_face_css(langs: tuple[str, ...] = ("zh-CN", "zh-TW", "en")) -> str:
    """``@font-face`` rules loading the packaged faces that ``langs`` use, from their files."""
    rules = []
    for script in dict.fromkeys(_script(lang) for lang in langs):
        family, path = _FACES[script]
        if (FONT_DIR / path).is_file():
            rules.append(f'@font-face {{ font-family: "{family}"; src: url("{(FONT_DIR / path).as_uri()}"); '
                         f'font-weight: normal; font-style: normal; }}')
        else:
            _missing_notice(FONT_DIR / path)
    return "\n".join(rules)


@lru_cache(maxsize=1)
def _registered() -> tuple[str, ...]:
    """Register the packaged faces with matplotlib's font manager (once); the families added."""
    from matplotlib import font_manager

    added = []
    for family, name in _FACES.values():
        path = FONT_DIR / name
        if path.is_file():
            font_manager.fontManager.addfont(str(path))
            added.append(family)
    return tuple(added)


@lru_cache(maxsize=4)
def matplotlib_families(lang: str) -> tuple[str, ...]:
    """Font families for a chart in ``lang``, in fallback order: the packaged face, installed Noto
    Sans CJK (for a character outside the subset), DejaVu Sans (matplotlib's own)."""
    from matplotlib import font_manager

    registered = _registered()
    family, path = face(lang)
    first = [family] if family in registered else []
    if not first:
        available(lang)  # the one-line notice
    other = [f for f in registered if f != family]
    installed = {f.name for f in font_manager.fontManager.ttflist}
    wanted = "Noto Sans CJK TC" if lang == "zh-TW" else "Noto Sans CJK SC"
    system = [n for n in (wanted, "Noto Sans CJK SC", "Noto Sans CJK JP") if n in installed]
    return tuple(dict.fromkeys(first + other + system + ["DejaVu Sans"]))


_GLYPH = re.compile(r"Glyph \d+ \((.+)\) missing from font\(s\)")
_reported: set[str] = set()


def missing_glyphs_reported(chars: set[str]) -> set[str]:
    """Report characters no font could draw, in one line; each character only once per process."""
    new = {c for c in chars if c not in _reported}
    if new:
        _reported.update(new)
        shown = "".join(sorted(new))
        log.warning("crm-xl: %d character(s) have no glyph in any available font and show as boxes: %s",
                    len(new), shown if len(shown) <= 40 else shown[:40] + "…")
    return new


@contextmanager
def glyph_warnings_collected():
    """Inside the block matplotlib's per-glyph "missing from font" warnings are collected; on leaving
    it they become one line (see :func:`missing_glyphs_reported`). Other warnings pass through."""
    missing: set[str] = set()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield missing
    for w in caught:
        m = _GLYPH.search(str(w.message))
        if m:
            text = m.group(1)
            missing.add(text if len(text) == 1 else _decode(text))
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno, source=w.source)
    missing_glyphs_reported(missing)


def _decode(text: str) -> str:
    r"""matplotlib writes the glyph as ``\N{CJK UNIFIED IDEOGRAPH-6295}`` or the character itself."""
    m = re.fullmatch(r"\\N\{(.+)\}", text)
    if m:
        import unicodedata

        try:
            return unicodedata.lookup(m.group(1))
        except KeyError:
            return text
    return text


def fontconfig_env(work: Path) -> dict[str, str]:
    """Environment for a LibreOffice child process that adds the packaged faces to fontconfig.

    LibreOffice ignores ``@font-face``; it finds fonts through fontconfig, so a private
    ``fonts.conf`` in ``work`` includes the configuration in force (``$FONTCONFIG_FILE`` or the
    system's) and adds this folder.
    """
    import os
    from xml.sax.saxutils import escape

    current = os.environ.get("FONTCONFIG_FILE") or "/etc/fonts/fonts.conf"
    conf = Path(work) / "crm-xl-fonts.conf"
    conf.write_text('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
                    f'  <include ignore_missing="yes">{escape(current)}</include>\n'
                    f'  <dir>{escape(str(FONT_DIR))}</dir>\n</fontconfig>\n', encoding="utf-8")
    return {"FONTCONFIG_FILE": str(conf)}
