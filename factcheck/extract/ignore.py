"""Claims a user asked us not to check: inline markers, and a `.factcheckignore` file.

Some claims cannot or should not be checked: an intranet link, a DOI reserved for a paper
not yet published, a reference the author knows no index holds. Checking them only adds
noise, so they are dropped from the Extraction before anything is looked up, and are not
reported.

- In the text, `<!-- factcheck: ignore -->` (Markdown, HTML) or `% factcheck: ignore`
  (LaTeX, BibTeX) drops the next claim after it; a reference entry goes with every
  identifier and link inside it. Every claim inside a comment that starts with
  `factcheck:` is dropped too: `<!-- factcheck: … -->`, or a `% factcheck: …` line and the
  `%` lines right after it. That is how `factcheck fix` comments out a fabricated
  reference, which is then not checked again. `drop_marked` runs in `extract_all` and
  costs one substring test when a text has no marker.
- `.factcheckignore` (`config.ignore_file`; Config.load finds it from the working directory
  up, like the configuration file) holds one pattern per line, `#` starting a comment line:

      10.1234/abc               a DOI, any case; * and ? are wildcards: 10.1234/*
      doi:10.1234/abc           the same (https://doi.org/10.1234/abc too)
      arxiv:2101.00001          an arXiv id, any version unless the pattern names one
      pmid:123                  likewise pmcid:PMC123, isbn:978-0-00-000000-0
      https://intranet.example/*    a URL, with * and ? as wildcards
      re:^https?://[^/]*\\.internal/ a regular expression, searched in the claim's URL and
                                    in its text as written

  A `#` after a space starts a comment too. One pattern per line: a pattern other than a
  regular expression holds no spaces, so that two on one line are an error, not a pattern
  that never matches.

  A pattern matches a claim when it matches one of the claim's identifiers; a reference
  entry carries those written in it, so it is dropped along with them.
"""

from __future__ import annotations

import os
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError
from ..ids import IDENTIFIER_FIELDS, doi_after_link
from ..model import Citation, Extraction, Link

# Every marker holds this: a text without it skips the regular expression.
MARKER_HINT = "factcheck:"
_MARKER_RE = re.compile(r"<!--\s*factcheck:\s*ignore\s*-->|%[ \t]*factcheck:[ \t]*ignore\b")
# Text commented out under a factcheck note (`fixes.commented`): nothing in it is checked.
_COMMENTED_RE = re.compile(
    r"<!--[ \t]*factcheck:.*?-->|^[ \t]*%[ \t]*factcheck:[^\n]*(?:\n[ \t]*%[^\n]*)*",
    re.DOTALL | re.MULTILINE,
)

COMMENT = "#"
_TRAILING_COMMENT_RE = re.compile(r"\s+#")
_SPACE_RE = re.compile(r"\s")
REGEX_PREFIX = "re:"
_DOI_START = "10."
_URL_RE = re.compile(r"https?://", re.IGNORECASE)
# What an arXiv id may end with when its pattern names no version.
_ANY_ARXIV_VERSION = r"(?:v\d+)?"
_ARXIV_VERSION_RE = re.compile(r"v\d+$")
_ISBN_SEPARATORS = re.compile(r"[-\s]")
# The claim's text as written, for regular expressions; other names are Fields attributes.
RAW = "raw"


@dataclass(frozen=True)
class Pattern:
    """One line of an ignore file: the claim values it is tried on, and the test."""

    line: str
    values: tuple[str, ...]
    regex: re.Pattern[str]
    search: bool = False

    def matches(self, citation: Citation) -> bool:
        """Whether the pattern matches one of the claim's values (its identifiers, its URL or its
        text as written)."""
        for name in self.values:
            value = citation.raw if name == RAW else getattr(citation.fields, name)
            if not value:
                continue
            found = self.regex.search(value) if self.search else self.regex.fullmatch(value)
            if found:
                return True
        return False


@dataclass(frozen=True)
class IgnoreList:
    """The patterns of one ignore file (none: nothing is ignored)."""

    patterns: tuple[Pattern, ...] = ()

    @classmethod
    def read(cls, path: str | os.PathLike[str] | None) -> IgnoreList:
        """The patterns in `path`; an empty list for None. Raises ConfigError."""
        if path is None:
            return cls()
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"cannot read ignore file {path}: {exc}") from None
        return cls.parse(text, str(path))

    @classmethod
    def parse(cls, text: str, where: str = "ignore file") -> IgnoreList:
        """The patterns of an ignore file's text; ConfigError naming `where` and the line for one
        that cannot be read."""
        patterns = []
        for number, line in enumerate(text.splitlines(), start=1):
            line = _TRAILING_COMMENT_RE.split(line.strip(), maxsplit=1)[0]
            if line and not line.startswith(COMMENT):
                try:
                    patterns.append(parse_pattern(line))
                except ValueError as exc:
                    raise ConfigError(f"{where}:{number}: {exc}") from None
        return cls(tuple(patterns))

    def matches(self, citation: Citation) -> bool:
        """Whether any pattern matches the claim."""
        return any(pattern.matches(citation) for pattern in self.patterns)

    def apply(self, extraction: Extraction) -> Extraction:
        """`extraction` without the claims a pattern matches (itself when none does)."""
        if not self.patterns:
            return extraction
        return without(
            extraction, [i for i, c in enumerate(extraction.citations) if self.matches(c)]
        )


def parse_pattern(line: str) -> Pattern:
    """One pattern (see the module docstring). Raises ValueError for a line it cannot read."""
    if line.startswith(REGEX_PREFIX):
        try:
            regex = re.compile(line[len(REGEX_PREFIX) :])
        except re.error as exc:
            raise ValueError(f"bad regular expression {line!r}: {exc}") from None
        return Pattern(line, (RAW, "url"), regex, search=True)
    kind, colon, value = line.partition(":")
    # `kind:value` patterns: each is compared with the Fields attribute of that name.
    if colon and kind.lower() in IDENTIFIER_FIELDS:
        return _identifier(line, kind.lower(), value.strip())
    if (doi := doi_after_link(line)) is not None:
        return _identifier(line, "doi", doi)
    if _URL_RE.match(line):
        return Pattern(line, ("url",), re.compile(_glob(_one_word(line, line))))
    if line.startswith(_DOI_START):
        return _identifier(line, "doi", line)
    raise ValueError(
        f"cannot read {line!r}: write a DOI, kind:value (arxiv:, pmid:, …), a URL or re:regex"
    )


def _identifier(line: str, kind: str, value: str) -> Pattern:
    if not value:
        raise ValueError(f"no {kind} in {line!r}")
    if kind == "isbn":
        value = _ISBN_SEPARATORS.sub("", value)
    value = _one_word(line, value)
    suffix = _ANY_ARXIV_VERSION if kind == "arxiv" and not _ARXIV_VERSION_RE.search(value) else ""
    return Pattern(line, (kind,), re.compile(_glob(value) + suffix, re.IGNORECASE))


def _one_word(line: str, value: str) -> str:
    if _SPACE_RE.search(value):
        raise ValueError(f"spaces in {line!r}: write one pattern per line")
    return value


def _glob(pattern: str) -> str:
    """A regular expression for a pattern where * is any run of characters and ? any one;
    everything else, brackets included (DOIs hold them), stands for itself."""
    wildcards = {"*": ".*", "?": "."}
    return "".join(wildcards.get(char) or re.escape(char) for char in pattern)


def drop_marked(text: str, extraction: Extraction) -> Extraction:
    """`extraction` without the claim that follows each ignore marker in `text`, and
    without the claims inside comments that factcheck wrote."""
    if MARKER_HINT not in text:
        return extraction
    starts = [citation.start for citation in extraction.citations]
    marked = {bisect_left(starts, marker.end()) for marker in _MARKER_RE.finditer(text)}
    for comment in _COMMENTED_RE.finditer(text):
        # Every claim that starts inside the comment.
        marked.update(
            range(bisect_left(starts, comment.start()), bisect_left(starts, comment.end()))
        )
    return without(extraction, [i for i in marked if i < len(starts)])


def without(extraction: Extraction, dropped: Iterable[int]) -> Extraction:
    """`extraction` without the claims at these indices and those inside them (an entry's
    identifiers), and without the links that name any of them."""
    citations = extraction.citations
    gone = _with_insides(citations, set(dropped))
    if not gone:
        return extraction
    new_index = {
        old: new for new, old in enumerate(i for i in range(len(citations)) if i not in gone)
    }
    links = [
        _renumbered(row, new_index)
        for row in extraction.links
        if row.inline not in gone and row.reference not in gone
    ]
    kept = [citations[i] for i in sorted(new_index)]
    return extraction.model_copy(update={"citations": kept, "links": links})


def _with_insides(citations: list[Citation], outer: set[int]) -> set[int]:
    """The indices `outer` and those of the citations inside one of them. Only citations
    starting within an outer span can be inside it: they are found by bisection over the
    starts, since trying every citation for each of thousands of dropped ones is quadratic."""
    order = sorted(range(len(citations)), key=lambda i: citations[i].start)
    starts = [citations[i].start for i in order]
    found = set(outer)
    for index in outer:
        span = citations[index]
        within = order[bisect_left(starts, span.start) : bisect_right(starts, span.end)]
        found.update(i for i in within if _inside(citations[i], span))
    return found


def _inside(inner: Citation, outer: Citation) -> bool:
    return outer.start <= inner.start and inner.end <= outer.end


def _renumbered(row: Link, new_index: dict[int, int]) -> Link:
    return row.model_copy(
        update={
            "inline": None if row.inline is None else new_index[row.inline],
            "reference": None if row.reference is None else new_index[row.reference],
        }
    )
