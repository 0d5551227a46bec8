"""The BibTeX reader on generated and hostile BibTeX: never an exception, exact spans, and
output that stays proportional to the input.

Whatever is wrong with the BibTeX is reported as a `BibtexProblem` beside the entries (or the
entry is skipped with one), never raised. tests/test_bibtex.py fuzzes with loose pieces;
here the entries are built field by field, with nested braces, quotes, `#` concatenation
and `@string` macros, so that the generator reaches deep into the reader.
"""

from __future__ import annotations

from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from factcheck.extract import extract_all
from factcheck.extract.bibtex import MAX_MACRO_GROWTH, BibtexResult, ProblemCode, parse_bibtex
from factcheck.model import Kind

names = st.sampled_from(["title", "author", "year", "doi", "journal", "url", "m", "jan", "x.y"])
leaves = st.lists(
    st.sampled_from([*"ab \\'\"{}@,=#%\n\x00\ud800é", " and ", "others", "\\'{e}"]), max_size=8
).map("".join)
braced = st.recursive(
    leaves, lambda inner: st.lists(inner, max_size=3).map(lambda parts: "{" + "".join(parts) + "}")
)
values = st.one_of(
    braced,
    st.text(alphabet='ab "{}', max_size=8).map(lambda text: f'"{text}"'),
    st.integers(0, 3000).map(str),
    names,
    st.lists(st.one_of(braced, names), min_size=2, max_size=4).map(" # ".join),
)
fields = st.tuples(names, st.sampled_from(["=", " = ", ""]), values, st.sampled_from([",\n", ","]))
entries = st.tuples(
    st.sampled_from(
        ["@article", "@misc", "@string", "@comment", "@preamble", "@Book", "@odd", "@"]
    ),
    st.sampled_from(["{", "(", " {", ""]),
    st.sampled_from(["key", "k2", "", "a b", "k,"]),
    st.sampled_from([",", "", ",\n"]),
    st.lists(fields.map("".join), max_size=5).map("".join),
    st.sampled_from(["}", ")", "", "}}", "\n"]),
).map("".join)
bib_texts = st.lists(
    st.one_of(entries, st.sampled_from(["\n", "prose @ here ", "```\n", "% comment\n"])),
    max_size=6,
).map("".join)


def assert_result(text: str, result: BibtexResult) -> None:
    """Entries slice back, in order, without overlaps; problems lie in the text; no value is
    longer than the text plus what macros may add."""
    for entry in result.entries:
        citation = entry.citation
        assert citation.kind is Kind.REFERENCE
        assert 0 <= citation.start < citation.end <= len(text)
        assert text[citation.start : citation.end] == citation.raw
        for value in citation.fields.model_dump(exclude={"authors"}).values():
            assert len(str(value)) <= len(text) + MAX_MACRO_GROWTH
    for before, after in pairwise(result.entries):
        assert before.citation.end <= after.citation.start
    for problem in result.problems:
        assert isinstance(problem.code, ProblemCode)
        assert 0 <= problem.start <= problem.end <= len(text)


@settings(max_examples=300, deadline=None)
@given(bib_texts)
def test_generated_bibtex_never_raises(text: str) -> None:
    assert_result(text, parse_bibtex(text))


@settings(max_examples=100, deadline=None)
@given(bib_texts)
def test_generated_bibtex_through_extract_all(text: str) -> None:
    for citation in extract_all(text).citations:
        assert text[citation.start : citation.end] == citation.raw


# --- hostile BibTeX -------------------------------------------------------------------

DEEP = 100_000
NEIGHBOUR = "\n@misc{after, title = {Neighbour}}\n"
HOSTILE = {
    "nested braces": "@article{k, title = {" + "{" * DEEP + "x" + "}" * DEEP + "}}",
    "nested braces never closed": "@article{k, title = {" + "{" * DEEP,
    "nested LaTeX": "@article{k, title = {" + "\\textbf{" * 2000 + "x" + "}" * 2000 + "}}",
    "nested quotes and braces": '@misc{k, title = "' + '{"' * 20_000 + '"}',
    "unterminated entries": "@article{k, title = {abc\n" * 2000,
    "unterminated values": "@article{a, title={x " * 2000,
    "at storm": "@" * DEEP,
    "entry openers": "@article{" * 10_000,
    "keys without entries": "@article{k," * 5000,
    "string openers": '@string{a = "' * 5000,
    "fields without end": "@misc{k,\n" + "a = {b},\n" * 20_000,
    "one long concatenation": "@string{a = {x}}\n@misc{k, title = "
    + " # ".join("a" * 20_000)
    + "}",
    "null bytes and surrogates": "@misc{k\x00, title = {\ud800\x00}, author = {\udfff and \x00}}",
}


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_bibtex(text: str) -> None:
    """No exception, and the well-formed entry after the hostile one is still read."""
    text += NEIGHBOUR
    result = parse_bibtex(text)
    assert_result(text, result)
    assert result.entries[-1].key == "after"
    for citation in extract_all(text).citations:
        assert text[citation.start : citation.end] == citation.raw


def test_a_macro_chain_cannot_blow_up() -> None:
    """Each @string doubles the one before ("billion laughs"): read literally, the title
    below would hold 2^22 characters, and every further level doubles it. Values stop at
    MAX_MACRO_GROWTH past their written length instead, with a problem to say so."""
    levels = 20
    chain = "@string{m0 = {ha}}\n" + "".join(
        f"@string{{m{i} = m{i - 1} # m{i - 1}}}\n" for i in range(1, levels + 1)
    )
    value = f"m{levels} # m{levels}"
    text = chain + f"@misc{{k, title = {value}}}" + NEIGHBOUR
    result = parse_bibtex(text)
    assert_result(text, result)
    entry, neighbour = result.entries
    assert len(entry.citation.fields.title or "") <= len(value) + MAX_MACRO_GROWTH
    assert neighbour.citation.fields.title == "Neighbour"
    assert ProblemCode.TOO_LONG in {problem.code for problem in result.problems}


def test_macros_that_grow_a_little_are_expanded_whole() -> None:
    text = '@string{j = "Journal of Machine Learning Research"}\n@misc{k, journal = j # " Online"}'
    [entry] = parse_bibtex(text).entries
    assert entry.citation.fields.container == "Journal of Machine Learning Research Online"
