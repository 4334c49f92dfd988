"""The repository layer: the only code that talks to the graph database."""

from graphsvc.store.repository import GraphStore, Page, UpsertCounts

__all__ = ["GraphStore", "Page", "UpsertCounts"]
