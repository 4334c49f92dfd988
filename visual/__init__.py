"""The deal map: one self-contained, offline, script-safe HTML page per deal.

A rendering library: :func:`visual.render.render_deal_map` turns plain data
(:mod:`visual.data`: people, lines, contacts, support, flags per frame) into the page,
and imports nothing from the application; ``graphsvc.maps`` describes its analysis
results that way, serves the page and writes it from the CLI.
"""

from .data import MapFrame
from .network import CommitteeNetwork, build_network
from .render import RenderedMap, render_deal_map

__all__ = ["CommitteeNetwork", "MapFrame", "RenderedMap", "build_network", "render_deal_map"]
