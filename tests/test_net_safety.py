"""The SSRF guard: unsafe URLs are refused before any connection, at every redirect hop."""

from __future__ import annotations

import ipaddress
import socket
import ssl
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import urllib3.util.connection
from servers import LocalServer, Reply, fast_config

from factcheck.errors import SourceUnavailable, UnsafeURL
from factcheck.model import Citation, Kind
from factcheck.net import safety
from factcheck.net.http import Http
from factcheck.net.safety import NoSuchHost, check_url, literal_address, refusal
from factcheck.resolve.base import Outcome
from factcheck.resolve.web import WebResolver

REFUSED_URLS = [
    "http://127.0.0.1/",
    "http://127.1/",
    "http://localhost/",
    "http://[::1]/",
    "http://0.0.0.0/",
    "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.1/",
    "http://172.16.0.1/",
    "http://172.31.255.254/",
    "http://192.168.1.1/",
    "http://100.64.0.1/",
    "http://[fc00::1]/",
    "http://[fd12:3456::1]/",
    "http://[fe80::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:7f00:1]/",
    "http://[2002:7f00:1::]/",
    "http://2130706433/",
    "http://0x7f.1/",
    "http://0x7f000001/",
    "http://017700000001/",
    "http://224.0.0.1/",
    "http://user:pass@example.com/",
    "http://user@example.com/",
    "file:///etc/passwd",
    "gopher://example.com/",
    "ftp://example.com/file",
    "javascript:alert(1)",
    "http://example.com/" + "a" * 2048,
]


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every address urllib3 opens a connection to during the test."""
    opened: list[Any] = []
    real = urllib3.util.connection.create_connection

    def spy(address: Any, *args: Any, **kwargs: Any) -> socket.socket:
        opened.append(address)
        return real(address, *args, **kwargs)

    monkeypatch.setattr(urllib3.util.connection, "create_connection", spy)
    return opened


@pytest.fixture
def fake_dns(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """Names the guard resolves to the addresses the test puts here (others: real lookup)."""
    table: dict[str, list[str]] = {}
    real = socket.getaddrinfo

    def lookup(host: str, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        if host in table:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in table[host]]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(safety.socket, "getaddrinfo", lookup)
    return table


@pytest.mark.parametrize("url", REFUSED_URLS)
def test_unsafe_urls_are_refused_without_connecting(
    url: str, connections: list[Any], make_http: Callable[..., Http]
) -> None:
    with pytest.raises(UnsafeURL):
        make_http().page(url, method="HEAD")
    assert connections == []


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("2130706433", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("017700000001", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("[::1]", "::1"),
        ("example.com", None),
    ],
)
def test_literal_forms_are_recognised(host: str, expected: str | None) -> None:
    found = literal_address(host)
    assert (str(found) if found else None) == expected


def test_public_addresses_pass() -> None:
    for address in ("93.184.216.34", "2606:4700::1111", "8.8.8.8"):
        assert refusal(ipaddress.ip_address(address)) is None
    assert check_url("https://example.org/x?y=1", max_length=2048, allow_private=False)


def test_private_addresses_pass_when_allowed() -> None:
    assert check_url("http://127.0.0.1:8080/", max_length=2048, allow_private=True).port == 8080
    with pytest.raises(UnsafeURL, match="user name or password"):
        check_url("http://a:b@127.0.0.1/", max_length=2048, allow_private=True)


@pytest.mark.integration
def test_a_public_looking_name_on_a_private_address_is_refused(
    local_server: LocalServer,
    fake_dns: dict[str, list[str]],
    connections: list[Any],
    make_http: Callable[..., Http],
) -> None:
    local_server.on("/", Reply(200))
    fake_dns["www.example.test"] = ["127.0.0.1"]
    with pytest.raises(UnsafeURL, match=r"www.example.test \(127.0.0.1\) is a loopback address"):
        make_http().page(f"http://www.example.test:{local_server.port}/", method="HEAD")
    assert connections == []
    assert local_server.hits() == 0


def test_one_private_address_among_public_ones_is_enough(
    fake_dns: dict[str, list[str]], connections: list[Any], make_http: Callable[..., Http]
) -> None:
    fake_dns["mixed.example.test"] = ["93.184.216.34", "10.0.0.7"]
    with pytest.raises(UnsafeURL, match=r"10\.0\.0\.7"):
        make_http().page("http://mixed.example.test/", method="HEAD")
    assert connections == []


@pytest.mark.integration
def test_allowed_private_urls_connect_to_the_checked_address(
    local_server: LocalServer,
    fake_dns: dict[str, list[str]],
    connections: list[Any],
    make_http: Callable[..., Http],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """DNS is asked once; the connection goes to that answer, with the original Host."""
    local_server.on("/", Reply(200))
    fake_dns["rebind.example.test"] = ["127.0.0.1"]
    asked: list[str] = []
    real_resolve = safety.resolve

    def resolve_then_rebind(host: str, port: int) -> list[Any]:
        asked.append(host)
        answer = real_resolve(host, port)
        fake_dns[host] = ["10.255.255.1"]  # a second lookup would now go elsewhere
        return answer

    monkeypatch.setattr(safety, "resolve", resolve_then_rebind)
    url = f"http://rebind.example.test:{local_server.port}/"
    response = make_http(allow_private_urls=True).page(url, method="HEAD")
    assert response.status_code == 200
    assert asked == ["rebind.example.test"]
    assert connections == [("127.0.0.1", local_server.port)]
    assert local_server.seen[0].headers["Host"] == f"rebind.example.test:{local_server.port}"


@pytest.mark.integration
@pytest.mark.parametrize(
    "target", ["http://169.254.169.254/latest/meta-data/", "http://internal.example.test/admin"]
)
def test_a_redirect_to_a_private_address_is_refused(
    target: str,
    local_server: LocalServer,
    fake_dns: dict[str, list[str]],
    connections: list[Any],
    monkeypatch: pytest.MonkeyPatch,
    make_http: Callable[..., Http],
    tmp_path: Path,
) -> None:
    # Pretend the local test server is a public site, so the guard lets the first hop through.
    real_refusal = safety.refusal
    local = ipaddress.ip_address("127.0.0.1")
    monkeypatch.setattr(safety, "refusal", lambda a: None if a == local else real_refusal(a))
    fake_dns["internal.example.test"] = ["10.1.2.3"]
    local_server.on("/go", Reply(302, b"", headers={"Location": target}))
    resolver = WebResolver(make_http(), fast_config(tmp_path))
    url = local_server.url("/go")
    lookup = resolver.lookup(Citation(kind=Kind.URL, raw=url, start=0, end=len(url)))
    assert lookup.outcome is Outcome.FAILED
    assert "private URLs are not fetched" in lookup.reason
    assert connections == [("127.0.0.1", local_server.port)]


def test_nxdomain_and_dns_trouble_are_told_apart(monkeypatch: pytest.MonkeyPatch) -> None:
    def failing(code: int) -> Callable[..., Any]:
        def lookup(*args: Any, **kwargs: Any) -> Any:
            raise socket.gaierror(code, "fake")

        return lookup

    monkeypatch.setattr(safety.socket, "getaddrinfo", failing(socket.EAI_NONAME))
    with pytest.raises(NoSuchHost, match="does not exist"):
        safety.resolve_pinned("gone.example.test", 80, allow_private=False)
    monkeypatch.setattr(safety.socket, "getaddrinfo", failing(socket.EAI_AGAIN))
    with pytest.raises(SourceUnavailable) as caught:
        safety.resolve_pinned("flaky.example.test", 80, allow_private=False)
    assert not isinstance(caught.value, NoSuchHost)


@pytest.mark.integration
def test_https_to_a_pinned_address_still_checks_the_certificate_name(
    fake_dns: dict[str, list[str]], make_http: Callable[..., Http], tmp_path: Path
) -> None:
    """Connecting to the checked IP must not weaken TLS: SNI and the certificate check use
    the host name from the URL."""
    trustme = pytest.importorskip("trustme")
    authority = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("secure.example.test").configure_cert(context)
    server = LocalServer(tls=context).start()
    server.on("/", Reply(200))
    ca_file = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(ca_file))
    fake_dns["secure.example.test"] = ["127.0.0.1"]
    fake_dns["impostor.example.test"] = ["127.0.0.1"]
    try:
        http = make_http(allow_private_urls=True)
        http._pages.verify = str(ca_file)  # trust the test authority (web session only)
        good = http.page(f"https://secure.example.test:{server.port}/", method="HEAD")
        assert good.status_code == 200
        with pytest.raises(SourceUnavailable, match="TLS handshake failed"):
            http.page(f"https://impostor.example.test:{server.port}/", method="HEAD")
    finally:
        server.stop()
