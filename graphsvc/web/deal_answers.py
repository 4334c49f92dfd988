"""The deal page's JSON answers (the state after an edit, a poll, a conflict): what the
page's script draws and the side panel, without what the page already has.

The script names the editing forms it shows (``X-Forms-Key``) and the lines it has
drawn (``X-Lines-Key``); unchanged ones are not resent.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from graphsvc.users import SignedIn
from graphsvc.web.deal_room import DealState
from graphsvc.web.pages import render_fragment

# The page's script names the editing forms it shows; unchanged forms are not resent.
FORMS_KEY_HEADER = "X-Forms-Key"
# ... and the lines it has drawn: unchanged lines (some 800 on a large committee) are
# not resent after an edit of a person.
LINES_KEY_HEADER = "X-Lines-Key"
# What the page's script draws of a frame (the deal-map page's tooltips and the rest of
# the frame are not used here, and would double the answer).
DRAWN_PARTS = (
    "nodes",
    "edges",
    "levels",
    "positions",
    "options",
    "alert_node",
    "top_decision_maker",
    "committee_size",
)


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, separators=(",", ":")).encode()).hexdigest()[:16]


def _forms_key(state: DealState, members: list[dict[str, Any]], can_edit: bool) -> str:
    """What the editing forms depend on (the people and the lines): the page keeps its
    forms, with what the user has typed and opened, while this stays the same."""
    return _digest(
        [
            can_edit,
            [(m["id"], m["name"]) for m in members],
            [(x.source_id, x.target_id, x.strength) for x in state.snapshot.influences],
            [(x.source_id, x.target_id) for x in state.snapshot.reporting],
        ]
    )


def state_json(
    state: DealState,
    *,
    user: SignedIn,
    ws: str,
    can_edit: bool,
    notice: str | None = None,
    forms_key_seen: str | None = None,
    lines_key_seen: str | None = None,
) -> dict[str, Any]:
    members = [
        {
            "id": m.id,
            "name": m.stakeholder.name,
            "role": m.role.value,
            "stance": m.stance.value,
            "ally": m.ally,
            "influence_rating": m.influence_rating,
            "self_weight": m.self_weight,
        }
        for m in state.snapshot.members
    ]
    editable = can_edit and state.is_now
    forms_key = _forms_key(state, members, editable)
    forms = None
    if forms_key != forms_key_seen:
        forms = render_fragment(
            "_deal_forms.html.j2",
            state=state,
            members=members,
            can_edit=editable,
            csrf_token=user.csrf_token,
            user=user,
        )
    side = render_fragment(
        "_deal_side.html.j2",
        state=state,
        members=members,
        can_edit=editable,
        workspace=ws,
        csrf_token=user.csrf_token,
        user=user,
        forms_html=forms,
    )
    frame = {part: state.frame[part] for part in DRAWN_PARTS}
    lines_key = _digest(frame["edges"])
    if lines_key == lines_key_seen:
        frame["edges"] = None  # the page keeps the lines it has
    return {
        "revision": state.revision,
        "frame": frame,
        "lines_key": lines_key,
        "members": members,
        "side_html": side,
        "forms_key": forms_key,
        "forms_sent": forms is not None,
        "layout": state.layout,
        "positions": state.positions,
        "notice": notice,
        "is_now": state.is_now,
    }
