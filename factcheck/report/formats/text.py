"""The terminal report of `factcheck check`: a summary line, then one block per problem.

Each block has a status badge, the claim as written, what the source holds, the reason, and
a table of the fields that differ (claimed in red, found in green). Verified claims are only
counted unless asked for (`-v`), since a reader acts on the problems.

Nothing from the checked text or a source can write an escape code of its own: every line
passes `safetext.safe_text` (see `Trimmed`).

Colour follows the conventions people set once for every tool: `NO_COLOR` (any non-empty
value) turns it off, `FORCE_COLOR` (any non-empty value) turns it on even when the output is
piped, and otherwise only a terminal that is not `TERM=dumb` gets colour. `NO_COLOR` wins
when both are set. Without colour the output carries no escape codes at all.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from typing import IO

from rich.console import Console, ConsoleOptions, Group, RenderableType
from rich.segment import Segment
from rich.table import Table
from rich.text import Text

from ...model import Finding, Report, Status, Summary
from ...safetext import safe_text
from ..render import MAX_CELL_CHARS, clip
from .common import STATUS_SYMBOL, display_path, found_text, shown, value_text
from .lines import Lines, where

NO_COLOR = "NO_COLOR"
FORCE_COLOR = "FORCE_COLOR"
DUMB_TERMINAL = "dumb"

BADGE_STYLE = {
    Status.VERIFIED: "bold black on green",
    Status.MISMATCH: "bold black on yellow",
    Status.NOT_FOUND: "bold white on red",
    Status.UNVERIFIABLE: "bold white on bright_black",
}
COUNT_STYLE = {
    Status.VERIFIED: "green",
    Status.MISMATCH: "yellow",
    Status.NOT_FOUND: "bold red",
    Status.UNVERIFIABLE: "dim",
}
CLAIMED_STYLE = "red"
FOUND_STYLE = "green"
LABEL_STYLE = "dim"
FLAG_STYLE = "magenta"
SUGGESTION_STYLE = "cyan"
ERROR_STYLE = "bold red"

# The labels of a block ("claim", "found", …) sit in a column this wide, after the indent.
BLOCK_INDENT = "    "
LABEL_WIDTH = len(BLOCK_INDENT) + len("archive")
# A long claim (a whole bibliography entry) is cut here; the diff table shows the details.
MAX_CLAIM_CHARS = 300
# The width the SVG screenshot is drawn at (`--save-svg`), whatever the terminal.
SVG_WIDTH = 110
NO_CLAIMS = "no references, identifiers or URLs found"


def wants_color(stream: IO[str], environ: Mapping[str, str] = os.environ) -> bool:
    """Whether output to `stream` gets colour: see the module docstring for the rules."""
    if environ.get(NO_COLOR):
        return False
    if environ.get(FORCE_COLOR):
        return True
    return stream.isatty() and environ.get("TERM") != DUMB_TERMINAL


def make_console(stream: IO[str] | None = None) -> Console:
    """A console for `stream` (stdout by default) that colours exactly when `wants_color`
    says so, and reads nothing in the claims as rich markup or emoji codes."""
    color = wants_color(stream or sys.stdout)
    return Console(
        file=stream,
        force_terminal=color,
        no_color=not color,
        color_system="auto" if color else None,
        highlight=False,
        markup=False,
        emoji=False,
    )


def save_svg(
    reports: Sequence[Report], path: str, *, texts: Mapping[str, str], verbose: bool
) -> None:
    """Draw the report, in colour, as an SVG picture (for documentation screenshots)."""
    from io import StringIO

    console = Console(
        file=StringIO(),
        record=True,
        force_terminal=True,
        color_system="truecolor",
        width=SVG_WIDTH,
        highlight=False,
        markup=False,
        emoji=False,
    )
    print_report(reports, console, texts=texts, verbose=verbose)
    console.save_svg(path, title="factcheck")


def print_report(
    reports: Sequence[Report],
    console: Console,
    *,
    texts: Mapping[str, str] | None = None,
    verbose: bool = False,
) -> None:
    """The whole terminal report: with several files, their total first; then each file."""
    if len(reports) > 1:
        total = Summary()
        for report in reports:
            total = total.merge(report.summary)
        console.print(Trimmed(_summary_line(f"{len(reports)} files", total)))
    for report in reports:
        text = (texts or {}).get(report.path or "")
        _print_file(report, console, Lines(text) if text is not None else None, verbose)


def _print_file(report: Report, console: Console, lines: Lines | None, verbose: bool) -> None:
    if report.error is not None:
        line = Text(display_path(report.path), style="bold")
        line.append(f"  not checked: {report.error}", style=ERROR_STYLE)
        console.print(Trimmed(line))
        return
    console.print(Trimmed(_summary_line(display_path(report.path), report.summary)))
    for finding in shown(report, verbose=verbose):
        console.print()
        console.print(Trimmed(_block(finding, lines)))
    if not report.items:
        console.print(f"  {NO_CLAIMS}")
    elif report.summary.verified and not verbose:
        console.print()
        console.print(f"  {report.summary.verified} verified, not listed (-v lists them)")


def _summary_line(name: str, summary: Summary) -> Text:
    text = Text()
    text.append(name, style="bold")
    text.append(f"  {summary.total} checked: ")
    for i, status in enumerate(Status):
        count = getattr(summary, status.value)
        if i:
            text.append(", ")
        text.append(f"{count} {status.value}", style=COUNT_STYLE[status] if count else "")
    return text


def _block(finding: Finding, lines: Lines | None) -> Group:
    parts: list[Text | Table] = [_headline(finding, lines), _details(finding)]
    if finding.verdict.diffs:
        parts.append(_diff_table(finding))
    return Group(*parts)


def _headline(finding: Finding, lines: Lines | None) -> Text:
    verdict = finding.verdict
    status = verdict.status
    line = Text("  ")
    line.append(f" {STATUS_SYMBOL[status]} {status.value} ", style=BADGE_STYLE[status])
    line.append(f"  {finding.citation.kind.value}")
    if (place := where(finding.citation, lines)) is not None:
        line.append(f" · {place}")
    if verdict.source:
        line.append(f" · {verdict.source}")
    for flag in verdict.flags:
        line.append(f"  [{flag}]", style=FLAG_STYLE)
    return line


def _details(finding: Finding) -> Table:
    """Label and value rows: the claim, what was found, why, and any suggested fix."""
    verdict = finding.verdict
    grid = Table.grid(padding=(0, 1))
    grid.add_column(width=LABEL_WIDTH, style=LABEL_STYLE, no_wrap=True)
    grid.add_column()
    grid.add_row(BLOCK_INDENT + "claim", Text(clip(finding.citation.raw, MAX_CLAIM_CHARS)))
    if verdict.record is not None and verdict.status is not Status.VERIFIED:
        grid.add_row(BLOCK_INDENT + "found", Text(found_text(verdict.record)))
    grid.add_row(BLOCK_INDENT + "reason", Text(verdict.reason))
    if finding.suggestion:
        grid.add_row(BLOCK_INDENT + "fix", Text(finding.suggestion, style=SUGGESTION_STYLE))
    if finding.archived_url:
        grid.add_row(BLOCK_INDENT + "archive", Text(finding.archived_url, style=SUGGESTION_STYLE))
    return grid


def _diff_table(finding: Finding) -> Table:
    """The fields that differ, claimed against found."""
    source = finding.verdict.source
    table = Table(box=None, padding=(0, 2), show_edge=False)
    table.add_column(BLOCK_INDENT + "field", style="bold", no_wrap=True)
    table.add_column("claimed", max_width=MAX_CELL_CHARS // 2)
    table.add_column(f"found ({source})" if source else "found", max_width=MAX_CELL_CHARS // 2)
    for diff in finding.verdict.diffs:
        table.add_row(
            BLOCK_INDENT + diff.field,
            Text(value_text(diff.claimed, MAX_CELL_CHARS), style=CLAIMED_STYLE),
            Text(value_text(diff.found, MAX_CELL_CHARS), style=FOUND_STYLE),
        )
    return table


class Trimmed:
    """A renderable without the spaces that tables pad their lines with: copied or saved
    output then has no trailing whitespace. Every piece of text goes through
    `safetext.safe_text` on its way out: whatever a claim, a source or a path holds, only
    rich's own styles reach the terminal as escape codes (they are not in the text)."""

    def __init__(self, renderable: RenderableType) -> None:
        self.renderable = renderable

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Segment]:
        for line in console.render_lines(self.renderable, options, pad=False):
            yield from _rstrip(line)
            yield Segment.line()


def _rstrip(line: list[Segment]) -> list[Segment]:
    line = [s if s.control else Segment(safe_text(s.text), s.style) for s in line]
    while line and not line[-1].control and not line[-1].text.rstrip():
        line = line[:-1]
    if line and not line[-1].control:
        last = line[-1]
        line = [*line[:-1], Segment(last.text.rstrip(), last.style)]
    return line
