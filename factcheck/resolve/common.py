"""What every API resolver shares: the failure contract and identifier handling (DOI, arXiv).

The Resolver protocol promises that `lookup` never raises for source trouble. `Http.get` and
`parse_json` raise `SourceError`s, so `ApiResolver.lookup` is the one place that turns them
into FAILED lookups; subclasses write `_lookup` as if the network always answered, and raise
`BadResponse` when an answer does not have the shape the API promises.

Identifiers go into URL paths only through `ids.path_segment` (one encoded segment each),
and an answer counts only when it is about the identifier asked for: a record whose DOI,
arXiv id or PMID is another one raises `WrongRecord` (FAILED, flag `wrong_record`), because
it is no evidence about the claim, however it came (a path that a server normalised, an
alias, a proxy, a hostile server).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar

from ..errors import BadResponse, SourceError
from ..flags import WRONG_RECORD
from ..ids import doi_key
from ..lookup import Lookup
from ..model import Citation, Kind
from ..normalize import ascii_lower
from .settings import settings_for

if TYPE_CHECKING:
    import requests

    from ..config import Config
    from ..net.http import Http

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
        # Its own URL, key and limits (resolve/plugins.py): what a plugin source reads.
        self.settings = settings_for(type(self), config)

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

    def _asks_alone(self) -> bool:
        """Offline or replaying, each query is asked alone, never in a batch (`resolve.batch`):
        the cache and the recordings hold the requests of earlier runs, and a batch of other
        queries is not one of them."""
        return bool(self.config.offline or self.config.replay)

    def _unexpected(self, response: requests.Response) -> Lookup:
        """An HTTP status outside the API's contract says nothing about the work: FAILED."""
        return Lookup.failed(self.name, unanswered(self.name, response.status_code))


def unanswered(source: str, status: int) -> str:
    """Why an HTTP status outside the API's contract is no answer (a FAILED lookup's reason)."""
    return f"{source} answered HTTP {status}, which is not an answer"


def claimed_id(citation: Citation, field: str) -> str:
    """The identifier the citation claims: its parsed field, else its raw text."""
    value = getattr(citation.fields, field, None)
    return str(value or citation.raw).strip()


class WrongRecord(BadResponse):
    """The source answered with the record of another identifier than the one asked."""

    flags = (WRONG_RECORD,)


def require_same_doi(claimed: str, found: str | None, source: str) -> None:
    """WrongRecord unless the record's DOI is the claimed one (see `doi_key`)."""
    if found is None or doi_key(found) != doi_key(claimed):
        raise _wrong_record("DOI", claimed, found, source)


def require_same_id(kind: str, claimed: str, found: str | None, source: str) -> None:
    """WrongRecord unless the record's arXiv id or PMID is the claimed one (ASCII case aside)."""
    if found is None or ascii_lower(found.strip()) != ascii_lower(claimed.strip()):
        raise _wrong_record(kind, claimed, found, source)


def _wrong_record(kind: str, claimed: str, found: str | None, source: str) -> WrongRecord:
    held = f"{kind} {found}" if found else f"no {kind}"
    return WrongRecord(f"{source} answered with a record of {held}, not of {claimed}")


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
