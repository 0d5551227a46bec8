"""The evaluation adapters against the real packages, with a real Checker on the fake APIs:
the `Dataset.map` function (`datasets`) and the `factcheck/references` scorer (`inspect-ai`).

Each test is skipped when its package is not installed; both are test extras."""

from __future__ import annotations

import asyncio
import math
import pickle
import socket
import sys
from collections.abc import Iterator
from importlib.metadata import EntryPoint
from pathlib import Path
from typing import Any

import pytest
from fakes.server import FakeApi

from factcheck import Checker, Report, Status

pytestmark = pytest.mark.integration

PLOS = "10.1371/journal.pone.0033693"
FAKE = "10.1371/notarealdoi"
PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"
SCORER = "factcheck/references"
MODEL = "mockllm/model"


@pytest.fixture
def checker(fake_api: FakeApi) -> Iterator[Checker]:
    """A Checker on the fake, without a cache, private URLs allowed (the fake's pages stand
    in for the web's)."""
    fake_api.reset()
    with Checker(fake_api.config(allow_private_urls=True)) as checker:
        yield checker


def closed_port() -> int:
    """A loopback port nothing listens on: connecting is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


# ---------------------------------------------------------------------------- datasets


def test_map_fn_adds_report_and_count_columns(fake_api: FakeApi, checker: Checker) -> None:
    datasets = pytest.importorskip("datasets")
    from factcheck.integrations.hf import map_fn

    answers = [
        f"Dopamine neurons are lost (doi:{PLOS}).",
        f"Folding is solved (doi:{FAKE}), unlike what doi:{PLOS} shows.",
        "No references at all.",
        f"The page {fake_api.url}/gone/page explains it.",
    ]
    dataset = datasets.Dataset.from_dict({"id": [1, 2, 3, 4], "answer": answers})
    checked = dataset.map(map_fn("answer", checker=checker), batched=True, batch_size=4)

    assert checked["id"] == [1, 2, 3, 4]
    assert checked["factcheck_verified"] == [1, 1, 0, 0]
    assert checked["factcheck_fabricated"] == [0, 1, 0, 0]
    assert checked["factcheck_miscited"] == [0, 0, 0, 0]
    assert checked["factcheck_dead_links"] == [0, 0, 0, 1]
    assert checked["factcheck_unverifiable"] == [0, 0, 0, 0]
    assert checked["factcheck_inline_problems"] == [0, 0, 0, 0]
    assert checked["factcheck_works_checked"] == [1, 2, 0, 0]
    assert checked["factcheck_links_checked"] == [0, 0, 0, 1]
    assert checked["factcheck_ok"] == [True, False, True, False]
    assert checked["factcheck_problem"] == [None] * 4
    reports = [Report.model_validate_json(row) for row in checked["factcheck_report"]]
    assert [f.verdict.status for f in reports[1].items] == [Status.NOT_FOUND, Status.VERIFIED]
    assert reports[2].items == []
    # The DOI cited in two rows of the batch was asked for once, with no cache to help.
    assert fake_api.hits(f"/crossref/works/{PLOS}") == 1

    unbatched = dataset.select([1]).map(map_fn("answer", checker=checker))
    assert unbatched["factcheck_fabricated"] == [1]


def test_map_fn_pickles_as_its_configuration(checker: Checker) -> None:
    """`datasets` pickles the mapped function to fingerprint it and for `num_proc` workers."""
    from factcheck.integrations.hf import map_fn

    function = map_fn("answer", checker=checker)
    copy = pickle.loads(pickle.dumps(function))
    try:
        assert copy.source.get() is not checker
        assert copy.source.get().config == checker.config
        assert copy({"answer": [f"See doi:{FAKE}."]})["factcheck_fabricated"] == [1]
    finally:
        copy.source.get().close()
    with pytest.raises(TypeError):
        map_fn(checker=checker, mailto="you@example.org")


# ---------------------------------------------------------------------------- inspect_ai


def outputs(fake_api: FakeApi) -> list[str]:
    """Model outputs: a real DOI, a made-up one, a dead and a live link, nothing cited, and
    a link that cannot be reached (unverifiable only)."""
    return [
        f"Dopamine neurons are lost (doi:{PLOS}).",
        f"Folding is solved (doi:{FAKE}).",
        f"See {fake_api.url}/gone/page and {fake_api.url}/doi/api/handles/{PLOS}.",
        "No references at all.",
        f"See http://127.0.0.1:{closed_port()}/page.",
    ]


def test_scorer_scores_each_output(fake_api: FakeApi, checker: Checker) -> None:
    pytest.importorskip("inspect_ai")
    from inspect_ai.model import ModelName, ModelOutput
    from inspect_ai.scorer import SampleScore, Target
    from inspect_ai.solver import TaskState

    from factcheck.integrations.inspect_ai import (
        REPORT_KEY,
        UNSCORED_REASON,
        dead_url_rate,
        fabricated_rate,
        miscited_rate,
        references,
    )

    score = references(checker=checker)

    async def scored(text: str) -> Any:
        output = ModelOutput.from_content(MODEL, text)
        state = TaskState(ModelName(MODEL), 1, 1, "Cite a paper.", [], output=output)
        return await score(state, Target(""))

    verified, fabricated, links, nothing, unreachable = [
        asyncio.run(scored(text)) for text in outputs(fake_api)
    ]
    assert (verified.value["verified"], verified.value["works_checked"]) == (1, 1)
    assert fabricated.value["fabricated"] == 1
    assert f"doi:{FAKE}: not_found" in fabricated.explanation
    assert (links.value["dead_links"], links.value["links_checked"]) == (1, 2)
    assert nothing.value == dict.fromkeys(nothing.value, 0)
    assert math.isnan(unreachable.value) and unreachable.reason == UNSCORED_REASON
    report = Report.model_validate(unreachable.metadata[REPORT_KEY])
    assert [f.verdict.status for f in report.items] == [Status.UNVERIFIABLE]

    samples = [SampleScore(score=s) for s in (verified, fabricated, links, nothing)]
    assert fabricated_rate()(samples) == 0.5
    assert dead_url_rate()(samples) == 0.5
    assert miscited_rate()(samples) == 0.0
    assert fabricated_rate()([SampleScore(score=nothing)]) == 0.0


@pytest.mark.slow  # not the scoring: inspect_ai's first eval imports every model SDK
def test_scorer_in_an_eval(fake_api: FakeApi, checker: Checker, tmp_path: Path) -> None:
    """The scorer in a real `eval()` whose "model" answers each sample with its input: the
    metrics in the log, and the unverifiable-only sample left out of them."""
    pytest.importorskip("inspect_ai")
    from inspect_ai import Task, eval
    from inspect_ai.dataset import Sample
    from inspect_ai.model import ModelOutput
    from inspect_ai.solver import Generate, Solver, TaskState, solver

    from factcheck.integrations.inspect_ai import references

    @solver
    def echo() -> Solver:
        async def solve(state: TaskState, generate: Generate) -> TaskState:
            state.output = ModelOutput.from_content(MODEL, state.input_text)
            return state

        return solve

    samples = [Sample(id=i, input=text) for i, text in enumerate(outputs(fake_api), 1)]
    task = Task(dataset=samples, solver=echo(), scorer=references(checker=checker))
    [log] = eval(task, model=MODEL, display="none", log_dir=str(tmp_path))

    assert log.status == "success", log.error
    [result] = log.results.scores
    assert result.name == "references"  # logs name scorers without their package
    assert (result.scored_samples, result.unscored_samples) == (4, 1)
    metrics = {name: m.value for name, m in result.metrics.items()}
    assert metrics == {"fabricated_rate": 0.5, "miscited_rate": 0.0, "dead_url_rate": 0.5}
    assert math.isnan(log.samples[-1].scores["references"].value)


def test_scorer_is_found_through_the_entry_point() -> None:
    """`inspect eval --scorer factcheck/references` loads the `inspect_ai` entry point named
    after the package; pyproject.toml must declare it, pointing at a module that registers."""
    pytest.importorskip("inspect_ai")
    tomllib = pytest.importorskip("tomllib" if sys.version_info >= (3, 11) else "tomli")
    from inspect_ai._util.registry import registry_lookup

    declared = tomllib.loads(PYPROJECT.read_text())["project"]["entry-points"]["inspect_ai"]
    EntryPoint(name="factcheck", value=declared["factcheck"], group="inspect_ai").load()
    assert registry_lookup("scorer", SCORER) is not None
    assert registry_lookup("metric", "factcheck/fabricated_rate") is not None
