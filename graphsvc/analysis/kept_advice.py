"""Kept advice: each deal's forecast, next best contacts and warm paths, kept in the store
on demand with the revision they were computed from, under the freshness rules of the
kept full analysis (:mod:`graphsvc.analysis.results`): every process (API workers, the
web app, the CLI) answers from the same kept advice, and none serves one that a write
through another process has made stale.

What makes it stale:

* the deal's own facts (committee, its lines, its interactions): the deal's ``arev``,
  set by those writes' statements, as for the kept results;
* the warm paths also read people outside the committee: the rings of influence and
  reporting lines around it, whom our team met on any deal, and their names. The keep
  statement (``deal_advice_keep.cypher``) draws an ``ADVICE_INPUT`` line from each
  person the search read to the advice; a line recorded between two people, an
  interaction, or a new name of one of them sets the advice's ``wrev`` in the write's
  own statement (``influence_record``, ``reporting_record``, ``interaction_upsert``,
  ``interaction_withdraw``, ``deal_delete``, ``stakeholder_upsert``);
* time: the advice holds until the deal's next dated fact, or the next dated line or
  meeting among the people read (``due``).

Fresh: a body, ``rev >= arev``, ``rev >= wrev``, the running engine, and the instant
asked for in ``[at, due)``. A body computed while the workspace was written is kept
without its body (the lines only): the write may touch a person not watched before.
The erasure deletes every kept advice that read the erased person
(``stakeholder_advice_forget.cypher``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from graphsvc.analysis.horizon import committee_unchanged_until, history_until
from graphsvc.analysis.kept_rows import keep_params
from graphsvc.analysis.paths import Acquaintances
from graphsvc.analysis.schemas import DealAdvice
from graphsvc.domain.models import END_OF_TIME, from_ms, to_ms
from graphsvc.domain.snapshot import DealHistory
from graphsvc.store.codecs import node_key
from graphsvc.store.repository import GraphStore

# Bump when what is kept of the advice changes for the same facts and engine.
ADVICE_VERSION = "a1"


Compute = Callable[..., tuple[DealAdvice, Acquaintances]]


class KeptAdvice:
    """The kept advice of a store's deals (see the module docstring)."""

    def __init__(self, *, store: GraphStore, engine: str, compute: Compute) -> None:
        self.store = store
        # The analysis engine's tag (its parameters included) and this module's version.
        self.engine = f"{engine}:{ADVICE_VERSION}"
        # compute(workspace=..., history=...): the advice of a history as of its instant,
        # and what its warm paths read (AnalysisService.advice_of).
        self.compute = compute

    def get(self, *, workspace: str, deal_id: str, at: datetime) -> tuple[DealAdvice, int] | None:
        """The deal's advice as of ``at`` and until when it holds (epoch ms): the kept one
        when fresh, else computed from one read of the deal's facts and kept. None: no
        such deal."""
        moment = to_ms(at)
        key = node_key(workspace, deal_id)
        rows = self.store.runner.read("deal_advice_get", {"key": key})
        if not rows:
            return None
        row = rows[0]
        if self._is_fresh(row, moment):
            advice = DealAdvice.model_validate_json(row["body"])
            return advice.at(from_ms(moment)), int(row["due"])
        # The revision first: every write the reads below may miss has a later one.
        revision = self.store.workspace_revision(workspace=workspace)
        found = self.store.deal_histories(
            workspace=workspace, deal_ids=[deal_id], as_of=END_OF_TIME
        )
        if not found:
            return None
        [history] = found
        advice, around = self.compute(workspace=workspace, history=history_until(history, moment))
        due = min(committee_unchanged_until(history, moment), around.next_change)
        kept = keep_params(
            workspace=workspace,
            key=key,
            revision=revision,
            moment=moment,
            due=due,
            engine=self.engine,
            body=advice.model_dump_json(),
        )
        watched = watched_keys(workspace, history, around)
        self.store.runner.write("deal_advice_keep", {**kept, "watched": watched})
        return advice, due

    def _is_fresh(self, row: dict[str, Any], moment: int) -> bool:
        return (
            row["body"] is not None
            and row["rev"] is not None
            and int(row["rev"]) >= int(row["arev"])
            and int(row["rev"]) >= int(row["wrev"])
            and row["engine"] == self.engine
            and int(row["at"]) <= moment < int(row["due"])
        )


def watched_keys(workspace: str, history: DealHistory, around: Acquaintances) -> list[str]:
    """The store keys of everyone the advice read: the committee (all who ever sat on it;
    the deal's own facts mark the deal itself) and the people its warm-path search
    reached.

    Examples
    --------
    >>> from graphsvc.analysis._examples import history_from_events
    >>> from graphsvc.store.codecs import KEY_SEPARATOR
    >>> h = history_from_events([(0, "a", {"role": "Decision Maker"})])
    >>> keys = watched_keys("ws", h, Acquaintances(seen=("a", "y")))
    >>> [key.split(KEY_SEPARATOR)[1] for key in keys]
    ['a', 'y']
    """
    people = set(history.stakeholders) | set(around.seen)
    return [node_key(workspace, sid) for sid in sorted(people)]
