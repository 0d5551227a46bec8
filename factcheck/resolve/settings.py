"""A source's own settings: where it lives, its key, and the pace its API allows.

A resolver class may declare its `default_url`, its rate `limit` (`net.limits.Limit`) and its
`settings_model` (a `SourceSettings` subclass). Its settings come from, lowest first: those
defaults, a `Config` field `<name>_<setting>` (how the built-ins' `crossref_url` and
`openalex_key` stay what they were), then `Config.plugins[<name>]` (a `[tool.factcheck.plugins.
<name>]` table, or `FACTCHECK_<NAME>_URL`, `_KEY`, `_RATE`, `_CONCURRENCY`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from ..errors import ConfigError
from ..net.limits import UNKNOWN_SOURCE_LIMIT, Limit

if TYPE_CHECKING:
    from ..config import Config
    from .base import Resolver


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
