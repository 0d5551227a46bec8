"""Suggested fixes for flagged findings: the reference as its record has it, and an archived
copy of a dead link.

Only on request (`factcheck check --suggest`): an archived copy costs one more request per
dead link, and a rewritten reference is only worth reading when something was wrong.

- A `mismatch` gets `suggestion`: the claim as its fix rewrites it (`fixes.decide`, the
  decision the guard's `fix` and `factcheck fix` apply too): corrected field by field from
  the work it cites, authors and identifier included, in its own format (a BibTeX entry
  under its own key and type, a free-text entry in its own style). A reference whose
  identifier belongs to another work gets the right identifier when a search found the
  work it describes, and no suggestion otherwise: it is never rewritten as the other work.
- A URL found `not_found` (404, 410, no such host, a soft 404) gets `archived_url`: an
  archived copy, from the function the caller gives (the command line gives
  `resolve.wayback.archived_copy`, the Wayback Machine asked through the Checker's HTTP
  client). This module does no I/O itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from ..fix.decide import FixAction, decide
from ..model import Finding, Kind, Report, Status

# Where an archived copy of a dead URL is, or None when there is none.
ArchivedCopy = Callable[[str], "str | None"]


def add_suggestions(reports: Iterable[Report], archived_copy: ArchivedCopy) -> None:
    """Fill `suggestion` and `archived_url` on the findings of `reports`, in place.

    Each dead URL is asked about once (`archived_copy`), however often it is cited."""
    archived: dict[str, str | None] = {}
    for report in reports:
        for finding in works(report):
            finding.suggestion = corrected_reference(finding)
        for finding in report.items:
            url = dead_link(finding)
            if url is None:
                continue
            if url not in archived:
                archived[url] = archived_copy(url)
            finding.archived_url = archived[url]


def works(report: Report) -> list[Finding]:
    """The findings that stand for a work: entries, and identifiers outside any entry (one
    inside an entry is the same work, and the entry's reference is the one to correct)."""
    entries = [f.citation for f in report.items if f.citation.kind is Kind.REFERENCE]
    return [
        f
        for f in report.items
        if f.citation.kind is Kind.REFERENCE
        or not any(e.start <= f.citation.start and f.citation.end <= e.end for e in entries)
    ]


def corrected_reference(finding: Finding) -> str | None:
    """The claim as its fix rewrites it (`fixes.decide`), for a `mismatch` it corrects: a
    BibTeX entry stays BibTeX under its key and type, a free-text entry keeps its style. None
    for anything else, and for a claim whose fix is to remove it: a reference whose
    identifier belongs to another work is never rewritten as that work."""
    if finding.verdict.status is not Status.MISMATCH or finding.citation.kind is Kind.URL:
        return None
    fix = decide(finding)
    return fix.new if fix.action is FixAction.REPLACE else None


def dead_link(finding: Finding) -> str | None:
    """The URL of a link found dead (404, 410, no such host, a soft 404), else None."""
    citation = finding.citation
    if citation.kind is not Kind.URL or finding.verdict.status is not Status.NOT_FOUND:
        return None
    return citation.fields.url or citation.raw
