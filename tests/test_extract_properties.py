"""Properties of `extract` on arbitrary and hostile text: exact spans, order, determinism."""

from __future__ import annotations

from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from factcheck.extract import find_identifier_claims as extract
from factcheck.model import Citation, Kind

# Pieces that steer random text towards the finders' edge cases.
FRAGMENTS = [
    "https://",
    "http://",
    "www.",
    "ftp://",
    "file:/",
    "doi.org/",
    "doi:",
    "DOI ",
    "10.1234/",
    "10.1",
    "arXiv:",
    "arxiv.org/abs/",
    "2101.00001",
    "v2",
    "hep-th/9901001",
    "PMID: ",
    "PMC",
    "PMCID:",
    "ISBN ",
    "978-0-13-110362-7",
    "0-8044-2957-X",
    "](",
    "[",
    "]",
    "(",
    ")",
    "<",
    ">",
    "{",
    "}",
    "**",
    "_",
    "`",
    "|",
    '"',
    "“",
    "”",
    "\n",
    "\n- ",
    "\n1. ",
    "\n  ",
    "[^1]: ",
    "@article{k,\n  doi = {",
    "%2F",
    "\\_",
    " ",
    ".",
    ",",
    ";",
    ":",
    "é",
    "見",
    "\x00",
    "\ud800",
    "\u200b",
]
texts = st.lists(
    st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=8)),
    max_size=40,
).map("".join)


def assert_well_formed(text: str, found: list[Citation]) -> None:
    """Every citation slices back to its raw text, in order, without overlaps."""
    for citation in found:
        assert 0 <= citation.start < citation.end <= len(text)
        assert text[citation.start : citation.end] == citation.raw
        assert citation.context is None or citation.context.strip() == citation.context
    for before, after in pairwise(found):
        assert before.end <= after.start


def assert_fields_match_kind(found: list[Citation]) -> None:
    for citation in found:
        value = {
            Kind.DOI: citation.fields.doi,
            Kind.ARXIV: citation.fields.arxiv,
            Kind.PMID: citation.fields.pmid,
            Kind.PMCID: citation.fields.pmcid,
            Kind.ISBN: citation.fields.isbn,
            Kind.URL: citation.fields.url,
        }[citation.kind]
        assert value


@settings(max_examples=400, deadline=None)
@given(texts)
def test_random_markdown(text: str) -> None:
    found = extract(text)
    assert_well_formed(text, found)
    assert_fields_match_kind(found)
    assert extract(text) == found


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_random_unicode(text: str) -> None:
    found = extract(text)
    assert_well_formed(text, found)
    assert extract(text) == found


@settings(max_examples=100, deadline=None)
@given(texts, texts)
def test_a_link_is_found_wherever_it_is_written(before: str, after: str) -> None:
    url = "https://example.org/a/b"
    text = f"{before} {url} {after}"
    found = extract(text)
    assert_well_formed(text, found)
    start = len(before) + 1
    assert any(c.start <= start and c.end >= start + len(url) for c in found)


# --- hostile inputs: no exception, spans in bounds -----------------------------------


def test_many_open_parentheses() -> None:
    text = "(" * 100_000 + "https://x.org/a" + ")" * 3 + " 10.1234/" + "(" * 100_000
    found = extract(text)
    assert_well_formed(text, found)
    assert [c.raw for c in found] == ["https://x.org/a"]


def test_megabyte_single_line() -> None:
    filler = "lorem ipsum dolor sit amet " * 20
    unit = f"{filler}https://x.org/p?q=1 doi:10.1234/abc(1) arXiv:2101.00001 PMC123 "
    text = unit * (1_000_000 // len(unit))
    found = extract(text)
    assert_well_formed(text, found)
    assert len(found) == 4 * (1_000_000 // len(unit))
    context = found[-1].context
    assert context is not None
    assert context.split()[0] in filler.split()
    assert len(context) < 1000


def test_megabyte_without_spaces() -> None:
    text = "https://x.org/" + "a" * 1_000_000
    found = extract(text)
    assert_well_formed(text, found)
    assert len(found) == 1


def test_repeated_triggers() -> None:
    for unit in ("http://", "10.1234/", "arXiv:", "www.", "PMID:", "ISBN ", "](", "<", "@"):
        text = unit * 20_000
        assert_well_formed(text, extract(text))


def test_null_bytes_and_lone_surrogates() -> None:
    text = "\x00https://x.org/a\x00b \ud800doi:10.1234/x\udfff \x00PMID: 1\x00"
    found = extract(text)
    assert_well_formed(text, found)
    assert [c.raw for c in found] == ["https://x.org/a", "doi:10.1234/x", "PMID: 1"]


def test_empty_and_blank_text() -> None:
    assert extract("") == []
    assert extract(" \n\t ") == []
