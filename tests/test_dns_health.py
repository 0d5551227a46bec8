"""Network trouble is not a dead link (net/reachability.py).

A resolver that knows no name at all (air-gapped, split DNS, broken) must not make every
link `not_found`: a name that must exist is resolved once, and when it fails too the
claims are `unverifiable` (flag `dns_unavailable`), the exit code is 0 under the default
--fail-on, and one line on stderr says that nothing could be reached and what to do.
Every resolver here is a monkeypatched `socket.getaddrinfo`: no real DNS is asked."""

from __future__ import annotations

import ipaddress
import json
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from fakes.server import FakeApi
from servers import free_port

from factcheck import Checker, Status
from factcheck.cli import main
from factcheck.errors import DnsUnavailable
from factcheck.flags import DNS_UNAVAILABLE
from factcheck.judge.verdicts import judge
from factcheck.model import Citation, Kind
from factcheck.net.reachability import Reachability
from factcheck.resolve.base import Lookup

CONTROL = "control.example"
# A public address (TEST-NET would be refused by the SSRF guard as reserved).
PUBLIC_ADDRESS = "93.184.215.14"
TEXT = (
    "See https://gone.example.net/paper and https://also-gone.example.org/a "
    "and doi:10.1371/journal.pone.0033693.\n"
)
ONE_LINE = "no source could be reached from here"

Resolver = Callable[..., Any]


class FakeDns:
    """`socket.getaddrinfo` that fails with `error` for the names in `failing` (every
    name when None) and answers PUBLIC_ADDRESS for the others (an address for itself);
    counts who asked what."""

    def __init__(self, error: int, failing: set[str] | None = None) -> None:
        self.error = error
        self.failing = failing
        self.asked: list[str] = []
        self._lock = threading.Lock()

    def __call__(self, host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host)
        with self._lock:
            self.asked.append(name)
        if _is_address(name):
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (name, port or 0))]
        if self.failing is None or name in self.failing:
            raise socket.gaierror(self.error, "DNS says no")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (PUBLIC_ADDRESS, port or 0))]


def _is_address(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


@pytest.fixture
def dns(monkeypatch: pytest.MonkeyPatch) -> Callable[..., FakeDns]:
    def install(error: int = socket.EAI_NONAME, failing: set[str] | None = None) -> FakeDns:
        fake = FakeDns(error, failing)
        monkeypatch.setattr(socket, "getaddrinfo", fake)
        return fake

    return install


@pytest.fixture
def invoke() -> Iterator[Callable[..., Result]]:
    def run(*args: str) -> Result:
        env = {"FACTCHECK_CACHE": "none", "FACTCHECK_DNS_CONTROL_HOST": CONTROL, "COLUMNS": "200"}
        return CliRunner().invoke(main, list(args), env=env)

    yield run


def write(tmp_path: Path, text: str = TEXT) -> str:
    path = tmp_path / "answer.md"
    path.write_text(text, encoding="utf-8")
    return str(path)


def statuses(result: Result) -> list[tuple[str, str, list[str]]]:
    document = json.loads(result.stdout)
    return [
        (item["citation"]["kind"], item["verdict"]["status"], item["verdict"]["flags"])
        for file in document["files"]
        for item in file["items"]
    ]


# --- the control lookup ---------------------------------------------------------------------


@pytest.mark.parametrize("error", [socket.EAI_NONAME, socket.EAI_AGAIN, socket.EAI_FAIL])
def test_no_name_resolving_means_dns_does_not_work(dns: Callable[..., FakeDns], error: int) -> None:
    fake = dns(error)
    reachability = Reachability(CONTROL)
    assert not reachability.dns_works()
    assert not reachability.dns_works()
    assert fake.asked == [CONTROL]


def test_the_control_is_asked_once_however_many_threads_ask(
    dns: Callable[..., FakeDns],
) -> None:
    fake = dns(socket.EAI_NONAME, failing={"gone.example"})
    reachability = Reachability(CONTROL)
    answers: list[bool] = []
    threads = [
        threading.Thread(target=lambda: answers.append(reachability.dns_works())) for _ in range(16)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [True] * 16
    assert fake.asked == [CONTROL]


def test_a_control_name_that_cannot_be_a_name_means_no_dns() -> None:
    assert not Reachability("a" * 300 + ".example").dns_works()


# --- through the command ---------------------------------------------------------------------


@pytest.mark.parametrize("error", [socket.EAI_NONAME, socket.EAI_AGAIN])
def test_when_no_name_resolves_links_are_unverifiable_and_one_line_says_why(
    dns: Callable[..., FakeDns], invoke: Callable[..., Result], tmp_path: Path, error: int
) -> None:
    dns(error)
    result = invoke("--format", "json", "--sources", "crossref,doi,url", write(tmp_path))
    assert result.exit_code == 0, result.output
    found = statuses(result)
    assert [kind for kind, _, _ in found] == ["url", "url", "doi"]
    assert all(status == "unverifiable" for _, status, _ in found)
    assert all(DNS_UNAVAILABLE in flags for _, _, flags in found)
    assert result.stderr.count(ONE_LINE) == 1
    [line] = [line for line in result.stderr.splitlines() if ONE_LINE in line]
    assert f"even {CONTROL} does not resolve" in line
    assert "--offline" in line and "--replay" in line and "proxy" in line


def test_the_text_report_says_it_once_too(
    dns: Callable[..., FakeDns], invoke: Callable[..., Result], tmp_path: Path
) -> None:
    dns(socket.EAI_NONAME)
    result = invoke("--sources", "crossref,doi,openalex,url", write(tmp_path))
    assert result.exit_code == 0
    assert result.stderr.count(ONE_LINE) == 1
    # Three sources failed alike for the DOI: their reason is written once, after their names.
    assert "crossref, doi, openalex: DNS lookup failed" in " ".join(result.stdout.split())
    assert result.stdout.count("DNS lookup failed") == 1


def test_a_name_that_does_not_exist_where_dns_works_is_not_found(
    dns: Callable[..., FakeDns], invoke: Callable[..., Result], tmp_path: Path
) -> None:
    fake = dns(socket.EAI_NONAME, failing={"gone.example.net"})
    text = "See https://gone.example.net/paper for details.\n"
    result = invoke("--format", "json", "--sources", "url", write(tmp_path, text))
    assert result.exit_code == 1, result.output
    assert statuses(result) == [("url", "not_found", [])]
    assert ONE_LINE not in result.stderr
    assert fake.asked == ["gone.example.net", CONTROL]


def test_the_fail_on_still_applies(
    dns: Callable[..., FakeDns], invoke: Callable[..., Result], tmp_path: Path
) -> None:
    dns(socket.EAI_NONAME)
    result = invoke("--fail-on", "unverifiable", "--sources", "url", write(tmp_path))
    assert result.exit_code == 1
    assert result.stderr.count(ONE_LINE) == 1


def test_refused_connections_everywhere_are_said_once(
    invoke: Callable[..., Result], tmp_path: Path
) -> None:
    closed = f"http://127.0.0.1:{free_port()}"
    result = invoke(
        "--format",
        "json",
        "--sources",
        "crossref,doi",
        "--crossref-url",
        closed,
        "--doi-url",
        closed,
        write(tmp_path, "See doi:10.1371/journal.pone.0033693.\n"),
    )
    assert result.exit_code == 0, result.output
    assert statuses(result) == [("doi", "unverifiable", [])]
    assert result.stderr.count(ONE_LINE) == 1
    assert "every connection failed" in result.stderr


def test_no_line_when_some_source_answered(
    dns: Callable[..., FakeDns], fake_api: FakeApi, tmp_path: Path
) -> None:
    fake_api.reset()
    dns(socket.EAI_NONAME, failing={"gone.example.net", "also-gone.example.org", CONTROL})
    config = fake_api.config(sources=("crossref", "doi", "url"), dns_control_host=CONTROL)
    with Checker(config) as checker:
        report = checker.check(TEXT)
        trouble = checker.http.reachability.trouble()
    found = {f.citation.kind: f.verdict for f in report.items}
    assert found[Kind.DOI].status is Status.VERIFIED
    assert found[Kind.URL].status is Status.UNVERIFIABLE
    assert trouble is None


def test_offline_and_replay_are_not_network_trouble(
    dns: Callable[..., FakeDns], invoke: Callable[..., Result], tmp_path: Path
) -> None:
    fake = dns(socket.EAI_NONAME)
    path = write(tmp_path)
    offline = invoke("--offline", "--cache", str(tmp_path / "c.sqlite"), path)
    replayed = invoke("--replay", str(Path(__file__).parent.parent / "fixtures/recordings"), path)
    assert ONE_LINE not in offline.stderr and ONE_LINE not in replayed.stderr
    assert CONTROL not in fake.asked


# --- the verdict ------------------------------------------------------------------------------


def test_the_flag_reaches_the_verdict_and_shared_reasons_are_said_once() -> None:
    error = DnsUnavailable("DNS lookup failed, and DNS does not work here")
    citation = Citation(kind=Kind.DOI, raw="10.1/x", start=0, end=6)
    lookups = [Lookup.failed_by("crossref", error), Lookup.failed_by("doi", error)]
    verdict = judge(citation, lookups)
    assert verdict.status is Status.UNVERIFIABLE
    assert verdict.flags == [DNS_UNAVAILABLE]
    assert verdict.reason == "crossref, doi: DNS lookup failed, and DNS does not work here"
    plain = [Lookup.failed("crossref", "crossref timed out"), Lookup.failed("doi", "doi: 503")]
    assert judge(citation, plain).reason == "crossref timed out; doi: 503"


def test_a_run_says_it_once_too(
    dns: Callable[..., FakeDns], invoke: Callable[..., Result], tmp_path: Path
) -> None:
    dns(socket.EAI_AGAIN)
    source = tmp_path / "in.jsonl"
    rows = [{"id": f"r{i}", "text": TEXT} for i in range(3)]
    source.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = invoke(
        "run", str(source), "-o", str(out), "--sources", "crossref,doi,url", "--chunk-size", "2"
    )
    assert result.exit_code == 0, result.output
    assert result.stderr.count(ONE_LINE) == 1
    findings = [f for line in out.read_text().splitlines() for f in json.loads(line)["findings"]]
    assert len(findings) == 9
    assert {f["verdict"]["status"] for f in findings} == {"unverifiable"}
    summary = json.loads((tmp_path / "out.summary.json").read_text(encoding="utf-8"))
    assert ONE_LINE in summary["run"]["network_trouble"]
