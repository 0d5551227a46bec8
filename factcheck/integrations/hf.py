"""Checking a Hugging Face `datasets.Dataset` column: `dataset.map(map_fn("answer"), batched=True)`.

`map_fn` returns a function that takes a batch (column name -> list of values) and returns
new columns, one value per row:

- `factcheck_report`: the row's Report as JSON (`Report.model_validate_json` reads it back);
  JSON rather than nested records, because Arrow needs one type per column and a finding's
  fields (`claimed`, `found`, `record.http`) change shape from row to row;
- `factcheck_ok`: False when a finding fails (`Report.ok`), for `dataset.filter`;
- `factcheck_problem`: None, or why the row has no findings (its text broke the extractor);
- one column per key of `TALLY_KEYS`, from `tally`.

A batch goes through the batch engine's steps (`factcheck.pipeline`): each distinct claim in
the batch is looked up once, however many rows make it. This module imports nothing from
`datasets`: what `map` calls is a plain function of dicts. `tally` and `CheckerSource` are
shared with the inspect_ai scorer (`factcheck.integrations.inspect_ai`), and live here
because neither needs a heavy package.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..model import Report
from ..pipeline import InputRecord, RecordResult, Tally, assemble, extract_records, verify_unique

if TYPE_CHECKING:
    from ..checker import Checker
    from ..config import Config

DEFAULT_TEXT_COLUMN = "text"
COLUMN_PREFIX = "factcheck_"
REPORT_COLUMN = "report"
OK_COLUMN = "ok"
PROBLEM_COLUMN = "problem"

# The counts per text, in column order, as `factcheck run` counts them (`pipeline.Tally`):
# works are identifiers and bibliography entries (an identifier inside an entry counts
# through the entry), links are URLs. A fabricated work is one its source proves absent, a
# miscited one exists but is not what the text says, a dead link is gone. In-text
# citations count as problems only. `works_checked` and `links_checked` leave out the
# unverifiable (nothing was learnt about them): they are the rates' denominators.
TALLY_KEYS = (
    "verified",
    "fabricated",
    "miscited",
    "dead_links",
    "unverifiable",
    "inline_problems",
    "works_checked",
    "links_checked",
)


def tally(result: RecordResult | Report) -> dict[str, int]:
    """The counts of `TALLY_KEYS` for one text."""
    if isinstance(result, Report):
        result = RecordResult(row=0, report=result)
    counter = Tally()
    counter.add_result(result)
    summary = counter.overall()
    works, links = summary.works, summary.links
    counts = {
        "verified": works.verified + links.verified,
        "fabricated": works.not_found,
        "miscited": works.mismatch,
        "dead_links": links.not_found,
        "unverifiable": works.unverifiable + links.unverifiable,
        "inline_problems": summary.inline_problems,
        "works_checked": works.total - works.unverifiable,
        "links_checked": links.total - links.unverifiable,
    }
    return {key: counts[key] for key in TALLY_KEYS}


class CheckerSource:
    """The Checker a job uses: the one given, else one built from config overrides on first
    use, else the shared default (`factcheck.api.default_checker`).

    It pickles as the configuration alone, and builds a Checker again where it is unpickled:
    a live Checker (thread pool, HTTP session) cannot be pickled, and `datasets` pickles the
    mapped function both to fingerprint it for its cache and to hand it to `num_proc`
    workers. A Checker built here is never closed: it lives as long as the job's process.
    """

    def __init__(self, checker: Checker | None = None, **overrides: Any) -> None:
        if checker is not None and overrides:
            raise TypeError("pass a Checker or Config overrides, not both")
        self._checker = checker
        self._config: Config | None = checker.config if checker is not None else None
        self._overrides = overrides

    def get(self) -> Checker:
        """The Checker to use in this process: the one given, the default one, or one built from the
        configuration (once)."""
        if self._checker is None:
            from ..api import default_checker
            from ..checker import Checker

            if self._config is None and not self._overrides:
                return default_checker()
            self._checker = Checker(self._config, **self._overrides)
        return self._checker

    def __getstate__(self) -> dict[str, Any]:
        return {"_checker": None, "_config": self._config, "_overrides": self._overrides}


class CheckColumns:
    """The function `map_fn` returns: a batch of rows in, the factcheck columns out.

    A class rather than a closure so that it pickles (see `CheckerSource`).
    """

    def __init__(self, text_column: str, source: CheckerSource, prefix: str) -> None:
        self.text_column = text_column
        self.source = source
        self.prefix = prefix

    def __call__(self, batch: Mapping[str, Any]) -> dict[str, Any]:
        """Batched rows (lists) give lists; one row (`batched=False`) gives single values."""
        texts = batch[self.text_column]
        if texts is None or isinstance(texts, str):
            return {name: values[0] for name, values in self.columns([texts]).items()}
        return self.columns(list(texts))

    def columns(self, texts: Sequence[str | None]) -> dict[str, list[Any]]:
        """The new columns for these texts; a missing text is checked as an empty one."""
        results = _results(self.source.get(), [text or "" for text in texts])
        reports = [result.report or Report() for result in results]
        counts = [tally(result) for result in results]
        columns: dict[str, list[Any]] = {
            self.prefix + REPORT_COLUMN: [report.model_dump_json() for report in reports],
            self.prefix + OK_COLUMN: [report.ok for report in reports],
            self.prefix + PROBLEM_COLUMN: [result.message for result in results],
        }
        for key in TALLY_KEYS:
            columns[self.prefix + key] = [count[key] for count in counts]
        return columns


def map_fn(
    text_column: str = DEFAULT_TEXT_COLUMN,
    *,
    checker: Checker | None = None,
    prefix: str = COLUMN_PREFIX,
    **overrides: Any,
) -> CheckColumns:
    """A function for `Dataset.map(..., batched=True)` that checks `text_column`.

    `checker` is used as given (and stays yours to close); instead of one, `overrides`
    (Config fields such as `mailto=`, `sources=`, `cache=`) build a Checker on first use;
    with neither, the shared default Checker is used.
    """
    return CheckColumns(text_column, CheckerSource(checker, **overrides), prefix)


def _results(checker: Checker, texts: list[str]) -> list[RecordResult]:
    """The batch engine's steps on one batch: each distinct claim looked up once."""
    extracted = extract_records([InputRecord(row=row, text=text) for row, text in enumerate(texts)])
    return assemble(checker, extracted, verify_unique(checker, extracted))
