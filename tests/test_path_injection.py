"""Identifiers from a text never choose which resource a source is asked for, and an answer
about another identifier never verifies anything.

The fakes here record the exact request paths (as sent on the wire, still encoded), so the
tests can say that each identifier stays one segment under the path meant for it, and that
no other path was requested. A hostile fake that answers every request with the record of
`10.1234/abc` stands for a server (or a proxy, or a normalising gateway) that serves another
work than the one asked for.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote, unquote

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st
from servers import LocalServer, Reply, Seen

from factcheck import Checker
from factcheck.errors import UnsafeIdentifier
from factcheck.fix.refstyle import apa
from factcheck.ids import DOT_SEGMENTS, arxiv_link, doi_link, path_segment, work_link
from factcheck.model import Citation, Fields, Kind, Status

REAL = "10.1234/abc"
# DOIs that, pasted raw into a URL path, would ask for another resource or another path.
HOSTILE_DOIS = [
    "10.7777/../10.1234/abc",
    "10.1234/../../../x",
    "10.1234/../../../../admin?x=1",
    "10.7777/%2e%2e/10.1234/abc",
    "10.7777/%2E%2E%2F10.1234%2Fabc",
    "10.1234/abc?rows=1000",
    "10.1234/abc#fragment",
    "10.7777/..%2F..%2Fx",
    "10.7777\\..\\10.1234\\abc",
    "10.7777/.\u2024/10.1234/abc",  # one dot leader
    "10.7777/\uff0e\uff0e/10.1234/abc",  # fullwidth full stops
    "10.7777\u22152e/10.1234/abc",  # division slash
    "10.7777/ ../10.1234/abc",
    "10.7777/..\t/x",
    "10.1234/abc/.",
]


def doi_claim(doi: str) -> Citation:
    return Citation(kind=Kind.DOI, raw=doi, start=0, end=len(doi), fields=Fields(doi=doi))


def crossref_work(doi: str, title: str = "The Real Work") -> bytes:
    message = {"DOI": doi, "title": [title], "issued": {"date-parts": [[2020]]}}
    return json.dumps({"status": "ok", "message-type": "work", "message": message}).encode()


def hostile(seen: Seen) -> Reply:
    """Every API answers with the record of REAL, whatever was asked."""
    path = seen.path.split("?")[0]
    if path.startswith("/doi/api/handles/"):
        body = json.dumps({"responseCode": 1, "handle": REAL}).encode()
    elif path.startswith("/doi/"):
        body = json.dumps({"DOI": REAL, "title": "The Real Work", "type": "article"}).encode()
    elif path.startswith("/openalex/"):
        body = json.dumps({"doi": f"https://doi.org/{REAL}", "title": "The Real Work"}).encode()
    else:
        body = crossref_work(REAL)
    return Reply(200, body, {"Content-Type": "application/json"})


def echoing(seen: Seen) -> Reply:
    """A well-behaved API: answers with the record of the DOI that the path names."""
    path = seen.path.split("?")[0]
    if path.startswith("/doi/api/handles/"):
        doi = unquote(path.removeprefix("/doi/api/handles/"))
        return Reply(200, json.dumps({"responseCode": 1, "handle": doi}).encode())
    if path.startswith("/crossref/works/"):
        return Reply(200, crossref_work(unquote(path.removeprefix("/crossref/works/"))))
    return Reply(404, b"not found")


@pytest.fixture
def api(local_server: LocalServer) -> Iterator[Callable[..., Checker]]:
    """Checkers whose API sources all point at `local_server`, under their own prefixes."""
    made: list[Checker] = []

    def make(**overrides: Any) -> Checker:
        settings: dict[str, Any] = {
            "crossref_url": local_server.url("/crossref"),
            "doi_url": local_server.url("/doi"),
            "openalex_url": local_server.url("/openalex"),
            "arxiv_url": local_server.url("/arxiv"),
            "pubmed_url": local_server.url("/pubmed"),
            "openlibrary_url": local_server.url("/openlibrary"),
            "cache": "none",
            "retries": 0,
            "timeout": 5.0,
            **overrides,
        }
        checker = Checker(**settings)
        made.append(checker)
        return checker

    yield make
    for checker in made:
        checker.close()


def request_paths(server: LocalServer) -> list[str]:
    return [seen.path.split("?")[0] for seen in server.seen]


def expected_paths(doi: str) -> set[str]:
    """The only paths that may be asked about `doi`: each API's own, with the DOI as one
    percent-encoded segment."""
    segment = quote(doi, safe="")
    return {
        f"/crossref/works/{segment}",
        f"/doi/api/handles/{segment}",
        f"/doi/{segment}",
        f"/openalex/works/{quote('https://doi.org/' + doi.lower(), safe='')}",
    }


# ------------------------------------------------------------------ one segment, no other path


@pytest.mark.parametrize("doi", HOSTILE_DOIS)
def test_a_hostile_doi_stays_one_segment_under_each_api_path(
    doi: str, local_server: LocalServer, api: Callable[..., Checker]
) -> None:
    local_server.handle_prefix("/", hostile)
    report = api(sources=("crossref", "doi", "openalex")).verify([doi_claim(doi)])
    paths = request_paths(local_server)
    assert paths, "nothing was asked"
    assert set(paths) <= expected_paths(doi), paths
    for path in paths:
        prefix = next(
            p
            for p in ("/crossref/works/", "/doi/api/handles/", "/openalex/works/", "/doi/")
            if path.startswith(p)
        )
        segment = path.removeprefix(prefix)
        assert "/" not in segment and "?" not in segment and "#" not in segment
        assert segment not in DOT_SEGMENTS
    [finding] = report.items
    assert finding.verdict.status is not Status.VERIFIED


@pytest.mark.parametrize("doi", HOSTILE_DOIS)
def test_a_record_of_another_doi_never_verifies(
    doi: str, local_server: LocalServer, api: Callable[..., Checker]
) -> None:
    local_server.handle_prefix("/", hostile)
    report = api(sources=("crossref", "doi", "openalex")).verify([doi_claim(doi)])
    [finding] = report.items
    assert finding.verdict.status is Status.UNVERIFIABLE
    assert "wrong_record" in finding.verdict.flags
    assert REAL in finding.verdict.reason


def test_the_reported_example_is_no_longer_verified(
    local_server: LocalServer, api: Callable[..., Checker]
) -> None:
    """`doi:10.7777/../10.1234/abc` in a text: Crossref is asked about that DOI, not about
    10.1234/abc, and its record of 10.1234/abc proves nothing."""
    local_server.handle_prefix("/", hostile)
    report = api(sources=("crossref",)).check("As shown in doi:10.7777/../10.1234/abc.")
    [finding] = report.items
    assert finding.citation.fields.doi == "10.7777/../10.1234/abc"
    assert request_paths(local_server) == ["/crossref/works/10.7777%2F..%2F10.1234%2Fabc"]
    assert finding.verdict.status is Status.UNVERIFIABLE
    assert finding.verdict.flags == ["wrong_record"]


@pytest.mark.parametrize(
    "doi",
    [
        "10.1002/(SICI)1097-4571(199806)49:8<693::AID-ASI4>3.0.CO;2-0",
        "10.1234/a b#c?d%e",
        "10.1234/caf\u00e9/\u00fcber",
        "10.1234/a/b/c",
    ],
)
def test_an_odd_but_real_doi_round_trips_and_verifies(
    doi: str, local_server: LocalServer, api: Callable[..., Checker]
) -> None:
    local_server.handle_prefix("/", echoing)
    report = api(sources=("crossref",)).verify([doi_claim(doi)])
    assert request_paths(local_server) == [f"/crossref/works/{quote(doi, safe='')}"]
    assert report.items[0].verdict.status is Status.VERIFIED


def test_doi_case_is_ignored_only_for_ascii_letters(
    local_server: LocalServer, api: Callable[..., Checker]
) -> None:
    def answer_lower(seen: Seen) -> Reply:
        asked = unquote(seen.path.split("?")[0].removeprefix("/crossref/works/"))
        return Reply(200, crossref_work(asked.lower()))

    local_server.handle_prefix("/", answer_lower)
    checker = api(sources=("crossref",))
    upper = checker.verify([doi_claim("10.1234/ABC")])
    kelvin = checker.verify([doi_claim("10.1234/\u212a")])  # KELVIN SIGN lower-cases to "k"
    assert upper.items[0].verdict.status is Status.VERIFIED
    assert kelvin.items[0].verdict.status is Status.UNVERIFIABLE
    assert "wrong_record" in kelvin.items[0].verdict.flags


def test_a_look_alike_doi_is_not_judged_with_the_real_one(
    local_server: LocalServer, api: Callable[..., Checker]
) -> None:
    """Claims whose keys agree are looked up once: a look-alike must not share the real
    DOI's key, or it would borrow its verdict."""
    local_server.handle_prefix("/", echoing)
    claims = [doi_claim("10.1234/k"), doi_claim("10.1234/\u212a"), doi_claim("10.1234/K")]
    assert len({claim.key for claim in claims}) == 2
    report = api(sources=("crossref",)).verify(claims)
    assert len(request_paths(local_server)) == 2
    assert [f.verdict.status for f in report.items] == [
        Status.VERIFIED,
        Status.VERIFIED,  # the echoing fake holds the look-alike too: it is asked about it
        Status.VERIFIED,
    ]
    assert "/crossref/works/10.1234%2F%E2%84%AA" in request_paths(local_server)


def test_a_handle_answer_about_another_doi_is_no_proof_of_existence(
    local_server: LocalServer, api: Callable[..., Checker]
) -> None:
    local_server.handle_prefix("/", hostile)
    report = api(sources=("doi",)).verify([doi_claim("10.5555/never-registered")])
    verdict = report.items[0].verdict
    assert verdict.status is Status.UNVERIFIABLE
    assert verdict.flags == ["wrong_record"]


def test_csl_of_another_doi_fails_the_doi_lookup(
    local_server: LocalServer, api: Callable[..., Checker]
) -> None:
    def handle_ok_csl_other(seen: Seen) -> Reply:
        path = seen.path.split("?")[0]
        if path.startswith("/doi/api/handles/"):
            doi = unquote(path.removeprefix("/doi/api/handles/"))
            return Reply(200, json.dumps({"responseCode": 1, "handle": doi}).encode())
        return Reply(200, json.dumps({"DOI": REAL, "title": "The Real Work"}).encode())

    local_server.handle_prefix("/", handle_ok_csl_other)
    report = api(sources=("doi",)).verify([doi_claim("10.5555/xyz")])
    verdict = report.items[0].verdict
    assert verdict.status is Status.UNVERIFIABLE
    assert verdict.flags == ["wrong_record"]


@pytest.mark.parametrize("doi", ["", ".", ".."])
def test_an_identifier_that_cannot_be_a_segment_is_not_asked(
    doi: str, local_server: LocalServer, api: Callable[..., Checker]
) -> None:
    local_server.handle_prefix("/", hostile)
    report = api(sources=("crossref", "doi")).verify(
        [Citation(kind=Kind.DOI, raw=doi or "doi:", start=0, end=1, fields=Fields(doi=doi or None))]
    )
    assert report.items[0].verdict.status is Status.UNVERIFIABLE
    assert not any(
        path.endswith(("/works/", "/handles/", "/doi/")) for path in request_paths(local_server)
    )
    assert all(
        unquote(p.rsplit("/", 1)[-1]) not in DOT_SEGMENTS for p in request_paths(local_server)
    )


# ------------------------------------------------------------------ arXiv, PubMed, ISBN


ATOM = "http://www.w3.org/2005/Atom"


def feed(entry_id: str, title: str = "A paper") -> bytes:
    return (
        f'<feed xmlns="{ATOM}"><entry><id>http://arxiv.org/abs/{entry_id}</id>'
        f"<title>{title}</title><published>2017-06-12T00:00:00Z</published>"
        "<author><name>Ann Author</name></author></entry></feed>"
    ).encode()


@pytest.mark.parametrize(
    ("claimed", "answered", "verified"),
    [
        ("1706.03762", "1706.03762v7", True),
        ("1706.03762v2", "1706.03762v2", True),
        ("1706.03762", "2301.00001v1", False),
        ("1706.03762v2", "1706.03762v7", False),
        ("hep-th/9901001", "hep-th/9901002v1", False),
        ("1706.03762,2301.00001", "2301.00001v1", False),
        ("1706.03762", "", False),
    ],
)
def test_an_arxiv_entry_must_be_the_paper_asked_for(
    claimed: str,
    answered: str,
    verified: bool,
    local_server: LocalServer,
    api: Callable[..., Checker],
) -> None:
    local_server.handle_prefix("/arxiv/", lambda _seen: Reply(200, feed(answered)))
    claim = Citation(kind=Kind.ARXIV, raw=claimed, start=0, end=1, fields=Fields(arxiv=claimed))
    verdict = api(sources=("arxiv",)).verify([claim]).items[0].verdict
    assert (verdict.status is Status.VERIFIED) is verified, verdict.reason
    if not verified:
        assert verdict.status is Status.UNVERIFIABLE
        assert "wrong_record" in verdict.flags


def esummary(key: str, uid: str | None) -> bytes:
    docsum: dict[str, Any] = {"title": "A study.", "pubdate": "2019 Mar", "source": "Lancet"}
    if uid is not None:
        docsum["uid"] = uid
    return json.dumps({"result": {"uids": [key], key: docsum}}).encode()


@pytest.mark.parametrize(("uid", "verified"), [("123", True), ("456", False), (None, False)])
def test_a_pubmed_summary_must_name_the_pmid_asked_for(
    uid: str | None, verified: bool, local_server: LocalServer, api: Callable[..., Checker]
) -> None:
    local_server.handle_prefix("/pubmed/", lambda _seen: Reply(200, esummary("123", uid)))
    claim = Citation(kind=Kind.PMID, raw="123", start=0, end=3, fields=Fields(pmid="123"))
    verdict = api(sources=("pubmed",)).verify([claim]).items[0].verdict
    assert (verdict.status is Status.VERIFIED) is verified
    if not verified:
        assert verdict.status is Status.UNVERIFIABLE
        assert "wrong_record" in verdict.flags


@pytest.mark.parametrize("pmid", ["\u0661\u0662\u0663", "\uff11\uff12\uff13", "12\u00b3", "1 2"])
def test_a_pmid_of_non_ascii_digits_is_no_pmid(
    pmid: str, local_server: LocalServer, api: Callable[..., Checker]
) -> None:
    local_server.handle_prefix("/pubmed/", lambda _seen: Reply(200, esummary(pmid, pmid)))
    claim = Citation(kind=Kind.PMID, raw=pmid, start=0, end=3, fields=Fields(pmid=pmid))
    verdict = api(sources=("pubmed",)).verify([claim]).items[0].verdict
    assert verdict.status is not Status.VERIFIED
    assert local_server.seen == []


@pytest.mark.parametrize("isbn", ["../../admin", "978?x=1", "..", "97800#x", "..\\..\\x"])
def test_an_isbn_stays_one_segment_under_isbn(
    isbn: str, local_server: LocalServer, api: Callable[..., Checker]
) -> None:
    local_server.handle_prefix("/", lambda _seen: Reply(404, b"{}"))
    claim = Citation(kind=Kind.ISBN, raw=isbn, start=0, end=1, fields=Fields(isbn=isbn))
    verdict = api(sources=("openlibrary",)).verify([claim]).items[0].verdict
    assert verdict.status is not Status.VERIFIED
    for path in request_paths(local_server):
        segment = path.removeprefix("/openlibrary/isbn/")
        assert path.startswith("/openlibrary/isbn/") and "/" not in segment, path


# ------------------------------------------------------------------ the helper and the links


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=1).filter(lambda value: value not in DOT_SEGMENTS))
def test_path_segment_is_one_segment_that_decodes_back(value: str) -> None:
    """Whatever the value, requests sends it as exactly one segment under the base path,
    and the server decodes it back to the value."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return  # lone surrogates are no identifiers a text can hold on the wire
    sent = requests.Request("GET", "http://api.test/works/" + path_segment(value)).prepare()
    path = (sent.path_url or "").split("?")[0]
    assert path.startswith("/works/")
    segment = path.removeprefix("/works/")
    assert "/" not in segment
    assert unquote(segment) == value


@pytest.mark.parametrize("value", sorted(DOT_SEGMENTS))
def test_path_segment_refuses_what_no_encoding_keeps_in_place(value: str) -> None:
    with pytest.raises(UnsafeIdentifier):
        path_segment(value)


@pytest.mark.parametrize(
    ("doi", "link"),
    [
        ("10.1038/nature14539", "https://doi.org/10.1038/nature14539"),
        ("10.7777/../10.1234/abc", "https://doi.org/10.7777%2F..%2F10.1234%2Fabc"),
        ("10.1234/./x", "https://doi.org/10.1234%2F.%2Fx"),
        ("10.1234//x", "https://doi.org/10.1234%2F%2Fx"),
        ("10.1234/a?b#c d", "https://doi.org/10.1234/a%3Fb%23c%20d"),
    ],
)
def test_doi_links_never_lead_elsewhere(doi: str, link: str) -> None:
    assert doi_link(doi) == link
    assert work_link(Fields(doi=doi)) == link
    prepared = requests.Request("GET", link).prepare().url
    assert prepared == link  # no dot segment left for a client to resolve


def test_every_doi_link_is_built_by_one_function() -> None:
    """The suggested reference, the reports' links and the records' URLs agree."""
    doi = "10.7777/../10.1234/abc"
    fields = Fields(title="T", doi=doi, year=2020, type="article-journal")
    assert doi_link(doi) in apa(fields)
    assert arxiv_link("..") is None
    assert arxiv_link("hep-th/9901001v2") == "https://arxiv.org/abs/hep-th/9901001v2"
