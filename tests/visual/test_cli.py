"""``graphsvc map`` and ``graphsvc map-link`` as a user runs them: a real process on the
session's store (the embedded FalkorDB's data directory, or Neo4j through ``NEO4J_*``),
shared with this test process."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from graphsvc.maps.links import verify_map_token
from tests.helpers import store_env
from tests.visual.sample import sample_deal


def run_cli(settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GRAPHSVC_", "NEO4J_"))}
    env.update(store_env(settings))
    env.update(
        {
            "GRAPHSVC_ENVIRONMENT": "test",
            "GRAPHSVC_PUBLIC_BASE_URL": "https://maps.example.test",
        }
    )
    return subprocess.run(
        [str(Path(sys.executable).with_name("graphsvc")), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_map_and_map_link_commands(store, workspace, tmp_path: Path) -> None:
    settings = store.settings
    end = (datetime.now(UTC) - timedelta(minutes=1)).replace(microsecond=0)
    deal = sample_deal(16, seed=6, deal_id="cli-deal", workspace=workspace, end=end)
    store.import_bundle(workspace=workspace, bundle=deal.bundle)

    out = tmp_path / "deal.html"
    done = run_cli(settings, "map", "cli-deal", "-o", str(out), "--workspace", workspace)
    assert done.returncode == 0, done.stderr
    html = out.read_text(encoding="utf-8")
    block = re.search(r'<script id="map-data" type="application/json">(.*?)</script>', html, re.S)
    assert block is not None
    data = json.loads(block.group(1))
    assert data["mode"] == "file" and len(data["frames"]) > 1
    assert data["frames"][-1]["committee_size"] == len(deal.history.snapshot().members)

    earlier = tmp_path / "earlier.html"
    day = (deal.start + timedelta(days=6)).date().isoformat()
    done = run_cli(
        settings, "map", "cli-deal", "-o", str(earlier), "--as-of", day, "--workspace", workspace
    )
    assert done.returncode == 0, done.stderr
    block = re.search(
        r'<script id="map-data" type="application/json">(.*?)</script>',
        earlier.read_text(encoding="utf-8"),
        re.S,
    )
    assert block is not None
    assert json.loads(block.group(1))["frames"][-1]["date"] == day

    done = run_cli(settings, "map-link", "cli-deal", "--ttl-days", "2", "--workspace", workspace)
    assert done.returncode == 0, done.stderr
    url = done.stdout.strip()
    assert url.startswith("https://maps.example.test/maps/")
    grant = verify_map_token(settings=settings, token=url.rsplit("/", 1)[1])
    assert (grant.workspace, grant.deal_id) == (workspace, "cli-deal")
    assert timedelta(days=1.99) < grant.expires_at - datetime.now(UTC) <= timedelta(days=2)

    missing = run_cli(
        settings, "map", "no-such-deal", "-o", str(tmp_path / "x.html"), "--workspace", workspace
    )
    assert missing.returncode != 0 and "no deal" in missing.stderr
    assert not (tmp_path / "x.html").exists()


def test_serve_refuses_the_placeholder_secret_in_production(settings) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GRAPHSVC_", "NEO4J_"))}
    env.update({"GRAPHSVC_ENVIRONMENT": "production", "GRAPHSVC_DATA_DIR": str(settings.data_dir)})
    done = subprocess.run(
        [str(Path(sys.executable).with_name("graphsvc")), "serve"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode != 0
    assert "GRAPHSVC_MAP_LINK_SECRET" in done.stderr
