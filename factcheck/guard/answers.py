"""The answer a guard checks: its text and where each part came from, the report of a check
that failed, and the arguments of a re-ask.

Shared by the guard on whole values (`decorator.py`) and on streams (`streams.py`), so that
neither imports the other's internals.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..flags import CHECK_FAILED
from ..model import Citation, Extraction, Finding, Kind, Report, Status, Verdict
from . import policies
from .textof import Segment, join, segments, urls_reported

# The arguments a reask can append the problems to, in order of preference.
REASK_ARGUMENTS = ("messages", "prompt", "input")
CHECK_FAILED_REASON = "factcheck could not check this answer ({}); the call itself succeeded"


@dataclass
class Answer:
    """The text found in one value, where it came from, and what the SDK says it cited."""

    parts: list[tuple[tuple[str | int, ...], Segment]]
    starts: list[int]
    text: str
    urls: list[tuple[str, int]] = field(default_factory=list)


@dataclass
class Checked:
    """An answer and its check."""

    answer: Answer
    report: Report
    extraction: Extraction


def answer_of(value: Any) -> Answer:
    """The answer text of a whole (not streamed) value, with the URLs its SDK cites."""
    parts = segments(value)
    text, starts = join(parts)
    urls = urls_reported(value, parts, starts) if parts else []
    return Answer([(p.path, p) for p in parts], starts, text, urls)


def add_reported_urls(extraction: Extraction, answer: Answer) -> None:
    """Add the URLs the SDK cited that the text does not already claim, as URL citations
    spanning nothing of their own (they sit where the text they support starts)."""
    if not answer.urls:
        return
    from ..extract import classify_url

    seen = {c.key for c in extraction.citations}
    for url, at in answer.urls:
        kind, fields = classify_url(url)
        citation = Citation(kind=kind, raw=url, start=at, end=at, fields=fields)
        if citation.key not in seen:
            seen.add(citation.key)
            extraction.citations.append(citation)


def failed_report(
    text: str, extraction: Extraction, error: Exception, fail_on: Iterable[Status]
) -> Report:
    """The report of a check that failed inside factcheck: `unverifiable` for every claim
    it had found, or for the whole answer when it found none."""
    reason = CHECK_FAILED_REASON.format(f"{type(error).__name__}: {error}")
    claims = [c for c in extraction.citations if c.kind is not Kind.INLINE] or [
        Citation(kind=Kind.REFERENCE, raw=text, start=0, end=len(text))
    ]
    items = [
        Finding(
            citation=citation,
            verdict=Verdict(
                status=Status.UNVERIFIABLE,
                confidence=0.0,
                reason=reason,
                flags=[CHECK_FAILED],
            ),
        )
        for citation in claims
    ]
    report = Report(items=items)
    report.fail_on = list(fail_on)
    return report


@dataclass
class Reasks:
    """The re-ask loop of one guarded call, written once for values and streams, sync and
    async. Iterating gives the arguments of each re-ask while `should_reask` wants one and
    the function can take the problems; the caller calls again with them and sets `checked`
    to the new check, which is the last check when the loop ends:

        asks = Reasks(guard.should_reask, signature, args, kwargs, checked)
        for args, kwargs in asks:
            asks.checked = check(call(*args, **kwargs))
    """

    should_reask: Callable[[Checked, int], bool]
    signature: inspect.Signature | None
    args: tuple[Any, ...]
    kwargs: Mapping[str, Any]
    checked: Checked

    def __iter__(self) -> Iterator[tuple[tuple[Any, ...], dict[str, Any]]]:
        attempt = 0
        while self.should_reask(self.checked, attempt):
            retry = reask_arguments(self.signature, self.args, self.kwargs, self.checked)
            if retry is None:
                return
            attempt += 1
            self.args, self.kwargs = retry
            yield retry


def reask_arguments(
    signature: inspect.Signature | None,
    args: tuple[Any, ...],
    kwargs: Mapping[str, Any],
    checked: Checked,
) -> tuple[tuple[Any, ...], dict[str, Any]] | None:
    """The arguments of the next attempt: the answer and the problems appended to the
    conversation (`messages`), or the problems to the `prompt` (or `input`). None when the
    function takes none of them."""
    if signature is None:
        return None
    try:
        bound = signature.bind(*args, **kwargs)
    except TypeError:
        return None
    message = policies.reask_message(checked.report, checked.report.fail_on)
    spread_name = next(
        (n for n, p in signature.parameters.items() if p.kind is inspect.Parameter.VAR_KEYWORD),
        None,
    )
    spread = dict(bound.arguments.get(spread_name, {})) if spread_name else {}
    for name in REASK_ARGUMENTS:
        if name in bound.arguments and name != spread_name:
            bound.arguments[name] = appended_problems(
                bound.arguments[name], checked.answer.text, message
            )
            return bound.args, bound.kwargs
        if spread_name is not None and name in spread:
            spread[name] = appended_problems(spread[name], checked.answer.text, message)
            bound.arguments[spread_name] = spread
            return bound.args, bound.kwargs
    return None


def appended_problems(previous: Any, answer: str, message: str) -> Any:
    """A conversation with the model's answer and the problems added, or a longer prompt."""
    if isinstance(previous, str):
        return f"{previous}\n\n{message}"
    if isinstance(previous, list | tuple):
        added = [{"role": "assistant", "content": answer}, {"role": "user", "content": message}]
        return [*previous, *added]
    return previous
