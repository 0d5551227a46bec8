"""Fault injection at the verdict level: whatever goes wrong between us and a source, the
claim whose lookup met it is `unverifiable`, with the cause in its reason, and never
`not_found` or `mismatch`; and the check ends within the configured timeouts.

Every source is faked on 127.0.0.1 (`fake_api`, tests/fakes/server.py), and each test
configures only the source under test, so that no other source can cover for it. The
matrix crosses each source with each fault (`CASES`); the tests after it cover what the
matrix cannot: connection refused and DNS failure (the source's address itself is wrong),
a faulting source followed by a healthy one, a search that misses everywhere a source
answered, a run of fifty identifiers of which a fifth meet faults, and the cache, which
must not keep a faulty answer. tests/test_net_http.py covers the same faults one layer
down (Http.get's exceptions), tests/test_resolvers_integration.py a resolver's recovery
from a fault that passes (a 429 or a 500, then the answer).
"""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from email.utils import formatdate
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from fakes.recordings import HANDMADE, Corpus
from fakes.server import (
    PLUGIN_SOURCES,
    FakeApi,
    Fault,
    answer,
    drip,
    drip_body,
    hang_up,
    html_page,
    invalid_json,
    malformed_json,
    oversized,
    redirect_loop,
    reset,
    sleep,
    status,
)
from servers import free_port

from factcheck import Checker
from factcheck.config import Config
from factcheck.model import Kind, Status, Verdict
from factcheck.net import limits
from factcheck.resolve.plugins import load

pytestmark = pytest.mark.integration

# Small timeouts, so that a fault costs about a second; the bounds asserted on elapsed time
# are generous (ELAPSED_SLACK), so that a loaded two-core machine does not make them flaky.
CONNECT_TIMEOUT = 0.5
READ_TIMEOUT = 1.0
RETRIES = 1
RETRY_BACKOFF = 0.01
MAX_RETRY_AFTER = 2.0
# Above the largest recorded answer (a Crossref work of ~30 kB).
MAX_BODY_BYTES = 200_000
FAST: dict[str, Any] = {
    "connect_timeout": CONNECT_TIMEOUT,
    "timeout": READ_TIMEOUT,
    "retries": RETRIES,
    "retry_backoff": RETRY_BACKOFF,
    "max_retry_after": MAX_RETRY_AFTER,
    "max_body_bytes": MAX_BODY_BYTES,
    "allow_private_urls": True,
}
ELAPSED_SLACK = 3.0
# How reasons write READ_TIMEOUT.
WAITED = f"{READ_TIMEOUT:g}s"
# The longest one faulty check may take: connect, the answer's deadline, and the slack.
FAULT_BUDGET = CONNECT_TIMEOUT + READ_TIMEOUT + ELAPSED_SLACK
# How long a silent server keeps quiet, and how slowly a dripping one sends: both far
# beyond READ_TIMEOUT (a dripping answer of ~150 bytes would take half a minute).
SILENCE = 4 * READ_TIMEOUT
DRIP_SECONDS_PER_BYTE = 0.2
# A Retry-After longer than MAX_RETRY_AFTER: not waited for.
LONG_RETRY_AFTER = 120
HOUR = 3600
CUT_AFTER_BYTES = 20

PLOS = "10.1371/journal.pone.0033693"
WAKEFIELD = "10.1016/S0140-6736(97)11096-0"
ATTENTION = (
    "## References\n\n1. Vaswani, A., Shazeer, N., Parmar, N., et al. (2017). Attention is all "
    "you need. In Advances in Neural Information Processing Systems, pp. 5998-6008.\n"
)
# A conference paper no source holds: the searches that answer prove it made up.
INVENTED = ATTENTION.replace("Attention is all you need", "Quantum gradient flows for origami")
OPENALEX_SEARCH = "/openalex/works"
DBLP_SEARCH = "/dblp/search/publ/api"
IOANNIDIS = (
    "## References\n\n1. Ioannidis, J. P. A. (2005). Why most published research findings are "
    "false. PLoS Medicine, 2(8), e124.\n"
)
REGISTERS = (
    "## References\n\n1. Darcet, T., Oquab, M., Mairal, J., & Bojanowski, P. (2024). Vision "
    "transformers need registers. In International Conference on Learning Representations.\n"
)


def handmade(name: str) -> Fault:
    return answer((HANDMADE / name).read_bytes())


@dataclass(frozen=True)
class Probe:
    """A claim that one source alone decides, and where the fake answers its lookup."""

    source: str
    text: str
    kind: Kind
    # The path of the fake that the lookup asks (faults are injected there).
    path: str
    # The fake's prefix for the source: its base URL is the fake's URL and this.
    prefix: str
    # How the reasons name the source (a web page: its host).
    label: str
    # Its answer, where the fake holds nothing of its own.
    healthy: Fault | None = None

    def placed_at(self, url: str) -> dict[str, Any]:
        """The configuration that puts the probe's source at `url`: its Config field, or
        for a source without one, its own settings."""
        if f"{self.source}_url" in Config.model_fields:
            return {f"{self.source}_url": url}
        return {"plugins": {self.source: {"url": url}}}


PROBES = [
    Probe("crossref", f"doi:{PLOS}", Kind.DOI, f"/crossref/works/{PLOS}", "/crossref", "crossref"),
    Probe("doi", f"doi:{PLOS}", Kind.DOI, f"/doi/api/handles/{PLOS}", "/doi", "doi"),
    Probe("arxiv", "arXiv:2311.16162", Kind.ARXIV, "/arxiv/api/query", "/arxiv/api", "arxiv"),
    Probe("pubmed", "PMID: 9500320", Kind.PMID, "/pubmed/esummary.fcgi", "/pubmed", "pubmed"),
    Probe(
        "openalex",
        f"doi:{WAKEFIELD}",
        Kind.DOI,
        f"/openalex/works/https://doi.org/{WAKEFIELD.lower()}",
        "/openalex",
        "openalex",
        handmade("openalex/retracted-work.json"),
    ),
    Probe(
        "dblp",
        ATTENTION,
        Kind.REFERENCE,
        DBLP_SEARCH,
        "/dblp",
        "dblp",
        handmade("dblp/search-attention.json"),
    ),
    Probe(
        "semanticscholar",
        "arXiv:1706.03762",
        Kind.ARXIV,
        "/semanticscholar/graph/v1/paper/ARXIV:1706.03762",
        "/semanticscholar",
        "semanticscholar",
        handmade("semanticscholar/paper-attention.json"),
    ),
    Probe(
        "europepmc",
        IOANNIDIS,
        Kind.REFERENCE,
        "/europepmc/search",
        "/europepmc",
        "europepmc",
        handmade("europepmc/search-why-most-published.json"),
    ),
    Probe(
        "openreview",
        REGISTERS,
        Kind.REFERENCE,
        "/openreview/notes/search",
        "/openreview",
        "openreview",
        handmade("openreview/search-registers.json"),
    ),
    Probe("url", "{url}/web/page", Kind.URL, "/web/page", "", r"127\.0\.0\.1"),
]
PAGE = next(p for p in PROBES if p.source == "url")


@dataclass(frozen=True)
class Case:
    """A fault and the reason its verdict must give ({label}: the source as reasons name it).

    `atom` is the reason from a source that answers Atom XML (arXiv) where it differs.
    `page` is the reason for a web page; None where the fault leaves a page's status line
    whole (a 200 with a broken, slow or odd body), which for a page is the whole answer: the
    page checker reads a body only for its title.
    `slow` faults cost a timeout each: their cells of the matrix run side by side. `asks`
    is how many requests an API source makes before it gives up: statuses worth another
    try are retried as configured, no more (a web page is asked once).
    """

    name: str
    fault: Callable[[], Fault]
    reason: str
    page: str | None
    atom: str | None = None
    slow: bool = False
    asks: int = 1


SERVER_ERROR = r"{label} failed with HTTP {code}"
RATE_LIMITED = r"{label} is rate limiting us \(HTTP 429{hint}\)"
TIMED_OUT = rf"{{label}} timed out after {WAITED}"
PAGE_TIMED_OUT = TIMED_OUT.replace("{label}", PAGE.label)
CASES = [
    Case(
        "reset-mid-body",
        partial(reset, after=CUT_AFTER_BYTES),
        r"{label} sent a broken body \(connection reset\)",
        page=None,
    ),
    Case(
        "closed-mid-body",
        partial(hang_up, after=CUT_AFTER_BYTES),
        r"{label} sent a broken body \(the connection closed before the whole body arrived\)",
        page=None,
    ),
    Case(
        "read-timeout",
        partial(sleep, SILENCE),
        TIMED_OUT,
        PAGE_TIMED_OUT,
        slow=True,
    ),
    Case(
        "drip",
        partial(drip, DRIP_SECONDS_PER_BYTE),
        TIMED_OUT,
        PAGE_TIMED_OUT,
        slow=True,
    ),
    Case(
        "drip-body",
        partial(drip_body, DRIP_SECONDS_PER_BYTE),
        rf"{{label}} did not finish sending within {WAITED}",
        # A page too: an answer not in within its time proves nothing (a tarpit says 200).
        rf"{PAGE.label} did not finish sending within {WAITED}",
        slow=True,
    ),
    *(
        Case(
            f"http-{code}",
            partial(status, code),
            SERVER_ERROR.replace("{code}", str(code)),
            rf"{PAGE.label} answered {code} \(server error\)",
            asks=1 + RETRIES,
        )
        for code in (500, 502, 503)
    ),
    *(
        Case(
            name,
            fault,
            RATE_LIMITED.replace("{hint}", hint),
            rf"{PAGE.label} answered 429 \(too many requests\)",
            asks=asks,
        )
        # Without Retry-After: retried after our backoff. With one beyond MAX_RETRY_AFTER:
        # not waited for, so not asked again.
        for name, fault, hint, asks in [
            ("429", partial(status, 429, body=b"Too Many Requests"), "", 1 + RETRIES),
            ("429-html-body", partial(status, 429), "", 1 + RETRIES),
            (
                "429-retry-after-seconds",
                partial(status, 429, retry_after=LONG_RETRY_AFTER),
                f", Retry-After: {LONG_RETRY_AFTER}",
                1,
            ),
            (
                "429-retry-after-http-date",
                partial(status, 429, retry_after=formatdate(time.time() + HOUR, usegmt=True)),
                r", Retry-After: \w{3}, \d+ \w{3} \d{4} [\d:]+ GMT",
                1,
            ),
        ]
    ),
    Case(
        "invalid-json",
        invalid_json,
        r"{label} answered HTTP 200 with invalid JSON",
        page=None,
        atom=r"arXiv answered with a feed that is not valid XML",
    ),
    Case(
        "truncated-json",
        malformed_json,
        r"{label} answered HTTP 200 with invalid JSON",
        page=None,
        atom=r"arXiv answered with a feed that is not valid XML",
    ),
    Case(
        "html-instead-of-json",
        html_page,
        r"{label} answered HTTP 200 with text/html instead of JSON",
        page=None,
        atom=r"arXiv answered with <html> instead of an Atom feed",
    ),
    Case(
        "oversized-body",
        partial(oversized, 2 * MAX_BODY_BYTES),
        rf"{{label}} sent more than {MAX_BODY_BYTES} bytes",
        page=None,
    ),
    Case(
        "redirect-loop",
        redirect_loop,
        r"{label} redirected more than \d+ times",
        page=r"redirect loop: .*/loop leads back to .*/loop",
    ),
]


@pytest.fixture(autouse=True)
def fast_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every source on one local fake: lift the politeness limits (arXiv's one request per
    three seconds would otherwise pace the tests)."""
    fast = limits.Limit(rate=1000.0, concurrency=4)
    for table in (limits.PUBLIC_LIMITS, limits.POLITE_LIMITS):
        for source in list(table):
            monkeypatch.setitem(table, source, fast)
    for resolver in load(PLUGIN_SOURCES):  # the sources that declare their limits
        monkeypatch.setattr(resolver, "limit", fast)


@pytest.fixture(autouse=True)
def _clean(fake_api: FakeApi) -> None:
    """The fake is shared by the session; faults and counters are per test."""
    fake_api.reset()


def check(
    api: FakeApi,
    probe: Probe,
    text: str | None = None,
    *,
    fault: Fault | None = None,
    **config: Any,
) -> Verdict:
    """The verdict on the probe's claim, with only the probe's source configured, and
    `fault` met by every request for the probe's path."""
    settings = api.config(**{"sources": (probe.source,), **FAST, **config})
    answers = fault or probe.healthy
    if answers is not None:
        api.inject_always(probe.path, answers)
    with Checker(settings) as checker:
        report = checker.check((text or probe.text).format(url=api.url))
    [finding] = [f for f in report.items if f.citation.kind is probe.kind]
    return finding.verdict


def timed(run: Callable[[], Verdict]) -> tuple[Verdict, float]:
    started = time.monotonic()
    verdict = run()
    return verdict, time.monotonic() - started


def assert_unverifiable(verdict: Verdict, reason: str, where: str = "") -> None:
    assert verdict.status is Status.UNVERIFIABLE, (where, verdict)
    assert verdict.confidence == 0.0
    assert re.search(reason, verdict.reason), f"{where}: {reason!r} not in {verdict.reason!r}"


def assert_fault_verdict(verdict: Verdict, case: Case, probe: Probe) -> None:
    """Unverifiable with the case's reason; for a page whose status line came whole,
    verified (see `test_a_page_whose_body_goes_wrong_after_its_status_still_answers`)."""
    if probe.source == "url" and case.page is None:
        assert verdict.status is Status.VERIFIED, (case.name, verdict)
        assert verdict.reason == "the page answered HTTP 200"
        return
    if probe.source == "url":
        reason = case.page or ""
    else:
        pattern = case.atom if probe.source == "arxiv" and case.atom else case.reason
        reason = pattern.replace("{label}", probe.label)
    assert_unverifiable(verdict, reason, f"{probe.source}-{case.name}")


# ------------------------------------------------------------------------------ the matrix


@pytest.mark.parametrize("probe", PROBES, ids=lambda p: p.source)
def test_each_source_verifies_its_claim_when_healthy(fake_api: FakeApi, probe: Probe) -> None:
    """The control: without a fault, each probe is verified by its source."""
    verdict = check(fake_api, probe)
    assert verdict.status is Status.VERIFIED, verdict
    assert verdict.source == probe.source


MATRIX = [
    pytest.param(probe, case, id=f"{probe.source}-{case.name}")
    for case in CASES
    for probe in PROBES
    if not case.slow and (probe.source != "url" or case.page is not None)
]


@pytest.mark.parametrize(("probe", "case"), MATRIX)
def test_a_fault_makes_the_claim_unverifiable_with_its_cause(
    fake_api: FakeApi, probe: Probe, case: Case
) -> None:
    verdict, elapsed = timed(lambda: check(fake_api, probe, fault=case.fault()))
    assert_fault_verdict(verdict, case, probe)
    assert elapsed < FAULT_BUDGET
    assert fake_api.hits(probe.path) == (1 if probe.source == "url" else case.asks)


@pytest.mark.parametrize("case", [pytest.param(c, id=c.name) for c in CASES if c.slow])
def test_a_silent_or_dripping_source_is_cut_off_at_its_deadline(
    fake_api: FakeApi, case: Case
) -> None:
    """The matrix's row for a fault that costs a timeout: every source at once, side by
    side, each cut off READ_TIMEOUT after its request was sent, however slowly it drips."""

    def run(probe: Probe) -> tuple[Verdict, float]:
        return timed(lambda: check(fake_api, probe, fault=case.fault()))

    with ThreadPoolExecutor(max_workers=len(PROBES)) as pool:
        results = list(pool.map(run, PROBES))
    for probe, (verdict, elapsed) in zip(PROBES, results, strict=True):
        assert_fault_verdict(verdict, case, probe)
        assert elapsed < FAULT_BUDGET, (probe.source, elapsed)


PAGE_ANSWERS = [
    pytest.param(case, id=case.name) for case in CASES if case.page is None and not case.slow
]


@pytest.mark.parametrize("case", PAGE_ANSWERS)
def test_a_page_whose_body_goes_wrong_after_its_status_still_answers(
    fake_api: FakeApi, case: Case
) -> None:
    """For a web page the status line is the answer: a body cut off, oversized or of any
    content type does not unmake a 200 (see `SourceAdapter`'s page mode). One that drips
    past the lookup's time does (`test_a_silent_or_dripping_source_is_cut_off_at_its_deadline`):
    an answer out of time proves nothing."""
    verdict, elapsed = timed(lambda: check(fake_api, PAGE, fault=case.fault()))
    assert_fault_verdict(verdict, case, PAGE)
    assert elapsed < FAULT_BUDGET


# --------------------------------------------------------- the source's address itself


@pytest.mark.parametrize("probe", PROBES, ids=lambda p: p.source)
def test_connection_refused_is_unverifiable(fake_api: FakeApi, probe: Probe) -> None:
    refused = f"http://127.0.0.1:{free_port()}"
    if probe.source == "url":
        config: dict[str, Any] = {}
        text = f"{refused}/web/page"
    else:
        config = probe.placed_at(refused + probe.prefix)
        text = probe.text
    verdict, elapsed = timed(lambda: check(fake_api, probe, text, **config))
    assert_unverifiable(verdict, rf"{probe.label} could not be reached \(connection refused\)")
    assert elapsed < FAULT_BUDGET


@pytest.fixture
def no_dns_for_invalid(monkeypatch: pytest.MonkeyPatch) -> None:
    """Names under .invalid fail to resolve the way a DNS outage does (EAI_AGAIN), at once
    and without asking a real resolver; every other name resolves as usual."""
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if str(host).endswith(".invalid"):
            raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.mark.usefixtures("no_dns_for_invalid")
@pytest.mark.parametrize("probe", PROBES, ids=lambda p: p.source)
def test_dns_failure_is_unverifiable(fake_api: FakeApi, probe: Probe) -> None:
    host = f"api.{probe.source}.invalid"
    if probe.source == "url":
        config: dict[str, Any] = {}
        text, reason = f"http://{host}/page", rf"DNS lookup of {host} failed"
    else:
        config = probe.placed_at(f"http://{host}{probe.prefix}")
        text, reason = probe.text, rf"{probe.label} could not be reached \(DNS lookup failed\)"
    verdict, elapsed = timed(lambda: check(fake_api, probe, text, **config))
    assert_unverifiable(verdict, reason)
    assert elapsed < FAULT_BUDGET


# ------------------------------------------------------------- more than one source asked


def test_a_faulting_first_source_is_settled_by_a_healthy_second(fake_api: FakeApi) -> None:
    fake_api.inject_always(f"/crossref/works/{PLOS}", status(503))
    with Checker(fake_api.config(sources=("crossref", "doi"), **FAST)) as checker:
        [finding] = checker.check(f"doi:{PLOS}").items
    assert finding.verdict.status is Status.VERIFIED
    assert finding.verdict.source == "doi"
    assert fake_api.hits(f"/doi/api/handles/{PLOS}") == 1


def test_a_faulting_search_is_settled_by_a_healthy_second_search(fake_api: FakeApi) -> None:
    fake_api.inject_always(DBLP_SEARCH, status(429, retry_after=LONG_RETRY_AFTER))
    fake_api.inject_always(OPENALEX_SEARCH, handmade("openalex/search-attention.json"))
    with Checker(fake_api.config(sources=("dblp", "openalex"), **FAST)) as checker:
        [finding] = checker.check(ATTENTION).items
    assert finding.verdict.status is Status.VERIFIED
    assert finding.verdict.source == "openalex"


@pytest.mark.parametrize("faulty", [None, "dblp", "openalex"])
def test_a_search_miss_is_not_found_only_when_no_search_failed(
    fake_api: FakeApi, faulty: str | None
) -> None:
    """An invented conference paper: both searches miss it, which is proof; but when one of
    them could not answer, it might have held the paper, so the verdict is unverifiable."""
    paths = {"dblp": DBLP_SEARCH, "openalex": OPENALEX_SEARCH}
    if faulty is not None:
        fake_api.inject_always(paths[faulty], status(503))
    with Checker(fake_api.config(sources=("dblp", "openalex"), **FAST)) as checker:
        [finding] = checker.check(INVENTED).items
    if faulty is None:
        assert finding.verdict.status is Status.NOT_FOUND
    else:
        assert_unverifiable(finding.verdict, rf"{faulty} failed with HTTP 503")


# A claim each searching source's silence is evidence about (its `covers`), and the path
# of its search.
SILENT_SEARCHES = {
    "semanticscholar": (INVENTED, "/semanticscholar/graph/v1/paper/search"),
    "europepmc": (
        "## References\n\n1. Smith, J. (2019). Quantum gradient flows in origami hearts. "
        "The Lancet, 393, 1-9.\n",
        "/europepmc/search",
    ),
    "openreview": (
        "## References\n\n1. Lindqvist, A., & Okafor, B. (2024). Quantum gradient flows for "
        "origami. In International Conference on Learning Representations.\n",
        "/openreview/notes/search",
    ),
}


@pytest.mark.parametrize("faulty", [False, True], ids=["answered", "faulty"])
@pytest.mark.parametrize("source", sorted(SILENT_SEARCHES))
def test_a_new_sources_silence_is_not_found_only_when_it_answered(
    fake_api: FakeApi, source: str, faulty: bool
) -> None:
    """Each search whose silence is evidence for the claim: its empty answer makes the
    claim not_found; a fault in its place makes it unverifiable, never not_found."""
    text, path = SILENT_SEARCHES[source]
    if faulty:
        fake_api.inject_always(path, status(503))
    with Checker(fake_api.config(sources=(source,), **FAST)) as checker:
        [finding] = checker.check(text).items
    if faulty:
        assert_unverifiable(finding.verdict, rf"{source} failed with HTTP 503")
    else:
        assert finding.verdict.status is Status.NOT_FOUND, finding.verdict
    assert fake_api.hits(path) == (1 + RETRIES if faulty else 1)


def test_a_doi_org_metadata_fault_keeps_the_dois_existence(fake_api: FakeApi) -> None:
    """doi.org's Handle answer proves the DOI exists; when the metadata request after it
    fails, the DOI is still registered, and says it has no metadata to show."""
    fake_api.inject_always(f"/crossref/v1/works/{PLOS}/transform", status(503))
    with Checker(fake_api.config(sources=("doi",), **FAST)) as checker:
        [finding] = checker.check(f"doi:{PLOS}").items
    assert finding.verdict.status is Status.VERIFIED
    assert "metadata_unavailable" in finding.verdict.flags
    assert "registered at doi" in finding.verdict.reason


def test_an_entry_whose_metadata_fails_is_unverifiable_and_asked_again(
    fake_api: FakeApi, tmp_path: Path
) -> None:
    """The Handle proves the DOI exists, not that the entry's title and authors are its: an
    entry citing it stays undecided, and that half answer is not kept for the next run."""
    transform = f"/crossref/v1/works/{PLOS}/transform"
    fake_api.inject_always(transform, status(503))
    entry = f"Smith, J. (2012). Deep learning for cats. Nature, 3, 1-9. doi:{PLOS}\n"
    text = f"References\n\n1. {entry}"
    settings = fake_api.config(sources=("doi",), cache=str(tmp_path / "c.sqlite"), **FAST)
    with Checker(settings) as checker:
        first = checker.check(text)
    [reference] = [f for f in first.items if f.citation.kind is Kind.REFERENCE]
    assert reference.verdict.status is Status.UNVERIFIABLE
    assert "metadata could not be fetched" in reference.verdict.reason
    fake_api.reset()
    with Checker(settings) as checker:
        second = checker.check(text)
    [reference] = [f for f in second.items if f.citation.kind is Kind.REFERENCE]
    assert reference.verdict.status is Status.MISMATCH


# -------------------------------------------------------------------------- a mixed run

MIXED_COUNT = 50
MIXED_PREFIX = "10.5555/mixed."
# Every FAULT_EVERY-th DOI meets a fault at both sources, every time it is asked.
FAULT_EVERY = 5
# DOIs ending in these digits do not exist. Those ending in UNKNOWN_FAULTED are faulted
# too: doi.org's trouble must not make them not_found. Those ending in UNKNOWN_DIGIT are
# not, and doi.org says that they do not exist.
UNKNOWN_FAULTED = 5
UNKNOWN_DIGIT = 9
# One in TRANSIENT_EVERY meets one fault and then the answer: retried, and verified.
TRANSIENT_EVERY = 7
MIXED_FAULTS: list[tuple[Callable[[], Fault], str]] = [
    (partial(status, 503), r"failed with HTTP 503"),
    (partial(status, 429), r"rate limiting us \(HTTP 429\)"),
    (malformed_json, r"invalid JSON"),
    (partial(reset, after=CUT_AFTER_BYTES), r"broken body \(connection reset\)"),
    (partial(sleep, SILENCE), rf"timed out after {WAITED}"),
    (html_page, r"text/html instead of JSON"),
    (partial(oversized, 2 * MAX_BODY_BYTES), r"more than \d+ bytes"),
    (redirect_loop, r"redirected more than \d+ times"),
]


def mixed_doi(i: int) -> str:
    return f"{MIXED_PREFIX}{i}"


def mixed_exists(i: int) -> bool:
    return i % 10 not in (UNKNOWN_FAULTED, UNKNOWN_DIGIT)


@pytest.fixture(scope="module")
def mixed_api() -> Iterator[FakeApi]:
    """A fake Crossref and doi.org holding MIXED_COUNT works (less the unknown ones). It
    announces no rate limits: Crossref's recorded headers would pace the run at 5-10/s."""
    corpus = Corpus.build()
    corpus.crossref_headers.clear()
    template = corpus.crossref[PLOS.lower()]
    for i in range(MIXED_COUNT):
        if mixed_exists(i):
            doi = mixed_doi(i)
            title = [f"Synthetic work number {i}"]
            corpus.crossref[doi] = {**template, "DOI": doi, "title": title}
    api = FakeApi(corpus).start()
    try:
        yield api
    finally:
        api.stop()


def test_a_run_where_a_fifth_of_the_answers_are_faulty(mixed_api: FakeApi) -> None:
    """Fifty DOIs checked at once, a fifth of them faulty at both sources: every other one
    gets the verdict it would get alone, and each faulty one is unverifiable for its fault."""
    expected: dict[str, str] = {}
    for i in range(0, MIXED_COUNT, FAULT_EVERY):
        make, reason = MIXED_FAULTS[(i // FAULT_EVERY) % len(MIXED_FAULTS)]
        doi = mixed_doi(i)
        for path in (f"/crossref/works/{doi}", f"/doi/api/handles/{doi}"):
            mixed_api.inject_always(path, make())
        expected[doi] = reason
    for i in range(TRANSIENT_EVERY, MIXED_COUNT, TRANSIENT_EVERY):
        if i % FAULT_EVERY and mixed_exists(i):
            mixed_api.inject(f"/crossref/works/{mixed_doi(i)}", status(500))
    text = "\n".join(f"- doi:{mixed_doi(i)}" for i in range(MIXED_COUNT))
    config = mixed_api.config(sources=("crossref", "doi"), **FAST)
    started = time.monotonic()
    with Checker(config) as checker:
        report = checker.check(text)
    elapsed = time.monotonic() - started
    verdicts = {f.citation.raw.removeprefix("doi:"): f.verdict for f in report.items}
    assert len(verdicts) == MIXED_COUNT
    assert len(expected) == MIXED_COUNT // FAULT_EVERY
    for i in range(MIXED_COUNT):
        doi = mixed_doi(i)
        verdict = verdicts[doi]
        if doi in expected:
            assert_unverifiable(verdict, expected[doi])
        elif mixed_exists(i):
            assert verdict.status is Status.VERIFIED, (doi, verdict)
        else:
            assert verdict.status is Status.NOT_FOUND, (doi, verdict)
    # The faulty DOIs are looked up side by side: the run takes about as long as the
    # slowest of them, a DOI that times out at both sources.
    assert elapsed < 2 * (CONNECT_TIMEOUT + READ_TIMEOUT + ELAPSED_SLACK)


# ------------------------------------------------------------------------------ the cache


@pytest.mark.parametrize(
    "fault", [malformed_json, invalid_json, html_page], ids=["truncated", "invalid", "html"]
)
def test_a_faulty_answer_is_not_cached(
    fake_api: FakeApi, tmp_path: Path, fault: Callable[[], Fault]
) -> None:
    """A 200 that cannot be read is trouble, not an answer: the next run asks again."""
    probe = PROBES[0]
    fake_api.inject(probe.path, fault())
    config: dict[str, Any] = {"cache": str(tmp_path / "http.sqlite")}
    assert check(fake_api, probe, **config).status is Status.UNVERIFIABLE
    assert check(fake_api, probe, **config).status is Status.VERIFIED
    assert check(fake_api, probe, **config).status is Status.VERIFIED
    assert fake_api.hits(probe.path) == 2  # the good answer was kept
