"""Text from the network or the input, made safe to print on a terminal or to write anywhere.

A title that a server or a model wrote can hold terminal control sequences: `ESC[1A ESC[2K`
moves the cursor up and erases a line, so a report could show a forged `verified` line;
OSC sequences (`ESC ] … BEL`) set window titles and links; C1 controls (U+0080–U+009F, the
8-bit CSI U+009B among them) do the same on terminals that read them; bidi overrides
(U+202E and its kin) make text display in another order than it reads. Lone surrogates
(JSON's `"\\ud800"`) cannot be encoded at all and would fail the whole output.

`safe_text` removes all of that and keeps the text readable: whole escape sequences go
(not only their ESC, which would leave `[2K` litter), other C0 and C1 controls and the bidi
controls go, a lone surrogate becomes U+FFFD. Tabs and newlines stay (`\\r` only before
`\\n`): formats that need one line fold whitespace themselves. Everything runs in time
linear in the text.

It is applied where text enters from a source (`resolve.mapping.text`, page titles) and
again in every renderer (defence in depth: input text, reasons, paths). JSON output keeps
its values whole and escapes these characters instead (`json_safe`).
"""

from __future__ import annotations

import re

ESC = "\x1b"
REPLACEMENT = "\ufffd"
# CSI, 7-bit (ESC [) or 8-bit (U+009B): parameter bytes, intermediate bytes, a final byte.
_CSI = r"(?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?"
# String controls (OSC, DCS, SOS, PM, APC), 7- or 8-bit, up to their terminator: BEL, ST
# (ESC \ or U+009C). Unterminated, only the introducer goes (below), not the rest of the text;
# the body stops at any ESC or C1 introducer, so that each character is scanned a bounded
# number of times.
_STRING = (
    r"(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])"
    r"[^\x07\x1b\x90\x98\x9c\x9d\x9e\x9f]*(?:\x07|\x1b\\|\x9c)"
)
# A string control without its terminator: its introducer and numeric parameters go
# (`ESC ] 0 ;`), the text after them stays.
_UNTERMINATED = r"(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[0-9;]*"
# Any other escape: ESC, intermediate bytes, one final byte (ESC c resets the terminal).
_ESCAPE = r"\x1b[\x20-\x2f]*[\x30-\x7e]?"
_SEQUENCES = re.compile(f"{_CSI}|{_STRING}|{_UNTERMINATED}|{_ESCAPE}")
# What is left to remove: C0 controls but tab and newline, a carriage return not before a
# newline, DEL, C1 controls, and the bidi controls (marks, embeddings, overrides, isolates).
_CONTROLS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]|\r(?!\n)"
)
_SURROGATES = re.compile("[\ud800-\udfff]")
# Characters that JSON output escapes as \\uXXXX although JSON allows them raw.
_JSON_UNSAFE = re.compile(
    "[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def safe_text(text: str) -> str:
    """`text` without control sequences, control characters and bidi controls; a lone
    surrogate becomes U+FFFD. Newlines and tabs are kept."""
    if text.isprintable():  # the common case: nothing to do (newlines and tabs aside)
        return text
    cleaned = _SEQUENCES.sub("", text)
    cleaned = _CONTROLS.sub("", cleaned)
    return _SURROGATES.sub(REPLACEMENT, cleaned)


def safe_line(text: str) -> str:
    """`safe_text` on one line: every run of whitespace becomes one space."""
    return " ".join(safe_text(text).split())


def json_safe(document: str) -> str:
    """A JSON document (as `json.dumps(..., ensure_ascii=False)` writes it) with the
    characters a terminal could act on, and lone surrogates, written as `\\uXXXX`. They can
    only occur inside strings, so the document stays valid and every value reads back
    unchanged."""
    return _JSON_UNSAFE.sub(lambda found: f"\\u{ord(found.group()):04x}", document)
