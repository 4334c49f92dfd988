"""The examples in every module's docstrings run and give what they say.

Every module of the package is imported and its doctests run (``graphsvc.queries`` and
``graphsvc.visual`` included: they are part of the package). The analysis modules are
also held to DEVELOPERS.md's rule that analysis functions document an example: each
public analysis module (not ``_private``, not the service, repository or schemas) must
have at least one.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import graphsvc

MODULES = sorted(
    {m.name for m in pkgutil.walk_packages(graphsvc.__path__, "graphsvc.")} | {"graphsvc"}
)
_NOT_ANALYSIS_FUNCTIONS = {"repository", "schemas", "service"}


def _needs_examples(name: str) -> bool:
    parts = name.split(".")
    return (
        len(parts) == 3
        and parts[1] == "analysis"
        and not parts[2].startswith("_")
        and parts[2] not in _NOT_ANALYSIS_FUNCTIONS
    )


def test_every_module_is_found() -> None:
    assert {
        "graphsvc.visual.render",
        "graphsvc.queries",
        "graphsvc.analysis.ranking",
        "graphsvc.store.runners",
    } <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE, report=True)
    if _needs_examples(name):
        assert result.attempted > 0, f"{name} has no examples"
    assert result.failed == 0
