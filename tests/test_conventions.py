"""The span conventions applied to the tagger's labels (factcheck/extract/conventions.py)."""

from __future__ import annotations

import pytest

from factcheck.extract.conventions import join_glued_date_volume
from factcheck.extract.parser import parse_reference, reference_spans


def _tokens(*words: str) -> tuple[list[str], list[bool]]:
    """Tokens and trailing-space flags from tokens written with a trailing space or not:
    `_tokens("2011", ";", "70", ": ")` is the word "2011;70:" and a space."""
    return [w.rstrip(" ") for w in words], [w.endswith(" ") for w in words]


def test_a_glued_date_and_volume_at_the_end_of_the_string_is_one_volume() -> None:
    words, spaces = _tokens("Nature", ". ", "2009", ";", "2")
    labels = ["container", "container", "date", "date", "volume"]
    assert join_glued_date_volume(words, spaces, labels)[2:] == ["volume"] * 3


@pytest.mark.parametrize(
    "tokens",
    [
        ("2011", ";", "70", ": "),  # Vancouver: year;volume:
        ("2008", ";", "107", "(", "4", ")", ": "),  # with the issue
        ("2009", ";", "2", ": "),  # a one-digit volume
        ("2009b", ";", "16", "(", "5", ") "),  # a lettered year
    ],
)
def test_a_year_glued_to_its_volume_is_one_volume(tokens: tuple[str, ...]) -> None:
    words, spaces = _tokens("Lancet", ". ", *tokens, "116-20")
    tagged = ["container", "container"] + ["date", "date"] + ["volume"] * (len(tokens) - 2)
    labels = join_glued_date_volume(words, spaces, [*tagged, "pages"])
    assert labels == ["container", "container", *["volume"] * len(tokens), "pages"]


def test_punctuation_of_the_word_joins_the_volume_whatever_its_label() -> None:
    words, spaces = _tokens("2011", ";", "70", ": ")
    assert (
        join_glued_date_volume(words, spaces, ["date", "other", "volume", "other"])
        == ["volume"] * 4
    )


@pytest.mark.parametrize(
    ("tokens", "labels"),
    [
        # a date and a volume written apart stay two fields
        (("2011", "; ", "70", ": "), ["date", "date", "volume", "volume"]),
        # a word that also holds the pages: no single label describes it
        (
            ("2011", ";", "70", ":", "116", "-", "20 "),
            ["date"] * 2 + ["volume"] * 2 + ["pages"] * 3,
        ),
        # a journal glued to the year by PDF extraction
        (("Lancet", ".", "2011", ";", "70 "), ["container"] * 2 + ["date"] * 2 + ["volume"]),
        # the volume first ("103(2001):"): not the year-then-volume convention
        (("103", "(", "2001", ")", ": "), ["volume"] * 2 + ["date"] * 3),
        # a date again after the volume
        (("2011", ";", "70", ":", "2012 "), ["date"] * 2 + ["volume"] * 2 + ["date"]),
        # one field only
        (("2011", ";"), ["date", "date"]),
        (("55", "(", "10", "):"), ["volume"] * 4),
    ],
)
def test_other_words_keep_their_labels(tokens: tuple[str, ...], labels: list[str]) -> None:
    words, spaces = _tokens(*tokens)
    assert join_glued_date_volume(words, spaces, labels) == labels


def test_labels_given_are_not_changed_in_place() -> None:
    words, spaces = _tokens("2011", ";", "70 ")
    labels = ["date", "date", "volume"]
    join_glued_date_volume(words, spaces, labels)
    assert labels == ["date", "date", "volume"]


VANCOUVER = (
    "Morley A, Derrick J, Mainland P. Closed loop control of anaesthesia: an assessment of "
    "the bispectral index as the target of control. Anaesthesia. {volume} 953-9."
)


@pytest.mark.parametrize(
    ("volume", "year", "number", "issue"),
    [("2000;55(10):", 2000, "55", "10"), ("2011;70:", 2011, "70", None)],
)
def test_the_parser_spans_a_glued_year_and_volume_as_one_volume(
    volume: str, year: int, number: str, issue: str | None
) -> None:
    text = VANCOUVER.format(volume=volume)
    spans = {text[s.start : s.end]: s.label for s in reference_spans(text)}
    assert spans.get(volume) == "volume"
    assert "date" not in spans.values()
    fields = parse_reference(text)
    assert (fields.year, fields.volume, fields.issue, fields.pages) == (
        year,
        number,
        issue,
        "953-9",
    )
