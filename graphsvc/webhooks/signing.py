"""The signature of a delivery, as Stripe's: ``X-Graphsvc-Signature: t=<unix>,v1=<hex>``
where ``<hex>`` is the HMAC-SHA256, keyed with the subscription's secret, of
``"<t>.<body>"``. The timestamp is signed too, so a receiver that refuses old
timestamps (:data:`DEFAULT_TOLERANCE_SECONDS`) cannot be fed a recorded delivery again.

Examples
--------
>>> header = signature_header(secret="whsec_x", body=b'{"id":"evt_1"}', timestamp=1700000000)
>>> header.startswith("t=1700000000,v1=")
True
>>> verify_signature(secret="whsec_x", body=b'{"id":"evt_1"}', header=header, now=1700000100)
True
>>> verify_signature(secret="whsec_x", body=b'{"id":"evt_2"}', header=header, now=1700000100)
False
>>> verify_signature(secret="whsec_x", body=b'{"id":"evt_1"}', header=header, now=1700001000)
False
"""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "X-Graphsvc-Signature"
DEFAULT_TOLERANCE_SECONDS = 300


def _digest(secret: str, body: bytes, timestamp: int) -> str:
    signed = str(timestamp).encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()


def signature_header(
    *, secret: str, body: bytes, timestamp: int, old_secret: str | None = None
) -> str:
    """The ``X-Graphsvc-Signature`` value of ``body`` sent at ``timestamp`` (unix s):
    one ``v1=`` per secret, the current one first and, while a rotated-out secret still
    runs, one with that too (as Stripe does), so receivers switch secrets at their pace.

    >>> header = signature_header(secret="new", body=b"{}", timestamp=1, old_secret="old")
    >>> header.count("v1=")
    2
    >>> verify_signature(secret="old", body=b"{}", header=header, now=1)
    True
    """
    signatures = [secret] + ([old_secret] if old_secret else [])
    return f"t={timestamp}," + ",".join(f"v1={_digest(s, body, timestamp)}" for s in signatures)


def verify_signature(
    *,
    secret: str,
    body: bytes,
    header: str,
    now: int,
    tolerance: int = DEFAULT_TOLERANCE_SECONDS,
) -> bool:
    """Whether ``header`` signs ``body`` with ``secret`` (any of its ``v1=``) at a time
    within ``tolerance`` seconds of ``now`` (what a receiver checks; the README shows it
    standalone)."""
    pairs = [item.split("=", 1) for item in header.split(",") if "=" in item]
    stamps = [value for name, value in pairs if name == "t"]
    try:
        timestamp = int(stamps[0]) if len(stamps) == 1 else None
    except ValueError:
        return False
    if timestamp is None or abs(now - timestamp) > tolerance:
        return False
    expected = _digest(secret, body, timestamp)
    return any(hmac.compare_digest(value, expected) for name, value in pairs if name == "v1")
