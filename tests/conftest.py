"""Shared fixtures. `local_server` is a scriptable HTTP server on 127.0.0.1 (tests/servers.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fakes.server import FakeApi
from servers import LocalServer, fast_config

from factcheck.net.http import Http


@pytest.fixture
def local_server() -> Iterator[LocalServer]:
    server = LocalServer().start()
    try:
        yield server
    finally:
        server.stop()


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
