"""Checker: the one orchestrator. extract -> dedupe -> resolve -> judge -> Report.

A Checker owns one HTTP client (pooled session, cache, per-source limits) and the
resolvers built on it, so it is meant to be created once and reused; it is thread-safe.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from .config import Config
from .extract import extract_all
from .judge import UNCITED, judge, judge_link, needs_published_version, searched
from .model import Citation, Extraction, Fields, Finding, Kind, Link, Report, Status, Verdict
from .net.http import Http
from .resolve.base import Lookup, Outcome, Resolver, build, finds_published, guarded
from .resolve.results import open_results

LOOKUP_LIMIT_REASON = "not looked up: this text exceeds the limit of {} lookups per text"


@dataclass
class Resolved:
    """What the sources answered for one or more texts (`Checker.resolve_extractions`).

    `lookups` by probe key (`Citation.key` of what was looked up), `published` (searches for
    a preprint's published version) by entry key; `stored` counts the probes that the
    results cache answered, so that batch jobs can show their cache hits.
    """

    lookups: dict[str, list[Lookup]] = field(default_factory=dict)
    published: dict[str, list[Lookup]] = field(default_factory=dict)
    stored: int = 0


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
        # The sources that cover each kind, in the order they are asked, and their names.
        self._chains = {kind: [r for r in self.resolvers if kind in r.kinds] for kind in Kind}
        self._sources = {kind: [r.name for r in chain] for kind, chain in self._chains.items()}
        self._results = open_results(config)
        self._pool = ThreadPoolExecutor(max_workers=config.workers, thread_name_prefix="factcheck")

    def check(
        self, text: str, *, path: str | None = None, fail_on: Iterable[Status] | None = None
    ) -> Report:
        """Extract every claim in `text`, verify each, and return the Report."""
        return self.verify_extraction(extract_all(text), path=path, fail_on=fail_on)

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
        """Verify citations found elsewhere (no in-text links between them)."""
        return self.verify_extraction(Extraction(citations=citations), path=path, fail_on=fail_on)

    def verify_extraction(
        self,
        extraction: Extraction,
        *,
        path: str | None = None,
        fail_on: Iterable[Status] | None = None,
    ) -> Report:
        """Resolve each distinct identifier once, concurrently, then judge every claim.

        In-text citations are not looked up: they are judged by their link to an entry,
        and only those with a problem are reported.
        """
        resolved = self.resolve_extractions([extraction])
        return self.judge_extraction(extraction, resolved, path=path, fail_on=fail_on)

    def resolve_extractions(self, extractions: Iterable[Extraction]) -> Resolved:
        """The sources' answers for many texts at once: each distinct probe among them is
        resolved once (every text within its own `max_lookups`), concurrently, then the
        searches for published versions that those answers call for.

        Batch jobs (`factcheck.pipeline`) call this on a chunk of texts and then
        `judge_extraction` on each, so that a claim made in a thousand texts costs one lookup.
        """
        plans = [_plan(extraction.citations, self.config.max_lookups) for extraction in extractions]
        wanted: dict[str, Citation] = {}
        for plan in plans:
            for key, probe in plan.allowed.items():
                wanted.setdefault(key, probe)
        lookups = self._stored(list(wanted.values()))
        stored = len(lookups)
        lookups.update(self._resolve_all([p for k, p in wanted.items() if k not in lookups]))
        published = self._published_versions(
            [(c, plan.lookups_of(c, lookups)) for plan in plans for c in plan.entries]
        )
        return Resolved(lookups=lookups, published=published, stored=stored)

    def judge_extraction(
        self,
        extraction: Extraction,
        resolved: Resolved,
        *,
        path: str | None = None,
        fail_on: Iterable[Status] | None = None,
    ) -> Report:
        """Judge every claim of one text against answers `resolve_extractions` gave for it
        (alone or in a batch). No I/O."""
        citations = extraction.citations
        plan = _plan(citations, self.config.max_lookups)
        if any(key not in resolved.lookups for key in plan.allowed):
            raise ValueError("judge_extraction: the Resolved was made for other texts")
        verdicts = {
            i: self._verdict(c, plan.lookups_of(c, resolved.lookups), resolved.published.get(c.key))
            for i, c in enumerate(citations)
            if c.kind is not Kind.INLINE
        }
        verdicts.update(_link_verdicts(citations, extraction.links))
        for row in extraction.links:
            if row.problem == UNCITED and row.reference in verdicts:
                verdicts[row.reference].flags.append(UNCITED)
        findings = [
            Finding(citation=citations[i], verdict=verdict)
            for i, verdict in sorted(verdicts.items())
        ]
        report = Report(path=path, items=findings)
        if fail_on is not None:
            report.fail_on = list(fail_on)
        return report

    def _verdict(
        self,
        citation: Citation,
        lookups: list[Lookup] | None,
        published: list[Lookup] | None = None,
    ) -> Verdict:
        if lookups is None:
            return Verdict(
                status=Status.UNVERIFIABLE,
                confidence=0.0,
                reason=LOOKUP_LIMIT_REASON.format(self.config.max_lookups),
            )
        return judge(citation, lookups, published=published)

    def _published_versions(
        self, entries: list[tuple[Citation, list[Lookup] | None]]
    ) -> dict[str, list[Lookup]]:
        """Searches, by entry key, for the published version of each entry whose identifier
        is a preprint's while the entry names a venue (`judge.needs_published_version`)."""
        chain = [r for r in self._chains[Kind.REFERENCE] if finds_published(r)]
        if not chain:
            return {}
        wanted: dict[str, Citation] = {}
        for entry, lookups in entries:
            if entry.key not in wanted and needs_published_version(entry, lookups or []):
                wanted[entry.key] = _unidentified(entry)
        answers = self._pool.map(lambda search: self._ask(chain, search), wanted.values())
        return dict(zip(wanted, answers, strict=True))

    def _resolve_all(self, citations: list[Citation]) -> dict[str, list[Lookup]]:
        """Lookups by citation key, asked for concurrently in the pool. (The answers an
        earlier run kept, `_stored`, are read before: that takes less time than handing a
        citation to a worker thread.)"""
        futures = {c.key: self._pool.submit(self._resolve, c) for c in citations}
        return {key: future.result() for key, future in futures.items()}

    def _stored(self, citations: list[Citation]) -> dict[str, list[Lookup]]:
        """The results cache's answers for those citations it has, by citation key."""
        if self._results is None:
            return {}
        found: dict[str, list[Lookup]] = {}
        for citation in citations:
            stored = self._results.get(self._sources[citation.kind], citation)
            if stored is not None:
                found[citation.key] = stored
        return found

    def _resolve(self, citation: Citation) -> list[Lookup]:
        """Ask each source that covers the kind, in order, until one settles it; keep the
        answer in the results cache (which keeps only answers, never failures)."""
        lookups = self._ask(self._chains[citation.kind], citation)
        if self._results is not None:
            self._results.put(self._sources[citation.kind], citation, lookups)
        return lookups

    @staticmethod
    def _ask(chain: list[Resolver], citation: Citation) -> list[Lookup]:
        """Ask each source of the chain in turn until one settles the citation."""
        lookups: list[Lookup] = []
        for resolver in chain:
            lookup = guarded(resolver, citation)
            lookups.append(lookup)
            if settles(citation, lookup):
                break
        return lookups

    def as_runnable(self, **options: Any) -> Any:
        """A LangChain Runnable checking what flows through it with this Checker: `chain |
        checker.as_runnable(on_fail=…)` (needs the `langchain` extra)."""
        from .integrations.langchain import as_runnable

        return as_runnable(self, **options)

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        if self._results is not None:
            self._results.close()
        self.http.close()

    def __enter__(self) -> Checker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def settles(citation: Citation, lookup: Lookup) -> bool:
    """Whether a lookup makes asking further sources pointless: a record was found, or an
    identifier's registry says it holds no such id. A search miss never settles a reference:
    another source may hold the work (see `judge.search_exhausted`)."""
    if lookup.outcome is Outcome.FOUND:
        return True
    return lookup.outcome is Outcome.MISSING and lookup.authoritative and not searched(citation)


@dataclass
class _Plan:
    """What one text needs looked up: the probe of each claim (by citation key), and the
    distinct probes allowed within the text's `max_lookups` (by probe key, in text order)."""

    probes: dict[str, Citation]
    allowed: dict[str, Citation]
    entries: list[Citation]

    def lookups_of(
        self, citation: Citation, lookups: dict[str, list[Lookup]]
    ) -> list[Lookup] | None:
        """The answers for a claim, or None when its probe was beyond the text's limit."""
        key = self.probes[citation.key].key
        return lookups[key] if key in self.allowed else None


def _plan(citations: list[Citation], max_lookups: int) -> _Plan:
    probes: dict[str, Citation] = {}
    for citation in citations:
        if citation.kind is not Kind.INLINE:
            probes.setdefault(citation.key, _probe(citation))
    first: dict[str, Citation] = {}
    for probe in probes.values():
        first.setdefault(probe.key, probe)
    allowed = dict(list(first.items())[:max_lookups])
    entries = [c for c in citations if c.kind is Kind.REFERENCE]
    return _Plan(probes=probes, allowed=allowed, entries=entries)


def _probe(citation: Citation) -> Citation:
    """What to look up for a citation: an entry's own identifier when it has one."""
    if citation.kind is not Kind.REFERENCE:
        return citation
    identifier = citation.fields.identifier()
    if identifier is None:
        return citation
    kind, value = identifier
    return Citation(
        kind=kind,
        raw=value,
        start=citation.start,
        end=citation.end,
        fields=Fields(**{kind.value: value}),
    )


def _unidentified(citation: Citation) -> Citation:
    """The entry without its identifiers, so that the sources search for it."""
    fields = citation.fields.model_copy(
        update={name: None for name in ("doi", "arxiv", "pmid", "pmcid", "isbn")}
    )
    return citation.model_copy(update={"fields": fields})


def _link_verdicts(citations: list[Citation], links: list[Link]) -> dict[int, Verdict]:
    """Verdicts for the in-text citations that have a problem with their entry."""
    verdicts: dict[int, Verdict] = {}
    for row in links:
        if row.inline is not None and row.problem is not None:
            entry = None if row.reference is None else citations[row.reference]
            verdicts[row.inline] = judge_link(citations[row.inline], row, entry)
    return verdicts
