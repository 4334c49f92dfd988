"""HTTP side of optimistic concurrency and request bodies: ``ETag``, ``If-Match``,
``If-None-Match``, ``Location``, merge-patch bodies and the accepted content types.

A record's ETag is its content tag in quotes (strong: the same bytes of content give
the same tag). Conditions are parsed here into a
:class:`~graphsvc.services.versioned.Condition` the services check in the write.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Body, Depends, Header, Request, Response
from pydantic import BaseModel

from graphsvc.api.openapi import raises
from graphsvc.api.schemas import Authored, render
from graphsvc.errors import BadRequest, UnsupportedMediaType
from graphsvc.services.versioned import Condition, Written
from graphsvc.store.core import Authors

MERGE_PATCH = "application/merge-patch+json"
_JSON_TYPES = frozenset({"application/json"})
_PATCH_TYPES = frozenset({"application/json", MERGE_PATCH})


def etag(tag: str) -> str:
    return f'"{tag}"'


def _entity_tags(value: str, header: str, *, strict: bool = True) -> frozenset[str]:
    """The tags of an ``If-Match``/``If-None-Match`` list (``*`` kept as ``*``). Weak
    tags (``W/"..."``) never match: writes need the strong comparison. A malformed list
    is 400 on a write (``strict``); on a read it just matches nothing."""
    tags: set[str] = set()
    for part in value.split(","):
        item = part.strip()
        if not item:
            continue
        if item == "*":
            tags.add("*")
        elif item.startswith('W/"') and item.endswith('"'):
            tags.add("W/")  # matches nothing we send
        elif len(item) >= 2 and item.startswith('"') and item.endswith('"'):
            tags.add(item[1:-1])
        elif not strict:
            continue
        else:
            raise BadRequest(
                f"{header}: not a list of quoted entity tags",
                detail=[{"loc": ["header", header], "msg": 'expected "tag" or *'}],
            )
    return frozenset(tags)


IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        description="Write only if the record's ETag is one of these "
        "(`*`: if it exists); else 412.",
    ),
]
IfNoneMatch = Annotated[
    str | None,
    Header(alias="If-None-Match", description="`*`: create only; 412 if the record exists."),
]
IfNoneMatchRead = Annotated[
    str | None,
    Header(
        alias="If-None-Match",
        description="304 Not Modified when the record's ETag is one of these.",
    ),
]


def write_condition(if_match: IfMatch = None, if_none_match: IfNoneMatch = None) -> Condition:
    matches = _entity_tags(if_match, "If-Match") if if_match is not None else None
    none_match_any = False
    if if_none_match is not None:
        tags = _entity_tags(if_none_match, "If-None-Match")
        if tags != {"*"}:
            raise BadRequest(
                "If-None-Match on a write may only be *",
                detail=[{"loc": ["header", "If-None-Match"], "msg": "expected *"}],
            )
        none_match_any = True
    return Condition(if_match=matches, if_none_match_any=none_match_any)


WriteCondition = Annotated[Condition, Depends(raises(write_condition, 400, 412))]


def render_read(model: BaseModel, tag: str, if_none_match: str | None) -> Response:
    """A single record with its ``ETag``; 304 (no body) when the client has that version."""
    headers = {"ETag": etag(tag)}
    if if_none_match is not None:
        tags = _entity_tags(if_none_match, "If-None-Match", strict=False)
        if "*" in tags or tag in tags:
            return Response(status_code=304, headers=headers)
    response = render(model)
    response.headers.update(headers)
    return response


def render_written(model: BaseModel, written: Written[Any], *, at: str) -> Response:
    """A written record: 201 with ``Location: at`` when it was created, else 200; ``ETag``."""
    headers = {"ETag": etag(written.tag)}
    status = 200
    if written.created:
        status = 201
        headers["Location"] = at
    response = render(model, status_code=status)
    response.headers.update(headers)
    return response


def render_authored(
    answer: type[Authored],
    written: Written[Any],
    read_authored: Callable[[], tuple[Any, str, Authors]],
    *,
    at: str,
) -> Response:
    """:func:`render_written` for a record that keeps its authors (read back after the
    write: an unchanged write keeps the last author, not the caller)."""
    _, _, authors = read_authored()
    return render_written(answer.authored(written.record, authors), written, at=at)


def render_recorded(model: BaseModel, tag: str) -> Response:
    """A recorded fact (a committee seat, a line) with its pair's version as ``ETag``."""
    response = render(model)
    response.headers["ETag"] = etag(tag)
    return response


def location(*segments: str) -> str:
    """A path of percent-encoded segments (``/`` inside an id included)."""
    return "/" + "/".join(quote(segment, safe="") for segment in segments)


def _media_type(request: Request) -> str | None:
    value = request.headers.get("content-type")
    if value is None:
        return None
    return value.split(";", 1)[0].strip().lower()


def _has_body(request: Request) -> bool:
    length = request.headers.get("content-length")
    return "transfer-encoding" in request.headers or (length is not None and length != "0")


def require_json_body(request: Request) -> None:
    """415 for a body that is not JSON (a PATCH may also be a JSON merge patch). A body
    without a Content-Type is read as JSON."""
    if request.method not in ("POST", "PUT", "PATCH") or not _has_body(request):
        return
    media_type = _media_type(request)
    allowed = _PATCH_TYPES if request.method == "PATCH" else _JSON_TYPES
    if media_type is not None and media_type not in allowed:
        raise UnsupportedMediaType(
            f"Content-Type {media_type!r} is not accepted here; send one of {sorted(allowed)}",
            detail=[
                {"loc": ["header", "content-type"], "msg": f"expected one of {sorted(allowed)}"}
            ],
        )


JsonBodyOnly = Depends(raises(require_json_body, 415))

MergePatch = Annotated[
    dict[str, Any],
    Body(
        media_type=MERGE_PATCH,
        description="A JSON merge patch (RFC 7396): the fields to change; `null` clears "
        "an optional field. `application/json` is accepted too.",
    ),
]
