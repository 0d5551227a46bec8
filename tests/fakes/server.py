"""A fake of the scholarly APIs on 127.0.0.1, answering from real recordings.

One ThreadingHTTPServer serves, under path prefixes, what the resolvers call:
  /crossref     /works/{doi}, /works?filter=doi:a,doi:b (several DOIs in one request), and
                /v1/works/{doi}/transform, where doi.org sends CSL requests
  /doi          /api/handles/{doi} (Handle API) and /{doi} (content negotiation)
  /arxiv/api    /query?id_list=…
  /pubmed       /esummary.fcgi?db=…&id=…
  /openlibrary  /isbn/{isbn}.json (redirects) and /books/{key}.json
  /openalex     /works/… (holds nothing: 404) and /works?filter=… (no hits)
  /dblp         /search/publ/api (no hits)
  /semanticscholar  /graph/v1/paper/search (no hits) and /graph/v1/paper/{PREFIX:id} (404)
  /europepmc    /search (no hits)
  /openreview   /notes/search (no hits)
  /web          /{anything}: a small HTML page, for the URL checker
  /loop         redirects to itself, forever

Tests inject faults per path: `api.inject("/crossref/works/10.1/x", status(429, retry_after=1))`
answers the next request for that path with a 429, and later ones normally;
`api.inject_always(path, fault)` answers every request for it so until `reset()` (also a
canned good answer: `inject_always(path, answer(body))`). Faults are answers (`status`,
`malformed_json`, `invalid_json`, `html_page`, `oversized`, `redirect_loop`), delays
(`sleep`), or broken transfers (`drip`: status line, headers and body a byte at a time;
`drip_body`: the body only; `reset`: part of the body, then a TCP RST; `hang_up`: part of
the body, then an orderly close). `api.hits(path)` counts the requests a path
received. Paths are percent-decoded and carry no query. A DOI asked of Crossref in a request
of several (`/crossref/works?filter=…`) also counts as a hit of its own `/crossref/works/{doi}`,
so that a test counts the lookups of a DOI however they were sent.
"""

from __future__ import annotations

import json
import re
import socket
import struct
import threading
import time
from collections import Counter, defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from factcheck.config import Config

from .recordings import Corpus

JSON = "application/json"
CSL_JSON = "application/vnd.citationstyles.csl+json"
ATOM = "application/atom+xml; charset=UTF-8"
HTML = "text/html;charset=utf-8"
# The 429 page Crossref's HAProxy sends.
TOO_MANY_REQUESTS = (
    b"<html><body><h1>429 Too Many Requests</h1>\n"
    b"You have sent too many requests in a given amount of time.\n</body></html>\n"
)
# A 200 whose JSON stops halfway, as a connection cut inside a well-framed body leaves it.
TRUNCATED_JSON = b'{"status":"ok","message-type":"work","message":{"DOI":"10.'
# A 200 whose body is whole but not JSON (single quotes, a bare word, a trailing comma).
INVALID_JSON = b"{'status': ok, 'message': {'DOI': '10.1371/x',},}"
# What a proxy, captive portal or maintenance window answers in place of the API. It is
# well-formed XML too, so that an XML API must not take it for an (empty) feed.
MAINTENANCE_PAGE = (
    b"<html><head><title>Down for maintenance</title></head>"
    b"<body><p>We will be back shortly.</p></body></html>"
)
# Where `redirect_loop` sends a request: a path that redirects to itself.
LOOP_PATH = "/loop"
# SO_LINGER on, with a zero timeout: close() sends a TCP RST instead of a FIN.
RST_ON_CLOSE = struct.pack("ii", 1, 0)
# A dripping answer gives up after this long and hangs up, so that a client which fails to
# cut it off fails its test instead of hanging the suite.
DRIP_LIMIT_SECONDS = 10.0
# The sources whose place is a setting of their own, not a Config field (resolve/settings.py).
PLUGIN_SOURCES = ("semanticscholar", "europepmc", "openreview")
ARXIV_ID = re.compile(r"(?P<base>\d{4}\.\d{4,5}|[a-z-]+(\.[A-Z]{2})?/\d{7})(v(?P<version>\d+))?")


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes = b""
    content_type: str = "text/plain"
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Fault:
    """What one request gets instead of the normal answer: a reply, a delay, a broken
    transfer, or several of these.

    `reply` None means the normal answer, sent after `delay` seconds. `drip` sends the
    answer one byte per `drip` seconds, from its status line on (`drip_headers`) or from its
    body on. `cut_after` sends that many bytes of the body (the headers announce all of it),
    then closes the connection: with a TCP RST (`rst`), or orderly.
    """

    reply: Reply | None = None
    delay: float = 0.0
    drip: float | None = None
    drip_headers: bool = True
    cut_after: int | None = None
    rst: bool = True


def status(
    code: int, *, retry_after: float | str | None = None, body: bytes | None = None
) -> Fault:
    """An error status. `retry_after` in seconds, or a string sent as is (an HTTP date);
    the body is Crossref's HTML 429 page, or "<code> error" as plain text."""
    headers = {} if retry_after is None else {"Retry-After": _retry_after(retry_after)}
    if body is not None:
        return Fault(Reply(code, body, "text/plain", headers))
    if code == 429:
        return Fault(Reply(code, TOO_MANY_REQUESTS, "text/html", headers))
    return Fault(Reply(code, f"{code} error\n".encode(), "text/plain", headers))


def _retry_after(value: float | str) -> str:
    return value if isinstance(value, str) else f"{value:g}"


def sleep(seconds: float) -> Fault:
    return Fault(delay=seconds)


def malformed_json() -> Fault:
    return Fault(Reply(200, TRUNCATED_JSON, JSON))


def invalid_json() -> Fault:
    return Fault(Reply(200, INVALID_JSON, JSON))


def html_page(code: int = 200) -> Fault:
    """A web page where the API's answer should be (the wrong content type)."""
    return Fault(Reply(code, MAINTENANCE_PAGE, HTML))


def oversized(size: int) -> Fault:
    """A 200 of valid JSON, `size` bytes long."""
    padding = b"x" * max(0, size - len(b'{"pad":""}'))
    return Fault(Reply(200, b'{"pad":"' + padding + b'"}', JSON))


def redirect_loop() -> Fault:
    """A redirect to a path that redirects to itself."""
    return Fault(Reply(302, b"", HTML, {"Location": LOOP_PATH}))


def drip(seconds_per_byte: float) -> Fault:
    """The normal answer, from its status line on, one byte at a time."""
    return Fault(drip=seconds_per_byte)


def drip_body(seconds_per_byte: float) -> Fault:
    """The normal answer's status line and headers at once, then its body a byte at a time."""
    return Fault(drip=seconds_per_byte, drip_headers=False)


def reset(after: int) -> Fault:
    """The normal answer's headers and first `after` body bytes (fewer, to leave at least
    one unsent), then a TCP reset."""
    return Fault(cut_after=after)


def hang_up(after: int) -> Fault:
    """The normal answer's headers and first `after` body bytes, then an orderly close."""
    return Fault(cut_after=after, rst=False)


def answer(body: bytes, content_type: str = JSON) -> Fault:
    """A good 200 answer of the test's own (for data the fake does not hold)."""
    return Fault(Reply(200, body, content_type))


class FakeApi:
    """The server, its data, and the per-path fault scripts and request counters."""

    def __init__(self, corpus: Corpus | None = None) -> None:
        self.corpus = corpus or Corpus.build()
        self._faults: dict[str, deque[Fault]] = defaultdict(deque)
        self._always: dict[str, Fault] = {}
        self._hits: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._routes: dict[str, Callable[[str, dict[str, str], dict[str, str]], Reply]] = {
            "crossref": self._crossref,
            "doi": self._doi,
            "arxiv": self._arxiv,
            "pubmed": self._pubmed,
            "openlibrary": self._openlibrary,
            "openalex": self._openalex,
            "dblp": self._dblp,
            "semanticscholar": self._semanticscholar,
            "europepmc": self._europepmc,
            "openreview": self._openreview,
            "web": self._web,
            LOOP_PATH.strip("/"): self._loop,
        }

    # ------------------------------------------------------------------ test controls

    def start(self) -> FakeApi:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def config(self, **overrides: Any) -> Config:
        """A Config pointed at this server: no cache, no environment, short timeouts. The
        sources without a Config field of their own (`PLUGIN_SOURCES`) are pointed here by
        their settings; `plugins=` in `overrides` adds to those, source by source."""
        plugins = {name: {"url": f"{self.url}/{name}"} for name in PLUGIN_SOURCES}
        for name, table in overrides.pop("plugins", {}).items():
            plugins[name] = {**plugins.get(name, {}), **table}
        values: dict[str, Any] = {
            "plugins": plugins,
            "crossref_url": f"{self.url}/crossref",
            "doi_url": f"{self.url}/doi",
            "arxiv_url": f"{self.url}/arxiv/api",
            "pubmed_url": f"{self.url}/pubmed",
            "openlibrary_url": f"{self.url}/openlibrary",
            "openalex_url": f"{self.url}/openalex",
            "dblp_url": f"{self.url}/dblp",
            "cache": "none",
            # Local answers are instant: fail fast, retry without long pauses.
            "connect_timeout": 1.0,
            "timeout": 5.0,
            "retry_backoff": 0.01,
            # Resolved from /etc/hosts: no real DNS for the control (net.reachability).
            "dns_control_host": "localhost",
        }
        return Config.load(env={}, **{**values, **overrides})

    def inject(self, path: str, *faults: Fault) -> None:
        """The next requests for `path` meet `faults`, in order; later ones are normal."""
        with self._lock:
            self._faults[path].extend(faults)

    def inject_always(self, path: str, fault: Fault) -> None:
        """Every request for `path` meets `fault` (after any `inject`ed ones) until reset()."""
        with self._lock:
            self._always[path] = fault

    def hits(self, path: str) -> int:
        with self._lock:
            return self._hits[path]

    def reset(self) -> None:
        with self._lock:
            self._faults.clear()
            self._always.clear()
            self._hits.clear()

    # ------------------------------------------------------------------ dispatch

    def answer(
        self, path: str, query: dict[str, str], headers: dict[str, str]
    ) -> tuple[Reply, Fault | None]:
        """The reply for a request, and the fault that shapes its transfer (if any)."""
        with self._lock:
            self._hits[path] += 1
            queue = self._faults.get(path)
            fault = queue.popleft() if queue else self._always.get(path)
        if fault and fault.delay:
            time.sleep(fault.delay)
        if fault and fault.reply:
            return fault.reply, fault
        service, _, rest = path.lstrip("/").partition("/")
        route = self._routes.get(service)
        reply = route("/" + rest, query, headers) if route else Reply(404, b"no such service")
        return reply, fault

    # ------------------------------------------------------------------ the APIs

    def _crossref(self, path: str, query: dict[str, str], headers: dict[str, str]) -> Reply:
        path = path.removeprefix("/v1")
        if path == "/works" and query.get("filter", "").startswith("doi:"):
            return self._crossref_dois(query)
        if not path.startswith("/works/"):
            return self._crossref_reply(404, b"Resource not found.")
        doi = path.removeprefix("/works/")
        if doi.endswith("/transform"):
            return self._transform(doi.removesuffix("/transform"))
        message = self.corpus.crossref.get(doi.lower())
        if message is None:
            return self._crossref_reply(404, b"Resource not found.")
        envelope = {
            "status": "ok",
            "message-type": "work",
            "message-version": "1.0.0",
            "message": message,
        }
        return self._crossref_reply(200, json.dumps(envelope).encode())

    def _crossref_dois(self, query: dict[str, str]) -> Reply:
        """`/works?filter=doi:a,doi:b`: a work list of the DOIs it holds (a filter named twice
        ORs its values), at most `rows` of them, as Crossref answers one."""
        dois = [value for name, _, value in (f.partition(":") for f in query["filter"].split(","))]
        with self._lock:
            for doi in dois:
                self._hits[f"/crossref/works/{doi}"] += 1
        held = [self.corpus.crossref.get(doi.lower()) for doi in dois]
        rows = int(query.get("rows", "20"))
        items = [message for message in held if message is not None][:rows]
        message = {"total-results": len(items), "items": items, "items-per-page": rows}
        envelope = {"status": "ok", "message-type": "work-list", "message": message}
        return self._crossref_reply(200, json.dumps(envelope).encode())

    def _crossref_reply(self, code: int, body: bytes) -> Reply:
        headers = dict(self.corpus.crossref_headers.get(code, {}))
        content_type = headers.pop("content-type", JSON if code == 200 else "text/plain")
        return Reply(code, body, content_type, headers)

    def _transform(self, doi: str) -> Reply:
        csl = self.corpus.crossref_csl.get(doi.lower())
        message = self.corpus.crossref.get(doi.lower())
        if csl is None and message is not None:
            csl = {
                **message,
                "title": (message.get("title") or [""])[0],
                "container-title": (message.get("container-title") or [""])[0],
            }
        if csl is None:
            return self._crossref_reply(404, b"Resource not found.")
        return Reply(200, json.dumps(csl).encode(), CSL_JSON)

    def _doi(self, path: str, query: dict[str, str], headers: dict[str, str]) -> Reply:
        if path.startswith("/api/handles/"):
            return self._handle(path.removeprefix("/api/handles/"))
        doi = path.lstrip("/")
        if not self.corpus.doi_exists(doi):
            page = self.corpus.doi_not_found
            return Reply(404, page.body if page else b"DOI Not Found", HTML)
        datacite = self.corpus.datacite.get(doi.lower())
        if datacite is not None:  # only content negotiation is faked: always CSL-JSON
            return Reply(200, json.dumps(datacite).encode(), CSL_JSON)
        target = f"{self.url}/crossref/v1/works/{quote(doi, safe='')}/transform"
        return Reply(
            302,
            b"<html><head><title>Handle Redirect</title></head></html>",
            HTML,
            {"Location": target},
        )

    def _handle(self, doi: str) -> Reply:
        if not self.corpus.doi_exists(doi):
            return Reply(404, json.dumps({"responseCode": 100, "handle": doi}).encode(), JSON)
        value = {
            "index": 1,
            "type": "URL",
            "data": {"format": "string", "value": f"https://example.org/{doi}"},
        }
        body = {"responseCode": 1, "handle": doi, "values": [value]}
        return Reply(200, json.dumps(body).encode(), JSON)

    def _arxiv(self, path: str, query: dict[str, str], headers: dict[str, str]) -> Reply:
        claimed = ARXIV_ID.fullmatch(query.get("id_list", ""))
        if path != "/api/query" or claimed is None:
            return Reply(200, self.corpus.arxiv_error, ATOM)
        latest, feed = self.corpus.arxiv.get(claimed["base"], (0, self.corpus.arxiv_empty))
        if claimed["version"] and int(claimed["version"]) > latest:
            feed = self.corpus.arxiv_empty
        return Reply(200, feed, ATOM)

    def _pubmed(self, path: str, query: dict[str, str], headers: dict[str, str]) -> Reply:
        if path == "/esearch.fcgi":  # a title search finds nothing (the shape esearch uses)
            found = {"count": "0", "retmax": "0", "retstart": "0", "idlist": []}
            answer = {"header": {"type": "esearch", "version": "0.3"}, "esearchresult": found}
            return Reply(200, json.dumps(answer).encode(), JSON)
        db, uid = query.get("db", ""), query.get("id", "")
        body = self.corpus.esummary.get((db, uid))
        if body is None:
            missing = {"uid": uid, "error": "cannot get document summary"}
            payload = {
                "header": {"type": "esummary", "version": "0.3"},
                "result": {"uids": [uid], uid: missing},
            }
            body = json.dumps(payload).encode()
        return Reply(200, body, JSON)

    def _openlibrary(self, path: str, query: dict[str, str], headers: dict[str, str]) -> Reply:
        isbn = re.fullmatch(r"/isbn/([0-9X]+)\.json", path)
        if isbn and isbn[1] in self.corpus.isbns:
            location = f"{self.url}/openlibrary{self.corpus.isbns[isbn[1]]}.json"
            return Reply(302, b"", "text/html", {"Location": location})
        edition = self.corpus.editions.get(path.removesuffix(".json"))
        if edition is None:
            return Reply(404, b'{"error": "notfound", "key": "' + path.encode() + b'"}', JSON)
        return Reply(200, json.dumps(edition).encode(), JSON)

    def _openalex(self, path: str, query: dict[str, str], headers: dict[str, str]) -> Reply:
        """Holds nothing: every work is 404, every search empty (the shapes OpenAlex uses)."""
        if path == "/works":
            meta = {"count": 0, "page": 1, "per_page": int(query.get("per_page", "25"))}
            return Reply(200, json.dumps({"meta": meta, "results": []}).encode(), JSON)
        return Reply(404, b'{"error": "NotFoundError", "message": "not found"}', JSON)

    def _dblp(self, path: str, query: dict[str, str], headers: dict[str, str]) -> Reply:
        """Holds nothing: every search answers DBLP's envelope with no hits."""
        if path != "/search/publ/api":
            return Reply(404, b"not found", "text/plain")
        hits = {"@total": "0", "@computed": "0", "@sent": "0", "@first": "0"}
        return Reply(200, json.dumps({"result": {"hits": hits}}).encode(), JSON)

    def _semanticscholar(self, path: str, query: dict[str, str], headers: dict[str, str]) -> Reply:
        """Holds nothing: a search has no hits (`data` left out, as the Graph API does when
        `total` is 0), a paper is 404 with the API's error object."""
        if path == "/graph/v1/paper/search":
            return Reply(200, json.dumps({"total": 0, "offset": 0}).encode(), JSON)
        paper = path.removeprefix("/graph/v1/paper/")
        error = {"error": f"Paper with id {paper} not found"}
        return Reply(404, json.dumps(error).encode(), JSON)

    def _europepmc(self, path: str, query: dict[str, str], headers: dict[str, str]) -> Reply:
        """Holds nothing: every search answers the `core` envelope with no result."""
        if path != "/search":
            return Reply(404, b"not found", "text/plain")
        request = {"queryString": query.get("query", ""), "resultType": "core", "page": 1}
        answer = {"version": "6.9", "hitCount": 0, "request": request}
        answer["resultList"] = {"result": []}
        return Reply(200, json.dumps(answer).encode(), JSON)

    def _openreview(self, path: str, query: dict[str, str], headers: dict[str, str]) -> Reply:
        """Holds nothing: every search answers API v2's envelope with no notes."""
        if path != "/notes/search":
            error = {"name": "NotFoundError", "message": "not found", "status": 404}
            return Reply(404, json.dumps(error).encode(), JSON)
        return Reply(200, json.dumps({"notes": [], "count": 0}).encode(), JSON)

    def _web(self, path: str, query: dict[str, str], headers: dict[str, str]) -> Reply:
        """Any page exists: a small HTML page titled with its path."""
        return Reply(200, f"<html><head><title>Page {path}</title></head></html>".encode(), HTML)

    def _loop(self, path: str, query: dict[str, str], headers: dict[str, str]) -> Reply:
        return Reply(302, b"", HTML, {"Location": LOOP_PATH})


def _handler_for(api: FakeApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: pytest shows failures, not access logs."""

        def handle(self) -> None:
            try:
                super().handle()
            except (BrokenPipeError, ConnectionResetError):  # the client hung up first
                self.close_connection = True

        def do_GET(self) -> None:
            target = urlsplit(self.path)
            query = dict(parse_qsl(target.query, keep_blank_values=True))
            headers = {k.lower(): v for k, v in self.headers.items()}
            reply, fault = api.answer(unquote(target.path), query, headers)
            try:
                self._send(reply, fault or Fault())
            except (BrokenPipeError, ConnectionResetError):  # the client timed out first
                self.close_connection = True

        def _send(self, reply: Reply, fault: Fault) -> None:
            head = _head(reply)
            if fault.cut_after is not None:
                # A cut always leaves bytes unsent, even of a body shorter than `cut_after`
                # (Crossref's 404 body is 19 bytes): else the client may read the whole
                # answer before the reset arrives, and the fault would be a race.
                sent = min(fault.cut_after, len(reply.body) - 1)
                self._cut(head + reply.body[: max(sent, 0)], rst=fault.rst)
            elif fault.drip is not None:
                self._drip(head, reply.body, fault)
            else:
                self.wfile.write(head + reply.body)

        def _drip(self, head: bytes, body: bytes, fault: Fault) -> None:
            """One byte per `fault.drip` seconds, from the status line or from the body on,
            for at most DRIP_LIMIT_SECONDS."""
            slow = head + body if fault.drip_headers else body
            if not fault.drip_headers:
                self.wfile.write(head)
            give_up = time.monotonic() + DRIP_LIMIT_SECONDS
            for i in range(len(slow)):
                if time.monotonic() > give_up:
                    self.close_connection = True
                    return
                self.wfile.write(slow[i : i + 1])
                self.wfile.flush()
                time.sleep(fault.drip or 0.0)

        def _cut(self, part: bytes, *, rst: bool) -> None:
            """Send `part`, then close the connection: with a reset (RST), or orderly (FIN)."""
            self.wfile.write(part)
            self.wfile.flush()
            if rst:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, RST_ON_CLOSE)
            self.connection.close()
            self.close_connection = True

    return Handler


def _head(reply: Reply) -> bytes:
    """The status line and headers of `reply`, Content-Length announcing its whole body."""
    lines = [
        f"HTTP/1.1 {reply.status} {_phrase(reply.status)}",
        f"Content-Type: {reply.content_type}",
        f"Content-Length: {len(reply.body)}",
        *(f"{name}: {value}" for name, value in reply.headers.items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _phrase(code: int) -> str:
    try:
        return HTTPStatus(code).phrase
    except ValueError:
        return "Unknown"
