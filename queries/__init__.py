"""Named Cypher queries, one file per operation, shared by the FalkorDB and Neo4j runners.

A backend may hold its own version of a query, ``<name>.<dialect>.cypher``, where a
function only it has makes the query much cheaper (the file says which and why); the
shared ``<name>.cypher`` stays the reference, runs on every backend, and must give the
same rows once decoded (tests/store/test_compact_read.py).
"""

from functools import cache
from importlib.resources import files

DIALECTS = ("falkordb",)


@cache
def load(name: str, dialect: str | None = None) -> str:
    """Return the text of ``queries/<name>.cypher``, or of its ``dialect`` version when
    there is one; names come from code, never from input."""
    if dialect is not None:
        variant = files(__package__) / f"{name}.{dialect}.cypher"
        if variant.is_file():
            return variant.read_text(encoding="utf-8")
    return (files(__package__) / f"{name}.cypher").read_text(encoding="utf-8")


def names() -> list[str]:
    """Every query name shipped with the package, sorted (dialect versions aside)."""
    return sorted(
        name
        for entry in files(__package__).iterdir()
        if entry.name.endswith(".cypher")
        and "." not in (name := entry.name.removesuffix(".cypher"))
    )


def variants() -> list[tuple[str, str]]:
    """Every ``(name, dialect)`` that has a dialect version, sorted."""
    found = []
    for entry in files(__package__).iterdir():
        name, _, dialect = entry.name.removesuffix(".cypher").rpartition(".")
        if entry.name.endswith(".cypher") and dialect in DIALECTS:
            found.append((name, dialect))
    return sorted(found)
