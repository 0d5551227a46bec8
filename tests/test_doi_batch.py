"""With `batch_dois`, several DOIs of one text share one Crossref request
(`/works?filter=doi:a,doi:b`), and each DOI is decided as its own lookup would decide it: a
DOI the answer leaves out is what a 404 says, a failed batch fails each of its DOIs
(`unverifiable`, never `not_found`). OpenAlex batches the DOIs that come to it together."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from fakes.recordings import Corpus
from fakes.server import FakeApi
from test_openalex import OPENALEX, doi_url, handmade, recorded_work
from test_openalex import PLOS as OPENALEX_PLOS
from test_openalex import WORKS as OPENALEX_WORKS

from factcheck.checker import Checker
from factcheck.config import Config
from factcheck.ids import path_segment
from factcheck.model import Citation, Fields, Kind, Status
from factcheck.net.http import Http
from factcheck.resolve.base import Lookup, Outcome, guarded
from factcheck.resolve.batch import batchable_doi
from factcheck.resolve.crossref import CrossrefResolver
from factcheck.resolve.openalex import OpenAlexResolver

CROSSREF = "https://api.crossref.test"
WORKS = f"{CROSSREF}/works"
PLOS = "10.1371/journal.pone.0033693"
WAKEFIELD = "10.1016/S0140-6736(97)11096-0"
UNKNOWN = "10.1371/notarealdoi"


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    return Corpus.build()


@pytest.fixture
def config() -> Config:
    return Config.load(env={}, crossref_url=CROSSREF, cache="none", retries=0, batch_dois=True)


@pytest.fixture
def http(config: Config) -> Iterator[Http]:
    with Http(config) as client:
        yield client


def cite(doi: str) -> Citation:
    return Citation(kind=Kind.DOI, raw=doi, start=0, end=len(doi), fields=Fields(doi=doi))


def work_list(*messages: dict[str, Any]) -> bytes:
    message = {"total-results": len(messages), "items": list(messages)}
    return json.dumps({"status": "ok", "message-type": "work-list", "message": message}).encode()


def together(resolver: CrossrefResolver | OpenAlexResolver, dois: list[str]) -> list[Lookup]:
    """The DOIs announced first, as the Checker announces them, then each asked in a thread
    of its own (Crossref fills its first batch with the DOIs announced; OpenAlex's batches
    wait for the DOIs that come)."""
    citations = [cite(doi) for doi in dois]
    for citation in citations:
        resolver.expect(citation)

    def one(citation: Citation) -> Lookup:
        try:
            return guarded(resolver, citation)
        finally:
            resolver.unexpect(citation)

    with ThreadPoolExecutor(len(citations)) as pool:
        return list(pool.map(one, citations))


def filtered(request_url: str) -> list[str]:
    query = parse_qs(urlsplit(request_url).query)
    return [part.partition(":")[2] for part in query["filter"][0].split(",")]


def test_several_dois_share_one_request_each_with_its_own_answer(
    mocked: responses.RequestsMock, http: Http, config: Config, corpus: Corpus
) -> None:
    held = [corpus.crossref[PLOS.lower()], corpus.crossref[WAKEFIELD.lower()]]
    mocked.get(WORKS, body=work_list(*reversed(held)))  # any order: matched by DOI
    lookups = together(CrossrefResolver(http, config), [PLOS, UNKNOWN, WAKEFIELD])
    [call] = mocked.calls
    assert filtered(call.request.url) == [PLOS, UNKNOWN, WAKEFIELD]
    assert parse_qs(urlsplit(call.request.url).query)["rows"] == ["3"]
    assert [lk.outcome for lk in lookups] == [Outcome.FOUND, Outcome.MISSING, Outcome.FOUND]
    assert lookups[0].records[0].fields.doi.lower() == PLOS.lower()
    assert "retracted" in lookups[2].records[0].flags
    # The DOI left out means what Crossref's 404 means: not held here, nothing proven.
    assert lookups[1].authoritative is False
    assert UNKNOWN in lookups[1].reason and "does not hold" in lookups[1].reason


def test_each_doi_of_a_batch_is_decided_as_if_asked_alone(
    mocked: responses.RequestsMock, http: Http, config: Config, corpus: Corpus
) -> None:
    held = {doi: corpus.crossref[doi.lower()] for doi in (PLOS, WAKEFIELD)}
    mocked.get(WORKS, body=work_list(*held.values()))
    for doi, message in held.items():
        body = {"status": "ok", "message-type": "work", "message": message}
        mocked.get(f"{WORKS}/{path_segment(doi)}", json=body)
    mocked.get(f"{WORKS}/{path_segment(UNKNOWN)}", status=404, body=b"Resource not found.")
    dois = [PLOS, UNKNOWN, WAKEFIELD]
    shared = together(CrossrefResolver(http, config), dois)
    alone = [guarded(CrossrefResolver(http, config), cite(doi)) for doi in dois]
    assert shared == alone


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (503, b"busy"),
        (400, b'{"status": "failed", "message-type": "validation-failure"}'),
        (200, b"{not json"),
        (200, b'{"status": "ok", "message": {"items": "none"}}'),
        (200, b"<html>maintenance</html>"),
    ],
)
def test_a_failed_batch_fails_each_of_its_dois(
    mocked: responses.RequestsMock, http: Http, config: Config, status: int, body: bytes
) -> None:
    mocked.get(WORKS, status=status, body=body)
    lookups = together(CrossrefResolver(http, config), [PLOS, UNKNOWN, WAKEFIELD])
    assert len(mocked.calls) == 1
    assert [lk.outcome for lk in lookups] == [Outcome.FAILED] * 3
    assert all("crossref" in lk.reason for lk in lookups)


def test_a_work_of_the_wrong_shape_fails_its_doi_alone(
    mocked: responses.RequestsMock, http: Http, config: Config, corpus: Corpus
) -> None:
    broken = {**corpus.crossref[WAKEFIELD.lower()], "title": 12345}
    mocked.get(WORKS, body=work_list(corpus.crossref[PLOS.lower()], broken))
    lookups = together(CrossrefResolver(http, config), [PLOS, WAKEFIELD])
    assert [lk.outcome for lk in lookups] == [Outcome.FOUND, Outcome.FAILED]


def test_a_lone_doi_sends_the_request_it_always_sent(
    mocked: responses.RequestsMock, http: Http, config: Config, corpus: Corpus
) -> None:
    body = {"status": "ok", "message-type": "work", "message": corpus.crossref[PLOS.lower()]}
    mocked.get(f"{WORKS}/{path_segment(PLOS)}", json=body)
    [lookup] = together(CrossrefResolver(http, config), [PLOS])
    assert lookup.outcome is Outcome.FOUND
    [call] = mocked.calls
    assert urlsplit(call.request.url).path == f"/works/{path_segment(PLOS)}"


@pytest.mark.parametrize("doi", ["10.1000/a,b", "10.1000/a|b", "10.1000/a b", ""])
def test_a_doi_that_cannot_stand_in_a_filter_is_asked_alone(doi: str) -> None:
    assert not batchable_doi(doi)


def test_dois_with_filter_separators_are_asked_alone_beside_a_batch(
    mocked: responses.RequestsMock, http: Http, config: Config, corpus: Corpus
) -> None:
    odd = "10.1000/a,b"
    mocked.get(WORKS, body=work_list(corpus.crossref[PLOS.lower()]))
    mocked.get(f"{WORKS}/{path_segment(odd)}", status=404, body=b"Resource not found.")
    lookups = together(CrossrefResolver(http, config), [PLOS, odd, WAKEFIELD])
    assert [lk.outcome for lk in lookups] == [Outcome.FOUND, Outcome.MISSING, Outcome.MISSING]
    batches = [c for c in mocked.calls if urlsplit(c.request.url).path == "/works"]
    assert [filtered(c.request.url) for c in batches] == [[PLOS, WAKEFIELD]]


@pytest.mark.parametrize("setting", ["batch_dois off", "offline", "replay"])
def test_off_offline_or_replaying_each_doi_is_asked_alone(
    http: Http, config: Config, setting: str, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Off by default; offline or replaying, the cache and the recordings hold the requests
    # of one DOI each.
    changes: dict[str, dict[str, object]] = {
        "batch_dois off": {"batch_dois": False},
        "offline": {"offline": True},
        "replay": {"replay": str(tmp_path / "recorded.json")},
    }
    asked: list[list[str]] = []

    def one(self: CrossrefResolver, doi: str) -> Lookup:
        asked.append([doi])
        return Lookup.missing("crossref", "not held", authoritative=False)

    def many(self: CrossrefResolver, dois: list[str]) -> dict[str, Lookup]:
        asked.append(dois)
        return {doi: Lookup.missing("crossref", "not held", authoritative=False) for doi in dois}

    monkeypatch.setattr(CrossrefResolver, "_by_doi", one)
    monkeypatch.setattr(CrossrefResolver, "_by_dois", many)
    resolver = CrossrefResolver(http, config.model_copy(update=changes[setting]))
    together(resolver, [PLOS, UNKNOWN, WAKEFIELD])
    assert sorted(asked) == sorted([[PLOS], [UNKNOWN], [WAKEFIELD]])


# ------------------------------------------------------------- against the fake APIs


@pytest.mark.integration
def test_a_text_citing_several_dois_asks_crossref_once(fake_api: FakeApi) -> None:
    fake_api.reset()
    config = fake_api.config(
        sources=("crossref", "doi"), mailto="team@example.org", batch_dois=True
    )
    text = f"See doi:{PLOS}, doi:{WAKEFIELD} and doi:{UNKNOWN}."
    with Checker(config) as checker:
        report = checker.check(text)
    assert fake_api.hits("/crossref/works") == 1  # one request, each DOI in it once
    assert [fake_api.hits(f"/crossref/works/{doi}") for doi in (PLOS, WAKEFIELD)] == [1, 1]
    verdicts = {item.citation.fields.doi: item.verdict for item in report.items}
    assert verdicts[PLOS].status is Status.VERIFIED
    assert verdicts[UNKNOWN].status is Status.NOT_FOUND  # doi.org's answer, as alone
    # The same verdicts as each DOI checked alone.
    with Checker(config) as checker:
        alone = {doi: checker.check(f"See doi:{doi}.").items[0].verdict for doi in verdicts}
    assert verdicts == alone


# ------------------------------------------------------------------------------ OpenAlex


@pytest.fixture
def openalex(monkeypatch: pytest.MonkeyPatch) -> Iterator[OpenAlexResolver]:
    # Each batch waits for every DOI announced: an hour's gather would hang a broken test.
    monkeypatch.setattr("factcheck.resolve.openalex.DOI_GATHER_SECONDS", 3600.0)
    config = Config.load(env={}, openalex_url=OPENALEX, cache="none", retries=0, batch_dois=True)
    with Http(config) as client:
        yield OpenAlexResolver(client, config)


def openalex_list(*works: dict[str, Any]) -> dict[str, Any]:
    return {"meta": {"count": len(works), "page": 1}, "results": list(works)}


def test_openalex_dois_that_come_together_share_one_request(
    mocked: responses.RequestsMock, openalex: OpenAlexResolver
) -> None:
    plos, wakefield = recorded_work("test_journal_article"), handmade("retracted-work.json")
    mocked.get(OPENALEX_WORKS, json=openalex_list(wakefield, plos))
    dois = [OPENALEX_PLOS, UNKNOWN, WAKEFIELD]
    lookups = together(openalex, dois)
    [call] = mocked.calls
    query = parse_qs(urlsplit(call.request.url).query)
    assert query["filter"] == ["doi:" + "|".join(doi.lower() for doi in dois)]
    assert query["per_page"] == ["3"]
    assert [lk.outcome for lk in lookups] == [Outcome.FOUND, Outcome.MISSING, Outcome.FOUND]
    assert lookups[0].records[0].fields.doi == OPENALEX_PLOS
    assert lookups[2].records[0].flags == ["retracted"]
    assert not lookups[1].authoritative and lookups[1].reason == f"OpenAlex has no work {UNKNOWN}"


def test_openalex_decides_each_doi_of_a_batch_as_alone(
    mocked: responses.RequestsMock, openalex: OpenAlexResolver
) -> None:
    plos, wakefield = recorded_work("test_journal_article"), handmade("retracted-work.json")
    mocked.get(OPENALEX_WORKS, json=openalex_list(plos, wakefield))
    mocked.get(doi_url(OPENALEX_PLOS), json=plos)
    mocked.get(doi_url(WAKEFIELD.lower()), json=wakefield)
    mocked.get(doi_url(UNKNOWN), status=404, json={"error": "Not found"})
    dois = [OPENALEX_PLOS, UNKNOWN, WAKEFIELD]
    shared = together(openalex, dois)
    assert shared == [guarded(openalex, cite(doi)) for doi in dois]


def test_openalex_asks_a_lone_doi_by_the_singleton_lookup(
    mocked: responses.RequestsMock, openalex: OpenAlexResolver
) -> None:
    mocked.get(doi_url(OPENALEX_PLOS), json=recorded_work("test_journal_article"))
    [lookup] = together(openalex, [OPENALEX_PLOS])
    assert lookup.outcome is Outcome.FOUND
    [call] = mocked.calls
    assert urlsplit(call.request.url).path == urlsplit(doi_url(OPENALEX_PLOS)).path


@pytest.mark.parametrize(("status", "body"), [(503, b"busy"), (403, b"{}"), (200, b"[]")])
def test_openalex_fails_each_doi_of_a_failed_batch(
    mocked: responses.RequestsMock, openalex: OpenAlexResolver, status: int, body: bytes
) -> None:
    mocked.get(OPENALEX_WORKS, status=status, body=body)
    lookups = together(openalex, [OPENALEX_PLOS, UNKNOWN])
    assert len(mocked.calls) == 1
    assert [lk.outcome for lk in lookups] == [Outcome.FAILED] * 2
