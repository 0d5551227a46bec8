"""The reference-string parser: citation styles, names, markdown, garbage, lazy loading.

These run the shipped model (factcheck/models/refparser.crfsuite). Each style case is a
realistic reference and the exact Fields it must give.
"""

from __future__ import annotations

import itertools
import subprocess
import sys
import time
from typing import Any

import pytest

from factcheck.extract import extract
from factcheck.extract.names import split_authors
from factcheck.extract.parser import (
    MAX_REFERENCE_CHARS,
    parse_reference,
    parse_references,
    prepare,
    reference_spans,
)
from factcheck.model import Author, Fields

P = Author  # short constructor for the expectations below


def person(family: str, given: str | None = None) -> Author:
    return P(family=family, given=given)


STYLES: dict[str, tuple[str, dict[str, Any]]] = {
    "apa": (
        "Smith, J., & Lee, K. (2020). Deep learning for protein folding. "
        "Journal of Molecular Biology, 432(5), 1234-1250. https://doi.org/10.1016/j.jmb.2020.01.001",
        {
            "authors": [person("Smith", "J."), person("Lee", "K.")],
            "year": 2020,
            "title": "Deep learning for protein folding",
            "container": "Journal of Molecular Biology",
            "volume": "432",
            "issue": "5",
            "pages": "1234-1250",
            "doi": "10.1016/j.jmb.2020.01.001",
            "url": "https://doi.org/10.1016/j.jmb.2020.01.001",
            "type": "article-journal",
        },
    ),
    "mla": (
        'Smith, John, and Kim Lee. "Memory and Narrative in Post-War Fiction." '
        "Modern Fiction Studies, vol. 58, no. 3, 2012, pp. 415-38.",
        {
            "authors": [person("Smith", "John"), person("Lee", "Kim")],
            "year": 2012,
            "title": "Memory and Narrative in Post-War Fiction",
            "container": "Modern Fiction Studies",
            "volume": "58",
            "issue": "3",
            "pages": "415-38",
            "type": "article-journal",
        },
    ),
    "chicago": (
        "Kuhn, Thomas S. The Structure of Scientific Revolutions. "
        "Chicago: University of Chicago Press, 1962.",
        {
            "authors": [person("Kuhn", "Thomas S.")],
            "year": 1962,
            "title": "The Structure of Scientific Revolutions",
            "publisher": "University of Chicago Press",
            "type": "book",
        },
    ),
    "harvard": (
        "Brown, A. and Green, B. (2015) 'Urban heat islands and public health', "
        "Environmental Research, 140, pp. 213-220.",
        {
            "authors": [person("Brown", "A."), person("Green", "B.")],
            "year": 2015,
            "title": "Urban heat islands and public health",
            "container": "Environmental Research",
            "volume": "140",
            "pages": "213-220",
            "type": "article-journal",
        },
    ),
    "ieee": (
        '[3] K. He, X. Zhang, S. Ren, and J. Sun, "Deep residual learning for image '
        'recognition," in Proc. IEEE Conf. Comput. Vis. Pattern Recognit., 2016, pp. 770-778.',
        {
            "authors": [
                person("He", "K."),
                person("Zhang", "X."),
                person("Ren", "S."),
                person("Sun", "J."),
            ],
            "year": 2016,
            "title": "Deep residual learning for image recognition",
            "container": "Proc. IEEE Conf. Comput. Vis. Pattern Recognit",
            "pages": "770-778",
            "type": "paper-conference",
        },
    ),
    "vancouver": (
        "Ikeda S, Tanaka M, Matsumoto S. Endoscopic sphincterotomy: long-term results "
        "in 408 patients. Endoscopy. 1988;20(1):13-7.",
        {
            "authors": [person("Ikeda", "S"), person("Tanaka", "M"), person("Matsumoto", "S")],
            "year": 1988,
            "title": "Endoscopic sphincterotomy: long-term results in 408 patients",
            "container": "Endoscopy",
            "volume": "20",
            "issue": "1",
            "pages": "13-7",
            "type": "article-journal",
        },
    ),
    "nature": (
        "LeCun, Y., Bengio, Y. & Hinton, G. Deep learning. Nature 521, 436–444 (2015).",
        {
            "authors": [person("LeCun", "Y."), person("Bengio", "Y."), person("Hinton", "G.")],
            "year": 2015,
            "title": "Deep learning",
            "container": "Nature",
            "volume": "521",
            "pages": "436–444",
            "type": "article-journal",
        },
    ),
    "acm": (
        "Leslie Lamport. 1978. Time, clocks, and the ordering of events in a distributed "
        "system. Commun. ACM 21, 7 (July 1978), 558–565.",
        {
            "authors": [person("Lamport", "Leslie")],
            "year": 1978,
            "title": "Time, clocks, and the ordering of events in a distributed system",
            "container": "Commun. ACM",
            "volume": "21",
            "type": "article-journal",
        },
    ),
    "bibtex-like": (
        "Vaswani, Ashish and Shazeer, Noam and Parmar, Niki. Attention is all you need. "
        "In Advances in Neural Information Processing Systems, 2017.",
        {
            "authors": [
                person("Vaswani", "Ashish"),
                person("Shazeer", "Noam"),
                person("Parmar", "Niki"),
            ],
            "year": 2017,
            "title": "Attention is all you need",
            "container": "Advances in Neural Information Processing Systems",
            "type": "article-journal",
        },
    ),
    "markdown": (
        "1. Devlin, J., Chang, M.-W., Lee, K., & Toutanova, K. (2019). *BERT: Pre-training "
        "of deep bidirectional transformers for language understanding*. **Proceedings of "
        "NAACL-HLT**, 4171–4186.",
        {
            "authors": [
                person("Devlin", "J."),
                person("Chang", "M.-W."),
                person("Lee", "K."),
                person("Toutanova", "K."),
            ],
            "year": 2019,
            "title": "BERT: Pre-training of deep bidirectional transformers for language "
            "understanding",
            "container": "Proceedings of NAACL-HLT",
            "pages": "4171–4186",
            "type": "paper-conference",
        },
    ),
    "et-al": (
        "Brown, T. B., et al. (2020). Language models are few-shot learners. "
        "arXiv preprint arXiv:2005.14165.",
        {
            "authors": [person("Brown", "T. B.")],
            "year": 2020,
            "title": "Language models are few-shot learners",
            "arxiv": "2005.14165",
            "type": "preprint",
        },
    ),
    "organisation": (
        "World Health Organization. (2021). Global tuberculosis report 2021. Geneva: "
        "World Health Organization.",
        {
            "authors": [P(name="World Health Organization")],
            "year": 2021,
            "title": "Global tuberculosis report 2021",
            "publisher": "World Health Organization",
            "type": "report",
        },
    ),
    "non-ascii": (
        "Müller, J., & Żółkowska, Ł. (2018). Über die Stabilität dünner Schichten. "
        "Zeitschrift für Physik, 12(3), 45-67.",
        {
            "authors": [person("Müller", "J."), person("Żółkowska", "Ł.")],
            "year": 2018,
            "title": "Über die Stabilität dünner Schichten",
            "container": "Zeitschrift für Physik",
            "volume": "12",
            "issue": "3",
            "pages": "45-67",
            "type": "article-journal",
        },
    ),
    "latex": (
        r"Heged{\H u}s, P. and G{\"o}del, K. (2019). On {LaTeX} names. "
        r"Acta Math. Hungar., 158, 1-20.",
        {
            "authors": [person("Hegedűs", "P."), person("Gödel", "K.")],
            "year": 2019,
            "title": "On LaTeX names",
            "container": "Acta Math. Hungar",
            "volume": "158",
            "pages": "1-20",
            "type": "article-journal",
        },
    ),
    "thesis": (
        "Garcia, M. (2010). Essays on labor mobility (Doctoral dissertation). Stanford University.",
        {
            "authors": [person("Garcia", "M.")],
            "year": 2010,
            "type": "thesis",
        },
    ),
}


@pytest.mark.parametrize("style", sorted(STYLES))
def test_styles(style: str) -> None:
    text, expected = STYLES[style]
    fields = parse_reference(text)
    got = {name: getattr(fields, name) for name in expected}
    assert got == expected


def test_batch_matches_single() -> None:
    texts = [text for text, _ in STYLES.values()]
    assert parse_references(texts) == [parse_reference(text) for text in texts]


def test_spans_cover_the_text_as_written() -> None:
    text = "Smith, J. (2020). A title. Nature, 5, 1-10."
    spans = reference_spans(text)
    labels = {span.label: text[span.start : span.end] for span in spans}
    assert labels["author"].startswith("Smith, J.")
    assert "A title" in labels["title"]
    assert "Nature" in labels["container"]


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("Smith, J., & Lee, K.", [person("Smith", "J."), person("Lee", "K.")]),
        ("J. Smith and K. Lee", [person("Smith", "J."), person("Lee", "K.")]),
        ("Smith J, Lee K", [person("Smith", "J"), person("Lee", "K")]),
        ("Smith, John, and Kim Lee", [person("Smith", "John"), person("Lee", "Kim")]),
        ("Smith, John and Lee, Kim", [person("Smith", "John"), person("Lee", "Kim")]),
        ("van der Berg, A.", [person("van der Berg", "A.")]),
        ("Ludwig van Beethoven", [person("van Beethoven", "Ludwig")]),
        ("de la Macorra JC, Peters O", [person("de la Macorra", "JC"), person("Peters", "O")]),
        ("García Márquez, Gabriel", [person("García Márquez", "Gabriel")]),
        (
            "Smith, J., Brown, A. B., Jr., & Lee, K.",
            [person("Smith", "J."), person("Brown", "A. B."), person("Lee", "K.")],
        ),
        ("Vaswani A, Shazeer N, et al.", [person("Vaswani", "A"), person("Shazeer", "N")]),
        ("Folkman and Klagsbrun", [person("Folkman"), person("Klagsbrun")]),
        ("World Health Organization", [P(name="World Health Organization")]),
        ("et al.", []),
        # Particles written after the given names belong to the family name.
        ("Marino P de, Riva ML de la", [person("de Marino", "P"), person("de la Riva", "ML")]),
        ("Marino, P. de", [person("de Marino", "P.")]),
        ("Beethoven, Ludwig van", [person("van Beethoven", "Ludwig")]),
        # A dash that led the names after a title ("Title — Vaswani et al.") is no name.
        ("— Vaswani et al.", [person("Vaswani")]),
        ("– Smith, J., & Lee, K. —", [person("Smith", "J."), person("Lee", "K.")]),
        ("—", []),
    ],
)
def test_split_authors(written: str, expected: list[Author]) -> None:
    assert split_authors(written) == expected


def test_latex_is_unicode_but_percent_in_urls_survives() -> None:
    assert prepare(r"Heged{\H u}s and \"{O}rs and Erd\H{o}s") == "Hegedűs and Örs and Erdős"
    url = "https://example.org/a%20b"
    assert prepare(rf"G{{\"o}}del, K. {url}").endswith(url)


def test_html_markup_is_dropped_but_angle_brackets_that_are_text_stay() -> None:
    assert prepare("<li>Lee, K. Fixing CO<sub>2</sub>. <I>Nature</I>, 5.</li>") == (
        "Lee, K. Fixing CO2. Nature, 5."
    )
    assert prepare('A <a href="https://x.org">title</a>.<br/>Next') == "A title. Next"
    kept = "Effects at p < 0.05 and n>3. <https://doi.org/10.1/x>"
    assert prepare(kept) == kept
    fields = parse_reference(
        "Smith, J., &amp; Lee, K. (2019). Deep priors. <em>Nature Neuroscience</em>, 22, 1–30."
    )
    assert (fields.container, [a.family for a in fields.authors]) == (
        "Nature Neuroscience",
        ["Smith", "Lee"],
    )


def test_quote_markers_of_an_entrys_further_lines_are_dropped() -> None:
    assert prepare("He, K. Deep residual\n> learning. In Proc.\n> > CVPR") == (
        "He, K. Deep residual learning. In Proc. CVPR"
    )


def test_pdf_line_breaks_are_joined() -> None:
    assert (
        prepare("Endo-\nscopic sphincter-\n otomy\nresults") == "Endoscopic sphincterotomy results"
    )


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "   \n\t ",
        "x" * 1_000_000,
        ("Smith, J. (2020). Title. " * 50_000)[:1_000_000],
        "!!!...,,,;;;:::---***___(((]]]",
        "{\\\\}}{{\\",
        "山田太郎, 鈴木花子. 深層学習による画像認識. 情報処理学会論文誌, 2019, 60(3): 100-110.",
        "Иванов И. И. Теория графов. М.: Наука, 1985. 320 с.",
    ],
)
def test_garbage_gives_fields(garbage: str) -> None:
    started = time.perf_counter()
    fields = parse_reference(garbage)
    assert isinstance(fields, Fields)
    assert time.perf_counter() - started < 5


def test_empty_gives_empty_fields() -> None:
    assert parse_reference("") == Fields()


def test_long_input_is_capped() -> None:
    fields = parse_reference("Smith, J. (2020). A title. " + "word " * 200_000)
    assert fields.year == 2020
    assert len(prepare("a" * (MAX_REFERENCE_CHARS * 2))) == MAX_REFERENCE_CHARS


def test_non_english_reference() -> None:
    fields = parse_reference("Иванов И. И. Теория графов. М.: Наука, 1985. 320 с.")
    assert fields.year == 1985
    assert fields.authors and fields.authors[0].family == "Иванов"


def test_spacy_loads_on_first_parse_only() -> None:
    script = (
        "import sys\n"
        "import factcheck\nfrom factcheck.extract import parser as p\n"
        "assert 'spacy' not in sys.modules and 'pycrfsuite' not in sys.modules\n"
        "p.parse_reference('Smith, J. (2020). A title.')\n"
        "assert 'spacy' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True)


def test_a_string_parsed_again_comes_from_the_cache_as_a_copy_of_its_own() -> None:
    text = "Smith, J., & Lee, K. (2021). Deep priors for sparse recovery. JMLR, 22, 1-30."
    first = parse_reference(text)
    first.authors.clear()
    again = parse_references([text, text])
    assert again[0] == again[1] and again[0] is not again[1]
    assert [a.family for a in again[0].authors] == ["Smith", "Lee"]


def test_vancouver_year_volume_and_pages_written_as_one_word() -> None:
    fields = parse_reference(
        "Welsh P, Peters MJ, McInnes IB. Vitamin D deficiency is common in patients with RA. "
        "Ann Rheum Dis. 2011;70(6):1165-7."
    )
    assert (fields.year, fields.volume, fields.issue) == (2011, "70", "6")
    assert fields.pages == "1165-7"


def test_year_comes_from_a_glued_volume_span_before_the_rest_of_the_string() -> None:
    from factcheck.extract.parser import Span, _fields

    text = "Smith J. Results of 1999 and 2001. J Med. 2004;12:5-9."
    volume_start = text.index("2004")
    spans = [
        Span("author", 0, 7),
        Span("title", 9, 33),
        Span("container", 35, 40),
        Span("volume", volume_start, volume_start + 7),
        Span("pages", volume_start + 8, volume_start + 11),
    ]
    fields = _fields(text, spans)
    assert (fields.year, fields.volume, fields.pages) == (2004, "12", "5-9")


def test_features_are_the_same_with_the_word_caches_cold_or_warm() -> None:
    from factcheck.extract.reftokens import blank_pipeline, doc_features, forget_words

    doc = blank_pipeline().make_doc("Smith, J. (2020). A title. In: Proc. Conf., pp. 1-10.")
    forget_words()
    cold = doc_features(doc)
    warm = doc_features(doc)
    assert cold == warm
    assert len(cold) == len(doc)
    # The window reaches two tokens either side and says where the string ends.
    assert {b"-2:edge", b"-1:edge"} <= set(cold[0])
    assert {b"1:edge", b"2:edge", b"last"} <= set(cold[-1])


@pytest.mark.parametrize(
    "text",
    [
        "Smith, J. (2020). A title. Nature, 5(2):1-10.",
        "Müller, Ö.  and  Łukasz Ż.\u00a0(2019) «Titre» 𝒜𝓁𝑔𝑒𝒷𝓇𝒶 😀 vol. 3, pp. 7–9",
        "   leading and trailing spaces   ",
        "x",
        "",
    ],
)
def test_doc_tokens_read_the_array_as_the_tokens_are(text: str) -> None:
    # doc_tokens reads words, spaces and offsets with one array call: the same tokens as
    # iterating the Doc, offsets in characters even past the Basic Multilingual Plane.
    from factcheck.extract.reftokens import blank_pipeline, doc_tokens

    doc = blank_pipeline().make_doc(text)
    tokens = doc_tokens(doc)
    assert tokens.words == [t.text for t in doc]
    assert tokens.spaces == [bool(t.whitespace_) for t in doc]
    assert tokens.starts == [t.idx for t in doc]
    assert all(text[s : s + len(w)] == w for s, w in zip(tokens.starts, tokens.words, strict=True))


@pytest.mark.parametrize(
    "text",
    [
        "Smith, J. (2020). A title. Nature, 5, 1-10.",
        "😀 Ünïcödé, 𝒜. (2021). 𝒯itle with astral letters. Journal 𝒥, 3(1), 4–5.",
        "[12] Lee K, Park S. Sparse probing. Proc ACL. 2022;1:100-110.",
    ],
)
def test_spans_are_maximal_runs_that_tile_the_tokens(text: str) -> None:
    spans = reference_spans(text)
    assert spans, text
    for span in spans:
        piece = text[span.start : span.end]
        assert piece == piece.strip() and piece
    # Runs of one label: no two neighbours share a label, and they are in order.
    assert all(a.end <= b.start for a, b in itertools.pairwise(spans))
    assert all(a.label != b.label for a, b in itertools.pairwise(spans))
    assert spans[0].start == len(text) - len(text.lstrip())
    assert spans[-1].end == len(text.rstrip())


def test_validation_split_is_seeded_and_only_from_good_xml_training_strings() -> None:
    from factcheck.train.parser import Example, split_glued, validation_split

    train = [split_glued(Example([("volume", f"2001;{i}:1-2")], "good.xml")) for i in range(50)] + [
        Example([("title", f"t{i}")], "core.xml") for i in range(20)
    ]
    fit, validation = validation_split(train)
    again = validation_split(train)
    assert [e.text for e in again[1]] == [e.text for e in validation]
    assert validation and all(e.source == "good.xml" for e in validation)
    assert {e.text for e in fit}.isdisjoint(e.text for e in validation)
    assert len(fit) + len(validation) == len(train)
    # Scored with the labels as written, as the held-out strings are.
    assert all(e.segments[0][0] == "volume" and len(e.segments) == 1 for e in validation)


@pytest.mark.parametrize(
    ("text", "venue"),
    [
        (
            "Jin, D. et al. (2023) Local-global defense on graphs. In: _AAAI_. DOI: 10.1609/x.",
            "AAAI",
        ),
        (
            "Wang, L. (2023) Object-aware distillation. In: *CVPR*. Available at: "
            "[doi:10.1109/CVPR52729.2023.01076](https://doi.org/10.1109/CVPR52729.2023.01076)",
            "CVPR",
        ),
    ],
)
def test_a_venue_ends_before_the_words_that_lead_to_a_link(text: str, venue: str) -> None:
    assert parse_reference(text).container == venue


def test_a_venue_tagged_as_a_note_and_a_preprint_server_are_read_as_the_venue() -> None:
    note = "Mao X, Sarkar P. Consistent nonparametric methods. In: KDD; 2021."
    assert parse_reference(note).container == "KDD"
    server = "Wu Y, Alwala K. Susie: scaling up instruction-following policies. arXiv. 2022."
    assert parse_reference(server).container == "arXiv"


def test_a_number_inside_a_page_range_is_not_the_year() -> None:
    text = "Tamura K, Nei M. MEGA 4 software version 4.0. Mol. Biol. Evol. 24, 1596-1599 (2007)"
    assert parse_reference(text).year == 2007
    assert parse_reference("Smith J (2019-2020). A title. J. Things 5:1-2.").year == 2019


def _latex_commands() -> list[str]:
    """Every command pylatexenc knows: some raise when written without their arguments."""
    from pylatexenc import latex2text, latexwalker

    specs = [
        *latex2text.get_default_latex_context_db().iter_macro_specs(),
        *latexwalker.get_default_latex_context_db().iter_macro_specs(),
    ]
    return sorted({spec.macroname for spec in specs})


def test_a_latex_command_without_its_arguments_never_breaks_the_parse() -> None:
    """ "\\title", "\\input" or "\\frac{1}" in a reference (hostile or broken text) are kept as
    written, without the backslash, instead of raising out of the whole extraction."""
    for name in _latex_commands():
        for written in (f"x \\{name} y", f"\\{name}", f"\\{name}{{", f"{{\\{name}}}"):
            prepare(written)
    entry = "Smith, J. (2020). A \\title of things. \\input *Nature* 1, 2."
    assert parse_reference(entry).year == 2020
    text = f"## References\n\n1. {entry}\n2. Lee, K. (2019). Another \\author. *Cell* 3, 4."
    assert [c.raw for c in extract(text)][:1] == [entry]


@pytest.mark.parametrize(
    ("raw", "pages"),
    [
        ("pages 4171–4186", "4171–4186"),
        ("Pages 10-12", "10-12"),
        ("page 7", "7"),
        ("pg. 837", "837"),
        ("pgs. 3-4", "3-4"),
        ("pp. 1-10", "1-10"),
        ("p. 5", "5"),
        ("S12", "12"),
    ],
)
def test_the_page_mark_is_dropped_whole(raw: str, pages: str) -> None:
    """The longest mark goes: "pages 12" is not the mark "p" before a page "ages 12"."""
    from factcheck.extract.parser import _pages

    assert _pages(raw) == pages


@pytest.mark.parametrize(
    ("raw", "volume", "issue"),
    [
        ("103(2001):", "103", None),  # the year glued after the volume is the date
        ("12 (1998)", "12", None),
        ("1,2010,", "1", None),
        ("5(2)", "5", "2"),  # an issue stays an issue
        ("290(5500):", "290", "5500"),  # a four-digit issue that is no year
        ("2008;64(4)", "64", "4"),  # the year before the volume, as before
    ],
)
def test_a_year_glued_after_the_volume_is_not_its_issue(
    raw: str, volume: str, issue: str | None
) -> None:
    from factcheck.extract.parser import _volume_issue

    assert _volume_issue(raw) == (volume, issue)


def test_another_validation_seed_draws_another_fold_of_the_same_strings() -> None:
    from factcheck.train.parser import Example, validation_split

    train = [Example([("title", f"t{i}")], "good.xml") for i in range(100)]
    first = {e.text for e in validation_split(train, 7)[1]}
    other = {e.text for e in validation_split(train, 8)[1]}
    assert len(first) == len(other) and first != other
    assert first | other <= {e.text for e in train}
