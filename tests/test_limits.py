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
from factcheck.judge import DEADLINE
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


def test_claims_past_max_references_are_reported_unverifiable(fake_api: FakeApi) -> None:
    dois = [f"10.9999/n{i}" for i in range(5)]
    text = " ".join(f"doi:{doi}" for doi in dois)
    with Checker(crossref_only(fake_api, max_references=2)) as checker:
        report = checker.check(text)
    assert len(report.items) == len(dois)
    limited = [f for f in report.items if "limit of 2 references per text" in f.verdict.reason]
    assert [f.citation.raw for f in limited] == [f"doi:{doi}" for doi in dois[2:]]
    assert all(f.verdict.status is Status.UNVERIFIABLE for f in limited)
    assert [fake_api.hits(f"/crossref/works/{doi}") for doi in dois] == [1, 1, 0, 0, 0]


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
    with Checker(crossref_only(fake_api, deadline=1e-9)) as checker:
        report = checker.check(f"doi:{PLOS}")
    assert report.items[0].verdict.status is Status.UNVERIFIABLE
    assert report.items[0].verdict.flags == [DEADLINE]
    assert fake_api.hits(f"/crossref/works/{PLOS}") == 0


def test_answers_already_kept_beat_any_deadline(fake_api: FakeApi, tmp_path: Path) -> None:
    config = crossref_only(fake_api, cache=str(tmp_path / "http.sqlite"))
    with Checker(config) as checker:
        checker.check(f"doi:{PLOS}")
    with Checker(config.model_copy(update={"deadline": 1e-9})) as checker:
        report = checker.check(f"doi:{PLOS}")
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
