"""The one cursor codec of every paginated route.

A cursor is opaque to the caller: the position after the last item of a page (an id
for the deal list, an offset for the risk list), URL-safe base64 so it travels in a
query string unchanged. Every route decodes it here, so a bad cursor is the same 422
everywhere.

Examples
--------
>>> encode_cursor("deal-7")
'ZGVhbC03'
>>> decode_cursor(encode_cursor("deal-7"))
'deal-7'
>>> decode_offset(encode_offset(40))
40
"""

from __future__ import annotations

import base64
import binascii

from graphsvc.errors import ValidationFailed


def _invalid() -> ValidationFailed:
    return ValidationFailed(
        "invalid cursor", detail=[{"loc": ["query", "cursor"], "msg": "not a cursor of this API"}]
    )


def encode_cursor(position: str) -> str:
    """The cursor continuing after ``position``."""
    return base64.urlsafe_b64encode(position.encode("utf-8")).decode("ascii")


def decode_cursor(cursor: str) -> str:
    """The position a cursor continues after; 422 :class:`ValidationFailed` if it is
    not one of ours."""
    try:
        # validate: characters outside the alphabet are an error, not skipped.
        return base64.b64decode(cursor.encode("ascii"), altchars=b"-_", validate=True).decode(
            "utf-8"
        )
    except (binascii.Error, UnicodeError, ValueError) as exc:
        raise _invalid() from exc


def encode_offset(offset: int) -> str:
    """The cursor of a page starting at item ``offset`` of a computed list."""
    return encode_cursor(str(offset))


def decode_offset(cursor: str) -> int:
    """The offset a cursor of :func:`encode_offset` holds (never negative)."""
    position = decode_cursor(cursor)
    if not position.isascii() or not position.isdecimal():
        raise _invalid()
    return int(position)
