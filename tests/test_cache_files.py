"""Cache files that are not ours to write, and cache paths that are not files.

A read-only cache (its file, its directory, or both) answers, offline or online, and is
never written. The real thing needs a process whom permission bits stop, and the tests run
as root, whom they do not stop (CAP_DAC_OVERRIDE): so the command runs in a child process
whose bounding set lacks CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH, a root that permission
bits bind like any owner (as any other user, it runs as that user). A directory, FIFO,
socket or device at the cache path is one clear error (exit 2), never a hang: the child has
a timeout, and a FIFO with no writer would block SQLite's open for ever.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fakes.server import FakeApi
from servers import LocalServer, Reply
from sqlite_trouble import GarbledConnection
from test_results_cache import SOURCES as SOURCES_ASKED
from test_results_cache import cite, found, store

import factcheck
from factcheck import Checker
from factcheck.model import Kind
from factcheck.net import cachefile
from factcheck.net.cachefile import CORRUPT_SUFFIX
from factcheck.resolve.results import RESULTS_SUFFIX

pytestmark = pytest.mark.integration

PLOS = "10.1371/journal.pone.0033693"
DELPHI = "10.1371/journal.pone.0020476"
TEXT = f"doi:{PLOS}, doi:{DELPHI} and doi:10.1371/notarealdoi\n"
NEW = "10.1371/journal.pbio.1002106"
SOURCES = ("crossref", "doi")
HTTP_CACHE = "fc.sqlite"
RESULTS_CACHE = HTTP_CACHE + ".results.sqlite"
# Far above a check's few seconds: reaching it means the command hung.
HANG_SECONDS = 120
WORKTREE = Path(factcheck.__file__).resolve().parents[1]

# Who may write what: (mode of the cache files, mode of their directory).
READ_ONLY: dict[str, tuple[int, int]] = {
    "file": (0o444, 0o777),
    "directory": (0o666, 0o555),
    "both": (0o444, 0o555),
}


@pytest.fixture(autouse=True)
def _clean(fake_api: FakeApi) -> None:
    fake_api.reset()


@pytest.fixture
def shared_dir(tmp_path: Path) -> Iterator[Path]:
    """tmp_path, made writable again afterwards (tests take that right away)."""
    yield tmp_path
    tmp_path.chmod(0o755)


# Linux capabilities that let root ignore permission bits (linux/capability.h), and the
# prctl that drops one from the bounding set, so that the exec'd child lacks it.
CAP_DAC_OVERRIDE = 1
CAP_DAC_READ_SEARCH = 2
PR_CAPBSET_DROP = 24


def bound_by_permissions() -> Callable[[], None] | None:
    """A preexec function that takes from root the capabilities to ignore permission bits;
    None when not root (permission bits bind already)."""
    if os.geteuid() != 0:
        return None
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)

    def drop() -> None:
        for capability in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
            if libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
                raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")

    return drop


def run_cli(
    args: list[str], cwd: Path, *, as_user: bool = False
) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(WORKTREE),
        "HOME": str(cwd),
        "XDG_CONFIG_HOME": str(cwd / "no-config"),
        "XDG_CACHE_HOME": str(cwd / "no-cache"),
    }
    return subprocess.run(
        [sys.executable, "-m", "factcheck", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=HANG_SECONDS,
        preexec_fn=bound_by_permissions() if as_user else None,
        check=False,
    )


def source_args(api: FakeApi, cache: Path, *more: str) -> list[str]:
    config = api.config()
    return [
        "check",
        "--format",
        "json",
        "--sources",
        ",".join(SOURCES),
        "--crossref-url",
        config.crossref_url,
        "--doi-url",
        config.doi_url,
        "--cache",
        str(cache),
        *more,
    ]


def statuses(stdout: str) -> list[str]:
    document = json.loads(stdout)
    return [item["verdict"]["status"] for item in document["files"][0]["items"]]


def build_cache(api: FakeApi, directory: Path, text: str = TEXT) -> list[str]:
    """A cache of `text`'s answers in `directory`, as a run would leave it, and the text in
    answer.md; the statuses."""
    config = api.config(cache=str(directory / HTTP_CACHE), sources=SOURCES)
    with Checker(config) as checker:
        report = checker.check(text)
    (directory / "answer.md").write_text(text, encoding="utf-8")
    return [finding.verdict.status.value for finding in report.items]


def digests(directory: Path) -> dict[str, str]:
    return {
        name: hashlib.sha256((directory / name).read_bytes()).hexdigest()
        for name in (HTTP_CACHE, RESULTS_CACHE)
        if (directory / name).exists()
    }


def make_read_only(directory: Path, which: str) -> None:
    files, folder = READ_ONLY[which]
    for name in (HTTP_CACHE, RESULTS_CACHE, "answer.md", "new.md"):
        if (directory / name).exists():
            (directory / name).chmod(files)
    directory.chmod(folder)


@pytest.mark.parametrize("which", list(READ_ONLY))
@pytest.mark.parametrize("results", [True, False], ids=["with results", "http only"])
def test_a_read_only_cache_answers_offline_and_is_not_written(
    fake_api: FakeApi, shared_dir: Path, which: str, results: bool
) -> None:
    before = build_cache(fake_api, shared_dir)
    if not results:
        (shared_dir / RESULTS_CACHE).unlink()
    kept = digests(shared_dir)
    make_read_only(shared_dir, which)
    done = run_cli(
        [*source_args(fake_api, shared_dir / HTTP_CACHE, "--offline"), "answer.md"],
        shared_dir,
        as_user=True,
    )
    assert done.returncode == 1, done.stderr  # the made-up DOI is not_found, as before
    assert statuses(done.stdout) == before
    assert done.stderr == ""
    assert digests(shared_dir) == kept


@pytest.mark.parametrize("which", list(READ_ONLY))
def test_a_read_only_cache_online_answers_and_fetches_the_rest(
    fake_api: FakeApi, shared_dir: Path, which: str
) -> None:
    before = build_cache(fake_api, shared_dir, f"doi:{PLOS}\n")
    (shared_dir / "new.md").write_text(f"doi:{DELPHI}\n", encoding="utf-8")
    kept = digests(shared_dir)
    make_read_only(shared_dir, which)
    hits = fake_api.hits(f"/crossref/works/{PLOS}")
    args = [*source_args(fake_api, shared_dir / HTTP_CACHE), "answer.md", "new.md"]
    for _ in range(2):
        done = run_cli(args, shared_dir, as_user=True)
        assert done.returncode == 0, done.stderr
        files = json.loads(done.stdout)["files"]
        assert [item["verdict"]["status"] for item in files[0]["items"]] == before
        assert [item["verdict"]["status"] for item in files[1]["items"]] == ["verified"]
    assert fake_api.hits(f"/crossref/works/{PLOS}") == hits  # from the cache
    assert fake_api.hits(f"/crossref/works/{DELPHI}") == 2  # from the network, never kept
    assert digests(shared_dir) == kept


def test_the_python_api_reads_a_cache_it_may_not_write(
    fake_api: FakeApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In process, as root, a cache is read-only when `os.access` says so (as it does for
    another user): root could write it, so an unchanged file shows nothing was written."""
    before = build_cache(fake_api, tmp_path)
    kept = digests(tmp_path)
    real_access = os.access
    monkeypatch.setattr(
        cachefile.os,
        "access",
        lambda path, mode: mode != os.W_OK and real_access(path, mode),
    )
    config = fake_api.config(cache=str(tmp_path / HTTP_CACHE), sources=SOURCES, offline=True)
    with Checker(config) as checker:
        assert [f.verdict.status.value for f in checker.check(TEXT).items] == before
        assert checker.check(f"doi:{NEW}").items[0].verdict.status.value == "unverifiable"
    assert fake_api.hits(f"/crossref/works/{NEW}") == 0
    assert digests(tmp_path) == kept


# Paths that are not files.


def fifo(path: Path) -> None:
    os.mkfifo(path)


def directory(path: Path) -> None:
    path.mkdir()


def unix_socket(path: Path) -> None:
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    server.close()  # the socket file stays


def link_to_fifo(path: Path) -> None:
    target = path.with_name("elsewhere.fifo")
    os.mkfifo(target)
    path.symlink_to(target)


NOT_FILES: dict[str, tuple[Callable[[Path], None], str]] = {
    "fifo": (fifo, "a FIFO"),
    "directory": (directory, "a directory"),
    "socket": (unix_socket, "a socket"),
    "link to a fifo": (link_to_fifo, "a FIFO"),
}


@pytest.mark.parametrize("what", list(NOT_FILES))
@pytest.mark.parametrize("where", ["", "-wal", "-journal"])
@pytest.mark.parametrize("offline", [False, True], ids=["online", "offline"])
def test_a_cache_path_that_is_not_a_file_is_one_clear_error(
    fake_api: FakeApi, shared_dir: Path, what: str, where: str, offline: bool
) -> None:
    make, kind = NOT_FILES[what]
    cache = shared_dir / HTTP_CACHE
    make(cache.with_name(cache.name + where))
    (shared_dir / "answer.md").write_text(TEXT, encoding="utf-8")
    flags = ["--offline"] if offline else []
    done = run_cli([*source_args(fake_api, cache, *flags), "answer.md"], shared_dir)
    assert done.returncode == 2
    [line] = done.stderr.splitlines()
    assert line.startswith("factcheck: error: the cache ")
    assert f"is {kind}" in line and "not a file" in line
    assert done.stdout == ""
    assert fake_api.hits(f"/crossref/works/{PLOS}") == 0


@pytest.mark.parametrize("spec", [os.devnull, "."])
def test_a_device_or_the_working_directory_as_cache_is_refused(
    fake_api: FakeApi, shared_dir: Path, spec: str
) -> None:
    (shared_dir / "answer.md").write_text(TEXT, encoding="utf-8")
    done = run_cli([*source_args(fake_api, Path(spec)), "answer.md"], shared_dir)
    assert done.returncode == 2
    [line] = done.stderr.splitlines()
    assert "not a file" in line and "'none' for no cache" in line


@pytest.mark.parametrize("what", ["fifo", "directory"])
def test_a_results_path_that_is_not_a_file_only_loses_the_results_cache(
    fake_api: FakeApi, shared_dir: Path, what: str
) -> None:
    """The results cache is ours, beside the HTTP cache: the check goes on without it,
    with one warning."""
    make, kind = NOT_FILES[what]
    with Checker(fake_api.config(sources=SOURCES)) as checker:
        expected = [finding.verdict.status.value for finding in checker.check(TEXT).items]
    make(shared_dir / RESULTS_CACHE)
    (shared_dir / "answer.md").write_text(TEXT, encoding="utf-8")
    done = run_cli([*source_args(fake_api, shared_dir / HTTP_CACHE), "answer.md"], shared_dir)
    assert done.returncode == 1
    assert statuses(done.stdout) == expected
    [line] = done.stderr.splitlines()
    assert "results cache cannot be used" in line and f"is {kind}" in line


# A damaged record that makes SQLite run out of memory.


def test_a_record_too_big_to_read_is_damage_in_the_http_cache(
    local_server: LocalServer, make_http: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    local_server.on("/w", Reply(200, b"kept"))
    http = make_http(allow_private_urls=True)
    url = local_server.url("/w")
    http.page(url, method="GET")
    backend = http._backend
    [key] = list(backend.responses)
    backend.responses._connection = GarbledConnection()
    caplog.set_level(logging.WARNING)
    assert backend.get_response(key) is None
    [aside] = tmp_path.glob(f"http.sqlite{CORRUPT_SUFFIX}*[0-9]")
    assert str(aside) in caplog.text
    # The fresh file takes answers again.
    assert http.page(url, method="GET").content == b"kept"
    assert http.page(url, method="GET").from_cache
    assert local_server.hits("/w") == 2


def test_a_record_too_big_to_read_is_damage_in_the_results_cache(tmp_path: Path) -> None:
    results = store(tmp_path)
    results.put(SOURCES_ASKED, cite(Kind.DOI, PLOS), [found()])
    results._connection = GarbledConnection()  # type: ignore[assignment]
    assert results.get(SOURCES_ASKED, cite(Kind.DOI, PLOS)) is None
    assert list(tmp_path.glob(f"*{RESULTS_SUFFIX}{CORRUPT_SUFFIX}*[0-9]"))
    results.put(SOURCES_ASKED, cite(Kind.DOI, PLOS), [found()])
    assert results.get(SOURCES_ASKED, cite(Kind.DOI, PLOS)) == [found()]
    results.close()
