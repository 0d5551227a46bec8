"""Checking a Ray Dataset on many workers at once, with one cache and one set of rate limits.

`check_dataset(ds, text_column=…)` adds the report of each row's text to the row. It runs
`map_batches` on a fixed pool of actors, each holding one `Checker` for its whole life (a
Checker is built once and reused: its connection pools, cache and gates live in it).

Workers would otherwise each keep their own cache and limits, and N of them would send N
times what a source allows: Crossref counts per IP address, not per process. So:

- the HTTP cache is shared through Redis (`cache="redis://…"`, requests-cache's Redis
  backend): a claim one actor looked up is a cache hit on every other;
- the per-source limits are shared through Redis too (`net.shared_limits`): `rate_limits`
  names the Redis, and defaults to the cache's.

With more than one actor and limits kept in each process, the run is refused (ConfigError)
unless it cannot reach the network (offline or replay) or the caller says `rate_limits=
"local"` on purpose.

`run_on_ray` is the same for an iterable of records (`factcheck run --ray ADDRESS`): it
connects to (or starts) Ray, checks the records chunk by chunk, and yields each record with
its Report in input order.

Requires the `ray` extra (`ray[data]`, `redis`). Ray is imported when these are called, not
when this module is.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from itertools import islice
from typing import TYPE_CHECKING, Any

from ..config import LOCAL_LIMITS, Config
from ..errors import ConfigError, InputError
from ..model import Report
from ..net.shared_limits import shared_url

if TYPE_CHECKING:
    import numpy as np
    from ray.data import Dataset

    from ..checker import Checker

# Actors, each with its own Checker; the work is waiting on sources, so a fraction of a CPU
# each is enough and lets more of them share a machine.
DEFAULT_ACTORS = 4
DEFAULT_ACTOR_CPUS = 0.25
# Rows handed to an actor at once, and how many of them it checks at the same time (each
# text's own lookups already run concurrently inside the Checker).
DEFAULT_BATCH_SIZE = 16
TEXTS_IN_FLIGHT = 4
# Columns added to each row: the Report as JSON (`Report.model_validate_json` reads it
# back), and whether it passed (`Report.ok`).
REPORT_COLUMN = "factcheck"
OK_SUFFIX = "_ok"
# Records `run_on_ray` turns into one Dataset at a time: each chunk starts its own actor pool
# (a few seconds), and the driver holds a chunk's records to put them back in order.
DEFAULT_CHUNK_RECORDS = 2000
# Internal columns of `run_on_ray`'s datasets: only the text and the record's position go
# to the cluster, never the record itself (any shape, any size).
_ROW = "row"
_TEXT = "text"


def check_dataset(
    ds: Dataset,
    *,
    text_column: str = "text",
    config: Config | None = None,
    cache: str | None = None,
    rate_limits: str | None = None,
    actors: int = DEFAULT_ACTORS,
    actor_cpus: float = DEFAULT_ACTOR_CPUS,
    batch_size: int = DEFAULT_BATCH_SIZE,
    report_column: str = REPORT_COLUMN,
) -> Dataset:
    """`ds` with two columns added: `report_column` (the Report of `text_column` as JSON) and
    `report_column + "_ok"` (False when a finding's status is in the report's fail_on).

    `config` is read on the driver (FACTCHECK_* from its environment) and sent to every
    actor. `cache` and `rate_limits` override its `cache` and `limits_url`: give a redis://
    URL so that every actor, on any machine, shares one cache and one set of limits.
    A null text gets an empty report. Lazy, like every Dataset transformation.
    """
    import ray.data

    if config is None:
        config = Config.load(cache=cache, limits_url=rate_limits)
    else:
        config = _with(config, {"cache": cache, "limits_url": rate_limits})
    _require_shared_limits(config, actors)
    return ds.map_batches(
        _CheckBatch,
        batch_size=batch_size,
        batch_format="numpy",
        compute=ray.data.ActorPoolStrategy(size=actors),
        num_cpus=actor_cpus,
        fn_constructor_kwargs={
            "config": config,
            "text_column": text_column,
            "report_column": report_column,
        },
    )


def run_on_ray(
    records: Iterable[Mapping[str, Any]],
    *,
    address: str | None,
    text_field: str,
    config: Config,
    actors: int = DEFAULT_ACTORS,
    actor_cpus: float = DEFAULT_ACTOR_CPUS,
    batch_size: int = DEFAULT_BATCH_SIZE,
    chunk_records: int = DEFAULT_CHUNK_RECORDS,
) -> Iterator[tuple[Mapping[str, Any], Report]]:
    """Each record with the Report of its `text_field`, in input order, checked on Ray.

    `address` is Ray's (`ray://head:10001`, `auto`, or None to start a local runtime, or to
    join the one RAY_ADDRESS names); a Ray already initialised in this process is used
    as it is. The limits and cache are `config`'s: on a cluster, give it a redis:// cache.
    A record whose text is missing or null gets an empty report; a text that is not a
    string is an InputError.
    """
    import ray

    _require_shared_limits(config, actors)
    started = not ray.is_initialized()
    if started:
        ray.init(address=address, log_to_driver=False)
    try:
        it = iter(records)
        while chunk := list(islice(it, chunk_records)):
            yield from _run_chunk(chunk, text_field, config, actors, actor_cpus, batch_size)
    finally:
        if started:
            ray.shutdown()


def report_of(row: Mapping[str, Any], report_column: str = REPORT_COLUMN) -> Report:
    """The Report that `check_dataset` stored in a row."""
    return Report.model_validate_json(row[report_column])


class _CheckBatch:
    """The actor of `check_dataset`: one Checker for its life, one batch per call."""

    def __init__(self, config: Config, text_column: str, report_column: str) -> None:
        from ..checker import Checker

        self._checker: Checker = Checker(config)
        self._text_column = text_column
        self._report_column = report_column
        self._pool = ThreadPoolExecutor(TEXTS_IN_FLIGHT, thread_name_prefix="factcheck-texts")

    def __call__(self, batch: dict[str, np.ndarray[Any, Any]]) -> dict[str, np.ndarray[Any, Any]]:
        import numpy as np

        texts = [_text(value) for value in batch[self._text_column]]
        reports = list(self._pool.map(self._checker.check, texts))
        batch[self._report_column] = np.array([r.model_dump_json() for r in reports], dtype=object)
        batch[self._report_column + OK_SUFFIX] = np.array([r.ok for r in reports], dtype=bool)
        return batch


def _run_chunk(
    chunk: list[Mapping[str, Any]],
    text_field: str,
    config: Config,
    actors: int,
    actor_cpus: float,
    batch_size: int,
) -> Iterator[tuple[Mapping[str, Any], Report]]:
    """One chunk through `check_dataset`, yielded in input order as soon as each next
    record's report is in (results arrive in any order)."""
    import ray.data

    items = [
        {_ROW: n, _TEXT: _record_text(record, text_field, n)} for n, record in enumerate(chunk)
    ]
    checked = check_dataset(
        ray.data.from_items(items),
        text_column=_TEXT,
        config=config,
        actors=min(actors, len(chunk)),
        actor_cpus=actor_cpus,
        batch_size=batch_size,
    )
    waiting: dict[int, Report] = {}
    next_row = 0
    for row in checked.iter_rows():
        waiting[int(row[_ROW])] = report_of(row)
        while next_row in waiting:
            yield chunk[next_row], waiting.pop(next_row)
            next_row += 1


def _record_text(record: Mapping[str, Any], field: str, position: int) -> str:
    value = record.get(field)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InputError(
            f"record {position + 1} of its chunk: {field!r} is a {type(value).__name__}, "
            "not a string"
        )
    return value


def _text(value: Any) -> str:
    """A text cell as numpy hands it over: str, bytes, or None for a null."""
    if value is None:
        return ""
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


def _with(config: Config, overrides: Mapping[str, Any]) -> Config:
    """`config` with the overrides that were given (None means not given), validated."""
    given = {name: value for name, value in overrides.items() if value is not None}
    if not given:
        return config
    try:
        return Config(**{**config.model_dump(), **given})
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc


def _require_shared_limits(config: Config, actors: int) -> None:
    """Refuse to let several actors keep a source's limits each, which would multiply them,
    unless they cannot reach the network or the caller asked for local limits by name."""
    if actors <= 1 or shared_url(config) is not None or config.offline or config.replay:
        return
    if config.limits_url == LOCAL_LIMITS:
        warnings.warn(
            f"{actors} actors each keep their own rate limits (limits_url='local'): together "
            "they may send up to that many times what a source allows",
            stacklevel=3,
        )
        return
    raise ConfigError(
        f"{actors} actors would each keep their own rate limits and send {actors} times what "
        "a source allows: give a redis:// cache or rate_limits='redis://…' to share them, "
        "or rate_limits='local' if you mean it"
    )
