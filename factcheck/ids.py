"""Canonical identifiers and their links: one place for what every layer reads and writes.

- The order of preference among a work's identifiers (`IDENTIFIER_FIELDS`): the DOI, then the
  arXiv id, PubMed's PMID and PMCID, then the ISBN. `Fields.identifier`, the fixes, the
  ignore file and the Checker's searches all follow it.
- A DOI as people and models write it (`doi:10.1/x`, `https://dx.doi.org/10.1/x`) made bare
  (`normalize_doi`), and the DOI a doi.org link names (`doi_after_link`, `linked_doi`).
- A DOI as two DOIs are compared and indexed (`doi_key`): also percent-decoded, ASCII letters
  lower-cased.
- A PMID without the `pmid:` label people write before it (`normalize_pmid`).
- The DataCite DOIs arXiv mints (`ARXIV_DOI_PREFIX`).
- Identifiers put into URLs: each one exactly one path segment, and the public links of a work.

A text decides which identifiers are looked up, so an identifier must never change *which*
resource a URL names. Pasted raw into `/works/{doi}`, `10.7777/../10.1234/abc` asks for
`/works/10.1234/abc` (requests and servers resolve `..`), `10.1234/../../../x` leaves
`/works/` altogether, and `?` or `#` end the path. `path_segment` percent-encodes every
character outside RFC 3986's unreserved set, `/` and `\\` included, so the identifier stays
one segment under the path it was meant for, whatever it holds.

A segment that is empty or only `.` / `..` cannot be made safe by encoding: requests decodes
`%2E` back to `.` (it unquotes unreserved characters) and URL parsers read `%2e%2e` as `..`.
No identifier has that form, so `path_segment` refuses it (`UnsafeIdentifier`).

Links shown to people (`doi_link`, `arxiv_link`) keep the `/` of `10.1038/nature14539` and
`hep-th/9901001` readable when every part between the slashes is a plain segment, and fall
back to one encoded segment otherwise, so that no link can lead to another work either; a
value that cannot be linked at all gets no link (None) rather than an error in a report.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote, urlsplit

from .errors import UnsafeIdentifier
from .normalize import ascii_lower

if TYPE_CHECKING:
    from .model import Fields

# A work's identifiers, the most useful first: the order in which a claim's identifier is
# chosen (`Fields.identifier`), and the fields that are identifiers (Fields attributes, and
# the values of `model.Kind` for these claims).
IDENTIFIER_FIELDS = ("doi", "arxiv", "pmid", "pmcid", "isbn")

# How a doi.org link starts: through `dx.` or `www.`, with either scheme, in any (ASCII) case.
_DOI_HOST = r"(?:dx\.|www\.)?doi\.org/"
_DOI_LINK = re.compile(rf"https?://{_DOI_HOST}", re.ASCII | re.IGNORECASE)
# What people and models put in front of a DOI: a doi.org link, with or without its scheme,
# or the `doi:` label.
_DOI_PREFIX = re.compile(rf"(?:https?://)?{_DOI_HOST}|doi:", re.ASCII | re.IGNORECASE)
# The label people write before a PMID ("PMID: 123"), lower-cased.
PMID_PREFIX = "pmid:"
# Every DOI starts so: the directory indicator "10." and at least one character of its prefix.
_DOI_START = re.compile(r"10\..")

WEB_SCHEMES = frozenset({"http", "https"})
# Characters a web link keeps as they are; anything else (spaces, quotes, brackets, "<", ">")
# is percent-encoded, so that a link from model output cannot break out of its markup.
URL_SAFE = ":/?#@!$&'*+,;=%-._~"

DOI_ORG = "https://doi.org/"
# The DataCite DOIs arXiv mints for every paper: "10.48550/arXiv.2101.00001" (compare it
# case-insensitively: DOIs are).
ARXIV_DOI_PREFIX = "10.48550/arXiv."
ARXIV_ABS = "https://arxiv.org/abs/"
PUBMED = "https://pubmed.ncbi.nlm.nih.gov/"
PMC = "https://pmc.ncbi.nlm.nih.gov/articles/"
# Segments that name another place than themselves, encoded or not.
DOT_SEGMENTS = frozenset({"", ".", ".."})
SEPARATOR = "/"


def normalize_doi(text: str) -> str:
    """A bare DOI (`10.x/y`) from the forms people write (`doi:10.x/y`, `doi.org/10.x/y`,
    `https://dx.doi.org/10.x/y`); case is kept, DOIs ignore it. Only one prefix is taken off:
    what follows it is the DOI as written."""
    doi = text.strip()
    prefix = _DOI_PREFIX.match(doi)
    return doi[prefix.end() :].strip() if prefix else doi


def doi_key(doi: str) -> str:
    """A DOI as compared and indexed: bare (`normalize_doi`), percent-decoded, ASCII letters
    lower-cased. (Percent-decoded because a DOI and its encoding as a URL path segment are
    one DOI; DOIs are case-insensitive in ASCII only, so other letters keep their case, see
    `normalize.ascii_lower`.)"""
    return ascii_lower(normalize_doi(unquote(doi)))


def doi_after_link(text: str) -> str | None:
    """What follows the start of a doi.org link (`https://doi.org/`, `http://dx.doi.org/`,
    `https://www.doi.org/`), as written; None when `text` is no doi.org link."""
    link = _DOI_LINK.match(text)
    return text[link.end() :] if link else None


def linked_doi(url: str) -> str | None:
    """The DOI a doi.org link names (`https://doi.org/10.1/x` -> `10.1/x`); None for any
    other link, and for a doi.org link to no DOI (its home page, a help page)."""
    doi = doi_after_link(url)
    return doi if doi is not None and _DOI_START.match(doi) else None


def normalize_pmid(text: str) -> str:
    """A PMID without the `pmid:` label written before it, in any case (`PMID: 123` ->
    `123`); whether it is a number is the caller's question."""
    pmid = text.strip()
    return pmid[len(PMID_PREFIX) :].strip() if pmid.lower().startswith(PMID_PREFIX) else pmid


def path_segment(value: str) -> str:
    """`value` percent-encoded as one URL path segment: only letters, digits and `-._~` stay
    as they are. Raises UnsafeIdentifier for an empty or dots-only value."""
    if value in DOT_SEGMENTS:
        raise UnsafeIdentifier(f"{value!r} is not an identifier that can be looked up")
    return quote(value, safe="")


def readable_path(value: str) -> str | None:
    """`value` as URL path segments split at its `/` when every part is a plain segment,
    else the whole of it as one segment; None when not even that is safe."""
    if value in DOT_SEGMENTS:
        return None
    parts = value.split(SEPARATOR)
    if any(part in DOT_SEGMENTS for part in parts):
        return path_segment(value)
    return SEPARATOR.join(path_segment(part) for part in parts)


def doi_link(doi: str) -> str | None:
    """The public https://doi.org link of a DOI."""
    path = readable_path(doi)
    return None if path is None else DOI_ORG + path


def arxiv_link(arxiv_id: str) -> str | None:
    """The abstract page of an arXiv id (with or without its version)."""
    path = readable_path(arxiv_id)
    return None if path is None else ARXIV_ABS + path


def pubmed_link(pmid: str) -> str:
    """The PubMed page of a PMID (the resolver has checked that it is a number)."""
    return PUBMED + path_segment(pmid) + SEPARATOR


def pmc_link(pmcid: str) -> str | None:
    """The PubMed Central page of a PMCID."""
    path = None if pmcid in DOT_SEGMENTS else path_segment(pmcid)
    return None if path is None else PMC + path + SEPARATOR


def work_link(fields: Fields) -> str | None:
    """A web address for the work: its DOI at doi.org, its arXiv page, or its own URL."""
    if fields.doi:
        return doi_link(fields.doi)
    if fields.arxiv:
        return arxiv_link(fields.arxiv)
    return web_url(fields.url) if fields.url else None


def web_url(url: str) -> str | None:
    """`url` made safe to put in a link, or None when it is not an http(s) address (model
    output may hold `javascript:` and other schemes that no report should link to)."""
    if urlsplit(url.strip()).scheme.lower() not in WEB_SCHEMES:
        return None
    return quote(url.strip(), safe=URL_SAFE)
