"""Row codecs: how domain values become stored properties and query rows, and back.

Pure functions, no runner: what the repositories of :mod:`graphsvc.store` write is
built here, and what the history query returns is decoded here. See
:mod:`graphsvc.store.repository` for the graph they encode.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from functools import lru_cache
from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]
from typing import Any

import orjson
from pydantic import BaseModel

from graphsvc.domain.models import (
    NEVER_MS,
    Deal,
    Interaction,
    Membership,
    MembershipEnd,
    Role,
    Stakeholder,
    Stance,
    to_ms,
)
from graphsvc.domain.snapshot import (
    InteractionRecord,
    LineFact,
    MembershipFact,
    StakeholderInfo,
)
from graphsvc.store.wire import KEY_SEPARATOR

# An instant after every recorded fact: "no as-of bound".
FAR_FUTURE_MS = NEVER_MS
# changed_rev/changed_at: the changes feed; arev: the analysis-input revision of a deal.
_INTERNAL_PROPS = frozenset(
    {
        "ws",
        "h",
        "key",
        "account_key",
        "deal_key",
        "packed",
        "changed_rev",
        "changed_at",
        "arev",
        "recorded_by",
        # Who created and last changed a record (kept beside its values: see Authors).
        "created_by",
        "created_at",
        "updated_by",
    }
)
# Packed on the node; stakeholder_ids stay apart, since deleting a person edits them.
INTERACTION_FIELDS = ("id", "at", "channel", "team_member_emails", "summary", "next_step_at")

_FINGERPRINT_JSON = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))
STATE_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def node_key(workspace: str, natural_id: str) -> str:
    """The indexed, unique lookup key of a node: its workspace and its id in one string.

    The trailing separator matters: FalkorDB 4.16's string indexes drop whitespace (and
    \x01) at either end of a value, so an id ending in a space would otherwise collide
    with the same id without it (and crash the unique-constraint check).

    Examples
    --------
    >>> node_key("acme", "d-1").split(KEY_SEPARATOR)
    ['acme', 'd-1', '']
    """
    return f"{workspace}{KEY_SEPARATOR}{natural_id}{KEY_SEPARATOR}"


def _fingerprint_text() -> Callable[[Any], str]:
    """``_FINGERPRINT_JSON.encode``, with CPython's C encoder made once: ``encode`` makes
    one per call, which was a third of fingerprinting the 100,000 records a CRM export's
    re-import compares (the values are plain JSON, never cyclic, so no marker dict)."""
    if c_make_encoder is None:  # pragma: no cover - not CPython
        return _FINGERPRINT_JSON.encode
    encode = c_make_encoder(
        None, _FINGERPRINT_JSON.default, encode_basestring, None, ":", ",", True, False, True
    )
    return lambda values: "".join(encode(values, 0))


_fingerprint_json = _fingerprint_text()


def fingerprint(values: Any) -> str:
    """A short digest of JSON-able values (key order does not matter)."""
    text = _fingerprint_json(values)
    return hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()


def content_tag(values: dict[str, Any]) -> str:
    """The fingerprint ``h`` a node holding ``values`` (a model's JSON dump) is stored
    with: the API's entity tag, so a client's ``If-Match`` is compared in the write."""
    return fingerprint({k: v for k, v in values.items() if v is not None})


def node_props(ws: str, values: dict[str, Any], natural_id: str, **keys: str) -> dict[str, Any]:
    """Stored property map: ``None`` dropped (neither backend stores null), ``h`` the
    fingerprint of the values, then ws, key and the given reference keys.

    Examples
    --------
    >>> props = node_props("ws", {"id": "a", "name": "A", "tier": None}, "a")
    >>> sorted(props), props["key"] == node_key("ws", "a")
    (['h', 'id', 'key', 'name', 'ws'], True)
    """
    kept = {k: v for k, v in values.items() if v is not None}
    kept["h"] = content_tag(kept)
    kept["ws"] = ws
    kept["key"] = node_key(ws, natural_id)
    kept.update(keys)
    return kept


def plain(props: dict[str, Any]) -> dict[str, Any]:
    """The caller's values of a stored property map (internal keys dropped)."""
    return {k: v for k, v in props.items() if k not in _INTERNAL_PROPS}


def deal_from_props(props: dict[str, Any]) -> Deal:
    return Deal.model_validate(plain(props))


def state(values: list[Any]) -> str:
    """A fact's full state as compact JSON: compared to tell a change from a repeat,
    and read back in one value instead of one per attribute."""
    return STATE_JSON.encode(values)


def membership_row(
    ws: str, m: Membership | MembershipEnd, at: int, by: str | None = None
) -> dict[str, Any]:
    """A membership fact; ``by`` is who made it (kept on the fact, not in its state)."""
    row: dict[str, Any] = {
        "deal_key": node_key(ws, m.deal_id),
        "stakeholder_key": node_key(ws, m.stakeholder_id),
        "at": at,
        "by": by,
    }
    if isinstance(m, Membership):
        values = [True, m.role.value, m.stance.value, m.ally, m.influence_rating, m.self_weight]
    else:
        values = [False, None, None, False, None, None]
    row.update(state=state(values), active=values[0])
    return row


def line_row(
    ws: str,
    source_id: str,
    target_id: str,
    at: int,
    strength: float | None,
    by: str | None = None,
) -> dict[str, Any]:
    """An influence or reporting fact; ``strength`` None ends the line; ``by`` is who
    made it."""
    active = strength is not None
    return {
        "source_key": node_key(ws, source_id),
        "target_key": node_key(ws, target_id),
        "at": at,
        "by": by,
        "active": active,
        "state": state([active, strength]),
    }


def interaction_values(x: Interaction) -> dict[str, Any]:
    """An interaction's stored values (before :func:`node_props`)."""
    return {
        "id": x.id,
        "deal_id": x.deal_id,
        "at": to_ms(x.at),
        "channel": x.channel.value,
        "stakeholder_ids": list(x.stakeholder_ids),
        "team_member_emails": list(x.team_member_emails),
        "summary": x.summary,
        "next_step_at": to_ms(x.next_step_at) if x.next_step_at else None,
    }


def stored_fingerprint(model: BaseModel) -> str:
    """The ``h`` an upsert of ``model`` (an account, deal, stakeholder or interaction)
    stores, see :func:`node_props`."""
    if isinstance(model, Interaction):
        values = interaction_values(model)
    elif isinstance(model, Stakeholder):
        values = dict(vars(model))  # every field a str or None: its JSON dump, cheaper
    else:
        values = model.model_dump(mode="json")
    return fingerprint({k: v for k, v in values.items() if v is not None})


def with_stable_id(interaction: Interaction) -> Interaction:
    """An interaction sent without an id gets one derived from its content, so sending
    the same (id-less) interaction again is recognised instead of stored twice."""
    if "id" in interaction.model_fields_set:
        return interaction
    content = interaction.model_dump(mode="json", exclude={"id"})
    return interaction.model_copy(update={"id": "ix-" + fingerprint(content)})


# --------------------------------------------------------------------------- decoding


_ROLES: dict[str, Role] = {role.value: role for role in Role}
_STANCES: dict[str | None, Stance] = {stance.value: stance for stance in Stance}
_STANCES[None] = Stance.unknown


@lru_cache(maxsize=65_536)
def membership_state(
    packed_state: str,
) -> tuple[bool, Role | None, Stance, bool, int | None, float | None]:
    """A membership fact's state, parsed (``[active, role, stance, ally,
    influence_rating, self_weight]``). Few distinct states recur across a fleet (a few
    tens of thousands: self-weights differ) and every read shares them: each is parsed
    once, with orjson (a seventh of the stdlib's time; a cold scan of 10,000 deals
    parsed them for 0.2 s of its CPU with the stdlib). States hold finite numbers only
    (the models refuse NaN and infinities), which orjson reads as the stdlib does."""
    active, role, stance, ally, rating, weight = orjson.loads(packed_state)
    return (
        active,
        # A dict lookup (an enum call costs ten times more); a value neither enum has
        # still raises the enum's own ValueError.
        (_ROLES.get(role) or Role(role)) if role is not None else None,
        _STANCES.get(stance) or Stance(stance),
        bool(ally),
        rating,
        weight,
    )


@lru_cache(maxsize=65_536)
def line_state(packed_state: str) -> tuple[bool, float]:
    active, strength = orjson.loads(packed_state)
    return active, (strength if strength is not None else 1.0)


class Canonical(dict[str, str]):
    """Maps each string to the first equal string it was given (a per-read intern table)."""

    def __call__(self, value: str) -> str:
        return self.setdefault(value, value)


def interaction_record(item: list[Any], canonical: Canonical) -> InteractionRecord:
    packed, stakeholder_ids = item[0], item[1]  # a compact row adds withdrawn_at
    return interaction_from(orjson.loads(packed), tuple(map(canonical, stakeholder_ids or ())))


def interaction_from(values: list[Any], stakeholder_ids: tuple[str, ...]) -> InteractionRecord:
    """An interaction from its packed JSON, parsed (``[id, at, channel,
    team_member_emails, summary, next_step_at]``), and its stakeholder ids."""
    iid, at, channel, emails, summary, next_step_at = values
    # In declaration order, by position (id, at, channel, stakeholder_ids,
    # team_member_emails, summary, next_step_at): a cold scan builds ~170,000.
    return InteractionRecord(
        iid, at, channel, stakeholder_ids, tuple(emails or ()), summary, next_step_at
    )


def membership_fact(sid: str, packed: str) -> MembershipFact:
    at, seq, packed_state = packed.split(KEY_SEPARATOR, 2)
    active, role, stance, ally, rating, weight = membership_state(packed_state)
    return MembershipFact(
        stakeholder_id=sid,
        at=int(at),
        seq=int(seq),
        active=active,
        role=role,
        stance=stance,
        ally=ally,
        influence_rating=rating,
        self_weight=weight,
    )


def facts_within(
    by_source: dict[str, list[LineFact]], members: dict[str, StakeholderInfo]
) -> tuple[LineFact, ...]:
    """The line facts whose two ends both sat on the deal."""
    return tuple(
        fact for sid in members for fact in by_source.get(sid, ()) if fact.target_id in members
    )
