"""One Checker and one SQLite cache under load: many threads, many asyncio tasks, several
processes, all from a cold cache, give the verdicts a serial run gives, and no SQLite
trouble ("database is locked") escapes or is even logged."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import random
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from fakes.server import FakeApi

from factcheck import Checker
from factcheck.config import Config

pytestmark = pytest.mark.integration

PLOS = "10.1371/journal.pone.0033693"
PLOS_TITLE = (
    "Methylphenidate exposure induces dopamine neuron loss and activation of microglia "
    "in the basal ganglia of mice"
)
DELPHI = "10.1371/journal.pone.0020476"
# A mix: verified, mismatch, not_found and unverifiable verdicts; identifiers, entries,
# in-text citations, and a URL the SSRF guard refuses.
TEXTS = (
    f"""Some claims (Sadasivan et al., 2012).

## References

1. Sadasivan, S., et al. (2012). {PLOS_TITLE}. *PLoS ONE*, 7(3). https://doi.org/{PLOS}
2. Smith, J. (2019). Deep priors for sparse recovery of cortical signals. doi:{DELPHI}
3. Zhang, W. (2021). Graph attention for protein folding. doi:10.1371/notarealdoi
""",
    "See arXiv:2311.16162, doi:10.48550/arXiv.2311.16162 and arXiv:2312.99999.",
    f"A Zenodo release https://doi.org/10.5281/zenodo.48440 and doi:{PLOS}.",
    "A local page http://127.0.0.1:9/private and doi:10.1371/notarealdoi again.",
)
THREADS = 16
ROUNDS = 3
TASKS = 100
PROCESSES = 4
# The loggers through which the caches report trouble they absorbed.
CACHE_LOGGERS = ("factcheck.net.cache", "factcheck.resolve.results")


@pytest.fixture(autouse=True)
def _clean(fake_api: FakeApi) -> None:
    fake_api.reset()


def settings(api: FakeApi, cache: Path) -> Config:
    return api.config(cache=str(cache), mailto="test@example.org")


def serial(config: Config) -> list[dict[str, Any]]:
    """Each text's report, checked one after another by one thread, as JSON data."""
    with Checker(config) as checker:
        return [checker.check(text).model_dump(mode="json") for text in TEXTS]


@pytest.fixture(scope="module")
def expected(fake_api: FakeApi, tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    return serial(settings(fake_api, tmp_path_factory.mktemp("serial") / "http.sqlite"))


def cache_trouble(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name in CACHE_LOGGERS]


def test_sixteen_threads_share_one_checker_and_cache(
    fake_api: FakeApi,
    tmp_path: Path,
    expected: list[dict[str, Any]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    jobs = [i for _ in range(THREADS * ROUNDS) for i in range(len(TEXTS))]
    random.Random(3).shuffle(jobs)
    caplog.set_level(logging.WARNING)
    with Checker(settings(fake_api, tmp_path / "http.sqlite")) as checker:

        def check(index: int) -> dict[str, Any]:
            return checker.check(TEXTS[index]).model_dump(mode="json")

        with ThreadPoolExecutor(max_workers=THREADS) as pool:
            reports = list(pool.map(check, jobs))
    assert reports == [expected[i] for i in jobs]
    assert cache_trouble(caplog) == []


def test_a_hundred_tasks_share_one_checker_and_cache(
    fake_api: FakeApi,
    tmp_path: Path,
    expected: list[dict[str, Any]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)

    async def check_all(checker: Checker) -> list[dict[str, Any]]:
        reports = await asyncio.gather(
            *(checker.acheck(TEXTS[i % len(TEXTS)]) for i in range(TASKS))
        )
        return [report.model_dump(mode="json") for report in reports]

    with Checker(settings(fake_api, tmp_path / "http.sqlite")) as checker:
        reports = asyncio.run(check_all(checker))
    assert reports == [expected[i % len(TEXTS)] for i in range(TASKS)]
    assert cache_trouble(caplog) == []


def check_in_process(config: Config, order: list[int]) -> list[dict[str, Any]]:
    """A worker process's run: its own Checker on the shared cache file."""
    with Checker(config) as checker:
        return [checker.check(TEXTS[i]).model_dump(mode="json") for i in order]


def test_processes_share_one_cache_file(
    fake_api: FakeApi, tmp_path: Path, expected: list[dict[str, Any]]
) -> None:
    config = settings(fake_api, tmp_path / "http.sqlite")
    orders = [
        random.Random(seed).sample(range(len(TEXTS)), len(TEXTS)) for seed in range(PROCESSES)
    ]
    # spawn: a forked child would inherit the fake server's threads and the parent's locks.
    with multiprocessing.get_context("spawn").Pool(PROCESSES) as pool:
        runs = pool.starmap(check_in_process, [(config, order) for order in orders])
    for order, reports in zip(orders, runs, strict=True):
        assert reports == [expected[i] for i in order]
    # Every process's answers landed in the one file: a new Checker asks nothing.
    fake_api.reset()
    assert serial(config) == expected
    assert fake_api.hits(f"/crossref/works/{PLOS}") == 0
