"""Which search hits are taken for the cited work (resolve/candidates.py)."""

from __future__ import annotations

from factcheck.model import Author, Citation, Fields, Record
from factcheck.resolve.candidates import Hit, accepted, indexed_claim, rank

CLAIM = Fields(
    title="Unexpected 13C-enrichment of organic components from wheat crop soils",
    authors=[Author(family="Lichtfouse", given="E"), Author(family="Dou", given="S")],
    year=1995,
    container="Org Geochem",
    volume="23",
    pages="865-868",
    type="article-journal",
)
RAW = "Lichtfouse E, Dou S (1995) Unexpected 13C-enrichment … soils. Org Geochem 23:865-868"


def entry(fields: Fields = CLAIM) -> Citation:
    return Citation(kind="reference", raw=RAW, start=0, end=len(RAW), fields=fields)


def hit(**update: object) -> Hit:
    record = CLAIM.model_copy(update={"title": "Unexpected", **update})
    return Hit(Record(source="crossref", id="10.1016/x", fields=record))


def test_a_record_with_a_cut_title_needs_four_other_fields() -> None:
    # First author, year, venue, volume and pages agree: the same work.
    assert accepted(rank(entry(), [hit(authors=[Author(family="Lichtfouse", given="E")])]))
    # With only the year and journal left, a cut title proves nothing.
    thin = hit(authors=[], volume=None, pages=None)
    assert accepted(rank(entry(), [thin])) == []


def test_an_agreeing_title_is_taken_however_different_its_length() -> None:
    species = "Species diversity and antimicrobial resistance of"
    claim = CLAIM.model_copy(update={"title": species + " Shigella species in Kolkata"})
    record = Record(
        source="crossref", id="10.1017/y", fields=claim.model_copy(update={"title": species})
    )
    assert accepted(rank(entry(claim), [Hit(record)])) == [record]


def test_indexed_claims_need_a_type_a_title_and_a_year() -> None:
    journal = frozenset({"article-journal"})
    assert indexed_claim(CLAIM, journal)
    assert indexed_claim(CLAIM.model_copy(update={"container": None}), journal)
    for update in ({"type": "book"}, {"year": None}, {"title": None}, {"container": "bioRxiv"}):
        assert not indexed_claim(CLAIM.model_copy(update=update), journal)


def test_general_indexes_cover_a_bare_claim_of_authors_title_and_year() -> None:
    bare = Fields(title="Agree to disagree", authors=CLAIM.authors, year=2021)
    journal = frozenset({"article-journal"})
    assert not indexed_claim(bare, journal)
    assert indexed_claim(bare, journal, bare=True)
    # A publisher, a link or no authors say it may be a book, a web page, anything.
    for update in ({"publisher": "MIT Press"}, {"url": "https://x.org"}, {"authors": []}):
        assert not indexed_claim(bare.model_copy(update=update), journal, bare=True)
