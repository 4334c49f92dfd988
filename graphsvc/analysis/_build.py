"""Fast construction of the result models from values the analysis already trusts.

A fleet scan builds hundreds of thousands of result rows; pydantic's
``model_construct`` spends most of its time on alias handling these models do not use.
:func:`trusted` does what ``model_construct`` does for a model without aliases, private
attributes or post-init hooks, given every field. A unit test checks it against full
validation (``tests/analysis/test_build.py``). :func:`bulk_build` pauses the cyclic
garbage collector while a fleet pass builds them.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)
_set_attribute = object.__setattr__
_FIELD_SETS: dict[type, frozenset[str]] = {}
# One fields-set per class, shared by its instances: these models are frozen, and
# pydantic copies the set before changing it (model_copy), so nobody mutates it.
_SHARED_FIELDS_SET: dict[type, set[str]] = {}


def _field_names(cls: type[BaseModel]) -> frozenset[str]:
    names = _FIELD_SETS.get(cls)
    if names is None:
        if (
            cls.__pydantic_post_init__
            or cls.__private_attributes__
            or any(f.alias or f.validation_alias for f in cls.model_fields.values())
        ):
            raise TypeError(f"{cls.__name__} needs model_construct")
        names = frozenset(cls.model_fields)
        _FIELD_SETS[cls] = names
    return names


def trusted(cls: type[M], values: dict[str, Any]) -> M:
    """An instance of ``cls`` holding ``values`` (every field, already valid; not checked
    here, for speed: :func:`checked` is the same with the field names checked)."""
    fields_set = _SHARED_FIELDS_SET.get(cls)
    if fields_set is None:
        fields_set = _SHARED_FIELDS_SET[cls] = set(_field_names(cls))
    model = cls.__new__(cls)
    _set_attribute(model, "__dict__", values)
    _set_attribute(model, "__pydantic_fields_set__", fields_set)
    _set_attribute(model, "__pydantic_extra__", None)
    _set_attribute(model, "__pydantic_private__", None)
    return model


def trusted_many(cls: type[M], rows: list[dict[str, Any]]) -> list[M]:
    """:func:`trusted` for many rows of one class (the per-call lookups done once)."""
    fields_set = _SHARED_FIELDS_SET.get(cls)
    if fields_set is None:
        fields_set = _SHARED_FIELDS_SET[cls] = set(_field_names(cls))
    new = cls.__new__
    built: list[M] = []
    append = built.append
    for values in rows:
        model = new(cls)
        _set_attribute(model, "__dict__", values)
        _set_attribute(model, "__pydantic_fields_set__", fields_set)
        _set_attribute(model, "__pydantic_extra__", None)
        _set_attribute(model, "__pydantic_private__", None)
        append(model)
    return built


def checked(cls: type[M], values: dict[str, Any]) -> M:
    """:func:`trusted` after checking that ``values`` names every field and nothing else."""
    names = _field_names(cls)
    if values.keys() != names:
        missing = sorted(names - values.keys())
        extra = sorted(values.keys() - names)
        raise TypeError(f"{cls.__name__}: missing {missing}, unknown {extra}")
    return trusted(cls, values)


@contextmanager
def bulk_build() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many result objects.

    A fleet pass creates hundreds of thousands of small objects while the histories it
    reads are alive; every few thousand allocations CPython would rescan all of them,
    which measured at 30-40% of a 500-deal pass. Nothing built here forms reference
    cycles, so reference counting frees it all the same; the collector runs again after.

    What survives the pass is results, which live on: rather than letting the next young
    collections traverse every one of them, they are moved straight to the oldest
    generation (``gc.freeze`` then ``gc.unfreeze``: two list splices, no traversal),
    unless someone else keeps objects frozen (a pre-fork server), whom that would undo.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if gc.get_freeze_count() == 0:
            gc.freeze()
            gc.unfreeze()
        if was_enabled:
            gc.enable()
