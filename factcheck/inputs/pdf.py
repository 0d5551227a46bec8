"""PDF documents: their text layer, read page by page with pypdfium2 (Apache/BSD licensed).

Each page's text is read in reading order: a page whose text runs sit in two columns (left
and right of the middle, few runs crossing it) is read as the band above the columns, the
left column, the right column, then the band below; any other page as a whole. Then:
- a word hyphenated at a line's end is joined (pdfium marks such hyphens), the rest of the
  next line staying on its own line so that line numbers hold;
- running headers and footers (a first or last line repeated, digits aside, on most pages)
  and page numbers are removed;
- every kept line is a `Segment` of the Document's `places`: page and line on that page.

Encrypted, scanned (no text layer) and broken files are each refused with one InputError.
Limits: a page over MAX_PDF_PAGES is not read (a warning says so); a text that spans both
columns inside the column band (a wide figure caption) is cut at the middle.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import InputError
from . import Document, Places, Segment

if TYPE_CHECKING:
    from pypdfium2 import PdfTextPage

MAX_PDF_PAGES = 2000
# Compressed streams make text far larger than the file: reading stops at this many characters.
MAX_PDF_CHARS = 10_000_000
# Pages named in a warning about pages without text; the rest are counted only.
MAX_LISTED_PAGES = 20
# Runs crossing the page's middle, within the column band, that a two-column page may have.
MAX_SPANNING_SHARE = 0.2
# Runs each side needs before a page counts as two columns.
MIN_COLUMN_RUNS = 3
# How far past the middle (points) a column's run may reach, and still be that column's.
GUTTER_SLACK = 4.0
# A first or last line found (digits aside) on at least this share of pages is a running
# header or footer; only the lines this close to a page's top or bottom are candidates.
RUNNING_SHARE = 0.5
RUNNING_DEPTH = 2
# ... and on at least this many pages: a line alone on its page repeats nothing.
MIN_RUNNING_PAGES = 2
# pdfium writes a hyphen that breaks a word at a line's end as one of these.
SOFT_HYPHENS = ("\x02", "\ufffe")
_LINE_BREAK_RE = re.compile(r"\r\n|\r|\n")
_DIGITS_RE = re.compile(r"\d+")
_PAGE_NUMBER_RE = re.compile(r"(?:page\s+)?\d{1,4}(?:\s*(?:/|of)\s*\d{1,4})?", re.IGNORECASE)
_HYPHENATED_RE = re.compile(r"[^\W\d_]-\Z")
_CONTINUES_RE = re.compile(r"([^\W\d_]*[a-z][^\W\d_]*)(\s*)")

NO_TEXT = (
    "{path}: the PDF has no text layer (a scan?); run OCR on it first (e.g. ocrmypdf) and "
    "check the result"
)


@dataclass
class _Line:
    page: int
    line: int
    text: str


def pdf_document(path: str, data: bytes) -> Document:
    """The text of a PDF given as bytes, with page and line of every line (see module)."""
    pdfium = _pdfium(path)
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise InputError(_open_error(path, exc)) from exc
    warnings = []
    try:
        count = len(pdf)
        if count > MAX_PDF_PAGES:
            warnings.append(f"{path}: only the first {MAX_PDF_PAGES} of {count} pages were read")
        pages = _pages(pdf, path, min(count, MAX_PDF_PAGES), warnings)
    except pdfium.PdfiumError as exc:
        raise InputError(f"{path}: the PDF is broken and cannot be read ({exc})") from exc
    finally:
        pdf.close()
    lines = _without_running_lines(pages)
    if not any(line.text.strip() for line in lines):
        raise InputError(NO_TEXT.format(path=path))
    blank = [str(n) for n, page in enumerate(pages, start=1) if not any(t.strip() for t in page)]
    if blank:
        warnings.append(
            f"{path}: page(s) {', '.join(blank[:MAX_LISTED_PAGES])} have no text layer "
            "(scanned?); their references, if any, were not read"
        )
    text, segments = _joined(lines)
    return Document(path, text, warnings, places=Places(text, segments))


def read_pdf(path: str) -> Document:
    """Read the PDF at `path` into a Document (InputError if it cannot be read)."""
    from . import read_bytes

    return pdf_document(path, read_bytes(path))


def _pages(pdf: Any, path: str, count: int, warnings: list[str]) -> list[list[str]]:
    """The lines of the first `count` pages, until MAX_PDF_CHARS of text were read."""
    pages: list[list[str]] = []
    size = 0
    for index in range(count):
        lines = _page_lines(pdf, index)
        size += sum(len(line) + 1 for line in lines)
        if size > MAX_PDF_CHARS:
            warnings.append(
                f"{path}: only the first {index} pages were read ({MAX_PDF_CHARS} characters)"
            )
            break
        pages.append(lines)
    return pages


def _pdfium(path: str) -> Any:
    try:
        import pypdfium2
    except ImportError as exc:
        raise InputError(
            f"{path}: reading PDF needs pypdfium2: pip install 'factcheck[pdf]'"
        ) from exc
    return pypdfium2


def _open_error(path: str, exc: Exception) -> str:
    message = str(exc).lower()
    if "password" in message:
        return f"{path}: the PDF is encrypted; give a copy without a password"
    return f"{path}: not a readable PDF ({exc})"


def _page_lines(pdf: Any, index: int) -> list[str]:
    """The lines of page `index` in reading order, hyphenated words joined."""
    page = pdf[index]
    try:
        textpage = page.get_textpage()
        try:
            width, height = page.get_size()
            chunks = [textpage.get_text_bounded(*box) for box in _regions(textpage, width, height)]
        finally:
            textpage.close()
    finally:
        page.close()
    lines: list[str] = []
    for chunk in chunks:
        lines.extend(_dehyphenated(_LINE_BREAK_RE.split(chunk)))
    return lines


def _regions(
    textpage: PdfTextPage, width: float, height: float
) -> list[tuple[float, float, float, float]]:
    """The page's boxes (left, bottom, right, top) in reading order: the whole page, or for
    two columns the band above them, each column, and the band below."""
    runs = [textpage.get_rect(i) for i in range(textpage.count_rects())]
    middle = width / 2
    left = [r for r in runs if r[2] <= middle + GUTTER_SLACK]
    right = [r for r in runs if r[0] >= middle - GUTTER_SLACK and r[2] > middle + GUTTER_SLACK]
    if len(left) < MIN_COLUMN_RUNS or len(right) < MIN_COLUMN_RUNS:
        return [(0, 0, width, height)]
    top = max(r[3] for r in left + right)
    bottom = min(r[1] for r in left + right)
    spanning = [r for r in runs if r[0] < middle - GUTTER_SLACK and r[2] > middle + GUTTER_SLACK]
    inside = [r for r in spanning if r[1] < top and r[3] > bottom]
    if len(inside) > MAX_SPANNING_SHARE * len(runs):
        return [(0, 0, width, height)]
    above = [r[1] for r in spanning if r[1] >= top]
    below = [r[3] for r in spanning if r[3] <= bottom]
    band_top = min(above, default=top) if above else top
    band_bottom = max(below, default=bottom) if below else bottom
    return [
        (0, band_top, width, height),
        (0, band_bottom, middle, band_top),
        (middle, band_bottom, width, band_top),
        (0, 0, width, band_bottom),
    ]


def _dehyphenated(lines: list[str]) -> list[str]:
    """Lines with each word broken at a line's end joined on the first line; the rest of the
    second line stays a line of its own (perhaps empty), so lines keep their numbers.

    pdfium removes the break after a hyphen it recognises and leaves a soft-hyphen mark;
    a plain "-" at a line's end followed by a lower-case word is joined too."""
    out: list[str] = []
    for line in lines:
        for mark in SOFT_HYPHENS:
            while mark in line:
                head, _, tail = line.partition(mark)
                word = _CONTINUES_RE.match(tail)
                moved = word.end() if word else 0
                out.append(head + tail[: word.end(1) if word else 0])
                line = tail[moved:]
        word = _CONTINUES_RE.match(line) if line[:1].islower() else None
        if out and word is not None and _HYPHENATED_RE.search(out[-1]):
            out[-1] = out[-1][:-1] + word.group(1)
            line = line[word.end() :]
        out.append(line)
    return out


def _without_running_lines(pages: list[list[str]]) -> list[_Line]:
    """Every line with its page and line numbers, without running headers, footers and
    page numbers."""
    edges: Counter[str] = Counter()
    for lines in pages:
        edges.update({_shape(lines[i]) for i in _edge_lines(lines)})
    running = {
        shape
        for shape, count in edges.items()
        if shape and count >= max(MIN_RUNNING_PAGES, RUNNING_SHARE * len(pages))
    }
    kept = []
    for page_number, lines in enumerate(pages, start=1):
        edge = _edge_lines(lines)
        for index, line in enumerate(lines):
            if index in edge and (
                _shape(line) in running or _PAGE_NUMBER_RE.fullmatch(line.strip())
            ):
                continue
            kept.append(_Line(page_number, index + 1, line))
    return kept


def _edge_lines(lines: list[str]) -> set[int]:
    """The indices of the first and last RUNNING_DEPTH non-blank lines of a page."""
    filled = [index for index, line in enumerate(lines) if line.strip()]
    return {*filled[:RUNNING_DEPTH], *filled[-RUNNING_DEPTH:]}


def _shape(line: str) -> str:
    """A line with its numbers blanked, so that "Page 3" and "Page 4" repeat."""
    return _DIGITS_RE.sub("#", " ".join(line.split()))


def _joined(lines: list[_Line]) -> tuple[str, list[Segment]]:
    """The text (a blank line between pages) and one segment per line."""
    parts: list[str] = []
    segments: list[Segment] = []
    offset = 0
    page = None
    for line in lines:
        if page is not None and line.page != page:
            parts.append("\n")
            offset += 1
        page = line.page
        segments.append(Segment(start=offset, line=line.line, page=line.page))
        parts.append(line.text + "\n")
        offset += len(line.text) + 1
    return "".join(parts), segments
