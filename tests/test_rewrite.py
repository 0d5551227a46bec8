"""Entries rewritten with corrected fields in their own format, and author lists in their own
style."""

from __future__ import annotations

import pytest

from factcheck.extract.bibtex import parse_bibtex
from factcheck.extract.parser import parse_reference
from factcheck.fix.namestyle import detect, in_text, render
from factcheck.fix.refstyle import apa
from factcheck.fix.rewrite import rewrite_entry
from factcheck.model import Author, Fields

RECORD_AUTHORS = [
    Author(family="Tosatto", given="Laura"),
    Author(family="Horrocks", given="Mathew H."),
    Author(family="Dupont", given="Jean-Paul"),
]


@pytest.mark.parametrize(
    ("written", "rendered"),
    [
        ("Smith, J., & Lee, K.", "Tosatto, L., Horrocks, M. H., & Dupont, J.-P"),
        ("J. Smith and K. Lee", "L. Tosatto, M. H. Horrocks and J.-P. Dupont"),
        ("J. Smith, K. Lee, and M. Park", "L. Tosatto, M. H. Horrocks, and J.-P. Dupont"),
        ("Smith J, Lee K, Park Q", "Tosatto L, Horrocks MH, Dupont JP"),
        ("Smith, John, and Kim Lee", "Tosatto, Laura, Mathew H. Horrocks, and Jean-Paul Dupont"),
        ("Smith, J.R., Lee, K. and Park, Q.", "Tosatto, L., Horrocks, M.H. and Dupont, J.-P"),
        ("Smith, J.; Lee, K.", "Tosatto, L.; Horrocks, M. H.; Dupont, J.-P"),
    ],
)
def test_authors_are_written_in_the_style_of_the_entry(written: str, rendered: str) -> None:
    parsed = parse_reference(f"{written} (2019). A title of some length. Nature, 5, 1-2.").authors
    assert render(RECORD_AUTHORS, detect(written, parsed)) == rendered


def test_in_text_names() -> None:
    assert in_text(RECORD_AUTHORS[:1], " & ") == "Tosatto"
    assert in_text(RECORD_AUTHORS[:2], " and ") == "Tosatto and Horrocks"
    assert in_text(RECORD_AUTHORS, " & ") == "Tosatto et al."
    assert in_text([Author(name="WHO")], " & ") == "WHO"


# --- BibTeX -----------------------------------------------------------------------------------

ENTRY = """@inproceedings{smith2019deep,
  author = {Smith, J. and Lee, K. and Invented, I.},
  title = {Deep priors for sparse recovery},
  booktitle = {Proc. NeurIPS},
  year = 2019,
  pages = {1--30},
  doi = {10.1038/srep16696},
  url = {https://doi.org/10.1038/srep16696},
  keywords = {priors, recovery}
}"""


def fields_of(raw: str) -> Fields:
    (entry,) = parse_bibtex(raw).entries
    return entry.citation.fields


def test_a_bibtex_entry_keeps_key_type_order_and_other_fields() -> None:
    claimed = fields_of(ENTRY)
    corrected = claimed.model_copy(
        update={
            "authors": [Author(family="Smith", given="Jane"), Author(family="Lee", given="Kwan")],
            "year": 2020,
            "pages": "101-130",
            "doi": "10.5555/right",
        }
    )
    new = rewrite_entry(ENTRY, claimed, corrected)
    assert new == (
        "@inproceedings{smith2019deep,\n"
        "  author = {Smith, Jane and Lee, Kwan},\n"
        "  title = {Deep priors for sparse recovery},\n"
        "  booktitle = {Proc. NeurIPS},\n"
        "  year = 2020,\n"
        "  pages = {101--130},\n"
        "  doi = {10.5555/right},\n"
        "  url = {https://doi.org/10.5555/right},\n"
        "  keywords = {priors, recovery}\n"
        "}"
    )
    assert fields_of(new).doi == "10.5555/right"


def test_a_missing_field_is_added_and_a_wrong_identifier_without_a_right_one_goes() -> None:
    claimed = fields_of(ENTRY)
    corrected = claimed.model_copy(update={"doi": None, "volume": "33", "title": "Deep & wide"})
    new = rewrite_entry(ENTRY, claimed, corrected)
    assert "doi" not in new and "url" not in new  # the link named the wrong DOI too
    assert new.endswith("  keywords = {priors, recovery},\n  volume = {33}\n}")
    assert r"title = {Deep \& wide}" in new
    read = fields_of(new)
    assert (read.title, read.volume, read.doi) == ("Deep & wide", "33", None)


@pytest.mark.parametrize(
    ("raw", "added"),
    [
        ("@article{k, title = {T}, year = {2019}}", "@article{k, title = {T}, year = {2020}}"),
        ("@article{k,\n  title = {T},\n}", "@article{k,\n  title = {T},\n  year = {2020},\n}"),
        (
            "@article{k, title = {T}, date = {2019-05-01}}",
            "@article{k, title = {T}, date = {2020-05-01}}",
        ),
    ],
)
def test_a_year_is_set_where_the_entry_keeps_it(raw: str, added: str) -> None:
    claimed = fields_of(raw)
    assert rewrite_entry(raw, claimed, claimed.model_copy(update={"year": 2020})) == added


# --- free text --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "fixed"),
    [
        (
            "Smith, J., Invented, I., & Lee, K. (2018). Deep priors for sparse recovery. "
            "*Nature Neuroscience*, 21(3), 100-110. doi:10.1038/srep16696",
            "Smith, J., & Lee, K. (2019). Deep priors for sparse recovery. "
            "*Nature Neuroscience*, 22(3), 100-130. doi:10.5555/right",
        ),
        (
            'J. Smith, I. Invented, and K. Lee, "Deep priors for sparse recovery," Nat. '
            "Neurosci., vol. 21, no. 3, pp. 100-110, 2018, doi: 10.1038/srep16696.",
            'J. Smith and K. Lee, "Deep priors for sparse recovery," Nat. '
            "Neurosci., vol. 22, no. 3, pp. 100-130, 2019, doi: 10.5555/right.",
        ),
        (
            "Smith J, Invented I, Lee K. Deep priors for sparse recovery. Nat Neurosci. "
            "2018;21(3):100-110. doi:10.1038/srep16696",
            "Smith J, Lee K. Deep priors for sparse recovery. Nat Neurosci. "
            "2019;22(3):100-130. doi:10.5555/right",
        ),
    ],
)
def test_a_free_text_entry_is_corrected_in_its_own_style(raw: str, fixed: str) -> None:
    claimed = parse_reference(raw)
    corrected = claimed.model_copy(
        update={
            "authors": [Author(family="Smith", given="Jane"), Author(family="Lee", given="Kwan")],
            "year": 2019,
            "volume": "22",
            "pages": "100-130",
            "doi": "10.5555/right",
        }
    )
    assert rewrite_entry(raw, claimed, corrected) == fixed


def test_et_al_stays_while_the_record_has_more_authors() -> None:
    raw = "Sadasivan, S., et al. (2012). Methylphenidate exposure. *PLoS ONE*, 7(3)."
    claimed = parse_reference(raw)
    record = [Author(family="Sadasivan", given="Shankar"), *RECORD_AUTHORS]
    renamed = [Author(family="Sadasivian", given="Shankar"), *RECORD_AUTHORS]
    assert rewrite_entry(raw, claimed, claimed.model_copy(update={"authors": renamed})) == (
        raw.replace("Sadasivan, S., et al.", "Sadasivian, S., et al.")
    )
    alone = claimed.model_copy(update={"authors": record[:1], "year": 2013})
    assert rewrite_entry(raw, claimed, alone).startswith("Sadasivan, S. (2013). Methylphenidate")


def test_an_identifier_the_entry_lacked_is_appended_and_a_wrong_one_removed() -> None:
    raw = "Smith, J. (2019). Deep priors. *Nature*, 22, 1-30. arXiv:1901.00001"
    claimed = parse_reference(raw)
    corrected = claimed.model_copy(update={"arxiv": None, "doi": "10.5555/right"})
    assert rewrite_entry(raw, claimed, corrected) == (
        "Smith, J. (2019). Deep priors. *Nature*, 22, 1-30. https://doi.org/10.5555/right"
    )


def test_a_value_that_cannot_be_placed_makes_an_apa_reference() -> None:
    raw = "Smith, J. (2019). Deep priors. *Nature*, 22, 1-30."
    claimed = parse_reference(raw).model_copy(update={"volume": "99"})  # not written as such
    corrected = claimed.model_copy(update={"volume": "23"})
    assert rewrite_entry(raw, claimed, corrected) == apa(corrected)
