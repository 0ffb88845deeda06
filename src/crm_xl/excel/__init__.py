"""The Excel door: everything that runs inside (or builds) the macro-enabled workbook, in one package.

- :mod:`crm_xl.excel.entry`: the entry points the Control sheet's buttons run through xlwings'
  ``RunPython "import crm_xl.excel as x; x.validate()"`` (re-exported here, so that call works),
  and ``main()`` for the xlwings add-in's "Run main";
- :mod:`crm_xl.excel.udfs`: the ``CRM_*`` worksheet functions (xlwings UDFs) and their registry;
- :mod:`crm_xl.excel.port`: the ``ExcelPort`` protocol, the real ``XlwingsPort`` and ``RecordingPort``;
- :mod:`crm_xl.excel.vba`: the VBA project builder (modules, UDF wrappers, buttons, attaching);
- :mod:`crm_xl.excel.xlsm`: the .xlsm writer (the Control sheet and the workbook's VBA project).
"""

from crm_xl.excel.entry import (ISSUES_SHEET, MARKS_SHEET, Outcome, complaint_form, followups, main, refresh,
                                trade_document, validate)

__all__ = ["ISSUES_SHEET", "MARKS_SHEET", "Outcome", "complaint_form", "followups", "main", "refresh", "trade_document",
           "validate"]
