"""Word `.docx` documents, read with python-docx: the body's paragraphs, one per line.

The text is the paragraphs joined by newlines, so a claim's offsets and line refer to that
text and its line is the paragraph's number (a manual line break inside a paragraph starts
a line too). Tables, headers, footers, footnotes and comments are not read; numbers that
Word's list numbering draws are not part of the text (the reference list is still found
under its heading, entry by entry).

A `.docx` is a zip file: before anything is parsed, the sum of its members' uncompressed
sizes must stay under MAX_UNZIPPED_BYTES (a zip bomb is refused), and the text under
MAX_DOCX_CHARS.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

from ..errors import InputError
from . import BYTES_PER_MIB, Document

MAX_UNZIPPED_BYTES = 256 * BYTES_PER_MIB
MAX_DOCX_CHARS = 10_000_000
MAX_ZIP_MEMBERS = 10_000


def docx_document(path: str, data: bytes) -> Document:
    """The paragraphs of a `.docx` given as bytes (see the module docstring)."""
    _check_zip(path, data)
    docx = _python_docx(path)
    try:
        word = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises KeyError, ValueError, lxml errors ...
        raise InputError(f"{path}: not a readable Word .docx ({type(exc).__name__})") from exc
    paragraphs = []
    size = 0
    for paragraph in word.paragraphs:
        text = paragraph.text
        size += len(text) + 1
        if size > MAX_DOCX_CHARS:
            raise InputError(f"{path}: more than {MAX_DOCX_CHARS} characters of text")
        paragraphs.append(text)
    text = "\n".join(paragraphs) + "\n"
    if not text.strip():
        raise InputError(f"{path}: the document has no text")
    return Document(path, text)


def read_docx(path: str) -> Document:
    """Read the `.docx` at `path` into a Document (InputError if it cannot be read)."""
    from . import read_bytes

    return docx_document(path, read_bytes(path))


def _check_zip(path: str, data: bytes) -> None:
    """Refuse what is not a zip, and a zip that would unpack to more than allowed."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise InputError(f"{path}: not a Word .docx (not a zip file)") from exc
    if len(members) > MAX_ZIP_MEMBERS:
        raise InputError(f"{path}: a .docx of over {MAX_ZIP_MEMBERS} parts is refused")
    if sum(member.file_size for member in members) > MAX_UNZIPPED_BYTES:
        raise InputError(
            f"{path}: unpacks to over {MAX_UNZIPPED_BYTES // BYTES_PER_MIB} MiB; refused "
            "(a zip bomb?)"
        )


def _python_docx(path: str) -> Any:
    try:
        import docx
    except ImportError as exc:
        raise InputError(
            f"{path}: reading .docx needs python-docx: pip install 'factcheck[docx]'"
        ) from exc
    return docx
