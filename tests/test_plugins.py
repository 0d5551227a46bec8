"""Source plugins (resolve/plugins.py): installed as distributions are, loaded by name only.

A plugin here is really installed for importlib.metadata: a `*.dist-info` folder with its
`entry_points.txt` in a folder put on sys.path, as pip leaves it in site-packages. The
example plugin (tests/plugins/factcheck_example_source/) is one module plus the entry point
of its pyproject.toml, and answers from a local fake of its API.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
import tomllib
from click.testing import CliRunner
from servers import LocalServer, Reply, fast_config

from factcheck import Checker
from factcheck.cli import main
from factcheck.config import Config
from factcheck.errors import ConfigError
from factcheck.lookup import Lookup
from factcheck.model import Citation, Kind, Record, Status
from factcheck.net.limits import PUBLIC_LIMITS, UNKNOWN_SOURCE_LIMIT, Limit, Limiter
from factcheck.resolve.plugins import BUILTIN, ENTRY_POINT_GROUP, installed, load
from factcheck.resolve.settings import settings_for

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "tests" / "plugins" / "factcheck_example_source"
DOI = "10.5555/example.1"
WORK = b'{"doi": "10.5555/example.1", "title": "An Example Work", "year": 2021}'

Install = Callable[..., Path]


@pytest.fixture
def install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Install:
    """Install a distribution: its metadata (entry points in our group) and its modules."""
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))

    def _install(
        distribution: str, entries: Mapping[str, str], modules: Mapping[str, str] = {}
    ) -> Path:
        info = site / f"{distribution.replace('-', '_')}-0.1.0.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {distribution}\nVersion: 0.1.0\n"
        )
        lines = [f"[{ENTRY_POINT_GROUP}]", *(f"{k} = {v}" for k, v in entries.items())]
        (info / "entry_points.txt").write_text("\n".join(lines) + "\n")
        for module, source in modules.items():
            (site / f"{module}.py").write_text(source)
            monkeypatch.delitem(sys.modules, module, raising=False)
        return site

    return _install


@pytest.fixture
def example(install: Install, monkeypatch: pytest.MonkeyPatch) -> None:
    """The example plugin, installed from its own pyproject.toml and module."""
    project = tomllib.loads((EXAMPLE / "pyproject.toml").read_text())["project"]
    install(project["name"], project["entry-points"][ENTRY_POINT_GROUP])
    monkeypatch.syspath_prepend(str(EXAMPLE))


@pytest.fixture
def api(local_server: LocalServer) -> LocalServer:
    """The example API: one work in the collection `papers`, nothing elsewhere."""
    local_server.on("/v1/papers/" + DOI.replace("/", "%2F"), Reply(200, WORK, _json()))
    return local_server


def _json() -> dict[str, str]:
    return {"Content-Type": "application/json"}


def test_pyproject_registers_the_builtins_as_the_code_does() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert pyproject["project"]["entry-points"][ENTRY_POINT_GROUP] == dict(BUILTIN)


def test_a_check_imports_only_the_sources_it_asks_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for module in ("factcheck.resolve.dblp", "factcheck.resolve.library"):
        monkeypatch.delitem(sys.modules, module, raising=False)  # put back afterwards
    with Checker(fast_config(tmp_path, sources=("doi",))) as checker:
        assert [r.name for r in checker.resolvers] == ["doi"]
    assert "factcheck.resolve.dblp" not in sys.modules
    assert "factcheck.resolve.library" not in sys.modules


@pytest.mark.integration
def test_the_example_plugin_checks_claims_against_its_api(
    example: None, api: LocalServer, tmp_path: Path
) -> None:
    config = fast_config(
        tmp_path, sources=("example",), plugins={"example": {"url": api.url("/v1"), "key": "k1"}}
    )
    with Checker(config) as checker:
        found = checker.check(f"See doi:{DOI}.").items[0].verdict
        missing = checker.check("See doi:10.5555/nowhere.").items[0].verdict
    assert (found.status, found.source) == (Status.VERIFIED, "example")
    assert found.record is not None and found.record.fields.title == "An Example Work"
    # The only source of DOIs here does not hold it, and its word is not proof (not the
    # registry): a DOI no configured source could settle.
    assert (missing.status, missing.source) == (Status.UNVERIFIABLE, "example")
    assert "coverage_incomplete" in missing.flags
    assert {seen.headers["Authorization"] for seen in api.seen} == {"Bearer k1"}


@pytest.mark.integration
def test_a_plugin_setting_of_its_own_comes_from_the_config(
    example: None, api: LocalServer, tmp_path: Path
) -> None:
    api.on("/v1/preprints/" + DOI.replace("/", "%2F"), Reply(200, WORK, _json()))
    plugins = {"example": {"url": api.url("/v1"), "collection": "preprints"}}
    with Checker(fast_config(tmp_path, sources=("example",), plugins=plugins)) as checker:
        assert checker.check(f"doi:{DOI}").items[0].verdict.status is Status.VERIFIED
    assert api.hits("/v1/preprints/" + DOI.replace("/", "%2F")) == 1
    assert api.hits("/v1/papers/" + DOI.replace("/", "%2F")) == 0


def test_plugin_settings_come_from_the_environment_under_arguments(example: None) -> None:
    env = {"FACTCHECK_EXAMPLE_URL": "http://env.test/", "FACTCHECK_EXAMPLE_KEY": "secret"}
    (cls,) = load(["example"])
    settings = settings_for(cls, Config.load(env, config_file=None))
    assert settings.url == "http://env.test/"
    assert settings.key is not None and settings.key.get_secret_value() == "secret"
    given = Config.load(env, plugins={"example": {"url": "http://arg.test"}})
    assert settings_for(cls, given).url == "http://arg.test"


def test_a_plugin_without_settings_has_its_declared_defaults(example: None) -> None:
    (cls,) = load(["example"])
    settings = settings_for(cls, Config())
    assert (settings.url, settings.key) == ("https://api.example.org/v1", None)


def test_the_builtins_settings_are_their_config_fields() -> None:
    (cls,) = load(["openalex"])
    config = Config(openalex_url="http://mirror.test", openalex_key="k")
    settings = settings_for(cls, config)
    assert settings.url == "http://mirror.test"
    assert settings.key is not None and settings.key.get_secret_value() == "k"


def test_invalid_plugin_settings_are_a_config_error(example: None, tmp_path: Path) -> None:
    config = fast_config(tmp_path, sources=("example",), plugins={"example": {"rate": -1}})
    with pytest.raises(ConfigError, match="settings of source 'example'"):
        Checker(config)
    config = fast_config(tmp_path, sources=("example",), plugins={"example": {"colour": "x"}})
    with pytest.raises(ConfigError, match="colour"):
        Checker(config)


@pytest.mark.parametrize(
    ("plugins", "expected"),
    [
        ({}, Limit(rate=4.0, concurrency=1)),
        ({"example": {"rate": "0.5"}}, Limit(rate=0.5, concurrency=1)),
        ({"example": {"concurrency": 3}}, Limit(rate=4.0, concurrency=3)),
    ],
)
def test_a_plugin_keeps_to_its_declared_or_configured_limit(
    example: None, tmp_path: Path, plugins: dict[str, dict[str, object]], expected: Limit
) -> None:
    with Checker(fast_config(tmp_path, sources=("example",), plugins=plugins)) as checker:
        assert checker.http.limiter.gate("example", "api.example.org").limit == expected


def test_the_sources_help_lists_what_is_installed(example: None) -> None:
    result = CliRunner().invoke(main, ["check", "--help"], terminal_width=200)
    assert result.exit_code == 0
    listed = result.output.split("installed:")[1].split(")")[0]
    assert {name.strip() for name in listed.split(",")} == {*BUILTIN, "example"}


BROKEN = "raise ImportError('needs a library that is not installed')\n"


def test_a_broken_plugin_breaks_only_the_checks_that_ask_for_it(
    install: Install, tmp_path: Path
) -> None:
    install(
        "factcheck-broken", {"broken": "factcheck_broken:Resolver"}, {"factcheck_broken": BROKEN}
    )
    with Checker(fast_config(tmp_path, sources=("doi",))) as checker:
        assert [r.name for r in checker.resolvers] == ["doi"]
    assert "factcheck_broken" not in sys.modules
    with pytest.raises(ConfigError, match=r"source 'broken' .*factcheck-broken.*ImportError"):
        Checker(fast_config(tmp_path, sources=("doi", "broken")))


@pytest.mark.parametrize(
    "value",
    ["factcheck_notaresolver:NotAResolver", "factcheck_notaresolver:Misnamed"],
)
def test_an_entry_point_that_is_no_resolver_of_its_name_is_refused(
    install: Install, tmp_path: Path, value: str
) -> None:
    source = (
        "class NotAResolver:\n    name = 'odd'\n"
        "class Misnamed:\n    name = 'other'\n    def lookup(self, citation): ...\n"
    )
    install("factcheck-odd", {"odd": value}, {"factcheck_notaresolver": source})
    with pytest.raises(ConfigError, match=r"source 'odd' .* is not a resolver named 'odd'"):
        load(["odd"])


def test_a_plugin_cannot_take_a_builtins_name(install: Install, tmp_path: Path) -> None:
    install("factcheck-evil", {"crossref": "factcheck_evil:Fake"}, {"factcheck_evil": BROKEN})
    with pytest.raises(ConfigError, match=r"'crossref' is registered more than once.*evil"):
        Checker(fast_config(tmp_path, sources=("crossref",)))
    with Checker(fast_config(tmp_path, sources=("doi",))) as checker:
        assert [r.name for r in checker.resolvers] == ["doi"]


def test_two_distributions_registering_one_name_clash(install: Install) -> None:
    install("factcheck-one", {"same": "one:Resolver"})
    install("factcheck-two", {"same": "two:Resolver"})
    assert [r.distribution for r in installed()["same"]] == ["factcheck-one", "factcheck-two"]
    with pytest.raises(ConfigError, match=r"factcheck-one.*factcheck-two"):
        load(["same"])


def test_an_unknown_source_names_the_installed_ones(example: None) -> None:
    with pytest.raises(ConfigError, match=r"unknown source\(s\): nosuch; known: .*example"):
        load(["nosuch"])


class Shelf:
    """A source that code builds itself: a fixed set of DOIs, no network."""

    name = "shelf"
    kinds = frozenset({Kind.DOI})

    def __init__(self, *dois: str) -> None:
        self.dois = dois

    def lookup(self, citation: Citation) -> Lookup:
        doi = (citation.fields.doi or "").lower()
        if doi in self.dois:
            return Lookup.found(self.name, Record(source=self.name, id=doi))
        return Lookup.missing(self.name, "not on the shelf", authoritative=True)


def test_a_checker_asks_the_resolvers_it_is_given(tmp_path: Path) -> None:
    with Checker(fast_config(tmp_path), resolvers=[Shelf(DOI)]) as checker:
        assert checker.config.sources == ("shelf",)
        report = checker.check(f"doi:{DOI} and doi:10.5555/other")
    statuses = [f.verdict.status for f in report.items]
    assert statuses == [Status.VERIFIED, Status.NOT_FOUND]
    assert {f.verdict.source for f in report.items} == {"shelf"}


@pytest.mark.integration
def test_a_checker_builds_resolver_classes_on_its_own_client(
    example: None, api: LocalServer, tmp_path: Path
) -> None:
    (cls,) = load(["example"])
    config = fast_config(tmp_path, plugins={"example": {"url": api.url("/v1")}})
    with Checker(config, resolvers=[cls]) as checker:
        assert checker.resolvers[0].http is checker.http  # type: ignore[attr-defined]
        assert checker.check(f"doi:{DOI}").items[0].verdict.status is Status.VERIFIED
    assert "example" not in PUBLIC_LIMITS


def test_a_declared_limit_never_replaces_a_builtins() -> None:
    declared = {"crossref": Limit(rate=100, concurrency=9), "example": Limit(4, 1)}
    limiter = Limiter(polite=False, max_wait=5, sources=declared)
    assert limiter.gate("crossref", "api.crossref.org").limit == PUBLIC_LIMITS["crossref"]
    assert limiter.gate("example", "api.example.org").limit == Limit(4, 1)
    assert limiter.gate("other", "api.other.org").limit == UNKNOWN_SOURCE_LIMIT
