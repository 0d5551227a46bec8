"""How a reference writes its authors, so that a corrected list is written the same way.

A fix replaces an entry's authors with the record's; the entry keeps its own style: "Smith,
J., & Lee, K." (APA), "J. Smith and K. Lee" (IEEE), "Smith J, Lee K" (Vancouver), "Smith,
John, and Kim Lee" (Chicago, the first name inverted), and so on. The style is read from
the authors as written and as parsed; what cannot be read falls back to APA's.

In-text citations name at most two authors, else the first and "et al." (APA 7).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from ..model import Author


class Order(str, Enum):
    """Where the family name goes: "Smith, J." / "J. Smith" / "Smith J"."""

    INVERTED = "inverted"
    DIRECT = "direct"
    VANCOUVER = "vancouver"


class Given(str, Enum):
    """How given names are written: "John" / "J. R." / "J.R." / "JR"."""

    FULL = "full"
    DOTTED = "dotted"
    COMPACT = "compact"
    BARE = "bare"


@dataclass(frozen=True)
class NameStyle:
    """The way one list of authors is written."""

    first: Order = Order.INVERTED
    rest: Order = Order.INVERTED
    given: Given = Given.DOTTED
    separator: str = ", "
    last: str = ", & "


# Words joining the last name to the others, longest first: "Smith, J., & Lee, K.".
LAST_JOINERS = (", & ", " & ", ", and ", " and ")
# The joiner before the last name when the list written had one name only, per order.
DEFAULT_LAST = {Order.INVERTED: ", & ", Order.DIRECT: " and ", Order.VANCOUVER: ", "}
IN_TEXT_ET_AL = "et al."
SEMICOLON = "; "
# In-text citations name this many authors at most, else the first and "et al.".
IN_TEXT_MAX_NAMES = 2
_DOTTED_RE = re.compile(r"(?:[A-Z]\.[ -]?)*[A-Z]\.")
_COMPACT_RE = re.compile(r"(?:[A-Z]\.-?){2,}")
_BARE_RE = re.compile(r"[A-Z]{1,3}")
_NAME_PART_RE = re.compile(r"[^\s.]+")
_INITIALS_AFTER_RE = re.compile(r"\s+[A-Z]{1,3}\b")
# The word right before a family name, when a single space separates them.
_WORD_BEFORE_RE = re.compile(r"(?:^|\s)([^\s,;&]+) \Z")
SEPARATOR_WORDS = frozenset(["and", "&", "und", "et", "y"])
# Given names right after a family name ("Smith, J. R.," / "Smith JR,") or before it.
_GIVEN_AFTER_RE = re.compile(r",?\s+([^,;&]+?)\s*(?:,|;|&|\band\b|\Z)")
_GIVEN_BEFORE_RE = re.compile(r"((?:[^\s,;&]+ )*?[^\s,;&]+) \Z")


def detect(written: str, authors: list[Author]) -> NameStyle:
    """The style of `written`, an author list as it stands in a reference, whose parse is
    `authors`."""
    people = [a for a in authors if a.family]
    if not people:
        return NameStyle()
    first = _order(written, people[0])
    rest = _order(written, people[1]) if len(people) > 1 else first
    given = _written_given(written, people[0].family or "", first) or people[0].given or ""
    separator = SEMICOLON if ";" in written else ", "
    # The rightmost joiner, the longest of those ending there (", & " over " & ").
    joiners = [(written.rfind(j) + len(j), len(j), j) for j in LAST_JOINERS if j in written]
    default = separator if separator == SEMICOLON else DEFAULT_LAST[rest]
    last = max(joiners)[2] if joiners else default
    return NameStyle(first, rest, _given(given), separator, last)


def render(authors: list[Author], style: NameStyle, *, open_ended: bool = False) -> str:
    """`authors` written in `style` (without a final full stop). An `open_ended` list, one
    "et al." will follow, has no joiner before its last name."""
    names = [
        _name(author, style.first if i == 0 else style.rest, style.given)
        for i, author in enumerate(authors)
    ]
    names = [name for name in names if name]
    last = style.separator if open_ended else style.last
    joins_with_word = last.startswith(",") and last.strip(", ")
    if len(names) == 2 and style.first is not Order.INVERTED and joins_with_word:
        last = last[1:]  # "J. Smith and K. Lee", but "J. Smith, K. Lee, and M. Park"
    if len(names) <= 1:
        text = "".join(names)
    else:
        text = style.separator.join(names[:-1]) + last + names[-1]
    return text.rstrip(".") if text.endswith(".") else text


def in_text(authors: list[Author], joiner: str) -> str:
    """How an author-year citation names these authors: "Smith", "Smith & Lee", "Smith et
    al."; `joiner` is the one the citation used (" & " or " and ")."""
    names = [a.family or a.name or "" for a in authors]
    names = [name for name in names if name]
    if len(names) > IN_TEXT_MAX_NAMES:
        return f"{names[0]} {IN_TEXT_ET_AL}"
    return joiner.join(names)


def initials(given: str) -> list[str]:
    """ "Mathew H." -> ["M", "H"]; "Jean-Paul" -> ["J-P"] (the hyphen kept)."""
    return [
        "-".join(piece[0] for piece in part.split("-") if piece)
        for part in _NAME_PART_RE.findall(given)
    ]


def _order(written: str, author: Author) -> Order:
    """A name is direct when a word other than a separator stands right before its family
    name ("J. Smith", "and Kim Lee"), Vancouver when bare initials follow it."""
    family = author.family or ""
    at = written.find(family)
    if at < 0:
        return Order.INVERTED
    before = _WORD_BEFORE_RE.search(written, 0, at)
    if before is not None and before.group(1) not in SEPARATOR_WORDS:
        return Order.DIRECT
    after = written[at + len(family) :]
    if after.lstrip().startswith(","):
        return Order.INVERTED
    if _INITIALS_AFTER_RE.match(after):
        return Order.VANCOUVER
    return Order.INVERTED


def _written_given(written: str, family: str, order: Order) -> str | None:
    """The first author's given names as written next to the family name, if found."""
    at = written.find(family)
    if at < 0:
        return None
    if order is Order.DIRECT:
        before = _GIVEN_BEFORE_RE.search(written, 0, at)
        return before.group(1) if before else None
    after = _GIVEN_AFTER_RE.match(written, at + len(family))
    return after.group(1).strip() if after else None


def _given(given: str) -> Given:
    given = given.strip()
    if _BARE_RE.fullmatch(given):
        return Given.BARE
    if _COMPACT_RE.fullmatch(given):
        return Given.COMPACT
    if _DOTTED_RE.fullmatch(given) or not given:
        return Given.DOTTED
    return Given.FULL


def _name(author: Author, order: Order, given: Given) -> str:
    if author.name or not author.family:
        return author.name or ""
    parts = initials(author.given or "")
    if given is Given.FULL and author.given:
        first = author.given
    elif given is Given.BARE:
        first = "".join(p.replace("-", "") for p in parts)
    elif given is Given.COMPACT:
        first = "".join(_dotted(p) for p in parts)
    else:
        first = " ".join(_dotted(p) for p in parts)
    if not first:
        return author.family
    if order is Order.DIRECT:
        return f"{first} {author.family}"
    if order is Order.VANCOUVER:
        return f"{author.family} {first}"
    return f"{author.family}, {first}"


def _dotted(initial: str) -> str:
    """ "J" -> "J.", "J-P" -> "J.-P."."""
    return "-".join(letter + "." for letter in initial.split("-"))
