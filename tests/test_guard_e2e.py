"""`@guard` with a real Checker against the fake Crossref and doi.org on 127.0.0.1."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from fakes.server import FakeApi

from factcheck import Checker, FactCheckFailed, guard, last_report
from factcheck.model import Kind, Status

pytestmark = pytest.mark.integration

PLOS = "10.1371/journal.pone.0033693"
FAKE = "10.1371/notarealdoi"
PROSE = f"Dopamine neurons are lost (doi:{PLOS}); protein folding is solved (doi:{FAKE})."
FILTERED = f"Dopamine neurons are lost (doi:{PLOS}); protein folding is solved."
STREAMED = "".join(
    f"{i}. A finding, see https://doi.org/{doi}\n" for i, doi in enumerate((PLOS, FAKE), 1)
)


@pytest.fixture(autouse=True)
def _clean(fake_api: FakeApi) -> None:
    fake_api.reset()


def test_filter_with_a_real_checker(fake_api: FakeApi) -> None:
    with Checker(fake_api.config()) as checker:

        @guard(checker=checker, on_fail="filter")
        def ask() -> str:
            return PROSE

        assert ask() == FILTERED
    report = last_report()
    assert report is not None
    statuses = {f.citation.raw: f.verdict.status for f in report.items}
    assert statuses == {f"doi:{PLOS}": Status.VERIFIED, f"doi:{FAKE}": Status.NOT_FOUND}


def test_stream_first_with_background_checks(fake_api: FakeApi, tmp_path: Path) -> None:
    config = fake_api.config(cache=str(tmp_path / "http.sqlite"))
    with Checker(config) as checker:

        @guard(checker=checker, on_fail="exception")
        def stream() -> Iterator[str]:
            for line in STREAMED.splitlines(keepends=True):
                yield from (line[:10], line[10:])

        chunks: list[str] = []
        with pytest.raises(FactCheckFailed) as caught:
            for chunk in stream():
                chunks.append(chunk)
    assert "".join(chunks) == STREAMED
    failures = caught.value.report.failures()
    assert [(f.citation.kind, f.verdict.status) for f in failures] == [(Kind.DOI, Status.NOT_FOUND)]


def test_async_stream_with_a_real_checker(fake_api: FakeApi) -> None:
    with Checker(fake_api.config()) as checker:

        @guard(checker=checker, on_fail="filter")
        async def stream() -> AsyncIterator[str]:
            for piece in (PROSE[:20], PROSE[20:50], PROSE[50:]):
                yield piece

        async def main() -> str:
            return "".join([c async for c in stream()])

        assert asyncio.run(main()) == FILTERED


def test_a_checker_as_a_runnable_in_a_langchain_chain(fake_api: FakeApi) -> None:
    pytest.importorskip("langchain_core")
    from langchain_core.messages import AIMessage
    from langchain_core.runnables import RunnableLambda

    from factcheck.integrations.langchain import as_runnable

    model = RunnableLambda(lambda question: AIMessage(content=PROSE))
    with Checker(fake_api.config()) as checker:
        chain = model | as_runnable(checker, on_fail="filter")
        answer = chain.invoke("Which papers?")
    assert isinstance(answer, AIMessage) and answer.content == FILTERED
