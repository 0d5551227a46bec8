"""The sources that are installed, and loading the ones a check asks for.

A source is a Resolver class registered under the entry-point group `factcheck.resolvers`,
by name. factcheck's own sources are registered there too (pyproject.toml); `BUILTIN` is the
same table in code, which is what counts for them, so that a checkout run with older
installed metadata still finds its own sources where they are now. As `llm` does with its
plugins:

- only the names asked for are imported: `Checker(sources=("doi",))` loads nothing else,
  so a broken plugin installed elsewhere cannot break it;
- a plugin that cannot be imported is a `ConfigError` naming it and its distribution, when
  it is asked for;
- one name registered twice (by two distributions, or a plugin named like a built-in) is a
  `ConfigError` when it is asked for: no plugin silently replaces `crossref`.

A source's own URL, key and limits: `resolve.settings`. This module stays light (no HTTP
stack, no pydantic) so that `factcheck --help` can list the installed sources quickly.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata
from typing import TYPE_CHECKING

from ..errors import ConfigError

if TYPE_CHECKING:
    from ..config import Config
    from ..net.http import Http
    from .base import Resolver

ENTRY_POINT_GROUP = "factcheck.resolvers"
# The distribution whose entry points `BUILTIN` stands for.
OWN_DISTRIBUTION = "factcheck"
# factcheck's own sources, as pyproject.toml registers them (tests/test_plugins.py keeps the
# two equal).
BUILTIN: Mapping[str, str] = {
    "crossref": "factcheck.resolve.crossref:CrossrefResolver",
    "doi": "factcheck.resolve.doi:DoiResolver",
    "arxiv": "factcheck.resolve.arxiv:ArxivResolver",
    "pubmed": "factcheck.resolve.pubmed:PubmedResolver",
    "openlibrary": "factcheck.resolve.openlibrary:OpenLibraryResolver",
    "url": "factcheck.resolve.web:WebResolver",
    "openalex": "factcheck.resolve.openalex:OpenAlexResolver",
    "dblp": "factcheck.resolve.dblp:DblpResolver",
    "library": "factcheck.resolve.library:LibraryResolver",
    # Off by default (not in `config.DEFAULT_SOURCES`): asked when `--sources` names them.
    "semanticscholar": "factcheck.resolve.semanticscholar:SemanticScholarResolver",
    "europepmc": "factcheck.resolve.europepmc:EuropePmcResolver",
    "openreview": "factcheck.resolve.openreview:OpenReviewResolver",
    # A local index, written by `factcheck library update acl`.
    "acl": "factcheck.resolve.acl:AclResolver",
}


@dataclass(frozen=True)
class Registration:
    """One entry point of the group: a source's name, its `module:attr`, and who installed it."""

    name: str
    value: str
    distribution: str

    def load(self) -> type[Resolver]:
        """The resolver class, or ConfigError naming the plugin when it cannot be had."""
        from ..lookup import describe

        entry = metadata.EntryPoint(self.name, self.value, ENTRY_POINT_GROUP)
        try:
            loaded = entry.load()
        except Exception as exc:
            raise ConfigError(
                f"source {self.name!r} ({self.value}, from {self.distribution}) "
                f"cannot be loaded: {describe(exc)}"
            ) from exc
        if getattr(loaded, "name", None) != self.name or not callable(
            getattr(loaded, "lookup", None)
        ):
            raise ConfigError(
                f"source {self.name!r} ({self.value}, from {self.distribution}) is not a "
                f"resolver named {self.name!r} (a class with `name`, `kinds` and `lookup`)"
            )
        resolver: type[Resolver] = loaded
        return resolver


def installed() -> dict[str, list[Registration]]:
    """Every registered name and its registrations (more than one is a clash), importing
    none of them."""
    found = {name: [Registration(name, value, OWN_DISTRIBUTION)] for name, value in BUILTIN.items()}
    for entry in metadata.entry_points(group=ENTRY_POINT_GROUP):
        distribution = entry.dist.name if entry.dist is not None else "an unknown distribution"
        if distribution == OWN_DISTRIBUTION:
            continue  # BUILTIN stands for these
        found.setdefault(entry.name, []).append(Registration(entry.name, entry.value, distribution))
    return found


def load(names: Iterable[str]) -> list[type[Resolver]]:
    """The resolver classes of `names`, in order, importing only those."""
    available = installed()
    names = list(names)
    unknown = [n for n in names if n not in available]
    if unknown:
        raise ConfigError(
            f"unknown source(s): {', '.join(unknown)}; known: {', '.join(sorted(available))}"
        )
    return [_only(available[name]).load() for name in names]


def _only(registrations: Sequence[Registration]) -> Registration:
    """The one registration of a name, or ConfigError naming everyone who claims it."""
    if len(registrations) == 1:
        return registrations[0]
    claims = "; ".join(f"{r.value} from {r.distribution}" for r in registrations)
    raise ConfigError(
        f"source {registrations[0].name!r} is registered more than once ({claims}): "
        "uninstall one of them"
    )


def registry() -> dict[str, type[Resolver]]:
    """Every installed source, loaded, by name (imports them all: for listings and tests;
    a check loads only the sources it asks for)."""
    names = list(installed())
    return dict(zip(names, load(names), strict=True))


def build(names: Sequence[str], http: Http, config: Config) -> list[Resolver]:
    """Instantiate the named resolvers, in the given order."""
    return [cls(http, config) for cls in load(names)]
