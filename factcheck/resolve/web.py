"""URL liveness: does the page a text links to answer?

HEAD first, since it costs the site nothing; GET when the HEAD answer would make us doubt
the page (any 4xx or 5xx but 429). Many servers mishandle HEAD (405, 501, but also 403,
404 or 500 where GET works), and a `not_found` verdict says "likely fabricated", so it must
rest on the method browsers use. Dead links cost one extra request; live ones do not.

Redirects are followed here, one `Http.page` hop at a time, so that the SSRF guard runs at
every hop and the chain can be recorded. At most `config.max_redirects` hops; a URL seen
twice is a loop.

| answer                    | lookup                                         |
|---------------------------|------------------------------------------------|
| 2xx                       | found (flag `redirected` when there were hops) |
| 404, 410, NXDOMAIN        | missing, authoritative                         |
| 401, 403                  | failed: a bot wall or a login, the page may exist |
| 429, 5xx, network trouble | failed: try again later                        |
| loops, too many redirects | failed                                         |
"""

from __future__ import annotations

from typing import Any, ClassVar
from urllib.parse import urljoin, urlsplit

import requests

from ..config import Config
from ..errors import SourceError
from ..model import Citation, Kind, Record
from ..net.http import Http
from ..net.safety import NoSuchHost
from .base import Lookup

GONE_STATUSES = frozenset({404, 410})
WALL_STATUSES = frozenset({401, 403})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# A HEAD answered with one of these is not trusted: ask again with GET.
HEAD_RETRY_FROM = 400
HEAD_NO_RETRY = frozenset({429})


class RedirectTrouble(SourceError):
    """The redirect chain loops or is longer than allowed."""


class WebResolver:
    name: ClassVar[str] = "url"
    kinds: ClassVar[frozenset[Kind]] = frozenset({Kind.URL})

    def __init__(self, http: Http, config: Config) -> None:
        self.http = http
        self.config = config

    def lookup(self, citation: Citation) -> Lookup:
        url = citation.fields.url or citation.raw
        try:
            response, chain = self._follow(url)
        except NoSuchHost as exc:
            return Lookup.missing(self.name, exc.reason, authoritative=True)
        except SourceError as exc:
            return Lookup.failed(self.name, exc.reason)
        return self._judge(url, response, chain)

    def _follow(self, url: str) -> tuple[requests.Response, list[str]]:
        """The final answer and the URLs redirected to on the way there."""
        chain: list[str] = []
        current = url
        while True:
            response = self._probe(current)
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

    def _probe(self, url: str) -> requests.Response:
        response = self.http.page(url, method="HEAD")
        status = response.status_code
        if status >= HEAD_RETRY_FROM and status not in HEAD_NO_RETRY:
            response = self.http.page(url, method="GET")
        return response

    def _judge(self, url: str, response: requests.Response, chain: list[str]) -> Lookup:
        final = chain[-1] if chain else url
        status = response.status_code
        host = urlsplit(final).hostname or final
        if 200 <= status < 300:
            facts: dict[str, Any] = {"status": status, "final_url": final, "redirects": chain}
            flags = ["redirected"] if chain else []
            record = Record(source=self.name, id=url, url=final, http=facts, flags=flags)
            return Lookup.found(self.name, record)
        if status in GONE_STATUSES:
            return Lookup.missing(
                self.name, f"{host} answered {status}: the page does not exist", authoritative=True
            )
        return Lookup.failed(self.name, f"{host} answered {status}{_meaning(status)}")


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
