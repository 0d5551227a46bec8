"""`DblpResolver` against `responses` mocks with hand-made answers in the documented shape:
how a hit maps to Fields, what is asked of DBLP, which hit is accepted, when a miss is
evidence (a claimed conference paper only), and that trouble is FAILED."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
import requests
import responses
from fakes.recordings import HANDMADE

from factcheck.config import Config
from factcheck.model import Author, Citation, Fields, Kind
from factcheck.net.http import Http
from factcheck.net.limits import PUBLIC_LIMITS
from factcheck.resolve.base import Outcome
from factcheck.resolve.dblp import HITS, DblpResolver, covers, info_hit, info_record, title_query
from factcheck.resolve.plugins import registry

DBLP = "https://dblp.test"
SEARCH = f"{DBLP}/search/publ/api"
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
    pages="5998-6008",
    type="paper-conference",
)


def handmade(name: str) -> dict[str, Any]:
    body: dict[str, Any] = json.loads((HANDMADE / "dblp" / name).read_bytes())
    return body


def infos(name: str) -> list[dict[str, Any]]:
    return [hit["info"] for hit in handmade(name)["result"]["hits"]["hit"]]


@pytest.fixture
def resolver() -> Iterator[DblpResolver]:
    config = Config.load(env={}, dblp_url=DBLP, cache="none", retries=0)
    with Http(config) as http:
        yield DblpResolver(http, config)


def cite(raw: str = RAW, fields: Fields = CLAIM) -> Citation:
    return Citation(kind=Kind.REFERENCE, raw=raw, start=0, end=len(raw), fields=fields)


# ------------------------------------------------------------------------------ mapping


def test_a_conference_paper_maps_to_fields() -> None:
    record = info_record(infos("search-attention.json")[1])
    fields = record.fields
    assert fields.title == "Attention is All you Need"  # DBLP's closing period dropped
    assert fields.authors[0] == Author(family="Vaswani", given="Ashish")
    assert fields.authors[5] == Author(family="Gomez", given="Aidan N.")
    assert len(fields.authors) == 8
    assert (fields.year, fields.container, fields.pages, fields.type) == (
        2017,
        "NIPS",
        "5998-6008",
        "paper-conference",
    )
    assert fields.doi is None and fields.url and fields.url.startswith("https://proceedings.")
    assert (record.source, record.id) == ("dblp", "conf/nips/VaswaniSPUJGKP17")
    assert record.url == "https://dblp.org/rec/conf/nips/VaswaniSPUJGKP17"
    # The key's stream is another name of the venue.
    assert info_hit(infos("search-attention.json")[1]).venue_aliases == ["nips"]


def test_a_corr_entry_is_a_preprint_with_its_doi() -> None:
    record = info_record(infos("search-attention.json")[0])
    assert record.fields.type == "posted-content"
    assert record.fields.doi == "10.48550/ARXIV.1706.03762"
    assert (record.id, record.url) == (
        "10.48550/ARXIV.1706.03762",
        "https://doi.org/10.48550/ARXIV.1706.03762",
    )


def test_one_author_a_homonym_number_a_venue_list_and_links() -> None:
    info = {
        "authors": {"author": {"@pid": "w/WeiWang1", "text": "Wei Wang 0001"}},
        "title": "Why Is It So?",
        "venue": ["ICLR", "OpenReview.net"],
        "year": "2020",
        "type": "Journal Articles",
        "volume": "12",
        "number": "3",
        "key": "journals/x/Wang20",
        "ee": ["https://arxiv.org/abs/2001.00001v2", "https://doi.org/10.1000/xyz"],
    }
    hit = info_hit(info)
    fields = hit.record.fields
    assert fields.authors == [Author(family="Wang", given="Wei")]
    assert fields.title == "Why Is It So?"
    assert (fields.container, fields.volume, fields.issue) == ("ICLR", "12", "3")
    assert (fields.doi, fields.arxiv, fields.type) == (
        "10.1000/xyz",
        "2001.00001",
        "article-journal",
    )
    assert hit.venue_aliases == ["OpenReview.net", "x"]


# ------------------------------------------------------------------------------ search


def test_the_hit_that_the_fields_confirm_is_found(
    resolver: DblpResolver, mocked: responses.RequestsMock
) -> None:
    mocked.get(SEARCH, json=handmade("search-attention.json"))
    lookup = resolver.lookup(cite())
    assert lookup.outcome is Outcome.FOUND, lookup.reason
    # The proceedings paper outranks the CoRR preprint: its venue and pages agree too.
    assert lookup.records[0].id == "conf/nips/VaswaniSPUJGKP17"


def test_one_request_with_the_title_words_json_and_five_hits(
    resolver: DblpResolver, mocked: responses.RequestsMock
) -> None:
    mocked.get(SEARCH, json=handmade("search-attention.json"))
    resolver.lookup(cite(fields=CLAIM.model_copy(update={"title": "Attention: is all you need!"})))
    assert len(mocked.calls) == 1
    params = parse_qs(urlparse(mocked.calls[0].request.url or "").query)
    assert params == {
        "q": ["Attention is all you need"],
        "format": ["json"],
        "h": [str(HITS)],
        "c": ["0"],
    }


def test_title_words_lose_punctuation() -> None:
    assert (
        title_query("Self-consistency | chain-of-thought.") == "Self consistency chain of thought"
    )


def test_another_work_is_rejected_naming_the_closest_hit(
    resolver: DblpResolver, mocked: responses.RequestsMock
) -> None:
    mocked.get(SEARCH, json=handmade("search-attention.json"))
    other = CLAIM.model_copy(
        update={
            "title": "Attention is all you need for graphs",
            "authors": [Author(family="Smith", given="J.")],
            "year": 2023,
            "container": "ICML",
            "pages": None,
        }
    )
    lookup = resolver.lookup(cite(raw="Smith, J. (2023). Attention...", fields=other))
    assert lookup.outcome is Outcome.MISSING
    assert "closest hit in DBLP" in lookup.reason and "Attention" in lookup.reason
    assert lookup.authoritative


def test_no_hits_is_missing_authoritative_only_for_a_conference_paper(
    resolver: DblpResolver, mocked: responses.RequestsMock
) -> None:
    mocked.get(SEARCH, json=handmade("search-empty.json"))
    lookup = resolver.lookup(cite())
    assert lookup.outcome is Outcome.MISSING and lookup.authoritative
    assert "found no work" in lookup.reason
    article = CLAIM.model_copy(update={"type": "article-journal", "container": "Nature"})
    assert not resolver.lookup(cite(fields=article)).authoritative


def test_covers_claimed_conference_papers_with_title_and_year_only() -> None:
    assert covers(CLAIM)
    assert covers(CLAIM.model_copy(update={"container": None}))
    for update in (
        {"type": "article-journal"},
        {"type": "preprint"},
        {"type": None},
        {"title": None},
        {"container": "arXiv"},
        {"year": None},
    ):
        assert not covers(CLAIM.model_copy(update=update))


def test_an_entry_without_a_title_is_not_searched(
    resolver: DblpResolver, mocked: responses.RequestsMock
) -> None:
    lookup = resolver.lookup(cite(fields=CLAIM.model_copy(update={"title": None})))
    assert lookup.outcome is Outcome.MISSING and not lookup.authoritative
    assert not mocked.calls


def test_a_single_hit_object_is_read_as_one_hit(
    resolver: DblpResolver, mocked: responses.RequestsMock
) -> None:
    answer = handmade("search-attention.json")
    answer["result"]["hits"]["hit"] = answer["result"]["hits"]["hit"][1]
    mocked.get(SEARCH, json=answer)
    assert resolver.lookup(cite()).outcome is Outcome.FOUND


@pytest.mark.parametrize(
    "reply",
    [
        {"status": 500, "body": "oops"},
        {"status": 429, "body": "", "headers": {"Retry-After": "60"}},
        {"status": 400, "body": "bad query"},
        {"status": 200, "body": "<html>not json</html>"},
        {"status": 200, "json": {"result": {"status": {"@code": "200"}}}},
        {"body": requests.ConnectionError("reset")},
    ],
)
def test_trouble_is_failed(
    resolver: DblpResolver, mocked: responses.RequestsMock, reply: dict[str, Any]
) -> None:
    mocked.get(SEARCH, **reply)
    assert resolver.lookup(cite()).outcome is Outcome.FAILED


def test_registered_for_references_with_a_gentle_limit() -> None:
    assert registry()["dblp"] is DblpResolver
    assert DblpResolver.kinds == {Kind.REFERENCE}
    limit = PUBLIC_LIMITS["dblp"]
    assert limit.rate <= 1 and limit.concurrency == 1
