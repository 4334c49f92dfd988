"""Render a deal's buying committee as one self-contained, offline, script-safe HTML page.

The network is built with pyvis (nodes, edges and vis-network options); the page is our
own jinja2 template, because pyvis's stock template loads bootstrap and vis-network
from CDNs and writes tooltip titles into ``innerHTML``. Every script and stylesheet is
inline (vis-network's JavaScript comes from inside the pyvis package), so the page
works from ``file://`` with the network off.

Safety rules the page keeps:

* all user text (names, titles, summaries, flag messages) travels as JSON inside one
  ``<script type="application/json">`` block, with ``<``, ``>`` and ``&`` written as
  ``\\u003c``-style escapes so nothing in the data can close the block, and the page's
  own script puts it on screen with ``textContent`` only (tooltips are DOM elements);
* the page carries a Content-Security-Policy that allows exactly the page's own
  inline script and style blocks by their SHA-256 hashes: no ``'unsafe-inline'``, no
  ``'unsafe-eval'``, no other host. The hashes are constant (the data block is not a
  script), so the same policy is sent as an HTTP header by the API and embedded as a
  ``<meta>`` element for pages opened from disk.

A page holds one or more *frames* (the committee and its analysis as of an instant).
Served pages hold one frame and their as-of control navigates with ``?as_of=``; pages
written to disk embed a frame per support-history instant so the control can show an
earlier committee without a server.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import jinja2
import pyvis
from pyvis.network import Network

from graphsvc.analysis.schemas import DealAnalysis, RankedMember, SupportPoint
from graphsvc.domain.models import DECISION_ROLES, Role, Stance, from_ms, to_ms
from graphsvc.domain.snapshot import DealSnapshot, InteractionRecord

PageMode = Literal["served", "file"]

_HERE = Path(__file__).resolve().parent
_VIS_VERSION = "9.1.2"

# Okabe & Ito's colour-blind-safe palette (https://jfly.uni-koeln.de/color/), ordered
# blue -> yellow -> vermillion along the five-step stance scale; grey for unknown.
STANCE_COLORS: dict[Stance, str] = {
    Stance.champion: "#0072B2",
    Stance.supporter: "#56B4E9",
    Stance.neutral: "#F0E442",
    Stance.skeptic: "#E69F00",
    Stance.blocker: "#D55E00",
    Stance.unknown: "#B4B4B4",
}
STANCE_BORDERS: dict[Stance, str] = {
    Stance.champion: "#004B75",
    Stance.supporter: "#2B7FAE",
    Stance.neutral: "#A39A1C",
    Stance.skeptic: "#9A6A00",
    Stance.blocker: "#8C3E00",
    Stance.unknown: "#7A7A7A",
}
ALLY_BORDER = "#111111"
TEAM_COLOR = "#CC79A7"  # Okabe-Ito reddish purple: not used by any stance
TEAM_FILL = "#F6E3EE"
ALERT_COLOR = "#E4002B"
INFLUENCE_COLOR = "#4D4D4D"
REPORTING_COLOR = "#8C8C8C"

# Role families and their node shapes (vis-network shape names).
ROLE_FAMILIES: dict[str, tuple[str, str]] = {
    # family: (shape, legend text)
    "decision": ("diamond", "Decision-maker roles"),
    "influence": ("dot", "Influencers, evaluators, sponsors, champions"),
    "user": ("square", "Business users"),
    "gatekeeper": ("triangle", "Gatekeepers"),
    "other": ("triangleDown", "Other roles"),
}
_INFLUENCE_ROLES = frozenset(
    {Role.influencer, Role.evaluator, Role.technical_buyer, Role.executive_sponsor, Role.champion}
)

_MIN_SIZE = 12.0
_MAX_SIZE = 44.0
_SUMMARY_CHARS = 280
_LABEL_CHARS = 40
_TEXT_CHARS = 300  # names and titles in tooltips (the store allows 20,000 characters)
_DAY_MS = 86_400_000


def role_family(role: Role) -> str:
    """The node-shape family of a committee role."""
    if role in DECISION_ROLES:
        return "decision"
    if role in _INFLUENCE_ROLES:
        return "influence"
    if role == Role.business_user:
        return "user"
    if role == Role.gatekeeper:
        return "gatekeeper"
    return "other"


def node_size(score: float) -> float:
    """Node radius for an influence score of 0..100 (linear, so area grows faster)."""
    score = min(max(score, 0.0), 100.0)
    return round(_MIN_SIZE + (_MAX_SIZE - _MIN_SIZE) * score / 100.0, 2)


def member_node_id(stakeholder_id: str) -> str:
    # Prefixes keep a stakeholder id and a team e-mail from ever colliding.
    return "s:" + stakeholder_id


def team_node_id(email: str) -> str:
    return "t:" + email


@dataclass(frozen=True)
class MapFrame:
    """The committee and its analysis as of one instant."""

    snapshot: DealSnapshot
    analysis: DealAnalysis


@dataclass(frozen=True)
class RenderedMap:
    html: str
    content_security_policy: str
    headers: dict[str, str]


# --------------------------------------------------------------------------- network


def _date(ms: int | None) -> str | None:
    return None if ms is None else from_ms(ms).strftime("%Y-%m-%d")


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%d")


def _clip(text: str | None, limit: int) -> str | None:
    if text is None:
        return None
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _team_contacts(
    interactions: Sequence[InteractionRecord], member_ids: set[str]
) -> dict[tuple[str, str], tuple[int, InteractionRecord]]:
    """(team e-mail, stakeholder id) -> (interaction count, latest interaction)."""
    contacts: dict[tuple[str, str], tuple[int, InteractionRecord]] = {}
    for record in interactions:
        for email in record.team_member_emails:
            for sid in record.stakeholder_ids:
                if sid not in member_ids:
                    continue
                count, latest = contacts.get((email, sid), (0, record))
                if record.at >= latest.at:
                    latest = record
                contacts[(email, sid)] = (count + 1, latest)
    return contacts


def _last_interactions(
    interactions: Sequence[InteractionRecord],
) -> dict[str, InteractionRecord]:
    latest: dict[str, InteractionRecord] = {}
    for record in interactions:
        for sid in record.stakeholder_ids:
            held = latest.get(sid)
            if held is None or record.at >= held.at:
                latest[sid] = record
    return latest


@dataclass(frozen=True)
class CommitteeNetwork:
    """The pyvis network of one committee plus what its tooltips show.

    ``node_info``/``edge_info`` (keyed by vis id) and ``interactions`` (id -> ``[date,
    channel, summary]``) are kept apart from the vis items, so no user text ever
    reaches vis-network's own tooltip code.
    """

    network: Network
    node_info: dict[str, Any]
    edge_info: dict[str, Any]
    interactions: dict[str, list[str | None]]


def build_network(
    snapshot: DealSnapshot, analysis: DealAnalysis, *, stale_days: int = 30
) -> CommitteeNetwork:
    """Build the pyvis network of one committee.

    Nodes: one per member (size by score, colour by stance, shape by role family,
    heavy border for allies) and one per team member who met any of them. Edges:
    influence arrows (width by strength), dashed reporting lines, and team contact
    links (width by interaction count, faded after ``stale_days`` without contact).

    Examples
    --------
    >>> from graphsvc.analysis._examples import history_from_events
    >>> from graphsvc.analysis.deal import analyze_history
    >>> history = history_from_events([(0, f"p{i}", {"role": "Evaluator"}) for i in range(8)])
    >>> parts = build_network(history.snapshot(), analyze_history(history))
    >>> sum(n["group"] == "member" for n in parts.network.nodes)
    8
    """
    net = Network(directed=True)
    ranked: dict[str, RankedMember] = {r.stakeholder_id: r for r in analysis.ranking}
    last_by_member = _last_interactions(snapshot.interactions)
    tdm = analysis.top_decision_maker
    alert_id = tdm.stakeholder_id if tdm is not None and not tdm.contacted else None
    node_info: dict[str, Any] = {}
    edge_info: dict[str, Any] = {}
    used: dict[str, list[str | None]] = {}

    def refer(record: InteractionRecord) -> str:
        used[record.id] = [_date(record.at), record.channel, _clip(record.summary, _SUMMARY_CHARS)]
        return record.id

    for member in snapshot.members:
        rank = ranked.get(member.id)
        score = rank.score if rank is not None else 0.0
        family = role_family(member.role)
        node_id = member_node_id(member.id)
        ally = member.ally
        never_contacted = member.id == alert_id
        net.add_node(
            node_id,
            label=_clip(member.stakeholder.name, _LABEL_CHARS),
            shape=ROLE_FAMILIES[family][0],
            color={
                "background": STANCE_COLORS[member.stance],
                "border": ALLY_BORDER if ally else STANCE_BORDERS[member.stance],
                "highlight": {
                    "background": STANCE_COLORS[member.stance],
                    "border": "#000000",
                },
                "hover": {"background": STANCE_COLORS[member.stance], "border": "#000000"},
            },
            size=node_size(score),
            borderWidth=6 if ally else 1.5,
            mass=round(1 + score / 50.0, 2),
        )
        # pyvis drops a node's colour when ``group`` is passed to add_node; set it after.
        net.get_node(node_id)["group"] = "member"
        last = last_by_member.get(member.id)
        node_info[node_id] = {
            "kind": "member",
            "name": _clip(member.stakeholder.name, _TEXT_CHARS),
            "title": _clip(member.stakeholder.title, _TEXT_CHARS),
            "role": member.role.value,
            "stance": member.stance.value,
            "ally": ally,
            "rank": rank.rank if rank is not None else None,
            "score": round(score, 1),
            "components": (
                {k: round(v, 3) for k, v in rank.components.model_dump().items()}
                if rank is not None
                else None
            ),
            "coverage": rank.coverage.value if rank is not None else "none",
            "interactions": rank.interaction_count if rank is not None else 0,
            "last_contact": (
                _iso(rank.last_contact_at) if rank is not None else _date(last.at if last else None)
            ),
            "last": refer(last) if last else None,
            "since": _date(member.since),
            "never_contacted": never_contacted,
        }

    members = {m.id for m in snapshot.members}
    edge_count = 0

    def next_edge_id() -> str:
        nonlocal edge_count
        edge_count += 1
        return f"e{edge_count}"

    # Influence lines use the global edge options (see _vis_options); the other kinds
    # override only what differs, which keeps a 200-member page small.
    for line in snapshot.influences:
        edge_id = next_edge_id()
        net.add_edge(
            member_node_id(line.source_id),
            member_node_id(line.target_id),
            id=edge_id,
            arrows="to",
            width=round(1 + 5 * line.strength, 2),
        )
        edge_info[edge_id] = {"kind": "influence", "strength": round(line.strength, 2),
                              "since": _date(line.since)}
    for line in snapshot.reporting:
        edge_id = next_edge_id()
        net.add_edge(
            member_node_id(line.source_id),
            member_node_id(line.target_id),
            id=edge_id,
            arrows={"to": {"enabled": True, "type": "bar", "scaleFactor": 0.6}},
            width=1.5,
            color={"color": REPORTING_COLOR, "opacity": 0.9},
            dashes=[7, 6],
            # Curved, so a reporting line does not hide an influence line on the same pair.
            smooth={"enabled": True, "type": "curvedCW", "roundness": 0.18},
        )
        edge_info[edge_id] = {"kind": "reporting", "since": _date(line.since)}

    contacts = _team_contacts(snapshot.interactions, members)
    team: dict[str, dict[str, Any]] = {}
    for (email, _sid), (_count, latest) in contacts.items():
        entry = team.setdefault(email, {"interactions": set(), "people": 0, "last": 0})
        entry["people"] += 1
        entry["last"] = max(entry["last"], latest.at)
    for record in snapshot.interactions:
        for email in record.team_member_emails:
            if email in team:
                team[email]["interactions"].add(record.id)
    for email in sorted(team):
        node_id = team_node_id(email)
        net.add_node(
            node_id,
            label=_clip(email.split("@", 1)[0], _LABEL_CHARS),
            shape="box",
            color={
                "background": TEAM_FILL,
                "border": TEAM_COLOR,
                "highlight": {"background": TEAM_FILL, "border": "#000000"},
                "hover": {"background": TEAM_FILL, "border": "#000000"},
            },
            borderWidth=2,
            font={"size": 13, "color": "#3D1F30", "strokeWidth": 0},
            margin=8,
        )
        net.get_node(node_id)["group"] = "team"  # our own people: a group of their own
        node_info[node_id] = {
            "kind": "team",
            "email": email,
            "interactions": len(team[email]["interactions"]),
            "people": team[email]["people"],
            "last_contact": _date(team[email]["last"]),
        }
    stale_ms = stale_days * _DAY_MS
    for (email, sid), (count, latest) in sorted(contacts.items()):
        edge_id = next_edge_id()
        stale = snapshot.as_of - latest.at > stale_ms
        net.add_edge(
            team_node_id(email),
            member_node_id(sid),
            id=edge_id,
            arrows={"to": {"enabled": False}},
            width=round(min(1 + 1.2 * math.log2(1 + count), 7.0), 2),
            color={"color": TEAM_COLOR, "opacity": 0.2 if stale else 0.75},
        )
        edge_info[edge_id] = {"kind": "met", "count": count, "last": refer(latest),
                              "stale": stale}

    net.barnes_hut(
        gravity=-9000,
        central_gravity=0.35,
        spring_length=150,
        spring_strength=0.03,
        damping=0.35,
        overlap=0.3,
    )
    return CommitteeNetwork(net, node_info, edge_info, used)


def _vis_options(net: Network, *, member_count: int) -> dict[str, Any]:
    options: dict[str, Any] = json.loads(net.options.to_json())
    options.pop("configure", None)
    physics = options.setdefault("physics", {})
    physics["enabled"] = True
    physics["minVelocity"] = 1.0
    physics["timestep"] = 0.5
    physics["stabilization"] = {
        "enabled": True,
        # Large committees settle in fewer, cheaper steps; the page then switches
        # physics off so the map stays still and responsive.
        "iterations": 400 if member_count <= 60 else 200,
        "updateInterval": 50,
        "fit": True,
    }
    # Defaults are the influence-line style; reporting and team links override them.
    options["edges"] = {
        "smooth": False,
        "selectionWidth": 1.5,
        "hoverWidth": 0.5,
        "arrows": {"to": {"enabled": True, "scaleFactor": 0.7}},
        "color": {"color": INFLUENCE_COLOR, "highlight": "#000000", "hover": "#000000",
                  "opacity": 0.85},
    }
    options["nodes"] = {
        "borderWidthSelected": 3,
        "font": {"size": 14, "color": "#1A1A1A", "strokeWidth": 3, "strokeColor": "#FFFFFF"},
    }
    options["interaction"] = {
        "hover": True,
        "tooltipDelay": 120,
        "navigationButtons": False,
        "keyboard": False,
        "multiselect": True,
        "hideEdgesOnDrag": member_count > 120,
    }
    options["layout"] = {"randomSeed": 7, "improvedLayout": member_count <= 60}
    return options


def frame_payload(
    snapshot: DealSnapshot, analysis: DealAnalysis, *, stale_days: int = 30
) -> dict[str, Any]:
    """Everything the page needs to draw one frame, as JSON-ready plain data."""
    parts = build_network(snapshot, analysis, stale_days=stale_days)
    net = parts.network
    deal = snapshot.deal
    support = analysis.support
    tdm = analysis.top_decision_maker
    alert = (
        member_node_id(tdm.stakeholder_id)
        if tdm is not None and not tdm.contacted and snapshot.member(tdm.stakeholder_id)
        else None
    )
    return {
        "as_of_ms": snapshot.as_of,
        "date": _date(snapshot.as_of),
        "deal": {
            "id": deal.id,
            "name": deal.name,
            "owner": deal.owner_email,
            "status": deal.status.value,
            "stage": deal.stage,
            "amount": deal.amount,
            "currency": deal.currency,
            "close_date": deal.close_date.isoformat() if deal.close_date else None,
        },
        "support": {
            "share": support.share,
            "opposition": support.opposition,
            "neutral": support.neutral,
            "allies": support.allies,
            "completeness": support.completeness,
            "missing_roles": list(support.missing_roles),
            "trend": support.trend.value,
            "trend_delta": support.trend_delta,
            "trend_weeks": support.trend_weeks,
            "movers": [
                {"name": _clip(m.name, _LABEL_CHARS), "delta": m.delta}
                for m in sorted(support.movers, key=lambda m: -abs(m.delta))[:3]
            ],
        },
        "top_decision_maker": (
            {
                "node": member_node_id(tdm.stakeholder_id),
                "name": tdm.name,
                "confirmed": tdm.confirmed,
                "contacted": tdm.contacted,
                "last_contact": _iso(tdm.last_contact_at),
            }
            if tdm is not None
            else None
        ),
        "alert_node": alert,
        "flags": [
            {
                "code": flag.code.value,
                "severity": flag.severity.value,
                "message": flag.message,
                "nodes": [member_node_id(s) for s in flag.stakeholder_ids],
            }
            for flag in analysis.flags
        ],
        "committee_size": len(snapshot.members),
        "nodes": net.nodes,
        "edges": net.edges,
        "node_info": parts.node_info,
        "edge_info": parts.edge_info,
        "interactions": parts.interactions,
        "options": _vis_options(net, member_count=len(snapshot.members)),
    }


# ------------------------------------------------------------------------------ page


def json_for_script(value: Any) -> str:
    """JSON that can sit inside ``<script type="application/json">`` and never end it.

    ``<``, ``>`` and ``&`` become ``\\u003c``, ``\\u003e`` and ``\\u0026`` (still the same
    JSON strings once parsed), so ``</script>`` or ``<!--`` in the data cannot close or
    confuse the block; U+2028/U+2029 are escaped for old JavaScript parsers.
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (
        text.replace("&", "\\u0026")
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def _normalised(text: str) -> str:
    # The HTML parser turns CR LF and lone CR into LF before a script runs; hash what
    # the browser hashes.
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _sha256_source(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


@dataclass(frozen=True)
class _Assets:
    vis_js: str
    app_js: str
    css: str
    script_hashes: tuple[str, ...]
    style_hashes: tuple[str, ...]


def vis_network_js_path() -> Path:
    """vis-network's minified JavaScript as shipped inside the pyvis package."""
    package = Path(pyvis.__file__).resolve().parent
    return package / "lib" / f"vis-{_VIS_VERSION}" / "vis-network.min.js"


@lru_cache(maxsize=1)
def _assets() -> _Assets:
    vis_js = _normalised(vis_network_js_path().read_text(encoding="utf-8"))
    app_js = _normalised((_HERE / "static" / "deal_map.js").read_text(encoding="utf-8"))
    css = _normalised((_HERE / "static" / "deal_map.css").read_text(encoding="utf-8"))
    for name, text in (("vis-network", vis_js), ("deal_map.js", app_js)):
        # A literal "</script" would end the inline block early.
        if "</script" in text.lower() or "<!--" in text:
            raise RuntimeError(f"{name} cannot be inlined safely")
    if "</style" in css.lower():
        raise RuntimeError("deal_map.css cannot be inlined safely")
    return _Assets(
        vis_js=vis_js,
        app_js=app_js,
        css=css,
        script_hashes=(_sha256_source(vis_js), _sha256_source(app_js)),
        style_hashes=(_sha256_source(css),),
    )


def content_security_policy(*, for_meta: bool = False) -> str:
    """The page's policy: its own inline blocks by hash, nothing from any host.

    ``for_meta`` drops ``frame-ancestors``, which browsers ignore (with a console
    error) in a ``<meta>`` policy.
    """
    assets = _assets()
    directives = [
        "default-src 'none'",
        "script-src " + " ".join(assets.script_hashes),
        "style-src " + " ".join(assets.style_hashes),
        "img-src data:",
        "connect-src 'none'",
        "font-src 'none'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'none'",
    ]
    if not for_meta:
        directives.append("frame-ancestors 'none'")
    return "; ".join(directives)


def security_headers() -> dict[str, str]:
    """Headers every map response carries."""
    return {
        "Content-Security-Policy": content_security_policy(),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",
        "Cache-Control": "no-store",
    }


@lru_cache(maxsize=1)
def _template() -> jinja2.Template:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_HERE / "templates")),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env.get_template("deal_map.html.j2")


def _history_payload(history: Sequence[SupportPoint]) -> list[dict[str, Any]]:
    return [
        {
            "at_ms": to_ms(point.at),
            "date": _iso(point.at),
            "share": round(point.share, 4),
            "opposition": round(point.opposition, 4),
            "allies": point.allies,
            "completeness": round(point.completeness, 4),
        }
        for point in sorted(history, key=lambda p: p.at)
    ]


def _legend() -> dict[str, Any]:
    return {
        "stances": [(s.value, STANCE_COLORS[s], STANCE_BORDERS[s]) for s in Stance],
        "families": [(family, shape, text) for family, (shape, text) in ROLE_FAMILIES.items()],
        "team_color": TEAM_COLOR,
        "team_fill": TEAM_FILL,
        "ally_border": ALLY_BORDER,
        "alert_color": ALERT_COLOR,
        "influence_color": INFLUENCE_COLOR,
        "reporting_color": REPORTING_COLOR,
    }


def render_deal_map(
    frames: Sequence[MapFrame],
    *,
    history: Sequence[SupportPoint] = (),
    mode: PageMode = "served",
    current: int | None = None,
    stale_days: int = 30,
) -> RenderedMap:
    """Render the deal-map page.

    Parameters
    ----------
    frames
        The committee as of one or more instants, oldest first (duplicates by instant
        are dropped). ``frames[current]`` (default: the newest) is shown first.
    history
        Support share and allies over time, for the page's small chart.
    mode
        ``"served"``: the as-of control navigates to ``?as_of=DATE``. ``"file"``: the
        control switches between the embedded frames, no server needed.
    stale_days
        A team member's link to a stakeholder fades when their last contact is older.

    Examples
    --------
    >>> from graphsvc.analysis._examples import history_from_events
    >>> from graphsvc.analysis.deal import analyze_history
    >>> history = history_from_events([(0, f"p{i}", {"role": "Evaluator"}) for i in range(8)])
    >>> page = render_deal_map([MapFrame(history.snapshot(), analyze_history(history))])
    >>> page.html.startswith("<!DOCTYPE html>")
    True
    """
    if not frames:
        raise ValueError("a deal map needs at least one frame")
    by_instant = {f.snapshot.as_of: f for f in frames}
    ordered = [by_instant[t] for t in sorted(by_instant)]
    shown = ordered[-1] if current is None else frames[current]
    payload = {
        "mode": mode,
        "current": ordered.index(by_instant[shown.snapshot.as_of]),
        "stale_days": stale_days,
        "frames": [
            frame_payload(f.snapshot, f.analysis, stale_days=stale_days) for f in ordered
        ],
        "history": _history_payload(history),
    }
    assets = _assets()
    html = _template().render(
        page_title=f"{shown.snapshot.deal.name} · deal map",
        csp_meta=content_security_policy(for_meta=True),
        css=assets.css,
        vis_js=assets.vis_js,
        app_js=assets.app_js,
        data_json=json_for_script(payload),
        legend=_legend(),
    )
    headers = security_headers()
    return RenderedMap(
        html=html, content_security_policy=headers["Content-Security-Policy"], headers=headers
    )
