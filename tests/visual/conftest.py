"""Deal-map test fixtures: a real headless Chromium (Debian's, never downloaded) driven
by Playwright, with every request that is not ``file:``/``data:`` (or the test's own
loopback server, when one is allowed) aborted and recorded.

Browser tests share one browser per worker and run in one xdist group, so a two-core
machine runs at most one Chromium for them.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.helpers import running_in_ci

CHROMIUM = os.environ.get("GRAPHSVC_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
browser_test = [pytest.mark.browser, pytest.mark.xdist_group("chromium")]


def _require_chromium() -> None:
    if os.path.exists(CHROMIUM):
        return
    message = f"headless Chromium is not installed at {CHROMIUM}"
    if running_in_ci():
        pytest.fail(f"{message} (required when CI=true)", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class PageWatch:
    """What a page did: console errors, uncaught errors, dialogs, every request URL,
    and the requests that were blocked for leaving the allowed origins."""

    page: Any
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)

    def wait_stabilized(self, layouts: int = 1, timeout_ms: float = 60_000) -> None:
        """Wait until the map reports its ``layouts``-th layout settled (an attribute the
        page sets on <html>; a selector wait needs no eval, which the page's CSP forbids)."""
        self.page.wait_for_selector(
            f"html[data-stabilized='true'][data-layouts='{layouts}']",
            state="attached",
            timeout=timeout_ms,
        )

    def map_state(self) -> dict[str, Any]:
        """Counts read from the page's vis DataSets."""
        return self.page.evaluate(
            """() => {
              const s = window.__graphsvcMap;
              const ids = s.nodes.getIds();
              return {
                nodes: ids.length,
                members: ids.filter((id) => id.startsWith("s:")).length,
                team: ids.filter((id) => id.startsWith("t:")).length,
                edges: s.edges.length,
                committeeSize: s.committeeSize,
                asOf: s.asOf,
                stabilized: s.stabilized,
                stabilizedMs: s.stabilizedMs,
                highlighted: s.highlighted.slice(),
                physics: s.network.physics.physicsEnabled,
                pwned: typeof window.__pwned,
              };
            }"""
        )


@pytest.fixture
def open_page(chromium: Any) -> Iterator[Callable[..., PageWatch]]:
    contexts: list[Any] = []

    def make(
        *,
        allow_origin: str | None = None,
        headers: dict[str, str] | None = None,
        viewport: dict[str, int] | None = None,
    ) -> PageWatch:
        context = chromium.new_context(
            viewport=viewport or {"width": 1400, "height": 900},
            extra_http_headers=headers or {},
        )
        contexts.append(context)
        page = context.new_page()
        watch = PageWatch(page=page)

        def route(route: Any) -> None:
            url = route.request.url
            if url.startswith(("file:", "data:")) or (
                allow_origin is not None and url.startswith(allow_origin + "/")
            ):
                route.continue_()
            else:
                watch.blocked.append(url)
                route.abort()

        page.route("**/*", route)
        page.on("request", lambda r: watch.requests.append(r.url))
        page.on("console", lambda m: m.type == "error" and watch.console_errors.append(m.text))
        page.on("pageerror", lambda e: watch.page_errors.append(str(e)))

        def on_dialog(dialog: Any) -> None:
            watch.dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", on_dialog)
        return watch

    yield make
    for context in contexts:
        context.close()


def pixel_variety(png: bytes) -> int:
    """Distinct colours in a screenshot (a blank page has one or two)."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    image.thumbnail((400, 400))
    return len(set(image.get_flattened_data()))


@pytest.fixture
def map_api(store: Any, settings: Any) -> Iterator[Callable[..., Any]]:
    """The real API app (``create_app``) on the session's FalkorDB, served by uvicorn on
    loopback; ``public_base_url`` points at that server so signed links open there."""
    from graphsvc.app import create_app
    from graphsvc.keys import KeyRepository
    from tests.api.conftest import Api, LiveServer

    servers: list[Any] = []

    def make(**overrides: Any) -> Api:
        app_settings = settings.model_copy(update=overrides)
        app = create_app(settings=app_settings, store=store)
        server = LiveServer(app)
        servers.append(server)
        # The URL is known once the socket is bound; links must point at this server.
        app_settings.public_base_url = server.url
        return Api(app=app, store=store, url=server.url, keys=KeyRepository(store.runner))

    yield make
    for server in servers:
        server.stop()
