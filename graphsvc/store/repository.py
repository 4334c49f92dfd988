"""GraphStore: every store operation, run as named queries through a backend runner.

SKELETON: signatures are the contract other packages code against; the store issue
fills the bodies.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar

from graphsvc.config import Settings
from graphsvc.domain.models import (
    Account,
    Bundle,
    Deal,
    DealStatus,
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

T = TypeVar("T")


class Runner(Protocol):
    """A backend: runs a named query of ``queries/`` with parameters, returns rows as dicts."""

    backend: str

    def read(self, query_name: str, params: dict[str, Any]) -> list[dict[str, Any]]: ...
    def write(self, query_name: str, params: dict[str, Any]) -> list[dict[str, Any]]: ...
    def ping(self) -> bool: ...
    def ensure_schema(self) -> None: ...
    def close(self) -> None: ...


@dataclass
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None = None


@dataclass
class UpsertCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __iadd__(self, other: UpsertCounts) -> UpsertCounts:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        return self


@dataclass
class ImportCounts:
    by_kind: dict[str, UpsertCounts] = field(default_factory=dict)


class GraphStore:
    def __init__(self, runner: Runner, *, settings: Settings) -> None:
        self.runner = runner
        self.settings = settings

    @classmethod
    def open(cls, settings: Settings | None = None) -> GraphStore:
        """Neo4j when ``NEO4J_URI`` is set, else the embedded FalkorDB under ``data_dir``."""
        raise NotImplementedError

    def close(self) -> None: raise NotImplementedError
    def ping(self) -> bool: raise NotImplementedError
    def workspace_revision(self, *, workspace: str) -> int: raise NotImplementedError

    def upsert_accounts(self, *, workspace: str, accounts: Sequence[Account]) -> UpsertCounts: raise NotImplementedError
    def get_account(self, *, workspace: str, account_id: str) -> Account: raise NotImplementedError
    def delete_account(self, *, workspace: str, account_id: str) -> None: raise NotImplementedError

    def upsert_deals(self, *, workspace: str, deals: Sequence[Deal]) -> UpsertCounts: raise NotImplementedError
    def get_deal(self, *, workspace: str, deal_id: str) -> Deal: raise NotImplementedError
    def delete_deal(self, *, workspace: str, deal_id: str) -> None: raise NotImplementedError
    def list_deals(self, *, workspace: str, owner: str | None = None, status: DealStatus | None = None,
                   account_id: str | None = None, limit: int = 50, cursor: str | None = None) -> Page[Deal]: raise NotImplementedError

    def upsert_stakeholders(self, *, workspace: str, stakeholders: Sequence[Stakeholder]) -> UpsertCounts: raise NotImplementedError
    def get_stakeholder(self, *, workspace: str, stakeholder_id: str) -> Stakeholder: raise NotImplementedError
    def delete_stakeholder(self, *, workspace: str, stakeholder_id: str) -> None: raise NotImplementedError
    def list_stakeholder_deals(self, *, workspace: str, stakeholder_id: str, as_of: datetime | None = None) -> list[Deal]: raise NotImplementedError
    def upsert_team_members(self, *, workspace: str, team_members: Sequence[TeamMember]) -> UpsertCounts: raise NotImplementedError

    def record_memberships(self, *, workspace: str, memberships: Sequence[Membership]) -> UpsertCounts: raise NotImplementedError
    def end_memberships(self, *, workspace: str, ends: Sequence[MembershipEnd]) -> int: raise NotImplementedError
    def record_influences(self, *, workspace: str, influences: Sequence[Influence]) -> UpsertCounts: raise NotImplementedError
    def end_influences(self, *, workspace: str, ends: Sequence[InfluenceEnd]) -> int: raise NotImplementedError
    def record_reporting_lines(self, *, workspace: str, lines: Sequence[ReportingLine]) -> UpsertCounts: raise NotImplementedError
    def end_reporting_lines(self, *, workspace: str, ends: Sequence[ReportingEnd]) -> int: raise NotImplementedError
    def record_interactions(self, *, workspace: str, interactions: Sequence[Interaction]) -> list[Interaction]: raise NotImplementedError
    def list_interactions(self, *, workspace: str, deal_id: str, as_of: datetime | None = None) -> list[InteractionRecord]: raise NotImplementedError
    def import_bundle(self, *, workspace: str, bundle: Bundle) -> ImportCounts: raise NotImplementedError

    def deal_history(self, *, workspace: str, deal_id: str, as_of: datetime | None = None) -> DealHistory: raise NotImplementedError
    def snapshot(self, *, workspace: str, deal_id: str, as_of: datetime | None = None) -> DealSnapshot: raise NotImplementedError
    def deal_histories(self, *, workspace: str, deal_ids: Sequence[str], as_of: datetime | None = None) -> list[DealHistory]: raise NotImplementedError
    def open_deal_histories(self, *, workspace: str, as_of: datetime | None = None, batch_size: int = 500) -> Iterator[list[DealHistory]]: raise NotImplementedError
