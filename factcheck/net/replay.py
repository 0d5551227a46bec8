"""Answering requests from recorded real responses instead of the network.

The recordings are vcrpy cassettes (YAML; bodies as recorded, often gzip) such as those in
`fixtures/recordings/`. `--replay PATH` (a cassette or a folder of them) mounts a
ReplayAdapter on the session: a request that was recorded gets its recorded answer, with the
recorded status and headers; any other request fails like an unreachable host, so its claim
comes out `unverifiable`. This is how the quickstart runs offline, and how tests and demos
show real API shapes without touching the real APIs.

Several places can be given (`--replay` repeated, or `FACTCHECK_REPLAY` with paths separated
by `os.pathsep`): the quickstart adds `fixtures/handmade/replay/`, answers built in the
recorded shapes for what no recording holds, kept apart from the real recordings.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

import requests
from requests.adapters import BaseAdapter, HTTPAdapter
from urllib3 import HTTPResponse

from ..errors import ConfigError

CASSETTE_SUFFIXES = (".yaml", ".yml")
# Query parameters that identify the caller, not the request: ignored when matching.
IDENTITY_PARAMS = frozenset({"mailto", "email", "tool", "api_key"})


class NotRecorded(requests.ConnectionError):
    """The request has no recorded answer; treated like an unreachable host."""


@dataclass(frozen=True)
class Interaction:
    """One recorded request and its response."""

    method: str
    url: str
    status: int
    headers: dict[str, str]
    body: bytes


def load_cassettes(path: str | Path) -> list[Interaction]:
    """Every interaction in a cassette file, or in all cassettes below a folder; a string
    may name several, separated by `os.pathsep`."""
    places = str(path).split(os.pathsep) if isinstance(path, str) else [path]
    return [i for place in places if str(place).strip() for i in _load_place(Path(place))]


def _load_place(root: Path) -> list[Interaction]:
    if not root.exists():
        raise ConfigError(f"replay {root}: no such file or folder")
    files = sorted(root.rglob("*")) if root.is_dir() else [root]
    return [i for f in files if f.suffix in CASSETTE_SUFFIXES for i in _read_cassette(f)]


def _read_cassette(file: Path) -> Iterator[Interaction]:
    import yaml  # only replays need YAML

    document = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
    for entry in document.get("interactions", []):
        request, response = entry["request"], entry["response"]
        body = response.get("body", {}).get("string", b"")
        yield Interaction(
            method=request["method"].upper(),
            url=request["uri"],
            status=int(response["status"]["code"]),
            headers=_flatten(response.get("headers", {})),
            body=body.encode("utf-8") if isinstance(body, str) else bytes(body),
        )


def _flatten(headers: Mapping[str, Any]) -> dict[str, str]:
    return {k: v[0] if isinstance(v, list) else str(v) for k, v in headers.items()}


def match_key(method: str, url: str) -> tuple[str, str]:
    """What two requests must share to get the same recorded answer.

    Scheme and caller-identity parameters are ignored; the rest of the query is sorted. The
    path is compared percent-decoded: recordings made when identifiers kept their `/`
    (`/works/10.1038/x`) answer requests that send them as one segment (`/works/10.1038%2Fx`).
    """
    parts = urlsplit(url)
    query = sorted((k, v) for k, v in parse_qsl(parts.query) if k not in IDENTITY_PARAMS)
    path = unquote(parts.path).rstrip("/") or "/"
    return method.upper(), urlunsplit(("", parts.netloc.lower(), path, urlencode(query), ""))


class ReplayAdapter(BaseAdapter):
    """A transport adapter that serves recorded interactions and refuses everything else."""

    def __init__(self, interactions: list[Interaction]) -> None:
        super().__init__()
        self._answers = {match_key(i.method, i.url): i for i in interactions}
        self._builder = HTTPAdapter()

    def send(
        self, request: requests.PreparedRequest, *args: Any, **kwargs: Any
    ) -> requests.Response:
        """The recorded answer to this request, or NotRecorded."""
        found = self._answers.get(match_key(request.method or "GET", request.url or ""))
        if found is None:
            raise NotRecorded(f"{request.url} is not in the replay recordings")
        raw = HTTPResponse(
            body=io.BytesIO(found.body),
            headers=found.headers,
            status=found.status,
            preload_content=False,
            decode_content=True,
        )
        return self._builder.build_response(request, raw)

    def close(self) -> None:
        """Release the response builder."""
        self._builder.close()


def mount(session: requests.Session, path: str | Path) -> None:
    """Make `session` answer every http(s) request from the recordings at `path`."""
    adapter = ReplayAdapter(load_cassettes(path))
    session.mount("https://", adapter)
    session.mount("http://", adapter)
