"""Bibliography files: RIS, EndNote XML and CSL-JSON, each record one reference claim.

Like a `.bib` file's entries, every record becomes a `reference` Citation with its Fields
taken from the record's own fields (no parsing of free text), spanning the record's text
exactly (`text[start:end] == raw`), labelled by its id. Each reader builds a CSL-JSON item
from its record and reads it as the library source reads CSL-JSON (`csl_entry`), so the
three formats and `--library` agree on what a field means.

The files are untrusted: XML is parsed with defusedxml, one record at a time; at most
MAX_RECORDS records are read (a warning says when more were left).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from ..errors import InputError
from ..extract.names import split_authors
from ..model import Citation, Extraction, Fields, Kind
from . import Document, decode

MAX_RECORDS = 50_000

# RIS reference types, as CSL types.
RIS_TYPES = {
    "JOUR": "article-journal",
    "JFULL": "article-journal",
    "MGZN": "article-magazine",
    "NEWS": "article-newspaper",
    "BOOK": "book",
    "EBOOK": "book",
    "EDBOOK": "book",
    "CHAP": "chapter",
    "ECHAP": "chapter",
    "CONF": "paper-conference",
    "CPAPER": "paper-conference",
    "THES": "thesis",
    "RPRT": "report",
    "ELEC": "webpage",
    "WEB": "webpage",
    "DATA": "dataset",
    "PAT": "patent",
}
# RIS tags for each CSL field, the first present wins.
RIS_FIELDS = {
    "title": ("TI", "T1", "CT"),
    "container-title": ("T2", "JF", "JO", "J2", "JA", "BT", "T3"),
    "volume": ("VL",),
    "issue": ("IS", "CP"),
    "publisher": ("PB",),
    "DOI": ("DO",),
    "URL": ("UR", "L2"),
    "ISBN": ("SN",),
    "PMID": ("AN",),
}
RIS_AUTHORS = ("AU", "A1")
RIS_YEARS = ("PY", "Y1", "DA")
_RIS_LINE_RE = re.compile(r"^([A-Z][A-Z0-9])  -(?: (.*))?$", re.MULTILINE)
_RIS_START, _RIS_END = "TY", "ER"

# EndNote XML: the path to each CSL field within a <record>.
ENDNOTE_FIELDS = {
    "title": ("titles/title",),
    "container-title": ("titles/secondary-title", "periodical/full-title", "titles/alt-title"),
    "volume": ("volume",),
    "issue": ("number", "issue"),
    "page": ("pages",),
    "publisher": ("publisher",),
    "DOI": ("electronic-resource-num",),
    "URL": ("urls/related-urls/url", "urls/web-urls/url"),
    "ISBN": ("isbn",),
}
# EndNote reference-type names, as CSL types.
ENDNOTE_TYPES = {
    "journal article": "article-journal",
    "book": "book",
    "edited book": "book",
    "book section": "chapter",
    "conference paper": "paper-conference",
    "conference proceedings": "paper-conference",
    "thesis": "thesis",
    "report": "report",
    "web page": "webpage",
}
_RECORD_RE = re.compile(r"<record\b[^>]*>.*?</record>", re.DOTALL)
_YEAR_RE = re.compile(r"\d{4}")


def ris_document(path: str, data: bytes) -> Document:
    """The records of an RIS file (`TY  - ` to `ER  - `)."""
    document = decode(path, data)
    citations = []
    for start, end, tags in _ris_records(document.text):
        item = _ris_item(tags)
        label = _first(tags, ("ID",))
        citations.append(_citation(document.text, start, end, item, label))
    return _with_records(document, citations, "RIS records (TY  - ... ER  - )")


def _ris_records(text: str) -> Iterator[tuple[int, int, dict[str, list[str]]]]:
    start: int | None = None
    tags: dict[str, list[str]] = {}
    for line in _RIS_LINE_RE.finditer(text):
        tag, value = line.group(1), (line.group(2) or "").strip()
        if tag == _RIS_START:
            start, tags = line.start(), {}
        if start is None:
            continue
        tags.setdefault(tag, []).append(value)
        if tag == _RIS_END:
            yield start, line.end(), tags
            start = None


def _ris_item(tags: dict[str, list[str]]) -> dict[str, Any]:
    item: dict[str, Any] = {"type": RIS_TYPES.get((_first(tags, ("TY",)) or "").upper())}
    for name, keys in RIS_FIELDS.items():
        item[name] = _first(tags, keys)
    first, last = _first(tags, ("SP",)), _first(tags, ("EP",))
    item["page"] = f"{first}-{last}" if first and last else first
    item["author"] = [_person(name) for key in RIS_AUTHORS for name in tags.get(key, [])]
    item["issued"] = _issued(_first(tags, RIS_YEARS))
    return item


def _first(tags: dict[str, list[str]], keys: tuple[str, ...]) -> str | None:
    """The first non-empty value of the first of `keys` the record has."""
    return next((tags[k][0] for k in keys if tags.get(k) and tags[k][0]), None)


def endnote_document(path: str, data: bytes) -> Document:
    """The `<record>`s of an EndNote XML export, each parsed on its own with defusedxml."""
    from defusedxml import ElementTree
    from defusedxml.common import DefusedXmlException

    document = decode(path, data)
    citations = []
    for match in _RECORD_RE.finditer(document.text):
        try:
            record = ElementTree.fromstring(match.group())
        except (ElementTree.ParseError, DefusedXmlException) as exc:
            document.warnings.append(f"{path}: a record at offset {match.start()} is broken: {exc}")
            continue
        item = _endnote_item(record)
        label = _element_text(record, "rec-number")
        citations.append(_citation(document.text, match.start(), match.end(), item, label))
    return _with_records(document, citations, "EndNote <record> elements")


def _endnote_item(record: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        name: next((v for p in paths if (v := _element_text(record, p))), None)
        for name, paths in ENDNOTE_FIELDS.items()
    }
    kind = record.find("ref-type")
    kind_name = kind.get("name", "") if kind is not None else ""
    item["type"] = ENDNOTE_TYPES.get(kind_name.lower())
    item["author"] = [
        _person(" ".join("".join(a.itertext()).split()))
        for a in record.findall("contributors/authors/author")
    ]
    item["issued"] = _issued(_element_text(record, "dates/year"))
    return item


def _element_text(record: Any, path: str) -> str | None:
    element = record.find(path)
    if element is None:
        return None
    return " ".join("".join(element.itertext()).split()) or None


def csl_json_document(path: str, data: bytes) -> Document:
    """The items of a CSL-JSON file (a list of items, as Zotero and pandoc write them)."""
    document = decode(path, data)
    citations = [
        _citation(document.text, start, end, item, item.get("id"))
        for start, end, item in _json_items(path, document.text)
        if isinstance(item, dict)
    ]
    return _with_records(document, citations, "CSL-JSON items (a JSON list of objects)")


def _json_items(path: str, text: str) -> Iterator[tuple[int, int, Any]]:
    """Each element of the top-level JSON list with its span, read one at a time."""
    decoder = json.JSONDecoder()
    position = _skip_space(text, 0)
    if not text.startswith("[", position):
        raise InputError(f"{path}: CSL-JSON is a list of items; this does not start with [")
    position = _skip_space(text, position + 1)
    while not text.startswith("]", position):
        try:
            item, end = decoder.raw_decode(text, position)
        except (json.JSONDecodeError, RecursionError) as exc:
            raise InputError(f"{path}: not valid JSON near offset {position}") from exc
        yield position, end, item
        position = _skip_space(text, end)
        if text.startswith(",", position):
            position = _skip_space(text, position + 1)
        elif not text.startswith("]", position):
            raise InputError(f"{path}: not valid JSON near offset {position}")


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position].isspace():
        position += 1
    return position


def _person(name: str) -> dict[str, str]:
    """A CSL name from "Family, Given" (as RIS and EndNote write it) or "Given Family"."""
    if "," in name:
        family, given = (part.strip() for part in name.split(",", 1))
        return {"family": family, "given": given}
    authors = split_authors(name)
    if authors and authors[0].family:
        return {"family": authors[0].family, "given": authors[0].given or ""}
    return {"literal": name}


def _issued(value: str | None) -> dict[str, Any] | None:
    year = _YEAR_RE.search(value or "")
    return {"date-parts": [[int(year.group())]]} if year else None


def _citation(text: str, start: int, end: int, item: dict[str, Any], label: Any) -> Citation:
    from ..resolve.library import csl_entry

    entry = csl_entry(item)
    fields = entry.fields if entry is not None else Fields()
    return Citation(
        kind=Kind.REFERENCE,
        raw=text[start:end],
        start=start,
        end=end,
        fields=fields,
        label=str(label) if label is not None else None,
    )


def _with_records(document: Document, citations: list[Citation], what: str) -> Document:
    if not citations:
        raise InputError(f"{document.path}: no {what} found")
    if len(citations) > MAX_RECORDS:
        document.warnings.append(
            f"{document.path}: only the first {MAX_RECORDS} of {len(citations)} records read"
        )
        citations = citations[:MAX_RECORDS]
    document.extraction = Extraction(citations=citations)
    return document
