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
from itertools import pairwise
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
    # The shapes of most words, without a loop: a word of letters none of them upper case
    # ("x"; uncased letters are "x" too), the same after a capital ("Xx"), digits ("d").
    if word.isalpha():
        if word.islower():
            return "x"
        if word[0].isupper() and word[1:].islower():
            return "Xx"
    elif word.isdigit():
        return "d"
    return shape_by_characters(word)


def shape_by_characters(word: str) -> str:
    """`shape` by its definition, character by character (what its shortcuts must give)."""
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
# The classes that move the counters of `_counters`.
_COUNTED = frozenset(["year", "quote", "open", "close", "."])
# By whether a space follows the token.
_NOSPACE = ((b"nospace",), ())
# The first token ends no pair (no bi=, bicls=); the last starts none ("last").
_NO_JOIN: tuple[bytes, ...] = ()
_LAST = (b"last",)


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
    two_before: tuple[bytes, ...]
    one_before: tuple[bytes, ...]
    one_after: tuple[bytes, ...]
    two_after: tuple[bytes, ...]
    # As the nearest word after / before a token: (nw=, nwcls=), (pw=, pwcls=).
    next_word: tuple[bytes, bytes]
    prev_word: tuple[bytes, bytes]
    # The two halves of the bigram feature "bi=left|right": "bi=left|", "right".
    bigram_left: bytes
    bigram_right: bytes


@lru_cache(maxsize=WORD_CACHE_SIZE)
def _word(word: str) -> _Word:
    """The features of `word`, cached: words repeat a lot."""
    lower = word.lower()
    cls = _word_class(word, lower)
    # Concatenated bytes are the features' UTF-8 encoding: encoding a str and joining the
    # pieces give the same bytes, and a concatenation costs less than an f-string.
    low, kind = lower.encode(), cls.encode()
    own = [
        b"b",
        b"w=" + low,
        b"cls=" + kind,
        b"shape=" + shape(word).encode(),
        b"pre3=" + lower[:3].encode(),
        b"suf3=" + lower[-3:].encode(),
    ]
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
        (b"-2:w=" + low, b"-2:cls=" + kind),
        (b"-1:w=" + low, b"-1:cls=" + kind),
        (b"1:w=" + low, b"1:cls=" + kind),
        (b"2:w=" + low, b"2:cls=" + kind),
        (b"nw=" + low, b"nwcls=" + kind),
        (b"pw=" + low, b"pwcls=" + kind),
        b"bi=" + low + b"|",
        low,
    )


# The neighbour before the first token or after the last: one "edge" feature per offset.
_EDGE_WORD = _Word(
    lower="",
    cls="edge",
    own=(),
    is_word=False,
    long_alpha=False,
    capitalised=False,
    two_before=(_EDGES[0],),
    one_before=(_EDGES[1],),
    one_after=(_EDGES[2],),
    two_after=(_EDGES[3],),
    next_word=(b"nw=END", b"nwcls=END"),
    prev_word=(b"pw=START", b"pwcls=START"),
    bigram_left=b"",
    bigram_right=b"",
)
_NO_NEXT = (b"nw=END", b"nwcls=END")
_NO_PREV = (b"pw=START", b"pwcls=START")


@lru_cache(maxsize=WORD_CACHE_SIZE)
def _class_pair(left: str, right: str) -> tuple[bytes, tuple[bytes]]:
    """bicls= and (bicls+=,) of two neighbouring classes."""
    return f"bicls={left}|{right}".encode(), (f"bicls+={left}|{right}".encode(),)


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
        if word in _SEGMENT_ENDS and i > start:
            before = words[i - 1]
            if not (len(before) == 1 and before.isalpha()):
                pieces.append((start, i + 1))
                start = i + 1
    if start < len(words):
        pieces.append((start, len(words)))
    return pieces


@lru_cache(maxsize=WORD_CACHE_SIZE)
def _segment_rows(
    index: int, size: int, case: str, venue: bool, year: bool
) -> tuple[tuple[bytes, ...], tuple[bytes, ...], tuple[bytes, ...]]:
    """The features of a piece's first, inner and last tokens (`_segment_features`)."""
    shared = (
        f"seg={index}".encode(),
        f"seglen={size}".encode(),
        f"segcase={case}".encode(),
        f"segvenue={venue}".encode(),
        f"segyear={year}".encode(),
    )
    first, inside, last = ((*shared, place) for place in _SEGPOS)
    return first, inside, last


def _segment_features(words: Sequence[str], cached: Sequence[_Word]) -> list[tuple[bytes, ...]]:
    """What the piece a token sits in looks like: title case, has a year, venue words.

    A title and a journal name sit in the same kind of place; the journal's piece is
    usually in title case and holds venue words, the title's is usually not.
    """
    rows: list[tuple[bytes, ...]] = []
    venue_words = _LEXICON["venue"]
    for index, (start, end) in enumerate(_segments(words)):
        alpha = capitalised = 0
        venue = year = False
        for w in cached[start:end]:
            if w.long_alpha:
                alpha += 1
                capitalised += w.capitalised
            venue = venue or w.lower in venue_words
            year = year or w.cls == "year"
        case = "none" if not alpha else f"{CASE_BINS * capitalised // (alpha + 1)}"
        first, inside, last = _segment_rows(
            min(index, COUNT_CAP), min(end - start, SEGMENT_SIZE_CAP), case, venue, year
        )
        rows.append(first)
        if end - start > 1:
            rows.extend([inside] * (end - start - 2))
            rows.append(last)
    return rows


@lru_cache(maxsize=WORD_CACHE_SIZE)
def _places(count: int) -> tuple[tuple[bytes, bytes], ...]:
    """(pos=, rel=) of each token of a string of `count` tokens: the first tokens one by
    one, then the tenth of the string."""
    last_pos = len(_POS) - 1
    return tuple((_POS[min(i, last_pos)], _REL[POSITION_BINS * i // count]) for i in range(count))


def _counters(cached: Sequence[_Word]) -> list[tuple[bytes, bytes, bytes, bytes]]:
    """(years=, periods=, quotes=, depth=) of each token: the years, full stops and quotes
    before it (capped at COUNT_CAP: "3 or more" is one value), and whether it sits inside
    brackets."""
    rows: list[tuple[bytes, bytes, bytes, bytes]] = []
    years = periods = quotes = depth = 0
    state = (_YEARS[0], _PERIODS[0], _QUOTES_SEEN[0], _DEPTH[0])
    for w in cached:
        rows.append(state)
        cls = w.cls
        if cls not in _COUNTED:
            continue
        if cls == "year":
            years = min(years + 1, COUNT_CAP)
        elif cls == "quote":
            quotes = min(quotes + 1, COUNT_CAP)
        elif cls == "open":
            depth += 1
        elif cls == "close":
            depth = max(0, depth - 1)
        else:  # a full stop: the only token whose class is "."
            periods = min(periods + 1, COUNT_CAP)
        state = (_YEARS[years], _PERIODS[periods], _QUOTES_SEEN[quotes], _DEPTH[depth > 0])
    return rows


def _behind(cached: Sequence[_Word]) -> tuple[list[bytes], list[tuple[bytes, bytes]]]:
    """(before=, (pw=, pwcls=)) of each token: the punctuation run since the nearest real
    word before it, and that word (`_ahead` gives after= and nw=)."""
    runs: list[bytes] = []
    words: list[tuple[bytes, bytes]] = []
    last = -1
    nearest = _NO_PREV
    for i, w in enumerate(cached):
        if last == i - 1:
            runs.append(b"before=")
        else:
            runs.append(_punct_run("".join([c.lower for c in cached[last + 1 : i]]))[1])
        words.append(nearest)
        if w.is_word:
            last, nearest = i, w.prev_word
    return runs, words


def _ahead(cached: Sequence[_Word]) -> tuple[list[bytes], list[tuple[bytes, bytes]]]:
    """(after=, (nw=, nwcls=)) of each token: the punctuation run up to the nearest real
    word after it, and that word."""
    count = len(cached)
    runs: list[bytes] = [b""] * count
    words: list[tuple[bytes, bytes]] = [_NO_NEXT] * count
    last = count
    nearest = _NO_NEXT
    for i in range(count - 1, -1, -1):
        if last == i + 1:
            runs[i] = b"after="
        else:
            runs[i] = _punct_run("".join([c.lower for c in cached[i + 1 : last]]))[0]
        words[i] = nearest
        w = cached[i]
        if w.is_word:
            last, nearest = i, w.next_word
    return runs, words


def features(words: Sequence[str], spaces: Sequence[bool]) -> list[list[bytes]]:
    """One feature list per token: its own features and a window of its neighbours', each
    feature UTF-8 encoded (the tagger's own form: see `_POS`).

    `spaces[i]` says whether whitespace follows token i ("Smith,J." vs "Smith, J.").

    Per token: the word alone (`_word`); where it sits (first tokens, tenth of the
    string, years, periods and quotes before it, inside brackets); the sentence-like
    piece it sits in (`_segment_features`); the punctuation right around it and the
    nearest words past that (a fixed window sees "Smith" "," "J" "." but not that the
    word before "(2020)." is two tokens away); and a window of its neighbours.

    Each kind of feature is worked out for the whole string in one pass, then the lists
    are put together token by token, always in the same order: the tagger adds up the
    weights of a token's features in the order given.
    """
    count = len(words)
    if not count:
        return []
    cached = [_word(word) for word in words]
    # Two edge words either side: the window of neighbours needs no bounds checks.
    padded = [_EDGE_WORD, _EDGE_WORD, *cached, _EDGE_WORD, _EDGE_WORD]
    after, next_words = _ahead(cached)
    before, previous_words = _behind(cached)
    # Each neighbouring pair: "bi=" and "bicls=" for the right token, "bicls+=" for the left.
    joined_left: list[tuple[bytes, ...]] = [_NO_JOIN]
    joined_right: list[tuple[bytes, ...]] = []
    for left, right in pairwise(cached):
        bicls, plus = _class_pair(left.cls, right.cls)
        joined_left.append((left.bigram_left + right.bigram_right, bicls))
        joined_right.append(plus)
    joined_right.append(_LAST)
    return [
        [
            *w.own,
            *place,
            *counted,
            *segment,
            *two_before.two_before,
            *one_before.one_before,
            *one_after.one_after,
            *two_after.two_after,
            *_NOSPACE[space],
            run_after,
            run_before,
            *next_word,
            *previous_word,
            *left,
            *right,
        ]
        for (
            w,
            place,
            counted,
            segment,
            two_before,
            one_before,
            one_after,
            two_after,
            space,
            run_after,
            run_before,
            next_word,
            previous_word,
            left,
            right,
        ) in zip(
            cached,
            _places(count),
            _counters(cached),
            _segment_features(words, cached),
            padded[:count],
            padded[1 : count + 1],
            padded[3 : count + 3],
            padded[4:],
            spaces,
            after,
            before,
            next_words,
            previous_words,
            joined_left,
            joined_right,
            strict=True,
        )
    ]


def forget_words() -> None:
    """Empty the per-word feature caches (benchmarks time strings never seen before)."""
    _word.cache_clear()
    _class_pair.cache_clear()
    _punct_run.cache_clear()
    _segment_rows.cache_clear()
    _places.cache_clear()


class DocTokens(NamedTuple):
    """A Doc's tokens as plain lists: text, whether a space follows, first character."""

    words: list[str]
    spaces: list[bool]
    starts: list[int]


def doc_tokens(doc: Doc) -> DocTokens:
    """The tokens of a spaCy Doc, read with one array call: iterating the Doc (or reading
    `doc.text`) builds a Python Token object per token, a tenth of the parse time."""
    from spacy.attrs import IDX, ORTH, SPACY

    orths, spaces, starts = doc.to_array([ORTH, SPACY, IDX]).T.tolist()
    return DocTokens(
        list(map(doc.vocab.strings.__getitem__, orths)), list(map(bool, spaces)), starts
    )


def doc_features(doc: Doc) -> list[list[bytes]]:
    """`features` for a spaCy Doc."""
    tokens = doc_tokens(doc)
    return features(tokens.words, tokens.spaces)
