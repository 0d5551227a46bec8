"""`--format sarif`: SARIF 2.1.0, the format GitHub code scanning (and other CI tools) read.

One `result` per failing finding (its status is in the report's `fail_on`), under one rule
per kind of problem, declared in `tool.driver.rules`:

- `factcheck/not-found` (error): no source holds the work: likely fabricated;
- `factcheck/dead-link` (error): a URL that answers 404/410 or whose host does not exist;
- `factcheck/mismatch` (warning): the work exists, but the text describes it wrongly;
- `factcheck/unverifiable` (note): could not be decided (only when `--fail-on` names it).

Each result points at the claim: the file (stdin as `stdin`), and a region with both
character offsets and line/column numbers, counted in code points (`columnKind`). When the
finding says what is right, the result carries a `fix` that replaces the claim (`fix_for`).
The texts a viewer shows (message, snippet) hold no control characters (`safetext`), and
the document writes any left in data values as `\\uXXXX` escapes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any
from urllib.parse import quote

from .. import __version__
from ..inputs import STDIN
from ..model import Finding, Kind, Report, Status
from ..safetext import json_safe, safe_text
from .common import STATUS_LABEL
from .lines import Lines

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
TOOL_NAME = "factcheck"
COLUMN_KIND = "unicodeCodePoints"
STDIN_URI = "stdin"
# A fingerprint of the claim itself, so that code scanning follows an alert when the text
# around it moves; versioned, as SARIF asks, in case its recipe ever changes.
FINGERPRINT = "factcheckClaim/v1"
FINGERPRINT_CHARS = 32
# Characters a relative path keeps as they are in an artifact URI.
PATH_SAFE = "/"


@dataclass(frozen=True)
class Rule:
    """A reportingDescriptor: what one kind of result means, and how severe it is."""

    id: str
    name: str
    short: str
    full: str
    level: str

    def descriptor(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "shortDescription": {"text": self.short},
            "fullDescription": {"text": self.full},
            "help": {"text": self.full},
            "defaultConfiguration": {"level": self.level},
            "properties": {"tags": ["citations", "hallucination"]},
        }


NOT_FOUND = Rule(
    "factcheck/not-found",
    "ReferenceNotFound",
    "Cited work not found",
    "Every source that covers this kind of work answered, and none holds it: the reference "
    "or identifier is likely fabricated. Check it, and cite a work that exists.",
    "error",
)
DEAD_LINK = Rule(
    "factcheck/dead-link",
    "DeadLink",
    "Link does not resolve",
    "The URL answers 404 or 410, serves the site's 'not found' page, or its host does not "
    "exist. Fix the link, point to an archived copy, or drop it.",
    "error",
)
MISMATCH = Rule(
    "factcheck/mismatch",
    "ReferenceMismatch",
    "Reference describes its work wrongly",
    "The work exists, but the text gets it wrong: another title, other authors, year, venue "
    "or identifier. The result lists the fields that differ and what the source holds.",
    "warning",
)
UNVERIFIABLE = Rule(
    "factcheck/unverifiable",
    "Unverifiable",
    "Reference could not be checked",
    "No source could decide this claim (a timeout, a rate limit, a bot wall, or a kind of "
    "work no configured source covers). Check it by hand.",
    "note",
)
RULES = (NOT_FOUND, DEAD_LINK, MISMATCH, UNVERIFIABLE)
RULE_INDEX = {rule.id: index for index, rule in enumerate(RULES)}


def rule_for(finding: Finding) -> Rule:
    status, kind = finding.verdict.status, finding.citation.kind
    if status is Status.NOT_FOUND:
        return DEAD_LINK if kind is Kind.URL else NOT_FOUND
    if status is Status.MISMATCH:
        return MISMATCH
    return UNVERIFIABLE


def fix_for(finding: Finding) -> str | None:
    """The text to put in place of the claim, when the finding says what is right.

    A dead link with an archived copy: that copy. A mismatched bibliography entry: the
    entry rewritten from the record (`suggest`). Any other mismatch: the claim with each
    differing value it spells out (a year, a volume, an arXiv version) replaced by the
    record's. None when nothing better than the claim is known."""
    if finding.archived_url and finding.citation.kind is Kind.URL:
        return finding.archived_url
    if finding.verdict.status is not Status.MISMATCH:
        return None
    if finding.citation.kind is Kind.REFERENCE:
        from ..suggest import corrected_reference

        rewritten = finding.suggestion or corrected_reference(finding)
        if rewritten:
            return rewritten
    return _corrected_in_place(finding)


def to_sarif(
    reports: Sequence[Report],
    *,
    texts: Mapping[str, str] | None = None,
    tool_version: str = __version__,
) -> str:
    """The SARIF log: one run, the results of every report in it."""
    results = []
    for report in reports:
        text = (texts or {}).get(report.path or "")
        lines = Lines(text) if text is not None else None
        uri = artifact_uri(report.path)
        results += [
            _result(f, uri, lines) for f in report.items if f.verdict.status in report.fail_on
        ]
    driver = {
        "name": TOOL_NAME,
        "version": tool_version,
        "rules": [rule.descriptor() for rule in RULES],
    }
    run = {"tool": {"driver": driver}, "columnKind": COLUMN_KIND, "results": results}
    log = {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}
    return json_safe(json.dumps(log, ensure_ascii=False, indent=2))


def artifact_uri(path: str | None) -> str:
    """A file's URI reference: a relative path stays relative (code scanning resolves it
    against the repository), an absolute one becomes a file: URI, stdin is `stdin`."""
    if path is None or path == STDIN:
        return STDIN_URI
    pure = PurePath(path)
    if pure.is_absolute():
        return pure.as_uri()
    return quote(pure.as_posix(), safe=PATH_SAFE)


def _result(finding: Finding, uri: str, lines: Lines | None) -> dict[str, Any]:
    rule = rule_for(finding)
    citation, verdict = finding.citation, finding.verdict
    region = _region(finding, lines)
    location = {"physicalLocation": {"artifactLocation": {"uri": uri}, "region": region}}
    result: dict[str, Any] = {
        "ruleId": rule.id,
        "ruleIndex": RULE_INDEX[rule.id],
        "level": rule.level,
        "message": {"text": safe_text(f"{STATUS_LABEL[verdict.status]}: {verdict.reason}")},
        "locations": [location],
        "partialFingerprints": {FINGERPRINT: _fingerprint(finding)},
        "properties": {
            "kind": citation.kind.value,
            "status": verdict.status.value,
            "confidence": verdict.confidence,
            "source": verdict.source,
            "flags": verdict.flags,
            "diffs": [diff.model_dump(mode="json") for diff in verdict.diffs],
        },
    }
    fix = fix_for(finding)
    if fix is not None:
        change = {
            "artifactLocation": {"uri": uri},
            "replacements": [{"deletedRegion": _bare(region), "insertedContent": {"text": fix}}],
        }
        description = {"text": _fix_description(finding)}
        result["fixes"] = [{"description": description, "artifactChanges": [change]}]
    return result


def _region(finding: Finding, lines: Lines | None) -> dict[str, Any]:
    """Where the claim is: offsets always, lines and columns when the text is at hand."""
    citation = finding.citation
    region: dict[str, Any] = {}
    if lines is not None:
        where = lines.region(citation.start, citation.end)
        region = {
            "startLine": where.start_line,
            "startColumn": where.start_column,
            "endLine": where.end_line,
            "endColumn": where.end_column,
        }
    region["charOffset"] = citation.start
    region["charLength"] = citation.end - citation.start
    region["snippet"] = {"text": safe_text(citation.raw)}
    return region


def _bare(region: dict[str, Any]) -> dict[str, Any]:
    """A region without its snippet: what a replacement deletes."""
    return {key: value for key, value in region.items() if key != "snippet"}


def _fix_description(finding: Finding) -> str:
    if finding.citation.kind is Kind.URL:
        return "Link to an archived copy of the page"
    source = finding.verdict.source
    return f"Correct the reference as {source} records it" if source else "Correct the reference"


def _corrected_in_place(finding: Finding) -> str | None:
    """The claim with each differing value it spells out once replaced by the found one."""
    raw, changed = finding.citation.raw, False
    for diff in finding.verdict.diffs:
        if not _scalar(diff.claimed) or not _scalar(diff.suggestion):
            continue
        claimed = str(diff.claimed)
        if raw.count(claimed) == 1:
            raw, changed = raw.replace(claimed, str(diff.suggestion)), True
    return raw if changed else None


def _scalar(value: Any) -> bool:
    return isinstance(value, (str, int)) and not isinstance(value, bool) and str(value) != ""


def _fingerprint(finding: Finding) -> str:
    digest = hashlib.sha256(finding.citation.key.encode("utf-8")).hexdigest()
    return digest[:FINGERPRINT_CHARS]
