"""Input records for evaluation jobs: JSONL, CSV or Parquet rows, read one at a time.

Every row of the input becomes exactly one `InputRecord`, even a row that cannot be used: a
malformed JSONL line, or a row without the text field, comes out with `problem` set, so that
it is written to the output and counted in the summary rather than silently dropped (with
`strict`, a malformed line stops the run instead). Rows are numbered from 1 as a person
counts them: the line for JSONL, the data row (after the header) for CSV and Parquet. The
number, not the id, is what a resumed run skips by: ids repeat in real data (several samples
per prompt) and may be missing.

Fields are found by dotted paths, `response.choices.0.message.content`: dict keys, and list
indices as numbers. Without an id field, a row's own `id`, when it has one, is its id. A
value that is not a string (a list of content blocks, an SDK-shaped dict) is read with the
guard's duck typing (`factcheck.guard.textof`), so that an Anthropic `content` list or an OpenAI
response dict gives its answer text.

A JSONL line with invalid UTF-8 is read as `factcheck check` reads such a file: the bytes
that do not decode become U+FFFD, the rest is checked, and the record's `message` says so.
"""

from __future__ import annotations

import csv
import importlib
import json
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..guard.textof import join, segments
from ..inputs import decode_utf8, replaced_bytes_warning

PATH_SEPARATOR = "."
STDIN = "-"
# CSV cells hold whole answers: lift the csv module's 128 kB default cap per field.
MAX_CSV_FIELD_CHARS = 64 * 1024 * 1024
# Rows taken from a Parquet file at a time: bounded memory however large the file.
PARQUET_BATCH_ROWS = 1024
# How much of a malformed line an error message quotes.
QUOTED_CHARS = 60
# The id of a row when no id field is named, if the row has it.
DEFAULT_ID_FIELD = "id"
# How many of a row's keys a "no text" message lists.
SHOWN_KEYS = 8


class Format(str, Enum):
    """The input formats of `factcheck run`."""

    JSONL = "jsonl"
    CSV = "csv"
    PARQUET = "parquet"


SUFFIX_FORMATS = {
    ".jsonl": Format.JSONL,
    ".ndjson": Format.JSONL,
    ".json": Format.JSONL,
    ".csv": Format.CSV,
    ".parquet": Format.PARQUET,
    ".pq": Format.PARQUET,
}


class RecordProblem(str, Enum):
    """Why a record could not be checked; each is counted in the summary."""

    MALFORMED = "malformed"
    MISSING_TEXT = "missing_text"
    EXTRACTION_FAILED = "extraction_failed"


@dataclass(frozen=True)
class Columns:
    """Which fields of a row hold the text, the id and the group (dotted paths)."""

    text: str = "text"
    id: str | None = None
    group: str | None = None


@dataclass
class InputRecord:
    """One row of the input: its text, or the problem that kept it from having one."""

    row: int
    text: str | None = None
    id: str | None = None
    group: str | None = None
    problem: RecordProblem | None = None
    message: str | None = None


def detect_format(path: str, given: str | None = None) -> Format:
    """The input's format: as given, else from the file's suffix (stdin is JSONL)."""
    if given:
        return Format(given)
    if path == STDIN:
        return Format.JSONL
    suffix = Path(path).suffix.lower()
    if suffix not in SUFFIX_FORMATS:
        known = ", ".join(sorted(SUFFIX_FORMATS))
        raise InputError(f"{path}: unknown input format; use one of {known} or --input-format")
    return SUFFIX_FORMATS[suffix]


def read_records(
    path: str, fields: Columns, *, fmt: Format | None = None, strict: bool = False
) -> Iterator[InputRecord]:
    """Every row of `path` as an InputRecord, in order. Raises InputError when the file
    cannot be read, and for a malformed line when `strict`."""
    fmt = fmt or detect_format(path)
    if path != STDIN:
        check_file(path)
    if fmt is Format.JSONL:
        rows = _jsonl_rows(path, strict=strict)
    elif fmt is Format.CSV:
        rows = _csv_rows(path)
    else:
        rows = _parquet_rows(path)
    for row, value in rows:
        if isinstance(value, InputRecord):
            yield value
        elif isinstance(value, _Decoded):
            yield _with_warning(record_of(row, value.value, fields), value.warning)
        else:
            yield record_of(row, value, fields)


def record_of(row: int, value: Any, fields: Columns) -> InputRecord:
    """The InputRecord for one parsed row."""
    found = lookup(value, fields.text)
    text = found if isinstance(found, str) or found is None else _text_of(found)
    id_field = fields.id or _default_id_field(value)
    record = InputRecord(
        row=row,
        text=text,
        id=_label(lookup(value, id_field)) if id_field else None,
        group=_label(lookup(value, fields.group)) if fields.group else None,
    )
    if text is None:
        record.problem = RecordProblem.MISSING_TEXT
        record.message = f"row {row}: no text at {fields.text!r}{_keys_hint(value)}"
    return record


def _default_id_field(value: Any) -> str | None:
    """`id` when the row has it and no id field was named."""
    return DEFAULT_ID_FIELD if isinstance(value, Mapping) and DEFAULT_ID_FIELD in value else None


def _keys_hint(value: Any) -> str:
    """The row's own fields, to pick --text-field from."""
    if not isinstance(value, Mapping) or not value:
        return f" (the row is a {type(value).__name__}, not an object)"
    keys = [str(key) for key in list(value)[:SHOWN_KEYS]]
    more = ", …" if len(value) > SHOWN_KEYS else ""
    return f" (its fields: {', '.join(keys)}{more})"


@dataclass(frozen=True)
class _Decoded:
    """A JSONL row whose line held invalid UTF-8, decoded with replacements."""

    value: Any
    warning: str


def _with_warning(record: InputRecord, warning: str) -> InputRecord:
    """A record read from a line with replaced bytes: `message` says so (a problem's own
    message comes first)."""
    record.message = f"{record.message}; {warning}" if record.message else warning
    return record


def lookup(value: Any, path: str) -> Any:
    """The value at a dotted path (`choices.0.message.content`), or None if any step is
    missing. A key that itself contains dots (a CSV column "response.text") wins over the
    path through nested values."""
    if isinstance(value, Mapping) and path in value:
        return value[path]
    for step in path.split(PATH_SEPARATOR):
        if isinstance(value, Mapping):
            value = value.get(step)
        elif isinstance(value, list) and step.isdigit() and int(step) < len(value):
            value = value[int(step)]
        else:
            return None
    return value


def _text_of(value: Any) -> str | None:
    """Answer text in a structured value (content blocks, an SDK-shaped dict), if any."""
    parts = segments(value)
    return join(parts)[0] if parts else None


def _label(value: Any) -> str | None:
    """An id or group as text: strings as they are, numbers and the rest as JSON."""
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def check_file(path: str) -> None:
    """Raise InputError when `path` is missing or a folder (before anything is written)."""
    file = Path(path)
    if not file.exists():
        raise InputError(f"{path}: no such file")
    if file.is_dir():
        raise InputError(f"{path}: is a directory")


def _jsonl_rows(path: str, *, strict: bool) -> Iterator[tuple[int, Any]]:
    """(line number, parsed object) per non-blank line; a malformed line as an InputRecord,
    a line with invalid UTF-8 as `_Decoded`."""
    with _open_binary(path) as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            line, bad_byte = decode_utf8(raw)
            try:
                value = json.loads(line)
            except (json.JSONDecodeError, RecursionError) as exc:
                message = f"line {number}: not valid JSON ({_why(exc)}): {_quote(raw)}"
                if strict:
                    raise InputError(f"{path}: {message}") from None
                yield (
                    number,
                    InputRecord(row=number, problem=RecordProblem.MALFORMED, message=message),
                )
                continue
            if bad_byte is None:
                yield number, value
            else:
                yield number, _Decoded(value, replaced_bytes_warning(f"line {number}", bad_byte))


def _csv_rows(path: str) -> Iterator[tuple[int, dict[str, str]]]:
    csv.field_size_limit(MAX_CSV_FIELD_CHARS)
    try:
        with _open_text(path) as handle:
            yield from enumerate(csv.DictReader(handle), start=1)
    except (UnicodeDecodeError, csv.Error) as exc:
        raise InputError(f"{path}: cannot read as CSV: {exc}") from None


def _parquet_rows(path: str) -> Iterator[tuple[int, dict[str, Any]]]:
    try:
        pq = parquet()
    except ImportError:
        raise InputError(
            f"{path}: reading Parquet needs pyarrow: pip install 'factcheck[parquet]'"
        ) from None
    try:
        batches = pq.ParquetFile(path).iter_batches(batch_size=PARQUET_BATCH_ROWS)
        row = 0
        for batch in batches:
            for value in batch.to_pylist():
                row += 1
                yield row, value
    except (OSError, ValueError) as exc:  # pyarrow's ArrowIOError, ArrowInvalid
        raise InputError(f"{path}: cannot read as Parquet: {exc}") from None


def parquet() -> Any:
    """pyarrow.parquet, imported on first use (the `parquet` extra; it ships no types)."""
    return importlib.import_module("pyarrow.parquet")


def _open_binary(path: str) -> Any:
    return sys.stdin.buffer if path == STDIN else open(path, "rb")


def _open_text(path: str) -> Any:
    if path == STDIN:
        return sys.stdin
    return open(path, encoding="utf-8", newline="")


def _why(exc: Exception) -> str:
    if isinstance(exc, RecursionError):
        return "nested too deeply to read"
    assert isinstance(exc, json.JSONDecodeError)
    return f"{exc.msg} at column {exc.colno}"


def _quote(raw: bytes) -> str:
    text = raw.decode("utf-8", errors="replace").strip()
    return repr(text if len(text) <= QUOTED_CHARS else text[:QUOTED_CHARS] + "…")
