"""The results cache: a later Checker answers from stored Lookups, failures are never kept,
entries expire (except offline), and the key changes with version, sources and settings."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from fakes.server import FakeApi, status
from sqlite_trouble import LockedConnection

from factcheck import Checker
from factcheck.config import Config
from factcheck.model import Citation, Fields, Kind, Record, Status
from factcheck.resolve import results
from factcheck.resolve.base import Lookup, Outcome
from factcheck.resolve.results import ResultsCache, open_results, storable

PLOS = "10.1371/journal.pone.0033693"
PLOS_PATH = f"/crossref/works/{PLOS}"
HTTP_CACHE = "c.sqlite"
SOURCES = ["crossref", "doi"]
TTL_FOUND = 1000.0
TTL_MISSING = 100.0
TTL_URL = 10.0
# Attempts a lookup makes with the default three retries: all must fail for a FAILED.
ATTEMPTS = 4
THREADS = 16
KEYS_PER_THREAD = 40


class Clock:
    """Wall-clock time that tests move forward by hand."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def cite(kind: Kind, value: str) -> Citation:
    field = "url" if kind is Kind.URL else kind.value
    fields = Fields(**{field: value})
    return Citation(kind=kind, raw=value, start=0, end=len(value), fields=fields)


def found(source: str = "crossref", doi: str = PLOS) -> Lookup:
    record = Record(source=source, id=doi, fields=Fields(title="A work", year=2012, doi=doi))
    return Lookup.found(source, record)


def settings(tmp_path: Path, **overrides: Any) -> Config:
    values: dict[str, Any] = {
        "cache": str(tmp_path / HTTP_CACHE),
        "cache_ttl_found": TTL_FOUND,
        "cache_ttl_missing": TTL_MISSING,
        "cache_ttl_url": TTL_URL,
    }
    return Config.load(env={}, **{**values, **overrides})


def store(tmp_path: Path, clock: Clock | None = None, **overrides: Any) -> ResultsCache:
    config = settings(tmp_path, **overrides)
    cache = open_results(config)
    assert cache is not None
    return cache if clock is None else ResultsCache(cache.path, config, clock=clock)


def drop_http_cache(tmp_path: Path) -> None:
    """Remove the HTTP cache, so that only the results cache can answer without asking."""
    for suffix in ("", "-wal", "-shm"):
        (tmp_path / f"{HTTP_CACHE}{suffix}").unlink(missing_ok=True)


# ------------------------------------------------------------------ through the Checker


@pytest.fixture
def api(fake_api: FakeApi) -> FakeApi:
    """The session's fake server, with faults and counters reset for this test."""
    fake_api.reset()
    return fake_api


def run(api: FakeApi, tmp_path: Path, **overrides: Any) -> Status:
    config = api.config(cache=str(tmp_path / HTTP_CACHE), **overrides)
    with Checker(config) as checker:
        return checker.verify([cite(Kind.DOI, PLOS)]).items[0].verdict.status


@pytest.mark.integration
def test_a_fresh_checker_answers_from_stored_lookups(api: FakeApi, tmp_path: Path) -> None:
    assert run(api, tmp_path) is Status.VERIFIED
    assert api.hits(PLOS_PATH) == 1
    drop_http_cache(tmp_path)
    assert run(api, tmp_path) is Status.VERIFIED
    assert api.hits(PLOS_PATH) == 1


@pytest.mark.integration
@pytest.mark.parametrize("sources", [("crossref",), ("crossref", "doi")])
def test_a_failure_anywhere_in_the_lookups_is_not_stored(
    api: FakeApi, tmp_path: Path, sources: tuple[str, ...]
) -> None:
    """Crossref down: alone that is unverifiable; with doi.org after it, the DOI is found
    there, but the list still holds Crossref's failure, so the next run asks Crossref again."""
    api.inject(PLOS_PATH, *[status(503)] * ATTEMPTS)
    first = run(api, tmp_path, sources=sources)
    assert first is (Status.UNVERIFIABLE if sources == ("crossref",) else Status.VERIFIED)
    assert api.hits(PLOS_PATH) == ATTEMPTS
    assert run(api, tmp_path, sources=sources) is Status.VERIFIED
    assert api.hits(PLOS_PATH) == ATTEMPTS + 1


# ------------------------------------------------------------------ the store itself


def test_it_lives_next_to_the_http_cache_and_is_created_on_first_use(tmp_path: Path) -> None:
    cache = store(tmp_path)
    assert cache.path == tmp_path / f"{HTTP_CACHE}.results.sqlite"
    assert not cache.path.exists()
    assert cache.get(SOURCES, cite(Kind.DOI, PLOS)) is None
    assert cache.path.exists()
    cache.close()


@pytest.mark.parametrize("spec", ["none", "redis://localhost:6379/0"])
def test_no_results_cache_without_a_sqlite_http_cache(tmp_path: Path, spec: str) -> None:
    assert open_results(settings(tmp_path, cache=spec)) is None


def test_replays_never_use_the_results_cache(tmp_path: Path) -> None:
    """A replay must show what the recording does, not what an earlier run kept."""
    assert open_results(settings(tmp_path, replay=str(tmp_path / "replay.json"))) is None


def test_stored_lookups_read_back_equal(tmp_path: Path) -> None:
    lookups = [Lookup.missing("crossref", "no such DOI", authoritative=False), found("doi")]
    citation = cite(Kind.DOI, PLOS)
    cache = store(tmp_path)
    cache.put(SOURCES, citation, lookups)
    cache.close()
    assert store(tmp_path).get(SOURCES, citation) == lookups


@pytest.mark.parametrize(
    "lookups",
    [
        [],
        [Lookup.failed("crossref", "HTTP 503")],
        [Lookup.failed("crossref", "HTTP 503"), found("doi")],
        [Lookup.missing("crossref", "404", authoritative=False), Lookup.failed("doi", "timeout")],
    ],
)
def test_failures_and_empty_answers_are_not_stored(tmp_path: Path, lookups: list[Lookup]) -> None:
    assert not storable(lookups)
    cache = store(tmp_path)
    cache.put(SOURCES, cite(Kind.DOI, PLOS), lookups)
    assert cache.get(SOURCES, cite(Kind.DOI, PLOS)) is None


@pytest.mark.parametrize(
    ("kind", "value", "lookups", "ttl"),
    [
        (Kind.DOI, PLOS, [found()], TTL_FOUND),
        (Kind.DOI, PLOS, [Lookup.missing("doi", "404", authoritative=True)], TTL_MISSING),
        (
            Kind.DOI,
            PLOS,
            [Lookup.missing("crossref", "404", authoritative=False), found("doi")],
            TTL_FOUND,
        ),
        (Kind.URL, "https://example.org/a", [found("url")], TTL_URL),
        (
            Kind.URL,
            "https://example.org/b",
            [Lookup.missing("url", "404", authoritative=True)],
            TTL_URL,
        ),
    ],
)
def test_entries_expire_after_the_ttl_of_the_settling_answer(
    tmp_path: Path, kind: Kind, value: str, lookups: list[Lookup], ttl: float
) -> None:
    clock = Clock()
    cache = store(tmp_path, clock)
    citation = cite(kind, value)
    cache.put(SOURCES, citation, lookups)
    clock.now += ttl - 1
    assert cache.get(SOURCES, citation) == lookups
    clock.now += 1
    assert cache.get(SOURCES, citation) is None


def test_offline_serves_expired_entries_and_stores_nothing(tmp_path: Path) -> None:
    clock = Clock()
    online = store(tmp_path, clock)
    citation = cite(Kind.DOI, PLOS)
    online.put(SOURCES, citation, [found()])
    clock.now += TTL_FOUND * 10
    assert online.get(SOURCES, citation) is None
    offline = store(tmp_path, clock, offline=True)
    assert offline.get(SOURCES, citation) == [found()]
    other = cite(Kind.DOI, "10.1/other")
    offline.put(SOURCES, other, [found(doi="10.1/other")])
    assert offline.get(SOURCES, other) is None


@pytest.mark.parametrize(
    ("sources", "overrides"),
    [
        (["crossref"], {}),
        (["doi", "crossref"], {}),
        (SOURCES, {"crossref_url": "https://mirror.example.org"}),
        (SOURCES, {"allow_private_urls": True}),
    ],
)
def test_other_sources_or_settings_are_other_keys(
    tmp_path: Path, sources: list[str], overrides: dict[str, Any]
) -> None:
    citation = cite(Kind.DOI, PLOS)
    store(tmp_path).put(SOURCES, citation, [found()])
    assert store(tmp_path, **overrides).get(sources, citation) is None


def test_settings_that_do_not_change_answers_share_entries(tmp_path: Path) -> None:
    citation = cite(Kind.DOI, PLOS)
    store(tmp_path).put(SOURCES, citation, [found()])
    same = store(tmp_path, timeout=1.0, workers=2, mailto="a@example.org", sources="doi")
    assert same.get(SOURCES, citation) == [found()]
    # The bounds on one check decide what is asked, never what an answer says.
    bounded = store(tmp_path, max_references=3, max_text_chars=100, deadline=0.5, max_urls=1)
    assert bounded.get(SOURCES, citation) == [found()]


def test_another_version_does_not_see_the_entries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    citation = cite(Kind.DOI, PLOS)
    store(tmp_path).put(SOURCES, citation, [found()])
    monkeypatch.setattr(results, "__version__", "99.0.0")
    assert store(tmp_path).get(SOURCES, citation) is None


def test_identifiers_are_keyed_case_insensitively(tmp_path: Path) -> None:
    cache = store(tmp_path)
    cache.put(SOURCES, cite(Kind.DOI, PLOS), [found()])
    assert cache.get(SOURCES, cite(Kind.DOI, PLOS.upper())) == [found()]


@pytest.mark.parametrize("shared", [True, False], ids=["one store", "a store per thread"])
def test_many_threads_read_and_write_at_once(tmp_path: Path, shared: bool) -> None:
    """One store shared by a Checker's workers, or many on one file (many Checkers)."""
    common = store(tmp_path)

    def work(thread: int) -> list[bool]:
        cache = common if shared else store(tmp_path)
        answers = []
        for i in range(KEYS_PER_THREAD):
            doi = f"10.1/{thread}.{i}"
            cache.put(SOURCES, cite(Kind.DOI, doi), [found(doi=doi)])
            answers.append(cache.get(SOURCES, cite(Kind.DOI, doi)) == [found(doi=doi)])
        if not shared:
            cache.close()
        return answers

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        answers = [ok for batch in pool.map(work, range(THREADS)) for ok in batch]
    assert len(answers) == THREADS * KEYS_PER_THREAD
    assert all(answers)
    assert all(
        common.get(SOURCES, cite(Kind.DOI, f"10.1/{t}.{i}")) is not None
        for t in range(THREADS)
        for i in range(KEYS_PER_THREAD)
    )
    common.close()


def test_outcomes_survive_the_round_trip(tmp_path: Path) -> None:
    cache = store(tmp_path)
    lookups = [Lookup.missing("doi", "no such DOI", authoritative=True)]
    cache.put(SOURCES, cite(Kind.DOI, PLOS), lookups)
    (back,) = cache.get(SOURCES, cite(Kind.DOI, PLOS)) or []
    assert back.outcome is Outcome.MISSING
    assert back.authoritative


def test_an_edited_library_file_is_another_source(tmp_path: Path) -> None:
    library = tmp_path / "refs.bib"
    library.write_text("@article{a, title={A}, author={Lee, K.}, year={2020}}\n")
    config = Config.load(env={}, library=(library,), cache="none")
    before = results.settings_digest(config)
    assert results.settings_digest(config) == before
    library.write_text("@article{a, title={A changed title}, author={Lee, K.}, year={2020}}\n")
    assert results.settings_digest(config) != before
    # An OpenAlex key changes who pays for the answers, not what they say.
    keyed = Config.load(env={}, library=(library,), cache="none", openalex_key="k")
    plain = Config.load(env={}, library=(library,), cache="none")
    assert results.settings_digest(keyed) == results.settings_digest(plain)


def test_sqlite_trouble_in_use_is_a_miss_and_a_dropped_write(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cache = store(tmp_path)
    cache.put(SOURCES, cite(Kind.DOI, PLOS), [found()])
    healthy = cache._connection
    cache._connection = LockedConnection()  # type: ignore[assignment]
    caplog.set_level(logging.WARNING)
    assert cache.get(SOURCES, cite(Kind.DOI, PLOS)) is None
    cache.put(SOURCES, cite(Kind.DOI, "10.1/other"), [found(doi="10.1/other")])
    assert [r.getMessage().count("database is locked") for r in caplog.records] == [1, 1]
    cache._connection = healthy
    assert cache.get(SOURCES, cite(Kind.DOI, PLOS)) == [found()]
    assert cache.get(SOURCES, cite(Kind.DOI, "10.1/other")) is None
    cache.close()


def test_an_answer_read_once_is_then_served_from_memory(tmp_path: Path) -> None:
    cache = store(tmp_path)
    citation = cite(Kind.DOI, PLOS)
    cache.put(SOURCES, citation, [found()])
    first = cache.get(SOURCES, citation)
    # The file is no longer readable: only the memory can answer now.
    cache._connection = LockedConnection()  # type: ignore[assignment]
    assert cache.get(SOURCES, citation) is first
    assert cache.get(SOURCES, cite(Kind.DOI, "10.1/other")) is None


def test_an_answer_in_memory_expires_as_in_the_file(tmp_path: Path) -> None:
    clock = Clock()
    cache = store(tmp_path, clock)
    citation = cite(Kind.DOI, PLOS)
    cache.put(SOURCES, citation, [found()])
    assert cache.get(SOURCES, citation) == [found()]
    clock.now += TTL_FOUND
    assert cache.get(SOURCES, citation) is None


def test_memory_keeps_only_the_answers_read_last(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(results, "RECENT_ANSWERS", 3)
    cache = store(tmp_path)
    citations = [cite(Kind.DOI, f"10.1/n{i}") for i in range(5)]
    for citation in citations:
        cache.put(SOURCES, citation, [found(doi=citation.raw)])
        cache.get(SOURCES, citation)
    cache._connection = LockedConnection()  # type: ignore[assignment]
    answered = [cache.get(SOURCES, c) is not None for c in citations]
    assert answered == [False, False, True, True, True]
