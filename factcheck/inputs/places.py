"""Where each part of a document's text came from: page and line of a PDF, file and line of
a LaTeX project. Readers that build a text out of another format record one `Segment` where
each stretch starts; `Places.at(offset)` turns a claim's offset back into a `Location`."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the models load with the first location asked: `--help` stays fast
    from ..model import Location, Report

NEWLINE = "\n"


@dataclass(frozen=True)
class Segment:
    """Text from `start` on came from `line` (1-based) of `page` or `file`; each later newline
    before the next segment is one line further."""

    start: int
    line: int
    page: int | None = None
    file: str | None = None


class Places:
    """Text offsets to locations in the source document (segments given in text order)."""

    def __init__(self, text: str, segments: list[Segment]) -> None:
        self._text = text
        self._segments = segments
        self._starts = [segment.start for segment in segments]

    def at(self, offset: int) -> Location | None:
        """The location of the character at `offset`, or None before the first segment."""
        from ..model import Location

        index = bisect_right(self._starts, offset) - 1
        if index < 0:
            return None
        segment = self._segments[index]
        line = segment.line + self._text.count(NEWLINE, segment.start, offset)
        return Location(page=segment.page, file=segment.file, line=line)


def place(report: Report, places: Places | None) -> Report:
    """Set each finding's `citation.location` from `places` (a no-op without them)."""
    if places is not None:
        for finding in report.items:
            finding.citation.location = places.at(finding.citation.start)
    return report
