"""Page security of the web app: headers, cookies, CSRF and same-origin checks.

* Every page and asset carries a Content-Security-Policy without ``'unsafe-inline'`` or
  ``'unsafe-eval'``: scripts and styles come only from graphsvc itself (``'self'``), no
  host is allowed, no page may frame ours (``frame-ancestors 'none'`` and
  ``X-Frame-Options: DENY``), and no Referer leaves the site (``same-origin``: with
  ``no-referrer`` a browser sends ``Origin: null`` on our own form posts).
* The session cookie is HttpOnly, ``SameSite=Lax`` and ``Secure`` whenever the public
  base URL is https.
* Every state-changing request must carry the session's CSRF token (form field
  ``csrf_token`` or header ``X-CSRF-Token``) and, when the browser says where it comes
  from (``Origin``, else ``Referer``), come from our own origin. The sign-in form, sent
  before there is a session, carries a token tied to a short-lived pre-session cookie
  (double submit).
"""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlsplit

from fastapi import Request, Response

from graphsvc.config import Settings
from graphsvc.errors import Forbidden

SESSION_COOKIE = "graphsvc_session"
PRESESSION_COOKIE = "graphsvc_signin"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"


def content_security_policy(
    *, style_nonce: str | None = None, style_hashes: tuple[str, ...] = ()
) -> str:
    """The policy of every web page. ``style_nonce`` and ``style_hashes`` admit the
    ``<style>`` elements a vendored library inserts (ReDoc's styled-components)."""
    style = " ".join(
        ["style-src 'self'", *((f"'nonce-{style_nonce}'",) if style_nonce else ()), *style_hashes]
    )
    return "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            style,
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "worker-src 'self' blob:",
            "form-action 'self'",
            "base-uri 'none'",
            "object-src 'none'",
            "frame-ancestors 'none'",
        ]
    )


def security_headers(
    *, style_nonce: str | None = None, style_hashes: tuple[str, ...] = (), cache: str = "no-store"
) -> dict[str, str]:
    return {
        "Content-Security-Policy": content_security_policy(
            style_nonce=style_nonce, style_hashes=style_hashes
        ),
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Cache-Control": cache,
    }


def secure_cookies(settings: Settings) -> bool:
    return settings.public_base_url.lower().startswith("https://")


def set_session_cookie(response: Response, token: str, *, settings: Settings) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=secure_cookies(settings),
        path="/",
        max_age=settings.web_session_absolute_hours * 3600,
    )


def clear_session_cookie(response: Response, *, settings: Settings) -> None:
    response.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=secure_cookies(settings)
    )


def new_presession_token() -> str:
    return secrets.token_urlsafe(24)


def set_presession_cookie(response: Response, token: str, *, settings: Settings) -> None:
    response.set_cookie(
        PRESESSION_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=secure_cookies(settings),
        path="/signin",
        max_age=3600,
    )


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def check_same_origin(request: Request, *, settings: Settings) -> None:
    """Refuse a request whose Origin (or Referer) is another site. Our own origin is
    the public base URL, or the address the request itself was sent to."""
    source = request.headers.get("origin") or request.headers.get("referer")
    if source is None:
        return  # not a browser, or one that says nothing: the CSRF token still decides
    allowed = {_origin_of(settings.public_base_url), _origin_of(str(request.base_url))}
    if source == "null" or _origin_of(source) not in allowed:
        raise Forbidden("this request came from another site and was refused")


def check_csrf(
    request: Request, presented: str | None, expected: str | None, *, settings: Settings
) -> None:
    """Same origin, and the presented token equals the expected one (constant time)."""
    check_same_origin(request, settings=settings)
    if (
        not presented
        or not expected
        or not hmac.compare_digest(presented.encode("utf-8"), expected.encode("utf-8"))
    ):
        raise Forbidden(
            "the form has expired or did not come from this site; reload the page and try again"
        )
