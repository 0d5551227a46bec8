"""A deadline for a whole HTTP answer: from the request sent to the last byte of its body.

urllib3's read timeout bounds each wait for bytes, not the answer. A server that sends one
byte a second, in its status line and headers as well as in its body, never trips it, and
would hold a worker thread and a rate-limit slot for as long as it liked. So every request
that goes to the network runs under an `AnswerDeadline` (`net.http.SourceAdapter` opens one
with `answer_deadline`): once the request is sent, a timer runs, and if the answer is not in
when it fires, it shuts the connection's socket down. The read blocked on that socket returns
at once, and the adapter, seeing `expired`, says that the source did not answer in time.

urllib3 gives no hook between sending a request and reading its answer, so the connection
classes here start the current thread's deadline in `getresponse`, and `watch_pools` makes a
pool manager build its pools with them. A SOCKS proxy's pools are left as they are: their
answers keep urllib3's read timeout only.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress

from urllib3 import PoolManager
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.poolmanager import pool_classes_by_scheme as URLLIB3_POOLS
from urllib3.response import HTTPResponse


class AnswerDeadline:
    """The time one answer may take once its request is sent. Thread-safe: its timer fires
    in another thread."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        # True once the timer has cut the connection: whatever the read then raised or
        # returned is the deadline's doing, not the server's.
        self.expired = False
        self._sock: socket.socket | None = None
        self._timer: threading.Timer | None = None
        self._lock = threading.Lock()

    def start(self, sock: socket.socket) -> None:
        """The request has been sent on `sock`: the answer's time runs from now."""
        with self._lock:
            if self._timer is not None:
                return
            self._sock = sock
            self._timer = threading.Timer(self.seconds, self._expire)
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
    """A deadline for the request this thread sends next (and its answer)."""
    deadline = AnswerDeadline(seconds)
    _current.deadline = deadline
    try:
        yield deadline
    finally:
        _current.deadline = None
        deadline.stop()


class DeadlineHTTPConnection(HTTPConnection):
    """Starts the current thread's deadline when its request has been sent."""

    # urllib3's own signature, which differs from http.client's as urllib3's does.
    def getresponse(self) -> HTTPResponse:  # type: ignore[override]
        deadline = _current.deadline
        if deadline is not None and self.sock is not None:
            deadline.start(self.sock)
        return super().getresponse()


class DeadlineHTTPSConnection(HTTPSConnection, DeadlineHTTPConnection):
    """HTTPS, with `DeadlineHTTPConnection.getresponse`."""


class DeadlineHTTPPool(HTTPConnectionPool):
    ConnectionCls = DeadlineHTTPConnection


class DeadlineHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = DeadlineHTTPSConnection


DEADLINE_POOLS = {"http": DeadlineHTTPPool, "https": DeadlineHTTPSPool}


def watch_pools(manager: PoolManager) -> None:
    """Make `manager` connect with the deadline's connection classes (unless it has pool
    classes of its own, as a SOCKS proxy manager does)."""
    if manager.pool_classes_by_scheme is URLLIB3_POOLS:
        manager.pool_classes_by_scheme = DEADLINE_POOLS
