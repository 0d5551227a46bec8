"""An inspect_ai scorer, `factcheck/references`: how often a model's answers cite made-up work.

    from inspect_ai import Task
    from factcheck.integrations.inspect_ai import references
    Task(dataset=..., solver=generate(), scorer=references(mailto="you@example.org"))

or by name once factcheck is installed (`inspect score LOG --scorer factcheck/references`),
which inspect_ai resolves through the `inspect_ai` entry point (`integrations._registry`).

Each sample's output is checked and scored with the counts of `hf.tally` (a dict value);
the metrics pool them over the samples, so a sample with twenty references weighs twenty
times one with one. A sample whose every finding is unverifiable proves nothing either way
(a source was down, or nothing it cited can be looked up): it gets `Score.unscored`, which
inspect_ai keeps in the log but leaves out of the metrics. A sample that cites nothing is
scored, with zero counts. The Report is in `Score.metadata["factcheck_report"]`.
Requires `inspect-ai` (the `inspect` extra).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from inspect_ai.scorer import Metric, SampleScore, Score, Scorer, Target, metric, scorer
from inspect_ai.solver import TaskState

from ..model import Report, Status
from ..safetext import safe_line
from .hf import CheckerSource, tally

if TYPE_CHECKING:
    from ..checker import Checker

REPORT_KEY = "factcheck_report"
UNSCORED_REASON = "unverifiable"
# How many problems the explanation lists before "… and N more".
MAX_EXPLAINED = 10


def _pooled_rate(numerator: str, denominator: str) -> Metric:
    """Σ numerator / Σ denominator over the scored samples; 0.0 when nothing was checked.

    Sums, not a mean of per-sample rates: a sample's weight is what it cites. Reducers over
    epochs hand over means of the counts, hence floats."""

    def rate(scores: list[SampleScore]) -> float:
        values = [score.score.value for score in scores if isinstance(score.score.value, Mapping)]
        total = sum(float(value[denominator] or 0) for value in values)
        part = sum(float(value[numerator] or 0) for value in values)
        return part / total if total else 0.0

    return rate


@metric
def fabricated_rate() -> Metric:
    """Of the works checked (identifiers, entries), the share their source proves absent."""
    return _pooled_rate("fabricated", "works_checked")


@metric
def miscited_rate() -> Metric:
    """Of the works checked, the share that exists but is not what the text says it is."""
    return _pooled_rate("miscited", "works_checked")


@metric
def dead_url_rate() -> Metric:
    """Of the links checked, the share whose page is gone."""
    return _pooled_rate("dead_links", "links_checked")


@scorer(metrics=[fabricated_rate(), miscited_rate(), dead_url_rate()])
def references(checker: Checker | None = None, **overrides: Any) -> Scorer:
    """Checks the references, identifiers and links in each sample's output.

    `checker` is used as given; instead, `overrides` (Config fields: `mailto=`, `sources=`…)
    build one Checker for the whole eval; with neither, the shared default is used.
    """
    source = CheckerSource(checker, **overrides)

    async def score(state: TaskState, target: Target) -> Score:
        report = await source.get().acheck(state.output.completion)
        return score_of(report)

    return score


def score_of(report: Report) -> Score:
    """The Score for one checked output (see the module's docstring)."""
    explanation = _explain(report)
    metadata = {REPORT_KEY: report.model_dump(mode="json")}
    summary = report.summary
    if summary.total and summary.unverifiable == summary.total:
        return Score.unscored(reason=UNSCORED_REASON, explanation=explanation, metadata=metadata)
    return Score(value=tally(report), explanation=explanation, metadata=metadata)


def _explain(report: Report) -> str:
    """The summary line, then one line per finding that is not verified."""
    summary = report.summary
    lines = [
        f"{summary.total} checked: "
        + ", ".join(f"{getattr(summary, s.value)} {s.value}" for s in Status)
    ]
    problems = [f for f in report.items if f.verdict.status is not Status.VERIFIED]
    lines += [
        safe_line(f"- {f.citation.raw}: {f.verdict.status.value}: {f.verdict.reason}")
        for f in problems[:MAX_EXPLAINED]
    ]
    if len(problems) > MAX_EXPLAINED:
        lines.append(f"- … and {len(problems) - MAX_EXPLAINED} more")
    return "\n".join(lines)
