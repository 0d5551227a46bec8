"""A progress bar on stderr: records done, distinct claims looked up, cache hits.

stdout may be a pipe into the next tool, so the bar goes to stderr, and only when stderr is a
terminal: a log or CI gets nothing, not even a last frame. `enabled=False` (what library
calls get unless they ask, `JobOptions.progress`) turns it off altogether.
"""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from .engine import RunStats

# Redraws per second: smooth enough to read, cheap next to the work.
REFRESHES_PER_SECOND = 4


class ProgressBar:
    """Shows a RunStats; `update` after each chunk (or record) with the counts so far."""

    def __init__(self, *, total: int | None, done: int = 0, enabled: bool = True) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self._done = done
        console = Console(stderr=True)
        self._progress: Progress = Progress(
            TextColumn("records"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[unique]} unique claims, {task.fields[hits]} cache hits"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=console,
            disable=not (enabled and console.is_terminal),
            refresh_per_second=REFRESHES_PER_SECOND,
        )
        self._task: TaskID = self._progress.add_task(
            "records", total=total, completed=done, unique=0, hits=0
        )

    def update(self, stats: RunStats) -> None:
        """Show the counts of `stats` (records, unique claims, cache hits)."""
        self._progress.update(
            self._task,
            completed=self._done + stats.records,
            unique=stats.unique,
            hits=stats.cache_hits,
        )

    def __enter__(self) -> ProgressBar:
        self._progress.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._progress.stop()
