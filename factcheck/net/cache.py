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

A warm cache should answer in well under a millisecond, and a plain CachedSession does not:
a hit costs about 1.6 ms, most of it spent on work that only matters for a request that
goes out (requests merging cookies, netrc and proxy settings from the environment,
requests-cache evaluating its policy and normalising the URL for the key). So the session
is a `CacheFirstSession`, which looks a GET up first and returns a fresh entry at once, and
keys are made by `cache_key` from the request as requests prepared it. Everything else (a
miss, an expired entry, offline use of a stale one) takes CachedSession's own path.

A cache must never fail a check, and nothing read from it is ever run: responses are
stored as JSON, never pickles, and an entry that does not decode is a miss
(`net.cachestore`). SQLite files (this one and the results cache next to it,
`resolve.results`) are opened through `net.cachefile`: a damaged file is set aside and
rebuilt, a file this process may not write is read without writing, and a directory or a
FIFO at the path is a clear error rather than a hang. A file named without a suffix gets
`.sqlite`, as requests-cache has always named it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, MutableMapping
from hashlib import blake2b
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urljoin

import platformdirs
import requests
from requests.structures import CaseInsensitiveDict
from requests_cache import CachedSession
from requests_cache.backends.base import BaseCache
from requests_cache.policy.expiration import DO_NOT_CACHE

from ..config import Config
from ..errors import ConfigError
from .cachefile import open_sqlite, read_only_uri, writable
from .cachestore import ReadOnlySQLiteCache, SafeJSON, open_writable

logger = logging.getLogger(__name__)

CACHE_APP_NAME = "factcheck"
SQLITE_FILE_NAME = "http.sqlite"
# What requests-cache adds to a file name without a suffix (so do we: the same file).
SQLITE_SUFFIX = ".sqlite"
REDIS_NAMESPACE = "factcheck"
REDIS_SCHEMES = ("redis://", "rediss://")

# Request headers that make two requests different answers: which source asked (so a web
# check and an API call to the same URL do not share an entry) and what format it wants.
SOURCE_HEADER = "X-Factcheck-Source"
# Set when private addresses may be reached (`allow_private_urls`): what was fetched so is
# kept apart, and never answers a run that refuses them.
REACH_HEADER = "X-Factcheck-Reach"
MATCHED_HEADERS = (SOURCE_HEADER, REACH_HEADER, "Accept")

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

# Keyword arguments of Session.request that cannot change which cached answer is right; a
# request with any other goes the ordinary way.
PASSIVE_REQUEST_ARGS = frozenset({"timeout", "allow_redirects"})
# Request headers that would make requests-cache revalidate or skip a fresh entry.
CACHE_DIRECTIVE_HEADERS = ("Cache-Control", "Pragma")


def open_backend(config: Config) -> BaseCache | None:
    """The requests-cache backend `config.cache` names, or None for "none"."""
    spec = config.cache.strip()
    if spec.startswith(REDIS_SCHEMES):
        return _redis_backend(spec)
    path = sqlite_path(config)
    return None if path is None else _sqlite_backend(path)


def sqlite_path(config: Config) -> Path | None:
    """The SQLite file `config.cache` names: None for "none" and for Redis. Other stores that
    live next to the HTTP cache (`resolve.results`) derive their file names from it.

    A name without a suffix gets `.sqlite`, as requests-cache gives it (so that the file
    checked is the file used), unless something that is not a file is there by that name:
    that is kept, to be refused for what it is (`net.cachefile.require_files`)."""
    spec = config.cache.strip()
    if spec.lower() == "none" or spec.startswith(REDIS_SCHEMES):
        return None
    if spec == "default":
        return Path(platformdirs.user_cache_dir(CACHE_APP_NAME)) / SQLITE_FILE_NAME
    path = Path(spec).expanduser().absolute()
    if path.suffix or not path.name or (path.exists() and not path.is_file()):
        return path
    return path.with_name(path.name + SQLITE_SUFFIX)


def session(backend: BaseCache | None, config: Config) -> GuardedRedirects:
    """A session that caches into `backend` (shared between sessions), or a plain one."""
    if backend is None:
        return GuardedRedirects()
    return CacheFirstSession(
        backend=backend,
        key_fn=cache_key,
        cache_control=True,
        allowable_codes=CACHEABLE_STATUSES,
        allowable_methods=("GET", "HEAD"),
        match_headers=MATCHED_HEADERS,
        # Redacted from the stored responses: a key must not sit in plain text on disk.
        ignored_parameters=SECRET_PARAMS,
        only_if_cached=config.offline,
        stale_if_error=config.offline,
        autoclose=False,
    )


# Query parameters and request headers that carry a credential: OpenAlex's `api_key`,
# Semantic Scholar's `x-api-key`, OpenReview's `Authorization` (requests-cache replaces their
# values with REDACTED in what it stores; the names are matched as sent).
SECRET_PARAMS = ("api_key", "x-api-key", "Authorization")


def cache_key(request: requests.PreparedRequest, **_: Any) -> str:
    """The cache key of a request: method, URL, body and the MATCHED_HEADERS values.

    requests-cache's default key first normalises the URL (url-normalize, sorted query),
    which costs more than reading the entry. Our URLs are built by the resolvers, the same
    way every time, so the URL as requests prepared it identifies the answer.
    """
    key = blake2b(digest_size=8)
    body = request.body or b""
    parts = (
        (request.method or "GET").upper(),
        request.url or "",
        *(f"{name.lower()}={request.headers.get(name, '')}" for name in MATCHED_HEADERS),
    )
    for part in parts:
        key.update(part.encode())
        key.update(b"\0")
    key.update(body.encode() if isinstance(body, str) else body)
    return key.hexdigest()


class GuardedRedirects(requests.Session):
    """A session that shows each redirect to `redirect_guard` (from URL, absolute target)
    before following it: the guard raises to refuse it (net/http.py, the SSRF policy)."""

    redirect_guard: Callable[[str, str], None] | None = None

    def get_redirect_target(self, response: requests.Response) -> str | None:
        """The redirect's target, after `redirect_guard` has seen it (and not raised)."""
        target: str | None = super().get_redirect_target(response)
        if target is not None and self.redirect_guard is not None:
            self.redirect_guard(response.url, urljoin(response.url, target))
        return target


class CacheFirstSession(GuardedRedirects, CachedSession):
    """A CachedSession that answers a fresh cache hit before requests does any other work.

    Only GET and HEAD requests with no arguments beyond PASSIVE_REQUEST_ARGS, on a session
    without default parameters, response hooks, filters or per-URL expiry, take the short way; it
    returns exactly what CachedSession would for a fresh entry (the stored response). A
    miss, an expired entry or an entry with `Vary` falls through to CachedSession.
    """

    def request(  # type: ignore[override]
        self,
        method: str,
        url: str,
        *args: Any,
        params: Mapping[str, str] | None = None,
        headers: MutableMapping[str, str] | None = None,
        **kwargs: Any,
    ) -> requests.Response:
        """A fresh cache hit at once when the request allows it; anything else as CachedSession
        does."""
        if not args and self._short_way(method, kwargs):
            hit = self._fresh_hit(method, url, params, headers)
            if hit is not None:
                return hit
        response: requests.Response = super().request(
            method, url, *args, params=params, headers=headers, **kwargs
        )
        return response

    def _short_way(self, method: str, kwargs: Mapping[str, Any]) -> bool:
        settings = self.settings
        return (
            method.upper() in settings.allowable_methods
            and kwargs.keys() <= PASSIVE_REQUEST_ARGS
            and not settings.disabled
            and settings.filter_fn is None
            and not settings.urls_expire_after
            and settings.expire_after != DO_NOT_CACHE
            and not self.hooks.get("response")
            and not self.params
        )

    def _fresh_hit(
        self,
        method: str,
        url: str,
        params: Mapping[str, str] | None,
        headers: MutableMapping[str, str] | None,
    ) -> requests.Response | None:
        """The stored response for this request, if there is one and it has not expired."""
        prepared = requests.PreparedRequest()
        prepared.method = method.upper()
        # What Session.prepare_request makes of the URL and headers (see merge_setting: the
        # request's values over the session's, None removing one), so the same key.
        prepared.prepare_url(url, _query(params or {}))
        merged: CaseInsensitiveDict[Any] = CaseInsensitiveDict(self.headers)
        merged.update(headers or {})
        prepared.headers = CaseInsensitiveDict({k: v for k, v in merged.items() if v is not None})
        if any(name in prepared.headers for name in CACHE_DIRECTIVE_HEADERS):
            return None
        cached = self.cache.get_response(self.cache.create_key(prepared))
        if cached is None or cached.is_expired or "Vary" in cached.headers:
            return None
        hit: requests.Response = cached
        return hit


def _query(params: Mapping[str, Any]) -> str | dict[str, Any]:
    """String parameters encoded as `PreparedRequest.prepare_url` encodes them, so that it
    skips its own encoding (slow for a dict: runtime protocol checks); others unchanged."""
    if not all(isinstance(value, str) for value in params.values()):
        return {name: value for name, value in params.items() if value is not None}
    return urlencode([(name.encode(), value.encode()) for name, value in params.items()])


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
    """Close a cache backend, if there is one."""
    if backend is not None:
        backend.close()  # type: ignore[no-untyped-call]  # unannotated in requests-cache


def _sqlite_backend(path: Path) -> BaseCache:
    """The SQLite backend on `path`: the usual one, or when this process may not write the
    file (a cache built once and shared read-only), one that only reads it."""
    if writable(path) or not path.exists():
        return open_sqlite(path, open_writable)
    backend = ReadOnlySQLiteCache(path, read_only_uri(path))
    logger.info("the cache %s is read-only: answers are read from it, new ones are not kept", path)
    return backend


def _redis_backend(url: str) -> BaseCache:
    try:
        from redis import Redis
        from requests_cache.backends.redis import RedisCache
    except ImportError as exc:
        raise ConfigError(
            "a redis:// cache needs the redis package: pip install 'factcheck[redis]'"
        ) from exc
    # JSON rather than pickle: a cache shared between machines must not be able to run code.
    return RedisCache(
        namespace=REDIS_NAMESPACE, connection=Redis.from_url(url), serializer=SafeJSON()
    )
