"""The one error a port raises for input it cannot use; the CLI turns it into exit 2.

Defined in :mod:`crm_xl.ports.safety` (with its reason codes and messages in three languages);
re-exported here so callers need not know where the input checks live.
"""

from crm_xl.ports.safety import REASON_CODES, UnreadableWorkbook, reason_message

__all__ = ["REASON_CODES", "UnreadableWorkbook", "reason_message"]
