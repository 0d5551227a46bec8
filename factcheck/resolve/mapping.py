"""Shared mapping from source payloads to `Fields`: CSL-like records, dates, names.

Crossref's work message and CSL-JSON (what doi.org content negotiation returns, from Crossref
or DataCite) are close relatives: the same keys, except that Crossref holds `title` and
`container-title` as lists and organisations as `name` where CSL says `literal`. One mapper
reads both. Payloads are untrusted: every helper accepts any JSON value and returns None (or
nothing) for a shape it does not know, rather than raising.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from ..model import Author, Fields

# Where a year may sit in a CSL-like record, most meaningful first: `issued` is the
# bibliographic date; `created` (the deposit date) is the last resort.
YEAR_KEYS = ("issued", "published", "published-print", "published-online", "posted", "created")
# The first four-digit number in a free-text date ("2019 Mar 5", "March 2009", "2017-06-12T…").
YEAR_RE = re.compile(r"(?<!\d)(\d{4})(?!\d)")
MIN_YEAR, MAX_YEAR = 1000, 2999

# Where a CSL-like record names its venue, besides `event` (see `venue_names`).
VENUE_KEYS = (
    "container-title",
    "short-container-title",
    "container-title-short",
    "collection-title",
)

# Crossref update types (in `updated-by` / `update-to`) and the flag each earns a record.
RETRACTED = "retracted"
UPDATE_FLAGS = {
    "retraction": RETRACTED,
    "withdrawal": RETRACTED,
    "removal": RETRACTED,
    "partial_retraction": "partially_retracted",
    "expression_of_concern": "expression_of_concern",
}
# The flag for the notice itself, when its `update-to` points at a retracted work.
NOTICE_FLAG = "retraction_notice"


def text(value: Any) -> str | None:
    """A clean string from a string, a number, or the first item of a list; None if empty."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    cleaned = " ".join(str(value).split())
    return cleaned or None


def year_in(value: Any) -> int | None:
    """The year in a free-text date, if it holds a plausible one."""
    found = YEAR_RE.search(value) if isinstance(value, str) else None
    year = int(found.group(1)) if found else None
    return year if year is not None and MIN_YEAR <= year <= MAX_YEAR else None


def year_of_date(date: Any) -> int | None:
    """The year of a CSL date: `{"date-parts": [[y, m, d]]}`, or its `raw` / `literal` text.

    Crossref writes unknown dates as `[[null]]`, and some sources write parts as strings.
    """
    if not isinstance(date, Mapping):
        return None
    parts = date.get("date-parts")
    if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
        head = parts[0][0]
        if isinstance(head, int) and not isinstance(head, bool):
            return head if MIN_YEAR <= head <= MAX_YEAR else None
        if isinstance(head, str):
            return year_in(head)
    return year_in(date.get("raw")) or year_in(date.get("literal"))


def first_year(record: Mapping[str, Any], keys: Iterable[str] = YEAR_KEYS) -> int | None:
    """The year of the first of `keys` that holds a usable date."""
    for key in keys:
        year = year_of_date(record.get(key))
        if year is not None:
            return year
    return None


def csl_author(person: Any) -> Author | None:
    """An Author from a Crossref or CSL name; organisations come as `name` or `literal`."""
    if not isinstance(person, Mapping):
        return None
    family = text(person.get("family"))
    particle = text(person.get("non-dropping-particle"))
    if family and particle:
        family = f"{particle} {family}"
    given = text(person.get("given"))
    if family or given:
        return Author(family=family, given=given)
    name = text(person.get("name")) or text(person.get("literal"))
    return Author(name=name) if name else None


def csl_authors(people: Any) -> list[Author]:
    if not isinstance(people, list):
        return []
    return [a for a in (csl_author(p) for p in people) if a is not None]


def publisher_of(value: Any) -> str | None:
    """Publisher as a string; some CSL writers give `{"name": …}`."""
    if isinstance(value, Mapping):
        return text(value.get("name"))
    return text(value)


def csl_fields(record: Mapping[str, Any]) -> Fields:
    """Fields from a Crossref work message or a CSL-JSON item."""
    container = text(record.get("container-title"))
    return Fields(
        title=text(record.get("title")),
        authors=csl_authors(record.get("author")),
        year=first_year(record),
        container=container,
        container_aliases=[name for name in venue_names(record) if name != container],
        volume=text(record.get("volume")),
        issue=text(record.get("issue")),
        pages=text(record.get("page")),
        publisher=publisher_of(record.get("publisher")),
        doi=text(record.get("DOI")),
        url=text(record.get("URL")),
        isbn=text(record.get("ISBN")),
        type=text(record.get("type")),
    )


def venue_names(record: Mapping[str, Any]) -> list[str]:
    """Every name a CSL-like record gives its venue, each once, the container title first:
    all of Crossref's `container-title`s (a book and its series), `short-container-title`
    (CSL: `container-title-short`), `collection-title`, and the proceedings' `event`: an
    object with `name` and `acronym` in Crossref, the event's name as a string in CSL."""
    event = record.get("event")
    found: list[str] = []
    for key in VENUE_KEYS:
        found += strings(record.get(key))
    if isinstance(event, Mapping):
        found += strings(event.get("name")) + strings(event.get("acronym"))
    else:
        found += strings(event)
    return list(dict.fromkeys(found))


def strings(value: Any) -> list[str]:
    """The clean strings of a string or a list of them (anything else is ignored)."""
    values = value if isinstance(value, list) else [value]
    return [s for s in (text(v) for v in values if not isinstance(v, list)) if s]


def update_flags(record: Mapping[str, Any]) -> list[str]:
    """Flags for retractions and the like, from Crossref's `updated-by` and `update-to`.

    `updated-by` lists the notices that update this work (so a retraction there means this
    work is retracted). `update-to` lists the works this record updates: a retraction there
    means this record is the retraction notice. A `new_version` pointing at itself (as PLOS
    deposits) is not a notice.
    """
    flags = [
        UPDATE_FLAGS[kind]
        for kind in _update_types(record.get("updated-by"))
        if kind in UPDATE_FLAGS
    ]
    if any(UPDATE_FLAGS.get(kind) == RETRACTED for kind in _update_types(record.get("update-to"))):
        flags.append(NOTICE_FLAG)
    return sorted(set(flags))


def _update_types(updates: Any) -> list[str]:
    if not isinstance(updates, list):
        return []
    kinds = (text(u.get("type")) for u in updates if isinstance(u, Mapping))
    return [kind.lower() for kind in kinds if kind]
