"""URL liveness: does the page a text links to answer, and is it a real page?

One GET per hop, its body read only up to `config.max_page_bytes`. Not HEAD: many servers
mishandle HEAD (405, 501, but also 403, 404 or 500 where GET works), a `not_found` verdict
says "likely fabricated" so it must rest on what browsers see, and only the body shows a
soft 404: a page that answers 200 but is titled "Page not found", which is what a made-up
URL on a real site usually gets. Such a page is found, flagged `soft_404`, and the judge
decides what that means.

Redirects are followed here, one `Http.page` hop at a time, so that the SSRF guard runs at
every hop and the chain can be recorded. At most `config.max_redirects` hops; a URL seen
twice is a loop. The whole chain, every hop's headers and body, has one time budget
(`config.timeout`, `net.deadline`): a page not in within it is a failure, never found.

A text cannot make us fetch without end: beyond its first `config.max_urls` URLs none is
checked (`beyond_url_limit`, applied where the Checker plans a text's lookups), and once
its URL checks have read `config.max_bytes_per_text` bytes from the network the rest are
not checked either. That budget is the text's `ByteBudget`, which the Checker hands to the
worker thread running each lookup (`spending`); a lookup outside any text has none.

| answer                                  | lookup                                            |
|-----------------------------------------|---------------------------------------------------|
| 2xx                                     | found (flags `redirected` after hops, `soft_404`) |
| 404, 410, NXDOMAIN                      | missing, authoritative                            |
| NXDOMAIN while DNS is dead here         | failed, flag `dns_unavailable` (net.reachability) |
| 401, 403                                | failed: a bot wall or a login; the page may exist |
| 429, 5xx, network trouble, out of time  | failed: try again later                           |
| loops, too many redirects               | failed                                            |
"""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from contextvars import ContextVar
from typing import Any, ClassVar, TypeVar
from urllib.parse import urljoin, urlsplit

import requests

from ..config import Config
from ..errors import SourceError, UnsafeURL
from ..flags import REDIRECTED, SOFT_404
from ..model import Citation, Kind, Record
from ..net.http import Http
from ..net.safety import NoSuchHost, shown_url
from ..safetext import safe_line
from .base import Lookup

GONE_STATUSES = frozenset({404, 410})
WALL_STATUSES = frozenset({401, 403})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# Titles of error pages served with 200. Matched against the <title> only, not the text.
SOFT_404_TITLE = re.compile(
    r"\b(404|not\s+found|page\s+(does\s+not|doesn'?t)\s+exist|no\s+longer\s+available"
    r"|page\s+unavailable|cannot\s+be\s+found|can'?t\s+be\s+found)\b",
    re.IGNORECASE,
)
TITLE = re.compile(r"<title[^>]*>(.*?)</title\s*>", re.IGNORECASE | re.DOTALL)
# The title sits in the head: no need to scan a whole page for it.
TITLE_SCAN_CHARS = 32 * 1024
URL_LIMIT_REASON = "not checked: this text has more than {} URLs, the limit per text (max_urls)"
BYTES_LIMIT_REASON = (
    "not checked: this text's URL checks already read {:,} bytes, the limit per text"
    " (max_bytes_per_text)"
)

T = TypeVar("T")


class RedirectTrouble(SourceError):
    """The redirect chain loops or is longer than allowed."""


class BudgetSpent(SourceError):
    """The text's URL checks have read all the bytes they may."""


class ByteBudget:
    """The bytes one text's URL checks may still read from the network. Thread-safe: the
    checks of one text run in several threads at once, so a check that started before the
    budget ran out still finishes (at most `workers` pages more)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._spent = 0
        self._lock = threading.Lock()

    def charge(self, size: int) -> None:
        """Count `size` bytes read from the network."""
        with self._lock:
            self._spent += size

    def check(self) -> None:
        """Raise BudgetSpent when nothing is left."""
        with self._lock:
            if self._spent >= self.limit:
                raise BudgetSpent(BYTES_LIMIT_REASON.format(self.limit))


# The budget of the text whose lookup runs in this thread (None: no text, no limit).
_BUDGET: ContextVar[ByteBudget | None] = ContextVar("factcheck_url_bytes", default=None)


def spending(
    budgets: Mapping[str, ByteBudget], run: Callable[[Citation], T]
) -> Callable[[Citation], T]:
    """`run` for the Checker's worker threads, with the URL checks of each citation charged
    to its text's budget (by citation key)."""

    def within_budget(citation: Citation) -> T:
        token = _BUDGET.set(budgets.get(citation.key))
        try:
            return run(citation)
        finally:
            _BUDGET.reset(token)

    return within_budget


def beyond_url_limit(probes: Iterable[Citation], max_urls: int) -> dict[str, list[Lookup]]:
    """A text's URLs past its first `max_urls`, by key, each with the answer that says why
    it was not checked. No request is made for them."""
    urls = [probe.key for probe in probes if probe.kind is Kind.URL]
    reason = URL_LIMIT_REASON.format(max_urls)
    return {key: [Lookup.failed(WebResolver.name, reason)] for key in urls[max_urls:]}


class WebResolver:
    """The `url` source: a web page exists when its server answers with a success, following each
    redirect hop itself through the SSRF guard."""

    name: ClassVar[str] = "url"
    kinds: ClassVar[frozenset[Kind]] = frozenset({Kind.URL})

    def __init__(self, http: Http, config: Config) -> None:
        self.http = http
        self.config = config

    def lookup(self, citation: Citation) -> Lookup:
        """The page's answer: found (flags `redirected`, `soft_404`), missing for 404, 410 or a host
        that does not exist, failed for anything else."""
        url = citation.fields.url or citation.raw
        try:
            response, chain = self._follow(url)
        except NoSuchHost as exc:
            return Lookup.missing(self.name, exc.reason, authoritative=True)
        except UnsafeURL as exc:
            return Lookup.failed(self.name, f"refused: {exc.reason}")
        except SourceError as exc:
            return Lookup.failed_by(self.name, exc)
        return self._judge(url, response, chain)

    def _follow(self, url: str) -> tuple[requests.Response, list[str]]:
        """The final answer and the URLs redirected to on the way there, all within one
        time budget (`Http.time_budget`): a chain of slow hops takes one `timeout`, not
        one per hop."""
        with self.http.time_budget(url):
            return self._chain(url)

    def _chain(self, url: str) -> tuple[requests.Response, list[str]]:
        chain: list[str] = []
        current = url
        while True:
            response = self._hop(url, current)
            location = response.headers.get("Location")
            if response.status_code not in REDIRECT_STATUSES or not location:
                return response, chain
            target = urljoin(current, location)
            if target == url or target in chain:
                raise RedirectTrouble(f"redirect loop: {current} leads back to {target}")
            if len(chain) >= self.config.max_redirects:
                raise RedirectTrouble(
                    f"more than {self.config.max_redirects} redirects starting at {url}"
                )
            chain.append(target)
            current = target

    def _hop(self, url: str, current: str) -> requests.Response:
        """One request of the chain from `url`, paid from the text's budget. Cache hits read
        nothing from the network, so they cost nothing; once the budget is spent no request
        is made, not even one the cache could answer."""
        budget = _BUDGET.get()
        if budget is not None:
            budget.check()
        try:
            response = self.http.page(current, method="GET")
        except UnsafeURL as exc:
            if current == url:
                raise
            shown = shown_url(current)
            raise UnsafeURL(f"{shown_url(url)} redirects to {shown}, and {exc.reason}") from exc
        if budget is not None and not getattr(response, "from_cache", False):
            budget.charge(len(response.content))
        return response

    def _judge(self, url: str, response: requests.Response, chain: list[str]) -> Lookup:
        final = chain[-1] if chain else url
        status = response.status_code
        host = urlsplit(final).hostname or final
        if 200 <= status < 300:
            facts: dict[str, Any] = {"status": status, "final_url": final, "redirects": chain}
            flags = [REDIRECTED] if chain else []
            title = page_title(response)
            if title is not None:
                facts["title"] = title
                if SOFT_404_TITLE.search(title):
                    flags.append(SOFT_404)
            record = Record(source=self.name, id=url, url=final, http=facts, flags=flags)
            return Lookup.found(self.name, record)
        if status in GONE_STATUSES:
            return Lookup.missing(
                self.name, f"{host} answered {status}: the page does not exist", authoritative=True
            )
        return Lookup.failed(self.name, f"{host} answered {status}{_meaning(status)}")


def page_title(response: requests.Response) -> str | None:
    """The HTML <title> of a page, unescaped, on one line and without control sequences
    (`safetext`); None for other content."""
    if "html" not in response.headers.get("Content-Type", "html").lower():
        return None
    head = response.content[:TITLE_SCAN_CHARS].decode(response.encoding or "utf-8", "replace")
    found = TITLE.search(head)
    return safe_line(html.unescape(found.group(1))) if found else None


def _meaning(status: int) -> str:
    if status in WALL_STATUSES:
        return " (bot wall or login); the page may exist"
    if status == 429:
        return " (too many requests); try again later"
    if status >= 500:
        return " (server error); try again later"
    if status in REDIRECT_STATUSES:
        return " (a redirect without a Location)"
    return ""
