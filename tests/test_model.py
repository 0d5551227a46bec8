import json

import pytest

from factcheck.model import (
    Author,
    Citation,
    FieldDiff,
    Fields,
    Finding,
    Kind,
    Location,
    Record,
    Report,
    Status,
    Summary,
    Verdict,
)


def _finding(status: Status, kind: Kind = Kind.DOI, doi: str = "10.1/x") -> Finding:
    citation = Citation(kind=kind, raw=doi, start=0, end=len(doi), fields=Fields(doi=doi))
    return Finding(citation=citation, verdict=Verdict(status=status, confidence=0.5, reason="r"))


def test_report_summary_counts_statuses_and_kinds() -> None:
    report = Report(
        items=[
            _finding(Status.VERIFIED),
            _finding(Status.NOT_FOUND),
            _finding(Status.NOT_FOUND, Kind.URL),
        ]
    )
    assert report.summary.total == 3
    assert report.summary.not_found == 2
    assert report.summary.verified == 1
    assert report.summary.by_kind == {"doi": 2, "url": 1}


def test_ok_follows_fail_on() -> None:
    report = Report(items=[_finding(Status.UNVERIFIABLE), _finding(Status.MISMATCH)])
    assert not report.ok
    assert [f.verdict.status for f in report.failures()] == [Status.MISMATCH]
    report.fail_on = [Status.NOT_FOUND]
    assert report.ok


def test_report_json_round_trip_is_lossless() -> None:
    record = Record(
        source="crossref",
        id="10.1/x",
        fields=Fields(title="T", authors=[Author(family="Lee", given="K")], year=2020),
    )
    verdict = Verdict(
        status=Status.MISMATCH,
        confidence=0.9,
        reason="other work",
        source="crossref",
        record=record,
        diffs=[FieldDiff(field="title", claimed="A", found="T")],
        flags=["retracted"],
    )
    citation = Citation(
        kind=Kind.DOI,
        raw="doi:10.1/x",
        start=4,
        end=14,
        fields=Fields(doi="10.1/x"),
        context="A. 2020.",
    )
    report = Report(path="a.md", items=[Finding(citation=citation, verdict=verdict)])
    dumped = report.model_dump_json()
    again = Report.model_validate_json(dumped)
    assert again == report
    assert again.model_dump_json() == dumped


@pytest.mark.parametrize("dump", ["json", "python"])
def test_a_location_is_written_only_when_known(dump: str) -> None:
    def written(citation: Citation) -> dict[str, object]:
        data = citation.model_dump(mode=dump)
        return json.loads(citation.model_dump_json()) if dump == "json" else data

    plain = Citation(kind=Kind.DOI, raw="10.1/x", start=0, end=6, fields=Fields(doi="10.1/x"))
    placed = plain.model_copy(update={"location": Location(page=2, line=7)})
    assert "location" not in written(plain)
    assert list(written(plain))[-1] == "label"  # the other keys, in their order
    assert written(placed)["location"] == {"page": 2, "file": None, "line": 7}
    report = Report(
        items=[
            Finding(
                citation=plain, verdict=Verdict(status=Status.VERIFIED, confidence=1, reason="r")
            )
        ]
    )
    assert "location" not in report.model_dump_json()
    assert Citation.model_validate_json(placed.model_dump_json()) == placed


def test_identifier_keys_ignore_case_but_urls_do_not() -> None:
    a = Citation(kind=Kind.DOI, raw="10.1/ABC", start=0, end=8, fields=Fields(doi="10.1/ABC"))
    b = Citation(kind=Kind.DOI, raw="10.1/abc", start=9, end=17, fields=Fields(doi="10.1/abc"))
    assert a.key == b.key
    u1 = Citation(
        kind=Kind.URL, raw="https://x.org/A", start=0, end=15, fields=Fields(url="https://x.org/A")
    )
    u2 = Citation(
        kind=Kind.URL, raw="https://x.org/a", start=0, end=15, fields=Fields(url="https://x.org/a")
    )
    assert u1.key != u2.key


def test_summary_merge_adds_up() -> None:
    one = Summary(total=2, verified=1, not_found=1, by_kind={"doi": 2})
    two = Summary(total=1, mismatch=1, by_kind={"doi": 1})
    merged = one.merge(two)
    assert (merged.total, merged.verified, merged.mismatch, merged.not_found) == (3, 1, 1, 1)
    assert merged.by_kind == {"doi": 3}


def test_author_display() -> None:
    assert Author(family="Lee", given="K.").display() == "Lee, K."
    assert Author(name="WHO").display() == "WHO"
