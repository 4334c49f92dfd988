"""Render a deal's buying committee as one self-contained, offline, script-safe HTML page.

The network is built with pyvis (nodes, edges and vis-network options,
:mod:`visual.network`); the page is our own jinja2 template, because pyvis's stock
template loads bootstrap and vis-network from CDNs and writes tooltip titles into
``innerHTML``. Every script and stylesheet is
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

The input is plain data (:mod:`visual.data`): this package imports nothing from the
application that calls it. A page holds one or more *frames* (the committee and its
analysis as of an instant, :class:`visual.data.MapFrame`).
Served pages hold one frame and their as-of control navigates with ``?as_of=``; pages
written to disk embed a frame per support-history instant so the control can show an
earlier committee without a server.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import jinja2
import pyvis

from .data import STANCES, ChartPoint, MapFrame
from .network import (
    ALERT_COLOR,
    ALLY_BORDER,
    INFLUENCE_COLOR,
    REPORTING_COLOR,
    ROLE_FAMILIES,
    STANCE_BORDERS,
    STANCE_COLORS,
    TEAM_COLOR,
    TEAM_FILL,
    frame_payload,
    utc_date,
)

PageMode = Literal["served", "file"]

_HERE = Path(__file__).resolve().parent
_VIS_VERSION = "9.1.2"


@dataclass(frozen=True)
class RenderedMap:
    html: str
    content_security_policy: str
    headers: dict[str, str]


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


def _history_payload(history: Sequence[ChartPoint]) -> list[dict[str, Any]]:
    return [
        {
            "at_ms": point.at_ms,
            "date": utc_date(point.at_ms),
            "share": round(point.share, 4),
            "opposition": round(point.opposition, 4),
            "allies": point.allies,
            "completeness": round(point.completeness, 4),
        }
        for point in sorted(history, key=lambda p: p.at_ms)
    ]


def _legend() -> dict[str, Any]:
    return {
        "stances": [(s, STANCE_COLORS[s], STANCE_BORDERS[s]) for s in STANCES],
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
    history: Sequence[ChartPoint] = (),
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
    >>> from graphsvc.visual.data import DealCard, Person, Support
    >>> frame = MapFrame(
    ...     as_of_ms=0, deal=DealCard(id="d", name="Deal", owner="o@x.example", status="open"),
    ...     members=(Person(id="a", name="Ann", role="Champion", family="influence",
    ...                     stance="champion"),),
    ...     support=Support(share=1.0, opposition=0.0, neutral=0.0, allies=0, completeness=0.5))
    >>> page = render_deal_map([frame])
    >>> page.html.startswith("<!DOCTYPE html>")
    True
    """
    if not frames:
        raise ValueError("a deal map needs at least one frame")
    by_instant = {f.as_of_ms: f for f in frames}
    ordered = [by_instant[t] for t in sorted(by_instant)]
    shown = ordered[-1] if current is None else frames[current]
    payload = {
        "mode": mode,
        "current": ordered.index(by_instant[shown.as_of_ms]),
        "stale_days": stale_days,
        "frames": [frame_payload(f, stale_days=stale_days) for f in ordered],
        "history": _history_payload(history),
    }
    assets = _assets()
    html = _template().render(
        page_title=f"{shown.deal.name} · deal map",
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
