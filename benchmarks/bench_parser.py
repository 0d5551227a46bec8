"""Accuracy, speed and load time of the reference-string parser (run by hand).

    python benchmarks/bench_parser.py [--data ../shared/data] [--limit N]

This benchmark READS /work/shared/data (or --data): the labelled AnyStyle and GROBID
files and the glutton strings. CI has no shared/ folder, so it is not part of the tests.

1. FIELD-LEVEL F1 (exact spans) on the held-out tenth of AnyStyle's good.xml
   (`factcheck.train.parser` rebuilds the same seeded split, so these strings were
   never trained on). A field is one tagged span; it counts as found when the parser
   tags the same span text with the same tag (both normalised: spacing collapsed, edge
   punctuation and markdown dropped), against AnyStyle's labels as written: a year glued
   to its volume ("1995;274:") is one volume field there, and the parser spans it so too,
   although training tags such words apart; that and the other span conventions of
   AnyStyle's labels the tagger does not always keep are restored after tagging
   (`factcheck/extract/conventions.py`).
   Then TOKEN-LEVEL scores on the same strings (labels as written): each token's tag
   against the gold tag of its first character, per tag and micro-averaged over tagged
   tokens, and the accuracy over all tokens. Token scores run higher than field scores
   (one wrong token costs a whole field there); quote them as token-level.
2. glutton: real PubMed Central reference strings with gold metadata. Accuracy of the
   parsed Fields against the gold first-author surname, volume, first page, title and
   journal. Comparison is case-, accent- and punctuation-insensitive
   (`factcheck.normalize.fold`); title and journal are also reported with a fuzzy match
   (rapidfuzz ratio >= 0.9 on the folded strings), which forgives PDF hyphenation and
   OCR noise. Rows whose gold value is empty are skipped for that field.
3. Speed: references per CPU second (`time.process_time`, so other jobs on a shared
   machine do not count) through `parse_references` and `parse_reference`, model loaded,
   on a first pass over distinct strings (held-out ones and glutton ones): the cache of
   parses and the per-word feature caches are emptied before each run.
4. Load time: a fresh interpreter's first `parse_reference` call (spaCy import, pipeline
   build and model load), minus the time of the parse itself.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from rapidfuzz import fuzz

from factcheck.extract.parser import forget_parses, parse_reference, parse_references, prepare
from factcheck.extract.reftokens import blank_pipeline, forget_words
from factcheck.model import Fields
from factcheck.normalize import fold
from factcheck.train.parser import (
    evaluate,
    evaluate_tokens,
    load_corpus,
    print_scores,
)

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
FUZZY_THRESHOLD = 90
_FIRST_PAGE_RE = re.compile(r"[A-Za-z]?\d+[A-Za-z]?")
LOAD_RUNS = 3
SPEED_RUNS = 5
# Strings timed: the held-out ones and this many glutton ones, each parsed once per run.
SPEED_GLUTTON = 1500


def _first_page(pages: str | None) -> str | None:
    match = _FIRST_PAGE_RE.search(pages or "")
    return match.group().lower() if match else None


def _surname(fields: Fields) -> str:
    if not fields.authors:
        return ""
    first = fields.authors[0]
    return fold(first.family or first.name or "")


def _glutton_rows(path: Path) -> list[dict[str, str]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def _glutton(path: Path, limit: int | None) -> None:
    rows = _glutton_rows(path)
    rows = rows[:limit] if limit else rows
    parsed = parse_references([row["reference"] for row in rows])
    checks: dict[str, tuple[str, Callable[[Fields], str | None], Callable[[str], str]]] = {
        "first author": ("firstAuthor", _surname, fold),
        "volume": ("volume", lambda f: fold(f.volume or ""), fold),
        "first page": ("firstPage", lambda f: _first_page(f.pages), lambda g: g.lower()),
        "title": ("atitle", lambda f: fold(f.title or ""), fold),
        "journal": ("jtitle", lambda f: fold(f.container or ""), fold),
    }
    print(f"\nglutton ({len(rows)} strings): accuracy vs gold metadata")
    print(f"{'field':<14} {'exact':>7} {'fuzzy':>7} {'n':>6}")
    for name, (key, get, norm) in checks.items():
        pairs = [
            (get(f), norm(str(row[key])))
            for f, row in zip(parsed, rows, strict=True)
            if row.get(key)
        ]
        exact = sum(p == g for p, g in pairs) / len(pairs)
        line = f"{name:<14} {exact:7.3f}"
        if name in ("title", "journal"):
            fuzzy = sum(fuzz.ratio(p or "", g) >= FUZZY_THRESHOLD for p, g in pairs)
            line += f" {fuzzy / len(pairs):7.3f}"
        else:
            line += f" {'':>7}"
        print(f"{line} {len(pairs):6d}")


def _speed(texts: list[str]) -> None:
    """Strings per CPU second (`time.process_time`: other jobs on the machine do not count)
    on a first pass over strings never parsed before: the cache of parses and the word
    caches of `reftokens` are emptied before every run. Best and median of SPEED_RUNS."""
    texts = list(dict.fromkeys(prepare(text) for text in texts))
    parse_reference("warm up")
    rates: dict[str, list[float]] = {"parse_references": [], "parse_reference": []}
    for _ in range(SPEED_RUNS):
        for name in rates:
            forget_parses()  # every figure is the model's, never the cache of parses
            forget_words()
            started = time.process_time()
            if name == "parse_references":
                parse_references(texts)
            else:
                for text in texts:
                    parse_reference(text)
            rates[name].append(len(texts) / (time.process_time() - started))
    print(f"\nspeed ({len(texts)} distinct strings, first pass, one core, CPU time):")
    for name, runs in rates.items():
        print(
            f"  {name:<17} best {max(runs):,.0f} refs/s, "
            f"median {statistics.median(runs):,.0f} refs/s ({SPEED_RUNS} runs)"
        )


_LOAD_SCRIPT = """
import time
started = time.perf_counter()
from factcheck.extract import parser as p
imported = time.perf_counter()
p.parse_reference("Smith, J. (2020). A title. Nature, 1, 1-2.")
first = time.perf_counter()
p.parse_reference("Smith, J. (2020). A title. Nature, 1, 1-2.")
second = time.perf_counter()
print(imported - started, (first - imported) - (second - first))
"""


def _load_time() -> None:
    runs = []
    for _ in range(LOAD_RUNS):
        out = subprocess.run(
            [sys.executable, "-c", _LOAD_SCRIPT], capture_output=True, text=True, check=True
        ).stdout.split()
        runs.append((float(out[0]), float(out[1])))
    best_import = min(r[0] for r in runs)
    best_load = min(r[1] for r in runs)
    print(
        f"\nimport factcheck.extract.parser: {best_import:.3f} s; "
        f"load on first parse (best of {LOAD_RUNS}): {best_load:.3f} s"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description="reference parser benchmark")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, help="glutton rows to use (default all)")
    args = parser.parse_args()

    corpus = load_corpus(args.data / "anystyle", args.data / "grobid" / "citations.xml")
    print(f"held-out AnyStyle ({len(corpus.held_out)} strings): field scores, labels as written")
    print_scores(evaluate(corpus.held_out))
    tokens, accuracy = evaluate_tokens(blank_pipeline(), corpus.held_out)
    print(
        "\nTOKEN-LEVEL (not field-level) scores on the same held-out strings, labels as "
        "written:\nper-token tag P/R/F1 (untagged tokens left out of P/R/F1), "
        f"token accuracy {accuracy:.3f}"
    )
    print_scores(tokens, heading="tag (tokens)")
    glutton = args.data / "glutton" / "references-doi-matching.even.jsonl"
    _glutton(glutton, args.limit)
    glutton_texts = [row["reference"] for row in _glutton_rows(glutton)[:SPEED_GLUTTON]]
    _speed([e.text for e in corpus.held_out] + glutton_texts)
    _load_time()
    return 0


if __name__ == "__main__":
    sys.exit(main())
