"""The library source: a user's BibTeX / CSL-JSON files or an FTS5 index, with no network."""

from __future__ import annotations

import json
import os
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from factcheck import Checker
from factcheck.cli import main
from factcheck.config import Config
from factcheck.errors import ConfigError
from factcheck.model import Citation, Fields, Kind, Status
from factcheck.net.http import Http
from factcheck.resolve.base import Lookup, Outcome
from factcheck.resolve.library import Library, LibraryResolver, build_index
from factcheck.resolve.plugins import registry

LIBRARY = Path(__file__).parent.parent / "fixtures" / "handmade" / "library"
BIB = LIBRARY / "references.bib"
CSL = LIBRARY / "zotero.json"
CROSSREF = LIBRARY / "crossref-works.jsonl"
# Works in the three fixtures: 5 BibTeX entries, 3 CSL items, 1 Crossref work.
FIXTURE_WORKS = 9
PLOS = "10.1371/journal.pone.0033693"

ANSWER = """Transformers replaced recurrence (Vaswani et al., 2017), and residual connections made
very deep networks trainable (He et al., 2016). Go fell to search (Silver et al., 2016).

## References

1. Vaswani, A., Shazeer, N., Parmar, N., Uszkoreit, J., Jones, L., Gomez, A. N., Kaiser, L., & \
Polosukhin, I. (2017). Attention is all you need. In *Advances in Neural Information Processing \
Systems 30* (pp. 5998–6008).
2. He, K., Zhang, X., Ren, S., & Sun, J. (2016). Deep residual learning for image recognition. In \
*Proceedings of the IEEE Conference on Computer Vision and Pattern Recognition* (pp. 770–778). \
https://doi.org/10.1109/cvpr.2016.90
3. Silver, D., Huang, A., Maddison, C. J., & Guez, A. (2016). Mastering the game of Go with deep \
neural networks and tree search. *Nature*, 529(7587), 484–489.
4. Smith, J., & Lee, K. (2019). Deep priors for sparse recovery of cortical signals. *Nature \
Neuroscience*, 22, 1–30.
"""
INVENTED = "Smith, J., & Lee, K. (2019)"


def resolver(*paths: Path, complete: bool = False) -> LibraryResolver:
    config = Config.load(env={}, cache="none", library=paths, library_complete=complete)
    return LibraryResolver(Http(config), config)


def ident(kind: Kind, raw: str) -> Citation:
    return Citation(kind=kind, raw=raw, start=0, end=len(raw))


def reference(title: str, **fields: Any) -> Citation:
    return Citation(
        kind=Kind.REFERENCE,
        raw=title,
        start=0,
        end=len(title),
        fields=Fields(title=title, **fields),
    )


def write(tmp_path: Path, name: str, content: str) -> Path:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def library() -> LibraryResolver:
    return resolver(BIB, CSL, CROSSREF)


# --- identifiers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "raw", "key"),
    [
        # The .bib writes NATURE14539 in capitals; DOIs ignore case.
        (Kind.DOI, "https://doi.org/10.1038/nature14539", "lecun2015deep"),
        (Kind.DOI, "doi:10.18653/V1/N19-1423", "http://zotero.org/users/1234567/items/8GZQ2K3M"),
        (Kind.DOI, PLOS.upper(), PLOS),
        # arXiv ids match without their version, and arXiv's DataCite DOI names the id.
        (Kind.ARXIV, "arXiv:1706.03762v5", "vaswani2017attention"),
        (Kind.DOI, "10.48550/arXiv.1706.03762", "vaswani2017attention"),
        (Kind.ARXIV, "1412.6980", "http://zotero.org/users/1234567/items/QW7ZC4XN"),
        (Kind.PMID, "PMID:11237011", "lander2001initial"),
        (Kind.PMID, "26819042", "silver2016mastering"),
        (Kind.ISBN, "ISBN 978-0-262-19475-4", "scholkopf2002learning"),
    ],
)
def test_identifiers_match_exactly(
    library: LibraryResolver, kind: Kind, raw: str, key: str
) -> None:
    lookup = library.lookup(ident(kind, raw))
    assert lookup.outcome is Outcome.FOUND, lookup.reason
    [record] = lookup.records
    assert (record.source, record.id) == ("library", key)


def test_the_library_keys_dois_as_every_source_compares_them(tmp_path: Path) -> None:
    """A DOI in a file and a DOI in a claim meet by `ids.doi_key`, as the API sources compare
    a record's DOI with the claim's: percent-encoded or not, ASCII case ignored, and letters
    outside ASCII kept as written (DOIs are case-insensitive in ASCII only)."""
    bib = write(
        tmp_path,
        "lib.bib",
        "@article{enc, title={Encoded}, doi={10.1234%2FABC.1}}\n"
        "@article{uml, title={Umlaut}, doi={10.1234/Ä.2}}\n",
    )
    lib = resolver(bib)
    for claimed, key in [
        ("10.1234/abc.1", "enc"),
        ("doi:10.1234%2fAbC.1", "enc"),
        ("10.1234/Ä.2", "uml"),
        ("10.1234/ä.2", None),
    ]:
        lookup = lib.lookup(ident(Kind.DOI, claimed))
        assert [record.id for record in lookup.records] == ([key] if key else []), claimed


def test_found_record_keeps_fields_and_doi_link(library: LibraryResolver) -> None:
    [record] = library.lookup(ident(Kind.DOI, "10.1109/cvpr.2016.90")).records
    assert record.fields.title == "Deep Residual Learning for Image Recognition"
    assert [a.family for a in record.fields.authors] == ["He", "Zhang", "Ren", "Sun"]
    assert record.fields.pages == "770-778"
    assert record.url == "https://doi.org/10.1109/CVPR.2016.90"
    # LaTeX is read into Unicode on the way in.
    [book] = library.lookup(ident(Kind.ISBN, "9780262194754")).records
    assert book.fields.authors[0].family == "Schölkopf"


def test_an_unknown_identifier_is_missing_and_proves_nothing(library: LibraryResolver) -> None:
    lookup = library.lookup(ident(Kind.DOI, "10.1038/nature99999"))
    assert lookup.outcome is Outcome.MISSING
    assert not lookup.authoritative
    assert "10.1038/nature99999" in lookup.reason


def test_a_complete_library_misses_with_authority() -> None:
    complete = resolver(BIB, complete=True)
    assert complete.lookup(ident(Kind.DOI, "10.1038/nature99999")).authoritative
    assert complete.lookup(reference("Deep priors for sparse recovery", year=2019)).authoritative
    # A claim with no title is not searched, and its miss proves nothing even then.
    untitled = Citation(kind=Kind.REFERENCE, raw="Smith 2019", start=0, end=10)
    assert not complete.lookup(untitled).authoritative


# --- search -----------------------------------------------------------------------------------


def test_a_reference_is_found_by_title_and_validated(library: LibraryResolver) -> None:
    claim = reference(
        "Mastering the game of go with deep neural networks and tree search",
        year=2016,
        container="Nature",
    )
    lookup = library.lookup(claim)
    assert lookup.outcome is Outcome.FOUND, lookup.reason
    assert lookup.records[0].id == "silver2016mastering"


def test_case_punctuation_and_accents_do_not_hide_a_title(library: LibraryResolver) -> None:
    claim = reference(
        "LEARNING WITH KERNELS - support vector machines, regularization, optimization & beyond",
        authors=[{"family": "Scholkopf", "given": "B."}],
        year=2002,
    )
    lookup = library.lookup(claim)
    assert lookup.outcome is Outcome.FOUND, lookup.reason
    assert lookup.records[0].id == "scholkopf2002learning"


def test_a_near_but_different_title_is_rejected(library: LibraryResolver) -> None:
    claim = reference("Deep residual networks for speech recognition", year=2019)
    lookup = library.lookup(claim)
    assert lookup.outcome is Outcome.MISSING
    assert not lookup.authoritative
    assert lookup.reason.startswith("the closest hit in the library")
    assert "rejected" in lookup.reason


def test_a_title_with_no_hit_says_so(library: LibraryResolver) -> None:
    lookup = library.lookup(reference("Quantum gravimetry of glaciers", year=2020))
    assert lookup.outcome is Outcome.MISSING
    assert lookup.reason == "the library's search found no work like this reference"


HOSTILE_TITLES = [
    '"',
    '"unbalanced quote',
    'Attention "is all" you need"',
    "deep*",
    "*",
    "- learning",
    "deep -learning",
    "NEAR(deep learning, 2)",
    "deep NEAR learning",
    "deep AND OR NOT learning",
    "(deep learning",
    "deep learning)",
    "title: deep",
    "{title authors}: deep",
    "^deep + learning",
    "deep_learning ' ; DROP TABLE works; --",
    "\x00\x01 deep",
    "    ",
    "α-β pruning ∑ 🤖",
    "word " * 500,
]


@pytest.mark.parametrize("title", HOSTILE_TITLES)
def test_hostile_titles_are_never_query_syntax(library: LibraryResolver, title: str) -> None:
    lookup = library.lookup(reference(title))
    assert lookup.outcome in (Outcome.FOUND, Outcome.MISSING), lookup.reason


def test_deep_learning_is_found_despite_query_operators(library: LibraryResolver) -> None:
    claim = reference('"Deep" learning*', authors=[{"family": "LeCun"}], year=2015)
    lookup = library.lookup(claim)
    assert lookup.outcome is Outcome.FOUND, lookup.reason
    assert lookup.records[0].id == "lecun2015deep"


# --- the index --------------------------------------------------------------------------------


def test_build_index_round_trip(tmp_path: Path) -> None:
    out = tmp_path / "mirror.sqlite"
    assert build_index([BIB, CSL, CROSSREF], out) == FIXTURE_WORKS
    assert [p.name for p in tmp_path.iterdir()] == ["mirror.sqlite"]
    index = resolver(out)
    [plos] = index.lookup(ident(Kind.DOI, PLOS)).records
    assert plos.fields.title is not None and plos.fields.title.startswith("Methylphenidate")
    assert plos.fields.container == "PLoS ONE"
    assert index.lookup(ident(Kind.ARXIV, "1706.03762")).records[0].id == "vaswani2017attention"
    bert = "BERT: pre-training of deep bidirectional transformers for language understanding"
    found = index.lookup(reference(bert, authors=[{"family": "Devlin"}], year=2019))
    assert found.outcome is Outcome.FOUND, found.reason
    # Rebuilding replaces the index whole.
    assert build_index([CROSSREF], out) == 1
    assert resolver(out).lookup(ident(Kind.ARXIV, "1706.03762")).outcome is Outcome.MISSING


def test_an_index_and_text_files_are_one_library(tmp_path: Path) -> None:
    out = tmp_path / "crossref.db"
    build_index([CROSSREF], out)
    both = resolver(out, BIB)
    assert both.lookup(ident(Kind.DOI, PLOS)).outcome is Outcome.FOUND
    assert both.lookup(ident(Kind.DOI, "10.1038/35057062")).outcome is Outcome.FOUND


def test_a_failed_build_keeps_the_old_index(tmp_path: Path) -> None:
    out = tmp_path / "mirror.sqlite"
    build_index([BIB], out)
    broken = write(tmp_path, "broken.json", "[{")
    with pytest.raises(ConfigError, match=r"broken\.json"):
        build_index([CSL, broken], out)
    assert resolver(out).lookup(ident(Kind.DOI, "10.1038/nature14539")).outcome is Outcome.FOUND
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.json", "mirror.sqlite"]


def test_crossref_envelopes_and_retractions_are_read(tmp_path: Path) -> None:
    work = {
        "DOI": "10.1234/retracted.1",
        "title": ["A retracted study of everything"],
        "updated-by": [{"type": "retraction", "DOI": "10.1234/notice"}],
    }
    dump = write(tmp_path, "dump.jsonl", json.dumps({"status": "ok", "message": work}) + "\n\n")
    [record] = resolver(dump).lookup(ident(Kind.DOI, "10.1234/RETRACTED.1")).records
    assert record.flags == ["retracted"]


# --- bad input --------------------------------------------------------------------------------

UNCLOSED_BIB = """@article{good, title = {Fine}, year = 2020}

@article{broken,
  title = {Never closed
  year = 2021,
"""


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("broken.bib", UNCLOSED_BIB, r"broken\.bib: malformed BibTeX at line 3 \(entry broken\)"),
        ("broken.json", '[{"title": "x",]', r"broken\.json: invalid JSON"),
        ("scalar.json", "42", r"scalar\.json: expected CSL-JSON items"),
        ("empty.json", "[]", r"empty\.json: holds no reference"),
        ("empty.bib", "% nothing here\n", r"empty\.bib: holds no reference"),
        ("lines.jsonl", '{"DOI": "10.1/a", "title": ["A"]}\nnot json\n', r"lines\.jsonl: .*line 2"),
        ("latin1.bib", "", r"latin1\.bib: cannot be read"),
        ("notes.sqlite", "just text", r"notes\.sqlite: not a factcheck library index"),
    ],
)
def test_bad_files_are_config_errors_at_first_lookup(
    tmp_path: Path, name: str, content: str, message: str
) -> None:
    path = write(tmp_path, name, content)
    if name == "latin1.bib":
        path.write_bytes("@article{k, title = {Caf\xe9}}".encode("latin-1"))
    broken = resolver(path)
    for _ in range(2):  # the same error every time, not a half-loaded library
        with pytest.raises(ConfigError, match=message):
            broken.lookup(ident(Kind.DOI, "10.1/a"))


def test_another_sqlite_database_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE meta (name TEXT, value TEXT)")
        connection.execute("INSERT INTO meta VALUES ('format', 'something else 9')")
    connection.close()
    with pytest.raises(ConfigError, match=r"other\.db: index format 'something else 9'"):
        resolver(other).lookup(ident(Kind.DOI, "10.1/a"))


def test_missing_files_and_unknown_formats_fail_when_the_checker_is_built(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"nowhere\.bib: no such file"):
        Checker(library=(tmp_path / "nowhere.bib",), cache="none")
    notes = write(tmp_path, "notes.txt", "Attention is all you need")
    with pytest.raises(ConfigError, match=r"notes\.txt: unknown format '\.txt'"):
        Checker(library=(notes,), cache="none")
    with pytest.raises(ConfigError, match="needs at least one file"):
        Checker(sources=("library",), cache="none")


def test_build_index_refuses_bad_names_and_inputs(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"out\.bib: name it with one of"):
        build_index([BIB], tmp_path / "out.bib")
    with pytest.raises(ConfigError, match=r"missing\.bib: no such file"):
        build_index([tmp_path / "missing.bib"], tmp_path / "out.sqlite")
    assert not (tmp_path / "out.sqlite").exists()


# --- configuration, concurrency and the whole flow ---------------------------------------------


def test_a_configured_library_is_asked_first() -> None:
    assert Config.load(env={}, library=(BIB,)).sources[0] == "library"
    assert Config.load(env={}, library=(BIB,), sources="crossref,doi").sources == (
        "library",
        "crossref",
        "doi",
    )
    placed = Config.load(env={}, library=(BIB,), sources=("crossref", "library"))
    assert placed.sources == ("crossref", "library")
    assert "library" not in Config.load(env={}).sources
    assert "library" in registry()


def test_library_settings_from_the_environment() -> None:
    env = {
        "FACTCHECK_LIBRARY": os.pathsep.join([str(BIB), str(CSL)]),
        "FACTCHECK_LIBRARY_COMPLETE": "yes",
    }
    config = Config.load(env=env)
    assert config.library == (BIB, CSL)
    assert config.library_complete
    assert config.sources[0] == "library"
    with pytest.raises(ConfigError, match="FACTCHECK_LIBRARY_COMPLETE"):
        Config.load(env={"FACTCHECK_LIBRARY_COMPLETE": "perhaps"})


def test_concurrent_first_lookups_load_once() -> None:
    shared = resolver(BIB, CSL)
    claims = [ident(Kind.DOI, "10.1038/nature16961"), ident(Kind.PMID, "11237011")] * 16
    with ThreadPoolExecutor(max_workers=8) as pool:
        lookups: list[Lookup] = list(pool.map(shared.lookup, claims))
    assert all(lookup.outcome is Outcome.FOUND for lookup in lookups)


def _no_network(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError("the library source must not use the network")


@pytest.mark.parametrize(
    ("complete", "invented"), [(False, Status.UNVERIFIABLE), (True, Status.NOT_FOUND)]
)
def test_checker_end_to_end_offline(
    monkeypatch: pytest.MonkeyPatch, complete: bool, invented: Status
) -> None:
    monkeypatch.setattr(Http, "get", _no_network)
    with Checker(
        sources=("library",), library=(BIB, CSL), cache="none", library_complete=complete
    ) as checker:
        report = checker.check(ANSWER, path="answer.md")
    verdicts = {
        f.citation.raw.split(" (")[0]: (f.verdict.status, f.verdict.source)
        for f in report.items
        if f.citation.kind is Kind.REFERENCE
    }
    assert verdicts == {
        "Vaswani, A., Shazeer, N., Parmar, N., Uszkoreit, J., Jones, L., Gomez, A. N., "
        "Kaiser, L., & Polosukhin, I.": (Status.VERIFIED, "library"),
        "He, K., Zhang, X., Ren, S., & Sun, J.": (Status.VERIFIED, "library"),
        "Silver, D., Huang, A., Maddison, C. J., & Guez, A.": (Status.VERIFIED, "library"),
        "Smith, J., & Lee, K.": (invented, "library"),
    }
    [doi] = [f for f in report.items if f.citation.kind is Kind.DOI]
    assert doi.verdict.status is Status.VERIFIED


def test_checker_raises_config_error_for_a_malformed_library(tmp_path: Path) -> None:
    broken = write(tmp_path, "broken.bib", UNCLOSED_BIB)
    with (
        Checker(sources=("library",), library=(broken,), cache="none") as checker,
        pytest.raises(ConfigError, match=r"broken\.bib"),
    ):
        checker.check(ANSWER)


# --- the command ------------------------------------------------------------------------------


def test_cli_library_build_then_check(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "mirror.sqlite"
    built = runner.invoke(main, ["library", "build", str(out), str(BIB), str(CSL), str(CROSSREF)])
    assert built.exit_code == 0, built.output
    assert built.stdout.strip() == f"indexed {FIXTURE_WORKS} work(s) into {out}"
    answer = write(tmp_path, "answer.md", ANSWER)
    env = {"FACTCHECK_CACHE": "none", "FACTCHECK_LIBRARY": str(out)}
    args = ["--format", "json", "--sources", "library", "--library-complete", str(answer)]
    checked = runner.invoke(main, args, env=env)
    assert checked.exit_code == 1, checked.output  # the invented entry is not_found
    [file] = json.loads(checked.stdout)["files"]
    statuses = {
        item["citation"]["raw"][:27]: item["verdict"]["status"]
        for item in file["items"]
        if item["citation"]["kind"] == "reference"
    }
    assert statuses[INVENTED[:27]] == "not_found"
    assert list(statuses.values()).count("verified") == 3


def test_cli_reports_bad_library_files_without_a_traceback(tmp_path: Path) -> None:
    runner = CliRunner()
    broken = write(tmp_path, "broken.bib", UNCLOSED_BIB)
    built = runner.invoke(main, ["library", "build", str(tmp_path / "x.sqlite"), str(broken)])
    assert built.exit_code == 2
    assert built.stderr.startswith("factcheck: error: library ")
    assert "broken.bib: malformed BibTeX" in built.stderr
    assert built.exception is None or isinstance(built.exception, SystemExit)
    answer = write(tmp_path, "answer.md", ANSWER)
    args = ["--sources", "library", "--library", str(broken), str(answer)]
    checked = runner.invoke(main, args, env={"FACTCHECK_CACHE": "none"})
    assert checked.exit_code == 2
    assert "factcheck: error: library " in checked.stderr
    assert isinstance(checked.exception, SystemExit)


def test_an_index_keeps_its_works_years_and_finds_entries_by_key(tmp_path: Path) -> None:
    bib = write(
        tmp_path,
        "years.bib",
        "@article{old, title={An Old Study of Quokkas}, year={1987}}\n"
        "@article{new, title={A New Study of Quokkas}, year={2021}}\n"
        "@misc{undated, title={An Undated Note on Quokkas}}\n",
    )
    out = tmp_path / "years.sqlite"
    build_index([bib], out)
    index = Library([out])
    assert index.years() == (1987, 2021)
    found = index.by_identifier([("key", "new")])
    assert found is not None and found.fields.title == "A New Study of Quokkas"
    assert index.by_identifier([("key", "missing")]) is None
    index.close()
    assert Library([bib]).years() == (1987, 2021)  # a file read into memory keeps them too
