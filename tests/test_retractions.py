"""Retractions shown with their date and notice link: Crossref's `updated-by` entries (the
publisher's, and Retraction Watch's, which Crossref carries) become a record's `notices`,
and a verdict on a retracted work says when and where it was retracted."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fakes.recordings import HANDMADE
from fakes.server import FakeApi

from factcheck import Checker
from factcheck.config import Config
from factcheck.judge.verdicts import retraction_note
from factcheck.model import Notice, Record, Status
from factcheck.resolve.library import build_index
from factcheck.resolve.mapping import date_text, update_flags, update_notices

WAKEFIELD = "10.1016/S0140-6736(97)11096-0"
NOTICE = "10.1016/S0140-6736(10)60175-4"
# doi.org's link, each part one encoded path segment (`ids.doi_link`).
NOTICE_LINK = "https://doi.org/10.1016/S0140-6736%2810%2960175-4"


def message() -> dict[str, Any]:
    body: dict[str, Any] = json.loads((HANDMADE / "crossref" / "retracted-work.json").read_bytes())
    return dict(body["message"])


def test_the_publishers_and_retraction_watchs_notices_are_read() -> None:
    notices = update_notices(message())
    assert [(n.kind, n.date, n.doi, n.url) for n in notices] == [
        ("retraction", "2010-02-06", NOTICE, NOTICE_LINK),
        ("retraction", "2010-02-06", NOTICE, NOTICE_LINK),
    ]
    assert [n.source for n in notices] == ["publisher", "retraction-watch"]


@pytest.mark.parametrize(
    "updates",
    [
        [{"type": "new_version", "DOI": "10.1/x", "updated": {"date-parts": [[2020]]}}],
        [{"type": "correction", "DOI": "10.1/x"}],
        ["retraction"],
        {"type": "retraction"},
        None,
    ],
)
def test_other_updates_and_odd_shapes_are_no_notices(updates: Any) -> None:
    assert update_notices({"updated-by": updates}) == []


def test_an_expression_of_concern_is_a_notice_and_a_flag() -> None:
    update = {"type": "expression_of_concern", "DOI": "10.1/eoc", "source": "publisher"}
    record = {"updated-by": [update]}
    assert update_flags(record) == ["expression_of_concern"]
    [notice] = update_notices(record)
    assert (notice.kind, notice.date, notice.url) == (
        "expression_of_concern",
        None,
        "https://doi.org/10.1/eoc",
    )


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        ({"date-parts": [[2010, 2, 6]]}, "2010-02-06"),
        ({"date-parts": [[2010, 2]]}, "2010-02"),
        ({"date-parts": [[2010]]}, "2010"),
        ({"date-parts": [[2010, None, 3]]}, "2010"),
        ({"date-parts": [[None]]}, None),
        ({"date-parts": [["2010"]]}, None),
        ({"date-parts": [[99999]]}, None),
        ({"date-parts": []}, None),
        ("2010-02-06", None),
        (None, None),
    ],
)
def test_dates_as_precise_as_given(date: Any, expected: str | None) -> None:
    assert date_text(date) == expected


def record(*notices: Notice) -> Record:
    return Record(source="crossref", id=WAKEFIELD, flags=["retracted"], notices=list(notices))


@pytest.mark.parametrize(
    ("notices", "expected"),
    [
        (
            [Notice(kind="retraction", date="2010-02-06", doi=NOTICE, url=NOTICE_LINK)],
            f"the work has been retracted on 2010-02-06 (notice: {NOTICE_LINK})",
        ),
        (
            [Notice(kind="retraction", doi=NOTICE, source="retraction-watch")],
            f"the work has been retracted (notice: {NOTICE}, recorded by Retraction Watch)",
        ),
        (
            [Notice(kind="expression_of_concern", date="2009"), Notice(kind="withdrawal")],
            "the work has been retracted",
        ),
        ([], "the work has been retracted"),
    ],
)
def test_the_note_says_when_and_where_when_it_can(notices: list[Notice], expected: str) -> None:
    assert retraction_note(record(*notices)) == expected


@pytest.mark.integration
def test_a_retracted_work_is_verified_with_its_retraction_dated_and_linked(
    fake_api: FakeApi,
) -> None:
    fake_api.reset()
    with Checker(fake_api.config(sources=("crossref",))) as checker:
        [finding] = checker.check(f"See doi:{WAKEFIELD}.").items
    verdict = finding.verdict
    assert verdict.status is Status.VERIFIED
    assert "retracted" in verdict.flags
    assert f"retracted on 2010-02-06 (notice: {NOTICE_LINK})" in verdict.reason
    assert verdict.record is not None
    assert {n.source for n in verdict.record.notices} == {"publisher", "retraction-watch"}


def test_a_library_keeps_the_notices_of_its_works(tmp_path: Path) -> None:
    """A library built from Crossref's work messages (a mirror of its dump) answers with the
    same notices as the API: a retraction is not lost on the way through the index."""
    work = json.loads((HANDMADE / "crossref" / "retracted-work.json").read_text())["message"]
    dump = tmp_path / "works.jsonl"
    dump.write_text(json.dumps(work) + "\n")
    index = tmp_path / "mirror.sqlite"
    build_index([dump], index)
    config = Config.load(env={}, cache="none", library=[index], sources="library", offline=True)
    with Checker(config) as checker:
        [finding] = checker.check(f"See doi:{WAKEFIELD}.").items
    record = finding.verdict.record
    assert record is not None and record.source == "library"
    assert {n.source for n in record.notices} == {"publisher", "retraction-watch"}
    assert f"retracted on 2010-02-06 (notice: {NOTICE_LINK})" in finding.verdict.reason
