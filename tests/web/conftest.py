"""Web-app fixtures: the real app (``create_app``) on the session's FalkorDB served by
uvicorn on loopback, users in each role, and a seeded workspace. The browser tests live
in ``tests/visual/deal_room`` so they share the one Chromium of ``tests/visual``'s
fixtures (a second Playwright in the same worker cannot start).
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from graphsvc.app import create_app
from graphsvc.config import Settings
from graphsvc.domain.models import Bundle
from graphsvc.store.repository import GraphStore
from graphsvc.store.runners import FalkorRunner
from graphsvc.users import UserCreate, UserRepository, UserService, WorkspaceRole
from graphsvc.web.deal_room import DealRoomService
from graphsvc.web.schemas import EditRequest
from tests.api.conftest import LiveServer, api_factory
from tests.visual.conftest import PageWatch

PASSWORD = "deal-room-password"
HOSTILE = '<img src=x onerror="window.__pwned=1">Mallory</script>'
AXE_JS = next((Path(__file__).parent / "vendor").glob("axe-core-*/axe.min.js"))
# The README's screenshots: rewritten when GRAPHSVC_UPDATE_SCREENSHOTS=1, else taken
# into a temporary folder (so a test run leaves the tree as it was).
# The API's live-server fixture, for tests that write through the API with a key.
__all__ = ["api_factory"]
SCREENSHOTS = (
    Path(__file__).resolve().parents[2] / "docs" / "screenshots"
    if os.environ.get("GRAPHSVC_UPDATE_SCREENSHOTS") == "1"
    else Path(tempfile.gettempdir()) / "graphsvc-screenshots"
)


@dataclass
class DealRoom:
    url: str
    store: GraphStore
    settings: Settings
    workspace: str
    other_workspace: str
    users: dict[str, str]  # role -> e-mail
    deal_id: str  # a seeded deal with a committee
    empty_deal_id: str  # a deal with no committee yet
    other_deal_id: str  # a deal of the other workspace

    def deal_url(self, deal_id: str | None = None, workspace: str | None = None) -> str:
        from urllib.parse import quote

        return (
            f"{self.url}/deal?ws={quote(workspace or self.workspace, safe='')}"
            f"&id={quote(deal_id or self.deal_id, safe='')}"
        )

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=60, follow_redirects=False)

    def signed_in_client(self, role: str) -> tuple[httpx.Client, str]:
        """An HTTP client with a session of ``role``'s user, and that session's CSRF token."""
        client = self.client()
        form = client.get("/signin")
        token = _csrf_of(form.text)
        answer = client.post(
            "/signin",
            data={
                "email": self.users[role],
                "password": PASSWORD,
                "csrf_token": token,
                "next": "/",
            },
        )
        assert answer.status_code == 303, answer.text
        page = client.get(f"/?ws={self.workspace}")
        return client, _csrf_of(page.text)


def _csrf_of(html: str) -> str:
    import re

    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, html[:500]
    return match.group(1)


def apply_edit(
    deals: DealRoomService, *, workspace: str, deal_id: str, actor: str, **fields: Any
) -> Any:
    """Apply one deal-page edit (``fields``: the edit's action and values) on the deal's
    current revision, as ``actor``."""
    revision = deals.revision(workspace=workspace, deal_id=deal_id)
    edit = EditRequest.model_validate({"edit": {"revision": revision, **fields}}).edit
    return deals.apply(workspace=workspace, deal_id=deal_id, actor=actor, edit=edit)


def seed_bundle(workspace_owner: str, tag: str) -> tuple[Bundle, str, str]:
    now = datetime.now(UTC)
    deal_id = f"D-{tag}/1"
    empty_id = f"D-{tag}-empty"
    people = [
        ("p1", "Dana Decider", "Decision Maker", "neutral", False, 5),
        ("p2", "Chris Champion", "Champion", "champion", True, 4),
        ("p3", HOSTILE, "Evaluator", "skeptic", False, 3),
    ]
    bundle = Bundle.model_validate(
        {
            "accounts": [{"id": f"A-{tag}", "name": f"Acme <b>{tag}</b>"}],
            "deals": [
                {
                    "id": deal_id,
                    "account_id": f"A-{tag}",
                    "name": f"Platform {HOSTILE}",
                    "owner_email": workspace_owner,
                    "amount": 250000,
                    "currency": "EUR",
                    "stage": "Proposal",
                    "close_date": (now + timedelta(days=40)).date().isoformat(),
                },
                {
                    "id": empty_id,
                    "account_id": f"A-{tag}",
                    "name": "Fresh deal",
                    "owner_email": workspace_owner,
                    "amount": 90000,
                    "currency": "USD",
                    "stage": "Discovery",
                },
            ],
            "stakeholders": [
                {"id": f"{pid}-{tag}", "account_id": f"A-{tag}", "name": name, "title": "VP"}
                for pid, name, *_ in people
            ],
            "memberships": [
                {
                    "deal_id": deal_id,
                    "stakeholder_id": f"{pid}-{tag}",
                    "role": role,
                    "stance": stance,
                    "ally": ally,
                    "influence_rating": rating,
                    "at": (now - timedelta(days=60)).isoformat(),
                }
                for pid, _n, role, stance, ally, rating in people
            ],
            "influences": [
                {
                    "source_id": f"p2-{tag}",
                    "target_id": f"p1-{tag}",
                    "strength": 0.6,
                    "at": (now - timedelta(days=50)).isoformat(),
                }
            ],
            "interactions": [
                {
                    "id": f"ix-{tag}",
                    "deal_id": deal_id,
                    "channel": "meeting",
                    "at": (now - timedelta(days=10)).isoformat(),
                    "stakeholder_ids": [f"p2-{tag}"],
                    "team_member_emails": [workspace_owner],
                    "summary": f"Workshop {HOSTILE}",
                }
            ],
        }
    )
    return bundle, deal_id, empty_id


@pytest.fixture
def deal_room_factory(
    falkordb_runner: FalkorRunner, settings: Settings
) -> Iterator[Callable[..., DealRoom]]:
    servers: list[LiveServer] = []

    def make(**overrides: Any) -> DealRoom:
        store = GraphStore(falkordb_runner, settings=settings)
        tag = uuid.uuid4().hex[:10]
        workspace, other = f"ws-{tag}", f"ws-{tag}-other"
        users = UserService(repository=UserRepository(store.runner), settings=settings)
        emails = {}
        for role in ("viewer", "editor", "admin"):
            email = f"{role}-{tag}@example.com"
            name = f"{role.title()} {HOSTILE}" if role == "viewer" else f"{role.title()} User"
            users.add(
                user=UserCreate(
                    email=email,
                    name=name,
                    password=PASSWORD,
                    roles={workspace: WorkspaceRole(role)},
                )
            )
            emails[role] = email
        outsider = f"outsider-{tag}@example.com"
        users.add(
            user=UserCreate(
                email=outsider,
                name="Outsider",
                password=PASSWORD,
                roles={other: WorkspaceRole.admin},
            )
        )
        emails["outsider"] = outsider
        bundle, deal_id, empty_id = seed_bundle(emails["editor"], tag)
        store.import_bundle(workspace=workspace, bundle=bundle)
        other_bundle, other_deal, _ = seed_bundle(outsider, tag + "o")
        store.import_bundle(workspace=other, bundle=other_bundle)
        app_settings = settings.model_copy(update={"web_poll_seconds": 0.5, **overrides})
        app = create_app(settings=app_settings, store=store)
        server = LiveServer(app)
        servers.append(server)
        if "public_base_url" not in overrides:
            app_settings.public_base_url = server.url
        return DealRoom(
            url=server.url,
            store=store,
            settings=app_settings,
            workspace=workspace,
            other_workspace=other,
            users=emails,
            deal_id=deal_id,
            empty_deal_id=empty_id,
            other_deal_id=other_deal,
        )

    yield make
    for server in servers:
        server.stop()


@pytest.fixture
def deal_room(deal_room_factory: Callable[..., DealRoom]) -> DealRoom:
    return deal_room_factory()


def sign_in(watch: PageWatch, room: DealRoom, role: str, *, next_path: str = "/") -> None:
    page = watch.page
    page.goto(f"{room.url}/signin?next={next_path}")
    page.fill("#email", room.users[role])
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("load")


def run_axe(page: Any) -> list[dict[str, Any]]:
    """axe-core (vendored from npm) run in the page; its serious and critical violations.
    It is evaluated through the DevTools protocol, which the page's CSP does not govern,
    so the page keeps its strict policy (a <script> tag would be refused)."""
    page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    result = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["html"][:160] for n in v["nodes"][:3]],
        }
        for v in result
        if v["impact"] in ("serious", "critical")
    ]
