"""Folding: the plain-ASCII shortcut says exactly what the full path says."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from factcheck.normalize import _plain, _plain_markup, fold, words

# Printable ASCII with the characters the full path treats specially made likely.
ASCII_TEXT = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=200)


@settings(max_examples=300, deadline=None)
@given(ASCII_TEXT)
def test_the_ascii_shortcut_folds_like_the_full_path(text: str) -> None:
    assert _plain(text) == _plain_markup(text)


def test_markup_and_accents_still_fold_away() -> None:
    assert fold("<i>Über</i> die \\emph{Qualität}: A Study") == "uber die qualitat a study"
    assert words("Deep   learning, for cats!") == ["deep", "learning", "for", "cats"]
