"""Whole reference strings, as citing styles write them, parsed and judged against their
records: a venue, a journal or a name in its usual short or variant form leaves the entry
`verified`; another venue is still a `mismatch` (HALLMARK's wrong_venue)."""

from __future__ import annotations

import pytest

from factcheck import parse_reference
from factcheck.judge.verdicts import judge
from factcheck.model import Author, Citation, Fields, Kind, Record, Status, Verdict
from factcheck.resolve.base import Lookup

TITLE = "Side channels in browser sandboxes"
PEOPLE = [
    Author(family="van den Oord", given="Aäron"),
    Author(family="Lee", given="Kyung"),
    Author(family="Park", given="Jiwon"),
]
WRITTEN = "van den Oord A, Lee K, Park J"


def judged(raw: str, venue: str, *, authors: list[Author] = PEOPLE, year: int = 2024) -> Verdict:
    """The verdict on `raw` against a record of TITLE by `authors` in `venue`."""
    fields = parse_reference(raw)
    claim = Citation(kind=Kind.REFERENCE, raw=raw, start=0, end=len(raw), fields=fields)
    found = Fields(title=TITLE, authors=authors, year=year, container=venue, pages="100-115")
    record = Record(source="crossref", id="10.1/sandbox", fields=found)
    return judge(claim, [Lookup.found("crossref", record)])


CCS = "Proceedings of the 2024 ACM SIGSAC Conference on Computer and Communications Security"
CHI = "Proceedings of the 2025 CHI Conference on Human Factors in Computing Systems"
CHI_EA = "Extended Abstracts of the 2025 CHI Conference on Human Factors in Computing Systems"
KDD = "Proceedings of the 30th ACM SIGKDD Conference on Knowledge Discovery and Data Mining"
SOUPS = "Twentieth Symposium on Usable Privacy and Security (SOUPS 2024)"
SP = "2024 IEEE Symposium on Security and Privacy (SP)"
NDSS = "Proceedings 2024 Network and Distributed System Security Symposium"
FINDINGS = "Findings of the Association for Computational Linguistics: EMNLP 2024"
ACL = (
    "Proceedings of the 62nd Annual Meeting of the Association for Computational Linguistics"
    " (Volume 1: Long Papers)"
)
USENIX = "33rd USENIX Security Symposium (USENIX Security 24)"
EMNLP = "Proceedings of the 2024 Conference on Empirical Methods in Natural Language Processing"


@pytest.mark.parametrize(
    ("raw", "venue"),
    [
        (f"{WRITTEN}. {TITLE}. In: CCS; 2024. p. 100-15.", CCS),
        (f'A. van den Oord, K. Lee, and J. Park, "{TITLE}," in Proc. CCS, 2024, pp. 100-115.', CCS),
        (f"{WRITTEN}. {TITLE}. In: CHI EA; 2025. p. 100-15.", CHI_EA),
        (f"{WRITTEN}. {TITLE}. In: KDD; 2024. p. 100-15.", KDD),
        (f"{WRITTEN}. {TITLE}. In: SOUPS @ USENIX Security; 2024. p. 100-15.", SOUPS),
        (f'A. van den Oord, K. Lee, and J. Park, "{TITLE}," in Proc. IEEE S&P, 2024.', SP),
        (f"{WRITTEN}. {TITLE}. In: NDSS; 2024. p. 100-15.", NDSS),
        (f"{WRITTEN}. {TITLE}. In: EMNLP Findings; 2024. p. 100-15.", FINDINGS),
        (f"{WRITTEN}. {TITLE}. In: ACL (Volume 1: Long Papers); 2024. p. 100-15.", ACL),
    ],
)
def test_a_venue_in_its_usual_short_form_is_verified(raw: str, venue: str) -> None:
    year = 2025 if "CHI" in venue else 2024
    verdict = judged(raw, venue, year=year)
    assert verdict.status is Status.VERIFIED and verdict.diffs == [], verdict.reason


@pytest.mark.parametrize(
    ("raw", "venue"),
    [
        (f"{WRITTEN}. {TITLE}. In: CCS; 2024. p. 100-15.", USENIX),
        (f"{WRITTEN}. {TITLE}. In: CHI EA; 2025. p. 100-15.", CHI),
        (f"{WRITTEN}. {TITLE}. In: KDD; 2024. p. 100-15.", CCS),
        (f"{WRITTEN}. {TITLE}. In: NDSS; 2024. p. 100-15.", SP),
        (f"{WRITTEN}. {TITLE}. In: EMNLP Findings; 2024. p. 100-15.", EMNLP),
        (f"{WRITTEN}. {TITLE}. In: ACL (Volume 1: Long Papers); 2024. p. 100-15.", EMNLP),
    ],
)
def test_another_venue_is_still_a_mismatch(raw: str, venue: str) -> None:
    year = 2025 if "CHI" in raw else 2024
    verdict = judged(raw, venue, year=year)
    assert verdict.status is Status.MISMATCH
    assert [d.field for d in verdict.diffs] == ["container"]


DERMATITIS = "Dermatitis: Contact, Atopic, Occupational, Drug"
PATCH = "Patch testing with fragrance mixes in adolescents"
CLINICIANS = [
    Author(family="de Marino", given="Paola"),
    Author(family="de la Riva", given="María Luisa"),
    Author(family="Montes de Oca", given="Miguel"),
]


def judged_article(raw: str, venue: str) -> Verdict:
    fields = parse_reference(raw)
    claim = Citation(kind=Kind.REFERENCE, raw=raw, start=0, end=len(raw), fields=fields)
    found = Fields(
        title=PATCH, authors=CLINICIANS, year=2019, container=venue, volume="30", pages="112-118"
    )
    record = Record(source="crossref", id="10.1/patch", fields=found)
    return judge(claim, [Lookup.found("crossref", record)])


@pytest.mark.parametrize(
    "raw",
    [
        f"de Marino P, de la Riva ML, Montes de Oca M. {PATCH}. Dermatitis. 2019;30(2):112-8.",
        f"Marino, P. de, Riva, M. L. de la, & Montes de Oca, M. (2019). {PATCH}. Dermatitis, "
        "30(2), 112-118.",
        f"P. de Marino, M. L. de la Riva, and M. Montes de Oca, “{PATCH},” Dermatitis, vol. 30, "
        "no. 2, pp. 112-118, 2019.",
        f"De Marino P, De La Riva ML, Montes De Oca M (2019) {PATCH}. Dermatitis 30:112-118",
    ],
)
def test_a_journal_without_its_subtitle_and_names_with_particles_are_verified(raw: str) -> None:
    verdict = judged_article(raw, DERMATITIS)
    assert verdict.status is Status.VERIFIED and verdict.diffs == [], verdict.reason


def test_a_journal_of_another_field_is_still_a_mismatch() -> None:
    raw = f"de Marino P, de la Riva ML, Montes de Oca M. {PATCH}. Contact Lens. 2019;30(2):112-8."
    verdict = judged_article(raw, DERMATITIS)
    assert verdict.status is Status.MISMATCH
    assert [d.field for d in verdict.diffs] == ["container"]


SURNAMES = [
    "Abbott",
    "Baker",
    "Castro",
    "Dalton",
    "Ellis",
    "Farrow",
    "Garner",
    "Hughes",
    "Ingram",
    "Jensen",
    "Keller",
    "Lowe",
    "Moreno",
    "Nash",
    "Ortiz",
    "Porter",
    "Quinn",
    "Rhodes",
    "Santos",
    "Tanaka",
    "Ueda",
    "Vargas",
]
TEAM = [Author(family=name, given=f"{name[0]}. J.") for name in SURNAMES]
STUDY = "Bedside ultrasound for suspected appendicitis in children"


def apa(people: list[Author]) -> str:
    return ", ".join(f"{a.family}, {a.given}" for a in people)


def vancouver(people: list[Author]) -> str:
    return ", ".join(f"{a.family} {(a.given or '').replace('. ', '').rstrip('.')}" for a in people)


def judged_team(raw: str) -> Verdict:
    fields = parse_reference(raw)
    claim = Citation(kind=Kind.REFERENCE, raw=raw, start=0, end=len(raw), fields=fields)
    found = Fields(
        title=STUDY, authors=TEAM, year=2021, container="Pediatrics", volume="147", pages="e2020"
    )
    record = Record(source="crossref", id="10.1/team", fields=found)
    return judge(claim, [Lookup.found("crossref", record)])


@pytest.mark.parametrize(
    "raw",
    [
        # APA 7: the first 19, an ellipsis, the last.
        f"{apa(TEAM[:19])}, . . . {apa(TEAM[-1:])} (2021). {STUDY}. Pediatrics, 147, e2020.",
        f"{apa(TEAM[:19])}, … {apa(TEAM[-1:])} (2021). {STUDY}. Pediatrics, 147, e2020.",
        f"{apa(TEAM[:19])}, ... {apa(TEAM[-1:])} (2021). {STUDY}. Pediatrics, 147, e2020.",
        # Vancouver: the first 6, et al.
        f"{vancouver(TEAM[:6])}, et al. {STUDY}. Pediatrics. 2021;147:e2020.",
        # et al. after 3 and after 10.
        f"{apa(TEAM[:3])}, et al. (2021). {STUDY}. Pediatrics, 147, e2020.",
        f"{vancouver(TEAM[:10])}, et al. {STUDY}. Pediatrics. 2021;147:e2020.",
    ],
)
def test_a_list_shortened_by_its_style_is_verified(raw: str) -> None:
    verdict = judged_team(raw)
    assert verdict.status is Status.VERIFIED and verdict.diffs == [], verdict.reason


@pytest.mark.parametrize(
    "raw",
    [
        # The first 6 without et al.: a list that claims to be whole.
        f"{vancouver(TEAM[:6])}. {STUDY}. Pediatrics. 2021;147:e2020.",
        # Another person in the list.
        f"{vancouver([*TEAM[:2], Author(family='Invented', given='Z'), *TEAM[2:5]])}, et al. "
        f"{STUDY}. Pediatrics. 2021;147:e2020.",
        # Another first author.
        f"{vancouver([TEAM[3], *TEAM[:3]])}, et al. {STUDY}. Pediatrics. 2021;147:e2020.",
    ],
)
def test_a_list_cut_without_saying_so_or_changed_is_still_a_mismatch(raw: str) -> None:
    verdict = judged_team(raw)
    assert verdict.status is Status.MISMATCH
    assert [d.field for d in verdict.diffs] == ["authors"]
