"""A scan process: reads chunks of a cold fleet scan and sends their arrays back.

Run as ``python -m graphsvc.store.scan_worker`` by
:class:`graphsvc.store.scan_processes.ScanProcesses`, which speaks to it over its
standard input and output in frames (an 8-byte length, then a pickle):

1. the parent sends the store's :class:`~graphsvc.config.Settings`, once;
2. then per chunk ``(tag, workspace, deal ids, instants in epoch ms)``; the process runs
   the chunk's query and answers ``(tag, parts)`` with the reply's
   :class:`~graphsvc.store.compact.ChunkParts` cut at each instant (arrays and strings),
   or ``(tag, error)`` with the store error it met;
3. end of input: the process closes its connection and exits.

A process of its own (not :mod:`multiprocessing`): it imports only the store, never the
parent's main module, so it starts in a quarter of a second whatever started the scan
(the CLI, the API server, a script without a ``__main__`` guard).
"""

from __future__ import annotations

import gc
import pickle
import signal
import struct
import sys
from typing import IO, Any

from graphsvc.config import Settings
from graphsvc.errors import GraphsvcError
from graphsvc.store.compact import read_chunk_parts
from graphsvc.store.core import Runner

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


def open_reader(settings: Settings) -> Runner:
    """A connection to the store of ``settings``: Neo4j's URI, or the embedded FalkorDB
    the scanning process runs (no lease of its own: that process holds one, and closes
    its scan processes before it lets go)."""
    if settings.neo4j_uri:
        from graphsvc.store.neo4j_runner import Neo4jRunner

        return Neo4jRunner.from_settings(settings)
    from graphsvc.store.embedded_server import ServerPaths
    from graphsvc.store.falkor_runner import FalkorRunner

    return FalkorRunner(str(ServerPaths.for_data_dir(settings.data_dir).socket))


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
    runner = open_reader(unpickle(first))
    try:
        while (request := receive_bytes(requests)) is not None:
            tag, ws, deal_ids, instants = unpickle(request)
            try:
                parts = read_chunk_parts(runner, ws, deal_ids, instants).portable()
            except GraphsvcError as exc:
                send(replies, (tag, exc))
            else:
                send(replies, (tag, parts))
    finally:
        runner.close()


if __name__ == "__main__":
    main()
