"""`memo.VerdictMemo`: a claim repeated on the same answers is judged once, and every caller
gets a verdict of its own."""

from __future__ import annotations

from collections.abc import Callable

from factcheck.judge.memo import VerdictMemo
from factcheck.model import Citation, Fields, Kind, Record, Status, Verdict
from factcheck.resolve.base import Lookup

DOI = "10.1/x"


def claim(start: int = 0, context: str = "A work (2012)", title: str | None = None) -> Citation:
    raw = f"doi:{DOI}"
    fields = Fields(doi=DOI, title=title)
    return Citation(
        kind=Kind.DOI, raw=raw, start=start, end=start + len(raw), fields=fields, context=context
    )


def answers() -> list[Lookup]:
    return [Lookup.found("crossref", Record(source="crossref", id=DOI))]


class Counting:
    """A judge that counts its calls."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> Verdict:
        self.calls += 1
        return Verdict(status=Status.VERIFIED, confidence=0.9, reason="ok", flags=["a"])


def ask(
    memo: VerdictMemo, citation: Citation, lookups: list[Lookup], decide: Callable[[], Verdict]
) -> Verdict:
    return memo.verdict(citation, lookups, None, None, decide)


def test_a_claim_repeated_elsewhere_on_the_same_answers_is_judged_once() -> None:
    memo, judge, lookups = VerdictMemo(), Counting(), answers()
    first = ask(memo, claim(start=0), lookups, judge)
    again = ask(memo, claim(start=500), lookups, judge)
    assert judge.calls == 1
    assert first == again


def test_new_answers_are_judged_anew_even_when_equal() -> None:
    memo, judge = VerdictMemo(), Counting()
    ask(memo, claim(), answers(), judge)
    ask(memo, claim(), answers(), judge)
    assert judge.calls == 2


def test_another_context_or_other_fields_are_another_claim() -> None:
    memo, judge, lookups = VerdictMemo(), Counting(), answers()
    ask(memo, claim(), lookups, judge)
    ask(memo, claim(context="Another work (2013)"), lookups, judge)
    ask(memo, claim(title="Another work"), lookups, judge)
    assert judge.calls == 3


def test_each_caller_gets_flags_of_its_own() -> None:
    memo, judge, lookups = VerdictMemo(), Counting(), answers()
    first = ask(memo, claim(), lookups, judge)
    first.flags.append("uncited")
    again = ask(memo, claim(), lookups, judge)
    assert again.flags == ["a"]


def test_a_question_about_an_entry_is_answered_once_per_answers() -> None:
    memo, lookups = VerdictMemo(), answers()
    asked: list[str] = []

    def decide() -> bool:
        asked.append("x")
        return True

    assert memo.needs("needs_meant_work", claim(), lookups, decide)
    assert memo.needs("needs_meant_work", claim(start=9), lookups, decide)
    assert memo.needs("needs_published_version", claim(), lookups, decide)
    assert memo.needs("needs_meant_work", claim(), answers(), decide)
    assert len(asked) == 3  # another question, other answers: asked again
