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
import re
from pathlib import Path

import pytest
from browser import Browser, OpenPage, blank
from click.testing import CliRunner

from factcheck.cli import main
from factcheck.model import Finding, Report
from factcheck.pipeline import htmlreport
from factcheck.pipeline.tally import Tally
from factcheck.report import render

DATA = Path(__file__).parent / "data"
RESULTS = DATA / "report_results.jsonl"
# What the fixture holds: 9 records in 3 groups, 19 findings of which 11 are flagged (every
# status but verified, and one verified retracted work).
GROUPS = ("model-a", "model-b", "model-c & tools")
FLAGGED = 11
NOT_FOUND = 5
HOSTILE_CLAIM = '<script>document.title="pwned"'


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
    assert shot.stat().st_size > 0 and not blank(shot.read_bytes())


def test_filters_hide_and_show_rows(browser: Browser, page: Path) -> None:
    opened = browser.open(page)
    assert apply_filters(opened, status="not_found") == NOT_FOUND
    assert apply_filters(opened, status="not_found", group="model-b") == 1
    assert (
        apply_filters(opened, text="SREP16696") == 2
    )  # case-insensitive: the two miscited entries
    assert (
        apply_filters(opened, group=GROUPS[2]) == 3
    )  # a name escaped in the page, matched as text
    assert apply_filters(opened) == FLAGGED
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
    assert blank(shot.read_bytes())


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


def apply_filters(opened: OpenPage, *, text: str = "", status: str = "", group: str = "") -> int:
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
    shown: int = opened.evaluate(script)
    return shown
