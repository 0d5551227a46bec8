"""factcheck: catch fabricated references, wrong DOIs and dead links in LLM output.

    >>> import factcheck
    >>> report = factcheck.check(text)          # doctest: +SKIP
    >>> report.ok, report.summary

Names are imported lazily so that `import factcheck` stays fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "check": "api",
    "acheck": "api",
    "extract": "api",
    "fix_text": "fixfile",
    "parse_reference": "extract.parser",
    "Checker": "checker",
    "Config": "config",
    "Citation": "model",
    "Fields": "model",
    "Finding": "model",
    "Kind": "model",
    "Record": "model",
    "Report": "model",
    "Status": "model",
    "Verdict": "model",
    "FactcheckError": "errors",
    "FactCheckError": "errors",
    "FactCheckFailed": "errors",
    "guard": "guard",
    "wrap": "guard",
    "last_report": "guard",
}

__all__ = [
    "Checker",
    "Citation",
    "Config",
    "FactCheckError",
    "FactCheckFailed",
    "FactcheckError",
    "Fields",
    "Finding",
    "Kind",
    "Record",
    "Report",
    "Status",
    "Verdict",
    "__version__",
    "acheck",
    "check",
    "extract",
    "fix_text",
    "guard",
    "last_report",
    "parse_reference",
    "wrap",
]

if TYPE_CHECKING:
    from .api import acheck, check, extract
    from .checker import Checker
    from .config import Config
    from .errors import FactCheckError, FactcheckError, FactCheckFailed
    from .extract.parser import parse_reference
    from .fixfile import fix_text
    from .guard import guard, last_report, wrap
    from .model import Citation, Fields, Finding, Kind, Record, Report, Status, Verdict


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'factcheck' has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
