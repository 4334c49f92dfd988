"""A scan process's connection to FalkorDB: one unix socket, replies parsed by hiredis.

The store's runner (:mod:`graphsvc.store.falkor_runner`) speaks through the falkordb and
redis-py clients, with a connection pool, retries and restarts of the embedded server. A
scan process (:mod:`graphsvc.store.scan_worker`) needs none of that: it lives for one
scan, runs one read-only query per chunk, and if its connection fails it simply ends,
and the scanning process reads the rest itself, through its runner. Importing those
clients would cost each scan process about 0.1 s of CPU at every big scan; hiredis (the
reply parser redis-py itself uses) costs nothing to import, and the query text, its
parameters and the decoding of its reply are the runner's own
(:func:`~graphsvc.store.wire.params_header`, :func:`~graphsvc.store.wire.compact_rows`).
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from typing import Any

import hiredis

from graphsvc import queries
from graphsvc.store.wire import QueryFailed, compact_rows, params_header

DIALECT = "falkordb"  # as graphsvc.store.falkor_runner.DIALECT
_RECEIVE = 1 << 20  # bytes per read of the socket: a chunk's reply is a few megabytes


@dataclass(frozen=True, slots=True)
class FalkorAddress:
    """Where to read FalkorDB: the server's unix socket, and the graph."""

    socket_path: str
    graph_name: str


class FalkorSocket:
    """A read-only connection to a FalkorDB graph. One caller at a time (a scan process
    has one thread). Connection errors are raised as :class:`OSError`."""

    backend = "falkordb"

    def __init__(self, address: FalkorAddress) -> None:
        self.graph_name = address.graph_name
        self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            self._socket.connect(address.socket_path)
        except OSError:
            self._socket.close()
            raise
        # Strings decoded as the runner's client decodes them; an error reply comes back
        # as a hiredis.ReplyError value, not raised.
        self._reader = hiredis.Reader(encoding="utf-8")

    def read(self, query_name: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        """The rows of the named query (from ``queries/``), as the runner gives them."""
        text = params_header(params) + queries.load(query_name, DIALECT)
        reply = self._command("GRAPH.RO_QUERY", self.graph_name, text, "--compact")
        try:
            if isinstance(reply, hiredis.ReplyError):
                raise reply
            # No graph schema here: the compact reads return no node, edge or path.
            return compact_rows(reply, graph=None)
        except hiredis.ReplyError as exc:
            raise QueryFailed(f"query {query_name!r} failed: {exc}") from exc

    def _command(self, *args: str) -> Any:
        """Send one command (RESP: an array of bulk strings) and read its reply."""
        encoded = [arg.encode() for arg in args]
        frame = [b"*%d\r\n" % len(encoded)]
        for arg in encoded:
            frame += [b"$%d\r\n" % len(arg), arg, b"\r\n"]
        self._socket.sendall(b"".join(frame))
        while (reply := self._reader.gets()) is False:
            data = self._socket.recv(_RECEIVE)
            if not data:
                raise ConnectionError("FalkorDB closed the connection")
            self._reader.feed(data)
        return reply

    def close(self) -> None:
        self._socket.close()
