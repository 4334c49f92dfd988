"""The repository layer: the only code that talks to the graph database.

The names below are loaded on first use, not on import: the embedded store's supervisor
(``graphsvc/store/embedded.py`` run as a script) imports ``graphsvc.store.embedded_server``
and must not pull in every repository with it (it has to start even while one of them
is broken mid-edit).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from graphsvc.store.repository import GraphStore, Page, UpsertCounts

__all__ = ["GraphStore", "Page", "UpsertCounts"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from graphsvc.store import repository

        return getattr(repository, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
