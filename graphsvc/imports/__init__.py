"""Bulk import: a JSON bundle, a Salesforce Opportunity Contact Role CSV export, or a CRM
export (Salesforce data export or HubSpot export, see :mod:`graphsvc.imports.sync`)."""

from graphsvc.imports.salesforce import parse_contact_roles_csv
from graphsvc.imports.service import ImportSummary, import_bundle, import_csv, import_json

__all__ = ["ImportSummary", "import_bundle", "import_csv", "import_json", "parse_contact_roles_csv"]
