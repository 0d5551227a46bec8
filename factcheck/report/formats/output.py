"""What `factcheck check` writes: a report in one of the formats, or the annotated texts.

The caller opens the stream (stdout, or the `-o` file); the terminal format decides on
colour from that stream (see `text.wants_color`).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import IO

from ...model import Report

# Between annotated texts of several files, as `head` separates them.
FILE_HEADER = "==> {path} <=="


def write_report(
    reports: Sequence[Report],
    stream: IO[str],
    *,
    fmt: str,
    texts: Mapping[str, str],
    verbose: bool = False,
) -> None:
    """The report in format `fmt` (one of `formats.FORMATS`)."""
    if fmt == "text":
        from .text import make_console, print_report

        print_report(reports, make_console(stream), texts=texts, verbose=verbose)
        return
    document = _document(reports, fmt, texts, verbose)
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


def _document(reports: Sequence[Report], fmt: str, texts: Mapping[str, str], verbose: bool) -> str:
    if fmt == "markdown":
        from .markdown import to_markdown

        return to_markdown(reports, texts=texts, verbose=verbose)
    if fmt == "sarif":
        from .sarif import to_sarif

        return to_sarif(reports, texts=texts)
    from .. import render

    if fmt == "jsonl":
        return render.to_jsonl(reports)
    if fmt == "json":
        return render.to_json(reports)
    raise ValueError(f"unknown format {fmt!r}")


@contextmanager
def open_output(path: str | None) -> Iterator[IO[str]]:
    """The `-o` file (UTF-8, line endings as written), or stdout when there is none."""
    if path is None:
        yield sys.stdout
        return
    with open(path, "w", encoding="utf-8", newline="") as stream:
        yield stream
