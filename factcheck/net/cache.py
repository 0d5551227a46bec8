"""The HTTP cache: what sources answered, never what failed.

`config.cache` picks the backend: "default" is SQLite under the user cache directory, a
path is SQLite there, `redis://…` shares one cache between machines (extra `redis`), and
"none" turns caching off.

We decide how long an answer is kept, not the server, and the time depends on the answer:
a record found (200) for `cache_ttl_found`, a "no such record" (404) for
`cache_ttl_missing`, a web page's status for `cache_ttl_url`. requests-cache has TTLs per
session, per URL pattern and per request, but not per status, and the status is only known
once the response is in. So the adapters in `net.http`, which see every response that
comes from the network and nothing else, call `stamp_expiry`: it replaces the server's
caching headers with `Cache-Control: max-age=<our TTL>`, or `no-store` for anything we must
not keep (429, 5xx, …), and the session is built with `cache_control=True` so requests-cache
obeys exactly that. Errors raised (timeouts, refused connections) never reach the cache.

Offline mode answers from the cache alone (`only_if_cached`) and accepts entries past their
TTL: an old answer is better than none when the user has asked us not to use the network.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import platformdirs
import requests
from requests_cache import CachedSession
from requests_cache.backends.base import BaseCache

from ..config import Config
from ..errors import ConfigError

CACHE_APP_NAME = "factcheck"
SQLITE_FILE_NAME = "http.sqlite"
REDIS_NAMESPACE = "factcheck"

# Request headers that make two requests different answers: which source asked (so a web
# check and an API call to the same URL do not share an entry) and what format it wants.
SOURCE_HEADER = "X-Factcheck-Source"
MATCHED_HEADERS = (SOURCE_HEADER, "Accept")

# Response headers by which servers steer caches; replaced by our own decision.
SERVER_CACHE_HEADERS = ("Cache-Control", "Expires", "Vary", "ETag", "Last-Modified", "Age")

# Statuses worth keeping, each with the Config field holding its TTL. A web page's redirect
# is kept too: it is the site's answer, and without it a redirected link could never be
# checked offline.
API_TTL_FIELDS: Mapping[int, str] = {200: "cache_ttl_found", 404: "cache_ttl_missing"}
PAGE_TTL_FIELDS: Mapping[int, str] = {
    status: "cache_ttl_url" for status in (200, 301, 302, 303, 307, 308, 404, 410)
}
CACHEABLE_STATUSES = tuple(sorted({*API_TTL_FIELDS, *PAGE_TTL_FIELDS}))


def open_backend(config: Config) -> BaseCache | None:
    """The requests-cache backend `config.cache` names, or None for "none"."""
    spec = config.cache.strip()
    if spec.lower() == "none":
        return None
    if spec.startswith(("redis://", "rediss://")):
        return _redis_backend(spec)
    if spec == "default":
        path = Path(platformdirs.user_cache_dir(CACHE_APP_NAME)) / SQLITE_FILE_NAME
    else:
        path = Path(spec).expanduser()
    return _sqlite_backend(path)


def session(backend: BaseCache | None, config: Config) -> requests.Session:
    """A session that caches into `backend` (shared between sessions), or a plain one."""
    if backend is None:
        return requests.Session()
    return CachedSession(
        backend=backend,
        cache_control=True,
        allowable_codes=CACHEABLE_STATUSES,
        allowable_methods=("GET", "HEAD"),
        match_headers=MATCHED_HEADERS,
        only_if_cached=config.offline,
        stale_if_error=config.offline,
        autoclose=False,
    )


def stamp_expiry(response: requests.Response, ttl: float | None) -> None:
    """Make the response carry our cache decision: keep it `ttl` seconds, or not at all."""
    for name in SERVER_CACHE_HEADERS:
        response.headers.pop(name, None)
    response.headers["Cache-Control"] = "no-store" if ttl is None else f"max-age={int(ttl)}"


def ttl_for(status: int, fields: Mapping[int, str], config: Config) -> float | None:
    """How long to keep an answer with this status, or None when it must not be kept."""
    field = fields.get(status)
    return None if field is None else float(getattr(config, field))


def close_backend(backend: BaseCache | None) -> None:
    if backend is not None:
        backend.close()  # type: ignore[no-untyped-call]  # unannotated in requests-cache


def _sqlite_backend(path: Path) -> BaseCache:
    from requests_cache.backends.sqlite import SQLiteCache

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot create the cache directory {path.parent}: {exc}") from exc
    # WAL lets readers go on while one thread writes; requests-cache serialises writers.
    return SQLiteCache(path, wal=True)


def _redis_backend(url: str) -> BaseCache:
    try:
        from redis import Redis
        from requests_cache.backends.redis import RedisCache
    except ImportError as exc:
        raise ConfigError(
            "a redis:// cache needs the redis package: pip install 'factcheck[redis]'"
        ) from exc
    # JSON rather than pickle: a cache shared between machines must not be able to run code.
    return RedisCache(namespace=REDIS_NAMESPACE, connection=Redis.from_url(url), serializer="json")
