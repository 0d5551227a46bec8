"""Start-up cost: `import factcheck` and `factcheck --help`, each in a fresh interpreter.

Goals: import under 150 ms, --help under 300 ms. Prints the median of several runs.
Run: python benchmarks/bench_startup.py
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import time

RUNS = 15


def median_ms(command: list[str]) -> float:
    timings = []
    for _ in range(RUNS):
        started = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def main() -> None:
    bare = median_ms([sys.executable, "-c", "pass"])
    imported = median_ms([sys.executable, "-c", "import factcheck"])
    script = shutil.which("factcheck") or ""
    helped = median_ms(
        [script, "--help"] if script else [sys.executable, "-m", "factcheck", "--help"]
    )
    print(f"python -c pass           {bare:7.1f} ms")
    print(f"import factcheck         {imported:7.1f} ms  (goal < 150 ms)")
    print(f"factcheck --help         {helped:7.1f} ms  (goal < 300 ms)")


if __name__ == "__main__":
    main()
