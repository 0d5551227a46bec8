"""Claims not to check: `.factcheckignore` patterns and inline `factcheck: ignore` markers."""

from __future__ import annotations

from pathlib import Path

import pytest
from servers import LocalServer, Reply

from factcheck.checker import Checker
from factcheck.config import Config
from factcheck.errors import ConfigError
from factcheck.extract import extract_all
from factcheck.extract.ignore import IgnoreList, drop_marked
from factcheck.model import Citation, Extraction, Fields, Kind, Link


def claim(kind: Kind, raw: str, **fields: str) -> Citation:
    return Citation(kind=kind, raw=raw, start=0, end=len(raw), fields=Fields(**fields))


def ignores(patterns: str, citation: Citation) -> bool:
    return IgnoreList.parse(patterns).matches(citation)


DOI = claim(Kind.DOI, "doi:10.1234/ABC.5", doi="10.1234/ABC.5")
DOI_LINK = claim(
    Kind.DOI, "https://doi.org/10.1234/x", doi="10.1234/x", url="https://doi.org/10.1234/x"
)
ARXIV = claim(Kind.ARXIV, "arXiv:2101.00001v3", arxiv="2101.00001v3")
URL = claim(Kind.URL, "https://internal.example/a/b", url="https://internal.example/a/b")


@pytest.mark.parametrize(
    ("pattern", "citation", "expected"),
    [
        ("10.1234/abc.5", DOI, True),  # any case
        ("10.1234/abc", DOI, False),  # the whole DOI, not a prefix
        ("10.1234/*", DOI, True),
        ("10.1234/ABC.?", DOI, True),
        ("10.9999/*", DOI, False),
        ("doi:10.1234/abc.5", DOI, True),
        ("https://doi.org/10.1234/ABC.5", DOI, True),  # a DOI link means the DOI
        ("10.1234/x", DOI_LINK, True),
        ("arxiv:2101.00001", ARXIV, True),  # any version
        ("arXiv:2101.00001v3", ARXIV, True),
        ("arxiv:2101.00001v2", ARXIV, False),
        ("https://internal.example/*", URL, True),
        ("https://internal.example/a", URL, False),
        (r"re:^https://internal\.example/", URL, True),
        (r"re:internal\.example", URL, True),  # searched, not anchored
        (r"re:^https://other\.example/", URL, False),
        (r"re:^doi:10\.1234/", DOI, True),  # the claim as written
        ("# 10.1234/*\n\n", DOI, False),
        ("10.1234/*   # our own DOIs", DOI, True),  # a comment after the pattern
        ("https://internal.example/a/b#frag", URL, False),  # '#' in a URL is not a comment
    ],
)
def test_patterns(pattern: str, citation: Citation, expected: bool) -> None:
    assert ignores(pattern, citation) is expected


def test_other_identifiers() -> None:
    assert ignores("pmid:123", claim(Kind.PMID, "PMID: 123", pmid="123"))
    assert ignores("pmcid:pmc77", claim(Kind.PMCID, "PMC77", pmcid="PMC77"))
    assert ignores("isbn:978-0-306-40615-7", claim(Kind.ISBN, "x", isbn="9780306406157"))
    assert not ignores("pmid:12", claim(Kind.PMID, "PMID: 123", pmid="123"))


def test_brackets_in_a_doi_are_literal() -> None:
    doi = "10.1002/(SICI)1097-4571[1]"
    assert ignores(doi, claim(Kind.DOI, doi, doi=doi))
    assert not ignores(
        doi, claim(Kind.DOI, "10.1002/(SICI)1097-45711", doi="10.1002/(SICI)1097-45711")
    )


def test_an_entry_matches_by_the_identifiers_written_in_it() -> None:
    entry = claim(
        Kind.REFERENCE, "Smith (2020). A title. doi:10.1/y", doi="10.1/y", title="A title"
    )
    assert ignores("10.1/*", entry)


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("re:([unclosed", "bad regular expression"),
        ("example.org/x", "cannot read"),
        ("doi:", "no doi in"),
        ("pmid:1 pmid:2", "spaces in"),
        ("https://a.example/ https://b.example/", "spaces in"),
    ],
)
def test_a_bad_line_names_file_and_line(tmp_path: Path, line: str, problem: str) -> None:
    path = tmp_path / ".factcheckignore"
    path.write_text(f"# fine\n10.1/x\n{line}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=rf"\.factcheckignore:3: {problem}"):
        IgnoreList.read(path)


def test_a_missing_ignore_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read ignore file"):
        IgnoreList.read(tmp_path / "nothere")


# Applying to an extraction.

REFERENCES = """As shown [1], and again [2].

## References

1. Smith, J. (2020). A title of the paper. Journal of Things, 1(2), 3-4. https://doi.org/10.1000/xyz123
2. Doe, A. (2019). Another paper on things. Nature, 5, 1-2. https://example.org/paper
"""


def _raws(extraction: Extraction) -> list[str]:
    return [c.raw for c in extraction.citations]


def _linked(extraction: Extraction) -> list[tuple[str | None, str | None]]:
    """Each link as the raw texts it joins, so that a wrong renumbering shows."""
    cited = extraction.citations
    return [
        (
            None if row.inline is None else cited[row.inline].raw,
            None if row.reference is None else cited[row.reference].raw[:5],
        )
        for row in extraction.links
    ]


def test_ignoring_an_entrys_doi_drops_the_entry_and_renumbers_links() -> None:
    extraction = extract_all(REFERENCES)
    assert len(_linked(extraction)) == 2
    kept = IgnoreList.parse("10.1000/xyz123").apply(extraction)
    raws = _raws(kept)
    assert not any("Smith" in raw or "xyz123" in raw for raw in raws)
    assert any(raw.startswith("Doe") for raw in raws)
    assert "https://example.org/paper" in raws
    assert _linked(kept) == [("2", "Doe, ")]


def test_no_pattern_leaves_the_extraction_alone() -> None:
    extraction = extract_all(REFERENCES)
    assert IgnoreList().apply(extraction) is extraction
    assert IgnoreList.parse("10.5/none").apply(extraction) == extraction


# Inline markers.


def test_markdown_marker_skips_the_next_entry_with_what_is_inside_it() -> None:
    text = REFERENCES.replace("2. Doe", "<!-- factcheck: ignore -->\n2. Doe")
    raws = _raws(extract_all(text))
    assert not any(raw.startswith("Doe") for raw in raws)
    assert "https://example.org/paper" not in raws
    assert any(raw.startswith("Smith") for raw in raws)
    assert "https://doi.org/10.1000/xyz123" in raws
    assert _linked(extract_all(text)) == [("1", "Smith")]


def test_marker_in_plain_text_skips_only_the_next_claim() -> None:
    text = (
        "First doi:10.1/a, then <!--factcheck:ignore--> https://intranet.example/x "
        "and doi:10.1/b.\n"
    )
    assert _raws(extract_all(text)) == ["doi:10.1/a", "doi:10.1/b"]


def test_latex_style_marker_before_a_bibtex_entry() -> None:
    text = (
        "% factcheck: ignore\n"
        "@article{smith2020,\n  title = {A title},\n  doi = {10.1000/xyz123},\n}\n"
        "@article{doe2019,\n  title = {Another},\n  doi = {10.1000/abc},\n}\n"
    )
    raws = _raws(extract_all(text))
    assert not any("smith2020" in raw or raw == "10.1000/xyz123" for raw in raws)
    assert "10.1000/abc" in raws


@pytest.mark.parametrize(
    "commented",
    [
        "<!-- factcheck: commented out: likely fabricated: no such DOI\n"
        "2. Doe, J. (2019). Invented work. doi:10.1/gone https://example.org/x\n-->\n",
        "<!-- factcheck: commented out: likely fabricated: doi:10.1/gone: doi:10.1/gone -->\n",
        "% factcheck: commented out: likely fabricated: no such DOI 10.1/gone\n"
        "% @article{doe2019,\n%   title = {Invented},\n%   doi = {10.1/gone},\n% }\n",
    ],
)
def test_what_factcheck_commented_out_is_not_checked_again(commented: str) -> None:
    text = f"References\n\n1. Smith, J. (2020). Real. doi:10.1/real\n{commented}Then doi:10.1/b.\n"
    raws = _raws(extract_all(text))
    assert not any("gone" in raw or "Doe" in raw or "example.org" in raw for raw in raws)
    assert "doi:10.1/real" in raws and "doi:10.1/b" in raws


def test_other_comments_are_still_read() -> None:
    text = "<!-- see doi:10.1/a -->\n% a note on doi:10.1/b\n"
    assert _raws(extract_all(text)) == ["doi:10.1/a", "doi:10.1/b"]


def test_marker_with_nothing_after_it_and_text_without_markers() -> None:
    text = "doi:10.1/a <!-- factcheck: ignore -->"
    assert _raws(extract_all(text)) == ["doi:10.1/a"]
    extraction = Extraction(citations=[claim(Kind.DOI, "doi:10.1/a", doi="10.1/a")])
    assert drop_marked("doi:10.1/a", extraction) is extraction


def test_links_to_dropped_claims_go_too() -> None:
    entry = Citation(kind=Kind.REFERENCE, raw="Entry", start=60, end=65)
    inline = Citation(kind=Kind.INLINE, raw="[1]", start=50, end=53)
    other = Citation(kind=Kind.INLINE, raw="[2]", start=10, end=13)
    extraction = Extraction(
        citations=[other, inline, entry],
        links=[Link(inline=0, reference=None, problem="no_entry"), Link(inline=1, reference=2)],
    )
    text = " " * 20 + "<!-- factcheck: ignore -->" + " " * 30  # ends at 46
    kept = drop_marked(text, extraction)
    assert _raws(kept) == ["[2]", "Entry"]
    assert kept.links == [Link(inline=0, reference=None, problem="no_entry")]


# Through the Checker.


def test_ignored_claims_are_not_looked_up_nor_reported(
    local_server: LocalServer, tmp_path: Path
) -> None:
    local_server.on("/keep", Reply(200))
    local_server.on("/skip", Reply(200))
    ignore_file = tmp_path / "ignore"
    ignore_file.write_text("# our staging site\nre:/skip$\n", encoding="utf-8")
    text = f"See {local_server.url('/keep')} and {local_server.url('/skip')}.\n"
    config = Config(
        sources=("url",), allow_private_urls=True, cache="none", ignore_file=ignore_file
    )
    with Checker(config) as checker:
        report = checker.check(text)
    assert [item.citation.raw for item in report.items] == [local_server.url("/keep")]
    assert local_server.hits("/skip") == 0
    assert local_server.hits("/keep") >= 1


def test_batch_path_leaves_ignored_claims_out(tmp_path: Path) -> None:
    """`resolve_extractions` and `judge_extraction` (factcheck run) honour the list too."""
    ignore_file = tmp_path / "ignore"
    ignore_file.write_text("10.1/skip\n", encoding="utf-8")
    extraction = extract_all("doi:10.1/keep and doi:10.1/skip\n")
    config = Config(sources=("doi",), offline=True, cache="none", ignore_file=ignore_file)
    with Checker(config) as checker:
        resolved = checker.resolve_extractions([extraction])
        report = checker.judge_extraction(extraction, resolved)
    assert list(resolved.lookups) == ["doi:10.1/keep"]
    assert [item.citation.raw for item in report.items] == ["doi:10.1/keep"]


def test_config_load_finds_the_ignore_file_upwards(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".factcheckignore").write_text("10.1/*\n", encoding="utf-8")
    (tmp_path / "docs").mkdir()
    monkeypatch.chdir(tmp_path / "docs")
    assert Config.load(env={}).ignore_file == tmp_path / ".factcheckignore"
    named = tmp_path / "other"
    assert Config.load(env={"FACTCHECK_IGNORE_FILE": str(named)}).ignore_file == named
    assert Config.load(env={}, ignore_file=named).ignore_file == named


def test_without_an_ignore_file_nothing_is_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    assert Config.load(env={}).ignore_file is None
