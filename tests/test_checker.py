"""The whole flow, text in and verdicts out, against fake APIs and web pages on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import deque
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import unquote

import pytest
from fakes.server import FakeApi, status
from servers import LocalServer, Reply, Seen

from factcheck import Checker
from factcheck.checker import settles
from factcheck.model import Citation, Fields, Finding, Kind, Record, Report, Status
from factcheck.resolve.base import Lookup

pytestmark = pytest.mark.integration

PLOS = "10.1371/journal.pone.0033693"
PLOS_TITLE = (
    "Methylphenidate exposure induces dopamine neuron loss and activation of microglia "
    "in the basal ganglia of mice"
)
DELPHI = "10.1371/journal.pone.0020476"

ANSWER = f"""Some claims (Sadasivan et al., 2012; Yin et al., 2023).

## References

1. Sadasivan, S., et al. (2012). {PLOS_TITLE}. *PLoS ONE*, 7(3). https://doi.org/{PLOS}
2. Smith, J., & Lee, K. (2019). Deep priors for sparse recovery of cortical signals. *Nature
   Neuroscience*, 22, 1–30. doi:{DELPHI}
3. Yin, H., et al. (2023). Leveraging artificial intelligence technology for mapping research to
   sustainable development goals: a case study. doi:10.48550/arXiv.2311.16162
4. A software release on Zenodo: https://doi.org/10.5281/zenodo.48440
5. Zhang, W. (2021). Graph attention for protein folding. doi:10.1371/notarealdoi
6. The same preprint on arXiv: arXiv:2311.16162, and a made-up one, arXiv:2312.99999.
"""


@pytest.fixture(autouse=True)
def _clean(fake_api: FakeApi) -> None:
    fake_api.reset()


def by_raw(report: Report) -> dict[str, Finding]:
    """The identifier and link findings, by their text (entries are tested on their own)."""
    return {f.citation.raw: f for f in report.items if f.citation.kind is not Kind.REFERENCE}


def test_identifier_verdicts_on_fake_sources(fake_api: FakeApi) -> None:
    with Checker(fake_api.config()) as checker:
        report = checker.check(ANSWER, path="answer.md")
    found = by_raw(report)
    expected = {
        f"https://doi.org/{PLOS}": (Status.VERIFIED, "crossref"),
        f"doi:{DELPHI}": (Status.MISMATCH, "crossref"),
        "doi:10.48550/arXiv.2311.16162": (Status.VERIFIED, "doi"),
        "https://doi.org/10.5281/zenodo.48440": (Status.VERIFIED, "doi"),
        "doi:10.1371/notarealdoi": (Status.NOT_FOUND, "doi"),
        "arXiv:2311.16162": (Status.VERIFIED, "doi"),
        # doi.org lacks its DOI, which proves nothing: arXiv, the authority, has no such id.
        "arXiv:2312.99999": (Status.NOT_FOUND, "arxiv"),
    }
    assert {raw: (f.verdict.status, f.verdict.source) for raw, f in found.items()} == expected
    mismatch = found[f"doi:{DELPHI}"].verdict
    assert mismatch.diffs[0].field == "title"
    assert mismatch.diffs[0].claimed == "Deep priors for sparse recovery of cortical signals"
    assert mismatch.diffs[0].found.startswith("Using and Reporting the Delphi Method")
    assert not report.ok
    entries = [f.verdict.status for f in report.items if f.citation.kind is Kind.REFERENCE]
    # Each entry is judged through its identifier: the same verdicts, entry by entry.
    assert entries == [
        Status.VERIFIED,
        Status.MISMATCH,
        Status.VERIFIED,
        Status.VERIFIED,
        Status.NOT_FOUND,
        Status.VERIFIED,
    ]


def test_offsets_slice_back_to_raw(fake_api: FakeApi) -> None:
    with Checker(fake_api.config()) as checker:
        report = checker.check(ANSWER)
    for finding in report.items:
        citation = finding.citation
        assert ANSWER[citation.start : citation.end] == citation.raw


def test_the_same_identifier_is_looked_up_once(fake_api: FakeApi) -> None:
    text = f"doi:{PLOS} and again https://doi.org/{PLOS.upper()} and 10.1371/JOURNAL.pone.0033693"
    with Checker(fake_api.config(sources=("crossref",))) as checker:
        report = checker.check(text)
    assert [f.verdict.status for f in report.items] == [Status.VERIFIED] * 3
    assert fake_api.hits(f"/crossref/works/{PLOS}") == 1


def test_source_trouble_is_unverifiable_never_not_found(fake_api: FakeApi) -> None:
    unknown = "10.1371/notarealdoi"
    fake_api.inject(f"/doi/api/handles/{unknown}", *[status(503)] * 4)
    with Checker(fake_api.config()) as checker:
        [finding] = checker.check(f"doi:{unknown}").items
    assert finding.verdict.status is Status.UNVERIFIABLE
    assert "503" in finding.verdict.reason
    assert "crossref has no record" in finding.verdict.reason


def test_crossref_alone_cannot_say_not_found(fake_api: FakeApi) -> None:
    with Checker(fake_api.config(sources=("crossref",))) as checker:
        [finding] = checker.check("doi:10.1371/notarealdoi").items
    assert finding.verdict.status is Status.UNVERIFIABLE
    assert "coverage_incomplete" in finding.verdict.flags


def test_lookups_per_text_are_bounded(fake_api: FakeApi) -> None:
    text = " ".join(f"doi:10.9999/n{i}" for i in range(5))
    with Checker(fake_api.config(sources=("crossref",), max_lookups=2)) as checker:
        report = checker.check(text)
    reasons = [f.verdict.reason for f in report.items]
    assert sum("limit of 2 lookups" in r for r in reasons) == 3
    assert sum(fake_api.hits(f"/crossref/works/10.9999/n{i}") for i in range(5)) == 2


def test_acheck_gives_the_same_report(fake_api: FakeApi) -> None:
    with Checker(fake_api.config()) as checker:
        sync = checker.check(f"doi:{PLOS}")
        report = asyncio.run(checker.acheck(f"doi:{PLOS}"))
    assert report == sync


# --- URLs ---------------------------------------------------------------------------------


def web_answer(server: LocalServer) -> str:
    server.on("/live", Reply(200, b"<title>Live</title>"))
    server.on("/moved", Reply(301, headers={"Location": "/live"}))
    server.on("/dead", Reply(404, b"<title>Not Found</title>"))
    server.on("/forbidden", Reply(403, b"bot check"))
    server.on("/busy", Reply(429, headers={"Retry-After": "120"}))
    links = ["live", "moved", "dead", "forbidden", "busy"]
    return "\n".join(f"- [{name}]({server.url('/' + name)})" for name in links)


def test_url_verdicts(local_server: LocalServer, tmp_path: Path) -> None:
    text = web_answer(local_server)
    config: dict[str, Any] = {"cache": "none", "allow_private_urls": True, "timeout": 3.0}
    with Checker(sources=("url",), **config) as checker:
        report = checker.check(text)
    verdicts = {f.citation.raw.rsplit("/", 1)[1]: f.verdict for f in report.items}
    assert {k: v.status for k, v in verdicts.items()} == {
        "live": Status.VERIFIED,
        "moved": Status.VERIFIED,
        "dead": Status.NOT_FOUND,
        "forbidden": Status.UNVERIFIABLE,
        "busy": Status.UNVERIFIABLE,
    }
    assert "redirected" in verdicts["moved"].flags
    assert verdicts["moved"].record is not None
    assert verdicts["moved"].record.http["final_url"] == local_server.url("/live")
    assert "403" in verdicts["forbidden"].reason
    assert "429" in verdicts["busy"].reason


def test_private_urls_are_refused_by_default(local_server: LocalServer) -> None:
    local_server.on("/live", Reply(200))
    with Checker(sources=("url",), cache="none", allow_private_urls=False) as checker:
        [finding] = checker.check(f"see {local_server.url('/live')}").items
    assert finding.citation.kind is Kind.URL
    assert finding.verdict.status is Status.UNVERIFIABLE
    assert "loopback" in finding.verdict.reason or "private" in finding.verdict.reason
    assert local_server.hits() == 0


# --- being a good API citizen -------------------------------------------------------------


class StrictCrossref:
    """Crossref's polite pool as a strict server would enforce it: at most 10 requests in any
    sliding second and 3 in progress at once, 429 beyond either. Answers real-shaped works."""

    RATE = 10
    WINDOW = 1.0
    CONCURRENCY = 3
    # Time spent on each request, in turn: long ones make the concurrency limit matter.
    WORK_SECONDS = (0.05, 0.3, 0.7)
    HEADERS: ClassVar[dict[str, str]] = {
        "x-rate-limit-limit": "10",
        "x-rate-limit-interval": "1s",
        "x-concurrency-limit": "3",
        "content-type": "application/json",
    }

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.arrivals: deque[float] = deque()
        self.in_progress = 0
        self.refused = 0
        self.answered = 0

    def __call__(self, seen: Seen) -> Reply:
        with self.lock:
            now = time.monotonic()
            while self.arrivals and self.arrivals[0] <= now - self.WINDOW:
                self.arrivals.popleft()
            self.arrivals.append(now)
            if len(self.arrivals) > self.RATE or self.in_progress >= self.CONCURRENCY:
                self.refused += 1
                return Reply(429, b"slow down")
            self.in_progress += 1
            work = self.WORK_SECONDS[self.answered % len(self.WORK_SECONDS)]
            self.answered += 1
        time.sleep(work)
        with self.lock:
            self.in_progress -= 1
        doi = unquote(seen.path.split("?")[0].split("/works/", 1)[1])
        message = {"DOI": doi, "title": [f"Work {doi}"], "issued": {"date-parts": [[2020]]}}
        body = json.dumps({"status": "ok", "message-type": "work", "message": message})
        return Reply(200, body.encode(), headers=self.HEADERS)


@pytest.mark.slow
def test_300_dois_under_the_polite_limits_provoke_no_429(
    local_server: LocalServer, tmp_path: Path
) -> None:
    api = StrictCrossref()
    local_server.handle_prefix("/works/", api)
    text = "\n".join(f"{i}. doi:10.5555/fc.{i}" for i in range(300))
    with Checker(
        crossref_url=local_server.url(""),
        sources=("crossref",),
        cache="none",
        mailto="me@example.org",
        retries=0,
    ) as checker:
        report = checker.check(text)
    assert api.refused == 0
    assert report.summary.verified == 300


# --- bibliography entries and in-text citations ---------------------------------------------

BIB = f"""Dopamine loss was reported [@right], while [@wrong] studied Delphi panels.

@article{{right,
  title = {{{PLOS_TITLE}}},
  author = {{Sadasivan, Shankar and others}},
  journal = {{PLoS ONE}}, year = {{2012}}, doi = {{{PLOS}}}
}}
@article{{wrong,
  title = {{Deep priors for sparse recovery}},
  author = {{Smith, John}},
  journal = {{PLoS ONE}}, year = {{2011}}, doi = {{{DELPHI}}}
}}
@article{{bare,
  title = {{A work with no identifier}},
  author = {{Nobody, N.}}, journal = {{J. Nothing}}, year = {{2020}}
}}
"""


def test_entries_are_judged_through_their_identifier(fake_api: FakeApi) -> None:
    with Checker(fake_api.config()) as checker:
        report = checker.check(BIB)
    entries = {
        f.citation.label: f.verdict for f in report.items if f.citation.kind is Kind.REFERENCE
    }
    assert entries["@right"].status is Status.VERIFIED
    assert entries["@wrong"].status is Status.MISMATCH
    assert entries["@wrong"].diffs[0].claimed == "Deep priors for sparse recovery"
    assert entries["@bare"].status is Status.UNVERIFIABLE
    assert "uncited" in entries["@bare"].flags
    # The entry and the DOI inside it share one lookup.
    assert fake_api.hits(f"/crossref/works/{PLOS}") == 1
    # In-text citations without a problem are not reported.
    assert all(f.citation.kind is not Kind.INLINE for f in report.items)


def test_an_in_text_year_that_disagrees_with_its_entry_is_a_mismatch(fake_api: FakeApi) -> None:
    text = BIB.replace("[@right]", "(Sadasivan, 2015)")
    text = text.replace("year = {2012}", "year = {2012}, note = {x}")
    with Checker(fake_api.config()) as checker:
        report = checker.check(text)
    inline = [f for f in report.items if f.citation.kind is Kind.INLINE]
    assert [f.verdict.status for f in inline] == [Status.MISMATCH]
    [diff] = inline[0].verdict.diffs
    assert (diff.field, diff.claimed, diff.found) == ("year", 2015, 2012)


def test_a_search_miss_never_settles_but_a_registry_miss_does() -> None:
    raw = "Lee, K. (2020). Deep priors for sparse recovery. J. Mach. Learn. Res."
    entry = Citation(
        kind=Kind.REFERENCE, raw=raw, start=0, end=len(raw), fields=Fields(title="Deep priors")
    )
    doi = Citation(kind=Kind.DOI, raw="10.1/x", start=0, end=6, fields=Fields(doi="10.1/x"))
    proof = Lookup.missing("crossref", "no such work", authoritative=True)
    assert not settles(entry, proof)
    assert settles(doi, proof)
    assert not settles(doi, Lookup.missing("crossref", "", authoritative=False))
    assert settles(entry, Lookup.found("crossref", Record(source="crossref", id="10.1/x")))
