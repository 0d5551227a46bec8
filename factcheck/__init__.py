"""factcheck: catch fabricated references, wrong DOIs and dead links in LLM output.

    >>> import factcheck
    >>> report = factcheck.check(text)          # doctest: +SKIP
    >>> report.ok, report.summary

Names are imported lazily so that `import factcheck` stays fast.

Two public names are also the names of submodules: `factcheck.extract` (the function) and
the `factcheck.extract` package, `factcheck.guard` (the decorator) and the
`factcheck.guard` module. Python sets a submodule as an attribute of its package when it
is first imported, which would replace the function; this package refuses that, so
`factcheck.extract` and `factcheck.guard` stay the functions whatever was imported
before. Reach the modules with `from factcheck.extract import bibtex` or
`importlib.import_module("factcheck.extract")`.
"""

from __future__ import annotations

import sys
from importlib import import_module
from types import ModuleType
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "check": "api",
    "acheck": "api",
    "check_reference": "api",
    "extract": "api",
    "fix_text": "fix.text",
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
    "check_reference",
    "extract",
    "fix_text",
    "guard",
    "last_report",
    "parse_reference",
    "wrap",
]


class _Package(ModuleType):
    """The `factcheck` module, whose public names no submodule import can replace."""

    def __setattr__(self, name: str, value: Any) -> None:
        if _EXPORTS.get(name) and _is_own_submodule(name, value):
            return
        super().__setattr__(name, value)


def _is_own_submodule(name: str, value: Any) -> bool:
    """Whether `value` is the submodule `factcheck.<name>` being bound by the import system."""
    return isinstance(value, ModuleType) and value.__name__ == f"{__name__}.{name}"


sys.modules[__name__].__class__ = _Package

if TYPE_CHECKING:
    from .api import acheck, check, check_reference, extract
    from .checker import Checker
    from .config import Config
    from .errors import FactCheckError as FactCheckError
    from .errors import FactcheckError, FactCheckFailed
    from .extract.parser import parse_reference
    from .fix.text import fix_text
    from .guard import guard, last_report, wrap
    from .model import Citation, Fields, Finding, Kind, Record, Report, Status, Verdict


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'factcheck' has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
