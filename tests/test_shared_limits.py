"""Shared limits (net/shared_limits.py) against a real redis-server: two `Limiter`s stand for
two workers, each with its own Redis connection pool, as two Ray actors would have."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from redis import Redis
from servers import LocalServer, Reply, fast_config, free_port

from factcheck.config import Config
from factcheck.errors import ConfigError, RateLimited, SourceUnavailable
from factcheck.net.deadline import DeadlinePassed
from factcheck.net.http import Http
from factcheck.net.limits import PACING_MARGIN, POLITE_LIMITS, Limit, Limiter, SourceGate
from factcheck.net.shared_limits import KEY_PREFIX, SharedLimits, shared_url

MAX_WAIT = 5.0
LEASE = 30.0
# Start times are read by the threads after the gate lets them go, so two of them may come
# out a little closer together than Redis let them start.
CLIENT_JITTER = 0.015
WINDOW = 1.0


@pytest.fixture
def workers(redis_url: str) -> Iterator[Callable[..., SharedLimits]]:
    """Builds SharedLimits on the test's Redis, one per simulated worker; closes them."""
    opened: list[SharedLimits] = []

    def make(*, lease_seconds: float = LEASE, max_wait: float = MAX_WAIT) -> SharedLimits:
        shared = SharedLimits(redis_url, max_wait=max_wait, lease_seconds=lease_seconds)
        opened.append(shared)
        return shared

    yield make
    for shared in opened:
        shared.close()


def _limiter(shared: SharedLimits) -> Limiter:
    return Limiter(polite=True, max_wait=MAX_WAIT, make_gate=shared.gate)


def _starts(gates: list[SourceGate], threads_per_gate: int, per_thread: int) -> list[float]:
    starts: list[float] = []
    lock = threading.Lock()

    def work(gate: SourceGate) -> None:
        for _ in range(per_thread):
            with gate.slot(), lock:
                starts.append(time.monotonic())

    threads = [
        threading.Thread(target=work, args=(gate,))
        for gate in gates
        for _ in range(threads_per_gate)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(starts)


def _most_in_a_window(times: list[float], window: float) -> int:
    return max(sum(1 for t in times if start <= t < start + window) for start in times)


def test_two_workers_share_one_pace(workers: Callable[..., SharedLimits]) -> None:
    """Crossref's polite pool (10/s, 3 at a time) from two Limiters, three threads each."""
    one, two = _limiter(workers()), _limiter(workers())
    gates = [one.gate("crossref", "api.crossref.org"), two.gate("crossref", "api.crossref.org")]
    starts = _starts(gates, threads_per_gate=3, per_thread=3)
    rate = POLITE_LIMITS["crossref"].rate
    interval = 1 / (rate * PACING_MARGIN)
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert len(starts) == 18
    assert min(gaps) >= interval - CLIENT_JITTER
    assert _most_in_a_window(starts, WINDOW) <= rate
    # Both workers got to go: the run took as long as one shared pace, not two.
    assert starts[-1] - starts[0] < (len(starts) - 1) * interval + 0.5


def test_concurrency_is_shared(workers: Callable[..., SharedLimits]) -> None:
    limit = Limit(rate=1000, concurrency=2)
    gates = [workers().gate("t", limit), workers().gate("t", limit)]
    active = peak = 0
    lock = threading.Lock()

    def work(gate: SourceGate) -> None:
        nonlocal active, peak
        for _ in range(3):
            with gate.slot():
                with lock:
                    active += 1
                    peak = max(peak, active)
                time.sleep(0.05)
                with lock:
                    active -= 1

    threads = [threading.Thread(target=work, args=(g,)) for g in gates for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert peak == 2


def test_a_crashed_workers_lease_expires(workers: Callable[..., SharedLimits]) -> None:
    limit = Limit(rate=1000, concurrency=1)
    crashed = workers(lease_seconds=0.4).gate("t", limit)
    # Take a lease and never give it back, as a worker killed mid-request would.
    crashed._acquire()  # type: ignore[attr-defined]
    survivor = workers().gate("t", limit)
    started = time.monotonic()
    with survivor.slot():
        waited = time.monotonic() - started
    assert 0.3 <= waited < 2.0


@pytest.mark.parametrize("waiters", [1, 2])
def test_a_wait_for_a_shared_slot_ends_at_the_checks_deadline(
    workers: Callable[..., SharedLimits], waiters: int
) -> None:
    """Another worker holds the only slot: a request whose check has given up stops
    waiting, also when it queues behind another thread of its own worker."""
    limit = Limit(rate=1000, concurrency=1)
    holder, waiting = workers().gate("t", limit), workers().gate("t", limit)
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with holder.slot():
            held.set()
            release.wait(5)

    def wait_until(until: float, outcomes: list[float]) -> None:
        with pytest.raises(DeadlinePassed), waiting.slot(until):
            pass
        outcomes.append(time.monotonic() - until)

    holding = threading.Thread(target=hold)
    holding.start()
    assert held.wait(5)
    until = time.monotonic() + 0.3
    late: list[float] = []
    threads = [threading.Thread(target=wait_until, args=(until, late)) for _ in range(waiters)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    release.set()
    holding.join()
    assert len(late) == waiters
    assert all(0 <= seconds < 0.3 for seconds in late), late


def test_slots_are_released(workers: Callable[..., SharedLimits], redis_url: str) -> None:
    gate = workers().gate("t", Limit(rate=1000, concurrency=1))
    for _ in range(3):
        with gate.slot():
            pass
    client = Redis.from_url(redis_url)
    try:
        assert client.zcard(f"{KEY_PREFIX}:{{t}}:leases") == 0
        # The state forgets itself when unused (IDLE_EXPIRY_SECONDS).
        assert client.pttl(f"{KEY_PREFIX}:{{t}}:state") > 0
    finally:
        client.close()


def test_retry_after_blocks_every_worker(workers: Callable[..., SharedLimits]) -> None:
    limit = Limit(rate=1000, concurrency=3)
    one, two = workers(max_wait=2).gate("t", limit), workers(max_wait=2).gate("t", limit)
    one.block(0.3)
    started = time.monotonic()
    with two.slot():
        assert time.monotonic() - started >= 0.25
    one.block(60)
    with pytest.raises(RateLimited, match="asked us to wait 60s, more than the 2s"), two.slot():
        pass


def test_headers_slow_every_worker(workers: Callable[..., SharedLimits]) -> None:
    limit = Limit(rate=50, concurrency=3)
    one, two = workers().gate("t", limit), workers().gate("t", limit)
    one.adapt({"x-rate-limit-limit": "5", "x-rate-limit-interval": "1s"})
    assert two.limit == Limit(rate=5, concurrency=3)
    starts = _starts([two], threads_per_gate=2, per_thread=2)
    assert min(b - a for a, b in itertools.pairwise(starts)) >= 1 / (5 * PACING_MARGIN) - 0.015
    # Never above our table; an absent header gives back the table's value.
    one.adapt({"x-rate-limit-limit": "500", "x-concurrency-limit": "1"})
    assert two.limit == Limit(rate=50, concurrency=1)
    one.adapt({"x-concurrency-limit": "2"})
    assert two.limit == Limit(rate=50, concurrency=2)


def test_where_the_limits_live(tmp_path: Path) -> None:
    redis = "redis://cache.example:6379/0"
    assert shared_url(Config(cache=str(tmp_path / "c.sqlite"))) is None
    assert shared_url(Config(cache=redis)) == redis
    assert shared_url(Config(cache=redis, limits_url="local")) is None
    assert shared_url(Config(cache="none", limits_url="redis://limits:1/2")) == "redis://limits:1/2"
    with pytest.raises(ConfigError, match="limits_url must be a redis:// URL"):
        Config.load(env={}, limits_url="memcached://x")


def test_redis_down_makes_lookups_fail_not_go_unlimited(tmp_path: Path) -> None:
    config = fast_config(tmp_path, limits_url=f"redis://127.0.0.1:{free_port()}/0")
    with Http(config) as http, pytest.raises(SourceUnavailable, match="shared rate limits"):
        http.get("http://127.0.0.1:1/never", source="crossref")


@pytest.mark.integration
def test_two_clients_pace_together_at_the_server(
    local_server: LocalServer, tmp_path: Path, redis_url: str
) -> None:
    """Two Http clients (two workers) on one shared limit: arrivals at the server are spaced
    as one client's would be."""
    for i in range(8):
        local_server.on(f"/w/{i}", Reply(200))
    clients = [
        Http(fast_config(tmp_path / str(n), cache="none", limits_url=redis_url)) for n in range(2)
    ]

    def fetch(client: Http, paths: range) -> None:
        for i in paths:
            client.get(local_server.url(f"/w/{i}"), source="crossref")

    try:
        threads = [
            threading.Thread(target=fetch, args=(client, range(n * 4, n * 4 + 4)))
            for n, client in enumerate(clients)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        for client in clients:
            client.close()
    arrivals = sorted(s.at for s in local_server.seen)
    assert len(arrivals) == 8
    public = 5.0  # no mailto: Crossref's public pool
    assert (
        min(b - a for a, b in itertools.pairwise(arrivals)) >= 1 / (public * PACING_MARGIN) - 0.02
    )
