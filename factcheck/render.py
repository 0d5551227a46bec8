"""Turning Reports into output: text tables, the JSON contract, JSON lines.

The JSON shape is a contract other tools rely on (DESIGN.md): a `files` list, each with
`path`, `items` and `summary`, and an overall `summary`. Keys may be added, never changed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from .model import Citation, Extraction, Finding, Report, Status, Summary

FORMATS = ("text", "json", "jsonl")
# How much of a long claim or title the text table shows.
MAX_CELL_CHARS = 90

STATUS_STYLE = {
    Status.VERIFIED: "green",
    Status.MISMATCH: "yellow",
    Status.NOT_FOUND: "bold red",
    Status.UNVERIFIABLE: "dim",
}


def finding_dict(finding: Finding) -> dict[str, Any]:
    """One item of the JSON contract."""
    return finding.model_dump(mode="json")


def report_dict(report: Report) -> dict[str, Any]:
    return {
        "path": report.path,
        "items": [finding_dict(f) for f in report.items],
        "summary": report.summary.model_dump(mode="json"),
        "ok": report.ok,
    }


def to_json(reports: Sequence[Report]) -> str:
    """The `--format json` document."""
    total = Summary()
    for report in reports:
        total = total.merge(report.summary)
    document = {
        "files": [report_dict(r) for r in reports],
        "summary": total.model_dump(mode="json"),
        "ok": all(r.ok for r in reports),
    }
    return json.dumps(document, ensure_ascii=False, indent=2)


def to_jsonl(reports: Sequence[Report]) -> str:
    """One line per finding, each with its file's path: easy to grep, stream and join."""
    lines = [
        json.dumps({"path": r.path, **finding_dict(f)}, ensure_ascii=False)
        for r in reports
        for f in r.items
    ]
    return "\n".join(lines)


def print_text(reports: Sequence[Report], console: Console, *, verbose: bool = False) -> None:
    """A readable table per file: status, kind, the claim, and what was found."""
    for report in reports:
        shown = [f for f in report.items if verbose or f.verdict.status is not Status.VERIFIED]
        console.print(Text(report.path or "<text>", style="bold"), _summary_text(report.summary))
        if shown:
            console.print(_findings_table(shown))
        elif report.items:
            console.print("  all verified (use -v to list them)")
        else:
            console.print("  no references, identifiers or URLs found")


def print_citations(path: str, citations: list[Citation], console: Console) -> None:
    """The `factcheck extract` table."""
    table = Table(title=path, title_justify="left", show_lines=False)
    for column in ("kind", "start", "end", "label", "claim"):
        table.add_column(column)
    for c in citations:
        table.add_row(c.kind.value, str(c.start), str(c.end), c.label or "", _clip(c.raw))
    console.print(table)


def extraction_json(documents: Sequence[tuple[str, Extraction]]) -> str:
    """The `factcheck extract --format json` document: claims, and links by item index."""
    files = [
        {
            "path": path,
            "items": [c.model_dump(mode="json") for c in extraction.citations],
            "links": [link.model_dump(mode="json") for link in extraction.links],
        }
        for path, extraction in documents
    ]
    return json.dumps({"files": files}, ensure_ascii=False, indent=2)


def _findings_table(findings: list[Finding]) -> Table:
    table = Table(show_lines=True, expand=False)
    table.add_column("status", no_wrap=True)
    table.add_column("kind", no_wrap=True)
    table.add_column("claim")
    table.add_column("found / why")
    for f in findings:
        status = f.verdict.status
        table.add_row(
            Text(status.value, style=STATUS_STYLE[status]),
            f.citation.kind.value,
            _clip(f.citation.raw),
            _found_cell(f),
        )
    return table


def _found_cell(finding: Finding) -> Text:
    verdict = finding.verdict
    cell = Text()
    record = verdict.record
    if record is not None and record.fields.title and not verdict.diffs:
        year = f" ({record.fields.year})" if record.fields.year else ""
        cell.append(_clip(record.fields.title) + year + "\n", style="italic")
    for diff in verdict.diffs:
        cell.append(f"{diff.field}: ", style="bold")
        cell.append(_clip(str(diff.claimed)), style="red")
        cell.append(" → ")
        cell.append(_clip(str(diff.found)) + "\n", style="green")
    cell.append(verdict.reason)
    if verdict.flags:
        cell.append(f"  [{', '.join(verdict.flags)}]", style="magenta")
    return cell


def _summary_text(summary: Summary) -> Text:
    text = Text(f"  {summary.total} checked: ")
    parts = [(s, getattr(summary, s.value)) for s in Status]
    for i, (status, count) in enumerate(parts):
        text.append(f"{count} {status.value}", style=STATUS_STYLE[status] if count else "")
        if i < len(parts) - 1:
            text.append(", ")
    return text


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_CELL_CHARS else text[: MAX_CELL_CHARS - 1] + "…"
