"""Scholarly identifiers in free text: DOI, arXiv, PMID, PMCID and ISBN.

Model output is hostile and sometimes huge, so every pattern here runs in linear time:
a regex only finds where a token starts and takes a bounded run of allowed characters.
Where the token really ends (balanced brackets, trailing punctuation) is then decided
in plain Python on that short token, by `token_end`.

Each finder returns Citations whose `raw` is exactly `text[start:end]`. When a label
such as `doi:`, `arXiv:`, `PMID:` or `ISBN-13:` is written before an identifier, `raw`
includes it: the label is part of the claim, and leaving it out would leave stray
labels in `Citation.context`. BibTeX field syntax (`eprint = {`) is not a label.
Overlaps between finders are settled by `factcheck.extract.extract`.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import unquote

from factcheck.extract.bounds import Bounds, unbounded
from factcheck.ids import ARXIV_DOI_PREFIX
from factcheck.model import Citation, Fields, Kind

# Real DOIs stay far below this; the bound keeps a long unbroken line from being
# rescanned in full once per candidate.
MAX_DOI_LEN = 300
# Dotted parts a registrant code may have after its first ("10.1000.10/"): real ones
# have one or two. The bound keeps each try short, so "10.10.10.…" stays linear.
MAX_REGISTRANT_PARTS = 4
# How far before "10." a label such as "doi:" or "doi.org/" may start.
DOI_LABEL_LOOKBACK = 24
# A bare DOI needs a registrant code of at least this many digits ("10.1234/"), which
# keeps fractions such as "10.5/2" out; after a label any registrant is taken.
MIN_BARE_REGISTRANT_DIGITS = 4
# Links classified, remembered by their text (see `_classified`).
URL_CACHE_SIZE = 4096
# The first new-style arXiv id is 0704.0001 (April 2007).
FIRST_NEW_STYLE_ARXIV_YYMM = 704

# Bracket pairs that may sit inside an identifier when balanced. DOIs use angle
# brackets too (SICI DOIs: "...13:10<886::AID-RCM577>3.0.CO;2-B").
PAIRS = {")": "(", "]": "[", "}": "{"}
PAIRS_WITH_ANGLE = {**PAIRS, ">": "<"}
# Characters that end a sentence or a markdown emphasis rather than a token.
TRAILING_PUNCT = ".,;:!?'\"*_…“”‘’«»"
# An opener at the very end of a token can never be closed inside it.
STRIPPABLE = TRAILING_PUNCT + "([{<"
BRACKETS_RE = re.compile(r"[()\[\]{}<>]")

# Patterns below are ASCII-only (identifiers are; "\d" must not take other scripts'
# digits). Each opens with a literal or a one-character class, case folded by hand and
# with the word-boundary test as a lookbehind after it, so the engine skips ahead fast.

# Printable ASCII except space, '"', '\\', '`' and '|' (quotes, markdown code, tables).
_DOI_CHAR = r"[!#-\[\]-_a-{}~]"
_DOI_RE = re.compile(
    rf"10\.(?P<registrant>\d{{1,9}})(?:\.\d{{1,9}}){{0,{MAX_REGISTRANT_PARTS}}}"
    rf"/{_DOI_CHAR}{{1,{MAX_DOI_LEN}}}",
    re.ASCII,
)
# A label written right before "10.": "doi:", "DOI ", "doi.org/" without a scheme, or
# BibTeX's "doi = {" (which licenses a short registrant but is not part of raw).
_DOI_LABEL_RE = re.compile(
    r"(?<![\w.])(?:(?P<label>doi[ \t]*:?[ \t]*|(?:dx\.)?doi\.org/)|doi[ \t]*=[ \t]*[{\"][ \t]*)\Z",
    re.ASCII | re.IGNORECASE,
)
_DOI_URL_RE = re.compile(r"https?://(?:dx\.|www\.)?doi\.org/(?P<doi>.+)", re.ASCII | re.IGNORECASE)
_DOI_HOSTS = frozenset({"doi.org", "dx.doi.org", "www.doi.org"})
_ARXIV_HOSTS = frozenset({"arxiv.org", "www.arxiv.org", "export.arxiv.org"})
_NCBI_HOSTS = frozenset(
    {"pubmed.ncbi.nlm.nih.gov", "pmc.ncbi.nlm.nih.gov", "www.ncbi.nlm.nih.gov", "ncbi.nlm.nih.gov"}
)
# Characters that, right before "10.", make it part of another token ("210.5", "v10.1").
_DOI_GLUE = frozenset("0123456789.abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_DOI_SHAPE_RE = re.compile(r"10\.\d+(?:\.\d+)*/.", re.ASCII)

_NEW_ARXIV = r"(?P<yymm>\d{4})\.\d{4,5}(?:v\d{1,3})?"
_OLD_ARXIV = r"[a-z]+(?:-[a-z]+)?(?:\.[A-Za-z]{2,}(?:-[a-z]+)?)?/\d{7}(?:v\d{1,3})?"
# Archives of old-style ids, which are distinctive enough to be taken without a label.
_OLD_ARCHIVES = (
    "acc-phys|adap-org|alg-geom|ao-sci|astro-ph|atom-ph|bayes-an|chao-dyn|chem-ph|cmp-lg"
    "|comp-gas|cond-mat|cs|dg-ga|funct-an|gr-qc|hep-ex|hep-lat|hep-ph|hep-th|math|math-ph"
    "|mtrl-th|nlin|nucl-ex|nucl-th|patt-sol|physics|plasm-ph|q-alg|q-bio|q-fin|quant-ph"
    "|solv-int|stat|supr-con"
)
# "arXiv:2305.04411", "arXiv 2305.04411", "arxiv.org/abs/…", and as natbib prints it from
# DBLP: "ArXiv, abs/2305.04411", "CoRR, abs/2305.04411" (CoRR is DBLP's name for arXiv).
_ARXIV_LABELLED_RE = re.compile(
    r"(?P<label>(?:[Aa](?<![\w.][Aa])(?i:rxiv)|C(?<![\w.]C)oRR)"
    r"(?::[ \t]*|,?[ \t]*abs/|[ \t]+|(?i:\.org/(?:abs|pdf)/)))"
    rf"(?P<id>{_NEW_ARXIV}|{_OLD_ARXIV})(?![\w/])",
    re.ASCII,
)
_OLD_ARXIV_NUMBER_RE = re.compile(r"/\d{7}(?:v\d{1,3})?(?![\w/])", re.ASCII)
_OLD_ARCHIVE_BEFORE_RE = re.compile(
    rf"(?<![\w/.-])(?:{_OLD_ARCHIVES})(?:\.[A-Za-z]{{2,}})?\Z", re.ASCII
)
# Longest archive name plus subject class that can precede "/0101001".
OLD_ARCHIVE_LOOKBACK = 24
_NEW_ARXIV_RE = re.compile(_NEW_ARXIV, re.ASCII)
_OLD_ARXIV_RE = re.compile(_OLD_ARXIV, re.ASCII)
_ARXIV_URL_RE = re.compile(
    rf"https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/(?P<id>{_NEW_ARXIV}|{_OLD_ARXIV})"
    r"(?:\.pdf)?/?(?:[?#].*)?",
    re.ASCII | re.IGNORECASE,
)

# "PMID: 123", "PubMed ID 123" and "PMCID: PMC123" share their first letter.
_PUBMED_LABELLED_RE = re.compile(
    r"(?P<label>[Pp](?<!\w[Pp])(?i:(?P<pmc>mcid)|mid|ubmed[ \t]?id))[ \t]*:?[ \t]*"
    r"(?P<id>(?:PMC)?(?P<digits>\d{1,9}))(?!\w)",
    re.ASCII,
)
_PMC_RE = re.compile(r"PMC(?<!\wPMC)(?P<digits>\d{1,9})(?!\w)", re.ASCII)
_PUBMED_URL_RE = re.compile(
    r"https?://(?:pubmed\.ncbi\.nlm\.nih\.gov/|(?:www\.)?ncbi\.nlm\.nih\.gov/pubmed/)"
    r"(?P<id>\d{1,9})/?(?:[?#].*)?",
    re.ASCII | re.IGNORECASE,
)
_PMC_URL_RE = re.compile(
    r"https?://(?:pmc\.ncbi\.nlm\.nih\.gov/articles/|(?:www\.)?ncbi\.nlm\.nih\.gov/pmc/articles/)"
    r"(?P<id>PMC(?P<digits>\d{1,9}))/?(?:[?#].*)?",
    re.ASCII | re.IGNORECASE,
)

ISBN10_LEN = 10
ISBN13_LEN = 13
_ISBN_LABELLED_RE = re.compile(
    r"(?P<label>[Ii](?<!\w[Ii])(?i:sbn)(?:[- ]?1[03])?)[ \t]*:?[ \t]*"
    r"(?P<id>\d(?:[- ]?\d){8,11}[- ]?[\dXx])(?!\w)",
    re.ASCII,
)
# A bare ISBN-13 must be hyphenated (checked in code) and checksum-valid.
_ISBN13_BARE_RE = re.compile(r"97[89](?<![\w./-]97[89])(?:-?\d){10}(?![\w-])", re.ASCII)
# BibTeX fields that hold an identifier without a label of its own.
_BIBTEX_FIELD_RE = re.compile(
    r"^[ \t]*(?P<field>eprint|pmid|pmcid|isbn)[ \t]*=[ \t]*[{\"]?[ \t]*(?P<value>[^}\"\n,]{1,40})",
    re.ASCII | re.IGNORECASE | re.MULTILINE,
)
_ISBN_DIGIT_RE = re.compile(r"[\dXx]", re.ASCII)


def token_end(token: str, pairs: dict[str, str], *, strip: bool = True) -> int:
    """Return how much of `token` belongs to the identifier or URL it starts with.

    A greedy run of non-space characters often drags along the sentence around it.
    The token is cut at the first closing bracket that was not opened inside it, as in
    "(see 10.1/x)" or "[10.1/x](...)"; balanced pairs stay, so "...0277(87)90171-8"
    and Wikipedia's "Foo_(bar)" survive. With `strip`, trailing punctuation and
    dangling openers are dropped too: they belong to the prose. Callers pass
    `strip=False` when the author delimited the token explicitly (`<...>`, `](...)`).
    """
    end = _first_unbalanced_closer(token, pairs) if BRACKETS_RE.search(token) else len(token)
    if strip:
        end = len(token[:end].rstrip(STRIPPABLE))
    return end


def _first_unbalanced_closer(token: str, pairs: dict[str, str]) -> int:
    """Index of the first closer in `pairs` with no opener before it, else len(token)."""
    depth = dict.fromkeys(pairs.values(), 0)
    for match in BRACKETS_RE.finditer(token):
        char = match.group()
        if char in depth:
            depth[char] += 1
        elif char in pairs:
            opener = pairs[char]
            if not depth[opener]:
                return match.start()
            depth[opener] -= 1
    return len(token)


def _citation(kind: Kind, text: str, start: int, end: int, fields: Fields) -> Citation:
    return Citation(kind=kind, raw=text[start:end], start=start, end=end, fields=fields)


# The values a Fields is made with, as given (None included: a Fields records which
# values it was given), so that one remembered can be made again as it first was.
_Values = tuple[tuple[str, str | None], ...]


def doi_fields(doi: str, url: str | None = None) -> Fields:
    """Fields for a DOI as written: percent-decoded; arXiv's DataCite DOIs also name the id."""
    return Fields(**dict(_doi_values(doi, url)))


def _doi_values(doi: str, url: str | None) -> _Values:
    if "%" in doi:
        doi = unquote(doi)
    arxiv = (
        doi[len(ARXIV_DOI_PREFIX) :] if doi.lower().startswith(ARXIV_DOI_PREFIX.lower()) else None
    )
    return (("doi", doi), ("url", url), ("arxiv", arxiv or None))


def find_dois(text: str, bounds: Bounds | None = None) -> list[Citation]:
    """Bare, `doi:`-labelled and scheme-less `doi.org/` DOIs.

    A DOI in a `scheme://doi.org/` link is skipped: the link is one claim, and
    `find_urls` reports it whole, as Kind.DOI.
    """
    if "10." not in text:
        return []
    bounds = unbounded(bounds)
    found: list[Citation] = []
    pos = 0
    while match := _DOI_RE.search(text, pos):
        start = match.start()
        pos = start + 1
        # Its label may start before "10.": the text from there on is what goes unread.
        if bounds.passed(max(0, start - DOI_LABEL_LOOKBACK)):
            break
        if start and text[start - 1] in _DOI_GLUE:
            continue
        label = _DOI_LABEL_RE.search(text, max(0, start - DOI_LABEL_LOOKBACK), start)
        if label is None and len(match.group("registrant")) < MIN_BARE_REGISTRANT_DIGITS:
            continue
        token = match.group()
        end = start + token_end(token, PAIRS_WITH_ANGLE)
        if end <= start + token.index("/") + 1:
            continue
        pos = end
        raw_start = label.start("label") if label and label.group("label") else start
        if text.endswith("://", 0, raw_start):
            continue  # inside a doi.org link, which find_urls reports whole
        if bounds.full(len(found), raw_start):
            break
        found.append(_citation(Kind.DOI, text, raw_start, end, doi_fields(text[start:end])))
    return found


def _valid_new_arxiv(yymm: str | None) -> bool:
    """A new-style id starts with a real year and month (YYMM from 0704)."""
    if yymm is None:
        return True
    month = int(yymm[2:])
    return 1 <= month <= 12 and int(yymm) >= FIRST_NEW_STYLE_ARXIV_YYMM


def _mentions(text: str, *needles: bytes) -> bool:
    """Whether any lower-case ASCII `needle` occurs in `text`, in any letter case.

    A cheap pass that lets a finder skip its slower case-insensitive pattern on the
    many texts that never name its identifier.
    """
    folded = text.encode("utf-8", "surrogatepass").lower()
    return any(needle in folded for needle in needles)


def find_arxiv(text: str, bounds: Bounds | None = None) -> list[Citation]:
    """arXiv ids after an `arXiv:` label or `arxiv.org/abs/`, and bare old-style ids.

    A bare new-style number such as 2101.00001 is too easily a version, a page range
    or a decimal, so it counts only when labelled.
    """
    bounds = unbounded(bounds)
    labelled: list[Citation] = []
    mentioned = _mentions(text, b"arxiv", b"corr")
    found = _ARXIV_LABELLED_RE.finditer(text) if mentioned else iter(())
    for match in bounds.matches(found):
        if _valid_new_arxiv(match.group("yymm")):
            if bounds.full(len(labelled), match.start()):
                break
            fields = Fields(arxiv=match.group("id"))
            labelled.append(_citation(Kind.ARXIV, text, match.start(), match.end(), fields))
    old: list[Citation] = []
    for match in _OLD_ARXIV_NUMBER_RE.finditer(text):
        lookback = max(0, match.start() - OLD_ARCHIVE_LOOKBACK)
        if bounds.passed(lookback):
            break
        archive = _OLD_ARCHIVE_BEFORE_RE.search(text, lookback, match.start())
        if archive is not None:
            start, end = archive.start(), match.end()
            if bounds.full(len(old), start):
                break
            old.append(_citation(Kind.ARXIV, text, start, end, Fields(arxiv=text[start:end])))
    return [*labelled, *old]


def find_pubmed(text: str, bounds: Bounds | None = None) -> list[Citation]:
    """PMIDs after a `PMID`/`PubMed ID` label; PMCIDs as `PMC123` tokens or labelled."""
    bounds = unbounded(bounds)
    labelled: list[Citation] = []
    mentioned = _mentions(text, b"pmid", b"pmcid", b"pubmed")
    found = _PUBMED_LABELLED_RE.finditer(text) if mentioned else iter(())
    for match in bounds.matches(found):
        start, end = match.span()
        if bounds.full(len(labelled), start):
            break
        if match.group("pmc") is not None:
            fields = Fields(pmcid="PMC" + match.group("digits"))
            labelled.append(_citation(Kind.PMCID, text, start, end, fields))
        elif match.group("id").isdigit():
            fields = Fields(pmid=match.group("id"))
            labelled.append(_citation(Kind.PMID, text, start, end, fields))
    bare: list[Citation] = []
    for match in bounds.matches(_PMC_RE.finditer(text)):
        if bounds.full(len(bare), match.start()):
            break
        fields = Fields(pmcid="PMC" + match.group("digits"))
        bare.append(_citation(Kind.PMCID, text, match.start(), match.end(), fields))
    return [*labelled, *bare]


def isbn_checksum_ok(digits: str) -> bool:
    """Check an ISBN-10 (mod 11, X = 10) or ISBN-13 (mod 10, weights 1 and 3)."""
    if len(digits) == ISBN13_LEN and digits.isdigit():
        total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits))
        return total % 10 == 0
    if len(digits) == ISBN10_LEN and digits[:-1].isdigit():
        last = 10 if digits[-1] in "Xx" else int(digits[-1])
        total = sum(int(d) * (10 - i) for i, d in enumerate(digits[:-1])) + last
        return total % 11 == 0
    return False


def _isbn_in(token: str) -> tuple[str, int] | None:
    """The valid ISBN that `token` starts with, as (normalised digits, length in token).

    The pattern may run on into a following number ("ISBN 0-13-110362-8 12 copies"),
    so an ISBN-13 is tried first, then an ISBN-10 that is not glued to more digits.
    """
    ends = [m.end() for m in _ISBN_DIGIT_RE.finditer(token)]
    chars = "".join(m.group() for m in _ISBN_DIGIT_RE.finditer(token)).upper()
    for size in (ISBN13_LEN, ISBN10_LEN):
        if len(chars) < size:
            continue
        candidate, end = chars[:size], ends[size - 1]
        glued = token[end : end + 1] not in ("", " ")
        if not glued and "X" not in candidate[:-1] and isbn_checksum_ok(candidate):
            return candidate, end
    return None


def find_isbns(text: str, bounds: Bounds | None = None) -> list[Citation]:
    """Checksum-valid ISBNs after an `ISBN` label, and hyphenated bare ISBN-13s."""
    bounds = unbounded(bounds)
    labelled: list[Citation] = []
    found = _ISBN_LABELLED_RE.finditer(text) if _mentions(text, b"isbn") else iter(())
    for match in bounds.matches(found):
        isbn = _isbn_in(match.group("id"))
        if isbn is not None:
            if bounds.full(len(labelled), match.start()):
                break
            end = match.start("id") + isbn[1]
            fields = Fields(isbn=isbn[0])
            labelled.append(_citation(Kind.ISBN, text, match.start(), end, fields))
    bare: list[Citation] = []
    for match in bounds.matches(_ISBN13_BARE_RE.finditer(text)):
        digits = match.group().replace("-", "")
        if "-" in match.group() and isbn_checksum_ok(digits):
            start, end = match.span()
            if bounds.full(len(bare), start):
                break
            bare.append(_citation(Kind.ISBN, text, start, end, Fields(isbn=digits)))
    return [*labelled, *bare]


def _bibtex_value(field: str, value: str) -> tuple[Kind, Fields, int] | None:
    """What a BibTeX identifier field holds: (kind, fields, length of the id in value)."""
    if field == "eprint":
        arxiv = _NEW_ARXIV_RE.fullmatch(value) or _OLD_ARXIV_RE.fullmatch(value)
        if arxiv is None or not _valid_new_arxiv(arxiv.groupdict().get("yymm")):
            return None
        return Kind.ARXIV, Fields(arxiv=value), len(value)
    if field == "pmid":
        return (Kind.PMID, Fields(pmid=value), len(value)) if value.isdigit() else None
    if field == "pmcid":
        digits = value.removeprefix("PMC")
        valid = digits.isdigit()
        return (Kind.PMCID, Fields(pmcid="PMC" + digits), len(value)) if valid else None
    isbn = _isbn_in(value)
    return (Kind.ISBN, Fields(isbn=isbn[0]), isbn[1]) if isbn else None


def find_bibtex_identifiers(text: str, bounds: Bounds | None = None) -> list[Citation]:
    """Ids in BibTeX `eprint`, `pmid`, `pmcid` and `isbn` fields, which carry no label.

    (`doi` and `url` fields need no help: their values are found as they are.)
    """
    if "@" not in text:
        return []
    bounds = unbounded(bounds)
    found: list[Citation] = []
    for match in bounds.matches(_BIBTEX_FIELD_RE.finditer(text)):
        value = match.group("value").rstrip()
        parsed = _bibtex_value(match.group("field").lower(), value)
        if parsed is not None:
            kind, fields, length = parsed
            start = match.start("value")
            if bounds.full(len(found), start):
                break
            found.append(_citation(kind, text, start, start + length, fields))
    return found


def classify_url(url: str) -> tuple[Kind, Fields]:
    """Say which identifier a link points at: doi.org, arXiv, PubMed and PMC links are
    claims of that identifier; anything else stays a web page (Kind.URL)."""
    kind, values = _classified(url)
    return kind, Fields(**dict(values))


@lru_cache(maxsize=URL_CACHE_SIZE)
def _classified(url: str) -> tuple[Kind, _Values]:
    """`classify_url`'s kind and the values of its Fields. Remembered: a chat cites the
    same works' links again, and reading one costs twice the making of its Fields."""
    host = url.split("/", 3)[2].lower() if url.count("/") >= 2 else ""
    if host in _DOI_HOSTS and (match := _DOI_URL_RE.fullmatch(url)):
        doi = unquote(match.group("doi"))
        if _DOI_SHAPE_RE.match(doi):
            return Kind.DOI, _doi_values(doi, url)
    elif host in _ARXIV_HOSTS and (match := _ARXIV_URL_RE.fullmatch(url)):
        return Kind.ARXIV, (("arxiv", match.group("id")), ("url", url))
    elif host in _NCBI_HOSTS:
        if match := _PUBMED_URL_RE.fullmatch(url):
            return Kind.PMID, (("pmid", match.group("id")), ("url", url))
        if match := _PMC_URL_RE.fullmatch(url):
            return Kind.PMCID, (("pmcid", "PMC" + match.group("digits")), ("url", url))
    return Kind.URL, (("url", url),)


def find_identifiers(text: str, bounds: Bounds | None = None) -> list[Citation]:
    """All identifier claims in `text`, unsorted and possibly overlapping (up to where
    `bounds` stops the reading)."""
    return [
        *find_dois(text, bounds),
        *find_arxiv(text, bounds),
        *find_pubmed(text, bounds),
        *find_isbns(text, bounds),
        *find_bibtex_identifiers(text, bounds),
    ]
