"""Turning Reports into output: the JSON contract, JSON lines, and the `extract` table.

The other report formats (terminal, Markdown, SARIF, annotated text) are in `formats/`.

The JSON shape is a contract other tools rely on (docs/architecture.md): a `files` list, each with
`path`, `items` and `summary`, and an overall `summary`. Keys may be added, never changed.
Values are written whole (a claim's `raw` is still `text[start:end]`); the characters a
terminal could act on are written as `\\uXXXX` escapes (`safetext.json_safe`), so the
document is safe to print and reads back unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.table import Table

from ..model import Citation, Extraction, Fields, Finding, Report, Summary
from ..safetext import json_safe, safe_line

# How much of a long claim or title a table cell shows.
MAX_CELL_CHARS = 90

# The fields that a side-by-side comparison of claim and record shows, in order; authors
# beyond MAX_SHOWN_AUTHORS are counted.
SHOWN_FIELDS = ("title", "authors", "year", "container", "volume", "pages", "doi", "arxiv", "url")
MAX_SHOWN_AUTHORS = 6


def finding_dict(finding: Finding) -> dict[str, Any]:
    """One item of the JSON contract."""
    return finding.model_dump(mode="json")


def report_dict(report: Report) -> dict[str, Any]:
    """One file of the JSON contract; `error` only for a file that could not be checked."""
    document = {
        "path": report.path,
        "items": [finding_dict(f) for f in report.items],
        "summary": report.summary.model_dump(mode="json"),
        "ok": report.ok,
    }
    if report.error is not None:
        document["error"] = report.error
    return document


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
    return json_safe(json.dumps(document, ensure_ascii=False, indent=2))


def to_jsonl(reports: Sequence[Report]) -> str:
    """One line per finding, each with its file's path: easy to grep, stream and join."""
    lines = [
        json.dumps({"path": r.path, **finding_dict(f)}, ensure_ascii=False)
        for r in reports
        for f in r.items
    ]
    return json_safe("\n".join(lines))


def print_citations(path: str, citations: list[Citation], console: Console) -> None:
    """The `factcheck extract` table."""
    table = Table(title=safe_line(path), title_justify="left", show_lines=False)
    for column in ("kind", "start", "end", "label", "claim"):
        table.add_column(column)
    for c in citations:
        table.add_row(c.kind.value, str(c.start), str(c.end), clip(c.label or ""), clip(c.raw))
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
    return json_safe(json.dumps({"files": files}, ensure_ascii=False, indent=2))


def shown_fields(fields: Fields) -> dict[str, str]:
    """The fields worth showing, as short strings: authors as family names."""
    values: dict[str, str] = {}
    for name in SHOWN_FIELDS:
        value = getattr(fields, name)
        if name == "authors":
            value = ", ".join(a.family or a.name or "" for a in value[:MAX_SHOWN_AUTHORS])
            if len(fields.authors) > MAX_SHOWN_AUTHORS:
                value += f" … ({len(fields.authors)})"
        if value:
            values[name] = clip(str(value))
    return values


def clip(text: str, limit: int = MAX_CELL_CHARS) -> str:
    """`text` on one line, without control characters (`safetext`), cut to `limit`
    characters with an ellipsis."""
    text = safe_line(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"
