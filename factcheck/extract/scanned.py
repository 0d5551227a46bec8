"""The identifiers and links a whole-text scan found, lent to a finder that reads one span again.

`freeform` reads the identifiers of each sentence that cites "Smith (2020)": scanning every
such clause again costs as much as the whole-text scan `extract_all` has already made. A
`Scanned` answers for a span [start, end) with what that whole-text scan found inside it,
which is what a scan of `text[start:end]` alone finds when nothing the finders look at
crosses the span's bounds. Where something might, it answers None and the caller scans the
span itself, so what is found never depends on which way it was read:

- the scan was cut (a deadline or the cap on claims): candidates may be missing;
- the text holds "@": BibTeX fields are read from a line's start, which a span's start
  imitates;
- a candidate touches the span's start or runs over its end: the span's own scan would
  find it cut, or not at all;
- the span does not open the text or follow a ")" (as a clause after "Smith (2020)" does),
  or it ends before other than a space, the text's end, or a sentence's ".", "!" or "?"
  before a space. The finders look a few characters before a candidate (a label such as
  "doi: ", a scheme, a markdown delimiter, a word it would continue) and one after it (a
  closing delimiter, a word it would continue), and trailing punctuation is dropped from a
  token: past these bounds what they see reads as the span's own start or end does. Not
  past a space before the span: "doi:// DOI 10.1/x" is no DOI (the label follows "://"),
  but "10.1/x" alone is.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from itertools import accumulate

from factcheck.model import Citation

# The character before a span that no identifier, label or scheme holds, so that a
# finder reading there sees what it sees at the start of a string.
NEUTRAL_BEFORE = ")"
# A sentence's end right before a span's end: a token may take it, then drops it.
SENTENCE_ENDS = frozenset(".!?")


class Scanned:
    """What `find_urls` (`links`) and `find_identifiers` (`identifiers`) found in `text`,
    each list in its finder's order; `complete` when no bounds stopped either scan."""

    def __init__(
        self, text: str, links: list[Citation], identifiers: list[Citation], *, complete: bool
    ) -> None:
        self.text = text
        self.usable = complete and "@" not in text
        found = [*links, *identifiers]
        order = sorted(range(len(found)), key=lambda i: found[i].start)
        self._found = [found[i] for i in order]
        self._order = order
        self._starts = [c.start for c in self._found]
        # The furthest end among the candidates starting at or before each one.
        self._reach = list(accumulate((c.end for c in self._found), max))

    def within(self, start: int, end: int) -> list[Citation] | None:
        """The candidates inside [start, end), links first, each in its finder's order, as a
        scan of `text[start:end]` finds them (at their positions in the whole text); None
        when that scan might find otherwise (see the module docstring)."""
        if not self.usable or not self._clean_bounds(start, end):
            return None
        if self._reaches_past(bisect_right(self._starts, start) - 1, start):
            return None
        last = bisect_left(self._starts, end) - 1
        if self._reaches_past(last, end):
            return None
        first = bisect_left(self._starts, start)
        inside = sorted(range(first, last + 1), key=self._order.__getitem__)
        return [self._found[i] for i in inside]

    def _reaches_past(self, index: int, position: int) -> bool:
        """Whether a candidate among the first `index + 1` ends after `position`."""
        return index >= 0 and self._reach[index] > position

    def _clean_bounds(self, start: int, end: int) -> bool:
        text = self.text
        if start > 0 and text[start - 1] != NEUTRAL_BEFORE:
            return False
        if end >= len(text) or text[end].isspace():
            return True
        after = text[end + 1 : end + 2]
        return text[end] in SENTENCE_ENDS and (after == "" or after.isspace())
