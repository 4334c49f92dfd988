"""The deal-map page as HTML: network encoding, escaping, inline assets, and its CSP.

Hand-built inputs: :func:`visual.sample.sample_deal` histories (seeded) and, where a
test needs exact values, DealSnapshot/DealAnalysis objects built here and described in
the map's plain data by ``graphsvc.maps.frames.map_frame``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from markupsafe import escape

from graphsvc.analysis.engine import analyze
from graphsvc.analysis.schemas import (
    Coverage,
    DealAnalysis,
    Flag,
    FlagCode,
    RankedMember,
    ScoreComponents,
    Severity,
    SupportPoint,
    SupportSummary,
    TopDecisionMaker,
)
from graphsvc.domain.models import Deal, Role, Stance, to_ms
from graphsvc.domain.snapshot import (
    DealSnapshot,
    InteractionRecord,
    Line,
    Member,
    StakeholderInfo,
)
from graphsvc.errors import ValidationFailed
from graphsvc.maps.frames import chart_points, map_frame, role_family
from graphsvc.maps.service import map_page_from_history, parse_as_of
from graphsvc.visual.data import MapFrame
from graphsvc.visual.network import ALLY_BORDER, STANCE_COLORS, build_network, node_size
from graphsvc.visual.render import content_security_policy, json_for_script, render_deal_map
from tests.visual.sample import (
    HOSTILE_DEAL,
    HOSTILE_NAME,
    HOSTILE_SUMMARY,
    HOSTILE_TITLE,
    sample_deal,
)

END = datetime(2026, 11, 2, 12, tzinfo=UTC)
T = to_ms(END)
DAY = 86_400_000


def _member(sid: str, role: Role, stance: Stance, ally: bool = False) -> Member:
    return Member(
        stakeholder=StakeholderInfo(id=sid, account_id="acc", name=f"Name {sid}", title="VP"),
        role=role,
        stance=stance,
        ally=ally,
        influence_rating=3,
        self_weight=None,
        since=T - 50 * DAY,
    )


def _ranked(m: Member, rank: int, score: float) -> RankedMember:
    return RankedMember(
        stakeholder_id=m.id,
        name=m.stakeholder.name,
        title=m.stakeholder.title,
        role=m.role,
        stance=m.stance,
        ally=m.ally,
        rank=rank,
        score=score,
        components=ScoreComponents(authority=0.5, network=0.25, rating=0.5),
        coverage=Coverage.brief,
        interaction_count=1,
    )


def hand_built_frame() -> MapFrame:
    return map_frame(*hand_built())


def hand_built() -> tuple[DealSnapshot, DealAnalysis]:
    """Four members, a team of two; ``dm`` (top decision-maker) never contacted."""
    deal = Deal(id="d1", account_id="acc", name="Hand-built deal", owner_email="o@us.example")
    members = (
        _member("dm", Role.economic_decision_maker, Stance.unknown),
        _member("champ", Role.champion, Stance.champion, ally=True),
        _member("user", Role.business_user, Stance.skeptic),
        _member("gate", Role.gatekeeper, Stance.blocker),
    )
    interactions = (
        # "old" is 40 days before the snapshot: its link fades (stale after 30 days).
        InteractionRecord("old", T - 40 * DAY, "call", ("user",), ("ann@us.example",), "old"),
        InteractionRecord("i1", T - 5 * DAY, "meeting", ("champ",), ("ann@us.example",), "a"),
        InteractionRecord("i2", T - 4 * DAY, "meeting", ("champ",), ("ann@us.example",), "b"),
        InteractionRecord("i3", T - 3 * DAY, "email", ("champ", "gate"), ("bo@us.example",), "c"),
    )
    snapshot = DealSnapshot(
        workspace="ws",
        deal=deal,
        as_of=T,
        members=members,
        influences=(Line("champ", "dm", 0.8, T - 40 * DAY), Line("gate", "dm", 0.2, T - 40 * DAY)),
        reporting=(Line("user", "champ", 1.0, T - 40 * DAY),),
        interactions=interactions,
    )
    scores = {"dm": 90.0, "champ": 60.0, "user": 10.0, "gate": 30.0}
    ranking = [
        _ranked(m, rank, scores[m.id])
        for rank, m in enumerate(sorted(members, key=lambda m: -scores[m.id]), start=1)
    ]
    analysis = DealAnalysis(
        deal_id="d1",
        deal_name=deal.name,
        owner_email=deal.owner_email,
        status="open",
        as_of=END,
        ranking=ranking,
        top_decision_maker=TopDecisionMaker(
            stakeholder_id="dm", name="Name dm", confirmed=True, contacted=False
        ),
        support=SupportSummary(share=0.3, opposition=0.4, neutral=0.3, allies=1, completeness=0.8),
        flags=[
            Flag(
                code=FlagCode.DM_NEVER_CONTACTED,
                severity=Severity.high,
                message="never contacted",
                stakeholder_ids=["dm"],
            )
        ],
    )
    return snapshot, analysis


def data_block(html: str) -> dict:
    match = re.search(r'<script id="map-data" type="application/json">(.*?)</script>', html, re.S)
    assert match is not None
    return json.loads(match.group(1))


def test_nodes_encode_score_stance_role_and_ally() -> None:
    parts = build_network(hand_built_frame(), stale_days=30)
    nodes = {n["id"]: n for n in parts.network.nodes}
    assert {i for i in nodes if i.startswith("s:")} == {"s:dm", "s:champ", "s:user", "s:gate"}
    assert nodes["s:dm"]["shape"] == "diamond"
    assert nodes["s:champ"]["shape"] == "dot"
    assert nodes["s:user"]["shape"] == "square"
    assert nodes["s:gate"]["shape"] == "triangle"
    assert nodes["s:user"]["color"]["background"] == STANCE_COLORS[Stance.skeptic]
    assert nodes["s:dm"]["color"]["background"] == STANCE_COLORS[Stance.unknown]
    # Size grows with the score; the ally's border is heavy and dark.
    assert nodes["s:dm"]["size"] > nodes["s:champ"]["size"] > nodes["s:gate"]["size"]
    assert nodes["s:champ"]["borderWidth"] > 3 * nodes["s:user"]["borderWidth"]
    assert nodes["s:champ"]["color"]["border"] == ALLY_BORDER
    assert parts.node_info["s:dm"]["never_contacted"] is True
    assert parts.node_info["s:champ"]["never_contacted"] is False
    # No user text in the vis items except the canvas label; no vis "title".
    assert all("title" not in n for n in parts.network.nodes + parts.network.edges)


def test_edges_encode_strength_reporting_and_team_contacts() -> None:
    parts = build_network(hand_built_frame(), stale_days=30)
    edges = {(e["from"], e["to"]): e for e in parts.network.edges}
    strong, weak = edges[("s:champ", "s:dm")], edges[("s:gate", "s:dm")]
    assert strong["width"] > weak["width"]
    assert parts.edge_info[strong["id"]] == {
        "kind": "influence",
        "strength": 0.8,
        "since": "2026-09-23",
    }
    reporting = edges[("s:user", "s:champ")]
    assert reporting["dashes"] and parts.edge_info[reporting["id"]]["kind"] == "reporting"
    # ann met champ twice, user once (40 days ago: faded); bo met champ and gate once.
    ann_champ = edges[("t:ann@us.example", "s:champ")]
    ann_user = edges[("t:ann@us.example", "s:user")]
    assert ann_champ["width"] > ann_user["width"]
    assert ann_user["color"]["opacity"] < 0.5 < ann_champ["color"]["opacity"]
    assert parts.edge_info[ann_champ["id"]]["count"] == 2
    assert parts.edge_info[ann_user["id"]]["stale"] is True
    assert ("t:bo@us.example", "s:gate") in edges
    team = {n["id"] for n in parts.network.nodes if n["id"].startswith("t:")}
    assert team == {"t:ann@us.example", "t:bo@us.example"}


def test_role_families_and_sizes() -> None:
    assert role_family(Role.decision_maker) == role_family(Role.economic_buyer) == "decision"
    assert role_family(Role.evaluator) == role_family(Role.influencer) == "influence"
    assert role_family(Role.business_user) == "user"
    assert role_family(Role.gatekeeper) == "gatekeeper"
    assert role_family(Role.other) == "other"
    assert node_size(0) < node_size(50) < node_size(100)
    assert node_size(-5) == node_size(0) and node_size(500) == node_size(100)


def test_json_for_script_cannot_close_the_block() -> None:
    value = {"x": "</script><script>alert(1)</script>", "y": "<!-- & -->", "z": "\u2028"}
    text = json_for_script(value)
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == value


def test_page_is_self_contained_and_policy_matches_its_inline_blocks() -> None:
    page = render_deal_map([hand_built_frame()])
    html = page.html
    # No external resource of any kind, no CDN, no bootstrap.
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html, re.I)
    assert "cdn" not in html.lower().replace("cdnjs", "")
    assert "bootstrap" not in html.lower()
    assert re.search(r"<link[^>]+stylesheet", html) is None
    # Every executable inline script and every style block is allowed by its hash, and
    # the policy allows nothing else.
    scripts = re.findall(r"<script>(.*?)</script>", html, re.S)
    styles = re.findall(r"<style>(.*?)</style>", html, re.S)
    assert len(scripts) == 2 and len(styles) == 1
    policy = page.content_security_policy
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    for block, directive in [*((s, "script-src") for s in scripts), (styles[0], "style-src")]:
        digest = base64.b64encode(hashlib.sha256(block.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in directives[directive]
    assert directives["default-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in policy and "http" not in policy and "*" not in policy
    # The same rules, minus frame-ancestors, as a <meta> policy for pages opened from disk.
    assert str(escape(content_security_policy(for_meta=True))) in html
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    # vis-network itself is inline (the pyvis package's copy).
    assert "vis-network" in scripts[0][:400]


def test_hostile_text_is_never_markup_in_the_page() -> None:
    deal = sample_deal(12, end=END, hostile=True)
    html = map_page_from_history(deal.history).html
    for payload in (HOSTILE_NAME, HOSTILE_TITLE, HOSTILE_DEAL, HOSTILE_SUMMARY):
        assert payload not in html
    assert "<img" not in html and "javascript:window" not in html.split('id="map-data"')[0]
    # The only </script> occurrences are the page's own three block ends.
    assert html.count("</script>") == 3
    data = data_block(html)
    frame = data["frames"][-1]
    names = [i.get("name") for i in frame["node_info"].values()]
    assert HOSTILE_NAME in names
    assert HOSTILE_TITLE in [i.get("title") for i in frame["node_info"].values()]
    assert frame["deal"]["name"] == HOSTILE_DEAL
    assert any(rec[2] == HOSTILE_SUMMARY for rec in frame["interactions"].values())
    # The <title> is autoescaped.
    assert "<title>Deal &lt;/title&gt;&lt;script&gt;" in html


def test_file_pages_embed_earlier_committees() -> None:
    deal = sample_deal(30, end=END, seed=3)
    data = data_block(map_page_from_history(deal.history, mode="file").html)
    frames = data["frames"]
    assert data["mode"] == "file" and 2 < len(frames) <= 13
    assert data["current"] == len(frames) - 1
    instants = [f["as_of_ms"] for f in frames]
    assert instants == sorted(instants) and instants[-1] == deal.history.as_of
    for f in (frames[0], frames[-1]):
        expected = len(deal.history.snapshot(f["as_of_ms"]).members)
        assert f["committee_size"] == expected
        assert sum(n["id"].startswith("s:") for n in f["nodes"]) == expected
    assert frames[0]["committee_size"] < frames[-1]["committee_size"]
    assert [p["date"] for p in data["history"]][-1] == "2026-11-02"
    served = data_block(map_page_from_history(deal.history).html)
    assert served["mode"] == "served" and len(served["frames"]) == 1


def test_page_shows_the_real_analysis() -> None:
    deal = sample_deal(30, end=END)
    analysis = analyze([deal.history])[0]  # the same engine as the API
    frame = data_block(map_page_from_history(deal.history).html)["frames"][0]
    assert frame["support"]["share"] == analysis.support.share
    assert [f["code"] for f in frame["flags"]] == [f.code.value for f in analysis.flags]
    assert analysis.top_decision_maker is not None
    assert analysis.top_decision_maker.stakeholder_id == deal.top_decision_maker_id
    assert frame["alert_node"] == "s:" + deal.top_decision_maker_id
    top = analysis.ranking[0]
    assert frame["node_info"]["s:" + top.stakeholder_id]["score"] == round(top.score, 1)


def test_support_history_points_reach_the_chart() -> None:
    points = [
        SupportPoint(at=END - timedelta(weeks=w), share=0.1 * w, opposition=0.1, allies=w)
        for w in (2, 1, 0)
    ]
    data = data_block(render_deal_map([hand_built_frame()], history=chart_points(points)).html)
    assert [p["allies"] for p in data["history"]] == [2, 1, 0]  # oldest first


def test_as_of_parsing() -> None:
    assert parse_as_of(None) is None
    assert parse_as_of("2026-03-01") == datetime(2026, 3, 1, 23, 59, 59, 999000, tzinfo=UTC)
    assert parse_as_of("2026-03-01T10:00:00") == datetime(2026, 3, 1, 10, tzinfo=UTC)
    for bad in ("yesterday", "2026-13-01", "0001-01-01T00:00:00+14:00"):
        with pytest.raises(ValidationFailed):
            parse_as_of(bad)


def test_visual_is_a_rendering_library_that_imports_nothing_from_graphsvc() -> None:
    code = (
        "import sys, visual, visual.data, visual.network, visual.render\n"
        "leaked = sorted(m for m in sys.modules if m.split('.')[0] == 'graphsvc')\n"
        "assert not leaked, leaked\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
