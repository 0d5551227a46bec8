"""References written outside reference lists: table rows, bold-title lines, quoted titles
with their authors, references woven into sentences. Each is an entry with Fields read from
its shape, so that every field written around a claim is checked."""

from __future__ import annotations

import pytest

from factcheck.extract import extract_all
from factcheck.judge.verdicts import judge
from factcheck.model import Author, Citation, Fields, Kind, Record, Status
from factcheck.resolve.base import Lookup


def references(text: str) -> list[Citation]:
    return [c for c in extract_all(text).citations if c.kind is Kind.REFERENCE]


def only(text: str) -> Citation:
    found = references(text)
    assert len(found) == 1, [c.raw for c in found]
    return found[0]


def families(fields: Fields) -> list[str | None]:
    return [a.family or a.name for a in fields.authors]


# --- tables ------------------------------------------------------------------------------------

TABLE = """Here is what I found.

| Title | Authors | Year | Venue | DOI |
|---|---|---|---|---|
| Sparse probing of speech encoders | Dahl, Imai, and Ross | 2022 | ICASSP | N/A |
| Graph priors for protein docking | Haddad et al. | 2023 | NeurIPS | 10.5555/example.123 |

Both are worth reading.
"""


def test_table_rows_under_a_header_naming_titles_are_entries() -> None:
    first, second = references(TABLE)
    assert (
        first.raw
        == "Sparse probing of speech encoders | Dahl, Imai, and Ross | 2022 | ICASSP | N/A"
    )
    assert first.fields.title == "Sparse probing of speech encoders"
    assert families(first.fields) == ["Dahl", "Imai", "Ross"]
    assert (first.fields.year, first.fields.container) == (2022, "ICASSP")
    assert first.fields.doi is None
    assert second.fields.doi == "10.5555/example.123"
    assert families(second.fields) == ["Haddad"]


@pytest.mark.parametrize(
    "header",
    ["| Paper | Author(s) | Published | Journal | Link |", "| Work | By | Date | Source | URL |"],
)
def test_other_header_words_name_the_same_columns(header: str) -> None:
    row = "| Coral reef recovery after bleaching | Okafor and Brandt | 2019 | Marine Ecology | — |"
    text = f"{header}\n|---|---|---|---|---|\n{row}\n"
    claim = only(text)
    assert claim.fields.title == "Coral reef recovery after bleaching"
    assert claim.fields.container == "Marine Ecology"


@pytest.mark.parametrize(
    "table",
    [
        "| Year | Laureate(s) | Contribution |\n|------|---|---|\n"
        "| 1923 | Banting, F. G.; Macleod, J. J. R. | Discovery of insulin (Toronto, 1921) |\n",
        "| Author | Year | Journal |\n|---|---|---|\n| Smith, J. | 2020 | Nature, 12(3), 45-67 |\n",
        "| Title | Authors | Year |\n|---|---|---|\n| Short | Smith | n/a |\n",
    ],
    ids=["no-title-column", "no-title", "too-little-claimed"],
)
def test_tables_without_a_checkable_title_give_no_entries(table: str) -> None:
    assert references(table) == []


def test_a_table_of_whole_references_is_parsed_cell_by_cell() -> None:
    text = (
        "| Topic | Reference |\n|---|---|\n"
        "| Habits | Wood, W., & Rünger, D. (2016). Psychology of habit. *Annual Review of"
        " Psychology*, 67, 289–314. |\n"
    )
    claim = only(text)
    assert claim.raw.startswith("Wood, W.")
    assert claim.fields.title == "Psychology of habit"
    assert claim.fields.year == 2016


def test_a_table_in_a_code_block_is_code() -> None:
    text = "```\n" + TABLE + "```\n"
    assert references(text) == []


# --- bold titles and quoted titles -----------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "**Coral reef recovery after bleaching: a meta-analysis** — M. Okafor and L. Brandt"
        " (2019). *Marine Ecology*.",
        "- **Coral reef recovery after bleaching: a meta-analysis** - M. Okafor and L. Brandt"
        " (2019). *Marine Ecology*.",
        "**Coral reef recovery after bleaching: a meta-analysis** (M. Okafor and L. Brandt,"
        " 2019, *Marine Ecology*)",
    ],
)
def test_bold_title_lines_are_entries(line: str) -> None:
    claim = only("Some background first.\n\n" + line + "\n")
    assert claim.fields.title == "Coral reef recovery after bleaching: a meta-analysis"
    assert families(claim.fields) == ["Okafor", "Brandt"]
    assert claim.fields.year == 2019
    assert claim.fields.container == "Marine Ecology"


def test_a_quoted_title_by_its_authors_with_venue_year_and_doi() -> None:
    text = (
        "“Graph priors for protein docking” by Haddad, Ruiz, and Tan (NeurIPS, 2023;"
        " DOI: 10.5555/example.123)\n"
    )
    claim = only(text)
    assert claim.fields.title == "Graph priors for protein docking"
    assert families(claim.fields) == ["Haddad", "Ruiz", "Tan"]
    assert (claim.fields.year, claim.fields.container) == (2023, "NeurIPS")
    assert claim.fields.doi == "10.5555/example.123"
    # The DOI stays its own item inside the entry's span.
    doi = next(c for c in extract_all(text).citations if c.kind is Kind.DOI)
    assert claim.start <= doi.start and doi.end <= claim.end


@pytest.mark.parametrize(
    ("sentence", "authors", "venue"),
    [
        (
            "Ferreira (“Urban heat islands and asthma”, Environmental Health, 2016)",
            ["Ferreira"],
            "Environmental Health",
        ),
        (
            "See Ferreira and Lu (“Urban heat islands and asthma”, Environmental Health, 2016) for"
            " the details.",
            ["Ferreira", "Lu"],
            "Environmental Health",
        ),
        (
            "The method follows Wu et al., “Urban heat islands and asthma,” Environ. Health, 2016.",
            ["Wu"],
            "Environ. Health",
        ),
        (
            "As Lindqvist and Osei (2016) argue in “Urban heat islands and asthma” (Environmental"
            " Health), the effect is small.",
            ["Lindqvist", "Osei"],
            "Environmental Health",
        ),
        # A quoted title with its source in parentheses after it: a venue beside the year,
        # or every author when the list is written out.
        (
            "See “Urban heat islands and asthma” (Ferreira et al., Environmental Health 2016).",
            ["Ferreira"],
            "Environmental Health",
        ),
        (
            "See “Urban Heat Islands and Asthma” (Ferreira, Lu, and Osei, 2016) for more.",
            ["Ferreira", "Lu", "Osei"],
            None,
        ),
        # "by" the authors, then the year in the flow of the sentence.
        (
            "It was shown in “Urban Heat Islands and Asthma” by Ferreira et al. in 2016.",
            ["Ferreira"],
            None,
        ),
        (
            "See “Urban Heat Islands and Asthma” by Ferreira, Lu, and Osei, 2016, for more.",
            ["Ferreira", "Lu", "Osei"],
            None,
        ),
        # IEEE's initials first, the first author's too, after a lead-in.
        (
            "As noted: K. Ferreira, J.-P. Lu, and A. B. Osei, “Urban heat islands and asthma,”"
            " Environ. Health, 2016.",
            ["Ferreira", "Lu", "Osei"],
            "Environ. Health",
        ),
        # Nature's and ACS's order: the volume and pages, then the year in parentheses.
        (
            "This is discussed in Wu et al., “Urban heat islands and asthma”, Environmental"
            " Health 12, 112–120 (2016).",
            ["Wu"],
            "Environmental Health",
        ),
        (
            "Wu and Lu, “Urban heat islands and asthma”, Environ. Health, 12(3), 112–120, 2016.",
            ["Wu", "Lu"],
            "Environ. Health",
        ),
        # A dash, the authors, then the venue and year in parentheses.
        (
            "“Urban heat islands and asthma” – Kamal Ferreira, Jia Lu, et al. (Environ. Health,"
            " 2016)",
            ["Ferreira", "Lu"],
            "Environ. Health",
        ),
        (
            "“Urban Heat Islands and Asthma” — Ferreira et al. (2016)",
            ["Ferreira"],
            None,
        ),
        # The authors' possessive and the year, or the year, the kind of work and "by".
        (
            "Relevant is Ferreira and Lu's 2016 paper “Urban heat islands and asthma”"
            " (Environmental Health), as it shows.",
            ["Ferreira", "Lu"],
            "Environmental Health",
        ),
        (
            "Ferreira et al.’s 2016 study, titled “Urban heat islands and asthma”, holds.",
            ["Ferreira"],
            None,
        ),
        (
            "See a 2016 meta-analysis by Ferreira and Lu titled “Urban heat islands and"
            " asthma” for more.",
            ["Ferreira", "Lu"],
            None,
        ),
    ],
)
def test_references_woven_into_sentences_are_entries(
    sentence: str, authors: list[str], venue: str | None
) -> None:
    claim = only("Some background.\n\n" + sentence + "\n")
    assert claim.fields.title.lower() == "urban heat islands and asthma"
    assert families(claim.fields) == authors
    assert (claim.fields.year, claim.fields.container) == (2016, venue)


@pytest.mark.parametrize(
    "sentence",
    [
        "Hardin (1968) calls this “the tragedy of the commons” and it stuck.",
        "She said “we will publish the results in 2024” at the meeting.",
        "The phrase “often misattributed to Einstein” is the safe wording.",
        # A quotation with its source: neither a venue nor a title written in title case.
        "The line “insanity is doing the same thing over again” (Einstein, 1981) is not his.",
        "“The tragedy of the commons is real” (Hardin and Ostrom, 1968) was the claim.",
        "The words “we shall fight on the beaches” by Churchill in 1940 are well known.",
        "“Imagination is more important than knowledge” — Einstein (1931)",
        "In Hardin's 1968 words, “the tragedy of the commons is real”, and it stuck.",
        "Obama's 2008 speech “A More Perfect Union” was widely praised.",
        "As the saying goes, “the map is not the territory” - Korzybski (1933).",
    ],
)
def test_quotations_beside_names_or_years_are_not_references(sentence: str) -> None:
    assert references(sentence + "\n") == []


def test_a_list_item_holding_two_claims_is_cut_into_them() -> None:
    text = (
        "Background.\n\n"
        "- The method follows Wu et al., “Early stopping for iterative regularization,” JMLR,"
        " 2022. “Graph priors for protein docking” by Haddad and Tan (NeurIPS, 2023)\n"
        "- “Sparse probing of speech encoders” by Dahl and Ross (ICASSP, 2022)\n"
    )
    titles = [c.fields.title for c in references(text)]
    assert titles == [
        "Early stopping for iterative regularization",
        "Graph priors for protein docking",
        "Sparse probing of speech encoders",
    ]


def test_fields_written_around_a_doi_in_a_sentence_are_checked_with_it() -> None:
    from factcheck.judge.verdicts import judge
    from factcheck.model import Author, Record, Status
    from factcheck.resolve.base import Lookup

    doi = "10.1371/journal.pone.0033693"
    record = Record(
        source="crossref",
        id=doi,
        fields=Fields(
            title="Methylphenidate exposure induces dopamine neuron loss",
            authors=[Author(family="Sadasivan", given="S."), Author(family="Oakes", given="H.")],
            year=2012,
            container="PLoS ONE",
            doi=doi,
        ),
    )

    def status(sentence: str) -> Status:
        claim = only(sentence)
        assert claim.fields.doi == doi
        return judge(claim, [Lookup.found("crossref", record)]).status

    right = f"The effect is large (Sadasivan and Oakes, 2012, PLoS ONE, doi:{doi}) in mice."
    swapped = f"The effect is large (Oakes and Sadasivan, 2012, PLoS ONE, doi:{doi}) in mice."
    venue = f"The effect is large (Sadasivan and Oakes, 2012, Nature, doi:{doi}) in mice."
    assert status(right) is Status.VERIFIED
    assert status(swapped) is Status.MISMATCH
    assert status(venue) is Status.MISMATCH
    assert references(f"The DOI is doi:{doi} (see 2012).") == []


@pytest.mark.parametrize(
    "text",
    [
        "“" * 200_000,
        "“a b c d e f g h " * 20_000,
        "**" * 100_000,
        "**Title of some paper here** — " * 20_000,
        "(Smith and Lee, 2020, doi:10.1/x " * 20_000,
        "| a | b |\n" * 50_000,
        "Smith and Lee (2020) argue in " * 20_000,
    ],
    ids=["quotes", "open-quotes", "stars", "bold", "parens", "pipes", "cited"],
)
def test_pathological_shapes_are_fast_and_safe(text: str) -> None:
    import time

    started = time.perf_counter()
    for citation in extract_all(text).citations:
        assert text[citation.start : citation.end] == citation.raw
    assert time.perf_counter() - started < 10


def test_a_short_surname_is_an_author_not_a_sentence_word() -> None:
    claim = only(
        "**Generalization bounds for robust optimization** — An and Gao (2021). *NeurIPS*.\n"
    )
    assert families(claim.fields) == ["An", "Gao"]


def test_short_titles_under_a_title_column_or_in_a_citation_parenthesis() -> None:
    table = "| Title | Authors | Year |\n|---|---|---|\n| BERT | Devlin and Chang | 2019 |\n"
    assert only(table).fields.title == "BERT"
    sentence = "See Beretta (“Multi-Swap k-Means++”, NeurIPS, 2023) for the details.\n"
    assert only(sentence).fields.title == "Multi-Swap k-Means++"


# --- every field written around an identifier counts -------------------------------------

DOI = "10.1371/journal.pone.0033693"
TITLE = "Methylphenidate exposure induces dopamine neuron loss"
# How each shape writes authors, title, venue and year around a DOI.
AROUND_A_DOI = {
    "table": "| Title | Authors | Year | Venue | DOI |\n|---|---|---|---|---|\n"
    "| {title} | {authors} | 2012 | {venue} | {doi} |\n",
    "table-no-year": "| Paper | Authors | Journal | Link |\n|---|---|---|---|\n"
    "| {title} | {authors} | {venue} | https://doi.org/{doi} |\n",
    "bold": "**{title}** — {authors} (2012). *{venue}*. DOI: {doi}\n",
    "bold-parenthesis": "1. **{title}** ({authors}, 2012, *{venue}*) https://doi.org/{doi}\n",
    "quoted-by": "In “{title}” by {authors} ({venue}, 2012; DOI: {doi}), the loss is shown.\n",
    "cited-quoted": "{authors} (2012) showed in “{title}” ({venue}, doi:{doi}) that it holds.\n",
    "parenthesis": "The effect is large ({authors}, 2012, {venue}, doi:{doi}) in mice.\n",
    "lone-item": "- {authors}, *{title}*, {venue} (2012). DOI: {doi}\n",
    "lone-line": "A source:\n\n{authors}. {title}. {venue}, 2012. https://doi.org/{doi}\n\nEnjoy.",
}
# Shapes that carry no venue the judge could read: only the names are varied.
SENTENCES = {
    "sentence": "As {authors} (2012) reported (doi:{doi}), exposure induces loss.\n",
    "sentence-link": "{authors} (2012) showed that exposure induces loss (https://doi.org/{doi}).\n",
}
RIGHT = {"authors": "Sadasivan and Oakes", "venue": "PLoS ONE"}
WRONG = {
    "swapped authors": {"authors": "Oakes and Sadasivan", "venue": "PLoS ONE"},
    "invented authors": {"authors": "Miller and Chen", "venue": "PLoS ONE"},
    "invented venue": {"authors": "Sadasivan and Oakes", "venue": "Nature Neuroscience"},
}


def _record() -> Record:
    return Record(
        source="crossref",
        id=DOI,
        fields=Fields(
            title=TITLE,
            authors=[
                Author(family="Sadasivan", given="Shankar"),
                Author(family="Oakes", given="H."),
            ],
            year=2012,
            container="PLoS ONE",
            doi=DOI,
        ),
    )


def _statuses(text: str) -> list[Status]:
    """The status of each claim (the entry and its DOI) judged against the DOI's record."""
    claims = [c for c in extract_all(text).citations if c.kind is not Kind.INLINE]
    entries = [c for c in claims if c.kind is Kind.REFERENCE]
    assert len(entries) == 1, [c.raw for c in claims]
    assert entries[0].fields.doi == DOI
    return [judge(c, [Lookup.found("crossref", _record())]).status for c in claims]


@pytest.mark.parametrize("shape", [*AROUND_A_DOI, *SENTENCES])
def test_the_right_fields_around_a_doi_are_verified(shape: str) -> None:
    template = AROUND_A_DOI.get(shape) or SENTENCES[shape]
    text = template.format(title=TITLE, doi=DOI, **RIGHT)
    assert set(_statuses(text)) == {Status.VERIFIED}


@pytest.mark.parametrize("wrong", WRONG.values(), ids=WRONG.keys())
@pytest.mark.parametrize("shape", AROUND_A_DOI)
def test_a_wrong_field_beside_a_real_doi_is_a_mismatch(shape: str, wrong: dict[str, str]) -> None:
    text = AROUND_A_DOI[shape].format(title=TITLE, doi=DOI, **wrong)
    assert Status.MISMATCH in _statuses(text)


@pytest.mark.parametrize("wrong", ["Oakes and Sadasivan", "Miller and Chen"])
@pytest.mark.parametrize("shape", SENTENCES)
def test_wrong_names_citing_a_doi_in_a_sentence_are_a_mismatch(shape: str, wrong: str) -> None:
    text = SENTENCES[shape].format(authors=wrong, doi=DOI)
    assert Status.MISMATCH in _statuses(text)


@pytest.mark.parametrize(
    "text",
    [
        "Sadasivan and Oakes (2012) showed that exposure induces loss.",
        "The DOI https://doi.org/10.1371/journal.pone.0033693 was published in 2012.",
        "For details see doi:10.1371/journal.pone.0033693.",
        "Sadasivan and Oakes (2012) showed it. The data are at doi:10.1371/journal.pone.0033693.",
        "- Remember: doi:10.1371/journal.pone.0033693 is the one from 2012. Good luck.",
    ],
)
def test_an_identifier_without_a_claimed_work_around_it_stays_alone(text: str) -> None:
    assert references(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "| Title | Authors | DOI |\n|---|---|---|\n"
        "| Curriculum sampling for sparse reward navigation | Petrova and Rahman"
        " | 10.48550/arXiv.1811.01234 |\n",
        "As Petrova and Rahman (2019) show (https://doi.org/10.48550/arXiv.1811.01234), it works.",
        "- Ana Petrova and Khalid Rahman. Curriculum sampling for sparse reward navigation."
        " doi:10.48550/arXiv.2011.01234\n",
        "“Curriculum sampling for sparse reward navigation” by Petrova and Rahman"
        " (ICLR, 2019; arXiv:2011.01234)\n",
    ],
    ids=["table", "sentence", "lone-item", "quoted"],
)
def test_a_year_inside_an_identifier_is_never_the_claimed_year(text: str) -> None:
    entry = only(text)
    assert entry.fields.doi or entry.fields.arxiv
    assert entry.fields.year in (None, 2019)


def test_a_list_entry_citing_a_year_and_a_doi_keeps_its_own_fields() -> None:
    """An entry that reads "Sadasivan and Oakes (2012) Title, Venue, doi:…" is an entry of
    its list, its title and venue read by the parser, not cut down to a sentence's claim."""
    text = (
        "## References\n\n"
        f"1. Sadasivan and Oakes (2012) {TITLE}, PLoS ONE 7, e33693, doi:{DOI}\n"
        "2. Okafor, M., & Brandt, L. (2019). Coral reef recovery after bleaching. Marine"
        " Ecology, 4, 1-9.\n"
    )
    first = references(text)[0]
    assert first.raw.startswith("Sadasivan and Oakes (2012)")
    assert first.fields.title is not None and "Methylphenidate" in first.fields.title
    assert first.fields.doi == DOI


# --- a work laid out a field to a line ---------------------------------------------------------

FIELD_BLOCKS = [
    "### 1. Urban Heat Islands and Asthma\n**Authors:** Ana Ferreira, Wei Lu\n**Year:** 2016\n"
    "**Venue:** Environmental Health",
    "1. **Urban heat islands and asthma**\n   - Authors: Ferreira, A., Lu, W.\n   - Year: 2016\n"
    "   - Published in: Environmental Health",
    "- Title: Urban heat islands and asthma\n- Author(s): Ferreira and Lu\n- Date: 2016\n"
    "- Journal: Environmental Health",
    "Urban Heat Islands and Asthma\nAuthors: Ferreira, A.; Lu, W.\nYear: 2016\n"
    "Journal: Environmental Health",
]


@pytest.mark.parametrize("block", FIELD_BLOCKS)
def test_a_work_laid_out_a_field_to_a_line_is_an_entry(block: str) -> None:
    claim = only(f"Two papers matter here.\n\n{block}\n\nBoth are short.")
    assert claim.fields.title is not None
    assert claim.fields.title.lower() == "urban heat islands and asthma"
    assert families(claim.fields) == ["Ferreira", "Lu"]
    assert (claim.fields.year, claim.fields.container) == (2016, "Environmental Health")


def test_fields_after_a_lead_in_or_of_no_work_are_no_entry() -> None:
    lead_in = "Here is the paper you asked about:\n**Authors:** Ferreira, Lu\n**Year:** 2016"
    film = "Title: Inception\nYear: 2010\nDirector: Christopher Nolan"
    front_matter = (
        "---\ntitle: Urban Heat Islands and Asthma\nauthor: Ana Ferreira\ndate: 2016\n---"
    )
    assert references(f"{front_matter}\n\n{lead_in}\n\n{film}\n") == []


def test_the_doi_among_a_works_fields_is_claimed_with_them() -> None:
    block = FIELD_BLOCKS[0] + "\n**DOI:** 10.5555/heat.2016"
    claim = only(f"{block}\n")
    assert claim.fields.doi == "10.5555/heat.2016"
