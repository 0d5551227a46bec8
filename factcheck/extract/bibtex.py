"""BibTeX entries in a text: a whole .bib file, or entries pasted into prose or markdown.

Entries are located here, in one linear pass, because exact offsets are the contract
(`text[start:end] == raw`) and bibtexparser reports none. Each located entry is then
split into fields by bibtexparser; values are evaluated here (`@string` macros, `#`
concatenation), LaTeX is turned into Unicode by pylatexenc, and names are split the
way BibTeX splits them.

A broken entry never takes its neighbours down. One that never closes ends where the
next entry starts (a line opening with `@type{`, an `@type{key,` anywhere, or a code
fence); one that bibtexparser rejects is read again leniently. Whatever was wrong is
reported as a `BibtexProblem`, next to the entries, instead of being raised.

bibtexparser and pylatexenc are imported on first use: `import factcheck` stays fast.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import Enum
from functools import cache, lru_cache
from typing import TYPE_CHECKING, NamedTuple

from pydantic import BaseModel, Field

from factcheck.extract.bounds import Bounds, unbounded
from factcheck.extract.identifiers import classify_url, doi_fields
from factcheck.model import Author, Citation, Fields, Kind
from factcheck.normalize import unescape_entities

if TYPE_CHECKING:
    from bibtexparser.model import Block, Entry
    from pylatexenc.latex2text import LatexNodes2Text

__all__ = [
    "BibtexEntry",
    "BibtexField",
    "BibtexProblem",
    "BibtexResult",
    "ProblemCode",
    "bibtex_fields",
    "find_bibtex",
    "latex_to_text",
    "parse_bibtex",
]

# A citation key longer than this is not a key, which also bounds the look-ahead
# made at every "@word{" of a text.
MAX_KEY_LEN = 200
# pylatexenc parses recursively and costs ~0.5 ms a call: longer values (abstracts,
# pasted junk) are shown with their markup stripped instead.
MAX_LATEX_LEN = 4000
# How much longer than written a value may grow by expanding @string macros. Journal and
# month names need little; a chain such as "@string{b = a # a}" doubles at every step
# (BibTeX's "billion laughs") and would otherwise fill the memory.
MAX_MACRO_GROWTH = 1000
# Distinct LaTeX strings, and names, whose reading is remembered: they repeat.
LATEX_CACHE_SIZE = 8192
NAME_CACHE_SIZE = 8192

# BibTeX's own macros, defined by every standard style.
MONTH_MACROS = {
    "jan": "January",
    "feb": "February",
    "mar": "March",
    "apr": "April",
    "may": "May",
    "jun": "June",
    "jul": "July",
    "aug": "August",
    "sep": "September",
    "oct": "October",
    "nov": "November",
    "dec": "December",
}

# Entry types (BibTeX and biblatex) and the CSL type each claims.
CSL_TYPES = {
    "article": "article-journal",
    "inproceedings": "paper-conference",
    "conference": "paper-conference",
    "proceedings": "book",
    "book": "book",
    "mvbook": "book",
    "collection": "book",
    "reference": "book",
    "booklet": "pamphlet",
    "inbook": "chapter",
    "incollection": "chapter",
    "bookinbook": "chapter",
    "inreference": "entry-encyclopedia",
    "phdthesis": "thesis",
    "mastersthesis": "thesis",
    "thesis": "thesis",
    "techreport": "report",
    "report": "report",
    "manual": "report",
    "unpublished": "manuscript",
    "misc": "document",
    "online": "webpage",
    "electronic": "webpage",
    "www": "webpage",
    "software": "software",
    "dataset": "dataset",
    "patent": "patent",
    "periodical": "periodical",
    "standard": "standard",
}
PREPRINT_TYPE = "preprint"
# Entry types that are preprints when they carry an arXiv id and name no venue, or
# name a preprint server as theirs.
_PREPRINT_CANDIDATE_TYPES = frozenset({"article", "misc", "unpublished", "online", "electronic"})
_PREPRINT_VENUE_RE = re.compile(r"arxiv|corr|biorxiv|medrxiv|preprint", re.IGNORECASE)

# Blocks that hold no reference.
_IGNORED_TYPES = frozenset({"comment", "preamble"})
_STRING_TYPE = "string"
# "@article{" and the like are BibTeX even in prose, however broken what follows is;
# other "@word{" must look like an entry (see _ENTRY_AHEAD_RE).
_TRUSTED_TYPES = frozenset(CSL_TYPES) | _IGNORED_TYPES | {_STRING_TYPE}

# Field names in the order they are tried for each bibliographic field.
_CONTAINER_FIELDS = ("journal", "journaltitle", "booktitle")
_ISSUE_FIELDS = ("number", "issue")
_PUBLISHER_FIELDS = ("publisher", "institution", "school", "organization")
_ARXIV_FIELDS = ("arxiv", "arxivid")
_ARXIV_PREFIXES = ("arxiv", "")  # archivePrefix / eprinttype values that mean arXiv

# "@type{" or "@type(" where an entry may start: not inside a word, an e-mail address
# or a LaTeX command such as "\@ifnextchar{".
# (The lookbehind follows the "@" so that the search can jump from "@" to "@".)
_ENTRY_START_RE = re.compile(r"@(?<![\w\\@]@)(?P<type>[A-Za-z]\w*)[ \t]*(?P<open>[{(])")
_KEY_CHARS = r"[^\s,{}()\"=#%]"
# After the opener of an unknown type: a key then ",", "}" or ")" (a field-less entry),
# or straight a "field =" (no key). Prose such as "@john (see below)" has none of these.
_ENTRY_AHEAD_RE = re.compile(rf"\s*{_KEY_CHARS}{{0,{MAX_KEY_LEN}}}\s*[,}})=]")
# Inside an entry, only a full "@type{key," is taken as the start of the next one.
_NEXT_ENTRY_AHEAD_RE = re.compile(rf"\s*{_KEY_CHARS}{{1,{MAX_KEY_LEN}}}\s*,")
# What ends an entry that never closes: a line opening another entry or a markdown
# code fence, or an "@type{" in mid-line (checked with _NEXT_ENTRY_AHEAD_RE).
_STOPS = (
    r"|(?P<line_stop>\n[ \t]*(?:```|~~~|@[A-Za-z]\w*[ \t]*[{(]))"
    r"|(?P<inline_stop>@(?<![\w\\@]@)[A-Za-z]\w*[ \t]*[{(])"
)
# Braces escaped as "\{" do not count, as in bibtexparser. The leading look-ahead
# lets the engine skip other characters without trying every alternative.
_BRACE_ENTRY_WALK_RE = re.compile(r"(?=[{}\n@])(?:(?<!\\)[{}]" + _STOPS + ")")
_PAREN_ENTRY_WALK_RE = re.compile(r"(?=[{}\")\n@])(?:(?<!\\)[{}\")]" + _STOPS + ")")
_GROUP_WALK_RE = re.compile(r"(?<!\\)[{}]")
_QUOTED_WALK_RE = re.compile(r"(?<!\\)[{}\"]")

# A bare value piece: a number or a macro name.
_BARE_PIECE_RE = re.compile(r"[^\s,#{}\"()=]*")
_WHITESPACE_RE = re.compile(r"\s*")
# A field name and its "=", for the lenient reading of an entry bibtexparser rejected.
_FIELD_NAME_RE = re.compile(r"(?<![\w.:+-])(?P<name>[A-Za-z][\w.:+-]*)\s*=\s*")
# A citation key, when it comes before the first "," or line end.
_KEY_RE = re.compile(rf"\s*{_KEY_CHARS}{{0,{MAX_KEY_LEN}}}\s*(?=[,\n])")

_YEAR_RE = re.compile(r"(?<!\d)\d{4}(?!\d)")
_PAGE_DASH_RE = re.compile(r"\s*(?:-+|–|—)\s*")
_ISBN_RE = re.compile(r"(?:97[89][\s-]?)?(?:\d[\s-]?){9}[\dXx]")
_DOI_PREFIX_RE = re.compile(r"^(?:https?://(?:dx\.|www\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
_URL_COMMAND_RE = re.compile(r"\\url\s*\{(?P<url>[^{}]*)\}")
_LINK_RE = re.compile(r"\s*https?://", re.IGNORECASE)
_ESCAPED_CHAR_RE = re.compile(r"\\(?P<char>[_%&#$~])")
# Where pylatexenc is needed; anything else only loses braces and ties.
_LATEX_MARKUP_RE = re.compile(r"[\\$]")
# Characters that BibTeX users write bare but LaTeX reads as markup.
_BARE_SPECIAL_RE = re.compile(r"(?<!\\)([%&#])")
_PLAIN_MARKUP = (("---", "—"), ("--", "–"), ("``", "“"), ("''", "”"))
_BRACES_AND_TIES = str.maketrans({"{": None, "}": None, "~": " "})
_OTHERS = "others"
_AND_RE = re.compile(r"\s+and\s+", re.IGNORECASE)
# A value with nothing to evaluate: one {group} or "string" without nesting, or a number.
_SIMPLE_VALUE_RE = re.compile(r'\{(?P<braced>[^{}]*)\}|"(?P<quoted>[^{}"]*)"|(?P<number>\d+)')


class ProblemCode(str, Enum):
    """What was wrong with a stretch of BibTeX."""

    UNCLOSED = "unclosed"  # the entry never closes; read up to the next entry
    SYNTAX = "syntax"  # bibtexparser rejected the entry; fields read leniently
    NO_KEY = "no_key"
    DUPLICATE_KEY = "duplicate_key"
    DUPLICATE_FIELD = "duplicate_field"  # the first value is kept, as BibTeX does
    UNKNOWN_TYPE = "unknown_type"  # kept, with no CSL type
    UNDEFINED_MACRO = "undefined_macro"  # its name is kept as text, as BibTeX does
    EMPTY = "empty"  # no field to check: no citation is made
    TOO_LONG = "too_long"  # macros expand a value past MAX_MACRO_GROWTH: cut there


class BibtexProblem(BaseModel):
    """Something wrong in the BibTeX at `text[start:end]`; nothing is ever raised."""

    start: int
    end: int
    code: ProblemCode
    message: str
    key: str | None = None


class BibtexEntry(BaseModel):
    """One entry: its citation, plus what BibTeX says that Citation has no room for."""

    citation: Citation
    key: str
    entry_type: str
    # "and others" closed the author list: the authors given are not all of them.
    more_authors: bool = False


class BibtexResult(BaseModel):
    """The entries of a text, in order, and the problems met on the way."""

    entries: list[BibtexEntry] = Field(default_factory=list)
    problems: list[BibtexProblem] = Field(default_factory=list)


@dataclass(frozen=True)
class _Span:
    """Where one "@type{...}" block sits in the text."""

    start: int
    end: int
    entry_type: str
    closed: bool


@dataclass
class _Split:
    """An entry or @string cut into its key and raw (still enclosed) field values."""

    key: str
    values: dict[str, str]
    duplicate_fields: list[str] = field(default_factory=list)
    error: str | None = None


def find_bibtex(text: str) -> list[Citation]:
    """Every BibTeX entry in `text` as a Kind.REFERENCE citation, in order."""
    return [entry.citation for entry in parse_bibtex(text).entries]


def parse_bibtex(text: str, bounds: Bounds | None = None) -> BibtexResult:
    """Every BibTeX entry in `text`, with its key, and every problem found (up to where
    `bounds` stops the reading).

    `@comment` and `@preamble` are skipped, `@string` macros are expanded in the
    entries after them (BibTeX's order), and entries with nothing to check are
    reported as problems rather than returned.
    """
    if "@" not in text:
        return BibtexResult()
    bounds = unbounded(bounds)
    reader = _Reader(text)
    # Blocks are counted, not entries: a block yields one entry or a few problems, and a
    # text of a million broken blocks must not cost a million problems.
    for read, span in enumerate(_spans(text, bounds)):
        if bounds.full(read, span.start):
            break
        reader.read(span)
    return reader.result


def _spans(text: str, bounds: Bounds) -> Iterator[_Span]:
    """The blocks of `text`, each ending at its closing delimiter or where it was cut;
    up to where `bounds` stops the reading."""
    pos = 0
    while match := _ENTRY_START_RE.search(text, pos):
        if bounds.passed(match.start()):
            return
        entry_type = match.group("type").lower()
        if entry_type not in _TRUSTED_TYPES and not _ENTRY_AHEAD_RE.match(text, match.end()):
            pos = match.start() + 1
            continue
        free_text = entry_type in _IGNORED_TYPES
        walked = _block_end(text, match, free_text, bounds)
        if walked is None:
            return
        end, closed = walked
        yield _Span(match.start(), end, entry_type, closed)
        pos = end


def _block_end(
    text: str, opening: re.Match[str], free_text: bool, bounds: Bounds
) -> tuple[int, bool] | None:
    """Where the block that `opening` opens ends, and whether it closed.

    Braces nest; in a "(" block a ")" closes outside braces and quotes. A block that
    never closes ends, trailing whitespace dropped, before the next entry's start: a
    line opening one, or else an "@type{key," in mid-line. Between fields, where it
    cannot be part of a value, such an "@type{key," ends the block at once, so that
    an unclosed entry does not take the closing brace of the next one on its line;
    `free_text` blocks (@comment) have no fields and may quote entries. Inside a
    value one such start is let pass, a second ends the walk: a line of unclosed
    entries is then walked in linear time, not once from each of them to its end.
    None when `bounds` stops the walk before the block ends: the block is left unread.
    """
    body_start, opener = opening.end(), opening.group("open")
    walk = _BRACE_ENTRY_WALK_RE if opener == "{" else _PAREN_ENTRY_WALK_RE
    depth, in_quotes = 0, False
    cut, first_inline_entry = len(text), None
    for mark in walk.finditer(text, body_start):
        if bounds.passed(mark.start(), unread=opening.start()):
            return None
        if mark.lastgroup == "line_stop":
            cut = mark.start()
            break
        if mark.lastgroup == "inline_stop":
            if _NEXT_ENTRY_AHEAD_RE.match(text, mark.end()):
                at_field_level = depth == 0 and not in_quotes and not free_text
                if at_field_level or first_inline_entry is not None:
                    cut = mark.start()
                    break
                first_inline_entry = mark.start()
            depth += mark.group().endswith("{")
            continue
        char = mark.group()
        if char == "{":
            depth += 1
        elif char == '"' and depth == 0:
            in_quotes = not in_quotes
        elif char == "}" and depth > 0:
            depth -= 1
        elif (char == "}" and opener == "{") or (char == ")" and not in_quotes and depth == 0):
            return mark.end(), True
    if first_inline_entry is not None:
        cut = min(cut, first_inline_entry)
    return body_start + len(text[body_start:cut].rstrip()), False


class _Reader:
    """Turns spans into entries and problems, keeping the @string macros seen so far."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.macros = dict(MONTH_MACROS)
        self.first_of_key: dict[str, int] = {}
        self.result = BibtexResult()

    def read(self, span: _Span) -> None:
        if span.entry_type in _IGNORED_TYPES:
            if not span.closed:
                self.problem(span, None, ProblemCode.UNCLOSED, "block never closes")
            return
        raw = self.text[span.start : span.end]
        split = _split(raw)
        key = split.key or None
        if not span.closed:
            self.problem(
                span, key, ProblemCode.UNCLOSED, "entry never closes; read up to what follows"
            )
        elif split.error is not None:
            # Of an unclosed entry bibtexparser could only say that its end came too soon.
            self.problem(span, key, ProblemCode.SYNTAX, f"{split.error}; fields read leniently")
        for name in split.duplicate_fields:
            self.problem(span, key, ProblemCode.DUPLICATE_FIELD, f"field {name!r} given twice")
        values = {name: self.evaluate(span, key, value) for name, value in split.values.items()}
        if span.entry_type == _STRING_TYPE:
            self.macros.update(values)
        else:
            self.entry(span, raw, split.key, values)

    def entry(self, span: _Span, raw: str, key: str, values: dict[str, str]) -> None:
        self.check_key(span, key)
        if span.entry_type not in CSL_TYPES:
            message = f"unknown entry type @{span.entry_type}"
            self.problem(span, key, ProblemCode.UNKNOWN_TYPE, message)
        fields, more_authors = _fields(span.entry_type, values)
        if not fields.model_dump(exclude_defaults=True, exclude={"type"}):
            self.problem(span, key, ProblemCode.EMPTY, "entry has no field to check")
            return
        citation = Citation(
            kind=Kind.REFERENCE, raw=raw, start=span.start, end=span.end, fields=fields
        )
        entry = BibtexEntry(
            citation=citation, key=key, entry_type=span.entry_type, more_authors=more_authors
        )
        self.result.entries.append(entry)

    def check_key(self, span: _Span, key: str) -> None:
        """Report a missing key, or one used before (BibTeX ignores case in keys)."""
        if not key:
            self.problem(span, None, ProblemCode.NO_KEY, "entry has no citation key")
            return
        first = self.first_of_key.setdefault(key.casefold(), span.start)
        if first != span.start:
            message = f"key {key!r} first used at offset {first}"
            self.problem(span, key, ProblemCode.DUPLICATE_KEY, message)

    def evaluate(self, span: _Span, key: str | None, raw_value: str) -> str:
        value, undefined, cut = _evaluate(raw_value, self.macros)
        for name in undefined:
            self.problem(span, key, ProblemCode.UNDEFINED_MACRO, f"undefined macro {name!r}")
        if cut:
            message = f"macros expand a value past {len(value)} characters; cut there"
            self.problem(span, key, ProblemCode.TOO_LONG, message)
        return value

    def problem(self, span: _Span, key: str | None, code: ProblemCode, message: str) -> None:
        self.result.problems.append(
            BibtexProblem(start=span.start, end=span.end, code=code, message=message, key=key)
        )


@cache
def _quiet_bibtexparser() -> None:
    """bibtexparser logs every rejected block; those are reported here as problems."""
    logging.getLogger("bibtexparser").setLevel(logging.CRITICAL + 1)


def _split(raw: str) -> _Split:
    """Cut one block into key and raw values with bibtexparser, leniently if it fails."""
    from bibtexparser.entrypoint import parse_string

    _quiet_bibtexparser()
    try:
        blocks = parse_string(raw, parse_stack=[]).blocks
    except Exception as error:  # a bug in bibtexparser must not lose the rest of the file
        return _lenient_split(raw, f"bibtexparser failed: {error}")
    if not blocks:
        return _lenient_split(raw, "bibtexparser found no entry")
    split = _from_block(blocks[0], raw)
    if len(blocks) > 1 and split.error is None:
        return _lenient_split(raw, "bibtexparser ended the entry early")
    return split


def _from_block(block: Block, raw: str) -> _Split:
    """Key and values (first of each name) of the block bibtexparser made of `raw`."""
    from bibtexparser.model import DuplicateFieldKeyBlock, Entry, ParsingFailedBlock, String

    if isinstance(block, String):
        return _Split(key=block.key, values={block.key.lower(): block.value})
    if isinstance(block, DuplicateFieldKeyBlock):
        entry = block.ignore_error_block
        if isinstance(entry, Entry):
            return _from_entry(entry, raw, sorted(block.duplicate_keys))
    if isinstance(block, Entry):
        return _from_entry(block, raw, [])
    if isinstance(block, ParsingFailedBlock):
        return _lenient_split(raw, _abort_reason(block.error))
    return _lenient_split(raw, f"bibtexparser made a {type(block).__name__}")


def _from_entry(entry: Entry, raw: str, duplicates: list[str]) -> _Split:
    """The entry's values; read leniently when one runs on past its end.

    bibtexparser reads `title = {A} author = {B}` (a comma missing) as one value;
    whatever follows a value other than "#" shows that happened.
    """
    values: dict[str, str] = {}
    for entry_field in entry.fields:
        value = str(entry_field.value)
        if not _SIMPLE_VALUE_RE.fullmatch(value) and value[_value_end(value, 0) :].strip():
            return _lenient_split(raw, f"a comma is missing after field {entry_field.key!r}")
        values.setdefault(entry_field.key.lower(), value)
    return _Split(key=entry.key.strip(), values=values, duplicate_fields=duplicates)


def _abort_reason(error: Exception) -> str:
    reason = getattr(error, "abort_reason", None)
    return " ".join(str(reason or error).split())


def _lenient_split(raw: str, error: str) -> _Split:
    """Read `field = value` pairs wherever they are, for an entry bibtexparser rejects.

    Missing commas, a missing key and unclosed values are all tolerated: a value runs
    to its closing delimiter or to the end of the entry.
    """
    body_start = _ENTRY_START_RE.match(raw)
    pos = body_start.end() if body_start else 0
    key_end = _key_end(raw, pos)
    key = raw[pos:key_end].strip() if key_end > pos else ""
    values: dict[str, str] = {}
    pos = key_end
    while match := _FIELD_NAME_RE.search(raw, pos):
        end = _value_end(raw, match.end())
        values.setdefault(match.group("name").lower(), raw[match.end() : end].strip())
        pos = max(end, match.end() + 1)
    return _Split(key=key, values=values, error=error)


class BibtexField(NamedTuple):
    """One `name = value` of an entry as written: `raw[start:value_end]` is the pair,
    `raw[value_start:value_end]` the value with its braces or quotes."""

    name: str
    start: int
    value_start: int
    value_end: int


def bibtex_fields(raw: str) -> list[BibtexField]:
    """The fields of one entry (`raw` from its "@") where they are written, names lower
    case, in order; read like an entry bibtexparser rejects, so any entry has them."""
    body_start = _ENTRY_START_RE.match(raw)
    pos = _key_end(raw, body_start.end() if body_start else 0)
    found: list[BibtexField] = []
    while match := _FIELD_NAME_RE.search(raw, pos):
        end = _value_end(raw, match.end())
        found.append(BibtexField(match.group("name").lower(), match.start(), match.end(), end))
        pos = max(end, match.end() + 1)
    return found


def _key_end(raw: str, pos: int) -> int:
    """End of the citation key at `pos`, or `pos` when a field comes first."""
    match = _KEY_RE.match(raw, pos)
    return match.end() if match else pos


def _value_end(text: str, pos: int) -> int:
    """End of a value made of pieces joined by "#", starting at `pos`."""
    while True:
        pos = _piece_end(text, pos)
        ahead = _skip_space(text, pos)
        if not text.startswith("#", ahead):
            return pos
        pos = _skip_space(text, ahead + 1)


def _piece_end(text: str, pos: int) -> int:
    """End of one value piece: a {group}, a "string" or a bare number or macro name.

    An unclosed group or string runs to the end of `text`.
    """
    if text.startswith("{", pos):
        return _closing(text, pos, _GROUP_WALK_RE, "}")
    if text.startswith('"', pos):
        return _closing(text, pos, _QUOTED_WALK_RE, '"')
    match = _BARE_PIECE_RE.match(text, pos)
    return match.end() if match else pos


def _closing(text: str, pos: int, walk: re.Pattern[str], closer: str) -> int:
    """Index after the `closer` that ends the piece opened at `pos` (outside braces)."""
    depth = 0
    for mark in walk.finditer(text, pos + 1):
        char = mark.group()
        if char == "{":
            depth += 1
        elif depth > 0 and char == "}":
            depth -= 1
        elif char == closer:
            return mark.end()
    return len(text)


def _evaluate(raw_value: str, macros: dict[str, str]) -> tuple[str, list[str], bool]:
    """A raw value's text: pieces unenclosed, macros expanded, "#" concatenated.

    Returns the text (LaTeX still in it), the names of undefined macros, which are kept
    as text, and whether the text was cut at MAX_MACRO_GROWTH. Anything after the last
    readable piece is kept as it is.
    """
    if simple := _SIMPLE_VALUE_RE.fullmatch(raw_value):
        return "".join(part for part in simple.groups() if part).strip(), [], False
    limit = len(raw_value) + MAX_MACRO_GROWTH
    parts: list[str] = []
    size = 0
    undefined: list[str] = []
    pos = _skip_space(raw_value, 0)
    while pos < len(raw_value) and size <= limit:
        end = _piece_end(raw_value, pos)
        if end == pos:
            parts.append(raw_value[pos:])
            break
        parts.append(_piece_text(raw_value[pos:end], macros, undefined))
        size += len(parts[-1])
        ahead = _skip_space(raw_value, end)
        if not raw_value.startswith("#", ahead):
            parts.append(raw_value[end:])
            break
        pos = _skip_space(raw_value, ahead + 1)
    text = "".join(parts)
    return text[:limit].strip(), undefined, len(text) > limit


def _skip_space(text: str, pos: int) -> int:
    match = _WHITESPACE_RE.match(text, pos)
    return match.end() if match else pos


def _piece_text(piece: str, macros: dict[str, str], undefined: list[str]) -> str:
    opener = piece[0]
    if opener in '{"':
        closed = len(piece) > 1 and piece[-1] == ("}" if opener == "{" else '"')
        return piece[1:-1] if closed else piece[1:]
    if piece.isdigit():
        return piece
    expansion = macros.get(piece.lower())
    if expansion is None:
        undefined.append(piece)
        return piece
    return expansion


def _fields(entry_type: str, values: dict[str, str]) -> tuple[Fields, bool]:
    """Map an entry's evaluated values to Fields; also whether "and others" was said."""
    authors, more_authors = _authors(values.get("author", ""))
    fields = Fields(
        title=_text(values, ("title",)),
        authors=authors,
        year=_year(values),
        container=_text(values, _CONTAINER_FIELDS),
        volume=_text(values, ("volume",)),
        issue=_text(values, _ISSUE_FIELDS),
        pages=_pages(values),
        publisher=_text(values, _PUBLISHER_FIELDS),
        pmid=_identifier(values, ("pmid",)),
        pmcid=_identifier(values, ("pmcid",)),
        isbn=_isbn(values),
    )
    _add_links(fields, values)
    fields.type = _csl_type(entry_type, fields)
    return fields, more_authors


def _text(values: dict[str, str], names: tuple[str, ...]) -> str | None:
    """The first non-empty of the named fields, as Unicode text."""
    for name in names:
        if (value := values.get(name)) and (text := latex_to_text(value)):
            return text
    return None


def _identifier(values: dict[str, str], names: tuple[str, ...]) -> str | None:
    """The first non-empty of the named identifier fields, unescaped, without spaces."""
    for name in names:
        value = values.get(name)
        if not value:
            continue
        if "\\" in value:
            url = _URL_COMMAND_RE.search(value)
            value = _ESCAPED_CHAR_RE.sub(r"\g<char>", url.group("url") if url else value)
        if value := "".join(value.translate(_BRACES_AND_TIES).split()):
            return value
    return None


def _year(values: dict[str, str]) -> int | None:
    for name in ("year", "date"):
        if match := _YEAR_RE.search(values.get(name, "")):
            return int(match.group())
    return None


def _pages(values: dict[str, str]) -> str | None:
    pages = _identifier(values, ("pages",))
    return _PAGE_DASH_RE.sub("-", pages) if pages else None


def _isbn(values: dict[str, str]) -> str | None:
    """The first ISBN of the field (some list several), digits only."""
    match = _ISBN_RE.search(values.get("isbn", ""))
    return re.sub(r"[\s-]", "", match.group()).upper() if match else None


def _add_links(fields: Fields, values: dict[str, str]) -> None:
    """DOI, URL and arXiv id, each also taken from the others where it is missing.

    A doi.org or arxiv.org URL names its identifier; arXiv's DataCite DOI names the id.
    """
    if doi := _identifier(values, ("doi",)):
        doi_claim = doi_fields(_DOI_PREFIX_RE.sub("", doi))
        fields.doi, fields.arxiv = doi_claim.doi, doi_claim.arxiv
    fields.arxiv = _arxiv(values) or fields.arxiv
    if url := _url(values):
        fields.url = url
        _, linked = classify_url(url)
        fields.doi = fields.doi or linked.doi
        fields.arxiv = fields.arxiv or linked.arxiv
        fields.pmid = fields.pmid or linked.pmid
        fields.pmcid = fields.pmcid or linked.pmcid


def _url(values: dict[str, str]) -> str | None:
    """`url`, or a link in `howpublished` (which more often says "Online" or a date)."""
    howpublished = values.get("howpublished", "")
    if _URL_COMMAND_RE.search(howpublished) or _LINK_RE.match(howpublished):
        return _identifier(values, ("url", "howpublished"))
    return _identifier(values, ("url",))


def _arxiv(values: dict[str, str]) -> str | None:
    """An arXiv id from `eprint` (when archivePrefix says arXiv, or says nothing) or
    from an `arxiv` field, without its "arXiv:" label."""
    prefix = (values.get("archiveprefix") or values.get("eprinttype") or "").strip("{} ").lower()
    names = ("eprint", *_ARXIV_FIELDS) if prefix in _ARXIV_PREFIXES else _ARXIV_FIELDS
    arxiv = _identifier(values, names)
    if arxiv and arxiv.lower().startswith("arxiv:"):
        arxiv = arxiv[len("arxiv:") :]
    return arxiv or None


def _csl_type(entry_type: str, fields: Fields) -> str | None:
    """The CSL type the entry claims; an arXiv id with no other venue makes a preprint."""
    is_preprint = (
        entry_type in _PREPRINT_CANDIDATE_TYPES
        and fields.arxiv is not None
        and (fields.container is None or _PREPRINT_VENUE_RE.search(fields.container) is not None)
    )
    return PREPRINT_TYPE if is_preprint else CSL_TYPES.get(entry_type)


def _authors(value: str) -> tuple[list[Author], bool]:
    """Authors split on "and" (not inside braces); "others" is dropped and reported.

    A name wholly in braces, such as "{World Health Organization}", is an organisation.
    """
    authors: list[Author] = []
    more_authors = False
    for listed in _split_names(value):
        name = listed.strip()
        if name.lower() == _OTHERS:
            more_authors = True
        elif _is_braced_whole(name):
            authors.append(Author(name=latex_to_text(name[1:-1])))
        elif any(person := _person(name)):
            family, given = person
            authors.append(Author(family=family, given=given))
    return authors, more_authors


def _split_names(value: str) -> list[str]:
    """The names of a name list, split on "and" outside braces.

    bibtexparser's splitter walks the value a character at a time; without braces
    a regex split says the same, much faster.
    """
    if "{" in value:
        from bibtexparser.middlewares.names import split_multiple_persons_names

        return list(split_multiple_persons_names(value))
    return [name for name in _AND_RE.split(value) if name.strip()]


def _is_braced_whole(name: str) -> bool:
    """Whether `name` is one {group}, as in "{World Health Organization}"."""
    return name.startswith("{") and _closing(name, 0, _GROUP_WALK_RE, "}") == len(name)


@lru_cache(maxsize=NAME_CACHE_SIZE)
def _person(name: str) -> tuple[str | None, str | None]:
    """A person's family name ("von Last") and given names, as BibTeX reads them.

    A "Jr" part is left out: Author has no suffix, and sources keep it apart from
    the family name that is compared.
    """
    from bibtexparser.middlewares.names import parse_single_name_into_parts

    parts = parse_single_name_into_parts(name, strict=False)
    family = latex_to_text(" ".join([*parts.von, *parts.last]))
    given = latex_to_text(" ".join(parts.first))
    return family or None, given or None


def latex_to_text(value: str) -> str:
    """BibTeX/LaTeX text as plain Unicode with whitespace collapsed.

    `Heged{\\H u}s` becomes "Hegedűs", `\\&` "&", `{{Deep}} Learning` "Deep Learning",
    `$\\alpha$` "α" and `--` "–". Values without a backslash or "$" skip pylatexenc,
    which is slow, and only lose their braces and ties.
    """
    value = unescape_entities(value)
    if _LATEX_MARKUP_RE.search(value) and len(value) <= MAX_LATEX_LEN:
        text = _decode_latex(value)
    else:
        text = _strip_markup(value)
    return " ".join(text.split())


@lru_cache(maxsize=LATEX_CACHE_SIZE)
def _decode_latex(value: str) -> str:
    """pylatexenc's reading of `value`; markup stripped if pylatexenc fails on it.

    A bare "%", "&" or "#" in BibTeX is that character, not a LaTeX comment, column
    or parameter (pylatexenc would drop them), so they are escaped first.
    """
    try:
        escaped = _BARE_SPECIAL_RE.sub(r"\\\1", value)
        return str(_latex_decoder().latex_to_text(escaped))
    except Exception:  # pylatexenc on hostile input (deep nesting, odd macros)
        return _strip_markup(value)


def _strip_markup(value: str) -> str:
    for markup, char in _PLAIN_MARKUP:
        if markup in value:
            value = value.replace(markup, char)
    return value.translate(_BRACES_AND_TIES)


@cache
def _latex_decoder() -> LatexNodes2Text:
    """pylatexenc's converter: math as text ("$\\alpha$" as "α"), `\\url{x}` as x."""
    from pylatexenc.latex2text import (
        LatexNodes2Text,
        MacroTextSpec,
        get_default_latex_context_db,
    )

    context = get_default_latex_context_db()
    context.add_context_category(
        "factcheck-bibtex", prepend=True, macros=[MacroTextSpec("url", simplify_repl="%s")]
    )
    return LatexNodes2Text(latex_context=context, math_mode="text")
