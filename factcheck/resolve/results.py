"""The results cache: the sources' answers (Lookups) as our own models, kept between runs.

A warm HTTP cache still costs a resolver about a millisecond per identifier: requests-cache
rebuilds the stored response, the 1-30 kB JSON record is parsed again and mapped to a
Record. The answer that all this produces is a few hundred bytes of our own models, so
this cache keeps that, and a later run reads it back in tens of microseconds.

It lives in `resolve`, not `net`, because what it stores is the resolvers' product: it
knows Lookups and Outcomes, which `net` must not. It asks `net.cache` only where the HTTP
cache is, and keeps its own SQLite file next to it, `<http cache>.results.sqlite`: not a
table in the HTTP cache's file, because requests-cache owns that file (its connections,
its write lock, its `clear()`, which may delete the file), and because one file per store
means a write to one never waits for the other. WAL lets readers go on while one writes.

What is kept, and for how long, follows the HTTP cache's rules one level up:
- answers only, never failures: a list of Lookups is kept only when none of them FAILED,
  so a source's bad moment is asked again next time;
- for `cache_ttl_found` when the last Lookup (the one that settled it) is FOUND,
  `cache_ttl_missing` when it is MISSING, and `cache_ttl_url` for any web page;
- offline, entries are served past their TTL (an old answer beats none) and nothing is
  written (an answer read from a stale HTTP entry must not come back as a fresh one).

The key is the factcheck version, the names of the sources consulted for the kind (in
order), a digest of the settings that can change an answer (source URLs, URL limits, …)
and the citation's lookup key. So an upgrade, another `--sources` or another Crossref
never serves an answer mapped under other rules. Replays (`config.replay`) bypass it:
they must show what the recording does. `cache = "none"` has none, and neither, for now,
has a Redis HTTP cache: a shared results store for it comes with the Redis backend work.

The answers read last are also kept in memory (`RECENT_ANSWERS` of them, with
their expiry): a batch job asks for the same few thousand claims in every chunk of records,
and a guarded chat for the works it keeps citing, and a dict lookup costs a hundredth of a
read and decode. They are the same answers the file holds, dropped once expired as there
(another process's newer answer for the same key reaches this one when the entry leaves
memory). Callers get the same Lookup objects each time: the Checker only reads them.

Like the HTTP cache, it must never fail a check (see `net.cachefile`): a damaged file is
set aside and rebuilt, at open or when found in use, and any other SQLite trouble (another
process's lock held past the busy timeout, a full disk) makes a read a miss and a write a
no-op. A file this process may not write is only read; a path that is not a file leaves
the check without a results cache (one warning). Values are JSON read by our models: one
that does not decode to Lookups, or an expiry that is not a number, is a miss.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from hashlib import blake2b
from pathlib import Path

from pydantic import TypeAdapter

from .. import __version__
from ..config import Config
from ..errors import ConfigError
from ..flags import METADATA_UNAVAILABLE
from ..lookup import Lookup, Outcome
from ..model import Citation, Kind
from ..net.cache import sqlite_path
from ..net.cachefile import (
    BUSY_TIMEOUT_SECONDS,
    SQLITE_TROUBLE,
    connect_read_only,
    file_id,
    is_damage,
    open_sqlite,
    read_only_uri,
    set_aside,
    writable,
)
from .acl import SOURCE as ACL_SOURCE
from .acl import index_path as acl_index

logger = logging.getLogger(__name__)

RESULTS_SUFFIX = ".results.sqlite"
SETTINGS_DIGEST_BYTES = 6
KEY_SEPARATOR = "|"
# Settings that change how answers are fetched, paced, kept or counted, never what they
# say. Every other setting is part of the key, so that a new one is assumed to change
# answers until it is listed here. `sources` is left out because the key names the
# sources consulted for the citation's kind, which is more precise.
NEUTRAL_SETTINGS = frozenset(
    {
        "sources",
        "mailto",
        "openalex_key",
        "limits_url",
        "cache",
        "offline",
        "replay",
        "connect_timeout",
        "timeout",
        "retries",
        "max_retry_after",
        "retry_backoff",
        "cache_ttl_found",
        "cache_ttl_missing",
        "cache_ttl_url",
        "max_lookups",
        "max_urls",
        "max_bytes_per_text",
        "max_references",
        "max_text_chars",
        "deadline",
        "workers",
        # Decides only whether a failed name lookup is believed; failures are not stored.
        "dns_control_host",
    }
)
SCHEMA = (
    "CREATE TABLE IF NOT EXISTS lookups"
    " (key TEXT PRIMARY KEY, expires REAL NOT NULL, value BLOB NOT NULL) WITHOUT ROWID"
)
SELECT = "SELECT value, expires FROM lookups WHERE key = ?"
UPSERT = "INSERT OR REPLACE INTO lookups (key, expires, value) VALUES (?, ?, ?)"

LOOKUPS = TypeAdapter(list[Lookup])


def open_results(config: Config) -> ResultsCache | None:
    """The results cache for `config`, or None when it has none (see the module docstring)."""
    http_cache = sqlite_path(config)
    if http_cache is None or config.replay:
        return None
    path = http_cache.with_name(http_cache.name + RESULTS_SUFFIX)
    # Beside an HTTP cache that is not ours to write, nothing is written either.
    return ResultsCache(path, config, read_only=http_cache.exists() and not writable(http_cache))


def _stamp(path: Path) -> list[int]:
    try:
        stat = path.stat()
    except OSError:
        return []
    return [stat.st_size, stat.st_mtime_ns]


def settings_digest(config: Config) -> str:
    """A short digest of the settings that can change what a source answers."""
    shaping = config.model_dump(mode="json", exclude=set(NEUTRAL_SETTINGS))
    # A library file edited since is another source: its size and time are part of the key.
    # So is the ACL Anthology index, which `factcheck library update acl` rewrites.
    shaping["library_files"] = [_stamp(path) for path in config.library]
    if ACL_SOURCE in config.sources:
        shaping["acl_index"] = _stamp(acl_index(config))
    text = json.dumps(shaping, sort_keys=True, separators=(",", ":"))
    return blake2b(text.encode(), digest_size=SETTINGS_DIGEST_BYTES).hexdigest()


def storable(lookups: Sequence[Lookup]) -> bool:
    """An answer, not a failure: at least one Lookup, none that FAILED, and no record whose
    metadata could not be fetched."""
    return bool(lookups) and all(
        lookup.outcome is not Outcome.FAILED
        and not any(METADATA_UNAVAILABLE in record.flags for record in lookup.records)
        for lookup in lookups
    )


# Answers kept in memory by a ResultsCache, the oldest dropped first: at a few kB each, a
# few tens of MB at most, and more than the distinct claims of a typical job.
RECENT_ANSWERS = 10_000


class ResultsCache:
    """Lookups by (version, sources, settings, citation). Thread-safe.

    One connection, opened on first use and shared under a lock: a read takes about ten
    microseconds of SQLite, so threads hardly wait, and close() can close it from any thread
    (per-thread connections could only be closed by their own threads). Other processes
    may share the file: WAL, and a busy timeout for their writes.
    """

    def __init__(
        self,
        path: Path,
        config: Config,
        *,
        clock: Callable[[], float] = time.time,
        read_only: bool = False,
    ) -> None:
        self.path = path
        self._config = config
        # Wall-clock seconds: expiry times must mean the same in the next process.
        self._clock = clock
        self._prefix = KEY_SEPARATOR.join((__version__, settings_digest(config)))
        self._lock = threading.Lock()
        self._connection: sqlite3.Connection | None = None
        # The inode of the file the connection opened (see `_trouble`).
        self._opened: int | None = None
        # A file this process may not write (or told not to) is only read; one that cannot
        # be used at all (nothing to read and no right to create it, or not a file) is left.
        self._read_only = read_only
        self._unusable = False
        # The answers read last, by key, with their expiry (see the docstring).
        self._recent: dict[str, tuple[float, list[Lookup]]] = {}

    def get(self, sources: Sequence[str], citation: Citation) -> list[Lookup] | None:
        """The stored answer, or None when there is none or it has expired (unless offline)."""
        key = self._key(sources, citation)
        recent = self._recent.get(key)
        if recent is not None and (recent[0] > self._clock() or self._config.offline):
            return recent[1]
        with self._lock:
            try:
                connection = self._connect()
                row = None if connection is None else connection.execute(SELECT, (key,)).fetchone()
            except SQLITE_TROUBLE as exc:
                self._trouble(exc)
                return None
        if row is None:
            return None
        value, expires = row
        if not isinstance(expires, (int, float)):
            return None
        if expires <= self._clock() and not self._config.offline:
            return None
        lookups = _decoded(value)
        if lookups is not None:
            self._remember(key, expires, lookups)
        return lookups

    def put(self, sources: Sequence[str], citation: Citation, lookups: list[Lookup]) -> None:
        """Keep `lookups` for their TTL if they are an answer (`storable`); offline, never."""
        if self._config.offline or not storable(lookups):
            return
        expires = self._clock() + self._ttl(citation.kind, lookups[-1])
        value = LOOKUPS.dump_json(lookups, exclude_defaults=True)
        row = (self._key(sources, citation), expires, value)
        with self._lock:
            try:
                connection = self._connect()
                if connection is not None and not self._read_only:
                    connection.execute(UPSERT, row)
            except SQLITE_TROUBLE as exc:
                # The answer is simply asked for again next time; the check is not harmed.
                self._trouble(exc)

    def _remember(self, key: str, expires: float, lookups: list[Lookup]) -> None:
        """Keep an answer in memory, dropping the oldest past RECENT_ANSWERS."""
        with self._lock:
            self._recent.pop(key, None)
            self._recent[key] = (expires, lookups)
            while len(self._recent) > RECENT_ANSWERS:
                del self._recent[next(iter(self._recent))]

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    def _key(self, sources: Sequence[str], citation: Citation) -> str:
        return KEY_SEPARATOR.join((self._prefix, ",".join(sources), citation.key))

    def _ttl(self, kind: Kind, settled_by: Lookup) -> float:
        if kind is Kind.URL:
            return self._config.cache_ttl_url
        if settled_by.outcome is Outcome.FOUND:
            return self._config.cache_ttl_found
        return self._config.cache_ttl_missing

    def _connect(self) -> sqlite3.Connection | None:
        """The connection, opened (and the table made) on first use; None when the file
        cannot be used (then only once a warning). Call under the lock."""
        if self._connection is None and not self._unusable:
            try:
                self._connection = self._open()
            except ConfigError as exc:
                logger.warning("the results cache cannot be used (%s): going on without it", exc)
            self._unusable = self._connection is None
            self._opened = file_id(self.path)
        return self._connection

    def _open(self) -> sqlite3.Connection | None:
        """A connection to write and read; to read only, when this process may not write
        the file; none when there is no file and no right to make one."""
        if not self._read_only and writable(self.path):
            return open_sqlite(self.path, _open)
        self._read_only = True
        if not self.path.exists():
            return None
        return connect_read_only(read_only_uri(self.path))

    def _trouble(self, exc: Exception) -> None:
        """A SQLite error in use. Damage: the file is set aside (unless another process
        already did, or the file is not ours to move) and the next use opens a fresh one.
        Anything else is only logged: the read was a miss, the write is dropped. Call under
        the lock."""
        if not is_damage(exc) or self._read_only:
            logger.warning("the results cache %s could not be used (%s)", self.path, exc)
            return
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        try:
            set_aside(self.path, exc, self._opened)
        except OSError as error:
            logger.warning("the results cache %s is damaged (%s): %s", self.path, exc, error)


def _decoded(value: object) -> list[Lookup] | None:
    """The Lookups a stored value holds, or None (a miss) when it does not hold them: JSON
    only, read by our models, so nothing in the file can do more than fail to decode."""
    if not isinstance(value, (str, bytes)):
        return None
    try:
        return LOOKUPS.validate_json(value)
    except (ValueError, RecursionError) as exc:
        logger.debug("a stored answer could not be read (%s): a miss", type(exc).__name__)
        return None


def _open(path: Path) -> sqlite3.Connection:
    # Autocommit (isolation_level None): every statement is its own transaction.
    connection = sqlite3.connect(
        path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None, check_same_thread=False
    )
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        # In WAL mode NORMAL loses at most the last commits on power loss, never
        # consistency: the right trade for a cache.
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute(SCHEMA)
    except sqlite3.Error:
        connection.close()
        raise
    return connection
