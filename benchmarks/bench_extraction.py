"""Extraction recall: how many of the references written in an answer become items.

    python benchmarks/bench_extraction.py [--data ../shared/data] [--kit ../shared/bench]
        [--sets anystyle,grobid,glutton,styles,freeform] [--show N]

THIS BENCHMARK READS /work/shared/data (or --data): AnyStyle's `good.xml`, GROBID's
`citations.xml`, the glutton strings and HALLMARK's dev rows. With --kit it also READS THE
SHARED MEASURING KIT (`../shared/bench`) and scores its md cases offline. Neither folder is
part of this repository, so CI never runs it. Nothing touches the network: only extraction
runs (`factcheck.extract.extract_all`, with the reference parser).

It builds answers the way a model or a PDF prints references, from the licensed strings,
seeded so every run builds the same ones:
- `anystyle`, `grobid`, `glutton`: the strings as written, ten to an answer, in lists with a
  heading or a lead line (bullets, `1.`, `[1]`, one per line, blank lines between, PDF-wrapped
  lines for glutton's raw strings) and without any (a run of items after prose);
- `styles`: HALLMARK's dev rows printed as ML papers and style guides print them: natbib
  plainnat (`Venue, 48:109049, 2023`, `ArXiv, abs/…`, `CoRR, abs/…`, `arXiv preprint
  arXiv:…`, `URL https: //…`), ACM, no venue at all, years like `2024a`, `n.d.`, Chicago's
  `———.` for a repeated author, semicolon-separated authors;
- `freeform`: the same rows in answer shapes: table rows under a header naming the columns,
  bold-title lines, references woven into sentences, `“Title” by A, B (Venue, Year; DOI: …)`
  and `Author (“Title”, Venue, Year)`.

For each set it prints: recall (a labelled reference overlapped by a `reference` item, as the
kit's scorer counts an extraction), clean recall (exactly one item overlaps it, and that item
overlaps no other labelled reference: merged or split entries are checked wrongly), and false
entries (reference items overlapping no labelled reference: prose or headings taken for
entries). Goal: recall >= 0.99 everywhere, no false entries. `--show N` prints N misses per set.

`--write-cases DIR` writes the free-form answers as a case set of the kit's shape instead,
with each HALLMARK row's label, so that the kit's scorer measures detection on them:
`python3 ../shared/bench/score.py --cases DIR …` (split `freeform_dev`).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from factcheck.extract import extract_all
from factcheck.model import Kind
from factcheck.train.parser import Example, read_anystyle, read_grobid

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
SEED = 20261201
PER_ANSWER = 10
PARTIAL = "_partial"
RECALL_GOAL = 0.99

HEADINGS = (
    "## References",
    "References",
    "**Sources**",
    "### Bibliography",
    "Works cited:",
    "Here are the papers I drew on:",
    "REFERENCES",
    "## Further reading",
)
INTROS = (
    "The question has a long history, and the answer depends on which measure one uses.",
    "Below is a short overview of the main results, with the works behind them.",
    "Most of the evidence comes from a handful of studies, summarised here.",
)
CLOSINGS = (
    "",
    "Let me know if you would like more detail on any of these.",
    "I hope this helps; each of these is a good starting point.",
)
MARKERS = ("- ", "* ", "{n}. ", "[{n}] ", "", "")


@dataclass
class Answer:
    """One built answer and the spans of the references written in it."""

    text: str = ""
    spans: list[tuple[int, int]] = field(default_factory=list)
    # "headed" for a list under a heading or lead line, "bare" for one without.
    group: str = ""
    # For answers built from HALLMARK rows: each span's row (label, hallucination type), or
    # None where the claim is not the row's (and so has no label).
    rows: list[dict[str, object] | None] = field(default_factory=list)

    def add(
        self, piece: str, *, reference: bool = False, row: dict[str, object] | None = None
    ) -> None:
        if reference:
            self.spans.append((len(self.text), len(self.text) + len(piece)))
            self.rows.append(row)
        self.text += piece


# --- the licensed strings --------------------------------------------------------------


def _without_number(example: Example) -> str:
    """A labelled string as written, without the citation number its list gave it: the
    answers built here number their lists themselves."""
    return "".join(t for tag, t in example.segments if tag != "citation-number").strip()


def anystyle_strings(data: Path) -> list[str]:
    """AnyStyle's good.xml references as written."""
    return [
        _without_number(e) for e in read_anystyle(data / "anystyle" / "good.xml", split_glued=False)
    ]


def grobid_strings(data: Path) -> list[str]:
    """GROBID's citations.xml references as written."""
    return [_without_number(e) for e in read_grobid(data / "grobid" / "citations.xml")]


def glutton_strings(data: Path) -> list[str]:
    """The raw PMC strings, with the line breaks of their PDFs."""
    path = data / "glutton" / "references-doi-matching.even.jsonl"
    rows = (json.loads(line) for line in path.read_text(encoding="utf-8").splitlines())
    return [row["reference"].strip() for row in rows if row.get("reference", "").strip()]


def hallmark_rows(data: Path) -> list[dict[str, Any]]:
    """HALLMARK's dev rows with a title: `fields` (as claimed), `label`, `hallucination_type`."""
    path = data / "hallmark" / "dev_public.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return [row for row in rows if row["fields"].get("title")]


# --- lists of strings ----------------------------------------------------------------------


def list_answers(strings: list[str], rng: random.Random, *, wrapped: bool) -> Iterator[Answer]:
    """Strings ten to an answer, each answer in its own list style, with or without a heading."""
    for first in range(0, len(strings), PER_ANSWER):
        chunk = strings[first : first + PER_ANSWER]
        headed = rng.random() < 0.7
        answer = Answer(group="headed" if headed else "bare")
        answer.add(rng.choice(INTROS) + "\n\n")
        if headed:
            answer.add(rng.choice(HEADINGS) + "\n\n")
        marker = rng.choice(MARKERS)
        blank = marker == "" and rng.random() < 0.5
        keep_breaks = wrapped and marker == "" and rng.random() < 0.5
        if not headed and marker == "":
            marker = rng.choice(MARKERS[:4])
        for number, string in enumerate(chunk, 1):
            entry = string if keep_breaks else " ".join(string.split())
            answer.add(marker.format(n=number))
            answer.add(entry, reference=True)
            answer.add("\n\n" if blank else "\n")
        closing = rng.choice(CLOSINGS)
        if closing:
            answer.add("\n" + closing + "\n")
        yield answer


# --- HALLMARK rows printed in styles ---------------------------------------------------------

_SPLIT_AUTHORS = re.compile(r"\s+and\s+")


def _names(row: dict[str, str]) -> list[tuple[str, str]]:
    """(given, family) of each author; "Family, Given" and "Given Family" both read."""
    names = []
    for name in _SPLIT_AUTHORS.split(" ".join(row.get("author", "").split())):
        if not name or name == "others":
            continue
        if "," in name:
            family, given = (p.strip() for p in name.split(",", 1))
        else:
            given, _, family = name.rpartition(" ")
        names.append((given, family))
    return names or [("", "Anonymous")]


def _initials(given: str) -> str:
    return " ".join(f"{part[0]}." for part in given.replace("-", " ").split() if part[0].isalpha())


def _and_list(names: list[str], comma_before_and: bool = True) -> str:
    if len(names) == 1:
        return names[0]
    if len(names) == 2:
        return f"{names[0]} and {names[1]}"
    tail = ", and " if comma_before_and else " and "
    return ", ".join(names[:-1]) + tail + names[-1]


def _full(row: dict[str, str]) -> str:
    return _and_list([f"{g} {f}".strip() for g, f in _names(row)])


def _venue(row: dict[str, str]) -> str:
    return row.get("booktitle") or row.get("journal") or ""


def _arxiv(row: dict[str, str]) -> str | None:
    match = re.search(r"arXiv\.(\d{4}\.\d{4,5})", row.get("doi", ""), re.IGNORECASE)
    return match.group(1) if match else None


def plainnat(row: dict[str, str], rng: random.Random) -> str:
    year = row.get("year", "")
    if rng.random() < 0.15:
        year += rng.choice("ab")
    title = row["title"].capitalize() if rng.random() < 0.5 else row["title"]
    venue, arxiv = _venue(row), _arxiv(row)
    head = f"{_full(row)}. {title}."
    if arxiv and rng.random() < 0.5:
        form = (
            rng.choice((f"ArXiv, abs/{arxiv}, {year}.", f"CoRR, abs/{arxiv}, {year}.", ""))
            or f"arXiv preprint arXiv:{arxiv}, {year}."
        )
        return f"{head} {form}"
    if venue and row.get("volume"):
        # "Venue, 48:109049, 2023": the row's own volume and first page, never invented ones
        # (an invented number would make a correct claim wrong under its label).
        first_page = row.get("pages", "").split("-")[0].strip()
        number = f":{first_page}" if first_page else ""
        return f"{head} {venue}, {row['volume']}{number}, {year}."
    tail = f" URL https: //doi.org/{row['doi']}." if row.get("doi") and rng.random() < 0.3 else ""
    if venue and rng.random() < 0.7:
        return f"{head} In {venue}, {year}.{tail}"
    return f"{head} {year}.{tail}"


def acm(row: dict[str, str], rng: random.Random) -> str:
    venue = _venue(row)
    where = f" In *{venue}*." if venue else ""
    doi = f" https://doi.org/{row['doi']}" if row.get("doi") and rng.random() < 0.5 else ""
    return f"{_full(row)}. {row.get('year', '')}. {row['title']}.{where}{doi}"


def chicago(row: dict[str, str], rng: random.Random, previous: dict[str, str] | None) -> str:
    names = _names(row)
    first = f"{names[0][1]}, {names[0][0]}".strip(", ")
    rest = [f"{g} {f}".strip() for g, f in names[1:]]
    authors = _and_list([first, *rest]) if rest else first
    if previous is not None and _names(previous) == names:
        authors = "———"
    year = row.get("year") if rng.random() < 0.85 else "n.d."
    venue = _venue(row)
    where = f" *{venue}*," if venue else ""
    return f"{authors}. “{row['title']}.”{where} {year}."


def semicolons(row: dict[str, str], rng: random.Random) -> str:
    """Authors separated by semicolons, then the row's own venue, year, volume and pages."""
    names = [f"{f}, {_initials(g)}".strip(", ") for g, f in _names(row)]
    where = " ".join(p for p in (_venue(row), row.get("year", "")) if p)
    numbers = ", ".join(p for p in (row.get("volume", ""), row.get("pages", "")) if p)
    tail = f"{where}, {numbers}." if numbers else f"{where}."
    return f"{'; '.join(names)}. {row['title']}. {tail}"


def bare(row: dict[str, str]) -> str:
    return f"{_full(row)}. {row['title']}. {row.get('year', '')}."


def styled(
    style: str, row: dict[str, str], rng: random.Random, previous: dict[str, str] | None
) -> str:
    """One row as an entry of the given style."""
    if style == "plainnat":
        return plainnat(row, rng)
    if style == "acm":
        return acm(row, rng)
    if style == "chicago":
        return chicago(row, rng, previous)
    if style == "semicolon":
        return semicolons(row, rng)
    return bare(row)


def style_answers(rows: list[dict[str, Any]], rng: random.Random) -> Iterator[Answer]:
    """HALLMARK rows as ML papers and style guides print them, ten to an answer."""
    for first in range(0, len(rows), PER_ANSWER):
        chunk = rows[first : first + PER_ANSWER]
        style = rng.choice(("plainnat", "acm", "bare", "chicago", "semicolon"))
        answer = Answer()
        answer.add(rng.choice(INTROS) + "\n\n")
        answer.add(rng.choice(HEADINGS) + "\n\n")
        marker = rng.choice(MARKERS)
        previous: dict[str, str] | None = None
        for number, row in enumerate(chunk, 1):
            fields = row["fields"]
            labelled: dict[str, Any] | None = row
            if style == "chicago" and previous is not None and rng.random() < 0.3:
                # Chicago's "———." needs a repeated author: borrowed from the entry before,
                # which makes this claim no longer the row's, so it carries no label.
                fields = {**fields, "author": previous.get("author", "")}
                labelled = None
            entry = styled(style, fields, rng, previous)
            previous = fields
            answer.add(marker.format(n=number))
            answer.add(entry, reference=True, row=labelled)
            answer.add("\n")
        yield answer


# --- HALLMARK rows in free-form answer shapes -----------------------------------------------


def _surnames(row: dict[str, str]) -> str:
    """Surnames as answers write them; "et al." after the first of more than three, except
    for a row whose fault is a shortened list (HALLMARK's partial_author_list): "et al." would
    declare the shortening, as the kit's answers never do."""
    families = [f for _, f in _names(row)]
    if len(families) > 3 and not row.get(PARTIAL):
        return f"{families[0]} et al."
    return _and_list(families, comma_before_and=len(families) > 2)


def _claimed(row: dict[str, Any]) -> dict[str, str]:
    """A row's claimed fields, marked when its fault is a shortened author list."""
    partial = row.get("hallucination_type") == "partial_author_list"
    return {**row["fields"], PARTIAL: "1"} if partial else dict(row["fields"])


def table_answer(rows: list[dict[str, Any]], rng: random.Random) -> Answer:
    answer = Answer()
    answer.add(rng.choice(INTROS) + "\n\n")
    header = rng.choice(
        (
            ("Title", "Authors", "Year", "Venue", "DOI"),
            ("Paper", "Authors", "Year", "Venue", "Link"),
            ("Title", "Author(s)", "Year", "Published in", "DOI"),
        )
    )
    answer.add("| " + " | ".join(header) + " |\n")
    answer.add("|" + "---|" * len(header) + "\n")
    for row in rows:
        claimed = _claimed(row)
        doi = claimed.get("doi") or "N/A"
        cells = (
            claimed["title"],
            _surnames(claimed),
            claimed.get("year", ""),
            _venue(claimed) or "—",
            doi,
        )
        answer.add("| ")
        answer.add(" | ".join(cells), reference=True, row=row)
        answer.add(" |\n")
    answer.add("\n" + rng.choice(CLOSINGS) + "\n")
    return answer


def bold_answer(rows: list[dict[str, Any]], rng: random.Random) -> Answer:
    answer = Answer()
    answer.add(rng.choice(INTROS) + "\n\n")
    for row in rows:
        claimed = _claimed(row)
        venue = _venue(claimed)
        where = f" *{venue}*." if venue else ""
        doi = f" doi:{claimed['doi']}" if claimed.get("doi") else ""
        bullet = rng.choice(("", "- ", "1. "))
        answer.add(bullet)
        answer.add(
            f"**{claimed['title']}** — {_surnames(claimed)} ({claimed.get('year', '')})."
            f"{where}{doi}",
            reference=True,
            row=row,
        )
        answer.add("\n" if bullet else "\n\n")
    return answer


def _sentence(row: dict[str, str], rng: random.Random) -> tuple[str, str, str]:
    """(before, claim, after): a reference woven into a sentence."""
    venue = _venue(row)
    year = row.get("year", "")
    doi = f"; DOI: {row['doi']}" if row.get("doi") else ""
    # Every shape shows the claimed DOI, as the kit's answers do: a fabricated DOI left
    # out would leave a correct claim under a HALLUCINATED label.
    where = "; ".join(p for p in (venue, f"doi:{row['doi']}" if row.get("doi") else "") if p)
    shapes = (
        (
            "As ",
            f"{_surnames(row)} ({year}) argue in “{row['title']}”"
            + (f" ({where})" if where else ""),
            ", the effect is small.",
        ),
        (
            "",
            f"“{row['title']}” by {_surnames(row)} ({venue + ', ' if venue else ''}{year}{doi})",
            "",
        ),
        (
            "See ",
            f"{_names(row)[0][1]} (“{row['title']}”, {venue + ', ' if venue else ''}{year}{doi})",
            " for the details.",
        ),
        (
            "The method follows ",
            f"{_surnames(row)}, “{row['title']},” {venue + ', ' if venue else ''}{year}"
            + (f", doi:{row['doi']}" if row.get("doi") else ""),
            ".",
        ),
    )
    return rng.choice(shapes)


def prose_answer(rows: list[dict[str, Any]], rng: random.Random) -> Answer:
    answer = Answer()
    answer.add(rng.choice(INTROS) + "\n\n")
    for row in rows:
        before, claim, after = _sentence(_claimed(row), rng)
        separator = rng.choice(("\n\n", " ", "\n- "))
        answer.add(before)
        answer.add(claim, reference=True, row=row)
        answer.add(after + separator)
    return answer


def freeform_answers(rows: list[dict[str, Any]], rng: random.Random) -> Iterator[Answer]:
    builders: tuple[Callable[[list[dict[str, Any]], random.Random], Answer], ...] = (
        table_answer,
        bold_answer,
        prose_answer,
    )
    per = PER_ANSWER // 2
    for first in range(0, len(rows), per):
        yield rng.choice(builders)(rows[first : first + per], rng)


# --- scoring ----------------------------------------------------------------------------------


@dataclass
class Score:
    references: int = 0
    found: int = 0
    clean: int = 0
    false: int = 0
    seconds: float = 0.0
    misses: list[str] = field(default_factory=list)
    false_texts: list[str] = field(default_factory=list)


def score(answers: list[Answer]) -> Score:
    result = Score()
    started = time.process_time()
    for answer in answers:
        items = [
            (c.start, c.end) for c in extract_all(answer.text).citations if c.kind is Kind.REFERENCE
        ]
        gold = answer.spans
        for start, end in gold:
            hits = [(s, e) for s, e in items if s < end and start < e]
            result.references += 1
            result.found += bool(hits)
            others = [g for g in gold if g != (start, end)]
            result.clean += len(hits) == 1 and not any(
                s < ge and gs < e for s, e in hits for gs, ge in others
            )
            if not hits:
                result.misses.append(answer.text[start:end])
        for s, e in items:
            if not any(s < ge and gs < e for gs, ge in gold):
                result.false += 1
                result.false_texts.append(answer.text[s:e])
    result.seconds = time.process_time() - started
    return result


def kit_answers(kit: Path) -> dict[str, list[Answer]]:
    """The kit's md cases, by split, with their labelled spans."""
    by_case: dict[str, list[tuple[int, int]]] = defaultdict(list)
    split_of: dict[str, str] = {}
    for line in (kit / "dev" / "labels.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row["format"] == "md":
            by_case[row["case"]].append((row["start"], row["end"]))
            split_of[row["case"]] = row["split"]
    answers: dict[str, list[Answer]] = defaultdict(list)
    for case, spans in sorted(by_case.items()):
        text = (kit / "dev" / "cases" / case).read_text(encoding="utf-8")
        answers[f"kit:{split_of[case]}"].append(Answer(text, spans))
    return answers


def build_sets(data: Path, wanted: set[str]) -> dict[str, list[Answer]]:
    rng = random.Random(SEED)
    sets: dict[str, list[Answer]] = {}
    readers = {"anystyle": anystyle_strings, "grobid": grobid_strings, "glutton": glutton_strings}
    for name, read in readers.items():
        if name in wanted:
            for answer in list_answers(read(data), rng, wrapped=name == "glutton"):
                sets.setdefault(f"{name}/{answer.group}", []).append(answer)
    rows = hallmark_rows(data) if wanted & {"styles", "freeform"} else []
    if "styles" in wanted:
        sets["styles"] = list(style_answers(rows, rng))
    if "freeform" in wanted:
        sets["freeform"] = list(freeform_answers(rows, rng))
    return sets


def write_cases(sets: dict[str, list[Answer]], out: Path) -> int:
    """The free-form answers built from HALLMARK rows as a case set of the measuring kit's
    shape (`out/labels.jsonl`, `out/cases/md/…`, split "freeform_dev"), so that the kit's
    scorer (`score.py --cases out`) measures DR and FPR on them against its mock. Every
    claimed field of a row is written in its shape, so its label holds. (The `styles` set
    is for extraction only: its venue-less and DOI-less styles drop the very field that
    makes some rows HALLUCINATED.)"""
    labels = []
    written = 0
    for name, answers in sets.items():
        if name != "freeform":
            continue
        for number, answer in enumerate(a for a in answers if any(a.rows)):
            case = f"md/{name[0]}{number:04d}.md"
            path = out / "cases" / case
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(answer.text, encoding="utf-8")
            written += 1
            for (start, end), row in zip(answer.spans, answer.rows, strict=True):
                if row is None:
                    continue
                labels.append(
                    {
                        "case": case,
                        "start": start,
                        "end": end,
                        "label": row["label"],
                        "hallucination_type": row.get("hallucination_type"),
                        "split": f"{name}_dev",
                        "format": "md",
                        "expected": "flag" if row["label"] == "HALLUCINATED" else "ok",
                    }
                )
    lines = "".join(json.dumps(label) + "\n" for label in labels)
    (out / "labels.jsonl").write_text(lines, encoding="utf-8")
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--kit", type=Path, help="also score the kit's md cases (needs the kit)")
    parser.add_argument("--sets", default="anystyle,grobid,glutton,styles,freeform")
    parser.add_argument("--show", type=int, default=0, help="misses and false entries to print")
    parser.add_argument(
        "--write-cases", type=Path, help="write the HALLMARK-built sets as a kit case set here"
    )
    args = parser.parse_args()
    if not (args.data / "anystyle" / "good.xml").is_file():
        print(f"the licensed data is not at {args.data} (see --data)", file=sys.stderr)
        return 2
    sets = build_sets(args.data, set(args.sets.split(",")))
    if args.write_cases is not None:
        written = write_cases(sets, args.write_cases)
        print(f"{written} case files and their labels written to {args.write_cases}")
        return 0
    if args.kit is not None:
        sets.update(kit_answers(args.kit))
    print(f"{'set':24} {'refs':>6} {'recall':>7} {'clean':>7} {'false':>6} {'refs/s':>7}")
    totals = Counter[str]()
    for name, answers in sets.items():
        result = score(answers)
        n = result.references or 1
        rate = result.references / result.seconds if result.seconds else 0.0
        print(
            f"{name:24} {result.references:6} {result.found / n:7.3f} {result.clean / n:7.3f}"
            f" {result.false:6} {rate:7.0f}"
        )
        totals.update(references=result.references, found=result.found, false=result.false)
        for miss in result.misses[: args.show]:
            print(f"    missed: {miss[:160]!r}")
        for false in result.false_texts[: args.show]:
            print(f"    false:  {false[:160]!r}")
    print(f"goal: recall >= {RECALL_GOAL} in every set, no false entries")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
