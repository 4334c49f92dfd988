"""The demo portfolio that ``graphsvc demo`` loads: three accounts, eight deals."""

from graphsvc.demo.portfolio import (
    DEMO_WORKSPACE,
    DealScenario,
    demo_anchor,
    demo_portfolio,
    demo_scenarios,
)

__all__ = ["DEMO_WORKSPACE", "DealScenario", "demo_anchor", "demo_portfolio", "demo_scenarios"]
