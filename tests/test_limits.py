"""The bounds on one check: text size, claims per text and the deadline, each reported
clearly and none dropping a claim silently."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from fakes.server import FakeApi, sleep

from factcheck import Checker
from factcheck.cli import main
from factcheck.config import DEFAULT_DEADLINE_SECONDS, Config
from factcheck.errors import InputError, TextTooLarge
from factcheck.extract import extract_all
from factcheck.extract.parser import ready_within
from factcheck.flags import DEADLINE, UNREAD
from factcheck.model import Citation, Extraction, Fields, Kind, Record, Report, Status
from factcheck.pipeline import run
from factcheck.resolve.base import Lookup

pytestmark = pytest.mark.integration

PLOS = "10.1371/journal.pone.0033693"
DELPHI = "10.1371/journal.pone.0020476"
SLOW_SECONDS = 1.5
DEADLINE_SECONDS = 0.4
# What returning "promptly" allows past the deadline: judging and thread hand-over.
PROMPT_SECONDS = 0.5
# ... and when the deadline passes while the text is read: the chunk of entries being
# parsed, and the finders that run after it, each up to its first candidate. Reading the
# whole of `slow_to_read(READ_ENTRIES)` takes some twenty seconds.
READ_PROMPT_SECONDS = 1.0
READ_ENTRIES = 20_000
POLL_SECONDS = 0.1


@pytest.fixture(autouse=True)
def _clean(fake_api: FakeApi) -> None:
    fake_api.reset()


def crossref_only(api: FakeApi, **overrides: object) -> Config:
    """Crossref alone, in its polite pool (3 requests at once), so that one slow answer
    does not hold the others up at the rate limiter."""
    return api.config(sources=("crossref",), mailto="test@example.org", **overrides)


def statuses(report: Report) -> dict[str, Status]:
    return {f.citation.raw: f.verdict.status for f in report.items}


# --- text size --------------------------------------------------------------------------------


def test_a_text_over_max_text_chars_is_refused_whole(fake_api: FakeApi) -> None:
    text = f"doi:{PLOS} " + "x" * 100
    config = crossref_only(fake_api, max_text_chars=len(text) - 1)
    with Checker(config) as checker, pytest.raises(TextTooLarge) as refused:
        checker.check(text, path="big.md")
    assert isinstance(refused.value, InputError)
    assert "big.md" in str(refused.value)
    assert f"{len(text):,} characters" in str(refused.value)
    assert "FACTCHECK_MAX_TEXT_CHARS" in str(refused.value)
    assert fake_api.hits(f"/crossref/works/{PLOS}") == 0


def test_a_text_at_the_limit_is_checked(fake_api: FakeApi) -> None:
    text = f"doi:{PLOS}"
    with Checker(crossref_only(fake_api, max_text_chars=len(text))) as checker:
        assert statuses(checker.check(text)) == {text: Status.VERIFIED}


def test_the_command_reports_a_too_long_file_and_checks_the_others(
    fake_api: FakeApi, tmp_path: Path
) -> None:
    small = tmp_path / "small.md"
    small.write_text(f"doi:{PLOS}\n", encoding="utf-8")
    big = tmp_path / "big.md"
    big.write_text(f"doi:{PLOS}\n" + "word " * 100, encoding="utf-8")
    env = {
        "FACTCHECK_CROSSREF_URL": f"{fake_api.url}/crossref",
        "FACTCHECK_CACHE": "none",
        "FACTCHECK_MAX_TEXT_CHARS": "200",
    }
    args = ["--format", "json", "--sources", "crossref", str(big), str(small)]
    result = CliRunner().invoke(main, args, env=env)
    assert result.exit_code == 2
    [line] = result.stderr.strip().splitlines()
    assert str(big) in line and "more than the limit of 200" in line
    # The refused file keeps its place in the JSON, with its error (tests/test_cli_inputs.py).
    files = json.loads(result.stdout)["files"]
    assert [f["path"] for f in files] == [str(big), str(small)]
    assert "more than the limit of 200" in files[0]["error"]
    assert files[1]["summary"]["total"] == 1


def test_max_text_chars_comes_from_the_environment() -> None:
    env = {"FACTCHECK_MAX_TEXT_CHARS": "50", "FACTCHECK_MAX_REFERENCES": "3"}
    config = Config.load(env=env)
    assert (config.max_text_chars, config.max_references) == (50, 3)
    assert Config.load(env={"FACTCHECK_DEADLINE": "2.5"}).deadline == 2.5
    # A check has a deadline unless it is turned off (batch jobs have none, see below).
    assert Config.load(env={}).deadline == DEFAULT_DEADLINE_SECONDS
    for off in ("none", "off", "0"):
        assert Config.load(env={"FACTCHECK_DEADLINE": off}).deadline is None


# --- claims per text ------------------------------------------------------------------------


def test_claims_past_max_references_are_reported_as_the_unread_rest(fake_api: FakeApi) -> None:
    """The text is read up to its first `max_references` claims; the rest of it, from the
    first claim over the limit, is one unverifiable item (not one per claim: a text of
    400,000 DOIs must not cost 400,000 findings)."""
    dois = [f"10.9999/n{i}" for i in range(5)]
    text = " ".join(f"doi:{doi}" for doi in dois)
    with Checker(crossref_only(fake_api, max_references=2)) as checker:
        report = checker.check(text)
    assert [f.citation.raw for f in report.items[:2]] == [f"doi:{doi}" for doi in dois[:2]]
    [rest] = report.items[2:]
    assert rest.citation.kind is Kind.REFERENCE
    assert rest.citation.start == text.index(f"doi:{dois[2]}")
    assert rest.citation.raw == text[rest.citation.start :]
    assert rest.citation.end == len(text)
    assert rest.verdict.status is Status.UNVERIFIABLE
    assert rest.verdict.flags == [UNREAD]
    assert "limit of 2 references per text" in rest.verdict.reason
    assert [fake_api.hits(f"/crossref/works/{doi}") for doi in dois] == [1, 1, 0, 0, 0]


@pytest.mark.parametrize("limit", [1, 3, 20])
def test_the_unread_rest_is_one_item_however_many_claims_follow(
    fake_api: FakeApi, limit: int
) -> None:
    dois = [f"10.9999/many{i}" for i in range(3_000)]
    text = "\n".join(f"- see doi:{doi} and https://x.invalid/{i}" for i, doi in enumerate(dois))
    config = crossref_only(fake_api, max_references=limit, max_lookups=1, max_urls=0)
    with Checker(config) as checker:
        report = checker.check(text)
    every = extract_all(text).citations
    *claims, rest = report.items
    assert [f.citation for f in claims] == every[:limit]
    assert rest.verdict.flags == [UNREAD]
    assert rest.citation.start == every[limit].start
    assert rest.citation.raw == text[rest.citation.start :]
    assert report.summary.total == limit + 1


def test_the_command_reports_the_unread_rest_in_its_json(fake_api: FakeApi) -> None:
    """The unread part is an item of the JSON contract like any other: a `reference` with its
    span and raw text, and an `unverifiable` verdict flagged `unread`."""
    text = " ".join(f"doi:10.9999/j{i}" for i in range(10))
    env = {
        "FACTCHECK_CROSSREF_URL": f"{fake_api.url}/crossref",
        "FACTCHECK_CACHE": "none",
        "FACTCHECK_MAX_REFERENCES": "4",
    }
    args = ["--format", "json", "--sources", "crossref", "--fail-on", "unverifiable", "-"]
    result = CliRunner().invoke(main, args, input=text, env=env)
    assert result.exit_code == 1
    [checked] = json.loads(result.stdout)["files"]
    rest = checked["items"][-1]
    assert set(rest) >= {"citation", "verdict"}
    assert rest["citation"]["kind"] == "reference"
    assert rest["citation"]["raw"] == text[rest["citation"]["start"] : rest["citation"]["end"]]
    assert rest["citation"]["end"] == len(text)
    assert rest["verdict"]["status"] == "unverifiable"
    assert rest["verdict"]["flags"] == ["unread"]
    assert "limit of 4 references per text" in rest["verdict"]["reason"]
    assert len(checked["items"]) == 5


def test_batches_read_each_record_up_to_the_limit(fake_api: FakeApi) -> None:
    records = [" ".join(f"doi:10.9999/b{n}-{i}" for i in range(6)) for n in range(3)]
    results = list(run(records, config=crossref_only(fake_api, max_references=2)))
    for text, result in zip(records, results, strict=True):
        assert result.report is not None
        *claims, rest = result.report.items
        assert [f.citation.raw for f in claims] == text.split()[:2]
        assert rest.verdict.flags == [UNREAD]
        assert rest.citation.raw == text[rest.citation.start :]


def test_the_reference_and_lookup_limits_each_name_themselves(fake_api: FakeApi) -> None:
    text = " ".join(f"doi:10.9999/m{i}" for i in range(4))
    with Checker(crossref_only(fake_api, max_references=3, max_lookups=2)) as checker:
        reasons = [f.verdict.reason for f in checker.check(text).items]
    assert ["lookups per text" in r for r in reasons] == [False, False, True, False]
    assert ["references per text" in r for r in reasons] == [False, False, False, True]


# --- the deadline ---------------------------------------------------------------------------


def test_the_deadline_reports_what_is_unanswered_and_returns_promptly(
    fake_api: FakeApi, tmp_path: Path
) -> None:
    fake_api.inject(f"/crossref/works/{DELPHI}", sleep(SLOW_SECONDS))
    config = crossref_only(fake_api, cache=str(tmp_path / "http.sqlite"), deadline=DEADLINE_SECONDS)
    checker = Checker(config)
    started = time.monotonic()
    with checker:  # closing, too, leaves the straggler running
        report = checker.check(f"doi:{PLOS} and doi:{DELPHI}")
    assert time.monotonic() - started < DEADLINE_SECONDS + PROMPT_SECONDS
    assert statuses(report) == {
        f"doi:{PLOS}": Status.VERIFIED,
        f"doi:{DELPHI}": Status.UNVERIFIABLE,
    }
    late = report.items[1].verdict
    assert late.flags == [DEADLINE]
    assert "deadline of 0.4 s" in late.reason
    # The straggler finishes in the background, and its answer is kept for the next check.
    assert kept(config.model_copy(update={"offline": True, "deadline": None}), f"doi:{DELPHI}")
    assert fake_api.hits(f"/crossref/works/{DELPHI}") == 1


def kept(offline: Config, text: str) -> bool:
    """Whether the caches come to answer `text`, within the straggler's time."""
    give_up = time.monotonic() + SLOW_SECONDS + PROMPT_SECONDS
    while time.monotonic() < give_up:
        with Checker(offline) as checker:
            if checker.check(text).items[0].verdict.status is Status.VERIFIED:
                return True
        time.sleep(POLL_SECONDS)
    return False


def test_the_deadline_holds_for_acheck(fake_api: FakeApi) -> None:
    # A DOI of its own: the straggler outlives the test, and must not count in another.
    slow = "10.9999/slow-for-acheck"
    fake_api.inject(f"/crossref/works/{slow}", sleep(SLOW_SECONDS))
    with Checker(crossref_only(fake_api, deadline=DEADLINE_SECONDS)) as checker:
        started = time.monotonic()
        report = asyncio.run(checker.acheck(f"doi:{slow}"))
        elapsed = time.monotonic() - started
    assert elapsed < DEADLINE_SECONDS + PROMPT_SECONDS
    assert report.items[0].verdict.flags == [DEADLINE]


def test_a_deadline_passed_before_any_lookup_asks_nothing(fake_api: FakeApi) -> None:
    text = f"doi:{PLOS}"
    with Checker(crossref_only(fake_api, deadline=1.0)) as checker:
        extraction = checker.extract(text)
        report = checker.verify_extraction(extraction, started=time.monotonic() - 2.0)
    assert report.items[0].verdict.status is Status.UNVERIFIABLE
    assert report.items[0].verdict.flags == [DEADLINE]
    assert fake_api.hits(f"/crossref/works/{PLOS}") == 0


def test_answers_already_kept_beat_any_deadline(fake_api: FakeApi, tmp_path: Path) -> None:
    config = crossref_only(fake_api, cache=str(tmp_path / "http.sqlite"))
    with Checker(config) as checker:
        checker.check(f"doi:{PLOS}")
    with Checker(config.model_copy(update={"deadline": 1.0})) as checker:
        extraction = checker.extract(f"doi:{PLOS}")
        report = checker.verify_extraction(extraction, started=time.monotonic() - 2.0)
    assert report.items[0].verdict.status is Status.VERIFIED


def test_a_late_search_for_the_published_version_is_a_deadline_verdict() -> None:
    raw = "Yin, H. (2023). A study. Nature 12. arXiv:2311.16162"
    fields = Fields(title="A study", container="Nature", year=2023, arxiv="2311.16162")
    entry = Citation(kind=Kind.REFERENCE, raw=raw, start=0, end=len(raw), fields=fields)
    preprint = Record(source="arxiv", id="2311.16162", fields=Fields(title="A study"))
    with Checker(Config.load(env={}, cache="none", deadline=1.0)) as checker:
        resolved = checker.resolve_extractions([])
        resolved.lookups["arxiv:2311.16162"] = [Lookup.found("arxiv", preprint)]
        resolved.late.add(entry.key)
        report = checker.judge_extraction(Extraction(citations=[entry]), resolved)
    assert report.items[0].verdict.status is Status.UNVERIFIABLE
    assert report.items[0].verdict.flags == [DEADLINE]


def test_batches_have_no_deadline(fake_api: FakeApi) -> None:
    fake_api.inject(f"/crossref/works/{DELPHI}", sleep(DEADLINE_SECONDS * 2))
    config = crossref_only(fake_api, deadline=DEADLINE_SECONDS)
    [result] = list(run([f"doi:{DELPHI}"], config=config))
    assert result.report is not None
    assert result.report.items[0].verdict.status is Status.VERIFIED


def slow_to_read(entries: int) -> str:
    """A reference list of distinct entries: the parser takes about a millisecond each.
    (The parser is loaded first: a first load goes on past a deadline in a thread of its
    own, and would slow down what is timed; tests/test_extract_bounds.py covers it.)"""
    ready_within(None)
    lines = [
        f"{i % 999 + 1}. Author{i}, J., & Other{i}, K. ({1950 + i % 70}). Title number {i} of"
        f" a study. *Journal {i}*, {i % 90}(2), 1-{i % 80 + 10}."
        for i in range(entries)
    ]
    return "## References\n\n" + "\n".join(lines) + "\n\nAnd doi:10.9999/last at the end."


def test_the_deadline_covers_extraction(fake_api: FakeApi) -> None:
    """Reading a long text stops at the deadline: the call returns promptly, and the part
    not read is one unverifiable item flagged `deadline` and `unread`."""
    text = slow_to_read(READ_ENTRIES)
    config = crossref_only(fake_api, deadline=DEADLINE_SECONDS, max_references=2 * READ_ENTRIES)
    with Checker(config) as checker:
        started = time.monotonic()
        report = checker.check(text)
        elapsed = time.monotonic() - started
    assert elapsed < DEADLINE_SECONDS + READ_PROMPT_SECONDS
    rest = report.items[-1]
    assert rest.verdict.status is Status.UNVERIFIABLE
    assert rest.verdict.flags == [DEADLINE, UNREAD]
    assert "deadline of 0.4 s" in rest.verdict.reason
    assert rest.citation.raw == text[rest.citation.start :]
    assert "doi:10.9999/last" in rest.citation.raw
    assert all(f.citation.end <= rest.citation.start for f in report.items[:-1])


def test_the_guard_reads_within_the_deadline(fake_api: FakeApi) -> None:
    """The guard extracts inside the guarded call: its reading stops at the deadline too."""
    from factcheck import guard, last_report

    text = slow_to_read(READ_ENTRIES)
    config = crossref_only(fake_api, deadline=DEADLINE_SECONDS, max_references=2 * READ_ENTRIES)
    with Checker(config) as checker:

        @guard(checker=checker)
        def answer() -> str:
            return text

        started = time.monotonic()
        assert answer() == text
        elapsed = time.monotonic() - started
    assert elapsed < DEADLINE_SECONDS + READ_PROMPT_SECONDS
    report = last_report()
    assert report is not None
    assert report.items[-1].verdict.flags == [DEADLINE, UNREAD]
    assert fake_api.hits("/crossref/works/10.9999/last") == 0


def test_the_guard_with_a_passed_deadline_asks_nothing(fake_api: FakeApi) -> None:
    from factcheck import guard, last_report

    with Checker(crossref_only(fake_api, deadline=1e-9)) as checker:

        @guard(checker=checker, on_fail="exception", fail_on=["unverifiable"])
        def answer() -> str:
            return f"See doi:{PLOS}."

        assert answer() == f"See doi:{PLOS}."
    report = last_report()
    assert report is not None
    [rest] = report.items
    assert (rest.citation.start, rest.citation.raw) == (0, f"See doi:{PLOS}.")
    assert rest.verdict.flags == [DEADLINE, UNREAD]
    assert fake_api.hits(f"/crossref/works/{PLOS}") == 0
