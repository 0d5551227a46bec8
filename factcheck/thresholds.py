"""`Thresholds`: every bar that decides whether a claim and a record say the same, in one place.

The comparison of a claim with a record (`compare.fields`), the acceptance of a search hit
(`resolve.candidates`) and the judge (`judge.verdicts`) all read their bars from one
`Thresholds`, which travels in `Config.thresholds` to every Checker, its sources and its
judge. So another set of bars is another Checker, never an edited module:
`Checker(thresholds=Thresholds(title_related=0.75))`, or `FACTCHECK_THRESHOLDS` as a JSON
object of the fields to change (what `benchmarks/bench_quality.py --threshold` sets).

One scale: similarities are shares in 0-1 (rapidfuzz's 0-100 scores are divided by 100
before they meet a bar); the others count what they name (letters, words, edits, fields,
years, pages). Each default was set on the kit's dev splits and HALLMARK's dev rows; the
comment on each field says what it separates.

Not here, because they define a thing rather than set a bar, and a change would make the
search and the comparison read text differently: what a content word of a title is
(`compare.fields.MIN_TITLE_WORD`, shared with the library's search queries), of the words
around an identifier (`judge.verdicts.MIN_CONTENT_WORD`), what an initial is. The venue rules
(`compare.venues`) keep their own constants: they recognise forms of a name, and their
answers are remembered per name. Confidences (`judge.verdicts.CONF_*`) are outputs of the
judge, not bars.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


def _share(default: float) -> Any:
    """A similarity bar: a share in 0-1."""
    return Field(default=default, ge=0.0, le=1.0)


def _count(default: int) -> Any:
    """A bar that counts (letters, words, edits, fields, years, pages): 0 or more."""
    return Field(default=default, ge=0)


class Thresholds(BaseModel):
    """The bars of the comparison, the acceptance of search hits and the judge (frozen).

    Build another with the fields to change, `Thresholds(title_related=0.75)`; the rest keep
    the defaults documented here and on the comparison rules page."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # --- titles --------------------------------------------------------------------------------
    # Below this token-set similarity, two titles are about different things: the record is
    # another work, not the cited one with a misquoted title. The same bar keeps a search hit
    # with another title from confirming a claim however many other fields agree
    # (`candidates.acceptable`), and makes a record found by an entry's identifier "another
    # work" (`verdicts.another_work`). Near-miss titles (a word changed) score above it.
    title_related: float = _share(0.7)
    # A word this long that differs from the record's by at most `title_typo_max_edits`
    # letters inside the word (same first letter, same last `title_typo_kept_ending`) is a
    # typo of the citing text ("immunoredistibution"); a changed ending is a changed word.
    title_typo_min_chars: int = _count(7)
    title_typo_max_edits: int = _count(1)
    title_typo_kept_ending: int = _count(3)
    # A record title that lacks at most this many of the claim's words, and differs in
    # nothing else, lost them to markup (italicised species or gene names).
    record_lost_words: int = _count(3)
    # A title of this many words at least is a title of its own: shorter record titles are
    # not read as cut or missing words, shorter claims may be a parse's fragment, shorter
    # subtitles are not matched alone.
    title_min_words: int = _count(4)
    # A record title the claim keeps up to a comma or full stop keeps this many words at
    # least ("..., Kuwait, 2007" left out by the citing text).
    kept_title_min_words: int = _count(3)

    # --- the title in the text around an identifier (a DOI or arXiv id in prose) ---------------
    # The record's title appears in the surrounding text this well: confirmed.
    context_title_confirmed: float = _share(0.9)
    # Below this, with no author of the record named either, the text describes another work.
    context_title_contradicted: float = _share(0.6)
    # This share of the record title's content words in the text also confirms it.
    context_title_words: float = _share(0.8)
    # The text must hold this many content words to be read as a claimed title at all.
    context_min_words: int = _count(4)

    # --- authors -------------------------------------------------------------------------------
    # A record with this many authors or fewer, against a longer claim, is thin (a registry
    # that kept only the first author): it confirms that author and cannot contradict the rest.
    thin_record_authors: int = _count(1)
    # A surname this long that differs from the record's by `name_slip_edits` letters (one
    # more from `name_slip_long_chars` letters) is misspelt, a note: "Matthew" for "Mathews".
    name_slip_min_chars: int = _count(5)
    name_slip_long_chars: int = _count(7)
    name_slip_edits: int = _count(1)
    # An organisation cited by its acronym ("WHO") has this many letters at least.
    organisation_acronym_min_letters: int = _count(2)

    # --- years, volumes, pages -----------------------------------------------------------------
    # Years this far apart agree, with a note: online-first and print years, the arXiv year
    # of a conference paper.
    year_tolerance: int = _count(1)
    # A first page this far from the record's is a slip (a note, not an alarm).
    page_slip: int = _count(1)
    # A volume this many characters from the record's is a slip ("18" for "28").
    volume_slip_edits: int = _count(1)

    # --- accepting a search hit, confirming an entry -------------------------------------------
    # A hit is the cited work when this many independent fields agree (the title and at least
    # one of authors, year, venue, volume, pages), or every field both sides have, if fewer.
    min_supporting: int = _count(2)
    # A hit whose title the registry cut to its first words needs this many other fields.
    min_supporting_cut_title: int = _count(4)
    # An entry agreeing with its record on this many fields is confirmed (confidence
    # `CONF_CONFIRMED`); fewer is "exists, little else claimed" (`CONF_EXISTS`).
    entry_confirming_fields: int = _count(3)


# The defaults: what every Checker uses unless its Config says otherwise.
THRESHOLDS = Thresholds()
