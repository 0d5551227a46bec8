"""The fakes' data: real recorded responses, plus the hand-made fixtures in documented shapes.

Cassettes under fixtures/recordings/ are vcrpy YAML whose bodies are binary (base64 in the
YAML), usually gzip-compressed as the server sent them. `load()` returns them decoded as
`Recorded(method, url, status, headers, body)`; `Corpus` sorts them into what the fake
server needs: Crossref work messages by DOI, Crossref's CSL-JSON, DataCite records, and the
exact headers the real APIs send. fixtures/handmade/ adds what no recording covers (see
DATA_LICENSES.md): a Crossref retraction pair, arXiv Atom feeds, PubMed esummaries and an
Open Library edition.
"""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from factcheck.net.replay import load_cassettes

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
RECORDINGS = FIXTURES / "recordings"
HANDMADE = FIXTURES / "handmade"
GZIP_MAGIC = b"\x1f\x8b"
# Headers that describe the recorded transfer, not the answer: the fake sends its own.
TRANSFER_HEADERS = frozenset(
    {"content-encoding", "content-length", "transfer-encoding", "connection", "date", "vary"}
)
CROSSREF_HOST = "api.crossref.org"
DATACITE_HOST = "api.datacite.org"
DOI_HOST = "doi.org"
ARXIV_ENTRY_ID = re.compile(
    r"<entry>\s*<id>http://arxiv\.org/abs/(?P<base>.+?)v(?P<version>\d+)</id>"
)
ESUMMARY_NAME = re.compile(r"esummary-(?P<db>[a-z]+)-(?P<uid>\d+)")


class Recorded(NamedTuple):
    """One recorded request and its decoded response."""

    method: str
    url: str
    status: int
    headers: dict[str, str]
    body: bytes


def load(path: Path = RECORDINGS) -> list[Recorded]:
    """Every interaction of every cassette under `path`, bodies decompressed."""
    return [
        Recorded(i.method, i.url, i.status, _answer_headers(i.headers), _decoded(i.body))
        for i in load_cassettes(path)
    ]


def _decoded(body: bytes) -> bytes:
    return gzip.decompress(body) if body[:2] == GZIP_MAGIC else body


def _answer_headers(headers: dict[str, str]) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items() if k.lower() not in TRANSFER_HEADERS}


def datacite_csl(attributes: dict[str, Any]) -> dict[str, Any]:
    """CSL-JSON for a DataCite record, in the shape doi.org content negotiation returns.

    doi.org sends DataCite DOIs to DataCite's own CSL writer; no cassette recorded that, so
    it is derived here from the recorded DataCite REST attributes.
    """
    doi = attributes["doi"]
    people = [_csl_person(c) for c in attributes.get("creators", [])]
    year = attributes.get("publicationYear")
    return {
        "type": (attributes.get("types") or {}).get("citeproc", "article"),
        "id": f"https://doi.org/{doi}",
        "author": people,
        "issued": {"date-parts": [[int(year)]]} if year else {},
        "DOI": doi.upper(),
        "publisher": attributes.get("publisher"),
        "title": (attributes.get("titles") or [{}])[0].get("title"),
        "URL": attributes.get("url"),
        "version": attributes.get("version"),
    }


def _csl_person(creator: dict[str, Any]) -> dict[str, str]:
    if creator.get("familyName"):
        return {"family": creator["familyName"], "given": creator.get("givenName", "")}
    return {"literal": creator.get("name", "")}


@dataclass
class Corpus:
    """What the fake APIs know, keyed the way each API looks things up."""

    crossref: dict[str, dict[str, Any]] = field(default_factory=dict)  # lower DOI -> message
    crossref_csl: dict[str, dict[str, Any]] = field(default_factory=dict)  # lower DOI -> CSL
    datacite: dict[str, dict[str, Any]] = field(default_factory=dict)  # lower DOI -> CSL
    crossref_headers: dict[int, dict[str, str]] = field(default_factory=dict)  # status -> headers
    doi_not_found: Recorded | None = None
    arxiv: dict[str, tuple[int, bytes]] = field(default_factory=dict)  # base id -> (latest, feed)
    arxiv_empty: bytes = b""
    arxiv_error: bytes = b""
    esummary: dict[tuple[str, str], bytes] = field(default_factory=dict)  # (db, uid) -> body
    editions: dict[str, dict[str, Any]] = field(default_factory=dict)  # OL key -> edition
    isbns: dict[str, str] = field(default_factory=dict)  # ISBN -> OL key

    def doi_exists(self, doi: str) -> bool:
        key = doi.lower()
        return key in self.crossref or key in self.crossref_csl or key in self.datacite

    @classmethod
    def build(cls) -> Corpus:
        corpus = cls()
        for rec in load():
            corpus._add_recorded(rec)
        corpus._add_handmade()
        return corpus

    def _add_recorded(self, rec: Recorded) -> None:
        parts = urlsplit(rec.url)
        if parts.netloc == CROSSREF_HOST and "/works/" in parts.path:
            self._add_crossref(rec, parts.path)
        elif parts.netloc == DATACITE_HOST and rec.status == 200:
            attributes = json.loads(rec.body)["data"]["attributes"]
            self.datacite[attributes["doi"].lower()] = datacite_csl(attributes)
        elif parts.netloc == DOI_HOST and rec.status == 404:
            self.doi_not_found = rec

    def _add_crossref(self, rec: Recorded, path: str) -> None:
        if rec.status == 200 and "/transform/" in path and "csl+json" in path:
            csl = json.loads(rec.body)
            self.crossref_csl[csl["DOI"].lower()] = csl
        elif rec.status == 200 and not path.endswith(("/agency", "/transform")):
            message = json.loads(rec.body)["message"]
            self.crossref[message["DOI"].lower()] = message
        self.crossref_headers.setdefault(rec.status, rec.headers)

    def _add_handmade(self) -> None:
        for file in sorted((HANDMADE / "crossref").glob("*.json")):
            message = json.loads(file.read_bytes())["message"]
            self.crossref[message["DOI"].lower()] = message
        for file in sorted((HANDMADE / "arxiv").glob("*.xml")):
            self._add_feed(file.stem, file.read_bytes())
        for file in sorted((HANDMADE / "pubmed").glob("esummary-*.json")):
            name = ESUMMARY_NAME.fullmatch(file.stem)
            if name:
                self.esummary[name["db"], name["uid"]] = file.read_bytes()
        for file in sorted((HANDMADE / "openlibrary").glob("*.json")):
            edition = json.loads(file.read_bytes())
            self.editions[edition["key"]] = edition
            for isbn in edition.get("isbn_13", []) + edition.get("isbn_10", []):
                self.isbns[isbn] = edition["key"]

    def _add_feed(self, stem: str, feed: bytes) -> None:
        if stem == "empty":
            self.arxiv_empty = feed
        elif stem == "error":
            self.arxiv_error = feed
        else:
            entry = ARXIV_ENTRY_ID.search(feed.decode())
            if entry:
                self.arxiv[entry["base"]] = (int(entry["version"]), feed)
