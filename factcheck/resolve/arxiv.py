"""arXiv: the authority on arXiv ids, through export.arxiv.org's Atom API.

`GET {arxiv_url}/query?id_list=<id>&max_results=1` answers an Atom feed:
- one `<entry>` for an existing id: found;
- no entry for a well-formed id that does not exist: missing, authoritatively;
- one `<entry>` titled "Error" whose `<id>` is `http://arxiv.org/api/errors#incorrect_id_format_for_…`
  for a malformed id: missing, authoritatively (no paper can have that id). Other error
  entries say nothing about the paper: failed.

A claimed version beyond the latest (`v9` of a paper with five) comes back as no entry or an
error. The paper exists, so the lookup asks again without the version and, if the paper is
there, answers FOUND with the flag `version_not_found`: the judge decides how much a wrong
version matters, instead of calling a real paper fabricated.

Free-text references are searched by title (`search_query=ti:"…"`), and a hit is taken only
when `candidates` validates it against the claimed fields. arXiv's silence is evidence only for
a claimed preprint (see `covers`): most published papers are not on arXiv.

The searches that arrive together share one request (`resolve.batch`): `ti:"…" OR ti:"…"`,
asking for SEARCH_ROWS hits per title. Each hit goes to the title it resembles most
(`match.compare_titles`), so that each search is decided on its own hits, as if asked alone;
a batch of one is exactly the request a search alone sends. Offline or replaying recorded
answers, each search is asked alone: the cache and the recordings hold the requests of
earlier runs, and a batch of other titles is not one of them.

The feed is untrusted XML: it is parsed with defusedxml, which refuses DTDs and entity
declarations (billion laughs, external entities). arXiv's feeds never use them. The entry
must be the paper asked for: its `<id>` must name the claimed id (and the claimed version,
when one was asked), or the lookup FAILED (`WrongRecord`, flag `wrong_record`).
"""

from __future__ import annotations

import re
from http import HTTPStatus
from typing import TYPE_CHECKING
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from ..compare.fields import compare_titles
from ..errors import BadResponse, SourceError
from ..flags import VERSION_NOT_FOUND
from ..links import arxiv_link
from ..model import Author, Citation, Fields, Kind, Record
from ..nameparts import PARTICLES, SUFFIXES
from .base import Lookup, Outcome
from .batch import Batcher
from .candidates import Hit, decide, not_searched, title_words
from .common import ApiResolver, claimed_id, require_same_id, split_arxiv_id, unanswered
from .mapping import text, year_in

if TYPE_CHECKING:
    from ..config import Config
    from ..net.http import Http

ATOM = "{http://www.w3.org/2005/Atom}"
FEED = f"{ATOM}feed"
ARXIV = "{http://arxiv.org/schemas/atom}"
ERROR_ID_PREFIX = "http://arxiv.org/api/errors"
ID_FORMAT_ERROR = "incorrect_id_format"
ABS_PATH = "/abs/"
PREPRINT = "preprint"
# Statuses whose body is an Atom feed worth reading (arXiv has answered id errors with both).
FEED_STATUSES = frozenset({HTTPStatus.OK, HTTPStatus.BAD_REQUEST})
# Words that make an arXiv author an organisation ("The ATLAS Collaboration").
GROUP_WORDS = frozenset({"collaboration", "consortium", "group", "team", "project"})
# Hits asked for in a title search: a phrase query rarely has more than one right answer.
SEARCH_ROWS = 5
# Titles searched in one request at most: ten of MAX_TITLE_QUERY_CHARS keep the URL near 3 KB,
# and arXiv's answer under SEARCH_ROWS x 10 entries.
MAX_BATCH_TITLES = 10
# How long the first search of a batch waits for the others announced (`chain.Gathering`):
# less than arXiv's pacing interval (3 s), since a second request would wait that long.
MAX_GATHER_SECONDS = 2.0
OR = " OR "
# How references name arXiv as their venue ("arXiv preprint", "CoRR abs/…").
ARXIV_VENUES = frozenset({"arxiv", "corr"})
_NON_WORD = re.compile(r"[^\w]+")


class ArxivResolver(ApiResolver):
    """Looks arXiv ids up in the arXiv API, and searches it for references by title."""

    name = "arxiv"
    kinds = frozenset({Kind.ARXIV, Kind.REFERENCE})
    # Its records are preprints: it cannot show where a work was published.
    preprints_only = True

    def __init__(self, http: Http, config: Config) -> None:
        super().__init__(http, config)
        self._titles: Batcher[str, list[Record]] = Batcher(
            self._search_titles, max_size=MAX_BATCH_TITLES, max_gather=MAX_GATHER_SECONDS
        )

    def expect(self) -> None:
        """A search that may come here has started (`chain.Gathering`)."""
        self._titles.expect()

    def unexpect(self) -> None:
        """That search has ended."""
        self._titles.unexpect()

    def _lookup(self, citation: Citation) -> Lookup:
        if citation.kind is Kind.REFERENCE:
            return self._search(citation)
        base, version = split_arxiv_id(claimed_id(citation, "arxiv"))
        lookup = self._query(base + (version or ""))
        if lookup.outcome is not Outcome.MISSING or not version:
            return lookup
        unversioned = self._query(base)
        if unversioned.outcome is not Outcome.FOUND:
            return lookup
        for record in unversioned.records:
            record.flags.append(VERSION_NOT_FOUND)
        return unversioned

    def _query(self, arxiv_id: str) -> Lookup:
        response = self._get(
            f"{self.config.arxiv_url}/query", {"id_list": arxiv_id, "max_results": "1"}
        )
        if response.status_code not in FEED_STATUSES:
            return self._unexpected(response)
        entry = parse_feed(response.content).find(f"{ATOM}entry")
        entry_id = text(entry.findtext(f"{ATOM}id")) if entry is not None else None
        if entry is not None and entry_id and entry_id.startswith(ERROR_ID_PREFIX):
            return self._error(entry, entry_id, arxiv_id)
        if response.status_code != HTTPStatus.OK:  # a 400 is an answer only with an id error
            return self._unexpected(response)
        record = entry_record(entry) if entry is not None else None
        # No entry: the id is well-formed but unknown. An entry without a title is how the
        # API has described unknown ids at times; it is no paper either.
        if record is None or not record.fields.title:
            return Lookup.missing(self.name, f"arXiv has no paper {arxiv_id}", authoritative=True)
        _require_paper(arxiv_id, record, self.name)
        return Lookup.found(self.name, record)

    def _search(self, citation: Citation) -> Lookup:
        title = title_words(citation.fields.title)
        if not title:
            return not_searched(self.name)
        if self.config.offline or self.config.replay:
            records = self._search_titles([title])[title]
        else:
            records = self._titles.ask(title)
        hits = [Hit(r) for r in records]
        return decide(
            self.name,
            "arXiv",
            citation,
            hits,
            len(hits),
            covers(citation.fields),
            self.config.thresholds,
        )

    def _search_titles(self, titles: list[str]) -> dict[str, list[Record]]:
        """The hits of one request searching every title, each title's own (see the module
        docstring); SourceError when arXiv gives no answer."""
        query = OR.join(f'ti:"{title}"' for title in titles)
        response = self._get(
            f"{self.config.arxiv_url}/query",
            {"search_query": query, "max_results": str(SEARCH_ROWS * len(titles))},
        )
        if response.status_code != HTTPStatus.OK:
            raise SourceError(unanswered(self.name, response.status_code))
        entries = parse_feed(response.content).findall(f"{ATOM}entry")
        records = [entry_record(e) for e in entries]
        return split_hits(titles, [r for r in records if r.fields.title and r.fields.arxiv])

    def _error(self, entry: Element, entry_id: str, arxiv_id: str) -> Lookup:
        """An error entry: a malformed id is an answer about the id; any other error is not."""
        summary = text(entry.findtext(f"{ATOM}summary")) or "an error"
        if ID_FORMAT_ERROR in entry_id:
            return Lookup.missing(
                self.name, f"{arxiv_id} is not a valid arXiv id ({summary})", authoritative=True
            )
        return Lookup.failed(self.name, f"arXiv answered with an error: {summary}")


def split_hits(titles: list[str], records: list[Record]) -> dict[str, list[Record]]:
    """Each title's hits: every record goes to the title it resembles most (the first
    of equals), in the order arXiv ranked them."""
    shares: dict[str, list[Record]] = {title: [] for title in titles}
    for record in records:
        if len(titles) == 1:
            best = titles[0]
        else:
            best = max(titles, key=lambda t: compare_titles(t, record.fields.title).score)
        shares[best].append(record)
    return shares


def _require_paper(arxiv_id: str, record: Record, source: str) -> None:
    """WrongRecord unless the entry is the paper asked for: the same id, and the same
    version when `arxiv_id` names one (without a version, arXiv answers the latest)."""
    base, version = split_arxiv_id(arxiv_id)
    found_base, found_version = split_arxiv_id(record.id)
    require_same_id("arXiv id", base, found_base, source)
    if version:
        require_same_id("arXiv version", arxiv_id, found_base + (found_version or ""), source)


def covers(fields: Fields) -> bool:
    """Whether arXiv's silence on this claim is evidence: a claimed arXiv preprint."""
    venue = set(_NON_WORD.split((fields.container or "").lower()))
    return bool(fields.arxiv) or bool(venue & ARXIV_VENUES)


def parse_feed(body: bytes) -> Element:
    """The feed's root element; BadResponse for malformed XML, forbidden constructs, or XML
    that is no Atom feed: a proxy's or maintenance HTML page can be well-formed XML, and
    read as a feed it would have no entry, which says "no such paper"."""
    try:
        root = fromstring(body)
    except (ParseError, DefusedXmlException) as exc:
        raise BadResponse(f"arXiv answered with a feed that is not valid XML: {exc}") from exc
    if root.tag != FEED:
        raise BadResponse(f"arXiv answered with <{root.tag}> instead of an Atom feed")
    return root


def entry_record(entry: Element) -> Record:
    """A Record from one Atom `<entry>`; its id keeps the version arXiv reports."""
    entry_id = text(entry.findtext(f"{ATOM}id")) or ""
    versioned = entry_id.rsplit(ABS_PATH, 1)[-1]
    base, _version = split_arxiv_id(versioned)
    names = (text(a.findtext(f"{ATOM}name")) for a in entry.findall(f"{ATOM}author"))
    fields = Fields(
        title=text(entry.findtext(f"{ATOM}title")),
        authors=[split_name(n) for n in names if n],
        year=year_in(entry.findtext(f"{ATOM}published")),
        container=text(entry.findtext(f"{ARXIV}journal_ref")),
        doi=text(entry.findtext(f"{ARXIV}doi")),
        arxiv=base,
        url=arxiv_link(base),
        type=PREPRINT,
    )
    return Record(source=ArxivResolver.name, id=versioned, fields=fields, url=arxiv_link(versioned))


def split_name(name: str) -> Author:
    """ "Given Family" as arXiv writes names; particles join the family name.

    A single word is a family name; a collaboration is an organisation.
    """
    words = name.split()
    if any(w.lower() in GROUP_WORDS for w in words):
        return Author(name=name)
    while len(words) > 1 and words[-1].lower().rstrip(".") in SUFFIXES:
        words.pop()
    start = len(words) - 1
    while start > 1 and words[start - 1] in PARTICLES:
        start -= 1
    given = " ".join(words[:start]) or None
    return Author(family=" ".join(words[start:]), given=given)
