"""``POST /v1/import``: a JSON bundle, or a Salesforce Opportunity Contact Role CSV.

The body is read and counted before parsing: over ``max_body_bytes`` is 413 (the
middleware), over ``max_batch_items`` items (or CSV rows) is 422, and any invalid item
or row is 422 listing all of them; in each case nothing is written.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException

from graphsvc.api.deps import AppSettings, Store, WriteKey
from graphsvc.api.errors import error_responses
from graphsvc.api.schemas import ImportResult, render
from graphsvc.errors import ValidationFailed
from graphsvc.imports.service import (
    bundle_from_csv,
    bundle_from_json,
    import_bundle,
)

router = APIRouter(tags=["import"], responses=error_responses(401, 403, 413, 422))

_OPENAPI_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "A JSON bundle, a CSV export (text/csv), or either as the `file` "
                       "field of a multipart upload.",
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/Bundle"}},
            "text/csv": {"schema": {"type": "string"}},
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
    """``(kind, raw)`` with kind ``json`` or ``csv``."""
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
        kind = "json" if name.endswith(".json") or (upload.content_type or "").endswith(
            "json") else "csv"
        return kind, raw
    raw = await request.body()
    if content_type in ("application/json", ""):
        return "json", raw
    if content_type in ("text/csv", "text/plain", "application/csv",
                        "application/vnd.ms-excel"):
        return "csv", raw
    raise _bad(f"unsupported content type {content_type!r}; send application/json, "
               "text/csv or multipart/form-data", ["header", "content-type"])


@router.post("/v1/import", response_model=ImportResult, openapi_extra=_OPENAPI_BODY,
             summary="Import a JSON bundle or a Salesforce contact-role CSV, all or nothing")
async def post_import(request: Request, principal: WriteKey, store: Store,
                      settings: AppSettings) -> Response:
    kind, raw = await _payload(request)
    max_items = settings.max_batch_items
    if kind == "json":
        try:
            data = json.loads(raw) if raw else None
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise _bad(f"the body is not valid JSON: {exc}") from None
        bundle = await run_in_threadpool(bundle_from_json, data, max_items=max_items)
    else:
        text = _text(raw)
        bundle = await run_in_threadpool(bundle_from_csv, store=store,
                                         workspace=principal.workspace, text=text,
                                         max_items=max_items)
    summary = await run_in_threadpool(import_bundle, store=store,
                                      workspace=principal.workspace, bundle=bundle)
    return render(summary.as_dict())
