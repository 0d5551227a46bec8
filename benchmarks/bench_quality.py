"""Verdict quality on labelled references, and how well `confidence` is calibrated.

    python benchmarks/bench_quality.py --kit ../shared/bench [--limit N] [--jobs 2]
        [--split hallmark_dev,glutton_dev,urls_dev] [--fault-rate 0.1]
        [--sources crossref,doi,openalex,dblp,arxiv,url] [--threshold title_related=0.75 ...]

THIS BENCHMARK NEEDS THE SHARED MEASURING KIT (`../shared/bench`, next to the checkout; not
part of this repository, so CI never runs it). Everything stays offline: the kit's mock of
Crossref, doi.org, arXiv and a zoo of web pages answers on 127.0.0.1, with Crossref's real
rate limits.

1. Starts the kit's mock API, runs the kit's scorer with this interpreter's factcheck on
   every case file (`python -m factcheck --format json --sources crossref,doi,arxiv,url`),
   and prints its tables: detection rate, false-positive rate, precision, F1 and MCC per
   split and format, per hallucination type, and API requests (and 429s) per reference.
2. Calibration of `confidence`, from the same outputs: each labelled reference's verdict
   (the most severe of the items over its span, as the scorer takes it) is right when
   `verified` meets a VALID label or `mismatch`/`not_found` a HALLUCINATED one. Verdicts
   are grouped by confidence; a calibrated confidence has each group right about as often
   as its mean confidence says. `unverifiable` is an abstention and is left out. Printed:
   per group n, mean confidence and share right, and the expected calibration error (ECE,
   the n-weighted mean gap).

`--threshold NAME=VALUE` (repeatable) runs factcheck with other bars of the comparison, the
acceptance of search hits and the judge: any field of `factcheck.thresholds.Thresholds`,
handed to every run as FACTCHECK_THRESHOLDS. No module is edited to tune them.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

# Confidence groups: [0.0, 0.5), [0.5, 0.7), [0.7, 0.9), [0.9, 0.95), [0.95, 1.0].
BIN_EDGES = (0.0, 0.5, 0.7, 0.9, 0.95, 1.0)
SEVERITY = {"not_found": 2, "mismatch": 2, "unverifiable": 1, "verified": 0}
HALLUCINATED_STATUSES = frozenset({"not_found", "mismatch"})
MOCK_START_SECONDS = 30.0
POLL_SECONDS = 0.2
# How the thresholds reach each run of factcheck that the kit's scorer starts (Config).
THRESHOLDS_VARIABLE = "FACTCHECK_THRESHOLDS"


@dataclass(frozen=True)
class Judged:
    """One labelled reference: its label, and the verdict the scorer would take for it."""

    label: str
    status: str
    confidence: float


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kit", type=Path, default=Path("../shared/bench"))
    parser.add_argument("--limit", type=int, help="files per split/format group")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--split", help="comma-separated splits (default: all)")
    parser.add_argument("--fault-rate", type=float, help="share of mock answers made faults")
    parser.add_argument("--sources", help="the scorer's --sources (default: its own list)")
    parser.add_argument(
        "--threshold",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a Thresholds field to change for the run (repeatable): title_related=0.75",
    )
    args = parser.parse_args()
    if not (args.kit / "score.py").is_file():
        print(f"the measuring kit is not at {args.kit} (see --kit)", file=sys.stderr)
        return 2
    try:
        env = thresholds_env(args.threshold)
    except ValueError as exc:
        print(f"--threshold: {exc}", file=sys.stderr)
        return 2
    if env:
        print(f"thresholds changed: {env[THRESHOLDS_VARIABLE]}")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        mock, url = _start_mock(args.kit, work, args.fault_rate)
        try:
            _score(args, url, work, env)
        finally:
            mock.terminate()
            mock.wait()
        judged = _judged(args.kit / "dev" / "labels.jsonl", work / "outputs")
    _print_calibration(judged)
    return 0


def thresholds_env(pairs: list[str]) -> dict[str, str]:
    """The environment that gives every factcheck run these `NAME=VALUE` thresholds: the
    fields checked (and their values converted) by building a `Thresholds`, so a misspelt
    name or a value out of range stops the benchmark before it starts. Empty for none."""
    from factcheck.thresholds import Thresholds

    changes: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise ValueError(f"{pair!r} is not NAME=VALUE")
        changes[name.strip()] = value.strip()
    if not changes:
        return {}
    built = Thresholds.model_validate(changes)  # a ValidationError is a ValueError
    return {THRESHOLDS_VARIABLE: json.dumps(built.model_dump(include=set(changes)))}


def _start_mock(
    kit: Path, work: Path, fault_rate: float | None
) -> tuple[subprocess.Popen[bytes], str]:
    port_file = work / "mock.port"
    command = [sys.executable, str(kit / "mockapi.py"), "--corpus", str(kit / "corpus.jsonl")]
    command += ["--port", "0", "--port-file", str(port_file)]
    if fault_rate:
        command += ["--fault-rate", str(fault_rate)]
    mock = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + MOCK_START_SECONDS
    while not (port_file.is_file() and port_file.read_text().strip()):
        if time.monotonic() > deadline or mock.poll() is not None:
            mock.kill()
            raise SystemExit("the kit's mock API did not start")
        time.sleep(POLL_SECONDS)
    return mock, f"http://127.0.0.1:{port_file.read_text().strip()}"


def _score(args: argparse.Namespace, url: str, work: Path, env: dict[str, str]) -> None:
    command = [
        sys.executable,
        str(args.kit / "score.py"),
        "--cmd",
        f"{sys.executable} -m factcheck",
    ]
    command += ["--mock", url, "--cases", str(args.kit / "dev"), "--jobs", str(args.jobs)]
    command += ["--json", str(work / "score.json"), "--outputs", str(work / "outputs")]
    if args.limit:
        command += ["--limit", str(args.limit)]
    if args.split:
        command += ["--split", args.split]
    if args.sources:
        command += ["--sources", args.sources]
    subprocess.run(command, check=True, env={**os.environ, **env})


def _judged(labels: Path, outputs: Path) -> list[Judged]:
    """Each labelled VALID or HALLUCINATED reference that was run, with its verdict."""
    judged = []
    for line in labels.read_text(encoding="utf-8").splitlines():
        label = json.loads(line)
        output = outputs / f"{label['case']}.json"
        if label["label"] not in ("VALID", "HALLUCINATED") or not output.is_file():
            continue
        payload = json.loads(output.read_text(encoding="utf-8"))
        items = payload["items"] if isinstance(payload, dict) else payload
        overlapping = [
            item["verdict"]
            for item in items or []
            if item["citation"]["kind"] != "inline"
            and item["citation"]["start"] < label["end"]
            and item["citation"]["end"] > label["start"]
        ]
        if overlapping:
            verdict = max(overlapping, key=lambda v: SEVERITY.get(v["status"], 1))
            judged.append(Judged(label["label"], verdict["status"], verdict["confidence"]))
    return judged


def _right(judged: Judged) -> bool:
    if judged.status in HALLUCINATED_STATUSES:
        return judged.label == "HALLUCINATED"
    return judged.label == "VALID"


def _print_calibration(judged: list[Judged]) -> None:
    decided = [j for j in judged if j.status != "unverifiable"]
    print(f"\ncalibration of confidence ({len(decided)} decided verdicts; unverifiable left out)")
    print(f"{'confidence':>14} {'n':>6} {'mean':>7} {'right':>7}")
    groups: dict[tuple[float, float], list[Judged]] = defaultdict(list)
    for j in decided:
        groups[_bin(j.confidence)].append(j)
    gap = 0.0
    for low, high in pairwise(BIN_EDGES):
        members = groups.get((low, high), [])
        if not members:
            continue
        mean = sum(j.confidence for j in members) / len(members)
        right = sum(_right(j) for j in members) / len(members)
        gap += len(members) * abs(mean - right)
        print(f"{f'[{low:.2f}, {high:.2f}]':>14} {len(members):6d} {mean:7.3f} {right:7.3f}")
    if decided:
        print(f"expected calibration error: {gap / len(decided):.3f}")
    for status in ("verified", "mismatch", "not_found"):
        members = [j for j in decided if j.status == status]
        if members:
            right = sum(_right(j) for j in members) / len(members)
            mean = sum(j.confidence for j in members) / len(members)
            print(
                f"  {status:<10} n={len(members):5d}  mean confidence {mean:.3f}  right {right:.3f}"
            )


def _bin(confidence: float) -> tuple[float, float]:
    for low, high in pairwise(BIN_EDGES):
        if confidence < high:
            return low, high
    return BIN_EDGES[-2], BIN_EDGES[-1]


if __name__ == "__main__":
    raise SystemExit(main())
