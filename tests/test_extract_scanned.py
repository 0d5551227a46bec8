"""A sentence's identifiers taken from the whole text's scan (`extract.scanned`) are exactly
what scanning the sentence alone finds: where the two might differ, the sentence is read
again, and the claims found are the same either way."""

from __future__ import annotations

import importlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from factcheck.extract import extract_all, find_identifiers, find_urls
from factcheck.extract.bounds import Bounds
from factcheck.extract.freeform import find_claims
from factcheck.extract.scanned import Scanned
from factcheck.model import Citation

freeform = importlib.import_module("factcheck.extract.freeform")

DOI = "10.1371/journal.pone.0033693"


def scanned(text: str, *, complete: bool = True) -> Scanned:
    return Scanned(text, find_urls(text), find_identifiers(text), complete=complete)


def own_scan(text: str, start: int, end: int) -> list[tuple[object, ...]]:
    """What scanning `text[start:end]` alone finds, at its places in the whole text."""
    clause = text[start:end]
    return [_key(c, start) for c in [*find_urls(clause), *find_identifiers(clause)]]


def _key(citation: Citation, offset: int = 0) -> tuple[object, ...]:
    return (
        citation.kind,
        citation.raw,
        citation.start + offset,
        citation.end + offset,
        citation.fields.model_dump_json(),
    )


def clause_after(text: str, marker: str, end_marker: str) -> tuple[int, int]:
    start = text.index(marker) + len(marker)
    return start, text.index(end_marker, start)


@pytest.mark.parametrize(
    "text",
    [
        f"As Sadasivan and Oakes (2012) showed (doi:{DOI}), exposure matters. Next.",
        f"Sadasivan and Oakes (2012) showed it ([link](https://doi.org/{DOI})).\nMore.",
        "Lee (2019) give arXiv:2101.00001v2 and https://example.org/a?b! Then",
        f"Lee (2019) show it, see https://doi.org/{DOI}",
    ],
)
def test_a_clause_after_a_year_is_lent_what_its_own_scan_finds(text: str) -> None:
    start = text.index("(20") + len("(2012)")
    end = next(
        (
            i
            for i, ch in enumerate(text)
            if i > start and ch in ".!\n" and text[i + 1 : i + 2] in ("", " ", "\n")
        ),
        len(text),
    )
    lent = scanned(text).within(start, end)
    assert lent is not None
    assert [_key(c) for c in lent] == own_scan(text, start, end)
    assert lent, "the clause holds an identifier"


def test_links_come_first_then_identifiers_each_in_its_finders_order() -> None:
    text = f"Kim (2020) cite doi:{DOI} and https://arxiv.org/abs/2101.00001 and PMC123. End"
    start, end = clause_after(text, "(2020)", ". End")
    lent = scanned(text).within(start, end)
    assert lent is not None
    assert [c.raw for c in lent] == [
        "https://arxiv.org/abs/2101.00001",
        f"doi:{DOI}",
        "arxiv.org/abs/2101.00001",
        "PMC123",
    ]


@pytest.mark.parametrize(
    ("text", "start_after", "end_before"),
    [
        # A DOI that runs over the span's end: the span's own scan finds it cut.
        (f"Kim (2020) see doi:{DOI} here", "(2020)", "pone."),
        # A DOI right at the span's start: at a string's start the finders see no ")".
        (f"Kim (2020)doi:{DOI} ok. Next", "(2020)", ". Next"),
        # Not after ")": "doi:// DOI 10.1/x" is no DOI (its label follows "://"), but the
        # span "10.1234/abcd" alone is one.
        ("Kim doi:// DOI 10.1234/abcd is odd. Next", "DOI ", ". Next"),
        # The span ends inside a word, not at a sentence's end or a space.
        (f"Kim (2020) see doi:{DOI} and more", "(2020)", "ore"),
        # "." then no space: the span's end is no sentence end.
        (f"Kim (2020) see doi:{DOI} here.x", "(2020)", ".x"),
    ],
    ids=["runs-over-end", "touches-start", "after-a-space", "mid-word", "no-sentence-end"],
)
def test_where_the_bounds_might_change_a_scan_nothing_is_lent(
    text: str, start_after: str, end_before: str
) -> None:
    start, end = clause_after(text, start_after, end_before)
    assert scanned(text).within(start, end) is None


def test_the_after_a_space_case_really_differs() -> None:
    """Why a span must follow ")": read alone, it finds a DOI the whole text does not."""
    text = "Kim doi:// DOI 10.1234/abcd is odd. Next"
    start, end = clause_after(text, "DOI ", ". Next")
    inside = [c for c in find_identifiers(text) if start <= c.start and c.end <= end]
    assert inside == []
    assert own_scan(text, start, end) != []


def test_a_cut_scan_or_a_bibtex_text_lends_nothing() -> None:
    text = f"Kim (2020) see doi:{DOI}. Next"
    start, end = clause_after(text, "(2020)", ". Next")
    assert scanned(text).within(start, end) is not None
    assert scanned(text, complete=False).within(start, end) is None
    bibtex = f"@misc{{k, note={{x}}}}\nKim (2020) see doi:{DOI}. Next"
    start, end = clause_after(bibtex, "(2020)", ". Next")
    assert scanned(bibtex).within(start, end) is None


@pytest.mark.parametrize(
    "text",
    [
        # Lent: the DOI is inside its clause.
        f"As Sadasivan and Oakes (2012) showed (doi:{DOI}), it holds. Then more.",
        # Not lent: the DOI starts right after "(2012)".
        f"Sadasivan and Oakes (2012)doi:{DOI} shows it. Then more.",
        # Not lent: the clause is cut at 300 characters, in the middle of a link.
        "Sadasivan and Oakes (2012) " + "word " * 52 + f"see https://doi.org/{DOI} then",
        # Two sentences, each its own clause.
        f"Lee (2019) found it (doi:{DOI}). Kim (2020) agreed (arXiv:2101.00001).",
    ],
    ids=["inside", "touching-start", "cut-window", "two-sentences"],
)
def test_sentence_claims_are_the_same_whether_lent_or_scanned_again(text: str) -> None:
    lent = find_claims(text, [], Bounds(), scanned(text))
    alone = find_claims(text, [], Bounds())
    assert lent, "the text cites a work with its identifier in a sentence"
    assert [(c.citation.model_dump(), c.shape) for c in lent] == [
        (c.citation.model_dump(), c.shape) for c in alone
    ]


def test_a_straddling_identifier_is_still_found_from_the_clause() -> None:
    """The clause's window ends inside a link: its own scan reads what the window holds, as
    it did before the whole text's scan was lent."""
    text = "Sadasivan and Oakes (2012) " + "word " * 52 + f"see https://doi.org/{DOI} then"
    start = text.index("(2012)") + len("(2012)")
    window_end = start + 300
    assert any(c.start < window_end < c.end for c in find_urls(text))
    claims = find_claims(text, [], Bounds(), scanned(text))
    assert len(claims) == 1
    doi = claims[0].citation.fields.doi
    assert doi is not None and DOI.startswith(doi)
    assert claims[0].citation.end == window_end


def test_extract_all_lends_its_scan_to_the_sentences(monkeypatch: pytest.MonkeyPatch) -> None:
    """`extract_all` reads each sentence's identifiers from its own scan: none is read
    again."""
    calls: list[str] = []
    real = freeform.find_urls

    def counted(text: str, bounds: Bounds | None = None) -> list[Citation]:
        calls.append(text)
        return real(text, bounds)

    monkeypatch.setattr(freeform, "find_urls", counted)
    text = " ".join(
        f"Smith (2020) reports study {n} ([link](https://doi.org/10.5555/b.{n})), a finding."
        for n in range(3)
    )
    claims = [c for c in extract_all(text).citations if c.fields.authors]
    assert [c.fields.doi for c in claims] == [f"10.5555/b.{n}" for n in range(3)]
    assert calls == []


FRAGMENTS = [
    "Smith (2020)",
    ")",
    "(",
    " ",
    ". ",
    "\n",
    "doi:",
    "DOI ",
    "doi.org/",
    "://",
    "https://",
    "10.1234/ab.c",
    "10.5/x",
    "arXiv:",
    "2101.00001",
    "hep-th/9901001",
    "PMID: 12",
    "PMC45",
    "ISBN ",
    "978-0-306-40615-7",
    "www.ex.org/p",
    "](",
    "<",
    ">",
    "?",
    "!",
    "x",
]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=30),
    st.integers(min_value=0),
    st.integers(min_value=0),
)
def test_what_is_lent_is_what_the_span_alone_finds(pieces: list[str], one: int, two: int) -> None:
    text = "".join(pieces)
    after_closers = [i + 1 for i, ch in enumerate(text) if ch == ")"] or [0]
    start = after_closers[one % len(after_closers)]
    end = start + two % (len(text) - start + 1)
    lent = scanned(text).within(start, end)
    if lent is not None:
        assert [_key(c) for c in lent] == own_scan(text, start, end)
