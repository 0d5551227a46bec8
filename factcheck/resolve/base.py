"""The Resolver protocol, and what every lookup shares: its failures, its JSON.

A resolver knows one source's API and HTTP, never how a verdict is decided. It turns a
Citation into a Lookup: the records it found, an answer that it holds nothing, or the
reason it could not answer. Network trouble is always `Outcome.FAILED`, which the judge
turns into `unverifiable`.

Sources are found and loaded by `resolve.plugins` (the entry-point group
`factcheck.resolvers`). `Lookup`, `Outcome` and their flags live in `factcheck.lookup`, which
imports no HTTP stack; they are re-exported here for the code that imports them from here.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from ..errors import BadResponse, FactcheckError, SourceError
from ..flags import INTERNAL_ERROR, METADATA_UNAVAILABLE, WRONG_RECORD
from ..lookup import MAX_CAUSE_CHARS, Lookup, Outcome, describe, internal_error
from ..model import Citation, Kind
from ..net.http import JSON_TYPE

if TYPE_CHECKING:
    import requests

    from ..config import Config
    from ..net.http import Http

__all__ = [
    "INTERNAL_ERROR",
    "MAX_CAUSE_CHARS",
    "METADATA_UNAVAILABLE",
    "WRONG_RECORD",
    "Lookup",
    "Outcome",
    "Resolver",
    "describe",
    "finds_published",
    "guarded",
    "internal_error",
    "parse_json",
]

logger = logging.getLogger(__name__)


class Resolver(Protocol):
    """A source. `kinds` says which citation kinds it can look up; `name` is the name it is
    registered under (`resolve.plugins`), and keys its rate limits and cached answers.

    Optional class attributes: `default_url`, `limit` (a `net.limits.Limit`) and
    `settings_model` (a `settings.SourceSettings` subclass) give a source its own place, key
    and pace (`settings.settings_for`); `preprints_only = True` (`finds_published`)."""

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
