"""How one item of a list reads: a reference entry, a sentence of prose, or a line of code.

`bibliography` finds the lists and cuts them into items by their structure (a references
heading or lead line, list markers, runs of similar items). This module reads one item's
own text, the way a person glancing at it would:

- `is_prose`: a sentence the answer says to its reader ("I hope this helps!", "Note: check
  these before citing them.", "The earliest printed version is from 1981."). It talks to
  the reader, or it is one clause of ordinary words with a verb, with no author list
  before it.
- `is_code`: a command or a line of a program.
- `entry_shaped`: what a bibliography entry looks like even without a year: an author
  list first, or several "."-separated parts, or a quoted or emphasised title.
- `repeats_authors`: Chicago's "———." that stands for the previous entry's authors.

Every pattern is anchored or bounded and every loop walks the text once, so each call is
linear in the item, which `bibliography` caps at MAX_ENTRY_CHARS anyway.
"""

from __future__ import annotations

import re

from factcheck.extract.reftokens import wordset

# Words that talk to the reader, case-sensitive (a title in Title Case says "You", a
# sentence says "you"): "you will find", "I hope", "we recommend", "our own".
_CHAT_RE = re.compile(
    r"(?<![\w'’-])(?:we|you|your|our|us|me|my|please"
    r"|I(?:'m|’m|'ve|’ve|'d|’d|'ll|’ll)?(?=\s+(?:hope|think|found|used|could|would|can|have"
    r"|am|was|did|do|recommend|suggest|believe|know|included|drew|checked|cannot|will"
    r"|couldn't|couldn’t|don't|don’t|relied|cited|picked|chose|focused|tried|also)\b))"
    r"(?![\w'’])"
)
# A remark that opens with what it is ("Note:", "*Tip:*", "Disclaimer -", "N.B.") or
# with a courtesy ("Hope this helps", "Happy reading!", "Feel free to ask").
_REMARK_RE = re.compile(
    r"[\s*_>]{0,6}(?:(?:note|notes|nb|n\.b\.|tip|caveat|disclaimer|warning|caution|update"
    r"|summary|in summary|overall|also|additionally)[\s*_]{0,3}[:—–-]"
    r"|(?:hope|happy|thanks|thank you|let me|let us|feel free|good luck|enjoy|please)(?![\w-]))",
    re.IGNORECASE,
)
# Closed-class verbs of a sentence; a title seldom has one, a remark nearly always does.
SENTENCE_VERBS = wordset(
    "is are was were has have had been be being can could should would will may might must "
    "do does did isn't aren't wasn't don't doesn't didn't can't won't shouldn't it's that's "
    "there's here's"
)
# Verbs that report what a work did: a sentence about a work, not its entry.
REPORTING_VERBS = wordset(
    "examined studied addressed showed found proposed introduced reported argued argue argues "
    "suggests suggested demonstrated discusses discussed describes described investigated "
    "explored concluded noted observed"
)
# Words that mostly run sentences, not titles: with a verb, at least this many make a clause.
SENTENCE_WORDS = wordset(
    "the a an it its this that these those which who there their they he she his her them "
    "if then than because so but also not no only just very more most same such both each "
    "all any some when where while before after"
)
# Capitalised words that open sentences, never names: "As Lindqvist and Osei (2021) argue".
SENTENCE_OPENERS = wordset(
    "as in see following according for from by with on at to of building work research "
    "recent early like unlike since although though however moreover finally first second"
)
# Words that open a sentence, not an author list, when they come first.
NOT_NAME_OPENERS = SENTENCE_OPENERS | SENTENCE_WORDS
# A one-clause item is prose when at least this share of its words starts in lower case
# and it holds a verb (SENTENCE_VERBS) or MIN_SENTENCE_WORDS of SENTENCE_WORDS.
PROSE_LOWER_SHARE = 0.6
MIN_SENTENCE_WORDS = 2
MIN_PROSE_WORDS = 4
# A paragraph is prose when every part reads as a clause, or at least this many and half.
MIN_PROSE_SENTENCES = 2
# Where one part of an entry ends and the next begins: ". " after a word of two letters or
# more (after an initial, "J. Smith", it is a name's own full stop), or after a closing
# quote, bracket or digit.
_PART_END_RE = re.compile(r"[.?!](?=[\"”’)\]*_]{0,2}\s+\S)")
RUN_ON_ABBREVIATIONS = wordset("al ed eds vol vols no nos pp cf eg ie vs st dr mr mrs ms prof")
_WORD_RE = re.compile(r"[^\W\d_][\w'’-]*")
# A line of a program or a shell: "$ pip install", ">>> f()", "x = f(1)", "def f():".
_CODE_RE = re.compile(
    r"[ \t]*(?:\$ |>>> |#include\b|import |from \S+ import |def |class |return\b|"
    r"pip |npm |git |cd |sudo |curl |[A-Za-z_][\w.]*\s*=\s*\S|[A-Za-z_][\w.]*\([^)]*\)\s*;?\s*$)"
)
_CODE_END_RE = re.compile(r"[{}]\s*$")
# An author list before the first full stop: names of capitalised words and initials,
# joined by ",", ";", "and" or "&" ("Minseo Park, Daniel Kowal, and Hye-Jin Oh").
_NAME_JOIN_RE = re.compile(r"\s*(?:,|;|&|\band\b|\bund\b|\bet\b)\s*")
_NAME_WORD_RE = re.compile(
    r"(?:[^\W\d_]\.){1,3}-?(?:[^\W\d_]\.)?|[^\W\d_]{1,3}\.?|[^\W\d_][\w'’-]*"
)
NAME_PARTICLES = wordset("van von der den de del della di da du la le dos das ter ten al el bin")
MAX_NAME_WORDS = 4
# A title in title case: this many words of TITLE_CASE_MIN_CHARS letters or more, all
# capitalised, save the short function words some styles keep in lower case.
MIN_TITLE_CASE_WORDS = 2
TITLE_CASE_MIN_CHARS = 4
# How a marked title ends: emphasis or a closing quote.
_TITLE_CLOSERS = ("*", "_", "”", '"', "’", "»")
# A venue written after "Title (Authors, Year)" has at most this many words.
MAX_VENUE_WORDS = 8
# Words of four letters or more that title case may leave in lower case: prepositions.
LOWER_IN_TITLES = frozenset(
    {
        "with",
        "from",
        "into",
        "onto",
        "over",
        "than",
        "upon",
        "versus",
        "about",
        "across",
        "after",
        "against",
        "along",
        "among",
        "around",
        "before",
        "behind",
        "below",
        "beneath",
        "beside",
        "between",
        "beyond",
        "during",
        "through",
        "toward",
        "towards",
        "under",
        "within",
        "without",
    }
)
MIN_AUTHOR_PARTS = 1
# An in-text citation inside the item, "(Lim et al., 2023)": a sentence citing a work.
_IN_TEXT_CITATION_RE = re.compile(
    r"\([A-Z][\w'’-]{1,40}(?: et al\.?| and [A-Z][\w'’-]{1,40}| & [A-Z][\w'’-]{1,40}), "
    r"(?:1[5-9]|20)\d\d[a-z]?[;)]"
)
# "Roberts et al. The Plant Cell…", "Armstrong, C.L. et al.,": an author list cut short.
_ET_AL_START_RE = re.compile(r"[^\W\d_][\w'’-]{1,40},?(?: (?:[^\W\d_]\.){1,3})?,? et\.? al\b")
# What a marked title is read as when the words around it are weighed as a sentence.
TITLE_STAND_IN = "“Title”"
# A quoted or emphasised title: 'Title', “Title”, *Title*, _Title_.
_MARKED_TITLE_RE = re.compile(
    r"[\"“«‘][^\"”»’\n]{8,300}[\"”»’]|\*[^*\n]{8,300}\*|(?<!\w)_[^_\n]{8,300}_(?!\w)"
)
# A line that opens with its title, bold or quoted, of a few words at least.
_TITLE_FIRST_RE = re.compile(r"(?:\*\*[^*\n]{8,300}\*\*|[“\"][^“”\"\n]{8,300}[”\"])")
# Chicago's repeated author: three em dashes (or hyphens, or underscores) and a full stop.
_REPEATED_AUTHORS_RE = re.compile(r"(?:[—–]{2,}|-{3,}|_{3,})\s*[.,]")
_MARKUP = "*_`> \t"


def is_prose(
    item: str, *, author_start: bool = False, dated: bool = False, identified: bool = False
) -> bool:
    """Whether the item is a sentence (or a few) to the reader rather than a reference entry.

    `author_start`: the caller saw an author list open the item (its own, broader test);
    `dated`: the item holds a year or an identifier; `identified`: it holds an identifier
    or a link, which makes even a sentence about it a claim to check, unless it is a
    remark to the reader. An entry whose title says "we" or "you" still opens with its
    authors, or has parts and a date. Prose reads as clauses part after part; an entry has
    at most one part that does (its title)."""
    text = item.strip(_MARKUP)
    if _REMARK_RE.match(text) is not None:
        return True
    if author_start:
        return False
    cited = _IN_TEXT_CITATION_RE.search(text)
    if cited is not None and not _title_then_source(text, cited):
        return True
    if author_led(text):
        return False
    pieces = split_parts(text)
    if _CHAT_RE.search(text) is not None and not (dated and len(pieces) > 1):
        return True
    if identified:
        return False
    if dated and _MARKED_TITLE_RE.search(text) is not None:
        # A dated item's quoted title is a title, however it reads: "DeepMind blog,
        # “AlphaFold: a solution to a grand challenge”, Nov 2020" is no sentence.
        pieces = split_parts(_MARKED_TITLE_RE.sub(TITLE_STAND_IN, text))
    clauses = sum(_reads_as_clause(piece) for piece in pieces)
    return clauses == len(pieces) or (clauses >= MIN_PROSE_SENTENCES and 2 * clauses >= len(pieces))


def _title_then_source(text: str, cited: re.Match[str]) -> bool:
    """A title followed by its authors and year ("Attention Is All You Need (Vaswani et al.,
    2017)"), as answers list works: the citation ends the item, and what comes before it is
    a marked title or one written in title case, which a sentence is not."""
    venue = text[cited.end() :].strip(" .,;")
    if not cited.group().endswith(")") or (venue and not _venue_like(venue)):
        return False
    before = text[: cited.start()].strip(" ,.:—–-")
    # The item's edge markup is gone (`is_prose`): a marked title keeps its closing mark.
    return before.endswith(_TITLE_CLOSERS) or title_cased(before)


def _venue_like(text: str) -> bool:
    """A venue after a citation ("Nature Neuroscience", "Proc. CVPR"): a few words, the
    first capitalised, not a clause."""
    words = text.split()
    return len(words) <= MAX_VENUE_WORDS and text[0].isupper() and not _reads_as_clause(text)


def title_cased(title: str) -> bool:
    """Whether the words of a title are capitalised as titles are and sentences are not
    ("Attention Is All You Need", "Learning with Noisy Labels")."""
    words = [
        word
        for word in _WORD_RE.findall(title)
        if len(word) >= TITLE_CASE_MIN_CHARS and word not in LOWER_IN_TITLES
    ]
    return len(words) >= MIN_TITLE_CASE_WORDS and all(word[0].isupper() for word in words)


def clauses(text: str) -> int:
    """How many of the text's parts read as a clause of a sentence: an entry has at most
    one (its title), two sentences have two."""
    return sum(_reads_as_clause(piece) for piece in split_parts(text.strip(_MARKUP)))


def _reads_as_clause(text: str) -> bool:
    """One clause of mostly lower-case words with a verb: the shape of a sentence."""
    words = _WORD_RE.findall(text)
    if len(words) < MIN_PROSE_WORDS:
        return False
    lower = [w for w in words[1:] if w[0].islower()]
    if len(lower) < PROSE_LOWER_SHARE * (len(words) - 1):
        return False
    folded = [w.lower() for w in lower]
    verbs = sum(w in SENTENCE_VERBS or w in REPORTING_VERBS for w in folded)
    function = sum(w in SENTENCE_WORDS for w in folded)
    return verbs > 0 or function >= MIN_SENTENCE_WORDS


def is_code(item: str) -> bool:
    """Whether the item is a command or a line of a program."""
    text = item.strip()
    return (
        text.startswith("`")
        or _CODE_RE.match(text) is not None
        or _CODE_END_RE.search(text) is not None
    )


def parts(text: str) -> int:
    """How many "."-separated parts the text has, not counting an initial's full stop."""
    return len(split_parts(text))


def split_parts(text: str) -> list[str]:
    """The text cut after each full stop (or ? or !) that ends a part: not an initial's."""
    pieces: list[str] = []
    begin = 0
    for match in _PART_END_RE.finditer(text):
        if not _after_initial(text, match.start()):
            pieces.append(text[begin : match.end()])
            begin = match.end()
    pieces.append(text[begin:])
    return [piece for piece in pieces if piece.strip()]


def _after_initial(text: str, position: int) -> bool:
    """Whether the full stop at `position` closes an initial ("J." in "J. Smith") or an
    abbreviation that runs on ("et al.", "eds.", "vol."): no part ends there."""
    word_start = position
    while word_start > 0 and text[word_start - 1].isalpha():
        word_start -= 1
    word = text[word_start:position]
    if word.lower() in RUN_ON_ABBREVIATIONS:
        return True
    if len(word) != 1 or not word.isupper():
        return False
    # A capital standing alone ("J. Smith", "J.-P."), not ending a word ("Yme1L.", "MacCAT-T.").
    before = text[word_start - 1] if word_start > 0 else " "
    if before == "-":
        return word_start > 1 and text[word_start - 2] == "."
    return not before.isalnum()


def author_led(text: str) -> bool:
    """Whether the text opens with a list of personal names before its first full stop."""
    if _ET_AL_START_RE.match(text) is not None:
        return True
    return is_name_list(author_zone(text))


def is_name_list(zone: str) -> bool:
    """Whether `zone` is a list of personal names ("Minseo Park, Daniel Kowal, and Hye-Jin
    Oh"): a full name at least, no sentence opener first."""
    pieces = [p for p in _NAME_JOIN_RE.split(zone) if p]
    if len(pieces) < MIN_AUTHOR_PARTS:
        return False
    names = [p for p in pieces if p.lower() not in ("et al", "et al.", "others")]
    if not names or names[0].split()[0].lower() in NOT_NAME_OPENERS:
        return False
    return all(_is_name(p) for p in names) and (len(names) > 1 or len(names[0].split()) > 1)


def author_zone(text: str) -> str:
    """The text before its first part break (`_PART_END_RE`) or opening parenthesis."""
    end = len(text)
    for match in _PART_END_RE.finditer(text):
        if not _after_initial(text, match.start()):
            end = match.start()
            break
    paren = text.find("(", 0, end)
    return text[: paren if paren >= 0 else end].strip(" ,")


def _is_name(piece: str) -> bool:
    """A person's name as lists write it: capitalised words and initials, and particles."""
    words = piece.split()
    if not words or len(words) > MAX_NAME_WORDS:
        return False
    for word in words:
        if word.lower() in NAME_PARTICLES:
            continue
        if _NAME_WORD_RE.fullmatch(word) is None or not word[0].isupper():
            return False
    return True


def entry_shaped(text: str) -> bool:
    """Whether the text looks like a bibliography entry, year or no year."""
    text = text.strip(_MARKUP)
    return author_led(text) or parts(text) >= 2 or has_marked_title(text)


def has_marked_title(text: str) -> bool:
    """Whether the text holds a quoted or emphasised title ('Title', “Title”, *Title*)."""
    return _MARKED_TITLE_RE.search(text) is not None


def title_first(line: str) -> bool:
    """Whether a line opens with a bold or quoted title ("**Title** — A and B (2019)")."""
    return _TITLE_FIRST_RE.match(line) is not None


def repeats_authors(raw: str) -> bool:
    """Whether an entry opens with Chicago's "———." for its predecessor's authors."""
    return _REPEATED_AUTHORS_RE.match(raw) is not None
