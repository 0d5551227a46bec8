"""Configuration files: the user's own, and a project's (`[tool.factcheck]` in
pyproject.toml, or a factcheck.toml).

The user's own file (`user_config_path`: `factcheck/config.toml` in the user configuration
directory, ~/.config on Linux) holds settings for every run, in top-level keys.

A project keeps its settings next to its code, so that everyone who checks it (and CI)
checks it the same way. The project's file is the one `--config` / FACTCHECK_CONFIG names,
else the first found from the working directory upwards: in each directory a factcheck.toml
(top-level keys), then a pyproject.toml that has a `[tool.factcheck]` table. The search
stops at the filesystem root or at a directory holding `.git`, so a checkout never picks up
settings from outside it. `.factcheckignore` (factcheck.extract.ignore) is found the same way.

A file found by the search is not the user's: what it may set is `configtrust`'s to say.
The user's file and a named one may set anything.

Keys are the CLI flags' names (dashes or underscores), i.e. `Config` fields. An unknown key
or a value of the wrong type is an error naming the file and the key: a typo would
otherwise be ignored without a word. Relative paths in a file are read from the file's
directory, not from wherever the command happens to run.

`hosts` holds settings for requests to one host (`HostOverride`): its own rate and
concurrency (net.limits), timeouts and retries (net.http), over the source's own.
"""

from __future__ import annotations

import difflib
import os
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Annotated, Any

import platformdirs
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from .configtrust import contained, screened, warn_outside
from .errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

CONFIG_FILE = "factcheck.toml"
# The user's own file: <user configuration directory>/factcheck/config.toml.
USER_CONFIG_APP = "factcheck"
USER_CONFIG_FILE = "config.toml"
PYPROJECT = "pyproject.toml"
# pyproject.toml's table: [tool.factcheck].
TOOL_TABLE = ("tool", "factcheck")
IGNORE_FILE = ".factcheckignore"
# What marks the top of a checkout: the upward search goes no further.
REPOSITORY_MARKER = ".git"
# Names the file explicitly, like --config.
CONFIG_ENV = "FACTCHECK_CONFIG"
HOSTS_KEY = "hosts"
IGNORE_KEY = "ignore_file"
# Settings whose values are file paths, read relative to the configuration file.
PATH_KEYS = ("library", IGNORE_KEY, "replay")
# `cache` is a path too, unless it is one of these words or a URL (see net/cache.py).
CACHE_WORDS = frozenset({"default", "none"})


class HostOverride(BaseModel):
    """Settings for every request to one host, over those of the source asking.

    `rate` and `concurrency` give the host a gate of its own (net.limits), shared by every
    source that reaches it; the one not given is the asking source's. `timeout`,
    `connect_timeout` and `retries` replace the global ones for that host (net.http).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    rate: float | None = Field(default=None, gt=0, description="request starts per second")
    concurrency: int | None = Field(default=None, ge=1)
    timeout: float | None = Field(default=None, gt=0)
    connect_timeout: float | None = Field(default=None, gt=0)
    retries: int | None = Field(default=None, ge=0)

    def sets_limits(self) -> bool:
        """Whether this host's rate or concurrency differs from its sources' own."""
        return self.rate is not None or self.concurrency is not None

    def http_settings(self) -> dict[str, Any]:
        """The `Config` fields this override replaces for the host's requests."""
        names = ("timeout", "connect_timeout", "retries")
        return {name: getattr(self, name) for name in names if getattr(self, name) is not None}


def _host_names(hosts: dict[str, HostOverride]) -> dict[str, HostOverride]:
    """Host names as URLs carry them (lowercase), refusing what would never match one."""
    for name in hosts:
        if "/" in name or name.count(":") == 1:
            raise ValueError(f"{name!r} is not a host name: write it bare, as api.crossref.org")
    return {name.lower().strip("[]"): override for name, override in hosts.items()}


# `Config.hosts`: per-host settings by host name.
Hosts = Annotated[dict[str, HostOverride], AfterValidator(_host_names)]


def file_settings(
    model: type[BaseModel], given: str | os.PathLike[str] | None, env: Mapping[str, str]
) -> dict[str, Any]:
    """`model`'s settings from configuration files: the user's own, then the project's over
    them. The project's is `given`, else FACTCHECK_CONFIG's (named: taken whole), else the
    one found from the working directory up (screened: `configtrust`); none, no settings.
    `ignore_file` is the .factcheckignore found the same way when no file names one."""
    user_file = user_config_path()
    own = read_settings(model, user_file) if user_file.is_file() else {}
    named = given or env.get(CONFIG_ENV)
    if named:
        project = read_settings(model, Path(named).expanduser())
    else:
        found = find_config(Path.cwd())
        project = (
            {}
            if found is None
            else screened(model, found, read_settings(model, found), own, user_file)
        )
    settings = {**own, **project}
    if IGNORE_KEY not in settings:
        ignore = find_upwards(IGNORE_FILE, Path.cwd())
        if ignore is not None:
            settings[IGNORE_KEY] = ignore
    return settings


def user_config_path() -> Path:
    """The user's own configuration file (it need not exist)."""
    return Path(platformdirs.user_config_dir(USER_CONFIG_APP)) / USER_CONFIG_FILE


def read_settings(model: type[BaseModel], path: Path) -> dict[str, Any]:
    """The settings in one file, keys as `model`'s field names, paths made absolute.

    Raises ConfigError for a missing or unreadable file, an unknown key or a bad value.
    """
    table, where = _table(path)
    settings = _with_field_names(table, model.model_fields, where)
    if isinstance(settings.get(HOSTS_KEY), dict):
        settings[HOSTS_KEY] = {
            host: _with_field_names(values, HostOverride.model_fields, f"{where} hosts.{host}")
            if isinstance(values, dict)
            else values
            for host, values in settings[HOSTS_KEY].items()
        }
    settings = _absolute_paths(settings, path.parent)
    try:
        model(**settings)
    except ValidationError as exc:
        raise ConfigError(f"{where}: {_problems(exc)}") from None
    return settings


def find_config(start: Path) -> Path | None:
    """The nearest factcheck.toml, or pyproject.toml with `[tool.factcheck]`, from `start` up
    (passing over files that link out of their directory: `_present`)."""
    for directory in _upwards(start):
        if _present(directory / CONFIG_FILE):
            return directory / CONFIG_FILE
        pyproject = directory / PYPROJECT
        if _present(pyproject) and _tool_table(_toml(pyproject)) is not None:
            return pyproject
    return None


def find_upwards(name: str, start: Path) -> Path | None:
    """The nearest file called `name` in `start` or a directory above, within the checkout
    (passing over files that link out of their directory: `_present`)."""
    for directory in _upwards(start):
        if _present(directory / name):
            return directory / name
    return None


def _present(path: Path) -> bool:
    """Whether a file the search may read is at `path`: one that links out of its directory
    is not, with a warning (see `configtrust.contained`)."""
    if not path.is_file():
        return False
    if contained(path, path.parent):
        return True
    warn_outside(path)
    return False


def _upwards(start: Path) -> Iterator[Path]:
    """`start` and its parents, up to the root or the first directory holding `.git`."""
    for directory in (start, *start.parents):
        yield directory
        if (directory / REPOSITORY_MARKER).exists():
            return


def _table(path: Path) -> tuple[dict[str, Any], str]:
    """The settings table of `path` and how errors name it."""
    data = _toml(path)
    if path.name != PYPROJECT:
        return data, str(path)
    where = f"{path} [{'.'.join(TOOL_TABLE)}]"
    table = _tool_table(data)
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: no such table")
    return table, where


def _tool_table(data: dict[str, Any]) -> Any:
    """pyproject.toml's `[tool.factcheck]`, or None."""
    found: Any = data
    for name in TOOL_TABLE:
        found = found.get(name) if isinstance(found, dict) else None
    return found


def _toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as file:
            return tomllib.load(file)
    except FileNotFoundError:
        raise ConfigError(f"configuration file {path} not found") from None
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read configuration file {path}: {exc}") from None


def _with_field_names(
    table: dict[str, Any], fields: Mapping[str, Any], where: str
) -> dict[str, Any]:
    """`table` keyed by field names (`connect-timeout` is `connect_timeout`); unknown keys
    are errors, with the nearest known one suggested."""
    settings: dict[str, Any] = {}
    for key, value in table.items():
        name = key.replace("-", "_")
        if name not in fields:
            close = difflib.get_close_matches(name, list(fields), n=1)
            hint = f" (did you mean {close[0].replace('_', '-')!r}?)" if close else ""
            raise ConfigError(f"{where}: unknown key {key!r}{hint}")
        if name in settings:
            raise ConfigError(f"{where}: {key!r} is given twice")
        settings[name] = value
    return settings


def _absolute_paths(settings: dict[str, Any], base: Path) -> dict[str, Any]:
    """Relative paths read from the configuration file's directory."""
    resolved = dict(settings)
    for key in PATH_KEYS:
        value = resolved.get(key)
        if isinstance(value, str):
            resolved[key] = str(base / Path(value).expanduser())
        elif isinstance(value, list):
            resolved[key] = [
                str(base / Path(v).expanduser()) if isinstance(v, str) else v for v in value
            ]
    cache = resolved.get("cache")
    if isinstance(cache, str) and cache.strip().lower() not in CACHE_WORDS and "://" not in cache:
        resolved["cache"] = str(base / Path(cache.strip()).expanduser())
    return resolved


def _problems(exc: ValidationError) -> str:
    """Each bad value as `key = value: what is wrong`, on one line."""
    return "; ".join(
        f"{'.'.join(str(part) for part in error['loc'])} = {error['input']!r}: {error['msg']}"
        for error in exc.errors()
    )
