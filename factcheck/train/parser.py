"""Train the reference-string parser: a linear-chain CRF over the tokens of `reftokens`.

    python -m factcheck.train.parser --anystyle ../shared/data/anystyle \\
        --grobid ../shared/data/grobid/citations.xml --out factcheck/models/refparser.crfsuite

Data: AnyStyle's `core.xml` and `good.xml` (BSD-2-Clause) and GROBID's `citations.xml`
(CC-BY 4.0), mapped to one tag set (`TAGS`). Every string is de-duplicated (on its
letters and digits, case-folded) before anything is split, then a seeded tenth of
`good.xml` is held out for evaluation and never trained on, nor augmented from.
Augmented copies of training strings add the markdown and numbering that LLM output
wraps references in. The same seed gives the same split, copies and model.

Every choice (CRF penalties, iterations, feature templates) is made with `--validate`:
a seeded tenth of the *training* part of `good.xml` (`validation_split`) is set aside,
the model is trained on the rest and scored on it; the held-out tenth is not touched.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from defusedxml import ElementTree

from factcheck.extract.reftokens import features, wordset

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

    from spacy.language import Language

SEED = 20260711
HELD_OUT_FRACTION = 0.10
# `--validate`: this share of the good.xml training strings is set aside to choose with.
VALIDATION_SEED = 7
VALIDATION_FRACTION = 0.12
# Share of training strings that get one augmented copy.
AUGMENT_FRACTION = 0.5
# CRF training: L1 keeps the model small, L2 keeps it smooth.
# The shipped model's. c1 0.05 / c2 0.01 scored 0.002 higher on the validation split
# (`--validate`), within its noise, and tags more slowly: see factcheck/models/README.md.
CRF_PARAMS: dict[str, float | int | bool] = {
    "c1": 0.15,
    "c2": 0.02,
    "max_iterations": 150,
    "feature.possible_transitions": True,
}
OTHER = "other"
# The one tag set. Issue numbers are tagged with their volume ("10(2)"), as AnyStyle
# does; `parser.py` splits them apart.
TAGS = (
    "author",
    "editor",
    "title",
    "container",
    "collection",
    "date",
    "volume",
    "pages",
    "publisher",
    "location",
    "edition",
    "genre",
    "note",
    "doi",
    "url",
    "isbn",
    "citation-number",
    OTHER,
)
ANYSTYLE_TAGS = {
    "author": "author",
    "editor": "editor",
    "translator": "editor",
    "director": "editor",
    "producer": "editor",
    "title": "title",
    "journal": "container",
    "container-title": "container",
    "collection-title": "collection",
    "date": "date",
    "volume": "volume",
    "pages": "pages",
    "publisher": "publisher",
    "location": "location",
    "edition": "edition",
    "genre": "genre",
    "medium": "genre",
    "note": "note",
    "source": "note",
    "doi": "doi",
    "url": "url",
    "isbn": "isbn",
    "citation-number": "citation-number",
}
_TEI = "{http://www.tei-c.org/ns/1.0}"
# GROBID words between tags that belong to the field after them, as AnyStyle tags them.
_GROBID_LEADING_WORDS = wordset("in pp p vol volume no pages page")
_GROBID_TRAILING_WORDS = wordset("editors editor eds ed")
_OPENING_PUNCT = frozenset("([{“‘\"'")
_PUNCT_RE = re.compile(r"[^\w\s]+")
_SPACE_RE = re.compile(r"\s+")
_KEY_RE = re.compile(r"\W+")

Segment = tuple[str | None, str]


@dataclass
class Example:
    """One labelled reference: `segments` of (tag or None, text), joined verbatim."""

    segments: list[Segment]
    source: str
    # The labels as the source wrote them, where `split_glued` changed them.
    as_written: list[Segment] | None = field(default=None, compare=False, repr=False)

    @property
    def text(self) -> str:
        """The reference string: its segments joined."""
        return "".join(text for _, text in self.segments)

    def spans(self) -> list[tuple[str, int, int]]:
        """(tag, start, end) of each tagged segment, stripped of surrounding spaces."""
        out: list[tuple[str, int, int]] = []
        pos = 0
        for tag, text in self.segments:
            stripped = text.strip()
            if tag is not None and stripped:
                start = pos + text.index(stripped)
                out.append((tag, start, start + len(stripped)))
            pos += len(text)
        return out


def _clean(text: str) -> str:
    return _SPACE_RE.sub(" ", text).strip()


def xml_root(path: Path) -> Element:
    """The root element of an XML file (parsed safely), or ValueError when it has none."""
    root = ElementTree.parse(path).getroot()
    if root is None:
        raise ValueError(f"{path}: no XML root")
    return root


# AnyStyle tags whole whitespace-separated words, so "2010;363:" is all volume and
# "100(6):2945–2977." all volume; the tokenizer cuts them, and the pieces get their own
# tags: a year before ";" is the date, a page range after the last ":" is the pages.
_YEAR_PREFIX_RE = re.compile(r"((?:1[5-9]|20)\d\d[a-z]?\s*;\s*)(?=\S)")
_GLUED_PAGES_RE = re.compile(r"(.*\d[)\]]?\s*:\s*)([A-Za-z]?\d+\s*[-–—]\s*[A-Za-z]?\d+[.,;]?)$")


def _split_glued_volume(text: str) -> list[Segment]:
    """The date, volume and pages written as one word in a volume field, tagged apart."""
    segments: list[Segment] = []
    if year := _YEAR_PREFIX_RE.match(text):
        segments.append(("date", year.group(1)))
        text = text[year.end() :]
    if pages := _GLUED_PAGES_RE.match(text):
        segments.extend([("volume", pages.group(1)), ("pages", pages.group(2))])
    else:
        segments.append(("volume", text))
    return segments


def read_anystyle(path: Path, *, split_glued: bool = True) -> list[Example]:
    """AnyStyle's `<sequence>`s: each child element is one field, joined by spaces.

    With `split_glued`, volume fields that hold a date or pages too are tagged apart
    (training); without, the labels stay exactly as AnyStyle wrote them (evaluation).
    """
    examples = []
    for sequence in xml_root(path).iter("sequence"):
        segments: list[Segment] = []
        for child in sequence:
            text = _clean("".join(child.itertext()))
            if not text:
                continue
            if segments:
                segments.append((None, " "))
            tag = ANYSTYLE_TAGS.get(child.tag, OTHER)
            if tag == "volume" and split_glued:
                segments.extend(_split_glued_volume(text))
            else:
                segments.append((tag, text))
        if segments:
            examples.append(Example(segments, path.name))
    return examples


def _grobid_tag(element: Element, has_article_title: bool) -> str:
    """The tag of a GROBID TEI element (namespace already stripped)."""
    name = element.tag.removeprefix(_TEI)
    kind = element.get("type") or element.get("unit") or ""
    level = element.get("level")
    if name == "title":
        if level == "a" or (level == "m" and not has_article_title):
            return "title"
        return "collection" if level == "s" else "container"
    if name == "biblScope":
        return "pages" if kind in ("pp", "page") else "volume"
    if name == "idno":
        lowered = kind.lower()
        return lowered if lowered in ("doi", "isbn") else "note"
    simple = {
        "author": "author",
        "authors": "author",
        "editor": "editor",
        "date": "date",
        "pubPlace": "location",
        "publisher": "publisher",
        "orgName": "publisher",
        "ptr": "url",
        "notes": "note",
    }
    if name == "note":
        return "genre" if kind == "report" else "note"
    return simple.get(name, OTHER)


def _untagged_chunk_tag(chunk: str, previous: str | None, following: str | None) -> str | None:
    """Where GROBID leaves text untagged, give it to a neighbour the way AnyStyle would."""
    if not chunk.strip():
        return None
    if all(char in _OPENING_PUNCT for char in chunk):
        return following or OTHER
    word = _PUNCT_RE.sub("", chunk).lower()
    if not word:
        return previous or following or OTHER
    if word in _GROBID_LEADING_WORDS and following:
        return following
    if word in _GROBID_TRAILING_WORDS and previous == "editor":
        return previous
    return OTHER


def _grobid_pieces(bibl: Element) -> Iterator[tuple[str | None, str]]:
    """(tag or None, text) for the tagged children and the loose text around them."""
    has_article_title = any(
        t.get("level") == "a" for t in bibl.iter(f"{_TEI}title") if t is not bibl
    )
    if bibl.text:
        yield None, bibl.text
    for child in bibl:
        yield _grobid_tag(child, has_article_title), "".join(child.itertext())
        if child.tail:
            yield None, child.tail


def _grobid_example(bibl: Element) -> Example | None:
    pieces = [(tag, _SPACE_RE.sub(" ", text)) for tag, text in _grobid_pieces(bibl)]
    segments: list[Segment] = []
    for index, (tag, text) in enumerate(pieces):
        if tag is not None:
            segments.append((tag, text))
            continue
        previous = next((t for t, _ in reversed(pieces[:index]) if t), None)
        following = next((t for t, _ in pieces[index + 1 :] if t), None)
        for chunk in re.split(r"(\s+)", text):
            if chunk:
                segments.append((_untagged_chunk_tag(chunk, previous, following), chunk))
    text = "".join(t for _, t in segments)
    lead = len(text) - len(text.lstrip())
    if not text.strip():
        return None
    return Example(_trim(segments, lead), "citations.xml")


def _trim(segments: list[Segment], lead: int) -> list[Segment]:
    """Drop `lead` leading characters and all trailing whitespace."""
    out: list[Segment] = []
    for tag, text in segments:
        cut = min(lead, len(text))
        lead -= cut
        if text[cut:]:
            out.append((tag, text[cut:]))
    while out and not out[-1][1].strip():
        out.pop()
    if out:
        out[-1] = (out[-1][0], out[-1][1].rstrip())
    return out


def read_grobid(path: Path) -> list[Example]:
    """GROBID's TEI `<bibl>`s, loose text between tags attached as AnyStyle would."""
    examples = []
    for bibl in xml_root(path).iter(f"{_TEI}bibl"):
        example = _grobid_example(bibl)
        if example is not None:
            examples.append(example)
    return examples


def dedupe_key(text: str) -> str:
    """Strings equal up to case, spacing and punctuation count as one."""
    return _KEY_RE.sub("", text.casefold())


@dataclass
class Corpus:
    """The labelled references: those trained on, and those held out for the evaluation."""

    train: list[Example]
    held_out: list[Example]


def load_corpus(
    anystyle: Path, grobid: Path | None, seed: int = SEED, *, split: bool = True
) -> Corpus:
    """All strings de-duplicated, then a seeded `HELD_OUT_FRACTION` of good.xml held out.

    With `split`, AnyStyle's glued volume words are tagged apart in the training strings
    (`split_glued`); without, every label stays as written. The split is the same."""
    sources = [
        read_anystyle(anystyle / "good.xml", split_glued=False),
        read_anystyle(anystyle / "core.xml", split_glued=split),
        read_grobid(grobid) if grobid else [],
    ]
    seen: set[str] = set()
    unique: list[Example] = []
    for example in (e for source in sources for e in source):
        key = dedupe_key(example.text)
        if key and key not in seen:
            seen.add(key)
            unique.append(example)
    good = [e for e in unique if e.source == "good.xml"]
    rng = random.Random(seed)
    held_ids = {id(e) for e in rng.sample(good, round(len(good) * HELD_OUT_FRACTION))}
    held_out = [e for e in unique if id(e) in held_ids]
    train = [split_glued(e) if split else e for e in unique if id(e) not in held_ids]
    return Corpus(train=train, held_out=held_out)


def split_glued(example: Example) -> Example:
    """`example` with AnyStyle's glued volume fields tagged apart (`_split_glued_volume`).

    Training strings get this; held-out ones keep AnyStyle's own labels, and the
    benchmark scores them both ways.
    """
    if example.source != "good.xml":
        return example
    segments: list[Segment] = []
    for tag, text in example.segments:
        segments.extend(_split_glued_volume(text) if tag == "volume" else [(tag, text)])
    return Example(segments, example.source, as_written=example.segments)


def validation_split(
    train: list[Example], seed: int = VALIDATION_SEED
) -> tuple[list[Example], list[Example]]:
    """(fit, validation): a seeded `VALIDATION_FRACTION` of the good.xml strings of `train`
    set aside, with their labels as written (as the held-out strings are scored).

    Choices are made on this split, never on the held-out one."""
    good = [e for e in train if e.source == "good.xml"]
    rng = random.Random(seed)
    chosen = {id(e) for e in rng.sample(good, round(len(good) * VALIDATION_FRACTION))}
    fit = [e for e in train if id(e) not in chosen]
    validation = [Example(e.as_written or e.segments, e.source) for e in train if id(e) in chosen]
    return fit, validation


# --- augmentation: the markdown and numbering LLM output wraps references in -------------


def _split_trailing(text: str) -> tuple[str, str]:
    """("Title", ". ") from "Title. ": markers go inside the field's own punctuation."""
    core = text.rstrip(" .,;:")
    return core, text[len(core) :]


def _wrap(
    segments: list[Segment], tag: str, choices: list[tuple[str, str]], rng: random.Random
) -> bool:
    for index, (seg_tag, text) in enumerate(segments):
        if seg_tag == tag:
            core, tail = _split_trailing(text)
            core = core.strip("\"'“”‘’*_")
            if not core:
                return False
            opener, closer = rng.choice(choices)
            segments[index] = (tag, f"{opener}{core}{closer}{tail}")
            return True
    return False


def _emphasise_title(segments: list[Segment], rng: random.Random) -> bool:
    return _wrap(
        segments, "title", [("*", "*"), ("_", "_"), ('"', '"'), ("“", "”"), ("**", "**")], rng
    )


def _emphasise_container(segments: list[Segment], rng: random.Random) -> bool:
    return _wrap(segments, "container", [("*", "*"), ("**", "**"), ("_", "_")], rng)


def _number(segments: list[Segment], rng: random.Random) -> bool:
    if any(tag == "citation-number" for tag, _ in segments):
        return False
    number = rng.randint(1, 60)
    label = rng.choice([f"[{number}]", f"{number}.", f"{number})", "-", "*"])
    segments[:0] = [("citation-number", label), (None, " ")]
    return True


def _swap_conjunction(segments: list[Segment], rng: random.Random) -> bool:
    for index, (tag, text) in enumerate(segments):
        if tag == "author":
            if " & " in text:
                segments[index] = (tag, text.replace(" & ", rng.choice([" and ", ", and "]), 1))
                return True
            if " and " in text:
                segments[index] = (tag, text.replace(" and ", " & ", 1))
                return True
            if text.count(",") >= 2:
                core, tail = _split_trailing(text)
                cut = core.index(",")
                segments[index] = (tag, f"{core[:cut]}, et al{tail or '.'}")
                return True
    return False


def _drop_final_period(segments: list[Segment], rng: random.Random) -> bool:
    tag, text = segments[-1]
    if text.endswith(".") and tag not in (None, OTHER):
        segments[-1] = (tag, text[:-1])
        return True
    return False


_AUGMENTERS: list[Callable[[list[Segment], random.Random], bool]] = [
    _emphasise_title,
    _emphasise_container,
    _number,
    _swap_conjunction,
    _drop_final_period,
]


def augment(examples: Iterable[Example], rng: random.Random) -> list[Example]:
    """Copies of a share of `examples`, each with one to three LLM-style changes."""
    copies = []
    for example in examples:
        if rng.random() >= AUGMENT_FRACTION:
            continue
        segments = list(example.segments)
        changed = False
        for change in rng.sample(_AUGMENTERS, rng.randint(1, 3)):
            changed = change(segments, rng) or changed
        if changed:
            copies.append(Example(segments, example.source + "+aug"))
    return copies


# --- tokens, labels, training -------------------------------------------------------------


def token_labels(nlp: Language, example: Example) -> tuple[list[str], list[bool], list[str]]:
    """Words, trailing-space flags and one tag per token (the tag of its first char)."""
    text = example.text
    char_tags: list[str] = [OTHER] * len(text)
    for tag, start, end in example.spans():
        char_tags[start:end] = [tag] * (end - start)
    doc = nlp.make_doc(text)
    words = [t.text for t in doc]
    spaces = [bool(t.whitespace_) for t in doc]
    return words, spaces, [char_tags[t.idx] for t in doc]


def train(
    nlp: Language,
    examples: list[Example],
    out: Path,
    params: dict[str, float | int | bool],
    drop: tuple[str, ...] = (),
) -> None:
    """Train a CRF on `examples` and write it to `out`.

    `drop`: feature prefixes left out of training (an ablation: the model gets no weight
    for them, so at run time they are ignored exactly as if `features` never made them).
    """
    import pycrfsuite

    trainer = pycrfsuite.Trainer(verbose=False)
    trainer.set_params(params)
    for example in examples:
        words, spaces, labels = token_labels(nlp, example)
        if words:
            rows = features(words, spaces)
            if drop:
                prefixes = tuple(prefix.encode() for prefix in drop)
                rows = [[f for f in row if not f.startswith(prefixes)] for row in rows]
            trainer.append(rows, labels)
    out.parent.mkdir(parents=True, exist_ok=True)
    trainer.train(str(out))


def normalise_field(text: str) -> str:
    """A field as compared in the evaluation: spacing collapsed, edge punctuation gone."""
    return _SPACE_RE.sub(" ", text).strip(" .,;:()[]{}\"'“”‘’*_").strip()


def gold_fields(example: Example) -> list[tuple[str, str]]:
    """The labelled fields of an example, as the evaluation compares them: (tag, text) for every
    field that is not OTHER."""
    text = example.text
    return [
        (tag, normalise_field(text[start:end]))
        for tag, start, end in example.spans()
        if tag != OTHER and normalise_field(text[start:end])
    ]


@dataclass
class Scores:
    """Per-tag counts of predicted fields that match a gold field exactly."""

    true_pos: dict[str, int]
    predicted: dict[str, int]
    gold: dict[str, int]

    def f1(self, tag: str | None = None) -> tuple[float, float, float]:
        """(precision, recall, F1) of one tag, or micro-averaged over all."""
        tags = [tag] if tag else list(self.gold.keys() | self.predicted.keys())
        tp = sum(self.true_pos.get(t, 0) for t in tags)
        pred = sum(self.predicted.get(t, 0) for t in tags)
        gold = sum(self.gold.get(t, 0) for t in tags)
        precision = tp / pred if pred else 0.0
        recall = tp / gold if gold else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return precision, recall, f1


def score(pairs: Iterable[tuple[list[tuple[str, str]], list[tuple[str, str]]]]) -> Scores:
    """Score (predicted, gold) field lists, each field a (tag, normalised value)."""
    from collections import Counter

    true_pos: Counter[str] = Counter()
    predicted: Counter[str] = Counter()
    gold: Counter[str] = Counter()
    for pred_fields, gold_list in pairs:
        pred_counts, gold_counts = Counter(pred_fields), Counter(gold_list)
        for (tag, _), count in (pred_counts & gold_counts).items():
            true_pos[tag] += count
        predicted.update(tag for tag, _ in pred_fields)
        gold.update(tag for tag, _ in gold_list)
    return Scores(dict(true_pos), dict(predicted), dict(gold))


def print_scores(
    scores: Scores, out: Callable[[str], None] = print, heading: str = "field"
) -> None:
    """A table of precision, recall and F1 per field, most frequent first."""
    out(f"{heading:<16} {'P':>6} {'R':>6} {'F1':>6} {'gold':>6}")
    for tag in sorted(scores.gold, key=lambda t: -scores.gold[t]):
        p, r, f = scores.f1(tag)
        out(f"{tag:<16} {p:6.3f} {r:6.3f} {f:6.3f} {scores.gold[tag]:6d}")
    p, r, f = scores.f1()
    out(f"{'micro':<16} {p:6.3f} {r:6.3f} {f:6.3f} {sum(scores.gold.values()):6d}")


def evaluate(held_out: list[Example]) -> Scores:
    """Field scores of the parser now installed (or just trained) on `held_out`."""
    from factcheck.extract.parser import reference_spans

    pairs = []
    for example in held_out:
        text = example.text
        predicted = [
            (span.label, normalise_field(text[span.start : span.end]))
            for span in reference_spans(text)
            if span.label != OTHER and normalise_field(text[span.start : span.end])
        ]
        pairs.append((predicted, gold_fields(example)))
    return score(pairs)


def evaluate_tokens(nlp: Language, held_out: list[Example]) -> tuple[Scores, float]:
    """Token-level scores of the parser now installed on `held_out`, and token accuracy.

    Each token's gold tag is the tag of its first character (as in training), its
    predicted tag that of the predicted span holding that character. Per tag, a token
    is a true positive when both agree; untagged ("other") tokens count towards the
    accuracy but are left out of the per-tag and micro scores. This is a softer measure
    than the field scores of `evaluate`: a field with one token wrong is a field missed
    there but only one token missed here.
    """
    from collections import Counter

    from factcheck.extract.parser import reference_spans

    true_pos: Counter[str] = Counter()
    predicted: Counter[str] = Counter()
    gold: Counter[str] = Counter()
    correct = total = 0
    for example in held_out:
        text = example.text
        gold_chars = [OTHER] * len(text)
        for tag, start, end in example.spans():
            gold_chars[start:end] = [tag] * (end - start)
        pred_chars = [OTHER] * len(text)
        for span in reference_spans(text):
            pred_chars[span.start : span.end] = [span.label] * (span.end - span.start)
        for token in nlp.make_doc(text):
            gold_tag, pred_tag = gold_chars[token.idx], pred_chars[token.idx]
            total += 1
            correct += pred_tag == gold_tag
            if gold_tag != OTHER:
                gold[gold_tag] += 1
            if pred_tag != OTHER:
                predicted[pred_tag] += 1
            if pred_tag == gold_tag != OTHER:
                true_pos[gold_tag] += 1
    return Scores(dict(true_pos), dict(predicted), dict(gold)), correct / total if total else 0.0


def main(argv: list[str] | None = None) -> int:
    """`python -m factcheck.train.parser`: train the CRF on the labelled references, write the
    model to `--out`, and report its scores on those held out (or, with `--validate`, on a
    validation split of the training strings)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--anystyle", type=Path, required=True, help="folder with core.xml, good.xml"
    )
    parser.add_argument("--grobid", type=Path, help="GROBID citations.xml (TEI)")
    parser.add_argument("--out", type=Path, required=True, help="where to write the model")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--no-augment", action="store_true")
    parser.add_argument(
        "--keep-glued",
        action="store_true",
        help="keep AnyStyle's labels of glued 'year;volume:pages' words as written, rather "
        "than tag the date, volume and pages apart for training",
    )
    parser.add_argument("--c1", type=float, default=CRF_PARAMS["c1"], help="L1 penalty")
    parser.add_argument("--c2", type=float, default=CRF_PARAMS["c2"], help="L2 penalty")
    parser.add_argument("--iterations", type=int, default=CRF_PARAMS["max_iterations"])
    parser.add_argument(
        "--validate",
        action="store_true",
        help="train without a seeded 12 %% of the good.xml training strings, scored on those "
        "(for choosing parameters and features; the held-out strings are not scored)",
    )
    parser.add_argument(
        "--validation-seed",
        type=int,
        default=VALIDATION_SEED,
        help="seed of the strings --validate sets aside: another seed draws another fold "
        "of the training part, for more validation strings (the held-out ones are never drawn)",
    )
    parser.add_argument(
        "--drop",
        default="",
        help="comma-separated feature prefixes to leave out of training (an ablation, "
        "with --validate)",
    )
    args = parser.parse_args(argv)

    from factcheck.extract.reftokens import blank_pipeline

    nlp = blank_pipeline()
    corpus = load_corpus(args.anystyle, args.grobid, args.seed, split=not args.keep_glued)
    base, scored = corpus.train, corpus.held_out
    if args.validate:
        base, scored = validation_split(corpus.train, args.validation_seed)
    rng = random.Random(args.seed)
    training = base + ([] if args.no_augment else augment(base, rng))
    print(
        f"train {len(base)} strings (+{len(training) - len(base)} augmented), "
        f"{'validation' if args.validate else 'held out'} {len(scored)}",
        file=sys.stderr,
    )
    started = time.perf_counter()
    params = {**CRF_PARAMS, "c1": args.c1, "c2": args.c2, "max_iterations": args.iterations}
    train(nlp, training, args.out, params, tuple(p for p in args.drop.split(",") if p))
    print(
        f"trained in {time.perf_counter() - started:.0f} s -> {args.out} "
        f"({args.out.stat().st_size / 1e6:.1f} MB)",
        file=sys.stderr,
    )
    from factcheck.extract import parser as refparser

    refparser.use_model(args.out)
    print(f"{'VALIDATION' if args.validate else 'HELD-OUT'} field scores, labels as written")
    print_scores(evaluate(scored))
    if args.validate:
        tokens, accuracy = evaluate_tokens(nlp, scored)
        print(f"token-level micro F1 {tokens.f1()[2]:.4f}, token accuracy {accuracy:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
