"""Salesforce "Opportunity Contact Role" report export (CSV) -> :class:`Bundle`.

Columns (header matching ignores case, spaces and punctuation, so ``Opportunity ID``,
``opportunity_id`` and ``OPPORTUNITY  ID`` all match):

* required: Opportunity ID, Opportunity Name, Account ID, Account Name, Opportunity
  Owner Email, Contact ID, Full Name (or First Name and Last Name), Role
* optional: Title, Email, Primary, Stage, Amount, Close Date, Stance, Ally,
  Influence Rating, Reports To (Contact ID)

Each row puts one contact on one opportunity's buying committee. Rows are numbered as
in a spreadsheet: the header is row 1, the first data row is row 2. Every bad row is
reported (not only the first) and nothing is returned when any row is bad.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from graphsvc.domain.models import (
    Account,
    Bundle,
    Deal,
    Membership,
    ReportingLine,
    Role,
    Stakeholder,
    Stance,
)
from graphsvc.errors import ValidationFailed
from graphsvc.imports.cells import (
    RowError,
    normalize_header,
    read_amount,
    read_bool,
    read_date,
    status_of_stage,
)

_MAX_ERRORS = 500


# canonical field -> accepted header spellings (normalised)
_COLUMNS: dict[str, tuple[str, ...]] = {
    "opportunity_id": ("opportunityid",),
    "opportunity_name": ("opportunityname",),
    "account_id": ("accountid",),
    "account_name": ("accountname",),
    "owner_email": ("opportunityowneremail", "owneremail"),
    "contact_id": ("contactid",),
    "full_name": ("fullname", "contactname", "name"),
    "first_name": ("firstname",),
    "last_name": ("lastname",),
    "title": ("title",),
    "email": ("email",),
    "role": ("role", "contactrole"),
    "primary": ("primary", "isprimary"),
    "stage": ("stage",),
    "amount": ("amount",),
    "close_date": ("closedate",),
    "stance": ("stance",),
    "ally": ("ally",),
    "influence_rating": ("influencerating",),
    "reports_to": ("reportstocontactid", "reportsto", "reportstoid"),
}
_REQUIRED = (
    "opportunity_id",
    "opportunity_name",
    "account_id",
    "account_name",
    "owner_email",
    "contact_id",
    "role",
)
_LABELS = {
    "opportunity_id": "Opportunity ID",
    "opportunity_name": "Opportunity Name",
    "account_id": "Account ID",
    "account_name": "Account Name",
    "owner_email": "Opportunity Owner Email",
    "contact_id": "Contact ID",
    "full_name": "Full Name",
    "first_name": "First Name",
    "last_name": "Last Name",
    "title": "Title",
    "email": "Email",
    "role": "Role",
    "primary": "Primary",
    "stage": "Stage",
    "amount": "Amount",
    "close_date": "Close Date",
    "stance": "Stance",
    "ally": "Ally",
    "influence_rating": "Influence Rating",
    "reports_to": "Reports To (Contact ID)",
}
_ROLES = {normalize_header(r.value): r for r in Role}
_STANCES = {s.value: s for s in Stance} | {
    "+2": Stance.champion,
    "2": Stance.champion,
    "+1": Stance.supporter,
    "1": Stance.supporter,
    "0": Stance.neutral,
    "-1": Stance.skeptic,
    "-2": Stance.blocker,
    "": Stance.unknown,
}


@dataclass
class ParsedCsv:
    """The bundle, plus the rows naming each manager (to report unknown managers by row)."""

    bundle: Bundle
    rows: int
    manager_rows: dict[str, list[int]] = field(default_factory=dict)


def _match_columns(header: list[str]) -> tuple[dict[str, int], list[dict[str, Any]]]:
    by_normal: dict[str, int] = {}
    for index, name in enumerate(header):
        by_normal.setdefault(normalize_header(name), index)
    found: dict[str, int] = {}
    for canonical, spellings in _COLUMNS.items():
        for spelling in spellings:
            if spelling in by_normal:
                found[canonical] = by_normal[spelling]
                break
    errors = [
        {"row": 1, "loc": ["row", 1, _LABELS[name]], "msg": f"missing column {_LABELS[name]!r}"}
        for name in _REQUIRED
        if name not in found
    ]
    if "full_name" not in found and not ("first_name" in found or "last_name" in found):
        errors.append(
            {
                "row": 1,
                "loc": ["row", 1, "Full Name"],
                "msg": "missing column 'Full Name' (or 'First Name' and 'Last Name')",
            }
        )
    return found, errors


def _pydantic_errors(
    exc: ValidationError, row: int, labels: dict[str, str]
) -> list[dict[str, Any]]:
    errors = []
    for err in exc.errors(include_url=False):
        field_name = str(err["loc"][0]) if err["loc"] else ""
        if not field_name:
            head = str(err.get("ctx", {}).get("error", "")).split(":", 1)[0]
            field_name = head
        column = labels.get(field_name, field_name or "row")
        errors.append({"row": row, "loc": ["row", row, column], "msg": err["msg"]})
    return errors


def _same(held: Any, new: Any, row: int, column: str, what: str) -> list[dict[str, Any]]:
    if held == new:
        return []
    return [
        {
            "row": row,
            "loc": ["row", row, column],
            "msg": f"{what} differs from an earlier row of the same id",
        }
    ]


def parse_contact_roles_csv(text: str, *, max_rows: int | None = None) -> ParsedCsv:
    """The bundle a Salesforce Opportunity Contact Role export describes.

    Raises :class:`ValidationFailed` whose ``detail`` lists every bad row as
    ``{"row": n, "loc": ["row", n, column], "msg": ...}``.

    Examples
    --------
    >>> text = ("Opportunity ID,Opportunity Name,Account ID,Account Name,"
    ...         "Opportunity Owner Email,Contact ID,Full Name,Role\\n"
    ...         "006A,Renewal,001A,Acme,owner@us.example,003A,Ada Li,Decision Maker\\n")
    >>> parsed = parse_contact_roles_csv(text)
    >>> [m.role.value for m in parsed.bundle.memberships]
    ['Decision Maker']
    """
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = next(reader)
    except StopIteration:
        raise ValidationFailed(
            "the CSV file is empty",
            detail=[{"row": 1, "loc": ["row", 1], "msg": "the CSV file is empty"}],
        ) from None
    except csv.Error as exc:
        raise ValidationFailed(
            "the CSV header cannot be read", detail=[{"row": 1, "loc": ["row", 1], "msg": str(exc)}]
        ) from None
    columns, errors = _match_columns(header)
    if errors:
        raise ValidationFailed("the CSV header lacks required columns", detail=errors)

    accounts: dict[str, Account] = {}
    deals: dict[str, Deal] = {}
    stakeholders: dict[str, Stakeholder] = {}
    memberships: dict[tuple[str, str], tuple[int, Membership]] = {}
    reports: dict[str, tuple[int, ReportingLine]] = {}
    seen_rows = 0

    def cell(values: list[str], name: str) -> str:
        index = columns.get(name)
        if index is None or index >= len(values):
            return ""
        return values[index].strip()

    row = 1
    while True:
        row += 1
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            errors.append({"row": row, "loc": ["row", row], "msg": f"unreadable row: {exc}"})
            continue
        if not any(v.strip() for v in values):
            continue
        seen_rows += 1
        if max_rows is not None and seen_rows > max_rows:
            raise ValidationFailed(
                f"at most {max_rows} rows per import",
                detail=[
                    {"row": row, "loc": ["row", row], "msg": f"at most {max_rows} rows per import"}
                ],
            )
        if len(errors) >= _MAX_ERRORS:
            continue
        try:
            errors.extend(
                _parse_row(
                    row, values, cell, accounts, deals, stakeholders, memberships, reports, columns
                )
            )
        except RowError as exc:
            errors.append({"row": row, "loc": ["row", row, exc.column], "msg": exc.message})

    manager_rows: dict[str, list[int]] = {}
    for line_row, line in reports.values():
        if line.manager_id not in stakeholders:
            manager_rows.setdefault(line.manager_id, []).append(line_row)
    if errors:
        raise ValidationFailed(
            f"{len({e['row'] for e in errors})} bad row(s) in the CSV; nothing imported",
            detail=errors[:_MAX_ERRORS],
        )
    bundle = Bundle(
        accounts=list(accounts.values()),
        deals=list(deals.values()),
        stakeholders=list(stakeholders.values()),
        memberships=[m for _, m in memberships.values()],
        reporting_lines=[line for _, line in reports.values()],
    )
    return ParsedCsv(bundle=bundle, rows=seen_rows, manager_rows=manager_rows)


def _parse_row(
    row: int,
    values: list[str],
    cell: Any,
    accounts: dict[str, Account],
    deals: dict[str, Deal],
    stakeholders: dict[str, Stakeholder],
    memberships: dict[tuple[str, str], tuple[int, Membership]],
    reports: dict[str, tuple[int, ReportingLine]],
    columns: dict[str, int],
) -> Iterable[dict[str, Any]]:
    errors: list[dict[str, Any]] = []
    full_name = cell(values, "full_name") or " ".join(
        part for part in (cell(values, "first_name"), cell(values, "last_name")) if part
    )
    role_text = cell(values, "role")
    role = _ROLES.get(normalize_header(role_text)) if role_text else Role.other
    if role is None:
        errors.append(
            {
                "row": row,
                "loc": ["row", row, "Role"],
                "msg": f"unknown role {role_text!r}; one of: " + ", ".join(r.value for r in Role),
            }
        )
    stance_text = cell(values, "stance").lower()
    stance = _STANCES.get(stance_text)
    if stance is None:
        errors.append(
            {
                "row": row,
                "loc": ["row", row, "Stance"],
                "msg": f"unknown stance {stance_text!r}; one of: "
                + ", ".join(s.value for s in Stance),
            }
        )
    rating_text = cell(values, "influence_rating")
    rating: int | None = None
    if rating_text:
        try:
            rating = int(rating_text)
        except ValueError:
            rating = None
        if rating is None or not 1 <= rating <= 5:
            errors.append(
                {
                    "row": row,
                    "loc": ["row", row, "Influence Rating"],
                    "msg": f"{rating_text!r} is not a whole number 1-5",
                }
            )
    ally = False
    try:
        ally = read_bool(cell(values, "ally"), "Ally")
        if "primary" in columns:
            read_bool(cell(values, "primary"), "Primary")
    except RowError as exc:
        errors.append({"row": row, "loc": ["row", row, exc.column], "msg": exc.message})
    stage = cell(values, "stage") or None
    try:
        amount = read_amount(cell(values, "amount"), "Amount")
        close_date = read_date(cell(values, "close_date"), "Close Date")
    except RowError as exc:
        errors.append({"row": row, "loc": ["row", row, exc.column], "msg": exc.message})
        amount, close_date = None, None

    candidates: list[tuple[str, Any, dict[str, str]]] = []
    try:
        account = Account(id=cell(values, "account_id"), name=cell(values, "account_name"))
        candidates.append(("account", account, {}))
    except ValidationError as exc:
        errors += _pydantic_errors(exc, row, {"id": "Account ID", "name": "Account Name"})
    try:
        deal = Deal(
            id=cell(values, "opportunity_id"),
            account_id=cell(values, "account_id"),
            name=cell(values, "opportunity_name"),
            owner_email=cell(values, "owner_email"),
            stage=stage,
            amount=amount,
            close_date=close_date,
            status=status_of_stage(stage),
        )
        candidates.append(("deal", deal, {}))
    except ValidationError as exc:
        errors += _pydantic_errors(
            exc,
            row,
            {
                "id": "Opportunity ID",
                "account_id": "Account ID",
                "name": "Opportunity Name",
                "owner_email": "Opportunity Owner Email",
                "stage": "Stage",
                "amount": "Amount",
                "close_date": "Close Date",
            },
        )
    try:
        stakeholder = Stakeholder(
            id=cell(values, "contact_id"),
            account_id=cell(values, "account_id"),
            name=full_name,
            title=cell(values, "title") or None,
            email=cell(values, "email") or None,
        )
        candidates.append(("stakeholder", stakeholder, {}))
    except ValidationError as exc:
        errors += _pydantic_errors(
            exc,
            row,
            {
                "id": "Contact ID",
                "account_id": "Account ID",
                "name": "Full Name",
                "title": "Title",
                "email": "Email",
            },
        )
    manager = cell(values, "reports_to")
    if role is not None and stance is not None:
        try:
            membership = Membership(
                deal_id=cell(values, "opportunity_id"),
                stakeholder_id=cell(values, "contact_id"),
                role=role,
                stance=stance,
                ally=ally,
                influence_rating=rating,
            )
            candidates.append(("membership", membership, {}))
        except ValidationError as exc:
            errors += _pydantic_errors(
                exc,
                row,
                {
                    "deal_id": "Opportunity ID",
                    "stakeholder_id": "Contact ID",
                    "influence_rating": "Influence Rating",
                },
            )
    if manager:
        try:
            line = ReportingLine(stakeholder_id=cell(values, "contact_id"), manager_id=manager)
            candidates.append(("report", line, {}))
        except (ValidationError, ValueError) as exc:
            if isinstance(exc, ValidationError):
                errors += _pydantic_errors(
                    exc,
                    row,
                    {"stakeholder_id": "Contact ID", "manager_id": "Reports To (Contact ID)"},
                )
    if errors:
        return errors

    for kind, model, _ in candidates:
        if kind == "account":
            held_account = accounts.setdefault(model.id, model)
            errors += _same(held_account.name, model.name, row, "Account Name", "Account Name")
        elif kind == "deal":
            held_deal = deals.setdefault(model.id, model)
            errors += _same(
                held_deal,
                model,
                row,
                "Opportunity ID",
                "the opportunity's name, account, owner, stage, amount or date",
            )
        elif kind == "stakeholder":
            held_person = stakeholders.setdefault(model.id, model)
            errors += _same(
                held_person,
                model,
                row,
                "Contact ID",
                "the contact's name, account, title or e-mail",
            )
        elif kind == "membership":
            key = (model.deal_id, model.stakeholder_id)
            if key in memberships:
                errors.append(
                    {
                        "row": row,
                        "loc": ["row", row, "Contact ID"],
                        "msg": f"contact {model.stakeholder_id!r} is already on "
                        f"opportunity {model.deal_id!r} in row "
                        f"{memberships[key][0]}",
                    }
                )
            else:
                memberships[key] = (row, model)
        elif kind == "report":
            held = reports.get(model.stakeholder_id)
            if held is not None and held[1].manager_id != model.manager_id:
                errors.append(
                    {
                        "row": row,
                        "loc": ["row", row, "Reports To (Contact ID)"],
                        "msg": f"contact {model.stakeholder_id!r} reports to "
                        f"{held[1].manager_id!r} in row {held[0]}",
                    }
                )
            else:
                reports.setdefault(model.stakeholder_id, (row, model))
    return errors
