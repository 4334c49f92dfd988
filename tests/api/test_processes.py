"""Real ``graphsvc`` processes on one store (as behind a load balancer), on each backend:
the embedded FalkorDB, and the session's Neo4j through ``NEO4J_*`` as the compose stack
sets them:

* a write through one API process is visible in the next analysis served by another;
* the access log is one JSON line per request, with the echoed X-Request-ID, and no
  key or password ever reaches a log;
* ``graphsvc keys create`` prints the key last; ``serve`` refuses the placeholder
  map-link secret in production.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

GRAPHSVC = str(Path(sys.executable).with_name("graphsvc"))
pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServeProcess:
    """``graphsvc serve`` in a child process; its stderr is collected line by line."""

    def __init__(self, env: dict[str, str]) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [GRAPHSVC, "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: list[str] = []
        self._events: queue.Queue[str] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.append(line.rstrip("\n"))
            self._events.put(line)
        self._events.put("")

    def wait_ready(self, timeout: float = 90) -> None:
        # uvicorn announces start-up on stderr: block on that line, no polling.
        while True:
            line = self._events.get(timeout=timeout)
            if not line:
                raise AssertionError("server exited:\n" + "\n".join(self.lines))
            if "Application startup complete" in line:
                return

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._reader.join(timeout=10)

    def access_lines(self) -> list[dict[str, Any]]:
        out = []
        for line in self.lines:
            if line.startswith("{"):
                entry = json.loads(line)
                if entry.get("logger") == "graphsvc.access":
                    out.append(entry)
        return out


@pytest.fixture
def env(tmp_path: Path, backend: str, request: pytest.FixtureRequest) -> dict[str, str]:
    values = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}
    values.update(
        {
            "GRAPHSVC_DATA_DIR": str(tmp_path / "data"),
            "GRAPHSVC_ENVIRONMENT": "test",
            "GRAPHSVC_LOG_LEVEL": "INFO",
            "GRAPHSVC_EMBEDDED_IDLE_SECONDS": "5",
            # The Neo4j store is shared with the webhook tests, which drive their own
            # delivery workers: these servers deliver nothing.
            "GRAPHSVC_WEBHOOK_WORKER": "false",
        }
    )
    if backend == "neo4j":
        values.update(request.getfixturevalue("neo4j_connection").env())
    return values


@pytest.fixture
def two_servers(env: dict[str, str]) -> Iterator[tuple[ServeProcess, ServeProcess]]:
    first = ServeProcess(env)
    first.wait_ready()
    second = ServeProcess(env)
    second.wait_ready()
    yield first, second
    first.stop()
    second.stop()


def create_key(env: dict[str, str], workspace: str, scope: str) -> str:
    done = subprocess.run(
        [GRAPHSVC, "keys", "create", "--workspace", workspace, "--scope", scope],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert len(lines) >= 2 and "shown only this once" in done.stdout
    return lines[-1]


def support(client: httpx.Client, deal: str) -> dict[str, Any]:
    r = client.get(f"/v1/deals/{deal}/analysis")
    assert r.status_code == 200, r.text
    return r.json()


def test_a_write_through_one_process_is_seen_through_the_other(
    env: dict[str, str], two_servers: tuple[ServeProcess, ServeProcess], workspace: str
) -> None:
    first, second = two_servers
    key = create_key(env, workspace, "write")
    as_json = subprocess.run(
        [GRAPHSVC, "keys", "create", "--workspace", workspace, "--scope", "read", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    record = json.loads(as_json.stdout.strip().splitlines()[-1])
    assert record["scope"] == "read" and record["key"].startswith("gsk_")
    headers = {"Authorization": f"Bearer {key}"}
    with (
        httpx.Client(base_url=first.url, headers=headers, timeout=60) as one,
        httpx.Client(base_url=second.url, headers=headers, timeout=60) as two,
    ):
        assert one.put("/v1/accounts/a", json={"name": "A"}).status_code == 201
        assert (
            one.put(
                "/v1/deals/d", json={"account_id": "a", "name": "D", "owner_email": "o@us.example"}
            ).status_code
            == 201
        )
        for sid, role, stance in (
            ("s1", "Decision Maker", "neutral"),
            ("s2", "Evaluator", "supporter"),
            ("s3", "Influencer", "skeptic"),
        ):
            assert (
                one.put(
                    f"/v1/stakeholders/{sid}", json={"account_id": "a", "name": sid}
                ).status_code
                == 201
            )
            assert (
                one.put(
                    f"/v1/deals/d/committee/{sid}", json={"role": role, "stance": stance}
                ).status_code
                == 200
            )
        before_one, before_two = support(one, "d"), support(two, "d")
        assert before_one["support"] == before_two["support"]
        # Served from each process's cache now (each answer as of its own request).
        again = support(one, "d")
        assert {**again, "as_of": None} == {**before_one, "as_of": None}
        assert support(two, "d")["support"] == before_two["support"]

        # Change the top decision-maker's stance through the second process ...
        assert (
            two.put(
                "/v1/deals/d/committee/s1", json={"role": "Decision Maker", "stance": "champion"}
            ).status_code
            == 200
        )
        # ... and the first process's very next analysis shows it.
        after_one = support(one, "d")
        assert after_one["support"]["share"] > before_one["support"]["share"]
        assert support(two, "d")["support"] == after_one["support"]

        # An interaction recorded through the first clears the "never contacted" flag
        # in the second.
        codes = {f["code"] for f in support(two, "d")["flags"]}
        assert "DM_NEVER_CONTACTED" in codes
        assert (
            one.post(
                "/v1/interactions",
                json={
                    "deal_id": "d",
                    "at": "2026-11-01T10:00:00Z",
                    "channel": "meeting",
                    "stakeholder_ids": ["s1"],
                    "team_member_emails": ["ae@us.example"],
                },
            ).status_code
            == 201
        )
        assert "DM_NEVER_CONTACTED" not in {f["code"] for f in support(two, "d")["flags"]}
        metrics = one.get("/metrics").text
        assert 'graphsvc_analysis_cache_total{result="hit"}' in metrics

    # keys list / revoke from the shell: the running servers refuse the key at once.
    listed = subprocess.run(
        [GRAPHSVC, "keys", "list", "--workspace", workspace, "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    keys = json.loads(listed.stdout)
    assert {k["scope"] for k in keys} == {"read", "write"}
    assert key not in listed.stdout and all("hash" not in k for k in keys)
    write_id = next(k["id"] for k in keys if k["scope"] == "write")
    revoked = subprocess.run(
        [GRAPHSVC, "keys", "revoke", write_id], env=env, capture_output=True, text=True, timeout=120
    )
    assert revoked.returncode == 0, revoked.stderr
    for server in (first, second):
        r = httpx.get(f"{server.url}/v1/deals", headers=headers, timeout=60)
        assert r.status_code == 401 and r.json()["error"] == "unauthorized"


def test_logs_are_json_lines_with_request_ids_and_no_secrets(
    env: dict[str, str], two_servers: tuple[ServeProcess, ServeProcess], workspace: str
) -> None:
    first, second = two_servers
    key = create_key(env, workspace, "write")
    password = "hunter2-Very-Secret"  # must never reach a log
    with httpx.Client(base_url=first.url, timeout=60) as client:
        ok = client.get(
            "/v1/deals", headers={"Authorization": f"Bearer {key}", "X-Request-ID": "req-42"}
        )
        assert ok.status_code == 200 and ok.headers["x-request-id"] == "req-42"
        # A key in the query string, a password in a body: neither may be logged.
        client.get(
            f"/v1/deals?api_key={key}&password={password}",
            headers={"Authorization": f"Bearer {key}"},
        )
        client.put(
            "/v1/accounts/x",
            json={"name": "x", "password": password},
            headers={"Authorization": f"Bearer {key}", "X-Request-ID": "req-43"},
        )
        client.get("/v1/deals", headers={"Authorization": f"Bearer {key}garbage"})
        client.get(f"/v1/deals/{password}", headers={"Authorization": f"Bearer {key}"})
        assert client.get("/healthz").status_code == 200
    first.stop()
    second.stop()
    entries = first.access_lines()
    assert len(entries) == 6
    for entry in entries:
        assert {"method", "path", "status", "duration_ms", "request_id"} <= entry.keys()
    by_id = {e["request_id"]: e for e in entries}
    assert by_id["req-42"]["path"] == "/v1/deals" and by_id["req-42"]["status"] == 200
    assert by_id["req-43"]["path"] == "/v1/accounts/{account_id}"
    assert by_id["req-43"]["status"] == 422
    assert "/v1/deals/{deal_id}" in {e["path"] for e in entries}
    for server in (first, second):
        # Every line either process wrote is one JSON object (uvicorn's own included).
        assert all(isinstance(json.loads(line), dict) for line in server.lines if line)
        text = "\n".join(server.lines)
        assert key not in text and key[4:20] not in text
        assert password not in text


def test_serve_refuses_placeholder_secret_in_production(env: dict[str, str]) -> None:
    done = subprocess.run(
        [GRAPHSVC, "serve", "--port", str(free_port())],
        env={**env, "GRAPHSVC_ENVIRONMENT": "production"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "GRAPHSVC_MAP_LINK_SECRET" in done.stderr
