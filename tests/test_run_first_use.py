"""`factcheck run` as a newcomer meets it: ids without --id-field, a --text-field that finds
nothing, --resume with other options, nothing left behind by a failed start, the progress bar
only on a terminal, counts that agree across a resume, grammar, and invalid UTF-8."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from fakes.server import FakeApi

from factcheck.cli import main
from factcheck.config import Config
from factcheck.inputs import decode
from factcheck.pipeline import Columns, JobOptions, read_records, run_job
from factcheck.pipeline.job import run_file_path
from factcheck.pipeline.progress import ProgressBar

REAL = ("10.1371/journal.pone.0033693", "10.1038/srep16696")
FABRICATED = "10.1371/notarealdoi"


@pytest.fixture(autouse=True)
def _clean(fake_api: FakeApi) -> None:
    fake_api.reset()


def write_jsonl(path: Path, rows: list[Any]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def cli(api: FakeApi, cache: Path, *args: str) -> Result:
    env = {
        "FACTCHECK_CROSSREF_URL": f"{api.url}/crossref",
        "FACTCHECK_DOI_URL": f"{api.url}/doi",
        "FACTCHECK_CACHE": str(cache),
        "FACTCHECK_MAILTO": "test@example.org",
        "FACTCHECK_SOURCES": "crossref,doi",
    }
    return CliRunner().invoke(main, ["run", *args, "--no-progress"], env=env)


def rows_of(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def text(*dois: str) -> str:
    return "Sources: " + "; ".join(f"doi:{d}" for d in dois) + ".\n"


# --- ids -------------------------------------------------------------------------------------


def test_a_records_own_id_is_its_id_without_id_field(tmp_path: Path) -> None:
    source = write_jsonl(
        tmp_path / "in.jsonl",
        [
            {"id": "a", "text": "x"},
            {"id": 7, "text": "y"},
            {"text": "z"},
            {"key": "k", "text": "w"},
        ],
    )
    assert [r.id for r in read_records(str(source), Columns())] == ["a", "7", None, None]
    named = read_records(str(source), Columns(id="key"))
    assert [r.id for r in named] == [None, None, None, "k"]


def test_csv_rows_with_an_id_column(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("id,text\nq1,hello\nq2,world\n", encoding="utf-8")
    assert [r.id for r in read_records(str(source), Columns())] == ["q1", "q2"]


# --- a text field that finds nothing ---------------------------------------------------------


def test_a_text_field_that_matches_no_record_is_an_error(fake_api: FakeApi, tmp_path: Path) -> None:
    source = write_jsonl(
        tmp_path / "in.jsonl", [{"prompt": "p", "answer": text(REAL[0])}, {"answer": "b"}]
    )
    out = tmp_path / "out.jsonl"
    result = cli(fake_api, tmp_path / "c.sqlite", str(source), "-o", str(out))
    assert result.exit_code == 2
    assert "--text-field 'text' finds no text in any record" in result.stderr
    assert "its fields: prompt, answer" in result.stderr
    assert not out.exists() and not run_file_path(out).exists()
    fixed = cli(
        fake_api, tmp_path / "c.sqlite", str(source), "-o", str(out), "--text-field", "answer"
    )
    assert fixed.exit_code == 0, fixed.output
    assert [r["problem"] for r in rows_of(out)] == [None, None]


def test_a_long_input_is_judged_on_its_first_chunk(fake_api: FakeApi, tmp_path: Path) -> None:
    rows = [{"answer": "x"}] * 4 + [{"text": text(REAL[0])}]
    source = write_jsonl(tmp_path / "in.jsonl", rows)
    out = tmp_path / "out.jsonl"
    result = cli(fake_api, tmp_path / "c", str(source), "-o", str(out), "--chunk-size", "2")
    assert result.exit_code == 2
    assert "finds no text in the first 2 records" in result.stderr
    # A text within the first chunk is enough: records without one are still written.
    late = cli(fake_api, tmp_path / "c", str(source), "-o", str(out), "--chunk-size", "5")
    assert late.exit_code == 0
    assert [r["problem"] for r in rows_of(out)] == ["missing_text"] * 4 + [None]


def test_malformed_lines_alone_are_not_a_text_field_error(
    fake_api: FakeApi, tmp_path: Path
) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text("{not json\n[1, 2\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = cli(fake_api, tmp_path / "c", str(source), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert [r["problem"] for r in rows_of(out)] == ["malformed", "malformed"]


# --- resume with other options ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("changed", "named"),
    [
        (["--text-field", "answer"], "--text-field was 'text', now 'answer'"),
        (["--group-by", "model"], "--group-by was none, now 'model'"),
        (["--sources", "crossref"], "--sources was crossref,doi, now crossref"),
        (["--shard", "0/2"], "--shard was none, now '0/2'"),
        (["--fail-on", "not_found"], "--fail-on was not_found,mismatch, now not_found"),
        (["--doi-url", "http://127.0.0.1:9/doi"], "--doi-url was"),
    ],
)
def test_resume_with_other_options_is_refused_with_the_difference(
    fake_api: FakeApi, tmp_path: Path, changed: list[str], named: str
) -> None:
    rows = [
        {"id": f"r{i}", "text": text(REAL[i % 2]), "answer": "a", "model": "m"} for i in range(4)
    ]
    source = write_jsonl(tmp_path / "in.jsonl", rows)
    out, cache = tmp_path / "out.jsonl", tmp_path / "c.sqlite"
    assert cli(fake_api, cache, str(source), "-o", str(out), "--limit", "2").exit_code == 0
    before = out.read_bytes()
    refused = cli(fake_api, cache, str(source), "-o", str(out), "--resume", *changed)
    assert refused.exit_code == 2
    assert named in refused.stderr
    assert "other options than its run started with" in refused.stderr
    assert out.read_bytes() == before


def test_resume_with_the_same_options_and_a_larger_limit_goes_on(
    fake_api: FakeApi, tmp_path: Path
) -> None:
    rows = [{"id": f"r{i}", "text": text(REAL[i % 2], FABRICATED)} for i in range(5)]
    source = write_jsonl(tmp_path / "in.jsonl", rows)
    out, cache = tmp_path / "out.jsonl", tmp_path / "c.sqlite"
    first = cli(fake_api, cache, str(source), "-o", str(out), "--limit", "1", "--chunk-size", "2")
    assert first.exit_code == 0
    assert (
        "factcheck: 1 record in" in first.stderr and "(1 this run, 2 unique claims" in first.stderr
    )
    resumed = cli(fake_api, cache, str(source), "-o", str(out), "--resume", "--chunk-size", "2")
    assert resumed.exit_code == 0, resumed.output
    assert "factcheck: 5 records in" in resumed.stderr and "(4 this run" in resumed.stderr
    assert [r["id"] for r in rows_of(out)] == [row["id"] for row in rows]

    # The same job in one go counts exactly what the run and its resume counted.
    whole = tmp_path / "whole.jsonl"
    assert cli(fake_api, cache, str(source), "-o", str(whole), "--chunk-size", "2").exit_code == 0
    resumed_summary = json.loads((tmp_path / "out.summary.json").read_text(encoding="utf-8"))
    whole_summary = json.loads((tmp_path / "whole.summary.json").read_text(encoding="utf-8"))
    assert resumed_summary["overall"] == whole_summary["overall"]
    assert rows_of(out) == rows_of(whole)


def test_an_output_without_a_run_file_still_resumes(fake_api: FakeApi, tmp_path: Path) -> None:
    """Outputs written before run files existed are resumed as before (nothing to compare)."""
    source = write_jsonl(tmp_path / "in.jsonl", [{"text": text(REAL[0])}, {"text": text(REAL[1])}])
    out, cache = tmp_path / "out.jsonl", tmp_path / "c.sqlite"
    assert cli(fake_api, cache, str(source), "-o", str(out), "--limit", "1").exit_code == 0
    run_file_path(out).unlink()
    resumed = cli(fake_api, cache, str(source), "-o", str(out), "--resume", "--group-by", "x")
    assert resumed.exit_code == 0, resumed.output


# --- nothing left behind by a failed start ---------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["--sources", "crossref,nosuch"],  # refused when the Checker is built, after opening
        ["--input-format", "parquet"],  # a JSONL file read as Parquet
    ],
)
def test_a_failed_start_leaves_no_output(
    fake_api: FakeApi, tmp_path: Path, args: list[str]
) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", [{"text": text(REAL[0])}])
    out = tmp_path / "out.jsonl"
    result = cli(fake_api, tmp_path / "c.sqlite", str(source), "-o", str(out), *args)
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert not out.exists()
    assert not run_file_path(out).exists()
    assert cli(fake_api, tmp_path / "c.sqlite", str(source), "-o", str(out)).exit_code == 0


def test_a_missing_input_leaves_no_output(fake_api: FakeApi, tmp_path: Path) -> None:
    out = tmp_path / "sub" / "out.jsonl"
    result = cli(fake_api, tmp_path / "c.sqlite", str(tmp_path / "nope.jsonl"), "-o", str(out))
    assert result.exit_code == 2
    assert "no such file" in result.stderr
    assert not out.exists()


# --- the progress bar ------------------------------------------------------------------------


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def bar_output(monkeypatch: pytest.MonkeyPatch, stream: io.StringIO, *, enabled: bool) -> str:
    monkeypatch.setattr(sys, "stderr", stream)
    monkeypatch.delenv("TERM", raising=False)
    with ProgressBar(total=3, enabled=enabled):
        pass
    return stream.getvalue()


def test_the_bar_is_drawn_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    assert "records" in bar_output(monkeypatch, Terminal(), enabled=True)
    assert bar_output(monkeypatch, io.StringIO(), enabled=True) == ""
    assert bar_output(monkeypatch, Terminal(), enabled=False) == ""


def test_a_library_job_draws_nothing_unless_asked(
    fake_api: FakeApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stderr = Terminal()
    monkeypatch.setattr(sys, "stderr", stderr)
    source = write_jsonl(tmp_path / "in.jsonl", [{"text": text(REAL[0])}])
    options = JobOptions(input=str(source), output=tmp_path / "out.jsonl")
    assert options.progress is False
    run_job(options, fake_api.config(sources=("crossref", "doi")))
    assert stderr.getvalue() == ""


# --- invalid UTF-8 ----------------------------------------------------------------------------


def test_invalid_utf8_in_a_line_is_read_as_check_reads_a_file(
    fake_api: FakeApi, tmp_path: Path
) -> None:
    line = b'{"id": "a", "text": "Caf\xe9 (2012). doi:' + REAL[0].encode() + b'"}\n'
    source = tmp_path / "in.jsonl"
    source.write_bytes(line + json.dumps({"id": "b", "text": "plain"}).encode() + b"\n")
    out = tmp_path / "out.jsonl"
    result = cli(fake_api, tmp_path / "c.sqlite", str(source), "-o", str(out))
    assert result.exit_code == 0, result.output
    first, second = rows_of(out)
    assert first["problem"] is None
    assert [f["verdict"]["status"] for f in first["findings"]] == ["verified"]
    # The same words `factcheck check` warns with, about the line instead of the file.
    checked = decode("f.md", line)
    assert checked.warnings == [first["message"].replace("line 1", "f.md")]
    assert "\ufffd" in checked.text
    assert second["message"] is None


def test_strict_still_stops_at_a_line_that_is_not_json(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_bytes(b'{"text": "caf\xe9"}\n{broken\n')
    with pytest.raises(Exception, match="line 2: not valid JSON"):
        list(read_records(str(source), Columns(), strict=True))


def test_config_is_untouched_by_a_job(fake_api: FakeApi, tmp_path: Path) -> None:
    """run_job reads options and settings only: the same Config runs two jobs alike."""
    config: Config = fake_api.config(sources=("crossref", "doi"))
    source = write_jsonl(tmp_path / "in.jsonl", [{"text": text(REAL[0])}])
    first = run_job(JobOptions(input=str(source), output=tmp_path / "1.jsonl"), config)
    second = run_job(JobOptions(input=str(source), output=tmp_path / "2.jsonl"), config)
    assert first.overall == second.overall
