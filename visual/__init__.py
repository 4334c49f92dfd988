"""The deal map: one self-contained, offline, script-safe HTML page per deal.

:func:`graphsvc.visual.render.render_deal_map` turns committee snapshots and their
analyses into the page; ``graphsvc.maps`` serves it and writes it from the CLI.
"""

from graphsvc.visual.render import (
    CommitteeNetwork,
    MapFrame,
    RenderedMap,
    build_network,
    render_deal_map,
)

__all__ = ["CommitteeNetwork", "MapFrame", "RenderedMap", "build_network", "render_deal_map"]
