"""OpenAlex: a second opinion on DOIs, and a title search over ~250M works for references.

`GET {openalex_url}/works/https://doi.org/<doi>` (the DOI form OpenAlex documents besides
`doi:<doi>`; the recorded answers in fixtures/recordings use it), sent percent-encoded as one
path segment (`ids.path_segment`), answers:
- 200 with one work object: found;
- 200 with a work whose `doi` is another one (or none): failed, flag `wrong_record`;
- 404: OpenAlex holds no work with that DOI. Not authoritative: OpenAlex does not hold every
  DOI (many DataCite and small-publisher DOIs are missing), doi.org is the registry;
- anything else (a 403 when a budget is spent, a 400): failed. 429s and 5xx never get here,
  `Http.get` raises them as trouble.

`GET {openalex_url}/works?filter=title.search:<title words>&per_page=N` answers
`{"meta": {...}, "results": [work, ...]}`, most relevant first. OpenAlex stems the words and
drops stop words, and words without an operator must all occur (AND), so the words are sent
lower-cased: an upper-case AND/OR/NOT in a title would otherwise turn into an operator. A hit
is taken only when `candidates` validates it against the claimed fields; every other answer
is MISSING, authoritative only as `covers` says: OpenAlex indexes nearly every journal
article, conference paper and preprint (Crossref, DataCite, arXiv, PubMed, repositories), so
its silence on one that names its venue and year is evidence; on books, reports, theses or
web pages it is not. A reference without a parsed title is not searched. The request and
the reading of its hits are those every JSON search shares (`searching.SearchingResolver`).

With `batch_dois` (off by default), several DOIs that come together share one request,
`GET {openalex_url}/works?filter=doi:a|b`
(`|` ORs a filter's values) with `per_page` the number of DOIs; each DOI reads its own work
of the answer as its lookup alone reads one, and a DOI with no work there means what a 404
means. OpenAlex is asked about a DOI only when the sources before it did not settle it, so
its batches are not filled ahead (`batch.DoiBatches`): the first DOI to come waits up to
DOI_GATHER_SECONDS for the text's other DOIs still being asked elsewhere, and a lone DOI is
asked alone, by the free singleton lookup. A list query costs budget where a singleton does
not (below): one list query of several DOIs is the trade for their requests and their time.

The 2026 API: singleton lookups (a DOI) cost nothing; a search costs $1 per 1,000 calls from
a free daily budget of $1 with an API key ($0.10 without, shared per address). `api_key` is
sent when `Config.openalex_key` is set, and `mailto` when `Config.mailto` is. The per-second
limit is in `net.limits`.
"""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from ..errors import BadResponse, SourceError
from ..flags import RETRACTED
from ..ids import DOI_ORG, doi_key, doi_link, normalize_doi, path_segment
from ..model import Author, Citation, Fields, Kind, Record
from .arxiv import split_name
from .base import Lookup, parse_json
from .batch import BatchedDois, DoiBatches
from .candidates import Hit, general_index_covers, title_words
from .common import claimed_id, require_same_doi, unanswered
from .mapping import (
    Shape,
    is_flag,
    is_number,
    is_text,
    list_of,
    require_shape,
    shaped,
    text,
    year_in,
)
from .searching import JsonSearch, SearchingResolver, SearchRequest, SearchResult, items_at

if TYPE_CHECKING:
    import requests

if TYPE_CHECKING:
    from ..config import Config
    from ..net.http import Http

# Candidates asked for: a title search rarely has its right answer below the top five.
PER_PAGE = 5
# DOIs looked up in one request at most (OpenAlex ORs up to 100 values of a filter).
MAX_BATCH_DOIS = 20
# How long the first DOI of a batch waits for the text's other DOIs still asked elsewhere.
DOI_GATHER_SECONDS = 0.5
OPENALEX_WORK_PREFIX = "https://openalex.org/"

# OpenAlex work types that say what the work is whatever its source, as CSL types.
WORK_TYPES: Mapping[str, str] = {
    "preprint": "posted-content",
    "conference-paper": "paper-conference",
    "book-chapter": "chapter",
    "book": "book",
    "dissertation": "thesis",
    "dataset": "dataset",
    "report": "report",
    "standard": "standard",
    "peer-review": "review",
    "reference-entry": "entry-encyclopedia",
}
# Work types whose CSL type depends on where the work appeared (`SOURCE_TYPES`).
ARTICLE_TYPES = frozenset({"article", "review", "letter", "editorial", "erratum", "retraction"})
SOURCE_TYPES: Mapping[str, str] = {
    "journal": "article-journal",
    "conference": "paper-conference",
    "repository": "posted-content",
}
# CSL type of an article whose source is unknown or of another kind (a book series).
GENERIC_ARTICLE = "article"
# Sources whose names may stand for the venue of a work (not a repository's copy).
VENUE_SOURCE_TYPES = frozenset({"journal", "conference", "book series"})

# The types of what `work_record` and `work_hit` read (see `mapping.require_shape`).
_SOURCE_SHAPE: Shape = {"display_name": is_text, "host_organization_name": is_text, "type": is_text}
_LOCATION_SHAPE: Shape = {
    "source": shaped(_SOURCE_SHAPE),
    "raw_source_name": is_text,
    "landing_page_url": is_text,
}
WORK_SHAPE: Shape = {
    "doi": is_text,
    "id": is_text,
    "title": is_text,
    "display_name": is_text,
    "publication_year": is_number,
    "authorships": list_of(
        shaped({"author": shaped({"display_name": is_text}), "raw_author_name": is_text})
    ),
    "primary_location": shaped(_LOCATION_SHAPE),
    "locations": list_of(shaped(_LOCATION_SHAPE)),
    "host_venue": shaped({"display_name": is_text}),
    "biblio": shaped({key: is_number for key in ("volume", "issue", "first_page", "last_page")}),
    "type": is_text,
    "is_retracted": is_flag,
}


class OpenAlexResolver(BatchedDois, SearchingResolver):
    """Looks DOIs up in OpenAlex, and searches it for references by title."""

    name = "openalex"
    label = "OpenAlex"
    kinds = frozenset({Kind.DOI, Kind.REFERENCE})

    def __init__(self, http: Http, config: Config) -> None:
        super().__init__(http, config)
        self._dois: DoiBatches[Lookup] = DoiBatches(
            self._by_doi,
            self._by_dois,
            enabled=config.batch_dois and not self._asks_alone(),
            max_size=MAX_BATCH_DOIS,
            max_gather=DOI_GATHER_SECONDS,
            ask_ahead=False,
        )

    def _lookup(self, citation: Citation) -> Lookup:
        if citation.kind is Kind.REFERENCE:
            return self.search(citation)
        doi = normalize_doi(claimed_id(citation, "doi"))
        return self._dois.lookup(doi)

    def _by_dois(self, dois: list[str]) -> dict[str, Lookup]:
        """Several DOIs in one request, each its own answer (see the module docstring)."""
        # Lower-cased as OpenAlex keeps DOIs (see `_by_doi`).
        values = "|".join(doi.lower() for doi in dois)
        params = {"filter": f"doi:{values}", "per_page": str(len(dois)), **self._auth()}
        response = self._get(f"{self.config.openalex_url}/works", params)
        if response.status_code != HTTPStatus.OK:
            raise SourceError(unanswered(self.name, response.status_code))
        payload = parse_json(response, self.name)
        results = payload.get("results") if isinstance(payload, dict) else None
        if not isinstance(results, list):
            raise BadResponse("openalex answered HTTP 200 without a list of works")
        works: dict[str, Any] = {}
        for work in results:
            found = _doi(work.get("doi")) if isinstance(work, dict) else None
            if found:
                works.setdefault(doi_key(found), work)
        return {doi: self._answer(doi, works.get(doi_key(doi))) for doi in dois}

    def _answer(self, doi: str, work: Any) -> Lookup:
        """One DOI's share of a batch: its work, or what a 404 says when it has none."""
        if work is None:
            return self._not_held(doi)
        try:
            require_shape(work, WORK_SHAPE, self.name)
        except SourceError as exc:
            return Lookup.failed_by(self.name, exc)
        return Lookup.found(self.name, work_record(work))

    def _not_held(self, doi: str) -> Lookup:
        return Lookup.missing(self.name, f"OpenAlex has no work {doi}", authoritative=False)

    def _by_doi(self, doi: str) -> Lookup:
        # OpenAlex keeps DOIs lower-cased; asking in that form also shares one cache entry.
        key = doi.lower()
        response = self._get(
            f"{self.config.openalex_url}/works/{path_segment(DOI_ORG + key)}", self._auth()
        )
        if response.status_code == HTTPStatus.NOT_FOUND:
            return self._not_held(doi)
        if response.status_code != HTTPStatus.OK:
            return self._unexpected(response)
        work = parse_json(response, self.name)
        if not isinstance(work, dict):
            raise BadResponse("openalex answered HTTP 200 without a work object")
        require_shape(work, WORK_SHAPE, self.name)
        require_same_doi(doi, _doi(work.get("doi")), self.name)
        return Lookup.found(self.name, work_record(work))

    def search_query(self, citation: Citation) -> str:
        """The claimed title's words (`title_query`)."""
        return title_query(citation.fields.title or "")

    def search_request(self, query: str) -> SearchRequest:
        """`works?filter=title.search:…` for the first PER_PAGE works."""
        params = {"filter": f"title.search:{query}", "per_page": str(PER_PAGE), **self._auth()}
        return SearchRequest(f"{self.config.openalex_url}/works", params)

    def read_hits(
        self, response: requests.Response, query: str, citation: Citation
    ) -> SearchResult:
        """The works of `results`."""
        return self.read_json(response, SEARCH)

    def covers(self, fields: Fields) -> bool:
        """See the module's `covers`."""
        return covers(fields)

    def _auth(self) -> dict[str, str]:
        """The API key (a larger daily budget) and the contact address, when configured."""
        params: dict[str, str] = {}
        if self.config.openalex_key is not None:
            params["api_key"] = self.config.openalex_key.get_secret_value()
        if self.config.mailto:
            params["mailto"] = self.config.mailto
        return params


def covers(fields: Fields) -> bool:
    """Whether OpenAlex's silence on this claim is evidence: a journal article or conference
    paper, or a preprint with its title and year (`candidates.general_index_covers`)."""
    return general_index_covers(fields)


def title_query(title: str) -> str:
    """The title's words, lower-case, without punctuation (commas would split the filter)."""
    return title_words(title).lower()


def work_hit(work: Mapping[str, Any]) -> Hit:
    """A search hit: the work's Record, with the other names its venue goes by."""
    record = work_record(work)
    names = _venue_names(work)
    aliases = [n for n in names if n != record.fields.container]
    return Hit(record, aliases)


def work_record(work: Mapping[str, Any]) -> Record:
    """A Record from one OpenAlex work object. Its id is the DOI, else the OpenAlex id."""
    doi = _doi(work.get("doi"))
    openalex_id = (text(work.get("id")) or "").removeprefix(OPENALEX_WORK_PREFIX)
    primary = _mapping(work.get("primary_location"))
    source = _mapping(primary.get("source"))
    biblio = _mapping(work.get("biblio"))
    fields = Fields(
        title=text(work.get("title")) or text(work.get("display_name")),
        authors=_authors(work.get("authorships")),
        year=_year(work.get("publication_year")),
        container=text(source.get("display_name")) or text(primary.get("raw_source_name")),
        volume=text(biblio.get("volume")),
        issue=text(biblio.get("issue")),
        pages=_pages(biblio),
        publisher=text(source.get("host_organization_name")),
        doi=doi,
        url=text(primary.get("landing_page_url")),
        type=csl_type(text(work.get("type")), text(source.get("type"))),
    )
    landing = OPENALEX_WORK_PREFIX + openalex_id if openalex_id else None
    url = doi_link(doi) if doi else landing
    flags = [RETRACTED] if work.get("is_retracted") is True else []
    return Record(
        source=OpenAlexResolver.name, id=doi or openalex_id, fields=fields, url=url, flags=flags
    )


def csl_type(work_type: str | None, source_type: str | None) -> str | None:
    """The CSL type of an OpenAlex work: its own type, or for an article, its source's kind."""
    if work_type is None:
        return None
    if work_type in WORK_TYPES:
        return WORK_TYPES[work_type]
    if work_type in ARTICLE_TYPES:
        return SOURCE_TYPES.get(source_type or "", GENERIC_ARTICLE)
    return None


def _venue_names(work: Mapping[str, Any]) -> list[str]:
    """Names of the work's venue: the primary location's source and raw name, the legacy
    `host_venue`, and the journals or conferences among its other locations."""
    primary = _mapping(work.get("primary_location"))
    names = [
        text(_mapping(primary.get("source")).get("display_name")),
        text(primary.get("raw_source_name")),
        text(_mapping(work.get("host_venue")).get("display_name")),
    ]
    locations = work.get("locations")
    for location in locations if isinstance(locations, list) else []:
        source = _mapping(_mapping(location).get("source"))
        if source.get("type") in VENUE_SOURCE_TYPES:
            names.append(text(source.get("display_name")))
    return list(dict.fromkeys(n for n in names if n))


def _authors(authorships: Any) -> list[Author]:
    if not isinstance(authorships, list):
        return []
    names = (
        text(_mapping(a.get("author")).get("display_name")) or text(a.get("raw_author_name"))
        for a in authorships
        if isinstance(a, Mapping)
    )
    return [split_name(n) for n in names if n]


def _pages(biblio: Mapping[str, Any]) -> str | None:
    first, last = text(biblio.get("first_page")), text(biblio.get("last_page"))
    if first and last and last != first:
        return f"{first}-{last}"
    return first or last


def _year(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        return None
    return year_in(str(value))


def _doi(value: Any) -> str | None:
    doi = text(value)
    return normalize_doi(doi) if doi else None


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


SEARCH = JsonSearch(items=items_at("results"), shape=WORK_SHAPE, hit=work_hit)
