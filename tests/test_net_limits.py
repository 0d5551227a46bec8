"""Per-source limits: pacing, concurrency, adapting to headers, and a strict fake server.

Pacing is tested in simulated time (`FakeClock`): a gate's waits advance the clock instead of
sleeping, so the starts it allows are exact, whatever the machine's load.
"""

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
from factcheck.net.limits import PACING_MARGIN, Gate, Limit, Limiter, paced_interval


class FakeClock:
    """Simulated time: a timed wait returns at once, the clock moved on by its length (and
    the condition released for a moment, so that other threads may take their turn); an
    untimed wait is a real wait for a notification. Every timed wait is recorded."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.waits: list[float] = []
        self._lock = threading.Lock()

    def monotonic(self) -> float:
        with self._lock:
            return self.now

    def wait(self, condition: threading.Condition, seconds: float | None) -> None:
        if seconds is None:
            condition.wait()
            return
        with self._lock:
            self.waits.append(seconds)
            self.now += max(seconds, 0.0)
        condition.wait(0)


def _starts(gate: Gate, clock: FakeClock, threads: int, per_thread: int) -> list[float]:
    starts: list[float] = []
    lock = threading.Lock()

    def work() -> None:
        for _ in range(per_thread):
            with gate.slot(), lock:
                starts.append(clock.monotonic())

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return sorted(starts)


@pytest.mark.parametrize("rate", [20.0, 1 / 3, 5.0])
def test_starts_are_spaced_exactly_one_interval_apart(rate: float) -> None:
    clock = FakeClock()
    gate = Gate("t", Limit(rate=rate, concurrency=8), max_wait=5, clock=clock)
    starts = _starts(gate, clock, threads=1, per_thread=6)
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert gaps == pytest.approx([1 / (rate * PACING_MARGIN)] * 5)


@pytest.mark.parametrize("threads", [2, 8])
def test_starts_from_many_threads_are_never_closer_than_the_interval(threads: int) -> None:
    clock = FakeClock()
    gate = Gate("t", Limit(rate=20, concurrency=8), max_wait=5, clock=clock)
    starts = _starts(gate, clock, threads=threads, per_thread=3)
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert len(starts) == threads * 3
    assert min(gaps) >= paced_interval(20) - 1e-9


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


@pytest.mark.parametrize("seconds", [0.3, 1.5])
def test_retry_after_blocks_the_gate(seconds: float) -> None:
    clock = FakeClock()
    gate = Gate("crossref", Limit(rate=1000, concurrency=3), max_wait=2, clock=clock)
    gate.block(seconds)
    started = clock.monotonic()
    with gate.slot():
        assert clock.monotonic() - started == pytest.approx(seconds)
    gate.block(60)
    with pytest.raises(RateLimited, match="asked us to wait 60s, more than the 2s"), gate.slot():
        pass


@pytest.mark.parametrize("busy", ["every-slot-taken", "paced", "blocked"])
def test_a_wait_for_a_slot_ends_at_the_checks_deadline(busy: str) -> None:
    """A request the check no longer waits for gives up its place in the queue, whatever
    holds it there: slots all taken, pacing, or a Retry-After."""
    clock = FakeClock()
    gate = Gate("url:slow.example", Limit(rate=0.5, concurrency=1), max_wait=30, clock=clock)
    held, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=lambda: _hold(gate, held, release))
    if busy == "every-slot-taken":
        holder.start()
        assert held.wait(5)
    elif busy == "paced":
        with gate.slot():
            pass  # the next start is two seconds away
    else:
        gate.block(10)
    until = clock.monotonic() + 0.3
    waiting = r"waiting for a turn at url:slow\.example"
    with pytest.raises(DeadlinePassed, match=waiting), gate.slot(until):
        pass
    assert clock.monotonic() == pytest.approx(until)
    release.set()
    if holder.is_alive():
        holder.join()


def test_nothing_starts_once_the_deadline_has_passed() -> None:
    clock = FakeClock()
    gate = Gate("t", Limit(rate=1000, concurrency=3), max_wait=5, clock=clock)
    with pytest.raises(DeadlinePassed), gate.slot(clock.monotonic() - 0.01):
        pass
    with gate.slot(clock.monotonic() + 1.0):
        pass  # a free gate, a deadline ahead: at once
    assert clock.waits == []


def _hold(gate: Gate, held: threading.Event, release: threading.Event) -> None:
    with gate.slot():
        held.set()
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
    clock = FakeClock()
    with Http(fast_config(tmp_path, mailto="me@example.org"), clock=clock) as http:
        for i in range(3):
            http.get(local_server.url(f"/w/{i}"), source="crossref")
        assert http.limiter.gate("crossref", "127.0.0.1").limit == Limit(2, 1)
    # The second request waited for the table's pace (10/s), the third for the announced 2/s.
    assert clock.waits == pytest.approx([paced_interval(10), paced_interval(2)])


@pytest.mark.integration
def test_cache_hits_do_not_wait(local_server: LocalServer, tmp_path: Path) -> None:
    local_server.on("/abs", Reply(200))
    clock = FakeClock()
    with Http(fast_config(tmp_path), clock=clock) as http:
        http.get(local_server.url("/abs"), source="arxiv")  # arXiv: one request per 3 s
        for _ in range(5):
            http.get(local_server.url("/abs"), source="arxiv")
    assert local_server.hits("/abs") == 1
    assert clock.waits == []
