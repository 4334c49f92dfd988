"""The SMTP sender against a real aiosmtpd server on loopback: plain, STARTTLS, implicit
TLS, login, permanent and transient failures, retries, and the password staying secret."""

from __future__ import annotations

import logging
import socket
from email.message import EmailMessage

import pytest
from pydantic import SecretStr

from graphsvc.alerts.sender import MailServerUnusable, SmtpSender
from graphsvc.config import Settings, SmtpSecurity
from tests.alerts.conftest import SMTP_PASSWORD, SMTP_USER, SmtpServer

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


def _settings(settings: Settings, server: SmtpServer, **changes: object) -> Settings:
    values: dict[str, object] = {
        "smtp_host": server.host,
        "smtp_port": server.port,
        "smtp_timeout_seconds": 10.0,
        "mail_from": "Risk Alerts <alerts@example.com>",
        "alerts_send_attempts": 3,
        "alerts_retry_wait_seconds": 0.0,
        "alerts_retry_max_wait_seconds": 0.0,
    }
    values.update(changes)
    return settings.model_copy(update=values)


def _message(to: str, subject: str = "hello") -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Risk Alerts <alerts@example.com>"
    message["To"] = to
    message["Subject"] = subject
    message.set_content("body")
    return message


def test_plain_send_arrives_once_per_message(settings: Settings, smtp_server: SmtpServer) -> None:
    with SmtpSender(_settings(settings, smtp_server)) as sender:
        first = sender.send(_message("a@example.com", "one"))
        second = sender.send(_message("b@example.com", "two"))
    assert (first.status, second.status) == ("sent", "sent")
    received = smtp_server.handler.by_recipient()
    assert set(received) == {"a@example.com", "b@example.com"}
    assert received["a@example.com"].message["Subject"] == "one"
    assert received["a@example.com"].mail_from == "alerts@example.com"


def test_login_works_and_password_never_appears(
    settings: Settings,
    smtp_auth_server: SmtpServer,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    configured = _settings(
        settings, smtp_auth_server, smtp_user=SMTP_USER, smtp_password=SecretStr(SMTP_PASSWORD)
    )
    with SmtpSender(configured) as sender:
        assert sender.send(_message("a@example.com")).status == "sent"
    assert len(smtp_auth_server.received) == 1

    wrong = configured.model_copy(update={"smtp_password": SecretStr("not-" + SMTP_PASSWORD)})
    with SmtpSender(wrong) as sender, pytest.raises(MailServerUnusable) as refused:
        sender.send(_message("b@example.com"))
    assert "refused" in str(refused.value)
    output = capsys.readouterr()
    for text in (
        str(refused.value),
        repr(refused.value),
        caplog.text,
        output.out,
        output.err,
        repr(configured),
        str(configured.model_dump()),
    ):
        assert SMTP_PASSWORD not in text
    assert len(smtp_auth_server.received) == 1


def test_starttls_with_private_ca(
    settings: Settings, smtp_starttls_server: SmtpServer, tls_files: tuple
) -> None:
    configured = _settings(
        settings,
        smtp_starttls_server,
        smtp_security=SmtpSecurity.starttls,
        smtp_ca_file=tls_files[0],
        smtp_user=SMTP_USER,
        smtp_password=SecretStr(SMTP_PASSWORD),
    )
    with SmtpSender(configured) as sender:
        assert sender.send(_message("a@example.com")).status == "sent"
    assert [r.rcpt_tos for r in smtp_starttls_server.received] == [["a@example.com"]]


def test_starttls_refuses_an_unverified_certificate(
    settings: Settings, smtp_starttls_server: SmtpServer
) -> None:
    configured = _settings(settings, smtp_starttls_server, smtp_security=SmtpSecurity.starttls)
    with SmtpSender(configured) as sender, pytest.raises(MailServerUnusable, match="certificate"):
        sender.send(_message("a@example.com"))
    assert smtp_starttls_server.received == []


def test_implicit_tls(settings: Settings, smtp_ssl_server: SmtpServer, tls_files: tuple) -> None:
    configured = _settings(
        settings, smtp_ssl_server, smtp_security=SmtpSecurity.ssl, smtp_ca_file=tls_files[0]
    )
    with SmtpSender(configured) as sender:
        assert sender.send(_message("a@example.com")).status == "sent"
    assert len(smtp_ssl_server.received) == 1


def test_permanent_rejection_is_reported_and_the_next_message_still_goes(
    settings: Settings, smtp_server: SmtpServer
) -> None:
    smtp_server.behaviour.reject.add("gone@example.com")
    with SmtpSender(_settings(settings, smtp_server)) as sender:
        rejected = sender.send(_message("gone@example.com"))
        sent = sender.send(_message("here@example.com"))
    assert rejected.status == "rejected"
    assert rejected.attempts == 1  # a 5xx is not retried
    assert "550" in rejected.detail
    assert sent.status == "sent"
    assert [r.rcpt_tos for r in smtp_server.received] == [["here@example.com"]]


def test_transient_failure_is_retried(settings: Settings, smtp_server: SmtpServer) -> None:
    smtp_server.behaviour.drop_next = 2
    with SmtpSender(_settings(settings, smtp_server)) as sender:
        outcome = sender.send(_message("a@example.com"))
    assert (outcome.status, outcome.attempts) == ("sent", 3)
    assert len(smtp_server.received) == 1


def test_transient_failure_gives_up_after_the_attempts(
    settings: Settings, smtp_server: SmtpServer
) -> None:
    smtp_server.behaviour.fail_after = 0
    with SmtpSender(_settings(settings, smtp_server)) as sender:
        outcome = sender.send(_message("a@example.com"))
    assert (outcome.status, outcome.attempts) == ("failed", 3)
    assert "451" in outcome.detail
    assert smtp_server.handler.data_attempts == 3


def test_unreachable_server_fails_without_raising(
    settings: Settings, smtp_server: SmtpServer
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    # The port was free a moment ago and nothing listens on it now: connection refused.
    configured = _settings(settings, smtp_server, smtp_port=closed_port, alerts_send_attempts=2)
    with SmtpSender(configured) as sender:
        outcome = sender.send(_message("a@example.com"))
    assert (outcome.status, outcome.attempts) == ("failed", 2)
    assert "cannot reach" in outcome.detail


def test_a_message_the_server_cannot_take_is_rejected_not_fatal(
    settings: Settings, smtp_ascii_server: SmtpServer
) -> None:
    # Without SMTPUTF8 on the server a non-ASCII mailbox cannot go; the next one can.
    smtp_server = smtp_ascii_server
    with SmtpSender(_settings(settings, smtp_server)) as sender:
        refused = sender.send(_message("jürgen@example.com"))
        sent = sender.send(_message("juergen@example.com"))
    assert refused.status == "rejected" and "SMTPUTF8" in refused.detail, refused
    assert sent.status == "sent"
    assert [r.rcpt_tos for r in smtp_server.received] == [["juergen@example.com"]]
