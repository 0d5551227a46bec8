"""Crossref: the registration agency of most journal DOIs, and a rich metadata record.

`GET {crossref_url}/works/{doi}` answers 200 with `{"status": "ok", "message": {…work…}}`
or 404 with the text "Resource not found.".

What the answers mean:
- 200: found. The record carries `retracted` / `retraction_notice` flags from the work's
  `updated-by` / `update-to` lists.
- 404: missing, but never authoritative. Crossref only holds its own DOIs; DataCite's
  (arXiv `10.48550`, Zenodo `10.5281`), mEDRA's and others' 404 here while they exist.
  doi.org decides existence.
- Any other status (400 for a request Crossref rejects, 401/403 from a proxy…): failed.
  Crossref did not say anything about the work, so nothing may be concluded.
- A 200 that is not JSON, or not a work message: failed (BadResponse). So is a work
  message whose fields have the wrong type (`title: 12345`, `author: {}`): no evidence.
- A 200 with the work of another DOI: failed (`WrongRecord`, flag `wrong_record`). The DOI
  is sent as one encoded path segment, so `10.7777/../10.1234/abc` cannot ask for
  `10.1234/abc`; should an answer still be about another DOI, it proves nothing.

With `batch_dois` (off by default), several DOIs of one text share one request,
`GET {crossref_url}/works?filter=doi:a,doi:b`
(a filter named twice ORs its values), with `rows` the number of DOIs: the DOIs a Checker
announces (`chain.Gathering`) go into the first batch at once, as Crossref is asked first
about every DOI (`batch.DoiBatches`). Each DOI reads its own item of the answer as a lookup
of that DOI alone reads the work: a DOI with no item means what a 404 means; an item of the
wrong shape fails that DOI alone; a status other than 200, or an answer that is no work
list, fails every DOI of the batch (each `unverifiable`). A lone DOI, a DOI with a `,` or
`|` in it, and every DOI offline or replaying, is asked alone as before. (Off by default: an
HTTP cache then holds batch requests, which a later offline run cannot read.)

Bibliography entries without an identifier are searched for (`query.bibliographic`) by
`search.CrossrefSearchResolver`, which this resolver hands them to: one source, one API.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from ..config import Config
from ..errors import BadResponse, SourceError
from ..ids import doi_key, doi_link, normalize_doi, path_segment
from ..model import Citation, Kind, Record
from ..net.http import Http
from .base import Lookup, parse_json
from .batch import BatchedDois, DoiBatches
from .common import ApiResolver, claimed_id, require_same_doi, unanswered
from .mapping import CSL_SHAPE, csl_fields, require_shape, text, update_flags, update_notices

# Prefixes registered with DataCite, whose DOIs Crossref never holds: asking would cost a
# request for a certain 404. arXiv, Zenodo, figshare, Dryad, PANGAEA.
DATACITE_PREFIXES = frozenset({"10.48550", "10.5281", "10.6084", "10.5061", "10.1594"})
# DOIs looked up in one request at most: twenty keep the URL near 1.5 KB.
MAX_BATCH_DOIS = 20


class CrossrefResolver(BatchedDois, ApiResolver):
    """Looks DOIs up in Crossref's REST API (polite pool when `mailto` is configured)."""

    name = "crossref"
    kinds = frozenset({Kind.DOI, Kind.REFERENCE})

    def __init__(self, http: Http, config: Config) -> None:
        super().__init__(http, config)
        from .search import CrossrefSearchResolver

        self._search = CrossrefSearchResolver(http, config)
        self._dois: DoiBatches[Lookup] = DoiBatches(
            self._by_doi,
            self._by_dois,
            enabled=config.batch_dois and not self._asks_alone(),
            max_size=MAX_BATCH_DOIS,
            max_gather=0.0,
            ask_ahead=True,
        )

    def _batched_doi(self, citation: Citation | None) -> str | None:
        """The claimed DOI, unless a DataCite DOI, which is never asked here."""
        doi = super()._batched_doi(citation)
        return None if doi is None or _datacite(doi) else doi

    def _lookup(self, citation: Citation) -> Lookup:
        if citation.kind is Kind.REFERENCE:
            return self._search.lookup(citation)
        doi = normalize_doi(claimed_id(citation, "doi"))
        if _datacite(doi):
            return Lookup.missing(
                self.name,
                f"{doi} is a DataCite DOI, which Crossref does not hold",
                authoritative=False,
            )
        return self._dois.lookup(doi)

    def _by_doi(self, doi: str) -> Lookup:
        response = self._get(
            f"{self.config.crossref_url}/works/{path_segment(doi)}", self._params()
        )
        if response.status_code == HTTPStatus.NOT_FOUND:
            return self._not_held(doi)
        if response.status_code != HTTPStatus.OK:
            return self._unexpected(response)
        message = _message(parse_json(response, self.name))
        require_shape(message, CSL_SHAPE, self.name)
        require_same_doi(doi, text(message.get("DOI")), self.name)
        return Lookup.found(self.name, work_record(message, doi))

    def _by_dois(self, dois: list[str]) -> dict[str, Lookup]:
        """Several DOIs in one request, each its own answer (see the module docstring)."""
        params = {"filter": ",".join(f"doi:{doi}" for doi in dois), "rows": str(len(dois))}
        response = self._get(f"{self.config.crossref_url}/works", {**params, **self._params()})
        if response.status_code != HTTPStatus.OK:
            raise SourceError(unanswered(self.name, response.status_code))
        items = _message(parse_json(response, self.name)).get("items")
        if not isinstance(items, list):
            raise BadResponse("crossref answered HTTP 200 without a list of works")
        works: dict[str, Any] = {}
        for item in items:
            found = text(item.get("DOI")) if isinstance(item, dict) else None
            if found:
                works.setdefault(doi_key(found), item)
        return {doi: self._answer(doi, works.get(doi_key(doi))) for doi in dois}

    def _answer(self, doi: str, work: Any) -> Lookup:
        """One DOI's share of a batch: its work, or what a 404 says when it has none."""
        if work is None:
            return self._not_held(doi)
        try:
            require_shape(work, CSL_SHAPE, self.name)
        except SourceError as exc:
            return Lookup.failed_by(self.name, exc)
        return Lookup.found(self.name, work_record(work, doi))

    def _not_held(self, doi: str) -> Lookup:
        return Lookup.missing(
            self.name,
            f"Crossref does not hold {doi}; it may be registered with another agency",
            authoritative=False,
        )

    def _params(self) -> dict[str, str]:
        """`mailto` puts us in Crossref's polite pool, as Crossref asks of API users."""
        return {"mailto": self.config.mailto} if self.config.mailto else {}


def _datacite(doi: str) -> bool:
    """A DOI of a DataCite prefix, which Crossref never holds."""
    return doi.split("/", 1)[0] in DATACITE_PREFIXES


def _message(payload: Any) -> dict[str, Any]:
    """The work message of a Crossref answer, or BadResponse when the envelope is not one."""
    message = payload.get("message") if isinstance(payload, dict) else None
    if not isinstance(message, dict):
        raise BadResponse("crossref answered HTTP 200 without a work message")
    return message


def work_record(message: dict[str, Any], claimed_doi: str) -> Record:
    """A Record from a Crossref work message. Its DOI is Crossref's spelling when given."""
    fields = csl_fields(message)
    doi = fields.doi or claimed_doi
    return Record(
        source=CrossrefResolver.name,
        id=doi,
        fields=fields,
        url=doi_link(doi),
        flags=update_flags(message),
        notices=update_notices(message),
    )
