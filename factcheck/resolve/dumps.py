"""Bulk dumps that `factcheck library build` indexes: DBLP's XML and OpenAlex's works snapshot.

A screening of thousands of papers should ask the network only for what a local mirror lacks.
These readers turn the sources' own dumps into library entries, through the same mappings
their API resolvers use (`dblp.info_record`, `openalex.work_record`), so a work reads the same
whether it came from the mirror or the API.

- DBLP publishes `dblp.xml.gz` (several GB): one element per publication (`article`,
  `inproceedings`, ...) under `<dblp>`, read here as a stream, element by element, and freed
  as it goes. The file names a DTD (`dblp.dtd`) for its character entities (`&auml;`); the
  DTD is never loaded: the HTML entities it defines are replaced by numeric character
  references before the XML parser sees the bytes (so the file's declared encoding, ISO-8859-1
  for DBLP, still holds), and the parser (defusedxml) refuses any entity a file declares.
- OpenAlex's snapshot is JSON Lines of work objects (`data/works/updated_date=*/part_*.gz`):
  each line read by `openalex.work_record`. A `.jsonl` library file may mix these with
  Crossref work messages and CSL items; `is_openalex_work` tells them apart.
"""

from __future__ import annotations

import html.entities
import re
from collections.abc import Iterator, Mapping
from typing import IO, Any

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from ..errors import ConfigError
from ..model import Record
from .dblp import info_record
from .openalex import OPENALEX_WORK_PREFIX, work_record

# DBLP's publication elements, as the categories its search API names them (`dblp.DBLP_TYPES`).
DBLP_CATEGORIES: Mapping[str, str] = {
    "article": "Journal Articles",
    "inproceedings": "Conference and Workshop Papers",
    "incollection": "Parts in Books or Collections",
    "book": "Books and Theses",
    "phdthesis": "Books and Theses",
    "mastersthesis": "Books and Theses",
    "proceedings": "Editorship",
}
# Where a publication's venue is written, by preference.
DBLP_VENUE_TAGS = ("journal", "booktitle", "series", "school", "publisher")
# Tags whose text is copied as is into the API-shaped `info`.
DBLP_TEXT_TAGS = ("title", "year", "volume", "number", "pages")
# The five entities XML defines itself: left to the parser.
XML_ENTITIES = frozenset({"amp", "lt", "gt", "quot", "apos"})
_ENTITY = re.compile(rb"&([A-Za-z][A-Za-z0-9]*);")
# Bytes read at a time from a dump: large enough to stream fast, small enough to bound
# memory. A chunk that ends inside an entity is read on, so an entity is never split.
READ_CHUNK = 1 << 20
# The longest entity name in HTML5's table ("CounterClockwiseContourIntegral") and its `&;`.
MAX_ENTITY = 40


def is_openalex_work(item: Any) -> bool:
    """Whether a JSON object is an OpenAlex work (its id is an openalex.org work URL)."""
    if not isinstance(item, Mapping):
        return False
    identifier = item.get("id")
    return isinstance(identifier, str) and identifier.startswith(OPENALEX_WORK_PREFIX)


def openalex_record(work: Mapping[str, Any]) -> Record:
    """An OpenAlex work's Record (its id the DOI, else the OpenAlex id)."""
    return work_record(work)


def dblp_records(handle: IO[bytes], name: str) -> Iterator[tuple[str, Record]]:
    """Each publication of a DBLP XML dump as (DBLP key, Record), streamed; ConfigError
    naming the file when the XML is malformed or declares entities of its own."""
    root = None
    try:
        for event, element in iterparse(_EntityText(handle), events=("start", "end")):
            if root is None:
                root = element
            category = DBLP_CATEGORIES.get(element.tag)
            if event != "end" or category is None:
                continue
            info = _dblp_info(element, category)
            root.clear()  # the publications read so far: millions in a full dump
            if info.get("title"):
                yield info["key"], info_record(info)
    except (SyntaxError, DefusedXmlException) as exc:
        raise ConfigError(f"library {name}: not readable as DBLP XML: {exc}") from exc


def _dblp_info(element: Any, category: str) -> dict[str, Any]:
    """A publication element in the shape of the DBLP search API's `info` (see `dblp.py`)."""
    children: dict[str, list[str]] = {}
    for child in element:
        value = "".join(child.itertext()).strip()
        if value:
            children.setdefault(child.tag, []).append(value)
    info: dict[str, Any] = {tag: children[tag][0] for tag in DBLP_TEXT_TAGS if tag in children}
    info["key"] = element.get("key", "")
    info["type"] = category
    info["authors"] = {"author": children.get("author") or children.get("editor") or []}
    info["venue"] = next((children[tag] for tag in DBLP_VENUE_TAGS if tag in children), [])
    info["ee"] = children.get("ee", [])
    return info


class _EntityText:
    """A reader over a dump's bytes with HTML's named entities replaced by numeric character
    references (XML's own five kept), so that no DTD is needed to read it."""

    def __init__(self, handle: IO[bytes]) -> None:
        self._handle = handle

    def read(self, size: int = -1) -> bytes:
        """READ_CHUNK bytes or a little more, whatever `size` asks (the parser feeds what it
        gets): a chunk that ends inside an entity is read on until the entity is whole."""
        chunk = self._handle.read(READ_CHUNK)
        while _ends_in_entity(chunk):
            more = self._handle.read(READ_CHUNK)
            if not more:  # the file ends inside it: left to the parser to refuse
                break
            chunk += more
        return _ENTITY.sub(_reference, chunk)


def _ends_in_entity(chunk: bytes) -> bool:
    """Whether `chunk` ends with the start of an entity reference (`&aum`)."""
    cut = chunk.rfind(b"&")
    return cut >= 0 and b";" not in chunk[cut:] and len(chunk) - cut < MAX_ENTITY


def _reference(found: re.Match[bytes]) -> bytes:
    name = found.group(1).decode("ascii")
    characters = html.entities.html5.get(name + ";")
    if name in XML_ENTITIES or characters is None:
        return found.group(0)
    return b"".join(b"&#%d;" % ord(c) for c in characters)
