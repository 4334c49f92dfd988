"""The activities of a Salesforce data export (Task, Event and their relation files) as
interactions and next steps, and the row helpers the export reader shares; see
:mod:`graphsvc.imports.salesforce_export` for the mapping."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from functools import lru_cache

from pydantic import ValidationError

from graphsvc.domain.models import Channel, Interaction
from graphsvc.imports.cells import normalize_header as _normalize
from graphsvc.imports.exports import (
    CrmExport,
    Problems,
    Table,
    day_start,
    parse_bool,
    parse_day,
    parse_instant,
    with_next_steps,
)

# Picklist values repeat hundreds of thousands of times in an export: normalise each once.
normalize_header = lru_cache(maxsize=4096)(_normalize)

_CHANNELS = {
    "call": Channel.call,
    "email": Channel.email,
    "listemail": Channel.email,
    "meeting": Channel.meeting,
}


def ids_of(table: Table | None, kind: str, problems: Problems) -> dict[str, int]:
    """Id -> row of the table's live rows; duplicates and blank ids are errors."""
    seen: dict[str, int] = {}
    if table is None:
        return seen
    get_id, deleted = table.getter("Id"), table.getter("IsDeleted")
    for row, values in table.rows:
        if deleted(values).lower() == "true":
            continue
        rid = get_id(values)
        if not rid:
            problems.error(kind, table.file, row, "Id", "blank Id")
        elif rid in seen:
            problems.error(
                kind, table.file, row, "Id", f"duplicate Id {rid!r} (also in row {seen[rid]})"
            )
        else:
            seen[rid] = row
    return seen


def live_rows(table: Table | None) -> list[tuple[int, list[str]]]:
    if table is None:
        return []
    deleted = table.getter("IsDeleted")
    return [(row, values) for row, values in table.rows if deleted(values).lower() != "true"]


def model_errors(
    exc: ValidationError,
    problems: Problems,
    kind: str,
    file: str,
    row: int,
    columns: dict[str, str],
) -> None:
    for err in exc.errors(include_url=False):
        name = str(err["loc"][0]) if err["loc"] else ""
        problems.error(kind, file, row, columns.get(name, name or None), err["msg"])


class ActivityReader:
    """Reads Task.csv and Event.csv; mixed into the export reader, whose tables, users,
    exported opportunities and contacts it uses."""

    export: CrmExport
    t: dict[str, Table | None]
    p: Problems
    users: dict[str, str]
    deal_accounts: dict[str, str]
    contact_ids: set[str]

    def _relations(self, name: str, parent: str) -> dict[str, list[str]]:
        table = self.t[name]
        related: dict[str, list[str]] = defaultdict(list)
        get_parent, get_relation = (
            (table.getter(parent), table.getter("RelationId")) if table else (None, None)
        )
        is_what = table.getter("IsWhat") if table else None
        for _row, values in live_rows(table):
            assert get_parent and get_relation and is_what
            if is_what(values).lower() == "true":
                continue
            related[get_parent(values)].append(get_relation(values))
        return related

    def _activities(self) -> None:
        plans: dict[str, list[datetime]] = defaultdict(list)
        done: list[Interaction] = []
        for kind in ("Task", "Event"):
            table = self.t[f"{kind}.csv"]
            if table is None:
                continue
            ids_of(table, "activities", self.p)
            relations = self._relations(f"{kind}Relation.csv", f"{kind}Id")
            for row, values in live_rows(table):
                item = self._activity(kind, table, row, values, relations)
                if item is None:
                    continue
                completed, at, interaction = item
                deal_id = interaction.deal_id
                if completed:
                    if interaction.stakeholder_ids:
                        done.append(interaction)
                    else:
                        self._ignore("activities without a contact")
                elif at >= self.export.exported_at:
                    plans[deal_id].append(at)
        self.export.interactions = with_next_steps(done, plans)

    def _ignore(self, what: str) -> None:
        self.export.ignored[what] = self.export.ignored.get(what, 0) + 1

    def _activity(
        self, kind: str, table: Table, row: int, values: list[str], relations: dict[str, list[str]]
    ) -> tuple[bool, datetime, Interaction] | None:
        g = table.getter
        activity_id, deal_id = g("Id")(values), g("WhatId")(values)
        if deal_id not in self.deal_accounts:
            self._ignore("activities on other objects")
            return None
        if kind == "Task":
            try:
                completed = (
                    parse_bool(g("IsClosed")(values))
                    if table.has("IsClosed")
                    else g("Status")(values).lower() == "completed"
                )
            except ValueError as exc:
                self.p.error("activities", table.file, row, "IsClosed", str(exc))
                return None
        column, text = "", ""
        try:
            if kind == "Task":
                column = "CompletedDateTime"
                text = g(column)(values)
                if not text:
                    column = "ActivityDate"
                    text = g(column)(values)
                if not text:
                    self._ignore("activities without a date")
                    return None
                at = (
                    parse_instant(text)
                    if column == "CompletedDateTime"
                    else day_start(parse_day(text))
                )
                subtype = g("TaskSubtype")(values) or g("Type")(values)
                channel = _CHANNELS.get(normalize_header(subtype), Channel.other)
            else:
                column = "StartDateTime"
                text = g(column)(values)
                if not text or g("IsAllDayEvent")(values).lower() == "true":
                    column = "ActivityDate"
                    text = g(column)(values) or text
                if not text:
                    self._ignore("activities without a date")
                    return None
                at = parse_instant(text) if len(text) > 10 else day_start(parse_day(text))
                completed = at <= self.export.exported_at
                channel = Channel.meeting
        except ValueError:
            self.p.error(
                "activities",
                table.file,
                row,
                column,
                f"{text!r} is not a date/time (YYYY-MM-DD or ISO 8601)",
            )
            return None
        people = [g("WhoId")(values), *relations.get(activity_id, ())]
        contacts = [p for p in dict.fromkeys(people) if p in self.contact_ids]
        owner = self.users.get(g("OwnerId")(values))
        team = [owner] if owner else []
        team += [self.users[p] for p in people if p in self.users]
        try:
            interaction = Interaction(
                id=activity_id,
                deal_id=deal_id,
                at=at,
                channel=channel,
                stakeholder_ids=contacts,
                team_member_emails=team,
                summary=g("Subject")(values) or None,
            )
        except ValidationError as exc:
            model_errors(
                exc, self.p, "activities", table.file, row, {"id": "Id", "summary": "Subject"}
            )
            return None
        return completed, at, interaction
