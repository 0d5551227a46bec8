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

Bibliography entries without an identifier are searched for (`query.bibliographic`) by
`search.CrossrefSearchResolver`, which this resolver hands them to: one source, one API.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from ..config import Config
from ..errors import BadResponse
from ..ids import doi_link, normalize_doi, path_segment
from ..model import Citation, Kind, Record
from ..net.http import Http
from .base import Lookup, parse_json
from .common import ApiResolver, claimed_id, require_same_doi
from .mapping import CSL_SHAPE, csl_fields, require_shape, text, update_flags, update_notices

# Prefixes registered with DataCite, whose DOIs Crossref never holds: asking would cost a
# request for a certain 404. arXiv, Zenodo, figshare, Dryad, PANGAEA.
DATACITE_PREFIXES = frozenset({"10.48550", "10.5281", "10.6084", "10.5061", "10.1594"})


class CrossrefResolver(ApiResolver):
    """Looks DOIs up in Crossref's REST API (polite pool when `mailto` is configured)."""

    name = "crossref"
    kinds = frozenset({Kind.DOI, Kind.REFERENCE})

    def __init__(self, http: Http, config: Config) -> None:
        super().__init__(http, config)
        from .search import CrossrefSearchResolver

        self._search = CrossrefSearchResolver(http, config)

    def _lookup(self, citation: Citation) -> Lookup:
        if citation.kind is Kind.REFERENCE:
            return self._search.lookup(citation)
        doi = normalize_doi(claimed_id(citation, "doi"))
        if doi.split("/", 1)[0] in DATACITE_PREFIXES:
            return Lookup.missing(
                self.name,
                f"{doi} is a DataCite DOI, which Crossref does not hold",
                authoritative=False,
            )
        response = self._get(
            f"{self.config.crossref_url}/works/{path_segment(doi)}", self._params()
        )
        if response.status_code == HTTPStatus.NOT_FOUND:
            return Lookup.missing(
                self.name,
                f"Crossref does not hold {doi}; it may be registered with another agency",
                authoritative=False,
            )
        if response.status_code != HTTPStatus.OK:
            return self._unexpected(response)
        message = _message(parse_json(response, self.name))
        require_shape(message, CSL_SHAPE, self.name)
        require_same_doi(doi, text(message.get("DOI")), self.name)
        return Lookup.found(self.name, work_record(message, doi))

    def _params(self) -> dict[str, str]:
        """`mailto` puts us in Crossref's polite pool, as Crossref asks of API users."""
        return {"mailto": self.config.mailto} if self.config.mailto else {}


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
