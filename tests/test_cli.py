"""The `factcheck` command: the JSON contract, exit codes, and bad input."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from fakes.server import FakeApi

from factcheck.cli import _check_each, main
from factcheck.configfile import user_config_path
from factcheck.inputs import Document
from factcheck.model import Report

PLOS = "10.1371/journal.pone.0033693"
# Two links in prose, one real and one made up. (Written as two reference lines, they would
# be a list of two entries, each checked as well as its DOI: see tests/test_coverage.py.)
GOOD = f"The mouse study on methylphenidate is at doi:{PLOS}\n"
BAD = "The protein folding paper is at doi:10.1371/notarealdoi\n"


@pytest.fixture(autouse=True)
def _clean(fake_api: FakeApi) -> None:
    fake_api.reset()


def env_for(api: FakeApi) -> dict[str, str]:
    """The variables that point the command at the fakes, as other tools would set them."""
    return {
        "FACTCHECK_CROSSREF_URL": f"{api.url}/crossref",
        "FACTCHECK_DOI_URL": f"{api.url}/doi",
        "FACTCHECK_ARXIV_URL": f"{api.url}/arxiv/api",
        "FACTCHECK_OPENALEX_URL": f"{api.url}/openalex",
        "FACTCHECK_DBLP_URL": f"{api.url}/dblp",
        "FACTCHECK_CACHE": "none",
        "FACTCHECK_MAILTO": "test@example.org",
        "COLUMNS": "200",
    }


def run(api: FakeApi, *args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env=env_for(api), input=stdin)


def write(tmp_path: Path, name: str, data: str | bytes) -> str:
    file = tmp_path / name
    if isinstance(data, bytes):
        file.write_bytes(data)
    else:
        file.write_text(data, encoding="utf-8")
    return str(file)


def test_json_follows_the_contract(fake_api: FakeApi, tmp_path: Path) -> None:
    path = write(tmp_path, "a.md", GOOD + BAD)
    result = run(fake_api, "--format", "json", "--sources", "crossref,doi", path)
    assert result.exit_code == 1, result.output
    document = json.loads(result.stdout)
    assert set(document) >= {"files", "summary"}
    [file] = document["files"]
    assert file["path"] == path
    assert set(file) >= {"path", "items", "summary"}
    text = Path(path).read_text(encoding="utf-8")
    for item in file["items"]:
        citation, verdict = item["citation"], item["verdict"]
        assert set(citation) >= {"kind", "raw", "start", "end", "fields"}
        assert set(verdict) >= {
            "status",
            "confidence",
            "reason",
            "source",
            "record",
            "diffs",
            "flags",
        }
        assert text[citation["start"] : citation["end"]] == citation["raw"]
        assert isinstance(verdict["confidence"], float)
    statuses = [item["verdict"]["status"] for item in file["items"]]
    assert statuses == ["verified", "not_found"]
    assert document["summary"]["not_found"] == 1
    assert document["summary"]["total"] == 2


def test_exit_codes_follow_fail_on(fake_api: FakeApi, tmp_path: Path) -> None:
    good, bad = write(tmp_path, "good.md", GOOD), write(tmp_path, "bad.md", BAD)
    assert run(fake_api, good).exit_code == 0
    assert run(fake_api, bad).exit_code == 1
    assert run(fake_api, "--fail-on", "mismatch", bad).exit_code == 0
    assert run(fake_api, "--fail-on", "unverifiable,not_found", bad).exit_code == 1


def test_stdin_and_jsonl(fake_api: FakeApi) -> None:
    result = run(fake_api, "--format", "jsonl", "-", stdin=GOOD + BAD)
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["path"] for line in lines] == ["-", "-"]
    assert [line["verdict"]["status"] for line in lines] == ["verified", "not_found"]


def test_text_output_is_a_table_of_problems(fake_api: FakeApi, tmp_path: Path) -> None:
    result = run(fake_api, write(tmp_path, "a.md", GOOD + BAD))
    assert "1 verified" in result.stdout and "1 not_found" in result.stdout
    assert "notarealdoi" in result.stdout
    assert PLOS not in result.stdout  # verified items are collapsed without -v
    verbose = run(fake_api, "-v", write(tmp_path, "b.md", GOOD))
    assert PLOS in verbose.stdout


def test_a_mismatch_shows_claim_and_record_side_by_side(fake_api: FakeApi, tmp_path: Path) -> None:
    entry = f"References\n\n1. Smith, J. (2012). Deep learning for cats. Nature. doi:{PLOS}\n"
    result = run(fake_api, write(tmp_path, "c.md", entry))
    lines = result.stdout.splitlines()
    assert any(line.split()[:3] == ["field", "claimed", "found"] for line in lines)
    title_row = next(line for line in lines if line.split()[:1] == ["title"])
    assert "Deep learning for cats" in title_row and "Methylphenidate" in title_row
    authors_row = next(line for line in lines if line.split()[:1] == ["authors"])
    assert "Smith" in authors_row and "Sadasivan" in authors_row


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00", "binary"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    fake_api: FakeApi, tmp_path: Path, data: bytes, message: str
) -> None:
    result = run(fake_api, write(tmp_path, "f", data))
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_missing_file_still_checks_the_others(fake_api: FakeApi, tmp_path: Path) -> None:
    good = write(tmp_path, "good.md", GOOD)
    result = run(fake_api, "--format", "json", str(tmp_path / "nope.md"), good)
    assert result.exit_code == 2
    assert "no such file" in result.stderr
    # The missing file is listed too, in its place, with its error (tests/test_cli_inputs.py).
    files = json.loads(result.stdout)["files"]
    assert [f["path"] for f in files] == [str(tmp_path / "nope.md"), good]
    assert files[1]["summary"]["verified"] == 1


def test_invalid_utf8_is_checked_with_a_warning(fake_api: FakeApi, tmp_path: Path) -> None:
    path = write(tmp_path, "latin1.md", b"Caf\xe9 (2012). doi:" + PLOS.encode() + b"\n")
    result = run(fake_api, "--format", "json", path)
    assert result.exit_code == 0
    assert "invalid UTF-8" in result.stderr
    [item] = json.loads(result.stdout)["files"][0]["items"]
    assert item["verdict"]["status"] == "verified"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--fail-on", "bogus"], "--fail-on"),
        (["--sources", "crossref,nosuch"], "unknown source"),
    ],
)
def test_bad_options_exit_2(
    fake_api: FakeApi, tmp_path: Path, args: list[str], message: str
) -> None:
    result = run(fake_api, *args, write(tmp_path, "a.md", GOOD))
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_extract_needs_no_network(tmp_path: Path) -> None:
    path = write(tmp_path, "a.md", "See arXiv:2311.16162 and https://example.org/x.\n")
    result = CliRunner().invoke(
        main,
        ["extract", "--format", "json", path],
        env={"FACTCHECK_CROSSREF_URL": "http://127.0.0.1:9"},
    )
    assert result.exit_code == 0
    items = json.loads(result.stdout)["files"][0]["items"]
    assert [(i["kind"], i["raw"]) for i in items] == [
        ("arxiv", "arXiv:2311.16162"),
        ("url", "https://example.org/x"),
    ]


def test_module_entry_point_and_help() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "factcheck", "--help"], capture_output=True, text=True, check=True
    )
    assert "extract" in done.stdout
    check_help = subprocess.run(
        [sys.executable, "-m", "factcheck", "check", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    for option in (
        "--format",
        "--fail-on",
        "--sources",
        "--offline",
        "--cache",
        "--mailto",
        "--timeout",
    ):
        assert option in check_help.stdout


def test_replay_answers_offline_from_recordings(tmp_path: Path) -> None:
    fixtures = Path(__file__).parent.parent / "fixtures"
    result = CliRunner().invoke(
        main,
        [
            "--format",
            "json",
            "--replay",
            str(fixtures / "recordings"),
            "--cache",
            "none",
            str(fixtures / "quickstart.md"),
        ],
        env={"FACTCHECK_CROSSREF_URL": None, "FACTCHECK_DOI_URL": None},
    )
    items = json.loads(result.stdout)["files"][0]["items"]
    statuses = [(i["citation"]["kind"], i["verdict"]["status"]) for i in items]
    expected = ["verified", "verified", "mismatch", "unverifiable"]
    # Each entry, then the DOI inside it.
    assert statuses == [(kind, s) for s in expected for kind in ("reference", "doi")]
    assert result.exit_code == 1


class _Terminal(io.StringIO):
    """stderr as a terminal would be: rich draws live progress only there."""

    def isatty(self) -> bool:
        return True


class _EchoChecker:
    """Stands in for a Checker: an empty report per text, as fast as possible."""

    def check(self, text: str, *, path: str | None, fail_on: object) -> Report:
        return Report(path=path)


@pytest.mark.parametrize(
    ("progress", "files", "terminal", "drawn"),
    [
        (True, 3, True, True),
        (False, 3, True, False),  # --no-progress
        (True, 1, True, False),  # one file: nothing to count
        (True, 3, False, False),  # stderr piped into a log
    ],
)
def test_check_shows_progress_only_on_a_terminal_for_several_files(
    monkeypatch: pytest.MonkeyPatch, progress: bool, files: int, terminal: bool, drawn: bool
) -> None:
    stderr = _Terminal() if terminal else io.StringIO()
    monkeypatch.setattr(sys, "stderr", stderr)
    documents = [Document(path=f"f{i}.md", text="no claims") for i in range(files)]
    reports = _check_each(_EchoChecker(), documents, [], progress=progress)
    assert [r.path for r in reports] == [d.path for d in documents]
    assert all(r.error is None for r in reports)
    assert ("checking" in stderr.getvalue()) is drawn


NOTED_ENTRY = (
    "References\n\n1. Sadasivan, S., Pond, B. B., Pani, A. K., Qu, C., Jiao, Y., & Smeyne, R. J. "
    "(2013). Methylphenidate exposure induces dopamine neuron loss and activation of microglia "
    f"in the basal ganglia of mice. PLoS ONE. doi:{PLOS}\n"
)


def entry_verdict(result: Result) -> dict[str, Any]:
    """The verdict of the one reference entry in a single-file JSON result."""
    [entry] = [
        i
        for i in json.loads(result.stdout)["files"][0]["items"]
        if i["citation"]["kind"] == "reference"
    ]
    verdict: dict[str, Any] = entry["verdict"]
    return verdict


def strict_from(
    where: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[list[str], dict[str, str]]:
    """The arguments and variables that make the check strict from `where`; a file written
    for it (the user's own, a named one or a checkout's) says `strict = true`."""
    if where == "flag":
        return ["--strict"], {}
    if where == "env":
        return [], {"FACTCHECK_STRICT": "1"}
    if where == "user file":
        user_config_path().parent.mkdir(parents=True, exist_ok=True)
        user_config_path().write_text("strict = true\n", encoding="utf-8")
        return [], {}
    if where == "named file":
        return ["--config", write(tmp_path, "named.toml", "strict = true\n")], {}
    checkout = tmp_path / "paper"
    (checkout / ".git").mkdir(parents=True)
    (checkout / "factcheck.toml").write_text("strict = true\n", encoding="utf-8")
    monkeypatch.chdir(checkout)
    return [], {}


def test_a_note_leaves_the_entry_verified_and_the_exit_code_zero(
    fake_api: FakeApi, tmp_path: Path
) -> None:
    """The entry's year is one off the record's: a note on a verified verdict."""
    path = write(tmp_path, "noted.md", NOTED_ENTRY)
    loose = run(fake_api, "--format", "json", "--sources", "crossref,doi", path)
    assert loose.exit_code == 0, loose.output
    verdict = entry_verdict(loose)
    assert verdict["status"] == "verified" and "noted" in verdict["flags"]
    assert [d["severity"] for d in verdict["diffs"]] == ["note"]
    assert json.loads(loose.stdout)["summary"]["mismatch"] == 0


@pytest.mark.parametrize("where", ["flag", "env", "user file", "named file", "found file"])
def test_strict_from_anywhere_makes_a_note_an_alarm(
    fake_api: FakeApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    """Strict from the flag, FACTCHECK_STRICT, the user's file, a --config file or a file
    found in the checkout (a project may tighten the check): the noted year is an alarm,
    the entry a mismatch, counted in the summary, and the exit code 1."""
    path = write(tmp_path, "noted.md", NOTED_ENTRY)
    args, env = strict_from(where, tmp_path, monkeypatch)
    result = CliRunner().invoke(
        main,
        [*args, "--format", "json", "--sources", "crossref,doi", path],
        env={**env_for(fake_api), **env},
    )
    assert result.exit_code == 1, result.output
    verdict = entry_verdict(result)
    assert verdict["status"] == "mismatch" and "noted" not in verdict["flags"]
    assert [(d["field"], d["severity"]) for d in verdict["diffs"]] == [("year", "note")]
    summary = json.loads(result.stdout)["summary"]
    assert (
        summary["mismatch"] >= 1 and summary["verified"] == summary["total"] - summary["mismatch"]
    )


@pytest.mark.parametrize("where", ["env", "user file", "named file"])
def test_no_strict_on_the_command_line_wins(
    fake_api: FakeApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    path = write(tmp_path, "noted.md", NOTED_ENTRY)
    args, env = strict_from(where, tmp_path, monkeypatch)
    result = CliRunner().invoke(
        main,
        [*args, "--no-strict", "--format", "json", "--sources", "crossref,doi", path],
        env={**env_for(fake_api), **env},
    )
    assert result.exit_code == 0, result.output
    assert entry_verdict(result)["status"] == "verified"


def test_a_found_file_cannot_waive_the_users_strict(
    fake_api: FakeApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """strict only tightens: a checkout's `strict = false` does not undo the user's own."""
    path = write(tmp_path, "noted.md", NOTED_ENTRY)
    strict_from("user file", tmp_path, monkeypatch)
    checkout = tmp_path / "paper"
    (checkout / ".git").mkdir(parents=True)
    (checkout / "factcheck.toml").write_text("strict = false\n", encoding="utf-8")
    monkeypatch.chdir(checkout)
    result = run(fake_api, "--format", "json", "--sources", "crossref,doi", path)
    assert result.exit_code == 1, result.output
    assert entry_verdict(result)["status"] == "mismatch"
