"""Several claims' queries in one request, for a source whose pace is what costs.

arXiv allows one request per three seconds: five title searches asked one by one wait for
five turns. Its API takes boolean queries, so a `Batcher` gathers the queries that arrive
together and asks them in one request, each member taking its own share of the answer.

A query joins the open batch; the first to open it (its leader) waits, up to
`max_gather` seconds, while searches the Checker announced (`expect`, see `chain.Gathering`)
are still on their way, that is while fewer are waiting here than were announced; then it
closes the batch and sends it. A lone search is never held: nothing else is on its way, and
a batch of one is the request a search alone sends. Queries arriving after the batch closed
open the next, which the source's rate limit holds back while the first is answered.

A batch that fails (a 5xx, an unreadable answer, the network) fails each of its members as
it would have failed alone: every member raises the same error. The request runs in a fresh
context, bound by the latest deadline among its members (none if one has none), so that one
check's deadline or one claim settled elsewhere (`net.deadline`) does not fail the others.
"""

from __future__ import annotations

import contextvars
import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from ..net.deadline import check_due, stopping_at

Q = TypeVar("Q", bound=Hashable)
A = TypeVar("A")


@dataclass
class _Batch(Generic[Q, A]):
    """The queries of one request, and its answer or error once it is in."""

    queries: dict[Q, None] = field(default_factory=dict)
    dues: list[float | None] = field(default_factory=list)
    answers: dict[Q, A] = field(default_factory=dict)
    error: BaseException | None = None
    done: threading.Event = field(default_factory=threading.Event)

    def due(self) -> float | None:
        """The latest deadline of its members, or None when one of them has none."""
        return None if None in self.dues else max(d for d in self.dues if d is not None)


class Batcher(Generic[Q, A]):
    """Gathers queries into requests of at most `max_size` (see the module docstring).
    `send` asks one request for its distinct queries and returns each one's answer."""

    def __init__(
        self, send: Callable[[list[Q]], dict[Q, A]], *, max_size: int, max_gather: float
    ) -> None:
        self._send = send
        self._max_size = max_size
        self._max_gather = max_gather
        self._cond = threading.Condition()
        self._open: _Batch[Q, A] | None = None
        # Searches announced and not yet ended, and queries waiting for an answer here.
        self._expected = 0
        self._waiting = 0

    def expect(self) -> None:
        """A search that may come here has started."""
        with self._cond:
            self._expected += 1

    def unexpect(self) -> None:
        """A search announced with `expect` has ended."""
        with self._cond:
            self._expected -= 1
            self._cond.notify_all()

    def ask(self, query: Q) -> A:
        """`query`'s answer, from a request it shares with the queries arriving with it;
        raises what that request raised."""
        with self._cond:
            batch = self._open
            lead = batch is None
            if batch is None:
                batch = self._open = _Batch()
            batch.queries[query] = None
            batch.dues.append(check_due())
            if len(batch.queries) >= self._max_size:
                self._open = None
            self._waiting += 1
            self._cond.notify_all()
        try:
            if lead:
                self._gather(batch)
                self._answer(batch)
            else:
                batch.done.wait()
        finally:
            with self._cond:
                self._waiting -= 1
        if batch.error is not None:
            raise batch.error
        return batch.answers[query]

    def _gather(self, batch: _Batch[Q, A]) -> None:
        """Wait while announced searches are still on their way (at most `max_gather`,
        and not past this check's deadline), then close the batch."""
        until = time.monotonic() + self._max_gather
        due = check_due()
        if due is not None:
            until = min(until, due)
        with self._cond:
            while self._open is batch and self._expected > self._waiting:
                left = until - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left)
            if self._open is batch:
                self._open = None

    def _answer(self, batch: _Batch[Q, A]) -> None:
        try:
            run = stopping_at(batch.due(), self._send)
            batch.answers = contextvars.Context().run(run, list(batch.queries))
        except Exception as exc:  # each member raises it as its own (see the docstring)
            batch.error = exc
        finally:
            batch.done.set()
