"""The guard face: check what an LLM call returns before it reaches the user.

- `decorator`: `@guard`, `wrap(client)` and the `Guard` that runs a guarded call;
- `streams`: the same on streams (generators and SDK stream objects);
- `policies`: what happens to an answer that failed (`filter`, `fix`, `reask`);
- `answers`: the answer being checked and the report of a check that failed;
- `textof`: the answer text inside whatever an SDK returns, found by duck typing.
"""

from .decorator import POLICY_NAMES, Guard, guard, last_report, wrap

__all__ = ["POLICY_NAMES", "Guard", "guard", "last_report", "wrap"]
