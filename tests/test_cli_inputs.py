"""`factcheck check` with inputs that cannot be checked among others: each is listed in its
place with its error, in every format, the others are still checked, and the exit code is 2."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner, Result
from fakes.server import FakeApi

from factcheck.cli import main

PLOS = "10.1371/journal.pone.0033693"
SARIF_SCHEMA = Path(__file__).parent / "schemas" / "sarif-schema-2.1.0.json"
# A whole entry beside its DOI: every field written around it is compared with the record.
GOOD = (
    "Sadasivan et al. (2012). Methylphenidate exposure induces dopamine neuron loss and "
    f"activation of microglia in the basal ganglia of mice. doi:{PLOS}\n"
)


@pytest.fixture(autouse=True)
def _clean(fake_api: FakeApi) -> None:
    fake_api.reset()


def run(api: FakeApi, *args: str) -> Result:
    env = {
        "FACTCHECK_CROSSREF_URL": f"{api.url}/crossref",
        "FACTCHECK_DOI_URL": f"{api.url}/doi",
        "FACTCHECK_CACHE": "none",
        "COLUMNS": "200",
    }
    return CliRunner().invoke(main, ["--sources", "crossref,doi", *args], env=env)


@pytest.fixture
def files(tmp_path: Path) -> tuple[str, str, str]:
    """A good file, a missing one, and an empty one, in that order."""
    good = tmp_path / "good.md"
    good.write_text(GOOD, encoding="utf-8")
    empty = tmp_path / "empty.md"
    empty.write_text("  \n", encoding="utf-8")
    return str(good), str(tmp_path / "missing.md"), str(empty)


def test_json_lists_every_input_with_its_error(
    fake_api: FakeApi, files: tuple[str, str, str]
) -> None:
    good, missing, empty = files
    result = run(fake_api, "--format", "json", missing, good, empty)
    assert result.exit_code == 2
    document = json.loads(result.stdout)
    assert [f["path"] for f in document["files"]] == [missing, good, empty]
    first, second, third = document["files"]
    assert first["error"] == f"{missing}: no such file"
    assert first["items"] == [] and first["ok"] is False
    assert "error" not in second and second["ok"] is True
    assert second["summary"]["verified"] == second["summary"]["total"] == 2  # entry, DOI
    assert "empty" in third["error"]
    assert document["ok"] is False
    assert document["summary"]["verified"] == 2
    # Each error is also one line on stderr.
    assert result.stderr.count("factcheck: error:") == 2


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_the_reports_for_people_say_it_too(
    fake_api: FakeApi, files: tuple[str, str, str], fmt: str
) -> None:
    good, missing, _ = files
    result = run(fake_api, "--format", fmt, good, missing)
    assert result.exit_code == 2
    assert "no such file" in result.stdout
    assert "not checked" in result.stdout.lower()


def test_sarif_notes_the_input_it_could_not_check(
    fake_api: FakeApi, files: tuple[str, str, str]
) -> None:
    good, missing, _ = files
    result = run(fake_api, "--format", "sarif", good, missing)
    assert result.exit_code == 2
    log = json.loads(result.stdout)
    jsonschema.Draft4Validator(json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))).validate(log)
    [invocation] = log["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False
    [note] = invocation["toolExecutionNotifications"]
    assert note["level"] == "error" and "no such file" in note["message"]["text"]
    assert note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith(
        "missing.md"
    )


def test_a_text_over_the_limit_is_listed_with_its_error(
    fake_api: FakeApi, files: tuple[str, str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    good, _, _ = files
    monkeypatch.setenv("FACTCHECK_MAX_TEXT_CHARS", str(len(GOOD) - 1))
    result = run(fake_api, "--format", "json", good)
    assert result.exit_code == 2
    [file] = json.loads(result.stdout)["files"]
    assert "max_text_chars" in file["error"]


def test_all_readable_is_not_an_error(fake_api: FakeApi, files: tuple[str, str, str]) -> None:
    good, _, _ = files
    result = run(fake_api, "--format", "json", good, good)
    assert result.exit_code == 0
    assert all("error" not in f for f in json.loads(result.stdout)["files"])
