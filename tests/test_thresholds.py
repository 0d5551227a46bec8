"""One `Thresholds` (factcheck/thresholds.py): the documented defaults, one scale, and the bars
reaching the comparison, the acceptance of search hits and the judge through a Checker."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest
from fakes.server import FakeApi
from pydantic import ValidationError

from factcheck.checker import Checker
from factcheck.compare.fields import (
    AGREE,
    ALARM,
    DISAGREE,
    NOTE,
    compare,
    compare_pages,
    compare_titles,
    compare_volumes,
)
from factcheck.config import Config
from factcheck.configtrust import allowed
from factcheck.errors import ConfigError
from factcheck.judge.verdicts import another_work, judge
from factcheck.lookup import Lookup
from factcheck.model import Author, Citation, Fields, Kind, Record, Status
from factcheck.resolve.candidates import Hit, accepted, rank
from factcheck.thresholds import THRESHOLDS, Thresholds

ROOT = Path(__file__).resolve().parents[1]
RULES_PAGE = ROOT / "docs" / "comparison-rules.md"
# A row of the thresholds table on the comparison rules page: | `name` | default | ... |
_TABLE_ROW = re.compile(r"^\| `(?P<name>[a-z_]+)` \| (?P<value>[\d.]+) \|", re.MULTILINE)

DOI = "10.1371/journal.pone.0033693"
TITLE = (
    "Methylphenidate Exposure Induces Dopamine Neuron Loss and Activation of Microglia "
    "in the Basal Ganglia of Mice"
)
AUTHORS = [
    Author(family="Sadasivan", given="Shankar"),
    Author(family="Pond", given="Brooks B."),
    Author(family="Pani", given="Amar K."),
    Author(family="Qu", given="Chunxu"),
    Author(family="Jiao", given="Yun"),
    Author(family="Smeyne", given="Richard J."),
]
RECORD = Fields(title=TITLE, authors=AUTHORS, year=2012, container="PLoS ONE", doi=DOI)
# The fake Crossref's record of DOI, cited with its year one off (online against print).
ENTRY = (
    "Sadasivan, S., Pond, B. B., Pani, A. K., Qu, C., Jiao, Y., & Smeyne, R. J. (2013). "
    "Methylphenidate exposure induces dopamine neuron loss and activation of microglia in "
    "the basal ganglia of mice. PLoS ONE. https://doi.org/10.1371/journal.pone.0033693\n"
)
NO_YEAR_SLACK = Thresholds(year_tolerance=0)


def entry(fields: Fields, raw: str = "an entry") -> Citation:
    return Citation(kind=Kind.REFERENCE, raw=raw, start=0, end=len(raw), fields=fields)


# --- the object ------------------------------------------------------------------------------


def test_the_default_instance_is_the_one_documented_on_the_rules_page() -> None:
    documented = {m["name"]: float(m["value"]) for m in _TABLE_ROW.finditer(RULES_PAGE.read_text())}
    assert documented == THRESHOLDS.model_dump()
    assert Thresholds() == THRESHOLDS


def test_thresholds_are_frozen_closed_and_on_one_scale() -> None:
    with pytest.raises(ValidationError):
        THRESHOLDS.title_related = 0.5  # type: ignore[misc]
    with pytest.raises(ValidationError):
        Thresholds(title_similarity=0.7)  # type: ignore[call-arg]
    # Similarities are shares in 0-1: a bar on rapidfuzz's 0-100 scale is refused.
    for similarity in ("title_related", "context_title_confirmed", "context_title_words"):
        with pytest.raises(ValidationError):
            Thresholds(**{similarity: 70.0})
        assert 0.0 < getattr(THRESHOLDS, similarity) <= 1.0
    with pytest.raises(ValidationError):
        Thresholds(min_supporting=-1)


def test_a_config_carries_thresholds_from_a_file_the_environment_or_a_keyword(
    tmp_path: Path,
) -> None:
    assert Config.load(env={}).thresholds == THRESHOLDS
    variable = {"FACTCHECK_THRESHOLDS": json.dumps({"title_related": 0.8})}
    assert Config.load(env=variable).thresholds == Thresholds(title_related=0.8)
    named = tmp_path / "factcheck.toml"
    named.write_text("[thresholds]\nyear_tolerance = 0\n")
    assert Config.load(env={}, config_file=named).thresholds == NO_YEAR_SLACK
    assert Config.load(env={}, thresholds=NO_YEAR_SLACK).thresholds == NO_YEAR_SLACK
    for wrong in ("0.8", "{not json", json.dumps({"title_relatd": 0.8})):
        with pytest.raises(ConfigError):
            Config.load(env={"FACTCHECK_THRESHOLDS": wrong})
    # A file found in the checked tree may not move the bars (configtrust).
    assert not allowed("thresholds", Thresholds(title_related=0.1), THRESHOLDS)


# --- the comparison, the acceptance, the judge ------------------------------------------------


def test_a_stricter_year_bar_turns_an_agreement_into_a_disagreement() -> None:
    claimed = RECORD.model_copy(update={"year": 2013})
    default = compare(claimed, RECORD)
    assert default.year.state == AGREE and default.year.severity == NOTE
    strict = compare(claimed, RECORD, thresholds=NO_YEAR_SLACK)
    assert strict.year.state == DISAGREE and strict.alarms() == ["year"]


def misspelt(surname: str) -> Fields:
    """The record, its last author's surname written otherwise."""
    authors = [*AUTHORS[:-1], Author(family=surname, given="Richard J.")]
    return RECORD.model_copy(update={"authors": authors})


@pytest.mark.parametrize(
    ("claimed", "bars"),
    [
        # A misspelt surname is the same person, unless no slip is allowed.
        (misspelt("Smeyme"), Thresholds(name_slip_edits=0)),
        # A letter dropped inside a long title word is a typo, unless typos need longer words.
        (
            RECORD.model_copy(update={"title": TITLE.replace("Microglia", "Micrglia")}),
            Thresholds(title_typo_min_chars=10),
        ),
        # A year one off is online against print, unless no slack is allowed.
        (RECORD.model_copy(update={"year": 2013}), NO_YEAR_SLACK),
    ],
)
def test_each_bar_reaches_its_rule(claimed: Fields, bars: Thresholds) -> None:
    assert not compare(claimed, RECORD).alarms()
    assert compare(claimed, RECORD, thresholds=bars).alarms()


def test_the_slips_of_locators_follow_their_bars() -> None:
    assert compare_pages("12", "13").severity == NOTE
    assert compare_pages("12", "13", Thresholds(page_slip=0)).severity == ALARM
    assert compare_volumes("18", "28").severity == NOTE
    assert compare_volumes("18", "28", Thresholds(volume_slip_edits=0)).severity == ALARM


def test_one_bar_says_how_related_titles_must_be_for_every_rule_that_asks() -> None:
    near_miss = TITLE.replace("Microglia", "Astrocytes")
    claimed = RECORD.model_copy(update={"title": near_miss})
    assert compare_titles(near_miss, TITLE).state == DISAGREE
    demanding = Thresholds(title_related=0.99)
    # The comparison, the judge's "another work" and the acceptance of a hit read one bar.
    assert not another_work(compare(claimed, RECORD))
    assert another_work(compare(claimed, RECORD, thresholds=demanding), demanding)
    hit = Hit(Record(source="crossref", id=DOI, fields=RECORD))
    assert accepted(rank(entry(claimed), [hit])) == [hit.record]
    assert accepted(rank(entry(claimed), [hit], demanding), demanding) == []


def test_a_hit_needs_as_many_agreeing_fields_as_the_thresholds_ask() -> None:
    hit = Hit(Record(source="crossref", id=DOI, fields=RECORD))
    # The title and the year agree, the authors do not: two fields of three.
    claimed = Fields(title=TITLE, year=2012, authors=[Author(family="Invented", given="Z.")])
    assert accepted(rank(entry(claimed), [hit])) == [hit.record]
    more = Thresholds(min_supporting=3)
    assert accepted(rank(entry(claimed), [hit], more), more) == []


def test_the_judge_reads_its_bars_from_the_thresholds_it_is_given() -> None:
    citation = entry(RECORD.model_copy(update={"year": 2013}), ENTRY)
    found = [Lookup.found("crossref", Record(source="crossref", id=DOI, fields=RECORD))]
    assert judge(citation, found).status is Status.VERIFIED
    assert judge(citation, found, thresholds=NO_YEAR_SLACK).status is Status.MISMATCH
    # An identifier read against the words around it: how well the title must appear.
    doi = Citation(
        kind=Kind.DOI,
        raw=DOI,
        start=0,
        end=len(DOI),
        fields=Fields(doi=DOI),
        context="Sadasivan et al. (2012) showed that methylphenidate exposure induces neuron loss.",
    )
    lenient = judge(doi, found, thresholds=Thresholds(context_title_confirmed=0.5))
    assert judge(doi, found).confidence < lenient.confidence


def test_a_checker_built_with_other_thresholds_judges_by_them(fake_api: FakeApi) -> None:
    text = "## References\n\n" + ENTRY
    with Checker(fake_api.config(sources=("crossref",))) as checker:
        default = checker.check(text)
    with Checker(fake_api.config(sources=("crossref",)), thresholds=NO_YEAR_SLACK) as checker:
        strict = checker.check(text)
    [before] = [i.verdict for i in default.items if i.citation.kind is Kind.REFERENCE]
    [after] = [i.verdict for i in strict.items if i.citation.kind is Kind.REFERENCE]
    assert before.status is Status.VERIFIED
    assert after.status is Status.MISMATCH
    assert [(d.field, d.severity) for d in after.diffs] == [("year", "alarm")]


# --- the benchmark tunes without editing modules ---------------------------------------------


def bench_quality() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "bench_quality", ROOT / "benchmarks" / "bench_quality.py"
    )
    assert spec is not None and spec.loader is not None
    return importlib.util.module_from_spec(spec)


def test_bench_quality_hands_its_thresholds_to_every_run(monkeypatch: pytest.MonkeyPatch) -> None:
    bench = bench_quality()
    monkeypatch.setitem(sys.modules, bench.__name__, bench)  # its dataclasses look it up
    assert bench.__spec__ is not None and bench.__spec__.loader is not None
    bench.__spec__.loader.exec_module(bench)
    env = bench.thresholds_env(["title_related=0.75", "min_supporting = 3"])
    assert Config.load(env=env).thresholds == Thresholds(title_related=0.75, min_supporting=3)
    assert bench.thresholds_env([]) == {}
    for wrong in (["title_related"], ["title_relatd=0.75"], ["title_related=75"]):
        with pytest.raises(ValueError):
            bench.thresholds_env(wrong)
