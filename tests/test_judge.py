from datetime import date

import pytest

from factcheck.flags import COVERAGE_INCOMPLETE, NOT_INDEXED, NOTED
from factcheck.judge.verdicts import (
    CONF_BARE_MISS,
    CONF_CONFIRMED,
    CONF_EXISTS,
    CONF_SEARCH_MISS,
    CONF_TITLE_UNSURE,
    CONF_UNPUBLISHED,
    judge,
    needs_published_version,
)
from factcheck.model import Author, Citation, Fields, Kind, Record, Status
from factcheck.resolve.base import Lookup

DOI = "10.1371/journal.pone.0033693"
TITLE = (
    "Methylphenidate Exposure Induces Dopamine Neuron Loss and Activation of Microglia "
    "in the Basal Ganglia of Mice"
)
RECORD = Record(
    source="crossref",
    id=DOI,
    fields=Fields(
        title=TITLE, authors=[Author(family="Oakes", given="Heather V.")], year=2012, doi=DOI
    ),
)


def doi_citation(context: str | None = None, doi: str = DOI) -> Citation:
    return Citation(
        kind=Kind.DOI, raw=doi, start=0, end=len(doi), fields=Fields(doi=doi), context=context
    )


def test_identifier_alone_is_verified_when_it_exists() -> None:
    verdict = judge(doi_citation(), [Lookup.found("crossref", RECORD)])
    assert verdict.status is Status.VERIFIED
    assert verdict.confidence == CONF_EXISTS
    assert verdict.record == RECORD
    assert verdict.source == "crossref"


def test_matching_title_next_to_the_doi_is_confirmed() -> None:
    context = (
        "Oakes, H. V. et al. (2012). Methylphenidate exposure induces dopamine neuron "
        "loss and activation of microglia in the basal ganglia of mice. PLoS ONE."
    )
    verdict = judge(doi_citation(context), [Lookup.found("crossref", RECORD)])
    assert verdict.status is Status.VERIFIED
    assert verdict.confidence == CONF_CONFIRMED


def test_real_doi_under_another_title_is_a_mismatch() -> None:
    context = "Smith, J. & Lee, K. (2019). Deep priors for sparse recovery. Nature, 22, 1-30."
    verdict = judge(doi_citation(context), [Lookup.found("crossref", RECORD)])
    assert verdict.status is Status.MISMATCH
    [diff] = verdict.diffs
    assert diff.field == "title"
    assert diff.claimed == "Deep priors for sparse recovery"
    assert diff.found == TITLE
    assert TITLE in verdict.reason


def test_wrong_title_but_right_author_is_not_called_a_mismatch() -> None:
    context = "Oakes, H. (2012). Stimulant drugs and the brain of the mouse. PLoS ONE."
    verdict = judge(doi_citation(context), [Lookup.found("crossref", RECORD)])
    assert verdict.status is Status.VERIFIED
    assert verdict.confidence == CONF_TITLE_UNSURE


def test_a_sentence_mentioning_a_doi_claims_no_title() -> None:
    context = "The raw data for the figures above are available under"
    verdict = judge(doi_citation(context), [Lookup.found("crossref", RECORD)])
    assert verdict.status is Status.VERIFIED
    assert verdict.confidence == CONF_EXISTS


def test_authoritative_miss_is_not_found() -> None:
    lookups = [
        Lookup.missing("crossref", "crossref: no record", authoritative=False),
        Lookup.missing("doi", "doi.org: DOI not registered", authoritative=True),
    ]
    verdict = judge(doi_citation(), lookups)
    assert verdict.status is Status.NOT_FOUND
    assert verdict.source == "doi"
    assert verdict.reason == "doi.org: DOI not registered"


def test_crossref_404_alone_is_unverifiable() -> None:
    verdict = judge(doi_citation(), [Lookup.missing("crossref", "", authoritative=False)])
    assert verdict.status is Status.UNVERIFIABLE
    assert COVERAGE_INCOMPLETE in verdict.flags


def test_failures_are_unverifiable_with_their_reasons() -> None:
    lookups = [
        Lookup.failed("crossref", "crossref timed out after 20s"),
        Lookup.failed("doi", "doi answered HTTP 503"),
    ]
    verdict = judge(doi_citation(), lookups)
    assert verdict.status is Status.UNVERIFIABLE
    assert "timed out" in verdict.reason and "503" in verdict.reason
    assert verdict.confidence == 0.0


def test_a_failure_beside_a_non_authoritative_miss_is_still_unverifiable() -> None:
    lookups = [
        Lookup.missing("crossref", "", authoritative=False),
        Lookup.failed("doi", "doi could not be reached"),
    ]
    assert judge(doi_citation(), lookups).status is Status.UNVERIFIABLE


def test_no_source_for_the_kind() -> None:
    verdict = judge(doi_citation(), [])
    assert verdict.status is Status.UNVERIFIABLE
    assert "no configured source" in verdict.reason


def test_url_verdict_mentions_redirects() -> None:
    url = "http://example.org/a"
    record = Record(
        source="url",
        id=url,
        url="https://example.org/b",
        flags=["redirected"],
        http={
            "status": 200,
            "final_url": "https://example.org/b",
            "redirects": ["https://example.org/b"],
        },
    )
    citation = Citation(kind=Kind.URL, raw=url, start=0, end=len(url), fields=Fields(url=url))
    verdict = judge(citation, [Lookup.found("url", record)])
    assert verdict.status is Status.VERIFIED
    assert "1 redirect" in verdict.reason and "https://example.org/b" in verdict.reason
    assert verdict.flags == ["redirected"]


def test_missing_arxiv_version_is_a_mismatch() -> None:
    record = Record(
        source="arxiv",
        id="2101.00001",
        flags=["version_not_found"],
        fields=Fields(title="T", arxiv="2101.00001v2"),
    )
    citation = Citation(
        kind=Kind.ARXIV,
        raw="arXiv:2101.00001v9",
        start=0,
        end=18,
        fields=Fields(arxiv="2101.00001v9"),
    )
    verdict = judge(citation, [Lookup.found("arxiv", record)])
    assert verdict.status is Status.MISMATCH
    assert verdict.diffs[0].field == "arxiv"
    assert verdict.diffs[0].found == "2101.00001v2"


def test_retraction_is_flagged_and_said() -> None:
    record = RECORD.model_copy(update={"flags": ["retracted"]})
    verdict = judge(doi_citation(), [Lookup.found("crossref", record)])
    assert "retracted" in verdict.flags
    assert "retracted" in verdict.reason


def test_soft_404_page_is_not_found_with_less_confidence() -> None:
    url = "https://example.org/made-up"
    record = Record(
        source="url",
        id=url,
        url=url,
        flags=["soft_404"],
        http={"status": 200, "final_url": url, "title": "Page not found"},
    )
    citation = Citation(kind=Kind.URL, raw=url, start=0, end=len(url), fields=Fields(url=url))
    verdict = judge(citation, [Lookup.found("url", record)])
    assert verdict.status is Status.NOT_FOUND
    assert verdict.confidence < CONF_CONFIRMED
    assert "Page not found" in verdict.reason


def test_a_search_miss_is_not_found_with_modest_confidence() -> None:
    raw = "Zhang, W. (2021). Graph attention for protein folding. J. Imag. Chem., 3, 1-9."
    fields = Fields(
        title="Graph attention for protein folding",
        authors=[Author(family="Zhang", given="W.")],
        year=2021,
        container="J. Imag. Chem.",
        type="article-journal",
    )
    entry = Citation(kind=Kind.REFERENCE, raw=raw, start=0, end=len(raw), fields=fields)
    miss = Lookup.missing("crossref", "no hit confirms the entry", authoritative=True)
    verdict = judge(entry, [miss])
    assert verdict.status is Status.NOT_FOUND
    assert verdict.confidence == CONF_SEARCH_MISS
    assert verdict.flags == [NOT_INDEXED]
    with_doi = entry.model_copy(update={"fields": fields.model_copy(update={"doi": "10.1/x"})})
    assert judge(with_doi, [miss]).confidence > CONF_SEARCH_MISS
    assert NOT_INDEXED not in judge(with_doi, [miss]).flags


@pytest.mark.parametrize(
    ("authors", "container"),
    [
        ([Author(family="Zhang", given="W.")], None),
        ([], "NeurIPS"),
        ([Author(family="et al.")], "NeurIPS"),
        ([Author(family="Author", given="A")], None),
    ],
    ids=["no-venue", "no-authors", "et-al-alone", "placeholder"],
)
def test_a_thin_claim_missed_by_every_index_is_not_found_with_less_confidence(
    authors: list[Author], container: str | None
) -> None:
    fields = Fields(
        title="Graph attention for protein folding", authors=authors, year=2021, container=container
    )
    raw = "Graph attention for protein folding. 2021."
    entry = Citation(kind=Kind.REFERENCE, raw=raw, start=0, end=len(raw), fields=fields)
    misses = [
        Lookup.missing("crossref", "Crossref's search found no work like this", authoritative=True),
        Lookup.missing("openalex", "OpenAlex's search found no work like this", authoritative=True),
    ]
    verdict = judge(entry, misses)
    assert verdict.status is Status.NOT_FOUND
    assert verdict.confidence == CONF_BARE_MISS < CONF_SEARCH_MISS
    assert NOT_INDEXED in verdict.flags
    assert "crossref, openalex" in verdict.reason
    failed = judge(entry, [misses[0], Lookup.failed("openalex", "openalex timed out")])
    assert failed.status is Status.UNVERIFIABLE


def test_a_search_miss_is_not_found_only_when_no_other_search_failed() -> None:
    raw = "Zhang, W. (2021). Graph attention for protein folding. In Proc. ICML, 1-9."
    fields = Fields(title="Graph attention for protein folding", year=2021, type="paper-conference")
    entry = Citation(kind=Kind.REFERENCE, raw=raw, start=0, end=len(raw), fields=fields)
    crossref = Lookup.missing("crossref", "no hit confirms the entry", authoritative=True)
    arxiv_miss = Lookup.missing("arxiv", "no hit", authoritative=False)
    assert judge(entry, [crossref, arxiv_miss]).status is Status.NOT_FOUND
    # arXiv might have held it: nothing is proven.
    verdict = judge(entry, [crossref, Lookup.failed("arxiv", "arXiv timed out")])
    assert verdict.status is Status.UNVERIFIABLE
    assert "arXiv timed out" in verdict.reason


def test_signs_of_invention_are_flagged_whatever_the_sources_say() -> None:
    fields = Fields(
        title="T",
        year=2031,
        authors=[Author(family="Doe", given="J."), Author(family="Lee", given="K.")],
    )
    entry = Citation(kind=Kind.REFERENCE, raw="Doe, J. (2031). T.", start=0, end=18, fields=fields)
    verdict = judge(entry, [], today=date(2026, 11, 27))
    assert verdict.status is Status.UNVERIFIABLE
    assert {"future_date", "placeholder_authors"} <= set(verdict.flags)
    real = entry.model_copy(
        update={"fields": Fields(title="T", year=2026, authors=[Author(family="Lee")])}
    )
    assert not {"future_date", "placeholder_authors"} & set(
        judge(real, [], today=date(2026, 11, 27)).flags
    )


# --- a preprint's identifier under a claimed venue ----------------------------------------------

VIT = "An image is worth 16x16 words: transformers for image recognition at scale"
VIT_DOI = "10.48550/arXiv.2010.11929"
VIT_AUTHORS = [Author(family="Dosovitskiy", given="Alexey"), Author(family="Beyer", given="Lucas")]


def vit_entry(venue: str) -> Citation:
    fields = Fields(
        title=VIT, authors=VIT_AUTHORS, year=2021, container=venue, doi=VIT_DOI, type=None
    )
    raw = f"Dosovitskiy, A., Beyer, L. (2021). {VIT}. {venue}. doi:{VIT_DOI}"
    return Citation(kind=Kind.REFERENCE, raw=raw, start=0, end=len(raw), fields=fields)


def vit_record(source: str, **update: object) -> Record:
    fields = Fields(title=VIT, authors=VIT_AUTHORS, year=2020, doi=VIT_DOI, type="posted-content")
    return Record(source=source, id=VIT_DOI, fields=fields.model_copy(update=update))


def test_a_preprint_identifier_needs_the_published_version_of_a_claimed_venue() -> None:
    preprint = [Lookup.found("doi", vit_record("doi"))]
    assert needs_published_version(vit_entry("ICLR"), preprint)
    assert not needs_published_version(vit_entry("arXiv preprint"), preprint)
    published = [Lookup.found("doi", vit_record("doi", type="paper-conference"))]
    assert not needs_published_version(vit_entry("ICLR"), published)


def test_the_published_version_confirms_or_contradicts_the_venue() -> None:
    preprint = [Lookup.found("doi", vit_record("doi"))]
    iclr = vit_record(
        "crossref",
        type="paper-conference",
        container="International Conference on Learning Representations",
        doi=None,
    )
    found = [Lookup.found("crossref", iclr)]
    assert judge(vit_entry("ICLR"), preprint, published=found).status is Status.VERIFIED
    wrong = judge(vit_entry("NeurIPS"), preprint, published=found)
    assert wrong.status is Status.MISMATCH
    assert [d.field for d in wrong.diffs] == ["container"]


def test_a_preprint_that_no_search_finds_at_the_venue_is_cited_as_published() -> None:
    preprint = [Lookup.found("doi", vit_record("doi"))]
    only_preprints = [
        Lookup.missing("crossref", "no hit", authoritative=True),
        Lookup.found("arxiv", vit_record("arxiv", type="preprint")),
    ]
    verdict = judge(vit_entry("ICLR"), preprint, published=only_preprints)
    assert verdict.status is Status.MISMATCH
    assert verdict.confidence == CONF_UNPUBLISHED
    assert verdict.diffs[0].claimed == "ICLR"
    assert "preprint" in verdict.reason
    failed = [Lookup.failed("crossref", "Crossref timed out")]
    unsure = judge(vit_entry("ICLR"), preprint, published=failed)
    assert unsure.status is Status.UNVERIFIABLE
    assert COVERAGE_INCOMPLETE in unsure.flags
    # With no searching source configured there is nothing to weigh: the identifier stands.
    assert judge(vit_entry("ICLR"), preprint, published=[]).status is Status.VERIFIED


def test_the_published_version_may_come_second_in_a_search_answer() -> None:
    preprint = [Lookup.found("doi", vit_record("doi"))]
    iclr = vit_record(
        "crossref",
        type="paper-conference",
        container="International Conference on Learning Representations",
        doi=None,
    )
    both = [Lookup.found("crossref", vit_record("crossref"), iclr)]
    assert judge(vit_entry("ICLR"), preprint, published=both).status is Status.VERIFIED


# --- severity: notes leave an entry verified, alarms make a mismatch, strict makes both ----------

STROOP = Fields(
    title="Studies of interference in serial verbal reactions",
    authors=[Author(family="Stroop", given="J. R.")],
    year=1935,
    container="J Exp Psychol",
    volume="18",
    pages="643-662",
)


def stroop_entry(**update: object) -> Citation:
    fields = STROOP.model_copy(update={"container": "Journal of Experimental Psychology", **update})
    raw = "Stroop, J.R. 1935. Studies of interference in serial verbal reactions. J Exp Psychol"
    return Citation(kind=Kind.REFERENCE, raw=raw, start=0, end=len(raw), fields=fields)


def stroop_found(**update: object) -> list[Lookup]:
    record = Record(
        source="crossref", id="10.1037/h0054651", fields=STROOP.model_copy(update=update)
    )
    return [Lookup.found("crossref", record)]


@pytest.mark.parametrize(
    "claimed",
    [
        {"pages": "644-662"},  # a page off
        {"volume": "28"},  # a volume a character off
        {"year": 1936},  # online vs print
        {"authors": [Author(family="Strop", given="J. R.")]},  # a misspelt name
        {"container": "arXiv preprint"},  # the preprint cited for the published work
    ],
)
def test_a_difference_that_leaves_the_work_unmistakable_is_a_note(
    claimed: dict[str, object],
) -> None:
    verdict = judge(stroop_entry(**claimed), stroop_found())
    assert verdict.status is Status.VERIFIED
    assert NOTED in verdict.flags and "note:" in verdict.reason
    [diff] = verdict.diffs
    assert diff.severity == "note" and diff.field == next(iter(claimed))
    strict = judge(stroop_entry(**claimed), stroop_found(), strict=True)
    assert strict.status is Status.MISMATCH
    assert [d.severity for d in strict.diffs] == ["note"]


def test_an_alarm_makes_a_mismatch_and_lists_only_the_alarms() -> None:
    verdict = judge(stroop_entry(year=1940, volume="28"), stroop_found())
    assert verdict.status is Status.MISMATCH
    assert [(d.field, d.severity) for d in verdict.diffs] == [("year", "alarm")]
    assert NOTED not in verdict.flags
    strict = judge(stroop_entry(year=1940, volume="28"), stroop_found(), strict=True)
    assert [d.field for d in strict.diffs] == ["year", "volume"]


def test_an_entry_without_differences_has_no_notes() -> None:
    verdict = judge(stroop_entry(), stroop_found())
    assert verdict.status is Status.VERIFIED and verdict.diffs == [] and NOTED not in verdict.flags
    assert judge(stroop_entry(), stroop_found(), strict=True).status is Status.VERIFIED


def test_the_records_other_venue_names_count_for_a_doi_lookup() -> None:
    fields = {
        "container": "Proceedings of the 2024 on ACM Conference",
        "container_aliases": ["CCS '24"],
    }
    assert judge(stroop_entry(container="CCS"), stroop_found(**fields)).status is Status.VERIFIED
    wrong = judge(stroop_entry(container="NDSS"), stroop_found(**fields))
    assert wrong.status is Status.MISMATCH and wrong.diffs[0].field == "container"
