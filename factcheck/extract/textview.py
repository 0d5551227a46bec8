"""The text as the finders read it: breaks, spaces and invisible characters made plain.

Text copied from web pages, PDFs and word processors, and some models' output, writes a line
break as a lone carriage return (old Mac files) or U+2028; a space as a no-break
or thin space ("1.\u00a0Smith,\u00a0J."); and hides characters inside words: a zero-width
space or soft hyphen where a long DOI or URL may wrap ("10.1038/\u200bnature14539"). Every
finder matches ASCII line breaks and spaces, so such a text lost its list markers, ran its
entries together or cut its identifiers.

`TextView.of(text)` is the text a reader sees: each break a "\\n" (a carriage return or NEL
only in a text with no "\\n" at all: inside a line of a text that has line breaks it is a
terminal trick, "\\x1b[2K\\r ✓ verified", whose words stay on their line), each space a " ", the
zero-width spaces, word joiners, byte-order marks and soft hyphens left out. Offsets into
it map back to the text (`original`), so a claim's span and `raw` stay those of the text as
given. Joiners and direction marks (ZWJ, ZWNJ, bidi controls) are kept: inside a link they
change where it leads, so a link that holds one is never read as the link without it.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

# Read as a line break, a space, or left out. A carriage return before "\n" is part of a
# Windows line break, which the finders read already; a lone one or a NEL is a break only
# in a text without "\n" (`LONE_BREAKS`).
BREAKS = "\u2028\u2029"
LONE_BREAKS = "\r\x85"
SPACES = "\u00a0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u202f\u205f\u3000"
INVISIBLE = "\u00ad\u200b\u2060\ufeff"
_UNUSUAL_RE = re.compile(f"[{BREAKS}{SPACES}{INVISIBLE}]")
_UNUSUAL_OR_LONE_RE = re.compile(f"[{BREAKS}{LONE_BREAKS}{SPACES}{INVISIBLE}]")
_PLAIN = str.maketrans({**dict.fromkeys(BREAKS + LONE_BREAKS, "\n"), **dict.fromkeys(SPACES, " ")})


@dataclass(frozen=True)
class TextView:
    """The plain text (`text`) and where the characters left out stood in it (`gaps`: for
    each one, the offset in `text` of the character after it, in order)."""

    text: str
    gaps: tuple[int, ...]

    @classmethod
    def of(cls, text: str) -> TextView | None:
        """The view of `text`; None when it is plain already (most texts: one search)."""
        unusual = _UNUSUAL_RE if "\n" in text else _UNUSUAL_OR_LONE_RE
        if unusual.search(text) is None:
            return None
        pieces: list[str] = []
        gaps: list[int] = []
        kept = last = 0
        for match in unusual.finditer(text):
            pieces.append(text[last : match.start()])
            kept += match.start() - last
            last = match.end()
            if match.group() in INVISIBLE:
                gaps.append(kept)
            else:
                pieces.append(match.group().translate(_PLAIN))
                kept += 1
        pieces.append(text[last:])
        return cls("".join(pieces), tuple(gaps))

    def original(self, offset: int, *, end: bool = False) -> int:
        """Where `offset` of the view falls in the text. A span's start moves past the
        characters left out just before it, its end stops before those just after it."""
        left_out = bisect_left(self.gaps, offset) if end else bisect_right(self.gaps, offset)
        return offset + left_out
