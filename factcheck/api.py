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
from .model import Citation, Report

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


def extract(text: str) -> list[Citation]:
    """The claims in `text`, with exact character offsets. No network."""
    return _extract(text)
