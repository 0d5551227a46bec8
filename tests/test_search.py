"""`CrossrefSearchResolver` against `responses` mocks: which hit is accepted, the score floor,
why hits are rejected, what is asked of Crossref, and that trouble is FAILED, never MISSING."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
import requests
import responses

from factcheck.config import Config
from factcheck.model import Author, Citation, Fields, Kind
from factcheck.net.http import Http
from factcheck.resolve.base import Outcome
from factcheck.resolve.search import (
    ROWS,
    CrossrefSearchResolver,
    query_text,
    score_floor,
)

CROSSREF = "https://api.crossref.test"
WORKS = f"{CROSSREF}/works"
MAILTO = "team@example.org"
RAW = (
    "1. Wang, X., Wei, J., Schuurmans, D., & Le, Q. (2023). *Self-consistency improves chain "
    "of thought reasoning in language models*. In [ICLR](https://openreview.net)."
)
CLAIM = Fields(
    title="Self-consistency improves chain of thought reasoning in language models",
    authors=[
        Author(family="Wang", given="X."),
        Author(family="Wei", given="J."),
        Author(family="Schuurmans", given="D."),
        Author(family="Le", given="Q."),
    ],
    year=2023,
    container="ICLR",
)


def work(title: str, score: float, *, doi: str = "10.1/right", **extra: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "DOI": doi,
        "title": [title],
        "author": [
            {"family": "Wang", "given": "Xuezhi"},
            {"family": "Wei", "given": "Jason"},
            {"family": "Schuurmans", "given": "Dale"},
            {"family": "Le", "given": "Quoc"},
        ],
        "issued": {"date-parts": [[2023]]},
        "container-title": ["The 11th International Conference on Learning Representations"],
        "type": "proceedings-article",
        "score": score,
    }
    item.update(extra)
    return item


RIGHT = work("Self-Consistency Improves Chain of Thought Reasoning in Language Models", 90.0)


def answer(*items: dict[str, Any]) -> dict[str, Any]:
    return {"status": "ok", "message-type": "work-list", "message": {"items": list(items)}}


@pytest.fixture
def resolver() -> Iterator[CrossrefSearchResolver]:
    config = Config.load(env={}, crossref_url=CROSSREF, mailto=MAILTO, cache="none", retries=0)
    with Http(config) as http:
        yield CrossrefSearchResolver(http, config)


def cite(raw: str = RAW, fields: Fields = CLAIM) -> Citation:
    return Citation(kind=Kind.REFERENCE, raw=raw, start=0, end=len(raw), fields=fields)


def test_the_hit_that_the_fields_confirm_is_found(
    resolver: CrossrefSearchResolver, mocked: responses.RequestsMock
) -> None:
    decoy = work("Chain of thought prompting elicits reasoning", 95.0, doi="10.1/decoy")
    mocked.get(WORKS, json=answer(decoy, RIGHT))
    lookup = resolver.lookup(cite())
    assert lookup.outcome is Outcome.FOUND
    assert lookup.records[0].id == "10.1/right"
    assert lookup.records[0].source == "crossref"


def test_one_request_with_the_cleaned_reference_rows_select_and_mailto(
    resolver: CrossrefSearchResolver, mocked: responses.RequestsMock
) -> None:
    mocked.get(WORKS, json=answer(RIGHT))
    resolver.lookup(cite())
    assert len(mocked.calls) == 1
    params = parse_qs(urlparse(mocked.calls[0].request.url or "").query)
    query = params["query.bibliographic"][0]
    assert query.startswith("Wang, X., Wei, J.")
    assert "*" not in query and "](" not in query and "ICLR" in query
    assert params["rows"] == [str(ROWS)]
    assert params["mailto"] == [MAILTO]
    assert set(params["select"][0].split(",")) >= {"DOI", "title", "author", "score", "type"}


def test_a_bibtex_entry_is_searched_by_its_fields() -> None:
    entry = "@inproceedings{wang2023, title = {Self-consistency}, author = {Wang, Xuezhi}}"
    fields = Fields(title="Self-consistency", authors=[Author(family="Wang")], year=2023)
    assert query_text(cite(entry, fields)) == "Wang Self-consistency 2023"


def test_hits_under_the_score_floor_are_not_considered(
    resolver: CrossrefSearchResolver, mocked: responses.RequestsMock
) -> None:
    weak = work(RIGHT["title"][0], score_floor(query_text(cite()), CLAIM) - 1)
    mocked.get(WORKS, json=answer(weak))
    lookup = resolver.lookup(cite())
    assert lookup.outcome is Outcome.MISSING
    assert "none close enough" in lookup.reason


def test_the_floor_grows_with_the_query() -> None:
    assert score_floor("a b c d") * 2 == score_floor("a b c d e f g h")


def test_a_long_author_list_does_not_raise_the_floor_over_a_record_of_first_authors(
    resolver: CrossrefSearchResolver, mocked: responses.RequestsMock
) -> None:
    """A record that lists only its first author shares little of a query naming thirty
    people; title, venue and year still name the work."""
    people = [Author(family=f"Colleague{chr(65 + i % 26)}{i}", given="A. B.") for i in range(30)]
    names = ", ".join(f"{a.family}, {a.given}" for a in people)
    claim = CLAIM.model_copy(update={"authors": [CLAIM.authors[0], *people]})
    raw = f"Wang, X., {names} (2023). {CLAIM.title}. In ICLR."
    short = score_floor(query_text(cite()), CLAIM)
    assert score_floor(query_text(cite(raw, claim)), claim) < short + 10
    first_only = work(RIGHT["title"][0], short + 5, author=[{"family": "Wang", "given": "Xuezhi"}])
    mocked.get(WORKS, json=answer(first_only))
    assert resolver.lookup(cite(raw, claim)).outcome is Outcome.FOUND


@pytest.mark.parametrize(
    "link",
    [
        "Available at: https://doi.org/10.48550/arXiv.2204.14198.",
        "doi:10.1145/3548606.3560601",
        "arXiv:2106.09685v2 [cs.CL]",
        "Retrieved from www.example.org/papers/2024/sandbox-paper.pdf",
    ],
)
def test_links_and_identifiers_do_not_raise_the_floor(link: str) -> None:
    """A record holds no link or identifier in the fields a search scores: an entry's DOI
    or URL must not lift the floor over the published version searched for."""
    query = query_text(cite())
    assert score_floor(f"{query} {link}", CLAIM) <= score_floor(query, CLAIM) + 2


@pytest.mark.parametrize("kept", [0, 1, 3])
def test_the_first_authors_still_count_toward_the_floor(kept: int) -> None:
    authors = [Author(family=f"Name{i}", given="A.") for i in range(kept)]
    query = " ".join(f"Name{i} A." for i in range(kept)) + " Some title words here"
    assert score_floor(query, Fields(authors=authors)) == score_floor(query)


def test_a_near_miss_title_with_the_right_authors_is_found_for_the_judge(
    resolver: CrossrefSearchResolver, mocked: responses.RequestsMock
) -> None:
    mocked.get(WORKS, json=answer(RIGHT))
    near_miss = "Self-consistency improves chain of thought inference in language models"
    claim = CLAIM.model_copy(update={"title": near_miss})
    assert resolver.lookup(cite(fields=claim)).outcome is Outcome.FOUND


def test_a_hit_with_another_title_is_rejected_with_the_reason(
    resolver: CrossrefSearchResolver, mocked: responses.RequestsMock
) -> None:
    mocked.get(WORKS, json=answer(work("Deep residual learning for image recognition", 90.0)))
    lookup = resolver.lookup(cite())
    assert lookup.outcome is Outcome.MISSING and not lookup.authoritative
    assert "Deep residual learning" in lookup.reason and "10.1/right" in lookup.reason
    assert "title" in lookup.reason


def test_a_right_title_with_nothing_else_agreeing_is_rejected(
    resolver: CrossrefSearchResolver, mocked: responses.RequestsMock
) -> None:
    other = work(RIGHT["title"][0], 90.0, author=[{"family": "Smith", "given": "Ann"}])
    other.update({"issued": {"date-parts": [[2015]]}, "container-title": ["Nature"]})
    mocked.get(WORKS, json=answer(other))
    lookup = resolver.lookup(cite())
    assert lookup.outcome is Outcome.MISSING
    assert "authors:" in lookup.reason and "year:" in lookup.reason


def test_a_journal_article_or_paper_that_search_cannot_find_is_an_authoritative_miss(
    resolver: CrossrefSearchResolver, mocked: responses.RequestsMock
) -> None:
    mocked.get(WORKS, json=answer(work("Deep residual learning for image recognition", 90.0)))
    article = CLAIM.model_copy(update={"type": "article-journal", "container": "Nature"})
    assert resolver.lookup(cite(fields=article)).authoritative
    paper = article.model_copy(update={"type": "paper-conference", "container": "Proc. ICML"})
    assert resolver.lookup(cite(fields=paper)).authoritative
    assert resolver.lookup(cite(fields=paper.model_copy(update={"container": None}))).authoritative
    # Books, preprints and claims without a year: Crossref may not hold them, or cannot tell.
    for update in ({"type": "book"}, {"container": "arXiv"}, {"year": None}):
        claim = article.model_copy(update=update)
        assert not resolver.lookup(cite(fields=claim)).authoritative


def test_no_hits_is_missing_never_authoritative(
    resolver: CrossrefSearchResolver, mocked: responses.RequestsMock
) -> None:
    mocked.get(WORKS, json=answer())
    lookup = resolver.lookup(cite())
    assert lookup.outcome is Outcome.MISSING and not lookup.authoritative
    assert "found no work" in lookup.reason


def test_an_entry_without_a_title_is_not_searched(
    resolver: CrossrefSearchResolver, mocked: responses.RequestsMock
) -> None:
    lookup = resolver.lookup(cite(fields=CLAIM.model_copy(update={"title": None})))
    assert lookup.outcome is Outcome.MISSING and not lookup.authoritative
    assert not mocked.calls


@pytest.mark.parametrize(
    "reply",
    [
        {"status": 500, "body": "oops"},
        {"status": 400, "json": {"status": "failed"}},
        {"status": 200, "body": "<html>not json</html>"},
        {"status": 200, "json": {"status": "ok", "message": {"no": "items"}}},
        {"body": requests.ConnectionError("reset")},
    ],
)
def test_trouble_is_failed(
    resolver: CrossrefSearchResolver, mocked: responses.RequestsMock, reply: dict[str, Any]
) -> None:
    mocked.get(WORKS, **reply)
    assert resolver.lookup(cite()).outcome is Outcome.FAILED


def test_an_untitled_work_is_counted_but_never_named_as_the_closest_hit(
    resolver: CrossrefSearchResolver, mocked: responses.RequestsMock
) -> None:
    """As in every search (`searching.SearchResolver`): nothing could confirm a hit without a
    title, so a reason naming it as the closest would point at no work."""
    untitled = work("", 95.0, doi="10.1/untitled")
    del untitled["title"]
    mocked.get(WORKS, json=answer(untitled))
    lookup = resolver.lookup(cite())
    assert lookup.outcome is Outcome.MISSING
    assert lookup.reason == "Crossref's search found 1 work(s), none close enough to this reference"
