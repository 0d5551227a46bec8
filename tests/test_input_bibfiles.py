"""RIS, EndNote XML and CSL-JSON: each record one reference with its fields, spanning its
text exactly; broken files refused with one message; checked through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from fakes.server import FakeApi
from test_cli import env_for

from factcheck.cli import main
from factcheck.errors import InputError
from factcheck.inputs import read_document
from factcheck.model import Kind

PLOS = "10.1371/journal.pone.0033693"
TITLE = (
    "Methylphenidate exposure induces dopamine neuron loss and activation of microglia "
    "in the basal ganglia of mice"
)
AUTHORS = [
    ("Sadasivan", "Santhosh"),
    ("Pond", "Brooks B."),
    ("Pani", "Amar K."),
    ("Qu", "Chunxu"),
    ("Jiao", "Yun"),
    ("Smeyne", "Richard J."),
]

RIS = (
    "TY  - JOUR\n"
    "ID  - sadasivan2012\n"
    + "".join(f"AU  - {family}, {given}\n" for family, given in AUTHORS)
    + f"TI  - {TITLE}\n"
    "T2  - PLoS ONE\n"
    "PY  - 2012\n"
    "VL  - 7\n"
    "IS  - 3\n"
    "SP  - e33693\n"
    f"DO  - {PLOS}\n"
    "ER  - \n"
    "\n"
    "TY  - BOOK\n"
    "AU  - Nobody, Ann\n"
    "TI  - A book that was never written\n"
    "PY  - 2001///\n"
    "PB  - Nowhere Press\n"
    "ER  - \n"
)

ENDNOTE = f"""<?xml version="1.0" encoding="UTF-8"?>
<xml><records>
<record><rec-number>1</rec-number><ref-type name="Journal Article">17</ref-type>
<contributors><authors>{"".join(f"<author><style>{f}, {g}</style></author>" for f, g in AUTHORS)}
</authors></contributors>
<titles><title><style face="normal">{TITLE}</style></title>
<secondary-title>PLoS ONE</secondary-title></titles>
<volume>7</volume><number>3</number><pages>e33693</pages>
<dates><year>2012</year></dates>
<electronic-resource-num>{PLOS}</electronic-resource-num>
</record>
<record><rec-number>2</rec-number><ref-type name="Book">6</ref-type>
<contributors><authors><author>Ann Nobody</author></authors></contributors>
<titles><title>A book that was never written</title></titles>
<dates><year>2001</year></dates><publisher>Nowhere Press</publisher>
</record>
</records></xml>
"""

CSL_ITEMS = [
    {
        "id": "sadasivan2012",
        "type": "article-journal",
        "title": TITLE,
        "author": [{"family": f, "given": g} for f, g in AUTHORS],
        "container-title": "PLoS ONE",
        "issued": {"date-parts": [[2012, 3]]},
        "volume": "7",
        "DOI": PLOS,
    },
    {
        "id": "nobody2001",
        "type": "book",
        "title": "A book that was never written",
        "author": [{"family": "Nobody", "given": "Ann"}],
        "issued": {"date-parts": [[2001]]},
        "publisher": "Nowhere Press",
    },
]

FILES = {
    "refs.ris": RIS,
    "library.xml": ENDNOTE,
    "refs.csl.json": json.dumps(CSL_ITEMS, indent=2),
}


@pytest.mark.parametrize("name", FILES)
def test_records_become_references(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text(FILES[name], encoding="utf-8")
    document = read_document(str(path))
    citations = document.extract().citations
    assert [c.kind for c in citations] == [Kind.REFERENCE, Kind.REFERENCE]
    first, second = (c.fields for c in citations)
    assert first.title == TITLE
    assert [(a.family, a.given) for a in first.authors] == AUTHORS
    assert (first.year, first.doi, first.container) == (2012, PLOS, "PLoS ONE")
    assert first.type == "article-journal"
    assert (second.title, second.year, second.type) == (
        "A book that was never written",
        2001,
        "book",
    )
    assert second.authors[0].family == "Nobody"
    for citation in citations:
        assert document.text[citation.start : citation.end] == citation.raw


def test_format_chosen_by_option(tmp_path: Path) -> None:
    path = tmp_path / "export.txt"
    path.write_text(RIS, encoding="utf-8")
    assert read_document(str(path)).extraction is None
    assert len(read_document(str(path), "ris").extract().citations) == 2


@pytest.mark.parametrize(
    ("name", "content", "fmt", "message"),
    [
        ("a.ris", "just some text\n", None, "no RIS records"),
        ("a.csl.json", '{"title": "x"}', None, "list of items"),
        ("a.csl.json", '[{"title": "x"},', None, "not valid JSON"),
        ("a.csl.json", "[" * 100_000, None, "not valid JSON"),
        ("a.xml", "<xml><records></records></xml>", None, "no EndNote"),
        (
            "a.xml",
            '<!DOCTYPE x [<!ENTITY a "aaaa">]><xml><records><record>&a;</record></records></xml>',
            None,
            "no EndNote",
        ),
    ],
)
def test_broken_files_refused(
    tmp_path: Path, name: str, content: str, fmt: str | None, message: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        read_document(str(path), fmt)


def test_entity_in_a_record_is_not_expanded(tmp_path: Path) -> None:
    path = tmp_path / "evil.xml"
    path.write_text(
        '<!DOCTYPE x [<!ENTITY a "aaaa">]><xml><records><record><titles><title>&a;</title>'
        "</titles></record><record><titles><title>Fine title</title></titles></record>"
        "</records></xml>",
        encoding="utf-8",
    )
    document = read_document(str(path))
    assert [c.fields.title for c in document.extract().citations] == ["Fine title"]
    assert any("broken" in w for w in document.warnings)


@pytest.mark.parametrize("name", FILES)
def test_check_through_the_cli(fake_api: FakeApi, tmp_path: Path, name: str) -> None:
    fake_api.reset()
    path = tmp_path / name
    path.write_text(FILES[name], encoding="utf-8")
    result = CliRunner().invoke(
        main,
        ["check", "--format", "json", "--sources", "crossref,doi", str(path)],
        env=env_for(fake_api),
    )
    items = json.loads(result.output)["files"][0]["items"]
    statuses = {i["citation"]["fields"]["title"]: i["verdict"]["status"] for i in items}
    assert statuses[TITLE] == "verified"
    assert statuses["A book that was never written"] in ("not_found", "unverifiable")


def test_extract_takes_input_format(tmp_path: Path) -> None:
    path = tmp_path / "export.txt"
    path.write_text(RIS, encoding="utf-8")
    result = CliRunner().invoke(
        main, ["extract", "--format", "json", "--input-format", "ris", str(path)]
    )
    assert result.exit_code == 0, result.output
    items = json.loads(result.output)["files"][0]["items"]
    assert [i["citation"]["kind"] if "citation" in i else i["kind"] for i in items] == [
        "reference",
        "reference",
    ]
    wrong = CliRunner().invoke(main, ["extract", "--input-format", "rtf", str(path)])
    assert wrong.exit_code == 2


def test_text_format_reads_any_file_as_text(tmp_path: Path) -> None:
    path = tmp_path / "refs.ris"
    path.write_text(RIS, encoding="utf-8")
    document = read_document(str(path), "text")
    assert document.extraction is None and document.text == RIS


def test_max_text_chars_holds_for_record_files(fake_api: FakeApi, tmp_path: Path) -> None:
    fake_api.reset()
    path = tmp_path / "refs.ris"
    path.write_text(RIS, encoding="utf-8")
    env = {**env_for(fake_api), "FACTCHECK_MAX_TEXT_CHARS": "100"}
    result = CliRunner().invoke(main, ["check", str(path)], env=env)
    assert result.exit_code == 2
    assert "limit of 100 per text" in result.output


def test_input_readers_stay_out_of_help() -> None:
    """`factcheck --help` loads no input reader, no model (pydantic) and no PDF library."""
    import subprocess
    import sys

    code = (
        "import sys, factcheck.cli; print(sorted(m for m in sys.modules if m.startswith("
        "('pydantic', 'pypdfium2', 'docx', 'factcheck.inputs.', 'factcheck.model'))))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "['factcheck.inputs.places']"
