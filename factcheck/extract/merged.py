"""Two references that PDF extraction ran together into one entry, told apart.

A reference list copied out of a PDF sometimes loses the break between two entries: "Roff DA
(1992) The evolution of life histories. Chapman & Hall, New York Saino N, Incagli M (2001)
Immunity, growth and begging behaviour ... J Avian Biol 32:263-270". Read as one entry, the
first work's authors and title meet the second's venue and pages, and the chimera that makes
is no work anywhere. In the author-year styles that put the year in brackets right after the
names (Springer's, Vancouver-like "Surname INITIALS"), an entry that opens with such a head
and has a second one inside it, after a word that can close an entry (a place, a page, a
full stop), is two entries. Nothing else is split: other styles, an editors' "In: Jones K,
Lee M (eds)", a name inside a sentence ("a comment on Brown T (2000)").
"""

from __future__ import annotations

import re
from itertools import pairwise

# A surname: a capital, then a small letter or an apostrophe ("Møller", "McBurney",
# "O'Keefe"); at the opening of the entry it may have several words ("Van Essen").
_SURNAME = r"[A-Z][a-zß-ÿĀ-ž'’][\w'’-]*"
_SURNAMES = rf"{_SURNAME}(?: {_SURNAME})*"
# The person's initials, once or twice ("Cheatham III TE").
_INITIALS = r"(?: [A-Z]{1,3}(?![\w'’-])){1,2}"


# The most names a second head is read through: it is looked for at every space, so that
# reading it stays linear in the entry's length (a longer list is not split).
MAX_INSIDE_NAMES = 40


# The year in brackets that closes a head.
_YEAR_BRACKET = r" \((?:1[5-9]|20)\d\d[a-z]?\)"
_YEAR = re.compile(_YEAR_BRACKET)


def _head(surname: str, names: str = "*") -> str:
    """A run of names, then the year in brackets: the head of an entry in these styles."""
    author = surname + _INITIALS
    return rf"{author}(?:, {author}){names}(?:,? et al\.?)?{_YEAR_BRACKET}"


_OPENING = re.compile(_head(_SURNAMES))
# A second head after a space, with one-word surnames only (so that "New York Saino N"
# opens at "Saino"), not after "In" (a book's editors).
_INSIDE = re.compile(rf"(?<!\b[Ii]n) (?={_head(_SURNAME, f'{{0,{MAX_INSIDE_NAMES - 1}}}')})")
# The first part keeps this many words after its head at least: a title of its own.
MIN_PART_WORDS = 3


def merged_parts(raw: str) -> list[tuple[int, int]]:
    """The (start, end) offsets in `raw` of each reference a merged entry holds; the whole
    entry alone when it is one (see the module's docstring)."""
    if len(_YEAR.findall(raw)) < 2:
        return [(0, len(raw))]  # one year in brackets: one entry (and no search at all)
    opening = _OPENING.match(raw)
    if opening is None:
        return [(0, len(raw))]
    cuts = [0]
    for found in _INSIDE.finditer(raw, opening.end()):
        before = raw[cuts[-1] : found.start()]
        head = _OPENING.match(before)
        if head is None or len(before[head.end() :].split()) < MIN_PART_WORDS:
            continue
        if _ends_an_entry(before.split()[-1]):
            cuts.append(found.start() + 1)
    bounds = [*cuts, len(raw)]
    return [(start, _rstrip(raw, start, end)) for start, end in pairwise(bounds)]


def _ends_an_entry(word: str) -> bool:
    """Whether a word can close an entry: a place or publisher ("York", "Francisco"), a
    page or number, or anything with a full stop. A small word ("about", "on") goes on
    into a sentence, whatever name follows it."""
    if word[-1] in ",;:&":
        return False  # a list of names or parts goes on
    return word[0].isupper() or word[0].isdigit() or word.endswith(".")


def _rstrip(raw: str, start: int, end: int) -> int:
    while end > start and raw[end - 1].isspace():
        end -= 1
    return end
