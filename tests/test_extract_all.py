"""extract_all: identifiers, entries and in-text citations together, with their links."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from factcheck.extract import Bounds, extract_all, find_identifier_claims
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


LISTED_AND_LOOSE = """Sparse priors help, see doi:10.5555/loose.1 for the data set.

## References

1. Okafor, M., & Brandt, L. (2019). Coral reef recovery after bleaching.
   *Marine Ecology*, 4, 1-9. https://doi.org/10.5555/listed.2
"""


def test_each_identifier_is_read_against_its_entry_or_else_its_line() -> None:
    """Contexts are set once the entries are known: a DOI in a wrapped entry gets the whole
    entry (its title is on the line above), one in prose its own line."""
    citations = extract_all(LISTED_AND_LOOSE).citations
    by_doi = {c.fields.doi: c for c in citations if c.kind is Kind.DOI}
    loose, listed = by_doi["10.5555/loose.1"], by_doi["10.5555/listed.2"]
    assert loose.context == "Sparse priors help, see for the data set."
    assert listed.context is not None
    assert "Coral reef recovery after bleaching" in listed.context
    assert "Marine Ecology" in listed.context
    assert "Sparse priors" not in listed.context


def test_identifiers_alone_get_their_lines_as_context() -> None:
    found = find_identifier_claims(LISTED_AND_LOOSE)
    contexts = {c.fields.doi: c.context for c in found}
    assert contexts["10.5555/loose.1"] == "Sparse priors help, see for the data set."
    listed = contexts["10.5555/listed.2"]
    assert listed is not None and "Coral reef recovery" in listed


def test_identifiers_past_where_reading_stopped_get_no_context() -> None:
    """The links are all read, then the DOI finder stops at its cap, before them: they lie
    past where reading stopped, and are read no further."""
    dois = " ".join(f"Result {n} is at doi:10.5555/x.{n} here." for n in range(5))
    links = " ".join(f"Page {n} is https://example.org/{n} there." for n in range(3))
    found = find_identifier_claims(f"{dois}\n{links}", Bounds(claims=2))
    assert [c.kind for c in found] == [Kind.DOI] * 4 + [Kind.URL] * 3
    assert [c.context is not None for c in found] == [True] * 4 + [False] * 3
