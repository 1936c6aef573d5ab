"""Where a webhook may point: http(s) URLs whose host is not a private, loopback,
link-local or otherwise reserved address (server-side request forgery), unless the
``webhook_allow_private_addresses`` setting allows them. Checked when the webhook is
created (literal addresses and local names) and again before every delivery (what the
name resolves to then)."""

import ipaddress
import socket
from urllib.parse import urlsplit

from ..errors import Invalid

MAX_URL = 2000
_LOCAL_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback")


def check_url(url: str, allow_private: bool) -> str:
    """The URL's host name, or a 422 naming why it cannot be a webhook."""
    if len(url) > MAX_URL:
        raise Invalid(f"the URL is longer than {MAX_URL} characters", code="webhook.url_invalid",
                      params={"reason": f"长度超过 {MAX_URL}"})
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise Invalid(f"the URL cannot be parsed: {exc}", code="webhook.url_invalid",
                      params={"reason": "无法解析"}) from exc
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or not host:
        raise Invalid("the URL must be http:// or https:// with a host",
                      code="webhook.url_invalid", params={"reason": "须为 http(s):// 且含主机名"})
    if parts.username is not None or parts.password is not None:
        raise Invalid("the URL must not carry a user name or password",
                      code="webhook.url_invalid", params={"reason": "不得包含用户名或密码"})
    if any(ord(c) < 33 for c in url) or port == 0:
        raise Invalid("the URL holds spaces, control characters or port 0",
                      code="webhook.url_invalid", params={"reason": "含空白、控制字符或端口 0"})
    if not allow_private and (host.lower().rstrip(".") in _LOCAL_NAMES
                              or host.lower().endswith(".localhost")
                              or _forbidden(_literal(host))):
        raise Invalid(f"the URL's host '{host}' is a private, loopback or reserved address",
                      code="webhook.url_not_allowed", params={"host": host})
    return host


def resolves_to_public(host: str, port: int) -> bool:
    """Whether every address ``host`` resolves to now is public (blocking: run in a thread)."""
    literal = _literal(host)
    if literal is not None:
        return not _forbidden(literal)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError:
        return True  # it will not connect either; the attempt records why
    return not any(_forbidden(ipaddress.ip_address(info[4][0])) for info in infos)


def _literal(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]").split("%")[0])
    except ValueError:
        return None


def _forbidden(address: ipaddress.IPv4Address | ipaddress.IPv6Address | None) -> bool:
    if address is None:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return (address.is_private or address.is_loopback or address.is_link_local
            or address.is_reserved or address.is_multicast or address.is_unspecified)
