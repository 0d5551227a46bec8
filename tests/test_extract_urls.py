"""URL extraction in markdown and prose: exact spans, kinds, normalised fields, context."""

from __future__ import annotations

from itertools import pairwise

import pytest

from factcheck.extract import find_identifier_claims as extract
from factcheck.extract.urls import find_urls
from factcheck.model import Citation, Kind


def only(text: str) -> Citation:
    """The single citation `extract` finds in `text`, checked against its span."""
    found = extract(text)
    assert len(found) == 1, found
    citation = found[0]
    assert text[citation.start : citation.end] == citation.raw
    return citation


def raws(text: str) -> list[str]:
    return [c.raw for c in extract(text)]


URL = "https://example.org/path/page?q=1&lang=en#section-2"


@pytest.mark.parametrize("after", [",", ".", ";", ":", "!", "?", "'", '"', "*", "_", "...", ".)"])
def test_trailing_punctuation_is_not_part_of_a_bare_url(after: str) -> None:
    text = f"Read {URL}{after} then stop"
    citation = only(text)
    assert (citation.raw, citation.start, citation.end) == (URL, 5, 5 + len(URL))
    assert citation.kind is Kind.URL
    assert citation.fields.url == URL


def test_url_in_parentheses_loses_the_unbalanced_bracket() -> None:
    citation = only("(see https://x.org/a)")
    assert (citation.raw, citation.start, citation.end) == ("https://x.org/a", 5, 20)


def test_wikipedia_parentheses_are_kept() -> None:
    wiki = "https://en.wikipedia.org/wiki/Foo_(bar)"
    assert raws(f"See {wiki}.") == [wiki]
    assert raws(f"(see {wiki})") == [wiki]
    assert raws(f"[Foo]({wiki})") == [wiki]


def test_markdown_link_raw_is_the_url_only() -> None:
    text = "As [the paper](https://x.org/paper) shows"
    citation = only(text)
    assert (citation.raw, citation.start, citation.end) == ("https://x.org/paper", 15, 34)
    assert citation.context == "As the paper shows"


def test_markdown_link_with_title() -> None:
    citation = only('[docs](https://x.org/docs "The docs")')
    assert (citation.raw, citation.start) == ("https://x.org/docs", 7)


def test_markdown_link_destination_keeps_trailing_punctuation() -> None:
    assert raws("[a](https://x.org/a.)") == ["https://x.org/a."]


def test_autolink_excludes_angle_brackets() -> None:
    citation = only("Source: <https://x.org/a>.")
    assert (citation.raw, citation.start, citation.end) == ("https://x.org/a", 9, 24)


def test_autolink_inside_link_destination() -> None:
    assert raws("[a](<https://x.org/a b>)") == ["https://x.org/a"]


@pytest.mark.parametrize(
    ("text", "raw"),
    [
        ("[1]: https://x.org/one", "https://x.org/one"),
        ('[ref]: https://x.org/two "Title"', "https://x.org/two"),
        ("[^1]: https://x.org/three", "https://x.org/three"),
        ("Text.[^1]\n\n[^1]: See https://x.org/four.", "https://x.org/four"),
    ],
)
def test_reference_and_footnote_definitions(text: str, raw: str) -> None:
    citation = only(text)
    assert citation.raw == raw
    assert citation.start == text.index(raw)


def test_reference_definition_context_is_its_title() -> None:
    assert only('[ref]: https://x.org/two "Two"').context == '"Two"'
    assert only("[^1]: https://x.org/three").context is None


@pytest.mark.parametrize(
    "text",
    ["**https://x.org**", "*https://x.org*", "_https://x.org_", "__https://x.org__"],
)
def test_emphasis_around_url_is_excluded(text: str) -> None:
    assert raws(text) == ["https://x.org"]


def test_underscore_inside_url_survives_emphasis() -> None:
    assert raws("*https://x.org/a_b*") == ["https://x.org/a_b"]


def test_www_without_scheme_gets_https_in_fields() -> None:
    citation = only("Go to www.example.com/path.")
    assert (citation.raw, citation.start) == ("www.example.com/path", 6)
    assert citation.fields.url == "https://www.example.com/path"
    assert citation.kind is Kind.URL


@pytest.mark.parametrize("text", ["www.example", "mywww.example.com", "a@www.example.com"])
def test_not_a_scheme_less_link(text: str) -> None:
    assert find_urls(text) == []


@pytest.mark.parametrize(
    "url",
    ["ftp://ftp.example.org/pub/file.txt", "file:///etc/passwd", "sftp://host/x"],
)
def test_non_http_schemes_are_urls_for_the_checker_to_refuse(url: str) -> None:
    citation = only(f"Download {url} now")
    assert (citation.kind, citation.raw, citation.fields.url) == (Kind.URL, url, url)


@pytest.mark.parametrize(
    "text",
    ["mailto:someone@example.org", "javascript:alert(1)", "redis://localhost:6379", "https://"],
)
def test_not_links_to_check(text: str) -> None:
    assert find_urls(text) == []


def test_private_hosts_are_still_extracted() -> None:
    # The SSRF guard lives in the network layer; extraction reports what was claimed.
    assert raws("http://127.0.0.1:8080/admin and http://localhost/x") == [
        "http://127.0.0.1:8080/admin",
        "http://localhost/x",
    ]


def test_uppercase_scheme() -> None:
    assert raws("HTTPS://EXAMPLE.ORG/A") == ["HTTPS://EXAMPLE.ORG/A"]


def test_unicode_path_is_kept_and_typographic_quotes_are_not() -> None:
    assert raws("“https://de.wikipedia.org/wiki/Köln”") == ["https://de.wikipedia.org/wiki/Köln"]
    assert raws("参见https://x.org/a。") == ["https://x.org/a"]


def test_markdown_escapes_are_undone_in_fields_only() -> None:
    citation = only(r"https://x.org/a\_b")
    assert citation.raw == r"https://x.org/a\_b"
    assert citation.fields.url == "https://x.org/a_b"


def test_table_cells_and_html_attributes_end_urls() -> None:
    assert raws("| https://x.org/a | b |") == ["https://x.org/a"]
    assert raws('<a href="https://x.org/a">x</a>') == ["https://x.org/a"]


def test_bibtex_url_field() -> None:
    assert raws("  url = {https://x.org/a},") == ["https://x.org/a"]


def test_adjacent_links() -> None:
    assert raws("(https://a.org)(https://b.org)") == ["https://a.org", "https://b.org"]
    assert raws("https://a.org,https://b.org") == ["https://a.org,https://b.org"]


def test_link_whose_label_repeats_the_target_is_one_citation() -> None:
    text = "- [https://x.org/a](https://x.org/a)"
    citation = only(text)
    assert citation.start == text.index("(") + 1
    assert citation.context is None


def test_link_whose_label_is_another_url_gives_both() -> None:
    assert raws("[https://x.org/a](https://x.org/b)") == ["https://x.org/a", "https://x.org/b"]


@pytest.mark.parametrize(
    ("url", "kind", "field", "value"),
    [
        ("https://doi.org/10.1038/nature14539", Kind.DOI, "doi", "10.1038/nature14539"),
        ("https://arxiv.org/abs/1706.03762", Kind.ARXIV, "arxiv", "1706.03762"),
        ("https://pubmed.ncbi.nlm.nih.gov/29183409/", Kind.PMID, "pmid", "29183409"),
        ("https://pmc.ncbi.nlm.nih.gov/articles/PMC5708306/", Kind.PMCID, "pmcid", "PMC5708306"),
        ("https://example.org/10.1038/nature14539", Kind.URL, "url", None),
    ],
)
def test_identifier_links_become_identifier_kinds(
    url: str, kind: Kind, field: str, value: str | None
) -> None:
    citation = only(f"[x]({url})")
    assert citation.kind is kind
    assert citation.raw == url
    assert citation.fields.url == url
    assert getattr(citation.fields, field) == (value or url)


def test_citations_are_sorted_and_do_not_overlap() -> None:
    text = (
        "Intro https://a.org and doi:10.1234/abc.\n"
        "- Ref. arXiv:2101.00001 <https://doi.org/10.5555/x> PMID: 1\n"
    )
    found = extract(text)
    assert [c.kind.value for c in found] == ["url", "doi", "arxiv", "doi", "pmid"]
    starts = [c.start for c in found]
    assert starts == sorted(starts)
    assert all(a.end <= b.start for a, b in pairwise(found))


def test_context_is_the_line_without_the_url() -> None:
    text = (
        "Intro.\n\n"
        "1. Met Office. “Global temperature record.” https://www.metoffice.gov.uk/x\n"
        "2. Next"
    )
    assert only(text).context == "Met Office. “Global temperature record.”"


def test_context_of_a_prose_sentence_link() -> None:
    text = "The IPCC report (https://www.ipcc.ch/report/ar6/) says so.\nNext paragraph."
    assert only(text).context == "The IPCC report says so."


def test_a_link_at_the_start_is_not_delimited_by_the_texts_end() -> None:
    # Nothing precedes a link at offset 0: "](" at the text's end is no markdown opener, so
    # the link still loses the sentence's full stop.
    assert [c.raw for c in find_urls("https://x.org/a. See [b](")] == ["https://x.org/a"]
