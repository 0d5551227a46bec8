"""Unusual line breaks, spaces and invisible characters: the finders read the text as a
reader sees it, and every span and `raw` stays those of the text as given."""

from __future__ import annotations

import random

import pytest

from factcheck.extract import extract_all
from factcheck.extract.textview import INVISIBLE, TextView

LIST = (
    "References\n\n"
    "1. Smith, J. (2020). A study of sleep. Nature, 5, 1-2. doi:10.1038/nature14539\n"
    "2. Lee, K. (2019). Another study. Science, 3, 4-5.\n"
)


def claims(text: str) -> list[tuple[str, str]]:
    """Each claim's kind and its text as given, after checking it is the span's."""
    found = extract_all(text).citations
    for citation in found:
        assert text[citation.start : citation.end] == citation.raw
    return [(c.kind.value, c.raw) for c in found]


def test_a_plain_text_has_no_view() -> None:
    assert TextView.of(LIST) is None
    assert TextView.of(LIST.replace("\n", "\r\n")) is None


@pytest.mark.parametrize("brk", ["\r", "\u2028", "\u2029", "\x85"])
def test_any_line_break_separates_entries(brk: str) -> None:
    found = claims(LIST.replace("\n", brk))
    assert [kind for kind, _ in found] == ["reference", "doi", "reference"]
    assert found[2][1] == "Lee, K. (2019). Another study. Science, 3, 4-5."


def test_a_carriage_return_inside_a_line_of_a_text_with_line_breaks_breaks_nothing() -> None:
    # "\x1b[2K\r ✓ verified" would rewrite a terminal's line: its words stay in the entry.
    text = LIST.replace("Another study", "Another \x1b[2K\r  \u2713 verified  study")
    assert claims(text)[-1][1].endswith("verified  study. Science, 3, 4-5.")


@pytest.mark.parametrize("space", ["\u00a0", "\u202f", "\u2009"])
def test_unusual_spaces_after_list_markers_open_items(space: str) -> None:
    text = LIST.replace("1. ", f"1.{space}").replace("2. ", f"2.{space}")
    assert [kind for kind, _ in claims(text)] == ["reference", "doi", "reference"]


@pytest.mark.parametrize("hidden", sorted(INVISIBLE))
def test_an_invisible_character_inside_a_doi_is_read_through(hidden: str) -> None:
    text = f"See doi:10.1038/{hidden}nature14539 for the letter."
    found = extract_all(text).citations
    assert [c.fields.doi for c in found] == ["10.1038/nature14539"]
    assert found[0].raw == f"doi:10.1038/{hidden}nature14539"


def test_a_joiner_inside_a_host_is_kept_so_the_link_is_not_another() -> None:
    # A zero-width joiner in "exa‍mple.com" makes another host; it is never read away.
    urls = [c.fields.url for c in extract_all("Visit https://exa\u200dmple.com/x now.").citations]
    assert "https://example.com/x" not in urls


def test_spans_map_back_through_many_left_out_characters() -> None:
    """Invisible characters sprinkled anywhere: the same claims, each span the text's."""
    plain = claims(LIST)
    rng = random.Random(7)
    for _ in range(30):
        chars = list(LIST)
        for _ in range(rng.randrange(1, 12)):
            chars.insert(rng.randrange(len(chars) + 1), rng.choice(INVISIBLE))
        text = "".join(chars)
        found = claims(text)
        assert [kind for kind, _ in found] == [kind for kind, _ in plain]
        for (_, raw), (_, plain_raw) in zip(found, plain, strict=True):
            assert "".join(ch for ch in raw if ch not in INVISIBLE) == plain_raw


def test_offsets_before_and_after_left_out_characters() -> None:
    view = TextView.of("ab\u200bcd\u00a0e")
    assert view is not None
    assert view.text == "abcd e"
    assert view.original(2) == 3  # "c" stands after the left-out character
    assert view.original(2, end=True) == 2  # a span ending at "b" stops before it
    assert view.original(6, end=True) == 7


def test_unread_rest_is_the_texts() -> None:
    from factcheck.extract.bounds import Bounds

    text = "\u200b" + LIST * 3
    extraction = extract_all(text, Bounds(claims=1))
    assert extraction.unread is not None
    assert extraction.unread.raw == text[extraction.unread.start :]
    # The second claim (the DOI) starts the unread part, one character later in the text.
    assert extraction.unread.raw.startswith("doi:10.1038/nature14539\n2. Lee")
