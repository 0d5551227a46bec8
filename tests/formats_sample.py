"""A fixed pair of checked texts and their findings, for the report-format tests.

Built from model objects, not by running the checker, so that the golden files change only
when a format does. Together they hold every status, nested claims (an entry and its DOI),
an in-text citation, links inside Markdown link syntax, a suggested fix and an archived
copy, and a plain text with CRLF line ends and non-ASCII characters before a claim.
"""

from __future__ import annotations

from typing import Any

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

PAPER_PATH = "docs/paper.md"
PAPER = """\
# Notes on sparse recovery

Deep priors help sparse recovery (Smith & Lee, 2018). The data are
[on the web](https://example.org/gone) and <https://example.org/ok>.

## References

1. Sadasivan, S. (2012). Methylphenidate exposure. *PLoS ONE*. doi:10.1371/journal.pone.0033693
2. Smith, J., & Lee, K. (2019). Deep priors. *Nat. Neurosci.* 22. doi:10.1038/srep16696
3. Zhang, W. (2021). Graph attention for protein folding. doi:10.1371/notarealdoi
4. Doe, J. (2020). A study nobody can check. Acme Press.
"""

STDIN_PATH = "-"
NOTES = (
    "Fact: arXiv:2101.00001v9 says so.\r\nAlso café → doi:10.5555/missing-ünïcode, see there.\r\n"
)

TITLE = "Single-molecule FRET studies on alpha-synuclein oligomerization"
# The work the Smith entry describes, which a search found: its DOI replaces the wrong one.
MEANT_DOI = "10.1038/s41593-019-0001-1"
SUGGESTION = (
    f"Smith, J., Lee, K., & Park, Q. (2020). Deep priors. *Nat. Neurosci.* 23. doi:{MEANT_DOI}"
)
ARCHIVED = "https://web.archive.org/web/2020/https://example.org/gone"


def span(text: str, raw: str) -> tuple[int, int]:
    start = text.index(raw)
    assert text.count(raw) == 1, raw
    return start, start + len(raw)


def entry(text: str, marker: str) -> str:
    """The bibliography entry that begins with `marker`, to the end of its line."""
    start = text.index(marker)
    return text[start : text.index("\n", start)]


def finding(
    text: str,
    raw: str,
    kind: Kind,
    status: Status,
    reason: str,
    *,
    fields: Fields | None = None,
    **verdict: Any,
) -> Finding:
    start, end = span(text, raw)
    extras = {k: verdict.pop(k) for k in ("suggestion", "archived_url") if k in verdict}
    citation = Citation(kind=kind, raw=raw, start=start, end=end, fields=fields or Fields())
    confidence = verdict.pop("confidence", 0.9)
    return Finding(
        citation=citation,
        verdict=Verdict(status=status, confidence=confidence, reason=reason, **verdict),
        **extras,
    )


def smith_record() -> Record:
    return Record(
        source="crossref",
        id="10.1038/srep16696",
        fields=Fields(
            title=TITLE,
            authors=[
                Author(family="Tosatto", given="Laura"),
                Author(family="Horrocks", given="Mathew H."),
                Author(family="Dear", given="Alexander J."),
                Author(family="Knowles", given="Tuomas P. J."),
            ],
            year=2015,
            container="Scientific Reports",
            volume="5",
            doi="10.1038/srep16696",
        ),
    )


def meant_record() -> Record:
    return Record(
        source="crossref",
        id=MEANT_DOI,
        fields=Fields(
            title="Deep priors",
            authors=[
                Author(family="Smith", given="Jane"),
                Author(family="Lee", given="Kwan"),
                Author(family="Park", given="Quinn"),
            ],
            year=2020,
            container="Nature Neuroscience",
            volume="23",
            doi=MEANT_DOI,
        ),
    )


def paper_findings() -> list[Finding]:
    text = PAPER
    sadasivan, smith = entry(text, "Sadasivan"), entry(text, "Smith, J.")
    zhang, doe = entry(text, "Zhang"), entry(text, "Doe, J.")
    plos = Record(
        source="crossref",
        id="10.1371/journal.pone.0033693",
        fields=Fields(
            title="Methylphenidate exposure",
            authors=[Author(family="Sadasivan", given="S.")],
            year=2012,
            container="PLoS ONE",
            doi="10.1371/journal.pone.0033693",
        ),
    )
    smith_fields = Fields(
        title="Deep priors",
        authors=[Author(family="Smith", given="J."), Author(family="Lee", given="K.")],
        year=2019,
        container="Nat. Neurosci.",
        volume="22",
        doi="10.1038/srep16696",
    )
    record = smith_record()
    meant = meant_record()
    diffs = [
        FieldDiff(field="title", claimed=smith_fields.title, found=TITLE, suggestion=TITLE),
    ]
    gone = "https://example.org/gone"
    return [
        finding(
            text,
            "(Smith & Lee, 2018)",
            Kind.INLINE,
            Status.MISMATCH,
            "cited as (Smith & Lee, 2018), but its entry disagrees: year 2019",
            fields=Fields(year=2018),
            confidence=0.8,
            diffs=[FieldDiff(field="year", claimed=2018, found=2019, suggestion=2019)],
            flags=["year_mismatch"],
        ),
        finding(
            text,
            gone,
            Kind.URL,
            Status.NOT_FOUND,
            "example.org answered 404: the page does not exist",
            fields=Fields(url=gone),
            source="url",
            archived_url=ARCHIVED,
        ),
        finding(
            text,
            "https://example.org/ok",
            Kind.URL,
            Status.VERIFIED,
            "the page answered HTTP 200",
            fields=Fields(url="https://example.org/ok"),
            source="url",
            confidence=0.98,
            record=Record(
                source="url",
                id="https://example.org/ok",
                url="https://example.org/ok",
                http={"status": 200, "final_url": "https://example.org/ok", "title": "OK"},
            ),
        ),
        finding(
            text,
            sadasivan,
            Kind.REFERENCE,
            Status.VERIFIED,
            "10.1371/journal.pone.0033693 is “Methylphenidate exposure”; title, authors, year, "
            "container as claimed (crossref)",
            fields=plos.fields,
            source="crossref",
            confidence=0.98,
            record=plos,
        ),
        finding(
            text,
            "doi:10.1371/journal.pone.0033693",
            Kind.DOI,
            Status.VERIFIED,
            "doi:10.1371/journal.pone.0033693 is “Methylphenidate exposure”, as the text says "
            "(crossref)",
            fields=Fields(doi="10.1371/journal.pone.0033693"),
            source="crossref",
            confidence=0.98,
            record=plos,
        ),
        finding(
            text,
            smith,
            Kind.REFERENCE,
            Status.MISMATCH,
            f"10.1038/srep16696 belongs to another work (“{TITLE}”); the work cited is "
            f"“Deep priors”, {MEANT_DOI} (crossref)",
            fields=smith_fields,
            source="crossref",
            confidence=0.95,
            record=meant,
            diffs=[
                FieldDiff(
                    field="doi", claimed="10.1038/srep16696", found=MEANT_DOI, suggestion=MEANT_DOI
                ),
                FieldDiff(
                    field="authors",
                    claimed=["Smith, J.", "Lee, K."],
                    found=["Smith, Jane", "Lee, Kwan", "Park, Quinn"],
                    suggestion=["Smith, Jane", "Lee, Kwan", "Park, Quinn"],
                ),
                FieldDiff(field="year", claimed=2019, found=2020, suggestion=2020),
                FieldDiff(field="volume", claimed="22", found="23", suggestion="23"),
            ],
            flags=["wrong_identifier"],
            suggestion=SUGGESTION,
        ),
        finding(
            text,
            "doi:10.1038/srep16696",
            Kind.DOI,
            Status.MISMATCH,
            f"doi:10.1038/srep16696 belongs to another work: “{TITLE}” (crossref)",
            fields=Fields(doi="10.1038/srep16696"),
            source="crossref",
            confidence=0.95,
            record=record,
            diffs=[diffs[0]],
        ),
        finding(
            text,
            zhang,
            Kind.REFERENCE,
            Status.NOT_FOUND,
            "doi.org has no record of 10.1371/notarealdoi",
            fields=Fields(
                title="Graph attention for protein folding",
                authors=[Author(family="Zhang", given="W.")],
                year=2021,
                doi="10.1371/notarealdoi",
            ),
            source="doi",
            confidence=0.95,
        ),
        finding(
            text,
            "doi:10.1371/notarealdoi",
            Kind.DOI,
            Status.NOT_FOUND,
            "doi.org has no record of 10.1371/notarealdoi",
            fields=Fields(doi="10.1371/notarealdoi"),
            source="doi",
            confidence=0.95,
        ),
        finding(
            text,
            doe,
            Kind.REFERENCE,
            Status.UNVERIFIABLE,
            "no configured source covers books from Acme Press",
            fields=Fields(
                title="A study nobody can check",
                authors=[Author(family="Doe", given="J.")],
                year=2020,
                publisher="Acme Press",
            ),
            confidence=0.0,
            flags=["coverage_incomplete", "placeholder_authors"],
        ),
    ]


def notes_findings() -> list[Finding]:
    text = NOTES
    return [
        finding(
            text,
            "arXiv:2101.00001v9",
            Kind.ARXIV,
            Status.MISMATCH,
            "arXiv has no version 2101.00001v9",
            fields=Fields(arxiv="2101.00001v9"),
            source="arxiv",
            confidence=0.95,
            record=Record(
                source="arxiv",
                id="2101.00001v2",
                fields=Fields(title="A preprint", year=2021, arxiv="2101.00001v2"),
            ),
            diffs=[
                FieldDiff(
                    field="arxiv",
                    claimed="2101.00001v9",
                    found="2101.00001v2",
                    suggestion="2101.00001v2",
                )
            ],
            flags=["version_not_found"],
        ),
        finding(
            text,
            "doi:10.5555/missing-ünïcode",
            Kind.DOI,
            Status.NOT_FOUND,
            "doi.org has no record of 10.5555/missing-ünïcode",
            fields=Fields(doi="10.5555/missing-ünïcode"),
            source="doi",
            confidence=0.95,
        ),
    ]


def reports() -> list[Report]:
    return [
        Report(path=PAPER_PATH, items=paper_findings()),
        Report(path=STDIN_PATH, items=notes_findings()),
    ]


TEXTS = {PAPER_PATH: PAPER, STDIN_PATH: NOTES}
