"""The first run, as a new user does it: the README's run command on a fresh copy.

``test_readme_run_command_serves_the_demo`` reads the run command from README.md's
"Quick start" (so the test breaks when the README drifts), copies the working tree to a
temporary folder (a fresh clone without ``.venv`` or ``data``), and runs the command there
in the background with a time limit. It then does what the printed output invites: opens
the docs page, fetches a deal's analysis with the printed key and opens a printed signed
map link, all over HTTP; stops the command with Ctrl-C (SIGINT to its process group) and
checks that no process is left behind, the embedded redis-server included.

How the fresh environment is kept fast: the README command (``make demo``) creates
``.venv`` in the copy and pip-installs the project into it for real. Before that, the test
seeds the new ``.venv`` with one ``.pth`` line naming the site-packages of the interpreter
running the tests, so pip finds every dependency already satisfied instead of
downloading and building numpy, scipy and the rest (minutes on two cores). ``PYTHON`` is
set to that interpreter's base executable so the venv matches the seeded packages. The
demo's port comes from ``GRAPHSVC_DEMO_PORT=0`` (a free port; parallel runs cannot
clash), and ``GRAPHSVC_EMBEDDED_IDLE_SECONDS=1`` lets the embedded server's lifetime rule
(stop once no client is left) play out within the test.

The other tests check the demo portfolio itself: its shape, that loading it twice
duplicates nothing, and that every deal tells the story it was written for.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import sysconfig
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import psutil
import pytest

from graphsvc.demo import (
    DEMO_WORKSPACE,
    demo_anchor,
    demo_portfolio,
    demo_scenarios,
    load_demo,
)
from graphsvc.domain.models import DECISION_ROLES
from graphsvc.store.repository import GraphStore
from tests.helpers import require_tool

REPO = Path(__file__).resolve().parent.parent
README = REPO / "README.md"
RUN_TIMEOUT_S = 300.0  # install + store start + load; a stuck run fails, never hangs
_COPY_IGNORE = shutil.ignore_patterns(
    ".git",
    ".venv",
    "data",
    "node_modules",
    "__pycache__",
    "*.egg-info",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    ".hypothesis",
    "outbox",
    "out",
)


# --------------------------------------------------------------------------- README


def quick_start_commands(readme_text: str) -> list[str]:
    """The command lines of the code blocks in the README's "Quick start" section, in
    order: the first runs the product, the second the tests."""
    match = re.search(r"^## Quick start\s*$(.*?)(?=^## )", readme_text, re.M | re.S)
    assert match, "README.md has no '## Quick start' section"
    blocks = re.findall(r"^```[a-z]*\n(.*?)^```", match.group(1), re.M | re.S)
    commands = []
    for block in blocks:
        lines = [
            ln.strip() for ln in block.splitlines() if ln.strip() and not ln.strip().startswith("#")
        ]
        assert len(lines) == 1, f"a Quick start block should hold one command: {block!r}"
        commands.append(lines[0])
    return commands


def test_readme_quick_start_has_the_two_commands() -> None:
    commands = quick_start_commands(README.read_text(encoding="utf-8"))
    assert commands == ["make demo", "make test"]


# --------------------------------------------------------------------------- first run


class _Output:
    """The background command's merged output, read line by line by a thread, so the
    test can wait for a line with a deadline instead of sleeping."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.lines: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._thread = threading.Thread(target=self._pump, args=(proc,), daemon=True)
        self._thread.start()

    def _pump(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def wait_for(self, pattern: str, deadline: float) -> re.Match[str]:
        for line in self.lines:
            if found := re.search(pattern, line):
                return found
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(self._report(f"timed out waiting for {pattern!r}"))
            try:
                line = self._queue.get(timeout=remaining)
            except queue.Empty:
                continue
            if line is None:
                raise AssertionError(self._report(f"the command ended before {pattern!r}"))
            self.lines.append(line)
            if found := re.search(pattern, line):
                return found

    def drain(self, timeout: float) -> None:
        self._thread.join(timeout)
        while not self._queue.empty():
            line = self._queue.get_nowait()
            if line is not None:
                self.lines.append(line)

    def _report(self, message: str) -> str:
        return message + "; output so far:\n" + "\n".join(self.lines[-60:])


def _fresh_copy(target: Path) -> Path:
    shutil.copytree(REPO, target, ignore=_COPY_IGNORE, symlinks=True)
    return target


def _seed_venv(copy: Path) -> str:
    """Create the copy's .venv on the tests' base interpreter, pointing at the tests'
    site-packages; returns the interpreter for the Makefile's PYTHON."""
    base_python = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base_python, "-m", "venv", str(copy / ".venv")], check=True, timeout=120)
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    seeded = copy / ".venv" / "lib" / version / "site-packages"
    assert seeded.is_dir(), seeded
    (seeded / "graphsvc-first-run-deps.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8"
    )
    return base_python


def _first_run_env(base_python: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("GRAPHSVC_", "NEO4J_", "VIRTUAL_ENV", "PYTHONPATH"))
    }
    env.update(
        PYTHON=base_python,
        GRAPHSVC_DEMO_PORT="0",
        GRAPHSVC_EMBEDDED_IDLE_SECONDS="1",
        PYTHONUNBUFFERED="1",
        TERM="dumb",
        COLUMNS="200",
    )
    env["PATH"] = os.pathsep.join(
        p for p in env.get("PATH", "").split(os.pathsep) if not p.startswith(str(REPO / ".venv"))
    )
    return env


def _processes_in(copy: Path) -> list[psutil.Process]:
    """Live processes whose command line or working directory is inside the copy."""
    found = []
    marker = str(copy)
    for proc in psutil.process_iter(["pid", "cmdline", "cwd"]):
        try:
            cmdline = " ".join(proc.info["cmdline"] or [])
            cwd = proc.info["cwd"] or ""
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        if proc.pid != os.getpid() and (marker in cmdline or cwd.startswith(marker)):
            found.append(proc)
    return found


@pytest.fixture
def first_run_copy(tmp_path: Path) -> Iterator[Path]:
    copy = _fresh_copy(tmp_path / "graphsvc")
    yield copy
    # Whatever happened, leave nothing running (the assertions are in the test).
    for proc in _processes_in(copy):
        with contextlib.suppress(psutil.NoSuchProcess):
            proc.kill()


@pytest.mark.slow
@pytest.mark.xdist_group("first_run")
def test_readme_run_command_serves_the_demo(first_run_copy: Path) -> None:
    require_tool("make")
    run_command = quick_start_commands(README.read_text(encoding="utf-8"))[0]
    copy = first_run_copy
    base_python = _seed_venv(copy)
    deadline = time.monotonic() + RUN_TIMEOUT_S

    proc = subprocess.Popen(
        ["bash", "-c", run_command],
        cwd=copy,
        env=_first_run_env(base_python),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group, as a terminal gives it
    )
    output = _Output(proc)
    try:
        docs_url = output.wait_for(r"(http://[\w.\[\]:-]+/docs)\b", deadline).group(1)
        key = output.wait_for(r"\b(gsk_[\w-]+)", deadline).group(1)
        output.wait_for(r"Serving; press Ctrl-C", deadline)
        map_links = dict(
            re.findall(r"^\s+([\w-]+)\s+(http://\S+/maps/\S+)$", "\n".join(output.lines), re.M)
        )
        assert set(map_links) == {s.deal.id for s in demo_scenarios()}, output.lines

        # The embedded server of the copy's ./data is up while the demo serves.
        data = copy / "data"
        server_pid = int((data / "falkordb.pid").read_text().strip())
        supervisor_pid = int((data / "supervisor.pid").read_text().strip())
        tree = [psutil.Process(proc.pid), *psutil.Process(proc.pid).children(recursive=True)]
        watched = [*tree, psutil.Process(server_pid), psutil.Process(supervisor_pid)]

        with httpx.Client(timeout=30) as http:
            docs = http.get(docs_url)
            assert docs.status_code == 200 and "swagger" in docs.text.lower()

            root = docs_url.removesuffix("/docs")
            analysis = http.get(
                f"{root}/v1/deals/hh-scheduling/analysis",
                headers={"Authorization": f"Bearer {key}"},
            )
            assert analysis.status_code == 200, analysis.text
            body = analysis.json()
            assert body["deal_id"] == "hh-scheduling"
            assert "DM_NEVER_CONTACTED" in {f["code"] for f in body["flags"]}
            assert http.get(f"{root}/v1/deals/hh-scheduling/analysis").status_code == 401

            page = http.get(map_links["nw-telematics"])
            assert page.status_code == 200, page.text[:500]
            assert page.headers["content-type"].startswith("text/html")
            assert "Fleet telematics platform" in page.text
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C: the whole foreground group
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
            output.drain(5)
            raise AssertionError(
                "the demo did not stop on Ctrl-C:\n" + "\n".join(output.lines[-40:])
            ) from None
        output.drain(45)  # returns at EOF: when the demo itself has exited

    assert "Stopped." in output.lines, "\n".join(output.lines[-40:])
    assert not any("Traceback" in line for line in output.lines), "\n".join(output.lines)
    # The demo's own processes end with it; the embedded server and its supervisor end
    # by the lifetime rule once the last client has gone (idle 1 s here).
    _gone, alive = psutil.wait_procs(watched, timeout=45)
    assert not alive, f"left behind: {[(p.pid, p.name()) for p in alive]}"
    assert not _processes_in(copy), "processes of the first run are still running"

    # A second run finds everything in place: the demo duplicates nothing.
    again = subprocess.run(
        [str(copy / ".venv" / "bin" / "graphsvc"), "demo", "--load-only"],
        cwd=copy,
        env=_first_run_env(base_python),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert again.returncode == 0, again.stderr
    assert re.search(r": 0 created, 0 updated, \d+ unchanged", again.stdout), again.stdout
    # The embedded server may already have stopped (idle 1 s) by the time we look.
    with contextlib.suppress(FileNotFoundError, ValueError, psutil.NoSuchProcess):
        server = psutil.Process(int((copy / "data" / "falkordb.pid").read_text().strip()))
        _gone, alive = psutil.wait_procs([server], timeout=45)
        assert not alive, "the embedded server outlived its last client"


# --------------------------------------------------------------------------- portfolio


def test_demo_portfolio_shape() -> None:
    now = datetime(2026, 11, 26, 15, 30, tzinfo=UTC)
    bundle = demo_portfolio(now)
    assert len(bundle.accounts) == 3
    assert len(bundle.deals) == 8
    anchor = demo_anchor(now)
    names = {s.id for s in bundle.stakeholders}
    for scenario in demo_scenarios():
        seats = {m.stakeholder_id for m in bundle.memberships if m.deal_id == scenario.deal.id}
        assert 6 <= len(seats) <= 25, scenario.deal.id
        assert seats <= names
    # Six months of dated facts, none in the future of "now".
    instants = [m.at for m in bundle.memberships] + [i.at for i in bundle.interactions]
    assert all(at is not None and at <= anchor for at in instants)
    assert min(at for at in instants if at) <= anchor - timedelta(days=170)
    changes = [m for m in bundle.memberships if m.at and m.at > anchor - timedelta(days=170)]
    assert len(changes) > 30, "stances change over the six months"
    assert bundle.reporting_lines and bundle.influences
    roles = {m.role for m in bundle.memberships}
    assert roles & DECISION_ROLES and len(roles) >= 8
    # Instants hang from the week's anchor, not from the current second.
    assert demo_portfolio(now) == demo_portfolio(now + timedelta(days=3))
    assert demo_portfolio(now) != demo_portfolio(now + timedelta(days=7))


def test_demo_portfolio_is_pinned_byte_for_byte() -> None:
    """The demo's stories are data: moving or reshaping the code that holds them must not
    change one byte of the bundle. A deliberate change of a story updates this digest
    (last: every next step at least a week after the Monday, 2026-11-29)."""
    bundle = demo_portfolio(datetime(2026, 11, 26, 15, 30, tzinfo=UTC))
    digest = hashlib.sha256(bundle.model_dump_json().encode()).hexdigest()
    assert digest == "0536a604f8745f98fa18283dd43b0b8cf2071e22cf229066295759b22038f0ee"


def test_loading_the_demo_twice_duplicates_nothing(store: GraphStore, workspace: str) -> None:
    first = store.import_bundle(workspace=workspace, bundle=demo_portfolio())
    second = store.import_bundle(workspace=workspace, bundle=demo_portfolio())
    assert sum(c.created for c in first.by_kind.values()) > 0
    changed = {kind: c for kind, c in second.by_kind.items() if c.created or c.updated}
    assert not changed, changed
    snapshot = store.snapshot(workspace=workspace, deal_id="hh-scheduling")
    assert len(snapshot.members) == 25
    assert len(store.list_interactions(workspace=workspace, deal_id="hh-scheduling")) == len(
        [i for i in demo_portfolio().interactions if i.deal_id == "hh-scheduling"]
    )


def test_a_later_week_reloads_the_demo_instead_of_piling_up_history(
    store: GraphStore, workspace: str
) -> None:
    from graphsvc.analysis.service import AnalysisService

    now = datetime.now(UTC)
    earlier = load_demo(store, workspace=workspace, now=now - timedelta(days=35))
    assert not earlier.reanchored
    same_week = load_demo(store, workspace=workspace, now=now - timedelta(days=35))
    assert not same_week.reanchored and same_week.created == same_week.updated == 0

    current = load_demo(store, workspace=workspace, now=now)
    assert current.reanchored
    history = store.deal_history(workspace=workspace, deal_id="hh-portal")
    expected = [m for m in demo_portfolio(now).memberships if m.deal_id == "hh-portal"]
    assert len(history.membership_facts) == len(expected), "old facts were left behind"
    service = AnalysisService(store=store, settings=store.settings)
    portal = service.analyze(workspace=workspace, deal_id="hh-portal")
    assert portal.support.trend.value == "shrinking"


def test_every_demo_deal_tells_its_story(store: GraphStore, workspace: str) -> None:
    """Whatever the day `make demo` runs (its facts hang from that week's Monday), every
    deal shows its story's flag and a healthy deal none, the same all week (a Sunday
    run once showed NO_NEXT_STEP on a healthy deal: its next step fell that morning)."""
    from graphsvc.analysis.service import AnalysisService

    monday = demo_anchor(datetime(2026, 11, 26, tzinfo=UTC))
    store.import_bundle(workspace=workspace, bundle=demo_portfolio(monday))
    service = AnalysisService(store=store, settings=store.settings)
    week: list[dict[str, set[str]]] = []
    for at in (monday, monday + timedelta(days=3.5), monday + timedelta(days=7, milliseconds=-1)):
        results = {
            s.deal.id: service.analyze(workspace=workspace, deal_id=s.deal.id, as_of=at)
            for s in demo_scenarios()
        }
        codes = {deal: {f.code.value for f in r.flags} for deal, r in results.items()}
        for scenario in demo_scenarios():
            found = codes[scenario.deal.id]
            if scenario.expected_flag is None:
                assert not found - {"KEY_PERSON_STANCE_UNKNOWN"}, (scenario.deal.id, at, found)
            else:
                assert scenario.expected_flag in found, (scenario.deal.id, at, found)
        assert results["nw-robotics"].support.trend.value == "growing"
        assert results["hh-portal"].support.trend.value == "shrinking"
        top = results["hh-scheduling"].top_decision_maker
        assert top is not None and not top.contacted
        week.append(codes)
    assert week[0] == week[1] == week[2]
    assert DEMO_WORKSPACE == "demo"
