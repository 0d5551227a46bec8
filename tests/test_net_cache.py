"""The HTTP cache: answers are kept for our TTLs, failures never, offline reads it alone."""

from __future__ import annotations

import logging
import random
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from servers import LocalServer, Reply, fast_config
from sqlite_trouble import LockedConnection

from factcheck.errors import ConfigError, OfflineMiss, RateLimited, SourceUnavailable
from factcheck.net import cache, limits

pytestmark = pytest.mark.integration

# A source without rate limits worth the name, so that tests of the cache do not wait.
FAST = "fast"


@pytest.fixture(autouse=True)
def fast_source(monkeypatch: pytest.MonkeyPatch) -> None:
    for table in (limits.PUBLIC_LIMITS, limits.POLITE_LIMITS):
        monkeypatch.setitem(table, FAST, limits.Limit(rate=1000.0, concurrency=16))


@pytest.mark.parametrize("status", [200, 404])
def test_answers_are_served_from_cache(
    local_server: LocalServer, make_http: Any, status: int
) -> None:
    local_server.on("/w", Reply(status, b"answer"))
    http = make_http()
    first = http.get(local_server.url("/w"), source=FAST)
    second = http.get(local_server.url("/w"), source=FAST)
    assert (first.status_code, second.status_code) == (status, status)
    assert second.content == b"answer"
    assert second.from_cache
    assert local_server.hits("/w") == 1


def test_the_cache_outlives_the_client(local_server: LocalServer, make_http: Any) -> None:
    local_server.on("/w", Reply(200, b"answer"))
    make_http().get(local_server.url("/w"), source=FAST)
    assert make_http().get(local_server.url("/w"), source=FAST).content == b"answer"
    assert local_server.hits("/w") == 1


@pytest.mark.parametrize(
    ("status", "error"), [(500, SourceUnavailable), (503, SourceUnavailable), (429, RateLimited)]
)
def test_failures_are_never_cached(
    local_server: LocalServer, make_http: Any, status: int, error: type[Exception]
) -> None:
    local_server.on("/w", Reply(status))
    http = make_http(retries=0)
    for _ in range(2):
        with pytest.raises(error):
            http.get(local_server.url("/w"), source=FAST)
    assert local_server.hits("/w") == 2


def test_server_cache_headers_are_ignored(local_server: LocalServer, make_http: Any) -> None:
    local_server.on("/w", Reply(200, b"a", headers={"Cache-Control": "no-store, max-age=0"}))
    http = make_http()
    http.get(local_server.url("/w"), source=FAST)
    assert http.get(local_server.url("/w"), source=FAST).from_cache


def test_found_and_missing_have_their_own_ttl(local_server: LocalServer, make_http: Any) -> None:
    local_server.on("/found", Reply(200))
    local_server.on("/missing", Reply(404))
    http = make_http(cache_ttl_found=3600, cache_ttl_missing=1)
    for path in ("/found", "/missing"):
        http.get(local_server.url(path), source=FAST)
    time.sleep(1.1)
    for path in ("/found", "/missing"):
        http.get(local_server.url(path), source=FAST)
    assert (local_server.hits("/found"), local_server.hits("/missing")) == (1, 2)


def test_sources_do_not_share_entries(local_server: LocalServer, make_http: Any) -> None:
    local_server.on("/w", Reply(200))
    http = make_http()
    http.get(local_server.url("/w"), source=FAST)
    http.get(local_server.url("/w"), source="doi")
    http.get(local_server.url("/w"), source=FAST, headers={"Accept": "application/json"})
    assert local_server.hits("/w") == 3


def test_hits_take_the_short_way_with_the_ordinary_key(
    local_server: LocalServer, make_http: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """CacheFirstSession answers fresh hits itself; its key must be the one the ordinary
    CachedSession path stored under, for parameters, the source and Accept alike."""
    local_server.on("/w", Reply(200, b"answer"))
    url = local_server.url("/w")
    asks: list[dict[str, Any]] = [
        {"source": FAST},
        {"source": FAST, "params": {"mailto": "a b@example.org", "q": "é/&="}},
        {"source": "doi", "headers": {"Accept": "application/json"}},
        {"source": "doi", "headers": {"accept": "text/plain"}},
    ]
    http = make_http()
    for ask in asks:
        assert not http.get(url, **ask).from_cache
    assert local_server.hits("/w") == len(asks)
    ordinary = cache.CachedSession.request
    monkeypatch.setattr(cache.CachedSession, "request", lambda *a, **k: pytest.fail("slow way"))
    fresh = make_http()
    for ask in asks:
        response = fresh.get(url, **ask)
        assert (response.from_cache, response.content) == (True, b"answer")
    monkeypatch.setattr(cache.CachedSession, "request", ordinary)
    # Anything but a fresh hit still goes the ordinary way, and to the server.
    fresh.get(url, source=FAST, params={"mailto": "other@example.org"})
    assert local_server.hits("/w") == len(asks) + 1


def test_offline_miss(local_server: LocalServer, make_http: Any) -> None:
    with pytest.raises(OfflineMiss, match=r"offline and no cached answer for http://127\.0\.0\.1"):
        make_http(offline=True).get(local_server.url("/w"), source=FAST)
    assert local_server.hits() == 0


def test_offline_hit_even_when_expired(local_server: LocalServer, make_http: Any) -> None:
    local_server.on("/w", Reply(404, b"none"))
    make_http(cache_ttl_missing=1).get(local_server.url("/w"), source=FAST)
    time.sleep(1.1)
    response = make_http(offline=True).get(local_server.url("/w"), source=FAST)
    assert (response.status_code, response.content) == (404, b"none")
    assert local_server.hits() == 1


def test_offline_without_cache_is_a_miss(make_http: Any) -> None:
    with pytest.raises(OfflineMiss, match="cache is turned off"):
        make_http(offline=True, cache="none").get("http://127.0.0.1:9/w", source=FAST)


def test_cache_none_caches_nothing(local_server: LocalServer, make_http: Any) -> None:
    local_server.on("/w", Reply(200))
    http = make_http(cache="none")
    http.get(local_server.url("/w"), source=FAST)
    http.get(local_server.url("/w"), source=FAST)
    assert local_server.hits("/w") == 2


def test_sqlite_cache_is_safe_from_many_threads(local_server: LocalServer, make_http: Any) -> None:
    paths = [f"/works/10.1234/{i}" for i in range(40)]
    for path in paths:
        local_server.on(path, Reply(200, path.encode()))
    http = make_http(workers=8)

    def fetch(path: str) -> bytes:
        return bytes(http.get(local_server.url(path), source=FAST).content)

    jobs = [p for p in paths for _ in range(4)]
    random.Random(7).shuffle(jobs)
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(fetch, jobs))
    assert answers == [p.encode() for p in jobs]
    network_hits = local_server.hits()
    assert len(paths) <= network_hits < len(jobs)
    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(fetch, paths)) == [p.encode() for p in paths]
    assert local_server.hits() == network_hits


def test_backend_choice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert cache.open_backend(fast_config(tmp_path, cache="none")) is None
    path = tmp_path / "sub" / "c.sqlite"
    backend = cache.open_backend(fast_config(tmp_path, cache=str(path)))
    assert Path(backend.responses.db_path) == path
    backend.close()
    monkeypatch.setattr(cache.platformdirs, "user_cache_dir", lambda app: str(tmp_path / app))
    backend = cache.open_backend(fast_config(tmp_path, cache="default"))
    assert Path(backend.responses.db_path) == tmp_path / "factcheck" / "http.sqlite"
    backend.close()


def test_redis_backend_is_lazy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("redis")
    backend = cache.open_backend(fast_config(tmp_path, cache="redis://127.0.0.1:1/0"))
    assert type(backend).__name__ == "RedisCache"
    monkeypatch.setitem(sys.modules, "redis", None)
    with pytest.raises(ConfigError, match=r"factcheck\[redis\]"):
        cache.open_backend(fast_config(tmp_path, cache="redis://127.0.0.1:1/0"))


def test_sqlite_trouble_in_use_is_a_miss(
    local_server: LocalServer, make_http: Any, caplog: pytest.LogCaptureFixture
) -> None:
    local_server.on("/w", Reply(200, b"kept"))
    http = make_http()
    http.get(local_server.url("/w"), source=FAST)
    backend = http._backend
    [key] = list(backend.responses)
    healthy = backend.responses._connection
    backend.responses._connection = LockedConnection()
    caplog.set_level(logging.WARNING)
    assert backend.get_response(key) is None
    assert "database is locked" in caplog.text
    backend.responses._connection = healthy
    assert backend.get_response(key).content == b"kept"
