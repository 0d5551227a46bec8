"""`factcheck mcp`: the Checker as Model Context Protocol tools, for agents and IDE assistants.

Built on the official `mcp` SDK (extra `factcheck[mcp]`), imported only here. Each tool is a
thin shell over a documented Python function (`Checker.check`, `api.check_reference`,
`extract`, `suggest.corrected_reference`) and answers with the CLI's JSON shapes, so a model
reads the same verdicts a person or a script does. The server uses one Checker for its whole
life, configured as the CLI is (user config, `FACTCHECK_*`, `--config`): the SSRF policy,
limits and deadline apply to every tool call.

Serve it on stdio (what MCP clients start), or on streamable HTTP bound to 127.0.0.1.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mcp.server.mcpserver import MCPServer

from .. import __version__
from ..api import reference_citation
from ..extract import extract_all
from ..model import Report
from ..report.render import finding_dict, report_dict
from ..report.suggest import corrected_reference

if TYPE_CHECKING:
    from ..checker import Checker

SERVER_NAME = "factcheck"
DEFAULT_HOST = "127.0.0.1"
HTTP_PATH = "/mcp"

INSTRUCTIONS = """\
factcheck verifies scholarly citations and links against Crossref, doi.org, arXiv, OpenAlex,
DBLP, PubMed and the web. Call it on any text you wrote or were given that cites papers,
DOIs, arXiv ids or URLs, before you rely on or repeat those citations. Every claim gets a
status: verified (exists and matches), mismatch (exists but described wrongly: fix it from
`record`), not_found (likely fabricated: do not cite it), unverifiable (could not be decided:
say so rather than guess)."""

CHECK_TEXT = """\
Verify every reference, DOI, arXiv id, PubMed id and URL in a text (an answer, a draft, a
reference list, BibTeX). Use it before presenting citations to a user. Returns one item per
claim with `verdict.status` (verified | mismatch | not_found | unverifiable), a one-sentence
`reason`, the `record` found at the source, and `diffs` (field, claimed, found) for a
mismatch; plus a `summary` with counts. `ok` is false when something was not_found or
mismatched. Remove or correct not_found and mismatch claims; report unverifiable ones as
unchecked."""

CHECK_REFERENCE = """\
Verify ONE reference string, e.g. 'Vaswani, A. et al. (2017). Attention is all you need.
NeurIPS.' or a single BibTeX entry. Use it to test a citation you are about to write. Returns
the same verdict shape as check_text for that reference (and any identifier inside it)."""

EXTRACT_CLAIMS = """\
List the claims factcheck would check in a text (references, identifiers, URLs) with their
character offsets and parsed fields, without any network access. Use it to see what was
recognised, e.g. before deciding whether to run check_text on a long document."""

SUGGEST_FIX = """\
Check one reference and, if it is a mismatch, return it corrected from the work it cites,
field by field, in its own format (BibTeX stays BibTeX): wrong year, venue, pages or an
invented co-author are fixed, and a DOI that belongs to another paper is replaced by the
right one when the cited work can be found. `suggestion` is null when the reference is
verified (nothing to fix), likely fabricated (not_found, or flag cited_work_not_found: drop
it, never cite another paper in its place) or could not be checked (unverifiable)."""


def build_server(checker: Checker) -> MCPServer:
    """An MCP server whose tools run on `checker` (which the caller owns and closes)."""
    server: MCPServer = MCPServer(
        SERVER_NAME, instructions=INSTRUCTIONS, version=__version__, log_level="WARNING"
    )

    @server.tool(description=CHECK_TEXT)
    def check_text(text: str) -> dict[str, Any]:
        return report_dict(checker.check(text))

    @server.tool(description=CHECK_REFERENCE)
    def check_reference(reference: str) -> dict[str, Any]:
        return report_dict(_one_reference(checker, reference))

    @server.tool(description=EXTRACT_CLAIMS)
    def extract_claims(text: str) -> dict[str, Any]:
        citations = extract_all(text).citations
        return {"items": [c.model_dump(mode="json") for c in citations]}

    @server.tool(description=SUGGEST_FIX)
    def suggest_fix(reference: str) -> dict[str, Any]:
        report = _one_reference(checker, reference)
        entry = report.items[0]
        return {"finding": finding_dict(entry), "suggestion": corrected_reference(entry)}

    return server


def _one_reference(checker: Checker, reference: str) -> Report:
    """The reference checked as one entry: its finding comes first in the report."""
    return checker.verify([reference_citation(reference)])


def serve(checker: Checker, *, http_port: int | None = None, host: str = DEFAULT_HOST) -> None:
    """Run the server until its client goes away (stdio) or the process is stopped (HTTP)."""
    server = build_server(checker)
    if http_port is None:
        server.run("stdio")
    else:
        server.run("streamable-http", host=host, port=http_port, streamable_http_path=HTTP_PATH)
