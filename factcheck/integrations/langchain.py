"""A LangChain Runnable that checks what flows through it: `chain | as_runnable(checker)`.

The Runnable takes a message (or a string, or any value `@guard` can read), checks it and
hands on the same type, after the policy. It is `@guard` around the identity function, so
every policy but `reask` (there is no call to repeat: it applies `fallback`) works as it
does for a decorated function. Requires `langchain-core` (the `langchain` extra).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from langchain_core.runnables import RunnableLambda

from ..guard.decorator import Guard

if TYPE_CHECKING:
    from ..checker import Checker

RUNNABLE_NAME = "factcheck"


def as_runnable(checker: Checker | None = None, **options: Any) -> RunnableLambda[Any, Any]:
    """A Runnable that checks its input and returns it after the `on_fail` policy.

    `options` are those of `factcheck.guard` (`on_fail`, `fail_on`, `on_report`, …).
    """
    configured = Guard(checker=checker, **options)

    def passthrough(value: Any) -> Any:
        return value

    async def apassthrough(value: Any) -> Any:
        return value

    return RunnableLambda(
        configured(passthrough), afunc=configured(apassthrough), name=RUNNABLE_NAME
    )
