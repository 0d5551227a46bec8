"""The HTTP client every resolver uses: one per Checker, pooled, cached, rate-limited.

Two entry points, two sessions sharing one cache and one set of rate limits:

- `Http.get(url, source=…)` for source APIs (Crossref, doi.org, arXiv, …). Follows
  redirects, retries 429/5xx with backoff, and returns only answers a resolver can read
  (status < 500 and not 429); everything else raises a SourceError subclass.
- `Http.page(url, method=…)` for checking that a web page answers. One hop, no redirects
  followed (the web resolver follows them itself so that every hop is checked), no retries
  (a 429 from a web site is an answer, not something to sleep on).

The SSRF guard (`net.safety`) stands between both and the network. Every web page request,
and every API request to a host other than the configured sources' and the one the
resolver asked for (a redirect: doi.org sends content negotiation to the registrant's
host), is connected to the address the guard resolved and checked (`SourceAdapter._pinned`:
DNS pinning, no rebinding window, no proxy), and every redirect is checked before it is
followed, from the network or from the cache. The cache keeps what was fetched with
private addresses allowed apart (`cache.REACH_HEADER`).

Each request that really goes to the network passes an adapter (`SourceAdapter`) that
waits at the source's gate (`net.limits`; shared between workers through Redis by
`net.shared_limits` when `config.limits_url` or a redis:// cache says so), sends, reads the
body within a byte cap and within what is left of the lookup's time budget (`net.deadline`:
one `config.timeout` for all of a lookup's requests, redirects and retries included; a
server dripping bytes is cut off, headers included), and stamps our cache TTL on the
response (`net.cache`). Cache hits never reach an adapter, so they never wait for a rate
limit.

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
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from http.client import IncompleteRead
from typing import Any
from urllib.parse import urlsplit
from xml.etree.ElementTree import ParseError

import requests
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from requests.adapters import BaseAdapter, HTTPAdapter
from urllib3 import PoolManager
from urllib3.connectionpool import ConnectionPool, HTTPConnectionPool
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
from ..errors import (
    BadResponse,
    OfflineMiss,
    RateLimited,
    SourceError,
    SourceUnavailable,
    UnsafeURL,
)
from . import cache
from .deadline import (
    AnswerDeadline,
    TimeBudget,
    answer_deadline,
    check_due,
    current_budget,
    time_budget,
    watch_pools,
)
from .limits import SYSTEM_CLOCK, Clock, Limit, Limiter, SourceGate
from .reachability import Reachability, causes
from .replay import NotRecorded, ReplayAdapter, load_cassettes
from .safety import DEFAULT_PORTS, Origin, check_url, origin_of, resolve_pinned, shown_url
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
# Status requests-cache gives a request that offline mode cannot answer from the cache.
OFFLINE_MISS_STATUS = 504
# Content-Type words that say what an API body is (`_keepable`, `resolve.base.parse_json`):
# every JSON media type holds "json" (application/json, application/vnd.…+json).
JSON_TYPE = "json"
XML_TYPE = "xml"
HTML_TYPE = "html"
# `cache.REACH_HEADER`'s value when private addresses may be reached.
PRIVATE_REACH = "private"
# Credentials for a proxy (requests adds them to every redirect when the environment's proxy
# URL has them): never sent to a host connected to directly.
PROXY_AUTHORIZATION = "Proxy-Authorization"
# Our own request headers, for the cache and the gates: never sent.
INTERNAL_HEADERS = (cache.SOURCE_HEADER, cache.REACH_HEADER)


@dataclass(frozen=True)
class _Asked:
    """What `Http.get` was asked for, in this thread: the trusted first hop of a chain."""

    origin: Origin | None
    source: str


_ASKED: ContextVar[_Asked | None] = ContextVar("factcheck_asked", default=None)


class SourceAdapter(HTTPAdapter):
    """Everything between a request leaving the cache and the network, for one session.

    `page_mode` is for web pages: a body longer than the cap or broken halfway is cut short
    quietly, since the status line already says what we need. For APIs the same troubles
    raise, because a resolver would read a partial body wrongly. An answer not in within
    its lookup's time (`net.deadline`) raises in both modes: what came of it may be cut
    anywhere, headers included, so it proves nothing.

    `trusted` says which URLs may be connected to as usual (an API's configured host, which
    may be a loopback fake or sit behind a proxy); every other request goes through the
    SSRF guard to the address it checked, directly, never through a proxy (`_pinned`).
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
        trusted: Callable[[str], bool],
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
        self._trusted = trusted

    def for_host(self, config: Config) -> SourceAdapter:
        """This adapter on one host's settings (`config.hosts`: timeouts, retries), with the
        same limits, cache fields, trust and transport."""
        return type(self)(
            config,
            self._limiter,
            ttl_fields=self._ttl_fields,
            max_bytes=self._max_bytes,
            page_mode=self._page_mode,
            retry=None if self._retry is None else _retry_policy(config),
            trusted=self._trusted,
            transport=self._transport,
        )

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        """The pool manager, with the deadline's connection classes."""
        super().init_poolmanager(*args, **kwargs)
        watch_pools(self.poolmanager)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        """The proxy's pool manager, with the deadline's connection classes."""
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if isinstance(manager, PoolManager):
            watch_pools(manager)
        return manager

    def send(
        self, request: requests.PreparedRequest, *args: Any, **kwargs: Any
    ) -> requests.Response:
        """Send one request: its source's rate limit, the SSRF policy for hosts not configured, the
        lookup's time budget, retries and the body cap."""
        source = request.headers.get(cache.SOURCE_HEADER, "unknown")
        wire = request.copy()
        for name in INTERNAL_HEADERS:
            wire.headers.pop(name, None)
        host = urlsplit(request.url or "").hostname or ""
        gate = self._limiter.gate(source, host)
        # Who reasons name: the API, or for a web page its site (as `Http.page` does).
        label = host if self._page_mode else source
        if not self._trusted(request.url or ""):
            # A proxy would resolve the name itself, out of the SSRF guard's sight; and its
            # credentials, which requests adds to a redirect, are not for that host.
            kwargs["proxies"] = {}
            wire.headers.pop(PROXY_AUTHORIZATION, None)
        # A request outside any lookup (`Http.get`, `Http.page`) is a lookup of its own.
        budget = current_budget() or TimeBudget(self._config.timeout)
        retry = self._retry
        while True:
            try:
                response = self._attempt(wire, gate, label, budget, *args, **kwargs)
            except UnsafeURL as exc:
                # A page's own refusal is worded by the web resolver, which knows the chain.
                if self._page_mode:
                    raise
                raise refused_redirect(label, request.url or "", exc) from exc
            gate.adapt(response.headers)
            retry = self._next_retry(retry, response, gate, budget)
            if retry is None:
                break
        ttl = cache.ttl_for(response.status_code, self._ttl_fields, self._config)
        cache.stamp_expiry(response, ttl if self._page_mode or _keepable(response) else None)
        return response

    def _attempt(
        self,
        wire: requests.PreparedRequest,
        gate: SourceGate,
        label: str,
        budget: TimeBudget,
        *args: Any,
        **kwargs: Any,
    ) -> requests.Response:
        """One request and its whole answer, in the gate, within what is left of the
        lookup's time (and of this host's own timeout, `config.hosts`)."""
        with gate.slot(check_due()):
            allowance = min(budget.left, self._config.timeout)
            if allowance <= 0:
                raise self._timed_out(label, budget)
            kwargs["timeout"] = (min(self._config.connect_timeout, allowance), allowance)
            started = time.monotonic()
            try:
                with answer_deadline(allowance) as deadline:
                    response = self._send_once(wire, label, deadline, budget, *args, **kwargs)
                    self._read_body(response, label, deadline, budget)
            finally:
                budget.charge(time.monotonic() - started)
        return response

    def _send_once(
        self,
        wire: requests.PreparedRequest,
        label: str,
        deadline: AnswerDeadline,
        budget: TimeBudget,
        *args: Any,
        **kwargs: Any,
    ) -> requests.Response:
        """One request, up to the end of the answer's headers."""
        try:
            if self._transport is None:
                response = super().send(wire, *args, **kwargs)
            else:
                response = self._transport.send(wire, *args, **kwargs)
        except requests.RequestException as exc:
            if deadline.expired:
                raise self._timed_out(label, budget) from exc
            raise
        if deadline.expired:
            # Cut off among its headers: http.client takes the closed socket for their end.
            response.close()
            raise self._timed_out(label, budget)
        return response

    def get_connection_with_tls_context(
        self, request: requests.PreparedRequest, verify: Any, proxies: Any = None, cert: Any = None
    ) -> ConnectionPool:
        """A configured host's pool as usual; any other host's pinned to the address the SSRF guard
        checked."""
        if self._trusted(request.url or ""):
            return super().get_connection_with_tls_context(request, verify, proxies, cert)
        return self._pinned(request, verify, cert)

    def _pinned(
        self, request: requests.PreparedRequest, verify: Any, cert: Any
    ) -> HTTPConnectionPool:
        """A connection only to the address the SSRF guard checked.

        The host is resolved once, every address it has is checked, and the connection goes
        to the checked address, with the original Host header and, for https, the original
        name for SNI and certificate checks. A second DNS answer (rebinding) is never asked
        for."""
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

    def _next_retry(
        self, retry: Retry | None, response: requests.Response, gate: SourceGate, budget: TimeBudget
    ) -> Retry | None:
        """The Retry state for another attempt after waiting, or None to stop here: also
        when the lookup's time is spent, or the check's deadline would pass meanwhile."""
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
        due = check_due()
        if wait > self._config.max_retry_after or budget.left <= 0:
            return None
        if due is not None and time.monotonic() + wait >= due:
            return None
        if response.status_code != 429:
            time.sleep(wait)
        return retry

    def _read_body(
        self,
        response: requests.Response,
        label: str,
        deadline: AnswerDeadline,
        budget: TimeBudget,
    ) -> None:
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
                self._fail(response, self._broken(label, exc, budget), exc)
        if deadline.expired:
            response.close()
            raise self._too_slow(label, budget)
        if size > self._max_bytes:
            self._fail(response, BadResponse(f"{label} sent more than {self._max_bytes} bytes"))
        deadline.stop()
        # What Response.content would have read itself; requests keeps it in `_content`.
        response._content = b"".join(chunks)[: self._max_bytes]
        response.raw.release_conn()

    def _broken(self, label: str, exc: Exception, budget: TimeBudget) -> SourceError:
        """What a body that broke off halfway means for the resolver."""
        if isinstance(exc, ReadTimeoutError):
            return self._timed_out(label, budget)
        return BadResponse(f"{label} sent a broken body ({_connection_problem(exc)})")

    def _timed_out(self, label: str, budget: TimeBudget) -> SourceUnavailable:
        """No answer (not even all its headers) within the time allowed."""
        return SourceUnavailable(f"{label} timed out after {self._allowed(budget):g}s")

    def _too_slow(self, label: str, budget: TimeBudget) -> SourceUnavailable:
        """An answer begun but not finished within the time allowed."""
        seconds = self._allowed(budget)
        return SourceUnavailable(f"{label} did not finish sending within {seconds:g}s")

    def _allowed(self, budget: TimeBudget) -> float:
        """The time this request had, as a person would name it: the lookup's, or this
        host's own timeout when that is shorter."""
        return min(budget.seconds, self._config.timeout)

    def _fail(
        self, response: requests.Response, error: SourceError, cause: Exception | None = None
    ) -> None:
        """Drop the connection, and raise `error` unless a page cut short is still an answer
        (`page_mode`: the status line already says what we need)."""
        response.close()
        if not self._page_mode:
            raise error from cause


class Http:
    """The network for one Checker. Thread-safe: resolvers call it from many threads."""

    def __init__(
        self,
        config: Config,
        *,
        limits: Mapping[str, Limit] | None = None,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        """`limits`: the rate and concurrency of sources that the built-in table does not
        know, by source name (what plugin sources declare). `clock`: the time the local
        rate limits keep to (tests simulate it)."""
        self.config = config
        self._shared_limits = open_shared(config)
        self.limiter = Limiter(
            polite=bool(config.mailto),
            max_wait=config.max_retry_after,
            make_gate=None if self._shared_limits is None else self._shared_limits.gate,
            hosts=config.hosts,
            sources=limits,
            clock=clock,
        )
        # Whether the network works at all: a DNS control, and the run's answers counted.
        self.reachability = Reachability(config.dns_control_host)
        # A replay answers from its recordings alone, and they never reach the user's cache:
        # recorded answers are not the sources' answers of today.
        self._backend = None if config.replay else cache.open_backend(config)
        # The API hosts the configuration names: trusted, whichever source's chain they are in.
        self._configured = configured_origins(config)
        replay = ReplayAdapter(load_cassettes(config.replay)) if config.replay else None
        self.session = self._session(
            SourceAdapter(
                config,
                self.limiter,
                ttl_fields=cache.API_TTL_FIELDS,
                max_bytes=config.max_body_bytes,
                page_mode=False,
                retry=_retry_policy(config),
                trusted=self._trusts,
                transport=replay,
            )
        )
        self.session.max_redirects = config.max_redirects
        self.session.redirect_guard = self._refuse_unsafe_redirect
        self._pages = self._session(
            SourceAdapter(
                config,
                self.limiter,
                ttl_fields=cache.PAGE_TTL_FIELDS,
                max_bytes=config.max_page_bytes,
                page_mode=True,
                retry=None,
                trusted=_trust_none,
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
        """GET `url`. Returns responses with status < 500 other than 429; raises SourceError.

        `url` is trusted (a resolver builds it on the configured API host): it is connected
        to as usual, through a proxy if the environment names one. A redirect elsewhere
        passes the SSRF guard (`_refuse_unsafe_redirect`, then `SourceAdapter._pinned`).
        All of it, redirects and retries included, has one time budget (`time_budget`).
        """
        token = _ASKED.set(_Asked(origin_of(url), source))
        try:
            with (
                self.reachability.watch(source),
                self.time_budget(url) as budget,
                _mapped_errors(source, self.config, budget),
            ):
                response = self.session.get(
                    url,
                    params=params,
                    headers={**(headers or {}), cache.SOURCE_HEADER: source},
                    timeout=self._timeouts(),
                )
        finally:
            _ASKED.reset(token)
        self.reachability.note_answer(from_cache=_from_cache(response))
        self._check_offline(response, url)
        if response.status_code == 429:
            raise RateLimited(
                f"{source} is rate limiting us (HTTP 429{_retry_after_hint(response)})"
            )
        if response.status_code >= 500:
            raise SourceUnavailable(f"{source} failed with HTTP {response.status_code}")
        return response

    def time_budget(self, url: str) -> AbstractContextManager[TimeBudget]:
        """The time budget of a lookup starting at `url` (`net.deadline`): its host's
        `timeout` (`config.hosts`), else the global one. Inside a lookup that already has
        one (a web page's next redirect hop), that one."""
        override = self.config.hosts.get((urlsplit(url).hostname or "").lower())
        seconds = override.timeout if override and override.timeout else self.config.timeout
        return time_budget(seconds)

    def page(self, url: str, *, method: str) -> requests.Response:
        """One request for a web page, any status, no redirect followed.

        Raises UnsafeURL for URLs the SSRF guard refuses, `safety.NoSuchHost` when the host
        does not exist, OfflineMiss, or SourceUnavailable for network trouble
        (DnsUnavailable when no name resolves here: `net.reachability`).
        """
        parts = check_url(
            url, max_length=self.config.max_url_length, allow_private=self.config.allow_private_urls
        )
        host = parts.hostname or url
        with (
            self.reachability.watch(host),
            self.time_budget(url) as budget,
            _mapped_errors(host, self.config, budget),
        ):
            response = self._pages.request(
                method,
                url,
                headers={cache.SOURCE_HEADER: PAGE_SOURCE},
                timeout=self._timeouts(),
                allow_redirects=False,
            )
        self.reachability.note_answer(from_cache=_from_cache(response))
        self._check_offline(response, url)
        return response

    def close(self) -> None:
        """Close both sessions, the cache and any shared limits."""
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
        if self.config.allow_private_urls:
            session.headers[cache.REACH_HEADER] = PRIVATE_REACH
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        _mount_hosts(session, adapter, self.config)
        return session

    def _trusts(self, url: str) -> bool:
        """Whether an API request to `url` may connect as usual: it goes to a host the
        configuration names, or to the one the resolver asked (the first hop of `get`)."""
        target = origin_of(url)
        if target is None:
            return False
        asked = _ASKED.get()
        return target in self._configured or (asked is not None and target == asked.origin)

    def _refuse_unsafe_redirect(self, origin: str, target: str) -> None:
        """A source's redirect away from its trusted hosts passes the URL checks (UnsafeURL
        otherwise), whether the redirect came from the network or from the cache.

        doi.org sends a DOI whose agency has no metadata service to the URL its registrant
        chose, so an API answer can point anywhere. The name is then resolved, checked and
        pinned when the hop connects (`SourceAdapter._pinned`)."""
        if self._trusts(target):
            return
        try:
            check_url(
                target,
                max_length=self.config.max_url_length,
                allow_private=self.config.allow_private_urls,
            )
        except UnsafeURL as exc:
            asked = _ASKED.get()
            raise refused_redirect(asked.source if asked else origin, target, exc) from exc

    def _timeouts(self) -> tuple[float, float]:
        return (self.config.connect_timeout, self.config.timeout)

    def _check_offline(self, response: requests.Response, url: str) -> None:
        if self.config.offline and response.status_code == OFFLINE_MISS_STATUS:
            raise OfflineMiss(f"offline and no cached answer for {url}")


def configured_origins(config: Config) -> frozenset[Origin]:
    """Where the configured sources live: the host and port of every http(s) `*_url`
    setting. The user chose them, so they are connected to as usual, even on loopback."""
    urls = (getattr(config, name) for name in type(config).model_fields if name.endswith("_url"))
    found = (origin_of(url) for url in urls if isinstance(url, str))
    return frozenset(place for place in found if place is not None)


def refused_redirect(source: str, target: str, exc: UnsafeURL) -> UnsafeURL:
    """The refusal of an API's redirect, saying where it led and why that is not fetched."""
    return UnsafeURL(f"refused: {source} redirected to {shown_url(target)}, and {exc.reason}")


def _trust_none(url: str) -> bool:
    """Web pages: every request passes the SSRF guard."""
    return False


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


def _from_cache(response: requests.Response) -> bool:
    """Whether requests-cache answered (offline misses included), not the network."""
    return bool(getattr(response, "from_cache", False))


def _retry_after_hint(response: requests.Response) -> str:
    raw = response.headers.get("Retry-After")
    return f", Retry-After: {raw}" if raw else ""


@contextmanager
def _mapped_errors(label: str, config: Config, budget: TimeBudget) -> Iterator[None]:
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
        raise SourceUnavailable(f"{label} timed out after {budget.seconds:g}s") from exc
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
    for cause in causes(exc):
        for kind, words in _CONNECTION_PROBLEMS:
            if isinstance(cause, kind):
                return words
    return "connection failed"
