"""The GitHub Action's step (`action.yml`): check the given paths once, write a SARIF file for
code scanning, a Markdown job summary, and the step's outputs.

Run as `python -m factcheck.integrations.github_action`; it reads its inputs from
`FACTCHECK_ACTION_*` variables (the action passes them through `env:`, never by expanding
inputs into the script) and GitHub's `GITHUB_STEP_SUMMARY` / `GITHUB_OUTPUT` files. It exits
0 when the check ran, even with findings, so that the SARIF upload still runs: the action
fails its last step on the `failed` output. Usage and input errors exit 2.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..checker import Checker
from ..errors import FactcheckError
from ..inputs import read_document
from ..model import Report, Status
from ..report.formats.markdown import to_markdown
from ..report.formats.sarif import to_sarif

# The files a folder is searched for: what factcheck reads as text, Markdown or BibTeX.
CHECKED_SUFFIXES = frozenset({".md", ".markdown", ".mdx", ".rst", ".txt", ".bib"})
DEFAULT_FAIL_ON = "not_found,mismatch"
DEFAULT_SARIF = "factcheck.sarif"
EXIT_RAN = 0
EXIT_USAGE = 2


@dataclass
class ActionResult:
    """What one run of the step found: the reports, and whether any fails `fail_on`."""

    reports: list[Report]
    failed: bool
    findings: int


def collect_files(paths: Iterable[str]) -> list[Path]:
    """The files named, and the checked files under each folder named (hidden folders
    skipped), in a stable order without repeats."""
    found: dict[Path, None] = {}
    for name in paths:
        path = Path(name)
        if path.is_dir():
            for file in sorted(path.rglob("*")):
                hidden = any(part.startswith(".") for part in file.relative_to(path).parts)
                if file.is_file() and file.suffix.lower() in CHECKED_SUFFIXES and not hidden:
                    found[file] = None
        else:
            found[path] = None
    return list(found)


def run_action(
    paths: Sequence[str],
    *,
    fail_on: Sequence[Status],
    sarif: Path,
    summary: Path | None = None,
    outputs: Path | None = None,
    checker: Checker,
) -> ActionResult:
    """Check `paths`, write the SARIF log to `sarif`, append the Markdown report to `summary`
    and `key=value` outputs to `outputs` (GitHub's files), and say what was found."""
    texts, reports = {}, []
    for file in collect_files(paths):
        # As text, whatever the extension: SARIF's lines and columns are the file's own.
        document = read_document(str(file), "text")
        texts[document.path] = document.text
        reports.append(checker.check(document.text, path=document.path, fail_on=fail_on))
    sarif.write_text(to_sarif(reports, texts=texts), encoding="utf-8")
    flagged = sum(1 for r in reports for f in r.items if f.verdict.status in r.fail_on)
    result = ActionResult(reports=reports, failed=flagged > 0, findings=flagged)
    if summary is not None:
        with summary.open("a", encoding="utf-8") as stream:
            stream.write(to_markdown(reports, texts=texts))
    if outputs is not None:
        with outputs.open("a", encoding="utf-8") as stream:
            stream.write(f"findings={flagged}\nfailed={str(result.failed).lower()}\n")
            stream.write(f"files={len(reports)}\nsarif={sarif}\n")
    return result


def main(environ: Mapping[str, str] = os.environ) -> int:
    """The step: inputs from the environment, messages on stderr, the exit code returned."""
    paths = environ.get("FACTCHECK_ACTION_PATHS", ".").split() or ["."]
    try:
        fail_on = [
            Status(part.strip())
            for part in environ.get("FACTCHECK_ACTION_FAIL_ON", DEFAULT_FAIL_ON).split(",")
            if part.strip()
        ]
    except ValueError:
        print(
            f"factcheck: error: fail-on takes {', '.join(s.value for s in Status)}", file=sys.stderr
        )
        return EXIT_USAGE
    summary, outputs = environ.get("GITHUB_STEP_SUMMARY"), environ.get("GITHUB_OUTPUT")
    try:
        with Checker() as checker:
            result = run_action(
                paths,
                fail_on=fail_on,
                sarif=Path(environ.get("FACTCHECK_ACTION_SARIF") or DEFAULT_SARIF),
                summary=Path(summary) if summary else None,
                outputs=Path(outputs) if outputs else None,
                checker=checker,
            )
    except FactcheckError as exc:
        print(f"factcheck: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(
        f"factcheck: {len(result.reports)} file(s) checked, {result.findings} finding(s) "
        f"in {', '.join(s.value for s in fail_on)}",
        file=sys.stderr,
    )
    return EXIT_RAN


if __name__ == "__main__":
    sys.exit(main())
