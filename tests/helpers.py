"""Test helpers shared by every area (importable as ``tests.helpers``)."""

from __future__ import annotations

import os
import shutil

import pytest


def running_in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


def require_tool(name: str, *, reason: str | None = None) -> str:
    """Return the path of executable ``name``; skip the test locally when it is missing,
    but fail it under ``CI=true`` (CI must run everything)."""
    path = shutil.which(name)
    if path is not None:
        return path
    message = reason or f"{name} is not installed"
    if running_in_ci():
        pytest.fail(f"{message} (required when CI=true)", pytrace=False)
    pytest.skip(message)
