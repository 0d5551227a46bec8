"""Find what a text claims: identifiers, links, bibliography entries, in-text citations.

`extract_all` runs every finder and returns an Extraction:
- identifiers and URLs (one Citation per stretch of text), each with the words written
  around it (`Citation.context`), so the judge can compare a title written next to a DOI
  with what the DOI resolves to;
- bibliography entries (`reference`): BibTeX entries, and entries of reference lists in
  markdown or plain text, parsed into Fields by the trained parser. An entry's DOI or URL
  stays its own item inside the entry's span;
- in-text citations (`inline`), and their links to the entries.

Every finder reads within a `Bounds` (a deadline, and a cap on the claims each keeps):
what lies past where the first of them stopped is not extracted but handed back whole as
`Extraction.unread`, so that a check reports it instead of dropping it.

Nothing here touches the network. The parser (spaCy) loads only when a text has entries.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from functools import lru_cache
from itertools import islice

from factcheck.extract.bibliography import BULLET, MAX_ENTRY_CHARS, ListReader
from factcheck.extract.bibtex import parse_bibtex
from factcheck.extract.bounds import DEADLINE, LIMIT, Bounds, unbounded
from factcheck.extract.detect import repeats_authors
from factcheck.extract.freeform import SHAPES_OVER_PARSER, Claim, find_claims
from factcheck.extract.identifiers import classify_url, find_identifiers
from factcheck.extract.ignore import drop_marked
from factcheck.extract.inline import Problem, find_inline_with_labels, link
from factcheck.extract.scanned import Scanned
from factcheck.extract.textview import TextView
from factcheck.extract.urls import find_urls
from factcheck.model import Author, Citation, Extraction, Kind, Link, Unread

__all__ = [
    "Bounds",
    "classify_url",
    "context_of",
    "extract",
    "extract_all",
    "find_entries",
    "find_identifier_claims",
    "find_identifiers",
    "find_urls",
]

# Context never reaches further than this from a citation, so that a megabyte-long
# line with thousands of links stays linear; a reference entry fits easily.
CONTEXT_RADIUS = 400
# Context of an identifier inside a bibliography entry reaches this far into the entry:
# every entry of a reference list is read whole.
ENTRY_CONTEXT_RADIUS = MAX_ENTRY_CHARS
# A markdown list item or its continuation is followed at most this many lines.
MAX_ITEM_LINES = 12
# How far a BibTeX field line looks back for its entry's "@type{", and forward for
# its closing brace; entries with long abstracts stay well within it.
BIBTEX_LOOKBACK = 8000
# Braces of the fields after the citation that are walked to close its entry.
MAX_ENTRY_TAIL_BRACES = 64
# Entries given to the parser between two looks at the deadline (about a millisecond each).
PARSE_CHUNK = 32
# Contexts remembered by the entry or line they are read from (see `_clean`).
CONTEXT_CACHE_SIZE = 4096
# Link problems that only the whole text can show: an entry may be cited, or a citation's
# entry written, in the part left unread.
WHOLE_TEXT_PROBLEMS: frozenset[Problem | None] = frozenset({"no_entry", "uncited"})

# A list marker, numbered reference or reference/footnote definition opening a line.
_LIST_MARKER_RE = re.compile(
    rf"[ \t]*(?:>[ \t]*)*(?:{BULLET}|\d{{1,3}}[.)]|\(\d{{1,3}}\)|\[\^?[^\]\s]{{1,20}}\]:?)[ \t]+"
)
_CONTINUATION_RE = re.compile(r"[ \t]+\S")
# A BibTeX entry's first line, or one of its "field = value" lines.
_BIBTEX_LINE_RE = re.compile(r"[ \t]*(?:@|[A-Za-z][\w-]*[ \t]*=)")
_BRACE_RE = re.compile(r"[{}]")
# Cutting the citation out of "[label](url)" leaves "[label]()": keep the label.
_EMPTIED_LINK_RE = re.compile(r"\[([^\[\]]*)\]\(\)")
# Other markdown emptied the same way, as in "<url>" or "(doi:...)".
_EMPTIED_WRAPPERS = ("()", "<>", "[]")
_WORD_RE = re.compile(r"\w")
# Between a link's label and its target: "](" or "](<", perhaps after emphasis.
_LINK_MIDDLE_RE = re.compile(r"[*_]*\]\(<?")
_LINK_LABEL_OPEN_RE = re.compile(r"\[[*_]*\Z")
_LINK_LABEL_LOOKBACK = 8
# An author "name" that is only Chicago's or MLA's dash for a repeated author.
_DASH_NAME_RE = re.compile(r"[—–_-]{2,}")


def extract(text: str) -> list[Citation]:
    """Every claim in `text`, sorted by start. See `extract_all` for the links too."""
    return extract_all(text).citations


def extract_all(text: str, bounds: Bounds | None = None) -> Extraction:
    """Every claim in `text` and the links between in-text citations and entries.

    Within `bounds`, if given: what lies before the point where reading stopped is
    extracted, and the rest of the text is `unread`. Past the cap, the first claim after
    the `bounds.claims` first ones starts the unread part. The finders read the text with
    its unusual breaks, spaces and invisible characters made plain (`TextView`); spans and
    `raw` are those of `text`."""
    view = TextView.of(text)
    if view is None:
        return _extract_plain(text, bounds)
    return _restored(text, view, _extract_plain(view.text, bounds))


def _restored(text: str, view: TextView, extraction: Extraction) -> Extraction:
    """The extraction of `view`, with its spans and raw text those of `text`."""
    for citation in extraction.citations:
        citation.start = view.original(citation.start)
        citation.end = view.original(citation.end, end=True)
        citation.raw = text[citation.start : citation.end]
    unread = extraction.unread
    if unread is not None:
        start = view.original(unread.start)
        extraction.unread = unread.model_copy(
            update={"start": start, "end": len(text), "raw": text[start:]}
        )
    return extraction


def _extract_plain(text: str, bounds: Bounds | None) -> Extraction:
    """`extract_all` of a text whose breaks and spaces are plain."""
    bounds = unbounded(bounds)
    identifiers, reached, scanned = _identifier_claims(text, bounds)
    entries, code = _entries_and_code(text, bounds, scanned)
    inline: list[tuple[Citation, str]] = []
    if entries:
        inline = find_inline_with_labels(text, [(c, c.label) for c in entries], bounds, code)
        for citation, label in inline:
            citation.label = label
    found = sorted([*identifiers, *entries, *(c for c, _ in inline)], key=_position)
    citations, unread = _read_part(text, found, bounds)
    if unread is not None:
        entries = [c for c in citations if c.kind is Kind.REFERENCE]
        inline = [(c, label) for c, label in inline if c.end <= unread.start]
    _set_contexts(text, identifiers, reached, entries)
    links = _links(citations, entries, [c for c, _ in inline], whole=unread is None)
    return drop_marked(text, Extraction(citations=citations, links=links, unread=unread))


def _read_part(
    text: str, citations: list[Citation], bounds: Bounds
) -> tuple[list[Citation], Unread | None]:
    """The citations (sorted) that end before where reading stopped, and the rest of the
    text, unread; past the cap of claims, the first claim over it stops the reading."""
    if bounds.claims is not None:
        claims = [c for c in citations if c.kind is not Kind.INLINE]
        if len(claims) > bounds.claims:
            bounds.stop(claims[bounds.claims].start, LIMIT)
    cut, cause = bounds.cut, bounds.cause
    if cut is None or cause is None or cut >= len(text):
        return citations, None
    kept = [c for c in citations if c.end <= cut]
    return kept, Unread(start=cut, end=len(text), raw=text[cut:], cause=cause)


def find_identifier_claims(text: str, bounds: Bounds | None = None) -> list[Citation]:
    """Identifier and link claims, one per stretch of text, with context set (up to where
    `bounds` stops the reading)."""
    citations, reached, _ = _identifier_claims(text, unbounded(bounds))
    _set_contexts(text, citations, reached, [])
    return citations


def _identifier_claims(text: str, bounds: Bounds) -> tuple[list[Citation], int, Scanned]:
    """`find_identifier_claims` without their context yet: the claims, how many of them
    lie before where `bounds` stops the reading (which get a context), and what the scan
    found before overlaps were settled, which `freeform` takes a sentence's identifiers
    from instead of scanning it again. The context waits for the entries: one inside an
    entry is read against the entry (`_set_contexts`), not its line."""
    links, identifiers = find_urls(text, bounds), find_identifiers(text, bounds)
    scanned = Scanned(text, links, identifiers, complete=bounds.cut is None)
    citations = _drop_repeated_link_labels(_without_overlaps([*links, *identifiers]), text)
    reached = next(
        (index for index, c in enumerate(citations) if bounds.passed(c.start)), len(citations)
    )
    return citations, reached, scanned


def find_entries(text: str, bounds: Bounds | None = None) -> list[Citation]:
    """Bibliography entries: BibTeX entries, then reference-list entries outside them
    (up to where `bounds` stops the reading).

    List entries are parsed into Fields by the trained parser (loaded on first use);
    BibTeX entries already carry their fields.
    """
    return _entries_and_code(text, bounds)[0]


def _entries_and_code(
    text: str, bounds: Bounds | None, scanned: Scanned | None = None
) -> tuple[list[Citation], list[tuple[int, int]] | None]:
    """`find_entries`, and the text's code blocks when the list reader read them all (the
    in-text citations skip them too: one pass over the lines finds them for both).
    `scanned`: the whole text's identifiers, if already found (see `freeform.find_claims`)."""
    bounds = unbounded(bounds)
    entries = []
    for entry in parse_bibtex(text, bounds).entries:
        # Labelled as pandoc cites it ("[@key]"), so in-text keys link by label.
        entry.citation.label = f"@{entry.key}"
        entries.append(entry.citation)
    reader = ListReader(text, bounds)
    listed = _parsed(_listed_entries(reader, entries), bounds)
    # References outside lists (tables, bold-title lines, sentences): outside BibTeX
    # entries and code, up to where the lists were read.
    taken = _merged(sorted([*((c.start, c.end) for c in entries), *reader.code_spans()]))
    claims = find_claims(text, taken, bounds, scanned)
    listed, loose = _with_claims(listed, claims)
    loose = [
        *(c for c in loose if c.fields.claimed()),
        *_parsed(iter([c for c in loose if not c.fields.claimed()]), bounds),
    ]
    _inherit_repeated_authors(listed)
    return sorted([*entries, *listed, *loose], key=_position), reader.all_code_spans()


def _parsed(found: Iterator[Citation], bounds: Bounds) -> list[Citation]:
    """The entries with their Fields from the trained parser, parsed a chunk at a time as
    they are found, so that a deadline keeps what was read and parsed before it."""
    parsed_entries: list[Citation] = []
    while chunk := list(islice(found, PARSE_CHUNK)):
        from factcheck.extract.parser import parse_references, ready_within

        if bounds.passed(chunk[0].start):
            break
        if not ready_within(bounds.remaining()):
            bounds.stop(chunk[0].start, DEADLINE)
            break
        parsed = parse_references([c.raw for c in chunk])
        for citation, fields in zip(chunk, parsed, strict=True):
            citation.fields = fields
        parsed_entries.extend(chunk)
    return parsed_entries


def _listed_entries(reader: ListReader, bibtex: list[Citation]) -> Iterator[Citation]:
    """Reference-list entries outside the BibTeX entries, labelled, as they are read."""
    starts = [bib.start for bib in bibtex]
    for citation, label in reader.entries():
        if not _overlaps_any(citation, bibtex, starts):
            citation.label = label
            yield citation


def _with_claims(
    listed: list[Citation], claims: list[Claim]
) -> tuple[list[Citation], list[Citation]]:
    """List entries read with the claims found by their shapes (`freeform`), and the
    claims that stand outside every entry. An entry holding several claims ("- As A (2020)
    argue in “X” … “Y” by B (ICLR, 2021)") is cut into them; one holding a single claim of
    a shape the parser reads badly takes its Fields."""
    kept: list[Citation] = []
    loose: list[Citation] = []
    index = 0
    for entry in listed:
        while index < len(claims) and claims[index].citation.end <= entry.start:
            loose.append(claims[index].citation)
            index += 1
        inner: list[Claim] = []
        while index < len(claims) and claims[index].citation.start < entry.end:
            if _inside(claims[index].citation, entry):
                inner.append(claims[index])
            index += 1
        if len(inner) > 1:
            kept.extend(claim.citation for claim in inner)
            continue
        if inner and inner[0].shape in SHAPES_OVER_PARSER:
            entry.fields = inner[0].citation.fields
        kept.append(entry)
    loose.extend(claim.citation for claim in claims[index:])
    return kept, loose


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted spans with the overlapping ones joined."""
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _inherit_repeated_authors(entries: list[Citation]) -> None:
    """Chicago's "———." (MLA's "---.") stands for the previous entry's authors: each such
    entry takes them (all of them for a lone dash, the first for "———, and B. Lee")."""
    previous: list[Author] = []
    for entry in entries:
        authors = entry.fields.authors
        dashes = [i for i, a in enumerate(authors) if _DASH_NAME_RE.fullmatch(a.family or "")]
        if dashes and previous and repeats_authors(entry.raw):
            inherited = previous if len(authors) == 1 else previous[:1]
            index = dashes[0]
            entry.fields.authors = [
                *authors[:index],
                *(a.model_copy() for a in inherited),
                *authors[index + 1 :],
            ]
        previous = entry.fields.authors


def _position(citation: Citation) -> tuple[int, int]:
    return citation.start, -citation.end


def _inside(inner: Citation, outer: Citation) -> bool:
    return outer.start <= inner.start and inner.end <= outer.end


def _overlap(one: Citation, other: Citation) -> bool:
    return one.start < other.end and other.start < one.end


def _overlaps_any(citation: Citation, entries: list[Citation], starts: list[int]) -> bool:
    """Whether `citation` overlaps one of `entries`, which are sorted and never overlap
    (their `starts` given): only the last to start before it ends can. A bisection, since
    trying each of thousands of entries for each of thousands of citations is quadratic."""
    index = bisect_left(starts, citation.end) - 1
    return index >= 0 and _overlap(citation, entries[index])


def _set_contexts(
    text: str, identifiers: list[Citation], reached: int, entries: list[Citation]
) -> None:
    """The words around each identifier: an identifier inside an entry is read against
    that entry, not just its line; one of the first `reached` outside every entry against
    its line or list item (`context_of`); the others, past where reading stopped, get none.

    Entries are sorted and never overlap, so the one entry that can hold an identifier is
    the last to start at or before it: found by bisection, since a long text holds
    thousands of both and trying every pair would be quadratic.
    """
    starts = [entry.start for entry in entries]
    for position, citation in enumerate(identifiers):
        index = bisect_right(starts, citation.start) - 1
        if index >= 0 and _inside(citation, entries[index]):
            citation.context = _clean(_entry_window(entries[index], citation), citation.raw)
        elif position < reached:
            citation.context = context_of(text, citation)


def _entry_window(entry: Citation, citation: Citation) -> str:
    """The entry around `citation`, at most ENTRY_CONTEXT_RADIUS either side: a whole
    reference fits, and a BibTeX entry of a megabyte holding thousands of links is not
    read again for each of them."""
    low = max(0, citation.start - entry.start - ENTRY_CONTEXT_RADIUS)
    return entry.raw[low : citation.end - entry.start + ENTRY_CONTEXT_RADIUS]


def _links(
    citations: list[Citation], entries: list[Citation], inline: list[Citation], *, whole: bool
) -> list[Link]:
    """The inline-to-entry links, with indices into `citations`. Of a text not read
    `whole`, the problems only the whole text could show are left out."""
    if not entries or not inline:
        return []
    index = {id(c): i for i, c in enumerate(citations)}
    found = link(
        [(c, c.label or "") for c in inline],
        [(e, e.label) for e in entries],
        [e.fields for e in entries],
    )
    rows = [row for row in found.links if whole or row.problem not in WHOLE_TEXT_PROBLEMS]
    return [
        Link(
            inline=None if row.citation_index is None else index[id(inline[row.citation_index])],
            reference=None
            if row.reference_index is None
            else index[id(entries[row.reference_index])],
            problem=row.problem,
            detail=row.detail,
        )
        for row in rows
    ]


def _without_overlaps(candidates: list[Citation]) -> list[Citation]:
    """Keep one citation per stretch of text, sorted by start.

    A span inside another is part of it: the DOI inside a doi.org link, the PMCID
    after its label. Of two spans that merely overlap, the longer wins. Ties keep
    the earlier candidate, so links (found first) decide the kind of the same span.
    """
    kept: list[Citation] = []
    for citation in sorted(candidates, key=lambda c: (c.start, -c.end)):
        if kept and citation.start < kept[-1].end:
            last = kept[-1]
            if citation.end - citation.start > last.end - last.start:
                kept[-1] = citation
            continue
        kept.append(citation)
    return kept


def _drop_repeated_link_labels(citations: list[Citation], text: str) -> list[Citation]:
    """Drop the label of `[X](X)`: a link whose text repeats its target is one claim."""
    kept: list[Citation] = []
    for index, citation in enumerate(citations):
        following = citations[index + 1] if index + 1 < len(citations) else None
        is_repeated_label = (
            following is not None
            and _LINK_MIDDLE_RE.fullmatch(text, citation.end, following.start) is not None
            and citation.key == following.key
            and _LINK_LABEL_OPEN_RE.search(
                text, max(0, citation.start - _LINK_LABEL_LOOKBACK), citation.start
            )
            is not None
        )
        if not is_repeated_label:
            kept.append(citation)
    return kept


def context_of(text: str, citation: Citation) -> str | None:
    """The rest of the line, list item or BibTeX entry around `citation`.

    The citation's own text, list markers and emptied markdown are removed and the
    whitespace collapsed; None when no word is left.
    """
    line_start, line_end = _line_bounds(text, citation.start, citation.end)
    block = None
    if _BIBTEX_LINE_RE.match(text, line_start, line_end):
        block = _bibtex_entry(text, line_start, citation.end)
    if block is None:
        block = _list_item(text, line_start, line_end, citation.start, citation.end)
    return _clean(text[block[0] : block[1]], citation.raw)


def _line_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The line holding [start, end), clipped to CONTEXT_RADIUS either side.

    Where the radius cuts a long line, the cut word is dropped rather than halved.
    """
    low = max(0, start - CONTEXT_RADIUS)
    high = min(len(text), end + CONTEXT_RADIUS)
    line_start = text.rfind("\n", low, start) + 1
    if not line_start:
        line_start = low if low == 0 else text.find(" ", low, start) + 1 or low
    line_end = text.find("\n", end, high)
    if line_end < 0:
        line_end = high if high == len(text) else text.rfind(" ", end, high)
        line_end = high if line_end < 0 else line_end
    return line_start, line_end


def _bibtex_entry(text: str, line_start: int, end: int) -> tuple[int, int] | None:
    """Bounds of the BibTeX entry (from "@" to its closing brace) that contains `end`.

    Braces before `end` are counted in C (`str.count`); only the entry's tail, after
    the citation, is walked brace by brace, and only so far.
    """
    low = max(0, line_start - BIBTEX_LOOKBACK)
    if text.startswith("@", line_start):
        entry_start = line_start
    elif (newline_at := text.rfind("\n@", low, line_start)) >= 0:
        entry_start = newline_at + 1
    elif low == 0 and text.startswith("@"):
        entry_start = 0
    else:
        return None
    open_brace = text.find("{", entry_start, end)
    if open_brace < 0:
        return None
    depth = text.count("{", open_brace, end) - text.count("}", open_brace, end)
    if depth <= 0:
        return None
    tail = _BRACE_RE.finditer(text, end, min(len(text), end + BIBTEX_LOOKBACK))
    for brace in islice(tail, MAX_ENTRY_TAIL_BRACES):
        depth += 1 if brace.group() == "{" else -1
        if depth == 0:
            return entry_start, brace.end()
    return None


def _list_item(text: str, line_start: int, line_end: int, start: int, end: int) -> tuple[int, int]:
    """Widen a line to its whole markdown list item when it is one, or part of one.

    An item is a marker line followed by indented continuation lines; a line that is
    neither stays alone. Bounded to CONTEXT_RADIUS and MAX_ITEM_LINES.
    """
    low = max(0, start - CONTEXT_RADIUS)
    high = min(len(text), end + CONTEXT_RADIUS)
    item_start = _item_start(text, line_start, line_end, low)
    if item_start is None:
        return line_start, line_end
    item_end = line_end
    for _ in range(MAX_ITEM_LINES):
        next_start = item_end + 1
        indented = text.startswith((" ", "\t"), next_start)
        if next_start >= high or not indented or not _is_continuation(text, next_start):
            break
        found = text.find("\n", next_start, high)
        item_end = high if found < 0 else found
    return item_start, item_end


def _item_start(text: str, line_start: int, line_end: int, low: int) -> int | None:
    """Start of the list item holding the line at `line_start`, or None if not in one."""
    if _LIST_MARKER_RE.match(text, line_start, line_end):
        return line_start
    current, current_end = line_start, line_end
    for _ in range(MAX_ITEM_LINES):
        # `current` is known not to open an item; is it a continuation line?
        if current <= low or not _CONTINUATION_RE.match(text, current, current_end):
            return None
        previous = text.rfind("\n", low, current - 1) + 1 or low
        if _LIST_MARKER_RE.match(text, previous, current):
            return previous
        current, current_end = previous, current - 1
    return None


def _is_continuation(text: str, line_start: int) -> bool:
    """An indented, non-blank line that does not open an item of its own."""
    high = min(len(text), line_start + CONTEXT_RADIUS)
    return (
        _CONTINUATION_RE.match(text, line_start, high) is not None
        and _LIST_MARKER_RE.match(text, line_start, high) is None
    )


@lru_cache(maxsize=CONTEXT_CACHE_SIZE)
def _clean(block: str, raw: str) -> str | None:
    """Context text: the block without marker, citation and emptied markdown. Remembered:
    a guarded chat cites the same entries, with the same links in them, again and again."""
    if marker := _LIST_MARKER_RE.match(block):
        block = block[marker.end() :]
    rest = block.replace(raw, "")
    if "]()" in rest:
        rest = _EMPTIED_LINK_RE.sub(r"\1", rest)
    for wrapper in _EMPTIED_WRAPPERS:
        if wrapper in rest:
            rest = rest.replace(wrapper, "")
    rest = " ".join(rest.split())
    return rest if _WORD_RE.search(rest) else None
