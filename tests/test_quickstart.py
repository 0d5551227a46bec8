"""The quickstart as a newcomer runs it (`./dev quickstart`), and replays in general: offline,
the invented DOI shows as `not_found`, and nothing replayed reaches the user's cache."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from factcheck.cli import main
from factcheck.net.replay import load_cassettes

ROOT = Path(__file__).resolve().parent.parent
RECORDINGS = ROOT / "fixtures" / "recordings"
BUILT = ROOT / "fixtures" / "handmade" / "replay"
QUICKSTART = ROOT / "fixtures" / "quickstart.md"
INVENTED_DOI = "10.1371/notarealdoi"
# The factcheck command line in ./dev's quickstart branch.
DEV_COMMAND = re.compile(r'^\s*"\$VENV/bin/factcheck" (?P<args>.+?) \|\|', re.MULTILINE)


def quickstart_arguments() -> list[str]:
    """The arguments `./dev quickstart` gives factcheck, read from the script itself."""
    found = DEV_COMMAND.search((ROOT / "dev").read_text(encoding="utf-8"))
    assert found is not None, "./dev no longer runs factcheck in its quickstart"
    return shlex.split(found.group("args"))


def offline_env(tmp_path: Path) -> dict[str, str]:
    """No FACTCHECK_* settings, a private home and cache folder, and every proxy variable
    pointing at a closed port, so that a request that left for the network would fail."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FACTCHECK_")}
    closed = "http://127.0.0.1:9"
    env.update(
        HOME=str(tmp_path / "home"),
        XDG_CACHE_HOME=str(tmp_path / "cache"),
        PYTHONPATH=str(ROOT),
        COLUMNS="100",
        NO_COLOR="1",
        HTTP_PROXY=closed,
        HTTPS_PROXY=closed,
        http_proxy=closed,
        https_proxy=closed,
    )
    return env


def test_the_quickstart_shows_the_invented_doi_as_not_found(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "factcheck", *quickstart_arguments()],
        cwd=ROOT,
        env=offline_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 1, done.stderr
    lines = done.stdout.splitlines()
    badge = next(i for i, line in enumerate(lines) if re.search(r"not_found\s+doi · line 10", line))
    assert INVENTED_DOI in lines[badge + 1]
    assert f"doi.org has no DOI {INVENTED_DOI}" in lines[badge + 2]
    assert "0 not_found" not in lines[0]
    # Nothing was written where the user's cache lives.
    assert not (tmp_path / "cache").exists() or not any((tmp_path / "cache").rglob("*.sqlite"))


def test_the_quickstart_verdicts(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["--format", "json", *quickstart_arguments()], env=offline_env(tmp_path)
    )
    items = json.loads(result.stdout)["files"][0]["items"]
    statuses = [(i["citation"]["kind"], i["verdict"]["status"]) for i in items]
    # Each entry, then the DOI inside it.
    expected = ["verified", "verified", "mismatch", "not_found"]
    assert statuses == [(kind, s) for s in expected for kind in ("reference", "doi")]
    assert result.exit_code == 1


def test_the_built_answers_stay_apart_from_the_recordings() -> None:
    """fixtures/recordings/ holds only real recordings (DATA_LICENSES.md); what was built
    lives in fixtures/handmade/replay/ and says so."""
    built = {i.url for i in load_cassettes(BUILT)}
    assert built == {f"https://doi.org/api/handles/{INVENTED_DOI}"}
    assert not built & {i.url for i in load_cassettes(RECORDINGS)}
    header = "# Built for factcheck, not recorded"
    for cassette in BUILT.glob("*.yaml"):
        assert cassette.read_text(encoding="utf-8").startswith(header)
        assert cassette.name in (ROOT / "DATA_LICENSES.md").read_text(encoding="utf-8")


def test_several_replay_places_are_one_setting(tmp_path: Path) -> None:
    both = load_cassettes(f"{RECORDINGS}{os.pathsep}{BUILT}")
    assert len(both) == len(load_cassettes(RECORDINGS)) + len(load_cassettes(BUILT))
    env = {**offline_env(tmp_path), "FACTCHECK_REPLAY": f"{RECORDINGS}{os.pathsep}{BUILT}"}
    text = tmp_path / "a.md"
    text.write_text(f"See doi:{INVENTED_DOI}.\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["--format", "json", str(text)], env=env)
    [item] = json.loads(result.stdout)["files"][0]["items"]
    assert item["verdict"]["status"] == "not_found"


@pytest.mark.parametrize("cache", ["file", "default"])
def test_a_replay_never_writes_the_cache(tmp_path: Path, cache: str) -> None:
    path = tmp_path / "cache.sqlite"
    arguments = ["--cache", str(path)] if cache == "file" else []
    env = offline_env(tmp_path)
    for _ in range(2):  # a second run would read what a first one wrote
        result = CliRunner().invoke(
            main, [*arguments, "--replay", str(RECORDINGS), str(QUICKSTART)], env=env
        )
        assert result.exit_code == 1, result.output
    assert not path.exists()
    assert not list(tmp_path.rglob("*.sqlite"))
