"""Verdicts remembered per identical claim and identical answers, so that judging stays out
of the hot path of repeated claims.

A batch job's texts repeat the same claims, and a guarded chat keeps citing the same works;
the judge is pure, so a claim judged once on some answers is judged the same way again. A
`VerdictMemo` keeps the verdicts given last (RECENT_VERDICTS of them) by what the judge reads
of the claim (its kind, text, surrounding words, label and parsed fields: all but its place
in the text) and by the very answer objects it was judged on. The answers are compared by
identity: the results cache hands out the same Lookup lists for as long as it keeps them in
memory (`resolve.results`), and a Resolved hands the same list to every claim of a probe;
an answer asked again from a source is a new object, and a new verdict. The date is part of
it too (a year still to come is judged against today).

Each caller gets its own copy of the verdict, with its own list of flags: the Checker adds
`uncited` to some.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from .lookup import Lookup
from .model import Citation, Fields, Verdict

# Verdicts kept, the oldest dropped first: more than the distinct claims of most chunks of a
# batch job, at a few kB each.
RECENT_VERDICTS = 10_000


@dataclass(frozen=True)
class _Judged:
    """One verdict and what it was given on (compared by identity, see the docstring)."""

    fields: Fields
    lookups: list[Lookup]
    published: list[Lookup] | None
    meant: list[Lookup] | None
    day: date
    verdict: Verdict


class VerdictMemo:
    """The verdicts given last, by claim and answers. Thread-safe."""

    def __init__(self) -> None:
        self._judged: dict[tuple[str, str, str | None, str | None], _Judged] = {}
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
        key = (citation.kind.value, citation.raw, citation.context, citation.label)
        today = date.today()
        known = self._judged.get(key)
        if not (
            known is not None
            and known.lookups is lookups
            and known.published is published
            and known.meant is meant
            and known.day == today
            and known.fields == citation.fields
        ):
            known = _Judged(citation.fields, lookups, published, meant, today, decide())
            self._keep(key, known)
        verdict = known.verdict
        return verdict.model_copy(update={"flags": list(verdict.flags)})

    def _keep(self, key: tuple[str, str, str | None, str | None], judged: _Judged) -> None:
        with self._lock:
            self._judged.pop(key, None)
            self._judged[key] = judged
            while len(self._judged) > RECENT_VERDICTS:
                del self._judged[next(iter(self._judged))]
