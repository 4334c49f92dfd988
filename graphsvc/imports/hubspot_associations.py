"""HubSpot deal–contact association labels: each contact's role on each deal.

In HubSpot a contact's part in one deal is an *association label* on the deal–contact
association ("Decision maker", "Budget holder", the account's own custom labels; see
https://knowledge.hubspot.com/crm-setup/create-and-use-association-labels). The CRM
export's "Associated Contact IDs" column names who is associated but not how, and
HubSpot's documentation does not say how labels appear in an export file (the exports
API has an ``includeLabeledAssociations`` switch, without a documented column format:
https://developers.hubspot.com/docs/api-reference/latest/crm/exports/guide). So labels
are read from an associations file shaped as the documented associations v4 API answers
(https://developers.hubspot.com/docs/api-reference/latest/crm/associations/associate-records/guide),
one of:

* JSON: the answer of ``POST /crm/v4/associations/deals/contacts/batch/read`` (or a list
  of such answers, one per page): ``{"results": [{"from": {"id": "<deal>"}, "to":
  [{"toObjectId": <contact>, "associationTypes": [{"category": "USER_DEFINED",
  "typeId": 5, "label": "Decision maker"}]}]}]}``;
* CSV: the same flattened, one row per association type (or labels joined by ``;``),
  headers ``fromObjectId`` (or ``Deal ID``), ``toObjectId`` (or ``Contact ID``),
  ``label`` (or ``Association label``), and optionally ``category`` and ``typeId``.

The files are found by name: every CSV or JSON file whose name holds ``association``. The
"from" side is the deal. An unlabelled type (HubSpot's default association, ``label``
null) seats the contact without a role of its own.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from graphsvc.domain.models import Role
from graphsvc.imports.cells import normalize_header
from graphsvc.imports.exports import CrmExport, ExportFiles, Problems
from graphsvc.imports.hubspot_fields import strongest_role

# Our field -> the header spellings of an associations CSV, normalised.
_COLUMNS: dict[str, tuple[str, ...]] = {
    "deal_id": ("fromobjectid", "fromid", "dealid", "dealrecordid"),
    "contact_id": ("toobjectid", "toid", "contactid", "contactrecordid"),
    "label": ("label", "labels", "associationlabel", "associationlabels"),
}
_LABELS = {"deal_id": "fromObjectId", "contact_id": "toObjectId", "label": "label"}
DEAL_COLUMN, CONTACT_COLUMN, LABEL_COLUMN = _LABELS.values()
KIND = "contact_roles"


@dataclass(frozen=True)
class LabelPlace:
    """Where a pair's labels were read: the file, and a row (CSV) or a JSON path."""

    file: str
    row: int | None
    path: str | None = None

    def column(self, csv_column: str) -> str:
        """The problem's column: the JSON path, or the CSV column meant."""
        return self.path or csv_column


@dataclass
class DealContactLabels:
    """The deal–contact pairs of the associations file, each with its labels (in the
    order read, without repeats) and the place it was first read."""

    labels: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    places: dict[tuple[str, str], LabelPlace] = field(default_factory=dict)

    def add(self, deal_id: str, contact_id: str, label: str | None, place: LabelPlace) -> None:
        pair = (deal_id, contact_id)
        held = self.labels.setdefault(pair, [])
        self.places.setdefault(pair, place)
        if label and label not in held:
            held.append(label)


def read_association_labels(files: ExportFiles, problems: Problems) -> DealContactLabels | None:
    """The pairs and labels of the export's associations files (every file whose name
    holds ``association``; None when there is none). Problems name the file, and the row
    or JSON path."""
    names = files.find(lambda name: "association" in name)
    if not names:
        return None
    found = DealContactLabels()
    for name in names:
        text = files.text(name)
        if name.lower().endswith(".json"):
            _from_json(text, name, problems, found)
        else:
            _from_csv(text, name, problems, found)
    return found


def _from_json(text: str, name: str, problems: Problems, found: DealContactLabels) -> None:
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        problems.error(KIND, name, exc.lineno, None, f"not JSON: {exc.msg}")
        return
    pages = data if isinstance(data, list) else [data]
    for page_index, page in enumerate(pages):
        where = f"[{page_index}]" if isinstance(data, list) else ""
        results = page.get("results") if isinstance(page, dict) else None
        if not isinstance(results, list):
            problems.error(KIND, name, None, f"{where}results", "expected a list of results")
            continue
        for index, result in enumerate(results):
            path = f"{where}results[{index}]"
            deal_id = _json_id(result.get("from") if isinstance(result, dict) else None, "id")
            targets = result.get("to") if isinstance(result, dict) else None
            if deal_id is None or not isinstance(targets, list):
                problems.error(KIND, name, None, path, "expected from.id and a list 'to'")
                continue
            for target_index, target in enumerate(targets):
                place = LabelPlace(name, None, f"{path}.to[{target_index}]")
                contact_id = _json_id(target, "toObjectId")
                types = target.get("associationTypes", []) if isinstance(target, dict) else None
                if contact_id is None or not isinstance(types, list):
                    problems.error(
                        KIND, name, None, place.path, "expected toObjectId and associationTypes"
                    )
                    continue
                found.add(deal_id, contact_id, None, place)
                for kind in types:
                    label = kind.get("label") if isinstance(kind, dict) else None
                    if isinstance(label, str) and label.strip():
                        found.add(deal_id, contact_id, label.strip(), place)


def _json_id(holder: Any, key: str) -> str | None:
    """A record id as the API writes it: a string or a number."""
    value = holder.get(key) if isinstance(holder, dict) else None
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    text = str(value).strip()
    return text or None


def _from_csv(text: str, name: str, problems: Problems, found: DealContactLabels) -> None:
    try:
        table = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        problems.error(KIND, name, None, None, f"unreadable CSV: {exc}")
        return
    header = [normalize_header(column) for column in (table[0] if table else [])]
    index: dict[str, int] = {}
    for wanted, spellings in _COLUMNS.items():
        at = next((i for i, column in enumerate(header) if column in spellings), None)
        if at is None:
            problems.error(
                KIND,
                name,
                1,
                _LABELS[wanted],
                f"missing column for {wanted} (one of: {', '.join(spellings)}, ignoring case "
                "and spaces)",
            )
        else:
            index[wanted] = at
    if len(index) < len(_COLUMNS):
        return
    for row, values in enumerate(table[1:], start=2):
        if not any(v.strip() for v in values):
            continue
        cells = {k: (values[i].strip() if i < len(values) else "") for k, i in index.items()}
        if not cells["deal_id"] or not cells["contact_id"]:
            problems.error(KIND, name, row, _LABELS["deal_id"], "blank deal or contact id")
            continue
        place = LabelPlace(name, row)
        found.add(cells["deal_id"], cells["contact_id"], None, place)
        for label in cells["label"].split(";"):
            if label.strip():
                found.add(cells["deal_id"], cells["contact_id"], label.strip(), place)


def labelled_seats(
    found: DealContactLabels,
    table: dict[str, Role],
    *,
    export: CrmExport,
    deals: set[str],
    listed_deals: set[str],
    contacts: Collection[str],
    problems: Problems,
) -> dict[tuple[str, str], Role]:
    """Seat every associated pair on its deal's committee (in ``export.roles``) and
    return the role the labels give each labelled pair. A pair naming a deal or a
    contact that is not in the export is an error; a deal the reader skipped (listed,
    but not read) is passed over. Unknown labels are Other; of several labels the
    strongest in :data:`ROLE_ORDER` counts; both with a warning."""
    labelled: dict[tuple[str, str], Role] = {}
    for (deal_id, contact_id), labels in found.labels.items():
        place = found.places[(deal_id, contact_id)]
        if deal_id not in deals:
            if deal_id not in listed_deals:
                problems.error(
                    KIND,
                    place.file,
                    place.row,
                    place.column(DEAL_COLUMN),
                    f"unknown deal {deal_id!r} (not in the deals file)",
                )
            continue
        if contact_id not in contacts:
            problems.error(
                KIND,
                place.file,
                place.row,
                place.column(CONTACT_COLUMN),
                f"unknown contact {contact_id!r} (not in the contacts file)",
            )
            continue
        export.roles.setdefault((deal_id, contact_id), Role.other)  # the role: see _contacts
        if not labels:
            continue  # unlabelled: the contact's Buying Role, if any
        roles = []
        for label in labels:
            role = table.get(normalize_header(label))
            if role is None:
                problems.warn(
                    KIND,
                    place.file,
                    place.row,
                    place.column(LABEL_COLUMN),
                    f"association label {label!r} (deal {deal_id!r}, contact {contact_id!r}) "
                    "is not known; taken as Other (GRAPHSVC_HUBSPOT_ASSOCIATION_ROLES maps "
                    "labels to roles)",
                )
                role = Role.other
            roles.append(role)
        chosen = strongest_role(roles)
        if len(set(roles)) > 1:
            problems.warn(
                KIND,
                place.file,
                place.row,
                place.column(LABEL_COLUMN),
                f"contact {contact_id!r} has several labels on deal {deal_id!r} "
                f"({'; '.join(labels)}): took {chosen.value}, the strongest role",
            )
        labelled[(deal_id, contact_id)] = chosen
    return labelled
