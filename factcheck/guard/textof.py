"""Find the answer text in whatever an LLM call returns, by duck typing, and write it back.

The guard must work with every SDK without importing any of them, so it reads shapes, not
types: a `str`; OpenAI (and LiteLLM) `choices[i].message.content` or `.delta.content`; the
Responses API's `output[i].content[j].text` and its `response.output_text.delta` events;
Anthropic `content[i].text` blocks and `text_delta` events; LangChain messages' `.content`;
and dicts of the same shapes. Attributes and dict keys are read alike.

The text is found as *segments*: each is a path into the value (attribute names, dict keys,
list indices) and the string found there. The text that gets checked is their concatenation;
a policy that rewrites text maps its edits back onto the segments and writes each one back
into a copy of the value (`replace_segments`), so the caller gets the same type back.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

Step = str | int
Path = tuple[Step, ...]

# Event types whose text is a delta, and those that carry no answer text at all (a stream
# ends with a Responses `response.completed` event holding the whole answer again, which
# must not be counted twice).
RESPONSES_TEXT_DELTA = "response.output_text.delta"
RESPONSES_ANNOTATION_ADDED = "response.output_text.annotation.added"
ANTHROPIC_BLOCK_DELTA = "content_block_delta"
ANTHROPIC_BLOCK_START = "content_block_start"
ANTHROPIC_TEXT_DELTA = "text_delta"
ANTHROPIC_CITATIONS_DELTA = "citations_delta"
_EVENT_PREFIXES = ("response.", "message_", "content_block_", "ping", "error")
URL_CITATION = "url_citation"
# Keys that hold the answer in dicts of no known SDK shape, in order of preference.
_TEXT_KEYS = ("output_text", "text", "answer", "output", "result", "generated_text", "completion")
_URL_SCHEMES = ("http://", "https://")
# Between the alternatives of a multi-choice response, so that one's references do not run
# into the next one's.
CHOICE_SEPARATOR = "\n\n"


@dataclass(frozen=True)
class Segment:
    """One piece of the answer text and where it lives in the value."""

    path: Path
    text: str


def get(obj: Any, name: str) -> Any:
    """`obj[name]` for mappings, `obj.name` otherwise; None when absent or failing.

    SDK objects may compute attributes (LangChain's `.text`), and a property that raises
    must read as absent, not break the call the guard wraps.
    """
    if isinstance(obj, Mapping):
        return obj.get(name)
    try:
        return getattr(obj, name, None)
    except Exception:
        return None


def _items(obj: Any) -> list[Any] | None:
    """The elements of a list-like value, or None when it is not one."""
    if isinstance(obj, list | tuple):
        return list(obj)
    return None


def segments(value: Any) -> list[Segment]:
    """The answer text of a whole response (not a stream chunk), in reading order."""
    return list(_value_segments(value, ()))


def chunk_segments(chunk: Any) -> list[Segment]:
    """The text a stream chunk or event adds to the answer; empty for events without text."""
    if isinstance(chunk, str):
        return [Segment((), chunk)]
    kind = get(chunk, "type")
    if isinstance(kind, str):
        if kind == RESPONSES_TEXT_DELTA:
            return _string_at(chunk, ("delta",))
        if kind == ANTHROPIC_BLOCK_DELTA:
            delta = get(chunk, "delta")
            if get(delta, "type") == ANTHROPIC_TEXT_DELTA:
                return _string_at(delta, ("delta", "text"))
            return []
        if kind == ANTHROPIC_BLOCK_START:
            block = get(chunk, "content_block")
            if get(block, "type") == "text":
                return _string_at(block, ("content_block", "text"))
            return []
        if kind.startswith(_EVENT_PREFIXES):
            return []
    return list(_value_segments(chunk, ()))


def _string_at(obj: Any, path: Path) -> list[Segment]:
    text = get(obj, str(path[-1]))
    return [Segment(path, text)] if isinstance(text, str) else []


def _value_segments(value: Any, at: Path) -> Iterator[Segment]:
    """The segments of one value. A `.message` holder is followed down in a loop, not by
    recursion: a value nested thousands deep must not exhaust the stack."""
    while True:
        if isinstance(value, str):
            yield Segment(at, value)
            return
        if value is None:
            return
        choices = _items(get(value, "choices"))
        if choices is not None:
            for i, choice in enumerate(choices):
                yield from _choice_segments(choice, (*at, "choices", i))
            return
        output = _items(get(value, "output"))
        if output is not None:
            for i, item in enumerate(output):
                if get(item, "type") == "message":
                    yield from _parts(get(item, "content"), (*at, "output", i, "content"))
            return
        content = get(value, "content")
        if isinstance(content, str | list | tuple):
            yield from _parts(content, (*at, "content"))
            return
        message = get(value, "message")
        if message is None or isinstance(message, str):
            break
        value, at = message, (*at, "message")
    if isinstance(value, Mapping):
        for key in _TEXT_KEYS:
            if isinstance(value.get(key), str):
                yield Segment((*at, key), value[key])
                return
    elif isinstance(text := get(value, "text"), str):
        yield Segment((*at, "text"), text)


def _choice_segments(choice: Any, at: Path) -> Iterator[Segment]:
    """An OpenAI-shaped choice: `.message.content`, a chunk's `.delta.content`, or `.text`."""
    for holder in ("message", "delta"):
        inner = get(choice, holder)
        if inner is not None:
            yield from _parts(get(inner, "content"), (*at, holder, "content"))
            return
    text = get(choice, "text")
    if isinstance(text, str):
        yield Segment((*at, "text"), text)


def _parts(content: Any, at: Path) -> Iterator[Segment]:
    """`content` as a string (possibly None), or a list of parts or blocks with text."""
    if isinstance(content, str):
        yield Segment(at, content)
        return
    for i, part in enumerate(_items(content) or ()):
        if isinstance(part, str):
            yield Segment((*at, i), part)
        elif get(part, "type") in ("text", "output_text") and isinstance(get(part, "text"), str):
            yield Segment((*at, i, "text"), get(part, "text"))


def join(parts: Sequence[Segment]) -> tuple[str, list[int]]:
    """The text to check, and where each segment starts in it.

    Segments of one message are one text (Anthropic splits an answer into many blocks);
    the alternatives of a multi-choice response are kept apart by a blank line.
    """
    pieces: list[str] = []
    starts: list[int] = []
    offset = 0
    previous: Path | None = None
    for part in parts:
        if previous is not None and _choice_of(previous) != _choice_of(part.path):
            pieces.append(CHOICE_SEPARATOR)
            offset += len(CHOICE_SEPARATOR)
        starts.append(offset)
        pieces.append(part.text)
        offset += len(part.text)
        previous = part.path
    return "".join(pieces), starts


def _choice_of(path: Path) -> Step | None:
    return path[1] if len(path) > 1 and path[0] == "choices" else None


def urls_reported(
    value: Any, parts: Sequence[Segment], starts: Sequence[int]
) -> list[tuple[str, int]]:
    """URLs the SDK says it cited, each with the offset into the joined text it supports.

    OpenAI `url_citation` annotations (chat and Responses) carry their span in the part;
    Anthropic `citations` on a text block support the whole block.
    """
    found: list[tuple[str, int]] = []
    for part, offset in zip(parts, starts, strict=True):
        holder = _holder(value, part.path)
        for note in _items(get(holder, "annotations")) or ():
            url = _annotation_url(note)
            if url is not None:
                start = get(note, "start_index") or get(get(note, URL_CITATION), "start_index")
                found.append((url, offset + (start if isinstance(start, int) else 0)))
        for citation in _items(get(holder, "citations")) or ():
            url = _citation_url(citation)
            if url is not None:
                found.append((url, offset))
    return found


def chunk_urls(chunk: Any) -> list[str]:
    """URLs a stream event cites: Responses annotation events, Anthropic citation deltas,
    and annotations on an OpenAI-shaped chunk's delta."""
    kind = get(chunk, "type")
    if kind == RESPONSES_ANNOTATION_ADDED:
        url = _annotation_url(get(chunk, "annotation"))
        return [url] if url else []
    if kind == ANTHROPIC_BLOCK_DELTA:
        delta = get(chunk, "delta")
        if get(delta, "type") == ANTHROPIC_CITATIONS_DELTA:
            url = _citation_url(get(delta, "citation"))
            return [url] if url else []
        return []
    urls: list[str] = []
    for choice in _items(get(chunk, "choices")) or ():
        for note in _items(get(get(choice, "delta"), "annotations")) or ():
            url = _annotation_url(note)
            if url:
                urls.append(url)
    return urls


def _holder(value: Any, path: Path) -> Any:
    """The object that holds a segment's string: a message, a content part, a block."""
    if not path or isinstance(path[-1], int):
        return None
    # A message's content string sits next to its annotations: the message holds both.
    return _walk(value, path[:-1])


def _annotation_url(note: Any) -> str | None:
    if get(note, "type") != URL_CITATION:
        return None
    url = get(note, "url") or get(get(note, URL_CITATION), "url")
    return url if isinstance(url, str) and url.startswith(_URL_SCHEMES) else None


def _citation_url(citation: Any) -> str | None:
    for name in ("url", "source"):
        url = get(citation, name)
        if isinstance(url, str) and url.startswith(_URL_SCHEMES):
            return url
    return None


def _walk(value: Any, path: Path) -> Any:
    for step in path:
        if value is None:
            return None
        if isinstance(step, int):
            items = _items(value)
            value = items[step] if items is not None and step < len(items) else None
        else:
            value = get(value, step)
    return value


def replace_segments(value: Any, texts: Mapping[Path, str]) -> Any:
    """A copy of `value` with the string at each path replaced; `value` itself is untouched.

    A root path (a plain `str` value or chunk) returns the new string itself.
    """
    if () in texts:
        return texts[()]
    result = copy.deepcopy(value)
    for path, text in texts.items():
        _set(_walk(result, path[:-1]), path[-1], text)
    return result


def _set(obj: Any, step: Step, text: str) -> None:
    if isinstance(obj, dict):
        obj[step] = text
        return
    if isinstance(obj, list) and isinstance(step, int):
        obj[step] = text
        return
    try:
        setattr(obj, str(step), text)
    except (AttributeError, TypeError, ValueError):
        # A frozen model refuses assignment; its copy is ours, so write past the guard.
        object.__setattr__(obj, str(step), text)
