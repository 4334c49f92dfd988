"""The vis-network picture of one committee frame (pyvis), and the frame's JSON payload.

Node size is influence, colour is stance (Okabe & Ito's colour-blind-safe palette),
shape is the role family, a heavy border marks an ally; our own team members are boxes
linked to the people they met. User text never goes into the vis items (except the
canvas label): tooltips read it from ``node_info``/``edge_info``, which the page puts on
screen with ``textContent`` only (:mod:`visual.render`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from pyvis.network import Network

from .data import Contact, MapFrame, Person, StanceName

# Okabe & Ito's colour-blind-safe palette (https://jfly.uni-koeln.de/color/), ordered
# blue -> yellow -> vermillion along the five-step stance scale; grey for unknown.
STANCE_COLORS: dict[StanceName, str] = {
    "champion": "#0072B2",
    "supporter": "#56B4E9",
    "neutral": "#F0E442",
    "skeptic": "#E69F00",
    "blocker": "#D55E00",
    "unknown": "#B4B4B4",
}
STANCE_BORDERS: dict[StanceName, str] = {
    "champion": "#004B75",
    "supporter": "#2B7FAE",
    "neutral": "#A39A1C",
    "skeptic": "#9A6A00",
    "blocker": "#8C3E00",
    "unknown": "#7A7A7A",
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

_MIN_SIZE = 12.0
_MAX_SIZE = 44.0
_SUMMARY_CHARS = 280
_LABEL_CHARS = 40
_TEXT_CHARS = 300  # names and titles in tooltips (the store allows 20,000 characters)
_DAY_MS = 86_400_000


def node_size(score: float) -> float:
    """Node radius for an influence score of 0..100 (linear, so area grows faster)."""
    score = min(max(score, 0.0), 100.0)
    return round(_MIN_SIZE + (_MAX_SIZE - _MIN_SIZE) * score / 100.0, 2)


def member_node_id(stakeholder_id: str) -> str:
    # Prefixes keep a stakeholder id and a team e-mail from ever colliding.
    return "s:" + stakeholder_id


def team_node_id(email: str) -> str:
    return "t:" + email


# --------------------------------------------------------------------------- network


_EPOCH = date(1970, 1, 1)


def utc_date(ms: int | None) -> str | None:
    """The UTC date of epoch milliseconds (by day arithmetic: a frame dates every line
    and contact, thousands on a large committee, and ``fromtimestamp`` is slow).

    Examples
    --------
    >>> utc_date(0), utc_date(1_767_225_599_999), utc_date(-1), utc_date(None)
    ('1970-01-01', '2025-12-31', '1969-12-31', None)
    """
    return None if ms is None else (_EPOCH + timedelta(days=ms // 86_400_000)).isoformat()


def _clip(text: str | None, limit: int) -> str | None:
    if text is None:
        return None
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _team_contacts(
    interactions: Sequence[Contact], member_ids: set[str]
) -> dict[tuple[str, str], tuple[int, Contact]]:
    """(team e-mail, stakeholder id) -> (interaction count, latest interaction)."""
    contacts: dict[tuple[str, str], tuple[int, Contact]] = {}
    for record in interactions:
        for email in record.team_member_emails:
            for sid in record.stakeholder_ids:
                if sid not in member_ids:
                    continue
                count, latest = contacts.get((email, sid), (0, record))
                if record.at_ms >= latest.at_ms:
                    latest = record
                contacts[(email, sid)] = (count + 1, latest)
    return contacts


def _last_interactions(interactions: Sequence[Contact]) -> dict[str, Contact]:
    latest: dict[str, Contact] = {}
    for record in interactions:
        for sid in record.stakeholder_ids:
            held = latest.get(sid)
            if held is None or record.at_ms >= held.at_ms:
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


def _member_info(
    member: Person,
    ranked: bool,
    score: float,
    never_contacted: bool,
    last: Contact | None,
    refer: Callable[[Contact], str],
) -> dict[str, Any]:
    """What a member's tooltip shows (kept apart from the vis items)."""
    components = member.components
    return {
        "kind": "member",
        "name": _clip(member.name, _TEXT_CHARS),
        "title": _clip(member.title, _TEXT_CHARS),
        "role": member.role,
        "stance": member.stance,
        "ally": member.ally,
        "rank": member.rank,
        "score": round(score, 1),
        "components": (
            {
                "authority": round(components.authority, 3),
                "network": round(components.network, 3),
                "rating": round(components.rating, 3),
            }
            if ranked and components is not None
            else None
        ),
        "coverage": member.coverage if ranked else "none",
        "interactions": member.interaction_count if ranked else 0,
        "last_contact": (
            utc_date(member.last_contact_ms) if ranked else utc_date(last.at_ms if last else None)
        ),
        "last": refer(last) if last else None,
        "since": utc_date(member.since_ms),
        "never_contacted": never_contacted,
    }


def _add_edge(net: Network, source: str, to: str, **options: Any) -> None:
    """``net.add_edge`` without its linear scans: pyvis looks each end up in a list of
    node ids (and, undirected, every edge), which on a 200-member committee with some
    800 lines cost more than the rest of the frame. Same edge dict, same checks."""
    known = net.__dict__.setdefault("_graphsvc_node_ids", set())
    if len(known) != len(net.node_ids):
        known.update(net.node_ids)
    assert source in known and to in known, f"non existent node {source!r} or {to!r}"
    assert net.directed  # an undirected network would need pyvis's duplicate check
    edge = dict(options)
    edge["from"] = source
    edge["to"] = to
    net.edges.append(edge)


def build_network(frame: MapFrame, *, stale_days: int = 30) -> CommitteeNetwork:
    """Build the pyvis network of one committee.

    Nodes: one per member (size by score, colour by stance, shape by role family,
    heavy border for allies) and one per team member who met any of them. Edges:
    influence arrows (width by strength), dashed reporting lines, and team contact
    links (width by interaction count, faded after ``stale_days`` without contact).

    Examples
    --------
    >>> from graphsvc.visual.data import DealCard, Link, Person, Support
    >>> frame = MapFrame(
    ...     as_of_ms=0, deal=DealCard(id="d", name="Deal", owner="o@x.example", status="open"),
    ...     members=(Person(id="a", name="Ann", role="Decision Maker", family="decision",
    ...                     stance="supporter", rank=1, score=80.0),
    ...              Person(id="b", name="Bo", role="Other", family="other", stance="unknown")),
    ...     influences=(Link("b", "a", 0.5),),
    ...     support=Support(share=0.8, opposition=0.0, neutral=0.2, allies=0, completeness=1.0))
    >>> parts = build_network(frame)
    >>> [(n["id"], n["shape"]) for n in parts.network.nodes]
    [('s:a', 'diamond'), ('s:b', 'triangleDown')]
    """
    net = Network(directed=True)
    last_by_member = _last_interactions(frame.contacts)
    tdm = frame.top_decision_maker
    alert_id = tdm.id if tdm is not None and not tdm.contacted else None
    node_info: dict[str, Any] = {}
    edge_info: dict[str, Any] = {}
    used: dict[str, list[str | None]] = {}

    def refer(record: Contact) -> str:
        used[record.id] = [
            utc_date(record.at_ms),
            record.channel,
            _clip(record.summary, _SUMMARY_CHARS),
        ]
        return record.id

    for member in frame.members:
        ranked = member.rank is not None
        score = member.score if ranked else 0.0
        node_id = member_node_id(member.id)
        ally = member.ally
        never_contacted = member.id == alert_id
        fill = STANCE_COLORS[member.stance]
        net.add_node(
            node_id,
            label=_clip(member.name, _LABEL_CHARS),
            shape=ROLE_FAMILIES[member.family][0],
            color={
                "background": fill,
                "border": ALLY_BORDER if ally else STANCE_BORDERS[member.stance],
                "highlight": {"background": fill, "border": "#000000"},
                "hover": {"background": fill, "border": "#000000"},
            },
            size=node_size(score),
            borderWidth=6 if ally else 1.5,
            mass=round(1 + score / 50.0, 2),
        )
        # pyvis drops a node's colour when ``group`` is passed to add_node; set it after.
        net.get_node(node_id)["group"] = "member"
        last = last_by_member.get(member.id)
        node_info[node_id] = _member_info(member, ranked, score, never_contacted, last, refer)

    members = {m.id for m in frame.members}
    edge_count = 0

    def next_edge_id() -> str:
        nonlocal edge_count
        edge_count += 1
        return f"e{edge_count}"

    # Influence lines use the global edge options (see _vis_options); the other kinds
    # override only what differs, which keeps a 200-member page small.
    for line in frame.influences:
        edge_id = next_edge_id()
        _add_edge(
            net,
            member_node_id(line.source_id),
            member_node_id(line.target_id),
            id=edge_id,
            arrows="to",
            width=round(1 + 5 * line.strength, 2),
        )
        edge_info[edge_id] = {
            "kind": "influence",
            "strength": round(line.strength, 2),
            "since": utc_date(line.since_ms),
        }
    for line in frame.reporting:
        edge_id = next_edge_id()
        _add_edge(
            net,
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
        edge_info[edge_id] = {"kind": "reporting", "since": utc_date(line.since_ms)}

    contacts = _team_contacts(frame.contacts, members)
    team: dict[str, dict[str, Any]] = {}
    for (email, _sid), (_count, latest) in contacts.items():
        entry = team.setdefault(email, {"interactions": set(), "people": 0, "last": 0})
        entry["people"] += 1
        entry["last"] = max(entry["last"], latest.at_ms)
    for record in frame.contacts:
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
            "last_contact": utc_date(team[email]["last"]),
        }
    stale_ms = stale_days * _DAY_MS
    for (email, sid), (count, latest) in sorted(contacts.items()):
        edge_id = next_edge_id()
        stale = frame.as_of_ms - latest.at_ms > stale_ms
        _add_edge(
            net,
            team_node_id(email),
            member_node_id(sid),
            id=edge_id,
            arrows={"to": {"enabled": False}},
            width=round(min(1 + 1.2 * math.log2(1 + count), 7.0), 2),
            color={"color": TEAM_COLOR, "opacity": 0.2 if stale else 0.75},
        )
        edge_info[edge_id] = {"kind": "met", "count": count, "last": refer(latest), "stale": stale}

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
        "color": {
            "color": INFLUENCE_COLOR,
            "highlight": "#000000",
            "hover": "#000000",
            "opacity": 0.85,
        },
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


def frame_payload(frame: MapFrame, *, stale_days: int = 30) -> dict[str, Any]:
    """Everything the page needs to draw one frame, as JSON-ready plain data."""
    parts = build_network(frame, stale_days=stale_days)
    net = parts.network
    deal = frame.deal
    support = frame.support
    tdm = frame.top_decision_maker
    on_committee = {m.id for m in frame.members}
    alert = (
        member_node_id(tdm.id)
        if tdm is not None and not tdm.contacted and tdm.id in on_committee
        else None
    )
    return {
        "as_of_ms": frame.as_of_ms,
        "date": utc_date(frame.as_of_ms),
        "deal": {
            "id": deal.id,
            "name": deal.name,
            "owner": deal.owner,
            "status": deal.status,
            "stage": deal.stage,
            "amount": deal.amount,
            "currency": deal.currency,
            "close_date": deal.close_date,
        },
        "support": {
            "share": support.share,
            "opposition": support.opposition,
            "neutral": support.neutral,
            "allies": support.allies,
            "completeness": support.completeness,
            "missing_roles": list(support.missing_roles),
            "trend": support.trend,
            "trend_delta": support.trend_delta,
            "trend_weeks": support.trend_weeks,
            "movers": [
                {"name": _clip(m.name, _LABEL_CHARS), "delta": m.delta}
                for m in sorted(support.movers, key=lambda m: -abs(m.delta))[:3]
            ],
        },
        "top_decision_maker": (
            {
                "node": member_node_id(tdm.id),
                "name": tdm.name,
                "confirmed": tdm.confirmed,
                "contacted": tdm.contacted,
                "last_contact": utc_date(tdm.last_contact_ms),
            }
            if tdm is not None
            else None
        ),
        "alert_node": alert,
        "flags": [
            {
                "code": flag.code,
                "severity": flag.severity,
                "message": flag.message,
                "nodes": [member_node_id(s) for s in flag.stakeholder_ids],
            }
            for flag in frame.flags
        ],
        "committee_size": len(frame.members),
        "nodes": net.nodes,
        "edges": net.edges,
        "node_info": parts.node_info,
        "edge_info": parts.edge_info,
        "interactions": parts.interactions,
        "options": _vis_options(net, member_count=len(frame.members)),
    }
