"""HTML → PDF.

Engine choice: **WeasyPrint** when it is importable — it lays out the report's print CSS (A4 page,
page numbers, repeated table headers, no chart split across pages), draws the inline SVG charts
as vectors and embeds the package's own Noto Sans CJK subset (``crm_xl/fonts``, loaded with
``@font-face`` from its file), so Chinese prints without tofu on a machine with no font installed.
One :class:`WeasyPrinter` per process loads WeasyPrint and the fonts once for every document
(``--all`` complaint forms, the demo's reports). Otherwise **LibreOffice**
headless, run with a throw-away user profile and a timeout. It imports the HTML into Writer
(``--infilter="HTML (StarWriter)"``, export ``writer_pdf_Export``): the Writer/Web export
(``writer_web_pdf_Export``) measured here drops the ``<h1>`` and adds a blank first page; LibreOffice's HTML import ignores inline ``<svg>``, so for it every chart
is embedded as an ``<img>`` with an SVG data URI, which it does draw.
"""

from __future__ import annotations

import atexit
import base64
import contextlib
import io
import os
import re
import shutil
import subprocess
import tempfile
import warnings
from functools import lru_cache
from pathlib import Path

from crm_xl.fonts import font_face_css, fontconfig_env

SOFFICE_TIMEOUT = 180  # seconds; a conversion never hangs a batch run

_SVG = re.compile(r"<svg\b.*?</svg>", re.S)


class PdfEngineMissing(OSError):
    """Neither WeasyPrint nor LibreOffice (soffice) is available: a part of this machine is missing,
    not a bug, so the command ends with one line saying what to install (exit 2, as for a disk error)."""

    lead = ("本机无法生成 PDF，可改为输出 .html：", "cannot make a PDF on this machine; write .html instead: ")


def _weasyprint():
    """Import WeasyPrint. Its import warns when fontconfig knows no font at all (a server with no
    font installed); crm-xl brings its own faces (``@font-face``), and if those are missing too
    :mod:`crm_xl.fonts` says so in one line, so that warning is not passed on. When the system's
    Pango is missing, WeasyPrint prints a boxed installation notice to stdout before raising
    OSError; that notice is swallowed too, :func:`weasyprint_missing` says it in one line."""
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.filterwarnings("ignore", message="No fonts configured in FontConfig")
        import weasyprint
        import weasyprint.text.fonts  # noqa: F401  (the module that checks fontconfig on import)
    return weasyprint


# What WeasyPrint loads from the system (Debian names); a fresh machine has none of them.
PANGO_PACKAGES = "libpango-1.0-0 libpangoft2-1.0-0"


def weasyprint_missing() -> str | None:
    """None when WeasyPrint can print, else one line saying what to install."""
    try:
        _weasyprint()
    except ImportError:
        return "WeasyPrint is not installed (pip install weasyprint)"
    except OSError:  # cffi could not open libpango / libgobject
        return f"WeasyPrint cannot load the system's Pango (apt install {PANGO_PACKAGES})"
    except Exception as exc:  # noqa: BLE001  (any other import failure makes it unusable too)
        return f"WeasyPrint cannot start ({type(exc).__name__}: {exc})"
    return None


def weasyprint_available() -> bool:
    return weasyprint_missing() is None


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


# The LibreOffice parts crm-xl uses: Writer imports HTML (reports), Calc opens .xlsx (forms, tests).
LIBREOFFICE_PARTS = {"writer": "libreoffice-writer-nogui", "calc": "libreoffice-calc-nogui"}


def libreoffice_parts(soffice: str | None = None) -> set[str]:
    """Which of Writer and Calc the installed LibreOffice has (empty when none is installed).

    Debian splits LibreOffice into packages (Calc without Writer is common); each part ships its
    configuration module ``share/registry/<part>.xcd`` (``Resources/registry`` on macOS). When the
    registry folder cannot be found, both parts are assumed present rather than wrongly missing.
    """
    soffice = soffice or soffice_path()
    if not soffice:
        return set()
    install = Path(os.path.realpath(soffice)).parent.parent
    for registry in (install / "share" / "registry", install / "Resources" / "registry"):
        if registry.is_dir():
            return {part for part in LIBREOFFICE_PARTS if (registry / f"{part}.xcd").is_file()}
    return set(LIBREOFFICE_PARTS)


def libreoffice_missing(part: str) -> str | None:
    """None when LibreOffice with ``part`` (writer or calc) is installed, else what to install."""
    if not soffice_path():
        return f"LibreOffice is not installed (apt install {LIBREOFFICE_PARTS[part]})"
    if part not in libreoffice_parts():
        return (f"LibreOffice {part.capitalize()} is not installed, only "
                f"{', '.join(sorted(p.capitalize() for p in libreoffice_parts())) or 'its core'} "
                f"(apt install {LIBREOFFICE_PARTS[part]})")
    return None


def pdf_engine(preferred: str = "auto") -> str:
    """``weasyprint`` or ``libreoffice`` (``auto`` picks WeasyPrint when it can be imported)."""
    weasy = weasyprint_missing() if preferred in ("auto", "weasyprint") else None
    if preferred in ("auto", "weasyprint") and weasy is None:
        return "weasyprint"
    if preferred == "weasyprint":
        raise PdfEngineMissing(f"no PDF engine for 'weasyprint': {weasy}")
    missing = libreoffice_missing("writer")  # LibreOffice prints HTML with Writer
    if not missing:
        return "libreoffice"
    raise PdfEngineMissing(f"no PDF engine for {preferred!r}: "
                           + (missing if preferred == "libreoffice" else f"{weasy}, and {missing}"))


class WeasyPrinter:
    """WeasyPrint with the packaged CJK faces declared once (``@font-face`` from their files);
    :meth:`write` prints any number of documents with that one set-up."""

    def __init__(self) -> None:
        weasyprint = _weasyprint()
        from weasyprint.text.fonts import FontConfiguration

        self._html = weasyprint.HTML
        self.font_config = FontConfiguration()
        css = font_face_css()
        self.stylesheets = [weasyprint.CSS(string=css, font_config=self.font_config)] if css else []

    def write(self, html: str, dst: str | Path, base_url: str | None = None) -> None:
        self._html(string=html, base_url=base_url).write_pdf(str(dst), stylesheets=self.stylesheets,
                                                             font_config=self.font_config)


@lru_cache(maxsize=1)
def weasy_printer() -> WeasyPrinter:
    """The process's one :class:`WeasyPrinter`."""
    # dropped at exit while modules still exist: WeasyPrinter's temp font folder is removed by
    # FontConfiguration.__del__, which fails noisily when it runs during interpreter teardown
    atexit.register(weasy_printer.cache_clear)
    from crm_xl.ports import child

    child.at_exit(_drop_font_folder)  # a worker child leaves with os._exit: no atexit there
    return WeasyPrinter()


def _drop_font_folder() -> None:
    """The one :class:`WeasyPrinter` dropped and its temp font folder removed (what the interpreter's
    exit would tidy, in a worker child that ends without it)."""
    if weasy_printer.cache_info().currsize:
        folder = getattr(weasy_printer().font_config, "_folder", None)
        weasy_printer.cache_clear()
        if folder:
            import shutil

            shutil.rmtree(folder, ignore_errors=True)


def html_to_pdf(html: str, dst: str | Path, engine: str = "auto") -> str:
    """Write ``html`` as a PDF to ``dst``; returns the engine used."""
    engine = pdf_engine(engine)
    dst = Path(dst)
    if engine == "weasyprint":
        weasy_printer().write(for_weasyprint(html), dst)
        return engine
    _libreoffice(for_libreoffice(html), dst)
    return engine


def report_to_pdf(report, dst: str | Path, engine: str = "auto", svgs: dict[str, str] | None = None) -> str:
    """The report (:class:`~crm_xl.reports.model.Report`) as a PDF: its charts with their text as
    text in the embedded CJK face (faster to print, searchable); returns the engine used. ``svgs``:
    those charts drawn already (``render_charts(report, text_as_paths=False)``, perhaps on several
    workers). Imports neither pandas nor the review, so a :mod:`~crm_xl.ports.child` worker runs
    it as it is."""
    from crm_xl.reports.html import render_charts, render_html

    if svgs is None:
        svgs = render_charts(report, text_as_paths=False)
    return html_to_pdf(render_html(report, svgs), dst, engine)


def print_html(pages: dict[str, str], base_url: str | None = None) -> bool:
    """Each HTML page (destination path → HTML) printed with WeasyPrint; False (nothing printed)
    when WeasyPrint cannot start here, for the caller's fallback to decide."""
    if weasyprint_missing() is not None:
        return False
    printer = weasy_printer()
    for dst, html in pages.items():
        printer.write(html, dst, base_url=base_url)
    return True


def warm_up(charts: bool = False) -> None:
    """What a PDF command needs before it prints, loaded ahead (in a
    :mod:`~crm_xl.ports.child` worker while the parent reads the register): WeasyPrint and the
    packaged faces, and with ``charts`` matplotlib, the chart code and the faces registered with it."""
    if weasyprint_missing() is None:
        weasy_printer()
    if charts:
        from crm_xl.reports.charts import warm_up as charts_warm_up

        charts_warm_up()


def for_weasyprint(html: str) -> str:
    """The HTML with each inline SVG chart as an ``<img>`` data URI, drawn the same (the same
    SVG, the same box: full width, height from the viewBox).

    WeasyPrint runs the HTML's CSS cascade over every element of the document, an inline SVG's
    thousand-odd elements included (and parses each one's ``style`` attribute as CSS), before its
    SVG renderer cascades them again; an image's elements are cascaded once, by the SVG renderer
    only. The monthly report's layout: 0.95 → 0.5 s CPU, the pages pixel-identical."""
    def embed(m: re.Match) -> str:
        svg = m.group(0)
        name = _LABEL.search(svg[:svg.index(">")])
        return (f'<img alt="{name[1] if name else ""}" style="width:100%;height:auto;display:block" '
                f'src="{_svg_data_uri(svg)}">')

    return _SVG.sub(embed, html)


_LABEL = re.compile(r'aria-label="([^"]*)"')


def _svg_data_uri(svg: str) -> str:
    """An inline ``<svg>`` as a standalone image's data URI (the SVG namespace declared on its
    root, which an inline SVG in HTML may leave out)."""
    if "xmlns=" not in svg[:svg.index(">")]:
        svg = svg.replace("<svg", '<svg xmlns="http://www.w3.org/2000/svg"', 1)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def for_libreoffice(html: str) -> str:
    """The HTML with each inline SVG turned into an ``<img>`` data URI (LibreOffice draws those)."""
    return _SVG.sub(lambda m: f'<img alt="" style="width:100%" width="680" src="{_svg_data_uri(m.group(0))}">', html)


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
        env = dict(os.environ, HOME=tmp, **fontconfig_env(work))
        try:
            run = subprocess.run(cmd, capture_output=True, text=True, timeout=SOFFICE_TIMEOUT, env=env)
        except subprocess.TimeoutExpired as exc:
            raise RuntimeError(f"LibreOffice did not finish within {SOFFICE_TIMEOUT} s") from exc
        out = work / "out" / "report.pdf"
        if run.returncode != 0 or not out.exists():
            raise RuntimeError(f"LibreOffice could not convert the report: {run.stderr.strip() or run.stdout.strip()}")
        shutil.copyfile(out, dst)
