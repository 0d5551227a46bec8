"""PubMed and PubMed Central, through NCBI E-utilities' esummary.

`GET {pubmed_url}/esummary.fcgi?db=pubmed&id=<pmid>&retmode=json` (db=pmc and the number of a
PMCID) answers `{"result": {"uids": [...], "<uid>": {…docsum…}}}`. An id NCBI does not hold
comes back as HTTP 200 with `result["<uid>"]["error"]` ("cannot get document summary"):
missing, authoritatively, since PubMed is the registry of PMIDs and PMC of PMCIDs. An id that
is not a number cannot exist, so it is missing without asking.

NCBI asks callers to name their tool and give a contact email; both are sent.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from ..errors import BadResponse
from ..model import Author, Citation, Fields, Kind, Record
from .base import Lookup, parse_json
from .common import ApiResolver, claimed_id
from .mapping import text, year_in

TOOL = "factcheck"
PMCID_PREFIX = "PMC"
PMID_PREFIX = "pmid:"
PUBMED_URL = "https://pubmed.ncbi.nlm.nih.gov/"
PMC_URL = "https://pmc.ncbi.nlm.nih.gov/articles/"
DATE_KEYS = ("pubdate", "epubdate", "sortpubdate", "printpubdate", "sortdate")
ELOCATION_DOI = "doi:"
# Publication types that mark retractions, and the flag each earns.
PUBTYPE_FLAGS = {
    "retracted publication": "retracted",
    "retraction of publication": "retraction_notice",
}
COLLECTIVE = "collectivename"


class PubmedResolver(ApiResolver):
    """Looks PMIDs up in PubMed and PMCIDs in PubMed Central."""

    name = "pubmed"
    kinds = frozenset({Kind.PMID, Kind.PMCID})

    def _lookup(self, citation: Citation) -> Lookup:
        db, uid, label = _target(citation)
        if not uid.isdigit():
            return Lookup.missing(self.name, f"{label} is not a valid {db} id", authoritative=True)
        response = self._get(f"{self.config.pubmed_url}/esummary.fcgi", self._params(db, uid))
        if response.status_code != HTTPStatus.OK:
            return self._unexpected(response)
        docsum = _docsum(parse_json(response, self.name), uid)
        if "error" in docsum:
            return Lookup.missing(
                self.name,
                f"{db} has no record {label}: {text(docsum['error'])}",
                authoritative=True,
            )
        return Lookup.found(self.name, docsum_record(docsum, db, uid))

    def _params(self, db: str, uid: str) -> dict[str, str]:
        params = {"db": db, "id": uid, "retmode": "json", "tool": TOOL}
        if self.config.mailto:
            params["email"] = self.config.mailto
        return params


def _target(citation: Citation) -> tuple[str, str, str]:
    """(database, numeric uid, id as people write it) for a PMID or PMCID citation."""
    if citation.kind is Kind.PMCID:
        raw = claimed_id(citation, "pmcid")
        number = raw[len(PMCID_PREFIX) :] if raw.upper().startswith(PMCID_PREFIX) else raw
        return "pmc", number.strip(), PMCID_PREFIX + number.strip()
    raw = claimed_id(citation, "pmid")
    number = raw[len(PMID_PREFIX) :] if raw.lower().startswith(PMID_PREFIX) else raw
    return "pubmed", number.strip(), number.strip()


def _docsum(payload: Any, uid: str) -> dict[str, Any]:
    """The docsum of `uid`, or BadResponse when the answer has none (not even an error)."""
    result = payload.get("result") if isinstance(payload, dict) else None
    docsum = result.get(uid) if isinstance(result, dict) else None
    if not isinstance(docsum, dict):
        raise BadResponse(f"esummary answered without a summary for {uid}")
    return docsum


def docsum_record(docsum: dict[str, Any], db: str, uid: str) -> Record:
    ids = _article_ids(docsum)
    pmid = uid if db == "pubmed" else ids.get("pmid")
    pmcid = ids.get("pmc") or ids.get("pmcid") or (PMCID_PREFIX + uid if db == "pmc" else None)
    fields = Fields(
        title=_title(docsum.get("title")),
        authors=[a for a in map(_author, docsum.get("authors") or []) if a is not None],
        year=next((y for y in (year_in(docsum.get(k)) for k in DATE_KEYS) if y), None),
        container=text(docsum.get("source")),
        volume=text(docsum.get("volume")),
        issue=text(docsum.get("issue")),
        pages=text(docsum.get("pages")),
        doi=ids.get("doi") or _elocation_doi(docsum.get("elocationid")),
        pmid=pmid,
        pmcid=pmcid,
        type=text(docsum.get("pubtype")),
    )
    record_id = pmcid if db == "pmc" and pmcid else uid
    url = f"{PMC_URL}{pmcid}/" if db == "pmc" else f"{PUBMED_URL}{uid}/"
    return Record(
        source=PubmedResolver.name,
        id=record_id or uid,
        fields=fields,
        url=url,
        flags=_flags(docsum.get("pubtype")),
    )


def _article_ids(docsum: dict[str, Any]) -> dict[str, str]:
    """`articleids` as {idtype: value}: pubmed, pmid, doi, pmc, pmcid, pii, …"""
    ids: dict[str, str] = {}
    for item in docsum.get("articleids") or []:
        if isinstance(item, dict):
            kind, value = text(item.get("idtype")), text(item.get("value"))
            if kind and value:
                ids.setdefault(kind.lower(), value)
    return ids


def _elocation_doi(value: Any) -> str | None:
    """The DOI in an `elocationid` such as "doi: 10.1038/x. pii: 123"."""
    location = text(value) or ""
    start = location.lower().find(ELOCATION_DOI)
    if start < 0:
        return None
    words = location[start + len(ELOCATION_DOI) :].split()
    return words[0].rstrip(".") if words else None


def _title(value: Any) -> str | None:
    """PubMed ends titles with a period that is not part of the work's title."""
    title = text(value)
    return title[:-1] if title and title.endswith(".") else title


def _author(entry: Any) -> Author | None:
    """An Author from "Smith JA" (family, then initials), or a collective name."""
    if not isinstance(entry, dict):
        return None
    name = text(entry.get("name"))
    if not name:
        return None
    if (text(entry.get("authtype")) or "").lower() == COLLECTIVE:
        return Author(name=name)
    family, _, initials = name.rpartition(" ")
    if family and initials.isupper() and initials.isalpha():
        return Author(family=family, given=initials)
    return Author(family=name)


def _flags(pubtypes: Any) -> list[str]:
    if not isinstance(pubtypes, list):
        return []
    return sorted(
        {
            PUBTYPE_FLAGS[t.lower()]
            for t in pubtypes
            if isinstance(t, str) and t.lower() in PUBTYPE_FLAGS
        }
    )
