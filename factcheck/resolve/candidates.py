"""Search hits validated against the claim: shared by every source that searches for references.

A search engine always returns something, and the top hit for an invented reference is some
real work. A hit is therefore only taken for the cited work when `compare.fields` finds that
its fields confirm the claim (see `acceptable`). Each searching source (Crossref, OpenAlex,
DBLP, arXiv, a local library) maps its hits to Records and hands them here; this module
knows no API.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..compare.fields import (
    AGREE,
    PREPRINT_TYPES,
    UNKNOWN,
    Comparison,
    compare,
    is_preprint_venue,
    shortened,
)
from ..lookup import Lookup
from ..model import Citation, Fields, Record
from ..thresholds import THRESHOLDS, Thresholds

# How many fields must agree for a hit to be the cited work, and how related its title must
# be, are `Thresholds` fields: `min_supporting`, `min_supporting_cut_title`, `title_related`.
# Longest title query sent to a search API: a title is rarely over 200 characters, and the
# URL must stay well under the APIs' limits.
MAX_TITLE_QUERY_CHARS = 300
_NON_WORD = re.compile(r"[^\w]+")


@dataclass(frozen=True)
class Hit:
    """One search result as a Record, with other names its source gives for the venue."""

    record: Record
    venue_aliases: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Candidate:
    """One search hit and how it compares with the claim."""

    record: Record
    comparison: Comparison


def title_words(title: str | None) -> str:
    """A title as a search query: its words without punctuation, which the APIs' query
    syntaxes would read (quotes, colons, pipes), cut at MAX_TITLE_QUERY_CHARS."""
    return " ".join(_NON_WORD.sub(" ", title or "").split())[:MAX_TITLE_QUERY_CHARS].strip()


NOT_SEARCHED = "not searched: no title could be read from the entry, so no hit could be confirmed"


def not_searched(source: str) -> Lookup:
    """The answer for an entry without a title: nothing could show that a hit is the cited
    work, so no request is spent on it, and its silence proves nothing."""
    return Lookup.missing(source, NOT_SEARCHED, authoritative=False)


def decide(
    source: str,
    label: str,
    citation: Citation,
    hits: list[Hit],
    total: int,
    covered: bool,
    thresholds: Thresholds = THRESHOLDS,
) -> Lookup:
    """A searching source's answer: every acceptable hit, best first (a preprint and its
    published version may both be acceptable; the judge may need the second), or a miss
    naming the closest one. `total` is how many hits the source returned; `covered`
    whether its silence on this claim is evidence (the source's own `covers`); `thresholds`
    the bars of the comparison and of acceptance (the source's `config.thresholds`)."""
    candidates = rank(citation, hits, thresholds)
    records = accepted(candidates, thresholds)
    if records:
        return Lookup.found(source, *records)
    return Lookup.missing(source, rejection(label, candidates, total), authoritative=covered)


def rank(
    citation: Citation, hits: Iterable[Hit], thresholds: Thresholds = THRESHOLDS
) -> list[Candidate]:
    """The hits compared with the claim, best first: most supporting fields, then the most
    similar title, then the source's own order."""
    truncated = shortened(citation.raw, citation.fields)
    records = [with_aliases(hit) for hit in hits]
    candidates = [
        Candidate(
            record,
            compare(citation.fields, record.fields, truncated=truncated, thresholds=thresholds),
        )
        for record in records
    ]
    return sorted(
        candidates,
        key=lambda c: (c.comparison.supporting, c.comparison.title.score),
        reverse=True,
    )


def acceptable(comparison: Comparison, thresholds: Thresholds = THRESHOLDS) -> bool:
    """Whether a hit is the cited work: a title at least related to the claimed one
    (`title_related`), and `min_supporting` independent fields that agree (fewer when the
    claim has fewer fields).

    A hit whose title is only a near miss is still accepted when enough other fields agree,
    so that the judge can report the misquoted title; likewise swapped authors under the
    right title and year."""
    t, title = thresholds, comparison.title
    if title.state == AGREE:
        return comparison.supporting >= min(t.min_supporting, comparison.compared())
    if title.score < t.title_related:
        return False
    if title.state == UNKNOWN:  # the record's title is cut short (fields.RECORD_TITLE_CUT)
        return comparison.supporting >= t.min_supporting_cut_title
    return comparison.supporting >= min(t.min_supporting, comparison.compared())


def accepted(candidates: list[Candidate], thresholds: Thresholds = THRESHOLDS) -> list[Record]:
    """The records of the acceptable candidates of a ranked list, in its order."""
    return [c.record for c in candidates if acceptable(c.comparison, thresholds)]


def with_aliases(hit: Hit) -> Record:
    """The hit's record, holding the venue's other names the hit came with, so that the
    judge compares the claimed venue with all of them, as `rank` did."""
    fields = hit.record.fields
    aliases = [a for a in hit.venue_aliases if a not in fields.container_aliases]
    if not aliases:
        return hit.record
    update = {"container_aliases": [*fields.container_aliases, *aliases]}
    return hit.record.model_copy(update={"fields": fields.model_copy(update=update)})


def rejection(source: str, candidates: list[Candidate], hits: int) -> str:
    """Why no hit was accepted, naming the closest one and what it lacked."""
    if not hits:
        return f"{source}'s search found no work like this reference"
    if not candidates:
        return f"{source}'s search found {hits} work(s), none close enough to this reference"
    closest = candidates[0]
    title = closest.record.fields.title or "(untitled)"
    ident = closest.record.id or "no identifier"
    problems = [
        f"{name}: {result.note}"
        for name, result in closest.comparison.results().items()
        if result.state == "disagree"
    ]
    why = "; ".join(problems) or "too few fields to confirm it"
    return f"the closest hit in {source}, “{title}” ({ident}), was rejected: {why}"


def indexed_claim(fields: Fields, types: frozenset[str], *, bare: bool = False) -> bool:
    """Whether a claim is a work of one of the `types` a source indexes, told as precisely as
    its record would be (a title and a year), and not placed on a preprint server. A source
    says which types it holds nearly all of; its silence on such a claim is evidence.

    The venue is not required: a BibTeX `@inproceedings` without `booktitle` still claims
    a conference paper. Free text without a venue gets no type from the parser, unless its
    volume and pages make it a journal article. `bare` sources (the general scholarly
    indexes) also cover a bare claim: authors, title and year and nothing else, no venue,
    publisher, link or identifier to say it is a book, a report or a web page."""
    if not fields.title or not fields.year or is_preprint_venue(fields.container or ""):
        return False
    return fields.type in types or (bare and _bare(fields))


# Claimed types that a general scholarly index (OpenAlex, Semantic Scholar) holds nearly all of.
GENERAL_INDEX_TYPES = frozenset({"article-journal", "paper-conference", *PREPRINT_TYPES})


def general_index_covers(fields: Fields) -> bool:
    """Whether a general scholarly index's silence on this claim is evidence: a journal
    article, a conference paper or a bare claim (see `indexed_claim`), or a preprint with
    its title and year. Such an index gathers Crossref, DataCite, arXiv, PubMed and the
    repositories, so it lacks none of these; books, reports, theses and web pages it may."""
    if is_preprint_venue(fields.container or ""):
        return bool(fields.title and fields.year)
    return indexed_claim(fields, GENERAL_INDEX_TYPES, bare=True)


def _bare(fields: Fields) -> bool:
    return (
        fields.type is None
        and bool(fields.authors)
        and not (fields.container or fields.publisher or fields.url or fields.identifier())
    )
