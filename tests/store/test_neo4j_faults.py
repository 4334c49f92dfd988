"""Neo4j faults, on a local Neo4j of this module's own (never the session's shared one):

* Neo4j down at start: ``graphsvc serve`` (and any command) fails in one line naming
  the URI, with a non-zero exit;
* a wrong password: one clear line that does not contain the password;
* Neo4j stopped while the API runs: requests answer 503 ``store_unavailable`` naming the
  server, then succeed again once it is back, in the same process;
* a write cut off by a crash (SIGKILL) is entirely there or entirely absent afterwards.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from tenacity import Retrying, retry_if_result, stop_after_delay, wait_exponential

from graphsvc.app import create_app
from graphsvc.config import Settings
from graphsvc.domain.models import Account
from graphsvc.errors import StoreUnavailable
from graphsvc.keys import KeyRepository
from graphsvc.store.repository import GraphStore
from graphsvc.store.runners import Neo4jRunner
from tests.api.conftest import LiveServer
from tests.conftest import make_settings
from tests.helpers import running_in_ci
from tests.local_neo4j import LocalNeo4j, missing_tools

GRAPHSVC = str(Path(sys.executable).with_name("graphsvc"))
PASSWORD = "faults-Pa55word-7d1e"
# One worker runs the whole module, so it starts one server for all of it.
pytestmark = [pytest.mark.xdist_group("neo4j_faults"), pytest.mark.neo4j, pytest.mark.slow]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalNeo4j]:
    reason = missing_tools()
    if reason:
        if running_in_ci():
            pytest.fail(f"{reason} (required when CI=true)", pytrace=False)
        pytest.skip(reason)
    local = LocalNeo4j(
        tmp_path_factory.mktemp("neo4j-faults") / "data",
        password=PASSWORD,
        heap="512m",
        pagecache="128m",
    )
    local.start()
    yield local
    local.stop()


def settings_for(server: LocalNeo4j, tmp_path: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "neo4j_uri": server.uri,
        "neo4j_password": PASSWORD,
        "neo4j_retry_seconds": 1.0,
    }
    values.update(overrides)
    return make_settings(tmp_path / "unused", **values)


def cli_env(**neo4j: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GRAPHSVC_", "NEO4J_"))}
    env.update(GRAPHSVC_ENVIRONMENT="test", GRAPHSVC_NEO4J_RETRY_SECONDS="1", **neo4j)
    return env


def error_lines(done: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in done.stderr.splitlines() if line.strip()]


def test_neo4j_down_at_start_is_one_line_naming_the_uri() -> None:
    uri = f"bolt://127.0.0.1:{free_port()}"  # nothing listens there
    env = cli_env(NEO4J_URI=uri, NEO4J_PASSWORD="whatever")
    serve = subprocess.run(
        [GRAPHSVC, "serve", "--port", str(free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert serve.returncode != 0
    assert error_lines(serve) == [error_lines(serve)[0]] and uri in serve.stderr
    assert "is unavailable" in serve.stderr and "Traceback" not in serve.stderr
    status = subprocess.run(
        [GRAPHSVC, "db", "status"], env=env, capture_output=True, text=True, timeout=120
    )
    assert status.returncode != 0 and len(error_lines(status)) == 1 and uri in status.stderr


def test_wrong_password_is_a_clear_error_without_the_password(server: LocalNeo4j) -> None:
    assert server.uri
    wrong = "Wr0ng-" + PASSWORD
    for args in (["db", "status"], ["risks", "--workspace", "w"]):
        done = subprocess.run(
            [GRAPHSVC, *args],
            env=cli_env(NEO4J_URI=server.uri, NEO4J_PASSWORD=wrong),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode != 0
        assert len(error_lines(done)) == 1
        assert f"Neo4j at {server.uri} refused the login of user 'neo4j'" in done.stderr
        assert wrong not in done.stdout + done.stderr
        assert PASSWORD not in done.stdout + done.stderr


def test_db_status_reports_server_and_schema(server: LocalNeo4j) -> None:
    assert server.uri
    env = cli_env(NEO4J_URI=server.uri, NEO4J_PASSWORD=PASSWORD)
    subprocess.run(
        [GRAPHSVC, "keys", "list"], env=env, check=True, capture_output=True, timeout=120
    )  # opens the store: creates the schema
    done = subprocess.run(
        [GRAPHSVC, "db", "status", "--json"], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    info = json.loads(done.stdout)
    assert info["uri"] == server.uri and info["version"].startswith("5.")
    assert info["edition"] == "community" and info["schema_complete"] is True
    expected = Neo4jRunner.expected_schema()
    assert sorted(info["constraints"]) == sorted(expected["constraints"])
    assert set(info["indexes"].values()) == {"ONLINE"}
    table = subprocess.run(
        [GRAPHSVC, "db", "status"], env=env, capture_output=True, text=True, timeout=120
    )
    assert "community edition" in table.stdout and server.uri in table.stdout
    assert PASSWORD not in table.stdout + done.stdout


def test_api_answers_503_while_neo4j_is_down_then_recovers(
    server: LocalNeo4j, tmp_path: Path
) -> None:
    settings = settings_for(server, tmp_path)
    store = GraphStore.open(settings)
    live = LiveServer(create_app(settings=settings, store=store))
    try:
        key, _ = KeyRepository(store.runner).create(workspace="faults", scope="write")
        client = httpx.Client(
            base_url=live.url, timeout=60, headers={"Authorization": f"Bearer {key}"}
        )
        assert client.put("/v1/accounts/a1", json={"name": "Before"}).status_code == 201

        server.stop()
        down = client.get("/v1/accounts/a1")
        assert down.status_code == 503, down.text
        body = down.json()
        assert body["error"] == "store_unavailable"
        assert f"Neo4j at {server.uri} is unavailable" in body["detail"]
        assert client.get("/readyz").status_code == 503
        assert client.put("/v1/accounts/a2", json={"name": "Lost"}).status_code == 503

        server.restart()
        # Same process, same driver: the next requests reconnect by themselves.
        assert client.get("/readyz").status_code == 200
        back = client.get("/v1/accounts/a1")
        assert back.status_code == 200 and back.json()["name"] == "Before"
        assert client.put("/v1/accounts/a2", json={"name": "After"}).status_code == 201
        assert client.get("/v1/accounts/a2").json()["name"] == "After"
        client.close()
    finally:
        live.stop()
        store.close()


ROWS = 30_000


def count_accounts(runner: Neo4jRunner, ws: str) -> int:
    rows = runner.execute(
        "MATCH (a:Account) WHERE a.ws = $ws RETURN count(a) AS n", {"ws": ws}, read_only=True
    )
    return int(rows[0]["n"])


def test_write_cut_off_by_a_crash_is_all_or_nothing(server: LocalNeo4j, tmp_path: Path) -> None:
    # One statement (batch size above the row count), so one transaction on Neo4j.
    settings = settings_for(server, tmp_path, store_batch_size=ROWS + 1)
    store = GraphStore.open(settings)
    runner = store.runner
    assert isinstance(runner, Neo4jRunner)
    ws = "crash"
    accounts = [Account(id=f"acc-{i:05d}", name=f"Account {i}") for i in range(ROWS)]
    outcome: list[BaseException | None] = []

    def write() -> None:
        try:
            store.upsert_accounts(workspace=ws, accounts=accounts)
            outcome.append(None)
        except BaseException as exc:  # handed to the test thread
            outcome.append(exc)

    writer = threading.Thread(target=write)
    writer.start()
    try:
        # Kill the server while the write's transaction runs (it shows in SHOW
        # TRANSACTIONS), or at the latest once the write has returned.
        def running() -> bool:
            if outcome:
                return True
            # The text to look for (a line of account_upsert.cypher) is a parameter, so
            # this query does not match itself.
            rows = runner.execute(
                "SHOW TRANSACTIONS YIELD currentQuery WHERE currentQuery CONTAINS $text "
                "RETURN count(*) AS n",
                {"text": "MERGE (a:Account {key: row.key})"},
                read_only=True,
            )
            return bool(rows[0]["n"])

        Retrying(
            retry=retry_if_result(lambda ok: not ok),
            stop=stop_after_delay(120),
            wait=wait_exponential(multiplier=0.005, max=0.05),
            reraise=True,
        )(running)
        server.kill()
    finally:
        writer.join(timeout=120)
    server.restart()
    assert outcome and (outcome[0] is None or isinstance(outcome[0], StoreUnavailable))
    found = count_accounts(runner, ws)
    assert found in (0, ROWS), f"{found} of {ROWS} accounts: a partial write"
    if outcome[0] is None:
        assert found == ROWS  # acknowledged, so durable
    # The write is idempotent: repeating it completes it, whatever the crash left.
    store.upsert_accounts(workspace=ws, accounts=accounts)
    assert count_accounts(runner, ws) == ROWS
    store.close()


def test_processes_starting_at_once_all_set_up_the_schema(server: LocalNeo4j) -> None:
    """Several processes (API workers, test workers) starting on one server each run the
    schema's ``IF NOT EXISTS`` rules; one that another creates at that moment answers
    "equivalent rule already exists", which is the rule we wanted, not a failure."""
    assert server.uri
    runners = [
        Neo4jRunner(server.uri, user="neo4j", password=PASSWORD, database="neo4j") for _ in range(4)
    ]
    try:
        for row in runners[0].execute("SHOW INDEXES YIELD name RETURN name", read_only=True):
            if row["name"].startswith("graphsvc_") and not row["name"].endswith("_key"):
                runners[0].execute(f"DROP INDEX {row['name']}")  # names from our own schema
        for row in runners[0].execute("SHOW CONSTRAINTS YIELD name RETURN name", read_only=True):
            if row["name"].startswith("graphsvc_"):
                runners[0].execute(f"DROP CONSTRAINT {row['name']}")
        barrier = threading.Barrier(len(runners))
        failures: list[BaseException] = []

        def set_up(runner: Neo4jRunner) -> None:
            barrier.wait()
            try:
                runner.ensure_schema()
            except BaseException as exc:  # reported below, with the others
                failures.append(exc)

        threads = [threading.Thread(target=set_up, args=(r,)) for r in runners]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert failures == []
        status = runners[0].describe()
        assert set(status["constraints"].values()) == {"present"}
        assert "missing" not in status["indexes"].values()
    finally:
        for runner in runners:
            runner.close()
