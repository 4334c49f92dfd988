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


def signature_header(*, secret: str, body: bytes, timestamp: int) -> str:
    """The ``X-Graphsvc-Signature`` value of ``body`` sent at ``timestamp`` (unix s)."""
    return f"t={timestamp},v1={_digest(secret, body, timestamp)}"


def verify_signature(
    *,
    secret: str,
    body: bytes,
    header: str,
    now: int,
    tolerance: int = DEFAULT_TOLERANCE_SECONDS,
) -> bool:
    """Whether ``header`` signs ``body`` with ``secret`` at a time within ``tolerance``
    seconds of ``now`` (what a receiver checks; the README shows it standalone)."""
    parts = dict(item.split("=", 1) for item in header.split(",") if "=" in item)
    try:
        timestamp = int(parts.get("t", ""))
    except ValueError:
        return False
    if abs(now - timestamp) > tolerance:
        return False
    return hmac.compare_digest(parts.get("v1", ""), _digest(secret, body, timestamp))
