"""Which URLs a webhook may point at: http(s) only, and never an address inside the
server's own networks (loopback, private, link-local, ...), so a subscription cannot
make the server probe what only it can reach (SSRF). Every address the host resolves to
is checked, when the subscription is written and again at each delivery (a name can be
re-pointed after the check: DNS rebinding); the delivery then connects to the very
address it checked. ``GRAPHSVC_WEBHOOK_ALLOW_PRIVATE_TARGETS=true`` lifts the address
rule (tests, on-premises receivers).

Examples
--------
>>> fake = {"hooks.example.com": ["93.184.216.34"], "intranet.example.com": ["10.1.2.3"]}
>>> def resolve(host, port):
...     return fake[host]
>>> resolve_target("https://hooks.example.com/in", allow_private=False, resolve=resolve).address
'93.184.216.34'
>>> try:
...     resolve_target("https://intranet.example.com/", allow_private=False, resolve=resolve)
... except TargetRefused as refused:
...     print(refused)
intranet.example.com resolves to 10.1.2.3, a private address
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from graphsvc.errors import ValidationFailed

Resolver = Callable[[str, int], Sequence[str]]
IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class TargetRefused(ValidationFailed):
    """A webhook URL that may not be used (422 when written; a failed attempt when sent)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, detail=[{"loc": ["body", "url"], "msg": message}])


@dataclass(frozen=True)
class Target:
    """A checked URL: where to connect (the address checked) and what to ask for."""

    scheme: str
    host: str
    port: int
    address: str
    path: str  # path and query, as sent in the request line


def system_resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (IPv4 and IPv6)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise TargetRefused(f"{host} cannot be resolved: {exc}") from exc
    return sorted({str(info[4][0]) for info in infos})


def _kind(address: IpAddress) -> str | None:
    """Why an address is off limits (None: it is a public address)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return _kind(address.ipv4_mapped)
    for kind, test in (
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("unspecified", address.is_unspecified),
        ("multicast", address.is_multicast),
        ("private", address.is_private),
        ("reserved", address.is_reserved),
    ):
        if test:
            return kind
    return None


def resolve_target(url: str, *, allow_private: bool, resolve: Resolver = system_resolve) -> Target:
    """The checked target of ``url``; :class:`TargetRefused` when it may not be used."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise TargetRefused(f"not a URL: {exc}") from exc
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise TargetRefused("a webhook URL must be http or https")
    host = parts.hostname
    if not host:
        raise TargetRefused("a webhook URL needs a host")
    if parts.username is not None or parts.password is not None:
        raise TargetRefused("a webhook URL may not carry credentials")
    port = port or (443 if scheme == "https" else 80)
    try:
        addresses: Sequence[str] = [str(ipaddress.ip_address(host))]
    except ValueError:
        addresses = resolve(host, port)
    if not addresses:
        raise TargetRefused(f"{host} cannot be resolved")
    if not allow_private:
        for text in addresses:
            kind = _kind(ipaddress.ip_address(text))
            if kind is not None:
                raise TargetRefused(f"{host} resolves to {text}, a {kind} address")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(scheme=scheme, host=host, port=port, address=addresses[0], path=path)
