"""`factcheck.fix_text`: a checked text, corrected. What `factcheck fix` runs on each file.

    >>> result = factcheck.fix_text(open("refs.bib").read(), path="refs.bib")  # doctest: +SKIP
    >>> print(result.summary())                                                # doctest: +SKIP
    refs.bib: 2 corrected, 1 commented out, 1 left as is

Every failing claim gets the fix `fixes.plan` decides, in the text's own format:
- a mismatched entry is rewritten from the work it cites (a BibTeX entry keeps its key,
  type and other fields; a reference-list entry keeps its list marker and style);
- a likely fabricated reference is commented out with the reason (`%` in BibTeX and
  LaTeX, `<!-- -->` elsewhere), or removed with its in-text citations
  (`fabricated="remove"`); factcheck does not check a commented-out claim again;
- a claim with no better version known is left as it is, and said so.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from ..model import Citation, Report, Status
from .decide import WITH_ITS_ENTRY, Comment, Fabricated, FixAction, plan
from .edits import apply

if TYPE_CHECKING:
    from ..checker import Checker

# Files whose comments are `%` lines: a fabricated entry is commented out that way.
PERCENT_COMMENT_SUFFIXES = frozenset({".bib", ".bibtex", ".tex", ".ltx", ".sty", ".bbl"})
DEFAULT_FAIL_ON = (Status.NOT_FOUND, Status.MISMATCH)
# How a change is named in the summary, by action.
ACTION_LABELS = {
    FixAction.REPLACE: "corrected",
    FixAction.REMOVE: "removed",
    FixAction.MARK: "commented out",
    FixAction.NONE: "left as is",
}
MAX_SHOWN_CLAIM = 60
# A BibTeX entry's label is its key after "@" (as pandoc cites it).
BIBTEX_LABEL = "@"
UNNAMED = "<text>"


class Change(BaseModel):
    """One failing claim and what its fix did (or why it did nothing)."""

    action: FixAction
    line: int
    claim: str
    reason: str


class FixResult(BaseModel):
    """A text, its check, and the text fixed. `fixed == text` when nothing changed."""

    path: str | None = None
    text: str
    fixed: str
    changes: list[Change] = Field(default_factory=list)
    report: Report

    @property
    def changed(self) -> bool:
        """Whether the fixed text differs from the text."""
        return self.fixed != self.text

    @property
    def unfixed(self) -> list[Change]:
        """The failing claims left as they were: what a check of `fixed` still flags."""
        return [c for c in self.changes if c.action is FixAction.NONE]

    def diff(self) -> str:
        """A unified diff from `text` to `fixed` (empty when nothing changed)."""
        name = self.path or UNNAMED
        relative = not PurePath(name).is_absolute()
        lines = difflib.unified_diff(
            self.text.splitlines(keepends=True),
            self.fixed.splitlines(keepends=True),
            fromfile=f"a/{name}" if relative else name,
            tofile=f"b/{name}" if relative else name,
        )
        return "".join(line if line.endswith("\n") else line + "\n" for line in lines)

    def summary(self) -> str:
        """One line of counts, then one line per change: where, what, and why."""
        name = self.path or UNNAMED
        if not self.changes:
            return f"{name}: nothing to fix"
        counts: dict[FixAction, int] = {}
        for change in self.changes:
            counts[change.action] = counts.get(change.action, 0) + 1
        totals = ", ".join(
            f"{counts[action]} {ACTION_LABELS[action]}" for action in FixAction if action in counts
        )
        lines = [f"{name}: {totals}"]
        for change in self.changes:
            claim = _clip(" ".join(change.claim.split()))
            lines.append(
                f"  line {change.line}: {ACTION_LABELS[change.action]}: {claim}: {change.reason}"
            )
        return "\n".join(lines)


def fix_text(
    text: str,
    *,
    checker: Checker | None = None,
    path: str | None = None,
    fabricated: Fabricated | str = Fabricated.MARK,
    fail_on: Iterable[Status | str] = DEFAULT_FAIL_ON,
    comment: Comment | str | None = None,
    **overrides: Any,
) -> FixResult:
    """Check `text` and fix every claim whose status is in `fail_on`.

    `checker`: the Checker to check with (else one is built from the configuration and
    `overrides`, and closed after). `path` names the text in the result and, by its
    suffix, chooses how a fabricated reference is commented out (`comment`, else `%` for
    .bib and .tex files, `<!-- -->` for the rest). `fabricated`: `mark` comments a likely
    fabricated reference out with the reason (default), `remove` takes it out with its
    in-text citations."""
    statuses = [Status(s) for s in fail_on]
    style = Comment(comment) if comment is not None else comment_for(path)
    if checker is None:
        from ..checker import Checker

        with Checker(**overrides) as own:
            report = own.check(text, path=path, fail_on=statuses)
    else:
        report = checker.check(text, path=path, fail_on=statuses)
    placed = plan(text, report, fabricated=Fabricated(fabricated), comment=style)
    fixed = apply(text, placed.edits)
    kept = set(placed.edits)
    changes = [
        Change(
            action=fix.action,
            line=text.count("\n", 0, finding.citation.start) + 1,
            claim=_claim_name(finding.citation),
            reason=fix.reason,
        )
        for finding, fix in placed.fixes
        # Not listed: identifiers fixed with their entry, and fixes another one made (an
        # in-text citation's year, set by its entry's correction or cut with its entry).
        if fix.reason != WITH_ITS_ENTRY and (fix.action is FixAction.NONE or set(fix.edits) & kept)
    ]
    return FixResult(path=path, text=text, fixed=fixed, changes=changes, report=report)


def comment_for(path: str | None) -> Comment:
    """`%` comments for BibTeX and LaTeX files, `<!-- -->` for anything else."""
    suffix = PurePath(path).suffix.lower() if path else ""
    return Comment.PERCENT if suffix in PERCENT_COMMENT_SUFFIXES else Comment.HTML


def _claim_name(citation: Citation) -> str:
    """How the summary names a claim: a BibTeX entry by its key, anything else as written."""
    label = citation.label or ""
    return label[1:] if label.startswith(BIBTEX_LABEL) else citation.raw


def _clip(text: str) -> str:
    return text if len(text) <= MAX_SHOWN_CLAIM else text[: MAX_SHOWN_CLAIM - 1] + "…"
