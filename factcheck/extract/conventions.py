"""Span conventions the tagger's labels are brought to before they become fields.

The CRF labels tokens, and the parser is trained on and measured against AnyStyle's
labels, which follow a few conventions a token tagger does not always keep. Each rule
here restores one of them, and each was checked against AnyStyle's own labels of the
training strings (it changes none or almost none of them) and chosen on validation
strings, never on the held-out ones (factcheck/models/README.md has the counts):

- AnyStyle labels whole whitespace-separated words. A year glued to the volume that
  follows it ("Ann Rheum Dis. 2011;70: 116-20", the Vancouver style) or that precedes
  it ("Revue du notaire 103(2001): 87-113") is one volume field, the date read out of
  it. Training tags the year-first form apart (`factcheck.train.parser.split_glued`),
  so that the year and the volume are each learnt where they stand;
  `join_glued_date_volume` puts such words back together (`factcheck.extract.parser`
  reads the year, the volume and the issue out of the volume span).
- A reference that opens with names and an editor mark ("Horsley, Richard A., ed.",
  "Berndt, Jaqueline (ed.)") opens with editors, not authors (`editors_first`).
- The title of the book that holds a chapter, after its editors ("In T. W. Adorno
  (Ed.), Erziehung zur Mündigkeit"), is the container (`book_after_editors`).
- A month written before a date's number belongs to the date, not to the journal
  name before it ("Quarterly; Dec 2000") (`month_joins_date`).
- A volume mark or a volume number that ends the journal name, right before the
  volume, the date or the pages ("Recherches en communication, n 40", "Early Music 42
  (2014)"), belongs to the volume (`volume_leaves_container`).
- A year after a comma, or an opening bracket the volume does not close before the
  date, ends the volume: "4, 1925, 136-141", "368, no. 1621 (May 27, 2013)"
  (`date_leaves_volume`).
- A year in brackets right after the date ("(2005 [1790])", the original edition)
  is part of the date (`bracketed_year_joins_date`).

`apply_conventions` runs them all, finding the fields once per string. Each public
rule returns new labels and leaves the given ones alone; every rule looks no further
when the labels it needs are missing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from itertools import groupby, pairwise

from factcheck.extract.reftokens import is_year, lexicon, wordset

__all__ = [
    "apply_conventions",
    "book_after_editors",
    "bracketed_year_joins_date",
    "date_leaves_volume",
    "editors_first",
    "join_glued_date_volume",
    "month_joins_date",
    "volume_leaves_container",
]

AUTHOR = "author"
CONTAINER = "container"
DATE = "date"
EDITOR = "editor"
PAGES = "pages"
TITLE = "title"
VOLUME = "volume"
# Runs that come before the first field and say nothing of it.
_LEADING = frozenset(["other", "citation-number"])
# Words that, written last after the names, mark them as editors (or translators,
# whom the tag set counts as editors): "eds.", "(ed.)", "Hrsg.", "dir.".
_EDITOR_MARKS = wordset("ed eds editor editors hrsg hg dir éd éds trans translator translators")
# "Ed" alone is also a given name ("Sheeran, Ed."): a mark only in brackets, "(Ed.)".
_NAME_LIKE_MARKS = frozenset(["Ed"])
_MONTHS = lexicon("month")
_VOLUME_MARKS = lexicon("volmark")
_OPENING_BRACKETS = frozenset("([")
_CLOSING_BRACKETS = frozenset(")]")
_WORD_CHAR_RE = re.compile(r"[^\W_]")
# (label, first token, end token) of each field: see `_fields`.
_FieldRuns = list[tuple[str, int, int]]


def _has_word_char(token: str) -> bool:
    return token.isalnum() or _WORD_CHAR_RE.search(token) is not None


def _last_word_token(words: Sequence[str], first: int, end: int) -> int:
    """The last token of `first:end` that holds a letter or digit (the field has one)."""
    return next(i for i in range(end - 1, first - 1, -1) if _has_word_char(words[i]))


def _word_around(spaces: Sequence[bool], index: int) -> tuple[int, int]:
    """(first token, end token) of the whitespace-separated word holding token `index`."""
    first = index
    while first > 0 and not spaces[first - 1]:
        first -= 1
    end = index + 1
    while end < len(spaces) and not spaces[end - 1]:
        end += 1
    return first, end


def _fields(words: Sequence[str], labels: Sequence[str]) -> _FieldRuns:
    """(label, first token, end token) of each run of one label that holds a word: the
    fields, without the punctuation-only runs between them."""
    out: _FieldRuns = []
    start = 0
    for label, run in groupby(labels):
        end = start + len(list(run))
        if any(_has_word_char(word) for word in words[start:end]):
            out.append((label, start, end))
        start = end
    return out


def join_glued_date_volume(
    words: Sequence[str], spaces: Sequence[bool], labels: Sequence[str]
) -> list[str]:
    """`labels` with every word that reads as a date glued to a volume, in either order
    ("2011;70:", "2008;107(4):", "103(2001):", "no. 1,2010,"), labelled volume
    throughout, its punctuation too.

    Only a word whose letters and digits are labelled date then volume, or volume then
    date, and nothing else changes: a date and a volume written apart ("2011; 70:")
    stay two fields, and so does a word that also holds pages or a journal name (PDF
    text without spaces), which no single label describes.
    """
    out = list(labels)
    if VOLUME not in out or DATE not in out:
        return out
    # Where a date or a volume ends inside a word: most references have no such place,
    # and only the words around these are looked at.
    inside = [
        index
        for index, (label, following, space) in enumerate(zip(out, out[1:], spaces, strict=False))
        if label in (DATE, VOLUME) and following != label and not space
    ]
    for index in inside:
        first, end = _word_around(spaces, index)
        tagged = [out[i] for i in range(first, end) if _has_word_char(words[i])]
        if [label for label, _ in groupby(tagged)] in ([DATE, VOLUME], [VOLUME, DATE]):
            out[first:end] = [VOLUME] * (end - first)
    return out


def _editor_mark(words: Sequence[str], last: int) -> bool:
    """Whether token `last`, the last word of a run of names, marks them as editors."""
    word = words[last]
    before = words[last - 1] if last else ""
    if word.lower() not in _EDITOR_MARKS or _has_word_char(before):
        return False
    return word not in _NAME_LIKE_MARKS or before in _OPENING_BRACKETS


# The rules below that read fields share one signature: they change `out` in place and
# say whether they did, so that `apply_conventions` finds the fields once per string
# and again only after a change. Each has a public twin that returns new labels.


def _editors_first(
    words: Sequence[str], spaces: Sequence[bool], out: list[str], fields: _FieldRuns
) -> bool:
    leading = next((field for field in fields if field[0] not in _LEADING), None)
    if leading is None or leading[0] != AUTHOR:
        return False
    _, first, end = leading
    last = _last_word_token(words, first, end)
    if last > first and _editor_mark(words, last):
        out[first:end] = [EDITOR] * (end - first)
        return True
    return False


def editors_first(words: Sequence[str], labels: Sequence[str]) -> list[str]:
    """`labels` with a first field of authors that ends in an editor mark ("Horsley,
    Richard A., ed.", "Wiltschko, Johannes, Hrsg.", "Berndt, J. (eds.)") labelled
    editor, as AnyStyle labels such names: applied to its own labels of its 5,389
    training strings, the rule changes none."""
    return _public(_editors_first, words, [False] * len(words), labels)


def _book_after_editors(
    words: Sequence[str], spaces: Sequence[bool], out: list[str], fields: _FieldRuns
) -> bool:
    if EDITOR not in out or TITLE not in out or CONTAINER in out:
        return False
    for index in range(2, len(fields)):
        label, first, end = fields[index]
        if (
            label == TITLE
            and fields[index - 1][0] == EDITOR
            and any(field[0] == TITLE for field in fields[: index - 1])
        ):
            out[first:end] = [CONTAINER] * (end - first)
            return True
    return False


def book_after_editors(words: Sequence[str], labels: Sequence[str]) -> list[str]:
    """`labels` with a second title that follows the editors of the book holding the
    work ("Title. In T. W. Adorno (Ed.), Book title.") labelled container, when no
    container was found: after editors that follow a title, AnyStyle labels the
    next field a container 257 times in its training strings, a title 5 times."""
    return _public(_book_after_editors, words, [False] * len(words), labels)


def _month_joins_date(
    words: Sequence[str], spaces: Sequence[bool], out: list[str], fields: _FieldRuns
) -> bool:
    if DATE not in out or CONTAINER not in out:
        return False
    changed = False
    for (label, first, end), (following, start, _) in pairwise(fields):
        last = end - 1
        if (
            label == CONTAINER
            and following == DATE
            and start == end
            and last > first
            and spaces[last]
            and words[last].lower() in _MONTHS
            and words[last][:1].isupper()
            and words[start][:1].isdigit()
        ):
            out[last] = DATE
            changed = True
    return changed


def month_joins_date(
    words: Sequence[str], spaces: Sequence[bool], labels: Sequence[str]
) -> list[str]:
    """`labels` with a month (or season) that ends a container and stands right before
    the date's first number ("Administrative Science Quarterly; Dec 2000") labelled
    date. AnyStyle's training strings never end a container with a month before a date.

    A month word followed by a full stop ("Cienc. Mar. 2001") is left alone: in
    abbreviated journal names such words are often not months.
    """
    return _public(_month_joins_date, words, spaces, labels)


def _trailing_word(
    words: Sequence[str], spaces: Sequence[bool], first: int, end: int
) -> tuple[int, list[str]] | None:
    """(first token, letters and digits of each token) of the last word of the field
    `first:end`, when that word begins with a letter or digit ("42", "N°", not "'91")
    and the field has words before it; None otherwise."""
    start, _ = _word_around(spaces, _last_word_token(words, first, end))
    if start <= first or not _has_word_char(words[start]):
        return None
    if not any(_has_word_char(word) for word in words[first:start]):
        return None
    held = ["".join(c for c in word if c.isalnum()) for word in words[start:end]]
    return start, [word for word in held if word]


def _is_volume_number(held: list[str]) -> bool:
    return len(held) == 1 and held[0].isdigit() and not is_year(held[0])


def _volume_leaves_container(
    words: Sequence[str], spaces: Sequence[bool], out: list[str], fields: _FieldRuns
) -> bool:
    if CONTAINER not in out:
        return False
    changed = False
    for (label, first, end), (following, start, _) in pairwise(fields):
        if label != CONTAINER or start != end or following not in (VOLUME, DATE, PAGES):
            continue
        trailing = _trailing_word(words, spaces, first, end)
        if trailing is None:
            continue
        word_start, held = trailing
        mark = len(held) == 1 and held[0].lower() in _VOLUME_MARKS
        if (following == VOLUME and mark) or (following != VOLUME and _is_volume_number(held)):
            out[word_start:end] = [VOLUME] * (end - word_start)
            changed = True
    return changed


def volume_leaves_container(
    words: Sequence[str], spaces: Sequence[bool], labels: Sequence[str]
) -> list[str]:
    """`labels` with the last word of a container labelled volume when it is a volume
    mark right before the volume ("Les Cahiers des Transports, N° 63") or a number
    (not a year) right before the date or the pages ("Early Music 42 (2014): 605-11").

    In AnyStyle's training strings a volume after a container begins with its mark 482
    times and a container never ends with one before a volume; a bare volume number
    stands between a container and the date or pages 764 times, and the rule would
    change 8 of their 5,389 strings ("Internet RFC 5050, Nov. 2007"). A number written
    with an apostrophe ("Supercomputing '91") is a year, and stays.
    """
    return _public(_volume_leaves_container, words, spaces, labels)


def _words(spaces: Sequence[bool], first: int, end: int) -> list[tuple[int, int]]:
    """(first token, end token) of each whitespace-separated word of tokens `first:end`."""
    out: list[tuple[int, int]] = []
    start = first
    for index in range(first, end):
        if spaces[index] or index == end - 1:
            out.append((start, index + 1))
            start = index + 1
    return out


def _date_start(
    words: Sequence[str], word: tuple[int, int], before: tuple[int, int], unclosed: bool
) -> bool:
    """Whether `word`, in a volume after the word `before`, is where a date begins: a
    lone year after a comma ("4, 1925"), or an opening bracket the volume does not
    close (`unclosed`: "368, no. 1621 (May 27," before the date "2013)")."""
    tokens = words[word[0] : word[1]]
    held = [token for token in tokens if _has_word_char(token)]
    if len(held) == 1 and is_year(held[0]) and words[before[1] - 1] == ",":
        return True
    return unclosed and tokens[0] in _OPENING_BRACKETS


def _date_leaves_volume(
    words: Sequence[str], spaces: Sequence[bool], out: list[str], fields: _FieldRuns
) -> bool:
    if VOLUME not in out:
        return False
    changed = False
    for index, (label, first, end) in enumerate(fields):
        if label != VOLUME or end - first < 2:
            continue
        following = fields[index + 1] if index + 1 < len(fields) else None
        date_follows = following is not None and following[0] == DATE and following[1] == end
        for before, word in pairwise(_words(spaces, first, end)):
            rest = words[word[0] : end]
            opened = sum(token in _OPENING_BRACKETS for token in rest)
            unclosed = date_follows and opened > sum(token in _CLOSING_BRACKETS for token in rest)
            if _date_start(words, word, before, unclosed):
                out[word[0] : end] = [DATE] * (end - word[0])
                changed = True
                break
    return changed


def date_leaves_volume(
    words: Sequence[str], spaces: Sequence[bool], labels: Sequence[str]
) -> list[str]:
    """`labels` with the end of a volume that holds the start of the date labelled date:
    from a lone year written after a comma ("Revue belge, 4, 1925, 136-141"), or from
    an opening bracket the volume does not close when the date follows ("368, no. 1621
    (May 27, 2013): 201"). AnyStyle's volumes hold neither in its training strings, and
    a date follows a volume that way 460 times there.
    """
    return _public(_date_leaves_volume, words, spaces, labels)


def _bracketed_year_joins_date(
    words: Sequence[str], spaces: Sequence[bool], out: list[str], fields: _FieldRuns
) -> bool:
    changed = False
    for label, _, end in fields:
        index = end - 1
        if label != DATE or not spaces[index] or end == len(out) or out[end] == DATE:
            continue
        _, word_end = _word_around(spaces, end)
        word = words[end:word_end]
        held = [token for token in word if _has_word_char(token)]
        if (
            word[0] in _OPENING_BRACKETS
            and any(token in _CLOSING_BRACKETS for token in word)
            and len(held) == 1
            and is_year(held[0])
        ):
            out[end:word_end] = [DATE] * (word_end - end)
            changed = True
    return changed


def bracketed_year_joins_date(
    words: Sequence[str], spaces: Sequence[bool], labels: Sequence[str]
) -> list[str]:
    """`labels` with a bracketed year written right after the date, as its own word
    ("(2005 [1790])", "1998 (1996)."), labelled date: the original edition's year is
    part of AnyStyle's date."""
    return _public(_bracketed_year_joins_date, words, spaces, labels)


_Rule = Callable[[Sequence[str], Sequence[bool], list[str], _FieldRuns], bool]
# In this order: a rule may read what one before it labelled.
_FIELD_RULES: tuple[_Rule, ...] = (
    _editors_first,
    _book_after_editors,
    _month_joins_date,
    _volume_leaves_container,
    _date_leaves_volume,
    _bracketed_year_joins_date,
)


def _public(
    rule: _Rule, words: Sequence[str], spaces: Sequence[bool], labels: Sequence[str]
) -> list[str]:
    out = list(labels)
    rule(words, spaces, out, _fields(words, out))
    return out


def apply_conventions(
    words: Sequence[str], spaces: Sequence[bool], labels: Sequence[str]
) -> list[str]:
    """`labels` brought to every span convention of this module, in turn."""
    out = join_glued_date_volume(words, spaces, labels)
    fields = _fields(words, out)
    for rule in _FIELD_RULES:
        if rule(words, spaces, out, fields):
            fields = _fields(words, out)
    return out
