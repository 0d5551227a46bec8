"""No terminal control sequence from a source or from the checked text reaches any output.

A Crossref title, a web page's <title> and the checked text itself each carry one hostile
variant (a CSI that moves the cursor up and erases a line, OSC window titles and links,
8-bit C1 controls, C0 controls, bidi overrides, a lone carriage return), and every output is
searched for any of those characters: the terminal report (with and without colour), Markdown,
the annotated text, SARIF, JSON, JSON lines, the HTML report, the `extract` table and the
command's own error lines. The text must still read: the words around a removed sequence
stay, and JSON keeps every value whole (escaped), so `text[start:end] == raw` still holds.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from fakes.server import FakeApi, answer
from hypothesis import given, settings
from hypothesis import strategies as st
from servers import LocalServer, Reply

from factcheck.cli import main
from factcheck.errors import FactCheckFailed
from factcheck.guard.policies import reask_message
from factcheck.model import Citation, Finding, Kind, Report, Status, Verdict
from factcheck.resolve.mapping import text as mapped_text
from factcheck.safetext import json_safe, safe_line, safe_text

PLOS = "10.1371/journal.pone.0033693"
MISSING = "10.1371/notarealdoi"
VARIANTS = {
    "csi erase line": "\x1b[1A\x1b[2K",
    "csi fake verified line": "\x1b[2K\r  \u2713 verified  ",
    "osc title bel": "\x1b]0;pwned\x07",
    "osc link st": "\x1b]8;;https://evil.example/\x1b\\",
    "c1 csi": "\x9b2K\x9b1A",
    "c1 osc": "\x9d0;pwned\x9c",
    "dcs": "\x1bPq#0;2;0;0;0\x1b\\",
    "c0 controls": "\x00\x07\x08\x0b\x0c\x0e\x1f",
    "del and nel": "\x7f\x85",
    "bidi override": "\u202e\u2066\u200f\u061c",
    "lone carriage return": "\r",
    "unterminated osc": "\x1b]0;",
    "reset": "\x1bc",
}
# What may not appear in any output: C0 controls but tab and newline, a carriage return not
# before a newline, DEL, C1 controls, bidi controls, lone surrogates.
FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
    "\ud800-\udfff]|\r(?!\n)"
)
# The only escape codes a coloured report may hold: rich's own styles (SGR).
SGR = re.compile(r"\x1b\[[0-9;]*m")
FOUND_TITLE = "Deep priors"


def assert_clean(output: str, *, colour: bool = False) -> None:
    if colour:
        output = SGR.sub("", output)
    found = FORBIDDEN.search(output)
    assert found is None, repr(output[max(0, found.start() - 60) : found.end() + 60])


# ------------------------------------------------------------------ safe_text itself


@pytest.mark.parametrize("hostile", VARIANTS.values(), ids=VARIANTS.keys())
def test_safe_text_removes_the_variant_and_keeps_the_words(hostile: str) -> None:
    cleaned = safe_text(f"Deep {hostile}priors\nnext line")
    assert_clean(cleaned)
    assert cleaned.startswith("Deep ") and cleaned.endswith("priors\nnext line")
    assert safe_line(f"Deep {hostile}priors") in {"Deep priors", "Deep \u2713 verified priors"}


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        ("a\x1b[38;5;196mred\x1b[0m b", "ared b"),
        ("win\x1b]2;title\x1b\\dow", "window"),
        ("tab\tand\r\nCRLF", "tab\tand\r\nCRLF"),
        ("lone \ud800 surrogate", "lone \ufffd surrogate"),
        ("unterminated \x1b]8;;http://x rest", "unterminated http://x rest"),
        ("plain caf\u00e9 \u2713 \U0001f600", "plain caf\u00e9 \u2713 \U0001f600"),
        ("zero\u200bwidth", "zero\u200bwidth"),
    ],
)
def test_safe_text_examples(raw: str, cleaned: str) -> None:
    assert safe_text(raw) == cleaned


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.characters(codec=None, exclude_categories=())))
def test_safe_text_leaves_nothing_a_terminal_acts_on(text: str) -> None:
    cleaned = safe_text(text)
    assert_clean(cleaned)
    assert safe_text(cleaned) == cleaned


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cf", "Cs", "Co", "Cn"))))
def test_printable_text_is_untouched(text: str) -> None:
    assert safe_text(text) == text


@settings(max_examples=300, deadline=None)
@given(st.recursive(st.text() | st.integers(), lambda inner: st.lists(inner, max_size=4)))
def test_json_safe_keeps_json_valid_and_values_whole(value: Any) -> None:
    document = json_safe(json.dumps({"value": value}, ensure_ascii=False))
    assert_clean(document)
    assert json.loads(document) == {"value": value}


def test_a_million_escape_introducers_are_handled() -> None:
    for hostile in ("\x1b]" * 500_000, "\x9d" * 1_000_000, "\x1b[" * 500_000):
        assert_clean(safe_text(hostile))


@pytest.mark.parametrize("hostile", VARIANTS.values(), ids=VARIANTS.keys())
def test_strings_from_a_source_are_clean_when_mapped(hostile: str) -> None:
    assert mapped_text(f"Deep {hostile}priors") in {FOUND_TITLE, "Deep \u2713 verified priors"}
    assert mapped_text([f"Deep {hostile}priors"]) is not None


# ------------------------------------------------------------------ every output format


@pytest.fixture
def scene(
    request: pytest.FixtureRequest,
    fake_api: FakeApi,
    local_server: LocalServer,
    tmp_path: Path,
) -> Iterator[dict[str, Any]]:
    """A Crossref record, a web page and a text, each holding the variant."""
    hostile = request.param
    message = dict(fake_api.corpus.crossref[PLOS])
    message["title"] = [f"Deep {hostile}priors"]
    message["container-title"] = [f"PLoS {hostile}ONE"]
    body = json.dumps({"status": "ok", "message-type": "work", "message": message})
    fake_api.reset()
    fake_api.inject_always(f"/crossref/works/{PLOS}", answer(body.encode()))
    page = f"<html><head><title>Page not found: {hostile}gone</title></head></html>"
    html = {"Content-Type": "text/html; charset=utf-8"}
    local_server.on("/data", Reply(200, page.encode("utf-8"), html))
    typed = hostile.replace("\x00", "")  # a text with NUL is refused as binary
    text = (
        "## References\n\n"
        f"1. Smith, J. (2012). Graph kernels for {typed}proteins. PLoS ONE. doi:{PLOS}\n"
        f"2. The data: {local_server.url('/data')} ({typed}see there).\n"
        f"3. Doe, J. (2020). Invented {typed}work. Acme Press. doi:{MISSING}\n"
        "\n"
        f"As the review ({typed}2019) puts it, see doi:{PLOS} on graph kernels for proteins.\n"
    )
    path = tmp_path / "answer.md"
    path.write_text(text, encoding="utf-8", newline="")
    yield {
        "path": path,
        "text": text,
        "api": fake_api,
        # How each reads once cleaned: "Deep priors" (or "Deep ✓ verified priors": the
        # forged line's words stay, as words, on the line they belong to).
        "title": safe_line(f"Deep {hostile}priors"),
        "claimed": safe_line(f"Graph kernels for {typed}proteins"),
        "invented": safe_line(f"Invented {typed}work"),
        "page": safe_line(f"Page not found: {hostile}gone"),
    }
    fake_api.reset()


def run(scene: dict[str, Any], *args: str, **env: str) -> Result:
    api = scene["api"]
    settings = {
        "FACTCHECK_CROSSREF_URL": f"{api.url}/crossref",
        "FACTCHECK_DOI_URL": f"{api.url}/doi",
        "FACTCHECK_CACHE": "none",
        "FACTCHECK_RETRIES": "0",
        "FACTCHECK_ALLOW_PRIVATE_URLS": "1",
        "FACTCHECK_SOURCES": "crossref,doi,url",
        "COLUMNS": "120",
        **env,
    }
    return CliRunner().invoke(main, list(args), env=settings)


variants = pytest.mark.parametrize("scene", VARIANTS.values(), ids=VARIANTS.keys(), indirect=True)


@variants
@pytest.mark.parametrize("colour", [False, True], ids=["plain", "colour"])
def test_the_terminal_report(scene: dict[str, Any], colour: bool) -> None:
    env = {"FORCE_COLOR": "1"} if colour else {"NO_COLOR": "1"}
    result = run(scene, "check", "-v", str(scene["path"]), **env)
    assert result.exit_code == 1, result.output
    assert_clean(result.stdout, colour=colour)
    plain = " ".join(SGR.sub("", result.stdout).split())
    assert scene["title"] in plain
    assert scene["invented"] in plain
    assert scene["page"] in plain


@variants
def test_markdown(scene: dict[str, Any]) -> None:
    result = run(scene, "check", "--format", "markdown", str(scene["path"]))
    assert_clean(result.stdout)
    assert scene["title"] in result.stdout
    assert scene["invented"] in result.stdout.replace("\\", "")


@variants
@pytest.mark.parametrize("suffix", [".md", ".txt"])
def test_the_annotated_text(scene: dict[str, Any], suffix: str) -> None:
    path = scene["path"].with_suffix(suffix)
    path.write_text(scene["text"], encoding="utf-8", newline="")
    result = run(scene, "check", "--annotate", str(path))
    assert_clean(result.stdout)
    read = " ".join(result.stdout.split())
    assert scene["claimed"] in read and scene["invented"] in read
    assert "mismatch" in read and "not found" in read
    assert result.stdout.count("\n") == scene["text"].count("\n")


@variants
@pytest.mark.parametrize("fmt", ["json", "jsonl", "sarif"])
def test_json_formats_stay_valid_and_escape_the_rest(scene: dict[str, Any], fmt: str) -> None:
    result = run(scene, "check", "--format", fmt, str(scene["path"]))
    assert_clean(result.stdout)
    lines = result.stdout.splitlines() if fmt == "jsonl" else [result.stdout]
    documents = [json.loads(line) for line in lines]
    dumped = json.dumps(documents, ensure_ascii=False)
    assert scene["title"] in dumped
    if fmt == "json":
        [file] = documents[0]["files"]
        for item in file["items"]:
            citation = item["citation"]
            assert scene["text"][citation["start"] : citation["end"]] == citation["raw"]
            record = item["verdict"]["record"]
            if record is not None:  # what came from a source is clean, not only escaped
                assert_clean(json.dumps(record, ensure_ascii=False))
    if fmt == "sarif":
        for result_ in documents[0]["runs"][0]["results"]:
            assert_clean(result_["message"]["text"])
            assert_clean(result_["locations"][0]["physicalLocation"]["region"]["snippet"]["text"])


@variants
def test_the_html_report(scene: dict[str, Any], tmp_path: Path) -> None:
    results = tmp_path / "results.json"
    results.write_text(
        run(scene, "check", "--format", "json", str(scene["path"])).stdout, encoding="utf-8"
    )
    page = tmp_path / "report.html"
    outcome = run(scene, "report", str(results), "-o", str(page), "--title", "r\x1b[2Kx")
    assert outcome.exit_code == 0, outcome.output
    html = page.read_text(encoding="utf-8")
    assert_clean(html)
    assert scene["title"] in html
    assert_clean(outcome.output)


@variants
def test_the_extract_table(scene: dict[str, Any]) -> None:
    result = run(scene, "extract", str(scene["path"]), NO_COLOR="1")
    assert result.exit_code == 0, result.output
    assert_clean(result.stdout)
    assert scene["invented"] in " ".join(result.stdout.split())


@pytest.mark.parametrize("hostile", VARIANTS.values(), ids=VARIANTS.keys())
def test_error_lines_name_a_file_without_its_controls(hostile: str, tmp_path: Path) -> None:
    missing = tmp_path / f"gone{hostile.replace(chr(0), '')}.md"
    result = CliRunner().invoke(main, ["check", str(missing)], env={"FACTCHECK_CACHE": "none"})
    assert result.exit_code == 2
    assert_clean(result.output)
    assert "factcheck: error:" in result.output and "gone" in result.output


@pytest.mark.parametrize("hostile", VARIANTS.values(), ids=VARIANTS.keys())
def test_a_file_name_in_a_report_header(hostile: str, tmp_path: Path) -> None:
    if "\x00" in hostile or "/" in hostile:
        pytest.skip("no file name can hold NUL or /")
    path = tmp_path / f"answer{hostile}.md"
    path.write_text("No claims here.\n", encoding="utf-8")
    for args in (["check", str(path)], ["check", "--format", "markdown", str(path)]):
        result = CliRunner().invoke(main, args, env={"FACTCHECK_CACHE": "none", "NO_COLOR": "1"})
        assert_clean(result.output)


@pytest.mark.parametrize("hostile", VARIANTS.values(), ids=VARIANTS.keys())
def test_the_guards_exception_message(hostile: str) -> None:
    raw = f"Doe, J. (2020). Invented {hostile}work. doi:{MISSING}"
    finding = Finding(
        citation=Citation(kind=Kind.REFERENCE, raw=raw, start=0, end=len(raw)),
        verdict=Verdict(status=Status.NOT_FOUND, confidence=0.9, reason="no such DOI"),
    )
    message = str(FactCheckFailed(Report(items=[finding])))
    assert_clean(message)
    assert safe_line(f"Invented {hostile}work") in message


@pytest.mark.parametrize("hostile", VARIANTS.values(), ids=VARIANTS.keys())
def test_the_reask_message_to_the_model(hostile: str) -> None:
    raw = f"Doe, J. (2020). Invented {hostile}work."
    finding = Finding(
        citation=Citation(kind=Kind.REFERENCE, raw=raw, start=0, end=len(raw)),
        verdict=Verdict(status=Status.NOT_FOUND, confidence=0.9, reason=f"no {hostile}record"),
    )
    message = reask_message(Report(items=[finding]), [Status.NOT_FOUND])
    assert_clean(message)
    assert safe_line(f"Invented {hostile}work") in message
