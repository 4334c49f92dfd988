"""One HTTP POST of a delivery, to the address its URL was checked against.

The connection goes to :attr:`Target.address` (the address just checked), with the
URL's host in ``Host`` and, for https, in the TLS server name and certificate check: a
name re-pointed between the check and the request (DNS rebinding) cannot redirect it.
Redirects are not followed (a 3xx is a failed delivery), for the same reason.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import time
from dataclasses import dataclass
from pathlib import Path

from graphsvc.webhooks.targets import Target

_MAX_ERROR = 300


@dataclass(frozen=True)
class SendResult:
    ok: bool
    status_code: int | None
    duration_ms: int
    error: str | None


def tls_context(ca_bundle: Path | None = None) -> ssl.SSLContext:
    """The TLS settings of https deliveries: certificate and host name always checked,
    against the authorities in ``ca_bundle`` (a PEM file) when given, else the
    system's."""
    return ssl.create_default_context(cafile=str(ca_bundle) if ca_bundle else None)


def post(
    target: Target,
    *,
    body: bytes,
    headers: dict[str, str],
    timeout: float,
    tls: ssl.SSLContext | None = None,
) -> SendResult:
    """POST ``body``; ``ok`` when the receiver answered 2xx within ``timeout``."""
    started = time.perf_counter()
    connection: http.client.HTTPConnection | None = None
    try:
        sock = socket.create_connection((target.address, target.port), timeout=timeout)
        if target.scheme == "https":
            context = tls or tls_context()
            sock = context.wrap_socket(sock, server_hostname=target.host)
            connection = http.client.HTTPSConnection(target.host, target.port, timeout=timeout)
        else:
            connection = http.client.HTTPConnection(target.host, target.port, timeout=timeout)
        connection.sock = sock  # already connected, to the checked address
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(64 * 1024)  # the answer's body is not kept
        status = response.status
        elapsed = _ms(started)
        if 200 <= status < 300:
            return SendResult(True, status, elapsed, None)
        return SendResult(False, status, elapsed, f"HTTP {status} {response.reason}"[:_MAX_ERROR])
    except (OSError, http.client.HTTPException) as exc:
        return SendResult(False, None, _ms(started), f"{type(exc).__name__}: {exc}"[:_MAX_ERROR])
    finally:
        if connection is not None:
            connection.close()


def _ms(started: float) -> int:
    return max(0, round((time.perf_counter() - started) * 1000))
