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

from collections.abc import Sequence
from itertools import groupby

__all__ = ["join_glued_date_volume"]

DATE = "date"
VOLUME = "volume"


def _has_word_char(token: str) -> bool:
    return any(char.isalnum() for char in token)


def join_glued_date_volume(
    words: Sequence[str], spaces: Sequence[bool], labels: Sequence[str]
) -> list[str]:
    """`labels` with every word that reads as a date glued to a volume ("2011;70:",
    "2008;107(4):") labelled volume throughout, its punctuation too.

    Only a word whose letters and digits are labelled date, then volume, and nothing
    else (no date after the volume either) changes: a date and a volume written apart
    ("2011; 70:") stay two fields, and so does a word that also holds pages or a
    journal name (PDF text without spaces), which no single label describes.
    """
    out = list(labels)
    if VOLUME not in out or DATE not in out:
        return out
    # Where a date ends inside a word: most references have no such place, and only
    # the words around these are looked at.
    inside = [
        index
        for index, (label, following, space) in enumerate(zip(out, out[1:], spaces, strict=False))
        if label == DATE and following != DATE and not space
    ]
    for index in inside:
        first, end = _word_around(spaces, index)
        tagged = [out[i] for i in range(first, end) if _has_word_char(words[i])]
        if [label for label, _ in groupby(tagged)] == [DATE, VOLUME]:
            out[first:end] = [VOLUME] * (end - first)
    return out


def _word_around(spaces: Sequence[bool], index: int) -> tuple[int, int]:
    """(first token, end token) of the whitespace-separated word holding token `index`."""
    first = index
    while first > 0 and not spaces[first - 1]:
        first -= 1
    end = index + 1
    while end < len(spaces) and not spaces[end - 1]:
        end += 1
    return first, end
