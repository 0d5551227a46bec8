"""Find bibliography entries in free text: each one a `Kind.REFERENCE` Citation.

A reference list is found the way a reader finds it, by its structure:

- A heading or lead line such as "References", "Sources:", "Here are the papers I used:" or
  "参考文献" opens a section. Under it every numbered, bulleted or paragraph-per-entry item
  is an entry unless it is clearly not one: a remark to the reader, a sentence of prose or a
  line of code (`detect`). An entry that cannot be read is still one: the judge reports it
  (flag `unparsed`). Sections named "Notes" or "Endnotes" hold remarks as often as
  references, so their items must also read like references (`trusts_items`).
- Outside sections, a run of list items (or lines, or paragraphs) of one style, most of which
  read like references, is a list (`_is_list`); a bracketed run ("[1] … [2] …") or a
  footnote definition is taken when it reads like a reference, and a lone paragraph only
  when it is unmistakably one (an author list at its start and a high score).
- Code blocks, tables and headings never yield entries here (tables and references woven
  into sentences are `freeform`'s). A block quote ("> …", nested "> > …") is read as its
  content, each depth a block of its own: a reference list quoted from a paper or a mail
  is still a list of claims.

Whether an item reads like a reference is a cheap additive score (`reference_score`):
a year in parentheses, "Surname, I." author patterns, "et al.", a volume/pages
pattern, an identifier, a quoted or emphasised title, venue words; and the shape tests of
`detect` (a list of full names first, "."-separated parts).

Each entry's `raw` is exactly `text[start:end]`: the entry without its list marker
and surrounding whitespace, with its own line breaks kept when it wraps. Its label
("1" for "[1]" or "1.", "^1" for a footnote definition) is returned beside it by
`find_references_with_labels`, so in-text citations can be linked to it.

Everything is linear: lines are classified one by one, each regex is anchored or
bounded, and only items shorter than MAX_ENTRY_CHARS are ever scored. Nothing here
imports spaCy or the reference parser.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice, pairwise

from factcheck.extract import detect
from factcheck.extract.bounds import Bounds, unbounded
from factcheck.extract.merged import merged_parts
from factcheck.model import Citation, Kind
from factcheck.nameparts import particles_pattern
from factcheck.normalize import fold

# Score bars. Under a references heading or lead line the bar is lowest; a run of
# "[1] … [2] …" markers, "[n]" line markers and footnote definitions are strong
# structure on their own; a lone paragraph must also open with an author list.
SECTION_MIN_SCORE = 2
MARKED_MIN_SCORE = 3
LONE_MIN_SCORE = 5
# Outside reference sections, a run of at least RUN_MIN_ITEMS list items (or lines) of
# one style is a list of references when this share of them reads like references.
RUN_MIN_ITEMS = 2
RUN_SHARE = 0.6
MAX_RUN_ITEMS = 200
UNMARKED = "unmarked"
# Entries shorter than this are labels or fragments; longer ones are prose.
MIN_ENTRY_CHARS = 15
MAX_ENTRY_CHARS = 3000
MIN_ENTRY_WORDS = 3
# A lone line with a DOI or arXiv id is an entry with this many "."-separated parts.
MIN_IDENTIFIED_PARTS = 2
# A heading names a reference section in at most this many words ("Key references",
# "References and further reading"); a lead line ("Here are the sources I used:")
# in at most MAX_LEAD_WORDS.
MAX_HEADING_WORDS = 4
MAX_HEADING_CHARS = 80
MAX_LEAD_WORDS = 20
# Spaces between a lead's bold heading and its colon ("**Sources** :").
MAX_LEAD_GAP = 3
# A heading with the first entry after it ("**Sources:** rest") is at most this long, so
# its ":" stands at most MAX_LEAD_COLON_OFFSET characters past the line's indent (the
# heading, its bold marks and the gap).
MAX_LEAD_HEAD_CHARS = 60
MAX_LEAD_COLON_OFFSET = MAX_LEAD_HEAD_CHARS + 2 * len("**") + MAX_LEAD_GAP
# Heading level of a bold or plain-text heading, below every markdown "#" level.
PLAIN_HEADING_LEVEL = 7
# A paragraph this long with no year or identifier ends a reference section: the
# answer has gone back to prose.
SECTION_BREAK_PROSE_CHARS = 160
# Markdown: four spaces of indent open a code block; YAML front matter is skipped
# only within this many lines.
CODE_INDENT = 4
MAX_FRONT_MATTER_LINES = 200
# A paragraph (lines without a blank one between) is handed on in pieces, before a list
# item once a piece has PIECE_LINES lines, and at MAX_PARAGRAPH_LINES in any case: a text
# of a million short lines is never held whole, and a deadline loses little.
PIECE_LINES = 50
MAX_PARAGRAPH_LINES = 1000
# Numbered list markers have at most this many digits, so "2019." never is one.
MAX_MARKER_DIGITS = 3

# Words that name a reference section, folded (lower-case, no accents), in the
# languages a model commonly answers in.
REF_WORDS = frozenset(
    {
        "references",
        "sources",
        "bibliography",
        "citations",
        "literature",
        "notes",
        "footnotes",
        "endnotes",
        "literatur",
        "literaturverzeichnis",
        "quellen",
        "quellenverzeichnis",
        "bibliographie",
        "referencias",
        "bibliografia",
        "fuentes",
        "riferimenti",
        "fonti",
        "fontes",
        "bibliografie",
        "bronnen",
        "referenser",
        "litteratur",
        "kallor",
        "zrodla",
        "kaynakca",
        "kaynaklar",
        "参考文献",
        "文献",
        "参考资料",
        "参考",
        "출처",
        "참고문헌",
        "литература",
        "литературы",
        "источники",
    }
)
# Written in the singular: a heading's words are compared singular (`_singular`), so that
# "Reference lists", "Further readings" and "Works cited" match too.
REF_PHRASES = frozenset(
    {
        "work cited",
        "work consulted",
        "further reading",
        "reading list",
        "suggested reading",
        "recommended reading",
        "selected reading",
        "cited work",
        "source cited",
        "source consulted",
        "paper cited",
        "reference list",
        "list of work cited",
    }
)
# Shorter words keep a final "s" ("gps"); so do "-ss" words ("press").
MIN_PLURAL_CHARS = 4
# Sections named by these words hold remarks as often as references: their items are
# taken only when they read like references. Under any other reference heading every
# item is an entry unless it is clearly prose or code (`detect`).
NOTE_WORDS = frozenset({"notes", "footnotes", "endnotes", "anmerkungen", "notas", "note"})
# A lead line may also announce the works by what they are: "Here are the papers I used:".
# The last word of a label before a lone entry on its line ("Source: Kim, J. (2019). …").
LABEL_WORDS = frozenset(
    {"source", "reference", "ref", "citation", "cite", "see", "paper", "article", "study", "work"}
)
MAX_LABEL_WORDS = 3
LEAD_WORDS = frozenset({"papers", "articles", "publications", "works", "readings", "books"})
# "Sources of error" or "Notes on setup" are not reference sections.
_HEADING_STOP_WORDS = frozenset({"of", "for", "on", "about", "in", "to"})
_NUMBERING_RE = re.compile(r"(?:\d+(?:\.\d+)*|[ivxlc]+|[a-z])\.?", re.IGNORECASE)

# Letters by case, for the scripts model output cites in (Latin, Greek, Cyrillic).
_UP = "A-ZÀ-ÖØ-ÞĀĂĄĆČĎĐĒĖĘĚĞĢĪĮİĶĹĻĽŁŃŅŇŌŐŒŔŘŚŞŠŢŤŪŮŰŲŹŻŽΑ-ΩА-ЯЁ"
_NAME = rf"[{_UP}][\w'’-]*"
_PARTICLES = particles_pattern()
_SURNAME = _PARTICLES + _NAME
_YEAR = r"(?<![\w/.])(?:1[5-9]\d\d|20\d\d)[a-z]?(?![\w/])"

# An organisation's name: capitalised words, or with a small word inside ("Office for
# National Statistics", "Department of Health and Social Care"); "and" only after such a
# word, since "Smith and Lee (2020)" are people.
_ORG_NAME = (
    rf"{_NAME}(?:\s{_NAME}){{0,3}}\s(?:for|of|on|de|du|des|für)\s(?:the\s)?{_NAME}"
    rf"(?:\s(?:(?:and|&|of|for|on|the)\s)?{_NAME}){{0,5}}"
    rf"|{_NAME}(?:\s{_NAME}){{0,5}}"
)
# An entry opens with an author list ("Smith, J.", "Evans JM,", "W. L. Hamilton,",
# "Cynthia Dwork,", "Baldick, Chris.", "CARDOSO, Fernando"), an organisation before
# its year ("Google Quantum AI. (2023)", "Office for National Statistics (2022)") or a
# quoted title.
_AUTHOR_START_RE = re.compile(
    rf"{_SURNAME},\s(?:[{_UP}]\.[ -]?){{1,3}}"
    rf"|{_SURNAME}\s[{_UP}]{{1,3}}(?:\.\s?[{_UP}]\.)*(?:[,.;]|\s\(|\set al)"
    rf"|(?:[{_UP}]\.[ -]?){{1,3}}{_SURNAME}(?:,|\sand\s|\s&\s)"
    rf"|{_NAME}(?:\s[{_UP}]\.)?(?:\s{_NAME})?\s{_SURNAME},\s"
    rf"|{_SURNAME},\s{_NAME}[.,\s]"
    rf"|[{_UP}]{{2,}}[\w-]*,\s"
    rf"|(?:{_ORG_NAME})\.?\s\((?:1[5-9]|20)\d\d"
    r"|[\"“«]"
)
_YEAR_RE = re.compile(_YEAR)
# A note that points back to an entry cited before: "Ibid., p. 45.", "Id. at 5",
# "Goodfellow et al., op. cit.": it opens so, or is names and "op. cit." with a page.
_BACK_REFERENCE_RE = re.compile(
    r"(?:ibid|ibidem|id)\.|[^\n]{0,60}?\s(?:op|loc)\.\s?cit\.?(?:,?\s[^\n]{0,20})?\Z",
    re.IGNORECASE,
)
# A link or identifier, left out when a run's items are weighed by the rest of their text.
_LINK_RE = re.compile(r"https?://\S+|www\.\S+|\b(?:doi|arxiv|pmid):\s?\S+|10\.\d{4,9}/\S+", re.I)
# "n.d." (no date), German "o. J.", French and Spanish "s.d." / "s.f.": an entry's date.
_NO_DATE_RE = re.compile(r"\b(?:n|o|s)\.\s?(?:d|J|f)\.(?!\w)")
# A DOI or an arXiv id: what names one work, unlike a link.
_WORK_ID_RE = re.compile(r"10\.\d{4,9}/|arxiv[:.]|\babs/\d{4}\.", re.IGNORECASE)
_IDENTIFIER_RE = re.compile(
    r"10\.\d{4,9}/|arxiv[:.]|https?://|www\.|\bisbn\b|\bpmid\b", re.IGNORECASE
)

# (pattern, points): each counts once per item, cheapest and commonest first. Each
# branch opens with a literal and tests what precedes it with a lookbehind after it,
# which lets the regex engine skip ahead to candidates instead of trying every offset.
_FEATURES: tuple[tuple[re.Pattern[str], int], ...] = (
    (re.compile(r"\((?:[A-Za-z]+\.?\s)?(?:1[5-9]|20)\d\d[a-z]?[),]|\(n\.d\.\)"), 2),
    (
        re.compile(
            rf"{_SURNAME},?\s(?:[{_UP}]\.[ -]?){{1,3}}"
            rf"|(?:[{_UP}]\.[ -]?){{1,3}}{_SURNAME}"
            rf"|\b{_SURNAME}\s[{_UP}]{{1,3}}(?:[,.:]|$)"
            rf"|{_SURNAME},\s{_NAME}\sand\s{_SURNAME},\s"
            rf"|{_SURNAME},\s{_NAME}(?:\s[{_UP}]\.?)?,?\s(?:and\s|et al)"
        ),
        2,
    ),
    (
        re.compile(r"10\.\d{4,9}/|[Aa][Rr][Xx][Ii][Vv][:.]|https?://|www\.|ISBN|isbn|PMID|pmid"),
        2,
    ),
    (
        re.compile(
            r"\((?<=\d\()\d+[-–/\d]*\)\s?[:,]\s?[A-Za-z]?\d"
            r"|\((?<=\d \()\d+[-–/\d]*\)\s?[:,]\s?[A-Za-z]?\d"
            r"|;\s?\d+(?:\(\d+\))?:\s?[A-Za-z]?\d"
            r"|:(?<=\d:)\d+[-–]\d"
            r"|,(?<=(?:1[5-9]|20)\d\d,)\s?\d+:\d"
            r"|\*\*\d+\*\*,\s\d"
            r"|\.(?<=vol\.)\s?\d|\.(?<=no\.)\s?\d|\.(?<=\sv\.)\s?\d|\.(?<=\sn\.)\s?\d"
            r"|,\s\d+,\s\d+[-–]\d"
        ),
        2,
    ),
    (re.compile(rf"[,.”\"]\s{_YEAR}(?=[.;,:)\s]|$)"), 1),
    (re.compile(r"e(?<!\we)t al\b|u\. a\.|и др\.|等"), 1),
    (
        re.compile(
            r"[-–](?<=\d[-–])\d+\.?\Z"
            r"|p(?<!\wp)p?\.?\s?[A-Za-z]?\d+[-–]\d"
            r"|pages\s\d+[-–]\d"
            r"|[SС]\.(?<!\w[SС]\.)\s?\d+[-–]\d"
        ),
        1,
    ),
    (re.compile(r"[\"“«‘'][^\"”»’\n]{12,300}[\"”»’']"), 1),
    (re.compile(r"\*[^*\n]{4,300}\*|_(?<!\w_)[^_\n]{4,300}_(?!\w)"), 1),
    (
        re.compile(
            r"(?:In:?|Proc\.|Proceedings|Journal|Conference|Press|Verlag|Trans\.|Review"
            r"|Letters|University|Publishers?|Books|Eds?\.|ed\.|edited|Editions?|Éditions)\b"
            r"|\[[JCMDR]\]|//"
        ),
        1,
    ),
)
# First-person and reporting verbs: a sentence about a work, not an entry.
_PROSE_RE = re.compile(
    r"\b(?:I|we|you|our|my|your|showed|found|suggests|argued|recommend|should|will)\b"
)
PROSE_PENALTY = 2
# Entry scores and readings remembered (see `_reaches`, `_reads_as_trusted_entry`).
SCORE_CACHE_SIZE = 4096
PROSE_MIN_HITS = 2

# What people and models use as bullets: markdown's, typographic ones, a single dash, arrows,
# check marks, shapes and emoji (with or without their emoji variation selector). A run of
# dashes ("———." for the same authors) is no bullet: a bullet is followed by a space.
BULLET = (
    "(?:[-*+•‣◦▪–—·►▶▸▹➤➢➔→✓✔✅☐☑★☆◆◇■□●○]"
    "|[\u2190-\u21ff\u2600-\u27bf\U0001f300-\U0001faff])\ufe0f?"
)
# An HTML list item's opening tag, read as a bullet.
HTML_ITEM = r"<[lL][iI]\b[^<>\n]{0,100}>"
# A list marker: bullet, "1." / "1)", "(1)", "[1]", a footnote definition "[^1]:", a
# superscript number "¹", a letter "a)" / "(a)", or a bare number before a capital ("1 Smith
# J, …", as lists copied from PDFs are numbered).
_MARKER_RE = re.compile(
    rf"[ \t]{{0,8}}(?:(?P<bullet>{BULLET})|(?P<html>{HTML_ITEM}[ \t]*)"
    rf"|(?P<num>\d{{1,{MAX_MARKER_DIGITS}}})[.)]"
    rf"|\((?P<paren>\d{{1,{MAX_MARKER_DIGITS}}})\)"
    r"|\[\^(?P<note>[^\]\s]{1,20})\]:"
    r"|\[(?P<bracket>[^\]\s\[^]{1,20})\]:?"
    rf"|(?P<sup>[⁰¹²³⁴⁵⁶⁷⁸⁹]{{1,{MAX_MARKER_DIGITS}}})"
    r"|\(?(?P<letter>[a-z])\)"
    rf"|(?P<bare>\d{{1,{MAX_MARKER_DIGITS}}})(?=[ \t]+[A-Z])"
    r")(?(html)|[ \t]+)(?=\S)"
)
_SUPERSCRIPT_DIGITS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
# Where HTML breaks a line: a line break, a list's or paragraph's tags and an item's end
# (cut out), or an item's opening tag (kept, as the item's marker).
_HTML_BREAK_RE = re.compile(
    rf"(?i:<br[ \t]*/?>|</?(?:ol|ul|p|div)\b[^<>\n]{{0,100}}>|</li>)|(?P<item>{HTML_ITEM})"
)
_FENCE_RE = re.compile(r" {0,3}(`{3,}|~{3,})")
_ATX_RE = re.compile(r" {0,3}(#{1,6})(?:[ \t]+|$)")
_SETEXT_RE = re.compile(r" {0,3}(?:=+|-+)[ \t]*$")
_RULE_RE = re.compile(r" {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
# A block quote's markers, nested or not, and the one space after the last.
_QUOTE_RE = re.compile(r" {0,3}>(?:[ \t]{0,3}>)*[ \t]?")
_TABLE_RE = re.compile(r"[ \t]*\||[ \t]*:?-{3,}:?[ \t]*\|")
# A line opening an HTML comment ends the entry above it, and one closing it ends the entry
# it closes: a note, or an entry commented out (`factcheck fix`), continues no neighbour.
_COMMENT_RE = re.compile(r"[ \t]*<!--")
_COMMENT_END = "-->"
# "**Sources:** rest" or "References: [1] …": a heading with the first entry after it.
# The indent is taken whole (a look-ahead and its back-reference make it atomic), and
# the gap before ":" is bounded: else a line of spaces is tried at every split, which
# is quadratic in its length.
_LEAD_PREFIX_RE = re.compile(
    r"(?=(?P<indent>[ \t]*))(?P=indent)(?:\*\*|__)?"
    rf"(?P<head>[^:*_\n]{{2,{MAX_LEAD_HEAD_CHARS}}}?)(?:\*\*|__)?"
    rf"[ \t]{{0,{MAX_LEAD_GAP}}}:(?:\*\*|__)?[ \t]+(?=\S)"
)
_HEADING_MARKUP = " \t#*_:："
_LEADING_SPACE_RE = re.compile(r"[ \t]*")
_NON_SPACE_RE = re.compile(r"\S")
_SEMICOLON_RE = re.compile(r";[ \t]+")
_ENTRY_END_CHARS = ".)]>»”\"'"


@dataclass(slots=True)
class _Line:
    """A line's bounds and indent; never changed once made (not frozen, as `_Item`)."""

    start: int
    end: int
    # Columns of leading whitespace (a tab counts as CODE_INDENT); -1 for a blank line.
    indent: int


@dataclass
class _Paragraph:
    """Consecutive text lines, and whether they stand in a reference section."""

    lines: list[_Line] = field(default_factory=list)
    in_section: bool = False
    # The section's heading promises references (not only notes): see NOTE_WORDS.
    trusted: bool = False


@dataclass(slots=True)
class _Item:
    """A candidate entry: a span, its label, and the bar its score must reach. Never
    changed once made (not frozen only because a frozen one costs five times as much to
    make, and a list makes three for each entry)."""

    start: int
    end: int
    label: str | None
    bar: int
    needs_author_start: bool = False
    # Under a heading that promises references: an entry unless prose or code.
    trusted: bool = False
    # In a run of items that mostly read like references (`_is_list`): an entry unless
    # prose or code, when it has a date or an identifier or the shape of an entry.
    listed: bool = False

    def as_trusted(self) -> _Item:
        return _Item(self.start, self.end, self.label, self.bar, self.needs_author_start, True)

    def as_listed(self) -> _Item:
        return _Item(
            self.start, self.end, self.label, self.bar, self.needs_author_start, listed=True
        )


def find_references(text: str) -> list[Citation]:
    """The bibliography entries in `text`, as Kind.REFERENCE Citations in text order."""
    return [citation for citation, _ in find_references_with_labels(text)]


def find_references_with_labels(
    text: str, bounds: Bounds | None = None
) -> list[tuple[Citation, str | None]]:
    """Each entry with its list label ("1" for "[1]", "^1" for "[^1]:"), or None; up to
    where `bounds` stops the reading."""
    return list(iter_references_with_labels(text, bounds))


def iter_references_with_labels(
    text: str, bounds: Bounds | None = None
) -> Iterator[tuple[Citation, str | None]]:
    """`find_references_with_labels`, each entry handed out as soon as it is read."""
    return ListReader(text, bounds).entries()


class ListReader:
    """Reads a text's reference lists in one pass: `entries` hands out each entry with its
    label as it is read; `code_spans` are the code blocks the pass set aside (all of them
    once `entries` is exhausted), which other finders must not read either."""

    def __init__(self, text: str, bounds: Bounds | None = None) -> None:
        self.text = text
        self.bounds = unbounded(bounds)
        self._scanner = _Scanner(text, self.bounds)

    def entries(self) -> Iterator[tuple[Citation, str | None]]:
        """Each entry of the text's reference lists with its label, as it is read, until the text or
        the bounds end."""
        found = 0
        for item in _candidates(self.text, self._scanner.run()):
            if self.bounds.passed(item.start) or self.bounds.full(found, item.start):
                return
            citation = _accept(self.text, item)
            if citation is None:
                continue
            for part, label in _parts(citation, item.label):
                found += 1
                yield part, label

    def code_spans(self) -> list[tuple[int, int]]:
        """(start, end) of each code block the pass set aside so far: all of them once `entries` is
        exhausted."""
        code = self._scanner.code
        return list(zip(code[::2], code[1::2], strict=True))

    def all_code_spans(self) -> list[tuple[int, int]] | None:
        """`code_spans` when the pass read the whole text, so that they are all of them;
        None when it stopped before its end (bounds, or `entries` not exhausted)."""
        return self.code_spans() if self._scanner.finished else None


def _candidates(text: str, paragraphs: Iterable[_Paragraph]) -> Iterator[_Item]:
    """The items of every paragraph; outside reference sections, a run of list items most
    of which read like references is taken as a list (`_is_list`), its items as entries."""
    run: list[_Segment] = []
    size = 0
    previous_end = -1
    for paragraph in paragraphs:
        if paragraph.in_section:
            yield from _run_items(text, run)
            run, size = [], 0
            yield from _items(text, paragraph)
            continue
        start = paragraph.lines[0].start
        if run and _NON_SPACE_RE.search(text, previous_end, start) is not None:
            yield from _run_items(text, run)
            run, size = [], 0
        for segment in _segments(text, paragraph):
            # A run is judged at MAX_RUN_ITEMS at most, so that no list is held whole.
            if run and (run[-1].style != segment.style or size >= MAX_RUN_ITEMS):
                yield from _run_items(text, run)
                run, size = [], 0
            run.append(segment)
            size += len(segment.listed)
        previous_end = paragraph.lines[-1].end
    yield from _run_items(text, run)


@dataclass(frozen=True)
class _Segment:
    """Lines of a paragraph outside reference sections: as items of a list (`listed`, one
    per list item or line) and as they would be taken standing alone (`alone`)."""

    style: str
    listed: list[_Item]
    alone: list[_Item]


def _segments(text: str, paragraph: _Paragraph) -> Iterator[_Segment]:
    for lines, marker in _marked_segments(text, paragraph.lines):
        if marker is not None:
            items = list(_marked_items(text, lines, marker, in_section=False))
            yield _Segment(_marker_style(marker), items, items)
        else:
            listed = [
                _Item(start, end, None, SECTION_MIN_SCORE)
                for start, end in _unmarked_entries(text, lines)
            ]
            yield _Segment(UNMARKED, listed, list(_loose_items(text, lines)))


def _run_items(text: str, run: list[_Segment]) -> Iterator[_Item]:
    """A run of segments of one style: as list entries when it is a list, else alone."""
    listed = [item for segment in run for item in segment.listed]
    if _is_list(text, listed):
        # Lines without markers are the weakest structure: each must read like a reference.
        strict = run[0].style == UNMARKED
        for item in listed:
            if not strict or _reads_like_reference(text, *_trimmed(text, item.start, item.end)):
                yield item.as_listed()
        return
    for segment in run:
        yield from segment.alone


def _is_list(text: str, items: list[_Item]) -> bool:
    """RUN_MIN_ITEMS or more items, RUN_SHARE of which read like references: a date or an
    identifier, an author list or a reference's score, and no prose. Notes that point back
    to an entry ("Ibid., p. 45.", "Goodfellow et al., op. cit.") belong to such a list but
    name no work: they are not weighed."""
    if len(items) < RUN_MIN_ITEMS:
        return False
    spans = [_trimmed(text, i.start, i.end) for i in items]
    weighed = [span for span in spans if not _points_back(text, *span)]
    if not weighed:
        return False
    like = sum(_reads_like_reference(text, *span) for span in weighed)
    return like >= RUN_SHARE * len(weighed)


def _points_back(text: str, start: int, end: int) -> bool:
    """Whether the item is a note pointing back to an entry (`_BACK_REFERENCE_RE`)."""
    return _BACK_REFERENCE_RE.match(text, start, end) is not None


def _reads_like_reference(text: str, start: int, end: int) -> bool:
    """A date or identifier, and the rest of a reference around it: an author list, a
    title first, or a reference's score without its links ("A finding, see
    https://doi.org/…" is a link with a remark, not an entry)."""
    if not MIN_ENTRY_CHARS <= end - start <= MAX_ENTRY_CHARS:
        return False
    if not _has_year_or_identifier(text, start, end):
        return False
    raw = text[start:end]
    author_start = _AUTHOR_START_RE.match(text, start, end) is not None
    shaped = (
        author_start
        or detect.author_led(raw)
        or detect.title_first(raw)
        or _reaches(_LINK_RE.sub(" ", raw), MARKED_MIN_SCORE)
    )
    return shaped and not detect.is_prose(raw, author_start=author_start, dated=True)


def reference_score(entry: str) -> int:
    """How much `entry` reads like a bibliography entry; see the module docstring."""
    score = sum(points for pattern, points in _FEATURES if pattern.search(entry))
    return score - _prose_penalty(entry)


@lru_cache(maxsize=SCORE_CACHE_SIZE)
def _reaches(entry: str, bar: int) -> bool:
    """`reference_score(entry) >= bar`, stopping as soon as no penalty could undo it.

    Remembered: the same entries come back answer after answer in a guarded chat."""
    score = 0
    for pattern, points in _FEATURES:
        if pattern.search(entry):
            score += points
            if score >= bar + PROSE_PENALTY:
                return True
    return score - _prose_penalty(entry) >= bar


def _prose_penalty(entry: str) -> int:
    return PROSE_PENALTY if len(_PROSE_RE.findall(entry)) >= PROSE_MIN_HITS else 0


def code_spans(text: str, bounds: Bounds | None = None) -> Iterator[tuple[int, int]]:
    """Fenced and indented code blocks, as (start, end) offsets in text order (up to where
    `bounds` stops the reading)."""
    scanner = _Scanner(text, bounds)
    for _ in scanner.run():
        pass
    code = scanner.code
    return zip(code[::2], code[1::2], strict=True)


def is_reference_heading(title: str) -> bool:
    """Whether a heading's words name a reference section ("Key references", "参考文献")."""
    words = fold(title).split()
    while len(words) > 1 and _NUMBERING_RE.fullmatch(words[0]):
        words.pop(0)
    if not words or len(words) > MAX_HEADING_WORDS:
        return False
    if " ".join(map(_singular, words)) in REF_PHRASES or words[-1] in REF_WORDS:
        return True
    return words[0] in REF_WORDS and (len(words) == 1 or words[1] not in _HEADING_STOP_WORDS)


def trusts_items(title: str) -> bool:
    """Whether a reference heading or lead line promises that its items are references,
    rather than notes that may be remarks ("Notes", "Endnotes"): see NOTE_WORDS."""
    words = set(fold(title).split())
    return not words & NOTE_WORDS or bool(words & (REF_WORDS - NOTE_WORDS))


def _is_lead_line(line: str) -> bool:
    """A short line ending in ':' that announces references ("Here are my sources:")."""
    stripped = line.strip(" \t*_")
    if not stripped.endswith((":", "：")):
        return False
    words = fold(stripped).split()
    if len(words) > MAX_LEAD_WORDS:
        return False
    joined = " ".join(map(_singular, words))
    return any(word in REF_WORDS or word in LEAD_WORDS for word in words) or any(
        p in joined for p in REF_PHRASES
    )


def _singular(word: str) -> str:
    """The word without a plural's final "s", for comparing with REF_PHRASES."""
    if len(word) > MIN_PLURAL_CHARS and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _is_bold_line(line: str) -> bool:
    """A line that is all bold ("**Trade-offs**"): a heading in chat answers."""
    stripped = line.strip().rstrip(":")
    marks = stripped[:2]
    return len(stripped) > len("****") and marks in ("**", "__") and stripped.endswith(marks)


# --- lines into paragraphs ---------------------------------------------------------


def _read_lines(text: str, start: int = 0) -> Iterator[_Line]:
    """Each line from offset `start` (a line start) on: its bounds, without the newline,
    and its indent. Read as needed, so that a text of ten million lines is never held as
    ten million objects. HTML's line breaks and list items end lines too (`_html_lines`)."""
    length = len(text)
    while start <= length:
        end = text.find("\n", start)
        end = length if end < 0 else end
        if text.find("<", start, end) < 0:
            yield _Line(start, end, _indent(text, start, end))
        else:
            yield from _html_lines(text, start, end)
        start = end + 1


def _html_lines(text: str, start: int, end: int) -> Iterator[_Line]:
    """A line cut where HTML breaks it: at a `<br>`, a list's or paragraph's tags and an
    item's end, and before an `<li>`, so that an answer written as HTML
    ("<ol><li>…</li><li>…</li></ol>", "entry<br>entry") gives its entries one to a line, as
    markdown would. A line of tags alone is a blank line; the space a cut leaves is none."""
    pieces = 0
    for cut in _HTML_BREAK_RE.finditer(text, start, end):
        if (indent := _indent(text, start, cut.start())) >= 0:
            pieces += 1
            yield _Line(start, cut.start(), indent)
        start = cut.start() if cut.group("item") is not None else cut.end()
    if (indent := _indent(text, start, end)) >= 0 or not pieces:
        yield _Line(start, end, indent)


def _indent(text: str, start: int, end: int) -> int:
    space = _LEADING_SPACE_RE.match(text, start, end)
    if space is None or space.end() == end:
        return -1
    tabs = text.count("\t", start, space.end())
    return space.end() - start + (CODE_INDENT - 1) * tabs


def _front_matter_end(text: str) -> int:
    """Offset of the first line after YAML front matter ("---" … "---"), if any, else 0."""
    if not text.startswith("---\n"):
        return 0
    lines = islice(_read_lines(text), 1, MAX_FRONT_MATTER_LINES)
    for line in lines:
        if text.startswith("---", line.start) and line.end - line.start == len("---"):
            return line.end + 1
    return 0


class _Scanner:
    """Walks the lines once, setting code, tables, quotes and headings aside, and hands
    out each paragraph as it ends (`run`).

    It keeps the reference-section state: a reference heading or lead line opens a
    section, and a heading of the same or a higher level, or a long stretch of prose,
    closes it. A paragraph keeps the state it started in. It stops where `bounds` says,
    before the paragraph it was reading, which is left unread.
    """

    def __init__(self, text: str, bounds: Bounds | None = None) -> None:
        self.text = text
        self.bounds = unbounded(bounds)
        # Code blocks as start, end, start, end...: a text may hold a million of them.
        self.code = array("q")
        self.current = _Paragraph()
        self.section_level: int | None = None
        self.section_trusted = False
        # The open paragraph: its first line, whether it stands in a section, and whether
        # the pieces handed out so far hold a year or identifier.
        self.opened: _Line | None = None
        self.in_section = False
        self.trusted = False
        self.cited = False
        # How many "> " the lines of the open block quote start with (0: none), and the
        # fence of a code block open inside it.
        self.quote_depth = 0
        self.quote_fence: re.Pattern[str] | None = None
        self._lines = _read_lines(text, _front_matter_end(text))
        self._ahead: _Line | None = None
        self._ended: list[_Paragraph] = []
        # Whether `run` read the text to its end: `code` then holds every code block.
        self.finished = False

    def run(self) -> Iterator[_Paragraph]:
        """The paragraphs in text order, each handed out when it ends."""
        while (line := self._next()) is not None:
            # A paragraph begun before the cut is read to its end (MAX_PARAGRAPH_LINES at
            # most): its entries before the cut are kept. At the deadline it is dropped.
            paragraph_start = self.current.lines[0].start if self.current.lines else line.start
            if self.bounds.passed(paragraph_start):
                return
            self._step(line)
            yield from self._handed()
        self._flush()
        yield from self._handed()
        self.finished = True

    def _handed(self) -> list[_Paragraph]:
        ended, self._ended = self._ended, []
        return ended

    def _next(self) -> _Line | None:
        line = self._peek()
        self._ahead = None
        return line

    def _peek(self) -> _Line | None:
        if self._ahead is None:
            self._ahead = next(self._lines, None)
        return self._ahead

    def _step(self, line: _Line) -> None:
        """Take one line, and any lines it opens (code, a setext underline)."""
        text, start, end = self.text, line.start, line.end
        if line.indent < 0:
            self._flush()
            return
        worded = _opens_with_word(text, line)
        quote = None if worded else _QUOTE_RE.match(text, start, end)
        depth = text.count(">", start, quote.end()) if quote else 0
        if depth != self.quote_depth:
            self._flush()
            self.quote_depth, self.quote_fence = depth, None
        if quote:
            self._quoted(_Line(quote.end(), end, _indent(text, quote.end(), end)))
            return
        if not worded and (fence := _FENCE_RE.match(text, start, end)):
            self._skip_fence(line, fence.group(1))
            return
        if line.indent >= CODE_INDENT and not self.current.lines:
            self._skip_indented_code(line)
            return
        if (under := self._setext_underline(line)) is not None:
            self._next()
            underline = text[under.start : under.end].lstrip()[:1]
            self._heading(text[start:end], 1 if underline == "=" else 2)
            return
        self._text_line(line, worded=worded)

    def _quoted(self, line: _Line) -> None:
        """A block quote's line, from its content on. Code inside a quote is set aside line
        by line, a fenced block up to its quoted closing fence or the quote's end (never
        read on for a closing fence: that would take the rest of the text for code)."""
        text, start, end = self.text, line.start, line.end
        if self.quote_fence is not None:
            self.code.extend((start, end))
            if self.quote_fence.match(text, start, end):
                self.quote_fence = None
            return
        if fence := _FENCE_RE.match(text, start, end):
            self._flush()
            self.quote_fence = _closing_fence(fence.group(1))
            self.code.extend((start, end))
            return
        if line.indent < 0 or line.indent >= CODE_INDENT:
            self._flush()
            return
        self._text_line(line)

    def _text_line(self, line: _Line, *, worded: bool = False) -> None:
        """A line that is neither blank nor code: a break, a heading, or text. One that
        opens with a word (`_opens_with_word`) is no break or "#" heading."""
        text, start, end = self.text, line.start, line.end
        if not worded and (
            _RULE_RE.match(text, start, end)
            or _TABLE_RE.match(text, start, end)
            or _COMMENT_RE.match(text, start, end)
        ):
            self._flush()
            return
        if not worded and (atx := _ATX_RE.match(text, start, end)):
            self._heading(text[atx.end() : end], len(atx.group(1)))
            return
        if not self._plain_heading(line):
            self._append(line)
            if text[start:end].rstrip().endswith(_COMMENT_END):
                self._flush()

    def _plain_heading(self, line: _Line) -> bool:
        """Bold or plain-text headings and lead lines; False when the line is text."""
        text, start, end = self.text, line.start, line.end
        if end - start <= MAX_HEADING_CHARS:
            raw = text[start:end]
            # Numbering ("7.") may add a word; more words than that cannot be a heading.
            few_words = raw.count(" ") <= MAX_HEADING_WORDS + 1
            if (few_words and is_reference_heading(raw.strip(_HEADING_MARKUP))) or _is_lead_line(
                raw
            ):
                self._open_section(trusted=trusts_items(raw))
                return True
            if _is_bold_line(raw):
                self._heading(raw.strip(_HEADING_MARKUP), PLAIN_HEADING_LEVEL)
                return True
        lead = _lead_prefix(text, line)
        if lead and is_reference_heading(lead.group("head")):
            self._open_section(trusted=trusts_items(lead.group("head")))
            self._append(_Line(lead.end(), end, 0))
            return True
        return False

    def _heading(self, title: str, level: int) -> None:
        if is_reference_heading(title.strip(_HEADING_MARKUP)):
            self._open_section(level, trusted=trusts_items(title))
            return
        self._flush()
        if self.section_level is not None and level <= self.section_level:
            self.section_level = None

    def _open_section(self, level: int = PLAIN_HEADING_LEVEL, *, trusted: bool) -> None:
        self._flush()
        self.section_level = level
        self.section_trusted = trusted

    def _append(self, line: _Line) -> None:
        """Add a text line to the paragraph. The paragraph is handed out in pieces: before
        a line that opens a list item once the piece has PIECE_LINES lines (items are read
        one by one anyway, so nothing changes), and at MAX_PARAGRAPH_LINES in any case. So
        no paragraph is ever held whole, and a deadline loses at most the piece being read."""
        size = len(self.current.lines)
        if size >= MAX_PARAGRAPH_LINES or (
            size >= PIECE_LINES and _MARKER_RE.match(self.text, line.start, line.end)
        ):
            self._hand_out()
        if not self.current.lines:
            if self.opened is None:
                self.opened, self.cited = line, False
                self.in_section = self.section_level is not None
                self.trusted = self.in_section and self.section_trusted
            self.current.in_section = self.in_section
            self.current.trusted = self.trusted
        self.current.lines.append(line)

    def _hand_out(self) -> None:
        """Hand out the piece read so far of the open paragraph."""
        piece = self.current
        if piece.in_section and not self.cited:
            start, end = piece.lines[0].start, piece.lines[-1].end
            self.cited = _has_year_or_identifier(self.text, start, end)
        self._ended.append(piece)
        self.current = _Paragraph()

    def _flush(self) -> None:
        """End the open paragraph. A long one in a section with no year or identifier in it
        is prose again: the section ends."""
        first = self.opened
        if first is None:
            return
        end = self.current.lines[-1].end
        self._hand_out()
        self.opened = None
        if (
            self.in_section
            and end - first.start > SECTION_BREAK_PROSE_CHARS
            and not _MARKER_RE.match(self.text, first.start, first.end)
            and not self.cited
        ):
            self.section_level = None

    def _setext_underline(self, line: _Line) -> _Line | None:
        """The next line, when it underlines this one as a heading with '=' or '-' (a single
        text line, not a list item)."""
        under = None if self.current.lines else self._peek()
        is_setext = (
            under is not None
            and _SETEXT_RE.match(self.text, under.start, under.end) is not None
            and _MARKER_RE.match(self.text, line.start, line.end) is None
        )
        return under if is_setext else None

    def _skip_fence(self, first: _Line, fence: str) -> None:
        """Set a fenced code block aside, up to its closing fence or the end of the text
        (or where `bounds` stops the reading)."""
        self._flush()
        closing = _closing_fence(fence)
        last = first
        while (line := self._peek()) is not None and not self.bounds.passed(line.start):
            self._next()
            last = line
            if closing.match(self.text, line.start, line.end):
                break
        self.code.extend((first.start, last.end))

    def _skip_indented_code(self, first: _Line) -> None:
        """Set indented code aside: up to the last indented line before one that is not."""
        self._flush()
        last = first
        while (line := self._peek()) is not None and not self.bounds.passed(line.start):
            if 0 <= line.indent < CODE_INDENT:
                break
            self._next()
            if line.indent >= 0:
                last = line
        self.code.extend((first.start, last.end))


def _opens_with_word(text: str, line: _Line) -> bool:
    """Whether a non-blank line opens, unindented, with a letter or digit. Such a line is
    no block quote, code fence, rule, table row, comment or "#" heading: each of those
    patterns wants its own mark first, after spaces at most, so none is tried on it (most
    lines of an answer, and every "1." of a list)."""
    return line.indent == 0 and text[line.start].isalnum()


def _lead_prefix(text: str, line: _Line) -> re.Match[str] | None:
    """`_LEAD_PREFIX_RE` at the start of `line`. Its ":" is the first after the indent and
    at most MAX_LEAD_COLON_OFFSET past it: a line with none there (most lines, a "https:"
    further on included) is not tried, since the lazy heading is tried at every length."""
    reach = line.start + max(line.indent, 0) + MAX_LEAD_COLON_OFFSET + 1
    if text.find(":", line.start, min(line.end, reach)) < 0:
        return None
    return _LEAD_PREFIX_RE.match(text, line.start, line.end)


def _closing_fence(fence: str) -> re.Pattern[str]:
    """The line that closes a code block opened by `fence` ("```" closes with 3 or more)."""
    return re.compile(rf" {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")


# --- paragraphs into items ---------------------------------------------------------


def _items(text: str, paragraph: _Paragraph) -> Iterator[_Item]:
    """Candidate entries: one per list item, per mid-line "[n]" run, or per entry line;
    under a heading that promises references, trusted (`_accept_trusted`)."""
    items = _paragraph_items(text, paragraph)
    return (item.as_trusted() for item in items) if paragraph.trusted else items


def _paragraph_items(text: str, paragraph: _Paragraph) -> Iterator[_Item]:
    for segment_lines, marker in _marked_segments(text, paragraph.lines):
        if marker is not None:
            yield from _marked_items(text, segment_lines, marker, in_section=paragraph.in_section)
        elif paragraph.in_section:
            for start, end in _unmarked_entries(text, segment_lines):
                yield from _semicolon_items(text, start, end, None, SECTION_MIN_SCORE)
        else:
            yield from _loose_items(text, segment_lines)


def _marked_segments(
    text: str, lines: list[_Line]
) -> Iterator[tuple[list[_Line], re.Match[str] | None]]:
    """Split lines at list markers: each marker line opens a segment with its lines."""
    segment: list[_Line] = []
    marker: re.Match[str] | None = None
    for line in lines:
        found = _MARKER_RE.match(text, line.start, line.end)
        if found and segment:
            yield segment, marker
            segment = []
        if found:
            marker = found
        segment.append(line)
    if segment:
        yield segment, marker


def _marked_items(
    text: str, lines: list[_Line], marker: re.Match[str], *, in_section: bool
) -> Iterator[_Item]:
    """A list item, split where "[n+1]" or "(n+1)" continues its numbering mid-line."""
    label = _label(marker)
    style = _marker_style(marker)
    if in_section:
        bar, needs_author = SECTION_MIN_SCORE, False
    elif style in ("bracket", "note"):
        bar, needs_author = MARKED_MIN_SCORE, False
    else:
        bar, needs_author = LONE_MIN_SCORE, True
    start, end = marker.end(), lines[-1].end
    for piece_start, piece_end, piece_label in _numbered_run(text, start, end, label, style):
        for item in _semicolon_items(text, piece_start, piece_end, piece_label, bar):
            yield _Item(item.start, item.end, item.label, item.bar, needs_author)


def _label(marker: re.Match[str]) -> str | None:
    """How in-text citations name the item: "1" for "1.", "(1)", "[1]", "¹" or "1 "."""
    if marker.group("note"):
        return "^" + marker.group("note")
    if marker.group("sup"):
        return marker.group("sup").translate(_SUPERSCRIPT_DIGITS)
    groups = ("num", "paren", "bracket", "letter", "bare")
    return next((marker.group(name) for name in groups if marker.group(name)), None)


def _marker_style(marker: re.Match[str]) -> str:
    """The name of the marker's group that matched: its alternatives are exclusive and
    hold no other group, so it is the last (and only) one."""
    style = marker.lastgroup
    assert style is not None, "every alternative of _MARKER_RE is a named group"
    return style


def _numbered_run(
    text: str, start: int, end: int, label: str | None, style: str
) -> Iterator[tuple[int, int, str | None]]:
    """Pieces of [start, end) split at the next numbers of a "[1] … [2] …" run."""
    opener = {"bracket": "[{}] ", "paren": "({}) "}.get(style)
    if opener is None or label is None or not label.isdigit():
        yield start, end, label
        return
    number = int(label)
    while True:
        following = _find_marker(text, opener.format(number + 1), start, end)
        if following < 0:
            yield start, end, str(number)
            return
        yield start, following, str(number)
        number += 1
        start = following + len(opener.format(number))


def _find_marker(text: str, marker: str, start: int, end: int) -> int:
    """Where `marker` appears after whitespace in [start, end), or -1."""
    position = text.find(marker, start, end)
    while position > start and not text[position - 1].isspace():
        position = text.find(marker, position + 1, end)
    return position if position > start else -1


def _loose_items(text: str, lines: list[_Line]) -> Iterator[_Item]:
    """Outside a section: a "[1] … [2] …" run, or the paragraph as one lone candidate,
    after the label that may open it ("Source: Kim, J. (2019). …", "**Key paper:** …"): a
    lone candidate must open with its authors, so the label would hide the entry."""
    start, end = lines[0].start, lines[-1].end
    for opener, style in (("[1] ", "bracket"), ("(1) ", "paren")):
        first = text.find(opener, start, end)
        is_run_start = first >= 0 and (first == start or text[first - 1] in " \t\n:")
        if is_run_start and text.find(opener.replace("1", "2"), first, end) > 0:
            for piece in _numbered_run(text, first + len(opener), end, "1", style):
                yield from _semicolon_items(text, *piece, MARKED_MIN_SCORE)
            return
    label = _lead_prefix(text, lines[0])
    if label is not None and _is_label(label.group("head")):
        start = label.end()
    yield _Item(start, end, None, LONE_MIN_SCORE, needs_author_start=True)


def _is_label(head: str) -> bool:
    """Whether the words before a colon label a work ("Source", "Key paper", "Ref."), rather
    than open a title ("SpreadGNN: Decentralized …") or a sentence."""
    words = fold(head).split()
    return 0 < len(words) <= MAX_LABEL_WORDS and _singular(words[-1]) in LABEL_WORDS


def _unmarked_entries(text: str, lines: list[_Line]) -> Iterator[tuple[int, int]]:
    """Entries of an unmarked paragraph in a section: one per line, or wrapped.

    With a hanging indent a new entry starts at each line as far left as the first;
    otherwise at a line that opens with an author list after a line that closes an
    entry (a year or identifier so far, and final punctuation, no hyphen). Whether the
    entry so far holds a year or identifier is kept line by line (neither spans a line
    break): reading the whole entry again at each line would be quadratic.
    """
    hanging = any(line.indent > lines[0].indent for line in lines[1:])
    start = lines[0].start
    marked = False
    for previous, line in pairwise(lines):
        marked = marked or _has_year_or_identifier(text, previous.start, previous.end)
        if hanging:
            is_new = line.indent <= lines[0].indent
        else:
            is_new = marked and _closes_entry(text, start, previous.end)
            is_new = is_new and _opens_entry(text, line)
        if is_new:
            yield start, previous.end
            start = line.start
            marked = False
    yield start, lines[-1].end


def _closes_entry(text: str, start: int, end: int) -> bool:
    """The entry in [start, end) ends in final punctuation or a digit, not a hyphen."""
    tail = text[max(start, end - 2) : end].rstrip()
    return bool(tail) and tail[-1] in _ENTRY_END_CHARS + "0123456789"


def _opens_entry(text: str, line: _Line) -> bool:
    """A line that opens with an author list (or Chicago's "———." for the last one) or a
    bold or quoted title, or with a capital, a year and a reference's score."""
    begin = line.start + max(line.indent, 0)
    opening = text[begin : line.end]
    if detect.repeats_authors(opening) or detect.author_led(opening) or detect.title_first(opening):
        return True
    return _AUTHOR_START_RE.match(text, begin, line.end) is not None or (
        _has_year_or_identifier(text, begin, line.end)
        and text[begin].isupper()
        and _reaches(text[begin : line.end], SECTION_MIN_SCORE)
        and _YEAR_RE.search(text, begin, line.end) is not None
    )


def _semicolon_items(
    text: str, start: int, end: int, label: str | None, bar: int
) -> Iterator[_Item]:
    """Split "…; Smith J. … 2020." where one entry ends and the next begins.

    A split needs a complete entry before the semicolon (a year or identifier and
    MIN_ENTRY_CHARS) and an author list after it, with a date or identifier of its own,
    so "Smith, J.; Lee, K." and "Title; Subtitle, Words. Press." stay whole.
    """
    piece_start = segment_start = start
    last_date = _last_date(text, start, end) if text.find(";", start, end) >= 0 else -1
    # Whether the piece so far holds a year or identifier, kept segment by segment
    # (neither spans a semicolon), since reading the piece again at each is quadratic.
    marked = False
    for separator in _SEMICOLON_RE.finditer(text, start, end):
        marked = marked or _has_year_or_identifier(text, segment_start, separator.start())
        segment_start = separator.end()
        left_ok = marked and separator.start() - piece_start >= MIN_ENTRY_CHARS
        right_ok = last_date >= separator.end()
        if left_ok and right_ok and _AUTHOR_START_RE.match(text, separator.end(), end):
            yield _Item(piece_start, separator.start(), label, bar)
            piece_start, label, marked = separator.end(), None, False
    yield _Item(piece_start, end, label, bar)


# --- scoring -----------------------------------------------------------------------


def _has_year_or_identifier(text: str, start: int, end: int) -> bool:
    """A year, "n.d." or an identifier: what dates or pins down an entry."""
    return (
        _YEAR_RE.search(text, start, end) is not None
        or _IDENTIFIER_RE.search(text, start, end) is not None
        or _NO_DATE_RE.search(text, start, end) is not None
    )


def _last_date(text: str, start: int, end: int) -> int:
    """Where the last year, "n.d." or identifier in [start, end) begins, or -1: an entry
    split off after a semicolon must have one of its own."""
    last = -1
    for pattern in (_YEAR_RE, _IDENTIFIER_RE, _NO_DATE_RE):
        for match in pattern.finditer(text, start, end):
            last = max(last, match.start())
    return last


def _accept(text: str, item: _Item) -> Citation | None:
    """The item as a Citation when it reads like a reference at its bar."""
    start, end = _trimmed(text, item.start, item.end)
    if not MIN_ENTRY_CHARS <= end - start <= MAX_ENTRY_CHARS or _points_back(text, start, end):
        return None
    if item.trusted or item.listed:
        return _accept_trusted(text, start, end, needs_shape=not item.trusted)
    raw = text[start:end]
    if len(raw.split()) < MIN_ENTRY_WORDS:
        return None
    if _identified_entry(raw):
        return Citation(kind=Kind.REFERENCE, raw=raw, start=start, end=end)
    if item.needs_author_start and not _AUTHOR_START_RE.match(text, start, end):
        return None
    if not _has_year_or_identifier(text, start, end) or not _reaches(raw, item.bar):
        return None
    return Citation(kind=Kind.REFERENCE, raw=raw, start=start, end=end)


def _parts(citation: Citation, label: str | None) -> Iterator[tuple[Citation, str | None]]:
    """The entry, or each reference of an entry that holds two run together (see
    `merged.merged_parts`); the list's label stays with the first."""
    parts = merged_parts(citation.raw)
    if len(parts) == 1:
        yield citation, label
        return
    for index, (start, end) in enumerate(parts):
        raw = citation.raw[start:end]
        begin = citation.start + start
        part = Citation(kind=Kind.REFERENCE, raw=raw, start=begin, end=begin + len(raw))
        yield part, label if index == 0 else None


def _identified_entry(raw: str) -> bool:
    """A lone line that gives a DOI or an arXiv id with an entry's parts around it ("Park
    and Oh. Title. Venue, 2024. doi:…", "Park and Oh, *Title*, Venue (2024). DOI: …"):
    names first, or a marked title, and parts beyond the names. Its fields are claimed
    with the identifier and checked against its record, not the title alone. A sentence
    citing the work (one part) is read by its shape instead (`freeform`), and two sentences
    (two parts that read as clauses) are no entry. Such a line needs no score: the
    identifier is the claim, and what stands around it is checked. The cheap tests come
    first: a paragraph of prose with a DOI in it fails at its first words, never cut into
    its parts and clauses."""
    if _WORK_ID_RE.search(raw) is None:
        return False
    author_start = detect.author_led(raw)
    if not (author_start or detect.has_marked_title(raw)):
        return False
    if detect.parts(raw) < MIN_IDENTIFIED_PARTS or detect.clauses(raw) > 1:
        return False
    return not detect.is_prose(raw, author_start=author_start, dated=True, identified=True)


def _accept_trusted(text: str, start: int, end: int, *, needs_shape: bool) -> Citation | None:
    """An item under a heading that promises references: an entry unless it is prose or
    code. One the parser cannot read is still reported (`judge`: flag `unparsed`). An item
    of a list without such a heading (`needs_shape`) must also have a date, an identifier
    or the shape of an entry (`detect.entry_shaped`)."""
    raw = text[start:end]
    if not _reads_as_trusted_entry(text[start - 1 : start], raw, needs_shape=needs_shape):
        return None
    return Citation(kind=Kind.REFERENCE, raw=raw, start=start, end=end)


@lru_cache(maxsize=SCORE_CACHE_SIZE)
def _reads_as_trusted_entry(before: str, raw: str, *, needs_shape: bool) -> bool:
    """`_accept_trusted`'s reading of `raw`, with the character `before` it ("" at the
    text's start): its patterns look no further back, and never past its end. Remembered:
    the same entries come back answer after answer in a guarded chat."""
    text, start, end = before + raw, len(before), len(before) + len(raw)
    if len(raw.split()) < MIN_ENTRY_WORDS or detect.is_code(raw):
        return False
    dated = _has_year_or_identifier(text, start, end)
    identified = _IDENTIFIER_RE.search(text, start, end) is not None
    author_start = _AUTHOR_START_RE.match(text, start, end) is not None
    if detect.is_prose(raw, author_start=author_start, dated=dated, identified=identified):
        return False
    return not needs_shape or dated or author_start or detect.entry_shaped(raw)


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
