"""Download the ACL Anthology's BibTeX and index it for the `acl` source
(`factcheck library update acl`).

`update_index` fetches the `acl` source's `url` (the Anthology's `anthology.bib.gz`, some
15-30 MB) through the project's `Http` client, as every request: its time-outs (a budget of
`DOWNLOAD_TIMEOUT` for the whole body), a body cap of `MAX_DOWNLOAD_BYTES`, redirects
through the SSRF guard, no HTTP cache (a file this size is kept as the index, not twice).
`--from FILE` indexes a file downloaded before (air-gapped machines) instead.

The body is unpacked (gzip, or plain BibTeX) into a temporary directory beside the index,
within `MAX_BIBTEX_BYTES` (a gzip that unpacks without end is refused), read as the library
reads any .bib, `CHUNK_ENTRIES` entries at a time (the whole file at once would take about a
gigabyte of memory), each entry keyed by its Anthology id (`acl.keyed`), and written with
`library.write_index`, which moves the new index into place only once it is complete. So
a failed download, a truncated gzip or an oversized body raises an `UpdateError` saying
why, and leaves the index that was there as it was.
"""

from __future__ import annotations

import gzip
import re
import tempfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, BinaryIO, cast

from ..config import Config
from ..errors import ConfigError, FactcheckError, SourceError
from ..net.http import Http
from ..net.limits import Limit
from . import acl
from .library import Entry, Library, read_entries, write_index
from .settings import settings_for

# The download's time budget, body and all: 30 MB on a slow line.
DOWNLOAD_TIMEOUT = 600.0
# The download's body cap: twice the Anthology's gzip of 2025, room to grow.
MAX_DOWNLOAD_BYTES = 64 * 1024 * 1024
# The unpacked BibTeX's cap: about ten times the body, as text compresses.
MAX_BIBTEX_BYTES = 1024 * 1024 * 1024
# One request, at most one at a time.
DOWNLOAD_LIMIT = Limit(rate=1.0, concurrency=1)
GZIP_MAGIC = b"\x1f\x8b"
CHUNK_BYTES = 1024 * 1024
UNPACKED_NAME = "anthology.bib"
CHUNK_NAME = "chunk.bib"
# Entries read at once: a few MB of BibTeX (the Anthology's whole file is read in some 50).
CHUNK_ENTRIES = 2000
ENCODING = "utf-8-sig"  # a byte-order mark, if any, is not text
# The first line of an entry, as the Anthology writes it: `@inproceedings{key,`.
_ENTRY_START = re.compile(r"@[A-Za-z]+\{")
HTTP_OK = 200


class UpdateError(FactcheckError):
    """The index could not be updated; the one that was there is left as it was."""


@dataclass(frozen=True)
class Updated:
    """What an update did: the index it wrote, from where, how many works of which years."""

    index: Path
    origin: str
    works: int
    years: tuple[int, int] | None


def update_index(config: Config, source_file: Path | None = None) -> Updated:
    """Download the Anthology's BibTeX (or read `source_file`) and write the `acl` index
    (`acl.index_path`) atomically; UpdateError saying why if it cannot, the old index kept."""
    out = acl.index_path(config)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=".acl-update-") as work:
        bibtex = Path(work) / UNPACKED_NAME
        if source_file is not None:
            origin = str(source_file)
            _unpack_file(source_file, bibtex)
        else:
            origin = settings_for(acl.AclResolver, config).url
            _unpack_bytes(_download(config, origin), bibtex)
        try:
            works = write_index((acl.keyed(entry) for entry in _entries(bibtex)), out)
        except ConfigError as exc:
            raise UpdateError(f"{origin} is no Anthology BibTeX that could be read: {exc}") from exc
    index = Library([out])
    try:
        return Updated(out, origin, works, index.years())
    finally:
        index.close()


def _entries(bibtex: Path) -> Iterator[Entry]:
    """The entries of the unpacked BibTeX, read `CHUNK_ENTRIES` at a time (each chunk a file
    of its own beside it), so that the reading holds a chunk in memory, not the Anthology."""
    chunk = bibtex.with_name(CHUNK_NAME)
    for text in _chunks(bibtex):
        chunk.write_text(text, encoding="utf-8")
        yield from read_entries(chunk)
    chunk.unlink(missing_ok=True)


def _chunks(bibtex: Path) -> Iterator[str]:
    """The BibTeX's text cut before an entry's first line (`@type{key,` at a line's start)
    once a chunk holds CHUNK_ENTRIES entries. A value with a line that begins like an entry
    would be cut there: its chunk then fails to read (ConfigError), never reads wrong."""
    lines: list[str] = []
    entries = 0
    try:
        with bibtex.open(encoding=ENCODING) as handle:
            for line in handle:
                if _ENTRY_START.match(line):
                    if entries == CHUNK_ENTRIES:
                        yield "".join(lines)
                        lines, entries = [], 0
                    entries += 1
                lines.append(line)
    except UnicodeDecodeError as exc:
        raise UpdateError(f"the BibTeX is not UTF-8 text ({exc})") from exc
    if lines:
        yield "".join(lines)


def _download(config: Config, url: str) -> bytes:
    """The body at `url`, fetched as every request is (see the module docstring)."""
    if config.offline:
        raise UpdateError("offline: download the file yourself and use --from FILE")
    settings = {
        "timeout": max(config.timeout, DOWNLOAD_TIMEOUT),
        "max_body_bytes": MAX_DOWNLOAD_BYTES,
        "cache": "none",
        "replay": None,
    }
    try:
        with Http(config.model_copy(update=settings), limits={acl.SOURCE: DOWNLOAD_LIMIT}) as http:
            response = http.get(url, source=acl.SOURCE)
    except SourceError as exc:
        raise UpdateError(f"downloading {url} failed: {exc.reason}") from exc
    if response.status_code != HTTP_OK:
        raise UpdateError(f"downloading {url} failed: HTTP {response.status_code}")
    return response.content


def _unpack_bytes(body: bytes, target: Path) -> None:
    """Write the BibTeX in `body` (gzip or plain) to `target`, within MAX_BIBTEX_BYTES."""
    if not body.startswith(GZIP_MAGIC):
        _check_size(len(body))
        target.write_bytes(body)
        return
    inflate = zlib.decompressobj(wbits=zlib.MAX_WBITS | 16)  # gzip framing
    written = 0
    with target.open("wb") as out:
        for start in range(0, len(body), CHUNK_BYTES):
            written += _inflate(inflate, body[start : start + CHUNK_BYTES], out)
            _check_size(written)
            while inflate.unconsumed_tail:
                written += _inflate(inflate, inflate.unconsumed_tail, out)
                _check_size(written)
    if not inflate.eof:
        raise UpdateError("the download is a truncated gzip file: it ends before its data")


def _inflate(inflate: zlib._Decompress, data: bytes, out: IO[bytes]) -> int:
    """Unpack at most a chunk more of `data` into `out`; how many bytes were written."""
    try:
        chunk = inflate.decompress(data, CHUNK_BYTES)
    except zlib.error as exc:
        raise UpdateError(f"the download is no valid gzip file ({exc})") from exc
    out.write(chunk)
    return len(chunk)


def _unpack_file(source: Path, target: Path) -> None:
    """Copy the BibTeX of the file `source` (gzip or plain) to `target`, within
    MAX_BIBTEX_BYTES."""
    try:
        with source.open("rb") as raw:
            packed = raw.read(len(GZIP_MAGIC)) == GZIP_MAGIC
        with _reader(source, packed=packed) as reader, target.open("wb") as out:
            _copy(reader, out)
    except (OSError, EOFError, zlib.error) as exc:
        raise UpdateError(f"{source} cannot be read: {exc}") from exc


def _reader(source: Path, *, packed: bool) -> BinaryIO:
    if packed:
        return cast(BinaryIO, gzip.open(source, "rb"))
    return source.open("rb")


def _copy(reader: IO[bytes], out: IO[bytes]) -> None:
    written = 0
    while chunk := reader.read(CHUNK_BYTES):
        written += len(chunk)
        _check_size(written)
        out.write(chunk)


def _check_size(size: int) -> None:
    if size > MAX_BIBTEX_BYTES:
        raise UpdateError(f"the BibTeX unpacks to more than {MAX_BIBTEX_BYTES} bytes")
