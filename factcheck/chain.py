"""Asking one claim's sources: in turn, or side by side when a search must hear them all.

An identifier has a registry whose answer settles it (`settles`): its sources are asked in
turn, and the first that settles ends the chain. A reference without identifier is searched,
and a search miss settles nothing: a made-up entry is decided only when every searching
source has answered. Asked in turn, its time is the sum of theirs, the paced ones included
(arXiv allows one request per three seconds), so a text with five invented entries waited
for five of arXiv's turns.

So a search asks the first source alone (it finds most real works: one request, as before),
and when that does not settle it, all the others side by side. Their answers are read in
chain order, so the verdict is the one that asking in turn gives: a later source's find
counts once every earlier one has missed. Once one settles, the sources after it can no
longer change the verdict: those whose request still waits for its turn at a rate limit
give it up (`net.deadline.superseded_by`); one already sent is read and dropped. The
trade-off: a work that only a later source holds may cost a request or two more than in
turn (the sources after the one that finds it, when their gates are free at once); every
miss costs what it did, and a real work that the first source finds, the same one request.

Sources that gather several claims' searches into one request (`Gathering`: arXiv) are told
when a search starts and ends, and what it searches for, so that they can wait for the claims
still on their way, or ask for them before they come. A caller that asks many claims at once
(the Checker) announces them all before it asks the first (`announce`, `run_announced`):
claims handed to worker threads one by one would otherwise be announced only as each thread
starts, after the first may already have reached a batching source and sent its batch.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from functools import partial
from typing import Protocol, TypeVar, runtime_checkable

from .judge.verdicts import searched
from .model import Citation
from .net.deadline import superseded_by
from .resolve.base import Lookup, Outcome, Resolver, guarded

T = TypeVar("T")

# Threads asking sources side by side, for every Checker of the process. Their tasks never
# wait for one another, so a full pool only queues them.
SIDE_BY_SIDE_WORKERS = 32

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()
# Set while the caller of `ask` has announced the claim itself (`announced`).
_caller_announced: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "factcheck_caller_announced", default=False
)


@runtime_checkable
class Gathering(Protocol):
    """A source that answers several claims' searches with one request: told which
    searches are on their way to it, it waits for them, or asks for them, in the request it
    sends (see `resolve.batch`)."""

    def expect(self, citation: Citation | None = None) -> None:
        """A search that may come to this source has started (for `citation`, if given)."""

    def unexpect(self, citation: Citation | None = None) -> None:
        """That search has ended (answered here, or settled elsewhere)."""


def settles(citation: Citation, lookup: Lookup) -> bool:
    """Whether a lookup makes asking further sources pointless: a record was found, or an
    identifier's registry says it holds no such id. A search miss never settles a reference:
    another source may hold the work (see `judge.search_exhausted`)."""
    if lookup.outcome is Outcome.FOUND:
        return True
    return lookup.outcome is Outcome.MISSING and lookup.authoritative and not searched(citation)


def announce(chain: Sequence[Resolver], citation: Citation) -> None:
    """Tell the chain's gathering sources that the claim is on its way to them."""
    for resolver in chain:
        if isinstance(resolver, Gathering):
            resolver.expect(citation)


def retire(chain: Sequence[Resolver], citation: Citation) -> None:
    """Tell them that the claim announced with `announce` will not come (any more)."""
    for resolver in chain:
        if isinstance(resolver, Gathering):
            resolver.unexpect(citation)


@contextmanager
def announced() -> Iterator[None]:
    """Within it, `ask` leaves announcing its claim to the caller, who `announce`d it before
    and will `retire` it after."""
    token = _caller_announced.set(True)
    try:
        yield
    finally:
        _caller_announced.reset(token)


def run_announced(chain: Sequence[Resolver], citation: Citation, work: Callable[[], T]) -> T:
    """`work` on a claim the caller has `announce`d to the chain: within `announced`, and
    retired after, however it ends."""
    try:
        with announced():
            return work()
    finally:
        retire(chain, citation)


def ask(chain: Sequence[Resolver], citation: Citation) -> list[Lookup]:
    """The lookups that settle the citation, in chain order, ending with the one that settles
    it (or every source's, when none does): in turn, or side by side for a search."""
    own = not _caller_announced.get()
    if own:
        announce(chain, citation)
    try:
        if not searched(citation) or len(chain) < 2:
            return in_turn(chain, citation)
        first = guarded(chain[0], citation)
        if settles(citation, first):
            return [first]
        return [first, *side_by_side(chain[1:], citation)]
    finally:
        if own:
            retire(chain, citation)


def in_turn(chain: Sequence[Resolver], citation: Citation) -> list[Lookup]:
    """Ask each source of the chain in turn until one settles the citation."""
    lookups: list[Lookup] = []
    for resolver in chain:
        lookup = guarded(resolver, citation)
        lookups.append(lookup)
        if settles(citation, lookup):
            break
    return lookups


def side_by_side(chain: Sequence[Resolver], citation: Citation) -> list[Lookup]:
    """Every source of the chain at once, read in chain order up to the first that settles;
    the requests of the others that still wait for their turn are given up."""
    settled = threading.Event()
    futures: list[Future[Lookup]] = []
    for resolver in chain:
        # Each task runs in a copy of this thread's context: the check's deadline holds there.
        context = contextvars.copy_context()
        asked = superseded_by(settled, partial(guarded, resolver))
        futures.append(_workers().submit(context.run, asked, citation))
    lookups: list[Lookup] = []
    try:
        for future in futures:
            lookup = future.result()
            lookups.append(lookup)
            if settles(citation, lookup):
                break
    finally:
        settled.set()
        for future in futures:
            future.cancel()
    return lookups


def _workers() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(SIDE_BY_SIDE_WORKERS, thread_name_prefix="factcheck-side")
        return _pool
