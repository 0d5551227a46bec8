"""PubMed and PubMed Central, through NCBI E-utilities: PMID and PMCID lookups (esummary), and
a title search for references (esearch, then esummary).

Lookups. `GET {pubmed_url}/esummary.fcgi?db=pubmed&id=<pmid>&retmode=json` (db=pmc and the
number of a PMCID) answers `{"result": {"uids": [...], "<uid>": {…docsum…}}}`. An id NCBI does
not hold comes back as HTTP 200 with `result["<uid>"]["error"]` ("cannot get document
summary"): missing, authoritatively, since PubMed is the registry of PMIDs and PMC of PMCIDs.
An id that is not a number cannot exist, so it is missing without asking.

Search. `GET {pubmed_url}/esearch.fcgi?db=pubmed&term=<query>&retmode=json&retmax=5
&sort=relevance` answers `{"esearchresult": {"count": "…", "idlist": ["<pmid>", …], …}}`.
The query is the title's words, each tagged `[ti]` (a tag binds only the term before it) and
joined by `AND`: only titles holding every word match, and a tag turns PubMed's automatic term
mapping (synonyms, MeSH) off. Nothing of the title reaches PubMed's query syntax: the words are
cut at every non-word character (brackets, quotes, `*` truncation, `:` ranges, `/` subheadings,
`#` history references) and lower-cased, and `and`/`or`/`not` are dropped with the other
function words in `STOP_WORDS`, so no title can write an operator or a tag. `sort=relevance`
(Best Match), because esearch's default order is by date, which buries an old paper under a
short, common title. An empty `idlist` is MISSING after that one request; otherwise one esummary
request (`id=<pmid>,<pmid>,…`) fetches every hit's docsum, mapped as for a lookup; docsums with
an `error` are skipped. A search therefore costs 1 request without hits and 2 with. A hit is
taken only when `candidates` validates it against the claimed fields; every other answer is
MISSING. A reference without a title (or with only function words) is not searched. An answer
without `esearchresult.idlist` (E-utilities puts an `ERROR` there instead, e.g. for an empty
term) or an esummary without `result` is FAILED, as is any status other than 200.

When a search miss is evidence (`covers`). PubMed holds biomedicine and the life sciences, not
all journals: its silence on a history or an engineering article says nothing, and the claim
does not say what field it is in. The only general sign a claim carries is its venue's name,
so a miss is authoritative for a journal article with title and year (`candidates.
indexed_claim`) whose claimed journal has a word from a small named list of biomedical venue
words (`BIOMEDICAL_WORDS` whole, `BIOMEDICAL_STEMS` as a prefix): "N Engl J Med", "The Lancet",
"Journal of Clinical Oncology", "Cell". Short forms must be whole words and the stems are
specific, so that "New Media & Society", "Medieval History" and "Neurocomputing" (a computing
journal PubMed does not index) do not pass. A journal with such a name may still be outside
PubMed, and the title search (every word, no stemming) misses a misquoted title; but a searched
reference is called not found only when every source asked missed it (`judge.
search_exhausted`), and OpenAlex's miss on a dated journal article is already evidence, so the
rule matters mostly when OpenAlex is not asked. In the default order PubMed comes after
Crossref, OpenAlex, DBLP and arXiv, and the Checker stops at the first source that finds the
work, so the search runs only for references those missed.

NCBI asks callers to name their tool and give a contact email; both are sent with every request.

A PMID or PMCID is ASCII digits (`"١٢٣".isdigit()` is true in Python, so `isdigit` alone is
not the test), and the docsum must be the one asked for: its `uid` must be the number asked
about, or the lookup FAILED (`WrongRecord`, flag `wrong_record`). Docsum fields of the wrong
type (`DOCSUM_SHAPE`) make the answer no evidence (BadResponse).
"""

from __future__ import annotations

import re
from http import HTTPStatus
from typing import Any

from ..errors import BadResponse
from ..flags import RETRACTED, RETRACTION_NOTICE
from ..links import pmc_link, pubmed_link
from ..model import Author, Citation, Fields, Kind, Record
from .base import Lookup, parse_json
from .candidates import Hit, decide, indexed_claim, not_searched
from .common import ApiResolver, claimed_id, require_same_id
from .mapping import Shape, is_number, is_text, list_of, require_shape, shaped, text, year_in

TOOL = "factcheck"
PMCID_PREFIX = "PMC"
PMID_PREFIX = "pmid:"
DATE_KEYS = ("pubdate", "epubdate", "sortpubdate", "printpubdate", "sortdate")
ELOCATION_DOI = "doi:"
# Publication types that mark retractions, and the flag each earns.
PUBTYPE_FLAGS = {
    "retracted publication": RETRACTED,
    "retraction of publication": RETRACTION_NOTICE,
}
COLLECTIVE = "collectivename"

# Title search (see the module docstring).
PUBMED_DB = "pubmed"
ESEARCH = "/esearch.fcgi"
ESUMMARY = "/esummary.fcgi"
# Hits asked for: a title search rarely has its right answer below the top five.
RETMAX = 5
SORT = "relevance"
TITLE_TAG = "[ti]"
AND = " AND "
ID_SEPARATOR = ","
# Longest query sent; whole words only, so the URL stays short.
MAX_QUERY_CHARS = 300
# Shorter words are left out: a possessive's "s" or an initial is indexed unreliably.
MIN_WORD_CHARS = 2
# Function words left out of the query: a title that adds or drops one still matches, and the
# boolean operators are among them (PubMed reads them only in capitals, but never send them).
STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "as",
        "at",
        "by",
        "for",
        "from",
        "in",
        "is",
        "not",
        "of",
        "on",
        "or",
        "the",
        "to",
        "with",
    ]
)
# The claimed type whose absence from PubMed can be evidence, with a biomedical venue.
COVERED_TYPE = "article-journal"
# Words of a venue's name that mark it biomedical: whole words (short forms and names), and
# stems that start a word ("medic" in medicine, medical; "oncol" in oncology, oncologist).
BIOMEDICAL_WORDS = frozenset({"med", "clin", "lancet", "jama", "bmj", "nejm", "cell"})
BIOMEDICAL_STEMS = (
    "medic",
    "clinic",
    "health",
    "cancer",
    "pharm",
    "neurol",
    "neurosci",
    "biol",
    "nurs",
    "surg",
    "oncol",
    "pediatr",
    "paediatr",
    "cardiol",
    "immunol",
    "epidemiol",
    "psychiatr",
    "infect",
    "patho",
    "physiol",
)

_NON_WORD = re.compile(r"[\W_]+")

# The types of what `docsum_record` and `docsum_hit` read (see `mapping.require_shape`).
DOCSUM_SHAPE: Shape = {
    "uid": is_number,
    "title": is_text,
    "authors": list_of(shaped({"name": is_text, "authtype": is_text})),
    **{key: is_text for key in DATE_KEYS},
    "source": is_text,
    "fulljournalname": is_text,
    "volume": is_number,
    "issue": is_number,
    "pages": is_number,
    "articleids": list_of(shaped({"idtype": is_text, "value": is_number})),
    "elocationid": is_text,
    "pubtype": list_of(is_text),
}


class PubmedResolver(ApiResolver):
    """Looks PMIDs up in PubMed and PMCIDs in PubMed Central, and searches PubMed by title."""

    name = "pubmed"
    kinds = frozenset({Kind.PMID, Kind.PMCID, Kind.REFERENCE})

    def _lookup(self, citation: Citation) -> Lookup:
        if citation.kind is Kind.REFERENCE:
            return self._search(citation)
        db, uid, label = _target(citation)
        if not is_uid(uid):
            return Lookup.missing(self.name, f"{label} is not a valid {db} id", authoritative=True)
        response = self._get(self.config.pubmed_url + ESUMMARY, self._params(db, uid))
        if response.status_code != HTTPStatus.OK:
            return self._unexpected(response)
        docsum = _docsum(parse_json(response, self.name), uid)
        # A summary must name its uid; an error may leave it out.
        if "error" not in docsum or docsum.get("uid") is not None:
            require_same_id(f"{db} id", uid, text(docsum.get("uid")), self.name)
        if "error" in docsum:
            return Lookup.missing(
                self.name,
                f"{db} has no record {label}: {text(docsum['error'])}",
                authoritative=True,
            )
        return Lookup.found(self.name, docsum_record(docsum, db, uid))

    def _search(self, citation: Citation) -> Lookup:
        query = title_query(citation.fields.title or "")
        if not query:
            return not_searched(self.name)
        params = {
            "db": PUBMED_DB,
            "term": query,
            "retmode": "json",
            "retmax": str(RETMAX),
            "sort": SORT,
            **self._caller(),
        }
        response = self._get(self.config.pubmed_url + ESEARCH, params)
        if response.status_code != HTTPStatus.OK:
            return self._unexpected(response)
        pmids = _idlist(parse_json(response, self.name))
        hits = self._summaries(pmids) if pmids else []
        titled = [h for h in hits if h.record.fields.title]
        return decide(
            self.name,
            "PubMed",
            citation,
            titled,
            len(pmids),
            covers(citation.fields),
            self.config.thresholds,
        )

    def _summaries(self, pmids: list[str]) -> list[Hit]:
        """The hits of one esummary request for all `pmids`, in the search's order."""
        uids = ID_SEPARATOR.join(pmids)
        response = self._get(self.config.pubmed_url + ESUMMARY, self._params(PUBMED_DB, uids))
        if response.status_code != HTTPStatus.OK:
            raise BadResponse(f"{self.name} answered HTTP {response.status_code} to esummary")
        result = _result(parse_json(response, self.name))
        docsums = [(pmid, result.get(pmid)) for pmid in pmids]
        found = [(p, d) for p, d in docsums if isinstance(d, dict) and "error" not in d]
        for pmid, docsum in found:
            require_shape(docsum, DOCSUM_SHAPE, self.name)
            require_same_id("PMID", pmid, text(docsum.get("uid")), self.name)
        return [docsum_hit(docsum, pmid) for pmid, docsum in found]

    def _params(self, db: str, uid: str) -> dict[str, str]:
        return {"db": db, "id": uid, "retmode": "json", **self._caller()}

    def _caller(self) -> dict[str, str]:
        """Who asks, as NCBI wants to know: the tool, and a contact address when configured."""
        params = {"tool": TOOL}
        if self.config.mailto:
            params["email"] = self.config.mailto
        return params


def covers(fields: Fields) -> bool:
    """Whether PubMed's silence on this claim is evidence: a journal article (see
    `candidates.indexed_claim`) in a journal whose name looks biomedical."""
    return indexed_claim(fields, frozenset({COVERED_TYPE})) and is_biomedical_venue(
        fields.container or ""
    )


def is_uid(text: str) -> bool:
    """Whether `text` is a PubMed or PMC number: ASCII digits only."""
    return text.isascii() and text.isdigit()


def is_biomedical_venue(venue: str) -> bool:
    """Whether a venue's name has a word of `BIOMEDICAL_WORDS`, or one starting with a stem of
    `BIOMEDICAL_STEMS`."""
    words = _NON_WORD.sub(" ", venue).lower().split()
    return any(w in BIOMEDICAL_WORDS or w.startswith(BIOMEDICAL_STEMS) for w in words)


def title_query(title: str) -> str:
    """An esearch term that finds titles holding every word of `title`: `word[ti] AND …`.

    Only runs of letters and digits get through, lower-cased, without `STOP_WORDS` and words
    under MIN_WORD_CHARS, so the title cannot add operators, tags, phrases or wildcards."""
    terms: list[str] = []
    length = 0
    for word in _NON_WORD.sub(" ", title).lower().split():
        if len(word) < MIN_WORD_CHARS or word in STOP_WORDS:
            continue
        term = word + TITLE_TAG
        length += len(term) + (len(AND) if terms else 0)
        if length > MAX_QUERY_CHARS:
            break
        terms.append(term)
    return AND.join(terms)


def _idlist(payload: Any) -> list[str]:
    """The PMIDs of an esearch answer; BadResponse when it has no `esearchresult.idlist`."""
    found = payload.get("esearchresult") if isinstance(payload, dict) else None
    ids = found.get("idlist") if isinstance(found, dict) else None
    if not isinstance(ids, list):
        error = found.get("ERROR") if isinstance(found, dict) else None
        detail = f": {text(error)}" if error else ""
        raise BadResponse(f"esearch answered without a list of ids{detail}")
    return [uid for uid in (text(i) for i in ids) if uid and is_uid(uid)]


def _result(payload: Any) -> dict[str, Any]:
    """The `result` object of an esummary answer; BadResponse when there is none."""
    result = payload.get("result") if isinstance(payload, dict) else None
    if not isinstance(result, dict):
        raise BadResponse("esummary answered without a result")
    return result


def docsum_hit(docsum: dict[str, Any], pmid: str) -> Hit:
    """A search hit: the docsum's Record, with the journal's full name as another venue name
    (`source` is NLM's abbreviation, "N Engl J Med"; `fulljournalname` the name written out)."""
    record = docsum_record(docsum, PUBMED_DB, pmid)
    full = text(docsum.get("fulljournalname"))
    aliases = [full] if full and full != record.fields.container else []
    return Hit(record, aliases)


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
    docsum = _result(payload).get(uid)
    if not isinstance(docsum, dict):
        raise BadResponse(f"esummary answered without a summary for {uid}")
    if "error" not in docsum:
        require_shape(docsum, DOCSUM_SHAPE, PubmedResolver.name)
    return docsum


def docsum_record(docsum: dict[str, Any], db: str, uid: str) -> Record:
    """A PubMed or PMC summary (`db`, `uid`) as a Record."""
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
    url = pmc_link(pmcid) if db == "pmc" and pmcid else pubmed_link(uid)
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
