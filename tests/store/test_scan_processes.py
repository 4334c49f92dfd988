"""A big cold scan decodes the store's replies on scan processes of its own
(graphsvc/store/scan_processes.py, graphsvc/store/scan_worker.py): on both stores it
gives what the in-process read gives, chunk by chunk (the scan's read and the kept
results' pairs); the processes live as long as the scan;
a scan process that dies (killed, or the store closed, in the middle of a scan) or
cannot reach the store leaves the scan to finish in-process with the same result; a
second scan at once reads in-process. On FalkorDB the processes read through a bare
socket (graphsvc/store/falkor_socket.py): its rows are the runner's."""

from __future__ import annotations

import logging
import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from graphsvc.analysis import engine
from graphsvc.domain.chunk import FactChunk
from graphsvc.domain.models import to_ms
from graphsvc.store import compact, scan_processes
from graphsvc.store.falkor_runner import FalkorRunner
from graphsvc.store.falkor_socket import FalkorAddress, FalkorSocket
from graphsvc.store.repository import GraphStore
from graphsvc.store.wire import QueryFailed
from tests.store.test_compact_read import NOW, _seed

CHUNK = 7  # deals per chunk: the seeded portfolio gives several


@pytest.fixture
def scanning(store: GraphStore) -> Iterator[GraphStore]:
    """The test's store, with every fleet scan on two scan processes; they are ended
    after the test (the session's runner stays open)."""
    wanted = {"scan_processes": 2, "scan_processes_min_deals": 0}
    opened = GraphStore(store.runner, settings=store.settings.model_copy(update=wanted))
    yield opened
    opened.histories.close()


@pytest.fixture
def seeded(store: GraphStore) -> tuple[str, list[FactChunk]]:
    """A seeded workspace, and its chunks as this process reads them."""
    workspace = _seed(store)
    return workspace, _in_process(store, workspace)


def _scan(store: GraphStore, workspace: str) -> Iterator[FactChunk]:
    return store.fleet_fact_chunks(workspace=workspace, as_of=NOW, batch_size=CHUNK)


def _begun(store: GraphStore, workspace: str) -> tuple[Iterator[FactChunk], list[FactChunk]]:
    """A scan begun: the rest of its chunks, and its first chunk, read."""
    chunks = _scan(store, workspace)
    return chunks, [next(chunks)]


def _in_process(store: GraphStore, workspace: str) -> list[FactChunk]:
    return list(_scan(store, workspace))


def _same_chunks(got: list[FactChunk], expected: list[FactChunk]) -> None:
    assert [[d.id for d in c.deals] for c in got] == [[d.id for d in c.deals] for c in expected]
    for a, b in zip(got, expected, strict=True):
        at = [to_ms(NOW)] * len(b)
        assert a.snapshots(at) == b.snapshots(at)
        assert a.interactions == b.interactions
        assert a.people == b.people
        assert a.first_fact_at() == b.first_fact_at()
        assert a.next_fact_after(to_ms(NOW)) == b.next_fact_after(to_ms(NOW))
    assert engine.analyze_stream(got) == engine.analyze_stream(expected)


def _kill(pids: list[int]) -> None:
    for pid in pids:
        os.kill(pid, signal.SIGKILL)


def test_scan_processes_read_what_this_process_reads(
    store: GraphStore, seeded: tuple[str, list[FactChunk]], scanning: GraphStore
) -> None:
    workspace, expected = seeded
    assert len(expected) > 3
    scan = scanning.histories.scan_processes
    chunks, got = _begun(scanning, workspace)  # read here while the processes start
    assert len(scan.pids) == 2
    got.extend(chunks)  # every other chunk from the processes
    _same_chunks(got, expected)
    assert scan.pids == []  # they end with the scan
    # The kept results' read: each chunk as of an instant and with every fact.
    ids = [d.id for c in expected for d in c.deals]
    pairs = list(scanning.fleet_fact_chunk_pairs(workspace=workspace, deal_ids=ids, at=NOW))
    local = list(store.fleet_fact_chunk_pairs(workspace=workspace, deal_ids=ids, at=NOW))
    _same_chunks([p[1] for p in pairs], [p[1] for p in local])
    _same_chunks([p[0] for p in pairs], [p[0] for p in local])
    # Deals the store does not hold give nothing, as in-process.
    unknown = scanning.fleet_fact_chunks(workspace=workspace, as_of=NOW, deal_ids=["nope"] * 3)
    assert list(unknown) == []


def test_a_killed_scan_process_leaves_the_scan_to_this_process(
    seeded: tuple[str, list[FactChunk]], scanning: GraphStore, caplog: pytest.LogCaptureFixture
) -> None:
    workspace, expected = seeded
    scan = scanning.histories.scan_processes
    # Killed in the middle of a scan, after its first chunk: the rest is read here.
    chunks, got = _begun(scanning, workspace)
    started = scan.pids
    assert len(started) == 2
    _kill(started)
    with caplog.at_level(logging.WARNING, logger="graphsvc.store.scan_processes"):
        got.extend(chunks)
    _same_chunks(got, expected)
    assert "chunks are read in this process" in caplog.text
    # The next scan starts new processes.
    chunks, got = _begun(scanning, workspace)
    assert len(scan.pids) == 2
    assert not set(scan.pids) & set(started)
    got.extend(chunks)
    _same_chunks(got, expected)


def test_scan_processes_that_cannot_reach_the_store_leave_the_scan_to_this_process(
    seeded: tuple[str, list[FactChunk]],
    scanning: GraphStore,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    workspace, expected = seeded
    # The processes are sent an address where no store listens (this process's runner
    # still reads the store): each ends at once, and the scan is read here.
    nowhere = {
        "falkordb": FalkorAddress(str(tmp_path / "nowhere.sock"), "graphsvc"),
        "neo4j": scanning.settings.model_copy(
            update={"neo4j_uri": "bolt://127.0.0.1:1", "neo4j_retry_seconds": 0.5}
        ),
    }[scanning.runner.backend]
    monkeypatch.setattr(scan_processes, "_address", lambda runner, settings: nowhere)
    with caplog.at_level(logging.WARNING, logger="graphsvc.store.scan_processes"):
        got = list(_scan(scanning, workspace))
    _same_chunks(got, expected)
    assert "chunks are read in this process" in caplog.text
    assert scanning.histories.scan_processes.pids == []


@pytest.mark.parametrize("backend", ["falkordb"])
def test_the_scan_processes_socket_reads_what_the_runner_reads(
    store: GraphStore, seeded: tuple[str, list[FactChunk]]
) -> None:
    workspace, expected = seeded
    runner = store.runner
    assert isinstance(runner, FalkorRunner)
    deal_ids = [deal.id for chunk in expected for deal in chunk.deals]
    params = compact.compact_params(workspace, deal_ids)
    reader = FalkorSocket(FalkorAddress(runner.socket_path, runner.graph_name))
    try:
        assert reader.read(compact.QUERY, params) == runner.read(compact.QUERY, params)
        with pytest.raises(QueryFailed, match="deal_history_compact"):
            reader.read(compact.QUERY, {})  # its parameters missing: refused
        # The connection still answers after a refused query.
        assert reader.read(compact.QUERY, params) == runner.read(compact.QUERY, params)
    finally:
        reader.close()
    with pytest.raises(OSError):
        FalkorSocket(FalkorAddress(str(Path(runner.socket_path).parent / "none.sock"), "g"))


def test_a_second_scan_at_once_reads_in_this_process(
    seeded: tuple[str, list[FactChunk]], scanning: GraphStore
) -> None:
    workspace, expected = seeded
    first, got = _begun(scanning, workspace)  # the first scan holds the processes
    _same_chunks(_in_process(scanning, workspace), expected)
    got.extend(first)
    _same_chunks(got, expected)


def test_closing_the_store_ends_the_scan_processes(
    seeded: tuple[str, list[FactChunk]], scanning: GraphStore
) -> None:
    workspace, expected = seeded
    scan = scanning.histories.scan_processes
    chunks, got = _begun(scanning, workspace)
    started = scan.pids
    scanning.histories.close()  # in the middle of a scan: the rest is read here
    assert scan.pids == []
    for pid in started:
        with pytest.raises(ChildProcessError):  # ended and reaped
            os.waitpid(pid, os.WNOHANG)
    got.extend(chunks)
    _same_chunks(got, expected)


def test_on_a_single_cpu_the_scan_reads_in_this_process(
    seeded: tuple[str, list[FactChunk]], scanning: GraphStore
) -> None:
    workspace, expected = seeded
    cpus = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {min(cpus)})  # this thread only, restored below
    try:
        chunks, got = _begun(scanning, workspace)
        assert scanning.histories.scan_processes.pids == []
        got.extend(chunks)
    finally:
        os.sched_setaffinity(0, cpus)
    _same_chunks(got, expected)
