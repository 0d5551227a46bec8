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

A resolver class may declare its `default_url`, its rate `limit` (`net.limits.Limit`) and its
`settings_model` (a `SourceSettings` subclass). Its settings come from, lowest first: those
defaults, a `Config` field `<name>_<setting>` (how the built-ins' `crossref_url` and
`openalex_key` stay what they were), then `Config.plugins[<name>]` (a `[tool.factcheck.plugins.
<name>]` table, or `FACTCHECK_<NAME>_URL`, `_KEY`, `_RATE`, `_CONCURRENCY`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from ..errors import ConfigError
from ..lookup import describe
from ..net.limits import UNKNOWN_SOURCE_LIMIT, Limit

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
}


class SourceSettings(BaseModel):
    """One source's own settings: where it lives, its key, and its limits. A plugin that
    needs more subclasses it and names the subclass as its `settings_model`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str = ""
    # An API key, kept secret in dumps and reprs.
    key: SecretStr | None = None
    # Request starts per second and requests in flight at once, in place of the class's
    # declared `limit`.
    rate: float | None = Field(default=None, gt=0)
    concurrency: int | None = Field(default=None, ge=1)


@dataclass(frozen=True)
class Registration:
    """One entry point of the group: a source's name, its `module:attr`, and who installed it."""

    name: str
    value: str
    distribution: str

    def load(self) -> type[Resolver]:
        """The resolver class, or ConfigError naming the plugin when it cannot be had."""
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


def settings_for(resolver: type[Resolver], config: Config) -> SourceSettings:
    """A source's settings (see the module docstring for where they come from)."""
    model: type[SourceSettings] = getattr(resolver, "settings_model", SourceSettings)
    given: dict[str, Any] = {"url": getattr(resolver, "default_url", "")}
    for setting in model.model_fields:
        field = f"{resolver.name}_{setting}"
        if field in type(config).model_fields and getattr(config, field) is not None:
            given[setting] = getattr(config, field)
    given.update(config.plugins.get(resolver.name, {}))
    try:
        return model(**given)
    except ValidationError as exc:
        raise ConfigError(f"settings of source {resolver.name!r}: {exc}") from exc


def limit_of(resolver: type[Resolver], config: Config) -> Limit:
    """The rate and concurrency a source's requests keep to: what its class declares (else
    `UNKNOWN_SOURCE_LIMIT`), or what its settings say instead."""
    declared: Limit = getattr(resolver, "limit", None) or UNKNOWN_SOURCE_LIMIT
    settings = settings_for(resolver, config)
    return Limit(
        rate=settings.rate or declared.rate,
        concurrency=settings.concurrency or declared.concurrency,
    )
