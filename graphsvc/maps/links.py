"""Signed map links: open one deal's map without an API key, until they expire.

A token carries ``(workspace, deal_id, expires_at)`` signed with HMAC-SHA256 under
``settings.map_link_secret`` (itsdangerous). It grants exactly that deal's map and
nothing else; a changed character or a passed expiry fails verification.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from itsdangerous import BadSignature, URLSafeSerializer

from graphsvc.config import Settings
from graphsvc.errors import Forbidden

_SALT = "graphsvc.map-link.v1"


@dataclass(frozen=True)
class MapGrant:
    workspace: str
    deal_id: str
    expires_at: datetime


def _serializer(settings: Settings) -> URLSafeSerializer:
    return URLSafeSerializer(settings.map_link_secret.get_secret_value(), salt=_SALT)


def create_map_token(
    *,
    settings: Settings,
    workspace: str,
    deal_id: str,
    ttl_days: float | None = None,
    now: datetime | None = None,
) -> tuple[str, datetime]:
    """Return ``(token, expires_at)`` for one deal's map."""
    issued = now or datetime.now(UTC)
    days = settings.map_link_ttl_days if ttl_days is None else ttl_days
    expires_at = issued + timedelta(days=days)
    token = _serializer(settings).dumps([workspace, deal_id, int(expires_at.timestamp())])
    return token, expires_at


def map_link_url(*, settings: Settings, token: str) -> str:
    return f"{settings.public_base_url.rstrip('/')}/maps/{quote(token, safe='')}"


def create_map_link(
    *,
    settings: Settings,
    workspace: str,
    deal_id: str,
    ttl_days: float | None = None,
    now: datetime | None = None,
) -> tuple[str, datetime]:
    """Return ``(url, expires_at)``: the public URL of a signed link to one deal's map."""
    token, expires_at = create_map_token(
        settings=settings, workspace=workspace, deal_id=deal_id, ttl_days=ttl_days, now=now
    )
    return map_link_url(settings=settings, token=token), expires_at


def verify_map_token(*, settings: Settings, token: str, now: datetime | None = None) -> MapGrant:
    """Check a token; raise :class:`Forbidden` when tampered with or expired."""
    serializer = _serializer(settings)
    try:
        payload = serializer.loads(token)
    except BadSignature as exc:
        raise Forbidden("this map link is not valid") from exc
    # Base64 leaves spare bits in a token's last character, so some one-character
    # changes decode to the same bytes; only the exact token we issue is accepted.
    if not hmac.compare_digest(serializer.dumps(payload).encode(), token.encode()):
        raise Forbidden("this map link is not valid")
    if (
        not isinstance(payload, list)
        or len(payload) != 3
        or not all(isinstance(p, str) for p in payload[:2])
        or not isinstance(payload[2], int)
    ):
        raise Forbidden("this map link is not valid")
    workspace, deal_id, expires = payload
    expires_at = datetime.fromtimestamp(expires, tz=UTC)
    if (now or datetime.now(UTC)) >= expires_at:
        raise Forbidden("this map link has expired")
    return MapGrant(workspace=workspace, deal_id=deal_id, expires_at=expires_at)
