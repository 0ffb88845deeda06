"""Reports (SPEC F8): sales, customer, service and monthly management reports as HTML, PDF and Excel.

A door: builds a :class:`~crm_xl.reports.model.Report` from the Register and the core's results,
then renders it (``html``, ``pdf``, ``xlsx``) and writes files.
"""
