"""`@guard`: the policies, sync, async and streamed, on plain text and dicts.

The policy logic is tested with `StubChecker`, which answers by substring, so each test
says exactly which claim fails. tests/test_guard_e2e.py runs a real Checker against the
fake sources; tests/test_guard_sdk.py feeds the real SDK types.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import logging
import threading
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

import factcheck
from factcheck import FactcheckError, FactCheckFailed, guard, last_report
from factcheck.config import Config
from factcheck.guard.answers import Checked, Reasks, answer_of
from factcheck.guard.policies import failing
from factcheck.model import Extraction, FieldDiff, Finding, Kind, Report, Status, Verdict

DOI_GOOD = "10.1371/journal.pone.0033693"
DOI_FAKE = "10.1371/notarealdoi"
TEXT = f"""Graphs help folding (Zhang, 2021; Sadasivan et al., 2012). See [the page](https://example.org/dead).

References

1. Sadasivan, S., et al. (2012). Methylphenidate exposure induces dopamine neuron loss. *PLoS ONE*, 7(3). doi:{DOI_GOOD}
2. Zhang, W. (2021). Graph attention for protein folding. *PLoS ONE*, 16, e0250001. doi:{DOI_FAKE}
"""  # noqa: E501
FILTERED = f"""Graphs help folding (Sadasivan et al., 2012). See the page.

References

1. Sadasivan, S., et al. (2012). Methylphenidate exposure induces dopamine neuron loss. *PLoS ONE*, 7(3). doi:{DOI_GOOD}
"""  # noqa: E501
PROSE = f"Folding is solved, see doi:{DOI_FAKE} and doi:{DOI_GOOD} for details."

VERIFIED = Verdict(status=Status.VERIFIED, confidence=1.0, reason="the record matches")
NOT_FOUND = Verdict(status=Status.NOT_FOUND, confidence=0.9, reason="doi.org has no such DOI")
MISMATCH = Verdict(
    status=Status.MISMATCH,
    confidence=0.9,
    reason="another title",
    diffs=[
        FieldDiff(field="year", claimed=2012, found=2013, suggestion=2013),
        FieldDiff(field="title", claimed="dopamine neuron loss", found="dopamine neuron death"),
    ],
)


class StubChecker:
    """A Checker stand-in: a claim whose text contains a key gets that key's verdict, the
    rest are verified. Counts its calls; raises `fail` when given one."""

    def __init__(
        self, verdicts: dict[str, Verdict] | None = None, fail: Exception | None = None
    ) -> None:
        self.verdicts = verdicts or {}
        self.fail = fail
        self.config = Config.load(env={}, cache="none")
        self.calls = 0

    def extract(self, text: str, *, started: float | None = None) -> Extraction:
        from factcheck.extract import extract_all

        return extract_all(text)

    def verify_extraction(
        self,
        extraction: Extraction,
        *,
        path: str | None = None,
        fail_on: Any = None,
        started: float | None = None,
    ) -> Report:
        self.calls += 1
        if self.fail is not None:
            raise self.fail
        items = [
            Finding(
                citation=c,
                verdict=next((v for k, v in self.verdicts.items() if k in c.raw), VERIFIED),
            )
            for c in extraction.citations
            if c.kind is not Kind.INLINE
        ]
        report = Report(items=items)
        if fail_on is not None:
            report.fail_on = list(fail_on)
        return report

    def check(self, text: str) -> Report:
        from factcheck.extract import extract_all

        return self.verify_extraction(extract_all(text))


def fake_fails() -> StubChecker:
    return StubChecker({DOI_FAKE: NOT_FOUND, "example.org/dead": NOT_FOUND})


# --- the decorator's forms -------------------------------------------------------------------


def test_bare_and_configured_forms_keep_the_function() -> None:
    @guard
    def bare() -> str:
        """Doc."""
        return "No references here."

    @guard(checker=StubChecker())
    def configured(x: int) -> str:
        return f"answer {x}"

    assert bare() == "No references here."
    assert bare.__name__ == "bare" and bare.__doc__ == "Doc."
    assert configured(3) == "answer 3"
    report = last_report()
    assert report is not None and report.ok and report.items == []


def test_exported_names() -> None:
    assert factcheck.guard is guard
    assert issubclass(FactCheckFailed, FactcheckError)
    assert "FactCheckError" not in factcheck.__all__


@pytest.mark.parametrize("module", ["factcheck", "factcheck.errors"])
def test_the_old_spelling_still_works_with_a_warning(module: str) -> None:
    namespace = importlib.import_module(module)
    vars(namespace).pop("FactCheckError", None)  # as on first use
    with pytest.warns(DeprecationWarning, match="use FactCheckFailed"):
        old = namespace.FactCheckError
    assert old is FactCheckFailed


def test_bad_options_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown on_fail"):
        guard(on_fail="ignore")  # type: ignore[call-overload]
    with pytest.raises(ValueError, match="buffered"):
        guard(on_fail="filter", stream="stream_first")
    with pytest.raises(ValueError, match="fallback"):
        guard(on_fail="reask", fallback="reask")


# --- policies, sync --------------------------------------------------------------------------


def test_noop_reports_and_returns_the_same_object() -> None:
    seen: list[Report] = []
    answer = {"role": "assistant", "content": PROSE}

    @guard(checker=fake_fails(), on_report=seen.append)
    def ask() -> dict[str, str]:
        return answer

    assert ask() is answer
    assert seen and seen[0] is last_report()
    assert [f.citation.raw for f in seen[0].failures()] == [f"doi:{DOI_FAKE}"]


@pytest.mark.parametrize("depth", [1, 50, 5_000])
def test_an_answer_nested_deep_is_read_without_recursion(depth: int) -> None:
    """`.message` holders are followed down in a loop: depth costs no stack."""
    answer: dict[str, Any] = {"content": PROSE}
    for _ in range(depth):
        answer = {"message": answer}

    @guard(checker=fake_fails())
    def ask() -> dict[str, Any]:
        return answer

    assert ask() is answer
    report = last_report()
    assert report is not None
    assert [f.citation.raw for f in report.failures()] == [f"doi:{DOI_FAKE}"]


def test_exception_carries_the_report() -> None:
    @guard(checker=fake_fails(), on_fail="exception")
    def ask() -> str:
        return PROSE

    with pytest.raises(FactCheckFailed) as caught:
        ask()
    assert caught.value.report is last_report()
    assert not caught.value.report.ok
    assert DOI_FAKE in str(caught.value)


def test_exception_is_not_raised_when_all_is_well() -> None:
    @guard(checker=StubChecker(), on_fail="exception")
    def ask() -> str:
        return PROSE

    assert ask() == PROSE


def test_filter_removes_failing_entries_and_their_in_text_citations() -> None:
    @guard(checker=fake_fails(), on_fail="filter")
    def ask() -> str:
        return TEXT

    assert ask() == FILTERED
    assert last_report() is not None and not last_report().ok  # type: ignore[union-attr]


def test_filter_on_prose_and_in_a_dict_copy() -> None:
    answer = {"choices": [{"message": {"role": "assistant", "content": PROSE}}]}

    @guard(checker=fake_fails(), on_fail="filter")
    def ask() -> dict[str, Any]:
        return answer

    result = ask()
    assert result["choices"][0]["message"]["content"] == (
        f"Folding is solved, see doi:{DOI_GOOD} for details."
    )
    assert answer["choices"][0]["message"]["content"] == PROSE  # the original is untouched


def test_fix_puts_the_found_values_in_place() -> None:
    @guard(checker=StubChecker({DOI_GOOD: MISMATCH}), on_fail="fix")
    def ask() -> str:
        return TEXT

    fixed = ask()
    assert (
        "Sadasivan, S., et al. (2013). Methylphenidate exposure induces dopamine neuron death"
        in (fixed)
    )
    assert fixed.replace("2013", "2012").replace("death", "loss") == TEXT


def test_fix_removes_a_likely_fabricated_entry_and_leaves_a_dead_link() -> None:
    @guard(checker=fake_fails(), on_fail="fix")
    def ask() -> str:
        return TEXT

    # The entry no source holds goes with its in-text citation; a dead link without an
    # archived copy has no fix.
    assert ask() == FILTERED.replace("See the page.", "See [the page](https://example.org/dead).")


def test_fix_can_mark_a_likely_fabricated_entry_instead() -> None:
    @guard(checker=fake_fails(), on_fail="fix", fix_fabricated="mark")
    def ask() -> str:
        return TEXT

    fixed = ask()
    zhang = TEXT[TEXT.index("2. Zhang") :]
    assert fixed == TEXT.replace(
        zhang, f"<!-- factcheck: commented out: likely fabricated: {NOT_FOUND.reason}\n{zhang}-->\n"
    )
    with pytest.raises(ValueError, match="use one of 'mark', 'remove'"):
        guard(on_fail="fix", fix_fabricated="delete")  # type: ignore[call-overload]


def test_callable_policy() -> None:
    @guard(checker=fake_fails(), on_fail=lambda value, report: f"{len(report.failures())} bad")
    def ask() -> str:
        return PROSE

    assert ask() == "1 bad"


def test_reask_appends_the_problems_to_messages_then_falls_back() -> None:
    calls: list[list[dict[str, str]]] = []

    @guard(checker=fake_fails(), on_fail="reask", max_reasks=2, fallback="filter")
    def ask(messages: list[dict[str, str]], model: str = "m") -> str:
        calls.append(messages)
        return PROSE

    result = ask([{"role": "user", "content": "Cite a paper."}])
    assert len(calls) == 3
    assert [m["role"] for m in calls[1]] == ["user", "assistant", "user"]
    assert calls[1][1]["content"] == PROSE
    assert DOI_FAKE in calls[1][2]["content"] and "not_found" in calls[1][2]["content"]
    assert len(calls[2]) == 5
    assert result == f"Folding is solved, see doi:{DOI_GOOD} for details."


def test_reask_stops_when_the_answer_passes() -> None:
    answers = iter([PROSE, "No references this time."])
    prompts: list[str] = []

    @guard(checker=fake_fails(), on_fail="reask", max_reasks=3)
    def ask(prompt: str) -> str:
        prompts.append(prompt)
        return next(answers)

    assert ask(prompt="Cite a paper.") == "No references this time."
    assert len(prompts) == 2 and prompts[1].startswith("Cite a paper.\n\n")
    assert last_report() is not None and last_report().ok  # type: ignore[union-attr]


def test_reask_in_kwargs_and_without_any_conversation() -> None:
    calls: list[dict[str, Any]] = []

    @guard(checker=fake_fails(), on_fail="reask")
    def create(**kwargs: Any) -> str:
        calls.append(kwargs)
        return PROSE

    create(model="m", messages=[{"role": "user", "content": "hi"}])
    assert len(calls) == 2 and len(calls[1]["messages"]) == 3

    def no_conversation(topic: str) -> str:
        return PROSE

    # Nothing to re-ask with: refused when decorating, not silently skipped at every call.
    with pytest.raises(TypeError, match=r"no_conversation\(topic\) has none"):
        guard(checker=fake_fails(), on_fail="reask")(no_conversation)


# --- async -----------------------------------------------------------------------------------


def test_async_policies() -> None:
    @guard(checker=fake_fails(), on_fail="filter")
    async def filtered() -> str:
        await asyncio.sleep(0)
        return TEXT

    @guard(checker=fake_fails(), on_fail="exception")
    async def raising() -> str:
        return TEXT

    messages_seen: list[int] = []

    @guard(checker=fake_fails(), on_fail="reask")
    async def reasked(messages: list[dict[str, str]]) -> str:
        messages_seen.append(len(messages))
        return PROSE

    async def main() -> None:
        assert await filtered() == FILTERED
        with pytest.raises(FactCheckFailed):
            await raising()
        assert await reasked([{"role": "user", "content": "?"}]) == PROSE
        assert messages_seen == [1, 3]

    asyncio.run(main())


# --- streams ---------------------------------------------------------------------------------


def pieces(text: str, size: int = 7) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


def test_stream_first_passes_chunks_unchanged_and_in_order() -> None:
    chunks = [{"choices": [{"delta": {"content": p}}]} for p in pieces(TEXT)]
    chunks.append({"choices": [], "usage": {"total_tokens": 9}})

    @guard(checker=fake_fails())
    def stream() -> Iterator[dict[str, Any]]:
        yield from chunks

    out = list(stream())
    assert len(out) == len(chunks) and all(a is b for a, b in zip(out, chunks, strict=True))
    report = last_report()
    assert report is not None and {f.citation.raw for f in report.failures()} >= {f"doi:{DOI_FAKE}"}


def test_stream_first_raises_after_the_last_chunk() -> None:
    @guard(checker=fake_fails(), on_fail="exception")
    def stream() -> Iterator[str]:
        yield from pieces(PROSE)

    received: list[str] = []
    with pytest.raises(FactCheckFailed):
        for chunk in stream():
            received.append(chunk)
    assert "".join(received) == PROSE


def test_buffer_filter_rewrites_only_the_text_of_the_chunks() -> None:
    chunks = [{"choices": [{"delta": {"content": p}, "index": 0}]} for p in pieces(TEXT)]

    @guard(checker=fake_fails(), on_fail="filter")
    def stream() -> Iterator[dict[str, Any]]:
        yield from chunks

    out = list(stream())
    assert len(out) == len(chunks)
    assert "".join(c["choices"][0]["delta"]["content"] for c in out) == FILTERED
    assert all(c["choices"][0]["index"] == 0 for c in out)
    assert "".join(c["choices"][0]["delta"]["content"] for c in chunks) == TEXT


def test_buffer_callable_and_reask_on_generators() -> None:
    @guard(checker=fake_fails(), on_fail=lambda text, report: text.upper())
    def shout() -> Iterator[str]:
        yield from pieces(PROSE)

    assert "".join(shout()) == PROSE.upper()

    opened: list[int] = []

    @guard(checker=fake_fails(), on_fail="reask", max_reasks=1)
    def stream(messages: list[dict[str, str]]) -> Iterator[str]:
        opened.append(len(messages))
        yield from pieces(PROSE)

    assert "".join(stream([{"role": "user", "content": "?"}])) == PROSE
    assert opened == [1, 3]


def test_async_generators_stream_first_and_buffered() -> None:
    @guard(checker=fake_fails())
    async def released() -> AsyncIterator[str]:
        for piece in pieces(TEXT):
            await asyncio.sleep(0)
            yield piece

    @guard(checker=fake_fails(), on_fail="filter")
    async def buffered() -> AsyncIterator[str]:
        for piece in pieces(TEXT):
            yield piece

    async def main() -> None:
        assert [c async for c in released()] == pieces(TEXT)
        assert last_report() is not None and not last_report().ok  # type: ignore[union-attr]
        assert "".join([c async for c in buffered()]) == FILTERED

    asyncio.run(main())


class _SdkStream:
    """Stands in for an SDK `Stream`: an iterator with a `response` and `close()`."""

    def __init__(self, chunks: list[str]) -> None:
        self._chunks = iter(chunks)
        self.response = "http response"
        self.closed = False

    def __iter__(self) -> _SdkStream:
        return self

    def __next__(self) -> str:
        return next(self._chunks)

    def close(self) -> None:
        self.closed = True


def test_a_returned_stream_object_is_guarded_and_keeps_its_attributes() -> None:
    source = _SdkStream(pieces(PROSE))

    @guard(checker=fake_fails(), on_fail="exception")
    def create(stream: bool = True) -> _SdkStream:
        return source

    guarded = create()
    assert guarded.response == "http response"
    with pytest.raises(FactCheckFailed), guarded:
        assert "".join(guarded) == PROSE
    assert source.closed


# --- the wrapped call stays the wrapped call -------------------------------------------------


class Boom(Exception):
    pass


def test_the_functions_own_exceptions_propagate_untouched() -> None:
    error = Boom("model down")

    @guard(checker=fake_fails(), on_fail="filter")
    def sync() -> str:
        raise error

    @guard(checker=fake_fails())
    async def asynchronous() -> str:
        raise error

    @guard(checker=fake_fails())
    def stream() -> Iterator[str]:
        yield "first"
        raise error

    with pytest.raises(Boom) as caught:
        sync()
    assert caught.value is error
    with pytest.raises(Boom) as caught:
        asyncio.run(asynchronous())
    assert caught.value is error
    received: list[str] = []
    with pytest.raises(Boom) as caught:
        for chunk in stream():
            received.append(chunk)
    assert caught.value is error and received == ["first"]


@pytest.mark.parametrize("on_fail", ["noop", "exception", "filter", "fix", "reask"])
def test_a_failure_inside_factcheck_never_breaks_the_call(
    on_fail: str, caplog: pytest.LogCaptureFixture
) -> None:
    checker = StubChecker(fail=RuntimeError("resolver bug"))

    @guard(checker=checker, on_fail=on_fail, fail_on=("not_found",))  # type: ignore[call-overload]
    def ask(messages: list[str]) -> str:
        return PROSE

    with caplog.at_level(logging.ERROR, logger="factcheck.guard"):
        assert ask(["?"]) == PROSE
    report = last_report()
    assert report is not None
    assert {f.verdict.status for f in report.items} == {Status.UNVERIFIABLE}
    assert "resolver bug" in report.items[0].verdict.reason
    assert "factcheck failed" in caplog.text


def test_a_failure_inside_factcheck_in_a_stream_and_in_on_report() -> None:
    def broken_callback(report: Report) -> None:
        raise RuntimeError("callback bug")

    @guard(checker=StubChecker(fail=RuntimeError("bug")), on_report=broken_callback)
    def stream() -> Iterator[str]:
        yield from pieces(PROSE)

    assert "".join(stream()) == PROSE
    report = last_report()
    assert report is not None and report.items[0].verdict.status is Status.UNVERIFIABLE


def test_unreadable_values_pass_through() -> None:
    value = object()

    @guard(checker=fake_fails(), on_fail="filter")
    def ask() -> object:
        return value

    assert ask() is value


# --- methods, last_report --------------------------------------------------------------------


class Assistant:
    def __init__(self) -> None:
        self.asked = 0

    @guard(checker=fake_fails(), on_fail="reask")
    def answer(self, messages: list[dict[str, str]]) -> str:
        self.asked += 1
        return PROSE

    @guard(checker=fake_fails(), on_fail="filter")
    @classmethod
    def answer_cls(cls) -> str:
        return PROSE

    @guard(checker=fake_fails(), on_fail="filter")
    @staticmethod
    def answer_static() -> str:
        return PROSE


def test_methods() -> None:
    assistant = Assistant()
    assert assistant.answer([{"role": "user", "content": "?"}]) == PROSE
    assert assistant.asked == 2
    assert DOI_FAKE not in Assistant.answer_cls()
    assert DOI_FAKE not in Assistant.answer_static()


def test_last_report_is_per_thread_and_per_task() -> None:
    @guard(checker=fake_fails())
    def ask(text: str) -> str:
        return text

    ask(PROSE)
    mine = last_report()
    other: list[Report | None] = []
    thread = threading.Thread(target=lambda: other.append(last_report()))
    thread.start()
    thread.join()
    assert other == [None] and last_report() is mine

    @guard(checker=fake_fails())
    async def aask(text: str) -> str:
        return text

    async def task(text: str) -> Report | None:
        await aask(text)
        await asyncio.sleep(0)
        return last_report()

    async def main() -> None:
        one, two = await asyncio.gather(task(PROSE), task("Nothing cited."))
        assert one is not None and not one.ok
        assert two is not None and two.ok

    asyncio.run(main())
    assert last_report() is mine


# --- the re-ask loop, written once (guard/answers.py Reasks) ----------------------------------

FAIL_ON = (Status.NOT_FOUND, Status.MISMATCH)


def _checked(failing: bool) -> Checked:
    """A check of an answer citing an invented DOI (failing) or nothing (passing)."""
    text = f"See doi:{DOI_FAKE}." if failing else "No references here."
    checker = fake_fails()
    extraction = checker.extract(text)
    report = checker.verify_extraction(extraction, fail_on=FAIL_ON)
    return Checked(answer=answer_of(text), report=report, extraction=extraction)


def _asks(max_reasks: int, checks: list[bool], takes_messages: bool = True) -> list[Any]:
    """The arguments of each re-ask, the check after each being the next of `checks`."""

    def should_reask(checked: Checked, attempt: int) -> bool:
        return attempt < max_reasks and bool(failing(checked.report, FAIL_ON))

    def ask(messages: list[dict[str, str]]) -> None: ...

    def ask_prompt_free(temperature: float) -> None: ...

    signature = inspect.signature(ask if takes_messages else ask_prompt_free)
    arguments = {"messages": [{"role": "user", "content": "q"}]} if takes_messages else {}
    asks = Reasks(should_reask, signature, (), arguments or {"temperature": 0.0}, _checked(True))
    seen = []
    for args, kwargs in asks:
        seen.append(signature.bind(*args, **kwargs).arguments)
        asks.checked = _checked(checks[len(seen) - 1])
    return seen


@pytest.mark.parametrize(
    ("max_reasks", "checks", "expected"),
    [(0, [], 0), (1, [True], 1), (3, [True, True, True], 3), (3, [True, False, True], 2)],
)
def test_the_reask_loop_asks_while_asked_to_and_something_fails(
    max_reasks: int, checks: list[bool], expected: int
) -> None:
    seen = _asks(max_reasks, checks)
    assert len(seen) == expected
    # Each re-ask carries the conversation so far, one more turn each time.
    assert [len(bound["messages"]) for bound in seen] == [3 + 2 * i for i in range(expected)]


def test_the_reask_loop_stops_when_the_function_cannot_take_the_problems() -> None:
    assert _asks(3, [True, True, True], takes_messages=False) == []
