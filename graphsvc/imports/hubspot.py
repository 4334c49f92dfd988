"""HubSpot CRM export (a zip or a folder of CSV files) -> :class:`CrmExport`.

HubSpot exports one file per object (Contacts, Companies, Deals; Calls, Meetings and
Emails for the engagements), "with associated records" as ID columns, and either the
property labels (the default) or the internal names ("export internal values") as the
header; both are read. Sources: the exports guide
https://developers.hubspot.com/docs/api-reference/latest/crm/exports/guide.md (options
``associatedObjectType``, ``exportInternalValuesOptions`` NAMES/VALUES) and the knowledge
base article https://knowledge.hubspot.com/import-and-export/export-records; property
names from the CRM properties of each object (``hs_object_id``, ``dealname``,
``dealstage``, ``closedate``, ``hubspot_owner_id``, ``hs_buying_role``, ``hs_timestamp``,
``hs_call_status``, ``hs_meeting_start_time``, ``hs_meeting_outcome``...). Association
columns hold the associated record IDs separated by ``;``.

Files are found by name, whatever HubSpot's prefix and date: a name with ``deal``,
``compan``, ``contact``, ``call``, ``meeting``, ``email`` or ``owner``/``user`` (the owners'
e-mails, from Settings > Users export, since a deal export names its owner by id or name).

Mapping: a contact associated with a deal sits on its committee with the role its
association labels give on that deal, when the export has an associations file (see
hubspot_associations.py; ``GRAPHSVC_HUBSPOT_ASSOCIATION_ROLES``), else the role of its
Buying Role (Decision Maker -> Decision Maker, Budget Holder -> Economic Buyer, Champion,
End User -> Business User, Executive Sponsor, Influencer, Legal & Compliance ->
Evaluator, Blocker and Other -> Other); a completed call, a sent e-mail or a meeting that
took place, associated with a deal and a contact, is an interaction; scheduled ones give
the deal's next step. Reporting lines come from a contact property naming the manager's
Record ID, when one is configured (HubSpot has no standard manager property:
``GRAPHSVC_HUBSPOT_MANAGER_PROPERTY``, e.g. ``Manager Record ID`` or ``manager_id``).
The export's instant is the newest Last Modified Date, else the
newest file time. Instants without a zone are taken as UTC (export with UTC as the
account time zone, or with internal values, which are ISO 8601 UTC).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Mapping
from datetime import datetime

from pydantic import ValidationError

from graphsvc.domain.models import (
    Account,
    Channel,
    Deal,
    DealStatus,
    Interaction,
    Role,
    Stakeholder,
    TeamMember,
)
from graphsvc.errors import ValidationFailed
from graphsvc.imports.cells import normalize_header
from graphsvc.imports.exports import (
    CrmExport,
    ExportFiles,
    Problems,
    Table,
    day_start,
    newest_stamp,
    parse_amount,
    parse_day,
    parse_instant,
    read_table,
    with_next_steps,
)
from graphsvc.imports.hubspot_associations import (
    DealContactLabels,
    labelled_seats,
    read_association_labels,
)
from graphsvc.imports.hubspot_fields import COLUMNS, ROLES, association_role_table, strongest_role

SOURCE = "hubspot"
_KINDS = ("deal", "compan", "contact", "call", "meeting", "email", "owner")
# Call statuses and meeting outcomes of engagements that did not take place.
_NOT_HELD = frozenset(
    {"canceled", "cancelled", "noshow", "rescheduled", "failed", "busy", "noanswer"}
)


def _file_of(files: ExportFiles, stem: str) -> str | None:
    def match(name: str) -> bool:
        if "association" in name or not name.endswith(".csv"):
            return False  # the associations file (hubspot_associations.py)
        if stem == "owner":
            return "owner" in name or "user" in name
        return stem in name and not (stem == "contact" and "deal" in name)

    found = files.find(match)
    return found[0] if found else None


def looks_like(files: ExportFiles) -> bool:
    return all(_file_of(files, stem) for stem in ("deal", "contact", "compan"))


def is_hubspot_id(deal_id: str) -> bool:
    """HubSpot record ids are numbers."""
    return deal_id.isdigit()


def _getter(table: Table, field: str) -> Callable[[list[str]], str]:
    spellings = COLUMNS[field]
    for column in table.columns:
        if normalize_header(column) in spellings:
            return table.getter(column)
    return lambda values: ""


def _has(table: Table, field: str) -> bool:
    return any(normalize_header(c) in COLUMNS[field] for c in table.columns)


def _id_list(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[;,]", text) if part.strip()]


def read_hubspot_export(
    files: ExportFiles,
    *,
    manager_property: str | None = None,
    association_roles: Mapping[str, str] | None = None,
) -> CrmExport:
    """The export's records. ``manager_property``: the contact property (its label or
    internal name) that holds the Record ID of each contact's manager, for reporting
    lines; HubSpot has no standard one (``GRAPHSVC_HUBSPOT_MANAGER_PROPERTY``).
    ``association_roles``: deal–contact association labels -> our role names, over the
    built-in table (``GRAPHSVC_HUBSPOT_ASSOCIATION_ROLES``)."""
    label_roles = association_role_table(association_roles)
    problems = Problems()
    tables: dict[str, Table | None] = {}
    for stem in _KINDS:
        name = _file_of(files, stem)
        if name is None:
            tables[stem] = None
            continue
        tables[stem] = read_table(files, name, kind=stem, required=(), problems=problems)
    for stem, fields in (
        ("deal", ("id", "deal_name", "owner", "contact_ids", "company_ids")),
        ("contact", ("id", "last_name")),
        ("compan", ("id", "company_name")),
    ):
        table = tables[stem]
        for name in fields:
            if table is not None and not _has(table, name):
                label = COLUMNS[name][0]
                problems.error(
                    stem,
                    table.file,
                    1,
                    label,
                    f"missing column for {name} "
                    f"(one of: {', '.join(COLUMNS[name])}, ignoring case and "
                    "spaces)",
                )
    problems.raise_if_any("HubSpot export")
    present = [t for t in tables.values() if t is not None]
    stamp = newest_stamp(present, ("Last Modified Date", "hs_lastmodifieddate", "lastmodifieddate"))
    origin = "the newest Last Modified Date in the export"
    if stamp is None:
        stamp, origin = files.newest_file_time, "the newest file time of the export"
    if stamp is None:
        raise ValidationFailed(
            "the export's instant is unknown",
            detail=[{"loc": [files.origin], "msg": "no Last Modified Date and no file time"}],
        )
    export = CrmExport(
        source=SOURCE,
        exported_at=stamp,
        exported_at_from=origin,
        owns_deal=is_hubspot_id,
        owns_contact=is_hubspot_id,
    )
    labels = read_association_labels(files, problems)
    reader = _Reader(export, tables, problems, labels=labels, label_roles=label_roles)
    reader.read()
    if manager_property:
        reader.managers(manager_property)
    problems.raise_if_any("HubSpot export")
    export.warnings = problems.warnings
    return export


class _Reader:
    def __init__(
        self,
        export: CrmExport,
        tables: dict[str, Table | None],
        problems: Problems,
        *,
        labels: DealContactLabels | None,
        label_roles: dict[str, Role],
    ) -> None:
        self.export, self.t, self.p = export, tables, problems
        self.labels, self.label_roles = labels, label_roles
        # (deal, contact) -> the role its association labels give (over the Buying Role)
        self.labelled: dict[tuple[str, str], Role] = {}
        self.listed_deals: set[str] = set()
        self.owners: dict[str, str] = {}
        self.accounts: set[str] = set()
        self.contacts: dict[str, tuple[int, list[str]]] = {}
        self.deal_ids: set[str] = set()
        self.skipped_deals: set[str] = set()

    def _unique_rows(self, stem: str, table: Table) -> dict[str, tuple[int, list[str]]]:
        get_id = _getter(table, "id")
        rows: dict[str, tuple[int, list[str]]] = {}
        for row, values in table.rows:
            rid = get_id(values)
            if not rid:
                self.p.error(stem, table.file, row, "Record ID", "blank Record ID")
            elif rid in rows:
                self.p.error(
                    stem,
                    table.file,
                    row,
                    "Record ID",
                    f"duplicate Record ID {rid!r} (also in row {rows[rid][0]})",
                )
            else:
                rows[rid] = (row, values)
        return rows

    def read(self) -> None:
        owners = self.t["owner"]
        if owners is not None:
            key, email = _getter(owners, "owner_key"), owners.getter("Email")
            self.owners = {key(v): email(v).lower() for _, v in owners.rows if email(v)}
        companies = self.t["compan"]
        assert companies is not None
        name = _getter(companies, "company_name")
        for cid, (row, values) in self._unique_rows("companies", companies).items():
            try:
                self.export.accounts.append(Account(id=cid, name=name(values)))
                self.accounts.add(cid)
            except ValidationError as exc:
                self.p.error(
                    "accounts", companies.file, row, "Company name", exc.errors()[0]["msg"]
                )
        contacts = self.t["contact"]
        assert contacts is not None
        self.contacts = self._unique_rows("contacts", contacts)
        self._deals()
        self._labelled_seats()
        self._contacts()
        done: list[Interaction] = []
        plans: dict[str, list[datetime]] = defaultdict(list)
        for stem in ("call", "meeting", "email"):
            self._engagements(stem, done, plans)
        self.export.interactions = with_next_steps(done, plans)

    def _owner_email(self, text: str) -> str | None:
        if "@" in text:
            return text.lower()
        return self.owners.get(text)

    def _deals(self) -> None:
        table = self.t["deal"]
        assert table is not None
        fields = ("deal_name", "stage", "amount", "close_date", "owner", "currency")
        g = {f: _getter(table, f) for f in (*fields, "company_ids", "contact_ids")}
        for deal_id, (row, values) in self._unique_rows("deals", table).items():
            self.listed_deals.add(deal_id)
            companies = _id_list(g["company_ids"](values))
            if not companies:
                self.p.warn(
                    "deals",
                    table.file,
                    row,
                    "Associated Company IDs",
                    f"deal {deal_id!r} has no company: skipped",
                )
                self.skipped_deals.add(deal_id)
                continue
            unknown = [c for c in companies if c not in self.accounts]
            if unknown:
                self.p.error(
                    "deals",
                    table.file,
                    row,
                    "Associated Company IDs",
                    f"unknown company {unknown[0]!r} (not in the companies file)",
                )
                continue
            owner = self._owner_email(g["owner"](values))
            if owner is None:
                self.p.error(
                    "deals",
                    table.file,
                    row,
                    "Deal owner",
                    f"no e-mail for owner {g['owner'](values)!r}: add the owners "
                    "file (ID and Email) to the export",
                )
                continue
            try:
                text = g["close_date"](values)
                close = parse_day(text[:10]) if text else None
                amount = parse_amount(g["amount"](values))
            except ValueError as exc:
                self.p.error("deals", table.file, row, "Close Date / Amount", str(exc))
                continue
            stage = g["stage"](values)
            normal = normalize_header(stage)
            status = (
                DealStatus.won
                if normal == "closedwon"
                else DealStatus.lost
                if normal == "closedlost"
                else DealStatus.open
            )
            try:
                deal = Deal(
                    id=deal_id,
                    account_id=companies[0],
                    name=g["deal_name"](values),
                    owner_email=owner,
                    amount=amount,
                    stage=stage or None,
                    currency=g["currency"](values) or None,
                    status=status,
                    close_date=close,
                )
            except ValidationError as exc:
                err = exc.errors()[0]
                self.p.error("deals", table.file, row, str(err["loc"][0]), err["msg"])
                continue
            self.export.deals.append(deal)
            self.deal_ids.add(deal_id)
            for contact_id in _id_list(g["contact_ids"](values)):
                if contact_id not in self.contacts:
                    self.p.error(
                        "contact_roles",
                        table.file,
                        row,
                        "Associated Contact IDs",
                        f"unknown contact {contact_id!r} (not in the contacts file)",
                    )
                    continue
                self.export.roles[(deal_id, contact_id)] = Role.other  # set below
        self.export.team_members = [
            TeamMember(email=e) for e in sorted({d.owner_email for d in self.export.deals})
        ]

    def _labelled_seats(self) -> None:
        if self.labels is not None:
            self.labelled = labelled_seats(
                self.labels,
                self.label_roles,
                export=self.export,
                deals=self.deal_ids,
                listed_deals=self.listed_deals,
                contacts=self.contacts,
                problems=self.p,
            )

    def _contacts(self) -> None:
        table = self.t["contact"]
        assert table is not None
        g = {
            f: _getter(table, f)
            for f in ("first_name", "last_name", "email", "title", "buying_role", "company_ids")
        }
        deal_account = {d.id: d.account_id for d in self.export.deals}
        deals_of: dict[str, list[str]] = defaultdict(list)
        for deal_id, contact_id in self.export.roles:
            deals_of[contact_id].append(deal_id)
        for contact_id, (row, values) in self.contacts.items():
            companies = _id_list(g["company_ids"](values))
            account = next((c for c in companies if c in self.accounts), None)
            if account is None and deals_of.get(contact_id):
                account = deal_account[deals_of[contact_id][0]]
            if account is None:
                self.export.ignored["contacts without company"] = (
                    self.export.ignored.get("contacts without company", 0) + 1
                )
                continue
            name = " ".join(p for p in (g["first_name"](values), g["last_name"](values)) if p)
            try:
                person = Stakeholder(
                    id=contact_id,
                    account_id=account,
                    name=name or g["email"](values),
                    title=g["title"](values) or None,
                    email=g["email"](values) or None,
                )
            except ValidationError as exc:
                err = exc.errors()[0]
                self.p.error("contacts", table.file, row, str(err["loc"][0]), err["msg"])
                continue
            self.export.stakeholders.append(person)
            role = self._role(g["buying_role"](values), table.file, row)
            for deal_id in deals_of.get(contact_id, ()):
                self.export.roles[(deal_id, contact_id)] = self.labelled.get(
                    (deal_id, contact_id), role
                )

    def managers(self, column: str) -> None:
        """Each contact's manager from the ``column`` property (a contact's Record ID);
        without that column in the export, no reporting line is read (a warning says
        so). A manager who is not an exported contact is a warning, and no line."""
        table = self.t["contact"]
        assert table is not None
        wanted = normalize_header(column)
        index = next(
            (i for i, c in enumerate(table.columns) if normalize_header(c) == wanted), None
        )
        if index is None:
            self.p.warn(
                "reporting_lines", table.file, 1, column, "no such column: no reporting lines read"
            )
            return
        people = {person.id for person in self.export.stakeholders}
        for contact_id, (row, values) in self.contacts.items():
            if contact_id not in people:
                continue
            manager = values[index].strip() if index < len(values) else ""
            if manager and manager not in people:
                self.p.warn(
                    "reporting_lines",
                    table.file,
                    row,
                    column,
                    f"manager {manager!r} is not an exported contact; no reporting line",
                )
                manager = ""
            self.export.managers[contact_id] = (
                manager if manager and manager != contact_id else None
            )

    def _role(self, text: str, file: str, row: int) -> Role:
        roles = []
        for part in _id_list(text):
            role = ROLES.get(normalize_header(part))
            if role is None:
                self.p.warn(
                    "contact_roles",
                    file,
                    row,
                    "Buying Role",
                    f"buying role {part!r} is not known; taken as Other",
                )
                role = Role.other
            roles.append(role)
        return strongest_role(roles)

    def _engagements(
        self, stem: str, done: list[Interaction], plans: dict[str, list[datetime]]
    ) -> None:
        table = self.t[stem]
        if table is None:
            return
        fields = ("timestamp", "start", "call_status", "outcome", "subject", "owner")
        g = {f: _getter(table, f) for f in (*fields, "contact_ids", "deal_ids")}
        channel = {"call": Channel.call, "meeting": Channel.meeting, "email": Channel.email}[stem]
        people = {s.id for s in self.export.stakeholders}
        for activity_id, (row, values) in self._unique_rows(stem, table).items():
            deals = [d for d in _id_list(g["deal_ids"](values)) if d in self.deal_ids]
            if not deals:
                self.export.ignored["activities on other objects"] = (
                    self.export.ignored.get("activities on other objects", 0) + 1
                )
                continue
            text = (g["start"](values) if stem == "meeting" else "") or g["timestamp"](values)
            try:
                at = parse_instant(text) if len(text) > 10 else day_start(parse_day(text))
            except ValueError:
                self.p.error(
                    "activities", table.file, row, "Activity date", f"{text!r} is not a date/time"
                )
                continue
            status = normalize_header(g["call_status"](values) or g["outcome"](values))
            if status in _NOT_HELD:
                continue
            completed = at <= self.export.exported_at and status != "scheduled"
            contacts = [c for c in _id_list(g["contact_ids"](values)) if c in people]
            owner = self._owner_email(g["owner"](values))
            for deal_id in deals[:1]:  # one deal per interaction: the first associated
                if not completed:
                    plans[deal_id].append(at)
                elif contacts:
                    done.append(
                        Interaction(
                            id=activity_id,
                            deal_id=deal_id,
                            at=at,
                            channel=channel,
                            stakeholder_ids=contacts,
                            team_member_emails=[owner] if owner else [],
                            summary=g["subject"](values) or None,
                        )
                    )
