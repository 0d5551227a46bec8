"""Parse a free-text reference into Fields with a trained sequence labeller.

    >>> parse_reference("Smith, J., & Lee, K. (2020). A title. Nature, 5(2), 1-10.")
    ... # doctest: +SKIP
    Fields(title='A title', authors=[...], year=2020, container='Nature', volume='5', ...)

The string is cut into tokens by a spaCy pipeline (`spacy.blank("en")` with the tokenizer
of `reftokens`), and a pipeline component labels each token with a field using a
linear-chain CRF (python-crfsuite) trained by `factcheck.train.parser`. Labels are brought to
the span conventions of the training data (`conventions`), runs of one label
become field spans; the spans are then cleaned into Fields (authors split, year as int,
issue split from volume, markdown and edge punctuation dropped), and the few readings the
entry's own structure contradicts are repaired (`repair`). Identifiers are not
learnt: the regex finders of `identifiers.py` and `urls.py` are exact, so they are used.

spaCy and the model load on the first parse, once per process, so `import factcheck`
stays fast.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from factcheck.extract.conventions import apply_conventions
from factcheck.extract.identifiers import find_identifiers
from factcheck.extract.names import LONE_DASH_RE, split_authors
from factcheck.extract.reftokens import blank_pipeline, doc_tokens, features
from factcheck.extract.repair import repaired
from factcheck.extract.urls import find_urls
from factcheck.model import Fields, Kind
from factcheck.normalize import unescape_entities

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

__all__ = ["MODEL_PATH", "Span", "parse_reference", "parse_references", "reference_spans"]

MODEL_PATH = Path(__file__).resolve().parent.parent / "models" / "refparser.crfsuite"
# A reference is a few hundred characters; longer input is cut here so that a megabyte
# of model output costs no more than one long reference.
MAX_REFERENCE_CHARS = 4000
BATCH_SIZE = 256
COMPONENT = "factcheck_ref_crf"
SPANS_KEY = "ref_fields"
OTHER = "other"
# Years outside this range are page numbers or volumes, not publication years.
MIN_YEAR, MAX_YEAR = 1500, 2099

# Parses kept, by prepared string: a guarded chat answers with the same reference list many
# times over, and re-parsing it would cost about a millisecond per entry on every call.
PARSE_CACHE_SIZE = 4096

_lock = threading.Lock()
_nlp: Language | None = None
# The thread loading the parser for `ready_within`, while it runs.
_loading: threading.Thread | None = None
_model_path = MODEL_PATH
_parsed: OrderedDict[str, Fields] = OrderedDict()
_parsed_lock = threading.Lock()


@dataclass(frozen=True)
class Span:
    """One labelled field in the parsed string: `text[start:end]` is tagged `label`."""

    label: str
    start: int
    end: int


def use_model(path: Path) -> None:
    """Parse with the model at `path` from now on (training evaluates a fresh model)."""
    global _nlp, _model_path
    with _lock:
        _model_path, _nlp = path, None
    forget_parses()


class _CrfLabeller:
    """The spaCy component: labels every token, then stores runs of one label as Spans in
    `doc.user_data` (plain character offsets: spaCy's own Span objects cost a tenth of the
    parse time to build and to read back)."""

    def __init__(self, model: str) -> None:
        import pycrfsuite

        self._tagger = pycrfsuite.Tagger()
        self._tagger.open(model)
        # A Tagger holds per-call state in C: one call at a time.
        self._tag_lock = threading.Lock()

    def __call__(self, doc: Doc) -> Doc:
        tokens = doc_tokens(doc)
        if not tokens.words:
            doc.user_data[SPANS_KEY] = []
            return doc
        feats = features(tokens.words, tokens.spaces)
        with self._tag_lock:
            labels: list[str] = self._tagger.tag(feats)
        labels = apply_conventions(tokens.words, tokens.spaces, labels)
        starts, words = tokens.starts, tokens.words
        doc.user_data[SPANS_KEY] = [
            Span(label, starts[first], starts[end - 1] + len(words[end - 1]))
            for label, first, end in _runs(labels)
        ]
        return doc


def _make_labeller(nlp: Language, name: str, model: str) -> _CrfLabeller:
    return _CrfLabeller(model)


def _runs(labels: Sequence[str]) -> list[tuple[str, int, int]]:
    """Maximal runs of one label, as (label, first token, end token)."""
    runs: list[tuple[str, int, int]] = []
    start = 0
    for index in range(1, len(labels) + 1):
        if index == len(labels) or labels[index] != labels[start]:
            runs.append((labels[start], start, index))
            start = index
    return runs


def _pipeline() -> Language:
    """The spaCy pipeline, built on first use and shared by every thread after."""
    global _nlp
    if _nlp is not None:
        return _nlp
    with _lock:
        if _nlp is None:
            _nlp = _build(_model_path)
        return _nlp


def ready_within(seconds: float | None) -> bool:
    """Whether the parser is loaded within `seconds` (None: however long it takes).

    Loading (spaCy and the model) takes seconds and cannot be interrupted, so a caller with
    a deadline has it done in a thread of its own and stops waiting when its time is up;
    the load goes on, and the next call finds the parser ready."""
    global _loading
    if _nlp is not None:
        return True
    if seconds is None:
        _pipeline()
        return True
    with _lock:
        if _loading is None:
            _loading = threading.Thread(target=_load_quietly, name="factcheck-parser", daemon=True)
            _loading.start()
        loading = _loading
    loading.join(max(0.0, seconds))
    return _nlp is not None


def _load_quietly() -> None:
    """Load the parser, for `ready_within`. A failure (a missing model) is left for the
    next parse to raise where it can be reported."""
    global _loading
    try:
        _pipeline()
    except Exception:
        pass
    finally:
        with _lock:
            _loading = None


def _build(model: Path) -> Language:
    from spacy.language import Language

    if not model.is_file():
        raise FileNotFoundError(f"reference parser model missing: {model}")
    if not Language.has_factory(COMPONENT):
        Language.factory(COMPONENT, func=_make_labeller)
    nlp = blank_pipeline()
    nlp.add_pipe(COMPONENT, config={"model": str(model)})
    return nlp


def _spans(doc: Doc) -> list[Span]:
    spans: list[Span] = doc.user_data[SPANS_KEY]
    return spans


def reference_spans(text: str) -> list[Span]:
    """The labelled field spans of one reference string, as written (no cleaning)."""
    return _spans(_pipeline()(_encodable(text[:MAX_REFERENCE_CHARS])))


def parse_reference(text: str) -> Fields:
    """Parse one reference string into Fields; input of any shape gives Fields, never raises."""
    return parse_references([text])[0]


def parse_references(texts: Iterable[str]) -> list[Fields]:
    """Parse many reference strings: faster per string than `parse_reference` in a loop.

    Each result is the caller's own copy; the strings parsed last are remembered
    (PARSE_CACHE_SIZE), so a string seen again costs no model call."""
    prepared = [_prepared(text[:MAX_REFERENCE_CHARS]) for text in texts]
    with _parsed_lock:
        known = {text: _parsed[text] for text in prepared if text in _parsed}
    todo = [text for text in dict.fromkeys(prepared) if text not in known]
    if todo:
        known.update(_parse_fresh(todo))
    return [_copy(known[text]) for text in prepared]


def _parse_fresh(todo: list[str]) -> dict[str, Fields]:
    """The model's Fields for strings not parsed before, remembered. (When every string
    was, the model is not called: starting its pipe costs as much as copying ten parses.)"""
    docs = _pipeline().pipe(todo, batch_size=BATCH_SIZE)
    fresh = {
        text: repaired(text, _fields(text, _spans(doc)))
        for text, doc in zip(todo, docs, strict=True)
    }
    with _parsed_lock:
        _parsed.update(fresh)
        while len(_parsed) > PARSE_CACHE_SIZE:
            _parsed.popitem(last=False)
    return fresh


def _copy(fields: Fields) -> Fields:
    """A copy the caller may change: Fields' values are strings and ints, save the list of
    authors (pydantic's deep copy costs ten times as much)."""
    return fields.model_copy(update={"authors": [a.model_copy() for a in fields.authors]})


def forget_parses() -> None:
    """Empty the cache of parses (benchmarks measure the model, not the cache)."""
    with _parsed_lock:
        _parsed.clear()
    _prepared.cache_clear()


# --- input preparation ----------------------------------------------------------------


@lru_cache(maxsize=PARSE_CACHE_SIZE)
def _prepared(text: str) -> str:
    """`prepare`, remembered per string: a string parsed again is found in the cache of
    parses by its prepared form, and preparing it (LaTeX, entities, spaces) costs more than
    the rest of that look-up."""
    return prepare(text)


# A word broken over a line end by PDF extraction: "Endo-\nscopic".
_LINE_HYPHEN_RE = re.compile(r"(?<=[a-z])-[ \t]*\r?\n\s*(?=[a-z])")
_SPACE_RE = re.compile(r"\s+")
# HTML in an entry written as HTML: inline markup ("<i>Nature</i>", "CO<sub>2</sub>") is
# dropped, the tags that break lines or items become a space. Only these tag names: an
# angle-bracketed link ("<https://…>") or a comparison ("p < 0.05") stays as written.
_HTML_INLINE_RE = re.compile(
    r"</?(?:a|b|i|u|em|strong|sup|sub|small|span|cite|font|tt|code|mark|q)\b[^<>\n]{0,200}>",
    re.IGNORECASE,
)
_HTML_BREAK_RE = re.compile(r"</?(?:br|li|ol|ul|p|div)\b[^<>\n]{0,200}>", re.IGNORECASE)
# The markers that open each further line of an entry quoted in a block quote ("\n> ").
_QUOTE_CONTINUATION_RE = re.compile(r"\n[ \t]{0,3}>(?:[ \t]{0,3}>)*")
# Lone surrogates (from text decoded with "surrogateescape") cannot be encoded as UTF-8,
# which spaCy's tokenizer does: each becomes U+FFFD, one code point for one, so offsets hold.
_SURROGATE_RE = re.compile("[\ud800-\udfff]")
# LaTeX accents and commands as BibTeX writes names: {\H u}, \H{u}, \"o, {\"o}, \'{E}, \ss.
_LATEX_RE = re.compile(
    r"\{\\[^{}]{1,12}\}"
    r"|\\[a-zA-Z]{1,12}\{[^{}]{0,200}\}"
    r"|\\[`'^\"~=.]\{?[a-zA-Z]\}?"
    r"|\\[a-zA-Z]{1,12}\b ?"
)
_LATEX_ESCAPE_RE = re.compile(r"\\([&%$#_])")
# BibTeX's protecting braces, "{BERT}": dropped, the words kept.
_BRACES_RE = re.compile(r"\{([^{}\\/]{0,200})\}")
_latex_converter: Any = None
# An ellipsis written as three full stops, spaced or not ("..., . . . Last, A."): APA 7's mark
# of a shortened author list. The model reads one "…" reliably; three stops in a long list it
# takes for initials and sentence ends, and loses the title after them.
_DOTTED_ELLIPSIS_RE = re.compile(r"(?<![.\w])\.(?: ?\.){2}(?!\.)")


def prepare(text: str) -> str:
    """The string the model sees: capped, line breaks joined, LaTeX and HTML entities
    turned to Unicode."""
    text = unescape_entities(_encodable(text[:MAX_REFERENCE_CHARS]))
    if "\n" in text:
        text = _QUOTE_CONTINUATION_RE.sub("\n", text)
    if "<" in text:
        text = _HTML_BREAK_RE.sub(" ", _HTML_INLINE_RE.sub("", text))
    text = _LINE_HYPHEN_RE.sub("", text)
    if "\\" in text or "{" in text:
        text = _delatex(text)
    text = _DOTTED_ELLIPSIS_RE.sub("…", text)
    return _SPACE_RE.sub(" ", text).strip()


def _encodable(text: str) -> str:
    return _SURROGATE_RE.sub("\ufffd", text)


def _delatex(text: str) -> str:
    """Unicode for LaTeX accents and commands (`Heged{\\H u}s` -> `Hegedűs`).

    Only the LaTeX fragments go through pylatexenc, never the whole string: a `%` in a
    URL would be read as a comment and eat the rest of the reference.
    """
    global _latex_converter
    if _latex_converter is None:
        from pylatexenc.latex2text import LatexNodes2Text

        # It logs every command it cannot read; such fragments are kept (see `decoded`).
        logging.getLogger("pylatexenc").setLevel(logging.CRITICAL + 1)
        _latex_converter = LatexNodes2Text()
    converter = _latex_converter

    def decoded(fragment: re.Match[str]) -> str:
        # pylatexenc raises on some commands written without their arguments ("\title"):
        # such a fragment is kept as written, without its backslash.
        try:
            return str(converter.latex_to_text(fragment.group()))
        except Exception:
            return fragment.group().lstrip("\\")

    text = _LATEX_ESCAPE_RE.sub(r"\1", text)
    text = _LATEX_RE.sub(decoded, text)
    for _ in range(3):  # nested braces, innermost first
        text = _BRACES_RE.sub(r"\1", text)
    return text


# --- spans to Fields ------------------------------------------------------------------

# Characters stripped from both ends of every field value.
_EDGE = " \t.,;:*_\"'“”‘’«»„"
_PAIRS = (("(", ")"), ("[", "]"))
_LEADING_IN_RE = re.compile(r"^(?:in|dans|en)\s*:?\s+(?=\S)", re.IGNORECASE)
# Where a venue read from a note ends: a ';' or a full stop followed by a space or the end.
_VENUE_END_RE = re.compile(r";|\.(?=\s|$)")
# Longest marks first: "pg. 837" is not the mark "p" before a page "g. 837".
_PAGES_PREFIX_RE = re.compile(r"^(?:pages?|pgs?|pp?|s)\s*\.?\s*(?=[\dA-Za-z])", re.IGNORECASE)
_YEAR_RE = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d)(?!\d)")
_FREE_YEAR_RE = re.compile(r"(?<![\d\-–—])(1[5-9]\d\d|20\d\d)(?![\d\-–—])")
_ISSUE_RE = re.compile(
    r"\(\s*([^()]{1,20}?)\s*(?:\)|$)|\b(?:no|nr|n|num|number|issue|iss|heft)\b\.?\s*([\w/–-]+)",
    re.IGNORECASE,
)
_VOLUME_MARK_RE = re.compile(r"\b(?:vol|volume|vols|v|bd|t|tome)\b\.?\s*([\w.]+)", re.IGNORECASE)
_FIRST_NUMBER_RE = re.compile(r"[A-Z]?\d+[A-Za-z]?|\b[IVXLC]+\b")
_GLUED_FIRST_PAGE_RE = re.compile(r"(.*\d[)\]]?\s*:)\s*([A-Za-z]?\d+)$")
_DATE_PREFIX_RE = re.compile(r"^\s*(?:1[5-9]|20)\d\d[a-z]?\s*[;:,]\s*")
# A year written after the volume number, "103(2001):", "12 (1998)" or "1,2010,": the
# date, not an issue (AnyStyle spans "103(2001):" as one volume; see `conventions`).
_DATE_SUFFIX_RE = re.compile(
    r"(?<=\d)\s*(?:\(\s*(?:1[5-9]|20)\d\d[a-z]?\s*\)|,\s*(?:1[5-9]|20)\d\d[a-z]?)[\s:;,.]*$"
)
_PREPRINT_RE = re.compile(r"\b(?:preprint|arxiv|biorxiv|medrxiv|ssrn|chemrxiv)\b", re.I)
_SERVER_RE = re.compile(r"\b(?:arxiv|biorxiv|medrxiv|ssrn|chemrxiv)\b", re.I)
_THESIS_RE = re.compile(r"\b(?:thesis|dissertation|ph\.?\s?d|doctoral|habilitation)\b", re.I)
_REPORT_RE = re.compile(r"\b(?:report|tech\.\s*rep|working paper|white paper|memo)\b", re.I)
# Where a venue surely ends: a full stop, then what introduces a link or an identifier.
_AFTER_VENUE_RE = re.compile(
    r"[.;,]\s+(?=(?:doi|available|retrieved|accessed|url|https?|arxiv|pmid|isbn)\b|[\[<])",
    re.IGNORECASE,
)
# Works no scholarly index holds, told by how their citation opens: a law ("Regulation (EU)
# 2016/679", "Civil Rights Act of 1964", "42 U.S.C. § 1983"), a court case ("Brown v.
# Board of Education, 347 U.S. 483"), a standard ("ISO 9001:2015", "IEEE Std 754-2019"),
# or a patent anywhere ("US 7,654,321 B2", "U.S. Patent No. 7,654,321").
_OPENING_TYPES = (
    (
        re.compile(
            r"(?:Regulation|Directive|Decision)\s\((?:EU|EC|EEC|Euratom)\)"
            r"|[A-Z][\w'’ -]{2,80}\sAct(?:\sof)?\s(?:1[6-9]|20)\d\d\b|\d+\sU\.\s?S\.\s?C\.",
        ),
        "legislation",
    ),
    (
        re.compile(
            r"[A-Z][\w.'’&-]*(?:\s[A-Z][\w.'’&-]*){0,5}\sv\.?\s[A-Z][^\n]{2,120}?,?\s\d+\s"
            r"(?:U\.\s?S\.|F\.(?:\s?(?:2d|3d|4th|Supp\.))?|S\.\s?Ct\.|L\.\s?Ed\.|A\.C\.|W\.?L\.?R\.)"
        ),
        "legal_case",
    ),
    (
        re.compile(
            r"(?:ISO|IEC|ISO/IEC|IEEE\sStd|ANSI|ASTM|DIN|BS|EN)\s[A-Z]?\d{2,6}(?:[-:.]\d+)*\b"
        ),
        "standard",
    ),
)
_PATENT_RE = re.compile(
    r"\b(?:U\.\s?S\.\s)?Pat(?:ent|\.)\s(?:No\.\s)?(?:US\s?)?\d|\bUS\s?\d{1,2},?\d{3},?\d{3}\s?[AB]\d\b"
    r"|\b(?:EP|WO)\s?\d{4}/?\d{6,7}",
    re.IGNORECASE,
)
_CONFERENCE_RE = re.compile(
    r"\b(?:proceedings|proc|conference|conf|symposium|workshop|congress|meeting)\b", re.I
)


def clean_value(value: str) -> str:
    """A field value without markdown, quotes, edge punctuation or unbalanced brackets."""
    previous = None
    while value != previous:
        previous = value
        # A lone dash at an edge too ("Attention Is All You Need* —"); never Chicago's "———".
        value = LONE_DASH_RE.sub("", value.strip(_EDGE))
        for opener, closer in _PAIRS:
            if value.endswith(closer) and value.count(closer) > value.count(opener):
                value = value[:-1]
            if value.startswith(opener) and value.count(opener) > value.count(closer):
                value = value[1:]
            if value.startswith(opener) and value.endswith(closer) and value.count(opener) == 1:
                value = value[1:-1]
    return value


def _by_label(text: str, spans: list[Span]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for span in spans:
        if span.label != OTHER:
            out.setdefault(span.label, []).append(text[span.start : span.end])
    return out


def _first(values: dict[str, list[str]], label: str) -> str | None:
    for raw in values.get(label, []):
        value = clean_value(raw)
        if value:
            return value
    return None


def _year(values: dict[str, list[str]], text: str) -> int | None:
    """The first plausible year of the date spans; if none was tagged, of the volume spans
    (AnyStyle tags "2008;64(4)" all volume, as many Vancouver references write it), then
    of the whole string. `values` and `text` come with their identifiers blanked out
    (`_blanked`): the "1811" of arXiv:1811.01234 is no year the entry claims."""
    candidates = values.get("date") or [*values.get("volume", []), text]
    for raw in candidates:
        # A number inside a range ("1596-1599 (2007)") is a page, not the year.
        if match := _FREE_YEAR_RE.search(raw) or _YEAR_RE.search(raw):
            return int(match.group(1))
    return None


def _volume_issue(raw: str | None) -> tuple[str | None, str | None]:
    """ "5(2)", "vol. 5, no. 2", "2008;64(4", "103(2001):" -> ("5", "2"), ("64", "4"),
    ("103", None)."""
    if not raw:
        return None, None
    raw = _DATE_SUFFIX_RE.sub("", _DATE_PREFIX_RE.sub("", raw))
    issue_match = _ISSUE_RE.search(raw)
    issue = next((g for g in issue_match.groups() if g), None) if issue_match else None
    before_issue = raw[: issue_match.start()] if issue_match else raw
    marked = _VOLUME_MARK_RE.search(before_issue)
    number = _FIRST_NUMBER_RE.search(before_issue)
    volume = marked.group(1) if marked else number.group() if number else None
    if volume is None and issue_match is None:
        volume = raw
    return (clean_value(volume) or None) if volume else None, clean_value(issue or "") or None


def _unglue(volume: str | None, pages: str | None) -> tuple[str | None, str | None]:
    """Give back the first page a volume span swallowed: "49(7):909" + "-914"."""
    glued = _GLUED_FIRST_PAGE_RE.match(volume) if volume else None
    if glued and (not pages or pages[:1] in "-–—"):
        return glued.group(1), glued.group(2) + (pages or "")
    return volume, pages


def _pages(raw: str | None) -> str | None:
    if not raw:
        return None
    value = _PAGES_PREFIX_RE.sub("", clean_value(raw))
    return clean_value(value) or None


def _venue_in_note(values: dict[str, list[str]]) -> str | None:
    """A venue the model tagged as a note: "In: UAI; 2021." or "In _KDD_." names where the
    work appeared as plainly as any container tag, up to the first ';' or '.' after it."""
    for note in values.get("note", []):
        lead = _LEADING_IN_RE.match(note.strip())
        if lead:
            venue = _VENUE_END_RE.split(note.strip()[lead.end() :], maxsplit=1)[0]
            if venue.strip(_EDGE):
                return venue
    return None


def _container(raw: str | None) -> str | None:
    if not raw:
        return None
    # A venue tagged past its end ("AAAI_. DOI", "CVPR*. Available at: [") ends before
    # the words that lead to a link or an identifier.
    raw = _AFTER_VENUE_RE.split(raw, maxsplit=1)[0]
    return clean_value(_LEADING_IN_RE.sub("", clean_value(raw))) or None


def _identifiers(text: str) -> tuple[dict[str, str], str]:
    """The first DOI, arXiv id, PMID, PMCID, ISBN and URL written in the string, and the
    string with every identifier and link blanked out (spaces, so offsets hold)."""
    found: dict[str, str] = {}
    citations = [*find_urls(text), *find_identifiers(text)]
    for citation in citations:
        for name, value in citation.fields.claimed().items():
            if name != "type" and isinstance(value, str):
                found.setdefault(name, value)
        if citation.kind is Kind.URL:
            found.setdefault("url", citation.raw)
    return found, _blanked(text, [(c.start, c.end) for c in citations])


def _blanked(text: str, spans: list[tuple[int, int]]) -> str:
    """`text` with each span replaced by as many spaces."""
    pieces, cursor = [], 0
    for start, end in sorted(spans):
        start = max(start, cursor)
        pieces.append(text[cursor:start])
        pieces.append(" " * max(0, end - start))
        cursor = max(cursor, end)
    pieces.append(text[cursor:])
    return "".join(pieces)


def _guess_type(values: dict[str, list[str]], fields: Fields, text: str) -> str | None:
    """A CSL type from which fields were found and a few tell-tale words."""
    genre = " ".join(values.get("genre", []) + values.get("note", []))
    container = fields.container or ""
    opening = text.lstrip(" \t*_")
    for pattern, kind in _OPENING_TYPES:
        if pattern.match(opening):
            return kind
    if _PATENT_RE.search(text):
        return "patent"
    has_issue_data = bool(fields.volume or fields.pages)
    if _THESIS_RE.search(genre) or _THESIS_RE.search(text):
        return "thesis"
    if (fields.arxiv or _PREPRINT_RE.search(container or genre)) and not fields.volume:
        return "preprint"
    if _REPORT_RE.search(genre) or (not container and _REPORT_RE.search(fields.title or "")):
        return "report"
    if container and _CONFERENCE_RE.search(container):
        return "paper-conference"
    if container and ("editor" in values or (fields.publisher and not fields.volume)):
        return "chapter"
    if container:
        return "article-journal"
    if fields.publisher or fields.isbn or "edition" in values:
        return "book"
    if fields.url and not has_issue_data:
        return "webpage"
    return "article-journal" if has_issue_data else None


def _fields(text: str, spans: list[Span]) -> Fields:
    values = _by_label(text, spans)
    identifiers, blanked = _identifiers(text)
    authors_raw = values.get("author", [])
    volume_raw, pages_raw = _unglue(_first(values, "volume"), _first(values, "pages"))
    volume, issue = _volume_issue(volume_raw)
    fields = Fields(
        title=_first(values, "title"),
        authors=split_authors(authors_raw[0]) if authors_raw else [],
        year=_year(_by_label(blanked, spans), blanked),
        container=_container(_first(values, "container") or _venue_in_note(values)),
        volume=volume,
        issue=issue,
        pages=_pages(pages_raw),
        publisher=_first(values, "publisher"),
        **identifiers,
    )
    fields.type = _guess_type(values, fields, text)
    if fields.container is None:
        fields.container = _preprint_server(values)
    return fields


def _preprint_server(values: dict[str, list[str]]) -> str | None:
    """The preprint server a genre or note names ("arXiv. 2023.", "*bioRxiv*"): where the
    work is claimed to be, as a venue."""
    for text in values.get("genre", []) + values.get("note", []):
        server = _SERVER_RE.search(text)
        if server:
            return server.group(0)
    return None
