"""What `factcheck check` writes: a report in one of the formats, or the annotated texts.

The caller opens the stream (stdout, or the `-o` file); the terminal format decides on
colour from that stream (see `text.wants_color`).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from ...model import Report

# Between annotated texts of several files, as `head` separates them.
FILE_HEADER = "==> {path} <=="

# A format's writer: the reports, the stream, the checked texts by path, and `verbose`.
Writer = Callable[[Sequence["Report"], IO[str], Mapping[str, str], bool], None]


def _text(
    reports: Sequence[Report], stream: IO[str], texts: Mapping[str, str], verbose: bool
) -> None:
    from .text import make_console, print_report

    print_report(reports, make_console(stream), texts=texts, verbose=verbose)


def _markdown(
    reports: Sequence[Report], stream: IO[str], texts: Mapping[str, str], verbose: bool
) -> None:
    from .markdown import to_markdown

    _put(stream, to_markdown(reports, texts=texts, verbose=verbose))


def _sarif(
    reports: Sequence[Report], stream: IO[str], texts: Mapping[str, str], verbose: bool
) -> None:
    from .sarif import to_sarif

    _put(stream, to_sarif(reports, texts=texts))


def _json(
    reports: Sequence[Report], stream: IO[str], texts: Mapping[str, str], verbose: bool
) -> None:
    from ..render import to_json

    _put(stream, to_json(reports))


def _jsonl(
    reports: Sequence[Report], stream: IO[str], texts: Mapping[str, str], verbose: bool
) -> None:
    from ..render import to_jsonl

    _put(stream, to_jsonl(reports))


# Every format `factcheck check --format` offers, by name, in the order `--help` lists them.
# Each writer imports its module when used, so naming the formats loads none of them.
WRITERS: dict[str, Writer] = {
    "text": _text,
    "json": _json,
    "jsonl": _jsonl,
    "markdown": _markdown,
    "sarif": _sarif,
}
FORMATS = tuple(WRITERS)


def write_report(
    reports: Sequence[Report],
    stream: IO[str],
    *,
    fmt: str,
    texts: Mapping[str, str],
    verbose: bool = False,
) -> None:
    """The report in format `fmt` (one of `FORMATS`)."""
    writer = WRITERS.get(fmt)
    if writer is None:
        raise ValueError(f"unknown format {fmt!r}")
    writer(reports, stream, texts, verbose)


def _put(stream: IO[str], document: str) -> None:
    """A whole document, ending with one line break; nothing for an empty one."""
    if document:
        stream.write(document if document.endswith("\n") else document + "\n")


def write_annotated(
    reports: Sequence[Report], stream: IO[str], *, texts: Mapping[str, str]
) -> None:
    """Each checked text with its markers; with several, each under a `==> path <==` line."""
    from .annotate import annotate, is_markdown
    from .common import display_path

    several = len(reports) > 1
    for index, report in enumerate(reports):
        text = texts.get(report.path or "")
        if text is None:
            continue
        annotated = annotate(text, report.items, markdown=is_markdown(report.path, text))
        if several:
            separator = "\n" if index else ""
            header = FILE_HEADER.format(path=display_path(report.path))
            stream.write(separator + header + "\n")
            annotated += "" if annotated.endswith("\n") else "\n"
        stream.write(annotated)


@contextmanager
def open_output(path: str | None) -> Iterator[IO[str]]:
    """The `-o` file (UTF-8, line endings as written), or stdout when there is none."""
    if path is None:
        yield sys.stdout
        return
    with open(path, "w", encoding="utf-8", newline="") as stream:
        yield stream
