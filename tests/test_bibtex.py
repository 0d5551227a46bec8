"""BibTeX input: exact spans, fields, macros, LaTeX, malformed files and big ones."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from factcheck.extract import extract
from factcheck.extract.bibtex import (
    BibtexResult,
    ProblemCode,
    find_bibtex,
    latex_to_text,
    parse_bibtex,
)
from factcheck.model import Author, Kind

BIB = r"""% A realistic library, as exported by a reference manager.
@string{jmlr = "Journal of Machine Learning Research"}
@preamble{"\newcommand{\noop}[1]{}"}
@comment{This is ignored: @article{nope, title={Nope}}}

@article{hegedus2020,
  title     = {A {{Deep}} Study of Accents in {\"O}sterreich \& $\alpha$-helices},
  author    = {Heged{\H u}s, P{\'e}ter and John Smith and {World Health Organization} and others},
  journal   = jmlr # " (Online)",
  year      = 2020,
  month     = jan,
  volume    = {21},
  number    = {3},
  pages     = {101--120},
  doi       = {https://doi.org/10.5555/JMLR.2020.1},
}

@inproceedings{vaswani2017,
  title = "Attention Is All You Need",
  author = "Vaswani, Ashish and Shazeer, Noam and Ludwig van Beethoven",
  booktitle = {Advances in Neural Information Processing Systems},
  year = {2017},
  url = {https://papers.nips.cc/paper/7181}
}

@book{knuth1997,
  author    = {Knuth, Donald E.},
  title     = {The Art of Computer Programming},
  publisher = {Addison-Wesley},
  isbn      = {978-0-201-89683-1},
  date      = {1997-07-01}
}

@misc{devlin2018bert,
  title         = {{BERT}: Pre-training of Deep Bidirectional Transformers},
  author        = {Devlin, Jacob and Chang, Ming-Wei},
  eprint        = {1810.04805},
  archivePrefix = {arXiv},
  primaryClass  = {cs.CL},
  year          = {2018}
}

@phdthesis{garcia2019,
  title  = {Causal Inference in {\c{C}}a{\u g}lar's Data},
  author = {Garc{\'\i}a, Ana},
  school = {MIT},
  year   = {2019},
  pmid   = {12345678}
}

@incollection(chapter1,
  title = {A Chapter},
  author = {de la Fontaine, Jean},
  booktitle = {Collected Works},
  pages = {5 -- 9},
  year = 2001
)
"""


def _entry(result: BibtexResult, key: str) -> tuple[str, dict[str, object]]:
    """The entry with `key`: its raw text and its claimed fields."""
    for entry in result.entries:
        if entry.key == key:
            return entry.citation.raw, entry.citation.fields.claimed()
    raise AssertionError(f"no entry {key!r}")


def _assert_spans(text: str, result: BibtexResult) -> None:
    for entry in result.entries:
        citation = entry.citation
        assert citation.kind is Kind.REFERENCE
        assert 0 <= citation.start < citation.end <= len(text)
        assert text[citation.start : citation.end] == citation.raw
    for problem in result.problems:
        assert 0 <= problem.start <= problem.end <= len(text)


def test_realistic_bib_spans_and_keys() -> None:
    result = parse_bibtex(BIB)
    _assert_spans(BIB, result)
    keys = [entry.key for entry in result.entries]
    assert keys == [
        "hegedus2020",
        "vaswani2017",
        "knuth1997",
        "devlin2018bert",
        "garcia2019",
        "chapter1",
    ]
    assert result.problems == []
    raw, _ = _entry(result, "hegedus2020")
    assert raw.startswith("@article{hegedus2020,") and raw.endswith("/JMLR.2020.1},\n}")
    raw, _ = _entry(result, "chapter1")
    assert raw.startswith("@incollection(chapter1,") and raw.endswith("year = 2001\n)")


def test_article_fields_with_latex_macros_and_others() -> None:
    result = parse_bibtex(BIB)
    _, fields = _entry(result, "hegedus2020")
    assert fields == {
        "title": "A Deep Study of Accents in Österreich & α-helices",
        "authors": [
            {"family": "Hegedűs", "given": "Péter"},
            {"family": "Smith", "given": "John"},
            {"name": "World Health Organization"},
        ],
        "year": 2020,
        "container": "Journal of Machine Learning Research (Online)",
        "volume": "21",
        "issue": "3",
        "pages": "101-120",
        "doi": "10.5555/JMLR.2020.1",
        "type": "article-journal",
    }
    assert result.entries[0].more_authors is True
    assert result.entries[1].more_authors is False


def test_inproceedings_book_preprint_thesis_chapter() -> None:
    result = parse_bibtex(BIB)
    _, paper = _entry(result, "vaswani2017")
    assert paper["container"] == "Advances in Neural Information Processing Systems"
    assert paper["type"] == "paper-conference"
    assert paper["url"] == "https://papers.nips.cc/paper/7181"
    assert paper["authors"][2] == {"family": "van Beethoven", "given": "Ludwig"}  # type: ignore[index]

    _, book = _entry(result, "knuth1997")
    assert book["year"] == 1997
    assert book["isbn"] == "9780201896831"
    assert book["publisher"] == "Addison-Wesley"
    assert book["type"] == "book"

    _, preprint = _entry(result, "devlin2018bert")
    assert preprint["arxiv"] == "1810.04805"
    assert preprint["type"] == "preprint"
    assert preprint["title"] == "BERT: Pre-training of Deep Bidirectional Transformers"

    _, thesis = _entry(result, "garcia2019")
    assert thesis["type"] == "thesis"
    assert thesis["publisher"] == "MIT"
    assert thesis["pmid"] == "12345678"
    assert thesis["title"] == "Causal Inference in Çağlar's Data"
    assert thesis["authors"] == [{"family": "García", "given": "Ana"}]

    _, chapter = _entry(result, "chapter1")
    assert chapter["type"] == "chapter"
    assert chapter["container"] == "Collected Works"
    assert chapter["pages"] == "5-9"
    assert chapter["authors"] == [{"family": "de la Fontaine", "given": "Jean"}]


def test_find_bibtex_returns_the_citations() -> None:
    citations = find_bibtex(BIB)
    assert [c.fields.title for c in citations] == [
        e.citation.fields.title for e in parse_bibtex(BIB).entries
    ]


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        (r"Heged{\H u}s", "Hegedűs"),
        (r"{\"o}", "ö"),
        (r"A \& B", "A & B"),
        ("{{Deep}} Learning", "Deep Learning"),
        ("pages 1--10", "pages 1–10"),
        (r"$\alpha$-helix", "α-helix"),
        (r"50% of {\'E}cole", "50% of École"),
        ("Plain~text  with\n spaces", "Plain text with spaces"),
        (r"Taylor & Francis, C# and 50% {\'e}", "Taylor & Francis, C# and 50% é"),
        ("d&apos;Amore, R&D; AT&T", "d'Amore, R&D; AT&T"),
    ],
)
def test_latex_to_text(latex: str, text: str) -> None:
    assert latex_to_text(latex) == text


@pytest.mark.parametrize("depth", [1500, 5000])
def test_latex_to_text_survives_deep_nesting(depth: int) -> None:
    """Too deep for pylatexenc, or too long to hand it: the markup is stripped."""
    assert latex_to_text("{" * depth + r"\'e" + "}" * depth) == r"\'e"


def test_arxiv_doi_names_the_arxiv_id_and_eprint_without_prefix() -> None:
    text = (
        "@misc{a, title={A}, doi={10.48550/arXiv.2101.00001}}\n"
        "@misc{b, title={B}, eprint={arXiv:2101.00002}}\n"
        "@misc{c, title={C}, eprint={hep-th/9901001}, archivePrefix={PubMed}}\n"
        "@online{d, title={D}, howpublished={\\url{https://arxiv.org/abs/2101.00004}}}\n"
    )
    fields = [entry.citation.fields for entry in parse_bibtex(text).entries]
    assert [f.arxiv for f in fields] == ["2101.00001", "2101.00002", None, "2101.00004"]
    assert fields[0].doi == "10.48550/arXiv.2101.00001"
    assert fields[3].url == "https://arxiv.org/abs/2101.00004"


def test_macros_are_case_insensitive_and_defined_in_order() -> None:
    text = (
        "@article{early, title = {T}, journal = NAT}\n"
        '@String(nat = "Nature")\n'
        "@article{late, title = {T}, journal = Nat # { } # {Physics}, month = dec}\n"
    )
    result = parse_bibtex(text)
    assert [e.citation.fields.container for e in result.entries] == ["NAT", "Nature Physics"]
    assert [p.code for p in result.problems] == [ProblemCode.UNDEFINED_MACRO]


def test_bibtex_inside_markdown_fences_and_prose() -> None:
    entry = "@article{k,\n  title = {Fenced},\n  year = {2020}\n}"
    inline = "@book{b, title={Inline}}"
    text = f"Here is my reference:\n\n```bibtex\n{entry}\n```\n\nand also {inline}, thanks."
    result = parse_bibtex(text)
    _assert_spans(text, result)
    assert [e.citation.raw for e in result.entries] == [entry, inline]


def test_prose_with_at_signs_is_not_bibtex() -> None:
    text = (
        "Mail me@example.org{x}, ask @john (see below), LaTeX \\@ifnextchar{x}, "
        "CSS @media (max-width: 3px) { a {} }, a decorator @property, and @ {CLEF}."
    )
    assert parse_bibtex(text) == BibtexResult()


def test_identifiers_stay_separate_items_inside_the_entry_span() -> None:
    entries = find_bibtex(BIB)
    identifiers = [c for c in extract(BIB) if c.kind in (Kind.DOI, Kind.URL, Kind.ARXIV)]
    assert identifiers
    for identifier in identifiers:
        holders = [e for e in entries if e.start <= identifier.start < identifier.end <= e.end]
        assert len(holders) == 1
        holder = holders[0].fields
        claimed = (holder.doi, holder.url, holder.arxiv)
        assert any(
            value in claimed
            for value in (identifier.fields.doi, identifier.fields.url, identifier.fields.arxiv)
            if value
        )


def test_braces_protect_and_in_organisation_names() -> None:
    text = (
        '@book{k, title={T}, author={{Barnes and Noble} and Smith, J. and {\\"O}zt{\\"u}rk, Ali}}'
    )
    (entry,) = parse_bibtex(text).entries
    assert entry.citation.fields.authors == [
        Author(name="Barnes and Noble"),
        Author(family="Smith", given="J."),
        Author(family="Öztürk", given="Ali"),
    ]


def test_parsers_are_imported_lazily() -> None:
    """`import factcheck` stays fast: bibtexparser and pylatexenc load on first use."""
    code = (
        "import sys, factcheck.extract.bibtex; "
        "assert not {'bibtexparser', 'pylatexenc'} & set(sys.modules), sorted(sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# --- malformed input: never an exception, never a lost neighbour -----------------

NEIGHBOUR = "@article{next, title={Neighbour}}"


def _codes(result: BibtexResult) -> list[ProblemCode]:
    return [problem.code for problem in result.problems]


@pytest.mark.parametrize(
    ("broken", "codes"),
    [
        ("@article{a,\n title = {First},\n author = {X Y}\n", [ProblemCode.UNCLOSED]),
        ("@article{a,\n title = {First,\n year = 2020,\n}\n", [ProblemCode.UNCLOSED]),
        ("@article{a, title={First} ", [ProblemCode.UNCLOSED]),
        ("@article{a, title={First ", [ProblemCode.UNCLOSED]),
        ('@article(a, title="First)" ', [ProblemCode.UNCLOSED]),
        ("@article{title = {First}, year = 2001}\n", [ProblemCode.SYNTAX, ProblemCode.NO_KEY]),
        ("@article{, title={First}}\n", [ProblemCode.NO_KEY]),
        ("@article{a,\n title = {First}\n year = 2000\n}\n", [ProblemCode.SYNTAX]),
        ("@article{a title = {First}}\n", [ProblemCode.SYNTAX, ProblemCode.NO_KEY]),
        ("@article{a, title={First}, title={Second}}\n", [ProblemCode.DUPLICATE_FIELD]),
        ("@foo{a, title={First}}\n", [ProblemCode.UNKNOWN_TYPE]),
        ("@article{a, title={First}, journal = unknownmacro}\n", [ProblemCode.UNDEFINED_MACRO]),
        ("@article{a, title={Caf\ufffd \udcff M\ufffdller}}\n", []),
        ("}}}}@article{a, title={First}}{{{\n", []),
    ],
)
def test_malformed_entry_keeps_its_neighbour(broken: str, codes: list[ProblemCode]) -> None:
    text = broken + "\n" + NEIGHBOUR + "\n"
    result = parse_bibtex(text)
    _assert_spans(text, result)
    assert _codes(result) == codes
    titles = [entry.citation.fields.title for entry in result.entries]
    assert titles[-1] == "Neighbour"
    assert titles[0] is not None and titles[0].startswith(("First", "Caf"))


def test_unclosed_entry_reported_with_its_span() -> None:
    broken = "@article{a,\n  title = {First},\n  author = {X Y}"
    text = f"{broken}\n\n{NEIGHBOUR}"
    result = parse_bibtex(text)
    first = result.entries[0]
    assert first.citation.raw == broken
    assert first.citation.fields.authors == [Author(family="Y", given="X")]
    (problem,) = result.problems
    assert (problem.start, problem.end) == (0, len(broken))


def test_unclosed_entry_in_a_fence_stops_at_the_fence() -> None:
    text = f"```bibtex\n@article{{k, title={{Unclosed\n```\nProse {NEIGHBOUR}"
    result = parse_bibtex(text)
    assert [e.citation.raw for e in result.entries] == ["@article{k, title={Unclosed", NEIGHBOUR]


def test_duplicate_keys_keep_both_entries() -> None:
    text = "@article{Key, title={A}}\n@book{key, title={B}}\n"
    result = parse_bibtex(text)
    assert [e.citation.fields.title for e in result.entries] == ["A", "B"]
    (problem,) = result.problems
    assert problem.code is ProblemCode.DUPLICATE_KEY
    assert problem.start == text.index("@book")


def test_entry_without_fields_is_a_problem_not_a_citation() -> None:
    result = parse_bibtex("@article{lonely}\n@misc{k, note={only a note}}")
    assert result.entries == []
    assert _codes(result) == [ProblemCode.EMPTY, ProblemCode.EMPTY]


def test_everything_on_one_line() -> None:
    text = " ".join(f"@article{{k{i}, title={{T{i}}}, year={2000 + i}}}" for i in range(50))
    result = parse_bibtex(text)
    _assert_spans(text, result)
    assert [e.citation.fields.year for e in result.entries] == [2000 + i for i in range(50)]


def test_deeply_nested_braces_do_not_crash() -> None:
    text = "@article{k, title={" + "{" * 5000 + "x" + "}" * 5000 + "}}\n" + NEIGHBOUR
    result = parse_bibtex(text)
    assert [e.citation.fields.title for e in result.entries] == ["x", "Neighbour"]


# --- fuzz ---------------------------------------------------------------------------

_PIECES = st.sampled_from(
    [
        "@article{",
        "@misc(",
        "@string{",
        "@comment{",
        "@",
        "{",
        "}",
        "(",
        ")",
        '"',
        ",",
        "=",
        "#",
        "\n",
        " ",
        "\\",
        "$",
        "%",
        "~",
        "--",
        " and ",
        "others",
        "title",
        "author",
        "doi",
        "10.1234/x",
        "key",
        "2020",
        "\\'e",
        "\ufffd",
        "```",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES | st.text(max_size=5), max_size=60).map("".join))
def test_fuzz_never_raises_and_spans_slice_back(text: str) -> None:
    result = parse_bibtex(text)
    _assert_spans(text, result)
    starts = [entry.citation.start for entry in result.entries]
    assert starts == sorted(starts)


# --- size ---------------------------------------------------------------------------

# An entry as reference managers export them, abstract included (about 1 kB).
ABSTRACT = "We study the effect of {BibTeX} on the reliability of citations. " * 12
ENTRY_TEMPLATE = (
    "@article{{key{index},\n  title = {{A {{Study}} of Item {index}}},\n"
    '  author = {{Smith, John and M{{\\"u}}ller, Anna}},\n  journal = {{Journal}},\n'
    "  year = {{2020}},\n  pages = {{1--10}},\n  doi = {{10.5555/{index}}},\n"
    "  abstract = {{" + ABSTRACT.replace("{", "{{").replace("}", "}}") + "}}\n}}\n\n"
)
FIVE_MEGABYTES = 5_000_000
ONE_MEGABYTE = 1_000_000
# Quadratic scanning would take minutes here; linear takes well under a second.
UNCLOSED_ON_ONE_LINE = 3000


def test_five_megabyte_bib_finishes() -> None:
    entry_size = len(ENTRY_TEMPLATE.format(index=0))
    count = FIVE_MEGABYTES // entry_size
    text = "".join(ENTRY_TEMPLATE.format(index=i) for i in range(count))
    result = parse_bibtex(text)
    assert len(result.entries) == count
    assert result.problems == []
    last = result.entries[-1].citation
    assert last.fields.doi == f"10.5555/{count - 1}"
    assert last.fields.authors[1] == Author(family="Müller", given="Anna")


def test_line_of_entries_unclosed_inside_values_is_linear() -> None:
    text = "@article{a, title={x " * UNCLOSED_ON_ONE_LINE
    result = parse_bibtex(text)
    _assert_spans(text, result)
    assert len(result.entries) == UNCLOSED_ON_ONE_LINE


def test_megabyte_line_of_false_starts_finishes() -> None:
    text = "@a{" * (ONE_MEGABYTE // 6) + "x" + "{" * (ONE_MEGABYTE // 2)
    result = parse_bibtex(text)
    _assert_spans(text, result)
