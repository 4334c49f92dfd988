"""HubSpot's names: the header spellings of each field we read (property labels and
internal names) and its Buying Role values, as tables (see hubspot.py for sources)."""

from __future__ import annotations

from graphsvc.domain.models import Role
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
# Of several buying roles, the one that weighs most in a decision counts.
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
