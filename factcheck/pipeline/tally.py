"""Counting output records into rates, overall and per group.

The tally reads the output records as written (plain dicts, `RecordResult.to_dict`), so that
a resumed run counts the records an earlier process wrote exactly as it counts its own.

What is counted, and why:
- **works**: identifiers (DOI, arXiv, PubMed, PMC, ISBN) and bibliography entries. An
  identifier written inside an entry is the same work as the entry, so it is counted through
  the entry only: otherwise every entry with a DOI would count twice.
- **links**: URLs. A dead link is a URL found `not_found` (404, 410, no such host).
- **in-text citations** are reported only when they have a problem, so they have no rate:
  their problems are counted.
- `unverifiable` claims are left out of the denominators of the fabricated, miscited and
  dead-link rates (nothing was learnt about them) and reported as their own share.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from pydantic import BaseModel

from ..model import Kind, Status
from .rates import Rate
from .records import RecordProblem

if TYPE_CHECKING:
    from .engine import RecordResult

WORK_KINDS = frozenset(
    kind.value for kind in (Kind.DOI, Kind.ARXIV, Kind.PMID, Kind.PMCID, Kind.ISBN, Kind.REFERENCE)
)
LINK_KINDS = frozenset({Kind.URL.value})
ENTRY_KIND = Kind.REFERENCE.value
INLINE_KIND = Kind.INLINE.value
STATUSES = tuple(status.value for status in Status)


class StatusCounts(BaseModel):
    """How many works or links have each status."""

    total: int = 0
    verified: int = 0
    mismatch: int = 0
    not_found: int = 0
    unverifiable: int = 0


class Rates(BaseModel):
    """The job's headline figures, each a `Rate` with its 95% interval."""

    fabricated: Rate
    miscited: Rate
    dead_links: Rate
    unverifiable: Rate
    records_with_fabrication: Rate


class GroupSummary(BaseModel):
    """The summary of a group of records (or of all): problems, status counts and rates."""

    records: int
    checked: int
    malformed: int
    missing_text: int
    extraction_failed: int
    works: StatusCounts
    links: StatusCounts
    inline_problems: int
    rates: Rates


# A record's claims sorted (`_classify`): the statuses of its works, of its links, and its
# number of in-text citation problems.
_Classified = tuple[Counter[str], Counter[str], int]


class _Claim(NamedTuple):
    """What the tally needs of a finding."""

    kind: str
    start: int
    end: int
    status: str


@dataclass
class _Counts:
    records: int = 0
    checked: int = 0
    problems: Counter[str] = field(default_factory=Counter)
    works: Counter[str] = field(default_factory=Counter)
    links: Counter[str] = field(default_factory=Counter)
    inline_problems: int = 0
    fabricating_records: int = 0

    def add(self, problem: str | None, claims: _Classified) -> None:
        """Count a record: its problem, or its claims as `_classify` sorted them."""
        self.records += 1
        if problem:
            self.problems[problem] += 1
            return
        self.checked += 1
        works, links, inline = claims
        self.works.update(works)
        self.links.update(links)
        self.inline_problems += inline
        self.fabricating_records += works[Status.NOT_FOUND.value] > 0

    def summary(self) -> GroupSummary:
        works, links = _status_counts(self.works), _status_counts(self.links)
        decided_works = works.total - works.unverifiable
        decided_links = links.total - links.unverifiable
        rates = Rates(
            fabricated=Rate.of_counts(works.not_found, decided_works),
            miscited=Rate.of_counts(works.mismatch, decided_works),
            dead_links=Rate.of_counts(links.not_found, decided_links),
            unverifiable=Rate.of_counts(
                works.unverifiable + links.unverifiable, works.total + links.total
            ),
            records_with_fabrication=Rate.of_counts(self.fabricating_records, self.checked),
        )
        return GroupSummary(
            records=self.records,
            checked=self.checked,
            malformed=self.problems[RecordProblem.MALFORMED.value],
            missing_text=self.problems[RecordProblem.MISSING_TEXT.value],
            extraction_failed=self.problems[RecordProblem.EXTRACTION_FAILED.value],
            works=works,
            links=links,
            inline_problems=self.inline_problems,
            rates=rates,
        )


class Tally:
    """Counts over every output record, and per group when records carry one."""

    def __init__(self) -> None:
        self._overall = _Counts()
        self._groups: dict[str, _Counts] = {}

    def add(self, record: Mapping[str, Any]) -> None:
        """Count one output record as written (a dict read back from the output)."""
        claims = [
            _Claim(
                f["citation"]["kind"],
                f["citation"]["start"],
                f["citation"]["end"],
                f["verdict"]["status"],
            )
            for f in record.get("findings") or []
        ]
        self._add(record.get("group"), record.get("problem"), claims)

    def add_result(self, result: RecordResult) -> None:
        """Count one RecordResult: the same as `add(result.to_dict())`, without the dict."""
        items = result.report.items if result.report is not None else []
        claims = [
            _Claim(f.citation.kind.value, f.citation.start, f.citation.end, f.verdict.status.value)
            for f in items
        ]
        self._add(result.group, result.problem, claims)

    def add_results(self, results: Iterable[RecordResult]) -> None:
        """Count each of `results`."""
        for result in results:
            self.add_result(result)

    def _add(self, group: str | None, problem: str | None, claims: list[_Claim]) -> None:
        classified = _classify(claims)
        self._overall.add(problem, classified)
        if group is not None:
            self._groups.setdefault(group, _Counts()).add(problem, classified)

    @property
    def records(self) -> int:
        """The number of records counted."""
        return self._overall.records

    def overall(self) -> GroupSummary:
        """The summary of every record counted."""
        return self._overall.summary()

    def groups(self) -> dict[str, GroupSummary]:
        """The summary of each group, by name."""
        return {name: counts.summary() for name, counts in sorted(self._groups.items())}


def _classify(claims: list[_Claim]) -> _Classified:
    """Statuses of the works and of the links among one record's findings, and its number
    of in-text citation problems."""
    entries = [(c.start, c.end) for c in claims if c.kind == ENTRY_KIND]
    works: Counter[str] = Counter()
    links: Counter[str] = Counter()
    inline = 0
    for claim in claims:
        if claim.kind in LINK_KINDS:
            links[claim.status] += 1
        elif claim.kind == ENTRY_KIND or (claim.kind in WORK_KINDS and not _inside(claim, entries)):
            works[claim.status] += 1
        elif claim.kind == INLINE_KIND:
            inline += 1
    return works, links, inline


def _inside(claim: _Claim, entries: list[tuple[int, int]]) -> bool:
    return any(start <= claim.start and claim.end <= end for start, end in entries)


def _status_counts(counts: Counter[str]) -> StatusCounts:
    return StatusCounts(total=sum(counts.values()), **{s: counts[s] for s in STATUSES})
