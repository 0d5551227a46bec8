"""Venue identity: whether a claimed journal or conference name names a record's venue. No I/O.

A citation names its venue the way its style and its author's habits do: written out, or
abbreviated the ISO 4 / NLM way ("J Exp Psychol", "Proc. Natl. Acad. Sci. USA"), or by an
acronym ("CCS", "KDD", "NeurIPS", "S&P"), with or without the year, the ordinal, "Proceedings
of the", "The", a subtitle or a section ("Dermatitis" for "Dermatitis: Contact, Atopic,
Occupational, Drug"), a track ("EMNLP Findings", "ACL (Volume 1: Long Papers)") or a
co-location ("SOUPS @ USENIX Security"). A record names it as its source does: the container
title (sometimes several: a book and its series), a short title, an event name and acronym.

So a venue is compared by what identifies it, not by string distance: each name is cut into
its forms (see `forms`), and a claimed form names a record form when every claimed word is
explained by the record's (the same word, an abbreviation of one, or an acronym spelt by a
run of its words), and those explained words are enough of the record's to identify it. An
acronym whose letters its full name does not spell ("CHI", "NIPS") is looked up in a table of
known venues (`KNOWN_ACRONYMS`, written for this project, and `models/venues.tsv`, derived
from labelled reference corpora by `python -m factcheck.train.venues`). A different venue
still differs: "ICML" is not "Advances in Neural Information Processing Systems", "Nature"
is not "Nature Communications".
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from ..extract.reftokens import wordset
from ..normalize import fold

# A word this long may differ from the record's by this many letters (a typo, a plural,
# British spelling: "Behavioural").
TYPO_MIN_LETTERS = 5
TYPO_MAX_EDITS = 1
# A claimed name may leave out a closing qualifier of the record's ("Proceedings of the
# National Academy of Sciences" for "... of the United States of America") if it keeps this
# many identifying words.
SHORTENED_MIN_WORDS = 2
# An acronym spelt by a run of the record's words is this long at least, and the words it
# and the claim's other words explain are this share of the record's identifying words.
MIN_ACRONYM_LETTERS = 3
MIN_EXPLAINED_SHARE = 0.5
# Next to another word of the claim, a shorter acronym is read too: "CHI EA".
MIN_SECONDARY_LETTERS = 2
# A run that spells an acronym has this many words besides stop words ("Nature" spells no
# acronym of "Nature Communications"), and may leave out a closing qualifier that opens
# with one of these words.
MIN_RUN_WORDS = 2
QUALIFIER_WORDS = frozenset(["of", "in", "on", "at", "for"])
# ACM's special interest groups sponsor conferences: "SIGSAC", "SIGKDD".
SPONSOR_PREFIX = "sig"
# A function word gives an acronym at most this many letters (a content word any prefix):
# "Symposium On Usable Privacy and Security", "NeurIPS".
FUNCTION_WORD_LETTERS = 1
# Longest acronym tried against a run of words; longer words are no acronyms.
MAX_ACRONYM_LETTERS = 10
# Words before a claimed venue's last segment that make them a title's.
TITLE_MIN_WORDS = 3

# Words that carry no identity in a venue's name.
NOISE_WORDS = frozenset(
    [
        "proceedings",
        "proc",
        "annual",
        "international",
        "intl",
        "conference",
        "conf",
        "symposium",
        "symp",
        "workshop",
        "ieee",
        "cvf",
        "acm",
        "journal",
        "meeting",
        "papers",
        "volume",
        "vol",
        "part",
        "main",
        "track",
    ]
)
# Words that ISO 4 drops, and that acronyms may or may not spell.
STOP_WORDS = frozenset(["the", "of", "on", "in", "and", "for", "at", "a", "an", "to", "de"])
# Ordinal and tens words, dropped like years and numbers: "Thirty-Seventh AAAI Conference".
ORDINAL_WORDS = wordset(
    "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth "
    "thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth "
    "thirtieth fortieth fiftieth sixtieth seventieth eightieth ninetieth hundredth twenty "
    "thirty forty fifty sixty seventy eighty ninety"
)
_NUMBER = re.compile(r"\b\d+(?:st|nd|rd|th)?\b")
# "Advances in Neural Information Processing Systems": a series' opening words, not its name.
_SERIES_OPENING = re.compile(r"^advances in\b")
# "S&P", "R&D": capitals joined by "&" are one acronym.
_AMPERSAND_ACRONYM = re.compile(r"\b([A-Z]{1,3})\s?&\s?([A-Z]{1,3})\b")
_PARENTHESISED = re.compile(r"\(([^()]*)\)|\[([^\[\]]*)\]")
# Closing words of a journal's name that say where it is published ("Proc Natl Acad Sci
# USA"), which citations leave out.
PLACE_QUALIFIERS = frozenset(["usa", "us", "uk"])
# A volume or issue read into the venue: "Lancet, ii", "Nature, 521".
_VOLUME_TAIL = re.compile(r",\s*(?:vol\.?\s*)?(?:[ivxlc]+|\d+)\.?\s*$", re.IGNORECASE)
# Where a name splits into forms: a subtitle, a co-location, a track after a dash, a joint
# conference ("NAACL-HLT", "ACL-IJCNLP").
_FORM_BREAK = re.compile(r":|\s@\s|\s[-–—]\s|/|(?<=[A-Z])-(?=[A-Z]{2})")
_SEGMENT_BREAK = re.compile(r"[.,]\s+")
# Capitals that make a word an acronym as written ("ICML", "NeurIPS", "CHI").
ACRONYM_MIN_CAPITALS = 2

# Acronyms whose letters their venue's name does not spell, or spells ambiguously: acronym
# -> the identifying words of the venue's name. Written for this project from the venues'
# own names.
KNOWN_ACRONYMS: dict[str, tuple[str, ...]] = {
    "neurips": ("neural information processing systems",),
    "nips": ("neural information processing systems",),
    "iclr": ("learning representations",),
    "icml": ("machine learning",),
    "cvpr": ("computer vision pattern recognition",),
    "iccv": ("computer vision",),
    "eccv": ("european computer vision",),
    "aaai": ("aaai artificial intelligence", "artificial intelligence"),
    "ijcai": ("joint artificial intelligence",),
    "acl": ("association computational linguistics",),
    "emnlp": ("empirical methods natural language processing",),
    "naacl": ("north american chapter association computational linguistics",),
    "eacl": ("european chapter association computational linguistics",),
    "coling": ("computational linguistics",),
    "tacl": ("transactions association computational linguistics",),
    "kdd": ("sigkdd knowledge discovery data mining", "knowledge discovery data mining"),
    "sigir": ("sigir research development information retrieval",),
    "www": ("web",),
    "uai": ("uncertainty artificial intelligence",),
    "aistats": ("artificial intelligence statistics",),
    "colt": ("learning theory",),
    "jmlr": ("machine learning research",),
    "tmlr": ("transactions machine learning research",),
    "pami": ("transactions pattern analysis machine intelligence",),
    "tpami": ("transactions pattern analysis machine intelligence",),
    "pnas": ("national academy sciences",),
    "chi": ("human factors computing systems",),
    "uist": ("user interface software technology",),
    "cscw": ("computer supported cooperative work",),
    "ccs": ("computer communications security",),
    "sp": ("security privacy",),
    "oakland": ("security privacy",),
    "ndss": ("network distributed system security",),
    "soups": ("usable privacy security",),
    "sigmod": ("sigmod management data", "management data"),
    "vldb": ("very large data bases", "vldb endowment"),
    "pvldb": ("very large data bases", "vldb endowment"),
    "icse": ("software engineering",),
    "fse": ("foundations software engineering",),
    "osdi": ("operating systems design implementation",),
    "sosp": ("operating systems principles",),
    "stoc": ("theory computing",),
    "focs": ("foundations computer science",),
    "soda": ("discrete algorithms",),
    "icra": ("robotics automation",),
    "iros": ("intelligent robots systems",),
    "miccai": ("medical image computing computer assisted intervention",),
    "interspeech": ("speech communication association", "interspeech"),
    "icassp": ("acoustics speech signal processing",),
    "nejm": ("new england medicine",),
    "jama": ("american medical association",),
    "bmj": ("british medical",),
    "plos": ("public library science",),
    "cacm": ("communications",),
}
# Derived from labelled reference corpora (see factcheck/train/venues.py, DATA_LICENSES.md).
DERIVED_TABLE = Path(__file__).resolve().parent.parent / "models" / "venues.tsv"


@dataclass(frozen=True)
class Form:
    """One way a name reads: its words folded (years, numbers and ordinals dropped), which of
    them identify the venue (no stop or noise words), which were written as acronyms, and
    the venue's own acronyms: those the name sets apart ("... (CVPR)", "CCS '24: ...",
    "Findings of the ACL: EMNLP 2023"), not a word that happens to be in capitals ("Int J
    STD AIDS")."""

    words: tuple[str, ...]
    content: tuple[str, ...]
    acronyms: frozenset[str]
    own: frozenset[str] = frozenset()


def venue_score(claimed: str, found: Iterable[str]) -> float:
    """1.0 when the claimed name names one of the record's venue names, else the closest
    similarity in 0-1 (for the note, not for the decision)."""
    record = [form for name in found for form in forms(name)]
    mine = forms(claimed)
    if any(names(form, theirs) or _explained(theirs, form) for form in mine for theirs in record):
        return 1.0
    if _after_title(claimed) and any(names(_form(_last_segment(claimed)), r) for r in record):
        return 1.0
    return max((_similarity(form, theirs) for form in mine for theirs in record), default=0.0)


@lru_cache(maxsize=4096)
def forms(name: str) -> tuple[Form, ...]:
    """The forms a venue's name reads as: whole; without its parenthesised parts and as each
    of them ("... (IJDAR)", "ACL (Volume 1: Long Papers)"); and cut at a subtitle,
    co-location or dash ("Findings of the ACL: EMNLP 2023", "SOUPS @ USENIX Security")."""
    text = _VOLUME_TAIL.sub("", _written(name))
    bare = _PARENTHESISED.sub(" ", text)
    pieces = [text, bare]
    pieces += [a or b for a, b in _PARENTHESISED.findall(text)]
    pieces += _FORM_BREAK.split(bare)
    found = _unique(pieces)
    own = frozenset(f.content[0] for f in found if len(f.content) == 1 and f.acronyms)
    return tuple(replace(form, own=own) for form in found) if own else found


def _last_segment(claimed: str) -> str:
    return _SEGMENT_BREAK.split(_written(claimed))[-1]


def _after_title(claimed: str) -> bool:
    """Whether the claimed name is a title (or its tail) and then the venue, as a parse
    may read them: what comes before its last ". " or ", " segment has TITLE_MIN_WORDS
    words, one in lower case, as a title's have ("… Random Sample Weighting. In AAAI"). An
    abbreviated name's segments are no venues of their own: "Exp. Brain Res." is not
    "Brain Res.", nor "Int. J. Sports Med." "Sports Med"."""
    pieces = _SEGMENT_BREAK.split(claimed)
    before = " ".join(pieces[:-1]).split()
    return len(before) >= TITLE_MIN_WORDS and any(w[:1].islower() for w in before)


def _written(name: str) -> str:
    """The name with entities decoded, "S&P" as one acronym and other "&" as "and"."""
    return _AMPERSAND_ACRONYM.sub(r"\1\2", html.unescape(name)).replace("&", " and ")


def _unique(pieces: Iterable[str]) -> tuple[Form, ...]:
    return tuple(dict.fromkeys(form for form in map(_form, pieces) if form.words))


def _form(text: str) -> Form:
    written = {fold(w) for w in text.split() if _written_as_acronym(w)}
    folded = _SERIES_OPENING.sub(" ", _NUMBER.sub(" ", fold(text)).strip()).split()
    words = tuple(w for w in folded if w not in ORDINAL_WORDS)
    content = tuple(w for w in words if w not in STOP_WORDS and w not in NOISE_WORDS)
    return Form(words, content, frozenset(w for w in written if w in content))


def _written_as_acronym(word: str) -> bool:
    letters = [ch for ch in word if ch.isalpha()]
    return sum(ch.isupper() for ch in letters) >= ACRONYM_MIN_CAPITALS


def names(claim: Form, record: Form) -> bool:
    """Whether a claimed form names a record form (see the module's docstring)."""
    if not claim.content or not record.content:
        # All noise ("Proceedings"): only the same words are the same venue.
        return bool(claim.words) and claim.words == record.words
    if _spelled_alike(claim, record):
        return True
    if _abbreviates(_plain(claim), _plain(record)) or _abbreviates(_plain(record), _plain(claim)):
        return True
    # "Proc. Trans. Mach. Learn. Res.": the abbreviation of the name under its noise words.
    if _abbreviates(list(claim.content), list(record.content)):
        return True
    if _drops_qualifier(claim, record):
        return True
    return _explained(claim, record)


def _spelled_alike(claim: Form, record: Form) -> bool:
    """The same identifying words, in order, but for spaces ("Neuro- Image"), a slip of a
    letter in a long word, or British spelling ("Behavioural"): word by word, so that
    "Int J Cancer" is not "Cancer J"."""
    mine, theirs = claim.content, record.content
    if "".join(mine) == "".join(theirs):
        return True
    return len(mine) == len(theirs) and all(map(_same_word, mine, theirs))


def _same_word(mine: str, theirs: str) -> bool:
    if mine == theirs:
        return True
    if min(len(mine), len(theirs)) < TYPO_MIN_LETTERS:
        return False
    return Levenshtein.distance(mine, theirs) <= TYPO_MAX_EDITS


def _similarity(claim: Form, record: Form) -> float:
    return fuzz.token_sort_ratio(" ".join(claim.content), " ".join(record.content)) / 100


def _plain(form: Form) -> list[str]:
    """The words ISO 4 abbreviates: all but the stop words."""
    return [w for w in form.words if w not in STOP_WORDS]


def _drops_qualifier(claim: Form, record: Form) -> bool:
    """The claimed name is the record's without a closing qualifier ("Proceedings of the
    National Academy of Sciences" for "... of the United States of America"), keeping
    SHORTENED_MIN_WORDS identifying words. A name cut anywhere else is another venue's:
    "Ann Surg" is not "Ann Surg Oncol"."""
    if len(claim.content) < SHORTENED_MIN_WORDS:
        return False
    for cut, word in enumerate(record.words):
        if cut and word in QUALIFIER_WORDS:
            head = [w for w in record.words[:cut] if w in record.content]
            if tuple(head) == claim.content:
                return True
    return False


# --- ISO 4 abbreviations -------------------------------------------------------------------------


def _abbreviates(short: list[str], full: list[str]) -> bool:
    """Whether `short` abbreviates `full` word by word, in order, as ISO 4 does: each short
    word begins the long one and keeps its letters in order ("Natl" for "National"), or is
    the initials of a run of words ("USA"). Of the full name's words, only noise words
    ("Proceedings") and a closing section letter ("Am J Med Genet A") may go unused: "Ann
    Surg" does not abbreviate "Annals of Plastic Surgery"."""
    if len(short) < 2 or len(short) > len(full):
        return False
    return _align(tuple(short), tuple(full), 0, 0)


def _align(short: tuple[str, ...], full: tuple[str, ...], i: int, j: int) -> bool:
    if i == len(short):
        return all(w in NOISE_WORDS or w in PLACE_QUALIFIERS or len(w) == 1 for w in full[j:])
    if j == len(full):
        return False
    word = short[i]
    if contracts(word, full[j]) and _align(short, full, i + 1, j + 1):
        return True
    span = len(word)
    initials = "".join(w[0] for w in full[j : j + span])
    if span > 1 and initials == word and _align(short, full, i + 1, j + span):
        return True
    return full[j] in NOISE_WORDS and _align(short, full, i, j + 1)


def contracts(short: str, full: str) -> bool:
    """ "mach" for "machine", "natl" for "national": same first letter, letters in order."""
    if not short or short[0] != full[0] or len(short) > len(full):
        return False
    rest = iter(full[1:])
    return all(ch in rest for ch in short[1:])


# --- acronyms and words explained ----------------------------------------------------------------


def _explained(claim: Form, record: Form) -> bool:
    """Every claimed word is explained by the record's, at least one as an acronym, and
    together they identify the record's venue (see `_acronym_covers`): "CCS", "CHI EA",
    "EMNLP Findings", "ACL"."""
    explained: set[str] = set()
    by_acronym = False
    shortest = MIN_ACRONYM_LETTERS if len(claim.content) == 1 else MIN_SECONDARY_LETTERS
    for word in claim.content:
        covered = _acronym_covers(word, record, shortest)
        if covered:
            by_acronym = True
        elif word in record.content:
            covered = {word}
        elif not any(contracts(word, w) for w in record.content):
            return False
        explained |= covered
    content = set(record.content) - _sponsors(record)
    return by_acronym and len(explained & content) >= MIN_EXPLAINED_SHARE * len(content)


def _sponsors(record: Form) -> set[str]:
    """Sponsors named in a venue's name, which citations leave out: ACM's special interest
    groups ("SIGSAC", "SIGKDD")."""
    return {w for w in record.acronyms if w.startswith(SPONSOR_PREFIX) and len(w) > 3}


def _acronym_covers(word: str, record: Form, shortest: int) -> set[str]:
    """The record's identifying words that `word`, read as an acronym, stands for; empty
    when it stands for none.

    - The venue's own acronym (see `Form`) stands for the whole venue: "EMNLP" for
      "Findings of the ACL: EMNLP 2023".
    - A known venue's acronym (`known_acronyms`) stands for its name's words when the record's
      identifying words are those and no others (but sponsors): "ICCV" is not CVPR's
      "Computer Vision and Pattern Recognition", though it holds "Computer Vision". When the
      record writes the acronym too, it stands for itself and those words: "CHI" in
      "Extended Abstracts of the CHI Conference on Human Factors in Computing Systems".
    - An acronym of `shortest` letters or more stands for the run of words that spells it.
    """
    if not word.isalpha() or len(word) > MAX_ACRONYM_LETTERS:
        return set()
    content = set(record.content)
    if word in record.own:
        return content
    known = known_acronyms()
    expansions = known.get(word, ())
    others = record.acronyms - {word}
    if any(set(expansions) & set(known.get(other, ())) for other in others):
        return content  # two acronyms of one venue: "NIPS" for a record that writes "NeurIPS"
    covered: set[str] = set()
    leftover = content - _sponsors(record) - record.acronyms
    for expansion in expansions:
        expanded = set(expansion.split())
        if expanded <= content and leftover <= expanded:
            covered |= content
        elif expanded <= content and word in content:
            covered |= expanded | {word}  # "CHI ... Human Factors in Computing Systems"
    if len(word) >= shortest:
        covered |= _spelt_by_run(word, record.words, record)
    return covered


def spells(acronym: str, name: str) -> bool:
    """Whether the acronym is spelt by a run of the name's words, or written in it as its
    own: what the rules tell without a table of known venues."""
    word = fold(acronym).replace(" ", "")
    return any(word in form.own or _spelt_by_run(word, form.words, form) for form in forms(name))


def _spelt_by_run(acronym: str, words: Sequence[str], record: Form) -> set[str]:
    """The record's identifying words, when a run of its words spells `acronym`: each word
    of the run gives a prefix of itself (a function word at most one letter, or none), and
    the run leaves out none of the name's identifying words but sponsors, acronyms and a
    closing qualifier ("Proceedings of the National Academy of Sciences | of the United
    States of America"). Empty when no run does."""
    spare = _sponsors(record) | record.acronyms
    for start in range(len(words)):
        run = _spell(acronym, tuple(words), 0, start)
        if run is None or sum(w not in STOP_WORDS for w in run) < MIN_RUN_WORDS:
            continue
        before = [w for w in words[:start] if w in record.content and w not in spare]
        after = words[start + len(run) :]
        closed = not after or after[0] in QUALIFIER_WORDS
        if not before and (closed or not set(after) & set(record.content) - spare):
            return set(record.content)
    return set()


def _spell(acronym: str, words: tuple[str, ...], i: int, j: int) -> tuple[str, ...] | None:
    """The run of words from `j` on that spells `acronym[i:]` (skipped function words
    included), or None."""
    if i == len(acronym):
        return ()
    if j == len(words):
        return None
    word = words[j]
    function = word in STOP_WORDS or word in NOISE_WORDS
    longest = FUNCTION_WORD_LETTERS if function else len(word)
    for size in range(min(longest, len(acronym) - i), 0, -1):
        if word[:size] == acronym[i : i + size]:
            rest = _spell(acronym, words, i + size, j + 1)
            if rest is not None:
                return (word, *rest)
    if function and i > 0:
        rest = _spell(acronym, words, i, j + 1)
        return None if rest is None else (word, *rest)
    return None


@lru_cache(maxsize=1)
def known_acronyms() -> dict[str, tuple[str, ...]]:
    """KNOWN_ACRONYMS and the derived table (`models/venues.tsv`: acronym, tab, the folded
    identifying words of the venue's name), merged."""
    table = {acronym: tuple(names) for acronym, names in KNOWN_ACRONYMS.items()}
    if DERIVED_TABLE.is_file():
        for line in DERIVED_TABLE.read_text(encoding="utf-8").splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            acronym, _, expansion = line.partition("\t")
            if expansion and expansion not in table.get(acronym, ()):
                table[acronym] = (*table.get(acronym, ()), expansion)
    return table
