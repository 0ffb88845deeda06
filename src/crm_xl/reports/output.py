"""Write reports to files: HTML, PDF or XLSX, chosen by the file's suffix; always atomically."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from crm_xl.ports.atomic import atomic_path
from crm_xl.reports.build import ReportInputs, build_report
from crm_xl.reports.model import KINDS, Report

if TYPE_CHECKING:
    from crm_xl.ports.child import Worker

FORMATS = (".html", ".pdf", ".xlsx")


def write_report(report: Report, dst: str | Path, pdf_engine: str = "auto", worker: Worker | None = None,
                 chart_workers: tuple[Worker | None, ...] = ()) -> Path:
    """Write ``report`` to ``dst`` (.html, .pdf or .xlsx) through a temp file and a rename; a
    report it replaces is kept as a timestamped backup, like every output. A PDF is printed by
    ``worker`` when one is given (:mod:`crm_xl.ports.child`: the same printing, started early);
    the charts of an HTML or PDF report are drawn by ``chart_workers`` and ``worker`` between them
    (the same SVGs, on both cores at once)."""
    dst = Path(dst)
    suffix = dst.suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(f"unknown report format {dst.suffix!r}; use .html, .pdf or .xlsx")
    dst.parent.mkdir(parents=True, exist_ok=True)
    # each format imports only its own writer: the Excel report needs neither matplotlib (native
    # Excel charts) nor WeasyPrint, the HTML report no WeasyPrint
    with atomic_path(dst) as tmp:
        if suffix == ".html":
            from crm_xl.reports.html import render_charts, render_html

            tmp.write_text(render_html(report, render_charts(report, workers=(*chart_workers, worker))),
                           encoding="utf-8")
        elif suffix == ".pdf":  # chart text as text in the embedded CJK face (faster, searchable)
            from crm_xl.reports.html import render_charts
            from crm_xl.reports.pdf import report_to_pdf

            drawers = (*chart_workers, worker)
            svgs = render_charts(report, text_as_paths=False, workers=drawers) if any(drawers) else None
            if worker is not None:
                worker.run(report_to_pdf, report, tmp, pdf_engine, svgs)
            else:
                report_to_pdf(report, tmp, pdf_engine, svgs)
        else:
            from crm_xl.reports.xlsx import write_xlsx

            write_xlsx(report, tmp)
    return dst


def write_demo_reports(inputs: ReportInputs, out_dir: str | Path, pdf: bool = True) -> dict[str, Path]:
    """All four report kinds as HTML, and the monthly report also as PDF and XLSX, into ``out_dir``.

    Returns ``"<kind>.<format>"`` → path. The PDF is skipped (not an error) when no PDF engine is
    installed; ``pdf=False`` skips it on purpose.
    """
    from crm_xl.reports.pdf import PdfEngineMissing

    out = Path(out_dir)
    written: dict[str, Path] = {}
    for kind in KINDS:
        report = build_report(kind, inputs)
        written[f"{kind}.html"] = write_report(report, out / f"report-{kind}.html")
        if kind == "monthly":
            written["monthly.xlsx"] = write_report(report, out / "report-monthly.xlsx")
            if pdf:
                try:
                    written["monthly.pdf"] = write_report(report, out / "report-monthly.pdf")
                except PdfEngineMissing:
                    pass
    return written


def demo_reports(register: Any, as_of, out_dir: str | Path, lang: str | None = None, **kwargs) -> dict[str, Path]:
    """Convenience for ``crm-xl demo``: prepare the inputs from a register and write the demo set."""
    from crm_xl.reports.build import prepare

    return write_demo_reports(prepare(register, as_of, lang=lang, **kwargs), out_dir)
