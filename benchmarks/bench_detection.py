"""Reference-list detection over fixtures/answers: exact-span recall, false entries, MB/s.

Every fixture answer has a gold file listing its entries' exact spans. An entry
counts as found only when start and end match exactly; anything else found is a
false entry. Goals: recall >= 98%, no false entries. Throughput is measured on the
fixtures one by one and on the whole set joined into one text; `find_inline` is
timed the same way.

Run: python benchmarks/bench_detection.py [repeats]
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from factcheck.extract.bibliography import find_references_with_labels
from factcheck.extract.inline import find_inline_with_labels

ANSWERS = Path(__file__).resolve().parent.parent / "fixtures" / "answers"
DEFAULT_REPEATS = 20
RECALL_GOAL = 0.98


def _spans(path: Path) -> tuple[str, set[tuple[int, int]]]:
    text = path.read_text(encoding="utf-8")
    gold = json.loads(path.with_suffix(".gold.json").read_text(encoding="utf-8"))
    return text, {(entry["start"], entry["end"]) for entry in gold["entries"]}


def _throughput(texts: list[str], find: Callable[[str], Any], repeats: int) -> float:
    size = sum(len(text.encode()) for text in texts) * repeats
    started = time.perf_counter()
    for _ in range(repeats):
        for text in texts:
            find(text)
    return size / (time.perf_counter() - started) / 1e6


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_REPEATS
    expected = found = false = 0
    texts = []
    for path in sorted(ANSWERS.glob("*.md")):
        text, gold = _spans(path)
        texts.append(text)
        spans = {(c.start, c.end) for c, _ in find_references_with_labels(text)}
        expected += len(gold)
        found += len(gold & spans)
        false += len(spans - gold)
        for start, end in sorted(spans ^ gold):
            side = "false" if (start, end) in spans else "missed"
            print(f"  {side:6} {path.name}: {text[start:end][:70]!r}")
    recall = found / expected if expected else 1.0
    print(f"fixtures: {len(texts)}, entries: {expected}")
    print(f"entry recall (exact spans): {recall:.1%} (goal >= {RECALL_GOAL:.0%})")
    print(f"false entries: {false} (goal 0)")
    joined = ["\n\n".join(texts) * repeats]
    for name, find in (
        ("references", find_references_with_labels),
        ("inline", find_inline_with_labels),
    ):
        per_answer = _throughput(texts, find, repeats)
        whole = _throughput(joined, find, 1)
        print(f"{name}: {per_answer:.2f} MB/s per answer, {whole:.2f} MB/s as one text")


if __name__ == "__main__":
    main()
