"""The `acl` source: the ACL Anthology's BibTeX, downloaded by `factcheck library update acl`
from a fake server on 127.0.0.1 (or read with --from), indexed, and looked up by Anthology
id, by link, by DOI and by title; what its silence proves; and downloads that fail."""

from __future__ import annotations

import gzip
import logging
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from servers import LocalServer, Reply, fast_config

from factcheck import Checker
from factcheck.cli import main
from factcheck.config import Config
from factcheck.model import Citation, Fields, Kind, Status
from factcheck.net.http import Http
from factcheck.resolve import aclupdate
from factcheck.resolve.acl import AclResolver, acl_id, covers, id_year, index_path
from factcheck.resolve.aclupdate import UpdateError, update_index
from factcheck.resolve.base import Outcome
from factcheck.resolve.results import settings_digest

PATH = "/anthology.bib.gz"
UPDATE = "factcheck library update acl"

ANTHOLOGY = r"""@proceedings{acl-2020-association,
    title = "Proceedings of the 58th Annual Meeting of the ACL_NAME",
    editor = "Jurafsky, Dan  and Chai, Joyce",
    month = jul,
    year = "2020",
    publisher = "Association for Computational Linguistics",
    url = "https://aclanthology.org/2020.acl-main.0",
}
@inproceedings{lindqvist-osei-2020-quokka,
    title = "Sparse Attention for Quokka Dependency Parsing",
    author = "Lindqvist, Maja  and
      Osei, Kwame",
    editor = "Jurafsky, Dan  and
      Chai, Joyce",
    booktitle = "Proceedings of the 58th Annual Meeting of the ACL_NAME",
    month = jul,
    year = "2020",
    address = "Online",
    publisher = "Association for Computational Linguistics",
    url = "https://aclanthology.org/2020.acl-main.1",
    doi = "10.18653/v1/2020.acl-main.1",
    pages = "1--12",
}
@inproceedings{tanaka-etal-2021-tokenizer,
    title = "Tokenizer Drift in Multilingual Pretraining",
    author = "Tanaka, Hiroshi  and
      M{\"u}ller, Anna  and
      Diallo, Fatou",
    booktitle = "Findings of the Association for Computational Linguistics: EMNLP 2021",
    month = nov,
    year = "2021",
    address = "Punta Cana, Dominican Republic",
    publisher = "Association for Computational Linguistics",
    url = "https://aclanthology.org/2021.findings-emnlp.5",
    doi = "10.18653/v1/2021.findings-emnlp.5",
    pages = "40--52",
}
@inproceedings{petrov-2019-lexicon,
    title = "Lexicon Induction for Low-Resource Morphology",
    author = "Petrov, Ivan",
    booktitle = "Proceedings of the 57th Annual Meeting of the ACL_NAME",
    month = jul,
    year = "2019",
    address = "Florence, Italy",
    publisher = "Association for Computational Linguistics",
    url = "https://aclanthology.org/P19-1001",
    doi = "10.18653/v1/P19-1001",
    pages = "1--10",
}
@article{okafor-santos-2020-discourse,
    title = "Discourse Graphs for Long Document Summarisation",
    author = "Okafor, Chidi  and
      Santos, Beatriz",
    journal = "Transactions of the Association for Computational Linguistics",
    volume = "8",
    year = "2020",
    address = "Cambridge, MA",
    publisher = "MIT Press",
    url = "https://aclanthology.org/2020.tacl-1.3",
    doi = "10.1162/tacl_a_00301",
    pages = "33--48",
}
@inproceedings{berg-2019-wmt,
    title = "Findings of a Shared Task on Quokka Translation",
    author = "Berg, Lars",
    booktitle = "Proceedings of the Fourth Conference on Machine Translation",
    year = "2019",
    publisher = "Association for Computational Linguistics",
    url = "https://aclanthology.org/W19-5301",
    pages = "1--20",
}
""".replace("ACL_NAME", "Association for Computational Linguistics")
# Every entry above, the volume's own included.
WORKS = 6
YEARS = (2019, 2021)


@pytest.fixture
def packed() -> bytes:
    return gzip.compress(ANTHOLOGY.encode())


def acl_config(tmp_path: Path, server: LocalServer | None = None, **overrides: Any) -> Config:
    settings = {"index": str(tmp_path / "data" / "acl.sqlite")}
    if server is not None:
        settings["url"] = server.url(PATH)
    return fast_config(tmp_path, sources=("acl",), plugins={"acl": settings}, **overrides)


@pytest.fixture
def updated(tmp_path: Path, local_server: LocalServer, packed: bytes) -> Config:
    local_server.on(PATH, Reply(200, packed, {"Content-Type": "application/gzip"}))
    config = acl_config(tmp_path, local_server)
    update_index(config)
    return config


def reference(raw: str = "", **fields: Any) -> Citation:
    return Citation(kind=Kind.REFERENCE, raw=raw or "ref", start=0, end=1, fields=Fields(**fields))


def look(config: Config, citation: Citation) -> Any:
    return AclResolver(Http(config), config).lookup(citation)


# --- update -----------------------------------------------------------------------------------


def test_update_downloads_and_indexes_the_anthology(
    tmp_path: Path, local_server: LocalServer, packed: bytes
) -> None:
    local_server.on(PATH, Reply(200, packed, {"Content-Type": "application/gzip"}))
    config = acl_config(tmp_path, local_server)
    done = update_index(config)
    assert (done.works, done.years, done.index) == (WORKS, YEARS, index_path(config))
    assert done.origin == local_server.url(PATH)
    assert local_server.hits(PATH) == 1
    assert not [p for p in done.index.parent.iterdir() if p != done.index]  # nothing left over


def test_the_bibtex_is_read_in_chunks_of_whole_entries(
    tmp_path: Path, packed: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(aclupdate, "CHUNK_ENTRIES", 2)
    source = tmp_path / "anthology.bib.gz"
    source.write_bytes(packed)
    config = acl_config(tmp_path)
    assert update_index(config, source).works == WORKS
    for link in ("2020.acl-main.1", "2021.findings-emnlp.5", "P19-1001", "W19-5301"):
        lookup = look(config, reference(url=f"https://aclanthology.org/{link}"))
        assert lookup.records[0].id == link


def test_a_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "anthology.bib"
    source.write_bytes(ANTHOLOGY.encode() + b'\n@misc{x, title = "Caf\xe9"}\n')
    with pytest.raises(UpdateError, match="not UTF-8"):
        update_index(acl_config(tmp_path), source)


def test_update_reads_a_plain_bibtex_body_too(tmp_path: Path, local_server: LocalServer) -> None:
    local_server.on(PATH, Reply(200, ANTHOLOGY.encode(), {"Content-Type": "text/plain"}))
    assert update_index(acl_config(tmp_path, local_server)).works == WORKS


@pytest.mark.parametrize("suffix", [".bib.gz", ".bib", ".download"])
def test_update_from_a_file_needs_no_network(
    tmp_path: Path, packed: bytes, suffix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Http, "get", _no_network)
    source = tmp_path / f"anthology{suffix}"
    source.write_bytes(packed if suffix.endswith("gz") else ANTHOLOGY.encode())
    done = update_index(acl_config(tmp_path), source)
    assert (done.works, done.origin) == (WORKS, str(source))


def test_the_command_updates_from_a_file_into_the_configured_index(
    tmp_path: Path, packed: bytes
) -> None:
    source = tmp_path / "anthology.bib.gz"
    source.write_bytes(packed)
    index = tmp_path / "elsewhere" / "anthology.sqlite"
    result = CliRunner().invoke(
        main,
        ["library", "update", "acl", "--from", str(source)],
        env={"FACTCHECK_ACL_INDEX": str(index)},
    )
    assert result.exit_code == 0, result.output
    assert f"indexed {WORKS} works, 2019-2021 from {source} into {index}" in result.output
    assert index.is_file()


def test_the_command_says_why_an_update_failed(tmp_path: Path) -> None:
    source = tmp_path / "anthology.bib.gz"
    source.write_bytes(gzip.compress(ANTHOLOGY.encode())[:200])
    result = CliRunner().invoke(
        main,
        ["library", "update", "acl", "--from", str(source)],
        env={"FACTCHECK_ACL_INDEX": str(tmp_path / "acl.sqlite")},
    )
    assert result.exit_code == 2
    assert "the acl index was not updated" in result.output
    assert "cannot be read" in result.output


def _private_redirect(server: LocalServer) -> None:
    server.on(PATH, Reply(302, b"", {"Location": "http://169.254.169.254/anthology.bib.gz"}))


def _half(server: LocalServer) -> None:
    body = gzip.compress(ANTHOLOGY.encode())
    server.on(PATH, Reply(200, body[: len(body) // 2]))


def _too_big(server: LocalServer) -> None:
    server.on(PATH, Reply(200, gzip.compress(ANTHOLOGY.encode()) + b"\0" * 4096))


@pytest.mark.parametrize(
    ("serve", "why"),
    [
        (lambda s: s.on(PATH, Reply(500, b"down")), "HTTP 500"),
        (lambda s: s.on(PATH, Reply(404, b"gone")), "HTTP 404"),
        (_half, "truncated gzip"),
        (_too_big, "more than 2048 bytes"),
        (_private_redirect, "refused: acl redirected to http://169.254.169.254"),
        (lambda s: s.on(PATH, Reply(200, b"<html>maintenance</html>")), "holds no reference"),
        (lambda s: s.on(PATH, Reply(200, b"\x1f\x8bnot gzip at all")), "no valid gzip"),
    ],
    ids=["500", "404", "truncated", "oversized", "private-redirect", "html", "bad-gzip"],
)
def test_a_failed_download_says_why_and_keeps_the_old_index(
    tmp_path: Path,
    updated: Config,
    local_server: LocalServer,
    monkeypatch: pytest.MonkeyPatch,
    serve: Any,
    why: str,
) -> None:
    index = index_path(updated)
    before = index.read_bytes()
    monkeypatch.setattr(aclupdate, "MAX_DOWNLOAD_BYTES", 2048)
    serve(local_server)
    with pytest.raises(UpdateError, match=why.replace(".", r"\.")):
        update_index(updated)
    assert index.read_bytes() == before
    assert not [p for p in index.parent.iterdir() if p != index]
    found = look(updated, reference(url="https://aclanthology.org/P19-1001"))
    assert found.outcome is Outcome.FOUND


def test_a_gzip_that_unpacks_past_the_cap_is_refused(
    tmp_path: Path, local_server: LocalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(aclupdate, "MAX_BIBTEX_BYTES", 10_000)
    local_server.on(PATH, Reply(200, gzip.compress(b" " * 1_000_000)))
    with pytest.raises(UpdateError, match="unpacks to more than 10000 bytes"):
        update_index(acl_config(tmp_path, local_server))
    assert not index_path(acl_config(tmp_path)).exists()


def test_offline_updates_only_from_a_file(tmp_path: Path) -> None:
    with pytest.raises(UpdateError, match="--from FILE"):
        update_index(acl_config(tmp_path, offline=True))


# --- lookups ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("citation", "key"),
    [
        (reference(url="https://aclanthology.org/P19-1001.pdf"), "P19-1001"),
        (reference(url="https://www.aclweb.org/anthology/p19-1001/"), "P19-1001"),
        (reference("see https://aclanthology.org/2021.findings-emnlp.5/ for it"), None),
        (reference(url="https://aclanthology.org/W19-5301"), "W19-5301"),
        (reference("Berg, L. (2019). ACL Anthology W19-5301."), "W19-5301"),
        (reference("Petrov, I. (2019). Anthology ID: p19-1001."), "P19-1001"),
        (reference("Tanaka et al. 2021.findings-emnlp.5"), "2021.findings-emnlp.5"),
        (reference(doi="10.1162/tacl_a_00301", title="Discourse graphs"), "2020.tacl-1.3"),
    ],
    ids=[
        "old-id-link",
        "aclweb-lower-case",
        "link-in-text",
        "workshop",
        "named-old-id",
        "anthology-id-label",
        "bare-new-id",
        "tacl-doi",
    ],
)
def test_a_linked_anthology_id_or_doi_is_looked_up_exactly(
    updated: Config, citation: Citation, key: str | None
) -> None:
    lookup = look(updated, citation)
    assert lookup.outcome is Outcome.FOUND
    [record] = lookup.records
    assert record.source == "acl"
    assert record.id == (key or "2021.findings-emnlp.5")


def test_a_doi_claim_is_looked_up_and_its_miss_proves_nothing(updated: Config) -> None:
    doi = Citation(kind=Kind.DOI, raw="10.18653/v1/2020.acl-main.1", start=0, end=1)
    found = look(updated, doi)
    assert found.outcome is Outcome.FOUND
    assert found.records[0].fields.title == "Sparse Attention for Quokka Dependency Parsing"
    other = Citation(kind=Kind.DOI, raw="10.18653/v1/2020.acl-main.999", start=0, end=1)
    missing = look(updated, other)
    assert (missing.outcome, missing.authoritative) == (Outcome.MISSING, False)


def test_a_reference_is_found_by_title(updated: Config) -> None:
    claim = reference(
        title="Tokenizer drift in multilingual pretraining",
        authors=[{"family": "Tanaka", "given": "H."}, {"family": "Müller", "given": "A."}],
        year=2021,
        container="Findings of EMNLP",
    )
    lookup = look(updated, claim)
    assert lookup.outcome is Outcome.FOUND
    assert lookup.records[0].id == "2021.findings-emnlp.5"
    assert lookup.records[0].fields.container == (
        "Findings of the Association for Computational Linguistics: EMNLP 2021"
    )


ACL = "Association for Computational Linguistics"
LREC_2020 = "Proceedings of the Twelfth Language Resources and Evaluation Conference"
INVENTED = {"title": "Recursive Quokka Grammars for Code Switching", "authors": [{"family": "Ng"}]}


@pytest.mark.parametrize(
    ("claim", "authoritative"),
    [
        ({"container": "Proceedings of EMNLP 2020", "year": 2020}, True),
        ({"container": f"Findings of the {ACL}", "year": 2021}, True),
        ({"container": f"Transactions of the {ACL}", "year": 2019}, True),
        ({"publisher": ACL, "container": "Proc. of the Quokka Workshop", "year": 2020}, True),
        ({"container": "Computational Linguistics", "year": 2020}, True),
        ({"container": "Advances in Neural Information Processing Systems", "year": 2020}, False),
        ({"container": "International Journal of Computational Linguistics", "year": 2020}, False),
        ({"container": "Language Resources and Evaluation", "year": 2020}, False),
        ({"container": LREC_2020, "year": 2020}, True),
        ({"container": "Proceedings of EMNLP 2005", "year": 2005}, False),
        ({"container": "Proceedings of ACL 2024", "year": 2024}, False),
        ({"year": 2020}, False),
    ],
    ids=["emnlp", "findings", "tacl", "acl-published", "cl-journal", "neurips", "other-journal",
         "lre-journal", "lrec", "before-the-index", "after-the-index", "no-venue"],
)  # fmt: skip
def test_a_miss_is_evidence_only_for_an_acl_venue_within_the_indexed_years(
    updated: Config, claim: dict[str, Any], authoritative: bool
) -> None:
    lookup = look(updated, reference(**INVENTED, **claim))
    assert (lookup.outcome, lookup.authoritative) == (Outcome.MISSING, authoritative)


def test_a_linked_id_the_index_lacks_is_searched_by_title_too(updated: Config) -> None:
    title = "Sparse attention for quokka dependency parsing"
    claim = reference(title=title, year=2020, url="https://aclanthology.org/2020.acl-main.7")
    found = look(updated, claim)
    assert found.records[0].id == "2020.acl-main.1"
    invented = reference(**INVENTED, year=2020, url="https://aclanthology.org/2020.acl-main.7")
    missing = look(updated, invented)
    assert (missing.outcome, missing.authoritative) == (Outcome.MISSING, True)
    assert (missing.reason or "").startswith(
        "the ACL Anthology holds no paper 2020.acl-main.7, and"
    )


@pytest.mark.parametrize(
    ("link", "authoritative"),
    [
        ("https://aclanthology.org/2020.acl-main.999", True),
        ("https://aclanthology.org/W19-9999", True),
        ("https://aclanthology.org/2024.acl-long.1", False),
        ("https://aclanthology.org/P05-1001", False),
    ],
)
def test_a_linked_id_the_index_lacks_is_evidence_within_its_years(
    updated: Config, link: str, authoritative: bool
) -> None:
    lookup = look(updated, reference(url=link))
    assert (lookup.outcome, lookup.authoritative) == (Outcome.MISSING, authoritative)
    assert "holds no paper" in (lookup.reason or "")


@pytest.mark.parametrize(
    ("link", "expected", "year"),
    [
        ("https://aclanthology.org/2020.acl-main.463.pdf", "2020.acl-main.463", 2020),
        ("https://aclanthology.org/2022.naacl-main.12/", "2022.naacl-main.12", 2022),
        ("http://aclweb.org/anthology/J79-1001", "J79-1001", 1979),
        ("https://aclanthology.org/q18-1001", "Q18-1001", 2018),
    ],
)
def test_anthology_ids_and_their_years(link: str, expected: str, year: int) -> None:
    assert acl_id(Fields(url=link)) == expected
    assert id_year(expected) == year


@pytest.mark.parametrize(
    "text",
    [
        "Grant R01-1234 of the NIH.",
        "Version 2020.12.1 of the tool.",
        "doi:10.5555/x2020.acl-main.1",
        "ACL 2020, pages 1-12.",
    ],
)
def test_no_anthology_id_is_read_where_there_is_none(text: str) -> None:
    assert acl_id(Fields(), text) is None


def test_coverage_needs_the_indexs_years() -> None:
    fields = Fields(title="T", year=2020, container="ACL 2020")
    assert covers(fields, None, (2019, 2021))
    assert not covers(fields, None, None)
    assert not covers(Fields(year=2020, container="ACL 2020"), None, (2019, 2021))


def test_a_checker_calls_a_missing_acl_paper_not_found(
    updated: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = (
        "## References\n\n"
        "1. Lindqvist, M., & Osei, K. (2020). Sparse attention for quokka dependency parsing. "
        "In *Proceedings of the 58th Annual Meeting of the Association for Computational "
        "Linguistics* (pp. 1–12).\n"
        "2. Ng, T. (2020). Recursive quokka grammars for code switching. In *Proceedings of "
        "the 2020 Conference on Empirical Methods in Natural Language Processing* (pp. 1–9).\n"
        "3. Ng, T. (2020). Recursive quokka grammars for code switching. In *Advances in "
        "Neural Information Processing Systems 33* (pp. 1–9).\n"
    )
    monkeypatch.setattr(Http, "get", _no_network)
    with Checker(config=updated.model_copy(update={"cache": "none"})) as checker:
        report = checker.check(text)
    statuses = [f.verdict.status for f in report.items if f.citation.kind is Kind.REFERENCE]
    assert statuses == [Status.VERIFIED, Status.NOT_FOUND, Status.UNVERIFIABLE]


# --- no index, configuration ------------------------------------------------------------------


def test_a_missing_index_is_unverifiable_and_says_to_update(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    config = acl_config(tmp_path)
    with caplog.at_level(logging.WARNING, logger="factcheck.resolve.acl"):
        resolver = AclResolver(Http(config), config)
    assert [r.getMessage() for r in caplog.records] == [
        f"no ACL Anthology index at {index_path(config)}: run `{UPDATE}` to download it"
    ]
    lookup = resolver.lookup(reference(title="Anything", year=2020, container="ACL 2020"))
    assert lookup.outcome is Outcome.FAILED
    assert UPDATE in (lookup.reason or "")
    with Checker(config=config.model_copy(update={"cache": "none"})) as checker:
        report = checker.check(
            "## References\n\n1. Ng, T. (2020). A title of five words. In ACL.\n"
        )
    [finding] = [f for f in report.items if f.citation.kind is Kind.REFERENCE]
    assert finding.verdict.status is Status.UNVERIFIABLE
    assert UPDATE in finding.verdict.reason


def test_a_file_that_is_no_index_is_unverifiable(tmp_path: Path) -> None:
    config = acl_config(tmp_path)
    index_path(config).parent.mkdir(parents=True)
    index_path(config).write_text("not sqlite", encoding="utf-8")
    lookup = look(config, reference(url="https://aclanthology.org/P19-1001"))
    assert lookup.outcome is Outcome.FAILED
    assert UPDATE in (lookup.reason or "")


def test_the_index_location_comes_from_the_environment(tmp_path: Path) -> None:
    chosen = tmp_path / "mine.sqlite"
    assert index_path(Config.load(env={"FACTCHECK_ACL_INDEX": str(chosen)})) == chosen
    default = index_path(Config.load(env={}))
    assert default.name == "acl-anthology.sqlite"
    with pytest.raises(Exception, match="name it with one of"):
        index_path(Config.load(env={"FACTCHECK_ACL_INDEX": str(tmp_path / "mine.bib")}))


def test_an_update_changes_the_results_cache_key(
    tmp_path: Path, local_server: LocalServer, packed: bytes
) -> None:
    local_server.on(PATH, Reply(200, packed))
    config = acl_config(tmp_path, local_server)
    before = settings_digest(config)
    update_index(config)
    assert settings_digest(config) != before


def _no_network(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError("the acl source must not use the network")
