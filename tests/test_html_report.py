"""`factcheck report`: the HTML page from a run's results, checked as text and in a browser.

The browser tests open the page in headless Chromium through the DevTools protocol (a
websocket to the browser it starts), so that they see what a person would: uncaught
exceptions, console errors and CSP violations, the live DOM after the script ran, the
filters at work, and a screenshot. They are skipped when no Chromium is installed, unless
FACTCHECK_REQUIRE_BROWSER=1 (set by .ci/run, which installs Debian's chromium).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import struct
import subprocess
import tempfile
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from factcheck import htmlreport, render
from factcheck.cli import main
from factcheck.model import Finding, Report
from factcheck.pipeline.tally import Tally

DATA = Path(__file__).parent / "data"
RESULTS = DATA / "report_results.jsonl"
# What the fixture holds: 9 records in 3 groups, 19 findings of which 11 are flagged (every
# status but verified, and one verified retracted work).
GROUPS = ("model-a", "model-b", "model-c & tools")
FLAGGED = 11
NOT_FOUND = 5
HOSTILE_CLAIM = '<script>document.title="pwned"'

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "chrome")
REQUIRE_BROWSER = "FACTCHECK_REQUIRE_BROWSER"
BROWSER_START_SECONDS = 30.0
CDP_TIMEOUT_SECONDS = 30.0
POLL_SECONDS = 0.05
WINDOW = (1200, 900)
# Distinct byte values in a screenshot's decompressed pixel rows: a blank page has a handful
# (one colour, and the filters' zeros), a page with text and charts has hundreds.
MIN_DISTINCT_BYTES = 64


@pytest.fixture
def page(tmp_path: Path) -> Path:
    out = tmp_path / "report.html"
    htmlreport.write_report(RESULTS, out)
    return out


# --- the page as text ------------------------------------------------------------------------


def test_data_from_the_results_is_escaped(page: Path) -> None:
    html = page.read_text(encoding="utf-8")
    assert html.count("<script") == 1  # the page's own, nothing from the data
    assert "&lt;script&gt;document.title=&quot;pwned&quot;" in html
    assert "<img src=x" not in html and "&lt;img src=x onerror=" in html
    assert "model-c & tools" not in html and 'data-group="model-c &amp; tools"' in html


def test_rates_are_the_tallys(page: Path) -> None:
    html = page.read_text(encoding="utf-8")
    tally = Tally()
    for line in RESULTS.read_text(encoding="utf-8").splitlines():
        tally.add(json.loads(line))
    overall = tally.overall().rates
    assert (overall.fabricated.count, overall.fabricated.of) == (3, 10)
    for name in ("fabricated", "miscited", "dead_links", "unverifiable"):
        rate = getattr(overall, name)
        assert f"{rate.rate:.1%} ({rate.count}/{rate.of})" in html
        low, high = rate.ci95
        assert f"95% CI {low:.1%}–{high:.1%}" in html
    assert 'id="chart-fabricated"' in html
    assert "n/a (none decided)" in html  # model-b has no decided link


def test_doi_links_go_to_doi_org_and_are_encoded(page: Path) -> None:
    html = page.read_text(encoding="utf-8")
    assert 'href="https://doi.org/10.1038/srep16696"' in html
    assert 'href="https://doi.org/10.9999/evil%22%3E%3Cb%3Ex%3C/b%3E"' in html


def test_csp_allows_only_the_pages_own_script_and_style(page: Path) -> None:
    html = page.read_text(encoding="utf-8")
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html)
    script = re.search(r"<script>(.*)</script>", html, re.DOTALL)
    style = re.search(r"<style>(.*)</style>", html, re.DOTALL)
    assert policy and script and style
    assert "default-src 'none'" in policy.group(1)
    assert f"script-src '{_sha256(script.group(1))}'" in policy.group(1)
    assert f"style-src '{_sha256(style.group(1))}'" in policy.group(1)
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", _without_links(html))


def test_check_outputs_are_read_too(tmp_path: Path) -> None:
    """`check --format json` and `--format jsonl`: each file a group."""
    reports = [
        Report(path="a.md", items=_findings(0)),
        Report(path="b.md", items=_findings(4)),
    ]
    for name, text in (
        ("out.json", render.to_json(reports)),
        ("out.jsonl", render.to_jsonl(reports)),
    ):
        source = tmp_path / name
        source.write_text(text, encoding="utf-8")
        collected = htmlreport.write_report(source, tmp_path / f"{name}.html")
        assert set(collected.tally.groups()) == {"a.md", "b.md"}
        assert collected.tally.records == 2
        assert sum(collected.statuses.values()) == sum(len(r.items) for r in reports)


def test_a_long_table_is_cut_and_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(htmlreport, "MAX_TABLE_ROWS", 2)
    out = tmp_path / "report.html"
    collected = htmlreport.write_report(RESULTS, out)
    assert (len(collected.rows), collected.flagged) == (2, FLAGGED)
    assert f"first 2 of {FLAGGED} flagged findings" in out.read_text(encoding="utf-8")


def test_cli_writes_the_report(tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    result = CliRunner().invoke(main, ["report", str(RESULTS), "-o", str(out), "--title", "T<1>"])
    assert result.exit_code == 0, result.output
    assert f"({FLAGGED} flagged findings)" in result.output
    assert "<title>T&lt;1&gt;</title>" in out.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"row": 1, "findings": []}\nnot json\n', "line 2: not valid JSON"),
        ("not json\n", "line 1: not valid JSON"),
        ('{\n  "files": 3\n}\n', "a JSON document without a `files` list"),
        ('{"row": 1}\n', "line 1: neither a `factcheck run` record nor a finding"),
        ('{"row": 1, "findings": [{"citation": {}}]}\n', "line 1: a finding that does not read"),
    ],
)
def test_cli_refuses_unreadable_results(tmp_path: Path, content: str, message: str) -> None:
    source = tmp_path / "bad.jsonl"
    source.write_text(content, encoding="utf-8")
    result = CliRunner().invoke(main, ["report", str(source), "-o", str(tmp_path / "r.html")])
    assert result.exit_code == 2
    assert message in result.output
    assert not (tmp_path / "r.html").exists()


# --- the page in a browser -------------------------------------------------------------------


def test_an_empty_run_is_an_empty_page(tmp_path: Path) -> None:
    source = tmp_path / "empty.jsonl"
    source.write_text("\n", encoding="utf-8")
    out = tmp_path / "r.html"
    assert htmlreport.write_report(source, out).tally.records == 0
    html = out.read_text(encoding="utf-8")
    assert html.count("n/a (none decided)") == len(htmlreport.CHARTED_RATES)
    assert "0 records, 0 findings" in html


def test_a_missing_results_file_is_exit_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["report", str(tmp_path / "no.jsonl"), "-o", "r.html"])
    assert result.exit_code == 2
    assert "no.jsonl: cannot read" in result.output


def test_page_loads_without_errors_and_shows_charts_and_rows(browser: Browser, page: Path) -> None:
    opened = browser.open(page)
    assert opened.errors == []
    assert opened.requests == [page.as_uri()]  # nothing fetched but the page itself
    dom = opened.evaluate("document.documentElement.outerHTML")
    assert dom.count('<svg class="chart"') == len(htmlreport.CHARTED_RATES)
    assert opened.evaluate("document.querySelectorAll('svg.chart g.bar').length") == 4 * (
        1 + len(GROUPS)
    )
    assert opened.evaluate("document.querySelectorAll('#flagged-table > tbody > tr').length") == (
        FLAGGED
    )
    assert opened.evaluate("document.getElementById('shown-count').textContent") == str(FLAGGED)
    # The hostile claim is text on the page, and none of its scripts ran.
    assert HOSTILE_CLAIM in opened.evaluate("document.getElementById('flagged-table').textContent")
    assert opened.evaluate("document.title") == "factcheck report: report_results.jsonl"
    assert opened.evaluate("document.body.dataset.pwned === undefined") is True
    assert opened.evaluate("document.scripts.length") == 1
    shot = opened.screenshot(page.with_suffix(".png"))
    assert shot.stat().st_size > 0 and not _blank(shot.read_bytes())


def test_filters_hide_and_show_rows(browser: Browser, page: Path) -> None:
    opened = browser.open(page)
    assert opened.filter(status="not_found") == NOT_FOUND
    assert opened.filter(status="not_found", group="model-b") == 1
    assert opened.filter(text="SREP16696") == 2  # case-insensitive: the two miscited entries
    assert opened.filter(group=GROUPS[2]) == 3  # a name escaped in the page, matched as text
    assert opened.filter() == FLAGGED
    assert opened.errors == []


def test_a_script_error_is_caught(
    browser: Browser, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check above can fail: the page's script, broken, is reported as uncaught."""
    asset = htmlreport._asset

    def broken(name: str) -> str:
        text = asset(name)
        return text.replace("apply();\n})();", "apply();\n  notDefined();\n})();")

    monkeypatch.setattr(htmlreport, "_asset", broken)
    out = tmp_path / "broken.html"
    htmlreport.write_report(RESULTS, out)
    opened = browser.open(out)
    assert any("notDefined is not defined" in error for error in opened.errors)


def test_a_blank_screenshot_is_told_apart(browser: Browser, tmp_path: Path) -> None:
    empty = tmp_path / "empty.html"
    empty.write_text("<!DOCTYPE html><title>empty</title>", encoding="utf-8")
    shot = browser.open(empty).screenshot(tmp_path / "empty.png")
    assert _blank(shot.read_bytes())


# --- a small DevTools-protocol client ----------------------------------------------------------


class Browser:
    """One headless Chromium, driven over its DevTools websocket."""

    def __init__(self, socket: Any) -> None:
        self._socket = socket
        self._next_id = 0
        self._events: list[dict[str, Any]] = []

    def call(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session is not None:
            message["sessionId"] = session
        self._socket.send(json.dumps(message))
        while True:
            reply = self._receive(time.monotonic() + CDP_TIMEOUT_SECONDS)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                result: dict[str, Any] = reply.get("result", {})
                return result
            self._events.append(reply)

    def wait_for(self, method: str, session: str) -> dict[str, Any]:
        deadline = time.monotonic() + CDP_TIMEOUT_SECONDS
        while True:
            for event in self._events:
                if event.get("method") == method and event.get("sessionId") == session:
                    return event
            self._events.append(self._receive(deadline))

    def events(self, session: str) -> list[dict[str, Any]]:
        return [e for e in self._events if e.get("sessionId") == session]

    def open(self, path: Path) -> OpenPage:
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable", session)
        self.call(
            "Emulation.setDeviceMetricsOverride",
            session,
            width=WINDOW[0],
            height=WINDOW[1],
            deviceScaleFactor=1,
            mobile=False,
        )
        self.call("Page.navigate", session, url=path.as_uri())
        self.wait_for("Page.loadEventFired", session)
        return OpenPage(self, session)

    def _receive(self, deadline: float) -> dict[str, Any]:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("no answer from the browser")
        message: dict[str, Any] = json.loads(self._socket.recv(timeout=remaining))
        return message


class OpenPage:
    def __init__(self, browser: Browser, session: str) -> None:
        self._browser = browser
        self._session = session

    @property
    def errors(self) -> list[str]:
        """Uncaught exceptions, console.error calls, and errors the browser logged (a CSP
        violation, a failed load)."""
        found = []
        for event in self._browser.events(self._session):
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.exceptionThrown":
                details = params["exceptionDetails"]
                found.append(details.get("exception", {}).get("description") or details["text"])
            elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                found.append(" ".join(str(a.get("value")) for a in params.get("args", [])))
            elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
                found.append(params["entry"]["text"])
        return found

    @property
    def requests(self) -> list[str]:
        return [
            e["params"]["request"]["url"]
            for e in self._browser.events(self._session)
            if e.get("method") == "Network.requestWillBeSent"
        ]

    def evaluate(self, expression: str) -> Any:
        result = self._browser.call(
            "Runtime.evaluate", self._session, expression=expression, returnByValue=True
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def filter(self, *, text: str = "", status: str = "", group: str = "") -> int:
        """Sets the filters as a person would (input and change events); the rows shown."""
        script = f"""
            (() => {{
              const set = (id, value, event) => {{
                const field = document.getElementById(id);
                field.value = value;
                field.dispatchEvent(new Event(event));
              }};
              set("filter-text", {json.dumps(text)}, "input");
              set("filter-status", {json.dumps(status)}, "change");
              set("filter-group", {json.dumps(group)}, "change");
              const rows = document.querySelectorAll("#flagged-table > tbody > tr");
              const shown = Array.from(rows).filter((row) => !row.hidden).length;
              const counted = document.getElementById("shown-count").textContent;
              return counted === String(shown) ? shown : -1;
            }})()
        """
        shown: int = self.evaluate(script)
        return shown

    def screenshot(self, out: Path) -> Path:
        data = self._browser.call("Page.captureScreenshot", self._session, format="png")["data"]
        out.write_bytes(base64.b64decode(data))
        return out


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    from websockets.sync.client import connect

    binary = next((found for name in BROWSERS if (found := shutil.which(name))), None)
    if binary is None:
        message = "no Chromium found (apt-get install chromium; .ci/run installs it)"
        if os.environ.get(REQUIRE_BROWSER) == "1":
            pytest.fail(f"{REQUIRE_BROWSER}=1 but {message}")
        pytest.skip(message)
    with tempfile.TemporaryDirectory(prefix="factcheck-chromium-") as profile:
        process = subprocess.Popen(
            [
                binary,
                "--headless",
                "--disable-gpu",
                "--no-sandbox",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-extensions",
                "--disable-background-networking",
                "--remote-debugging-port=0",
                f"--user-data-dir={profile}",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            url = _devtools_url(Path(profile), process)
            with connect(url, max_size=None, open_timeout=CDP_TIMEOUT_SECONDS) as socket:
                yield Browser(socket)
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _devtools_url(profile: Path, process: subprocess.Popen[bytes]) -> str:
    """The browser's websocket, from the DevToolsActivePort file it writes once listening."""
    port_file = profile / "DevToolsActivePort"
    deadline = time.monotonic() + BROWSER_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"chromium exited with {process.returncode}")
        lines = port_file.read_text().split() if port_file.exists() else []
        if len(lines) >= 2:
            return f"ws://127.0.0.1:{lines[0]}{lines[1]}"
        time.sleep(POLL_SECONDS)
    raise TimeoutError("chromium did not open its DevTools port")


# --- helpers -----------------------------------------------------------------------------------


def _findings(start: int) -> list[Finding]:
    """Findings of the fixture, from its `start`th record on: real ones, for check outputs."""
    lines = RESULTS.read_text(encoding="utf-8").splitlines()[start:]
    record = next(json.loads(line) for line in lines if json.loads(line)["findings"])
    return [Finding.model_validate(item) for item in record["findings"]]


def _sha256(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


def _without_links(html: str) -> str:
    """The page without its <a href>s: links are followed only when clicked, not loaded."""
    return re.sub(r"<a href=\"[^\"]*\"", "<a", html)


def _blank(png: bytes) -> bool:
    """Whether a PNG holds next to nothing: few distinct byte values in its pixel rows."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    data, position = b"", 8
    while position < len(png):
        (length,) = struct.unpack(">I", png[position : position + 4])
        kind = png[position + 4 : position + 8]
        if kind == b"IDAT":
            data += png[position + 8 : position + 8 + length]
        position += length + 12
    return len(set(zlib.decompress(data))) < MIN_DISTINCT_BYTES
