"""`EuropePmcResolver` against `responses` mocks with hand-made answers in the documented
`resultType=core` shape: how an article and a preprint map to Fields, what is asked (a
`TITLE:(…)` query no title can turn into operators), which hit is accepted, when a miss is
evidence (a biomedical journal, bioRxiv or medRxiv), and that trouble is FAILED."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
import responses
from fakes.recordings import HANDMADE

from factcheck.config import DEFAULT_SOURCES, Config
from factcheck.model import Author, Citation, Fields, Kind
from factcheck.net.http import Http
from factcheck.resolve.base import Outcome
from factcheck.resolve.europepmc import (
    LIMIT,
    MAX_QUERY_CHARS,
    PAGE_SIZE,
    EuropePmcResolver,
    article_hit,
    article_record,
    covers,
    title_query,
)
from factcheck.resolve.plugins import load
from factcheck.resolve.settings import limit_of, settings_for

EPMC = "https://epmc.test/rest"
SEARCH = f"{EPMC}/search"
TITLE = "Why Most Published Research Findings Are False"
CLAIM = Fields(
    title=TITLE,
    authors=[Author(family="Ioannidis", given="J. P. A.")],
    year=2005,
    container="PLoS Medicine",
    volume="2",
    pages="e124",
    type="article-journal",
)
RAW = f"Ioannidis, J. P. A. (2005). {TITLE}. PLoS Medicine, 2(8), e124."
PREPRINT_TITLE = "Creating a universal SNP and small indel variant caller with deep neural networks"
PREPRINT = Fields(
    title=PREPRINT_TITLE,
    authors=[Author(family="Poplin", given="R."), Author(family="Newburger", given="D.")],
    year=2016,
    container="bioRxiv",
    type="preprint",
)
# What a query may hold: the field, and lower-case words in parentheses.
QUERY = re.compile(r"TITLE:\((?:[^\W_A-Z]+ )*[^\W_A-Z]+\)")


def handmade(name: str) -> dict[str, Any]:
    body: dict[str, Any] = json.loads((HANDMADE / "europepmc" / name).read_bytes())
    return body


def articles() -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = handmade("search-why-most-published.json")["resultList"][
        "result"
    ]
    return result


@pytest.fixture
def resolver() -> Iterator[EuropePmcResolver]:
    config = Config.load(env={}, cache="none", retries=0, plugins={"europepmc": {"url": EPMC}})
    with Http(config) as http:
        yield EuropePmcResolver(http, config)


def cite(raw: str = RAW, fields: Fields = CLAIM) -> Citation:
    return Citation(kind=Kind.REFERENCE, raw=raw, start=0, end=len(raw), fields=fields)


# ------------------------------------------------------------------------------ mapping


def test_a_pubmed_article_maps_to_fields() -> None:
    record = article_record(articles()[0])
    fields = record.fields
    assert fields.title == "Why most published research findings are false"  # period dropped
    assert fields.authors == [Author(family="Ioannidis", given="John P A")]
    assert (fields.year, fields.container, fields.volume, fields.issue, fields.pages) == (
        2005,
        "PLoS medicine",
        "2",
        "8",
        "e124",
    )
    assert (fields.doi, fields.pmid, fields.pmcid) == (
        "10.1371/journal.pmed.0020124",
        "16060722",
        "PMC1182327",
    )
    assert fields.type == "article-journal"
    assert record.id == "10.1371/journal.pmed.0020124"
    assert record.url == "https://europepmc.org/article/MED/16060722"
    assert article_hit(articles()[0]).venue_aliases == ["PLoS Med"]


def test_a_preprint_is_placed_on_its_server() -> None:
    fields = article_record(articles()[1]).fields
    assert (fields.container, fields.type, fields.year) == ("bioRxiv", "posted-content", 2016)
    assert fields.authors[0] == Author(family="Poplin", given="Ryan")


@pytest.mark.parametrize(
    ("author", "expected"),
    [
        ({"fullName": "Smith JA"}, Author(family="Smith", given="JA")),
        ({"collectiveName": "The ATLAS Collaboration"}, Author(name="The ATLAS Collaboration")),
        ({"lastName": "Doe", "initials": "J"}, Author(family="Doe", given="J")),
        ({"fullName": "Plato"}, Author(family="Plato")),
    ],
)
def test_authors_of_every_form(author: dict[str, str], expected: Author) -> None:
    article = {"title": "T", "authorList": {"author": [author]}}
    assert article_record(article).fields.authors == [expected]


def test_a_retracted_publication_is_flagged() -> None:
    article = {**articles()[0], "pubTypeList": {"pubType": ["Retracted Publication"]}}
    assert article_record(article).flags == ["retracted"]


# ------------------------------------------------------------------------------ the query


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        (TITLE, "TITLE:(why most published research findings are false)"),
        ("Cats AND dogs OR (mice) NOT rats", "TITLE:(cats dogs mice rats)"),
        ('TITLE:"x" AUTH:y* [z] ~2 ^3', "TITLE:(title auth)"),
        ("of the and", ""),
    ],
)
def test_the_query_is_the_titles_words_without_operators(title: str, expected: str) -> None:
    assert title_query(title) == expected


def test_a_long_title_is_cut_at_whole_words() -> None:
    query = title_query("word " * 200)
    assert len(query) <= MAX_QUERY_CHARS + len("TITLE:()")
    assert QUERY.fullmatch(query)


def test_one_request_with_the_title_query_core_json_and_five_results(
    resolver: EuropePmcResolver, mocked: responses.RequestsMock
) -> None:
    mocked.get(SEARCH, json=handmade("search-why-most-published.json"))
    lookup = resolver.lookup(cite())
    assert lookup.outcome is Outcome.FOUND
    assert lookup.records[0].fields.pmid == "16060722"
    [call] = mocked.calls
    params = parse_qs(urlparse(call.request.url).query)
    assert params == {
        "query": ["TITLE:(why most published research findings are false)"],
        "format": ["json"],
        "resultType": ["core"],
        "pageSize": [str(PAGE_SIZE)],
    }


def test_a_preprint_is_found_by_its_title(
    resolver: EuropePmcResolver, mocked: responses.RequestsMock
) -> None:
    mocked.get(SEARCH, json=handmade("search-why-most-published.json"))
    lookup = resolver.lookup(cite("Poplin, R. et al. (2016). …", PREPRINT))
    assert lookup.outcome is Outcome.FOUND
    assert lookup.records[0].fields.doi == "10.1101/092890"


def test_another_work_is_rejected_naming_the_closest_hit(
    resolver: EuropePmcResolver, mocked: responses.RequestsMock
) -> None:
    mocked.get(SEARCH, json=handmade("search-why-most-published.json"))
    claim = Fields(
        title="Why most published findings in cardiology are true",
        authors=[Author(family="Smith", given="J.")],
        year=2019,
        container="Circulation",
        type="article-journal",
    )
    lookup = resolver.lookup(cite(fields=claim))
    assert lookup.outcome is Outcome.MISSING
    assert "the closest hit in Europe PMC" in lookup.reason


# ------------------------------------------------------------------------------ silence


def test_no_result_is_a_miss_authoritative_only_where_it_covers(
    resolver: EuropePmcResolver, mocked: responses.RequestsMock
) -> None:
    mocked.get(SEARCH, json=handmade("search-empty.json"))
    assert resolver.lookup(cite()).authoritative is True
    engineering = CLAIM.model_copy(update={"container": "IEEE Transactions on Robotics"})
    lookup = resolver.lookup(cite(fields=engineering))
    assert (lookup.outcome, lookup.authoritative) == (Outcome.MISSING, False)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (CLAIM, True),
        (CLAIM.model_copy(update={"container": "The Lancet"}), True),
        (CLAIM.model_copy(update={"container": "Neurocomputing"}), False),
        (CLAIM.model_copy(update={"year": None}), False),
        (PREPRINT, True),
        (PREPRINT.model_copy(update={"container": "medRxiv"}), True),
        (PREPRINT.model_copy(update={"container": "arXiv preprint"}), False),
        (PREPRINT.model_copy(update={"year": None}), False),
        (CLAIM.model_copy(update={"type": "book", "container": None}), False),
    ],
)
def test_covers(fields: Fields, expected: bool) -> None:
    assert covers(fields) is expected


@pytest.mark.parametrize(
    "body", [{"hitCount": 0}, {"resultList": {}}, {"resultList": {"result": {}}}, []]
)
def test_an_answer_without_its_result_list_is_failed(
    resolver: EuropePmcResolver, mocked: responses.RequestsMock, body: Any
) -> None:
    mocked.get(SEARCH, json=body)
    lookup = resolver.lookup(cite())
    assert lookup.outcome is Outcome.FAILED
    assert lookup.reason == "europepmc answered HTTP 200 without a list of hits"


def test_registered_off_by_default_for_references_with_its_limit() -> None:
    (cls,) = load(["europepmc"])
    assert cls is EuropePmcResolver
    assert "europepmc" not in DEFAULT_SOURCES
    assert cls.kinds == frozenset({Kind.REFERENCE})
    assert limit_of(cls, Config()) == LIMIT
    assert settings_for(cls, Config()).url == "https://www.ebi.ac.uk/europepmc/webservices/rest"
