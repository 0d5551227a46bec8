"""Whether the network works from here at all, as opposed to one host being gone.

An air-gapped machine, a resolver that knows only internal names (split DNS) or a broken
resolver says "no such name" for every host. Taken at its word, every link in a text would
be dead: `not_found`, exit 1. So before a failed name lookup is believed, a name that must
exist (`config.dns_control_host`, doi.org by default) is resolved, once per Http client
(one per Checker, so once per run; thread-safe). When it does not resolve either, DNS
does not work here: the lookup raises `DnsUnavailable` (unverifiable, flag
`dns_unavailable`) instead of `NoSuchHost`.

It also counts the requests of the run that got an answer and those that could not
connect at all (DNS, connection refused, connect timeout, no route, proxy). When none got
an answer and some could not connect, `trouble()` is one line saying so and how to fix it,
which the command prints once instead of leaving a wall of identical reasons to explain
it. Answers read from the cache and replays' "not recorded" count as neither.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import requests
from urllib3.exceptions import (
    ConnectTimeoutError,
    NameResolutionError,
    NewConnectionError,
    ProxyError,
)

from ..errors import DnsUnavailable, SourceError
from .replay import NotRecorded
from .safety import NoSuchHost, resolve

# The port asked for with the control name (getaddrinfo wants one; nothing connects).
CONTROL_PORT = 443
# Failures that mean no connection could be made at all.
_CANNOT_CONNECT: tuple[type[BaseException], ...] = (
    NewConnectionError,  # DNS (NameResolutionError), refused, no route
    ConnectTimeoutError,
    ProxyError,
    socket.gaierror,
    requests.ConnectTimeout,
)
_DNS_FAILURES: tuple[type[BaseException], ...] = (socket.gaierror, NameResolutionError)
NOTHING_REACHED = (
    "factcheck: no source could be reached from here ({why}); {count} failed. Check the "
    "network and any proxy settings, or check from the cache alone (--offline) or from "
    "recordings (--replay PATH)."
)
DNS_DEAD = "DNS does not work here: even {control} does not resolve"
DNS_FAILED = "DNS lookup failed, and {dead}"
CANNOT_CONNECT = "every connection failed"


class Reachability:
    """The DNS control and the run's tally of answers and unreachable requests."""

    def __init__(self, control_host: str) -> None:
        self.control_host = control_host
        self._dns_works: bool | None = None
        self._control_lock = threading.Lock()
        self._tally_lock = threading.Lock()
        self.answered = 0
        self.unreachable = 0

    def dns_works(self) -> bool:
        """Whether the control name resolves; asked once, then remembered."""
        with self._control_lock:
            if self._dns_works is None:
                try:
                    resolve(self.control_host, CONTROL_PORT)
                    self._dns_works = True
                except (SourceError, OSError, UnicodeError):  # a name too long for IDNA
                    self._dns_works = False
            return self._dns_works

    @contextmanager
    def watch(self, label: str) -> Iterator[None]:
        """Around one request (by `label`, a source or a host): counts a failure to
        connect, and turns a name lookup's failure into DnsUnavailable when DNS does not
        work here. The caller counts the answers (`note_answer`)."""
        try:
            yield
        except NoSuchHost as exc:
            if self.dns_works():
                self.note_answer()  # DNS itself answered: the name does not exist
                raise
            self._note_unreachable()
            reason = f"DNS has no name {label}, but {self._dns_dead()}, so it may exist"
            raise DnsUnavailable(reason) from exc
        except SourceError as exc:
            if not _cannot_connect(exc):
                raise
            self._note_unreachable()
            if _is_a(exc, _DNS_FAILURES) and not self.dns_works():
                # The same words for every source, so that a verdict says them once.
                raise DnsUnavailable(DNS_FAILED.format(dead=self._dns_dead())) from exc
            raise

    def note_answer(self, from_cache: bool = False) -> None:
        """A request was answered (by the network or a replay; a cache hit counts not)."""
        if not from_cache:
            with self._tally_lock:
                self.answered += 1

    def trouble(self) -> str | None:
        """One line for the user when nothing could be reached, else None."""
        with self._tally_lock:
            if self.answered or not self.unreachable:
                return None
            count = self.unreachable
        why = CANNOT_CONNECT if self._dns_works is not False else self._dns_dead()
        noun = "request" if count == 1 else "requests"
        return NOTHING_REACHED.format(why=why, count=f"{count} {noun}")

    def _note_unreachable(self) -> None:
        with self._tally_lock:
            self.unreachable += 1

    def _dns_dead(self) -> str:
        return DNS_DEAD.format(control=self.control_host)


def _cannot_connect(exc: BaseException) -> bool:
    return _is_a(exc, _CANNOT_CONNECT) and not _is_a(exc, (NotRecorded,))


def _is_a(exc: BaseException, kinds: tuple[type[BaseException], ...]) -> bool:
    return any(isinstance(cause, kinds) for cause in causes(exc))


def causes(exc: BaseException) -> Iterator[BaseException]:
    """`exc` and everything in its chain: causes, contexts, and the exceptions urllib3 and
    requests keep in `reason` or their arguments."""
    seen: set[int] = set()
    todo = [exc]
    while todo:
        current = todo.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        linked = (
            current.__cause__,
            current.__context__,
            getattr(current, "reason", None),
            *current.args,
        )
        todo.extend(item for item in linked if isinstance(item, BaseException))
