"""The pre-commit hook (.pre-commit-hooks.yaml) and the GitHub Action (action.yml), each run
here as its host would run it: the hook's entry on the files its pattern selects, the
action's steps as bash scripts with GitHub's files and the action's `env:`."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from fakes.server import FakeApi

ROOT = Path(__file__).resolve().parent.parent
SARIF_SCHEMA = Path(__file__).parent / "schemas" / "sarif-schema-2.1.0.json"
PLOS = "10.1371/journal.pone.0033693"
GOOD = (
    "# Notes\n\nSadasivan, S., et al. (2012). Methylphenidate exposure induces dopamine neuron "
    f"loss and activation of microglia in the basal ganglia of mice. PLoS ONE. doi:{PLOS}\n"
)
BAD = "# Notes\n\nZhang, W. (2021). Graph attention for protein folding. doi:10.1371/notarealdoi\n"
EXPRESSION_RE = re.compile(r"\$\{\{\s*([^}]*?)\s*\}\}")


@pytest.fixture(autouse=True)
def _clean(fake_api: FakeApi) -> None:
    fake_api.reset()


def fake_env(api: FakeApi, tmp_path: Path) -> dict[str, str]:
    """The environment of a runner whose factcheck talks to the fakes, with its own HOME."""
    return {
        **os.environ,
        "HOME": str(tmp_path / "home"),
        "XDG_CACHE_HOME": str(tmp_path / "home" / ".cache"),
        "FACTCHECK_CROSSREF_URL": f"{api.url}/crossref",
        "FACTCHECK_DOI_URL": f"{api.url}/doi",
        "FACTCHECK_SOURCES": "crossref,doi",
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }


def docs_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    (repo / "docs").mkdir(parents=True)
    (repo / "docs" / "good.md").write_text(GOOD, encoding="utf-8")
    (repo / "docs" / "bad.md").write_text(BAD, encoding="utf-8")
    (repo / "setup.py").write_text(f"# doi:{PLOS}\n", encoding="utf-8")
    (repo / ".hidden").mkdir()
    (repo / ".hidden" / "skip.md").write_text(BAD, encoding="utf-8")
    return repo


# ---------------------------------------------------------------------------- pre-commit


def hook() -> dict[str, Any]:
    from pre_commit.clientlib import load_manifest

    (only,) = load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))  # validates the schema
    return dict(only)


def run_hook(files: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """As pre-commit runs it: the files its `files` pattern selects, after entry and args."""
    spec = hook()
    selected = [f for f in files if re.search(spec["files"], f)]
    entry = shlex.split(spec["entry"])
    command = [sys.executable, "-m", "factcheck", *entry[1:], *spec["args"], *selected]
    return subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, timeout=120)


def test_the_hook_manifest_is_valid_and_selects_docs_only() -> None:
    spec = hook()
    assert spec["id"] == "factcheck"
    assert spec["language"] == "python"
    pattern = re.compile(spec["files"])
    assert all(pattern.search(f) for f in ("a.md", "refs.bib", "x/notes.txt", "b.rst"))
    assert not any(pattern.search(f) for f in ("setup.py", "data.json", "mdfile"))


def test_the_hook_fails_a_commit_with_a_fabricated_doi(fake_api: FakeApi, tmp_path: Path) -> None:
    repo = docs_repo(tmp_path)
    env = fake_env(fake_api, tmp_path)
    failed = run_hook(["docs/good.md", "docs/bad.md", "setup.py"], env, repo)
    assert failed.returncode == 1, failed.stderr
    assert "notarealdoi" in failed.stdout
    passed = run_hook(["docs/good.md", "setup.py"], env, repo)
    assert passed.returncode == 0, passed.stdout + passed.stderr


def test_the_hooks_cache_lives_in_the_users_cache_directory(
    fake_api: FakeApi, tmp_path: Path
) -> None:
    repo = docs_repo(tmp_path)
    run_hook(["docs/good.md"], fake_env(fake_api, tmp_path), repo)
    user_cache = tmp_path / "home" / ".cache" / "factcheck"
    assert any(user_cache.rglob("*.sqlite")), list(user_cache.rglob("*"))
    assert not [p for p in repo.rglob("*") if p.suffix == ".sqlite"]


# ---------------------------------------------------------------------------- the Action


def action() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))


def step(name: str) -> dict[str, Any]:
    return next(
        s for s in action()["runs"]["steps"] if s.get("id") == name or s.get("name") == name
    )


def evaluate(value: str, inputs: dict[str, str], outputs: dict[str, str]) -> str:
    """GitHub's `${{ }}` expressions that the action's env uses: inputs and step outputs."""

    def one(match: re.Match[str]) -> str:
        kind, _, name = match.group(1).partition(".")
        if kind == "inputs":
            return inputs[name]
        if kind == "steps":
            return outputs[name.rsplit(".", 1)[-1]]
        raise AssertionError(f"unexpected expression {match.group(0)}")

    return EXPRESSION_RE.sub(one, value)


def run_step(
    name: str, inputs: dict[str, str], outputs: dict[str, str], env: dict[str, str], cwd: Path
) -> subprocess.CompletedProcess[str]:
    spec = step(name)
    step_env = {k: evaluate(str(v), inputs, outputs) for k, v in spec.get("env", {}).items()}
    script = spec["run"].replace("python -m", f"{shlex.quote(sys.executable)} -m")
    return subprocess.run(
        ["bash", "-e", "-c", script],
        env={**env, **step_env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def action_inputs(**given: str) -> dict[str, str]:
    defaults = {k: str(v.get("default", "")) for k, v in action()["inputs"].items()}
    return {**defaults, **given}


def github_files(tmp_path: Path) -> dict[str, str]:
    summary, outputs = tmp_path / "summary.md", tmp_path / "outputs.txt"
    summary.touch()
    outputs.touch()
    return {"GITHUB_STEP_SUMMARY": str(summary), "GITHUB_OUTPUT": str(outputs)}


def read_outputs(path: str) -> dict[str, str]:
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines if "=" in line)


def test_no_input_is_expanded_inside_a_script() -> None:
    for spec in action()["runs"]["steps"]:
        assert "${{" not in spec.get("run", ""), spec


def test_the_action_writes_sarif_a_summary_and_fails_on_findings(
    fake_api: FakeApi, tmp_path: Path
) -> None:
    repo = docs_repo(tmp_path)
    env = {**fake_env(fake_api, tmp_path), **github_files(tmp_path)}
    inputs = action_inputs(paths="docs setup.py")
    checked = run_step("check", inputs, {}, env, repo)
    assert checked.returncode == 0, checked.stderr  # the SARIF upload must still run
    outputs = read_outputs(env["GITHUB_OUTPUT"])
    assert outputs["failed"] == "true"
    assert outputs["files"] == "3"  # docs/bad.md, docs/good.md, setup.py; not .hidden/
    log = json.loads((repo / outputs["sarif"]).read_text(encoding="utf-8"))
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema).validate(log)
    results = log["runs"][0]["results"]
    assert outputs["findings"] == str(len(results))  # the entry, and the DOI inside it
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert uris == {"docs/bad.md"}
    summary = Path(env["GITHUB_STEP_SUMMARY"]).read_text(encoding="utf-8")
    assert "notarealdoi" in summary and "|" in summary
    failing = run_step("Fail on findings", inputs, outputs, env, repo)
    assert failing.returncode == 1
    assert f"{len(results)} finding(s)" in failing.stderr


def test_the_action_passes_clean_docs(fake_api: FakeApi, tmp_path: Path) -> None:
    repo = docs_repo(tmp_path)
    (repo / "docs" / "bad.md").unlink()
    env = {**fake_env(fake_api, tmp_path), **github_files(tmp_path)}
    checked = run_step("check", action_inputs(paths="docs"), {}, env, repo)
    assert checked.returncode == 0, checked.stderr
    outputs = read_outputs(env["GITHUB_OUTPUT"])
    assert outputs == {**outputs, "failed": "false", "findings": "0", "files": "1"}
    assert json.loads((repo / "factcheck.sarif").read_text())["runs"][0]["results"] == []


def test_a_missing_path_is_a_usage_error(fake_api: FakeApi, tmp_path: Path) -> None:
    env = {**fake_env(fake_api, tmp_path), **github_files(tmp_path)}
    checked = run_step("check", action_inputs(paths="nowhere.md"), {}, env, tmp_path)
    assert checked.returncode == 2
    assert "nowhere.md: no such file" in checked.stderr
