"""What a newcomer meets first: the public names, how enums print, the guard's signature and
its error messages. Each test is a surprise someone met once."""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

import factcheck
from factcheck import Kind, Status, guard
from factcheck.guard import POLICY_NAMES, Guard
from factcheck.model import Finding, Report, Verdict, parse_statuses

ROOT = Path(__file__).resolve().parent.parent


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    """`code` in a fresh interpreter (a clean import state), with this checkout first."""
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "FACTCHECK_CACHE": "none", "PATH": "/usr/bin:/bin"},
        timeout=120,
    )


# --- public names are never shadowed by submodules ------------------------------------------


def shadowed_names() -> list[str]:
    """Public names that are also the names of submodules of the package."""
    submodules = {info.name for info in pkgutil.iter_modules(factcheck.__path__)}
    return sorted(set(factcheck.__all__) & submodules)


def test_the_clashes_are_known() -> None:
    """If another public name comes to share a submodule's name, the tests below cover it."""
    assert shadowed_names() == ["extract", "guard"]


@pytest.mark.parametrize("name", shadowed_names())
def test_importing_a_submodule_keeps_the_public_name(name: str) -> None:
    exported = getattr(importlib.import_module(f"factcheck.{factcheck._EXPORTS[name]}"), name)
    importlib.import_module(f"factcheck.{name}")
    assert getattr(factcheck, name) is exported
    assert inspect.isfunction(getattr(factcheck, name))


@pytest.mark.parametrize(
    "before",
    [
        # The README's own order: a check first, which loads the extract package.
        "factcheck.check('no claims here', sources='url')",
        "import factcheck.extract.bibtex",
        "import factcheck.extract",
        "from factcheck.extract import bibtex",
        "import factcheck.guard",
        "import factcheck.integrations.langchain",
        "import factcheck.cli",
    ],
)
def test_extract_and_guard_stay_functions_in_a_fresh_interpreter(before: str) -> None:
    done = run_python(
        f"""
        import factcheck
        {before}
        found = factcheck.extract("See doi:10.1038/nature12373 and https://example.org/a.")
        print([str(c.kind) for c in found])

        @factcheck.guard
        def answer():
            return "nothing to check"

        print(answer())
        """
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["['doi', 'url']", "nothing to check"]


def test_the_submodules_stay_importable() -> None:
    done = run_python(
        """
        import importlib
        import factcheck
        factcheck.extract("x")
        from factcheck.extract import parser
        from factcheck.guard import Guard
        package = importlib.import_module("factcheck.extract")
        print(parser.__name__, Guard.__name__, package.__name__, callable(factcheck.extract))
        """
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["factcheck.extract.parser", "Guard", "factcheck.extract", "True"]


def test_other_attributes_are_still_set() -> None:
    """Only a submodule's binding over a public name of its own is refused."""
    module: Any = factcheck
    module.some_setting = 1
    try:
        assert factcheck.some_setting == 1  # type: ignore[attr-defined]
    finally:
        del module.some_setting


# --- Kind and Status print their values -----------------------------------------------------


@pytest.mark.parametrize("member", [*Kind, *Status])
def test_enums_print_as_their_values(member: Kind | Status) -> None:
    assert str(member) == member.value
    assert f"{member}" == member.value
    assert f"{member:>15}" == f"{member.value:>15}"
    assert "%s" % member == member.value  # noqa: UP031
    assert member == member.value


def test_enum_serialisation_is_unchanged() -> None:
    verdict = Verdict(status=Status.NOT_FOUND, confidence=0.9, reason="r")
    assert verdict.model_dump(mode="json")["status"] == "not_found"
    assert json.loads(verdict.model_dump_json())["status"] == "not_found"
    assert json.dumps({"kind": Kind.REFERENCE}) == '{"kind": "reference"}'
    assert repr(Kind.DOI) == "<Kind.DOI: 'doi'>"


# --- fail_on as names ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("not_found", [Status.NOT_FOUND]),
        ("not_found, mismatch", [Status.NOT_FOUND, Status.MISMATCH]),
        (Status.MISMATCH, [Status.MISMATCH]),
        (["unverifiable", Status.VERIFIED], [Status.UNVERIFIABLE, Status.VERIFIED]),
        ((), []),
    ],
)
def test_statuses_from_any_spelling(given: Any, expected: list[Status]) -> None:
    assert parse_statuses(given) == expected


@pytest.mark.parametrize("given", ["notfound", ["not_found", "fabricated"], "not_found,,bad"])
def test_an_unknown_status_names_the_valid_ones(given: Any) -> None:
    with pytest.raises(ValueError, match="verified, mismatch, not_found, unverifiable"):
        parse_statuses(given)


def test_guard_takes_one_status_as_a_string() -> None:
    assert Guard(fail_on="not_found").fail_on == (Status.NOT_FOUND,)
    assert Guard(fail_on="unverifiable,mismatch").fail_on == (Status.UNVERIFIABLE, Status.MISMATCH)
    with pytest.raises(ValueError, match="the statuses are verified"):
        guard(fail_on="not-found")


# --- guard's signature and errors ----------------------------------------------------------


def test_guard_shows_its_options_and_defaults() -> None:
    parameters = inspect.signature(guard).parameters
    assert list(parameters) == [
        "func",
        "checker",
        "on_fail",
        "fail_on",
        "on_report",
        "stream",
        "max_reasks",
        "fallback",
        "fix_fabricated",
    ]
    assert parameters["func"].kind is inspect.Parameter.POSITIONAL_ONLY
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in list(parameters.values())[1:])
    assert parameters["on_fail"].default == "noop"
    assert parameters["fail_on"].default == ("not_found", "mismatch")
    assert parameters["max_reasks"].default == 1
    assert parameters["fix_fabricated"].default == "remove"
    doc = inspect.getdoc(guard) or ""
    for name in list(parameters)[1:]:
        assert f"`{name}`" in doc


@pytest.mark.parametrize(
    ("options", "listed"),
    [
        ({"on_fail": "ignore"}, "'noop', 'exception', 'filter', 'fix', 'reask'"),
        ({"fallback": "retry"}, "'noop', 'exception', 'filter', 'fix', 'reask'"),
        ({"stream": "lines"}, "'stream_first', 'buffer'"),
        ({"fail_on": ["nope"]}, "verified, mismatch, not_found, unverifiable"),
    ],
)
def test_every_unknown_option_lists_the_valid_ones(options: dict[str, Any], listed: str) -> None:
    with pytest.raises(ValueError) as caught:
        guard(**options)
    assert listed in str(caught.value)


def test_every_policy_name_is_accepted() -> None:
    for name in POLICY_NAMES:
        stream = None if name in ("noop", "exception") else "buffer"
        assert isinstance(guard(on_fail=name, stream=stream), Guard)  # type: ignore[call-overload]


def test_reask_is_refused_where_there_is_nothing_to_reask_with() -> None:
    def summarise(topic: str, length: int = 3) -> str:
        return topic

    with pytest.raises(TypeError, match=r"summarise\(topic, length\) has none.*'messages'"):
        guard(on_fail="reask")(summarise)


@pytest.mark.parametrize(
    "source",
    [
        "def ask(messages): return ''",
        "def ask(prompt, model='m'): return ''",
        "def ask(*, input): return ''",
        "def ask(**kwargs): return ''",
        "async def ask(messages): return ''",
        "def ask(self, prompt): yield ''",
    ],
)
def test_reask_is_accepted_with_something_to_reask_with(source: str) -> None:
    scope: dict[str, Any] = {}
    exec(source, scope)
    assert callable(guard(on_fail="reask")(scope["ask"]))


def test_report_fail_on_from_a_string_through_the_checker() -> None:
    from factcheck import Checker

    with Checker(cache="none", sources=("url",)) as checker:
        report = checker.check("no claims", fail_on="unverifiable")  # type: ignore[arg-type]
    assert report.fail_on == [Status.UNVERIFIABLE]
    failing = Report(
        items=[Finding.model_validate(_finding("unverifiable"))], fail_on=report.fail_on
    )
    assert not failing.ok


def _finding(status: str) -> dict[str, Any]:
    return {
        "citation": {"kind": "url", "raw": "https://a.example/", "start": 0, "end": 18},
        "verdict": {"status": status, "confidence": 0.0, "reason": "r"},
    }
