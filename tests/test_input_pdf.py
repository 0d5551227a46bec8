"""PDF input: a generated two-column PDF with a known reference list comes back out with its
page numbers; encrypted, scanned and broken PDFs are refused, one clear message each."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from fakes.server import FakeApi
from inputdocs import HEADER, REFERENCES, two_column_pdf
from test_cli import env_for

from factcheck.cli import main
from factcheck.errors import InputError
from factcheck.inputs import read_document
from factcheck.inputs.pdf import _dehyphenated, _without_running_lines

pytest.importorskip("pypdfium2")
pytest.importorskip("fpdf")

MIN_RECALL = 0.95


@pytest.fixture(scope="module")
def pdf_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return two_column_pdf(tmp_path_factory.mktemp("pdf") / "paper.pdf")


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def _entry_start(text: str, number: int) -> int:
    """Where entry `number` starts: its marker and first author's name."""
    return text.index(f"[{number}] {REFERENCES[number - 1][0][:6]}")


@pytest.fixture(scope="module")
def author_year_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return two_column_pdf(tmp_path_factory.mktemp("pdf") / "author-year.pdf", numbered=False)


@pytest.mark.parametrize("made", ["pdf_file", "author_year_pdf"])
def test_references_come_back_with_pages(made: str, request: pytest.FixtureRequest) -> None:
    document = read_document(str(request.getfixturevalue(made)))
    extraction = document.located(document.extract())
    entries = [c for c in extraction.citations if c.kind.value == "reference"]
    titles = {_norm(c.fields.title or "") for c in entries}
    found = [t for _, _, t, _ in REFERENCES if any(_norm(t) in got for got in titles)]
    assert len(found) / len(REFERENCES) >= MIN_RECALL
    pages = {c.location.page for c in entries if c.location is not None}
    assert pages == {1, 2}, "the list runs over both pages"
    for entry in entries:
        assert entry.location is not None and entry.location.line >= 1
        assert document.text[entry.start : entry.end] == entry.raw


def test_columns_read_in_order_headers_and_page_numbers_dropped(pdf_file: Path) -> None:
    text = read_document(str(pdf_file)).text
    assert HEADER not in text
    assert not any(line.strip().isdigit() for line in text.splitlines())
    starts = [_entry_start(text, n) for n in range(1, len(REFERENCES) + 1)]
    assert starts == sorted(starts), "column by column, page by page"
    assert text.index("References") < starts[0]


def test_locations_point_at_the_page_line(pdf_file: Path) -> None:
    document = read_document(str(pdf_file))
    assert document.places is not None
    first = document.places.at(_entry_start(document.text, 1))
    last = document.places.at(_entry_start(document.text, len(REFERENCES)))
    assert first is not None and last is not None
    assert (first.page, last.page) == (1, 2)
    assert str(last).startswith("page 2, line ")


@pytest.mark.parametrize(
    ("lines", "joined"),
    [
        (["a word experi\x02ments go on"], ["a word experiments", "go on"]),
        (["a word experi\ufffements"], ["a word experiments", ""]),
        (["a word experi-", "ments go on"], ["a word experiments", "go on"]),
        (["Smith-", "Jones said"], ["Smith-", "Jones said"]),
        (["pages 10-", "12 here"], ["pages 10-", "12 here"]),
    ],
)
def test_hyphenation_joined_lines_kept(lines: list[str], joined: list[str]) -> None:
    assert _dehyphenated(lines) == joined


def test_running_lines_need_most_pages() -> None:
    pages = [
        ["Journal X, vol 3", "alpha", "beta", "Page 1"],
        ["Journal X, vol 3", "gamma", "delta", "Page 2"],
        ["Other top", "epsilon", "zeta", "Page 3"],
    ]
    kept = [(line.page, line.line, line.text) for line in _without_running_lines(pages)]
    assert (3, 1, "Other top") in kept
    assert all(text not in ("Journal X, vol 3",) and "Page" not in text for *_, text in kept)
    assert (2, 3, "delta") in kept


def _encrypted(tmp_path: Path) -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_encryption(owner_password="owner", user_password="user")
    pdf.add_page()
    pdf.set_font("Helvetica", size=10)
    pdf.cell(0, 5, "secret references")
    path = tmp_path / "locked.pdf"
    pdf.output(str(path))
    return path


def _scanned(tmp_path: Path) -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 50, style="F")  # a picture, no text
    path = tmp_path / "scan.pdf"
    pdf.output(str(path))
    return path


def _broken(tmp_path: Path) -> Path:
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\ngarbage" * 3)
    return path


@pytest.mark.parametrize(
    ("make", "message"),
    [(_encrypted, "encrypted"), (_scanned, "no text layer"), (_broken, "not a readable PDF")],
)
def test_unreadable_pdfs_one_clear_message(tmp_path: Path, make, message: str) -> None:  # type: ignore[no-untyped-def]
    path = make(tmp_path)
    with pytest.raises(InputError, match=message):
        read_document(str(path))
    result = CliRunner().invoke(main, ["extract", str(path)])
    assert result.exit_code == 2
    assert message in result.output


def test_text_named_pdf_is_read_as_text_when_asked(tmp_path: Path) -> None:
    path = tmp_path / "notes.pdf"
    path.write_text("Smith (2020). A title. doi:10.1000/xyz\n", encoding="utf-8")
    with pytest.raises(InputError):
        read_document(str(path))
    assert "10.1000/xyz" in read_document(str(path), "text").text


def test_check_through_the_cli_reports_pages(fake_api: FakeApi, pdf_file: Path) -> None:
    fake_api.reset()
    result = CliRunner().invoke(
        main,
        ["check", "--format", "json", "--sources", "crossref", str(pdf_file)],
        env=env_for(fake_api),
    )
    assert result.exit_code in (0, 1), result.output
    items = json.loads(result.output)["files"][0]["items"]
    references = [i for i in items if i["citation"]["kind"] == "reference"]
    assert len(references) >= MIN_RECALL * len(REFERENCES)
    assert all(i["citation"]["location"]["page"] in (1, 2) for i in references)
    text = CliRunner().invoke(
        main, ["check", "--sources", "crossref", str(pdf_file)], env=env_for(fake_api)
    )
    assert "page 2, line " in text.output


def test_a_scanned_page_among_text_pages_is_warned_about(tmp_path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=10)
    pdf.add_page()
    pdf.cell(0, 5, "Smith, J. (2020). A study of things. Journal of Things.")
    pdf.add_page()
    pdf.rect(20, 20, 100, 50, style="F")
    path = tmp_path / "mixed.pdf"
    pdf.output(str(path))
    document = read_document(str(path))
    assert "A study of things" in document.text
    assert any("page(s) 2 have no text layer" in w for w in document.warnings)
