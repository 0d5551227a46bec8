"""Every extractor does work linear in the length of its text, on hostile text too.

Each family below builds a text of a given size from one adversarial pattern: a prefix that
opens a candidate repeated over and over, whitespace after list markers, nesting, very long
lines, very many short lines, and mixes. Every extractor reads a text of each family at two
sizes, N and GROWTH * N; the CPU time of the calling thread (`time.thread_time`: threads
that earlier tests left running in the worker do not count; median of RUNS, the collector
off) may grow at most GROWTH * SLACK times. Linear work grows GROWTH times; quadratic work
GROWTH**2 (64) times, cubic more, so the bound stays far from both. Times under FLOOR_SECONDS
count as FLOOR_SECONDS: below it a timer's noise is larger than the work.

Extra families come from hypothesis: a short unit drawn from the fragments the finders
react to, repeated to both sizes.
"""

from __future__ import annotations

import gc
import random
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from factcheck.extract import extract_all, find_identifier_claims
from factcheck.extract.bibliography import find_references_with_labels
from factcheck.extract.bibtex import parse_bibtex
from factcheck.extract.inline import find_inline_with_labels
from factcheck.guard.streams import Watch

SIZE = 3_000
GROWTH = 8
SLACK = 2.5
RUNS = 3
FLOOR_SECONDS = 0.001
SEED = 7

Family = Callable[[int], str]


def repeated(unit: str) -> Family:
    """`unit` over and over, cut to the size."""
    return lambda size: (unit * (size // len(unit) + 1))[:size]


def after(head: str, unit: str, tail: str = "") -> Family:
    """A fixed head, then `unit` repeated to the size, then a fixed tail."""
    return lambda size: head + repeated(unit)(size) + tail


def nested_list(size: int) -> str:
    """A list nested one level deeper at every line: depth grows as the root of the size."""
    lines, total, depth = [], 0, 0
    while total < size:
        lines.append("  " * depth + f"- item {depth} (Smith, 2020) doi:10.1234/x{depth}\n")
        total += len(lines[-1])
        depth += 1
    return "".join(lines)


def nested_quotes(size: int) -> str:
    lines, total, depth = [], 0, 1
    while total < size:
        lines.append("> " * depth + "Smith, J. (2020). A title. *Nature* 1, 2.\n")
        total += len(lines[-1])
        depth += 1
    return "".join(lines)


def wrapped(opener: str, closer: str) -> Family:
    """`opener` * k, a citation, `closer` * k: nesting as deep as the text is long."""
    return lambda size: opener * (size // 2) + " doi:10.1234/x [1] " + closer * (size // 2)


def reference_list(size: int) -> str:
    entries = [
        f"{i % 999 + 1}. Smith, J., & Lee, K. ({1990 + i % 30}). Title number {i}. "
        f"*Journal*, {i % 50}(2), 1-{i % 90 + 10}. https://doi.org/10.1234/j.{i}\n"
        for i in range(size // 100 + 1)
    ]
    return ("References\n\n" + "".join(entries))[:size]


def mixed(size: int) -> str:
    """Random fragments the finders react to, the same sequence for every size."""
    rng = random.Random(SEED)
    pieces, total = [], 0
    while total < size:
        pieces.append(rng.choice(FRAGMENTS))
        total += len(pieces[-1])
    return "".join(pieces)[:size]


FRAGMENTS = [
    "10.", "10.1234/", "doi:", "DOI ", "doi.org/", "arXiv:", "arxiv.org/abs/", "2101.00001",
    "hep-th/9901001", "http://", "https://x.org/", "www.", "file:/", "PMID: ", "PMC", "ISBN ",
    "978-", "[", "]", "(", ")", "{", "}", "<", ">", "@", "@article{k,\n", "title = {", "\\",
    "-", "–", "1", "2020", '"', "“", "*", "_", "`", "|", ";", "; ", ":", ",", ".", " ", "\t",
    "\n", "\n\n", "\n- ", "\n1. ", "\n> ", "\n# References\n", "[1] ", "[^1]: ", "(1) ",
    "Smith, J. ", "Smith ", "et al. ", "(Smith, 2020; ", "Smith and Lee (2019) ", "[@k; ",
    "¹", "【4:0†source】", "van ", "de ", "pp. 1-", "vol. ", "In ", "*Nature*", "é", "見",
]  # fmt: skip

# Prefixes that open a candidate, each repeated: a finder must not rescan the rest.
PREFIXES = [
    "10.", "10.1", "doi:", "doi: ", "arXiv:", "arxiv ", "http://", "www.", "://", "[", "(",
    "@", "{", "\\", "-", "1", "12 ", '"', "“", "*", "_", "`", "<", ";", "; ", "PMC", "ISBN ",
    "978-", "10.1234/", "](", "@a{", "x = {", "(Smith, 2020; ", "[1] ", "[@k; ", "et al. ",
    "Smith and Lee (2019) ", "van ", "¹", "【",
]  # fmt: skip

FAMILIES: dict[str, Family] = {
    **{f"repeated {unit!r}": repeated(unit) for unit in PREFIXES},
    # Whitespace runs after list markers, within a line and on the next ones.
    "spaces after a bullet": after("- a", " ", " doi:10.1234/x"),
    "spaces after a number": after("1. ", " ", "Smith, J. (2020). T."),
    "space lines after a list line": after("- Smith, J. (2020). T.\n", " ", "\nx"),
    "list line then a line of spaces": lambda size: "- a\n" + " " * size + "doi:10.1234/x",
    # Nesting.
    "nested list": nested_list,
    "nested quotes": nested_quotes,
    "nested emphasis": wrapped("*", "*"),
    "nested underscores": wrapped("_", "_"),
    "nested brackets": wrapped("[", "]"),
    "nested parentheses": wrapped("(", ")"),
    "nested braces in an entry": lambda size: (
        "@article{k,\n title = {" + wrapped("{", "}")(size) + "},\n year = 2020\n}"
    ),
    "links in one entry": after("@article{k,\n title = {", "http://", "},\n year = 2020\n}"),
    # One very long line, and very many short ones.
    "long line": repeated("Smith, J. (2020) see https://x.org/a and doi:10.1234/x; "),
    "short lines": repeated("a\n"),
    "blank lines": repeated("\n"),
    "dash lines": repeated("-\n"),
    "numbered short lines": repeated("1.\n"),
    "semicolons in a list item": after("- ", "; "),
    "unmarked lines in a section": after("References\n\n", "A line of prose.\n"),
    "a long section paragraph": after("References\n\nSmith, J. (2020). T. ", "word "),
    # Realistic structure, and a mix.
    "reference list": reference_list,
    "mixed": mixed,
}

EXTRACTORS: dict[str, Callable[[str], object]] = {
    "identifiers and links": find_identifier_claims,
    "reference lists": find_references_with_labels,
    "bibtex": parse_bibtex,
    "in-text citations": lambda text: find_inline_with_labels(text, []),
    "extract_all": extract_all,
}


@contextmanager
def collector_off() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def cpu_seconds(run: Callable[[str], object], text: str) -> float:
    """Median CPU time of RUNS calls, no less than FLOOR_SECONDS."""
    times = []
    with collector_off():
        for _ in range(RUNS):
            started = time.thread_time()
            run(text)
            times.append(time.thread_time() - started)
    return max(FLOOR_SECONDS, statistics.median(times))


def growth(run: Callable[[str], object], family: Family) -> tuple[float, float, float]:
    """(time at SIZE, time at GROWTH * SIZE, their ratio), after one call to warm up."""
    small, large = family(SIZE), family(GROWTH * SIZE)
    run(small)
    first, second = cpu_seconds(run, small), cpu_seconds(run, large)
    return first, second, second / first


def assert_linear(family: Family) -> None:
    for name, run in EXTRACTORS.items():
        first, second, ratio = growth(run, family)
        assert ratio < GROWTH * SLACK, (
            f"{name}: {first * 1000:.1f} ms at {SIZE:,} characters, "
            f"{second * 1000:.1f} ms at {GROWTH * SIZE:,}: {ratio:.0f} times"
        )


@pytest.fixture(scope="module", autouse=True)
def _warm() -> None:
    """Load the parser's model and the lazy imports before anything is timed."""
    extract_all(reference_list(2_000) + "\n@article{k, title={T}, year=2020}\n")


@pytest.mark.parametrize("family", FAMILIES.values(), ids=FAMILIES.keys())
def test_every_extractor_is_linear(family: Family) -> None:
    assert_linear(family)


@settings(
    max_examples=8,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=4).map("".join))
def test_every_extractor_is_linear_on_repeated_fragments(unit: str) -> None:
    assert_linear(repeated(unit))


def test_the_check_fails_on_quadratic_work() -> None:
    """The measure itself: work that reads the rest of the text at each line is caught."""

    def quadratic(text: str) -> int:
        return sum(text.count("\n", start) for start in range(0, len(text), 4))

    *_, ratio = growth(quadratic, repeated("ab\n"))
    assert ratio >= GROWTH * SLACK


def test_a_guarded_stream_joins_only_the_new_text() -> None:
    """Each completed line of a stream is checked in the background: the text since the
    previous one is joined, never the whole answer again."""
    warmed: list[int] = []

    def feed(text: str) -> object:
        # No guard is needed: the background check is replaced. (Importing the guard
        # module here would shadow `factcheck.guard`, the function, for later tests.)
        watch = Watch(guard=None)  # type: ignore[arg-type]
        watch.prefetch = True
        watch._warm = lambda region: warmed.append(len(region))  # type: ignore[method-assign]
        for chunk in text.splitlines(keepends=True):
            watch.feed(chunk)
        return watch

    *_, ratio = growth(feed, repeated("word doi:10.1234/x\n"))
    assert ratio < GROWTH * SLACK
    assert warmed
