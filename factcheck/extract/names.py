"""Split an author list, as written in a reference, into Authors.

References write names in every order: "Smith, J., & Lee, K." (APA), "J. Smith and
K. Lee" (IEEE), "Smith J, Lee K" (Vancouver), "Smith, John, and Kim Lee" (MLA, only the
first name inverted), "Smith, John and Lee, Kim" (BibTeX). The list is first cut into
comma-separated parts (conjunctions and semicolons become commas), then read left to
right: a part that can only be a family name takes the next part as its given names.
"""

from __future__ import annotations

import re

from factcheck.extract.reftokens import wordset
from factcheck.model import Author
from factcheck.nameparts import PARTICLES, SUFFIXES

# Words that make a name an organisation's rather than a person's.
ORGANISATION_WORDS = wordset(
    "organization organisation association society institute institut council committee "
    "agency department ministry university group consortium foundation bank commission "
    "centre center office board bureau collaboration network program programme project "
    "alliance federation nations union academy administration authority service services "
    "inc ltd llc corporation company team working panel task force initiative registry "
    "trust league coalition forum unit developers contributors maintainers community"
)
# A person's name rarely has more words than this; longer ones are organisations.
MAX_PERSON_WORDS = 5

# "et al." however it is written, with the comma before it.
ET_AL_RE = re.compile(r",?\s*\bet\.?\s*al\b\.?", re.IGNORECASE)
# What stands for the authors left out: "et al.", "and others", an ellipsis.
_LEFT_OUT_RE = re.compile(rf"(?:{ET_AL_RE.pattern}|,?\s*\band\s+others\b|\s*…|\s*\.\.\.)", re.I)
_CONJUNCTION_RE = re.compile(r"\s*(?:;|&|\b(?i:and)\b|\bund\b|\bet\b(?!\s*al))\s*")
# Initials run to at most this many letters in one word: "JMK", "J.M.K.".
MAX_INITIALS = 3
_EDGE = " \t.,;:*_\"'“”‘’()[]"


# A single dash standing alone at an edge ("— Vaswani", "Smith, J. –"): punctuation. A run
# of dashes is Chicago's "———" for the previous entry's authors, and stays.
LONE_DASH_RE = re.compile(r"^[—–](?:\s+|$)|\s+[—–]$")


def _words(part: str) -> list[str]:
    return part.replace(".", ". ").split()


def is_initial_word(word: str) -> bool:
    """ "J", "JM", "J.", "J.M.", "J.-P.", "Ł." are initials; "Jr" and "Lee" are not."""
    letters = word.replace(".", "").replace("-", "")
    return 0 < len(letters) <= MAX_INITIALS and letters.isalpha() and letters.isupper()


def is_initials(part: str) -> bool:
    """Whether `part` is only initials: "J.", "J. M.", "JM", "J.-P."."""
    words = part.split()
    return bool(words) and all(is_initial_word(word) for word in words)


def is_organisation(text: str) -> bool:
    """Whether a name reads as an organisation's: a word such as "Institute" or "Society", or more
    words than a person's name has."""
    words = [w.strip(_EDGE).lower() for w in text.split()]
    return any(w in ORGANISATION_WORDS for w in words) or len(words) > MAX_PERSON_WORDS


def _family_only(part: str) -> bool:
    """A part that can only be a family name: one word, maybe after particles written in
    lower case ("van Dijk"); a capitalised one may be a given name ("Di Jin", "Bin Gu")."""
    words = part.split()
    while len(words) > 1 and words[0] in PARTICLES:
        words = words[1:]
    return len(words) == 1 and not is_initials(part)


def _vancouver(part: str) -> Author | None:
    """ "Smith JA", "van der Berg A", "Иванов И. И.": family name, then initials. Particles
    after the initials ("Marino P de", "Riva ML de la", as some indexes print them) go back
    before the family name."""
    words = part.split()
    moved: list[str] = []
    while len(words) > 2 and words[-1] in PARTICLES:
        moved.insert(0, words.pop())
    cut = len(words)
    while cut > 1 and is_initial_word(words[cut - 1]):
        cut -= 1
    if cut == len(words) or is_initials(words[0]):
        return None
    given = " ".join(words[cut:])
    if given.count(".") == 1 and given.endswith("."):
        given = given[:-1]  # "Smith J." at the end of the list: the period is the list's
    return Author(family=" ".join(moved + words[:cut]), given=given)


def _person(family: str, given: str | None) -> Author:
    """Family and given names as an inverted name writes them; particles written after the
    given names ("Marino, P. de") belong to the family name."""
    if given:
        kept = _without_trailing_particles(given)
        if kept != given:
            family = f"{given[len(kept) :].strip()} {family}"
            given = kept
    return Author(family=family, given=given or None)


def _direct(part: str) -> Author:
    """ "John Smith", "J. M. Smith", "Ludwig van Beethoven": given names first."""
    words = part.split()
    if len(words) == 1:
        return Author(family=words[0])
    start = len(words) - 1
    while start > 1 and words[start - 1].lower() in PARTICLES:
        start -= 1
    return Author(family=" ".join(words[start:]), given=" ".join(words[:start]))


def _inverted(chunk: str) -> Author:
    """ "Smith, John" (BibTeX's "Smith, John and Lee, Kim"): family first."""
    family, given = (p.strip() for p in chunk.split(","))
    return _person(family, given)


def _tidy(part: str) -> str:
    """Edge punctuation off (a dash that led the names in "Title — Vaswani" too), but the
    period of a final initial kept ("Lee, K."), and a run of dashes kept whole: Chicago's
    "———" for the previous entry's authors, which the entry inherits."""
    part = LONE_DASH_RE.sub("", part.strip(" ,;:")).strip(" ,;:")
    words = part.split()
    if part.endswith(".") and not (words and is_initial_word(words[-1])):
        part = part.rstrip(".")
    return part.strip()


def _parts(text: str) -> list[tuple[str, bool]]:
    """Comma-separated parts, each with whether a conjunction came right before it.

    A conjunction separates two people, never a family name from its given names.
    Suffixes ("Jr.") are left out: they never decide whether two names match.
    """
    parts: list[tuple[str, bool]] = []
    for index, chunk in enumerate(_CONJUNCTION_RE.split(text)):
        for position, piece in enumerate(chunk.split(",")):
            part = _tidy(piece)
            if not part:
                continue
            if part.lower().strip(".") not in SUFFIXES:
                parts.append((part, index > 0 and position == 0))
    return parts


def split_authors(text: str) -> list[Author]:
    """Authors in the order written; "et al." and "and others" are dropped."""
    text = _tidy(_LEFT_OUT_RE.sub("", text).strip(_EDGE.replace(".", "")))
    if not text:
        return []
    if is_organisation(text) and not _CONJUNCTION_RE.search(text) and "," not in text:
        return [Author(name=text)]
    chunks = [c.strip(" ,;") for c in _CONJUNCTION_RE.split(text) if c.strip(" ,;")]
    if len(chunks) > 1 and all(chunk.count(",") == 1 for chunk in chunks):
        return [_inverted(chunk) for chunk in chunks]
    parts = _parts(text)
    names = [part for part, _ in parts]
    authors: list[Author] = []
    index = 0
    while index < len(parts):
        part = names[index]
        following = parts[index + 1] if index + 1 < len(parts) else None
        given = following[0] if following and not following[1] else None
        vancouver = _vancouver(part)
        if is_organisation(part):
            authors.append(Author(name=part))
        elif vancouver is not None and not (given and is_initials(given)):
            authors.append(vancouver)
        elif given is not None and _takes_given(part, given, names):
            authors.append(_person(part, given))
            index += 1
        else:
            authors.append(_direct(part))
        index += 1
    return authors


def _takes_given(part: str, given: str, names: list[str]) -> bool:
    """Whether `part` is a family name whose given names are the next part, `given`.

    Given names may end with the family name's particles, as some styles invert names
    ("Riva, M. L. de la", "Marino, P. de")."""
    if is_initials(part) or is_initials(part.split()[0]):
        return False
    if is_initials(given) or is_initials(_without_trailing_particles(given)):
        return True
    if _family_only(part):
        # "Di Jin, Bingdao Feng": a capitalised particle-like first name ("Di", "Bin")
        # before one word is a full name when the next part is a full name too.
        led_by_particle = len(part.split()) > 1 and part[:1].isupper()
        return _looks_given(given, names) and not (led_by_particle and _full_name(given))
    # "García Márquez, Gabriel": a lone two-part name with a one-word given name.
    return len(names) == 2 and len(given.split()) == 1 and given[:1].isupper()


def _full_name(part: str) -> bool:
    """Two or more capitalised words, no initials: "Bingdao Feng", not "J. M." or "Jean"."""
    words = part.split()
    return len(words) > 1 and all(w[:1].isupper() and not is_initial_word(w) for w in words)


def _without_trailing_particles(part: str) -> str:
    """ "M. L. de la" -> "M. L.": the particles an inverted name moved after the given names."""
    words = part.split()
    while len(words) > 1 and words[-1] in PARTICLES:
        words.pop()
    return " ".join(words)


def _looks_given(part: str, names: list[str]) -> bool:
    """Whether `part`, after a family-name part, is that person's given names.

    Initials always are. A first name ("John") is when the list is not a run of bare
    surnames ("Smith, Jones, Brown"), which shows as some part with two or more words.
    """
    if is_initials(part):
        return True
    words = _words(part)
    if len(words) > MAX_PERSON_WORDS - 2 or not words[0][:1].isupper():
        return False
    return len(names) == 2 or any(len(name.split()) > 1 for name in names)
