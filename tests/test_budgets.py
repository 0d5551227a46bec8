"""Time budgets: one per lookup across all its requests, and the check's deadline.

A lookup's requests (a URL's redirect hops, an API's retries and redirects) share one
`timeout` for the time they spend on the network, headers and body included; an answer
not in within it is `unverifiable`, never `verified`. A check with a deadline returns when
it passes, and the lookups it leaves running start nothing new. The servers here are slow
on purpose (dripping headers, hops just under the timeout, a hundred slow pages on one
host) and the timeouts small, so that the bounds show in seconds. Elapsed times are
checked against generous multiples of the budget: correctness bounds, not benchmarks.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from servers import LocalServer, Reply, fast_config

from factcheck import Checker
from factcheck.config import Config
from factcheck.errors import SourceUnavailable
from factcheck.flags import DEADLINE
from factcheck.model import Report, Status
from factcheck.net import http as http_module
from factcheck.net import limits
from factcheck.net.deadline import time_budget
from factcheck.net.http import Http

pytestmark = pytest.mark.integration

BUDGET = 1.0
# What "within the budget" allows: the budget, connecting, and a loaded machine's slack
# (the unbounded behaviour these tests catch takes 5-10 times the budget).
BOUND = 3 * BUDGET
DRIP_SECONDS_PER_BYTE = 0.2
# A hop that alone stays under the budget, so that only their sum can exceed it.
JUST_UNDER = 0.7 * BUDGET
HOPS = 10
# A host the guard takes for a public site served by the test's local server.
SITE = "slow.example.test"

STATUS_LINE = b"HTTP/1.1 200 OK\r\n"
PAGE = b"<html><head><title>A real page</title></head></html>"
HEAD = (
    STATUS_LINE
    + b"Content-Type: text/html\r\nX-Pad: "
    + b"p" * 40
    + b"\r\n"
    + (b"Content-Length: %d\r\n\r\n" % len(PAGE))
)


class TrickleServer:
    """Answers every request with `HEAD + PAGE`, sending the first `fast` bytes at once and
    the rest one byte per DRIP_SECONDS_PER_BYTE: a status line, headers or body dripping in."""

    def __init__(self, fast: int) -> None:
        self.fast = fast
        self.requests = 0
        self._sock = socket.create_server(("127.0.0.1", 0))
        self._stop = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def port(self) -> int:
        return int(self._sock.getsockname()[1])

    def _serve(self) -> None:
        self._sock.settimeout(0.05)
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                continue
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            conn.recv(65536)
            self.requests += 1
            answer = HEAD + PAGE
            try:
                conn.sendall(answer[: self.fast])
                for i in range(self.fast, len(answer)):
                    if self._stop.is_set():
                        return
                    conn.sendall(answer[i : i + 1])
                    time.sleep(DRIP_SECONDS_PER_BYTE)
            except OSError:
                return

    def stop(self) -> None:
        self._stop.set()
        self._sock.close()


# Where the drip starts: everything, after the status line (which once made a dripping
# page `verified`), before the blank line that ends the headers, and in the body.
DRIPS = {
    "whole-answer": 0,
    "after-status-line": len(STATUS_LINE),
    "last-header-bytes": len(HEAD) - 2,
    "body": len(HEAD) + 5,
}


@pytest.fixture(params=list(DRIPS), ids=list(DRIPS))
def trickle(request: pytest.FixtureRequest) -> Iterator[TrickleServer]:
    server = TrickleServer(DRIPS[request.param])
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def site(monkeypatch: pytest.MonkeyPatch) -> Callable[[int, str], str]:
    """`site(port, path)`: a URL on SITE, which the SSRF guard lets through to 127.0.0.1 (the
    one name it does: the tests run on the shipped settings, private addresses refused)."""
    real = http_module.resolve_pinned

    def resolve(host: str, port: int, *, allow_private: bool) -> str:
        if host == SITE:
            return "127.0.0.1"
        return real(host, port, allow_private=allow_private)

    monkeypatch.setattr(http_module, "resolve_pinned", resolve)
    return lambda port, path: f"http://{SITE}:{port}{path}"


@pytest.fixture
def unpaced(monkeypatch: pytest.MonkeyPatch) -> None:
    """No politeness pauses between one host's requests (which no budget counts anyway)."""
    for table in (limits.PUBLIC_LIMITS, limits.POLITE_LIMITS):
        for source in ("crossref", "doi", "url"):
            monkeypatch.setitem(table, source, limits.Limit(rate=1000.0, concurrency=8))


def checker(tmp_path: Path, **overrides: Any) -> Checker:
    settings: dict[str, Any] = {"sources": ("url",), "timeout": BUDGET, **overrides}
    config = fast_config(tmp_path, **settings)
    assert config.allow_private_urls is False
    return Checker(config)


def timed(run: Callable[[], Any]) -> tuple[Any, float]:
    started = time.monotonic()
    result = run()
    return result, time.monotonic() - started


def only_verdict(report: Report) -> Any:
    [finding] = report.items
    return finding.verdict


# --- one answer that drips ---------------------------------------------------------------


def test_a_page_that_drips_is_unverifiable_within_its_budget(
    trickle: TrickleServer, site: Callable[[int, str], str], tmp_path: Path
) -> None:
    url = site(trickle.port, "/page")
    with checker(tmp_path) as check:
        report, elapsed = timed(lambda: check.check(url))
    verdict = only_verdict(report)
    assert verdict.status is Status.UNVERIFIABLE, verdict
    assert verdict.reason in (
        f"{SITE} timed out after {BUDGET:g}s",
        f"{SITE} did not finish sending within {BUDGET:g}s",
    )
    assert elapsed < BOUND
    # What came of it is not kept: the next check asks again.
    with checker(tmp_path) as check:
        assert only_verdict(check.check(url)).status is Status.UNVERIFIABLE
    assert trickle.requests == 2


def test_an_api_answer_that_drips_is_a_timeout(
    trickle: TrickleServer, make_http: Callable[..., Http]
) -> None:
    http = make_http(timeout=BUDGET)
    url = f"http://127.0.0.1:{trickle.port}/works/x"
    for _ in range(2):  # the second time too: nothing of it was kept
        started = time.monotonic()
        with pytest.raises(SourceUnavailable, match=r"crossref (timed out after|did not finish)"):
            http.get(url, source="crossref")
        assert time.monotonic() - started < BOUND
    assert trickle.requests == 2


def test_a_page_whose_headers_stop_short_is_never_verified(
    site: Callable[[int, str], str], tmp_path: Path
) -> None:
    """Headers cut by the deadline look complete to http.client; the answer still counts
    as not in."""
    server = TrickleServer(DRIPS["after-status-line"])
    try:
        with checker(tmp_path, timeout=2 * DRIP_SECONDS_PER_BYTE) as check:
            verdict = only_verdict(check.check(site(server.port, "/")))
    finally:
        server.stop()
    assert verdict.status is Status.UNVERIFIABLE
    assert verdict.reason == f"{SITE} timed out after {2 * DRIP_SECONDS_PER_BYTE:g}s"


# --- a chain of requests -----------------------------------------------------------------


def slow_chain(server: LocalServer, hops: int, delay: float, last: Reply) -> None:
    """/0 redirects to /1, … to /<hops>, each answer `delay` seconds late; then `last`."""
    for i in range(hops):
        server.on(f"/{i}", Reply(302, b"", headers={"Location": f"/{i + 1}"}, delay=delay))
    server.on(f"/{hops}", last)


def test_a_slow_redirect_chain_gets_one_budget_not_one_per_hop(
    local_server: LocalServer, site: Callable[[int, str], str], unpaced: None, tmp_path: Path
) -> None:
    slow_chain(local_server, HOPS, JUST_UNDER, Reply(200, PAGE, {"Content-Type": "text/html"}))
    with checker(tmp_path) as check:
        report, elapsed = timed(lambda: check.check(site(local_server.port, "/0")))
    verdict = only_verdict(report)
    assert verdict.status is Status.UNVERIFIABLE
    assert verdict.reason == f"{SITE} timed out after {BUDGET:g}s"
    assert elapsed < BOUND
    assert local_server.hits() <= 2


def test_a_chain_across_hosts_shares_the_budget(
    local_server: LocalServer,
    site: Callable[[int, str], str],
    unpaced: None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each hop to another name is a fresh host, never a fresh budget."""
    names = [f"h{i}.example.test" for i in range(HOPS + 1)]
    real = http_module.resolve_pinned

    def resolve(host: str, port: int, *, allow_private: bool) -> str:
        return "127.0.0.1" if host in names else real(host, port, allow_private=allow_private)

    monkeypatch.setattr(http_module, "resolve_pinned", resolve)
    port = local_server.port
    for i in range(HOPS):
        location = f"http://{names[i + 1]}:{port}/{i + 1}"
        local_server.on(f"/{i}", Reply(302, b"", headers={"Location": location}, delay=JUST_UNDER))
    local_server.on(f"/{HOPS}", Reply(200, PAGE))
    with checker(tmp_path) as check:
        report, elapsed = timed(lambda: check.check(f"http://{names[0]}:{port}/0"))
    assert only_verdict(report).status is Status.UNVERIFIABLE
    assert "timed out after 1s" in only_verdict(report).reason
    assert elapsed < BOUND


def test_a_quick_chain_is_followed_to_the_end(
    local_server: LocalServer, site: Callable[[int, str], str], unpaced: None, tmp_path: Path
) -> None:
    """The control: many hops that together fit in the budget are all followed."""
    slow_chain(local_server, HOPS, BUDGET / 50, Reply(200, PAGE, {"Content-Type": "text/html"}))
    with checker(tmp_path) as check:
        verdict = only_verdict(check.check(site(local_server.port, "/0")))
    assert verdict.status is Status.VERIFIED
    assert local_server.hits() == HOPS + 1


def test_an_api_redirect_chain_gets_one_budget(
    local_server: LocalServer, unpaced: None, make_http: Callable[..., Http]
) -> None:
    slow_chain(local_server, HOPS, JUST_UNDER, Reply(200, b"{}"))
    http = make_http(timeout=BUDGET)
    started = time.monotonic()
    with pytest.raises(SourceUnavailable, match="doi timed out after 1s"):
        http.get(local_server.url("/0"), source="doi")
    assert time.monotonic() - started < BOUND
    assert local_server.hits() <= 2


def test_retries_share_the_lookups_budget(
    local_server: LocalServer, unpaced: None, make_http: Callable[..., Http]
) -> None:
    """Six slow 503s would take 3.6 s; the budget stops them after a second's worth."""
    local_server.on("/w", Reply(503, b"busy", delay=0.6 * BUDGET))
    http = make_http(timeout=BUDGET, retries=5, retry_backoff=0.0)
    started = time.monotonic()
    with pytest.raises(SourceUnavailable):
        http.get(local_server.url("/w"), source="crossref")
    assert time.monotonic() - started < BOUND
    assert local_server.hits("/w") == 2


def test_a_hosts_own_timeout_gives_its_lookups_their_budget(
    local_server: LocalServer, unpaced: None, tmp_path: Path
) -> None:
    """`hosts` can give one slow host longer: its lookups get that budget as a whole."""
    slow_chain(local_server, 2, JUST_UNDER, Reply(200, b"{}"))
    hosts = {"127.0.0.1": {"timeout": 3 * BUDGET}}
    with Http(fast_config(tmp_path, timeout=BUDGET, hosts=hosts)) as http:
        assert http.get(local_server.url("/0"), source="doi").status_code == 200


def test_one_lookup_has_one_budget_however_it_nests() -> None:
    with time_budget(1.0) as outer, time_budget(5.0) as inner:
        assert inner is outer
        assert inner.seconds == 1.0
    with time_budget(5.0) as fresh:
        assert fresh is not outer


# --- many slow pages, and the check's deadline -------------------------------------------

SLOW_PAGES = 100
PAGE_DELAY = 0.5
CHECK_DEADLINE = 2.0
# Past the deadline, only answers already on their way may still come in: one per slot
# of the host's gate (its concurrency).
IN_FLIGHT = limits.PUBLIC_LIMITS["url"].concurrency


def test_many_slow_pages_on_one_host_end_at_the_deadline(
    local_server: LocalServer, site: Callable[[int, str], str], tmp_path: Path
) -> None:
    """A hundred slow pages on one host, one or two at a time (the host's politeness
    limit), would hold the check for about twenty-five seconds; it returns at its deadline,
    the pages not reached flagged `deadline`, and nothing new is asked after it."""
    local_server.handle_prefix("/p", lambda seen: Reply(200, PAGE, delay=PAGE_DELAY))
    text = "\n".join(f"- {site(local_server.port, f'/p{i}')}" for i in range(SLOW_PAGES))
    check = checker(tmp_path, deadline=CHECK_DEADLINE)
    report, elapsed = timed(lambda: check.check(text))
    asked_by_deadline = local_server.hits()
    close_started = time.monotonic()
    check.close()
    assert time.monotonic() - close_started < BUDGET
    assert elapsed < CHECK_DEADLINE + BUDGET
    assert len(report.items) == SLOW_PAGES
    verified = [f for f in report.items if f.verdict.status is Status.VERIFIED]
    late = [f for f in report.items if f.verdict.flags == [DEADLINE]]
    assert verified, "the pages answered before the deadline are verified"
    assert len(verified) + len(late) == SLOW_PAGES
    assert all(f.verdict.status is Status.UNVERIFIABLE for f in late)
    assert all("deadline of 2 s" in f.verdict.reason for f in late)
    # The lookups left running start no request after the deadline.
    time.sleep(BUDGET + PAGE_DELAY)
    assert local_server.hits() <= asked_by_deadline + IN_FLIGHT


def test_a_retry_after_the_deadline_is_not_made(
    local_server: LocalServer, unpaced: None, tmp_path: Path
) -> None:
    """Retries of a lookup the check stopped waiting for would only load the server."""
    local_server.on("/works/10.1234%2Fx", Reply(503, b"busy", delay=0.3))  # one path segment
    config = fast_config(
        tmp_path,
        sources=("crossref",),
        crossref_url=local_server.url(""),
        retries=5,
        retry_backoff=0.0,
        deadline=0.5,
    )
    with Checker(config) as check:
        verdict = only_verdict(check.check("doi:10.1234/x"))
    assert verdict.flags == [DEADLINE]
    time.sleep(1.0)
    assert local_server.hits() == 2


def test_a_check_has_a_deadline_unless_turned_off(tmp_path: Path) -> None:
    assert Config().deadline is not None
    for off in (0, "none", "off"):
        with checker(tmp_path, deadline=off) as check:
            assert check.config.deadline is None
