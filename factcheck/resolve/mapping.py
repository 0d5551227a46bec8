"""Shared mapping from source payloads to `Fields`: CSL-like records, dates, names.

Crossref's work message and CSL-JSON (what doi.org content negotiation returns, from Crossref
or DataCite) are close relatives: the same keys, except that Crossref holds `title` and
`container-title` as lists and organisations as `name` where CSL says `literal`. One mapper
reads both. Payloads are untrusted: every helper accepts any JSON value and returns None (or
nothing) for a shape it does not know, rather than raising, and every string passes
`safetext.safe_line` (no terminal control sequences, one line).

A value of the wrong type is no evidence: `title: 12345`, `author: {}`, an author list of
strings or `issued: "x"` say that the answer is not the record the API promises, and read
as if absent they would let a broken answer confirm or contradict a claim. So each source
states the types of the fields it reads (a shape: `CSL_SHAPE` here, the others next to
their mappers), and `require_shape` refuses a record that breaks it (BadResponse: the
lookup FAILED, the claim `unverifiable`). `null` counts as absent.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ..errors import BadResponse
from ..flags import EXPRESSION_OF_CONCERN, PARTIALLY_RETRACTED, RETRACTED, RETRACTION_NOTICE
from ..ids import doi_link
from ..model import Author, Fields, Notice
from ..safetext import safe_line

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
UPDATE_FLAGS = {
    "retraction": RETRACTED,
    "withdrawal": RETRACTED,
    "removal": RETRACTED,
    "partial_retraction": PARTIALLY_RETRACTED,
    "expression_of_concern": EXPRESSION_OF_CONCERN,
}


# --- shapes: the types a source's fields must have -----------------------------------------

Check = Callable[[Any], bool]
Shape = Mapping[str, Check]


def is_text(value: Any) -> bool:
    """A string."""
    return isinstance(value, str)


def is_number(value: Any) -> bool:
    """A string or a number (CSL writes volume, issue and page either way); not a boolean."""
    return isinstance(value, (str, int, float)) and not isinstance(value, bool)


def is_flag(value: Any) -> bool:
    """A boolean."""
    return isinstance(value, bool)


def is_texts(value: Any) -> bool:
    """A string, or a list of strings (Crossref's titles, ISBNs)."""
    return is_text(value) or list_of(is_text)(value)


def list_of(check: Check) -> Check:
    """A list whose every item passes `check`."""
    return lambda value: isinstance(value, list) and all(check(item) for item in value)


def shaped(shape: Shape) -> Check:
    """An object whose fields keep to `shape`."""
    return lambda value: isinstance(value, Mapping) and not wrong_typed(value, shape)


def one_or_list(check: Check) -> Check:
    """One item, or a list of them (DBLP writes a single author or venue without a list)."""
    return lambda value: check(value) or list_of(check)(value)


def is_date(value: Any) -> bool:
    """A CSL date: `date-parts` a list of lists of numbers, strings or nulls; `raw` and
    `literal` strings."""
    return shaped(DATE_SHAPE)(value)


def wrong_typed(record: Mapping[str, Any], shape: Shape) -> list[str]:
    """The fields of `record` that are present (not null) with a type `shape` does not allow."""
    return [
        key
        for key, check in shape.items()
        if record.get(key) is not None and not check(record[key])
    ]


def require_shape(record: Mapping[str, Any], shape: Shape, source: str) -> None:
    """BadResponse when a field of the record has the wrong type (see the module docstring)."""
    wrong = wrong_typed(record, shape)
    if wrong:
        raise BadResponse(
            f"{source} answered a record whose {', '.join(wrong)} "
            f"{'has' if len(wrong) == 1 else 'have'} the wrong type"
        )


def _is_date_part(value: Any) -> bool:
    """A year, month or day: a number, a string, or null (Crossref's unknown date)."""
    return value is None or is_number(value)


DATE_SHAPE: Shape = {
    "date-parts": list_of(list_of(_is_date_part)),
    "raw": is_text,
    "literal": is_text,
}
# The parts of a CSL or Crossref name that `csl_author` reads.
NAME_SHAPE: Shape = {
    key: is_text for key in ("family", "given", "name", "literal", "non-dropping-particle")
}
# What `csl_fields` reads of a Crossref work message or a CSL-JSON item.
CSL_SHAPE: Shape = {
    "title": is_texts,
    "container-title": is_texts,
    "author": list_of(shaped(NAME_SHAPE)),
    **{key: is_date for key in YEAR_KEYS},
    "volume": is_number,
    "issue": is_number,
    "page": is_number,
    "publisher": lambda value: is_text(value) or shaped({"name": is_text})(value),
    "DOI": is_text,
    "URL": is_text,
    "ISBN": is_texts,
    "type": is_text,
}


# --- values ---------------------------------------------------------------------------------


def text(value: Any) -> str | None:
    """A clean string from a string, a number, or the first item of a list; None if empty.
    Control sequences and characters are removed, and whitespace runs become one space."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    cleaned = safe_line(str(value))
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
    """The authors of a CSL `author` list; anything that is not a list gives none, and an entry that
    names nobody is left out."""
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
        flags.append(RETRACTION_NOTICE)
    return sorted(set(flags))


def update_notices(record: Mapping[str, Any]) -> list[Notice]:
    """The notices of Crossref's `updated-by` that earn a flag (`UPDATE_FLAGS`: retractions,
    withdrawals, expressions of concern), each with its date (`updated`), the notice's DOI and
    link, and who recorded it (`source`: the publisher, or Retraction Watch). Entries of
    another shape are left out: a notice is shown only as the registry wrote it."""
    updates = record.get("updated-by")
    notices: list[Notice] = []
    for update in updates if isinstance(updates, list) else []:
        if not isinstance(update, Mapping):
            continue
        kind = (text(update.get("type")) or "").lower()
        if kind not in UPDATE_FLAGS:
            continue
        doi = text(update.get("DOI"))
        notices.append(
            Notice(
                kind=kind,
                date=date_text(update.get("updated")),
                doi=doi,
                url=doi_link(doi) if doi else None,
                source=text(update.get("source")),
            )
        )
    return notices


def date_text(date: Any) -> str | None:
    """A CSL date as ISO text, as precise as its parts: "2010-02-06", "2010-02", "2010"."""
    parts = date.get("date-parts") if isinstance(date, Mapping) else None
    first = parts[0] if isinstance(parts, list) and parts and isinstance(parts[0], list) else []
    numbers: list[int] = []
    for part in first[:3]:
        if isinstance(part, bool) or not isinstance(part, int):
            break
        numbers.append(part)
    if not numbers or not MIN_YEAR <= numbers[0] <= MAX_YEAR:
        return None
    return "-".join([f"{numbers[0]:04d}", *(f"{n:02d}" for n in numbers[1:])])


def _update_types(updates: Any) -> list[str]:
    if not isinstance(updates, list):
        return []
    kinds = (text(u.get("type")) for u in updates if isinstance(u, Mapping))
    return [kind.lower() for kind in kinds if kind]
