"""DBLP: the computer-science bibliography, searched for references by title.

Many computer-science papers have no Crossref record (NeurIPS, ICML, ICLR and most workshop
proceedings mint no DOI), but DBLP lists them. It has no lookup by identifier that other
sources lack, so it only searches: `GET {dblp_url}/search/publ/api?q=<title words>&format=json
&h=N&c=0` answers `{"result": {"hits": {"@total": "…", "hit": [{"info": {...}}, ...]}}}`:
- `hit` is absent when nothing matched, and may be a single object instead of a list;
- `info.title` ends with a period that is not part of the title;
- `info.authors.author` is one object for one author, a list otherwise; its `text` may end in
  DBLP's homonym number ("Wei Wang 0001");
- `info.venue` and `info.ee` are a string or a list;
- `info.type` is DBLP's category ("Conference and Workshop Papers", "Journal Articles",
  "Informal and Other Publications" for CoRR preprints, ...), mapped to a CSL type.

DBLP matches every query word as a prefix of a word of the record (AND). A hit is taken only
when `candidates` validates it against the claimed fields. Every other answer is MISSING,
authoritative only for a claimed conference paper with its venue and year (see `covers`):
DBLP holds computer science alone, so its silence on a journal article or a book says
nothing, but conference proceedings are where it is most complete. A reference without a
parsed title is not searched. Other statuses are failures; DBLP's 429 (with Retry-After)
arrives as trouble from `Http.get`. The request and the reading of its hits are those every
JSON search shares (`searching.SearchingResolver`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..ids import doi_link, linked_doi, normalize_doi
from ..model import Author, Citation, Fields, Kind, Record
from .arxiv import split_name
from .candidates import Hit, indexed_claim, title_words
from .common import split_arxiv_id
from .mapping import Shape, is_number, is_text, one_or_list, shaped, text, year_in
from .searching import JsonSearch, SearchingResolver, SearchRequest, SearchResult

if TYPE_CHECKING:
    import requests

# Hits asked for: a title query rarely has its right answer below the top five.
HITS = 5
# No completion terms: they are for search boxes, and cost bandwidth.
COMPLETIONS = 0
PATH = "/search/publ/api"

# DBLP's publication categories, as CSL types.
DBLP_TYPES: Mapping[str, str] = {
    "Conference and Workshop Papers": "paper-conference",
    "Journal Articles": "article-journal",
    "Parts in Books or Collections": "chapter",
    "Books and Theses": "book",
    "Editorship": "book",
    "Reference Works": "entry-encyclopedia",
    "Data and Artifacts": "dataset",
}
# arXiv's listing in DBLP: whatever its category, an entry there is a preprint.
CORR_VENUE = "corr"
PREPRINT = "posted-content"
# The claimed type whose absence from DBLP is evidence.
COVERED_TYPE = "paper-conference"

# DBLP's disambiguation suffix on a person's name: "Wei Wang 0001".
_HOMONYM = re.compile(r"\s+\d{4}$")
_ARXIV_IN_URL = re.compile(r"^https?://arxiv\.org/abs/(?P<id>.+)$", re.IGNORECASE)
# A DBLP key's stream ("conf/nips/VaswaniSPUJGKP17" -> "nips") names the venue too.
_KEY_STREAM = re.compile(r"^(?:conf|journals)/(?P<stream>[a-z0-9]+)/")

# The types of what `info_record` and `info_hit` read (see `mapping.require_shape`).
_PERSON = one_or_list(lambda value: is_text(value) or shaped({"text": is_text})(value))
INFO_SHAPE: Shape = {
    "title": is_text,
    "authors": shaped({"author": _PERSON}),
    "year": is_number,
    "venue": one_or_list(is_text),
    "ee": one_or_list(is_text),
    "volume": is_number,
    "number": is_number,
    "pages": is_number,
    "doi": is_text,
    "key": is_text,
    "type": is_text,
    "url": is_text,
}


class DblpResolver(SearchingResolver):
    """Searches DBLP for references by title; computer science only."""

    name = "dblp"
    label = "DBLP"
    kinds = frozenset({Kind.REFERENCE})

    def search_query(self, citation: Citation) -> str:
        """The claimed title's words (`title_query`)."""
        return title_query(citation.fields.title or "")

    def search_request(self, query: str) -> SearchRequest:
        """`search/publ/api?q=…` for the first HITS hits, without completions."""
        params = {"q": query, "format": "json", "h": str(HITS), "c": str(COMPLETIONS)}
        return SearchRequest(self.config.dblp_url + PATH, params)

    def read_hits(
        self, response: requests.Response, query: str, citation: Citation
    ) -> SearchResult:
        """The hits' `info` objects (see the module docstring)."""
        return self.read_json(response, SEARCH)

    def covers(self, fields: Fields) -> bool:
        """See the module's `covers`."""
        return covers(fields)


def covers(fields: Fields) -> bool:
    """Whether DBLP's silence on this claim is evidence: a conference paper (see
    `candidates.indexed_claim`)."""
    return indexed_claim(fields, frozenset({COVERED_TYPE}))


def title_query(title: str) -> str:
    """The title's words without punctuation, which DBLP's query syntax would read."""
    return title_words(title)


def _infos(payload: Any) -> list[dict[str, Any]] | None:
    """The `info` objects of the hits; None when the envelope is not a search result."""
    result = payload.get("result") if isinstance(payload, dict) else None
    hits = result.get("hits") if isinstance(result, dict) else None
    if not isinstance(hits, dict):
        return None
    found = hits.get("hit", [])
    entries = found if isinstance(found, list) else [found]
    infos = (entry.get("info") for entry in entries if isinstance(entry, dict))
    return [info for info in infos if isinstance(info, dict)]


def info_hit(info: Mapping[str, Any]) -> Hit:
    """A search hit: the Record, with the venue's other names (more venues, the key's stream)."""
    venues = _strings(info.get("venue"))
    stream = _KEY_STREAM.match(text(info.get("key")) or "")
    aliases = venues[1:] + ([stream.group("stream")] if stream else [])
    return Hit(info_record(info), aliases)


def info_record(info: Mapping[str, Any]) -> Record:
    """A Record from one hit's `info`. Its id is the DOI, else the DBLP key."""
    venues = _strings(info.get("venue"))
    links = _strings(info.get("ee"))
    doi = _doi(info, links)
    fields = Fields(
        title=_title(info.get("title")),
        authors=_authors(info.get("authors")),
        year=year_in(text(info.get("year"))),
        container=venues[0] if venues else None,
        volume=text(info.get("volume")),
        issue=text(info.get("number")),
        pages=text(info.get("pages")),
        doi=doi,
        url=links[0] if links else None,
        arxiv=_arxiv(links),
        type=csl_type(text(info.get("type")), venues),
    )
    key = text(info.get("key")) or ""
    url = doi_link(doi) if doi else text(info.get("url"))
    return Record(source=DblpResolver.name, id=doi or key, fields=fields, url=url)


def csl_type(category: str | None, venues: list[str]) -> str | None:
    """The CSL type of a DBLP entry: a preprint when listed under CoRR, else by category."""
    if any(v.lower() == CORR_VENUE for v in venues):
        return PREPRINT
    return DBLP_TYPES.get(category or "")


def _title(value: Any) -> str | None:
    title = text(value)
    if title and title.endswith(".") and not title.endswith(".."):
        title = title[:-1].rstrip()
    return title or None


def _authors(authors: Any) -> list[Author]:
    people = authors.get("author") if isinstance(authors, Mapping) else None
    entries = people if isinstance(people, list) else [people]
    names = (text(p.get("text")) if isinstance(p, Mapping) else text(p) for p in entries if p)
    return [split_name(_HOMONYM.sub("", n)) for n in names if n]


def _strings(value: Any) -> list[str]:
    values = value if isinstance(value, list) else [value]
    return [s for s in (text(v) for v in values) if s]


def _doi(info: Mapping[str, Any], links: list[str]) -> str | None:
    doi = text(info.get("doi"))
    if doi:
        return normalize_doi(doi)
    return next((doi for doi in map(linked_doi, links) if doi), None)


def _arxiv(links: list[str]) -> str | None:
    for link in links:
        found = _ARXIV_IN_URL.match(link)
        if found:
            return split_arxiv_id(found.group("id"))[0]
    return None


SEARCH = JsonSearch(items=_infos, shape=INFO_SHAPE, hit=info_hit)
