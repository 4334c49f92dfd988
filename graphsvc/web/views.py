"""Routes of the web app (server-rendered pages, and the JSON the deal page's script uses).

Workspaces and deals travel as query parameters (``/?ws=acme``, ``/deal?ws=acme&id=D1``):
ids are the caller's own and may hold ``/``, which a path segment cannot carry safely.
Every POST checks the session's CSRF token and the request's origin.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, BackgroundTasks, Depends, Form, Query, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import ValidationError

from graphsvc.errors import Conflict, TooManyRequests, Unauthorized, ValidationFailed
from graphsvc.maps.service import parse_as_of
from graphsvc.users import SignedIn, WorkspaceRole
from graphsvc.users.service import SIGN_IN_FAILED
from graphsvc.web.deal_answers import FORMS_KEY_HEADER, LINES_KEY_HEADER, state_json
from graphsvc.web.deal_room import DealState
from graphsvc.web.deps import (
    WebServices,
    client_address,
    current_user,
    require_user,
    web_services,
    workspace_role,
)
from graphsvc.web.pages import WebRoute, json_answer, render, render_fragment
from graphsvc.web.portfolio import SORT_KEYS, PortfolioQuery
from graphsvc.web.schemas import EditRequest, LayoutIn
from graphsvc.web.security import (
    CSRF_HEADER,
    PRESESSION_COOKIE,
    check_csrf,
    clear_session_cookie,
    new_presession_token,
    security_headers,
    set_presession_cookie,
    set_session_cookie,
)

router = APIRouter(route_class=WebRoute, include_in_schema=False)
Web = Annotated[WebServices, Depends(web_services)]
Text = Annotated[str | None, Query(max_length=200)]


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303, headers=security_headers())


def _safe_next(target: str | None) -> str:
    # Only our own paths: "//host" or "/\\host" would leave the site.
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/"


# ------------------------------------------------------------------------ signing in


def _signin_page(
    request: Request,
    web: WebServices,
    *,
    error: str | None = None,
    notice: str | None = None,
    status_code: int = 200,
    next_url: str = "/",
) -> Response:
    token = new_presession_token()
    response = render(
        "signin.html.j2",
        status_code=status_code,
        error=error,
        notice=notice,
        csrf_token=token,
        next_url=next_url,
        user=None,
        workspace=None,
    )
    set_presession_cookie(response, token, settings=web.settings)
    return response


@router.get("/signin")
def signin_form(request: Request, web: Web, next: Text = None) -> Response:
    if current_user(request, web) is not None:
        return _redirect(_safe_next(next))
    return _signin_page(request, web, next_url=_safe_next(next))


@router.post("/signin")
def signin(
    request: Request,
    web: Web,
    email: Annotated[str, Form(max_length=400)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    check_csrf(request, csrf_token, request.cookies.get(PRESESSION_COOKIE), settings=web.settings)
    try:
        user = web.users.authenticate(
            email=email, password=password, address=client_address(request)
        )
    except Unauthorized:
        return _signin_page(
            request, web, error=SIGN_IN_FAILED, status_code=401, next_url=_safe_next(next)
        )
    except TooManyRequests as exc:
        return _signin_page(
            request, web, error=exc.message, status_code=429, next_url=_safe_next(next)
        )
    token = web.users.start_session(user=user, address=client_address(request))
    response = _redirect(_safe_next(next))
    set_session_cookie(response, token, settings=web.settings)
    return response


@router.post("/signin/email")
def signin_by_email(
    request: Request,
    web: Web,
    background: BackgroundTasks,
    email: Annotated[str, Form(max_length=400)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """E-mail a one-time sign-in link. The answer is the same whether or not the
    address has an account, and the sending happens after it (same answer time)."""
    from graphsvc.web.mail import send_signin_link

    check_csrf(request, csrf_token, request.cookies.get(PRESESSION_COOKIE), settings=web.settings)
    # Links count against the same per-address throttle as failed passwords.
    web.users.note_link_request(address=client_address(request))
    background.add_task(send_signin_link, users=web.users, settings=web.settings, email=email)
    return _signin_page(
        request,
        web,
        notice="If this address belongs to an account, a sign-in link is on its way to it.",
    )


@router.get("/signin/link/{token}")
def signin_link(token: str, request: Request, web: Web) -> Response:
    try:
        user = web.users.redeem_signin_link(token=token)
    except Unauthorized as exc:
        return _signin_page(request, web, error=exc.message, status_code=401)
    session = web.users.start_session(user=user, address=client_address(request))
    response = _redirect("/")
    set_session_cookie(response, session, settings=web.settings)
    return response


@router.post("/signout")
def signout(
    request: Request,
    web: Web,
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    everywhere: Annotated[bool, Form()] = False,
) -> Response:
    user = require_user(request, web)
    check_csrf(request, csrf_token, user.csrf_token, settings=web.settings)
    if everywhere:
        web.users.end_all_sessions(email=user.email)
    else:
        web.users.end_session(session_hash=user.session_hash)
    response = _redirect("/signin")
    clear_session_cookie(response, settings=web.settings)
    return response


# ------------------------------------------------------------------------- portfolio


def _chrome(user: SignedIn, workspace: str | None) -> dict[str, Any]:
    role = user.role_in(workspace) if workspace else None
    return {
        "user": user,
        "workspace": workspace,
        "csrf_token": user.csrf_token,
        "role": role.value if role else None,
    }


@router.get("/")
def portfolio(
    request: Request,
    web: Web,
    ws: Text = None,
    mine: Annotated[str | None, Query()] = None,
    owner: Text = None,
    severity: Text = None,
    flag: Text = None,
    account: Text = None,
    q: Text = None,
    sort: Text = None,
    dir: Text = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    user = require_user(request, web)
    if not user.workspaces:
        return render("no_workspace.html.j2", **_chrome(user, None))
    workspace = ws or user.workspaces[0]
    workspace_role(user, workspace)
    query = PortfolioQuery(
        mine=mine != "0",
        owner=owner or None,
        severity=severity if severity in ("high", "medium", "low") else None,
        flag=flag or None,
        account=account or None,
        search=q or None,
        sort=sort if sort in SORT_KEYS else "risk",
        descending=dir != "asc",
        page=page,
    )
    result = web.portfolio.page(workspace=workspace, user_email=user.email, query=query)
    return render(
        "portfolio.html.j2",
        result=result,
        query=query,
        sort_keys=SORT_KEYS,
        **_chrome(user, workspace),
    )


# ---------------------------------------------------------------------------- a deal


def _deal_access(
    request: Request,
    web: WebServices,
    ws: str,
    deal_id: str,
    needed: WorkspaceRole = WorkspaceRole.viewer,
) -> SignedIn:
    user = require_user(request, web)
    workspace_role(user, ws, WorkspaceRole.viewer)  # 404 for a stranger's workspace
    web.store.get_deal(workspace=ws, deal_id=deal_id)  # 404 for an unknown deal
    workspace_role(user, ws, needed)
    return user


def _as_of(value: str | None) -> datetime | None:
    when = parse_as_of(value)
    return None if when is None or when >= datetime.now(UTC) else when


def _deal_state(
    request: Request, web: WebServices, ws: str, deal_id: str, as_of: str | None
) -> tuple[SignedIn, bool, DealState]:
    """The signed-in user (404/403 as :func:`_deal_access`), whether their role lets
    them edit here, and the deal as of ``as_of`` (now when absent)."""
    user = _deal_access(request, web, ws, deal_id)
    role = user.role_in(ws)
    can_edit = role is not None and role.allows(WorkspaceRole.editor)
    return user, can_edit, web.deals.get(workspace=ws, deal_id=deal_id, as_of=_as_of(as_of))


@router.get("/deal")
def deal_page(
    request: Request,
    web: Web,
    ws: Annotated[str, Query(max_length=200)],
    id: Annotated[str, Query(max_length=200)],
    as_of: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    user, can_edit, state = _deal_state(request, web, ws, id, as_of)
    base = f"/deal?ws={quote(ws, safe='')}&id={quote(id, safe='')}"
    answer = state_json(state, user=user, ws=ws, can_edit=can_edit)
    # The side panel is in the page itself; the script needs only the rest.
    # (A conflict answer always carries the forms: the fresh state replaces them.)
    side_html = answer.pop("side_html")
    config = {
        "urls": {
            "state": base.replace("/deal?", "/deal/state?", 1),
            "advice": base.replace("/deal?", "/deal/advice?", 1)
            + (f"&as_of={quote(as_of, safe='')}" if as_of else ""),
            "revision": base.replace("/deal?", "/deal/revision?", 1),
            "edits": base.replace("/deal?", "/deal/edits?", 1),
            "layout": base.replace("/deal?", "/deal/layout?", 1),
            "people": f"/people?ws={quote(ws, safe='')}",
        },
        "csrf": user.csrf_token,
        "can_edit": can_edit and state.is_now,
        "poll_ms": int(web.settings.web_poll_seconds * 1000),
        "as_of": as_of or "",
        "state": answer,
    }
    return render(
        "deal.html.j2",
        side_html=side_html,
        state=state,
        config=config,
        can_edit=can_edit,
        as_of=as_of or "",
        **_chrome(user, ws),
    )


@router.get("/deal/state")
def deal_state(
    request: Request,
    web: Web,
    ws: Annotated[str, Query(max_length=200)],
    id: Annotated[str, Query(max_length=200)],
    as_of: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    user, can_edit, state = _deal_state(request, web, ws, id, as_of)
    return json_answer(
        state_json(
            state,
            user=user,
            ws=ws,
            can_edit=can_edit,
            forms_key_seen=request.headers.get(FORMS_KEY_HEADER),
            lines_key_seen=request.headers.get(LINES_KEY_HEADER),
        )
    )


@router.get("/deal/advice")
def deal_advice(
    request: Request,
    web: Web,
    ws: Annotated[str, Query(max_length=200)],
    id: Annotated[str, Query(max_length=200)],
    as_of: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    _deal_access(request, web, ws, id)
    advice = web.deals.advice(workspace=ws, deal_id=id, as_of=_as_of(as_of))
    return json_answer({"html": render_fragment("_deal_advice.html.j2", advice=advice)})


@router.get("/deal/revision")
def deal_revision(
    request: Request,
    web: Web,
    ws: Annotated[str, Query(max_length=200)],
    id: Annotated[str, Query(max_length=200)],
) -> Response:
    _deal_access(request, web, ws, id)
    return json_answer({"revision": web.deals.revision(workspace=ws, deal_id=id)})


@router.post("/deal/edits")
async def deal_edit(
    request: Request,
    web: Web,
    ws: Annotated[str, Query(max_length=200)],
    id: Annotated[str, Query(max_length=200)],
) -> Response:
    from starlette.concurrency import run_in_threadpool

    user = await run_in_threadpool(_deal_access, request, web, ws, id)
    check_csrf(request, request.headers.get(CSRF_HEADER), user.csrf_token, settings=web.settings)
    workspace_role(user, ws, WorkspaceRole.editor)
    try:
        edit = EditRequest.model_validate({"edit": await request.json()}).edit
    except ValidationError as exc:
        raise ValidationFailed(
            "the edit is not valid",
            detail=[{"loc": [str(p) for p in e["loc"][2:]], "msg": e["msg"]} for e in exc.errors()],
        ) from exc
    except ValueError as exc:
        raise ValidationFailed("the edit is not JSON") from exc

    def apply() -> Response:
        try:
            change = web.deals.apply(workspace=ws, deal_id=id, edit=edit, actor=user.email)
        except Conflict as exc:
            state = web.deals.get(workspace=ws, deal_id=id)
            body = state_json(state, user=user, ws=ws, can_edit=True, notice=exc.message)
            return json_answer(
                {"error": exc.kind, "detail": exc.message, "state": body}, status_code=409
            )
        state = web.deals.get(workspace=ws, deal_id=id)
        return json_answer(
            state_json(
                state,
                user=user,
                ws=ws,
                can_edit=True,
                notice="Saved: " + change.summary,
                forms_key_seen=request.headers.get(FORMS_KEY_HEADER),
                lines_key_seen=request.headers.get(LINES_KEY_HEADER),
            )
        )

    return await run_in_threadpool(apply)


@router.post("/deal/layout")
async def deal_layout(
    request: Request,
    web: Web,
    ws: Annotated[str, Query(max_length=200)],
    id: Annotated[str, Query(max_length=200)],
) -> Response:
    from starlette.concurrency import run_in_threadpool

    user = await run_in_threadpool(_deal_access, request, web, ws, id)
    check_csrf(request, request.headers.get(CSRF_HEADER), user.csrf_token, settings=web.settings)
    try:
        body = LayoutIn.model_validate(await request.json())
    except (ValidationError, ValueError) as exc:
        raise ValidationFailed("the layout is not valid") from exc
    # Any member of the workspace may arrange the map: it changes no fact.
    await run_in_threadpool(
        web.repository.save_layout,
        workspace=ws,
        deal_id=id,
        layout=body.layout,
        positions=body.positions,
        now=int(datetime.now(UTC).timestamp() * 1000),
        by=user.email,
    )
    return json_answer({"saved": True})


@router.get("/people")
def people(
    request: Request,
    web: Web,
    ws: Annotated[str, Query(max_length=200)],
    q: Annotated[str, Query(min_length=1, max_length=100)],
) -> Response:
    user = require_user(request, web)
    workspace_role(user, ws)
    hits = web.repository.search_people(workspace=ws, text=q)
    return json_answer([{"id": h.id, "name": h.name, "title": h.title} for h in hits])
