"""Cutting references out of a text so that what is left still reads: the entry's line, its
in-text citations and whatever only made sense with them.

`filter` (guard) and the removal of fabricated references (`fixes`) both cut here:

- an entry goes with its whole line when nothing else shares it (list marker included);
- a citation among others in one pair of brackets goes with its separator:
  "(Smith & Lee, 2019; Doe, 2020)" -> "(Doe, 2020)", "[1, 3]" -> "[1]";
- one of a numeric range keeps the rest: "[2-4]" without 3 -> "[2, 4]";
- brackets left empty (or holding only "see", "e.g.," and the like) go, with the space
  before them, and so does a word left dangling before them: "as shown by (Smith, 2019)."
  -> "as shown.";
- a narrative citation, "Smith and Lee (2019) showed that ...", is the subject of its
  sentence: the sentence goes (its claim rests on the reference alone).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence

from ..model import Citation, Extraction
from .edits import Edit, merge_spans, without_overlaps

# The list marker or indentation that may open a reference entry's line.
LINE_LEAD_RE = re.compile(
    r"[ \t]*(?:>[ \t]*)*(?:[-*+•]|\d{1,3}[.)]|\(\d{1,3}\)|\[\d{1,3}\])?[ \t]*"
)
# A line that starts a block of its own: a list item or a heading.
_BLOCK_START_RE = re.compile(r"[ \t]*(?:>[ \t]*)*(?:[-*+•][ \t]|\d{1,3}[.)][ \t]|#{1,6}[ \t])")
# What separates in-text citations sharing brackets: "(A, 2020; B, 2021)", "[1, 2]".
CITE_SEPARATORS = ("; ", ", ", ";", ",")
BRACKET_PAIRS = ("()", "[]")
# What joins links or identifiers listed in prose: "see doi:A and doi:B".
LINK_JOINERS = (" and ", " or ")
# Words that only introduce the citations in their brackets: "(see Smith, 2019)".
_LEAD_IN_RE = re.compile(
    r"[(\[][ \t]*(?:(?:see(?:[ \t]+also)?|e\.g\.|cf\.|i\.e\.|for[ \t]+example)[,:]?[ \t]*)?\Z",
    re.IGNORECASE,
)
_CLOSING_RE = re.compile(r"[ \t]*[)\]]")
# A word that only led to the citation: "as shown by (Smith, 2019)." loses " by" too.
_DANGLING_RE = re.compile(r"[ \t]+(?:by|in|see|cf\.|from|of)\Z", re.IGNORECASE)
# What may follow a cut for a word before it to be left dangling: the sentence goes on
# with no object for it.
_AFTER_DANGLING = frozenset(".,;:!?)\n")
# A citation written as part of its sentence: a name, then the year in brackets.
_NARRATIVE_RE = re.compile(r"^[^\s(\[][^(\[]*[(\[]")
# A sentence ends at . ! or ?, perhaps closed by quotes or brackets, before a space.
_SENTENCE_END_RE = re.compile(r"[.!?][\"'”’)\]]*(?=\s|\Z)")
# Words whose full stop ends no sentence ("et al.", "e.g."), folded; and initials.
ABBREVIATIONS = frozenset(
    [
        "al",
        "e.g",
        "i.e",
        "cf",
        "vs",
        "etc",
        "fig",
        "figs",
        "eq",
        "no",
        "vol",
        "pp",
        "p",
        "ed",
        "eds",
        "dr",
        "prof",
        "mr",
        "mrs",
        "ms",
        "st",
        "ch",
        "sec",
        "ref",
        "refs",
    ]
)
_WORD_BEFORE_RE = re.compile(r"([\w.]+)\Z")
_RANGE_DASH_RE = re.compile(r"[-–—]")
DEFAULT_RANGE_DASH = "–"


def in_text(text: str, citation: Citation) -> bool:
    """Whether the claim is written in the text (an SDK may report claims it is not)."""
    return text[citation.start : citation.end] == citation.raw


def citing(extraction: Extraction, entry: int) -> list[Citation]:
    """The in-text citations linked to the entry at index `entry`: they go with it."""
    return [
        extraction.citations[row.inline]
        for row in extraction.links
        if row.reference == entry and row.inline is not None
    ]


def entry_span(text: str, start: int, end: int) -> tuple[int, int]:
    """An entry's span widened to its whole line(s) when nothing else shares them (the
    line break goes only with the whole line)."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    if LINE_LEAD_RE.fullmatch(text, line_start, start):
        start = line_start
    if start == line_start and not text[end:line_end].strip():
        end = min(len(text), line_end + 1)
    return start, end


def citation_cuts(
    text: str, removed: Sequence[Citation], inline: Sequence[Citation] = ()
) -> list[Edit]:
    """The edits that take the `removed` in-text citations out of `text`, readably.

    `inline` are all the text's in-text citations: a numeric range ("[2-4]") is one span
    shared by several, and keeps those not removed."""
    gone = {_identity(c) for c in removed}
    sharing: dict[tuple[int, int], set[str]] = defaultdict(set)
    for citation in [*inline, *removed]:
        sharing[(citation.start, citation.end)].add(citation.label or citation.raw)
    spans: list[tuple[int, int]] = []
    rewrites: list[Edit] = []
    for start, end in sorted({(c.start, c.end) for c in removed}):
        kept = sharing[(start, end)] - {label for s, e, label in gone if (s, e) == (start, end)}
        if kept:
            rewrites.append(Edit(start, end, _range(text[start:end], kept)))
        elif _NARRATIVE_RE.match(text[start:end]):
            spans.append(sentence_span(text, start, end))
        else:
            spans.append(_with_separator(text, start, end))
    cuts = merge_spans(_tidy(text, start, end) for start, end in merge_spans(spans))
    return without_overlaps([*(Edit(s, e) for s, e in cuts), *rewrites])


def sentence_span(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence around `text[start:end]`, with the space that joins it to the next
    one; its whole line when nothing else is left on it."""
    low, high = _block(text, start, end)
    begin = low
    for mark in _SENTENCE_END_RE.finditer(text, low, start):
        if not _abbreviation(text, mark.start()):
            begin = mark.end()
    while begin < start and text[begin].isspace():
        begin += 1
    stop = next(
        (
            m.end()
            for m in _SENTENCE_END_RE.finditer(text, end, high)
            if not _abbreviation(text, m.start())
        ),
        high,
    )
    after = stop
    while after < high and text[after] in " \t":
        after += 1
    if after > stop:
        stop = after
    else:
        while begin > low and text[begin - 1] in " \t":
            begin -= 1
    return entry_span(text, begin, stop)


def link_cut(text: str, start: int, end: int) -> Edit:
    """A link or identifier in prose: `[label](url)` keeps its label, `<url>` and `(url)`
    lose their brackets, and one of a list goes with its joiner: "see A and B" -> "see B",
    "see A, B and C." -> "see A, B."."""
    closes = end < len(text) and text[end] == ")"
    if closes and text.endswith("](", 0, start):
        opening = text.rfind("[", 0, start - 2)
        if opening >= 0:
            return Edit(opening, end + 1, text[opening + 1 : start - 2])
    if start > 0 and end < len(text) and text[start - 1] + text[end] in ("<>", "()"):
        start, end = start - 1, end + 1
    for joiner in LINK_JOINERS:
        if text.startswith(joiner, end):
            return Edit(start, end + len(joiner))
    closing = end == len(text) or not text[end].isalnum()
    for joiner in (*LINK_JOINERS, ", "):
        if closing and text.endswith(joiner, 0, start):
            return Edit(start - len(joiner), end)
    return Edit(*_unspaced(text, start, end))


def _identity(citation: Citation) -> tuple[int, int, str]:
    return citation.start, citation.end, citation.label or citation.raw


def _range(written: str, kept: set[str]) -> str:
    """A numeric range rewritten with the numbers kept: "2-4" without 3 is "2, 4"."""
    dash = _RANGE_DASH_RE.search(written)
    joiner = dash.group() if dash else DEFAULT_RANGE_DASH
    numbers = sorted(int(label) for label in kept if label.isdigit())
    runs: list[list[int]] = []
    for number in numbers:
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    return ", ".join(
        f"{run[0]}{joiner}{run[-1]}" if len(run) > 2 else ", ".join(map(str, run)) for run in runs
    )


def _with_separator(text: str, start: int, end: int) -> tuple[int, int]:
    """An in-text citation with the separator that ties it to its neighbours."""
    for separator in CITE_SEPARATORS:
        if text.startswith(separator, end):
            return start, end + len(separator)
    for separator in CITE_SEPARATORS[:2]:
        if text.endswith(separator, 0, start):
            return start - len(separator), end
    return start, end


def _tidy(text: str, start: int, end: int) -> tuple[int, int]:
    """A cut that empties its brackets takes them (and any lead-in left in them), the
    space before them, and a word that only led to them."""
    line_start = text.rfind("\n", 0, start) + 1
    lead = _LEAD_IN_RE.search(text, line_start, start)
    closing = _CLOSING_RE.match(text, end)
    bracketed = False
    if lead is not None and closing is not None:
        pair = text[lead.start()] + text[closing.end() - 1]
        if pair in BRACKET_PAIRS:
            start, end, bracketed = lead.start(), closing.end(), True
    start, end = _unspaced(text, start, end)
    if bracketed and (end == len(text) or text[end] in _AFTER_DANGLING):
        dangling = _DANGLING_RE.search(text, line_start, start)
        if dangling is not None:
            start = dangling.start()
    return start, end


def _unspaced(text: str, start: int, end: int) -> tuple[int, int]:
    """A cut followed by punctuation (or the end) takes the space before it."""
    if start > 0 and text[start - 1] == " " and (end == len(text) or not text[end].isalnum()):
        start -= 1
    return start, end


def _block(text: str, start: int, end: int) -> tuple[int, int]:
    """The paragraph or list item around a span: where its sentences may begin and end."""
    low = text.rfind("\n", 0, start) + 1
    while low > 0 and not _BLOCK_START_RE.match(text, low):
        above = text.rfind("\n", 0, low - 1) + 1
        if not text[above : low - 1].strip():
            break
        low = above
    lead = LINE_LEAD_RE.match(text, low)
    if lead is not None and lead.end() <= start:
        low = lead.end()
    high = text.find("\n", end)
    while 0 <= high < len(text):
        below = text.find("\n", high + 1)
        below = len(text) if below < 0 else below
        line = text[high + 1 : below]
        if not line.strip() or _BLOCK_START_RE.match(line):
            break
        high = below
    return low, len(text) if high < 0 else high


def _abbreviation(text: str, dot: int) -> bool:
    """Whether the full stop at `dot` closes an abbreviation or an initial, not a sentence."""
    if text[dot] != ".":
        return False
    word = _WORD_BEFORE_RE.search(text, max(0, dot - 12), dot)
    if word is None:
        return False
    folded = word.group(1).lower().strip(".")
    return folded in ABBREVIATIONS or (len(folded) == 1 and folded.isalpha())
