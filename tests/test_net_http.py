"""Http.get against a real local server: retries, Retry-After, error mapping, body limits."""

from __future__ import annotations

import socket
import time
from email.utils import formatdate
from pathlib import Path
from typing import Any

import pytest
import responses
from servers import LocalServer, Reply, fast_config, free_port

from factcheck import __version__
from factcheck.errors import BadResponse, RateLimited, SourceUnavailable, UnsafeURL
from factcheck.net import cache
from factcheck.net.http import Http

pytestmark = pytest.mark.integration


def test_sends_user_agent_and_keeps_the_source_tag_to_itself(
    local_server: LocalServer, make_http: Any
) -> None:
    local_server.on("/w", Reply(200, b"{}"))
    make_http(mailto="me@example.org").get(local_server.url("/w"), source="crossref")
    headers = local_server.seen[0].headers
    assert headers["User-Agent"] == (
        f"factcheck/{__version__} (+https://pypi.org/project/factcheck/; mailto:me@example.org)"
    )
    assert cache.SOURCE_HEADER not in headers


def test_404_is_an_answer_not_an_error(local_server: LocalServer, make_http: Any) -> None:
    local_server.on("/w", Reply(404, b"not here"))
    response = make_http().get(local_server.url("/w"), source="crossref")
    assert response.status_code == 404
    assert response.content == b"not here"


def test_429_with_retry_after_seconds_is_waited_for(
    local_server: LocalServer, make_http: Any
) -> None:
    local_server.on("/w", Reply(429, headers={"Retry-After": "1"}), Reply(200, b"yes"))
    started = time.monotonic()
    response = make_http().get(local_server.url("/w"), source="crossref")
    assert response.content == b"yes"
    assert time.monotonic() - started >= 0.9
    assert local_server.hits("/w") == 2


def test_429_with_retry_after_http_date_is_waited_for(
    local_server: LocalServer, make_http: Any
) -> None:
    # HTTP dates have one-second resolution: two seconds ahead waits between one and two.
    when = formatdate(time.time() + 2, usegmt=True)
    local_server.on("/w", Reply(429, headers={"Retry-After": when}), Reply(200, b"yes"))
    started = time.monotonic()
    response = make_http().get(local_server.url("/w"), source="crossref")
    assert response.content == b"yes"
    assert 0.9 <= time.monotonic() - started < 3
    assert local_server.hits("/w") == 2


def test_retry_after_beyond_the_cap_gives_up_at_once(
    local_server: LocalServer, make_http: Any
) -> None:
    local_server.on("/w", Reply(429, headers={"Retry-After": "120"}))
    http = make_http(max_retry_after=3)
    started = time.monotonic()
    with pytest.raises(RateLimited, match="429"):
        http.get(local_server.url("/w"), source="crossref")
    # The next request to the same source does not even ask: the server said to stay away.
    with pytest.raises(RateLimited, match="asked us to wait"):
        http.get(local_server.url("/other"), source="crossref")
    assert time.monotonic() - started < 1
    assert local_server.hits() == 1


def test_429_that_never_ends_is_rate_limited(local_server: LocalServer, make_http: Any) -> None:
    local_server.on("/w", Reply(429, headers={"Retry-After": "0"}))
    with pytest.raises(RateLimited):
        make_http(retries=2).get(local_server.url("/w"), source="crossref")
    assert local_server.hits("/w") == 3


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_are_retried_then_unavailable(
    local_server: LocalServer, make_http: Any, status: int
) -> None:
    local_server.on("/w", Reply(status, b"oops"))
    with pytest.raises(SourceUnavailable, match=f"crossref failed with HTTP {status}"):
        make_http(retries=2).get(local_server.url("/w"), source="crossref")
    assert local_server.hits("/w") == 3


def test_a_server_error_then_success_succeeds(local_server: LocalServer, make_http: Any) -> None:
    local_server.on("/w", Reply(503), Reply(502), Reply(200, b"fine"))
    assert make_http(retries=2).get(local_server.url("/w"), source="doi").content == b"fine"


def test_connection_refused(make_http: Any) -> None:
    url = f"http://127.0.0.1:{free_port()}/w"
    with pytest.raises(
        SourceUnavailable, match=r"arxiv could not be reached \(connection refused\)"
    ):
        make_http().get(url, source="arxiv")


def test_dns_failure_says_so(make_http: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_dns(*args: Any, **kwargs: Any) -> Any:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    with pytest.raises(SourceUnavailable, match="DNS lookup failed"):
        make_http().get("http://api.example.invalid/w", source="pubmed")


def test_read_timeout_is_unavailable_within_the_timeout(
    local_server: LocalServer, make_http: Any
) -> None:
    local_server.on("/w", Reply(200, delay=3))
    started = time.monotonic()
    with pytest.raises(SourceUnavailable, match=r"crossref timed out after 0\.5s"):
        make_http(timeout=0.5).get(local_server.url("/w"), source="crossref")
    assert time.monotonic() - started < 1.5


def test_dripping_body_is_cut_at_the_deadline(local_server: LocalServer, make_http: Any) -> None:
    local_server.on("/w", Reply(200, b"x" * 50, drip=0.1))
    started = time.monotonic()
    with pytest.raises(SourceUnavailable, match="did not finish sending within 1s"):
        make_http(timeout=1).get(local_server.url("/w"), source="crossref")
    assert time.monotonic() - started < 2


def test_oversized_body_is_a_bad_response(local_server: LocalServer, make_http: Any) -> None:
    local_server.on("/w", Reply(200, b"x" * 5000))
    with pytest.raises(BadResponse, match="more than 1000 bytes"):
        make_http(max_body_bytes=1000).get(local_server.url("/w"), source="crossref")


def test_truncated_body_is_a_bad_response(local_server: LocalServer, make_http: Any) -> None:
    local_server.on("/w", Reply(200, b"short", declared_length=100))
    with pytest.raises(BadResponse, match="broken body"):
        make_http().get(local_server.url("/w"), source="crossref")


@responses.activate
def test_responses_mock_sees_clean_request_and_stamped_ttl(tmp_path: Path) -> None:
    """Unit level, no server: what the adapter sends and what it tells the cache."""
    responses.get("https://api.test/found", body=b"{}", headers={"Cache-Control": "no-store"})
    responses.get("https://api.test/gone", status=404)
    responses.get("https://api.test/busy", status=503)
    config = fast_config(tmp_path, cache="none", retries=0, cache_ttl_missing=60)
    with Http(config) as http:
        found = http.get("https://api.test/found", source="crossref")
        gone = http.get("https://api.test/gone", source="crossref")
        with pytest.raises(SourceUnavailable):
            http.get("https://api.test/busy", source="crossref")
    assert cache.SOURCE_HEADER not in responses.calls[0].request.headers
    assert found.headers["Cache-Control"] == f"max-age={int(config.cache_ttl_found)}"
    assert gone.headers["Cache-Control"] == "max-age=60"


@pytest.mark.parametrize(
    "target",
    [
        "http://localhost:{port}/secret",
        "http://169.254.169.254/latest/meta-data/",
        "file:///etc/passwd",
    ],
)
def test_a_source_redirecting_to_another_host_passes_the_ssrf_guard(
    local_server: LocalServer, make_http: Any, target: str
) -> None:
    # doi.org may send a DOI to whatever URL its registrant chose: an API answer's redirect
    # is a URL from outside, like any in model output.
    location = target.format(port=local_server.port)
    local_server.on("/w", Reply(302, b"", headers={"Location": location}))
    local_server.on("/secret", Reply(200, b"internal"))
    with pytest.raises(UnsafeURL):
        make_http().get(local_server.url("/w"), source="doi")
    assert local_server.hits("/secret") == 0


def test_a_source_redirecting_within_its_own_host_is_followed(
    local_server: LocalServer, make_http: Any
) -> None:
    local_server.on("/w", Reply(302, b"", headers={"Location": "/there"}))
    local_server.on("/there", Reply(200, b"yes"))
    assert make_http().get(local_server.url("/w"), source="doi").content == b"yes"
