"""Which address a request came from, believing forwarded headers only from named proxies.

uvicorn on its own believes X-Forwarded-For from loopback, so any local process (or a
client behind a proxy that passes the header through) could pick the address the audit
records and the sign-in limit counts. Here the headers count only when the peer is in
LIKENESS_TRUSTED_PROXIES (none by default); servers are started with their own proxy
handling off (`likeness run`, the images' uvicorn `--no-proxy-headers`).
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Iterable

from starlette.types import ASGIApp, Receive, Scope, Send

from common.settings import get_settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@functools.cache
def parse_networks(setting: str) -> tuple[Network, ...]:
    """'10.0.0.5, 172.18.0.0/16' -> networks; a bad entry is a startup error naming the setting."""
    networks = []
    for entry in (e.strip() for e in setting.split(",")):
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ValueError(f"LIKENESS_TRUSTED_PROXIES: {entry!r} is not an IP address or network") from None
    return tuple(networks)


def _trusted(host: str, networks: Iterable[Network]) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return any(address in network for network in networks)


def forwarded_client(peer: str, forwarded_for: str, networks: tuple[Network, ...]) -> str:
    """The rightmost address not belonging to a trusted proxy (entries to its left are client-written)."""
    if not networks or not _trusted(peer, networks):
        return peer
    hops = [h.strip() for h in forwarded_for.split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, networks):
            return hop
    return hops[0] if hops else peer


def _values(scope: Scope, name: bytes) -> list[str]:
    return [v.decode("latin-1") for k, v in scope["headers"] if k.lower() == name]


class TrustedProxies:
    """Rewrites the ASGI client (and scheme) from forwarded headers sent by a trusted proxy only."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        parse_networks(get_settings().trusted_proxies)  # fail at start, not at the first request

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and scope.get("client"):
            networks = parse_networks(get_settings().trusted_proxies)
            peer = scope["client"][0]
            if networks and _trusted(peer, networks):
                forwarded = ",".join(_values(scope, b"x-forwarded-for"))
                protos = _values(scope, b"x-forwarded-proto")
                scope = dict(scope)
                if forwarded:
                    scope["client"] = (forwarded_client(peer, forwarded, networks), 0)
                proto = protos[-1].split(",")[-1].strip().lower() if protos else ""
                if proto in ("http", "https"):
                    scope["scheme"] = proto if scope["type"] == "http" else {"http": "ws", "https": "wss"}[proto]
        await self.app(scope, receive, send)
