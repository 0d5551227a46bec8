"""Cold searches against fakes that keep the real published rate limits: five invented
references against one, and one real reference found by search.

A reference without identifier is searched, and only when every searching source has
answered may it be called `not_found`. Asked one source after another, five invented entries
waited for five of arXiv's turns (one request per three seconds). This script times a fresh
Checker (`cache="none"`, a contact address, so Crossref's polite pool) checking:

- one invented reference list entry (a journal article no source holds);
- five of them in one text;
- one real entry that Crossref's search finds.

The fakes (one local server, one path per source) answer 429 beyond each source's published
limit, with a latency of their own: Crossref 10/s and 3 at once (polite pool), OpenAlex 10/s
and 3 at once, DBLP 1/s and 1 at once, arXiv one request per 3 s and 1 at once. Two sets of
sources: crossref, openalex and arxiv; and the same with dblp, whose one search per second
per entry no batching helps with (its API has no OR of phrases).

Goal: five invented entries take at most 1.5x the time of one; the real entry no slower than
before. Run: python benchmarks/bench_cold_search.py [repeats]
"""

from __future__ import annotations

import json
import statistics
import sys
import threading
import time
from collections import Counter, deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _serving import serving

from factcheck import Checker
from factcheck.config import Config
from factcheck.model import Status

DEFAULT_REPEATS = 3
GOAL_RATIO = 1.5
# Each source: (requests allowed per window, window in seconds, at once, answer latency).
LIMITS: dict[str, tuple[int, float, int, float]] = {
    "crossref": (10, 1.0, 3, 0.25),
    "openalex": (10, 1.0, 3, 0.2),
    "dblp": (1, 1.0, 1, 0.3),
    "arxiv": (1, 3.0, 1, 0.5),
}
PATHS = {
    "/crossref/works": "crossref",
    "/openalex/works": "openalex",
    "/dblp/search/publ/api": "dblp",
    "/arxiv/api/query": "arxiv",
}
SOURCE_SETS = [("crossref", "openalex", "arxiv"), ("crossref", "openalex", "dblp", "arxiv")]
INVENTED = [
    "Lind, E., & Moreau, P. (2019). Recurrent tulip models for quantum gardening. "
    "Journal of Botanical Computing, 12(3), 45-67.",
    "Okafor, C., & Haas, T. (2020). A unified theory of sandwich embeddings. "
    "Journal of Culinary Informatics, 8(1), 1-19.",
    "Rivera, A., & Sato, K. (2018). Self-supervised weather models for small moons. "
    "Planetary Learning Letters, 4(2), 101-118.",
    "Novak, J., & Ito, M. (2021). Contrastive learning of imaginary birds. "
    "Journal of Avian Machine Learning, 3(4), 210-229.",
    "Berg, L., & Costa, R. (2017). Neural sheep counting at scale. "
    "Pastoral Data Science Review, 15(2), 77-93.",
]
REAL_TITLE = "Graph networks for molecule design"
REAL = (
    "Okafor, C., & Lind, E. (2019). Graph networks for molecule design. "
    "Journal of Chemical Computing, 12(3), 45-67."
)
REAL_WORK = {
    "DOI": "10.5555/bench.graph",
    "title": [REAL_TITLE],
    "author": [{"family": "Okafor", "given": "Chidi"}, {"family": "Lind", "given": "Eva"}],
    "issued": {"date-parts": [[2019]]},
    "container-title": ["Journal of Chemical Computing"],
    "volume": "12",
    "issue": "3",
    "page": "45-67",
    "type": "journal-article",
    "score": 100.0,
}
EMPTY_FEED = (
    b'<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom"></feed>'
)


class Paced:
    """One source's limit, as its server counts it: a sliding window and a concurrency."""

    def __init__(self, allowed: int, window: float, at_once: int) -> None:
        self.allowed, self.window, self.at_once = allowed, window, at_once
        self.arrivals: deque[float] = deque()
        self.active = 0
        self.lock = threading.Lock()

    def admit(self) -> bool:
        with self.lock:
            now = time.monotonic()
            while self.arrivals and self.arrivals[0] <= now - self.window:
                self.arrivals.popleft()
            if len(self.arrivals) >= self.allowed or self.active >= self.at_once:
                return False
            self.arrivals.append(now)
            self.active += 1
            return True

    def leave(self) -> None:
        with self.lock:
            self.active -= 1


class Fakes:
    """The four searching APIs on one local server, each paced as published."""

    def __init__(self) -> None:
        self.paced = {name: Paced(*limit[:3]) for name, limit in LIMITS.items()}
        self.answered: Counter[str] = Counter()
        self.refused: Counter[str] = Counter()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"


def _answer(source: str, query: dict[str, list[str]]) -> tuple[bytes, str]:
    if source == "arxiv":
        return EMPTY_FEED, "application/atom+xml"
    if source == "dblp":
        return json.dumps({"result": {"hits": {"@total": "0"}}}).encode(), "application/json"
    if source == "openalex":
        return json.dumps({"meta": {"count": 0}, "results": []}).encode(), "application/json"
    wanted = REAL_TITLE.lower() in query.get("query.bibliographic", [""])[0].lower()
    items = [REAL_WORK] if wanted else []
    return json.dumps({"status": "ok", "message": {"items": items}}).encode(), "application/json"


def _handler(fakes: Fakes) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            source = PATHS[url.path]
            paced = fakes.paced[source]
            if not paced.admit():
                fakes.refused[source] += 1
                self._send(429, b"Too Many Requests", "text/plain")
                return
            try:
                time.sleep(LIMITS[source][3])
                body, kind = _answer(source, parse_qs(url.query))
            finally:
                paced.leave()
            fakes.answered[source] += 1
            self._send(200, body, kind)

        def _send(self, status: int, body: bytes, kind: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


def text_of(entries: list[str]) -> str:
    return "References\n\n" + "\n".join(f"{i}. {e}" for i, e in enumerate(entries, start=1))


def timed(sources: tuple[str, ...], entries: list[str], want: Status) -> tuple[float, Fakes]:
    """Seconds a fresh Checker takes to check the entries, against fresh fakes."""
    fakes = Fakes()
    with serving(fakes.server):
        config = Config.load(
            env={},
            cache="none",
            mailto="bench@example.org",
            sources=sources,
            crossref_url=f"{fakes.url}/crossref",
            openalex_url=f"{fakes.url}/openalex",
            dblp_url=f"{fakes.url}/dblp",
            arxiv_url=f"{fakes.url}/arxiv/api",
        )
        with Checker(config) as checker:
            text = text_of(entries)
            checker.extract(text)  # the reference parser's model loads outside the timing
            started = time.monotonic()
            report = checker.check(text)
            wall = time.monotonic() - started
    statuses = [item.verdict.status for item in report.items]
    if statuses != [want] * len(entries):
        raise SystemExit(f"expected {len(entries)} x {want.value}, got {statuses}")
    return wall, fakes


def median_run(sources: tuple[str, ...], entries: list[str], want: Status, repeats: int) -> float:
    walls = []
    for _ in range(repeats):
        wall, fakes = timed(sources, entries, want)
        walls.append(wall)
    requests = ", ".join(f"{s} {fakes.answered[s]}" for s in sources)
    refused = sum(fakes.refused.values())
    print(
        f"    {len(entries)} x {want.value}: {statistics.median(walls):.2f} s "
        f"(runs {', '.join(f'{w:.2f}' for w in walls)}); requests {requests}; 429s {refused}"
    )
    return statistics.median(walls)


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_REPEATS
    for sources in SOURCE_SETS:
        print(f"sources {','.join(sources)}:")
        one = median_run(sources, INVENTED[:1], Status.NOT_FOUND, repeats)
        five = median_run(sources, INVENTED, Status.NOT_FOUND, repeats)
        median_run(sources, [REAL], Status.VERIFIED, repeats)
        verdict = "met" if five <= GOAL_RATIO * one else "MISSED"
        print(f"  five / one = {five / one:.2f} (goal <= {GOAL_RATIO}: {verdict})")


if __name__ == "__main__":
    main()
