"""The demo portfolio that ``graphsvc demo`` loads: three accounts, eight deals."""

from graphsvc.demo.portfolio import DEMO_WORKSPACE, demo_anchor, demo_portfolio, demo_scenarios
from graphsvc.demo.service import DemoLoad, load_demo
from graphsvc.demo.stories import DealScenario

__all__ = [
    "DEMO_WORKSPACE",
    "DealScenario",
    "DemoLoad",
    "demo_anchor",
    "demo_portfolio",
    "demo_scenarios",
    "load_demo",
]
