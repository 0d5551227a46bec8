"""The `factcheck` tool for `llm`: registered through llm's entry point group, and checking
a text against the fakes when a model calls it."""

from __future__ import annotations

import json
from importlib.metadata import entry_points

import llm
import pytest
from fakes.server import FakeApi

PLOS = "10.1371/journal.pone.0033693"
FABRICATED = "10.1371/notarealdoi"


@pytest.fixture
def fake_environment(fake_api: FakeApi, monkeypatch: pytest.MonkeyPatch) -> None:
    """The default Checker (which the tool uses) pointed at the fakes, built afresh."""
    from factcheck import api

    fake_api.reset()
    monkeypatch.setenv("FACTCHECK_CROSSREF_URL", f"{fake_api.url}/crossref")
    monkeypatch.setenv("FACTCHECK_DOI_URL", f"{fake_api.url}/doi")
    monkeypatch.setenv("FACTCHECK_SOURCES", "crossref,doi")
    monkeypatch.setenv("FACTCHECK_CACHE", "none")
    monkeypatch.setattr(api, "_default", None)


def test_the_plugin_is_declared_in_llms_entry_point_group() -> None:
    plugins = {ep.name: ep.value for ep in entry_points(group="llm")}
    assert plugins.get("factcheck") == "factcheck.integrations.llm_plugin"


def test_llm_offers_the_tool_with_a_text_argument() -> None:
    tool = llm.get_tools()["factcheck"]
    assert tool.plugin == "factcheck"
    assert list(tool.input_schema["properties"]) == ["text"]
    assert "not_found" in (tool.description or "")


def test_the_tool_reports_a_fabricated_doi(fake_environment: None) -> None:
    tool = llm.get_tools()["factcheck"]
    text = f"See doi:{PLOS} and doi:{FABRICATED}."
    answer = json.loads(tool.implementation(text))
    assert answer["ok"] is False
    by_claim = {c["claim"]: c for c in answer["claims"]}
    assert by_claim[f"doi:{FABRICATED}"]["status"] == "not_found"
    verified = by_claim[f"doi:{PLOS}"]
    assert verified["status"] == "verified"
    assert verified["found"]["doi"].lower() == PLOS
