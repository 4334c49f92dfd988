"""The rules of users and sign-in: argon2 passwords, sessions with idle and absolute
expiry, sign-out everywhere, one-time sign-in links, and failed-sign-in throttling per
account and per client address.

A session cookie holds 256 random bits; the store keeps only their sha256, so a copy
of the database signs nobody in. Each session has its own CSRF token, which every
state-changing request of the web app must echo (``graphsvc/web/security.py``).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from graphsvc.config import Settings
from graphsvc.domain.models import to_ms
from graphsvc.errors import Conflict, NotFound, TooManyRequests, Unauthorized, ValidationFailed
from graphsvc.store.repository import check_workspace
from graphsvc.users.repository import StoredUser, UserRepository
from graphsvc.users.schemas import SignedIn, UserCreate, UserRead, WorkspaceRole

_MINUTE_MS = 60_000
# Verifying against this hash when the e-mail is unknown makes "no such user" cost the
# same time as "wrong password", so the answer time does not tell which.
_HASHER = PasswordHasher()
_DUMMY_HASH = _HASHER.hash("graphsvc-dummy-password")
SIGN_IN_FAILED = "the e-mail or the password is wrong, or the account is disabled"


def _now_ms() -> int:
    return to_ms(datetime.now(UTC))


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def _clean_email(email: str) -> str:
    return email.strip().lower()


class UserService:
    """Users and their sessions (keyword-only verbs)."""

    def __init__(self, *, repository: UserRepository, settings: Settings) -> None:
        self.repository = repository
        self.settings = settings

    # -- administration (the CLI)

    def add(self, *, user: UserCreate, by: str = "cli") -> UserRead:
        for workspace in user.roles:
            check_workspace(workspace)
        stored, created = self.repository.create(
            email=user.email,
            name=user.name,
            password_hash=_HASHER.hash(user.password),
            roles=dict(user.roles),
            now=_now_ms(),
            by=by,
        )
        if not created:
            raise Conflict(f"a user {user.email!r} already exists")
        return stored.user

    def get(self, *, email: str) -> UserRead:
        stored = self.repository.get(email=_clean_email(email))
        if stored is None:
            raise NotFound(f"no user {email!r}")
        return stored.user

    def list(self, *, workspace: str | None = None) -> list[UserRead]:
        users = [s.user for s in self.repository.all()]
        if workspace is not None:
            users = [u for u in users if workspace in u.roles]
        return users

    def set_role(
        self, *, email: str, workspace: str, role: WorkspaceRole | None, by: str = "cli"
    ) -> UserRead:
        """Give ``role`` in ``workspace`` (None: remove the user from the workspace)."""
        check_workspace(workspace)
        user = self.get(email=email)
        roles = dict(user.roles)
        if role is None:
            roles.pop(workspace, None)
        else:
            roles[workspace] = WorkspaceRole(role)
        return self._update(user.email, by=by, roles=roles)

    def disable(self, *, email: str, disabled: bool = True, by: str = "cli") -> UserRead:
        """Disable (or enable again) an account; disabling signs it out everywhere."""
        user = self.get(email=email)
        updated = self._update(user.email, by=by, disabled=disabled)
        if disabled:
            self.repository.delete_sessions_of(email=user.email)
        return updated

    def reset_password(self, *, email: str, password: str, by: str = "cli") -> UserRead:
        """Set a new password; every session of the user ends."""
        if not 10 <= len(password) <= 1024:
            raise ValidationFailed(
                "a password has 10 to 1024 characters",
                detail=[{"loc": ["password"], "msg": "10-1024 characters"}],
            )
        user = self.get(email=email)
        updated = self._update(user.email, by=by, password_hash=_HASHER.hash(password))
        self.repository.delete_sessions_of(email=user.email)
        return updated

    def _update(
        self,
        email: str,
        *,
        by: str,
        roles: dict[str, WorkspaceRole] | None = None,
        password_hash: str | None = None,
        disabled: bool | None = None,
    ) -> UserRead:
        stored = self.repository.update(
            email=email,
            now=_now_ms(),
            by=by,
            roles=roles,
            password_hash=password_hash,
            disabled=disabled,
        )
        if stored is None:
            raise NotFound(f"no user {email!r}")
        return stored.user

    # -- signing in

    def _throttle_keys(self, email: str, address: str | None) -> tuple[str, str | None]:
        return "account:" + email, ("address:" + address) if address else None

    def _check_throttle(self, email: str, address: str | None, now: int) -> None:
        account_key, address_key = self._throttle_keys(email, address)
        window_start = now - self.settings.web_login_window_minutes * _MINUTE_MS
        keys = [account_key] + ([address_key] if address_key else [])
        counts = self.repository.throttle_counts(keys=keys, since=window_start)
        if counts.get(account_key, 0) >= self.settings.web_login_max_failures_per_account or (
            address_key is not None
            and counts.get(address_key, 0) >= self.settings.web_login_max_failures_per_address
        ):
            raise TooManyRequests(
                "too many failed sign-ins; try again in "
                f"{self.settings.web_login_window_minutes} minutes",
                retry_after=self.settings.web_login_window_minutes * 60,
            )

    def _record_failure(self, email: str, address: str | None, now: int) -> None:
        window_ms = self.settings.web_login_window_minutes * _MINUTE_MS
        for key in self._throttle_keys(email, address):
            if key is not None:
                self.repository.throttle_hit(key=key, now=now, window_ms=window_ms)

    def note_link_request(self, *, address: str | None) -> None:
        """Count an e-mailed sign-in link against the address (so the form cannot be
        used to flood mailboxes); :class:`TooManyRequests` once the address is over."""
        if address is None:
            return
        now = _now_ms()
        key = "address:" + address
        window_start = now - self.settings.web_login_window_minutes * _MINUTE_MS
        counts = self.repository.throttle_counts(keys=[key], since=window_start)
        if counts.get(key, 0) >= self.settings.web_login_max_failures_per_address:
            raise TooManyRequests(
                "too many requests from this address; try again in "
                f"{self.settings.web_login_window_minutes} minutes",
                retry_after=self.settings.web_login_window_minutes * 60,
            )
        self.repository.throttle_hit(
            key=key, now=now, window_ms=self.settings.web_login_window_minutes * _MINUTE_MS
        )

    def authenticate(self, *, email: str, password: str, address: str | None) -> UserRead:
        """The user for a right e-mail and password; :class:`Unauthorized` otherwise (the
        same message whatever was wrong), :class:`TooManyRequests` when throttled."""
        email = _clean_email(email)
        now = _now_ms()
        self._check_throttle(email, address, now)
        stored = self.repository.get(email=email) if len(email) <= 400 else None
        if not self._password_matches(stored, password) or stored is None or stored.user.disabled:
            self._record_failure(email, address, now)
            raise Unauthorized(SIGN_IN_FAILED)
        self.repository.throttle_clear(key=self._throttle_keys(email, address)[0])
        if _HASHER.check_needs_rehash(stored.password_hash):
            self._update(email, by=email, password_hash=_HASHER.hash(password))
        return stored.user

    @staticmethod
    def _password_matches(stored: StoredUser | None, password: str) -> bool:
        try:
            return (
                _HASHER.verify(stored.password_hash if stored else _DUMMY_HASH, password)
                and stored is not None
            )
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def start_session(self, *, user: UserRead, address: str | None) -> str:
        """A new session for ``user``; returns the cookie value (shown once)."""
        token = secrets.token_urlsafe(32)
        self.repository.create_session(
            session_hash=_sha256(token),
            email=user.email,
            csrf=secrets.token_urlsafe(32),
            now=_now_ms(),
            address=address,
        )
        return token

    def resolve(self, *, token: str | None) -> SignedIn | None:
        """The signed-in user of a session cookie, or None (unknown, expired, disabled).
        An expired session is deleted; a live one has its idle clock reset (at most
        once a minute, so reading pages does not write on every request)."""
        if not token or len(token) > 128:
            return None
        session_hash = _sha256(token)
        stored = self.repository.get_session(session_hash=session_hash)
        if stored is None:
            return None
        now = _now_ms()
        idle_ms = self.settings.web_session_idle_minutes * _MINUTE_MS
        absolute_ms = self.settings.web_session_absolute_hours * 60 * _MINUTE_MS
        if (
            stored.disabled
            or now - stored.seen_at > idle_ms
            or now - stored.created_at > absolute_ms
        ):
            self.repository.delete_session(session_hash=session_hash)
            return None
        if now - stored.seen_at > _MINUTE_MS:
            self.repository.touch_session(session_hash=session_hash, now=now)
        return SignedIn(
            email=stored.email,
            name=stored.name or stored.email,
            roles=stored.roles,
            csrf_token=stored.csrf,
            session_hash=session_hash,
            workspaces=sorted(stored.roles),
        )

    def end_session(self, *, session_hash: str) -> None:
        self.repository.delete_session(session_hash=session_hash)

    def end_all_sessions(self, *, email: str) -> int:
        return self.repository.delete_sessions_of(email=_clean_email(email))

    # -- one-time sign-in links

    def create_signin_link(self, *, email: str, minutes: int | None = None) -> str:
        """A one-time sign-in URL for an enabled user (valid ``minutes``)."""
        user = self.get(email=email)
        if user.disabled:
            raise Conflict(f"the account {email!r} is disabled")
        token = secrets.token_urlsafe(32)
        now = _now_ms()
        ttl = (minutes or self.settings.web_signin_link_minutes) * _MINUTE_MS
        self.repository.create_signin_link(
            link_hash=_sha256(token), email=user.email, expires_at=now + ttl, now=now
        )
        return self.settings.public_base_url.rstrip("/") + "/signin/link/" + token

    def redeem_signin_link(self, *, token: str) -> UserRead:
        """The link's user, once; the link is used up by this call."""
        email = None
        if 0 < len(token) <= 128:
            email = self.repository.redeem_signin_link(link_hash=_sha256(token), now=_now_ms())
        user = self.repository.get(email=email) if email else None
        if user is None or user.user.disabled:
            raise Unauthorized("this sign-in link is unknown, used or expired")
        return user.user


def constant_time_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))
