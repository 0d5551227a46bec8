"""The guard on streams: generators, async generators, and the stream objects SDKs return.

Two modes:
- `stream_first`: every chunk is passed on untouched the moment it arrives; its text is
  kept aside. Each time a line completes, the lines since the last one are checked in a
  background thread, which fills the Checker's results cache, so the check of the whole
  answer at the end of the stream mostly reads answers already fetched. The report is
  published when the stream ends (and `exception` raises then, after the last chunk).
- `buffer`: the whole stream is read and checked before anything is released, so a policy
  can rewrite it; the chunks then go out with only their text changed.

The background checks are skipped when the Checker keeps no results cache (`cache="none"`,
replays): they would only make the final check fetch everything twice.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import inspect
import logging
import threading
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from ..errors import FactCheckFailed
from ..model import Extraction
from . import policies
from .answers import Answer, Checked, Reasks, failed_report
from .textof import Segment, chunk_segments, chunk_urls, join, replace_segments

if TYPE_CHECKING:
    from .decorator import Guard

log = logging.getLogger("factcheck.guard")

# Threads for the background checks of all streams: they wait on the network, and the
# Checker has its own pool for the lookups themselves.
PREFETCH_WORKERS = 2
_executor: concurrent.futures.ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()

Arguments = tuple[tuple[Any, ...], dict[str, Any]]


def is_stream(value: Any) -> bool:
    """An iterator of chunks (a generator, an SDK `Stream`), not a text or a model."""
    return not isinstance(value, str | bytes | Mapping) and hasattr(type(value), "__next__")


def is_async_stream(value: Any) -> bool:
    """An async iterator of chunks (an async generator, an SDK `AsyncStream`)."""
    return hasattr(type(value), "__anext__")


def _prefetch_pool() -> concurrent.futures.ThreadPoolExecutor:
    global _executor
    with _executor_lock:
        if _executor is None:
            _executor = concurrent.futures.ThreadPoolExecutor(
                max_workers=PREFETCH_WORKERS, thread_name_prefix="factcheck-guard"
            )
        return _executor


class Watch:
    """What a stream has said so far, and the background checks of its completed lines."""

    def __init__(self, guard: Guard) -> None:
        self.guard = guard
        self.parts: list[tuple[tuple[str | int, ...], Segment]] = []
        self.urls: list[tuple[str, int]] = []
        self.length = 0
        self.chunks = 0
        # The text since the last completed line, not yet checked in the background.
        self.unscanned: list[str] = []
        self.pending: list[concurrent.futures.Future[None]] = []
        self.prefetch: bool | None = None
        self.error: Exception | None = None

    def feed(self, chunk: Any) -> None:
        """Take note of one chunk. Never raises: a chunk it cannot read is logged."""
        index = self.chunks
        self.chunks += 1
        if self.error is not None:
            return
        try:
            completed_line = False
            for part in chunk_segments(chunk):
                self.parts.append(((index, *part.path), part))
                self.unscanned.append(part.text)
                self.length += len(part.text)
                completed_line = completed_line or "\n" in part.text
            self.urls.extend((url, self.length) for url in chunk_urls(chunk))
            if completed_line:
                self._check_completed_lines()
        except Exception as error:
            log.exception("factcheck could not read a stream chunk; the stream goes on")
            self.error = error

    def _check_completed_lines(self) -> None:
        if self.prefetch is None:
            self.prefetch = _keeps_answers(self.guard)
        if not self.prefetch:
            self.unscanned.clear()
            return
        # Only the text since the last completed line is joined: joining the whole answer
        # at every line would be quadratic in a long stream.
        text = "".join(self.unscanned)
        end = text.rfind("\n") + 1
        region, self.unscanned = text[:end], [text[end:]]
        if region.strip():
            self.pending.append(_prefetch_pool().submit(self._warm, region))

    def _warm(self, region: str) -> None:
        try:
            self.guard.checker.check(region)
        except Exception:
            log.debug("a background check failed; the final check will try again", exc_info=True)

    def answer(self) -> Answer:
        """The answer so far, as the guard checks it."""
        return stream_answer(self.parts, self.urls)

    def finish(self) -> Checked:
        """Wait for the background checks, then check the whole answer."""
        concurrent.futures.wait(self.pending)
        if self.error is not None:
            report = failed_report("", Extraction(), self.error, self.guard.fail_on)
            return Checked(Answer([], [], ""), report, Extraction())
        return self.guard.check(self.answer())


def _keeps_answers(guard: Guard) -> bool:
    """Whether the Checker keeps a results cache, which a background check can fill."""
    from ..net.cache import sqlite_path

    config = guard.checker.config
    return sqlite_path(config) is not None and not config.replay


def stream_answer(
    parts: list[tuple[tuple[str | int, ...], Segment]], urls: list[tuple[str, int]]
) -> Answer:
    """The answer that stream parts make together: its text, where each part starts, and the URLs
    the SDK reported."""
    text, starts = join([part for _, part in parts])
    return Answer(parts, starts, text, urls)


def chunks_answer(chunks: list[Any]) -> Answer:
    """The answer that a list of stream chunks makes together (see `stream_answer`)."""
    watch_parts: list[tuple[tuple[str | int, ...], Segment]] = []
    urls: list[tuple[str, int]] = []
    length = 0
    for index, chunk in enumerate(chunks):
        for part in chunk_segments(chunk):
            watch_parts.append(((index, *part.path), part))
            length += len(part.text)
        urls.extend((url, length) for url in chunk_urls(chunk))
    return stream_answer(watch_parts, urls)


def check_chunks(guard: Guard, chunks: list[Any]) -> Checked:
    """Check a buffered stream. Never raises, like `Guard.check_value`."""
    try:
        answer = chunks_answer(chunks)
    except Exception as error:
        log.exception("factcheck could not read a buffered stream")
        report = failed_report("", Extraction(), error, guard.fail_on)
        return Checked(Answer([], [], ""), report, Extraction())
    return guard.check(answer)


def settle_released(guard: Guard, checked: Checked) -> None:
    """The end of a `stream_first` stream: publish, and raise if that is the policy."""
    guard.publish(checked.report)
    if guard.on_fail == "exception" and policies.failing(checked.report, guard.fail_on):
        raise FactCheckFailed(checked.report)


def settle_chunks(guard: Guard, checked: Checked, chunks: list[Any]) -> list[Any]:
    """The chunks of a buffered stream as they are to be released, after the policy."""
    guard.publish(checked.report)
    policy = guard.fallback if guard.on_fail == "reask" else guard.on_fail
    if not policies.failing(checked.report, guard.fail_on):
        return chunks
    if policy == "exception":
        raise FactCheckFailed(checked.report)
    text = checked.answer.text
    if callable(policy):
        # A stream has no one value to hand over: the callable gets and returns the text.
        new = policy(text, checked.report)
        edits = [policies.Edit(0, len(text), new)] if isinstance(new, str) and new != text else []
    else:
        edits = guard.edits(checked, policy)
    if not edits:
        return chunks
    try:
        changed = policies.apply_to_segments(checked.answer.parts, checked.answer.starts, edits)
        by_chunk: dict[int, dict[tuple[str | int, ...], str]] = {}
        for key, new_text in changed.items():
            by_chunk.setdefault(int(key[0]), {})[key[1:]] = new_text
        return [
            replace_segments(chunk, by_chunk[i]) if i in by_chunk else chunk
            for i, chunk in enumerate(chunks)
        ]
    except Exception:
        log.exception("factcheck could not rewrite the stream; it is released unchanged")
        return chunks


# --- sync ------------------------------------------------------------------------------------


def _close(source: Any) -> None:
    close = getattr(source, "close", None)
    if callable(close):
        close()


def released(guard: Guard, source: Iterator[Any]) -> Iterator[Any]:
    """`stream_first`: each chunk goes out as it comes; the check runs alongside."""
    watch = Watch(guard)
    try:
        for chunk in source:
            yield chunk
            watch.feed(chunk)
    finally:
        _close(source)
    settle_released(guard, watch.finish())


def buffered(
    guard: Guard,
    first: Iterable[Any],
    reopen: Callable[[tuple[Any, ...], dict[str, Any]], Iterable[Any]],
    signature: inspect.Signature | None,
    arguments: Arguments,
) -> Iterator[Any]:
    """`buffer`: read and check the whole stream (asking again on `reask`), then release."""
    chunks = list(first)
    asks = Reasks(guard.should_reask, signature, *arguments, check_chunks(guard, chunks))
    for args, kwargs in asks:
        chunks = list(reopen(args, kwargs))
        asks.checked = check_chunks(guard, chunks)
    yield from settle_chunks(guard, asks.checked, chunks)


def generator_wrapper(
    guard: Guard, func: Callable[..., Iterator[Any]], signature: inspect.Signature | None
) -> Callable[..., Iterator[Any]]:
    """A generator function guarded, and still a generator function (`yield from` passes
    `send`, `throw` and `close` through)."""

    def generator(*args: Any, **kwargs: Any) -> Iterator[Any]:
        source = func(*args, **kwargs)
        if guard.stream == "stream_first":
            return (yield from released(guard, source))
        reopen = lambda a, k: func(*a, **k)  # noqa: E731
        return (yield from buffered(guard, source, reopen, signature, (args, kwargs)))

    return generator


class GuardedStream:
    """An SDK stream, guarded: iterates the guarded chunks, and is otherwise the stream
    (`response`, `close()`, `with`): attributes it lacks are the stream's own."""

    def __init__(self, source: Any, chunks: Iterator[Any]) -> None:
        self._source = source
        self._chunks = chunks

    def __iter__(self) -> GuardedStream:
        return self

    def __next__(self) -> Any:
        return next(self._chunks)

    def __enter__(self) -> GuardedStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the guarded stream and the SDK stream under it."""
        close = getattr(self._chunks, "close", None)
        if callable(close):
            close()
        _close(self._source)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._source, name)


def guard_stream(
    guard: Guard,
    value: Any,
    func: Callable[..., Any],
    signature: inspect.Signature | None,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> GuardedStream:
    """A stream object returned by a plain function (`create(stream=True)`)."""
    if guard.stream == "stream_first":
        return GuardedStream(value, released(guard, value))
    chunks = buffered(guard, value, lambda a, k: func(*a, **k), signature, (args, kwargs))
    return GuardedStream(value, chunks)


# --- async -----------------------------------------------------------------------------------


async def _aclose(source: Any) -> None:
    for name in ("aclose", "close"):
        close = getattr(source, name, None)
        if callable(close):
            result = close()
            if inspect.isawaitable(result):
                await result
            return


async def areleased(guard: Guard, source: AsyncIterator[Any]) -> AsyncIterator[Any]:
    """`released` for async streams: each chunk goes out as it comes; the check runs alongside."""
    watch = Watch(guard)
    try:
        async for chunk in source:
            yield chunk
            watch.feed(chunk)
    finally:
        await _aclose(source)
    settle_released(guard, await asyncio.to_thread(watch.finish))


async def abuffered(
    guard: Guard,
    first: AsyncIterator[Any],
    reopen: Callable[[tuple[Any, ...], dict[str, Any]], Any],
    signature: inspect.Signature | None,
    arguments: Arguments,
) -> AsyncIterator[Any]:
    """`buffered` for async streams: read and check the whole stream (asking again on `reask`), then
    release."""
    chunks = [chunk async for chunk in first]
    checked = await asyncio.to_thread(check_chunks, guard, chunks)
    asks = Reasks(guard.should_reask, signature, *arguments, checked)
    for args, kwargs in asks:
        source = reopen(args, kwargs)
        if inspect.isawaitable(source):
            source = await source
        chunks = [chunk async for chunk in source]
        asks.checked = await asyncio.to_thread(check_chunks, guard, chunks)
    for chunk in settle_chunks(guard, asks.checked, chunks):
        yield chunk


def async_generator_wrapper(
    guard: Guard, func: Callable[..., AsyncIterator[Any]], signature: inspect.Signature | None
) -> Callable[..., AsyncIterator[Any]]:
    """An async generator function guarded, and still an async generator function."""

    async def generator(*args: Any, **kwargs: Any) -> AsyncIterator[Any]:
        source = func(*args, **kwargs)
        if guard.stream == "stream_first":
            chunks = areleased(guard, source)
        else:
            chunks = abuffered(guard, source, lambda a, k: func(*a, **k), signature, (args, kwargs))
        try:
            async for chunk in chunks:
                yield chunk
        finally:
            await _aclose(chunks)

    return generator


class AsyncGuardedStream:
    """`GuardedStream` for async SDK streams (`async for`, `async with`, `await close()`)."""

    def __init__(self, source: Any, chunks: AsyncIterator[Any]) -> None:
        self._source = source
        self._chunks = chunks

    def __aiter__(self) -> AsyncGuardedStream:
        return self

    async def __anext__(self) -> Any:
        return await self._chunks.__anext__()

    async def __aenter__(self) -> AsyncGuardedStream:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the guarded stream and the SDK stream under it."""
        await _aclose(self._chunks)
        await _aclose(self._source)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._source, name)


def guard_async_stream(
    guard: Guard,
    value: Any,
    func: Callable[..., Any],
    signature: inspect.Signature | None,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> AsyncGuardedStream:
    """An async stream object returned by a coroutine (`await create(stream=True)`)."""
    if guard.stream == "stream_first":
        return AsyncGuardedStream(value, areleased(guard, value))
    chunks = abuffered(guard, value, func, signature, (args, kwargs))
    return AsyncGuardedStream(value, chunks)
