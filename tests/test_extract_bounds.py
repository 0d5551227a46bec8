"""Extraction within bounds: a deadline and a cap on claims stop the reading, and what was
not read comes back whole as `Extraction.unread`, never dropped.

The contract, for any text and wherever the reading stops: the claims kept are exactly the
claims a full extraction finds that end before the unread part, and the unread part is the
rest of the text."""

from __future__ import annotations

import threading
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_extract_properties import documents

from factcheck.extract import Bounds, extract_all, parser
from factcheck.extract.bibliography import find_references_with_labels
from factcheck.extract.bibtex import parse_bibtex
from factcheck.extract.bounds import FINDS_PER_CLAIM
from factcheck.extract.freeform import find_claims
from factcheck.extract.inline import find_inline_with_labels
from factcheck.model import Citation, Extraction, Kind

DOIS = " ".join(f"doi:10.1234/n{i}" for i in range(50))
LINKS = "\n".join(
    f"- [page {i}](https://example.org/p/{i}) and [x](https://x.org/{i})" for i in range(40)
)
REFERENCES = "## References\n\n" + "\n".join(
    f"{i}. Smith, J., & Lee, K. ({2000 + i % 20}). Title {i}. *Journal*, {i}(2), 1-9."
    for i in range(1, 40)
)
BIBTEX = "\n".join(
    f"@article{{k{i},\n  title = {{Title {i}}},\n  author = {{Smith, J.}},\n"
    f"  year = {2000 + i % 20},\n}}"
    for i in range(30)
)
PAPER = (
    "As shown by Smith and Lee (2001) and others [2], [3-4] (Smith, 2003).\n\n"
    + REFERENCES
    + "\n\nSee doi:10.1234/after and https://example.org/after.\n"
)
# References outside lists, in every shape `freeform` reads: table rows, bold-title lines,
# quoted titles, identified parentheses and sentences, with identifiers among them.
FREEFORM = "\n".join(
    [
        "| Title | Authors | Year | Venue | DOI |",
        "|---|---|---|---|---|",
        *(
            f"| Sparse probing of encoders {i} | Dahl and Imai | {2000 + i} | ICASSP"
            f" | 10.5555/t.{i} |"
            for i in range(15)
        ),
        "",
        *(
            f"**Coral reef recovery after bleaching {i}** — M. Okafor and L. Brandt ({2000 + i})."
            " *Marine Ecology*."
            for i in range(10)
        ),
        "",
        *(
            f"As Lindqvist and Osei ({2000 + i}) argue in “Tokenizer drift in models {i}” (ACL),"
            f" the effect is small (Smith and Lee, {2001 + i}, Nature, doi:10.1234/p.{i})."
            f" Park and Oh ({2002 + i}) report it too (arXiv:2101.{i:05d})."
            for i in range(10)
        ),
    ]
)
# How long the stand-in parser takes to load.
LOAD_SECONDS = 5.0
TEXTS = {
    "dois": DOIS,
    "links": LINKS,
    "references": REFERENCES,
    "bibtex": BIBTEX,
    "paper": PAPER,
    "freeform": FREEFORM,
}


class Countdown(Bounds):
    """A deadline that passes after `checks` looks at the clock: stops the reading at any
    point, the same on every machine."""

    def __init__(self, checks: int, claims: int | None = None) -> None:
        super().__init__(due=0.0, claims=claims)
        self.left = checks

    def expired(self) -> bool:
        self.left -= 1
        return self.left < 0


def spans(citations: list[Citation]) -> list[tuple[Kind, int, int, str]]:
    """The claims (in-text citations aside, which need the whole text to be read)."""
    return [(c.kind, c.start, c.end, c.raw) for c in citations if c.kind is not Kind.INLINE]


def assert_read_part(text: str, bounded: Extraction, full: Extraction) -> None:
    """The bounded extraction is the full one up to where it stopped, plus the rest unread."""
    unread = bounded.unread
    if unread is None:
        assert spans(bounded.citations) == spans(full.citations)
        return
    assert 0 <= unread.start < unread.end == len(text)
    assert unread.raw == text[unread.start :]
    assert all(c.end <= unread.start for c in bounded.citations)
    expected = [c for c in full.citations if c.end <= unread.start]
    assert spans(bounded.citations) == spans(expected)
    for row in bounded.links:
        assert row.problem not in ("no_entry", "uncited")


# --- the deadline ----------------------------------------------------------------------------


@pytest.mark.parametrize("text", TEXTS.values(), ids=TEXTS.keys())
def test_a_passed_deadline_leaves_the_whole_text_unread(text: str) -> None:
    extraction = extract_all(text, Bounds(due=time.monotonic() - 1))
    assert extraction.citations == []
    assert extraction.unread is not None
    assert (extraction.unread.start, extraction.unread.raw) == (0, text)
    assert extraction.unread.cause == "deadline"


@pytest.mark.parametrize("text", TEXTS.values(), ids=TEXTS.keys())
def test_a_deadline_far_ahead_changes_nothing(text: str) -> None:
    bounded = extract_all(text, Bounds(due=time.monotonic() + 3600))
    assert bounded.unread is None
    assert bounded == extract_all(text)


@pytest.mark.parametrize("text", TEXTS.values(), ids=TEXTS.keys())
def test_a_deadline_passing_midway_keeps_what_was_read(text: str) -> None:
    """Every stopping point, from the first look at the clock on. (The finders read the
    text one after the other: once the deadline has passed, the next one stops at its
    first candidate, so most stops fall near the start; the last finder's fall all over.)"""
    full = extract_all(text)
    stops = set()
    for checks in range(0, 600, 3):
        bounded = extract_all(text, Countdown(checks))
        assert_read_part(text, bounded, full)
        stops.add(bounded.unread.start if bounded.unread else len(text))
    assert 0 in stops


@pytest.mark.parametrize(
    "text", [LINKS, REFERENCES, FREEFORM], ids=["links", "references", "freeform"]
)
def test_the_later_the_deadline_the_more_is_kept(text: str) -> None:
    kept = [len(extract_all(text, Countdown(checks)).citations) for checks in range(0, 600, 3)]
    assert kept == sorted(kept)
    assert len(set(kept)) > 3
    assert kept[-1] == len(extract_all(text).citations)


@settings(max_examples=150, deadline=None)
@given(documents, st.integers(min_value=0, max_value=60))
def test_a_deadline_anywhere_on_random_documents(text: str, checks: int) -> None:
    assert_read_part(text, extract_all(text, Countdown(checks)), extract_all(text))


def test_every_finder_stops_at_a_passed_deadline() -> None:
    """Called alone, each finder returns nothing past the deadline, and says where."""
    late = time.monotonic() - 1
    for finder in (
        lambda b: find_references_with_labels(REFERENCES, b),
        lambda b: parse_bibtex(BIBTEX, b).entries,
        lambda b: find_inline_with_labels(PAPER, [], b),
        lambda b: find_claims(FREEFORM, [], b),
    ):
        bounds = Bounds(due=late)
        assert finder(bounds) == []
        assert bounds.cut is not None and bounds.cause == "deadline"


# --- the cap on claims -----------------------------------------------------------------------


@pytest.mark.parametrize("claims", [1, 2, 7, 20])
@pytest.mark.parametrize("text", TEXTS.values(), ids=TEXTS.keys())
def test_the_cap_keeps_the_first_claims_and_leaves_the_rest_unread(text: str, claims: int) -> None:
    full = extract_all(text)
    bounded = extract_all(text, Bounds(claims=claims))
    assert_read_part(text, bounded, full)
    full_claims = [c for c in full.citations if c.kind is not Kind.INLINE]
    kept = [c for c in bounded.citations if c.kind is not Kind.INLINE]
    assert len(kept) <= claims
    if len(full_claims) <= claims:
        assert bounded.unread is None
    else:
        assert bounded.unread is not None and bounded.unread.cause == "limit"
        assert bounded.unread.start <= full_claims[claims].start


def test_the_cap_stops_exactly_at_the_first_claim_over_it() -> None:
    bounded = extract_all(DOIS, Bounds(claims=10))
    assert [c.raw for c in bounded.citations] == [f"doi:10.1234/n{i}" for i in range(10)]
    assert bounded.unread is not None
    assert bounded.unread.raw == DOIS[DOIS.index("doi:10.1234/n10") :]


@settings(max_examples=150, deadline=None)
@given(documents, st.integers(min_value=1, max_value=5))
def test_the_cap_on_random_documents(text: str, claims: int) -> None:
    bounded = extract_all(text, Bounds(claims=claims))
    assert_read_part(text, bounded, extract_all(text))
    assert len(spans(bounded.citations)) <= claims


def test_broken_bibtex_blocks_count_against_the_cap() -> None:
    """A block that never closes yields problems, not an entry: blocks are what is capped."""
    text = "@article{k,\n" * 5_000
    result = parse_bibtex(text, Bounds(claims=10))
    assert result.entries == []
    assert 0 < len(result.problems) <= 10 * FINDS_PER_CLAIM * 3
    assert len(parse_bibtex(text).problems) >= 5_000


class Counted(Bounds):
    """Bounds that count how often a finder asked whether to go on."""

    def __init__(self, claims: int | None = None) -> None:
        super().__init__(claims=claims)
        self.asked = 0

    def passed(self, position: int, *, unread: int | None = None) -> bool:
        self.asked += 1
        return super().passed(position, unread=unread)


def test_many_dois_cost_the_reading_of_the_first_ones() -> None:
    """The finders that run after the cap is met stop where it was met: the work (and the
    memory) follow the cap, not the length of the text."""
    text = "\n".join(f"10.{1000 + i % 9000}/j.{i}" for i in range(100_000))
    capped, whole = Counted(claims=100), Counted()
    bounded = extract_all(text, capped)
    extract_all(text, whole)
    assert [c.raw for c in bounded.citations] == text.split("\n")[:100]
    assert bounded.unread is not None and bounded.unread.start < len(text) // 100
    assert capped.asked * 10 < whole.asked


def test_a_deadline_does_not_wait_for_the_parser_to_load(monkeypatch: pytest.MonkeyPatch) -> None:
    """Loading the parser takes seconds and cannot be interrupted: a reading with a
    deadline stops waiting for it, and the load goes on for the next call."""
    pipeline = parser._pipeline()
    release = threading.Event()

    def slow_build(model: object) -> object:
        release.wait(LOAD_SECONDS)
        return pipeline

    monkeypatch.setattr(parser, "_nlp", None)
    monkeypatch.setattr(parser, "_build", slow_build)
    text = "See doi:10.1234/before.\n\n" + REFERENCES
    started = time.monotonic()
    extraction = extract_all(text, Bounds(due=time.monotonic() + 0.2))
    elapsed = time.monotonic() - started
    release.set()
    assert elapsed < LOAD_SECONDS / 2
    assert [c.raw for c in extraction.citations] == ["doi:10.1234/before"]
    assert extraction.unread is not None and extraction.unread.cause == "deadline"
    assert extraction.unread.start == text.index("Smith")
    assert parser.ready_within(LOAD_SECONDS)
    assert extract_all(text, Bounds(due=time.monotonic() + 60)).unread is None


def test_free_form_claims_stop_at_the_deadline_and_say_where() -> None:
    """Called alone, `find_claims` keeps the claims read before the deadline passed, and
    notes the start of the first it did not read: nothing past it is dropped unsaid."""
    whole = find_claims(FREEFORM, [])
    assert len(whole) > 30
    for checks in range(0, 400, 7):
        bounds = Countdown(checks)
        kept = find_claims(FREEFORM, [], bounds)
        if bounds.cut is None:
            assert kept == whole
            continue
        assert bounds.cause == "deadline"
        assert all(claim.citation.end <= bounds.cut for claim in kept)
        assert [c.citation.raw for c in kept] == [
            c.citation.raw for c in whole if c.citation.end <= bounds.cut
        ]


def test_free_form_claims_past_the_cap_are_unread() -> None:
    """A check capped at a few claims keeps the first table rows and reports the rest."""
    bounded = extract_all(FREEFORM, Bounds(claims=4))
    claims = [c for c in bounded.citations if c.kind is not Kind.INLINE]
    assert 0 < len(claims) <= 4
    assert bounded.unread is not None and bounded.unread.cause == "limit"
    assert bounded.unread.raw == FREEFORM[bounded.unread.start :]
    assert "Sparse probing of encoders 14" in bounded.unread.raw


def test_many_table_rows_cost_the_reading_of_the_first_ones() -> None:
    """Each shape stops at the cap: the free-form finder's work follows it, not the text."""
    rows = "\n".join(
        f"| Graph priors for docking {i} | Haddad and Tan | {1900 + i % 120} | NeurIPS |"
        for i in range(20_000)
    )
    text = "| Title | Authors | Year | Venue |\n|---|---|---|---|\n" + rows
    capped, whole = Counted(claims=10), Counted()
    kept = find_claims(text, [], capped)
    find_claims(text, [], whole)
    assert 0 < len(kept) <= 10 * FINDS_PER_CLAIM
    assert capped.cut is not None and capped.cause == "limit"
    assert capped.asked * 100 < whole.asked
