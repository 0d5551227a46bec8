"""A small DevTools-protocol client for the browser tests: one headless Chromium, pages
opened in it, and what a person would see there (uncaught exceptions, console errors and
CSP violations, requests, the live DOM, screenshots). The `browser` fixture (conftest.py)
skips when no Chromium is installed, unless FACTCHECK_REQUIRE_BROWSER=1 (set by .ci/run,
which installs Debian's chromium)."""

from __future__ import annotations

import base64
import json
import os
import shutil
import struct
import subprocess
import tempfile
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "chrome")
REQUIRE_BROWSER = "FACTCHECK_REQUIRE_BROWSER"
BROWSER_START_SECONDS = 30.0
CDP_TIMEOUT_SECONDS = 30.0
POLL_SECONDS = 0.05
WINDOW = (1200, 900)
# Distinct byte values in a screenshot's decompressed pixel rows: a blank page has a handful
# (one colour, and the filters' zeros), a page with text and charts has hundreds.
MIN_DISTINCT_BYTES = 64
# DevTools' Input.dispatchKeyEvent: the keys the tests press, and the modifier bits.
KEY_CODES = {"Enter": 13, "Tab": 9}
MODIFIERS = {"Alt": 1, "Ctrl": 2, "Meta": 4, "Shift": 8}


class Browser:
    """One headless Chromium, driven over its DevTools websocket."""

    def __init__(self, socket: Any) -> None:
        self._socket = socket
        self._next_id = 0
        self._events: list[dict[str, Any]] = []

    def call(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session is not None:
            message["sessionId"] = session
        self._socket.send(json.dumps(message))
        while True:
            reply = self._receive(time.monotonic() + CDP_TIMEOUT_SECONDS)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                result: dict[str, Any] = reply.get("result", {})
                return result
            self._events.append(reply)

    def wait_for(self, method: str, session: str) -> dict[str, Any]:
        deadline = time.monotonic() + CDP_TIMEOUT_SECONDS
        while True:
            for event in self._events:
                if event.get("method") == method and event.get("sessionId") == session:
                    return event
            self._events.append(self._receive(deadline))

    def events(self, session: str) -> list[dict[str, Any]]:
        return [e for e in self._events if e.get("sessionId") == session]

    def open(self, where: Path | str) -> OpenPage:
        """A new tab at `where` (a file, or a URL), once it has loaded."""
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable", session)
        self.call(
            "Emulation.setDeviceMetricsOverride",
            session,
            width=WINDOW[0],
            height=WINDOW[1],
            deviceScaleFactor=1,
            mobile=False,
        )
        url = where.as_uri() if isinstance(where, Path) else where
        self.call("Page.navigate", session, url=url)
        self.wait_for("Page.loadEventFired", session)
        return OpenPage(self, session)

    def _receive(self, deadline: float) -> dict[str, Any]:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("no answer from the browser")
        message: dict[str, Any] = json.loads(self._socket.recv(timeout=remaining))
        return message


class OpenPage:
    def __init__(self, browser: Browser, session: str) -> None:
        self._browser = browser
        self._session = session

    @property
    def errors(self) -> list[str]:
        """Uncaught exceptions, console.error calls, and errors the browser logged (a CSP
        violation, a failed load)."""
        found = []
        for event in self._browser.events(self._session):
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.exceptionThrown":
                details = params["exceptionDetails"]
                found.append(details.get("exception", {}).get("description") or details["text"])
            elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                found.append(" ".join(str(a.get("value")) for a in params.get("args", [])))
            elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
                found.append(params["entry"]["text"])
        return found

    @property
    def requests(self) -> list[str]:
        return [
            e["params"]["request"]["url"]
            for e in self._browser.events(self._session)
            if e.get("method") == "Network.requestWillBeSent"
        ]

    def evaluate(self, expression: str) -> Any:
        result = self._browser.call(
            "Runtime.evaluate",
            self._session,
            expression=expression,
            returnByValue=True,
            awaitPromise=True,
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def press(self, key: str, *, modifiers: int = 0) -> None:
        """A key pressed as a person would (DevTools input events, not a script's click):
        Enter or Tab, with `modifiers` a sum of MODIFIERS."""
        for kind in ("keyDown", "keyUp"):
            self._browser.call(
                "Input.dispatchKeyEvent",
                self._session,
                type=kind,
                key=key,
                code=key,
                modifiers=modifiers,
                windowsVirtualKeyCode=KEY_CODES[key],
            )

    def screenshot(self, out: Path) -> Path:
        data = self._browser.call("Page.captureScreenshot", self._session, format="png")["data"]
        out.write_bytes(base64.b64decode(data))
        return out


@contextmanager
def launch() -> Iterator[Browser]:
    """A headless Chromium for the `with` block (skips or fails the test without one)."""
    from websockets.sync.client import connect

    binary = next((found for name in BROWSERS if (found := shutil.which(name))), None)
    if binary is None:
        message = "no Chromium found (apt-get install chromium; .ci/run installs it)"
        if os.environ.get(REQUIRE_BROWSER) == "1":
            pytest.fail(f"{REQUIRE_BROWSER}=1 but {message}")
        pytest.skip(message)
    with tempfile.TemporaryDirectory(prefix="factcheck-chromium-") as profile:
        process = subprocess.Popen(
            [
                binary,
                "--headless",
                "--disable-gpu",
                "--no-sandbox",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-extensions",
                "--disable-background-networking",
                "--remote-debugging-port=0",
                f"--user-data-dir={profile}",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            url = _devtools_url(Path(profile), process)
            with connect(url, max_size=None, open_timeout=CDP_TIMEOUT_SECONDS) as socket:
                yield Browser(socket)
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _devtools_url(profile: Path, process: subprocess.Popen[bytes]) -> str:
    """The browser's websocket, from the DevToolsActivePort file it writes once listening."""
    port_file = profile / "DevToolsActivePort"
    deadline = time.monotonic() + BROWSER_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"chromium exited with {process.returncode}")
        lines = port_file.read_text().split() if port_file.exists() else []
        if len(lines) >= 2:
            return f"ws://127.0.0.1:{lines[0]}{lines[1]}"
        time.sleep(POLL_SECONDS)
    raise TimeoutError("chromium did not open its DevTools port")


def blank(png: bytes) -> bool:
    """Whether a PNG holds next to nothing: few distinct byte values in its pixel rows."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    data, position = b"", 8
    while position < len(png):
        (length,) = struct.unpack(">I", png[position : position + 4])
        kind = png[position + 4 : position + 8]
        if kind == b"IDAT":
            data += png[position + 8 : position + 8 + length]
        position += length + 12
    return len(set(zlib.decompress(data))) < MIN_DISTINCT_BYTES
