"""Folding: the plain-ASCII shortcut says exactly what the full path says."""

from __future__ import annotations

import string

from hypothesis import given, settings
from hypothesis import strategies as st

from factcheck.normalize import _plain, _plain_markup, ascii_lower, fold, words

# Printable ASCII with the characters the full path treats specially made likely.
ASCII_TEXT = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=200)


@settings(max_examples=300, deadline=None)
@given(ASCII_TEXT)
def test_the_ascii_shortcut_folds_like_the_full_path(text: str) -> None:
    assert _plain(text) == _plain_markup(text)


def test_markup_and_accents_still_fold_away() -> None:
    assert fold("<i>Über</i> die \\emph{Qualität}: A Study") == "uber die qualitat a study"
    assert words("Deep   learning, for cats!") == ["deep", "learning", "for", "cats"]


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from("AZaz09./-_K\u212aİßÉé見 \t"), max_size=30) | st.text())
def test_ascii_lower_changes_ascii_letters_only_on_any_text(text: str) -> None:
    table = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
    assert ascii_lower(text) == text.translate(table)


def test_ascii_lower_keeps_look_alikes_apart() -> None:
    # The Kelvin sign lower-cases to "k" in Unicode: an identifier with it is another one.
    assert ascii_lower("10.1/\u212aX") == "10.1/\u212ax"
    assert ascii_lower("10.1/KX") == "10.1/kx"
