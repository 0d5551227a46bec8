"""A stand-in SQLite connection for cache tests: a lock no busy timeout outlasts."""

from __future__ import annotations

import sqlite3


class LockedConnection:
    """A connection whose every statement meets another process's lock, held past the busy
    timeout (which a test cannot make a real WAL reader meet)."""

    def execute(self, *_: object) -> None:
        raise sqlite3.OperationalError("database is locked")

    def close(self) -> None:
        pass


class GarbledConnection:
    """A stand-in connection whose statements meet a damaged record whose header claims a
    huge size: SQLite runs out of memory reading it, and Python raises MemoryError."""

    def execute(self, *_: object) -> None:
        raise MemoryError

    def close(self) -> None:
        pass
