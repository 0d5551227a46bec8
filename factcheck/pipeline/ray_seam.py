"""The seam to Ray (`factcheck run --ray ADDRESS`): the same job, checked on a cluster.

`factcheck.integrations.ray.run_on_ray` (the `ray` extra) checks an iterable of mappings
and yields each mapping back with its Report, in input order. This module hands it the
job's records and turns its answers into the RecordResults that the local engine
(`engine.run`) yields, so that reading, resuming, writing and the summary are one code path
whichever engine ran. Records with a problem (malformed, no text) go through with no text,
which keeps them in their place in the order, and come out with their problem.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Iterator
from typing import Any

from ..config import Config
from ..errors import ConfigError
from ..model import Status
from .engine import RecordResult, RunStats
from .records import InputRecord

RAY_MODULE = "factcheck.integrations.ray"
# The keys of the mappings handed to run_on_ray: the text it checks, and our record.
TEXT_KEY = "text"
RECORD_KEY = "record"


def ray_engine(address: str) -> Any:
    """An engine with `engine.run`'s keywords that checks on Ray at `address`; ConfigError
    at once when the integration or Ray is not installed."""
    try:
        run_on_ray = importlib.import_module(RAY_MODULE).run_on_ray
        importlib.import_module("ray")
    except (ImportError, AttributeError) as exc:
        raise ConfigError(
            f"--ray needs {RAY_MODULE} and the ray package (pip install 'factcheck[ray]'): {exc}"
        ) from None

    def run(
        records: Iterable[InputRecord],
        *,
        config: Config,
        chunk_size: int,
        jobs: int,
        fail_on: Iterable[Status] | None = None,
        stats: RunStats | None = None,
    ) -> Iterator[RecordResult]:
        del jobs  # Ray places the work; extraction processes are a local engine's concern
        stats = stats if stats is not None else RunStats()
        statuses = None if fail_on is None else list(fail_on)
        rows = ({TEXT_KEY: r.text if r.problem is None else None, RECORD_KEY: r} for r in records)
        answers = run_on_ray(
            rows, address=address, text_field=TEXT_KEY, config=config, chunk_records=chunk_size
        )
        for row, report in answers:
            record: InputRecord = row[RECORD_KEY]
            result = RecordResult(row=record.row, id=record.id, group=record.group)
            if record.problem is not None:
                result.problem, result.message = record.problem.value, record.message
            else:
                if statuses is not None:
                    report.fail_on = statuses
                result.report = report
                stats.claims += len(report.items)
            stats.records += 1
            yield result

    return run
