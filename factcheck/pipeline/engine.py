"""The batch engine: extract everything, dedupe, verify each unique claim once, join back.

Far fewer distinct references exist than records (every model cites the same classics), so
records are taken a chunk at a time:

1. `extract_records`: every record's claims (pure CPU; in `jobs` processes when asked);
2. `verify_unique`: the chunk's distinct probes, each looked up once through one Checker
   (its thread pool, rate limits and caches), `Checker.resolve_extractions`;
3. `assemble`: each record's Report, judged against those answers, in input order.

`run` chains them over an iterator of records and yields one `RecordResult` per record, in
input order. While a chunk's lookups wait on the network, the next chunks are extracted
(up to READAHEAD_CHUNKS); as soon as the lookups are in, the claims of every chunk extracted
meanwhile go out together, and only then is the landed chunk judged and handed on. So the
CPU work hides behind the rate limits, and memory stays bounded. A claim
repeated in a later chunk is answered by the results cache next to a file cache
(`resolve.results`), not asked again; with `cache="none"` it is asked once per chunk.

These three functions are public so that other loops (a Ray actor, an inspect_ai scorer, a
datasets `map`) can reuse them on their own batches.
"""

from __future__ import annotations

import json
import multiprocessing
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, field
from functools import partial
from itertools import islice
from typing import Any

from ..checker import Checker, Resolved
from ..config import Config
from ..extract import Bounds
from ..extract import extract_all as extract_text
from ..model import Extraction, Report, Status
from ..report.render import finding_dict
from .records import InputRecord, RecordProblem

DEFAULT_CHUNK_SIZE = 1000
# Chunks extracted ahead while lookups are in flight. The first chunks of a job hold most of
# its distinct claims, so their lookups take longest: extracting ahead meanwhile keeps that
# CPU work from piling up after them. Bounds memory to this many chunks of Extractions.
READAHEAD_CHUNKS = 8
# Texts handed to an extraction process at a time: large enough that pickling the work
# costs little next to it, small enough to spread a chunk over the processes.
EXTRACT_BATCH = 32
EXTRACTION_FAILED = "extraction failed: {}"


@dataclass
class RecordResult:
    """One output record: the input row's identity, and its Report or its problem."""

    row: int
    id: str | None = None
    group: str | None = None
    report: Report | None = None
    problem: str | None = None
    message: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The output record: findings in the `--format json` item shape."""
        items = self.report.items if self.report is not None else []
        return {
            **self._head(),
            "findings": [finding_dict(finding) for finding in items],
            "summary": self.report.summary.model_dump(mode="json") if self.report else None,
        }

    def to_json(self) -> str:
        """`to_dict()` as one JSON line, with the findings serialised by pydantic's own
        encoder: about three times faster than building the dicts and dumping them, which
        matters for a warm job, where writing output is a third of the work."""
        head = json.dumps(self._head(), ensure_ascii=False)[:-1]
        if self.report is None:
            return f'{head}, "findings": [], "summary": null}}'
        findings = ", ".join(finding.model_dump_json() for finding in self.report.items)
        summary = self.report.summary.model_dump_json()
        return f'{head}, "findings": [{findings}], "summary": {summary}}}'

    def _head(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "id": self.id,
            "group": self.group,
            "problem": self.problem,
            "message": self.message,
        }


@dataclass
class Extracted:
    """A record and what its text claims (None when it has no text to check)."""

    record: InputRecord
    extraction: Extraction | None
    error: str | None = None


@dataclass
class RunStats:
    """Running counts for progress display: records done, distinct claims per chunk (the
    lookups a chunk needed), and how many of those the results cache answered."""

    records: int = 0
    claims: int = 0
    unique: int = 0
    cache_hits: int = 0
    problems: dict[str, int] = field(default_factory=dict)
    # One line when no source could be reached at all (`net.reachability`), at the end.
    network_trouble: str | None = None


def extract_records(
    records: Sequence[InputRecord],
    *,
    executor: Executor | None = None,
    claims: int | None = None,
) -> list[Extracted]:
    """Every record's claims, in order; in `executor` (a process pool, see `process_pool`)
    when given, else here. With `claims` (a Checker's `max_references`), each text is read
    up to its first `claims` claims, the rest left `unread` (see `Checker.extract`)."""
    texts = [r.text if r.problem is None and r.text is not None else None for r in records]
    extract_one = partial(_extract_one, claims=claims)
    if executor is not None:
        outcomes = list(executor.map(extract_one, texts, chunksize=EXTRACT_BATCH))
    else:
        outcomes = [extract_one(text) for text in texts]
    return [Extracted(record, *outcome) for record, outcome in zip(records, outcomes, strict=True)]


def verify_unique(checker: Checker, extracted: Sequence[Extracted]) -> Resolved:
    """Look up every distinct claim of these records once (`Checker.resolve_extractions`)."""
    return checker.resolve_extractions(e.extraction for e in extracted if e.extraction is not None)


def assemble(
    checker: Checker,
    extracted: Sequence[Extracted],
    resolved: Resolved,
    *,
    fail_on: Iterable[Status] | None = None,
) -> list[RecordResult]:
    """Each record's RecordResult, judged against `resolved`. No I/O."""
    statuses = None if fail_on is None else list(fail_on)
    results = []
    for item in extracted:
        record = item.record
        result = RecordResult(row=record.row, id=record.id, group=record.group)
        if item.extraction is not None:
            result.report = checker.judge_extraction(
                item.extraction, resolved, path=record.id, fail_on=statuses
            )
            result.message = record.message  # a warning about the text (invalid UTF-8)
        elif record.problem is not None:
            result.problem, result.message = record.problem.value, record.message
        else:
            result.problem, result.message = RecordProblem.EXTRACTION_FAILED.value, item.error
        results.append(result)
    return results


def run(
    records: Iterable[InputRecord | str],
    *,
    checker: Checker | None = None,
    config: Config | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    jobs: int = 1,
    fail_on: Iterable[Status] | None = None,
    stats: RunStats | None = None,
) -> Iterator[RecordResult]:
    """Check records (InputRecords, or plain texts numbered from 1) and yield one
    RecordResult per record, in input order, a chunk at a time.

    Uses `checker` when given (and leaves it open), else makes one from `config`.
    `stats`, when given, is updated as chunks complete (for a progress display).
    """
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be at least 1, got {chunk_size}")
    own = checker is None
    active = checker if checker is not None else Checker(config)
    stats = stats if stats is not None else RunStats()
    try:
        with (
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="factcheck-batch") as lane,
            process_pool(jobs) if jobs > 1 else nullcontext() as extractors,
        ):
            flight: _Flight | None = None
            ready: list[list[Extracted]] = []
            for chunk in _chunks(_as_records(records), chunk_size):
                claims = active.config.max_references
                ready.append(extract_records(chunk, executor=extractors, claims=claims))
                busy = flight is not None and not flight.resolved.done()
                if busy and len(ready) < READAHEAD_CHUNKS:
                    continue
                landed = flight
                if landed is not None:
                    landed.resolved.result()  # wait here when the read-ahead is full
                flight, ready = _Flight.take_off(lane, active, ready), []
                if landed is not None:
                    yield from landed.land(active, fail_on, stats)
            if flight is not None:
                yield from flight.land(active, fail_on, stats)
            if ready:
                yield from _Flight.take_off(lane, active, ready).land(active, fail_on, stats)
        stats.network_trouble = active.http.reachability.trouble()
    finally:
        if own:
            active.close()


@dataclass
class _Flight:
    """Chunks whose distinct claims are being looked up together, in the batch lane."""

    chunks: list[list[Extracted]]
    resolved: Future[Resolved]

    @classmethod
    def take_off(cls, lane: Executor, checker: Checker, chunks: list[list[Extracted]]) -> _Flight:
        together = [item for chunk in chunks for item in chunk]
        return cls(chunks, lane.submit(verify_unique, checker, together))

    def land(
        self, checker: Checker, fail_on: Iterable[Status] | None, stats: RunStats
    ) -> Iterator[RecordResult]:
        """Wait for the answers, then judge each chunk, count it and yield its results."""
        resolved = self.resolved.result()
        stats.unique += len(resolved.lookups)
        stats.cache_hits += resolved.stored
        for chunk in self.chunks:
            results = assemble(checker, chunk, resolved, fail_on=fail_on)
            for result in results:
                stats.records += 1
                stats.claims += len(result.report.items) if result.report is not None else 0
                if result.problem is not None:
                    stats.problems[result.problem] = stats.problems.get(result.problem, 0) + 1
            yield from results


def _extract_one(
    text: str | None, *, claims: int | None = None
) -> tuple[Extraction | None, str | None]:
    """One text's Extraction, or why there is none. Model output is hostile: a text that
    breaks an extractor costs its record, never the run."""
    if text is None:
        return None, None
    try:
        return extract_text(text, Bounds(claims=claims)), None
    except Exception as exc:
        return None, EXTRACTION_FAILED.format(f"{type(exc).__name__}: {exc}")


def process_pool(jobs: int) -> Executor:
    """Processes for `extract_records`: spawned, not forked, since the parent has threads (the
    Checker's pool, the batch lane) that a fork would copy mid-work."""
    return ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn"))


def _as_records(records: Iterable[InputRecord | str]) -> Iterator[InputRecord]:
    for number, record in enumerate(records, start=1):
        yield record if isinstance(record, InputRecord) else InputRecord(row=number, text=record)


def _chunks(records: Iterator[InputRecord], size: int) -> Iterator[list[InputRecord]]:
    while chunk := list(islice(records, size)):
        yield chunk
