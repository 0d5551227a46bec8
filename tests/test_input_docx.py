"""Word input: a generated .docx with a known reference list; what is not a .docx, and a
zip bomb, refused."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from fakes.server import FakeApi
from inputdocs import REFERENCES, word_file
from test_cli import env_for

from factcheck.cli import main
from factcheck.errors import InputError
from factcheck.inputs import read_document
from factcheck.inputs import word as word_module
from factcheck.model import Kind

pytest.importorskip("docx")

MIN_RECALL = 0.95


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


@pytest.mark.parametrize("numbered", [True, False])
def test_reference_list_found(tmp_path: Path, numbered: bool) -> None:
    document = read_document(str(word_file(tmp_path / "paper.docx", numbered=numbered)))
    entries = [c for c in document.extract().citations if c.kind is Kind.REFERENCE]
    titles = [_norm(e.fields.title or "") for e in entries]
    found = [t for _, _, t, _ in REFERENCES if any(_norm(t) in got for got in titles)]
    assert len(found) / len(REFERENCES) >= MIN_RECALL
    for entry in entries:
        assert document.text[entry.start : entry.end] == entry.raw


def test_paragraph_is_a_line(tmp_path: Path) -> None:
    text = read_document(str(word_file(tmp_path / "paper.docx"))).text
    lines = text.splitlines()
    assert lines[0] == "A study of citations"
    assert lines[2] == "References"
    assert lines[3].startswith("[1] Vaswani")


def test_not_a_zip_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "fake.docx"
    path.write_text("I am plain text", encoding="utf-8")
    with pytest.raises(InputError, match="not a zip file"):
        read_document(str(path))


def test_zip_without_word_parts_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(InputError, match="not a readable Word"):
        read_document(str(path))


def test_zip_bomb_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(word_module, "MAX_UNZIPPED_BYTES", 1_000_000)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"\0" * 2_000_000)
    path = tmp_path / "bomb.docx"
    path.write_bytes(buffer.getvalue())
    assert path.stat().st_size < 100_000
    with pytest.raises(InputError, match="zip bomb"):
        read_document(str(path))


def test_check_through_the_cli(fake_api: FakeApi, tmp_path: Path) -> None:
    fake_api.reset()
    path = word_file(tmp_path / "paper.docx")
    result = CliRunner().invoke(
        main,
        ["check", "--format", "json", "--sources", "crossref", str(path)],
        env=env_for(fake_api),
    )
    assert result.exit_code in (0, 1), result.output
    items = json.loads(result.output)["files"][0]["items"]
    assert sum(i["citation"]["kind"] == "reference" for i in items) >= MIN_RECALL * len(REFERENCES)
    bad = CliRunner().invoke(main, ["extract", str(tmp_path / "missing.docx")])
    assert bad.exit_code == 2
