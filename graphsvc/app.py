"""The application factory: every router, the error handler, middleware and metrics.

``create_app(settings, store)`` serves the given store (tests pass one), or opens the
configured store at start-up and closes it at shutdown.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.openapi.utils import get_openapi
from starlette.concurrency import run_in_threadpool

import graphsvc
from graphsvc.alerts.sender import SmtpSender
from graphsvc.analysis.heap import freeze_startup_heap
from graphsvc.analysis.service import AnalysisService
from graphsvc.api import (
    accounts,
    analysis,
    batches,
    changes,
    committee,
    deals,
    imports,
    interactions,
    keys,
    lines,
    notes,
    risks,
    stakeholders,
    webhooks,
)
from graphsvc.api.cache import AnalysisCache
from graphsvc.api.deps import Services
from graphsvc.api.errors import error_response, install_error_handlers
from graphsvc.api.idempotency import IdempotencyMiddleware, document_idempotency
from graphsvc.api.metrics import CONTENT_TYPE_LATEST, Metrics, instrument_store
from graphsvc.api.middleware import RequestContextMiddleware, configure_logging
from graphsvc.api.openapi import document_errors, operation_id, polish
from graphsvc.api.path_ids import PathIdMiddleware
from graphsvc.api.ratelimit import RateLimitHeadersMiddleware, RateLimits
from graphsvc.config import Settings, get_settings
from graphsvc.domain.models import Bundle
from graphsvc.keys import KeyRepository
from graphsvc.maps.views import router as maps_router
from graphsvc.store.repository import GraphStore
from graphsvc.web import mount_web
from graphsvc.webhooks.worker import DeliveryWorker, lease_name

API_ROUTERS = (
    accounts.router,
    deals.router,
    stakeholders.router,
    committee.router,
    lines.router,
    interactions.router,
    notes.router,
    imports.router,
    analysis.router,
    risks.router,
    keys.router,
    maps_router,
    batches.router,
    changes.router,
    webhooks.router,
)


def _wire(services: Services, store: GraphStore, metrics: Metrics) -> None:
    instrument_store(store, metrics)
    services.store = store
    services.keys = KeyRepository(store.runner)
    services.analysis = AnalysisService(store=store, settings=services.settings)


def create_app(settings: Settings | None = None, store: GraphStore | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level)
    metrics = Metrics()
    services = Services(settings=settings, owns_store=store is None)
    services.cache = AnalysisCache(ttl_seconds=settings.analysis_cache_seconds, metrics=metrics)
    services.limits = RateLimits.from_settings(settings)
    if store is not None:
        _wire(services, store, metrics)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if services.store is None:
            opened = await run_in_threadpool(GraphStore.open, settings)
            _wire(services, opened, metrics)
        # A served store delivers webhooks from this process too (a lease in the store
        # picks one process of those serving it); a store handed in (tests) does not.
        worker = None
        if services.owns_store and settings.webhook_worker and services.store is not None:
            worker = DeliveryWorker(
                store=services.store,
                settings=settings,
                mailer=lambda: SmtpSender(settings),
                workspaces=settings.webhook_workspaces or None,
                # Processes serving the same workspaces share one lease.
                lease_name=lease_name(settings.webhook_workspaces),
            )
            worker.start()
        # Start-up's objects live as long as the process: out of the collector's way.
        freeze_startup_heap()
        try:
            yield
        finally:
            if worker is not None:
                await run_in_threadpool(worker.stop)
            if services.analysis is not None:
                await run_in_threadpool(services.analysis.close)
            if services.owns_store and services.store is not None:
                await run_in_threadpool(services.store.close)
                services.store = None

    app = FastAPI(
        title="graphsvc",
        version=getattr(graphsvc, "__version__", "0.1.0"),
        description="Stakeholder influence graph analyzer for key-account deals. Every "
        "`/v1` request needs `Authorization: Bearer <API key>` and acts in "
        "that key's workspace only.",
        lifespan=lifespan,
        # /docs and /redoc come from the web app, with vendored assets (no CDN).
        docs_url=None,
        redoc_url=None,
        generate_unique_id_function=operation_id,
    )
    app.state.services = services
    app.state.metrics = metrics
    install_error_handlers(app)
    # Added first, so it runs inside the request context (ids, logs, the size limit).
    app.add_middleware(IdempotencyMiddleware)
    app.add_middleware(RateLimitHeadersMiddleware)
    app.add_middleware(PathIdMiddleware)
    app.add_middleware(
        RequestContextMiddleware, max_body_bytes=settings.max_body_bytes, metrics=metrics
    )

    @app.get("/healthz", tags=["operations"], summary="The process is up")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get(
        "/readyz",
        tags=["operations"],
        summary="The store is reachable",
        responses={503: {"description": "The store is not reachable"}},
    )
    def readyz() -> Response:
        store_ = services.store
        try:
            ready = store_ is not None and store_.ping()
        except Exception:  # any failure to ping means "not ready"
            ready = False
        if not ready:
            return error_response(503, "store_unavailable", "the store is not reachable")
        return Response(content=b'{"status":"ready"}', media_type="application/json")

    @app.get("/metrics", tags=["operations"], include_in_schema=False)
    def prometheus_metrics(request: Request) -> Response:
        return Response(content=metrics.render(), media_type=CONTENT_TYPE_LATEST)

    for router in API_ROUTERS:
        app.include_router(router)
    mount_web(app)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        # The import endpoint reads its body itself (JSON or CSV): document the bundle.
        bundle = Bundle.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, definition in bundle.pop("$defs", {}).items():
            components.setdefault(name, definition)
        components.setdefault("Bundle", bundle)
        batches.document_batches(schema)
        document_idempotency(schema)
        document_errors(app.routes, schema)
        polish(schema)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
