"""A tool for Simon Willison's `llm`: `llm --tool factcheck "…"` lets a model check its own
citations (extra `factcheck[llm]`; registered through the `llm` entry point group).

The tool is a thin shell over `factcheck.check` with the default Checker, configured by
`FACTCHECK_*` variables and the user's config like the CLI. It answers with a compact JSON
text (one line per claim: what was claimed, the status, the reason, the work found), which a
model reads more reliably than the full report.
"""

from __future__ import annotations

import json
from typing import Any

import llm

from ..api import check
from ..model import Finding, Kind

TOOL_NAME = "factcheck"


def factcheck(text: str) -> str:
    """Verify the scholarly references, DOIs, arXiv ids and URLs in a text against Crossref,
    doi.org, arXiv, OpenAlex and the web. Call it on an answer that cites sources before
    giving it to the user. Each claim comes back with a status: verified (exists and
    matches), mismatch (exists but described wrongly: correct it from `found`), not_found
    (likely fabricated: remove it) or unverifiable (could not be checked: say so)."""
    report = check(text)
    claims = [_claim(f) for f in report.items if f.citation.kind is not Kind.INLINE]
    return json.dumps(
        {"ok": report.ok, "claims": claims, "summary": report.summary.model_dump(mode="json")},
        ensure_ascii=False,
    )


def _claim(finding: Finding) -> dict[str, Any]:
    verdict = finding.verdict
    found = verdict.record.fields if verdict.record else None
    return {
        "claim": finding.citation.raw,
        "status": verdict.status.value,
        "reason": verdict.reason,
        "found": None if found is None else found.claimed(),
    }


@llm.hookimpl
def register_tools(register: Any) -> None:
    """llm's plugin hook: offers the `factcheck` tool."""
    register(factcheck, name=TOOL_NAME)
