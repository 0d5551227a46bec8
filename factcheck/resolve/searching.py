"""The title search that the JSON searching sources share: one request, the hits read and
checked, and `candidates.decide`.

Semantic Scholar, Europe PMC, OpenReview, OpenAlex and DBLP differ only in where a search is
sent, the envelope their hits come in, the types of a hit's fields, how a hit becomes a
Record, what their name is in a reason, and when their silence is evidence. `JsonSearch` holds those
differences; `SearchingResolver.search_json` is the rest, the same for each:
- any status but 200 is FAILED (`ApiResolver._unexpected`); 429s and 5xx never get here,
  `Http.get` raises them as trouble;
- a body that is not the JSON the API promises, or without the list of hits where the API
  puts it, is FAILED (BadResponse), never "no hits";
- each hit's fields must keep to the source's shape (`mapping.require_shape`);
- hits without a title are dropped (nothing could confirm them), and `decide` takes a hit
  only when the claim's fields confirm it; every other answer is MISSING, authoritative as
  the source's `covers` says.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from ..errors import BadResponse
from ..lookup import Lookup
from ..model import Citation, Fields
from .base import parse_json
from .candidates import Hit, decide
from .common import ApiResolver
from .mapping import Shape, require_shape

# The hits of an answer: the JSON objects in it, or None when the answer holds no list of
# hits where the API puts it (`items_at` builds the usual reader).
Items = Callable[[Any], list[dict[str, Any]] | None]


@dataclass(frozen=True)
class JsonSearch:
    """What one source's title search differs in (see the module docstring)."""

    # How reasons name the source ("Semantic Scholar").
    label: str
    # The hits of a 200 answer (None: it holds no list of hits, so it is no answer).
    items: Items
    # The types of the fields `hit` reads.
    shape: Shape
    # A hit as a Record, with the other names of its venue.
    hit: Callable[[Mapping[str, Any]], Hit]
    # Whether the source's silence on a claim with these fields is evidence.
    covers: Callable[[Fields], bool]


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


class SearchingResolver(ApiResolver):
    """An API resolver with a JSON title search (see the module docstring)."""

    def search_json(
        self,
        citation: Citation,
        search: JsonSearch,
        url: str,
        params: Mapping[str, str],
        headers: Mapping[str, str] | None = None,
    ) -> Lookup:
        """Send one search and decide on its hits; FAILED for anything but the promised
        answer."""
        response = self._get(url, params, headers)
        if response.status_code != HTTPStatus.OK:
            return self._unexpected(response)
        items = search.items(parse_json(response, self.name))
        if items is None:
            raise BadResponse(f"{self.name} answered HTTP 200 without a list of hits")
        for item in items:
            require_shape(item, search.shape, self.name)
        hits = [search.hit(item) for item in items]
        titled = [h for h in hits if h.record.fields.title]
        covered = search.covers(citation.fields)
        return decide(
            self.name, search.label, citation, titled, len(items), covered, self.config.thresholds
        )
