"""Evaluation jobs: check thousands to millions of model outputs, and measure how often they
invent references.

    >>> from factcheck import pipeline
    >>> for result in pipeline.run(texts, config=config):   # doctest: +SKIP
    ...     print(result.row, result.report.summary)

`run` takes an iterator of records (InputRecords or plain texts) and yields one RecordResult
per record, in order. Inside, records go a chunk at a time through three steps that are
public for people who build their own loop (a Ray actor, a datasets `map`, an inspect_ai
scorer):

    extracted = pipeline.extract_records(records)               # pure CPU
    resolved = pipeline.verify_unique(checker, extracted)   # each distinct claim once
    results = pipeline.assemble(checker, extracted, resolved)

`run_job` is the `factcheck run` command as a function: files in (JSONL, CSV, Parquet),
output JSONL and a summary with rates and 95% intervals out, resumable after a crash.
"""

from __future__ import annotations

from .engine import (
    DEFAULT_CHUNK_SIZE,
    Extracted,
    RecordResult,
    RunStats,
    assemble,
    extract_records,
    process_pool,
    run,
    verify_unique,
)
from .job import JobOptions, JobSummary, Shard, run_job, summary_path
from .rates import Rate, wilson
from .records import Columns, Format, InputRecord, RecordProblem, read_records
from .tally import GroupSummary, Tally

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "Columns",
    "Extracted",
    "Format",
    "GroupSummary",
    "InputRecord",
    "JobOptions",
    "JobSummary",
    "Rate",
    "RecordProblem",
    "RecordResult",
    "RunStats",
    "Shard",
    "Tally",
    "assemble",
    "extract_records",
    "process_pool",
    "read_records",
    "run",
    "run_job",
    "summary_path",
    "verify_unique",
    "wilson",
]
