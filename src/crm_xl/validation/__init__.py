"""Validation (pure core): every rule of the register, as cell-exact findings, and the values
they make unusable.

``validate(register, as_of)`` runs the schema rules (V1xx), identity and reference rules (V2xx),
date and money consistency (V3xx) and the policy rules of SPEC F1 (V4xx), F3 (V5xx) and F5
(V6xx) column-wise on the register's frames, adds what the reader found (unreadable cells,
unknown options, missing columns, settings problems) and returns a :class:`ValidationResult`:
the findings sorted by sheet, row and column, and the cells whose *value* cannot be used.

Errors never erase data: a finding makes a value unusable, never its record. Only error-level
findings of the codes in :data:`~crm_xl.validation.codes.UNUSABLE_VALUE` (a cell that cannot be
read, is not a listed option, is out of range, not a whole number, not a country, currency,
e-mail or phone, or a date in the future) mark their cell; :meth:`ValidationResult.usable_frames`
gives the frames with those cells treated as missing and every record kept. Findings that relate
two cells (an amount that disagrees with quantity × unit price, dates out of order) or a whole
record (a stage without its required fields) leave the values as they are: the record counts
with them and the finding stays. Severities come from the catalogue, overridden by the Settings
(``severity.<CODE>`` = error | warning | info | off).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from crm_xl.findings import SEVERITY_RANK, Finding
from crm_xl.messages import CATALOGUE
from crm_xl.register import ROW, Register
from crm_xl.schema import SHEETS
from crm_xl.validation import codes
from crm_xl.validation.codes import CODES
from crm_xl.validation.consistency import check_date_order, check_money
from crm_xl.validation.context import Context
from crm_xl.validation.fields import ROW_SHEETS, check_cells, check_contact_points
from crm_xl.validation.identity import check_duplicate_customers, check_references, check_unique_ids, normalize_company
from crm_xl.validation.policy import check_customer_policy
from crm_xl.validation.sales import check_opportunities
from crm_xl.validation.tickets import check_tickets

__all__ = ["ValidationResult", "validate", "validate_values", "findings_markdown", "normalize_company", "CODES", "codes", "RULES"]

RULES = (check_cells, check_contact_points, check_unique_ids, check_references, check_duplicate_customers,
         check_date_order, check_money, check_customer_policy, check_opportunities, check_tickets)

# The rules that can report a code of UNUSABLE_VALUE (with the reader's R001/R002): all that
# decides which values are unusable (validate_values)
VALUE_RULES = (check_cells, check_contact_points)

_SHEET_ORDER = {k: i for i, k in enumerate(SHEETS)}


@dataclass
class ValidationResult:
    """Findings of one validation run and the values they make unusable."""

    register: Register
    as_of: dt.date
    findings: list[Finding]
    rows_checked: int = 0
    _unusable: dict[str, dict[str, set[int]]] | None = field(default=None, repr=False)

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    @property
    def errors(self) -> int:
        return self.count("error")

    @property
    def warnings(self) -> int:
        return self.count("warning")

    @property
    def infos(self) -> int:
        return self.count("info")

    def summary(self) -> dict[str, int]:
        return {"errors": self.errors, "warnings": self.warnings, "rows_checked": self.rows_checked}

    @property
    def unusable(self) -> dict[str, dict[str, set[int]]]:
        """sheet → column → Excel rows whose value a finding made unusable."""
        if self._unusable is None:
            self._unusable = unusable_cells(self.findings)
        return self._unusable

    def usable_frames(self) -> dict[str, pd.DataFrame]:
        """Every sheet with all its records; a value a finding made unusable is treated as missing."""
        return usable_frames(self.register, self.unusable)

    def error_rows(self) -> dict[str, set[int]]:
        """sheet → Excel rows with at least one error finding (for the data-accuracy KPI)."""
        rows: dict[str, set[int]] = {}
        for f in self.findings:
            if f.severity == "error" and f.row is not None:
                rows.setdefault(f.sheet, set()).add(int(f.row))
        return rows

    def at_or_above(self, severity: str) -> list[Finding]:
        rank = SEVERITY_RANK[severity]
        return [f for f in self.findings if SEVERITY_RANK.get(f.severity, -1) >= rank]

    def by_code(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for f in self.findings:
            out[f.code] = out.get(f.code, 0) + 1
        return out


def validate(register: Register, as_of: dt.date | None = None) -> ValidationResult:
    """Run every rule on ``register`` as of ``as_of`` (default today)."""
    return _run(register, as_of, RULES, profile=True)


def validate_values(register: Register, as_of: dt.date | None = None) -> ValidationResult:
    """Only what decides which values are unusable: the findings of :data:`VALUE_RULES` and the
    reader's, sorted as :func:`validate` sorts them. Its ``unusable`` is ``validate``'s; its
    findings are not all of them (no identity, reference, consistency, policy or operations-sheet
    rules), so it is for a command that shows none (``crm-xl followups``)."""
    return _run(register, as_of, VALUE_RULES, profile=False)


def _run(register: Register, as_of: dt.date | None, rules, profile: bool) -> ValidationResult:
    """``rules`` (and the profile's rules when ``profile``) and the reader's findings, each at the
    severity the Settings give it, sorted in the register's order."""
    as_of = as_of or dt.date.today()
    if isinstance(as_of, dt.datetime):
        as_of = as_of.date()
    ctx = Context(register, as_of)
    for rule in rules:
        rule(ctx)
    findings = ctx.findings()
    for f in _profile_findings(register, as_of) if profile else ():
        severity = register.settings.severity_of(f.code, f.severity)
        if severity != "off":
            f = f if f.cell or f.row is None else replace(f, cell=register.cell(f.sheet, f.row, f.column))
            findings.append(f if severity == f.severity else replace(f, severity=severity))
    for f in register.reader_findings():
        severity = register.settings.severity_of(f.code, f.severity)
        if severity != "off":
            findings.append(f if severity == f.severity else replace(f, severity=severity))
    findings.sort(key=lambda f: _sort_key(register, f))
    rows_checked = sum(len(register.frames[s]) for s in ROW_SHEETS)
    return ValidationResult(register, as_of, findings, rows_checked)


def unusable_cells(findings: list[Finding]) -> dict[str, dict[str, set[int]]]:
    """sheet → column → Excel rows of the cells that error findings of an
    :data:`~crm_xl.validation.codes.UNUSABLE_VALUE` code make unusable."""
    out: dict[str, dict[str, set[int]]] = {}
    for f in findings:
        if f.severity == "error" and f.code in codes.UNUSABLE_VALUE and f.row is not None and f.column:
            out.setdefault(f.sheet, {}).setdefault(f.column, set()).add(int(f.row))
    return out


# Columns whose blank has a meaning of its own: a blank currency is the base currency, so an
# unusable currency keeps its text (it has no FX rate, and the amount is left out of base totals).
_KEEP_KINDS = ("currency",)


def usable_frames(register: Register, unusable: dict[str, dict[str, set[int]]]) -> dict[str, pd.DataFrame]:
    """The register's frames with every record; the cells in ``unusable`` are set to missing."""
    frames = dict(register.frames)
    for sheet, columns in unusable.items():
        frame = frames.get(sheet)
        if frame is None or not len(frame):
            continue
        changed = None
        for column, rows in columns.items():
            if column not in frame.columns or not rows:
                continue
            if SHEETS[sheet].has(column) and SHEETS[sheet].column(column).kind in _KEEP_KINDS:
                continue
            hit = np.isin(frame[ROW].to_numpy(), np.fromiter(rows, dtype="int64"))
            if not hit.any():
                continue
            if changed is None:
                # a shallow copy: under pandas' copy-on-write the column set below replaces that
                # column in ``changed`` only (the register's frame is never written); a deep copy
                # duplicated the whole sheet (≈ 100 MB for the activities of 100k customers)
                changed = frame.copy(deep=False)
            col = changed[column]
            changed[column] = col.mask(pd.Series(hit, index=col.index))
        if changed is not None:
            frames[sheet] = changed
    return frames


def _profile_findings(register: Register, as_of: dt.date) -> list[Finding]:
    """Rules of the operations sheets: vehicles (004), projects (002 六), training, intelligence (001 二)."""
    from crm_xl.intelligence import intelligence_findings
    from crm_xl.projects import project_findings
    from crm_xl.training import training_findings
    from crm_xl.vehicles import vehicle_findings

    out: list[Finding] = []
    if not register["vehicles"].empty or not register["service_visits"].empty:
        out += vehicle_findings(register)
    if not register["projects"].empty or not register["milestones"].empty:
        out += project_findings(register, as_of)
    if not register["training_sessions"].empty or register["staff"]["hire_date"].notna().any():
        out += training_findings(register, as_of)
    if not register["intelligence"].empty:
        out += intelligence_findings(register, as_of)
    return out


def _sort_key(register: Register, f: Finding) -> tuple:
    index = register.column_index(f.sheet, f.column) if f.column else None
    return (_SHEET_ORDER.get(f.sheet, 99), f.row if f.row is not None else -1,
            index if index is not None else -1, f.code)


def findings_markdown() -> str:
    """``docs/findings.md``: every finding code with severity, title, policy clause and messages."""
    import crm_xl.currency  # noqa: F401  (modules that define their codes on import)
    import crm_xl.intake.report  # noqa: F401
    import crm_xl.exports  # noqa: F401
    import crm_xl.intelligence  # noqa: F401
    import crm_xl.projects  # noqa: F401
    import crm_xl.training  # noqa: F401
    import crm_xl.vehicles  # noqa: F401

    lines = [
        "# Finding codes", "",
        "Generated from the message catalogue by `crm_xl.validation.findings_markdown()`; a test keeps",
        "this file current. Severities are defaults: change one in the Settings sheet with a key row",
        "`severity.<CODE>` and the value `error`, `warning`, `info` or `off`. `{…}` marks a value",
        "filled in from the cell. zh-TW messages are derived from zh-CN.", "",
        "Exit codes of `crm-xl validate`: 0 no finding at or above `--fail-on` (default error),",
        "1 such findings, 2 unreadable input.", "",
        "| code | severity | title | policy clause | message (zh-CN) | message (en) |",
        "|---|---|---|---|---|---|",
    ]
    for code in sorted(set(CODES) | {c for c in CATALOGUE if c[0] in "RSFAX"}):
        d = CATALOGUE[code]
        cells = [code, d.severity, f"{d.title_zh} / {d.title_en}", d.clause, d.zh, d.en]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"
