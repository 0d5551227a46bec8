"""`Checker.iter_check`: the findings of `check`, each yielded as soon as it is decided."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakes.server import FakeApi, sleep

from factcheck.checker import Checker
from factcheck.errors import TextTooLarge
from factcheck.model import Finding

ANSWERS = sorted((Path(__file__).parent.parent / "fixtures" / "answers").glob("*.md"))
PLOS = "10.1371/journal.pone.0033693"
WAKEFIELD = "10.1016/S0140-6736(97)11096-0"
SLOW_SECONDS = 1.5


@pytest.fixture(autouse=True)
def _clean(fake_api: FakeApi) -> None:
    fake_api.reset()


def key(finding: Finding) -> tuple[int, int, str]:
    return finding.citation.start, finding.citation.end, finding.citation.kind.value


def dumped(findings: list[Finding]) -> list[dict[str, object]]:
    return [f.model_dump(mode="json") for f in sorted(findings, key=key)]


@pytest.mark.parametrize("answer", ANSWERS, ids=lambda p: p.stem)
def test_the_same_findings_as_check(fake_api: FakeApi, answer: Path) -> None:
    text = answer.read_text(encoding="utf-8")
    # Searching sources, but none paced at a request a second or slower (DBLP, arXiv), nor
    # real web pages.
    config = fake_api.config(sources=("crossref", "doi", "openalex"), mailto="test@example.org")
    with Checker(config) as checker:
        expected = checker.check(text).items
        streamed = list(checker.iter_check(text))
    assert dumped(streamed) == dumped(expected)


def test_a_fast_answer_is_not_held_back_by_a_slow_one(fake_api: FakeApi) -> None:
    fake_api.inject(f"/crossref/works/{PLOS}", sleep(SLOW_SECONDS))
    text = f"Slow: doi:{PLOS}. Fast: doi:{WAKEFIELD}."
    # With a mailto, Crossref's polite pool allows concurrent requests.
    config = fake_api.config(sources=("crossref", "doi"), mailto="test@example.org")
    with Checker(config) as checker:
        order = [f.citation.fields.doi for f in checker.iter_check(text)]
    assert [doi.lower() for doi in order if doi] == [WAKEFIELD.lower(), PLOS]


def test_the_deadline_ends_the_stream(fake_api: FakeApi) -> None:
    fake_api.inject(f"/crossref/works/{PLOS}", sleep(SLOW_SECONDS * 2))
    text = f"Slow: doi:{PLOS}. Fast: doi:{WAKEFIELD}."
    config = fake_api.config(
        sources=("crossref", "doi"), mailto="test@example.org", deadline=SLOW_SECONDS / 2
    )
    with Checker(config) as checker:
        findings = {f.citation.fields.doi: f.verdict for f in checker.iter_check(text)}
    assert "deadline" in findings[PLOS].flags
    assert findings[PLOS].status.value == "unverifiable"
    assert findings[WAKEFIELD].status.value == "verified"


def test_an_oversized_text_is_refused_before_anything_is_yielded(fake_api: FakeApi) -> None:
    with Checker(fake_api.config(max_text_chars=10)) as checker, pytest.raises(TextTooLarge):
        checker.iter_check("doi:10.1371/journal.pone.0033693")
