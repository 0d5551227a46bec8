"""LaTeX inputs: a `.tex` project with its `.bib` files, a compiled `.bbl`, or an `.aux`.

A project is read from its main file: `\\input` and `\\include` are followed (relative to the
main file's folder, as LaTeX does), then the bibliographies it names (`\\bibliography{a,b}`,
`\\addbibresource{refs.bib}`). The Document's text is each file's text in turn, so a claim's
offset leads back to its file and line (`places`). Its claims are built from the structure:
- every key of `\\cite`, `\\citep`, `\\citet`, `\\parencite`, `\\autocite`, `\\textcite`, ...
  (optional arguments and several keys allowed) is an in-text citation labelled by its key;
- every `.bib` entry is a reference, checked with its fields;
- a key with no entry is linked as `no_entry` (reported `unverifiable`, as an in-text
  citation without an entry always is), an entry nobody cites as `uncited`
  (`\\nocite{*}` cites them all).
Without `.bib` files the project's `.bbl` (same name as the main file) stands in for them.
An `.aux` gives the cited keys (`\\citation`) and the `.bib` files (`\\bibdata`).

The files are untrusted: only files inside the main file's folder are read (no absolute
paths, no `..` out of it, symbolic links resolved), `\\input` nests at most MAX_INPUT_DEPTH
deep and a cycle is cut, at most MAX_PROJECT_FILES files and MAX_INPUT_BYTES in all. What is
skipped is said in a warning. Comments (`%`) are ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError
from ..model import Citation, Extraction, Kind, Link
from . import MAX_INPUT_BYTES, Document, Places, Segment, decode_utf8, read_bytes

MAX_INPUT_DEPTH = 16
MAX_PROJECT_FILES = 500
NO_ENTRY = "no_entry"
UNCITED = "uncited"
CITE_ALL = "*"

_COMMENT_RE = re.compile(r"(?<!\\)%[^\n]*")
_INPUT_RE = re.compile(r"\\(?:input|include)\s*\{([^{}\n]+)\}")
_BIBLIOGRAPHY_RE = re.compile(r"\\(?:bibliography|bibdata)\s*\{([^{}]+)\}")
_BIBRESOURCE_RE = re.compile(r"\\addbibresource\s*(?:\[[^\]]*\]\s*)?\{([^{}]+)\}")
# \cite and its natbib/biblatex kin (\citep*, \parencite, \Autocite, \nocite ...), with up
# to two optional arguments, then the keys; not an .aux's \\bibcite (an entry's label).
_CITE_RE = re.compile(
    r"\\(?!bibcite\b)(?:[A-Za-z]*cite[A-Za-z]*|citation)\*?\s*(?:\[[^\]]*\]\s*){0,2}"
    r"\{([^{}]*)\}"
)
_KEY_RE = re.compile(r"[^,\s]+")
_BIBITEM_RE = re.compile(r"\\bibitem\s*(?:\[((?:[^\[\]]|\[[^\]]*\])*)\])?\s*\{([^{}]+)\}")
_END_BIBLIOGRAPHY = "\\end{thebibliography}"


@dataclass
class _Project:
    """The files read so far, joined into one text, and the claims found in them."""

    root: Path
    parts: list[str] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    cites: list[Citation] = field(default_factory=list)
    entries: list[Citation] = field(default_factory=list)
    seen: set[Path] = field(default_factory=set)
    size: int = 0

    def add(self, file: Path, text: str) -> int:
        """Append `file`'s text; return where it starts in the whole text."""
        start = self.size
        if self.parts and not self.parts[-1].endswith("\n"):
            self.parts.append("\n")
            start += 1
        self.segments.append(Segment(start=start, line=1, file=self.name(file)))
        self.parts.append(text)
        self.size = start + len(text)
        return start

    def name(self, file: Path) -> str:
        return file.relative_to(self.root).as_posix()

    def resolve(self, wanted: str, suffix: str, where: str) -> Path | None:
        """`wanted` (relative to the project folder) as a file inside it, or None with a
        warning: absolute, outside the folder, missing, or one file too many."""
        wanted = wanted.strip()
        candidate = Path(wanted)
        if not candidate.suffix:
            candidate = candidate.with_suffix(suffix)
        resolved = (self.root / candidate).resolve()
        problem = None
        if candidate.is_absolute():
            problem = "is an absolute path; only the project's own files are read"
        elif not resolved.is_relative_to(self.root):
            problem = "is outside the project folder; not read"
        elif not resolved.is_file():
            problem = "not found"
        elif len(self.seen) >= MAX_PROJECT_FILES:
            problem = f"not read: more than {MAX_PROJECT_FILES} files"
        if problem is not None:
            self.skip(f"{where}: {wanted} {problem}")
            return None
        return resolved

    def skip(self, warning: str) -> None:
        self.warnings.append(warning)

    def read(self, file: Path) -> str:
        data = read_bytes(str(file))
        if self.size + len(data) > MAX_INPUT_BYTES:
            raise InputError(f"{file}: the project is larger than factcheck reads at once")
        self.seen.add(file)
        text, bad_byte = decode_utf8(data)
        if bad_byte is not None:
            self.warnings.append(f"{self.name(file)}: invalid UTF-8 at byte {bad_byte}")
        return text

    def document(self, path: str) -> Document:
        text = "".join(self.parts)
        extraction = _extraction(self.cites, self.entries)
        return Document(
            path, text, self.warnings, places=Places(text, self.segments), extraction=extraction
        )


def read_latex(path: str) -> Document:
    """A LaTeX project from its main `.tex` file (see the module docstring)."""
    main = Path(path).resolve()
    if not main.is_file():
        raise InputError(f"{path}: no such file")
    project = _Project(root=main.parent)
    bibliographies: list[Path] = []
    _read_tex(project, main, [], bibliographies)
    if not project.cites and not bibliographies:
        project.warnings.append(f"{path}: no \\cite and no bibliography found")
    _read_bibliographies(project, bibliographies, main)
    return project.document(path)


def _read_tex(project: _Project, file: Path, stack: list[Path], bibliographies: list[Path]) -> None:
    """Read `file`, its citations and bibliographies, then the files it inputs, depth first."""
    text = project.read(file)
    start = project.add(file, text)
    visible = _COMMENT_RE.sub(lambda m: " " * len(m.group()), text)
    _find_cites(project, visible, start)
    where = project.name(file)
    for pattern, suffix in ((_BIBLIOGRAPHY_RE, ".bib"), (_BIBRESOURCE_RE, ".bib")):
        for match in pattern.finditer(visible):
            for name in match.group(1).split(","):
                bib = project.resolve(name, suffix, where) if name.strip() else None
                if bib is not None and bib not in bibliographies:
                    bibliographies.append(bib)
    for match in _INPUT_RE.finditer(visible):
        child = project.resolve(match.group(1), ".tex", where)
        if child is None:
            continue
        if child in stack or child == file:
            project.skip(f"{where}: \\input of {project.name(child)} makes a cycle; cut")
        elif len(stack) >= MAX_INPUT_DEPTH:
            project.skip(f"{where}: \\input nested over {MAX_INPUT_DEPTH} deep; cut")
        elif child not in project.seen:
            _read_tex(project, child, [*stack, file], bibliographies)


def _find_cites(project: _Project, text: str, start: int) -> None:
    for match in _CITE_RE.finditer(text):
        for key in _KEY_RE.finditer(match.group(1)):
            begin, end = start + match.start(1) + key.start(), start + match.start(1) + key.end()
            project.cites.append(
                Citation(kind=Kind.INLINE, raw=key.group(), start=begin, end=end, label=key.group())
            )


def _read_bibliographies(project: _Project, bibliographies: list[Path], main: Path) -> None:
    """The `.bib` files' entries; without any, the main file's `.bbl`."""
    for bib in bibliographies:
        text = project.read(bib)
        _add_bibtex(project, text, project.add(bib, text))
    if bibliographies:
        return
    bbl = main.with_suffix(".bbl")
    if bbl.is_file():
        text = project.read(bbl)
        project.entries.extend(_bibitems(text, project.add(bbl, text)))


def _add_bibtex(project: _Project, text: str, start: int) -> None:
    from ..extract.bibtex import parse_bibtex

    for entry in parse_bibtex(text).entries:
        citation = entry.citation
        project.entries.append(
            citation.model_copy(
                update={
                    "start": citation.start + start,
                    "end": citation.end + start,
                    "label": entry.key,
                }
            )
        )


def _bibitems(text: str, start: int) -> list[Citation]:
    """The `\\bibitem` entries of a `thebibliography` (a BibTeX-made `.bbl`), each parsed
    into Fields from its text with the LaTeX markup removed."""
    from ..extract.bibtex import latex_to_text
    from ..extract.parser import parse_references

    visible = _COMMENT_RE.sub(lambda m: " " * len(m.group()), text)
    items = list(_BIBITEM_RE.finditer(visible))
    spans = []
    for index, item in enumerate(items):
        end = items[index + 1].start() if index + 1 < len(items) else len(visible)
        closing = visible.find(_END_BIBLIOGRAPHY, item.end(), end)
        end = closing if closing >= 0 else end
        body = text[item.end() : end].strip()
        if body:
            body_start = text.index(body, item.end())
            spans.append((item.group(2).strip(), body_start, body_start + len(body)))
    bodies = [" ".join(latex_to_text(text[s:e]).split()) for _, s, e in spans]
    return [
        Citation(
            kind=Kind.REFERENCE,
            raw=text[s:e],
            start=start + s,
            end=start + e,
            fields=fields,
            label=key,
        )
        for (key, s, e), fields in zip(spans, parse_references(bodies), strict=True)
    ]


def _extraction(cites: list[Citation], entries: list[Citation]) -> Extraction:
    """The claims, sorted, and each citation's link to its entry: `no_entry` for a key with
    none, `uncited` for an entry no key names (unless `\\nocite{*}`)."""
    cite_all = any(c.raw == CITE_ALL for c in cites)
    cites = [c for c in cites if c.raw != CITE_ALL]
    citations = sorted([*cites, *entries], key=lambda c: (c.start, -c.end))
    index = {id(c): i for i, c in enumerate(citations)}
    by_key: dict[str, int] = {}
    for entry in entries:
        by_key.setdefault(entry.label or "", index[id(entry)])
    folded = {key.casefold(): i for key, i in reversed(by_key.items())}
    links = []
    cited = set()
    for cite in cites:
        found = by_key.get(cite.raw, folded.get(cite.raw.casefold()))
        problem = None if found is not None else NO_ENTRY
        detail = None if found is not None else f"no entry has the key {cite.raw}"
        if found is not None:
            cited.add(found)
        links.append(Link(inline=index[id(cite)], reference=found, problem=problem, detail=detail))
    if not cite_all and cites:
        links += [
            Link(inline=None, reference=i, problem=UNCITED)
            for i in sorted(by_key.values())
            if i not in cited
        ]
    return Extraction(citations=citations, links=links)


def bbl_document(path: str, data: bytes) -> Document:
    """A compiled `.bbl` (`thebibliography`): its `\\bibitem` entries, each a reference."""
    text, _ = decode_utf8(data)
    entries = _bibitems(text, 0)
    if not entries:
        raise InputError(
            f"{path}: no \\bibitem entries (a biblatex .bbl is not read; give the .tex project)"
        )
    segments = [Segment(start=0, line=1, file=Path(path).name)]
    return Document(path, text, places=Places(text, segments), extraction=_extraction([], entries))


def aux_document(path: str, data: bytes) -> Document:
    """An `.aux`: its cited keys (`\\citation`), checked against the `.bib` files it names
    (`\\bibdata`) or else the `.bbl` beside it."""
    file = Path(path).resolve()
    project = _Project(root=file.parent)
    text, _ = decode_utf8(data)
    project.seen.add(file)
    start = project.add(file, text)
    _find_cites(project, text, start)
    bibliographies = [
        bib
        for match in _BIBLIOGRAPHY_RE.finditer(text)
        for name in match.group(1).split(",")
        if name.strip() and (bib := project.resolve(name, ".bib", file.name)) is not None
    ]
    _read_bibliographies(project, bibliographies, file)
    if not project.entries:
        raise InputError(
            f"{path}: the .aux names no readable .bib (\\bibdata) and no .bbl is beside it; "
            "give the .tex project or the .bbl"
        )
    return project.document(path)
