"""Peak memory of one `factcheck check` of a ~10 MB text, in a fresh process.

A check reads its text up to the first `max_references` claims and reports the rest as one
`unread` item, so its memory follows that limit, not the number of claims in the text.
Each input is written to a file and checked by `factcheck check --offline --cache none
--format json` in a fresh Python process (offline: the figure is the checker's own, no
network; every lookup answers "no cached answer"), which reports its own peak resident set
(VmHWM on Linux, else `getrusage`). Inputs, each cut to the size:
- dois: one DOI a line (417,000 of them in 9.9 MB);
- urls: markdown links and bare URLs in prose;
- references: a numbered reference list, each entry with its DOI link.

Prints, per input: its size, its claims, the items reported, peak memory and CPU seconds.

Run: python benchmarks/bench_memory.py [megabytes]   (default: 9.9)
"""

from __future__ import annotations

import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

DEFAULT_MEGABYTES = 9.9
MEGABYTE = 1_000_000
SEED = 20240501


def dois(size: int, rng: random.Random) -> str:
    lines, total = [], 0
    while total < size:
        lines.append(f"10.{rng.randint(1000, 99999)}/journal.{rng.randint(10**6, 10**7)}\n")
        total += len(lines[-1])
    return "".join(lines)[:size]


def urls(size: int, rng: random.Random) -> str:
    parts, total = [], 0
    while total < size:
        page = f"https://www.example{rng.randint(1, 999)}.org/articles/{rng.randint(1, 10**7)}"
        parts.append(f"See [the report]({page}) and {page}/summary for details.\n")
        total += len(parts[-1])
    return "".join(parts)[:size]


def references(size: int, rng: random.Random) -> str:
    parts, total, number = ["## References\n\n"], 0, 1
    while total < size:
        year = rng.randint(1990, 2024)
        entry = (
            f"{number % 999 + 1}. Author{rng.randint(1, 10**6)}, J., & Other, K. ({year}). "
            f"A study of thing {rng.randint(1, 10**6)}. *Journal {rng.randint(1, 500)}*, "
            f"{rng.randint(1, 90)}(2), 1-20. https://doi.org/10.{rng.randint(1000, 9999)}/"
            f"j.{rng.randint(1, 10**7)}\n"
        )
        parts.append(entry)
        total += len(entry)
        number += 1
    return "".join(parts)[:size]


INPUTS: dict[str, Callable[[int, random.Random], str]] = {
    "dois": dois,
    "urls": urls,
    "references": references,
}


# Runs `factcheck check` in the child and reports the child's own peak on stderr's last
# line (the peak of RUSAGE_CHILDREN would be the largest of all the children so far).
CHILD = """
import resource, sys
from factcheck.cli import main
try:
    main(sys.argv[1:], prog_name="factcheck")
finally:
    try:  # this program's own high-water mark (Linux); getrusage may count the parent's
        status = open("/proc/self/status").read()
        peak = int(status.split("VmHWM:")[1].split()[0])
    except (OSError, IndexError):
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"peak-kb {peak}", file=sys.stderr)
"""


def check(path: Path) -> tuple[dict[str, Any], float, float]:
    """The JSON report of checking `path` in a fresh process, its peak RSS in MB and CPU s."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    arguments = ["check", "--offline", "--cache", "none", "--format", "json", str(path)]
    done = subprocess.run(
        [sys.executable, "-c", CHILD, *arguments],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "FACTCHECK_CONFIG": os.devnull},
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if not done.stdout.startswith("{"):
        raise SystemExit(f"factcheck check failed: {done.stderr[-2000:]}")
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    peak_kb = int(done.stderr.strip().splitlines()[-1].split()[-1])
    return json.loads(done.stdout), peak_kb / 1024, cpu


def main() -> None:
    megabytes = float(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_MEGABYTES
    size = int(megabytes * MEGABYTE)
    machine = platform.processor() or platform.machine()
    print(f"{machine}, {os.cpu_count()} cores, Python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as folder:
        for name, make in INPUTS.items():
            path = Path(folder) / f"{name}.md"
            path.write_text(make(size, random.Random(SEED)), encoding="utf-8")
            started = time.perf_counter()
            report, peak, cpu = check(path)
            elapsed = time.perf_counter() - started
            [checked] = report["files"]
            items = checked["items"]
            unread = [i["citation"]["start"] for i in items if "unread" in i["verdict"]["flags"]]
            print(
                f"{name:>10} {path.stat().st_size / MEGABYTE:5.1f} MB  {len(items):>7,} items,"
                f" unread from {unread[0] if unread else '-':>7}  peak {peak:7.0f} MB"
                f"  {cpu:6.1f} s CPU  {elapsed:6.1f} s wall",
                flush=True,
            )


if __name__ == "__main__":
    main()
