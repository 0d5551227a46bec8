"""`factcheck.chain`: a search asks its sources side by side once the first has missed, and
its verdict is the one that asking them in turn gives."""

from __future__ import annotations

import itertools
import threading
from typing import ClassVar

import pytest

from factcheck.chain import ask, in_turn, settles
from factcheck.model import Author, Citation, Fields, Kind, Record
from factcheck.net.deadline import Superseded, superseded_by
from factcheck.net.limits import Gate, Limit
from factcheck.resolve.base import Lookup, Outcome

# How long a test source waits for the others before it gives up: only a guard against a
# hang, never reached when the sources are asked side by side.
MEET_SECONDS = 10.0

ENTRY = Citation(
    kind=Kind.REFERENCE,
    raw="Doe, J. (2020). A study of things. Journal of Studies.",
    start=0,
    end=54,
    fields=Fields(
        title="A study of things",
        authors=[Author(family="Doe", given="J.")],
        year=2020,
        container="Journal of Studies",
    ),
)
DOI = Citation(kind=Kind.DOI, raw="10.1/x", start=0, end=6, fields=Fields(doi="10.1/x"))


def answer(source: str, outcome: Outcome) -> Lookup:
    if outcome is Outcome.FOUND:
        return Lookup.found(source, Record(source=source, id="x"))
    if outcome is Outcome.MISSING:
        return Lookup.missing(source, f"{source} holds no such work", authoritative=True)
    return Lookup.failed(source, f"{source} did not answer")


class Source:
    """A source that answers as told and counts the times it was asked."""

    kinds: ClassVar[frozenset[Kind]] = frozenset({Kind.REFERENCE, Kind.DOI})

    def __init__(self, name: str, outcome: Outcome, meet: threading.Barrier | None = None):
        self.name = name
        self.outcome = outcome
        self.meet = meet
        self.asked = 0

    def lookup(self, citation: Citation) -> Lookup:
        self.asked += 1
        if self.meet is not None:
            self.meet.wait(MEET_SECONDS)
        return answer(self.name, self.outcome)


def chain_of(outcomes: tuple[Outcome, ...]) -> list[Source]:
    return [Source(f"s{i}", outcome) for i, outcome in enumerate(outcomes)]


@pytest.mark.parametrize(
    "outcomes", list(itertools.product(list(Outcome), repeat=4)), ids=lambda o: "-".join(o)
)
def test_side_by_side_decides_as_in_turn(outcomes: tuple[Outcome, ...]) -> None:
    together = ask(chain_of(outcomes), ENTRY)  # type: ignore[arg-type]
    one_by_one = in_turn(chain_of(outcomes), ENTRY)  # type: ignore[arg-type]
    assert together == one_by_one


def test_a_search_that_the_first_source_settles_asks_no_other() -> None:
    chain = chain_of((Outcome.FOUND, Outcome.MISSING, Outcome.MISSING))
    lookups = ask(chain, ENTRY)  # type: ignore[arg-type]
    assert [lk.source for lk in lookups] == ["s0"]
    assert [s.asked for s in chain] == [1, 0, 0]


def test_after_a_miss_the_other_sources_are_asked_at_once() -> None:
    # Each of the three waits until all three are under way: asked in turn, none could answer.
    meet = threading.Barrier(3)
    chain = [
        Source("s0", Outcome.MISSING),
        *(Source(f"s{i}", Outcome.MISSING, meet) for i in (1, 2, 3)),
    ]
    lookups = ask(chain, ENTRY)  # type: ignore[arg-type]
    assert [lk.outcome for lk in lookups] == [Outcome.MISSING] * 4
    assert not meet.broken


def test_an_identifier_is_asked_in_turn() -> None:
    chain = chain_of((Outcome.FAILED, Outcome.MISSING, Outcome.FOUND))
    lookups = ask(chain, DOI)  # type: ignore[arg-type]
    # The registry's "no such id" settles a DOI: the third source is never asked.
    assert [lk.source for lk in lookups] == ["s0", "s1"]
    assert chain[2].asked == 0
    assert settles(DOI, lookups[-1])


def test_a_request_waiting_for_its_turn_is_given_up_once_the_claim_is_settled() -> None:
    # One request every 100 s: the second waits for its turn far longer than this test runs.
    gate = Gate("slow", Limit(rate=0.01, concurrency=1), max_wait=60)
    with gate.slot():
        pass
    settled = threading.Event()
    outcome: list[BaseException] = []

    def wait_for_turn(_: None) -> None:
        with gate.slot():
            pass

    def run() -> None:
        try:
            superseded_by(settled, wait_for_turn)(None)
        except Superseded as exc:
            outcome.append(exc)

    waiter = threading.Thread(target=run)
    waiter.start()
    settled.set()
    waiter.join(MEET_SECONDS)
    assert not waiter.is_alive()
    assert len(outcome) == 1
    assert "settled" in str(outcome[0])


def test_a_later_find_does_not_wait_for_the_sources_after_it() -> None:
    # s3 would wait for a partner that never comes; s2's find ends the search without it.
    lonely = threading.Barrier(2)
    chain = [
        Source("s0", Outcome.MISSING),
        Source("s1", Outcome.MISSING),
        Source("s2", Outcome.FOUND),
        Source("s3", Outcome.MISSING, lonely),
    ]
    lookups = ask(chain, ENTRY)  # type: ignore[arg-type]
    assert [lk.source for lk in lookups] == ["s0", "s1", "s2"]
    lonely.abort()  # release s3's thread
