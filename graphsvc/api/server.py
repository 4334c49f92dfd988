"""Serving the app with uvicorn.

uvicorn's h11 protocol writes a response's head and body separately; without
``TCP_NODELAY`` on the connection, Nagle's algorithm holds the body back until the
client's delayed ACK (~40 ms on Linux), so every keep-alive request would take 40 ms.
:class:`NoDelayH11Protocol` sets the option on every accepted connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol


class NoDelayH11Protocol(H11Protocol):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            with contextlib.suppress(OSError):  # not a TCP socket after all
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)


# uvicorn's own lines (start-up, shutdown, errors) as JSON too, like the access log.
LOG_CONFIG: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "graphsvc.api.middleware.JsonLineFormatter"}},
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "stream": "ext://sys.stderr",
        }
    },
    "loggers": {
        "uvicorn": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        "uvicorn.error": {"level": "INFO"},
    },
}


def uvicorn_options(**overrides: Any) -> dict[str, Any]:
    """Options for ``uvicorn.run``/``uvicorn.Config`` shared by ``serve``, tests and
    benchmarks: our protocol class, JSON log lines, and no uvicorn access log (the app
    logs each request itself)."""
    return {"http": NoDelayH11Protocol, "access_log": False, "log_config": LOG_CONFIG, **overrides}
