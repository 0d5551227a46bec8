"""One template for every searching source: query, answer, hits, titled hits, `decide`.

Crossref's bibliographic search, OpenAlex, DBLP, arXiv, PubMed, Semantic Scholar, Europe PMC,
OpenReview and the local library all search the same way. `SearchResolver.search` is that
way, written once:
- the source builds its query from the claim (`search_query`); a claim it cannot search
  (no title) gets `candidates.not_searched`, and no request is spent on it;
- the source answers the query with its hits as Records (`search_hits`), and says how many
  works it returned in all;
- hits without a title are dropped (nothing could confirm them), and `candidates.decide`
  takes a hit only when the claim's fields confirm it; every other answer is MISSING,
  authoritative as the source's `covers` says, and names the source by its `label`.

`SearchingResolver` fills `search_hits` for an API on the network, the same for each: one
GET of the source's `search_request`, any status but 200 FAILED (`unanswered`; 429s and 5xx
never get here, `Http.get` raises them as trouble), and the 200 answer read by the source's
`read_hits`. A JSON API reads its answer with `read_json` and a `JsonSearch`:
- a body that is not the JSON the API promises, or without the list of hits where the API
  puts it, is FAILED (BadResponse), never "no hits";
- each hit's fields must keep to the source's shape (`mapping.require_shape`).

So a searching source supplies only its query and its parser (and when its silence is
evidence); arXiv adds its batching (`resolve.batch`) around the request, PubMed a second
request (esummary) for the records of the PMIDs its search returned.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, ClassVar

from ..errors import BadResponse, SourceError
from ..lookup import Lookup
from ..model import Citation, Fields
from .base import parse_json
from .candidates import Hit, decide, not_searched
from .common import ApiResolver, unanswered
from .mapping import Shape, require_shape

if TYPE_CHECKING:
    import requests

    from ..config import Config

# The hits of an answer: the JSON objects in it, or None when the answer holds no list of
# hits where the API puts it (`items_at` builds the usual reader).
Items = Callable[[Any], list[dict[str, Any]] | None]


@dataclass(frozen=True)
class SearchResult:
    """A source's answer to one search: its hits, in its order, and how many works it
    returned in all (the hits it could not read or show are counted too, as the source's
    reasons say how many it found)."""

    hits: list[Hit]
    total: int


@dataclass(frozen=True)
class SearchRequest:
    """The one GET a search sends."""

    url: str
    params: Mapping[str, str]
    headers: Mapping[str, str] | None = field(default=None)


class SearchResolver:
    """The template of a searching source (see the module docstring). A source names itself
    (`name`, and `label` as reasons name it) and fills in `search_query`, `search_hits` and
    `covers`; `search` is the rest, the same for each."""

    name: ClassVar[str]
    # How reasons name the source ("Semantic Scholar", "the library").
    label: ClassVar[str]
    # The source's settings; their `thresholds` decide which hits are the cited work.
    config: Config

    def search(self, citation: Citation) -> Lookup:
        """The source's answer for a reference: an accepted hit, or a miss saying why."""
        query = self.search_query(citation)
        if not query:
            return not_searched(self.name)
        result = self.search_hits(query, citation)
        titled = [hit for hit in result.hits if hit.record.fields.title]
        covered = self.covers(citation.fields)
        thresholds = self.config.thresholds
        return decide(self.name, self.label, citation, titled, result.total, covered, thresholds)

    def search_query(self, citation: Citation) -> str:
        """What to search for; empty when the claim cannot be searched (it has no title)."""
        raise NotImplementedError

    def search_hits(self, query: str, citation: Citation) -> SearchResult:
        """The source's hits for `query`; raises SourceError when it gives no answer."""
        raise NotImplementedError

    def covers(self, fields: Fields) -> bool:
        """Whether the source's silence on a claim with these fields is evidence."""
        raise NotImplementedError


class SearchingResolver(ApiResolver, SearchResolver):
    """A searching source on the network: one GET per search (see the module docstring).
    A source fills in `search_request` and `read_hits`, besides its query and `covers`."""

    def _lookup(self, citation: Citation) -> Lookup:
        """A reference is searched; a source that also looks up identifiers overrides this."""
        return self.search(citation)

    def search_hits(self, query: str, citation: Citation) -> SearchResult:
        """The hits of the one request `search_request` builds, read by `read_hits`."""
        return self.read_hits(self.fetch(self.search_request(query)), query, citation)

    def search_request(self, query: str) -> SearchRequest:
        """The GET that searches for `query`."""
        raise NotImplementedError

    def read_hits(
        self, response: requests.Response, query: str, citation: Citation
    ) -> SearchResult:
        """The hits of a 200 answer to `query`; BadResponse when it is not the answer the
        API promises."""
        raise NotImplementedError

    def fetch(self, request: SearchRequest) -> requests.Response:
        """The 200 answer to `request`; SourceError for any other status."""
        response = self._get(request.url, request.params, request.headers)
        if response.status_code != HTTPStatus.OK:
            raise SourceError(unanswered(self.name, response.status_code))
        return response

    def read_json(self, response: requests.Response, search: JsonSearch) -> SearchResult:
        """The hits of a JSON answer, read as `search` says (see the module docstring)."""
        items = search.items(parse_json(response, self.name))
        if items is None:
            raise BadResponse(f"{self.name} answered HTTP 200 without a list of hits")
        for item in items:
            require_shape(item, search.shape, self.name)
        return SearchResult([search.hit(item) for item in items], len(items))


@dataclass(frozen=True)
class JsonSearch:
    """How a JSON API's search answer is read: where its hits are, their types, and how
    one becomes a Hit."""

    # The hits of a 200 answer (None: it holds no list of hits, so it is no answer).
    items: Items
    # The types of the fields `hit` reads.
    shape: Shape
    # A hit as a Record, with the other names of its venue.
    hit: Callable[[Mapping[str, Any]], Hit]


def items_at(*path: str) -> Items:
    """The reader of the objects in the list at `path` of an answer (`"resultList",
    "result"`), None when there is no list there."""

    def items(payload: Any) -> list[dict[str, Any]] | None:
        found = payload
        for key in path:
            found = found.get(key) if isinstance(found, dict) else None
        if not isinstance(found, list):
            return None
        return [item for item in found if isinstance(item, dict)]

    return items
