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

A search announced with its query need not arrive to be asked: the leader puts the queries
of the searches still on their way (still asking an earlier source) into its batch too, as
far as there is room, and when they all fit it sends at once instead of waiting for them.
Each such search, when it comes here, takes its answer from that batch (waiting for it if it
is still out), or its error, as any member does; one settled earlier never comes, and its
share of the answer is dropped. The request is the one that waiting for them would have
sent, only sooner: a text with five invented entries sends arXiv one request as soon as the
first entry has missed elsewhere, not once the fifth has.

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

from ..ids import normalize_doi
from ..lookup import Lookup
from ..model import Citation, Kind
from ..net.deadline import check_due, stopping_at
from .common import claimed_id

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
        self,
        send: Callable[[list[Q]], dict[Q, A]],
        *,
        max_size: int,
        max_gather: float,
        ask_ahead: bool = True,
    ) -> None:
        self._send = send
        self._max_size = max_size
        self._max_gather = max_gather
        # Whether a batch asks the queries announced before they come (see the docstring).
        self._ask_ahead = ask_ahead
        self._cond = threading.Condition()
        self._open: _Batch[Q, A] | None = None
        # Searches announced and not yet ended, and queries waiting for an answer here.
        self._expected = 0
        self._waiting = 0
        # The queries announced, with how many searches announced each (in the order first
        # announced), and those a batch has asked (by that batch).
        self._announced: dict[Q, int] = {}
        self._covered: dict[Q, _Batch[Q, A]] = {}
        # Searches announced without their query: a batch cannot ask for them.
        self._unnamed = 0

    def expect(self, query: Q | None = None) -> None:
        """A search that may come here has started; with its `query`, when it is known, a
        batch may ask it before it comes."""
        with self._cond:
            self._expected += 1
            if query is None:
                self._unnamed += 1
            else:
                self._announced[query] = self._announced.get(query, 0) + 1

    def unexpect(self, query: Q | None = None) -> None:
        """A search announced with `expect` (and the same `query`) has ended."""
        with self._cond:
            self._expected -= 1
            if query is None:
                self._unnamed -= 1
            elif query in self._announced:
                self._announced[query] -= 1
                if not self._announced[query]:
                    del self._announced[query]
                    self._covered.pop(query, None)
            self._cond.notify_all()

    def ask(self, query: Q) -> A:
        """`query`'s answer, from a request it shares with the queries arriving with it (or
        from the batch that already asked it); raises what that request raised."""
        with self._cond:
            covering = self._covered.get(query)
            batch, lead = (covering, False) if covering is not None else self._join(query)
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

    def _join(self, query: Q) -> tuple[_Batch[Q, A], bool]:
        """The open batch with `query` in it (a new one, led by this query, when none is
        open). The caller holds the lock."""
        batch = self._open
        lead = batch is None
        if batch is None:
            batch = self._open = _Batch()
        batch.queries[query] = None
        batch.dues.append(check_due())
        if query in self._announced:  # another search with this query waits for this batch
            self._covered[query] = batch
        if len(batch.queries) >= self._max_size:
            self._open = None
        return batch, lead

    def _gather(self, batch: _Batch[Q, A]) -> None:
        """Wait while announced searches are still on their way (at most `max_gather`,
        and not past this check's deadline) and their queries do not all fit in the
        batch; then close it, with as many of those queries as fit."""
        until = time.monotonic() + self._max_gather
        due = check_due()
        if due is not None:
            until = min(until, due)
        with self._cond:
            while self._open is batch and self._expected > self._waiting:
                if self._ask_ahead and not self._unnamed and self._fits(batch):
                    break
                left = until - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left)
            if self._open is batch:
                self._open = None
            ahead = self._on_their_way(batch) if self._ask_ahead else []
            for query in ahead[: self._max_size - len(batch.queries)]:
                batch.queries[query] = None
                self._covered[query] = batch

    def _fits(self, batch: _Batch[Q, A]) -> bool:
        """Whether the batch has room for every query announced that no batch has asked."""
        return len(batch.queries) + len(self._on_their_way(batch)) <= self._max_size

    def _on_their_way(self, batch: _Batch[Q, A]) -> list[Q]:
        """The queries announced that no batch has asked."""
        return [q for q in self._announced if q not in batch.queries and q not in self._covered]

    def _answer(self, batch: _Batch[Q, A]) -> None:
        try:
            run = stopping_at(batch.due(), self._send)
            batch.answers = contextvars.Context().run(run, list(batch.queries))
        except Exception as exc:  # each member raises it as its own (see the docstring)
            batch.error = exc
        finally:
            batch.done.set()


def batchable_doi(doi: str) -> bool:
    """Whether a DOI can stand in a filter of several: the filters' own separators (`,`,
    `|`) and spaces cannot be written inside one value, so such a DOI is asked alone."""
    return bool(doi) and not any(c in doi for c in ",|") and not any(c.isspace() for c in doi)


class DoiBatches(Generic[A]):
    """The DOI lookups of a source whose API looks up several DOIs in one request (a filter
    of DOIs): `one` asks for one DOI as the source always did, `many` for several in one
    request, each DOI's own answer. A batch of one is sent by `one`, so a lone DOI costs the
    request it always cost. `ask_ahead` for a source asked first about every DOI (Crossref):
    the DOIs announced go into the first batch at once (see `Batcher`); a source asked only
    when earlier ones did not settle a DOI batches the DOIs that come to it together."""

    def __init__(
        self,
        one: Callable[[str], A],
        many: Callable[[list[str]], dict[str, A]],
        *,
        enabled: bool,
        max_size: int,
        max_gather: float,
        ask_ahead: bool,
    ) -> None:
        # Off (`Config.batch_dois`, or offline and replaying), every DOI is asked by `one`.
        self._enabled = enabled
        self._one = one
        self._many = many
        self._batcher: Batcher[str, A] = Batcher(
            self._send, max_size=max_size, max_gather=max_gather, ask_ahead=ask_ahead
        )

    def expect(self, doi: str) -> None:
        """A lookup of `doi` that may come here has started (`chain.Gathering`)."""
        if self._batched(doi):
            self._batcher.expect(doi)

    def unexpect(self, doi: str) -> None:
        """That lookup has ended."""
        if self._batched(doi):
            self._batcher.unexpect(doi)

    def lookup(self, doi: str) -> A:
        """`doi`'s answer, from a request it shares with the DOIs asked with it."""
        return self._batcher.ask(doi) if self._batched(doi) else self._one(doi)

    def _batched(self, doi: str) -> bool:
        return self._enabled and batchable_doi(doi)

    def _send(self, dois: list[str]) -> dict[str, A]:
        if len(dois) == 1:
            return {dois[0]: self._one(dois[0])}
        return self._many(dois)


class BatchedDois:
    """What a source whose DOI lookups go in batches (its `_dois`) does when a claim's lookup
    starts or ends (`chain.Gathering`): the claimed DOI is announced to, or withdrawn from,
    the batches. `_batched_doi` says which DOI a claim would ask here (None: none)."""

    _dois: DoiBatches[Lookup]

    def expect(self, citation: Citation | None = None) -> None:
        """A DOI lookup that may come here has started."""
        if (doi := self._batched_doi(citation)) is not None:
            self._dois.expect(doi)

    def unexpect(self, citation: Citation | None = None) -> None:
        """That lookup has ended."""
        if (doi := self._batched_doi(citation)) is not None:
            self._dois.unexpect(doi)

    def _batched_doi(self, citation: Citation | None) -> str | None:
        """The claimed DOI of a DOI claim (None for any other claim)."""
        if citation is None or citation.kind is not Kind.DOI:
            return None
        return normalize_doi(claimed_id(citation, "doi"))
