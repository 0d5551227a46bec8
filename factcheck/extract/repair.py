"""Repairs of the parser's reading where the entry's own structure says otherwise.

The trained parser reads most entries well, and a few shapes badly, always the same way:

- an organisation that opens the entry ("The pandas development team. pandas-dev/pandas:
  Pandas. Zenodo, 2020.") is read into the title (`organisation_first`);
- "et al." alone where the authors should be is dropped, and the entry looks authorless
  (`et_al_only`);
- a long list of full names with a middle initial ("…, Christopher D. Manning, and Jure
  Leskovec. GreaseLM: …") is cut at the initial's full stop, and the rest of the list is
  read into the title (`author_list_first`);
- after "Authors. 2022." the title is tagged as a publisher or a venue, and the entry has
  no title (`lone_part_title`);
- a title first and its authors after a dash ("Attention Is All You Need — Vaswani et al.,
  2017", as answers list works) is read as one organisation, or the names into the title
  (`title_dash_authors`), and so is "Title. Authors. Venue Year." (`title_then_names`).

`repaired` applies them in turn. Each looks at the entry's text with the bounded tests of
`detect` and changes the Fields only when the parse contradicts what it sees.
"""

from __future__ import annotations

import re

from factcheck.extract.detect import author_zone, is_name_list, split_parts, title_cased
from factcheck.extract.names import (
    ET_AL_RE,
    ORGANISATION_WORDS,
    is_initials,
    is_organisation,
    split_authors,
)
from factcheck.model import Author, Fields
from factcheck.normalize import fold

# "The pandas development team. pandas-dev/pandas: Pandas. Zenodo, 2020.": an organisation
# of at most this many words opens the entry, up to its full stop or its "(2020)".
MAX_ORGANISATION_WORDS = 8
# A publisher or venue this many words long, in an entry with no title, is its title.
MIN_LONE_TITLE_WORDS = 4
ET_AL_AUTHOR = "et al."
# "Title — Authors, Year": the title has at least this many words; a name cited with "et
# al." at most MAX_NAME_WORDS.
MIN_DASHED_TITLE_WORDS = 2
MAX_NAME_WORDS = 2
_ORGANISATION_END_RE = re.compile(r"\.\s|\s\(")
_AFTER_ORGANISATION_RE = re.compile(
    r"[ \t]*[.,]?[ \t]*(?:\((?:1[5-9]|20)\d\d[a-z]?\)|\(n\.d\.\))?[ \t]*[.,:]?[ \t]*"
)
# An entry whose author list is only "et al." ("et al. Title. 2021.").
_ET_AL_ONLY_RE = re.compile(r"[\s*_]{0,4}et\.?\s?al\b\.?", re.IGNORECASE)
_YEAR_PART_RE = re.compile(r"[\s(]*(?:1[5-9]\d\d|20\d\d)[a-z]?[).,\s]*")
_EDGE = " \t.,;:*_\"'“”‘’«»()[]"
# A structured title has at least this many words (a lone word is a venue or a name).
MIN_STRUCTURED_TITLE_WORDS = 3
# The title is a whole part: another part follows it, or it ends with a full stop.
MIN_STRUCTURED_PARTS = 2
MIN_FULL_NAME_WORDS = 2
_WORD_RE = re.compile(r"[^\W\d_]{2,}")
# The names after a title's dash or "by": capitalised, up to "et al." perhaps.
_DASHED_NAMES = r"(?P<names>[A-Z][^()—–\d\n]{1,200}?(?:,?[ \t]*et[ \t]?al\.?)?)"
_TITLE_DASH_NAMES_RE = re.compile(
    r"(?P<title>[^—–\n]{8,300}?)[ \t]+(?:[—–-]|by)[ \t]+"
    + _DASHED_NAMES
    + r"[ \t]*(?:[,.]?[ \t]*\(?(?:1[5-9]|20)\d\d[a-z]?\)?"
    r"(?:[,.][ \t]*(?P<venue>[^,.()\d\n]{2,80}))?\.?|\.)?[ \t]*\Z"
)
# "Title (Vaswani et al., 2017)": the authors and year in parentheses after the title.
_TITLE_PAREN_NAMES_RE = re.compile(
    r"(?P<title>[^()\n]{8,300}?)[ \t]*\("
    r"(?P<names>[A-Z][^()\d\n]{1,200}?(?:,?[ \t]*et[ \t]?al\.?)?)[ \t]*,?[ \t]*"
    r"(?:1[5-9]|20)\d\d[a-z]?\)(?:[.,][ \t]*(?P<venue>[^,.()\d\n]{2,80}))?[ \t.]*\Z"
)
# "“Title” (2011) by Daniel Kahneman", "The Selfish Gene (1976) – Richard Dawkins": the
# year in parentheses after the title, then the authors after "by" or a dash.
_TITLE_YEAR_NAMES_RE = re.compile(
    r"(?P<title>[^()\n]{8,300}?)[ \t]*\((?:1[5-9]|20)\d\d[a-z]?\)[ \t]*[,.]?[ \t]*"
    r"(?:[—–-]|by)[ \t]+" + _DASHED_NAMES + r"[ \t.]*\Z"
)
# "Bishop, *Pattern Recognition and Machine Learning* (Springer, 2006)": names, a marked
# title, and the publisher and year in parentheses.
_NAMES_MARKED_BOOK_RE = re.compile(
    r"(?P<names>[^*_“\"\n]{2,200}?)[,.]?[ \t]+"
    r"(?:\*(?P<starred>[^*\n]{4,300})\*|_(?P<under>[^_\n]{4,300})_"
    r"|[“\"](?P<quoted>[^”\"\n]{4,300})[”\"])"
    r"[ \t]*\((?P<inside>[^()\n]{2,200})\)[ \t.]*\Z"
)
# "Title. " opening an entry: its first part, up to a full stop and a space.
_FIRST_PART_RE = re.compile(r"(?P<title>[^.\n]{8,300})\.[ \t]+")
# "Vaswani, A., Shazeer, N., et al." / "He, K., Zhang, X., Sun, J.": surnames with initials.
_INITIALS_NAMES_RE = re.compile(
    r"(?:[A-Z][\w'’-]+(?:[ -][A-Z][\w'’-]+)?,[ \t]+[A-Z]\.(?:[ -]?[A-Z]\.)*,?[ \t]*"
    r"(?:(?:and|&)[ \t]+)?){1,30}(?:et[ \t]?al\.)?"
)
# "Asai et al." / "Izacard and Grave et al.": a surname or two cut short by "et al.".
_SURNAME_ET_AL_RE = re.compile(
    r"[A-Z][\w'’-]+(?:,?[ \t]+(?:and|&)[ \t]+[A-Z][\w'’-]+)?,?[ \t]+et[ \t]?al\.?"
)
_NAME_SPLIT_RE = re.compile(r"\s*(?:,|;|&|\band\b)\s*")
# What a style writes at a title's end: GB/T 7714's "[J]", "[M]", "[C]//", "[EB/OL]", or
# GOST's "//" before the journal.
_TITLE_END_MARK_RE = re.compile(
    r"[ \t]*(?:\[[A-Z]{1,2}(?:/OL)?\](?:[ \t]*//(?P<within>[^\[\]]{0,300}))?|//)[ \t.]*\Z"
)
# A piece of a book's parenthesis that is no publisher: its year or its edition ("2006",
# "2nd ed.").
_DATE_OR_EDITION_RE = re.compile(r"(?:1[5-9]|20)\d\d|\bed(?:ition)?\b\.?", re.IGNORECASE)
# A title opened by a year and a dash or colon: "2020 – Scaling Laws …".
_YEAR_LED_RE = re.compile(r"(?P<year>(?:1[5-9]|20)\d\d)[a-z]?[ \t]*[–—:-][ \t]+(?=\S)")
_IN_VENUE_RE = re.compile(r"[ \t]*In:?[ \t]+(?P<venue>[^,.]{2,200})")


def repaired(raw: str, fields: Fields) -> Fields:
    """The parser's Fields for `raw`, with each repair of this module applied."""
    fields = organisation_first(raw, fields)
    fields = et_al_only(raw, fields)
    fields = author_list_first(raw, fields)
    fields = title_dash_authors(raw, fields)
    fields = marked_book_title(raw, fields)
    fields = title_then_names(raw, fields)
    fields = year_led_title(fields)
    fields = marked_title_end(fields)
    return lone_part_title(fields)


def organisation_first(raw: str, fields: Fields) -> Fields:
    """An entry whose author is an organisation ("The pandas development team", "Matplotlib
    Developers": capitalised, ending in an organisation word) that the parser read into the
    title: the organisation becomes the author and the next part the title."""
    text = raw.strip(" \t*_")
    end = _ORGANISATION_END_RE.search(text)
    if end is None:
        return fields
    organisation = text[: end.start()].strip()
    words = fold(organisation).split()
    named = organisation[:1].isupper() and bool(words) and words[-1] in ORGANISATION_WORDS
    if not 1 < len(words) <= MAX_ORGANISATION_WORDS or not named:
        return fields
    title = fields.title or ""
    # "Consortium. (2017). Title.": the parser may take the date for the title.
    dated = _YEAR_PART_RE.fullmatch(title) is not None
    if fields.authors and not (fold(title).startswith(fold(organisation)) or dated):
        return fields
    if fold(title) == fold(organisation) or not title or dated:
        rest = text[end.start() :]
        after = _AFTER_ORGANISATION_RE.match(rest)
        rest = rest[after.end() if after else 0 :]
        title = _clean(rest.split(". ", 1)[0].split("*.", 1)[0])
    elif fold(title).startswith(fold(organisation)):
        title = _clean(title[len(organisation) :])
    return fields.model_copy(
        update={"authors": [Author(name=organisation)], "title": title or None}
    )


def et_al_only(raw: str, fields: Fields) -> Fields:
    """An entry whose authors are "et al." alone claims a placeholder author: kept as one,
    so that the claim reads as a paper's (authors, title, year), flagged as a placeholder."""
    if fields.authors or _ET_AL_ONLY_RE.match(raw) is None:
        return fields
    return fields.model_copy(update={"authors": [Author(family=ET_AL_AUTHOR)]})


def author_list_first(raw: str, fields: Fields) -> Fields:
    """An entry opened by a list of names, as ML papers print them ("A, B, C D. E, and F.
    [2022.] Title. In Venue, 2022."), that the parser read otherwise: its title begun inside
    the list, cut short, run on into the venue, or missing. Then the list is the authors,
    the first part after it (and after a year) is the title, and an "In …" part the venue."""
    if not fields.authors:
        return fields  # the parser read no list of names at all: nothing to extend
    zone = author_zone(raw)
    if not _full_names(zone) or not raw.startswith(".", len(zone)):
        return fields  # the list ends at "(2015)" or a comma: not the ML shape
    pieces = split_parts(raw[len(zone) + 1 :].strip())
    if pieces and _YEAR_PART_RE.fullmatch(pieces[0]):
        pieces = pieces[1:]
    if len(pieces) < MIN_STRUCTURED_PARTS and not (pieces and pieces[0].endswith(".")):
        return fields
    title = _clean(pieces[0])
    parsed = fields.title or ""
    if len(title.split()) < MIN_STRUCTURED_TITLE_WORDS or fold(title) == fold(parsed):
        return fields
    bounded = len(pieces) >= MIN_STRUCTURED_PARTS
    if parsed and not _misread(raw, zone, parsed, title, bounded=bounded):
        return fields
    update: dict[str, object] = {"authors": split_authors(zone), "title": title}
    venue = _IN_VENUE_RE.match(pieces[1]) if len(pieces) > 1 else None
    container = fields.container
    if container and fold(title) in fold(container):
        container = None  # the parser read the title into the venue
    if venue is not None and not container:
        container = _clean(venue.group("venue"))
    update["container"] = container
    if fields.publisher and fold(title) in fold(fields.publisher):
        # The parser read the title as the publisher, and typed the entry a book for it.
        update["publisher"] = None
        update["type"] = "article-journal" if container else None
    return fields.model_copy(update=update)


def _full_names(zone: str) -> bool:
    """A list of people by their full names, given names first ("Minseo Park, Daniel Kowal,
    and Hye-Jin Oh"), as ML papers print them: not "Eary JF, Collins C" (Vancouver),
    "K.C. King" (initials first) or "World Health Organization"."""
    if not is_name_list(zone):
        return False
    for name in _NAME_SPLIT_RE.split(zone):
        words = name.split()
        if not words or name.strip().lower() in ("et al", "et al.", "others"):
            continue
        if len(words) < MIN_FULL_NAME_WORDS or is_organisation(name):
            return False
        if is_initials(words[0]) or is_initials(words[-1]):
            return False
    return True


def _misread(raw: str, zone: str, parsed: str, title: str, *, bounded: bool) -> bool:
    """Whether the parser's title is the structural `title` misread: begun inside the
    author list, cut short at its start ("Rendering" for "IBRNet: … Rendering", when the
    title is `bounded`, another part following it), or run on into "In <venue>". A longer
    title that goes on with its own sentences ("… engineering. Part II. Rapid prototyping")
    or into the journal ("… gradient Mar Ecol Prog Ser 1985") is no misreading."""
    if 0 <= raw.find(parsed) < len(zone):
        return True
    mine, theirs = fold(title), fold(parsed)
    cut_short = len(theirs) < len(mine) and mine.endswith(theirs) and bounded
    return cut_short or (theirs.startswith(mine) and theirs[len(mine) :].strip().startswith("in "))


def title_dash_authors(raw: str, fields: Fields) -> Fields:
    """ "Title — Authors, Year": a title, a spaced dash, and names (with "et al." or not)
    before the year or the end. When the parser found no title, or ran the names into it,
    the part before the dash is the title and the names are the authors."""
    text = raw.strip(" \t*_")
    dashed = (
        _TITLE_YEAR_NAMES_RE.match(text)
        or _TITLE_DASH_NAMES_RE.match(text)
        or _TITLE_PAREN_NAMES_RE.match(text)
    )
    if dashed is None:
        return fields
    title, names = _clean(dashed.group("title")), dashed.group("names")
    # The parser may have read the title as the venue and the names as the title.
    title_as_venue = fold(fields.container or "") == fold(title)
    names_lost = not fields.authors and fold(fields.title or "") == fold(title)
    if fields.title and not (_ran_on(fields.title, title) or title_as_venue or names_lost):
        return fields
    if len(_WORD_RE.findall(title)) < MIN_DASHED_TITLE_WORDS:
        return fields
    listed = ET_AL_RE.sub("", names).strip(" ,")
    if not (
        is_name_list(listed) or _surnames(listed) or (listed != names and _one_surname(listed))
    ):
        return fields
    container = None if title_as_venue else fields.container
    if container and fold(container) in fold(names):
        container = None  # the last name, read as the venue
    if container is None and dashed.groupdict().get("venue"):
        container = _clean(dashed.group("venue"))
    publisher = fields.publisher
    if publisher and fold(publisher) in fold(names):
        publisher = None  # the names, read as the publisher
    update = {
        "title": title,
        "authors": _dashed_authors(listed),
        "container": container,
        "publisher": publisher,
    }
    return fields.model_copy(update=update)


def marked_book_title(raw: str, fields: Fields) -> Fields:
    """ "Bishop, *Pattern Recognition and Machine Learning* (Springer, 2006)": a book's
    marked title after its author, with the publisher and year in parentheses, which the
    parser read as a venue with no title. The marked part is the title, the words beside
    the year the publisher."""
    if fields.title or not fields.container or fields.volume or fields.pages:
        return fields
    book = _NAMES_MARKED_BOOK_RE.match(raw.strip(" \t"))
    if book is None:
        return fields
    title = _clean(book.group("starred") or book.group("under") or book.group("quoted") or "")
    if fold(title) != fold(fields.container):
        return fields
    pieces = [_clean(piece) for piece in book.group("inside").split(",")]
    publisher = next((p for p in pieces if p and not _DATE_OR_EDITION_RE.search(p)), None)
    update = {"title": title, "container": None, "publisher": publisher, "type": "book"}
    return fields.model_copy(update=update)


def _ran_on(parsed: str, title: str) -> bool:
    """Whether the parser's title is `title` run on past its end (into the names)."""
    return parsed != title and fold(parsed).startswith(fold(title))


def _dashed_authors(listed: str) -> list[Author]:
    """The names after the dash; surnames alone ("Vaswani, Shazeer and Parmar") are each a
    family name, never one's given name."""
    if _surnames(listed):
        return [Author(family=piece) for piece in _NAME_SPLIT_RE.split(listed) if piece]
    return split_authors(listed)


def _surnames(listed: str) -> bool:
    """ "He, Zhang, Ren, and Sun": two or more capitalised surnames alone."""
    pieces = [p for p in _NAME_SPLIT_RE.split(listed) if p]
    return len(pieces) > 1 and all(
        len(piece.split()) == 1 and piece[:1].isupper() and not is_initials(piece)
        for piece in pieces
    )


def _one_surname(text: str) -> bool:
    """ "Vaswani" of "Vaswani et al.": one capitalised name of a word or two."""
    words = text.split()
    return 0 < len(words) <= MAX_NAME_WORDS and all(word[:1].isupper() for word in words)


def title_then_names(raw: str, fields: Fields) -> Fields:
    """ "Title. Authors. Venue Year." ("Attention Is All You Need. Vaswani, A., et al.
    NeurIPS 2017.", "Self-RAG: Learning to Retrieve. Asai et al. ICLR 2024."): a title in
    title case first, then a list of names, which the parser read as one organisation or
    as people split at the title's "and", or ran into the title. The first part is the
    title, the names the authors; a venue read from the names' initials ("J. CVPR") goes."""
    text = raw.strip(" \t*_")
    first = _FIRST_PART_RE.match(text)
    if first is None or not title_cased(first.group("title")):
        return fields
    title = _clean(first.group("title"))
    rest = text[first.end() :]
    names = _INITIALS_NAMES_RE.match(rest) or _SURNAME_ET_AL_RE.match(rest)
    zone = names.group() if names else author_zone(rest)
    if not (names or is_name_list(zone)):
        return fields
    misread = fields.title is None and _read_as_names(fields, title)
    if not (misread or (fields.title is not None and _ran_on(fields.title, title))):
        return fields
    after = fold(rest[len(zone) :])
    container = fields.container if fields.container and fold(fields.container) in after else None
    update = {"title": title, "authors": split_authors(zone), "container": container}
    return fields.model_copy(update=update)


def _read_as_names(fields: Fields, title: str) -> bool:
    """Whether the parser read the title as its first author: one organisation ("Attention
    Is All You Need"), or people at its "and" ("Sparse Recovery among Sensors" and …)."""
    if not fields.authors:
        return False
    lead = fields.authors[0]
    written = lead.name or " ".join(part for part in (lead.given, lead.family) if part)
    return fold(written).startswith(fold(title).split()[0])


def year_led_title(fields: Fields) -> Fields:
    """A title that opens with the entry's year and a dash ("Kaplan et al., 2020 – Scaling
    Laws …"): the parser ran the year into the title; the title starts after the dash."""
    title = fields.title or ""
    led = _YEAR_LED_RE.match(title)
    if led is None or int(led.group("year")) != fields.year:
        return fields
    return fields.model_copy(update={"title": title[led.end() :]})


def marked_title_end(fields: Fields) -> Fields:
    """A title that keeps the mark a style ends it with: GB/T 7714's document type ("…: a
    review[J]", "[M]", "[EB/OL]"), perhaps with the proceedings after it ("[C]//Proc. of
    CVPR", which are the venue), or GOST's "//" before the journal."""
    title = fields.title or ""
    mark = _TITLE_END_MARK_RE.search(title)
    if mark is None or mark.start() == 0:
        return fields
    update: dict[str, str | None] = {"title": title[: mark.start()].rstrip()}
    within = _clean(mark.group("within") or "")
    if within and not fields.container:
        update["container"] = within
    return fields.model_copy(update=update)


def lone_part_title(fields: Fields) -> Fields:
    """An entry with authors and no title or venue whose only other words were read as its
    publisher ("A, B. 2022. NP-Hardness of optimal contraction."): those are its title. (A
    lone venue stays one: "Johnson SR (2006) J Chem Inf Model 48:25" names no title.)"""
    if fields.title or not fields.authors or fields.container or not fields.publisher:
        return fields
    if len(_WORD_RE.findall(fields.publisher)) < MIN_LONE_TITLE_WORDS:
        return fields
    return fields.model_copy(
        update={"title": _clean(fields.publisher), "publisher": None, "type": None}
    )


def _clean(value: str) -> str:
    return " ".join(value.strip(_EDGE).split())


__all__ = [
    "ET_AL_AUTHOR",
    "author_list_first",
    "et_al_only",
    "lone_part_title",
    "marked_book_title",
    "marked_title_end",
    "organisation_first",
    "repaired",
    "title_dash_authors",
    "title_then_names",
    "year_led_title",
]
