"""The one place that sends e-mail: SMTP over plain, STARTTLS or implicit TLS.

:class:`SmtpSender` keeps one connection open for a whole run and reconnects after a
drop. A transient failure (a 4xx reply, a dropped or refused connection, a timeout) is
retried with exponential backoff (tenacity); a permanent 5xx refusal of the recipient or
the message is returned as ``rejected`` so the caller records it and goes on with the
others. Failures that no other recipient would escape either (authentication, a
refused sender, a TLS certificate that does not verify) raise
:class:`MailServerUnusable`. The password is only ever handed to ``smtplib.login``:
it is never logged, printed or put into an exception message.
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr
from types import TracebackType
from typing import Literal

from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
)

from graphsvc.config import Settings, SmtpSecurity
from graphsvc.errors import ConfigurationError

log = logging.getLogger("graphsvc.alerts.sender")


class MailServerUnusable(ConfigurationError):
    """The SMTP server refuses us in a way that no retry and no other recipient fixes."""


class _Transient(Exception):
    """A failure worth retrying; ``detail`` is the server's reply or the socket error."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


@dataclass(frozen=True)
class SendOutcome:
    status: Literal["sent", "rejected", "failed"]
    detail: str = ""
    attempts: int = 1


def _reply(code: int, message: bytes | str) -> str:
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message)
    return f"{code} {text}".strip()


def tls_context(settings: Settings) -> ssl.SSLContext:
    """The system's default verifying context, trusting ``smtp_ca_file`` too when set
    (a private CA or a self-signed relay)."""
    context = ssl.create_default_context()
    if settings.smtp_ca_file is not None:
        context.load_verify_locations(cafile=str(settings.smtp_ca_file))
    return context


class SmtpSender:
    """Send messages over one reused SMTP connection; use as a context manager."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._connection: smtplib.SMTP | None = None

    # -- connection --------------------------------------------------------------------

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        try:
            connection: smtplib.SMTP
            if s.smtp_security == SmtpSecurity.ssl:
                connection = smtplib.SMTP_SSL(
                    s.smtp_host,
                    s.smtp_port,
                    timeout=s.smtp_timeout_seconds,
                    context=tls_context(s),
                )
            else:
                connection = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout_seconds)
            connection.ehlo_or_helo_if_needed()
            if s.smtp_security == SmtpSecurity.starttls:
                connection.starttls(context=tls_context(s))
                connection.ehlo()
            if s.smtp_user:
                password = s.smtp_password.get_secret_value() if s.smtp_password else ""
                connection.login(s.smtp_user, password)
        except ssl.SSLCertVerificationError as exc:
            raise MailServerUnusable(
                f"TLS certificate of {s.smtp_host}:{s.smtp_port} does not verify: "
                f"{exc.verify_message}"
            ) from None
        except smtplib.SMTPAuthenticationError as exc:
            # from None: the traceback of login() must not carry its arguments anywhere.
            raise MailServerUnusable(
                f"SMTP login as {s.smtp_user!r} refused: {_reply(exc.smtp_code, exc.smtp_error)}"
            ) from None
        except smtplib.SMTPNotSupportedError as exc:
            raise MailServerUnusable(
                f"{s.smtp_host}:{s.smtp_port} does not support {exc} (GRAPHSVC_SMTP_SECURITY="
                f"{s.smtp_security.value})"
            ) from None
        except smtplib.SMTPResponseException as exc:
            if 400 <= exc.smtp_code < 500:
                raise _Transient(_reply(exc.smtp_code, exc.smtp_error)) from None
            raise MailServerUnusable(
                f"{s.smtp_host}:{s.smtp_port} refused the session: "
                f"{_reply(exc.smtp_code, exc.smtp_error)}"
            ) from None
        except (smtplib.SMTPException, OSError) as exc:
            raise _Transient(f"cannot reach {s.smtp_host}:{s.smtp_port}: {exc}") from None
        return connection

    def _drop(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(OSError):
                connection.close()

    def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            connection.quit()
        except (smtplib.SMTPException, OSError):
            connection.close()

    def __enter__(self) -> SmtpSender:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- sending -----------------------------------------------------------------------

    def _send_once(self, message: EmailMessage, sender: str, recipients: list[str]) -> SendOutcome:
        if self._connection is None:
            self._connection = self._connect()
        try:
            refused = self._connection.send_message(message, from_addr=sender, to_addrs=recipients)
        except smtplib.SMTPRecipientsRefused as exc:
            self._reset()
            replies = exc.recipients
            if any(400 <= code < 500 for code, _ in replies.values()):
                raise _Transient(_replies(replies)) from None
            return SendOutcome("rejected", _replies(replies))
        except smtplib.SMTPSenderRefused as exc:
            self._reset()
            if 400 <= exc.smtp_code < 500:
                raise _Transient(_reply(exc.smtp_code, exc.smtp_error)) from None
            raise MailServerUnusable(
                f"the server refuses the sender {sender}: {_reply(exc.smtp_code, exc.smtp_error)}"
            ) from None
        except smtplib.SMTPResponseException as exc:
            self._reset()
            if 400 <= exc.smtp_code < 500:
                raise _Transient(_reply(exc.smtp_code, exc.smtp_error)) from None
            return SendOutcome("rejected", _reply(exc.smtp_code, exc.smtp_error))
        except smtplib.SMTPNotSupportedError as exc:
            # An address that needs SMTPUTF8, to a server without it: this message cannot
            # go, the next one may. (Checked before OSError: SMTPException is one.)
            self._reset()
            return SendOutcome("rejected", f"{type(exc).__name__}: {exc}")
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            self._drop()
            raise _Transient(f"connection lost: {exc or type(exc).__name__}") from None
        if refused:
            # Only reached with several recipients of which some were accepted.
            return SendOutcome("rejected", _replies(refused))
        return SendOutcome("sent")

    def _reset(self) -> None:
        """After a refusal, clear the transaction so the connection can carry the next one."""
        if self._connection is None:
            return
        try:
            self._connection.rset()
        except (smtplib.SMTPException, OSError):
            self._drop()

    def send(self, message: EmailMessage) -> SendOutcome:
        """Send one message to its To/Cc recipients; retry transient failures with
        backoff. Returns ``sent``, ``rejected`` (permanent) or ``failed`` (retries used up).
        Raises :class:`MailServerUnusable` when no message can get through."""
        sender = parseaddr(self.settings.mail_from)[1] or self.settings.mail_from
        headers = [*message.get_all("To", []), *message.get_all("Cc", [])]
        recipients = [addr for _, addr in getaddresses(headers)]
        attempts = 0

        def _count(state: RetryCallState) -> None:
            outcome = state.outcome
            detail = outcome.exception() if outcome is not None else None
            log.warning(
                "SMTP attempt %d for %s failed, retrying: %s",
                state.attempt_number,
                ",".join(recipients),
                detail,
            )

        retrying = Retrying(
            stop=stop_after_attempt(self.settings.alerts_send_attempts),
            wait=wait_exponential(
                multiplier=self.settings.alerts_retry_wait_seconds,
                max=self.settings.alerts_retry_max_wait_seconds,
            ),
            retry=retry_if_exception(lambda exc: isinstance(exc, _Transient)),
            before_sleep=_count,
            reraise=True,
        )
        try:
            for attempt in retrying:
                with attempt:
                    attempts = attempt.retry_state.attempt_number
                    outcome = self._send_once(message, sender, recipients)
        except _Transient as exc:
            return SendOutcome("failed", exc.detail, attempts)
        return SendOutcome(outcome.status, outcome.detail, attempts)


def _replies(replies: dict[str, tuple[int, bytes]]) -> str:
    return "; ".join(f"{addr}: {_reply(code, text)}" for addr, (code, text) in replies.items())
