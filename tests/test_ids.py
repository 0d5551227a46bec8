"""`factcheck.ids`: the one place for a work's identifiers, their order and their links.

The copies it replaced differed: the resolvers' DOI prefixes knew no `www.doi.org` nor a
scheme-less `dx.doi.org`, the ignore file and DBLP's reader no `www.doi.org` link, and the
fixes wrote a DOI into its doi.org link unescaped. These tests pin the variants that each
copy read one way and the others another."""

from __future__ import annotations

import pytest

from factcheck.extract import extract_all
from factcheck.extract.ignore import IgnoreList
from factcheck.fix.rewrite import rewrite_entry, written
from factcheck.ids import (
    IDENTIFIER_FIELDS,
    doi_after_link,
    doi_key,
    doi_link,
    linked_doi,
    normalize_doi,
    normalize_pmid,
)
from factcheck.model import IDENTIFIER_KINDS, Citation, Fields, Kind
from factcheck.resolve.dblp import info_record

SICI = "10.1002/(SICI)1097-4636(199905)45:2<115::AID-JBM6>3.0.CO;2-#"


@pytest.mark.parametrize(
    ("written_as", "bare"),
    [
        ("10.1234/ABC", "10.1234/ABC"),  # case is kept
        ("  10.1234/abc\n", "10.1234/abc"),
        ("doi:10.1234/abc", "10.1234/abc"),
        ("DOI: 10.1234/abc", "10.1234/abc"),
        ("https://doi.org/10.1234/abc", "10.1234/abc"),
        ("http://doi.org/10.1234/abc", "10.1234/abc"),
        ("HTTPS://DX.DOI.ORG/10.1234/abc", "10.1234/abc"),
        ("doi.org/10.1234/abc", "10.1234/abc"),
        # Read by the extractor as DOI links all along; the resolvers' prefixes lacked them.
        ("dx.doi.org/10.1234/abc", "10.1234/abc"),
        ("https://www.doi.org/10.1234/abc", "10.1234/abc"),
        ("www.doi.org/10.1234/abc", "10.1234/abc"),
        # One prefix only: what follows is the DOI as written.
        ("doi:https://doi.org/10.1234/abc", "https://doi.org/10.1234/abc"),
        # Not a prefix: another host, a label elsewhere, letters that only fold to ASCII.
        ("https://example.org/doi.org/10.1234/abc", "https://example.org/doi.org/10.1234/abc"),
        ("10.1234/doi:abc", "10.1234/doi:abc"),
        ("do\u0131:10.1234/abc", "do\u0131:10.1234/abc"),  # dotless i
        ("\u212a", "\u212a"),  # the Kelvin sign folds to "k", which no prefix holds anyway
    ],
)
def test_normalize_doi(written_as: str, bare: str) -> None:
    assert normalize_doi(written_as) == bare


def test_a_doi_is_compared_without_any_of_its_prefixes() -> None:
    forms = ["10.1234/ABC", "doi:10.1234/abc", "https://www.doi.org/10.1234/Abc", "10.1234%2Fabc"]
    assert {doi_key(form) for form in forms} == {"10.1234/abc"}


@pytest.mark.parametrize(
    ("text", "rest"),
    [
        ("https://doi.org/10.1234/abc", "10.1234/abc"),
        ("http://dx.doi.org/10.1234/abc", "10.1234/abc"),
        ("https://www.doi.org/10.1234/*", "10.1234/*"),
        ("HTTPS://DOI.ORG/*", "*"),  # what follows, whatever it is (an ignore pattern)
        ("https://doi.org/", ""),
        ("doi.org/10.1234/abc", None),  # a link has its scheme
        ("doi:10.1234/abc", None),
        ("10.1234/abc", None),
        ("https://doi.org.example/10.1234/abc", None),
        ("https://example.org/https://doi.org/10.1234/abc", None),
    ],
)
def test_doi_after_link(text: str, rest: str | None) -> None:
    assert doi_after_link(text) == rest


@pytest.mark.parametrize(
    ("url", "doi"),
    [
        ("https://doi.org/10.1145/3292500.3330701", "10.1145/3292500.3330701"),
        ("http://dx.doi.org/10.1109/CVPR.2016.90", "10.1109/CVPR.2016.90"),
        ("https://www.doi.org/10.1234/abc", "10.1234/abc"),
        ("https://doi.org/", None),  # doi.org's home page names no DOI
        ("https://doi.org/10.", None),
        ("https://www.doi.org/the-identifier/resources/handbook", None),
        ("https://arxiv.org/abs/1706.03762", None),
    ],
)
def test_linked_doi(url: str, doi: str | None) -> None:
    assert linked_doi(url) == doi


@pytest.mark.parametrize(
    ("ee", "doi"),
    [
        (["https://doi.org/10.1234/a"], "10.1234/a"),
        (["https://www.doi.org/10.1234/b"], "10.1234/b"),
        (["https://openreview.net/forum?id=x", "http://dx.doi.org/10.1234/c"], "10.1234/c"),
        (["https://doi.org/", "https://doi.org/10.1234/d"], "10.1234/d"),
        (["https://arxiv.org/abs/2101.00001"], None),
    ],
)
def test_dblp_reads_a_records_doi_from_its_first_doi_link(ee: list[str], doi: str | None) -> None:
    record = info_record({"title": "A title.", "ee": ee, "key": "conf/x/Y20"})
    assert record.fields.doi == doi
    assert record.id == (doi or "conf/x/Y20")


DOI_CLAIM = Citation(
    kind=Kind.DOI, raw="10.1234/abc", start=0, end=11, fields=Fields(doi="10.1234/abc")
)


@pytest.mark.parametrize(
    ("pattern", "ignored"),
    [
        ("https://doi.org/10.1234/abc", True),
        ("http://dx.doi.org/10.1234/ABC", True),
        ("https://www.doi.org/10.1234/abc", True),  # was read as a URL, which no DOI claim has
        ("https://www.doi.org/10.1234/*", True),
        ("https://doi.org/10.9999/*", False),
    ],
)
def test_an_ignored_doi_link_means_its_doi(pattern: str, ignored: bool) -> None:
    assert IgnoreList.parse(pattern).matches(DOI_CLAIM) is ignored


def test_the_extractor_and_the_ignore_file_read_a_www_doi_link_alike() -> None:
    (claim,) = extract_all("See https://www.doi.org/10.1234/abc.").citations
    assert claim.kind is Kind.DOI
    assert IgnoreList.parse("https://www.doi.org/10.1234/abc").matches(claim)


@pytest.mark.parametrize(
    ("doi", "appended"),
    [
        ("10.5555/right", "https://doi.org/10.5555/right"),
        # A SICI DOI holds '#', which would end the link's path: it is escaped, as every
        # other doi.org link factcheck writes.
        (SICI, doi_link(SICI)),
        ("10.5555/a b", "https://doi.org/10.5555/a%20b"),
        ("..", "doi:.."),  # no link can be made: the DOI with its label
    ],
)
def test_a_fix_appends_a_doi_as_its_escaped_link(doi: str, appended: str) -> None:
    assert written("doi", doi) == appended
    raw = "Smith, J. (2019). Deep priors. *Nature*, 22, 1-30."
    claimed = Fields(title="Deep priors", year=2019)
    assert rewrite_entry(raw, claimed, claimed.model_copy(update={"doi": doi})).endswith(
        " " + appended
    )


def test_the_sici_link_is_escaped_and_names_the_whole_doi() -> None:
    link = doi_link(SICI)
    assert link is not None
    assert "#" not in link and "<" not in link
    assert link.endswith("2-%23")


@pytest.mark.parametrize(
    ("name", "value", "appended"),
    [
        ("arxiv", "2101.00001", "arXiv:2101.00001"),
        ("pmid", "123", "PMID: 123"),
        ("pmcid", "PMC123", "PMC123"),
        ("isbn", "978-0-00-000000-0", "ISBN 978-0-00-000000-0"),
    ],
)
def test_other_identifiers_are_appended_with_their_label(
    name: str, value: str, appended: str
) -> None:
    assert written(name, value) == appended


def test_the_identifier_order_is_the_kinds_and_the_fields() -> None:
    assert [kind.value for kind in IDENTIFIER_KINDS] == list(IDENTIFIER_FIELDS)
    assert set(IDENTIFIER_FIELDS) <= set(Fields.model_fields)


@pytest.mark.parametrize(
    ("fields", "chosen"),
    [
        (
            Fields(doi="10.1/x", arxiv="2101.00001", pmid="1", pmcid="PMC2", isbn="9780000000000"),
            (Kind.DOI, "10.1/x"),
        ),
        (Fields(arxiv="2101.00001", pmid="1", isbn="9780000000000"), (Kind.ARXIV, "2101.00001")),
        (Fields(pmid="1", pmcid="PMC2"), (Kind.PMID, "1")),
        (Fields(pmcid="PMC2", isbn="9780000000000"), (Kind.PMCID, "PMC2")),
        (Fields(isbn="9780000000000", url="https://example.org"), (Kind.ISBN, "9780000000000")),
        (Fields(url="https://example.org"), None),
    ],
)
def test_a_works_identifier_is_the_first_in_order(
    fields: Fields, chosen: tuple[Kind, str] | None
) -> None:
    assert fields.identifier() == chosen


@pytest.mark.parametrize(
    ("written_as", "pmid"),
    [
        ("12345", "12345"),
        (" 12345 ", "12345"),
        ("pmid:12345", "12345"),
        ("PMID: 12345", "12345"),
        ("PmId:\t12345 ", "12345"),
        ("PMID 12345", "PMID 12345"),  # kept as written: no number, so no PMID (is_uid)
        ("pmcid:PMC1", "pmcid:PMC1"),
    ],
)
def test_normalize_pmid(written_as: str, pmid: str) -> None:
    assert normalize_pmid(written_as) == pmid
