"""GraphStore: every store operation, run as named queries through a backend runner.

:class:`GraphStore` composes one repository per aggregate (``store.accounts``,
``store.deals``, ``store.stakeholders``, ``store.team_members``, ``store.committee``,
``store.lines``, ``store.interactions``, ``store.histories``, ``store.bundles``) over
one shared :class:`~graphsvc.store.core.StoreCore` (runner, chunking, the ordered
writer, reference checks); the row codecs are in :mod:`graphsvc.store.codecs`. Its
flat methods (``get_deal``, ``record_memberships``, ...) delegate to them, so callers
that need several aggregates hold one object.

The graph
---------
Every node carries ``ws`` (its workspace) and a ``key``: the workspace and the node's
natural id in one string (:func:`node_key`), indexed and unique. Every lookup goes by
``key`` (or by ``ws`` for a workspace scan), so no operation of workspace B reaches
anything of workspace A, whatever ids it passes. Labels are the fixed enum of
:mod:`graphsvc.store.schema` and relationship types are written in the query files,
never taken from input.

Nodes::

    (:Workspace {ws, rev, lock})               rev: bumped by every write statement
    (:Account {ws, key, id, name, tier, h})
    (:Deal {ws, key, id, account_id, account_key, name, owner_email, amount, currency,
            stage, status, close_date, h})-[:FOR_ACCOUNT]->(:Account)
    (:Stakeholder {ws, key, id, account_id, account_key, name, title, email, h})
        -[:WORKS_AT]->(:Account)
    (:TeamMember {ws, key, email, name, h})
    (:Interaction {ws, key, id, deal_id, deal_key, at, channel, stakeholder_ids,
                   team_member_emails, summary, next_step_at, h})

``h`` is a fingerprint of the stored values: an upsert whose fingerprint equals the
stored one reports ``unchanged`` and writes nothing. Absent optional values are not
stored (``None`` is never a property value). Instants are epoch milliseconds.

History is kept as *fact relationships*, never overwritten::

    (:Stakeholder)-[:MEMBER_FACT {at, seq, recorded, active, state, packed}]->(:Deal)
    (:Stakeholder)-[:INFLUENCE_FACT {...the same}]->(:Stakeholder)
    (:Stakeholder)-[:REPORTS_FACT {...the same}]->(manager:Stakeholder)

Each fact is the full state of the membership or line from ``at`` (the caller's
instant or now) until the next fact of the same pair: ``state`` is compact JSON,
``[active, role, stance, ally, influence_rating, self_weight]`` for a membership,
``[active, strength]`` for a line; ``active`` false ends it (removing a member or a
line records an inactive fact; the past stays). ``seq`` orders facts of one instant:
``workspace revision * 1e6 + row index``, taken inside the writing statement, so it is
unique in the workspace and a later write wins a tie; ``recorded`` is the server time.
Facts are CREATEd, never MERGEd, so concurrent writers cannot fold two changes into
one. Idempotence: a fact is not recorded when the latest fact at exactly its instant
has the same state (re-imports change nothing). A fact that merely repeats the state in
effect *is* recorded (and counted ``unchanged``), because facts arrive out of order: a
change recorded later at an earlier instant must not swallow it.

Writes
------
One statement per chunk of ``settings.store_batch_size`` rows (``UNWIND $rows``), which
also bumps the workspace revision. Fact writes go in *rounds*: one fact per pair per
statement, so each fact sees the one before it. Everything is validated before the
first write (pydantic, then references: deals, stakeholders and accounts must exist in
the same workspace); one invalid item means nothing is written. A concurrent delete
between validation and write can still drop rows (the writes MATCH their endpoints,
so nothing dangling is ever created).

Deletes
-------
* ``delete_deal``: the deal, its membership facts and its interactions.
* ``delete_stakeholder``: the person, all their facts, and their id in interactions.
* ``delete_account``: refused with 409 :class:`~graphsvc.errors.Conflict` while a deal
  is on the account or one of its stakeholders sits on a deal (delete those first);
  otherwise the account and its stakeholders (with their line facts) go.

Reads return plain values (models and dataclasses, never driver objects). A deal's
history is one query (``deal_history.cypher``) whether for one deal or for a chunk of
500 (``deal_histories``, ``open_deal_histories``): memberships with the stakeholders,
their influence and reporting facts, and the interactions, each ``UNWIND``-ing the ids.
Facts travel as one string each, their ``packed`` property (built once when recorded,
see the record queries), because the fleet scan reads some 200 facts per deal and
every value returned costs. The cold fleet scan reads through ``fleet_fact_chunks``
instead (``deal_history_compact.cypher``, or FalkorDB's own version of it, decoded by
:mod:`graphsvc.store.compact` into one array-backed ``FactChunk`` per 500 deals, no
object per fact, two chunks read ahead on background threads); the kept results through
``fleet_fact_chunk_pairs`` (the same read, decoded as of an instant and with every
fact), and callers that fold a deal at many instants through ``fleet_histories_compact``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime

from graphsvc.config import Settings, get_settings
from graphsvc.domain.chunk import FactChunk
from graphsvc.domain.compact import CompactHistory
from graphsvc.domain.models import (
    Account,
    Bundle,
    Deal,
    Influence,
    InfluenceEnd,
    Interaction,
    Membership,
    MembershipEnd,
    ReportingEnd,
    ReportingLine,
    Stakeholder,
    TeamMember,
)
from graphsvc.domain.snapshot import DealHistory, DealSnapshot, InteractionRecord
from graphsvc.store.accounts import AccountRepository
from graphsvc.store.bundles import BundleRepository
from graphsvc.store.codecs import KEY_SEPARATOR, node_key
from graphsvc.store.committee import CommitteeRepository
from graphsvc.store.core import (
    ImportCounts,
    Page,
    Runner,
    StoreCore,
    UpsertCounts,
    check_workspace,
    validate_batch,
)
from graphsvc.store.deals import ALL_DEALS, DealFilter, DealRepository
from graphsvc.store.histories import HISTORY_CHUNK, HistoryRepository
from graphsvc.store.interactions import InteractionRepository
from graphsvc.store.lines import LineRepository
from graphsvc.store.pair_facts import PairFactRepository
from graphsvc.store.stakeholders import StakeholderRepository, TeamMemberRepository

__all__ = [
    "KEY_SEPARATOR",
    "GraphStore",
    "ImportCounts",
    "Page",
    "Runner",
    "UpsertCounts",
    "check_workspace",
    "node_key",
    "validate_batch",
]


class GraphStore:
    """The store contract. Every operation takes the workspace it acts in (keyword-only);
    ids are the caller's own and are looked up only within that workspace."""

    def __init__(self, runner: Runner, *, settings: Settings) -> None:
        self.core = StoreCore(runner, settings=settings)
        self.accounts = AccountRepository(self.core)
        self.deals = DealRepository(self.core)
        self.stakeholders = StakeholderRepository(self.core)
        self.team_members = TeamMemberRepository(self.core)
        self.committee = CommitteeRepository(self.core)
        self.lines = LineRepository(self.core)
        self.pairs = PairFactRepository(self.core)
        self.interactions = InteractionRepository(self.core, deals=self.deals)
        self.histories = HistoryRepository(self.core)
        self.bundles = BundleRepository(
            self.core,
            accounts=self.accounts,
            deals=self.deals,
            stakeholders=self.stakeholders,
            team_members=self.team_members,
            committee=self.committee,
            lines=self.lines,
            interactions=self.interactions,
        )

    @property
    def runner(self) -> Runner:
        return self.core.runner

    @runner.setter
    def runner(self, runner: Runner) -> None:
        # The API wraps the runner after opening (query metrics); every repository
        # reads it from the shared core, so they all see the new one.
        self.core.runner = runner

    @property
    def settings(self) -> Settings:
        return self.core.settings

    @classmethod
    def open(cls, settings: Settings | None = None) -> GraphStore:
        """Neo4j when ``NEO4J_URI`` is set, else the embedded FalkorDB under ``data_dir``."""
        from graphsvc.store.runners import open_runner

        settings = settings or get_settings()
        runner = open_runner(settings)
        try:
            runner.ensure_schema()
        except BaseException:
            runner.close()
            raise
        return cls(runner, settings=settings)

    def close(self) -> None:
        self.histories.close()
        self.runner.close()

    def ping(self) -> bool:
        return self.runner.ping()

    def workspace_revision(self, *, workspace: str) -> int:
        """A counter bumped by every write statement in the workspace (0: never written);
        caches compare it to see writes made by other processes."""
        rows = self.runner.read("workspace_revision", {"ws": check_workspace(workspace)})
        return int(rows[0]["rev"] or 0) if rows else 0

    # -- accounts

    def upsert_accounts(self, *, workspace: str, accounts: Sequence[Account]) -> UpsertCounts:
        return self.accounts.upsert(workspace=workspace, accounts=accounts)

    def get_account(self, *, workspace: str, account_id: str) -> Account:
        return self.accounts.get(workspace=workspace, account_id=account_id)

    def delete_account(self, *, workspace: str, account_id: str) -> None:
        """See :meth:`AccountRepository.delete` (409 while deals or seats remain)."""
        self.accounts.delete(workspace=workspace, account_id=account_id)

    # -- deals

    def upsert_deals(self, *, workspace: str, deals: Sequence[Deal]) -> UpsertCounts:
        return self.deals.upsert(workspace=workspace, deals=deals)

    def get_deal(self, *, workspace: str, deal_id: str) -> Deal:
        return self.deals.get(workspace=workspace, deal_id=deal_id)

    def delete_deal(self, *, workspace: str, deal_id: str) -> None:
        self.deals.delete(workspace=workspace, deal_id=deal_id)

    def list_deals(
        self,
        *,
        workspace: str,
        matching: DealFilter = ALL_DEALS,
        limit: int = 50,
        cursor: str | None = None,
    ) -> Page[Deal]:
        """Deals ordered by id; ``next_cursor`` (opaque) continues after the last one."""
        return self.deals.list_page(
            workspace=workspace, matching=matching, limit=limit, cursor=cursor
        )

    # -- stakeholders and team members

    def upsert_stakeholders(
        self, *, workspace: str, stakeholders: Sequence[Stakeholder]
    ) -> UpsertCounts:
        return self.stakeholders.upsert(workspace=workspace, stakeholders=stakeholders)

    def get_stakeholder(self, *, workspace: str, stakeholder_id: str) -> Stakeholder:
        return self.stakeholders.get(workspace=workspace, stakeholder_id=stakeholder_id)

    def delete_stakeholder(self, *, workspace: str, stakeholder_id: str) -> None:
        self.stakeholders.delete(workspace=workspace, stakeholder_id=stakeholder_id)

    def list_stakeholder_deals(
        self, *, workspace: str, stakeholder_id: str, as_of: datetime | None = None
    ) -> list[Deal]:
        return self.stakeholders.deals(
            workspace=workspace, stakeholder_id=stakeholder_id, as_of=as_of
        )

    def upsert_team_members(
        self, *, workspace: str, team_members: Sequence[TeamMember]
    ) -> UpsertCounts:
        return self.team_members.upsert(workspace=workspace, team_members=team_members)

    # -- committee facts

    def record_memberships(
        self, *, workspace: str, memberships: Sequence[Membership]
    ) -> UpsertCounts:
        return self.committee.record(workspace=workspace, memberships=memberships)

    def end_memberships(self, *, workspace: str, ends: Sequence[MembershipEnd]) -> int:
        return self.committee.end(workspace=workspace, ends=ends)

    # -- lines

    def record_influences(self, *, workspace: str, influences: Sequence[Influence]) -> UpsertCounts:
        return self.lines.record_influences(workspace=workspace, influences=influences)

    def end_influences(self, *, workspace: str, ends: Sequence[InfluenceEnd]) -> int:
        return self.lines.end_influences(workspace=workspace, ends=ends)

    def record_reporting_lines(
        self, *, workspace: str, lines: Sequence[ReportingLine]
    ) -> UpsertCounts:
        return self.lines.record_reporting(workspace=workspace, lines=lines)

    def end_reporting_lines(self, *, workspace: str, ends: Sequence[ReportingEnd]) -> int:
        return self.lines.end_reporting(workspace=workspace, ends=ends)

    # -- interactions

    def record_interactions(
        self, *, workspace: str, interactions: Sequence[Interaction]
    ) -> list[Interaction]:
        return self.interactions.record(workspace=workspace, interactions=interactions)

    def list_interactions(
        self, *, workspace: str, deal_id: str, as_of: datetime | None = None
    ) -> list[InteractionRecord]:
        return self.interactions.of_deal(workspace=workspace, deal_id=deal_id, as_of=as_of)

    # -- bundles

    def import_bundle(
        self, *, workspace: str, bundle: Bundle, by: str | None = None
    ) -> ImportCounts:
        return self.bundles.import_bundle(workspace=workspace, bundle=bundle, by=by)

    def without_stored(self, *, workspace: str, bundle: Bundle) -> tuple[Bundle, dict[str, int]]:
        return self.bundles.without_stored(workspace=workspace, bundle=bundle)

    # -- histories and snapshots

    def deal_history(
        self, *, workspace: str, deal_id: str, as_of: datetime | None = None
    ) -> DealHistory:
        return self.histories.deal_history(workspace=workspace, deal_id=deal_id, as_of=as_of)

    def snapshot(
        self, *, workspace: str, deal_id: str, as_of: datetime | None = None
    ) -> DealSnapshot:
        return self.histories.snapshot(workspace=workspace, deal_id=deal_id, as_of=as_of)

    def deal_histories(
        self, *, workspace: str, deal_ids: Sequence[str], as_of: datetime | None = None
    ) -> list[DealHistory]:
        return self.histories.deal_histories(workspace=workspace, deal_ids=deal_ids, as_of=as_of)

    def open_deal_histories(
        self, *, workspace: str, as_of: datetime | None = None, batch_size: int = HISTORY_CHUNK
    ) -> Iterator[list[DealHistory]]:
        return self.histories.open_deal_histories(
            workspace=workspace, as_of=as_of, batch_size=batch_size
        )

    def fleet_histories_compact(
        self,
        *,
        workspace: str,
        as_of: datetime | None = None,
        deal_ids: Sequence[str] | None = None,
        batch_size: int = HISTORY_CHUNK,
    ) -> Iterator[list[CompactHistory]]:
        return self.histories.fleet_histories_compact(
            workspace=workspace, as_of=as_of, deal_ids=deal_ids, batch_size=batch_size
        )

    def fleet_fact_chunks(
        self,
        *,
        workspace: str,
        as_of: datetime | None = None,
        deal_ids: Sequence[str] | None = None,
        batch_size: int = HISTORY_CHUNK,
    ) -> Iterator[FactChunk]:
        return self.histories.fleet_fact_chunks(
            workspace=workspace, as_of=as_of, deal_ids=deal_ids, batch_size=batch_size
        )

    def fleet_fact_chunk_pairs(
        self, *, workspace: str, deal_ids: Sequence[str], at: datetime
    ) -> Iterator[tuple[FactChunk, FactChunk]]:
        return self.histories.fleet_fact_chunk_pairs(workspace=workspace, deal_ids=deal_ids, at=at)
