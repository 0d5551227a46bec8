"""`--format sarif`: SARIF 2.1.0, the format GitHub code scanning (and other CI tools) read.

One `result` per failing finding (its status is in the report's `fail_on`), under one rule
per kind of problem, declared in `tool.driver.rules`:

- `factcheck/not-found` (error): no source holds the work: likely fabricated;
- `factcheck/dead-link` (error): a URL that answers 404/410 or whose host does not exist;
- `factcheck/mismatch` (warning): the work exists, but the text describes it wrongly;
- `factcheck/unverifiable` (note): could not be decided (only when `--fail-on` names it).

Each result points at the claim: the file (stdin as `stdin`), and a region with both
character offsets and line/column numbers, counted in code points (`columnKind`). The result
carries the finding's fix (`fixes`), when it has one, as a SARIF `fix`: the claim corrected
from the work it cites, a dead link's archived copy, or a likely fabricated reference
removed with its in-text citations (`fix_for`). The texts a viewer shows (message, snippet)
hold no control characters (`safetext`), and the document writes any left in data values
as `\\uXXXX` escapes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any
from urllib.parse import quote

from ... import __version__
from ...fix.decide import Fix
from ...fix.edits import Edit
from ...inputs import STDIN
from ...model import Finding, Kind, Location, Report, Status
from ...safetext import json_safe, safe_text
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
        """The rule as SARIF's `reportingDescriptor`, for the tool's `rules` list."""
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
    """The rule a finding's result falls under: a URL not found is a dead link, any other miss not
    found."""
    status, kind = finding.verdict.status, finding.citation.kind
    if status is Status.NOT_FOUND:
        return DEAD_LINK if kind is Kind.URL else NOT_FOUND
    if status is Status.MISMATCH:
        return MISMATCH
    return UNVERIFIABLE


def fix_for(finding: Finding, fix: Fix | None = None) -> Fix | None:
    """The fix a result offers: the finding's fix (`fixes.decide`, or `fix` when it was
    placed in the text already), if it replaces or removes something. A dead link gets its
    archived copy, a mismatch its correction from the work it cites, a likely fabricated
    reference its removal (with its in-text citations when the text is at hand)."""
    from ...fix.decide import FixAction, decide

    fix = fix or decide(finding)
    if fix.action not in (FixAction.REPLACE, FixAction.REMOVE):
        return None
    if not fix.edits:
        citation = finding.citation
        fix = fix.model_copy(update={"edits": [Edit(citation.start, citation.end, fix.new or "")]})
    return fix


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
        placed = _placed_fixes(report, text)
        results += [
            _result(f, uri, lines, placed.get(id(f)))
            if f.citation.location is None
            else _converted_result(f, f.citation.location, report.path)
            for f in report.items
            if f.verdict.status in report.fail_on
        ]
    driver = {
        "name": TOOL_NAME,
        "version": tool_version,
        "rules": [rule.descriptor() for rule in RULES],
    }
    run: dict[str, Any] = {
        "tool": {"driver": driver},
        "columnKind": COLUMN_KIND,
        "results": results,
    }
    unchecked = [_not_checked(report) for report in reports if report.error is not None]
    if unchecked:
        failed = {"executionSuccessful": False, "toolExecutionNotifications": unchecked}
        run["invocations"] = [failed]
    log = {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}
    return json_safe(json.dumps(log, ensure_ascii=False, indent=2))


def _not_checked(report: Report) -> dict[str, Any]:
    """A notification that an input could not be checked at all (a missing file)."""
    location = {"physicalLocation": {"artifactLocation": {"uri": artifact_uri(report.path)}}}
    return {"level": "error", "message": {"text": report.error}, "locations": [location]}


def artifact_uri(path: str | None) -> str:
    """A file's URI reference: a relative path stays relative (code scanning resolves it
    against the repository), an absolute one becomes a file: URI, stdin is `stdin`."""
    if path is None or path == STDIN:
        return STDIN_URI
    pure = PurePath(path)
    if pure.is_absolute():
        return pure.as_uri()
    return quote(pure.as_posix(), safe=PATH_SAFE)


def _placed_fixes(report: Report, text: str | None) -> dict[int, Fix]:
    """The fixes of a report's failing findings, by finding (`id`): placed in its text
    when the text is at hand (a removal then takes the in-text citations too)."""
    from ...fix.decide import decide_report, plan

    decided = decide_report(report) if text is None else plan(text, report).fixes
    return {id(finding): fix for finding, fix in decided}


def _result(finding: Finding, uri: str, lines: Lines | None, placed: Fix | None) -> dict[str, Any]:
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
    fix = fix_for(finding, placed)
    if fix is not None:
        replacements = [
            {
                "deletedRegion": _span(edit.start, edit.end, lines),
                "insertedContent": {"text": edit.new},
            }
            for edit in fix.edits
        ]
        change = {"artifactLocation": {"uri": uri}, "replacements": replacements}
        description = {"text": _fix_description(finding, fix)}
        result["fixes"] = [{"description": description, "artifactChanges": [change]}]
    return result


def _converted_result(finding: Finding, location: Location, path: str | None) -> dict[str, Any]:
    """The result of a claim read from a converted document (PDF, a LaTeX project): its
    offsets are the converted text's, so the location is the file and line it came from
    (a LaTeX project's file is named relative to the main file), with no offsets and no
    fix; a PDF's page is said in `properties.page`."""
    uri = artifact_uri(path)
    if location.file is not None and path is not None and path != STDIN:
        uri = artifact_uri((PurePath(path).parent / location.file).as_posix())
    result = _result(finding, uri, None, None)
    region: dict[str, Any] = {"snippet": {"text": safe_text(finding.citation.raw)}}
    if location.page is None:
        region["startLine"] = location.line
    else:
        result["properties"]["page"] = location.page
        result["properties"]["line"] = location.line
    result["locations"][0]["physicalLocation"]["region"] = region
    result.pop("fixes", None)
    return result


def _region(finding: Finding, lines: Lines | None) -> dict[str, Any]:
    """Where the claim is: offsets always, lines and columns when the text is at hand."""
    citation = finding.citation
    region = _span(citation.start, citation.end, lines)
    region["snippet"] = {"text": safe_text(citation.raw)}
    return region


def _span(start: int, end: int, lines: Lines | None) -> dict[str, Any]:
    """A region that a replacement deletes: offsets, and lines and columns when known."""
    region: dict[str, Any] = {}
    if lines is not None:
        where = lines.region(start, end)
        region = {
            "startLine": where.start_line,
            "startColumn": where.start_column,
            "endLine": where.end_line,
            "endColumn": where.end_column,
        }
    region["charOffset"] = start
    region["charLength"] = end - start
    return region


def _fix_description(finding: Finding, fix: Fix) -> str:
    if finding.citation.kind is Kind.URL:
        return "Link to an archived copy of the page"
    if not fix.new:
        return "Remove the likely fabricated reference and its in-text citations"
    source = finding.verdict.source
    return f"Correct the reference as {source} records it" if source else "Correct the reference"


def _fingerprint(finding: Finding) -> str:
    digest = hashlib.sha256(finding.citation.key.encode("utf-8")).hexdigest()
    return digest[:FINGERPRINT_CHARS]
