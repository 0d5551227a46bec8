from pathlib import Path

import pytest

from factcheck.errors import InputError
from factcheck.inputs import decode, read_document


def test_reads_utf8(tmp_path: Path) -> None:
    file = tmp_path / "a.md"
    file.write_text("see doi:10.1/x — ok", encoding="utf-8")
    document = read_document(str(file))
    assert document.text == "see doi:10.1/x — ok"
    assert document.warnings == []


def test_invalid_utf8_is_replaced_with_a_warning() -> None:
    document = decode("a.md", b"caf\xe9 doi:10.1/x")
    assert document.text == "caf\ufffd doi:10.1/x"
    assert "invalid UTF-8 at byte 3" in document.warnings[0]


@pytest.mark.parametrize(
    ("data", "message"),
    [(b"", "empty"), (b"  \n\t", "empty"), (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary")],
)
def test_refused_inputs(data: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message):
        decode("f", data)


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_document(str(tmp_path / "nope.txt"))
    with pytest.raises(InputError, match="directory"):
        read_document(str(tmp_path))
