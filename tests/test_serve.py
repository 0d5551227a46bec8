"""`factcheck serve`: the JSON API through its ASGI app, its defences, and the page driven in
headless Chromium as a person would use it (paste, Ctrl+Enter, findings appear, download)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn
from browser import MODIFIERS, Browser
from fakes.server import FakeApi, sleep
from fastapi.testclient import TestClient
from servers import free_port

from factcheck.checker import Checker
from factcheck.web.app import ServeLimits, create_app

PLOS = "10.1371/journal.pone.0033693"
FABRICATED = "10.1371/notarealdoi"
HOSTILE = '<img src=x onerror="document.body.dataset.pwned=1">'
TEXT = (
    f"Methylphenidate and microglia: doi:{PLOS}.\n\n"
    f"Protein folding with graph attention {HOSTILE}: doi:{FABRICATED}.\n"
)
SLOW_SECONDS = 1.5
SERVER_START_SECONDS = 10.0
PAGE_DONE_SECONDS = 30.0


@pytest.fixture(autouse=True)
def _clean(fake_api: FakeApi) -> None:
    fake_api.reset()


@pytest.fixture
def checker(fake_api: FakeApi) -> Iterator[Checker]:
    with Checker(fake_api.config(sources=("crossref", "doi"), mailto="t@example.org")) as made:
        yield made


@pytest.fixture
def client(checker: Checker) -> TestClient:
    return TestClient(create_app(checker), base_url="http://127.0.0.1")


def statuses(items: list[dict[str, Any]]) -> dict[str, str]:
    return {i["citation"]["fields"]["doi"].lower(): i["verdict"]["status"] for i in items}


def events(client: TestClient, text: str) -> list[dict[str, Any]]:
    answer = client.post("/check/stream", json={"text": text})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/x-ndjson")
    return [json.loads(line) for line in answer.text.splitlines() if line]


# ---------------------------------------------------------------------------- the API


def test_check_answers_with_the_cli_json_contract(client: TestClient) -> None:
    answer = client.post("/check", json={"text": TEXT, "path": "answer.md"})
    assert answer.status_code == 200
    document = answer.json()
    assert document["ok"] is False
    (file,) = document["files"]
    assert file["path"] == "answer.md"
    assert statuses(file["items"]) == {PLOS: "verified", FABRICATED: "not_found"}
    assert document["summary"]["not_found"] == 1


def test_the_stream_yields_findings_then_a_downloadable_report(client: TestClient) -> None:
    streamed = events(client, TEXT)
    assert [e["event"] for e in streamed] == ["start", "finding", "finding", "done"]
    found = statuses([e["finding"] for e in streamed if e["event"] == "finding"])
    assert found == {PLOS: "verified", FABRICATED: "not_found"}
    done = streamed[-1]
    assert done["ok"] is False and done["summary"]["total"] == 2
    sarif = client.get(f"/reports/{done['report']}.sarif")
    assert sarif.status_code == 200 and "attachment" in sarif.headers["content-disposition"]
    assert FABRICATED in json.dumps(sarif.json()["runs"][0]["results"])
    assert client.get(f"/reports/{done['report']}.json").json()["ok"] is False
    assert "notarealdoi" in client.get(f"/reports/{done['report']}.md").text
    page = client.get(f"/reports/{done['report']}.html").text
    assert "factcheck report" in page and HOSTILE not in page  # escaped in the page
    assert client.get(f"/reports/{done['report']}.exe").status_code == 404
    assert client.get("/reports/0123.json").status_code == 404


def test_extract_lists_the_claims_without_the_network(
    client: TestClient, fake_api: FakeApi
) -> None:
    answer = client.post("/extract", json={"text": TEXT})
    assert answer.status_code == 200
    dois = {i["fields"].get("doi") for i in answer.json()["files"][0]["items"]}
    assert dois == {PLOS, FABRICATED}
    assert fake_api.hits(f"/crossref/works/{PLOS}") == 0


def test_the_openapi_schema_is_published(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert {"/check", "/check/stream", "/extract"} <= set(schema["paths"])
    assert client.get("/docs").status_code == 404  # its page would load a CDN's scripts


def test_an_oversized_text_is_a_clear_error(fake_api: FakeApi) -> None:
    with Checker(fake_api.config(sources=("doi",), max_text_chars=20)) as small:
        client = TestClient(create_app(small), base_url="http://127.0.0.1")
        answer = client.post("/check", json={"text": TEXT})
        assert answer.status_code == 422 and "max_text_chars" in answer.json()["detail"]
        streamed = events(client, TEXT)
        assert streamed[-1]["event"] == "error" and "limit" in streamed[-1]["message"]


# ---------------------------------------------------------------------------- defences


def test_every_answer_carries_the_security_headers(client: TestClient) -> None:
    for answer in (client.get("/"), client.get("/static/app.js"), client.get("/openapi.json")):
        assert "default-src 'none'" in answer.headers["content-security-policy"]
        assert answer.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("host", ["evil.example", "attacker.test:8765", "192.168.1.5"])
def test_a_foreign_host_header_is_refused(checker: Checker, host: str) -> None:
    """A page on another site cannot reach the app through DNS rebinding."""
    client = TestClient(create_app(checker), base_url=f"http://{host}")
    assert client.post("/check", json={"text": TEXT}).status_code == 400
    assert client.get("/").status_code == 400


@pytest.mark.parametrize("origin", ["http://evil.example", "null", "http://127.0.0.1:1"])
def test_a_cross_site_post_is_refused(client: TestClient, fake_api: FakeApi, origin: str) -> None:
    answer = client.post("/check", json={"text": TEXT}, headers={"Origin": origin})
    assert answer.status_code == 403
    assert fake_api.hits(f"/crossref/works/{PLOS}") == 0


def test_a_same_origin_post_is_accepted(client: TestClient) -> None:
    answer = client.post("/check", json={"text": TEXT}, headers={"Origin": "http://127.0.0.1"})
    assert answer.status_code == 200


def test_a_body_over_the_limit_is_refused_unread(checker: Checker) -> None:
    app = create_app(checker, limits=ServeLimits(max_body_bytes=1000))
    client = TestClient(app, base_url="http://127.0.0.1")
    assert client.post("/check", json={"text": "x" * 2000}).status_code == 413
    assert client.post("/check", json={"text": "fine"}).status_code == 200


def test_checks_beyond_the_concurrency_limit_are_503(fake_api: FakeApi, checker: Checker) -> None:
    fake_api.inject(f"/crossref/works/{PLOS}", sleep(SLOW_SECONDS))
    app = create_app(checker, limits=ServeLimits(max_concurrent=1))
    client = TestClient(app, base_url="http://127.0.0.1")
    first: dict[str, Any] = {}
    slow = threading.Thread(
        target=lambda: first.update(r=client.post("/check", json={"text": f"doi:{PLOS}"}))
    )
    slow.start()
    deadline = time.monotonic() + SLOW_SECONDS
    while fake_api.hits(f"/crossref/works/{PLOS}") == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    busy = client.post("/check", json={"text": f"doi:{FABRICATED}"})
    slow.join()
    assert busy.status_code == 503 and busy.headers["retry-after"]
    assert first["r"].status_code == 200


# ---------------------------------------------------------------------------- in a browser


@pytest.fixture
def served(checker: Checker) -> Iterator[str]:
    """The app on a real port, as `factcheck serve` runs it."""
    port = free_port()
    config = uvicorn.Config(create_app(checker), host="127.0.0.1", port=port, log_level="error")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + SERVER_START_SECONDS
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_paste_check_and_download_in_a_browser(browser: Browser, served: str) -> None:
    opened = browser.open(served + "/")
    opened.evaluate(
        f"(() => {{ const t = document.getElementById('text'); t.value = {json.dumps(TEXT)};"
        " t.focus(); })()"
    )
    opened.press("Enter", modifiers=MODIFIERS["Ctrl"])
    deadline = time.monotonic() + PAGE_DONE_SECONDS
    while not opened.evaluate("document.getElementById('status').textContent.startsWith('Done')"):
        assert time.monotonic() < deadline, opened.evaluate("document.body.innerText")
        time.sleep(0.1)
    shown = opened.evaluate(
        "Array.from(document.querySelectorAll('#findings > li'))"
        ".map((li) => [li.dataset.status, li.querySelector('.claim').textContent])"
    )
    assert sorted(status for status, _ in shown) == ["not_found", "verified"]
    assert any(FABRICATED in claim for _, claim in shown)
    # The hostile text is shown as text and ran nothing.
    assert opened.evaluate("document.body.dataset.pwned === undefined") is True
    assert opened.evaluate("document.querySelectorAll('#findings img').length") == 0
    # Claimed and found side by side for the verified DOI.
    assert "Methylphenidate" in opened.evaluate("document.getElementById('findings').innerText")
    href = opened.evaluate("document.getElementById('dl-sarif').href")
    fetched = opened.evaluate(f"fetch({json.dumps(href)}).then((r) => r.status)")
    assert fetched == 200
    assert opened.errors == []
    assert {url.split("/")[2] for url in opened.requests} == {served.split("/")[2]}


def test_the_page_is_usable_from_the_keyboard(browser: Browser, served: str) -> None:
    opened = browser.open(served + "/")
    opened.evaluate("document.getElementById('text').focus()")
    reached = []
    for _ in range(3):
        opened.press("Tab")
        reached.append(opened.evaluate("document.activeElement.id"))
    assert reached[:2] == ["file", "check"]
    assert opened.errors == []


def test_the_command_serves_the_page(fake_api: FakeApi) -> None:
    import subprocess
    import sys
    import urllib.request

    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "factcheck", "serve", "--port", str(port), "--cache", "none"],
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + SERVER_START_SECONDS
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1) as page:
                    assert b'id="check-form"' in page.read()
                    break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline
                time.sleep(0.1)
    finally:
        process.terminate()
        process.wait(timeout=10)
