"""Line and column numbers of a claim, from its character offsets into the decoded text.

Offsets count code points (Python string indices), so columns do too; SARIF is told so
(`columnKind: unicodeCodePoints`). A line ends after "\\n", which covers "\\r\\n" as well.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

from ...model import Citation
from ...safetext import safe_line

NEWLINE = "\n"


@dataclass(frozen=True)
class Region:
    """A span as lines and columns, all 1-based; `end_column` is the column just past the
    span's last character, as SARIF counts it."""

    start_line: int
    start_column: int
    end_line: int
    end_column: int


class Lines:
    """Where each line of one text starts, to turn offsets into line and column numbers."""

    def __init__(self, text: str) -> None:
        starts = [0]
        position = text.find(NEWLINE)
        while position != -1:
            starts.append(position + 1)
            position = text.find(NEWLINE, position + 1)
        self._starts = starts

    def line_of(self, offset: int) -> int:
        """The 1-based line holding the character at `offset`."""
        return bisect_right(self._starts, offset)

    def column_of(self, offset: int, line: int) -> int:
        """The 1-based column of the character at `offset` on `line`, in code points."""
        return offset - self._starts[line - 1] + 1

    def region(self, start: int, end: int) -> Region:
        """The lines and columns of `text[start:end]`; an empty span sits at its start."""
        start_line = self.line_of(start)
        end_line = self.line_of(max(start, end - 1))
        return Region(
            start_line=start_line,
            start_column=self.column_of(start, start_line),
            end_line=end_line,
            end_column=self.column_of(max(start, end), end_line),
        )


def where(citation: Citation, lines: Lines | None) -> str | None:
    """Where a claim stands, as a report says it: its `location` in the source document
    ("page 2, line 14"; "intro.tex, line 3") when known, else its line in the text."""
    if citation.location is not None:
        return safe_line(str(citation.location))
    return None if lines is None else f"line {lines.line_of(citation.start)}"
