"""The adapters against the real packages: langchain-core, litellm and guardrails-ai.

Each test is skipped when its package is not installed (they are test extras; guardrails-ai
pins `openai<3`, so it may live in a separate environment: see docs/development.md)."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import pytest
from test_guard import DOI_FAKE, DOI_GOOD, PROSE, fake_fails

from factcheck import FactCheckFailed

FILTERED_PROSE = f"Folding is solved, see doi:{DOI_GOOD} for details."


def test_langchain_runnable_in_a_chain() -> None:
    pytest.importorskip("langchain_core")
    from langchain_core.messages import AIMessage
    from langchain_core.runnables import RunnableLambda

    from factcheck.integrations.langchain import as_runnable

    model = RunnableLambda(lambda question: AIMessage(content=PROSE))
    chain = model | as_runnable(fake_fails(), on_fail="filter")
    result = chain.invoke("Cite a paper.")
    assert isinstance(result, AIMessage) and result.content == FILTERED_PROSE
    assert asyncio.run(chain.ainvoke("Cite a paper.")).content == FILTERED_PROSE

    strict = model | as_runnable(fake_fails(), on_fail="exception")
    with pytest.raises(FactCheckFailed):
        strict.invoke("Cite a paper.")


def test_litellm_guardrail_post_call() -> None:
    # Offline, litellm would spend seconds fetching its model price list on import.
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    litellm = pytest.importorskip("litellm")
    from factcheck.integrations.litellm import FactcheckGuardrail

    def response() -> Any:
        return litellm.ModelResponse(
            choices=[
                {
                    "index": 0,
                    "finish_reason": "stop",
                    "message": {"role": "assistant", "content": PROSE},
                }
            ]
        )

    async def run(guardrail: Any, value: Any) -> Any:
        return await guardrail.async_post_call_success_hook({}, None, value)

    blocking = FactcheckGuardrail(checker=fake_fails(), event_hook="post_call")
    with pytest.raises(FactCheckFailed):
        asyncio.run(run(blocking, response()))
    filtering = FactcheckGuardrail(checker=fake_fails(), on_fail="filter")
    original = response()
    result = asyncio.run(run(filtering, original))
    assert type(result) is type(original)
    assert result.choices[0].message.content == FILTERED_PROSE
    assert original.choices[0].message.content == PROSE
    assert filtering.guardrail_name == "factcheck"
    with pytest.raises(ValueError):
        FactcheckGuardrail(on_fail="reask")


def test_guardrails_validator(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Guardrails sends usage metrics unless its rc file says no: tests stay offline.
    (tmp_path / ".guardrailsrc").write_text("enable_metrics=false\n")
    monkeypatch.setenv("HOME", str(tmp_path))
    pytest.importorskip("guardrails")
    from guardrails import Guard
    from guardrails.validators import FailResult, PassResult

    from factcheck.integrations.guardrails import VALIDATOR_NAME, FactcheckReferences

    guard = Guard()
    guard.configure(allow_metrics_collection=False)
    validator = FactcheckReferences(checker=fake_fails())
    assert validator.rail_alias == VALIDATOR_NAME
    result = validator.validate(PROSE, {})
    assert isinstance(result, FailResult)
    assert result.fix_value == FILTERED_PROSE
    spans = [(s.start, s.end) for s in result.error_spans or []]
    assert [PROSE[a:b] for a, b in spans] == [f"doi:{DOI_FAKE}"]
    assert isinstance(validator.validate("Nothing cited.", {}), PassResult)

    guard.use(FactcheckReferences(checker=fake_fails(), on_fail="fix"))
    outcome = guard.validate(PROSE)
    assert outcome.validated_output == FILTERED_PROSE
    strict = Guard()
    strict.configure(allow_metrics_collection=False)
    strict.use(FactcheckReferences(checker=fake_fails(), on_fail="exception"))
    with pytest.raises(Exception, match=DOI_FAKE.replace(".", r"\.")):
        strict.validate(PROSE)
