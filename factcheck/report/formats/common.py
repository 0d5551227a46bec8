"""Wording every report format shares: a status's symbol and label, how a differing field
reads and what a source was found to hold.

One place for these, so that the terminal, Markdown, SARIF and the annotated text say the
same thing the same way.
"""

from __future__ import annotations

from typing import Any

from ...inputs import STDIN
from ...model import FieldDiff, Fields, Finding, Kind, Record, Report, Status
from ...safetext import safe_line
from ..render import clip

STATUS_SYMBOL = {
    Status.VERIFIED: "✓",
    Status.MISMATCH: "⚠",
    Status.NOT_FOUND: "✗",
    Status.UNVERIFIABLE: "?",
}
STATUS_LABEL = {
    Status.VERIFIED: "verified",
    Status.MISMATCH: "mismatch",
    Status.NOT_FOUND: "not found",
    Status.UNVERIFIABLE: "unverifiable",
}
# How long a claimed or found value may get inside a sentence or a marker.
MAX_VALUE_CHARS = 60
# Authors named in a one-line description of a record; the rest become "et al.".
NAMED_AUTHORS = 3
EMPTY_VALUE = "—"
STDIN_NAME = "<stdin>"
NO_PATH = "<text>"
ARROW = "→"

# How an identifier reads in front of its value.
IDENTIFIER_PREFIX = {
    Kind.DOI: "doi:",
    Kind.ARXIV: "arXiv:",
    Kind.PMID: "PMID ",
    Kind.PMCID: "",
    Kind.ISBN: "ISBN ",
}


def display_path(path: str | None) -> str:
    """How a report names its file: stdin as `<stdin>`, a text without a file as `<text>`."""
    if path is None:
        return NO_PATH
    return STDIN_NAME if path == STDIN else safe_line(path)


def shown(report: Report, *, verbose: bool) -> list[Finding]:
    """The findings a report lists: the problems, and the verified ones too when verbose."""
    return [f for f in report.items if verbose or f.verdict.status is not Status.VERIFIED]


def value_text(value: Any, limit: int = MAX_VALUE_CHARS) -> str:
    """A claimed or found value on one line; a list of names as their family names."""
    if value is None or value == "" or value == []:
        return EMPTY_VALUE
    if isinstance(value, list):
        return clip(", ".join(_family(str(name)) for name in value), limit)
    return clip(str(value), limit)


def diff_phrase(diff: FieldDiff, limit: int = MAX_VALUE_CHARS) -> str:
    """`year 2019 → 2020`, or `title “A” → “B”`: the field, then claimed, then found."""
    claimed, found = _quoted(diff.claimed, limit), _quoted(diff.found, limit)
    return f"{diff.field} {claimed} {ARROW} {found}"


def found_text(record: Record) -> str:
    """What a source holds, on one line: `Authors et al. (year). Title. Venue volume. doi:…`,
    or for a web page its HTTP status, final address and title."""
    if record.http:
        title = record.http.get("title")
        parts = [f"HTTP {record.http.get('status')}", record.http.get("final_url") or record.url]
        return " ".join(str(p) for p in [*parts, f"“{title}”" if title else None] if p)
    fields = record.fields
    head = " ".join(p for p in (_authors(fields), f"({fields.year})" if fields.year else "") if p)
    venue = " ".join(p for p in (fields.container, fields.volume) if p)
    return ". ".join(p for p in (head, fields.title, venue, identifier_text(fields)) if p)


def identifier_text(fields: Fields) -> str:
    """The identifier as it is usually written (`doi:10.1/x`, `arXiv:2101.00001`), or the URL."""
    identifier = fields.identifier()
    if identifier is None:
        return fields.url or ""
    kind, value = identifier
    return IDENTIFIER_PREFIX[kind] + value


def _authors(fields: Fields) -> str:
    names = [a.family or a.name or "" for a in fields.authors[:NAMED_AUTHORS]]
    named = ", ".join(n for n in names if n)
    return named + " et al." if len(fields.authors) > NAMED_AUTHORS else named


def _family(name: str) -> str:
    """ "Smith, J." → "Smith"; an organisation's name stays whole."""
    return name.split(",", 1)[0].strip()


def _quoted(value: Any, limit: int) -> str:
    text = value_text(value, limit)
    return f"“{text}”" if isinstance(value, str) and " " in text else text
