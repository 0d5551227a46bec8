"""`OpenAlexResolver` against `responses` mocks: recorded works (commonmeta cassettes) and
hand-made search answers. How a work maps to Fields, what is asked of OpenAlex, which hit is
accepted, when a miss is evidence, and that trouble is FAILED."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
import requests
import responses
from fakes.recordings import HANDMADE, RECORDINGS, load

from factcheck.config import Config
from factcheck.flags import RETRACTED
from factcheck.ids import path_segment
from factcheck.model import Author, Citation, Fields, Kind
from factcheck.net.http import Http
from factcheck.resolve.base import Outcome
from factcheck.resolve.openalex import (
    PER_PAGE,
    OpenAlexResolver,
    covers,
    csl_type,
    title_query,
    work_hit,
    work_record,
)
from factcheck.resolve.plugins import registry

OPENALEX = "https://api.openalex.test"
WORKS = f"{OPENALEX}/works"
MAILTO = "team@example.org"
KEY = "secret-key"
CASSETTES = RECORDINGS / "commonmeta" / "cassettes" / "test-openalex_reader"
PLOS = "10.1371/journal.pone.0000030"
WAKEFIELD = "10.1016/S0140-6736(97)11096-0"
RAW = (
    "Vaswani, A., Shazeer, N., Parmar, N., et al. (2017). Attention is all you need. "
    "In Advances in Neural Information Processing Systems 30, pp. 5998-6008."
)
CLAIM = Fields(
    title="Attention is all you need",
    authors=[
        Author(family="Vaswani", given="A."),
        Author(family="Shazeer", given="N."),
        Author(family="Parmar", given="N."),
    ],
    year=2017,
    container="Advances in Neural Information Processing Systems",
    pages="5998-6008",
    type="paper-conference",
)


def recorded_work(cassette: str) -> dict[str, Any]:
    """The work object of the cassette's one interaction."""
    (interaction,) = load(CASSETTES / f"{cassette}.yaml")
    body: dict[str, Any] = json.loads(interaction.body)
    return body


def handmade(name: str) -> dict[str, Any]:
    body: dict[str, Any] = json.loads((HANDMADE / "openalex" / name).read_bytes())
    return body


def doi_url(doi: str) -> str:
    """The DOI as a doi.org link, sent as one encoded path segment."""
    return f"{WORKS}/{path_segment('https://doi.org/' + doi)}"


@pytest.fixture
def config() -> Config:
    return Config.load(env={}, openalex_url=OPENALEX, mailto=MAILTO, cache="none", retries=0)


@pytest.fixture
def resolver(config: Config) -> Iterator[OpenAlexResolver]:
    with Http(config) as http:
        yield OpenAlexResolver(http, config)


def cite_doi(doi: str) -> Citation:
    return Citation(kind=Kind.DOI, raw=doi, start=0, end=len(doi), fields=Fields(doi=doi))


def cite(raw: str = RAW, fields: Fields = CLAIM) -> Citation:
    return Citation(kind=Kind.REFERENCE, raw=raw, start=0, end=len(raw), fields=fields)


def sent(mocked: responses.RequestsMock) -> dict[str, list[str]]:
    return parse_qs(urlparse(mocked.calls[0].request.url or "").query)


# ------------------------------------------------------------------------------ mapping


def test_a_recorded_journal_article_maps_to_fields() -> None:
    record = work_record(recorded_work("test_journal_article"))
    fields = record.fields
    assert fields.title and fields.title.startswith("Triose Phosphate Isomerase Deficiency")
    assert fields.authors[0] == Author(family="Ralser", given="Markus")
    assert len(fields.authors) == 5
    assert (fields.year, fields.container, fields.volume, fields.issue, fields.pages) == (
        2006,
        "PLoS ONE",
        "1",
        "1",
        "e30",
    )
    assert (fields.doi, fields.type, fields.publisher) == (
        PLOS,
        "article-journal",
        "Public Library of Science",
    )
    assert (record.source, record.id, record.url) == ("openalex", PLOS, f"https://doi.org/{PLOS}")
    assert record.flags == []


def test_venue_aliases_are_the_journals_other_names_not_its_repositories() -> None:
    hit = work_hit(recorded_work("test_journal_article"))
    # PubMed Central, DOAJ, Figshare... are repositories holding copies: not venues.
    assert hit.venue_aliases == []
    chapter = work_hit(
        {**recorded_work("test_journal_article"), "primary_location": {"raw_source_name": "X"}}
    )
    assert chapter.record.fields.container == "X"
    assert "PLoS ONE" in chapter.venue_aliases


def test_a_recorded_preprint_and_conference_paper_get_their_csl_types() -> None:
    preprint = work_record(recorded_work("test_posted_content")).fields
    assert preprint.type == "posted-content"
    assert preprint.container == "bioRxiv (Cold Spring Harbor Laboratory)"
    assert preprint.authors[0] == Author(family="Fenner", given="Martin")
    paper = work_record(recorded_work("test_proceedings_article")).fields
    assert paper.type == "paper-conference"
    # No source object: the venue comes from the raw source name.
    assert (
        paper.container == "Proceedings of the 2021 International Conference on Management of Data"
    )
    assert paper.pages == "1386-1399"


@pytest.mark.parametrize(
    ("work_type", "source_type", "expected"),
    [
        ("article", "journal", "article-journal"),
        ("article", "conference", "paper-conference"),
        ("article", "repository", "posted-content"),
        ("article", None, "article"),
        ("preprint", "repository", "posted-content"),
        ("book-chapter", "book series", "chapter"),
        ("dissertation", "repository", "thesis"),
        ("book", "ebook platform", "book"),
        ("other", None, None),
    ],
)
def test_csl_types(work_type: str, source_type: str | None, expected: str | None) -> None:
    assert csl_type(work_type, source_type) == expected


def test_every_work_of_a_recorded_work_list_maps() -> None:
    bodies = [json.loads(i.body) for i in load(CASSETTES / "test_get_random_id_from_openalex.yaml")]
    works = [w for body in bodies for w in body["results"]]
    assert len(works) == 6
    for work in works:
        record = work_record(work)
        assert record.id and record.url and record.fields.title


# ------------------------------------------------------------------------------ DOIs


def test_a_doi_is_looked_up_as_a_doi_org_link_with_mailto(
    resolver: OpenAlexResolver, mocked: responses.RequestsMock
) -> None:
    mocked.get(doi_url(PLOS), json=recorded_work("test_journal_article"))
    lookup = resolver.lookup(cite_doi(f"https://doi.org/{PLOS}"))
    assert lookup.outcome is Outcome.FOUND
    assert lookup.records[0].fields.container == "PLoS ONE"
    assert sent(mocked) == {"mailto": [MAILTO]}


def test_the_api_key_is_sent_when_configured(mocked: responses.RequestsMock) -> None:
    config = Config.load(env={"FACTCHECK_OPENALEX_KEY": KEY}, openalex_url=OPENALEX, cache="none")
    assert KEY not in repr(config)
    mocked.get(doi_url(PLOS), json=recorded_work("test_journal_article"))
    with Http(config) as http:
        OpenAlexResolver(http, config).lookup(cite_doi(PLOS))
    assert sent(mocked) == {"api_key": [KEY]}


def test_a_retracted_work_is_flagged(
    resolver: OpenAlexResolver, mocked: responses.RequestsMock
) -> None:
    mocked.get(doi_url(WAKEFIELD.lower()), json=handmade("retracted-work.json"))
    lookup = resolver.lookup(cite_doi(WAKEFIELD))
    assert lookup.outcome is Outcome.FOUND
    assert lookup.records[0].flags == [RETRACTED]


def test_an_unknown_doi_is_missing_but_proves_nothing(
    resolver: OpenAlexResolver, mocked: responses.RequestsMock
) -> None:
    mocked.get(doi_url("10.1/nothing"), status=404, json={"error": "Not found"})
    lookup = resolver.lookup(cite_doi("10.1/nothing"))
    assert lookup.outcome is Outcome.MISSING and not lookup.authoritative


# ------------------------------------------------------------------------------ search


def test_the_hit_that_the_fields_confirm_is_found(
    resolver: OpenAlexResolver, mocked: responses.RequestsMock
) -> None:
    mocked.get(WORKS, json=handmade("search-attention.json"))
    lookup = resolver.lookup(cite())
    assert lookup.outcome is Outcome.FOUND, lookup.reason
    record = lookup.records[0]
    assert (record.id, record.url) == ("W0000000001", "https://openalex.org/W0000000001")
    assert record.fields.type == "paper-conference"
    assert record.fields.authors[-1] == Author(family="Polosukhin", given="Illia")


def test_one_request_by_title_words_with_per_page_key_and_mailto(
    mocked: responses.RequestsMock,
) -> None:
    config = Config.load(
        env={}, openalex_url=OPENALEX, openalex_key=KEY, mailto=MAILTO, cache="none"
    )
    mocked.get(WORKS, json=handmade("search-attention.json"))
    with Http(config) as http:
        OpenAlexResolver(http, config).lookup(cite())
    assert len(mocked.calls) == 1
    assert sent(mocked) == {
        "filter": ["title.search:attention is all you need"],
        "per_page": [str(PER_PAGE)],
        "api_key": [KEY],
        "mailto": [MAILTO],
    }


def test_title_words_lose_punctuation_and_operators() -> None:
    assert title_query("Self-consistency, AND: chain|of “thought”") == (
        "self consistency and chain of thought"
    )


def test_another_work_is_rejected_naming_the_closest_hit(
    resolver: OpenAlexResolver, mocked: responses.RequestsMock
) -> None:
    answer = handmade("search-attention.json")
    answer["results"] = answer["results"][:1]  # only the ICML paper
    mocked.get(WORKS, json=answer)
    lookup = resolver.lookup(cite())
    assert lookup.outcome is Outcome.MISSING
    assert "closest hit in OpenAlex" in lookup.reason
    assert "Attention is not all you need" in lookup.reason and "W0000000002" in lookup.reason
    assert lookup.authoritative  # a conference paper with venue and year: OpenAlex would hold it


def test_covers_journal_articles_conference_papers_and_preprints_with_title_and_year() -> None:
    assert covers(CLAIM)
    assert covers(CLAIM.model_copy(update={"type": "article-journal", "container": "Nature"}))
    assert covers(CLAIM.model_copy(update={"type": None, "container": "arXiv preprint"}))
    assert covers(CLAIM.model_copy(update={"type": "preprint", "container": "bioRxiv"}))
    # A BibTeX @inproceedings without booktitle still claims a conference paper.
    assert covers(CLAIM.model_copy(update={"container": None}))
    for update in ({"type": "book"}, {"type": "thesis"}, {"title": None}, {"year": None}):
        assert not covers(CLAIM.model_copy(update=update))


def test_a_miss_on_a_book_is_not_authoritative(
    resolver: OpenAlexResolver, mocked: responses.RequestsMock
) -> None:
    mocked.get(WORKS, json={"meta": {"count": 0}, "results": []})
    book = CLAIM.model_copy(update={"type": "book", "container": None})
    lookup = resolver.lookup(cite(fields=book))
    assert lookup.outcome is Outcome.MISSING and not lookup.authoritative
    assert "found no work" in lookup.reason


def test_an_entry_without_a_title_is_not_searched(
    resolver: OpenAlexResolver, mocked: responses.RequestsMock
) -> None:
    for title in (None, "“ — ”"):
        lookup = resolver.lookup(cite(fields=CLAIM.model_copy(update={"title": title})))
        assert lookup.outcome is Outcome.MISSING and not lookup.authoritative
    assert not mocked.calls


@pytest.mark.parametrize(
    "reply",
    [
        {"status": 500, "body": "oops"},
        {"status": 403, "json": {"error": "Rate limit exceeded"}},
        {"status": 400, "json": {"error": "Invalid filter"}},
        {"status": 200, "body": "<html>not json</html>"},
        {"status": 200, "json": {"meta": {}, "no": "results"}},
        {"body": requests.ConnectionError("reset")},
    ],
)
def test_search_trouble_is_failed(
    resolver: OpenAlexResolver, mocked: responses.RequestsMock, reply: dict[str, Any]
) -> None:
    mocked.get(WORKS, **reply)
    assert resolver.lookup(cite()).outcome is Outcome.FAILED


@pytest.mark.parametrize(
    "reply",
    [
        {"status": 503, "body": "down"},
        {"status": 429, "body": "slow down"},
        {"status": 200, "body": "not json"},
        {"status": 200, "json": ["not", "a", "work"]},
    ],
)
def test_doi_trouble_is_failed(
    resolver: OpenAlexResolver, mocked: responses.RequestsMock, reply: dict[str, Any]
) -> None:
    mocked.get(doi_url(PLOS), **reply)
    assert resolver.lookup(cite_doi(PLOS)).outcome is Outcome.FAILED


def test_registered_for_dois_and_references() -> None:
    assert registry()["openalex"] is OpenAlexResolver
    assert OpenAlexResolver.kinds == {Kind.DOI, Kind.REFERENCE}


def test_the_recordings_used_here_are_listed_in_data_licenses() -> None:
    licenses = (Path(__file__).resolve().parents[1] / "DATA_LICENSES.md").read_text()
    for cassette in sorted(CASSETTES.glob("*.yaml")):
        assert cassette.name in licenses
