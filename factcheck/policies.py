"""What the guard does to an answer that failed its check: the text edits of `filter` and
`fix`, and the message `reask` sends back to the model.

Policies work on the checked text as a list of `Edit`s (replace `text[start:end]` with
`new`), never on an SDK object: `apply_to_segments` maps the edits back onto the pieces of
text the answer was made of (message parts, content blocks, stream chunks), so that each
piece keeps its place and only its text changes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .judge import UNREAD
from .model import Citation, Extraction, Finding, Kind, Report, Status
from .textof import Path, Segment

# A finding the guard made up because the check itself failed (see guard.py): it names no
# reference, so no policy may cut or rewrite text for it; nor for the part of a text left
# unread (judge.UNREAD).
CHECK_FAILED = "check_failed"
NAMES_NO_CLAIM = frozenset({CHECK_FAILED, UNREAD})
# The list marker or indentation that may open a reference entry's line.
_LINE_LEAD_RE = re.compile(
    r"[ \t]*(?:>[ \t]*)*(?:[-*+•]|\d{1,3}[.)]|\(\d{1,3}\)|\[\d{1,3}\])?[ \t]*"
)
# What separates in-text citations sharing brackets: "(A, 2020; B, 2021)", "[1, 2]".
_CITE_SEPARATORS = ("; ", ", ", ";", ",")
_BRACKET_PAIRS = ("()", "[]")
# How many problems a reask message lists; the rest are counted.
REASK_MAX_LISTED = 20
REASK_INTRO = "Some references in your previous answer could not be verified:"
REASK_OUTRO = (
    "Answer again. Correct these references from sources you are sure of, or leave them out; "
    "do not invent references, DOIs or links."
)


@dataclass(frozen=True, order=True)
class Edit:
    """Replace `text[start:end]` with `new` (an empty `new` removes)."""

    start: int
    end: int
    new: str = ""


def failing(report: Report, fail_on: Iterable[Status]) -> list[Finding]:
    """The findings a policy acts on: their status is in `fail_on`, and they are real."""
    statuses = set(fail_on)
    return [
        f
        for f in report.items
        if f.verdict.status in statuses and NAMES_NO_CLAIM.isdisjoint(f.verdict.flags)
    ]


def in_text(text: str, citation: Citation) -> bool:
    """Whether the citation is written in the text (not only reported by the SDK)."""
    return text[citation.start : citation.end] == citation.raw


def filter_edits(
    text: str, report: Report, extraction: Extraction, fail_on: Iterable[Status]
) -> list[Edit]:
    """Remove each failing reference, with the in-text citations that point to it.

    A failing identifier or link inside a bibliography entry takes its entry with it; one
    in prose goes alone (a markdown link keeps its label). Failing in-text citations go too.
    """
    citations = extraction.citations
    position = {(c.kind, c.start, c.end): i for i, c in enumerate(citations)}
    entries = [i for i, c in enumerate(citations) if c.kind is Kind.REFERENCE]
    removed: list[tuple[int, int]] = []
    replaced: list[Edit] = []
    dropped: set[int] = set()
    for finding in failing(report, fail_on):
        citation = finding.citation
        if not in_text(text, citation):
            continue
        if citation.kind is Kind.INLINE:
            removed.append(_inline_span(text, citation.start, citation.end))
            continue
        entry = position.get((citation.kind, citation.start, citation.end))
        if citation.kind is not Kind.REFERENCE:
            entry = next((i for i in entries if _inside(citation, citations[i])), None)
        if entry is not None:
            dropped.add(entry)
        else:
            _remove_link(text, citation, removed, replaced)
    for entry in dropped:
        removed.append(_line_span(text, citations[entry].start, citations[entry].end))
        for row in extraction.links:
            if row.reference == entry and row.inline is not None:
                inline = citations[row.inline]
                removed.append(_inline_span(text, inline.start, inline.end))
    spans = [_unbracket(text, start, end) for start, end in _merge(removed)]
    kept = [e for e in replaced if not any(s < e.end and e.start < t for s, t in spans)]
    return sorted([*(Edit(s, t) for s, t in spans), *kept])


def fix_edits(text: str, report: Report, fail_on: Iterable[Status]) -> list[Edit]:
    """Replace each claimed value of a `mismatch` with the found record's, in place.

    A value is replaced where it is written: inside the entry or in-text citation, or on
    the line of an identifier (its title is written next to it). Values that are lists
    (authors) are left alone: rewriting names in free text is guesswork.
    """
    if Status.MISMATCH not in set(fail_on):
        return []
    edits: list[Edit] = []
    for finding in failing(report, (Status.MISMATCH,)):
        citation = finding.citation
        if not in_text(text, citation):
            continue
        low, high = citation.start, citation.end
        if citation.kind not in (Kind.REFERENCE, Kind.INLINE):
            low = text.rfind("\n", 0, low) + 1
            high = len(text) if (end := text.find("\n", high)) < 0 else end
        for diff in finding.verdict.diffs:
            new = diff.suggestion if diff.suggestion is not None else diff.found
            if not isinstance(diff.claimed, str | int) or not isinstance(new, str | int):
                continue
            old = str(diff.claimed)
            at = text.find(old, low, high) if old else -1
            if at >= 0 and old != str(new):
                edits.append(Edit(at, at + len(old), str(new)))
    return _without_overlaps(sorted(set(edits)))


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


def apply_to_segments(
    parts: Sequence[tuple[Path, Segment]], starts: Sequence[int], edits: Sequence[Edit]
) -> dict[Path, str]:
    """The new text of each piece the edits change, by the piece's key.

    A removal spanning pieces shortens each of them; a replacement's text goes to the
    piece where it starts. Pieces the edits miss are left out, so they stay as they were.
    """
    changed: dict[Path, str] = {}
    for (key, part), low in zip(parts, starts, strict=True):
        high = low + len(part.text)
        pieces: list[str] = []
        cursor = low
        for edit in edits:
            owns = low <= edit.start < high
            start, end = max(edit.start, low), min(edit.end, high)
            if not owns and start >= end:
                continue
            pieces.append(part.text[cursor - low : start - low])
            if owns:
                pieces.append(edit.new)
            cursor = max(cursor, end)
        if pieces:
            pieces.append(part.text[cursor - low :])
            new = "".join(pieces)
            if new != part.text:
                changed[key] = new
    return changed


def reask_message(report: Report, fail_on: Iterable[Status]) -> str:
    """The user message that tells the model what failed, one line per problem."""
    problems = failing(report, fail_on)
    lines = [REASK_INTRO]
    for finding in problems[:REASK_MAX_LISTED]:
        verdict = finding.verdict
        lines.append(f"- {finding.citation.raw}: {verdict.status.value}: {verdict.reason}")
    if len(problems) > REASK_MAX_LISTED:
        lines.append(f"- … and {len(problems) - REASK_MAX_LISTED} more")
    lines.append(REASK_OUTRO)
    return "\n".join(lines)


def _inside(inner: Citation, outer: Citation) -> bool:
    return outer.start <= inner.start and inner.end <= outer.end


def _line_span(text: str, start: int, end: int) -> tuple[int, int]:
    """An entry's span widened to its whole line(s) when nothing else shares them."""
    line_start = text.rfind("\n", 0, start) + 1
    if _LINE_LEAD_RE.fullmatch(text, line_start, start):
        start = line_start
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    if not text[end:line_end].strip():
        end = min(len(text), line_end + 1)
    return start, end


def _inline_span(text: str, start: int, end: int) -> tuple[int, int]:
    """An in-text citation with the separator that ties it to its neighbours."""
    for separator in _CITE_SEPARATORS:
        if text.startswith(separator, end):
            return start, end + len(separator)
    for separator in _CITE_SEPARATORS[:2]:
        if text.endswith(separator, 0, start):
            return start - len(separator), end
    return start, end


def _unbracket(text: str, start: int, end: int) -> tuple[int, int]:
    """A removal that empties its brackets takes them, and the space before them, too."""
    if start > 0 and end < len(text) and text[start - 1] + text[end] in _BRACKET_PAIRS:
        start, end = start - 1, end + 1
    if start > 0 and text[start - 1] == " " and (end == len(text) or not text[end].isalnum()):
        start -= 1
    return start, end


def _remove_link(
    text: str, citation: Citation, removed: list[tuple[int, int]], replaced: list[Edit]
) -> None:
    """A link in prose: `[label](url)` keeps its label, `<url>` loses its brackets."""
    start, end = citation.start, citation.end
    closes = end < len(text) and text[end] == ")"
    if closes and text.endswith("](", 0, start):
        opening = text.rfind("[", 0, start - 2)
        if opening >= 0:
            replaced.append(Edit(opening, end + 1, text[opening + 1 : start - 2]))
            return
    if start > 0 and end < len(text) and text[start - 1] + text[end] in ("<>", "()"):
        start, end = start - 1, end + 1
    removed.append((start, end))


def _merge(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _without_overlaps(edits: list[Edit]) -> list[Edit]:
    kept: list[Edit] = []
    for edit in edits:
        if not kept or edit.start >= kept[-1].end:
            kept.append(edit)
    return kept
