"""A bibliography entry rewritten with corrected fields, in its own format.

The fix of a miscited entry changes the fields that are wrong and nothing else:
- a BibTeX entry keeps its key, type, field order and every field not corrected; a
  corrected value replaces the old one in place, a missing one is added, a wrong
  identifier with no right one is removed;
- a free-text entry (a Markdown or plain reference list) keeps its style: each wrong value
  is replaced where the parser found it (`parser.reference_spans`), the authors are written
  the way the entry wrote its own (`namestyle`), a wrong identifier is swapped for the
  right one wherever it is written. When a value cannot be placed, the entry is written
  anew in APA 7 (`refstyle.apa`), which is still the corrected reference.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..extract.bibtex import BibtexField, bibtex_fields
from ..ids import IDENTIFIER_FIELDS, doi_link
from ..model import Author, Fields
from . import namestyle
from .edits import Edit, apply, without_overlaps
from .refstyle import (
    BIBTEX_CONTAINER_FIELDS,
    BIBTEX_INDENT,
    BIBTEX_OTHER_CONTAINER,
    apa,
    bibtex_name,
    latex_escaped,
    page_range,
    verbatim,
)

# The fields a fix may change, in the order they are written.
CORRECTABLE = (
    "authors",
    "year",
    "title",
    "container",
    "volume",
    "issue",
    "pages",
    "publisher",
    *IDENTIFIER_FIELDS,
)

# --- BibTeX -----------------------------------------------------------------------------------
# The BibTeX fields that hold each of ours, the first one written wins; a missing field is
# added under the first name (the container's depends on the entry type).
BIBTEX_FIELDS = {
    "title": ("title",),
    "authors": ("author",),
    "year": ("year",),
    "container": ("journal", "journaltitle", "booktitle"),
    "volume": ("volume",),
    "issue": ("number", "issue"),
    "pages": ("pages",),
    "publisher": ("publisher", "institution", "school", "organization"),
    "doi": ("doi",),
    "arxiv": ("eprint", "arxiv", "arxivid"),
    "pmid": ("pmid",),
    "pmcid": ("pmcid",),
    "isbn": ("isbn",),
}
BIBTEX_DATE_FIELD = "date"
BIBTEX_URL_FIELD = "url"
BIBTEX_PAGE_DASH = "--"
_ENTRY_TYPE_RE = re.compile(r"\s*@\s*(\w+)")
_YEAR_RE = re.compile(r"(?<!\d)\d{4}(?!\d)")
_BARE_NUMBER_RE = re.compile(r"\d+")

# --- free text --------------------------------------------------------------------------------
# The parser's labels under which each field is written.
SPAN_LABELS = {
    "title": ("title",),
    "year": ("date",),
    "container": ("container", "note"),
    "volume": ("volume",),
    "issue": ("volume",),
    "pages": ("pages",),
    "publisher": ("publisher",),
}
AUTHOR_LABEL = "author"
# Characters that close an author list without belonging to the last name.
AUTHOR_LIST_CLOSERS = " \t,;:"
_ET_AL_RE = re.compile(r",?\s*(?:et\s*al\.?|and\s+others|…)\s*\Z", re.IGNORECASE)
_DASHES_RE = re.compile(r"\s*[-–—]+\s*")
# How an identifier appended to a free-text entry is written: a DOI as its doi.org link
# (`ids.doi_link`), and with this label only when it cannot be linked.
LABELS = {
    "doi": "doi:{}",
    "arxiv": "arXiv:{}",
    "pmid": "PMID: {}",
    "pmcid": "{}",
    "isbn": "ISBN {}",
}
# An identifier with the label or link it is written with, to remove it whole.
_IDENTIFIER_LABEL = (
    r"[ \t]*<?(?:https?://(?:dx\.)?doi\.org/|https?://arxiv\.org/abs/|doi:[ \t]*|arxiv:[ \t]*"
    r"|pmid:?[ \t]*|isbn:?[ \t]*)?"
)


def changed(claimed: Fields, corrected: Fields) -> list[str]:
    """The fields a correction changes, in CORRECTABLE order."""
    return [name for name in CORRECTABLE if getattr(claimed, name) != getattr(corrected, name)]


def rewrite_entry(raw: str, claimed: Fields, corrected: Fields) -> str:
    """`raw`, an entry whose fields read as `claimed`, with the values of `corrected`."""
    names = changed(claimed, corrected)
    if not names:
        return raw
    if raw.lstrip().startswith("@"):
        return rewrite_bibtex(raw, claimed, corrected, names)
    edited = rewrite_free_text(raw, claimed, corrected, names)
    return edited if edited is not None else apa(corrected)


# --- BibTeX -----------------------------------------------------------------------------------


def rewrite_bibtex(raw: str, claimed: Fields, corrected: Fields, names: Sequence[str]) -> str:
    """A BibTeX entry with the named fields set to `corrected`'s values, in place."""
    fields = bibtex_fields(raw)
    kind = _ENTRY_TYPE_RE.match(raw)
    entry_type = kind.group(1).lower() if kind else ""
    edits: list[Edit] = []
    added: list[tuple[str, str]] = []
    for name in names:
        value = _bibtex_value(name, corrected)
        present = _written(fields, BIBTEX_FIELDS[name])
        if name == "year" and present is None:
            present = _written(fields, (BIBTEX_DATE_FIELD,))
            if present is not None and value:
                edits.append(_year_in_date(raw, present, value))
                continue
        if present is not None:
            edits.append(
                Edit(present.value_start, present.value_end, _delimited(raw, present, value))
                if value
                else _field_removal(raw, present)
            )
        elif value:
            added.append((_new_field_name(name, entry_type), value))
    edits += _identifier_links(raw, fields, claimed, corrected, names)
    if added and fields:
        edits.append(_field_insertion(raw, fields[-1], added))
    text = apply(raw, without_overlaps(edits))
    return _replace_identifiers(text, claimed, corrected, names)


def _bibtex_value(name: str, fields: Fields) -> str:
    value = getattr(fields, name)
    if name == "authors":
        return " and ".join(bibtex_name(a) for a in value)
    if name in IDENTIFIER_FIELDS:
        return verbatim(value)
    if name == "pages":
        return page_range(latex_escaped(value), BIBTEX_PAGE_DASH)
    return latex_escaped(None if value is None else str(value))


def _written(fields: list[BibtexField], names: Sequence[str]) -> BibtexField | None:
    return next((f for name in names for f in fields if f.name == name), None)


def _new_field_name(name: str, entry_type: str) -> str:
    if name == "container":
        return BIBTEX_CONTAINER_FIELDS.get(entry_type, BIBTEX_OTHER_CONTAINER)
    return BIBTEX_FIELDS[name][0]


def _delimited(raw: str, field: BibtexField, value: str) -> str:
    """The new value, delimited as BibTeX reads it: a bare number stays bare."""
    old = raw[field.value_start : field.value_end]
    if _BARE_NUMBER_RE.fullmatch(old) and _BARE_NUMBER_RE.fullmatch(value):
        return value
    return "{" + value + "}"


def _year_in_date(raw: str, field: BibtexField, year: str) -> Edit:
    """A `date` field keeps its month and day; only its year changes."""
    old = raw[field.value_start : field.value_end]
    return Edit(field.value_start, field.value_end, _YEAR_RE.sub(year, old, count=1))


def _field_removal(raw: str, field: BibtexField) -> Edit:
    """The `name = value` pair and its comma; its whole line when it stands alone."""
    start, end = field.start, field.value_end
    after = _skip_blanks(raw, end)
    if raw.startswith(",", after):
        end = after + 1
    else:
        before = start
        while before > 0 and raw[before - 1].isspace():
            before -= 1
        if before > 0 and raw[before - 1] == ",":
            start = before - 1
    line_start = raw.rfind("\n", 0, field.start) + 1
    line_end = raw.find("\n", end)
    if (
        line_end >= 0
        and not raw[line_start : field.start].strip()
        and not raw[end:line_end].strip()
    ):
        return Edit(line_start, line_end + 1)
    return Edit(start, end)


def _field_insertion(raw: str, last: BibtexField, added: list[tuple[str, str]]) -> Edit:
    """New fields after the last one, indented like it (on one line in a one-line entry)."""
    line_start = raw.rfind("\n", 0, last.start) + 1
    lead = raw[line_start : last.start]
    indent = lead if "\n" in raw and not lead.strip() else BIBTEX_INDENT
    pairs = [f"{name} = {{{value}}}" for name, value in added]
    after = _skip_blanks(raw, last.value_end)
    if "\n" not in raw:
        return Edit(last.value_end, last.value_end, "".join(f", {p}" for p in pairs))
    if raw.startswith(",", after):
        return Edit(after + 1, after + 1, "".join(f"\n{indent}{p}," for p in pairs))
    return Edit(last.value_end, last.value_end, "".join(f",\n{indent}{p}" for p in pairs))


def _identifier_links(
    raw: str,
    fields: list[BibtexField],
    claimed: Fields,
    corrected: Fields,
    names: Sequence[str],
) -> list[Edit]:
    """A `url` field that links to a wrong identifier goes when no right one replaces it."""
    url = _written(fields, (BIBTEX_URL_FIELD,))
    if url is None:
        return []
    value = raw[url.value_start : url.value_end].lower()
    gone = [
        name
        for name in names
        if name in IDENTIFIER_FIELDS
        and getattr(claimed, name)
        and not getattr(corrected, name)
        and getattr(claimed, name).lower() in value
    ]
    return [_field_removal(raw, url)] if gone else []


def _skip_blanks(raw: str, at: int) -> int:
    while at < len(raw) and raw[at] in " \t":
        at += 1
    return at


# --- free text --------------------------------------------------------------------------------


def rewrite_free_text(
    raw: str, claimed: Fields, corrected: Fields, names: Sequence[str]
) -> str | None:
    """A free-text entry with the named fields corrected where they are written; None when
    one of them cannot be found in it."""
    from ..extract.parser import reference_spans

    spans = [(span.label, span.start, span.end) for span in reference_spans(raw)]
    edits: list[Edit] = []
    for name in names:
        if name in IDENTIFIER_FIELDS:
            continue
        if name == "authors":
            edit = _authors_edit(raw, spans, claimed.authors, corrected.authors)
        else:
            edit = _value_edit(raw, spans, name, getattr(claimed, name), getattr(corrected, name))
        if edit is None:
            return None
        edits.append(edit)
    placed = without_overlaps(edits)
    if len(placed) != len(edits):
        return None
    return _replace_identifiers(apply(raw, placed), claimed, corrected, names)


def _value_edit(
    raw: str, spans: list[tuple[str, int, int]], name: str, old: object, new: object
) -> Edit | None:
    """The claimed value replaced where the parser found its field (or wherever it is
    written, if only once)."""
    if old is None or new is None:
        return None
    written, wanted = str(old), str(new)
    if name == "pages":
        dash = _DASHES_RE.search(written)
        wanted = _DASHES_RE.sub(dash.group() if dash else "-", wanted)
    places = [(s, e) for label, s, e in spans if label in SPAN_LABELS[name]]
    for start, end in places:
        at = raw.find(written, start, end)
        if at >= 0:
            return Edit(at, at + len(written), wanted)
    if raw.count(written) == 1:
        at = raw.index(written)
        return Edit(at, at + len(written), wanted)
    return None


def _authors_edit(
    raw: str, spans: list[tuple[str, int, int]], claimed: list[Author], corrected: list[Author]
) -> Edit | None:
    """The author list rewritten in the entry's own style; "et al." kept while the record
    has more authors than the entry named."""
    place = next(((s, e) for label, s, e in spans if label == AUTHOR_LABEL), None)
    if place is None or not claimed or not corrected:
        return None
    start, end = place
    core = raw[start:end].rstrip(AUTHOR_LIST_CLOSERS)
    et_al = _ET_AL_RE.search(core)
    suffix = et_al.group() if et_al else ""
    body = core[: et_al.start()] if et_al else core
    named = corrected[: len(claimed)] if et_al else corrected
    keep_suffix = bool(et_al) and len(corrected) > len(claimed)
    style = namestyle.detect(body, claimed)
    rendered = namestyle.render(named, style, open_ended=keep_suffix)
    if body.endswith(".") and not rendered.endswith("."):
        rendered += "."
    return Edit(start, start + len(core), rendered + (suffix if keep_suffix else ""))


def _replace_identifiers(
    text: str, claimed: Fields, corrected: Fields, names: Sequence[str]
) -> str:
    """Each wrong identifier swapped for the right one wherever written; removed (with its
    label or link) when there is none; a right one the entry lacked is appended."""
    for name in names:
        if name not in IDENTIFIER_FIELDS:
            continue
        old, new = getattr(claimed, name), getattr(corrected, name)
        if old and new:
            text = re.compile(re.escape(old), re.IGNORECASE).sub(new.replace("\\", r"\\"), text)
        elif old:
            pattern = _IDENTIFIER_LABEL + re.escape(old) + ">?"
            text = re.sub(pattern, "", text, flags=re.IGNORECASE)
        elif new and not text.lstrip().startswith("@"):
            text = f"{text.rstrip()} {written(name, new)}"
    return text


def written(name: str, value: str) -> str:
    """An identifier as appended to a free-text entry (see LABELS)."""
    link = doi_link(value) if name == "doi" else None
    return link or LABELS[name].format(value)
