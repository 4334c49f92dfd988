"""What makes the OpenAPI document generate good clients: stable, readable operation ids
(``upsertDeal``, ``getDealAnalysis``), described tags and operations.

Operation ids come from the view's name: ``put_x`` becomes ``upsertX``, other names are
camel-cased, and the names below that would read badly are spelled out. They are part
of the API: a generated client's method names, so they never change silently (a test
pins them).
"""

from __future__ import annotations

from typing import Any

from fastapi.routing import APIRoute

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
