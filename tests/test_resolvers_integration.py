"""The resolvers over real HTTP, against the fake APIs built from recordings (`fake_api`).

These show the resolvers and the network layer together: redirects followed, real rate-limit
headers read, a 429 or a 500 retried into an answer, and which source's silence proves that an
identifier does not exist. What faults that do not pass become (unverifiable verdicts, for
every source) is in tests/test_faults.py.
"""

from __future__ import annotations

from typing import Any

import pytest
from fakes.server import FakeApi, status

from factcheck.model import Citation, Fields, Kind, Record
from factcheck.net.http import Http
from factcheck.resolve.arxiv import ArxivResolver
from factcheck.resolve.base import Lookup, Outcome, Resolver, guarded
from factcheck.resolve.crossref import CrossrefResolver
from factcheck.resolve.doi import DoiResolver
from factcheck.resolve.openlibrary import OpenLibraryResolver
from factcheck.resolve.pubmed import PubmedResolver

pytestmark = pytest.mark.integration

PLOS = "10.1371/journal.pone.0033693"
PLOS_PATH = f"/crossref/works/{PLOS}"
WAKEFIELD = "10.1016/S0140-6736(97)11096-0"
ARXIV_DOI = "10.48550/arXiv.2311.16162"
ZENODO = "10.5281/zenodo.48440"
UNKNOWN = "10.1371/notarealdoi"
FIELD_OF = {
    Kind.DOI: "doi",
    Kind.ARXIV: "arxiv",
    Kind.PMID: "pmid",
    Kind.PMCID: "pmcid",
    Kind.ISBN: "isbn",
}


@pytest.fixture(autouse=True)
def _clean(fake_api: FakeApi) -> None:
    """The server is shared by the session; faults and counters are per test."""
    fake_api.reset()


def cite(kind: Kind, value: str) -> Citation:
    fields = Fields(**{FIELD_OF[kind]: value})
    return Citation(kind=kind, raw=value, start=0, end=len(value), fields=fields)


def ask(api: FakeApi, resolver: type[Resolver], kind: Kind, value: str, **config: Any) -> Lookup:
    """One lookup with a fresh client (its own rate-limit gates), as a Checker would make."""
    settings = api.config(**config)
    with Http(settings) as http:
        return guarded(resolver(http, settings), cite(kind, value))


def found(lookup: Lookup) -> Record:
    assert lookup.outcome is Outcome.FOUND, lookup.reason
    return lookup.records[0]


# ---------------------------------------------------------------------------------- DOIs


def test_crossref_finds_a_recorded_doi(fake_api: FakeApi) -> None:
    record = found(ask(fake_api, CrossrefResolver, Kind.DOI, PLOS, mailto="team@example.org"))
    assert (record.fields.title or "").startswith("Methylphenidate Exposure")
    assert record.fields.year == 2012
    assert fake_api.hits(PLOS_PATH) == 1


def test_crossref_flags_a_retracted_work(fake_api: FakeApi) -> None:
    record = found(ask(fake_api, CrossrefResolver, Kind.DOI, WAKEFIELD))
    assert record.flags == ["retracted"]


@pytest.mark.parametrize(
    ("doi", "title"),
    [
        (ARXIV_DOI, "Leveraging Artificial Intelligence Technology for Mapping Research"),
        (ZENODO, "Analysis Tools for Crossover Experiment of UI using Choice Architecture"),
    ],
)
def test_datacite_dois_unknown_to_crossref_are_found_at_doi_org(
    fake_api: FakeApi, doi: str, title: str
) -> None:
    crossref = ask(fake_api, CrossrefResolver, Kind.DOI, doi)
    assert (crossref.outcome, crossref.authoritative) == (Outcome.MISSING, False)
    record = found(ask(fake_api, DoiResolver, Kind.DOI, doi))
    assert (record.fields.title or "").startswith(title)
    assert record.flags == []


def test_an_unknown_doi_is_authoritatively_missing_only_at_doi_org(fake_api: FakeApi) -> None:
    crossref = ask(fake_api, CrossrefResolver, Kind.DOI, UNKNOWN)
    doi = ask(fake_api, DoiResolver, Kind.DOI, UNKNOWN)
    assert (crossref.outcome, crossref.authoritative) == (Outcome.MISSING, False)
    assert (doi.outcome, doi.authoritative) == (Outcome.MISSING, True)
    assert fake_api.hits(f"/doi/{UNKNOWN}") == 0  # no content negotiation for a missing DOI


def test_doi_org_follows_the_redirect_to_crossref_for_csl(fake_api: FakeApi) -> None:
    record = found(ask(fake_api, DoiResolver, Kind.DOI, PLOS))
    assert (record.fields.title or "").startswith("Methylphenidate Exposure")
    assert record.fields.container == "PLoS ONE"
    assert fake_api.hits(f"/crossref/v1/works/{PLOS}/transform") == 1


# ---------------------------------------------------------------------------------- arXiv


def test_arxiv_finds_an_existing_id(fake_api: FakeApi) -> None:
    record = found(ask(fake_api, ArxivResolver, Kind.ARXIV, "arXiv:2311.16162"))
    assert record.fields.year == 2023
    assert record.fields.arxiv == "2311.16162"


@pytest.mark.parametrize("arxiv_id", ["2901.99999", "1234.5678x"])
def test_arxiv_missing_and_malformed_ids_are_authoritatively_missing(
    fake_api: FakeApi, arxiv_id: str
) -> None:
    lookup = ask(fake_api, ArxivResolver, Kind.ARXIV, arxiv_id)
    assert (lookup.outcome, lookup.authoritative) == (Outcome.MISSING, True)


def test_arxiv_version_beyond_the_latest_is_flagged(fake_api: FakeApi) -> None:
    record = found(ask(fake_api, ArxivResolver, Kind.ARXIV, "hep-th/9711200v9"))
    assert record.flags == ["version_not_found"]
    assert record.fields.doi == "10.1023/A:1026654312961"


def test_arxiv_id_found_through_its_datacite_doi(fake_api: FakeApi) -> None:
    record = found(ask(fake_api, DoiResolver, Kind.ARXIV, "2311.16162v1"))
    assert (record.id, record.fields.arxiv) == (ARXIV_DOI, "2311.16162")


# ------------------------------------------------------------------------- PubMed, Open Library


def test_pubmed_found_and_missing(fake_api: FakeApi) -> None:
    record = found(ask(fake_api, PubmedResolver, Kind.PMID, "9500320"))
    assert record.flags == ["retracted"]
    assert found(ask(fake_api, PubmedResolver, Kind.PMCID, "PMC1182327")).fields.pmid == "16060722"
    missing = ask(fake_api, PubmedResolver, Kind.PMID, "99999999")
    assert (missing.outcome, missing.authoritative) == (Outcome.MISSING, True)


def test_openlibrary_found_and_missing(fake_api: FakeApi) -> None:
    record = found(ask(fake_api, OpenLibraryResolver, Kind.ISBN, "978-0-14-032872-1"))
    assert (record.fields.title, record.fields.year) == ("Fantastic Mr. Fox", 1988)
    missing = ask(fake_api, OpenLibraryResolver, Kind.ISBN, "9780000000002")
    assert (missing.outcome, missing.authoritative) == (Outcome.MISSING, False)


# ---------------------------------------------------------------------------------- faults


def test_429_with_retry_after_then_success(fake_api: FakeApi) -> None:
    fake_api.inject(PLOS_PATH, status(429, retry_after=1))
    record = found(ask(fake_api, CrossrefResolver, Kind.DOI, PLOS))
    assert record.id == PLOS
    assert fake_api.hits(PLOS_PATH) == 2


def test_500_then_success(fake_api: FakeApi) -> None:
    fake_api.inject(PLOS_PATH, status(500))
    found(ask(fake_api, CrossrefResolver, Kind.DOI, PLOS))
    assert fake_api.hits(PLOS_PATH) == 2
