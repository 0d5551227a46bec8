"""Configuration files: where they are found, what wins, what is refused, per-host settings."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fakes.server import FakeApi
from servers import LocalServer, Reply

from factcheck.cli import main
from factcheck.config import Config
from factcheck.configfile import HostOverride
from factcheck.errors import ConfigError, SourceUnavailable
from factcheck.net.http import Http
from factcheck.net.limits import PUBLIC_LIMITS, Limit, Limiter

PLOS = "10.1371/journal.pone.0033693"


def project(root: Path, files: dict[str, str]) -> Path:
    """A checkout at `root` (its `.git` ends the upward search) holding `files`."""
    (root / ".git").mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def test_precedence_defaults_file_environment_arguments(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project(tmp_path, {"factcheck.toml": 'timeout = 7\nretries = 1\nmailto = "file@x.org"\n'})
    monkeypatch.chdir(tmp_path)
    env = {"FACTCHECK_RETRIES": "5", "FACTCHECK_MAILTO": "env@x.org"}
    config = Config.load(env=env, mailto="arg@x.org", workers=None)
    assert config.timeout == 7  # file over default
    assert config.retries == 5  # environment over file
    assert config.mailto == "arg@x.org"  # argument over environment
    assert config.workers == Config().workers  # not given anywhere: the default


def test_found_from_a_subdirectory_in_pyproject(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project(tmp_path, {"pyproject.toml": "[project]\nname = 'x'\n[tool.factcheck]\ntimeout = 3\n"})
    (tmp_path / "docs" / "deep").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "docs" / "deep")
    assert Config.load(env={}).timeout == 3


def test_factcheck_toml_wins_over_pyproject_in_the_same_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project(
        tmp_path,
        {"pyproject.toml": "[tool.factcheck]\ntimeout = 3\n", "factcheck.toml": "timeout = 4\n"},
    )
    monkeypatch.chdir(tmp_path)
    assert Config.load(env={}).timeout == 4


def test_a_pyproject_without_the_table_is_passed_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project(tmp_path, {"factcheck.toml": "timeout = 6\n", "sub/pyproject.toml": "[tool.x]\n"})
    monkeypatch.chdir(tmp_path / "sub")
    assert Config.load(env={}).timeout == 6


def test_search_stops_at_the_checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project(tmp_path, {"factcheck.toml": "timeout = 6\n"})
    project(tmp_path / "repo", {"sub/notes.md": ""})
    monkeypatch.chdir(tmp_path / "repo" / "sub")
    assert Config.load(env={}).timeout == Config().timeout


def test_named_file_by_argument_or_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project(tmp_path, {"factcheck.toml": "timeout = 6\n", "ci.toml": "timeout = 9\n"})
    monkeypatch.chdir(tmp_path)
    named = str(tmp_path / "ci.toml")
    assert Config.load(env={}, config_file=named).timeout == 9
    assert Config.load(env={"FACTCHECK_CONFIG": named}).timeout == 9


def test_named_file_that_is_missing_or_has_no_table(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"nothere\.toml not found"):
        Config.load(env={}, config_file=tmp_path / "nothere.toml")
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    with pytest.raises(ConfigError, match=r"\[tool.factcheck\]: no such table"):
        Config.load(env={}, config_file=tmp_path / "pyproject.toml")


def test_unknown_key_names_file_and_key_and_suggests(tmp_path: Path) -> None:
    path = project(tmp_path, {"factcheck.toml": "timout = 3\n"}) / "factcheck.toml"
    with pytest.raises(ConfigError) as caught:
        Config.load(env={}, config_file=path)
    assert str(path) in str(caught.value)
    assert "unknown key 'timout'" in str(caught.value)
    assert "did you mean 'timeout'" in str(caught.value)


def test_unknown_key_in_a_pyproject_table(tmp_path: Path) -> None:
    path = project(tmp_path, {"pyproject.toml": "[tool.factcheck]\nsource = 'doi'\n"})
    with pytest.raises(
        ConfigError, match=r"pyproject.toml \[tool.factcheck\]: unknown key 'source'"
    ):
        Config.load(env={}, config_file=path / "pyproject.toml")


def test_wrong_type_names_file_and_key(tmp_path: Path) -> None:
    path = project(tmp_path, {"factcheck.toml": 'workers = "many"\n'}) / "factcheck.toml"
    with pytest.raises(ConfigError, match=r"factcheck.toml: workers = 'many': .*integer"):
        Config.load(env={}, config_file=path)


def test_dashes_and_underscores_and_lists(tmp_path: Path) -> None:
    text = 'connect-timeout = 2.5\nmax_lookups = 9\nsources = ["crossref", "doi"]\noffline = true\n'
    path = project(tmp_path, {"factcheck.toml": text}) / "factcheck.toml"
    config = Config.load(env={}, config_file=path)
    assert config.connect_timeout == 2.5
    assert config.max_lookups == 9
    assert config.sources == ("crossref", "doi")
    assert config.offline is True


def test_the_same_key_twice_is_refused(tmp_path: Path) -> None:
    path = project(tmp_path, {"factcheck.toml": "max-lookups = 1\nmax_lookups = 2\n"})
    with pytest.raises(ConfigError, match="given twice"):
        Config.load(env={}, config_file=path / "factcheck.toml")


def test_relative_paths_are_read_from_the_files_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = 'library = ["refs/a.bib"]\ncache = "cache.sqlite"\nignore-file = "ci/ignore"\n'
    project(tmp_path, {"factcheck.toml": text})
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    config = Config.load(env={}, config_file=tmp_path / "factcheck.toml")
    assert config.library == (tmp_path / "refs" / "a.bib",)
    assert config.cache == str(tmp_path / "cache.sqlite")
    assert config.ignore_file == tmp_path / "ci" / "ignore"


def test_cache_words_and_urls_are_not_paths(tmp_path: Path) -> None:
    for cache in ("none", "default", "redis://127.0.0.1:1/0"):
        path = project(tmp_path, {"factcheck.toml": f'cache = "{cache}"\n'}) / "factcheck.toml"
        assert Config.load(env={}, config_file=path).cache == cache


# Per-host settings.


def test_hosts_table_in_pyproject(tmp_path: Path) -> None:
    text = (
        "[tool.factcheck]\nmailto = 'a@b.org'\n"
        '[tool.factcheck.hosts."API.Crossref.org"]\nrate = 2\nconnect-timeout = 3\n'
    )
    path = project(tmp_path, {"pyproject.toml": text}) / "pyproject.toml"
    config = Config.load(env={}, config_file=path)
    assert config.hosts == {"api.crossref.org": HostOverride(rate=2, connect_timeout=3)}


def test_unknown_or_bad_host_setting_is_refused(tmp_path: Path) -> None:
    path = project(tmp_path, {"factcheck.toml": '[hosts."x.org"]\nrat = 2\n'}) / "factcheck.toml"
    with pytest.raises(ConfigError, match=r"hosts.x.org: unknown key 'rat' \(did you mean 'rate'"):
        Config.load(env={}, config_file=path)
    path.write_text('[hosts."x.org"]\nconcurrency = 0\n')
    with pytest.raises(ConfigError, match=r"hosts.x.org.concurrency = 0"):
        Config.load(env={}, config_file=path)


@pytest.mark.parametrize("name", ["https://x.org", "x.org/api", "x.org:8080"])
def test_a_host_key_must_be_a_bare_host_name(name: str) -> None:
    with pytest.raises(ConfigError, match="not a host name"):
        Config.load(env={}, hosts={name: {"rate": 1}})


def test_host_limits_apply_to_that_host_only() -> None:
    limiter = Limiter(
        polite=False,
        max_wait=5,
        hosts={"localhost": HostOverride(rate=50, concurrency=4), "b.org": HostOverride(rate=1)},
    )
    assert limiter.gate("crossref", "localhost").limit == Limit(rate=50, concurrency=4)
    # One gate for the host, whichever source asks it.
    assert limiter.gate("doi", "localhost") is limiter.gate("crossref", "localhost")
    assert limiter.gate("crossref", "127.0.0.1").limit == PUBLIC_LIMITS["crossref"]
    assert limiter.gate("crossref", "127.0.0.1") is not limiter.gate("crossref", "localhost")
    # What the override leaves out is the source's own.
    partial = limiter.gate("openalex", "b.org").limit
    assert partial == Limit(rate=1, concurrency=PUBLIC_LIMITS["openalex"].concurrency)


def test_timeouts_only_without_limits_keep_the_source_gate() -> None:
    limiter = Limiter(polite=False, max_wait=5, hosts={"localhost": HostOverride(timeout=1)})
    assert limiter.gate("crossref", "localhost") is limiter.gate("crossref", "127.0.0.1")


def test_http_client_takes_host_limits_from_config(make_http: Callable[..., Http]) -> None:
    http = make_http(hosts={"localhost": {"rate": 40, "concurrency": 2}})
    assert http.limiter.gate("crossref", "localhost").limit == Limit(rate=40, concurrency=2)
    assert http.limiter.gate("crossref", "127.0.0.1").limit == PUBLIC_LIMITS["crossref"]


def test_host_timeout_applies_to_that_host_only(
    local_server: LocalServer, make_http: Callable[..., Http]
) -> None:
    local_server.on("/slow", Reply(body=b"late", delay=0.6))
    http = make_http(hosts={"localhost": {"timeout": 0.2}})
    assert http.get(local_server.url("/slow"), source="crossref").content == b"late"
    with pytest.raises(SourceUnavailable):
        http.get(f"http://localhost:{local_server.port}/slow", source="crossref")


def test_host_retries_apply_to_that_host_only(
    local_server: LocalServer, make_http: Callable[..., Http]
) -> None:
    local_server.on("/a", Reply(503))
    local_server.on("/b", Reply(503))
    http = make_http(retries=2, hosts={"localhost": {"retries": 0}})
    with pytest.raises(SourceUnavailable):
        http.get(f"http://localhost:{local_server.port}/a", source="crossref")
    with pytest.raises(SourceUnavailable):
        http.get(local_server.url("/b"), source="crossref")
    assert local_server.hits("/a") == 1
    assert local_server.hits("/b") == 3


# The command line.


def _fake_settings(api: FakeApi) -> str:
    """A settings file that points every source at the fakes."""
    config = api.config()
    names = ("crossref", "doi", "arxiv", "openalex", "dblp")
    lines = [f'{name}-url = "{getattr(config, name + "_url")}"' for name in names]
    return "\n".join([*lines, 'cache = "none"', 'mailto = "t@example.org"', ""])


def _check(*args: str) -> dict[str, Any]:
    result = CliRunner().invoke(main, ["check", "--format", "json", *args])
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def test_cli_config_option_points_at_the_sources(
    fake_api: FakeApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_api.reset()
    project(tmp_path, {"ci.toml": _fake_settings(fake_api), "a.md": f"See doi:{PLOS}.\n"})
    monkeypatch.chdir(tmp_path)
    document = _check("--config", "ci.toml", "--sources", "crossref,doi", "a.md")
    [item] = document["files"][0]["items"]
    assert item["verdict"]["status"] == "verified"


def test_cli_ignore_file_option(
    fake_api: FakeApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_api.reset()
    files = {"ci.toml": _fake_settings(fake_api), "a.md": f"See doi:{PLOS}.\n", "skip": PLOS}
    project(tmp_path, files)
    monkeypatch.chdir(tmp_path)
    document = _check("--config", "ci.toml", "--ignore-file", "skip", "a.md")
    assert document["files"][0]["items"] == []


def test_cli_reports_a_bad_config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project(tmp_path, {"bad.toml": "cache = 'none'\nofline = true\n", "a.md": "doi:10.1/x\n"})
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["check", "--config", "bad.toml", "a.md"])
    assert result.exit_code == 2
    assert "bad.toml: unknown key 'ofline' (did you mean 'offline'?)" in result.output
