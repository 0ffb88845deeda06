"""A register's review as of a date: the one path every door takes (CLI, Excel, reports, demo).

``review(register, as_of)`` validates the register, analyses every record with the values the
findings made unusable treated as missing (grades, forecast, KPI with data accuracy from the
findings, order-to-cash, each measure with its coverage), builds the follow-up plan
from the grades (revisit cycle by scale) and the overdue receivables, adds the operations
sheets' follow-ups (vehicles, projects, intelligence, training), and tracks service tickets.
Pure core: no files, no Excel.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from crm_xl.analysis import Analysis, analyze
from crm_xl.register import Register
from crm_xl.service import ServiceReport, build_service
from crm_xl.validation import ValidationResult, validate, validate_values


@dataclass
class Review:
    register: Register
    as_of: dt.date
    lang: str
    validation: ValidationResult
    analysis: Analysis
    plan: pd.DataFrame | None  # the follow-up plan (crm_xl.followups columns); None when not asked for
    service: ServiceReport | None  # None when only the plan was asked for


def overdue_receivables(analysis: Analysis) -> pd.DataFrame:
    """Orders with money overdue, in the shape the follow-up plan takes."""
    o = analysis.orders
    late = o[(o["days_overdue"] > 0) & (o["outstanding_base"] > 0)]
    return pd.DataFrame({"order_id": late["order_id"], "customer_id": late["customer_id"], "owner": late["owner"],
                         "days_overdue": late["days_overdue"], "amount_base": late["outstanding_base"]})


def followup_plan(register: Register, as_of: dt.date, lang: str, analysis: Analysis) -> pd.DataFrame:
    """Every follow-up item, sorted by owner, due date and priority."""
    from crm_xl import agenda
    from crm_xl.followups import build_followups, with_risk_actions
    from crm_xl.intelligence import intelligence_followups
    from crm_xl.projects import project_followups
    from crm_xl.training import training_followups
    from crm_xl.vehicles import vehicle_followups

    grades = analysis.grades.dropna(subset=["customer_id"]).drop_duplicates("customer_id")
    scale = grades.set_index("customer_id")["scale"]
    plan = build_followups(register, as_of, lang, scale=scale, overdue=overdue_receivables(analysis))
    plan = with_risk_actions(plan, analysis.grades, lang)
    horizon = register.settings.followup_horizon_days
    extras = [vehicle_followups(register, as_of, lang, horizon_days=horizon) if not register["vehicles"].empty else None,
              project_followups(register, as_of, lang, horizon_days=horizon) if not register["projects"].empty else None,
              intelligence_followups(register, as_of, lang, horizon_days=horizon)
              if not register["intelligence"].empty else None,
              training_followups(register, as_of, lang, horizon_days=horizon)
              if register["staff"]["hire_date"].notna().any() else None]
    extras = [e for e in extras if e is not None and len(e)]
    if not extras:
        return plan
    more = agenda.as_followup_plan(agenda.combine(extras), register["customers"])
    merged = pd.concat([plan, more[[c for c in plan.columns if c in more.columns]]], ignore_index=True)
    return merged.sort_values(["owner", "due", "priority"], kind="stable", na_position="last").reset_index(drop=True)


def review(register: Register, as_of: dt.date, period: str | None = None, lang: str | None = None,
           plan_only: bool = False, lazy_json: bool = False, with_plan: bool = True) -> Review:
    """Validate, analyse, plan follow-ups and track service for ``register`` as of ``as_of``.

    ``plan_only`` (the ``followups`` command) stops after the follow-up plan: no service report and
    no JSON of the plan, which that command does not write (``service`` is then None), its
    analysis has only what the plan needs (grades and order-to-cash, ``analyze(scope="plan")``) and
    its validation only the rules that decide the unusable values (``validate_values``: the same
    ``unusable``, not every finding).

    ``lazy_json`` (``crm-xl analyze --format json``) leaves the analysis' ``followups`` and
    ``service`` empty and puts the functions that make them in ``analysis.deferred``: its JSON
    members then make them when they are written (``Analysis.json_members``), not held beside the
    rest while it is written. ``to_json`` gives the same dict either way.

    ``with_plan=False`` (reports, which show neither) makes no follow-up plan (``plan`` is None) and
    no JSON of the plan or of the service report."""
    from crm_xl.followups import followups_json

    lang = lang or register.lang
    # the plan takes from the validation only the unusable values: the rules that decide them
    result = validate_values(register, as_of) if plan_only else validate(register, as_of)
    # the plan needs only the grades and order-to-cash: no pipeline, trend (statsmodels), KPI or coverage
    analysis = analyze(register, as_of, period=period, unusable=result.unusable,
                       error_rows=None if plan_only else result.error_rows(), scope="plan" if plan_only else "all")
    analysis.lang = lang
    if not with_plan:
        return Review(register, as_of, lang, result, analysis, None, build_service(register, as_of, lang))
    plan = followup_plan(register, as_of, lang, analysis)
    if plan_only:
        return Review(register, as_of, lang, result, analysis, plan, None)
    service = build_service(register, as_of, lang)
    if lazy_json:
        analysis.deferred.update(followups=lambda: followups_json(plan), service=service.to_json)
    else:
        analysis.followups = followups_json(plan)
        analysis.service = service.to_json()
    return Review(register, as_of, lang, result, analysis, plan, service)
