"""The SearchResolver template (`resolve/searching.py`): a source supplies its query and its
parser, and the rest is the same for every searching source. Two made-up sources fill it in
here, one with no HTTP and one with a JSON API behind `responses`; the last tests check that
every built-in searching source is filled in the same way."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlparse

import pytest
import requests
import responses

from factcheck.config import Config
from factcheck.lookup import Lookup, Outcome
from factcheck.model import Author, Citation, Fields, Kind, Record
from factcheck.net.http import Http
from factcheck.resolve.arxiv import ArxivResolver
from factcheck.resolve.candidates import NOT_SEARCHED, Hit
from factcheck.resolve.dblp import DblpResolver
from factcheck.resolve.europepmc import EuropePmcResolver
from factcheck.resolve.library import LibraryResolver
from factcheck.resolve.mapping import Shape, is_number, is_text, shaped
from factcheck.resolve.openalex import OpenAlexResolver
from factcheck.resolve.openreview import OpenReviewResolver
from factcheck.resolve.pubmed import PubmedResolver
from factcheck.resolve.search import CrossrefSearchResolver
from factcheck.resolve.searching import (
    JsonSearch,
    SearchingResolver,
    SearchRequest,
    SearchResolver,
    SearchResult,
    items_at,
)
from factcheck.resolve.semanticscholar import SemanticScholarResolver

TITLE = "Attention is all you need"
CLAIM = Fields(
    title=TITLE,
    authors=[Author(family="Vaswani", given="A."), Author(family="Shazeer", given="N.")],
    year=2017,
    container="NeurIPS",
    type="paper-conference",
)


def cite(fields: Fields = CLAIM) -> Citation:
    raw = f"Vaswani, A., Shazeer, N. (2017). {fields.title}. NeurIPS."
    return Citation(kind=Kind.REFERENCE, raw=raw, start=0, end=len(raw), fields=fields)


def record(title: str | None, ident: str, **fields: Any) -> Record:
    base = {"authors": CLAIM.authors, "year": 2017, "container": "NeurIPS", **fields}
    return Record(source="fake", id=ident, fields=Fields(title=title, **base))


RIGHT = record(TITLE, "right")
OTHER = record("A survey of graph kernels", "other", year=2010, authors=[Author(family="Kriege")])


class FakeSearch(SearchResolver):
    """A source without HTTP: its query is the title upper-cased, its hits a fixed list."""

    name: ClassVar[str] = "fake"
    label: ClassVar[str] = "the fake index"

    def __init__(self, hits: list[Hit], total: int | None = None, covered: bool = True) -> None:
        self.config = Config.load(env={}, cache="none")
        self.hits = hits
        self.total = len(hits) if total is None else total
        self.covered = covered
        self.asked: list[str] = []

    def search_query(self, citation: Citation) -> str:
        return (citation.fields.title or "").upper()

    def search_hits(self, query: str, citation: Citation) -> SearchResult:
        self.asked.append(query)
        return SearchResult(self.hits, self.total)

    def covers(self, fields: Fields) -> bool:
        return self.covered


def test_a_claim_without_a_title_is_not_searched() -> None:
    source = FakeSearch([Hit(RIGHT)])
    lookup = source.search(cite(CLAIM.model_copy(update={"title": None})))
    assert source.asked == []
    assert lookup.outcome is Outcome.MISSING
    assert lookup.reason == NOT_SEARCHED
    assert not lookup.authoritative


def test_the_sources_query_is_what_is_searched_and_a_confirmed_hit_is_found() -> None:
    source = FakeSearch([Hit(OTHER), Hit(RIGHT)])
    lookup = source.search(cite())
    assert source.asked == [TITLE.upper()]
    assert lookup.outcome is Outcome.FOUND
    assert [r.id for r in lookup.records] == ["right"]
    assert lookup.source == "fake"


@pytest.mark.parametrize("covered", [True, False])
def test_a_miss_names_the_source_by_its_label_and_is_evidence_as_it_covers(covered: bool) -> None:
    lookup = FakeSearch([Hit(OTHER)], covered=covered).search(cite())
    assert lookup.outcome is Outcome.MISSING
    assert lookup.authoritative is covered
    assert "the fake index" in lookup.reason
    assert "A survey of graph kernels" in lookup.reason


def test_untitled_hits_are_dropped_but_counted() -> None:
    """An untitled hit can confirm nothing; the reason still says how many the source had."""
    untitled = record(None, "untitled")
    lookup = FakeSearch([Hit(untitled)], total=3).search(cite())
    assert lookup.outcome is Outcome.MISSING
    assert "found 3 work(s), none close enough" in lookup.reason
    assert "untitled" not in lookup.reason


def test_no_hit_at_all_says_so() -> None:
    lookup = FakeSearch([]).search(cite())
    assert lookup.reason == "the fake index's search found no work like this reference"


def test_a_hit_is_shown_with_its_venues_other_names() -> None:
    """The venue names a hit came with reach the record the judge compares."""
    hit = Hit(record(TITLE, "right", container="Adv. Neural Inf. Process. Syst."), ["NeurIPS"])
    (found,) = FakeSearch([hit]).search(cite()).records
    assert "NeurIPS" in found.fields.container_aliases


# --- a JSON API ---------------------------------------------------------------------------

API = "https://search.test"
PAPER_SHAPE: Shape = {"name": is_text, "year": is_number, "venue": shaped({"short": is_text})}


def paper_hit(paper: Mapping[str, Any]) -> Hit:
    venue = paper.get("venue") or {}
    fields = Fields(
        title=paper.get("name"),
        authors=CLAIM.authors,
        year=int(paper["year"]) if paper.get("year") else None,
        container="Neural Information Processing Systems",
    )
    return Hit(Record(source="fakeapi", id=str(paper.get("id")), fields=fields), [venue["short"]])


PAPERS = JsonSearch(items=items_at("data", "papers"), shape=PAPER_SHAPE, hit=paper_hit)


class FakeApi(SearchingResolver):
    """A JSON API: `GET /find?q=<title>&n=3` with a token header; hits at `data.papers`."""

    name = "fakeapi"
    label = "FakeAPI"
    kinds = frozenset({Kind.REFERENCE})

    def _lookup(self, citation: Citation) -> Lookup:
        return self.search(citation)

    def search_query(self, citation: Citation) -> str:
        return (citation.fields.title or "").lower()

    def search_request(self, query: str) -> SearchRequest:
        return SearchRequest(f"{API}/find", {"q": query, "n": "3"}, {"X-Token": "t"})

    def read_hits(
        self, response: requests.Response, query: str, citation: Citation
    ) -> SearchResult:
        return self.read_json(response, PAPERS)

    def covers(self, fields: Fields) -> bool:
        return fields.type == "paper-conference"


@pytest.fixture
def api() -> Iterator[FakeApi]:
    config = Config.load(env={}, cache="none", retries=0)
    with Http(config) as http:
        yield FakeApi(http, config)


def answer(*papers: dict[str, Any]) -> dict[str, Any]:
    return {"data": {"total": len(papers), "papers": list(papers)}}


PAPER = {"id": 1, "name": TITLE, "year": 2017, "venue": {"short": "NeurIPS"}}


def test_one_get_with_the_sources_url_params_and_headers(
    api: FakeApi, mocked: responses.RequestsMock
) -> None:
    mocked.get(f"{API}/find", json=answer(PAPER))
    lookup = api.lookup(cite())
    assert lookup.outcome is Outcome.FOUND
    assert len(mocked.calls) == 1
    sent = mocked.calls[0].request
    assert parse_qs(urlparse(sent.url or "").query) == {"q": [TITLE.lower()], "n": ["3"]}
    assert sent.headers["X-Token"] == "t"


def test_without_a_title_nothing_is_sent(api: FakeApi, mocked: responses.RequestsMock) -> None:
    lookup = api.lookup(cite(CLAIM.model_copy(update={"title": None})))
    assert lookup.reason == NOT_SEARCHED
    assert len(mocked.calls) == 0


@pytest.mark.parametrize("status", [400, 403, 404, 202])
def test_any_status_but_200_is_failed(
    api: FakeApi, mocked: responses.RequestsMock, status: int
) -> None:
    mocked.get(f"{API}/find", status=status, json={})
    lookup = api.lookup(cite())
    assert lookup.outcome is Outcome.FAILED
    assert lookup.reason == f"fakeapi answered HTTP {status}, which is not an answer"
    assert lookup.flags == []


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ({"data": {"total": 0}}, "without a list of hits"),
        ({"papers": [PAPER]}, "without a list of hits"),
        (answer({**PAPER, "year": [2017]}), "year"),
        (answer({**PAPER, "venue": "NeurIPS"}), "venue"),
        ("<html>maintenance</html>", "JSON"),
    ],
)
def test_an_answer_that_is_not_the_promised_one_is_failed(
    api: FakeApi, mocked: responses.RequestsMock, body: Any, why: str
) -> None:
    if isinstance(body, str):
        mocked.get(f"{API}/find", body=body, content_type="text/html")
    else:
        mocked.get(f"{API}/find", json=body)
    lookup = api.lookup(cite())
    assert lookup.outcome is Outcome.FAILED
    assert why in lookup.reason


@pytest.mark.parametrize(
    ("fields", "authoritative"),
    [(CLAIM, True), (CLAIM.model_copy(update={"type": "book"}), False)],
)
def test_a_json_miss_is_evidence_as_the_source_covers(
    api: FakeApi, mocked: responses.RequestsMock, fields: Fields, authoritative: bool
) -> None:
    mocked.get(f"{API}/find", json=answer({**PAPER, "name": "Graph kernels: a survey"}))
    lookup = api.lookup(cite(fields))
    assert lookup.outcome is Outcome.MISSING
    assert lookup.authoritative is authoritative
    assert "FakeAPI" in lookup.reason


def test_json_hits_without_a_title_are_dropped_but_counted(
    api: FakeApi, mocked: responses.RequestsMock
) -> None:
    mocked.get(f"{API}/find", json=answer({"id": 2, "year": 2017, "venue": {"short": "X"}}))
    lookup = api.lookup(cite())
    assert "found 1 work(s), none close enough" in lookup.reason


# --- the built-in searching sources ----------------------------------------------------------

SEARCHING_SOURCES: list[type[SearchResolver]] = [
    CrossrefSearchResolver,
    OpenAlexResolver,
    DblpResolver,
    ArxivResolver,
    PubmedResolver,
    SemanticScholarResolver,
    EuropePmcResolver,
    OpenReviewResolver,
    LibraryResolver,
]


@pytest.mark.parametrize("cls", SEARCHING_SOURCES, ids=lambda cls: cls.name)
def test_every_searching_source_fills_in_the_template(cls: type[SearchResolver]) -> None:
    assert issubclass(cls, SearchResolver)
    assert cls.search is SearchResolver.search  # the shared steps are not redone
    for step in ("search_query", "covers"):
        assert getattr(cls, step) is not getattr(SearchResolver, step), step
    assert cls.label


@pytest.mark.parametrize(
    "cls", [c for c in SEARCHING_SOURCES if issubclass(c, SearchingResolver)], ids=lambda c: c.name
)
def test_every_source_on_the_network_searches_with_the_shared_get(
    cls: type[SearchingResolver],
) -> None:
    assert cls.fetch is SearchingResolver.fetch
    # Each reads its own answer, or (arXiv) gathers its searches into shared requests.
    own = cls.read_hits is not SearchingResolver.read_hits
    assert own or cls.search_hits is not SearchingResolver.search_hits
