"""Webhook callback URLs: the checks that keep the connector from being steered at internal addresses (SSRF).

A callback URL is accepted when:
- it is an absolute `https` URL of at most 2048 characters, without user info (`user:pass@`) or whitespace;
  `http` is accepted only for loopback hosts when WEBHOOK_ALLOW_LOOPBACK is on (development);
- its port is 443 or 1024..65535 (loopback in development: any);
- its host resolves (getaddrinfo), and EVERY address it resolves to is a public unicast address: not private
  (RFC 1918, ULA fc00::/7), loopback, link-local (169.254/16, fe80::/10), CGNAT (100.64/10), unspecified,
  multicast, reserved or documentation, not a cloud metadata or platform address (169.254.169.254,
  fd00:ec2::254, Azure's wireserver 168.63.129.16), and not an IPv6 form of any of those (IPv4-mapped ::ffff:a.b.c.d,
  NAT64 64:ff9b::/96, 6to4 2002::/16). With WEBHOOK_ALLOW_LOOPBACK, loopback addresses pass too (only when every
  address is loopback).

The check runs when a subscription is made (a 400 naming `callbackUrl`) and again right before every delivery,
whose connection then goes to the very address that was checked (`pinned`), so a DNS answer that changes between
the check and the POST (DNS rebinding) cannot reach an internal address.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from shared.errors import BadRequest

FIELD = "callbackUrl"
MAX_URL_LENGTH = 2048

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
# getaddrinfo's signature, narrowed to what is used: (host, port) -> [(family, type, proto, canonname, sockaddr)]
Resolver = Callable[[str, int], Sequence[tuple[object, object, object, object, tuple[object, ...]]]]

_BLOCKED_NETWORKS = [
    ipaddress.ip_network(net)
    for net in (
        "0.0.0.0/8",  # "this network", unspecified
        "10.0.0.0/8",
        "100.64.0.0/10",  # CGNAT (and Alibaba's metadata 100.100.100.200)
        "127.0.0.0/8",
        "168.63.129.16/32",  # Azure wireserver / platform DNS
        "169.254.0.0/16",  # link-local, cloud metadata 169.254.169.254
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.0.2.0/24",
        "192.168.0.0/16",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, broadcast
        "::/128",
        "::1/128",
        "64:ff9b:1::/48",
        "100::/64",  # discard
        "2001::/23",  # IETF protocol assignments (Teredo, ...)
        "2001:db8::/32",  # documentation
        "fc00::/7",  # ULA, including AWS's fd00:ec2::254
        "fe80::/10",  # link-local
        "fec0::/10",  # site-local (deprecated)
        "ff00::/8",  # multicast
    )
]
_LOOPBACK = [ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128")]


@dataclass(frozen=True)
class CheckedUrl:
    """A callback URL that passed the checks, with the addresses its host resolved to at that moment."""

    url: str
    scheme: str
    host: str
    port: int
    addresses: tuple[Address, ...]

    def pinned(self) -> tuple[str, str]:
        """(URL with the first checked address in place of the host, the original `host[:port]` for Host/SNI)."""
        parts = urlsplit(self.url)
        address = self.addresses[0]
        literal = f"[{address}]" if address.version == 6 else str(address)
        netloc = f"{literal}:{self.port}"
        default = 443 if self.scheme == "https" else 80
        host_header = self.host if self.port == default else f"{self.host}:{self.port}"
        return urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, "")), host_header


def embedded_ipv4(address: Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address that an IPv4-mapped, NAT64 or 6to4 IPv6 address carries, if any."""
    if address.version != 6:
        return None
    assert isinstance(address, ipaddress.IPv6Address)
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in ipaddress.ip_network("64:ff9b::/96"):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def is_loopback(address: Address) -> bool:
    inner = embedded_ipv4(address)
    return any(address in net for net in _LOOPBACK) or (inner is not None and inner.is_loopback)


def blocked_reason(address: Address) -> str | None:
    """Why a delivery may not go to `address` (None: a public unicast address)."""
    inner = embedded_ipv4(address)
    if inner is not None:
        return None if blocked_reason(inner) is None else f"{address} carries the non-public address {inner}"
    if any(address in net for net in _BLOCKED_NETWORKS) or not address.is_global:
        return f"{address} is not a public address"
    if address.is_multicast or address.is_reserved or address.is_unspecified:
        return f"{address} is not a public address"
    return None


def _resolve(host: str, port: int, resolver: Resolver) -> tuple[Address, ...]:
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return (literal,)
    try:
        infos = resolver(host, port)
    except (OSError, UnicodeError) as exc:
        raise BadRequest.field(FIELD, f"host {host!r} does not resolve") from exc
    found: list[Address] = []
    for info in infos:
        raw = str(info[4][0]).split("%", 1)[0]  # drop an IPv6 zone id
        try:
            address = ipaddress.ip_address(raw)
        except ValueError:
            continue
        if address not in found:
            found.append(address)
    if not found:
        raise BadRequest.field(FIELD, f"host {host!r} does not resolve")
    return tuple(found)


def system_resolver(host: str, port: int) -> Sequence[tuple[object, object, object, object, tuple[object, ...]]]:
    return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)


def check_callback(url: object, *, allow_loopback: bool, resolver: Resolver = system_resolver) -> CheckedUrl:
    """The URL, checked as the module's docstring says; a BadRequest naming `callbackUrl` otherwise."""
    if not isinstance(url, str) or not url.strip():
        raise BadRequest.field(FIELD, "an https URL is required")
    url = url.strip()
    if len(url) > MAX_URL_LENGTH:
        raise BadRequest.field(FIELD, f"must be at most {MAX_URL_LENGTH} characters")
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url):
        raise BadRequest.field(FIELD, "must not contain whitespace or control characters")
    try:
        parts = urlsplit(url)
        port_given = parts.port
    except ValueError as exc:
        raise BadRequest.field(FIELD, "must be a URL with a valid host and port") from exc
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http"):
        raise BadRequest.field(FIELD, "must be an https URL")
    if "@" in parts.netloc:
        raise BadRequest.field(FIELD, "must not contain user info (user:password@)")
    host = (parts.hostname or "").rstrip(".")
    if not host or len(host) > 253:
        raise BadRequest.field(FIELD, "must name a host")
    port = port_given if port_given is not None else (443 if scheme == "https" else 80)
    if not 1 <= port <= 65535:
        raise BadRequest.field(FIELD, "port must be 1..65535")
    addresses = _resolve(host, port, resolver)
    loopback = all(is_loopback(a) for a in addresses)
    if allow_loopback and loopback:
        return CheckedUrl(url=url, scheme=scheme, host=host, port=port, addresses=addresses)
    if scheme != "https":
        hint = "" if allow_loopback else " (http is allowed only for loopback with WEBHOOK_ALLOW_LOOPBACK=true)"
        raise BadRequest.field(FIELD, f"must be an https URL{hint}")
    if port != 443 and port < 1024:
        raise BadRequest.field(FIELD, "port must be 443 or 1024..65535")
    for address in addresses:
        reason = blocked_reason(address)
        if reason is not None:
            raise BadRequest.field(FIELD, f"host {host!r} resolves to a forbidden address ({reason})")
    return CheckedUrl(url=url, scheme=scheme, host=host, port=port, addresses=addresses)


def redacted(url: str) -> str:
    """scheme://host[:port]/path of a callback URL, for logs: its query string (e.g. Logic Apps' `sig`) is secret."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or "?"
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "<malformed url>"
    return f"{parts.scheme}://{host}{port}{parts.path}"
