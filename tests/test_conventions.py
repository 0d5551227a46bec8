"""The span conventions applied to the tagger's labels (factcheck/extract/conventions.py)."""

from __future__ import annotations

import pytest

from factcheck.extract.conventions import (
    apply_conventions,
    book_after_editors,
    bracketed_year_joins_date,
    date_leaves_volume,
    editors_first,
    join_glued_date_volume,
    month_joins_date,
    volume_leaves_container,
)
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


@pytest.mark.parametrize(
    ("tokens", "labels"),
    [
        # Chicago's volume (year) written without a space
        (("103", "(", "2001", ")", ": "), ["volume"] * 2 + ["date"] * 3),
        # a French "no. 1,2010,": the year after a comma
        (("1", ",", "2010", ", "), ["volume"] * 2 + ["date"] * 2),
        # a lettered year, the closing bracket labelled otherwise
        (("12", "(", "1998a", ")", ": "), ["volume", "volume", "date", "other", "other"]),
    ],
)
def test_a_volume_glued_to_the_year_after_it_is_one_volume(
    tokens: tuple[str, ...], labels: list[str]
) -> None:
    words, spaces = _tokens("Revue", " ", *tokens, "87-113")
    joined = join_glued_date_volume(words, spaces, ["container", "other", *labels, "pages"])
    assert joined == ["container", "other", *["volume"] * len(tokens), "pages"]


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
        # a date again after the volume
        (("2011", ";", "70", ":", "2012 "), ["date"] * 2 + ["volume"] * 2 + ["date"]),
        # a volume, a date, then the pages in one word
        (("70", "(", "2011", "):", "116 "), ["volume"] * 2 + ["date"] * 2 + ["pages"]),
        # a volume and a year written apart: two words, two fields
        (("103 ", "(", "2001", "):"), ["volume"] + ["date"] * 3),
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


def _labelled(*pairs: str) -> tuple[list[str], list[bool], list[str]]:
    """Tokens, space flags and labels from "token/label" pairs; a token written with a
    trailing space is followed by one: `_labelled("Smith /author", ",/author")`."""
    tokens, labels = zip(*(pair.rsplit("/", 1) for pair in pairs), strict=True)
    words, spaces = _tokens(*tokens)
    return words, spaces, list(labels)


@pytest.mark.parametrize(
    "names",
    [
        ("Horsley/author", ", /author", "Richard/author", ", /author", "ed/author", ". /author"),
        ("Berndt/author", ", /author", "J /author", "(/author", "eds/author", ")/author"),
        ("Wiltschko/author", ", /author", "Johann/author", ", /author", "Hrsg/author", ". /author"),
        ("Adorno/author", " /author", "(/author", "Ed/author", ".) /author"),
        ("Estève/author", " /author", "(/author", "dir/author", ".) /author"),
    ],
)
def test_names_that_end_in_an_editor_mark_open_with_editors(names: tuple[str, ...]) -> None:
    for number in ((), ("[1] /citation-number",)):
        words, _, labels = _labelled(*number, *names, "Title/title", ". /title")
        out = editors_first(words, labels)
        assert out[len(number) : len(number) + len(names)] == ["editor"] * len(names)
        assert out[-2:] == ["title", "title"]


@pytest.mark.parametrize(
    "pairs",
    [
        # "Ed" alone is a given name, not a mark
        ("Sheeran/author", ", /author", "Ed/author", ". /author", "Songs/title"),
        # the mark glued to a word: no mark
        ("Smith/author", ", /author", "Fred/author", ". /author", "Songs/title"),
        # a mark in a later author field (the names of a chapter's book)
        ("Songs/title", ". /title", "Smith/author", ", /author", "ed/author", ". /author"),
        # a mark alone: nothing before it to be editors
        ("eds/author", ". /author", "Songs/title"),
        # the names already editors, or authors with no mark
        ("Smith/editor", ", /editor", "ed/editor", ". /editor", "Songs/title"),
        ("Smith/author", ", /author", "A/author", ". /author", "Songs/title"),
    ],
)
def test_other_first_fields_keep_their_labels(pairs: tuple[str, ...]) -> None:
    words, _, labels = _labelled(*pairs)
    assert editors_first(words, labels) == labels


CHAPTER = (
    "Adorno/author",
    ". /author",
    "Erziehung/title",
    ". /title",
    "In/editor",
    " /editor",
    "Becker/editor",
    " /editor",
    "(/editor",
    "Ed/editor",
    ".), /editor",
)


@pytest.mark.parametrize(
    "book",
    [
        ("Mündigkeit/title", ". /title"),
        ("Dangerous/title", " /title", "territories/title", ". /title"),
        ("<italic>/title", "Mündigkeit/title", "</italic> /title"),
    ],
)
def test_a_title_after_the_editors_of_a_chapter_is_its_book(book: tuple[str, ...]) -> None:
    words, _, labels = _labelled(*CHAPTER, *book, "Berlin/location")
    out = book_after_editors(words, labels)
    assert out[: len(CHAPTER)] == labels[: len(CHAPTER)]
    assert out[len(CHAPTER) : -1] == ["container"] * len(book)
    assert out[-1] == "location"


@pytest.mark.parametrize(
    "pairs",
    [
        # a container already found: the title after the editors is left as the model read it
        (*CHAPTER, "Book/title", ". /title", "Journal/container"),
        # editors first (an edited book): its title is the title
        ("Smith/editor", ", /editor", "eds/editor", ". /editor", "Book/title", ". /title"),
        # a title after something else than the editors
        (*CHAPTER, "Berlin/location", ": /location", "Book/title"),
    ],
)
def test_other_titles_stay_titles(pairs: tuple[str, ...]) -> None:
    words, _, labels = _labelled(*pairs)
    assert book_after_editors(words, labels) == labels


@pytest.mark.parametrize(
    "date",
    [
        ("Dec /container", "2000/date", "; /date"),
        ("November /container", "5/date", ", /date", "2001/date"),
        ("Spring /container", "1998/date", ". /date"),
        ("Juin /container", "2004/date"),
    ],
)
def test_a_month_before_the_date_leaves_the_journal_name(date: tuple[str, ...]) -> None:
    journal = ("Administrative/container", " /container", "Quarterly/container", "; /container")
    words, spaces, labels = _labelled(*journal, *date)
    out = month_joins_date(words, spaces, labels)
    assert out == [*labels[: len(journal)], *["date"] * len(date)]


@pytest.mark.parametrize(
    "pairs",
    [
        # "Mar." in an abbreviated journal name ("Cienc. Mar."): the full stop follows
        ("Cienc/container", ". /container", "Mar/container", ". /container", "2001/date"),
        # a lower-case word is no month here
        ("Ocean/container", " /container", "may /container", "2001/date"),
        # the month is the whole container
        ("Dec /container", "2000/date"),
        # not before a number
        ("Quarterly/container", " /container", "Dec /container", "Spring/date", " /date"),
        # before a volume, not a date
        ("Quarterly/container", " /container", "Dec /container", "12/volume"),
        # a title, not a container
        ("Silent/title", " /title", "Spring /title", "1962/date"),
    ],
)
def test_other_last_words_stay_in_the_container(pairs: tuple[str, ...]) -> None:
    words, spaces, labels = _labelled(*pairs)
    assert month_joins_date(words, spaces, labels) == labels


@pytest.mark.parametrize(
    "year",
    [
        ("[/title", "1790/title", "]/title", ") /title"),
        ("(/title", "1996/title", ")/title", ". /title"),
        ("[/other", "1857b/title", "] /other"),
    ],
)
def test_a_bracketed_year_after_the_date_is_part_of_it(year: tuple[str, ...]) -> None:
    date = ("(/date", "2005 /date")
    words, spaces, labels = _labelled(*date, *year, "Reflections/title")
    out = bracketed_year_joins_date(words, spaces, labels)
    assert out == ["date"] * (len(date) + len(year)) + ["title"]


@pytest.mark.parametrize(
    "pairs",
    [
        # not a year
        ("2005 /date", "[/title", "12/title", "] /title"),
        # more than a year in the brackets
        ("2005 /date", "[/title", "1790 /title", "edition/title", "] /title"),
        # glued to the date: one word, already the date's or not
        ("2005/date", "[/title", "1790/title", "] /title"),
        # not after the date
        ("Title /title", "[/title", "1790/title", "] /title"),
        # not bracketed
        ("2005 /date", "1790/title", ". /title"),
    ],
)
def test_other_bracketed_words_keep_their_labels(pairs: tuple[str, ...]) -> None:
    words, spaces, labels = _labelled(*pairs)
    assert bracketed_year_joins_date(words, spaces, labels) == labels


def test_every_convention_returns_new_labels_and_leaves_the_given_ones() -> None:
    words, spaces, labels = _labelled(
        "Smith/author",
        ", /author",
        "ed/author",
        ". /author",
        "2005 /date",
        "[/title",
        "1790/title",
        "] /title",
        "Book/title",
        ". /title",
        "Quarterly/container",
        " /container",
        "Dec /container",
        "2000/date",
        "; /date",
        "103/volume",
        "(/volume",
        "2001/date",
        "): /date",
        "5/pages",
    )
    given = list(labels)
    out = apply_conventions(words, spaces, labels)
    assert labels == given
    assert out[:4] == ["editor"] * 4
    assert out[4:8] == ["date"] * 4
    assert out[12:15] == ["date"] * 3
    assert out[15:19] == ["volume"] * 4


CHICAGO = (
    "Fyson, Donald. “Le droit romain comme source du Code civil.” Revue du notaire {volume} 87-113."
)


@pytest.mark.parametrize(
    ("volume", "number", "year"),
    [("103(2001):", "103", 2001), ("12(1998):", "12", 1998), ("7(1985),", "7", 1985)],
)
def test_the_parser_reads_a_volume_glued_to_its_year(volume: str, number: str, year: int) -> None:
    text = CHICAGO.format(volume=volume)
    spans = {text[s.start : s.end]: s.label for s in reference_spans(text)}
    assert spans.get(volume) == "volume"
    fields = parse_reference(text)
    # The year in brackets is the date, not an issue number.
    assert (fields.volume, fields.issue, fields.year) == (number, None, year)
    assert fields.pages == "87-113"


JOURNAL = ("Recherches/container", " /container", "en/container", " /container")


@pytest.mark.parametrize(
    ("last", "following"),
    [
        # a volume mark before the volume
        (("n /container",), ("40/volume", ", /volume")),
        (("N° /container",), ("63/volume", ", /volume")),
        (("Vol/container", ". /container"), ("12/volume",)),
        # a volume number before the date or the pages
        (("42 /container",), ("(/date", "2014/date", "): /date")),
        (("1416 /container",), ("119/pages", "-/pages", "134/pages")),
        (("7/container", ", /container"), ("1985/date",)),
    ],
)
def test_a_volume_at_the_end_of_the_journal_name_leaves_it(
    last: tuple[str, ...], following: tuple[str, ...]
) -> None:
    words, spaces, labels = _labelled(*JOURNAL, *last, *following)
    out = volume_leaves_container(words, spaces, labels)
    assert out == [*labels[: len(JOURNAL)], *["volume"] * len(last), *labels[-len(following) :]]


@pytest.mark.parametrize(
    "pairs",
    [
        # a year ends the name ("Interspeech 2019"), or a year with an apostrophe
        (*JOURNAL, "2019/container", ", /container", "1-4/pages"),
        (*JOURNAL, "'/container", "91 /container", "(/date", "1991/date", ")/date"),
        # a number before something other than the date, the pages or the volume
        (*JOURNAL, "42 /container", "Berlin/location"),
        # a mark before the date, not the volume
        (*JOURNAL, "n /container", "2014/date"),
        # a number glued to the name: one word
        (*JOURNAL, "revue42 /container", "2014/date"),
        # the number is the whole container
        ("42 /container", "2014/date"),
        # a punctuation run between the container and the next field
        (*JOURNAL, "42 /container", "(/other", "2014/date"),
        # a title, not a container
        ("Part/title", " /title", "2 /title", "2014/date"),
    ],
)
def test_other_journal_names_keep_their_last_word(pairs: tuple[str, ...]) -> None:
    words, spaces, labels = _labelled(*pairs)
    assert volume_leaves_container(words, spaces, labels) == labels


def test_the_parser_gives_the_volume_at_the_end_of_a_journal_name() -> None:
    fields = parse_reference(
        'Roland, Perry, and Laurent Pugin. "Early music and the Music Encoding Initiative." '
        "Early Music 42 (2014): 605–11."
    )
    assert (fields.container, fields.volume, fields.year, fields.pages) == (
        "Early Music",
        "42",
        2014,
        "605–11",
    )


@pytest.mark.parametrize(
    ("volume", "date"),
    [
        # a lone year after a comma
        (("4/volume", ", /volume"), ("1925/volume", ", /volume")),
        (("12/volume", "(/volume", "3/volume", ")/volume", ", /volume"), ("1998b/volume",)),
        # an opening bracket the volume does not close, the date after it
        (
            ("368/volume", ", /volume", "no/volume", ". /volume", "1621 /volume"),
            ("(/volume", "May /volume", "27/volume", ", /volume"),
        ),
        (("281/volume", ", /volume", "no /volume", "5375 /volume"), ("(/volume", "17 /volume")),
    ],
)
def test_the_start_of_the_date_leaves_the_volume(
    volume: tuple[str, ...], date: tuple[str, ...]
) -> None:
    words, spaces, labels = _labelled(*volume, *date, "2013/date", "): /date", "605/pages")
    out = date_leaves_volume(words, spaces, labels)
    assert out == ["volume"] * len(volume) + ["date"] * (len(date) + 2) + ["pages"]


@pytest.mark.parametrize(
    "pairs",
    [
        # a volume that is a year-like number after its mark ("vol. 2000"): no comma before
        ("vol/volume", ". /volume", "2000/volume", ", /volume", "1-9/pages"),
        # the year first: nothing before it in the volume
        ("1999/volume", ", /volume", "12/volume", " /volume", "1-9/pages"),
        # an issue in brackets, closed ("12 (3)")
        ("12 /volume", "(/volume", "3/volume", ") /volume", "2013/date"),
        # an unclosed bracket, but no date after it
        ("12 /volume", "(/volume", "3 /volume", "1-9/pages"),
        # a number that is not a year after the comma
        ("12/volume", ", /volume", "3/volume", " /volume", "1-9/pages"),
        # a year glued to the volume: one word
        ("1/volume", ",/volume", "2010/volume", ", /volume", "1-9/pages"),
    ],
)
def test_other_volumes_keep_their_words(pairs: tuple[str, ...]) -> None:
    words, spaces, labels = _labelled(*pairs)
    assert date_leaves_volume(words, spaces, labels) == labels
