"""References written in a style: APA 7 for a corrected free-text reference, BibTeX for a
corrected entry, and the pieces the rewriter (`rewrite.py`) uses to keep an entry's own style.

No I/O and no decisions: what to write comes from `decide.py`; this module only writes it.
"""

from __future__ import annotations

import re
from enum import Enum

from ..compare.fields import is_preprint
from ..ids import work_link
from ..model import Author, Fields

# --- APA 7 ------------------------------------------------------------------------------------
# APA 7 names up to 20 authors; past that the first 19, an ellipsis, and the last.
APA_MAX_AUTHORS = 20
APA_ELLIPSIS = ". . ."
APA_NO_DATE = "n.d."
EN_DASH = "–"
SENTENCE_ENDS = (".", "?", "!")

# --- BibTeX -----------------------------------------------------------------------------------
# The BibTeX entry type for a record's type (CSL and Crossref names alike); a type not listed
# keeps the entry's own.
BIBTEX_TYPES = {
    "article-journal": "article",
    "journal-article": "article",
    "paper-conference": "inproceedings",
    "proceedings-article": "inproceedings",
    "chapter": "incollection",
    "book-chapter": "incollection",
    "book": "book",
    "monograph": "book",
    "edited-book": "book",
    "report": "techreport",
    "thesis": "phdthesis",
    "dissertation": "phdthesis",
    "posted-content": "misc",
    "preprint": "misc",
}
# Which BibTeX field holds the container, per entry type.
BIBTEX_CONTAINER_FIELDS = {
    "article": "journal",
    "inproceedings": "booktitle",
    "incollection": "booktitle",
    "inbook": "booktitle",
}
BIBTEX_OTHER_CONTAINER = "howpublished"
BIBTEX_INDENT = "  "
ARXIV_PREFIX = "arXiv"
# Characters with a meaning in LaTeX, written so that they print as themselves.
_LATEX_ESCAPES = str.maketrans(
    {
        "\\": r"\textbackslash{}",
        "{": r"\{",
        "}": r"\}",
        "&": r"\&",
        "%": r"\%",
        "$": r"\$",
        "#": r"\#",
        "_": r"\_",
        "~": r"\textasciitilde{}",
        "^": r"\textasciicircum{}",
    }
)
# Identifiers and URLs are written verbatim; braces would unbalance the entry.
_VERBATIM_DROPPED = str.maketrans("", "", "{}")
_PAGE_RANGE = re.compile(r"\s*(?:-{1,3}|–|—)\s*")
_NAME_PART = re.compile(r"[^\s.]+")


class Form(str, Enum):
    """How a reference's source part is written: in a journal, in a book or proceedings, a
    book itself, or a preprint."""

    ARTICLE = "article"
    IN_BOOK = "in_book"
    BOOK = "book"
    PREPRINT = "preprint"


IN_BOOK_TYPES = frozenset(
    {"chapter", "book-chapter", "paper-conference", "proceedings-article", "entry-encyclopedia"}
)
BOOK_TYPES = frozenset(
    {"book", "monograph", "edited-book", "reference-book", "report", "thesis", "dissertation"}
)


# --- APA 7 ------------------------------------------------------------------------------------


def apa(fields: Fields) -> str:
    """An APA 7 reference: authors, (year), title, source, link. Plain text (no italics)."""
    title = _sentence(fields.title or "")
    authors = _apa_authors(fields.authors)
    date = f"({fields.year or APA_NO_DATE})."
    parts = [authors, date, title] if authors else [title, date]
    parts += [_apa_source(fields), _link(fields)]
    return " ".join(part for part in parts if part)


def _apa_authors(authors: list[Author]) -> str:
    names = [_apa_name(a) for a in authors]
    names = [n for n in names if n]
    if not names:
        return ""
    if len(names) == 1:
        listed = names[0]
    elif len(names) > APA_MAX_AUTHORS:
        listed = ", ".join(names[: APA_MAX_AUTHORS - 1]) + f", {APA_ELLIPSIS} " + names[-1]
    else:
        listed = ", ".join(names[:-1]) + ", & " + names[-1]
    return _sentence(listed)


def _apa_name(author: Author) -> str:
    """ "Family, G. R." for a person, the name for an organisation."""
    if author.name or not author.family:
        return author.name or ""
    initials = " ".join(_initials(part) for part in _NAME_PART.findall(author.given or ""))
    return f"{author.family}, {initials}" if initials else author.family


def _initials(part: str) -> str:
    """ "John" → "J.", "Jean-Paul" → "J.-P."."""
    return "-".join(piece[0] + "." for piece in part.split("-") if piece)


def _apa_source(fields: Fields) -> str:
    form = form_of(fields)
    container, publisher = fields.container, fields.publisher
    pages = page_range(fields.pages, EN_DASH)
    if form is Form.ARTICLE:
        if not container:
            return _sentence(publisher or "")
        numbers = fields.volume or ""
        if fields.issue:
            numbers += f"({fields.issue})"
        return _sentence(", ".join(part for part in (container, numbers, pages) if part))
    if form is Form.IN_BOOK:
        book = f"In {container}" if container else ""
        if book and pages:
            book += f" (pp. {pages})"
        return " ".join(_sentence(part) for part in (book, publisher or "") if part)
    if form is Form.PREPRINT:
        return _sentence(container or publisher or (ARXIV_PREFIX if fields.arxiv else ""))
    return _sentence(publisher or "")


def form_of(fields: Fields) -> Form:
    """How the source part is written, from the type (CSL or Crossref names) or its absence."""
    if is_preprint(fields) or (fields.arxiv and not fields.container):
        return Form.PREPRINT
    if fields.type in IN_BOOK_TYPES:
        return Form.IN_BOOK
    if fields.type in BOOK_TYPES:
        return Form.BOOK
    return Form.ARTICLE


def _link(fields: Fields) -> str:
    """The work's DOI or arXiv link (encoded as `links` does for every such link), else
    its URL."""
    if fields.doi or fields.arxiv:
        return work_link(fields) or ""
    return fields.url or ""


def page_range(pages: str | None, dash: str) -> str:
    """A page range with `dash` between its pages: `12-15` as `12–15` (APA), `12--15` (BibTeX)."""
    return _PAGE_RANGE.sub(dash, pages.strip()) if pages else ""


def _sentence(text: str | None) -> str:
    """`text` closed with a full stop, unless it already ends a sentence."""
    text = (text or "").strip()
    return text if not text or text.endswith(SENTENCE_ENDS) else text + "."


# --- BibTeX -----------------------------------------------------------------------------------


def bibtex(fields: Fields, *, key: str, entry_type: str) -> str:
    """A BibTeX entry for `fields` under `key`. The type follows the record's type when it
    has one BibTeX names, else stays `entry_type`."""
    kind = BIBTEX_TYPES.get(fields.type or "", entry_type)
    values = [
        ("author", " and ".join(bibtex_name(a) for a in fields.authors)),
        ("title", latex_escaped(fields.title)),
        (
            BIBTEX_CONTAINER_FIELDS.get(kind, BIBTEX_OTHER_CONTAINER),
            latex_escaped(fields.container),
        ),
        ("year", str(fields.year) if fields.year else ""),
        ("volume", latex_escaped(fields.volume)),
        ("number", latex_escaped(fields.issue)),
        ("pages", page_range(latex_escaped(fields.pages), "--")),
        ("publisher", latex_escaped(fields.publisher)),
        ("doi", verbatim(fields.doi)),
        ("url", verbatim(fields.url)),
        ("eprint", verbatim(fields.arxiv)),
        ("archiveprefix", ARXIV_PREFIX if fields.arxiv else ""),
        ("pmid", verbatim(fields.pmid)),
        ("isbn", verbatim(fields.isbn)),
    ]
    lines = [f"{BIBTEX_INDENT}{name} = {{{value}}}" for name, value in values if value]
    return f"@{kind}{{{key or _generated_key(fields)},\n" + ",\n".join(lines) + "\n}"


def bibtex_name(author: Author) -> str:
    """ "Family, Given"; an organisation braced, so that BibTeX does not split it."""
    if author.name or not author.family:
        return "{" + latex_escaped(author.name) + "}"
    family = latex_escaped(author.family)
    return f"{family}, {latex_escaped(author.given)}" if author.given else family


def _generated_key(fields: Fields) -> str:
    """A key for an entry written without one: first author's family name and the year."""
    first = fields.authors[0] if fields.authors else None
    name = (first.family or first.name or "") if first else ""
    stem = re.sub(r"\W", "", name.lower()) or "ref"
    return f"{stem}{fields.year or ''}"


def latex_escaped(value: str | None) -> str:
    """`value` with LaTeX's special characters escaped, for a BibTeX field."""
    return (value or "").translate(_LATEX_ESCAPES)


def verbatim(value: str | None) -> str:
    """`value` without braces, for a BibTeX field read verbatim (a URL, a DOI)."""
    return (value or "").translate(_VERBATIM_DROPPED)
