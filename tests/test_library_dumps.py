"""Local mirrors from the sources' own dumps: DBLP's XML and OpenAlex's works snapshot,
indexed by `factcheck library build` and asked with no network."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from factcheck import Checker
from factcheck.cli import main
from factcheck.config import Config
from factcheck.errors import ConfigError
from factcheck.model import Citation, Fields, Kind, Status
from factcheck.net.http import Http
from factcheck.resolve import dumps
from factcheck.resolve.base import Outcome
from factcheck.resolve.library import LibraryResolver, build_index, read_entries

OPENALEX = Path(__file__).parent.parent / "fixtures" / "handmade" / "openalex"

# The shape of dblp.xml: Latin-1 declared, a DTD named for the HTML entities, one element per
# publication, homonym numbers on names, markup inside titles, person pages (`www`) between.
DBLP_XML = b"""<?xml version="1.0" encoding="ISO-8859-1"?>
<!DOCTYPE dblp SYSTEM "dblp.dtd">
<dblp>
<article mdate="2020-01-01" key="journals/nature/SilverHMGSDSAPL16">
<author>David Silver 0001</author>
<author>Aja Huang</author>
<author>J&uuml;rgen Schmidhuber</author>
<title>Mastering the game of <i>Go</i> with deep neural networks and tree search.</title>
<pages>484-489</pages>
<year>2016</year>
<volume>529</volume>
<journal>Nature</journal>
<number>7587</number>
<ee>https://doi.org/10.1038/nature16961</ee>
</article>
<www key="homepages/s/DavidSilver"><author>David Silver 0001</author><title>Home Page</title></www>
<inproceedings key="conf/nips/VaswaniSPUJGKP17">
<author>Ashish Vaswani</author>
<author>&Lstrok;ukasz Kaiser</author>
<title>Attention is All you Need.</title>
<pages>5998-6008</pages>
<year>2017</year>
<booktitle>NIPS</booktitle>
<ee>https://proceedings.neurips.cc/paper/2017/hash/3f5ee243.html</ee>
</inproceedings>
<article key="journals/corr/abs-1810-04805">
<author>Jacob Devlin</author>
<title>BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding.</title>
<year>2018</year>
<journal>CoRR</journal>
<volume>abs/1810.04805</volume>
<ee>https://arxiv.org/abs/1810.04805</ee>
</article>
<article key="journals/x/Caf\xe9"><author>Ren\xe9 Caf\xe9</author>
<title>Caf\xe9 &amp; cr&egrave;me.</title><year>2001</year><journal>X</journal></article>
</dblp>
"""
WORKS_IN_DBLP_XML = 4  # the `www` person page is not a work


def library(path: Path) -> LibraryResolver:
    config = Config.load(env={}, cache="none", library=[path])
    return LibraryResolver(Http(config), config)


def reference(title: str, **fields: object) -> Citation:
    return Citation(
        kind=Kind.REFERENCE,
        raw=title,
        start=0,
        end=len(title),
        fields=Fields(title=title, **fields),  # type: ignore[arg-type]
    )


@pytest.fixture
def dblp_gz(tmp_path: Path) -> Path:
    path = tmp_path / "dblp.xml.gz"
    path.write_bytes(gzip.compress(DBLP_XML))
    return path


def test_a_dblp_dump_is_indexed_and_found_by_doi_and_by_title(
    dblp_gz: Path, tmp_path: Path
) -> None:
    out = tmp_path / "dblp.sqlite"
    assert build_index([dblp_gz], out) == WORKS_IN_DBLP_XML
    source = library(out)

    by_doi = source.lookup(Citation(kind=Kind.DOI, raw="10.1038/nature16961", start=0, end=1))
    assert by_doi.outcome is Outcome.FOUND
    record = by_doi.records[0]
    assert record.fields.title == (
        "Mastering the game of Go with deep neural networks and tree search"
    )
    assert [a.family for a in record.fields.authors] == ["Silver", "Huang", "Schmidhuber"]
    assert record.fields.authors[2].given == "Jürgen"  # an HTML entity, with no DTD loaded
    assert (record.fields.container, record.fields.volume, record.fields.pages) == (
        "Nature",
        "529",
        "484-489",
    )

    by_title = source.lookup(reference("Attention is all you need", year=2017))
    assert by_title.outcome is Outcome.FOUND
    assert by_title.records[0].fields.authors[1].given == "Łukasz"
    assert by_title.records[0].fields.type == "paper-conference"


def test_dblp_preprints_latin1_text_and_person_pages(dblp_gz: Path) -> None:
    entries = {e.key: e for e in read_entries(dblp_gz)}
    assert "homepages/s/DavidSilver" not in entries
    bert = entries["journals/corr/abs-1810-04805"].fields
    assert (bert.type, bert.arxiv) == ("posted-content", "1810.04805")
    cafe = entries["journals/x/Café"].fields
    assert cafe.title == "Café & crème"
    assert cafe.authors[0].family == "Café"


@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 64])
def test_an_entity_split_between_reads_is_still_replaced(
    chunk: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "dblp.xml"
    path.write_bytes(DBLP_XML)
    whole = [e.model_dump() for e in read_entries(path)]
    monkeypatch.setattr(dumps, "READ_CHUNK", chunk)
    assert [e.model_dump() for e in read_entries(path)] == whole


@pytest.mark.parametrize(
    "content",
    [
        # A billion laughs: entities the file declares itself are refused, never expanded.
        b'<?xml version="1.0"?><!DOCTYPE dblp [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]>'
        b"<dblp><article key='k'><title>&b;</title></article></dblp>",
        b"<dblp><article key='k'><title>Unclosed</article></dblp>",
        b"<dblp><article key='k'><title>&nosuchentity;</title></article></dblp>",
        b"\x00\x01binary",
    ],
    ids=["declared entities", "malformed", "unknown entity", "binary"],
)
def test_a_bad_dump_is_a_config_error_naming_the_file(content: bytes, tmp_path: Path) -> None:
    path = tmp_path / "bad.xml"
    path.write_bytes(content)
    with pytest.raises(ConfigError, match=r"library .*bad\.xml"):
        list(read_entries(path))


def test_an_openalex_snapshot_slice_mixes_with_crossref_messages(tmp_path: Path) -> None:
    works = json.loads((OPENALEX / "search-attention.json").read_text())["results"]
    retracted = json.loads((OPENALEX / "retracted-work.json").read_text())
    crossref = {"DOI": "10.5555/crossref.1", "title": ["A Crossref work"], "type": "article"}
    lines = [json.dumps(w) for w in [*works, retracted, crossref]]
    part = tmp_path / "part_000.jsonl.gz"
    part.write_bytes(gzip.compress("\n".join(lines).encode()))
    entries = list(read_entries(part))
    assert len(entries) == len(lines)
    assert entries[0].fields.title == works[0]["title"]
    assert entries[0].key == works[0]["id"].rsplit("/", 1)[1]  # no DOI: the OpenAlex id
    assert "retracted" in entries[len(works)].flags
    assert entries[-1].fields.doi == "10.5555/crossref.1"


def test_cli_builds_a_mirror_then_checks_offline(dblp_gz: Path, tmp_path: Path) -> None:
    out = tmp_path / "mirror.sqlite"
    built = CliRunner().invoke(main, ["library", "build", str(out), str(dblp_gz)])
    assert built.exit_code == 0, built.output
    assert f"indexed {WORKS_IN_DBLP_XML} work(s)" in built.output

    text = (
        "Go was mastered by search (doi:10.1038/nature16961).\n\n"
        "## References\n\n"
        "- Vaswani, A., & Kaiser, L. (2017). Attention is all you need. In NIPS.\n"
    )
    config = Config.load(env={}, cache="none", library=[out], sources="library", offline=True)
    with Checker(config) as checker:
        report = checker.check(text)
    statuses = {f.citation.kind: f.verdict.status for f in report.items}
    assert statuses == {Kind.REFERENCE: Status.VERIFIED, Kind.DOI: Status.VERIFIED}
