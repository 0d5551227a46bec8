"""Software and data citations (Zenodo, Figshare, DataCite): a correct citation of a release
is verified, whatever the release tool wrote as its title or who it lists as creators; a
wrong program, an invented contributor or another year still disagree."""

from __future__ import annotations

import pytest

from factcheck.compare.fields import AGREE, DISAGREE, compare
from factcheck.compare.software import names, same_program
from factcheck.extract import extract_all
from factcheck.judge.verdicts import judge
from factcheck.model import Author, Citation, Fields, Kind, Record, Status, Verdict
from factcheck.resolve.base import Lookup

PANDAS = "10.5281/zenodo.3509134"
MATPLOTLIB = "10.5281/zenodo.592536"
RECORDS = {
    PANDAS: Fields(
        title="pandas-dev/pandas: Pandas",
        authors=[Author(name="The pandas development team")],
        year=2020,
        publisher="Zenodo",
        doi=PANDAS,
        type="software",
    ),
    MATPLOTLIB: Fields(
        title="matplotlib/matplotlib: Matplotlib",
        authors=[
            Author(family="Caswell", given="Thomas A"),
            Author(family="Droettboom", given="Michael"),
            Author(family="Lee", given="Antony"),
            Author(family="Hunter", given="John"),
        ],
        year=2020,
        publisher="Zenodo",
        doi=MATPLOTLIB,
        type="software",
    ),
}


def verdict_of(entry: str) -> Status:
    citation = next(
        c
        for c in extract_all("## References\n\n- " + entry + "\n").citations
        if c.kind is Kind.REFERENCE
    )
    return verdict(citation).status


def verdict(citation: Citation) -> Verdict:
    doi = citation.fields.doi or ""
    record = Record(source="doi", id=doi, fields=RECORDS[doi])
    return judge(citation, [Lookup.found("doi", record)])


@pytest.mark.parametrize(
    "entry",
    [
        f"The pandas development team. pandas-dev/pandas: Pandas. Zenodo, 2020."
        f" https://doi.org/{PANDAS}",
        f"The pandas development team (2020). *pandas-dev/pandas: Pandas 1.0.3*. Zenodo."
        f" doi:{PANDAS}",
        f"Reback, J., McKinney, W., & Van den Bossche, J. (2020). pandas-dev/pandas: Pandas"
        f" (Version 1.0.3). Zenodo. https://doi.org/{PANDAS}",
        f"Caswell, T. A., Droettboom, M., & Lee, A. (2020). matplotlib/matplotlib: Matplotlib"
        f" v3.3.0. Zenodo. https://doi.org/{MATPLOTLIB}",
        f"Matplotlib Development Team. Matplotlib: Visualization with Python (v3.3.0). Zenodo,"
        f" 2020. doi:{MATPLOTLIB}",
    ],
)
def test_correct_software_citations_are_verified(entry: str) -> None:
    assert verdict_of(entry) is Status.VERIFIED


@pytest.mark.parametrize(
    "entry",
    [
        f"Harris, C. R., et al. (2020). NumPy: array programming with Python. Zenodo."
        f" https://doi.org/{PANDAS}",
        f"Caswell, T. A., Smith, Q. R., & Lee, A. (2020). matplotlib/matplotlib: Matplotlib"
        f" v3.3.0. Zenodo. https://doi.org/{MATPLOTLIB}",
        f"The pandas development team. pandas-dev/pandas: Pandas. Zenodo, 2016."
        f" https://doi.org/{PANDAS}",
    ],
    ids=["another-program", "invented-contributor", "another-year"],
)
def test_wrong_software_citations_still_disagree(entry: str) -> None:
    assert verdict_of(entry) is Status.MISMATCH


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("pandas-dev/pandas: Pandas 1.0.3", {"pandas"}),
        ("scikit-learn/scikit-learn: Scikit-learn 0.24.2", {"scikitlearn"}),
        (
            "Matplotlib: Visualization with Python (v3.3.0)",
            {"matplotlib", "matplotlibvisualizationwithpython"},
        ),
        ("matplotlib/matplotlib: REL: v3.3.0", {"matplotlib"}),
    ],
)
def test_names_of_a_release_title(title: str, expected: set[str]) -> None:
    assert expected <= names(title)


def test_a_program_name_matches_only_its_own_release() -> None:
    assert same_program("Pandas", "pandas-dev/pandas: Pandas 1.0.3")
    assert not same_program("NumPy", "pandas-dev/pandas: Pandas 1.0.3")


def test_article_records_keep_the_strict_rules() -> None:
    record = RECORDS[MATPLOTLIB].model_copy(update={"type": "article-journal"})
    claim = Fields(
        title="Matplotlib", authors=[Author(family="Caswell"), Author(family="Droettboom")]
    )
    result = compare(claim, record)
    assert result.title.state == DISAGREE
    assert result.authors.state == DISAGREE
    software = compare(claim, RECORDS[MATPLOTLIB])
    assert software.title.state == AGREE
    assert software.authors.state == AGREE


def test_one_bare_surname_may_be_short_of_the_list_and_initials_may_not() -> None:
    from factcheck.compare.fields import shortened

    assert shortened("Sun (“HoHoNet”, CVPR, 2021)", Fields(authors=[Author(family="Sun")]))
    assert shortened("Sun, M., et al. (2021).", Fields(authors=[Author(family="Sun", given="M.")]))
    assert not shortened("Sun, M. (2021).", Fields(authors=[Author(family="Sun", given="M.")]))
    two = Fields(authors=[Author(family="An"), Author(family="Gao")])
    assert not shortened("An and Gao (2021)", two)


@pytest.mark.parametrize(
    "update",
    [
        {"type": "article", "doi": "10.5281/zenodo.1"},
        {"type": None, "doi": "10.6084/m9.figshare.2"},
        {"type": "article", "doi": "10.9999/x", "publisher": "Zenodo"},
        {"type": "dataset", "doi": "10.9999/x", "publisher": "Example Press"},
    ],
    ids=["zenodo-article", "figshare-untyped", "zenodo-publisher", "typed-dataset"],
)
def test_a_release_is_known_by_its_type_or_its_repository(update: dict[str, object]) -> None:
    from factcheck.compare.software import is_data_record

    assert is_data_record(RECORDS[MATPLOTLIB].model_copy(update=update))


@pytest.mark.parametrize(
    "update",
    [
        {"type": "article-journal", "doi": "10.5281/zenodo.1"},
        {"type": "article", "doi": "10.1038/x", "publisher": "Springer Nature"},
        {"type": None, "doi": None, "publisher": None},
    ],
    ids=["journal-article-on-zenodo", "article-elsewhere", "untyped-elsewhere"],
)
def test_literature_records_are_no_releases(update: dict[str, object]) -> None:
    from factcheck.compare.software import is_data_record

    assert not is_data_record(RECORDS[MATPLOTLIB].model_copy(update=update))


@pytest.mark.parametrize(
    ("one", "other", "same"),
    [
        (
            "International Genetics of Spondylitis Consortium (IGAS)",
            "International Genetics of Spondylitis Consortium",
            True,
        ),
        ("International Genetics of Spondylitis Consortium (IGAS)", "IGAS Consortium", True),
        ("IGAS Consortium", "International Genetics of Spondylitis Consortium (IGAS)", True),
        ("The pandas development team", "the Pandas Development Team", True),
        (
            "International Genetics of Spondylitis Consortium (IGAS)",
            "European Genetics Network",
            False,
        ),
        ("IGAS Consortium", "International Genetics of Spondylitis Consortium", False),
        ("Human Cell Atlas (HCA)", "HCB Atlas", False),
    ],
)
def test_organisations_named_with_or_without_their_acronym(
    one: str, other: str, same: bool
) -> None:
    from factcheck.compare.software import same_organisation

    assert same_organisation(Author(name=one), Author(name=other)) is same
    assert not same_organisation(Author(family=one), Author(name=other))
