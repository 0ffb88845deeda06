"""Worksheet functions (UDFs) for Excel: thin xlwings wrappers over :mod:`crm_xl.formulas`.

Each ``CRM_*`` function reads the calling workbook's Settings sheets (through the Excel port;
cached per workbook path and file modification time), converts its arguments and calls the pure
core function. Enumerated results (scale, ABC) come back as labels in the workbook's language;
an argument that cannot be used shows its message in the cell.

`UDFS` is the registry the VBA wrapper module (``CrmUdfs`` in the workbook) is generated from, so
the functions work in a standalone workbook without "Import Functions". The first paragraph of
each docstring is the description Excel's function wizard shows (VBA text is Windows-1252, so
those descriptions are English; arguments are described in `ARG_HELP`). Argument names become
VBA parameter names, so none may be a VBA keyword (``Date``, ``Type``, ``End``, ``Currency`` …).

On Linux ``xlwings.func`` is a no-op decorator: the functions are ordinary Python functions here.
"""

from __future__ import annotations

import os
import threading
from typing import Any

import xlwings as xw

from crm_xl import formulas
from crm_xl.excel.vba import UdfSpec
from crm_xl.schema import ENUMS
from crm_xl.settings import Settings

_CACHE: dict[tuple[str, float], Settings] = {}
_LOCK = threading.Lock()


def workbook_settings(caller: Any = None) -> Settings:
    """Settings of the workbook that holds the calling cell (defaults without a caller).

    Read once per workbook file and modification time (a saved change to the Settings sheets
    takes effect at once; an unsaved workbook is read on every call).
    """
    if caller is None:
        return Settings()
    from crm_xl.excel.port import XlwingsPort, read_settings

    book = caller.sheet.book
    try:
        path = book.fullname
        key: tuple[str, float] | None = (path, os.path.getmtime(path))
    except Exception:  # noqa: BLE001 - unsaved, or a OneDrive/SharePoint URL xlwings cannot map: no cache
        path, key = None, None
    if key is not None:
        with _LOCK:
            if key in _CACHE:
                return _CACHE[key]
    settings = read_settings(XlwingsPort(book))
    if key is not None:
        with _LOCK:
            for old in [k for k in _CACHE if k[0] == path]:
                del _CACHE[old]
            _CACHE[key] = settings
    return settings


def _run(fn, caller: Any, *args: Any) -> Any:
    settings = workbook_settings(caller)
    try:
        return fn(*args, settings)
    except formulas.FormulaError as exc:
        return "#" + exc.text(settings.language)


def _label(enum: str, code: str | None, settings: Settings) -> str | None:
    return None if code is None else ENUMS[enum].label(code, settings.language)


@xw.func
def CRM_STAGE_PROB(stage: Any, caller: Any = None) -> Any:
    """Default win probability of a sales stage, from the Settings stage table.

    Example: =CRM_STAGE_PROB("商务谈判") gives 0.7 with the default Settings.
    """
    return _run(formulas.stage_probability, caller, stage)


@xw.func
def CRM_WEIGHTED(amount: Any, stage: Any, caller: Any = None) -> Any:
    """Weighted amount: amount x the stage's default win probability (same currency)."""
    return _run(formulas.weighted_amount, caller, amount, stage)


@xw.func
def CRM_SCALE(amount: Any, caller: Any = None) -> Any:
    """Customer scale (large/medium/small) from yearly purchases in the base currency."""
    return _run(lambda a, s: _label("scale", formulas.scale_class(a, s), s), caller, amount)


@xw.func
@xw.arg("amounts_range", ndim=1)
def CRM_ABC(amounts_range: Any, amount: Any, caller: Any = None) -> Any:
    """ABC class of an amount within all customers' amounts (cumulative share rule)."""
    return _run(lambda r, a, s: _label("abc", formulas.abc_class(r, a, s), s), caller, amounts_range, amount)


@xw.func
def CRM_NEXT_REVISIT(last_date: Any, scale: Any, caller: Any = None) -> Any:
    """Next revisit date: last contact + the scale's revisit cycle, on a working day."""
    return _run(formulas.next_revisit_date, caller, last_date, scale)


@xw.func
def CRM_WORKDAYS(start_date: Any, end_date: Any, caller: Any = None) -> Any:
    """Working days after start up to end on the company calendar (China + Settings holidays)."""
    return _run(formulas.workdays_between, caller, start_date, end_date)


@xw.func
def CRM_FX(amount: Any, currency_code: Any, on_date: Any = None, caller: Any = None) -> Any:
    """Amount converted into the base currency with the Settings FX table (rate valid on date)."""
    return _run(lambda a, c, d, s: formulas.convert_currency(a, c, s, d), caller, amount, currency_code, on_date)


@xw.func
def CRM_SLA_DUE(received_at: Any, ticket_type: Any, urgency: Any = None, caller: Any = None) -> Any:
    """Deadline of a ticket: complaint resolution by urgency, or inquiry answer in working hours."""
    return _run(formulas.sla_due, caller, received_at, ticket_type, urgency)


ARG_HELP: dict[str, dict[str, str]] = {
    "CRM_STAGE_PROB": {"stage": "Sales stage (code or label in any language)"},
    "CRM_WEIGHTED": {"amount": "Opportunity amount", "stage": "Sales stage"},
    "CRM_SCALE": {"amount": "Yearly purchases in the base currency"},
    "CRM_ABC": {"amounts_range": "All customers' sales (a column)", "amount": "This customer's sales"},
    "CRM_NEXT_REVISIT": {"last_date": "Date of the last contact", "scale": "Customer scale"},
    "CRM_WORKDAYS": {"start_date": "Start date", "end_date": "End date"},
    "CRM_FX": {"amount": "Amount", "currency_code": "ISO currency code", "on_date": "Date of the rate (optional)"},
    "CRM_SLA_DUE": {"received_at": "Date and time received", "ticket_type": "Ticket type",
                    "urgency": "Urgency (complaints; blank = medium)"},
}

FUNCTIONS = (CRM_STAGE_PROB, CRM_WEIGHTED, CRM_SCALE, CRM_ABC, CRM_NEXT_REVISIT, CRM_WORKDAYS, CRM_FX, CRM_SLA_DUE)

UDFS: list[UdfSpec] = [
    UdfSpec.from_function(fn, python_module=__name__, arg_descriptions=ARG_HELP[fn.__name__]) for fn in FUNCTIONS
]
"""The registry the generated VBA module ``CrmUdfs`` is built from."""
