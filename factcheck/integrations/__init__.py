"""Adapters for other frameworks, each an optional extra, imported only when asked for.

- `factcheck.integrations.guardrails`: a Guardrails validator, `factcheck/references`.
- `factcheck.integrations.langchain`: a Runnable for LCEL chains (`chain | check`).
- `factcheck.integrations.litellm`: a LiteLLM `CustomGuardrail` for post-call checks.
- `factcheck.integrations.hf`: a `datasets.Dataset.map` function.
- `factcheck.integrations.inspect_ai`: the inspect_ai scorer `factcheck/references`.
- `factcheck.integrations.ray`: `check_dataset` on Ray Data, with shared cache and limits.

Importing this package imports none of them.
"""
