"""The e-mail telling a subscription's owner that it was disabled for failing (built by
a pure function; sent through the alerts' one SMTP sender)."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any

from graphsvc.config import Settings
from graphsvc.domain.models import from_ms


def disabled_notice(webhook: dict[str, Any], *, settings: Settings) -> EmailMessage:
    """The message to ``owner_email`` about the disabled subscription ``webhook`` (its
    stored properties). Its Message-ID names the disabling, so a receiver sees a resent
    notice (after a crash before it was marked sent) as the same message.

    Examples
    --------
    >>> from graphsvc.config import Settings
    >>> hook = {"id": "wh_1", "url": "https://crm.example.com/in", "owner_email": "o@example.com",
    ...         "failing_since": 0, "disabled_at": 259200000, "disabled_reason": "failing"}
    >>> message = disabled_notice(hook, settings=Settings())
    >>> message["To"]
    'o@example.com'
    >>> message["Subject"].endswith("failed since 1970-01-01 00:00 UTC")
    True
    """
    failing = webhook.get("failing_since")
    failing_since = from_ms(failing if failing is not None else webhook["disabled_at"])
    since = failing_since.strftime("%Y-%m-%d %H:%M UTC")
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = webhook["owner_email"]
    if settings.mail_reply_to:
        message["Reply-To"] = settings.mail_reply_to
    message["Subject"] = (
        f"graphsvc webhook {webhook['id']} disabled: its deliveries have failed since {since}"
    )
    message["Message-ID"] = f"<webhook-disabled.{webhook['id']}.{webhook['disabled_at']}@graphsvc>"
    message.set_content(
        "\n".join(
            [
                f"The webhook subscription {webhook['id']} was disabled.",
                "",
                f"URL: {webhook['url']}",
                f"Failing since: {since}",
                f"Reason: {webhook.get('disabled_reason') or 'failing deliveries'}",
                "",
                "No events are delivered to it any more. Its delivery log is at",
                f"GET /v1/webhooks/{webhook['id']}/deliveries. Once the receiver works",
                f"again, re-enable it with PATCH /v1/webhooks/{webhook['id']}",
                '{"active": true}: what was pending is then sent again; events raised',
                "while it is disabled are not kept for it.",
            ]
        )
    )
    return message
