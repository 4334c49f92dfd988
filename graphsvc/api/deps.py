"""FastAPI dependencies shared by every router: the caller's key, the store, the analysis.

Routers declare what they need with the annotated aliases, e.g.::

    @router.get("/v1/deals/{deal_id}")
    def get_deal(deal_id: str, principal: ReadKey, deals: Deals) -> DealOut: ...

``principal.workspace`` is the only workspace a request may touch.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from graphsvc.analysis.service import AnalysisService
from graphsvc.api.cache import AnalysisCache
from graphsvc.api.openapi import raises
from graphsvc.api.ratelimit import RateLimits
from graphsvc.config import Settings
from graphsvc.errors import Forbidden, StoreUnavailable, TooManyRequests, Unauthorized
from graphsvc.keys import KeyRepository, Scope
from graphsvc.services import (
    AccountService,
    CommitteeService,
    DealService,
    InteractionService,
    LineService,
    StakeholderService,
)
from graphsvc.services.notes import NoteService
from graphsvc.store.repository import GraphStore

# auto_error=False: a missing header must give our own 401 error shape, not FastAPI's.
bearer = HTTPBearer(auto_error=False, description="An API key: `Authorization: Bearer gsk_...`")


@dataclass(frozen=True)
class Principal:
    """Who is calling: the key's workspace and scope (never the key itself)."""

    workspace: str
    scope: Scope
    key_id: str
    # The workspace's write revision read with the key (one query): the analysis cache
    # key. Any write, through any process, bumps it.
    revision: int = 0
    key_name: str | None = None

    @property
    def actor(self) -> str:
        """Who the facts this key writes are signed with: the key's name (as the deal
        page's change log shows it), or ``key:<id>`` for a key without a name."""
        return self.key_name or f"key:{self.key_id}"


@dataclass
class Services:
    """What one app instance runs on; ``app.state.services``."""

    settings: Settings
    store: GraphStore | None = None
    analysis: AnalysisService | None = None
    keys: KeyRepository | None = None
    cache: AnalysisCache | None = None
    limits: RateLimits | None = None
    owns_store: bool = False


def services_of(request: Request) -> Services:
    return request.app.state.services


# The dependencies below are async on purpose: FastAPI runs a sync dependency in the
# thread pool, and a thread hop per trivial lookup costs more than the lookup.


async def get_services(request: Request) -> Services:
    return services_of(request)


async def get_settings(request: Request) -> Settings:
    return services_of(request).settings


async def get_store(request: Request) -> GraphStore:
    store = services_of(request).store
    if store is None:
        raise StoreUnavailable("the store is not open")
    return store


# Services are small objects over the store: built per request, so a store opened or
# wrapped after start-up (metrics) is the one they use.


async def get_accounts(request: Request) -> AccountService:
    return AccountService(store=await get_store(request))


async def get_deals(request: Request) -> DealService:
    return DealService(store=await get_store(request), settings=services_of(request).settings)


async def get_stakeholders(request: Request) -> StakeholderService:
    return StakeholderService(store=await get_store(request))


async def get_committee(request: Request) -> CommitteeService:
    return CommitteeService(store=await get_store(request))


async def get_lines(request: Request) -> LineService:
    return LineService(store=await get_store(request))


async def get_interactions(request: Request) -> InteractionService:
    return InteractionService(
        store=await get_store(request), settings=services_of(request).settings
    )


async def get_notes(request: Request) -> NoteService:
    return NoteService(store=await get_store(request))


async def get_analysis(request: Request) -> AnalysisService:
    analysis = services_of(request).analysis
    if analysis is None:
        raise StoreUnavailable("the store is not open")
    return analysis


async def get_keys(request: Request) -> KeyRepository:
    keys = services_of(request).keys
    if keys is None:
        raise StoreUnavailable("the store is not open")
    return keys


async def get_cache(request: Request) -> AnalysisCache:
    cache = services_of(request).cache
    assert cache is not None
    return cache


def require_scope(scope: Scope | str) -> Callable[..., Principal]:
    """A dependency that authenticates the bearer key and demands at least ``scope``."""
    needed = Scope(scope)

    def dependency(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> Principal:
        if credentials is None or not credentials.credentials:
            raise Unauthorized("an API key is required: Authorization: Bearer <key>")
        services = services_of(request)
        keys = services.keys
        if keys is None:
            raise StoreUnavailable("the store is not open")
        limits = services.limits
        store = services.store
        address = request.client.host if request.client else "unknown"
        found = keys.authenticate_with_revision(credentials.credentials)
        if found is None:
            failure = limits.failed(store.runner, address=address) if limits and store else None
            if failure is not None and not failure.allowed:
                raise TooManyRequests(
                    "too many failed authentications from this address",
                    retry_after=failure.retry_after,
                )
            raise Unauthorized("this API key is unknown or revoked")
        record, revision = found
        principal = Principal(
            workspace=record.workspace,
            scope=record.scope,
            key_id=record.id,
            revision=revision,
            key_name=record.name,
        )
        # The access log names the key id (never the key) and workspace.
        request.state.principal = principal
        if limits is not None and store is not None:
            by_key, by_address = limits.admit(store.runner, key_id=record.id, address=address)
            if by_address is not None and not by_address.allowed:
                raise TooManyRequests(
                    "too many failed authentications from this address",
                    retry_after=by_address.retry_after,
                )
            if by_key is not None:
                request.state.ratelimit = by_key
                if not by_key.allowed:
                    raise TooManyRequests(
                        "this API key's rate limit is exhausted", retry_after=by_key.retry_after
                    )
        if not record.scope.allows(needed):
            raise Forbidden(
                f"this API key has scope {record.scope.value!r}; "
                f"this operation needs {needed.value!r}"
            )
        return principal

    dependency.__name__ = f"require_{needed.value}_key"
    # Any key may read: only a route that needs more can answer 403.
    forbidden = () if needed == Scope.read else (403,)
    raises(dependency, 401, 429, 503, *forbidden)
    return dependency


ReadKey = Annotated[Principal, Depends(require_scope(Scope.read))]
WriteKey = Annotated[Principal, Depends(require_scope(Scope.write))]
AdminKey = Annotated[Principal, Depends(require_scope(Scope.admin))]
Store = Annotated[GraphStore, Depends(get_store)]
Accounts = Annotated[AccountService, Depends(get_accounts)]
Deals = Annotated[DealService, Depends(get_deals)]
Stakeholders = Annotated[StakeholderService, Depends(get_stakeholders)]
Committee = Annotated[CommitteeService, Depends(get_committee)]
Lines = Annotated[LineService, Depends(get_lines)]
Interactions = Annotated[InteractionService, Depends(get_interactions)]
Notes = Annotated[NoteService, Depends(get_notes)]
Analysis = Annotated[AnalysisService, Depends(get_analysis)]
AppSettings = Annotated[Settings, Depends(get_settings)]
Keys = Annotated[KeyRepository, Depends(get_keys)]
Cache = Annotated[AnalysisCache, Depends(get_cache)]
