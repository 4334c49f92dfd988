"""Named Cypher queries, one file per operation, shared by the FalkorDB and Neo4j runners."""

from functools import cache
from importlib.resources import files


@cache
def load(name: str) -> str:
    """Return the text of ``queries/<name>.cypher``; names come from code, never from input."""
    return (files(__package__) / f"{name}.cypher").read_text(encoding="utf-8")


def names() -> list[str]:
    """Every query name shipped with the package, sorted."""
    return sorted(
        entry.name.removesuffix(".cypher")
        for entry in files(__package__).iterdir()
        if entry.name.endswith(".cypher")
    )
