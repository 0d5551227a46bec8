"""In-text citations: forms, spans, and their links to the entries of the same answer."""

from __future__ import annotations

import importlib
import json
import time
from pathlib import Path
from typing import Any

import pytest

from factcheck.extract.bibliography import find_references_with_labels
from factcheck.extract.bounds import Bounds
from factcheck.extract.inline import Links, find_inline, find_inline_with_labels, link
from factcheck.model import Author, Citation, Fields, Kind

ANSWERS = Path(__file__).resolve().parent.parent / "fixtures" / "answers"
FIXTURES = sorted(ANSWERS.glob("*.md"))


def _links(
    text: str, parsed: list[Fields] | None = None
) -> tuple[list[tuple[Citation, str]], Links]:
    references = find_references_with_labels(text)
    inline = find_inline_with_labels(text, references)
    fields = parsed if parsed is not None else [Fields() for _ in references]
    return inline, link(inline, references, fields)


@pytest.mark.parametrize("path", FIXTURES, ids=lambda path: path.stem)
def test_fixture_citations_spans_and_links(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    gold = json.loads(path.with_suffix(".gold.json").read_text(encoding="utf-8"))
    inline, links = _links(text)
    found = sorted(
        (citation.start, citation.end, citation.raw, row.reference_index, row.problem)
        for (citation, _), row in zip(inline, links.links, strict=False)
    )
    expected = sorted(
        (c["start"], c["end"], c["raw"], c["reference"], c["problem"]) for c in gold["inline"]
    )
    assert found == expected
    uncited = [row.reference_index for row in links.links if row.problem == "uncited"]
    assert uncited == gold["uncited"]


def _labels(text: str) -> list[tuple[str, str]]:
    return [(citation.raw, label) for citation, label in find_inline_with_labels(text, [])]


def test_parenthetical_author_year_gives_one_citation_per_work() -> None:
    text = "It holds (see Smith et al., 2020a; Lee & Wu, 2019, p. 4)."
    found = find_inline_with_labels(text, [])
    assert [(c.raw, label) for c, label in found] == [
        ("Smith et al., 2020a", "Smith 2020a"),
        ("Lee & Wu, 2019, p. 4", "Lee 2019"),
    ]
    smith, lee = (citation for citation, _ in found)
    assert smith.fields.authors == [Author(family="Smith")]
    assert smith.fields.year == 2020
    assert [a.family for a in lee.fields.authors] == ["Lee", "Wu"]
    assert all(c.kind is Kind.INLINE and text[c.start : c.end] == c.raw for c, _ in found)


def test_narrative_forms() -> None:
    text = "Smith (2020) agreed with Smith and Lee (2019) and van Dongen et al.'s (2003) data."
    assert _labels(text) == [
        ("Smith (2020)", "Smith 2020"),
        ("Smith and Lee (2019)", "Smith 2019"),
        ("van Dongen et al.'s (2003)", "van Dongen 2003"),
    ]


def test_years_alone_in_parentheses_are_not_citations() -> None:
    text = "In (2020) the Transformer (2017) and WHO (2019) and March (2021) and (1921–2011)."
    assert _labels(text) == []


def test_numeric_forms_and_range_expansion() -> None:
    text = "Shown before [1], [2, 4] and [5–7]; see also [^3] and items[1] and `x[9]`."
    assert [label for _, label in _labels(text)] == ["1", "2", "4", "5", "6", "7", "^3"]


def test_superscripts_but_not_powers_or_units() -> None:
    text = "Trials showed it.¹ Later work²⁻⁴ agreed. Area is 5 km² and x² + 10⁶."
    assert [label for _, label in _labels(text)] == ["1", "2", "3", "4"]


def test_pandoc_keys_and_file_marks() -> None:
    text = "As argued [see @rubin1974, p. 4; @imbens2015] and noted【4:0†guide.pdf】."
    assert _labels(text) == [
        ("@rubin1974, p. 4", "@rubin1974"),
        ("@imbens2015", "@imbens2015"),
        ("4:0†guide.pdf", "4:0†guide.pdf"),
    ]


def test_parenthesised_numbers_only_when_the_list_uses_them() -> None:
    listed = (
        "Shown here (1). We do (1) this and (2) that.\n\n"
        "References\n(1) Smith J. A title. Nature. 2019;5:1-9.\n"
    )
    assert [c.raw for c in find_inline(listed)] == ["1"]
    unlisted = "Shown here (1)."
    assert find_inline(unlisted) == []


def test_year_and_author_disagreements_and_missing_entries() -> None:
    text = (
        "Known (Smith, 2019). Also (Lee & Park, 2021) and (Nobody, 2000).\n\n"
        "## References\n\n"
        "- Smith, J. (2020). A title. *Journal*, 1(2), 3-4.\n"
        "- Lee, K., & Wu, H. (2021). Another title. *Journal*, 5(6), 7-8.\n"
        "- Kim, S. (2018). Never cited. *Journal*, 9(1), 1-2.\n"
    )
    _, links = _links(text)
    problems = [(row.citation_index, row.reference_index, row.problem) for row in links.problems()]
    assert problems == [
        (0, 0, "year_mismatch"),
        (1, 1, "author_mismatch"),
        (2, None, "no_entry"),
        (None, 2, "uncited"),
    ]


def test_parsed_fields_take_precedence_over_the_raw_fallback() -> None:
    text = (
        "As shown (Garcia, 2015).\n\n"
        "## References\n\n- J. Garcia. Title. Journal, 1(2), 3-4, 2015.\n"
    )
    parsed = [Fields(authors=[Author(family="García")], year=2016)]
    _, links = _links(text, parsed)
    assert [(row.reference_index, row.problem) for row in links.links] == [(0, "year_mismatch")]


def test_numbers_link_by_label_and_check_narrative_authors() -> None:
    text = (
        "Lewis et al. [1] built it; Guu et al. [2] too, and [9] is missing.\n\n"
        'References\n[1] P. Lewis et al., "RAG," in Proc. NeurIPS, 2020.\n'
        '[2] G. Izacard and E. Grave, "FiD," in Proc. EACL, 2021.\n'
    )
    _, links = _links(text)
    assert [(row.reference_index, row.problem) for row in links.links] == [
        (0, None),
        (1, "author_mismatch"),
        (None, "no_entry"),
    ]


def test_no_findings_without_a_bibliography() -> None:
    _, links = _links("As shown (Smith, 2020) and [3].")
    assert links.problems() == []


def test_suffix_picks_the_entry() -> None:
    text = (
        "First (Smith, 2020b).\n\n## References\n\n"
        "- Smith, J. (2020a). One. *Journal*, 1(2), 3-4.\n"
        "- Smith, J. (2020b). Two. *Journal*, 1(3), 5-6.\n"
    )
    _, links = _links(text)
    assert links.links[0].reference_index == 1


@pytest.mark.parametrize(
    "text",
    [
        "",
        "[" * 100_000,
        "[1]" * 20_000,
        "[1" * 100_000,
        "(" * 100_000,
        "(Smith, 2020; " * 50_000,
        "¹" * 100_000,
        "x " * 500_000,
        "Литература: (Бахтин, 1979) и [1].",
    ],
    ids=[
        "empty",
        "open-brackets",
        "numbers",
        "unclosed-numbers",
        "open-parens",
        "unclosed-groups",
        "superscripts",
        "1mb",
        "russian",
    ],
)
def test_pathological_input_is_fast_and_safe(text: str) -> None:
    started = time.perf_counter()
    for citation in find_inline(text):
        assert text[citation.start : citation.end] == citation.raw
    assert time.perf_counter() - started < 10


APA_LIST = """As Okafor et al. (2019) and Brandt and Lee (2020) show, reefs recover.

## References

1. Okafor, M., et al. (2019). Coral reef recovery after bleaching. *Marine Ecology*, 4, 1-9.
2. Brandt, L., & Lee, K. (2020). Heat stress in shallow reefs. *Coral Reefs*, 39, 10-19.
3. Okafor et al. (2021). Larval supply and reef recovery. *Ecology*, 102, e03301.
"""


def test_author_year_citations_inside_entries_are_never_made(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An entry that opens "Okafor et al. (2021)" reads like a narrative citation: it is found,
    set aside as part of the entry, and never made into a citation."""
    inline_module = importlib.import_module("factcheck.extract.inline")
    made: list[int] = []
    real = inline_module._author_year

    def counted(text: str, start: int, *args: Any) -> tuple[Citation, str]:
        made.append(start)
        return real(text, start, *args)

    monkeypatch.setattr(inline_module, "_author_year", counted)
    found = find_inline_with_labels(APA_LIST, find_references_with_labels(APA_LIST))
    assert [label for _, label in found] == ["Okafor 2019", "Brandt 2020"]
    prose_end = APA_LIST.index("\n")
    assert made and all(start < prose_end for start in made)


def test_set_aside_citations_count_towards_no_cap() -> None:
    """Under a cap on claims, the citations inside entries are set aside before the cap is
    counted: those in the prose are all kept, and nothing is cut."""
    bounds = Bounds(claims=1)
    found = find_inline_with_labels(APA_LIST, find_references_with_labels(APA_LIST), bounds)
    assert [label for _, label in found] == ["Okafor 2019", "Brandt 2020"]
    assert bounds.cut is None
