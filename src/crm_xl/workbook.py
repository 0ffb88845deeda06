"""Building register workbooks: the template (``crm-xl new``/``build``) and the demo workbook."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from crm_xl.register import Register
from crm_xl.settings import Settings


def demo_register(*, lang: str = "zh-CN", profile: str = "trade", seed: int = 20261123,
                  as_of: dt.date | None = None, n_customers: int = 200, with_mistakes: bool = True):
    """The demo company's register (in memory) and the generator's record of planted mistakes."""
    from crm_xl.demo import generate_demo

    data = generate_demo(seed=seed, as_of=as_of or dt.date.today(), n_customers=n_customers,
                         profile=profile, with_mistakes=with_mistakes)
    base = Settings(profile=profile, language=lang)
    register = Register.from_records(data.frames, settings=base, lang=lang)
    if profile == "trade":
        from crm_xl.demo.desk import enrich

        enrich(register)
    return register, data


def build_workbook(path: str | Path, *, lang: str = "zh-CN", demo: bool = False, profile: str = "trade",
                   seed: int = 20261123, as_of: dt.date | None = None, macros: bool = False,
                   n_customers: int = 200, protect: str | None = None,
                   register: Register | None = None) -> dict[str, int]:
    """Write a register workbook (empty template or demo data); returns record counts per sheet.

    With `macros` the workbook is an .xlsm with the Control sheet's buttons and the VBA project.
    ``register`` writes records already in memory (e.g. the demo company generated once for both
    the .xlsx and the .xlsm) instead of generating them.
    """
    from crm_xl.ports.template import write_register

    settings = Settings(profile=profile, language=lang)
    if register is None and demo:
        register, _ = demo_register(lang=lang, profile=profile, seed=seed, as_of=as_of, n_customers=n_customers)
    if register is not None:
        settings = register.settings
    if macros:
        from crm_xl.excel.xlsm import write_macro_register

        write_macro_register(path, register, lang=lang, settings=settings, protect=protect)
    else:
        write_register(path, register, lang=lang, settings=settings, protect=protect)
    return {k: len(v) for k, v in register.frames.items()} if register else {}


TEMPLATE_CREATED = dt.datetime(2026, 1, 1)  # fixed, so a rebuilt template is byte-identical


def build_templates(directory: Path) -> dict[str, Path]:
    """Build the committed templates into ``directory``; returns file name → path.

    ``crm.xlsx`` is the macro-free register, ``crm.xlsm`` the same with the Control sheet and the
    VBA project; both are byte-reproducible (fixed creation date, deterministic VBA build).
    """
    from crm_xl.ports.template import write_register
    from crm_xl.excel.xlsm import write_macro_register

    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "crm.xlsx"
    write_register(path, None, lang="zh-CN", settings=Settings(), created=TEMPLATE_CREATED)
    macro_path = directory / "crm.xlsm"
    write_macro_register(macro_path, None, lang="zh-CN", settings=Settings(), created=TEMPLATE_CREATED)
    return {"crm.xlsx": path, "crm.xlsm": macro_path}
