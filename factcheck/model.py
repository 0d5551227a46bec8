"""Typed models that cross layers: what was claimed, what was found, and the verdict.

Everything that leaves one layer for another is one of these pydantic models, so a
Report serialises to the JSON contract (docs/reports.md, "JSON output") and reads back unchanged.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from enum import Enum
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    computed_field,
)

from .flags import UNPARSED
from .ids import IDENTIFIER_FIELDS
from .normalize import ascii_lower


class ValueEnum(str, Enum):
    """A string enum that prints as its value: `print(Status.VERIFIED)` and f-strings show
    `verified`, as the JSON does, not `Status.VERIFIED`. (`enum.StrEnum` does this from
    Python 3.11; factcheck supports 3.10.)"""

    def __str__(self) -> str:
        return str(self.value)

    def __format__(self, spec: str) -> str:
        return format(str(self.value), spec)


class Kind(ValueEnum):
    """What sort of claim a Citation is."""

    DOI = "doi"
    ARXIV = "arxiv"
    PMID = "pmid"
    PMCID = "pmcid"
    ISBN = "isbn"
    URL = "url"
    REFERENCE = "reference"
    INLINE = "inline"


class Status(ValueEnum):
    """The four verdicts. Their meanings are a contract: docs/verdicts.md."""

    VERIFIED = "verified"
    MISMATCH = "mismatch"
    NOT_FOUND = "not_found"
    UNVERIFIABLE = "unverifiable"


# Between status names given as one string: "not_found,mismatch".
STATUS_SEPARATOR = ","


def parse_statuses(value: Status | str | Iterable[Status | str]) -> list[Status]:
    """Statuses as `fail_on` is given everywhere: one name, comma-separated names
    ("not_found,mismatch") or a list of names or Statuses. Raises ValueError naming the
    valid statuses (a string is not taken for the list of its letters)."""
    names = value.split(STATUS_SEPARATOR) if isinstance(value, str) else list(value)
    statuses = []
    for name in names:
        if isinstance(name, str) and not name.strip():
            continue
        try:
            statuses.append(Status(name.strip() if isinstance(name, str) else name))
        except ValueError:
            known = ", ".join(s.value for s in Status)
            raise ValueError(f"unknown status {name!r}: the statuses are {known}") from None
    return statuses


# Identifier kinds, each named like its Fields attribute, in order of preference.
IDENTIFIER_KINDS = tuple(Kind(name) for name in IDENTIFIER_FIELDS)


class Author(BaseModel):
    """A person (`family`, `given`) or an organisation (`name`)."""

    model_config = ConfigDict(extra="forbid")

    family: str | None = None
    given: str | None = None
    name: str | None = None

    def display(self) -> str:
        """The author as a person reads it: the name, or "Family, Given"."""
        if self.name:
            return self.name
        return ", ".join(part for part in (self.family, self.given) if part)


class Fields(BaseModel):
    """Bibliographic fields, as claimed by a text or as held by a source."""

    title: str | None = None
    authors: list[Author] = Field(default_factory=list)
    year: int | None = None
    container: str | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    publisher: str | None = None
    doi: str | None = None
    url: str | None = None
    arxiv: str | None = None
    pmid: str | None = None
    pmcid: str | None = None
    isbn: str | None = None
    type: str | None = None
    # Other names a source gives the venue: a short title ("Proc Natl Acad Sci USA"), the
    # event's name and acronym ("CCS '24"), a book's series. Claims leave it empty.
    container_aliases: list[str] = Field(default_factory=list)

    def identifier(self) -> tuple[Kind, str] | None:
        """The identifier these fields carry, the most useful first (DOI, arXiv, PubMed, ISBN)."""
        for kind in IDENTIFIER_KINDS:
            value = getattr(self, kind.value)
            if value:
                return kind, value
        return None

    def claimed(self) -> dict[str, Any]:
        """The fields that carry a value, for output and comparison."""
        return self.model_dump(exclude_defaults=True)


class Location(BaseModel):
    """Where a claim stands in the document it was read from, when that is not a plain text:
    the page of a PDF, or the file of a LaTeX project; `line` counts within that page or file
    (1-based). Set by `factcheck.inputs.place` after checking."""

    page: int | None = None
    file: str | None = None
    line: int

    def __str__(self) -> str:
        where = f"page {self.page}, " if self.page is not None else ""
        if self.file is not None:
            where += f"{self.file}, "
        return f"{where}line {self.line}"


def _unknown(value: object) -> bool:
    return value is None


class Citation(BaseModel):
    """One claim found in a text: `text[start:end] == raw`."""

    kind: Kind
    raw: str
    start: int
    end: int
    fields: Fields = Field(default_factory=Fields)
    # The rest of the line or entry the claim sits in, without the claim itself: lets
    # the judge see a title or authors written next to an identifier.
    context: str | None = None
    # What links in-text citations and entries: "3" for "[3]", a BibTeX key, or for an
    # author-year citation "Smith 2020a".
    label: str | None = None
    # Page and line (PDF) or file and line (LaTeX) in the document the text was read from.
    # Left out of the JSON when unknown, so plain texts serialise as they always have.
    # (A field's own `exclude_if`, not a model serializer: that would send every claim
    # through Python when it is written, at twice the cost.)
    location: Location | None = Field(default=None, exclude_if=_unknown)

    @property
    def key(self) -> str:
        """Identity of what gets looked up: the same identifier twice is resolved once.

        Identifiers compare case-insensitively, in ASCII letters only (as DOIs do): a
        look-alike such as the Kelvin sign "K" is another identifier, not "k"; URLs are
        case-sensitive past the host.
        """
        ident = (
            self.fields.doi
            or self.fields.arxiv
            or self.fields.pmid
            or self.fields.pmcid
            or self.fields.isbn
            or self.fields.url
            or self.raw
        )
        if self.kind is Kind.REFERENCE:
            ident = self.raw
        elif self.kind is not Kind.URL:
            ident = ascii_lower(ident)
        return f"{self.kind.value}:{ident}"


class Link(BaseModel):
    """An in-text citation's link to a bibliography entry, or a problem between them.

    Indices point into the list of citations the link was found in. `problem` is
    `no_entry` (cited, but no entry fits), `uncited` (an entry nobody cites),
    `year_mismatch` or `author_mismatch`.
    """

    inline: int | None
    reference: int | None
    problem: str | None = None
    detail: str | None = None


class Unread(BaseModel):
    """The end of a text that extraction did not read, `text[start:end] == raw`: the check's
    deadline passed first (`cause` "deadline"), or the text holds more claims than one check
    takes (`max_references`; cause "limit"). Whatever it claims goes unchecked, and the
    report says so in one item."""

    start: int
    end: int
    raw: str
    cause: Literal["deadline", "limit"]


class Extraction(BaseModel):
    """Everything extracted from one text: the claims, how they refer to each other, and
    the part of the text left unread, if any."""

    citations: list[Citation] = Field(default_factory=list)
    links: list[Link] = Field(default_factory=list)
    unread: Unread | None = None


class Notice(BaseModel):
    """A notice the registry links to a work as updating it (a retraction, an expression of
    concern): its kind, its date, and where to read it. Crossref carries the publishers'
    notices and, since 2023, Retraction Watch's (`source` "retraction-watch")."""

    kind: str
    # As precise as the registry gives it: "2010-02-06", "2010-02" or "2010".
    date: str | None = None
    doi: str | None = None
    url: str | None = None
    # Who recorded the notice: "publisher", "retraction-watch", ...
    source: str | None = None


class Record(BaseModel):
    """What a source holds about a work or a page."""

    source: str
    id: str
    fields: Fields = Field(default_factory=Fields)
    url: str | None = None
    flags: list[str] = Field(default_factory=list)
    # The notices that update the work (its retraction, with date and link), where the source
    # carries them.
    notices: list[Notice] = Field(default_factory=list)
    # HTTP facts for web pages: final URL, status, redirect chain.
    http: dict[str, Any] = Field(default_factory=dict)


class FieldDiff(BaseModel):
    """One field on which the claim and the record differ.

    `severity` says whether the difference would mislead a reader: "alarm" (another work, or
    a wrong claim about it: the verdict is `mismatch`) or "note" (a slip that leaves the work
    unmistakable, such as a page one off or the preprint cited for the published version:
    reported on a `verified` verdict unless the check is strict)."""

    field: str
    claimed: Any = None
    found: Any = None
    suggestion: Any = None
    severity: Literal["alarm", "note"] = "alarm"


class Verdict(BaseModel):
    """What the sources say about one claim: its status, how sure (`confidence`), a `reason` a
    person can act on, the `source` that decided, the best `record` found, the fields that differ
    (`diffs`) and `flags`."""

    status: Status
    confidence: float = Field(ge=0.0, le=1.0)
    reason: str
    source: str | None = None
    record: Record | None = None
    diffs: list[FieldDiff] = Field(default_factory=list)
    flags: list[str] = Field(default_factory=list)


class Finding(BaseModel):
    """One claim of a text and its verdict (and, with `--suggest`, its fix)."""

    citation: Citation
    verdict: Verdict
    # Only on request (`factcheck check --suggest`, `factcheck.report.suggest.add_suggestions`): the
    # reference rewritten from the record found, and an archived copy of a dead link.
    suggestion: str | None = None
    archived_url: str | None = None


class Summary(BaseModel):
    """Counts per status, and per kind, of a list of findings; `unparsed` counts the
    entries that could not be read (flag UNPARSED, also counted as unverifiable)."""

    total: int = 0
    verified: int = 0
    mismatch: int = 0
    not_found: int = 0
    unverifiable: int = 0
    unparsed: int = 0
    by_kind: dict[str, int] = Field(default_factory=dict)

    @classmethod
    def of(cls, findings: list[Finding]) -> Summary:
        """The counts of these findings. (The members are counted, then named: reading an
        enum member's value costs more than counting it, and a report's summary is written
        with every record of a job.)"""
        statuses = Counter([f.verdict.status for f in findings])
        kinds = Counter([f.citation.kind for f in findings])
        unparsed = sum(UNPARSED in f.verdict.flags for f in findings)
        return cls(
            total=len(findings),
            by_kind={kind.value: count for kind, count in kinds.items()},
            unparsed=unparsed,
            **{status.value: count for status, count in statuses.items()},
        )

    def merge(self, other: Summary) -> Summary:
        """These counts and `other`'s together (a summary over several files)."""
        kinds = Counter(self.by_kind) + Counter(other.by_kind)
        counts = {
            name: getattr(self, name) + getattr(other, name)
            for name in ("total", *(s.value for s in Status), "unparsed")
        }
        return Summary(by_kind=dict(kinds), **counts)


class Report(BaseModel):
    """The findings for one text. `ok` is False when any finding's status is in `fail_on`,
    or when the text could not be checked at all: then `error` says why (a missing file, a
    text over `max_text_chars`) and there are no items."""

    path: str | None = None
    items: list[Finding] = Field(default_factory=list)
    fail_on: list[Status] = Field(default_factory=lambda: [Status.NOT_FOUND, Status.MISMATCH])
    error: str | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def summary(self) -> Summary:
        """The counts of the findings, per status and kind."""
        return Summary.of(self.items)

    @property
    def ok(self) -> bool:
        """False when a finding's status is in `fail_on`, or the text could not be checked."""
        return self.error is None and not any(f.verdict.status in self.fail_on for f in self.items)

    def failures(self) -> list[Finding]:
        """The findings whose status is in `fail_on`."""
        return [f for f in self.items if f.verdict.status in self.fail_on]
