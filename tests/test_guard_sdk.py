"""The guard on the real SDK types (openai, anthropic, langchain-core), and `wrap(client)`
against a local server speaking the OpenAI and Anthropic wire formats. No network."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from test_guard import DOI_FAKE, DOI_GOOD, PROSE, fake_fails, pieces

from factcheck import FactCheckFailed, guard, last_report, wrap

openai = pytest.importorskip("openai")
anthropic = pytest.importorskip("anthropic")
messages_module = pytest.importorskip("langchain_core.messages")

from anthropic.types import Message, RawContentBlockDeltaEvent, RawMessageStopEvent  # noqa: E402
from openai.types.chat import ChatCompletion, ChatCompletionChunk  # noqa: E402
from openai.types.responses import Response, ResponseTextDeltaEvent  # noqa: E402

FILTERED_PROSE = f"Folding is solved, see doi:{DOI_GOOD} for details."
DEAD = "https://example.org/dead"


def chat_completion(*contents: str | None, annotations: list[str] = ()) -> ChatCompletion:  # type: ignore[assignment]
    return ChatCompletion.model_validate(
        {
            "id": "c1",
            "object": "chat.completion",
            "created": 1,
            "model": "gpt",
            "choices": [
                {
                    "index": i,
                    "finish_reason": "stop",
                    "message": {
                        "role": "assistant",
                        "content": content,
                        "annotations": [
                            {
                                "type": "url_citation",
                                "url_citation": {
                                    "url": url,
                                    "title": "t",
                                    "start_index": 0,
                                    "end_index": 4,
                                },
                            }
                            for url in annotations
                        ],
                    },
                }
                for i, content in enumerate(contents)
            ],
        }
    )


def chat_chunks(text: str) -> list[ChatCompletionChunk]:
    base = {"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "gpt"}
    chunks = [
        ChatCompletionChunk.model_validate(
            {**base, "choices": [{"index": 0, "delta": {"content": piece}}]}
        )
        for piece in pieces(text)
    ]
    usage = {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3}
    chunks.append(ChatCompletionChunk.model_validate({**base, "choices": [], "usage": usage}))
    return chunks


def responses_response(text: str, urls: list[str] = ()) -> Response:  # type: ignore[assignment]
    part = {
        "type": "output_text",
        "text": text,
        "annotations": [
            {"type": "url_citation", "url": u, "title": "t", "start_index": 0, "end_index": 3}
            for u in urls
        ],
    }
    return Response.model_validate(
        {
            "id": "r1",
            "object": "response",
            "created_at": 1,
            "model": "gpt",
            "output": [
                {
                    "type": "message",
                    "id": "m1",
                    "role": "assistant",
                    "status": "completed",
                    "content": [part],
                }
            ],
            "parallel_tool_calls": False,
            "tool_choice": "auto",
            "tools": [],
        }
    )


def anthropic_message(*blocks: str, cited: str | None = None) -> Message:
    citations = [
        {
            "type": "web_search_result_location",
            "url": cited,
            "cited_text": "x",
            "encrypted_index": "e",
        }
    ]
    return Message.model_validate(
        {
            "id": "m1",
            "type": "message",
            "role": "assistant",
            "model": "claude",
            "stop_reason": "end_turn",
            "usage": {"input_tokens": 1, "output_tokens": 2},
            "content": [
                {"type": "text", "text": block, "citations": citations if cited else None}
                for block in blocks
            ],
        }
    )


def anthropic_events(text: str) -> list[Any]:
    events: list[Any] = [
        RawContentBlockDeltaEvent.model_validate(
            {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": p}}
        )
        for p in pieces(text)
    ]
    events.append(RawMessageStopEvent.model_validate({"type": "message_stop"}))
    return events


# --- whole answers ---------------------------------------------------------------------------


def test_openai_chat_completion_filter_returns_a_chat_completion() -> None:
    original = chat_completion(PROSE, None)

    @guard(checker=fake_fails(), on_fail="filter")
    def ask() -> ChatCompletion:
        return original

    result = ask()
    assert isinstance(result, ChatCompletion)
    assert result.choices[0].message.content == FILTERED_PROSE
    assert result.choices[1].message.content is None
    assert original.choices[0].message.content == PROSE


def test_openai_url_citations_are_checked() -> None:
    @guard(checker=fake_fails())
    def ask() -> ChatCompletion:
        return chat_completion("The page says so.", annotations=[DEAD])

    ask()
    report = last_report()
    assert report is not None
    assert [(f.citation.raw, f.verdict.status.value) for f in report.items] == [(DEAD, "not_found")]


def test_responses_api_and_its_annotations() -> None:
    @guard(checker=fake_fails(), on_fail="filter")
    def ask() -> Response:
        return responses_response(PROSE, urls=[DEAD])

    result = ask()
    assert isinstance(result, Response) and result.output_text == FILTERED_PROSE
    report = last_report()
    assert report is not None and DEAD in {f.citation.raw for f in report.failures()}


def test_anthropic_message_blocks_and_citations() -> None:
    first, second = PROSE[:30], PROSE[30:]

    @guard(checker=fake_fails(), on_fail="filter")
    def ask() -> Message:
        return anthropic_message(first, second, cited=DEAD)

    result = ask()
    assert isinstance(result, Message)
    assert "".join(block.text for block in result.content) == FILTERED_PROSE  # type: ignore[union-attr]
    report = last_report()
    assert report is not None and DEAD in {f.citation.raw for f in report.failures()}


def test_langchain_messages() -> None:
    AIMessage = messages_module.AIMessage

    @guard(checker=fake_fails(), on_fail="filter")
    def ask() -> Any:
        return AIMessage(content=PROSE)

    @guard(checker=fake_fails(), on_fail="filter")
    def blocks() -> Any:
        return AIMessage(content=[{"type": "text", "text": PROSE}])

    result = ask()
    assert isinstance(result, AIMessage) and result.text == FILTERED_PROSE
    assert blocks().text == FILTERED_PROSE


# --- streams ---------------------------------------------------------------------------------


def test_openai_chunks_pass_unchanged_and_the_usage_chunk_is_fine() -> None:
    chunks = chat_chunks(PROSE)

    @guard(checker=fake_fails(), on_fail="exception")
    def stream() -> Iterator[ChatCompletionChunk]:
        yield from chunks

    received: list[ChatCompletionChunk] = []
    with pytest.raises(FactCheckFailed):
        for chunk in stream():
            received.append(chunk)
    assert len(received) == len(chunks)
    assert all(a is b for a, b in zip(received, chunks, strict=True))


def test_openai_and_anthropic_streams_buffered_filter() -> None:
    @guard(checker=fake_fails(), on_fail="filter")
    def openai_stream() -> Iterator[ChatCompletionChunk]:
        yield from chat_chunks(PROSE)

    @guard(checker=fake_fails(), on_fail="filter")
    def anthropic_stream() -> Iterator[Any]:
        yield from anthropic_events(PROSE)

    out = list(openai_stream())
    assert all(isinstance(c, ChatCompletionChunk) for c in out)
    assert "".join(c.choices[0].delta.content or "" for c in out if c.choices) == FILTERED_PROSE
    events = list(anthropic_stream())
    text = "".join(e.delta.text for e in events if e.type == "content_block_delta")
    assert text == FILTERED_PROSE and events[-1].type == "message_stop"


def test_responses_and_langchain_streams() -> None:
    def delta(piece: str) -> ResponseTextDeltaEvent:
        return ResponseTextDeltaEvent.model_validate(
            {
                "type": "response.output_text.delta",
                "delta": piece,
                "content_index": 0,
                "item_id": "m1",
                "output_index": 0,
                "sequence_number": 1,
                "logprobs": [],
            }
        )

    @guard(checker=fake_fails())
    def responses_stream() -> Iterator[Any]:
        yield from (delta(p) for p in pieces(PROSE))

    @guard(checker=fake_fails())
    def langchain_stream() -> Iterator[Any]:
        yield from (messages_module.AIMessageChunk(content=p) for p in pieces(PROSE))

    for stream in (responses_stream, langchain_stream):
        list(stream())
        report = last_report()
        assert report is not None
        assert [f.citation.raw for f in report.failures()] == [f"doi:{DOI_FAKE}"]


# --- wrap(client) ----------------------------------------------------------------------------


class ModelServer:
    """A model API on 127.0.0.1: answers every POST with `body` and keeps the request
    bodies (tests/servers.py answers GET and HEAD only)."""

    def __init__(self) -> None:
        self.body = b""
        self.content_type = "application/json"
        self.requests: list[dict[str, Any]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                server.requests.append(json.loads(self.rfile.read(length) or b"{}"))
                self.send_response(200)
                self.send_header("Content-Type", server.content_type)
                self.send_header("Content-Length", str(len(server.body)))
                self.end_headers()
                self.wfile.write(server.body)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def answer(self, body: bytes, content_type: str = "application/json") -> None:
        self.body, self.content_type = body, content_type


@pytest.fixture
def model_server() -> Iterator[ModelServer]:
    server = ModelServer()
    thread = threading.Thread(target=server._httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server._httpd.shutdown()
        server._httpd.server_close()


def completion_body(text: str) -> bytes:
    return chat_completion(text).model_dump_json().encode()


def sse(chunks: list[Any]) -> bytes:
    lines = [f"data: {c.model_dump_json(exclude_unset=True)}\n\n" for c in chunks]
    return ("".join(lines) + "data: [DONE]\n\n").encode()


@pytest.mark.integration
def test_wrap_openai_client_sync_stream_and_async(model_server: ModelServer) -> None:
    model_server.answer(completion_body(PROSE))
    client = wrap(
        openai.OpenAI(api_key="k", base_url=f"{model_server.url}/v1", max_retries=0),
        checker=fake_fails(),
        on_fail="filter",
    )
    assert wrap(client, checker=fake_fails()) is client  # wrapping twice guards once
    ask = {"model": "gpt", "messages": [{"role": "user", "content": "?"}]}
    result = client.chat.completions.create(**ask)
    assert isinstance(result, ChatCompletion)
    assert result.choices[0].message.content == FILTERED_PROSE

    model_server.answer(sse(chat_chunks(PROSE)), "text/event-stream")
    streamed = client.chat.completions.create(**ask, stream=True)
    with streamed:
        text = "".join(c.choices[0].delta.content or "" for c in streamed if c.choices)
    assert text == FILTERED_PROSE

    model_server.answer(completion_body(PROSE))
    aclient = wrap(
        openai.AsyncOpenAI(api_key="k", base_url=f"{model_server.url}/v1", max_retries=0),
        checker=fake_fails(),
        on_fail="exception",
    )

    async def main() -> None:
        with pytest.raises(FactCheckFailed):
            await aclient.chat.completions.create(**ask)

    asyncio.run(main())


@pytest.mark.integration
def test_wrap_anthropic_client(model_server: ModelServer) -> None:
    model_server.answer(anthropic_message(PROSE).model_dump_json().encode())
    client = wrap(
        anthropic.Anthropic(api_key="k", base_url=model_server.url, max_retries=0),
        checker=fake_fails(),
        on_fail="fix",
    )
    result = client.messages.create(
        model="claude", max_tokens=10, messages=[{"role": "user", "content": "?"}]
    )
    # The fabricated DOI goes with its joiner ("see A and B" -> "see B"), as with `filter`.
    text = result.content[0].text  # type: ignore[union-attr]
    assert isinstance(result, Message) and text == FILTERED_PROSE
    assert last_report() is not None and not last_report().ok  # type: ignore[union-attr]


def test_wrap_refuses_what_it_does_not_know() -> None:
    with pytest.raises(TypeError):
        wrap(object())


@pytest.mark.integration
def test_wrap_reasks_with_the_problems_in_the_next_request(model_server: ModelServer) -> None:
    model_server.answer(completion_body(PROSE))
    client = wrap(
        openai.OpenAI(api_key="k", base_url=f"{model_server.url}/v1", max_retries=0),
        checker=fake_fails(),
        on_fail="reask",
    )
    client.chat.completions.create(model="gpt", messages=[{"role": "user", "content": "?"}])
    assert [len(r["messages"]) for r in model_server.requests] == [1, 3]
    assert DOI_FAKE in model_server.requests[1]["messages"][2]["content"]
