"""Crossref bibliographic search: find a free-text reference's work, and prove it is that work.

`GET {crossref_url}/works?query.bibliographic=<reference>&rows=N&select=…` answers with the
works that best match the string, each with a relevance `score`. The top hit for an invented
reference is always some real paper, so a hit is only accepted when `match.compare` finds that
its fields confirm the claim (see `acceptable`). Every outcome that is not an accepted
candidate is MISSING. It is authoritative only for a journal article or a conference paper
(see `covers`): Crossref registers nearly every journal article and the proceedings of ACM,
IEEE, Springer, AAAI, ACL and many others, but not the books, reports, preprints and DataCite
works that free-text references also name. Some conference papers have no DOI at all
(NeurIPS, ICML, ICLR), which is why the Checker asks every configured searching source
before a reference without identifier is called `not_found`.

One request per reference. A reference without a parsed title is not searched: nothing could
show that a hit is the cited work, so the request would be spent for an unverifiable answer.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ..errors import BadResponse
from ..ids import doi_link
from ..model import Citation, Fields, Kind, Record
from .base import parse_json
from .candidates import Hit, indexed_claim
from .mapping import CSL_SHAPE, csl_fields, require_shape, text, update_flags, update_notices
from .searching import SearchingResolver, SearchRequest, SearchResult

if TYPE_CHECKING:
    import requests

# Candidates asked for: the right work is nearly always in the top five when it is held at
# all; more rows cost bandwidth (the `select` keeps each small) for little gain.
ROWS = 5
SELECT = (
    "DOI,title,author,issued,published-print,published-online,container-title,"
    "short-container-title,volume,issue,page,type,score,updated-by"
)
# Crossref's score is a sum over the query's terms (Elasticsearch BM25), so it grows with the
# length of the query: a 40-word reference scores its right record near 100, a 12-word one
# near 50. The floor is therefore per query word: a hit scoring below SCORE_PER_WORD x (words
# in the query) shares too little of the string to be worth validating. Measured on 30 real
# PMC reference strings against the bench mock: right records scored 2.2-5.6 per word, the
# runners-up 0.5-2; the floor sits well under the right ones and lets validation decide.
SCORE_PER_WORD = 1.0
# ... counting only the first few authors' names: a registry's record may list only its first
# author(s), and then a long author list (25 names, 50 words) in the query pulls the floor
# above the right record's score though title, venue, year and pages all match.
FLOOR_AUTHORS = 3
# ... nor the words of links and identifiers ("https://doi.org/10.48550/arXiv.2204.14198"):
# a record holds them in no field that the search scores, and a preprint's DOI next to an
# entry would lift the floor over the published version searched for.
_LINK_OR_ID = re.compile(r"\S*(?:https?://|www\.|doi:|arxiv:|\b10\.\d{4,9}/)\S*", re.IGNORECASE)
# Longest query sent: a reference is a few hundred characters; the rest is noise.
MAX_QUERY_CHARS = 1000

_MARKDOWN_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_MARKUP = re.compile(r"[*_`#>]+")
_LIST_MARKER = re.compile(r"^\s*(?:[-+•·]|\d{1,3}[.)]|\[\d{1,3}\]|\(\d{1,3}\))\s+")
_WORD = re.compile(r"\w+")


# Work types Crossref holds nearly all of, so that a search miss says "no such work".
COVERED_TYPES = frozenset({"article-journal", "paper-conference"})


def covers(fields: Fields) -> bool:
    """Whether Crossref's silence on this claim is evidence (see `candidates.indexed_claim`)."""
    return indexed_claim(fields, COVERED_TYPES, bare=True)


class CrossrefSearchResolver(SearchingResolver):
    """Finds free-text references by Crossref's bibliographic search, validated field by field."""

    # Part of the crossref source: the same API, limits and pool as the DOI lookups.
    name = "crossref"
    label = "Crossref"
    kinds = frozenset({Kind.REFERENCE})

    def search_query(self, citation: Citation) -> str:
        """The entry as written (`query_text`), when a title could be read from it."""
        return query_text(citation) if citation.fields.title else ""

    def search_request(self, query: str) -> SearchRequest:
        """`works?query.bibliographic=…` for the first ROWS works, with the contact address."""
        params = {"query.bibliographic": query, "rows": str(ROWS), "select": SELECT}
        if self.config.mailto:
            params["mailto"] = self.config.mailto
        return SearchRequest(f"{self.config.crossref_url}/works", params)

    def read_hits(
        self, response: requests.Response, query: str, citation: Citation
    ) -> SearchResult:
        """The work items scoring at least the query's `score_floor`, of all it returned."""
        items = _items(parse_json(response, self.name))
        for item in items:
            require_shape(item, CSL_SHAPE, self.name)
        return SearchResult(hits(items, score_floor(query, citation.fields)), len(items))

    def covers(self, fields: Fields) -> bool:
        """See the module's `covers`."""
        return covers(fields)


def query_text(citation: Citation) -> str:
    """What to search for: the entry as written, without markdown and list markers.

    A BibTeX entry is rebuilt from its fields instead: its field names and braces are not
    words of the reference and would only dilute the query."""
    raw = citation.raw.strip()
    if raw.startswith("@"):
        return _fields_text(citation.fields)[:MAX_QUERY_CHARS]
    cleaned = _MARKDOWN_LINK.sub(r"\1", raw)
    cleaned = _LIST_MARKER.sub("", cleaned)
    cleaned = _MARKUP.sub(" ", cleaned)
    return " ".join(cleaned.split())[:MAX_QUERY_CHARS]


def _fields_text(fields: Fields) -> str:
    names = [a.family or a.name or "" for a in fields.authors]
    parts = [*names, fields.title, fields.container, fields.year, fields.volume, fields.pages]
    return " ".join(str(p) for p in parts if p)


def score_floor(query: str, fields: Fields | None = None) -> float:
    """The least relevance score worth validating, for a query this long (see SCORE_PER_WORD),
    not counting links and identifiers, nor the names of the claim's authors after the
    first FLOOR_AUTHORS."""
    later = (fields.authors if fields else [])[FLOOR_AUTHORS:]
    names = " ".join(" ".join(filter(None, (a.family, a.given, a.name))) for a in later)
    words = len(_WORD.findall(_LINK_OR_ID.sub(" ", query))) - len(_WORD.findall(names))
    return SCORE_PER_WORD * max(words, 0)


def _items(payload: Any) -> list[dict[str, Any]]:
    """The work items of a work-list answer; BadResponse when the envelope is not one."""
    message = payload.get("message") if isinstance(payload, dict) else None
    items = message.get("items") if isinstance(message, dict) else None
    if not isinstance(items, list):
        raise BadResponse("crossref answered HTTP 200 without a list of works")
    return [item for item in items if isinstance(item, dict)]


def hits(items: list[dict[str, Any]], floor: float) -> list[Hit]:
    """The work items scoring at least `floor`, as Hits with their short journal names."""
    return [
        Hit(candidate_record(item), [a for a in [text(item.get("short-container-title"))] if a])
        for item in items
        if _score(item) >= floor
    ]


def _score(item: dict[str, Any]) -> float:
    score = item.get("score")
    if isinstance(score, (int, float)) and not isinstance(score, bool):
        return float(score)
    return 0.0


def candidate_record(item: dict[str, Any]) -> Record:
    """A Record from a search hit (the same mapping as a DOI lookup's work message)."""
    fields = csl_fields(item)
    doi = fields.doi or ""
    return Record(
        source=CrossrefSearchResolver.name,
        id=doi,
        fields=fields,
        url=doi_link(doi) if doi else None,
        flags=update_flags(item),
        notices=update_notices(item),
    )
