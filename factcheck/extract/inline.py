"""In-text citations, and their links to the bibliography entries they point at.

`find_inline` finds the citation forms a model writes: author-year in parentheses
("(Smith et al., 2020a; Lee & Wu, 2019, p. 4)": one Citation per cited work) or in
narrative ("Smith and Lee (2019)"), numbers ("[1]", "[1–3]" expanded, "[1, 4]",
superscripts "¹²", and "(1)" where the text's own list is marked "(1)"), pandoc keys
("[@key, p. 4; @other]"), footnote references ("[^1]") and file-search marks
("【4:0†source】"). Code and the bibliography entries themselves are skipped.

Each Citation's `raw` is exactly `text[start:end]`: the number, the key, or the
author-year segment of one work (with its locator, without "see"); the members of a
range all carry the range's span. Its label, returned beside it until Citation has a
`label` field, is what it links by: "3", "^1", "@key", "4:0†source", or for
author-year the first surname, year and suffix, "Smith 2020a".

`link` then pairs citations with entries: numbers and footnotes by label, author-year
by first surname and year (and suffix), and reports what a reader would want fixed.

Plain regexes: every pattern is bounded, so a megabyte of brackets stays linear, and
spaCy is never imported.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import lru_cache, partial
from heapq import merge
from typing import Literal, NamedTuple

from pydantic import BaseModel

from factcheck.extract.bibliography import code_spans, find_references_with_labels
from factcheck.extract.bounds import Bounds, unbounded
from factcheck.model import Author, Citation, Fields, Kind
from factcheck.nameparts import NARRATIVE_PARTICLES, particles_pattern
from factcheck.normalize import fold

# The longest parenthetical or bracket group read as a citation.
MAX_GROUP_CHARS = 500
# Numbers above this are years, counts or page numbers, not reference labels.
MAX_LABEL_NUMBER = 999
# A range wider than this ("[1–500]") is not a run of citations.
MAX_RANGE_SIZE = 50
# A text cites each entry a few times: in-text citations are kept up to this many for
# each claim the check may take (`Bounds.claims`).
INLINE_PER_CLAIM = 10
# A line's "[1]" label is indented by at most this much.
MAX_MARKER_INDENT = 8
# How far before "[3]" or "(2019)" a narrative author ("Smith et al.") is looked for.
NARRATIVE_LOOKBACK = 80
# How far before such an author an article is looked for ("the Transformer (2017)").
ARTICLE_LOOKBACK = len(" the ")
# A superscript counts only after a word at least this long: "km²" and "x²" are units
# and powers, "drugs.¹" and "trials²" are citations.
MIN_WORD_BEFORE_SUPERSCRIPT = 3
# Surnames match when equal, or when one is the other plus at most this many letters
# (inflection and possessives: "Дементьева" cites "Дементьев"), the shorter being at
# least MIN_STEM_CHARS long.
SURNAME_INFLECTION_CHARS = 2
MIN_STEM_CHARS = 4
# Narrative names found before a year, remembered by the stretch of text they were looked
# for in (see `_names_in`).
NAMES_CACHE_SIZE = 4096

Problem = Literal["no_entry", "uncited", "year_mismatch", "author_mismatch"]

_UP = "A-ZÀ-ÖØ-ÞĀĂĄĆČĎĐĒĖĘĚĞĢĪĮİĶĹĻĽŁŃŅŇŌŐŒŔŘŚŞŠŢŤŪŮŰŲŹŻŽΑ-ΩА-ЯЁ"
_PARTICLES = particles_pattern()
_WORD = rf"[{_UP}][\w'’-]+"
_SURNAME = _PARTICLES + _WORD
# An organisation: a run of capitalised words ("Open Science Collaboration").
_MULTI = rf"{_PARTICLES}{_WORD}(?:\s+(?:of\s+|for\s+|the\s+)?{_WORD}){{0,5}}"
_AND = r"(?:and|&|und|et|e|y|и)"
_YEAR = r"(?:1[5-9]\d\d|20\d\d)(?![\d–-])[a-z]?|n\.d\."
_NAMES = rf"{_MULTI}(?:\s+et\s+al\.?|(?:,\s*{_SURNAME})*,?\s+{_AND}\s+{_SURNAME})?"
# In running text Romance particles are prepositions too ("curato da Liguori"), so a
# narrative name takes only the Germanic ones; inside parentheses all are taken.
_NARRATIVE_SURNAME = particles_pattern(NARRATIVE_PARTICLES) + _WORD
_NARRATIVE_NAMES = rf"{_NARRATIVE_SURNAME}(?:\s+et\s+al\.?|\s+{_AND}\s+{_NARRATIVE_SURNAME})?"

_PAREN_RE = re.compile(rf"\(([^()]{{1,{MAX_GROUP_CHARS}}})\)")
_BRACKET_RE = re.compile(rf"\[([^\[\]\n]{{1,{MAX_GROUP_CHARS}}})\]")
_MARK_RE = re.compile(r"【([^【】\n]{1,200})】")
_SUPERSCRIPT_NUMBERS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_SUPERSCRIPT_RE = re.compile(rf"[{_SUPERSCRIPT_NUMBERS}]+(?:[,⁻–-][{_SUPERSCRIPT_NUMBERS}]+)*")
_INLINE_CODE_RE = re.compile(r"`[^`\n]{1,500}`")
_ANY_YEAR_RE = re.compile(_YEAR)
# Every name a parenthetical cites opens with a capital (a particle before it included).
_CAPITAL_RE = re.compile(f"[{_UP}]")
_PREFIX_RE = re.compile(
    r"\s*(?:(?:see(?:\s+also)?|e\.g\.|i\.e\.|cf\.|also|but\s+see|for\s+example|as\s+cited\s+in)"
    r",?\s+)*",
    re.IGNORECASE,
)
_SEGMENT_RE = re.compile(
    rf"(?P<names>{_NAMES}),?\s+(?P<years>(?:{_YEAR})(?:\s*,\s*(?:{_YEAR}))*)"
    r"(?P<locator>\s*[,:].*)?\s*",
    re.DOTALL,
)
_YEARS_ONLY_RE = re.compile(rf"(?P<years>(?:{_YEAR})(?:\s*,\s*(?:{_YEAR}))*)\s*")
_NARRATIVE_YEAR_RE = re.compile(
    rf"\((?P<years>(?:{_YEAR})(?:\s*,\s*(?:{_YEAR}))*)(?:,\s*(?:pp?|chap|S)\.?\s*[^()]{{0,30}})?\)"
)
_NARRATIVE_RE = re.compile(rf"(?P<names>{_NARRATIVE_NAMES})(?:['’]s)?\s*\Z")
_NUMBERS_RE = re.compile(
    r"\s*\d{1,3}(?:\s*[-–—]\s*\d{1,3})?(?:\s*,\s*\d{1,3}(?:\s*[-–—]\s*\d{1,3})?)*\s*"
)
_NUMBER_RE = re.compile(r"(\d{1,3})(?:\s*[-–—]\s*(\d{1,3}))?")
_PANDOC_KEY_RE = re.compile(r"-?@(?P<key>\w[\w:.#$%&+?<>~/-]*)")
_AUTHOR_SPLIT_RE = re.compile(rf",\s*|\s+{_AND}\s+")
_YEAR_SUFFIX_RE = re.compile(r"(\d{4})([a-z]?)")
# Capitalised words that open a sentence or name a date, never a cited author.
_NOT_AUTHORS = frozenset(
    {
        "the", "in", "on", "at", "by", "for", "from", "since", "until", "after", "before",
        "during", "this", "that", "these", "those", "see", "also", "and", "or", "but",
        "january", "february", "march", "april", "may", "june", "july", "august",
        "september", "october", "november", "december", "spring", "summer", "autumn",
        "fall", "winter", "fig", "figure", "table", "version", "edition", "chapter",
    }
)  # fmt: skip
# "the Transformer (2017)": an article makes the capitalised word a thing, not a person.
_ARTICLE_BEFORE_RE = re.compile(r"(?:^|\W)(?:the|a|an)\s+\Z", re.IGNORECASE)
_SUPERSCRIPT_DIGITS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
# Entry fallbacks when the parser gave no authors: the author zone ends at the year,
# a quoted or emphasised title, or this many characters.
MAX_AUTHOR_ZONE = 300
_ZONE_END_RE = re.compile(r"\(?(?<![\w/.])(?:1[5-9]\d\d|20\d\d)[a-z]?\b|[\"“«*_]")
# An entry's year, never one end of a page or year range ("1495-1504", "1999-2008").
_ENTRY_YEAR_RE = re.compile(r"(?<![\w/.–-])(1[89]\d\d|20\d\d)([a-z]?)(?![\w/–-])")
_PAREN_YEAR_RE = re.compile(r"(?<=\()(1[5-9]\d\d|20\d\d)([a-z]?)(?=[),])")
_AUTHOR_SEPARATOR_RE = re.compile(r"[,;]|\s(?:and|&|und|e|y|et)\s")
_INITIALS_RE = re.compile(rf"(?:[{_UP}]\.?[ -]?){{1,3}}|et al\.?|others|and|&")


class InlineLink(BaseModel):
    """One citation's link to an entry, or one problem a reader should fix.

    `citation_index` indexes the inline citations given to `link` (None for an entry
    never cited); `reference_index` indexes the references (None when no entry fits).
    """

    citation_index: int | None
    reference_index: int | None
    problem: Problem | None = None
    detail: str | None = None


class Links(BaseModel):
    """Every citation's link, then one `uncited` row per entry never cited."""

    links: list[InlineLink]

    def problems(self) -> list[InlineLink]:
        """The rows that name a problem (`no_entry`, `uncited`, a year or author mismatch)."""
        return [link for link in self.links if link.problem is not None]


def find_inline(
    text: str, references: Sequence[tuple[Citation, str | None]] | None = None
) -> list[Citation]:
    """The in-text citations in `text`, in text order (see the module docstring)."""
    return [citation for citation, _ in find_inline_with_labels(text, references)]


def find_inline_with_labels(
    text: str,
    references: Sequence[tuple[Citation, str | None]] | None = None,
    bounds: Bounds | None = None,
    code: Sequence[tuple[int, int]] | None = None,
) -> list[tuple[Citation, str]]:
    """Each in-text citation with its label, up to where `bounds` stops the reading (each
    form keeps INLINE_PER_CLAIM citations per claim). `references` default to the text's
    own; `code`, every code block of the text (as a finished `ListReader` found them), to
    another pass over the text for them."""
    bounds = unbounded(bounds)
    if references is None:
        references = find_references_with_labels(text, bounds)
    skip = _Skip(text, references, bounds, code)
    organisations = sorted(fold(entry.raw) for entry, _ in references)
    paren_labels = _paren_labels(text, references)
    found = [
        *_kept(_made(_parenthetical(text, organisations, paren_labels, bounds)), skip, bounds),
        *_kept(_narrative(text, bounds), skip, bounds),
        *_kept(_made(_brackets(text, bounds)), skip, bounds),
        *_kept(_made(_superscripts(text, bounds)), skip, bounds),
        *_kept(_made(_marks(text, bounds)), skip, bounds),
    ]
    return sorted(found, key=lambda pair: (pair[0].start, pair[0].end))


# A citation as a finder finds it: where it starts, and how to make it with its label.
_Found = tuple[int, Callable[[], tuple[Citation, str]]]


def _kept(found: Iterator[_Found], skip: _Skip, bounds: Bounds) -> list[tuple[Citation, str]]:
    """The citations of one form outside code and entries, in text order, up to its cap.
    Only those kept are made: "Smith et al. (2020)" opens every entry of an APA list, and
    each is found there only to be set aside."""
    kept: list[tuple[Citation, str]] = []
    for start, make in found:
        if bounds.full(len(kept), start, per_claim=INLINE_PER_CLAIM):
            break
        if not skip.covers(start):
            kept.append(make())
    return kept


def _made(found: Iterator[tuple[Citation, str]]) -> Iterator[_Found]:
    """A finder's citations, made as they are found, for `_kept`."""
    for pair in found:
        yield pair[0].start, partial(_as_made, pair)


def _as_made(pair: tuple[Citation, str]) -> tuple[Citation, str]:
    return pair


class _Skip:
    """Code blocks, inline code and the entries themselves: no citations there.

    The spans are kept as two arrays of machine integers, merged from three sources that
    are each in text order: a text of a million `code` spans costs 16 MB, not 200."""

    def __init__(
        self,
        text: str,
        references: Sequence[tuple[Citation, str | None]],
        bounds: Bounds,
        code: Iterable[tuple[int, int]] | None = None,
    ) -> None:
        inline_code = bounds.matches(_INLINE_CODE_RE.finditer(text))
        spans = merge(
            code_spans(text, bounds) if code is None else code,
            ((m.start(), m.end()) for m in inline_code),
            sorted((_marker_start(text, entry, label), entry.end) for entry, label in references),
        )
        self.starts = array("q")
        # The furthest any span up to each one reaches: spans may nest or overlap.
        self.reach = array("q")
        furthest = 0
        for start, end in spans:
            furthest = max(furthest, end)
            self.starts.append(start)
            self.reach.append(furthest)

    def covers(self, position: int) -> bool:
        index = bisect_right(self.starts, position) - 1
        return index >= 0 and position < self.reach[index]


def _marker_start(text: str, entry: Citation, label: str | None) -> int:
    """Where an entry's "[n] " or "(n) " marker starts, so that it is not a citation."""
    for marker in (f"[{label}] ", f"({label}) "):
        start = entry.start - len(marker)
        if label and text.startswith(marker, max(0, start)):
            return start
    return entry.start


def _paren_labels(text: str, references: Sequence[tuple[Citation, str | None]]) -> set[str]:
    """Labels of entries marked "(n)": only then is "(n)" in prose a citation."""
    labels = set()
    for entry, label in references:
        marker = f"({label}) "
        if label and text.endswith(marker, 0, entry.start):
            labels.add(label)
    return labels


def _citation(
    raw_start: int, raw_end: int, text: str, authors: list[str], year: int | None = None
) -> Citation:
    fields = Fields(authors=[Author(family=name) for name in authors], year=year)
    return Citation(
        kind=Kind.INLINE, raw=text[raw_start:raw_end], start=raw_start, end=raw_end, fields=fields
    )


# --- author-year -------------------------------------------------------------------


def _parenthetical(
    text: str, organisations: list[str], paren_labels: set[str], bounds: Bounds
) -> Iterator[tuple[Citation, str]]:
    """ "(Smith et al., 2020a; Lee & Wu, 2019, p. 4)", and "(1)" when clearly a citation.
    A group without a capital names no one and is not read further: the "(2020)" of every
    entry of an APA list is one."""
    for group in bounds.matches(_PAREN_RE.finditer(text)):
        inner = group.group(1)
        if inner.strip() in paren_labels and _is_cited_number(text, group):
            label = inner.strip()
            start = group.start(1) + inner.index(label)
            yield _citation(start, start + len(label), text, []), label
        elif _ANY_YEAR_RE.search(inner) and _CAPITAL_RE.search(inner):
            yield from _author_year_group(text, group.start(1), group.end(1), organisations)


def _is_cited_number(text: str, group: re.Match[str]) -> bool:
    """ "(1)" after a word and before punctuation or a new sentence, not an enumeration."""
    before = text[max(0, group.start() - 2) : group.start()]
    after = text[group.end() : group.end() + 2]
    return before.endswith(" ") and before[:1].strip() != "" and not after.strip()[:1].islower()


def _author_year_group(
    text: str, start: int, end: int, organisations: list[str]
) -> Iterator[tuple[Citation, str]]:
    """One citation per work in a parenthetical; a bare year reuses the last authors."""
    authors: list[str] = []
    position = start
    for segment in text[start:end].split(";"):
        prefix = _PREFIX_RE.match(segment)
        seg_start = position + (prefix.end() if prefix else 0)
        seg_end = position + len(segment.rstrip())
        position += len(segment) + 1
        match = _SEGMENT_RE.fullmatch(text, seg_start, seg_end)
        if match and _plausible_authors(match.group("names"), organisations):
            authors = _split_authors(match.group("names"))
        elif not (authors and (match := _YEARS_ONLY_RE.fullmatch(text, seg_start, seg_end))):
            continue
        yield from _per_year(text, match, seg_start, seg_end, authors)


def _per_year(
    text: str, match: re.Match[str], start: int, end: int, authors: list[str]
) -> Iterator[tuple[Citation, str]]:
    """ "Smith, 2019, 2020": the first year keeps the whole segment, later ones their own."""
    years_start = match.start("years")
    for index, year in enumerate(_ANY_YEAR_RE.finditer(match.group("years"))):
        raw_start = start if index == 0 else years_start + year.start()
        raw_end = end if index == 0 else years_start + year.end()
        yield _author_year(text, raw_start, raw_end, authors, year.group())


def _author_year(
    text: str, start: int, end: int, authors: list[str], year_text: str
) -> tuple[Citation, str]:
    suffix = _YEAR_SUFFIX_RE.fullmatch(year_text)
    year = int(suffix.group(1)) if suffix else None
    citation = _citation(start, end, text, authors, year)
    return citation, f"{authors[0]} {year_text}"


def _plausible_authors(names: str, organisations: list[str]) -> bool:
    """Persons are taken as written; a multi-word name must open one of the entries.

    "(Nobel Prize, 1977)" reads like "(Google Quantum AI, 2023)"; only the second has
    an entry that starts with it. `organisations`, the folded entries, are sorted: those
    that start with the name come first among those not before it (a bisection, not a
    scan of every entry for every citation).
    """
    first = _split_authors(names)[0]
    if fold(first.split()[0]) in _NOT_AUTHORS:
        return False
    words = [word for word in first.split() if word[:1].isupper()]
    if len(words) <= 1:
        return True
    folded = fold(first)
    at = bisect_left(organisations, folded)
    return at < len(organisations) and organisations[at].startswith(folded)


def _split_authors(names: str) -> list[str]:
    """ "Smith, Lee, and Wu" -> [Smith, Lee, Wu]; "Smith et al." -> [Smith]."""
    names = re.sub(r"\s+et\s+al\.?$", "", names.strip())
    return [part.strip() for part in _AUTHOR_SPLIT_RE.split(names) if part.strip()]


def _narrative(text: str, bounds: Bounds) -> Iterator[_Found]:
    """ "Smith (2020)", "Smith and Lee (2019)", "Smith et al.'s (2020)"; each made only
    when kept (see `_kept`)."""
    for group in bounds.matches(_NARRATIVE_YEAR_RE.finditer(text)):
        names = _names_before(text, group.start())
        if names is None:
            continue
        for year in _ANY_YEAR_RE.finditer(group.group("years")):
            made = partial(_narrative_citation, text, names, group.end(), year.group())
            yield names.start, made


def _narrative_citation(text: str, names: _Names, end: int, year_text: str) -> tuple[Citation, str]:
    authors = _split_authors(names.names)
    return _author_year(text, names.start, end, authors, year_text)


class _Names(NamedTuple):
    """Authors written before a citation's year or number, and where they start."""

    start: int
    names: str


def _names_before(text: str, position: int) -> _Names | None:
    """Authors written right before `position`, unless a word such as "In" or "the"."""
    window_start = max(0, position - NARRATIVE_LOOKBACK)
    read_from = max(0, window_start - ARTICLE_LOOKBACK)
    found = _names_in(text[read_from:position], window_start - read_from)
    return None if found is None else _Names(read_from + found.start, found.names)


@lru_cache(maxsize=NAMES_CACHE_SIZE)
def _names_in(stretch: str, window_start: int) -> _Names | None:
    """`_names_before` on `stretch`, which ends where the citation starts: the names
    `_NARRATIVE_RE` finds at the end of `stretch[window_start:]`, and where they start in
    `stretch`, unless a word such as "In" or "the" (an article may stand in the
    ARTICLE_LOOKBACK characters before the window, which `stretch` holds too). The pattern
    reads nothing before where it starts (no look-behind), so the stretch reads as the
    text does. Remembered: the search tries every offset of the window, and the same
    entries ("Smith et al. (2020). Title…") come back answer after answer in a chat."""
    match = _NARRATIVE_RE.search(stretch, window_start)
    if match is None:
        return None
    first = match.group("names").split()[0]
    before = stretch[max(0, match.start() - ARTICLE_LOOKBACK) : match.start()]
    is_acronym = first.isupper() and len(first) > 1
    if fold(first) in _NOT_AUTHORS or is_acronym or _ARTICLE_BEFORE_RE.search(before):
        return None
    return _Names(match.start(), match.group("names"))


# --- numbers, keys, footnotes, marks -----------------------------------------------


def _brackets(text: str, bounds: Bounds) -> Iterator[tuple[Citation, str]]:
    """ "[1]", "[1, 4]", "[1–3]", "[^1]" and "[@key, p. 4; @other]"."""
    for group in bounds.matches(_BRACKET_RE.finditer(text)):
        inner = group.group(1)
        is_label = (
            _opens_line(text, group.start()) and text[group.end() : group.end() + 1].isspace()
        )
        if is_label or text.startswith(":", group.end()):
            continue
        if inner.startswith("^"):
            yield _citation(group.start(1) + 1, group.end(1), text, []), inner
        elif "@" in inner:
            yield from _pandoc(text, group.start(1), group.end(1))
        elif _NUMBERS_RE.fullmatch(inner) and not _glued(text, group.start()):
            authors = _narrative_authors(text, group.start())
            yield from _numbers(text, group.start(1), group.end(1), authors)


def _opens_line(text: str, position: int) -> bool:
    """A bracket that opens its line (and is followed by a space) labels an entry."""
    low = max(0, position - MAX_MARKER_INDENT)
    line_start = text.rfind("\n", low, position) + 1
    if not line_start and low > 0:
        return False
    return not text[line_start:position].strip()


def _glued(text: str, position: int) -> bool:
    """ "items[1]" indexes an array: a letter, digit or '_' right before the bracket."""
    return position > 0 and (text[position - 1].isascii() and text[position - 1].isalnum())


def _narrative_authors(text: str, position: int) -> list[str]:
    """ "Guu et al. [3]" or "Kipf and Welling [1]": the authors a number is credited to.

    A lone capitalised word before a number is too often a model name ("GRU [2]").
    """
    names = _names_before(text, position)
    if names is None or not re.search(rf"et\s+al|\s{_AND}\s", names.names):
        return []
    return _split_authors(names.names)


def _numbers(text: str, start: int, end: int, authors: list[str]) -> Iterator[tuple[Citation, str]]:
    for number in _NUMBER_RE.finditer(text, start, end):
        first = int(number.group(1))
        last = int(number.group(2) or first)
        if not 0 < first <= last <= MAX_LABEL_NUMBER or last - first > MAX_RANGE_SIZE:
            continue
        for value in range(first, last + 1):
            yield _citation(number.start(), number.end(), text, authors), str(value)


def _pandoc(text: str, start: int, end: int) -> Iterator[tuple[Citation, str]]:
    """ "[see @key, p. 4; @other]": one citation per key, with its locator."""
    position = start
    for segment in text[start:end].split(";"):
        key = _PANDOC_KEY_RE.search(segment)
        if key is not None and (key.start() == 0 or not segment[key.start() - 1].isalnum()):
            raw_start = position + key.start()
            yield (
                _citation(raw_start, position + len(segment.rstrip()), text, []),
                "@" + key.group("key"),
            )
        position += len(segment) + 1


def _superscripts(text: str, bounds: Bounds) -> Iterator[tuple[Citation, str]]:
    """ "drugs.¹", "trials²⁻⁴": after a word of MIN_WORD_BEFORE_SUPERSCRIPT letters or
    after punctuation; never after a digit or a short unit ("km²"). A text without a
    superscript number is not scanned: a look for each costs a tenth of the scan."""
    if not any(number in text for number in _SUPERSCRIPT_NUMBERS):
        return
    for group in bounds.matches(_SUPERSCRIPT_RE.finditer(text)):
        if not _cites_superscript(text, group.start()):
            continue
        plain = group.group().translate(_SUPERSCRIPT_DIGITS)
        for number in _NUMBER_RE.finditer(plain):
            first = int(number.group(1))
            last = int(number.group(2) or first)
            if 0 < first <= last <= MAX_LABEL_NUMBER and last - first <= MAX_RANGE_SIZE:
                start, end = group.start() + number.start(), group.start() + number.end()
                for value in range(first, last + 1):
                    yield _citation(start, end, text, []), str(value)


def _cites_superscript(text: str, position: int) -> bool:
    before = text[max(0, position - MIN_WORD_BEFORE_SUPERSCRIPT) : position]
    if before[-1:] in (".", ",", ";", ":", ")", "]"):
        return True
    return len(before) == MIN_WORD_BEFORE_SUPERSCRIPT and before.isalpha()


def _marks(text: str, bounds: Bounds) -> Iterator[tuple[Citation, str]]:
    """File-search citations "【4:0†source】"."""
    for group in bounds.matches(_MARK_RE.finditer(text)):
        if "†" in group.group(1):
            yield _citation(group.start(1), group.end(1), text, []), group.group(1)


# --- linking -----------------------------------------------------------------------


class _Entry:
    """What linking needs of one reference: its label, surnames, year and suffix."""

    def __init__(self, reference: Citation, label: str | None, parsed: Fields) -> None:
        self.label = label
        self.folded_raw = fold(reference.raw)
        names = [author.family or author.name or "" for author in parsed.authors]
        zone = _author_zone(reference.raw)
        self.zone = f" {fold(zone)} "
        self.surnames = [fold(name) for name in names if name] or _fallback_surnames(zone)
        year = _entry_year(reference.raw)
        self.year = parsed.year or (int(year.group(1)) if year else None)
        self.suffix = year.group(2) if year else ""

    def first_author_is(self, name: str) -> bool:
        """The first surname matches, or the entry opens with the name (organisations)."""
        folded = fold(name)
        return (bool(self.surnames) and _same_surname(folded, self.surnames[0])) or (
            self.folded_raw.startswith(folded)
        )

    def has_author(self, name: str) -> bool:
        folded = fold(name)
        return (
            any(_same_surname(folded, surname) for surname in self.surnames)
            or f" {folded} " in self.zone
            or self.folded_raw.startswith(folded)
        )


class _EntryIndex:
    """Which entries a label or a cited name points at, without trying every entry.

    Trying each entry for each citation is quadratic, and a long text holds thousands of
    both. Every way `_Entry.first_author_is` and `_Entry.has_author` can hold is found here
    by an exact key instead: a surname variant (`_surname_keys`), a word of the author
    zone, or a prefix of the folded entry (by bisection in sorted order). Only those few
    candidates are then tried, and the answer is kept by name, since texts cite the same
    authors again and again.
    """

    def __init__(self, entries: Sequence[_Entry]) -> None:
        self._entries = entries
        self._labels: dict[str | None, int] = {}
        self._first: dict[str, list[int]] = {}
        self._any: dict[str, list[int]] = {}
        self._words: dict[str, list[int]] = {}
        for index, entry in enumerate(entries):
            self._labels.setdefault(entry.label, index)
            for position, surname in enumerate(entry.surnames):
                for key in _surname_keys(surname):
                    if position == 0:
                        self._first.setdefault(key, []).append(index)
                    self._any.setdefault(key, []).append(index)
            for word in set(entry.zone.split()):
                self._words.setdefault(word, []).append(index)
        self._raws = sorted((entry.folded_raw, index) for index, entry in enumerate(entries))
        self.numbered = any(entry.label and entry.label.isdigit() for entry in entries)
        self._first_of: dict[str, list[int]] = {}
        self._author_of: dict[str, list[int]] = {}

    def label(self, label: str) -> int | None:
        """The first entry with this label."""
        return self._labels.get(label)

    def first_author(self, name: str) -> list[int]:
        """The entries, in order, whose first author `name` is."""
        folded = fold(name)
        if folded not in self._first_of:
            found = self._keyed(self._first, folded) | self._prefixed(folded)
            self._first_of[folded] = self._where(found, lambda e: e.first_author_is(name))
        return self._first_of[folded]

    def author(self, name: str) -> list[int]:
        """The entries, in order, that list `name` among their authors."""
        folded = fold(name)
        if folded not in self._author_of:
            found = self._keyed(self._any, folded) | self._zoned(folded) | self._prefixed(folded)
            self._author_of[folded] = self._where(found, lambda e: e.has_author(name))
        return self._author_of[folded]

    def _where(self, candidates: set[int], test: Callable[[_Entry], bool]) -> list[int]:
        return sorted(i for i in candidates if test(self._entries[i]))

    def _zoned(self, folded: str) -> set[int]:
        """Entries whose author zone may hold " folded ": every word of it is a zone word,
        so the entries of its rarest word will do."""
        words = folded.split()
        if not words:
            return set(range(len(self._entries)))
        rarest = min(words, key=lambda word: len(self._words.get(word, ())))
        return set(self._words.get(rarest, ()))

    @staticmethod
    def _keyed(table: dict[str, list[int]], folded: str) -> set[int]:
        """Entries with a surname `_same_surname` matches with `folded` (`_surname_keys`):
        equal to it or one of its stems, or ending in it or stemming to it."""
        keys = [_WHOLE + folded, _PART + folded, *(_WHOLE + stem for stem in _stems(folded))]
        return {index for key in keys for index in table.get(key, ())}

    def _prefixed(self, folded: str) -> set[int]:
        """Entries whose folded text starts with `folded`: one run of the sorted list."""
        found: set[int] = set()
        position = bisect_left(self._raws, (folded,))
        while position < len(self._raws) and self._raws[position][0].startswith(folded):
            found.add(self._raws[position][1])
            position += 1
        return found


# `_surname_keys` of a whole surname, and of a part of one (a word tail or a stem).
_WHOLE = "="
_PART = "~"


def _surname_keys(surname: str) -> set[str]:
    """Keys under which `_EntryIndex._keyed` finds an entry's surname: the surname whole,
    for a cited name equal to it or a few letters longer (looked up by its stems), and as
    parts the word tails ("berg" in "van den berg") and stems that a cited name may be."""
    tails = {surname[space + 1 :] for space, char in enumerate(surname) if char == " "}
    return {_WHOLE + surname, *(_PART + part for part in tails | set(_stems(surname)))}


def _stems(name: str) -> list[str]:
    """`name` cut short by up to SURNAME_INFLECTION_CHARS letters, no shorter than
    MIN_STEM_CHARS: the names `_same_surname` takes for an inflection of it."""
    low = max(MIN_STEM_CHARS, len(name) - SURNAME_INFLECTION_CHARS)
    return [name[:length] for length in range(low, len(name))]


def _entry_year(raw: str) -> re.Match[str] | None:
    """The year in parentheses, else the last one: titles hold years too ("1999-2008")."""
    in_parens = _PAREN_YEAR_RE.search(raw)
    if in_parens:
        return in_parens
    years = list(_ENTRY_YEAR_RE.finditer(raw))
    return years[-1] if years else None


def _author_zone(raw: str) -> str:
    """The start of an entry, up to its year or title: where its authors are written."""
    zone_end = _ZONE_END_RE.search(raw, 0, MAX_AUTHOR_ZONE)
    return raw[: zone_end.start() if zone_end else MAX_AUTHOR_ZONE]


def _fallback_surnames(zone: str) -> list[str]:
    """Surnames from the author zone of an entry the parser could not read."""
    surnames = [_surname_of(part) for part in _AUTHOR_SEPARATOR_RE.split(zone)]
    return [name for name in surnames if name]


def _surname_of(author: str) -> str:
    """ "Smith", "W. Chen", "Evans JM", "Дементьев В. В. Теория…" -> the surname: the
    first run of words that are not initials ("Cynthia Dwork" stays whole)."""
    run: list[str] = []
    for word in author.split():
        if _INITIALS_RE.fullmatch(word.rstrip(":;,")):
            if run:
                break
            continue
        run.append(word)
    return fold(" ".join(run))


def _same_surname(cited: str, entry: str) -> bool:
    if cited == entry or entry.endswith(" " + cited):
        return True
    shorter, longer = sorted((cited, entry), key=len)
    return (
        len(shorter) >= MIN_STEM_CHARS
        and longer.startswith(shorter)
        and len(longer) - len(shorter) <= SURNAME_INFLECTION_CHARS
    )


def link(
    inline: Sequence[tuple[Citation, str]],
    references: Sequence[tuple[Citation, str | None]],
    parsed: Sequence[Fields],
) -> Links:
    """Link each citation to its entry, and report citations without one, entries never
    cited, and year or author disagreements.

    `parsed` holds the parser's Fields for each reference (same order); an entry the
    parser left empty falls back to its raw text. A missing entry is only reported
    where an entry could have been found: numbers need a numbered list, author-year
    needs any list; footnotes, pandoc keys and file-search marks point outside the
    text. Entries count as uncited only when the text cites some entry.
    """
    entries = [
        _Entry(reference, label, fields)
        for (reference, label), fields in zip(references, parsed, strict=True)
    ]
    found_by = _EntryIndex(entries)
    links = [
        _link_one(index, citation, label, entries, found_by)
        for index, (citation, label) in enumerate(inline)
    ]
    cited = {link.reference_index for link in links if link.reference_index is not None}
    if cited:
        links += [
            InlineLink(citation_index=None, reference_index=index, problem="uncited")
            for index in range(len(entries))
            if index not in cited
        ]
    return Links(links=links)


def _link_one(
    index: int, citation: Citation, label: str, entries: list[_Entry], found_by: _EntryIndex
) -> InlineLink:
    if citation.fields.year is not None or label.endswith("n.d."):
        return _link_author_year(index, citation, label, entries, found_by)
    by_label = found_by.label(label)
    if by_label is None:
        numbered = label.isdigit() and found_by.numbered
        problem: Problem | None = "no_entry" if numbered else None
        return InlineLink(citation_index=index, reference_index=None, problem=problem)
    missing = [
        a.family or ""
        for a in citation.fields.authors
        if not entries[by_label].has_author(a.family or "")
    ]
    if missing:
        return InlineLink(
            citation_index=index,
            reference_index=by_label,
            problem="author_mismatch",
            detail=f"cited as by {', '.join(missing)}, but entry {label} does not list them",
        )
    return InlineLink(citation_index=index, reference_index=by_label)


def _link_author_year(
    index: int, citation: Citation, label: str, entries: list[_Entry], found_by: _EntryIndex
) -> InlineLink:
    """First surname and year pick the entry; a near miss is a mismatch, not a miss."""
    cited = [author.family or "" for author in citation.fields.authors]
    year = citation.fields.year
    suffix = label[-1] if label[-1].isalpha() and label[-2:-1].isdigit() else ""
    same_first = found_by.first_author(cited[0])
    same_year = [i for i in same_first if entries[i].year == year]
    if same_year:
        chosen = next((i for i in same_year if entries[i].suffix == suffix), same_year[0])
        missing = [name for name in cited[1:] if not entries[chosen].has_author(name)]
        if missing:
            return InlineLink(
                citation_index=index,
                reference_index=chosen,
                problem="author_mismatch",
                detail=f"{', '.join(missing)} not among the entry's authors",
            )
        return InlineLink(citation_index=index, reference_index=chosen)
    if same_first:
        chosen = min(same_first, key=lambda i: abs((entries[i].year or 0) - (year or 0)))
        return InlineLink(
            citation_index=index,
            reference_index=chosen,
            problem="year_mismatch",
            detail=f"cited as {year}, the entry says {entries[chosen].year}",
        )
    elsewhere = [i for i in found_by.author(cited[0]) if entries[i].year == year]
    if elsewhere:
        return InlineLink(
            citation_index=index,
            reference_index=elsewhere[0],
            problem="author_mismatch",
            detail=f"{cited[0]} is not the entry's first author",
        )
    problem: Problem | None = "no_entry" if entries else None
    return InlineLink(citation_index=index, reference_index=None, problem=problem)
