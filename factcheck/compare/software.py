"""How software and data records differ from correct citations of them. No I/O.

Zenodo, Figshare and other DataCite repositories register each release of a program or a
data set with its own DOI, and their records read unlike articles:

- the title is what the release tool wrote: "pandas-dev/pandas: Pandas 1.0.3",
  "matplotlib/matplotlib: REL: v3.3.0", "scikit-learn/scikit-learn: Scikit-learn 0.24.2";
  people cite the program by its name ("pandas", "Matplotlib: Visualization with Python",
  "Pandas (Version 1.0.3)");
- the creators are an organisation ("The pandas development team") in one release and a
  hundred contributors in the next, and a citation names the team, or the first few people
  without "et al.".

So against a release record (`is_data_record`: a type of DATA_TYPES, or, since DataCite's
citeproc mapping types software "article", a record of no literature type from a data
repository), `compare_titles` accepts the program's name for its release title, and
`compare_authors` lets an organisation on one side meet people on the other without
contradiction, and a few of the record's people stand for all. Names the record lacks
altogether still disagree: invented contributors are still invented.

Organisations are named with or without the acronym that records often append ("… Consortium
(IGAS)"), or by it ("IGAS Consortium"): `same_organisation`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..model import Author, Fields
from ..normalize import fold

# CSL types of records that are releases of software or data.
DATA_TYPES = frozenset({"software", "dataset", "figure", "collection", "physical-object"})
# DataCite's citeproc mapping has no type for software (nor for models, workflows, …) and
# writes "article" (or nothing): from a data repository, such a record is a release too.
GENERIC_TYPES = frozenset({"", "article"})
# DOI prefixes of repositories that register releases of software and data: Zenodo,
# figshare, Dryad, Harvard Dataverse, KNB, PANGAEA, Mendeley Data, OSF.
DATA_PREFIXES = frozenset(
    {"10.5281", "10.6084", "10.5061", "10.7910", "10.5063", "10.1594", "10.17632", "10.17605"}
)
# Their names as records give them as publisher (folded), for DOIs under other prefixes.
DATA_PUBLISHERS = frozenset(
    {
        "zenodo",
        "figshare",
        "dryad",
        "harvard dataverse",
        "knb data repository",
        "pangaea",
        "mendeley data",
        "osf",
        "software heritage",
    }
)
# "International Genetics of Ankylosing Spondylitis Consortium (IGAS)": a name's acronym.
_ACRONYM_RE = re.compile(r"\s*\((?P<acronym>[A-Z][A-Za-z0-9&-]{1,15})\)\s*$")
# "v3.3.0", "1.0.3", "(Version 1.0.3)", "REL:", "release": release words, not the name.
_VERSION_RE = re.compile(
    r"\(?\b(?:version|release|rel|v)?\s*v?\d+(?:\.\d+){1,3}[\w.-]*\)?|\b(?:rel|release)\b:?",
    re.IGNORECASE,
)
# "owner/repo: Name": the GitHub-release prefix Zenodo writes.
_REPOSITORY_RE = re.compile(r"^\s*[\w.-]+/(?P<repo>[\w.-]+)\s*:\s*")


def is_data_record(found: Fields) -> bool:
    """Whether the record is a release of software or data: typed so (DATA_TYPES), or of
    no literature type (GENERIC_TYPES) and registered by a data repository."""
    kind = (found.type or "").lower()
    if kind in DATA_TYPES:
        return True
    if kind not in GENERIC_TYPES:
        return False
    prefix = (found.doi or "").split("/", 1)[0]
    return prefix in DATA_PREFIXES or fold(found.publisher or "") in DATA_PUBLISHERS


def names(title: str) -> set[str]:
    """The names a release title gives its program, folded, versions dropped: the repository
    name and the name after it ("pandas-dev/pandas: Pandas 1.0.3" -> {"pandas"}), and the
    title's main part before a subtitle ("Matplotlib: Visualization with Python")."""
    found: set[str] = set()
    repository = _REPOSITORY_RE.match(title)
    rest = title[repository.end() :] if repository else title
    if repository:
        found.add(_plain(repository.group("repo")))
    found.add(_plain(rest))
    head, separator, _ = rest.partition(":")
    if separator:
        found.add(_plain(head))
    return {name for name in found if name}


def same_program(claimed: str, found: str) -> bool:
    """Whether a claimed title names the program the release title names."""
    return bool(names(claimed) & names(found))


def _plain(text: str) -> str:
    return fold(_VERSION_RE.sub(" ", text)).replace(" ", "")


def is_organisation(author: Author) -> bool:
    """An author given by name only (a team, a project), with no family name."""
    return bool(author.name) and not author.family


def organisation_meets_people(claimed: Sequence[Author], found: Sequence[Author]) -> bool:
    """An organisation on one side, people on the other: the team and its contributors
    name the same release, and neither contradicts the other."""
    claimed_team = any(is_organisation(a) for a in claimed)
    found_team = any(is_organisation(a) for a in found)
    return claimed_team != found_team


def same_organisation(one: Author, other: Author) -> bool:
    """Two organisations named alike, one with its acronym in parentheses and one without
    ("International … Consortium (IGAS)" / "International … Consortium"), or one named
    by the other's acronym ("IGAS Consortium")."""
    if not (is_organisation(one) and is_organisation(other)):
        return False
    one_name, one_acronym = split_acronym(one.name or "")
    other_name, other_acronym = split_acronym(other.name or "")
    if fold(one_name) == fold(other_name):
        return True
    return _names_acronym(one_name, other_acronym) or _names_acronym(other_name, one_acronym)


def split_acronym(name: str) -> tuple[str, str | None]:
    """An organisation's name without the acronym written after it, and the acronym."""
    found = _ACRONYM_RE.search(name)
    if found is None:
        return name, None
    return name[: found.start()], found.group("acronym")


def _names_acronym(name: str, acronym: str | None) -> bool:
    return acronym is not None and acronym in name.split()
