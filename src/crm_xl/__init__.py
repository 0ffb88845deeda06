"""crm-xl: a customer-relationship register for foreign-trade sales teams that lives in Excel."""

__version__ = "0.1.0"
