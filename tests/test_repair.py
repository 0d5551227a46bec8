"""Repairs of the parser's reading where an entry's structure says otherwise."""

from __future__ import annotations

import pytest

from factcheck.extract import extract_all
from factcheck.extract.names import split_authors
from factcheck.extract.repair import lone_part_title
from factcheck.model import Author, Fields, Kind


def entry_fields(entry: str) -> Fields:
    text = "## References\n\n- " + entry + "\n"
    (found,) = [c for c in extract_all(text).citations if c.kind is Kind.REFERENCE]
    return found.fields


def test_a_long_full_name_list_with_a_middle_initial_stays_the_authors() -> None:
    fields = entry_fields(
        "Xikun Zhang, Antoine Bosselut, Michihiro Yasunaga, Hongyu Ren, Percy Liang,"
        " Christopher D. Manning, and Jure Leskovec. GreaseLM: Graph REASoning Enhanced Language"
        " Models. In *ICLR*, 2022."
    )
    assert fields.title == "GreaseLM: Graph REASoning Enhanced Language Models"
    assert [a.family for a in fields.authors][-2:] == ["Manning", "Leskovec"]
    assert len(fields.authors) == 7


def test_a_title_read_as_a_publisher_after_the_year_is_the_title() -> None:
    fields = entry_fields(
        "Mihail Stoian, Richard Milbradt, and Christian Mendl. 2022. NP-Hardness of Optimal"
        " TensorNetwork Contraction and Polynomial-Time Algorithms for Tree Tensor Networks."
    )
    assert fields.title is not None and fields.title.startswith("NP-Hardness of Optimal")
    assert fields.publisher is None


def test_a_short_publisher_is_no_title() -> None:
    fields = Fields(authors=[Author(family="Lee")], year=2020, publisher="MIT Press")
    assert lone_part_title(fields) == fields


@pytest.mark.parametrize(
    ("written", "families"),
    [
        ("Di Jin, Bingdao Feng, Siqi Guo, and Zhen Wang", ["Jin", "Feng", "Guo", "Wang"]),
        ("Bin Gu, Chenkang Zhang, Huan Xiong, and Heng Huang", ["Gu", "Zhang", "Xiong", "Huang"]),
        ("Van Exel E, Gussekloo J", ["Van Exel", "Gussekloo"]),
        ("van der Berg, Jan, and Kim Lee", ["van der Berg", "Lee"]),
        ("De Schutter, Bart", ["De Schutter"]),
    ],
)
def test_capitalised_particles_as_first_names(written: str, families: list[str]) -> None:
    assert [a.family for a in split_authors(written)] == families
