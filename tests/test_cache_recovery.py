"""Damaged cache files, HTTP and results alike: each kind of damage is found at open or at
first use, the file is set aside as `<name>.corrupt-<timestamp>` with a warning, a fresh one
is built, and the check gives the verdicts it gave before."""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fakes.server import FakeApi

from factcheck import Checker
from factcheck.config import Config
from factcheck.net.cachefile import CORRUPT_SUFFIX, SQLITE_SIDECARS
from factcheck.resolve.results import RESULTS_SUFFIX

pytestmark = pytest.mark.integration

PLOS = "10.1371/journal.pone.0033693"
DELPHI = "10.1371/journal.pone.0020476"
TEXT = f"doi:{PLOS}, doi:{DELPHI} and doi:10.1371/notarealdoi"
HTTP_CACHE = "http.sqlite"
# Bytes 16-17 of a SQLite file hold its page size (big-endian; 1 stands for 65536).
PAGE_SIZE_OFFSET = 16
LARGEST_PAGE = 65536
NOT_SQLITE = b"date,claim\n2024-01-01,this is a CSV file, not a database\n" * 40


def garbage(path: Path) -> None:
    path.write_bytes(os.urandom(path.stat().st_size))


def not_sqlite(path: Path) -> None:
    path.write_bytes(NOT_SQLITE)


def truncated_mid_page(path: Path) -> None:
    size = path.stat().st_size
    assert size >= 2 * page_size(path), "the test needs a file of several pages"
    os.truncate(path, size // 2 + page_size(path) // 3)


def pages_overwritten(path: Path) -> None:
    """Every page but the first (the schema) overwritten: SQLite opens the file, and only
    finds the damage when a lookup reads an entry."""
    data = path.read_bytes()
    first = page_size(path)
    path.write_bytes(data[:first] + os.urandom(len(data) - first))


def page_size(path: Path) -> int:
    with path.open("rb") as handle:
        handle.seek(PAGE_SIZE_OFFSET)
        value = int.from_bytes(handle.read(2), "big")
    return LARGEST_PAGE if value == 1 else value


DAMAGE: dict[str, Callable[[Path], None]] = {
    "garbage": garbage,
    "not_sqlite": not_sqlite,
    "truncated_mid_page": truncated_mid_page,
    "pages_overwritten": pages_overwritten,
}


@pytest.fixture(autouse=True)
def _clean(fake_api: FakeApi) -> None:
    fake_api.reset()


def settings(api: FakeApi, tmp_path: Path) -> Config:
    return api.config(cache=str(tmp_path / HTTP_CACHE), sources=("crossref", "doi"))


def verdicts(config: Config) -> list[dict[str, Any]]:
    with Checker(config) as checker:
        report = checker.check(TEXT)
    return [finding.verdict.model_dump(mode="json") for finding in report.items]


def cache_files(tmp_path: Path) -> dict[str, Path]:
    http = tmp_path / HTTP_CACHE
    return {"http": http, "results": http.with_name(http.name + RESULTS_SUFFIX)}


def damage_http_cache(tmp_path: Path, damage: Callable[[Path], None]) -> Path:
    """Damage the HTTP cache and drop the results cache, so that lookups go through the
    HTTP cache (the results cache would answer them first)."""
    files = cache_files(tmp_path)
    for suffix in ("", *SQLITE_SIDECARS):
        files["results"].with_name(files["results"].name + suffix).unlink(missing_ok=True)
    damage(files["http"])
    return files["http"]


def set_aside(path: Path) -> list[Path]:
    """The damaged files set aside in place of `path` (without their sidecars)."""
    prefix = path.name + CORRUPT_SUFFIX
    return sorted(
        p
        for p in path.parent.iterdir()
        if p.name.startswith(prefix) and not p.name.endswith(SQLITE_SIDECARS)
    )


def table_rows(path: Path) -> int:
    """Entries in a rebuilt file: it is a working SQLite cache again."""
    table = "lookups" if path.name.endswith(RESULTS_SUFFIX) else "responses"
    with sqlite3.connect(path) as connection:
        count: int = connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    return count


@pytest.mark.parametrize("which", ["http", "results"])
@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_damaged_cache_is_set_aside_and_rebuilt(
    fake_api: FakeApi,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    which: str,
    damage: str,
) -> None:
    config = settings(fake_api, tmp_path)
    before = verdicts(config)
    if which == "http":
        path = damage_http_cache(tmp_path, DAMAGE[damage])
    else:
        path = cache_files(tmp_path)[which]
        DAMAGE[damage](path)
    damaged = path.read_bytes()
    caplog.set_level(logging.WARNING)
    assert verdicts(config) == before
    [aside] = set_aside(path)
    assert aside.read_bytes() == damaged
    [warning] = [r for r in caplog.records if "damaged" in r.getMessage()]
    assert warning.levelno == logging.WARNING
    assert str(path) in warning.getMessage() and str(aside) in warning.getMessage()
    assert table_rows(path) > 0
    # The rebuilt file serves the next run: the network is not asked again.
    hits = fake_api.hits(f"/crossref/works/{PLOS}")
    assert verdicts(config) == before
    assert fake_api.hits(f"/crossref/works/{PLOS}") == hits


@pytest.mark.parametrize("which", ["http", "results"])
def test_a_zero_length_file_is_an_empty_cache(
    fake_api: FakeApi, tmp_path: Path, caplog: pytest.LogCaptureFixture, which: str
) -> None:
    """SQLite reads an empty file as an empty database, and another process may have just
    created it: it is used as it is, with nothing set aside and nothing to warn about."""
    config = settings(fake_api, tmp_path)
    before = verdicts(config)

    def empty(path: Path) -> None:
        os.truncate(path, 0)

    if which == "http":
        path = damage_http_cache(tmp_path, empty)
    else:
        path = cache_files(tmp_path)[which]
        empty(path)
    caplog.set_level(logging.WARNING)
    assert verdicts(config) == before
    assert set_aside(path) == []
    assert caplog.records == []
    assert table_rows(path) > 0


def test_a_stale_wal_goes_aside_with_its_file(fake_api: FakeApi, tmp_path: Path) -> None:
    """A damaged file's write-ahead log must not be replayed into the fresh file."""
    config = settings(fake_api, tmp_path)
    before = verdicts(config)
    path = damage_http_cache(tmp_path, garbage)
    wal = path.with_name(path.name + SQLITE_SIDECARS[0])
    wal.write_bytes(b"left over")
    assert verdicts(config) == before
    [aside] = set_aside(path)
    assert aside.with_name(aside.name + SQLITE_SIDECARS[0]).read_bytes() == b"left over"


def test_a_rebuild_leaves_a_readers_connection_open(tmp_path: Path) -> None:
    """Readers share a table's connection without its lock: a rebuild that closed it while
    another thread read crashed the process (a segmentation fault). The rebuild points the
    tables at the new file and leaves the old connection to the readers that hold it."""
    from factcheck.net.cachestore import open_writable

    cache = open_writable(tmp_path / HTTP_CACHE)
    with cache.responses.connection() as reading:
        opened = cache._opened
        cache._trouble(sqlite3.DatabaseError("database disk image is malformed"), opened)
        assert reading.execute("SELECT 1").fetchone() == (1,)
    with cache.responses.connection() as fresh:
        assert fresh is not reading
    assert cache._opened != opened
    assert list(tmp_path.glob(f"{HTTP_CACHE}{CORRUPT_SUFFIX}*"))
    assert cache.get_response("missing") is None
