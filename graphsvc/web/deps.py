"""What a web request runs on, and who makes it.

:class:`WebServices` is built once per opened store (the portfolio rows it keeps must
outlive a request); :func:`signed_in` resolves the session cookie; :func:`workspace_role`
answers 404 for a workspace the user does not belong to (its existence is not told)
and 403 when the role is too low.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from fastapi import Request

from graphsvc.analysis.service import AnalysisService
from graphsvc.api.deps import services_of
from graphsvc.config import Settings
from graphsvc.errors import Forbidden, NotFound, StoreUnavailable, Unauthorized
from graphsvc.store.repository import GraphStore
from graphsvc.users import SignedIn, UserRepository, UserService, WorkspaceRole
from graphsvc.web.deal_room import DealRoomService
from graphsvc.web.portfolio import PortfolioService
from graphsvc.web.repository import WebRepository
from graphsvc.web.security import SESSION_COOKIE


@dataclass
class WebServices:
    settings: Settings
    store: GraphStore
    users: UserService
    portfolio: PortfolioService
    deals: DealRoomService
    repository: WebRepository


_lock = threading.Lock()


def web_services(request: Request) -> WebServices:
    services = services_of(request)
    store = services.store
    if store is None:
        raise StoreUnavailable("the store is not open")
    held: WebServices | None = getattr(request.app.state, "web_services", None)
    if held is not None and held.store is store:
        return held
    with _lock:
        held = getattr(request.app.state, "web_services", None)
        if held is None or held.store is not store:
            analysis = services.analysis or AnalysisService(store=store, settings=services.settings)
            repository = WebRepository(store.runner)
            held = WebServices(
                settings=services.settings,
                store=store,
                users=UserService(
                    repository=UserRepository(store.runner), settings=services.settings
                ),
                portfolio=PortfolioService(
                    store=store,
                    analysis=analysis,
                    repository=repository,
                    max_age_seconds=services.settings.analysis_cache_seconds,
                ),
                deals=DealRoomService(store=store, analysis=analysis, repository=repository),
                repository=repository,
            )
            request.app.state.web_services = held
    return held


def client_address(request: Request) -> str | None:
    return request.client.host if request.client else None


def current_user(request: Request, web: WebServices) -> SignedIn | None:
    cached = getattr(request.state, "web_user", None)
    if cached is not None:
        return cached
    user = web.users.resolve(token=request.cookies.get(SESSION_COOKIE))
    request.state.web_user = user
    return user


def require_user(request: Request, web: WebServices) -> SignedIn:
    user = current_user(request, web)
    if user is None:
        raise Unauthorized("please sign in")
    return user


def workspace_role(
    user: SignedIn, workspace: str, needed: WorkspaceRole = WorkspaceRole.viewer
) -> WorkspaceRole:
    role = user.role_in(workspace)
    if role is None:
        raise NotFound("no such workspace")
    if not role.allows(needed):
        raise Forbidden(f"your role in this workspace is {role.value}; this needs {needed.value}")
    return role
