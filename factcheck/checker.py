"""Checker: the one orchestrator. extract -> dedupe -> resolve -> judge -> Report.

A Checker owns one HTTP client (pooled session, cache, per-source limits) and the
resolvers built on it, so it is meant to be created once and reused; it is thread-safe.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from .config import Config
from .extract import extract
from .judge import judge
from .model import Citation, Finding, Report, Status, Verdict
from .net.http import Http
from .resolve.base import Lookup, Outcome, Resolver, build, guarded

LOOKUP_LIMIT_REASON = "not looked up: this text exceeds the limit of {} lookups per text"


class Checker:
    """Checks texts against the configured sources. Use as a context manager, or close()."""

    def __init__(self, config: Config | None = None, **overrides: Any) -> None:
        if config is None:
            config = Config.load(**overrides)
        elif overrides:
            config = config.model_copy(update=overrides)
        self.config = config
        self.http = Http(config)
        self.resolvers: list[Resolver] = build(config.sources, self.http, config)
        self._pool = ThreadPoolExecutor(max_workers=config.workers, thread_name_prefix="factcheck")

    def check(
        self, text: str, *, path: str | None = None, fail_on: Iterable[Status] | None = None
    ) -> Report:
        """Extract every claim in `text`, verify each, and return the Report."""
        return self.verify(extract(text), path=path, fail_on=fail_on)

    async def acheck(
        self, text: str, *, path: str | None = None, fail_on: Iterable[Status] | None = None
    ) -> Report:
        """`check` for async code: runs in a worker thread, so the event loop stays free."""
        return await asyncio.to_thread(self.check, text, path=path, fail_on=fail_on)

    def verify(
        self,
        citations: list[Citation],
        *,
        path: str | None = None,
        fail_on: Iterable[Status] | None = None,
    ) -> Report:
        """Resolve each distinct identifier once, concurrently, then judge every citation."""
        unique = list(dict.fromkeys(c.key for c in citations))
        allowed = set(unique[: self.config.max_lookups])
        first = {c.key: c for c in reversed(citations)}
        futures = {key: self._pool.submit(self._resolve, first[key]) for key in allowed}
        lookups = {key: future.result() for key, future in futures.items()}
        findings = [
            Finding(citation=c, verdict=self._verdict(c, lookups.get(c.key))) for c in citations
        ]
        report = Report(path=path, items=findings)
        if fail_on is not None:
            report.fail_on = list(fail_on)
        return report

    def _verdict(self, citation: Citation, lookups: list[Lookup] | None) -> Verdict:
        if lookups is None:
            return Verdict(
                status=Status.UNVERIFIABLE,
                confidence=0.0,
                reason=LOOKUP_LIMIT_REASON.format(self.config.max_lookups),
            )
        return judge(citation, lookups)

    def _resolve(self, citation: Citation) -> list[Lookup]:
        """Ask each source that covers the kind, in order, until one settles it."""
        lookups: list[Lookup] = []
        for resolver in self.resolvers:
            if citation.kind not in resolver.kinds:
                continue
            lookup = guarded(resolver, citation)
            lookups.append(lookup)
            if lookup.outcome is Outcome.FOUND or (
                lookup.outcome is Outcome.MISSING and lookup.authoritative
            ):
                break
        return lookups

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        self.http.close()

    def __enter__(self) -> Checker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
