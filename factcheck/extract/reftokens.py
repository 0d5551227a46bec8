"""Tokens and token features for the reference-string parser.

Training (`factcheck.train.parser`) and parsing (`factcheck.extract.parser`) must cut a
reference into the same tokens and describe each token with the same features, or the
trained model sees something else at run time than it learnt from. Both live here.

Tokens are finer than spaCy's English defaults: every bracket, quote, markdown marker
and trailing punctuation mark is its own token, and "10(2):123-130" becomes seven
tokens, because in references the punctuation between fields is what tells them apart.
URLs and DOIs stay whole. Nothing here imports spaCy: callers hand in the pipeline.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokenizer import Tokenizer
    from spacy.tokens import Doc


def wordset(words: str) -> frozenset[str]:
    """The set of the space-separated `words`: long word lists stay readable."""
    return frozenset(words.split())


# Split off at the start of a token, one character at a time.
_PREFIX_RE = re.compile(r"""^[\[\({<"'“‘«„*_#•]""")
# Split off at the end of a token, one at a time (so ").," is three tokens).
_SUFFIX_RE = re.compile(r"""[\]\)}>"'”’»*_.,;:!?…]$""")
# Split inside a token: field punctuation glued between words or numbers, ranges
# ("1-30", "1–30"), initials written together ("J.M."), "pp.12".
_INFIX_RE = re.compile(
    r"""[,;()\[\]{}"“”]"""
    r"""|(?<=[\w)\]])[:/](?=\w)"""
    r"""|(?<=\d)[-–—‐‑](?=\d)"""
    r"""|(?<=[A-Z])\.(?=[A-Z])"""
    r"""|(?<=[A-Za-z])\.(?=\d)"""
    r"""|(?<=\d)\.(?=[A-Za-z])"""
    r"""|[–—]"""
)
# Kept whole once the affixes around them are gone.
_URL_RE = re.compile(r"(?:https?://|www\.|doi:|10\.\d{4,9}/)\S+", re.IGNORECASE)

# Small hand-made word lists. A word's membership is a feature; the model learns how
# much each list says about each field.
_LEXICON: dict[str, frozenset[str]] = {
    "venue": wordset(
        "journal journals proceedings proc conference conf symposium symp workshop "
        "transactions trans letters lett review reviews rev annals ann bulletin bull acta "
        "archives arch quarterly magazine mag newsletter international int intl national natl "
        "american am european eur society soc advances adv research res science sciences sci "
        "medicine med physics phys chemistry chem ieee acm studies stud meeting congress "
        "annual communications commun reports rep series ser academy acad clinical clin "
        "engineering eng technology technol zeitschrift revue rivista"
    ),
    "publisher": wordset(
        "press publishers publisher publishing publications verlag springer elsevier wiley "
        "routledge sage oxford cambridge university univ books inc ltd co company editions "
        "éditions harvard mit princeton academic house taylor francis blackwell mcgraw "
        "pearson penguin norton kluwer"
    ),
    "month": wordset(
        "january february march april may june july august september october november "
        "december jan feb mar apr jun jul aug sep sept oct nov dec janvier février mars avril "
        "mai juin juillet août septembre octobre novembre décembre spring summer autumn fall "
        "winter"
    ),
    "particle": wordset("van von der den de del della di da du la le dos das ter ten"),
    "editor": wordset("ed eds editor editors edited hrsg hg dir trans translated translator by"),
    "pagemark": wordset("pp p pages page pgs s"),
    "volmark": wordset(
        "vol volume vols v no nr num number issue iss n suppl part pt bd heft t tome"
    ),
    "in": frozenset(["in"]),
    "etal": frozenset(["et", "al", "others"]),
    "access": wordset(
        "retrieved available accessed online from url doi viewed cited access internet http "
        "https www"
    ),
    "genre": wordset(
        "thesis dissertation phd ph master masters diss doctoral report technical tech memo "
        "working paper preprint arxiv manuscript unpublished submitted forthcoming "
        "communication"
    ),
    "edition": wordset("edition edn ed rev revised"),
    "conj": wordset("and & und et y"),
}


def lexicon(name: str) -> frozenset[str]:
    """The hand-made word list `name` ("month", "editor", ...) the features mark, lower case:
    the span conventions (`conventions`) read the same lists."""
    return _LEXICON[name]


def is_year(word: str) -> bool:
    """Whether the token reads as a publication year ("1995", "2011b"), as the features
    class it."""
    return _YEAR_RE.match(word) is not None


# Each listed word's `lex=` features, looked up once rather than list by list.
_LEXICON_OF: dict[str, tuple[bytes, ...]] = {
    word: tuple(f"lex={name}".encode() for name, words in _LEXICON.items() if word in words)
    for word in frozenset().union(*_LEXICON.values())
}
_ALNUM_RE = re.compile(r"[^\W_]")
_ORDINAL_RE = re.compile(r"\d+(?:st|nd|rd|th|e|er|ème)$", re.IGNORECASE)
_YEAR_RE = re.compile(r"(?:1[5-9]|20)\d\d[a-z]?$")
_ROMAN_RE = re.compile(r"[ivxlcdm]+$", re.IGNORECASE)
_OPENERS = frozenset("([{<“‘«„")
_CLOSERS = frozenset(")]}>”’»")
_QUOTES = frozenset("\"'“”‘’«»„")
_DASHES = frozenset("-–—‐‑")
# How many tokens either side feed a token's features.
WINDOW = 2
# Relative position in the string is bucketed into this many bins.
POSITION_BINS = 10
# Counters of preceding events are capped here: "3 or more" is one value.
COUNT_CAP = 3
# Pieces longer than this many tokens are all "long".
SEGMENT_SIZE_CAP = 12
# The share of capitalised words in a piece is bucketed into this many bins.
CASE_BINS = 4
_SEGMENT_ENDS = frozenset(".?!")
# Distinct words whose own features are kept between calls.
WORD_CACHE_SIZE = 100_000
# "MCMXCIV" is rare; roman volume and chapter numbers are short.
MAX_ROMAN_LEN = 4
# The punctuation run next to a word is cut to this many characters.
MAX_PUNCT_RUN = 3
# Token shapes longer than this are cut: the prefix carries the information.
MAX_SHAPE = 6


TOKENIZER = "factcheck_ref_tokenizer.v1"


def _tokenizer(nlp: Language) -> Tokenizer:
    from spacy.tokenizer import Tokenizer

    return Tokenizer(
        nlp.vocab,
        rules={},
        prefix_search=_PREFIX_RE.search,
        suffix_search=_SUFFIX_RE.search,
        infix_finditer=_INFIX_RE.finditer,
        url_match=_URL_RE.match,
    )


def blank_pipeline() -> Language:
    """`spacy.blank("en")` with the citation tokenizer in place of English's, and without
    English's lexical attributes.

    The tokenizer is named in the config rather than swapped in afterwards, so that
    English's 1,300 tokenizer exceptions, which would be thrown away, are never built
    (they are most of the time `spacy.blank("en")` takes).
    """
    import spacy
    from spacy.util import registry

    if TOKENIZER not in registry.tokenizers:
        registry.tokenizers.register(TOKENIZER, func=lambda: _tokenizer)
    nlp = spacy.blank("en", config={"nlp": {"tokenizer": {"@tokenizers": TOKENIZER}}})
    # English computes a dozen attributes (shape, like_num, is_stop…) for every word the
    # vocabulary first meets: a tenth of the parse time for unseen references, and none of
    # them is read here (the features are our own, from the token text).
    nlp.vocab.lex_attr_getters = {}  # type: ignore[attr-defined]
    return nlp


def shape(word: str) -> str:
    """Character classes with runs collapsed: "Smith" -> "Xx", "1477-81" -> "d-d"."""
    out: list[str] = []
    for char in word:
        if char.isupper():
            cls = "X"
        elif char.isalpha():
            cls = "x"
        elif char.isdigit():
            cls = "d"
        else:
            cls = char
        if not out or out[-1] != cls:
            out.append(cls)
    return "".join(out[:MAX_SHAPE])


def _word_class(word: str, lower: str) -> str:
    """A coarse class of the token, shared by the token and its neighbours' features."""
    if word.isdigit():
        if _YEAR_RE.match(word):
            return "year"
        return f"num{min(len(word), 5)}"
    if _YEAR_RE.match(word):
        return "year"
    if len(word) == 1:
        if word.isupper():
            return "cap1"
        if word.isalpha():
            return "low1"
        if word in _OPENERS:
            return "open"
        if word in _CLOSERS:
            return "close"
        if word in _QUOTES:
            return "quote"
        if word in _DASHES:
            return "dash"
        return word
    if _URL_RE.match(word):
        return "url"
    if word.isupper() and word.isalpha():
        return "caps" if len(word) > 3 else "capsshort"
    if word[0].isupper():
        return "title"
    if lower.isalpha():
        return "lower"
    return "mixed"


def _encoded(*features: str) -> tuple[bytes, ...]:
    return tuple(feature.encode() for feature in features)


_OFFSETS = tuple(offset for offset in range(-WINDOW, WINDOW + 1) if offset)
assert _OFFSETS == (-2, -1, 1, 2), "`_word` and `features` spell out a window of two"
# Feature strings that take one of a few values, built once rather than per token.
# Features are UTF-8 bytes: the tagger takes bytes as they are, and would encode every
# str feature of every token anew (a tenth of the tagging time).
_POS = tuple(f"pos={i}".encode() for i in range(5))
_REL = tuple(f"rel={i}".encode() for i in range(POSITION_BINS))
_YEARS = tuple(f"years={i}".encode() for i in range(COUNT_CAP + 1))
_PERIODS = tuple(f"periods={i}".encode() for i in range(COUNT_CAP + 1))
_QUOTES_SEEN = tuple(f"quotes={i}".encode() for i in range(COUNT_CAP + 1))
_DEPTH = (b"depth=0", b"depth=1")
_SEGPOS = (b"segpos=first", b"segpos=in", b"segpos=last")
_EDGES = tuple(f"{offset}:edge".encode() for offset in _OFFSETS)


class _Word(NamedTuple):
    """One distinct word and every feature string it gives, to itself and to neighbours."""

    lower: str
    cls: str
    # "b" and the features of the word alone.
    own: tuple[bytes, ...]
    # Whether it holds a letter or digit (punctuation runs are skipped past).
    is_word: bool
    # Whether it is a long word of letters (`_segment_features` counts their case), and
    # whether that word is capitalised.
    long_alpha: bool
    capitalised: bool
    # As the neighbour at each offset of `_OFFSETS`: (w=, cls=) features (the edge word
    # past either end gives one "edge" feature per offset instead).
    seen_at: tuple[tuple[bytes, ...], ...]
    # As the nearest word after / before a token: (nw=, nwcls=), (pw=, pwcls=).
    next_word: tuple[bytes, bytes]
    prev_word: tuple[bytes, bytes]


@lru_cache(maxsize=WORD_CACHE_SIZE)
def _word(word: str) -> _Word:
    """The features of `word`, cached: words repeat a lot."""
    lower = word.lower()
    cls = _word_class(word, lower)
    own = [b"b", *_encoded(f"w={lower}", f"cls={cls}", f"shape={shape(word)}")]
    own.extend(_encoded(f"pre3={lower[:3]}", f"suf3={lower[-3:]}"))
    if lower in _LEXICON_OF:
        own.extend(_LEXICON_OF[lower])
    if word[:1].isdigit() and _ORDINAL_RE.match(word):
        own.append(b"ordinal")
    if len(word) <= MAX_ROMAN_LEN and _ROMAN_RE.match(word) and word.isupper():
        own.append(b"roman")
    # Positional: a NamedTuple built by keyword costs several times as much.
    return _Word(
        lower,
        cls,
        tuple(own),
        lower.isalnum() or _ALNUM_RE.search(lower) is not None,
        len(word) > 3 and word.isalpha(),
        word[:1].isupper(),
        (
            _encoded(f"-2:w={lower}", f"-2:cls={cls}"),
            _encoded(f"-1:w={lower}", f"-1:cls={cls}"),
            _encoded(f"1:w={lower}", f"1:cls={cls}"),
            _encoded(f"2:w={lower}", f"2:cls={cls}"),
        ),
        (f"nw={lower}".encode(), f"nwcls={cls}".encode()),
        (f"pw={lower}".encode(), f"pwcls={cls}".encode()),
    )


# The neighbour before the first token or after the last: one "edge" feature per offset.
_EDGE_WORD = _Word(
    lower="",
    cls="edge",
    own=(),
    is_word=False,
    long_alpha=False,
    capitalised=False,
    seen_at=tuple((edge,) for edge in _EDGES),
    next_word=(b"nw=END", b"nwcls=END"),
    prev_word=(b"pw=START", b"pwcls=START"),
)
_NO_NEXT = (b"nw=END", b"nwcls=END")
_NO_PREV = (b"pw=START", b"pwcls=START")


@lru_cache(maxsize=WORD_CACHE_SIZE)
def _class_pair(left: str, right: str) -> tuple[bytes, bytes]:
    """(bicls=, bicls+=) of two neighbouring classes."""
    return f"bicls={left}|{right}".encode(), f"bicls+={left}|{right}".encode()


@lru_cache(maxsize=WORD_CACHE_SIZE)
def _punct_run(run: str) -> tuple[bytes, bytes]:
    """(after=, before=) of the punctuation run between a word and the next one."""
    return f"after={run[:MAX_PUNCT_RUN]}".encode(), f"before={run[-MAX_PUNCT_RUN:]}".encode()


def _segments(words: Sequence[str]) -> list[tuple[int, int]]:
    """(start, end) of the sentence-like pieces between periods that follow a word.

    A period after a lone capital ends an initial, not a piece: "J. Smith".
    """
    pieces: list[tuple[int, int]] = []
    start = 0
    for i, word in enumerate(words):
        initial = len(words[i - 1]) == 1 and words[i - 1].isalpha()
        if word in _SEGMENT_ENDS and i > start and not initial:
            pieces.append((start, i + 1))
            start = i + 1
    if start < len(words):
        pieces.append((start, len(words)))
    return pieces


def _segment_features(words: Sequence[str], cached: Sequence[_Word]) -> list[tuple[bytes, ...]]:
    """What the piece a token sits in looks like: title case, has a year, venue words.

    A title and a journal name sit in the same kind of place; the journal's piece is
    usually in title case and holds venue words, the title's is usually not.
    """
    rows: list[tuple[bytes, ...]] = []
    venue_words = _LEXICON["venue"]
    for index, (start, end) in enumerate(_segments(words)):
        piece = cached[start:end]
        alpha = sum(w.long_alpha for w in piece)
        capitalised = sum(w.long_alpha and w.capitalised for w in piece)
        case = "none" if not alpha else f"{CASE_BINS * capitalised // (alpha + 1)}"
        venue = any(w.lower in venue_words for w in piece)
        year = any(w.cls == "year" for w in piece)
        shared = _encoded(
            f"seg={min(index, COUNT_CAP)}",
            f"seglen={min(end - start, SEGMENT_SIZE_CAP)}",
            f"segcase={case}",
            f"segvenue={venue}",
            f"segyear={year}",
        )
        first, inside, last = _SEGPOS
        rows.append((*shared, first))
        if end - start == 1:
            continue
        middle = (*shared, inside)
        rows.extend(middle for _ in range(end - start - 2))
        rows.append((*shared, last))
    return rows


def features(words: Sequence[str], spaces: Sequence[bool]) -> list[list[bytes]]:
    """One feature list per token: its own features and a window of its neighbours', each
    feature UTF-8 encoded (the tagger's own form: see `_POS`).

    `spaces[i]` says whether whitespace follows token i ("Smith,J." vs "Smith, J.").

    Per token: the word alone (`_word`); where it sits (first tokens, tenth of the
    string, years, periods and quotes before it, inside brackets); the sentence-like
    piece it sits in (`_segment_features`); the punctuation right around it and the
    nearest words past that (a fixed window sees "Smith" "," "J" "." but not that the
    word before "(2020)." is two tokens away); and a window of its neighbours.
    """
    count = len(words)
    if not count:
        return []
    cached = [_word(word) for word in words]
    segment_rows = _segment_features(words, cached)
    # The nearest real word before and after each token (-1 / count: none).
    prev_index = [-1] * count
    last = -1
    for i, w in enumerate(cached):
        prev_index[i] = last
        if w.is_word:
            last = i
    next_index = [count] * count
    last = count
    for i in range(count - 1, -1, -1):
        next_index[i] = last
        if cached[i].is_word:
            last = i
    lowers = [w.lower for w in cached]
    # Two edge words either side, so that the window needs no bounds checks.
    padded = [_EDGE_WORD, _EDGE_WORD, *cached, _EDGE_WORD, _EDGE_WORD]
    rows: list[list[bytes]] = []
    years_seen = periods_seen = quotes_seen = depth = 0
    last_index = count - 1
    for i, w in enumerate(cached):
        row = [
            *w.own,
            _POS[i if i < len(_POS) else -1],
            _REL[POSITION_BINS * i // count],
            _YEARS[years_seen],
            _PERIODS[periods_seen],
            _QUOTES_SEEN[quotes_seen],
            _DEPTH[depth > 0],
            *segment_rows[i],
            # The window of neighbours: padded[i + 2] is token i.
            *padded[i].seen_at[0],
            *padded[i + 1].seen_at[1],
            *padded[i + 3].seen_at[2],
            *padded[i + 4].seen_at[3],
        ]
        if not spaces[i]:
            row.append(b"nospace")
        # Punctuation runs and nearest words either side.
        after, before = next_index[i], prev_index[i]
        if after == i + 1:
            row.append(b"after=")
        else:
            row.append(_punct_run("".join(lowers[i + 1 : after]))[0])
        if before == i - 1:
            row.append(b"before=")
        else:
            row.append(_punct_run("".join(lowers[before + 1 : i]))[1])
        row.extend(cached[after].next_word if after < count else _NO_NEXT)
        row.extend(cached[before].prev_word if before >= 0 else _NO_PREV)
        if i:
            previous = cached[i - 1]
            row.append(f"bi={previous.lower}|{w.lower}".encode())
            row.append(_class_pair(previous.cls, w.cls)[0])
        if i < last_index:
            row.append(_class_pair(w.cls, cached[i + 1].cls)[1])
        else:
            row.append(b"last")
        rows.append(row)
        cls = w.cls
        # The counters stop at COUNT_CAP: "3 or more" is one value.
        if cls == "year":
            years_seen = min(years_seen + 1, COUNT_CAP)
        elif cls == "quote":
            quotes_seen = min(quotes_seen + 1, COUNT_CAP)
        elif cls == "open":
            depth += 1
        elif cls == "close":
            depth = max(0, depth - 1)
        elif words[i] == ".":
            periods_seen = min(periods_seen + 1, COUNT_CAP)
    return rows


def forget_words() -> None:
    """Empty the per-word feature caches (benchmarks time strings never seen before)."""
    _word.cache_clear()
    _class_pair.cache_clear()
    _punct_run.cache_clear()


class DocTokens(NamedTuple):
    """A Doc's tokens as plain lists: text, whether a space follows, first character."""

    words: list[str]
    spaces: list[bool]
    starts: list[int]


def doc_tokens(doc: Doc) -> DocTokens:
    """The tokens of a spaCy Doc, read with one array call: iterating the Doc (or reading
    `doc.text`) builds a Python Token object per token, a tenth of the parse time."""
    from spacy.attrs import IDX, ORTH, SPACY

    strings = doc.vocab.strings
    tokens = DocTokens([], [], [])
    for orth, space, start in doc.to_array([ORTH, SPACY, IDX]).tolist():
        tokens.words.append(strings[orth])
        tokens.spaces.append(bool(space))
        tokens.starts.append(start)
    return tokens


def doc_features(doc: Doc) -> list[list[bytes]]:
    """`features` for a spaCy Doc."""
    tokens = doc_tokens(doc)
    return features(tokens.words, tokens.spaces)
