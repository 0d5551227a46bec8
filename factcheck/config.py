"""Config: every setting in one typed place.

Precedence, lowest first: defaults < the user's own configuration file < the project's
(`[tool.factcheck]` in pyproject.toml, or factcheck.toml: see factcheck.configfile) <
`FACTCHECK_*` environment variables < arguments. A project file found by the upward search,
rather than named, may not redirect requests or files or loosen security and limits
(factcheck.configtrust).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from contextlib import suppress
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from .configfile import Hosts, file_settings
from .errors import ConfigError
from .thresholds import THRESHOLDS, Thresholds

ENV_PREFIX = "FACTCHECK_"

PROJECT_URL = "https://pypi.org/project/factcheck/"

# Asked per citation kind in this order, until one settles it (see `checker.settles`). DOIs:
# Crossref, then doi.org, the registry whose answer settles found or not; OpenAlex only when
# both failed. References: Crossref, then OpenAlex's and DBLP's searches, then arXiv.
DEFAULT_SOURCES = ("crossref", "doi", "openalex", "dblp", "arxiv", "pubmed", "openlibrary", "url")
# The local source (resolve/library.py): asked first whenever `library` names files.
LIBRARY_SOURCE = "library"

# `limits_url` values: keep the limits in this process, or share them through Redis.
LOCAL_LIMITS = "local"
REDIS_URL_SCHEMES = ("redis://", "rediss://")

# `Config.deadline` when none is set: see the field.
DEFAULT_DEADLINE_SECONDS = 300.0
# What turns the deadline off, from a file, the environment or a keyword.
NO_DEADLINE = frozenset({"none", "off", "never"})

# The settings of a plugin source that FACTCHECK_<NAME>_<SETTING> variables can give (those
# of `resolve.plugins.SourceSettings`, and `index`, the local index file of a source that
# answers from one: `resolve.acl`); any other comes from a configuration file.
PLUGIN_ENV_SETTINGS = frozenset({"url", "key", "rate", "concurrency", "index"})

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class Config(BaseModel):
    """All of factcheck's settings. Build one with `Config.load(**overrides)`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # Where the sources live. The real APIs are the defaults; tests point these at fakes.
    crossref_url: str = "https://api.crossref.org"
    doi_url: str = "https://doi.org"
    arxiv_url: str = "https://export.arxiv.org/api"
    pubmed_url: str = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils"
    openalex_url: str = "https://api.openalex.org"
    openlibrary_url: str = "https://openlibrary.org"
    dblp_url: str = "https://dblp.org"
    # The Wayback Machine's availability API: archived copies of dead links (`--suggest`).
    wayback_url: str = "https://archive.org/wayback/available"
    # OpenAlex's free API key: a larger daily budget. Kept secret in dumps and reprs.
    openalex_key: SecretStr | None = None

    sources: tuple[str, ...] = DEFAULT_SOURCES
    mailto: str | None = None

    # "default" (SQLite under the user cache dir), "none", a file path, or redis://…
    cache: str = "default"
    offline: bool = False
    # Several DOIs of a check in one request to Crossref (`/works?filter=doi:a,doi:b`) and
    # OpenAlex (`filter=doi:a|b`), each DOI decided on its own share (`resolve.batch`). Off by
    # default: an HTTP cache then holds the batch requests, which a later offline run (asking
    # one DOI at a time) cannot read when the results cache does not answer it.
    batch_dois: bool = False
    # A recorded replay file (JSON) to answer requests from instead of the network.
    replay: str | None = None
    # Where the per-source rate and concurrency limits live (net/shared_limits.py): a
    # redis:// URL shares them between every process and machine that uses it (Crossref
    # counts per IP, not per process); "local" keeps them in this process; None (the
    # default) shares them through the cache's Redis when `cache` is redis://, else local.
    limits_url: str | None = None

    connect_timeout: float = Field(default=5.0, gt=0)
    # One lookup's time budget (net/deadline.py): all it may spend on the network, across
    # every request it makes (a URL's redirect hops, an API's retries and redirects),
    # connecting, headers and body included. Our own waits (a rate limit's turn, a
    # Retry-After) do not count; `max_retry_after` and `deadline` bound those.
    timeout: float = Field(default=20.0, gt=0, description="seconds per lookup, all requests")
    retries: int = Field(default=3, ge=0)
    # A Retry-After longer than this is not waited for: the lookup is unverifiable instead.
    max_retry_after: float = Field(default=30.0, ge=0)
    # Exponential backoff between retries of 429/5xx answers without Retry-After, seconds.
    retry_backoff: float = Field(default=0.5, ge=0)

    cache_ttl_found: float = 30 * 86400
    cache_ttl_missing: float = 86400
    cache_ttl_url: float = 86400

    # A name that must exist, resolved once when a host's name does not: when it fails
    # too, DNS does not work here and the host's absence proves nothing (net.reachability).
    dns_control_host: str = "doi.org"

    allow_private_urls: bool = False
    max_redirects: int = Field(default=10, ge=0)
    max_body_bytes: int = Field(default=5 * 1024 * 1024, gt=0)
    # Web pages are read only to see that they answer: the rest of a longer page is dropped.
    max_page_bytes: int = Field(default=256 * 1024, gt=0)
    max_url_length: int = 2048
    max_lookups: int = Field(default=500, gt=0, description="lookups per text")
    # A text cannot make us fetch without end: URLs checked, and bytes they read, per text.
    max_urls: int = Field(default=100, ge=0, description="URL checks per text")
    max_bytes_per_text: int = Field(default=20 * 1024 * 1024, gt=0)

    workers: int = Field(default=8, ge=1, description="threads resolving at once")

    # Bounds on one `Checker.check` call, against hostile or runaway input. A longer text is
    # refused whole (`TextTooLarge`): 10 million characters is some 3,000 pages, beyond any
    # answer or paper. Claims past the first `max_references` of a text, and those still
    # unanswered `deadline` seconds after the call began, are reported unverifiable (flag
    # `deadline`). The default deadline bounds what a hostile text can cost (a hundred slow
    # pages on one site would otherwise hold a check for over 15 minutes) while leaving room
    # for a real bibliography on a cold cache: arXiv allows one request every 3 s, so a
    # hundred arXiv ids take five minutes. `0` or "none" turns it off. Batch jobs
    # (`factcheck run`, `factcheck.pipeline`) have none, whatever this says: their verdicts
    # must not depend on how fast the network was (`Checker.resolve_extractions`).
    max_text_chars: int = Field(default=10_000_000, gt=0, description="characters per text")
    max_references: int = Field(default=2000, gt=0, description="claims checked per text")
    deadline: float | None = Field(
        default=DEFAULT_DEADLINE_SECONDS, gt=0, description="seconds per check call"
    )

    # The user's own BibTeX / CSL-JSON files or offline indexes (resolve/library.py); the
    # environment variable separates paths with os.pathsep. Its misses prove nothing unless
    # `library_complete` declares it exhaustive (an air-gapped mirror).
    library: tuple[Path, ...] = ()
    library_complete: bool = False

    # Settings for requests to one host (configfile.HostOverride): rate, concurrency,
    # timeouts, retries. Keys are host names, as in `[tool.factcheck.hosts."api.crossref.org"]`.
    hosts: Hosts = Field(default_factory=dict)
    # Patterns of claims not to check (extract/ignore.py); Config.load finds .factcheckignore.
    ignore_file: Path | None = None
    # Settings of the sources that have no fields above (plugins), by source name: `url`,
    # `key`, `rate`, `concurrency` and whatever the source's settings model adds (see
    # resolve/plugins.py). From `[tool.factcheck.plugins.<name>]` or FACTCHECK_<NAME>_URL, …
    plugins: dict[str, dict[str, Any]] = Field(default_factory=dict)
    # Every difference between an entry and its record is a mismatch, also those that leave
    # the work unmistakable and are otherwise notes on a verified verdict: a page one off, a
    # year one off, a misspelt name, the preprint cited for the published version.
    strict: bool = False
    # The bars of the comparison, of accepting a search hit and of the judge (thresholds.py):
    # a table `[tool.factcheck.thresholds]` in your own file, or FACTCHECK_THRESHOLDS as a
    # JSON object, of the fields to change. A file found in the checked tree may not set them.
    thresholds: Thresholds = THRESHOLDS

    @field_validator("sources", mode="before")
    @classmethod
    def _split_sources(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [s.strip() for s in value.split(",") if s.strip()]
        return tuple(value)

    @field_validator("thresholds", mode="before")
    @classmethod
    def _thresholds_json(cls, value: Any) -> Any:
        """FACTCHECK_THRESHOLDS: a JSON object of the fields to change."""
        if not isinstance(value, str):
            return value
        try:
            return json.loads(value)
        except ValueError as exc:
            raise ValueError(
                f"thresholds must be a JSON object of Thresholds fields: {exc}"
            ) from exc

    @field_validator("library", mode="before")
    @classmethod
    def _split_library(cls, value: Any) -> Any:
        return _library_paths(value)

    @model_validator(mode="before")
    @classmethod
    def _library_first(cls, data: Any) -> Any:
        """A configured library is asked first, unless `sources` already places it."""
        if not isinstance(data, dict) or not _library_paths(data.get("library")):
            return data
        sources = data.get("sources", DEFAULT_SOURCES)
        if isinstance(sources, str):
            if LIBRARY_SOURCE in {name.strip() for name in sources.split(",")}:
                return data
            return {**data, "sources": f"{LIBRARY_SOURCE},{sources}"}
        if not isinstance(sources, (list, tuple)) or LIBRARY_SOURCE in sources:
            return data
        return {**data, "sources": (LIBRARY_SOURCE, *sources)}

    @field_validator("deadline", mode="before")
    @classmethod
    def _no_deadline(cls, value: Any) -> Any:
        """0, "none", "off" or "never": no deadline (a TOML file cannot write None)."""
        if isinstance(value, str) and value.strip().lower() in NO_DEADLINE:
            return None
        with suppress(TypeError, ValueError):
            if float(value) == 0:
                return None
        return value

    @field_validator("limits_url")
    @classmethod
    def _limits_store(cls, value: str | None) -> str | None:
        if value is None or value == LOCAL_LIMITS or value.startswith(REDIS_URL_SCHEMES):
            return value
        raise ValueError(f"limits_url must be a redis:// URL or {LOCAL_LIMITS!r}, not {value!r}")

    @field_validator(
        "crossref_url",
        "doi_url",
        "arxiv_url",
        "pubmed_url",
        "openalex_url",
        "openlibrary_url",
        "dblp_url",
    )
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @classmethod
    def load(
        cls,
        env: Mapping[str, str] | None = None,
        *,
        config_file: str | os.PathLike[str] | None = None,
        **overrides: Any,
    ) -> Config:
        """Defaults, then the user's own configuration file, then the project's
        (`config_file`, FACTCHECK_CONFIG, or the one found from the working directory up),
        then FACTCHECK_* variables from `env` (os.environ), then `overrides`.

        A project file that was found, not named, is not trusted: its settings that would
        redirect requests or files (every `*_url`, `cache`, `replay`, `library`, `hosts`,
        `ignore_file`, …) or loosen security and limits (`allow_private_urls`, a longer
        timeout, …) are dropped with one warning (logger `factcheck.configtrust`). Name the
        file (`config_file=`) to take it whole.

        An override of None means "not given" so that CLI options can be passed straight in.
        """
        env = os.environ if env is None else env
        values: dict[str, Any] = file_settings(cls, config_file, env)
        for name in cls.model_fields:
            raw = env.get(ENV_PREFIX + name.upper())
            if raw is not None:
                values[name] = _from_env(name, raw)
        values["plugins"] = _plugin_settings(values.get("plugins") or {}, env)
        values.update({k: v for k, v in overrides.items() if v is not None})
        try:
            return cls(**values)
        except ValueError as exc:
            raise ConfigError(str(exc)) from exc

    def user_agent(self, version: str) -> str:
        """The User-Agent every request sends: factcheck's version and project page, and the
        `mailto` contact when one is set (Crossref's polite pool asks for it)."""
        contact = f"; mailto:{self.mailto}" if self.mailto else ""
        return f"factcheck/{version} (+{PROJECT_URL}{contact})"


def _plugin_settings(given: Any, env: Mapping[str, str]) -> Any:
    """`given` (from files) with FACTCHECK_<NAME>_<SETTING> variables for the settings in
    PLUGIN_ENV_SETTINGS put over it, for every variable that is no Config field's own.
    Anything but a table is left as it is, for validation to refuse."""
    if not isinstance(given, Mapping):
        return given
    merged: dict[str, Any] = {
        name: dict(table) if isinstance(table, Mapping) else table for name, table in given.items()
    }
    own = {ENV_PREFIX + field.upper() for field in Config.model_fields}
    for variable, raw in env.items():
        if not variable.startswith(ENV_PREFIX) or variable in own:
            continue
        name, _, setting = variable[len(ENV_PREFIX) :].lower().rpartition("_")
        if name and setting in PLUGIN_ENV_SETTINGS:
            table = merged.setdefault(name, {})
            if isinstance(table, dict):
                table[setting] = raw
    return merged


def _library_paths(value: Any) -> Any:
    """Library paths from a string (os.pathsep-separated), one path, or a sequence."""
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(part for part in value.split(os.pathsep) if part.strip())
    if isinstance(value, os.PathLike):
        return (value,)
    return tuple(value) if isinstance(value, (list, tuple)) else value


def _from_env(name: str, raw: str) -> Any:
    annotation = Config.model_fields[name].annotation
    if annotation is bool:
        lowered = raw.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ConfigError(f"{ENV_PREFIX}{name.upper()}={raw!r} is not a boolean")
    return raw
