"""Benchmark: PDFs in seconds — the complaint form and the monthly report, as the user runs them.

Measured in one run, each as a whole process (wall and CPU time of the child), against the
baseline of a plain WeasyPrint render of a one-line HTML page (``python -c "import weasyprint;
weasyprint.HTML(string='<p>…</p>').write_pdf(…)"``) in the same run, so the ratios hold on a busy
machine where the seconds do not:

- ``crm-xl complaint-form REG TICKET --out f.pdf`` (one A4 page; target ≤ 3 s);
- ``crm-xl complaint-form REG --all --out DIR`` (every open complaint in one process);
- ``crm-xl report REG --kind monthly --out m.pdf`` (target ≤ 8 s);
- with ``--libreoffice``: the LibreOffice fallback of the form (``--engine libreoffice``).

Then an in-process breakdown of one form — crm-xl's imports, reading the register, the form's
HTML, WeasyPrint's import, layout and writing the PDF (font subsetting) — for three font set-ups:
the packaged subset (what crm-xl does), the installed 19 MB Noto Sans CJK collection (what it did),
and each of the two subset with fontTools instead of HarfBuzz (a machine without
libharfbuzz-subset0), each in a fresh process.

Run: ``python benchmarks/pdf.py [--repeat 3] [--libreoffice]`` (the demo register is built into a
temp folder). The README quotes its output.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2026, 11, 23)
CLI = [sys.executable, "-m", "crm_xl"]
BASELINE = ("import sys, weasyprint; weasyprint.HTML(string='<p>Hello, one line.</p>').write_pdf(sys.argv[1])")


def run(cmd: list[str], repeat: int) -> tuple[float, float]:
    """Best wall time and that run's CPU time (user + system of the child) over `repeat` runs."""
    best = None
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, text=True)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} failed:\n{done.stderr[-2000:]}")
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        if best is None or wall < best[0]:
            best = (wall, cpu)
    return best


STAGES = r"""
import json, resource, sys, time, datetime as dt
marks = [("start", time.perf_counter(), 0.0)]
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
def mark(name):
    marks.append((name, time.perf_counter(), cpu()))
register_path, ticket, mode, out = sys.argv[1:5]
import crm_xl.cli  # what every command imports
from crm_xl import forms
from crm_xl.ports.reader import read_register
mark("import crm-xl")
register = read_register(register_path)
mark("read register")
html = forms.render_html(forms.complaint_context(register, ticket, dt.date.fromisoformat(sys.argv[5]), "zh-CN"))
mark("form HTML")
import weasyprint
if mode.endswith("fonttools"):
    import weasyprint.pdf.fonts
    weasyprint.pdf.fonts.harfbuzz_subset = None  # as on a machine without libharfbuzz-subset0
mark("import weasyprint")
if mode.startswith("packaged"):
    from crm_xl.reports.pdf import WeasyPrinter
    printer = WeasyPrinter()
    doc = printer._html(string=html).render(stylesheets=printer.stylesheets, font_config=printer.font_config)
else:  # the installed collection, by family name, as before the fonts travelled with the package
    html = html.replace("crm-xl Noto Sans SC", "Noto Sans CJK SC")
    doc = weasyprint.HTML(string=html).render()
mark("layout")
doc.write_pdf(out)
mark("write PDF (font subsetting)")
print(json.dumps([(b[0], b[1] - a[1], b[2] - a[2]) for a, b in zip(marks, marks[1:])]))
"""


def main() -> int:
    ap = argparse.ArgumentParser(description="PDF timings (complaint form, monthly report) as ratios.")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each command; the best is kept")
    ap.add_argument("--libreoffice", action="store_true", help="also time the LibreOffice fallback")
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    from crm_xl.forms import open_complaints
    from crm_xl.ports.reader import read_register
    from crm_xl.workbook import build_workbook

    with tempfile.TemporaryDirectory(prefix="crm-xl-bench-pdf-") as tmp:
        work = Path(tmp)
        reg = work / "demo.xlsx"
        build_workbook(reg, demo=True, as_of=AS_OF)
        open_ids = open_complaints(read_register(reg))
        ticket = open_ids[0]
        day = AS_OF.isoformat()
        rows = []
        base = run([sys.executable, "-c", BASELINE, str(work / "baseline.pdf")], args.repeat)
        rows.append(("plain WeasyPrint, one-line page (baseline)", base, None))
        form = run([*CLI, "complaint-form", str(reg), ticket, "--out", str(work / "form.pdf"), "--as-of", day],
                   args.repeat)
        rows.append((f"complaint-form, one A4 page", form, 3.0))
        every = run([*CLI, "complaint-form", str(reg), "--all", "--out", str(work / "forms"), "--as-of", day],
                    args.repeat)
        rows.append((f"complaint-form --all ({len(open_ids)} forms, one process)", every, None))
        monthly = run([*CLI, "report", str(reg), "--kind", "monthly", "--out", str(work / "monthly.pdf"),
                       "--as-of", day], args.repeat)
        rows.append(("report --kind monthly (PDF)", monthly, 8.0))
        if args.libreoffice:
            lo = run([*CLI, "complaint-form", str(reg), ticket, "--out", str(work / "form-lo.pdf"), "--as-of", day,
                      "--engine", "libreoffice"], 1)
            rows.append(("complaint-form --engine libreoffice", lo, None))

        print(f"PDF benchmark, {dt.datetime.now():%Y-%m-%d %H:%M}, {os.cpu_count()} cores, load "
              f"{os.getloadavg()[0]:.1f}; demo register (200 customers), best of {args.repeat}\n")
        print(f"| command | wall s | CPU s | ÷ baseline (wall) | target |")
        print("|---|---:|---:|---:|---|")
        for name, (wall, cpu), target in rows:
            print(f"| {name} | {wall:.2f} | {cpu:.2f} | {wall / base[0]:.2f} | {f'≤ {target:g} s' if target else ''} |")
        per_form = (every[0] - form[0]) / max(len(open_ids) - 1, 1)
        print(f"\nEach further form in --all adds {per_form:.2f} s (one start-up for all {len(open_ids)}).")

        print("\nWhere one form's time goes (in-process, fresh process per font set-up; wall s / CPU s):\n")
        modes = {"packaged": "packaged subset (2.4 MB OTF)", "installed": "installed Noto Sans CJK (19 MB TTC)",
                 "packaged-fonttools": "packaged subset, fontTools subsetting",
                 "fonttools": "installed TTC, fontTools subsetting"}
        results = {}
        for mode in modes:
            done = subprocess.run([sys.executable, "-c", STAGES, str(reg), ticket, mode, str(work / f"{mode}.pdf"), day],
                                  capture_output=True, text=True)
            if done.returncode != 0:
                print(f"{mode}: failed: {done.stderr.strip().splitlines()[-1] if done.stderr.strip() else ''}")
                continue
            results[mode] = json.loads(done.stdout.strip().splitlines()[-1])
        if results:
            stages = [s for s, _, _ in next(iter(results.values()))]
            print("| stage | " + " | ".join(modes[m] for m in results) + " |")
            print("|---|" + "---:|" * len(results))
            for i, stage in enumerate(stages):
                print(f"| {stage} | " + " | ".join(f"{r[i][1]:.2f} / {r[i][2]:.2f}" for r in results.values()) + " |")
            print("| total | " + " | ".join(f"{sum(x[1] for x in r):.2f} / {sum(x[2] for x in r):.2f}"
                                           for r in results.values()) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
