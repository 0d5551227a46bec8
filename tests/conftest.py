"""Shared fixtures. `local_server` is a scriptable HTTP server on 127.0.0.1 (tests/servers.py)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import responses
from browser import Browser, launch
from fakes.server import FakeApi
from servers import LocalServer, fast_config, free_port

from factcheck.net.http import Http


@pytest.fixture(autouse=True)
def _no_user_config(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tests never read the user's own configuration file (configfile.user_config_path):
    the user configuration directory is an empty one of the test's."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("user-config")))


@pytest.fixture
def local_server() -> Iterator[LocalServer]:
    server = LocalServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the session's browser tests (tests/browser.py)."""
    with launch() as opened:
        yield opened


@pytest.fixture(scope="session")
def fake_api() -> Iterator[FakeApi]:
    """The fake Crossref, doi.org, arXiv, PubMed and Open Library (tests/fakes/server.py).

    Session-wide: tests that inject faults call `fake_api.reset()` first (see
    tests/test_resolvers_integration.py).
    """
    api = FakeApi().start()
    try:
        yield api
    finally:
        api.stop()


@pytest.fixture
def make_http(tmp_path: Path) -> Iterator[Callable[..., Http]]:
    """Builds Http clients on `fast_config` (private cache, short timeouts); closes them."""
    opened: list[Http] = []

    def make(**overrides: Any) -> Http:
        http = Http(fast_config(tmp_path, **overrides))
        opened.append(http)
        return http

    yield make
    for http in opened:
        http.close()


# A real Redis for the shared cache and rate limits (tests/test_shared_limits.py,
# tests/test_ray.py): Debian's redis-server, which .ci/run installs when it is missing.
REDIS_SERVER = "redis-server"
REDIS_START_SECONDS = 10.0
REDIS_POLL_SECONDS = 0.05


@pytest.fixture(scope="session")
def redis_server() -> Iterator[str]:
    """Starts `redis-server` on 127.0.0.1 at a free port, without persistence, for the
    whole session; yields its URL (redis://127.0.0.1:PORT)."""
    binary = shutil.which(REDIS_SERVER)
    if binary is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server; CI does)")
    port = free_port()
    process = subprocess.Popen(
        [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_port(port, process)
        yield f"redis://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=REDIS_START_SECONDS)


@pytest.fixture
def redis_url(redis_server: str) -> str:
    """The session's Redis, emptied for this test: database 0's URL."""
    from redis import Redis

    client = Redis.from_url(redis_server)
    try:
        client.flushall()
    finally:
        client.close()
    return f"{redis_server}/0"


def _wait_for_port(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + REDIS_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"redis-server exited at start (code {process.returncode})")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=REDIS_POLL_SECONDS).close()
            return
        except OSError:
            time.sleep(REDIS_POLL_SECONDS)
    process.kill()
    raise RuntimeError(f"redis-server did not listen on port {port} within {REDIS_START_SECONDS}s")


@pytest.fixture
def mocked() -> Iterator[responses.RequestsMock]:
    """`responses` for a unit test of a resolver: every request is answered by a mock, and a
    mock that is not asked for is no failure (a test says what must be asked)."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock
