"""Coverage: every entry of a reference list is found, in the styles ML papers and chat
answers print; prose and code under a references heading never become entries, and what
cannot be read is reported (flag `unparsed`), never dropped."""

from __future__ import annotations

import pytest

from factcheck.extract import extract_all
from factcheck.extract.bibliography import find_references
from factcheck.extract.detect import author_led, is_code, is_prose, repeats_authors, split_parts
from factcheck.flags import UNPARSED
from factcheck.judge.verdicts import judge
from factcheck.model import Citation, Finding, Kind, Report, Status

INTRO = "Here is a short overview of the work on this question.\n\n"


def entries(text: str) -> list[str]:
    return [c.raw for c in extract_all(text).citations if c.kind is Kind.REFERENCE]


def references(text: str) -> list[Citation]:
    return [c for c in extract_all(text).citations if c.kind is Kind.REFERENCE]


# --- ML-paper styles under a heading ------------------------------------------------------------

ML_ENTRIES = [
    # natbib plainnat: full names, "and" before the last author, Venue, vol:article, year.
    "Minseo Park, Daniel Kowal, and Hye-Jin Oh. Thermal imaging dataset of industrial pumps"
    " under varying loads. Data in Brief, 51:110212, 2024.",
    # no venue at all
    "Khalid Rahman and Ana Petrova. Curriculum sampling for sparse reward navigation. 2024.",
    "Lena Fischer, Omar Haddad, and Priya Nair. Sparse mixtures of adapters for speech. 2025.",
    # ArXiv / CoRR abs/ ids, as DBLP prints them
    "Takeshi Ono, Mei Lin, and Yusuke Sato. Verifier-guided decoding for code models. ArXiv,"
    " abs/2305.04411, 2023.",
    "Aiko Mori and Jan Kowalski. Low-rank probes for vision encoders. CoRR, abs/2211.01234, 2022.",
    "Rui Costa. Token dropping for long documents. arXiv preprint arXiv:2104.05678, 2021.",
    # broken URL of a PDF extraction
    "Jonas Berg. Tile-level scheduling for photonic interconnects. 2026. URL https:"
    " //arxiv.org/abs/2601.01234.",
    # years with a letter
    "Sofia Lind and Marco Rossi. Reward shaping without regret. In ICLR, 2024a.",
    # ACM: the year after the authors
    "Wei Zhang, Ana Souza, and Tom Baker. 2023. Graph transformers for molecules. In *KDD*.",
    # author names with particles and hyphens
    "Bart De Schutter and Jean-Bastien Grill. Modeling freeway traffic with neural nets. 2021.",
    # placeholder and anonymous authors
    "Anonymous Authors. Semantic uncertainty estimation in large language models. 2023.",
    "John Doe and Jane Smith. Webvoyager: an end-to-end web agent. arXiv, 2022.",
]


@pytest.mark.parametrize("marker", ["- ", "1. ", "[1] ", ""])
def test_ml_style_entries_under_a_heading_are_all_found(marker: str) -> None:
    lines = [f"{marker.replace('1', str(n))}{entry}" for n, entry in enumerate(ML_ENTRIES, 1)]
    text = INTRO + "## References\n\n" + "\n".join(lines) + "\n"
    assert entries(text) == ML_ENTRIES


def test_ml_style_entries_separated_by_blank_lines_are_all_found() -> None:
    text = INTRO + "References\n\n" + "\n\n".join(ML_ENTRIES) + "\n"
    assert entries(text) == ML_ENTRIES


@pytest.mark.parametrize("lead", ["Here are the papers I drew on:", "**Sources**", "Works cited:"])
def test_a_lead_line_or_bold_heading_opens_the_list(lead: str) -> None:
    text = INTRO + lead + "\n\n" + "\n".join(f"- {e}" for e in ML_ENTRIES[:4]) + "\n"
    assert entries(text) == ML_ENTRIES[:4]


def test_an_arxiv_abs_id_is_read_and_its_year_is_not_the_claimed_year() -> None:
    text = "## References\n\n- " + ML_ENTRIES[3] + "\n- Rui Costa. A title of a paper here."
    text += " https://doi.org/10.48550/arXiv.1811.01234\n"
    first, second = references(text)
    assert first.fields.arxiv == "2305.04411"
    assert first.fields.year == 2023
    assert second.fields.arxiv == "1811.01234"
    assert second.fields.year is None


# --- other styles ---------------------------------------------------------------------------------


def test_chicago_dash_inherits_the_previous_entrys_authors() -> None:
    text = (
        "Bibliography\n\n"
        "Moreau, Claire, and Tomas Lindgren. Collected Letters from the Northern Coast. Boston:"
        " Harbor House, n.d.\n"
        "———. The Salt Roads. Chicago: Lakeshore Press, 1974.\n"
        "---. Tide Tables and Other Poems. Chicago: Lakeshore Press, 1979.\n"
        "Okoye, C.; Bauer, F.; Lindh, S. Thermal stability of doped perovskite films. Journal of"
        " Materials Chemistry 31, (7), 2211-2219.\n"
    )
    found = references(text)
    assert [c.raw[:12] for c in found] == [
        "Moreau, Clai",
        "———. The Sal",
        "---. Tide Ta",
        "Okoye, C.; B",
    ]
    moreau = [a.family for a in found[0].fields.authors]
    assert moreau == ["Moreau", "Lindgren"]
    assert [a.family for a in found[1].fields.authors] == moreau
    assert [a.family for a in found[2].fields.authors] == moreau
    assert [a.family for a in found[3].fields.authors] == ["Okoye", "Bauer", "Lindh"]


def test_a_dash_entry_with_a_new_coauthor_keeps_the_first_author_only() -> None:
    text = (
        "Works Cited\n\n"
        "Moreau, Claire. Collected Letters. Boston: Harbor House, 1970.\n"
        "———, and Tomas Lindgren. The Salt Roads. Chicago: Lakeshore Press, 1974.\n"
    )
    second = references(text)[1]
    assert [a.family for a in second.fields.authors] == ["Moreau", "Lindgren"]


def test_pdf_wrapped_entries_with_hyphenation_are_split_at_each_author_list() -> None:
    first = (
        "Ikeda S, Tanaka M, Matsumoto S. Endo-\nscopic sphincterotomy: long-term results.\n"
        "Endoscopy. 1988;20:13-7."
    )
    second = (
        "Rabenstein T, Schneider TH, Hahn EG. 25 years of\nendoscopic sphincterotomy."
        " Endoscopy. 1998;30:A194-201."
    )
    text = "REFERENCES\n\n" + first + "\n" + second + "\n"
    assert entries(text) == [first, second]


def test_a_semicolon_splits_entries_only_before_one_with_its_own_date() -> None:
    title = "Studenski, Paul. 1958. The Income of Nations; Theory, Measurement, and Analysis."
    two = (
        "Marmot M. Social determinants. Lancet. 2005;365:1099-104; Wilkinson RG. Inequality."
        " Soc Sci Med. 2006;62:1768-84."
    )
    assert entries("References\n\n" + title + "\n") == [title]
    assert len(entries("References\n\n" + two + "\n")) == 2


# --- prose and code under a heading ---------------------------------------------------------------

PROSE = [
    "I hope this helps!",
    "Let me know if you would like more detail on any of these.",
    "*Note: please double-check these citations before relying on them.*",
    "Happy reading!",
    "Feel free to ask for more sources on a specific subtopic.",
    "These should give you a solid foundation for the topic.",
    "The first two are the most accessible introductions.",
    "Each of these has been cited more than a thousand times since 2015.",
    "The 2019 review is the best place to start if you are new to the field.",
    "Citations were checked in March 2024.",
    "Quote Investigator traced the history in detail in 2017 and reached the same conclusion.",
    "Both reviews reach the same conclusion. The effect is real but small, and it fades after a"
    " year.",
    "Oke explained this through the storage of heat by built materials, and later satellite"
    " studies confirmed the pattern across cities (Peng et al., 2012).",
]
CODE = [
    "`pip install factcheck`",
    "$ factcheck check answer.md",
    ">>> import factcheck",
    "result = factcheck.check(text)",
    "def check(text):",
]


@pytest.mark.parametrize("line", PROSE + CODE)
def test_prose_and_code_under_a_references_heading_are_not_entries(line: str) -> None:
    text = "## References\n\n- " + ML_ENTRIES[1] + "\n\n" + line + "\n"
    assert entries(text) == [ML_ENTRIES[1]]


@pytest.mark.parametrize("line", PROSE)
def test_prose_reads_as_prose(line: str) -> None:
    assert is_prose(line, dated=True)


@pytest.mark.parametrize("line", CODE)
def test_code_reads_as_code(line: str) -> None:
    assert is_code(line)


@pytest.mark.parametrize("entry", ML_ENTRIES)
def test_entries_do_not_read_as_prose_or_code(entry: str) -> None:
    assert not is_prose(entry, dated=True)
    assert not is_code(entry)


@pytest.mark.parametrize(
    "entry",
    [
        "Aguinis, H. & Glavas, A. 2012. What we know and don't know about CSR. J Manag 38: 932.",
        "de Leo D: Why are we not getting any closer to preventing suicide?. Br J Psychiatry 2002.",
        "Sharpless NE, DePinho RA: How stem cells age and why this makes us grow old. Nat Rev.",
        "Hope-Gill B, Davies C: A study of the cough reflex. Am J Respir Crit Care Med 2009.",
    ],
)
def test_titles_that_talk_like_sentences_still_read_as_entries(entry: str) -> None:
    assert not is_prose(entry, author_start=True, dated=True)
    assert entries("## References\n\n- " + entry + "\n") == [entry]


def test_notes_sections_keep_their_remarks_out() -> None:
    text = "## Notes\n\n1. Install version 2.1 from 2023.\n2. Run it twice.\n"
    assert find_references(text) == []


# --- lists without a heading ----------------------------------------------------------------------


def test_a_run_of_items_most_of_which_are_references_is_a_list() -> None:
    text = INTRO + "\n".join(f"- {e}" for e in ML_ENTRIES[:5]) + "\n\nThat is all.\n"
    assert entries(text) == ML_ENTRIES[:5]


def test_one_entry_per_line_without_a_heading_or_markers_is_a_list() -> None:
    text = INTRO + "\n".join(ML_ENTRIES[:3]) + "\n"
    assert entries(text) == ML_ENTRIES[:3]


def test_a_run_of_prose_items_with_years_is_no_list() -> None:
    text = (
        INTRO
        + "- Frederick Sanger won a second Nobel Prize in Chemistry in 1980.\n"
        + "- Rosalyn Yalow developed the assay with Solomon Berson in 1959.\n"
        + "- Banting shared his prize money with Charles Best in 1923.\n"
    )
    assert entries(text) == []


def test_prose_paragraphs_citing_works_are_no_list() -> None:
    text = (
        "Acar et al. (2021) examined memory efficient online meta learning. Building on this,"
        " Lee and Ambros (2001) studied an extensive class of small RNAs.\n\n"
        "Li et al. (2026) examined benchmarks for spoken dialogue. In related work, Lin et al."
        " (2022) addressed interventional few-shot learning (Yue et al., 2020).\n"
    )
    assert entries(text) == []


# --- never silent ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line", ["Wade DT, Skilbeck CE, Langton-Hewer R", "Smith J, Lee K, Park S, Oh H"]
)
def test_an_unreadable_line_under_a_heading_is_reported_unparsed(line: str) -> None:
    text = "## References\n\n- " + ML_ENTRIES[1] + "\n- " + line + "\n"
    found = references(text)
    assert [c.raw for c in found] == [ML_ENTRIES[1], line]
    verdict = judge(found[1], [])
    assert verdict.status is Status.UNVERIFIABLE
    assert verdict.flags == [UNPARSED]
    assert judge(found[0], []).flags != [UNPARSED]
    report = Report(items=[Finding(citation=c, verdict=judge(c, [])) for c in found])
    assert report.summary.unparsed == 1
    assert report.summary.merge(report.summary).unparsed == 2


# --- the pieces -----------------------------------------------------------------------------------


def test_parts_do_not_end_at_initials_or_et_al() -> None:
    assert len(split_parts("J. R. Smith and K. Lee. A title. Nature, 2020.")) == 3
    assert len(split_parts("Smith et al. (2020) showed that it works. It does.")) == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Minseo Park, Daniel Kowal, and Hye-Jin Oh. Title.", True),
        ("Bart De Schutter and Serge P Hoogendoorn. 2021. Title.", True),
        ("Roberts et al The Plant Cell, 1 : 569-578, 1989", True),
        ("As Lindqvist and Osei (2021) argue in this paper.", False),
        ("The question has a long history. It goes on.", False),
    ],
)
def test_author_led(text: str, expected: bool) -> None:
    assert author_led(text) is expected


@pytest.mark.parametrize("raw", ["———. Title.", "---. Title.", "___. Title.", "——, and B. Lee."])
def test_repeated_author_dashes(raw: str) -> None:
    assert repeats_authors(raw)
    assert not repeats_authors("Smith, J. ——— a title.")


@pytest.mark.parametrize(
    "entry",
    [
        "et al. Deep nets for sparse things. 2021.",
        "Et al. (2021). Deep nets for sparse things. In NeurIPS.",
    ],
)
def test_an_entry_by_et_al_alone_claims_a_placeholder_author(entry: str) -> None:
    (found,) = references("## References\n\n- " + entry + "\n")
    assert [a.family for a in found.fields.authors] == ["et al."]
    assert "placeholder_authors" in judge(found, []).flags


def test_a_list_of_links_with_remarks_is_no_list_of_entries() -> None:
    text = "".join(
        f"{i}. A finding, see https://doi.org/10.1371/journal.pone.00336{i}\n" for i in (1, 2, 3)
    )
    assert entries(text) == []
    assert [c.kind for c in extract_all(text).citations] == [Kind.DOI] * 3


@pytest.mark.parametrize(
    "text",
    [
        "## References\n\n1. Francesco d&apos;Amore and Joao Marques-Silva. Explanations for"
        " monotonic classifiers. In ICML, 2021.\n",
        "## References\n\n- d&#39;Amore, F., &amp; Marques-Silva, J. (2021). Explanations for"
        " monotonic classifiers. ICML.\n",
        "| Title | Authors | Year | Venue |\n|---|---|---|---|\n| Explanations for monotonic"
        " classifiers | d&apos;Amore and Marques-Silva | 2021 | ICML |\n",
        "“Explanations for monotonic classifiers” by d&#x27;Amore and Marques-Silva (ICML, 2021)\n",
    ],
    ids=["list", "apa", "table", "quoted"],
)
def test_html_entities_in_names_are_read_as_the_characters(text: str) -> None:
    """A name copied from a web export ("d&apos;Amore") is one author, not "d", "apos" and
    "Amore"; the entry's text and span stay as written."""
    [entry] = [c for c in extract_all(text).citations if c.kind is Kind.REFERENCE]
    assert [a.family for a in entry.fields.authors] == ["d'Amore", "Marques-Silva"]
    assert text[entry.start : entry.end] == entry.raw
