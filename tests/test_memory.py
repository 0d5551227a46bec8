"""Memory per text is bounded: a check of a 10 MB text holding hundreds of thousands of
claims reads its first `max_references` of them and reports the rest as one item, so its
peak stays far below what building every claim would take (3 GB for 417,000 DOIs before).

Each check runs in a fresh interpreter, which reports its own peak resident set (VmHWM:
`getrusage` would count the memory of the test process it was forked from): the figure is
the whole process's, imports included."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from factcheck.flags import UNREAD

PEAK_LIMIT_MB = 500
TEXT_CHARS = 9_900_000

CHECK = textwrap.dedent(
    """
    import json, resource, sys
    from factcheck import Checker
    from factcheck.config import Config
    text = open(sys.argv[1], encoding="utf-8").read()
    with Checker(Config.load(env={}, offline=True, cache="none")) as checker:
        report = checker.check(text)
    flags = [finding.verdict.flags for finding in report.items]
    try:  # this program's own high-water mark (Linux)
        status = open("/proc/self/status").read()
        peak = int(status.split("VmHWM:")[1].split()[0]) / 1024
    except (OSError, IndexError):  # elsewhere, which may count the parent's, before exec
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"items": len(report.items), "last": flags[-1], "peak": peak}))
    """
)


def dois(size: int) -> str:
    lines = (f"10.{1000 + i % 90000}/journal.{1000000 + i}\n" for i in range(size // 20))
    return "".join(lines)[:size]


def links(size: int) -> str:
    unit = "See [the report](https://www.example.org/articles/{0}) and https://x.org/{0}/a.\n"
    return "".join(unit.format(i) for i in range(size // len(unit) + 1))[:size]


def broken_bibtex(size: int) -> str:
    """Entries that never close: each is a problem, not a claim."""
    return ("@article{k,\n" * (size // 12 + 1))[:size]


def inline_code(size: int) -> str:
    """A million `code` spans after an entry: the places no in-text citation is read."""
    entry = "References\n\n1. Smith, J. (2020). A title. *Nature* 1, 2.\n\n"
    return entry + ("`x` " * (size // 4 + 1))[: size - len(entry)]


@pytest.mark.parametrize(
    ("make", "over_the_limit"),
    [(dois, True), (links, True), (broken_bibtex, True), (inline_code, False)],
    ids=["dois", "links", "bibtex", "inline code"],
)
def test_a_ten_megabyte_text_is_checked_in_bounded_memory(
    make: Callable[[int], str], over_the_limit: bool, tmp_path: Path
) -> None:
    path = tmp_path / "big.txt"
    path.write_text(make(TEXT_CHARS), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", CHECK, str(path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
        env={"PYTHONPATH": os.pathsep.join(sys.path)},
    )
    result = json.loads(done.stdout)
    assert (result["last"] == [UNREAD]) is over_the_limit
    assert result["items"] <= 2001
    assert result["peak"] < PEAK_LIMIT_MB
