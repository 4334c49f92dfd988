"""Import a bundle (JSON), a Salesforce contact-role CSV, or a CRM export (a Salesforce
data export or a HubSpot export, see :mod:`graphsvc.imports.sync`) into one workspace.

All-or-nothing: everything is parsed and validated (fields, then references to the
file itself and to what is stored) before the first write; the store's upserts are
idempotent, so importing the same file again changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from pydantic import ValidationError

from graphsvc.config import Settings
from graphsvc.domain.models import Bundle, to_ms, utcnow
from graphsvc.errors import GraphsvcError, ValidationFailed
from graphsvc.imports import hubspot, salesforce_export
from graphsvc.imports.exports import CrmExport, ExportFiles, gc_paused
from graphsvc.imports.repository import ImportStateRepository
from graphsvc.imports.salesforce import parse_contact_roles_csv
from graphsvc.imports.sync import ExportImportReport, import_export
from graphsvc.store.core import check_workspace
from graphsvc.store.repository import GraphStore, ImportCounts, UpsertCounts
from graphsvc.store.webhook_outbox import begin_import, end_import


@dataclass
class ImportSummary:
    by_kind: dict[str, UpsertCounts] = field(default_factory=dict)
    items: int = 0

    @property
    def created(self) -> int:
        return sum(c.created for c in self.by_kind.values())

    @property
    def updated(self) -> int:
        return sum(c.updated for c in self.by_kind.values())

    @property
    def unchanged(self) -> int:
        return sum(c.unchanged for c in self.by_kind.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "items": self.items,
            "by_kind": {
                kind: {"created": c.created, "updated": c.updated, "unchanged": c.unchanged}
                for kind, c in self.by_kind.items()
            },
        }


def _too_many(count: int, max_items: int) -> ValidationFailed:
    message = f"at most {max_items} items per import; this one has {count}"
    return ValidationFailed(message, detail=[{"loc": ["body"], "msg": message}])


def import_bundle(
    *,
    store: GraphStore,
    workspace: str,
    bundle: Bundle,
    max_items: int | None = None,
    actor: str | None = None,
) -> ImportSummary:
    """Import the bundle; its facts keep ``actor`` (the API key's name, ``import:<file>``)."""
    if max_items is not None and bundle.item_count() > max_items:
        raise _too_many(bundle.item_count(), max_items)
    with _announced(store, workspace, "bundle") as announce:
        counts: ImportCounts = store.import_bundle(workspace=workspace, bundle=bundle, by=actor)
        summary = ImportSummary(by_kind=dict(counts.by_kind), items=bundle.item_count())
        announce({"format": "bundle", **summary.as_dict()})
    return summary


@contextmanager
def _announced(
    store: GraphStore, workspace: str, format: str
) -> Iterator[Callable[[dict[str, Any]], None]]:
    """Around an import's writes: it is recorded first, so its ``import.completed``
    webhook event (with the report handed to the yielded function; warnings counted,
    not listed) is raised even if the process dies before recording it (the delivery
    worker raises it then). Refused before writing (a 4xx error): no event."""
    run = begin_import(store.runner, workspace=workspace, format=format, now_ms=to_ms(utcnow()))
    reports: list[dict[str, Any]] = []
    try:
        yield reports.append
    except GraphsvcError as exc:
        if exc.status_code < 500:
            end_import(store.runner, run, report=None, now_ms=to_ms(utcnow()))
        raise
    report = reports[-1]
    if isinstance(report.get("warnings"), list):
        report = {**report, "warnings": len(report["warnings"])}
    end_import(store.runner, run, report={**report, "status": "completed"}, now_ms=to_ms(utcnow()))


def bundle_from_json(data: Any, *, max_items: int | None = None) -> Bundle:
    """Validate decoded JSON as a bundle; counts items first, so an oversized batch is
    refused before the (costly) validation of every item."""
    if not isinstance(data, dict):
        raise ValidationFailed(
            "a bundle is a JSON object",
            detail=[
                {
                    "loc": ["body"],
                    "msg": "expected a JSON object with lists of accounts, deals, ...",
                }
            ],
        )
    count = sum(len(v) for v in data.values() if isinstance(v, list))
    if max_items is not None and count > max_items:
        raise _too_many(count, max_items)
    try:
        return Bundle.model_validate(data)
    except ValidationError as exc:
        detail = [
            {"loc": list(err["loc"]), "msg": err["msg"]}
            for err in exc.errors(include_url=False)[:500]
        ]
        raise ValidationFailed(
            f"{exc.error_count()} invalid field(s) in the bundle; nothing imported", detail=detail
        ) from None


def import_json(
    *, store: GraphStore, workspace: str, data: Any, max_items: int | None = None
) -> ImportSummary:
    bundle = bundle_from_json(data, max_items=max_items)
    return import_bundle(store=store, workspace=workspace, bundle=bundle)


def bundle_from_csv(
    *, store: GraphStore, workspace: str, text: str, max_items: int | None = None
) -> Bundle:
    """Parse and check a contact-role CSV (at most ``max_items`` data rows); unknown
    managers are reported by row."""
    parsed = parse_contact_roles_csv(text, max_rows=max_items)
    errors: list[dict[str, Any]] = []
    # Managers not in the file must be stored already: one batched lookup for them all.
    stored = store.core.existing(
        "stakeholder", check_workspace(workspace), parsed.manager_rows.keys()
    )
    for manager_id, rows in parsed.manager_rows.items():
        if manager_id not in stored:
            errors.extend(
                {
                    "row": row,
                    "loc": ["row", row, "Reports To (Contact ID)"],
                    "msg": f"unknown contact {manager_id!r}: not in this file nor stored",
                }
                for row in rows
            )
    if errors:
        errors.sort(key=lambda e: e["row"])
        raise ValidationFailed(
            f"{len(errors)} bad row(s) in the CSV; nothing imported", detail=errors
        )
    return parsed.bundle


def import_csv(
    *, store: GraphStore, workspace: str, text: str, max_items: int | None = None
) -> ImportSummary:
    bundle = bundle_from_csv(store=store, workspace=workspace, text=text, max_items=max_items)
    return import_bundle(store=store, workspace=workspace, bundle=bundle)


# --------------------------------------------------------------------- CRM exports


class ImportFormat(StrEnum):
    """What ``graphsvc import`` and ``POST /v1/import`` recognise."""

    report_csv = "csv"  # a Salesforce Opportunity Contact Role report (salesforce.py)
    json = "json"  # a bundle
    salesforce = "salesforce"  # a Salesforce Data Export (zip or folder)
    hubspot = "hubspot"  # a HubSpot CRM export (zip or folder)


ZIP_MAGIC = b"PK\x03\x04"


def sniff(raw: bytes, name: str = "") -> ImportFormat | None:
    """The format of one uploaded body: a zip is an export (read its files to tell
    which), ``{``/``[`` or a .json name is a bundle, anything else a report CSV; None for
    a zip (see :func:`export_format`)."""
    if raw.startswith(ZIP_MAGIC) or name.lower().endswith(".zip"):
        return None
    if name.lower().endswith(".json") or raw.lstrip()[:1] in (b"{", b"["):
        return ImportFormat.json
    return ImportFormat.report_csv


def export_format(files: ExportFiles) -> ImportFormat:
    if salesforce_export.looks_like(files):
        return ImportFormat.salesforce
    if hubspot.looks_like(files):
        return ImportFormat.hubspot
    found = ", ".join(files.names()) or "no CSV files"
    message = (
        f"{files.origin} is neither a Salesforce data export (Opportunity.csv and "
        f"OpportunityContactRole.csv) nor a HubSpot export (deals, contacts and "
        f"companies files); found: {found}"
    )
    raise ValidationFailed(message, detail=[{"loc": [files.origin], "msg": message}])


def read_export(files: ExportFiles, *, settings: Settings | None = None) -> CrmExport:
    """The export's records, checked; raises ValidationFailed naming file, row, column."""
    if export_format(files) is ImportFormat.salesforce:
        return salesforce_export.read_salesforce_export(files)
    if settings is None:
        return hubspot.read_hubspot_export(files)
    return hubspot.read_hubspot_export(
        files,
        manager_property=settings.hubspot_manager_property,
        association_roles=settings.hubspot_association_roles,
    )


def import_export_files(
    *,
    store: GraphStore,
    workspace: str,
    files: ExportFiles,
    step: Callable[[str], None] | None = None,
    actor: str | None = None,
) -> ExportImportReport:
    """Read, check and import a CRM export, all or nothing (its facts keep ``actor``).

    The workspace's stored state is read on a second thread while the export is parsed:
    the database works while Python parses (a re-import's time was a third each reading,
    comparing and parsing)."""
    with gc_paused(), ThreadPoolExecutor(1, thread_name_prefix="import-state") as pool:
        stored = pool.submit(ImportStateRepository(store).read, workspace=workspace)
        if step is not None:
            step("reading")
        export = read_export(files, settings=store.settings)
        with _announced(store, workspace, export_format(files).value) as announce:
            report = import_export(
                store=store,
                workspace=workspace,
                export=export,
                step=step,
                actor=actor,
                stored=stored.result(),
            )
            announce(report.as_dict())
    return report
