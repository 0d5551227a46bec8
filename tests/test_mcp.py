"""`factcheck mcp`: real MCP client sessions (the SDK's own client) over stdio and streamable
HTTP, against a server process pointed at the fake APIs."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fakes.server import FakeApi
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from servers import free_port

PLOS = "10.1371/journal.pone.0033693"
FABRICATED = "10.1371/notarealdoi"
FABRICATED_REFERENCE = f"Zhang, W. (2021). Graph attention for protein folding. doi:{FABRICATED}"
ANSWER = (
    "Methylphenidate exposure is studied in Sadasivan et al. (2012), doi:"
    f"{PLOS}. Graph attention helps protein folding (Zhang, 2021), doi:{FABRICATED}.\n"
)
TOOLS = {"check_text", "check_reference", "extract_claims", "suggest_fix"}
HTTP_START_SECONDS = 20.0


@pytest.fixture(autouse=True)
def _clean(fake_api: FakeApi) -> None:
    fake_api.reset()


def server_args(api: FakeApi) -> list[str]:
    return [
        "-m",
        "factcheck",
        "mcp",
        "--sources",
        "crossref,doi",
        "--crossref-url",
        f"{api.url}/crossref",
        "--doi-url",
        f"{api.url}/doi",
        "--cache",
        "none",
    ]


def statuses(result: Any) -> dict[str, str]:
    """DOI -> status in a check tool's structured answer."""
    assert not result.is_error, result.content
    items = result.structured_content["items"]
    return {
        i["citation"]["fields"].get("doi") or i["citation"]["raw"]: i["verdict"]["status"]
        for i in items
    }


async def session(server: Any) -> dict[str, Any]:
    """Initialize, list the tools, call each of them once; the answers by tool."""
    async with Client(server) as client:
        listed = await client.list_tools()
        answers: dict[str, Any] = {"tools": {t.name: t for t in listed.tools}}
        answers["check_text"] = await client.call_tool("check_text", {"text": ANSWER})
        answers["extract_claims"] = await client.call_tool("extract_claims", {"text": ANSWER})
        answers["check_reference"] = await client.call_tool(
            "check_reference",
            {"reference": FABRICATED_REFERENCE},
        )
    return answers


def assert_session(answers: dict[str, Any]) -> None:
    tools = answers["tools"]
    assert set(tools) >= TOOLS
    for tool in tools.values():
        # Written for a model: when to call it and what the statuses mean.
        assert len(tool.description) > 100
    assert "not_found" in tools["check_text"].description
    found = statuses(answers["check_text"])
    assert found[PLOS] == "verified"
    assert found[FABRICATED] == "not_found"
    assert answers["check_text"].structured_content["ok"] is False
    claims = answers["extract_claims"].structured_content["items"]
    assert {c["fields"].get("doi") for c in claims} >= {PLOS, FABRICATED}
    reference = answers["check_reference"].structured_content
    assert reference["items"][0]["citation"]["kind"] == "reference"
    assert {i["verdict"]["status"] for i in reference["items"]} == {"not_found"}


@pytest.mark.integration
def test_stdio_session_reports_a_fabricated_doi(fake_api: FakeApi) -> None:
    server = StdioServerParameters(
        command=sys.executable, args=server_args(fake_api), env=dict(os.environ)
    )
    assert_session(asyncio.run(session(server)))


@pytest.fixture
def http_server(fake_api: FakeApi) -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, *server_args(fake_api), "--http", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_for(port, process)
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        process.terminate()
        process.wait(timeout=10)


def _wait_for(port: int, process: subprocess.Popen[bytes]) -> None:
    import socket

    deadline = time.monotonic() + HTTP_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(process.stderr.read().decode() if process.stderr else "exited")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"factcheck mcp --http {port} did not start")


@pytest.mark.integration
def test_streamable_http_session_reports_a_fabricated_doi(http_server: str) -> None:
    assert_session(asyncio.run(session(http_server)))


def test_suggest_fix_rebuilds_a_mismatch_from_its_record(fake_api: FakeApi) -> None:
    from factcheck.checker import Checker
    from factcheck.integrations.mcp_server import build_server

    wrong_year = (
        "Sadasivan, S., et al. (2015). Methylphenidate exposure induces dopamine neuron loss "
        f"and activation of microglia in the basal ganglia of mice. PLoS ONE. doi:{PLOS}"
    )

    async def call() -> Any:
        with Checker(fake_api.config(sources=("crossref", "doi"))) as checker:
            async with Client(build_server(checker)) as client:
                return await client.call_tool("suggest_fix", {"reference": wrong_year})

    answer = asyncio.run(call()).structured_content
    assert answer["finding"]["verdict"]["status"] == "mismatch"
    assert "2012" in answer["suggestion"] and "2015" not in answer["suggestion"]
    assert PLOS in answer["suggestion"]


def test_missing_sdk_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from factcheck.cli import main

    monkeypatch.setitem(sys.modules, "mcp.server.mcpserver", None)
    monkeypatch.delitem(sys.modules, "factcheck.integrations.mcp_server", raising=False)
    result = CliRunner().invoke(main, ["mcp", "--cache", "none"])
    assert result.exit_code == 2
    assert "pip install 'factcheck[mcp]'" in result.output
