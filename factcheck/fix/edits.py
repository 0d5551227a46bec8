"""Text edits: replace `text[start:end]` with new text. What the guard's policies, the fixes
and `factcheck fix` produce, and the one way they are applied."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Edit:
    """Replace `text[start:end]` with `new` (an empty `new` removes)."""

    start: int
    end: int
    new: str = ""


def apply(text: str, edits: Sequence[Edit]) -> str:
    """`text` with the (sorted, non-overlapping) edits made."""
    pieces: list[str] = []
    cursor = 0
    for edit in edits:
        pieces.append(text[cursor : edit.start])
        pieces.append(edit.new)
        cursor = edit.end
    pieces.append(text[cursor:])
    return "".join(pieces)


def merge_spans(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans sorted, those that overlap or touch joined into one."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def without_overlaps(edits: Iterable[Edit]) -> list[Edit]:
    """The edits sorted, each dropped that overlaps one kept before it: the first placed
    wins, so that callers list the edits that must win first."""
    kept: list[Edit] = []
    for edit in edits:
        if not any(_overlap(edit, other) for other in kept):
            kept.append(edit)
    return sorted(set(kept))


def _overlap(one: Edit, other: Edit) -> bool:
    """Whether two edits touch the same characters (or insert at the same place)."""
    return (one.start < other.end and other.start < one.end) or one.start == other.start
