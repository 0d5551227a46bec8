"""The parts of personal names that every layer reads alike: particles and suffixes.

A family name may open with lower-case particles ("van den Oord", "de la Riva", "Montes de
Oca", "Al-Azemi") that one source keeps in the family name, another in the given names
("Marino, P. de") and a third drops; and a name may end with a generational suffix ("Jr.").
The extractor needs them to split author lists and to spot a surname in running text, the
arXiv mapper to split "Given Family" names, and the matcher to compare surnames: the list
is kept here, once.
"""

from __future__ import annotations

# Lower-case words that open a family name (Dutch, German, Romance, Scandinavian, Arabic).
PARTICLES = frozenset(
    [
        "van",
        "von",
        "vom",
        "der",
        "den",
        "de",
        "del",
        "della",
        "dei",
        "degli",
        "di",
        "da",
        "das",
        "dos",
        "du",
        "la",
        "le",
        "ten",
        "ter",
        "zu",
        "zur",
        "af",
        "al",
        "el",
        "bin",
        "ibn",
        "st",
        # Joined forms some sources write: "Vanden Berghe", "Vander Cruyssen".
        "vander",
        "vanden",
    ]
)
# Particles that open a surname in running text too; the Romance ones are prepositions
# there ("curato da Liguori"), so only these are read as a name's part outside brackets.
NARRATIVE_PARTICLES = frozenset(["van", "von", "der", "den", "ten", "ter"])
# Generational suffixes, which belong to the name before them and never decide a match.
SUFFIXES = frozenset(["jr", "sr", "ii", "iii", "iv", "jnr", "snr"])


def particles_pattern(particles: frozenset[str] = PARTICLES) -> str:
    """A regular expression for any run of `particles`, each followed by spaces."""
    alternatives = "|".join(sorted(particles, key=lambda p: (-len(p), p)))
    return rf"(?:(?:{alternatives})\s+)*"
