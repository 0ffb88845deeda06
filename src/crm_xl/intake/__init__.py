"""Intake: what a team typed, in its own layout, → the register's sheets, columns and values.

One layer used by every reader (the file reader, the Excel door) and by ``crm-xl import``:

- :mod:`~crm_xl.intake.matching` — sheet and header matching (labels, schema synonyms, rapidfuzz);
- :mod:`~crm_xl.intake.values` — country names, money with a currency, short and Chinese dates;
- :mod:`~crm_xl.intake.report` — what was mapped, guessed or left unmapped, as findings and the
  per-sheet data coverage every door prints;
- :mod:`~crm_xl.intake.mapfile` — the user's map file (``--map`` / ``--save-map``);
- :mod:`~crm_xl.intake.importer` — a team's own workbook → a register.

Pure core: no file I/O, no xlwings/openpyxl.
"""
