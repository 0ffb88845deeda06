"""HTML → PDF.

Engine choice: **WeasyPrint** when it is importable — it lays out the report's print CSS (A4 page,
page numbers, repeated table headers, no chart split across pages), draws the inline SVG charts
as vectors and embeds Noto Sans CJK subsets, so Chinese prints without tofu. It is an optional
extra (``pip install weasyprint``; it needs the system's Pango). Otherwise **LibreOffice**
headless, run with a throw-away user profile and a timeout. It imports the HTML into Writer
(``--infilter="HTML (StarWriter)"``, export ``writer_pdf_Export``): the Writer/Web export
(``writer_web_pdf_Export``) measured here drops the ``<h1>`` and adds a blank first page; LibreOffice's HTML import ignores inline ``<svg>``, so for it every chart
is embedded as an ``<img>`` with an SVG data URI, which it does draw.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

SOFFICE_TIMEOUT = 180  # seconds; a conversion never hangs a batch run

_SVG = re.compile(r"<svg\b.*?</svg>", re.S)


class PdfEngineMissing(RuntimeError):
    """Neither WeasyPrint nor LibreOffice (soffice) is available."""


def weasyprint_available() -> bool:
    try:
        import weasyprint  # noqa: F401
    except Exception:  # ImportError, or OSError when Pango is missing
        return False
    return True


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def pdf_engine(preferred: str = "auto") -> str:
    """``weasyprint`` or ``libreoffice`` (``auto`` picks WeasyPrint when it can be imported)."""
    if preferred in ("auto", "weasyprint") and weasyprint_available():
        return "weasyprint"
    if preferred in ("auto", "libreoffice") and soffice_path():
        return "libreoffice"
    raise PdfEngineMissing(f"no PDF engine for {preferred!r}: install weasyprint (pip) or LibreOffice (soffice)")


def html_to_pdf(html: str, dst: str | Path, engine: str = "auto") -> str:
    """Write ``html`` as a PDF to ``dst``; returns the engine used."""
    engine = pdf_engine(engine)
    dst = Path(dst)
    if engine == "weasyprint":
        import weasyprint

        weasyprint.HTML(string=html, base_url=None).write_pdf(str(dst))
        return engine
    _libreoffice(for_libreoffice(html), dst)
    return engine


def for_libreoffice(html: str) -> str:
    """The HTML with each inline SVG turned into an ``<img>`` data URI (LibreOffice draws those)."""
    def embed(m: re.Match) -> str:
        svg = m.group(0)
        if "xmlns=" not in svg[:200]:
            svg = svg.replace("<svg", '<svg xmlns="http://www.w3.org/2000/svg"', 1)
        data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
        return f'<img alt="" style="width:100%" width="680" src="data:image/svg+xml;base64,{data}">'

    return _SVG.sub(embed, html)


def _libreoffice(html: str, dst: Path) -> None:
    soffice = soffice_path()
    if not soffice:
        raise PdfEngineMissing("LibreOffice (soffice) is not installed")
    with tempfile.TemporaryDirectory(prefix="crm-xl-pdf-") as tmp:
        work = Path(tmp)
        src = work / "report.html"
        src.write_text(html, encoding="utf-8")
        profile = (work / "profile").as_uri()
        cmd = [soffice, "--headless", "--norestore", "--nolockcheck", f"-env:UserInstallation={profile}",
               "--infilter=HTML (StarWriter)", "--convert-to", "pdf:writer_pdf_Export", "--outdir", str(work / "out"), str(src)]
        env = dict(os.environ, HOME=tmp)
        try:
            run = subprocess.run(cmd, capture_output=True, text=True, timeout=SOFFICE_TIMEOUT, env=env)
        except subprocess.TimeoutExpired as exc:
            raise RuntimeError(f"LibreOffice did not finish within {SOFFICE_TIMEOUT} s") from exc
        out = work / "out" / "report.pdf"
        if run.returncode != 0 or not out.exists():
            raise RuntimeError(f"LibreOffice could not convert the report: {run.stderr.strip() or run.stdout.strip()}")
        shutil.copyfile(out, dst)
