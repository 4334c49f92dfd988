"""``/docs`` (Swagger UI) and ``/redoc`` (ReDoc) from the vendored copies in
``static/vendor`` (no CDN: both work offline), under the web app's strict policy.

ReDoc inserts its styles as ``<style>`` elements (styled-components); they are allowed
by a per-response nonce that the page hands to ``Redoc.init``, not by ``unsafe-inline``.
"""

from __future__ import annotations

import json
import secrets
from functools import lru_cache

from fastapi import APIRouter, Response

from graphsvc.web.pages import STATIC_DIR, WebRoute, render

router = APIRouter(route_class=WebRoute, include_in_schema=False)

# Two <style> elements ReDoc 2.5 inserts without its nonce (an empty one and a fixed
# one), admitted by their hashes.
REDOC_STYLE_HASHES = (
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
    "'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='",
)


@lru_cache(maxsize=1)
def vendor_folders() -> dict[str, str]:
    """npm package name -> its folder under /static/vendor (name-version)."""
    entries = json.loads((STATIC_DIR / "vendor" / "VERSIONS.json").read_text(encoding="utf-8"))
    return {entry["package"]: entry["folder"] for entry in entries}


@router.get("/docs")
def swagger_ui() -> Response:
    return render("swagger.html.j2", vendor=vendor_folders())


@router.get("/redoc")
def redoc() -> Response:
    nonce = secrets.token_urlsafe(18)
    return render(
        "redoc.html.j2",
        vendor=vendor_folders(),
        nonce=nonce,
        style_nonce=nonce,
        style_hashes=REDOC_STYLE_HASHES,
    )
