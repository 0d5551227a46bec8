"""References written outside reference lists, in the shapes chat answers use.

A model that cites without a reference list writes the same facts in other shapes:

- a table whose header names its columns: `| Title | Authors | Year | Venue | DOI |`;
- a bold title first: `**Coral reef recovery** — M. Okafor and L. Brandt (2019). *Marine Ecology*.`;
- a quoted title with its authors: `“Graph priors for docking” by Haddad, Ruiz, and Tan
  (NeurIPS, 2023; DOI: 10.5555/x.1)`, `Ferreira (“Urban heat islands”, Environ Health, 2016)`,
  `As Lindqvist and Osei (2021) argue in “Tokenizer drift” (ACL), …`.

Each is read into Fields here, from its structure: the reference parser is trained on
reference strings and reads these shapes poorly (a title-first line, a table row). A shape
counts only when it names a title and a year, and authors or a venue: the least a claim
needs to be checked field by field, and more than a quotation beside a name ever has.

`find_claims` finds them anywhere outside the given spans (BibTeX entries, code); a list
entry that holds one of them takes its Fields from the shape, one that holds several is
cut into them (`extract.find_entries`). Every pattern is bounded and anchored at a literal
(a quote, `**`, `|`, a parenthesis), so the whole is linear in the text.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial

from factcheck.extract.bounds import Bounds, unbounded
from factcheck.extract.detect import SENTENCE_OPENERS, SENTENCE_WORDS, title_cased
from factcheck.extract.identifiers import find_identifiers
from factcheck.extract.names import ET_AL_RE, split_authors
from factcheck.extract.scanned import Scanned
from factcheck.extract.urls import find_urls
from factcheck.model import Author, Citation, Fields, Kind
from factcheck.normalize import fold, unescape_entities

# Header words naming a table's columns (folded); a table is a list of works only when
# one column holds titles (TITLE_HEADERS) or whole references (REFERENCE_HEADERS).
TITLE_HEADERS = frozenset({"title", "paper", "work", "article", "publication", "study", "book"})
AUTHOR_HEADERS = frozenset({"author", "authors", "author s", "by", "researchers", "creators"})
YEAR_HEADERS = frozenset({"year", "date", "published", "publication year", "pub year"})
VENUE_HEADERS = frozenset(
    {"venue", "journal", "conference", "published in", "publisher", "outlet", "source"}
)
REFERENCE_HEADERS = frozenset({"reference", "references", "citation", "full reference"})
# Cells that say "nothing here".
EMPTY_CELLS = frozenset({"", "n a", "na", "none", "unknown", "tbd", "not available"})
# How far before a quoted title its authors may stand, and how many words may come
# between "Lindqvist and Osei (2021)" and the title in a sentence.
LOOKBEHIND = 160
LOOKAHEAD = 300
MAX_GAP_WORDS = 6
MIN_TITLE_WORDS = 2
# The names a line of a work's fields gives each field (lower case), by what it means.
FIELD_NAMES = {
    "title": "title",
    "authors": "authors",
    "author": "authors",
    "author(s)": "authors",
    "by": "authors",
    "year": "year",
    "date": "year",
    "published": "year",
    "publication year": "year",
    "venue": "venue",
    "journal": "venue",
    "conference": "venue",
    "published in": "venue",
    "publication": "venue",
    "source": "venue",
    "doi": "doi",
    "arxiv": "doi",
    "link": "doi",
    "url": "doi",
}
# A table's title column says what its cells are: a title of one word ("BERT") is one.
MIN_TABLE_TITLE_WORDS = 1

_YEAR_RE = re.compile(r"(?<![\w/.])(?:1[5-9]\d\d|20\d\d)(?=[a-z]?(?![\w/]))")
_QUOTED_RE = re.compile(r"[“\"](?P<title>[^“”\"\n]{8,300}?)[,.]?[”\"]")
_BOLD_START_RE = re.compile(
    r"^[ \t]*(?:(?:[-*+•]|\d{1,3}[.)])[ \t]+)?\*\*(?P<title>[^*\n]{8,300})\*\*", re.MULTILINE
)
# A line of a markdown table: it opens with "|".
_TABLE_LINE_RE = re.compile(r"^[ \t]{0,3}\|[^\n]*", re.MULTILINE)
# What every match of the three patterns above holds (an opening quote, bold's "**", a
# table's "|"): a text without it is not scanned, since looking for a string costs a
# tenth of a scan with a pattern.
_QUOTE_OPENERS = ('"', "“")
_BOLD_MARK = "**"
_TABLE_BAR = "|"
# After a title: "— M. Okafor and L. Brandt (2019)", ", by A and B (NeurIPS, 2023)".
_BY_AUTHORS_RE = re.compile(
    r"[ \t]*[,.]?[ \t]*(?:[—–:-][ \t]*)?(?:by[ \t]+)?(?P<authors>[^()\n]{2,200}?)"
    r"[ \t]*\((?P<inside>[^()\n]{2,200})\)"
)
# A dash after a quoted title, before its authors: "“Title” – Izacard, Lewis, et al."
_DASH_AFTER_RE = re.compile(r"[ \t]*[,.]?[ \t]*[—–-][ \t]")
# After a quoted title, in a sentence: "by Vaswani et al. in 2017", "by Haddad, Ruiz, and
# Tan, 2023".
_BY_NAMES_YEAR_RE = re.compile(
    r"[ \t]*,?[ \t]*by[ \t]+(?P<authors>[A-Z][^()\n.;:\d]{1,160}?(?:,?[ \t]*et al\.?)?)"
    r"(?:[ \t]+in|[ \t]*,)[ \t]+(?P<year>(?:1[5-9]|20)\d\d)(?![\d])"
)
# After a title: "(Okafor & Brandt, 2019, *Marine Ecology*)".
_PAREN_AFTER_RE = re.compile(r"[ \t]*\((?P<inside>[^()\n]{4,300})\)")
# A venue after the authors and year: ". *Marine Ecology*." or ", Marine Ecology."
_VENUE_AFTER_RE = re.compile(
    r"[ \t]*[.,;]?[ \t]*(?:\*(?P<marked>[^*\n]{2,200})\*|_(?P<under>[^_\n]{2,200})_)"
)
# Before a quoted title: "Ferreira (", "Wu et al., " or "K. He, X. Zhang, and J. Sun, "
# (IEEE's initials first: the first author's too).
_NAMES_BEFORE_RE = re.compile(
    r"(?P<authors>(?:[A-Z]\.(?:[ \t]?-?[A-Z]\.)*[ \t]?)?"
    r"[A-Z][\w'’-]{1,40}(?:[ ,]{1,2}(?:and|&|et al\.?|[A-Z][\w'’.-]{0,40})){0,12})"
    r"[ \t]*(?P<join>\(|,)[ \t]*\Z"
)
# In a sentence: "Lindqvist and Osei (2021) argue in " before the title.
_CITED_BEFORE_RE = re.compile(
    r"(?P<authors>[A-Z][\w'’-]{1,40}(?:[ ,]{1,2}(?:and|&|et al\.?|[A-Z][\w'’-]{1,40})){0,8})"
    r"[ \t]*\((?P<year>(?:1[5-9]|20)\d\d)[a-z]?\)(?P<gap>[^()\n“”\"]{0,80})\Z"
)
# The words between a citation and the title it names: "argue in", "in their paper".
_GAP_END_RE = re.compile(
    r"(?:\bin|\btitled|\bentitled|\bcalled|\bpaper|\barticle|\bstudy|\bbook|\breview|\bwork"
    r"|\breport|\bchapter|\bsurvey|\banalysis|\bthesis|\bpreprint|,|:)[ \t]*\Z",
    re.IGNORECASE,
)
# Names without their possessive "'s": "Smith and Jones", "Patel et al.".
_NAMES = r"[A-Z][\w-]{1,40}(?:[ ,]{1,2}(?:and|&|et al\.?|[A-Z][\w-]{1,40})){0,8}"
_WORK_KIND = r"(?:paper|article|study|book|review|survey|meta-analysis|analysis|report|preprint)"
# What may stand between the kind of work and its quoted title: ", titled", ",", nothing.
_NAMING_GAP = r"(?:[ \t]*,)?(?:[ \t]+(?:titled|entitled|called))?[ \t]*\Z"
# In a sentence, the year with the authors' possessive before the title: "Smith and
# Jones's 2019 paper “Title”", "Patel et al.'s 2021 study, titled “Title”".
_POSSESSIVE_BEFORE_RE = re.compile(
    rf"(?P<authors>{_NAMES})['’]s[ \t]+(?P<year>(?:1[5-9]|20)\d\d)[ \t]+(?:[\w-]+[ \t]+)?"
    rf"{_WORK_KIND}{_NAMING_GAP}"
)
# "a 2021 meta-analysis by Patel et al. titled “Title”": the year, the kind of work, "by"
# and its authors before the title.
_KIND_BY_BEFORE_RE = re.compile(
    rf"\b(?P<year>(?:1[5-9]|20)\d\d)[ \t]+(?:[\w-]+[ \t]+)?{_WORK_KIND}[ \t]+by[ \t]+"
    rf"(?P<authors>{_NAMES}){_NAMING_GAP}"
)
# A line that gives one field of a work, as answers lay a work out: "**Authors:** A, B",
# "- Year: 2017", "*Venue*: NeurIPS".
_FIELD_LINE_RE = re.compile(
    r"^[ \t]*(?:[-*+•][ \t]+)?(?P<mark>\*\*|__|\*|_)?"
    rf"(?P<name>(?i:{'|'.join(re.escape(name) for name in sorted(FIELD_NAMES, key=len)[::-1])}))"
    r"(?:\*\*|__|\*|_)?[ \t]*:[ \t]*(?:\*\*|__|\*|_)?[ \t]*(?P<value>[^\n]{1,300})$",
    re.MULTILINE,
)
# The line naming the work above its fields: a heading, a list item, bold, all numbered or not.
_TITLE_LINE_RE = re.compile(
    r"[ \t]*(?P<heading>#{1,6}[ \t]+)?(?P<item>[-*+•][ \t]+|\d{1,3}[.)][ \t]+)?"
    r"(?P<title>[^\n]{8,300})"
)
# A title marked as one: bold, italic or quoted, whole.
_MARKED_TITLE_RE = re.compile(r"(\*\*|__|\*|_|[“\"])[^\n]{6,300}(?:\1|”)[:.]?")
# The last name of a list written out: "and Ravikumar", "& Brandt".
_LAST_NAME_RE = re.compile(r"(?:and|&)[ \t]+[A-Z]")
_PAREN_RE = re.compile(r"\((?P<inside>[^()\n]{6,300})\)")
# A venue and its year in one piece of a parenthesis: "NeurIPS 2017", "Proc. ACL 2019".
_VENUE_YEAR_RE = re.compile(
    r"(?P<venue>[A-Z][^,;()]{1,120}?)[ \t]+(?P<year>(?:1[5-9]|20)\d\d)[a-z]?"
)
# "Lindqvist and Osei (2021)" in a sentence: the year in parentheses, the names before it.
# A piece that ends in its year, as Nature and ACS print it: "112–120 (2023)",
# "Nature 596 (2021)" (its closing parenthesis is gone when it ended the piece: `_clean`).
_CLOSING_YEAR_RE = re.compile(r"(?P<rest>.*?)[ \t]*\((?P<year>(?:1[5-9]|20)\d\d)[a-z]?\)?")
# A volume (and issue) after a venue's words: "Nature 596", "Neuron 101(3)".
_TRAILING_VOLUME_RE = re.compile(r"(?<=[^\W\d])[ \t]+\d+(?:[ \t]?\(\d+\))?\Z")
_YEAR_PAREN_RE = re.compile(r"\((?P<year>(?:1[5-9]|20)\d\d)[a-z]?\)")
_NAMES_BEFORE_YEAR_RE = re.compile(
    r"(?P<authors>[A-Z][\w'’-]{1,40}(?:[ ,]{1,2}(?:and|&|et al\.?|[A-Z][\w'’-]{1,40})){0,8})"
    r"[ \t]*\Z"
)
# Where a sentence ends: a full stop, ? or ! before a space (a DOI holds no ". ").
_SENTENCE_END_RE = re.compile(r"[.!?](?=\s)|\n")
# Between a claim and the identifier after it: ". DOI: ", ", arXiv: ", " — ".
_TRAILING_LABEL_RE = re.compile(
    r"[ \t.,;:—–-]*(?:(?:doi|arxiv|url|link)\b[ \t]*:?[ \t]*)?", re.IGNORECASE
)
_IDENTIFIER_HINT_RE = re.compile(r"10\.\d{4,9}/|arxiv", re.IGNORECASE)
# What any identifier or link holds; a claim without it holds none (a cheap test first).
_MAY_IDENTIFY_RE = re.compile(r"10\.\d|arxiv|https?:|www\.|pmid|pmc|isbn|doi", re.IGNORECASE)
_NAME_SPLIT_RE = re.compile(r"\s*(?:,|;|&|\band\b)\s*")
_SURNAME_RE = re.compile(r"[A-Z][\w'’-]{1,40}")
_DOI_LABEL_RE = re.compile(r"\b(?:doi|arxiv|url|isbn|pmid)\b\s*:?", re.IGNORECASE)
_CONFERENCE_RE = re.compile(
    r"\b(?:proceedings|proc|conference|conf|symposium|workshop|congress|meeting)\b", re.I
)
_PREPRINT_RE = re.compile(r"\b(?:preprint|arxiv|biorxiv|medrxiv|ssrn|corr)\b", re.I)
_EDGE = " \t.,;:*_\"'“”‘’«»()[]|"
# Words that open a sentence before its cited authors: "As Lindqvist and Osei (2021)".
NOT_NAMES = SENTENCE_OPENERS | SENTENCE_WORDS
# The fields an identifier or link written in a claim fills in when the claim has none:
# its text values (read straight from it: a dump of every field costs more), not its type,
# which the claim's venue decides.
_WRITTEN_FIELDS = tuple(name for name in Fields.model_fields if name != "type")


# The shapes the parser reads worse than their structure does: a list entry holding one
# of them takes its Fields from the shape (`SHAPES_OVER_PARSER`).
TABLE, BOLD, BY, PAREN, CITED, COMMA = "table", "bold", "by", "paren", "cited", "comma"
# A title line, then a line per field ("**Authors:** …", "- Year: 2017").
FIELDS = "fields"
# Authors, a year and an identifier in a sentence: no title, so a list entry holding one
# keeps the parser's reading.
SENTENCE = "sentence"
SHAPES_OVER_PARSER = frozenset({TABLE, BOLD, BY, PAREN, CITED, FIELDS})


@dataclass(frozen=True)
class _Claim:
    start: int
    end: int
    fields: Fields
    shape: str


@dataclass(frozen=True)
class Claim:
    """A reference found by its shape, and which shape it has (TABLE, BOLD, …)."""

    citation: Citation
    shape: str


def find_claims(
    text: str,
    taken: list[tuple[int, int]],
    bounds: Bounds | None = None,
    scanned: Scanned | None = None,
) -> list[Claim]:
    """References in tables, bold-title lines and sentences, outside the `taken` spans
    (sorted, not overlapping: BibTeX entries, code), up to where `bounds` stops the
    reading. In text order, none overlapping. `scanned`: the identifiers and links the
    caller found in the whole text, which a sentence's are then taken from where they
    can be (else each sentence is scanned again)."""
    bounds = unbounded(bounds)
    starts = [start for start, _ in taken]
    shapes = (
        _table_claims,
        _field_claims,
        _bold_claims,
        _quoted_claims,
        _identified_parentheses,
        partial(_identified_sentences, scanned=scanned),
    )
    found_by_shape = (c for shape in shapes for c in _capped(shape(text, bounds), bounds))
    claims = sorted(found_by_shape, key=lambda c: c.start)
    found: list[Claim] = []
    for claim in claims:
        if _overlaps(claim, taken, starts) or (found and claim.start < found[-1].citation.end):
            continue
        if bounds.passed(claim.start) or bounds.full(len(found), claim.start):
            break
        raw = text[claim.start : claim.end]
        citation = Citation(
            kind=Kind.REFERENCE, raw=raw, start=claim.start, end=claim.end, fields=claim.fields
        )
        found.append(Claim(citation, claim.shape))
    return found


def _capped(claims: Iterator[_Claim], bounds: Bounds) -> Iterator[_Claim]:
    """The claims one shape finds, until it alone has found the cap's worth: it stops there
    and notes the rest unread, so the shapes read after it stop there too, and a text of a
    million table rows costs the reading of the first ones."""
    for kept, claim in enumerate(claims):
        if bounds.full(kept, claim.start):
            return
        yield claim


def _overlaps(claim: _Claim, taken: list[tuple[int, int]], starts: list[int]) -> bool:
    index = bisect_right(starts, claim.end) - 1
    return index >= 0 and taken[index][0] < claim.end and claim.start < taken[index][1]


# --- tables -----------------------------------------------------------------------------


def _table_claims(text: str, bounds: Bounds) -> Iterator[_Claim]:
    """Rows of a markdown table whose header names a title or reference column. Only the
    lines that open with "|" are read, each once: a header, then its divider right below,
    then its rows, line after line."""
    if _TABLE_BAR not in text:
        return
    header: list[tuple[int, int]] | None = None
    roles: list[str | None] | None = None
    previous_end = -2
    for row_line in bounds.matches(_TABLE_LINE_RE.finditer(text)):
        start, end = row_line.start(), row_line.end()
        cells = _cells(text, start, end)
        adjacent = start == previous_end + 1
        previous_end = end
        if cells is None or not adjacent:
            header, roles = cells, None
            continue
        if roles is not None:
            if "title" in roles or "reference" in roles:
                claim = _row_claim(text, cells, roles)
                if claim is not None:
                    yield claim
        elif header is not None and _is_divider(text, cells):
            roles = [_role(text[s:e]) for s, e in header]
        else:
            header = cells


def _cells(text: str, start: int, end: int) -> list[tuple[int, int]] | None:
    """The (start, end) of each cell's content in a table row "| a | b |", or None."""
    line = text[start:end]
    stripped = line.strip()
    if len(stripped) < 2 or not stripped.startswith("|"):
        return None
    first = start + line.index("|")
    last = start + line.rindex("|")
    cells = []
    cursor = first + 1
    while cursor <= last:
        bar = text.find("|", cursor, last + 1)
        bar = last if bar < 0 else bar
        cell_start, cell_end = cursor, bar
        while cell_start < cell_end and text[cell_start].isspace():
            cell_start += 1
        while cell_end > cell_start and text[cell_end - 1].isspace():
            cell_end -= 1
        cells.append((cell_start, cell_end))
        cursor = bar + 1
    return cells or None


def _is_divider(text: str, cells: list[tuple[int, int]]) -> bool:
    return all(re.fullmatch(r":?-{3,}:?", text[s:e]) for s, e in cells)


def _role(header: str) -> str | None:
    words = fold(header)
    if words in TITLE_HEADERS or words.rstrip("s") in TITLE_HEADERS:
        return "title"
    if words in AUTHOR_HEADERS:
        return "authors"
    if words in YEAR_HEADERS:
        return "year"
    if words in VENUE_HEADERS:
        return "venue"
    if words in REFERENCE_HEADERS:
        return "reference"
    return None


def _row_claim(text: str, row: list[tuple[int, int]], roles: list[str | None]) -> _Claim | None:
    values: dict[str, str] = {}
    for (start, end), role in zip(row, roles, strict=False):
        if role is not None and fold(text[start:end]) not in EMPTY_CELLS:
            values.setdefault(role, text[start:end])
    spans = [(s, e) for s, e in row if e > s]
    if not spans:
        return None
    start, end = spans[0][0], spans[-1][1]
    if "reference" in values and "title" not in values:
        # A whole reference in a cell: the parser reads it (no Fields given).
        cell = next(s for (s, e), r in zip(row, roles, strict=False) if r == "reference")
        cell_end = next(e for (s, e), r in zip(row, roles, strict=False) if r == "reference")
        if _YEAR_RE.search(text, cell, cell_end) is None:
            return None
        return _Claim(cell, cell_end, Fields(), TABLE)
    title = _clean(values.get("title", ""))
    year = _year(values.get("year", ""))
    authors = _authors(values.get("authors", ""))
    if len(title.split()) < MIN_TABLE_TITLE_WORDS or not (authors or "venue" in values):
        return None
    fields = Fields(title=title, authors=authors, year=year, container=_venue(values.get("venue")))
    fields = _with_identifiers(fields, text[start:end])
    # Without a year, the row's DOI or arXiv id is what makes it a claim to check.
    if year is None and fields.doi is None and fields.arxiv is None:
        return None
    return _Claim(start, end, fields, TABLE)


# --- shapes in lines ----------------------------------------------------------------------


def _identified_parentheses(text: str, bounds: Bounds) -> Iterator[_Claim]:
    """`(Smith and Lee, 2020, Nature, doi:10.1038/x)` in a sentence: authors, year and venue
    written around an identifier are claimed with it, and checked field by field."""
    for paren in bounds.matches(_PAREN_RE.finditer(text)):
        inside = paren.group("inside")
        if _IDENTIFIER_HINT_RE.search(inside) is None:
            continue
        read = _inside(inside, leading_authors=True)
        if read.year is None or not read.authors:
            continue
        fields = Fields(authors=read.authors, year=read.year, container=read.venue)
        yield _Claim(paren.start(), paren.end(), _with_identifiers(fields, paren.group()), PAREN)


def _identified_sentences(
    text: str, bounds: Bounds, scanned: Scanned | None = None
) -> Iterator[_Claim]:
    """`As Sadasivan and Oakes (2012) reported (doi:10.1371/x), …`: the authors and year a
    sentence cites, and the DOI or arXiv id it gives for them later in the same sentence,
    are one claim (no title: the judge compares what is written). The clause's identifiers
    are `scanned`'s where it can tell them, else the clause is scanned alone."""
    for year in bounds.matches(_YEAR_PAREN_RE.finditer(text)):
        # The clause's identifier first: most years cite none, and the names before them
        # cost a search from every offset.
        window_end = min(len(text), year.end() + LOOKAHEAD)
        sentence_end = _SENTENCE_END_RE.search(text, year.end(), window_end)
        clause_end = window_end if sentence_end is None else sentence_end.start()
        if _IDENTIFIER_HINT_RE.search(text, year.end(), clause_end) is None:
            continue
        low = max(0, year.start() - LOOKBEHIND)
        line_start = text.rfind("\n", low, year.start()) + 1
        names = _NAMES_BEFORE_YEAR_RE.search(text, max(line_start, low), year.start())
        if names is None:
            continue
        found, offset = _clause_identifiers(text, year.end(), clause_end, scanned)
        identified = sorted((c for c in found if c.fields.doi or c.fields.arxiv), key=_start)
        authors = _authors(names.group("authors"))
        if not identified or not authors:
            continue
        start, end = names.start(), offset + identified[0].end
        fields = Fields(authors=authors, year=int(year.group("year")))
        # The claim's identifiers are the clause's up to the first one (the names and the
        # year before the clause hold none): what was read here is not read again.
        written = [c for c in found if c.start < identified[0].end]
        yield _Claim(start, end, _with_identifiers(fields, text[start:end], written), SENTENCE)


def _clause_identifiers(
    text: str, start: int, end: int, scanned: Scanned | None
) -> tuple[list[Citation], int]:
    """The links, then the identifiers, of `text[start:end]` (the order `_with_identifiers`
    reads them in), and the offset their positions count from: `scanned`'s, at their
    places in the whole text, where it can tell them; else the clause's own scan."""
    lent = None if scanned is None else scanned.within(start, end)
    if lent is not None:
        return lent, 0
    clause = text[start:end]
    return [*find_urls(clause), *find_identifiers(clause)], start


def _bold_claims(text: str, bounds: Bounds) -> Iterator[_Claim]:
    """`**Title** — Authors (Year). *Venue*.` or `**Title** (Authors, Year, *Venue*)` at the
    start of a line."""
    if _BOLD_MARK not in text:
        return
    for bold in bounds.matches(_BOLD_START_RE.finditer(text)):
        line_end = _line_end(text, bold.end())
        title = _clean(bold.group("title"))
        claim = _after_title(text, bold.start("title") - 2, bold.end(), line_end, title, BOLD)
        if claim is not None:
            yield _with_trailing_identifier(text, claim, line_end)


def _field_claims(text: str, bounds: Bounds) -> Iterator[_Claim]:
    """A work laid out a field to a line under its title ("### 1. Attention Is All You
    Need" / "**Authors:** Vaswani, Shazeer" / "**Year:** 2017" / "**Venue:** NeurIPS"), or
    with a "Title:" line of its own. It counts with a title, a year, and authors or a venue."""
    block: list[re.Match[str]] = []
    for line in bounds.matches(_FIELD_LINE_RE.finditer(text)):
        if block and line.start() != block[-1].end() + 1:
            yield from _field_block(text, block)
            block = []
        # A name in lower case and unmarked is a key of YAML front matter or a config file
        # ("title: My draft"), not a work's field as an answer writes it.
        if line.group("mark") is not None or line.group("name")[0].isupper():
            block.append(line)
    if block:
        yield from _field_block(text, block)


def _field_block(text: str, lines: list[re.Match[str]]) -> Iterator[_Claim]:
    values: dict[str, str] = {}
    for line in lines:
        values.setdefault(FIELD_NAMES[line.group("name").lower()], _clean(line.group("value")))
    start, title = lines[0].start(), values.get("title")
    if title is None and start > 0:
        above = text.rfind("\n", 0, start - 1) + 1
        named = _TITLE_LINE_RE.fullmatch(text, above, start - 1)
        if named is None or not _names_a_work(named):
            return
        start, title = above, _clean(named.group("title")).rstrip(":")
    year = _year(values.get("year", ""))
    authors = _authors(values.get("authors", ""))
    venue = _venue(values.get("venue"))
    if not title or len(title.split()) < MIN_TITLE_WORDS or year is None:
        return
    if not (authors or venue):
        return
    end = lines[-1].end()
    fields = Fields(title=title, authors=authors, year=year, container=venue)
    yield _Claim(start, end, _with_identifiers(fields, text[start:end]), FIELDS)


def _names_a_work(line: re.Match[str]) -> bool:
    """Whether the line above a work's fields is its title: a heading, or a title marked
    (bold, italic, quoted) or written in title case, never a lead-in ("Here is the paper:")."""
    title = line.group("title").strip()
    if _FIELD_LINE_RE.fullmatch(title) is not None:
        return False  # another field, of a block that names no title
    if line.group("heading") or _MARKED_TITLE_RE.fullmatch(title):
        return True
    return not title.endswith((":", ".", "?", "!")) and title_cased(title)


def _quoted_claims(text: str, bounds: Bounds) -> Iterator[_Claim]:
    """A quoted title with its authors before it or after "by", and its year."""
    if not any(opener in text for opener in _QUOTE_OPENERS):
        return
    for quoted in bounds.matches(_QUOTED_RE.finditer(text)):
        title = _clean(quoted.group("title"))
        if len(title.split()) < MIN_TITLE_WORDS:
            continue
        # Both ways only as far as a claim reaches: a long line is never read again.
        line_start = text.rfind("\n", max(0, quoted.start() - LOOKBEHIND), quoted.start()) + 1
        line_end = _line_end(text, quoted.end())
        after = (
            _after_title(text, quoted.start(), quoted.end(), line_end, title, BY, by_only=True)
            or _by_names_then_year(text, quoted, line_end, title)
            or _dash_then_source(text, quoted, line_end, title)
        )
        if after is not None:
            yield _with_trailing_identifier(text, after, line_end)
            continue
        before = text[max(line_start, quoted.start() - LOOKBEHIND) : quoted.start()]
        claim = _before_title(text, quoted, before, line_end, title) or _quoted_then_source(
            text, quoted, line_end, title
        )
        if claim is not None:
            yield _with_trailing_identifier(text, claim, line_end)


def _with_trailing_identifier(text: str, claim: _Claim, line_end: int) -> _Claim:
    """The claim with the DOI or arXiv id that follows it on its line ("… *Venue*. DOI:
    10.1/x"), if one does and the claim names none: the identifier is claimed with it."""
    if claim.fields.doi or claim.fields.arxiv:
        return claim
    label = _TRAILING_LABEL_RE.match(text, claim.end, line_end)
    start = claim.end if label is None else label.end()
    rest = text[start:line_end]
    if _IDENTIFIER_HINT_RE.search(rest) is None:
        return claim
    found = [*find_urls(rest), *find_identifiers(rest)]
    first = [c for c in found if c.start == 0 and (c.fields.doi or c.fields.arxiv)]
    if not first:
        return claim
    end = start + first[0].end
    fields = _with_identifiers(claim.fields.model_copy(), text[claim.start : end])
    return _Claim(claim.start, end, fields, claim.shape)


def _line_end(text: str, position: int) -> int:
    """The end of the line holding `position`, looked for LOOKAHEAD characters at most."""
    limit = min(len(text), position + LOOKAHEAD)
    end = text.find("\n", position, limit)
    return limit if end < 0 else end


def _after_title(
    text: str,
    start: int,
    title_end: int,
    line_end: int,
    title: str,
    shape: str,
    *,
    by_only: bool = False,
) -> _Claim | None:
    """A claim whose authors and year follow its title (bold-title lines, "“Title” by …")."""
    window_end = min(line_end, title_end + LOOKAHEAD)
    by = _BY_AUTHORS_RE.match(text, title_end, window_end)
    if by is not None and (
        not by_only or re.match(r"[ \t]*,?[ \t]*by\b", text[title_end:window_end])
    ):
        inside = _inside(by.group("inside"))
        authors = _authors(by.group("authors"))
        if inside.year is None or not authors:
            return None
        end = by.end()
        venue = inside.venue
        if venue is None and (after := _VENUE_AFTER_RE.match(text, end, window_end)):
            venue = _clean(after.group("marked") or after.group("under") or "")
            end = after.end()
        fields = Fields(title=title, authors=authors, year=inside.year, container=venue or None)
        return _Claim(start, end, _with_identifiers(fields, text[start:end]), shape)
    if by_only:
        return None
    return _paren_after(text, start, title_end, window_end, title, shape)


def _paren_after(
    text: str, start: int, title_end: int, window_end: int, title: str, shape: str
) -> _Claim | None:
    """A claim whose authors, year and venue follow its title in parentheses: "**Title**
    (Okafor & Brandt, 2019, *Marine Ecology*)", "“Title” (Vaswani et al., NeurIPS 2017)"."""
    paren = _PAREN_AFTER_RE.match(text, title_end, window_end)
    if paren is None:
        return None
    inside = _inside(paren.group("inside"), leading_authors=True)
    if inside.year is None or not (inside.authors or inside.venue):
        return None
    fields = Fields(title=title, authors=inside.authors, year=inside.year, container=inside.venue)
    return _Claim(start, paren.end(), _with_identifiers(fields, text[start : paren.end()]), shape)


def _by_names_then_year(
    text: str, quoted: re.Match[str], line_end: int, title: str
) -> _Claim | None:
    """“Title” by Vaswani et al. in 2017: a quoted title, its authors after "by", and the
    year after "in" or a comma, in the flow of a sentence. The title must be written in
    title case: a quotation said by someone in some year is not a work."""
    window_end = min(line_end, quoted.end() + LOOKAHEAD)
    by = _BY_NAMES_YEAR_RE.match(text, quoted.end(), window_end)
    if by is None or not title_cased(title):
        return None
    authors = _authors(by.group("authors"))
    if not authors:
        return None
    fields = Fields(title=title, authors=authors, year=int(by.group("year")))
    end = by.end()
    return _Claim(quoted.start(), end, _with_identifiers(fields, text[quoted.start() : end]), BY)


def _dash_then_source(text: str, quoted: re.Match[str], line_end: int, title: str) -> _Claim | None:
    """“Title” – Izacard, Lewis, et al. (JMLR, 2023): a quoted title, a dash, its authors,
    and their year in parentheses, with a venue there too or a title written in title case.
    A quotation with its source ("“Insanity is …” — Einstein (1981)") has neither."""
    if _DASH_AFTER_RE.match(text, quoted.end(), line_end) is None:
        return None
    claim = _after_title(text, quoted.start(), quoted.end(), line_end, title, BY)
    return claim if claim is not None and _cites_a_work(claim, title) else None


def _quoted_then_source(
    text: str, quoted: re.Match[str], line_end: int, title: str
) -> _Claim | None:
    """“Title” (Vaswani et al., NeurIPS 2017): a quoted title with its authors and year in
    parentheses after it, and a venue there too or a title written in title case. A
    quotation with its source ("“Insanity is doing …” (Einstein, 1981)") has neither."""
    window_end = min(line_end, quoted.end() + LOOKAHEAD)
    claim = _paren_after(text, quoted.start(), quoted.end(), window_end, title, PAREN)
    if claim is None or not claim.fields.authors:
        return None
    return claim if _cites_a_work(claim, title) else None


def _cites_a_work(claim: _Claim, title: str) -> bool:
    """Whether a quoted title with its source after it is a work rather than a quotation:
    the source names a venue, or the title is written in title case (a quotation with its
    author and year has neither)."""
    return bool(claim.fields.container) or title_cased(title)


def _before_title(
    text: str, quoted: re.Match[str], before: str, line_end: int, title: str
) -> _Claim | None:
    """`Ferreira (“Title”, Venue, 2016)`, `Wu et al., “Title,” ICLR, 2022` or a sentence
    `Lindqvist and Osei (2021) argue in “Title” (ACL)`."""
    base = quoted.start() - len(before)
    window_end = min(line_end, quoted.end() + LOOKAHEAD)
    cited = _cited_before(before)
    if cited is not None:
        end = quoted.end()
        venue = None
        if paren := _PAREN_AFTER_RE.match(text, end, window_end):
            inside = _inside(paren.group("inside"))
            venue, end = inside.venue, paren.end() if inside.year is None else end
        authors = _authors(cited.group("authors"))
        year = int(cited.group("year"))
        fields = Fields(title=title, authors=authors, year=year, container=venue)
        start = base + cited.start()
        return _Claim(start, end, _with_identifiers(fields, text[start:end]), CITED)
    names = _NAMES_BEFORE_RE.search(before)
    if names is None:
        return None
    authors = _authors(names.group("authors"))
    rest_end = text.find(")", quoted.end(), window_end) if names.group("join") == "(" else -1
    tail_end = rest_end if rest_end >= 0 else _clause_end(text, quoted.end(), window_end)
    inside = _inside(text[quoted.end() : tail_end])
    if not authors or inside.year is None:
        return None
    end = rest_end + 1 if rest_end >= 0 else tail_end
    fields = Fields(title=title, authors=authors, year=inside.year, container=inside.venue)
    start = base + names.start()
    shape = PAREN if names.group("join") == "(" else COMMA
    return _Claim(start, end, _with_identifiers(fields, text[start:end]), shape)


def _cited_before(before: str) -> re.Match[str] | None:
    """The authors and year that a sentence gives before a quoted title, with the words
    between them naming it as their work: "Lindqvist and Osei (2021) argue in", "Smith's
    2019 paper", "a 2021 study by Patel et al. titled"."""
    cited = _CITED_BEFORE_RE.search(before)
    if cited is not None and _gap_names_the_title(cited.group("gap")):
        return cited
    return _POSSESSIVE_BEFORE_RE.search(before) or _KIND_BY_BEFORE_RE.search(before)


def _gap_names_the_title(gap: str) -> bool:
    """The words between "Smith (2020)" and a quoted title introduce it as the work's title
    ("argue in", "in their paper", ","), not as a phrase the authors used."""
    return len(gap.split()) <= MAX_GAP_WORDS and _GAP_END_RE.search(gap) is not None


def _clause_end(text: str, start: int, limit: int) -> int:
    """The end of "…”, J. Mach. Learn. Res., 2022." after a title: a semicolon, a line end,
    or a full stop after a number or a lower-case word (not after "J." or "Mach.")."""
    word_start = start
    for position in range(start, limit):
        char = text[position]
        if char in ";\n":
            return position
        if char == "." and (position + 1 == limit or text[position + 1].isspace()):
            word = text[word_start:position]
            if word.isdigit() or (len(word) > 1 and word.islower()):
                return position
        if not char.isalnum():
            word_start = position + 1
    return limit


@dataclass(frozen=True)
class _Inside:
    """What a parenthesis or a tail after a title holds: venue, year, perhaps authors."""

    venue: str | None
    year: int | None
    authors: list[Author]


def _inside(inside: str, *, leading_authors: bool = False) -> _Inside:
    """Read "NeurIPS, 2023; DOI: 10.5555/x" or "Okafor & Brandt, 2019, *Marine Ecology*"."""
    pieces = [p for p in (_clean(p) for p in re.split(r"[;,]", inside)) if p]
    year = None
    venue_parts: list[str] = []
    authors: list[Author] = []
    names = _names_end(pieces) if leading_authors else 0
    if names:
        authors = _authors(", ".join(pieces[:names]))
    for piece in pieces[names:]:
        if year is None and (found := _YEAR_RE.fullmatch(piece.rstrip("abcdefgh"))):
            year = int(found.group())
        elif year is None and (dated := _VENUE_YEAR_RE.fullmatch(piece)):
            year = int(dated.group("year"))
            venue_parts.append(dated.group("venue"))
        elif year is None and (closing := _CLOSING_YEAR_RE.fullmatch(piece)):
            year = int(closing.group("year"))
            venue_parts.extend(_venue_words(closing.group("rest")))
        elif _DOI_LABEL_RE.match(piece) or _looks_identifier(piece):
            continue
        elif year is None or not venue_parts:
            venue_parts.extend(_venue_words(piece))
    venue = ", ".join(venue_parts) or None
    return _Inside(venue=venue, year=year, authors=authors)


def _venue_words(piece: str) -> list[str]:
    """The venue a piece names, without the volume after it ("Nature Machine Intelligence
    5" names "Nature Machine Intelligence"); none when it holds no word ("112–120", "5")."""
    venue = _TRAILING_VOLUME_RE.sub("", piece)
    return [venue] if any(char.isalpha() for char in venue) else []


def _names_end(pieces: list[str]) -> int:
    """How many leading pieces of a parenthesis name its authors: the first, or up to the
    one that ends the list ("Natarajan, Dhillon, and Ravikumar"), before any year."""
    end = 0
    for index, piece in enumerate(pieces):
        if _YEAR_RE.search(piece) or _looks_identifier(piece):
            break
        if index == 0 or _LAST_NAME_RE.match(piece):
            end = index + 1
    return end


def _looks_identifier(piece: str) -> bool:
    return piece.lower().startswith(("10.", "http", "www.", "arxiv")) or "doi.org" in piece


# --- field values -----------------------------------------------------------------------------


def _clean(value: str) -> str:
    return " ".join(unescape_entities(value).strip(_EDGE).split())


def _year(value: str) -> int | None:
    found = _YEAR_RE.search(value)
    return int(found.group()) if found else None


def _venue(value: str | None) -> str | None:
    venue = _clean(value or "")
    return venue if venue and fold(venue) not in EMPTY_CELLS else None


def _authors(text: str) -> list[Author]:
    """Authors as a table cell or a sentence names them: "Dahl, Imai, and Ross" (surnames
    only, each its own author), "M. Okafor and L. Brandt", "Wu et al."."""
    names = _clean(ET_AL_RE.sub("", text))
    words = names.split()
    # "As Lindqvist and Osei": a sentence's opening word before a name; not "An and Gao".
    while len(words) > 1 and words[0].lower() in NOT_NAMES and words[1][:1].isupper():
        words.pop(0)
    names = " ".join(words)
    if not names or fold(names) in EMPTY_CELLS:
        return []
    parts = [p for p in _NAME_SPLIT_RE.split(names) if p]
    if parts and all(_SURNAME_RE.fullmatch(p) for p in parts):
        return [Author(family=p) for p in parts]
    return split_authors(names)


def _with_identifiers(fields: Fields, raw: str, found: list[Citation] | None = None) -> Fields:
    """The DOI, arXiv id or link written in the claim (`found`, when the caller has read
    them: links first), and the type its venue suggests."""
    if found is None:
        found = [*find_urls(raw), *find_identifiers(raw)] if _MAY_IDENTIFY_RE.search(raw) else []
    for citation in found:
        written = citation.fields
        for name in _WRITTEN_FIELDS:
            value = getattr(written, name)
            if isinstance(value, str) and getattr(fields, name) is None:
                setattr(fields, name, value)
    fields.type = _type(fields)
    return fields


def _start(citation: Citation) -> int:
    return citation.start


def _type(fields: Fields) -> str | None:
    venue = fields.container or ""
    if fields.arxiv or _PREPRINT_RE.search(venue):
        return "preprint"
    if _CONFERENCE_RE.search(venue):
        return "paper-conference"
    return "article-journal" if venue else None
