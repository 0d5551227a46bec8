"""Properties of every extractor on arbitrary and hostile text: exact spans, order,
determinism, no exception, and work that grows linearly with the text."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from factcheck.extract import extract_all, find_identifiers, find_urls
from factcheck.extract import find_identifier_claims as extract
from factcheck.extract.bibliography import find_references_with_labels
from factcheck.extract.bibtex import parse_bibtex
from factcheck.extract.inline import (
    _Entry,
    _EntryIndex,
    _plausible_authors,
    find_inline_with_labels,
    link,
)
from factcheck.model import Author, Citation, Extraction, Fields, Kind
from factcheck.normalize import fold

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


# --- every finder, and extract_all, on documents with references ------------------------
# `extract_all` also finds bibliography entries (reference lists, BibTeX), in-text citations
# and the links between them; an entry's own DOI or URL stays an item inside its span, so
# its citations may overlap, but entries never overlap one another.

BIBLIOGRAPHY_FRAGMENTS = [
    "\n\n## References\n\n",
    "\nReferences:\n",
    "\n[1] ",
    "\n2. ",
    "\n- ",
    "Smith, J. (2020). ",
    "Smith, J., & Lee, K. ",
    "van der Berg, A. (2019a). ",
    "Дементьев В. В. (2018). ",
    "A study of things. ",
    "*Nature*, 5(3), 1-10. ",
    "In Proc. ICML, pp. 1–9. ",
    "doi:10.1000/xyz",
    "https://doi.org/10.1000/abc",
    "[1]",
    "[2, 3]",
    "[1–4]",
    "(Smith, 2020)",
    "(Smith et al., 2020a; Lee & Wu, 2019, p. 4)",
    "Smith and Lee (2019)",
    "[@smith2020]",
    "¹²",
    "[^1]",
    "【4:0†source】",
    "@article{smith2020,\n title = {A {Study}},\n author = {Smith, J. and Lee, K.},\n",
    " year = 2020,\n doi = {10.1000/xyz}\n}\n",
    "@string{j = {Journal}}",
    "@misc{",
    "```\n",
    "`code [1]`",
    "\\title ",
    "\\input{",
    "{\\frac}",
    "\x00",
    "\ud800",
    "\udfff",
]
documents = st.lists(
    st.one_of(
        st.sampled_from(BIBLIOGRAPHY_FRAGMENTS), st.sampled_from(FRAGMENTS), st.text(max_size=8)
    ),
    max_size=50,
).map("".join)


def assert_spans(text: str, found: Iterable[Citation]) -> None:
    for citation in found:
        assert 0 <= citation.start <= citation.end <= len(text)
        assert text[citation.start : citation.end] == citation.raw


def assert_extraction(text: str, extraction: Extraction) -> None:
    """Spans slice back; citations are in text order; entries never overlap; links point
    at an in-text citation and an entry."""
    citations = extraction.citations
    assert_spans(text, citations)
    assert [c.start for c in citations] == sorted(c.start for c in citations)
    entries = [c for c in citations if c.kind is Kind.REFERENCE]
    for before, after in pairwise(entries):
        assert before.end <= after.start
    for row in extraction.links:
        if row.inline is not None:
            assert citations[row.inline].kind is Kind.INLINE
        if row.reference is not None:
            assert citations[row.reference].kind is Kind.REFERENCE


@settings(max_examples=150, deadline=None)
@given(documents)
def test_extract_all_on_random_documents(text: str) -> None:
    extraction = extract_all(text)
    assert_extraction(text, extraction)
    assert extract_all(text) == extraction


@settings(max_examples=150, deadline=None)
@given(documents)
def test_every_finder_on_random_documents(text: str) -> None:
    assert_spans(text, find_urls(text))
    assert_spans(text, find_identifiers(text))
    references = find_references_with_labels(text)
    assert_spans(text, [entry for entry, _ in references])
    assert_spans(text, [c for c, _ in find_inline_with_labels(text, references)])
    result = parse_bibtex(text)
    assert_spans(text, [entry.citation for entry in result.entries])
    for problem in result.problems:
        assert 0 <= problem.start <= problem.end <= len(text)


# --- linking finds the same entries as trying every one --------------------------------

SURNAMES = [
    "Smith",
    "Smiths",
    "Smithe",
    "Smi",
    "Li",
    "Liu",
    "van der Berg",
    "Berg",
    "der Berg",
    "Дементьев",
    "Дементьева",
    "O'Neil",
    "World Health Organization",
    "",
]
names = st.one_of(st.sampled_from(SURNAMES), st.text(alphabet="abcSLB '-.", max_size=9))


@st.composite
def entry_lists(draw: st.DrawFn) -> list[_Entry]:
    entries = []
    for _ in range(draw(st.integers(0, 6))):
        authors = draw(st.lists(names, max_size=3))
        year = draw(st.sampled_from([None, 2019, 2020]))
        raw = f"{', '.join(authors)} ({year or 'n.d.'}). {draw(st.text(max_size=8))}."
        parsed = draw(st.booleans())
        fields = Fields(
            authors=[Author(family=name) for name in authors] if parsed else [], year=year
        )
        citation = Citation(kind=Kind.REFERENCE, raw=raw, start=0, end=len(raw))
        entries.append(_Entry(citation, draw(st.sampled_from([None, "1", "2", "^1"])), fields))
    return entries


@settings(max_examples=300, deadline=None)
@given(entry_lists(), st.lists(names, min_size=1, max_size=4))
def test_the_entry_index_agrees_with_trying_every_entry(
    entries: list[_Entry], cited: list[str]
) -> None:
    index = _EntryIndex(entries)
    for name in cited:
        every = range(len(entries))
        assert index.first_author(name) == [i for i in every if entries[i].first_author_is(name)]
        assert index.author(name) == [i for i in every if entries[i].has_author(name)]
    for label in ("1", "2", "^1", "3"):
        expected = next((i for i, entry in enumerate(entries) if entry.label == label), None)
        assert index.label(label) == expected


ORGANISATION_WORDS = ["Google", "Quantum", "AI", "Open", "Science", "Collaboration"]
organisation_names = st.lists(st.sampled_from(ORGANISATION_WORDS), min_size=1, max_size=4).map(
    " ".join
)


@settings(max_examples=300, deadline=None)
@given(st.lists(organisation_names, max_size=8), organisation_names)
def test_a_many_word_author_must_open_an_entry(entries: list[str], name: str) -> None:
    """The entries are searched in sorted order: the answer is still "does one of them
    start with the name"."""
    folded = sorted(fold(f"{entry}. Report. 2020.") for entry in entries)
    opens_one = any(entry.startswith(fold(name)) for entry in folded)
    assert _plausible_authors(name, folded) == (opens_one or " " not in name)


def test_linking_does_not_try_every_entry_for_every_citation(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Thousands of author-year citations of distinct names against thousands of entries:
    the matching rule runs about once per citation, not once per citation and entry."""
    count = 2000
    surnames = [
        f"Author{chr(65 + i % 26)}{chr(65 + i // 26 % 26)}{chr(65 + i // 676)}"
        for i in range(count)
    ]
    entries = [
        (Citation(kind=Kind.REFERENCE, raw=f"{name}, J. (2020). T.", start=0, end=9), str(i))
        for i, name in enumerate(surnames)
    ]
    inline = [
        (
            Citation(
                kind=Kind.INLINE,
                raw=name,
                start=0,
                end=1,
                fields=Fields(authors=[Author(family=name + "x" * (i % 2))], year=2020 + i % 2),
            ),
            f"{name} 2020",
        )
        for i, name in enumerate(surnames)
    ]
    calls = 0
    first_author_is = _Entry.first_author_is
    has_author = _Entry.has_author

    def counted(test: Callable[..., bool]) -> Callable[..., bool]:
        def run(self: _Entry, name: str) -> bool:
            nonlocal calls
            calls += 1
            return test(self, name)

        return run

    monkeypatch.setattr(_Entry, "first_author_is", counted(first_author_is))
    monkeypatch.setattr(_Entry, "has_author", counted(has_author))
    parsed = [Fields(authors=[Author(family=name)], year=2020) for name in surnames]
    found = link(inline, entries, parsed)
    assert sum(1 for row in found.links if row.problem is None) == count // 2
    assert calls < 10 * count


def test_identifiers_find_their_entry_without_trying_every_entry(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An entry's DOI is read against its entry: found by bisection, not by a scan."""
    extract_module = importlib.import_module("factcheck.extract")

    count = 2000
    text = "".join(
        f"@article{{k{i}, title = {{T{i}}}, doi = {{10.1234/{i}}}}}\n" for i in range(count)
    )
    calls = 0
    inside = extract_module._inside

    def counted(inner: Citation, outer: Citation) -> bool:
        nonlocal calls
        calls += 1
        return inside(inner, outer)

    monkeypatch.setattr(extract_module, "_inside", counted)
    citations = extract_all(text).citations
    dois = [c for c in citations if c.kind is Kind.DOI]
    assert len(dois) == count
    assert dois[-1].context == f"@article{{k{count - 1}, title = {{T{count - 1}}}, doi = {{}}}}"
    assert calls <= 2 * count


def test_list_entries_are_kept_apart_from_bibtex_without_a_scan(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A reference list next to a .bib: each list entry is checked against the one BibTeX
    entry that could overlap it, not against all of them."""
    extract_module = importlib.import_module("factcheck.extract")
    from factcheck.extract import parser as parser_module

    count = 1000
    bib = "".join(f"@article{{k{i}, title = {{T{i}}}, year = 2020}}\n" for i in range(count))
    listed = "".join(f"- Smith, J. (2020). Title {i}. *Nature*, 5, 1-10.\n" for i in range(count))
    calls = 0
    overlap = extract_module._overlap

    def counted(one: Citation, other: Citation) -> bool:
        nonlocal calls
        calls += 1
        return overlap(one, other)

    monkeypatch.setattr(extract_module, "_overlap", counted)
    monkeypatch.setattr(parser_module, "parse_references", lambda texts: [Fields() for _ in texts])
    entries = extract_module.find_entries(bib + "\n## References\n\n" + listed)
    assert len(entries) == 2 * count
    assert calls <= 2 * count


# --- pathological inputs to extract_all: no exception, spans in bounds -------------------

HUGE = 100_000
PATHOLOGICAL = {
    "brackets": "[" * HUGE + "https://x.org/a" + "]" * HUGE,
    "parentheses": "(" * HUGE + "(Smith, 2020)" + ")" * HUGE,
    "braces": "{" * HUGE + "doi:10.1234/x" + "}" * HUGE,
    "link middles": "](" * (HUGE // 2),
    "footnote marks": "[^" * (HUGE // 2),
    "at storm": "@" * HUGE,
    "entry openers": "@article{" * 10_000,
    "numbered lines": "1. a\n" * 20_000,
    "blank lines": "\n" * HUGE,
    "null bytes": "\x00" * HUGE + "\n\n## References\n\n1. Smith, J. (2020). T.\x00 doi:10.1/x\n",
    "lone surrogates": "\n\n## References\n\n1. Smith, J. (2020). \ud800 A \udfff title. X.\n"
    "2. Lee, K. (2019). \ud800\n",
    "surrogate storm": "\ud800" * HUGE,
    "one megabyte line": ("Smith et al. (2020) said [1] see https://x.org/p doi:10.1/a " * 17_000),
}


@pytest.mark.parametrize("text", PATHOLOGICAL.values(), ids=PATHOLOGICAL.keys())
def test_pathological_inputs(text: str) -> None:
    assert_extraction(text, extract_all(text))


def test_a_reference_list_with_lone_surrogates_is_parsed() -> None:
    """The parser's tokenizer encodes UTF-8: a lone surrogate must not reach it."""
    text = PATHOLOGICAL["lone surrogates"]
    entries = [c for c in extract_all(text).citations if c.kind is Kind.REFERENCE]
    assert [entry.fields.year for entry in entries] == [2020, 2019]
