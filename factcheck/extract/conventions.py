"""Span conventions the tagger's labels are brought to before they become fields.

The CRF labels tokens, and the tokens of `reftokens` are finer than words: "2011;70:"
is four tokens. AnyStyle, whose labels the parser learns from and is measured
against, labels whole words, and writes a year glued to the volume that follows it
("Ann Rheum Dis. 2011;70: 116-20", the Vancouver style) as one volume field, leaving
the date to be read out of the volume. Training tags such words apart
(`factcheck.train.parser.split_glued`), so that the year and the volume number are
each learnt where they stand; the labels are put back together here, the inverse of
that split, so that the spans the parser gives follow the convention of the strings
it learnt from. `factcheck.extract.parser` reads the year and the volume out of such
a volume span (`_year`, `_volume_issue`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

__all__ = ["glued_words", "join_glued_date_volume"]

DATE = "date"
VOLUME = "volume"


def glued_words(spaces: Sequence[bool]) -> Iterator[tuple[int, int]]:
    """(first token, end token) of each whitespace-separated word: a run of tokens with no
    space between them. `spaces[i]` says whether whitespace follows token i."""
    start = 0
    for index, space in enumerate(spaces):
        if space or index == len(spaces) - 1:
            yield start, index + 1
            start = index + 1


def _has_word_char(token: str) -> bool:
    return any(char.isalnum() for char in token)


def join_glued_date_volume(
    words: Sequence[str], spaces: Sequence[bool], labels: Sequence[str]
) -> list[str]:
    """`labels` with every word that reads as a date glued to a volume ("2011;70:",
    "2008;107(4):") labelled volume throughout, its punctuation too.

    Only a word whose letters and digits are labelled date, then volume, and nothing
    else changes: a date and a volume written apart ("2011; 70:") stay two fields, and
    so does a word that also holds pages or a journal name (PDF text without spaces),
    which no single label describes.
    """
    out = list(labels)
    for first, end in glued_words(spaces):
        if end - first < 2:
            continue
        tagged = [out[i] for i in range(first, end) if _has_word_char(words[i])]
        if list(dict.fromkeys(tagged)) != [DATE, VOLUME]:
            continue
        out[first:end] = [VOLUME] * (end - first)
    return out
