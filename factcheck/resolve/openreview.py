"""OpenReview: the papers of ICLR and the other venues reviewed there, which mint no DOI,
searched for references by title through API v2.

`GET {url}/notes/search?term=<title words>&source=forum&limit=5` answers `{"notes": [note,
…], "count": N}`: the submissions (`source=forum`: not their reviews and comments) best
matching the words. A v2 note holds its fields as `content.<name>.value`: `title`, `authors`
(a list of names), `venue` ("ICLR 2024 oral", "Submitted to ICLR 2024"), `venueid`
("ICLR.cc/2024/Conference", or ".../Rejected_Submission", ".../Withdrawn_Submission"), with
`id`, `forum` and dates in milliseconds (`pdate` published, `cdate` created). API v1 notes
(api.openreview.net) hold the values bare; both are read. An answer without `notes` is
FAILED, never "no hits".

A submission that was not accepted is still a note: its record keeps OpenReview's own
venue ("Submitted to ICLR 2024") and the type `manuscript`, so that a reference claiming
it appeared at ICLR is compared with where it really stands, never confirmed by it.

What its silence proves (`covers`). OpenReview holds every submission of the venues it runs,
and API v2 those from the year each moved to it; other venues are there only in part. So a
miss is evidence only for a paper claimed at one of `COVERED_VENUES` in or after the year
given there (ICLR and COLM from 2024), with its title; elsewhere it proves nothing.

Limits and key. Guests may send about 20 requests a minute (OpenReview's maintainers, 2025),
so we start one every three seconds, one at a time (`LIMIT`). A token (`FACTCHECK_OPENREVIEW_KEY`,
sent as `Authorization: Bearer`) is optional; a user whose token allows more sets `rate`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from ..compare.venues import venue_score
from ..ids import path_segment
from ..model import Citation, Fields, Kind, Record
from ..net.limits import Limit
from .arxiv import split_name
from .candidates import Hit, title_words
from .mapping import Check, Shape, is_number, is_text, list_of, shaped, text, year_in
from .searching import JsonSearch, SearchingResolver, SearchRequest, SearchResult, items_at

if TYPE_CHECKING:
    import requests

DEFAULT_URL = "https://api2.openreview.net"
SEARCH_PATH = "/notes/search"
# Submissions only, not the replies to them.
FORUM_SOURCE = "forum"
# Guests: about 20 requests a minute (see the module docstring).
LIMIT = Limit(rate=1 / 3, concurrency=1)
# Hits asked for: a title search rarely has its right answer below the top five.
SEARCH_LIMIT = 5
LABEL = "OpenReview"
FORUM_PAGE = "https://openreview.net/forum?id="
AUTHORIZATION = "Authorization"
# Venues whose every submission API v2 holds, and the first year it holds them, as names a
# claim may give (`venues.venue_score` matches the acronym and the written-out name).
COVERED_VENUES: Mapping[tuple[str, ...], int] = {
    ("ICLR", "International Conference on Learning Representations"): 2024,
    ("COLM", "Conference on Language Modeling"): 2024,
}
# A `venueid` whose last part says the paper was not accepted (or not yet decided).
NOT_ACCEPTED = re.compile(r"(?:^|/)[A-Za-z_]*Submission$")
# Words of a `venueid` that make an accepted paper a conference paper.
CONFERENCE_WORDS = ("Conference", "Workshop")
CONFERENCE_PAPER = "paper-conference"
NOT_ACCEPTED_TYPE = "manuscript"
MILLISECONDS = 1000


def _field(check: Check) -> Check:
    """A content field: `{"value": …}` in API v2, the value itself in v1."""
    return lambda value: check(value) or shaped({"value": check})(value)


NOTE_SHAPE: Shape = {
    "id": is_text,
    "forum": is_text,
    "pdate": is_number,
    "cdate": is_number,
    "content": shaped(
        {
            "title": _field(is_text),
            "authors": _field(list_of(is_text)),
            "venue": _field(is_text),
            "venueid": _field(is_text),
        }
    ),
}


class OpenReviewResolver(SearchingResolver):
    """Searches OpenReview for references by title: ICLR and the venues reviewed there."""

    name = "openreview"
    label = LABEL
    kinds = frozenset({Kind.REFERENCE})
    default_url = DEFAULT_URL
    limit = LIMIT

    def search_query(self, citation: Citation) -> str:
        """The claimed title's words."""
        return title_words(citation.fields.title)

    def search_request(self, query: str) -> SearchRequest:
        """`notes/search?term=…` among the submissions, with the key when one is set."""
        params = {"term": query, "source": FORUM_SOURCE, "limit": str(SEARCH_LIMIT)}
        key = self.settings.key
        headers = {AUTHORIZATION: f"Bearer {key.get_secret_value()}"} if key else {}
        return SearchRequest(self.settings.url + SEARCH_PATH, params, headers)

    def read_hits(
        self, response: requests.Response, query: str, citation: Citation
    ) -> SearchResult:
        """The notes of `notes`."""
        return self.read_json(response, SEARCH)

    def covers(self, fields: Fields) -> bool:
        """See the module's `covers`."""
        return covers(fields)


def covers(fields: Fields) -> bool:
    """Whether OpenReview's silence on this claim is evidence (see the module docstring)."""
    if not fields.title or not fields.year or not fields.container:
        return False
    return any(
        fields.year >= since and venue_score(fields.container, names) >= 1.0
        for names, since in COVERED_VENUES.items()
    )


def note_hit(note: Mapping[str, Any]) -> Hit:
    """A search hit: the note's Record, with the venue id's first part (`ICLR.cc`: "ICLR")
    as another name of its venue, once accepted there: a submission that was not keeps only
    its "Submitted to …", which names no venue a claim could rightly give."""
    record = note_record(note)
    if record.fields.type == NOT_ACCEPTED_TYPE:
        return Hit(record)
    root = (_value(note, "venueid") or "").split("/")[0].removesuffix(".cc")
    return Hit(record, [root] if root and root != record.fields.container else [])


def note_record(note: Mapping[str, Any]) -> Record:
    """A Record from one note. Its id is the note's; its link the forum page."""
    venue = _value(note, "venue")
    authors = _mapping(note.get("content")).get("authors")
    names = authors.get("value") if isinstance(authors, Mapping) else authors
    note_id = text(note.get("id")) or ""
    forum = text(note.get("forum")) or note_id
    url = FORUM_PAGE + path_segment(forum) if forum else None
    fields = Fields(
        title=_value(note, "title"),
        authors=[split_name(n) for n in (text(a) for a in _list(names)) if n],
        year=year_in(venue) or _year(note.get("pdate")) or _year(note.get("cdate")),
        container=venue,
        url=url,
        type=csl_type(_value(note, "venueid")),
    )
    return Record(source=OpenReviewResolver.name, id=note_id, fields=fields, url=url)


def csl_type(venueid: str | None) -> str | None:
    """`manuscript` for a submission not accepted; a conference paper for one accepted at a
    conference or workshop; otherwise unknown (a journal's, TMLR's, says nothing more)."""
    if not venueid:
        return None
    if NOT_ACCEPTED.search(venueid):
        return NOT_ACCEPTED_TYPE
    return CONFERENCE_PAPER if any(w in venueid for w in CONFERENCE_WORDS) else None


def _value(note: Mapping[str, Any], name: str) -> str | None:
    """A content field's text, from v2's `{"value": …}` or v1's bare value."""
    field = _mapping(note.get("content")).get(name)
    return text(field.get("value") if isinstance(field, Mapping) else field)


def _year(milliseconds: Any) -> int | None:
    if isinstance(milliseconds, bool) or not isinstance(milliseconds, (int, float)):
        return None
    try:
        return datetime.fromtimestamp(milliseconds / MILLISECONDS, tz=timezone.utc).year
    except (OverflowError, OSError, ValueError):
        return None


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


SEARCH = JsonSearch(items=items_at("notes"), shape=NOTE_SHAPE, hit=note_hit)
