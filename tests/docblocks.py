"""The fenced code blocks of README.md and docs/, and how each kind is run or checked.

tests/test_docs.py runs every page's blocks in order (docs/development.md, "The
documentation", states the rules for writers): `python` is executed, `console` and `sh`
commands go through the command line (a console block's shown output must appear in what
the command prints), `toml`, `yaml` and `json` are parsed and, when they are one of
factcheck's configurations, read as factcheck or its host would read them. A block that
cannot run carries a marker on the line before it: `<!-- not-run: REASON -->`, or
`<!-- file: NAME -->` to be written into the page's scratch folder.
"""

from __future__ import annotations

import ast
import asyncio
import glob
import json
import re
import shlex
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner, Result

from factcheck.cli import main

if sys.version_info >= (3, 11):
    import tomllib
else:  # the test extra installs tomli
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
FENCE_RE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>[^`]*)$")
MARKER_RE = re.compile(r"^<!--\s*(?P<kind>not-run|file):\s*(?P<argument>.*?)\s*-->$")
PROMPT = "$ "
# A line of shown output standing for lines left out.
ELISION = frozenset({"…", "..."})
# Exit codes a documented command may end with: it ran, and found nothing or something.
RAN = (0, 1)
PYTHON_LANGS = frozenset({"python", "py", "pycon"})
SHELL_LANGS = frozenset({"sh", "bash", "shell"})
# Shell syntax the runner does not imitate: such a block must be split or marked.
UNSUPPORTED_SHELL = frozenset({"|", "||", "&&", ";", "<", "&"})
PROGRAMS = (("factcheck",), ("python", "-m", "factcheck"), ("python3", "-m", "factcheck"))
SETTING_RE = re.compile(r"^[A-Z_][A-Z0-9_]*=")
# The sources' addresses, dropped for a `--replay` command: the recordings answer for the
# real ones.
SOURCE_URL_RE = re.compile(r"^FACTCHECK_[A-Z]+_URL$")


@dataclass(frozen=True)
class Block:
    """One fenced block: where it is, its language, its text, and its marker if any."""

    page: Path
    line: int
    lang: str
    text: str
    marker: str | None = None
    argument: str = ""

    @property
    def where(self) -> str:
        page = self.page.relative_to(ROOT) if self.page.is_relative_to(ROOT) else self.page
        return f"{page}:{self.line}"


def blocks(page: Path) -> list[Block]:
    """The fenced blocks of a Markdown page, in order (indented fences inside lists too)."""
    lines = page.read_text(encoding="utf-8").splitlines()
    found: list[Block] = []
    i = 0
    while i < len(lines):
        opened = FENCE_RE.match(lines[i])
        if opened is None:
            i += 1
            continue
        indent, fence = opened["indent"], opened["fence"]
        body: list[str] = []
        j = i + 1
        while j < len(lines) and not _closes(lines[j], fence):
            body.append(lines[j][len(indent) :] if lines[j].startswith(indent) else lines[j])
            j += 1
        kind, argument = _marker(lines, i)
        lang = opened["info"].strip().split(" ")[0].lower()
        found.append(Block(page, i + 1, lang, "\n".join(body) + "\n", kind, argument))
        i = j + 1
    return found


def _closes(line: str, fence: str) -> bool:
    stripped = line.strip()
    return stripped.startswith(fence) and set(stripped) == {fence[0]}


def _marker(lines: list[str], fence_index: int) -> tuple[str | None, str]:
    """The marker on the nearest non-blank line above the fence, if that line is one."""
    for line in reversed(lines[:fence_index]):
        if line.strip():
            found = MARKER_RE.match(line.strip())
            return (found["kind"], found["argument"]) if found else (None, "")
    return None, ""


# ------------------------------------------------------------------------- commands


@dataclass
class Command:
    """One documented command line: settings before it, its arguments, a `>` target."""

    text: str
    settings: dict[str, str]
    args: list[str]
    stdout_to: str | None = None


def shell_lines(text: str) -> Iterator[str]:
    """The commands of an `sh` block: lines joined at a trailing backslash, comments and
    blank lines skipped."""
    pending = ""
    for raw in text.splitlines():
        line = pending + raw
        if line.rstrip().endswith("\\"):
            pending = line.rstrip()[:-1] + " "
            continue
        pending = ""
        if line.strip() and not line.lstrip().startswith("#"):
            yield line.strip()


def console_steps(text: str) -> Iterator[tuple[str, list[str]]]:
    """The commands of a `console` block, each with the output lines shown after it."""
    command: str | None = None
    shown: list[str] = []
    lines = iter(text.splitlines())
    for line in lines:
        if line.startswith(PROMPT):
            if command is not None:
                yield command, shown
            command, shown = line[len(PROMPT) :], []
            while command.rstrip().endswith("\\"):
                command = command.rstrip()[:-1] + " " + next(lines).strip()
        elif command is None:
            raise AssertionError(f"console output before any `{PROMPT}` command: {line!r}")
        else:
            shown.append(line)
    if command is not None:
        yield command, shown


def parse_command(text: str, cwd: Path) -> Command:
    """A documented command line as the runner runs it; AssertionError if it is not one."""
    words = shlex.split(text, comments=True)
    if any(word in UNSUPPORTED_SHELL for word in words):
        raise AssertionError(f"unsupported shell syntax in {text!r}: split it or mark it")
    settings: dict[str, str] = {}
    while words and SETTING_RE.match(words[0]):
        name, _, value = words.pop(0).partition("=")
        settings[name] = value
    program = next((p for p in PROGRAMS if tuple(words[: len(p)]) == p), None)
    if program is None:
        raise AssertionError(f"not a factcheck command: {text!r} (mark it not-run)")
    args = words[len(program) :]
    stdout_to = None
    if ">" in args:
        at = args.index(">")
        if at != len(args) - 2:
            raise AssertionError(f"`>` must end the command: {text!r}")
        stdout_to, args = args[at + 1], args[:at]
    return Command(text, settings, _globbed(args, cwd), stdout_to)


def _globbed(args: list[str], cwd: Path) -> list[str]:
    """Shell globbing: a pattern that matches nothing stays as written, as in bash."""
    out: list[str] = []
    for arg in args:
        matches = sorted(glob.glob(arg, root_dir=cwd)) if glob.has_magic(arg) else []
        out.extend(matches or [arg])
    return out


def run_command(command: Command, env: Mapping[str, str], cwd: Path) -> Result:
    """Run a documented command through the CLI, in `cwd`, and check it ran (exit 0 or 1)."""
    settings: dict[str, str | None] = dict(env)
    if "--replay" in command.args:
        settings.update({k: None for k in env if SOURCE_URL_RE.match(k)})  # None unsets
    settings.update(command.settings)
    result = CliRunner().invoke(main, command.args, env=settings)
    assert result.exit_code in RAN, (
        f"`{command.text}` exited {result.exit_code}:\n{result.output}",
        result.exc_info,
    )
    if command.stdout_to is not None:
        (cwd / command.stdout_to).write_text(result.stdout, encoding="utf-8")
    return result


def assert_shown(command: str, shown: list[str], printed: str) -> None:
    """The shown output appears in what was printed, in order, whitespace aside; `…` lines
    stand for lines left out, and without one the whole output must match."""
    pieces: list[list[str]] = [[]]
    for line in shown:
        if line.strip() in ELISION:
            pieces.append([])
        else:
            pieces[-1].append(line)
    actual = _squeezed(printed)
    wanted = [_squeezed("\n".join(piece)) for piece in pieces]
    if len(wanted) == 1:
        assert wanted[0] == actual, f"`{command}` printed:\n{printed}"
        return
    at = 0
    for piece in wanted:
        found = actual.find(piece, at)
        assert found >= 0, f"`{command}` did not print:\n{piece}\n\nIt printed:\n{printed}"
        at = found + len(piece)


def _squeezed(text: str) -> str:
    return " ".join(text.split())


# --------------------------------------------------------------------------- python


def run_python(block: Block, namespace: dict[str, Any]) -> None:
    """Execute a python block in the page's namespace; top-level `await` is allowed."""
    code = compile(block.text, block.where, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    awaited = eval(code, namespace)
    if asyncio.iscoroutine(awaited):
        asyncio.run(awaited)


# ---------------------------------------------------------------- data and configs


@dataclass
class Parsed:
    """A data block, parsed, with its language."""

    lang: str
    data: Any
    text: str = field(repr=False, default="")


def parse_data(block: Block) -> Parsed:
    """A `toml`, `yaml` or `json` block's data (AssertionError when it does not parse)."""
    try:
        if block.lang == "toml":
            return Parsed("toml", tomllib.loads(block.text), block.text)
        if block.lang in ("yaml", "yml"):
            return Parsed("yaml", yaml.safe_load(block.text), block.text)
        return Parsed("json", json.loads(block.text), block.text)
    except (ValueError, yaml.YAMLError) as exc:
        raise AssertionError(f"{block.where}: {block.lang} does not parse: {exc}") from exc


def dotted_names(data: Any) -> Iterator[str]:
    """Every `factcheck.…` dotted name among the strings of parsed data."""
    if isinstance(data, dict):
        for value in data.values():
            yield from dotted_names(value)
    elif isinstance(data, list):
        for value in data:
            yield from dotted_names(value)
    elif isinstance(data, str) and re.fullmatch(r"factcheck(\.\w+)+", data):
        yield data


def resolve_dotted(name: str) -> Any:
    """The object a dotted `module.attribute` name stands for (ImportError if none)."""
    import importlib

    module_name, _, attribute = name.rpartition(".")
    return getattr(importlib.import_module(module_name), attribute)


def python_command(command: str, args: list[str]) -> list[str]:
    """A client configuration's command as this interpreter runs factcheck."""
    if command != "factcheck":
        raise AssertionError(f"an MCP configuration starts {command!r}, not factcheck")
    return [sys.executable, "-m", "factcheck", *args]
