"""Measure `factcheck.compare.fields.compare` on HALLMARK rows against their real records.

NOT A TEST, and it needs the developers' measuring kit next to the project: it reads, by
hand, `../shared/data/hallmark/dev_public.jsonl` (the claims), `../shared/bench/corpus.jsonl`
(the records the mock serves) and `../shared/bench/dev/labels.jsonl` (which real record each
hallucinated row was made from). Run it from the project root:

    /work/venv/bin/python benchmarks/bench_match.py [--shared ../shared] [--show TYPE]

Each row is rendered as a BibTeX entry and read by factcheck's own BibTeX reader, so the claim
is what the checker would see. Its record is found by the row's DOI, else its title, else the
kit's `original`. VALID rows should agree on every field; each hallucination type below should
disagree on the field it corrupts. It prints, per type, how many rows found a record and the
share where the expected field disagrees, and for VALID rows the false-disagreement rate.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from factcheck.compare.fields import Comparison, claims_et_al, compare
from factcheck.extract.bibtex import find_bibtex
from factcheck.model import Fields
from factcheck.normalize import fold
from factcheck.resolve.mapping import csl_fields, text

# The field each hallucination type corrupts; a row counts as detected when it disagrees.
EXPECTED: dict[str, tuple[str, ...]] = {
    "swapped_authors": ("authors",),
    "partial_author_list": ("authors",),
    "placeholder_authors": ("authors",),
    "near_miss_title": ("title",),
    "wrong_venue": ("container",),
    "preprint_as_published": ("container",),
    "future_date": ("year",),
}
BIB_FIELDS = ("title", "author", "year", "journal", "booktitle", "volume", "pages", "doi")


def load_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


class Corpus:
    """The kit's records, by lower-cased DOI and by folded title."""

    def __init__(self, records: list[dict[str, Any]]) -> None:
        self.by_doi = {str(r["DOI"]).lower(): r for r in records if r.get("DOI")}
        self.by_title = {fold(t): r for r in records if (t := text(r.get("title")))}

    def find(self, doi: str | None, title: str | None) -> dict[str, Any] | None:
        if doi and doi.lower() in self.by_doi:
            return self.by_doi[doi.lower()]
        if title:
            return self.by_title.get(fold(title))
        return None


def claim(row: dict[str, Any]) -> tuple[Fields, bool]:
    """The row as the checker reads it: a BibTeX entry through factcheck's reader."""
    fields = row["fields"]
    body = ",\n".join(f"  {name} = {{{fields[name]}}}" for name in BIB_FIELDS if fields.get(name))
    entry = f"@{row.get('bibtex_type') or 'misc'}{{{row['bibtex_key']},\n{body}\n}}"
    citation = find_bibtex(entry)[0]
    return citation.fields, claims_et_al(str(fields.get("author", "")))


def originals(labels: Path) -> dict[int, dict[str, Any]]:
    """The kit's record of the real work behind each hallucinated row, by row index."""
    found: dict[int, dict[str, Any]] = {}
    for label in load_jsonl(labels):
        ref = str(label.get("ref_id", ""))
        if ref.startswith("hallmark:") and label.get("original"):
            found[int(ref.rsplit(":", 1)[1])] = label["original"]
    return found


def evaluate(shared: Path, show: str | None) -> None:
    rows = load_jsonl(shared / "data/hallmark/dev_public.jsonl")
    corpus = Corpus(load_jsonl(shared / "bench/corpus.jsonl"))
    real = originals(shared / "bench/dev/labels.jsonl")
    seen: Counter[str] = Counter()
    detected: Counter[str] = Counter()
    valid_disagree: Counter[str] = Counter()
    for index, row in enumerate(rows):
        kind = row.get("hallucination_type") or "VALID"
        if kind != "VALID" and kind not in EXPECTED:
            continue
        fields, truncated = claim(row)
        record = corpus.find(fields.doi, fields.title)
        if record is None and index in real:
            record = corpus.find(real[index].get("doi"), real[index].get("title"))
        if record is None:
            continue
        found = csl_fields(record)
        aliases = [a for a in [text(record.get("short-container-title"))] if a]
        result = compare(fields, found, truncated=truncated, venue_aliases=aliases)
        seen[kind] += 1
        if kind == "VALID":
            for name in result.disagreeing():
                valid_disagree[name] += 1
            if result.disagreeing() and show == kind:
                _show(fields, found, result)
        elif any(name in result.disagreeing() for name in EXPECTED[kind]):
            detected[kind] += 1
        elif show == kind:
            _show(fields, found, result)
    _report(seen, detected, valid_disagree)


def _show(claimed: Fields, found: Fields, result: Comparison) -> None:
    print("-" * 80)
    for name, outcome in result.results().items():
        print(f"  {name:9} {outcome.state:9} {outcome.score:.2f} {outcome.note}")
    print(f"  claimed: {claimed.model_dump(exclude_defaults=True)}")
    print(f"  found:   {found.model_dump(exclude_defaults=True)}")


def _report(seen: Counter[str], detected: Counter[str], valid: Counter[str]) -> None:
    print(f"{'type':24} {'n':>5} {'detected':>9}")
    for kind in EXPECTED:
        n = seen[kind]
        rate = detected[kind] / n if n else 0.0
        print(f"{kind:24} {n:5} {rate:9.3f}")
    n = seen["VALID"]
    per_field: defaultdict[str, float] = defaultdict(float)
    for name, count in valid.items():
        per_field[name] = count / n if n else 0.0
    print(f"\nVALID rows with a record: {n}")
    for name in ("title", "authors", "year", "container", "volume", "pages"):
        print(f"  false disagreement on {name:9}: {per_field[name]:.3f} ({valid[name]})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path("../shared"))
    parser.add_argument("--show", help="print the misses of one type (or VALID's disagreements)")
    args = parser.parse_args()
    evaluate(args.shared, args.show)


if __name__ == "__main__":
    main()
