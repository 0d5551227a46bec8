"""The API resolvers against `responses` mocks with real recorded (or documented-shape) bodies.

Each test shows one rule of a resolver: how a source's answer maps to Fields, which answers
prove absence (authoritative MISSING), and which prove nothing (FAILED).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
import requests
import responses
from fakes.recordings import HANDMADE, Corpus, load

from factcheck.config import Config
from factcheck.ids import path_segment
from factcheck.model import Author, Citation, Fields, Kind
from factcheck.net.http import Http
from factcheck.resolve.arxiv import ArxivResolver, split_name
from factcheck.resolve.base import Lookup, Outcome, guarded
from factcheck.resolve.common import split_arxiv_id
from factcheck.resolve.crossref import CrossrefResolver
from factcheck.resolve.doi import DoiResolver
from factcheck.resolve.mapping import (
    csl_author,
    csl_fields,
    update_flags,
    venue_names,
    year_of_date,
)
from factcheck.resolve.openlibrary import OpenLibraryResolver, normalize_isbn
from factcheck.resolve.pubmed import PubmedResolver

CROSSREF = "https://api.crossref.test"
DOI_ORG = "https://doi.test"
ARXIV = "https://arxiv.test/api"
PUBMED = "https://eutils.test/entrez/eutils"
OPENLIBRARY = "https://openlibrary.test"
MAILTO = "team@example.org"
PLOS = "10.1371/journal.pone.0033693"
WAKEFIELD = "10.1016/S0140-6736(97)11096-0"
NOTICE = "10.1016/S0140-6736(10)60175-4"
ZENODO = "10.5281/zenodo.48440"
ARXIV_DOI = "10.48550/arXiv.2311.16162"
SICI = "10.1002/(SICI)1097-4571(199806)49:8<693::AID-ASI4>3.0.CO;2-0"


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    return Corpus.build()


@pytest.fixture
def config() -> Config:
    return Config.load(
        env={},
        crossref_url=CROSSREF,
        doi_url=DOI_ORG,
        arxiv_url=ARXIV,
        pubmed_url=PUBMED,
        openlibrary_url=OPENLIBRARY,
        mailto=MAILTO,
        cache="none",
        retries=0,
    )


@pytest.fixture
def http(config: Config) -> Iterator[Http]:
    with Http(config) as client:
        yield client


def cite(kind: Kind, value: str) -> Citation:
    field = {
        Kind.DOI: "doi",
        Kind.ARXIV: "arxiv",
        Kind.PMID: "pmid",
        Kind.PMCID: "pmcid",
        Kind.ISBN: "isbn",
    }[kind]
    return Citation(kind=kind, raw=value, start=0, end=len(value), fields=Fields(**{field: value}))


def work_url(doi: str) -> str:
    return f"{CROSSREF}/works/{path_segment(doi)}"


def envelope(message: dict[str, Any]) -> bytes:
    return json.dumps({"status": "ok", "message-type": "work", "message": message}).encode()


def handmade(path: str) -> bytes:
    return (HANDMADE / path).read_bytes()


def only_record(lookup: Lookup) -> Any:
    assert lookup.outcome is Outcome.FOUND, lookup.reason
    assert len(lookup.records) == 1
    return lookup.records[0]


# ---------------------------------------------------------------------------------- Crossref


def test_crossref_maps_a_recorded_work(
    mocked: responses.RequestsMock, http: Http, config: Config, corpus: Corpus
) -> None:
    mocked.get(work_url(PLOS), body=envelope(corpus.crossref[PLOS.lower()]))
    record = only_record(guarded(CrossrefResolver(http, config), cite(Kind.DOI, PLOS)))
    fields = record.fields
    assert fields.title.startswith("Methylphenidate Exposure Induces Dopamine Neuron Loss")
    assert fields.authors[0] == Author(family="Sadasivan", given="Shankar")
    assert len(fields.authors) == 6
    assert (fields.year, fields.container, fields.volume, fields.issue, fields.pages) == (
        2012,
        "PLoS ONE",
        "7",
        "3",
        "e33693",
    )
    assert fields.publisher == "Public Library of Science (PLoS)"
    assert (fields.doi, fields.type) == (PLOS, "journal-article")
    assert (record.source, record.id, record.url) == ("crossref", PLOS, f"https://doi.org/{PLOS}")
    assert record.flags == []  # its `updated-by` is a correction, not a retraction


def test_crossref_sends_mailto_and_encodes_the_doi_as_one_segment(
    mocked: responses.RequestsMock, http: Http, config: Config
) -> None:
    mocked.get(work_url(SICI), status=404, body="Resource not found.")
    guarded(CrossrefResolver(http, config), cite(Kind.DOI, SICI))
    sent = mocked.calls[0].request.url or ""
    assert (
        "/works/10.1002%2F%28SICI%291097-4571%28199806%2949%3A8%3C693%3A%3AAID-ASI4%3E3.0.CO%3B2-0?"
        in sent
    )
    assert f"mailto={MAILTO.replace('@', '%40')}" in sent


@pytest.mark.parametrize(
    ("fixture", "doi", "flags"),
    [
        ("crossref/retracted-work.json", WAKEFIELD, ["retracted"]),
        ("crossref/retraction-notice.json", NOTICE, ["retraction_notice"]),
    ],
)
def test_crossref_flags_retractions(
    mocked: responses.RequestsMock,
    http: Http,
    config: Config,
    fixture: str,
    doi: str,
    flags: list[str],
) -> None:
    mocked.get(work_url(doi), body=handmade(fixture))
    record = only_record(guarded(CrossrefResolver(http, config), cite(Kind.DOI, doi)))
    assert record.flags == flags


def test_crossref_organisation_author_and_unknown_date(corpus: Corpus) -> None:
    notice = json.loads(handmade("crossref/retraction-notice.json"))["message"]
    assert csl_author(notice["author"][0]) == Author(name="The Editors of The Lancet")
    # Crossref writes an unknown date as [[null]]; the recorded ICDCSW paper has one.
    assert corpus.crossref["10.1109/icdcsw.2003.1203662"]["issued"] == {"date-parts": [[None]]}
    assert year_of_date({"date-parts": [[None]]}) is None


def test_a_new_version_pointing_at_itself_is_no_notice(corpus: Corpus) -> None:
    # Recorded PLOS Pathogens work: `updated-by` and `update-to` both say new_version.
    assert update_flags(corpus.crossref["10.1371/journal.ppat.1008184"]) == []


def test_crossref_404_is_missing_but_not_authoritative(
    mocked: responses.RequestsMock, http: Http, config: Config
) -> None:
    recorded = next(r for r in load() if r.url.endswith("/works/10.1371/notarealdoi"))
    mocked.get(work_url("10.1371/notarealdoi"), status=recorded.status, body=recorded.body)
    lookup = guarded(CrossrefResolver(http, config), cite(Kind.DOI, "10.1371/notarealdoi"))
    assert lookup.outcome is Outcome.MISSING
    assert lookup.authoritative is False


def test_crossref_is_not_asked_for_a_datacite_doi(
    mocked: responses.RequestsMock, http: Http, config: Config
) -> None:
    lookup = guarded(CrossrefResolver(http, config), cite(Kind.DOI, ARXIV_DOI))
    assert lookup.outcome is Outcome.MISSING and not lookup.authoritative
    assert "DataCite" in lookup.reason
    assert len(mocked.calls) == 0


def test_crossref_400_is_failed(mocked: responses.RequestsMock, http: Http, config: Config) -> None:
    recorded = next(r for r in load() if r.status == 400)  # Crossref's validation-failure body
    mocked.get(work_url(PLOS), status=400, body=recorded.body)
    lookup = guarded(CrossrefResolver(http, config), cite(Kind.DOI, PLOS))
    assert lookup.outcome is Outcome.FAILED
    assert "HTTP 400" in lookup.reason


@pytest.mark.parametrize("body", [b"{not json", b'{"status": "ok", "message": "odd"}', b"[]"])
def test_crossref_unusable_200_is_failed_with_a_reason(
    mocked: responses.RequestsMock, http: Http, config: Config, body: bytes
) -> None:
    mocked.get(work_url(PLOS), body=body)
    lookup = CrossrefResolver(http, config).lookup(cite(Kind.DOI, PLOS))  # lookup never raises
    assert lookup.outcome is Outcome.FAILED
    assert "crossref" in lookup.reason


def test_crossref_network_error_is_failed(
    mocked: responses.RequestsMock, http: Http, config: Config
) -> None:
    mocked.get(work_url(PLOS), body=requests.ConnectionError("refused"))
    lookup = CrossrefResolver(http, config).lookup(cite(Kind.DOI, PLOS))
    assert lookup.outcome is Outcome.FAILED


# ---------------------------------------------------------------------------------- doi.org


def handle_found(doi: str) -> dict[str, Any]:
    return {"responseCode": 1, "handle": doi, "values": [{"index": 1, "type": "URL"}]}


def mock_handle(mocked: responses.RequestsMock, doi: str, status: int, body: Any) -> None:
    text = body if isinstance(body, str) else json.dumps(body)
    mocked.get(f"{DOI_ORG}/api/handles/{path_segment(doi)}", status=status, body=text)


def test_doi_maps_datacite_csl(
    mocked: responses.RequestsMock, http: Http, config: Config, corpus: Corpus
) -> None:
    mock_handle(mocked, ZENODO, 200, handle_found(ZENODO))
    mocked.get(
        f"{DOI_ORG}/{path_segment(ZENODO)}",
        json=corpus.datacite[ZENODO],
        match=[
            responses.matchers.header_matcher({"Accept": "application/vnd.citationstyles.csl+json"})
        ],
    )
    record = only_record(guarded(DoiResolver(http, config), cite(Kind.DOI, ZENODO)))
    assert (
        record.fields.title
        == "Analysis Tools for Crossover Experiment of UI using Choice Architecture"
    )
    assert record.fields.authors == [Author(family="Garza", given="Kristian")]
    assert (record.fields.year, record.fields.publisher) == (2016, "Zenodo")
    assert (record.source, record.id, record.flags) == ("doi", ZENODO, [])


def test_doi_maps_crossref_csl_from_content_negotiation(
    mocked: responses.RequestsMock, http: Http, config: Config, corpus: Corpus
) -> None:
    doi = "10.1126/science.169.3946.635"
    mock_handle(mocked, doi, 200, handle_found(doi))
    mocked.get(f"{DOI_ORG}/{path_segment(doi)}", json=corpus.crossref_csl[doi])
    fields = only_record(guarded(DoiResolver(http, config), cite(Kind.DOI, doi))).fields
    assert (fields.title, fields.year, fields.pages) == (
        "The Structure of Ordinary Water",
        1970,
        "635-641",
    )
    assert fields.authors == [Author(family="Frank", given="Henry S.")]


def test_doi_unknown_to_the_handle_system_is_authoritatively_missing(
    mocked: responses.RequestsMock, http: Http, config: Config
) -> None:
    mock_handle(mocked, "10.1126/foo", 404, {"responseCode": 100, "handle": "10.1126/foo"})
    lookup = guarded(DoiResolver(http, config), cite(Kind.DOI, "10.1126/foo"))
    assert (lookup.outcome, lookup.authoritative) == (Outcome.MISSING, True)
    assert len(mocked.calls) == 1  # no content negotiation for a DOI that does not exist


def test_an_arxiv_id_without_a_datacite_doi_is_left_to_arxiv(
    mocked: responses.RequestsMock, http: Http, config: Config
) -> None:
    doi = "10.48550/arXiv.2602.12203"
    mock_handle(mocked, doi, 404, {"responseCode": 100, "handle": doi})
    lookup = guarded(DoiResolver(http, config), cite(Kind.ARXIV, "arXiv:2602.12203v1"))
    assert (lookup.outcome, lookup.authoritative) == (Outcome.MISSING, False)
    assert "arXiv itself decides" in lookup.reason


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (404, "<html><title>Not Found</title></html>"),  # a proxy's page, not the Handle API
        (200, {"responseCode": 2, "handle": "10.1/x"}),  # the Handle server's own error
        (403, "forbidden"),
    ],
)
def test_doi_handle_answers_that_prove_nothing_are_failed(
    mocked: responses.RequestsMock, http: Http, config: Config, status: int, body: Any
) -> None:
    mock_handle(mocked, "10.1/x", status, body)
    assert guarded(DoiResolver(http, config), cite(Kind.DOI, "10.1/x")).outcome is Outcome.FAILED


@pytest.mark.parametrize(
    "negotiation",
    [
        {"status": 406, "body": "Not Acceptable"},
        {"status": 200, "body": "<html>landing page</html>"},
        {"body": requests.ConnectionError("reset")},
    ],
)
def test_doi_without_metadata_is_found_and_flagged(
    mocked: responses.RequestsMock, http: Http, config: Config, negotiation: dict[str, Any]
) -> None:
    mock_handle(mocked, ZENODO, 200, handle_found(ZENODO))
    mocked.get(f"{DOI_ORG}/{path_segment(ZENODO)}", **negotiation)
    record = only_record(guarded(DoiResolver(http, config), cite(Kind.DOI, ZENODO)))
    assert record.flags == ["metadata_unavailable"]
    assert record.fields.doi == ZENODO


def test_doi_looks_arxiv_ids_up_as_datacite_dois(
    mocked: responses.RequestsMock, http: Http, config: Config, corpus: Corpus
) -> None:
    mock_handle(mocked, ARXIV_DOI, 200, handle_found(ARXIV_DOI))
    mocked.get(f"{DOI_ORG}/{path_segment(ARXIV_DOI)}", json=corpus.datacite[ARXIV_DOI.lower()])
    record = only_record(guarded(DoiResolver(http, config), cite(Kind.ARXIV, "arXiv:2311.16162v1")))
    assert record.id == ARXIV_DOI
    assert record.fields.arxiv == "2311.16162"
    assert record.fields.title.startswith("Leveraging Artificial Intelligence Technology")


# ---------------------------------------------------------------------------------- arXiv


def mock_feed(
    mocked: responses.RequestsMock, arxiv_id: str, body: bytes, status: int = 200
) -> None:
    mocked.get(
        f"{ARXIV}/query",
        body=body,
        status=status,
        content_type="application/atom+xml",
        match=[responses.matchers.query_param_matcher({"id_list": arxiv_id, "max_results": "1"})],
    )


def test_arxiv_maps_an_entry(mocked: responses.RequestsMock, http: Http, config: Config) -> None:
    mock_feed(mocked, "2311.16162", handmade("arxiv/2311.16162.xml"))
    record = only_record(guarded(ArxivResolver(http, config), cite(Kind.ARXIV, "2311.16162")))
    fields = record.fields
    assert fields.title == (
        "Leveraging Artificial Intelligence Technology for Mapping Research "
        "to Sustainable Development Goals: A Case Study"
    )
    assert fields.authors[0] == Author(family="Yin", given="Hui")
    assert fields.authors[-1] == Author(family="Tham", given="Wing Wah")
    assert (fields.year, fields.arxiv, fields.type, fields.doi) == (
        2023,
        "2311.16162",
        "preprint",
        None,
    )
    assert (record.id, record.flags) == ("2311.16162v1", [])


def test_arxiv_old_style_id_with_doi_and_journal_ref(
    mocked: responses.RequestsMock, http: Http, config: Config
) -> None:
    mock_feed(mocked, "hep-th/9711200", handmade("arxiv/hep-th_9711200.xml"))
    fields = only_record(
        guarded(ArxivResolver(http, config), cite(Kind.ARXIV, "hep-th/9711200"))
    ).fields
    assert fields.authors == [Author(family="Maldacena", given="Juan M.")]
    assert (fields.doi, fields.container, fields.year) == (
        "10.1023/A:1026654312961",
        "Adv.Theor.Math.Phys.2:231-252,1998",
        1997,
    )


def test_arxiv_error_entry_is_authoritatively_missing(
    mocked: responses.RequestsMock, http: Http, config: Config
) -> None:
    mock_feed(mocked, "1234.5678x", handmade("arxiv/error.xml"))
    lookup = guarded(ArxivResolver(http, config), cite(Kind.ARXIV, "1234.5678x"))
    assert (lookup.outcome, lookup.authoritative) == (Outcome.MISSING, True)
    assert "not a valid arXiv id" in lookup.reason


def test_arxiv_empty_feed_is_authoritatively_missing(
    mocked: responses.RequestsMock, http: Http, config: Config
) -> None:
    mock_feed(mocked, "2901.99999", handmade("arxiv/empty.xml"))
    lookup = guarded(ArxivResolver(http, config), cite(Kind.ARXIV, "2901.99999"))
    assert (lookup.outcome, lookup.authoritative) == (Outcome.MISSING, True)


def test_arxiv_missing_version_finds_the_paper_and_flags_it(
    mocked: responses.RequestsMock, http: Http, config: Config
) -> None:
    mock_feed(mocked, "2311.16162v9", handmade("arxiv/empty.xml"))
    mock_feed(mocked, "2311.16162", handmade("arxiv/2311.16162.xml"))
    record = only_record(guarded(ArxivResolver(http, config), cite(Kind.ARXIV, "2311.16162v9")))
    assert record.flags == ["version_not_found"]


@pytest.mark.parametrize(
    ("feed", "outcome"),
    [("arxiv/error.xml", Outcome.MISSING), ("arxiv/2311.16162.xml", Outcome.FAILED)],
)
def test_arxiv_400_counts_only_with_an_id_error(
    mocked: responses.RequestsMock, http: Http, config: Config, feed: str, outcome: Outcome
) -> None:
    mock_feed(mocked, "1234.5678x", handmade(feed), status=400)
    assert guarded(ArxivResolver(http, config), cite(Kind.ARXIV, "1234.5678x")).outcome is outcome


def test_arxiv_other_error_entries_are_failed(
    mocked: responses.RequestsMock, http: Http, config: Config
) -> None:
    other = handmade("arxiv/error.xml").replace(b"incorrect_id_format_for_", b"internal_")
    mock_feed(mocked, "2311.16162", other)
    lookup = guarded(ArxivResolver(http, config), cite(Kind.ARXIV, "2311.16162"))
    assert lookup.outcome is Outcome.FAILED


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE feed [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>&b;</title></entry></feed>"""


@pytest.mark.parametrize("body", [b"<feed><entry>", BILLION_LAUGHS, b""])
def test_arxiv_bad_or_hostile_xml_is_failed(
    mocked: responses.RequestsMock, http: Http, config: Config, body: bytes
) -> None:
    mock_feed(mocked, "2311.16162", body)
    lookup = guarded(ArxivResolver(http, config), cite(Kind.ARXIV, "2311.16162"))
    assert lookup.outcome is Outcome.FAILED
    assert "arXiv" in lookup.reason


@pytest.mark.parametrize(
    ("name", "author"),
    [
        ("Ludwig van Beethoven", Author(family="van Beethoven", given="Ludwig")),
        ("Martin Luther King Jr.", Author(family="King", given="Martin Luther")),
        ("Plato", Author(family="Plato")),
        ("The ATLAS Collaboration", Author(name="The ATLAS Collaboration")),
    ],
)
def test_arxiv_name_split(name: str, author: Author) -> None:
    assert split_name(name) == author


def test_arxiv_id_split() -> None:
    assert split_arxiv_id("arXiv:1706.03762v5") == ("1706.03762", "v5")
    assert split_arxiv_id("https://arxiv.org/abs/hep-th/9711200v3") == ("hep-th/9711200", "v3")
    assert split_arxiv_id("1706.03762") == ("1706.03762", None)


def reference(title: str, **fields: Any) -> Citation:
    raw = f"Yin, H., Aryani, A. (2023). {title}."
    claim = Fields(
        title=title,
        authors=[Author(family="Yin", given="H."), Author(family="Aryani", given="A.")],
        year=2023,
        **fields,
    )
    return Citation(kind=Kind.REFERENCE, raw=raw, start=0, end=len(raw), fields=claim)


def mock_search(mocked: responses.RequestsMock, body: bytes) -> list[dict[str, str]]:
    """Answer any arXiv search with `body`; the list collects the query parameters sent."""
    sent: list[dict[str, str]] = []

    def answer(request: requests.PreparedRequest) -> tuple[int, dict[str, str], bytes]:
        query = parse_qs(urlparse(request.url or "").query)
        sent.append({k: v[0] for k, v in query.items()})
        return 200, {"Content-Type": "application/atom+xml"}, body

    mocked.add_callback(responses.GET, f"{ARXIV}/query", callback=answer)
    return sent


def test_arxiv_search_finds_a_reference_by_its_title(
    mocked: responses.RequestsMock, http: Http, config: Config
) -> None:
    sent = mock_search(mocked, handmade("arxiv/2311.16162.xml"))
    title = (
        "Leveraging artificial intelligence technology for mapping research to sustainable "
        "development goals: a case study"
    )
    record = only_record(guarded(ArxivResolver(http, config), reference(title)))
    assert record.fields.arxiv == "2311.16162"
    assert sent[0]["search_query"].startswith('ti:"Leveraging artificial')
    assert ":" not in sent[0]["search_query"].removeprefix("ti:")


def test_arxiv_search_rejects_a_hit_that_is_another_work(
    mocked: responses.RequestsMock, http: Http, config: Config
) -> None:
    mock_search(mocked, handmade("arxiv/2311.16162.xml"))
    resolver = ArxivResolver(http, config)
    published = reference("Mapping research to development goals with graph networks")
    lookup = guarded(resolver, published)
    assert lookup.outcome is Outcome.MISSING
    assert "Leveraging" in lookup.reason
    # arXiv's silence proves nothing about a journal paper, only about a claimed preprint.
    assert not lookup.authoritative
    preprint = reference("Mapping research with graph networks", container="arXiv preprint")
    assert guarded(resolver, preprint).authoritative


def test_arxiv_search_with_no_hits_and_no_title(
    mocked: responses.RequestsMock, http: Http, config: Config
) -> None:
    sent = mock_search(mocked, handmade("arxiv/empty.xml"))
    resolver = ArxivResolver(http, config)
    assert guarded(resolver, reference("A title", container="CoRR")).authoritative
    untitled = reference("").model_copy(update={"fields": Fields(year=2023)})
    assert guarded(resolver, untitled).outcome is Outcome.MISSING
    assert len(sent) == 1  # an entry without a title is not searched


# ---------------------------------------------------------------------------------- PubMed


def mock_esummary(mocked: responses.RequestsMock, params: dict[str, str], body: bytes) -> None:
    mocked.get(
        f"{PUBMED}/esummary.fcgi", body=body, match=[responses.matchers.query_param_matcher(params)]
    )


def test_pubmed_maps_a_docsum(mocked: responses.RequestsMock, http: Http, config: Config) -> None:
    params = {
        "db": "pubmed",
        "id": "9500320",
        "retmode": "json",
        "tool": "factcheck",
        "email": MAILTO,
    }
    mock_esummary(mocked, params, handmade("pubmed/esummary-pubmed-9500320.json"))
    record = only_record(guarded(PubmedResolver(http, config), cite(Kind.PMID, "9500320")))
    fields = record.fields
    assert fields.title == (
        "Ileal-lymphoid-nodular hyperplasia, non-specific colitis, and "
        "pervasive developmental disorder in children"
    )
    assert fields.authors[0] == Author(family="Wakefield", given="AJ")
    assert fields.authors[-1] == Author(family="Walker-Smith", given="JA")
    assert (fields.year, fields.container, fields.volume, fields.issue, fields.pages) == (
        1998,
        "Lancet",
        "351",
        "9103",
        "637-41",
    )
    assert (fields.doi, fields.pmid) == ("10.1016/s0140-6736(97)11096-0", "9500320")
    assert record.flags == ["retracted"]
    assert record.url == "https://pubmed.ncbi.nlm.nih.gov/9500320/"


def test_pubmed_error_field_is_authoritatively_missing(
    mocked: responses.RequestsMock, http: Http, config: Config
) -> None:
    mocked.get(f"{PUBMED}/esummary.fcgi", body=handmade("pubmed/esummary-pubmed-missing.json"))
    lookup = guarded(PubmedResolver(http, config), cite(Kind.PMID, "99999999"))
    assert (lookup.outcome, lookup.authoritative) == (Outcome.MISSING, True)
    assert "cannot get document summary" in lookup.reason


def test_pubmed_pmcid_asks_pmc_with_the_number(
    mocked: responses.RequestsMock, http: Http, config: Config
) -> None:
    params = {"db": "pmc", "id": "1182327", "retmode": "json", "tool": "factcheck", "email": MAILTO}
    mock_esummary(mocked, params, handmade("pubmed/esummary-pmc-1182327.json"))
    record = only_record(guarded(PubmedResolver(http, config), cite(Kind.PMCID, "PMC1182327")))
    assert (record.id, record.fields.pmid, record.fields.pmcid, record.fields.doi) == (
        "PMC1182327",
        "16060722",
        "PMC1182327",
        "10.1371/journal.pmed.0020124",
    )
    assert (record.fields.year, record.fields.authors) == (
        2005,
        [Author(family="Ioannidis", given="JP")],
    )


def test_pubmed_non_numeric_id_is_missing_without_asking(
    mocked: responses.RequestsMock, http: Http, config: Config
) -> None:
    lookup = guarded(PubmedResolver(http, config), cite(Kind.PMID, "12ab"))
    assert (lookup.outcome, lookup.authoritative) == (Outcome.MISSING, True)
    assert not mocked.calls


def test_pubmed_answer_without_result_is_failed(
    mocked: responses.RequestsMock, http: Http, config: Config
) -> None:
    mocked.get(f"{PUBMED}/esummary.fcgi", json={"header": {}, "esummaryresult": ["Unknown error"]})
    assert guarded(PubmedResolver(http, config), cite(Kind.PMID, "1")).outcome is Outcome.FAILED


# ---------------------------------------------------------------------------------- Open Library


def test_openlibrary_follows_the_isbn_redirect(
    mocked: responses.RequestsMock, http: Http, config: Config
) -> None:
    edition_url = f"{OPENLIBRARY}/books/OL7353617M.json"
    mocked.get(
        f"{OPENLIBRARY}/isbn/9780140328721.json", status=302, headers={"Location": edition_url}
    )
    mocked.get(edition_url, body=handmade("openlibrary/OL7353617M.json"))
    record = only_record(
        guarded(OpenLibraryResolver(http, config), cite(Kind.ISBN, "ISBN 978-0-14-032872-1"))
    )
    assert (record.fields.title, record.fields.year, record.fields.publisher) == (
        "Fantastic Mr. Fox",
        1988,
        "Puffin",
    )
    assert (record.id, record.fields.isbn, record.fields.type) == (
        "OL7353617M",
        "9780140328721",
        "book",
    )


def test_openlibrary_404_is_not_authoritative(
    mocked: responses.RequestsMock, http: Http, config: Config
) -> None:
    mocked.get(f"{OPENLIBRARY}/isbn/9999999999.json", status=404)
    lookup = guarded(OpenLibraryResolver(http, config), cite(Kind.ISBN, "9999999999"))
    assert (lookup.outcome, lookup.authoritative) == (Outcome.MISSING, False)


def test_isbn_normalization() -> None:
    assert normalize_isbn("ISBN: 0-14-032872-x") == "014032872X"


# ---------------------------------------------------------------------------------- mapping


@pytest.mark.parametrize(
    ("date", "year"),
    [
        ({"date-parts": [[2019, 3, 5]]}, 2019),
        ({"date-parts": [["2019"]]}, 2019),
        ({"raw": "March 2009"}, 2009),
        ({"date-parts": []}, None),
        ("2019", None),
        (None, None),
        ({"date-parts": [[True]]}, None),
    ],
)
def test_year_of_date(date: Any, year: int | None) -> None:
    assert year_of_date(date) == year


def test_csl_author_shapes() -> None:
    assert csl_author({"family": "Gogh", "given": "Vincent", "non-dropping-particle": "van"}) == (
        Author(family="van Gogh", given="Vincent")
    )
    assert csl_author({"literal": "WHO"}) == Author(name="WHO")
    assert csl_author({"affiliation": []}) is None
    assert csl_author("Smith") is None


def test_fixture_files_exist() -> None:
    """The unit tests read these; a rename should fail here first, with a clear name."""
    for path in (
        "crossref/retracted-work.json",
        "arxiv/error.xml",
        "pubmed/esummary-pubmed-missing.json",
        "openlibrary/OL7353617M.json",
    ):
        assert Path(HANDMADE / path).is_file(), path


def test_every_venue_name_of_a_record_is_kept() -> None:
    """Shapes of Crossref's work message (lists, an `event` object) and of CSL-JSON (strings,
    an `event` string, `container-title-short`)."""
    crossref = {
        "container-title": [
            "Semantic Web Evaluation Challenges",
            "Communications in Computer and Information Science",
        ],
        "short-container-title": ["Commun. Comput. Inf. Sci."],
        "event": {"name": "14th ESWC (ESWC 2017)", "acronym": "ESWC", "location": "Portorož"},
    }
    fields = csl_fields(crossref)
    assert fields.container == "Semantic Web Evaluation Challenges"
    assert fields.container_aliases == [
        "Communications in Computer and Information Science",
        "Commun. Comput. Inf. Sci.",
        "14th ESWC (ESWC 2017)",
        "ESWC",
    ]
    csl = {"container-title": "Proc. CCS", "container-title-short": "CCS", "event": "CCS '24"}
    assert venue_names(csl) == ["Proc. CCS", "CCS", "CCS '24"]
    # Shapes it does not know are left out, not raised on.
    assert venue_names(
        {"event": {"name": ["x", ["y"]]}, "short-container-title": [{"a": 1}, 3]}
    ) == ["3", "x"]
    assert (
        csl_fields(
            {"container-title": ["Nature"], "short-container-title": ["Nature"]}
        ).container_aliases
        == []
    )
