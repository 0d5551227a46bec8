"""The HTTP client every resolver uses: one per Checker, pooled, cached, rate-limited.

Two entry points, two sessions sharing one cache and one set of rate limits:

- `Http.get(url, source=…)` for source APIs (Crossref, doi.org, arXiv, …). Follows
  redirects, retries 429/5xx with backoff, and returns only answers a resolver can read
  (status < 500 and not 429); everything else raises a SourceError subclass.
- `Http.page(url, method=…)` for checking that a web page answers. One hop, no redirects
  followed (the web resolver follows them itself so that every hop is checked), no retries
  (a 429 from a web site is an answer, not something to sleep on), and every connection
  goes through the SSRF guard to the address it checked (`PinnedAdapter`).

Each request that really goes to the network passes an adapter (`SourceAdapter`) that
waits at the source's gate (`net.limits`; shared between workers through Redis by
`net.shared_limits` when `config.limits_url` or a redis:// cache says so), sends, reads the
body within a byte cap, all of the answer within `config.timeout` of sending
(`net.deadline`: a server dripping bytes is cut off, headers included), and stamps our cache
TTL on the response (`net.cache`). Cache hits never reach an adapter, so they never wait
for a rate limit.

Only answers are cached, never trouble: besides the statuses `net.cache` refuses, an API
answer whose body is not what its Content-Type says (JSON that does not parse, a feed that
is not well-formed XML, an HTML page where an API answers JSON or XML: a proxy's or a
maintenance page) is not kept, so the next run asks again instead of failing for a month.

Retries live in the adapter, not inside urllib3: urllib3 retries below the adapter, where
our gate cannot see them, so a retry would start without waiting its turn. We still use
urllib3's `Retry` for the policy (which statuses, how many, exponential backoff, parsing
Retry-After as seconds or an HTTP date). A Retry-After longer than `config.max_retry_after`
is not waited for: we give up at once (RateLimited), and block the gate so other threads
give up too instead of asking again.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from http.client import IncompleteRead
from typing import Any
from urllib.parse import urlsplit
from xml.etree.ElementTree import ParseError

import requests
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from requests.adapters import BaseAdapter, HTTPAdapter
from urllib3 import PoolManager
from urllib3.connectionpool import HTTPConnectionPool
from urllib3.exceptions import (
    HTTPError,
    InvalidHeader,
    MaxRetryError,
    NameResolutionError,
    ReadTimeoutError,
)
from urllib3.util.retry import Retry

from .. import __version__
from ..config import Config
from ..errors import BadResponse, OfflineMiss, RateLimited, SourceError, SourceUnavailable
from . import cache
from .deadline import AnswerDeadline, answer_deadline, watch_pools
from .limits import Limiter, SourceGate
from .replay import NotRecorded, ReplayAdapter, load_cassettes
from .safety import check_url, resolve_pinned
from .shared_limits import open_shared

# Per-host connection pools kept open; web checks touch many sites.
POOLED_HOSTS = 32
# Statuses worth asking again after a pause.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
RETRY_METHODS = frozenset({"GET", "HEAD"})
BODY_CHUNK_BYTES = 16 * 1024
# What a browser asks for: some sites refuse clients that accept only */*.
PAGE_ACCEPT = "text/html,application/xhtml+xml,*/*;q=0.8"
PAGE_SOURCE = "url"
DEFAULT_PORTS = {"http": 80, "https": 443}
# Status requests-cache gives a request that offline mode cannot answer from the cache.
OFFLINE_MISS_STATUS = 504
# Content-Type words that say what an API body is (`_keepable`, `resolve.base.parse_json`):
# every JSON media type holds "json" (application/json, application/vnd.…+json).
JSON_TYPE = "json"
XML_TYPE = "xml"
HTML_TYPE = "html"


class SourceAdapter(HTTPAdapter):
    """Everything between a request leaving the cache and the network, for one session.

    `page_mode` is for web pages: a body longer than the cap, slower than the deadline or
    broken halfway is cut short quietly, since the status line already says what we need.
    For APIs the same troubles raise, because a resolver would read a partial body wrongly.
    """

    def __init__(
        self,
        config: Config,
        limiter: Limiter,
        *,
        ttl_fields: Mapping[int, str],
        max_bytes: int,
        page_mode: bool,
        retry: Retry | None,
        transport: BaseAdapter | None = None,
    ) -> None:
        super().__init__(pool_connections=POOLED_HOSTS, pool_maxsize=config.workers)
        # What actually answers: the network (this adapter itself) or a recorded replay.
        self._transport = transport
        self._config = config
        self._limiter = limiter
        self._ttl_fields = ttl_fields
        self._max_bytes = max_bytes
        self._page_mode = page_mode
        self._retry = retry

    def for_host(self, config: Config) -> SourceAdapter:
        """This adapter on one host's settings (`config.hosts`: timeouts, retries), with the
        same limits, cache fields and transport."""
        return type(self)(
            config,
            self._limiter,
            ttl_fields=self._ttl_fields,
            max_bytes=self._max_bytes,
            page_mode=self._page_mode,
            retry=None if self._retry is None else _retry_policy(config),
            transport=self._transport,
        )

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        watch_pools(self.poolmanager)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if isinstance(manager, PoolManager):
            watch_pools(manager)
        return manager

    def send(
        self, request: requests.PreparedRequest, *args: Any, **kwargs: Any
    ) -> requests.Response:
        source = request.headers.get(cache.SOURCE_HEADER, "unknown")
        wire = request.copy()
        wire.headers.pop(cache.SOURCE_HEADER, None)
        host = urlsplit(request.url or "").hostname or ""
        gate = self._limiter.gate(source, host)
        # Who reasons name: the API, or for a web page its site (as `Http.page` does).
        label = host if self._page_mode else source
        # This adapter's own: a host's (`config.hosts`) when it serves that host.
        kwargs["timeout"] = (self._config.connect_timeout, self._config.timeout)
        retry = self._retry
        while True:
            with gate.slot(), answer_deadline(self._config.timeout) as deadline:
                response = self._send_once(wire, label, deadline, *args, **kwargs)
                self._read_body(response, label, deadline)
            gate.adapt(response.headers)
            retry = self._next_retry(retry, response, gate)
            if retry is None:
                break
        ttl = cache.ttl_for(response.status_code, self._ttl_fields, self._config)
        cache.stamp_expiry(response, ttl if self._page_mode or _keepable(response) else None)
        return response

    def _send_once(
        self,
        wire: requests.PreparedRequest,
        label: str,
        deadline: AnswerDeadline,
        *args: Any,
        **kwargs: Any,
    ) -> requests.Response:
        """One request, up to the end of the answer's headers."""
        try:
            if self._transport is None:
                return super().send(wire, *args, **kwargs)
            return self._transport.send(wire, *args, **kwargs)
        except requests.RequestException as exc:
            if deadline.expired:
                raise self._timed_out(label) from exc
            raise

    def _next_retry(
        self, retry: Retry | None, response: requests.Response, gate: SourceGate
    ) -> Retry | None:
        """The Retry state for another attempt after waiting, or None to stop here."""
        method = response.request.method or "GET"
        has_retry_after = "Retry-After" in response.headers
        if retry is None or not retry.is_retry(method, response.status_code, has_retry_after):
            return None
        try:
            retry = retry.increment(method, response.url, response=response.raw)
        except MaxRetryError:
            return None
        wait = _retry_wait(retry, response)
        if response.status_code == 429:
            gate.block(wait)
        if wait > self._config.max_retry_after:
            return None
        if response.status_code != 429:
            time.sleep(wait)
        return retry

    def _read_body(self, response: requests.Response, label: str, deadline: AnswerDeadline) -> None:
        """Read the whole body now, inside the gate: a server counts a request as running
        until its answer is sent, and requests-cache would otherwise read it without a cap."""
        chunks: list[bytes] = []
        size = 0
        try:
            while chunk := response.raw.read1(BODY_CHUNK_BYTES, decode_content=True):
                size += len(chunk)
                chunks.append(chunk)
                if size > self._max_bytes:
                    break
        except (HTTPError, OSError) as exc:
            if not deadline.expired:
                self._fail(response, self._broken(label, exc), exc)
        if size > self._max_bytes:
            self._fail(response, BadResponse(f"{label} sent more than {self._max_bytes} bytes"))
        elif deadline.expired:
            self._fail(response, self._too_slow(label))
        deadline.stop()
        # What Response.content would have read itself; requests keeps it in `_content`.
        response._content = b"".join(chunks)[: self._max_bytes]
        response.raw.release_conn()

    def _broken(self, label: str, exc: Exception) -> SourceError:
        """What a body that broke off halfway means for the resolver."""
        if isinstance(exc, ReadTimeoutError):
            return self._timed_out(label)
        return BadResponse(f"{label} sent a broken body ({_connection_problem(exc)})")

    def _timed_out(self, label: str) -> SourceUnavailable:
        """No answer (not even its headers) within the time allowed."""
        return SourceUnavailable(f"{label} timed out after {self._config.timeout:g}s")

    def _too_slow(self, label: str) -> SourceUnavailable:
        """An answer begun but not finished within the time allowed."""
        return SourceUnavailable(f"{label} did not finish sending within {self._config.timeout:g}s")

    def _fail(
        self, response: requests.Response, error: SourceError, cause: Exception | None = None
    ) -> None:
        """Drop the connection, and raise `error` unless a page cut short is still an answer
        (`page_mode`: the status line already says what we need)."""
        response.close()
        if not self._page_mode:
            raise error from cause


class PinnedAdapter(SourceAdapter):
    """Connects only to the address the SSRF guard checked, for every request.

    The host is resolved once, every address it has is checked, and the connection goes to
    the checked address, with the original Host header and, for https, the original name
    for SNI and certificate checks. A second DNS answer (rebinding) is never asked for.
    """

    def get_connection_with_tls_context(
        self, request: requests.PreparedRequest, verify: Any, proxies: Any = None, cert: Any = None
    ) -> HTTPConnectionPool:
        host_params, tls = self.build_connection_pool_key_attributes(request, verify, cert)
        scheme, host = host_params["scheme"], host_params["host"].strip("[]")
        port = host_params["port"] or DEFAULT_PORTS[scheme]
        address = resolve_pinned(host, port, allow_private=self._config.allow_private_urls)
        pool_kwargs: dict[str, Any] = dict(tls)
        if scheme == "https":
            pool_kwargs.update(server_hostname=host, assert_hostname=host)
        request.headers["Host"] = urlsplit(request.url or "").netloc
        pool: HTTPConnectionPool = self.poolmanager.connection_from_host(
            **{**host_params, "host": address, "port": port}, pool_kwargs=pool_kwargs
        )
        return pool


class Http:
    """The network for one Checker. Thread-safe: resolvers call it from many threads."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self._shared_limits = open_shared(config)
        self.limiter = Limiter(
            polite=bool(config.mailto),
            max_wait=config.max_retry_after,
            make_gate=None if self._shared_limits is None else self._shared_limits.gate,
            hosts=config.hosts,
        )
        self._backend = cache.open_backend(config)
        replay = ReplayAdapter(load_cassettes(config.replay)) if config.replay else None
        self.session = self._session(
            SourceAdapter(
                config,
                self.limiter,
                ttl_fields=cache.API_TTL_FIELDS,
                max_bytes=config.max_body_bytes,
                page_mode=False,
                retry=_retry_policy(config),
                transport=replay,
            )
        )
        self.session.max_redirects = config.max_redirects
        self.session.redirect_guard = self._refuse_unsafe_redirect
        self._pages = self._session(
            PinnedAdapter(
                config,
                self.limiter,
                ttl_fields=cache.PAGE_TTL_FIELDS,
                max_bytes=config.max_page_bytes,
                page_mode=True,
                retry=None,
                transport=replay,
            )
        )
        # A proxy would resolve names itself, out of the SSRF guard's sight.
        self._pages.trust_env = False
        self._pages.headers["Accept"] = PAGE_ACCEPT

    def get(
        self,
        url: str,
        *,
        source: str,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> requests.Response:
        """GET `url`. Returns responses with status < 500 other than 429; raises SourceError."""
        with _mapped_errors(source, self.config):
            response = self.session.get(
                url,
                params=params,
                headers={**(headers or {}), cache.SOURCE_HEADER: source},
                timeout=self._timeouts(),
            )
        self._check_offline(response, url)
        if response.status_code == 429:
            raise RateLimited(
                f"{source} is rate limiting us (HTTP 429{_retry_after_hint(response)})"
            )
        if response.status_code >= 500:
            raise SourceUnavailable(f"{source} failed with HTTP {response.status_code}")
        return response

    def page(self, url: str, *, method: str) -> requests.Response:
        """One request for a web page, any status, no redirect followed.

        Raises UnsafeURL for URLs the SSRF guard refuses, `safety.NoSuchHost` when the host
        does not exist, OfflineMiss, or SourceUnavailable for network trouble.
        """
        parts = check_url(
            url, max_length=self.config.max_url_length, allow_private=self.config.allow_private_urls
        )
        with _mapped_errors(parts.hostname or url, self.config):
            response = self._pages.request(
                method,
                url,
                headers={cache.SOURCE_HEADER: PAGE_SOURCE},
                timeout=self._timeouts(),
                allow_redirects=False,
            )
        self._check_offline(response, url)
        return response

    def close(self) -> None:
        self.session.close()
        self._pages.close()
        cache.close_backend(self._backend)
        if self._shared_limits is not None:
            self._shared_limits.close()

    def __enter__(self) -> Http:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _session(self, adapter: SourceAdapter) -> cache.GuardedRedirects:
        session = cache.session(self._backend, self.config)
        session.headers["User-Agent"] = self.config.user_agent(__version__)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        _mount_hosts(session, adapter, self.config)
        return session

    def _refuse_unsafe_redirect(self, origin: str, target: str) -> None:
        """A source's redirect to another host passes the SSRF guard (UnsafeURL otherwise).

        doi.org sends a DOI whose agency has no metadata service to the URL its registrant
        chose, so an API answer can point anywhere. A redirect within the source's own host
        is left alone: that host is the configuration's choice, loopback fakes included."""
        if urlsplit(target).hostname == urlsplit(origin).hostname:
            return
        check_url(
            target,
            max_length=self.config.max_url_length,
            allow_private=self.config.allow_private_urls,
        )

    def _timeouts(self) -> tuple[float, float]:
        return (self.config.connect_timeout, self.config.timeout)

    def _check_offline(self, response: requests.Response, url: str) -> None:
        if self.config.offline and response.status_code == OFFLINE_MISS_STATUS:
            raise OfflineMiss(f"offline and no cached answer for {url}")


def _mount_hosts(session: requests.Session, adapter: SourceAdapter, config: Config) -> None:
    """Requests to a host with timeouts or retries of its own (`config.hosts`) go through an
    adapter on those settings: requests picks the adapter of the longest matching prefix."""
    for host, override in config.hosts.items():
        settings = override.http_settings()
        if not settings:
            continue
        host_adapter = adapter.for_host(config.model_copy(update=settings))
        name = f"[{host}]" if ":" in host else host
        for scheme in DEFAULT_PORTS:
            # The bare host, and the host with a port; not a longer name that starts alike.
            session.mount(f"{scheme}://{name}/", host_adapter)
            session.mount(f"{scheme}://{name}:", host_adapter)


def _retry_policy(config: Config) -> Retry:
    return Retry(
        total=config.retries,
        connect=0,
        read=0,
        other=0,
        status=config.retries,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=RETRY_METHODS,
        backoff_factor=config.retry_backoff,
        respect_retry_after_header=True,
        raise_on_status=False,
    )


def _retry_wait(retry: Retry, response: requests.Response) -> float:
    """Seconds to wait before the next attempt: the server's Retry-After, else our backoff."""
    try:
        asked = retry.get_retry_after(response.raw)
    except InvalidHeader:
        asked = None
    return asked if asked is not None else retry.get_backoff_time()


def _keepable(response: requests.Response) -> bool:
    """Whether an API answer's body is what its Content-Type says: JSON that parses, XML
    that is well-formed, and no HTML page (no API of ours answers one; a proxy does)."""
    kind = response.headers.get("Content-Type", "").lower()
    if HTML_TYPE in kind:
        return False
    try:
        if JSON_TYPE in kind:
            json.loads(response.content)
        elif XML_TYPE in kind:
            fromstring(response.content)
    except (ValueError, ParseError, DefusedXmlException, RecursionError):
        return False  # RecursionError: JSON nested too deeply to parse (resolve.base.parse_json)
    return True


def _retry_after_hint(response: requests.Response) -> str:
    raw = response.headers.get("Retry-After")
    return f", Retry-After: {raw}" if raw else ""


@contextmanager
def _mapped_errors(label: str, config: Config) -> Iterator[None]:
    """Turn requests' exceptions into SourceErrors whose reason says what happened."""
    if config.offline and config.cache.strip().lower() == "none":
        raise OfflineMiss("offline, and the cache is turned off")
    try:
        yield
    except requests.ConnectTimeout as exc:
        raise SourceUnavailable(
            f"{label} did not accept a connection within {config.connect_timeout:g}s"
        ) from exc
    except requests.Timeout as exc:
        raise SourceUnavailable(f"{label} timed out after {config.timeout:g}s") from exc
    except requests.TooManyRedirects as exc:
        reason = f"{label} redirected more than {config.max_redirects} times"
        raise SourceUnavailable(reason) from exc
    except requests.ConnectionError as exc:
        reason = f"{label} could not be reached ({_connection_problem(exc)})"
        raise SourceUnavailable(reason) from exc
    except requests.RequestException as exc:
        raise SourceUnavailable(f"{label} request failed ({type(exc).__name__})") from exc


_CONNECTION_PROBLEMS: tuple[tuple[type[BaseException], str], ...] = (
    (NotRecorded, "not in the replay recordings"),
    (NameResolutionError, "DNS lookup failed"),
    (ConnectionRefusedError, "connection refused"),
    (ConnectionResetError, "connection reset"),
    (IncompleteRead, "the connection closed before the whole body arrived"),
    (requests.exceptions.SSLError, "TLS handshake failed"),
)


def _connection_problem(exc: BaseException) -> str:
    """A few words on why a connection or a body broke, from anywhere in the exception's
    chain."""
    for cause in _causes(exc):
        for kind, words in _CONNECTION_PROBLEMS:
            if isinstance(cause, kind):
                return words
    return "connection failed"


def _causes(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    todo = [exc]
    while todo:
        current = todo.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        linked = (
            current.__cause__,
            current.__context__,
            getattr(current, "reason", None),
            *current.args,
        )
        todo.extend(item for item in linked if isinstance(item, BaseException))
