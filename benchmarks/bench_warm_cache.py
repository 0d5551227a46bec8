"""Warm-cache DOI verification throughput: a fresh Checker answering from the SQLite caches.

Starts a fake Crossref on 127.0.0.1 that answers every `/works/{doi}` with a real recorded
work message (fixtures/recordings, 1-30 kB each, references included) relabelled with the
asked DOI, builds an LLM-style markdown answer citing N distinct DOIs, and then:

1. cold: fills a temporary SQLite HTTP cache, and the results cache next to it
   (`resolve.results`), with one Checker run (limits lifted for the fill only, so that it
   takes seconds, not minutes at Crossref's 10 requests/s);
2. warm: times `verify()` of the text's identifier claims in a NEW Checker over the same
   cache files: lookups, judging and the Report, what a warm cache speeds up;
3. offline: the same with `offline=True`;
4. HTTP cache only: the same as warm with the results cache deleted first, as the first run
   after an upgrade finds it (it also refills the results cache).

Extraction is timed on its own: reference-list entries go through the trained reference
parser, whose cost has nothing to do with the cache (see bench_extract.py, bench_parser.py).

The timed runs must leave the fake untouched (zero requests) and find every DOI.
Goal: warm >= 2,000 DOIs/s.

Run: python benchmarks/bench_warm_cache.py [number_of_dois]
"""

from __future__ import annotations

import copy
import json
import random
import sys
import tempfile
import threading
import time
import zlib
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from unittest import mock
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from _serving import serving  # noqa: E402
from fakes.recordings import Corpus  # noqa: E402

from factcheck import Checker  # noqa: E402
from factcheck.config import Config  # noqa: E402
from factcheck.extract import find_identifier_claims  # noqa: E402
from factcheck.model import Citation, Kind, Report, Status  # noqa: E402
from factcheck.net import limits  # noqa: E402
from factcheck.resolve.mapping import csl_fields  # noqa: E402
from factcheck.resolve.results import RESULTS_SUFFIX  # noqa: E402

DEFAULT_DOIS = 3000
GOAL_DOIS_PER_SECOND = 2000
SEED = 20240501
PREFIXES = ("10.1016/j.neuron", "10.1038/s41586", "10.1371/journal.pone", "10.1109/cvpr")
# For the fill only: no pacing, as many requests in flight as the Checker has workers.
UNLIMITED = limits.Limit(rate=1e9, concurrency=64)


class FakeCrossref:
    """`GET /works/{doi}`: 200 with a real work message carrying that DOI. Counts requests."""

    def __init__(self, messages: list[dict[str, Any]]) -> None:
        self.messages = messages
        self.requests = 0
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def body(self, path: str) -> bytes | None:
        with self._lock:
            self.requests += 1
        if not path.startswith("/works/"):
            return None
        doi = path.removeprefix("/works/")
        message = copy.copy(template(self.messages, doi))
        message["DOI"] = doi
        envelope = {"status": "ok", "message-type": "work", "message": message}
        return json.dumps(envelope).encode()

    @contextmanager
    def running(self) -> Iterator[FakeCrossref]:
        with serving(self._server):
            yield self


def template(messages: list[dict[str, Any]], doi: str) -> dict[str, Any]:
    """The recorded message the fake relabels for `doi` (the text cites its title)."""
    return messages[zlib.crc32(doi.lower().encode()) % len(messages)]


def _handler(api: FakeCrossref) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            body = api.body(unquote(urlsplit(self.path).path))
            status, kind = (200, "application/json") if body else (404, "text/plain")
            body = body or b"Resource not found."
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


def answer(messages: list[dict[str, Any]], count: int) -> str:
    """Markdown as a chat model writes it: a short intro, then a numbered reference list
    whose entries name the title, first author and year of the record each DOI gets."""
    rng = random.Random(SEED)
    lines = ["Here are the key papers on this topic:", ""]
    for i in range(count):
        doi = f"{PREFIXES[i % len(PREFIXES)]}.{2010 + i % 14}.{i:06d}"
        record = csl_fields(template(messages, doi))
        author = record.authors[0].family if record.authors else "Anon"
        link = rng.choice([f"https://doi.org/{doi}", f"doi:{doi}", f"DOI: {doi}"])
        lines.append(
            f"{i + 1}. {author} et al. ({record.year}). {record.title}. "
            f"*{record.container}*. {link}"
        )
    return "\n".join(lines) + "\n"


def config(api: FakeCrossref, cache: Path, count: int, **overrides: Any) -> Config:
    values: dict[str, Any] = {
        "crossref_url": api.url,
        "sources": ("crossref",),
        "cache": str(cache),
        "max_lookups": count,
        "mailto": "bench@example.org",
        "timeout": 30.0,
    }
    return Config.load(env={}, **{**values, **overrides})


def timed_check(cfg: Config, claims: list[Citation]) -> tuple[Report, float, float, float]:
    """verify(claims) in a new Checker: (report, seconds for verify, seconds including setup,
    CPU seconds of this process for verify: a figure other load on the machine hardly moves)."""
    started = time.perf_counter()
    with Checker(cfg) as checker:
        ready = time.perf_counter()
        cpu = time.process_time()
        report = checker.verify(claims)
        cpu = time.process_time() - cpu
        done = time.perf_counter()
    return report, done - ready, done - started, cpu


def answered(report: Report) -> int:
    """DOIs Crossref answered (verified, or a mismatch of the claimed fields)."""
    return sum(
        1
        for item in report.items
        if item.citation.kind is Kind.DOI and item.verdict.status is not Status.UNVERIFIABLE
    )


def statuses(report: Report) -> str:
    counts = Counter(item.verdict.status.value for item in report.items)
    return ", ".join(f"{n} {status}" for status, n in counts.most_common())


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_DOIS
    corpus = Corpus.build()
    messages = list(corpus.crossref.values())
    text = answer(messages, count)
    started = time.perf_counter()
    claims = find_identifier_claims(text)
    extract_seconds = time.perf_counter() - started
    print(f"text: {len(text) / 1024:.0f} kB, {len(claims)} DOIs ({count} distinct)")
    print(
        f"identifier extraction alone: {extract_seconds * 1000:.0f} ms (not in the figures below)"
    )

    with tempfile.TemporaryDirectory() as tmp, FakeCrossref(messages).running() as api:
        cache = Path(tmp) / "http.sqlite"
        with (
            mock.patch.dict(limits.POLITE_LIMITS, {"crossref": UNLIMITED}),
            mock.patch.dict(limits.PUBLIC_LIMITS, {"crossref": UNLIMITED}),
        ):
            report, seconds, _, _ = timed_check(config(api, cache, count), claims)
        print(
            f"cold (fill):     {seconds:6.2f} s  {count / seconds:7.0f} DOIs/s  "
            f"{api.requests} requests, {statuses(report)}, "
            f"cache {cache.stat().st_size / 2**20:.1f} MB"
        )
        if answered(report) != count:
            raise SystemExit(f"the fill verified {answered(report)} of {count} DOIs")

        warm_run(api, config(api, cache, count), claims, "warm")
        warm_run(api, config(api, cache, count, offline=True), claims, "offline")
        for stored in Path(tmp).glob(f"*{RESULTS_SUFFIX}*"):
            stored.unlink()
        warm_run(api, config(api, cache, count), claims, "HTTP cache only")


def warm_run(api: FakeCrossref, cfg: Config, claims: list[Citation], label: str) -> None:
    """Time one run that must be answered from the caches alone, and print its figures."""
    count = len({claim.key for claim in claims})
    before = api.requests
    report, seconds, total, cpu = timed_check(cfg, claims)
    print(
        f"{label + ':':16} {seconds:6.2f} s  {count / seconds:7.0f} DOIs/s  "
        f"({count / total:.0f} with Checker setup; CPU {cpu / count * 1e6:.0f} us/DOI; "
        f"{api.requests - before} requests, {statuses(report)})"
        + (f"  goal >= {GOAL_DOIS_PER_SECOND}" if label == "warm" else "")
    )
    if api.requests != before or answered(report) != count:
        raise SystemExit(f"the {label} run did not answer everything from the cache")


if __name__ == "__main__":
    main()
