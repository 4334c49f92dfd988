"""Salesforce data exports built the way Salesforce writes them (Setup > Data Export):
one CSV per object, API field names as the header, every value quoted, 18-character
ids, ``true``/``false`` booleans, dates ``2024-03-05`` and instants
``2024-03-05T14:00:00.000Z`` (object reference: Account, Contact, Opportunity,
OpportunityContactRole, User, Task, Event, EventRelation). Unknown columns that a real
export carries (IsDeleted, CreatedById, SystemModstamp...) are included.
"""

from __future__ import annotations

import csv
import io
import zipfile
from copy import deepcopy
from pathlib import Path
from typing import Any


def sfid(prefix: str, n: int) -> str:
    """An 18-character Salesforce id with the object's key prefix."""
    return f"{prefix}5g00000{n:05d}AAA"[:15] + "AAA"


OWNER, REP = sfid("005", 1), sfid("005", 2)
ACME, GLOBEX = sfid("001", 1), sfid("001", 2)
CEO, CFO, BO, CY = (sfid("003", n) for n in (1, 2, 3, 4))
OPP, WON = sfid("006", 1), sfid("006", 2)
STAMP = "2026-03-01T09:30:00.000Z"  # the newest SystemModstamp of the first export

Files = dict[str, list[dict[str, str]]]


def base_export() -> Files:
    """Acme with one open and one won opportunity: the CEO (top decision-maker) never met;
    a call with Bo, a meeting with Bo and Cy (EventRelation), an e-mail logged on the
    account (not an opportunity), an open task and a future event."""
    common = {"IsDeleted": "false", "CreatedById": OWNER, "SystemModstamp": STAMP}
    return {
        "User.csv": [
            {
                "Id": OWNER,
                "Username": "ada@us.example.sf",
                "Email": "Ada.Owner@us.example",
                "IsActive": "true",
                **common,
            },
            {
                "Id": REP,
                "Username": "rex@us.example.sf",
                "Email": "rex@us.example",
                "IsActive": "true",
                **common,
            },
        ],
        "Account.csv": [
            {"Id": ACME, "Name": "Acme Corp", "Industry": "Manufacturing", **common},
            {"Id": GLOBEX, "Name": "Globex", "Industry": "", **common},
        ],
        "Contact.csv": [
            {
                "Id": CEO,
                "AccountId": ACME,
                "FirstName": "Carla",
                "LastName": "Chief",
                "Title": "CEO",
                "Email": "carla@acme.example",
                "ReportsToId": "",
                **common,
            },
            {
                "Id": CFO,
                "AccountId": ACME,
                "FirstName": "Fred",
                "LastName": "Finance",
                "Title": "CFO",
                "Email": "fred@acme.example",
                "ReportsToId": CEO,
                **common,
            },
            {
                "Id": BO,
                "AccountId": ACME,
                "FirstName": "Bo",
                "LastName": "Ng",
                "Title": "IT lead",
                "Email": "",
                "ReportsToId": CFO,
                **common,
            },
            {
                "Id": CY,
                "AccountId": ACME,
                "FirstName": "",
                "LastName": "Cy Ho",
                "Title": 'Buyer, "senior"',
                "Email": "cy@acme.example",
                "ReportsToId": CFO,
                **common,
            },
        ],
        "Opportunity.csv": [
            {
                "Id": OPP,
                "AccountId": ACME,
                "Name": "Acme platform",
                "StageName": "Proposal",
                "Amount": "250000.00",
                "CloseDate": "2026-06-30",
                "IsClosed": "false",
                "IsWon": "false",
                "OwnerId": OWNER,
                "CurrencyIsoCode": "EUR",
                "Probability": "60",
                **common,
            },
            {
                "Id": WON,
                "AccountId": ACME,
                "Name": "Acme pilot",
                "StageName": "Closed Won",
                "Amount": "",
                "CloseDate": "2025-12-15",
                "IsClosed": "true",
                "IsWon": "true",
                "OwnerId": REP,
                "CurrencyIsoCode": "EUR",
                "Probability": "100",
                **common,
            },
        ],
        "OpportunityContactRole.csv": [
            {
                "Id": sfid("00K", 1),
                "OpportunityId": OPP,
                "ContactId": CEO,
                "Role": "Economic Decision Maker",
                "IsPrimary": "true",
                **common,
            },
            {
                "Id": sfid("00K", 2),
                "OpportunityId": OPP,
                "ContactId": CFO,
                "Role": "Economic Buyer",
                "IsPrimary": "false",
                **common,
            },
            {
                "Id": sfid("00K", 3),
                "OpportunityId": OPP,
                "ContactId": BO,
                "Role": "Technical Buyer",
                "IsPrimary": "false",
                **common,
            },
            {
                "Id": sfid("00K", 4),
                "OpportunityId": OPP,
                "ContactId": CY,
                "Role": "Procurement Lead",
                "IsPrimary": "false",
                **common,
            },
            {
                "Id": sfid("00K", 5),
                "OpportunityId": WON,
                "ContactId": CFO,
                "Role": "Decision Maker",
                "IsPrimary": "true",
                **common,
            },
        ],
        "Task.csv": [
            {
                "Id": sfid("00T", 1),
                "WhoId": BO,
                "WhatId": OPP,
                "OwnerId": REP,
                "ActivityDate": "2026-02-10",
                "CompletedDateTime": "2026-02-10T15:00:00.000Z",
                "Status": "Completed",
                "IsClosed": "true",
                "TaskSubtype": "Call",
                "Subject": "Call: security review",
                "Priority": "Normal",
                **common,
            },
            {
                "Id": sfid("00T", 2),
                "WhoId": CEO,
                "WhatId": ACME,
                "OwnerId": OWNER,
                "ActivityDate": "2026-02-11",
                "CompletedDateTime": "2026-02-11T08:00:00.000Z",
                "Status": "Completed",
                "IsClosed": "true",
                "TaskSubtype": "Email",
                "Subject": "Email: account newsletter",
                "Priority": "Normal",
                **common,
            },
            {
                "Id": sfid("00T", 3),
                "WhoId": CFO,
                "WhatId": OPP,
                "OwnerId": OWNER,
                "ActivityDate": "2026-03-20",
                "CompletedDateTime": "",
                "Status": "Not Started",
                "IsClosed": "false",
                "TaskSubtype": "Task",
                "Subject": "Send pricing",
                "Priority": "High",
                **common,
            },
        ],
        "Event.csv": [
            {
                "Id": sfid("00U", 1),
                "WhoId": BO,
                "WhatId": OPP,
                "OwnerId": OWNER,
                "StartDateTime": "2026-02-20T14:00:00.000Z",
                "EndDateTime": "2026-02-20T15:00:00.000Z",
                "IsAllDayEvent": "false",
                "ActivityDate": "2026-02-20",
                "Subject": "Workshop",
                **common,
            },
            {
                "Id": sfid("00U", 2),
                "WhoId": CFO,
                "WhatId": OPP,
                "OwnerId": OWNER,
                "StartDateTime": "2026-03-10T10:00:00.000Z",
                "EndDateTime": "2026-03-10T11:00:00.000Z",
                "IsAllDayEvent": "false",
                "ActivityDate": "2026-03-10",
                "Subject": "Pricing review",
                **common,
            },
        ],
        "EventRelation.csv": [
            {
                "Id": sfid("0RE", 1),
                "EventId": sfid("00U", 1),
                "RelationId": BO,
                "IsInvitee": "false",
                "IsParent": "true",
                "IsWhat": "false",
                **common,
            },
            {
                "Id": sfid("0RE", 2),
                "EventId": sfid("00U", 1),
                "RelationId": CY,
                "IsInvitee": "true",
                "IsParent": "true",
                "IsWhat": "false",
                **common,
            },
            {
                "Id": sfid("0RE", 3),
                "EventId": sfid("00U", 1),
                "RelationId": REP,
                "IsInvitee": "true",
                "IsParent": "false",
                "IsWhat": "false",
                **common,
            },
            {
                "Id": sfid("0RE", 4),
                "EventId": sfid("00U", 1),
                "RelationId": OPP,
                "IsInvitee": "false",
                "IsParent": "false",
                "IsWhat": "true",
                **common,
            },
        ],
        "Lead.csv": [{"Id": sfid("00Q", 1), "LastName": "Ignored", **common}],
    }


def newer(files: Files, stamp: str) -> Files:
    """A copy exported later: one record modified at ``stamp`` (the newest
    SystemModstamp is the export's instant)."""
    copy = deepcopy(files)
    copy["User.csv"][0]["SystemModstamp"] = stamp
    return copy


def csv_bytes(rows: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    columns = list(dict.fromkeys(k for row in rows for k in row))
    writer = csv.DictWriter(
        out, fieldnames=columns, quoting=csv.QUOTE_ALL, lineterminator="\r\n", restval=""
    )
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def zip_bytes(files: Files) -> bytes:
    """As Salesforce's weekly export zip (WE_<org id>_1.ZIP) holds them."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, rows in files.items():
            archive.writestr(name, csv_bytes(rows))
    return buffer.getvalue()


def write_folder(files: Files, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in files.items():
        (folder / name).write_bytes(csv_bytes(rows))
    return folder
