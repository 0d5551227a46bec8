"""Adapters for other frameworks, each an optional extra, imported only when asked for.

- `factcheck.integrations.guardrails`: a Guardrails validator, `factcheck/references`.
- `factcheck.integrations.langchain`: a Runnable for LCEL chains (`chain | check`).
- `factcheck.integrations.litellm`: a LiteLLM `CustomGuardrail` for post-call checks.

Importing this package imports none of them.
"""
