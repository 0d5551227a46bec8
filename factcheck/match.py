"""Compare claimed bibliographic fields with a source's record, field by field. No I/O.

A search answers with candidates, never with proof: the best hit for an invented reference is
some real paper. So a candidate is only the cited work when its fields, compared one by one,
confirm it, and the fields that disagree are what the judge reports. Each field comes out
"agree", "disagree" or "unknown" (one side has no value, or the comparison cannot decide),
with a score in 0-1 and a note a person can read.

The rules follow the ways real records differ from correct citations (case, markup, subtitles,
initials, particles, name order, online-first years, venue acronyms and ISO-4 abbreviations)
and the ways invented citations differ from real records (a word or two changed in the title,
swapped or invented authors, a shortened author list, a shifted year, another venue).
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from difflib import SequenceMatcher
from typing import Literal

from pydantic import BaseModel, Field
from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from .match_software import is_data_record, organisation_meets_people, same_program
from .model import Author, FieldDiff, Fields
from .normalize import cased_words, fold, words

State = Literal["agree", "disagree", "unknown"]
AGREE: State = "agree"
DISAGREE: State = "disagree"
UNKNOWN: State = "unknown"

# --- titles (rapidfuzz scores are 0-100) -------------------------------------------------------
# Titles are compared word by word rather than by a similarity bar: a near miss ("Models" for
# "Model", "towards" for "for") scores 95-99 on `fuzz.ratio`, as high as harmless spelling
# differences do, so no single bar separates them. Words shorter than this, and these small
# words, may differ without the titles disagreeing.
MIN_TITLE_WORD = 3
TITLE_STOP_WORDS = frozenset(["the", "and", "for", "with", "from", "into"])
# British spellings and their American forms, applied to a whole folded title.
SPELLING_VARIANTS = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"isation", "ization"),
        (r"is(e|ed|es|ing)\b", r"iz\1"),
        (r"ys(e|ed|es|ing)\b", r"yz\1"),
        (r"ll(ed|ing|er)\b", r"l\1"),
        (r"our\b", "or"),
        (r"tre\b", "ter"),
    )
)
# A word this long that differs from the record's by this many letters is a typo.
TYPO_MIN_CHARS = 7
TYPO_MAX_EDITS = 1
# ...inside the word: its first letter and this many last ones are the same.
TYPO_KEPT_ENDING = 3
# How many differing words a note names.
MAX_NOTED_WORDS = 4
# Below this `fuzz.token_set_ratio`, the titles are about different things: the candidate is
# another work, not a misquoted title of the same one.
TITLE_RELATED = 70.0
# A record title missing at most this many of the claim's words, and nothing else, lost
# them to markup (see _record_lost_words); it must keep at least MIN_RECORD_TITLE_WORDS.
MAX_RECORD_LOST_WORDS = 3
MIN_RECORD_TITLE_WORDS = 4
# The note of a title the record cut so short that it neither confirms nor contradicts.
RECORD_TITLE_CUT = "the record's title stops after its first words (markup lost in the registry?)"
# Words that cannot end a complete title: a record title ending in one was cut short.
DANGLING_WORDS = frozenset(
    ["a", "an", "the", "of", "in", "on", "by", "for", "from", "with", "to", "and", "or", "at"]
)

# --- authors -----------------------------------------------------------------------------------
# A record that lists this many authors or fewer, against a longer claim, is thin (a registry
# that kept only the first author): it confirms that author and cannot contradict the rest.
THIN_RECORD_AUTHORS = 1
# A "family name" of words this short is a run of initials, not a surname.
MAX_INITIAL_CHARS = 1
# Signs of a broken deposit: an HTML entity ("d&apos"), or a whole list in one name.
_MALFORMED_NAME = re.compile(r"&#?\w+;?|\s(?:and|&)\s")
# Particles that some sources keep in the family name and others in the given name.
PARTICLES = frozenset(
    [
        "van",
        "von",
        "de",
        "der",
        "den",
        "del",
        "della",
        "di",
        "da",
        "das",
        "dos",
        "du",
        "la",
        "le",
        "ten",
        "ter",
        "zu",
        "vander",
        "vanden",
    ]
)

# --- years -------------------------------------------------------------------------------------
# Online-first and print years differ by one; conference papers carry the arXiv year.
YEAR_TOLERANCE = 1

# --- venues ------------------------------------------------------------------------------------
# `fuzz.token_sort_ratio` of two canonical venue names that agree as written out (a typo or
# a plural apart).
VENUE_AGREE = 90.0
# A claimed name may leave words of the record's out ("Proceedings of the National Academy
# of Sciences" for "… of the United States of America") if it keeps this many identifying
# words and at least this share of them. "Nature" for "Nature Communications" does not.
VENUE_SHORTENED_MIN_WORDS = 2
# Capital letters that make a one-word venue an acronym as written ("ICML", "NeurIPS").
ACRONYM_MIN_CAPITALS = 2
VENUE_SHORTENED_MIN_SHARE = 0.5
# An ISO-4 style abbreviation may skip this many of the full name's (non-stop) words.
VENUE_MAX_SKIPPED = 1
# Words that carry no identity in a venue name: "Proceedings of the 40th Annual ...".
VENUE_NOISE = frozenset(
    [
        "the",
        "of",
        "on",
        "in",
        "and",
        "for",
        "at",
        "proceedings",
        "proc",
        "annual",
        "international",
        "intl",
        "conference",
        "conf",
        "symposium",
        "workshop",
        "ieee",
        "cvf",
        "acm",
        "advances",
        "journal",
    ]
)
# Stop words that ISO-4 drops before abbreviating; dropped from both sides before aligning.
VENUE_STOP = frozenset(["the", "of", "on", "in", "and", "for", "at", "a", "an"])
_ORDINAL = re.compile(r"\b\d+(?:st|nd|rd|th)?\b")
# Venues known by an acronym the full name does not spell: acronym -> canonical full names.
VENUE_ALIASES: dict[str, tuple[str, ...]] = {
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
}
# Claimed venues that say "a preprint": citing the preprint of a published work is no error.
PREPRINT_VENUES = frozenset(["arxiv", "biorxiv", "medrxiv", "chemrxiv", "ssrn", "preprint", "corr"])
# Record types that are preprints: they cannot confirm or contradict a claimed venue.
PREPRINT_TYPES = frozenset({"posted-content", "preprint"})

# --- volumes and pages -------------------------------------------------------------------------
_FIRST_PAGE = re.compile(r"[A-Za-z]*\d+[A-Za-z]*")
# "p. 878", "pp878", "pg 12": the word for page, not part of the page number.
_PAGE_WORD = re.compile(r"\b(?:pp?|pg|pages?)\.?\s*(?=\d)", re.IGNORECASE)
_VOLUME_WORD = re.compile(r"^(?:vol(?:ume)?\.?\s*)", re.IGNORECASE)


class FieldResult(BaseModel):
    """One field's comparison. `score` is a similarity in 0-1 (1 for an exact match)."""

    state: State = UNKNOWN
    score: float = 0.0
    note: str = ""


COMPARED = ("title", "authors", "year", "container", "volume", "pages")


class Comparison(BaseModel):
    """Every field's comparison, how many fields independently confirm the work, and diffs."""

    title: FieldResult = Field(default_factory=FieldResult)
    authors: FieldResult = Field(default_factory=FieldResult)
    year: FieldResult = Field(default_factory=FieldResult)
    container: FieldResult = Field(default_factory=FieldResult)
    volume: FieldResult = Field(default_factory=FieldResult)
    pages: FieldResult = Field(default_factory=FieldResult)
    supporting: int = 0
    diffs: list[FieldDiff] = Field(default_factory=list)

    def results(self) -> dict[str, FieldResult]:
        """The per-field results, by field name, in a fixed order."""
        return {name: getattr(self, name) for name in COMPARED}

    def disagreeing(self) -> list[str]:
        """The names of the fields that disagree."""
        return [name for name, result in self.results().items() if result.state == DISAGREE]

    def compared(self) -> int:
        """How many fields could be compared at all (neither side was empty)."""
        return sum(result.state != UNKNOWN for result in self.results().values())


def compare(
    claimed: Fields,
    found: Fields,
    *,
    truncated: bool = False,
    venue_aliases: Sequence[str] = (),
) -> Comparison:
    """Compare a claim with a record.

    `truncated` says the claim shortened its author list ("et al.", "and others"); see
    `claims_et_al`. `venue_aliases` are other names the record gives its venue (Crossref's
    `short-container-title`), since `Fields` holds only one.
    """
    # A "volume" that is the claimed year is the year read twice ("Mach. Learn.; 2021").
    volume = None if claimed.volume == str(claimed.year) else claimed.volume
    release = is_data_record(found)
    results = {
        "title": _release_title(claimed.title, found.title)
        if release
        else compare_titles(claimed.title, found.title),
        "authors": _release_authors(claimed.authors, found.authors, truncated=truncated)
        if release
        else compare_authors(claimed.authors, found.authors, truncated=truncated),
        "year": compare_years(claimed.year, found.year),
        "container": compare_venues(
            claimed.container, [found.container or "", *venue_aliases], found.type
        ),
        "volume": compare_volumes(volume, found.volume),
        "pages": compare_pages(claimed.pages, found.pages),
    }
    supporting = sum(result.state == AGREE for result in results.values())
    diffs = [
        _diff(name, claimed, found) for name, result in results.items() if result.state == DISAGREE
    ]
    return Comparison(**results, supporting=supporting, diffs=diffs)


def _release_title(claimed: str | None, found: str | None) -> FieldResult:
    """A software or data release cited by its program's name (see `match_software`)."""
    result = compare_titles(claimed, found)
    if result.state == DISAGREE and claimed and found and same_program(claimed, found):
        return FieldResult(state=AGREE, score=1.0, note="names the program of this release")
    return result


def _release_authors(
    claimed: Sequence[Author], found: Sequence[Author], *, truncated: bool
) -> FieldResult:
    """A release's team against its people, or its first contributors for all of them."""
    if organisation_meets_people(claimed, found):
        return FieldResult(note="an organisation and the people of one release")
    return compare_authors(claimed, found, truncated=True)


_ET_AL = re.compile(r"\bet\.?\s*al\b|\band\s+others\b|…|\.\.\.", re.IGNORECASE)


def claims_et_al(raw: str) -> bool:
    """Whether a reference string shortens its author list ("et al.", "and others", "…")."""
    return _ET_AL.search(raw) is not None


def shortened(raw: str, claimed: Fields) -> bool:
    """Whether a claim's author list may be short of the work's: it says "et al." (see
    `claims_et_al`), or it names one author by surname alone, as prose names a work
    ("Ferreira (“Urban heat islands”, 2016)", "Sun et al." without the "et al."): the
    first author, not a claim that there is no other."""
    if claims_et_al(raw):
        return True
    authors = claimed.authors
    return len(authors) == 1 and bool(authors[0].family) and not authors[0].given


def _diff(name: str, claimed: Fields, found: Fields) -> FieldDiff:
    if name == "authors":
        mine = [a.display() for a in claimed.authors]
        theirs = [a.display() for a in found.authors]
        return FieldDiff(field=name, claimed=mine, found=theirs, suggestion=theirs)
    value = getattr(found, name)
    return FieldDiff(field=name, claimed=getattr(claimed, name), found=value, suggestion=value)


# --- titles ------------------------------------------------------------------------------------


def title_key(title: str) -> str:
    """A title folded for comparison: no entities, case, accents, tags, LaTeX or punctuation."""
    return fold(html.unescape(title))


def compare_titles(claimed: str | None, found: str | None) -> FieldResult:
    """Agree when the folded titles differ only in markup, spelling or small words, also when
    one is the other's main title without its subtitle. A content word added, dropped or
    changed is a near miss and disagrees: that is how invented titles differ from real ones."""
    if not claimed or not found:
        return FieldResult()
    mine, theirs = title_key(claimed), title_key(found)
    if not mine or not theirs:
        return FieldResult()
    if _same_title(mine, theirs) or _main_title_matches(claimed, found):
        return FieldResult(state=AGREE, score=1.0, note="same title")
    ratio = fuzz.ratio(mine, theirs)
    changed = _changed_words(mine.split(), theirs.split())
    if not changed:
        return FieldResult(state=AGREE, score=ratio / 100, note="same title up to spelling")
    if _record_lost_words(mine.split(), theirs.split()) or _record_cut_short(mine, found):
        note = "same title, but the record lacks some words (markup lost in the registry?)"
        return FieldResult(state=AGREE, score=ratio / 100, note=note)
    if _begins_with(mine.split(), theirs.split()) and _markup_follows(claimed, theirs):
        # Too little of the record's title is left to confirm the claim, and nothing in it
        # contradicts it: other fields must decide (see candidates.acceptable).
        return FieldResult(state=UNKNOWN, score=1.0, note=RECORD_TITLE_CUT)
    related = fuzz.token_set_ratio(mine, theirs)
    if related < TITLE_RELATED:
        return FieldResult(state=DISAGREE, score=ratio / 100, note="another title")
    note = f"a near-miss title (differs in: {', '.join(changed[:MAX_NOTED_WORDS])})"
    return FieldResult(state=DISAGREE, score=max(ratio, related) / 100, note=note)


def _record_lost_words(mine: list[str], theirs: list[str]) -> bool:
    """The record's title is the claimed one with a few words missing, nothing changed.

    Registries lose the italicised part of a title (species names, gene symbols) when a
    deposit's markup goes wrong; an invented title changes or swaps words instead."""
    if len(theirs) < MIN_RECORD_TITLE_WORDS:
        return False
    matcher = SequenceMatcher(a=mine, b=theirs, autojunk=False)
    ops = [op for op in matcher.get_opcodes() if op[0] != "equal"]
    lost = sum(i2 - i1 for _, i1, i2, _, _ in ops)
    return all(op[0] == "delete" for op in ops) and lost <= MAX_RECORD_LOST_WORDS


def _begins_with(mine: list[str], theirs: list[str]) -> bool:
    """The record's title is the first words of the claimed one, and shorter."""
    return 0 < len(theirs) < len(mine) and mine[: len(theirs)] == theirs


def _markup_follows(claimed: str, theirs: str) -> bool:
    """Whether the claimed title goes on, past the record's words, with what registries lose
    to markup: a number, symbol or capitalised name ("13C-enrichment", "Ca2+", "Senecio").
    A claim that goes on with a plain word ("… activity and deep priors") is a longer,
    other title (a chimera), not a cut record."""
    kept = len(theirs.split())
    written = cased_words(html.unescape(claimed))
    return len(written) > kept and not written[kept][0].islower()


def _record_cut_short(mine: str, found: str) -> bool:
    """The record's title stops at a word no title ends with ("… alkaloids in"), and the
    claimed title begins with it: the registry lost the rest (usually italicised words)."""
    theirs = title_key(found).split()
    if len(theirs) < MIN_RECORD_TITLE_WORDS or theirs[-1] not in DANGLING_WORDS:
        return False
    return mine.split()[: len(theirs)] == theirs


def _same_title(mine: str, theirs: str) -> bool:
    """Equal, or equal but for spaces (hyphenation: "pre-training" / "pretraining")."""
    return mine == theirs or mine.replace(" ", "") == theirs.replace(" ", "")


def _changed_words(mine: list[str], theirs: list[str]) -> list[str]:
    """The content words that one title has and the other lacks or spells otherwise.

    Differences in small words, numbers and symbols (what LaTeX and MathML renderings leave
    behind), in joined or hyphenated words, and in British/American spelling do not count."""
    changed: list[str] = []
    matcher = SequenceMatcher(a=mine, b=theirs, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        left, right = mine[i1:i2], theirs[j1:j2]
        if _spelling("".join(left)) == _spelling("".join(right)) or _typos(left, right):
            continue
        changed += [w for w in (*left, *right) if _is_content_word(w)]
    return changed


def _typos(left: list[str], right: list[str]) -> bool:
    """Word for word, the same long words but for one slip of a letter inside the word
    ("immunoredistibution"): a typo in the citing text, not another title. A changed ending
    ("Privacys", "Learnings", "Towards") changes the word, and is a near miss."""
    return len(left) == len(right) and all(
        len(a) >= TYPO_MIN_CHARS
        and a[0] == b[0]
        and a[-TYPO_KEPT_ENDING:] == b[-TYPO_KEPT_ENDING:]
        and Levenshtein.distance(a, b) <= TYPO_MAX_EDITS
        for a, b in zip(left, right, strict=True)
    )


def _is_content_word(word: str) -> bool:
    return len(word) >= MIN_TITLE_WORD and word.isalpha() and word not in TITLE_STOP_WORDS


def _spelling(word: str) -> str:
    """British spellings folded to American ones: "modelling" / "modeling"."""
    for pattern, replacement in SPELLING_VARIANTS:
        word = pattern.sub(replacement, word)
    return word


def _main_title_matches(claimed: str, found: str) -> bool:
    """A title cited without its subtitle, or a record that keeps the subtitle elsewhere;
    or cited by its subtitle alone ("Harmlessness from AI Feedback" for "Constitutional AI:
    Harmlessness from AI Feedback"), as a parse that missed the main title reads it."""
    mine, theirs = _main_title(claimed), _main_title(found)
    full_mine, full_theirs = title_key(claimed), title_key(found)
    return (
        bool(theirs and _same_title(full_mine, theirs))
        or bool(mine and _same_title(mine, full_theirs))
        or _same_title(full_mine, _subtitle(found))
    )


def _subtitle(title: str) -> str:
    """The part after the first ':' separator, folded; '' if none or if it is short."""
    _, sep, tail = title.partition(":")
    folded = title_key(tail) if sep else ""
    return folded if len(folded.split()) >= MIN_RECORD_TITLE_WORDS else ""


def _main_title(title: str) -> str:
    """The part before the first subtitle separator (':' or ' - '), folded; '' if none."""
    for separator in (":", " - ", " — ", " – "):
        head, sep, _ = title.partition(separator)
        if sep and head.strip():
            return title_key(head)
    return ""


# --- authors -----------------------------------------------------------------------------------


def surname_key(author: Author) -> str:
    """An author's identity for matching: the folded family name without particles, or an
    organisation's folded name. "van de Meent" -> "meent"; "Walker-Smith" -> "walkersmith"."""
    if author.family:
        kept = [w for w in words(author.family) if w not in PARTICLES]
        return "".join(kept or words(author.family))
    if author.name:
        return "".join(words(author.name))
    return "".join(words(author.given or ""))


def same_author(mine: Author, theirs: Author) -> bool:
    """Same person by surname; tolerates particles on either side, names written in East
    Asian order on one side only, and a parse that kept the whole name in one part."""
    a, b = surname_key(mine), surname_key(theirs)
    if a and a == b:
        return True
    if _swapped_order(mine, theirs):
        return True
    # A family name that kept a particle or a second surname the other side dropped:
    # "y Arcas" / "Agüera y Arcas", "Gontijo Lopes" / "Lopes".
    mine_words, their_words = _name_words(mine), _name_words(theirs)
    return bool(a and b) and (
        a in their_words
        or b in mine_words
        or _last_word(mine) == _last_word(theirs) != ""
        # A record that kept only the first word of a family name ("Vander" for "Vander
        # Cruyssen"), a particle-like word that the keys above leave out.
        or b in words(mine.family or "")
        or a in words(theirs.family or "")
    )


def _last_word(author: Author) -> str:
    """The last word of a family name, when it is a real word (not an initial)."""
    family = words(author.family or "")
    return family[-1] if family and len(family[-1]) > 1 else ""


def _swapped_order(mine: Author, theirs: Author) -> bool:
    """ "Zhang Wei" read as given Zhang, family Wei, against family Zhang, given Wei."""
    if not (mine.family and mine.given and theirs.family and theirs.given):
        return False
    return fold(mine.family) == fold(theirs.given) and fold(mine.given) == fold(theirs.family)


def _name_words(author: Author) -> set[str]:
    """Every folded word of the full name, particles removed, hyphenated parts joined too."""
    full = " ".join(p for p in (author.given, author.family, author.name) if p)
    found = {w for w in words(full) if w not in PARTICLES and len(w) > 1}
    if author.family:
        found.add("".join(words(author.family)))
    return found


def compare_authors(
    claimed: Sequence[Author], found: Sequence[Author], *, truncated: bool = False
) -> FieldResult:
    """Agree when the claimed authors are the record's, in order from the first.

    Disagree when the first author differs, when the claim names people the record does not
    (swapped or invented authors), or when it lists only some of the record's authors without
    saying "et al." (a partial list). A thin record (only its first author kept) can confirm
    or contradict only the first author.
    """
    if not claimed or not found:
        return FieldResult()
    if any(_malformed(author) for author in found):
        return FieldResult(note="the record's author list is malformed")
    if len(found) <= THIN_RECORD_AUTHORS < len(claimed) or _record_list_cut(claimed, found):
        # The record keeps only its first authors: it can speak for those alone.
        claimed = claimed[: len(found)]
    matched = _match_authors(claimed, found)
    invented = [a for a, hit in zip(claimed, matched, strict=True) if hit is None]
    score = (len(claimed) - len(invented)) / max(len(claimed), len(found))
    if matched[0] != 0:
        first = found[0].display()
        return FieldResult(
            state=DISAGREE, score=score, note=f"first author is {first}, not {claimed[0].display()}"
        )
    if invented:
        names = ", ".join(a.display() for a in invented)
        return FieldResult(state=DISAGREE, score=score, note=f"not authors of this work: {names}")
    missing = [a for i, a in enumerate(found) if i not in set(matched)]
    if missing and not (truncated and _is_prefix(matched)):
        names = ", ".join(a.display() for a in missing)
        return FieldResult(state=DISAGREE, score=score, note=f"authors left out: {names}")
    in_order = matched == sorted(i for i in matched if i is not None)
    note = "same authors" if in_order else "same authors, in another order"
    if missing:
        note = "first authors match, the rest shortened to et al."
    return FieldResult(state=AGREE, score=max(score, len(claimed) / len(found)), note=note)


def _malformed(author: Author) -> bool:
    """A deposit that jammed several names into one, left HTML entities in a name, or put
    the initials where the family name goes ("R" as a surname)."""
    name = " ".join(p for p in (author.given, author.family, author.name) if p)
    family = words(author.family or "")
    initials_only = bool(family) and all(len(w) <= MAX_INITIAL_CHARS for w in family)
    return initials_only or _MALFORMED_NAME.search(name) is not None


def _record_list_cut(claimed: Sequence[Author], found: Sequence[Author]) -> bool:
    """The record's authors are exactly the claim's first ones: a record that stopped early
    (consortium papers list dozens), not a claim that invented the rest."""
    if len(found) >= len(claimed):
        return False
    return all(same_author(c, f) for c, f in zip(claimed, found, strict=False))


def _match_authors(claimed: Sequence[Author], found: Sequence[Author]) -> list[int | None]:
    """For each claimed author, the index of the record author it is, each used once.

    The same position is tried first, so that two co-authors sharing a surname pair up in
    order."""
    used: set[int] = set()
    matched: list[int | None] = []
    for position, author in enumerate(claimed):
        order = [position, *range(len(found))] if position < len(found) else range(len(found))
        hit = next((i for i in order if i not in used and same_author(author, found[i])), None)
        if hit is not None:
            used.add(hit)
        matched.append(hit)
    return matched


def _is_prefix(matched: Sequence[int | None]) -> bool:
    return list(matched) == list(range(len(matched)))


# --- years -------------------------------------------------------------------------------------


def compare_years(claimed: int | None, found: int | None) -> FieldResult:
    """Agree within YEAR_TOLERANCE (online-first against print year)."""
    if claimed is None or found is None:
        return FieldResult()
    gap = abs(claimed - found)
    if gap == 0:
        return FieldResult(state=AGREE, score=1.0, note="same year")
    if gap <= YEAR_TOLERANCE:
        return FieldResult(state=AGREE, score=0.5, note=f"{found}, one year off (online vs print)")
    return FieldResult(state=DISAGREE, score=0.0, note=f"published {found}, not {claimed}")


# --- venues ------------------------------------------------------------------------------------


def venue_words(venue: str) -> list[str]:
    """A venue's identifying words: folded, without years, ordinals, or noise words."""
    folded = _ORDINAL.sub(" ", fold(venue))
    return [w for w in folded.split() if w not in VENUE_NOISE]


def compare_venues(
    claimed: str | None, found: Sequence[str], found_type: str | None = None
) -> FieldResult:
    """Agree when the claimed venue names any of the record's venue names: written out,
    as an acronym (known, or spelt by the name's initials) or as an ISO-4 abbreviation."""
    names = [name for name in found if name and name.strip()]
    if not claimed or not fold(claimed):
        return FieldResult()
    if is_preprint_venue(claimed):
        return FieldResult(note="cited as a preprint")
    if found_type in PREPRINT_TYPES:
        # The preprint's record cannot know where the work appeared later.
        return FieldResult(note="the record is a preprint's; it does not name a venue")
    if not names:
        return FieldResult()
    best = max(_venue_score(claimed, name) for name in names)
    if best >= 1.0:
        return FieldResult(state=AGREE, score=1.0, note="same venue")
    return FieldResult(state=DISAGREE, score=best, note=f"published in {names[0]}")


def is_preprint_venue(venue: str) -> bool:
    return any(w in PREPRINT_VENUES for w in words(venue))


def is_preprint(fields: Fields) -> bool:
    """Whether a record describes a preprint: it cannot say where the work appeared later."""
    return fields.type in PREPRINT_TYPES or is_preprint_venue(fields.container or "")


def claims_publication(fields: Fields) -> bool:
    """Whether a claim names a venue other than a preprint server."""
    venue = fields.container or ""
    return bool(venue.strip()) and not is_preprint_venue(venue)


def _venue_score(claimed: str, found: str) -> float:
    """1.0 when the two names are the same venue, else their similarity in 0-1."""
    mine, theirs = venue_words(claimed), venue_words(found)
    if not mine or not theirs:
        # All noise ("Proceedings"): compare what was written.
        return 1.0 if fold(claimed) == fold(found) else 0.0
    if (
        _acronym_matches(mine, theirs, found, claimed)
        or _acronym_matches(theirs, mine, claimed, found)
        or _abbreviates(_plain_words(claimed), _plain_words(found))
        or _abbreviates(_plain_words(found), _plain_words(claimed))
        # "Proc. Trans. Mach. Learn. Res." abbreviates the name under its noise words.
        or _abbreviates(mine, theirs)
        or _abbreviates(theirs, mine)
    ):
        return 1.0
    if _shortens(mine, theirs):
        return 1.0
    # Sorted, not set, ratio: a claimed name with words the record's lacks ("Statistical
    # Machine Learning Theory" for "Machine Learning") names another venue.
    ratio = fuzz.token_sort_ratio(" ".join(mine), " ".join(theirs))
    return 1.0 if ratio >= VENUE_AGREE else ratio / 100


def _shortens(mine: list[str], theirs: list[str]) -> bool:
    """Whether the claimed venue words are the record's with some left out (see
    VENUE_SHORTENED_MIN_WORDS)."""
    claimed, found = set(mine), set(theirs)
    return (
        claimed <= found
        and len(claimed) >= VENUE_SHORTENED_MIN_WORDS
        and len(claimed) >= VENUE_SHORTENED_MIN_SHARE * len(found)
    )


def _plain_words(venue: str) -> list[str]:
    """A venue's words as ISO-4 abbreviates them: stop words, years and ordinals dropped."""
    folded = _ORDINAL.sub(" ", fold(venue))
    return [w for w in folded.split() if w not in VENUE_STOP]


def _acronym_matches(mine: list[str], theirs: list[str], their_name: str, my_name: str) -> bool:
    """A one-word venue ("ICLR") that names the other: a word of it ("AAAI"), an acronym in
    parentheses, its initials, or a known alias whose words it contains.

    Only an acronym as written ("AAAI", "NeurIPS") may be one word of a longer name: the
    word "Nature" is not "Nature Communications"."""
    if len(mine) != 1:
        return False
    acronym = mine[0]
    if _written_as_acronym(my_name) and (acronym in theirs or acronym in words(their_name)):
        return True
    initials = "".join(w[0] for w in words(their_name) if w not in VENUE_STOP)
    content_initials = "".join(w[0] for w in theirs)
    if acronym in (initials, content_initials):
        return True
    their_set = set(theirs)
    return any(set(alias.split()) <= their_set for alias in VENUE_ALIASES.get(acronym, ()))


def _written_as_acronym(name: str) -> bool:
    return sum(ch.isupper() for ch in name) >= ACRONYM_MIN_CAPITALS


def _abbreviates(short: list[str], full: list[str]) -> bool:
    """Whether `short` abbreviates `full` word by word, in order, as ISO-4 does: each short
    word begins the long one and keeps its letters in order ("Natl" for "National"), or is
    the initials of a run of words ("USA"). At most VENUE_MAX_SKIPPED full words go unused."""
    if len(short) < 2 or len(short) > len(full):
        return False
    return _align(short, full, 0, 0, VENUE_MAX_SKIPPED)


def _align(short: list[str], full: list[str], i: int, j: int, skips: int) -> bool:
    if i == len(short):
        return len(full) - j <= skips
    if j == len(full):
        return False
    word = short[i]
    if _contracts(word, full[j]) and _align(short, full, i + 1, j + 1, skips):
        return True
    span = len(word)
    initials = "".join(w[0] for w in full[j : j + span])
    if span > 1 and initials == word and _align(short, full, i + 1, j + span, skips):
        return True
    return skips > 0 and _align(short, full, i, j + 1, skips - 1)


def _contracts(short: str, full: str) -> bool:
    """ "mach" for "machine", "natl" for "national": same first letter, letters in order."""
    if not short or short[0] != full[0] or len(short) > len(full):
        return False
    rest = iter(full[1:])
    return all(ch in rest for ch in short[1:])


# --- volumes and pages -------------------------------------------------------------------------


def compare_volumes(claimed: str | None, found: str | None) -> FieldResult:
    """Exact, after dropping "vol." and leading zeros."""
    mine, theirs = _volume_key(claimed), _volume_key(found)
    if not mine or not theirs:
        return FieldResult()
    if mine == theirs:
        return FieldResult(state=AGREE, score=1.0, note="same volume")
    return FieldResult(state=DISAGREE, note=f"volume {found}, not {claimed}")


def _volume_key(volume: str | None) -> str:
    if not volume:
        return ""
    return _VOLUME_WORD.sub("", volume.strip()).lstrip("0").casefold()


def compare_pages(claimed: str | None, found: str | None) -> FieldResult:
    """The first pages, exact: ranges are abbreviated differently ("637-41"), starts are not."""
    mine, theirs = first_page(claimed), first_page(found)
    if not mine or not theirs:
        return FieldResult()
    if mine == theirs:
        return FieldResult(state=AGREE, score=1.0, note="same first page")
    if _page_number(mine) == _page_number(theirs) and (mine.isdigit() or theirs.isdigit()):
        # "S1" / "1", "e1234" / "1234": a supplement or article-number prefix one side left out.
        return FieldResult(state=AGREE, score=1.0, note="same first page, but for a prefix")
    return FieldResult(state=DISAGREE, note=f"pages {found}, not {claimed}")


def _page_number(page: str) -> str:
    return "".join(ch for ch in page if ch.isdigit()).lstrip("0")


def first_page(pages: str | None) -> str:
    """The first page of a range, folded: "e1234-e1240" -> "e1234"; "" when there is none."""
    found = _FIRST_PAGE.search(_PAGE_WORD.sub("", pages or ""))
    return found.group(0).lstrip("0").casefold() if found else ""
