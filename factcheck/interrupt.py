"""Ctrl-C in a command: stop at once, say where things stand, exit 130.

A KeyboardInterrupt would unwind through the Checker and the batch engine, and each waits
for its threads; those threads wait on the network, and no thread blocked in a socket read
can be interrupted. So a command could take a request timeout per retry to stop, which is
what Ctrl-C was pressed to avoid. Instead, while a command works, SIGINT writes one line
(what was done, and how to continue) straight to stderr and ends the process at once:
in-flight requests are abandoned, and what was committed stays (the run output is fsynced
per chunk, the caches are SQLite and survive a process that stops mid-write).
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

# 128 + SIGINT, what shells report for a process stopped by Ctrl-C.
EXIT_INTERRUPTED = 130
# Rich hides the cursor while it draws a progress bar; a process that stops at once must
# show it again.
SHOW_CURSOR = b"\x1b[?25h"
STDERR = 2


@contextmanager
def stop_at_once(message: Callable[[], str]) -> Iterator[None]:
    """While inside, Ctrl-C prints `factcheck: interrupted; <message()>` and exits with
    EXIT_INTERRUPTED. Only the main thread can set signal handlers: elsewhere this does
    nothing. The previous handler comes back on the way out."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: FrameType | None) -> None:
        # os.write, not print: the main thread may be inside a write to stderr already.
        if os.isatty(STDERR):
            os.write(STDERR, SHOW_CURSOR)
        os.write(STDERR, f"\nfactcheck: interrupted; {message()}\n".encode())
        os._exit(EXIT_INTERRUPTED)

    previous = signal.signal(signal.SIGINT, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
