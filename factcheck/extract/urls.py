"""Links in free text, aware of the markdown a language model writes around them.

Handled forms: bare URLs in prose, `[text](url)` and `[text](url "title")` (raw is
the URL only), `<url>` autolinks (raw excludes the angle brackets), and reference or
footnote definitions (`[1]: url`, `[^1]: url`).

Decisions:
- `www.example.com/path` without a scheme is extracted; `raw` is exactly what was
  written and `fields.url` gets an `https://` prefix, as a browser would try it.
- `ftp://`, `ftps://`, `sftp://` and `file:/...` links are extracted as Kind.URL with
  `fields.url` set, so that the checker can refuse them with a clear reason instead
  of silently ignoring a link the model made up. Other schemes (`mailto:`,
  `javascript:`, `redis://`) are not links to a cited source and are skipped.
- A link to doi.org, arXiv, PubMed or PMC becomes a claim of that identifier
  (see `classify_url`), with `fields.url` still holding the link.
"""

from __future__ import annotations

import re

from factcheck.extract.bounds import Bounds, unbounded
from factcheck.extract.identifiers import (
    BRACKETS_RE,
    PAIRS,
    PAIRS_WITH_ANGLE,
    STRIPPABLE,
    classify_url,
    token_end,
)
from factcheck.model import Citation

# Browsers and servers cap URLs around here; the bound keeps matching linear.
MAX_URL_LEN = 2048
DEFAULT_SCHEME = "https://"
# A scheme-less host must look like "www.example.org": at least this many dots.
MIN_WWW_HOST_DOTS = 2

# Not part of a URL: whitespace, controls, '"', '`', '|' (markdown tables), zero-width
# characters, and typographic quotes and CJK punctuation that prose puts around links.
_URL_CHAR = (
    r"[^\s\"`|\x00-\x1f\x7f\u200b-\u200d\u2060\ufeff“”‘’«»「」『』【】《》〈〉（）。，、；！？]"
)
_URL_RE = re.compile(rf"{_URL_CHAR}{{1,{MAX_URL_LEN}}}")
# Where a link may start. Each trigger is a literal that the engine finds fast; the
# scheme before "://" is checked afterwards, in a short window.
_SCHEME_SEPARATOR_RE = re.compile(r"://")
# A scheme must not continue an ASCII word ("xhttp://"); CJK text often runs straight
# into a link without a space, so other letters may precede it.
_SCHEME_BEFORE_RE = re.compile(r"(?<![A-Za-z0-9])(?:https?|ftps?|sftp)\Z", re.IGNORECASE)
SCHEME_LOOKBACK = len("https")
_FILE_RE = re.compile(r"file:/(?<![A-Za-z0-9]file:/)")
_WWW_RE = re.compile(r"www(?<![A-Za-z0-9_/.@:%-]www)\d{0,3}\.")
_DOI_HOST_RE = re.compile(r"https?://(?:dx\.|www\.)?doi\.org/", re.IGNORECASE)
_ANGLE_RE = re.compile(r"[<>]")
# Markdown and LaTeX escapes of punctuation that may appear inside a written URL.
_ESCAPE_RE = re.compile(r"\\([_%&#~$*()\[\]])")
_CLOSING = {"<": ">", "(": ")"}


def _opening_delimiter(text: str, start: int) -> str | None:
    """The markdown delimiter the URL at `start` was written inside, if any."""
    if start and text[start - 1] == "<":
        return "<"
    if text.endswith("](", 0, start):
        return "("
    return None


def _url_length(text: str, start: int, token: str) -> int:
    """How much of the matched `token` is the URL.

    Angle brackets never belong to a URL, except balanced inside a DOI link (SICI
    DOIs). An explicitly delimited URL (`<url>`, `](url)`) ends at its delimiter and
    keeps trailing punctuation; a bare one loses it to the sentence.
    """
    delimiter = _opening_delimiter(text, start)
    if delimiter is None and not BRACKETS_RE.search(token):
        return len(token.rstrip(STRIPPABLE))
    doi_link = _DOI_HOST_RE.match(token) is not None
    if not doi_link and (angle := _ANGLE_RE.search(token)):
        token = token[: angle.start()]
    length = token_end(token, PAIRS_WITH_ANGLE if doi_link else PAIRS, strip=False)
    if delimiter and text.startswith(_CLOSING[delimiter], start + length):
        return length
    return token_end(token[:length], PAIRS)


def _has_host(raw: str, scheme_less: bool) -> bool:
    """Whether a host or path follows the scheme (`https://` alone is not a link)."""
    if scheme_less:
        return raw.split("/", 1)[0].count(".") >= MIN_WWW_HOST_DOTS
    return raw.partition(":")[2].lstrip("/") != ""


def _normalise(raw: str, scheme_less: bool) -> str:
    """The URL to fetch for what was written: escapes undone, a scheme added."""
    url = _ESCAPE_RE.sub(r"\1", raw) if "\\" in raw else raw
    return DEFAULT_SCHEME + url if scheme_less else url


def _link_starts(text: str, bounds: Bounds) -> list[tuple[int, bool]]:
    """Where links may start, in order, each with whether it lacks a scheme."""
    starts = [(match.start(), False) for match in bounds.matches(_FILE_RE.finditer(text))]
    starts += [(match.start(), True) for match in bounds.matches(_WWW_RE.finditer(text))]
    for separator in _SCHEME_SEPARATOR_RE.finditer(text):
        lookback = max(0, separator.start() - SCHEME_LOOKBACK)
        if bounds.passed(lookback):
            break
        scheme = _SCHEME_BEFORE_RE.search(text, lookback, separator.start())
        if scheme is not None:
            starts.append((scheme.start(), False))
    return sorted(starts)


def find_urls(text: str, bounds: Bounds | None = None) -> list[Citation]:
    """Every link in `text`, as a Citation of the kind the link points at (up to where
    `bounds` stops the reading)."""
    bounds = unbounded(bounds)
    found: list[Citation] = []
    covered = 0
    for start, scheme_less in _link_starts(text, bounds):
        if bounds.passed(start):
            break
        if start < covered or (match := _URL_RE.match(text, start)) is None:
            continue
        end = start + _url_length(text, start, match.group())
        raw = text[start:end]
        if _has_host(raw, scheme_less):
            if bounds.full(len(found), start):
                break
            covered = end
            kind, fields = classify_url(_normalise(raw, scheme_less))
            found.append(Citation(kind=kind, raw=raw, start=start, end=end, fields=fields))
    return found
