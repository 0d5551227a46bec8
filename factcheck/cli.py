"""The `factcheck` command: a thin shell over Checker, `extract` and `render`.

`factcheck FILE...` is short for `factcheck check FILE...`. Heavy modules (requests,
pydantic models, rich) are imported inside the commands so that `--help` stays fast.

Exit codes: 0 nothing failed, 1 some finding's status is in --fail-on, 2 usage or input error.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from .formats import FORMATS

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
    factcheck run IN -o OUT.jsonl  evaluation jobs: every record of a JSONL/CSV/Parquet file
    factcheck report RESULTS -o F  an HTML page of a run's results: rates, flagged references
    """


def _source_options(command: Any) -> Any:
    """Options shared by commands that talk to sources; each is also a FACTCHECK_* variable."""
    options = [
        click.option(
            "--config",
            "config_file",
            type=click.Path(dir_okay=False),
            help="Settings file (factcheck.toml or pyproject.toml) [default: found upwards].",
        ),
        click.option(
            "--ignore-file",
            type=click.Path(dir_okay=False),
            help="Patterns of claims not to check [default: .factcheckignore found upwards].",
        ),
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
            "--limits-url",
            help="Share rate limits between processes and machines: redis://… (or 'local').",
        ),
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
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="text (terminal), json, jsonl, markdown, or sarif (code scanning).",
)
@click.option(
    "--fail-on",
    default=DEFAULT_FAIL_ON,
    show_default=True,
    help="Statuses that make the exit code 1.",
)
@click.option("-v", "--verbose", is_flag=True, help="List verified items too (text, markdown).")
@click.option(
    "--annotate",
    is_flag=True,
    help="Print the text itself with a marker after each claim, instead of a report.",
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False), help="Write to this file, not stdout."
)
# Draws the terminal report as an SVG picture too (README screenshots).
@click.option("--save-svg", type=click.Path(dir_okay=False), hidden=True)
@click.option(
    "--suggest",
    is_flag=True,
    help="Suggest fixes: each mismatch rewritten from its record, archived copies of dead links.",
)
@click.option(
    "--progress/--no-progress",
    default=True,
    help="Progress over the files on stderr (only on a terminal, for several files).",
)
@click.option(
    "--strict/--no-strict",
    default=None,
    help="Every difference from the record is a mismatch, also a page or a year one off.",
)
@_source_options
def check(
    files: tuple[str, ...],
    fmt: str,
    fail_on: str,
    verbose: bool,
    annotate: bool,
    output: str | None,
    save_svg: str | None,
    suggest: bool,
    progress: bool,
    **settings: Any,
) -> None:
    """Check FILES (use - for stdin) and print a verdict for every claim."""
    from .checker import Checker
    from .errors import FactcheckError

    statuses = _parse_statuses(fail_on)
    documents, had_error = _read_all(files)
    try:
        with Checker(**settings) as checker:
            reports, refused = _check_each(checker, documents, statuses, progress=progress)
            if suggest:
                from .suggest import add_suggestions

                add_suggestions(reports, checker.http)
    except FactcheckError as exc:
        _error(str(exc))
        sys.exit(EXIT_USAGE)
    texts = {d.path: d.text for d in documents}
    _emit(reports, fmt, verbose, texts=texts, annotate=annotate, output=output, save_svg=save_svg)
    if had_error or refused:
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


@main.command("run")
@click.argument("input_path", metavar="IN")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="OUT.jsonl")
@click.option("--summary", type=click.Path(dir_okay=False), help="[default: OUT.summary.json]")
@click.option("--text-field", default="text", show_default=True, help="Dotted path to the text.")
@click.option("--id-field", help="Dotted path to the record's id.")
@click.option("--group-by", help="Dotted path to the group (e.g. model): rates per group.")
@click.option("--input-format", type=click.Choice(["jsonl", "csv", "parquet"]))
@click.option("--resume", is_flag=True, help="Continue OUT where a killed run stopped.")
@click.option("--strict", is_flag=True, help="Stop at a malformed line instead of skipping it.")
@click.option("--shard", help="Only shard i/n of the records (i from 0).")
@click.option("--limit", type=click.IntRange(min=0), help="Only the first N records.")
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Processes extracting claims.",
)
@click.option("--chunk-size", type=click.IntRange(min=1), help="Records per batch.")
@click.option(
    "--fail-on",
    default=DEFAULT_FAIL_ON,
    show_default=True,
    help="Statuses that make a record's report not ok.",
)
@click.option("--ray", "ray_address", metavar="ADDRESS", help="Run on a Ray cluster.")
@click.option("--progress/--no-progress", default=True, help="Progress bar on stderr.")
@_source_options
def run_command(
    input_path: str,
    output: str,
    summary: str | None,
    text_field: str,
    id_field: str | None,
    group_by: str | None,
    input_format: str | None,
    resume: bool,
    strict: bool,
    shard: str | None,
    limit: int | None,
    jobs: int,
    chunk_size: int | None,
    fail_on: str,
    ray_address: str | None,
    progress: bool,
    **settings: Any,
) -> None:
    """Check every record of IN (JSONL, CSV or Parquet; - for JSONL on stdin): one output
    record per input in OUT, and a summary with rates and 95% intervals."""
    from pathlib import Path

    from .config import Config
    from .errors import FactcheckError
    from .pipeline import DEFAULT_CHUNK_SIZE, Fields, Format, JobOptions, Shard, run_job

    statuses = tuple(_parse_statuses(fail_on))
    try:
        options = JobOptions(
            input=input_path,
            output=Path(output),
            summary=Path(summary) if summary else None,
            fields=Fields(text=text_field, id=id_field, group=group_by),
            input_format=Format(input_format) if input_format else None,
            resume=resume,
            strict=strict,
            shard=Shard.parse(shard) if shard else None,
            limit=limit,
            jobs=jobs,
            chunk_size=chunk_size or DEFAULT_CHUNK_SIZE,
            fail_on=statuses,
            ray=ray_address,
            progress=progress,
        )
        done = run_job(options, Config.load(**settings))
    except FactcheckError as exc:
        _error(str(exc))
        sys.exit(EXIT_USAGE)
    rates = done.overall.rates
    click.echo(
        f"factcheck: {done.overall.records} records in {output} "
        f"({done.run.records} this run, {done.run.unique_claims} unique claims, "
        f"{done.run.cache_hits} cache hits); fabricated {_share(rates.fabricated.rate)}, "
        f"miscited {_share(rates.miscited.rate)}, dead links {_share(rates.dead_links.rate)}, "
        f"unverifiable {_share(rates.unverifiable.rate)}; summary in {options.summary_path}",
        err=True,
    )
    sys.exit(EXIT_OK)


@main.command("report")
@click.argument("results", type=click.Path(dir_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="OUT.html")
@click.option("--title", help="The page's title [default: factcheck report: RESULTS].")
def report_command(results: str, output: str, title: str | None) -> None:
    """Write a self-contained HTML report of RESULTS (the output of `factcheck run`, or of
    `factcheck check --format json/jsonl`): rates per group with 95% intervals, status counts,
    and a filterable table of the flagged references."""
    from .errors import FactcheckError
    from .htmlreport import write_report

    try:
        collected = write_report(results, output, title=title)
    except (FactcheckError, OSError) as exc:
        _error(str(exc))
        sys.exit(EXIT_USAGE)
    click.echo(
        f"factcheck: report of {collected.tally.records} records "
        f"({collected.flagged} flagged findings) in {output}",
        err=True,
    )


def _share(rate: float | None) -> str:
    return "n/a" if rate is None else f"{rate:.1%}"


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


def _check_each(
    checker: Any, documents: list[Document], statuses: list[Status], *, progress: bool
) -> tuple[list[Any], bool]:
    """A report per document; one the Checker refuses (longer than `max_text_chars`) is
    reported in one line and the rest still run. With `progress`, several files and a
    terminal on stderr, a bar there counts the files (stdout stays the report's)."""
    from rich.console import Console
    from rich.progress import track

    from .errors import InputError

    shown = progress and len(documents) > 1 and sys.stderr.isatty()
    console = Console(stderr=True)
    reports, had_error = [], False
    for document in track(
        documents, "checking", console=console, transient=True, disable=not shown
    ):
        try:
            reports.append(checker.check(document.text, path=document.path, fail_on=statuses))
        except InputError as exc:
            _error(str(exc))
            had_error = True
    return reports, had_error


def _emit(
    reports: list[Any],
    fmt: str,
    verbose: bool,
    *,
    texts: dict[str, str] | None = None,
    annotate: bool = False,
    output: str | None = None,
    save_svg: str | None = None,
) -> None:
    """The report, or with --annotate the annotated texts, to stdout or to --output."""
    from .formats.output import open_output, write_annotated, write_report

    texts = texts or {}
    try:
        with open_output(output) as stream:
            if annotate:
                write_annotated(reports, stream, texts=texts)
            else:
                write_report(reports, stream, fmt=fmt, texts=texts, verbose=verbose)
        if save_svg:
            from .formats.text import save_svg as draw_svg

            draw_svg(reports, save_svg, texts=texts, verbose=verbose)
    except BrokenPipeError:
        raise
    except OSError as exc:  # -o or --save-svg: a folder that does not exist, no permission
        _error(f"{exc.filename}: cannot write: {exc.strerror}")
        sys.exit(EXIT_USAGE)


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
    from .formats.text import make_console

    return make_console()


def _error(message: str) -> None:
    click.echo(f"factcheck: error: {message}", err=True)
