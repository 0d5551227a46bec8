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

from pydantic import BaseModel, Field, model_validator
from rapidfuzz import fuzz
from rapidfuzz.distance import OSA, Levenshtein

from ..model import Author, FieldDiff, Fields
from ..nameparts import PARTICLES
from ..normalize import cased_words, fold, words
from ..thresholds import THRESHOLDS, Thresholds
from .software import (
    is_data_record,
    organisation_meets_people,
    same_organisation,
    same_program,
)
from .venues import venue_score

State = Literal["agree", "disagree", "unknown"]
AGREE: State = "agree"
DISAGREE: State = "disagree"
UNKNOWN: State = "unknown"
Severity = Literal["alarm", "note"]
ALARM: Severity = "alarm"
NOTE: Severity = "note"

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
# How many differing words a note names.
MAX_NOTED_WORDS = 4
# The bars of the title rules (how related two titles must be, what is a typo, how many
# words a title keeps) are `Thresholds` fields: `title_related`, `title_typo_*`,
# `record_lost_words`, `title_min_words`, `kept_title_min_words`.
# The note of a title the record cut so short that it neither confirms nor contradicts.
RECORD_TITLE_CUT = "the record's title stops after its first words (markup lost in the registry?)"
# The note of a claimed title that is only names of the record's authors (a parse's slip).
TITLE_IS_A_NAME = "the claimed title is a name of the record's authors (a parse's slip?)"
# The note of a claimed title that is the record's without a closing part (see _record_goes_on).
RECORD_TITLE_GOES_ON = "same title; the record's goes on after it"
_TITLE_TAIL = re.compile(r"[.,]\s")
_BRACKETED = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
_MARKUP = re.compile(r"<[^<>]{0,200}>")
# Marks no complete title ends with: a record title ending in one was cut short.
CUT_MARKS = frozenset(",(-:;&[/")
# Words that cannot end a complete title: a record title ending in one was cut short.
DANGLING_WORDS = frozenset(
    ["a", "an", "the", "of", "in", "on", "by", "for", "from", "with", "to", "and", "or", "at"]
)

# --- authors -----------------------------------------------------------------------------------
# The bars of the author rules (a thin record, a misspelt surname, an organisation's
# acronym) are `Thresholds` fields: `thin_record_authors`, `name_slip_*`,
# `organisation_acronym_min_letters`.
# A "family name" of words this short is a run of initials, not a surname.
MAX_INITIAL_CHARS = 1
# A record name of this many capitals at most, and no given name, is the person's initials.
MAX_RECORD_INITIALS = 3
# An organisation's acronym is spelt by its name's words but these.
ORGANISATION_SMALL_WORDS = frozenset(["of", "the", "for", "and", "on", "in", "de", "des", "du"])
# Words of an author list that are no names; a run of names has this many words at least.
LIST_WORDS = frozenset(["and", "et", "al"])
MIN_NAME_WORDS = 2
# "ue", "oe", "ae" written for "ü", "ö", "ä" (which fold to "u", "o", "a").
_UMLAUT_SPELLING = re.compile(r"([aou])e")
# Signs of a broken deposit: an HTML entity ("d&apos"), or a whole list in one name.
_ENTITY = re.compile(r"&#?\w+;?")
_JAMMED_NAMES = re.compile(r"\s(?:and|&)\s")

# --- venues ------------------------------------------------------------------------------------
# Claimed venues that say "a preprint": citing the preprint of a published work is no error.
PREPRINT_VENUES = frozenset(["arxiv", "biorxiv", "medrxiv", "chemrxiv", "ssrn", "preprint", "corr"])
# Record types that are preprints: they cannot confirm or contradict a claimed venue.
PREPRINT_TYPES = frozenset({"posted-content", "preprint"})

# --- volumes and pages -------------------------------------------------------------------------
_FIRST_PAGE = re.compile(r"[A-Za-z]*\d+[A-Za-z]*")
# "p. 878", "pp878", "pg 12": the word for page, not part of the page number.
_PAGE_WORD = re.compile(r"\b(?:pp?|pg|pages?)\.?\s*(?=\d)", re.IGNORECASE)
_VOLUME_WORD = re.compile(r"^(?:vol(?:ume)?\.?\s*)", re.IGNORECASE)
_PAGE_RANGE = re.compile(r"(?<![\w:])(\d+)(?:\s*[-–—]+\s*(\d+))?(?![\w:])")
# How far a first page or a volume may be from the record's and be a slip (a note, not an
# alarm) are `Thresholds` fields: `page_slip`, `volume_slip_edits`.


class FieldResult(BaseModel):
    """One field's comparison. `score` is a similarity in 0-1 (1 for an exact match).

    `severity` says how much a difference matters to a reader (see `FieldDiff`): a field that
    disagrees is an ALARM unless its rule says the difference leaves the work unmistakable
    (a NOTE: a page one off, a misspelt name); a field that agrees or cannot be compared may
    still carry a NOTE (a year one off, the preprint cited for a published work)."""

    state: State = UNKNOWN
    score: float = 0.0
    note: str = ""
    severity: Severity | None = None

    @model_validator(mode="after")
    def _disagreement_alarms(self) -> FieldResult:
        if self.severity is None and self.state == DISAGREE:
            self.severity = ALARM
        return self


COMPARED = ("title", "authors", "year", "container", "volume", "pages")
# The fields that say which work is cited, and those that only say where in its venue.
IDENTIFYING_FIELDS = ("title", "authors", "year")
LOCATOR_FIELDS = ("volume", "pages")


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

    def alarms(self) -> list[str]:
        """The names of the fields whose difference would mislead a reader."""
        return [name for name, result in self.results().items() if result.severity == ALARM]

    def noted(self) -> list[str]:
        """The names of the fields that differ in a way that leaves the work unmistakable."""
        return [name for name, result in self.results().items() if result.severity == NOTE]

    def compared(self) -> int:
        """How many fields could be compared at all (neither side was empty)."""
        return sum(result.state != UNKNOWN for result in self.results().values())


def compare(
    claimed: Fields,
    found: Fields,
    *,
    truncated: bool = False,
    venue_aliases: Sequence[str] = (),
    thresholds: Thresholds = THRESHOLDS,
) -> Comparison:
    """Compare a claim with a record.

    `truncated` says the claim shortened its author list ("et al.", "and others"); see
    `claims_et_al`. `venue_aliases` are more names for the record's venue, besides its
    `container` and `container_aliases` (a search hit's, see `candidates.Hit`).
    `thresholds` are the bars of every rule (`Config.thresholds`).
    """
    t = thresholds
    venue_names = [found.container or "", *found.container_aliases, *venue_aliases]
    claimed = _no_author_as_venue(_authors_out_of_title(claimed, found, t))
    claimed = _title_tail_out_of_venue(claimed, found, venue_names)
    claimed = _venue_head_out_of_title(claimed, found, venue_names)
    # A "volume" that is the claimed year is the year read twice ("Mach. Learn.; 2021").
    volume = None if claimed.volume == str(claimed.year) else claimed.volume
    release = is_data_record(found)
    results = {
        "title": _release_title(claimed.title, found.title, t)
        if release
        else _title_unless_a_name(claimed, found, t),
        "authors": _release_authors(claimed.authors, found.authors, t)
        if release
        else compare_authors(claimed.authors, found.authors, truncated=truncated, thresholds=t),
        "year": compare_years(claimed.year, found.year, t),
        "container": compare_venues(claimed.container, venue_names, found.type),
        "volume": compare_volumes(volume, found.volume, t),
        "pages": compare_pages(claimed.pages, found.pages, t),
    }
    _locators_of_an_identified_work(results)
    results["year"] = _year_of_a_title(results["year"], claimed, found)
    supporting = sum(result.state == AGREE for result in results.values())
    diffs = [
        _diff(name, claimed, found, result.severity)
        for name, result in results.items()
        if result.severity is not None
    ]
    return Comparison(**results, supporting=supporting, diffs=diffs)


def _release_title(claimed: str | None, found: str | None, t: Thresholds) -> FieldResult:
    """A software or data release cited by its program's name (see `compare/software.py`)."""
    result = compare_titles(claimed, found, t)
    if result.state == DISAGREE and claimed and found and same_program(claimed, found):
        return FieldResult(state=AGREE, score=1.0, note="names the program of this release")
    return result


def _release_authors(
    claimed: Sequence[Author], found: Sequence[Author], t: Thresholds
) -> FieldResult:
    """A release's team against its people, or its first contributors for all of them."""
    if organisation_meets_people(claimed, found):
        return FieldResult(note="an organisation and the people of one release")
    return compare_authors(claimed, found, truncated=True, thresholds=t)


def _authors_out_of_title(claimed: Fields, found: Fields, t: Thresholds) -> Fields:
    """The claim with its last authors taken back out of its title, where its parse read
    them into it: "Sudipta Sengupta, Dan Roth, and Graham Neubig. Neuro-Symbolic Language
    Modeling …" for the record's "Neuro-Symbolic Language Modeling …" and authors. Only
    when every word before the first full stop is a word of the record's authors' names
    and the rest is the record's title; otherwise the claim as it is."""
    head, separator, tail = (claimed.title or "").partition(". ")
    if not separator or not found.title or compare_titles(tail, found.title, t).state != AGREE:
        return claimed
    named = [w for w in words(head) if w not in LIST_WORDS]
    if len(named) < MIN_NAME_WORDS or not set(named) <= _author_words(found.authors):
        return claimed
    listed = {surname_key(a) for a in claimed.authors}
    moved = [
        a
        for a in found.authors
        if surname_key(a) not in listed and surname_key(a) and _author_words([a]) & set(named)
    ]
    kept = list(claimed.authors)
    if kept and moved and _author_words(kept[-1:]) <= set(words(moved[0].given or "")):
        kept.pop()  # the moved author's given names, cut off as a person of their own
    return claimed.model_copy(update={"title": tail, "authors": [*kept, *moved]})


def _title_unless_a_name(claimed: Fields, found: Fields, t: Thresholds) -> FieldResult:
    """`compare_titles`, but unknown when every word of the claimed title is a word of the
    record's authors' names: a parse of a long author list that took a name for the title
    ("Trevor Duke" for PaLM) says nothing about the title."""
    result = compare_titles(claimed.title, found.title, t)
    named = [w for w in words(claimed.title or "") if w not in LIST_WORDS]
    if result.state != DISAGREE or len(named) < MIN_NAME_WORDS:
        return result
    if set(named) <= _author_words(found.authors):
        return FieldResult(note=TITLE_IS_A_NAME)
    return result


def _author_words(authors: Sequence[Author]) -> set[str]:
    """Every folded word of the authors' names."""
    return {w for a in authors for w in words(" ".join(filter(None, (a.given, a.family, a.name))))}


def _title_tail_out_of_venue(claimed: Fields, found: Fields, venue_names: list[str]) -> Fields:
    """The claim with the end of its title taken back out of its venue, where its parse read
    it into it: "Concanavalin A. Cancer Res" for a record titled "…, Concanavalin A" in
    "Cancer Res". Only when the claimed title is the start of the record's and the claimed
    venue opens with the rest of it; or when the parse read the title's last words into both
    ("… Complexity" and "Complexity. In J. Mach. Learn. Res"), and the rest of the venue
    names the record's; otherwise the claim as it is."""
    title, venue = title_key(claimed.title or ""), claimed.container or ""
    theirs = title_key(found.title or "")
    if not title or not venue or not theirs:
        return claimed
    for cut in _TITLE_TAIL.finditer(venue):
        head, rest = title_key(venue[: cut.start()]), venue[cut.end() :].strip()
        if head and theirs == f"{title} {head}":
            return claimed.model_copy(update={"container": rest})
        if (
            head
            and theirs == title
            and theirs.endswith(f" {head}")
            and _names_venue(rest, venue_names)
        ):
            return claimed.model_copy(update={"container": rest})
    return claimed


def _names_venue(claimed: str, venue_names: list[str]) -> bool:
    """Whether the claimed venue names one of the record's venue names."""
    names = [name for name in venue_names if name.strip()]
    return bool(claimed and names) and venue_score(claimed, names) >= 1.0


def _no_author_as_venue(claimed: Fields) -> Fields:
    """The claim without a venue that only repeats its group author's name, as a parse may
    read "American Clinical Neurophysiology Society (2006) Guideline 5: ... J Clin
    Neurophysiol": it claims no venue, so the venue neither confirms nor contradicts."""
    venue = fold(claimed.container or "")
    if venue and any(a.name and fold(a.name) == venue for a in claimed.authors):
        return claimed.model_copy(update={"container": None})
    return claimed


def _venue_head_out_of_title(claimed: Fields, found: Fields, venue_names: list[str]) -> Fields:
    """The claim with the start of its venue taken back out of its title, where its parse
    read the abbreviation's first words into it: "... emergency department. Acad. Emerg"
    and venue "Med" for a record titled "... emergency department" in "Acad. Emerg. Med".
    Only when the title before the cut is the record's and the words after it, with the
    claimed venue, name the record's venue; otherwise the claim as it is."""
    title, venue = claimed.title or "", claimed.container or ""
    if not venue or not found.title or _names_venue(venue, venue_names):
        return claimed
    theirs = title_key(found.title)
    for cut in _TITLE_TAIL.finditer(title):
        head, rest = title[: cut.start()], title[cut.end() :].strip()
        if title_key(head) == theirs and _names_venue(f"{rest}. {venue}", venue_names):
            return claimed.model_copy(update={"title": head, "container": f"{rest}. {venue}"})
    return claimed


def _locators_of_an_identified_work(results: dict[str, FieldResult]) -> None:
    """A volume or pages that differ are a NOTE when the title, the authors and the year
    agree: the reader finds the cited work by those, whatever its locator says."""
    if all(results[name].state == AGREE for name in IDENTIFYING_FIELDS):
        for name in LOCATOR_FIELDS:
            if results[name].severity == ALARM:
                note = f"{results[name].note} (the title, authors and year name the work)"
                results[name] = results[name].model_copy(update={"severity": NOTE, "note": note})


_ET_AL = re.compile(r"\bet\.?\s*al\b|\band\s+others\b|…|\.\s?\.\s?\.", re.IGNORECASE)


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


def _diff(name: str, claimed: Fields, found: Fields, severity: Severity) -> FieldDiff:
    if name == "authors":
        mine = [a.display() for a in claimed.authors]
        theirs = [a.display() for a in found.authors]
        return FieldDiff(
            field=name, claimed=mine, found=theirs, suggestion=theirs, severity=severity
        )
    value = getattr(found, name)
    mine = getattr(claimed, name)
    return FieldDiff(field=name, claimed=mine, found=value, suggestion=value, severity=severity)


# --- titles ------------------------------------------------------------------------------------


def title_key(title: str) -> str:
    """A title folded for comparison: no entities, case, accents, tags, LaTeX or punctuation."""
    return fold(html.unescape(title))


def compare_titles(
    claimed: str | None, found: str | None, thresholds: Thresholds = THRESHOLDS
) -> FieldResult:
    """Agree when the folded titles differ only in markup, spelling or small words, also when
    one is the other's main title without its subtitle. A content word added, dropped or
    changed is a near miss and disagrees: that is how invented titles differ from real ones.
    Titles less related than `thresholds.title_related` are another title."""
    t = thresholds
    if not claimed or not found:
        return FieldResult()
    mine, theirs = title_key(claimed), title_key(found)
    if not mine or not theirs:
        return FieldResult()
    if _same_title(mine, theirs) or _main_title_matches(claimed, found, t):
        return FieldResult(state=AGREE, score=1.0, note="same title")
    if _record_goes_on(mine, found, t) or _same_title(_unbracketed(claimed), _unbracketed(found)):
        return FieldResult(state=AGREE, score=1.0, note=RECORD_TITLE_GOES_ON)
    ratio = fuzz.ratio(mine, theirs)
    changed = _changed_words(mine.split(), theirs.split(), t)
    if not changed:
        return FieldResult(state=AGREE, score=ratio / 100, note="same title up to spelling")
    if _record_lost_words(mine.split(), theirs.split(), t) or _record_cut_short(mine, found, t):
        note = "same title, but the record lacks some words (markup lost in the registry?)"
        return FieldResult(state=AGREE, score=ratio / 100, note=note)
    if (
        (_begins_with(mine.split(), theirs.split()) and _markup_follows(claimed, theirs))
        or _record_fragment(mine.split(), found)
        or _claim_fragment(mine.split(), theirs.split(), t)
    ):
        # Too little of the record's title is left to confirm the claim, and nothing in it
        # contradicts it: other fields must decide (see candidates.acceptable).
        return FieldResult(state=UNKNOWN, score=1.0, note=RECORD_TITLE_CUT)
    related = fuzz.token_set_ratio(mine, theirs)
    if related / 100 < t.title_related:
        return FieldResult(state=DISAGREE, score=ratio / 100, note="another title")
    note = f"a near-miss title (differs in: {', '.join(changed[:MAX_NOTED_WORDS])})"
    return FieldResult(state=DISAGREE, score=max(ratio, related) / 100, note=note)


def _claim_fragment(mine: list[str], theirs: list[str], t: Thresholds) -> bool:
    """The claimed title is a few words that end the record's ("Rendering" of "IBRNet:
    Learning Multi-View Image-Based Rendering"): a parse that cut the title, which neither
    confirms nor contradicts it. A claim of `title_min_words` words or more is a title of
    its own, and so is a short record title's last word ("Harmlessness")."""
    short = 0 < len(mine) < t.title_min_words
    return short and len(theirs) > t.title_min_words and theirs[-len(mine) :] == mine


def _record_goes_on(mine: str, found: str, t: Thresholds) -> bool:
    """The claimed title is the record's up to a comma or a full stop, and keeps most of it:
    the record goes on with a place and year (", Kuwait, 2007"), a study group (". Community
    HIV Prevention Research Collaborative") or a name ("…, Concanavalin A") that the citing
    text, or its parse, left out. A changed word is still a near miss."""
    kept = len(mine.split())
    for cut in _TITLE_TAIL.finditer(found):
        head = title_key(found[: cut.start()]).split()
        if len(head) < t.kept_title_min_words or len(head) > kept:
            continue
        rest = len(title_key(found[cut.start() :]).split())
        if " ".join(head) == mine and rest <= kept:
            return True
    return False


def _unbracketed(title: str) -> str:
    """The folded title without its parenthesised or bracketed parts ("(EOC)", "[letter]"),
    which citations and registries keep or drop."""
    return title_key(_BRACKETED.sub(" ", title))


def _record_fragment(mine: list[str], found: str) -> bool:
    """The record's title is a run of the claimed title's words that shows where the
    registry cut it: it ends with a word no title ends with or inside a word, leaves a
    bracket open, or starts in lower case inside the claim ("bacteremia and review of
    human" of "Desulfovibrio desulfuricans bacteremia and review of human Desulfovibrio
    infections"). Italicised names lost from a deposit leave such fragments."""
    theirs = title_key(found).split()
    size = len(theirs)
    if not theirs or size >= len(mine):
        return False
    plain = _MARKUP.sub(" ", html.unescape(found)).strip()
    for start in range(len(mine) - size + 1):
        window = mine[start : start + size]
        if window[:-1] != theirs[:-1] or not window[-1].startswith(theirs[-1]):
            continue
        cut_inside = window[-1] != theirs[-1]
        lower_start = start > 0 and plain[:1].islower()
        if cut_inside or lower_start or _visibly_cut(plain, theirs):
            return True
    return False


def _visibly_cut(plain: str, theirs: list[str]) -> bool:
    """A title that ends with a dangling word or mark, or leaves a bracket open."""
    return (
        theirs[-1] in DANGLING_WORDS
        or plain[-1:] in CUT_MARKS
        or plain.count("(") > plain.count(")")
        or plain.count("[") > plain.count("]")
    )


def _record_lost_words(mine: list[str], theirs: list[str], t: Thresholds) -> bool:
    """The record's title is the claimed one with a few words missing, nothing changed.

    Registries lose the italicised part of a title (species names, gene symbols) when a
    deposit's markup goes wrong; an invented title changes or swaps words instead."""
    if len(theirs) < t.title_min_words:
        return False
    matcher = SequenceMatcher(a=mine, b=theirs, autojunk=False)
    ops = [op for op in matcher.get_opcodes() if op[0] != "equal"]
    lost = sum(i2 - i1 for _, i1, i2, _, _ in ops)
    return all(op[0] == "delete" for op in ops) and lost <= t.record_lost_words


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


def _record_cut_short(mine: str, found: str, t: Thresholds) -> bool:
    """The record's title stops at a word no title ends with ("… alkaloids in"), and the
    claimed title begins with it: the registry lost the rest (usually italicised words)."""
    theirs = title_key(found).split()
    if len(theirs) < t.title_min_words or theirs[-1] not in DANGLING_WORDS:
        return False
    return mine.split()[: len(theirs)] == theirs


def _same_title(mine: str, theirs: str) -> bool:
    """Equal, or equal but for spaces (hyphenation: "pre-training" / "pretraining")."""
    return mine == theirs or mine.replace(" ", "") == theirs.replace(" ", "")


def _changed_words(mine: list[str], theirs: list[str], t: Thresholds) -> list[str]:
    """The content words that one title has and the other lacks or spells otherwise.

    Differences in small words, numbers and symbols (what LaTeX and MathML renderings leave
    behind), in joined or hyphenated words, and in British/American spelling do not count."""
    changed: list[str] = []
    matcher = SequenceMatcher(a=mine, b=theirs, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        left, right = mine[i1:i2], theirs[j1:j2]
        if _spelling("".join(left)) == _spelling("".join(right)) or _typos(left, right, t):
            continue
        changed += [w for w in (*left, *right) if _is_content_word(w)]
    return changed


def _typos(left: list[str], right: list[str], t: Thresholds) -> bool:
    """Word for word, the same long words but for one slip of a letter inside the word
    ("immunoredistibution"): a typo in the citing text, not another title. A changed ending
    ("Privacys", "Learnings", "Towards") changes the word, and is a near miss."""
    return len(left) == len(right) and all(
        len(a) >= t.title_typo_min_chars
        and a[0] == b[0]
        and a[-t.title_typo_kept_ending :] == b[-t.title_typo_kept_ending :]
        and Levenshtein.distance(a, b) <= t.title_typo_max_edits
        for a, b in zip(left, right, strict=True)
    )


def _is_content_word(word: str) -> bool:
    return len(word) >= MIN_TITLE_WORD and word.isalpha() and word not in TITLE_STOP_WORDS


def _spelling(word: str) -> str:
    """British spellings folded to American ones: "modelling" / "modeling"."""
    for pattern, replacement in SPELLING_VARIANTS:
        word = pattern.sub(replacement, word)
    return word


def _main_title_matches(claimed: str, found: str, t: Thresholds) -> bool:
    """A title cited without its subtitle, or a record that keeps the subtitle elsewhere;
    or cited by its subtitle alone ("Harmlessness from AI Feedback" for "Constitutional AI:
    Harmlessness from AI Feedback"), as a parse that missed the main title reads it."""
    mine, theirs = _main_title(claimed), _main_title(found)
    full_mine, full_theirs = title_key(claimed), title_key(found)
    return (
        bool(theirs and _same_title(full_mine, theirs))
        or bool(mine and _same_title(mine, full_theirs))
        or _same_title(full_mine, _subtitle(found, t))
        # A group author or a series read into the claimed title: "National Consensus
        # Development Panel on …: Effective Medical Treatment of Opiate Addiction", "…
        # Global Aspergillus Study Group. Voriconazole versus amphotericin B …".
        or _same_title(_subtitle(claimed, t), full_theirs)
        or _same_title(_subtitle(claimed, t, ". "), full_theirs)
    )


def _subtitle(title: str, t: Thresholds, separator: str = ":") -> str:
    """The part after the first `separator`, folded; '' if none or if it is short."""
    _, sep, tail = title.partition(separator)
    folded = title_key(tail) if sep else ""
    return folded if len(folded.split()) >= t.title_min_words else ""


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


def same_author(mine: Author, theirs: Author, thresholds: Thresholds = THRESHOLDS) -> bool:
    """Same person by surname; tolerates particles on either side, transliterated umlauts
    ("Mueller" / "Müller"), names written in East Asian order on one side only, and a parse
    that kept the whole name in one part."""
    t = thresholds
    a, b = surname_key(mine), surname_key(theirs)
    if a and (a == b or _UMLAUT_SPELLING.sub(r"\1", a) == _UMLAUT_SPELLING.sub(r"\1", b)):
        return True
    if _swapped_order(mine, theirs) or _initials_for_name(mine, theirs):
        return True
    if _abbreviated_organisation(mine, theirs, t) or _abbreviated_organisation(theirs, mine, t):
        return True
    if same_organisation(mine, theirs):
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


def _abbreviated_organisation(short: Author, full: Author, t: Thresholds) -> bool:
    """An organisation cited by its acronym ("WHO", "CDC") for its name ("World Health
    Organization", "Centers for Disease Control and Prevention"): the acronym's letters
    begin the initials of the name's words (but small words)."""
    acronym = (short.name or short.family or "").strip()
    if short.given or not (full.name and acronym.isalpha() and acronym.isupper()):
        return False
    named = words(full.name.replace("-", ""))  # "Co-operation" is one word
    initials = "".join(w[0] for w in named if w not in ORGANISATION_SMALL_WORDS)
    return len(acronym) >= t.organisation_acronym_min_letters and initials.startswith(
        acronym.lower()
    )


def _initials_for_name(mine: Author, theirs: Author) -> bool:
    """A record that kept a person's initials as the whole name ("JF" for "JF Kraus"):
    they are the claimed author's given initials."""
    kept = _initials_only(theirs)
    given = words(mine.given or "")
    return bool(kept and given) and "".join(w[0] for w in given) == kept.lower()


def _initials_only(author: Author) -> str:
    """The name, when it is only a run of capitals and no given name ("JF"); else ''."""
    written = (author.family or "").replace(".", "").replace(" ", "")
    if author.given or not written.isalpha() or not written.isupper():
        return ""
    return written if len(written) <= MAX_RECORD_INITIALS else ""


def _swapped_order(mine: Author, theirs: Author) -> bool:
    """ "Zhang Wei" read as given Zhang, family Wei, against family Zhang, given Wei; or the
    initials read as the family name ("J" / "Smith" against "Smith" / "John")."""
    if not (mine.family and mine.given and theirs.family and theirs.given):
        return False
    if fold(mine.given) != fold(theirs.family):
        return False
    family, given = words(mine.family), words(theirs.given)
    if all(len(w) <= MAX_INITIAL_CHARS for w in family):
        return "".join(family) == "".join(w[0] for w in given)[: len(family)]
    return family == given


def _name_words(author: Author) -> set[str]:
    """Every folded word of the full name, particles removed, hyphenated parts joined too."""
    full = " ".join(p for p in (author.given, author.family, author.name) if p)
    found = {w for w in words(full) if w not in PARTICLES and len(w) > 1}
    if author.family:
        found.add("".join(words(author.family)))
    return found


def misspelt(mine: Author, theirs: Author, thresholds: Thresholds = THRESHOLDS) -> bool:
    """The same person with a slip in the surname ("Matthew" for "Mathews"): the same first
    letter, at most `name_slip_edits` letters apart in a surname of `name_slip_min_chars` or
    more (one more in a long one), and the same first initial where both give one."""
    t = thresholds
    a, b = surname_key(mine), surname_key(theirs)
    if min(len(a), len(b)) < t.name_slip_min_chars or a[0] != b[0]:
        return False
    allowed = t.name_slip_edits + (min(len(a), len(b)) >= t.name_slip_long_chars)
    if OSA.distance(a, b) > allowed:
        return False
    initials = [words(p)[0][0] for p in (mine.given, theirs.given) if p and words(p)]
    return len(set(initials)) <= 1


def compare_authors(
    claimed: Sequence[Author],
    found: Sequence[Author],
    *,
    truncated: bool = False,
    thresholds: Thresholds = THRESHOLDS,
) -> FieldResult:
    """Agree when the claimed authors are the record's, in order from the first.

    Disagree when the first author differs, when the claim names people the record does not
    (swapped or invented authors), or when it lists only some of the record's authors without
    saying "et al." (a partial list). A thin record (only its first author kept) can confirm
    or contradict only the first author. A list shortened by its style's rule is no partial
    list: the first authors then "et al." (after 3, 6 or 10 names), or APA 7's first 19, an
    ellipsis and the last author. A misspelt name or another order is a NOTE.
    """
    t = thresholds
    if not claimed or not found:
        return FieldResult()
    if any(_malformed(author) for author in found):
        return FieldResult(note="the record's author list is malformed")
    if _cut_name(claimed[0]):
        # "C, Fischer A, …": the text lost the start of its list, and with it the first author.
        return FieldResult(note="the claimed list starts inside a name")
    if len(found) <= t.thin_record_authors < len(claimed) or _record_list_cut(claimed, found, t):
        # The record keeps only its first authors: it can speak for those alone.
        claimed = claimed[: len(found)]
    matched, slips = _match_authors(claimed, found, t)
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
    if missing and not (truncated and _shortened_by_style(matched, len(found))):
        names = ", ".join(a.display() for a in missing)
        return FieldResult(state=DISAGREE, score=score, note=f"authors left out: {names}")
    score = max(score, len(claimed) / len(found))
    notes = []
    if matched != sorted(i for i in matched if i is not None):
        notes.append("in another order")
    if slips:
        spelt = ", ".join(
            f"{found[i].display()} (cited as {claimed[c].display()})" for c, i in slips
        )
        notes.append(f"spelt otherwise: {spelt}")
    if notes:
        return FieldResult(
            state=AGREE, score=score, note="same authors, " + "; ".join(notes), severity=NOTE
        )
    note = "first authors match, the rest shortened" if missing else "same authors"
    return FieldResult(state=AGREE, score=score, note=note)


def _malformed(author: Author) -> bool:
    """A deposit that jammed several people into one name, left HTML entities in a name,
    or put the initials where the family name goes ("R" as a surname). An organisation's
    name may hold "and" ("Centers for Disease Control and Prevention")."""
    person = " ".join(p for p in (author.given, author.family) if p)
    family = words(author.family or "")
    initials_only = bool(family) and all(len(w) <= MAX_INITIAL_CHARS for w in family)
    return (
        initials_only
        or _JAMMED_NAMES.search(person) is not None
        or _ENTITY.search(f"{person} {author.name or ''}") is not None
    )


def _cut_name(author: Author) -> bool:
    """A claimed "author" that is a lone initial ("C"): the end of a name whose start the
    text lost."""
    family = words(author.family or "")
    return not author.given and len(family) == 1 and len(family[0]) <= MAX_INITIAL_CHARS


def _record_list_cut(claimed: Sequence[Author], found: Sequence[Author], t: Thresholds) -> bool:
    """The record's authors are exactly the claim's first ones: a record that stopped early
    (consortium papers list dozens), not a claim that invented the rest."""
    if len(found) >= len(claimed):
        return False
    return all(same_author(c, f, t) for c, f in zip(claimed, found, strict=False))


def _match_authors(
    claimed: Sequence[Author], found: Sequence[Author], t: Thresholds
) -> tuple[list[int | None], list[tuple[int, int]]]:
    """For each claimed author, the index of the record author it is, each used once; and
    the (claimed, record) index pairs matched only as misspellings (see `misspelt`).

    The same position is tried first, so that two co-authors sharing a surname pair up in
    order. Misspellings are tried last, for the authors nothing else matched."""
    used: set[int] = set()
    matched: list[int | None] = []
    for position, author in enumerate(claimed):
        hit = next(
            (i for i in _order(position, found, used) if same_author(author, found[i], t)), None
        )
        if hit is not None:
            used.add(hit)
        matched.append(hit)
    slips: list[tuple[int, int]] = []
    for position, author in enumerate(claimed):
        if matched[position] is not None:
            continue
        hit = next(
            (i for i in _order(position, found, used) if misspelt(author, found[i], t)), None
        )
        if hit is not None:
            used.add(hit)
            matched[position] = hit
            slips.append((position, hit))
    return matched, slips


def _order(position: int, found: Sequence[Author], used: set[int]) -> list[int]:
    """The record authors a claimed one may be, its own position first, unused ones only."""
    order = [position, *range(len(found))] if position < len(found) else range(len(found))
    return [i for i in dict.fromkeys(order) if i not in used]


def _shortened_by_style(matched: Sequence[int | None], listed: int) -> bool:
    """The claimed authors are the record's first ones, as "et al." shortens a list, or the
    first ones and the last, as APA 7 shortens one of more than 20 ("…, S, … Z")."""
    head = list(range(len(matched)))
    return list(matched) == head or (len(matched) > 1 and list(matched) == [*head[:-1], listed - 1])


# --- years -------------------------------------------------------------------------------------
# A year written in a title: "... E. coli strain Nissle 1917 ...".
_TITLE_YEAR = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d)(?!\d)")


def _year_of_a_title(result: FieldResult, claimed: Fields, found: Fields) -> FieldResult:
    """A record year that is a number written in the work's title is no evidence against
    the claimed year: a deposit or an index that took the strain, law or event named in the
    title ("Nissle 1917") for the date gives that year to a work of any other. The difference
    stays a NOTE (an alarm when the check is strict)."""
    if result.state != DISAGREE or found.year is None:
        return result
    titles = f"{claimed.title or ''} {found.title or ''}"
    if str(found.year) not in _TITLE_YEAR.findall(titles):
        return result
    note = f"{result.note} (the record's year is a number in the title: read from it?)"
    return result.model_copy(update={"severity": NOTE, "note": note})


def compare_years(
    claimed: int | None, found: int | None, thresholds: Thresholds = THRESHOLDS
) -> FieldResult:
    """Agree within `thresholds.year_tolerance` (online-first against print year)."""
    if claimed is None or found is None:
        return FieldResult()
    gap = abs(claimed - found)
    if gap == 0:
        return FieldResult(state=AGREE, score=1.0, note="same year")
    if gap <= thresholds.year_tolerance:
        note = f"{found}, one year off (online vs print)"
        return FieldResult(state=AGREE, score=0.5, note=note, severity=NOTE)
    return FieldResult(state=DISAGREE, score=0.0, note=f"published {found}, not {claimed}")


# --- venues ------------------------------------------------------------------------------------


def compare_venues(
    claimed: str | None, found: Sequence[str], found_type: str | None = None
) -> FieldResult:
    """Agree when the claimed venue names any of the record's venue names: written out,
    as an acronym (known, or spelt by the name's initials) or as an ISO-4 abbreviation."""
    names = [name for name in found if name and name.strip()]
    if not claimed or not fold(claimed):
        return FieldResult()
    if is_preprint_venue(claimed):
        if names and found_type not in PREPRINT_TYPES and not is_preprint_venue(names[0]):
            # The preprint of a published work: the reader finds the same work.
            return FieldResult(note=f"cited as a preprint; published in {names[0]}", severity=NOTE)
        return FieldResult(note="cited as a preprint")
    if found_type in PREPRINT_TYPES:
        # The preprint's record cannot know where the work appeared later.
        return FieldResult(note="the record is a preprint's; it does not name a venue")
    if not names:
        return FieldResult()
    best = venue_score(claimed, names)
    if best >= 1.0:
        return FieldResult(state=AGREE, score=1.0, note="same venue")
    return FieldResult(state=DISAGREE, score=best, note=f"published in {names[0]}")


def is_preprint_venue(venue: str) -> bool:
    """Whether a venue names a preprint server (arXiv, bioRxiv, SSRN, CoRR, or just "preprint")."""
    return any(w in PREPRINT_VENUES for w in words(venue))


def is_preprint(fields: Fields) -> bool:
    """Whether a record describes a preprint: it cannot say where the work appeared later."""
    return fields.type in PREPRINT_TYPES or is_preprint_venue(fields.container or "")


def claims_publication(fields: Fields) -> bool:
    """Whether a claim names a venue other than a preprint server."""
    venue = fields.container or ""
    return bool(venue.strip()) and not is_preprint_venue(venue)


# --- volumes and pages -------------------------------------------------------------------------


def compare_volumes(
    claimed: str | None, found: str | None, thresholds: Thresholds = THRESHOLDS
) -> FieldResult:
    """Exact, after dropping "vol." and leading zeros; a slip of `volume_slip_edits`
    characters is a NOTE."""
    mine, theirs = _volume_key(claimed), _volume_key(found)
    if not mine or not theirs:
        return FieldResult()
    if mine == theirs:
        return FieldResult(state=AGREE, score=1.0, note="same volume")
    slip = Levenshtein.distance(mine, theirs) <= thresholds.volume_slip_edits
    note = f"volume {found}, not {claimed}"
    return FieldResult(state=DISAGREE, note=note, severity=NOTE if slip else ALARM)


def _volume_key(volume: str | None) -> str:
    if not volume:
        return ""
    return _VOLUME_WORD.sub("", volume.strip()).lstrip("0").casefold()


def compare_pages(
    claimed: str | None, found: str | None, thresholds: Thresholds = THRESHOLDS
) -> FieldResult:
    """The first pages, exact: ranges are abbreviated differently ("637-41"), starts are not."""
    mine, theirs = first_page(claimed), first_page(found)
    if not mine or not theirs:
        return FieldResult()
    if mine == theirs:
        return FieldResult(state=AGREE, score=1.0, note="same first page")
    if _page_number(mine) == _page_number(theirs) and (mine.isdigit() or theirs.isdigit()):
        # "S1" / "1", "e1234" / "1234": a supplement or article-number prefix one side left out.
        return FieldResult(state=AGREE, score=1.0, note="same first page, but for a prefix")
    note = f"pages {found}, not {claimed}"
    return FieldResult(
        state=DISAGREE,
        note=note,
        severity=NOTE if _page_slip(claimed, found, thresholds) else ALARM,
    )


def _page_slip(claimed: str | None, found: str | None, t: Thresholds) -> bool:
    """The record's first page is within `page_slip` of the claimed one, or inside the claimed
    range ("333-350" for an article starting on 345): a slip, the work stays unmistakable."""
    mine, theirs = page_range(claimed), page_range(found)
    if mine is None or theirs is None:
        return False
    first, last = mine
    return abs(first - theirs[0]) <= t.page_slip or first <= theirs[0] <= last


def page_range(pages: str | None) -> tuple[int, int] | None:
    """The first and last page numbers of a range of plain numbers, the last written out
    ("637-41" -> (637, 641)); None when the pages are not plain numbers."""
    found = _PAGE_RANGE.search(_PAGE_WORD.sub("", pages or ""))
    if found is None:
        return None
    first, last = found.group(1), found.group(2) or found.group(1)
    if len(last) < len(first):
        last = first[: len(first) - len(last)] + last
    return int(first), max(int(first), int(last))


def _page_number(page: str) -> str:
    return "".join(ch for ch in page if ch.isdigit()).lstrip("0")


def first_page(pages: str | None) -> str:
    """The first page of a range, folded: "e1234-e1240" -> "e1234"; "" when there is none."""
    found = _FIRST_PAGE.search(_PAGE_WORD.sub("", pages or ""))
    return found.group(0).lstrip("0").casefold() if found else ""
