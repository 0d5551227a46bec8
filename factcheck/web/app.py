"""The web app and JSON API of `factcheck serve`, built on FastAPI, served by uvicorn.

A thin shell over one Checker, like the CLI: `POST /check` answers with the CLI's JSON
contract, `POST /check/stream` with one JSON line per event as findings are decided
(`Checker.iter_check`), `POST /extract` with `factcheck extract --format json`'s shape; the
page at `/` uses the stream. Reports of recent checks can be downloaded as JSON, SARIF,
Markdown or the HTML report, from memory: nothing is written to disk, and no text leaves
the machine except as the sources' lookups.

It is meant for one person on their own machine, and defends itself as such:
- bound to 127.0.0.1 by default, and answering only requests whose Host is a loopback name
  (a page elsewhere cannot reach it through DNS rebinding);
- a POST that carries another site's Origin is refused (no cross-site requests);
- request bodies are capped, and checks beyond `max_concurrent` wait in no queue: 503;
- the page and its script are static files under a strict Content-Security-Policy; every
  value from a check is put into the page as text, never as markup.
"""

from __future__ import annotations

import asyncio
import json
import threading
import uuid
from collections import OrderedDict
from collections.abc import AsyncIterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import (
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    Response,
    StreamingResponse,
)
from pydantic import BaseModel, Field
from starlette.middleware.trustedhost import TrustedHostMiddleware

from .. import __version__
from ..checker import Checker
from ..errors import FactcheckError
from ..extract import extract_all
from ..inputs import decode
from ..model import Finding, Report
from ..report import render
from ..report.formats.markdown import to_markdown
from ..report.formats.sarif import to_sarif

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]", "::1")
# A pasted answer or a reference list is far below this; it bounds what one request holds.
DEFAULT_MAX_BODY_BYTES = 5 * 1024 * 1024
DEFAULT_MAX_CONCURRENT = 4
# Reports kept for download, the oldest forgotten first.
KEPT_REPORTS = 32
RETRY_AFTER_SECONDS = "5"
DEFAULT_PATH = "pasted.md"
NDJSON = "application/x-ndjson"
STATIC_PACKAGE = "factcheck.web"
STATIC_DIR = "static"
STATIC_TYPES = {".js": "text/javascript", ".css": "text/css", ".html": "text/html"}
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self' data:; form-action 'none'; frame-ancestors 'none'; base-uri 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}
DOWNLOADS = {
    "json": "application/json",
    "sarif": "application/sarif+json",
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
}


@dataclass(frozen=True)
class ServeLimits:
    """What one request may ask of the server."""

    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    max_concurrent: int = DEFAULT_MAX_CONCURRENT


class TextIn(BaseModel):
    """A text to check or extract from, with the name it is reported under (its extension
    tells Markdown from BibTeX as for a file)."""

    text: str = Field(description="The text: an answer, a reference list, BibTeX.")
    path: str = Field(DEFAULT_PATH, max_length=255, description="The name to report it under.")


class _Kept:
    """The reports of recent checks, for download (thread-safe, bounded)."""

    def __init__(self) -> None:
        self._reports: OrderedDict[str, tuple[Report, str]] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, report: Report, text: str) -> str:
        key = uuid.uuid4().hex
        with self._lock:
            self._reports[key] = (report, text)
            while len(self._reports) > KEPT_REPORTS:
                self._reports.popitem(last=False)
        return key

    def get(self, key: str) -> tuple[Report, str]:
        with self._lock:
            found = self._reports.get(key)
        if found is None:
            raise HTTPException(404, "no such report (reports are kept for the last checks)")
        return found


def create_app(
    checker: Checker, *, limits: ServeLimits | None = None, allowed_hosts: tuple[str, ...] = ()
) -> FastAPI:
    """The app over `checker` (which the caller owns and closes). `allowed_hosts` adds Host
    names to the loopback ones, for a deliberate bind to another address."""
    limits = limits or ServeLimits()
    app = FastAPI(
        title="factcheck",
        version=__version__,
        description="Verify the references, DOIs and links in a text.",
        docs_url=None,  # the interactive docs load scripts from a CDN: not here
        redoc_url=None,
    )
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=[*LOOPBACK_HOSTS, *allowed_hosts])
    slots = asyncio.Semaphore(limits.max_concurrent)
    kept = _Kept()

    @app.middleware("http")
    async def guard(request: Request, call_next: Any) -> Response:
        if request.method == "POST":
            refused = _refusal(request, limits)
            if refused is not None:
                return refused
        response: Response = await call_next(request)
        response.headers.update(SECURITY_HEADERS)
        return response

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def page() -> HTMLResponse:
        return HTMLResponse(_static("index.html"))

    @app.get("/static/{name}", include_in_schema=False)
    def static(name: str) -> Response:
        suffix = Path(name).suffix
        if name not in _STATIC_FILES or suffix not in STATIC_TYPES:
            raise HTTPException(404)
        return Response(_static(name), media_type=STATIC_TYPES[suffix])

    @app.post("/check", summary="Check a text: the CLI's JSON report")
    async def check(body: TextIn) -> dict[str, Any]:
        async with _slot(slots):
            report = await asyncio.to_thread(_check, checker, body)
        return json.loads(render.to_json([report]))  # type: ignore[no-any-return]

    @app.post(
        "/check/stream",
        summary="Check a text: one JSON line per event as findings are decided",
        response_class=StreamingResponse,
        responses={200: {"content": {NDJSON: {}}}},
    )
    async def check_stream(body: TextIn) -> StreamingResponse:
        if slots.locked():
            raise _busy()
        return StreamingResponse(_events(checker, body, slots, kept), media_type=NDJSON)

    @app.post("/extract", summary="The claims in a text, without the network")
    def extract(body: TextIn) -> dict[str, Any]:
        document = decode(body.path, body.text.encode("utf-8", "replace"))
        return json.loads(render.extraction_json([(body.path, extract_all(document.text))]))  # type: ignore[no-any-return]

    @app.get("/reports/{key}.{fmt}", summary="A recent check's report, as a file")
    def download(key: str, fmt: str) -> Response:
        if fmt not in DOWNLOADS:
            raise HTTPException(404, f"formats: {', '.join(DOWNLOADS)}")
        report, text = kept.get(key)
        name = f"factcheck-report.{fmt}"
        return Response(
            _rendered(report, text, fmt),
            media_type=DOWNLOADS[fmt],
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    @app.exception_handler(FactcheckError)
    async def refused(_request: Request, exc: FactcheckError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=422)

    return app


_STATIC_FILES = ("index.html", "app.js", "app.css")


def _static(name: str) -> bytes:
    return (resources.files(STATIC_PACKAGE) / STATIC_DIR / name).read_bytes()


def _refusal(request: Request, limits: ServeLimits) -> Response | None:
    """Why a POST is refused before it is read, if it is: another site's Origin, or a body
    over the limit (a body without a length is refused too: every client here sends one)."""
    origin = request.headers.get("origin")
    if origin is not None and origin.split("://", 1)[-1] != request.headers.get("host"):
        return PlainTextResponse("cross-origin requests are refused", status_code=403)
    length = request.headers.get("content-length")
    if length is None or not length.isdigit():
        return PlainTextResponse("a Content-Length is required", status_code=411)
    if int(length) > limits.max_body_bytes:
        return PlainTextResponse(
            f"the request is larger than {limits.max_body_bytes:,} bytes", status_code=413
        )
    return None


def _busy() -> HTTPException:
    return HTTPException(
        503, "too many checks at once; try again", headers={"Retry-After": RETRY_AFTER_SECONDS}
    )


class _slot:
    """One of the concurrent-check slots, or 503 at once when none is free."""

    def __init__(self, slots: asyncio.Semaphore) -> None:
        self._slots = slots

    async def __aenter__(self) -> None:
        if self._slots.locked():
            raise _busy()
        await self._slots.acquire()

    async def __aexit__(self, *exc: object) -> None:
        self._slots.release()


def _check(checker: Checker, body: TextIn) -> Report:
    document = decode(body.path, body.text.encode("utf-8", "replace"))
    return checker.check(document.text, path=body.path)


async def _events(
    checker: Checker, body: TextIn, slots: asyncio.Semaphore, kept: _Kept
) -> AsyncIterator[str]:
    """The stream: `start`, a `finding` per claim as decided, then `done` with the summary
    and the report's download key; `error` instead if the text is refused."""
    async with _slot(slots):
        queue: asyncio.Queue[Finding | Exception | None] = asyncio.Queue()
        loop = asyncio.get_running_loop()
        worker = loop.run_in_executor(None, _produce, checker, body, queue, loop)
        yield _line({"event": "start", "path": body.path})
        findings: list[Finding] = []
        while (item := await queue.get()) is not None:
            if isinstance(item, Exception):
                yield _line({"event": "error", "message": str(item)})
                await worker
                return
            findings.append(item)
            yield _line({"event": "finding", "finding": render.finding_dict(item)})
        await worker
        ordered = sorted(findings, key=lambda f: (f.citation.start, f.citation.end))
        report = Report(path=body.path, items=ordered)
        key = kept.add(report, body.text)
        summary = report.summary.model_dump(mode="json")
        yield _line({"event": "done", "report": key, "summary": summary, "ok": report.ok})


def _produce(
    checker: Checker,
    body: TextIn,
    queue: asyncio.Queue[Finding | Exception | None],
    loop: asyncio.AbstractEventLoop,
) -> None:
    """In a worker thread: each finding onto the loop's queue, then None."""
    try:
        document = decode(body.path, body.text.encode("utf-8", "replace"))
        for finding in checker.iter_check(document.text, path=body.path):
            loop.call_soon_threadsafe(queue.put_nowait, finding)
    except FactcheckError as exc:
        loop.call_soon_threadsafe(queue.put_nowait, exc)
    loop.call_soon_threadsafe(queue.put_nowait, None)


def _line(event: dict[str, Any]) -> str:
    return json.dumps(event, ensure_ascii=False) + "\n"


def _rendered(report: Report, text: str, fmt: str) -> str:
    texts = {report.path or DEFAULT_PATH: text}
    if fmt == "json":
        return render.to_json([report])
    if fmt == "sarif":
        return to_sarif([report], texts=texts)
    if fmt == "md":
        return to_markdown([report], texts=texts)
    return _html(report)


def _html(report: Report) -> str:
    """The `factcheck report` page of one check: one record, grouped by its path."""
    from ..pipeline.htmlreport import Collected, render_page

    collected = Collected()
    name = report.path or DEFAULT_PATH
    findings = [render.finding_dict(f) for f in report.items]
    collected.add({"row": 1, "id": name, "group": name, "findings": findings}, 1)
    return render_page(collected, title=f"factcheck report: {name}")


def serve(
    checker: Checker,
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    limits: ServeLimits | None = None,
) -> None:
    """Serve the app with uvicorn until the process is stopped."""
    import uvicorn

    extra = () if host in LOOPBACK_HOSTS else (host,)
    app = create_app(checker, limits=limits, allowed_hosts=extra)
    uvicorn.run(app, host=host, port=port, log_level="warning")
