"""Per-record batch upserts: up to 1,000 records of one kind, each answered on its own.

Each item is validated and its references checked by itself, so one bad item is an
``error`` result (in the API's one error shape) and the others are written; with
``all_or_none`` one bad item means nothing is written (the others answer
``not_written``). The valid items are written in one statement per
``store_batch_size`` chunk (one statement for a batch of at most that many, so an
all-or-none batch is atomic on both backends) which answers each item's outcome:
``created``, ``updated`` or ``unchanged``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ValidationError

from graphsvc.domain.models import Account, Deal, Interaction, Stakeholder
from graphsvc.store.codecs import content_tag, with_stable_id
from graphsvc.store.core import check_workspace
from graphsvc.store.repository import GraphStore

BATCH_LIMIT = 1000


class BatchKind(StrEnum):
    accounts = "accounts"
    deals = "deals"
    stakeholders = "stakeholders"
    interactions = "interactions"


class ItemStatus(StrEnum):
    created = "created"
    updated = "updated"
    unchanged = "unchanged"
    error = "error"
    not_written = "not_written"


@dataclass(frozen=True)
class ItemResult:
    """One item's answer: its status, its ETag when written, or the error."""

    index: int
    id: str | None
    status: ItemStatus
    tag: str | None = None
    error: dict[str, Any] | None = None


@dataclass(frozen=True)
class BatchResult:
    items: list[ItemResult]
    written: bool

    def counts(self) -> dict[str, int]:
        counts = {status.value: 0 for status in ItemStatus}
        for item in self.items:
            counts[item.status.value] += 1
        return counts


# The references each kind names: (field loc, kind of node, id).
Refs = Callable[[Any], list[tuple[tuple[Any, ...], str, str]]]


def _account_refs(model: Any) -> list[tuple[tuple[Any, ...], str, str]]:
    return [(("account_id",), "account", model.account_id)]


def _interaction_refs(model: Any) -> list[tuple[tuple[Any, ...], str, str]]:
    refs: list[tuple[tuple[Any, ...], str, str]] = [(("deal_id",), "deal", model.deal_id)]
    refs.extend(
        (("stakeholder_ids", k), "stakeholder", sid) for k, sid in enumerate(model.stakeholder_ids)
    )
    return refs


def _no_refs(model: Any) -> list[tuple[tuple[Any, ...], str, str]]:
    return []


@dataclass(frozen=True)
class _Spec:
    model: type[BaseModel]
    refs: Refs


_SPECS = {
    BatchKind.accounts: _Spec(Account, _no_refs),
    BatchKind.deals: _Spec(Deal, _account_refs),
    BatchKind.stakeholders: _Spec(Stakeholder, _account_refs),
    BatchKind.interactions: _Spec(Interaction, _interaction_refs),
}


def _validation_error(detail: list[dict[str, Any]]) -> dict[str, Any]:
    return {"error": "validation_error", "detail": detail}


class BatchService:
    def __init__(self, *, store: GraphStore) -> None:
        self.store = store

    def upsert(
        self,
        *,
        workspace: str,
        kind: BatchKind,
        items: Sequence[Any],
        actor: str,
        all_or_none: bool = False,
    ) -> BatchResult:
        """Create or replace each item (a record with its id) and answer each one;
        ``actor`` is kept on the interactions written."""
        workspace = check_workspace(workspace)
        spec = _SPECS[kind]
        results: dict[int, ItemResult] = {}
        valid: dict[int, Any] = {}
        for index, raw in enumerate(items):
            model, error = self._validate(spec, kind, raw)
            if error is not None:
                results[index] = ItemResult(index, _raw_id(raw), ItemStatus.error, error=error)
            else:
                valid[index] = model
        self._refuse_duplicates(valid, results)
        self._refuse_unknown_references(workspace, spec, valid, results)
        if all_or_none and results:
            for index, model in valid.items():
                results[index] = ItemResult(index, model.id, ItemStatus.not_written)
            return BatchResult(items=[results[i] for i in sorted(results)], written=False)
        outcomes = self._write(workspace, kind, list(valid.values()), actor) if valid else {}
        for index, model in valid.items():
            outcome = outcomes.get(model.id)
            if outcome is None:
                # Dropped by the statement: what it refers to was deleted meanwhile.
                error = {
                    "error": "not_found",
                    "detail": f"{model.id!r} refers to a record "
                    "deleted while the batch was written",
                }
                results[index] = ItemResult(index, model.id, ItemStatus.error, error=error)
                continue
            tag = (
                content_tag(model.model_dump(mode="json"))
                if kind != BatchKind.interactions
                else None
            )
            results[index] = ItemResult(index, model.id, ItemStatus(outcome), tag=tag)
        return BatchResult(items=[results[i] for i in sorted(results)], written=bool(valid))

    @staticmethod
    def _validate(spec: _Spec, kind: BatchKind, raw: Any) -> tuple[Any, dict[str, Any] | None]:
        if not isinstance(raw, dict):
            return None, _validation_error([{"loc": [], "msg": "an item is a JSON object"}])
        if kind != BatchKind.interactions and "id" not in raw:
            return None, _validation_error([{"loc": ["id"], "msg": "Field required"}])
        try:
            model = spec.model.model_validate(raw)
        except ValidationError as exc:
            return None, _validation_error(
                [{"loc": list(e["loc"]), "msg": e["msg"]} for e in exc.errors(include_url=False)]
            )
        if isinstance(model, Interaction):
            model = with_stable_id(model)
        return model, None

    @staticmethod
    def _refuse_duplicates(valid: dict[int, Any], results: dict[int, ItemResult]) -> None:
        first: dict[str, int] = {}
        for index in sorted(valid):
            model = valid[index]
            if model.id in first:
                results[index] = ItemResult(
                    index,
                    model.id,
                    ItemStatus.error,
                    error=_validation_error(
                        [{"loc": ["id"], "msg": f"the same id as item {first[model.id]}"}]
                    ),
                )
                del valid[index]
            else:
                first[model.id] = index

    def _refuse_unknown_references(
        self, workspace: str, spec: _Spec, valid: dict[int, Any], results: dict[int, ItemResult]
    ) -> None:
        wanted: dict[str, set[str]] = {}
        for model in valid.values():
            for _loc, kind, ref in spec.refs(model):
                wanted.setdefault(kind, set()).add(ref)
        known = {
            kind: self.store.core.existing(kind, workspace, ids) for kind, ids in wanted.items()
        }
        for index in sorted(valid):
            model = valid[index]
            unknown = [
                {"loc": list(loc), "msg": f"unknown {kind} {ref!r}"}
                for loc, kind, ref in spec.refs(model)
                if ref not in known[kind]
            ]
            if unknown:
                results[index] = ItemResult(
                    index, model.id, ItemStatus.error, error=_validation_error(unknown)
                )
                del valid[index]

    def _write(
        self, workspace: str, kind: BatchKind, models: list[Any], actor: str
    ) -> dict[str, str]:
        if kind == BatchKind.accounts:
            return self.store.accounts.write_each(workspace, models, by=actor)
        if kind == BatchKind.deals:
            return self.store.deals.write_each(workspace, models, by=actor)
        if kind == BatchKind.stakeholders:
            return self.store.stakeholders.write_each(workspace, models, by=actor)
        return self.store.interactions.write_each(workspace, models, by=actor)


def _raw_id(raw: Any) -> str | None:
    value = raw.get("id") if isinstance(raw, dict) else None
    return value if isinstance(value, str) else None
