"""Does extraction stay linear in the size of the text? `extract_all` and `parse_bibtex` on
texts of 1 to 50 MB.

A guard reads whatever a model (or a user) hands it, so a text ten times longer must cost
ten times as much, not a hundred. Inputs, each cut to every size from one generated text:
- realistic: chat answers as bench_extract.py writes them (prose with author-year
  citations, links, DOIs in every form, reference lists, footnotes, BibTeX), as one text;
- one line: the same answers with every line break made a space;
- brackets: long runs of "[", "(" and "{", with citations between them;
- bibtex: a .bib file as bench_bibtex.py writes it, read by `parse_bibtex`.

Prints MB/s for each size, then the growth to the largest size from each smaller one:
time(largest) / time(smaller) / (largest / smaller). About 1 means linear; a quadratic
step would show as a growth near the size ratio (50 from 1 MB). The growth from the
smallest size runs above 1 even when the code is linear: Python's cycle collector walks
every live object at each full collection, and a bigger text leaves more of them alive
(the growth from 10 MB on shows the steady state). The parser's cache is emptied before
each run, so that a larger text does not find the smaller one's entries already parsed.
Runs shorter than REPEAT_BELOW_SECONDS are repeated and the best kept (the machine may be
shared); the largest take minutes and run once.

Run: python benchmarks/bench_linear.py [megabytes ...]   (default: 1 5 10 25 50)
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Callable

from bench_bibtex import generate as generate_bib
from bench_extract import answer

from factcheck.extract import extract_all
from factcheck.extract.bibtex import parse_bibtex
from factcheck.extract.parser import forget_parses

DEFAULT_SIZES = (1.0, 5.0, 10.0, 25.0, 50.0)
SEED = 20240501
REPEATS = 3
REPEAT_BELOW_SECONDS = 10.0
MEGABYTE = 1_000_000
# Entries of the generated .bib measured to learn its bytes per entry.
BIB_SAMPLE_ENTRIES = 1000
# One unit of the bracket input: runs that a careless regex would backtrack over.
BRACKET_RUN = 2000
# Characters of realistic text, and .bib entries, read before any timing: the parser's
# model, pylatexenc and the regexes load on first use, and that belongs to no size.
WARM_UP_CHARS = 100_000
WARM_UP_ENTRIES = 200


def realistic(size: int) -> str:
    """Chat answers joined into one text of at least `size` characters."""
    rng = random.Random(SEED)
    parts: list[str] = []
    total = 0
    while total < size:
        parts.append(answer(rng))
        total += len(parts[-1]) + 1
    return "\n".join(parts)


def one_line(text: str) -> str:
    return text.replace("\n", " ")


def brackets(size: int) -> str:
    rng = random.Random(SEED)
    units: list[str] = []
    total = 0
    while total < size:
        cited = f"see [{rng.randint(1, 99)}] and (Smith et al., {rng.randint(1990, 2025)})"
        link = f"https://doi.org/10.{rng.randint(1000, 9999)}/x{rng.randint(1, 10**6)}"
        unit = f"{'[' * BRACKET_RUN}{cited}{'(' * BRACKET_RUN} {link} {'{' * BRACKET_RUN}\n"
        units.append(unit)
        total += len(unit)
    return "".join(units)


def bibtex(size: int) -> str:
    per_entry = len(generate_bib(BIB_SAMPLE_ENTRIES)) / BIB_SAMPLE_ENTRIES
    return generate_bib(int(size / per_entry) + 1)


def _extract(text: str) -> int:
    return len(extract_all(text).citations)


def _read_bib(text: str) -> int:
    return len(parse_bibtex(text).entries)


INPUTS: dict[str, tuple[Callable[[int], str], Callable[[str], int]]] = {
    "realistic": (realistic, _extract),
    "one line": (lambda size: one_line(realistic(size)), _extract),
    "brackets": (brackets, _extract),
    "bibtex": (bibtex, _read_bib),
}


def _timed(run: Callable[[str], int], text: str) -> tuple[float, int]:
    """Seconds of the fastest run (one, unless it is short), and what it found."""
    best = float("inf")
    for _ in range(REPEATS):
        forget_parses()
        started = time.perf_counter()
        found = run(text)
        best = min(best, time.perf_counter() - started)
        if best >= REPEAT_BELOW_SECONDS:
            break
    return best, found


def measure(
    name: str, make: Callable[[int], str], run: Callable[[str], int], sizes: list[float]
) -> None:
    """Time `run` on each size, cut from one text of the largest size."""
    whole = make(int(max(sizes) * MEGABYTE))
    seconds: list[float] = []
    for size in sizes:
        text = whole[: int(size * MEGABYTE)]
        elapsed, found = _timed(run, text)
        seconds.append(elapsed)
        megabytes = len(text.encode()) / MEGABYTE
        print(
            f"{name:>10} {megabytes:7.1f} MB {elapsed:8.2f} s {megabytes / elapsed:8.2f} MB/s"
            f" {found:>9,} found",
            flush=True,
        )
    growths = [
        f"{(seconds[-1] / elapsed) / (sizes[-1] / size):.2f} from {size:g} MB"
        for size, elapsed in zip(sizes[:-1], seconds[:-1], strict=True)
    ]
    print(f"{name:>10} growth to {sizes[-1]:g} MB: {', '.join(growths)}", flush=True)


def main() -> None:
    sizes = sorted(float(arg) for arg in sys.argv[1:]) or list(DEFAULT_SIZES)
    extract_all(realistic(WARM_UP_CHARS))
    parse_bibtex(generate_bib(WARM_UP_ENTRIES))
    for name, (make, run) in INPUTS.items():
        measure(name, make, run, sizes)


if __name__ == "__main__":
    main()
