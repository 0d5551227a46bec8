"""`factcheck run`: a file of records in, one output record per input and a summary out.

`run_job` is the whole command as a function (the CLI only parses options into a JobOptions
and a Config): it selects the records (shard, limit, those a resumed run has not done yet),
streams them through the engine (`engine.run`, or Ray's, `--ray`), writes each chunk's
results to the output JSONL in input order and commits it, and finally writes the summary:
rates overall and per group, with what they depend on (`provenance`).

Before anything is written it makes sure the job can work: the input exists, the text field
names a text in some record (not a file of `missing_text` records), and a resumed run uses
the options of the run it continues, which a fresh run keeps next to its output
(`out.run.json`): records checked under other sources or fields would mix silently. A start
that fails leaves no empty output behind.
"""

from __future__ import annotations

import gc
import json
import os
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from ..config import Config
from ..errors import ConfigError, InputError
from ..model import Status
from ..resolve.results import NEUTRAL_SETTINGS
from .checkpoint import OutputWriter, resume_point
from .engine import DEFAULT_CHUNK_SIZE, RecordResult, RunStats, run
from .progress import ProgressBar
from .provenance import Provenance, provenance
from .records import (
    STDIN,
    Columns,
    Format,
    InputRecord,
    RecordProblem,
    check_file,
    detect_format,
    parquet,
    read_records,
)
from .tally import GroupSummary, Tally

SUMMARY_SUFFIX = ".summary.json"
# Next to the output: the options a run started with, for `--resume` to compare.
RUN_FILE_SUFFIX = ".run.json"
# Allocations between young-generation collections during a job (`fewer_collections`).
GC_YOUNG_THRESHOLD = 50_000
SHARD_SEPARATOR = "/"

Engine = Callable[..., Iterator[RecordResult]]


@dataclass(frozen=True)
class Shard:
    """Shard `index` of `count` (from 0): the records whose position modulo count is index."""

    index: int
    count: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        """A shard written as `i/n`; ConfigError for anything else, or i outside 0..n-1."""
        index, sep, count = text.partition(SHARD_SEPARATOR)
        if not sep or not index.strip().isdigit() or not count.strip().isdigit():
            raise ConfigError(f"shard {text!r}: write it as i/n, e.g. 0/4")
        shard = cls(int(index), int(count))
        if not 0 <= shard.index < shard.count:
            raise ConfigError(f"shard {text!r}: need 0 <= i < n")
        return shard

    def holds(self, position: int) -> bool:
        """Whether the record at `position` (from 0) belongs to this shard."""
        return position % self.count == self.index

    def __str__(self) -> str:
        return f"{self.index}{SHARD_SEPARATOR}{self.count}"


@dataclass(frozen=True)
class JobOptions:
    """Everything `factcheck run` does besides the Config (sources, cache, offline)."""

    input: str
    output: Path
    summary: Path | None = None
    fields: Columns = field(default_factory=Columns)
    input_format: Format | None = None
    resume: bool = False
    strict: bool = False
    shard: Shard | None = None
    limit: int | None = None
    jobs: int = 1
    chunk_size: int = DEFAULT_CHUNK_SIZE
    fail_on: tuple[Status, ...] | None = None
    ray: str | None = None
    # A progress bar on stderr, when it is a terminal. Off unless asked: library calls draw
    # nothing (`factcheck run` asks, unless --no-progress).
    progress: bool = False

    @property
    def summary_path(self) -> Path:
        """Where the summary goes: `summary`, else next to the output."""
        return self.summary or summary_path(self.output)


@dataclass
class Written:
    """How many records the output holds, and how many of them this run wrote: kept up to
    date as chunks are committed, so that an interrupted run can say where it stopped."""

    records: int = 0
    this_run: int = 0


class RunFigures(BaseModel):
    """What this process did (a resumed run counts only its own part here)."""

    records: int
    unique_claims: int
    cache_hits: int
    seconds: float
    # Set when no source could be reached at all: what happened, and how to fix it.
    network_trouble: str | None = None


class JobSummary(BaseModel):
    """The summary JSON: provenance, the run's options and figures, and the rates."""

    provenance: Provenance
    input: str
    output: str
    options: dict[str, Any]
    run: RunFigures
    overall: GroupSummary
    groups: dict[str, GroupSummary]


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Run the job with the garbage collector's youngest generation `GC_YOUNG_THRESHOLD`
    allocations wide instead of 700. A batch in flight keeps a few hundred thousand objects
    alive (its claims, answers and reports); at the default width they are promoted to the
    oldest generation and every full collection walks them all in vain (nothing in them is
    cyclic garbage): a quarter of a warm run's time. The default comes back afterwards."""
    before = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


def summary_path(output: Path) -> Path:
    """Where the summary goes by default: `out.jsonl` -> `out.summary.json`."""
    return output.with_name(output.stem + SUMMARY_SUFFIX)


def run_file_path(output: Path) -> Path:
    """Where a run keeps the options it started with: `out.jsonl` -> `out.run.json`."""
    return output.with_name(output.stem + RUN_FILE_SUFFIX)


def run_job(options: JobOptions, config: Config, *, written: Written | None = None) -> JobSummary:
    """Run the job; returns (and writes) its summary. Raises InputError or ConfigError with
    a message for a person when the input or the options cannot work, before anything is
    written. `written`, when given, follows the records committed (see `Written`)."""
    _check(options, config)
    fmt = options.input_format or detect_format(options.input)
    if options.input != STDIN:
        check_file(options.input)
    shaping = _shaping(options, config, fmt)
    fresh = not (options.resume and options.output.exists())
    if not fresh:
        _same_as_before(options.output, shaping)
    tally = Tally()
    done = resume_point(options.output, tally.add) if options.resume else set()
    records = _with_text(
        _selected(
            read_records(options.input, options.fields, fmt=fmt, strict=options.strict),
            options,
            done,
        ),
        options,
    )
    written = written if written is not None else Written()
    written.records = tally.records
    try:
        if fresh:
            run_file = {"output": str(options.output), "options": shaping}
            _write_atomically(run_file_path(options.output), json.dumps(run_file, indent=2))
        stats, seconds = _write_results(options, config, fmt, records, tally, written)
    except BaseException:
        if fresh:
            _discard_if_empty(options.output)
        raise
    summary = JobSummary(
        provenance=provenance(config),
        input=options.input,
        output=str(options.output),
        options=_described(options),
        run=RunFigures(
            records=stats.records,
            unique_claims=stats.unique,
            cache_hits=stats.cache_hits,
            seconds=seconds,
            network_trouble=stats.network_trouble,
        ),
        overall=tally.overall(),
        groups=tally.groups(),
    )
    _write_atomically(options.summary_path, summary.model_dump_json(indent=2) + "\n")
    return summary


def _write_results(
    options: JobOptions,
    config: Config,
    fmt: Format,
    records: Iterator[InputRecord],
    tally: Tally,
    written: Written,
) -> tuple[RunStats, float]:
    """Stream the records through the engine into the output, a committed chunk at a time;
    the run's figures and how long it took."""
    stats = RunStats()
    started = time.monotonic()
    with (
        fewer_collections(),
        OutputWriter(options.output, append=options.resume) as writer,
        ProgressBar(
            # Counting the input's rows reads it all: only for a bar that is drawn.
            total=_expected(options, fmt) if options.progress else None,
            done=tally.records,
            enabled=options.progress,
        ) as bar,
    ):
        results = _engine(options)(
            records,
            config=config,
            chunk_size=options.chunk_size,
            jobs=options.jobs,
            fail_on=options.fail_on,
            stats=stats,
        )
        for batch in _batches(results, options.chunk_size):
            tally.add_results(batch)
            writer.write_lines(result.to_json() for result in batch)
            writer.commit()
            written.records, written.this_run = tally.records, written.this_run + len(batch)
            bar.update(stats)
    return stats, round(time.monotonic() - started, 3)


def _shaping(options: JobOptions, config: Config, fmt: Format) -> dict[str, Any]:
    """What a resumed run must share with the run it continues, by option name: what is
    read, and the settings that decide verdicts (those the results cache keys answers on,
    and the sources). Not the limit (a resume may go further), nor speed or cache settings."""
    settings = config.model_dump(mode="json", exclude=set(NEUTRAL_SETTINGS))
    return {
        "input": options.input if options.input == STDIN else os.path.abspath(options.input),
        "input_format": fmt.value,
        "text_field": options.fields.text,
        "id_field": options.fields.id,
        "group_by": options.fields.group,
        "shard": None if options.shard is None else str(options.shard),
        "strict": options.strict,
        "fail_on": None if options.fail_on is None else [s.value for s in options.fail_on],
        "sources": list(config.sources),
        **settings,
    }


def _same_as_before(output: Path, shaping: dict[str, Any]) -> None:
    """Refuse to resume `output` with options other than those its run started with (when
    that run kept them: outputs of older versions have no run file, and are resumed)."""
    try:
        kept = json.loads(run_file_path(output).read_text(encoding="utf-8"))["options"]
    except (OSError, ValueError, KeyError, TypeError):
        return
    changed = [
        f"{_option_name(name)} was {_shown(kept.get(name))}, now {_shown(shaping.get(name))}"
        for name in sorted(set(kept) | set(shaping))
        if kept.get(name) != shaping.get(name)
    ]
    if changed:
        raise ConfigError(
            f"--resume continues {output} with other options than its run started with: "
            f"{'; '.join(changed)}. Give the same options, or write to a new output."
        )


def _option_name(name: str) -> str:
    return "the input" if name == "input" else "--" + name.replace("_", "-")


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return ",".join(str(item) for item in value) or "none"
    return "none" if value is None else repr(value)


def _with_text(records: Iterator[InputRecord], options: JobOptions) -> Iterator[InputRecord]:
    """The records, once one of the first chunk of them has a text at the text field.
    When none of them has (every one `missing_text`), the field is wrong: InputError,
    naming the fields of a record, before anything is written."""
    head: list[InputRecord] = []
    for record in records:
        head.append(record)
        if record.text is not None:
            return chain(head, records)
        if len(head) >= options.chunk_size:
            break
    missing = [r for r in head if r.problem is RecordProblem.MISSING_TEXT]
    if not missing:  # no record at all, or only malformed lines: nothing to say of the field
        return chain(head, records)
    scope = "any record" if len(head) < options.chunk_size else f"the first {len(head)} records"
    raise InputError(
        f"{options.input}: --text-field {options.fields.text!r} finds no text in {scope}; "
        f"{missing[0].message}"
    )


def _discard_if_empty(output: Path) -> None:
    """After a fresh start failed: remove the output (and its run file) if nothing was
    written to it, so that a corrected command does not need --resume or a cleanup."""
    try:
        if output.stat().st_size == 0:
            output.unlink()
            run_file_path(output).unlink(missing_ok=True)
    except OSError:
        pass


def _check(options: JobOptions, config: Config) -> None:
    if options.resume and config.cache.strip().lower() == "none":
        raise ConfigError(
            "--resume needs a file cache (--cache FILE, or the default): with --cache none "
            "the records redone after a crash would be looked up again"
        )
    if not options.resume and options.output.exists() and options.output.stat().st_size:
        raise InputError(
            f"{options.output} already exists: pass --resume to continue it, or remove it"
        )
    if options.limit is not None and options.limit < 0:
        raise ConfigError("--limit must be 0 or more")
    if options.jobs < 1 or options.chunk_size < 1:
        raise ConfigError("--jobs and --chunk-size must be at least 1")


def _selected(
    records: Iterable[InputRecord], options: JobOptions, done: set[int]
) -> Iterator[InputRecord]:
    """This shard's records, the first `limit` of them, less those already written."""
    taken = 0
    for position, record in enumerate(records):
        if options.shard is not None and not options.shard.holds(position):
            continue
        if options.limit is not None and taken >= options.limit:
            return
        taken += 1
        if record.row not in done:
            yield record


def _expected(options: JobOptions, fmt: Format) -> int | None:
    """How many records the job covers, for the progress bar; None when unknown or dear."""
    rows = _count_rows(options.input, fmt)
    if rows is None:
        return None
    if options.shard is not None:
        rows = len(range(options.shard.index, rows, options.shard.count))
    return rows if options.limit is None else min(rows, options.limit)


def _count_rows(path: str, fmt: Format) -> int | None:
    """Rows in the input: non-blank JSONL lines, or Parquet's metadata. Not CSV, whose rows
    may span lines, nor stdin; and None on any trouble (reading reports it properly)."""
    if path == STDIN or fmt is Format.CSV:
        return None
    try:
        if fmt is Format.PARQUET:
            return int(parquet().ParquetFile(path).metadata.num_rows)
        with open(path, "rb") as handle:
            return sum(1 for line in handle if line.strip())
    except (ImportError, OSError, ValueError):
        return None


def _engine(options: JobOptions) -> Engine:
    """The local engine, or Ray's (`--ray ADDRESS`, imported only when asked for)."""
    if options.ray is None:
        return run
    from .ray_seam import ray_engine

    engine: Engine = ray_engine(options.ray)
    return engine


def _batches(results: Iterable[RecordResult], size: int) -> Iterator[list[RecordResult]]:
    batch: list[RecordResult] = []
    for result in results:
        batch.append(result)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _described(options: JobOptions) -> dict[str, Any]:
    return {
        "text_field": options.fields.text,
        "id_field": options.fields.id,
        "group_by": options.fields.group,
        "shard": None if options.shard is None else str(options.shard),
        "limit": options.limit,
        "resume": options.resume,
        "strict": options.strict,
    }


def _write_atomically(path: Path, text: str) -> None:
    """Write then rename: a crash never leaves half a summary."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)
