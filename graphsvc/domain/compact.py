"""A deal's facts as the fleet scan reads them: sorted plain tuples, folded on demand.

:class:`CompactHistory` holds the same facts as a :class:`~graphsvc.domain.snapshot.
DealHistory`, but per member and per line as a sorted list of plain ``(at, seq,
state)`` tuples instead of one frozen object per fact: a cold scan of 10,000 deals reads
about two million facts and folds each deal at two instants only (now and the trend's
reference), so it builds objects only for what those two committees hold.
:meth:`CompactHistory.snapshot` equals ``DealHistory.snapshot`` at every instant
(tests/store/test_compact_read.py), and :meth:`CompactHistory.history` gives the
``DealHistory`` itself where a caller needs every fact (the kept results' horizon).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from typing import TypeVar

from graphsvc.domain.models import Deal, Role, Stance
from graphsvc.domain.snapshot import (
    DealHistory,
    DealSnapshot,
    InteractionRecord,
    Line,
    LineFact,
    Member,
    MembershipFact,
    StakeholderInfo,
)

_S = TypeVar("_S")

# A membership state: (active, role, stance, ally, influence_rating, self_weight).
MemberState = tuple[bool, Role | None, Stance, bool, int | None, float | None]
LineState = tuple[bool, float]  # (active, strength)
# One person's membership facts on a deal, (at, seq, state), sorted by (at, seq).
MemberFacts = tuple[StakeholderInfo, list[tuple[int, int, MemberState]]]
# One line's facts, (source id, target id, [(at, seq, state)] sorted by (at, seq)).
LineFacts = tuple[str, str, list[tuple[int, int, LineState]]]


def _latest(facts: list[tuple[int, int, _S]], t: int) -> int:
    """Index of the last fact at or before ``t`` (-1: none); facts are few per person
    and per line, so a walk from the end beats a bisection."""
    k = len(facts) - 1
    while k >= 0 and facts[k][0] > t:
        k -= 1
    return k


@dataclass(slots=True)
class CompactHistory:
    """All facts of one deal up to ``as_of`` (epoch ms), as sorted tuples.

    ``members`` are in stakeholder id order and hold only people with an active fact
    (an end that arrived for someone who never joined is not shown); ``influence`` and
    ``reporting`` are in (source, target) order and hold only lines whose two ends both
    sat on the deal; ``interactions`` are oldest first (then by id)."""

    workspace: str
    deal: Deal
    as_of: int
    members: list[MemberFacts]
    influence: list[LineFacts]
    reporting: list[LineFacts]
    interactions: tuple[InteractionRecord, ...]
    _interaction_ats: list[int] = field(default_factory=list)
    # The Member each membership fact folds into, and each line's last built (fact index,
    # Line), built on first use: a fact folds into the same object at every instant, so
    # comparing the trend's two committees is mostly identity checks
    # (ranking.same_scores).
    _built: dict[tuple[int, int], Member] = field(default_factory=dict)
    _influence_cache: list[tuple[int, Line] | None] = field(default_factory=list)
    _reporting_cache: list[tuple[int, Line] | None] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._interaction_ats = [i.at for i in self.interactions]
        self._influence_cache = [None] * len(self.influence)
        self._reporting_cache = [None] * len(self.reporting)

    def first_fact_at(self) -> int | None:
        """The first membership fact or interaction (``DealHistory.first_fact_at``)."""
        instants = [facts[0][0] for _, facts in self.members]
        if self._interaction_ats:
            instants.append(self._interaction_ats[0])
        return min(instants) if instants else None

    def snapshot(self, as_of: int | None = None) -> DealSnapshot:
        """The committee as of ``as_of`` (default and at most: the history's instant),
        equal to ``self.history().snapshot(as_of)``."""
        t = self.as_of if as_of is None else min(as_of, self.as_of)
        built = self._built
        members: list[Member] = []
        for p, (info, facts) in enumerate(self.members):
            # Most people have one fact, or none after t: the last fact is the answer.
            k = len(facts) - 1
            if facts[k][0] > t:
                k = _latest(facts, t)
                if k < 0:
                    continue
            member = built.get((p, k))
            if member is None:
                active, role, stance, ally, rating, weight = facts[k][2]
                if not active or role is None:
                    continue
                start = k  # the unbroken active run this fact ends
                while start > 0 and facts[start - 1][2][0]:
                    start -= 1
                member = built[(p, k)] = Member(
                    stakeholder=info,
                    role=role,
                    stance=stance,
                    ally=ally,
                    influence_rating=rating,
                    self_weight=weight,
                    since=facts[start][0],
                )
            members.append(member)
        ids = {m.stakeholder.id for m in members}
        return DealSnapshot(
            workspace=self.workspace,
            deal=self.deal,
            as_of=t,
            members=tuple(members),
            influences=self._fold_lines(self._influence_cache, self.influence, t, ids),
            reporting=self._fold_lines(self._reporting_cache, self.reporting, t, ids),
            interactions=self.interactions[: bisect_right(self._interaction_ats, t)],
        )

    @staticmethod
    def _fold_lines(
        cache: list[tuple[int, Line] | None], grouped: list[LineFacts], t: int, ids: set[str]
    ) -> tuple[Line, ...]:
        """The lines in effect at ``t`` between members; ``cache`` holds each line's
        last built (fact index, Line), so a fold at another instant that lands on the
        same fact gives the same object."""
        lines: list[Line] = []
        for i, (source, target, facts) in enumerate(grouped):
            if source not in ids or target not in ids:
                continue
            k = len(facts) - 1
            fact = facts[k]
            if fact[0] > t:
                k = _latest(facts, t)
                if k < 0:
                    continue
                fact = facts[k]
            active, strength = fact[2]
            if active:
                held = cache[i]
                if held is not None and held[0] == k:
                    lines.append(held[1])
                else:
                    line = Line(source, target, strength, fact[0])
                    cache[i] = (k, line)
                    lines.append(line)
        return tuple(lines)  # grouped is in (source, target) order

    def until(self, at: int) -> CompactHistory:
        """The history as the store reads it as of ``at``: facts dated after it left
        out, and only people who had sat on the deal by then (the compact counterpart of
        ``analysis.results.history_until``: read every fact once, future-dated ones
        included, for a horizon, and analyse the deal as of an instant)."""
        members: list[MemberFacts] = []
        for info, facts in self.members:
            kept = facts[: _latest(facts, at) + 1]
            if any([state[0] for _, _, state in kept]):
                members.append((info, kept))
        seated = {info.id for info, _ in members}
        return CompactHistory(
            workspace=self.workspace,
            deal=self.deal,
            as_of=at,
            members=members,
            influence=_lines_until(self.influence, at, seated),
            reporting=_lines_until(self.reporting, at, seated),
            interactions=self.interactions[: bisect_right(self._interaction_ats, at)],
        )

    def history(self) -> DealHistory:
        """The same facts as a :class:`DealHistory` (one object per fact)."""
        # By position, in declaration order (stakeholder_id, at, seq, then the state's
        # active, role, stance, ally, influence_rating, self_weight): a frozen dataclass
        # built from keywords costs a third more, and the kept results build one per fact.
        membership = [
            MembershipFact(info.id, at, seq, *state)
            for info, facts in self.members
            for at, seq, state in facts
        ]
        return DealHistory(
            workspace=self.workspace,
            deal=self.deal,
            as_of=self.as_of,
            stakeholders={info.id: info for info, _ in self.members},
            membership_facts=tuple(membership),
            influence_facts=_line_history(self.influence),
            reporting_facts=_line_history(self.reporting),
            interactions=self.interactions,
        )


def _lines_until(grouped: list[LineFacts], at: int, seated: set[str]) -> list[LineFacts]:
    cut: list[LineFacts] = []
    for source, target, facts in grouped:
        if source in seated and target in seated:
            kept = facts[: _latest(facts, at) + 1]
            if kept:
                cut.append((source, target, kept))
    return cut


def _line_history(grouped: list[LineFacts]) -> tuple[LineFact, ...]:
    # By position, in declaration order (source_id, target_id, at, seq, active,
    # strength), as above.
    return tuple(
        LineFact(source, target, at, seq, *state)
        for source, target, facts in grouped
        for at, seq, state in facts
    )
