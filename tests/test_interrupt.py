"""Ctrl-C in `factcheck check` and `factcheck run` while requests hang (factcheck/interrupt.py):
the process stops within seconds instead of waiting out the requests, exits 130, and a run
says how many records its output holds and that --resume continues it.

Real processes get a real SIGINT, while the fake sources hold a request open far longer than
the test waits for the process to stop (the one wall-clock bound here is that ratio)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from fakes.server import FakeApi, sleep

ROOT = Path(__file__).resolve().parent.parent
# The held request would answer after this long (the client's read timeout is longer)...
HOLD_SECONDS = 60.0
# ...and the process must be gone this soon after Ctrl-C: a small fraction of the hold.
STOP_SECONDS = 6.0
WAIT_SECONDS = 30.0
POLL_SECONDS = 0.05
CHUNK = 3
RECORDS = 7
HANGING = CHUNK  # the first record of the second chunk


def doi(i: int) -> str:
    return f"10.5555/interrupt.{i:03d}"


def start(api: FakeApi, *args: str) -> subprocess.Popen[bytes]:
    command = [
        sys.executable,
        "-m",
        "factcheck",
        *args,
        "--sources",
        "crossref",
        "--crossref-url",
        f"{api.url}/crossref",
        "--timeout",
        str(HOLD_SECONDS * 2),
        "--mailto",
        "test@example.org",
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)


def wait_until(ready: Callable[[], bool], process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not ready():
        assert process.poll() is None, process.communicate()[1].decode()
        assert time.monotonic() < deadline, "the process never reached the held request"
        time.sleep(POLL_SECONDS)


def interrupt(process: subprocess.Popen[bytes]) -> tuple[int, str, float]:
    """Ctrl-C; the exit code, stderr, and the seconds the process took to stop."""
    sent = time.monotonic()
    process.send_signal(signal.SIGINT)
    try:
        _, stderr = process.communicate(timeout=STOP_SECONDS * 4)
    finally:
        process.kill()
    return process.returncode, stderr.decode(), time.monotonic() - sent


@pytest.fixture(autouse=True)
def _clean(fake_api: FakeApi) -> None:
    fake_api.reset()


def test_ctrl_c_stops_a_check_at_once(fake_api: FakeApi, tmp_path: Path) -> None:
    fake_api.inject_always(f"/crossref/works/{doi(0)}", sleep(HOLD_SECONDS))
    text = tmp_path / "a.md"
    text.write_text(f"See doi:{doi(0)} and doi:{doi(1)}.\n", encoding="utf-8")
    process = start(fake_api, "check", "--cache", "none", str(text))
    wait_until(lambda: fake_api.hits(f"/crossref/works/{doi(0)}") == 1, process)
    code, stderr, took = interrupt(process)
    assert code == 130
    assert took < STOP_SECONDS
    assert stderr.strip().splitlines()[-1] == "factcheck: interrupted; nothing was reported"
    assert "Traceback" not in stderr


def test_ctrl_c_stops_a_run_and_resume_finishes_it(fake_api: FakeApi, tmp_path: Path) -> None:
    source, out, cache = tmp_path / "in.jsonl", tmp_path / "out.jsonl", tmp_path / "c.sqlite"
    rows = [{"id": f"r{i}", "text": f"See doi:{doi(i)}."} for i in range(RECORDS)]
    source.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    arguments = ["run", str(source), "-o", str(out), "--chunk-size", str(CHUNK)]
    arguments += ["--cache", str(cache), "--no-progress"]
    fake_api.inject(f"/crossref/works/{doi(HANGING)}", sleep(HOLD_SECONDS))

    process = start(fake_api, *arguments)
    written = lambda: out.read_bytes().count(b"\n") if out.exists() else 0  # noqa: E731
    hit = lambda: fake_api.hits(f"/crossref/works/{doi(HANGING)}") == 1  # noqa: E731
    wait_until(lambda: written() >= CHUNK and hit(), process)
    code, stderr, took = interrupt(process)
    assert code == 130
    assert took < STOP_SECONDS
    assert stderr.strip().splitlines()[-1] == (
        f"factcheck: interrupted; {CHUNK} records in {out} ({CHUNK} this run); "
        "run the same command with --resume to continue"
    )
    assert written() == CHUNK

    done = subprocess.run(
        [sys.executable, "-m", "factcheck", *arguments, "--resume", "--sources", "crossref",
         "--crossref-url", f"{fake_api.url}/crossref", "--mailto", "test@example.org"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in records] == [row["id"] for row in rows]
    assert f"{RECORDS} records in {out} ({RECORDS - CHUNK} this run" in done.stderr
    summary = json.loads((tmp_path / "out.summary.json").read_text(encoding="utf-8"))
    assert (summary["overall"]["records"], summary["run"]["records"]) == (RECORDS, RECORDS - CHUNK)
