"""A scan process: reads chunks of a cold fleet scan and sends their arrays back.

Run as ``python -m graphsvc.store.scan_worker`` by
:class:`graphsvc.store.scan_processes.ScanProcesses`, which speaks to it over its
standard input and output in frames (an 8-byte length, then a pickle):

1. the parent sends where the store is, once: a :class:`FalkorAddress` (the embedded
   FalkorDB's socket, read with :class:`~graphsvc.store.falkor_socket.FalkorSocket`),
   or the Neo4j store's :class:`~graphsvc.config.Settings`;
2. then per chunk ``(tag, workspace, deal ids, query parameters, instants in epoch
   ms)``; the process runs the chunk's query and answers ``(tag, parts)`` with the
   reply's :class:`~graphsvc.store.compact_cut.ChunkParts` cut at each instant (arrays
   and strings), or ``(tag, error)`` with the query error it met;
3. end of input: the process closes its connection and exits. It also exits when the
   store is out of reach: the parent then reads the rest of the scan itself, through
   its runner (which retries, and restarts the embedded server).

A process of its own (not :mod:`multiprocessing`): it imports only what reading needs,
never the parent's main module, nor (for FalkorDB) the domain's models, the settings or
the database clients, so it starts in a tenth of a second whatever started the scan
(the CLI, the API server, a script without a ``__main__`` guard).
"""

from __future__ import annotations

import gc
import pickle
import signal
import struct
import sys
from typing import IO, TYPE_CHECKING, Any, Protocol

from graphsvc.errors import GraphsvcError, StoreUnavailable
from graphsvc.store.compact_cut import QUERY, ReplyColumns
from graphsvc.store.falkor_socket import FalkorAddress, FalkorSocket

if TYPE_CHECKING:
    from graphsvc.config import Settings

_LENGTH = struct.Struct("<Q")


def send(stream: IO[bytes], value: Any) -> None:
    """One frame: ``value`` pickled, after its length."""
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_LENGTH.pack(len(data)))
    stream.write(data)
    stream.flush()


def receive_bytes(stream: IO[bytes]) -> bytes | None:
    """One frame's pickle, None at the end of the stream."""
    head = stream.read(_LENGTH.size)
    if len(head) < _LENGTH.size:
        return None
    (size,) = _LENGTH.unpack(head)
    data = stream.read(size)
    if len(data) < size:
        return None
    return data


def unpickle(data: bytes) -> Any:
    """A frame's value. Frames travel only on the pipes between a scanning process and
    the scan processes it started, never over a network or from a file."""
    return pickle.loads(data)  # noqa: S301 - see above: our own processes only


class Reader(Protocol):
    def read(self, query_name: str, params: dict[str, Any]) -> list[dict[str, Any]]: ...

    def close(self) -> None: ...


def open_reader(store: FalkorAddress | Settings) -> Reader:
    """A connection to the store: the embedded FalkorDB at its address (no lease of its
    own: the scanning process holds one, and closes its scan processes before it lets
    go), or Neo4j's URI in the settings."""
    if isinstance(store, FalkorAddress):
        return FalkorSocket(store)
    from graphsvc.store.neo4j_runner import Neo4jRunner

    return Neo4jRunner.from_settings(store)


def main() -> None:
    # Ctrl-C is the parent's to handle: it ends this process by closing its input.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    requests, replies = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing but frames goes to the parent's pipe
    # Decoding makes millions of small objects and no reference cycles: the cyclic
    # collector would only walk them (as analysis._build.bulk_build pauses it there).
    gc.disable()
    first = receive_bytes(requests)
    if first is None:
        return
    # The store out of reach (or lost): the process ends, and the parent reads the rest
    # of the scan through its runner, which retries and restarts the embedded server.
    try:
        reader = open_reader(unpickle(first))
    except (OSError, StoreUnavailable):
        return
    try:
        while (request := receive_bytes(requests)) is not None:
            tag, ws, deal_ids, params, instants = unpickle(request)
            try:
                rows = reader.read(QUERY, params)
                parts = ReplyColumns(rows, deal_ids).parts(ws, instants).portable()
            except StoreUnavailable:
                return
            except GraphsvcError as exc:  # a refused query: the scan's error
                send(replies, (tag, exc))
            else:
                send(replies, (tag, parts))
    except OSError:
        return
    finally:
        reader.close()


if __name__ == "__main__":
    main()
