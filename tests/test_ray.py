"""check_dataset on a real local Ray runtime: four actors, one strict rate-limited fake
Crossref, one real redis-server for the shared cache and limits.

Deselect with `-m "not ray"`. Skipped only when ray or redis-server is not installed.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter, deque
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, unquote

import pytest
from servers import LocalServer, Reply, Seen

from factcheck.config import Config
from factcheck.errors import ConfigError, InputError
from factcheck.model import Status

ray = pytest.importorskip("ray", reason="the ray extra is not installed")

pytestmark = [pytest.mark.ray, pytest.mark.integration]

# The fake's limits: Crossref's public pool, which a Checker without `mailto` uses.
RATE = 5
CONCURRENCY = 1
WINDOW = 1.0
# Arrivals are timed at the server, after a hop through a loaded two-core machine running
# Ray: starts paced 0.21 s apart at the client can land a few tens of milliseconds closer.
# The fake forgives that much of its window; four actors with unshared limits would still
# send four times the rate and be refused.
ARRIVAL_JITTER = 0.1
JUDGED_WINDOW = WINDOW - ARRIVAL_JITTER
WORK_SECONDS = 0.03
ACTORS = 4
DOIS = [f"10.5555/ray.{n:03d}" for n in range(16)]
# The second pass cites every DOI again, several to a text.
PER_TEXT = 4


class StrictCrossref:
    """`/works/{doi}` as Crossref answers it, or 429 past `RATE` in any sliding window or
    past `CONCURRENCY` in progress: what a real server would hold against us."""

    def __init__(self) -> None:
        self.recent: deque[float] = deque()
        self.arrivals: list[float] = []
        self.refused = 0
        self.in_progress = 0
        self._lock = threading.Lock()
        self.headers = {
            "Content-Type": "application/json",
            "x-rate-limit-limit": str(RATE),
            "x-rate-limit-interval": f"{WINDOW:g}s",
            "x-concurrency-limit": str(CONCURRENCY),
        }

    def __call__(self, seen: Seen) -> Reply:
        with self._lock:
            while self.recent and self.recent[0] <= seen.at - JUDGED_WINDOW:
                self.recent.popleft()
            self.recent.append(seen.at)
            self.arrivals.append(seen.at)
            if len(self.recent) > RATE or self.in_progress >= CONCURRENCY:
                self.refused += 1
                return Reply(429, b"Too Many Requests", self.headers)
            self.in_progress += 1
        try:
            time.sleep(WORK_SECONDS)
            doi = unquote(seen.path.split("?")[0].removeprefix("/works/"))
            message = {
                "DOI": doi,
                "title": [f"A study numbered {doi.rsplit('.', 1)[-1]}"],
                "author": [{"family": "Smith", "given": "Jane"}],
                "issued": {"date-parts": [[2020]]},
                "type": "journal-article",
            }
            body = json.dumps({"status": "ok", "message-type": "work", "message": message})
            return Reply(200, body.encode(), self.headers)
        finally:
            with self._lock:
                self.in_progress -= 1


@pytest.fixture(scope="module")
def ray_runtime() -> Iterator[None]:
    ray.init(
        num_cpus=2,
        include_dashboard=False,
        log_to_driver=False,
        object_store_memory=128 * 1024 * 1024,
    )
    ray.data.DataContext.get_current().enable_progress_bars = False
    try:
        yield
    finally:
        ray.shutdown()


def _most_in_a_window(times: list[float]) -> int:
    return max(sum(1 for t in times if start <= t < start + JUDGED_WINDOW) for start in times)


def _statuses(rows: list[dict[str, Any]]) -> Counter[Status]:
    from factcheck.integrations.ray import report_of

    return Counter(item.verdict.status for row in rows for item in report_of(row).items)


def test_four_actors_share_one_cache_and_one_limit(
    ray_runtime: None, local_server: LocalServer, redis_url: str
) -> None:
    """Pass 1: check_dataset on four actors at once, each DOI once. Pass 2: run_on_ray (the
    same code, in chunks, each chunk a new pool of actors) cites them all again, so every
    lookup is one that another actor made: all are answered from the shared Redis cache."""
    from factcheck.integrations.ray import check_dataset, run_on_ray

    crossref = StrictCrossref()
    local_server.handle_prefix("/works/", crossref)
    config = Config.load(
        env={}, crossref_url=local_server.url(""), sources="crossref", cache=redis_url
    )

    texts = [{"text": f"As shown in https://doi.org/{doi}, it works."} for doi in DOIS]
    first = check_dataset(
        ray.data.from_items(texts), config=config, actors=ACTORS, batch_size=2
    ).take_all()
    records: list[dict[str, Any]] = [
        {"id": n, "answer": " and ".join(f"doi:{doi}" for doi in DOIS[n : n + PER_TEXT])}
        for n in range(0, len(DOIS), PER_TEXT)
    ]
    records.append({"id": len(DOIS)})  # no text: an empty report
    second = list(
        run_on_ray(records, address=None, text_field="answer", config=config, chunk_records=3)
    )

    assert _statuses(first) == {Status.VERIFIED: len(DOIS)}
    assert all(row["factcheck_ok"] for row in first)
    assert [record["id"] for record, _ in second] == [record["id"] for record in records]
    assert [len(report.items) for _, report in second] == [PER_TEXT] * 4 + [0]
    verdicts = Counter(item.verdict.status for _, report in second for item in report.items)
    assert verdicts == {Status.VERIFIED: len(DOIS)}
    assert crossref.refused == 0
    hits = Counter(seen.path for seen in local_server.seen)
    # Each DOI asked once, as one path segment.
    assert hits == {f"/works/{quote(doi, safe='')}": 1 for doi in DOIS}
    assert _most_in_a_window(crossref.arrivals) <= RATE


def test_unshared_limits_are_refused(ray_runtime: None, tmp_path: Any) -> None:
    from factcheck.integrations.ray import check_dataset

    config = Config.load(env={}, cache=str(tmp_path / "c.sqlite"))
    with pytest.raises(ConfigError, match="4 actors would each keep their own rate limits"):
        check_dataset(ray.data.from_items([{"text": "x"}]), config=config, actors=4)


def test_local_limits_on_purpose_only_warn(ray_runtime: None, tmp_path: Any) -> None:
    from factcheck.integrations.ray import check_dataset

    config = Config.load(env={}, cache=str(tmp_path / "c.sqlite"))
    with pytest.warns(UserWarning, match="2 actors each keep their own rate limits"):
        check_dataset(
            ray.data.from_items([{"text": "x"}]), config=config, rate_limits="local", actors=2
        )


def test_a_text_that_is_not_a_string_is_an_input_error(ray_runtime: None, redis_url: str) -> None:
    from factcheck.integrations.ray import run_on_ray

    config = Config.load(env={}, cache=redis_url)
    with pytest.raises(InputError, match="'answer' is a int, not a string"):
        list(run_on_ray([{"answer": 3}], address=None, text_field="answer", config=config))
