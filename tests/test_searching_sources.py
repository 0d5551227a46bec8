"""What every searching source off by default promises alike: it is a plugin not asked unless
named, it sends nothing for an entry without a title, and an API in trouble is FAILED (so the
claim is unverifiable, never not_found). Each source's own mapping, query and silence rule are
tested in its own file (test_europepmc.py, test_openreview.py, test_semanticscholar.py)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import responses
import test_europepmc
import test_openreview
import test_semanticscholar

from factcheck.config import DEFAULT_SOURCES, Config
from factcheck.model import Citation, Fields, Kind
from factcheck.net.http import Http
from factcheck.resolve.base import Outcome
from factcheck.resolve.europepmc import EuropePmcResolver
from factcheck.resolve.openreview import OpenReviewResolver
from factcheck.resolve.plugins import load
from factcheck.resolve.searching import SearchingResolver
from factcheck.resolve.semanticscholar import SemanticScholarResolver
from factcheck.resolve.settings import settings_for


@dataclass(frozen=True)
class Source:
    """One searching source, at a test URL, with a claim it would search for."""

    cls: type[SearchingResolver]
    url: str
    search_path: str
    claim: Fields
    raw: str

    @property
    def name(self) -> str:
        return self.cls.name

    def reference(self, raw: str | None = None, fields: Fields | None = None) -> Citation:
        text = raw or self.raw
        return Citation(
            kind=Kind.REFERENCE, raw=text, start=0, end=len(text), fields=fields or self.claim
        )


SOURCES = [
    Source(
        EuropePmcResolver,
        test_europepmc.EPMC,
        "/search",
        test_europepmc.CLAIM,
        test_europepmc.RAW,
    ),
    Source(
        OpenReviewResolver,
        test_openreview.OPENREVIEW,
        "/notes/search",
        test_openreview.CLAIM,
        test_openreview.RAW,
    ),
    Source(
        SemanticScholarResolver,
        test_semanticscholar.S2,
        "/graph/v1/paper/search",
        test_semanticscholar.CLAIM,
        test_semanticscholar.RAW,
    ),
]
TROUBLE = [(500, "HTTP 500"), (429, "rate limiting"), (403, "HTTP 403"), (404, "HTTP 404")]


@pytest.fixture(params=SOURCES, ids=[s.name for s in SOURCES])
def source(request: pytest.FixtureRequest) -> Source:
    chosen: Source = request.param
    return chosen


@pytest.fixture
def resolver(source: Source) -> Iterator[SearchingResolver]:
    plugins = {source.name: {"url": source.url}}
    config = Config.load(env={}, cache="none", retries=0, plugins=plugins)
    with Http(config) as http:
        yield source.cls(http, config)


def test_registered_off_by_default_at_its_documented_address(source: Source) -> None:
    (cls,) = load([source.name])
    assert cls is source.cls
    assert source.name not in DEFAULT_SOURCES
    assert Kind.REFERENCE in cls.kinds
    assert settings_for(cls, Config()).url == cls.default_url
    assert cls.default_url.startswith("https://")


def test_an_entry_without_a_title_is_not_searched(
    source: Source, resolver: SearchingResolver, mocked: responses.RequestsMock
) -> None:
    year = source.claim.year
    lookup = resolver.lookup(source.reference(f"Someone {year}", Fields(year=year)))
    assert (lookup.outcome, lookup.authoritative) == (Outcome.MISSING, False)
    assert not mocked.calls


@pytest.mark.parametrize(("status", "reason"), TROUBLE)
def test_trouble_is_failed(
    source: Source,
    resolver: SearchingResolver,
    mocked: responses.RequestsMock,
    status: int,
    reason: str,
) -> None:
    mocked.get(source.url + source.search_path, status=status, body="trouble")
    lookup = resolver.lookup(source.reference())
    assert lookup.outcome is Outcome.FAILED
    assert reason in lookup.reason
