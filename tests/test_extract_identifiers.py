"""DOI, arXiv, PubMed and ISBN extraction: exact spans, normalised fields, context."""

from __future__ import annotations

import pytest

from factcheck.extract import extract_all
from factcheck.extract import find_identifier_claims as extract
from factcheck.extract.identifiers import (
    classify_url,
    find_arxiv,
    find_bibtex_identifiers,
    find_dois,
    find_isbns,
    find_pubmed,
    isbn_checksum_ok,
    token_end,
)
from factcheck.model import Citation, Kind


def only(text: str) -> Citation:
    """The single citation `extract` finds in `text`, checked against its span."""
    found = extract(text)
    assert len(found) == 1, found
    citation = found[0]
    assert text[citation.start : citation.end] == citation.raw
    return citation


def spans(text: str) -> list[tuple[str, str]]:
    return [(c.kind.value, c.raw) for c in extract(text)]


# --- DOIs -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "raw", "doi"),
    [
        ("See 10.1038/nature14539.", "10.1038/nature14539", "10.1038/nature14539"),
        ("doi:10.1145/3442188.3445922", "doi:10.1145/3442188.3445922", "10.1145/3442188.3445922"),
        ("DOI: 10.1038/nature14539, 2015", "DOI: 10.1038/nature14539", "10.1038/nature14539"),
        ("(DOI 10.1126/science.aaa8415)", "DOI 10.1126/science.aaa8415", "10.1126/science.aaa8415"),
        ("doi.org/10.1038/nature14539;", "doi.org/10.1038/nature14539", "10.1038/nature14539"),
        ('"10.1038/nature14539"', "10.1038/nature14539", "10.1038/nature14539"),
        ("“10.1038/nature14539”", "10.1038/nature14539", "10.1038/nature14539"),
        ("*10.1038/nature14539*", "10.1038/nature14539", "10.1038/nature14539"),
        ("`10.1038/nature14539`", "10.1038/nature14539", "10.1038/nature14539"),
        ("[see 10.1038/nature14539]", "10.1038/nature14539", "10.1038/nature14539"),
        ("10.1093/NAR/GKW1099:", "10.1093/NAR/GKW1099", "10.1093/NAR/GKW1099"),
        ("doi:10.1/x", "doi:10.1/x", "10.1/x"),
        ("10.1000.10/123456", "10.1000.10/123456", "10.1000.10/123456"),
    ],
)
def test_doi_forms(text: str, raw: str, doi: str) -> None:
    citation = only(text)
    assert citation.kind is Kind.DOI
    assert citation.raw == raw
    assert citation.start == text.index(raw)
    assert citation.fields.doi == doi
    assert citation.fields.url is None


def test_doi_link_covers_whole_link_and_keeps_url() -> None:
    text = "Available at https://doi.org/10.1145/3442188.3445922."
    citation = only(text)
    assert citation.kind is Kind.DOI
    assert (citation.start, citation.end) == (13, 52)
    assert citation.raw == "https://doi.org/10.1145/3442188.3445922"
    assert citation.fields.doi == "10.1145/3442188.3445922"
    assert citation.fields.url == "https://doi.org/10.1145/3442188.3445922"


def test_dx_doi_link() -> None:
    citation = only("http://dx.doi.org/10.1000/182")
    assert citation.kind is Kind.DOI
    assert citation.raw == "http://dx.doi.org/10.1000/182"
    assert citation.fields.doi == "10.1000/182"


def test_balanced_parentheses_stay_in_doi() -> None:
    text = "Cognition (doi:10.1016/0010-0277(87)90171-8)."
    citation = only(text)
    assert citation.raw == "doi:10.1016/0010-0277(87)90171-8"
    assert citation.fields.doi == "10.1016/0010-0277(87)90171-8"
    assert citation.end == len(text) - 2


def test_sici_doi_keeps_angle_brackets_and_semicolon() -> None:
    sici = "10.1002/(SICI)1097-0231(19990530)13:10<886::AID-RCM577>3.0.CO;2-B"
    citation = only(f"Rapid Commun. Mass Spectrom. {sici}.")
    assert citation.raw == sici
    assert citation.fields.doi == sici


def test_sici_doi_link_in_autolink() -> None:
    sici = "10.1002/(SICI)1097-0231(19990530)13:10<886::AID-RCM577>3.0.CO;2-B"
    text = f"<https://doi.org/{sici}>"
    citation = only(text)
    assert citation.raw == f"https://doi.org/{sici}"
    assert citation.start == 1
    assert citation.end == len(text) - 1
    assert citation.fields.doi == sici


def test_autolink_does_not_swallow_closing_bracket() -> None:
    citation = only("<https://doi.org/10.1/x>")
    assert (citation.raw, citation.start, citation.end) == ("https://doi.org/10.1/x", 1, 23)
    assert citation.fields.doi == "10.1/x"


def test_bare_doi_in_angle_brackets() -> None:
    citation = only("<doi:10.1038/nature14539>")
    assert citation.raw == "doi:10.1038/nature14539"


def test_percent_encoded_doi_link_is_decoded_into_fields() -> None:
    citation = only("https://doi.org/10.1002%2Fanie.201915678")
    assert citation.raw == "https://doi.org/10.1002%2Fanie.201915678"
    assert citation.fields.doi == "10.1002/anie.201915678"


def test_arxiv_datacite_doi_also_names_arxiv_id() -> None:
    citation = only("[link](https://doi.org/10.48550/arXiv.2101.00001v2)")
    assert citation.kind is Kind.DOI
    assert citation.fields.doi == "10.48550/arXiv.2101.00001v2"
    assert citation.fields.arxiv == "2101.00001v2"
    bare = only("10.48550/arXiv.1706.03762")
    assert bare.kind is Kind.DOI
    assert bare.fields.arxiv == "1706.03762"


def test_doi_case_is_kept_and_key_is_case_insensitive() -> None:
    upper = only("10.1609/AAAI.V37I4.25519")
    lower = only("10.1609/aaai.v37i4.25519")
    assert upper.fields.doi == "10.1609/AAAI.V37I4.25519"
    assert upper.key == lower.key


def test_doi_link_yields_no_second_bare_doi() -> None:
    text = "[https://doi.org/10.1109/CVPR52688.2022.01777](https://doi.org/10.1109/CVPR52688.2022.01777)"
    found = extract(text)
    assert len(found) == 1
    assert found[0].kind is Kind.DOI
    assert found[0].start == text.index("](") + 2


def test_find_dois_leaves_doi_links_to_find_urls() -> None:
    assert find_dois("https://doi.org/10.1234/abc http://dx.doi.org/10.1234/def") == []
    assert [c.raw for c in find_dois("doi.org/10.1234/abc")] == ["doi.org/10.1234/abc"]


def test_doi_as_link_label_of_same_doi_is_one_claim() -> None:
    text = "[10.1038/nature14539](https://doi.org/10.1038/nature14539)"
    found = extract(text)
    assert [(c.raw, c.start) for c in found] == [("https://doi.org/10.1038/nature14539", 22)]


def test_doi_label_differing_from_its_link_is_kept() -> None:
    text = "[10.1038/nature14539](https://doi.org/10.1038/nature99999)"
    assert [c.fields.doi for c in extract(text)] == ["10.1038/nature14539", "10.1038/nature99999"]


@pytest.mark.parametrize(
    "text",
    [
        "a ratio of 10.5/2 is small",
        "210.1234/abc is not a DOI",
        "x10.1234/abc",
        "10.1234/ (broken)",
        "version 10.1234 of the tool",
        "doi:",
    ],
)
def test_not_a_doi(text: str) -> None:
    assert find_dois(text) == []


def test_bibtex_doi_field() -> None:
    text = "  doi = {10.1/abc},\n"
    citation = only(text)
    assert citation.raw == "10.1/abc"
    assert citation.fields.doi == "10.1/abc"


def test_two_dois_in_adjacent_parentheses() -> None:
    assert spans("(10.1234/a)(10.1234/b)") == [("doi", "10.1234/a"), ("doi", "10.1234/b")]


# --- arXiv ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "raw", "arxiv"),
    [
        ("arXiv:2101.00001", "arXiv:2101.00001", "2101.00001"),
        ("arXiv preprint arXiv:2101.00001v2.", "arXiv:2101.00001v2", "2101.00001v2"),
        ("arXiv 0704.0001", "arXiv 0704.0001", "0704.0001"),
        ("ARXIV: 1706.03762 [cs.CL]", "ARXIV: 1706.03762", "1706.03762"),
        ("[arxiv:1706.03762]", "arxiv:1706.03762", "1706.03762"),
        ("see hep-th/9901001.", "hep-th/9901001", "hep-th/9901001"),
        ("hep-th/9901001v3", "hep-th/9901001v3", "hep-th/9901001v3"),
        ("math.GT/0309136", "math.GT/0309136", "math.GT/0309136"),
        ("arXiv:math.GT/0309136v2", "arXiv:math.GT/0309136v2", "math.GT/0309136v2"),
        ("(arxiv.org/abs/2101.00001)", "arxiv.org/abs/2101.00001", "2101.00001"),
    ],
)
def test_arxiv_forms(text: str, raw: str, arxiv: str) -> None:
    citation = only(text)
    assert citation.kind is Kind.ARXIV
    assert citation.raw == raw
    assert citation.fields.arxiv == arxiv


@pytest.mark.parametrize(
    ("url", "arxiv"),
    [
        ("https://arxiv.org/abs/2101.00001v2", "2101.00001v2"),
        ("https://arxiv.org/pdf/2101.00001v2.pdf", "2101.00001v2"),
        ("https://arxiv.org/pdf/2101.00001", "2101.00001"),
        ("http://export.arxiv.org/abs/hep-th/9901001", "hep-th/9901001"),
        ("https://www.arxiv.org/abs/math.GT/0309136", "math.GT/0309136"),
    ],
)
def test_arxiv_links(url: str, arxiv: str) -> None:
    citation = only(f"Preprint: {url}.")
    assert citation.kind is Kind.ARXIV
    assert citation.raw == url
    assert citation.fields.arxiv == arxiv
    assert citation.fields.url == url


@pytest.mark.parametrize(
    "text",
    [
        "see 2101.00001 for details",
        "arXiv:2113.00001",
        "arXiv:0612.00001",
        "arXiv:2101.000012",
        "xarXiv:2101.00001",
        "foo/9901001",
    ],
)
def test_not_an_arxiv_id(text: str) -> None:
    assert find_arxiv(text) == []


def test_arxiv_listing_page_is_a_plain_url() -> None:
    citation = only("https://arxiv.org/list/cs.AI/recent")
    assert citation.kind is Kind.URL


# --- PubMed ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "raw", "pmid"),
    [
        ("PMID: 12345678", "PMID: 12345678", "12345678"),
        ("(PMID 123).", "PMID 123", "123"),
        ("PubMed ID: 31452104;", "PubMed ID: 31452104", "31452104"),
        ("pmid:31452104", "pmid:31452104", "31452104"),
    ],
)
def test_pmid_forms(text: str, raw: str, pmid: str) -> None:
    citation = only(text)
    assert (citation.kind, citation.raw, citation.fields.pmid) == (Kind.PMID, raw, pmid)


@pytest.mark.parametrize(
    "url",
    [
        "https://pubmed.ncbi.nlm.nih.gov/12345678/",
        "https://pubmed.ncbi.nlm.nih.gov/12345678",
        "https://www.ncbi.nlm.nih.gov/pubmed/12345678",
    ],
)
def test_pubmed_links(url: str) -> None:
    citation = only(f"See {url}.")
    assert (citation.kind, citation.raw) == (Kind.PMID, url)
    assert citation.fields.pmid == "12345678"
    assert citation.fields.url == url


@pytest.mark.parametrize(
    ("text", "raw"),
    [
        ("PMC1234567", "PMC1234567"),
        ("(PMC1234567).", "PMC1234567"),
        ("PMCID: PMC1234567", "PMCID: PMC1234567"),
        ("PMCID: 1234567", "PMCID: 1234567"),
        ("https://www.ncbi.nlm.nih.gov/pmc/articles/PMC1234567/", None),
        ("https://pmc.ncbi.nlm.nih.gov/articles/PMC1234567/", None),
    ],
)
def test_pmcid_forms(text: str, raw: str | None) -> None:
    citation = only(text)
    assert citation.kind is Kind.PMCID
    assert citation.raw == (raw or text)
    assert citation.fields.pmcid == "PMC1234567"


def test_identifiers_right_after_cjk_text() -> None:
    assert spans("见PMC1234567。") == [("pmcid", "PMC1234567")]
    assert spans("参见doi:10.1038/nature14539。") == [("doi", "doi:10.1038/nature14539")]


@pytest.mark.parametrize(
    "text", ["12345678", "PMIDS are numbers", "XPMC1234", "PMC", "PMID:", "PMID: ١٢٣"]
)
def test_not_pubmed(text: str) -> None:
    assert find_pubmed(text) == []


# --- ISBN -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "raw", "isbn"),
    [
        ("ISBN 978-0-13-110362-7", "ISBN 978-0-13-110362-7", "9780131103627"),
        ("ISBN-13: 978-3-16-148410-0.", "ISBN-13: 978-3-16-148410-0", "9783161484100"),
        ("ISBN-10: 0-13-110362-8", "ISBN-10: 0-13-110362-8", "0131103628"),
        ("(ISBN 0131103628)", "ISBN 0131103628", "0131103628"),
        ("ISBN 978 0 13 110362 7", "ISBN 978 0 13 110362 7", "9780131103627"),
        ("ISBN 0-8044-2957-X", "ISBN 0-8044-2957-X", "080442957X"),
        ("isbn: 0-8044-2957-x;", "isbn: 0-8044-2957-x", "080442957X"),
        ("ISBN 0-13-110362-8 12 copies", "ISBN 0-13-110362-8", "0131103628"),
        ("Prentice Hall, 978-0-13-110362-7.", "978-0-13-110362-7", "9780131103627"),
    ],
)
def test_isbn_forms(text: str, raw: str, isbn: str) -> None:
    citation = only(text)
    assert (citation.kind, citation.raw, citation.fields.isbn) == (Kind.ISBN, raw, isbn)


@pytest.mark.parametrize(
    "text",
    [
        "ISBN 978-0-13-110362-8",  # bad check digit
        "ISBN 0-13-110362-9",
        "978-0-13-110362-8",
        "9780131103627",  # bare and unhyphenated: could be any number
        "ISBN 978-0-13-110362-77",
    ],
)
def test_invalid_or_unlabelled_isbn_is_not_extracted(text: str) -> None:
    assert find_isbns(text) == []


def test_isbn_inside_doi_is_part_of_the_doi() -> None:
    assert spans("doi:10.1007/978-3-030-58452-8_1") == [("doi", "doi:10.1007/978-3-030-58452-8_1")]


def test_isbn_checksums() -> None:
    assert isbn_checksum_ok("9780131103627")
    assert isbn_checksum_ok("080442957X")
    assert not isbn_checksum_ok("0804429571")
    assert not isbn_checksum_ok("X804429571")
    assert not isbn_checksum_ok("12345")


# --- BibTeX fields --------------------------------------------------------------------

BIBTEX = """@article{vaswani2017attention,
  title = {Attention Is All You Need},
  author = {Vaswani, Ashish and Shazeer, Noam},
  year = {2017},
  eprint = {1706.03762},
  archivePrefix = {arXiv},
  pmid = {29183409},
  isbn = {978-0-13-110362-7},
  doi = {10.48550/arXiv.1706.03762},
}
"""


def test_bibtex_identifier_fields() -> None:
    found = find_bibtex_identifiers(BIBTEX)
    assert [(c.kind, c.raw) for c in found] == [
        (Kind.ARXIV, "1706.03762"),
        (Kind.PMID, "29183409"),
        (Kind.ISBN, "978-0-13-110362-7"),
    ]
    assert all(BIBTEX[c.start : c.end] == c.raw for c in found)


def test_bibtex_context_is_the_whole_entry() -> None:
    found = extract(BIBTEX)
    assert [c.kind for c in found] == [Kind.ARXIV, Kind.PMID, Kind.ISBN, Kind.DOI]
    doi = found[-1]
    assert doi.raw == "10.48550/arXiv.1706.03762"
    assert doi.context is not None
    assert doi.context.startswith("@article{vaswani2017attention, title = {Attention Is All")
    assert doi.context.endswith("doi = {}, }")
    assert doi.raw not in doi.context
    assert "eprint = {1706.03762}" in doi.context


def test_bibtex_context_stays_within_its_entry() -> None:
    text = (
        "@misc{a,\n  title = {First},\n}\n\n"
        "@misc{b,\n  title = {Second},\n  doi = {10.1234/b},\n}\n"
    )
    assert only(text).context == "@misc{b, title = {Second}, doi = {}, }"


def test_single_line_bibtex_entry() -> None:
    text = "@article{k, title={Deep learning}, doi={10.1038/nature14539}}"
    assert only(text).context == "@article{k, title={Deep learning}, doi={}}"


# --- context around identifiers -------------------------------------------------------


def test_context_is_the_reference_line_without_the_doi() -> None:
    text = (
        "Intro line.\n\n"
        "- Vaswani, A. et al. (2017). Attention is all you need. NeurIPS. "
        "https://doi.org/10.5555/3295222.3295349\n"
        "- Next entry.\n"
    )
    citation = only(text)
    assert citation.kind is Kind.DOI
    assert citation.context == "Vaswani, A. et al. (2017). Attention is all you need. NeurIPS."


@pytest.mark.parametrize(
    "line",
    [
        "1. LeCun Y, Bengio Y, Hinton G. Deep learning. Nature. 2015. doi:10.1038/nature14539",
        "[3] LeCun Y, Bengio Y, Hinton G. Deep learning. Nature. 2015. doi:10.1038/nature14539",
        "* LeCun Y, Bengio Y, Hinton G. Deep learning. Nature. 2015. doi:10.1038/nature14539",
        "  2) LeCun Y, Bengio Y, Hinton G. Deep learning. Nature. 2015. doi:10.1038/nature14539",
    ],
)
def test_context_drops_list_markers(line: str) -> None:
    assert only(line).context == "LeCun Y, Bengio Y, Hinton G. Deep learning. Nature. 2015."


def test_context_of_multi_line_list_item() -> None:
    text = (
        "- Smith, J. (2020). A very long title that the model\n"
        "  wrapped onto a second line. *Journal*, 3(2).\n"
        "  PMID: 12345678\n"
        "- Another entry 10.1234/other\n"
    )
    pmid = extract(text)[0]
    assert pmid.kind is Kind.PMID
    assert pmid.context == (
        "Smith, J. (2020). A very long title that the model wrapped onto a second line. "
        "*Journal*, 3(2)."
    )


def test_context_none_when_only_the_identifier_is_there() -> None:
    assert only("- doi:10.1038/nature14539\n").context is None
    assert only("(PMC1234567)").context is None


def test_context_keeps_markdown_link_label() -> None:
    text = "2. [Attention is all you need](https://doi.org/10.48550/arXiv.1706.03762) (2017)"
    assert only(text).context == "Attention is all you need (2017)"


# --- helpers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("token", "length"),
    [
        ("10.1/x).", 6),
        ("10.1/(a)b,", 9),
        ("10.1/x(", 6),
        ("10.1/x]](y)", 6),
        ("10.1/x<a>b>", 10),
    ],
)
def test_token_end(token: str, length: int) -> None:
    from factcheck.extract.identifiers import PAIRS_WITH_ANGLE

    assert token_end(token, PAIRS_WITH_ANGLE) == length


def test_classify_plain_and_identifier_urls() -> None:
    assert classify_url("https://example.org/a")[0] is Kind.URL
    assert classify_url("https://doi.org/not-a-doi")[0] is Kind.URL
    kind, fields = classify_url("https://DOI.ORG/10.1/X")
    assert (kind, fields.doi) == (Kind.DOI, "10.1/X")


@pytest.mark.parametrize(
    "text",
    [
        "10.1234/abcd see http://",
        "doi:10.1234/abcd, as in http://",
        "10.1234/abcd and the page ](",
    ],
)
def test_what_precedes_a_doi_at_the_start_is_nothing_not_the_texts_end(text: str) -> None:
    # "The text before the match" at offset 0 is empty: a negative offset would read the
    # text's own end ("…http://") and take the DOI for part of a link.
    assert [c.fields.doi for c in extract_all(text).citations if c.kind is Kind.DOI] == [
        "10.1234/abcd"
    ]
