"""The top-level functions: `check`, `acheck`, `extract`, as in `requests.get`.

They use one shared default Checker built from the environment, created on first use, so
that repeated calls reuse the HTTP pool and cache. Pass keyword overrides (or build your
own `Checker`) for anything else.
"""

from __future__ import annotations

import threading
from typing import Any

from .checker import Checker
from .extract import extract as _extract
from .model import Citation, Kind, Report

_default: Checker | None = None
_default_lock = threading.Lock()


def default_checker() -> Checker:
    """The shared Checker configured from FACTCHECK_* variables."""
    global _default
    with _default_lock:
        if _default is None:
            _default = Checker()
        return _default


def check(text: str, **overrides: Any) -> Report:
    """Find every reference, identifier and URL in `text` and verify each one."""
    if not overrides:
        return default_checker().check(text)
    with Checker(**overrides) as checker:
        return checker.check(text)


async def acheck(text: str, **overrides: Any) -> Report:
    """`check` for async code."""
    if not overrides:
        return await default_checker().acheck(text)
    with Checker(**overrides) as checker:
        return await checker.acheck(text)


def check_reference(reference: str, **overrides: Any) -> Report:
    """Verify one reference string (a reference-list entry or one BibTeX entry) as an entry,
    whatever its shape: text that would not pass for a list entry is still checked."""
    citation = reference_citation(reference)
    if not overrides:
        return default_checker().verify([citation])
    with Checker(**overrides) as checker:
        return checker.verify([citation])


def reference_citation(reference: str) -> Citation:
    """`reference` as one entry claim: a BibTeX entry's fields, else the parser's."""
    from .extract.bibtex import parse_bibtex

    if reference.lstrip().startswith("@"):
        entries = parse_bibtex(reference).entries
        if len(entries) == 1:
            return entries[0].citation
    from .extract.parser import parse_reference

    return Citation(
        kind=Kind.REFERENCE,
        raw=reference,
        start=0,
        end=len(reference),
        fields=parse_reference(reference),
    )


def extract(text: str) -> list[Citation]:
    """The claims in `text`, with exact character offsets. No network."""
    return _extract(text)
