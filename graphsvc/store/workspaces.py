"""Which workspaces the store knows, and the check every command makes before it reads one.

A workspace exists once something was written to it (or an API key names it). Reading
one that does not exist is an error, never an empty answer: "0 of 0 deals at risk"
would read as "all clear" for what is only a typo.
"""

from __future__ import annotations

from difflib import get_close_matches

from graphsvc.errors import NotFound
from graphsvc.store.repository import Runner


def list_workspaces(runner: Runner) -> list[str]:
    """Every workspace the store knows, sorted."""
    return sorted({row["ws"] for row in runner.read("workspace_list", {}) if row["ws"]})


def unknown_workspace(workspace: str, known: list[str]) -> NotFound:
    """The error for a workspace that does not exist, with a "did you mean" when a known
    name is close (difflib's ratio, as git and Python's own suggestions do).

    Examples
    --------
    >>> unknown_workspace("acme-emea", ["acme-eu", "globex"]).message
    "no workspace 'acme-emea'; did you mean 'acme-eu'?"
    >>> unknown_workspace("x", []).message
    "no workspace 'x' (the store holds no workspace yet)"
    """
    close = get_close_matches(workspace, known, n=1, cutoff=0.6)
    if close:
        hint = f"; did you mean {close[0]!r}?"
    elif known:
        hint = (
            f" (known: {', '.join(repr(w) for w in known[:5])}{', ...' if len(known) > 5 else ''})"
        )
    else:
        hint = " (the store holds no workspace yet)"
    return NotFound(
        f"no workspace {workspace!r}{hint}",
        detail=[{"loc": ["workspace"], "msg": f"no workspace {workspace!r}{hint}"}],
    )


def require_workspace(runner: Runner, workspace: str) -> str:
    """``workspace`` when the store knows it; else :func:`unknown_workspace`'s error."""
    known = list_workspaces(runner)
    if workspace not in known:
        raise unknown_workspace(workspace, known)
    return workspace
