"""Sign-in links by e-mail through a real SMTP server (aiosmtpd on loopback): the web
form answers the same for any address, only an enabled account gets a message, and its
link signs in once."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from graphsvc.users import UserRepository, UserService
from graphsvc.web.mail import send_signin_link
from tests.alerts.conftest import LoopbackController, RecordingHandler
from tests.web.conftest import DealRoom


class SignalingHandler(RecordingHandler):
    """Records messages and tells the test when one has arrived (no polling)."""

    def __init__(self) -> None:
        super().__init__()
        self.arrived = threading.Event()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        answer = await super().handle_DATA(server, session, envelope)
        self.arrived.set()
        return answer


@pytest.fixture
def mailbox() -> Iterator[tuple[SignalingHandler, int]]:
    handler = SignalingHandler()
    controller = LoopbackController(handler, hostname="127.0.0.1", port=0)
    controller.start()
    yield handler, controller.port
    controller.stop()


def test_signin_link_by_email(
    deal_room_factory: Callable[..., DealRoom], mailbox: tuple[SignalingHandler, int]
) -> None:
    handler, port = mailbox
    room = deal_room_factory(smtp_host="127.0.0.1", smtp_port=port)
    users = UserService(repository=UserRepository(room.store.runner), settings=room.settings)
    # No account, no message (and nothing tells the asker).
    assert (
        send_signin_link(users=users, settings=room.settings, email="nobody@example.com") is False
    )
    assert handler.received == []

    client = room.client()
    form = client.get("/signin")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
    answer = client.post("/signin/email", data={"email": room.users["editor"], "csrf_token": token})
    assert answer.status_code == 200 and "a sign-in link is on its way" in answer.text
    assert handler.arrived.wait(60)
    [mail] = handler.received
    assert mail.rcpt_tos == [room.users["editor"]]
    body = mail.message.get_content()
    link = re.search(r"(http://\S+/signin/link/\S+)", body).group(1)
    signed = room.client().get(link.removeprefix(room.url))
    assert signed.status_code == 303 and "graphsvc_session=" in signed.headers["set-cookie"]
    assert room.client().get(link.removeprefix(room.url)).status_code == 401  # once only
