"""The deal page's change log: who changed what, newest first.

Two sources, merged: the page's own entries (:class:`~graphsvc.web.repository.ChangeEntry`,
written with a sentence and the operations that undo them) and every other signed fact
of the deal (written through the API with a key's name, or by an import), described
from the fact itself. A fact the page wrote is already told by its entry: the page
signs its facts with the entry's author and instant, and names its interactions in the
entry's undo operations, so those facts are left out.

Many facts of one author at one instant (an import, a batch) make one line.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import groupby

from graphsvc.domain.models import from_ms
from graphsvc.web.repository import ChangeEntry, SignedFact

# More facts than this of one author, instant and kind are told as one count.
GROUPED_ABOVE = 3
_KIND_NAMES = {
    "member": "committee facts",
    "influence": "influence lines",
    "reporting": "reporting lines",
    "interaction": "interactions",
    "withdrawal": "interaction withdrawals",
    "deal": "deal changes",
}


@dataclass(frozen=True)
class LogEntry:
    """One line of the change log: ``actor`` ``summary``, at ``at`` (epoch ms)."""

    at: int
    actor: str
    action: str
    summary: str
    undone_by: str | None = None


def describe_fact(fact: SignedFact, names: dict[str, str]) -> str:
    """The sentence for one fact, after its author's name.

    Examples
    --------
    >>> fact = SignedFact("member", "p1", None, 0, 0, "crm-sync",
    ...                   '[true,"Economic Buyer","supporter",true,null,null]')
    >>> describe_fact(fact, {"p1": "Ann"})
    "set Ann's seat: Economic Buyer, supporter, ally"
    >>> describe_fact(SignedFact("influence", "p1", "p2", 0, 0, "k", "[false,null]"), {})
    'ended the influence line p1 → p2'
    >>> describe_fact(SignedFact("withdrawal", "i1", None, 0, 9, "k", "meeting"), {})
    'withdrew the meeting of 1970-01-01'
    >>> deal = SignedFact("deal", "d1", None, 0, 0, "k", '["Proposal",250000,"EUR",false]')
    >>> describe_fact(deal, {})
    'changed the deal: stage Proposal, amount 250,000 EUR'
    """
    source = names.get(fact.source_id, fact.source_id)
    target = names.get(fact.target_id or "", fact.target_id or "")
    if fact.kind == "interaction":
        return f"logged a {fact.state} on {from_ms(fact.at).date().isoformat()}"
    if fact.kind == "withdrawal":
        return f"withdrew the {fact.state} of {from_ms(fact.at).date().isoformat()}"
    if fact.kind == "deal":
        stage, amount, currency, created = json.loads(fact.state)
        parts = [f"stage {stage}"] if stage else []
        if amount is not None:
            parts.append(f"amount {amount:,.0f}" + (f" {currency}" if currency else ""))
        return ("created the deal" if created else "changed the deal") + (
            f": {', '.join(parts)}" if parts else ""
        )
    state = json.loads(fact.state)
    active = bool(state[0])
    if fact.kind == "member":
        if not active:
            return f"removed {source} from the committee"
        role, stance, ally = state[1], state[2], state[3]
        return f"set {source}'s seat: {role}, {stance}" + (", ally" if ally else "")
    if fact.kind == "influence":
        if not active:
            return f"ended the influence line {source} → {target}"
        return f"drew an influence line {source} → {target} ({float(state[1]):.2f})"
    if not active:
        return f"ended the reporting line: {source} reports to {target}"
    return f"set a reporting line: {source} reports to {target}"


def merged_log(
    changes: Sequence[ChangeEntry],
    facts: Sequence[SignedFact],
    *,
    names: dict[str, str],
    limit: int,
) -> list[LogEntry]:
    """The page's entries and the other signed facts, newest first, at most ``limit``."""
    told = {(c.actor, c.at) for c in changes}
    page_interactions = {
        op.get("id") for c in changes for op in (c.undo or ()) if op.get("op") == "interaction"
    }
    others = [
        f
        for f in facts
        if (f.by, f.at) not in told
        and not (f.kind in ("interaction", "withdrawal") and f.source_id in page_interactions)
    ]
    entries = [
        LogEntry(at=c.at, actor=c.actor, action=c.action, summary=c.summary, undone_by=c.undone_by)
        for c in changes
    ]

    def group_key(fact: SignedFact) -> tuple[str, int, str]:
        return (fact.by, fact.recorded, fact.kind)

    for (by, recorded, kind), group in groupby(sorted(others, key=group_key), key=group_key):
        members = list(group)
        if len(members) > GROUPED_ABOVE:
            entries.append(
                LogEntry(recorded, by, "facts", f"recorded {len(members)} {_KIND_NAMES[kind]}")
            )
        else:
            entries.extend(
                LogEntry(recorded, by, "fact", describe_fact(fact, names)) for fact in members
            )
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries[:limit]
