"""doi.org: the authority on whether a DOI exists, whoever registered it.

Two requests:
1. The Handle API, `{doi_url}/api/handles/{doi}`: `responseCode` 1 means the DOI exists;
   100 (with HTTP 404) means it does not, and that is authoritative: every registration
   agency (Crossref, DataCite, mEDRA, …) registers its DOIs in this one Handle system.
   A 404 without a Handle answer (a proxy's error page) proves nothing: failed.
2. Content negotiation, `{doi_url}/{doi}` with `Accept: application/vnd.citationstyles.csl+json`:
   doi.org redirects to the agency (Crossref's transform, DataCite's CSL), which answers
   CSL-JSON. Not every agency offers it and the agency may be down; the DOI still exists,
   so the lookup is FOUND with a DOI-only record flagged `metadata_unavailable`.

arXiv ids are looked up as the DataCite DOIs arXiv registers for every paper,
`10.48550/arXiv.<id without version>`.

The DOI goes into both paths as one encoded segment (`ids.path_segment`). An answer about
another DOI is no answer: a Handle answer naming another `handle`, or CSL-JSON whose `DOI`
is another one, makes the lookup FAILED (`WrongRecord`, flag `wrong_record`). CSL-JSON
without a DOI, or with fields of the wrong type, counts as no metadata (the Handle answer
still proves that the DOI exists).
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from ..errors import SourceError
from ..ids import ARXIV_DOI_PREFIX, doi_link, normalize_doi, path_segment
from ..model import Citation, Fields, Kind, Record
from .base import METADATA_UNAVAILABLE, Lookup, parse_json
from .common import ApiResolver, claimed_id, require_same_doi, split_arxiv_id
from .mapping import CSL_SHAPE, csl_fields, require_shape, text, update_flags, update_notices

CSL_JSON = "application/vnd.citationstyles.csl+json"
# Handle API response codes (Handle.net technical manual, "REST API"): 1 success; 200 "values
# not found" (the handle exists but holds none of the requested types); 100 handle not found.
HANDLE_FOUND = frozenset({1, 200})
HANDLE_NOT_FOUND = 100


class DoiResolver(ApiResolver):
    """Decides whether a DOI (or an arXiv id's DOI) exists, and fetches its CSL-JSON."""

    name = "doi"
    kinds = frozenset({Kind.DOI, Kind.ARXIV})

    def _lookup(self, citation: Citation) -> Lookup:
        doi, arxiv = target_doi(citation)
        exists = self._handle_exists(doi)
        if exists is not None and arxiv and exists.authoritative:
            # arXiv, not DataCite, is the authority on arXiv ids: a paper whose DOI was not
            # (yet) minted still exists. The arXiv source decides.
            reason = f"doi.org has no DOI {doi} for arXiv {arxiv}; arXiv itself decides"
            return Lookup.missing(self.name, reason, authoritative=False)
        if exists is not None:
            return exists
        record = self._record(doi)
        if arxiv:
            record.fields.arxiv = record.fields.arxiv or arxiv
        return Lookup.found(self.name, record)

    def _handle_exists(self, doi: str) -> Lookup | None:
        """None when the DOI exists; otherwise the MISSING or FAILED lookup to return."""
        response = self._get(f"{self.config.doi_url}/api/handles/{path_segment(doi)}")
        if response.status_code not in (HTTPStatus.OK, HTTPStatus.NOT_FOUND):
            return self._unexpected(response)
        payload = parse_json(response, self.name)
        handle = payload.get("handle") if isinstance(payload, dict) else None
        if handle is not None:  # the Handle API names the handle it answers about
            require_same_doi(doi, text(handle), self.name)
        code = _response_code(payload)
        if code == HANDLE_NOT_FOUND:
            return Lookup.missing(self.name, f"doi.org has no DOI {doi}", authoritative=True)
        if response.status_code == HTTPStatus.OK and code in HANDLE_FOUND:
            return None
        return Lookup.failed(
            self.name,
            f"doi.org answered HTTP {response.status_code} with Handle response code {code}",
        )

    def _record(self, doi: str) -> Record:
        """The DOI's CSL-JSON as a Record, or a DOI-only Record when none can be had."""
        try:
            csl = self._csl(doi)
        except SourceError:
            csl = None
        named = text(csl.get("DOI")) if csl is not None else None
        if csl is None or named is None:
            return Record(
                source=self.name,
                id=doi,
                fields=Fields(doi=doi),
                url=doi_link(doi),
                flags=[METADATA_UNAVAILABLE],
            )
        require_same_doi(doi, named, self.name)
        fields = csl_fields(csl)
        return Record(
            source=self.name,
            id=doi,
            fields=fields,
            url=doi_link(doi),
            flags=update_flags(csl),
            notices=update_notices(csl),
        )

    def _csl(self, doi: str) -> dict[str, Any] | None:
        response = self._get(
            f"{self.config.doi_url}/{path_segment(doi)}", headers={"Accept": CSL_JSON}
        )
        if response.status_code != HTTPStatus.OK:
            return None
        payload = parse_json(response, self.name)
        if not isinstance(payload, dict):
            return None
        require_shape(payload, CSL_SHAPE, self.name)
        return payload


def target_doi(citation: Citation) -> tuple[str, str | None]:
    """The DOI to ask doi.org about, and the arXiv id (without version) when it is one."""
    if citation.kind is Kind.ARXIV:
        base, _version = split_arxiv_id(claimed_id(citation, "arxiv"))
        return ARXIV_DOI_PREFIX + base, base
    return normalize_doi(claimed_id(citation, "doi")), None


def _response_code(payload: Any) -> int | None:
    code = payload.get("responseCode") if isinstance(payload, dict) else None
    return code if isinstance(code, int) else None
