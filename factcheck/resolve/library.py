"""A local source: the user's own BibTeX or CSL-JSON library, or an offline SQLite FTS5 index.

Every other source is an API on the network; this one answers from files, so factcheck can
run offline or air-gapped (an institution can mirror Crossref's dump into an index once and
check against it with no network at all). It does no HTTP: the `http` it is given is unused.

Inputs, recognised by suffix (`.gz` allowed around any of the text files):
- `.bib`: read by `extract.bibtex`; an entry that never closes or that bibtexparser rejects
  makes the whole file a ConfigError, since a half-read library would give wrong misses;
- `.json`: CSL-JSON, a list of items as Zotero or pandoc export them (an API envelope with
  `message` / `items` is unwrapped too); read by `mapping.csl_fields`;
- `.jsonl` / `.ndjson`: one Crossref work message, OpenAlex work or CSL item per line, as in
  Crossref's dumps and OpenAlex's works snapshot (`resolve/dumps.py`);
- `.xml`: DBLP's XML dump (`dblp.xml.gz`), streamed (`resolve/dumps.py`);
- `.sqlite` / `.sqlite3` / `.db`: an index written by `build_index` (`factcheck library build`),
  opened read-only in place, so a large mirror is never copied into memory.

The text files are loaded into one in-memory SQLite database on the first lookup, under a
lock: the Checker calls resolvers from a thread pool, and one connection per database,
shared under that lock, is enough (a lookup is a few indexed reads). A table `works` holds
each entry as JSON with exact-match columns for its DOI (`ids.doi_key`), arXiv id (without
version), PMID and ISBN, normalised as the API resolvers normalise them; an FTS5 table
`search` indexes title, authors and venue. A reference is searched by the words of its
claimed title, each one quoted as an FTS5 string, so no text can be read as query syntax
(`NEAR`, `*`, `-`, quotes, parentheses); the top hits by bm25 are then validated by
`candidates`, exactly as Crossref's search hits are. Each entry's key in its file is looked up
exactly too (`KEY_COLUMN`: the `acl` source keys the Anthology's works by their ids), and an
index keeps the first and last year of its works (`Library.years`: what a source built on it
can speak for).

A personal library holds only some works, so its misses prove nothing (`authoritative=False`)
and the other sources are asked next. `Config.library_complete` declares it exhaustive (an
air-gapped mirror): its misses then become authoritative.

Configuring `library` (`--library PATH`, `FACTCHECK_LIBRARY`) puts `library` first in
`sources` unless `sources` already names it (see `Config`): a user who points at a library
expects it to be used, and local answers are free, so it is asked before any API.

Bad input (a missing file, a malformed .bib, invalid JSON, a file that is no index) is a
ConfigError naming the file: raised when the Checker is built (missing files, unknown
formats) or at the first lookup (contents).
"""

from __future__ import annotations

import gzip
import json
import os
import re
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, BinaryIO, ClassVar, cast

from pydantic import BaseModel, Field

from ..compare.fields import MIN_TITLE_WORD, TITLE_STOP_WORDS
from ..errors import ConfigError
from ..extract.bibtex import ProblemCode, parse_bibtex
from ..extract.identifiers import classify_url, doi_fields
from ..ids import doi_key, doi_link, normalize_doi, normalize_pmid
from ..model import Citation, Fields, Kind, Notice, Record
from .base import Lookup
from .candidates import Hit
from .common import claimed_id, split_arxiv_id
from .dumps import dblp_records, is_openalex_work, openalex_record
from .mapping import csl_fields, text, update_flags, update_notices
from .openlibrary import normalize_isbn
from .searching import SearchResolver, SearchResult

if TYPE_CHECKING:
    from ..config import Config
    from ..net.http import Http

__all__ = [
    "INDEX_SUFFIXES",
    "Library",
    "LibraryResolver",
    "build_index",
    "read_entries",
    "write_index",
]

SOURCE = "library"
# How reasons name this source ("the library's search found …").
SOURCE_LABEL = "the library"

BIB_SUFFIXES = frozenset({".bib"})
CSL_SUFFIXES = frozenset({".json"})
JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson"})
DBLP_SUFFIXES = frozenset({".xml"})
INDEX_SUFFIXES = frozenset({".sqlite", ".sqlite3", ".db"})
GZIP_SUFFIX = ".gz"
TEXT_SUFFIXES = BIB_SUFFIXES | CSL_SUFFIXES | JSONL_SUFFIXES | DBLP_SUFFIXES
KNOWN_SUFFIXES = ", ".join(sorted(TEXT_SUFFIXES | INDEX_SUFFIXES))
ENCODING = "utf-8-sig"  # exports from Windows tools start with a byte-order mark

# What the index file says it is, so that another SQLite file is refused, not misread.
INDEX_FORMAT = "factcheck-library 1"
# BibTeX problems that mean the file was not read as written: the library would miss
# entries it holds. Duplicates, unknown types and the like are read as BibTeX reads them.
FATAL_BIBTEX_PROBLEMS = frozenset({ProblemCode.UNCLOSED, ProblemCode.SYNTAX})

# Search hits validated per reference: the cited work is nearly always in the top few by
# bm25 when the library holds it; more only adds comparisons.
SEARCH_HITS = 10
# Words of the claimed title sent to FTS5 at most: a title has a dozen; the rest is noise
# (or hostile input) that would only make the query slower.
MAX_QUERY_WORDS = 32
# Rows with the same identifier returned: the first is the record, as with any source.
IDENTIFIER_ROWS = 1

_WORD = re.compile(r"\w+")
# Zotero writes a preprint's arXiv id as its report number: "arXiv:1706.03762".
ARXIV_NUMBER_PREFIX = "arxiv:"
# CSL and Crossref keys for a journal's short name, compared as venue aliases.
SHORT_VENUE_KEYS = ("short-container-title", "container-title-short", "journalAbbreviation")
# Separators between the several ISBNs a CSL item may list.
_ISBN_LIST = re.compile(r"[,;]|\s{2,}")

SCHEMA = (
    "CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE works (id INTEGER PRIMARY KEY, key TEXT NOT NULL, doi TEXT, arxiv TEXT,"
    " pmid TEXT, isbn TEXT, entry TEXT NOT NULL)",
    "CREATE INDEX works_doi ON works (doi)",
    "CREATE INDEX works_arxiv ON works (arxiv)",
    "CREATE INDEX works_pmid ON works (pmid)",
    "CREATE INDEX works_isbn ON works (isbn)",
    "CREATE INDEX works_key ON works (key)",
    "CREATE VIRTUAL TABLE search USING fts5 (title, authors, venue, content='',"
    " tokenize='unicode61 remove_diacritics 2')",
)
INSERT_META = "INSERT OR REPLACE INTO meta (name, value) VALUES ('format', ?)"
SELECT_FORMAT = "SELECT value FROM meta WHERE name = 'format'"
# The years of the works indexed, kept by `write_index` (an index built before has none).
FIRST_YEAR, LAST_YEAR = "first_year", "last_year"
INSERT_YEAR = "INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)"
SELECT_YEARS = "SELECT name, value FROM meta WHERE name IN (?, ?)"
INSERT_WORK = "INSERT INTO works (key, doi, arxiv, pmid, isbn, entry) VALUES (?, ?, ?, ?, ?, ?)"
INSERT_SEARCH = "INSERT INTO search (rowid, title, authors, venue) VALUES (?, ?, ?, ?)"
# `column` comes from LOOKUP_COLUMNS only, never from input.
SELECT_BY_ID = "SELECT entry FROM works WHERE {column} = ? ORDER BY id LIMIT ?"
SELECT_MATCHES = (
    "SELECT works.entry FROM search JOIN works ON works.id = search.rowid"
    " WHERE search MATCH ? ORDER BY search.rank LIMIT ?"
)
IDENTIFIER_COLUMNS = ("doi", "arxiv", "pmid", "isbn")
# The entry's key in its file, also looked up exactly (a source that keys its works by
# their own ids: the ACL Anthology's, `resolve.acl`).
KEY_COLUMN = "key"
LOOKUP_COLUMNS = (*IDENTIFIER_COLUMNS, KEY_COLUMN)


class Entry(BaseModel):
    """One work of the library, as stored: its key in the file, fields, flags, notices (a
    retraction's date and link), venue names."""

    key: str = ""
    fields: Fields = Field(default_factory=Fields)
    flags: list[str] = Field(default_factory=list)
    notices: list[Notice] = Field(default_factory=list)
    venue_aliases: list[str] = Field(default_factory=list)

    def record(self, source: str = SOURCE) -> Record:
        """The entry as a Record of `source` (the `library`, or a source built on it)."""
        doi = self.fields.doi
        return Record(
            source=source,
            id=self.key or doi or "",
            fields=self.fields,
            url=doi_link(doi) if doi else self.fields.url,
            flags=list(self.flags),
            notices=list(self.notices),
        )


# --- identifiers, normalised as the API resolvers read them ---------------------------------


def arxiv_key(raw: str) -> str:
    """An arXiv id as the library indexes it: without version, lower case."""
    return split_arxiv_id(raw)[0].lower()


def _keys(fields: Fields) -> tuple[str | None, ...]:
    """The exact-match values of an entry, in IDENTIFIER_COLUMNS order."""
    return (
        doi_key(fields.doi) if fields.doi else None,
        arxiv_key(fields.arxiv) if fields.arxiv else None,
        normalize_pmid(fields.pmid) if fields.pmid else None,
        normalize_isbn(fields.isbn) if fields.isbn else None,
    )


def _probes(citation: Citation) -> list[tuple[str, str]]:
    """(column, value) pairs that hold the claimed identifier, tried in order. An arXiv
    DataCite DOI (10.48550/arXiv.…) is also looked for as the arXiv id it names."""
    if citation.kind is Kind.DOI:
        doi = normalize_doi(claimed_id(citation, "doi"))
        arxiv = doi_fields(doi).arxiv
        return [("doi", doi_key(doi)), *([("arxiv", arxiv_key(arxiv))] if arxiv else [])]
    if citation.kind is Kind.ARXIV:
        return [("arxiv", arxiv_key(claimed_id(citation, "arxiv")))]
    if citation.kind is Kind.PMID:
        return [("pmid", normalize_pmid(claimed_id(citation, "pmid")))]
    if citation.kind is Kind.ISBN:
        return [("isbn", normalize_isbn(claimed_id(citation, "isbn")))]
    return []


# --- reading the files ------------------------------------------------------------------------


def _format_suffix(path: Path) -> str:
    """The suffix that says what a file holds, looking through a `.gz`."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == GZIP_SUFFIX:
        suffixes.pop()
    return suffixes[-1] if suffixes else ""


def _check_file(path: Path, *, index_allowed: bool) -> None:
    suffix = _format_suffix(path)
    known = TEXT_SUFFIXES | (INDEX_SUFFIXES if index_allowed else set())
    if suffix not in known:
        raise ConfigError(
            f"library {path}: unknown format {suffix or '(no suffix)'!r}; "
            f"use one of {KNOWN_SUFFIXES}"
        )
    if not path.is_file():
        raise ConfigError(f"library {path}: no such file")


def _open_text(path: Path) -> IO[str]:
    if path.suffix.lower() == GZIP_SUFFIX:
        return gzip.open(path, "rt", encoding=ENCODING)
    return path.open(encoding=ENCODING)


def _open_bytes(path: Path) -> BinaryIO:
    if path.suffix.lower() == GZIP_SUFFIX:
        return cast(BinaryIO, gzip.open(path, "rb"))
    return path.open("rb")


def read_entries(path: Path) -> Iterator[Entry]:
    """The works of one .bib, CSL-JSON, JSONL or DBLP XML file; ConfigError naming the file
    if it cannot be read, is malformed, or holds no work at all."""
    _check_file(path, index_allowed=False)
    suffix = _format_suffix(path)
    count = 0
    try:
        if suffix in DBLP_SUFFIXES:  # bytes: the XML declares its own encoding
            with _open_bytes(path) as raw:
                for entry in _dblp_entries(path, raw):
                    count += 1
                    yield entry
        else:
            with _open_text(path) as handle:
                for entry in _text_entries(path, suffix, handle):
                    count += 1
                    yield entry
    except (OSError, UnicodeDecodeError, EOFError) as exc:
        raise ConfigError(f"library {path}: cannot be read: {exc}") from exc
    if not count:
        raise ConfigError(f"library {path}: holds no reference")


def _text_entries(path: Path, suffix: str, handle: IO[str]) -> Iterable[Entry]:
    if suffix in BIB_SUFFIXES:
        return _bib_entries(path, handle.read())
    if suffix in CSL_SUFFIXES:
        return _json_entries(path, handle.read())
    return _jsonl_entries(path, handle)


def _bib_entries(path: Path, content: str) -> list[Entry]:
    result = parse_bibtex(content)
    fatal = [p for p in result.problems if p.code in FATAL_BIBTEX_PROBLEMS]
    if fatal:
        first = fatal[0]
        line = content.count("\n", 0, first.start) + 1
        key = f" (entry {first.key})" if first.key else ""
        more = f"; and {len(fatal) - 1} more problem(s)" if len(fatal) > 1 else ""
        raise ConfigError(
            f"library {path}: malformed BibTeX at line {line}{key}: {first.message}{more}"
        )
    return [Entry(key=e.key, fields=e.citation.fields) for e in result.entries]


def _json_entries(path: Path, content: str) -> list[Entry]:
    try:
        payload = json.loads(content)
    except (ValueError, RecursionError) as exc:
        raise ConfigError(f"library {path}: invalid JSON: {exc}") from exc
    return [e for e in (csl_entry(item) for item in _items(path, payload)) if e is not None]


def _jsonl_entries(path: Path, lines: Iterable[str]) -> Iterator[Entry]:
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            payload = json.loads(line)
        except (ValueError, RecursionError) as exc:
            raise ConfigError(f"library {path}: invalid JSON on line {number}: {exc}") from exc
        for item in _items(path, payload):
            entry = _json_entry(item)
            if entry is not None:
                yield entry


def _dblp_entries(path: Path, handle: IO[bytes]) -> Iterator[Entry]:
    for key, record in dblp_records(handle, str(path)):
        entry = record_entry(key, record)
        if entry is not None:
            yield entry


def _json_entry(item: Any) -> Entry | None:
    """An Entry from one object of a JSON Lines dump: an OpenAlex work, a Crossref work
    message or a CSL item."""
    if is_openalex_work(item):
        record = openalex_record(item)
        return record_entry(record.id, record)
    return csl_entry(item)


def record_entry(key: str, record: Record) -> Entry | None:
    """An Entry from a source's Record (a DBLP or OpenAlex dump); None if it names no work."""
    fields = record.fields
    if not fields.title and fields.identifier() is None:
        return None
    return Entry(key=key, fields=fields, flags=list(record.flags), notices=list(record.notices))


def _items(path: Path, payload: Any) -> list[Any]:
    """The works of a JSON document: a list of items, an API envelope (`message`, `items`),
    or one item."""
    if isinstance(payload, dict):
        payload = payload.get("message", payload)
    if isinstance(payload, dict) and isinstance(payload.get("items"), list):
        payload = payload["items"]
    if isinstance(payload, dict):
        payload = [payload]
    if not isinstance(payload, list):
        raise ConfigError(
            f"library {path}: expected CSL-JSON items, found {type(payload).__name__}"
        )
    return payload


def csl_entry(item: Any) -> Entry | None:
    """An Entry from a CSL-JSON item or Crossref work message; None if it names no work."""
    if not isinstance(item, dict):
        return None
    fields = csl_fields(item)
    fields.isbn = _first_isbn(fields.isbn)
    fields.pmid = text(item.get("PMID"))
    fields.pmcid = text(item.get("PMCID"))
    fields.arxiv = _csl_arxiv(item, fields)
    if not fields.title and fields.identifier() is None:
        return None
    aliases = [alias for key in SHORT_VENUE_KEYS if (alias := text(item.get(key)))]
    return Entry(
        key=text(item.get("id")) or fields.doi or "",
        fields=fields,
        flags=update_flags(item),
        notices=update_notices(item),
        venue_aliases=aliases,
    )


def _first_isbn(isbns: str | None) -> str | None:
    first = _ISBN_LIST.split(isbns)[0].strip() if isbns else ""
    return first or None


def _csl_arxiv(item: dict[str, Any], fields: Fields) -> str | None:
    """The arXiv id an item names: by arXiv's DataCite DOI, an arxiv.org URL or its number."""
    if fields.doi and (arxiv := doi_fields(fields.doi).arxiv):
        return arxiv
    if fields.url and (arxiv := classify_url(fields.url)[1].arxiv):
        return arxiv
    number = text(item.get("number")) or ""
    if number.lower().startswith(ARXIV_NUMBER_PREFIX):
        return number[len(ARXIV_NUMBER_PREFIX) :].strip() or None
    return None


# --- the database -----------------------------------------------------------------------------


def _create(target: str) -> sqlite3.Connection:
    connection = sqlite3.connect(target, check_same_thread=False)
    with connection:
        for statement in SCHEMA:
            connection.execute(statement)
        connection.execute(INSERT_META, (INDEX_FORMAT,))
    return connection


def _insert(connection: sqlite3.Connection, entries: Iterable[Entry]) -> int:
    """Add entries in one transaction, and widen the years kept in `meta` to theirs; how
    many were added."""
    count = 0
    years: set[int] = set()
    with connection:
        for entry in entries:
            fields = entry.fields
            stored = entry.model_dump_json(exclude_defaults=True)
            cursor = connection.execute(INSERT_WORK, (entry.key, *_keys(fields), stored))
            authors = " ".join(
                a.name or f"{a.family or ''} {a.given or ''}" for a in fields.authors
            )
            venue = " ".join(v for v in (fields.container, *entry.venue_aliases) if v)
            connection.execute(INSERT_SEARCH, (cursor.lastrowid, fields.title, authors, venue))
            count += 1
            if fields.year:
                years.add(fields.year)
        if years:
            _widen_years(connection, min(years), max(years))
    return count


def _widen_years(connection: sqlite3.Connection, first: int, last: int) -> None:
    """Keep in `meta` the years from `first` to `last`, with those already kept."""
    known = _years(connection)
    if known is not None:
        first, last = min(first, known[0]), max(last, known[1])
    connection.execute(INSERT_YEAR, (FIRST_YEAR, str(first)))
    connection.execute(INSERT_YEAR, (LAST_YEAR, str(last)))


def _years(connection: sqlite3.Connection) -> tuple[int, int] | None:
    """The first and last year of the works of a database, if it keeps them."""
    kept = dict(connection.execute(SELECT_YEARS, (FIRST_YEAR, LAST_YEAR)).fetchall())
    try:
        return int(kept[FIRST_YEAR]), int(kept[LAST_YEAR])
    except (KeyError, ValueError):
        return None


def _open_index(path: Path) -> sqlite3.Connection:
    """An index file, read-only, after checking that `build_index` wrote it."""
    try:
        connection = sqlite3.connect(
            f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False
        )
        row = connection.execute(SELECT_FORMAT).fetchone()
    except sqlite3.Error as exc:
        raise ConfigError(
            f"library {path}: not a factcheck library index ({exc}); "
            "build one with `factcheck library build`"
        ) from exc
    if row is None or row[0] != INDEX_FORMAT:
        connection.close()
        raise ConfigError(
            f"library {path}: index format {row and row[0]!r}, "
            f"expected {INDEX_FORMAT!r}; rebuild it with `factcheck library build`"
        )
    return connection


def build_index(sources: Iterable[Path], out: Path) -> int:
    """Read .bib, CSL-JSON, JSONL (Crossref or OpenAlex works) and DBLP XML files into one
    SQLite FTS5 index at `out`, for use as a library (`--library out.sqlite`); the number of
    works indexed.

    The index is written beside `out` and moved into place only once complete, so a failed
    build (ConfigError naming the bad file) leaves any earlier index as it was."""
    paths = [Path(source) for source in sources]
    for path in paths:
        _check_file(path, index_allowed=False)
    return write_index((entry for path in paths for entry in read_entries(path)), out)


def write_index(entries: Iterable[Entry], out: Path) -> int:
    """Write `entries` into a new SQLite FTS5 index at `out` (see `build_index`), with the
    first and last year of their works; the number of works indexed. Atomic: the index is
    written beside `out` and moved into place only once every entry is in, so an error
    raised while reading them leaves any earlier index as it was."""
    out = Path(out)
    if out.suffix.lower() not in INDEX_SUFFIXES:
        raise ConfigError(f"index {out}: name it with one of {', '.join(sorted(INDEX_SUFFIXES))}")
    partial = out.with_name(out.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        connection = _create(str(partial))
        try:
            count = _insert(connection, entries)
        finally:
            connection.close()
        os.replace(partial, out)
    except sqlite3.Error as exc:
        raise ConfigError(f"index {out}: cannot be written: {exc}") from exc
    finally:
        partial.unlink(missing_ok=True)
    return count


def _fts_query(title: str) -> str | None:
    """An FTS5 query for works titled like `title`: its content words, each quoted as a
    string (so no word is ever query syntax), any of them; None if it has no words."""
    words = list(dict.fromkeys(w.lower() for w in _WORD.findall(title)))
    content = [w for w in words if len(w) >= MIN_TITLE_WORD and w not in TITLE_STOP_WORDS]
    chosen = (content or words)[:MAX_QUERY_WORDS]
    if not chosen:
        return None
    return "title : (" + " OR ".join(f'"{word}"' for word in chosen) + ")"


class Library:
    """The library's databases, opened on first use; thread-safe (one lock for all reads)."""

    def __init__(self, paths: Iterable[Path]) -> None:
        self.paths = tuple(Path(p) for p in paths)
        if not self.paths:
            raise ConfigError("the library source needs at least one file (--library PATH)")
        for path in self.paths:
            _check_file(path, index_allowed=True)
        self._lock = threading.Lock()
        self._databases: list[sqlite3.Connection] | None = None
        self._error: ConfigError | None = None

    def by_identifier(self, probes: list[tuple[str, str]]) -> Entry | None:
        """The first entry holding one of the (column, value) identifiers, in the order given
        (a column of IDENTIFIER_COLUMNS, or the entry's key)."""
        for column, value in probes:
            if column not in LOOKUP_COLUMNS:
                raise ValueError(f"not an identifier column: {column}")
            for row in self._query(SELECT_BY_ID.format(column=column), (value, IDENTIFIER_ROWS)):
                return Entry.model_validate_json(row[0])
        return None

    def search(self, title: str) -> list[Entry]:
        """The entries whose title matches `title` best, by full-text search."""
        query = _fts_query(title)
        if query is None:
            return []
        rows = self._query(SELECT_MATCHES, (query, SEARCH_HITS))
        return [Entry.model_validate_json(row[0]) for row in rows]

    def hits(self, title: str, source: str = SOURCE) -> list[Hit]:
        """The search hits for `title` (`search`), as Records of `source`, for `decide`."""
        return [Hit(entry.record(source), entry.venue_aliases) for entry in self.search(title)]

    def years(self) -> tuple[int, int] | None:
        """The first and last year of the works held, when every database keeps them (an
        index built before they were kept does not)."""
        with self._lock:
            kept = [_years(database) for database in self._open()]
        if not kept or None in kept:
            return None
        spans = [span for span in kept if span is not None]
        return min(first for first, _ in spans), max(last for _, last in spans)

    def close(self) -> None:
        """Close the databases opened so far (a later lookup opens them again)."""
        with self._lock:
            for database in self._databases or []:
                database.close()
            self._databases = None

    def _query(self, sql: str, params: tuple[Any, ...]) -> list[Any]:
        with self._lock:
            rows: list[Any] = []
            for database in self._open():
                rows += database.execute(sql, params).fetchall()
            return rows

    def _open(self) -> list[sqlite3.Connection]:
        """The databases, loading the files the first time (called under the lock). A load
        that failed fails again at every lookup, with the same error."""
        if self._error is not None:
            raise self._error
        if self._databases is None:
            try:
                self._databases = self._load()
            except ConfigError as exc:
                self._error = exc
                raise
        return self._databases

    def _load(self) -> list[sqlite3.Connection]:
        databases: list[sqlite3.Connection] = []
        texts = [p for p in self.paths if _format_suffix(p) not in INDEX_SUFFIXES]
        if texts:
            memory = _create(":memory:")
            for path in texts:
                _insert(memory, read_entries(path))
            databases.append(memory)
        databases += [_open_index(p) for p in self.paths if _format_suffix(p) in INDEX_SUFFIXES]
        return databases


class LibraryResolver(SearchResolver):
    """Looks citations up in the user's own library files; no network."""

    name: ClassVar[str] = SOURCE
    label: ClassVar[str] = SOURCE_LABEL
    kinds: ClassVar[frozenset[Kind]] = frozenset(
        {Kind.DOI, Kind.ARXIV, Kind.PMID, Kind.ISBN, Kind.REFERENCE}
    )

    def __init__(self, http: Http, config: Config) -> None:
        self.config = config
        self.library = Library(config.library)

    def lookup(self, citation: Citation) -> Lookup:
        """FOUND with the library's entry, or MISSING (authoritative only for a complete
        library); a database that fails mid-run gives FAILED. ConfigError if the files
        cannot be loaded."""
        try:
            if citation.kind is Kind.REFERENCE:
                return self.search(citation)
            return self._identifier(citation)
        except sqlite3.Error as exc:
            return Lookup.failed(self.name, f"the library could not be read: {exc}")

    def _identifier(self, citation: Citation) -> Lookup:
        probes = _probes(citation)
        if not probes or not probes[0][1]:
            return self._missing(f"the library cannot look up {citation.raw!r}")
        entry = self.library.by_identifier(probes)
        if entry is not None:
            return Lookup.found(self.name, entry.record())
        return self._missing(f"the library holds no work with {citation.kind.value} {probes[0][1]}")

    def search_query(self, citation: Citation) -> str:
        """The claimed title, whose words the full-text search takes (`Library.search`)."""
        return citation.fields.title or ""

    def search_hits(self, query: str, citation: Citation) -> SearchResult:
        """The entries whose titles match best."""
        hits = self.library.hits(query)
        return SearchResult(hits, len(hits))

    def covers(self, fields: Fields) -> bool:
        """Only a library declared complete (`Config.library_complete`) holds every work."""
        return self.config.library_complete

    def _missing(self, reason: str) -> Lookup:
        return Lookup.missing(self.name, reason, authoritative=self.config.library_complete)
