"""HubSpot's names: the header spellings of each field we read (property labels and
internal names) and its Buying Role values, as tables (see hubspot.py for sources)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from graphsvc.domain.models import Role
from graphsvc.errors import ValidationFailed
from graphsvc.imports.cells import normalize_header

# Our field -> the header spellings HubSpot uses (label, internal name), normalised.
COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("recordid", "hsobjectid"),
    "company_name": ("companyname", "name"),
    "first_name": ("firstname",),
    "last_name": ("lastname",),
    "email": ("email",),
    "title": ("jobtitle",),
    "buying_role": ("buyingrole", "hsbuyingrole"),
    "company_ids": ("associatedcompanyids", "associatedcompanyidsprimary", "associatedcompanyid"),
    "contact_ids": ("associatedcontactids", "associatedcontactid"),
    "deal_ids": ("associateddealids", "associateddealid"),
    "deal_name": ("dealname",),
    "stage": ("dealstage",),
    "amount": ("amount",),
    "close_date": ("closedate",),
    "owner": ("dealowner", "hubspotownerid", "activityassignedto", "contactowner"),
    "currency": ("currency", "dealcurrencycode"),
    "timestamp": ("activitydate", "hstimestamp"),
    "start": ("starttime", "hsmeetingstarttime"),
    "call_status": ("callstatus", "hscallstatus"),
    "outcome": ("meetingoutcome", "hsmeetingoutcome"),
    "subject": (
        "calltitle",
        "hscalltitle",
        "meetingname",
        "hsmeetingtitle",
        "emailsubject",
        "hsemailsubject",
    ),
    "owner_key": ("ownerid", "userid", "id", "hubspotownerid"),
}
ROLES: dict[str, Role] = {
    "decisionmaker": Role.decision_maker,
    "budgetholder": Role.economic_buyer,
    "champion": Role.champion,
    "enduser": Role.business_user,
    "executivesponsor": Role.executive_sponsor,
    "influencer": Role.influencer,
    "legalandcompliance": Role.evaluator,
    "legalcompliance": Role.evaluator,
    "blocker": Role.other,
    "other": Role.other,
} | {normalize_header(r.value): r for r in Role}
# Of several buying roles (or association labels on one deal), the one that weighs most
# in a decision counts: this order is the documented precedence.
ROLE_ORDER = [
    Role.economic_decision_maker,
    Role.decision_maker,
    Role.economic_buyer,
    Role.executive_sponsor,
    Role.champion,
    Role.technical_buyer,
    Role.evaluator,
    Role.influencer,
    Role.business_user,
    Role.gatekeeper,
    Role.other,
]

# Deal–contact association label -> role (normalised labels): HubSpot's example labels
# and the buying-committee labels teams commonly create; the operator's table
# (GRAPHSVC_HUBSPOT_ASSOCIATION_ROLES) is laid over it. A label found in neither is Other.
ASSOCIATION_ROLES: dict[str, Role] = ROLES | {
    "economicbuyer": Role.economic_buyer,
    "budgetowner": Role.economic_buyer,
    "technicalbuyer": Role.technical_buyer,
    "technicaldecisionmaker": Role.technical_buyer,
    "technicalevaluator": Role.evaluator,
    "evaluator": Role.evaluator,
    "businessuser": Role.business_user,
    "user": Role.business_user,
    "coach": Role.champion,
    "sponsor": Role.executive_sponsor,
    "gatekeeper": Role.gatekeeper,
}


def association_role_table(overrides: Mapping[str, str] | None) -> dict[str, Role]:
    """The label -> role table: the defaults with ``overrides`` (label -> one of our role
    names, e.g. ``{"Billing contact": "Other"}``) laid over them, labels normalised.
    Raises ValidationFailed naming the setting for a role we do not have."""
    table = dict(ASSOCIATION_ROLES)
    by_name = {normalize_header(role.value): role for role in Role}
    for label, name in (overrides or {}).items():
        role = by_name.get(normalize_header(name))
        if role is None:
            message = (
                f"GRAPHSVC_HUBSPOT_ASSOCIATION_ROLES maps {label!r} to {name!r}, which is not "
                f"a role (one of: {', '.join(r.value for r in Role)})"
            )
            raise ValidationFailed(message, detail=[{"loc": ["settings"], "msg": message}])
        table[normalize_header(label)] = role
    return table


def strongest_role(roles: Iterable[Role]) -> Role:
    """The first of ``roles`` in :data:`ROLE_ORDER` (Other when there is none)."""
    return min(roles, key=ROLE_ORDER.index, default=Role.other)
