"""``/v1/deals/{deal_id}/notes``: notes on the people of a deal, governed like the other
facts: each is dated and signed (the API key's name), never edited, and a DELETE
withdraws it from now on (as of any earlier instant it is still listed). A note's
``ETag`` is its id (a note in effect never changes). Rules (the deal and the person
must exist, 1 to 2,000 characters): :class:`graphsvc.services.notes.NoteService`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from graphsvc.api.conditional import (
    IfNoneMatchRead,
    JsonBodyOnly,
    WriteCondition,
    etag,
    location,
    render_read,
)
from graphsvc.api.deps import Notes, ReadKey, WriteKey
from graphsvc.api.params import AsOf, DealId
from graphsvc.api.schemas import NoteIn, NoteList, NoteOut, render
from graphsvc.services.versioned import check_deletable

router = APIRouter(
    prefix="/v1/deals/{deal_id}/notes",
    tags=["notes"],
    dependencies=[JsonBodyOnly],
)

NoteId = Annotated[
    str,
    Path(min_length=1, max_length=64, pattern=r"^[0-9a-f]+$", description="The note's id"),
]
About = Annotated[
    str | None,
    Query(min_length=1, max_length=128, description="Only the notes about this person"),
]


def _at(deal_id: str, note_id: str) -> str:
    return location("v1", "deals", deal_id, "notes", note_id)


@router.get("", response_model=NoteList, summary="The deal's notes as of an instant, newest first")
def list_notes(
    deal_id: DealId,
    principal: ReadKey,
    notes: Notes,
    as_of: AsOf = None,
    stakeholder_id: About = None,
) -> Response:
    found = notes.list(
        workspace=principal.workspace,
        deal_id=deal_id,
        as_of=as_of,
        stakeholder_id=stakeholder_id,
    )
    return render(NoteList(items=[NoteOut.of_note(n, deal_id) for n in found]))


@router.post(
    "",
    response_model=NoteOut,
    status_code=201,
    summary="Write a note on a person of the deal; returns it with its id",
)
def post_note(deal_id: DealId, body: NoteIn, principal: WriteKey, notes: Notes) -> Response:
    note = notes.record(
        workspace=principal.workspace,
        deal_id=deal_id,
        stakeholder_id=body.stakeholder_id,
        text=body.text,
        actor=principal.actor,
    )
    response = render(NoteOut.of_note(note, deal_id), status_code=201)
    response.headers.update({"Location": _at(deal_id, note.id), "ETag": etag(note.id)})
    return response


@router.get(
    "/{note_id}",
    response_model=NoteOut,
    summary="Read a note in effect",
    responses={304: {"description": "Not modified (If-None-Match)"}},
)
def get_note(
    deal_id: DealId,
    note_id: NoteId,
    principal: ReadKey,
    notes: Notes,
    if_none_match: IfNoneMatchRead = None,
) -> Response:
    note = notes.get(workspace=principal.workspace, deal_id=deal_id, note_id=note_id)
    return render_read(NoteOut.of_note(note, deal_id), note.id, if_none_match)


@router.delete(
    "/{note_id}",
    status_code=204,
    response_class=Response,
    summary="Withdraw a note from now on (kept in the as-of history)",
)
def withdraw_note(
    deal_id: DealId,
    note_id: NoteId,
    principal: WriteKey,
    notes: Notes,
    condition: WriteCondition,
) -> Response:
    ws = principal.workspace
    check_deletable(
        condition,
        lambda: (None, notes.get(workspace=ws, deal_id=deal_id, note_id=note_id).id),
        f"note {note_id!r}",
    )
    notes.withdraw(workspace=ws, deal_id=deal_id, note_id=note_id, actor=principal.actor)
    return Response(status_code=204)
