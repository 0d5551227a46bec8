import pytest

from factcheck.config import Config
from factcheck.errors import ConfigError


def test_defaults_are_the_real_apis() -> None:
    config = Config.load(env={})
    assert config.crossref_url == "https://api.crossref.org"
    assert config.doi_url == "https://doi.org"
    assert config.arxiv_url == "https://export.arxiv.org/api"
    assert config.allow_private_urls is False
    assert config.offline is False


def test_environment_then_arguments() -> None:
    env = {
        "FACTCHECK_CROSSREF_URL": "http://127.0.0.1:9/crossref/",
        "FACTCHECK_MAILTO": "me@example.org",
        "FACTCHECK_OFFLINE": "1",
        "FACTCHECK_ALLOW_PRIVATE_URLS": "yes",
        "FACTCHECK_CACHE": "none",
        "FACTCHECK_SOURCES": "crossref, doi",
    }
    config = Config.load(env=env, cache="/tmp/x.sqlite", mailto=None)
    assert config.crossref_url == "http://127.0.0.1:9/crossref"
    assert config.mailto == "me@example.org"  # None means "not given"
    assert config.offline and config.allow_private_urls
    assert config.cache == "/tmp/x.sqlite"
    assert config.sources == ("crossref", "doi")


def test_bad_boolean_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="FACTCHECK_OFFLINE"):
        Config.load(env={"FACTCHECK_OFFLINE": "maybe"})


def test_bad_number_is_a_config_error() -> None:
    with pytest.raises(ConfigError):
        Config.load(env={"FACTCHECK_TIMEOUT": "-3"})


def test_user_agent_carries_mailto_only_when_set() -> None:
    assert Config.load(env={}).user_agent("1.2").startswith("factcheck/1.2 (+")
    assert "mailto:a@b.org" in Config.load(env={}, mailto="a@b.org").user_agent("1.2")
    assert "mailto" not in Config.load(env={}).user_agent("1.2")


def test_strict_comes_from_the_environment_or_an_argument() -> None:
    assert Config.load(env={}).strict is False
    assert Config.load(env={"FACTCHECK_STRICT": "yes"}).strict is True
    assert Config.load(env={"FACTCHECK_STRICT": "1"}, strict=False).strict is False
