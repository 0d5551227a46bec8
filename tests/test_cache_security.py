"""Nothing read back from a cache runs: entries are JSON, and an entry that does not decode
(a pickle that would run code, garbage, JSON of the wrong shape) is a miss answered from the
network; a file of pickles from an earlier version is set aside; a redirect alias read from
the file never becomes SQL. The results cache reads its rows the same way."""

from __future__ import annotations

import json
import logging
import os
import pickle
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fakes.server import FakeApi
from servers import LocalServer, Reply
from test_results_cache import SOURCES, cite, found, store

from factcheck import Checker
from factcheck.errors import OfflineMiss
from factcheck.model import Kind
from factcheck.net import cache, limits
from factcheck.net.cachestore import JSON_FORMAT, PICKLE_SUFFIX, SafeJSON

pytestmark = pytest.mark.integration

FAST = "fast"
PLOS = "10.1371/journal.pone.0033693"
# Deeper than any stack: decoding it must fail, not crash.
DEEP = 200_000


@pytest.fixture(autouse=True)
def fast_source(monkeypatch: pytest.MonkeyPatch) -> None:
    for table in (limits.PUBLIC_LIMITS, limits.POLITE_LIMITS):
        monkeypatch.setitem(table, FAST, limits.Limit(rate=1000.0, concurrency=16))


class Payload:
    """Runs `code` when unpickled, as a crafted cache entry would."""

    def __init__(self, code: str) -> None:
        self.code = code

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        return (exec, (self.code,))


def evil_pickle(marker: Path, protocol: int = pickle.HIGHEST_PROTOCOL) -> bytes:
    """A pickle that creates `marker` when loaded. (The test of the test: the same pickle
    for another file does create it.)"""
    probe = marker.with_name(marker.name + ".probe")
    pickle.loads(_payload(probe, protocol))
    assert probe.exists(), "the payload must run code when unpickled"
    probe.unlink()
    return _payload(marker, protocol)


def _payload(marker: Path, protocol: int) -> bytes:
    code = f"import pathlib; pathlib.Path({str(marker)!r}).write_text('ran')"
    return pickle.dumps(Payload(code), protocol=protocol)


def rows(path: Path, table: str = "responses") -> list[tuple[str, Any]]:
    with sqlite3.connect(path) as connection:
        return list(connection.execute(f"SELECT key, value FROM {table}"))


def replace_values(path: Path, value: Any, *, table: str = "responses") -> None:
    with sqlite3.connect(path) as connection:
        connection.execute(f"UPDATE {table} SET value = ?", (value,))


def user_version(path: Path) -> int:
    with sqlite3.connect(path) as connection:
        version: int = connection.execute("PRAGMA user_version").fetchone()[0]
    return version


def stored_json(path: Path) -> dict[str, Any]:
    [(_, value)] = rows(path)
    document: dict[str, Any] = json.loads(value)
    return document


def reshaped(change: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], str]:
    def make(document: dict[str, Any]) -> str:
        change(document)
        return json.dumps(document)

    return make


def _set(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    return lambda document: document.__setitem__(key, value)


# Stored values that must read as a miss. Each is built from the entry as stored (a JSON
# document), so that a shape variant is wrong in one field only.
BAD_VALUES: dict[str, Callable[[dict[str, Any]], Any]] = {
    "garbage": lambda _: os.urandom(512),
    "not utf-8": lambda _: b"\xff\xfe\x00garbage",
    "not json": lambda _: "{'status_code': 200",
    "null": lambda _: "null",
    "a list": lambda _: "[]",
    "a string": lambda _: '"ok"',
    "a number": lambda _: "1e999",
    "an integer column": lambda _: 12345,
    "deep nesting": lambda _: "[" * DEEP + "]" * DEEP,
    "content not base64": reshaped(_set("_content", "%%% not base64 %%%")),
    "content a number": reshaped(_set("_content", 5)),
    "status a word": reshaped(_set("status_code", "two hundred")),
    "headers a list": reshaped(_set("headers", ["Content-Type"])),
    "header value a number": reshaped(_set("headers", {"Content-Type": 5})),
    "status null": reshaped(_set("status_code", None)),
    "request headers a list": reshaped(_set("request", {"headers": ["Accept"]})),
    "created_at a word": reshaped(_set("created_at", "yesterday")),
    "history of garbage": reshaped(_set("history", [{"_content": 5}])),
}


REAL = b'{"title": "the real answer"}'


def fetch_once(local_server: LocalServer, make_http: Any) -> str:
    """Fetch /w once (an API answer in JSON), so that the cache holds its entry."""
    local_server.on("/w", Reply(200, REAL, headers={"Content-Type": "application/json"}))
    url = local_server.url("/w")
    make_http().get(url, source=FAST)
    assert local_server.hits("/w") == 1
    return url


@pytest.mark.parametrize("protocol", [0, 2, pickle.HIGHEST_PROTOCOL])
def test_a_pickled_entry_never_runs_and_is_a_miss(
    local_server: LocalServer, make_http: Any, tmp_path: Path, protocol: int
) -> None:
    url = fetch_once(local_server, make_http)
    path = tmp_path / "http.sqlite"
    marker = tmp_path / "pwned"
    replace_values(path, evil_pickle(marker, protocol))
    response = make_http().get(url, source=FAST)
    assert not marker.exists()
    assert (response.content, response.from_cache) == (REAL, False)
    assert local_server.hits("/w") == 2
    # The answer fetched again took the entry's place, as JSON.
    assert stored_json(path)["status_code"] == 200
    assert make_http().get(url, source=FAST).from_cache


@pytest.mark.parametrize("bad", list(BAD_VALUES))
def test_an_entry_that_does_not_decode_is_a_miss(
    local_server: LocalServer, make_http: Any, tmp_path: Path, bad: str
) -> None:
    url = fetch_once(local_server, make_http)
    path = tmp_path / "http.sqlite"
    replace_values(path, BAD_VALUES[bad](stored_json(path)))
    response = make_http().get(url, source=FAST)
    assert (response.content, response.from_cache) == (REAL, False)
    assert local_server.hits("/w") == 2


def test_offline_a_pickled_entry_is_a_miss_that_runs_nothing(
    local_server: LocalServer, make_http: Any, tmp_path: Path
) -> None:
    url = fetch_once(local_server, make_http)
    marker = tmp_path / "pwned"
    replace_values(tmp_path / "http.sqlite", evil_pickle(marker))
    with pytest.raises(OfflineMiss):
        make_http(offline=True).get(url, source=FAST)
    assert not marker.exists()
    assert local_server.hits("/w") == 1


def test_a_redirect_alias_is_never_sql(
    local_server: LocalServer, make_http: Any, tmp_path: Path
) -> None:
    """requests-cache puts keys into its SQL as text: an alias read from the file that is
    not a key of ours (here one that would answer a forged response) is not followed."""
    url = fetch_once(local_server, make_http)
    path = tmp_path / "http.sqlite"
    [(key, value)] = rows(path)
    forged = json.loads(value)
    forged["_content"] = "Zm9yZ2Vk"  # base64 of b"forged"
    injected = f"' UNION SELECT '{json.dumps(forged)}' --"
    with sqlite3.connect(path) as connection:
        connection.execute("DELETE FROM responses")
        connection.execute("INSERT INTO redirects (key, value) VALUES (?, ?)", (key, injected))
    response = make_http().get(url, source=FAST)
    assert response.content == REAL
    assert local_server.hits("/w") == 2


def test_an_earlier_versions_pickle_file_is_set_aside(
    local_server: LocalServer,
    make_http: Any,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A cache written by requests-cache's default (pickle) serializer, as factcheck wrote it
    before, with one entry crafted to run code: set aside whole, nothing run."""
    from requests_cache.backends.sqlite import SQLiteCache

    url = fetch_once(local_server, make_http)
    path = tmp_path / "http.sqlite"
    [(key, _)] = rows(path)
    answer = cache.open_backend(make_http().config).get_response(key)
    path.unlink()
    for name in ("-wal", "-shm"):
        path.with_name(path.name + name).unlink(missing_ok=True)
    old = SQLiteCache(path, wal=True)  # requests-cache's default: pickle
    old.responses[key] = answer
    old.responses["0" * 16] = answer
    old.close()
    marker = tmp_path / "pwned"
    with sqlite3.connect(path) as connection:
        crafted = (evil_pickle(marker), key)
        connection.execute("UPDATE responses SET value = ? WHERE key = ?", crafted)
    legacy = path.read_bytes()
    caplog.set_level(logging.WARNING)
    response = make_http().get(url, source=FAST)
    assert not marker.exists()
    assert (response.content, response.from_cache) == (REAL, False)
    [aside] = [p for p in tmp_path.iterdir() if PICKLE_SUFFIX in p.name and "-" not in p.suffix]
    assert aside.read_bytes() == legacy
    [warning] = [r.getMessage() for r in caplog.records if "pickle" in r.getMessage()]
    assert str(path) in warning and str(aside) in warning
    assert user_version(path) == JSON_FORMAT
    assert all(isinstance(value, str) for _, value in rows(path))


def test_a_marked_file_with_pickles_stays_and_its_entries_miss(
    local_server: LocalServer, make_http: Any, tmp_path: Path
) -> None:
    """Our mark saves a scan, it does not make a pickle readable: a file that carries the
    mark and holds a pickle (crafted) is kept, and the pickle is a miss."""
    url = fetch_once(local_server, make_http)
    path = tmp_path / "http.sqlite"
    marker = tmp_path / "pwned"
    replace_values(path, evil_pickle(marker))
    assert user_version(path) == JSON_FORMAT
    assert make_http().get(url, source=FAST).content == REAL
    assert not marker.exists()
    assert not [p for p in tmp_path.iterdir() if PICKLE_SUFFIX in p.name]


BODIES = {
    "every byte": (bytes(range(256)) * 8, "application/octet-stream"),
    "latin-1 page": ("<title>Café Noël</title>".encode("latin-1"), "text/html; charset=latin-1"),
    "json, spacing kept": (b'{ "title" :  "\\u00e9t\\u00e9",\n"n": 1.50 }', "application/json"),
    "gzip bytes": (bytes.fromhex("1f8b0800000000000003") + b"\x00" * 20, "application/gzip"),
    "empty": (b"", "text/plain"),
}


@pytest.mark.parametrize("kind", list(BODIES))
def test_json_keeps_every_body_byte_for_byte(
    local_server: LocalServer, make_http: Any, kind: str
) -> None:
    """Web pages are kept whatever their body (API answers only when they parse)."""
    body, content_type = BODIES[kind]
    local_server.on("/w", Reply(200, body, headers={"Content-Type": content_type}))
    url = local_server.url("/w")
    first = make_http(allow_private_urls=True).page(url, method="GET")
    again = make_http(allow_private_urls=True).page(url, method="GET")
    assert again.from_cache
    assert again.content == first.content == body
    assert again.text == first.text
    assert again.headers["Content-Type"] == content_type


def test_a_redirected_answer_is_kept_with_its_history(
    local_server: LocalServer, make_http: Any
) -> None:
    local_server.on("/old", Reply(301, b"", headers={"Location": "/new"}))
    local_server.on("/new", Reply(200, b"moved here"))
    first = make_http().get(local_server.url("/old"), source=FAST)
    again = make_http().get(local_server.url("/old"), source=FAST)
    assert again.from_cache and again.content == b"moved here"
    assert [r.status_code for r in again.history] == [r.status_code for r in first.history]
    assert again.url == first.url == local_server.url("/new")


def test_the_serializer_refuses_pickles_wherever_it_reads(tmp_path: Path) -> None:
    """The same serializer reads Redis (shared between machines): a pickle is None there too."""
    marker = tmp_path / "pwned"
    assert SafeJSON().loads(evil_pickle(marker)) is None
    pytest.importorskip("redis")
    redis_backend = cache.open_backend(
        cache_config(tmp_path, cache="redis://127.0.0.1:1/0"),
    )
    assert redis_backend.responses.serializer.loads(evil_pickle(marker)) is None
    assert not marker.exists()


def cache_config(tmp_path: Path, **overrides: Any) -> Any:
    from servers import fast_config

    return fast_config(tmp_path, **overrides)


# The results cache.

BAD_ROWS: dict[str, tuple[str, Any]] = {
    "garbage": ("value", b"\x80\x04garbage"),
    "not lookups": ("value", '{"not": "lookups"}'),
    "wrong field type": ("value", '[{"source": 5, "outcome": []}]'),
    "deep nesting": ("value", "[" * DEEP + "]" * DEEP),
    "a number": ("value", 7),
    "expiry a word": ("expires", "soon"),
    "expiry a blob": ("expires", b"\x00"),
}


@pytest.mark.parametrize("bad", [*BAD_ROWS, "pickle"])
def test_a_results_row_that_does_not_decode_is_a_miss(tmp_path: Path, bad: str) -> None:
    store(tmp_path).put(SOURCES, cite(Kind.DOI, PLOS), [found()])
    marker = tmp_path / "pwned"
    column, value = BAD_ROWS.get(bad, ("value", evil_pickle(marker)))
    path = next(tmp_path.glob("*.results.sqlite"))
    with sqlite3.connect(path) as connection:
        connection.execute(f"UPDATE lookups SET {column} = ?", (value,))
    results = store(tmp_path)
    assert results.get(SOURCES, cite(Kind.DOI, PLOS)) is None
    assert not marker.exists()
    # A fresh answer takes its place.
    results.put(SOURCES, cite(Kind.DOI, PLOS), [found()])
    assert results.get(SOURCES, cite(Kind.DOI, PLOS)) == [found()]
    results.close()


def test_a_check_over_a_crafted_cache_gives_the_network_verdict(
    fake_api: FakeApi, tmp_path: Path
) -> None:
    fake_api.reset()
    config = fake_api.config(cache=str(tmp_path / "fc.sqlite"), sources=("crossref", "doi"))
    with Checker(config) as checker:
        before = checker.check(f"doi:{PLOS}").items[0].verdict
    hits = fake_api.hits(f"/crossref/works/{PLOS}")
    marker = tmp_path / "pwned"
    replace_values(tmp_path / "fc.sqlite", evil_pickle(marker))
    replace_values(tmp_path / "fc.sqlite.results.sqlite", evil_pickle(marker), table="lookups")
    with Checker(config) as checker:
        after = checker.check(f"doi:{PLOS}").items[0].verdict
    assert not marker.exists()
    assert after == before
    assert fake_api.hits(f"/crossref/works/{PLOS}") == hits + 1
