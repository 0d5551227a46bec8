"""`@guard` and `wrap(client)`: check what an LLM call returns before it reaches the user.

Wrap the function that calls your model and every reference, DOI and link in its answer is
checked; `on_fail` says what happens to an answer that fails. The wrapper keeps three
promises:
- the caller gets back what the function returned, of the same type, unless a policy had
  to rewrite it (then a copy, of the same type, with the text changed);
- an exception raised by the function reaches the caller untouched, and a failure inside
  factcheck never does: the answer comes back, the report says `unverifiable`, and the
  error is logged;
- the cost is small: an answer with no references costs its extraction (about 0.2 ms for
  2 KB); streams pass every chunk on as it comes (`stream_first`), and checks run in the
  background while the rest arrives.

The answer text is found by duck typing (`textof`), so no SDK is imported here. Streams
are handled in `streams`, the text edits of `filter` and `fix` live in `policies`.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import inspect
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any, Literal, TypeVar, overload

from ..errors import FactCheckFailed
from ..model import Extraction, Report, Status, parse_statuses
from . import policies
from .answers import (
    REASK_ARGUMENTS,
    Answer,
    Checked,
    Reasks,
    add_reported_urls,
    answer_of,
    failed_report,
)
from .textof import replace_segments

if TYPE_CHECKING:
    from ..checker import Checker

__all__ = ["Guard", "Policy", "guard", "last_report", "wrap"]

log = logging.getLogger("factcheck.guard")

F = TypeVar("F", bound=Callable[..., Any])
PolicyName = Literal["noop", "exception", "filter", "fix", "reask"]
Policy = PolicyName | Callable[[Any, Report], Any]
StreamMode = Literal["stream_first", "buffer"]
# What `on_fail="fix"` does with a likely fabricated reference (see `fixes`).
FixFabricated = Literal["remove", "mark"]
FIX_FABRICATED = frozenset({"remove", "mark"})

# What `fail_on` takes: a status, comma-separated names, or a list (`model.parse_statuses`).
FailOn = Status | str | Iterable[Status | str]
# As names, so that `inspect.signature(guard)` shows them plainly.
DEFAULT_FAIL_ON: tuple[str, ...] = (Status.NOT_FOUND.value, Status.MISMATCH.value)
DEFAULT_MAX_REASKS = 1
# Policies that only report or raise: they never need the text before it is released.
RELEASING_POLICIES = frozenset({"noop", "exception"})
POLICY_NAMES = ("noop", "exception", "filter", "fix", "reask")
STREAM_MODES = ("stream_first", "buffer")
# Set on functions `wrap` has already guarded, so that wrapping twice checks once.
GUARDED_MARK = "__factcheck_guarded__"

_last: contextvars.ContextVar[Report | None] = contextvars.ContextVar(
    "factcheck_last_report", default=None
)


def last_report() -> Report | None:
    """The Report of the last guarded call made in this thread or task, or None.

    A context variable: each thread and each asyncio task sees its own calls only.
    """
    return _last.get()


class Guard:
    """One configuration of the guard: what to check with, and what to do on failure.

    `guard(...)` builds one and applies it to a function; `wrap` applies one to a client's
    `create` methods. Thread-safe: it keeps no per-call state.
    """

    def __init__(
        self,
        *,
        checker: Checker | None = None,
        on_fail: Policy = "noop",
        fail_on: FailOn = DEFAULT_FAIL_ON,
        on_report: Callable[[Report], Any] | None = None,
        stream: StreamMode | None = None,
        max_reasks: int = DEFAULT_MAX_REASKS,
        fallback: Policy = "noop",
        fix_fabricated: FixFabricated = "remove",
    ) -> None:
        if fix_fabricated not in FIX_FABRICATED:
            raise ValueError(
                f"unknown fix_fabricated {fix_fabricated!r}: use one of "
                + _listed(sorted(FIX_FABRICATED))
            )
        for name, policy in (("on_fail", on_fail), ("fallback", fallback)):
            if not callable(policy) and policy not in POLICY_NAMES:
                raise ValueError(
                    f"unknown {name} policy {policy!r}: use one of {_listed(POLICY_NAMES)}, "
                    "or a callable (value, report) -> value"
                )
        if fallback == "reask":
            raise ValueError("fallback is what happens after the reasks: it cannot be 'reask'")
        rewrites = callable(on_fail) or on_fail not in RELEASING_POLICIES
        if stream is None:
            stream = "buffer" if rewrites else "stream_first"
        elif stream == "stream_first" and rewrites:
            raise ValueError(
                f"on_fail={on_fail!r} rewrites the answer, so streams must be buffered: "
                "use stream='buffer' (or leave stream unset)"
            )
        if stream not in STREAM_MODES:
            raise ValueError(f"unknown stream mode {stream!r}: use one of {_listed(STREAM_MODES)}")
        if max_reasks < 0:
            raise ValueError("max_reasks must be 0 or more")
        self._checker = checker
        self.on_fail = on_fail
        self.fail_on = tuple(parse_statuses(fail_on))
        self.on_report = on_report
        self.stream: StreamMode = stream
        self.max_reasks = max_reasks
        self.fallback = fallback
        self.fix_fabricated = fix_fabricated

    @property
    def checker(self) -> Checker:
        """The Checker given, or the shared default one (built on first use)."""
        if self._checker is None:
            from ..api import default_checker

            return default_checker()
        return self._checker

    # --- checking --------------------------------------------------------------------------

    def check(self, answer: Answer) -> Checked:
        """Check an answer. Never raises: a failure here becomes an `unverifiable` report."""
        extraction = Extraction()
        try:
            # The deadline counts from here: reading the answer is part of the check.
            started = time.monotonic()
            checker = self.checker
            if answer.text:
                extraction = checker.extract(answer.text, started=started)
            add_reported_urls(extraction, answer)
            if not extraction.citations and extraction.unread is None:
                report = Report(items=[])
                report.fail_on = list(self.fail_on)
                return Checked(answer, report, extraction)
            report = checker.verify_extraction(extraction, fail_on=self.fail_on, started=started)
        except Exception as error:
            log.exception("factcheck failed while checking a guarded call's answer")
            report = failed_report(answer.text, extraction, error, self.fail_on)
        return Checked(answer, report, extraction)

    def check_value(self, value: Any) -> Checked:
        """Check whatever the guarded call returned; an answer factcheck cannot read gives a report
        that says so, never an exception."""
        try:
            answer = answer_of(value)
        except Exception as error:
            log.exception("factcheck could not read a guarded call's answer")
            answer = Answer([], [], "")
            report = failed_report("", Extraction(), error, self.fail_on)
            return Checked(answer, report, Extraction())
        return self.check(answer)

    def publish(self, report: Report) -> None:
        """Make the report available: `last_report()`, then `on_report` (which must not
        break the call: its errors are logged)."""
        _last.set(report)
        if self.on_report is not None:
            try:
                self.on_report(report)
            except Exception:
                log.exception("on_report raised; the guarded call goes on")

    # --- policies --------------------------------------------------------------------------

    def settle(self, checked: Checked, value: Any) -> Any:
        """Publish the report and apply the policy to a whole value."""
        self.publish(checked.report)
        policy = self.fallback if self.on_fail == "reask" else self.on_fail
        if policies.failing(checked.report, self.fail_on) == []:
            return value
        if policy == "exception":
            raise FactCheckFailed(checked.report)
        if callable(policy):
            return policy(value, checked.report)
        edits = self.edits(checked, policy)
        if not edits:
            return value
        try:
            changed = policies.apply_to_segments(checked.answer.parts, checked.answer.starts, edits)
            return replace_segments(value, changed)
        except Exception:
            log.exception("factcheck could not rewrite the answer; it is returned unchanged")
            return value

    def edits(self, checked: Checked, policy: Policy) -> list[policies.Edit]:
        """The text edits of `filter` or `fix` (none for other policies, or on error)."""
        text, report = checked.answer.text, checked.report
        try:
            if policy == "filter":
                return policies.filter_edits(text, report, checked.extraction, self.fail_on)
            if policy == "fix":
                return policies.fix_edits(
                    text,
                    report,
                    checked.extraction,
                    self.fail_on,
                    fabricated=self.fix_fabricated,
                )
        except Exception:
            log.exception("factcheck could not work out the %s edits", policy)
        return []

    def should_reask(self, checked: Checked, attempt: int) -> bool:
        """Whether to call the model again: `on_fail` is `reask`, asks are left, and something still
        fails."""
        return (
            self.on_fail == "reask"
            and attempt < self.max_reasks
            and bool(policies.failing(checked.report, self.fail_on))
        )

    # --- applying --------------------------------------------------------------------------

    def __call__(self, func: F) -> F:
        """Guard `func`: a function, coroutine function, generator or async generator."""
        if isinstance(func, classmethod | staticmethod):
            return type(func)(self(func.__func__))
        from . import streams

        signature = _signature(func)
        if self.on_fail == "reask":
            _check_reaskable(func, signature)
        if inspect.isasyncgenfunction(func):
            wrapper: Callable[..., Any] = streams.async_generator_wrapper(self, func, signature)
        elif inspect.isgeneratorfunction(func):
            wrapper = streams.generator_wrapper(self, func, signature)
        elif inspect.iscoroutinefunction(func):
            wrapper = self._async_wrapper(func, signature)
        else:
            wrapper = self._sync_wrapper(func, signature)
        functools.update_wrapper(wrapper, func)
        setattr(wrapper, GUARDED_MARK, True)
        return wrapper  # type: ignore[return-value]

    def _sync_wrapper(
        self, func: Callable[..., Any], signature: inspect.Signature | None
    ) -> Callable[..., Any]:
        from . import streams

        def guarded(*args: Any, **kwargs: Any) -> Any:
            value = func(*args, **kwargs)
            if inspect.isawaitable(value):
                # A sync wrapper around an async call (SDK methods behind decorators).
                return self._finish_async(value, func, signature, args, kwargs)
            if streams.is_stream(value):
                return streams.guard_stream(self, value, func, signature, args, kwargs)
            asks = Reasks(self.should_reask, signature, args, kwargs, self.check_value(value))
            for args, kwargs in asks:
                value = func(*args, **kwargs)
                asks.checked = self.check_value(value)
            return self.settle(asks.checked, value)

        return guarded

    def _async_wrapper(
        self, func: Callable[..., Any], signature: inspect.Signature | None
    ) -> Callable[..., Any]:
        async def guarded(*args: Any, **kwargs: Any) -> Any:
            return await self._finish_async(func(*args, **kwargs), func, signature, args, kwargs)

        return guarded

    async def _finish_async(
        self,
        pending: Awaitable[Any],
        func: Callable[..., Any],
        signature: inspect.Signature | None,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> Any:
        from . import streams

        value = await pending
        if streams.is_async_stream(value):
            return streams.guard_async_stream(self, value, func, signature, args, kwargs)
        checked = await asyncio.to_thread(self.check_value, value)
        asks = Reasks(self.should_reask, signature, args, kwargs, checked)
        for args, kwargs in asks:
            value = await func(*args, **kwargs)
            asks.checked = await asyncio.to_thread(self.check_value, value)
        return self.settle(asks.checked, value)


@overload
def guard(func: F, /) -> F: ...


@overload
def guard(
    *,
    checker: Checker | None = None,
    on_fail: Policy = "noop",
    fail_on: FailOn = DEFAULT_FAIL_ON,
    on_report: Callable[[Report], Any] | None = None,
    stream: StreamMode | None = None,
    max_reasks: int = DEFAULT_MAX_REASKS,
    fallback: Policy = "noop",
    fix_fabricated: FixFabricated = "remove",
) -> Callable[[F], F]: ...


def guard(
    func: Any = None,
    /,
    *,
    checker: Checker | None = None,
    on_fail: Policy = "noop",
    fail_on: FailOn = DEFAULT_FAIL_ON,
    on_report: Callable[[Report], Any] | None = None,
    stream: StreamMode | None = None,
    max_reasks: int = DEFAULT_MAX_REASKS,
    fallback: Policy = "noop",
    fix_fabricated: FixFabricated = "remove",
) -> Any:
    """Check the references in what `func` returns: `@guard` or `@guard(on_fail=...)`.

    Works on functions, coroutine functions, generators and async generators (streams),
    and on anything that returns an SDK response: the answer text is found by duck typing.

    - `checker`: the Checker to use (default: the shared one configured from FACTCHECK_*).
    - `on_fail`: what happens to an answer with a failing reference:
      `"noop"` (report only), `"exception"` (raise `FactCheckFailed`), `"filter"` (remove
      failing references and their in-text citations), `"fix"` (correct each mismatch from
      the work it cites, field by field, authors and identifier included; take out a likely
      fabricated reference, see `fix_fabricated`), `"reask"` (call again with the problems
      appended to the `messages`, `prompt` or `input` argument, at most `max_reasks` times,
      then apply `fallback`), or a callable `(value, report) -> value`.
    - `fix_fabricated`: what `"fix"` does with a reference no source holds (or whose
      identifier belongs to another work while no source holds the work it describes):
      `"remove"` it with its in-text citations, keeping the sentences readable (default),
      or `"mark"` it, commented out with the reason. `"fix"` never merges a claim with
      another work: a wrong identifier whose right one was not found is left as it is.
    - `fail_on`: the statuses that count as failing: `"not_found"`, `"not_found,mismatch"`
      or a list; default not_found and mismatch.
    - `on_report`: called with every Report; `last_report()` returns it too.
    - `stream`: `"stream_first"` (chunks pass as they come; the default for noop and
      exception) or `"buffer"` (nothing is released until checked; needed by the
      policies that rewrite).
    - `max_reasks`, `fallback`: how often `"reask"` asks again, and the policy after that.

    Raises ValueError for an unknown policy, status or stream mode (the message lists
    the valid ones), and TypeError when `on_fail="reask"` decorates a function that takes
    no argument to re-ask with.
    """
    configured = Guard(
        checker=checker,
        on_fail=on_fail,
        fail_on=fail_on,
        on_report=on_report,
        stream=stream,
        max_reasks=max_reasks,
        fallback=fallback,
        fix_fabricated=fix_fabricated,
    )
    if func is None:
        return configured
    return configured(func)


def wrap(client: Any, **options: Any) -> Any:
    """Guard the `create` calls of an OpenAI or Anthropic client instance, in place.

    Patches `chat.completions.create`, `completions.create`, `responses.create` and
    `messages.create` where the client has them (sync or async, streamed or not), with a
    Guard built from `options` (see `guard`). Returns the same client.
    """
    configured = Guard(**options)
    patched = 0
    for path in (("chat", "completions"), ("completions",), ("responses",), ("messages",)):
        resource = client
        for name in path:
            resource = getattr(resource, name, None)
        create = getattr(resource, "create", None)
        if create is None or not callable(create):
            continue
        if not getattr(create, GUARDED_MARK, False):
            resource.create = configured(create)
        patched += 1
    if not patched:
        raise TypeError(f"{type(client).__name__} has no create method factcheck knows")
    return client


def _check_reaskable(func: Callable[..., Any], signature: inspect.Signature | None) -> None:
    """Refuse `on_fail="reask"` for a function that takes no conversation or prompt to
    append the problems to: every reask would silently fall back. A signature that cannot
    be read, or one with **kwargs, may still take them: allowed."""
    if signature is None:
        return
    parameters = signature.parameters.values()
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
        return
    if any(p.name in REASK_ARGUMENTS for p in parameters):
        return
    name = getattr(func, "__name__", repr(func))
    arguments = ", ".join(signature.parameters)
    raise TypeError(
        f"on_fail='reask' needs an argument to re-ask with, and {name}({arguments}) has none: "
        f"name one {_listed(REASK_ARGUMENTS, 'or')} (or take **kwargs), or choose another "
        f"policy ({_listed(POLICY_NAMES)})"
    )


def _listed(names: Iterable[str], last: str = "") -> str:
    """Names quoted and joined: 'a', 'b', 'c' (or 'a', 'b' or 'c')."""
    quoted = [repr(name) for name in names]
    if last and len(quoted) > 1:
        return f"{', '.join(quoted[:-1])} {last} {quoted[-1]}"
    return ", ".join(quoted)


def _signature(func: Callable[..., Any]) -> inspect.Signature | None:
    try:
        return inspect.signature(func)
    except (TypeError, ValueError):
        return None
