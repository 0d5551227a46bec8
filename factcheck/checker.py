"""Checker: the one orchestrator. extract -> dedupe -> resolve -> judge -> Report.

A Checker owns one HTTP client (pooled session, cache, per-source limits) and the
resolvers built on it, so it is meant to be created once and reused; it is thread-safe.

Each `check` is bounded (see `Config`): a text over `max_text_chars` is refused; reading
stops after the first `max_references` claims, and the rest of the text is reported as one
unverifiable item (flag `unread`), so that neither time nor memory grows with the claims
past the limit; distinct lookups past `max_lookups` are reported unverifiable; and with a
`deadline` the call returns when it passes, extraction included, reporting what is still
unanswered as unverifiable (flag `deadline`) and what was not yet read as one item (flags
`deadline` and `unread`). Lookups it stops waiting for are left to finish in the pool, so
their answers still reach the caches for the next check.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed, wait
from concurrent.futures import TimeoutError as FuturesTimeout
from dataclasses import dataclass, field
from functools import partial
from typing import Any, NamedTuple

from .chain import announce, retire, run_announced
from .chain import ask as chain_ask
from .chain import settles as settles  # where it was first defined; tests read it here
from .config import Config
from .errors import FactcheckError, TextTooLarge
from .extract import Bounds, extract_all
from .extract.ignore import IgnoreList
from .flags import DEADLINE, UNCITED, UNREAD
from .ids import IDENTIFIER_FIELDS
from .judge.memo import VerdictMemo
from .judge.verdicts import (
    failed_inside,
    judge,
    judge_link,
    needs_meant_work,
    needs_published_version,
    unchecked,
)
from .model import (
    Citation,
    Extraction,
    Fields,
    Finding,
    Kind,
    Link,
    Report,
    Status,
    Unread,
    Verdict,
    parse_statuses,
)
from .net.deadline import stopping_at
from .net.http import Http
from .resolve.base import (
    Lookup,
    Resolver,
    finds_published,
    internal_error,
)
from .resolve.plugins import load
from .resolve.results import open_results
from .resolve.settings import limit_of
from .resolve.web import ByteBudget, beyond_url_limit, spending

logger = logging.getLogger(__name__)

LOOKUP_LIMIT_REASON = "not looked up: this text exceeds the limit of {} lookups per text"
REFERENCE_LIMIT_REASON = "not checked: this text exceeds the limit of {} references per text"
DEADLINE_REASON = "not answered in time: the check's deadline of {:g} s passed first"
# The source a lookup names when it failed in the Checker itself, outside every resolver.
CHECKER_SOURCE = "factcheck"
UNREAD_REASONS = {
    "limit": (
        "not checked: this text exceeds the limit of {limit} references per text "
        "(max_references); from here on it was not read"
    ),
    "deadline": (
        "not checked: the check's deadline of {deadline:g} s passed while the text was read; "
        "from here on it was not read"
    ),
}


@dataclass
class Resolved:
    """What the sources answered for one or more texts (`Checker.resolve_extractions`).

    `lookups` by probe key (`Citation.key` of what was looked up), `published` (searches for
    a preprint's published version) and `meant` (searches for the work an entry describes
    when its identifier belongs to another) by entry key; `stored` counts the probes that
    the results cache answered, so that batch jobs can show their cache hits. `late` holds
    the probe and entry keys whose answers had not come when the deadline passed. `plans`
    keeps how each text was planned, by the identity of its Extraction, so that
    `judge_extraction` does not plan it again.
    """

    lookups: dict[str, list[Lookup]] = field(default_factory=dict)
    published: dict[str, list[Lookup]] = field(default_factory=dict)
    meant: dict[str, list[Lookup]] = field(default_factory=dict)
    stored: int = 0
    late: set[str] = field(default_factory=set)
    plans: dict[int, _Planned] = field(default_factory=dict, repr=False)


class Checker:
    """Checks texts against the configured sources. Use as a context manager, or close()."""

    def __init__(
        self,
        config: Config | None = None,
        *,
        resolvers: Sequence[Resolver | type[Resolver]] | None = None,
        **overrides: Any,
    ) -> None:
        """`resolvers`, when given, are the sources asked, in order, in place of
        `config.sources`: objects built by the caller, or classes that the Checker builds on
        its own HTTP client (with their declared limits), as it builds installed sources."""
        if config is None:
            config = Config.load(**overrides)
        elif overrides:
            config = config.model_copy(update=overrides)
        chosen = list(load(config.sources)) if resolvers is None else list(resolvers)
        # The names asked are part of the results cache's key: they must be these sources'.
        config = config.model_copy(update={"sources": tuple(r.name for r in chosen)})
        self.config = config
        # Claims the user asked not to check (`config.ignore_file`): never looked up or shown.
        self.ignored = IgnoreList.read(config.ignore_file)
        classes = [r for r in chosen if isinstance(r, type)]
        self.http = Http(config, limits={cls.name: limit_of(cls, config) for cls in classes})
        self.resolvers: list[Resolver] = [
            r(self.http, config) if isinstance(r, type) else r for r in chosen
        ]
        # The sources that cover each kind, in the order they are asked, and their names.
        self._chains = {kind: [r for r in self.resolvers if kind in r.kinds] for kind in Kind}
        self._sources = {kind: [r.name for r in chain] for kind, chain in self._chains.items()}
        self._results = open_results(config)
        # The searches that can find an entry's published version (`_published_versions`).
        self._searches = [r for r in self._chains[Kind.REFERENCE] if finds_published(r)]
        self._pool = ThreadPoolExecutor(max_workers=config.workers, thread_name_prefix="factcheck")
        # Lookups a deadline stopped waiting for, still running (see `close`).
        self._stragglers: set[Future[list[Lookup]]] = set()
        self._stragglers_lock = threading.Lock()
        # Verdicts already given, for claims repeated on the same answers (`memo`).
        self._memo = VerdictMemo()

    def check(
        self, text: str, *, path: str | None = None, fail_on: Iterable[Status] | None = None
    ) -> Report:
        """Extract every claim in `text`, verify each, and return the Report.

        Raises TextTooLarge for a text over `max_text_chars`. The deadline, if any, counts
        from here, extraction included."""
        started = time.monotonic()
        self._refuse_oversized(text, path)
        extraction = self.extract(text, started=started)
        return self._verify(extraction, started, path=path, fail_on=fail_on)

    def iter_check(self, text: str, *, path: str | None = None) -> Iterator[Finding]:
        """`check`, yielding each finding as soon as it is decided: a claim whose answer is
        cached comes at once, one that waits for a slow source comes when it is answered.

        The findings are those `check` reports (in the order decided, not the text's);
        problems of in-text citations come last, since they need every entry decided.
        Raises TextTooLarge as `check` does, before yielding anything."""
        started = time.monotonic()
        self._refuse_oversized(text, path)
        extraction = self.ignored.apply(self.extract(text, started=started))
        return self._iter_verify(extraction, started)

    def _refuse_oversized(self, text: str, path: str | None) -> None:
        if len(text) > self.config.max_text_chars:
            raise TextTooLarge.of(path or "the text", len(text), self.config.max_text_chars)

    def _iter_verify(self, extraction: Extraction, started: float) -> Iterator[Finding]:
        """The findings of one extraction as their lookups come back (see `iter_check`)."""
        citations = extraction.citations
        plan = self._plan(extraction)
        uncited = {row.reference for row in extraction.links if row.problem == UNCITED}
        resolved = Resolved(lookups=self._stored(list(plan.allowed.values())))
        waiting: dict[str, list[int]] = defaultdict(list)
        for i, citation in enumerate(citations):
            if citation.kind is not Kind.INLINE:
                waiting[plan.probe_keys[citation.key]].append(i)
        pending = _Pending(self._pool, self._due(started), self._leave_running)
        asked = {k: probe for k, probe in plan.allowed.items() if k not in resolved.lookups}
        for probe in asked.values():
            announce(self._chain_of(probe), probe)
        for key, probe in asked.items():
            pending.submit(key, self._chain_of(probe), probe, partial(self._resolve, probe))

        def decided(i: int) -> Finding:
            verdict = self._verdict(plan, i, citations[i], resolved)
            if i in uncited:
                verdict.flags.append(UNCITED)
            return Finding(citation=citations[i], verdict=verdict)

        def ready(key: str) -> Iterator[Finding]:
            """The claims waiting on probe `key` (now answered), or their published-version
            searches when they need one."""
            for i in waiting.pop(key, []):
                lookups = plan.lookups_of(citations[i].key, resolved.lookups)
                if needs_published_version(citations[i], lookups or []) and self._searches:
                    entry = _unidentified(citations[i])
                    announce(self._searches, entry)
                    work = partial(self._ask, self._searches, entry)
                    pending.submit(_PUBLISHED + citations[i].key, self._searches, entry, work)
                    waiting[_PUBLISHED + citations[i].key].append(i)
                else:
                    yield decided(i)

        for key in [k for k in waiting if k not in pending]:
            yield from ready(key)
        for key, lookups in pending.answers():
            if key.startswith(_PUBLISHED):
                resolved.published[key.removeprefix(_PUBLISHED)] = lookups
            else:
                resolved.lookups[key] = lookups
            yield from ready(key)
        for key in pending.late:
            resolved.late.add(key.removeprefix(_PUBLISHED))
        for key in list(waiting):
            for i in waiting.pop(key):
                yield decided(i)
        for i, verdict in _link_verdicts(citations, extraction.links).items():
            yield Finding(citation=citations[i], verdict=verdict)
        if extraction.unread is not None:
            yield self._unread_finding(extraction.unread)

    def extract(self, text: str, *, started: float | None = None) -> Extraction:
        """The claims of `text` as far as one check reads: its first `max_references`
        claims, until the deadline counted from `started` (a `time.monotonic()` reading;
        without it, no deadline). The rest of the text is `Extraction.unread`, which the
        report shows as one unverifiable item."""
        bounds = Bounds(due=self._due(started), claims=self.config.max_references)
        return extract_all(text, bounds)

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
        started: float | None = None,
    ) -> Report:
        """Resolve each distinct identifier once, concurrently, then judge every claim.

        In-text citations are not looked up: they are judged by their link to an entry,
        and only those with a problem are reported. The deadline counts from `started` (a
        `time.monotonic()` reading, such as the one given to `extract`), else from now.
        """
        started = time.monotonic() if started is None else started
        return self._verify(extraction, started, path=path, fail_on=fail_on)

    def _verify(
        self,
        extraction: Extraction,
        started: float,
        *,
        path: str | None,
        fail_on: Iterable[Status] | None,
    ) -> Report:
        # One text: its claims are read and planned once, for resolving and for judging.
        extraction = self.ignored.apply(extraction)
        plan = self._plan(extraction)
        resolved = self._resolve_plans([plan], started)
        return self._judged(extraction, plan, resolved, path=path, fail_on=fail_on)

    def resolve_extractions(
        self, extractions: Iterable[Extraction], *, started: float | None = None
    ) -> Resolved:
        """The sources' answers for many texts at once: each distinct probe among them is
        resolved once (every text within its own `max_references` and `max_lookups`),
        concurrently, then the searches for published versions that those answers call for.

        Batch jobs (`factcheck.pipeline`) call this on a chunk of texts and then
        `judge_extraction` on each, so that a claim made in a thousand texts costs one lookup.
        `started`, a `time.monotonic()` reading, makes `config.deadline` count from then
        (a check passes its own start); without it there is no deadline, as for batches.
        """
        planned = [self._planned(extraction) for extraction in extractions]
        resolved = self._resolve_plans([p.plan for p in planned], started)
        resolved.plans = {id(p.given): p for p in planned}
        return resolved

    def _resolve_plans(self, plans: list[_Plan], started: float | None) -> Resolved:
        """`resolve_extractions` for the texts so planned."""
        due = self._due(started)
        wanted: dict[str, Citation] = {}
        # Each text's URL checks read from its own byte budget (the first text to want one).
        budgets: dict[str, ByteBudget] = {}
        for plan in plans:
            budget = ByteBudget(self.config.max_bytes_per_text)
            for key, probe in plan.allowed.items():
                wanted.setdefault(key, probe)
                budgets.setdefault(key, budget)
        lookups = self._stored(list(wanted.values()))
        stored = len(lookups)
        asked = {k: p for k, p in wanted.items() if k not in lookups}
        answered, late = self._gather(spending(budgets, self._resolve), asked, due, self._chain_of)
        lookups.update(answered)
        entries = [
            _Entry(key, entry, plan.lookups_of(key, lookups))
            for plan in plans
            for key, entry in plan.entries
        ]
        published, late_published = self._published_versions(entries, due)
        # A search for the work meant that misses the deadline leaves the entry's mismatch
        # as it is (flagged wrong_identifier), so its key is not among the late ones.
        meant, _ = self._meant_works(entries, due)
        return Resolved(
            lookups=lookups,
            published=published,
            meant=meant,
            stored=stored,
            late=late | late_published,
        )

    def judge_extraction(
        self,
        extraction: Extraction,
        resolved: Resolved,
        *,
        path: str | None = None,
        fail_on: Iterable[Status] | None = None,
    ) -> Report:
        """Judge every claim of one text against answers `resolve_extractions` gave for it
        (alone or in a batch). No I/O. The text is planned as `resolve_extractions` planned
        this very Extraction (which must not change in between), else anew."""
        planned = resolved.plans.get(id(extraction))
        if planned is None or planned.given is not extraction:
            planned = self._planned(extraction)
        return self._judged(planned.extraction, planned.plan, resolved, path=path, fail_on=fail_on)

    def _judged(
        self,
        extraction: Extraction,
        plan: _Plan,
        resolved: Resolved,
        *,
        path: str | None,
        fail_on: Iterable[Status] | None,
    ) -> Report:
        """`judge_extraction` for a text so planned (its ignored claims already left out)."""
        citations = extraction.citations
        if any(key not in resolved.lookups and key not in resolved.late for key in plan.allowed):
            raise ValueError("judge_extraction: the Resolved was made for other texts")
        verdicts = {
            i: _contained(partial(self._verdict, plan, i, c, resolved))
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
        if extraction.unread is not None:
            findings.append(self._unread_finding(extraction.unread))
        report = Report(path=path, items=findings)
        if fail_on is not None:
            report.fail_on = parse_statuses(fail_on)
        return report

    def _planned(self, extraction: Extraction) -> _Planned:
        """The text without its ignored claims, and its plan."""
        applied = self.ignored.apply(extraction)
        return _Planned(extraction, applied, self._plan(applied))

    def _plan(self, extraction: Extraction) -> _Plan:
        config = self.config
        return _plan(
            extraction.citations, config.max_lookups, config.max_references, config.max_urls
        )

    def _due(self, started: float | None) -> float | None:
        """When to stop waiting for the sources (`time.monotonic()`), or None for never."""
        deadline = self.config.deadline
        return None if started is None or deadline is None else started + deadline

    def _verdict(self, plan: _Plan, index: int, citation: Citation, resolved: Resolved) -> Verdict:
        """The claim's verdict, or why a limit of the check kept it from being decided."""
        if index in plan.beyond:
            return unchecked(REFERENCE_LIMIT_REASON.format(self.config.max_references))
        claim_key = plan.keys[index]
        key = plan.probe_keys[claim_key]
        if key in plan.refused:
            return judge(
                citation,
                plan.refused[key],
                strict=self.config.strict,
                thresholds=self.config.thresholds,
            )
        if key not in plan.allowed:
            return unchecked(LOOKUP_LIMIT_REASON.format(self.config.max_lookups))
        if key in resolved.late or claim_key in resolved.late:
            return unchecked(DEADLINE_REASON.format(self.config.deadline or 0), DEADLINE)
        lookups = resolved.lookups[key]
        published = resolved.published.get(claim_key)
        meant = resolved.meant.get(claim_key)
        decide = partial(
            judge,
            citation,
            lookups,
            published=published,
            meant=meant,
            strict=self.config.strict,
            thresholds=self.config.thresholds,
        )
        return self._memo.verdict(citation, lookups, published, meant, decide)

    def _unread_finding(self, unread: Unread) -> Finding:
        """The part of the text left unread, as one unverifiable item spanning it."""
        reason = UNREAD_REASONS[unread.cause].format(
            limit=self.config.max_references, deadline=self.config.deadline or 0
        )
        flags = [DEADLINE, UNREAD] if unread.cause == "deadline" else [UNREAD]
        citation = Citation(kind=Kind.REFERENCE, raw=unread.raw, start=unread.start, end=unread.end)
        return Finding(citation=citation, verdict=unchecked(reason, *flags))

    def _published_versions(
        self, entries: list[_Entry], due: float | None
    ) -> tuple[dict[str, list[Lookup]], set[str]]:
        """Searches, by entry key, for the published version of each entry whose identifier
        is a preprint's while the entry names a venue (`judge.needs_published_version`); and
        the entry keys whose searches missed the deadline."""
        chain = self._searches
        if not chain:
            return {}, set()
        wanted: dict[str, Citation] = {}
        for key, entry, lookups in entries:
            if key not in wanted and self._needs(needs_published_version, entry, lookups):
                wanted[key] = _unidentified(entry)
        return self._gather(partial(self._ask, chain), wanted, due, lambda _: chain)

    def _meant_works(
        self, entries: list[_Entry], due: float | None
    ) -> tuple[dict[str, list[Lookup]], set[str]]:
        """Searches, by entry key, for the work each entry describes when its identifier
        belongs to another (`judge.needs_meant_work`): its claimed fields, asked of every
        searching source as for an entry without identifier; and the entry keys whose
        searches missed the deadline."""
        chain = self._chains[Kind.REFERENCE]
        if not chain:
            return {}, set()
        wanted: dict[str, Citation] = {}
        thresholds = self.config.thresholds
        for key, entry, lookups in entries:
            if key not in wanted and self._needs(
                needs_meant_work, entry, lookups, thresholds=thresholds
            ):
                wanted[key] = _unidentified(entry)
        return self._gather(partial(self._ask, chain), wanted, due, lambda _: chain)

    def _needs(
        self,
        question: Callable[..., bool],
        entry: Citation,
        lookups: list[Lookup] | None,
        **options: Any,
    ) -> bool:
        """`question(entry, lookups, **options)`, remembered for repeated entries (`memo`;
        a Checker's options, such as its thresholds, never change)."""
        if lookups is None:
            return question(entry, [], **options)
        decide = partial(question, entry, lookups, **options)
        return self._memo.needs(question.__name__, entry, lookups, decide)

    def _gather(
        self,
        work: Callable[[Citation], list[Lookup]],
        citations: dict[str, Citation],
        due: float | None,
        chain_of: Callable[[Citation], Sequence[Resolver]],
    ) -> tuple[dict[str, list[Lookup]], set[str]]:
        """`work` on each citation, concurrently in the pool: the answers by key, and the
        keys still unanswered at `due`. Of those, work not yet started is cancelled; work
        under way is left to finish in the background (`_resolve` still stores its answer),
        so the call returns at `due` whatever the sources do. (The answers an earlier run
        kept, `_stored`, are read before: that takes less time than handing a citation to a
        worker thread.) Every citation is announced to the sources of its chain (`chain_of`)
        that gather claims into one request before the first is asked (`chain.announce`)."""
        if due is not None and due <= time.monotonic():
            return {}, set(citations)
        # Past `due`, the lookups left running start no new request (`net.deadline`), and
        # what they end with (an answer, or the deadline's own refusal) is late.
        bounded = stopping_at(due, partial(_isolated, work))
        finished_late: set[str] = set()

        def on_time(key: str, citation: Citation) -> list[Lookup]:
            lookups = run_announced(chain_of(citation), citation, partial(bounded, citation))
            if due is not None and time.monotonic() >= due:
                finished_late.add(key)
            return lookups

        for citation in citations.values():
            announce(chain_of(citation), citation)
        futures: dict[str, Future[list[Lookup]]] = {
            key: self._pool.submit(on_time, key, citation) for key, citation in citations.items()
        }
        wait(futures.values(), timeout=None if due is None else max(0.0, due - time.monotonic()))
        for key, future in futures.items():
            # Only those not started are cancelled: a running one cannot be.
            if future.cancel():
                retire(chain_of(citations[key]), citations[key])
            elif not future.done():
                self._leave_running(future)
        answered = {
            k: f.result()
            for k, f in futures.items()
            if f.done() and not f.cancelled() and k not in finished_late
        }
        return answered, set(futures) - set(answered)

    def _leave_running(self, future: Future[list[Lookup]]) -> None:
        with self._stragglers_lock:
            self._stragglers.add(future)
        future.add_done_callback(self._forget)

    def _forget(self, future: Future[list[Lookup]]) -> None:
        with self._stragglers_lock:
            self._stragglers.discard(future)

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

    def _chain_of(self, citation: Citation) -> list[Resolver]:
        """The sources asked, in turn, about a claim of this kind."""
        return self._chains[citation.kind]

    @staticmethod
    def _ask(chain: list[Resolver], citation: Citation) -> list[Lookup]:
        """Ask the chain's sources until one settles the citation (`chain.ask`: a search asks
        them side by side once the first has missed)."""
        return chain_ask(chain, citation)

    def close(self) -> None:
        """Release the pool, the caches and the HTTP client. Lookups that a deadline left
        running are not waited for (`factcheck.check(text, deadline=…)` closes its Checker
        at once): the rest is released in the background when they finish."""
        with self._stragglers_lock:
            running = bool(self._stragglers)
        if not running:
            self._release()
            return
        self._pool.shutdown(wait=False)
        threading.Thread(target=self._release, name="factcheck-close", daemon=True).start()

    def _release(self) -> None:
        self._pool.shutdown(wait=True)
        if self._results is not None:
            self._results.close()
        self.http.close()

    def __enter__(self) -> Checker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# Keys of published-version searches among the probes of `_iter_verify`.
_PUBLISHED = "published:"


class _Pending:
    """Lookups under way in the pool for `Checker._iter_verify`, answered in the order they
    finish, until `due`; what is still running then is left to finish in the background
    (its answer still reaches the caches) and its key goes to `late`. The caller announces
    each claim to its chain before submitting (`chain.announce`): the work retires it when
    it has run, and so does a cancellation before it started."""

    def __init__(
        self,
        pool: ThreadPoolExecutor,
        due: float | None,
        leave: Callable[[Future[list[Lookup]]], None],
    ) -> None:
        self._pool = pool
        self._due = due
        self._leave = leave
        # Each future's key, and how to retire its claim if it is cancelled before it runs.
        self._futures: dict[Future[list[Lookup]], tuple[str, Callable[[], None]]] = {}
        self._keys: set[str] = set()
        self.late: set[str] = set()

    def __contains__(self, key: str) -> bool:
        return key in self._keys

    def submit(
        self,
        key: str,
        chain: Sequence[Resolver],
        citation: Citation,
        work: Callable[[], list[Lookup]],
    ) -> None:
        """Run `work` on the announced `citation` in the pool."""
        self._keys.add(key)
        future = self._pool.submit(run_announced, chain, citation, work)
        self._futures[future] = (key, partial(retire, chain, citation))

    def answers(self) -> Iterator[tuple[str, list[Lookup]]]:
        """(key, lookups) as each finishes; work submitted meanwhile is waited for too."""
        while self._futures:
            timeout = None if self._due is None else max(0.0, self._due - time.monotonic())
            try:
                future = next(as_completed(list(self._futures), timeout=timeout))
            except FuturesTimeout:
                for future, (key, retire_claim) in self._futures.items():
                    if future.cancel():
                        retire_claim()
                    elif not future.done():
                        self._leave(future)
                    self.late.add(key)
                self._futures.clear()
                return
            key, _ = self._futures.pop(future)
            yield key, future.result()


@dataclass
class _Plan:
    """What one text needs looked up: the probe of each claim (by citation key), the
    distinct probes allowed within the text's `max_lookups` (by probe key, in text order),
    and the indices of the claims past its `max_references`, which are not checked at all.
    The keys are worked out once here: `keys`, each checked claim's by its index, and
    `probe_keys`, its probe's by the claim's key; `entries` are the checked bibliography
    entries with their keys."""

    probes: dict[str, Citation]
    allowed: dict[str, Citation]
    entries: list[tuple[str, Citation]]
    beyond: frozenset[int]
    keys: dict[int, str]
    probe_keys: dict[str, str]
    # Probes answered without asking: URLs past the text's `max_urls` (resolve/web.py).
    refused: dict[str, list[Lookup]] = field(default_factory=dict)

    def lookups_of(self, claim_key: str, lookups: dict[str, list[Lookup]]) -> list[Lookup] | None:
        """The answers for the claim of this key, or None when its probe was beyond the
        text's limit or went unanswered (the deadline)."""
        return lookups.get(self.probe_keys[claim_key])


@dataclass
class _Planned:
    """A text as given, without its ignored claims, and its plan."""

    given: Extraction
    extraction: Extraction
    plan: _Plan


class _Entry(NamedTuple):
    """A checked bibliography entry, its key, and the answers for its probe."""

    key: str
    citation: Citation
    lookups: list[Lookup] | None


def _plan(citations: list[Citation], max_lookups: int, max_references: int, max_urls: int) -> _Plan:
    claims = [i for i, citation in enumerate(citations) if citation.kind is not Kind.INLINE]
    keys: dict[int, str] = {}
    probes: dict[str, Citation] = {}
    probe_keys: dict[str, str] = {}
    first: dict[str, Citation] = {}
    for i in claims[:max_references]:
        key = keys[i] = citations[i].key
        if key not in probes:
            probe = probes[key] = _probe(citations[i])
            probe_key = probe_keys[key] = key if probe is citations[i] else probe.key
            first.setdefault(probe_key, probe)
    refused = beyond_url_limit(first.values(), max_urls)
    allowed = dict([item for item in first.items() if item[0] not in refused][:max_lookups])
    entries = [
        (key, citations[i]) for i, key in keys.items() if citations[i].kind is Kind.REFERENCE
    ]
    return _Plan(
        probes=probes,
        allowed=allowed,
        entries=entries,
        beyond=frozenset(claims[max_references:]),
        keys=keys,
        probe_keys=probe_keys,
        refused=refused,
    )


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
    fields = citation.fields.model_copy(update=dict.fromkeys(IDENTIFIER_FIELDS))
    return citation.model_copy(update={"fields": fields})


def _link_verdicts(citations: list[Citation], links: list[Link]) -> dict[int, Verdict]:
    """Verdicts for the in-text citations that have a problem with their entry."""
    verdicts: dict[int, Verdict] = {}
    for row in links:
        if row.inline is not None and row.problem is not None:
            entry = None if row.reference is None else citations[row.reference]
            verdicts[row.inline] = _contained(
                partial(judge_link, citations[row.inline], row, entry)
            )
    return verdicts


def _isolated(work: Callable[[Citation], list[Lookup]], citation: Citation) -> list[Lookup]:
    """`work` on one citation; whatever it raises becomes that citation's FAILED answer
    (`internal_error`), so that one claim cannot fail the others of its text. (`guarded`
    already contains each source's exceptions; this covers the rest of the way: the
    results cache, the byte budget, the chain itself.)"""
    try:
        return work(citation)
    except FactcheckError:
        raise  # about the configuration or the input, not this claim (see `guarded`)
    except Exception as exc:
        logger.debug("checking %r failed", citation.raw, exc_info=True)
        return [internal_error(CHECKER_SOURCE, exc)]


def _contained(decide: Callable[[], Verdict]) -> Verdict:
    """One claim's verdict; an exception while judging it makes this claim alone
    `unverifiable` (flag `internal_error`), with the exception named in its reason."""
    try:
        return decide()
    except FactcheckError:
        raise
    except Exception as exc:
        logger.debug("judging a claim failed", exc_info=True)
        return failed_inside(exc)
