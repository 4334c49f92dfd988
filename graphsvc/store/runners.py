"""The backend runners: run a named query of ``queries/`` and return plain rows.

Two backends implement :class:`graphsvc.store.repository.Runner`:

* :class:`FalkorRunner`: the embedded FalkorDB (``graphsvc.store.embedded``) over its
  unix socket, one graph named ``graphsvc``. Reads go through ``GRAPH.RO_QUERY``.
* :class:`Neo4jRunner`: Neo4j 5 through the official driver's ``execute_query``
  (managed transactions, the driver's own retries, READ routing for reads).

The runners live in :mod:`graphsvc.store.falkor_runner` and
:mod:`graphsvc.store.neo4j_runner`, what both send and receive in
:mod:`graphsvc.store.wire`; this module picks one for the settings and keeps the names
every caller imports from here.

Rows are dicts keyed by the query's column names, holding plain Python values only
(int, float, str, bool, None, lists, dicts; a node or relationship becomes the dict of
its properties). Each query is timed: set ``runner.on_query = fn(name, seconds)`` to
collect the figures (the API's metrics do).
"""

from __future__ import annotations

from graphsvc.config import Settings
from graphsvc.store.falkor_runner import GRAPH_NAME, FalkorRunner, open_embedded_runner
from graphsvc.store.neo4j_runner import Neo4jRunner
from graphsvc.store.wire import QueryFailed, QueryHook, params_header, to_plain

__all__ = [
    "GRAPH_NAME",
    "FalkorRunner",
    "Neo4jRunner",
    "QueryFailed",
    "QueryHook",
    "open_embedded_runner",
    "open_runner",
    "params_header",
    "to_plain",
]


def open_runner(settings: Settings) -> FalkorRunner | Neo4jRunner:
    """Neo4j when ``settings.neo4j_uri`` is set, else the embedded FalkorDB."""
    if settings.neo4j_uri:
        return Neo4jRunner.from_settings(settings)
    return open_embedded_runner(settings)
