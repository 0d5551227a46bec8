"""A small scriptable HTTP server on 127.0.0.1, and a Config, for network-layer tests.

`LocalServer` answers each path with a script of `Reply`s (the last one repeats) or with a
handler function, and records every request it received. Use it through the
`local_server` fixture in conftest.py, which starts one per test and stops it afterwards.
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from factcheck.config import Config


@dataclass
class Reply:
    """One scripted answer. `delay` sleeps before answering; `drip` sends the body one byte
    per `drip` seconds; `declared_length` lies in Content-Length (a truncated body)."""

    status: int = 200
    body: bytes = b"ok"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    drip: float | None = None
    declared_length: int | None = None


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    at: float = field(default_factory=time.monotonic)


Handler = Callable[[Seen], Reply]

# How often serve_forever checks for shutdown: keeps each test's teardown short.
SHUTDOWN_POLL_SECONDS = 0.05


class LocalServer:
    """Serves http://127.0.0.1:PORT, or https when given a server-side TLS context."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.routes: dict[str, list[Reply] | Handler] = {}
        self.prefixes: dict[str, Handler] = {}
        self.seen: list[Seen] = []
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(self))
        self._httpd.daemon_threads = True
        self.scheme = "http"
        if tls is not None:
            self._httpd.socket = tls.wrap_socket(self._httpd.socket, server_side=True)
            self.scheme = "https"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, args=(SHUTDOWN_POLL_SECONDS,), daemon=True
        )

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    def url(self, path: str) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}{path}"

    def on(self, path: str, *replies: Reply) -> None:
        """Answer `path` with these replies in turn; the last one repeats."""
        self.routes[path] = list(replies)

    def handle(self, path: str, handler: Handler) -> None:
        self.routes[path] = handler

    def handle_prefix(self, prefix: str, handler: Handler) -> None:
        """Answer every path under `prefix` with `handler`."""
        self.prefixes[prefix] = handler

    def hits(self, path: str | None = None) -> int:
        with self._lock:
            return sum(1 for s in self.seen if path is None or s.path.split("?")[0] == path)

    def methods(self, path: str) -> list[str]:
        with self._lock:
            return [s.method for s in self.seen if s.path.split("?")[0] == path]

    def counts(self) -> Counter[str]:
        with self._lock:
            return Counter(s.path for s in self.seen)

    def start(self) -> LocalServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def _reply_for(self, seen: Seen) -> Reply:
        with self._lock:
            self.seen.append(seen)
            path = seen.path.split("?")[0]
            route = self.routes.get(path) or next(
                (h for prefix, h in self.prefixes.items() if path.startswith(prefix)), None
            )
            if route is None:
                return Reply(404, b"no route")
            if callable(route):
                handler = route
            else:
                return route.pop(0) if len(route) > 1 else route[0]
        return handler(seen)


def _make_handler(server: LocalServer) -> type[BaseHTTPRequestHandler]:
    class _Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def _answer(self) -> None:
            seen = Seen(self.command, self.path, dict(self.headers.items()))
            reply = server._reply_for(seen)
            if reply.delay:
                time.sleep(reply.delay)
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            length = len(reply.body) if reply.declared_length is None else reply.declared_length
            self.send_header("Content-Length", str(length))
            self.end_headers()
            if self.command == "HEAD":
                return
            self._write_body(reply)

        def _write_body(self, reply: Reply) -> None:
            try:
                if reply.drip is None:
                    self.wfile.write(reply.body)
                else:
                    for i in range(len(reply.body)):
                        self.wfile.write(reply.body[i : i + 1])
                        self.wfile.flush()
                        time.sleep(reply.drip)
                if reply.declared_length is not None:
                    self.close_connection = True
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True

        do_GET = _answer
        do_HEAD = _answer

    return _Handler


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (for connection-refused tests)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fast_config(cache_dir: Path, **overrides: Any) -> Config:
    """A Config for network tests: a private cache, short timeouts, quick retries."""
    values: dict[str, Any] = {
        "cache": str(cache_dir / "http.sqlite"),
        "connect_timeout": 1.0,
        "timeout": 2.0,
        "retries": 2,
        "retry_backoff": 0.01,
        "max_retry_after": 3.0,
        # Resolved from /etc/hosts: a name lookup that fails never makes the DNS control
        # (net.reachability) ask a real resolver.
        "dns_control_host": "localhost",
    }
    values.update(overrides)
    return Config(**values)
