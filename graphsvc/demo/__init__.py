"""The demo portfolio that ``graphsvc demo`` loads: three accounts, eight deals."""

from graphsvc.demo.portfolio import (
    DEMO_WORKSPACE,
    DealScenario,
    demo_anchor,
    demo_portfolio,
    demo_scenarios,
)
from graphsvc.demo.service import DemoLoad, load_demo

__all__ = [
    "DEMO_WORKSPACE",
    "DealScenario",
    "DemoLoad",
    "demo_anchor",
    "demo_portfolio",
    "demo_scenarios",
    "load_demo",
]
