"""Open Library: edition records by ISBN.

`GET {openlibrary_url}/isbn/{isbn}.json` redirects to the edition, `/books/OL…M.json`, whose
JSON holds `title`, `publishers`, `publish_date` and the ISBNs. A 404 is missing but not
authoritative: Open Library is a catalogue, not the ISBN registry, and misses many real books.

Authors are left out: an edition names them only by key (`/authors/OL…A`), one more request
each, and a book is checked by its title, year and publisher first.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from ..errors import BadResponse
from ..ids import path_segment
from ..model import Citation, Fields, Kind, Record
from .base import Lookup, parse_json
from .common import ApiResolver, claimed_id
from .mapping import Shape, is_text, is_texts, require_shape, text, year_in

BOOK = "book"
ISBN_SEPARATORS = str.maketrans("", "", "- ")
ISBN_PREFIX = "isbn"
# The types of what `edition_record` reads (see `mapping.require_shape`).
EDITION_SHAPE: Shape = {
    "title": is_text,
    "publishers": is_texts,
    "publish_date": is_text,
    "key": is_text,
}


class OpenLibraryResolver(ApiResolver):
    """Looks ISBNs up in Open Library's edition records."""

    name = "openlibrary"
    kinds = frozenset({Kind.ISBN})

    def _lookup(self, citation: Citation) -> Lookup:
        isbn = normalize_isbn(claimed_id(citation, "isbn"))
        response = self._get(f"{self.config.openlibrary_url}/isbn/{path_segment(isbn)}.json")
        if response.status_code == HTTPStatus.NOT_FOUND:
            return Lookup.missing(
                self.name, f"Open Library has no edition with ISBN {isbn}", authoritative=False
            )
        if response.status_code != HTTPStatus.OK:
            return self._unexpected(response)
        edition = parse_json(response, self.name)
        if not isinstance(edition, dict):
            raise BadResponse("openlibrary answered HTTP 200 without an edition record")
        require_shape(edition, EDITION_SHAPE, self.name)
        return Lookup.found(self.name, edition_record(edition, isbn, self.config.openlibrary_url))


def normalize_isbn(raw: str) -> str:
    """Digits (and a final X) only: "ISBN 978-0-262-03384-8" -> "9780262033848"."""
    isbn = raw.strip()
    if isbn.lower().startswith(ISBN_PREFIX):
        isbn = isbn[len(ISBN_PREFIX) :].lstrip(":- ")
    return isbn.translate(ISBN_SEPARATORS).upper()


def edition_record(edition: dict[str, Any], isbn: str, base_url: str) -> Record:
    """An Open Library edition as a Record."""
    key = text(edition.get("key")) or ""
    fields = Fields(
        title=text(edition.get("title")),
        year=year_in(edition.get("publish_date")),
        publisher=text(edition.get("publishers")),
        isbn=isbn,
        type=BOOK,
    )
    edition_id = key.rsplit("/", 1)[-1] or isbn
    return Record(
        source=OpenLibraryResolver.name,
        id=edition_id,
        fields=fields,
        url=f"{base_url}{key}" if key else None,
    )
