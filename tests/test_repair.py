"""Repairs of the parser's reading where an entry's structure says otherwise."""

from __future__ import annotations

import pytest

from factcheck.extract import extract_all
from factcheck.extract.names import split_authors
from factcheck.extract.repair import lone_part_title, year_led_title
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


@pytest.mark.parametrize(
    ("entry", "title", "container", "authors"),
    [
        (
            "Qianqian Wang, Zhicheng Wang, Kyle Genova, Pratul P. Srinivasan, Howard Zhou,"
            " Jonathan T. Barron, Ricardo Martin-Brualla, Noah Snavely, and Thomas Funkhouser."
            " 2021. IBRNet: Learning Multi-View Image-Based Rendering. In *CVPR*.",
            "IBRNet: Learning Multi-View Image-Based Rendering",
            "CVPR",
            9,
        ),
        (
            "Yue He, Xinwei Shen, Renzhe Xu, Tong Zhang, Yong Jiang, Wenchao Zou, and Peng Cui."
            " 2023. Covariate-Shift Generalization via Random Sample Weighting. In *AAAI*.",
            "Covariate-Shift Generalization via Random Sample Weighting",
            "AAAI",
            7,
        ),
        (
            "Uri Alon, Frank F. Xu, Junxian He, Sudipta Sengupta, Dan Roth, and Graham Neubig."
            " Neuro-Symbolic Language Modeling with Automaton-augmented Retrieval."
            " In *ICML*, 2022.",
            "Neuro-Symbolic Language Modeling with Automaton-augmented Retrieval",
            "ICML",
            6,
        ),
    ],
)
def test_ml_entries_read_by_their_structure(
    entry: str, title: str, container: str, authors: int
) -> None:
    fields = entry_fields(entry)
    assert (fields.title, fields.container, len(fields.authors)) == (title, container, authors)


def test_a_harvard_entry_keeps_the_parsers_reading() -> None:
    entry = (
        "Brown, A. and Green, B. (2015) 'Urban heat islands and public health', Environmental"
        " Research, 140, pp. 213-220."
    )
    assert entry_fields(entry).title == "Urban heat islands and public health"


@pytest.mark.parametrize(
    "entry",
    [
        "International Genetics of Ankylosing Spondylitis Consortium. (2017). Summary data"
        " ankylosing spondylitis GWAS. Harvard Dataverse. https://doi.org/10.7910/DVN/NJ7XSO",
        "World Health Organization. (2021). Global tuberculosis report for the year. WHO.",
        "The pandas development team. (2020). pandas-dev/pandas: Pandas. Zenodo.",
    ],
)
def test_an_organisations_date_is_not_its_title(entry: str) -> None:
    from factcheck.extract.parser import parse_reference

    fields = parse_reference(entry)
    assert fields.year is not None
    assert fields.title is not None and str(fields.year) not in fields.title
    assert len(fields.title.split()) >= 2
    assert fields.authors and fields.authors[0].name is not None


@pytest.mark.parametrize(
    ("entry", "families"),
    [
        ("Attention Is All You Need — Vaswani et al., 2017", ["Vaswani"]),
        ("Attention Is All You Need - Vaswani, Shazeer, 2017", ["Vaswani", "Shazeer"]),
        ("Attention Is All You Need by Vaswani et al. (2017)", ["Vaswani"]),
        # The authors and year in parentheses after the title.
        ("Attention Is All You Need (Vaswani et al., 2017)", ["Vaswani"]),
        (
            "Deep Residual Learning for Image Recognition (He, Zhang, Ren, and Sun, 2016)",
            ["He", "Zhang", "Ren", "Sun"],
        ),
        # A marked title: no markup or dash is left on it.
        ("*Attention Is All You Need* — Vaswani et al. (2017)", ["Vaswani"]),
        ('"Attention Is All You Need" — Vaswani et al., 2017', ["Vaswani"]),
        ("Attention Is All You Need — Vaswani, A., Shazeer, N. (2017)", ["Vaswani", "Shazeer"]),
        (
            "Deep Residual Learning for Image Recognition – Kaiming He, Xiangyu Zhang, Shaoqing"
            " Ren, Jian Sun (2016)",
            ["He", "Zhang", "Ren", "Sun"],
        ),
    ],
)
def test_a_title_then_its_authors_after_a_dash_or_by(entry: str, families: list[str]) -> None:
    from factcheck.extract.parser import parse_reference

    fields = parse_reference(entry)
    assert fields.title is not None and fields.title.startswith(("Attention", "Deep Residual"))
    assert fields.title.endswith(("Need", "Recognition"))
    assert [a.family for a in fields.authors] == families
    assert fields.container is None  # the last author is no venue


@pytest.mark.parametrize(
    "entry",
    [
        # A title with a dash in it, after its authors: the parser's reading stands.
        "Smith, J. (2019). Deep priors - a review. Nature.",
        # A dash before words that are no names.
        "Sparse recovery of cortical signals - a practical guide for all, 2019.",
    ],
)
def test_a_dash_inside_a_title_is_not_an_author_list(entry: str) -> None:
    from factcheck.extract.parser import parse_reference

    fields = parse_reference(entry)
    assert fields.title is not None and " - " in fields.title


def test_a_venue_after_the_year_of_a_title_by_its_authors() -> None:
    from factcheck.extract.parser import parse_reference

    fields = parse_reference(
        "Deep Residual Learning for Image Recognition by He et al. (2016), CVPR"
    )
    assert (fields.title, fields.container, fields.year) == (
        "Deep Residual Learning for Image Recognition",
        "CVPR",
        2016,
    )
    assert [a.family for a in fields.authors] == ["He"]


@pytest.mark.parametrize(
    ("entry", "families", "container"),
    [
        ("Attention Is All You Need. Vaswani, A., et al. NeurIPS 2017.", ["Vaswani"], "NeurIPS"),
        (
            "Deep Residual Learning for Image Recognition. He, K., Zhang, X., Ren, S., Sun, J."
            " CVPR 2016.",
            ["He", "Zhang", "Ren", "Sun"],
            None,  # the parser's "J. CVPR" came from the last initial: no venue is better
        ),
        (
            "Attention Is All You Need. Ashish Vaswani, Noam Shazeer, and Niki Parmar. NeurIPS,"
            " 2017.",
            ["Vaswani", "Shazeer", "Parmar"],
            "NeurIPS",
        ),
        # One surname cut short by "et al.", and a title whose prepositions stay lower case.
        (
            "Learning to Retrieve through Self-Reflection and Need. Asai et al. ICLR 2024.",
            ["Asai"],
            "ICLR",
        ),
        (
            "Sparse Recovery among Sensors and Attention Need. Ito, et al. NeurIPS 2021.",
            ["Ito"],
            "NeurIPS",
        ),
    ],
)
def test_a_title_first_then_its_authors_after_a_full_stop(
    entry: str, families: list[str], container: str | None
) -> None:
    from factcheck.extract.parser import parse_reference

    fields = parse_reference(entry)
    assert fields.title is not None and fields.title.endswith(("Need", "Recognition"))
    assert [a.family for a in fields.authors] == families
    assert fields.container == container


@pytest.mark.parametrize(
    "entry",
    [
        "World Health Organization. Global tuberculosis report 2021. Geneva: WHO; 2021.",
        "Smith, J., Lee, K. Deep Priors for Sparse Recovery. Nature, 2019.",
        "Vaswani A, Shazeer N. Attention Is All You Need. NeurIPS. 2017.",
    ],
)
def test_authors_first_or_an_organisation_keep_the_parsers_reading(entry: str) -> None:
    from factcheck.extract.parser import parse_reference

    fields = parse_reference(entry)
    title = fields.title or ""
    assert title.startswith(("Global", "Deep", "Attention"))


@pytest.mark.parametrize(
    ("entry", "title"),
    [
        (
            "Kaplan et al., 2020 – Scaling Laws for Neural Language Models (arXiv:2001.08361)",
            "Scaling Laws for Neural Language Models",
        ),
        ("Ho and Salimans, 2022: Classifier-Free Diffusion Guidance. NeurIPS.", None),
    ],
)
def test_a_year_and_a_dash_before_the_title_are_not_the_title(
    entry: str, title: str | None
) -> None:
    from factcheck.extract.parser import parse_reference

    fields = parse_reference(entry)
    assert fields.title is not None
    assert not fields.title.startswith(("2020", "2022"))
    if title is not None:
        assert fields.title == title


def test_a_title_that_names_another_year_keeps_it() -> None:

    fields = Fields(title="1984 – A Retrospective", year=2020)
    assert year_led_title(fields).title == "1984 – A Retrospective"


@pytest.mark.parametrize(
    ("entry", "title", "container"),
    [
        (
            "Wang Y, Li X. Graph neural networks: a review[J]. AI Open, 2021, 2: 57-81.",
            "Graph neural networks: a review",
            None,
        ),
        ("Zhou J, Cui G. Deep learning on graphs[M]. Beijing: Science Press, 2020.", None, None),
        (
            "Liu H, Chen Q. Robust pruning of deep networks[C]//Proceedings of CVPR. 2019: 1-9.",
            "Robust pruning of deep networks",
            "Proceedings of CVPR",
        ),
        (
            "Petrov P., Sidorov S. Neural networks for time series // Journal of Forecasting."
            " 2019. Vol. 38, no. 4. P. 312–330.",
            "Neural networks for time series",
            None,
        ),
    ],
)
def test_a_styles_mark_at_the_titles_end_is_not_the_title(
    entry: str, title: str | None, container: str | None
) -> None:
    from factcheck.extract.parser import parse_reference

    fields = parse_reference(entry)
    assert fields.title is not None
    assert not fields.title.endswith(("]", "//"))
    if title is not None:
        assert fields.title == title
    if container is not None:
        assert fields.container == container


def test_brackets_inside_a_title_stay() -> None:
    from factcheck.extract.repair import marked_title_end

    assert (
        marked_title_end(Fields(title="Array[x] indexing in C")).title == "Array[x] indexing in C"
    )


@pytest.mark.parametrize(
    ("entry", "title", "families"),
    [
        (
            '"Thinking, Fast and Slow" (2011) by Daniel Kahneman',
            "Thinking, Fast and Slow",
            ["Kahneman"],
        ),
        (
            "*Sapiens: A Brief History of Humankind* (2014) by Yuval Noah Harari",
            "Sapiens: A Brief History of Humankind",
            ["Harari"],
        ),
        ("The Selfish Gene (1976) – Richard Dawkins", "The Selfish Gene", ["Dawkins"]),
        (
            "Attention Is All You Need (2017) by Vaswani et al.",
            "Attention Is All You Need",
            ["Vaswani"],
        ),
    ],
)
def test_a_title_its_year_then_its_authors(entry: str, title: str, families: list[str]) -> None:
    from factcheck.extract.parser import parse_reference

    fields = parse_reference(entry)
    assert (fields.title, [a.family for a in fields.authors]) == (title, families)
    assert fields.container is None and fields.publisher is None


@pytest.mark.parametrize(
    ("entry", "title", "publisher"),
    [
        (
            "Bishop, *Pattern Recognition and Machine Learning* (Springer, 2006)",
            "Pattern Recognition and Machine Learning",
            "Springer",
        ),
        (
            "Goodfellow, Bengio and Courville, *Deep Learning Methods* (MIT Press, 2016)",
            "Deep Learning Methods",
            "MIT Press",
        ),
    ],
)
def test_a_marked_book_title_after_its_author_is_the_title(
    entry: str, title: str, publisher: str
) -> None:
    from factcheck.extract.parser import parse_reference

    fields = parse_reference(entry)
    assert (fields.title, fields.container, fields.publisher) == (title, None, publisher)
    assert fields.type == "book"


def test_an_italic_journal_after_a_title_stays_the_venue() -> None:
    from factcheck.extract.parser import parse_reference

    fields = parse_reference("Smith, J. (2020). Deep priors for sparse recovery. *Nature*, 5, 1-9.")
    assert (fields.title, fields.container) == ("Deep priors for sparse recovery", "Nature")
