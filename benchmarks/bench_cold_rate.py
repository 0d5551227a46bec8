"""Cold lookups against a strictly rate-limited fake Crossref: how close to the limit we get.

The fake enforces what Crossref announces: at most `rate` requests in any sliding second and
`concurrency` in progress at once, answering 429 beyond either (and, like Crossref, it sends
x-rate-limit-limit / x-rate-limit-interval / x-concurrency-limit on every answer). A Checker
with `cache="none"` verifies N distinct DOI claims through it, and the script prints the rate the
server accepted (answered requests / wall time of the run) against the allowed one, and the
429s it had to send. Two pools, as Crossref has them:

- polite (`mailto` set): 10 requests/s, 3 at a time;
- public (no `mailto`): 5 requests/s, 1 at a time.

Goal: at least 90% of the allowed rate, and no 429.

Run: python benchmarks/bench_cold_rate.py [number_of_dois]
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _serving import serving

from factcheck import Checker
from factcheck.config import Config
from factcheck.model import Citation, Fields, Kind, Status

DEFAULT_DOIS = 150
GOAL_SHARE = 0.9
# How long the fake takes to answer: well inside what the concurrency limit allows at full
# rate (3 in flight at 10/s leaves 300 ms each; 1 at 5/s leaves 200 ms).
WORK_SECONDS = 0.05
WINDOW_SECONDS = 1.0


class StrictCrossref:
    """`GET /works/{doi}`: a small work message, or 429 past the rate or concurrency limit."""

    def __init__(self, rate: int, concurrency: int) -> None:
        self.rate = rate
        self.concurrency = concurrency
        self.arrivals: deque[float] = deque()
        self.accepted: list[float] = []
        self.refused = 0
        self._in_progress = 0
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self.headers = {
            "x-rate-limit-limit": str(rate),
            "x-rate-limit-interval": f"{WINDOW_SECONDS:g}s",
            "x-concurrency-limit": str(concurrency),
        }

    def admit(self) -> bool:
        """Count one arrival; False when it breaks either limit (the caller answers 429)."""
        with self._lock:
            now = time.monotonic()
            while self.arrivals and self.arrivals[0] <= now - WINDOW_SECONDS:
                self.arrivals.popleft()
            self.arrivals.append(now)
            if len(self.arrivals) > self.rate or self._in_progress >= self.concurrency:
                self.refused += 1
                return False
            self._in_progress += 1
            self.accepted.append(now)
            return True

    def done(self) -> None:
        with self._lock:
            self._in_progress -= 1

    @contextmanager
    def running(self) -> Iterator[StrictCrossref]:
        with serving(self._server):
            yield self


def _handler(api: StrictCrossref) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            if not api.admit():
                self._send(429, b"Too Many Requests", "text/html")
                return
            try:
                time.sleep(WORK_SECONDS)
                doi = unquote(urlsplit(self.path).path).removeprefix("/works/")
                message = {
                    "DOI": doi,
                    "title": [f"A study numbered {doi.rsplit('.', 1)[-1]}"],
                    "author": [{"family": "Smith", "given": "Jane"}],
                    "issued": {"date-parts": [[2020, 1, 1]]},
                    "type": "journal-article",
                }
                body = json.dumps({"status": "ok", "message-type": "work", "message": message})
            finally:
                api.done()
            self._send(200, body.encode(), "application/json")

        def _send(self, status: int, body: bytes, kind: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            for name, value in api.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

    return Handler


def claims(count: int) -> list[Citation]:
    """N distinct DOI claims, as extraction hands them to the Checker (the rate is the
    point here, not extraction, which for reference lists runs the trained parser)."""
    found = []
    for i in range(count):
        doi = f"10.5555/cold.{i:05d}"
        raw = f"https://doi.org/{doi}"
        found.append(
            Citation(
                kind=Kind.DOI,
                raw=raw,
                start=i * 100,
                end=i * 100 + len(raw),
                fields=Fields(doi=doi),
            )
        )
    return found


def run(label: str, rate: int, concurrency: int, count: int, mailto: str | None) -> bool:
    wanted = claims(count)
    with StrictCrossref(rate, concurrency).running() as api:
        config = Config.load(
            env={},
            crossref_url=api.url,
            sources=("crossref",),
            cache="none",
            mailto=mailto,
            max_lookups=count,
        )
        with Checker(config) as checker:
            started = time.monotonic()
            report = checker.verify(wanted)
            wall = time.monotonic() - started
    accepted = len(api.accepted)
    achieved = accepted / wall
    share = achieved / rate
    span = api.accepted[-1] - api.accepted[0] if accepted > 1 else float("nan")
    unverified = sum(1 for item in report.items if item.verdict.status is not Status.VERIFIED)
    print(
        f"{label}: achieved {achieved:.2f} req/s of {rate} allowed ({share:.0%}), "
        f"429s: {api.refused}"
    )
    print(
        f"  {accepted} requests answered in {wall:.2f} s; server-side first-to-last arrival "
        f"{(accepted - 1) / span:.2f} req/s; {unverified} of {count} DOIs not verified"
    )
    return share >= GOAL_SHARE and api.refused == 0 and unverified == 0


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_DOIS
    polite = run("polite pool (mailto, 10/s, 3 at a time)", 10, 3, count, "bench@example.org")
    public = run("public pool (no mailto, 5/s, 1 at a time)", 5, 1, count, None)
    goal = f"goal: >= {GOAL_SHARE:.0%} of the allowed rate and no 429"
    print(f"{goal}: {'met' if polite and public else 'MISSED'}")


if __name__ == "__main__":
    main()
