"""Reading texts to check: files or stdin, decoded safely, with clear errors.

Besides plain text, `read_document` reads PDF (`pdf`), a LaTeX project (`latex`, with its
`.bib` files), a compiled `.bbl` or `.aux`, Word `.docx` and RIS, EndNote XML and CSL-JSON
bibliographies, chosen by the file's extension or by `fmt` (`--input-format`). Each reader
is a function of its own module (`read_pdf`, `read_latex`, ...) returning a Document whose
`places` lead a claim's offset back to its page and line, or file and line.

Invalid UTF-8 is decoded with U+FFFD replacement characters and a warning, so nothing
else in the text is lost; offsets then refer to the decoded text. Binary files (NUL bytes
near the start), empty files and files over `MAX_INPUT_BYTES` are refused.

`MAX_INPUT_BYTES` bounds the memory one input may take while it is read; the checking limit
is the Checker's `max_text_chars` (TextTooLarge). At the default 10 million characters, a
text the Checker accepts is at most 40 MB of UTF-8, so it is never refused here first.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import InputError
from .places import Places, Segment, place

if TYPE_CHECKING:
    from collections.abc import Iterable

    from ..checker import Checker
    from ..model import Extraction, Report, Status

__all__ = [
    "INPUT_FORMATS",
    "MAX_INPUT_BYTES",
    "STDIN",
    "Document",
    "Places",
    "Segment",
    "decode",
    "decode_utf8",
    "format_of",
    "place",
    "read_bytes",
    "read_document",
    "replaced_bytes_warning",
]

STDIN = "-"
MAX_INPUT_BYTES = 64 * 1024 * 1024
BYTES_PER_MIB = 1024 * 1024
# NUL bytes within this many leading bytes mark a binary file (as git and grep judge it).
BINARY_SNIFF_BYTES = 8192


@dataclass
class Document:
    """A decoded input, with anything worth warning about.

    `text` is what offsets refer to. `places`, for inputs that are not plain text, maps
    offsets back to page or file and line. `extraction`, for inputs whose claims are read
    from their structure (a bibliography file's records, a LaTeX project's `\\cite` keys
    and `.bib` entries), holds the claims; otherwise they are extracted from `text`."""

    path: str
    text: str
    warnings: list[str] = field(default_factory=list)
    places: Places | None = None
    extraction: Extraction | None = None

    def extract(self) -> Extraction:
        """The claims of this document: its own extraction, or those found in its text."""
        if self.extraction is not None:
            return self.extraction
        from ..extract import extract_all

        return extract_all(self.text)

    def located(self, extraction: Extraction) -> Extraction:
        """`extraction` with each claim's location set from `places` (when there are any)."""
        if self.places is not None:
            for citation in extraction.citations:
                citation.location = self.places.at(citation.start)
        return extraction

    def _refuse_oversized(self, limit: int) -> None:
        """The Checker's `max_text_chars` holds for a ready extraction's text too."""
        from ..errors import TextTooLarge

        if len(self.text) > limit:
            raise TextTooLarge.of(self.path, len(self.text), limit)

    def check(self, checker: Checker, fail_on: Iterable[Status] | None = None) -> Report:
        """This document checked by `checker`, each finding with its location."""
        if self.extraction is None:
            report = checker.check(self.text, path=self.path, fail_on=fail_on)
        else:
            self._refuse_oversized(checker.config.max_text_chars)
            report = checker.verify_extraction(self.extraction, path=self.path, fail_on=fail_on)
        return place(report, self.places)


# Input formats (`--input-format`), each with the extensions that choose it.
INPUT_FORMATS: dict[str, tuple[str, ...]] = {
    "text": (),
    "pdf": (".pdf",),
    "latex": (".tex",),
    "bbl": (".bbl",),
    "aux": (".aux",),
    "docx": (".docx",),
    "ris": (".ris",),
    "endnote": (".enw.xml", ".endnote.xml"),
    "csl-json": (".csl.json", ".csljson"),
}
# An EndNote XML export is a `.xml` file whose opening holds this tag.
ENDNOTE_SNIFF = b"<records>"
SNIFF_BYTES = 4096


def format_of(path: str, fmt: str | None = None) -> str:
    """The input format of `path`: `fmt` when given, else chosen by extension ("text" for
    anything unknown, so Markdown, `.bib` and plain texts read as before)."""
    if fmt is not None:
        if fmt not in INPUT_FORMATS:
            raise InputError(f"unknown input format {fmt!r}; one of {', '.join(INPUT_FORMATS)}")
        return fmt
    name = path.lower()
    for name_format, suffixes in INPUT_FORMATS.items():
        if suffixes and name.endswith(suffixes):
            return name_format
    return "text"


def read_document(path: str, fmt: str | None = None) -> Document:
    """Read `path` (or stdin for "-") into a Document, or raise InputError. `fmt` names the
    input format (see INPUT_FORMATS); without it the extension decides."""
    chosen = format_of(path, fmt)
    if chosen == "latex":
        from .latex import read_latex

        if path == STDIN:
            raise InputError("a LaTeX project is read from its main .tex file, not stdin")
        return read_latex(path)
    data = read_bytes(path)
    if chosen == "text" and path.lower().endswith(".xml") and ENDNOTE_SNIFF in data[:SNIFF_BYTES]:
        chosen = "endnote"
    return _READERS.get(chosen, decode)(path, data)


def _readers() -> dict[str, Callable[[str, bytes], Document]]:
    """The byte-reading functions of each format, imported when first used."""

    def lazy(module: str, name: str) -> Callable[[str, bytes], Document]:
        def read(path: str, data: bytes) -> Document:
            from importlib import import_module

            reader: Callable[[str, bytes], Document] = getattr(
                import_module(f"{__name__}.{module}"), name
            )
            return reader(path, data)

        return read

    return {
        "pdf": lazy("pdf", "pdf_document"),
        "bbl": lazy("latex", "bbl_document"),
        "aux": lazy("latex", "aux_document"),
        "docx": lazy("word", "docx_document"),
        "ris": lazy("bibfiles", "ris_document"),
        "endnote": lazy("bibfiles", "endnote_document"),
        "csl-json": lazy("bibfiles", "csl_json_document"),
    }


_READERS = _readers()


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
    """The warning for a text whose invalid UTF-8 was replaced, naming the first bad byte."""
    return f"{where}: invalid UTF-8 at byte {bad_byte}; undecodable bytes were replaced with U+FFFD"


def read_bytes(path: str) -> bytes:
    """The bytes of `path` (stdin for "-"), at most MAX_INPUT_BYTES, or InputError."""
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
