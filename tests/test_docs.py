"""The documentation: the site builds with `mkdocs build --strict`, offline; every code block
of README.md and docs/ runs (tests/docblocks.py; the rules are in docs/development.md); and
what the docs list (settings, modules) is what the code has."""

from __future__ import annotations

import ast
import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from docblocks import (
    ROOT,
    Block,
    Parsed,
    assert_shown,
    blocks,
    console_steps,
    dotted_names,
    parse_command,
    parse_data,
    python_command,
    resolve_dotted,
    run_command,
    run_python,
    shell_lines,
)
from fakes.server import FakeApi

from factcheck.config import Config

PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
SAMPLES = Path(__file__).parent / "data" / "docs"
QUICKSTART = ROOT / "fixtures" / "quickstart.md"
# Where the quickstart's answer is copied in each page's scratch folder.
ANSWER_COPIES = ("answer.md", "docs/answer.md")
COLUMNS = "100"
MKDOCS_SECONDS = 300
FABRICATED = "10.1371/notarealdoi"
# Names a writer may use that are no Config field: the tools' own variables.
NOT_SETTINGS = frozenset(
    {"FACTCHECK_CONFIG", "FACTCHECK_REQUIRE_BROWSER", "FACTCHECK_VENV", "FACTCHECK_CONSTRAINTS"}
)
# The plugin source docs/library.md writes (tests/plugins/factcheck_example_source/).
EXAMPLE_PLUGIN = "example"
ENV_NAME_RE = re.compile(r"FACTCHECK_[A-Z_]+[A-Z]")


# ------------------------------------------------------------------------------ site


def test_the_site_builds_strictly_and_offline(tmp_path: Path) -> None:
    site = tmp_path / "site"
    built = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", "mkdocs.yml", "-d", site],
        cwd=ROOT,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=MKDOCS_SECONDS,
    )
    assert built.returncode == 0, built.stderr
    assert "WARNING" not in built.stderr, built.stderr
    pages = list(site.rglob("*.html"))
    assert len(pages) >= len(PAGES) - 1  # README.md is not a page of the site
    # No web fonts or scripts from elsewhere: the pages work offline.
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert "fonts.googleapis.com" not in html and "fonts.gstatic.com" not in html, page
        assert not re.search(r"<script[^>]+src=\"https?://", html), page


# ------------------------------------------------------------------------ the blocks


class ModelServer:
    """A fake OpenAI and Anthropic API on 127.0.0.1: every completion, response or message
    answers with the quickstart's text (which cites a fabricated DOI)."""

    def __init__(self, text: str) -> None:
        bodies = {
            "/chat/completions": _chat_completion(text),
            "/responses": _response(text),
            "/messages": _message(text),
        }

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                body = next((b for p, b in bodies.items() if self.path.endswith(p)), None)
                payload = json.dumps(body).encode()
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def start(self) -> ModelServer:
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


def _chat_completion(text: str) -> dict[str, Any]:
    message = {"role": "assistant", "content": text}
    return {
        "id": "chatcmpl-docs",
        "object": "chat.completion",
        "created": 0,
        "model": "gpt-4o",
        "choices": [{"index": 0, "finish_reason": "stop", "message": message}],
    }


def _response(text: str) -> dict[str, Any]:
    content = [{"type": "output_text", "text": text, "annotations": []}]
    return {
        "id": "resp-docs",
        "object": "response",
        "created_at": 0,
        "model": "gpt-4o",
        "status": "completed",
        "output": [
            {
                "type": "message",
                "id": "msg-docs",
                "status": "completed",
                "role": "assistant",
                "content": content,
            }
        ],
        "parallel_tool_calls": False,
        "tool_choice": "auto",
        "tools": [],
    }


def _message(text: str) -> dict[str, Any]:
    return {
        "id": "msg-docs",
        "type": "message",
        "role": "assistant",
        "model": "claude",
        "content": [{"type": "text", "text": text}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": 1, "output_tokens": 1},
    }


@pytest.fixture(scope="module")
def model_server() -> Iterator[ModelServer]:
    server = ModelServer(QUICKSTART.read_text(encoding="utf-8")).start()
    try:
        yield server
    finally:
        server.stop()


def docs_env(api: FakeApi, models: ModelServer, home: Path) -> dict[str, str]:
    """What every block runs with: factcheck on the fakes without a cache, the model SDKs on
    the fake model, a home of its own, and nothing that would reach for the network."""
    return {
        "FACTCHECK_CROSSREF_URL": f"{api.url}/crossref",
        "FACTCHECK_DOI_URL": f"{api.url}/doi",
        "FACTCHECK_ARXIV_URL": f"{api.url}/arxiv/api",
        "FACTCHECK_PUBMED_URL": f"{api.url}/pubmed",
        "FACTCHECK_OPENLIBRARY_URL": f"{api.url}/openlibrary",
        "FACTCHECK_OPENALEX_URL": f"{api.url}/openalex",
        "FACTCHECK_DBLP_URL": f"{api.url}/dblp",
        "FACTCHECK_WAYBACK_URL": f"{api.url}/wayback",
        "FACTCHECK_CACHE": "none",
        "COLUMNS": COLUMNS,
        "HOME": str(home),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "OPENAI_API_KEY": "sk-docs",
        "OPENAI_BASE_URL": f"{models.url}/v1",
        "ANTHROPIC_API_KEY": "sk-docs",
        "ANTHROPIC_BASE_URL": models.url,
        "LITELLM_LOCAL_MODEL_COST_MAP": "True",
        "HF_HUB_OFFLINE": "1",
        "HF_DATASETS_OFFLINE": "1",
    }


def scratch_folder(tmp_path: Path) -> Path:
    """The folder a page's blocks run in: the sample files, the quickstart's answer, the
    fixtures as in a checkout, and a `.git` so that no configuration above it is found."""
    work = tmp_path / "work"
    shutil.copytree(SAMPLES, work)
    for name in ANSWER_COPIES:
        (work / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(QUICKSTART, work / name)
    (work / "fixtures").symlink_to(ROOT / "fixtures")
    (work / ".git").mkdir()
    return work


class PageRun:
    """Runs one page's blocks in order, in one folder and one Python namespace."""

    def __init__(self, work: Path, env: dict[str, str]) -> None:
        self.work = work
        self.env = env
        self.namespace: dict[str, Any] = {"__name__": "__docs__"}
        # Files the checks write for themselves, apart from the page's own.
        self.scratch = work.with_name(f"{work.name}-scratch")
        self.scratch.mkdir(exist_ok=True)

    def run(self, block: Block) -> None:
        if block.marker == "not-run":
            assert block.argument, f"{block.where}: `not-run` needs a reason"
        elif block.marker == "file":
            self.write_file(block)
        elif block.lang in ("python", "py"):
            run_python(block, self.namespace)
        elif block.lang == "console":
            for command, shown in console_steps(block.text):
                result = run_command(parse_command(command, self.work), self.env, self.work)
                if shown:
                    assert_shown(command, shown, result.output)
        elif block.lang in ("sh", "bash", "shell"):
            for line in shell_lines(block.text):
                run_command(parse_command(line, self.work), self.env, self.work)
        elif block.lang in ("toml", "yaml", "yml", "json"):
            self.check_data(block, parse_data(block))
        else:
            raise AssertionError(
                f"{block.where}: a `{block.lang or 'plain'}` block cannot run: give it a marker "
                "(<!-- not-run: why --> or <!-- file: NAME -->)"
            )

    # --------------------------------------------------------------- files

    def write_file(self, block: Block) -> None:
        target = self.work / block.argument
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(block.text, encoding="utf-8")
        if block.lang in ("toml", "yaml", "yml", "json"):
            self.check_data(block, parse_data(block))
        if target.name == ".factcheckignore":
            from factcheck.extract.ignore import IgnoreList

            assert IgnoreList.read(target).patterns, f"{block.where}: no patterns"
        elif target.suffix == ".bib":
            from factcheck.extract.bibtex import parse_bibtex

            parsed = parse_bibtex(block.text)
            assert parsed.entries and not parsed.problems, f"{block.where}: {parsed.problems}"

    # ---------------------------------------------------------------- data

    def check_data(self, block: Block, parsed: Parsed) -> None:
        for name in dotted_names(parsed.data):
            resolve_dotted(name)  # a class or module the block names must exist
        data = parsed.data
        if not isinstance(data, dict):
            return
        if parsed.lang == "toml":
            self.check_toml(block, data)
        elif "repos" in data:
            self.check_pre_commit(block)
        elif "jobs" in data:
            self.check_workflow(block, data)
        elif {"files", "summary", "ok"} <= data.keys():
            check_report_json(data)
        elif "mcpServers" in data or "servers" in data:
            check_mcp_config(data.get("mcpServers") or data["servers"], self.env)

    def check_toml(self, block: Block, data: dict[str, Any]) -> None:
        """A `[tool.factcheck]` table is a project's file: valid, and wholly taken when found.
        A block whose first line names `config.toml` or `--config` is a file of the user's
        own: valid. An entry point table names factcheck's group."""
        from factcheck.configfile import read_settings
        from factcheck.configtrust import allowed
        from factcheck.resolve.plugins import ENTRY_POINT_GROUP

        first = block.text.lstrip().splitlines()[0]
        if "factcheck" in data.get("tool", {}):
            path = self.scratch / "pyproject.toml"
            path.write_text(block.text, encoding="utf-8")
            settings = read_settings(Config, path)  # ConfigError: unknown key, bad value
            found, own = Config(**settings), Config()
            refused = [n for n in settings if not allowed(n, getattr(found, n), getattr(own, n))]
            assert not refused, f"{block.where}: a found file may not set {refused}"
        elif first.startswith("#") and ("config.toml" in first or "--config" in first):
            path = self.scratch / "config.toml"
            path.write_text(block.text, encoding="utf-8")
            read_settings(Config, path)
        groups = data.get("project", {}).get("entry-points", {})
        ours = [g for g in groups if g.startswith("factcheck")]
        assert all(g == ENTRY_POINT_GROUP for g in ours), f"{block.where}: {ours}"

    def check_pre_commit(self, block: Block) -> None:
        """Valid for pre-commit, naming our hook, whose entry and args run on the answer."""
        from pre_commit.clientlib import load_config, load_manifest

        config_file = self.scratch / ".pre-commit-config.yaml"
        config_file.write_text(block.text, encoding="utf-8")
        hooks = {h["id"]: h for h in load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))}
        for repo in load_config(str(config_file))["repos"]:
            for used in repo["hooks"]:
                assert used["id"] in hooks, f"{block.where}: no hook {used['id']!r}"
                hook = hooks[used["id"]]
                files = [f for f in ANSWER_COPIES if re.search(hook["files"], f)]
                assert files, f"{block.where}: the hook selects no Markdown file"
                words = [*hook["entry"].split(), *used.get("args", []), *files]
                line = " ".join(shlex_quote(w) for w in words)
                run_command(parse_command(line, self.work), self.env, self.work)

    def check_workflow(self, block: Block, workflow: dict[str, Any]) -> None:
        """Uses only inputs action.yml declares, grants what the SARIF upload needs, and its
        factcheck step runs on the scratch folder as the action's script would."""
        action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
        for name, job in workflow["jobs"].items():
            for step in job.get("steps", []):
                if not re.search(r"/factcheck@", step.get("uses", "")):
                    continue
                given = {k: str(v) for k, v in (step.get("with") or {}).items()}
                unknown = set(given) - set(action["inputs"])
                assert not unknown, f"{block.where}: inputs {unknown} are not in action.yml"
                inputs = {k: str(v.get("default", "")) for k, v in action["inputs"].items()}
                inputs.update(given)
                if inputs["upload-sarif"] == "true":
                    granted = {**workflow.get("permissions", {}), **job.get("permissions", {})}
                    assert granted.get("security-events") == "write", (
                        f"{block.where}: job {name} uploads SARIF without security-events: write"
                    )
                self.run_action_step(block, action, inputs)

    def run_action_step(self, block: Block, action: dict[str, Any], inputs: dict[str, str]) -> None:
        from factcheck.integrations import github_action

        (check,) = [s for s in action["runs"]["steps"] if s.get("id") == "check"]
        environ = {
            **os.environ,
            **{k: _expanded(str(v), inputs) for k, v in check["env"].items()},
            "GITHUB_STEP_SUMMARY": str(self.scratch / "summary.md"),
            "GITHUB_OUTPUT": str(self.scratch / "outputs.txt"),
        }
        assert github_action.main(environ) == github_action.EXIT_RAN, block.where
        outputs = (self.scratch / "outputs.txt").read_text(encoding="utf-8")
        assert "failed=true" in outputs, outputs  # the quickstart's answer has findings


def _expanded(value: str, inputs: dict[str, str]) -> str:
    """GitHub's `${{ inputs.NAME }}` in the action's step env."""
    return re.sub(r"\$\{\{\s*inputs\.([\w-]+)\s*\}\}", lambda m: inputs[m.group(1)], value)


def shlex_quote(word: str) -> str:
    import shlex

    return shlex.quote(word)


def check_report_json(document: dict[str, Any]) -> None:
    """A shown `--format json` report has the shape of the models it is made of."""
    from factcheck.model import Finding, Summary

    for file in document["files"]:
        assert {"path", "items", "summary", "ok"} <= file.keys()
        for item in file["items"]:
            Finding.model_validate(item)
        Summary.model_validate(file["summary"])
    Summary.model_validate(document["summary"])


_MCP_SESSIONS: dict[tuple[str, ...], list[str]] = {}


def check_mcp_config(servers: dict[str, Any], env: dict[str, str]) -> None:
    """Each server a client configuration starts is started as the client would, and lists
    factcheck's tools (one session per distinct command line); an HTTP entry points at the
    path and address `factcheck mcp --http` serves."""
    from factcheck.integrations.mcp_server import DEFAULT_HOST, HTTP_PATH

    for server in servers.values():
        if "url" in server:
            url = urlsplit(server["url"])
            assert (url.hostname, url.path) == (DEFAULT_HOST, HTTP_PATH), server
            continue
        command = python_command(server["command"], server.get("args", []))
        key = tuple(command) + tuple(sorted(server.get("env", {}).items()))
        if key not in _MCP_SESSIONS:
            _MCP_SESSIONS[key] = asyncio.run(_mcp_tools(command, {**env, **server.get("env", {})}))
        assert {"check_text", "check_reference"} <= set(_MCP_SESSIONS[key]), _MCP_SESSIONS[key]


async def _mcp_tools(command: list[str], env: dict[str, str]) -> list[str]:
    from mcp import Client
    from mcp.client.stdio import StdioServerParameters

    params = StdioServerParameters(
        command=command[0],
        args=command[1:],
        env={**os.environ, **env, "PYTHONPATH": str(ROOT)},
    )
    async with Client(params) as client:
        tools = [tool.name for tool in (await client.list_tools()).tools]
        checked = await client.call_tool("check_text", {"text": f"See doi:{FABRICATED}."})
    statuses = {i["verdict"]["status"] for i in checked.structured_content["items"]}
    assert statuses == {"not_found"}, checked.structured_content
    return tools


@pytest.fixture
def page_run(
    tmp_path: Path,
    fake_api: FakeApi,
    model_server: ModelServer,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[PageRun]:
    from factcheck import api

    fake_api.reset()
    work = scratch_folder(tmp_path)
    env = docs_env(fake_api, model_server, tmp_path / "home")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(work)
    monkeypatch.setattr(api, "_default", None)  # the default Checker, built from this env
    try:
        yield PageRun(work, env)
    finally:
        if api._default is not None:
            api._default.close()


@pytest.mark.integration
@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_block_runs(page: Path, page_run: PageRun) -> None:
    for block in blocks(page):
        try:
            page_run.run(block)
        except Exception as exc:
            raise AssertionError(f"{block.where}: the {block.lang} block failed: {exc}") from exc


# ------------------------------------------------------------------ the harness itself


def test_a_block_without_a_way_to_run_fails(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("Text.\n\n```text\nsome output\n```\n", encoding="utf-8")
    (block,) = blocks(page)
    with pytest.raises(AssertionError, match="give it a marker"):
        PageRun(tmp_path, {}).run(block)


def test_markers_are_read_from_the_line_before_the_fence(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "<!-- not-run: installs packages -->\n```sh\npip install x\n```\n\n"
        "<!-- not-run: -->\n\n```sh\npip install y\n```\n\n"
        "- item\n\n  ```python\n  x = 1\n  ```\n",
        encoding="utf-8",
    )
    first, second, third = blocks(page)
    assert (first.marker, first.argument) == ("not-run", "installs packages")
    assert (second.marker, second.argument) == ("not-run", "")
    assert (third.lang, third.text, third.marker) == ("python", "x = 1\n", None)
    with pytest.raises(AssertionError, match="needs a reason"):
        PageRun(tmp_path, {}).run(second)


@pytest.mark.parametrize(
    ("toml", "error"),
    [
        ("[tool.factcheck]\ntimout = 5\n", "timout"),  # a typo
        ('[tool.factcheck]\ncrossref-url = "https://mirror.example"\n', "may not set"),
        ('# a file named with --config\nsources = "crossref"\nmax-urls = "many"\n', "max"),
    ],
)
def test_a_configuration_block_is_read_as_factcheck_reads_it(
    toml: str, error: str, tmp_path: Path
) -> None:
    page = tmp_path / "page.md"
    page.write_text(f"```toml\n{toml}```\n", encoding="utf-8")
    (block,) = blocks(page)
    with pytest.raises(Exception, match=error):
        PageRun(tmp_path, {}).run(block)


@pytest.mark.parametrize(
    "line",
    ["pip install factcheck", "factcheck a.md | less", "factcheck a.md && echo ok", "./dev test"],
)
def test_only_plain_factcheck_commands_run(line: str, tmp_path: Path) -> None:
    with pytest.raises(AssertionError):
        parse_command(line, tmp_path)


def test_commands_take_settings_globs_and_a_redirect(tmp_path: Path) -> None:
    (tmp_path / "a.md").touch()
    (tmp_path / "b.md").touch()
    command = parse_command("FACTCHECK_OFFLINE=1 python -m factcheck *.md > out.txt", tmp_path)
    assert command.settings == {"FACTCHECK_OFFLINE": "1"}
    assert command.args == ["a.md", "b.md"]
    assert command.stdout_to == "out.txt"


def test_shown_output_must_appear_in_order_or_whole() -> None:
    printed = "one two\nthree\n  four   five\nsix\n"
    assert_shown("c", ["one two", "…", "four five"], printed)
    assert_shown("c", ["one two three four five six"], printed)
    with pytest.raises(AssertionError):
        assert_shown("c", ["four five", "…", "one two"], printed)
    with pytest.raises(AssertionError):
        assert_shown("c", ["one two", "three"], printed)  # no `…`: the whole output


def test_console_blocks_split_into_commands_and_their_output() -> None:
    text = "$ factcheck a.md \\\n    -v\nline 1\nline 2\n$ factcheck b.md\n"
    assert list(console_steps(text)) == [
        ("factcheck a.md  -v", ["line 1", "line 2"]),
        ("factcheck b.md", []),
    ]
    assert list(shell_lines("# comment\nfactcheck a.md \\\n  -v\n\nfactcheck b.md\n")) == [
        "factcheck a.md    -v",
        "factcheck b.md",
    ]


# ------------------------------------------------------------- what the docs list


def documented_text() -> str:
    return "\n".join(page.read_text(encoding="utf-8") for page in PAGES)


def test_every_setting_named_in_the_docs_exists() -> None:
    """A FACTCHECK_* name in the docs is a Config field, a setting of an installed source or
    of the docs' example plugin (FACTCHECK_<NAME>_URL, …), the Action's input or a tool's own
    variable."""
    from factcheck.config import PLUGIN_ENV_SETTINGS
    from factcheck.resolve.plugins import installed

    sources = {*installed(), EXAMPLE_PLUGIN}
    fields = {f"FACTCHECK_{name.upper()}" for name in Config.model_fields}
    fields |= {f"FACTCHECK_{s.upper()}_{v.upper()}" for s in sources for v in PLUGIN_ENV_SETTINGS}
    named = set(ENV_NAME_RE.findall(documented_text()))
    unknown = {
        name for name in named - fields - NOT_SETTINGS if not name.startswith("FACTCHECK_ACTION_")
    }
    assert not unknown, f"the docs name settings that do not exist: {sorted(unknown)}"


def test_every_setting_is_documented_in_the_configuration_page() -> None:
    page = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    missing = [
        name
        for name in Config.model_fields
        if f"FACTCHECK_{name.upper()}" not in page
        and f"…_{name.upper()}" not in page
        and f"`{name}`" not in page
    ]
    assert not missing, f"docs/configuration.md does not mention: {missing}"


def test_the_architecture_page_names_every_module() -> None:
    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    package = ROOT / "factcheck"
    names = {f"{p.name}/" for p in package.iterdir() if p.is_dir() and p.name != "__pycache__"}
    names |= {p.name for p in package.rglob("*.py") if p.name != "__init__.py"}
    missing = sorted(name for name in names if f"`{name}`" not in page)
    assert not missing, f"docs/architecture.md does not name: {missing}"


Definition = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef


def public_definitions(tree: ast.Module) -> Iterator[tuple[str, Definition]]:
    """The module's public classes and functions, and the public methods (and nested classes)
    of its public classes; `@overload` stubs are not definitions."""

    def walk(body: list[ast.stmt], prefix: str) -> Iterator[tuple[str, Definition]]:
        for node in body:
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                continue
            if node.name.startswith("_") or any(
                (isinstance(d, ast.Name) and d.id == "overload")
                or (isinstance(d, ast.Attribute) and d.attr == "overload")
                for d in node.decorator_list
            ):
                continue
            yield prefix + node.name, node
            if isinstance(node, ast.ClassDef):
                yield from walk(node.body, f"{prefix}{node.name}.")

    yield from walk(tree.body, "")


def test_every_public_name_has_a_docstring() -> None:
    """In every module whose path has no part starting with `_` (package `__init__`s
    included), the module and each public definition say what they are for."""
    missing = []
    for path in sorted((ROOT / "factcheck").rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if any(p.startswith("_") and p not in ("__init__.py", "__main__.py") for p in parts):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        where = path.relative_to(ROOT)
        if ast.get_docstring(tree) is None:
            missing.append(f"{where}: the module")
        missing += [
            f"{where}:{node.lineno}: {name}"
            for name, node in public_definitions(tree)
            if ast.get_docstring(node) is None
        ]
    assert not missing, "no docstring:\n" + "\n".join(missing)


# Where the verdicts' flags are named: each as a constant whose name is its value in capitals.
FLAG_MODULES = ("flags.py",)


def test_every_flag_is_explained_on_the_verdicts_page() -> None:
    page = (ROOT / "docs" / "verdicts.md").read_text(encoding="utf-8")
    flags = set()
    for module in FLAG_MODULES:
        tree = ast.parse((ROOT / "factcheck" / module).read_text(encoding="utf-8"))
        for node in tree.body:
            if (
                isinstance(node, ast.Assign)
                and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)
                and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str)
                and node.targets[0].id == node.value.value.upper()
            ):
                flags.add(node.value.value)
    assert len(flags) > 10  # the constants are where this test looks for them
    missing = sorted(flag for flag in flags if f"| `{flag}` |" not in page)
    assert not missing, f"docs/verdicts.md does not explain the flags {missing}"
