"""The `factcheck` command: a thin shell over Checker, `extract` and `render`.

`factcheck FILE...` is short for `factcheck check FILE...`. Heavy modules (requests,
pydantic models, rich) are imported inside the commands so that `--help` stays fast.

Exit codes: 0 nothing failed, 1 some finding's status is in --fail-on, 2 usage or input error.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

import click

from .inputs import INPUT_FORMATS, Document
from .interrupt import stop_at_once
from .report.formats.output import FORMATS

if TYPE_CHECKING:
    from .model import Report, Status

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
DEFAULT_FAIL_ON = "not_found,mismatch"


# How `check` and `extract` read their files: the same option on both.
_input_format = click.option(
    "--input-format",
    "input_format",
    type=click.Choice(list(INPUT_FORMATS)),
    default=None,
    help="How to read FILES (default: by extension: .pdf, .tex, .bbl, .aux, .docx, .ris, "
    ".csl.json, EndNote .xml; anything else is text).",
)


class DefaultGroup(click.Group):
    """A group that runs `check` when the first argument is not a subcommand name."""

    default_command = "check"

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """The arguments, with `check` put first when they name no subcommand (and are not a help or
        version flag)."""
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h", "--version"):
            args = [self.default_command, *args]
        return super().parse_args(ctx, args)


class SourcesOption(click.Option):
    """`--sources`, whose help lists the sources installed (plugins included), looked up
    only when the help is shown."""

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        """The option's help, with the names of the sources installed filled in."""
        from .resolve.plugins import installed

        record = super().get_help_record(ctx)
        if record is None:
            return None
        names, text = record
        return names, text.replace("{installed}", ", ".join(installed()))


@click.group(cls=DefaultGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="factcheck")
def main() -> None:
    """Check the references, identifiers and links in texts.

    \b
    factcheck FILE... [-]          check files (or stdin), same as `factcheck check`
    factcheck extract FILE...      list what would be checked, without the network
    factcheck fix FILE [-o OUT]    correct miscited references, comment out fabricated ones
    factcheck run IN -o OUT.jsonl  evaluation jobs: every record of a JSONL/CSV/Parquet file
    factcheck report RESULTS -o F  an HTML page of a run's results: rates, flagged references
    factcheck mcp [--http PORT]    serve the checks as MCP tools for agents and assistants
    factcheck serve [--port PORT]  a local web app and JSON API
    """


def _source_options(command: Any) -> Any:
    """Options shared by commands that talk to sources; each is also a FACTCHECK_* variable."""
    options = [
        click.option(
            "--config",
            "config_file",
            type=click.Path(dir_okay=False),
            help=(
                "Settings file (factcheck.toml or pyproject.toml), taken whole "
                "[default: found upwards, which may not redirect I/O or loosen security]."
            ),
        ),
        click.option(
            "--ignore-file",
            type=click.Path(dir_okay=False),
            help="Patterns of claims not to check [default: .factcheckignore found upwards].",
        ),
        click.option(
            "--sources",
            cls=SourcesOption,
            help="Comma-separated sources, in order (installed: {installed}).",
        ),
        click.option(
            "--offline/--online",
            default=None,
            help="Answer from the cache only; anything missing is unverifiable.",
        ),
        click.option("--cache", help="Cache: a SQLite path, 'none', 'default' or redis://…"),
        click.option(
            "--replay",
            multiple=True,
            type=click.Path(exists=True),
            # Several as one setting, as FACTCHECK_REPLAY holds them; none given: the variable.
            callback=lambda _ctx, _param, paths: os.pathsep.join(paths) or None,
            help="Answer from recorded cassettes (a file or folder; repeatable) instead of "
            "the network. Nothing replayed is written to the cache.",
        ),
        click.option("--mailto", help="Contact address for Crossref's polite pool."),
        click.option(
            "--timeout",
            type=float,
            help="Seconds one lookup may take on the network, redirects and retries included.",
        ),
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
@_input_format
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
    input_format: str | None,
    progress: bool,
    **settings: Any,
) -> None:
    """Check FILES (use - for stdin) and print a verdict for every claim."""
    from .checker import Checker
    from .errors import FactcheckError

    statuses = _parse_statuses(fail_on)
    inputs = _read_all(files, input_format)
    documents = [i for i in inputs if isinstance(i, Document)]
    try:
        with stop_at_once(_nothing_reported), Checker(**settings) as checker:
            checked = iter(_check_each(checker, documents, statuses, progress=progress))
            # Inputs that could not be read keep their place, as reports with an error.
            reports = [next(checked) if isinstance(i, Document) else i for i in inputs]
            if suggest:
                from .report.suggest import add_suggestions
                from .resolve.wayback import archived_copy

                add_suggestions(reports, lambda url: archived_copy(url, checker.http))
            # Nothing could be reached: said once, with the fix, not in every reason alone.
            trouble = checker.http.reachability.trouble()
    except FactcheckError as exc:
        _error(str(exc))
        sys.exit(EXIT_USAGE)
    texts = {d.path: d.text for d in documents}
    _emit(reports, fmt, verbose, texts=texts, annotate=annotate, output=output, save_svg=save_svg)
    if trouble:
        click.echo(trouble, err=True)
    if any(r.error is not None for r in reports):
        sys.exit(EXIT_USAGE)
    sys.exit(EXIT_OK if all(r.ok for r in reports) else EXIT_FAILED)


@main.command()
@click.argument("files", nargs=-1, required=True)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@_input_format
def extract(files: tuple[str, ...], fmt: str, input_format: str | None) -> None:
    """List the references, identifiers and URLs in FILES. No network."""
    from .report import render

    inputs = _read_all(files, input_format)
    found = [(i.path, i.located(i.extract())) for i in inputs if isinstance(i, Document)]
    if fmt == "json":
        click.echo(render.extraction_json(found))
    else:
        console = _console()
        for path, extraction in found:
            render.print_citations(path, extraction.citations, console)
    sys.exit(EXIT_OK if len(found) == len(inputs) else EXIT_USAGE)


@main.command("fix")
@click.argument("files", nargs=-1, required=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the fixed FILE here.")
@click.option("--write", is_flag=True, help="Fix the files in place.")
@click.option("--diff", "show_diff", is_flag=True, help="Print a unified diff; write nothing.")
@click.option(
    "--fabricated",
    type=click.Choice(["mark", "remove"]),
    default="mark",
    show_default=True,
    help="Comment out a likely fabricated reference with the reason, or remove it with its "
    "in-text citations.",
)
@click.option(
    "--fail-on",
    default=DEFAULT_FAIL_ON,
    show_default=True,
    help="Statuses to fix.",
)
@_source_options
def fix_command(
    files: tuple[str, ...],
    output: str | None,
    write: bool,
    show_diff: bool,
    fabricated: str,
    fail_on: str,
    **settings: Any,
) -> None:
    """Fix FILES: each miscited reference rewritten from the work it cites, in the file's
    own format; each likely fabricated one commented out with the reason (or removed).

    \b
    factcheck fix refs.bib -o fixed.bib   the fixed file to OUT
    factcheck fix paper.md --write        in place
    factcheck fix refs.bib --diff         a unified diff, nothing written
    factcheck fix refs.bib                the fixed text on stdout

    A summary of the changes goes to stderr. Exit status: 0 when nothing is left to flag,
    1 when some failing claim could not be fixed (or, with --diff, when the diff is not
    empty), 2 for a usage or input error.
    """
    from .checker import Checker
    from .errors import FactcheckError, InputError
    from .fix.text import fix_text
    from .inputs import STDIN

    if sum([output is not None, write, show_diff]) > 1:
        raise click.UsageError("use one of -o, --write and --diff")
    if len(files) > 1 and not (write or show_diff):
        raise click.UsageError("several files are fixed with --write or --diff")
    if write and STDIN in files:
        raise click.UsageError("stdin cannot be fixed in place: use -o or stdout")
    from .inputs import Document

    statuses = _parse_statuses(fail_on)
    # Fixing rewrites the file's own text: read as text whatever the extension (a .tex
    # file alone, not its project), never through a converter.
    inputs = _read_all(files, "text")
    documents = [i for i in inputs if isinstance(i, Document)]
    had_error = len(documents) < len(inputs)
    results = []
    try:
        with Checker(**settings) as checker:
            for document in documents:
                if write and document.warnings:
                    _error(f"{document.path}: not fixed in place: it is not valid UTF-8")
                    had_error = True
                    continue
                try:
                    results.append(
                        fix_text(
                            document.text,
                            checker=checker,
                            path=document.path,
                            fabricated=fabricated,
                            fail_on=statuses,
                        )
                    )
                except InputError as exc:
                    _error(str(exc))
                    had_error = True
    except FactcheckError as exc:
        _error(str(exc))
        sys.exit(EXIT_USAGE)
    try:
        for result in results:
            click.echo(result.summary(), err=True)
            if show_diff:
                click.echo(result.diff(), nl=False)
            elif write:
                if result.changed:
                    _write_text(result.path or "", result.fixed)
            else:
                _write_text(output, result.fixed)
    except OSError as exc:
        _error(f"{exc.filename}: cannot write: {exc.strerror}")
        sys.exit(EXIT_USAGE)
    if had_error:
        sys.exit(EXIT_USAGE)
    left = any(r.unfixed or (show_diff and r.changed) for r in results)
    sys.exit(EXIT_FAILED if left else EXIT_OK)


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
@click.option(
    "--progress/--no-progress", default=True, help="Progress bar on stderr (only on a terminal)."
)
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
    from .pipeline import DEFAULT_CHUNK_SIZE, Columns, Format, JobOptions, Shard, run_job
    from .pipeline.job import Written

    statuses = tuple(_parse_statuses(fail_on))
    try:
        options = JobOptions(
            input=input_path,
            output=Path(output),
            summary=Path(summary) if summary else None,
            fields=Columns(text=text_field, id=id_field, group=group_by),
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
        written = Written()
        with stop_at_once(lambda: _written_so_far(written, output)):
            done = run_job(options, Config.load(**settings), written=written)
    except FactcheckError as exc:
        _error(str(exc))
        sys.exit(EXIT_USAGE)
    rates = done.overall.rates
    _say(
        f"factcheck: {_counted(done.overall.records, 'record')} in {output} "
        f"({done.run.records} this run, {_counted(done.run.unique_claims, 'unique claim')}, "
        f"{_counted(done.run.cache_hits, 'cache hit')}); "
        f"fabricated {_share(rates.fabricated.rate)}, "
        f"miscited {_share(rates.miscited.rate)}, dead links {_share(rates.dead_links.rate)}, "
        f"unverifiable {_share(rates.unverifiable.rate)}; summary in {options.summary_path}"
    )
    if done.run.network_trouble:
        click.echo(done.run.network_trouble, err=True)
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
    from .pipeline.htmlreport import write_report

    try:
        collected = write_report(results, output, title=title)
    except (FactcheckError, OSError) as exc:
        _error(str(exc))
        sys.exit(EXIT_USAGE)
    _say(
        f"factcheck: report of {_counted(collected.tally.records, 'record')} "
        f"({_counted(collected.flagged, 'flagged finding')}) in {output}"
    )


def _write_text(path: str | None, text: str) -> None:
    """`text` to the file at `path` (UTF-8, line ends as they are), or to stdout."""
    from .report.formats.output import open_output

    with open_output(path) as stream:
        stream.write(text)


def _share(rate: float | None) -> str:
    return "n/a" if rate is None else f"{rate:.1%}"


@main.command("mcp")
@click.option(
    "--http",
    "http_port",
    type=click.IntRange(min=0, max=65535),
    help="Serve streamable HTTP on this port instead of stdio.",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to bind with --http (keep the default unless you know why).",
)
@_source_options
def mcp_command(http_port: int | None, host: str, **settings: Any) -> None:
    """Serve factcheck's tools over the Model Context Protocol (stdio, or --http PORT)."""
    from .checker import Checker
    from .errors import FactcheckError

    try:
        from .integrations.mcp_server import serve
    except ImportError as exc:  # the `mcp` SDK is an extra
        _error(f"{exc}; install it with: pip install 'factcheck[mcp]'")
        sys.exit(EXIT_USAGE)
    try:
        with Checker(**settings) as checker:
            serve(checker, http_port=http_port, host=host)
    except FactcheckError as exc:
        _error(str(exc))
        sys.exit(EXIT_USAGE)


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", type=click.IntRange(min=0, max=65535), default=8765, show_default=True)
@click.option(
    "--max-body-mb",
    type=click.FloatRange(min=0.001),
    default=5.0,
    show_default=True,
    help="Largest request accepted, in MB.",
)
@click.option(
    "--max-concurrent",
    type=click.IntRange(min=1),
    default=4,
    show_default=True,
    help="Checks at once; more are answered 503.",
)
@_source_options
def serve_command(
    host: str, port: int, max_body_mb: float, max_concurrent: int, **settings: Any
) -> None:
    """Serve a local web app and JSON API (POST /check, /check/stream, /extract)."""
    from .checker import Checker
    from .errors import FactcheckError

    try:
        from .web.app import ServeLimits, serve
    except ImportError as exc:  # FastAPI and uvicorn are an extra
        _error(f"{exc}; install them with: pip install 'factcheck[serve]'")
        sys.exit(EXIT_USAGE)
    limits = ServeLimits(max_body_bytes=int(max_body_mb * 1_000_000), max_concurrent=max_concurrent)
    click.echo(f"factcheck: serving on http://{host}:{port}/ (Ctrl-C stops)", err=True)
    try:
        with Checker(**settings) as checker:
            serve(checker, host=host, port=port, limits=limits)
    except FactcheckError as exc:
        _error(str(exc))
        sys.exit(EXIT_USAGE)


def _counted(count: int, noun: str) -> str:
    """`1 record`, `2 records`."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _nothing_reported() -> str:
    return "nothing was reported"


def _written_so_far(written: Any, output: str) -> str:
    """Where an interrupted `factcheck run` stopped, and how to go on."""
    return (
        f"{_counted(written.records, 'record')} in {output} ({written.this_run} this run); "
        "run the same command with --resume to continue"
    )


@main.group()
def library() -> None:
    """Offline libraries: indexes for --library, and the acl source's (update acl)."""


@library.command("build")
@click.argument("out", type=click.Path(dir_okay=False))
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
def library_build(out: str, files: tuple[str, ...]) -> None:
    """Index FILES into OUT (.sqlite) for --library: .bib, CSL-JSON .json, Crossref or
    OpenAlex .jsonl (their dumps), DBLP's .xml dump; each may be .gz-compressed."""
    from pathlib import Path

    from .errors import ConfigError
    from .resolve.library import build_index

    try:
        count = build_index([Path(f) for f in files], Path(out))
    except ConfigError as exc:
        _error(str(exc))
        sys.exit(EXIT_USAGE)
    click.echo(f"indexed {count} work(s) into {out}")


@library.command("update")
@click.argument("name", type=click.Choice(["acl"]))
@click.option(
    "--from",
    "from_file",
    type=click.Path(dir_okay=False, exists=True),
    help="Index this file (anthology.bib.gz or .bib, downloaded before) instead of downloading.",
)
def library_update(name: str, from_file: str | None) -> None:
    """Download NAME's published data and index it for its source: `acl`, the ACL
    Anthology's BibTeX, for --sources ...,acl. The old index stays if anything fails."""
    from pathlib import Path

    from .config import Config
    from .errors import FactcheckError
    from .resolve.aclupdate import update_index

    try:
        updated = update_index(Config.load(), Path(from_file) if from_file else None)
    except FactcheckError as exc:
        _error(f"the {name} index was not updated: {exc}")
        sys.exit(EXIT_USAGE)
    years = f", {updated.years[0]}-{updated.years[1]}" if updated.years else ""
    click.echo(
        f"indexed {_counted(updated.works, 'work')}{years} from {updated.origin} "
        f"into {updated.index}"
    )


def _read_all(paths: tuple[str, ...], input_format: str | None = None) -> list[Document | Report]:
    """Each input in order: its Document, or for one that cannot be read (missing, a
    folder, binary, empty) a Report with the error, also said in one line on stderr; the
    rest still run."""
    from .errors import InputError
    from .inputs import read_document

    inputs: list[Document | Report] = []
    for path in paths:
        try:
            document = read_document(path, input_format)
        except InputError as exc:
            inputs.append(_unchecked(path, exc))
            continue
        for warning in document.warnings:
            _say(f"factcheck: warning: {warning}")
        inputs.append(document)
    return inputs


def _check_each(
    checker: Any, documents: list[Document], statuses: list[Status], *, progress: bool
) -> list[Report]:
    """A report per document, in order; one the Checker refuses (longer than
    `max_text_chars`) is a report with the error, and the rest still run. With `progress`,
    several files and a terminal on stderr, a bar there counts the files (stdout stays the
    report's)."""
    from rich.console import Console
    from rich.progress import track

    from .errors import InputError

    shown = progress and len(documents) > 1 and sys.stderr.isatty()
    console = Console(stderr=True)
    reports = []
    for document in track(
        documents, "checking", console=console, transient=True, disable=not shown
    ):
        try:
            reports.append(document.check(checker, statuses))
        except InputError as exc:
            reports.append(_unchecked(document.path, exc))
    return reports


def _unchecked(path: str, error: Exception) -> Report:
    """The report of an input that could not be checked; its error goes to stderr too."""
    from .model import Report

    _error(str(error))
    return Report(path=path, error=str(error))


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
    from .report.formats.output import open_output, write_annotated, write_report

    texts = texts or {}
    try:
        with open_output(output) as stream:
            if annotate:
                write_annotated(reports, stream, texts=texts)
            else:
                write_report(reports, stream, fmt=fmt, texts=texts, verbose=verbose)
        if save_svg:
            from .report.formats.text import save_svg as draw_svg

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
    from .report.formats.text import make_console

    return make_console()


def _error(message: str) -> None:
    _say(f"factcheck: error: {message}")


def _say(line: str) -> None:
    """One line on stderr, without the control characters a file name or an input may
    carry (`safetext`)."""
    from .safetext import safe_line

    click.echo(safe_line(line), err=True)
