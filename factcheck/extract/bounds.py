"""How far extraction may read one text: until a deadline, and up to so many claims.

A check must end in bounded time and memory whatever the text, so every finder takes a
`Bounds` and consults it as it goes: at each candidate it asks `passed` (has the deadline
passed, or did another finder already stop before here?) and, before keeping one more
claim, `full` (has it kept its share?). A finder that is told to stop stops at once, and
the Bounds notes where: the start of the first candidate it did not read. Every finder reads
the text from its start, so everything before the earliest of those positions (`cut`) was
read by all of them; `extract_all` keeps what lies before it and reports the rest of the
text as unread (`Extraction.unread`), never silently. Finders that run later stop at the
cut too, so a text of a million DOIs costs the reading of its first `claims`.

The clock is `time.monotonic()`, read once per candidate: a few tens of nanoseconds, next to
the microseconds a candidate costs.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Iterator
from typing import Literal

# What one finder keeps for each claim a check takes: a claim may be found twice by one
# finder (the label and the target of "[X](X)" are one link), and `extract_all` then takes
# the first claims of what all of them found.
FINDS_PER_CLAIM = 2

Cause = Literal["deadline", "limit"]
DEADLINE: Cause = "deadline"
LIMIT: Cause = "limit"


class Bounds:
    """A deadline (`due`, a `time.monotonic()` reading) and a cap on the claims each finder
    keeps (`claims`); either may be None for none. Not thread-safe: one per extraction."""

    def __init__(self, due: float | None = None, claims: int | None = None) -> None:
        self.due = due
        self.claims = claims
        # Where the first finder stopped, and why; None while every finder read it all.
        self.cut: int | None = None
        self.cause: Cause | None = None

    def stop(self, position: int, cause: Cause) -> None:
        """Note that a finder did not read the text from `position` on."""
        if self.cut is None or position < self.cut:
            self.cut, self.cause = position, cause

    def passed(self, position: int, *, unread: int | None = None) -> bool:
        """Whether a finder must stop before `position`: a finder already stopped there or
        before, or the deadline has passed. A finder that stops in the middle of a unit (a
        paragraph, a BibTeX entry) gives the unit's start as `unread`: the text from there
        on is then noted unread, as what it found of the unit is dropped."""
        if self.cut is None and self.due is None:
            return False
        beyond = self.cut is not None and position >= self.cut
        if not beyond and not self.expired():
            return False
        cause = self.cause if beyond and self.cause is not None else DEADLINE
        self.stop(position if unread is None else unread, cause)
        return True

    def expired(self) -> bool:
        """Whether the deadline has passed."""
        return self.due is not None and time.monotonic() >= self.due

    def remaining(self) -> float | None:
        """Seconds left before the deadline (None for no deadline)."""
        return None if self.due is None else self.due - time.monotonic()

    def full(self, kept: int, position: int, *, per_claim: int = 1) -> bool:
        """Whether a finder that has kept so many so far must leave the one at `position`
        (and the rest of the text) unread. A finder keeps FINDS_PER_CLAIM for each claim a
        check takes, and finders of what is not a claim (in-text citations) `per_claim`
        times as many again."""
        if self.claims is None or kept < self.claims * FINDS_PER_CLAIM * per_claim:
            return False
        self.stop(position, LIMIT)
        return True

    def matches(self, found: Iterable[re.Match[str]]) -> Iterator[re.Match[str]]:
        """The matches, until `passed` says stop."""
        for match in found:
            if self.passed(match.start()):
                return
            yield match


def unbounded(bounds: Bounds | None) -> Bounds:
    """`bounds`, or a fresh Bounds without deadline or cap (for a finder called alone)."""
    return bounds if bounds is not None else Bounds()
