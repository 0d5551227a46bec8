"""Verdicts (and the judge's other questions) remembered per identical claim and identical
answers, so that judging stays out of the hot path of repeated claims.

A batch job's texts repeat the same claims, and a guarded chat keeps citing the same works;
the judge is pure, so a claim judged once on some answers is judged the same way again. A
`VerdictMemo` keeps the verdicts given last (RECENT_VERDICTS of them) by what the judge reads
of the claim (its kind, text, surrounding words, label and parsed fields: all but its place
in the text) and by the very answer objects it was judged on. The answers are compared by
identity: the results cache hands out the same Lookup lists for as long as it keeps them in
memory (`resolve.results`), and a Resolved hands the same list to every claim of a probe;
an answer asked again from a source is a new object, and a new verdict. The date is part of
it too (a year still to come is judged against today). The Checker's other questions about
an entry's answers (does it need a search for its published version, for the work meant?)
are remembered the same way.

Each caller gets its own copy of the verdict, with its own list of flags: the Checker adds
`uncited` to some.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from operator import is_
from typing import Any, TypeVar

from ..lookup import Lookup
from ..model import Citation, Fields, Kind, Verdict

# Verdicts kept, the oldest dropped first: more than the distinct claims of most chunks of a
# batch job, at a few kB each.
RECENT_VERDICTS = 10_000
VERDICT = "verdict"

T = TypeVar("T")
# What the judge reads of a claim besides its fields, and the question asked of it.
_Key = tuple[str, Kind, str, str | None, str | None]


@dataclass(frozen=True)
class _Judged:
    """One answer and what it was given on (answers compared by identity, see above)."""

    fields: Fields
    answers: tuple[list[Lookup] | None, ...]
    day: date
    value: Any

    def holds_for(self, fields: Fields, answers: tuple[list[Lookup] | None, ...]) -> bool:
        """Whether it was given on these very answers, today, for these fields."""
        return (
            len(self.answers) == len(answers)
            and all(map(is_, self.answers, answers))
            and self.day == date.today()
            and self.fields == fields
        )


class VerdictMemo:
    """The verdicts and answers to the Checker's questions given last. Thread-safe."""

    def __init__(self) -> None:
        self._judged: dict[_Key, _Judged] = {}
        self._lock = threading.Lock()

    def verdict(
        self,
        citation: Citation,
        lookups: list[Lookup],
        published: list[Lookup] | None,
        meant: list[Lookup] | None,
        decide: Callable[[], Verdict],
    ) -> Verdict:
        """The verdict `decide` gives on these answers, decided once for identical claims."""
        verdict: Verdict = self._once(VERDICT, citation, (lookups, published, meant), decide)
        return verdict.model_copy(update={"flags": list(verdict.flags)})

    def needs(
        self, question: str, citation: Citation, lookups: list[Lookup], decide: Callable[[], bool]
    ) -> bool:
        """`decide`'s answer to `question` about the claim on these answers, decided once."""
        answer: bool = self._once(question, citation, (lookups,), decide)
        return answer

    def _once(
        self,
        question: str,
        citation: Citation,
        answers: tuple[list[Lookup] | None, ...],
        decide: Callable[[], T],
    ) -> T:
        key = (question, citation.kind, citation.raw, citation.context, citation.label)
        known = self._judged.get(key)
        if known is None or not known.holds_for(citation.fields, answers):
            known = _Judged(citation.fields, answers, date.today(), decide())
            self._keep(key, known)
        value: T = known.value
        return value

    def _keep(self, key: _Key, judged: _Judged) -> None:
        with self._lock:
            self._judged.pop(key, None)
            self._judged[key] = judged
            while len(self._judged) > RECENT_VERDICTS:
                del self._judged[next(iter(self._judged))]
