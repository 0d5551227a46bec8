"""`fixes.decide` and `fixes.plan` on findings built by hand: which fix each verdict gets, and
how the fixes of a text are placed together."""

from __future__ import annotations

import pytest

from factcheck.extract import extract_all
from factcheck.fix.decide import (
    Comment,
    Fabricated,
    FixAction,
    commented,
    corrected_fields,
    decide,
    plan,
)
from factcheck.fix.edits import apply
from factcheck.flags import CITED_WORK_NOT_FOUND, WRONG_IDENTIFIER
from factcheck.model import (
    Author,
    Citation,
    FieldDiff,
    Fields,
    Finding,
    Kind,
    Record,
    Report,
    Status,
    Verdict,
)

OTHER = Record(
    source="crossref",
    id="10.1038/srep16696",
    fields=Fields(
        title="Single-molecule FRET studies on alpha-synuclein oligomerization",
        authors=[Author(family="Tosatto", given="Laura")],
        year=2015,
        doi="10.1038/srep16696",
    ),
)


def finding(
    raw: str,
    status: Status,
    *,
    kind: Kind = Kind.REFERENCE,
    fields: Fields | None = None,
    record: Record | None = None,
    diffs: list[FieldDiff] | None = None,
    flags: list[str] | None = None,
    start: int = 0,
    **extra: str,
) -> Finding:
    citation = Citation(
        kind=kind, raw=raw, start=start, end=start + len(raw), fields=fields or Fields()
    )
    verdict = Verdict(
        status=status,
        confidence=0.9,
        reason="the reason",
        source="crossref",
        record=record,
        diffs=diffs or [],
        flags=flags or [],
    )
    return Finding(citation=citation, verdict=verdict, **extra)


CHIMERA = "Smith, J. (2019). Deep priors. doi:10.1038/srep16696"
CHIMERA_FIELDS = Fields(
    title="Deep priors", authors=[Author(family="Smith", given="J.")], year=2019,
    doi="10.1038/srep16696",
)  # fmt: skip


@pytest.mark.parametrize(
    ("built", "action"),
    [
        (finding("https://x.org/a", Status.NOT_FOUND, kind=Kind.URL, archived_url="https://w"),
         "replace"),
        (finding("https://x.org/a", Status.NOT_FOUND, kind=Kind.URL), "none"),
        (finding(CHIMERA, Status.NOT_FOUND, fields=CHIMERA_FIELDS), "remove"),
        (
            finding(CHIMERA, Status.MISMATCH, fields=CHIMERA_FIELDS, record=OTHER,
                    flags=[WRONG_IDENTIFIER, CITED_WORK_NOT_FOUND]),
            "remove",
        ),
        # the identifier's work is another, and the one meant was not found: left alone
        (finding(CHIMERA, Status.MISMATCH, fields=CHIMERA_FIELDS, record=OTHER,
                 flags=[WRONG_IDENTIFIER]), "none"),
        # the same, from a report made before the flag existed
        (finding(CHIMERA, Status.MISMATCH, fields=CHIMERA_FIELDS, record=OTHER), "none"),
        # an identifier in prose that belongs to another work: nothing says which was meant
        (
            finding("doi:10.1038/srep16696", Status.MISMATCH, kind=Kind.DOI, record=OTHER,
                    diffs=[FieldDiff(field="title", claimed="Deep priors", found="Single")]),
            "none",
        ),
        (
            finding("arXiv:2101.00001v9", Status.MISMATCH, kind=Kind.ARXIV,
                    diffs=[FieldDiff(field="arxiv", claimed="2101.00001v9", found="2101.00001v2")]),
            "replace",
        ),
        (finding(CHIMERA, Status.VERIFIED, fields=CHIMERA_FIELDS, record=OTHER), "none"),
        (finding(CHIMERA, Status.UNVERIFIABLE, fields=CHIMERA_FIELDS), "none"),
    ],
)  # fmt: skip
def test_the_fix_of_each_kind_of_verdict(built: Finding, action: str) -> None:
    assert decide(built).action.value == action


def test_a_fabricated_reference_is_marked_on_request_in_the_files_comment_style() -> None:
    html = decide(finding(CHIMERA, Status.NOT_FOUND), fabricated=Fabricated.MARK)
    assert html.action is FixAction.MARK
    assert (
        html.new == f"<!-- factcheck: commented out: likely fabricated: the reason: {CHIMERA} -->"
    )
    bib = "@article{k,\n  title = {T},\n  year = {2019}\n}"
    percent = decide(finding(bib, Status.NOT_FOUND), fabricated=Fabricated.MARK)
    assert percent.new == (
        "% factcheck: commented out: likely fabricated: the reason\n"
        "% @article{k,\n%   title = {T},\n%   year = {2019}\n% }"
    )


def test_a_comment_cannot_be_closed_early_by_what_it_holds() -> None:
    closed = commented("Smith --> (2019)\n", "why --> not", Comment.HTML)
    assert closed.count("-->") == 1 and closed.endswith("-->\n")


def test_corrected_fields_change_only_what_differs() -> None:
    claimed = Fields(title="T", volume="9", issue="1", pages="1-2", doi="10.1/wrong")
    found = Fields(title="T2", volume="7", issue="3", doi=None, container="Nature")
    fixed = corrected_fields(claimed, found, ["title", "volume", "pages", "doi"])
    assert (fixed.title, fixed.volume, fixed.issue) == ("T2", "7", "3")
    assert fixed.pages == "1-2"  # the record has none: the claim's stays
    assert fixed.doi is None  # a wrong identifier goes even when the record has none
    assert fixed.container is None  # not among the differing fields


# --- placing the fixes in a text --------------------------------------------------------------

REFERENCES = """

References

1. Smith, J., Lee, K., & Park, Q. (2018). Deep priors for sparse recovery. *Nature*, 22, 1-30.
2. Doe, J. (2020). A study of sparse things. *Science*, 5, 1-2.
"""
RECORD = Record(
    source="crossref",
    id="10.5555/right",
    fields=Fields(
        title="Deep priors for sparse recovery",
        authors=[Author(family="Smith", given="Jane"), Author(family="Lee", given="Kwan")],
        year=2019,
        container="Nature",
        volume="22",
        pages="1-30",
    ),
)


def report_of(text: str, verdicts: dict[str, Finding]) -> tuple[Report, list[Citation]]:
    """A report of `text` whose claims starting with a key get that key's verdict (the
    rest are verified)."""
    extraction = extract_all(text)
    items = []
    for citation in extraction.citations:
        if citation.kind is Kind.INLINE:
            continue
        key = next((k for k in verdicts if citation.raw.startswith(k)), None)
        verdict = (
            verdicts[key].verdict
            if key
            else Verdict(status=Status.VERIFIED, confidence=1, reason="ok")
        )
        items.append(Finding(citation=citation, verdict=verdict))
    return Report(items=items), extraction.citations


def near_miss() -> Finding:
    diffs = [
        FieldDiff(field="authors", claimed=["Smith", "Lee", "Park"], found=["Smith", "Lee"]),
        FieldDiff(field="year", claimed=2018, found=2019),
    ]
    return finding("", Status.MISMATCH, record=RECORD, diffs=diffs)


def test_in_text_citations_follow_their_corrected_entry() -> None:
    text = "Priors help (Smith et al., 2018). Smith et al. (2018) agree (Doe, 2020)." + REFERENCES
    report, _ = report_of(text, {"Smith": near_miss()})
    fixed = apply(text, plan(text, report).edits)
    assert fixed.startswith(
        "Priors help (Smith & Lee, 2019). Smith and Lee (2019) agree (Doe, 2020)."
    )
    assert "1. Smith, J., & Lee, K. (2019). Deep priors for sparse recovery." in fixed


def test_the_entrys_correction_wins_over_its_in_text_citations_own() -> None:
    text = "Priors help (Smith et al., 2017)." + REFERENCES
    report, citations = report_of(text, {"Smith": near_miss()})
    cite = next(c for c in citations if c.kind is Kind.INLINE)
    year = [FieldDiff(field="year", claimed=2017, found=2018, suggestion=2018)]
    report.items.append(
        finding(cite.raw, Status.MISMATCH, kind=Kind.INLINE, diffs=year, start=cite.start)
    )
    fixed = apply(text, plan(text, report).edits)
    assert fixed.startswith("Priors help (Smith & Lee, 2019).")


def test_two_removed_entries_in_one_range_leave_the_rest_of_it() -> None:
    text = "Priors help [1-4].\n\nReferences\n\n" + "".join(
        f'[{n}] A. Author{n}, "A study number {n} of things," Science, vol. {n}, pp. 1-2, 2020.\n'
        for n in range(1, 5)
    )
    fabricated = finding("", Status.NOT_FOUND)
    report, _ = report_of(text, {"A. Author2": fabricated, "A. Author3": fabricated})
    fixed = apply(text, plan(text, report).edits)
    assert fixed.startswith("Priors help [1, 4].")
    assert "Author2" not in fixed and "Author3" not in fixed and "[4] A. Author4" in fixed


def test_a_fix_is_placed_only_for_the_statuses_asked() -> None:
    text = "Priors help (Doe, 2020)." + REFERENCES
    report, _ = report_of(text, {"Doe": finding("", Status.NOT_FOUND)})
    assert plan(text, report, fail_on=[Status.MISMATCH]).edits == []
    assert plan(text, report).edits != []


def test_an_entry_marked_in_the_middle_of_a_list_leaves_its_neighbours_as_they_were() -> None:
    text = "Priors help (Doe, 2020).\n\nReferences\n\n" + "".join(
        f"{n}. Author{n}, A. (2020). A study number {n} of things. *Science*, {n}, 1-2.\n"
        for n in range(1, 4)
    )
    report, citations = report_of(text, {"Author2": finding("", Status.NOT_FOUND)})
    fixed = apply(text, plan(text, report, fabricated=Fabricated.MARK).edits)
    assert "<!-- factcheck: commented out: likely fabricated: the reason\n2. Author2" in fixed
    before = [c.raw for c in citations if c.kind is Kind.REFERENCE]
    after = [c.raw for c in extract_all(fixed).citations if c.kind is Kind.REFERENCE]
    assert after == [before[0], before[2]]
