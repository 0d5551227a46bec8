"""An entry whose identifier belongs to another work: the judge flags it, the Checker searches
for the work it describes, and the verdict names that work, or calls the entry likely
fabricated, never the claim merged with the other work."""

from __future__ import annotations

import pytest

from factcheck.flags import CITED_WORK_NOT_FOUND, WRONG_IDENTIFIER
from factcheck.judge.verdicts import judge, needs_meant_work
from factcheck.model import Author, Citation, Fields, Kind, Record, Status
from factcheck.resolve.base import Lookup

WRONG_DOI = "10.1038/srep16696"
RIGHT_DOI = "10.1038/s41593-019-0001-1"
CLAIM = Fields(
    title="Deep priors for sparse recovery of cortical signals",
    authors=[Author(family="Smith", given="J."), Author(family="Lee", given="K.")],
    year=2019,
    container="Nature Neuroscience",
    volume="22",
    pages="1-30",
    doi=WRONG_DOI,
    type="article-journal",
)
OTHER = Record(
    source="crossref",
    id=WRONG_DOI,
    fields=Fields(
        title="Single-molecule FRET studies on alpha-synuclein oligomerization",
        authors=[Author(family="Tosatto", given="Laura"), Author(family="Horrocks", given="M.")],
        year=2015,
        container="Scientific Reports",
        volume="5",
        doi=WRONG_DOI,
    ),
)
MEANT = Record(
    source="crossref",
    id=RIGHT_DOI,
    fields=Fields(
        title="Deep priors for sparse recovery of cortical signals",
        authors=[Author(family="Smith", given="Jane"), Author(family="Lee", given="Kwan")],
        year=2019,
        container="Nature Neuroscience",
        volume="23",
        pages="1-30",
        doi=RIGHT_DOI,
    ),
)
RAW = (
    "Smith, J., & Lee, K. (2019). Deep priors for sparse recovery of cortical signals. "
    f"*Nature Neuroscience*, 22, 1-30. doi:{WRONG_DOI}"
)
FOUND_OTHER = [Lookup.found("crossref", OTHER)]
MISS = Lookup.missing("crossref", "Crossref's search found no work like this", authoritative=True)


def entry(fields: Fields = CLAIM, raw: str = RAW) -> Citation:
    return Citation(kind=Kind.REFERENCE, raw=raw, start=0, end=len(raw), fields=fields)


def test_an_identifier_of_another_work_is_flagged_and_needs_a_search() -> None:
    verdict = judge(entry(), FOUND_OTHER)
    assert verdict.status is Status.MISMATCH
    assert WRONG_IDENTIFIER in verdict.flags
    assert needs_meant_work(entry(), FOUND_OTHER)


@pytest.mark.parametrize(
    "update",
    [
        {"year": 2012},  # the right work, a year off
        {"authors": [Author(family="Smith", given="J."), Author(family="Invented", given="I.")]},
        {"title": "Deep priors for sparse recovery of cortical signal"},  # a near-miss title
        {"container": "Nature Methods"},
    ],
)
def test_a_near_miss_of_the_identifiers_work_is_corrected_not_searched(
    update: dict[str, object],
) -> None:
    claim = CLAIM.model_copy(update={**update, "doi": RIGHT_DOI})
    found = [Lookup.found("crossref", MEANT)]
    verdict = judge(entry(claim), found)
    assert verdict.status is Status.MISMATCH
    assert WRONG_IDENTIFIER not in verdict.flags
    assert not needs_meant_work(entry(claim), found)


def test_no_search_without_a_record_or_for_an_identifier_alone() -> None:
    missing = [Lookup.missing("doi", "no such DOI", authoritative=True)]
    assert not needs_meant_work(entry(), missing)
    bare = Citation(kind=Kind.DOI, raw=WRONG_DOI, start=0, end=17, fields=Fields(doi=WRONG_DOI))
    assert not needs_meant_work(bare, FOUND_OTHER)


def test_the_work_found_by_search_is_the_record_with_the_right_doi() -> None:
    verdict = judge(entry(), FOUND_OTHER, meant=[Lookup.found("crossref", MEANT)])
    assert verdict.status is Status.MISMATCH
    assert verdict.record == MEANT
    assert WRONG_IDENTIFIER in verdict.flags and CITED_WORK_NOT_FOUND not in verdict.flags
    assert RIGHT_DOI in verdict.reason and "Single-molecule" in verdict.reason
    doi, *rest = verdict.diffs
    assert (doi.field, doi.claimed, doi.found) == ("doi", WRONG_DOI, RIGHT_DOI)
    assert [(d.field, d.claimed, d.found) for d in rest] == [("volume", "22", "23")]


def test_no_source_holding_the_work_makes_it_likely_fabricated() -> None:
    verdict = judge(entry(), FOUND_OTHER, meant=[MISS])
    assert verdict.status is Status.MISMATCH
    assert {WRONG_IDENTIFIER, CITED_WORK_NOT_FOUND} <= set(verdict.flags)
    assert "likely fabricated" in verdict.reason
    assert verdict.record == OTHER  # what the identifier is, for the reader


@pytest.mark.parametrize(
    "meant",
    [
        [Lookup.failed("crossref", "Crossref answered HTTP 503")],
        [MISS, Lookup.failed("openalex", "timeout")],
        [Lookup.missing("crossref", "no hit", authoritative=False)],  # not a source's kind
        [],
    ],
)
def test_a_search_that_could_not_decide_leaves_the_identifier_flagged(
    meant: list[Lookup],
) -> None:
    verdict = judge(entry(), FOUND_OTHER, meant=meant)
    assert WRONG_IDENTIFIER in verdict.flags and CITED_WORK_NOT_FOUND not in verdict.flags
    assert verdict.record == OTHER


def test_an_unknown_title_under_the_records_own_authors_is_not_called_fabricated() -> None:
    claim = CLAIM.model_copy(update={"authors": OTHER.fields.authors, "year": 2015})
    verdict = judge(entry(claim), FOUND_OTHER, meant=[MISS])
    assert WRONG_IDENTIFIER in verdict.flags and CITED_WORK_NOT_FOUND not in verdict.flags


def test_a_search_finding_the_identifiers_own_work_keeps_the_verdict() -> None:
    alone = judge(entry(), FOUND_OTHER)
    again = judge(entry(), FOUND_OTHER, meant=[Lookup.found("crossref", OTHER)])
    assert again == alone
