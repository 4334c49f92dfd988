"""Sign-in links by e-mail, through the same SMTP settings and sender as the alerts (in
the web layer: it uses the alerts' sender, which the users service may not).

:func:`signin_message` is pure (the message); :func:`send_signin_link` makes the link
and sends it. Asking for a link never tells whether the address has an account: the
web form answers the same either way, and only an enabled account gets a message.
"""

from __future__ import annotations

import logging
from email.message import EmailMessage

from graphsvc.alerts.sender import SmtpSender
from graphsvc.config import Settings
from graphsvc.errors import Conflict, NotFound
from graphsvc.users.service import UserService

log = logging.getLogger("graphsvc.users")


def signin_message(
    *, settings: Settings, to: str, name: str, url: str, minutes: int
) -> EmailMessage:
    """The e-mail carrying a one-time sign-in link (plain text)."""
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to
    if settings.mail_reply_to:
        message["Reply-To"] = settings.mail_reply_to
    message["Subject"] = "Your sign-in link to the graphsvc deal room"
    message.set_content(
        f"Hello {name},\n\n"
        f"open this link to sign in to the deal room (it works once, for {minutes} "
        f"minutes):\n\n{url}\n\n"
        "If you did not ask for it, ignore this message: nobody can use the link "
        "without access to your mailbox.\n"
    )
    return message


def send_signin_link(*, users: UserService, settings: Settings, email: str) -> bool:
    """Send ``email`` a one-time sign-in link; False (and nothing sent) when there is no
    enabled account with that address."""
    try:
        user = users.get(email=email)
        url = users.create_signin_link(email=user.email)
    except (NotFound, Conflict):
        return False
    message = signin_message(
        settings=settings,
        to=user.email,
        name=user.name,
        url=url,
        minutes=settings.web_signin_link_minutes,
    )
    with SmtpSender(settings) as sender:
        outcome = sender.send(message)
    if outcome.status != "sent":
        log.warning("sign-in link to an account was not sent: %s", outcome.status)
    return outcome.status == "sent"
