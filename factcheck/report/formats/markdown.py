"""`--format markdown`: a report to paste into a pull request, an issue or a wiki page.

A summary table of counts per file, then a section per file with one block per problem:
the claim quoted, why it failed, what the source holds (linked), and a table of the fields
that differ. Verified claims are only counted unless asked for (`-v`).

Everything taken from the checked text or from a source is untrusted: it is escaped so that
it reads as written and cannot open a link, an HTML tag or a table cell of its own, only
http(s) addresses are ever linked, and no control character or sequence gets through
(`safetext`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from ...ids import web_url, work_link
from ...model import Finding, Report, Status, Summary
from ...safetext import safe_line, safe_text
from ..render import MAX_CELL_CHARS, clip
from .common import (
    STATUS_LABEL,
    STATUS_SYMBOL,
    display_path,
    found_text,
    shown,
    value_text,
)
from .lines import Lines, where

TITLE = "# factcheck report"
# ASCII punctuation that means something in (GitHub-flavoured) Markdown or HTML, escaped
# with a backslash wherever untrusted text goes.
_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&#])")
_BACKTICKS = re.compile(r"`+")
RIGHT, LEFT = "--:", ":--"
# A claim longer than this is quoted cut; the diff table holds the details.
MAX_QUOTE_CHARS = 600


def escape(text: str) -> str:
    """`text` on one line, without control characters, every Markdown-special character
    escaped."""
    return _SPECIAL.sub(r"\\\1", safe_line(text))


def code(text: str) -> str:
    """`text` as an inline code span, fenced by more backticks than it contains."""
    text = safe_line(text)
    longest = max((len(run) for run in _BACKTICKS.findall(text)), default=0)
    fence = "`" * (longest + 1)
    padding = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{padding}{text}{padding}{fence}"


def to_markdown(
    reports: Sequence[Report], *, texts: Mapping[str, str] | None = None, verbose: bool = False
) -> str:
    """The whole Markdown document."""
    total = Summary()
    for report in reports:
        total = total.merge(report.summary)
    out = [TITLE, "", _totals(total, len(reports)), "", *_summary_table(reports)]
    for report in reports:
        text = (texts or {}).get(report.path or "")
        out += ["", *_file_section(report, Lines(text) if text is not None else None, verbose)]
    # Each value was made safe on its way in; this pass is the guarantee for the whole page.
    return safe_text("\n".join(out) + "\n")


def _totals(summary: Summary, files: int) -> str:
    counts = " · ".join(
        f"{getattr(summary, s.value)} {STATUS_SYMBOL[s]} {STATUS_LABEL[s]}" for s in Status
    )
    noun = "file" if files == 1 else "files"
    return f"**{summary.total} checked** in {files} {noun}: {counts}"


def _summary_table(reports: Sequence[Report]) -> list[str]:
    statuses = [f"{STATUS_SYMBOL[s]} {STATUS_LABEL[s]}" for s in Status]
    rows = [
        _row(["file", "checked", *statuses, "result"]),
        _row([LEFT, RIGHT, *[RIGHT] * len(statuses), LEFT]),
    ]
    for report in reports:
        summary = report.summary
        counts = [str(getattr(summary, s.value)) for s in Status]
        result = "**not checked**" if report.error else "passed" if report.ok else "**failed**"
        rows.append(_row([code(display_path(report.path)), str(summary.total), *counts, result]))
    return rows


def _file_section(report: Report, lines: Lines | None, verbose: bool) -> list[str]:
    out = [f"## {code(display_path(report.path))}"]
    if report.error is not None:
        return [*out, "", f"Not checked: {escape(report.error)}"]
    for finding in shown(report, verbose=verbose):
        out += ["", *_block(finding, lines)]
    if not report.items:
        out += ["", "No references, identifiers or URLs found."]
    elif report.summary.verified and not verbose:
        out += ["", f"{report.summary.verified} verified, not listed."]
    return out


def _block(finding: Finding, lines: Lines | None) -> list[str]:
    verdict, citation = finding.verdict, finding.citation
    status = verdict.status
    place = where(citation, lines)
    at = f", {place}" if place is not None else ""
    out = [
        f"### {STATUS_SYMBOL[status]} {STATUS_LABEL[status]}: {citation.kind.value}{at}",
        "",
        f"> {escape(clip(citation.raw, MAX_QUOTE_CHARS))}",
        "",
    ]
    notes = [f"**Why:** {escape(verdict.reason)}"]
    if verdict.flags:
        notes.append(f"**Flags:** {escape(', '.join(verdict.flags))}")
    if verdict.record is not None and status is not Status.VERIFIED:
        link = work_link(verdict.record.fields) or web_url(verdict.record.url or "")
        found = escape(found_text(verdict.record))
        notes.append(f"**Found:** {found}" + (f" ([link]({link}))" if link else ""))
    if finding.suggestion:
        notes.append(f"**Suggested reference:** {escape(finding.suggestion)}")
    if finding.archived_url:
        notes.append(f"**Archived copy:** {_linked(finding.archived_url)}")
    # Two trailing spaces: a line break inside one paragraph.
    out.append("  \n".join(notes))
    if verdict.diffs:
        out += ["", *_diff_table(finding)]
    return out


def _diff_table(finding: Finding) -> list[str]:
    source = finding.verdict.source
    rows = [
        _row(["field", "claimed", f"found ({escape(source)})" if source else "found"]),
        _row([LEFT, LEFT, LEFT]),
    ]
    for diff in finding.verdict.diffs:
        claimed = escape(value_text(diff.claimed, MAX_CELL_CHARS))
        found = escape(value_text(diff.found, MAX_CELL_CHARS))
        rows.append(_row([f"**{escape(diff.field)}**", claimed, found]))
    return rows


def _linked(url: str) -> str:
    """`url` as a link when it is a web address, else as plain (escaped) text."""
    link = web_url(url)
    return f"[{escape(url)}]({link})" if link else escape(url)


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"
