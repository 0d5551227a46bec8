"""arXiv title searches that arrive together share one request (`resolve.batch`), and each is
decided as if it had been asked alone, faults included: a failing batch leaves every one of
its searches unverifiable, never not_found."""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from servers import LocalServer, Reply, Seen, fast_config

from factcheck.checker import Checker
from factcheck.config import Config
from factcheck.configfile import HostOverride
from factcheck.model import Author, Citation, Fields, Kind, Record, Status
from factcheck.net.http import Http
from factcheck.resolve.arxiv import ArxivResolver, split_hits
from factcheck.resolve.base import Lookup, Outcome, guarded
from factcheck.resolve.batch import Batcher

ATOM = "application/atom+xml"
HTML = "text/html"
QUERY = "/arxiv/api/query"
# arXiv's pace lifted for the fake's host, so that searches asked one by one (and retries)
# take no three seconds each.
FAST_HOST = {"127.0.0.1": HostOverride(rate=1000.0, concurrency=8)}
# Works the fake holds: (arXiv id, title, first author's family and given names, year).
PAPERS = [
    ("2101.00001", "Sparse attention for long documents", ("Rivera", "Ana"), 2021),
    ("2102.00002", "Graph networks for molecule design", ("Okafor", "Chidi"), 2021),
    ("2103.00003", "Attention is not all you need for graphs", ("Lind", "Eva"), 2021),
]
INVENTED = [
    "Quantum gardening with recurrent tulips",
    "A unified theory of sandwich embeddings",
    "Self supervised weather for small moons",
    "Contrastive learning of imaginary birds",
    "Neural sheep counting at scale",
]
_PHRASE = re.compile(r'ti:"([^"]*)"')


def entry(arxiv: str, title: str, author: tuple[str, str], year: int) -> str:
    return (
        f"<entry><id>http://arxiv.org/abs/{arxiv}v1</id>"
        f"<published>{year}-01-05T00:00:00Z</published>"
        f"<title>{html.escape(title)}</title>"
        f"<author><name>{author[1]} {author[0]}</name></author></entry>"
    )


def feed(entries: list[str]) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        + "".join(entries)
        + "</feed>"
    ).encode()


def search(seen: Seen) -> Reply:
    """arXiv's title search: the papers whose title holds one of the quoted phrases."""
    query = parse_qs(urlsplit(seen.path).query)
    phrases = [p.lower() for p in _PHRASE.findall(query["search_query"][0])]
    rows = int(query["max_results"][0])
    found = [p for p in PAPERS if any(phrase in p[1].lower() for phrase in phrases)]
    return Reply(200, feed([entry(*p) for p in found[:rows]]), {"Content-Type": ATOM})


def claim(title: str, author: tuple[str, str] = ("Rivera", "Ana"), year: int = 2021) -> Citation:
    raw = f"{author[0]}, {author[1][0]}. ({year}). {title}. arXiv preprint."
    fields = Fields(
        title=title,
        authors=[Author(family=author[0], given=author[1])],
        year=year,
        container="arXiv preprint",
    )
    return Citation(kind=Kind.REFERENCE, raw=raw, start=0, end=len(raw), fields=fields)


CLAIMS = [claim(p[1], p[2], p[3]) for p in PAPERS] + [claim(t) for t in INVENTED]


@pytest.fixture
def server() -> Iterator[LocalServer]:
    local = LocalServer().start()
    local.handle(QUERY, search)
    yield local
    local.stop()


@pytest.fixture
def config(server: LocalServer, tmp_path: Path) -> Config:
    return fast_config(
        tmp_path, arxiv_url=server.url("/arxiv/api"), sources=("arxiv",), hosts=FAST_HOST
    )


def together(resolver: ArxivResolver, claims: list[Citation]) -> list[Lookup]:
    """The claims searched at once, announced as the Checker announces them."""
    for _ in claims:
        resolver.expect()

    def one(citation: Citation) -> Lookup:
        try:
            return guarded(resolver, citation)
        finally:
            resolver.unexpect()

    with ThreadPoolExecutor(len(claims)) as pool:
        return list(pool.map(one, claims))


def alone(config: Config, claims: list[Citation]) -> list[Lookup]:
    """Each claim searched by itself, with a resolver of its own."""
    answers = []
    for citation in claims:
        with Http(config) as http:
            answers.append(guarded(ArxivResolver(http, config), citation))
    return answers


def test_searches_asked_together_share_one_request(server: LocalServer, config: Config) -> None:
    with Http(config) as http:
        lookups = together(ArxivResolver(http, config), CLAIMS)
    assert server.hits(QUERY) == 1
    outcomes = [lk.outcome for lk in lookups]
    assert outcomes == [Outcome.FOUND] * len(PAPERS) + [Outcome.MISSING] * len(INVENTED)
    for lookup, paper in zip(lookups, PAPERS, strict=False):
        assert lookup.records[0].fields.arxiv == paper[0]


def test_each_search_is_decided_as_if_asked_alone(server: LocalServer, config: Config) -> None:
    with Http(config) as http:
        shared = together(ArxivResolver(http, config), CLAIMS)
    assert shared == alone(config, CLAIMS)


def test_a_lone_search_sends_the_request_it_always_sent(
    server: LocalServer, config: Config
) -> None:
    with Http(config) as http:
        [lookup] = together(ArxivResolver(http, config), [CLAIMS[0]])
    assert lookup.outcome is Outcome.FOUND
    [seen] = server.seen
    query = parse_qs(urlsplit(seen.path).query)
    assert query["search_query"] == [f'ti:"{PAPERS[0][1]}"']
    assert query["max_results"] == ["5"]


def test_no_more_titles_per_request_than_allowed(
    server: LocalServer, config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("factcheck.resolve.arxiv.MAX_BATCH_TITLES", 3)
    with Http(config) as http:
        lookups = together(ArxivResolver(http, config), CLAIMS)
    sizes = [
        len(_PHRASE.findall(parse_qs(urlsplit(s.path).query)["search_query"][0]))
        for s in server.seen
    ]
    assert max(sizes) <= 3
    assert sum(sizes) == len(CLAIMS)
    assert lookups == alone(config, CLAIMS)


def test_a_title_that_resembles_two_searched_ones_goes_to_the_closer() -> None:
    titles = ["attention is not all you need for graphs", "sparse attention for long documents"]
    hit = Record(
        source="arxiv", id="1", fields=Fields(title="Attention Is Not All You Need for Graphs")
    )
    other = Record(
        source="arxiv", id="2", fields=Fields(title="Sparse Attention for Long Documents")
    )
    shares = split_hits(titles, [other, hit])
    assert shares == {titles[0]: [hit], titles[1]: [other]}


FAULTS: dict[str, Callable[[Seen], Reply]] = {
    "server error": lambda seen: Reply(503, b"busy"),
    "not a feed": lambda seen: Reply(
        200, b"<html><body>maintenance</body></html>", {"Content-Type": "text/html"}
    ),
    "broken xml": lambda seen: Reply(200, b"<feed", {"Content-Type": ATOM}),
    "unexpected status": lambda seen: Reply(302, b"", {"Location": "/elsewhere"}),
}


@pytest.mark.parametrize("fault", FAULTS)
def test_a_failing_batch_fails_each_search_as_alone(
    server: LocalServer, config: Config, fault: str
) -> None:
    server.handle(QUERY, FAULTS[fault])
    with Http(config) as http:
        shared = together(ArxivResolver(http, config), CLAIMS)
    assert all(lk.outcome is Outcome.FAILED for lk in shared)
    assert [lk.reason for lk in shared] == [lk.reason for lk in alone(config, CLAIMS)]


def test_a_batch_the_server_refuses_to_answer_is_unverifiable_never_not_found(
    server: LocalServer, config: Config
) -> None:
    server.handle(QUERY, FAULTS["server error"])
    text = "\n".join(f"{i}. {c.raw}" for i, c in enumerate(CLAIMS, start=1))
    with Checker(config) as checker:
        report = checker.check("References\n\n" + text)
    statuses = {item.verdict.status for item in report.items}
    assert statuses == {Status.UNVERIFIABLE}


def test_a_text_decides_each_entry_as_alone(server: LocalServer, config: Config) -> None:
    entries = [f"{i}. {c.raw}" for i, c in enumerate(CLAIMS, start=1)]
    with Checker(config) as checker:
        report = checker.check("References\n\n" + "\n".join(entries))
        one_by_one = [checker.check(f"References\n\n{e}").items[0].verdict for e in entries]
    assert [item.verdict for item in report.items] == one_by_one
    assert {v.status for v in one_by_one} == {Status.VERIFIED, Status.NOT_FOUND}


def test_the_searches_of_one_text_share_one_arxiv_request(
    server: LocalServer, config: Config
) -> None:
    # Crossref, asked first, holds none of them: every entry then goes on to arXiv.
    empty = b'{"status": "ok", "message": {"items": []}}'
    server.on("/crossref/works", Reply(200, empty, {"Content-Type": "application/json"}))
    searching = config.model_copy(
        update={"sources": ("crossref", "arxiv"), "crossref_url": server.url("/crossref")}
    )
    entries = [f"{i}. {c.raw}" for i, c in enumerate(CLAIMS, start=1)]
    with Checker(searching) as checker:
        report = checker.check("References\n\n" + "\n".join(entries))
    assert server.hits("/crossref/works") == len(CLAIMS)
    assert server.hits(QUERY) == 1
    statuses = [item.verdict.status for item in report.items]
    assert statuses == [Status.VERIFIED] * len(PAPERS) + [Status.NOT_FOUND] * len(INVENTED)


def test_the_batcher_hands_each_member_its_own_answer() -> None:
    sent: list[list[str]] = []
    gate = threading.Barrier(4)

    def send(queries: list[str]) -> dict[str, str]:
        sent.append(queries)
        return {q: q.upper() for q in queries}

    batcher: Batcher[str, str] = Batcher(send, max_size=10, max_gather=10.0)
    for _ in range(4):
        batcher.expect()

    def one(query: str) -> str:
        gate.wait(10)
        try:
            return batcher.ask(query)
        finally:
            batcher.unexpect()

    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(one, ["a", "b", "a", "c"]))
    assert answers == ["A", "B", "A", "C"]
    assert sum(len(s) for s in sent) == 3  # "a" asked once


def test_a_batch_is_not_held_for_searches_that_ended_elsewhere() -> None:
    def send(queries: list[str]) -> dict[str, Any]:
        return {q: q for q in queries}

    # Two announced; one ends without coming (another source settled it): the other, alone
    # now, must not wait for it (a gather of an hour would hang the test).
    batcher: Batcher[str, Any] = Batcher(send, max_size=10, max_gather=3600.0)
    batcher.expect()
    batcher.expect()
    batcher.unexpect()
    assert batcher.ask("x") == "x"


@pytest.mark.parametrize("setting", ["offline", "replay"])
def test_offline_or_replaying_each_search_is_asked_alone(
    config: Config, setting: str, tmp_path: Path
) -> None:
    # The cache and the recordings hold single-title requests, never a batch of others.
    value: object = True if setting == "offline" else str(tmp_path / "recorded.json")
    changed = config.model_copy(update={setting: value})
    sent: list[list[str]] = []

    def search_titles(titles: list[str]) -> dict[str, list[Record]]:
        sent.append(titles)
        return {title: [] for title in titles}

    with Http(config) as http:
        resolver = ArxivResolver(http, changed)
        resolver._search_titles = search_titles  # type: ignore[method-assign]
        lookups = together(resolver, CLAIMS)
    assert sorted(len(titles) for titles in sent) == [1] * len(CLAIMS)
    assert all(lk.outcome is Outcome.MISSING for lk in lookups)


def test_titles_announced_are_asked_with_the_first_that_comes() -> None:
    sent: list[list[str]] = []

    def send(queries: list[str]) -> dict[str, str]:
        sent.append(queries)
        return {q: q.upper() for q in queries}

    # An hour's gather would hang the test: the batch must go at once, with all three.
    batcher: Batcher[str, str] = Batcher(send, max_size=10, max_gather=3600.0)
    for query in ("a", "b", "c"):
        batcher.expect(query)
    assert batcher.ask("a") == "A"
    assert sent == [["a", "b", "c"]]
    # The others come later and take their answers from that request.
    assert batcher.ask("c") == "C"
    assert batcher.ask("b") == "B"
    assert len(sent) == 1
    for query in ("a", "b", "c"):
        batcher.unexpect(query)


def test_a_search_settled_elsewhere_drops_its_share_and_a_new_one_asks_anew() -> None:
    sent: list[list[str]] = []

    def send(queries: list[str]) -> dict[str, str]:
        sent.append(queries)
        return {q: q.upper() for q in queries}

    batcher: Batcher[str, str] = Batcher(send, max_size=10, max_gather=3600.0)
    batcher.expect("a")
    batcher.expect("b")
    assert batcher.ask("a") == "A"
    batcher.unexpect("b")  # settled by another source: it never comes
    batcher.unexpect("a")
    assert batcher.ask("b") == "B"  # a later search of the same title is asked again
    assert sent == [["a", "b"], ["b"]]


def test_a_search_announced_without_its_title_is_waited_for_as_before() -> None:
    sent: list[list[str]] = []

    def send(queries: list[str]) -> dict[str, str]:
        sent.append(queries)
        return {q: q for q in queries}

    batcher: Batcher[str, str] = Batcher(send, max_size=10, max_gather=3600.0)
    batcher.expect("a")
    batcher.expect()  # its title is unknown: no batch can ask for it, so "a" waits for it

    def one(query: str | None) -> str:
        try:
            return batcher.ask(query or "x")
        finally:
            batcher.unexpect(query)

    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(one, ["a", None]))
    assert answers == ["a", "x"]
    assert len(sent) == 1 and sorted(sent[0]) == ["a", "x"]


def test_more_titles_announced_than_fit_wait_as_before_and_fill_the_rest() -> None:
    sent: list[list[str]] = []

    def send(queries: list[str]) -> dict[str, str]:
        sent.append(queries)
        return {q: q for q in queries}

    batcher: Batcher[str, str] = Batcher(send, max_size=2, max_gather=3600.0)
    for query in ("a", "b", "c"):
        batcher.expect(query)
    with ThreadPoolExecutor(3) as pool:
        first = pool.submit(batcher.ask, "c")
        # "c" cannot take "a" and "b" along (room for one more): it waits for them to come
        # or end. "b" ends elsewhere; "a" then fits, and goes with "c".
        batcher.unexpect("b")
        assert first.result(10) == "c"
        assert batcher.ask("a") == "a"
    assert sent == [["c", "a"]]


def test_a_title_asked_early_by_a_failing_batch_fails_with_it() -> None:
    sent: list[list[str]] = []

    def send(queries: list[str]) -> dict[str, str]:
        sent.append(queries)
        raise RuntimeError("busy")

    batcher: Batcher[str, str] = Batcher(send, max_size=10, max_gather=3600.0)
    batcher.expect("a")
    batcher.expect("b")
    for query in ("a", "b"):  # "b" was asked by "a"'s request: it fails as a member of it
        with pytest.raises(RuntimeError, match="busy"):
            batcher.ask(query)
    assert sent == [["a", "b"]]


def test_the_arxiv_batch_goes_out_while_other_entries_still_search_crossref(
    server: LocalServer, config: Config
) -> None:
    # Crossref answers the first search at once and holds the others until arXiv is asked:
    # arXiv's one request must not wait for every entry to miss at Crossref first.
    arxiv_asked = threading.Event()
    crossref_calls: list[str] = []
    empty = b'{"status": "ok", "message": {"items": []}}'

    def crossref(seen: Seen) -> Reply:
        crossref_calls.append(seen.path)
        if len(crossref_calls) > 1:
            arxiv_asked.wait(10)
        return Reply(200, empty, {"Content-Type": "application/json"})

    def arxiv(seen: Seen) -> Reply:
        arxiv_asked.set()
        return search(seen)

    server.handle("/crossref/works", crossref)
    server.handle(QUERY, arxiv)
    searching = config.model_copy(
        update={"sources": ("crossref", "arxiv"), "crossref_url": server.url("/crossref")}
    )
    invented = [claim(t) for t in INVENTED]
    entries = [f"{i}. {c.raw}" for i, c in enumerate(invented, start=1)]
    with Checker(searching) as checker:
        report = checker.check("References\n\n" + "\n".join(entries))
    assert [item.verdict.status for item in report.items] == [Status.NOT_FOUND] * len(INVENTED)
    assert server.hits("/crossref/works") == len(INVENTED)
    [seen] = [s for s in server.seen if s.path.startswith(QUERY)]
    titles = _PHRASE.findall(parse_qs(urlsplit(seen.path).query)["search_query"][0])
    assert sorted(titles) == sorted(INVENTED)


@pytest.mark.parametrize("streamed", [False, True], ids=["check", "iter_check"])
def test_more_misses_than_workers_still_share_one_arxiv_request(
    server: LocalServer, config: Config, streamed: bool
) -> None:
    # Two worker threads for five invented entries: the entries still queued must be known
    # to arXiv's batch before the first search reaches it, in `check` and in the streamed
    # `iter_check` alike (the guard's stream_first mode), or each pair costs a paced request.
    server.handle(QUERY, search)
    two_workers = config.model_copy(update={"workers": 2})
    entries = [f"{i}. {claim(t).raw}" for i, t in enumerate(INVENTED, start=1)]
    text = "References\n\n" + "\n".join(entries)
    with Checker(two_workers) as checker:
        if streamed:
            statuses = [finding.verdict.status for finding in checker.iter_check(text)]
        else:
            statuses = [item.verdict.status for item in checker.check(text).items]
    assert statuses == [Status.NOT_FOUND] * len(INVENTED)
    [seen] = [s for s in server.seen if s.path.startswith(QUERY)]
    titles = _PHRASE.findall(parse_qs(urlsplit(seen.path).query)["search_query"][0])
    assert sorted(titles) == sorted(INVENTED)
