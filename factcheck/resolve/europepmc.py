"""Europe PMC: the life-science literature (all of PubMed, PMC, and the biomedical preprint
servers), searched for references by title.

`GET {url}/search?query=TITLE:(<words>)&format=json&resultType=core&pageSize=5` answers
`{"version": …, "hitCount": N, "request": {…}, "resultList": {"result": [article, …]}}`, most
relevant first. An article (resultType `core`) has `id` and `source` (`MED` for PubMed, `PMC`,
`PPR` for a preprint, …), `title` (ending in a period that is not the title's), `authorList.
author` (`lastName`, `firstName`, or a `collectiveName`), `pubYear`, `journalInfo` (`volume`,
`issue`, `journal.title` and its abbreviations), `pageInfo`, `doi`, `pmid`, `pmcid`,
`pubTypeList.pubType` and, for a preprint, `bookOrReportDetails.publisher` (the server:
"bioRxiv", "medRxiv"). An answer without `resultList.result` is FAILED, never "no hits".

The query. Every word of the title must be in the article's title: `TITLE:(…)` with the words
joined by Europe PMC's default operator, AND. Nothing of the title reaches the query syntax:
only runs of letters and digits get through, lower-cased (its operators are upper-case), and
the function words, `and`/`or`/`not` among them, are left out (`pubmed.title_query`'s rule).

What its silence proves (`covers`). Europe PMC holds the biomedical literature, not all of
it: its silence on a journal article is evidence only when the claimed journal looks
biomedical (`pubmed.is_biomedical_venue`, the rule PubMed's search keeps), and on a preprint
only when the claim places it on a server whose every preprint Europe PMC holds (bioRxiv,
medRxiv: `PREPRINT_SERVERS`). A search that misses a misquoted title is why a reference is
called not found only when every source asked missed it.

Limits and key. Europe PMC needs no key and publishes no per-second figure in its REST
documentation; guides cite 10 requests a second per address. We keep to half of that
(`LIMIT`). Retractions show as the publication type "Retracted Publication" (flag
`retracted`), as in PubMed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..model import Author, Citation, Fields, Kind, Record
from ..net.limits import Limit
from .candidates import Hit, indexed_claim
from .mapping import Shape, is_number, is_text, list_of, shaped, text, year_in
from .pubmed import MIN_WORD_CHARS, PUBTYPE_FLAGS, STOP_WORDS, is_biomedical_venue
from .searching import JsonSearch, SearchingResolver, SearchRequest, SearchResult, items_at

if TYPE_CHECKING:
    import requests

DEFAULT_URL = "https://www.ebi.ac.uk/europepmc/webservices/rest"
SEARCH_PATH = "/search"
# Half the 10 requests a second that guides cite (see the module docstring).
LIMIT = Limit(rate=5.0, concurrency=2)
# Hits asked for: a title search rarely has its right answer below the top five.
PAGE_SIZE = 5
RESULT_TYPE = "core"
TITLE_FIELD = "TITLE"
LABEL = "Europe PMC"
ARTICLE_PAGE = "https://europepmc.org/article/"
# Europe PMC's source code for preprints, and the CSL types of what it holds.
PREPRINT_SOURCE = "PPR"
PREPRINT = "posted-content"
JOURNAL_ARTICLE = "article-journal"
PREPRINT_PUBTYPE = "preprint"
# Preprint servers whose every preprint Europe PMC holds: a claimed preprint there that it
# lacks is evidence (see `covers`).
PREPRINT_SERVERS = frozenset({"biorxiv", "medrxiv"})
# Longest query sent; whole words only.
MAX_QUERY_CHARS = 300

_NON_WORD = re.compile(r"[\W_]+")

_AUTHOR_SHAPE: Shape = {
    key: is_text for key in ("fullName", "firstName", "lastName", "initials", "collectiveName")
}
ARTICLE_SHAPE: Shape = {
    "id": is_text,
    "source": is_text,
    "title": is_text,
    "pubYear": is_number,
    "authorList": shaped({"author": list_of(shaped(_AUTHOR_SHAPE))}),
    "journalInfo": shaped(
        {
            "volume": is_number,
            "issue": is_number,
            "journal": shaped(
                {"title": is_text, "isoabbreviation": is_text, "medlineAbbreviation": is_text}
            ),
        }
    ),
    "pageInfo": is_number,
    "doi": is_text,
    "pmid": is_number,
    "pmcid": is_text,
    "pubTypeList": shaped({"pubType": list_of(is_text)}),
    "bookOrReportDetails": shaped({"publisher": is_text}),
}


class EuropePmcResolver(SearchingResolver):
    """Searches Europe PMC for references by title; biomedicine and its preprints."""

    name = "europepmc"
    label = LABEL
    kinds = frozenset({Kind.REFERENCE})
    default_url = DEFAULT_URL
    limit = LIMIT

    def search_query(self, citation: Citation) -> str:
        """`TITLE:(…)` with the claimed title's words (`title_query`)."""
        return title_query(citation.fields.title or "")

    def search_request(self, query: str) -> SearchRequest:
        """`search?query=…` for the first PAGE_SIZE results, each with its core fields."""
        params = {
            "query": query,
            "format": "json",
            "resultType": RESULT_TYPE,
            "pageSize": str(PAGE_SIZE),
        }
        return SearchRequest(self.settings.url + SEARCH_PATH, params)

    def read_hits(
        self, response: requests.Response, query: str, citation: Citation
    ) -> SearchResult:
        """The results of `resultList.result`."""
        return self.read_json(response, SEARCH)

    def covers(self, fields: Fields) -> bool:
        """See the module's `covers`."""
        return covers(fields)


def title_query(title: str) -> str:
    """`TITLE:(w1 w2 …)`: the title's words, lower-case, without function words (so no
    operator), cut at MAX_QUERY_CHARS; empty when no word is left."""
    words: list[str] = []
    length = 0
    for word in _NON_WORD.sub(" ", title).lower().split():
        if len(word) < MIN_WORD_CHARS or word in STOP_WORDS:
            continue
        length += len(word) + 1
        if length > MAX_QUERY_CHARS:
            break
        words.append(word)
    return f"{TITLE_FIELD}:({' '.join(words)})" if words else ""


def covers(fields: Fields) -> bool:
    """Whether Europe PMC's silence on this claim is evidence: a journal article in a
    biomedical journal, or a preprint claimed on bioRxiv or medRxiv (see the module
    docstring)."""
    venue = fields.container or ""
    words = set(_NON_WORD.sub(" ", venue).lower().split())
    if words & PREPRINT_SERVERS:
        return bool(fields.title and fields.year)
    return indexed_claim(fields, frozenset({JOURNAL_ARTICLE})) and is_biomedical_venue(venue)


def article_hit(article: Mapping[str, Any]) -> Hit:
    """A search hit: the article's Record, with its journal's abbreviations as other names."""
    record = article_record(article)
    journal = _mapping(_mapping(article.get("journalInfo")).get("journal"))
    names = [text(journal.get(k)) for k in ("isoabbreviation", "medlineAbbreviation")]
    aliases = [n for n in dict.fromkeys(names) if n and n != record.fields.container]
    return Hit(record, aliases)


def article_record(article: Mapping[str, Any]) -> Record:
    """A Record from one article of a `core` answer. Its id is the DOI, else `SOURCE/id`."""
    info = _mapping(article.get("journalInfo"))
    pubtypes = _strings(_mapping(article.get("pubTypeList")).get("pubType"))
    source = text(article.get("source")) or ""
    preprint = source == PREPRINT_SOURCE or PREPRINT_PUBTYPE in {t.lower() for t in pubtypes}
    server = text(_mapping(article.get("bookOrReportDetails")).get("publisher"))
    journal = text(_mapping(info.get("journal")).get("title"))
    doi = text(article.get("doi"))
    fields = Fields(
        title=_title(article.get("title")),
        authors=_authors(_mapping(article.get("authorList")).get("author")),
        year=year_in(text(article.get("pubYear"))),
        container=server if preprint else journal,
        volume=text(info.get("volume")),
        issue=text(info.get("issue")),
        pages=text(article.get("pageInfo")),
        doi=doi,
        pmid=text(article.get("pmid")),
        pmcid=text(article.get("pmcid")),
        type=PREPRINT if preprint else JOURNAL_ARTICLE if journal else None,
    )
    article_id = text(article.get("id")) or ""
    key = f"{source}/{article_id}" if source and article_id else article_id
    flags = sorted({PUBTYPE_FLAGS[t.lower()] for t in pubtypes if t.lower() in PUBTYPE_FLAGS})
    return Record(
        source=EuropePmcResolver.name,
        id=doi or key,
        fields=fields,
        url=ARTICLE_PAGE + key if key else None,
        flags=flags,
    )


def _title(value: Any) -> str | None:
    """Europe PMC ends titles with a period that is not part of the work's title."""
    title = text(value)
    return title[:-1].rstrip() if title and title.endswith(".") else title


def _authors(people: Any) -> list[Author]:
    """Authors from `lastName` and `firstName` (else `fullName`, "Smith JA"), or a group."""
    authors: list[Author] = []
    for person in people if isinstance(people, list) else []:
        entry = _mapping(person)
        family, given = text(entry.get("lastName")), text(entry.get("firstName"))
        group = text(entry.get("collectiveName"))
        full = text(entry.get("fullName"))
        if family:
            authors.append(Author(family=family, given=given or text(entry.get("initials"))))
        elif group:
            authors.append(Author(name=group))
        elif full:
            family, _, initials = full.rpartition(" ")
            authors.append(Author(family=family or full, given=initials if family else None))
    return authors


def _strings(value: Any) -> list[str]:
    values = value if isinstance(value, list) else [value]
    return [s for s in (text(v) for v in values) if s]


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


SEARCH = JsonSearch(items=items_at("resultList", "result"), shape=ARTICLE_SHAPE, hit=article_hit)
