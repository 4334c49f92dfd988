"""The analysis package's shape: no import cycle between its modules, one public
engine, and no module over about 500 lines."""

from __future__ import annotations

import ast
from pathlib import Path

import graphsvc.analysis

PACKAGE = Path(graphsvc.analysis.__file__).parent


def _imports() -> dict[str, set[str]]:
    """Module -> the package's modules it imports (at any level, lazily included)."""
    graph: dict[str, set[str]] = {}
    for path in PACKAGE.glob("*.py"):
        name = path.stem
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                if node.module == "graphsvc.analysis":
                    found.update(alias.name for alias in node.names)
                elif node.module.startswith("graphsvc.analysis."):
                    found.add(node.module.split(".")[2])
        graph[name] = found - {name}
    return graph


def test_no_import_cycle_in_the_analysis_package() -> None:
    graph = _imports()
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for target in sorted(graph.get(module, ())):
            if state.get(target) == 1:
                cycle = [*path[path.index(target) :], target]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if target not in state:
                visit(target, [*path, target])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])


def test_one_public_engine_and_a_private_reference() -> None:
    assert not (PACKAGE / "deal.py").exists() and not (PACKAGE / "fleet.py").exists()
    # The networkx reference is for the tests only: no shipped module imports it.
    for path in PACKAGE.parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = {f"{node.module}.{alias.name}" for alias in node.names}
                assert "graphsvc.analysis._reference" not in {node.module, *names}, path


def test_no_module_over_500_lines() -> None:
    for path in PACKAGE.glob("*.py"):
        assert len(path.read_text(encoding="utf-8").splitlines()) <= 500, path
