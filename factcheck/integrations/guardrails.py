"""A Guardrails validator, `factcheck/references`: fails text with unverified references.

    from guardrails import Guard
    from factcheck.integrations.guardrails import FactcheckReferences
    guard = Guard().use(FactcheckReferences(on_fail="fix"))

A failure is a `FailResult` whose `error_spans` point at each failing reference and
in-text citation, and whose `fix_value` is the text with them removed (`fix="filter"`, the
default) or with a mismatch's values replaced by the found record's (`fix="fix"`).
Guardrails' own `on_fail` decides what to do with it. Requires `guardrails-ai`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Literal

from guardrails.validators import (
    ErrorSpan,
    FailResult,
    PassResult,
    ValidationResult,
    Validator,
    register_validator,
)

from ..guard.answers import answer_of
from ..guard.decorator import DEFAULT_FAIL_ON, Guard
from ..guard.policies import apply, failing
from ..model import Status
from ..safetext import safe_line

if TYPE_CHECKING:
    from ..checker import Checker

VALIDATOR_NAME = "factcheck/references"


@register_validator(name=VALIDATOR_NAME, data_type="string")  # type: ignore[misc,unused-ignore]
class FactcheckReferences(Validator):  # type: ignore[misc,unused-ignore]
    """Checks every reference, DOI and link in the text against the sources."""

    def __init__(
        self,
        checker: Checker | None = None,
        fail_on: Iterable[Status | str] = DEFAULT_FAIL_ON,
        fix: Literal["filter", "fix"] = "filter",
        on_fail: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(on_fail=on_fail, **kwargs)
        self.guard = Guard(checker=checker, fail_on=fail_on)
        self.fix = fix

    def _validate(self, value: Any, metadata: dict[str, Any]) -> ValidationResult:
        checked = self.guard.check(answer_of(value))
        problems = failing(checked.report, self.guard.fail_on)
        if not problems:
            return PassResult()
        text = checked.answer.text
        spans = [
            ErrorSpan(
                start=f.citation.start,
                end=f.citation.end,
                reason=safe_line(f"{f.verdict.status.value}: {f.verdict.reason}"),
            )
            for f in problems
            if f.citation.end > f.citation.start
        ]
        listed = "; ".join(
            f"{safe_line(f.citation.raw)} ({f.verdict.status.value})" for f in problems
        )
        return FailResult(
            error_message=f"unverified references: {listed}",
            error_spans=spans,
            fix_value=apply(text, self.guard.edits(checked, self.fix)),
            metadata={"factcheck_report": checked.report.model_dump(mode="json")},
        )
