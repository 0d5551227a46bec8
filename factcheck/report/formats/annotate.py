"""`--annotate`: the checked text again, with a marker after each claim.

    Smith (2019). Deep priors. doi:10.1038/x [⚠ mismatch: year 2019 → 2015]

Markers are `✓`, `✗ not found`, `⚠ mismatch: field claimed → found; …` and
`? unverifiable`; in Markdown they are emphasised (` *[✓]*`) and escaped, in plain text they
are plain brackets. A claim inside another one (an entry's DOI) gets no marker of its own
when it says the same as the entry's. Markers are placed by the claims' offsets into the
original text, all in one pass, so that no insertion moves the place of another.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import PurePath

from ...model import Finding, Status
from ...safetext import safe_text
from .common import STATUS_LABEL, STATUS_SYMBOL, diff_phrase
from .markdown import escape

MARKDOWN_SUFFIXES = frozenset({".md", ".markdown", ".mdown", ".mkd", ".mdx", ".qmd", ".rmd"})
PLAIN_SUFFIXES = frozenset({".txt", ".text", ".bib", ".tex", ".rst", ".org", ".csv", ".json"})
# What gives a text of unknown kind away as Markdown: a heading, a link, a list item, bold.
_MARKDOWN_SIGNS = re.compile(r"^#{1,6} \S|\]\([^)\s]+\)|^\s*(?:[-*+]|\d+\.) \S|\*\*\S", re.M)
# How long a claimed or found value gets inside a marker.
MAX_MARKER_VALUE = 40
DIFF_SEPARATOR = "; "
# A claim that ends a Markdown link target or an <autolink> gets its marker after the
# closing bracket, so that the link keeps working.
LINK_TARGET_OPEN, LINK_TARGET_CLOSE = "](", ")"
AUTOLINK_OPEN, AUTOLINK_CLOSE = "<", ">"


def is_markdown(path: str | None, text: str) -> bool:
    """Whether to write Markdown markers: by the file's suffix, else by the text's look."""
    suffix = PurePath(path or "").suffix.lower()
    if suffix in MARKDOWN_SUFFIXES:
        return True
    if suffix in PLAIN_SUFFIXES:
        return False
    return _MARKDOWN_SIGNS.search(text) is not None


def marker_text(finding: Finding) -> str:
    """What a marker says, without its brackets: `⚠ mismatch: year 2019 → 2015`."""
    status = finding.verdict.status
    if status is Status.VERIFIED:
        return STATUS_SYMBOL[status]
    label = f"{STATUS_SYMBOL[status]} {STATUS_LABEL[status]}"
    diffs = [diff_phrase(diff, MAX_MARKER_VALUE) for diff in finding.verdict.diffs]
    return f"{label}: {DIFF_SEPARATOR.join(diffs)}" if diffs else label


def marker(finding: Finding, *, markdown: bool) -> str:
    """The marker as inserted, with the space before it."""
    if markdown:
        return f" *[{escape(marker_text(finding))}]*"
    return f" [{marker_text(finding)}]"


def annotate(text: str, findings: Sequence[Finding], *, markdown: bool) -> str:
    """`text` with a marker after each claim that needs one of its own, without the control
    sequences and characters (`safetext`) that the text itself may hold: the annotated copy
    is for reading, on a terminal as much as in a file."""
    insertions = sorted(
        (_place(text, f), -f.citation.start, marker(f, markdown=markdown))
        for f in _marked(findings)
    )
    pieces, done = [], 0
    for position, _inner_first, inserted in insertions:
        pieces += [text[done:position], inserted]
        done = position
    pieces.append(text[done:])
    return safe_text("".join(pieces))


def _marked(findings: Sequence[Finding]) -> list[Finding]:
    """The findings that get a marker: not those inside another claim with the same status
    (an entry's DOI says nothing its entry's marker does not)."""
    return [
        f
        for i, f in enumerate(findings)
        if not any(
            _covers(j, other, i, f) and other.verdict.status is f.verdict.status
            for j, other in enumerate(findings)
        )
    ]


def _covers(j: int, outer: Finding, i: int, inner: Finding) -> bool:
    """Whether finding j's span holds finding i's; of two equal spans, the first holds."""
    a, b = inner.citation, outer.citation
    if (a.start, a.end) == (b.start, b.end):
        return j < i
    return b.start <= a.start and a.end <= b.end


def _place(text: str, finding: Finding) -> int:
    """Where the marker goes: after the claim, or after the bracket closing its link."""
    start, end = finding.citation.start, finding.citation.end
    closes_link = text.startswith(LINK_TARGET_CLOSE, end) and text.endswith(
        LINK_TARGET_OPEN, 0, start
    )
    closes_autolink = text.startswith(AUTOLINK_CLOSE, end) and text.endswith(
        AUTOLINK_OPEN, 0, start
    )
    return end + 1 if closes_link or closes_autolink else end
