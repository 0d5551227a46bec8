"""A claim every index misses is evidence: a research-paper entry that names its authors,
title and year, but no venue (or only placeholder authors), is `not_found` when every general
index asked answered and none holds it, with less confidence than a full entry and the
reason in its flags; a book, a report or a web page stays `unverifiable` (no index asked
covers it), and so does any claim when an index failed.

Every source is faked on 127.0.0.1 (`fake_api`, tests/fakes/server.py), which holds none
of these works."""

from __future__ import annotations

import pytest
from fakes.server import FakeApi, Fault, status

from factcheck.checker import Checker
from factcheck.flags import NOT_INDEXED, PLACEHOLDER_AUTHORS
from factcheck.judge.verdicts import CONF_BARE_MISS, CONF_SEARCH_MISS
from factcheck.model import Kind, Status, Verdict

SOURCES = ("openalex", "dblp", "arxiv")
SEARCHES = {"openalex": "/openalex/works", "dblp": "/dblp/search/publ/api"}
FAST = {"retries": 0, "retry_backoff": 0.0}
BARE = {
    "no-venue": "Khalid Rahman and Ana Petrova. Curriculum sampling for sparse reward"
    " navigation. 2024.",
    "no-venue-apa": "Okafor, M., & Brandt, L. (2019). Coral reef recovery after bleaching"
    " in warm shallow lagoons.",
    "placeholder-authors": "Author A and Author B. Tile-level scheduling for photonic"
    " interconnects. Journal of Lightwave Systems, 12(3):1-9, 2021.",
    "et-al-alone": "et al. Verifier-guided decoding for code models in the wild. 2023.",
}
NOT_COVERED = {
    "book": "Moreau, Claire, and Tomas Lindgren. Collected Letters from the Northern Coast."
    " Boston: Harbor House, 1998.",
    "report": "World Bank. Annual report on coastal water quality monitoring. Technical"
    " Report 42, World Bank Group, Washington, DC, 2019.",
    "web-page": "Park, M. (2021). How to calibrate thermal cameras for pump monitoring."
    " Retrieved from https://example.org/blog/thermal",
    # Laws, court cases, standards and patents: their venue-like parts ("OJ L 119",
    # "347 U.S. 483") are no journal's.
    "regulation": "Regulation (EU) 2016/679 of the European Parliament and of the Council"
    " (General Data Protection Regulation), OJ L 119, 4.5.2016, p. 1–88.",
    "act": "Civil Rights Act of 1964, Pub. L. No. 88-352, 78 Stat. 241 (1964).",
    "case": "Brown v. Board of Education, 347 U.S. 483 (1954).",
    "standard": "ISO 9001:2015. Quality management systems — Requirements. Geneva: ISO, 2015.",
    "patent": "Smith J, inventor; Acme Corp, assignee. Method for detecting leaks in pumps."
    " US patent 7,654,321. 2010 Jan 5.",
}


@pytest.fixture(autouse=True)
def _clean(fake_api: FakeApi) -> None:
    fake_api.reset()


def verdict_on(api: FakeApi, entry: str) -> Verdict:
    """The verdict on the one reference entry of a short reference list."""
    text = f"## References\n\n1. {entry}\n"
    with Checker(api.config(sources=SOURCES, **FAST)) as checker:
        report = checker.check(text)
    [finding] = [f for f in report.items if f.citation.kind is Kind.REFERENCE]
    return finding.verdict


@pytest.mark.parametrize("entry", BARE.values(), ids=BARE.keys())
def test_a_bare_entry_every_index_misses_is_not_found_with_less_confidence(
    fake_api: FakeApi, entry: str
) -> None:
    verdict = verdict_on(fake_api, entry)
    assert verdict.status is Status.NOT_FOUND, verdict.reason
    assert verdict.confidence == CONF_BARE_MISS < CONF_SEARCH_MISS
    assert NOT_INDEXED in verdict.flags
    assert "no venue or no real authors" in verdict.reason
    assert fake_api.hits(SEARCHES["openalex"]) >= 1


def test_placeholder_authors_are_flagged_as_such(fake_api: FakeApi) -> None:
    verdict = verdict_on(fake_api, BARE["placeholder-authors"])
    assert PLACEHOLDER_AUTHORS in verdict.flags


@pytest.mark.parametrize("entry", NOT_COVERED.values(), ids=NOT_COVERED.keys())
def test_books_reports_web_pages_and_laws_stay_unverifiable(fake_api: FakeApi, entry: str) -> None:
    verdict = verdict_on(fake_api, entry)
    assert verdict.status is Status.UNVERIFIABLE, verdict.reason
    assert NOT_INDEXED not in verdict.flags


@pytest.mark.parametrize("fault", [status(503), status(429, retry_after=60)], ids=["503", "429"])
@pytest.mark.parametrize("failing", SEARCHES)
@pytest.mark.parametrize("entry", [BARE["no-venue"], BARE["et-al-alone"]], ids=["venue", "et-al"])
def test_a_failing_index_leaves_a_bare_entry_unverifiable(
    fake_api: FakeApi, entry: str, failing: str, fault: Fault
) -> None:
    fake_api.inject_always(SEARCHES[failing], fault)
    verdict = verdict_on(fake_api, entry)
    assert verdict.status is Status.UNVERIFIABLE, verdict.reason
    assert NOT_INDEXED not in verdict.flags


@pytest.mark.parametrize(
    "entry",
    [
        "Smith, J. (2010). The Affordable Care Act of 2010 and access to care. Health Affairs,"
        " 29(6), 1-10.",
        "Lee K. Patent thickets and innovation in small firms. Res Policy. 2015;44(1):1-12.",
    ],
)
def test_an_article_about_a_law_or_patents_is_still_an_article(
    fake_api: FakeApi, entry: str
) -> None:
    verdict = verdict_on(fake_api, entry)
    assert verdict.status is Status.NOT_FOUND, verdict.reason
