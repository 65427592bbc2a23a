"""Outbound webhook safety and signing.

SSRF: a webhook URL must be http(s) without credentials, and every address its host
resolves to must be public (``ipaddress.is_global``, and so must be any IPv4 address an
IPv6 transition form embeds: IPv4-mapped, 6to4, Teredo, NAT64) unless an allow-listed
network (``PANHUO_WEBHOOK_ALLOW_NETWORKS``) contains it. The check runs at registration and again
before every attempt, and the request is then sent to the checked address (Host header
and TLS SNI keep the name), so DNS rebinding between check and connect cannot redirect it.
Redirects are never followed.

Signing follows Standard Webhooks: ``webhook-signature: v1,<base64 HMAC-SHA256 of
"{webhook-id}.{webhook-timestamp}.{body}">`` keyed with the base64 part of ``whsec_…``.
"""

import base64
import binascii
import hashlib
import hmac
import ipaddress
import secrets
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

SECRET_PREFIX = "whsec_"
IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class Refused(ValueError):
    """A URL or address a webhook may not reach; the message says why (zh / en)."""


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def secret_key(secret: str) -> bytes:
    """The HMAC key of a ``whsec_`` secret; ValueError when it is not one."""
    if not secret.startswith(SECRET_PREFIX):
        raise ValueError("密钥须以 whsec_ 开头 / secret must start with whsec_")
    try:
        key = base64.b64decode(secret[len(SECRET_PREFIX) :], validate=True)
    except binascii.Error as exc:
        raise ValueError("密钥不是 base64 / secret is not base64") from exc
    if not 24 <= len(key) <= 64:
        raise ValueError("密钥须为 24-64 字节 / secret must be 24-64 bytes")
    return key


def sign(secret: str, webhook_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


@dataclass(frozen=True)
class Target:
    url: str  # the URL with the checked address in place of the host name
    host_header: str
    sni: str  # TLS server name, also the name the certificate must carry
    address: str


def check_url(url: str) -> tuple[str, str, int]:
    """Scheme, host and port of an acceptable URL, or Refused."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise Refused("URL 格式错误 / malformed URL") from exc
    if parts.scheme not in ("http", "https"):
        raise Refused("只允许 http(s) / only http and https URLs are allowed")
    if parts.username is not None or parts.password is not None:
        raise Refused("URL 不能包含用户名或密码 / credentials in the URL are not allowed")
    if not parts.hostname:
        raise Refused("URL 缺少主机名 / the URL has no host")
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80)


_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # RFC 6052: the last 32 bits are the IPv4
_LOCAL_NAT64 = ipaddress.IPv6Network("64:ff9b:1::/48")  # RFC 8215: embedding varies by site
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")  # deprecated ::a.b.c.d


def _embedded_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address reaches through a transition mechanism: a NAT64
    gateway, a 6to4 relay or a Teredo server/client may forward to them."""
    found = [a for a in (address.sixtofour, *(address.teredo or ())) if a is not None]
    if address in _NAT64 or address in _IPV4_COMPATIBLE:
        found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return found


def _public(address: IpAddress) -> bool:
    """Globally reachable, and so is every IPv4 address it embeds.

    ``is_global`` alone is not enough: Python counts NAT64 ``64:ff9b::a9fe:a9fe`` (the
    metadata address), 6to4 ``2002:7f00:1::``, ``::127.0.0.1`` and site-local ``fec0::1``
    as global. ``is_reserved`` (``::/8`` …) is refused except for NAT64's well-known prefix
    and IPv4-mapped addresses, which are judged by the IPv4 address they carry.
    """
    if address.version == 4:
        return address.is_global and not (address.is_multicast or address.is_reserved)
    assert isinstance(address, ipaddress.IPv6Address)
    if address.ipv4_mapped is not None:
        return _public(address.ipv4_mapped)
    if address in _LOCAL_NAT64 or address.is_site_local or address.is_multicast:
        return False
    if address.is_reserved and address not in _NAT64:
        return False  # ::/8 holds the IPv4-compatible form; IANA reserved space is not a host
    embedded = _embedded_ipv4(address)
    return address.is_global and all(_public(v4) for v4 in embedded)


def _allowed(address: IpAddress, allow: list[str]) -> bool:
    if _public(address):
        return True
    return any(address in ipaddress.ip_network(net, strict=False) for net in allow)


def resolve(url: str, allow: list[str]) -> Target:
    """Check ``url`` and pick the address to send to; Refused when any address is not
    allowed (a name resolving to one public and one private address is refused)."""
    scheme, host, port = check_url(url)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise Refused(f"无法解析主机 / cannot resolve host {host[:100]}") from exc
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]
    for address in addresses:
        if not _allowed(address, allow):
            raise Refused(
                f"不允许访问内网、回环、链路本地或保留地址（含其内嵌的 IPv4 地址） / {address} is "
                "a private, loopback, link-local or reserved address, or embeds one"
            )
    if not addresses:
        raise Refused(f"无法解析主机 / cannot resolve host {host[:100]}")
    address = addresses[0]
    literal = f"[{address}]" if address.version == 6 else str(address)
    parts = urlsplit(url)
    netloc = f"{literal}:{parts.port}" if parts.port else literal
    pinned = urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))
    named = f"[{host}]" if ":" in host else host
    host_header = f"{named}:{parts.port}" if parts.port else named
    return Target(pinned, host_header, host, str(address))
