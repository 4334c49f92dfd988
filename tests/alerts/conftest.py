"""A real SMTP server (aiosmtpd) on loopback, in the test process, for the alert tests.

``smtp_server`` records every message it accepted (envelope and parsed message); its
``behaviour`` can make it refuse recipients permanently (550), fail transiently (451)
after a number of accepted messages, or require a login.
"""

from __future__ import annotations

import email
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.helpers import require_tool

SMTP_USER = "alerts-bot"
SMTP_PASSWORD = "pw-Sup3r-S3cret-91f0"  # the tests check it never shows up anywhere


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    raw: bytes


@dataclass
class Behaviour:
    reject: set[str] = field(default_factory=set)  # 550 at RCPT
    fail_after: int | None = None  # 451 at DATA once this many were accepted
    drop_next: int = 0  # close the connection on the next N DATA commands (421)


class RecordingHandler:
    def __init__(self) -> None:
        self.received: list[Received] = []
        self.behaviour = Behaviour()
        self.lock = threading.Lock()
        self.data_attempts = 0

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if address.lower() in self.behaviour.reject:
            return f"550 5.1.1 <{address}>: mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.data_attempts += 1
            if self.behaviour.drop_next > 0:
                self.behaviour.drop_next -= 1
                return "421 4.3.2 closing connection, try later"
            limit = self.behaviour.fail_after
            if limit is not None and len(self.received) >= limit:
                return "451 4.3.0 temporarily unavailable, try later"
            raw = bytes(envelope.original_content or envelope.content)
            message = email.message_from_bytes(raw, policy=policy.default)
            assert isinstance(message, EmailMessage)
            self.received.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), message, raw)
            )
        return "250 2.0.0 queued"

    def by_recipient(self) -> dict[str, Received]:
        return {r.rcpt_tos[0]: r for r in self.received}


class LoopbackController(Controller):
    """aiosmtpd on an ephemeral loopback port (port 0: the OS picks a free one)."""

    def _trigger_server(self) -> None:
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@dataclass
class SmtpServer:
    host: str
    port: int
    handler: RecordingHandler

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    @property
    def behaviour(self) -> Behaviour:
        return self.handler.behaviour


def _authenticator(
    server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
) -> AuthResult:
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login == SMTP_USER.encode()
        and auth_data.password == SMTP_PASSWORD.encode()
    )
    return AuthResult(success=ok, handled=False)


def _start(handler: RecordingHandler, **kwargs: Any) -> LoopbackController:
    controller = LoopbackController(handler, hostname="127.0.0.1", port=0, **kwargs)
    controller.start()
    return controller


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    handler = RecordingHandler()
    controller = _start(handler)
    yield SmtpServer("127.0.0.1", controller.port, handler)
    controller.stop()


@pytest.fixture
def smtp_ascii_server() -> Iterator[SmtpServer]:
    """A server without SMTPUTF8 (aiosmtpd's controller offers it unless told not to)."""
    handler = RecordingHandler()
    controller = _start(handler, enable_SMTPUTF8=False)
    yield SmtpServer("127.0.0.1", controller.port, handler)
    controller.stop()


@pytest.fixture
def smtp_auth_server() -> Iterator[SmtpServer]:
    """Plain SMTP that requires AUTH (allowed without TLS, on loopback, for the test)."""
    handler = RecordingHandler()
    controller = _start(
        handler, authenticator=_authenticator, auth_required=True, auth_require_tls=False
    )
    yield SmtpServer("127.0.0.1", controller.port, handler)
    controller.stop()


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (also its own CA) and its key."""
    openssl = require_tool("openssl")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def _server_context(tls_files: tuple[Path, Path]) -> Any:
    import ssl

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(tls_files[0]), str(tls_files[1]))
    return context


@pytest.fixture
def smtp_starttls_server(tls_files: tuple[Path, Path]) -> Iterator[SmtpServer]:
    handler = RecordingHandler()
    controller = _start(
        handler,
        tls_context=_server_context(tls_files),
        require_starttls=True,
        authenticator=_authenticator,
        auth_required=True,
    )
    yield SmtpServer("127.0.0.1", controller.port, handler)
    controller.stop()


@pytest.fixture
def smtp_ssl_server(tls_files: tuple[Path, Path]) -> Iterator[SmtpServer]:
    handler = RecordingHandler()
    controller = _start(handler, ssl_context=_server_context(tls_files))
    yield SmtpServer("127.0.0.1", controller.port, handler)
    controller.stop()
