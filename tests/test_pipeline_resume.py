"""`factcheck run --resume` after a SIGKILL: no record lost or duplicated, no lookup repeated.

A real `python -m factcheck run` process checks 30 records (5 per chunk) against the fake
sources, with a file cache. One DOI in a later chunk answers only after a long delay, so the
process is known to be waiting there, with some chunks written, when the test kills it.
A torn line is then appended (what a kill in mid-write leaves) and the run is resumed.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from fakes.server import FakeApi, sleep

RECORDS = 30
CHUNK = 5
# The record whose DOI hangs: the first of the fifth chunk.
HANGING = 4 * CHUNK
HANG_SECONDS = 8.0
WAIT_SECONDS = 20.0
POLL_SECONDS = 0.05
# The real DOIs every record also cites: each must still be looked up only once.
SHARED = ("10.1371/journal.pone.0033693", "10.1038/srep16696")


def doi(i: int) -> str:
    return f"10.5555/resume.{i:03d}"


def command(api: FakeApi, source: Path, out: Path, cache: Path, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "factcheck",
        "run",
        str(source),
        "-o",
        str(out),
        "--id-field",
        "id",
        "--chunk-size",
        str(CHUNK),
        "--cache",
        str(cache),
        "--sources",
        "crossref",
        "--crossref-url",
        f"{api.url}/crossref",
        "--mailto",
        "test@example.org",
        "--no-progress",
        *extra,
    ]


def lines(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines(keepends=True) if path.exists() else []


def test_a_killed_run_resumes_without_loss_duplicates_or_repeated_lookups(
    fake_api: FakeApi, tmp_path: Path
) -> None:
    fake_api.reset()
    source = tmp_path / "in.jsonl"
    rows = [
        {"id": f"r{i}", "text": f"See doi:{doi(i)} and doi:{SHARED[i % len(SHARED)]}."}
        for i in range(RECORDS)
    ]
    source.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    out, cache = tmp_path / "out.jsonl", tmp_path / "cache.sqlite"
    fake_api.inject(f"/crossref/works/{doi(HANGING)}", sleep(HANG_SECONDS))

    process = subprocess.Popen(
        command(fake_api, source, out, cache), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + WAIT_SECONDS
        while not (
            len(lines(out)) >= CHUNK and fake_api.hits(f"/crossref/works/{doi(HANGING)}") == 1
        ):
            assert process.poll() is None, process.communicate()[1].decode()
            assert time.monotonic() < deadline, "the run did not reach the hanging lookup"
            time.sleep(POLL_SECONDS)
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.kill()
        process.communicate()
    written = len(lines(out))
    assert written % CHUNK == 0 and written <= HANGING  # whole chunks, the hanging one not
    with out.open("ab") as handle:
        handle.write(b'{"row": 21, "id": "r20", "fin')

    done = subprocess.run(
        command(fake_api, source, out, cache, "--resume"), capture_output=True, timeout=60
    )
    assert done.returncode == 0, done.stderr.decode()

    records = [json.loads(line) for line in lines(out)]
    assert sorted(r["id"] for r in records) == sorted(row["id"] for row in rows)
    assert [r["row"] for r in records] == list(range(1, RECORDS + 1))
    for i in range(RECORDS):
        # Asked once, except the one whose answer the kill cut off: that one had none yet.
        expected = 2 if i == HANGING else 1
        assert fake_api.hits(f"/crossref/works/{doi(i)}") == expected, doi(i)
    for shared in SHARED:
        assert fake_api.hits(f"/crossref/works/{shared}") == 1
    summary = json.loads((tmp_path / "out.summary.json").read_text())
    assert summary["overall"]["records"] == RECORDS
    assert summary["run"]["records"] == RECORDS - written
