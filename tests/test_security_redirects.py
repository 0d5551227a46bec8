"""SSRF through the API sources' redirects: every hop away from the configured API host
passes the whole guard, name resolution included, and connects to the address it checked.

An API answer can point anywhere: doi.org's content negotiation sends a DOI to whatever
host its registrant chose. The first hop goes to the configured API host (here a local
server on 127.0.0.1, trusted because the configuration names it); every redirect away
from it is hostile. Each test redirects to a *name* that DNS (faked here) resolves to a
private address, with a second local server standing for the private target: it records
every request, and `connections` records every address a connection was opened to, so
that a guard letting one through would show. Everything runs with the shipped settings
(`allow_private_urls` off) unless a test says otherwise.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import urllib3.util.connection
from servers import LocalServer, Reply, fast_config

from factcheck import Checker
from factcheck.errors import SourceUnavailable, UnsafeURL
from factcheck.model import Status
from factcheck.net import http as http_module
from factcheck.net import limits
from factcheck.net.http import Http

pytestmark = pytest.mark.integration

# The name a redirect leads to, which the fake DNS resolves as each test says.
EVIL = "evil.example.test"
# A host the guard takes for a public site served by the API's local server (see
# `public_site`): a redirect chain can pass through it before it turns private.
PUBLIC_SITE = "public.example.test"
PUBLIC_ADDRESS = "93.184.216.34"
SECRET = b'{"title": ["THE SECRET"]}'
DOI = "10.1234/abc"
# How a DOI appears in an API's path: one encoded segment (`ids.path_segment`).
DOI_SEGMENT = "10.1234%2Fabc"

# Addresses a redirect's name may resolve to, each of which must be refused, and the words
# the refusal uses for it.
PRIVATE_ANSWERS = [
    (["127.0.0.1"], "a loopback address"),
    (["10.1.2.3"], "a private address"),
    (["169.254.169.254"], "a link-local address"),
    (["::1"], "a loopback address"),
    (["::ffff:127.0.0.1"], "a loopback address"),
    (["::ffff:10.0.0.1"], "a private address"),
    (["fd00:ec2::254"], "a private address"),
    (["100.64.0.1"], "a carrier-grade NAT address"),
    # One private address among public ones is enough.
    ([PUBLIC_ADDRESS, "127.0.0.1"], "a loopback address"),
    (["2606:4700::1111", "192.168.1.1"], "a private address"),
]


class FakeDns:
    """Answers for the names a test sets, in turn (the last one repeats); any other name
    gets the real resolver. Records every name asked."""

    def __init__(self, real: Callable[..., Any]) -> None:
        self.answers: dict[str, list[list[str]]] = {}
        self.asked: list[str] = []
        self._real = real

    def set(self, name: str, *answers: list[str]) -> None:
        self.answers[name] = list(answers)

    def getaddrinfo(self, host: str, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        if host not in self.answers:
            return list(self._real(host, port, *args, **kwargs))
        self.asked.append(host)
        turns = self.answers[host]
        addresses = turns.pop(0) if len(turns) > 1 else turns[0]
        return [_address_info(address, int(port or 0)) for address in addresses]


def _address_info(address: str, port: int) -> tuple[Any, ...]:
    if ":" in address:
        return (socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, port, 0, 0))
    return (socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))


@pytest.fixture
def dns(monkeypatch: pytest.MonkeyPatch) -> FakeDns:
    """The resolver both the guard and urllib3 ask (they share `socket.getaddrinfo`)."""
    fake = FakeDns(socket.getaddrinfo)
    monkeypatch.setattr(socket, "getaddrinfo", fake.getaddrinfo)
    return fake


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Every (address, port) urllib3 opens a connection to. Only 127.0.0.1 is really
    connected to; any other address is refused at once (no test reaches the network), and
    the attempt is still recorded."""
    opened: list[tuple[str, int]] = []
    real = urllib3.util.connection.create_connection

    def spy(address: Any, *args: Any, **kwargs: Any) -> socket.socket:
        opened.append((str(address[0]), int(address[1])))
        if address[0] != "127.0.0.1":
            raise ConnectionRefusedError(f"test: no connection to {address[0]}")
        return real(address, *args, **kwargs)

    monkeypatch.setattr(urllib3.util.connection, "create_connection", spy)
    return opened


@pytest.fixture
def target() -> Iterator[LocalServer]:
    """The private target: what an SSRF would reach. Answers anything with a secret."""
    server = LocalServer().start()
    server.handle_prefix("/", lambda seen: Reply(200, SECRET, {"Content-Type": "application/json"}))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def public_site(local_server: LocalServer, monkeypatch: pytest.MonkeyPatch) -> str:
    """The base URL of PUBLIC_SITE: the one name whose pinned address is the local server
    without a check, standing for a public host on the way. Every other name still goes
    through the real guard."""
    real = http_module.resolve_pinned

    def resolve(host: str, port: int, *, allow_private: bool) -> str:
        if host == PUBLIC_SITE:
            return "127.0.0.1"
        return real(host, port, allow_private=allow_private)

    monkeypatch.setattr(http_module, "resolve_pinned", resolve)
    return f"http://{PUBLIC_SITE}:{local_server.port}"


@pytest.fixture
def fast_sources(monkeypatch: pytest.MonkeyPatch) -> None:
    """One local server plays several hosts: no politeness pauses between its hops."""
    for table in (limits.PUBLIC_LIMITS, limits.POLITE_LIMITS):
        for source in ("crossref", "doi", "url"):
            monkeypatch.setitem(table, source, limits.Limit(rate=1000.0, concurrency=8))


def redirect(server: LocalServer, path: str, location: str, status: int = 302) -> None:
    server.on(path, Reply(status, b"", headers={"Location": location}))


def evil_url(target: LocalServer, scheme: str = "http", path: str = "/latest/meta-data") -> str:
    return f"{scheme}://{EVIL}:{target.port}{path}"


def assert_not_reached(
    target: LocalServer, connections: list[tuple[str, int]], public: str | None = None
) -> None:
    """No request reached the target, and no connection was even tried to its port on any
    address but `public` (the one a name had when the guard checked it)."""
    assert target.hits() == 0
    tried = {address for address, port in connections if port == target.port}
    assert tried <= {public}, connections


# --- the guard at every hop ------------------------------------------------------------


@pytest.mark.parametrize(("answer", "why"), PRIVATE_ANSWERS, ids=lambda v: str(v))
def test_a_redirect_to_a_name_on_a_private_address_is_refused_unconnected(
    answer: list[str],
    why: str,
    local_server: LocalServer,
    target: LocalServer,
    dns: FakeDns,
    connections: list[tuple[str, int]],
    make_http: Callable[..., Http],
) -> None:
    dns.set(EVIL, answer)
    redirect(local_server, "/works/x", evil_url(target))
    with pytest.raises(UnsafeURL) as refused:
        make_http().get(local_server.url("/works/x"), source="crossref")
    assert refused.value.reason.startswith(f"refused: crossref redirected to {evil_url(target)}")
    assert why in refused.value.reason
    assert "--allow-private-urls allows them" in refused.value.reason
    assert dns.asked == [EVIL]
    assert_not_reached(target, connections)
    assert connections == [("127.0.0.1", local_server.port)]


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_every_redirect_status_is_guarded(
    status: int,
    local_server: LocalServer,
    target: LocalServer,
    dns: FakeDns,
    connections: list[tuple[str, int]],
    make_http: Callable[..., Http],
) -> None:
    dns.set(EVIL, ["127.0.0.1"])
    redirect(local_server, "/w", evil_url(target), status)
    with pytest.raises(UnsafeURL):
        make_http().get(local_server.url("/w"), source="doi")
    assert_not_reached(target, connections)


def test_dns_rebinding_cannot_reach_the_private_address(
    local_server: LocalServer,
    target: LocalServer,
    dns: FakeDns,
    connections: list[tuple[str, int]],
    make_http: Callable[..., Http],
) -> None:
    """Public when the guard asks, loopback for any later lookup: the connection goes to
    the address checked (refused here, being the test's stand-in for the internet), and
    DNS is asked once."""
    dns.set(EVIL, [PUBLIC_ADDRESS], ["127.0.0.1"])
    redirect(local_server, "/w", evil_url(target))
    with pytest.raises(SourceUnavailable) as failed:
        make_http().get(local_server.url("/w"), source="doi")
    assert "could not be reached" in failed.value.reason
    assert dns.asked == [EVIL]
    assert (PUBLIC_ADDRESS, target.port) in connections
    assert_not_reached(target, connections, public=PUBLIC_ADDRESS)


def test_the_private_hop_third_in_a_chain_is_refused(
    local_server: LocalServer,
    target: LocalServer,
    public_site: str,
    dns: FakeDns,
    connections: list[tuple[str, int]],
    fast_sources: None,
    make_http: Callable[..., Http],
) -> None:
    """API host, then a public site (both really fetched), then the private name."""
    dns.set(EVIL, ["127.0.0.1"])
    redirect(local_server, "/w", "/w2")  # within the API host
    redirect(local_server, "/w2", f"{public_site}/hop")  # away, to a public host
    redirect(local_server, "/hop", evil_url(target))  # and from there, inward
    with pytest.raises(UnsafeURL, match=f"{EVIL} \\(127.0.0.1\\) is a loopback address"):
        make_http().get(local_server.url("/w"), source="doi")
    assert local_server.counts() == {"/w": 1, "/w2": 1, "/hop": 1}
    # The public hop, too, went to the address the guard gave, with its own Host header.
    assert local_server.seen[2].headers["Host"] == f"{PUBLIC_SITE}:{local_server.port}"
    assert_not_reached(target, connections)


@pytest.mark.parametrize(
    "location",
    [
        "https://{evil}:{port}/x",  # http to https, to the private name
        "https://{evil}/x",  # and on https's own port
        "http://127.0.0.1:{port}/x",  # another port of the API's own loopback address
        "https://127.0.0.1:{port}/x",
        "http://[::1]:{port}/x",
        "http://localhost:{port}/x",
        "HTTP://{evil}:{port}/x",
    ],
)
def test_scheme_and_port_changes_do_not_make_a_hop_trusted(
    location: str,
    local_server: LocalServer,
    target: LocalServer,
    dns: FakeDns,
    connections: list[tuple[str, int]],
    make_http: Callable[..., Http],
) -> None:
    """Only the configured host itself, on its own port, is trusted; the same machine on
    another port (the target's) is as private as any."""
    dns.set(EVIL, ["127.0.0.1"])
    redirect(local_server, "/w", location.format(evil=EVIL, port=target.port))
    with pytest.raises(UnsafeURL):
        make_http().get(local_server.url("/w"), source="doi")
    assert_not_reached(target, connections)


def test_a_redirect_to_a_public_host_is_followed_to_the_checked_address(
    local_server: LocalServer,
    public_site: str,
    connections: list[tuple[str, int]],
    fast_sources: None,
    make_http: Callable[..., Http],
) -> None:
    """The control: the guard refuses only what is private."""
    redirect(local_server, "/w", f"{public_site}/record")
    local_server.on("/record", Reply(200, b'{"ok": true}', {"Content-Type": "application/json"}))
    response = make_http().get(local_server.url("/w"), source="doi")
    assert response.json() == {"ok": True}
    assert local_server.counts() == {"/w": 1, "/record": 1}


def test_the_other_configured_sources_are_trusted_hosts(
    local_server: LocalServer,
    target: LocalServer,
    connections: list[tuple[str, int]],
    make_http: Callable[..., Http],
) -> None:
    """doi.org sends Crossref DOIs to Crossref's API: a host the configuration names is
    the user's choice, even on loopback (a local mirror or fake)."""
    redirect(local_server, "/10.1/x", target.url("/works/10.1/x/transform"))
    http = make_http(doi_url=local_server.url(""), crossref_url=target.url(""))
    assert http.get(local_server.url("/10.1/x"), source="doi").content == SECRET
    assert target.hits() == 1


def test_allowing_private_urls_reaches_them_pinned(
    local_server: LocalServer,
    target: LocalServer,
    dns: FakeDns,
    connections: list[tuple[str, int]],
    make_http: Callable[..., Http],
) -> None:
    """The opt-out works, and still connects to the address DNS gave once."""
    dns.set(EVIL, ["127.0.0.1"], ["10.9.9.9"])
    redirect(local_server, "/w", evil_url(target, path="/x"))
    response = make_http(allow_private_urls=True).get(local_server.url("/w"), source="doi")
    assert response.content == SECRET
    assert dns.asked == [EVIL]
    assert target.seen[0].headers["Host"] == f"{EVIL}:{target.port}"


def test_a_proxy_never_carries_a_redirect_away_from_the_api(
    local_server: LocalServer,
    target: LocalServer,
    public_site: str,
    fast_sources: None,
    make_http: Callable[..., Http],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The configured API may be reached through the environment's proxy; a hop away from
    it goes straight to the address the guard checked, since a proxy would resolve the name
    itself, out of the guard's sight."""
    # The proxy (the target server) answers the API's request, whose path is its full URL.
    api_url = f"http://api.example.test:{local_server.port}/w"
    target.handle_prefix(
        "http://", lambda seen: Reply(302, b"", headers={"Location": f"{public_site}/record"})
    )
    local_server.on("/record", Reply(200, b"{}", {"Content-Type": "application/json"}))
    monkeypatch.setenv("HTTP_PROXY", f"http://user:secret@127.0.0.1:{target.port}")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    make_http(crossref_url=f"http://api.example.test:{local_server.port}").get(
        api_url, source="crossref"
    )
    assert [seen.path for seen in target.seen] == [api_url]
    assert "Proxy-Authorization" in target.seen[0].headers
    assert local_server.counts() == {"/record": 1}
    # Nor do the proxy's credentials go to the host connected to directly.
    assert "Proxy-Authorization" not in local_server.seen[0].headers


# --- the cache -------------------------------------------------------------------------


def test_a_refused_redirect_is_refused_again_from_a_warm_cache(
    local_server: LocalServer,
    target: LocalServer,
    dns: FakeDns,
    connections: list[tuple[str, int]],
    tmp_path: Path,
) -> None:
    dns.set(EVIL, ["127.0.0.1"])
    redirect(local_server, "/w", evil_url(target))
    for _ in range(2):
        with Http(fast_config(tmp_path)) as http, pytest.raises(UnsafeURL):
            http.get(local_server.url("/w"), source="doi")
    assert_not_reached(target, connections)


def test_what_was_fetched_with_private_urls_allowed_never_answers_a_guarded_run(
    local_server: LocalServer,
    target: LocalServer,
    dns: FakeDns,
    connections: list[tuple[str, int]],
    tmp_path: Path,
) -> None:
    """A cache filled by an intranet run (private URLs allowed) holds the private answer,
    redirect and all: a run on the shipped settings must not be served it."""
    dns.set(EVIL, ["127.0.0.1"])
    redirect(local_server, "/w", evil_url(target, path="/x"))
    with Http(fast_config(tmp_path, allow_private_urls=True)) as http:
        assert http.get(local_server.url("/w"), source="doi").content == SECRET
    assert target.hits() == 1
    with Http(fast_config(tmp_path)) as http, pytest.raises(UnsafeURL):
        http.get(local_server.url("/w"), source="doi")
    assert target.hits() == 1
    # And the intranet run still has its answer kept.
    with Http(fast_config(tmp_path, allow_private_urls=True, offline=True)) as http:
        assert http.get(local_server.url("/w"), source="doi").content == SECRET


def test_a_cached_page_redirect_still_passes_the_guard(
    local_server: LocalServer,
    target: LocalServer,
    public_site: str,
    dns: FakeDns,
    connections: list[tuple[str, int]],
    fast_sources: None,
    tmp_path: Path,
) -> None:
    """A web page's redirect is kept in the cache; following it later, from the cache,
    to a name now on a private address is refused like a fresh one."""
    dns.set(EVIL, [PUBLIC_ADDRESS], ["127.0.0.1"])
    redirect(local_server, "/old", evil_url(target, path="/new"))
    url = f"{public_site}/old"
    config = fast_config(tmp_path, sources=("url",))
    with Checker(config) as checker:
        [first] = checker.check(url).items
    assert first.verdict.status is Status.UNVERIFIABLE  # the public address: refused by the spy
    with Checker(config) as checker:
        [second] = checker.check(url).items
    assert local_server.counts() == {"/old": 1}  # the redirect came from the cache
    assert second.verdict.status is Status.UNVERIFIABLE
    assert second.verdict.reason.startswith(f"refused: {url} redirects to ")
    assert f"{EVIL} (127.0.0.1) is a loopback address" in second.verdict.reason
    assert_not_reached(target, connections, public=PUBLIC_ADDRESS)


# --- from a claim to its verdict -------------------------------------------------------


def test_a_crossref_lookup_redirected_inward_is_unverifiable_with_the_reason(
    local_server: LocalServer,
    target: LocalServer,
    dns: FakeDns,
    connections: list[tuple[str, int]],
) -> None:
    dns.set(EVIL, ["169.254.169.254"])
    redirect(local_server, f"/works/{DOI_SEGMENT}", evil_url(target))
    config = fast_config(Path("/nonexistent"), cache="none", sources=("crossref",))
    with Checker(config.model_copy(update={"crossref_url": local_server.url("")})) as checker:
        [finding] = checker.check(f"doi:{DOI}").items
    assert finding.verdict.status is Status.UNVERIFIABLE
    assert finding.verdict.reason.startswith(f"refused: crossref redirected to {evil_url(target)}")
    assert "169.254.169.254) is a link-local address" in finding.verdict.reason
    assert_not_reached(target, connections)


def test_doi_content_negotiation_redirected_inward_shows_nothing_private(
    local_server: LocalServer,
    target: LocalServer,
    dns: FakeDns,
    connections: list[tuple[str, int]],
) -> None:
    """doi.org says the DOI exists, and sends its metadata request to the registrant's
    host, which resolves to loopback: nothing from there reaches the report."""
    handle = {"responseCode": 1, "handle": DOI, "values": []}
    local_server.on(f"/api/handles/{DOI_SEGMENT}", Reply(200, json.dumps(handle).encode()))
    redirect(local_server, f"/{DOI_SEGMENT}", evil_url(target, path="/csl"))
    dns.set(EVIL, ["127.0.0.1"])
    config = fast_config(Path("/nonexistent"), cache="none", sources=("doi",))
    with Checker(config.model_copy(update={"doi_url": local_server.url("")})) as checker:
        report = checker.check(f"doi:{DOI}")
    assert "THE SECRET" not in report.model_dump_json()
    assert_not_reached(target, connections)
