"""Per-source limits: pacing, concurrency, adapting to headers, and a strict fake server."""

from __future__ import annotations

import itertools
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from servers import LocalServer, Reply, fast_config

from factcheck.errors import RateLimited
from factcheck.net.deadline import DeadlinePassed
from factcheck.net.http import Http
from factcheck.net.limits import PACING_MARGIN, Gate, Limit, Limiter


def _starts(gate: Gate, threads: int, per_thread: int) -> list[float]:
    starts: list[float] = []
    lock = threading.Lock()

    def work() -> None:
        for _ in range(per_thread):
            with gate.slot(), lock:
                starts.append(time.monotonic())

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return sorted(starts)


def test_starts_are_spaced_evenly_even_from_many_threads() -> None:
    gate = Gate("t", Limit(rate=20, concurrency=8), max_wait=5)
    starts = _starts(gate, threads=8, per_thread=3)
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert min(gaps) >= 1 / (20 * PACING_MARGIN) - 0.005


def test_concurrency_is_capped() -> None:
    gate = Gate("t", Limit(rate=1000, concurrency=3), max_wait=5)
    active = peak = 0
    lock = threading.Lock()

    def work() -> None:
        nonlocal active, peak
        with gate.slot():
            with lock:
                active += 1
                peak = max(peak, active)
            time.sleep(0.05)
            with lock:
                active -= 1

    with ThreadPoolExecutor(max_workers=10) as pool:
        list(pool.map(lambda _: work(), range(20)))
    assert peak == 3


def test_headers_lower_the_limits_but_never_raise_them() -> None:
    gate = Gate("crossref", Limit(rate=5, concurrency=3), max_wait=5)
    gate.adapt({"x-rate-limit-limit": "2", "x-rate-limit-interval": "1s"})
    assert gate.limit == Limit(rate=2, concurrency=3)
    gate.adapt(
        {"x-rate-limit-limit": "50", "x-rate-limit-interval": "1s", "x-concurrency-limit": "1"}
    )
    assert gate.limit == Limit(rate=5, concurrency=1)
    gate.adapt({"x-rate-limit-limit": "3", "x-rate-limit-interval": "2m"})
    assert gate.limit.rate == pytest.approx(3 / 120)
    gate.adapt({"x-rate-limit-limit": "many", "x-concurrency-limit": "-1"})
    assert gate.limit.rate == pytest.approx(3 / 120)


def test_retry_after_blocks_the_gate() -> None:
    gate = Gate("crossref", Limit(rate=1000, concurrency=3), max_wait=2)
    gate.block(0.3)
    started = time.monotonic()
    with gate.slot():
        assert time.monotonic() - started >= 0.25
    gate.block(60)
    with pytest.raises(RateLimited, match="asked us to wait 60s, more than the 2s"), gate.slot():
        pass


# How long past `until` a gate may take to give up: a thread's wake-up on a busy machine.
GIVE_UP_SLACK = 0.2


@pytest.mark.parametrize("busy", ["every-slot-taken", "paced", "blocked"])
def test_a_wait_for_a_slot_ends_at_the_checks_deadline(busy: str) -> None:
    """A request the check no longer waits for gives up its place in the queue, whatever
    holds it there: slots all taken, pacing, or a Retry-After."""
    gate = Gate("url:slow.example", Limit(rate=0.5, concurrency=1), max_wait=30)
    release = threading.Event()
    if busy == "every-slot-taken":
        holder = threading.Thread(target=lambda: _hold(gate, release))
        holder.start()
        time.sleep(0.05)
    elif busy == "paced":
        with gate.slot():
            pass  # the next start is two seconds away
    else:
        gate.block(10)
    until = time.monotonic() + 0.3
    waiting = r"waiting for a turn at url:slow\.example"
    with pytest.raises(DeadlinePassed, match=waiting), gate.slot(until):
        pass
    assert until <= time.monotonic() < until + GIVE_UP_SLACK
    release.set()


def test_nothing_starts_once_the_deadline_has_passed() -> None:
    gate = Gate("t", Limit(rate=1000, concurrency=3), max_wait=5)
    with pytest.raises(DeadlinePassed), gate.slot(time.monotonic() - 0.01):
        pass
    with gate.slot(time.monotonic() + 1.0):
        pass  # a free gate, a deadline ahead: at once


def _hold(gate: Gate, release: threading.Event) -> None:
    with gate.slot():
        release.wait(5)


def test_tables_and_keys() -> None:
    public = Limiter(polite=False, max_wait=5)
    polite = Limiter(polite=True, max_wait=5)
    assert public.gate("crossref", "api.crossref.org").limit == Limit(5, 1)
    assert polite.gate("crossref", "api.crossref.org").limit == Limit(10, 3)
    assert public.gate("arxiv", "x").limit.rate == pytest.approx(1 / 3)
    # Sources are keyed by name whatever the host; web pages by host.
    assert public.gate("doi", "a") is public.gate("doi", "b")
    assert public.gate("crossref", "a") is not public.gate("doi", "a")
    assert public.gate("url", "a.org") is not public.gate("url", "b.org")


@pytest.mark.integration
def test_http_adapts_to_server_headers(local_server: LocalServer, tmp_path: Path) -> None:
    slow = {"x-rate-limit-limit": "2", "x-rate-limit-interval": "1s", "x-concurrency-limit": "1"}
    for i in range(3):
        local_server.on(f"/w/{i}", Reply(200, headers=slow))
    with Http(fast_config(tmp_path, mailto="me@example.org")) as http:
        for i in range(3):
            http.get(local_server.url(f"/w/{i}"), source="crossref")
        assert http.limiter.gate("crossref", "127.0.0.1").limit == Limit(2, 1)
    arrivals = [s.at for s in local_server.seen]
    assert arrivals[2] - arrivals[1] >= 1 / (2 * PACING_MARGIN) - 0.02


@pytest.mark.integration
def test_cache_hits_do_not_wait(local_server: LocalServer, tmp_path: Path) -> None:
    local_server.on("/abs", Reply(200))
    with Http(fast_config(tmp_path)) as http:
        http.get(local_server.url("/abs"), source="arxiv")  # arXiv: one request per 3 s
        started = time.monotonic()
        for _ in range(5):
            http.get(local_server.url("/abs"), source="arxiv")
        assert time.monotonic() - started < 0.5
