"""Reading texts to check: files or stdin, decoded safely, with clear errors.

Invalid UTF-8 is decoded with U+FFFD replacement characters and a warning, so nothing
else in the text is lost; offsets then refer to the decoded text. Binary files (NUL bytes
near the start), empty files and files over `MAX_INPUT_BYTES` are refused.

`MAX_INPUT_BYTES` bounds the memory one input may take while it is read; the checking limit
is the Checker's `max_text_chars` (TextTooLarge). At the default 10 million characters, a
text the Checker accepts is at most 40 MB of UTF-8, so it is never refused here first.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError

STDIN = "-"
MAX_INPUT_BYTES = 64 * 1024 * 1024
BYTES_PER_MIB = 1024 * 1024
# NUL bytes within this many leading bytes mark a binary file (as git and grep judge it).
BINARY_SNIFF_BYTES = 8192


@dataclass
class Document:
    """A decoded input, with anything worth warning about."""

    path: str
    text: str
    warnings: list[str] = field(default_factory=list)


def read_document(path: str) -> Document:
    """Read `path` (or stdin for "-") into a Document, or raise InputError."""
    data = _read_bytes(path)
    return decode(path, data)


def decode(path: str, data: bytes) -> Document:
    """Decode bytes as UTF-8; refuse binary or empty input."""
    if not data.strip():
        raise InputError(f"{path}: the input is empty")
    if b"\x00" in data[:BINARY_SNIFF_BYTES]:
        raise InputError(f"{path}: looks like a binary file (NUL bytes); give a text file")
    text, bad_byte = decode_utf8(data)
    if bad_byte is None:
        return Document(path, text)
    return Document(path, text, [replaced_bytes_warning(path, bad_byte)])


def decode_utf8(data: bytes) -> tuple[str, int | None]:
    """`data` as UTF-8, undecodable bytes replaced with U+FFFD, and the offset of the first
    of them (None when there was none). `factcheck run` reads JSONL lines the same way."""
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        return data.decode("utf-8", errors="replace"), exc.start


def replaced_bytes_warning(where: str, bad_byte: int) -> str:
    return f"{where}: invalid UTF-8 at byte {bad_byte}; undecodable bytes were replaced with U+FFFD"


def _read_bytes(path: str) -> bytes:
    if path == STDIN:
        data = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
    else:
        file = Path(path)
        if not file.exists():
            raise InputError(f"{path}: no such file")
        if file.is_dir():
            raise InputError(f"{path}: is a directory")
        try:
            with file.open("rb") as handle:
                data = handle.read(MAX_INPUT_BYTES + 1)
        except OSError as exc:
            raise InputError(f"{path}: cannot read: {exc.strerror}") from exc
    if len(data) > MAX_INPUT_BYTES:
        raise InputError(
            f"{path}: larger than {MAX_INPUT_BYTES // BYTES_PER_MIB} MiB, the most factcheck "
            "reads from one input; split it"
        )
    return data
