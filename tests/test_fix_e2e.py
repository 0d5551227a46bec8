"""Fixes end to end: a real Checker against the fake Crossref and doi.org on 127.0.0.1, whose
bibliographic search answers from a small index of the test's own.

The chimera of the issue: `Smith, J., & Lee, K. (2019). Deep priors for sparse recovery...
doi:10.1038/srep16696`, whose DOI is another paper's (Tosatto et al., 2015, Scientific
Reports). Whatever the face (guard `fix`, `--suggest`, SARIF, `factcheck fix`), the fix is
the work the entry describes under its right DOI when a search finds it, the entry taken
out or commented out when none does, and never Smith and Lee as authors of the other paper.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fakes.server import FakeApi, answer

import factcheck
from factcheck import Checker, guard
from factcheck.cli import main
from factcheck.extract import extract_all
from factcheck.fix.decide import FixAction
from factcheck.model import Kind, Status

pytestmark = pytest.mark.integration

WRONG_DOI = "10.1038/srep16696"
RIGHT_DOI = "10.1038/s41593-019-0001-1"
PLOS = "10.1371/journal.pone.0033693"
DELPHI = "10.1371/journal.pone.0020476"
# What the wrong DOI's work is: none of it may reach a fix of the Smith entry.
OTHER_WORK = ("Tosatto", "Single-molecule", "Scientific Reports", "2015", "Horrocks")
CHIMERA = f"Smith, J., & Lee, K. (2019). Deep priors for sparse recovery... doi:{WRONG_DOI}"
PAPER = f"""Deep priors help sparse recovery (Smith & Lee, 2019). Stimulants cost dopamine \
neurons (Sadasivan et al., 2012).

## References

1. {CHIMERA}
2. Sadasivan, S., Pond, B. B., Pani, A. K., et al. (2012). Methylphenidate exposure induces \
dopamine neuron loss and activation of microglia in the basal ganglia of mice. *PLoS ONE*, \
7(3), e33693. doi:{PLOS}
"""
# The work the chimera describes, as Crossref's search has it.
MEANT = {
    "DOI": RIGHT_DOI,
    "title": ["Deep priors for sparse recovery"],
    "author": [{"family": "Smith", "given": "Jane"}, {"family": "Lee", "given": "Kwan"}],
    "issued": {"date-parts": [[2019]]},
    "container-title": ["Nature Neuroscience"],
    "volume": "22",
    "page": "1-30",
    "type": "journal-article",
    "score": 500.0,
}


def index(*works: dict[str, Any]) -> bytes:
    """A Crossref search answer listing `works` (every query gets all; the resolver keeps
    only a hit whose fields confirm the claim)."""
    return json.dumps({"status": "ok", "message": {"items": list(works)}}).encode()


@pytest.fixture
def api(fake_api: FakeApi) -> Iterator[Callable[..., FakeApi]]:
    """The fake APIs with a search index of the test's choosing; the works in it are
    registered (doi.org and Crossref know their DOIs) for as long as the test runs."""
    registered: list[str] = []

    def with_index(*works: dict[str, Any]) -> FakeApi:
        fake_api.reset()
        fake_api.inject_always("/crossref/works", answer(index(*works)))
        for work in works:
            fake_api.corpus.crossref[work["DOI"].lower()] = work
            registered.append(work["DOI"].lower())
        return fake_api

    yield with_index
    fake_api.reset()
    for doi in registered:
        fake_api.corpus.crossref.pop(doi, None)


def checker_for(api: FakeApi) -> Checker:
    return Checker(api.config(sources=("crossref", "doi")))


def env_for(api: FakeApi) -> dict[str, str]:
    return {
        "FACTCHECK_CROSSREF_URL": f"{api.url}/crossref",
        "FACTCHECK_DOI_URL": f"{api.url}/doi",
        "FACTCHECK_SOURCES": "crossref,doi",
        "FACTCHECK_CACHE": "none",
        "COLUMNS": "200",
    }


def guarded(checker: Checker, **options: Any) -> str:
    @guard(checker=checker, on_fail="fix", **options)
    def ask() -> str:
        return PAPER

    return str(ask())


def assert_no_chimera(text: str) -> None:
    smith = [line for line in text.splitlines() if "Smith" in line]
    for word in OTHER_WORK:
        assert all(word not in line for line in smith), (word, smith)


# --- the guard's fix --------------------------------------------------------------------------


def test_the_chimera_of_the_issue_is_removed_with_its_citation(api: Callable[..., FakeApi]) -> None:
    with checker_for(api()) as checker:
        fixed = guarded(checker)
    assert fixed.startswith("Deep priors help sparse recovery. Stimulants cost dopamine")
    assert "Smith" not in fixed and WRONG_DOI not in fixed
    assert "1. Smith" not in fixed and f"doi:{PLOS}\n" in fixed  # the real entry stays
    assert_no_chimera(fixed)


def test_the_chimera_can_be_marked_instead(api: Callable[..., FakeApi]) -> None:
    with checker_for(api()) as checker:
        fixed = guarded(checker, fix_fabricated="mark")
    assert fixed.startswith("Deep priors help sparse recovery (Smith & Lee, 2019).")
    assert f"<!-- factcheck: commented out: {WRONG_DOI} belongs to another work" in fixed
    assert f"\n1. {CHIMERA}\n-->\n" in fixed
    # The commented-out entry is no claim any more: a check of the fixed text skips it.
    entries = [c for c in extract_all(fixed).citations if c.kind is Kind.REFERENCE]
    assert [c.raw[:9] for c in entries] == ["Sadasivan"]


def test_a_wrong_doi_to_a_work_that_exists_is_replaced_by_its_own(
    api: Callable[..., FakeApi],
) -> None:
    with checker_for(api(MEANT)) as checker:
        fixed = guarded(checker)
        report = factcheck.last_report()
    assert report is not None
    entry = next(f for f in report.items if f.citation.raw == CHIMERA)
    assert "wrong_identifier" in entry.verdict.flags and RIGHT_DOI in entry.verdict.reason
    assert entry.verdict.record is not None and entry.verdict.record.id == RIGHT_DOI
    assert f"1. {CHIMERA.replace(WRONG_DOI, RIGHT_DOI)}\n" in fixed
    assert "(Smith & Lee, 2019)" in fixed and WRONG_DOI not in fixed
    assert_no_chimera(fixed)


@pytest.mark.parametrize(
    ("claimed", "corrected", "cited", "cited_after"),
    [
        # an invented co-author goes
        (
            "Sadasivan, S., Invented, I., Pond, B. B., & Pani, A. K. (2012)",
            "Sadasivan, S., Pond, B. B., Pani, A. K., Qu, C., Jiao, Y., & Smeyne, R. J. (2012)",
            "(Sadasivan et al., 2012)",
            "(Sadasivan et al., 2012)",
        ),
        # a wrong year, in the entry and where it is cited
        (
            "Sadasivan, S., Pond, B. B., Pani, A. K., et al. (2009)",
            "Sadasivan, S., Pond, B. B., Pani, A. K., et al. (2012)",
            "(Sadasivan et al., 2009)",
            "(Sadasivan et al., 2012)",
        ),
    ],
)
def test_a_near_miss_is_corrected_field_by_field(
    api: Callable[..., FakeApi], claimed: str, corrected: str, cited: str, cited_after: str
) -> None:
    text = PAPER.replace("Sadasivan, S., Pond, B. B., Pani, A. K., et al. (2012)", claimed)
    text = text.replace("(Sadasivan et al., 2012)", cited)
    with checker_for(api(MEANT)) as checker:

        @guard(checker=checker, on_fail="fix")
        def ask() -> str:
            return text

        fixed = ask()
    assert f"2. {corrected}. Methylphenidate exposure induces dopamine neuron loss" in fixed
    assert cited_after in fixed and "Invented" not in fixed


def test_a_wrong_venue_is_corrected(api: Callable[..., FakeApi]) -> None:
    text = PAPER.replace("*PLoS ONE*", "*PLoS Biology*")
    with checker_for(api(MEANT)) as checker:
        result = factcheck.fix_text(text, checker=checker, path="paper.md")
    assert "*PLoS ONE*, 7(3), e33693" in result.fixed
    change = next(c for c in result.changes if c.claim.startswith("Sadasivan"))
    assert change.action is FixAction.REPLACE and "container" in change.reason


def test_only_an_identifier_of_another_work_costs_a_search(api: Callable[..., FakeApi]) -> None:
    fake = api(MEANT)
    near_miss = PAPER.replace(CHIMERA + "\n", "").replace("(2012). Methyl", "(2009). Methyl")
    with checker_for(fake) as checker:
        entry = next(f for f in checker.check(near_miss).items if f.citation.kind is Kind.REFERENCE)
        assert entry.verdict.status is Status.MISMATCH
        assert fake.hits("/crossref/works") == 0  # a near miss is corrected, not searched
        checker.check(PAPER)
        assert fake.hits("/crossref/works") == 1


# --- factcheck fix ----------------------------------------------------------------------------

BIB = f"""% My references.

@article{{smith2019,
  author = {{Smith, J. and Lee, K.}},
  title = {{Deep priors for sparse recovery}},
  journal = {{Nature Neuroscience}},
  year = {{2019}},
  pages = {{1--30}},
  doi = {{{WRONG_DOI}}},
  note = {{read twice}}
}}

@article{{sadasivan2012,
  author = {{Sadasivan, Shankar and Invented, Ima and Pond, Brooks B.}},
  title = {{Methylphenidate Exposure Induces Dopamine Neuron Loss and Activation of Microglia
           in the Basal Ganglia of Mice}},
  journal = {{PLoS ONE}},
  year = 2012,
  doi = {{{PLOS}}}
}}

@article{{boulkedid2011,
  author = {{Boulkedid, Rym and Abdoul, Hendy and Loustau, Marine and Sibony, Olivier and
            Alberti, Corinne}},
  title = {{Using and Reporting the Delphi Method for Selecting Healthcare Quality Indicators:
           A Systematic Review}},
  journal = {{PLoS ONE}},
  year = {{2008}},
  doi = {{{DELPHI}}}
}}
"""


def run_fix(api: FakeApi, *args: str) -> Any:
    return CliRunner().invoke(main, ["fix", *args], env=env_for(api))


def test_a_bib_file_is_fixed_into_another(api: Callable[..., FakeApi], tmp_path: Path) -> None:
    source, target = tmp_path / "refs.bib", tmp_path / "fixed.bib"
    source.write_text(BIB, encoding="utf-8")
    result = run_fix(api(), str(source), "-o", str(target))
    assert result.exit_code == 0, result.output
    assert source.read_text(encoding="utf-8") == BIB
    fixed = target.read_text(encoding="utf-8")
    # The chimera is commented out with the reason, every line of it.
    smith = fixed[: fixed.index("@article{sadasivan2012")]
    assert f"% factcheck: commented out: {WRONG_DOI} belongs to another work" in smith
    assert "% @article{smith2019,\n%   author = {Smith, J. and Lee, K.},\n" in smith
    assert "%   note = {read twice}\n% }\n" in smith
    # The invented co-author goes; the key, the type and the rest stay as written.
    assert "@article{sadasivan2012,\n  author = {Sadasivan, Shankar and Pond, Brooks B." in fixed
    assert "Invented" not in fixed and "  year = 2012,\n" in fixed
    # The year is the record's.
    assert "  year = {2011},\n  doi = {10.1371/journal.pone.0020476}" in fixed
    summary = result.stderr.splitlines()
    assert summary[0] == f"{source}: 2 corrected, 1 commented out"
    assert any(line.startswith("  line 3: commented out: smith2019: ") for line in summary)
    assert any("sadasivan2012: authors as the record has them" in line for line in summary)
    assert any("boulkedid2011: year as the record has them" in line for line in summary)


def test_fabricated_entries_can_be_removed(api: Callable[..., FakeApi], tmp_path: Path) -> None:
    source = tmp_path / "refs.bib"
    source.write_text(BIB, encoding="utf-8")
    result = run_fix(api(), str(source), "--fabricated", "remove")
    assert result.exit_code == 0, result.output
    assert "smith2019" not in result.stdout and result.stdout.startswith(
        "% My references.\n\n\n@article{sadasivan2012,"
    )
    assert f"{source}: 2 corrected, 1 removed" in result.stderr


def test_markdown_is_fixed_in_place_and_a_second_run_finds_nothing(
    api: Callable[..., FakeApi], tmp_path: Path
) -> None:
    fake = api(MEANT)
    paper = tmp_path / "paper.md"
    text = PAPER.replace("Pani, A. K., et al.", "Invented, I., et al.")
    paper.write_text(text, encoding="utf-8")
    first = run_fix(fake, str(paper), "--write")
    assert first.exit_code == 0, first.output
    fixed = paper.read_text(encoding="utf-8")
    assert first.stdout == ""
    assert f"1. {CHIMERA.replace(WRONG_DOI, RIGHT_DOI)}\n" in fixed
    # The entry said "et al.": as many of the record's authors as it named, then "et al.".
    assert "2. Sadasivan, S., Pond, B. B., Pani, A. K., et al. (2012). Methylphenidate" in fixed
    assert f"{paper}: 2 corrected" in first.stderr
    again = run_fix(fake, str(paper), "--write")
    assert again.exit_code == 0, again.output
    assert again.stderr.strip() == f"{paper}: nothing to fix"
    assert paper.read_text(encoding="utf-8") == fixed


def test_diff_prints_a_unified_diff_and_writes_nothing(
    api: Callable[..., FakeApi], tmp_path: Path
) -> None:
    paper = tmp_path / "paper.md"
    paper.write_text(PAPER, encoding="utf-8")
    result = run_fix(api(MEANT), str(paper), "--diff")
    assert result.exit_code == 1  # as `ruff --diff`: there is something to change
    assert paper.read_text(encoding="utf-8") == PAPER
    lines = result.stdout.splitlines()
    assert lines[0] == f"--- {paper}" and lines[1] == f"+++ {paper}"
    assert f"-1. {CHIMERA}" in lines
    assert f"+1. {CHIMERA.replace(WRONG_DOI, RIGHT_DOI)}" in lines
    assert sum(line.startswith(("-", "+")) for line in lines[2:]) == 2


def test_a_claim_left_as_it_is_makes_the_exit_status_1(
    api: Callable[..., FakeApi], tmp_path: Path
) -> None:
    from fakes.server import status

    fake = api()
    fake.inject_always("/crossref/works", status(400))  # the search cannot say
    paper = tmp_path / "paper.md"
    paper.write_text(PAPER, encoding="utf-8")
    result = run_fix(fake, str(paper))
    assert result.exit_code == 1
    assert result.stdout == PAPER  # nothing better than the claim is known
    assert f"{paper}: 1 left as is" in result.stderr
    assert "the identifier belongs to another work" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["a.md", "-o", "b.md", "--write"],
        ["a.md", "--write", "--diff"],
        ["a.md", "b.md"],
        ["-", "--write"],
    ],
)
def test_usage_errors_exit_2(api: Callable[..., FakeApi], args: list[str]) -> None:
    assert run_fix(api(), *args).exit_code == 2


def test_an_unreadable_file_exits_2_and_the_others_are_fixed(
    api: Callable[..., FakeApi], tmp_path: Path
) -> None:
    paper = tmp_path / "paper.md"
    paper.write_text(PAPER, encoding="utf-8")
    result = run_fix(api(MEANT), str(tmp_path / "missing.md"), str(paper), "--write")
    assert result.exit_code == 2
    assert "missing.md: no such file" in result.stderr
    assert RIGHT_DOI in paper.read_text(encoding="utf-8")


# --- --suggest and SARIF ----------------------------------------------------------------------


def run_check(api: FakeApi, path: Path, *args: str) -> Any:
    return CliRunner().invoke(main, ["check", *args, str(path)], env=env_for(api))


def test_suggest_names_the_work_meant_or_nothing(
    api: Callable[..., FakeApi], tmp_path: Path
) -> None:
    paper = tmp_path / "paper.md"
    paper.write_text(PAPER, encoding="utf-8")
    found = json.loads(run_check(api(MEANT), paper, "--suggest", "--format", "json").stdout)
    entry = next(i for i in found["files"][0]["items"] if i["citation"]["raw"] == CHIMERA)
    assert entry["suggestion"] == CHIMERA.replace(WRONG_DOI, RIGHT_DOI)
    missing = json.loads(run_check(api(), paper, "--suggest", "--format", "json").stdout)
    entry = next(i for i in missing["files"][0]["items"] if i["citation"]["raw"] == CHIMERA)
    assert entry["suggestion"] is None
    assert "cited_work_not_found" in entry["verdict"]["flags"]


def test_sarif_fixes_are_the_same_fixes(api: Callable[..., FakeApi], tmp_path: Path) -> None:
    paper = tmp_path / "paper.md"
    paper.write_text(PAPER, encoding="utf-8")

    def fixed_by_sarif(fake: FakeApi) -> str:
        log = json.loads(run_check(fake, paper, "--format", "sarif").stdout)
        [result] = [
            r
            for r in log["runs"][0]["results"]
            if r["locations"][0]["physicalLocation"]["region"]["snippet"]["text"] == CHIMERA
        ]
        [change] = result["fixes"][0]["artifactChanges"]
        text = PAPER
        for replacement in sorted(
            change["replacements"], key=lambda r: -r["deletedRegion"]["charOffset"]
        ):
            region = replacement["deletedRegion"]
            start = region["charOffset"]
            end = start + region["charLength"]
            text = text[:start] + replacement["insertedContent"]["text"] + text[end:]
        return text

    with checker_for(api(MEANT)) as checker:
        assert fixed_by_sarif(api(MEANT)) == guarded(checker)
    with checker_for(api()) as checker:
        assert fixed_by_sarif(api()) == guarded(checker)


def test_a_search_past_the_deadline_leaves_the_mismatch_as_it_was(
    api: Callable[..., FakeApi],
) -> None:
    from fakes.server import sleep

    fake = api(MEANT)
    fake.inject_always("/crossref/works", sleep(8.0))
    extract_all(PAPER)  # the parser is loaded and the entries parsed before the clock starts
    with Checker(fake.config(sources=("crossref", "doi"), deadline=3.0)) as checker:
        report = checker.check(PAPER)
    entry = next(f for f in report.items if f.citation.raw == CHIMERA)
    assert entry.verdict.status is Status.MISMATCH
    assert entry.verdict.flags == ["wrong_identifier"]
