"""LaTeX input: a project with \\input, two .bib files, a missing key and an uncited entry;
a compiled .bbl; an .aux; and the project's files held inside its folder."""

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
from factcheck.inputs.latex import MAX_INPUT_DEPTH
from factcheck.model import Kind

PLOS = "10.1371/journal.pone.0033693"

MAIN = r"""\documentclass{article}
\begin{document}
\input{sections/intro}
% \cite{commented_out} is not a citation
\include{method}
\bibliographystyle{plain}
\bibliography{refs,more/extra}
\end{document}
"""
INTRO = r"""\section{Introduction}
Methylphenidate was studied before~\citep[see][p.~3]{sadasivan2012,Smith2020}.
"""
METHOD = r"""\section{Method}
As \citet{smith2020} and \parencite{ghost2019} show, and \autocite{nobody}.
"""
REFS = f"""@article{{sadasivan2012,
  title = {{Methylphenidate exposure induces dopamine neuron loss and activation of
           microglia in the basal ganglia of mice}},
  author = {{Sadasivan, Santhosh and Pond, Brooks B. and Pani, Amar K. and Qu, Chunxu
            and Jiao, Yun and Smeyne, Richard J.}},
  journal = {{PLoS ONE}},
  year = {{2012}},
  doi = {{{PLOS}}}
}}
"""
EXTRA = """@article{smith2020,
  title = {A study of things},
  author = {Smith, Jane},
  journal = {Journal of Things},
  year = {2020}
}

@book{uncited2001,
  title = {Never cited},
  author = {Nobody, Ann},
  year = {2001}
}
"""


def project(tmp_path: Path) -> Path:
    (tmp_path / "sections").mkdir()
    (tmp_path / "more").mkdir()
    (tmp_path / "main.tex").write_text(MAIN, encoding="utf-8")
    (tmp_path / "sections" / "intro.tex").write_text(INTRO, encoding="utf-8")
    (tmp_path / "method.tex").write_text(METHOD, encoding="utf-8")
    (tmp_path / "refs.bib").write_text(REFS, encoding="utf-8")
    (tmp_path / "more" / "extra.bib").write_text(EXTRA, encoding="utf-8")
    return tmp_path / "main.tex"


def test_project_cites_entries_and_links(tmp_path: Path) -> None:
    document = read_document(str(project(tmp_path)))
    extraction = document.located(document.extract())
    cites = [c for c in extraction.citations if c.kind is Kind.INLINE]
    entries = [c for c in extraction.citations if c.kind is Kind.REFERENCE]
    assert [c.raw for c in cites] == [
        "sadasivan2012",
        "Smith2020",
        "smith2020",
        "ghost2019",
        "nobody",
    ]
    assert sorted(e.label or "" for e in entries) == ["sadasivan2012", "smith2020", "uncited2001"]
    for citation in extraction.citations:
        assert document.text[citation.start : citation.end] == citation.raw
    problems = {
        (extraction.citations[row.inline].raw if row.inline is not None else None, row.problem)
        for row in extraction.links
        if row.problem
    }
    assert problems == {("ghost2019", "no_entry"), ("nobody", "no_entry"), (None, "uncited")}
    uncited = [row for row in extraction.links if row.problem == "uncited"]
    assert extraction.citations[uncited[0].reference or 0].label == "uncited2001"


def test_locations_name_file_and_line(tmp_path: Path) -> None:
    document = read_document(str(project(tmp_path)))
    by_raw = {c.raw: c for c in document.located(document.extract()).citations}
    ghost = by_raw["ghost2019"].location
    assert ghost is not None and (ghost.file, ghost.line) == ("method.tex", 2)
    assert str(ghost) == "method.tex, line 2"
    first = by_raw["sadasivan2012"].location
    assert first is not None and (first.file, first.line) == ("sections/intro.tex", 2)
    entry = next(c for c in by_raw.values() if c.label == "uncited2001").location
    assert entry is not None and (entry.file, entry.line) == ("more/extra.bib", 8)


def test_comment_is_no_citation(tmp_path: Path) -> None:
    document = read_document(str(project(tmp_path)))
    assert "commented_out" not in [c.raw for c in document.extract().citations]


@pytest.mark.parametrize(
    ("inputs", "warning"),
    [
        (r"\input{/etc/passwd}", "absolute path"),
        (r"\input{../outside}", "outside the project folder"),
        (r"\input{sub/../../outside}", "outside the project folder"),
        (r"\input{main}", "cycle"),
        (r"\input{nothere}", "not found"),
    ],
)
def test_untrusted_inputs_are_not_followed(tmp_path: Path, inputs: str, warning: str) -> None:
    root = tmp_path / "p"
    (root / "sub").mkdir(parents=True)
    (tmp_path / "outside.tex").write_text(r"\cite{secret}", encoding="utf-8")
    main_file = root / "main.tex"
    main_file.write_text(inputs + "\n" + r"\cite{a}", encoding="utf-8")
    document = read_document(str(main_file))
    assert any(warning in w for w in document.warnings), document.warnings
    assert "secret" not in document.text
    assert "root:" not in document.text


def test_symlink_out_of_the_project_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "p"
    root.mkdir()
    (tmp_path / "secret.tex").write_text(r"\cite{secret}", encoding="utf-8")
    (root / "link.tex").symlink_to(tmp_path / "secret.tex")
    (root / "main.tex").write_text(r"\input{link}", encoding="utf-8")
    document = read_document(str(root / "main.tex"))
    assert "secret" not in document.text
    assert any("outside" in w for w in document.warnings)


def test_deep_nesting_is_cut(tmp_path: Path) -> None:
    for level in range(MAX_INPUT_DEPTH + 3):
        (tmp_path / f"f{level}.tex").write_text(
            f"\\cite{{k{level}}}\n\\input{{f{level + 1}}}\n", encoding="utf-8"
        )
    document = read_document(str(tmp_path / "f0.tex"))
    assert any("deep" in w for w in document.warnings)
    keys = {c.raw for c in document.extract().citations}
    assert f"k{MAX_INPUT_DEPTH}" in keys and f"k{MAX_INPUT_DEPTH + 2}" not in keys


BBL = r"""\begin{thebibliography}{2}

\bibitem{sadasivan2012}
Santhosh Sadasivan and Brooks~B. Pond.
\newblock Methylphenidate exposure induces dopamine neuron loss.
\newblock {\em PLoS ONE}, 2012.
\newblock doi:10.1371/journal.pone.0033693.

\bibitem[Smith(2020)]{smith2020}
Jane Smith.
\newblock A study of things.
\newblock {\em Journal of Things}, 2020.

\end{thebibliography}
"""


def test_bbl_entries_with_fields(tmp_path: Path) -> None:
    path = tmp_path / "paper.bbl"
    path.write_text(BBL, encoding="utf-8")
    document = read_document(str(path))
    entries = document.located(document.extract()).citations
    assert [e.label for e in entries] == ["sadasivan2012", "smith2020"]
    assert entries[0].fields.doi == PLOS
    assert "\\end{thebibliography}" not in entries[1].raw
    assert entries[1].location is not None and entries[1].location.line == 10
    for entry in entries:
        assert document.text[entry.start : entry.end] == entry.raw


def test_project_without_bib_uses_its_bbl(tmp_path: Path) -> None:
    (tmp_path / "paper.tex").write_text(r"See \cite{smith2020,lost}.", encoding="utf-8")
    (tmp_path / "paper.bbl").write_text(BBL, encoding="utf-8")
    extraction = read_document(str(tmp_path / "paper.tex")).extract()
    problems = sorted(row.problem or "" for row in extraction.links if row.problem)
    assert problems == ["no_entry", "uncited"]


def test_aux_keys_against_its_bibdata(tmp_path: Path) -> None:
    project(tmp_path)
    aux = tmp_path / "main.aux"
    aux.write_text(
        "\\relax\n\\citation{sadasivan2012}\n\\citation{ghost2019,smith2020}\n"
        "\\bibdata{refs,more/extra}\n\\bibcite{sadasivan2012}{1}\n",
        encoding="utf-8",
    )
    extraction = read_document(str(aux)).extract()
    problems = sorted(row.problem or "" for row in extraction.links if row.problem)
    assert problems == ["no_entry", "uncited"]
    cited = [c.raw for c in extraction.citations if c.kind is Kind.INLINE]
    assert cited == ["sadasivan2012", "ghost2019", "smith2020"], "\\bibcite cites nothing"


def test_aux_alone_is_refused(tmp_path: Path) -> None:
    aux = tmp_path / "main.aux"
    aux.write_text("\\relax\n\\citation{a}\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"no readable \.bib"):
        read_document(str(aux))


def test_check_through_the_cli(fake_api: FakeApi, tmp_path: Path) -> None:
    fake_api.reset()
    result = CliRunner().invoke(
        main,
        ["check", "--format", "json", "--sources", "crossref,doi", str(project(tmp_path))],
        env=env_for(fake_api),
    )
    # A key without an entry is unverifiable, as an in-text citation without one always is.
    assert result.exit_code == 0, result.output
    items = json.loads(result.output)["files"][0]["items"]
    missing = [i for i in items if "no_entry" in i["verdict"]["flags"]]
    assert {i["citation"]["raw"] for i in missing} == {"ghost2019", "nobody"}
    assert {i["citation"]["location"]["file"] for i in missing} == {"method.tex"}
    assert all(i["verdict"]["status"] == "unverifiable" for i in missing)
    uncited = [i for i in items if "uncited" in i["verdict"]["flags"]]
    assert [i["citation"]["location"]["file"] for i in uncited] == ["more/extra.bib"]
    plos = next(i for i in items if i["citation"]["fields"].get("doi") == PLOS)
    assert plos["verdict"]["status"] == "verified"
    text = CliRunner().invoke(
        main,
        ["check", "--sources", "crossref,doi", str(tmp_path / "main.tex")],
        env=env_for(fake_api),
    )
    assert "method.tex, line 2" in text.output


def test_sarif_points_at_the_project_file(fake_api: FakeApi, tmp_path: Path) -> None:
    from test_formats import validate

    fake_api.reset()
    main_file = project(tmp_path)
    result = CliRunner().invoke(
        main,
        [
            "check",
            "--format",
            "sarif",
            "--fail-on",
            "unverifiable",
            "--sources",
            "crossref,doi",
            str(main_file),
        ],
        env=env_for(fake_api),
    )
    log = json.loads(result.output)
    validate(log)
    places = {
        (
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].rsplit("/", 1)[-1],
            r["locations"][0]["physicalLocation"]["region"].get("startLine"),
        )
        for r in log["runs"][0]["results"]
        if "no_entry" in r["properties"]["flags"]
    }
    assert places == {("method.tex", 2)}
    assert all("fixes" not in r for r in log["runs"][0]["results"])
