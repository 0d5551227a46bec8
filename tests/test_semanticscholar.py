"""`SemanticScholarResolver` against `responses` mocks with hand-made answers in the Graph
API's documented shape: how a paper maps to Fields, what is asked (the id as one path
segment, the fields, the key), which search hit is accepted, when a miss is evidence, that
an answer about another id is no answer, and that trouble is FAILED."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
import requests
import responses
from fakes.recordings import HANDMADE

from factcheck.config import DEFAULT_SOURCES, Config
from factcheck.flags import WRONG_RECORD
from factcheck.model import Author, Citation, Fields, Kind
from factcheck.net.http import Http
from factcheck.resolve.base import Outcome
from factcheck.resolve.plugins import load
from factcheck.resolve.semanticscholar import (
    FIELDS,
    KEY_HEADER,
    LIMIT,
    SEARCH_LIMIT,
    SemanticScholarResolver,
    acl_id,
    covers,
    paper_record,
)
from factcheck.resolve.settings import limit_of, settings_for

S2 = "https://s2.test"
PAPER = f"{S2}/graph/v1/paper/"
SEARCH = f"{S2}/graph/v1/paper/search"
RAW = (
    "Vaswani, A., Shazeer, N., Parmar, N., et al. (2017). Attention is all you need. "
    "In NeurIPS, pp. 5998-6008."
)
CLAIM = Fields(
    title="Attention is all you need",
    authors=[
        Author(family="Vaswani", given="A."),
        Author(family="Shazeer", given="N."),
        Author(family="Parmar", given="N."),
    ],
    year=2017,
    container="NeurIPS",
    type="paper-conference",
)


def handmade(name: str) -> dict[str, Any]:
    body: dict[str, Any] = json.loads((HANDMADE / "semanticscholar" / name).read_bytes())
    return body


def config(**settings: Any) -> Config:
    plugins = {"semanticscholar": {"url": S2, **settings}}
    return Config.load(env={}, cache="none", retries=0, plugins=plugins)


@pytest.fixture
def resolver() -> Iterator[SemanticScholarResolver]:
    with Http(config()) as http:
        yield SemanticScholarResolver(http, config())


def cite(kind: Kind, raw: str, fields: Fields) -> Citation:
    return Citation(kind=kind, raw=raw, start=0, end=len(raw), fields=fields)


def reference(raw: str = RAW, fields: Fields = CLAIM) -> Citation:
    return cite(Kind.REFERENCE, raw, fields)


def asked(mocked: responses.RequestsMock) -> list[requests.PreparedRequest]:
    return [call.request for call in mocked.calls]


# ------------------------------------------------------------------------------ mapping


def test_a_paper_maps_to_fields() -> None:
    record = paper_record(handmade("paper-attention.json"))
    fields = record.fields
    assert fields.title == "Attention is All you Need"
    assert fields.authors[0] == Author(family="Vaswani", given="Ashish")
    assert fields.authors[5] == Author(family="Gomez", given="Aidan N.")
    assert len(fields.authors) == 8
    assert (fields.year, fields.container, fields.type) == (
        2017,
        "Neural Information Processing Systems",
        "paper-conference",
    )
    # Its "journal" is arXiv's listing, whose volume is `abs/<id>`: no volume of the venue.
    assert (fields.volume, fields.pages, fields.arxiv) == (None, None, "1706.03762")
    assert record.id == "204e3073870fae3d05bcbc2f6a8e263d9b72e776"  # no DOI: S2's own id
    assert record.url == "https://www.semanticscholar.org/paper/" + record.id


def test_a_journal_paper_keeps_its_doi_volume_and_pages() -> None:
    journal = handmade("search-attention.json")["data"][0]
    record = paper_record(journal)
    assert record.id == record.fields.doi == "10.1109/TPAMI.2022.3000001"
    assert record.url == "https://doi.org/10.1109/TPAMI.2022.3000001"
    assert (record.fields.volume, record.fields.pages) == ("44", "1-12")
    assert record.fields.type == "article-journal"


@pytest.mark.parametrize(
    ("paper", "expected"),
    [
        ({"publicationTypes": ["Book"]}, "book"),
        ({"publicationTypes": ["Review", "JournalArticle"]}, "article-journal"),
        ({"publicationVenue": {"name": "ArXiv", "type": "journal"}}, "posted-content"),
        ({"venue": "bioRxiv"}, "posted-content"),
        ({"publicationTypes": ["Review"]}, None),
    ],
)
def test_csl_types(paper: dict[str, Any], expected: str | None) -> None:
    assert paper_record({"title": "T", **paper}).fields.type == expected


# ------------------------------------------------------------------------------ lookups


def test_an_arxiv_id_is_looked_up_as_one_segment_with_the_fields(
    resolver: SemanticScholarResolver, mocked: responses.RequestsMock
) -> None:
    mocked.get(PAPER + "ARXIV%3A1706.03762", json=handmade("paper-attention.json"))
    lookup = resolver.lookup(cite(Kind.ARXIV, "arXiv:1706.03762", Fields(arxiv="1706.03762")))
    assert lookup.outcome is Outcome.FOUND
    assert lookup.records[0].fields.arxiv == "1706.03762"
    [request] = asked(mocked)
    assert parse_qs(urlparse(request.url).query)["fields"] == [FIELDS]
    assert KEY_HEADER not in request.headers


def test_the_key_is_sent_as_its_header_when_configured(mocked: responses.RequestsMock) -> None:
    mocked.get(PAPER + "ARXIV%3A1706.03762", json=handmade("paper-attention.json"))
    settings = config(key="s2-secret")
    with Http(settings) as http:
        SemanticScholarResolver(http, settings).lookup(
            cite(Kind.ARXIV, "arXiv:1706.03762", Fields(arxiv="1706.03762"))
        )
    assert asked(mocked)[0].headers[KEY_HEADER] == "s2-secret"


def test_the_key_is_not_stored_in_the_cache(mocked: responses.RequestsMock, tmp_path: Path) -> None:
    mocked.get(PAPER + "ARXIV%3A1706.03762", json=handmade("paper-attention.json"))
    cache = tmp_path / "http.sqlite"
    settings = config(key="s2-secret-in-cache").model_copy(update={"cache": str(cache)})
    arxiv = cite(Kind.ARXIV, "arXiv:1706.03762", Fields(arxiv="1706.03762"))
    with Http(settings) as http:
        assert SemanticScholarResolver(http, settings).lookup(arxiv).outcome is Outcome.FOUND
    with Http(settings) as http:  # answered from the cache
        assert SemanticScholarResolver(http, settings).lookup(arxiv).outcome is Outcome.FOUND
    assert len(mocked.calls) == 1
    stored = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert b"s2-secret-in-cache" not in stored


def test_an_unknown_doi_is_missing_but_proves_nothing(
    resolver: SemanticScholarResolver, mocked: responses.RequestsMock
) -> None:
    error = {"error": "Paper with id DOI:10.5555/nope not found"}
    mocked.get(PAPER + "DOI%3A10.5555%2Fnope", status=404, json=error)
    lookup = resolver.lookup(cite(Kind.DOI, "doi:10.5555/nope", Fields(doi="10.5555/nope")))
    assert (lookup.outcome, lookup.authoritative) == (Outcome.MISSING, False)
    assert "Semantic Scholar has no paper DOI:10.5555/nope" in lookup.reason


@pytest.mark.parametrize(
    ("kind", "raw", "fields", "path"),
    [
        (Kind.DOI, "doi:10.1109/x.1", Fields(doi="10.1109/x.1"), "DOI%3A10.1109%2Fx.1"),
        (Kind.PMID, "PMID: 16060722", Fields(pmid="16060722"), "PMID%3A16060722"),
    ],
)
def test_an_answer_about_another_id_is_no_answer(
    resolver: SemanticScholarResolver,
    mocked: responses.RequestsMock,
    kind: Kind,
    raw: str,
    fields: Fields,
    path: str,
) -> None:
    other = {
        **handmade("paper-attention.json"),
        "externalIds": {"DOI": "10.9/other", "PubMed": "1"},
    }
    mocked.get(PAPER + path, json=other)
    lookup = resolver.lookup(cite(kind, raw, fields))
    assert lookup.outcome is Outcome.FAILED
    assert WRONG_RECORD in lookup.flags


def test_a_pmid_is_looked_up_by_its_number(
    resolver: SemanticScholarResolver, mocked: responses.RequestsMock
) -> None:
    paper = {"paperId": "p1", "title": "Why most published research findings are false"}
    mocked.get(PAPER + "PMID%3A16060722", json={**paper, "externalIds": {"PubMed": "16060722"}})
    lookup = resolver.lookup(cite(Kind.PMID, "PMID: 16060722", Fields()))
    assert lookup.outcome is Outcome.FOUND
    assert lookup.records[0].fields.pmid == "16060722"


@pytest.mark.parametrize(
    ("kind", "raw", "fields"),
    [
        (Kind.ARXIV, "arXiv:1706.03762v9", Fields(arxiv="1706.03762v9")),
        (Kind.PMID, "PMID: 12a", Fields(pmid="12a")),
    ],
)
def test_what_it_cannot_settle_is_not_asked(
    resolver: SemanticScholarResolver,
    mocked: responses.RequestsMock,
    kind: Kind,
    raw: str,
    fields: Fields,
) -> None:
    lookup = resolver.lookup(cite(kind, raw, fields))
    assert (lookup.outcome, lookup.authoritative) == (Outcome.MISSING, False)
    assert not mocked.calls


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://aclanthology.org/2020.acl-main.463", "2020.acl-main.463"),
        ("https://aclanthology.org/P19-1001.pdf", "P19-1001"),
        ("https://www.aclweb.org/anthology/N18-3011/", "N18-3011"),
        ("https://arxiv.org/abs/1706.03762", None),
        (None, None),
    ],
)
def test_acl_anthology_ids_come_from_a_references_link(
    url: str | None, expected: str | None
) -> None:
    assert acl_id(Fields(url=url)) == expected


def test_a_reference_with_an_acl_link_is_looked_up_by_it(
    resolver: SemanticScholarResolver, mocked: responses.RequestsMock
) -> None:
    paper = {
        "paperId": "p2",
        "title": "Climbing towards NLU",
        "externalIds": {"ACL": "2020.acl-main.463"},
    }
    mocked.get(PAPER + "ACL%3A2020.acl-main.463", json=paper)
    fields = Fields(title="Climbing towards NLU", url="https://aclanthology.org/2020.acl-main.463")
    lookup = resolver.lookup(reference("Bender and Koller (2020). Climbing towards NLU.", fields))
    assert lookup.outcome is Outcome.FOUND
    assert [urlparse(r.url).path for r in asked(mocked)] == [
        "/graph/v1/paper/ACL%3A2020.acl-main.463"
    ]


# ------------------------------------------------------------------------------ search


def test_the_hit_that_the_fields_confirm_is_found(
    resolver: SemanticScholarResolver, mocked: responses.RequestsMock
) -> None:
    mocked.get(SEARCH, json=handmade("search-attention.json"))
    lookup = resolver.lookup(reference())
    assert lookup.outcome is Outcome.FOUND
    assert [r.fields.title for r in lookup.records] == ["Attention is All you Need"]
    [request] = asked(mocked)
    params = parse_qs(urlparse(request.url).query)
    assert params["query"] == ["Attention is all you need"]
    assert params["limit"] == [str(SEARCH_LIMIT)]
    assert params["fields"] == [FIELDS]


def test_an_answer_without_hits_and_without_data_is_a_miss(
    resolver: SemanticScholarResolver, mocked: responses.RequestsMock
) -> None:
    mocked.get(SEARCH, json=handmade("search-empty.json"))
    lookup = resolver.lookup(reference())
    assert (lookup.outcome, lookup.authoritative) == (Outcome.MISSING, True)
    book = CLAIM.model_copy(update={"type": "book", "container": None, "publisher": "MIT Press"})
    lookup = resolver.lookup(reference(fields=book))
    assert (lookup.outcome, lookup.authoritative) == (Outcome.MISSING, False)


@pytest.mark.parametrize(
    "body", [{"total": 3, "offset": 0}, {"data": {"paperId": "x"}}, ["data"], {"message": "x"}]
)
def test_an_answer_without_its_list_of_hits_is_failed(
    resolver: SemanticScholarResolver, mocked: responses.RequestsMock, body: Any
) -> None:
    mocked.get(SEARCH, json=body)
    lookup = resolver.lookup(reference())
    assert lookup.outcome is Outcome.FAILED
    assert "without a list of hits" in lookup.reason


def test_a_hit_of_the_wrong_shape_is_failed(
    resolver: SemanticScholarResolver, mocked: responses.RequestsMock
) -> None:
    paper = {**handmade("paper-attention.json"), "authors": "Ashish Vaswani"}
    mocked.get(SEARCH, json={"total": 1, "offset": 0, "data": [paper]})
    lookup = resolver.lookup(reference())
    assert lookup.outcome is Outcome.FAILED
    assert "authors has the wrong type" in lookup.reason


def test_covers_what_a_general_index_holds() -> None:
    assert covers(CLAIM)
    assert covers(Fields(title="T", year=2020, container="bioRxiv"))
    assert covers(Fields(title="T", year=2020, authors=[Author(family="X")]))  # bare claim
    assert not covers(Fields(title="T", year=2020, type="book", publisher="MIT Press"))
    assert not covers(CLAIM.model_copy(update={"year": None}))


# ------------------------------------------------------------------------------ registration


def test_registered_off_by_default_with_its_limit_and_key_setting() -> None:
    (cls,) = load(["semanticscholar"])
    assert cls is SemanticScholarResolver
    assert "semanticscholar" not in DEFAULT_SOURCES
    assert cls.kinds == frozenset({Kind.DOI, Kind.ARXIV, Kind.PMID, Kind.REFERENCE})
    env = {"FACTCHECK_SEMANTICSCHOLAR_KEY": "k", "FACTCHECK_SEMANTICSCHOLAR_RATE": "10"}
    settings = settings_for(cls, Config.load(env, config_file=None))
    assert settings.key is not None and settings.key.get_secret_value() == "k"
    assert settings.url == "https://api.semanticscholar.org"
    assert limit_of(cls, Config()) == LIMIT
    assert limit_of(cls, Config.load(env, config_file=None)).rate == 10
