"""One bad claim breaks nothing but itself.

Whatever raises while one claim is checked (a host name that the IDNA codec refuses, JSON
or XML nested far deeper than any API nests, a bug in a resolver or in the judge) makes that
claim `unverifiable` with its cause, and every other claim of the text keeps its verdict:
in the library, in `factcheck check` (exit code and JSON intact), in `factcheck run` (every
record written) and in the guard (a dead link next to a hostile one still raises).
A record whose fields have the wrong type is no evidence either way: `unverifiable`, never
`mismatch` and never a crash.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fakes.server import ATOM, CSL_JSON, FakeApi, answer
from servers import LocalServer, Reply

from factcheck import Checker
from factcheck import checker as checker_module
from factcheck.cli import main
from factcheck.errors import ConfigError, FactCheckFailed
from factcheck.guard import guard
from factcheck.model import Citation, Report, Status
from factcheck.resolve.crossref import CrossrefResolver
from factcheck.resolve.doi import DoiResolver

PLOS = "10.1371/journal.pone.0033693"
OTHER = "10.1038/srep16696"
PLOS_ENTRY = (
    "Sadasivan, S., Pond, B. B., Pani, A. K., Qu, C., Jiao, Y., & Smeyne, R. J. (2012). "
    "Methylphenidate exposure "
    f"induces dopamine neuron loss and activation of microglia in the basal ganglia of mice. "
    f"PLoS ONE, 7(3), e33693. doi:{PLOS}"
)
HOSTILE_URLS = {
    "empty label": "http://a..b/",
    "64-char label": "http://" + "a" * 64 + ".example.com/",
    "255-char host": "http://" + ".".join(["a" * 63] * 4) + ".com/",
    "bad IPv6": "http://[::1/",
    "port out of range": "http://example.com:99999/",
    "empty labels only": "http://.../",
}
DEPTHS = [1_200, 100_000]


@pytest.fixture(autouse=True)
def _clean(fake_api: FakeApi) -> Iterator[None]:
    fake_api.reset()
    yield
    fake_api.reset()


@pytest.fixture
def make(fake_api: FakeApi) -> Iterator[Callable[..., Checker]]:
    made: list[Checker] = []

    def build(*sources: str, **overrides: Any) -> Checker:
        checker = Checker(fake_api.config(sources=sources, retries=0, **overrides))
        made.append(checker)
        return checker

    yield build
    for checker in made:
        checker.close()


def by_raw(report: Report) -> dict[str, Any]:
    return {f.citation.raw: f.verdict for f in report.items}


def env_for(api: FakeApi) -> dict[str, str]:
    return {
        "FACTCHECK_CROSSREF_URL": f"{api.url}/crossref",
        "FACTCHECK_DOI_URL": f"{api.url}/doi",
        "FACTCHECK_CACHE": "none",
        "FACTCHECK_RETRIES": "0",
        "COLUMNS": "200",
    }


# ------------------------------------------------------------------ hostile host names


@pytest.mark.parametrize("url", HOSTILE_URLS.values(), ids=HOSTILE_URLS.keys())
def test_a_hostile_url_leaves_the_doi_beside_it_verified(
    url: str, make: Callable[..., Checker]
) -> None:
    report = make("crossref", "doi", "url").check(f"See {url} and doi:{PLOS} for details.")
    verdicts = by_raw(report)
    assert verdicts[f"doi:{PLOS}"].status is Status.VERIFIED
    hostile = next(v for raw, v in verdicts.items() if raw != f"doi:{PLOS}")
    assert hostile.status is not Status.VERIFIED
    assert hostile.reason


@pytest.mark.parametrize("url", [HOSTILE_URLS["empty label"], HOSTILE_URLS["64-char label"]])
def test_a_host_the_idna_codec_refuses_is_unverifiable_with_its_cause(
    url: str, make: Callable[..., Checker]
) -> None:
    [finding] = make("url").check(f"Go to {url} now.").items
    assert finding.verdict.status is Status.UNVERIFIABLE
    assert "label empty or too long" in finding.verdict.reason


def test_the_command_keeps_its_exit_code_and_json(fake_api: FakeApi, tmp_path: Path) -> None:
    text = "".join(f"See {url} here.\n" for url in HOSTILE_URLS.values()) + f"doi:{PLOS}\n"
    path = tmp_path / "answer.md"
    path.write_text(text, encoding="utf-8")
    args = ["check", "--format", "json", "--sources", "crossref,doi,url", str(path)]
    result = CliRunner().invoke(main, args, env=env_for(fake_api))
    # No traceback: the command ended by its own exit (0 or 1 are SystemExit or None here).
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    [file] = json.loads(result.stdout)["files"]
    statuses = {item["citation"]["raw"]: item["verdict"]["status"] for item in file["items"]}
    assert statuses[f"doi:{PLOS}"] == "verified"
    assert len(statuses) == len(HOSTILE_URLS) + 1
    # A name too long for DNS may come back "no such host" (not_found) from the resolver:
    # that is an answer, and the exit code says so; nothing else fails.
    failed = {raw for raw, status in statuses.items() if status in ("not_found", "mismatch")}
    assert failed <= {HOSTILE_URLS["255-char host"]}
    assert result.exit_code == (1 if failed else 0), result.output


def test_the_text_report_lists_every_claim(fake_api: FakeApi, tmp_path: Path) -> None:
    path = tmp_path / "answer.md"
    path.write_text(f"See http://a..b/ and doi:{PLOS}.\n", encoding="utf-8")
    args = ["check", "-v", "--sources", "crossref,doi,url", str(path)]
    result = CliRunner().invoke(main, args, env={**env_for(fake_api), "NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    assert "1 verified, 0 mismatch, 0 not_found, 1 unverifiable" in result.stdout
    assert "internal_error" in result.stdout


def test_factcheck_run_writes_every_record(fake_api: FakeApi, tmp_path: Path) -> None:
    texts = [
        f"See http://a..b/ and doi:{PLOS}.",
        f"Only doi:{OTHER} here.",
        "Only " + HOSTILE_URLS["64-char label"] + " here.",
        "Nested " + HOSTILE_URLS["bad IPv6"] + f" and doi:{PLOS}.",
    ]
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps({"text": t}) + "\n" for t in texts), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    args = ["run", str(source), "-o", str(out), "--sources", "crossref,doi,url", "--no-progress"]
    result = CliRunner().invoke(main, args, env=env_for(fake_api))
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["row"] for r in records] == [1, 2, 3, 4]
    statuses = [
        {f["citation"]["raw"]: f["verdict"]["status"] for f in r["findings"]} for r in records
    ]
    assert statuses[0][f"doi:{PLOS}"] == "verified"
    assert statuses[1] == {f"doi:{OTHER}": "verified"}
    assert list(statuses[2].values()) == ["unverifiable"]
    assert statuses[3][f"doi:{PLOS}"] == "verified"


def test_the_guard_still_raises_for_a_dead_link_next_to_a_hostile_one(
    fake_api: FakeApi, local_server: LocalServer
) -> None:
    local_server.on("/gone", Reply(404, b"gone"))
    dead = local_server.url("/gone")
    checker = Checker(fake_api.config(sources=("url",), allow_private_urls=True, retries=0))

    @guard(checker=checker, on_fail="exception")
    def answer_with_links() -> str:
        return f"Sources: http://a..b/ and {dead} and http://{'x' * 64}.org/."

    with checker, pytest.raises(FactCheckFailed) as raised:
        answer_with_links()
    report = raised.value.report
    verdicts = by_raw(report)
    assert verdicts[dead].status is Status.NOT_FOUND
    assert verdicts["http://a..b/"].status is Status.UNVERIFIABLE
    assert report.failures() == [f for f in report.items if f.citation.raw == dead]
    assert all("check_failed" not in f.verdict.flags for f in report.items)


# ------------------------------------------------------------------ any exception, one claim


@pytest.mark.parametrize(
    "error",
    [
        RuntimeError("boom"),
        RecursionError("maximum recursion depth exceeded"),
        UnicodeError("label empty or too long"),
        KeyError("title"),
        TypeError("'int' object is not subscriptable"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_an_exception_in_every_source_makes_only_that_claim_unverifiable(
    error: Exception, make: Callable[..., Checker], monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing(original: Callable[[Any, Citation], Any]) -> Callable[[Any, Citation], Any]:
        def lookup(self: Any, citation: Citation) -> Any:
            if citation.fields.doi == OTHER:
                raise error
            return original(self, citation)

        return lookup

    monkeypatch.setattr(CrossrefResolver, "_lookup", failing(CrossrefResolver._lookup))
    monkeypatch.setattr(DoiResolver, "_lookup", failing(DoiResolver._lookup))
    report = make("crossref", "doi").check(f"First doi:{PLOS}, then doi:{OTHER}.")
    verdicts = by_raw(report)
    assert verdicts[f"doi:{PLOS}"].status is Status.VERIFIED
    broken = verdicts[f"doi:{OTHER}"]
    assert broken.status is Status.UNVERIFIABLE
    assert broken.flags == ["internal_error"]
    assert type(error).__name__ in broken.reason


def test_one_source_failing_inside_leaves_the_next_source_to_decide(
    make: Callable[..., Checker], monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(self: Any, citation: Citation) -> Any:
        raise RuntimeError("crossref mapping bug")

    monkeypatch.setattr(CrossrefResolver, "_lookup", explode)
    [finding] = make("crossref", "doi").check(f"doi:{PLOS}").items
    assert finding.verdict.status is Status.VERIFIED
    assert finding.verdict.source == "doi"


def test_an_exception_outside_the_sources_makes_only_that_claim_unverifiable(
    make: Callable[..., Checker], monkeypatch: pytest.MonkeyPatch
) -> None:
    original = Checker._ask

    def ask(chain: Any, citation: Citation) -> Any:
        if citation.fields.doi == OTHER:
            raise OverflowError("results cache")
        return original(chain, citation)

    monkeypatch.setattr(Checker, "_ask", staticmethod(ask))
    verdicts = by_raw(make("crossref", "doi").check(f"doi:{PLOS} and doi:{OTHER}"))
    assert verdicts[f"doi:{PLOS}"].status is Status.VERIFIED
    assert verdicts[f"doi:{OTHER}"].status is Status.UNVERIFIABLE
    assert verdicts[f"doi:{OTHER}"].flags == ["internal_error"]


def test_an_exception_while_judging_makes_only_that_claim_unverifiable(
    make: Callable[..., Checker], monkeypatch: pytest.MonkeyPatch
) -> None:
    original = checker_module.judge

    def judge(citation: Citation, *args: Any, **kwargs: Any) -> Any:
        if citation.fields.doi == OTHER:
            raise ValueError("judge bug")
        return original(citation, *args, **kwargs)

    monkeypatch.setattr(checker_module, "judge", judge)
    verdicts = by_raw(make("crossref", "doi").check(f"doi:{PLOS} and doi:{OTHER}"))
    assert verdicts[f"doi:{PLOS}"].status is Status.VERIFIED
    assert verdicts[f"doi:{OTHER}"].status is Status.UNVERIFIABLE
    assert "ValueError: judge bug" in verdicts[f"doi:{OTHER}"].reason
    assert verdicts[f"doi:{OTHER}"].flags == ["internal_error"]


# ------------------------------------------------------------------ nesting beyond any API


def deep_json(depth: int, opener: str) -> bytes:
    if opener == "[":
        return ("[" * depth + "]" * depth).encode()
    return ('{"message":' * depth + "1" + "}" * depth).encode()


@pytest.mark.parametrize("opener", ["[", "{"])
@pytest.mark.parametrize("depth", DEPTHS)
@pytest.mark.parametrize(
    ("source", "path"),
    [
        ("crossref", f"/crossref/works/{PLOS}"),
        ("doi", f"/doi/api/handles/{PLOS}"),
        ("openalex", f"/openalex/works/https://doi.org/{PLOS}"),
    ],
)
def test_deeply_nested_json_is_a_bad_answer_not_a_crash(
    source: str,
    path: str,
    depth: int,
    opener: str,
    fake_api: FakeApi,
    make: Callable[..., Checker],
    tmp_path: Path,
) -> None:
    fake_api.inject_always(path, answer(deep_json(depth, opener)))
    # With an HTTP cache, whose check of the body parses the JSON too.
    checker = make(source, cache=str(tmp_path / "http.sqlite"))
    report = checker.check(f"doi:{PLOS} and https://example.org/ok")
    verdict = by_raw(report)[f"doi:{PLOS}"]
    assert verdict.status is Status.UNVERIFIABLE
    assert "nested too deeply" in verdict.reason
    assert len(report.items) == 2


@pytest.mark.parametrize("depth", DEPTHS)
def test_deeply_nested_csl_from_doi_org_leaves_the_handles_answer(
    depth: int, fake_api: FakeApi, make: Callable[..., Checker]
) -> None:
    fake_api.inject_always(f"/doi/{PLOS}", answer(deep_json(depth, "{"), CSL_JSON))
    report = make("doi").check(f"doi:{PLOS}\n\n{PLOS_ENTRY}")
    bare, entry = report.items[0].verdict, report.items[1].verdict
    assert "metadata_unavailable" in bare.flags  # the Handle API still says it exists
    assert entry.status is Status.UNVERIFIABLE


@pytest.mark.parametrize("depth", DEPTHS)
def test_deeply_nested_pubmed_json_is_a_bad_answer(
    depth: int, fake_api: FakeApi, make: Callable[..., Checker]
) -> None:
    fake_api.inject_always("/pubmed/esummary.fcgi", answer(deep_json(depth, "[")))
    [finding] = make("pubmed").check("PMID: 9500320").items
    assert finding.verdict.status is Status.UNVERIFIABLE
    assert "nested too deeply" in finding.verdict.reason


def atom_feed(inner: str) -> bytes:
    return f'<feed xmlns="http://www.w3.org/2005/Atom">{inner}</feed>'.encode()


@pytest.mark.parametrize("depth", DEPTHS)
@pytest.mark.parametrize("where", ["body", "entry", "title"])
def test_deeply_nested_xml_from_arxiv_is_no_crash(
    depth: int, where: str, fake_api: FakeApi, make: Callable[..., Checker]
) -> None:
    nested = "<x>" * depth + "</x>" * depth
    body = {
        "body": nested.encode(),
        "entry": atom_feed(
            "<entry><id>http://arxiv.org/abs/2311.16162v1</id><title>A paper</title>"
            f"<summary>{nested}</summary></entry>"
        ),
        "title": atom_feed(
            f"<entry><id>http://arxiv.org/abs/2311.16162v1</id><title>{nested}</title></entry>"
        ),
    }[where]
    fake_api.inject_always("/arxiv/api/query", answer(body, ATOM))
    report = make("arxiv", "crossref").check(f"arXiv:2311.16162 and doi:{PLOS}")
    verdicts = by_raw(report)
    assert verdicts[f"doi:{PLOS}"].status is Status.VERIFIED
    arxiv = verdicts["arXiv:2311.16162"]
    if where == "body":
        assert arxiv.status is Status.UNVERIFIABLE
    assert arxiv.status in {Status.VERIFIED, Status.UNVERIFIABLE, Status.NOT_FOUND}


# ------------------------------------------------------------------ wrong types are no evidence


def crossref_message(fake_api: FakeApi) -> dict[str, Any]:
    return copy.deepcopy(fake_api.corpus.crossref[PLOS])


def envelope(message: dict[str, Any]) -> bytes:
    return json.dumps({"status": "ok", "message-type": "work", "message": message}).encode()


WRONG_CROSSREF_FIELDS: dict[str, tuple[str, Any]] = {
    "title number": ("title", 12345),
    "title list of numbers": ("title", [12345]),
    "title object": ("title", {"en": "x"}),
    "author object": ("author", {}),
    "author strings": ("author", ["Sadasivan, S.", "Pond, B. B."]),
    "author number parts": ("author", [{"family": 7, "given": "S."}]),
    "container number": ("container-title", 7),
    "issued text": ("issued", "x"),
    "issued parts text": ("issued", {"date-parts": "2012"}),
    "issued parts objects": ("issued", {"date-parts": [[{"y": 2012}]]}),
    "volume object": ("volume", {}),
    "page list": ("page", ["e33693"]),
    "publisher list": ("publisher", ["PLoS"]),
    "DOI number": ("DOI", 10),
    "type boolean": ("type", True),
}


@pytest.mark.parametrize(
    ("field", "value"), WRONG_CROSSREF_FIELDS.values(), ids=WRONG_CROSSREF_FIELDS.keys()
)
@pytest.mark.parametrize("claim", ["entry", "doi"])
def test_a_wrong_typed_crossref_field_is_no_evidence(
    field: str,
    value: Any,
    claim: str,
    fake_api: FakeApi,
    make: Callable[..., Checker],
) -> None:
    message = crossref_message(fake_api)
    message[field] = value
    fake_api.inject_always(f"/crossref/works/{PLOS}", answer(envelope(message)))
    text = PLOS_ENTRY if claim == "entry" else f"doi:{PLOS}"
    [finding, *_] = make("crossref").check(text).items
    assert finding.verdict.status is Status.UNVERIFIABLE, finding.verdict.reason
    assert "wrong type" in finding.verdict.reason or "record of" in finding.verdict.reason


def test_null_everywhere_is_no_evidence(fake_api: FakeApi, make: Callable[..., Checker]) -> None:
    message = dict.fromkeys(crossref_message(fake_api))
    fake_api.inject_always(f"/crossref/works/{PLOS}", answer(envelope(message)))
    for text in (PLOS_ENTRY, f"doi:{PLOS}"):
        [finding, *_] = make("crossref").check(text).items
        assert finding.verdict.status is Status.UNVERIFIABLE


def test_the_untouched_record_verifies(fake_api: FakeApi, make: Callable[..., Checker]) -> None:
    """The control for the variants above: the same entry against the real record."""
    fake_api.inject_always(f"/crossref/works/{PLOS}", answer(envelope(crossref_message(fake_api))))
    [finding, *_] = make("crossref").check(PLOS_ENTRY).items
    assert finding.verdict.status is Status.VERIFIED


OPENALEX_WORK: dict[str, Any] = {
    "doi": f"https://doi.org/{PLOS}",
    "title": "Methylphenidate Exposure Induces Dopamine Neuron Loss and Activation of "
    "Microglia in the Basal Ganglia of Mice",
    "publication_year": 2012,
    "authorships": [
        {"author": {"display_name": "Shankar Sadasivan"}},
        {"author": {"display_name": "Brooks B. Pond"}},
        {"author": {"display_name": "Amar K. Pani"}},
        {"author": {"display_name": "Chunxu Qu"}},
        {"author": {"display_name": "Yun Jiao"}},
        {"author": {"display_name": "Richard J. Smeyne"}},
    ],
    "primary_location": {"source": {"display_name": "PLoS ONE", "type": "journal"}},
    "biblio": {"volume": "7", "issue": "3", "first_page": "e33693"},
    "type": "article",
}
WRONG_OPENALEX_FIELDS: dict[str, tuple[str, Any]] = {
    "title number": ("title", 12345),
    "authorships object": ("authorships", {}),
    "authorships strings": ("authorships", ["Shankar Sadasivan"]),
    "author name number": ("authorships", [{"author": {"display_name": 5}}]),
    "year object": ("publication_year", {"y": 2012}),
    "location number": ("primary_location", 7),
    "source name list": ("primary_location", {"source": {"display_name": ["PLoS ONE"]}}),
    "biblio list": ("biblio", ["7"]),
    "doi number": ("doi", 10),
    "retracted text": ("is_retracted", "yes"),
}


@pytest.mark.parametrize("broken", [None, *WRONG_OPENALEX_FIELDS], ids=str)
def test_a_wrong_typed_openalex_field_is_no_evidence(
    broken: str | None, fake_api: FakeApi, make: Callable[..., Checker]
) -> None:
    work = copy.deepcopy(OPENALEX_WORK)
    if broken is not None:
        field, value = WRONG_OPENALEX_FIELDS[broken]
        work[field] = value
    fake_api.inject_always(
        f"/openalex/works/https://doi.org/{PLOS}", answer(json.dumps(work).encode())
    )
    [finding, *_] = make("openalex").check(PLOS_ENTRY).items
    expected = Status.VERIFIED if broken is None else Status.UNVERIFIABLE
    assert finding.verdict.status is expected, finding.verdict.reason


@pytest.mark.parametrize(
    ("field", "value"),
    [("title", 1), ("authors", {}), ("authors", ["Smith J"]), ("pubtype", "x"), ("uid", [1])],
)
def test_a_wrong_typed_pubmed_field_is_no_evidence(
    field: str, value: Any, fake_api: FakeApi, make: Callable[..., Checker]
) -> None:
    payload = json.loads(fake_api.corpus.esummary["pubmed", "9500320"])
    payload["result"]["9500320"][field] = value
    fake_api.inject_always("/pubmed/esummary.fcgi", answer(json.dumps(payload).encode()))
    [finding] = make("pubmed").check("PMID: 9500320").items
    assert finding.verdict.status is Status.UNVERIFIABLE, finding.verdict.reason


@pytest.mark.parametrize(("field", "value"), [("title", 12345), ("author", {}), ("issued", "x")])
def test_a_wrong_typed_csl_field_from_doi_org_counts_as_no_metadata(
    field: str, value: Any, fake_api: FakeApi, make: Callable[..., Checker]
) -> None:
    csl = {"DOI": PLOS, "title": "Methylphenidate exposure", "type": "article-journal"}
    csl[field] = value
    fake_api.inject_always(f"/doi/{PLOS}", answer(json.dumps(csl).encode(), CSL_JSON))
    [finding, *_] = make("doi").check(PLOS_ENTRY).items
    assert finding.verdict.status is Status.UNVERIFIABLE
    assert "metadata_unavailable" in finding.verdict.flags


# ------------------------------------------------------------------ nesting in our own inputs


@pytest.mark.parametrize("depth", DEPTHS)
def test_a_deeply_nested_input_line_is_one_malformed_record(
    depth: int, fake_api: FakeApi, tmp_path: Path
) -> None:
    source = tmp_path / "in.jsonl"
    deep = '{"text": ' + "[" * depth + "]" * depth + "}"
    source.write_text(f"{deep}\n" + json.dumps({"text": f"doi:{PLOS}"}) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    args = ["run", str(source), "-o", str(out), "--sources", "crossref,doi", "--no-progress"]
    result = CliRunner().invoke(main, args, env=env_for(fake_api))
    assert result.exit_code == 0, result.output
    first, second = (json.loads(line) for line in out.read_text(encoding="utf-8").splitlines())
    assert first["problem"] == "malformed" and "nested too deeply" in first["message"]
    assert second["findings"][0]["verdict"]["status"] == "verified"


@pytest.mark.parametrize("depth", DEPTHS)
def test_a_deeply_nested_results_file_is_one_error_line(depth: int, tmp_path: Path) -> None:
    results = tmp_path / "results.jsonl"
    results.write_text("[" * depth + "]" * depth + "\n", encoding="utf-8")
    outcome = CliRunner().invoke(main, ["report", str(results), "-o", str(tmp_path / "r.html")])
    assert outcome.exit_code == 2
    assert "nested too deeply" in outcome.output
    assert "Traceback" not in outcome.output


@pytest.mark.parametrize("depth", DEPTHS)
def test_a_deeply_nested_library_file_is_a_config_error(depth: int, tmp_path: Path) -> None:
    library = tmp_path / "library.json"
    library.write_text("[" * depth + "]" * depth, encoding="utf-8")
    with (
        Checker(sources=("library",), library=(str(library),), cache="none") as checker,
        pytest.raises(ConfigError, match=r"library\.json: invalid JSON"),
    ):
        checker.check(PLOS_ENTRY)
