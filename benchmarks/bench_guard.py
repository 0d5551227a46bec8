"""What `@guard` adds to an LLM call: the overhead on a whole answer, and on a stream's first chunk.

1. a 2 KB answer with no references: the guarded call against the bare call;
2. the same answer with 10 references whose verdicts are cached (the results cache of a
   Checker that checked them once, against a fake Crossref on 127.0.0.1): once written as
   DOIs in prose, once as a numbered reference list (the entries' parses are remembered
   after the first call, as in a chat that keeps citing the same works);
3. time to first chunk of a streamed 2 KB answer (`stream_first`), guarded against bare.

Figures are medians over many calls (the overhead is the difference of the medians).
Goals: (1) <= 1 ms, (2) <= 1 ms (it was 5 ms until 2026-12), (3) <= 1 ms.

Run: python benchmarks/bench_guard.py [calls]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "benchmarks")]

from bench_warm_cache import FakeCrossref, config, template  # noqa: E402
from fakes.recordings import Corpus  # noqa: E402

from factcheck import Checker, guard  # noqa: E402
from factcheck.config import Config  # noqa: E402
from factcheck.model import Status  # noqa: E402
from factcheck.resolve.mapping import csl_fields  # noqa: E402

DEFAULT_CALLS = 2000
ANSWER_BYTES = 2048
REFERENCES = 10
CHUNK_CHARS = 16
GOAL_PLAIN_MS = 1.0
GOAL_CACHED_MS = 1.0
GOAL_FIRST_CHUNK_MS = 1.0
SENTENCE = "Sparse recovery of cortical signals has improved with better priors and sensors. "
MS = 1000


def prose(size: int = ANSWER_BYTES) -> str:
    return (SENTENCE * (size // len(SENTENCE) + 1))[:size]


def median_ms(call: Callable[[], Any], calls: int) -> float:
    times = []
    for _ in range(calls):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * MS


def overhead(label: str, text: str, checker: Checker, calls: int, goal: float) -> None:
    def bare() -> str:
        return text

    guarded = guard(checker=checker)(bare)
    guarded()  # first call: the parser, the results cache connection
    base = median_ms(bare, calls)
    with_guard = median_ms(guarded, calls)
    print(
        f"{label:44} {with_guard - base:7.3f} ms overhead (median; goal <= {goal:g} ms)"
        f"  [{len(text)} chars]"
    )


def first_chunk(text: str, checker: Checker, calls: int) -> None:
    pieces = [text[i : i + CHUNK_CHARS] for i in range(0, len(text), CHUNK_CHARS)]

    def stream() -> Iterator[str]:
        yield from pieces

    guarded = guard(checker=checker)(stream)

    def time_to_first(open_stream: Callable[[], Iterator[str]]) -> float:
        times = []
        for _ in range(calls):
            started = time.perf_counter()
            chunks = open_stream()
            next(chunks)
            times.append(time.perf_counter() - started)
            for _chunk in chunks:  # drain: the check runs at the end, outside the timing
                pass
        return statistics.median(times) * MS

    base = time_to_first(stream)
    with_guard = time_to_first(guarded)
    print(
        f"{'time to first chunk (stream_first)':44} {with_guard - base:7.3f} ms added "
        f"(median; goal <= {GOAL_FIRST_CHUNK_MS:g} ms)"
    )


def cited(messages: list[dict[str, Any]], as_list: bool) -> tuple[str, list[str]]:
    """A 2 KB answer citing REFERENCES DOIs, in prose or as a numbered reference list."""
    dois = [f"10.1016/j.neuron.2019.{i:06d}" for i in range(REFERENCES)]
    if as_list:
        lines = []
        for i, doi in enumerate(dois):
            record = csl_fields(template(messages, doi))
            author = record.authors[0].family if record.authors else "Anon"
            lines.append(
                f"{i + 1}. {author} et al. ({record.year}). {record.title}. "
                f"*{record.container}*. https://doi.org/{doi}"
            )
        tail = "\n\nReferences\n\n" + "\n".join(lines) + "\n"
    else:
        tail = " ".join(f"See doi:{doi}." for doi in dois)
    return prose(max(0, ANSWER_BYTES - len(tail))) + tail, dois


def main() -> None:
    calls = int(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_CALLS
    offline = Checker(Config.load(env={}, cache="none"))
    overhead("2 KB, no references", prose(), offline, calls, GOAL_PLAIN_MS)
    first_chunk(prose(), offline, calls)

    messages = list(Corpus.build().crossref.values())
    with tempfile.TemporaryDirectory() as tmp, FakeCrossref(messages).running() as api:
        cfg = config(api, Path(tmp) / "http.sqlite", REFERENCES)
        for as_list, label in ((False, "DOIs in prose"), (True, "a reference list")):
            text, _ = cited(messages, as_list)
            with Checker(cfg) as warmup:
                report = warmup.check(text)
            if any(f.verdict.status is Status.UNVERIFIABLE for f in report.items):
                raise SystemExit("the warm-up did not settle every reference")
            with Checker(cfg) as checker:
                before = api.requests
                overhead(
                    f"2 KB, {REFERENCES} cached references, {label}",
                    text,
                    checker,
                    max(1, calls // 10),
                    GOAL_CACHED_MS,
                )
                if api.requests != before:
                    raise SystemExit("the timed calls reached the fake Crossref")
    offline.close()


if __name__ == "__main__":
    main()
