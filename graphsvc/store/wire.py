"""What crosses the wire to either backend: parameters spelled for FalkorDB's ``CYPHER``
header, replies decoded to plain rows, schema identifiers checked, and the error a
refused query raises. Shared by :mod:`graphsvc.store.falkor_runner` and
:mod:`graphsvc.store.neo4j_runner`.

Rows are dicts keyed by the query's column names, holding plain Python values only
(int, float, str, bool, None, lists, dicts; a node or relationship becomes the dict of
its properties).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from graphsvc.errors import GraphsvcError

QueryHook = Callable[[str, float], None]
# Joins the workspace and an id into a node key, and the fields of a packed fact; ids
# and workspace names are printable, and packed facts JSON, so it never occurs in them.
KEY_SEPARATOR = "\x1f"
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class QueryFailed(GraphsvcError):
    """The database refused a query (a bug in a query file, or a constraint)."""

    status_code = 500
    kind = "store_error"


def identifier(name: str) -> str:
    # Schema names are fixed data (graphsvc/store/schema.py); check anyway, since DDL
    # cannot take them as parameters.
    if not _IDENTIFIER.match(name):
        raise ValueError(f"not a plain identifier: {name!r}")
    return name


def to_plain(value: Any) -> Any:
    """Convert a driver value to plain Python (nodes/relationships -> property dicts)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Mapping):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        # Most lists hold strings (packed facts, ids): those need no call each.
        return [v if type(v) is str else to_plain(v) for v in value]
    properties = getattr(value, "properties", None)  # falkordb Node / Edge
    if isinstance(properties, Mapping):
        return {str(k): to_plain(v) for k, v in properties.items()}
    items = getattr(value, "items", None)  # neo4j Node / Relationship
    if callable(items):
        return {str(k): to_plain(v) for k, v in items()}
    nodes = getattr(value, "nodes", None)  # paths
    if nodes is not None:
        return [to_plain(n) for n in nodes]
    return value


def _cypher_literal(value: Any) -> str:
    """A parameter value as FalkorDB's ``CYPHER`` header spells it: the same text as the
    client's ``stringify_param_value`` (strings quoted, backslash and double quote
    escaped), with one type dispatch per value instead of a chain of isinstance checks
    (params are the ingest's hot path: ~60% of the client's time per batch)."""
    kind = type(value)
    if kind is str:
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if kind is dict:
        parts = []
        for key, item in value.items():
            if not key or "`" in key:
                raise ValueError(f"unusable parameter map key: {key!r}")
            parts.append(f"`{key}`:{_cypher_literal(item)}")
        return "{" + ",".join(parts) + "}"
    if kind is list or kind is tuple:
        return "[" + ",".join([_cypher_literal(item) for item in value]) + "]"
    if value is None:
        return "null"
    if isinstance(value, str):  # str subclasses, e.g. StrEnum members
        return _cypher_literal(str.__str__(value))
    return str(value)


def params_header(params: dict[str, Any] | None) -> str:
    """The ``CYPHER name=value ...`` prefix carrying the parameters of one query."""
    if not params:
        return ""
    parts = ["CYPHER"]
    for key, value in params.items():
        if not key or "`" in key:
            raise ValueError(f"unusable parameter name: {key!r}")
        parts.append(f"`{key}`={_cypher_literal(value)}")
    return " ".join(parts) + " "


def compact_rows(response: list[Any], graph: Any) -> list[dict[str, Any]]:
    """Rows of a ``--compact`` reply as dicts of plain values.

    Scalars, lists and maps are decoded here in one pass (the hot path of every read);
    anything else (nodes, edges, paths, temporal values) goes through the client's own
    parser, which needs the graph's schema, then :func:`to_plain`."""
    # An error inside the reply (the client's ResponseError, or hiredis's ReplyError
    # where a scan process reads with hiredis alone) is raised as the query's error.
    if response and isinstance(response[0], Exception):
        raise response[0]
    if response and isinstance(response[-1], Exception):
        raise response[-1]
    if len(response) < 3:
        return []  # statistics only (a write without RETURN)
    columns = [column[1] for column in response[0]]
    return [
        {col: _plain_cell(cell, graph) for col, cell in zip(columns, row, strict=True)}
        for row in response[1]
    ]


def _plain_cell(cell: list[Any], graph: Any) -> Any:
    kind, value = cell[0], cell[1]
    if kind == 2:  # string
        return value
    if kind == 3:  # integer
        return int(value)
    if kind == 5:  # double
        return float(value)
    if kind == 1:  # null
        return None
    if kind == 4:  # boolean
        return value == "true"
    if kind == 6:  # array; most are of strings (packed facts), decoded without a call
        return [item[1] if item[0] == 2 else _plain_cell(item, graph) for item in value]
    if kind == 10:  # map: key, value, key, value, ...
        return {str(value[i]): _plain_cell(value[i + 1], graph) for i in range(0, len(value), 2)}
    from falkordb.query_result import parse_scalar

    return to_plain(parse_scalar(cell, graph))


def load_schema() -> tuple[list[tuple[str, str]], list[tuple[str, tuple[str, ...]]]]:
    from graphsvc.store import schema

    return list(schema.INDEXES), list(schema.UNIQUE_KEYS)
