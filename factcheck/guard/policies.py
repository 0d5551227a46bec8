"""What the guard does to an answer that failed its check: the text edits of `filter` and
`fix`, and the message `reask` sends back to the model.

Policies work on the checked text as a list of `Edit`s (replace `text[start:end]` with
`new`), never on an SDK object: `apply_to_segments` maps the edits back onto the pieces of
text the answer was made of (message parts, content blocks, stream chunks), so that each
piece keeps its place and only its text changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from ..fix import cuts
from ..fix.edits import Edit, apply, merge_spans, without_overlaps
from ..flags import CHECK_FAILED, UNREAD
from ..model import Citation, Extraction, Finding, Kind, Report, Status
from ..safetext import safe_line
from .textof import Path, Segment

if TYPE_CHECKING:
    from ..fix.decide import Fabricated

__all__ = ["Edit", "apply", "apply_to_segments", "failing", "filter_edits", "fix_edits"]

# Findings that name no reference, so no policy may cut or rewrite text for them: a check
# that itself failed (see decorator.py), and the part of a text left unread.
NAMES_NO_CLAIM = frozenset({CHECK_FAILED, UNREAD})
# How many problems a reask message lists; the rest are counted.
REASK_MAX_LISTED = 20
REASK_INTRO = "Some references in your previous answer could not be verified:"
REASK_OUTRO = (
    "Answer again. Correct these references from sources you are sure of, or leave them out; "
    "do not invent references, DOIs or links."
)


def failing(report: Report, fail_on: Iterable[Status]) -> list[Finding]:
    """The findings a policy acts on: their status is in `fail_on`, and they are real."""
    statuses = set(fail_on)
    return [
        f
        for f in report.items
        if f.verdict.status in statuses and NAMES_NO_CLAIM.isdisjoint(f.verdict.flags)
    ]


def filter_edits(
    text: str, report: Report, extraction: Extraction, fail_on: Iterable[Status]
) -> list[Edit]:
    """Remove each failing reference, with the in-text citations that point to it.

    A failing identifier or link inside a bibliography entry takes its entry with it; one
    in prose goes alone (a markdown link keeps its label). Failing in-text citations go too.
    The cuts keep the sentences readable (see `cuts`).
    """
    citations = extraction.citations
    position = {(c.kind, c.start, c.end): i for i, c in enumerate(citations)}
    entries = [i for i, c in enumerate(citations) if c.kind is Kind.REFERENCE]
    removed: list[tuple[int, int]] = []
    links: list[Edit] = []
    cited: list[Citation] = []
    dropped: set[int] = set()
    for finding in failing(report, fail_on):
        citation = finding.citation
        if not cuts.in_text(text, citation):
            continue
        if citation.kind is Kind.INLINE:
            cited.append(citation)
            continue
        entry = position.get((citation.kind, citation.start, citation.end))
        if citation.kind is not Kind.REFERENCE:
            entry = next((i for i in entries if _inside(citation, citations[i])), None)
        if entry is not None:
            dropped.add(entry)
        else:
            links.append(cuts.link_cut(text, citation.start, citation.end))
    for entry in dropped:
        removed.append(cuts.entry_span(text, citations[entry].start, citations[entry].end))
        cited += cuts.citing(extraction, entry)
    inline = [c for c in citations if c.kind is Kind.INLINE]
    edits = [Edit(start, end) for start, end in merge_spans(removed)]
    return without_overlaps([*edits, *cuts.citation_cuts(text, cited, inline), *links])


def fix_edits(
    text: str,
    report: Report,
    extraction: Extraction,
    fail_on: Iterable[Status],
    fabricated: Fabricated | str = "remove",
) -> list[Edit]:
    """What `fixes.plan` decides for each failing claim, as edits: a mismatch corrected
    field by field (a wrong identifier replaced by the right one), a fabricated reference
    removed with its in-text citations (or marked), nothing where nothing better is known.
    (`fixes` is imported here: it needs the verdict rules, which the guard's import spares.)"""
    from ..fix.decide import Fabricated, plan

    return plan(text, report, extraction, fail_on=fail_on, fabricated=Fabricated(fabricated)).edits


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
        line = f"- {finding.citation.raw}: {verdict.status.value}: {verdict.reason}"
        lines.append(safe_line(line))
    if len(problems) > REASK_MAX_LISTED:
        lines.append(f"- … and {len(problems) - REASK_MAX_LISTED} more")
    lines.append(REASK_OUTRO)
    return "\n".join(lines)


def _inside(inner: Citation, outer: Citation) -> bool:
    return outer.start <= inner.start and inner.end <= outer.end
