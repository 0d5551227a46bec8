"""extract_all: identifiers, entries and in-text citations together, with their links."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from factcheck.extract import extract_all
from factcheck.model import Kind

BIB_ANSWER = """As shown by [@vaswani2017] and later work [@nobody2020], attention suffices.

```bibtex
@inproceedings{vaswani2017,
  title = {Attention Is All You Need},
  author = {Vaswani, Ashish and Shazeer, Noam},
  booktitle = {NeurIPS},
  year = {2017},
  doi = {10.48550/arXiv.1706.03762}
}
@article{unused2019,
  title = {Never Cited},
  author = {Lee, Kim},
  journal = {J. Tests},
  year = {2019}
}
```
"""


def test_entries_identifiers_and_inline_citations_come_together() -> None:
    extraction = extract_all(BIB_ANSWER)
    kinds = [(c.kind, c.label) for c in extraction.citations]
    assert kinds == [
        (Kind.INLINE, "@vaswani2017"),
        (Kind.INLINE, "@nobody2020"),
        (Kind.REFERENCE, "@vaswani2017"),
        (Kind.DOI, None),
        (Kind.REFERENCE, "@unused2019"),
    ]
    for citation in extraction.citations:
        assert BIB_ANSWER[citation.start : citation.end] == citation.raw


def test_identifier_inside_an_entry_is_read_against_the_entry() -> None:
    extraction = extract_all(BIB_ANSWER)
    [doi] = [c for c in extraction.citations if c.kind is Kind.DOI]
    assert doi.context is not None
    assert "Attention Is All You Need" in doi.context
    assert "Never Cited" not in doi.context


def test_links_point_at_items_by_index() -> None:
    extraction = extract_all(BIB_ANSWER)
    citations = extraction.citations
    linked = {
        (
            None if row.inline is None else citations[row.inline].label,
            None if row.reference is None else citations[row.reference].label,
            row.problem,
        )
        for row in extraction.links
    }
    assert ("@vaswani2017", "@vaswani2017", None) in linked
    assert (None, "@unused2019", "uncited") in linked


def test_text_without_entries_has_no_inline_items() -> None:
    extraction = extract_all("As (Smith, 2020) said, see https://example.org/a [1].")
    assert [c.kind for c in extraction.citations] == [Kind.URL]
    assert extraction.links == []


# Pieces that open every finder: entries, BibTeX, identifiers, in-text citations.
PIECES = [
    *"ab 1(2)[3]@{},.;:\n*_#-–&'\"é",
    "2020",
    "doi:10.1/x",
    "Smith, J. ",
    "References\n",
    "@article{k, title={T}, year=2020}",
    "1. ",
]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=120).map("".join))
def test_extract_all_never_fails_and_spans_slice_back(text: str) -> None:
    extraction = extract_all(text)
    for citation in extraction.citations:
        assert 0 <= citation.start <= citation.end <= len(text)
        assert text[citation.start : citation.end] == citation.raw
    for row in extraction.links:
        for index in (row.inline, row.reference):
            assert index is None or 0 <= index < len(extraction.citations)
