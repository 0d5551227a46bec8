"""What every API resolver shares: the failure contract and identifier handling (DOI, arXiv).

The Resolver protocol promises that `lookup` never raises for source trouble. `Http.get` and
`parse_json` raise `SourceError`s, so `ApiResolver.lookup` is the one place that turns them
into FAILED lookups; subclasses write `_lookup` as if the network always answered, and raise
`BadResponse` when an answer does not have the shape the API promises.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar
from urllib.parse import quote

from ..errors import SourceError
from ..model import Citation, Kind
from .base import Lookup

if TYPE_CHECKING:
    import requests

    from ..config import Config
    from ..net.http import Http

# The public resolver: where a person follows a DOI, whatever `Config.doi_url` points at.
DOI_ORG = "https://doi.org/"
# Prefixes that people and models put in front of a DOI.
DOI_PREFIXES = (
    "https://doi.org/",
    "http://doi.org/",
    "https://dx.doi.org/",
    "http://dx.doi.org/",
    "doi.org/",
    "doi:",
)
# A DOI suffix may hold any printable character, `<>;#?%` included (SICI DOIs do). Only `/`
# stays literal in a path; everything else reserved is percent-encoded.
DOI_PATH_SAFE = "/"
# Prefixes in front of an arXiv id, lower-cased.
ARXIV_PREFIXES = ("https://arxiv.org/abs/", "http://arxiv.org/abs/", "arxiv.org/abs/", "arxiv:")
# An arXiv id and its optional version: `1706.03762v5`, `hep-th/9901001v2`.
ARXIV_VERSION_RE = re.compile(r"(?P<base>.+?)(?P<version>v\d+)?")


class ApiResolver:
    """Base of the API resolvers: holds the HTTP client and config, keeps the no-raise promise."""

    name: ClassVar[str]
    kinds: ClassVar[frozenset[Kind]]

    def __init__(self, http: Http, config: Config) -> None:
        self.http = http
        self.config = config

    def lookup(self, citation: Citation) -> Lookup:
        """The source's answer; a source that could not answer gives a FAILED lookup."""
        try:
            return self._lookup(citation)
        except SourceError as exc:
            return Lookup.failed_by(self.name, exc)

    def _lookup(self, citation: Citation) -> Lookup:
        raise NotImplementedError

    def _get(
        self,
        url: str,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> requests.Response:
        return self.http.get(url, source=self.name, params=params, headers=headers)

    def _unexpected(self, response: requests.Response) -> Lookup:
        """An HTTP status outside the API's contract says nothing about the work: FAILED."""
        return Lookup.failed(
            self.name, f"{self.name} answered HTTP {response.status_code}, which is not an answer"
        )


def claimed_id(citation: Citation, field: str) -> str:
    """The identifier the citation claims: its parsed field, else its raw text."""
    value = getattr(citation.fields, field, None)
    return str(value or citation.raw).strip()


def normalize_doi(text: str) -> str:
    """A bare DOI (`10.x/y`) from the forms people write; case is kept, DOIs ignore it."""
    doi = text.strip()
    lowered = doi.lower()
    for prefix in DOI_PREFIXES:
        if lowered.startswith(prefix):
            return doi[len(prefix) :].strip()
    return doi


def doi_path(doi: str) -> str:
    """The DOI percent-encoded for use as URL path segments."""
    return quote(doi, safe=DOI_PATH_SAFE)


def doi_link(doi: str) -> str:
    """The public https://doi.org link of a DOI."""
    return DOI_ORG + doi_path(doi)


def split_arxiv_id(text: str) -> tuple[str, str | None]:
    """An arXiv id as (id without version, version such as "v2" or None)."""
    arxiv = text.strip()
    lowered = arxiv.lower()
    for prefix in ARXIV_PREFIXES:
        if lowered.startswith(prefix):
            arxiv = arxiv[len(prefix) :].strip()
            break
    match = ARXIV_VERSION_RE.fullmatch(arxiv)
    if match is None:  # empty text
        return arxiv, None
    return match.group("base"), match.group("version")
