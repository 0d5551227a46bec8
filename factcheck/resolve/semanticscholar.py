"""Semantic Scholar: its Academic Graph API, for identifier lookups and a title search.

Lookups. `GET {url}/graph/v1/paper/<PREFIX>:<id>?fields=…` (the id sent as one encoded path
segment, `ids.path_segment`), `DOI:` for a DOI, `ARXIV:` for an arXiv id, `PMID:` for a
PMID, and `ACL:` for a reference whose link is an ACL Anthology page, answers:
- 200 with one paper object: found, once its `externalIds` name the id asked for (another
  id is FAILED, flag `wrong_record`);
- 404 (`{"error": "Paper with id … not found"}`): Semantic Scholar holds no such paper. Not
  authoritative: it is an index, not the registry of any of these ids;
- anything else (a 400 for an id it cannot read): FAILED.
A claimed arXiv version is not asked about: Semantic Scholar keeps one record per paper, so
it could not tell whether `v9` exists (the arXiv source can). A PMID that is not a number is
not asked about either.

Search. `GET {url}/graph/v1/paper/search?query=<title words>&limit=5&fields=…` answers
`{"total": N, "offset": 0, "next": 5, "data": [paper, …]}`, most relevant first; with no
hit, `data` may be left out (then `total` is 0). A hit is taken only when `candidates`
validates it against the claimed fields. What its silence proves (`covers`): Semantic
Scholar indexes some 200 million papers of every field, journal articles, conference papers
and preprints (it ingests Crossref, PubMed, arXiv, DBLP, ACL), so a miss on a dated journal
article, conference paper, preprint or bare claim is evidence, as OpenAlex's is
(`candidates.general_index_covers`); on books, reports, theses or web pages it is not.

Limits and key. The public pool is shared by every client without a key and throttled hard
(HTTP 429 often); a free key (`x-api-key` header; `FACTCHECK_SEMANTICSCHOLAR_KEY` or
`[tool.factcheck.plugins.semanticscholar] key`) gives a dedicated rate of one request per
second on every endpoint. Both ways we start at most one request a second, one at a time
(`LIMIT`); a key granted more takes `rate` and `concurrency` settings.
"""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from ..compare.fields import is_preprint_venue
from ..errors import BadResponse
from ..ids import doi_link, normalize_doi, normalize_pmid, path_segment
from ..lookup import Lookup
from ..model import Author, Citation, Fields, Kind, Record
from ..net.limits import Limit
from .acl import acl_id
from .arxiv import split_name
from .base import parse_json
from .candidates import Hit, general_index_covers, title_words
from .common import claimed_id, require_same_doi, require_same_id, split_arxiv_id
from .mapping import Shape, is_number, is_text, list_of, require_shape, shaped, text, year_in
from .pubmed import is_uid
from .searching import JsonSearch, SearchingResolver, SearchRequest, SearchResult, items_at

if TYPE_CHECKING:
    import requests

DEFAULT_URL = "https://api.semanticscholar.org"
PAPER_PATH = "/graph/v1/paper/"
SEARCH_PATH = "/graph/v1/paper/search"
KEY_HEADER = "x-api-key"
# One request a second, one at a time: a key's introductory rate, and a fair share of the
# public pool (see the module docstring).
LIMIT = Limit(rate=1.0, concurrency=1)
# Hits asked for: a title search rarely has its right answer below the top five.
SEARCH_LIMIT = 5
# The fields asked for, in lookups and searches alike: what `paper_record` reads.
FIELDS = ",".join(
    [
        "paperId",
        "externalIds",
        "title",
        "authors",
        "year",
        "venue",
        "publicationVenue",
        "journal",
        "publicationTypes",
        "url",
    ]
)
# The id prefixes of the Graph API, and the `externalIds` key of each.
DOI, ARXIV, PMID, ACL = "DOI", "ARXIV", "PMID", "ACL"
EXTERNAL_KEYS: Mapping[str, str] = {DOI: "DOI", ARXIV: "ArXiv", PMID: "PubMed", ACL: "ACL"}
LABEL = "Semantic Scholar"
PAPER_PAGE = "https://www.semanticscholar.org/paper/"

# Publication venue kinds and publication types, as CSL types, the venue's kind first.
VENUE_TYPES: Mapping[str, str] = {"conference": "paper-conference", "journal": "article-journal"}
PUBLICATION_TYPES: Mapping[str, str] = {
    "Conference": "paper-conference",
    "JournalArticle": "article-journal",
    "Book": "book",
    "BookSection": "chapter",
    "Dataset": "dataset",
}
PREPRINT = "posted-content"

PAPER_SHAPE: Shape = {
    "paperId": is_text,
    "title": is_text,
    "year": is_number,
    "venue": is_text,
    "url": is_text,
    "authors": list_of(shaped({"name": is_text})),
    "externalIds": shaped({key: is_number for key in ("DOI", "ArXiv", "PubMed", "ACL", "DBLP")}),
    "journal": shaped({"name": is_text, "volume": is_number, "pages": is_number}),
    "publicationVenue": shaped(
        {"name": is_text, "type": is_text, "alternate_names": list_of(is_text)}
    ),
    "publicationTypes": list_of(is_text),
}


def _search_items(payload: Any) -> list[dict[str, Any]] | None:
    """The papers of a search answer: `data`, which an answer with `total` 0 may leave out."""
    if isinstance(payload, dict) and "data" not in payload and payload.get("total") == 0:
        return []
    return items_at("data")(payload)


class SemanticScholarResolver(SearchingResolver):
    """Looks DOIs, arXiv ids, PMIDs and ACL Anthology ids up in Semantic Scholar, and searches
    it for references by title."""

    name = "semanticscholar"
    label = LABEL
    kinds = frozenset({Kind.DOI, Kind.ARXIV, Kind.PMID, Kind.REFERENCE})
    default_url = DEFAULT_URL
    limit = LIMIT

    def _lookup(self, citation: Citation) -> Lookup:
        if citation.kind is Kind.REFERENCE:
            acl = acl_id(citation.fields)
            return self._paper(ACL, acl) if acl else self.search(citation)
        if citation.kind is Kind.DOI:
            return self._paper(DOI, normalize_doi(claimed_id(citation, "doi")))
        if citation.kind is Kind.ARXIV:
            base, version = split_arxiv_id(claimed_id(citation, "arxiv"))
            if version:
                reason = f"{LABEL} keeps no arXiv versions, so it cannot settle {base}{version}"
                return Lookup.missing(self.name, reason, authoritative=False)
            return self._paper(ARXIV, base)
        raw = claimed_id(citation, "pmid")
        pmid = normalize_pmid(raw)
        if not is_uid(pmid):
            reason = f"{pmid} is no PMID that {LABEL} could look up"
            return Lookup.missing(self.name, reason, authoritative=False)
        return self._paper(PMID, pmid)

    def _paper(self, prefix: str, value: str) -> Lookup:
        asked = f"{prefix}:{value}"
        response = self._get(
            self.settings.url + PAPER_PATH + path_segment(asked), {"fields": FIELDS}, self._key()
        )
        if response.status_code == HTTPStatus.NOT_FOUND:
            return Lookup.missing(self.name, f"{LABEL} has no paper {asked}", authoritative=False)
        if response.status_code != HTTPStatus.OK:
            return self._unexpected(response)
        paper = parse_json(response, self.name)
        if not isinstance(paper, dict):
            raise BadResponse(f"{self.name} answered HTTP 200 without a paper object")
        require_shape(paper, PAPER_SHAPE, self.name)
        found = text(_mapping(paper.get("externalIds")).get(EXTERNAL_KEYS[prefix]))
        if prefix == DOI:
            require_same_doi(value, found, self.name)
        else:
            require_same_id(f"{prefix} id", value, found, self.name)
        return Lookup.found(self.name, paper_record(paper))

    def search_query(self, citation: Citation) -> str:
        """The claimed title's words."""
        return title_words(citation.fields.title)

    def search_request(self, query: str) -> SearchRequest:
        """`paper/search?query=…` for the first SEARCH_LIMIT papers, with the key."""
        params = {"query": query, "limit": str(SEARCH_LIMIT), "fields": FIELDS}
        return SearchRequest(self.settings.url + SEARCH_PATH, params, self._key())

    def read_hits(
        self, response: requests.Response, query: str, citation: Citation
    ) -> SearchResult:
        """The papers of `data` (see the module docstring)."""
        return self.read_json(response, SEARCH)

    def covers(self, fields: Fields) -> bool:
        """See the module's `covers`."""
        return covers(fields)

    def _key(self) -> dict[str, str]:
        """The API key's header, when one is configured."""
        key = self.settings.key
        return {KEY_HEADER: key.get_secret_value()} if key is not None else {}


def covers(fields: Fields) -> bool:
    """Whether Semantic Scholar's silence on this claim is evidence (see the module
    docstring)."""
    return general_index_covers(fields)


def paper_hit(paper: Mapping[str, Any]) -> Hit:
    """A search hit: the paper's Record, with the other names of its venue."""
    record = paper_record(paper)
    return Hit(record, [n for n in _venue_names(paper) if n != record.fields.container])


def paper_record(paper: Mapping[str, Any]) -> Record:
    """A Record from one paper object. Its id is the DOI, else Semantic Scholar's paper id."""
    ids = _mapping(paper.get("externalIds"))
    journal = _mapping(paper.get("journal"))
    names = _venue_names(paper)
    preprint = bool(names) and is_preprint_venue(names[0])
    # A paper on arXiv has the "journal" ArXiv with `abs/<id>` as its volume: no venue's.
    on_arxiv = is_preprint_venue(text(journal.get("name")) or "")
    doi = text(ids.get("DOI"))
    doi = normalize_doi(doi) if doi else None
    arxiv = text(ids.get("ArXiv"))
    fields = Fields(
        title=text(paper.get("title")),
        authors=_authors(paper.get("authors")),
        year=year_in(text(paper.get("year"))),
        container=names[0] if names else None,
        volume=None if on_arxiv else text(journal.get("volume")),
        pages=None if on_arxiv else text(journal.get("pages")),
        doi=doi,
        arxiv=split_arxiv_id(arxiv)[0] if arxiv else None,
        pmid=text(ids.get("PubMed")),
        url=text(paper.get("url")),
        type=PREPRINT if preprint else csl_type(paper),
    )
    paper_id = text(paper.get("paperId")) or ""
    url = doi_link(doi) if doi else (PAPER_PAGE + path_segment(paper_id) if paper_id else None)
    return Record(source=SemanticScholarResolver.name, id=doi or paper_id, fields=fields, url=url)


def csl_type(paper: Mapping[str, Any]) -> str | None:
    """The CSL type of a paper: its venue's kind, else its first known publication type."""
    kind = text(_mapping(paper.get("publicationVenue")).get("type"))
    if kind and kind.lower() in VENUE_TYPES:
        return VENUE_TYPES[kind.lower()]
    types = paper.get("publicationTypes")
    known = (PUBLICATION_TYPES.get(t) for t in (types if isinstance(types, list) else []))
    return next((t for t in known if t), None)


def _venue_names(paper: Mapping[str, Any]) -> list[str]:
    """The venue's names: the publication venue's name and alternate names, the `venue`
    string, and the journal's name."""
    venue = _mapping(paper.get("publicationVenue"))
    others = venue.get("alternate_names")
    names = [
        text(venue.get("name")),
        text(paper.get("venue")),
        text(_mapping(paper.get("journal")).get("name")),
        *(text(n) for n in (others if isinstance(others, list) else [])),
    ]
    return list(dict.fromkeys(n for n in names if n))


def _authors(authors: Any) -> list[Author]:
    if not isinstance(authors, list):
        return []
    names = (text(a.get("name")) for a in authors if isinstance(a, Mapping))
    return [split_name(n) for n in names if n]


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


SEARCH = JsonSearch(items=_search_items, shape=PAPER_SHAPE, hit=paper_hit)
