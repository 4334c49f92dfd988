"""What makes the OpenAPI document generate good clients: stable, readable operation ids
(``upsertDeal``, ``getDealAnalysis``), described tags and operations.

Operation ids come from the view's name: ``put_x`` becomes ``upsertX``, other names are
camel-cased, and the names below that would read badly are spelled out. They are part
of the API: a generated client's method names, so they never change silently (a test
pins them).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.routing import BaseRoute

from graphsvc.api.errors import error_entry

_SPELLED_OUT = {
    "post_interaction": "recordInteraction",
    "post_import": "importRecords",
    "deal_analysis": "getDealAnalysis",
    "support_history": "getSupportHistory",
    "forecast": "getForecast",
    "next_best_contacts": "getNextBestContacts",
    "paths_to_decision_maker": "getPathsToDecisionMaker",
    "stakeholder_deals": "listStakeholderDeals",
    "put_member": "upsertCommitteeMember",
    "end_member": "endCommitteeMember",
    "deal_map": "getDealMap",
    "public_deal_map": "getPublicDealMap",
    "create_deal_map_link": "createDealMapLink",
    "healthz": "getHealth",
    "readyz": "getReadiness",
    "batch_accounts": "batchUpsertAccounts",
    "batch_deals": "batchUpsertDeals",
    "batch_stakeholders": "batchUpsertStakeholders",
    "batch_interactions": "batchUpsertInteractions",
}

TAGS: list[dict[str, str]] = [
    {"name": "accounts", "description": "Customer companies: deals and people belong to one."},
    {
        "name": "deals",
        "description": "Opportunities on an account, each with its buying committee.",
    },
    {
        "name": "stakeholders",
        "description": "People at the customer, by the CRM's contact "
        "id; erasure and subject-access export.",
    },
    {
        "name": "committee",
        "description": "Who sits on a deal's buying committee, in what "
        "role and stance, dated (history is kept).",
    },
    {"name": "lines", "description": "Who influences and who reports to whom, dated."},
    {
        "name": "interactions",
        "description": "Contacts between our team and stakeholders "
        "(calls, meetings, e-mails), by the CRM's "
        "activity id.",
    },
    {"name": "import", "description": "Bulk import of a CRM export or a JSON bundle."},
    {
        "name": "analysis",
        "description": "Who matters most on a deal, its support base and "
        "how to reach the decision-maker.",
    },
    {"name": "risks", "description": "Deals in danger across the workspace."},
    {"name": "deal map", "description": "The interactive deal map and links to share it."},
    {"name": "keys", "description": "The workspace's API keys (admin)."},
    {
        "name": "changes",
        "description": "The changes feed: what changed since a cursor, so a CRM pulls deltas.",
    },
    {
        "name": "webhooks",
        "description": "Signed events about deals and imports, POSTed to subscribed URLs.",
    },
    {"name": "operations", "description": "Health and readiness probes."},
]


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def operation_id(route: APIRoute) -> str:
    """The operation id (and generated client method name) of a route."""
    name = route.name
    if name in _SPELLED_OUT:
        return _SPELLED_OUT[name]
    if name.startswith("put_"):
        return _camel("upsert_" + name.removeprefix("put_"))
    return _camel(name)


def polish(schema: dict[str, Any]) -> None:
    """Give every operation a description (its summary when the view has no docstring)
    and every tag in use its description."""
    used: set[str] = set()
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            used.update(operation.get("tags", []))
            if not operation.get("description"):
                operation["description"] = operation.get("summary", "") + "."
    # Relative: the document describes whichever server it is fetched from.
    schema.setdefault(
        "servers", [{"url": "/", "description": "The server this document is served by"}]
    )
    schema.setdefault("info", {}).setdefault("contact", {"name": "graphsvc maintainers"})
    known = {tag["name"] for tag in TAGS}
    schema["tags"] = [tag for tag in TAGS if tag["name"] in used] + [
        {"name": name, "description": name.capitalize() + "."} for name in sorted(used - known)
    ]


# ------------------------------------------------------------------ documented errors
#
# A route documents exactly the error statuses it can answer, derived from what it is
# made of rather than written per router: each dependency says what it may raise
# (:func:`raises`), a body brings 400/413/422 (and 415 where only JSON is accepted),
# parameters 422, a record named in the path 404, a POST under /v1 the Idempotency-Key
# answers (400/409). What only a view's own rules can raise (409 on deleting a record
# still referred to, 404 for a record named in the body) the view declares itself.

_ERRORS_ATTRIBUTE = "__api_errors__"
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


def raises(call: Callable[..., Any], *codes: int) -> Callable[..., Any]:
    """Record that the dependency ``call`` may answer ``codes`` (see :func:`route_errors`)."""
    setattr(call, _ERRORS_ATTRIBUTE, frozenset(codes))
    return call


def _dependency_calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from _dependency_calls(sub)


def _reads_body(route: Any) -> bool:
    # The import route reads its body itself (JSON, CSV or zip) and says so in its
    # ``openapi_extra``; every other body is a FastAPI body parameter.
    return bool(route.dependant.body_params) or "requestBody" in (route.openapi_extra or {})


def route_errors(route: Any) -> frozenset[int]:
    """The error statuses ``route`` (an :class:`APIRoute`, or the route context of one
    included with a router's prefix and dependencies) can answer (4xx/5xx), derived
    from its dependencies, its parameters and body, and the errors its view declares."""
    codes: set[int] = set()
    for call in _dependency_calls(route.dependant):
        codes |= getattr(call, _ERRORS_ATTRIBUTE, frozenset())
    methods = route.methods or set()
    body = _reads_body(route) and bool(methods & _BODY_METHODS)
    if not body:
        codes.discard(415)  # the JSON-only check looks at bodies alone
    else:
        codes |= {400, 413, 422}
    dependant = route.dependant
    if dependant.query_params or dependant.header_params or dependant.path_params:
        codes.add(422)
    if dependant.path_params:
        codes.add(404)  # the record (or workspace-scoped id) in the path may not exist
    if "POST" in methods and route.path_format.startswith("/v1/"):
        codes |= {400, 409}  # Idempotency-Key: malformed, reused, or still running
    codes |= {int(code) for code in route.responses if str(code).isdigit() and int(code) >= 400}
    return frozenset(codes)


def api_routes(routes: Sequence[BaseRoute]) -> Iterator[Any]:
    """Every API route of an app, as served (with its router's prefix, dependencies and
    responses)."""
    for context in iter_route_contexts(routes):
        if isinstance(context.original_route, APIRoute):
            yield context


def document_errors(routes: Sequence[BaseRoute], schema: dict[str, Any]) -> None:
    """Make every operation document exactly :func:`route_errors` of its route: shared
    codes a route cannot answer go, codes it can answer are added in the one error
    shape."""
    paths = schema.get("paths", {})
    for route in api_routes(routes):
        if not route.include_in_schema:
            continue
        wanted = route_errors(route)
        for method in route.methods or ():
            operation = paths.get(route.path_format, {}).get(method.lower())
            if operation is None:
                continue
            responses = operation.setdefault("responses", {})
            for code in [c for c in responses if c.isdigit() and int(c) >= 400]:
                if int(code) not in wanted:
                    del responses[code]
            for code in sorted(wanted):
                # FastAPI's own 422 entry describes its default body, not the one shape.
                current = responses.get(str(code))
                if current is None or "HTTPValidationError" in json.dumps(current):
                    responses[str(code)] = error_entry(code)
    # FastAPI's default validation-error models are then referred to by nothing.
    components = schema.get("components", {}).get("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        rest = {k: v for k, v in components.items() if k != name}
        if name in components and f'/{name}"' not in json.dumps([paths, rest]):
            del components[name]
