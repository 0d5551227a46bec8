"""The output JSONL is the checkpoint: what it holds is done, the rest is to do.

A run writes one line per input record and flushes (and fsyncs) after every chunk, so a run
killed at any moment leaves whole lines, plus at most one torn line at the end. Resuming
reads the file back: each whole line's `row` is done and is handed to the caller (to count
it in the summary); the first line that is not whole, valid JSON with a row, and everything
after it, is cut off and done again. Lookups are not repeated on the redo because their
answers are in the results cache (`resolve.results`), which is why resuming needs a file
cache.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO

NEWLINE = b"\n"


def resume_point(path: Path, on_record: Callable[[dict[str, Any]], None]) -> set[int]:
    """The rows `path` already holds. Cuts the file after its last whole record; calls
    `on_record` with each whole record, in file order."""
    done: set[int] = set()
    if not path.exists():
        return done
    with path.open("r+b") as handle:
        offset = 0
        for line in handle:
            record = _whole(line)
            if record is None:
                handle.truncate(offset)
                break
            done.add(record["row"])
            on_record(record)
            offset += len(line)
    return done


def _whole(line: bytes) -> dict[str, Any] | None:
    if not line.endswith(NEWLINE):
        return None
    try:
        record = json.loads(line)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(record, dict) or not isinstance(record.get("row"), int):
        return None
    return record


class OutputWriter:
    """Appends records as JSON lines; `commit()` makes what was written survive a crash."""

    def __init__(self, path: Path, *, append: bool) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._handle: BinaryIO = path.open("ab" if append else "wb")

    def write(self, records: Iterable[dict[str, Any]]) -> None:
        """Append records, one JSON line each."""
        self.write_lines(json.dumps(record, ensure_ascii=False) for record in records)

    def write_lines(self, lines: Iterable[str]) -> None:
        """Records already serialised, one JSON object each, without newline."""
        self._handle.write(b"".join(line.encode() + NEWLINE for line in lines))

    def commit(self) -> None:
        """Flush and fsync: what was written survives a crash."""
        self._handle.flush()
        os.fsync(self._handle.fileno())

    def close(self) -> None:
        """Commit, then close the file."""
        self.commit()
        self._handle.close()

    def __enter__(self) -> OutputWriter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
