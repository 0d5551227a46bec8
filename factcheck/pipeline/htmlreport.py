"""`factcheck report`: one self-contained HTML page for the results of a run or a check.

    >>> from factcheck.pipeline.htmlreport import write_report
    >>> write_report("checked.jsonl", "report.html")   # doctest: +SKIP

The page needs nothing but itself: CSS and a few lines of JavaScript (the table's filters)
inline, charts drawn here as inline SVG, no fonts, scripts or images from anywhere. Its
Content-Security-Policy allows only that inline script and style, by hash, so even a claim
that slipped past escaping could not run a script or load anything.

Everything from the results is untrusted (model output, web page titles): every value goes
through `html.escape` on its way into the page, and the script only hides and shows rows.

Rates and their 95% intervals come from the pipeline's own `Tally` (Wilson intervals), so
the page shows the same figures as the run's summary. The input is what `factcheck run`
writes (one record per line), or `factcheck check --format json` / `--format jsonl`, whose
files become the groups.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from itertools import chain
from pathlib import Path
from string import Template
from typing import Any

from pydantic import ValidationError

from .. import __version__
from ..errors import InputError
from ..flags import RETRACTED
from ..ids import doi_link, web_url
from ..model import Fields, Finding, Status
from ..report.render import SHOWN_FIELDS, clip, shown_fields
from ..safetext import safe_text
from .rates import Rate
from .tally import GroupSummary, Rates, Tally

TEMPLATE_PACKAGE = "factcheck"
TEMPLATE_DIR = "templates"
PAGE_TEMPLATE = "report.html"
PAGE_STYLE = "report.css"
PAGE_SCRIPT = "report.js"

# Rows of the flagged table at most: a page a browser opens quickly. Rates count everything.
MAX_TABLE_ROWS = 5000
# Where a long claim is cut in the table (the text filter searches what is shown).
MAX_CLAIM_CHARS = 300
# The rates charted, each with its heading.
CHARTED_RATES = (
    ("fabricated", "Fabricated (works not found)"),
    ("miscited", "Miscited (works mismatched)"),
    ("dead_links", "Dead links (URLs not found)"),
    ("unverifiable", "Unverifiable (works and links)"),
)
# Findings listed in the table: every status but verified, and verified works with a warning.
FLAGGED_STATUSES = frozenset({Status.MISMATCH, Status.NOT_FOUND, Status.UNVERIFIABLE})
WARNING_FLAGS = frozenset({RETRACTED})
OVERALL = "all"

# --- chart geometry (SVG user units; the SVG scales to its box) ------------------------------
CHART_WIDTH = 520
CHART_LABEL_WIDTH = 130
CHART_VALUE_WIDTH = 130
CHART_TITLE_HEIGHT = 26
CHART_ROW_HEIGHT = 26
CHART_BAR_HEIGHT = 14
CHART_AXIS_HEIGHT = 24
CHART_CAP = 4  # half-height of a whisker's end
CHART_GAP = 8  # between a label or value and the plot
CHART_LABEL_CHARS = 18
# The axis ends at the first of these that holds every interval: small rates stay readable.
CHART_SCALES = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0)
CHART_TICKS = 4


@dataclass
class Row:
    """One flagged finding, where it was found."""

    group: str | None
    where: str
    finding: Finding


@dataclass
class Collected:
    """What a results file holds, counted: the page is drawn from this."""

    tally: Tally = field(default_factory=Tally)
    statuses: Counter[str] = field(default_factory=Counter)
    rows: list[Row] = field(default_factory=list)
    flagged: int = 0

    def add(self, record: Mapping[str, Any], line: int) -> None:
        """Count one output record (read at `line` of the results file) and keep its flagged
        findings, up to the table's limit."""
        findings = [_finding(item, line) for item in record.get("findings") or []]
        self.tally.add(record)
        group = record.get("group")
        where = _where(record)
        for finding in findings:
            self.statuses[finding.verdict.status.value] += 1
            if not _flagged(finding):
                continue
            self.flagged += 1
            if len(self.rows) < MAX_TABLE_ROWS:
                self.rows.append(Row(None if group is None else str(group), where, finding))


def write_report(
    results_path: str | Path, out_path: str | Path, *, title: str | None = None
) -> Collected:
    """Write the HTML report of `results_path` (`factcheck run` output, or `factcheck check`
    JSON or JSONL) to `out_path`; returns what was counted. Raises InputError when the
    results cannot be read."""
    source = Path(results_path)
    collected = collect(source)
    page = render_page(collected, title=title or f"factcheck report: {source.name}")
    Path(out_path).write_text(page, encoding="utf-8")
    return collected


def collect(path: Path) -> Collected:
    """Every record of a results file, counted and its flagged findings kept."""
    collected = Collected()
    for line, record in read_results(path):
        collected.add(record, line)
    return collected


def read_results(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line, record) for each record, in `factcheck run`'s output shape, whatever the input:
    a `check --format json` file becomes one record per file, grouped by its path, and so do
    the lines of `check --format jsonl`. Run output is read a line at a time: it may be large."""
    try:
        with path.open(encoding="utf-8") as handle:
            lines = ((n, raw) for n, raw in enumerate(handle, start=1) if raw.strip())
            head = next(lines, None)
            if head is None:
                return
            if _starts_a_document(head[1]):
                yield from _check_document(path, head[1] + handle.read())
            else:
                yield from _jsonl_records(path, chain([head], lines))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from None


def _starts_a_document(line: str) -> bool:
    """Whether the first line opens a `check --format json` document rather than JSON lines:
    it is not JSON on its own (the document is indented over many lines), or holds `files`."""
    try:
        value = json.loads(line)
    except (json.JSONDecodeError, RecursionError):
        return line.strip().startswith("{")
    return isinstance(value, dict) and "files" in value


def _check_document(path: Path, text: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """The files of a `check --format json` document, each a record grouped by its path."""
    try:
        document = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        why = exc.msg if isinstance(exc, json.JSONDecodeError) else "nested too deeply"
        raise InputError(f"{path}: not JSON lines nor a JSON document ({why})") from None
    files = document.get("files") if isinstance(document, dict) else None
    if not isinstance(files, list):
        raise InputError(f"{path}: a JSON document without a `files` list")
    for number, item in enumerate(files, start=1):
        if not isinstance(item, dict):
            raise InputError(f"{path}: file {number} of `files` is not an object")
        name = str(item.get("path") or f"<text {number}>")
        yield 1, {"row": number, "id": name, "group": name, "findings": item.get("items") or []}


def _jsonl_records(
    path: Path, lines: Iterable[tuple[int, str]]
) -> Iterator[tuple[int, dict[str, Any]]]:
    """Run records as they come; `check --format jsonl` findings gathered per file."""
    per_file: dict[str, list[Any]] = {}
    first_line: dict[str, int] = {}
    for number, raw in lines:
        try:
            value = json.loads(raw)
        except (json.JSONDecodeError, RecursionError) as exc:
            why = exc.msg if isinstance(exc, json.JSONDecodeError) else "nested too deeply"
            raise InputError(f"{path}: line {number}: not valid JSON ({why})") from None
        if isinstance(value, dict) and "findings" in value:
            yield number, value
        elif isinstance(value, dict) and "citation" in value and "verdict" in value:
            name = str(value.get("path") or "<text>")
            per_file.setdefault(name, []).append(value)
            first_line.setdefault(name, number)
        else:
            raise InputError(
                f"{path}: line {number}: neither a `factcheck run` record nor a finding"
            )
    for row, (name, findings) in enumerate(per_file.items(), start=1):
        yield first_line[name], {"row": row, "id": name, "group": name, "findings": findings}


def _finding(item: Any, line: int) -> Finding:
    try:
        return Finding.model_validate(item)
    except ValidationError as exc:
        problem = exc.errors()[0]
        where = ".".join(str(part) for part in problem["loc"])
        raise InputError(
            f"line {line}: a finding that does not read: {where}: {problem['msg']}"
        ) from None


def _flagged(finding: Finding) -> bool:
    verdict = finding.verdict
    return verdict.status in FLAGGED_STATUSES or bool(WARNING_FLAGS & set(verdict.flags))


def _where(record: Mapping[str, Any]) -> str:
    """How the table names a record: its id when it has one, else its row."""
    ident, row = record.get("id"), record.get("row")
    if ident is not None and row is not None and str(ident) != str(row):
        return f"{ident} (row {row})"
    return str(ident if ident is not None else f"row {row}")


# --- the page ---------------------------------------------------------------------------------


def render_page(collected: Collected, *, title: str) -> str:
    """The whole HTML page."""
    style, script = _asset(PAGE_STYLE), _asset(PAGE_SCRIPT)
    groups = collected.tally.groups()
    summaries = {OVERALL: collected.tally.overall(), **groups}
    values = {
        "title": _e(title),
        "version": _e(__version__),
        "csp": _csp(style, script),
        "style": style,
        "script": script,
        "meta": _meta(collected),
        "overview": _overview(collected),
        "charts": "\n".join(
            rate_chart(name, heading, {g: _rate(s.rates, name) for g, s in summaries.items()})
            for name, heading in CHARTED_RATES
        ),
        "counts": _counts_table(summaries),
        "status_options": _options(s.value for s in Status),
        "group_options": _options(groups),
        "rows_count": str(len(collected.rows)),
        "truncated": _truncated(collected),
        "table": _flagged_table(collected.rows),
    }
    return Template(_asset(PAGE_TEMPLATE)).substitute(values)


def _asset(name: str) -> str:
    """A file of factcheck/templates (package data)."""
    return (resources.files(TEMPLATE_PACKAGE) / TEMPLATE_DIR / name).read_text(encoding="utf-8")


def _csp(style: str, script: str) -> str:
    """Nothing may load; only this page's own style and script may apply, by their hashes."""
    return (
        f"default-src 'none'; style-src '{_sha256(style)}'; script-src '{_sha256(script)}'; "
        "base-uri 'none'; form-action 'none'"
    )


def _sha256(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "sha256-" + base64.b64encode(digest).decode("ascii")


def _e(value: Any) -> str:
    """Any value as HTML text (or attribute value): without control characters and bidi
    overrides (`safetext`, which would reorder what the page shows), escaped, quotes
    included."""
    return html.escape(safe_text(str(value)), quote=True)


def _rate(rates: Rates, name: str) -> Rate:
    rate: Rate = getattr(rates, name)
    return rate


def _meta(collected: Collected) -> str:
    records = collected.tally.records
    findings = sum(collected.statuses.values())
    return _e(f"{records:,} records, {findings:,} findings; factcheck {__version__}")


def _overview(collected: Collected) -> str:
    cards = [
        f'<div class="card {s.value}"><span class="n">{collected.statuses[s.value]:,}</span>'
        f'<span class="label">{_e(s.value.replace("_", " "))}</span></div>'
        for s in Status
    ]
    return '<div class="cards">' + "".join(cards) + "</div>"


def _options(values: Any) -> str:
    return "\n".join(f'<option value="{_e(v)}">{_e(v)}</option>' for v in values)


def _truncated(collected: Collected) -> str:
    if collected.flagged <= len(collected.rows):
        return ""
    return (
        f'<p class="warning">The table lists the first {len(collected.rows):,} of '
        f"{collected.flagged:,} flagged findings; the rates and counts above include all.</p>"
    )


# --- charts -----------------------------------------------------------------------------------


def rate_chart(name: str, heading: str, rates: Mapping[str, Rate]) -> str:
    """One rate per group as a horizontal bar with its 95% interval as whiskers (inline SVG)."""
    rows = list(rates.items())
    plot_left = CHART_LABEL_WIDTH
    plot_width = CHART_WIDTH - CHART_LABEL_WIDTH - CHART_VALUE_WIDTH
    scale = _scale(rates.values())
    plot_bottom = CHART_TITLE_HEIGHT + CHART_ROW_HEIGHT * len(rows)
    height = plot_bottom + CHART_AXIS_HEIGHT

    def x(share: float) -> float:
        return plot_left + plot_width * share / scale

    parts = [
        f'<svg class="chart" id="chart-{_e(name)}" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {CHART_WIDTH} {height}" role="img" aria-label="{_e(heading)}">',
        f'<text class="title" x="{CHART_GAP}" y="{CHART_TITLE_HEIGHT - CHART_GAP}">'
        f"{_e(heading)}</text>",
        _axis(x, scale, CHART_TITLE_HEIGHT, plot_bottom),
    ]
    for index, (group, rate) in enumerate(rows):
        top = CHART_TITLE_HEIGHT + CHART_ROW_HEIGHT * index
        parts.append(_bar(name, group, rate, top, x))
    parts.append("</svg>")
    return "\n".join(parts)


def _scale(rates: Any) -> float:
    highest = max((r.ci95[1] for r in rates if r.ci95 is not None), default=1.0)
    return next((s for s in CHART_SCALES if s >= highest), CHART_SCALES[-1])


def _axis(x: Any, scale: float, top: int, bottom: int) -> str:
    ticks = [scale * i / CHART_TICKS for i in range(CHART_TICKS + 1)]
    lines = [
        f'<line class="grid" x1="{x(t):.1f}" y1="{top}" x2="{x(t):.1f}" y2="{bottom}"/>'
        f'<text x="{x(t):.1f}" y="{bottom + CHART_AXIS_HEIGHT - CHART_GAP}" '
        f'text-anchor="middle">{_percent(t)}</text>'
        for t in ticks
    ]
    return '<g class="axis">' + "".join(lines) + "</g>"


def _bar(name: str, group: str, rate: Rate, top: int, x: Any) -> str:
    middle = top + CHART_ROW_HEIGHT / 2
    label = group if len(group) <= CHART_LABEL_CHARS else group[: CHART_LABEL_CHARS - 1] + "…"
    parts = [
        f'<g class="bar" data-group="{_e(group)}"><title>{_e(_rate_tooltip(group, rate))}</title>',
        f'<text x="{CHART_LABEL_WIDTH - CHART_GAP}" y="{middle + 4:.1f}" text-anchor="end">'
        f"{_e(label)}</text>",
    ]
    value_x = CHART_WIDTH - CHART_VALUE_WIDTH + CHART_GAP
    if rate.rate is None or rate.ci95 is None:
        parts.append(
            f'<text class="na" x="{value_x}" y="{middle + 4:.1f}">n/a (none decided)</text>'
        )
        return "".join(parts) + "</g>"
    low, high = rate.ci95
    parts += [
        f'<rect class="rate-{_e(name)}" x="{x(0):.1f}" y="{middle - CHART_BAR_HEIGHT / 2:.1f}" '
        f'width="{x(rate.rate) - x(0):.1f}" height="{CHART_BAR_HEIGHT}"/>',
        f'<path class="whisker" d="M{x(low):.1f},{middle:.1f}H{x(high):.1f}'
        f"M{x(low):.1f},{middle - CHART_CAP:.1f}V{middle + CHART_CAP:.1f}"
        f'M{x(high):.1f},{middle - CHART_CAP:.1f}V{middle + CHART_CAP:.1f}"/>',
        f'<text x="{value_x}" y="{middle + 4:.1f}">'
        f"{_percent(rate.rate)} ({rate.count:,}/{rate.of:,})</text>",
    ]
    return "".join(parts) + "</g>"


def _rate_tooltip(group: str, rate: Rate) -> str:
    if rate.rate is None or rate.ci95 is None:
        return f"{group}: nothing decided"
    low, high = rate.ci95
    return (
        f"{group}: {_percent(rate.rate)}, 95% CI {_percent(low)}–{_percent(high)} "
        f"({rate.count:,} of {rate.of:,})"
    )


def _percent(share: float) -> str:
    return f"{share:.1%}"


# --- tables -----------------------------------------------------------------------------------


def _counts_table(summaries: Mapping[str, GroupSummary]) -> str:
    statuses = [s.value for s in Status]
    head = (
        "<thead><tr><th rowspan=2>group</th><th rowspan=2 class=num>records</th>"
        "<th rowspan=2 class=num>checked</th><th rowspan=2 class=num>unreadable</th>"
        f'<th colspan="{len(statuses)}">works</th><th colspan="{len(statuses)}">links</th>'
        "<th rowspan=2 class=num>in-text problems</th></tr><tr>"
        + "".join(f'<th class="num">{_e(s.replace("_", " "))}</th>' for s in statuses * 2)
        + "</tr></thead>"
    )
    body = []
    for group, summary in summaries.items():
        unreadable = summary.malformed + summary.missing_text + summary.extraction_failed
        cells = [summary.records, summary.checked, unreadable]
        cells += [getattr(summary.works, s) for s in statuses]
        cells += [getattr(summary.links, s) for s in statuses]
        cells.append(summary.inline_problems)
        numbers = "".join(f'<td class="num">{n:,}</td>' for n in cells)
        body.append(f"<tr><th>{_e(group)}</th>{numbers}</tr>")
    table = f'<table class="counts" id="counts-table">{head}<tbody>{"".join(body)}</tbody></table>'
    return f'<div class="scroll">{table}</div>'


def _flagged_table(rows: list[Row]) -> str:
    head = (
        "<thead><tr><th>status</th><th>group</th><th>record</th><th>kind</th><th>claim</th>"
        "<th>reason</th><th>claimed vs found</th></tr></thead>"
    )
    body = "\n".join(_flagged_row(row) for row in rows)
    return f'<table id="flagged-table">{head}<tbody>\n{body}\n</tbody></table>'


def _flagged_row(row: Row) -> str:
    finding = row.finding
    status, flags = finding.verdict.status.value, finding.verdict.flags
    claim = clip(finding.citation.raw, MAX_CLAIM_CHARS)
    flag_text = f'<div class="flags">{_e(", ".join(flags))}</div>' if flags else ""
    return (
        f'<tr data-status="{_e(status)}" data-group="{_e(row.group or "")}">'
        f'<td><span class="status {_e(status)}">{_e(status.replace("_", " "))}</span></td>'
        f"<td>{_e(row.group or '')}</td><td>{_e(row.where)}</td>"
        f"<td>{_e(finding.citation.kind.value)}</td>"
        f'<td class="claim">{_e(claim)}{flag_text}</td>'
        f'<td class="reason">{_e(finding.verdict.reason)}</td>'
        f'<td class="compare">{_fields_table(finding)}{_suggestions(finding)}</td></tr>'
    )


def _fields_table(finding: Finding) -> str:
    """Claimed and found values side by side, the fields that differ marked. Without a
    record, what was found is what the diffs say (an in-text citation's entry), if anything."""
    verdict = finding.verdict
    claimed_fields = finding.citation.fields
    found_fields = verdict.record.fields if verdict.record is not None else Fields()
    claimed, found = shown_fields(claimed_fields), shown_fields(found_fields)
    for diff in verdict.diffs:
        if diff.found is not None and diff.field not in found:
            found[diff.field] = _diff_value(diff.found)
    names = [n for n in SHOWN_FIELDS if n in claimed or n in found]
    names += [d.field for d in verdict.diffs if d.field not in SHOWN_FIELDS]
    if not names:
        return ""
    differing = {diff.field for diff in verdict.diffs}
    columns = [(claimed, claimed_fields)]
    head = "<th></th><th>claimed</th>"
    if found or verdict.record is not None:
        columns.append((found, found_fields))
        source = f"found ({verdict.source})" if verdict.record is not None else "found"
        head += f"<th>{_e(source)}</th>"
    rows = [
        f"<tr{' class=differs' if name in differing else ''}><th>{_e(name)}</th>"
        + "".join(f"<td>{_value(name, shown.get(name), fields)}</td>" for shown, fields in columns)
        + "</tr>"
        for name in names
    ]
    return f'<table class="fields"><tr>{head}</tr>{"".join(rows)}</table>'


def _diff_value(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def _value(name: str, shown: str | None, fields: Fields) -> str:
    """A field's value as HTML: a DOI as a doi.org link, a web URL as a link, else text."""
    if shown is None:
        return "—"
    href = None
    if name == "doi" and fields.doi:
        href = doi_link(fields.doi)
    elif name == "url" and fields.url:
        href = web_url(fields.url)
    return _link(href, shown) if href else _e(shown)


def _suggestions(finding: Finding) -> str:
    parts = []
    if finding.suggestion:
        parts.append(f'<pre class="suggestion">{_e(finding.suggestion)}</pre>')
    archived = web_url(finding.archived_url) if finding.archived_url else None
    if archived:
        parts.append(f'<div class="suggestion">archived copy: {_link(archived, archived)}</div>')
    return "".join(parts)


def _link(href: str, text: str) -> str:
    return f'<a href="{_e(href)}" rel="noopener noreferrer nofollow">{_e(text)}</a>'
