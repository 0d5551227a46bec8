"""Report formats of `factcheck check`: golden files for each, the SARIF schema, colour rules,
-v, and --annotate.

Golden files live in tests/golden/; after a deliberate change to a format, regenerate them
with `FACTCHECK_UPDATE_GOLDEN=1 pytest tests/test_formats.py` and review the diff.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import formats_sample as sample
import jsonschema
import pytest
from click.testing import CliRunner, Result

from factcheck.cli import main
from factcheck.model import Citation, FieldDiff, Finding, Kind, Report, Status, Verdict
from factcheck.report import render
from factcheck.report.formats.annotate import annotate, is_markdown, marker
from factcheck.report.formats.lines import Lines
from factcheck.report.formats.markdown import code, escape, to_markdown
from factcheck.report.formats.output import write_annotated, write_report
from factcheck.report.formats.sarif import artifact_uri, fix_for, rule_for, to_sarif
from factcheck.report.formats.text import make_console, print_report, wants_color
from factcheck.report.suggest import corrected_reference

GOLDEN = Path(__file__).parent / "golden"
UPDATE_GOLDEN = bool(os.environ.get("FACTCHECK_UPDATE_GOLDEN"))
SCHEMA = Path(__file__).parent / "schemas" / "sarif-schema-2.1.0.json"
FIXTURES = Path(__file__).parent.parent / "fixtures"
QUICKSTART = FIXTURES / "quickstart.md"
ESC = "\x1b["
GOLDEN_WIDTH = "100"


def check_golden(name: str, actual: str) -> None:
    """Compare byte for byte (line ends included) with tests/golden/NAME, or rewrite it."""
    path = GOLDEN / name
    if UPDATE_GOLDEN:
        path.write_bytes(actual.encode("utf-8"))
        return
    assert path.exists(), f"{path} is missing: run with FACTCHECK_UPDATE_GOLDEN=1"
    assert actual == path.read_bytes().decode("utf-8")


@pytest.fixture
def plain_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No colour variables, and a fixed width, whatever the developer's shell has."""
    for name in ("NO_COLOR", "FORCE_COLOR", "TERM"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COLUMNS", GOLDEN_WIDTH)


def written(fmt: str, **options: Any) -> str:
    stream = io.StringIO()
    write_report(sample.reports(), stream, fmt=fmt, texts=sample.TEXTS, **options)
    return stream.getvalue()


# --- golden files -------------------------------------------------------------------------


@pytest.mark.usefixtures("plain_env")
@pytest.mark.parametrize(
    ("fmt", "name"),
    [("text", "report.txt"), ("markdown", "report.md"), ("json", "report.json")],
)
def test_golden_report(fmt: str, name: str) -> None:
    check_golden(name, written(fmt))


def test_golden_jsonl() -> None:
    check_golden("report.jsonl", written("jsonl"))


def test_golden_sarif() -> None:
    check_golden("report.sarif", to_sarif(sample.reports(), texts=sample.TEXTS, tool_version="T"))


def test_golden_annotated() -> None:
    stream = io.StringIO(newline="")
    write_annotated(sample.reports(), stream, texts=sample.TEXTS)
    check_golden("annotated.txt", stream.getvalue())


def test_json_keeps_the_contract() -> None:
    """The golden JSON is the contract (docs/reports.md): the formats work left it alone."""
    document = json.loads(written("json"))
    assert set(document) >= {"files", "summary"}
    for file, text in zip(document["files"], sample.TEXTS.values(), strict=True):
        assert set(file) >= {"path", "items", "summary"}
        for item in file["items"]:
            citation = item["citation"]
            assert text[citation["start"] : citation["end"]] == citation["raw"]


# --- the terminal report ------------------------------------------------------------------


class Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("environ", "tty", "expected"),
    [
        ({}, False, False),
        ({}, True, True),
        ({"TERM": "dumb"}, True, False),
        ({"NO_COLOR": "1"}, True, False),
        ({"NO_COLOR": ""}, True, True),
        ({"FORCE_COLOR": "1"}, False, True),
        ({"FORCE_COLOR": "0"}, False, True),
        ({"FORCE_COLOR": ""}, False, False),
        ({"NO_COLOR": "yes", "FORCE_COLOR": "1"}, False, False),
        ({"NO_COLOR": "yes", "FORCE_COLOR": "1"}, True, False),
    ],
)
def test_colour_follows_no_color_force_color_and_the_terminal(
    environ: dict[str, str], tty: bool, expected: bool
) -> None:
    stream = Terminal() if tty else io.StringIO()
    assert wants_color(stream, environ) is expected


@pytest.mark.usefixtures("plain_env")
@pytest.mark.parametrize(
    ("environ", "tty", "coloured"),
    [
        ({}, False, False),
        ({}, True, True),
        ({"FORCE_COLOR": "1"}, False, True),
        ({"NO_COLOR": "1"}, True, False),
        ({"NO_COLOR": "1", "FORCE_COLOR": "1"}, False, False),
    ],
)
def test_the_report_has_escape_codes_only_with_colour(
    monkeypatch: pytest.MonkeyPatch, environ: dict[str, str], tty: bool, coloured: bool
) -> None:
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    stream = Terminal() if tty else io.StringIO()
    print_report(sample.reports(), make_console(stream), texts=sample.TEXTS)
    output = stream.getvalue()
    assert "not_found" in output
    assert (ESC in output) is coloured


@pytest.mark.usefixtures("plain_env")
def test_verified_claims_are_counted_unless_verbose() -> None:
    quiet, verbose = written("text"), written("text", verbose=True)
    assert "https://example.org/ok" not in quiet
    assert "3 verified, not listed" in quiet
    assert "https://example.org/ok" in verbose and "✓ verified" in verbose
    assert "not listed" not in verbose
    quiet_md, verbose_md = written("markdown"), written("markdown", verbose=True)
    assert "### ✓ verified" not in quiet_md and "3 verified, not listed." in quiet_md
    assert verbose_md.count("### ✓ verified") == 3


@pytest.mark.usefixtures("plain_env")
def test_a_block_shows_claim_found_reason_and_the_fields_that_differ() -> None:
    output = written("text")
    block = output[output.index("reference · line 9") :]
    block = block[: block.index("\n\n")]
    assert "claim   Smith, J., & Lee, K. (2019). Deep priors." in block
    assert "found   Smith, Lee, Park (2020). Deep priors." in block
    assert "reason  10.1038/srep16696 belongs to another work" in block
    rows = {line.split()[0]: line for line in block.splitlines()}
    assert rows["field"].split()[1:] == ["claimed", "found", "(crossref)"]
    assert "2019" in rows["year"] and "2020" in rows["year"]
    assert "Smith, Lee " in rows["authors"] and "Smith, Lee, Park" in rows["authors"]
    assert all(line == line.rstrip() for line in output.splitlines())


def test_differing_values_are_red_and_green_in_colour(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.delenv("NO_COLOR", raising=False)
    stream = io.StringIO()
    print_report(sample.reports(), make_console(stream), texts=sample.TEXTS)
    output = stream.getvalue()
    red, green = "\x1b[31m", "\x1b[32m"
    assert f"{red}2019" in output and f"{green}2020" in output


# --- Markdown -----------------------------------------------------------------------------


def test_markdown_escapes_untrusted_text_and_links_only_the_web() -> None:
    hostile = "x](javascript:alert(1)) <img src=x> | *bold* `code`"
    citation = Citation(kind=Kind.URL, raw=hostile, start=0, end=len(hostile))
    verdict = Verdict(status=Status.NOT_FOUND, confidence=0.9, reason=hostile)
    report = Report(
        path="a|b.md",
        items=[
            Finding(citation=citation, verdict=verdict, archived_url="javascript:alert(1)"),
        ],
    )
    document = to_markdown([report])
    assert re.search(r"(?<!\\)<img", document) is None
    assert re.search(r"(?<!\\)\]\(javascript", document) is None
    assert r"\<img src=x\> \| \*bold\* \`code\`" in document
    assert "**Archived copy:** javascript:alert(1)" in document
    assert code("a`b") == "``a`b``" and code("`x") == "`` `x ``"
    assert escape("line\nbreak | pipe") == r"line break \| pipe"


def test_markdown_links_the_found_doi() -> None:
    document = written("markdown")
    assert "([link](https://doi.org/10.1038/srep16696))" in document
    assert f"[{sample.ARCHIVED}]({sample.ARCHIVED})" in document


# --- SARIF --------------------------------------------------------------------------------


def sarif_log(reports: list[Report] | None = None) -> dict[str, Any]:
    return json.loads(to_sarif(reports or sample.reports(), texts=sample.TEXTS))  # type: ignore[no-any-return]


def validate(log: dict[str, Any]) -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft4Validator(
        schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
    )
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


def test_sarif_validates_against_the_official_schema() -> None:
    log = sarif_log()
    validate(log)
    with_unverifiable = sample.reports()
    for report in with_unverifiable:
        report.fail_on = list(Status)
    validate(sarif_log(with_unverifiable))


def test_the_schema_rejects_a_broken_log() -> None:
    """The validation can fail: a result without its message is caught."""
    log = sarif_log()
    del log["runs"][0]["results"][0]["message"]
    with pytest.raises(AssertionError, match="message"):
        validate(log)


def test_one_result_per_failing_finding_under_declared_rules() -> None:
    log = sarif_log()
    run = log["runs"][0]
    rules = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    failing = [f for r in sample.reports() for f in r.items if f.verdict.status in r.fail_on]
    results = run["results"]
    assert len(results) == len(failing) == 8
    assert [r["ruleId"] for r in results] == [rule_for(f).id for f in failing]
    for result in results:
        assert rules[result["ruleIndex"]] == result["ruleId"]
    by_rule = {r["ruleId"]: r["level"] for r in results}
    assert by_rule == {
        "factcheck/mismatch": "warning",
        "factcheck/dead-link": "error",
        "factcheck/not-found": "error",
    }
    assert results[1]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        sample.PAPER_PATH
    )
    assert results[-1]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "stdin"


def test_unverifiable_is_a_note_when_fail_on_names_it() -> None:
    reports = sample.reports()
    reports[0].fail_on = [Status.UNVERIFIABLE]
    results = sarif_log(reports[:1])["runs"][0]["results"]
    assert [(r["ruleId"], r["level"]) for r in results] == [("factcheck/unverifiable", "note")]


def expected_region(text: str, start: int, end: int) -> dict[str, int]:
    """Lines and columns counted the slow way, independently of `Lines`."""
    first_line_start = text.rfind("\n", 0, start) + 1
    last_line_start = text.rfind("\n", 0, end - 1) + 1
    return {
        "startLine": text.count("\n", 0, start) + 1,
        "startColumn": start - first_line_start + 1,
        "endLine": text.count("\n", 0, end - 1) + 1,
        "endColumn": end - last_line_start + 1,
    }


def test_regions_point_at_the_claims() -> None:
    texts = list(sample.TEXTS.values())
    results = sarif_log()["runs"][0]["results"]
    for result in results:
        location = result["locations"][0]["physicalLocation"]
        text = texts[0] if location["artifactLocation"]["uri"] != "stdin" else texts[1]
        region = location["region"]
        start, length = region["charOffset"], region["charLength"]
        assert text[start : start + length] == region["snippet"]["text"]
        wanted = expected_region(text, start, start + length)
        assert {key: region[key] for key in wanted} == wanted
    # After "café → " on a CRLF line: columns count code points, not bytes.
    last = results[-1]["locations"][0]["physicalLocation"]["region"]
    assert (last["startLine"], last["startColumn"], last["endColumn"]) == (2, 13, 40)


def apply_fix(text: str, result: dict[str, Any]) -> str:
    [change] = result["fixes"][0]["artifactChanges"]
    replacements = sorted(change["replacements"], key=lambda r: -r["deletedRegion"]["charOffset"])
    for replacement in replacements:
        region = replacement["deletedRegion"]
        start, end = region["charOffset"], region["charOffset"] + region["charLength"]
        text = text[:start] + replacement["insertedContent"]["text"] + text[end:]
    return text


def test_fixes_replace_the_claim() -> None:
    results = sarif_log()["runs"][0]["results"]
    fixed = {r["locations"][0]["physicalLocation"]["region"]["snippet"]["text"]: r for r in results}
    inline = apply_fix(sample.PAPER, fixed["(Smith & Lee, 2018)"])
    assert "(Smith & Lee, 2019). The data" in inline
    link = apply_fix(sample.PAPER, fixed["https://example.org/gone"])
    assert f"[on the web]({sample.ARCHIVED})" in link
    entry = sample.entry(sample.PAPER, "Smith, J.")
    assert sample.SUGGESTION in apply_fix(sample.PAPER, fixed[entry])
    arxiv = apply_fix(sample.NOTES, fixed["arXiv:2101.00001v9"])
    assert arxiv.startswith("Fact: arXiv:2101.00001v2 says so.\r\n")
    # An identifier inside an entry is fixed with its entry.
    assert "fixes" not in fixed["doi:10.1038/srep16696"]
    assert "fixes" not in fixed["doi:10.1371/notarealdoi"]


def test_a_fabricated_entry_is_removed_by_its_fix() -> None:
    results = sarif_log()["runs"][0]["results"]
    fixed = {r["locations"][0]["physicalLocation"]["region"]["snippet"]["text"]: r for r in results}
    zhang = sample.entry(sample.PAPER, "Zhang, W.")
    removed = apply_fix(sample.PAPER, fixed[zhang])
    assert "Zhang" not in removed and "notarealdoi" not in removed
    assert "2. Smith, J., & Lee, K. (2019)" in removed and "4. Doe, J. (2020)" in removed
    description = fixed[zhang]["fixes"][0]["description"]["text"]
    assert description.startswith("Remove the likely fabricated reference")


def test_fix_for_a_mismatched_entry_is_its_correction() -> None:
    entry = next(f for f in sample.paper_findings() if f.suggestion)
    entry.suggestion = None
    fix = fix_for(entry)
    assert fix is not None and fix.new == sample.SUGGESTION == corrected_reference(entry)
    fabricated = [f for f in sample.paper_findings() if f.verdict.status is Status.NOT_FOUND]
    fixes = [fix_for(f) for f in fabricated]
    assert [f.action.value if f else None for f in fixes] == ["replace", "remove", "remove"]
    assert fixes[0] is not None and fixes[0].new == sample.ARCHIVED


@pytest.mark.parametrize(
    ("path", "uri"),
    [
        ("-", "stdin"),
        (None, "stdin"),
        ("docs/my paper.md", "docs/my%20paper.md"),
        ("/srv/a b.md", "file:///srv/a%20b.md"),
    ],
)
def test_artifact_uris(path: str | None, uri: str) -> None:
    assert artifact_uri(path) == uri


def test_lines_count_crlf_and_empty_spans() -> None:
    text = "ab\r\ncd\nef"
    lines = Lines(text)
    assert lines.line_of(0) == 1 and lines.line_of(3) == 1 and lines.line_of(4) == 2
    region = lines.region(4, 6)  # "cd"
    assert (region.start_line, region.start_column, region.end_line, region.end_column) == (
        2,
        1,
        2,
        3,
    )
    empty = lines.region(7, 7)
    assert (empty.start_line, empty.start_column, empty.end_line, empty.end_column) == (3, 1, 3, 1)
    whole = lines.region(0, len(text))
    assert (whole.start_line, whole.end_line, whole.end_column) == (1, 3, 3)


# --- --annotate ---------------------------------------------------------------------------


def claim(text: str, raw: str, status: Status, *diffs: FieldDiff, after: int = 0) -> Finding:
    start = text.index(raw, after)
    citation = Citation(kind=Kind.DOI, raw=raw, start=start, end=start + len(raw))
    verdict = Verdict(status=status, confidence=0.9, reason="r", diffs=list(diffs))
    return Finding(citation=citation, verdict=verdict)


def test_markers_follow_each_claim_in_one_pass() -> None:
    text = "A doi:1 B doi:2 C doi:3 D"
    findings = [
        claim(text, "doi:1", Status.VERIFIED),
        claim(text, "doi:2", Status.NOT_FOUND),
        claim(text, "doi:3", Status.UNVERIFIABLE),
    ]
    plain = annotate(text, list(reversed(findings)), markdown=False)
    assert plain == "A doi:1 [✓] B doi:2 [✗ not found] C doi:3 [? unverifiable] D"
    fancy = annotate(text, findings, markdown=True)
    assert fancy == "A doi:1 *[✓]* B doi:2 *[✗ not found]* C doi:3 *[? unverifiable]* D"


def test_a_mismatch_marker_names_each_field() -> None:
    year = FieldDiff(field="year", claimed=2019, found=2020, suggestion=2020)
    title = FieldDiff(field="title", claimed="A *b*", found="C" * 80, suggestion="C")
    finding = claim("x doi:1", "doi:1", Status.MISMATCH, year, title)
    assert marker(finding, markdown=False) == (
        f" [⚠ mismatch: year 2019 → 2020; title “A *b*” → {'C' * 39}…]"
    )
    assert marker(finding, markdown=True).startswith(
        r" *[⚠ mismatch: year 2019 → 2020; title “A \*b\*”"
    )


def test_a_claim_inside_another_is_marked_only_when_it_says_more() -> None:
    text = "1. Smith (2019). T. doi:10.1/x\n2. Lee (2020). U. doi:10.1/y\n"
    first, second = text.splitlines()
    findings = [
        claim(text, first, Status.MISMATCH),
        claim(text, "doi:10.1/x", Status.MISMATCH),
        claim(text, second, Status.UNVERIFIABLE),
        claim(text, "doi:10.1/y", Status.NOT_FOUND),
    ]
    assert annotate(text, findings, markdown=False) == (
        "1. Smith (2019). T. doi:10.1/x [⚠ mismatch]\n"
        "2. Lee (2020). U. doi:10.1/y [✗ not found] [? unverifiable]\n"
    )


def test_markers_go_after_markdown_links() -> None:
    text = "See [data](https://x.org/a) and <https://x.org/b>, or https://x.org/c."
    findings = [
        claim(text, "https://x.org/a", Status.VERIFIED),
        claim(text, "https://x.org/b", Status.NOT_FOUND),
        claim(text, "https://x.org/c", Status.VERIFIED),
    ]
    assert annotate(text, findings, markdown=True) == (
        "See [data](https://x.org/a) *[✓]* and <https://x.org/b> *[✗ not found]*, "
        "or https://x.org/c *[✓]*."
    )


@pytest.mark.parametrize(
    ("path", "text", "expected"),
    [
        ("a.md", "plain words", True),
        ("a.txt", "# Looks like a heading", False),
        ("-", "# Heading\n\ntext", True),
        ("-", "See [x](https://x.org).", True),
        ("-", "Smith (2019). Title. doi:10.1/x", False),
        (None, "1. An entry\n2. Another", True),
    ],
)
def test_markdown_is_told_by_suffix_then_by_look(
    path: str | None, text: str, expected: bool
) -> None:
    assert is_markdown(path, text) is expected


def test_the_annotated_text_is_the_input_plus_markers() -> None:
    for report, text in zip(sample.reports(), sample.TEXTS.values(), strict=True):
        markdown = is_markdown(report.path, text)
        annotated = annotate(text, report.items, markdown=markdown)
        stripped = annotated
        for finding in report.items:
            stripped = stripped.replace(marker(finding, markdown=markdown), "", 1)
        assert stripped == text


# --- the command --------------------------------------------------------------------------


def replay(*args: str, env: dict[str, str] | None = None) -> Result:
    """`factcheck check` on fixtures/quickstart.md, answered from the recorded cassettes."""
    environ = {"FACTCHECK_CROSSREF_URL": None, "FACTCHECK_DOI_URL": None, "COLUMNS": "120"}
    environ.update({"NO_COLOR": None, "FORCE_COLOR": None, **(env or {})})
    command = ["check", "--replay", str(FIXTURES / "recordings"), "--cache", "none", *args]
    return CliRunner().invoke(main, command, env=environ)


@pytest.fixture(scope="module")
def quickstart_sarif() -> Iterator[Result]:
    yield replay("--format", "sarif", str(QUICKSTART))


def test_cli_sarif_is_valid_and_fails_like_the_others(quickstart_sarif: Result) -> None:
    assert quickstart_sarif.exit_code == 1
    log = json.loads(quickstart_sarif.stdout)
    validate(log)
    text = QUICKSTART.read_text(encoding="utf-8")
    results = log["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["factcheck/mismatch"] * 2
    for result in results:
        region = result["locations"][0]["physicalLocation"]["region"]
        start, length = region["charOffset"], region["charLength"]
        assert text[start : start + length] == region["snippet"]["text"]
        assert region["startLine"] == 9


def test_cli_markdown_and_output_file(tmp_path: Path) -> None:
    out = tmp_path / "report.md"
    result = replay("--format", "markdown", "-o", str(out), str(QUICKSTART))
    assert result.exit_code == 1
    assert result.stdout == ""
    document = out.read_text(encoding="utf-8")
    assert document.startswith("# factcheck report\n")
    assert "### ⚠ mismatch: reference, line 9" in document


def test_cli_annotate_writes_the_text_back(tmp_path: Path) -> None:
    result = replay("--annotate", str(QUICKSTART))
    assert result.exit_code == 1
    text = QUICKSTART.read_text(encoding="utf-8")
    assert result.stdout.replace(" *[✓]*", "").startswith(text[: text.index("1. Sadasivan")])
    assert "doi:10.1038/srep16696 *[⚠ mismatch: title “Deep priors" in result.stdout
    assert "e33693. https://doi.org/10.1371/journal.pone.0033693 *[✓]*\n" in result.stdout
    plain = tmp_path / "notes.txt"
    plain.write_text(text, encoding="utf-8")
    both = replay("--annotate", str(QUICKSTART), str(plain))
    assert both.stdout.count("==> ") == 2
    assert f"==> {plain} <==\n" in both.stdout
    assert "doi:10.1371/journal.pone.0020476 [✓]\n" in both.stdout


def test_cli_colour_follows_the_environment() -> None:
    path = str(QUICKSTART)
    assert ESC not in replay(path).stdout
    assert ESC in replay(path, env={"FORCE_COLOR": "1"}).stdout
    assert ESC not in replay(path, env={"FORCE_COLOR": "1", "NO_COLOR": "1"}).stdout


def test_cli_saves_an_svg_screenshot(tmp_path: Path) -> None:
    picture = tmp_path / "report.svg"
    result = replay("--save-svg", str(picture), str(QUICKSTART))
    assert result.exit_code == 1
    svg = picture.read_text(encoding="utf-8")
    assert svg.lstrip().startswith("<svg") and "mismatch" in svg


def test_cli_unwritable_output_is_a_usage_error(tmp_path: Path) -> None:
    result = replay("-o", str(tmp_path / "missing" / "out.txt"), str(QUICKSTART))
    assert result.exit_code == 2
    assert "cannot write" in result.stderr


def test_the_formats_stay_out_of_help() -> None:
    """`factcheck --help` loads none of the renderers (nor rich)."""
    code = "import sys, factcheck.cli; print(sorted(m for m in sys.modules if 'rich' in m))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_render_keeps_what_others_import() -> None:
    assert render.SHOWN_FIELDS[0] == "title"
    assert render.clip("a  b\nc", 10) == "a b c" and render.clip("x" * 20, 5) == "xxxx…"
