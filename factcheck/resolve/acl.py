"""The ACL Anthology: every paper of the ACL's venues, answered from a local index of the
Anthology's published BibTeX (`factcheck library update acl`, `resolve.aclupdate`).

The Anthology publishes all of its entries as one BibTeX file (`anthology.bib.gz`); each
entry carries `url = "https://aclanthology.org/2020.acl-main.1"`, and most a `doi`,
`booktitle` or `journal`, `editor`, `pages` and `publisher`. The update indexes that file
with the library's own index (`library.write_index`: the same table, the same FTS5 search),
keyed by each entry's Anthology id (`acl_id`), so this source is the library source with
three differences:

- a claim is looked up by the Anthology id in its link (`aclanthology.org/P19-1001`, also
  under `aclweb.org/anthology/`) or in its text (`2020.acl-main.1`, `ACL Anthology P19-1001`),
  then by its DOI, then by title (`Library.hits` and
  `candidates.decide`, as every search);
- the index lives where the update put it: the user's data directory, or the `index`
  setting (`FACTCHECK_ACL_INDEX`, `[tool.factcheck.plugins.acl] index = …` in the user's
  own configuration: a configuration file found in the checked tree may not set it,
  `configtrust`);
- a missing or unreadable index is no answer: every lookup is FAILED (so `unverifiable`,
  never `not_found`), with a reason that says to run the update, and one warning.

What its silence proves (`covers`). The Anthology holds every paper the ACL and its sister
bodies published, and little else. So a miss is evidence only for a claimed paper at an ACL
venue (`ACL_VENUES`: ACL, EMNLP, NAACL, EACL, AACL, COLING, CoNLL, Findings, TACL,
Computational Linguistics, *SEM, SemEval, WMT, LREC, or any venue whose claimed publisher
is the ACL), or for a claim that links an Anthology id (a workshop's `W19-…` too), whose
year falls within the years of the works the index holds; on anything else (a journal
named "…Journal of Computational Linguistics", NeurIPS, a book) it proves nothing. A claimed
DOI that is not in the index proves nothing either: doi.org is the registry that settles it.
"""

from __future__ import annotations

import logging
import re
import sqlite3
import threading
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

import platformdirs

from ..compare.venues import venue_score
from ..errors import ConfigError
from ..ids import doi_key, normalize_doi
from ..lookup import Lookup, Outcome
from ..model import Citation, Fields, Kind
from ..net.cache import CACHE_APP_NAME
from .candidates import decide, not_searched
from .common import claimed_id
from .library import INDEX_SUFFIXES, KEY_COLUMN, Entry, Library
from .settings import SourceSettings, settings_for

if TYPE_CHECKING:
    from ..config import Config
    from ..net.http import Http

logger = logging.getLogger(__name__)

SOURCE = "acl"
# How reasons name this source ("the ACL Anthology's search found …").
LABEL = "the ACL Anthology"
# Where the update downloads the Anthology's BibTeX (the source's `url` setting).
DEFAULT_URL = "https://aclanthology.org/anthology.bib.gz"
# The index's file name in the user's data directory.
INDEX_FILE = "acl-anthology.sqlite"
UPDATE_COMMAND = "factcheck library update acl"

# An Anthology id: new ones (`2020.acl-main.1`, `2020.findings-emnlp.12`, `2022.tacl-1.3`),
# old ones (`P19-1001`, `W19-5301`, `Q19-1001`: a letter for the venue, two digits for the
# year). In a link (aclanthology.org/<id>, aclweb.org/anthology/<id>), optionally `.pdf`.
NEW_ID = r"\d{4}\.[a-z0-9]+(?:-[a-z0-9]+)*\.\d+"
OLD_ID = r"[A-Z]\d{2}-\d{4}"
# A new id written alone: its venue part begins with a letter (not a version: "2020.12.1").
BARE_NEW_ID = r"\d{4}\.[a-z][a-z0-9]*(?:-[a-z0-9]+)*\.\d+"
_LINK = re.compile(
    rf"(?:aclanthology\.org|aclweb\.org/anthology)/(?P<id>{NEW_ID}|{OLD_ID})(?![\w-])",
    re.IGNORECASE,
)
_OLD_ID = re.compile(OLD_ID, re.IGNORECASE)
# An id given in the text without a link: a new one alone (its form is the Anthology's own),
# an old one only after the Anthology's name ("ACL Anthology P19-1001", "Anthology ID:
# W19-5301"), since a letter, two digits and four more are also a grant's or a part's number.
_NAMED_ID = re.compile(
    rf"(?<![\w./-])(?P<id>{BARE_NEW_ID})(?![\w-])"
    rf"|\b(?:ACL\s+)?Anthology(?:\s+ID)?\s*:?\s*(?P<old>{OLD_ID})\b",
    re.IGNORECASE,
)
# An old id's two-digit year: from 50 on it is the 1900s (the Anthology begins in 1952).
CENTURY_PIVOT = 50

# ACL venues, each as the names a claim may give it (`venues.venue_score`). Some only by
# acronym, whose written-out names others' contain or spell alike: "International Conference
# on Computational Linguistics" would also name "International Journal of Computational
# Linguistics", "Language Resources and Evaluation Conference" Springer's journal "Language
# Resources and Evaluation" (the acronym still matches LREC's proceedings' written names).
ACL_VENUES: tuple[tuple[str, ...], ...] = (
    ("ACL", "Annual Meeting of the Association for Computational Linguistics"),
    ("EMNLP", "Conference on Empirical Methods in Natural Language Processing"),
    ("NAACL", "North American Chapter of the Association for Computational Linguistics"),
    ("EACL", "European Chapter of the Association for Computational Linguistics"),
    ("AACL", "Asia-Pacific Chapter of the Association for Computational Linguistics"),
    ("TACL", "Transactions of the Association for Computational Linguistics"),
    ("CoNLL", "Conference on Computational Natural Language Learning"),
    ("*SEM", "Joint Conference on Lexical and Computational Semantics"),
    ("SemEval", "International Workshop on Semantic Evaluation"),
    ("COLING",),
    ("LREC",),
    ("WMT",),
)
# Venues named exactly (lower case): the ACL's journal has a name others contain.
EXACT_VENUES = frozenset({"computational linguistics"})
# "Findings of the ACL", "Findings of EMNLP 2021": the ACL's Findings volumes.
_FINDINGS = re.compile(r"^\s*findings\s+of\b", re.IGNORECASE)
# No ACL venue is called a journal: "…Journal of Computational Linguistics" is another's.
_JOURNAL = re.compile(r"\bjournal\b", re.IGNORECASE)


class AclSettings(SourceSettings):
    """The `acl` source's settings: `url`, where the update downloads the BibTeX from, and
    `index`, the index file (default: `INDEX_FILE` in the user's data directory)."""

    index: Path | None = None


def index_path(config: Config) -> Path:
    """Where the ACL Anthology index is, or will be written by the update."""
    chosen = settings_for(AclResolver, config)
    if not isinstance(chosen, AclSettings) or chosen.index is None:
        return Path(platformdirs.user_data_dir(CACHE_APP_NAME)) / INDEX_FILE
    path = chosen.index.expanduser()
    if path.suffix.lower() not in INDEX_SUFFIXES:
        raise ConfigError(
            f"the acl index {path}: name it with one of {', '.join(sorted(INDEX_SUFFIXES))}"
        )
    return path


def canonical_id(raw: str) -> str:
    """An Anthology id as the index keys it: old ids in capitals, new ones in lower case."""
    return raw.upper() if _OLD_ID.fullmatch(raw) else raw.lower()


def acl_id(fields: Fields, raw: str = "") -> str | None:
    """The Anthology id a claim links to (in its URL field, else anywhere in its text), or
    names in its text without a link."""
    found = _LINK.search(fields.url or "") or _LINK.search(raw)
    if found:
        return canonical_id(found.group("id"))
    named = _NAMED_ID.search(raw)
    return canonical_id(named.group("id") or named.group("old")) if named else None


def id_year(anthology_id: str) -> int:
    """The year an Anthology id names: its first four digits, or an old id's two."""
    if _OLD_ID.fullmatch(anthology_id):
        short = int(anthology_id[1:3])
        return short + (1900 if short >= CENTURY_PIVOT else 2000)
    return int(anthology_id[:4])


def keyed(entry: Entry) -> Entry:
    """An entry of the Anthology's BibTeX keyed by its Anthology id (from its `url`), for
    the index; an entry without one keeps its BibTeX key."""
    anthology_id = acl_id(entry.fields)
    return entry.model_copy(update={"key": anthology_id}) if anthology_id else entry


def acl_venue(fields: Fields) -> bool:
    """Whether the claim places the work at an ACL venue, or says the ACL published it."""
    container = fields.container or ""
    if fields.publisher and venue_score(fields.publisher, ACL_VENUES[0]) >= 1.0:
        return True
    if not container or _JOURNAL.search(container):
        return False
    if container.strip().lower() in EXACT_VENUES or _FINDINGS.match(container):
        return True
    return any(venue_score(container, names) >= 1.0 for names in ACL_VENUES)


def covers(fields: Fields, anthology_id: str | None, years: tuple[int, int] | None) -> bool:
    """Whether the index's silence on this claim is evidence (see the module docstring)."""
    year = id_year(anthology_id) if anthology_id else fields.year
    if years is None or year is None or not years[0] <= year <= years[1]:
        return False
    return anthology_id is not None or (bool(fields.title) and acl_venue(fields))


class AclResolver:
    """Looks claims up in the local ACL Anthology index; no network."""

    name: ClassVar[str] = SOURCE
    kinds: ClassVar[frozenset[Kind]] = frozenset({Kind.DOI, Kind.REFERENCE})
    default_url = DEFAULT_URL
    settings_model = AclSettings

    def __init__(self, http: Http, config: Config) -> None:
        self.config = config
        self.path = index_path(config)
        self._lock = threading.Lock()
        self._library: Library | None = None
        if not self.path.is_file():
            logger.warning("%s", self._no_index())

    def lookup(self, citation: Citation) -> Lookup:
        """FOUND with the Anthology's entry, or MISSING (authoritative as `covers` says);
        FAILED when there is no index, or it cannot be read."""
        library = self._open()
        if library is None:
            return Lookup.failed(self.name, self._no_index())
        try:
            if citation.kind is Kind.DOI:
                return self._by_doi(library, normalize_doi(claimed_id(citation, "doi")))
            return self._reference(library, citation)
        except (ConfigError, sqlite3.Error) as exc:
            reason = f"the ACL Anthology index cannot be read ({exc}); run `{UPDATE_COMMAND}`"
            return Lookup.failed(self.name, reason)

    def _open(self) -> Library | None:
        """The index, opened on first use; None while there is none."""
        with self._lock:
            if self._library is None and self.path.is_file():
                self._library = Library([self.path])
            return self._library

    def _no_index(self) -> str:
        return f"no ACL Anthology index at {self.path}: run `{UPDATE_COMMAND}` to download it"

    def _by_doi(self, library: Library, doi: str) -> Lookup:
        entry = library.by_identifier([("doi", doi_key(doi))])
        if entry is not None:
            return Lookup.found(self.name, entry.record(self.name))
        reason = f"{LABEL} holds no paper with DOI {doi}"
        return Lookup.missing(self.name, reason, authoritative=False)

    def _reference(self, library: Library, citation: Citation) -> Lookup:
        fields = citation.fields
        anthology_id = acl_id(fields, citation.raw)
        probes = [(KEY_COLUMN, anthology_id)] if anthology_id else []
        probes += [("doi", doi_key(fields.doi))] if fields.doi else []
        entry = library.by_identifier(probes) if probes else None
        if entry is not None:
            return Lookup.found(self.name, entry.record(self.name))
        covered = covers(fields, anthology_id, library.years())
        if not fields.title:
            if anthology_id is None:
                return not_searched(self.name)
            reason = f"{LABEL} holds no paper {anthology_id}"
            return Lookup.missing(self.name, reason, authoritative=covered)
        hits = library.hits(fields.title, self.name)
        lookup = decide(
            self.name, LABEL, citation, hits, len(hits), covered, self.config.thresholds
        )
        if anthology_id is None or lookup.outcome is not Outcome.MISSING:
            return lookup
        reason = f"{LABEL} holds no paper {anthology_id}, and {lookup.reason}"
        return lookup.model_copy(update={"reason": reason})
