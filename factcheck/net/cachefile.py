"""A cache's SQLite file: opening it, damage, files that are not ours to write, and paths
that are not files at all.

Both caches (the HTTP cache, `net.cache`, and the results cache next to it,
`resolve.results`) open their files here, so that they meet every trouble the same way:

- **Damage.** A file SQLite cannot read (garbage, cut short, not a database) is set aside
  as `<name>.corrupt-<timestamp>` with a warning, and a fresh one is built.
- **Locks.** Opening is retried while another process holds the file's lock (two may be
  creating it, or switching it to WAL, at once).
- **Not a file.** A directory, FIFO, socket or device at the path (or at one of its
  sidecars) is refused at once with a ConfigError saying so: SQLite would fail with a
  vague message on a directory, and block for ever opening a FIFO that has no writer.
- **Read-only.** A file this process may not write (its mode, its directory's, a read-only
  mount) is read without writing anything: `read_only_uri` opens it `mode=ro`, or
  `immutable=1` when SQLite cannot even make the shared-memory index a WAL file needs
  beside it (a read-only directory). Nothing is set aside there: the file is not ours.
  Root's writes are not stopped by permission bits, and `writable` says so, as it should.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import stat
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from ..errors import ConfigError

logger = logging.getLogger(__name__)

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
ASIDE_TIMESTAMP = "%Y%m%dT%H%M%S.%f"
SQLITE_SIDECARS = ("-wal", "-shm", "-journal")
# Reads the schema: enough for SQLite to notice a file that is not a database or is cut
# short, without reading every page (`PRAGMA quick_check` would, at every open).
SCHEMA_PROBE = "SELECT count(*) FROM sqlite_master"
QUICK_CHECK = "PRAGMA quick_check(1)"
QUICK_CHECK_OK = "ok"
# How a file that is not ours to write is opened: read-only, else (no shared-memory index
# can be made beside a WAL file) as a file that cannot change under us.
READ_ONLY_MODES = ("mode=ro", "immutable=1")

# What is at a path that is not a regular file, by `stat` test.
NOT_FILES: tuple[tuple[Callable[[int], bool], str], ...] = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)

_Opened = TypeVar("_Opened")


# What a statement on a cache file raises when the file is in trouble. SQLite runs out of
# memory reading one of our small rows only when a damaged page claims a huge record: so
# MemoryError from a statement is trouble too, and counts as damage (`is_damage`).
SQLITE_TROUBLE = (sqlite3.Error, MemoryError)


def is_damage(exc: BaseException) -> bool:
    """Whether a SQLite error says the file is damaged (SQLITE_CORRUPT, SQLITE_NOTADB), not
    busy: the sqlite3 module raises those as a plain DatabaseError, and a lock, a full disk
    or an I/O error as an OperationalError (its subclass). A MemoryError from a statement
    is a damaged record (see SQLITE_TROUBLE)."""
    return type(exc) is sqlite3.DatabaseError or isinstance(exc, MemoryError)


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


def require_files(path: Path) -> None:
    """Raise ConfigError when `path`, or one of the sidecars SQLite would open beside it, is
    there but is not a regular file (symbolic links are followed). Missing is fine."""
    for candidate in _with_sidecars(path):
        try:
            mode = candidate.stat().st_mode
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise ConfigError(f"cannot use the cache {path}: {exc}") from exc
        for test, kind in NOT_FILES:
            if test(mode):
                raise ConfigError(
                    f"the cache {candidate} is {kind}, not a file: name a file for the cache, "
                    "or 'none' for no cache"
                )


def _with_sidecars(path: Path) -> Iterator[Path]:
    """`path`, then its sidecars (named only once `path` has passed: `/` has no name)."""
    yield path
    for suffix in SQLITE_SIDECARS:
        yield sidecar(path, suffix)


def writable(path: Path) -> bool:
    """Whether this process may write the SQLite file at `path`: the file, if it is there,
    and its directory, where SQLite keeps a WAL file's log and index. A directory still to
    be made counts as writable (making it is where a refusal shows)."""
    directory = path.parent
    if not directory.exists():
        return True
    if not os.access(directory, os.W_OK):
        return False
    return not path.exists() or os.access(path, os.W_OK)


def sidecar(path: Path, suffix: str) -> Path:
    """A file beside `path` named after it (`-wal`, `-shm`, `.corrupt-…`)."""
    return path.with_name(path.name + suffix)


def open_sqlite(path: Path, connect: Callable[[Path], _Opened]) -> _Opened:
    """`connect(path)` for a cache file this process may write, creating its directory; a
    file SQLite cannot read is set aside first (`set_aside`), and opening is retried while
    other processes hold the file's lock (two may be creating it, or switching it to WAL,
    at once). Raises ConfigError for what is not a file, and for what cannot be opened."""
    require_files(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot create the cache directory {path.parent}: {exc}") from exc
    patience = time.monotonic() + OPEN_PATIENCE_SECONDS
    rebuilds = 0
    uri = looking_uri(path)
    while True:
        opened = file_id(path)
        try:
            _probe(path, uri)
            return connect(path)
        except sqlite3.DatabaseError as exc:
            if is_damage(exc) and rebuilds < OPEN_REBUILDS:
                rebuilds += 1
                _set_aside_or_fail(path, exc, opened)
                continue
            if not is_busy(exc) or time.monotonic() > patience:
                raise ConfigError(f"cannot open the cache {path}: {exc}") from exc
        time.sleep(OPEN_RETRY_PAUSE_SECONDS)


def read_only_uri(path: Path) -> str:
    """The URI by which SQLite reads the existing cache file at `path` without writing a
    byte, checked by reading its schema. Raises ConfigError for what is not a file, and
    for a file SQLite cannot read (nothing is set aside: the file is not ours)."""
    require_files(path)
    problem: sqlite3.Error | None = None
    for mode in READ_ONLY_MODES:
        uri = f"{path.resolve().as_uri()}?{mode}"
        try:
            _probe(path, uri)
            return uri
        except sqlite3.OperationalError as exc:
            problem = exc  # SQLite could not set up reading this way: try the next
        except sqlite3.DatabaseError as exc:
            raise ConfigError(f"the read-only cache {path} is damaged: {exc}") from exc
    raise ConfigError(f"cannot read the read-only cache {path}: {problem}")


def looking_uri(path: Path) -> str:
    """The URI that opens the file at `path` only to look: read-only, changing nothing."""
    return f"{path.resolve().as_uri()}?{READ_ONLY_MODES[0]}"


def connect_read_only(uri: str) -> sqlite3.Connection:
    """A connection (autocommit, shareable between threads) by a `read_only_uri`."""
    return sqlite3.connect(
        uri, uri=True, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None, check_same_thread=False
    )


def _probe(path: Path, uri: str) -> None:
    """Raise what SQLite finds wrong with an existing file, only looking (by a read-only
    `uri`, so that not even a stale write-ahead log is touched): its schema must read, and
    a file that is not a whole number of pages (SQLite writes whole pages: it was cut short)
    must pass `PRAGMA quick_check`, the full check being too slow for every open. An empty
    file passes: SQLite reads it as an empty database (and another process may have just
    created it)."""
    try:
        size = path.stat().st_size
        with closing(connect_read_only(uri)) as connection:
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
    target = move_aside(path, CORRUPT_SUFFIX, opened)
    if target is not None:
        logger.warning(
            "the cache %s was damaged (%s): moved it to %s and started an empty one",
            path,
            problem,
            target,
        )


def move_aside(path: Path, suffix: str, opened: int | None) -> Path | None:
    """Rename the file at `path`, and its sidecars, to `<name><suffix><timestamp>`; the new
    name, or None when the file is no longer the one `opened` (another process moved it).
    Raises OSError when the file cannot be moved."""
    if opened is None or file_id(path) != opened:
        return None
    target = sidecar(path, suffix + datetime.now().strftime(ASIDE_TIMESTAMP))
    path.replace(target)
    for name in SQLITE_SIDECARS:
        try:
            sidecar(path, name).replace(sidecar(target, name))
        except FileNotFoundError:
            continue
    return target
