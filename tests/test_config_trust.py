"""A configuration file found in the checked tree is the project's word, not the user's:
it may choose what is checked and tighten bounds, never redirect requests or files or
loosen security and limits. Those settings are dropped with one warning line, and taken
from the user's own file, a named file, the environment and arguments."""

from __future__ import annotations

import json
import logging
import os
import pickle
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from servers import LocalServer, Reply

import factcheck
from factcheck import Checker
from factcheck.config import Config
from factcheck.configfile import user_config_path
from factcheck.resolve.acl import AclResolver, index_path
from factcheck.resolve.settings import settings_for

TRUST_LOGGER = "factcheck.configtrust"
WORKTREE = Path(factcheck.__file__).resolve().parents[1]
# Far above a check's few seconds: reaching it means the command hung.
HANG_SECONDS = 120

# Every setting a found file may not set, with a value that would redirect or loosen.
REFUSED: dict[str, str] = {
    "allow-private-urls": "true",
    **{
        f"{name}-url": f'"http://127.0.0.1:9/{name}"'
        for name in ("crossref", "doi", "arxiv", "pubmed", "openalex", "openlibrary", "dblp")
    },
    "wayback-url": '"http://169.254.169.254/latest"',
    "limits-url": '"redis://attacker.example:6379/0"',
    "cache": '".cache/fc.sqlite"',
    "replay": '"recordings"',
    "library": '["refs.bib"]',
    "library-complete": "true",
    "ignore-file": '"/etc/passwd"',
    "hosts": '{ "api.crossref.org" = { rate = 1000, concurrency = 64 } }',
    # A plugin source's URL, key and limits (resolve/plugins.py).
    "plugins": '{ example = { url = "http://127.0.0.1:9/example", rate = 1000 } }',
    "timeout": "600",
    "connect-timeout": "60",
    "retries": "50",
    "max-retry-after": "3600",
    "retry-backoff": "60",
    "max-redirects": "100",
    "max-body-bytes": "1000000000",
    "max-page-bytes": "1000000000",
    "max-url-length": "100000",
    "max-lookups": "100000",
    "max-urls": "100000",
    "max-bytes-per-text": "10000000000",
    "max-text-chars": "1000000000",
    "max-references": "100000",
    "workers": "512",
}
# Settings a found file may set: what is checked, and bounds tightened.
TAKEN: dict[str, str] = {
    "sources": '["crossref", "doi"]',
    "mailto": '"project@example.org"',
    "offline": "true",
    "openalex-key": '"project-key"',
    "cache-ttl-found": "60",
    "cache-ttl-missing": "60",
    "cache-ttl-url": "60",
    "allow-private-urls": "false",
    "timeout": "5",
    "connect-timeout": "1",
    "retries": "0",
    "max-retry-after": "1",
    "retry-backoff": "0.1",
    "max-redirects": "2",
    "max-body-bytes": "1000",
    "max-page-bytes": "1000",
    "max-url-length": "100",
    "max-lookups": "10",
    "max-urls": "0",
    "max-bytes-per-text": "1000",
    "max-text-chars": "1000",
    "max-references": "10",
    "deadline": "30",
    "workers": "1",
    "strict": "true",
}
FILES = ["factcheck.toml", "pyproject.toml"]


def field(key: str) -> str:
    return key.replace("-", "_")


def settings_text(keys: dict[str, str], name: str) -> str:
    """A file of these settings; in pyproject.toml under [tool.factcheck]."""
    lines = [f"{key} = {value}" for key, value in keys.items()]
    header = ["[project]", 'name = "paper"', "[tool.factcheck]"] if name == "pyproject.toml" else []
    return "\n".join([*header, *lines, ""])


def checkout(root: Path, files: dict[str, str]) -> Path:
    """A checkout at `root` (its `.git` ends the upward search) holding `files`."""
    (root / ".git").mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def trust_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == TRUST_LOGGER]


@pytest.fixture
def in_checkout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    monkeypatch.chdir(root)
    caplog.set_level(logging.WARNING, logger=TRUST_LOGGER)
    return root


@pytest.mark.parametrize("name", FILES)
@pytest.mark.parametrize("key", list(REFUSED))
def test_a_found_file_cannot_redirect_or_loosen(
    in_checkout: Path, caplog: pytest.LogCaptureFixture, name: str, key: str
) -> None:
    checkout(in_checkout, {name: settings_text({key: REFUSED[key]}, name)})
    config = Config.load(env={})
    assert getattr(config, field(key)) == getattr(Config(), field(key))
    [warning] = trust_warnings(caplog)
    assert str(in_checkout / name) in warning
    assert f"ignored {key}:" in warning
    assert f"--config {in_checkout / name}" in warning


@pytest.mark.parametrize("name", FILES)
def test_every_refused_key_in_one_warning_line_and_the_rest_applies(
    in_checkout: Path, caplog: pytest.LogCaptureFixture, name: str
) -> None:
    keys = {**REFUSED, "mailto": '"kept@example.org"'}
    checkout(in_checkout, {name: settings_text(keys, name)})
    config = Config.load(env={})
    assert config.mailto == "kept@example.org"
    [warning] = trust_warnings(caplog)
    assert "\n" not in warning
    listed = warning.split("ignored ", 1)[1].split(":", 1)[0].split(", ")
    assert sorted(listed) == sorted(REFUSED)


def test_the_warning_is_given_once(in_checkout: Path, caplog: pytest.LogCaptureFixture) -> None:
    checkout(in_checkout, {"factcheck.toml": "cache = 'elsewhere.sqlite'\n"})
    for _ in range(3):
        assert Config.load(env={}).cache == "default"
    with Checker(cache="none") as checker:
        assert checker.config.cache == "none"
    assert len(trust_warnings(caplog)) == 1


@pytest.mark.parametrize("name", FILES)
def test_a_found_file_chooses_what_is_checked_and_tightens(
    in_checkout: Path, caplog: pytest.LogCaptureFixture, name: str
) -> None:
    checkout(in_checkout, {name: settings_text(TAKEN, name)})
    named = Config.load(env={}, config_file=in_checkout / name)
    found = Config.load(env={})
    for key in TAKEN:
        assert getattr(found, field(key)) == getattr(named, field(key)), key
    assert found.timeout == 5 and found.sources == ("crossref", "doi")
    assert trust_warnings(caplog) == []


def test_bounds_are_judged_against_the_users_own_settings(
    in_checkout: Path, caplog: pytest.LogCaptureFixture
) -> None:
    user = user_config_path()
    user.parent.mkdir(parents=True)
    user.write_text(
        "timeout = 60\ndeadline = 30\nallow-private-urls = true\nmax-urls = 500\n",
        encoding="utf-8",
    )
    found = "timeout = 40\ndeadline = 60\nallow-private-urls = true\nmax-urls = 1000\n"
    checkout(in_checkout, {"factcheck.toml": found})
    config = Config.load(env={})
    assert config.timeout == 40  # tighter than the user's 60
    assert config.allow_private_urls is True  # the user's own, not loosened
    assert (config.deadline, config.max_urls) == (30, 500)  # the user's: the file's are looser
    [warning] = trust_warnings(caplog)
    assert "ignored deadline, max-urls:" in warning
    assert str(user) in warning


@pytest.mark.parametrize(("own", "found", "strict"), [(False, True, True), (True, False, True)])
def test_a_found_file_may_ask_for_strict_comparison_never_waive_it(
    in_checkout: Path, caplog: pytest.LogCaptureFixture, own: bool, found: bool, strict: bool
) -> None:
    user = user_config_path()
    user.parent.mkdir(parents=True)
    user.write_text(f"strict = {str(own).lower()}\n", encoding="utf-8")
    checkout(in_checkout, {"factcheck.toml": f"strict = {str(found).lower()}\n"})
    assert Config.load(env={}).strict is strict
    assert bool(trust_warnings(caplog)) is (found < own)


def all_settings_file(root: Path, name: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "refs.bib").write_text("", encoding="utf-8")
    (root / "recordings").mkdir(exist_ok=True)
    path = root / name
    path.write_text(settings_text(REFUSED, name), encoding="utf-8")
    return path


def assert_all_applied(config: Config) -> None:
    default = Config()
    for key in REFUSED:
        assert getattr(config, field(key)) != getattr(default, field(key)), key


@pytest.mark.parametrize("name", FILES)
@pytest.mark.parametrize("how", ["--config", "FACTCHECK_CONFIG", "user file"])
def test_a_named_file_or_the_users_own_is_taken_whole(
    in_checkout: Path, caplog: pytest.LogCaptureFixture, name: str, how: str
) -> None:
    checkout(in_checkout, {})
    if how == "user file":
        user = user_config_path()
        user.parent.mkdir(parents=True)
        all_settings_file(user.parent, "config.toml")
        config = Config.load(env={})
    else:
        path = all_settings_file(in_checkout / "ci", name)
        env = {"FACTCHECK_CONFIG": str(path)} if how == "FACTCHECK_CONFIG" else {}
        config = Config.load(env=env, config_file=path if how == "--config" else None)
    assert_all_applied(config)
    assert trust_warnings(caplog) == []


def test_the_environment_and_arguments_are_the_users(
    in_checkout: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Each setting a found file may not set is taken from FACTCHECK_* and from arguments,
    and wins over the found file without a warning about those keys."""
    checkout(in_checkout, {"factcheck.toml": "mailto = 'project@example.org'\n"})
    (in_checkout / "refs.bib").write_text("", encoding="utf-8")
    (in_checkout / "recordings").mkdir()
    from_file = Config.load(env={}, config_file=all_settings_file(in_checkout / "ci", "x.toml"))
    env = {
        f"FACTCHECK_{field(key).upper()}": str(getattr(from_file, field(key)))
        for key in REFUSED
        if key not in ("hosts", "library", "plugins")
    }
    env["FACTCHECK_LIBRARY"] = os.pathsep.join(str(p) for p in from_file.library)
    env["FACTCHECK_EXAMPLE_URL"] = from_file.plugins["example"]["url"]
    env["FACTCHECK_EXAMPLE_RATE"] = str(from_file.plugins["example"]["rate"])
    config = Config.load(env=env, hosts=from_file.hosts)
    assert_all_applied(config)
    assert config.mailto == "project@example.org"
    assert trust_warnings(caplog) == []


def test_a_found_ignore_file_key_is_refused_and_factcheckignore_applies(
    in_checkout: Path, caplog: pytest.LogCaptureFixture
) -> None:
    secret = in_checkout.parent / "secret.txt"
    secret.write_text("AKIAEXAMPLEKEY not a pattern\n", encoding="utf-8")
    checkout(
        in_checkout,
        {"factcheck.toml": f"ignore-file = {str(secret)!r}\n", ".factcheckignore": "10.1/x\n"},
    )
    config = Config.load(env={})
    assert config.ignore_file == in_checkout / ".factcheckignore"
    assert "ignored ignore-file:" in trust_warnings(caplog)[0]


@pytest.mark.parametrize("name", [*FILES, ".factcheckignore"])
def test_a_found_file_that_links_out_of_its_directory_is_not_read(
    in_checkout: Path, caplog: pytest.LogCaptureFixture, name: str
) -> None:
    """Its errors would quote what it holds: a checkout could print a file of the user's
    (`~/.aws/credentials`) into a public CI log."""
    outside = in_checkout.parent / "credentials"
    outside.write_text("[tool.factcheck]\ntimeout = 1\n[default]\nkey = 'AKIASECRET'\n")
    checkout(in_checkout, {})
    (in_checkout / name).symlink_to(outside)
    config = Config.load(env={})
    assert (config.timeout, config.ignore_file) == (Config().timeout, None)
    [warning] = trust_warnings(caplog)
    assert f"{in_checkout / name}: not read" in warning
    assert "AKIASECRET" not in caplog.text


def test_a_link_within_the_directory_is_read(
    in_checkout: Path, caplog: pytest.LogCaptureFixture
) -> None:
    checkout(in_checkout, {"config/factcheck.toml": "timeout = 3\n", "config/ignore": "10.1/x\n"})
    (in_checkout / "factcheck.toml").symlink_to(in_checkout / "config" / "factcheck.toml")
    (in_checkout / ".factcheckignore").symlink_to("config/ignore")
    config = Config.load(env={})
    assert config.timeout == 3
    assert config.ignore_file == in_checkout / ".factcheckignore"
    assert trust_warnings(caplog) == []


# The command line, as it runs in a checkout: a child process, so that stderr is real.

CHECKED = "See https://docs.example/guide for the details.\n"


def run_cli(args: list[str], cwd: Path, home: Path, url: str) -> subprocess.CompletedProcess[str]:
    (cwd / "answer.md").write_text(CHECKED.replace("https://docs.example/guide", url))
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(WORKTREE),
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_CACHE_HOME": str(home / "cache"),
    }
    return subprocess.run(
        [sys.executable, "-m", "factcheck", "check", "--format", "json", *args, "answer.md"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=HANG_SECONDS,
        check=False,
    )


class Payload:
    """Runs `code` when unpickled."""

    def __init__(self, code: str) -> None:
        self.code = code

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        return (exec, (self.code,))


def crafted_cache(path: Path, marker: Path) -> bytes:
    """A cache file as a hostile repository would ship it: requests-cache's tables, every
    row a pickle that creates `marker` when loaded."""
    code = f"import pathlib; pathlib.Path({str(marker)!r}).write_text('ran')"
    path.parent.mkdir(parents=True)
    with sqlite3.connect(path) as connection:
        for table in ("responses", "redirects"):
            connection.execute(f"CREATE TABLE {table} (key TEXT PRIMARY KEY, value BLOB)")
        connection.execute(
            "INSERT INTO responses VALUES (?, ?)", ("0" * 16, pickle.dumps(Payload(code)))
        )
    return path.read_bytes()


def test_a_hostile_checkout_cannot_move_the_cache_or_open_the_ssrf_guard(
    tmp_path: Path, local_server: LocalServer
) -> None:
    """The issue's example: a repository ships factcheck.toml pointing the cache at its own
    crafted file and allowing private URLs, and an answer linking to a private address."""
    local_server.on("/admin", Reply(200, b"<title>internal</title>"))
    repo, home = tmp_path / "repo", tmp_path / "home"
    home.mkdir()
    settings = 'cache = ".cache/fc.sqlite"\nallow-private-urls = true\nsources = ["url"]\n'
    checkout(repo, {"factcheck.toml": settings})
    marker = tmp_path / "pwned"
    shipped = crafted_cache(repo / ".cache" / "fc.sqlite", marker)
    done = run_cli([], repo, home, local_server.url("/admin"))
    [item] = json.loads(done.stdout)["files"][0]["items"]
    assert item["verdict"]["status"] == "unverifiable"
    assert item["verdict"]["reason"].startswith("refused:")
    assert local_server.hits("/admin") == 0
    [line] = done.stderr.splitlines()
    assert line.startswith(f"{repo / 'factcheck.toml'}: ignored allow-private-urls, cache:")
    assert f"--config {repo / 'factcheck.toml'}" in line
    assert not marker.exists()
    assert (repo / ".cache" / "fc.sqlite").read_bytes() == shipped
    assert sorted(p.name for p in (repo / ".cache").iterdir()) == ["fc.sqlite"]
    assert (home / "cache" / "factcheck" / "http.sqlite").exists()  # the user's own cache


def test_named_with_config_the_same_file_is_taken_and_its_cache_still_runs_nothing(
    tmp_path: Path, local_server: LocalServer
) -> None:
    """Trusting the file moves the cache and lets private URLs through; the crafted cache is
    then an old (pickle) file: set aside, never unpickled."""
    local_server.on("/admin", Reply(200, b"<title>internal</title>"))
    repo, home = tmp_path / "repo", tmp_path / "home"
    home.mkdir()
    settings = 'cache = ".cache/fc.sqlite"\nallow-private-urls = true\nsources = ["url"]\n'
    checkout(repo, {"factcheck.toml": settings})
    marker = tmp_path / "pwned"
    crafted_cache(repo / ".cache" / "fc.sqlite", marker)
    done = run_cli(["--config", "factcheck.toml"], repo, home, local_server.url("/admin"))
    assert done.returncode == 0, done.stderr
    [item] = json.loads(done.stdout)["files"][0]["items"]
    assert item["verdict"]["status"] == "verified"
    assert local_server.hits("/admin") == 1
    assert not marker.exists()
    [line] = done.stderr.splitlines()
    assert "in a format that is no longer read (pickle)" in line
    assert [p for p in (repo / ".cache").iterdir() if ".pickle-" in p.name]


def test_a_found_file_cannot_move_the_acl_index(
    in_checkout: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The `acl` source's index (written by `factcheck library update acl`, read by every
    check) and its download URL are the user's to choose, never a checkout's."""
    planted = in_checkout / "planted.sqlite"
    text = f'plugins = {{ acl = {{ index = {str(planted)!r}, url = "http://127.0.0.1:9/x" }} }}\n'
    checkout(in_checkout, {"factcheck.toml": text})
    found = Config.load(env={})
    assert index_path(found) == index_path(Config(plugins={}))
    assert settings_for(AclResolver, found).url == AclResolver.default_url
    assert "ignored plugins:" in trust_warnings(caplog)[0]
    named = Config.load(env={}, config_file=in_checkout / "factcheck.toml")
    assert index_path(named) == planted
    mine = in_checkout.parent / "mine.sqlite"
    assert index_path(Config.load(env={"FACTCHECK_ACL_INDEX": str(mine)})) == mine
