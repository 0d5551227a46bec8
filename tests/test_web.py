"""WebResolver: what each kind of web answer becomes, against a real local server."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from servers import LocalServer, Reply, fast_config

from factcheck.model import Citation, Fields, Kind
from factcheck.net import limits
from factcheck.net.http import Http
from factcheck.resolve.base import Lookup, Outcome
from factcheck.resolve.web import WebResolver

pytestmark = pytest.mark.integration

Check = Callable[..., Lookup]


@pytest.fixture(autouse=True)
def fast_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """The local server is one host: lift the per-site politeness limit so tests run fast."""
    for table in (limits.PUBLIC_LIMITS, limits.POLITE_LIMITS):
        monkeypatch.setitem(table, "url", limits.Limit(rate=1000.0, concurrency=8))


@pytest.fixture
def check(tmp_path: Path) -> Iterator[Check]:
    """Look a URL up with the local server reachable (allow_private_urls)."""
    opened: list[Http] = []

    def run(url: str, **overrides: Any) -> Lookup:
        config = fast_config(tmp_path, **{"allow_private_urls": True, **overrides})
        http = Http(config)
        opened.append(http)
        citation = Citation(kind=Kind.URL, raw=url, start=0, end=len(url), fields=Fields(url=url))
        return WebResolver(http, config).lookup(citation)

    yield run
    for http in opened:
        http.close()


def test_a_live_page_is_found_with_one_get(local_server: LocalServer, check: Check) -> None:
    local_server.on("/page", Reply(200, b"<html>hi</html>", headers={"Content-Type": "text/html"}))
    url = local_server.url("/page")
    lookup = check(url)
    assert lookup.outcome is Outcome.FOUND
    record = lookup.records[0]
    assert (record.source, record.id, record.url, record.flags) == ("url", url, url, [])
    assert record.http == {"status": 200, "final_url": url, "redirects": []}
    assert local_server.methods("/page") == ["GET"]


@pytest.mark.parametrize(
    ("title", "soft"),
    [
        ("Page not found | Example", True),
        ("404 &ndash; Example", True),
        ("Sorry, this page doesn't exist", True),
        ("Global climate highlights 2024", False),
        ("Found footage in early cinema", False),
    ],
)
def test_soft_404_pages_are_flagged(
    local_server: LocalServer, check: Check, title: str, soft: bool
) -> None:
    body = f"<html><head><title>{title}</title></head><body>x</body></html>".encode()
    local_server.on("/page", Reply(200, body, headers={"Content-Type": "text/html"}))
    [record] = check(local_server.url("/page")).records
    assert ("soft_404" in record.flags) is soft
    assert "&" not in record.http["title"]


def test_redirect_chain_is_recorded(local_server: LocalServer, check: Check) -> None:
    local_server.on("/old", Reply(301, b"", headers={"Location": "/middle"}))
    local_server.on("/middle", Reply(302, b"", headers={"Location": local_server.url("/new")}))
    local_server.on("/new", Reply(200))
    lookup = check(local_server.url("/old"))
    assert lookup.outcome is Outcome.FOUND
    record = lookup.records[0]
    assert record.url == local_server.url("/new")
    assert record.flags == ["redirected"]
    assert record.http == {
        "status": 200,
        "final_url": local_server.url("/new"),
        "redirects": [local_server.url("/middle"), local_server.url("/new")],
    }


@pytest.mark.parametrize("status", [404, 410])
def test_gone_pages_are_missing(local_server: LocalServer, check: Check, status: int) -> None:
    local_server.on("/page", Reply(status))
    lookup = check(local_server.url("/page"))
    assert lookup.outcome is Outcome.MISSING
    assert lookup.authoritative
    assert f"127.0.0.1 answered {status}" in lookup.reason
    assert local_server.methods("/page") == ["GET"]


def test_a_host_that_does_not_exist_is_missing(
    check: Check, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = socket.getaddrinfo

    def nxdomain(host: Any, *args: Any, **kwargs: Any) -> Any:
        # Only the claimed host: a resolver that knows no name at all is not proof
        # (tests/test_dns_health.py).
        if host == "no-such-host.example.test":
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", nxdomain)
    lookup = check("https://no-such-host.example.test/paper")
    assert lookup.outcome is Outcome.MISSING
    assert lookup.authoritative
    assert "no-such-host.example.test does not exist" in lookup.reason


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (401, "bot wall or login); the page may exist"),
        (403, "bot wall or login); the page may exist"),
        (500, "server error"),
        (503, "server error"),
        (400, "answered 400"),
    ],
)
def test_unclear_answers_are_failures(
    local_server: LocalServer, check: Check, status: int, words: str
) -> None:
    local_server.on("/page", Reply(status))
    lookup = check(local_server.url("/page"))
    assert lookup.outcome is Outcome.FAILED
    assert f"127.0.0.1 answered {status}" in lookup.reason
    assert words in lookup.reason


def test_429_fails_at_once_without_retrying(local_server: LocalServer, check: Check) -> None:
    local_server.on("/page", Reply(429, headers={"Retry-After": "60"}))
    started = time.monotonic()
    lookup = check(local_server.url("/page"))
    assert lookup.outcome is Outcome.FAILED
    assert "429 (too many requests)" in lookup.reason
    assert time.monotonic() - started < 1
    assert local_server.methods("/page") == ["GET"]


def test_redirect_loop_fails(local_server: LocalServer, check: Check) -> None:
    local_server.on("/a", Reply(302, b"", headers={"Location": "/b"}))
    local_server.on("/b", Reply(302, b"", headers={"Location": "/a"}))
    lookup = check(local_server.url("/a"))
    assert lookup.outcome is Outcome.FAILED
    assert lookup.reason.startswith("redirect loop")


def test_too_many_redirects_fail(local_server: LocalServer, check: Check) -> None:
    for i in range(5):
        local_server.on(f"/{i}", Reply(302, b"", headers={"Location": f"/{i + 1}"}))
    lookup = check(local_server.url("/0"), max_redirects=3)
    assert lookup.outcome is Outcome.FAILED
    assert "more than 3 redirects" in lookup.reason
    assert local_server.hits() == 4


def test_a_dripping_page_cannot_hold_us_past_the_timeout(
    local_server: LocalServer, check: Check
) -> None:
    local_server.handle(
        "/drip",
        lambda seen: Reply(200, b"x" * 100, drip=0.1),
    )
    started = time.monotonic()
    lookup = check(local_server.url("/drip"), timeout=1)
    assert time.monotonic() - started < 2
    # An answer not finished within its time proves nothing, even with a 200 status line:
    # a tarpit answers 200 to anything.
    assert lookup.outcome is Outcome.FAILED
    assert lookup.reason == "127.0.0.1 did not finish sending within 1s"


def test_a_silent_server_times_out(local_server: LocalServer, check: Check) -> None:
    local_server.on("/slow", Reply(200, delay=3))
    lookup = check(local_server.url("/slow"), timeout=0.5)
    assert lookup.outcome is Outcome.FAILED
    assert "127.0.0.1 timed out after 0.5s" in lookup.reason


def test_long_pages_are_cut_not_refused(local_server: LocalServer, check: Check) -> None:
    local_server.on("/big", Reply(200, b"x" * 50_000))
    assert check(local_server.url("/big"), max_page_bytes=1000).outcome is Outcome.FOUND


def test_unsafe_urls_fail_with_the_reason(check: Check) -> None:
    lookup = check("file:///etc/passwd", allow_private_urls=False)
    assert lookup.outcome is Outcome.FAILED
    assert "only http and https" in lookup.reason


def test_page_answers_are_cached(local_server: LocalServer, check: Check) -> None:
    local_server.on("/old", Reply(301, b"", headers={"Location": "/new"}))
    local_server.on("/new", Reply(200))
    local_server.on("/gone", Reply(404))
    for _ in range(2):
        assert check(local_server.url("/old")).outcome is Outcome.FOUND
        assert check(local_server.url("/gone")).outcome is Outcome.MISSING
    assert local_server.counts() == {"/old": 1, "/new": 1, "/gone": 1}
    offline = check(local_server.url("/old"), offline=True)
    assert offline.records[0].http["redirects"] == [local_server.url("/new")]
