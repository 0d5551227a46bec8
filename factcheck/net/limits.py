"""Per-source rate and concurrency limits, adapting to what the server says.

Every request that really goes to the network passes a `Gate` first (the HTTP adapters in
`net.http` call it, so cache hits never wait). A gate does two things:

- **concurrency**: at most `concurrency` requests of its key are in flight at once;
- **pacing**: request starts are spaced evenly, `1 / rate` seconds apart. Spacing rather
  than "N per window" matters because servers count requests in a sliding window: eight
  threads released together at the top of a second look like a burst, even when the total
  per second is right. Each start is counted from when the previous one really started,
  not from when it was due, so a thread that wakes late cannot bunch up the ones after it;
  and we pace at `PACING_MARGIN` of the allowed rate, so that what jitter remains between
  our start and the server's clock (sending, the server's own scheduling) has room: at
  0.95, the 11 starts of a 10/s limit span 1.05 s, 50 ms more than a sliding second.

Keys are source names (`crossref`, `doi`, …) as passed to `Http.get`, not API hosts: a
mirror or a test fake may serve several sources from one host. Web pages (`url`) are keyed
per host, since each site is its own server. A host given a rate or concurrency of its own
(`config.hosts`) has one gate, keyed by the host, whichever source asks it.

Gates adapt at run time: `x-rate-limit-limit` / `x-rate-limit-interval` and
`x-concurrency-limit` in a response lower the limits (never above our table: a header is
taken as a request to slow down, not as an invitation to hurry), and a `Retry-After` blocks
the whole gate, so other threads wait too instead of running into the same 429.

Why not pyrate-limiter: its rates are fixed when the limiter is built and it has no
concurrency limit, while we need both, changed by headers mid-run. A condition variable and
two timestamps do it in a few dozen lines.

A `Gate` holds its state in this process. When several processes or machines check at once
(Ray workers), their limits must be one: Crossref counts per IP address, not per process.
`net.shared_limits` keeps the same state in Redis instead, with the same semantics; a
`Limiter` built with `make_gate=SharedLimits.gate` hands out those gates (`SourceGate` is
what both kinds offer the HTTP adapters).
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Protocol

from ..configfile import HostOverride
from ..errors import RateLimited
from .deadline import no_turn_by_due, not_needed, settling, superseded


@dataclass(frozen=True)
class Limit:
    """What a source allows: request starts per second, and requests in flight at once."""

    rate: float
    concurrency: int


# Documented limits of the public APIs (anonymous use).
PUBLIC_LIMITS: dict[str, Limit] = {
    # Crossref since 2025: public pool 5 requests/s, 1 at a time.
    "crossref": Limit(rate=5.0, concurrency=1),
    # doi.org publishes no limit; content negotiation is served by the registration agencies
    # (mostly Crossref's polite pool), so stay at that level.
    "doi": Limit(rate=10.0, concurrency=3),
    # arXiv API terms: one request every three seconds, a single connection.
    "arxiv": Limit(rate=1 / 3, concurrency=1),
    # NCBI E-utilities without an API key: 3 requests/s.
    "pubmed": Limit(rate=3.0, concurrency=3),
    # Open Library asks for about one request per second from anonymous clients.
    "openlibrary": Limit(rate=1.0, concurrency=1),
    # OpenAlex: at most 10 requests/s per client.
    "openalex": Limit(rate=10.0, concurrency=3),
    # dblp's FAQ: "you should always be fine when waiting for at least one or two second[s]
    # between two consecutive requests"; excessive clients get 429 with Retry-After.
    "dblp": Limit(rate=1.0, concurrency=1),
    # Any one web site: a person clicking quickly, not a crawler.
    "url": Limit(rate=2.0, concurrency=2),
}

# With a contact address (config.mailto): Crossref's polite pool, Open Library's identified
# clients.
POLITE_LIMITS: dict[str, Limit] = {
    **PUBLIC_LIMITS,
    "crossref": Limit(rate=10.0, concurrency=3),
    "openlibrary": Limit(rate=3.0, concurrency=1),
}

# A source this table does not know (a third-party resolver).
UNKNOWN_SOURCE_LIMIT = Limit(rate=2.0, concurrency=2)

# Sources whose limits apply per host rather than to the source as a whole.
PER_HOST_SOURCES = frozenset({"url"})
# Gate keys of the hosts given a rate or concurrency of their own (`config.hosts`).
HOST_GATE_PREFIX = "host:"

# How often a request waiting for its turn looks whether its claim was settled meanwhile
# (`deadline.superseded`): a fraction of the shortest pacing interval we keep (0.1 s).
SETTLED_POLL_SECONDS = 0.05

# Fraction of the allowed rate we actually use (see the module docstring). benchmarks/
# bench_cold_rate.py measures what it gives against a strict fake: 95% of the limit, no 429,
# also with both cores busy.
PACING_MARGIN = 0.95

RATE_LIMIT_HEADER = "x-rate-limit-limit"
RATE_INTERVAL_HEADER = "x-rate-limit-interval"
CONCURRENCY_HEADER = "x-concurrency-limit"


class SourceGate(Protocol):
    """What the HTTP adapters ask of a gate, kept in this process (`Gate`) or in Redis
    (`shared_limits.SharedGate`)."""

    name: str

    @property
    def limit(self) -> Limit:
        """The limits in force now: the table's, lowered by what the server announced."""
        ...

    def slot(self, until: float | None = None) -> AbstractContextManager[None]:
        """Hold a concurrent slot, starting no earlier than pacing allows; DeadlinePassed
        when that would be after `until` (`time.monotonic()`)."""
        ...

    def block(self, seconds: float) -> None:
        """Hold every request of this gate for `seconds` (the server's Retry-After)."""
        ...

    def adapt(self, headers: Mapping[str, str]) -> None:
        """Lower the limits to what the response headers announce."""
        ...


# Builds the gate of one key with its table limit; a Limiter's default builds a local Gate.
GateFactory = Callable[[str, Limit], SourceGate]


class Clock(Protocol):
    """Where a local gate reads the time and waits: `SYSTEM_CLOCK`, or a test's own, so
    that pacing is tested in simulated time rather than measured on a busy machine."""

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back, as `time.monotonic`."""
        ...

    def wait(self, condition: threading.Condition, seconds: float | None) -> None:
        """Wait on `condition` (held by the caller) until it is notified or `seconds` have
        passed (None: until notified)."""
        ...


class SystemClock:
    """The real time: `time.monotonic`, and the condition's own timed wait."""

    def monotonic(self) -> float:
        """`time.monotonic()`."""
        return time.monotonic()

    def wait(self, condition: threading.Condition, seconds: float | None) -> None:
        """Wait on `condition` for up to `seconds` (None: until notified)."""
        condition.wait(seconds)


SYSTEM_CLOCK = SystemClock()

_INTERVAL = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$", re.IGNORECASE)
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


class Gate:
    """Concurrency and pacing for one key. Thread-safe."""

    def __init__(
        self, name: str, limit: Limit, *, max_wait: float, clock: Clock = SYSTEM_CLOCK
    ) -> None:
        self.name = name
        self.ceiling = limit
        self.limit = limit
        self._max_wait = max_wait
        self._clock = clock
        self._cond = threading.Condition()
        self._active = 0
        self._next_start = 0.0
        self._blocked_until = 0.0

    @contextmanager
    def slot(self, until: float | None = None) -> Iterator[None]:
        """Hold one of the gate's concurrent slots, starting no earlier than pacing allows.

        Raises RateLimited at once when the server has asked us to stay away for longer than
        `max_wait`: waiting that long would stall the whole run; DeadlinePassed when no
        slot is ours by `until` (the check this request serves has given up by then); and
        Superseded when another source settles the claim while the request waits.
        """
        self._enter(until)
        try:
            yield
        finally:
            with self._cond:
                self._active -= 1
                self._cond.notify_all()

    def _enter(self, until: float | None) -> None:
        """Wait for a free slot and for the next start time, then claim both.

        The next start is counted from the moment this one really starts, not from when it
        was due: a thread that wakes late (a busy machine) then delays the ones after it,
        instead of leaving them closer to it than the server allows.
        """
        with self._cond:
            while True:
                now = self._clock.monotonic()
                blocked = self._blocked_until - now
                if blocked > self._max_wait:
                    raise RateLimited(
                        f"{self.name} asked us to wait {blocked:.0f}s, "
                        f"more than the {self._max_wait:.0f}s we allow"
                    )
                if until is not None and now >= until:
                    raise no_turn_by_due(self.name)
                if superseded():
                    raise not_needed(self.name)
                if self._active >= self.limit.concurrency:
                    left = None if until is None else until - now
                    self._clock.wait(self._cond, _wait_at_most(left))
                    continue
                due = max(self._next_start, self._blocked_until)
                if now >= due:
                    break
                self._clock.wait(
                    self._cond, _wait_at_most(due - now if until is None else min(due, until) - now)
                )
            self._next_start = now + paced_interval(self.limit.rate)
            self._active += 1

    def block(self, seconds: float) -> None:
        """The server said to come back in `seconds` (Retry-After): hold every thread."""
        with self._cond:
            self._blocked_until = max(self._blocked_until, self._clock.monotonic() + seconds)

    def adapt(self, headers: Mapping[str, str]) -> None:
        """Lower the limits to what the response headers announce (never above the table)."""
        rate, concurrency = advertised_limits(headers)
        if rate is None and concurrency is None:
            return
        with self._cond:
            self.limit = Limit(
                rate=min(self.ceiling.rate, rate or self.ceiling.rate),
                concurrency=min(self.ceiling.concurrency, concurrency or self.ceiling.concurrency),
            )
            self._cond.notify_all()


class Limiter:
    """The gates of one Http client, created on first use: local `Gate`s, or those that
    `make_gate` builds (shared ones, `net.shared_limits`).

    A host that `hosts` gives a rate or concurrency has one gate of its own, whichever source
    asks it: the limit is the server's, not the source's.
    """

    def __init__(
        self,
        *,
        polite: bool,
        max_wait: float,
        make_gate: GateFactory | None = None,
        hosts: Mapping[str, HostOverride] | None = None,
        sources: Mapping[str, Limit] | None = None,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        # `sources`: the limits that plugin sources declare; never those of a built-in name.
        self._table = {**(sources or {}), **(POLITE_LIMITS if polite else PUBLIC_LIMITS)}
        self._hosts = {h: o for h, o in (hosts or {}).items() if o.sets_limits()}
        self._max_wait = max_wait
        self._clock = clock
        self._make_gate = make_gate or self._local_gate
        self._gates: dict[str, SourceGate] = {}
        self._lock = threading.Lock()

    def gate(self, source: str, host: str) -> SourceGate:
        """The gate of a request to `host` from `source`: the host's own when it has overrides, per
        host for web pages, else the source's."""
        key = f"{source}:{host}" if source in PER_HOST_SOURCES else source
        override = self._hosts.get(host)
        if override is not None:
            key = HOST_GATE_PREFIX + host
        with self._lock:
            if key not in self._gates:
                limit = self._table.get(source, UNKNOWN_SOURCE_LIMIT)
                self._gates[key] = self._make_gate(key, _overridden(limit, override))
            return self._gates[key]

    def _local_gate(self, key: str, limit: Limit) -> SourceGate:
        return Gate(key, limit, max_wait=self._max_wait, clock=self._clock)


def _wait_at_most(seconds: float | None) -> float | None:
    """How long a waiting request may sleep before looking again: `seconds`, but no more than
    SETTLED_POLL_SECONDS when its claim may be settled meanwhile (nothing notifies the gate)."""
    if not settling():
        return seconds
    return SETTLED_POLL_SECONDS if seconds is None else min(seconds, SETTLED_POLL_SECONDS)


def _overridden(limit: Limit, override: HostOverride | None) -> Limit:
    """`limit` with what a host's override sets in its place."""
    if override is None:
        return limit
    return Limit(
        rate=limit.rate if override.rate is None else override.rate,
        concurrency=limit.concurrency if override.concurrency is None else override.concurrency,
    )


def paced_interval(rate: float) -> float:
    """Seconds between two starts at `rate` requests per second, less PACING_MARGIN."""
    return 1 / (rate * PACING_MARGIN)


def advertised_limits(headers: Mapping[str, str]) -> tuple[float | None, int | None]:
    """The rate (requests per second) and concurrency a response announces, each None when
    its headers are absent or unreadable."""
    return _advertised_rate(headers), _positive_int(headers.get(CONCURRENCY_HEADER))


def _advertised_rate(headers: Mapping[str, str]) -> float | None:
    """Requests per second from x-rate-limit-limit over x-rate-limit-interval (default 1s)."""
    count = _positive_int(headers.get(RATE_LIMIT_HEADER))
    if count is None:
        return None
    interval = _interval_seconds(headers.get(RATE_INTERVAL_HEADER, "1s"))
    return count / interval if interval else None


def _interval_seconds(raw: str) -> float | None:
    match = _INTERVAL.match(raw)
    if not match:
        return None
    seconds = float(match.group(1)) * _UNIT_SECONDS[(match.group(2) or "s").lower()]
    return seconds if seconds > 0 else None


def _positive_int(raw: str | None) -> int | None:
    if raw is None or not raw.strip().isdigit():
        return None
    value = int(raw.strip())
    return value if value > 0 else None
