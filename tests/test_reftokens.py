"""The token features the shipped model was trained on: written faster, never different."""

from __future__ import annotations

import pytest

from factcheck.extract.reftokens import features, forget_words, shape, shape_by_characters

# "Lee, K. (2020)." as the tokenizer cuts it, and whether a space follows each token.
WORDS = ["Lee", ",", "K", ".", "(", "2020", ")", "."]
SPACES = [False, True, False, True, False, False, False, False]
# Shared by every token of the string: one piece ("K." is an initial), with a year.
PIECE = [
    b"seg=0",
    b"seglen=8",
    b"segcase=none",
    b"segvenue=False",
    b"segyear=True",
]


def test_first_token_features_in_training_order() -> None:
    # The tagger sums a token's weights in the order its features come: order is pinned too.
    first = features(WORDS, SPACES)[0]
    assert first == [
        b"b",
        b"w=lee",
        b"cls=title",
        b"shape=Xx",
        b"pre3=lee",
        b"suf3=lee",
        b"pos=0",
        b"rel=0",
        b"years=0",
        b"periods=0",
        b"quotes=0",
        b"depth=0",
        *PIECE,
        b"segpos=first",
        b"-2:edge",
        b"-1:edge",
        b"1:w=,",
        b"1:cls=,",
        b"2:w=k",
        b"2:cls=cap1",
        b"nospace",
        b"after=,",
        b"before=",
        b"nw=k",
        b"nwcls=cap1",
        b"pw=START",
        b"pwcls=START",
        b"bicls+=title|,",
    ]


def test_inner_token_sees_counters_runs_and_pairs() -> None:
    # "2020" inside brackets after one full stop: the punctuation runs either side reach
    # the nearest words ("K" before, none after), and it ends one pair and starts another.
    year = features(WORDS, SPACES)[5]
    assert year == [
        b"b",
        b"w=2020",
        b"cls=year",
        b"shape=d",
        b"pre3=202",
        b"suf3=020",
        b"pos=4",
        b"rel=6",
        b"years=0",
        b"periods=1",
        b"quotes=0",
        b"depth=1",
        *PIECE,
        b"segpos=in",
        b"-2:w=.",
        b"-2:cls=.",
        b"-1:w=(",
        b"-1:cls=open",
        b"1:w=)",
        b"1:cls=close",
        b"2:w=.",
        b"2:cls=.",
        b"nospace",
        b"after=).",
        b"before=.(",
        b"nw=END",
        b"nwcls=END",
        b"pw=k",
        b"pwcls=cap1",
        b"bi=(|2020",
        b"bicls=open|year",
        b"bicls+=year|close",
    ]


def test_last_token_ends_the_piece_and_the_string() -> None:
    last = features(WORDS, SPACES)[-1]
    assert last[-1] == b"last"
    assert b"segpos=last" in last and {b"1:edge", b"2:edge"} <= set(last)
    assert last[8:12] == [b"years=1", b"periods=1", b"quotes=0", b"depth=0"]


@pytest.mark.parametrize(
    "words",
    [
        ["x"],
        ["Smith", "J", ".", "A", "title", ".", "Nature", "5", ":", "1", "-", "2", "."],
        ["«", "Titre", "»", "n", "°", "3", "…", "et", "al", ".", "2011b", ";", "70", ":"],
        ["Ünïcödé", "𝒜", ".", '"', "Quoted", '"', "[", "1", "]", "(", "(", ")", "IV"],
    ],
)
def test_features_are_the_same_cold_or_warm_and_one_row_per_token(words: list[str]) -> None:
    spaces = [index % 3 != 0 for index in range(len(words))]
    forget_words()
    cold = features(words, spaces)
    assert features(words, spaces) == cold
    assert len(cold) == len(words)
    assert features([], []) == []


@pytest.mark.parametrize(
    "around",
    ["{}", "A{}", "{}a", "{}{}", "Ab{}", "a{}", "1{}", "{}1", "{}-{}"],
)
def test_shape_shortcuts_agree_with_the_definition(around: str) -> None:
    # Upper, lower, title-case and uncased letters ("ǅ", "中"), digits of other scripts
    # ("١", "²"), letters that change length in lower case ("İ"), marks and symbols.
    characters = "aZ9ǅǄǆ中ßİΣσ²١Ⅷⅷﬁ.-–'’ \u0301_&𝒜😀"
    for char in characters:
        word = around.format(char, char)
        assert shape(word) == shape_by_characters(word), word
