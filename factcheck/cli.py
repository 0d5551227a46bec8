"""The `factcheck` command: a thin shell over Checker, `extract` and `render`.

`factcheck FILE...` is short for `factcheck check FILE...`. Heavy modules (requests,
pydantic models, rich) are imported inside the commands so that `--help` stays fast.

Exit codes: 0 nothing failed, 1 some finding's status is in --fail-on, 2 usage or input error.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from .inputs import Document
    from .model import Status

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
DEFAULT_FAIL_ON = "not_found,mismatch"


class DefaultGroup(click.Group):
    """A group that runs `check` when the first argument is not a subcommand name."""

    default_command = "check"

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h", "--version"):
            args = [self.default_command, *args]
        return super().parse_args(ctx, args)


@click.group(cls=DefaultGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="factcheck")
def main() -> None:
    """Check the references, identifiers and links in texts.

    \b
    factcheck FILE... [-]          check files (or stdin), same as `factcheck check`
    factcheck extract FILE...      list what would be checked, without the network
    """


def _source_options(command: Any) -> Any:
    """Options shared by commands that talk to sources; each is also a FACTCHECK_* variable."""
    options = [
        click.option(
            "--sources",
            help=(
                "Comma-separated resolvers, in order "
                "(crossref,doi,openalex,dblp,arxiv,pubmed,openlibrary,url,library)."
            ),
        ),
        click.option(
            "--offline/--online",
            default=None,
            help="Answer from the cache only; anything missing is unverifiable.",
        ),
        click.option("--cache", help="Cache: a SQLite path, 'none', 'default' or redis://…"),
        click.option(
            "--replay",
            type=click.Path(exists=True),
            help="Answer from recorded cassettes (a file or folder) instead of the network.",
        ),
        click.option("--mailto", help="Contact address for Crossref's polite pool."),
        click.option("--timeout", type=float, help="Read timeout per request, in seconds."),
        click.option("--crossref-url"),
        click.option("--doi-url"),
        click.option("--arxiv-url"),
        click.option("--pubmed-url"),
        click.option("--openalex-url"),
        click.option("--dblp-url"),
        click.option(
            "--allow-private-urls/--no-allow-private-urls",
            default=None,
            help="Let URL checks reach loopback and private addresses.",
        ),
        click.option(
            "--library",
            multiple=True,
            type=click.Path(dir_okay=False),
            callback=lambda _ctx, _param, paths: paths or None,  # none given: FACTCHECK_LIBRARY
            help="Your own .bib, CSL-JSON or index file, asked first (repeatable).",
        ),
        click.option(
            "--library-complete/--no-library-complete",
            default=None,
            help="The library holds every work: its misses mean not found.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@main.command()
@click.argument("files", nargs=-1, required=True)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "jsonl"]),
    default="text",
    show_default=True,
)
@click.option(
    "--fail-on",
    default=DEFAULT_FAIL_ON,
    show_default=True,
    help="Statuses that make the exit code 1.",
)
@click.option("-v", "--verbose", is_flag=True, help="List verified items too (text format).")
@_source_options
def check(files: tuple[str, ...], fmt: str, fail_on: str, verbose: bool, **settings: Any) -> None:
    """Check FILES (use - for stdin) and print a verdict for every claim."""
    from .checker import Checker
    from .errors import FactcheckError

    statuses = _parse_statuses(fail_on)
    documents, had_error = _read_all(files)
    try:
        with Checker(**settings) as checker:
            reports = [checker.check(d.text, path=d.path, fail_on=statuses) for d in documents]
    except FactcheckError as exc:
        _error(str(exc))
        sys.exit(EXIT_USAGE)
    _emit(reports, fmt, verbose)
    if had_error:
        sys.exit(EXIT_USAGE)
    sys.exit(EXIT_OK if all(r.ok for r in reports) else EXIT_FAILED)


@main.command()
@click.argument("files", nargs=-1, required=True)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def extract(files: tuple[str, ...], fmt: str) -> None:
    """List the references, identifiers and URLs in FILES. No network."""
    from . import render
    from .extract import extract_all

    documents, had_error = _read_all(files)
    found = [(d.path, extract_all(d.text)) for d in documents]
    if fmt == "json":
        click.echo(render.extraction_json(found))
    else:
        console = _console()
        for path, extraction in found:
            render.print_citations(path, extraction.citations, console)
    sys.exit(EXIT_USAGE if had_error else EXIT_OK)


@main.group()
def library() -> None:
    """Offline libraries for --library."""


@library.command("build")
@click.argument("out", type=click.Path(dir_okay=False))
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
def library_build(out: str, files: tuple[str, ...]) -> None:
    """Index FILES (.bib, CSL-JSON .json, Crossref .jsonl) into OUT (.sqlite) for --library."""
    from pathlib import Path

    from .errors import ConfigError
    from .resolve.library import build_index

    try:
        count = build_index([Path(f) for f in files], Path(out))
    except ConfigError as exc:
        _error(str(exc))
        sys.exit(EXIT_USAGE)
    click.echo(f"indexed {count} work(s) into {out}")


def _read_all(paths: tuple[str, ...]) -> tuple[list[Document], bool]:
    """Every readable input; a bad one is reported in one line and the rest still run."""
    from .errors import InputError
    from .inputs import read_document

    documents, had_error = [], False
    for path in paths:
        try:
            document = read_document(path)
        except InputError as exc:
            _error(str(exc))
            had_error = True
            continue
        for warning in document.warnings:
            click.echo(f"factcheck: warning: {warning}", err=True)
        documents.append(document)
    return documents, had_error


def _emit(reports: list[Any], fmt: str, verbose: bool) -> None:
    from . import render

    if fmt == "json":
        click.echo(render.to_json(reports))
    elif fmt == "jsonl":
        output = render.to_jsonl(reports)
        if output:
            click.echo(output)
    else:
        render.print_text(reports, _console(), verbose=verbose)


def _parse_statuses(value: str) -> list[Status]:
    from .model import Status

    try:
        return [Status(part.strip()) for part in value.split(",") if part.strip()]
    except ValueError:
        known = ", ".join(s.value for s in Status)
        raise click.BadParameter(
            f"{value!r}: use a comma-separated list of {known}", param_hint="--fail-on"
        ) from None


def _console() -> Any:
    from rich.console import Console

    return Console(highlight=False)


def _error(message: str) -> None:
    click.echo(f"factcheck: error: {message}", err=True)
