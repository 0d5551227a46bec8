"""A fake of the scholarly APIs on 127.0.0.1, answering from real recordings.

One ThreadingHTTPServer serves, under path prefixes, what the resolvers call:
  /crossref     /works/{doi} (and /v1/works/{doi}/transform, where doi.org sends CSL requests)
  /doi          /api/handles/{doi} (Handle API) and /{doi} (content negotiation)
  /arxiv/api    /query?id_list=…
  /pubmed       /esummary.fcgi?db=…&id=…
  /openlibrary  /isbn/{isbn}.json (redirects) and /books/{key}.json

Tests inject faults per path: `api.inject("/crossref/works/10.1/x", status(429, retry_after=1))`
answers the next request for that path with a 429, and later ones normally. `api.hits(path)`
counts the requests a path received. Paths are percent-decoded and carry no query.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import Counter, defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
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
ARXIV_ID = re.compile(r"(?P<base>\d{4}\.\d{4,5}|[a-z-]+(\.[A-Z]{2})?/\d{7})(v(?P<version>\d+))?")


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes = b""
    content_type: str = "text/plain"
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Fault:
    """What one request gets instead of the normal answer: a reply, a delay, or both.

    `reply` None means the normal answer, sent after `delay` seconds.
    """

    reply: Reply | None = None
    delay: float = 0.0


def status(code: int, *, retry_after: float | None = None) -> Fault:
    headers = {"Retry-After": f"{retry_after:g}"} if retry_after is not None else {}
    body = TOO_MANY_REQUESTS if code == 429 else f"{code} error\n".encode()
    return Fault(Reply(code, body, "text/html", headers))


def sleep(seconds: float) -> Fault:
    return Fault(delay=seconds)


def malformed_json() -> Fault:
    return Fault(Reply(200, TRUNCATED_JSON, JSON))


class FakeApi:
    """The server, its data, and the per-path fault scripts and request counters."""

    def __init__(self, corpus: Corpus | None = None) -> None:
        self.corpus = corpus or Corpus.build()
        self._faults: dict[str, deque[Fault]] = defaultdict(deque)
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
        }

    # ------------------------------------------------------------------ test controls

    def start(self) -> FakeApi:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def config(self, **overrides: Any) -> Config:
        """A Config pointed at this server: no cache, no environment, short timeouts."""
        values: dict[str, Any] = {
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
        }
        return Config.load(env={}, **{**values, **overrides})

    def inject(self, path: str, *faults: Fault) -> None:
        """The next requests for `path` meet `faults`, in order; later ones are normal."""
        with self._lock:
            self._faults[path].extend(faults)

    def hits(self, path: str) -> int:
        with self._lock:
            return self._hits[path]

    def reset(self) -> None:
        with self._lock:
            self._faults.clear()
            self._hits.clear()

    # ------------------------------------------------------------------ dispatch

    def answer(self, path: str, query: dict[str, str], headers: dict[str, str]) -> Reply:
        with self._lock:
            self._hits[path] += 1
            queue = self._faults.get(path)
            fault = queue.popleft() if queue else None
        if fault and fault.delay:
            time.sleep(fault.delay)
        if fault and fault.reply:
            return fault.reply
        service, _, rest = path.lstrip("/").partition("/")
        route = self._routes.get(service)
        return route("/" + rest, query, headers) if route else Reply(404, b"no such service")

    # ------------------------------------------------------------------ the APIs

    def _crossref(self, path: str, query: dict[str, str], headers: dict[str, str]) -> Reply:
        path = path.removeprefix("/v1")
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


def _handler_for(api: FakeApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: pytest shows failures, not access logs."""

        def do_GET(self) -> None:
            target = urlsplit(self.path)
            query = dict(parse_qsl(target.query, keep_blank_values=True))
            headers = {k.lower(): v for k, v in self.headers.items()}
            reply = api.answer(unquote(target.path), query, headers)
            try:
                self._send(reply)
            except (BrokenPipeError, ConnectionResetError):  # the client timed out first
                self.close_connection = True

        def _send(self, reply: Reply) -> None:
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(reply.body)))
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(reply.body)

    return Handler
