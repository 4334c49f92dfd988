"""HTTP routes of the deal map (keyed map, signed-link creation, public signed map)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
