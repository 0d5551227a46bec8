"""What the fix of a finding is: the one decision that `--suggest`, SARIF fixes, the guard's
`on_fail="fix"` and `factcheck fix` all apply.

`decide(finding)` returns a `Fix`:
- `replace`: the claim rewritten. A near miss (the identifier's work, described wrongly) is
  corrected field by field from its record, authors included; an entry whose identifier
  belongs to another work, and whose work a search found (flag `wrong_identifier`), gets
  that work's identifier and the fields that differ from it; an in-text citation gets its
  entry's year; a dead link its archived copy.
- `remove` or `mark` (the `fabricated` option): a reference no source holds, or whose
  identifier belongs to another work while no source holds the work it describes (flag
  `cited_work_not_found`). `remove` takes it out with its in-text citations (`cuts`);
  `mark` comments it out with the reason (`%` in BibTeX, `<!-- -->` elsewhere), which
  `ignore` then leaves unchecked.
- `none`: nothing better than the claim is known. Never the claim merged with another work:
  an identifier of another work whose right one was not found is left for a person.

`plan(text, report)` decides every failing finding of a text and places the fixes: each
`Fix` gets its `edits`, and the plan the combined, non-overlapping edits of them all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum

from pydantic import BaseModel, Field

from ..compare.fields import compare, shortened
from ..flags import CITED_WORK_NOT_FOUND, WRONG_IDENTIFIER
from ..ids import IDENTIFIER_FIELDS
from ..judge.verdicts import another_work
from ..model import Citation, Extraction, FieldDiff, Fields, Finding, Kind, Report, Status
from . import cuts, namestyle
from .edits import Edit, without_overlaps
from .rewrite import changed, rewrite_entry


class Fabricated(str, Enum):
    """What a fix does with a reference that is likely fabricated."""

    REMOVE = "remove"
    MARK = "mark"


class Comment(str, Enum):
    """How a marked claim is commented out: `<!-- -->` (Markdown, HTML, plain text) or `%`
    (BibTeX, LaTeX). A BibTeX entry is always commented with `%`."""

    HTML = "html"
    PERCENT = "percent"


class FixAction(str, Enum):
    """What a fix does to a claim: rewrite it, remove it, comment it out with the reason, or leave
    it as it is."""

    REPLACE = "replace"
    REMOVE = "remove"
    MARK = "mark"
    NONE = "none"


class Fix(BaseModel):
    """What to do about one claim, and why. `new` is the claim's replacement (`replace`)
    or the claim commented out (`mark`); `fields` the corrected fields of a work;
    `edits`, once placed in a text by `plan`, every change the fix makes to it (the
    claim's and its in-text citations')."""

    action: FixAction
    reason: str
    new: str | None = None
    fields: Fields | None = None
    edits: list[Edit] = Field(default_factory=list)


@dataclass
class Plan:
    """The fixes of one text's failing findings, and their edits together."""

    fixes: list[tuple[Finding, Fix]] = field(default_factory=list)
    edits: list[Edit] = field(default_factory=list)


COMMENT_PREFIX = "factcheck:"
WITH_ITS_ENTRY = "fixed with the entry it is written in"
LIKELY_FABRICATED = "likely fabricated"
COMMENTED_OUT = "commented out"
# What a comment must not hold: the end of an HTML comment, and line breaks.
_COMMENT_END_RE = re.compile(r"--+>")
_LINE_BREAKS_RE = re.compile(r"\s*\n\s*")
SCALAR_DIFF_TYPES = (str, int)
# An author-year citation: its year, and where the names before the year end.
_YEAR_RE = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d)(?!\d)")
_AUTHORS_END_RE = re.compile(r"(?:,\s*|\s*\(\s*|\s+)(?=(?:1[5-9]\d\d|20\d\d)[a-z]?\)?\s*\Z)")
# How an author-year citation joins two names: parenthetical, then narrative.
_IN_TEXT_JOINERS = (" & ", " and ")


def decide(
    finding: Finding,
    *,
    fabricated: Fabricated = Fabricated.REMOVE,
    comment: Comment = Comment.HTML,
) -> Fix:
    """The fix of one finding, from its verdict alone (see the module's docstring). A
    BibTeX entry is commented out with `%` whatever `comment` says."""
    citation, verdict = finding.citation, finding.verdict
    comment = _comment(finding, comment)
    if citation.kind is Kind.URL:
        if verdict.status is Status.NOT_FOUND and finding.archived_url:
            return Fix(
                action=FixAction.REPLACE,
                reason="the page is gone: link to its archived copy",
                new=finding.archived_url,
            )
        return _none("a link is only fixed by an archived copy of a dead page")
    if citation.kind is Kind.INLINE:
        return _in_place(finding, "cited as its entry has it") or _none("nothing to correct")
    if verdict.status is Status.NOT_FOUND:
        return _fabricated(citation, verdict.reason, fabricated, comment)
    if verdict.status is not Status.MISMATCH:
        return _none(f"the claim is {verdict.status.value}: nothing to correct")
    if CITED_WORK_NOT_FOUND in verdict.flags:
        return _fabricated(citation, verdict.reason, fabricated, comment)
    if citation.kind is not Kind.REFERENCE:
        own = [d for d in verdict.diffs if d.field == citation.kind.value]
        return _in_place(finding, "corrected", own) or _none(
            "the identifier belongs to another work, and nothing says which one was meant"
        )
    return _corrected_entry(finding)


def decide_report(
    report: Report,
    *,
    fail_on: Iterable[Status] | None = None,
    fabricated: Fabricated = Fabricated.REMOVE,
    comment: Comment = Comment.HTML,
) -> list[tuple[Finding, Fix]]:
    """The fix of each finding whose status is in `fail_on` (default: the report's own).
    An identifier written inside an entry is fixed with its entry, not alone."""
    statuses = set(report.fail_on if fail_on is None else fail_on)
    entries = [f.citation for f in report.items if f.citation.kind is Kind.REFERENCE]
    decided = []
    for finding in report.items:
        if finding.verdict.status not in statuses:
            continue
        if _inside_entry(finding.citation, entries):
            fix = _none(WITH_ITS_ENTRY)
        else:
            fix = decide(finding, fabricated=fabricated, comment=comment)
        decided.append((finding, fix))
    return decided


def plan(
    text: str,
    report: Report,
    extraction: Extraction | None = None,
    *,
    fail_on: Iterable[Status] | None = None,
    fabricated: Fabricated = Fabricated.REMOVE,
    comment: Comment = Comment.HTML,
) -> Plan:
    """The fixes of `decide_report`, placed in `text` (the text `report` checked).

    Entries are placed first, so that their in-text citations follow what becomes of them
    (cut, or given the corrected year and authors); an in-text citation's own fix comes
    last. The in-text citations of every removed entry are cut together, so that a range
    such as "[2-4]" keeps what is left of it."""
    if extraction is None:
        from ..extract import extract_all

        extraction = extract_all(text)
    entries = {
        (c.start, c.end): i for i, c in enumerate(extraction.citations) if c.kind is Kind.REFERENCE
    }
    inline = [c for c in extraction.citations if c.kind is Kind.INLINE]
    decided = decide_report(report, fail_on=fail_on, fabricated=fabricated, comment=comment)
    decided.sort(key=lambda pair: pair[0].citation.kind is Kind.INLINE)
    result = Plan()
    first: list[Edit] = []
    removed_cites: list[Citation] = []
    last: list[Edit] = []
    for finding, fix in decided:
        result.fixes.append((finding, fix))
        if not cuts.in_text(text, finding.citation):
            continue
        index = entries.get((finding.citation.start, finding.citation.end))
        cites = cuts.citing(extraction, index) if index is not None else []
        fix.edits = _place(text, finding.citation, fix, cites, inline, _comment(finding, comment))
        if fix.action is FixAction.REMOVE and index is not None:
            first.append(fix.edits[0])  # the cuts of the in-text citations are made together
            removed_cites += cites
        elif finding.citation.kind is Kind.INLINE:
            last += fix.edits
        else:
            first += fix.edits
    cut = cuts.citation_cuts(text, removed_cites, inline)
    result.edits = without_overlaps([*first, *cut, *last])
    return result


def corrected_fields(claimed: Fields, found: Fields, names: Iterable[str]) -> Fields:
    """The claim with the named fields set to the record's: what it is corrected to, field
    by field, and nothing else. A value the record lacks stays as claimed, save an
    identifier (a wrong one goes). A corrected volume brings the record's issue."""
    update: dict[str, object] = {}
    for name in names:
        if not hasattr(found, name):
            continue
        value = getattr(found, name)
        if value not in (None, []) or name in IDENTIFIER_FIELDS:
            update[name] = value
    if "volume" in update and found.issue and claimed.issue:
        update["issue"] = found.issue
    return claimed.model_copy(update=update)


def commented(block: str, reason: str, comment: Comment) -> str:
    """`block` commented out with the reason, so that a reader sees why and factcheck
    does not check it again (see `ignore`)."""
    note = f"{COMMENT_PREFIX} {COMMENTED_OUT}: {_LINE_BREAKS_RE.sub(' ', reason).strip()}"
    if comment is Comment.PERCENT:
        lines = block.splitlines(keepends=True)
        return f"% {note}\n" + "".join(f"% {line}" for line in lines)
    note, body = _COMMENT_END_RE.sub("->", note), _COMMENT_END_RE.sub("->", block)
    if body.endswith("\n"):
        return f"<!-- {note}\n{body}-->\n"
    return f"<!-- {note}: {body} -->"


# --- the decisions ----------------------------------------------------------------------------


def _none(reason: str) -> Fix:
    return Fix(action=FixAction.NONE, reason=reason)


def _fabricated(citation: Citation, why: str, fabricated: Fabricated, comment: Comment) -> Fix:
    reason = why if LIKELY_FABRICATED in why else f"{LIKELY_FABRICATED}: {why}"
    if fabricated is Fabricated.MARK:
        new = commented(citation.raw, reason, comment)
        return Fix(action=FixAction.MARK, reason=reason, new=new)
    return Fix(action=FixAction.REMOVE, reason=reason)


def _corrected_entry(finding: Finding) -> Fix:
    """A mismatched entry corrected from its record, field by field; nothing when the
    record is another work and the one meant was not found."""
    citation, verdict = finding.citation, finding.verdict
    record = verdict.record
    if record is None:
        return _in_place(finding, "corrected") or _none("no record to correct it from")
    diffs = verdict.diffs or compare(citation.fields, record.fields).diffs
    identifier = citation.fields.identifier()
    found_meant = identifier is not None and any(d.field == identifier[0].value for d in diffs)
    if not found_meant and _another_work(finding):
        return _none(
            "the identifier belongs to another work, and no source could say which work the "
            "entry describes: correct it by hand"
        )
    names = [d.field for d in diffs]
    if found_meant and identifier is not None and identifier[0] is not Kind.DOI:
        names.append("doi")  # a wrong arXiv id or PMID: the work's DOI comes with it
    fields = corrected_fields(citation.fields, record.fields, names)
    new = rewrite_entry(citation.raw, citation.fields, fields)
    if new == citation.raw:
        return _none("the record differs only where the entry cannot show it")
    parts = []
    if found_meant and identifier is not None:
        right = getattr(fields, identifier[0].value) or fields.doi
        parts.append(f"{identifier[1]} is another work's, the work cited is {right}")
    corrected = [n for n in changed(citation.fields, fields) if n not in IDENTIFIER_FIELDS]
    if corrected:
        parts.append(f"{', '.join(corrected)} as the record has them")
    reason = "; ".join(parts) + f" ({verdict.source or record.source})"
    return Fix(action=FixAction.REPLACE, reason=reason, new=new, fields=fields)


def _another_work(finding: Finding) -> bool:
    """Whether the record is another work than the entry's (flagged by the judge, or, for
    a report that predates the flag, told again from the fields)."""
    verdict, citation = finding.verdict, finding.citation
    if WRONG_IDENTIFIER in verdict.flags:
        return True
    if verdict.record is None or citation.fields.identifier() is None:
        return False
    truncated = shortened(citation.raw, citation.fields)
    return another_work(compare(citation.fields, verdict.record.fields, truncated=truncated))


def _in_place(finding: Finding, reason: str, diffs: list[FieldDiff] | None = None) -> Fix | None:
    """The claim with each differing value it spells out once replaced by the found one."""
    raw, changed_any = finding.citation.raw, False
    for diff in finding.verdict.diffs if diffs is None else diffs:
        new = diff.suggestion if diff.suggestion is not None else diff.found
        if not _scalar(diff.claimed) or not _scalar(new):
            continue
        old = str(diff.claimed)
        if raw.count(old) == 1 and old != str(new):
            raw, changed_any = raw.replace(old, str(new)), True
    if not changed_any:
        return None
    return Fix(action=FixAction.REPLACE, reason=reason, new=raw)


def _scalar(value: object) -> bool:
    return isinstance(value, SCALAR_DIFF_TYPES) and not isinstance(value, bool) and str(value) != ""


def _comment(finding: Finding, comment: Comment) -> Comment:
    return Comment.PERCENT if finding.citation.raw.lstrip().startswith("@") else comment


# --- placing a fix in the text ----------------------------------------------------------------


def _place(
    text: str,
    citation: Citation,
    fix: Fix,
    cites: list[Citation],
    inline: list[Citation],
    comment: Comment,
) -> list[Edit]:
    """The edits of one fix in the text: the claim's first, then its in-text citations'."""
    is_entry = citation.kind is Kind.REFERENCE
    if fix.action is FixAction.REPLACE and fix.new is not None:
        edits = [Edit(citation.start, citation.end, fix.new)]
        if is_entry and fix.fields is not None:
            names = changed(citation.fields, fix.fields)
            edits += [e for c in cites if (e := _cite_update(c, fix.fields, names)) is not None]
        return edits
    if fix.action is FixAction.REMOVE:
        if not is_entry:
            return [cuts.link_cut(text, citation.start, citation.end)]
        start, end = cuts.entry_span(text, citation.start, citation.end)
        return [Edit(start, end), *cuts.citation_cuts(text, cites, inline)]
    if fix.action is FixAction.MARK:
        if not is_entry:
            return [Edit(citation.start, citation.end, fix.new or "")]
        start, end = cuts.entry_span(text, citation.start, citation.end)
        return [Edit(start, end, commented(text[start:end], fix.reason, comment))]
    return []


def _cite_update(cite: Citation, fields: Fields, names: list[str]) -> Edit | None:
    """An author-year citation made to agree with its corrected entry, in what the fix
    changed: its year, and the authors it names ("Smith & Lee" for an entry now by Smith
    and Lee alone, "Smith et al." for three or more)."""
    raw = cite.raw
    new = raw
    years = list(_YEAR_RE.finditer(raw))
    if "year" in names and fields.year is not None and years:
        year = years[-1]
        new = raw[: year.start()] + str(fields.year) + raw[year.end() :]
    names_end = _AUTHORS_END_RE.search(new)
    if "authors" in names and cite.fields.authors and fields.authors and names_end is not None:
        written = new[: names_end.start()]
        default = _IN_TEXT_JOINERS[1] if "(" in raw else _IN_TEXT_JOINERS[0]
        joiner = next((j for j in _IN_TEXT_JOINERS if j in written), default)
        wanted = namestyle.in_text(fields.authors, joiner)
        if wanted and _folded(wanted) != _folded(written):
            new = wanted + new[names_end.start() :]
    return Edit(cite.start, cite.end, new) if new != raw else None


def _folded(names: str) -> str:
    return " ".join(names.replace(",", " ").split()).lower()


def _inside_entry(citation: Citation, entries: list[Citation]) -> bool:
    """Whether an identifier is written inside one of the entries (a link is not: it is
    fixed alone, by its archived copy)."""
    if citation.kind in (Kind.REFERENCE, Kind.URL, Kind.INLINE):
        return False
    return any(e.start <= citation.start and citation.end <= e.end for e in entries)
