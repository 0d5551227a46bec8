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

A cache must never fail a check. SQLite files (this one and the results cache next to it,
`resolve.results`) are opened by `open_sqlite`: a file SQLite cannot read (garbage, cut
short, not a database) is set aside as `<name>.corrupt-<timestamp>` with a warning, and a
fresh one is built; damage found later, in use, is handled the same way by
`RecoveringSQLiteCache`. Any other SQLite trouble (a lock another process held past the busy
timeout, a full disk) makes that read a miss and that write a no-op. Many threads and
processes may share a file: WAL lets readers go on while one writes, writers wait up to
`BUSY_TIMEOUT_SECONDS` for each other, and opening is retried while another process holds
the lock (creating the file, switching it to WAL).
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable, Mapping, MutableMapping
from contextlib import closing
from datetime import datetime
from hashlib import blake2b
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlencode, urljoin

import platformdirs
import requests
from requests.structures import CaseInsensitiveDict
from requests_cache import CachedSession
from requests_cache.backends.base import BaseCache
from requests_cache.backends.sqlite import SQLiteCache
from requests_cache.policy.expiration import DO_NOT_CACHE

from ..config import Config
from ..errors import ConfigError

logger = logging.getLogger(__name__)

CACHE_APP_NAME = "factcheck"
SQLITE_FILE_NAME = "http.sqlite"
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

# How long one SQLite statement waits for another connection's write lock. Writes are
# single small rows, so a wait this long means something is stuck: the read then misses.
BUSY_TIMEOUT_SECONDS = 10.0
# How long opening a cache file keeps retrying while other processes hold its lock.
OPEN_PATIENCE_SECONDS = 30.0
OPEN_RETRY_PAUSE_SECONDS = 0.05
# How many times opening sets a damaged file aside before giving up on it.
OPEN_REBUILDS = 2
# A damaged file is renamed `<name>.corrupt-<timestamp>`, and its sidecars with it.
CORRUPT_SUFFIX = ".corrupt-"
CORRUPT_TIMESTAMP = "%Y%m%dT%H%M%S.%f"
SQLITE_SIDECARS = ("-wal", "-shm", "-journal")
# Reads the schema: enough for SQLite to notice a file that is not a database or is cut
# short, without reading every page (`PRAGMA quick_check` would, at every open).
SCHEMA_PROBE = "SELECT count(*) FROM sqlite_master"
QUICK_CHECK = "PRAGMA quick_check(1)"
QUICK_CHECK_OK = "ok"

_Opened = TypeVar("_Opened")


def open_backend(config: Config) -> BaseCache | None:
    """The requests-cache backend `config.cache` names, or None for "none"."""
    spec = config.cache.strip()
    if spec.startswith(REDIS_SCHEMES):
        return _redis_backend(spec)
    path = sqlite_path(config)
    return None if path is None else _sqlite_backend(path)


def sqlite_path(config: Config) -> Path | None:
    """The SQLite file `config.cache` names: None for "none" and for Redis. Other stores that
    live next to the HTTP cache (`resolve.results`) derive their file names from it."""
    spec = config.cache.strip()
    if spec.lower() == "none" or spec.startswith(REDIS_SCHEMES):
        return None
    if spec == "default":
        return Path(platformdirs.user_cache_dir(CACHE_APP_NAME)) / SQLITE_FILE_NAME
    return Path(spec).expanduser()


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


# Query parameters that carry a credential (OpenAlex's `api_key`).
SECRET_PARAMS = ("api_key",)


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
    if backend is not None:
        backend.close()  # type: ignore[no-untyped-call]  # unannotated in requests-cache


def _sqlite_backend(path: Path) -> BaseCache:
    # WAL lets readers go on while one thread writes; requests-cache serialises writers.
    return open_sqlite(
        path, lambda file: RecoveringSQLiteCache(file, wal=True, timeout=BUSY_TIMEOUT_SECONDS)
    )


def is_damage(exc: BaseException) -> bool:
    """Whether a SQLite error says the file is damaged (SQLITE_CORRUPT, SQLITE_NOTADB), not
    busy: the sqlite3 module raises those as a plain DatabaseError, and a lock, a full disk
    or an I/O error as an OperationalError (its subclass)."""
    return type(exc) is sqlite3.DatabaseError


def is_busy(exc: BaseException) -> bool:
    """Whether a SQLite error is another connection's lock (SQLITE_BUSY, SQLITE_LOCKED),
    which waiting cures. (The error code itself is only exposed from Python 3.11.)"""
    return isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc)


def file_id(path: Path) -> int | None:
    """The file's inode, to tell whether the file at `path` is still the one opened."""
    try:
        return path.stat().st_ino
    except OSError:
        return None


def open_sqlite(path: Path, connect: Callable[[Path], _Opened]) -> _Opened:
    """`connect(path)` for a cache file, creating its directory; a file SQLite cannot read
    is set aside first (`set_aside`), and opening is retried while other processes hold
    the file's lock (two may be creating it, or switching it to WAL, at once)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot create the cache directory {path.parent}: {exc}") from exc
    patience = time.monotonic() + OPEN_PATIENCE_SECONDS
    rebuilds = 0
    while True:
        opened = file_id(path)
        try:
            _probe(path)
            return connect(path)
        except sqlite3.DatabaseError as exc:
            if is_damage(exc) and rebuilds < OPEN_REBUILDS:
                rebuilds += 1
                _set_aside_or_fail(path, exc, opened)
                continue
            if not is_busy(exc) or time.monotonic() > patience:
                raise ConfigError(f"cannot open the cache {path}: {exc}") from exc
        time.sleep(OPEN_RETRY_PAUSE_SECONDS)


def _probe(path: Path) -> None:
    """Raise what SQLite finds wrong with an existing file, only looking (read-only, so that
    not even a stale write-ahead log is touched): its schema must read, and a file that is
    not a whole number of pages (SQLite writes whole pages: it was cut short) must pass
    `PRAGMA quick_check`, the full check being too slow for every open. An empty file
    passes: SQLite reads it as an empty database (and another process may have just
    created it)."""
    try:
        size = path.stat().st_size
        uri = f"{path.resolve().as_uri()}?mode=ro"
        with closing(sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_SECONDS)) as connection:
            connection.execute(SCHEMA_PROBE).fetchone()
            [page_size] = connection.execute("PRAGMA page_size").fetchone()
            if size % page_size:
                [verdict] = connection.execute(QUICK_CHECK).fetchone()
                if verdict != QUICK_CHECK_OK:
                    raise sqlite3.DatabaseError(f"cut short mid-page: {verdict.splitlines()[-1]}")
    except FileNotFoundError:
        return  # nothing there yet
    except sqlite3.OperationalError:
        if file_id(path) is None:
            return  # set aside by another process meanwhile: a fresh one comes next
        raise


def _set_aside_or_fail(path: Path, problem: BaseException, opened: int | None) -> None:
    try:
        set_aside(path, problem, opened)
    except OSError as exc:
        message = f"the cache {path} is damaged ({problem}) and cannot be moved: {exc}"
        raise ConfigError(message) from exc


def set_aside(path: Path, problem: BaseException, opened: int | None) -> None:
    """Rename a damaged cache file, and its WAL and shared-memory sidecars, to
    `<name>.corrupt-<timestamp>`, keeping it for a look while a fresh file takes its place.
    `opened` is the file's inode when it was found damaged: if another thread or process
    has already set it aside, the file now at `path` is a fresh one and stays. Raises
    OSError when the file cannot be moved."""
    if opened is None or file_id(path) != opened:
        return
    target = path.with_name(path.name + CORRUPT_SUFFIX + datetime.now().strftime(CORRUPT_TIMESTAMP))
    path.replace(target)
    for sidecar in SQLITE_SIDECARS:
        source = path.with_name(path.name + sidecar)
        try:
            source.replace(target.with_name(target.name + sidecar))
        except FileNotFoundError:
            continue
    logger.warning(
        "the cache %s was damaged (%s): moved it to %s and started an empty one",
        path,
        problem,
        target,
    )


class RecoveringSQLiteCache(SQLiteCache):
    """requests-cache's SQLite backend, made so that its file can never fail a lookup.

    Damage found in use (a page that cannot be read) sets the file aside and starts a fresh
    one, as at open; any other SQLite error makes the read a miss and the write a no-op.
    """

    def __init__(self, db_path: Path, **kwargs: Any) -> None:
        super().__init__(db_path, **kwargs)
        self._file = Path(db_path)
        self._opened = file_id(self._file)

    def get_response(self, key: str, default: Any = None) -> Any:
        opened = self._opened
        try:
            return super().get_response(key, default)
        except sqlite3.Error as exc:
            self._trouble(exc, opened)
            return default

    def save_response(self, *args: Any, **kwargs: Any) -> None:
        opened = self._opened
        try:
            super().save_response(*args, **kwargs)
        except sqlite3.Error as exc:
            self._trouble(exc, opened)

    def delete(self, *keys: str, **kwargs: Any) -> None:
        opened = self._opened
        try:
            super().delete(*keys, **kwargs)
        except sqlite3.Error as exc:
            self._trouble(exc, opened)

    def _trouble(self, exc: sqlite3.Error, opened: int | None) -> None:
        """`opened` is the file the failed statement ran on: when other threads met the same
        damage at once, the first rebuilds and the others find it done."""
        if not is_damage(exc):
            logger.warning(
                "the cache %s could not be used (%s): going on without it", self._file, exc
            )
            return
        # The responses' lock is the redirects' too: no other write runs while we rebuild.
        with self.responses._lock:
            if opened != self._opened:
                return
            try:
                set_aside(self._file, exc, opened)
            except OSError as error:
                logger.warning(
                    "the cache %s is damaged (%s) and cannot be moved: %s", self._file, exc, error
                )
                return
            self.responses.init_db()  # type: ignore[no-untyped-call]  # unannotated upstream
            self.redirects.init_db()  # type: ignore[no-untyped-call]
            self._opened = file_id(self._file)


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
