"""Evaluation jobs (`factcheck.pipeline`, `factcheck run`): reading records, dedupe, rates,
checkpoints, bad input, and the offline re-score. The crash-and-resume test is in
test_pipeline_resume.py."""

from __future__ import annotations

import gc
import json
import math
import sqlite3
import sys
import types
from contextlib import closing
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from fakes.server import FakeApi

from factcheck.checker import Checker
from factcheck.cli import main
from factcheck.config import Config
from factcheck.errors import InputError
from factcheck.model import Report
from factcheck.pipeline import (
    Columns,
    InputRecord,
    JobOptions,
    Rate,
    RunStats,
    Shard,
    Tally,
    assemble,
    extract_records,
    read_records,
    run,
    run_job,
    summary_path,
    verify_unique,
    wilson,
)
from factcheck.pipeline.checkpoint import OutputWriter, resume_point
from factcheck.pipeline.job import GC_YOUNG_THRESHOLD, fewer_collections
from factcheck.pipeline.provenance import CacheRange, cache_range
from factcheck.pipeline.records import lookup

REAL = (
    "10.1371/journal.pone.0033693",
    "10.1038/srep16696",
    "10.1016/j.neurobiolaging.2010.03.024",
)
FABRICATED = "10.1371/notarealdoi"


@pytest.fixture(autouse=True)
def _clean(fake_api: FakeApi) -> None:
    fake_api.reset()


def answer(*dois: str) -> str:
    return "Some sources: " + "; ".join(f"doi:{doi}" for doi in dois) + ".\n"


def write_jsonl(path: Path, rows: list[Any]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def env_for(api: FakeApi, cache: str) -> dict[str, str]:
    return {
        "FACTCHECK_CROSSREF_URL": f"{api.url}/crossref",
        "FACTCHECK_DOI_URL": f"{api.url}/doi",
        "FACTCHECK_CACHE": cache,
        "FACTCHECK_MAILTO": "test@example.org",
        "FACTCHECK_SOURCES": "crossref,doi",
    }


def cli(api: FakeApi, cache: str, *args: str) -> Result:
    return CliRunner().invoke(main, ["run", *args, "--no-progress"], env=env_for(api, cache))


def output_rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# ---------------------------------------------------------------- records


def test_dotted_paths_reach_into_dicts_and_lists() -> None:
    value = {"response": {"choices": [{"message": {"content": "hi"}}]}, "a.b": 1}
    assert lookup(value, "response.choices.0.message.content") == "hi"
    assert lookup(value, "response.choices.1.message") is None
    assert lookup(value, "a.b") == 1
    assert lookup(value, "missing.path") is None


def test_structured_text_is_read_like_the_guard_reads_it(tmp_path: Path) -> None:
    blocks = {"content": [{"type": "text", "text": "See doi:10.1/x."}]}
    path = write_jsonl(tmp_path / "in.jsonl", [{"out": blocks}])
    [record] = read_records(str(path), Columns(text="out"))
    assert record.text is not None and "doi:10.1/x" in record.text


def test_malformed_lines_and_missing_text_are_records_with_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text('{"text": "a", "id": 7}\n{"text": \n\n{"other": 1}\n', encoding="utf-8")
    records = list(read_records(str(path), Columns(id="id")))
    assert [r.row for r in records] == [1, 2, 4]
    assert records[0].id == "7" and records[0].problem is None
    assert records[1].problem == "malformed" and records[1].message is not None
    assert records[1].message.startswith("line 2:")
    assert records[2].problem == "missing_text"
    with pytest.raises(InputError, match="line 2"):
        list(read_records(str(path), Columns(), strict=True))


def test_csv_columns_and_parquet_rows(tmp_path: Path) -> None:
    csv_path = tmp_path / "in.csv"
    csv_path.write_text('id,model,text\n1,a,"two\nlines"\n2,b,\n', encoding="utf-8")
    records = list(read_records(str(csv_path), Columns(id="id", group="model")))
    assert [(r.row, r.id, r.group, r.text) for r in records] == [
        (1, "1", "a", "two\nlines"),
        (2, "2", "b", ""),
    ]
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    table = pa.table({"id": [1, 2], "response": [{"text": "x"}, {"text": None}]})
    pq.write_table(table, tmp_path / "in.parquet")
    rows = list(read_records(str(tmp_path / "in.parquet"), Columns(text="response.text")))
    assert [(r.row, r.text, r.problem) for r in rows] == [(1, "x", None), (2, None, "missing_text")]


# ---------------------------------------------------------------- rates


def test_wilson_interval_matches_known_values() -> None:
    low, high = wilson(0, 10)
    assert low == 0.0 and math.isclose(high, 0.2775, abs_tol=1e-4)
    low, high = wilson(5, 10)
    assert math.isclose(low, 0.2366, abs_tol=1e-4) and math.isclose(high, 0.7634, abs_tol=1e-4)
    assert Rate.of_counts(0, 0).rate is None


def test_tally_counts_an_entry_and_its_doi_once_and_leaves_unverifiable_out() -> None:
    def finding(kind: str, status: str, start: int, end: int) -> dict[str, Any]:
        return {
            "citation": {"kind": kind, "start": start, "end": end},
            "verdict": {"status": status},
        }

    record = {
        "row": 1,
        "group": "m",
        "findings": [
            finding("reference", "not_found", 0, 100),
            finding("doi", "not_found", 50, 70),  # inside the entry: the same work
            finding("doi", "verified", 200, 220),
            finding("doi", "unverifiable", 300, 320),
            finding("url", "not_found", 400, 420),
            finding("inline", "mismatch", 500, 505),
        ],
    }
    tally = Tally()
    tally.add(record)
    tally.add({"row": 2, "group": "m", "problem": "missing_text"})
    overall = tally.overall()
    assert overall.works.total == 3 and overall.works.not_found == 1
    assert overall.rates.fabricated.count == 1 and overall.rates.fabricated.of == 2
    assert overall.rates.dead_links.rate == 1.0
    assert overall.rates.unverifiable.count == 1 and overall.rates.unverifiable.of == 4
    assert overall.inline_problems == 1 and overall.missing_text == 1
    assert tally.groups()["m"].records == 2


# ---------------------------------------------------------------- the engine


def test_each_unique_claim_is_looked_up_once(fake_api: FakeApi) -> None:
    texts = [answer(REAL[i % len(REAL)], REAL[(i + 1) % len(REAL)]) for i in range(30)]
    stats = RunStats()
    config = fake_api.config(sources=("crossref",), mailto="test@example.org")
    results = list(run(texts, config=config, chunk_size=100, stats=stats))
    assert [r.row for r in results] == list(range(1, 31))
    assert all(r.report is not None and r.report.ok for r in results)
    hits = sum(fake_api.hits(f"/crossref/works/{doi}") for doi in REAL)
    assert hits == stats.unique == len(REAL)
    assert stats.claims == 2 * len(texts)


def test_the_three_steps_give_what_run_gives(fake_api: FakeApi) -> None:
    records = [
        InputRecord(row=1, text=answer(REAL[0])),
        InputRecord(row=2, text=answer(FABRICATED)),
    ]
    config = fake_api.config(sources=("crossref", "doi"))
    with Checker(config) as checker:
        extracted = extract_records(records)
        resolved = verify_unique(checker, extracted)
        results = assemble(checker, extracted, resolved)
        single = [checker.check(answer(REAL[0])), checker.check(answer(FABRICATED))]
    statuses = [[f.verdict.status.value for f in r.report.items] for r in results if r.report]
    assert statuses == [["verified"], ["not_found"]]
    assert statuses == [[f.verdict.status.value for f in report.items] for report in single]
    for result in results:  # the fast line is the dict, and both count the same
        assert json.loads(result.to_json()) == result.to_dict()
        by_dict, by_result = Tally(), Tally()
        by_dict.add(result.to_dict())
        by_result.add_result(result)
        assert by_dict.overall() == by_result.overall()


def test_each_text_is_judged_on_its_own_plan_from_the_batch(fake_api: FakeApi) -> None:
    """`judge_extraction` takes each text's plan from the Resolved its batch gave (by the
    Extraction's identity); an equal copy is planned anew, to the same report, and a text
    the batch never saw is refused."""
    texts = [answer(REAL[0], FABRICATED), answer(REAL[1]), answer(REAL[2])]
    config = fake_api.config(sources=("crossref", "doi"))
    with Checker(config) as checker:
        extractions = [checker.extract(text) for text in texts]
        resolved = checker.resolve_extractions(extractions[:2])
        reports = [checker.judge_extraction(e, resolved) for e in extractions[:2]]
        copies = [
            checker.judge_extraction(e.model_copy(deep=True), resolved) for e in extractions[:2]
        ]
        with pytest.raises(ValueError, match="other texts"):
            checker.judge_extraction(extractions[2], resolved)
    assert [[f.citation.raw for f in r.items] for r in reports] == [
        [c.raw for c in e.citations] for e in extractions[:2]
    ]
    assert [[f.verdict.status.value for f in r.items] for r in reports] == [
        ["verified", "not_found"],
        ["verified"],
    ]
    assert [r.model_dump() for r in copies] == [r.model_dump() for r in reports]


def test_a_job_widens_the_young_generation_only_while_it_runs() -> None:
    before = gc.get_threshold()
    with fewer_collections():
        assert gc.get_threshold() == (GC_YOUNG_THRESHOLD, *before[1:])
    assert gc.get_threshold() == before


# ---------------------------------------------------------------- checkpoints


def test_resume_point_keeps_whole_lines_and_cuts_a_torn_one(tmp_path: Path) -> None:
    path = tmp_path / "out.jsonl"
    with OutputWriter(path, append=False) as writer:
        writer.write([{"row": 1}, {"row": 3}])
    with path.open("ab") as handle:
        handle.write(b'{"row": 4, "fin')
    seen: list[dict[str, Any]] = []
    assert resume_point(path, seen.append) == {1, 3}
    assert [r["row"] for r in seen] == [1, 3]
    assert path.read_bytes().endswith(b'{"row": 3}\n')


def test_shards_split_the_records() -> None:
    shard = Shard.parse("1/3")
    assert [i for i in range(7) if shard.holds(i)] == [1, 4]


# ---------------------------------------------------------------- the command


def test_run_writes_one_record_per_input_and_a_summary(fake_api: FakeApi, tmp_path: Path) -> None:
    rows = [
        {"id": "a", "model": "m1", "response": {"text": answer(REAL[0])}},
        {"id": "b", "model": "m1", "response": {"text": answer(FABRICATED)}},
        {"id": "c", "model": "m2", "response": {}},
        {"id": "d", "model": "m2", "response": {"text": answer(REAL[0], REAL[1])}},
    ]
    source = write_jsonl(tmp_path / "in.jsonl", rows)
    with source.open("a", encoding="utf-8") as handle:
        handle.write("{not json\n")
    out = tmp_path / "out.jsonl"
    result = cli(
        fake_api,
        str(tmp_path / "cache.sqlite"),
        str(source),
        "-o",
        str(out),
        "--text-field",
        "response.text",
        "--id-field",
        "id",
        "--group-by",
        "model",
    )
    assert result.exit_code == 0, result.output
    written = output_rows(out)
    assert [r["id"] for r in written] == ["a", "b", "c", "d", None]
    assert [r["problem"] for r in written] == [None, None, "missing_text", None, "malformed"]
    assert "line 5" in written[4]["message"]
    summary = json.loads(summary_path(out).read_text(encoding="utf-8"))
    overall = summary["overall"]
    assert overall["records"] == 5 and overall["missing_text"] == 1 and overall["malformed"] == 1
    fabricated = overall["rates"]["fabricated"]
    assert (fabricated["count"], fabricated["of"]) == (1, 4)
    assert fabricated["ci95"][0] < 0.25 < fabricated["ci95"][1]
    assert set(summary["groups"]) == {"m1", "m2"}
    assert summary["groups"]["m2"]["missing_text"] == 1
    provenance = summary["provenance"]
    assert provenance["sources"] == ["crossref", "doi"]
    assert provenance["cache"]["entries"] > 0
    assert provenance["cache"]["oldest"] <= provenance["cache"]["newest"]


def test_offline_rescore_gives_identical_verdicts(fake_api: FakeApi, tmp_path: Path) -> None:
    texts = [answer(REAL[0], FABRICATED), answer(REAL[1]), answer(REAL[2], REAL[0])]
    source = write_jsonl(tmp_path / "in.jsonl", [{"text": t} for t in texts])
    cache = str(tmp_path / "cache.sqlite")
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    assert cli(fake_api, cache, str(source), "-o", str(first)).exit_code == 0
    fake_api.reset()
    result = cli(fake_api, cache, str(source), "-o", str(second), "--offline")
    assert result.exit_code == 0, result.output
    assert sum(fake_api.hits(f"/crossref/works/{doi}") for doi in (*REAL, FABRICATED)) == 0

    def verdicts(path: Path) -> list[list[tuple[str, str]]]:
        return [
            [(f["citation"]["raw"], f["verdict"]["status"]) for f in row["findings"]]
            for row in output_rows(path)
        ]

    assert verdicts(first) == verdicts(second)
    assert [r["findings"] for r in output_rows(first)] == [
        r["findings"] for r in output_rows(second)
    ]
    assert json.loads(summary_path(second).read_text())["provenance"]["offline"] is True


def test_the_cache_range_counts_what_the_file_answers_and_when(tmp_path: Path) -> None:
    """The summary's cache range, read by SQLite from the stored JSON: rows that are not
    JSON, or have no time, answer nothing and are not counted; a naive time is UTC."""
    path = tmp_path / "http.sqlite"
    rows = [
        ("a", json.dumps({"created_at": "2026-01-02T03:04:05.500000+00:00"})),
        ("b", json.dumps({"created_at": "2026-01-02T03:04:05"})),
        ("c", json.dumps({"created_at": "2025-12-31T23:00:00+00:00"})),
        ("d", b"\x80\x04pickled"),
        ("e", "{not json"),
        ("f", json.dumps({"status_code": 200})),
    ]
    with closing(sqlite3.connect(path)) as connection, connection:
        connection.execute("CREATE TABLE responses (key TEXT PRIMARY KEY, value BLOB, expires INT)")
        connection.executemany("INSERT INTO responses (key, value) VALUES (?, ?)", rows)
    found = cache_range(Config.load(env={}, cache=str(path)))
    assert found is not None
    assert found.entries == 3
    assert found.oldest == datetime(2025, 12, 31, 23, tzinfo=timezone.utc)
    assert found.newest == datetime(2026, 1, 2, 3, 4, 5, 500000, tzinfo=timezone.utc)
    empty = tmp_path / "empty.sqlite"
    sqlite3.connect(empty).close()
    assert cache_range(Config.load(env={}, cache=str(empty))) == CacheRange(
        path=str(empty), entries=0, oldest=None, newest=None
    )
    assert cache_range(Config.load(env={}, cache=str(tmp_path / "absent.sqlite"))) is None


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        ("", (), None),
        ('{"text": "x"}\n{oops\n', ("--strict",), "line 2"),
        ('{"text": "x"}\n', ("--resume", "--cache", "none"), "file cache"),
        ('{"text": "x"}\n', ("--shard", "3/2"), "0 <= i < n"),
    ],
)
def test_bad_input_gives_a_message_not_a_traceback(
    fake_api: FakeApi, tmp_path: Path, content: str, args: tuple[str, ...], message: str | None
) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(content, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = cli(fake_api, str(tmp_path / "c.sqlite"), str(source), "-o", str(out), *args)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    if message is None:  # an empty file is an empty job, not an error
        assert result.exit_code == 0, result.output
        assert out.read_text() == ""
        assert json.loads(summary_path(out).read_text())["overall"]["records"] == 0
    else:
        assert result.exit_code == 2
        assert message in result.output


def test_an_existing_output_is_not_overwritten(fake_api: FakeApi, tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", [{"text": "nothing"}])
    out = tmp_path / "out.jsonl"
    out.write_text('{"row": 1}\n')
    result = cli(fake_api, str(tmp_path / "c.sqlite"), str(source), "-o", str(out))
    assert result.exit_code == 2 and "--resume" in result.output


def test_ray_runs_through_the_same_job(
    fake_api: FakeApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--ray` hands the records to `integrations.ray.run_on_ray` (faked here: no cluster)
    and writes what it answers through the same output, in order, problems kept."""
    calls: list[dict[str, Any]] = []

    def run_on_ray(rows: Any, **settings: Any) -> Any:
        calls.append(settings)
        with Checker(settings["config"]) as checker:
            for row in rows:
                text = row[settings["text_field"]]
                yield row, checker.check(text) if text is not None else Report()

    fake = types.ModuleType("factcheck.integrations.ray")
    fake.run_on_ray = run_on_ray  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "factcheck.integrations.ray", fake)
    monkeypatch.setitem(sys.modules, "ray", types.ModuleType("ray"))
    source = write_jsonl(tmp_path / "in.jsonl", [{"text": answer(REAL[0])}, {"other": 1}])
    options = JobOptions(
        input=str(source), output=tmp_path / "o.jsonl", ray="ray://head:10001", progress=False
    )
    summary = run_job(options, fake_api.config(sources=("crossref",)))
    assert calls[0]["address"] == "ray://head:10001"
    assert [r["problem"] for r in output_rows(tmp_path / "o.jsonl")] == [None, "missing_text"]
    assert summary.overall.works.verified == 1


def test_ray_without_the_integration_errors_clearly(
    fake_api: FakeApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "factcheck.integrations.ray", None)
    source = write_jsonl(tmp_path / "in.jsonl", [{"text": "nothing"}])
    result = cli(fake_api, "none", str(source), "-o", str(tmp_path / "o.jsonl"), "--ray", "auto")
    assert result.exit_code == 2 and "--ray needs" in result.output
