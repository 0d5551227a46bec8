"""`PubmedResolver`'s title search against `responses` mocks with hand-made answers in the
documented E-utilities shape: what is asked (a safe `[ti]` query, then one esummary for all
hits), which hit is accepted, when a miss is evidence (a journal article in a biomedical
venue), the request budget, and that trouble is FAILED."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import responses
from fakes.recordings import HANDMADE
from fakes.server import FakeApi

from factcheck.config import DEFAULT_SOURCES, Config
from factcheck.model import Author, Citation, Fields, Kind
from factcheck.net.http import Http
from factcheck.resolve.base import Outcome, guarded
from factcheck.resolve.pubmed import (
    MAX_QUERY_CHARS,
    RETMAX,
    PubmedResolver,
    covers,
    docsum_hit,
    is_biomedical_venue,
    title_query,
)

PUBMED = "https://eutils.test/entrez/eutils"
ESEARCH = f"{PUBMED}/esearch.fcgi"
ESUMMARY = f"{PUBMED}/esummary.fcgi"
MAILTO = "team@example.org"
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
# One tagged word of a query: lower-case letters and digits, then the title tag.
TERM = re.compile(r"[^\W_A-Z]+\[ti\]")


@pytest.fixture
def resolver() -> Iterator[PubmedResolver]:
    config = Config.load(env={}, pubmed_url=PUBMED, mailto=MAILTO, cache="none", retries=0)
    with Http(config) as http:
        yield PubmedResolver(http, config)


def cite(fields: Fields = CLAIM, raw: str = RAW) -> Citation:
    return Citation(kind=Kind.REFERENCE, raw=raw, start=0, end=len(raw), fields=fields)


def handmade(name: str) -> bytes:
    return (HANDMADE / "pubmed" / name).read_bytes()


def answer_search(mocked: responses.RequestsMock, search: str, summaries: str | None) -> None:
    mocked.get(ESEARCH, body=handmade(search))
    if summaries is not None:
        mocked.get(ESUMMARY, body=handmade(summaries))


def sent(mocked: responses.RequestsMock) -> list[tuple[str, dict[str, str]]]:
    """(path, query parameters) of each request, in order."""
    calls = []
    for call in mocked.calls:
        request: Any = call.request
        calls.append((request.path_url.split("?")[0], dict(request.params)))
    return calls


# ------------------------------------------------------------------------------ the query


def test_the_query_tags_every_title_word_and_joins_them_with_and() -> None:
    assert title_query(TITLE) == (
        "why[ti] AND most[ti] AND published[ti] AND research[ti] AND findings[ti] AND are[ti]"
        " AND false[ti]"
    )


@pytest.mark.parametrize(
    "title",
    [
        'Cancer[ti] OR "heart attack"[tiab] NOT (review[pt])',
        "#1 AND 2020:2024[dp]",
        "neoplasms/therapy[mh] AND vaccin*",
        "Smoking AND OR NOT lung cancer",
        'He said "NOT"; she said (AND)',
        "β-amyloid & tau_protein: {new} <data> \\ | ~3",
    ],
)
def test_a_hostile_title_cannot_write_query_syntax(title: str) -> None:
    terms = title_query(title).split(" AND ")
    assert terms
    assert all(TERM.fullmatch(t) for t in terms), terms
    assert not {"and[ti]", "or[ti]", "not[ti]"} & set(terms)


def test_function_words_and_single_letters_are_left_out() -> None:
    assert title_query("The effect of vitamin D on the risk of falls") == (
        "effect[ti] AND vitamin[ti] AND risk[ti] AND falls[ti]"
    )
    assert title_query("Alzheimer's disease") == "alzheimer[ti] AND disease[ti]"
    assert title_query("Of the, and a!") == ""


def test_a_long_title_is_cut_between_words() -> None:
    query = title_query(" ".join(f"word{n}" for n in range(200)))
    assert len(query) <= MAX_QUERY_CHARS
    assert query.endswith("[ti]")
    assert all(TERM.fullmatch(t) for t in query.split(" AND "))


# ------------------------------------------------------------------------------ search


def test_a_search_hit_costs_two_requests_and_is_validated(
    mocked: responses.RequestsMock, resolver: PubmedResolver
) -> None:
    answer_search(mocked, "esearch-why-most-published.json", "summaries-why-most-published.json")
    lookup = guarded(resolver, cite())
    assert lookup.outcome is Outcome.FOUND, lookup.reason
    record = lookup.records[0]
    # PubMed ranks the comment on the paper first; only the paper itself confirms the claim.
    assert (record.id, record.fields.pmid, record.fields.doi) == (
        "16060722",
        "16060722",
        "10.1371/journal.pmed.0020124",
    )
    assert record.fields.title == "Why most published research findings are false"
    assert record.url == "https://pubmed.ncbi.nlm.nih.gov/16060722/"
    (search_path, search), (summary_path, summary) = sent(mocked)
    assert (search_path, summary_path) == (
        "/entrez/eutils/esearch.fcgi",
        "/entrez/eutils/esummary.fcgi",
    )
    assert search == {
        "db": "pubmed",
        "term": title_query(TITLE),
        "retmode": "json",
        "retmax": str(RETMAX),
        "sort": "relevance",
        "tool": "factcheck",
        "email": MAILTO,
    }
    # One esummary for every hit; the id whose docsum is an error is skipped.
    assert summary == {
        "db": "pubmed",
        "id": "17456002,16060722,99999999",
        "retmode": "json",
        "tool": "factcheck",
        "email": MAILTO,
    }


def test_the_full_journal_name_is_a_venue_alias() -> None:
    docsum = {
        "uid": "1",
        "title": "A title.",
        "source": "N Engl J Med",
        "fulljournalname": "The New England journal of medicine",
    }
    hit = docsum_hit(docsum, "1")
    assert (hit.record.fields.container, hit.venue_aliases) == (
        "N Engl J Med",
        ["The New England journal of medicine"],
    )
    same = docsum_hit({**docsum, "fulljournalname": "N Engl J Med"}, "1")
    assert same.venue_aliases == []


def test_no_hits_is_one_request_and_missing(
    mocked: responses.RequestsMock, resolver: PubmedResolver
) -> None:
    answer_search(mocked, "esearch-empty.json", None)
    lookup = guarded(resolver, cite())
    assert lookup.outcome is Outcome.MISSING
    assert "found no work like this reference" in lookup.reason
    assert lookup.authoritative  # a journal article in PLoS Medicine (see `covers`)
    assert [path for path, _ in sent(mocked)] == ["/entrez/eutils/esearch.fcgi"]


def test_hits_that_do_not_confirm_the_claim_are_rejected(
    mocked: responses.RequestsMock, resolver: PubmedResolver
) -> None:
    answer_search(mocked, "esearch-why-most-published.json", "summaries-why-most-published.json")
    # The right title, but the authors, year and journal of another work.
    invented = CLAIM.model_copy(
        update={
            "authors": [Author(family="Smith", given="A.")],
            "year": 2019,
            "container": "Lancet",
            "volume": None,
            "pages": None,
        }
    )
    lookup = guarded(resolver, cite(invented))
    assert lookup.outcome is Outcome.MISSING
    assert lookup.reason.startswith("the closest hit in PubMed, “Why most published research")
    assert "authors:" in lookup.reason
    assert lookup.authoritative


def test_a_miss_outside_biomedicine_proves_nothing(
    mocked: responses.RequestsMock, resolver: PubmedResolver
) -> None:
    answer_search(mocked, "esearch-empty.json", None)
    history = CLAIM.model_copy(update={"container": "Journal of Medieval History"})
    assert not guarded(resolver, cite(history)).authoritative


def test_an_untitled_reference_is_not_searched(
    mocked: responses.RequestsMock, resolver: PubmedResolver
) -> None:
    for fields in (Fields(year=2005, container="Lancet"), Fields(title="On the", year=2005)):
        lookup = guarded(resolver, cite(fields))
        assert (lookup.outcome, lookup.authoritative) == (Outcome.MISSING, False)
        assert lookup.reason.startswith("not searched")
    assert not mocked.calls


# ------------------------------------------------------------------------------ trouble


def test_an_esearch_error_is_failed(
    mocked: responses.RequestsMock, resolver: PubmedResolver
) -> None:
    answer_search(mocked, "esearch-error.json", None)
    lookup = guarded(resolver, cite())
    assert lookup.outcome is Outcome.FAILED
    assert "nothing todo" in lookup.reason


@pytest.mark.parametrize("status", [400, 403])
def test_an_unexpected_esearch_status_is_failed(
    mocked: responses.RequestsMock, resolver: PubmedResolver, status: int
) -> None:
    mocked.get(ESEARCH, status=status)
    assert guarded(resolver, cite()).outcome is Outcome.FAILED


def test_a_broken_esummary_is_failed(
    mocked: responses.RequestsMock, resolver: PubmedResolver
) -> None:
    mocked.get(ESEARCH, body=handmade("esearch-why-most-published.json"))
    mocked.get(ESUMMARY, json={"header": {}, "esummaryresult": ["Unknown error"]})
    assert guarded(resolver, cite()).outcome is Outcome.FAILED
    mocked.replace(responses.GET, ESUMMARY, status=400)
    assert guarded(resolver, cite()).outcome is Outcome.FAILED


# ------------------------------------------------------------------------------ coverage


@pytest.mark.parametrize(
    ("venue", "biomedical"),
    [
        ("N Engl J Med", True),
        ("The Lancet", True),
        ("JAMA Netw Open", True),
        ("Journal of Clinical Oncology", True),
        ("Cell", True),
        ("PLoS Medicine", True),
        ("American Journal of Public Health", True),
        ("Nursing Research", True),
        ("Annals of Surgery", True),
        ("Journal of Molecular Biology", True),
        ("New Media & Society", False),
        ("Journal of Medieval History", False),
        ("Neurocomputing", False),
        ("Physical Review Letters", False),
        ("IEEE Transactions on Pattern Analysis and Machine Intelligence", False),
        ("", False),
    ],
)
def test_biomedical_venue_words(venue: str, biomedical: bool) -> None:
    assert is_biomedical_venue(venue) is biomedical


@pytest.mark.parametrize(
    ("update", "covered"),
    [
        ({}, True),
        ({"type": "paper-conference"}, False),
        ({"type": None}, False),
        ({"year": None}, False),
        ({"container": None}, False),
        ({"container": "bioRxiv"}, False),
        ({"container": "Econometrica"}, False),
    ],
)
def test_covers_a_dated_journal_article_in_a_biomedical_venue(
    update: dict[str, Any], covered: bool
) -> None:
    assert covers(CLAIM.model_copy(update=update)) is covered


# ------------------------------------------------------------------------------ wiring


def test_pubmed_searches_after_crossref_and_openalex() -> None:
    assert Kind.REFERENCE in PubmedResolver.kinds
    order = list(DEFAULT_SOURCES)
    assert order.index("crossref") < order.index("pubmed")
    assert order.index("openalex") < order.index("pubmed")


def test_the_fake_api_answers_a_search_with_no_hits(fake_api: FakeApi) -> None:
    config = fake_api.config(retries=0)
    before = fake_api.hits("/pubmed/esummary.fcgi")
    with Http(config) as http:
        lookup = guarded(PubmedResolver(http, config), cite())
    assert lookup.outcome is Outcome.MISSING, lookup.reason
    assert fake_api.hits("/pubmed/esummary.fcgi") == before
