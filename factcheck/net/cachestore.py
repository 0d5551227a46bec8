"""Where the HTTP cache keeps its answers: requests-cache's SQLite backend, made safe to
read whatever a file holds.

**No code from data.** requests-cache stores responses as pickles by default, and
unpickling runs whatever code the pickle names: a cache file that someone else wrote (a
repository that ships one, a shared disk) could take over the machine. So responses are
stored as JSON (`SafeJSON`: requests-cache's JSON serializer, bodies base64 so that any
bytes survive) and nothing read back is ever unpickled. An entry that does not decode, or
decodes to something that is not a well-formed response, is a miss: the answer is fetched
again. A redirect alias is followed only to a key of our own form (`cache_key`), so that a
value read from the file never becomes part of a statement (requests-cache puts keys into
its SQL as text).

**Old files.** factcheck up to 0.x wrote pickles. A file that holds them (its rows are
BLOBs; JSON rows are TEXT) and lacks our format mark (`PRAGMA user_version`) is set aside
as `<name>.pickle-<timestamp>` with a warning when opened for writing, and a fresh file is
built: its entries could never be read again, and would only take room. The mark saves
looking at the rows on every open; it is not what keeps pickles from being read (nothing
is ever unpickled, marked or not).

**Damage and trouble in use** (see `net.cachefile`): damage found in a lookup sets the file
aside and starts a fresh one; any other SQLite error makes the read a miss and the write a
no-op. A file this process may not write is read through `ReadOnlySQLiteCache`, which
writes nothing at all.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from requests_cache.backends.base import BaseCache
from requests_cache.backends.sqlite import SQLiteCache, SQLiteDict
from requests_cache.models.request import CachedRequest
from requests_cache.models.response import CachedResponse
from requests_cache.serializers import Stage, json_serializer

from .cachefile import (
    BUSY_TIMEOUT_SECONDS,
    SQLITE_TROUBLE,
    connect_read_only,
    file_id,
    is_damage,
    looking_uri,
    move_aside,
    set_aside,
)

logger = logging.getLogger(__name__)

# The format mark of our HTTP cache files (`PRAGMA user_version`): responses as JSON.
JSON_FORMAT = 2
# Pickled files from earlier versions are renamed `<name>.pickle-<timestamp>`.
PICKLE_SUFFIX = ".pickle-"
RESPONSES_TABLE = "responses"
REDIRECTS_TABLE = "redirects"
# A key as `net.cache.cache_key` makes them: 8 bytes of blake2b, in hex.
KEY_FORM = re.compile(r"[0-9a-f]{16}")


class SafeJSON(Stage):
    """requests-cache's JSON serializer whose `loads` never raises and returns only
    well-formed responses: anything else (bad JSON, a pickle, the wrong shape, nesting deep
    enough to exhaust the stack) is None, which requests-cache takes as a miss."""

    def __init__(self) -> None:
        pipeline = json_serializer.copy()
        # Bodies exactly as received (base64), never re-encoded from parsed JSON or text.
        pipeline.set_decode_content(False)
        super().__init__(pipeline, dumps=pipeline.dumps, loads=self._loads)
        self._pipeline = pipeline

    def _loads(self, value: Any) -> CachedResponse | None:
        try:
            response = self._pipeline.loads(value)
        except Exception as exc:  # whatever a stored value makes it raise
            logger.debug("a cached response could not be read (%s): a miss", type(exc).__name__)
            return None
        return response if well_formed(response) else None


def well_formed(response: Any) -> bool:
    """Whether a decoded entry is a response that requests-cache and our resolvers can use
    without surprise: the types that requests' own responses have."""
    return (
        isinstance(response, CachedResponse)
        and isinstance(response.content, bytes)
        and type(response.status_code) is int
        and isinstance(response.url, str)
        and _optional(response.encoding, str)
        and _optional(response.reason, str)
        and isinstance(response.created_at, datetime)
        and _optional(response.expires, datetime)
        and _text_map(response.headers)
        and isinstance(response.request, CachedRequest)
        and _optional(response.request.url, str)
        and _optional(response.request.method, str)
        and _text_map(response.request.headers)
        and isinstance(response.history, list)
        and all(well_formed(earlier) for earlier in response.history)
    )


def _optional(value: Any, kind: type) -> bool:
    return value is None or isinstance(value, kind)


def _text_map(headers: Any) -> bool:
    """Whether a CaseInsensitiveDict maps text to text (read by `lower_items`: the Mapping
    methods cost more than the rest of the check)."""
    return all(type(name) is str and type(value) is str for name, value in headers.lower_items())


# When each stored response was fetched, and how many there are, read by SQLite from the
# JSON as requests-cache writes it (`created_at`, an ISO time: they sort as text). A value
# that is not JSON text counts for nothing, as it answers nothing (`SafeJSON`); CASE makes
# SQLite look inside only what is.
_CREATED = (
    f"SELECT CASE WHEN typeof(value) = 'text' AND json_valid(value)"
    f" THEN json_extract(value, '$.created_at') END AS created FROM {RESPONSES_TABLE}"
)
FETCH_TIMES = (
    f"SELECT count(created), min(created), max(created) FROM ({_CREATED})"
    " WHERE typeof(created) = 'text'"
)


def fetch_times(path: Path) -> tuple[int, datetime | None, datetime | None]:
    """How many responses the HTTP cache file at `path` holds, and when the oldest and the
    newest were fetched; only looking, and without decoding a response in Python (which
    cost a job about 70 µs per entry of the cache, whatever the job's size). Raises what
    `sqlite3` raises for a file it cannot read."""
    with closing(connect_read_only(looking_uri(path))) as connection:
        if not _has_table(connection, RESPONSES_TABLE):
            return 0, None, None
        count, oldest, newest = connection.execute(FETCH_TIMES).fetchone()
    return int(count), _moment(oldest), _moment(newest)


def _moment(text: str | None) -> datetime | None:
    """An ISO time read from the file, or None for none or one that does not read."""
    try:
        return None if text is None else datetime.fromisoformat(text)
    except ValueError:
        return None


class SafeLookups(BaseCache):
    """How both SQLite backends look a response up: a redirect alias is followed only when
    it names a key of our own form, and a SQLite error is handed to `_trouble`."""

    _file: Path
    # The inode of the file the backend has open (see `RecoveringSQLiteCache._trouble`).
    _opened: int | None

    def get_response(self, key: str, default: Any = None) -> Any:
        """The stored response for `key` (following a redirect alias only when it has our key form),
        or `default`: a SQLite error is a miss."""
        opened = self._opened
        try:
            response = self.responses.get(key)
            if response is None:
                target = self.redirects.get(key)
                if isinstance(target, str) and KEY_FORM.fullmatch(target):
                    response = self.responses.get(target)
        except SQLITE_TROUBLE as exc:
            self._trouble(exc, opened)
            return default
        return default if response is None else response

    def _trouble(self, exc: Exception, opened: int | None) -> None:
        logger.warning("the cache %s could not be used (%s): going on without it", self._file, exc)


class RecoveringSQLiteCache(SafeLookups, SQLiteCache):
    """requests-cache's SQLite backend, made so that its file can never fail a lookup.

    Damage found in use (a page that cannot be read) sets the file aside and starts a fresh
    one, as at open; any other SQLite error makes the read a miss and the write a no-op.
    """

    def __init__(self, db_path: Path, **kwargs: Any) -> None:
        super().__init__(db_path, serializer=SafeJSON(), **kwargs)
        self._file = Path(db_path)
        self._opened = file_id(self._file)
        self._mark()

    def save_response(self, *args: Any, **kwargs: Any) -> None:
        """Store a response; a SQLite error skips the write."""
        opened = self._opened
        try:
            super().save_response(*args, **kwargs)
        except SQLITE_TROUBLE as exc:
            self._trouble(exc, opened)

    def delete(self, *keys: str, **kwargs: Any) -> None:
        """Delete entries; a SQLite error leaves them."""
        opened = self._opened
        try:
            super().delete(*keys, **kwargs)
        except SQLITE_TROUBLE as exc:
            self._trouble(exc, opened)

    def _mark(self) -> None:
        """Mark the file as ours, in JSON (see the module docstring), unless it is."""
        with self.responses.connection() as connection:
            [version] = connection.execute("PRAGMA user_version").fetchone()
        if version != JSON_FORMAT:
            with self.responses.connection(commit=True) as connection:
                connection.execute(f"PRAGMA user_version = {JSON_FORMAT}")

    def _trouble(self, exc: Exception, opened: int | None) -> None:
        """`opened` is the file the failed statement ran on: when other threads met the same
        damage at once, the first rebuilds and the others find it done; an error met while
        the file was being replaced (a table not made yet) says nothing about the new one."""
        # The responses' lock is the redirects' too: no other write runs while we rebuild.
        with self.responses._lock:
            if opened != self._opened:
                return
            if not is_damage(exc):
                super()._trouble(exc, opened)
                return
            try:
                set_aside(self._file, exc, opened)
            except OSError as error:
                logger.warning(
                    "the cache %s is damaged (%s) and cannot be moved: %s", self._file, exc, error
                )
                return
            _reopen(self.responses)
            _reopen(self.redirects)
            self._mark()
            self._opened = file_id(self._file)


def _reopen(table: SQLiteDict) -> None:
    """Point a table at the new file. Its old connection is dropped, not closed: readers do
    not take the table's lock, and closing a connection another thread is reading with
    crashes the sqlite3 module (a segmentation fault, seen in CI). The old one closes when
    the last reader holding it lets it go. Called under the table's lock."""
    table._connection = None
    table.init_db()  # type: ignore[no-untyped-call]  # unannotated upstream; closes nothing now


def open_writable(path: Path) -> RecoveringSQLiteCache:
    """The backend on a file this process may write (see `net.cachefile.open_sqlite`); a
    file of pickles from an earlier version is set aside first."""
    retire_pickles(path)
    # WAL lets readers go on while one thread writes; requests-cache serialises writers.
    return RecoveringSQLiteCache(path, wal=True, timeout=BUSY_TIMEOUT_SECONDS)


def retire_pickles(path: Path) -> None:
    """Set the file at `path` aside when it is a cache of pickled responses from an earlier
    version: no mark of ours, and a BLOB among its responses."""
    opened = file_id(path)
    if opened is None:
        return
    with closing(connect_read_only(looking_uri(path))) as connection:
        [version] = connection.execute("PRAGMA user_version").fetchone()
        if version == JSON_FORMAT or not _has_table(connection, RESPONSES_TABLE):
            return
        query = f"SELECT 1 FROM {RESPONSES_TABLE} WHERE typeof(value) = 'blob' LIMIT 1"
        if connection.execute(query).fetchone() is None:
            return
    target = move_aside(path, PICKLE_SUFFIX, opened)
    if target is not None:
        logger.warning(
            "the cache %s was written by an earlier factcheck, in a format that is no longer "
            "read (pickle): moved it to %s and started an empty one",
            path,
            target,
        )


def _has_table(connection: sqlite3.Connection, name: str) -> bool:
    query = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
    return connection.execute(query, (name,)).fetchone() is not None


class ReadOnlyTable(SQLiteDict):
    """A table of a cache file that this process may not write: read by a read-only URI
    (`net.cachefile.read_only_uri`), never created, written or deleted from."""

    def __init__(self, path: Path, uri: str, **kwargs: Any) -> None:
        self._uri = uri
        super().__init__(path, **kwargs)

    def init_db(self) -> None:
        """Create nothing: the file is read as it is."""
        self.close()  # type: ignore[no-untyped-call]  # unannotated upstream

    @contextmanager
    def connection(self, commit: bool = False) -> Iterator[sqlite3.Connection]:
        """The one read-only connection to the file (`commit` is ignored: nothing is written)."""
        with self._lock:
            if self._connection is None:
                self._connection = connect_read_only(self._uri)
        yield self._connection


class ReadOnlySQLiteCache(SafeLookups, SQLiteCache):
    """The backend on a cache file that this process may not write (a cache built once
    and shared read-only, a read-only mount): it answers from the file and never writes
    to it. An error in a lookup is a miss; nothing is set aside (the file is not ours)."""

    def __init__(self, path: Path, uri: str) -> None:
        BaseCache.__init__(self, cache_name=str(path))
        self._file = path
        self._opened = file_id(path)
        self.responses = ReadOnlyTable(path, uri, table_name=RESPONSES_TABLE, serializer=SafeJSON())
        self.redirects = ReadOnlyTable(
            path, uri, table_name=REDIRECTS_TABLE, lock=self.responses._lock, serializer=None
        )

    def save_response(self, *args: Any, **kwargs: Any) -> None:
        """Nothing is written: a new answer simply is not kept."""

    def delete(self, *keys: str, **kwargs: Any) -> None:
        """Nothing is deleted from a file that is not ours."""
