"""The exceptions factcheck raises. Catch `FactcheckError` to catch them all."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, ClassVar

from .flags import DNS_UNAVAILABLE
from .safetext import safe_line

if TYPE_CHECKING:
    from .model import Report

# How many failing references the message of `FactCheckFailed` names.
FAILED_MESSAGE_LISTED = 3


class FactcheckError(Exception):
    """Base class of every error factcheck raises on purpose."""


class InputError(FactcheckError):
    """The input cannot be checked: missing, binary, empty or undecodable."""


class TextTooLarge(InputError):
    """A text is longer than `max_text_chars`. It is refused whole, rather than checked in
    part, so that no claim in it goes silently unchecked."""

    MESSAGE = (
        "{name}: {size:,} characters, more than the limit of {limit:,} per text "
        "(max_text_chars, FACTCHECK_MAX_TEXT_CHARS); split it or raise the limit"
    )

    @classmethod
    def of(cls, name: str, size: int, limit: int) -> TextTooLarge:
        """The error for text `name` of `size` characters against `limit`, saying the fix."""
        return cls(cls.MESSAGE.format(name=name, size=size, limit=limit))


class ConfigError(FactcheckError):
    """A configuration value is invalid (unknown source, bad cache spec, …)."""


class SourceError(FactcheckError):
    """A source could not answer. Always leads to `unverifiable`, never `not_found`.

    `reason` is one sentence a person can act on; it ends up in the verdict, and `flags`
    (of the class) name the cause for the verdict's flags, where a subclass has one.
    """

    flags: ClassVar[tuple[str, ...]] = ()

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class SourceUnavailable(SourceError):
    """Connection refused or reset, DNS failure, timeout, 5xx after retries."""


class DnsUnavailable(SourceUnavailable):
    """A name did not resolve, and neither did a name that must exist: DNS does not work
    where factcheck runs (no network, a resolver that knows only internal names), so the
    name's absence proves nothing (`net.reachability`)."""

    flags = (DNS_UNAVAILABLE,)


class RateLimited(SourceError):
    """The source kept answering 429 after we backed off as it asked."""


class BadResponse(SourceError):
    """The source answered, but not with what its API promises (bad JSON, wrong type, too big)."""


class UnsafeIdentifier(SourceError):
    """An identifier that cannot be put into a URL path without naming another resource
    (empty, `.` or `..`): it is not looked up."""


class OfflineMiss(SourceError):
    """Offline mode, and the cache holds no answer for this request."""


class UnsafeURL(SourceError):
    """The URL points at a private, loopback or otherwise refused address or scheme."""


class FactCheckFailed(FactcheckError):
    """A guarded call's answer failed its check (`on_fail="exception"`).

    `report` is the whole Report, so the caller can show or log what failed and why.
    """

    def __init__(self, report: Report) -> None:
        failures = report.failures()
        # The message may reach a terminal (a traceback): no control characters in it.
        named = ", ".join(
            f"{safe_line(f.citation.raw)} ({f.verdict.status.value})"
            for f in failures[:FAILED_MESSAGE_LISTED]
        )
        more = len(failures) - FAILED_MESSAGE_LISTED
        suffix = f", and {more} more" if more > 0 else ""
        super().__init__(f"{len(failures)} reference(s) failed the check: {named}{suffix}")
        self.report = report


# The old spelling of FactCheckFailed, one capital away from FactcheckError (the base of all):
# still answered, with a DeprecationWarning, so that code written for it keeps working.
DEPRECATED_NAMES = {"FactCheckError": "FactCheckFailed"}

if TYPE_CHECKING:
    FactCheckError = FactCheckFailed


def __getattr__(name: str) -> type[FactcheckError]:
    """`FactCheckError`, the deprecated spelling, with a warning; nothing else."""
    new = DEPRECATED_NAMES.get(name)
    if new is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    warnings.warn(
        f"{name} is deprecated: use {new} ({name} differs from FactcheckError, the base of "
        "every factcheck error, by one capital)",
        DeprecationWarning,
        stacklevel=3,
    )
    found: type[FactcheckError] = globals()[new]
    return found
