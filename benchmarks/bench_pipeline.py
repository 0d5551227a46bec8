"""`factcheck run` on an evaluation-sized job: bounded by the rate limit, then by the CPU.

Writes N model outputs (JSONL, the text at `response.choices.0.message.content`, three
models) that cite, between them, U distinct DOIs (each record K of them, drawn at random),
and runs the whole job (`pipeline.run_job`: reading, extraction, dedupe, lookups, judging,
output JSONL, summary) twice against a fake Crossref that enforces the polite pool's limits
(benchmarks/bench_cold_rate.py's StrictCrossref: 10 requests/s, 3 at a time, 429 beyond)
and takes 100 ms to answer:

1. cold, with an empty file cache: every distinct DOI is looked up once, so the job cannot
   take less than U / 10 seconds (the rate-limit bound). Goal: within 1.15x of it.
2. warm, a second job over the same cache: no request at all. Goal: >= 2,000 records/s.
3. extract, side by side with the warm job: what `factcheck extract --format json` does over
   the same texts (read the records, extract each text, write the claims as JSON), in this
   process. Goal: the warm job takes at most 2x its time. Both also in CPU seconds of the
   process, which a machine shared with other jobs disturbs less than wall time.

Peak memory is the process's maximum resident set (fake server included). Goal: < 500 MB.

Run: python benchmarks/bench_pipeline.py [records] [unique_dois] [jobs]
"""

from __future__ import annotations

import json
import os
import platform
import random
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import bench_cold_rate
from bench_cold_rate import StrictCrossref

from factcheck.config import Config
from factcheck.extract import extract_all
from factcheck.pipeline import Columns, JobOptions, JobSummary, run_job
from factcheck.pipeline.records import read_records
from factcheck.report.render import extraction_json

DEFAULT_RECORDS = 10_000
DEFAULT_UNIQUE = 2_000
CITED_PER_RECORD = 3
MODELS = ("model-a", "model-b", "model-c")
POLITE_RATE = 10
POLITE_CONCURRENCY = 3
LATENCY_SECONDS = 0.1
GOAL_BOUND_RATIO = 1.15
GOAL_WARM_RECORDS_PER_SECOND = 2000
GOAL_WARM_OVER_EXTRACT = 2.0
GOAL_PEAK_MB = 500
SEED = 20261127
TEXT_FIELD = "response.choices.0.message.content"
KIB_PER_MIB = 1024


def doi(number: int) -> str:
    # StrictCrossref titles each work "A study numbered <last part of the DOI>".
    return f"10.5555/bench.{number:05d}"


def text(numbers: list[int]) -> str:
    """A chat answer citing works in prose, with their DOIs as links."""
    parts = ["Here is what the literature says."]
    for number in numbers:
        parts.append(
            f"Smith (2020) reports A study numbered {number:05d} "
            f"([link](https://doi.org/{doi(number)})), which found a moderate effect."
        )
    return " ".join(parts)


def write_input(path: Path, records: int, unique: int) -> None:
    rng = random.Random(SEED)
    with path.open("w", encoding="utf-8") as handle:
        for i in range(records):
            # Every DOI is cited at least once; the rest are drawn at random.
            numbers = [i % unique, *rng.sample(range(unique), CITED_PER_RECORD - 1)]
            row: dict[str, Any] = {
                "id": f"r{i}",
                "model": MODELS[i % len(MODELS)],
                "response": {"choices": [{"message": {"content": text(numbers)}}]},
            }
            handle.write(json.dumps(row) + "\n")


def job(tmp: Path, source: Path, name: str, jobs: int) -> JobOptions:
    return JobOptions(
        input=str(source),
        output=tmp / f"{name}.jsonl",
        fields=Columns(text=TEXT_FIELD, id="id", group="model"),
        jobs=jobs,
        progress=False,
    )


def timed(options: JobOptions, config: Config) -> tuple[JobSummary, float]:
    started = time.perf_counter()
    summary = run_job(options, config)
    return summary, time.perf_counter() - started


def cpu_timed(options: JobOptions, config: Config) -> tuple[JobSummary, float, float]:
    """The job's wall and CPU seconds (CPU: every thread of this process)."""
    cpu = time.process_time()
    summary, wall = timed(options, config)
    return summary, wall, time.process_time() - cpu


def extract_only(source: Path, out: Path) -> tuple[float, float]:
    """`factcheck extract --format json` over the job's texts: wall and CPU seconds."""
    wall, cpu = time.perf_counter(), time.process_time()
    fields = Columns(text=TEXT_FIELD, id="id", group="model")
    found = [
        (record.id or str(record.row), extract_all(record.text))
        for record in read_records(str(source), fields)
        if record.text is not None
    ]
    out.write_text(extraction_json(found), encoding="utf-8")
    return time.perf_counter() - wall, time.process_time() - cpu


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / KIB_PER_MIB


def machine() -> str:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return f"{os.cpu_count()} cores ({model}), Python {platform.python_version()}"


def main() -> None:
    records = int(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_RECORDS
    unique = int(sys.argv[2]) if len(sys.argv) > 2 else DEFAULT_UNIQUE
    jobs = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    # The fake's answer time: the benchmark's latency, not bench_cold_rate's default.
    bench_cold_rate.WORK_SECONDS = LATENCY_SECONDS
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        source = tmp / "in.jsonl"
        write_input(source, records, unique)
        print(
            f"input: {records} records, {unique} distinct DOIs, {CITED_PER_RECORD} per record, "
            f"{source.stat().st_size / 2**20:.1f} MB; extraction processes: {jobs}"
        )
        with StrictCrossref(POLITE_RATE, POLITE_CONCURRENCY).running() as api:
            config = Config.load(
                env={},
                crossref_url=api.url,
                sources=("crossref",),
                cache=str(tmp / "cache.sqlite"),
                mailto="bench@example.org",
            )
            cold, cold_seconds = timed(job(tmp, source, "cold", jobs), config)
            requests = len(api.accepted)
            bound = unique / POLITE_RATE
            ratio = cold_seconds / bound
            print(
                f"cold: {cold_seconds:.1f} s for {records} records ({records / cold_seconds:.0f}"
                f"/s); {requests} requests, {api.refused} x 429; rate-limit bound "
                f"{bound:.0f} s -> {ratio:.3f}x (goal <= {GOAL_BOUND_RATIO})"
            )
            warm, warm_seconds, warm_cpu = cpu_timed(job(tmp, source, "warm", jobs), config)
            # The jobs' peak, before the extract step holds every text's claims at once.
            peak = peak_mb()
            extract_seconds, extract_cpu = extract_only(source, tmp / "extract.json")
            print(
                f"warm: {warm_seconds:.2f} s, {records / warm_seconds:.0f} records/s "
                f"(goal >= {GOAL_WARM_RECORDS_PER_SECOND}; CPU {warm_cpu:.2f} s, "
                f"{records / warm_cpu:.0f} records per CPU second); "
                f"{len(api.accepted) - requests} requests, {warm.run.cache_hits} cache hits"
            )
            over = warm_seconds / extract_seconds
            print(
                f"extract alone, same texts: {extract_seconds:.2f} s (CPU {extract_cpu:.2f} s); "
                f"warm / extract {over:.2f}x wall, {warm_cpu / extract_cpu:.2f}x CPU "
                f"(goal <= {GOAL_WARM_OVER_EXTRACT:g}x)"
            )
        print(f"peak memory of the jobs: {peak:.0f} MB (goal < {GOAL_PEAK_MB})")
        same = (tmp / "cold.jsonl").read_bytes() == (tmp / "warm.jsonl").read_bytes()
        print(
            f"verdicts: {cold.overall.works.model_dump()}; warm output identical: {same}; "
            f"unique claims looked up {cold.run.unique_claims - cold.run.cache_hits}"
        )
        met = (
            ratio <= GOAL_BOUND_RATIO
            and records / warm_seconds >= GOAL_WARM_RECORDS_PER_SECOND
            and over <= GOAL_WARM_OVER_EXTRACT
            and peak < GOAL_PEAK_MB
        )
        print(f"goals: {'met' if met else 'MISSED'}")


if __name__ == "__main__":
    main()
