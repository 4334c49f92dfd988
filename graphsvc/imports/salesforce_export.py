"""Salesforce Data Export (Setup > Data Export, or Data Loader): a zip or a folder of one
CSV file per object, with API field names as the header -> :class:`CrmExport`.

Field names and value formats follow Salesforce's object reference: ids of 15 or 18
characters (``006...`` opportunities, ``003...`` contacts, ``005...`` users), booleans
``true``/``false``, dates ``2024-03-05``, instants ``2024-03-05T14:00:00.000Z``.
https://developer.salesforce.com/docs/platform/object-reference/references/standard-objects/
(object-opportunitycontactrole, object-task, object-event, object-eventrelation).

Read: ``Account.csv``, ``Contact.csv``, ``Opportunity.csv``, ``OpportunityContactRole.csv``
and ``User.csv`` (required); ``Task.csv``, ``Event.csv``, ``TaskRelation.csv`` and
``EventRelation.csv`` when present. Other files and columns are ignored, and so are rows
with ``IsDeleted`` true (an export that includes the recycle bin).

Activities: a completed task (``IsClosed``, else ``Status`` = Completed) or an event that
started by the export's instant, on an exported opportunity (``WhatId``) with at least
one exported contact (``WhoId`` and the relation files), is an interaction: channel from
``TaskSubtype`` (else ``Type``): Call -> call, Email/ListEmail -> email, anything else
other; events are meetings; the owner (and users invited) are our team. Open tasks and
future events give the deal's next step (the earliest one from the export's instant on),
carried by the deal's latest interaction. Activities on other objects are counted as
ignored.

The export's instant is the newest ``SystemModstamp``/``LastModifiedDate`` of any row;
without those columns, the newest file time in the zip (or folder).
"""

from __future__ import annotations

from pydantic import ValidationError

from graphsvc.domain.models import (
    Account,
    Deal,
    DealStatus,
    Role,
    Stakeholder,
    TeamMember,
)
from graphsvc.errors import ValidationFailed
from graphsvc.imports.exports import (
    CrmExport,
    ExportFiles,
    Problems,
    Table,
    newest_stamp,
    parse_amount,
    parse_bool,
    parse_day,
    read_table,
)
from graphsvc.imports.salesforce_activities import (
    ActivityReader,
    ids_of,
    live_rows,
    model_errors,
    normalize_header,
)

SOURCE = "salesforce"
REQUIRED_FILES = (
    "Account.csv",
    "Contact.csv",
    "Opportunity.csv",
    "OpportunityContactRole.csv",
    "User.csv",
)
_ROLES = {normalize_header(r.value): r for r in Role}


def looks_like(files: ExportFiles) -> bool:
    """A Salesforce export has at least its opportunity and contact role files."""
    return files.has("Opportunity.csv") and files.has("OpportunityContactRole.csv")


def is_opportunity_id(deal_id: str) -> bool:
    """Salesforce's key prefix of Opportunity records is ``006``."""
    return len(deal_id) in (15, 18) and deal_id.startswith("006") and deal_id.isalnum()


def is_contact_id(contact_id: str) -> bool:
    """Salesforce's key prefix of Contact records is ``003``."""
    return len(contact_id) in (15, 18) and contact_id.startswith("003") and contact_id.isalnum()


def read_salesforce_export(files: ExportFiles) -> CrmExport:
    """Parse and check the whole export; raises ValidationFailed listing every error."""
    problems = Problems()
    tables = {
        "Account.csv": read_table(
            files, "Account.csv", kind="accounts", required=("Id", "Name"), problems=problems
        ),
        "Contact.csv": read_table(
            files,
            "Contact.csv",
            kind="contacts",
            required=("Id", "AccountId", "LastName"),
            problems=problems,
        ),
        "Opportunity.csv": read_table(
            files,
            "Opportunity.csv",
            kind="deals",
            required=("Id", "AccountId", "Name", "StageName", "OwnerId"),
            problems=problems,
        ),
        "OpportunityContactRole.csv": read_table(
            files,
            "OpportunityContactRole.csv",
            kind="contact_roles",
            required=("Id", "OpportunityId", "ContactId", "Role"),
            problems=problems,
        ),
        "User.csv": read_table(
            files, "User.csv", kind="users", required=("Id", "Email"), problems=problems
        ),
        "Task.csv": read_table(
            files,
            "Task.csv",
            kind="activities",
            optional_file=True,
            problems=problems,
            required=("Id", "WhoId", "WhatId", "OwnerId", "ActivityDate", "Status"),
        ),
        "Event.csv": read_table(
            files,
            "Event.csv",
            kind="activities",
            optional_file=True,
            problems=problems,
            required=("Id", "WhoId", "WhatId", "OwnerId", "StartDateTime"),
        ),
        "TaskRelation.csv": read_table(
            files,
            "TaskRelation.csv",
            kind="activities",
            optional_file=True,
            problems=problems,
            required=("TaskId", "RelationId"),
        ),
        "EventRelation.csv": read_table(
            files,
            "EventRelation.csv",
            kind="activities",
            optional_file=True,
            problems=problems,
            required=("EventId", "RelationId"),
        ),
    }
    problems.raise_if_any("Salesforce export")
    present = [t for t in tables.values() if t is not None]
    exported_at = newest_stamp(present, ("SystemModstamp", "LastModifiedDate"))
    origin = "the newest SystemModstamp/LastModifiedDate in the export"
    if exported_at is None:
        exported_at, origin = files.newest_file_time, "the newest file time of the export"
    if exported_at is None:
        raise ValidationFailed(
            "the export's instant is unknown",
            detail=[
                {
                    "loc": [files.origin],
                    "msg": "no SystemModstamp/LastModifiedDate and no file time",
                }
            ],
        )
    export = CrmExport(
        source=SOURCE,
        exported_at=exported_at,
        exported_at_from=origin,
        owns_deal=is_opportunity_id,
        owns_contact=is_contact_id,
    )
    _Reader(export, tables, problems).read()
    problems.raise_if_any("Salesforce export")
    export.warnings = problems.warnings
    return export


class _Reader(ActivityReader):
    def __init__(
        self, export: CrmExport, tables: dict[str, Table | None], problems: Problems
    ) -> None:
        self.export = export
        self.t = tables
        self.p = problems
        self.users: dict[str, str] = {}  # user id -> e-mail
        self.account_ids: set[str] = set()
        self.deal_accounts: dict[str, str] = {}  # opportunity id -> account id
        self.contact_ids: set[str] = set()

    def read(self) -> None:
        self._users()
        self._accounts()
        self._deals()
        contact_rows = self._contacts_first_pass()
        self._roles(contact_rows)
        self._activities()

    def _users(self) -> None:
        table = self.t["User.csv"]
        assert table is not None
        ids_of(table, "users", self.p)
        get_id, get_email = table.getter("Id"), table.getter("Email")
        for _row, values in live_rows(table):
            if get_email(values):
                self.users[get_id(values)] = get_email(values).lower()

    def _accounts(self) -> None:
        table = self.t["Account.csv"]
        assert table is not None
        ids_of(table, "accounts", self.p)
        get_id, get_name = table.getter("Id"), table.getter("Name")
        for row, values in live_rows(table):
            try:
                account = Account(id=get_id(values), name=get_name(values))
            except ValidationError as exc:
                model_errors(exc, self.p, "accounts", table.file, row, {"id": "Id", "name": "Name"})
                continue
            self.account_ids.add(account.id)
            self.export.accounts.append(account)

    def _deals(self) -> None:
        table = self.t["Opportunity.csv"]
        assert table is not None
        ids_of(table, "deals", self.p)
        g = {
            c: table.getter(c)
            for c in (
                "Id",
                "AccountId",
                "Name",
                "StageName",
                "Amount",
                "CloseDate",
                "IsClosed",
                "IsWon",
                "OwnerId",
                "CurrencyIsoCode",
            )
        }
        has_closed = table.has("IsClosed")
        for row, values in live_rows(table):
            deal_id, account_id, owner_id = (
                g["Id"](values),
                g["AccountId"](values),
                g["OwnerId"](values),
            )
            if not account_id:
                self.p.warn(
                    "deals",
                    table.file,
                    row,
                    "AccountId",
                    f"opportunity {deal_id!r} has no account: skipped",
                )
                continue
            if account_id not in self.account_ids:
                self.p.error(
                    "deals",
                    table.file,
                    row,
                    "AccountId",
                    f"unknown account {account_id!r} (not in Account.csv)",
                )
                continue
            owner = self.users.get(owner_id)
            if owner is None:
                self.p.error(
                    "deals",
                    table.file,
                    row,
                    "OwnerId",
                    f"unknown owner {owner_id!r} (no user with an Email in User.csv)",
                )
                continue
            try:
                amount = parse_amount(g["Amount"](values))
            except ValueError as exc:
                self.p.error("deals", table.file, row, "Amount", str(exc))
                continue
            try:
                close_text = g["CloseDate"](values)
                close_date = parse_day(close_text) if close_text else None
            except ValueError:
                self.p.error(
                    "deals",
                    table.file,
                    row,
                    "CloseDate",
                    f"{close_text!r} is not a date (YYYY-MM-DD)",
                )
                continue
            try:
                status = _status(
                    g["StageName"](values), g["IsClosed"](values), g["IsWon"](values), has_closed
                )
            except ValueError as exc:
                self.p.error("deals", table.file, row, "IsClosed", str(exc))
                continue
            try:
                deal = Deal(
                    id=deal_id,
                    account_id=account_id,
                    name=g["Name"](values),
                    owner_email=owner,
                    amount=amount,
                    currency=g["CurrencyIsoCode"](values) or None,
                    stage=g["StageName"](values) or None,
                    status=status,
                    close_date=close_date,
                )
            except ValidationError as exc:
                model_errors(
                    exc,
                    self.p,
                    "deals",
                    table.file,
                    row,
                    {
                        "id": "Id",
                        "name": "Name",
                        "owner_email": "OwnerId",
                        "currency": "CurrencyIsoCode",
                        "stage": "StageName",
                        "amount": "Amount",
                    },
                )
                continue
            self.deal_accounts[deal_id] = account_id
            self.export.deals.append(deal)
        self.export.team_members = [
            TeamMember(email=e) for e in sorted({d.owner_email for d in self.export.deals})
        ]

    def _contacts_first_pass(self) -> dict[str, tuple[int, list[str]]]:
        table = self.t["Contact.csv"]
        assert table is not None
        ids_of(table, "contacts", self.p)
        get_id = table.getter("Id")
        return {get_id(values): (row, values) for row, values in live_rows(table)}

    def _roles(self, contact_rows: dict[str, tuple[int, list[str]]]) -> None:
        table = self.t["OpportunityContactRole.csv"]
        assert table is not None
        ids_of(table, "contact_roles", self.p)
        g = {c: table.getter(c) for c in ("OpportunityId", "ContactId", "Role")}
        opportunities = self.t["Opportunity.csv"]
        assert opportunities is not None
        known_deals = set(ids_of(opportunities, "deals", Problems()))
        first_deal_of: dict[str, str] = {}
        for row, values in live_rows(table):
            deal_id, contact_id, role_text = (
                g["OpportunityId"](values),
                g["ContactId"](values),
                g["Role"](values),
            )
            if deal_id not in known_deals:
                self.p.error(
                    "contact_roles",
                    table.file,
                    row,
                    "OpportunityId",
                    f"unknown opportunity {deal_id!r} (not in Opportunity.csv)",
                )
                continue
            if contact_id not in contact_rows:
                self.p.error(
                    "contact_roles",
                    table.file,
                    row,
                    "ContactId",
                    f"unknown contact {contact_id!r} (not in Contact.csv)",
                )
                continue
            if deal_id not in self.deal_accounts:
                continue  # an opportunity skipped with a warning
            role = _ROLES.get(normalize_header(role_text)) if role_text else Role.other
            if role is None:
                self.p.warn(
                    "contact_roles",
                    table.file,
                    row,
                    "Role",
                    f"role {role_text!r} is not in the picklist; taken as Other",
                )
                role = Role.other
            if (deal_id, contact_id) in self.export.roles:
                self.p.warn(
                    "contact_roles",
                    table.file,
                    row,
                    "ContactId",
                    f"contact {contact_id!r} has several roles on {deal_id!r}; the last one counts",
                )
            self.export.roles[(deal_id, contact_id)] = role
            first_deal_of.setdefault(contact_id, deal_id)
        self._contacts(contact_rows, first_deal_of)

    def _contacts(
        self, contact_rows: dict[str, tuple[int, list[str]]], first_deal_of: dict[str, str]
    ) -> None:
        table = self.t["Contact.csv"]
        assert table is not None
        g = {
            c: table.getter(c)
            for c in (
                "Id",
                "AccountId",
                "FirstName",
                "LastName",
                "Name",
                "Title",
                "Email",
                "ReportsToId",
            )
        }
        for contact_id, (row, values) in contact_rows.items():
            account_id = g["AccountId"](values)
            if not account_id:
                deal_id = first_deal_of.get(contact_id)
                if deal_id is None:
                    self.export.ignored["contacts without account"] = (
                        self.export.ignored.get("contacts without account", 0) + 1
                    )
                    continue
                account_id = self.deal_accounts[deal_id]
                self.p.warn(
                    "contacts",
                    table.file,
                    row,
                    "AccountId",
                    f"contact {contact_id!r} has no account; taken as the account "
                    f"of opportunity {deal_id!r}",
                )
            elif account_id not in self.account_ids:
                self.p.error(
                    "contacts",
                    table.file,
                    row,
                    "AccountId",
                    f"unknown account {account_id!r} (not in Account.csv)",
                )
                continue
            name = g["Name"](values) or " ".join(
                part for part in (g["FirstName"](values), g["LastName"](values)) if part
            )
            try:
                person = Stakeholder(
                    id=contact_id,
                    account_id=account_id,
                    name=name,
                    title=g["Title"](values) or None,
                    email=g["Email"](values) or None,
                )
            except ValidationError as exc:
                model_errors(
                    exc,
                    self.p,
                    "contacts",
                    table.file,
                    row,
                    {"id": "Id", "name": "LastName", "title": "Title", "email": "Email"},
                )
                continue
            self.contact_ids.add(contact_id)
            self.export.stakeholders.append(person)
            manager = g["ReportsToId"](values) or None
            if manager is not None and manager not in contact_rows:
                self.p.error(
                    "contacts",
                    table.file,
                    row,
                    "ReportsToId",
                    f"unknown contact {manager!r} (not in Contact.csv)",
                )
            self.export.managers[contact_id] = None if manager == contact_id else manager
        # A manager skipped for having no account cannot be a line's end.
        for contact_id, manager in list(self.export.managers.items()):
            if manager is not None and manager not in self.contact_ids:
                self.export.managers[contact_id] = None


def _status(stage: str, is_closed: str, is_won: str, has_closed: bool) -> DealStatus:
    if has_closed:
        if not parse_bool(is_closed):
            return DealStatus.open
        return DealStatus.won if parse_bool(is_won) else DealStatus.lost
    normal = normalize_header(stage)
    if normal == "closedwon":
        return DealStatus.won
    if normal == "closedlost":
        return DealStatus.lost
    return DealStatus.open
