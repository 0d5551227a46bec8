"""What a result depends on, written into the summary so that it can be reproduced.

A job's verdicts are a function of factcheck's version, the sources asked (and where), and
what those sources had answered when they were asked. The first two are settings; the last
is the cache: `--cache FILE --offline` re-scores a finished run from it alone with the same
verdicts. So the summary names the cache file and the time range of the answers in it (the
oldest and newest stored response), read from the HTTP cache, which keeps when each answer
was fetched.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from pydantic import BaseModel

from .. import __version__
from ..config import Config
from ..net.cache import open_backend, sqlite_path


class CacheRange(BaseModel):
    """The cache a run answered from: its path, its number of entries and the time range of its
    answers."""

    path: str
    entries: int
    oldest: datetime | None
    newest: datetime | None


class Provenance(BaseModel):
    """What a run's verdicts came from: factcheck's version, the sources and their addresses,
    offline or not, and the cache."""

    factcheck_version: str
    sources: list[str]
    source_urls: dict[str, str]
    offline: bool
    cache: CacheRange | None
    created: datetime


def provenance(config: Config) -> Provenance:
    """The settings and cache a run's verdicts came from."""
    return Provenance(
        factcheck_version=__version__,
        sources=list(config.sources),
        source_urls={
            name: value
            for name, value in config.model_dump(mode="json").items()
            if name.endswith("_url") and isinstance(value, str)
        },
        offline=config.offline,
        cache=cache_range(config),
        created=datetime.now(timezone.utc),
    )


def cache_range(config: Config) -> CacheRange | None:
    """The file cache's answers: how many, and when the oldest and newest were fetched. None
    for no cache or a Redis one (shared, and not ours to scan)."""
    path = sqlite_path(config)
    if path is None or not path.exists():
        return None
    backend: Any = open_backend(config)  # requests-cache is untyped
    if backend is None:
        return None
    try:
        # An entry that does not decode reads as None (net.cachestore): it answers nothing.
        times = [
            _utc(response.created_at)
            for response in backend.responses.values()
            if response is not None
        ]
    finally:
        backend.close()
    return CacheRange(
        path=str(path),
        entries=len(times),
        oldest=min(times, default=None),
        newest=max(times, default=None),
    )


def _utc(moment: Any) -> datetime:
    """requests-cache keeps naive UTC datetimes."""
    value: datetime = moment
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
