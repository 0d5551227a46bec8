"""What a result depends on, written into the summary so that it can be reproduced.

A job's verdicts are a function of factcheck's version, the sources asked (and where), and
what those sources had answered when they were asked. The first two are settings; the last
is the cache: `--cache FILE --offline` re-scores a finished run from it alone with the same
verdicts. So the summary names the cache file and the time range of the answers in it (the
oldest and newest stored response), read from the HTTP cache, which keeps when each answer
was fetched.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone

from pydantic import BaseModel

from .. import __version__
from ..config import Config
from ..net.cache import sqlite_path
from ..net.cachefile import SQLITE_TROUBLE
from ..net.cachestore import fetch_times

logger = logging.getLogger(__name__)


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
    for no cache or a Redis one (shared, and not ours to scan), and for a file that cannot
    be read (the summary is written all the same)."""
    path = sqlite_path(config)
    if path is None or not path.is_file():
        return None
    try:
        entries, oldest, newest = fetch_times(path)
    except SQLITE_TROUBLE as exc:
        logger.warning("the cache %s could not be read for the summary (%s)", path, exc)
        return None
    return CacheRange(path=str(path), entries=entries, oldest=_utc(oldest), newest=_utc(newest))


def _utc(moment: datetime | None) -> datetime | None:
    """requests-cache kept naive UTC datetimes before it wrote their offset."""
    if moment is None or moment.tzinfo:
        return moment
    return moment.replace(tzinfo=timezone.utc)
