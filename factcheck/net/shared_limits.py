"""Per-source limits shared by every process and machine through Redis.

A local `limits.Gate` keeps each source's limits for one process. When many workers check at
once (the Ray actors of `integrations.ray`, several `factcheck run` jobs), each would keep
its own, and N workers would together send N times what a source allows: Crossref counts
per IP address, not per process. A `SharedGate` keeps the same state in Redis instead, so
every worker that names the same Redis shares one set of limits, with the local gate's
semantics:

- **pacing**: a Lua script claims the next start atomically. It reads the last start,
  and when `now >= last + 1/rate` (at `limits.PACING_MARGIN` of the rate) it records `now`
  as the new last start and lets the caller go; otherwise it answers how long to wait, and
  the caller sleeps that long and asks again. As in the local gate, a start is counted from
  when it really happened, not from when it was due, so a worker that wakes late cannot
  bunch up the ones after it (a reservation ahead of time would allow that). `now` is the
  Redis server's clock (`TIME`), so the workers' own clocks never matter.
- **concurrency**: the same script holds a lease for the request, a member of a sorted set
  scored by when the lease expires; releasing removes it. A worker that dies mid-request
  (an actor killed, a machine gone) cannot hold its slot for ever: expired leases are
  dropped before counting. A lease lasts as long as a request can (`lease_seconds`: the
  connect and read time-outs and the body deadline, plus a grace).
- **adapting**: rates and concurrencies announced by the servers' headers are stored in
  Redis, so one worker's 429 or header slows every worker down; a `Retry-After` blocks the
  gate for everyone until the stored time.

Within one process, one thread at a time negotiates with Redis for a gate (a local lock),
so waking workers do not all poll the server at once. A worker that finds every slot taken
asks again after `BUSY_POLL_SECONDS` (jittered): Redis has no condition variable that
would wake it, and polling a few times per request start costs Redis next to nothing.

Keys expire after `IDLE_EXPIRY_SECONDS` without use, so an old run's state (a header's
lower rate, a block) does not outlive it by long. Both keys of a gate carry the same hash
tag, so the script also works on a Redis Cluster.

Redis being unreachable makes the lookup fail (SourceUnavailable, so `unverifiable`),
never go out unlimited.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING, Any

from ..config import LOCAL_LIMITS, REDIS_URL_SCHEMES, Config
from ..errors import ConfigError, RateLimited, SourceUnavailable
from .deadline import no_turn_by_due
from .limits import PACING_MARGIN, Limit, SourceGate, advertised_limits

if TYPE_CHECKING:
    from redis import Redis
    from redis.commands.core import Script
    from redis.typing import EncodableT, FieldT

KEY_PREFIX = "factcheck:limits"
# How long a gate's state is kept in Redis after its last use.
IDLE_EXPIRY_SECONDS = 3600.0
# How soon a worker asks again when every concurrent slot is taken, and the share of it
# drawn at random so that workers do not ask in lockstep.
BUSY_POLL_SECONDS = 0.02
BUSY_POLL_JITTER = 0.5
# Added to the longest a request can take when sizing its lease.
LEASE_GRACE_SECONDS = 5.0
MICROS = 1_000_000

# What the acquire script answers, with a number of microseconds.
GO, WAIT, BUSY, BLOCKED = 0, 1, 2, 3

# KEYS: the gate's hash (last start, blocked-until, announced rate and concurrency) and its
# leases (a sorted set of tokens scored by expiry). ARGV: our table's rate and concurrency,
# the pacing margin, the lease in seconds, the lease's token, the longest block we wait
# for, and the idle expiry in milliseconds. Times are seconds on the Redis server's clock.
_ACQUIRE = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'last', 'blocked', 'rate', 'concurrency')
local rate = math.min(tonumber(ARGV[1]), tonumber(state[3]) or math.huge)
local concurrency = math.min(tonumber(ARGV[2]), tonumber(state[4]) or math.huge)
local blocked = tonumber(state[2]) or 0
if blocked - now > tonumber(ARGV[6]) then
  return {3, math.floor((blocked - now) * 1000000)}
end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
if redis.call('ZCARD', KEYS[2]) >= concurrency then
  return {2, 0}
end
local due = math.max((tonumber(state[1]) or 0) + 1 / (rate * tonumber(ARGV[3])), blocked)
if now < due then
  return {1, math.ceil((due - now) * 1000000)}
end
redis.call('HSET', KEYS[1], 'last', string.format('%.6f', now))
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[4]), ARGV[5])
redis.call('PEXPIRE', KEYS[1], ARGV[7])
redis.call('PEXPIRE', KEYS[2], ARGV[7])
return {0, 0}
"""

# KEYS: the gate's hash. ARGV: seconds to block, idle expiry in milliseconds. Keeps the
# later of the stored and the new block, and the key at least until that block ends.
_BLOCK = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local blocked = math.max(tonumber(redis.call('HGET', KEYS[1], 'blocked')) or 0,
                         now + tonumber(ARGV[1]))
redis.call('HSET', KEYS[1], 'blocked', string.format('%.6f', blocked))
redis.call('PEXPIRE', KEYS[1], math.floor((blocked - now) * 1000) + tonumber(ARGV[2]))
return 0
"""


def shared_url(config: Config) -> str | None:
    """The Redis URL whose limits this config shares, or None for limits in this process.

    `limits_url` decides; left unset, the limits follow the cache: a Redis cache means the
    cache is shared between workers, so the limits must be too.
    """
    if config.limits_url == LOCAL_LIMITS:
        return None
    if config.limits_url is not None:
        return config.limits_url
    cache = config.cache.strip()
    return cache if cache.startswith(REDIS_URL_SCHEMES) else None


def open_shared(config: Config) -> SharedLimits | None:
    """The shared limits `config` names (see `shared_url`), or None."""
    url = shared_url(config)
    if url is None:
        return None
    return SharedLimits(url, max_wait=config.max_retry_after, lease_seconds=lease_seconds(config))


def lease_seconds(config: Config) -> float:
    """The longest one request can hold a slot: connecting, the wait for the answer's
    headers and the deadline for its body (net.http), plus a grace."""
    return config.connect_timeout + 2 * config.timeout + LEASE_GRACE_SECONDS


class SharedLimits:
    """One Redis connection pool, and the shared gates built on it (a `limits.GateFactory`)."""

    def __init__(self, url: str, *, max_wait: float, lease_seconds: float) -> None:
        try:
            from redis import Redis
        except ImportError as exc:
            raise ConfigError(
                "shared rate limits need the redis package: pip install 'factcheck[redis]'"
            ) from exc
        self.url = url
        self.redis: Redis = Redis.from_url(url)
        self.max_wait = max_wait
        self.lease_seconds = lease_seconds
        self.acquire_script: Script = self.redis.register_script(_ACQUIRE)
        self.block_script: Script = self.redis.register_script(_BLOCK)

    def gate(self, name: str, limit: Limit) -> SourceGate:
        """The gate for `name` with `limit`, kept in Redis."""
        return SharedGate(name, limit, self)

    def close(self) -> None:
        """Close the Redis connection."""
        self.redis.close()


class SharedGate:
    """A `limits.SourceGate` whose state lives in Redis. Thread- and process-safe."""

    def __init__(self, name: str, limit: Limit, shared: SharedLimits) -> None:
        self.name = name
        self.ceiling = limit
        self._shared = shared
        # One hash tag for both keys: a script's keys must live in one Redis Cluster slot.
        self._state_key = f"{KEY_PREFIX}:{{{name}}}:state"
        self._leases_key = f"{KEY_PREFIX}:{{{name}}}:leases"
        self._negotiating = threading.Lock()
        self._idle_ms = str(int(IDLE_EXPIRY_SECONDS * 1000))

    @property
    def limit(self) -> Limit:
        """Our table's limits, lowered by what any worker's server headers announced."""
        with _store_errors(self.name):
            rate, concurrency = self._shared.redis.hmget(self._state_key, ["rate", "concurrency"])
        return Limit(
            rate=min(self.ceiling.rate, float(rate) if rate else self.ceiling.rate),
            concurrency=min(
                self.ceiling.concurrency,
                int(concurrency) if concurrency else self.ceiling.concurrency,
            ),
        )

    @contextmanager
    def slot(self, until: float | None = None) -> Iterator[None]:
        """Hold a shared concurrent slot, starting no earlier than the shared pacing allows.

        Raises RateLimited at once when the server asked (any worker) to stay away longer
        than `max_wait`, SourceUnavailable when Redis cannot be reached, and DeadlinePassed
        when no slot is ours by `until` (`time.monotonic()`).
        """
        token = self._acquire(until)
        try:
            yield
        finally:
            self._release(token)

    def block(self, seconds: float) -> None:
        """The server said to come back in `seconds`: hold every worker's requests."""
        with _store_errors(self.name):
            self._shared.block_script(
                keys=[self._state_key], args=[f"{seconds:.6f}", self._idle_ms]
            )

    def adapt(self, headers: Mapping[str, str]) -> None:
        """Store what the headers announce for every worker; an absent header restores our
        table's value, as in the local gate."""
        rate, concurrency = advertised_limits(headers)
        if rate is None and concurrency is None:
            return
        announced = {"rate": rate, "concurrency": concurrency}
        with _store_errors(self.name), self._shared.redis.pipeline() as pipe:
            present: dict[FieldT, EncodableT] = {
                field: str(value) for field, value in announced.items() if value is not None
            }
            pipe.hset(self._state_key, mapping=present)
            absent = [field for field, value in announced.items() if value is None]
            if absent:
                pipe.hdel(self._state_key, *absent)
            pipe.pexpire(self._state_key, int(IDLE_EXPIRY_SECONDS * 1000))
            pipe.execute()

    def _acquire(self, until: float | None = None) -> str:
        """Ask Redis for a start and a lease until it grants both; the lease's token."""
        token = uuid.uuid4().hex
        args = [
            repr(self.ceiling.rate),
            str(self.ceiling.concurrency),
            repr(PACING_MARGIN),
            repr(self._shared.lease_seconds),
            token,
            repr(self._shared.max_wait),
            self._idle_ms,
        ]
        keys = [self._state_key, self._leases_key]
        if not self._negotiating.acquire(timeout=_seconds_until(until)):
            raise no_turn_by_due(self.name)
        try:
            while True:
                if until is not None and time.monotonic() >= until:
                    raise no_turn_by_due(self.name)
                with _store_errors(self.name):
                    answer: Any = self._shared.acquire_script(keys=keys, args=args)
                code, micros = int(answer[0]), int(answer[1])
                if code == GO:
                    return token
                if code == BLOCKED:
                    raise RateLimited(
                        f"{self.name} asked us to wait {micros / MICROS:.0f}s, "
                        f"more than the {self._shared.max_wait:.0f}s we allow"
                    )
                if code == WAIT:
                    pause = micros / MICROS
                else:
                    pause = BUSY_POLL_SECONDS * (1 + BUSY_POLL_JITTER * random.random())
                time.sleep(min(pause, _seconds_until(until, pause)))
        finally:
            self._negotiating.release()

    def _release(self, token: str) -> None:
        """Give the slot back. If Redis cannot be reached now, the lease expires by itself."""
        from redis import RedisError

        with suppress(RedisError):
            self._shared.redis.zrem(self._leases_key, token)


def _seconds_until(until: float | None, otherwise: float = -1) -> float:
    """Seconds from now to `until`, or `otherwise` when there is no `until` (-1: a lock
    wait without a timeout)."""
    return otherwise if until is None else max(0.0, until - time.monotonic())


@contextmanager
def _store_errors(name: str) -> Iterator[None]:
    """Redis failures as SourceUnavailable: the lookup becomes unverifiable, and no request
    goes out unlimited."""
    from redis import RedisError

    try:
        yield
    except RedisError as exc:
        raise SourceUnavailable(
            f"the shared rate limits of {name} could not be read from Redis ({exc})"
        ) from exc
