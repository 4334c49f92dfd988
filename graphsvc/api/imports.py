"""``POST /v1/import``: a JSON bundle, a Salesforce Opportunity Contact Role CSV, or a CRM
export zip (a Salesforce data export or a HubSpot export; application/zip, or the
``file`` of a multipart upload).

The body is read and counted before parsing: over ``max_body_bytes`` is 413 (the
middleware), over ``max_batch_items`` items (or CSV rows) is 422, and any invalid item
or row is 422 listing all of them; in each case nothing is written.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException

from graphsvc.api.deps import AppSettings, Store, WriteKey
from graphsvc.api.schemas import ImportResult, KindCounts, render
from graphsvc.errors import ValidationFailed
from graphsvc.imports.exports import ExportFiles
from graphsvc.imports.service import (
    ZIP_MAGIC,
    bundle_from_csv,
    bundle_from_json,
    import_bundle,
    import_export_files,
)
from graphsvc.imports.sync import ExportImportReport
from graphsvc.store.repository import GraphStore

router = APIRouter(tags=["import"])


class ExportKindCounts(KindCounts):
    ended: int = 0
    warnings: int = 0
    errors: int = 0


class ExportProblem(BaseModel):
    file: str
    row: int | None = None
    column: str | None = None
    msg: str


class ExportImportResult(ImportResult):
    """The answer to an import; the fields after ``by_kind`` come with CRM exports only."""

    by_kind: dict[str, ExportKindCounts]  # type: ignore[assignment]
    format: str | None = None
    exported_at: datetime | None = None
    exported_at_from: str | None = None
    warnings: list[ExportProblem] = Field(default_factory=list)
    ignored: dict[str, int] = Field(default_factory=dict)


_OPENAPI_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "A JSON bundle, a CSV export (text/csv), a Salesforce data export "
        "or HubSpot export zip (application/zip), or any of them as the "
        "`file` field of a multipart upload. A zip is known by its bytes whatever its "
        "Content-Type. The CSV and zip bodies are files (binary strings): client "
        "generators that do not know these media types can treat them as "
        "application/octet-stream (openapi-python-client: `content_type_overrides`, "
        "see tools/openapi-client/config.yaml).",
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/Bundle"}},
            "application/zip": {"schema": {"type": "string", "format": "binary"}},
            "text/csv": {"schema": {"type": "string", "format": "binary"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                }
            },
        },
    }
}


def _bad(message: str, loc: list[Any] | None = None) -> ValidationFailed:
    return ValidationFailed(message, detail=[{"loc": loc or ["body"], "msg": message}])


def _text(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _bad("the file is neither UTF-8 nor Windows-1252 text")


async def _payload(request: Request) -> tuple[str, bytes]:
    """``(kind, raw)`` with kind ``json``, ``csv`` or ``zip``."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "multipart/form-data":
        try:
            form = await request.form()
        except MultiPartException as exc:
            raise _bad(f"the multipart body cannot be read: {exc.message}") from None
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise _bad("a multipart upload needs a `file` field", ["body", "file"])
        raw = await upload.read()
        name = (upload.filename or "").lower()
        if raw.startswith(ZIP_MAGIC) or name.endswith(".zip"):
            return "zip", raw
        kind = (
            "json"
            if name.endswith(".json") or (upload.content_type or "").endswith("json")
            else "csv"
        )
        return kind, raw
    raw = await request.body()
    if raw.startswith(ZIP_MAGIC) or content_type in (
        "application/zip",
        "application/x-zip-compressed",
    ):
        return "zip", raw
    if content_type in ("application/json", ""):
        return "json", raw
    if content_type in ("text/csv", "text/plain", "application/csv", "application/vnd.ms-excel"):
        return "csv", raw
    raise _bad(
        f"unsupported content type {content_type!r}; send application/json, "
        "text/csv, application/zip or multipart/form-data",
        ["header", "content-type"],
    )


def _import_zip(*, store: GraphStore, workspace: str, raw: bytes, actor: str) -> ExportImportReport:
    files = ExportFiles.from_zip(raw, origin="the uploaded zip")
    return import_export_files(store=store, workspace=workspace, files=files, actor=actor)


@router.post(
    "/v1/import",
    response_model=ExportImportResult,
    openapi_extra=_OPENAPI_BODY,
    summary="Import a JSON bundle, a Salesforce contact-role CSV, or a Salesforce "
    "or HubSpot export zip, all or nothing",
)
async def post_import(
    request: Request, principal: WriteKey, store: Store, settings: AppSettings
) -> Response:
    kind, raw = await _payload(request)
    max_items = settings.max_batch_items
    if kind == "zip":
        # An export is read whole before anything is written; its size is bounded by
        # max_body_bytes (the middleware), not by max_batch_items, since one export holds
        # every record of the CRM.
        report = await run_in_threadpool(
            _import_zip, store=store, workspace=principal.workspace, raw=raw, actor=principal.actor
        )
        return render(report.as_dict())
    if kind == "json":
        try:
            data = json.loads(raw) if raw else None
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise _bad(f"the body is not valid JSON: {exc}") from None
        bundle = await run_in_threadpool(bundle_from_json, data, max_items=max_items)
    else:
        text = _text(raw)
        bundle = await run_in_threadpool(
            bundle_from_csv,
            store=store,
            workspace=principal.workspace,
            text=text,
            max_items=max_items,
        )
    summary = await run_in_threadpool(
        import_bundle,
        store=store,
        workspace=principal.workspace,
        bundle=bundle,
        actor=principal.actor,
    )
    return render(summary.as_dict())
