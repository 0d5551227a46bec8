"""Throughput of `factcheck.extract.bibtex.parse_bibtex` on a generated .bib file.

The file mixes what real bibliographies hold: articles, conference papers, books,
arXiv preprints and theses; `@string` macros; one entry in five with LaTeX accents
(which pylatexenc decodes, the slow path); quoted values and bare numbers. Prints
entries/s and MB/s, best of a few runs.

Run: python benchmarks/bench_bibtex.py [entries]
"""

from __future__ import annotations

import random
import sys
import time

from factcheck.extract.bibtex import parse_bibtex

DEFAULT_ENTRIES = 10_000
SEED = 20240501
REPEATS = 3
# One entry in this many carries LaTeX accents.
ACCENTED_EVERY = 5

SURNAMES = ["Smith", "Garc{\\'\\i}a", 'M{\\"u}ller', "Heged{\\H u}s", "Chen", "Okafor", "Nakamura"]
GIVEN = ["Ana", "John", "P{\\'e}ter", "Wei", "Chidi", "Yuki", "Lars"]
WORDS = ["deep", "graph", "learning", "causal", "sparse", "robust", "attention", "trial"]

PREAMBLE = '@string{jmlr = "Journal of Machine Learning Research"}\n\n'
TEMPLATES = [
    "@article{{{key},\n  title = {{{title}}},\n  author = {{{authors}}},\n"
    "  journal = jmlr,\n  volume = {{{n}}},\n  number = {n},\n  pages = {{1--{n}}},\n"
    "  year = {year},\n  doi = {{10.5555/jmlr.{n}}}\n}}\n\n",
    '@inproceedings{{{key},\n  title = "{title}",\n  author = "{authors}",\n'
    "  booktitle = {{Proceedings of {{ICML}}}},\n  year = {{{year}}},\n"
    "  url = {{https://proceedings.mlr.press/v{n}/{key}.html}}\n}}\n\n",
    "@misc{{{key},\n  title = {{{title}}},\n  author = {{{authors} and others}},\n"
    "  eprint = {{2101.{n:05d}}},\n  archivePrefix = {{arXiv}},\n  year = {year}\n}}\n\n",
    "@book{{{key},\n  title = {{{title}}},\n  author = {{{authors}}},\n"
    "  publisher = {{MIT Press}},\n  isbn = {{978-0-262-03384-8}},\n  year = {year}\n}}\n\n",
    "@phdthesis{{{key},\n  title = {{{title}}},\n  author = {{{authors}}},\n"
    "  school = {{{{World Health Organization}}}},\n  year = {year}\n}}\n\n",
]


def _name(rng: random.Random, accented: bool) -> str:
    surnames = SURNAMES if accented else SURNAMES[:1] + SURNAMES[4:]
    given = GIVEN if accented else GIVEN[:2] + GIVEN[3:]
    return f"{rng.choice(surnames)}, {rng.choice(given)}"


def generate(entries: int, seed: int = SEED) -> str:
    """A .bib text of `entries` entries, the same for the same seed."""
    rng = random.Random(seed)
    parts = [PREAMBLE]
    for index in range(entries):
        accented = index % ACCENTED_EVERY == 0
        authors = " and ".join(_name(rng, accented) for _ in range(rng.randint(1, 6)))
        title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 12))).capitalize()
        template = TEMPLATES[index % len(TEMPLATES)]
        parts.append(
            template.format(
                key=f"e{index}",
                title=title,
                authors=authors,
                n=index,
                year=rng.randint(1990, 2025),
            )
        )
    return "".join(parts)


def main() -> None:
    entries = int(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_ENTRIES
    text = generate(entries)
    best = float("inf")
    for _ in range(REPEATS):
        started = time.perf_counter()
        result = parse_bibtex(text)
        best = min(best, time.perf_counter() - started)
    assert len(result.entries) == entries, (len(result.entries), result.problems[:3])
    megabytes = len(text.encode()) / 1e6
    print(
        f"{entries} entries, {megabytes:.1f} MB: {best:.2f} s, "
        f"{entries / best:,.0f} entries/s, {megabytes / best:.2f} MB/s "
        f"({len(result.problems)} problems)"
    )


if __name__ == "__main__":
    main()
