"""Request and response bodies of the deal-map routes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class MapLinkIn(BaseModel):
    ttl_days: float | None = Field(
        default=None,
        gt=0,
        le=366,
        description="Days until the link expires; default from settings.",
    )


class MapLinkOut(BaseModel):
    deal_id: str
    url: str
    expires_at: datetime
