"""Optimistic concurrency for records found by id: conditions, merge patches, results.

A record's *tag* is the fingerprint of its stored content (the ``h`` property; see
:func:`graphsvc.store.codecs.content_tag`): the same content always has the same tag, so
an unchanged re-write keeps it. The API sends it as the ``ETag``; a client sends it back
in ``If-Match`` and the write only happens if the record still has it. The comparison
is made inside the writing statement, so two clients holding the same tag cannot both
win.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from graphsvc.errors import NotFound, PreconditionFailed, ValidationFailed
from graphsvc.store.core import UpsertCounts

M = TypeVar("M", bound=BaseModel)
F = TypeVar("F", bound=BaseModel)


@dataclass(frozen=True)
class Condition:
    """The preconditions of a write. ``if_match``: the tags the record may have (``*``:
    any, it must exist); ``if_none_match_any``: the record must not exist yet."""

    if_match: frozenset[str] | None = None
    if_none_match_any: bool = False

    @property
    def conditional(self) -> bool:
        return self.if_match is not None or self.if_none_match_any


NO_CONDITION = Condition()


@dataclass(frozen=True)
class Written(Generic[M]):
    """A record as written: its content, tag and outcome (created/updated/unchanged)."""

    record: M
    tag: str
    outcome: str

    @property
    def created(self) -> bool:
        return self.outcome == "created"


def expected_tag(
    condition: Condition, read_tagged: Callable[[], tuple[Any, str]], what: str
) -> str | None:
    """The ``expect`` a conditional write hands the store: ``""`` for "must not exist",
    the current tag for ``If-Match`` (412 at once when it is not among the client's),
    ``None`` for an unconditional write."""
    if condition.if_none_match_any:
        return ""
    if condition.if_match is None:
        return None
    try:
        _, current = read_tagged()
    except NotFound as exc:
        raise PreconditionFailed(f"If-Match: there is no {what}") from exc
    if "*" not in condition.if_match and current not in condition.if_match:
        raise PreconditionFailed(
            f"If-Match: the {what} has changed (its ETag is not the given one)",
            detail={"etag": f'"{current}"'},
        )
    return current


def check_written(counts: UpsertCounts, condition: Condition, what: str) -> str:
    """The outcome of a one-record write; 412 when its condition failed in the store."""
    if counts.precondition_failed:
        if condition.if_none_match_any:
            raise PreconditionFailed(f"If-None-Match: * but the {what} exists already")
        raise PreconditionFailed(f"If-Match: the {what} changed while it was being written")
    if counts.total == 0:
        # The statement matched nothing: a referenced node went away meanwhile.
        raise NotFound(f"the {what} could not be written: a record it refers to is gone")
    return counts.outcome


def write_one(
    record: M,
    *,
    record_id: str,
    condition: Condition,
    what: str,
    read_tagged: Callable[[], tuple[Any, str]],
    upsert: Callable[[list[M], dict[str, str] | None], UpsertCounts],
    tag: Callable[[M], str],
) -> Written[M]:
    """Write one record under ``condition``: its expected tag (:func:`expected_tag`), the
    store's upsert with that expectation, then the outcome (:func:`check_written`)."""
    expect = expected_tag(condition, read_tagged, what)
    counts = upsert([record], None if expect is None else {record_id: expect})
    return Written(record, tag(record), check_written(counts, condition, what))


def check_deletable(
    condition: Condition, read_tagged: Callable[[], tuple[Any, str]], what: str
) -> None:
    """404 when the record is missing, 412 when ``If-Match`` names another version."""
    _, current = read_tagged()
    if (
        condition.if_match is not None
        and "*" not in condition.if_match
        and current not in condition.if_match
    ):
        raise PreconditionFailed(
            f"If-Match: the {what} has changed (its ETag is not the given one)",
            detail={"etag": f'"{current}"'},
        )


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396 JSON merge patch: objects merge key by key, ``null`` removes a key,
    anything else replaces.

    Examples
    --------
    >>> merge_patch({"a": 1, "b": {"c": 2, "d": 3}}, {"b": {"c": None}, "e": [1]})
    {'a': 1, 'b': {'d': 3}, 'e': [1]}
    """
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def patched_fields(current: BaseModel, patch: dict[str, Any], fields_model: type[F]) -> F:
    """``current``'s fields (without its id) with ``patch`` applied, validated as
    ``fields_model``; 422 naming each invalid field."""
    values = current.model_dump(mode="json", exclude_none=True)
    values.pop("id", None)
    if "id" in patch:
        raise ValidationFailed(
            "the id is in the path; it cannot be patched",
            detail=[{"loc": ["id"], "msg": "the id cannot be patched"}],
        )
    try:
        return fields_model.model_validate(merge_patch(values, patch))
    except ValidationError as exc:
        raise ValidationFailed(
            "the patched record is invalid",
            detail=[{"loc": list(e["loc"]), "msg": e["msg"]} for e in exc.errors()],
        ) from exc


_PATCH_ATTEMPTS = 3


def patch_record(
    *,
    read_tagged: Callable[[], tuple[M, str]],
    fields_model: type[F],
    patch: dict[str, Any],
    condition: Condition,
    write: Callable[[F, Condition], Written[M]],
) -> Written[M]:
    """Apply a merge patch to the record as read, and write the result only if the
    record is still that version. Without ``If-Match`` a concurrent change just means
    patching again (a few times); with it, the client's version must hold (412)."""
    for attempt in range(_PATCH_ATTEMPTS):
        current, tag = read_tagged()
        fields = patched_fields(current, patch, fields_model)
        guard = condition if condition.if_match is not None else Condition(frozenset({tag}))
        try:
            return write(fields, guard)
        except PreconditionFailed:
            if condition.if_match is not None or attempt == _PATCH_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")
