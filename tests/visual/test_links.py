"""Signed map tokens, without a server: every one-character change is refused."""

from __future__ import annotations

import string
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import SecretStr

from graphsvc.config import Settings
from graphsvc.errors import Forbidden
from graphsvc.maps.links import create_map_token, verify_map_token

NOW = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
# The alphabet of URL-safe base64 and itsdangerous's separator.
TOKEN_ALPHABET = string.ascii_letters + string.digits + "-_."


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(
        _env_file=None,
        data_dir=tmp_path,  # type: ignore[call-arg]
        map_link_secret=SecretStr("unit-test-secret-0123456789abcdef"),
    )


@pytest.mark.parametrize("deal_id", ["d", "deal-x", 'déal <&> "quoted"', "x" * 61])
def test_every_one_character_change_is_refused(settings, deal_id) -> None:
    # Tokens of several lengths, so the last base64 character has 0, 2 or 4 spare bits.
    token, expires_at = create_map_token(
        settings=settings, workspace="ws", deal_id=deal_id, ttl_days=3, now=NOW
    )
    grant = verify_map_token(settings=settings, token=token, now=NOW)
    assert (grant.workspace, grant.deal_id, grant.expires_at) == (
        "ws",
        deal_id,
        expires_at.replace(microsecond=0),
    )
    for i, original in enumerate(token):
        for replacement in TOKEN_ALPHABET:
            if replacement == original:
                continue
            tampered = token[:i] + replacement + token[i + 1 :]
            with pytest.raises(Forbidden):
                verify_map_token(settings=settings, token=tampered, now=NOW)


def test_expired_and_foreign_tokens_are_refused(settings) -> None:
    token, _ = create_map_token(settings=settings, workspace="ws", deal_id="d", ttl_days=1, now=NOW)
    with pytest.raises(Forbidden, match="expired"):
        verify_map_token(settings=settings, token=token, now=NOW + timedelta(days=1))
    other = settings.model_copy(update={"map_link_secret": SecretStr("another-secret-42" * 2)})
    with pytest.raises(Forbidden, match="not valid"):
        verify_map_token(settings=other, token=token, now=NOW)
    for junk in ("", ".", "a.b", token + "=", token[:-1]):
        with pytest.raises(Forbidden):
            verify_map_token(settings=settings, token=junk, now=NOW)
