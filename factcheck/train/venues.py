"""Derive the table of venue acronyms (`factcheck/models/venues.tsv`) from labelled references.

    python -m factcheck.train.venues --anystyle ../shared/data/anystyle \\
        --grobid ../shared/data/grobid/citations.xml --out factcheck/models/venues.tsv

References often name a conference in full with its acronym in brackets: "Proceedings of
Human Factors in Computing Systems (CHI91)", "Advances in Neural Information Processing
Systems 5 (NIPS*92)". Every such pair in the venue fields of AnyStyle's and GROBID's
labelled references (BSD-2-Clause and CC-BY 4.0, see DATA_LICENSES.md) is read, and kept
when the rules of `factcheck.compare.venues` cannot tell that the acronym names the venue (its
letters are not spelt by a run of the name's words, nor is it in the hand-written
`KNOWN_ACRONYMS` with these words) and the name has identifying words enough to be told
apart from other venues'. The table shipped before is not read: it is derived afresh.
Each row is the acronym, a tab, and the name's identifying words, folded; the same data
gives the same table.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

from factcheck.compare.venues import KNOWN_ACRONYMS, PLACE_QUALIFIERS, forms, spells
from factcheck.train.parser import xml_root

# Venue fields of the labelled references: AnyStyle's tags, GROBID's TEI titles of
# monographs (proceedings) and journals, and its meeting names.
ANYSTYLE_TAGS = ("container-title", "journal")
GROBID_TITLE_LEVELS = ("m", "j")
TEI = "{http://www.tei-c.org/ns/1.0}"
# "Full Name (ACRONYM)", "(ACRONYM 2019)", "(ACRONYM-91)", "(ACRONYM '09)", "(NIPS*92)".
_PAIR = re.compile(
    r"(?P<name>[A-Z][^()]{8,200}?)\s*\(\s*(?P<acronym>[A-Za-z][A-Za-z&]{1,9})\*?"
    r"(?:[\s'’-]*\d{2,4})?\s*\)"
)
# An acronym is written with this many capitals at least ("CHI", "MobiCom"): a place in
# brackets ("(Lond)", "(Wien)", "(US)") is not one.
MIN_CAPITALS = 2
# A venue told by this many identifying words at least: "Proceedings of the IEEE" is none.
MIN_NAME_WORDS = 2
HEADER = (
    "# Venue acronyms whose letters their names do not spell: acronym, tab, the name's\n"
    "# identifying words. Derived by factcheck/train/venues.py from AnyStyle (BSD-2-Clause)\n"
    "# and GROBID (CC-BY 4.0) labelled references; see DATA_LICENSES.md.\n"
)


def main() -> int:
    """`python -m factcheck.train.venues`: write the venue acronym table from AnyStyle and GROBID
    references."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--anystyle", type=Path, required=True, help="folder of core.xml, good.xml")
    parser.add_argument("--grobid", type=Path, required=True, help="citations.xml")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    names = [*anystyle_venues(args.anystyle), *grobid_venues(args.grobid)]
    rows = table(names)
    args.out.write_text(HEADER + "".join(f"{a}\t{w}\n" for a, w in rows), encoding="utf-8")
    print(f"{len(names)} venue names read, {len(rows)} acronyms written to {args.out}")
    return 0


def anystyle_venues(folder: Path) -> Iterator[str]:
    """The journal and conference names of AnyStyle's labelled references."""
    for name in ("core.xml", "good.xml"):
        root = xml_root(folder / name)
        for tag in ANYSTYLE_TAGS:
            yield from (_text(element.itertext()) for element in root.iter(tag))


def grobid_venues(path: Path) -> Iterator[str]:
    """The journal, proceedings and meeting names of GROBID's labelled references."""
    root = xml_root(path)
    for element in root.iter(f"{TEI}title"):
        if element.get("level") in GROBID_TITLE_LEVELS:
            yield _text(element.itertext())
    for element in root.iter(f"{TEI}meeting"):
        yield _text(element.itertext())


def _text(parts: Iterable[str]) -> str:
    return " ".join("".join(parts).split())


def table(names: Iterable[str]) -> list[tuple[str, str]]:
    """(acronym, identifying words) rows, sorted, for the pairs worth knowing."""
    found: Counter[tuple[str, str]] = Counter()
    for name in names:
        for match in _PAIR.finditer(name):
            row = _row(match.group("name"), match.group("acronym"))
            if row is not None:
                found[row] += 1
    return sorted(found)


def _row(name: str, acronym: str) -> tuple[str, str] | None:
    """The table row for a pair, or None when it is no acronym, names too little, or is
    already understood without the table."""
    written = acronym.replace("&", "")
    folded = written.lower()
    if sum(ch.isupper() for ch in written) < MIN_CAPITALS or folded in PLACE_QUALIFIERS:
        return None
    if "," in name:
        return None  # a list ("…, Elsevier (SCI)"), not one venue's name
    content = max((form.content for form in forms(name)), key=len, default=())
    if len(content) < MIN_NAME_WORDS or folded in content:
        return None  # too little to tell the venue, or a publisher's name ("SIAM")
    expansion = " ".join(dict.fromkeys(content))
    if expansion in KNOWN_ACRONYMS.get(folded, ()) or spells(acronym, name):
        return None
    return folded, expansion


if __name__ == "__main__":
    sys.exit(main())
