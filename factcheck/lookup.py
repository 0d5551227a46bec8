"""The Lookup: one source's answer about one citation, shared by resolve and judge.

A resolver returns it, the judge reads it, and the results cache stores it. It lives here,
away from `resolve`, so that the judge, which does no I/O, imports no HTTP stack with it;
`factcheck.resolve.base` re-exports every name for the code that imported them from there.
"""

from __future__ import annotations

from enum import Enum

from pydantic import BaseModel, Field

from .errors import SourceError
from .flags import INTERNAL_ERROR
from .model import Record

# How much of an exception's message a reason quotes.
MAX_CAUSE_CHARS = 200


class Outcome(str, Enum):
    """What a source said: it holds the work (FOUND), it holds no such work (MISSING), or
    it could not answer (FAILED, which never becomes `not_found`)."""

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
        """`source` holds the work: these are its records of it, best first."""
        return cls(source=source, outcome=Outcome.FOUND, records=list(records))

    @classmethod
    def missing(cls, source: str, reason: str, *, authoritative: bool) -> Lookup:
        """`source` answered and holds no such work; `authoritative` when that proves the
        work does not exist (the identifier's registry), not only that this source lacks it."""
        return cls(
            source=source, outcome=Outcome.MISSING, reason=reason, authoritative=authoritative
        )

    @classmethod
    def failed(cls, source: str, reason: str, *flags: str) -> Lookup:
        """`source` could not answer, for `reason` (one sentence a person can act on)."""
        return cls(source=source, outcome=Outcome.FAILED, reason=reason, flags=list(flags))

    @classmethod
    def failed_by(cls, source: str, error: SourceError) -> Lookup:
        """The FAILED lookup for a SourceError: its reason, and its flags."""
        return cls(
            source=source, outcome=Outcome.FAILED, reason=error.reason, flags=list(error.flags)
        )


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
