"""The Resolver protocol, the Lookup it returns, and the registry of resolvers.

A resolver knows one source's API and HTTP, never how a verdict is decided. It turns a
Citation into a Lookup: the records it found, an answer that it holds nothing, or the
reason it could not answer. Network trouble is always `Outcome.FAILED`, which the judge
turns into `unverifiable`.

Third-party resolvers register under the entry point group `factcheck.resolvers`.
"""

from __future__ import annotations

import json
import logging
from enum import Enum
from importlib import metadata
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from pydantic import BaseModel, Field

from ..errors import BadResponse, ConfigError, FactcheckError, SourceError
from ..model import Citation, Kind, Record
from ..net.http import JSON_TYPE

if TYPE_CHECKING:
    import requests

    from ..config import Config
    from ..net.http import Http

logger = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "factcheck.resolvers"
# A record's flag: the identifier exists, but its metadata could not be fetched. Half an
# answer: it proves existence and nothing the text says about the work, and it is not kept
# in the results cache (`results.storable`), so the next run asks again.
METADATA_UNAVAILABLE = "metadata_unavailable"
# A FAILED lookup's flag: the source answered with the record of another identifier than the
# one asked about (another DOI, arXiv id or PMID). That record is no evidence about the claim.
WRONG_RECORD = "wrong_record"
# A FAILED lookup's flag: checking the claim raised an error inside factcheck (a bug, or
# input that some library cannot take). Only this claim is affected.
INTERNAL_ERROR = "internal_error"
# How much of an exception's message a reason quotes.
MAX_CAUSE_CHARS = 200


class Outcome(str, Enum):
    FOUND = "found"
    MISSING = "missing"
    FAILED = "failed"


class Lookup(BaseModel):
    """One source's answer about one citation."""

    source: str
    outcome: Outcome
    records: list[Record] = Field(default_factory=list)
    reason: str = ""
    # True when a MISSING from this source proves the work does not exist (doi.org for
    # DOIs, arXiv for arXiv ids). Crossref's 404 is not: DataCite DOIs live elsewhere.
    authoritative: bool = False
    # Why a FAILED lookup failed, for the verdict's flags (`dns_unavailable`, `wrong_record`,
    # `internal_error`).
    flags: list[str] = Field(default_factory=list)

    @classmethod
    def found(cls, source: str, *records: Record) -> Lookup:
        return cls(source=source, outcome=Outcome.FOUND, records=list(records))

    @classmethod
    def missing(cls, source: str, reason: str, *, authoritative: bool) -> Lookup:
        return cls(
            source=source, outcome=Outcome.MISSING, reason=reason, authoritative=authoritative
        )

    @classmethod
    def failed(cls, source: str, reason: str, *flags: str) -> Lookup:
        return cls(source=source, outcome=Outcome.FAILED, reason=reason, flags=list(flags))

    @classmethod
    def failed_by(cls, source: str, error: SourceError) -> Lookup:
        """The FAILED lookup for a SourceError: its reason, and its flags."""
        return cls(
            source=source, outcome=Outcome.FAILED, reason=error.reason, flags=list(error.flags)
        )


class Resolver(Protocol):
    """A source. `kinds` says which citation kinds it can look up."""

    name: ClassVar[str]
    kinds: ClassVar[frozenset[Kind]]

    def __init__(self, http: Http, config: Config) -> None: ...

    def lookup(self, citation: Citation) -> Lookup:
        """Never raises for network trouble: returns `Lookup.failed` instead."""
        ...


def finds_published(resolver: Resolver) -> bool:
    """Whether a source can hold the published version of a work, not only its preprint
    (a resolver says otherwise with a class attribute `preprints_only = True`)."""
    return not getattr(resolver, "preprints_only", False)


def guarded(resolver: Resolver, citation: Citation) -> Lookup:
    """Run a lookup, turning anything it raised into a FAILED Lookup of this claim alone.

    A SourceError is the source's trouble and keeps its reason. Any other exception is ours
    or a library's (`getaddrinfo`'s UnicodeError for a host with an empty label, a third-party
    resolver's bug): it must not take the rest of the text's claims down with it, and it
    must not pass for an answer, so the claim is `unverifiable` with the flag
    `internal_error` and the exception named in the reason. factcheck's own errors about the
    configuration or the input (ConfigError) are not about one claim, and still propagate."""
    try:
        return resolver.lookup(citation)
    except SourceError as exc:
        return Lookup.failed_by(resolver.name, exc)
    except FactcheckError:
        raise  # a ConfigError (a library file that cannot be read) stops the check on purpose
    except Exception as exc:
        logger.debug("%s failed on %r", resolver.name, citation.raw, exc_info=True)
        return internal_error(resolver.name, exc)


def internal_error(source: str, exc: BaseException) -> Lookup:
    """The FAILED lookup for an exception that is no answer of `source`."""
    reason = f"{source} could not check this claim: {describe(exc)}"
    return Lookup.failed(source, reason, INTERNAL_ERROR)


def describe(exc: BaseException) -> str:
    """An exception in a few words: its type and message (`UnicodeError: label empty or too
    long`), cut at MAX_CAUSE_CHARS, never its traceback."""
    message = " ".join(str(exc).split())
    if len(message) > MAX_CAUSE_CHARS:
        message = message[: MAX_CAUSE_CHARS - 1] + "…"
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def parse_json(response: requests.Response, source: str) -> Any:
    """The JSON body, or BadResponse when the body is not JSON as the API promises. The
    reason names what came instead when its Content-Type says so (a proxy's HTML page).
    JSON nested deeper than Python's recursion limit (no API nests beyond a dozen levels)
    is refused as such, rather than raising RecursionError."""
    try:
        return json.loads(response.content)
    except RecursionError as exc:
        raise BadResponse(f"{source} answered with JSON nested too deeply to read") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        kind = response.headers.get("Content-Type", "").split(";")[0].strip()
        sent = f"{kind} instead of JSON" if kind and JSON_TYPE not in kind else "invalid JSON"
        raise BadResponse(f"{source} answered HTTP {response.status_code} with {sent}") from exc


def registry() -> dict[str, type[Resolver]]:
    """Built-in resolvers plus those registered by entry point, by name."""
    from . import arxiv, crossref, dblp, doi, library, openalex, openlibrary, pubmed, web

    found: dict[str, type[Resolver]] = {
        cls.name: cls
        for cls in (
            crossref.CrossrefResolver,
            doi.DoiResolver,
            arxiv.ArxivResolver,
            pubmed.PubmedResolver,
            openlibrary.OpenLibraryResolver,
            web.WebResolver,
            openalex.OpenAlexResolver,
            dblp.DblpResolver,
            library.LibraryResolver,
        )
    }
    for entry in metadata.entry_points(group=ENTRY_POINT_GROUP):
        found[entry.name] = entry.load()
    return found


def build(names: tuple[str, ...], http: Http, config: Config) -> list[Resolver]:
    """Instantiate the named resolvers, in the given order."""
    available = registry()
    unknown = [n for n in names if n not in available]
    if unknown:
        raise ConfigError(
            f"unknown source(s): {', '.join(unknown)}; known: {', '.join(sorted(available))}"
        )
    return [available[n](http, config) for n in names]
