"""Throughput of identifier and URL extraction (`find_identifier_claims`) on LLM-style markdown.

Generates a few megabytes of answers as a chat model writes them (prose with
author-year citations, inline links, bare URLs, bullet and numbered reference lists
with DOIs in every common form, arXiv ids, PubMed ids, ISBNs, footnotes and the odd
BibTeX block) and prints MB/s, per answer and for the whole corpus as one text.

Run: python benchmarks/bench_extract.py [megabytes]
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Callable

from factcheck.extract import find_identifier_claims as extract

DEFAULT_MEGABYTES = 8.0
SEED = 20240501
PARAGRAPHS_PER_ANSWER = (2, 6)
REFERENCES_PER_ANSWER = (3, 12)
REPEATS = 3

WORDS = [
    "model",
    "learning",
    "neural",
    "attention",
    "transformer",
    "graph",
    "robust",
    "federated",
    "training",
    "data",
    "evaluation",
    "benchmark",
    "language",
    "representation",
    "inference",
    "causal",
    "sparse",
    "efficient",
    "clinical",
    "outcomes",
    "patients",
    "cohort",
    "treatment",
    "trial",
    "survival",
    "risk",
    "analysis",
    "protein",
    "climate",
    "temperature",
    "emissions",
    "policy",
    "network",
    "optimisation",
    "generalisation",
    "bias",
]
SURNAMES = [
    "Vaswani",
    "Devlin",
    "Brown",
    "Radford",
    "Kingma",
    "LeCun",
    "Bengio",
    "Hinton",
    "Goodfellow",
    "Sutskever",
    "Zhang",
    "Wang",
    "Li",
    "Chen",
    "Liu",
    "Nguyen",
    "Garcia",
    "Müller",
    "Dubois",
    "Rossi",
    "Kowalski",
    "Ivanova",
    "Tanaka",
    "Aïvodji",
]
VENUES = ("NeurIPS", "ICML", "ICLR", "Nature", "Science", "The Lancet", "JAMA", "Cell", "ACL")
SITES = (
    "https://en.wikipedia.org/wiki/Transformer_(deep_learning_architecture)",
    "https://www.nature.com/articles/s41586-021-03819-2",
    "https://openai.com/research/gpt-4",
    "https://github.com/huggingface/transformers",
    "https://www.who.int/news-room/fact-sheets/detail/diabetes",
    "https://climate.copernicus.eu/global-climate-highlights-2024",
    "https://scholar.google.com/scholar?q=attention+is+all+you+need&hl=en",
    "www.metoffice.gov.uk/weather/climate/climate-change",
)


def _title(rng: random.Random) -> str:
    words = rng.sample(WORDS, rng.randint(4, 9))
    return " ".join(words).capitalize()


def _authors(rng: random.Random) -> str:
    names = [f"{rng.choice(SURNAMES)}, {rng.choice('ABCDEFGHJKLMNPRST')}." for _ in range(3)]
    return ", ".join(names[: rng.randint(1, 3)]) + rng.choice(("", " et al."))


def _doi(rng: random.Random) -> str:
    if rng.random() < 0.2:
        return f"10.48550/arXiv.{rng.randint(1501, 2412)}.{rng.randint(0, 99999):05d}"
    suffix = f"{rng.choice(('j.', 's', 'nature', ''))}{rng.randint(10**5, 10**8)}"
    return f"10.{rng.randint(1000, 9999)}/{suffix}"


def _identifier(rng: random.Random) -> str:
    doi = _doi(rng)
    arxiv = f"{rng.randint(1501, 2412)}.{rng.randint(0, 99999):05d}"
    forms = (
        f"https://doi.org/{doi}",
        f"doi:{doi}",
        f"DOI: {doi}",
        f"[https://doi.org/{doi}](https://doi.org/{doi})",
        f"<https://doi.org/{doi}>",
        f"arXiv:{arxiv}v{rng.randint(1, 3)}",
        f"https://arxiv.org/abs/{arxiv}",
        f"PMID: {rng.randint(10**6, 4 * 10**7)}",
        "ISBN 978-0-13-110362-7",
        f"[{_title(rng)}]({rng.choice(SITES)})",
        "",
    )
    return rng.choice(forms)


def _reference(rng: random.Random, number: int) -> str:
    year = rng.randint(1995, 2025)
    venue = rng.choice(VENUES)
    pages = f"{rng.randint(1, 900)}-{rng.randint(901, 1800)}"
    body = f"{_authors(rng)} ({year}). {_title(rng)}. *{venue}*, {rng.randint(1, 60)}, {pages}."
    marker = rng.choice(("-", "*", f"{number}.", f"[{number}]"))
    return f"{marker} {body} {_identifier(rng)}".rstrip()


def _paragraph(rng: random.Random) -> str:
    sentences = []
    for _ in range(rng.randint(3, 7)):
        sentence = f"{_title(rng)} ({rng.choice(SURNAMES)} et al., {rng.randint(1995, 2025)})"
        roll = rng.random()
        if roll < 0.06:
            sentence += f", see [{rng.choice(WORDS)}]({rng.choice(SITES)})"
        elif roll < 0.10:
            sentence += f" (see {rng.choice(SITES)})"
        elif roll < 0.13:
            sentence += f" [arXiv:{rng.randint(1501, 2412)}.{rng.randint(0, 99999):05d}]"
        elif roll < 0.15:
            sentence += f" **{rng.choice(SITES)}**"
        sentences.append(sentence + ".")
    return " ".join(sentences)


def _bibtex(rng: random.Random) -> str:
    return (
        f"```bibtex\n@article{{{rng.choice(SURNAMES).lower()}{rng.randint(1995, 2025)},\n"
        f"  title = {{{_title(rng)}}},\n  author = {{{_authors(rng)}}},\n"
        f"  journal = {{{rng.choice(VENUES)}}},\n  doi = {{{_doi(rng)}}},\n}}\n```"
    )


def answer(rng: random.Random) -> str:
    """One chat answer: prose, a reference list, sometimes footnotes or BibTeX."""
    parts = [f"Here is an overview of {rng.choice(WORDS)} {rng.choice(WORDS)}.", ""]
    parts += [_paragraph(rng) + "\n" for _ in range(rng.randint(*PARAGRAPHS_PER_ANSWER))]
    parts.append(rng.choice(("### References", "**Sources**", "References:")))
    parts.append("")
    count = rng.randint(*REFERENCES_PER_ANSWER)
    parts += [_reference(rng, number) for number in range(1, count + 1)]
    if rng.random() < 0.3:
        parts += ["", f"[^1]: {rng.choice(SITES)}", f"[^2]: https://doi.org/{_doi(rng)}"]
    if rng.random() < 0.15:
        parts += ["", _bibtex(rng)]
    parts += ["", "*Note: please double-check these citations before relying on them.*"]
    return "\n".join(parts) + "\n"


def corpus(megabytes: float) -> list[str]:
    rng = random.Random(SEED)
    answers: list[str] = []
    size = 0
    while size < megabytes * 1e6:
        answers.append(answer(rng))
        size += len(answers[-1].encode())
    return answers


def _best_seconds(run: Callable[[], int]) -> tuple[float, int]:
    """Fastest of REPEATS runs: the machine may be shared, and noise only adds time."""
    timings = []
    found = 0
    for _ in range(REPEATS):
        started = time.perf_counter()
        found = run()
        timings.append(time.perf_counter() - started)
    return min(timings), found


def main() -> None:
    megabytes = float(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_MEGABYTES
    answers = corpus(megabytes)
    whole = "\n".join(answers)
    total_mb = len(whole.encode()) / 1e6

    per_answer, found = _best_seconds(lambda: sum(len(extract(a)) for a in answers))
    as_one, found_whole = _best_seconds(lambda: len(extract(whole)))

    density = found / total_mb
    print(f"corpus: {total_mb:.1f} MB in {len(answers)} answers, {density:.0f} citations/MB")
    print(f"best of {REPEATS} runs")
    print(f"per answer: {total_mb / per_answer:.1f} MB/s ({found} citations, {per_answer:.2f} s)")
    print(f"as one text: {total_mb / as_one:.1f} MB/s ({found_whole} citations, {as_one:.2f} s)")


if __name__ == "__main__":
    main()
