"""Taking a reference and its in-text citations out of a text, so that what is left reads."""

from __future__ import annotations

import pytest

from factcheck.extract import extract_all
from factcheck.fix.cuts import citation_cuts, entry_span, link_cut, sentence_span
from factcheck.fix.edits import apply
from factcheck.model import Citation, Kind

AUTHOR_YEAR_LIST = """

## References

1. Doe, J. (2020). A study of sparse things. *Science*, 5, 1-2.
2. Smith, J., & Lee, K. (2019). Deep priors for sparse recovery. *Nature*, 22, 1-30.
"""
NUMERIC_LIST = """

References

[1] A. Doe, "A first study of things," Science, vol. 5, pp. 1-2, 2020.
[2] B. Roe, "A second study of things," Cell, vol. 6, pp. 3-4, 2018.
[3] J. Smith and K. Lee, "Deep priors for sparse recovery," Nature, vol. 22, pp. 1-30, 2019.
[4] C. Poe, "A fourth study of things," Neuron, vol. 7, pp. 5-6, 2017.
"""


def without_smith(prose: str, references: str = AUTHOR_YEAR_LIST) -> str:
    """`prose` with the in-text citations of the Smith entry cut, as the text reads then."""
    text = prose + references
    extraction = extract_all(text)
    citations = extraction.citations
    smith = next(
        i for i, c in enumerate(citations) if c.kind is Kind.REFERENCE and "Smith" in c.raw
    )
    cited = [
        citations[row.inline]
        for row in extraction.links
        if row.reference == smith and row.inline is not None
    ]
    assert cited, "the test text must cite the Smith entry"
    inline = [c for c in citations if c.kind is Kind.INLINE]
    return apply(text, citation_cuts(text, cited, inline))[: -len(references)]


@pytest.mark.parametrize(
    ("prose", "after"),
    [
        # parenthetical, alone in its brackets
        ("Priors help sparse recovery (Smith & Lee, 2019).", "Priors help sparse recovery."),
        # one of several in one pair of brackets, first or last
        ("Priors help (Smith & Lee, 2019; Doe, 2020).", "Priors help (Doe, 2020)."),
        ("Priors help (Doe, 2020; Smith & Lee, 2019).", "Priors help (Doe, 2020)."),
        # a word that only led to the citation goes with it
        ("Priors help, as shown by (Smith & Lee, 2019).", "Priors help, as shown."),
        ("Priors help (see Smith & Lee, 2019), often.", "Priors help, often."),
        ("Priors help (e.g., Smith & Lee, 2019; Doe, 2020).", "Priors help (e.g., Doe, 2020)."),
        # narrative: the sentence that reports what the reference said goes
        (
            "Recovery is hard. Smith and Lee (2019) showed that priors help. Doe agrees.",
            "Recovery is hard. Doe agrees.",
        ),
        ("Recovery is hard. Smith and Lee (2019) showed it.", "Recovery is hard."),
        ("Smith and Lee (2019) showed it.\n\nNext paragraph.", "\nNext paragraph."),
    ],
)
def test_author_year_citations(prose: str, after: str) -> None:
    assert without_smith(prose) == after


@pytest.mark.parametrize(
    ("prose", "after"),
    [
        ("Priors help sparse recovery [3].", "Priors help sparse recovery."),
        ("Priors help [1, 3].", "Priors help [1]."),
        ("Priors help [3, 4].", "Priors help [4]."),
        ("Priors help [2-4].", "Priors help [2, 4]."),
        ("Priors help [1-4].", "Priors help [1, 2, 4]."),
    ],
)
def test_numeric_citations(prose: str, after: str) -> None:
    assert without_smith(prose, NUMERIC_LIST) == after


def test_a_narrative_citation_in_a_list_item_takes_the_item() -> None:
    text = "Findings:\n- Smith and Lee (2019) showed it.\n- Doe (2020) did not.\n"
    start = text.index("Smith and Lee (2019)")
    span = sentence_span(text, start, start + len("Smith and Lee (2019)"))
    assert text[: span[0]] + text[span[1] :] == "Findings:\n- Doe (2020) did not.\n"


def test_abbreviations_do_not_end_the_sentence() -> None:
    text = "Intro. As Smith et al. (2019) showed, e.g. in mice, it works. Next."
    start = text.index("Smith et al. (2019)")
    span = sentence_span(text, start, start + len("Smith et al. (2019)"))
    assert text[: span[0]] + text[span[1] :] == "Intro. Next."


@pytest.mark.parametrize(
    ("text", "raw", "after"),
    [
        ("1. A ref.\n2. B ref.\n", "A ref.", "2. B ref.\n"),
        ("- A ref.\n", "A ref.", ""),
        ("See: A ref.\nNext line.\n", "A ref.", "See: \nNext line.\n"),  # the line stays
    ],
)
def test_an_entry_takes_its_line_when_it_has_it_alone(text: str, raw: str, after: str) -> None:
    start = text.index(raw)
    low, high = entry_span(text, start, start + len(raw))
    assert text[:low] + text[high:] == after


def test_citations_not_removed_are_untouched() -> None:
    text = "A (Doe, 2020)." + AUTHOR_YEAR_LIST
    cite = Citation(kind=Kind.INLINE, raw="Doe, 2020", start=3, end=12, label="Doe 2020")
    assert citation_cuts(text, []) == []
    assert apply(text, citation_cuts(text, [cite], [cite])).startswith("A.\n")


@pytest.mark.parametrize(
    ("text", "claim", "after"),
    [
        ("See doi:10.1/x and doi:10.1/y for details.", "doi:10.1/x", "See doi:10.1/y for details."),
        ("See doi:10.1/y, doi:10.1/z and doi:10.1/x.", "doi:10.1/x", "See doi:10.1/y, doi:10.1/z."),
        ("Data (doi:10.1/x) here.", "doi:10.1/x", "Data here."),
        ("Data at <https://x.org/a>.", "https://x.org/a", "Data at."),
        ("See [the data](https://x.org/a).", "https://x.org/a", "See the data."),
    ],
)
def test_a_link_in_prose_goes_readably(text: str, claim: str, after: str) -> None:
    start = text.index(claim)
    assert apply(text, [link_cut(text, start, start + len(claim))]) == after
