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

from .model import Citation, Extraction, Fields, Finding, Report, Status, Summary

FORMATS = ("text", "json", "jsonl")
# How much of a long claim or title the text table shows.
MAX_CELL_CHARS = 90

# Statuses whose text report puts the claim and the record side by side.
SIDE_BY_SIDE = frozenset({Status.MISMATCH, Status.NOT_FOUND})
# The fields of that comparison, in order; authors beyond MAX_SHOWN_AUTHORS are counted.
SHOWN_FIELDS = ("title", "authors", "year", "container", "volume", "pages", "doi", "arxiv", "url")
MAX_SHOWN_AUTHORS = 6
# The status column of the text report: the longest status ("unverifiable") and a space.
STATUS_WIDTH = 13

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
    """Per file: a summary line, then each finding that is not verified (all with verbose).

    A `mismatch` or `not_found` shows the claimed and the found metadata side by side,
    under its one-line reason, so that a reader sees at once what is wrong."""
    for report in reports:
        shown = [f for f in report.items if verbose or f.verdict.status is not Status.VERIFIED]
        console.print(Text(report.path or "<text>", style="bold"), _summary_text(report.summary))
        for finding in shown:
            console.print(_headline(finding))
            console.print(Text("    " + finding.verdict.reason))
            if finding.verdict.status in SIDE_BY_SIDE:
                console.print(_side_by_side(finding))
        if not shown:
            quiet = "  all verified (use -v to list them)"
            console.print(quiet if report.items else "  no references, identifiers or URLs found")


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


def _headline(finding: Finding) -> Text:
    status = finding.verdict.status
    line = Text("  ")
    line.append(f"{status.value:<{STATUS_WIDTH}}", style=STATUS_STYLE[status])
    line.append(f"{finding.citation.kind.value:<10}")
    line.append(_clip(finding.citation.raw))
    if finding.verdict.flags:
        line.append(f"  [{', '.join(finding.verdict.flags)}]", style="magenta")
    return line


def _side_by_side(finding: Finding) -> Table:
    """Claimed against found, one row per field either side has; differing values coloured."""
    verdict = finding.verdict
    claimed = _shown_fields(finding.citation.fields)
    record = verdict.record
    found = _shown_fields(record.fields) if record is not None else {}
    differing = {diff.field for diff in verdict.diffs}
    source = f"found ({verdict.source})" if record is not None else "found"
    table = Table(box=None, padding=(0, 2), show_edge=False)
    table.add_column("    field", style="bold", no_wrap=True)
    table.add_column("claimed", max_width=MAX_CELL_CHARS // 2)
    table.add_column(source, max_width=MAX_CELL_CHARS // 2)
    for name in [n for n in SHOWN_FIELDS if n in claimed or n in found]:
        style = "red" if name in differing else ""
        table.add_row(
            f"    {name}",
            Text(claimed.get(name, "—"), style=style),
            Text(found.get(name, "—"), style="green" if name in differing else ""),
        )
    return table


def _shown_fields(fields: Fields) -> dict[str, str]:
    """The fields worth showing, as short strings: authors as family names."""
    values: dict[str, str] = {}
    for name in SHOWN_FIELDS:
        value = getattr(fields, name)
        if name == "authors":
            value = ", ".join(a.family or a.name or "" for a in value[:MAX_SHOWN_AUTHORS])
            if len(fields.authors) > MAX_SHOWN_AUTHORS:
                value += f" … ({len(fields.authors)})"
        if value:
            values[name] = _clip(str(value))
    return values


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
