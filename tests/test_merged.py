"""Two references that PDF extraction ran together, told apart (extract/merged.py)."""

from __future__ import annotations

import pytest

from factcheck.extract.bibliography import find_references_with_labels
from factcheck.extract.merged import merged_parts

BOOK = (
    "Roff DA (1992) The evolution of life histories: theory and analysis. Chapman & Hall, New York"
)
ARTICLE = (
    "Saino N, Incagli M, Møller AP (2001) Immunity, growth and begging behaviour of nestling "
    "barn swallows. J Avian Biol 32:263-270"
)


def parts(raw: str) -> list[str]:
    return [raw[start:end] for start, end in merged_parts(raw)]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (BOOK, ARTICLE),
        # A long list with a suffix's initials, a place of two words, a DOI at the end.
        (
            "Case DA, Darden TA, Cheatham III TE, Kollman PA (2006) Amber 9. University of "
            "California, San Francisco",
            "Cetin R, Anborgh PH, Cool RH (1998) Functional role of the noncatalytic domains. "
            "Biochemistry 37:486-495 doi:10.1021/bi970443o",
        ),
        # After the first entry's pages, or a full stop; with "et al." in the second head.
        ("Van Essen DC, Drury HA (2001) An integrated software suite. J Am Med 8:443-459", ARTICLE),
        (BOOK + ".", "O'Keefe J et al (2008) The hippocampus as a map. Brain Res 12:1-9"),
    ],
)
def test_an_entry_with_a_second_author_year_head_is_two(first: str, second: str) -> None:
    assert parts(f"{first} {second}") == [first, second]


@pytest.mark.parametrize(
    "raw",
    [
        BOOK,
        ARTICLE,
        # A chapter's editors, with or without a year, and after "In".
        "Smith J (2001) A title here. In: Jones K, Lee M (eds) Book title. Springer, New York",
        "Smith J (2001) A title here. In Jones K, Lee M (2003) Book title. Springer, New York",
        # A name and year inside a sentence or a note.
        "Smith J (2001) Title of the work about Brown T (2000) and more. J Biol 3:1",
        "Smith J (2001) A title here. J Biol 3:1-2. Comment on Brown T (2000) Another. J X 1:2",
        # Too little before the second head to be an entry of its own.
        "Smith J (2001) Short. Brown T (2000) Another work of his. J X 1:2",
        # Other styles: the year not in brackets right after the names.
        "Smith, J. (2001). A title here. New York Brown, T. (2000). Another. J X, 1, 2.",
        "Roff DA. The evolution of life histories. New York Saino N, Incagli M. 2001. Immunity.",
    ],
)
def test_nothing_else_is_split(raw: str) -> None:
    assert parts(raw) == [raw]


def test_a_list_item_holding_two_references_gives_two_entries_the_label_on_the_first() -> None:
    text = f"## References\n\n1. {BOOK} {ARTICLE}\n2. {ARTICLE}\n"
    found = find_references_with_labels(text)
    assert [(c.raw, label) for c, label in found] == [
        (BOOK, "1"),
        (ARTICLE, None),
        (ARTICLE, "2"),
    ]
    for citation, _ in found:
        assert text[citation.start : citation.end] == citation.raw
