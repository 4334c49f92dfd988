"""Users, sessions, sign-in links and throttling on the real store (both backends)."""

from __future__ import annotations

import uuid

import pytest

from graphsvc.config import Settings
from graphsvc.errors import Conflict, TooManyRequests, Unauthorized
from graphsvc.store.repository import GraphStore
from graphsvc.users import UserCreate, UserRepository, UserService, WorkspaceRole

PASSWORD = "correct horse battery"


@pytest.fixture
def users(store: GraphStore, settings: Settings) -> UserService:
    return UserService(repository=UserRepository(store.runner), settings=settings)


def _email() -> str:
    return f"u-{uuid.uuid4().hex[:12]}@example.com"


def _add(users: UserService, workspace: str, role: str = "editor") -> str:
    email = _email()
    users.add(
        user=UserCreate(
            email=email, name="Ada <b>", password=PASSWORD, roles={workspace: WorkspaceRole(role)}
        )
    )
    return email


def test_sign_in_session_and_sign_out_everywhere(users: UserService, workspace: str) -> None:
    email = _add(users, workspace)
    user = users.authenticate(email=email.upper(), password=PASSWORD, address="127.0.0.9")
    assert user.role_in(workspace) == WorkspaceRole.editor
    first = users.start_session(user=user, address="127.0.0.9")
    second = users.start_session(user=user, address="127.0.0.9")
    signed_in = users.resolve(token=first)
    assert signed_in is not None and signed_in.email == email
    assert signed_in.workspaces == [workspace] and len(signed_in.csrf_token) > 30
    assert users.end_all_sessions(email=email) == 2
    assert users.resolve(token=first) is None and users.resolve(token=second) is None


def test_wrong_password_unknown_user_and_duplicate(users: UserService, workspace: str) -> None:
    email = _add(users, workspace)
    with pytest.raises(Unauthorized) as wrong:
        users.authenticate(email=email, password="not the password", address=None)
    with pytest.raises(Unauthorized) as unknown:
        users.authenticate(email=_email(), password=PASSWORD, address=None)
    assert wrong.value.message == unknown.value.message  # nothing tells which was wrong
    with pytest.raises(Conflict):
        users.add(user=UserCreate(email=email, name="Again", password=PASSWORD))
    stored = UserRepository(users.repository.runner).get(email=email)
    assert stored is not None and stored.password_hash.startswith("$argon2id$")


def test_throttle_per_account(users: UserService, workspace: str) -> None:
    users.settings = users.settings.model_copy(update={"web_login_max_failures_per_account": 3})
    email = _add(users, workspace)
    for _ in range(3):
        with pytest.raises(Unauthorized):
            users.authenticate(email=email, password="wrong password!", address=None)
    with pytest.raises(TooManyRequests):  # even the right password is refused now
        users.authenticate(email=email, password=PASSWORD, address=None)


def test_throttle_per_address(users: UserService, workspace: str) -> None:
    users.settings = users.settings.model_copy(update={"web_login_max_failures_per_address": 2})
    address = f"10.{uuid.uuid4().int % 250}.0.{uuid.uuid4().int % 250}"
    for _ in range(2):
        with pytest.raises(Unauthorized):
            users.authenticate(email=_email(), password="wrong password!", address=address)
    with pytest.raises(TooManyRequests):
        users.authenticate(email=_add(users, workspace), password=PASSWORD, address=address)


def test_idle_and_absolute_expiry(users: UserService, workspace: str) -> None:
    email = _add(users, workspace)
    user = users.get(email=email)
    token = users.start_session(user=user, address=None)
    runner = users.repository.runner
    # Age the session as if its last request were three hours ago (idle limit two).
    old = users.repository.get_session(session_hash=users.resolve(token=token).session_hash)
    assert old is not None
    from graphsvc.users.service import _sha256

    runner.write("web_session_touch", {"hash": _sha256(token), "now": old.seen_at - 3 * 3_600_000})
    assert users.resolve(token=token) is None  # idle: gone, and deleted
    assert users.repository.get_session(session_hash=_sha256(token)) is None
    users.settings = users.settings.model_copy(update={"web_session_absolute_hours": 1})
    token = users.start_session(user=user, address=None)
    session_hash = _sha256(token)
    created = users.repository.get_session(session_hash=session_hash)
    assert created is not None
    runner.write("web_session_touch", {"hash": session_hash, "now": created.seen_at})
    assert users.resolve(token=token) is not None  # fresh: alive
    # Signed in two hours ago, used a moment ago: past the absolute limit of one hour.
    runner.write("web_session_delete", {"hash": session_hash})
    users.repository.create_session(
        session_hash=session_hash,
        email=email,
        csrf="c",
        now=created.created_at - 2 * 3_600_000,
        address=None,
    )
    runner.write("web_session_touch", {"hash": session_hash, "now": created.seen_at})
    assert users.resolve(token=token) is None


def test_roles_disable_reset_and_links(users: UserService, workspace: str) -> None:
    email = _add(users, workspace, "viewer")
    users.set_role(email=email, workspace=workspace + "-b", role=WorkspaceRole.admin)
    assert users.get(email=email).roles == {
        workspace: WorkspaceRole.viewer,
        workspace + "-b": WorkspaceRole.admin,
    }
    users.set_role(email=email, workspace=workspace + "-b", role=None)
    assert [u.email for u in users.list(workspace=workspace)] == [email]
    token = users.start_session(user=users.get(email=email), address=None)
    users.disable(email=email)
    assert users.resolve(token=token) is None
    with pytest.raises(Unauthorized):
        users.authenticate(email=email, password=PASSWORD, address=None)
    users.disable(email=email, disabled=False)
    users.reset_password(email=email, password="a brand new secret")
    assert users.authenticate(email=email, password="a brand new secret", address=None)
    link = users.create_signin_link(email=email)
    token = link.rsplit("/", 1)[1]
    assert users.redeem_signin_link(token=token).email == email
    with pytest.raises(Unauthorized):  # one time only
        users.redeem_signin_link(token=token)
