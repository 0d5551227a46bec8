"""A LiteLLM guardrail that checks the references in every answer after the call.

Register it in the proxy's config (`guardrails: - guardrail_name: factcheck, litellm_params:
{guardrail: factcheck.integrations.litellm.FactcheckGuardrail, mode: post_call}`) or add
an instance to `litellm.callbacks`. On failure it applies `on_fail` like `@guard`: the
default `exception` blocks the answer (the proxy turns the error into a 4xx/5xx);
`filter` and `fix` hand back a corrected copy of the response. Requires `litellm`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from litellm.integrations.custom_guardrail import CustomGuardrail

from ..guard.decorator import DEFAULT_FAIL_ON, Guard, Policy
from ..model import Status

if TYPE_CHECKING:
    from ..checker import Checker

GUARDRAIL_NAME = "factcheck"


class FactcheckGuardrail(CustomGuardrail):
    """Post-call check of LiteLLM responses (OpenAI-shaped `ModelResponse`s)."""

    def __init__(
        self,
        checker: Checker | None = None,
        on_fail: Policy = "exception",
        fail_on: Iterable[Status | str] = DEFAULT_FAIL_ON,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("guardrail_name", GUARDRAIL_NAME)
        super().__init__(**kwargs)
        if on_fail == "reask":
            raise ValueError("a post-call guardrail cannot call the model again: no 'reask'")
        self.guard = Guard(checker=checker, on_fail=on_fail, fail_on=fail_on)

    async def async_post_call_success_hook(
        self, data: dict[str, Any], user_api_key_dict: Any, response: Any
    ) -> Any:
        """Check the answer; raise (`exception`) or return the response after the policy."""
        checked = await asyncio.to_thread(self.guard.check_value, response)
        return self.guard.settle(checked, response)
