"""The extractors' shortcuts read exactly as the long way round: a text left unscanned
because it lacks what every match holds, a look-up remembered by the stretch of text it
reads, a cheaper test before a pattern. Each is checked against the plain pattern on
random text steered towards its edge cases, and whole extractions against cold caches."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from factcheck.extract import _clean, extract_all, freeform, identifiers, inline, parser
from factcheck.extract import bibliography as bib
from factcheck.model import Author
from factcheck.normalize import fold

NAME_PIECES = [
    "Smith",
    "Lee",
    "van ",
    "von ",
    "der ",
    "ten ",
    "De ",
    "and ",
    "& ",
    "et al.",
    "et al",
    " ",
    "\n",
    "'s",
    "’s",
    "The ",
    "In ",
    "NASA",
    "Ørsted",
    "Дементьев",
    "McDonald",
    "x",
    ", ",
    ". ",
    "4. ",
    "(",
    ")",
    "the ",
    "a ",
    " an ",
    "x" * 40,
]
LINE_PIECES = [
    " ",
    "\t",
    "**",
    "__",
    ":",
    ": ",
    "Sources",
    "References",
    "Here are the papers I used",
    "https://doi.org/10.1/x",
    "1. ",
    "- ",
    "[1] ",
    "x" * 30,
    "é",
    "*",
    "_",
]
MARKER_PIECES = [
    "",
    " ",
    "\t",
    "- ",
    "• ",
    "→ ",
    "✅ ",
    "1. ",
    "12) ",
    "(3) ",
    "[4] ",
    "[^n]: ",
    "[a]: ",
    "¹ ",
    "a) ",
    "(b) ",
    "7 ",
    "<li>",
    "<LI class='x'> ",
    "Smith",
    "x",
]


def pieces(fragments: list[str], size: int = 24) -> st.SearchStrategy[str]:
    return st.lists(st.one_of(st.sampled_from(fragments), st.text(max_size=4)), max_size=size).map(
        "".join
    )


def names_the_long_way(text: str, position: int) -> tuple[int, str] | None:
    """`inline._names_before` as it read before it was remembered: the pattern searched
    in the whole text, the words before the names read there."""
    window_start = max(0, position - inline.NARRATIVE_LOOKBACK)
    match = inline._NARRATIVE_RE.search(text, window_start, position)
    if match is None:
        return None
    first = match.group("names").split()[0]
    before = text[max(0, match.start() - len(" the ")) : match.start()]
    acronym = first.isupper() and len(first) > 1
    if fold(first) in inline._NOT_AUTHORS or acronym or inline._ARTICLE_BEFORE_RE.search(before):
        return None
    return match.start(), match.group("names")


@settings(max_examples=800, deadline=None)
@given(pieces(NAME_PIECES, 60), st.data())
def test_names_read_in_their_stretch_alone_as_in_the_whole_text(
    text: str, data: st.DataObject
) -> None:
    position = data.draw(st.integers(0, len(text)))
    found = inline._names_before(text, position)
    expected = names_the_long_way(text, position)
    assert (found and (found.start, found.names)) == expected


@pytest.mark.parametrize(
    "before",
    [
        "As the Transformer ",
        "As a Smith ",
        "NASA ",
        "In ",
        "As Smith and Lee's ",
        "by van der Berg et al. ",
        "x" * 75 + " the Lee ",
        "x" * 77 + " the Lee ",
        "x" * 90 + " the Lee ",
        "y " * 40 + "Smith et al.\n",
    ],
)
def test_names_before_a_year_read_alone_as_in_the_whole_text(before: str) -> None:
    text = before + "(2020) found it."
    position = len(before)
    found = inline._names_before(text, position)
    assert (found and (found.start, found.names)) == names_the_long_way(text, position)


@settings(max_examples=600, deadline=None)
@given(pieces(LINE_PIECES), pieces(LINE_PIECES))
def test_a_lead_heading_is_found_with_or_without_the_colon_test(before: str, after: str) -> None:
    text = f"{before}\n{after}"
    for start, end in ((0, len(before)), (len(before) + 1, len(text))):
        indent = bib._indent(text, start, end)
        if indent < 0:
            continue
        line = bib._Line(start, end, indent)
        expected = bib._LEAD_PREFIX_RE.match(text, start, end)
        found = bib._lead_prefix(text, line)
        assert (found and found.span()) == (expected and expected.span())


def test_a_lead_heading_at_its_longest_is_still_found() -> None:
    head = "w" * bib.MAX_LEAD_HEAD_CHARS
    gap = " " * bib.MAX_LEAD_GAP
    text = f"  **{head}**{gap}:** [1] Smith, J. (2020). Title."
    line = bib._Line(0, len(text), bib._indent(text, 0, len(text)))
    found = bib._lead_prefix(text, line)
    assert found is not None and found.group("head") == head
    longer = text.replace(head, head + "w")
    assert bib._lead_prefix(longer, bib._Line(0, len(longer), line.indent)) is None


MARK_PIECES = [">", "```", "~~~", "---", "***", "___", "|", ":---", "<!--", "#", "## ", " ", "\t"]


@settings(max_examples=600, deadline=None)
@given(st.text(min_size=1, max_size=3), pieces(MARK_PIECES + LINE_PIECES, 8))
def test_a_line_opening_with_a_word_is_no_quote_fence_rule_table_or_heading(
    first: str, rest: str
) -> None:
    text = first + rest
    line = bib._Line(0, len(text), bib._indent(text, 0, len(text)))
    if line.indent < 0 or not bib._opens_with_word(text, line):
        return
    marks = (bib._QUOTE_RE, bib._FENCE_RE, bib._RULE_RE, bib._TABLE_RE, bib._COMMENT_RE)
    for pattern in (*marks, bib._ATX_RE):
        assert pattern.match(text, 0, len(text)) is None


@settings(max_examples=400, deadline=None)
@given(pieces(MARKER_PIECES, 4), pieces(LINE_PIECES, 6))
def test_a_markers_style_is_the_group_that_matched(marker: str, rest: str) -> None:
    text = marker + rest
    found = bib._MARKER_RE.match(text)
    if found is not None:
        first = next(name for name, value in found.groupdict().items() if value is not None)
        assert bib._marker_style(found) == first


@pytest.mark.parametrize(
    ("pattern", "needles"),
    [
        (freeform._QUOTED_RE, freeform._QUOTE_OPENERS),
        (freeform._BOLD_START_RE, (freeform._BOLD_MARK,)),
        (freeform._TABLE_LINE_RE, (freeform._TABLE_BAR,)),
        (inline._SUPERSCRIPT_RE, tuple(inline._SUPERSCRIPT_NUMBERS)),
    ],
)
@settings(max_examples=300, deadline=None)
@given(text=pieces(['"', "“", "”", "**", "*", "|", "¹", "²", "⁻", "\n", " - ", "x" * 9, "Title"]))
def test_a_text_without_what_every_match_holds_has_no_match(
    pattern: re.Pattern[str], needles: tuple[str, ...], text: str
) -> None:
    if not any(needle in text for needle in needles):
        assert pattern.search(text) is None


@settings(max_examples=600, deadline=None)
@given(
    pieces(
        [
            "2020",
            "2019a",
            "n.d.",
            ", ",
            "; ",
            "see ",
            "e.g. ",
            "p. 4",
            " et al.",
            "&",
            "van ",
            "and ",
            "É",
            "x",
        ]
    )
)
def test_a_parenthetical_without_a_capital_cites_no_one(inner: str) -> None:
    text = f"({inner})"
    found = list(inline._author_year_group(text, 1, len(text) - 1, []))
    if inline._CAPITAL_RE.search(inner) is None:
        assert found == []


ENTRIES = [
    "Twittenhoff, C., et al. (2020). An RNA thermometer dictates toxin production. "
    "*PLOS Pathogens*. https://doi.org/10.1371/journal.ppat.1009194",
    "Boulkedid R, Abdoul H, Loustau M (2011). Using and reporting the Delphi method. "
    "PLoS ONE 6(6): e20476.",
    "van der Berg and De Smet (2019). Sparse priors for cortical recovery. Neuron 101: 1-12.",
    "Arya et al. (2004). Accurate differentiation of wireless losses. In: Proc. ICDCS.",
]


def answer(order: list[int], style: str) -> str:
    lines = [style.format(n=n + 1) + ENTRIES[i] for n, i in enumerate(order)]
    return (
        "As Twittenhoff et al. (2020) and van der Berg (2019) showed, priors help [1].\n\n"
        "References\n\n" + "\n".join(lines) + "\n"
    )


def forget() -> None:
    _clean.cache_clear()
    identifiers._classified.cache_clear()
    inline._names_in.cache_clear()
    bib._reaches.cache_clear()
    bib._reads_as_trusted_entry.cache_clear()
    parser.forget_parses()


@pytest.mark.parametrize("style", ["{n}. ", "[{n}] ", "- "])
def test_extractions_with_warm_caches_equal_those_with_cold_ones(style: str) -> None:
    orders = [[0, 1, 2, 3], [3, 2, 1, 0], [1, 3], [2, 0, 1]]
    warm = [extract_all(answer(order, style)) for order in orders]
    for order, extraction in zip(orders, warm, strict=True):
        forget()
        assert extract_all(answer(order, style)) == extraction


def test_parses_seen_before_do_not_start_the_model(monkeypatch: pytest.MonkeyPatch) -> None:
    first = parser.parse_references(ENTRIES)

    def no_model() -> None:
        raise AssertionError("the model was started for strings already parsed")

    monkeypatch.setattr(parser, "_pipeline", no_model)
    again = parser.parse_references(list(reversed(ENTRIES)))
    assert again == list(reversed(first))
    again[0].authors.clear()
    assert parser.parse_references(ENTRIES[-1:])[0] == first[-1]


@pytest.mark.parametrize(
    "url",
    [
        "https://doi.org/10.1016/j.neuron.2019.000003",
        "http://dx.doi.org/10.48550/arXiv.2101.00001",
        "https://doi.org/10.1000%2Fabc",
        "https://arxiv.org/abs/2101.00001v2",
        "https://pubmed.ncbi.nlm.nih.gov/12345/",
        "https://www.ncbi.nlm.nih.gov/pmc/articles/PMC123456/",
        "https://example.com/x",
        "https://doi.org/not-a-doi",
    ],
)
def test_a_link_classified_again_gives_fields_of_its_own_made_as_before(url: str) -> None:
    identifiers._classified.cache_clear()
    kind, cold = identifiers.classify_url(url)
    again, warm = identifiers.classify_url(url)
    assert (again, warm, warm.model_fields_set) == (kind, cold, cold.model_fields_set)
    assert warm is not cold and warm.authors is not cold.authors
    warm.url = "changed"
    warm.authors.append(Author(family="Smith"))
    assert identifiers.classify_url(url)[1] == cold
