"""Time limits on the network: one answer, one lookup, and the check a lookup serves.

Three clocks, from the innermost:

- **An answer** (`AnswerDeadline`). urllib3's read timeout bounds each wait for bytes, not
  the answer. A server that sends one byte a second, in its status line and headers as well
  as in its body, never trips it, and would hold a worker thread and a rate-limit slot for
  as long as it liked. So every request that goes to the network runs under a deadline
  (`net.http.SourceAdapter` opens one with `answer_deadline`): once the request is sent, a
  timer runs, and if the answer is not in when it fires, it shuts the connection's socket
  down. The read blocked on that socket returns at once, and the adapter, seeing `expired`,
  says that the source did not answer in time.
- **A lookup** (`TimeBudget`). One URL check or one API lookup may make many requests:
  redirect hops, retries. Each would have its own deadline, so eleven hops of a slow chain
  would take eleven timeouts. A lookup therefore has one budget (`time_budget`, opened by
  `Http.get`, `Http.page` and the web resolver around its redirect chain), and every answer
  it waits for is given only what is left of it. What counts is the time spent on the
  network (connecting, sending, waiting for and reading the answer); waits we impose
  ourselves (a rate limit's turn, a Retry-After) do not, since they are bounded elsewhere
  (`max_retry_after`) and would otherwise make politeness look like a slow server.
- **A check** (`stopping_at`). A `Checker.check` with a deadline returns when it passes; the
  lookups it stopped waiting for then start nothing new (no wait for a rate-limit slot, no
  retry, no further redirect hop or source): they raise `DeadlinePassed`. An answer
  already on its way is still read, within its lookup's budget, so that it reaches the
  caches for the next check.

A lookup can also be stopped before its time: a claim's searches run side by side
(`factcheck.chain`), and once one source settles the claim, the requests of the others that
are still waiting for their turn at a rate limit are no longer worth sending
(`superseded_by`): they raise `Superseded` instead.

urllib3 gives no hook between sending a request and reading its answer, so the connection
classes here start the current thread's answer deadline in `getresponse`, and `watch_pools`
makes a pool manager build its pools with them. A SOCKS proxy's pools are left as they
are: their answers keep urllib3's read timeout only.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from typing import TypeVar

from urllib3 import PoolManager
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.poolmanager import pool_classes_by_scheme as URLLIB3_POOLS
from urllib3.response import HTTPResponse

from ..errors import SourceUnavailable

T = TypeVar("T")
R = TypeVar("R")


class DeadlinePassed(SourceUnavailable):
    """The check this lookup serves has passed its deadline: nothing new is started."""


class Superseded(SourceUnavailable):
    """Another source has settled the claim this request was for: it is not sent."""


class AnswerDeadline:
    """The moment (`time.monotonic()`) one answer must be in by. Thread-safe: its timer
    fires in another thread."""

    def __init__(self, due: float) -> None:
        self.due = due
        # True once the timer has cut the connection: whatever the read then raised or
        # returned is the deadline's doing, not the server's.
        self.expired = False
        self._sock: socket.socket | None = None
        self._timer: threading.Timer | None = None
        self._lock = threading.Lock()

    def start(self, sock: socket.socket) -> None:
        """The request has been sent on `sock`: cut it at `due` if the answer is not in."""
        with self._lock:
            if self._timer is not None:
                return
            self._sock = sock
            self._timer = threading.Timer(max(0.0, self.due - time.monotonic()), self._expire)
            self._timer.daemon = True
            self._timer.start()

    def stop(self) -> None:
        """The answer is in (or abandoned): the connection is no longer ours to cut."""
        with self._lock:
            self._sock = None
            if self._timer is not None:
                self._timer.cancel()

    def _expire(self) -> None:
        with self._lock:
            if self._sock is None:
                return
            self.expired = True
            with suppress(OSError):  # already closed by the other side
                self._sock.shutdown(socket.SHUT_RDWR)


class _Current(threading.local):
    deadline: AnswerDeadline | None = None


_current = _Current()


@contextmanager
def answer_deadline(seconds: float) -> Iterator[AnswerDeadline]:
    """A deadline `seconds` from now for the request this thread sends next, its answer
    included (connecting counts: the timer is set for what is left once it is sent)."""
    deadline = AnswerDeadline(time.monotonic() + seconds)
    _current.deadline = deadline
    try:
        yield deadline
    finally:
        _current.deadline = None
        deadline.stop()


class TimeBudget:
    """The seconds one lookup may spend on the network, across every request it makes.

    Used by one thread at a time: a lookup's requests follow one another."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.spent = 0.0

    @property
    def left(self) -> float:
        """Seconds the lookup may still spend."""
        return self.seconds - self.spent

    def charge(self, seconds: float) -> None:
        """Count `seconds` spent on the network against the budget."""
        self.spent += seconds


# The budget of the lookup running in this context, and when the check it serves gives up.
_budget: ContextVar[TimeBudget | None] = ContextVar("factcheck_time_budget", default=None)
_check_due: ContextVar[float | None] = ContextVar("factcheck_check_due", default=None)
# Set once another source has settled the claim that the lookup in this context serves.
_settled: ContextVar[threading.Event | None] = ContextVar("factcheck_settled", default=None)


@contextmanager
def time_budget(seconds: float) -> Iterator[TimeBudget]:
    """The lookup's budget: a new one of `seconds`, or, inside a lookup that already has
    one (a redirect hop of a URL check), that one: a lookup has a single budget."""
    outer = _budget.get()
    if outer is not None:
        yield outer
        return
    budget = TimeBudget(seconds)
    token = _budget.set(budget)
    try:
        yield budget
    finally:
        _budget.reset(token)


def current_budget() -> TimeBudget | None:
    """The time budget of the lookup running in this context, if any."""
    return _budget.get()


def check_due() -> float | None:
    """When the check served by this thread's lookup stops waiting (`time.monotonic()`),
    or None when it never does (a batch, or no deadline)."""
    return _check_due.get()


def no_turn_by_due(gate: str) -> DeadlinePassed:
    """What a rate-limit gate raises when the check's deadline passes while a request waits
    for its turn."""
    return DeadlinePassed(f"the check's deadline passed while waiting for a turn at {gate}")


def stopping_at(due: float | None, run: Callable[[T], R]) -> Callable[[T], R]:
    """`run` for the Checker's worker threads, its requests bound by the check's `due`."""

    def within_deadline(item: T) -> R:
        token = _check_due.set(due)
        try:
            return run(item)
        finally:
            _check_due.reset(token)

    return within_deadline


def superseded_by(settled: threading.Event, run: Callable[[T], R]) -> Callable[[T], R]:
    """`run`, its requests given up (`Superseded`) while they wait for their turn once
    `settled` is set."""

    def until_settled(item: T) -> R:
        token = _settled.set(settled)
        try:
            return run(item)
        finally:
            _settled.reset(token)

    return until_settled


def superseded() -> bool:
    """Whether the claim this context's lookup serves has been settled by another source."""
    settled = _settled.get()
    return settled is not None and settled.is_set()


def settling() -> bool:
    """Whether this context's lookup may be superseded (and so must look again while it waits)."""
    return _settled.get() is not None


def not_needed(gate: str) -> Superseded:
    """What a rate-limit gate raises when the claim was settled while a request waited."""
    return Superseded(f"not asked: another source settled the claim while waiting at {gate}")


class DeadlineHTTPConnection(HTTPConnection):
    """Starts the current thread's deadline when its request has been sent."""

    # urllib3's own signature, which differs from http.client's as urllib3's does.
    def getresponse(self) -> HTTPResponse:  # type: ignore[override]
        """Start the deadline on the socket (the request is out), then read the answer."""
        deadline = _current.deadline
        if deadline is not None and self.sock is not None:
            deadline.start(self.sock)
        return super().getresponse()


class DeadlineHTTPSConnection(HTTPSConnection, DeadlineHTTPConnection):
    """HTTPS, with `DeadlineHTTPConnection.getresponse`."""


class DeadlineHTTPPool(HTTPConnectionPool):
    """An HTTP connection pool whose connections start the deadline."""

    ConnectionCls = DeadlineHTTPConnection


class DeadlineHTTPSPool(HTTPSConnectionPool):
    """An HTTPS connection pool whose connections start the deadline."""

    ConnectionCls = DeadlineHTTPSConnection


DEADLINE_POOLS = {"http": DeadlineHTTPPool, "https": DeadlineHTTPSPool}


def watch_pools(manager: PoolManager) -> None:
    """Make `manager` connect with the deadline's connection classes (unless it has pool
    classes of its own, as a SOCKS proxy manager does)."""
    if manager.pool_classes_by_scheme is URLLIB3_POOLS:
        manager.pool_classes_by_scheme = DEADLINE_POOLS
