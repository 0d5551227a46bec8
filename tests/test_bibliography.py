"""Reference-list detection: exact entry spans on realistic answers, nothing from prose."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from factcheck.extract.bibliography import (
    _accept_trusted,
    _identified_entry,
    find_references,
    find_references_with_labels,
    is_reference_heading,
    reference_score,
)

ANSWERS = Path(__file__).resolve().parent.parent / "fixtures" / "answers"
FIXTURES = sorted(path for path in ANSWERS.glob("*.md"))


def _gold(path: Path) -> dict[str, list[dict[str, object]]]:
    data: dict[str, list[dict[str, object]]] = json.loads(
        path.with_suffix(".gold.json").read_text(encoding="utf-8")
    )
    return data


def test_there_are_enough_fixtures() -> None:
    assert len(FIXTURES) >= 30


@pytest.mark.parametrize("path", FIXTURES, ids=lambda path: path.stem)
def test_fixture_entries_have_exact_spans_and_labels(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    expected = [(e["start"], e["end"], e["raw"], e["label"]) for e in _gold(path)["entries"]]
    found = [(c.start, c.end, c.raw, label) for c, label in find_references_with_labels(text)]
    assert found == expected


@pytest.mark.parametrize("path", FIXTURES, ids=lambda path: path.stem)
def test_raw_is_the_text_span(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    for citation in find_references(text):
        assert text[citation.start : citation.end] == citation.raw
        assert citation.kind.value == "reference"
        assert citation.raw == citation.raw.strip()


PROSE_ONLY = [
    # A paragraph that mentions works without being a reference list.
    "Smith et al. (2020) showed that sleep improves memory, and Lee (2019) found the same "
    "in older adults. We recommend reading both before 2025.",
    # Inline citations only.
    "This is well established (Smith, 2020; Lee & Wu, 2019, p. 4) and replicated [1, 2].",
    # A table with names and years.
    "| Author | Year | Journal |\n|---|---|---|\n| Smith, J. | 2020 | Nature, 12(3), 45-67 |\n",
    # A fenced code block holding a reference list.
    "```\n[1] Smith, J. (2020). Title. Journal, 12(3), 45-67. doi:10.1234/abcd\n"
    "[2] Lee, K. (2019). Other. Proc. X, pp. 1-10.\n```\n",
    # An indented code block after a blank line.
    "Output:\n\n    Smith, J. (2020). Title. Journal, 12(3), 45-67.\n    [2] Lee K. 2019.\n",
    # Prose in a block quote is prose.
    "> Sleep improves memory (Smith, 2020), as Lee (2019) found in older adults in 2019.\n",
    # Code in a block quote is code, and the quote's end ends it.
    "> ```\n> [1] Smith, J. (2020). Title. Journal, 12(3), 45-67.\n> ```\n",
    # A heading is never an entry.
    "## Smith, J. (2020). Results from 2019, 12(3), 45-67\n\nSome prose.",
    # A numbered list of steps under a Notes heading.
    "## Notes\n\n1. Install version 2.1 from 2023.\n2. Run it twice.\n",
]


@pytest.mark.parametrize("text", PROSE_ONLY)
def test_no_entries_from_prose_code_tables_quotes_or_headings(text: str) -> None:
    assert find_references(text) == []


QUOTED_LIST = """The paper's own references, quoted:

> References
>
> [1] K. He, X. Zhang, S. Ren, and J. Sun, "Deep residual learning for image recognition,"
> in Proc. CVPR, 2016, pp. 770–778.
> [2] A. Vaswani et al., "Attention is all you need," in Proc. NeurIPS, 2017.

> > Smith, J. (2020). A title. *Journal*, 12(3), 45-67. https://doi.org/10.1234/x

1. Lee, K. (2019). Another title. *Journal*, 8, 1-10.
"""


def test_a_quoted_reference_list_is_read_as_its_content() -> None:
    """A block quote is read as what it quotes: a reference list quoted from a paper or a
    mail is still a list of claims, each entry spanning its quoted lines, with its label;
    each quote depth is a block of its own, and the list after the quote is another."""
    found = find_references_with_labels(QUOTED_LIST)
    assert [label for _, label in found] == ["1", "2", None, "1"]
    first = found[0][0]
    assert first.raw.startswith("K. He, X. Zhang") and first.raw.endswith("pp. 770–778.")
    assert "\n> in Proc. CVPR" in first.raw
    assert found[2][0].raw.startswith("Smith, J. (2020)")
    assert found[3][0].raw.startswith("Lee, K. (2019)")


def test_a_quoted_code_fence_does_not_hide_what_follows() -> None:
    # A quoted fence's closing line is quoted too: reading on for it would take the rest of
    # the text for code.
    entry = "Lee, K. (2019). Another title. *Journal*, 8, 1-10."
    text = f"> ```python\n> x = 1\n\n## References\n\n1. {entry}\n"
    assert [c.raw for c in find_references(text)] == [entry]


SMITH = (
    "Smith, J., & Lee, K. (2019). Deep priors for sparse recovery. *Nature Neuroscience*, 22, 1–30."
)
HE = "He, K., Zhang, X., Ren, S., & Sun, J. (2016). Deep residual learning for image recognition."


@pytest.mark.parametrize("bullet", ["📄", "📚", "▶️", "→", "✓", "–", "—", "·", "■", "➤"])
def test_any_bullet_people_and_models_use_opens_an_item(bullet: str) -> None:
    text = f"Worth reading:\n\n{bullet} {SMITH}\n{bullet} {HE}\n\nBoth are classics."
    assert [c.raw for c in find_references(text)] == [SMITH, HE]


@pytest.mark.parametrize(
    ("markers", "labels"),
    [
        (("¹", "²"), ["1", "2"]),
        (("¹⁰", "¹¹"), ["10", "11"]),
        (("1", "2"), ["1", "2"]),
        (("a)", "b)"), ["a", "b"]),
        (("(a)", "(b)"), ["a", "b"]),
    ],
    ids=["superscript", "superscript-tens", "bare-number", "letter", "letter-paren"],
)
def test_superscript_bare_number_and_letter_markers_open_labelled_items(
    markers: tuple[str, str], labels: list[str]
) -> None:
    text = f"Sources\n{markers[0]} {SMITH}\n{markers[1]} {HE}\n"
    found = find_references_with_labels(text)
    assert [(c.raw, label) for c, label in found] == list(zip([SMITH, HE], labels, strict=True))


@pytest.mark.parametrize(
    "line",
    ["12 (3), 45–67.", "2019 IEEE Conference on Vision, 770–778.", "4 ways to read it."],
)
def test_a_number_or_letter_that_opens_no_item_continues_the_entry(line: str) -> None:
    # A bare number opens an item only before a capital, and four digits are a year.
    entry = f"Smith, J. (2019). Deep priors for sparse recovery. Nature\n{line}"
    assert [c.raw for c in find_references(f"References\n\n{entry}\n")] == [entry]


def test_titles_with_their_authors_and_year_after_them_are_entries_not_prose() -> None:
    entries = [
        "Attention Is All You Need (Vaswani et al., 2017)",
        "Sparse Priors for Cortical Decoding (Smith and Lee, 2019), Nature Neuroscience",
        "*Deep residual learning for image recognition* (He et al., 2016)",
    ]
    text = "Sources:\n" + "\n".join(f"{i}. {e}" for i, e in enumerate(entries, start=1))
    assert [c.raw for c in find_references(text)] == entries
    # A sentence citing a work stays a sentence, under a heading too.
    prose = "Sources:\n1. Sleep improves memory in older adults (Smith et al., 2020), we found."
    assert find_references(prose) == []


def test_a_dash_run_is_still_the_same_authors_not_a_bullet() -> None:
    second = "———. 2017. Attention again. *Journal*, 3, 1–2."
    found = find_references(f"References\n\n{SMITH}\n{second}\n")
    assert [c.raw for c in found] == [SMITH, second]


@pytest.mark.parametrize(
    "text",
    [
        f"<ol><li>{SMITH}</li><li>{HE}</li></ol>",
        f"<ul>\n  <li>{SMITH}</li>\n  <li class='ref'>{HE}</li>\n</ul>",
        f"References: {SMITH}<br>{HE}",
        f"References<br/>{SMITH}<BR />{HE}",
    ],
    ids=["one-line-ol", "ul-lines", "br-lead", "br-heading"],
)
def test_an_answer_written_in_html_gives_one_entry_per_item_or_line(text: str) -> None:
    assert [c.raw for c in find_references(text)] == [SMITH, HE]


def test_lone_apa_paragraph_in_prose_is_an_entry() -> None:
    entry = (
        "Wood, W., & Rünger, D. (2016). Psychology of habit. *Annual Review of Psychology, 67*,"
        " 289–314."
    )
    text = f"Read this one:\n\n{entry}\n\nIt explains habits well."
    assert [c.raw for c in find_references(text)] == [entry]


def test_wrapped_entries_keep_their_line_breaks_and_split_at_author_starts() -> None:
    first = "Fowler, A. G., & Cleland, A. N. (2012). Surface codes. Physical\nReview A, 86(3)."
    second = "Shor, P. W. (1995). Scheme for reducing decoherence. Phys. Rev. A, 52(4)."
    text = f"References\n{first}\n{second}\n"
    assert [c.raw for c in find_references(text)] == [first, second]


def test_hanging_indent_splits_at_the_left_margin() -> None:
    first = "Bahdanau, D., Cho, K., and Bengio, Y. (2015). Neural machine trans-\n    lation."
    second = (
        "Graham, Y. and Zobel, J. (2013). Continu-\n    ous scales. In Proceedings, pages 33–41."
    )
    text = f"REFERENCES\n\n{first}\n{second}\n"
    assert [c.raw for c in find_references(text)] == [first, second]


def test_entries_sharing_a_line_are_split_at_the_next_number() -> None:
    text = (
        "[1] Hochreiter S, Schmidhuber J. Long short-term memory. Neural Comput. "
        "1997;9(8):1735-80. [2] Cho K, et al. Learning phrase representations. In: Proc "
        "EMNLP; 2014. p. 1724-34. [3] Chung J. Gated networks. arXiv:1412.3555. 2014."
    )
    found = find_references_with_labels(text)
    assert [label for _, label in found] == ["1", "2", "3"]
    assert found[0][0].raw.endswith("1997;9(8):1735-80.")
    assert found[1][0].raw.startswith("Cho K, et al.")


def test_entries_sharing_a_line_are_split_at_semicolons_between_entries() -> None:
    text = (
        "Sources: Marmot M. Social determinants. Lancet. 2005;365(9464):1099-104; "
        "Wilkinson RG, Pickett KE. Income inequality. Soc Sci Med. 2006;62(7):1768-84."
    )
    raws = [c.raw for c in find_references(text)]
    assert raws == [
        "Marmot M. Social determinants. Lancet. 2005;365(9464):1099-104",
        "Wilkinson RG, Pickett KE. Income inequality. Soc Sci Med. 2006;62(7):1768-84.",
    ]


def test_author_semicolons_do_not_split_an_entry() -> None:
    text = "## References\n\n- Smith, J.; Lee, K.; Wu, H. (2020). A title. *Nature*, 5, 1-9.\n"
    assert len(find_references(text)) == 1


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("References", True),
        ("7. REFERENCES", True),
        ("Key references", True),
        ("References and further reading", True),
        ("Works cited", True),
        ("Reference list", True),
        ("Reference Lists", True),
        ("Works Consulted", True),
        ("Suggested readings", True),
        ("Further Readings", True),
        ("List of works cited", True),
        ("Reference implementation", False),
        ("Press releases", False),
        ("Références", True),
        ("Bibliografía", True),
        ("参考文献", True),
        ("Список литературы", True),
        ("Sources of error", False),
        ("Open questions", False),
        ("Results", False),
    ],
)
def test_reference_headings(title: str, expected: bool) -> None:
    assert is_reference_heading(title) is expected


@pytest.mark.parametrize(
    "organisation",
    [
        "Office for National Statistics (2022)",
        "Department of Health and Social Care (2019)",
        "Bundesministerium für Gesundheit (2021)",
        "World Health Organization (2020)",
    ],
)
def test_an_organisation_with_small_words_in_its_name_leads_a_listed_entry(
    organisation: str,
) -> None:
    """In a list without a heading, each unmarked line must read like a reference: an
    organisation before its year does, whatever small words its name holds."""
    text = (
        "Giddens, A. and Sutton, P.W. (2021) Sociology. 9th edn. Cambridge: Polity Press.\n"
        "Putnam, R.D. (1995) 'Bowling alone', Journal of Democracy, 6(1), pp. 65-78.\n"
        f"{organisation} Population estimates for the UK: mid-2021. Available at: "
        "https://www.ons.gov.uk/ (Accessed: 3 March 2023).\n"
    )
    raws = [c.raw for c in find_references(text)]
    assert len(raws) == 3
    assert raws[2].startswith(organisation)


@pytest.mark.parametrize("label", ["Source:", "Reference:", "**Citation:**", "Key paper:", "See:"])
def test_a_lone_entry_after_a_label_on_its_line_is_an_entry(label: str) -> None:
    entry = "Kim, J. & Park, S. (2019). Sleep and memory consolidation. Neuron, 101(3), 400-412."
    found = find_references(f"Some context first.\n\n{label} {entry}\n\nMore text.")
    assert [c.raw for c in found] == [entry]


@pytest.mark.parametrize(
    "line",
    [
        "Source: my own notes from the 2019 workshop in Lisbon.",
        "Note: Smith and Lee (2020) showed that sleep matters for memory in mice.",
    ],
)
def test_a_label_before_a_remark_gives_no_entry(line: str) -> None:
    assert find_references(f"Some context first.\n\n{line}\n\nMore text.") == []


@pytest.mark.parametrize(
    "item",
    [
        'DeepMind blog, "AlphaFold: a solution to a 50-year-old grand challenge in biology",'
        " Nov 2020",
        "OpenAI, *why language models hallucinate and what to do about it*, 2025.",
    ],
)
def test_a_dated_item_whose_quoted_title_reads_like_a_sentence_is_an_entry(item: str) -> None:
    text = f"Sources\n\n- Jumper J, et al. Nature 2021.\n- {item}\n"
    assert [c.raw for c in find_references(text)][1:] == [item]


def test_a_sentence_quoting_someone_under_a_heading_is_still_prose() -> None:
    text = (
        "Sources\n\n- Jumper J, et al. Nature 2021.\n"
        '- He said "we will publish the results in the spring" back in 2019, and we believed'
        " him.\n"
    )
    assert len(find_references(text)) == 1


@pytest.mark.parametrize(
    "notes",
    [
        ["Ibid., p. 45."],
        ["Ibid.", "Goodfellow et al., op. cit., pp. 12-14."],
        ["Id. at 52.", "Ibidem, 7."],
    ],
)
def test_notes_pointing_back_leave_the_list_a_list_and_are_no_entries(notes: list[str]) -> None:
    entries = [
        "Goodfellow I, Bengio Y, Courville A. Deep Learning. MIT Press; 2016.",
        "Bishop CM. Pattern Recognition and Machine Learning. Springer; 2006.",
    ]
    items = [entries[0], *notes, entries[1]]
    text = "".join(f"{number}. {item}\n" for number, item in enumerate(items, 1))
    assert [c.raw for c in find_references(text)] == entries


def test_a_list_of_notes_pointing_back_is_no_list() -> None:
    assert find_references("1. Ibid.\n2. Ibid., p. 3.\n3. Identity theft rose in 2020.\n") == []


def test_a_sentence_whose_subject_is_no_name_is_no_listed_entry() -> None:
    """The small words of a name join capitalised words only ("of the data" is no name)."""
    text = (
        "Giddens, A. and Sutton, P.W. (2021) Sociology. 9th edn. Cambridge: Polity Press.\n"
        "Putnam, R.D. (1995) 'Bowling alone', Journal of Democracy, 6(1), pp. 65-78.\n"
        "Analysis of the data (2022) shows that both should be read again.\n"
    )
    assert len(find_references(text)) == 2


def test_score_separates_entries_from_sentences() -> None:
    entry = "Lim, J., & Dinges, D. F. (2010). A meta-analysis. Psych. Bull., 136(3), 375–389."
    sentence = "We found that Lim and Dinges (2010) should be read, and you will like it."
    assert reference_score(entry) >= 5
    assert reference_score(sentence) < 2


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n\n\n",
        "References\n",
        "[" * 100_000,
        "[1] " * 100_000,
        "(" * 100_000 + ")" * 100_000,
        "Smith, J. (2020). " * 60_000,
        "a" * 1_000_000,
        "## References\n\n" + "- Smith, J. (2020). Title. *J*, 1(2), 3-4.\n" * 20_000,
        "Литература\n\n1. Бахтин М. М. Эстетика словесного творчества. — М.: Искусство, 1979.\n",
    ],
    ids=[
        "empty",
        "blank",
        "heading-only",
        "brackets",
        "markers",
        "parens",
        "one-line-refs",
        "one-line-1mb",
        "long-list",
        "russian",
    ],
)
def test_pathological_input_is_fast_and_safe(text: str) -> None:
    started = time.perf_counter()
    for citation in find_references(text):
        assert text[citation.start : citation.end] == citation.raw
    assert time.perf_counter() - started < 10


def test_detection_never_imports_spacy_or_the_parser() -> None:
    code = (
        "import sys\n"
        "from factcheck.extract.bibliography import find_references\n"
        "from factcheck.extract.inline import find_inline\n"
        "text = 'References\\n1. Smith, J. (2020). A title. Nature, 1(2), 3-4.\\n'\n"
        "find_inline(text); find_references(text)\n"
        "bad = [m for m in sys.modules if m == 'spacy' or m.endswith('extract.parser')]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize(
    ("before", "accepted"),
    [(" ", True), ("", True), ("/", False), (".", False)],
    ids=["after-space", "text-start", "after-slash", "after-dot"],
)
def test_a_remembered_item_reading_still_sees_the_character_before_it(
    before: str, accepted: bool
) -> None:
    """An item of a list is read once and remembered by its text and the character before
    it, which the year pattern looks at ("/2019" is part of a path, not a date): asked twice,
    in any order, each gives its own answer."""
    raw = "2019 notes on things and more"
    text = before + raw
    for _ in range(2):
        for other in ("/", " "):
            _accept_trusted(other + raw, 1, len(raw) + 1, needs_shape=True)
        citation = _accept_trusted(text, len(before), len(text), needs_shape=True)
        assert (citation is not None) is accepted
        if citation is not None:
            assert (citation.start, citation.end, citation.raw) == (len(before), len(text), raw)


@pytest.mark.parametrize(
    ("raw", "entry"),
    [
        ("Park and Oh. Graph priors for docking. NeurIPS, 2024. doi:10.5555/x.1", True),
        ("Park and Oh, *Graph priors for docking*, NeurIPS (2024). DOI: 10.5555/x.1", True),
        (
            "Park and Oh. They found that it is large. It was the same in mice. doi:10.5555/x.1",
            False,
        ),
        ("The method works well. See doi:10.5555/x.1 for the details of it.", False),
        ("Park and Oh doi:10.5555/x.1", False),
        ("Sparse recovery has improved with priors. " * 20 + "See doi:10.5555/x.1.", False),
    ],
    ids=["names-first", "marked-title", "two-clauses", "prose", "one-part", "long-prose"],
)
def test_a_lone_line_with_a_doi_is_an_entry_by_its_shape(raw: str, entry: bool) -> None:
    assert _identified_entry(raw) is entry
