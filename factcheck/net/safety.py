"""The SSRF guard for URLs taken from model output.

A URL in a text is hostile input: fetching it must not reach the machine we run on, the
private network around it, or a cloud metadata endpoint. Two steps, both raising UnsafeURL
before any connection is made:

1. `check_url` looks at the URL alone: http(s) only, not too long, no `user:pass@`, no
   `localhost` name, and a host written as an address (including the decimal, octal and
   hex forms that `inet_aton` accepts, like `2130706433` or `0x7f.1`, and IPv4 inside
   IPv6, like `[::ffff:127.0.0.1]`) must be public. It needs no network, so it runs
   before the cache is asked.
2. `resolve_pinned` resolves the host and refuses it when *any* address is not public; the
   caller then connects to the checked address itself (`SourceAdapter._pinned` in
   `net.http`), so a DNS answer that changes between check and connect (DNS rebinding)
   cannot slip through. Web pages go this way at every hop, and so does every API redirect
   that leaves the configured source hosts.

`allow_private_urls` turns off the address checks (for intranets and for tests), not the
scheme, length and credential checks. Every refusal says why, and what allows it.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import SplitResult, urlsplit

from ..errors import SourceUnavailable, UnsafeURL

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# Where a URL connects to: its host, lower-cased, and its port.
Origin = tuple[str, int]

ALLOWED_SCHEMES = frozenset({"http", "https"})

# Shared address space for carrier-grade NAT; not "private" to older Pythons' `is_private`.
CGNAT = ipaddress.ip_network("100.64.0.0/10")
# Names that always mean this machine (RFC 6761), refused without asking DNS.
LOCALHOST = "localhost"
PRIVATE_HINT = "private URLs are not fetched (--allow-private-urls allows them)"
DEFAULT_PORTS = {"http": 80, "https": 443}
# A URL is named in a reason up to this many characters.
SHOWN_URL_CHARS = 200

# getaddrinfo errors that mean the name does not exist, as opposed to DNS being unreachable.
_NO_SUCH_NAME = frozenset(
    code
    for code in (getattr(socket, "EAI_NONAME", None), getattr(socket, "EAI_NODATA", None))
    if code is not None
)


class NoSuchHost(SourceUnavailable):
    """DNS says the host does not exist (NXDOMAIN): for a web page, proof that it is gone."""


def check_url(url: str, *, max_length: int, allow_private: bool) -> SplitResult:
    """The parsed URL, or UnsafeURL when it may not be fetched. Needs no network."""
    if len(url) > max_length:
        raise UnsafeURL(
            f"the URL is {len(url)} characters long, more than the {max_length} allowed"
            " (max_url_length)"
        )
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UnsafeURL(f"not a valid URL ({exc})") from exc
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        raise UnsafeURL(f"only http and https URLs are checked, not {parts.scheme or 'none'}:")
    if parts.username is not None or parts.password is not None:
        raise UnsafeURL("URLs with a user name or password (user:pass@host) are not fetched")
    if not parts.hostname:
        raise UnsafeURL("the URL has no host")
    if port == 0:
        raise UnsafeURL("the URL has port 0")
    if not allow_private:
        _refuse_host(parts.hostname)
    return parts


def resolve_pinned(host: str, port: int, *, allow_private: bool) -> str:
    """The address to connect to for `host`, after checking every address it resolves to.

    IPv4 is preferred: we connect to one checked address only, and IPv6 routes are the
    more often broken ones. The host is checked again as `check_url` checks it: the HTTP
    client may have decoded it since (`localhost%2e` becomes `localhost.`).
    """
    if not allow_private:
        _refuse_host(host)
    addresses = resolve(host, port)
    if not allow_private:
        for address in addresses:
            _refuse_if_not_public(host, address)
    return str(sorted(addresses, key=lambda a: a.version)[0])


def resolve(host: str, port: int) -> list[IPAddress]:
    """All addresses of `host`. Raises NoSuchHost for NXDOMAIN, SourceUnavailable otherwise."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        if exc.errno in _NO_SUCH_NAME:
            raise NoSuchHost(f"{host} does not exist (DNS has no such name)") from exc
        raise SourceUnavailable(f"DNS lookup of {host} failed ({exc.strerror})") from exc
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    if not addresses:
        raise NoSuchHost(f"{host} has no addresses")
    return addresses


def origin_of(url: str) -> Origin | None:
    """The host and port `url` connects to (the scheme's default port when it names none),
    or None for a URL with no host or an unusable port or scheme."""
    try:
        parts = urlsplit(url)
        port = parts.port or DEFAULT_PORTS.get(parts.scheme.lower())
    except ValueError:
        return None
    if not parts.hostname or port is None:
        return None
    return parts.hostname.lower(), port


def shown_url(url: str) -> str:
    """`url` as a reason names it: cut after SHOWN_URL_CHARS characters."""
    return url if len(url) <= SHOWN_URL_CHARS else url[:SHOWN_URL_CHARS] + "…"


def literal_address(host: str) -> IPAddress | None:
    """The address a host written as an IP literal stands for, in any form C resolvers take."""
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        pass
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


def refusal(address: IPAddress) -> str | None:
    """What kind of address `address` is ("a loopback"), or None when it is public."""
    embedded = _embedded_ipv4(address)
    embedded_why = refusal(embedded) if embedded is not None else None
    if embedded_why is not None:
        return embedded_why
    checks = (
        (address.is_loopback, "a loopback"),
        (address.is_unspecified, "an unspecified"),
        (address.is_link_local, "a link-local"),
        (address.is_multicast, "a multicast"),
        (address.is_private, "a private"),
        (address.is_reserved, "a reserved"),
        (address in CGNAT, "a carrier-grade NAT"),
        (isinstance(address, ipaddress.IPv6Address) and address.is_site_local, "a site-local"),
        (not address.is_global, "a non-public"),
    )
    return next((why for refused, why in checks if refused), None)


def _refuse_host(host: str) -> None:
    """Refuse a host that names this machine, or is written as an address not public.

    A final dot changes neither ("127.0.0.1.", "localhost." are the same hosts)."""
    name = host.removesuffix(".")
    if name == LOCALHOST or name.endswith("." + LOCALHOST):
        raise UnsafeURL(f"{host} is this machine's own name; {PRIVATE_HINT}")
    literal = literal_address(name)
    if literal is not None:
        _refuse_if_not_public(host, literal)


def _refuse_if_not_public(host: str, address: IPAddress) -> None:
    why = refusal(address)
    if why is not None:
        shown = host if host == str(address) else f"{host} ({address})"
        raise UnsafeURL(f"{shown} is {why} address; {PRIVATE_HINT}")


def _embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address inside an IPv4-mapped, IPv4-compatible or 6to4 IPv6 address."""
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.packed[:12] == bytes(12) and int(address) > 1:
        return ipaddress.IPv4Address(address.packed[12:])
    return None
